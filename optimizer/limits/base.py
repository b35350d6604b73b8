"""What every limit family defines, and the three views of a deal it is written against.

A family (the budget, the competitor price cap, the seats of a site...) is one
:class:`Family` subclass, defined once in this package. It says:

* whether a scenario has such a limit (:meth:`Family.present`), and whether its rows
  are about one category, one site or the whole deal (``scope``);
* how the MILP writes them (:meth:`Family.write`, on :class:`ModelTerms`: linear
  expressions of the model's variables, so no PuLP import is needed here);
* how verification re-checks them (:meth:`Family.check`, on :class:`Recomputed`:
  numbers recomputed from the solution without the model);
* how the explanation relaxes one by 1% (:meth:`Family.relax`);
* how the diagnosis weighs its slack and turns a slack into a new value of the
  limit in the scenario's own units (:meth:`Family.weight`, :meth:`Family.move`).

Adding a family is one new subclass in a module of this package, its entry in
:mod:`optimizer.limits.registry`, and its tests.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import price_decimals, round_at
from optimizer.results import Choice, FixedChoice
from optimizer.rows import RowKey
from optimizer.scenario.schema import Scenario

Scope = Literal["category", "site", "deal"]
Owner = Literal["client", "provider", "sales"]

RELAX_STEP = 0.01
"""Relaxation used for the "worth of 1%" figures."""
TIER_PENALTY = 0.10
"""Penalty of dropping a minimum tier or a quoted choice (as if moving a limit 10%)."""
NUDGE = 1e-6
"""Relative nudge in the deal's favour applied to proposed values before proving them."""


class ModelTerms(Protocol):
    """The model under construction, as the linear expressions a family's rows need.

    Expressions are PuLP affine expressions; a family only adds, scales and compares
    them (``terms.revenue() <= budget``), then hands the row to :meth:`add`."""

    scenario: Scenario

    def add(self, row: Any, key: RowKey) -> None:
        """Add ``row`` (an expression compared with a number) under ``key``."""

    def revenue(self, category: str | None = None) -> Any:
        """Client spend per month, of one category or (None) of the deal."""

    def contact_revenue(self) -> Any:
        """Client spend on the contact-handling (non-project) categories."""

    def handled(self, category: str | None = None) -> Any:
        """Handled contacts per month of one category or (None) every contact category."""

    def value(self) -> Any:
        """The client's monthly value of the deal (for ROI)."""

    def cost(self) -> Any:
        """The provider's monthly cost."""

    def category_cost(self, category: str) -> Any:
        """The direct monthly cost of one category (its agents, or a project's effort)."""

    def price(self, category: str) -> Any:
        """The chosen unit price of ``category``."""

    def tiers_below(self, category: str, tier: str) -> Any:
        """Sum of the choice indicators of the tiers of ``category`` below ``tier``."""

    def quoted(self, category: str) -> tuple[FixedChoice, Any] | None:
        """A quote held fixed for ``category`` and the indicator of its option, if any."""

    def agents(self, site: str) -> dict[int, Any]:
        """Productive agents at ``site`` per staffed interval (interval mode)."""

    def scheduled(self, site: str) -> dict[int, Any]:
        """Scheduled (paid) agents at ``site`` per staffed interval."""

    def paid_hours(self, site: str) -> Any:
        """Monthly paid hours at ``site``."""

    def staffed(self, site: str, category: str) -> Any:
        """Productive agent-intervals of ``category`` at ``site`` over the week."""

    def label(self, interval: int) -> str:
        """The label of interval ``interval`` (``mon 09:30``)."""


class Violations:
    """Collects the re-checks that fail: (what, amount off)."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, float]] = []

    def at_least(self, what: str, value: float, floor: float, tol: float) -> None:
        """``value >= floor`` within ``tol`` (NaN never passes)."""
        if not value >= floor - tol:
            self.problems.append((what, abs(floor - value)))

    def at_most(self, what: str, value: float, cap: float, tol: float) -> None:
        """``value <= cap`` within ``tol`` (NaN never passes)."""
        if not value <= cap + tol:
            self.problems.append((what, abs(value - cap)))

    @property
    def worst(self) -> float:
        """The largest amount off (0 when everything holds)."""
        return max((a for _, a in self.problems), default=0.0)


@dataclass(frozen=True)
class Recomputed:
    """A solution's figures recomputed from the cost and queueing formulas (verify)."""

    revenue: float
    contact_revenue: float
    contacts: float
    value: float
    cost: float
    choices: Mapping[str, Choice]
    revenue_of: Mapping[str, float]
    """Category -> revenue per month."""
    cost_of: Mapping[str, float]
    """Category -> direct cost per month (its agents, or a project's effort)."""
    contacts_of: Mapping[str, float]
    """Category -> handled contacts per month."""
    scheduled: Mapping[str, NDArray[np.float64]]
    """Site -> scheduled agents per interval."""
    fte: Mapping[str, float]
    """Site -> full-time equivalents."""
    productive: Mapping[tuple[str, str], float] = field(default_factory=dict)
    """(site, category) -> productive agent-intervals over the week."""

    @property
    def margin(self) -> float:
        """Revenue - cost."""
        return self.revenue - self.cost

    @property
    def money_tolerance(self) -> float:
        """Money is re-checked within a millionth of the deal's revenue."""
        return 1e-6 * max(1.0, self.revenue)


