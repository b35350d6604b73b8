"""Cross-field checks on a structurally valid scenario: each problem is one Issue.

pydantic checks each field on its own (types, ranges, unknown keys); this module
checks what needs several fields at once: names that must exist or be unique,
fields a channel or pricing model requires or cannot use, profiles, opening hours,
shift settings and variant paths.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable

import numpy as np

from optimizer.errors import MISSING, Issue, ScenarioError
from optimizer.scenario import profiles
from optimizer.scenario.schema import (
    RANGES,
    Category,
    CsvProfile,
    DayIntraday,
    PriceRange,
    Scenario,
)

_QUEUE_TIER_FIELDS = ("service_level", "answer_within_seconds")
_DEFERRED_TIER_FIELDS = ("share", "within_hours")
_PRICING_NEEDS = {
    "per_resolution": ("resolution_rate",),
    "revenue_share": ("conversion_rate", "value_per_sale"),
}
_CONTACT_PRICING = ("per_contact", "per_minute", "per_resolution", "revenue_share")
MAX_PRICE_POINTS = 1000
"""Most price points a stepped range may give (a finer range would hang validation)."""


def cross_checks(scenario: Scenario, source: str) -> list[Issue]:
    """Every cross-field problem of ``scenario``."""
    issues: list[Issue] = []
    issues += _unique(source, "categories", [c.name for c in scenario.categories])
    issues += _unique(source, "provider.sites", [s.name for s in scenario.provider.sites])
    names = {c.name for c in scenario.categories}
    for i, site in enumerate(scenario.provider.sites):
        for j, cat in enumerate(site.categories or ()):
            if cat not in names:
                issues.append(
                    Issue(
                        source,
                        f"provider.sites[{i}].categories[{j}]",
                        cat,
                        f"a category name ({', '.join(sorted(names))})",
                    )
                )
    for i, category in enumerate(scenario.categories):
        issues += _category_issues(scenario, category, f"categories[{i}]", source)
    issues += _client_issues(scenario, source)
    issues += _shift_issues(scenario, source)
    if not issues:
        issues += _variant_issues(scenario, source)
    return issues


def _unique(source: str, path: str, names: Iterable[str]) -> list[Issue]:
    counts = Counter(names)
    return [
        Issue(source, f"{path}.name", name, "unique names (this one appears more than once)")
        for name, n in counts.items()
        if n > 1
    ]


def _category_issues(scenario: Scenario, cat: Category, path: str, source: str) -> list[Issue]:
    issues: list[Issue] = []
    issues += _unique(source, f"{path}.tiers", [t.name for t in cat.tiers])
    if not cat.is_project and not scenario.sites_for(cat.name):
        issues.append(
            Issue(
                source,
                f"{path}.name",
                cat.name,
                "a category some site may handle (add it to a site's categories)",
            )
        )
    required, unused = _channel_fields(cat)
    issues += _presence(cat, path, required, unused, f"channel {cat.channel}", source)
    for field in _PRICING_NEEDS.get(cat.pricing, ()):
        if getattr(cat, field) is None:
            issues.append(
                Issue(
                    source,
                    f"{path}.{field}",
                    MISSING,
                    f"a value (required for pricing {cat.pricing})",
                )
            )
    if cat.is_project and cat.pricing != "fixed_fee":
        issues.append(
            Issue(
                source,
                f"{path}.pricing",
                cat.pricing,
                "fixed_fee (the only pricing for project work)",
            )
        )
    if cat.channel == "deferred" and cat.pricing in ("per_resolution",):
        issues.append(
            Issue(source, f"{path}.pricing", cat.pricing, "a pricing model deferred work can bill")
        )
    if cat.max_premium is not None and cat.benchmark_price is None:
        issues.append(
            Issue(source, f"{path}.benchmark_price", MISSING, "a value (max_premium is given)")
        )
    for j, _tier in enumerate(cat.tiers):
        issues += _tier_issues(cat, j, f"{path}.tiers[{j}]", source)
    issues += _tier_order_issues(cat, path, source)
    if not issues:
        issues += _revenue_scale_issues(scenario, cat, path, source)
    if not cat.is_project:
        issues += _profile_issues(scenario, cat, path, source)
    return issues


def _presence(
    item: object,
    path: str,
    required: tuple[str, ...],
    banned: tuple[str, ...],
    what: str,
    source: str,
) -> list[Issue]:
    """Fields ``what`` requires but lacks, and fields it cannot use but has."""
    issues = [
        Issue(source, f"{path}.{name}", MISSING, f"a value (required for {what})")
        for name in required
        if getattr(item, name) is None
    ]
    issues += [
        Issue(source, f"{path}.{name}", getattr(item, name), f"no value (not used by {what})")
        for name in banned
        if getattr(item, name) is not None
    ]
    return issues


def _channel_fields(cat: Category) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, not allowed) category fields for the category's channel."""
    queue_only = ("patience_seconds",)
    project = ("effort_hours", "specialist_hourly_cost")
    contact = ("contacts_per_month", "aht_seconds")
    if cat.channel == "project":
        return project, contact + queue_only
    if cat.channel == "deferred":
        return contact, project + queue_only
    return contact, project


