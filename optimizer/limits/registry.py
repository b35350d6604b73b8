"""The limit families, in the order the model writes their rows.

Order matters: within a category (``fixed``, ``max_price``, ``price_floor``, ``min_tier``,
written right after the category's choice rows), within a site (``seats``, ``max_fte``, then
``min_site_share``) and for the deal (``budget``, ``max_cost_per_contact``, ``min_roi``,
``min_margin``, then ``category_margin``),
the MILP's rows come in this order, and the solvers' paths (so ties between equal
optima) depend on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from optimizer.limits.base import Family, Scope
from optimizer.limits.deal import Budget, CategoryMargin, CostPerContact, MinMargin, MinRoi
from optimizer.limits.menu import Fixed, MaxPrice, MinPrice, MinTier
from optimizer.limits.sites import MaxFte, MinSiteShare, Seats
from optimizer.rows import STRUCTURE, RowKey

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Fixed(),
        MaxPrice(),
        MinPrice(),
        MinTier(),
        Seats(),
        MaxFte(),
        MinSiteShare(),
        Budget(),
        CostPerContact(),
        MinRoi(),
        MinMargin(),
        CategoryMargin(),
    )
}
"""Family name -> its definition."""


def of_scope(scope: Scope) -> Iterator[Family]:
    """The families whose rows are about one category, one site, or the deal."""
    return (f for f in FAMILIES.values() if f.scope == scope)


def parse_key(readable: str) -> RowKey:
    """The key of a row's readable name (a limit's or one of the model's own rows).

    >>> parse_key("seats[Lisbon][mon 09:00]").site
    'Lisbon'
    """
    family = readable.partition("[")[0]
    entry = FAMILIES.get(family)
    return RowKey.parse(readable, entry.parts if entry else STRUCTURE.get(family, ()))


def is_limit(family: str) -> bool:
    """Whether rows of ``family`` are a client or provider limit (explained, diagnosed).

    >>> is_limit("budget"), is_limit("coverage")
    (True, False)
    """
    return family in FAMILIES
