"""Plain frozen result types shared downstream of the solver (no solver types here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optimizer.rows import RowKey


class SolveStatus(StrEnum):
    """How a solve ended (design section 8); mapped from solver codes in milp/backend.py only."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    """A time limit stopped the solver with a solution; the gap says how good it is."""
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    NO_SOLUTION = "no_solution"
    """The time limit came before any solution."""
    ERROR = "error"

    @property
    def has_solution(self) -> bool:
        """True when there are solution values to read."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class SolverInfo:
    """Which solver ran, for how long, and the relative gap it proved (None if unknown)."""

    name: str
    seconds: float
    gap: float | None
    build_seconds: float = 0.0
    skipped: tuple[str, ...] = ()
    """Explanation or diagnosis re-solves left out because the time limit ran out."""


@dataclass(frozen=True)
class Choice:
    """The tier and unit price chosen for one category; with a plan, its monthly fee and
    included units; with a platform fee menu, the fee chosen."""

    tier: str
    price: float
    plan_fee: float = 0.0
    included: float = 0.0
    platform_fee: float = 0.0
    """The monthly platform fee (the terms' fee, or the one chosen from its menu)."""
    bonus: tuple[bool, ...] = ()
    """Per bonus level of the terms: whether the solution claims it (staffs to it)."""
    site_split: tuple[tuple[str, float], ...] = ()
    """With a site premium: (site, share of the billable quantity billed from it)."""


@dataclass(frozen=True)
class FixedChoice:
    """A tier and price held fixed (what sales quoted); the price may be off the menu.
    A quote may also hold a plan (its fee and included units) and a platform fee."""

    tier: str
    price: float
    plan_fee: float | None = None
    included: float | None = None
    platform_fee: float | None = None

    def spec(self) -> str:
        """The quote as ``--fix`` takes it: ``tier@price``, ``tier@fee/included/price``
        for a plan, ``+fee`` for a platform fee.

        >>> FixedChoice("gold", 1.75, 1850, 1000, 500).spec()
        'gold@1850/1000/1.75+500'
        """
        point = f"{self.price:g}"
        if self.plan_fee is not None:
            point = f"{self.plan_fee:g}/{self.included or 0:g}/{point}"
        fee = "" if self.platform_fee is None else f"+{self.platform_fee:g}"
        return f"{self.tier}@{point}{fee}"

    def to_dict(self) -> dict[str, Any]:
        """The quote for JSON: tier and price, and the plan and platform fee it holds.

        >>> FixedChoice("gold", 1.75, 1850, 1000).to_dict()
        {'tier': 'gold', 'price': 1.75, 'plan_fee': 1850, 'included': 1000}
        """
        quote = {
            "tier": self.tier,
            "price": self.price,
            "plan_fee": self.plan_fee,
            "included": self.included,
            "platform_fee": self.platform_fee,
        }
        return {k: v for k, v in quote.items() if v is not None}


@dataclass(frozen=True)
class ShiftCount:
    """``count`` agents working the weekly shift starting at interval ``start``."""

    start: int
    hours: float
    count: int


@dataclass(frozen=True)
class RowActivity:
    """A constraint's slack and dual value (when the solver gives one)."""

    key: RowKey
    slack: float
    dual: float | None
    scale: float = 1.0
    """Size of the row's terms at the solution (sum of |coefficient x value|, at least 1):
    a slack is judged relative to it."""

    @property
    def family(self) -> str:
        """The row's family (``budget``, ``coverage``, ...)."""
        return self.key.family


@dataclass(frozen=True)
class Solution:
    """What the solver returned, in the scenario's terms."""

    status: SolveStatus
    objective: str
    objective_value: float | None
    choices: dict[str, Choice]
    agents: dict[tuple[str, str], NDArray[np.float64]]
    """Productive agents per (site, category) per interval of the week (whole numbers in
    interval mode; in shift mode what the shifts provide after shrinkage)."""
    shifts: dict[tuple[str, str], tuple[ShiftCount, ...]]
    work: dict[str, NDArray[np.float64]]
    """Deferred work handled per interval (items)."""
    rows: dict[str, RowActivity]
    """Readable constraint name -> activity."""
    solver: SolverInfo
    message: str = ""
    bound: float | None = None
    """Best bound on the objective the solver proved (None if unknown)."""
    variable_values: dict[str, float] = field(default_factory=dict)
    """Raw solver values by variable name (to warm-start a related model)."""

    def pinned(self) -> dict[str, tuple[str, float]]:
        """Category -> (tier, price) chosen: what ``build_model(choices=...)`` pins."""
        return {c: (ch.tier, ch.price) for c, ch in self.choices.items()}


@dataclass(frozen=True)
class CategoryOutcome:
    """One category of a verified result (design section 8)."""

    name: str
    tier: str
    pricing_model: str
    price: float
    revenue: float
    cost: float
    """Direct cost: agents, team leaders, overhead (or project effort); no shared costs."""
    margin: float
    fte: float
    contacts: float
    service_level: float | None
    """Contact-weighted achieved service level over the week (share within the deadline
    for deferred work); None for projects."""
    abandon_rate: float | None


@dataclass(frozen=True)
class SiteOutcome:
    """One site of a verified result."""

    name: str
    fte: float
    paid_hours: float
    cost: float