def _tier_issues(cat: Category, j: int, path: str, source: str) -> list[Issue]:
    tier = cat.tiers[j]
    issues: list[Issue] = []
    needed: tuple[str, ...]
    banned: tuple[str, ...]
    if cat.channel in ("voice", "chat"):
        needed, banned = _QUEUE_TIER_FIELDS, _DEFERRED_TIER_FIELDS
    elif cat.channel == "deferred":
        needed, banned = _DEFERRED_TIER_FIELDS, (*_QUEUE_TIER_FIELDS, "max_abandon")
    else:
        needed, banned = (), (*_QUEUE_TIER_FIELDS, *_DEFERRED_TIER_FIELDS, "max_abandon")
    issues += _presence(tier, path, needed, banned, f"a {cat.channel} tier", source)
    if (
        tier.max_abandon is not None
        and cat.patience_seconds is None
        and "max_abandon" not in banned
    ):
        issues.append(
            Issue(
                source,
                f"{path}.max_abandon",
                tier.max_abandon,
                "no value unless the category has patience_seconds (Erlang A)",
            )
        )
    prices = tier.prices
    if isinstance(prices, PriceRange) and prices.min > prices.max:
        issues.append(
            Issue(source, f"{path}.prices.max", prices.max, f"a value >= min ({prices.min})")
        )
        return issues
    if (
        isinstance(prices, PriceRange)
        and prices.step is not None
        and not (prices.max - prices.min) / prices.step < MAX_PRICE_POINTS
    ):
        issues.append(
            Issue(
                source,
                f"{path}.prices.step",
                prices.step,
                f"a step giving at most {MAX_PRICE_POINTS} price points from min to max",
            )
        )
        return issues
    if not tier.price_points() and not isinstance(prices, PriceRange):
        issues.append(Issue(source, f"{path}.prices", list(prices), "at least one price"))
        return issues
    if not isinstance(prices, PriceRange) and len(prices) > MAX_PRICE_POINTS:
        issues.append(
            Issue(
                source,
                f"{path}.prices",
                f"<list of {len(prices)} prices>",
                f"at most {MAX_PRICE_POINTS} price points",
            )
        )
        return issues
    high = tier.price_bounds()[1]
    if cat.pricing == "revenue_share" and high > 1:
        issues.append(
            Issue(
                source, f"{path}.prices", tier.prices, "revenue-share prices as fractions in [0, 1]"
            )
        )
    return issues


MAX_MONTHLY_MONEY = RANGES["money"].high
"""Largest monthly revenue a tier's prices may give (beyond it the solver's arithmetic
fails: a price of 1e12 per contact is a typo, not a deal)."""


