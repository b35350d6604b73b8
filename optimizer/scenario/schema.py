"""The validated scenario: one deal, as frozen pydantic models that forbid unknown keys.

A ``Scenario`` is built only through :func:`validate_scenario` (or
``optimizer.scenario.loader.load_scenario`` for files), which gathers *every* problem of a
raw mapping into one :class:`~optimizer.errors.ScenarioError` — pydantic's own
field errors first, then the cross-field checks of :mod:`optimizer.scenario.rules`.
Code after this point trusts the scenario and does not re-validate it.

>>> s = validate_scenario(example_raw())
>>> [c.name for c in s.categories]
['calls', 'mail']
>>> bigger = s.with_overrides({"categories.calls.contacts_per_month": 11000})
>>> bigger.category("calls").contacts_per_month
11000.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Tag,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from optimizer.conventions import DEFAULT_WEEKS_PER_MONTH
from optimizer.errors import MISSING, Issue, ScenarioError

Channel = Literal["voice", "chat", "deferred", "project"]
PricingModel = Literal[
    "per_contact",
    "per_minute",
    "per_productive_hour",
    "per_fte_month",
    "per_resolution",
    "revenue_share",
    "fixed_fee",
]
Objective = Literal["max_margin", "min_price"]

# ------------------------------------------------------------------ ranges
# Every number of a scenario has a documented range: this table is the one place
# they are defined (README "Ranges of numbers" lists it; tests keep the two equal).


@dataclass(frozen=True)
class Range:
    """The accepted values of one kind of number, and its unit."""

    low: float
    high: float
    unit: str
    low_open: bool = False
    """``low`` itself is not allowed."""
    high_open: bool = False
    """``high`` itself is not allowed."""

    def text(self) -> str:
        """Interval notation: ``[1, 86,400]``, ``(0, 1]``.

        >>> RANGES["aht"].text()
        '[1, 86,400]'
        """
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{_num(self.low)}, {_num(self.high)}{right}"

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range."""
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


def _num(value: float) -> str:
    if value >= 1e7:
        return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


RANGES: dict[str, Range] = {
    "contacts": Range(0, 1e9, "contacts per month"),
    "aht": Range(1, 86_400, "seconds"),
    "patience": Range(1, 86_400, "seconds"),
    "answer_within": Range(0, 86_400, "seconds", low_open=True),
    "within_hours": Range(0, 168, "hours (at most the representative week)", low_open=True),
    "effort_hours": Range(0, 1e7, "hours"),
    "money": Range(0, 1e12, "money in the scenario's currency"),
    "money_positive": Range(0, 1e12, "money in the scenario's currency", low_open=True),
    "fraction": Range(0, 1, "a share", low_open=True),
    "shrinkage": Range(0, 1, "a share", high_open=True),
    "min_margin": Range(-1, 1, "a margin, (revenue - cost) / revenue", high_open=True),
    "max_premium": Range(-1, 10, "a fraction above the benchmark price"),
    "min_roi": Range(-1, 1000, "value / spend - 1"),
    "seats": Range(0, 1e6, "scheduled agents"),
    "max_fte": Range(0, 1e6, "FTE"),
    "supervisor_ratio": Range(1, 1000, "agents per team leader"),
    "fte_hours": Range(1, 744, "paid hours per FTE and month"),
    "weeks_per_month": Range(1, 5, "weeks"),
    "concurrency": Range(1, 100, "chats per agent"),
    "shift_hours": Range(0, 24, "hours", low_open=True),
    "shift_start": Range(1, 1440, "minutes"),
    "contract_months": Range(1, 240, "months"),
    "weight": Range(0, 1e12, "relative weight"),
}
"""Accepted range of each kind of number in a scenario (bounds and unit)."""

TINY = 1e-6
"""Non-zero magnitudes below this are refused everywhere (no field means anything
that small, and subnormal numbers make the arithmetic silently wrong)."""


