"""The parts of a scenario as frozen pydantic models that forbid unknown keys.

Each field's attribute docstring is its description in ``docs/scenario.md``.
:class:`ScenarioFields` holds a file's root fields; ``schema.Scenario`` adds validation
(overrides, variants), so the rules (``scenario.rules``) read these without a circle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from optimizer.conventions import DEFAULT_WEEKS_PER_MONTH
from optimizer.scenario.contract_terms import Escalation
from optimizer.scenario.field_types import (
    Channel,
    Currency,
    Fraction,
    Money,
    Name,
    Number,
    Objective,
    PositiveMoney,
    PricingModel,
    Shrinkage,
    Strict,
    Weight,
)
from optimizer.scenario.risk_terms import CategorySla, CategoryUncertainty, Sla, Uncertainty
from optimizer.scenario.terms import Plan, PricePoint, Terms, as_plan
from optimizer.scenario.value_terms import ProjectInvoice, Retention


class Calendar(Strict):
    interval_minutes: Literal[15, 30, 60] = 30
    """Length of one interval of the representative week, in minutes (336 intervals at 30)."""
    weeks_per_month: Annotated[float, Number("weeks_per_month")] = DEFAULT_WEEKS_PER_MONTH
    """Weeks per month: monthly figures = weekly figures x this (default 52/12 = 4.333)."""


class ShiftSettings(Strict):
    lengths_hours: Annotated[
        tuple[Annotated[float, Number("shift_hours")], ...], Field(min_length=1)
    ] = (8.0,)
    """Allowed shift lengths in paid hours (breaks are part of shrinkage); each a whole
    number of intervals, at most 24 h. Used only with ``provider.staffing: shifts``."""
    start_every_minutes: Annotated[int, Number("shift_start")] = 60
    """Shifts may start every this many minutes from Monday 00:00; a multiple of
    ``calendar.interval_minutes``."""


class Site(Strict):
    name: Name
    """Unique site name (override paths name the site by it: ``provider.sites.NAME.seats``)."""
    hourly_cost: Money
    """Loaded agent wage per paid hour (money per hour)."""
    overhead_per_hour: Money = 0.0
    """Technology, licences, seat and desktop per paid agent hour (money per hour)."""
    seats: Annotated[int, Number("seats")] | None = None
    """Most scheduled agents at once, all categories together, in any interval
    (scheduled = productive / (1 - shrinkage)); none = unlimited."""
    max_fte: Annotated[float, Number("max_fte")] | None = None
    """Most FTE this site can staff in total (paid hours / fte_hours_per_month); none =
    unlimited."""
    shrinkage: Shrinkage | None = None
    """This site's shrinkage (share of paid time not on contacts); none = the provider's."""
    categories: tuple[Name, ...] | None = None
    """Names of the categories this site may handle; none = all (one the deal lacks is
    ignored with a warning, a near miss of one is an error). Sites serving one category
    pool into one queue."""


class Provider(Strict):
    min_margin: Annotated[float, Number("min_margin")] = 0.0
    """Provider's margin floor: (revenue - cost) >= min_margin x revenue (a margin, not a
    markup)."""
    shrinkage: Shrinkage = 0.30
    """Share of paid time not available for contacts (breaks, training, absence), for
    every site without its own; scheduled agents = productive / (1 - shrinkage)."""
    max_occupancy: Fraction = 0.85
    """Cap on agent occupancy (share of on-queue time spent handling contacts); deferred
    work is handled at this occupancy."""
    supervisor_ratio: Annotated[float, Number("supervisor_ratio")] = 12.0
    """Agents per team leader: team-leader hours = paid agent hours / this."""
    supervisor_hourly_cost: Money = 0.0
    """Team leader's cost per paid hour (money per hour)."""
    fte_hours_per_month: Annotated[float, Number("fte_hours")] = 160.0
    """Paid hours of one FTE per month: FTE = paid hours / this."""
    fixed_monthly_cost: Money = 0.0
    """Fixed cost per month (network, telephony, office share); in the totals only."""
    setup_cost: Money = 0.0
    """One-off cost (recruiting, training), spread evenly over contract_months; in the
    totals only."""
    staffing: Literal["intervals", "shifts"] = "intervals"
    """How agents are planned: any integer number per interval, or whole shifts."""
    shifts: ShiftSettings = ShiftSettings()
    """Shift lengths and start grid (read only with ``staffing: shifts``)."""
    sites: Annotated[tuple[Site, ...], Field(min_length=1)]
    """The provider's sites (at least one)."""