def _billable_estimate(scenario: Scenario, cat: Category) -> float:
    """A generous estimate of the monthly billable quantity (design 6.2) of any tier."""
    contacts = cat.contacts_per_month or 0.0
    aht = cat.aht_seconds or 0.0
    hours = contacts * aht / 3600 / scenario.provider.max_occupancy + 24 * 31
    per_unit = {
        "per_contact": contacts,
        "per_resolution": contacts,
        "per_minute": contacts * aht / 60,
        "per_productive_hour": hours,
        "per_fte_month": hours
        / (1 - scenario.provider.shrinkage)
        / scenario.provider.fte_hours_per_month,
        "revenue_share": contacts * (cat.value_per_sale or 0.0),
        "fixed_fee": 1.0,
    }
    return per_unit[cat.pricing]


def _revenue_scale_issues(scenario: Scenario, cat: Category, path: str, source: str) -> list[Issue]:
    """Prices whose monthly revenue would pass MAX_MONTHLY_MONEY (an input error, not a
    solver error)."""
    quantity = _billable_estimate(scenario, cat)
    issues = []
    for j, tier in enumerate(cat.tiers):
        revenue = tier.price_bounds()[1] * quantity
        if revenue > MAX_MONTHLY_MONEY:
            issues.append(
                Issue(
                    source,
                    f"{path}.tiers[{j}].prices",
                    tier.price_bounds()[1],
                    f"prices giving at most {MAX_MONTHLY_MONEY:.0e} of revenue a month "
                    f"(this one gives about {revenue:.2g} at {cat.pricing})",
                )
            )
    return issues


# The service a tier promises, per channel: (field, True when a higher value is more
# demanding, the value an absent optional field stands for). Project tiers promise no
# service: their order is the file's.
_SERVICE: dict[str, tuple[tuple[str, bool, float | None], ...]] = {
    "voice": (
        ("service_level", True, None),
        ("answer_within_seconds", False, None),
        ("max_abandon", False, 1.0),
    ),
    "deferred": (("share", True, None), ("within_hours", False, None)),
}
_SERVICE["chat"] = _SERVICE["voice"]


def _tier_order_issues(cat: Category, path: str, source: str) -> list[Issue]:
    """Tiers must go from the lowest service to the highest (``min_tier`` relies on it).

    Each tier must be at least as demanding as the one before it on every dimension
    of its channel and more demanding on at least one; tiers that trade one dimension
    for another (a higher share but a longer deadline) cannot be ordered and are
    refused, since "at least tier X" would otherwise accept less than X promises.
    """
    dimensions = _SERVICE.get(cat.channel, ())
    issues: list[Issue] = []
    for j in range(1, len(cat.tiers) if dimensions else 0):
        before, tier = cat.tiers[j - 1], cat.tiers[j]
        stronger = False
        weaker: list[Issue] = []
        for field, higher_is_more, absent in dimensions:
            old, new = getattr(before, field), getattr(tier, field)
            old = absent if old is None else old
            new_value = absent if new is None else new
            if old is None or new_value is None:
                weaker = []
                stronger = True  # a missing required field is reported elsewhere
                break
            if old == new_value:
                continue
            if (new_value > old) == higher_is_more:
                stronger = True
                continue
            bound = "at least" if higher_is_more else "at most"
            weaker.append(
                Issue(
                    source,
                    f"{path}.tiers[{j}].{field}",
                    MISSING if new is None else new,
                    f"{bound} {old:g} as in tier '{before.name}' before it (tiers go from "
                    "the lowest service to the highest: each promises at least the one "
                    "before it on every dimension)",
                )
            )
        if weaker:
            issues += weaker[:1]
        elif not stronger:
            issues.append(
                Issue(
                    source,
                    f"{path}.tiers[{j}]",
                    tier.name,
                    f"a tier promising more service than '{before.name}' before it "
                    "(tiers are listed from the lowest service to the highest; "
                    "these two promise the same)",
                )
            )
    return issues