@dataclass(frozen=True)
class LimitOutcome:
    """A client or provider limit: does it bind, its slack, its shadow price."""

    key: RowKey
    binding: bool
    slack: float
    shadow_price: float | None
    relax_gain: float | None = None
    """Margin gained by relaxing the limit by 1% (re-solved), where computed."""
    units: float = 1.0
    """How far one unit of the limit moves its row(s) at the plan: a row's dual times
    this is the limit's shadow price (``Family.in_units``)."""

    @property
    def name(self) -> str:
        """The readable name (``max_cost_per_contact[billing]``)."""
        return self.key.readable

    def as_row(self) -> dict[str, Any]:
        """The table row of this limit (name first, as in the JSON output)."""
        return {
            "name": self.name,
            "binding": self.binding,
            "slack": self.slack,
            "shadow_price": self.shadow_price,
            "relax_gain": self.relax_gain,
        }


@dataclass(frozen=True)
class Totals:
    """Deal totals (design section 8); ratios are None where undefined."""

    revenue: float
    cost: float
    margin: float
    margin_pct: float | None
    markup_pct: float | None
    contacts: float
    client_cost_per_contact: float | None
    provider_cost_per_contact: float | None
    client_roi: float | None
    fte: float


TOTAL_FIELDS = (
    "revenue",
    "cost",
    "margin",
    "margin_pct",
    "markup_pct",
    "contacts",
    "client_cost_per_contact",
    "provider_cost_per_contact",
    "client_roi",
    "fte",
)
"""The totals in contract order: JSON ``totals`` (design section 8) and sweep columns."""

RISK_FIELDS = (
    "margin_mean",
    "margin_p5",
    "margin_cvar5",
    "p_margin_below_floor",
    "expected_credits",
)
"""The volume-risk figures of a plan (``risk`` of a result, sweep columns): the margin's
mean, 5th percentile and mean of the worst 5% of months, the share of months below the
floor, and the SLA credits expected per month (every category)."""


@dataclass(frozen=True)
class MonthFlow:
    """One month of the contract's cash flow (money, not averaged per month)."""

    month: int
    """1 = the contract's first month."""
    revenue: float
    cost: float
    cumulative: float
    """Revenue - cost from month 1 to this one."""


@dataclass(frozen=True)
class ContractYear:
    """One contract year: the monthly plan times its months, escalated (money)."""

    year: int
    """1 = months 1-12; the last year may be shorter."""
    revenue: float
    cost: float
    margin: float


@dataclass(frozen=True)
class Contract:
    """The contract view (design 11): years, total, NPV and the monthly cash flow."""

    years: tuple[ContractYear, ...]
    total: ContractYear
    """Over the whole contract (``year`` 0)."""
    npv: float | None
    """The cash flow discounted at the scenario's ``discount_rate``; None without one."""
    cash_flow: tuple[MonthFlow, ...]
    setup_recovered_month: int | None
    """First month whose cumulative cash flow is >= 0; None if none is."""


@dataclass(frozen=True)
class VerifiedResult:
    """A solution re-checked independently of the model that produced it."""

    scenario: str
    currency: str
    status: SolveStatus
    objective: str
    totals: Totals | None
    categories: tuple[CategoryOutcome, ...]
    sites: tuple[SiteOutcome, ...]
    constraints: tuple[LimitOutcome, ...]
    verified: bool
    worst_violation: float
    solver: SolverInfo
    diagnosis: tuple[dict[str, object], ...] = ()
    labels: tuple[str, ...] = ()
    staffing: dict[tuple[str, str], NDArray[np.float64]] = field(default_factory=dict)
    """Scheduled agents per (site, category) per interval (for reports and plots)."""
    billing: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Category -> how its revenue is billed under its contract terms (plan fee,
    included units, platform fee, minimum top-up, all-units cliff); only categories
    with terms or a plan."""
    message: str = ""
    cash_flow: tuple[MonthFlow, ...] = ()
    """Month by month over the contract, only when a project is invoiced on delivery."""
    contract: Contract | None = None
    """The contract view (years, total, NPV, cash flow) of a solved result; None
    without a plan."""
    risk_pricing: dict[str, Any] | None = None
    """Risk-aware pricing (a tier's ``confidence``, ``objective: max_expected_margin``):
    the expected margin of the plan, each confident tier's windows met, and the risk
    premium against the forecast-only plan; None otherwise."""
    risk: dict[str, float] = field(default_factory=dict)
    """The volume-risk figures of the solved plan (:data:`RISK_FIELDS`), only when
    ``compare`` or ``sweep`` simulated it (``--risk-draws``)."""

    def to_frame(self, table: str = "categories") -> Any:
        """A pandas DataFrame of one table: categories, sites, constraints, totals or staffing.

        ``staffing`` has one row per interval and a column per (site, category).
        """
        import dataclasses

        import pandas as pd

        if table == "totals":
            return pd.DataFrame([dataclasses.asdict(self.totals)] if self.totals else [])
        if table == "staffing":
            data = {f"{s}/{c}": arr for (s, c), arr in sorted(self.staffing.items())}
            return pd.DataFrame(data, index=list(self.labels) or None)
        tables: dict[str, tuple[Any, ...]] = {
            "categories": self.categories,
            "sites": self.sites,
            "constraints": self.constraints,
        }
        rows = tables.get(table)
        if rows is None:
            raise ValueError(
                f"table must be categories, sites, constraints, totals or staffing, not {table!r}"
            )
        return pd.DataFrame(
            [r.as_row() if isinstance(r, LimitOutcome) else dataclasses.asdict(r) for r in rows]
        )