@dataclass(frozen=True)
class Change:
    """One limit that must move (or an alternative), in the scenario's own units."""

    limit: str
    owner: str
    """client, provider or sales."""
    kind: str
    """together (part of the smallest combined change), alone, or alternative."""
    message: str
    before: float | str | None
    after: float | str | None
    change_pct: float | None
    overrides: dict[str, Any] = field(default_factory=dict)
    fixed: dict[str, FixedChoice] = field(default_factory=dict)
    released: tuple[str, ...] = ()
    """Categories whose quote the change lifts (``apply.released``, present only then)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``diagnosis`` entries of the output)."""
        out: dict[str, Any] = {
            "limit": self.limit,
            "owner": self.owner,
            "kind": self.kind,
            "message": self.message,
            "before": self.before,
            "after": self.after,
            "change_pct": None if self.change_pct is None else round(self.change_pct, 4),
            "proven": True,
            "apply": {
                "overrides": dict(self.overrides),
                "fixed": {c: q.spec() for c, q in sorted(self.fixed.items())},
            },
        }
        if self.released:
            out["apply"]["released"] = sorted(self.released)
        return out


@dataclass(frozen=True)
class MoveContext:
    """What the diagnosis knows when it turns slack into new limit values: the elastic
    solution's choices, the contacts they handle and the spend they cost."""

    scenario: Scenario
    kind: str
    choices: Mapping[str, Choice]
    handled: Mapping[str, float]
    """Contact category -> handled contacts per month at the chosen tier."""
    revenue: float
    careful: bool = False
    """Round with a nudge in the deal's favour (the plain value failed its proof)."""
    quotes: Mapping[str, FixedChoice] = field(default_factory=dict)
    """The quotes held before the diagnosis."""
    revenue_of: Mapping[str, float] = field(default_factory=dict)
    """Category -> its revenue per month in the elastic solution."""
    productive: Mapping[tuple[str, str], float] = field(default_factory=dict)
    """(site, category) -> productive agent-intervals of the elastic solution."""

    def up(self, value: float, digits: int = 2) -> float:
        """``value`` rounded up at ``digits`` decimals (float noise ignored)."""
        return round_up(value, digits, self.careful)

    def down(self, value: float, digits: int = 4) -> float:
        """``value`` rounded down at ``digits`` decimals (see :meth:`up`)."""
        return round_down(value, digits, self.careful)


def round_up(value: float, digits: int = 2, careful: bool = False) -> float:
    """``value`` rounded up at ``digits`` decimals, ignoring float noise (42,000.00003 ->
    42,000); ``careful`` adds a small nudge first, for when the plain value fails its proof.

    >>> round_up(42000.00003, 0), round_up(1.231, 2)
    (42000.0, 1.24)
    """
    if careful:
        return math.ceil(value * 10**digits * (1 + NUDGE) + NUDGE) / 10**digits
    return round_at(value, digits, up=True)


def round_down(value: float, digits: int = 4, careful: bool = False) -> float:
    """``value`` rounded down at ``digits`` decimals, ignoring float noise; ``careful``
    first moves it down by a small nudge, for when the plain value fails its proof."""
    if careful:
        scaled = value * 10**digits
        return math.floor(scaled - abs(scaled) * NUDGE - NUDGE) / 10**digits
    return round_at(value, digits, up=False)