@dataclass(frozen=True)
class Number:
    """Schema marker of a number field: a real number (not a boolean, not text) in
    ``RANGES[kind]``, zero or at least :data:`TINY` in magnitude.

    The range is also written into the JSON schema (``minimum``, ``maximum``,
    ``unit``), where the generated field reference reads it.
    """

    kind: str
    allow_tiny: bool = False
    """Relative weights may be tiny (normalising scales them by the largest first)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(
            self.plain, core_schema.no_info_after_validator_function(self.check, handler(source))
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        bounds = RANGES[self.kind]
        out["exclusiveMinimum" if bounds.low_open else "minimum"] = bounds.low
        out["exclusiveMaximum" if bounds.high_open else "maximum"] = bounds.high
        out["unit"] = bounds.unit
        return out

    def plain(self, value: Any) -> Any:
        """Refuse booleans, text, and integers too large for a float, before parsing."""
        value = _plain_number(value)
        if isinstance(value, int) and value.bit_length() > 1000:  # past 1e300
            return self.check(math.inf if value > 0 else -math.inf)
        return value

    def check(self, value: float) -> float:
        """The value, or a PydanticCustomError naming the range."""
        bounds = RANGES[self.kind]
        if bounds.contains(value) and 0 < abs(value) < TINY and not self.allow_tiny:
            raise PydanticCustomError(
                "too_tiny",
                "0 or a number of magnitude at least {tiny} ({unit})",
                {"tiny": f"{TINY:g}", "unit": bounds.unit},
            )
        if not bounds.contains(value):
            raise PydanticCustomError(
                "out_of_range",
                "a number in {range} ({unit})",
                {"range": bounds.text(), "unit": bounds.unit},
            )
        return value


def _plain_number(value: Any) -> Any:
    """Refuse booleans and text where a number is expected (YAML ``true``, ``"300"``)."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_not_bool", "a number, not true/false")
    if isinstance(value, str | bytes):
        raise PydanticCustomError("number_not_text", "a number, not text")
    return value


def _printable(text: str) -> str:
    if not text.isprintable():
        raise PydanticCustomError("control_character", "text without control characters")
    return text


Name = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_printable)]
Money = Annotated[float, Number("money")]
PositiveMoney = Annotated[float, Number("money_positive")]
Fraction = Annotated[float, Number("fraction")]
Shrinkage = Annotated[float, Number("shrinkage")]
Weight = Annotated[float, Number("weight", allow_tiny=True)]


class Strict(BaseModel):
    """Base of every scenario model: frozen, unknown keys forbidden, no NaN/inf."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )


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
    """Names of the categories this site may handle; none = all. Sites serving one
    category pool into one queue."""


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
    Annotated[tuple[Money, ...], Tag("<list>")] | Annotated[PriceRange, Tag("<range>")],
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
    """The price menu, in the category's price unit: a list of price points, or a range
    ``{min, max, step}`` (no step: a continuous price)."""

    def price_points(self) -> tuple[float, ...] | None:
        """The discrete price menu, or None for a continuous range."""
        if isinstance(self.prices, PriceRange):
            return self.prices.points()
        return self.prices

    def price_bounds(self) -> tuple[float, float]:
        """Lowest and highest price on the menu."""
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
    """What the client pays for (see "Pricing models"); project work: fixed_fee only."""
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
    effort_hours: Annotated[float, Number("effort_hours")] | None = None
    """Project (required): specialist hours over the whole contract."""
    specialist_hourly_cost: Money | None = None
    """Project (required): specialist cost per hour (money per hour)."""
    tiers: Annotated[tuple[Tier, ...], Field(min_length=1)]
    """Service tiers the client can buy, from the lowest service to the highest."""

    def tier(self, name: str) -> Tier:
        """The tier called ``name``."""
        return next(t for t in self.tiers if t.name == name)

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
    min_tier: dict[Name, Name] = {}
    """Category name -> the lowest tier the client accepts ("at least this tier")."""


class Scenario(Strict):
    scenario: Name
    """The deal's name, shown in every report."""
    currency: Annotated[str, Field(min_length=1, max_length=8), AfterValidator(_printable)] = "EUR"
    """Currency of every money figure (a label; nothing is converted)."""
    contract_months: Annotated[int, Number("contract_months")] = 12
    """Contract length: set-up cost and project fees and costs are spread over it."""
    objective: Objective = "max_margin"
    """max_margin: the provider's best margin; min_price: the client's lowest spend
    with every limit kept (the most competitive bid)."""
    calendar: Calendar = Calendar()
    """The representative week."""
    provider: Provider
    """The provider's costs, limits and sites."""
    categories: Annotated[tuple[Category, ...], Field(min_length=1)]
    """The work the client buys, one entry per category (at least one)."""
    client: Client = Client()
    """The client's limits."""
    variants: dict[Name, dict[str, Any]] = {}
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

    def sites_for(self, category: str) -> tuple[Site, ...]:
        """Sites allowed to handle ``category``."""
        return tuple(
            s for s in self.provider.sites if s.categories is None or category in s.categories
        )

    def raw(self) -> dict[str, Any]:
        """A plain mapping (lists, not tuples) that validates back to this scenario."""
        return _thaw(self.model_dump(mode="python", exclude_none=True))

    def with_overrides(self, overrides: Mapping[str, Any], source: str = "<override>") -> Scenario:
        """A re-validated copy with ``{path: value}`` applied (paths as in variants)."""
        from optimizer.scenario.overrides import apply_overrides

        raw, issues = apply_overrides(self.raw(), overrides, source)
        if issues:
            raise ScenarioError(issues)
        return validate_scenario(raw, source)

    def variant(self, name: str, source: str = "<scenario>") -> Scenario:
        """The named variant of this scenario, re-validated."""
        if name not in self.variants:
            known = ", ".join(sorted(self.variants)) or "none defined"
            raise ScenarioError([Issue(source, "variant", name, f"one of: {known}")])
        base = self.model_copy(update={"variants": {}})
        changed = base.with_overrides(self.variants[name], source)
        return changed.model_copy(update={"scenario": f"{self.scenario} [{name}]"})


