"""The validated scenario: one deal, as frozen pydantic models that forbid unknown keys.

A ``Scenario`` is built only through :func:`validate_scenario` (or
``optimizer.loader.load_scenario`` for files), which gathers *every* problem of a
raw mapping into one :class:`~optimizer.errors.ScenarioError` — pydantic's own
field errors first, then the cross-field checks of :mod:`optimizer.checks`.
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
    """Length of one interval of the representative week."""
    weeks_per_month: Annotated[float, Number("weeks_per_month")] = DEFAULT_WEEKS_PER_MONTH
    """Monthly figures = weekly figures x this (default 52/12)."""


class ShiftSettings(Strict):
    lengths_hours: Annotated[
        tuple[Annotated[float, Number("shift_hours")], ...], Field(min_length=1)
    ] = (8.0,)
    """Allowed shift lengths (paid hours, breaks are part of shrinkage)."""
    start_every_minutes: Annotated[int, Number("shift_start")] = 60
    """Shift start grid; a multiple of the interval length."""


class Site(Strict):
    name: Name
    hourly_cost: Money
    """Loaded agent wage per paid hour."""
    overhead_per_hour: Money = 0.0
    """Technology, licences, seat and desktop per paid agent hour."""
    seats: Annotated[int, Number("seats")] | None = None
    """Scheduled agents at once (all categories); none = unlimited."""
    max_fte: Annotated[float, Number("max_fte")] | None = None
    """Total FTE this site can staff; none = unlimited."""
    shrinkage: Shrinkage | None = None
    """Overrides the provider's shrinkage for this site."""
    categories: tuple[Name, ...] | None = None
    """Categories this site may handle; none = all."""


class Provider(Strict):
    min_margin: Annotated[float, Number("min_margin")] = 0.0
    """Margin floor: (revenue - cost) >= min_margin x revenue."""
    shrinkage: Shrinkage = 0.30
    max_occupancy: Fraction = 0.85
    supervisor_ratio: Annotated[float, Number("supervisor_ratio")] = 12.0
    """Agents per team leader."""
    supervisor_hourly_cost: Money = 0.0
    fte_hours_per_month: Annotated[float, Number("fte_hours")] = 160.0
    fixed_monthly_cost: Money = 0.0
    setup_cost: Money = 0.0
    """One-off cost, spread over contract_months."""
    staffing: Literal["intervals", "shifts"] = "intervals"
    shifts: ShiftSettings = ShiftSettings()
    sites: Annotated[tuple[Site, ...], Field(min_length=1)]


class PriceRange(Strict):
    min: Money
    max: Money
    step: PositiveMoney | None = None
    """Without a step the price is continuous in [min, max]."""

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
    service_level: Fraction | None = None
    """Voice and chat: share of offered contacts answered within the time."""
    answer_within_seconds: Annotated[float, Number("answer_within")] | None = None
    max_abandon: Fraction | None = None
    """Voice with patience: cap on P(abandon)."""
    share: Fraction | None = None
    """Deferred work: share handled within ``within_hours``."""
    within_hours: Annotated[float, Number("within_hours")] | None = None
    prices: PriceMenu
    """A list of price points or a range {min, max, step}."""

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
    """CSV file, relative to the scenario file."""
    column: Name


class DayIntraday(Strict):
    days: Annotated[tuple[Weight, ...], Field(min_length=7, max_length=7)]
    intraday: Annotated[tuple[Weight, ...], Field(min_length=1)]


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
    channel: Channel
    contacts_per_month: Annotated[float, Number("contacts")] | None = None
    aht_seconds: Annotated[float, Number("aht")] | None = None
    """Handle time: talk plus wrap-up."""
    patience_seconds: Annotated[float, Number("patience")] | None = None
    """Mean patience: Erlang A instead of Erlang C."""
    concurrency: Annotated[float, Number("concurrency")] = 1.0
    """Chat: effective simultaneous chats per agent."""
    profile: ProfileSpec = "business_hours"
    open_hours: dict[str, str] | None = None
    value_per_contact: Money = 0.0
    value_per_resolution: Money = 0.0
    pricing: PricingModel
    benchmark_price: PositiveMoney | None = None
    max_premium: Annotated[float, Number("max_premium")] | None = None
    """Price <= benchmark_price x (1 + max_premium); 0 when a benchmark is given alone."""
    max_cost_per_contact: PositiveMoney | None = None
    """Client limit for this category: spend per handled contact."""
    resolution_rate: Fraction | None = None
    conversion_rate: Fraction | None = None
    value_per_sale: Money | None = None
    effort_hours: Annotated[float, Number("effort_hours")] | None = None
    specialist_hourly_cost: Money | None = None
    tiers: Annotated[tuple[Tier, ...], Field(min_length=1)]
    """From the lowest service to the highest."""

    def tier(self, name: str) -> Tier:
        """The tier called ``name``."""
        return next(t for t in self.tiers if t.name == name)

    @property
    def is_project(self) -> bool:
        """Project work has no contacts and no intervals."""
        return self.channel == "project"


class Client(Strict):
    budget_per_month: PositiveMoney | None = None
    max_cost_per_contact: PositiveMoney | None = None
    """Blended over handled contacts of all non-project categories."""
    min_roi: Annotated[float, Number("min_roi")] | None = None
    """Value >= (1 + min_roi) x spend."""
    min_tier: dict[Name, Name] = {}


class Scenario(Strict):
    scenario: Name
    currency: Annotated[str, Field(min_length=1, max_length=8), AfterValidator(_printable)] = "EUR"
    contract_months: Annotated[int, Number("contract_months")] = 12
    objective: Objective = "max_margin"
    calendar: Calendar = Calendar()
    provider: Provider
    categories: Annotated[tuple[Category, ...], Field(min_length=1)]
    client: Client = Client()
    variants: dict[Name, dict[str, Any]] = {}
    """Named what-ifs: {path: value}; paths name list items by their name."""

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
        from optimizer.overrides import apply_overrides

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
    from optimizer.checks import cross_checks

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
