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
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError

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

Name = Annotated[str, Field(min_length=1, max_length=80)]
NonNeg = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Fraction = Annotated[float, Field(gt=0, le=1)]
Shrinkage = Annotated[float, Field(ge=0, lt=1)]


class Strict(BaseModel):
    """Base of every scenario model: frozen, unknown keys forbidden, no NaN/inf."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )


class Calendar(Strict):
    interval_minutes: Literal[15, 30, 60] = 30
    """Length of one interval of the representative week."""
    weeks_per_month: Positive = DEFAULT_WEEKS_PER_MONTH
    """Monthly figures = weekly figures x this (default 52/12)."""


class ShiftSettings(Strict):
    lengths_hours: Annotated[tuple[Positive, ...], Field(min_length=1)] = (8.0,)
    """Allowed shift lengths (paid hours, breaks are part of shrinkage)."""
    start_every_minutes: Annotated[int, Field(gt=0)] = 60
    """Shift start grid; a multiple of the interval length."""


class Site(Strict):
    name: Name
    hourly_cost: NonNeg
    """Loaded agent wage per paid hour."""
    overhead_per_hour: NonNeg = 0.0
    """Technology, licences, seat and desktop per paid agent hour."""
    seats: Annotated[int, Field(ge=0)] | None = None
    """Scheduled agents at once (all categories); none = unlimited."""
    max_fte: NonNeg | None = None
    """Total FTE this site can staff; none = unlimited."""
    shrinkage: Shrinkage | None = None
    """Overrides the provider's shrinkage for this site."""
    categories: tuple[Name, ...] | None = None
    """Categories this site may handle; none = all."""


class Provider(Strict):
    min_margin: Annotated[float, Field(lt=1)] = 0.0
    """Margin floor: (revenue - cost) >= min_margin x revenue."""
    shrinkage: Shrinkage = 0.30
    max_occupancy: Fraction = 0.85
    supervisor_ratio: Positive = 12.0
    """Agents per team leader."""
    supervisor_hourly_cost: NonNeg = 0.0
    fte_hours_per_month: Positive = 160.0
    fixed_monthly_cost: NonNeg = 0.0
    setup_cost: NonNeg = 0.0
    """One-off cost, spread over contract_months."""
    staffing: Literal["intervals", "shifts"] = "intervals"
    shifts: ShiftSettings = ShiftSettings()
    sites: Annotated[tuple[Site, ...], Field(min_length=1)]


class PriceRange(Strict):
    min: NonNeg
    max: NonNeg
    step: Positive | None = None
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
    Annotated[tuple[NonNeg, ...], Tag("<list>")] | Annotated[PriceRange, Tag("<range>")],
    Discriminator(_price_kind),
]


class Tier(Strict):
    name: Name
    service_level: Fraction | None = None
    """Voice and chat: share of offered contacts answered within the time."""
    answer_within_seconds: Positive | None = None
    max_abandon: Fraction | None = None
    """Voice with patience: cap on P(abandon)."""
    share: Fraction | None = None
    """Deferred work: share handled within ``within_hours``."""
    within_hours: Positive | None = None
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
    days: Annotated[tuple[NonNeg, ...], Field(min_length=7, max_length=7)]
    intraday: Annotated[tuple[NonNeg, ...], Field(min_length=1)]


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
    | Annotated[tuple[NonNeg, ...], Tag("<weights>")]
    | Annotated[CsvProfile, Tag("<csv>")]
    | Annotated[DayIntraday, Tag("<days>")],
    Discriminator(_profile_kind),
]


class Category(Strict):
    name: Name
    channel: Channel
    contacts_per_month: NonNeg | None = None
    aht_seconds: Positive | None = None
    """Handle time: talk plus wrap-up."""
    patience_seconds: Positive | None = None
    """Mean patience: Erlang A instead of Erlang C."""
    concurrency: Annotated[float, Field(ge=1)] = 1.0
    """Chat: effective simultaneous chats per agent."""
    profile: ProfileSpec = "business_hours"
    open_hours: dict[str, str] | None = None
    value_per_contact: NonNeg = 0.0
    value_per_resolution: NonNeg = 0.0
    pricing: PricingModel
    benchmark_price: Positive | None = None
    max_premium: Annotated[float, Field(ge=-1)] | None = None
    max_cost_per_contact: Positive | None = None
    """Client limit for this category: spend per handled contact."""
    resolution_rate: Fraction | None = None
    conversion_rate: Fraction | None = None
    value_per_sale: NonNeg | None = None
    effort_hours: NonNeg | None = None
    specialist_hourly_cost: NonNeg | None = None
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
    budget_per_month: Positive | None = None
    max_cost_per_contact: Positive | None = None
    """Blended over handled contacts of all non-project categories."""
    min_roi: Annotated[float, Field(ge=-1)] | None = None
    """Value >= (1 + min_roi) x spend."""
    min_tier: dict[Name, Name] = {}


class Scenario(Strict):
    scenario: Name
    currency: Annotated[str, Field(min_length=1, max_length=8)] = "EUR"
    contract_months: Annotated[int, Field(gt=0, le=240)] = 12
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
    "dict_type": "a mapping",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
}


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
        path = format_path(loc)
        kind = err["type"]
        value = MISSING if kind == "missing" else err.get("input")
        expected = _EXPECTED.get(kind) or _strip_input_should(err["msg"])
        if kind == "extra_forbidden":
            expected = _unknown_key_expected(loc)
        issues.append(Issue(source, path, value, expected))
    return issues


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