def _profile_issues(scenario: Scenario, cat: Category, path: str, source: str) -> list[Issue]:
    minutes = scenario.calendar.interval_minutes
    issues: list[Issue] = []
    try:
        mask = profiles.open_mask(cat.open_hours, minutes)
    except ValueError as err:
        return [Issue(source, f"{path}.open_hours", cat.open_hours, _expected(err))]
    for gap in profiles.open_hours_gaps(cat.open_hours):
        warnings.warn(
            f"{source}: {path}.open_hours: {gap}; closed intervals get no volume and no "
            "agents (write one range, or name the day, if it should be open)",
            profiles.OpenHoursWarning,
            stacklevel=2,
        )
    try:
        weights = profile_shape(cat, minutes)
    except ValueError as err:
        return [Issue(source, f"{path}.profile", _brief(cat.profile), _expected(err))]
    try:
        profiles.normalise(weights, mask)
    except ValueError as err:
        issues.append(Issue(source, f"{path}.profile", _brief(cat.profile), _expected(err)))
    return issues


def profile_shape(cat: Category, interval_minutes: int) -> np.ndarray:
    """Un-normalised per-interval weights of a category's profile spec."""
    spec = cat.profile
    if isinstance(spec, str):
        if spec not in profiles.BUILTIN_PROFILES:
            raise ValueError("expected one of " + ", ".join(profiles.BUILTIN_PROFILES))
        return profiles.builtin_shape(spec, interval_minutes)
    if isinstance(spec, CsvProfile):
        raise ValueError("expected the CSV to have been read by the loader")
    if isinstance(spec, DayIntraday):
        return profiles.expand_weights(
            {"days": spec.days, "intraday": spec.intraday}, interval_minutes
        )
    return profiles.expand_weights(spec, interval_minutes)


def _brief(value: object) -> object:
    if isinstance(value, tuple) and len(value) > 6:
        return f"<list of {len(value)} weights>"
    return value


def _expected(err: ValueError) -> str:
    text = str(err)
    return text[len("expected ") :] if text.startswith("expected ") else text


def _client_issues(scenario: Scenario, source: str) -> list[Issue]:
    issues = []
    for cat_name, tier_name in scenario.client.min_tier.items():
        path = f"client.min_tier.{cat_name}"
        matches = [c for c in scenario.categories if c.name == cat_name]
        if not matches:
            names = ", ".join(c.name for c in scenario.categories)
            issues.append(Issue(source, path, cat_name, f"a category name ({names})"))
        elif tier_name not in {t.name for t in matches[0].tiers}:
            tiers = ", ".join(t.name for t in matches[0].tiers)
            issues.append(Issue(source, path, tier_name, f"a tier of {cat_name} ({tiers})"))
    return issues


def _shift_issues(scenario: Scenario, source: str) -> list[Issue]:
    shifts = scenario.provider.shifts
    minutes = scenario.calendar.interval_minutes
    issues = []
    if shifts.start_every_minutes % minutes:
        issues.append(
            Issue(
                source,
                "provider.shifts.start_every_minutes",
                shifts.start_every_minutes,
                f"a multiple of interval_minutes ({minutes})",
            )
        )
    for i, hours in enumerate(shifts.lengths_hours):
        if (hours * 60) % minutes or hours > 24:
            issues.append(
                Issue(
                    source,
                    f"provider.shifts.lengths_hours[{i}]",
                    hours,
                    f"a whole number of {minutes}-minute intervals, at most 24 h",
                )
            )
    return issues


def _variant_issues(scenario: Scenario, source: str) -> list[Issue]:
    """Each variant must name existing paths and give a valid scenario."""
    from optimizer.scenario.overrides import apply_overrides
    from optimizer.scenario.schema import validate_scenario

    issues: list[Issue] = []
    base = scenario.raw()
    base.pop("variants", None)
    for name, overrides in scenario.variants.items():
        raw, found = apply_overrides(base, overrides, source, where=f"variants.{name}")
        if found:
            issues += found
            continue
        try:
            validate_scenario(raw, source)
        except ScenarioError as err:
            issues += [
                Issue(i.file, f"variants.{name}: {i.path}", i.value, i.expected) for i in err.issues
            ]
    return issues
