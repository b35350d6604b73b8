"""Cross-field checks on a structurally valid scenario: each problem is one Issue.

pydantic checks each field on its own (types, ranges, unknown keys); this module
checks what needs several fields at once: names that must exist or be unique,
fields a channel or pricing model requires or cannot use, profiles, opening hours
and shift settings. The checks of a category's tiers are in
:mod:`optimizer.scenario.tier_rules`; the variants are checked by
:func:`optimizer.scenario.schema.validate_scenario` once these pass (each variant is
a scenario validated whole).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from optimizer.errors import MISSING, Issue, listed
from optimizer.scenario import profiles
from optimizer.scenario.models import Category, ScenarioFields
from optimizer.scenario.open_hours import OpenHoursWarning, open_hours_gaps, open_mask
from optimizer.scenario.risk_rules import risk_pricing_issues
from optimizer.scenario.terms_rules import site_terms_issues, terms_issues
from optimizer.scenario.tier_rules import (
    presence,
    revenue_scale_issues,
    tier_issues,
    tier_order_issues,
)
from optimizer.scenario.value_rules import PROJECT_ONLY, project_issues, value_issues

_PRICING_NEEDS = {
    "per_resolution": ("resolution_rate",),
    "revenue_share": ("conversion_rate", "value_per_sale"),
}
_CONTACT_PRICING = ("per_contact", "per_minute", "per_resolution", "revenue_share")


def cross_checks(scenario: ScenarioFields, source: str) -> list[Issue]:
    """Every cross-field problem of ``scenario`` (its variants apart)."""
    issues: list[Issue] = []
    issues += _unique(source, "categories", [c.name for c in scenario.categories])
    issues += _unique(source, "provider.sites", [s.name for s in scenario.provider.sites])
    issues += _site_category_issues(scenario, source)
    for i, category in enumerate(scenario.categories):
        issues += _category_issues(scenario, category, f"categories[{i}]", source)
    issues += _client_issues(scenario, source)
    issues += _shift_issues(scenario, source)
    return issues


class SiteCategoryWarning(UserWarning):
    """A site lists a category the deal does not have (ignored; the scenario is valid)."""


def _site_category_issues(scenario: ScenarioFields, source: str) -> list[Issue]:
    """A name in a site's ``categories`` close to one of the deal's categories is a typo
    (an error); any other name is a category this deal does not have, ignored with a
    warning: a site's list may describe what it handles across deals."""
    import difflib

    names = sorted(c.name for c in scenario.categories)
    issues = []
    for i, site in enumerate(scenario.provider.sites):
        for j, cat in enumerate(site.categories or ()):
            if cat in names:
                continue
            path = f"provider.sites[{i}].categories[{j}]"
            close = difflib.get_close_matches(cat, names, n=1, cutoff=TYPO_CUTOFF)
            if close:
                expected = f"a category name (did you mean '{close[0]}'? known: {listed(names)})"
                issues.append(Issue(source, path, cat, expected))
                continue
            warnings.warn(
                f"{source}: {path} = {cat!r} is not a category of this deal "
                f"({listed(names)}): ignored",
                SiteCategoryWarning,
                stacklevel=2,
            )
    return issues


TYPO_CUTOFF = 0.75
"""Similarity (``difflib``) from which a site's unknown category name is taken for a typo
of a known one: ``biling``, ``Billing`` and ``sales-chat``, not ``tech_support``."""


def _unique(source: str, path: str, names: Iterable[str]) -> list[Issue]:
    """One issue per repeated name, at its second item (``categories[4].name``) and naming
    the first."""
    first: dict[str, int] = {}
    issues = []
    for i, name in enumerate(names):
        if name not in first:
            first[name] = i
        elif first[name] >= 0:
            expected = f"unique names ({path}[{first[name]}] is also called {name!r})"
            issues.append(Issue(source, f"{path}[{i}].name", name, expected))
            first[name] = -1  # reported once
    return issues