def range_fields() -> dict[str, list[str]]:
    """Per kind of :data:`RANGES`, the fields that take it (``Site.seats``, ...).

    >>> range_fields()["aht"]
    ['Category.aht_seconds']
    """
    found: dict[str, list[str]] = {kind: [] for kind in RANGES}
    models: list[type[BaseModel]] = [Scenario]
    seen: set[type[BaseModel]] = set()
    while models:
        model = models.pop(0)
        if model in seen:
            continue
        seen.add(model)
        for field, info in model.model_fields.items():
            for kind in _number_kinds(info.annotation, info.metadata):
                found[kind].append(f"{model.__name__}.{field}")
            models += _all_models(info.annotation)
    return found


def _number_kinds(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> list[str]:
    kinds = [m.kind for m in metadata if isinstance(m, Number)]
    for arg in getattr(annotation, "__args__", ()) + getattr(annotation, "__metadata__", ()):
        if isinstance(arg, Number):
            kinds.append(arg.kind)
        elif not isinstance(arg, type) or not issubclass(arg, BaseModel):
            kinds += _number_kinds(arg)
    return list(dict.fromkeys(kinds))


def _all_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) + getattr(annotation, "__metadata__", ()):
        out += _all_models(arg)
    return out


def _thaw(value: Any) -> Any:
    """Tuples -> lists, recursively, so override paths can index and set list items."""
    if isinstance(value, dict):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(item) for item in value]
    return value


def validate_scenario(raw: Any, source: str = "<scenario>") -> Scenario:
    """Validate a raw mapping into a :class:`Scenario`, or raise every problem at once."""
    from optimizer.scenario.rules import cross_checks

    if not isinstance(raw, Mapping):
        kind = "empty file" if raw is None else type(raw).__name__
        raise ScenarioError([Issue(source, "", kind, "a mapping of scenario fields")])
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(pydantic_issues(exc, source)) from None
    issues = cross_checks(scenario, source)
    if issues:
        raise ScenarioError(issues)
    return scenario


def format_path(loc: tuple[int | str, ...]) -> str:
    """``('categories', 2, 'tiers', 1, 'x')`` -> ``categories[2].tiers[1].x``.

    Discriminator tags (``<list>``, ``<range>``, ...) are dropped.

    >>> format_path(("categories", 2, "<list>", "tiers", 1, "service_level"))
    'categories[2].tiers[1].service_level'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith("<"):
            out += f".{part}" if out else part
    return out


_EXPECTED = {
    "extra_forbidden": "no such field (check the spelling)",
    "missing": "a value (this field is required)",
    "finite_number": "a finite number",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
}

_CONTEXT_EXPECTED = {
    "too_short": "a list of at least {min_length} {items}",
    "too_long": "a list of at most {max_length} items",
    "string_too_short": "text of at least {min_length} character(s)",
    "string_too_long": "text of at most {max_length} characters",
    "greater_than": "a number > {gt}",
    "greater_than_equal": "a number >= {ge}",
    "less_than": "a number < {lt}",
    "less_than_equal": "a number <= {le}",
    "literal_error": "one of {expected}",
}

_KEY = "[key]"
"""pydantic's location marker for a mapping key (as opposed to its value)."""