class PriceRange(Strict):
    min: Money
    """Lowest price, in the category's price unit (see "Pricing models")."""
    max: Money
    """Highest price, at least min, in the category's price unit."""
    step: PositiveMoney | None = None
    """Spacing of the price points min, min + step, ... <= max (at most 1000 points);
    without a step the price is continuous in [min, max]."""

    def points(self) -> tuple[float, ...] | None:
        """The discrete menu of a stepped range (None when continuous).

        >>> PriceRange(min=0.9, max=1.0, step=0.05).points()
        (0.9, 0.95, 1.0)
        """
        if self.step is None:
            return None
        count = math.floor((self.max - self.min) / self.step + 1e-9)
        return tuple(round(self.min + i * self.step, 10) for i in range(count + 1))


def _price_kind(value: Any) -> str:
    # Called on raw input when validating and on model instances when dumping.
    return "<range>" if isinstance(value, Mapping | PriceRange) else "<list>"


PriceMenu = Annotated[
    Annotated[tuple[PricePoint, ...], Tag("<list>")] | Annotated[PriceRange, Tag("<range>")],
    Discriminator(_price_kind),
]


class Tier(Strict):
    name: Name
    """Tier name, unique within the category (``client.min_tier`` names it)."""
    service_level: Fraction | None = None
    """Voice and chat (required): share of offered contacts answered within
    answer_within_seconds; abandoned contacts count as failures."""
    answer_within_seconds: Annotated[float, Number("answer_within")] | None = None
    """Voice and chat (required): the answer time T of the service level, in seconds."""
    max_abandon: Fraction | None = None
    """Voice and chat with patience_seconds only (optional): cap on P(abandon)."""
    share: Fraction | None = None
    """Deferred work (required): share of items handled within ``within_hours``."""
    within_hours: Annotated[float, Number("within_hours")] | None = None
    """Deferred work (required): deadline in clock hours, closed hours included."""
    prices: PriceMenu
    """The price menu, in the category's price unit: a list of price points (a price, or
    a plan ``{fee, included, unit_price}``), or a range ``{min, max, step}`` (no step: a
    continuous price)."""
    value_per_contact: Money | None = None
    """The client's value of one contact handled at this tier (money; for ROI): better
    service, more value; none = the category's ``value_per_contact``."""
    confidence: Annotated[float, Number("confidence")] | None = None
    """Voice and chat: staff the tier so that it meets its ``sla.window`` in at least this
    share of simulated months' windows, not only at the forecast (docs/risk.md)."""

    def price_points(self) -> tuple[float, ...] | None:
        """The discrete menu's unit prices, or None for a continuous range."""
        if isinstance(self.prices, PriceRange):
            return self.prices.points()
        return tuple(p.unit_price if isinstance(p, Plan) else p for p in self.prices)

    def plans(self) -> tuple[Plan, ...] | None:
        """The discrete menu as plans (a plain price p is ``Plan(0, 0, p)``), or None for
        a continuous range."""
        if isinstance(self.prices, PriceRange):
            points = self.prices.points()
            return None if points is None else tuple(as_plan(p) for p in points)
        return tuple(as_plan(p) for p in self.prices)

    def price_bounds(self) -> tuple[float, float]:
        """Lowest and highest unit price on the menu."""
        points = self.price_points()
        if points is None:
            assert isinstance(self.prices, PriceRange)
            return self.prices.min, self.prices.max
        return min(points), max(points)


class CsvProfile(Strict):
    csv: Name
    """CSV file, relative to the scenario file's folder (may not climb out of it) or
    absolute; see "CSV profiles"."""
    column: Name
    """Header (first line) of the column that holds the weights."""


class DayIntraday(Strict):
    days: Annotated[tuple[Weight, ...], Field(min_length=7, max_length=7)]
    """Seven relative day weights, Monday to Sunday."""
    intraday: Annotated[tuple[Weight, ...], Field(min_length=1)]
    """Relative weights of one day: one per interval of a day, or 24 (one per hour);
    weight of an interval = day weight x intraday weight."""


def _profile_kind(value: Any) -> str:
    if isinstance(value, str):
        return "<name>"
    if isinstance(value, CsvProfile):
        return "<csv>"
    if isinstance(value, DayIntraday):
        return "<days>"
    if isinstance(value, Mapping):
        return "<csv>" if "csv" in value else "<days>"
    return "<weights>"