def _category_issues(
    scenario: ScenarioFields, cat: Category, path: str, source: str
) -> list[Issue]:
    issues: list[Issue] = []
    issues += _unique(source, f"{path}.tiers", [t.name for t in cat.tiers])
    issues += terms_issues(cat, path, source) + site_terms_issues(scenario, cat, path, source)
    issues += risk_pricing_issues(cat, path, source, scenario.objective)
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
    issues += presence(cat, path, required, unused, f"channel {cat.channel}", source)
    if cat.channel != "chat" and cat.concurrency != 1.0:  # was silently ignored
        expected = "no value (concurrency is for chat: not used by channel " + cat.channel + ")"
        issues.append(Issue(source, f"{path}.concurrency", cat.concurrency, expected))
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
    issues += project_issues(scenario, cat, path, source) + value_issues(cat, path, source)
    if cat.channel == "deferred" and cat.pricing in ("per_resolution",):
        issues.append(
            Issue(source, f"{path}.pricing", cat.pricing, "a pricing model deferred work can bill")
        )
    if cat.max_premium is not None and cat.benchmark_price is None:
        issues.append(
            Issue(source, f"{path}.benchmark_price", MISSING, "a value (max_premium is given)")
        )
    for j, _tier in enumerate(cat.tiers):
        issues += tier_issues(cat, j, f"{path}.tiers[{j}]", source)
    issues += tier_order_issues(cat, path, source)
    if not issues:
        issues += revenue_scale_issues(scenario, cat, path, source)
    if not cat.is_project:
        issues += _profile_issues(scenario, cat, path, source)
    return issues


def _channel_fields(cat: Category) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, not allowed) category fields for the category's channel."""
    queue_only = ("patience_seconds",)
    project = ("effort_hours", "specialist_hourly_cost", *PROJECT_ONLY)
    contact = ("contacts_per_month", "aht_seconds")
    if cat.channel == "project":
        # Effort is effort_hours, or units x effort_hours_per_unit (value_rules).
        effort = () if cat.effort_hours_per_unit is not None else ("effort_hours",)
        return (*effort, "specialist_hourly_cost"), contact + queue_only
    if cat.channel == "deferred":
        return contact, project + queue_only
    return contact, project


def _profile_issues(scenario: ScenarioFields, cat: Category, path: str, source: str) -> list[Issue]:
    minutes = scenario.calendar.interval_minutes
    issues: list[Issue] = []
    try:
        mask = open_mask(cat.open_hours, minutes)
    except ValueError as err:
        return [Issue(source, f"{path}.open_hours", cat.open_hours, _expected(err))]
    if not mask.any():  # else blamed on the profile, which has no open interval to fill
        expected = "opening hours with at least one open interval in the week"
        return [Issue(source, f"{path}.open_hours", cat.open_hours, expected)]
    for gap in open_hours_gaps(cat.open_hours):
        warnings.warn(
            f"{source}: {path}.open_hours: {gap}; closed intervals get no volume and no "
            "agents (write one range, or name the day, if it should be open)",
            OpenHoursWarning,
            stacklevel=2,
        )
    try:
        weights = profiles.profile_shape(cat, minutes)
    except ValueError as err:
        return [Issue(source, f"{path}.profile", _brief(cat.profile), _expected(err))]
    try:
        profiles.normalise(weights, mask)
    except ValueError as err:
        issues.append(Issue(source, f"{path}.profile", _brief(cat.profile), _expected(err)))
    return issues


def _brief(value: object) -> object:
    if isinstance(value, tuple) and len(value) > 6:
        return f"<list of {len(value)} weights>"
    return value


def _expected(err: ValueError) -> str:
    text = str(err)
    return text[len("expected ") :] if text.startswith("expected ") else text


def _client_issues(scenario: ScenarioFields, source: str) -> list[Issue]:
    issues = []
    for cat_name, tier_name in scenario.client.min_tier.items():
        path = f"client.min_tier.{cat_name}"
        matches = [c for c in scenario.categories if c.name == cat_name]
        if not matches:  # a bad key: the mapping is named and the key shown, as pydantic's
            known = listed(c.name for c in scenario.categories)
            expected = f"keys that are category names ({known})"
            issues.append(Issue(source, "client.min_tier", cat_name, expected))
        elif tier_name not in {t.name for t in matches[0].tiers}:
            tiers = listed(t.name for t in matches[0].tiers)
            issues.append(Issue(source, path, tier_name, f"a tier of {cat_name} ({tiers})"))
    return issues


def _shift_issues(scenario: ScenarioFields, source: str) -> list[Issue]:
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