def pydantic_issues(exc: ValidationError, source: str) -> list[Issue]:
    """One :class:`Issue` per pydantic error, with our path format and wording."""
    issues = []
    errors = exc.errors(include_url=False)
    failed = [tuple(e["loc"]) for e in errors]
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in failed
        ):
            continue  # a list whose items failed is not also "too short"
        kind = err["type"]
        value = MISSING if kind == "missing" else _brief_value(err.get("input"))
        expected = _expected(err)
        if kind == "extra_forbidden":
            expected = _unknown_key_expected(loc)
        if _KEY in loc:  # a bad key of a mapping: name the mapping, show the key
            loc = loc[: loc.index(_KEY) - 1]
            expected = f"keys that are {expected}"
        issues.append(Issue(source, format_path(loc), value, expected))
    return _one_per_list(issues)


def _one_per_list(issues: list[Issue]) -> list[Issue]:
    """Items of one list failing the same way are one problem (the first, and a count).

    >>> bad = [Issue("f", f"profile[{i}]", 1e308, "a number") for i in range(3)]
    >>> [str(i) for i in _one_per_list(bad)]
    ['f: profile[0] = 1e+308: expected a number (2 more items of this list too)']
    """
    groups: dict[tuple[str, str, int], list[Issue]] = {}
    for n, issue in enumerate(issues):
        head, bracket, tail = issue.path.rpartition("[")
        listed = bracket and tail.endswith("]") and tail[:-1].isdigit()
        key = (head, issue.expected, -1) if listed else (issue.path, issue.expected, n)
        groups.setdefault(key, []).append(issue)
    out = []
    for group in groups.values():
        first = group[0]
        if len(group) > 1:
            more = f"{first.expected} ({len(group) - 1} more items of this list too)"
            first = Issue(first.file, first.path, first.value, more)
        out.append(first)
    return out


def _expected(err: Any) -> str:
    """What was expected, in our words (pydantic's phrasing never reaches the user)."""
    kind = err["type"]
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    template = _CONTEXT_EXPECTED.get(kind)
    context = err.get("ctx") or {}
    if template is not None:
        try:
            items = "item" if context.get("min_length") == 1 else "items"
            return template.format(items=items, **context)
        except (KeyError, IndexError):
            pass
    return _strip_input_should(err["msg"])


def _brief_value(value: Any) -> Any:
    """A huge integer shown by its size (its repr may be refused or fill the screen)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"<an integer of about {digits} digits>"
    return value


def _strip_input_should(msg: str) -> str:
    prefix = "Input should be "
    return msg[len(prefix) :] if msg.startswith(prefix) else msg


def _unknown_key_expected(loc: tuple[int | str, ...]) -> str:
    """Name the allowed fields (and the closest one) for an unknown key."""
    import difflib

    model: type[BaseModel] | None = Scenario
    for part in loc[:-1]:
        if isinstance(part, int) or part.startswith("<") or model is None:
            continue
        model = _submodel(model, part)
    if model is None:
        return _EXPECTED["extra_forbidden"]
    allowed = sorted(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"a known field ({hint}allowed: {', '.join(allowed)})"


def submodel(model: type[BaseModel], field: str) -> type[BaseModel] | None:
    """The model a field holds (or holds a list of), None for free mappings and leaves.

    >>> submodel(Scenario, "categories").__name__
    'Category'
    """
    return _submodel(model, field)


def _submodel(model: type[BaseModel], field: str) -> type[BaseModel] | None:
    info = model.model_fields.get(field)
    if info is None:
        return None
    return _find_model(info.annotation)


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) + getattr(annotation, "__metadata__", ()):
        found = _find_model(arg)
        if found is not None:
            return found
    return None


def example_raw() -> dict[str, Any]:
    """A tiny valid scenario as a raw mapping (used in doctests and tests)."""
    return {
        "scenario": "example",
        "provider": {"sites": [{"name": "home", "hourly_cost": 20.0, "seats": 50}]},
        "categories": [
            {
                "name": "calls",
                "channel": "voice",
                "contacts_per_month": 10000,
                "aht_seconds": 300,
                "pricing": "per_contact",
                "tiers": [
                    {
                        "name": "std",
                        "service_level": 0.8,
                        "answer_within_seconds": 20,
                        "prices": [3.0, 3.5],
                    },
                ],
            },
            {
                "name": "mail",
                "channel": "deferred",
                "contacts_per_month": 2000,
                "aht_seconds": 400,
                "pricing": "per_contact",
                "tiers": [{"name": "std", "share": 0.9, "within_hours": 24, "prices": [2.5]}],
            },
        ],
    }