ProfileSpec = Annotated[
    Annotated[str, Tag("<name>")]
    | Annotated[tuple[Weight, ...], Tag("<weights>")]
    | Annotated[CsvProfile, Tag("<csv>")]
    | Annotated[DayIntraday, Tag("<days>")],
    Discriminator(_profile_kind),
]


class Category(Strict):
    @model_validator(mode="before")
    @classmethod
    def _premium_defaults_to_zero(cls, data: Any) -> Any:
        """A benchmark price without ``max_premium`` caps the price at the benchmark.

        Filled in here, so the model, the verifier and the diagnosis all read 0.
        """
        if (
            isinstance(data, Mapping)
            and data.get("benchmark_price") is not None
            and data.get("max_premium") is None
        ):
            return {**data, "max_premium": 0.0}
        return data

    name: Name
    """Unique category name (override paths and ``client.min_tier`` name it)."""
    channel: Channel
    """How the work arrives and is staffed (see "Channels")."""
    contacts_per_month: Annotated[float, Number("contacts")] | None = None
    """Offered contacts (calls, chats, items) per month; required except for project."""
    aht_seconds: Annotated[float, Number("aht")] | None = None
    """Average handle time (talk plus wrap-up), in seconds; required except for project."""
    patience_seconds: Annotated[float, Number("patience")] | None = None
    """Voice and chat only: mean patience before abandoning, in seconds; given, the
    queue is Erlang A instead of Erlang C."""
    concurrency: Annotated[float, Number("concurrency")] = 1.0
    """Chat: effective simultaneous chats per agent (agents = ceil(slots / this))."""
    profile: ProfileSpec = "business_hours"
    """How the weekly volume spreads over the week: a built-in name, a list of weights,
    ``{days, intraday}`` or ``{csv, column}`` (see "Profiles")."""
    open_hours: dict[str, str] | None = None
    """Days to hours, e.g. ``{mon-fri: "08:00-20:00"}`` (see "Opening hours"); closed
    intervals get no volume and no agents. None: open all week (the profile decides)."""
    value_per_contact: Money = 0.0
    """The client's value of one handled contact (money; for ROI)."""
    value_per_resolution: Money = 0.0
    """The client's value of one resolution, handled x resolution_rate (money; for ROI)."""
    pricing: PricingModel
    """What the client pays for (see "Pricing models"); project work: fixed_fee, per_unit
    or per_hour."""
    benchmark_price: PositiveMoney | None = None
    """A competitor's price, in the category's price unit; caps the price with
    max_premium."""
    max_premium: Annotated[float, Number("max_premium")] | None = None
    """Price <= benchmark_price x (1 + max_premium); 0 when a benchmark is given alone.
    Needs benchmark_price."""
    max_cost_per_contact: PositiveMoney | None = None
    """Client limit for this category: spend per handled contact (money per contact)."""
    resolution_rate: Fraction | None = None
    """Share of handled contacts resolved; required for per_resolution pricing."""
    conversion_rate: Fraction | None = None
    """Share of handled contacts that make a sale; required for revenue_share pricing."""
    value_per_sale: Money | None = None
    """Sales value of one sale (money); required for revenue_share pricing."""
    sales_are_value: bool | None = None
    """Revenue share only: the sales the channel brings (handled x conversion_rate x
    value_per_sale) count as the client's value (ROI) unless this is false."""
    retention: Retention | None = None
    """The churn a tier avoids, as the client's value (see "Value of service")."""
    effort_hours: Annotated[float, Number("effort_hours")] | None = None
    """Project: specialist hours over the whole contract (required unless
    effort_hours_per_unit is given)."""
    units: Annotated[float, Number("units")] | None = None
    """Project: units of work over the contract (12 interviews); required for per_unit."""
    effort_hours_per_unit: Annotated[float, Number("effort_hours")] | None = None
    """Project: specialist hours per unit (effort = units x this, instead of effort_hours)."""
    specialist_hourly_cost: Money | None = None
    """Project (required): specialist cost per hour (money per hour)."""
    invoice: ProjectInvoice | None = None
    """Project: invoice the whole fee in one month (none = spread over the contract)."""
    tiers: Annotated[tuple[Tier, ...], Field(min_length=1)]
    """Service tiers the client can buy, from the lowest service to the highest."""
    terms: Terms = Terms()
    """Contract terms: volume bands, a minimum, a platform fee, whole billed units, a
    margin floor, the competitor band's lower side (see "Contract terms")."""
    uncertainty: CategoryUncertainty | None = None
    """tierprice risk: this category's own volume or handle-time variation."""
    sla: CategorySla | None = None
    """tierprice risk: this category's own SLA window and credits."""

    def tier(self, name: str) -> Tier:
        """The tier called ``name``."""
        return next(t for t in self.tiers if t.name == name)

    def project_hours(self) -> float:
        """Specialist hours over the contract: effort_hours, or units x
        effort_hours_per_unit (0 for work that is not a project)."""
        if self.effort_hours_per_unit is not None:
            return (self.units or 0.0) * self.effort_hours_per_unit
        return self.effort_hours or 0.0

    @property
    def is_project(self) -> bool:
        """Project work has no contacts and no intervals."""
        return self.channel == "project"