def from_to(before: float, after: float, decimals: int, kind: str = "f") -> str:
    """ "from BEFORE to AFTER", both with ``decimals`` (``kind`` ``f`` or ``%``) or as many
    more (up to three) as it takes for them to differ: a move from 18.74% to 18.73% is
    not shown as "18.7% to 18.73%", a rise, nor as "18.7% to 18.7%".

    >>> from_to(0.1874, 0.1873, 2, "%"), from_to(0.15, -0.2079, 2, "%")
    ('from 18.74% to 18.73%', 'from 15.00% to -20.79%')
    >>> from_to(10.06, 10.1, 1), from_to(480_000, 480_001, 0)
    ('from 10.06 to 10.10', 'from 480,000 to 480,001')
    """
    for d in range(decimals, decimals + 4):
        shown = format(before, f",.{d}{kind}"), format(after, f",.{d}{kind}")
        if shown[0] != shown[1]:
            break
    return f"from {shown[0]} to {shown[1]}"


def pct(before: float, after: float) -> float | None:
    """Change from ``before`` to ``after`` in percent (None from zero)."""
    return None if before == 0 else 100.0 * (after - before) / abs(before)


def money(value: float) -> str:
    """A price as quoted: cents, or 4 decimals below 1."""
    return f"{value:,.{price_decimals(value)}f}"


class Family:
    """One family of client or provider limits: a subclass says who it belongs to and
    what its rows are about in its class line, and defines the behaviour below::

        class Budget(Family, name="budget", owner="client", scope="deal",
                     unit="money per month", parts=()):
            ...
    """

    name: ClassVar[str]
    """The family's name, the first part of its rows' keys (``budget``)."""
    owner: ClassVar[Owner]
    scope: ClassVar[Scope]
    """What one row is about: a category, a site, or the whole deal."""
    unit: ClassVar[str]
    """The unit of the limit's value in the scenario (for the reference and wording)."""
    parts: ClassVar[tuple[str, ...]]
    """The parts of its rows' keys (:class:`~optimizer.rows.RowKey`), in readable order."""
    per_interval: ClassVar[bool] = False
    """Rows per interval that are one limit (seats): grouped by :meth:`RowKey.group`; the
    diagnosis penalises a group's peak slack, in rows of family ``peak_row``."""
    peak_row: ClassVar[str] = "peak"

    def __init_subclass__(
        cls,
        *,
        name: str,
        owner: Owner,
        scope: Scope,
        unit: str,
        parts: tuple[str, ...],
        per_interval: bool = False,
        peak_row: str = "peak",
    ) -> None:
        super().__init_subclass__()
        cls.name, cls.owner, cls.scope, cls.unit, cls.parts = name, owner, scope, unit, parts
        cls.per_interval, cls.peak_row = per_interval, peak_row

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        """Whether ``scenario`` (with ``quotes`` held) has a limit of this family."""
        raise NotImplementedError

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        """Add this family's rows for one category or site (``owner``), or the deal (None)."""
        raise NotImplementedError

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        """Re-check this family's limits on recomputed figures (verification)."""

    def slack(self, scenario: Scenario, choices: Mapping[str, Choice], key: RowKey) -> float | None:
        """A slack of its own for the limits table (None: the row's own slack)."""
        return None

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        """Overrides that move the limit 1% in the deal's favour (None if it cannot)."""
        return None

    def in_units(
        self, scenario: Scenario, got: Recomputed, key: RowKey, slack: float
    ) -> tuple[float, float]:
        """A row's ``slack`` in the limit's own unit, and how far one unit of the limit
        moves the row at the plan ``got`` (a row's dual times it is what one unit of the
        limit is worth; a per-interval limit sums that over its rows). Most rows are in
        the limit's unit: ``(slack, 1.0)``."""
        return slack, 1.0

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        """Penalty per unit of slack, so that moving any limit 1% costs about the same."""
        raise NotImplementedError

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        """The new value of the limit ``key`` once its slack ``amount`` is taken up."""
        return None


def per(slack: float, amount: float) -> tuple[float, float]:
    """``Family.in_units`` of a row written as money or hours ``x limit``: the slack per
    unit of ``amount`` (the spend, the contacts, a category's hours), and ``amount``;
    ``(slack, 1.0)`` when there is none to divide by.

    >>> per(27.62, 58086.0)[0] < 0.001, per(5.0, 0.0)
    (True, (5.0, 1.0))
    """
    return (slack / amount, amount) if amount > 0 else (slack, 1.0)


def owners(scenario: Scenario, scope: Scope) -> Iterator[str | None]:
    """The categories, the sites, or the deal (None) that rows of ``scope`` are about."""
    if scope == "category":
        yield from (c.name for c in scenario.categories)
    elif scope == "site":
        yield from (s.name for s in scenario.provider.sites)
    else:
        yield None
