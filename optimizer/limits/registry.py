"""The limit families, in the order the model writes their rows.

Order matters twice: within a category (``fixed``, ``max_price``, ``min_tier``, written
right after the category's choice rows), within a site (``seats`` then ``max_fte``) and
for the deal (``budget``, ``max_cost_per_contact``, ``min_roi``, then ``min_margin``),
the MILP's rows come in this order, and the solvers' paths (so ties between equal
optima) depend on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from optimizer.limits.base import Family, Scope
from optimizer.limits.deal import Budget, CostPerContact, MinMargin, MinRoi
from optimizer.limits.menu import Fixed, MaxPrice, MinTier
from optimizer.limits.sites import MaxFte, Seats

FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Fixed(),
        MaxPrice(),
        MinTier(),
        Seats(),
        MaxFte(),
        Budget(),
        CostPerContact(),
        MinRoi(),
        MinMargin(),
    )
}
"""Family name -> its definition."""


def of_scope(scope: Scope) -> Iterator[Family]:
    """The families whose rows are about one category, one site, or the deal."""
    return (f for f in FAMILIES.values() if f.scope == scope)


def is_limit(family: str) -> bool:
    """Whether rows of ``family`` are a client or provider limit (explained, diagnosed).

    >>> is_limit("budget"), is_limit("coverage")
    (True, False)
    """
    return family in FAMILIES