class Client(Strict):
    budget_per_month: PositiveMoney | None = None
    """Most the client spends per month on the whole deal (money per month); none = no
    cap."""
    max_cost_per_contact: PositiveMoney | None = None
    """Spend on contact categories per handled contact, blended over all non-project
    categories (money per contact); none = no cap."""
    min_roi: Annotated[float, Number("min_roi")] | None = None
    """Client ROI floor: value >= (1 + min_roi) x spend; none = no floor."""
    min_tier: dict[Name, Name] = {}  # noqa: RUF012 (a pydantic default: copied per model)
    """Category name -> the lowest tier the client accepts ("at least this tier")."""


class ScenarioFields(Strict):
    """The root fields of a scenario file, and look-ups over them."""

    scenario: Name
    """The deal's name, shown in every report."""
    currency: Currency = "EUR"
    """Currency of every money figure (a label; nothing is converted)."""
    contract_months: Annotated[int, Number("contract_months")] = 12
    """Contract length: set-up cost and project fees and costs are spread over it."""
    escalation: Escalation | None = None
    """Yearly wage and price escalation of the contract view (result ``contract``);
    none = flat. The model optimises the first year's monthly margin."""
    discount_rate: Annotated[float, Number("discount_rate")] | None = None
    """Yearly rate the contract view's NPV discounts the monthly cash flow at; none =
    no NPV."""
    objective: Objective = "max_margin"
    """max_margin: the best margin; min_price: the client's lowest spend, every limit kept
    (the keenest bid); max_expected_margin: the best mean margin of simulated months."""
    calendar: Calendar = Calendar()
    """The representative week."""
    provider: Provider
    """The provider's costs, limits and sites."""
    categories: Annotated[tuple[Category, ...], Field(min_length=1)]
    """The work the client buys, one entry per category (at least one)."""
    client: Client = Client()
    """The client's limits."""
    uncertainty: Uncertainty | None = None
    """tierprice risk: how a month varies around the forecast (none = the defaults)."""
    sla: Sla | None = None
    """tierprice risk: how the client measures the tiers, and SLA credits (none = the
    defaults)."""
    variants: dict[Name, dict[str, Any]] = {}  # noqa: RUF012 (a pydantic default: copied)
    """Named what-ifs: name -> {path: value}; paths name list items by their name
    (see "Variants and override paths")."""

    def category(self, name: str) -> Category:
        """The category called ``name``."""
        return next(c for c in self.categories if c.name == name)

    def site(self, name: str) -> Site:
        """The site called ``name``."""
        return next(s for s in self.provider.sites if s.name == name)

    def site_shrinkage(self, site: Site) -> float:
        """A site's own shrinkage, else the provider's."""
        return self.provider.shrinkage if site.shrinkage is None else site.shrinkage

    def productive_share(self, site: Site) -> float:
        """The share of a site's paid agent hours that is productive: 1 - shrinkage."""
        return 1.0 - self.site_shrinkage(site)

    def sites_for(self, category: str) -> tuple[Site, ...]:
        """Sites allowed to handle ``category``."""
        return tuple(
            s for s in self.provider.sites if s.categories is None or category in s.categories
        )

    def raw(self) -> dict[str, Any]:
        """A plain mapping (lists, not tuples) that validates back to this scenario."""
        return _thaw(self.model_dump(mode="python", exclude_none=True, by_alias=True))


def _thaw(value: Any) -> Any:
    """Tuples -> lists, recursively, so override paths can index and set list items."""
    if isinstance(value, dict):
        return {key: _thaw(item) for key, item in value.items()}
    return [_thaw(item) for item in value] if isinstance(value, list | tuple) else value
