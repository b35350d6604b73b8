"""Tests of optimizer.scenario: frozen strict models, defaults, overrides, variants, paths."""

from __future__ import annotations

import math

import pytest
from helpers import make_raw, make_scenario
from pydantic import ValidationError

from optimizer.conventions import DEFAULT_WEEKS_PER_MONTH
from optimizer.errors import MISSING, Issue, ScenarioError
from optimizer.scenario import (
    Category,
    PriceRange,
    Scenario,
    Site,
    Tier,
    example_raw,
    format_path,
    validate_scenario,
)


def issue_paths(err: ScenarioError) -> list[str]:
    """The field paths of every issue in an error."""
    return [issue.path for issue in err.issues]


# ------------------------------------------------------------------ frozen models


@pytest.mark.parametrize(
    ("target", "field", "value"),
    [
        (lambda s: s, "contract_months", 6),
        (lambda s: s.provider, "min_margin", 0.5),
        (lambda s: s.provider.sites[0], "hourly_cost", 1.0),
        (lambda s: s.categories[0], "aht_seconds", 1.0),
        (lambda s: s.categories[0].tiers[0], "service_level", 0.5),
        (lambda s: s.calendar, "interval_minutes", 15),
    ],
    ids=["scenario", "provider", "site", "category", "tier", "calendar"],
)
def test_models_are_frozen(example, target, field, value):
    """Assigning to any field of a validated scenario raises."""
    with pytest.raises(ValidationError, match="frozen"):
        setattr(target(example), field, value)


def test_lists_are_tuples(example):
    """Lists in a scenario are tuples, so they cannot be appended to in place either."""
    assert isinstance(example.categories, tuple)
    assert isinstance(example.provider.sites, tuple)
    assert isinstance(example.categories[0].tiers[0].prices, tuple)


# ------------------------------------------------------------------ unknown keys


@pytest.mark.parametrize(
    ("key_path", "typo", "meant"),
    [
        ((), "contract_month", "contract_months"),
        (("provider",), "shrinkag", "shrinkage"),
        (("provider", "sites", 0), "hourly_costs", "hourly_cost"),
        (("categories", 0), "contacts_per_mont", "contacts_per_month"),
        (("categories", 0, "tiers", 0), "servce_level", "service_level"),
        (("calendar",), "interval_minute", "interval_minutes"),
    ],
    ids=["top", "provider", "site", "category", "tier", "calendar"],
)
def test_unknown_key_rejected_with_suggestion(key_path, typo, meant):
    """An unknown key anywhere is an error naming its path and the closest real field."""
    raw = example_raw()
    raw.setdefault("calendar", {})
    node = raw
    for part in key_path:
        node = node[part]
    node[typo] = 1
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw, "deal.yaml")
    (issue,) = info.value.issues
    assert issue.path == format_path((*key_path, typo))
    assert f"did you mean '{meant}'" in issue.expected
    assert "allowed:" in issue.expected


def test_unknown_key_without_close_match_lists_allowed_fields():
    """A key resembling nothing still lists the allowed fields, without a guess."""
    raw = example_raw()
    raw["xyzzy"] = 1
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    (issue,) = info.value.issues
    assert "did you mean" not in issue.expected
    assert "categories" in issue.expected


# ------------------------------------------------------------------ defaults


def test_documented_defaults(example):
    """Fields left out take the defaults stated in the schema and design section 9."""
    assert example.currency == "EUR"
    assert example.contract_months == 12
    assert example.objective == "max_margin"
    assert example.calendar.interval_minutes == 30
    assert example.calendar.weeks_per_month == DEFAULT_WEEKS_PER_MONTH == 52 / 12
    provider = example.provider
    assert provider.min_margin == 0.0
    assert provider.shrinkage == 0.30
    assert provider.max_occupancy == 0.85
    assert provider.supervisor_ratio == 12
    assert provider.supervisor_hourly_cost == 0.0
    assert provider.fte_hours_per_month == 160
    assert provider.fixed_monthly_cost == provider.setup_cost == 0.0
    assert provider.staffing == "intervals"
    assert provider.shifts.lengths_hours == (8.0,)
    assert provider.shifts.start_every_minutes == 60
    client = example.client
    assert client.budget_per_month is client.max_cost_per_contact is client.min_roi is None
    assert client.min_tier == {}
    assert example.variants == {}


def test_site_and_category_defaults(example):
    """A site without limits is unlimited and takes every category; categories default sensibly."""
    site = example.site("home")
    assert site.overhead_per_hour == 0.0
    assert site.max_fte is None and site.categories is None and site.shrinkage is None
    assert example.site_shrinkage(site) == example.provider.shrinkage
    calls = example.category("calls")
    assert calls.profile == "business_hours"
    assert calls.open_hours is None
    assert calls.concurrency == 1.0
    assert calls.patience_seconds is None
    assert calls.value_per_contact == calls.value_per_resolution == 0.0
    assert [s.name for s in example.sites_for("calls")] == ["home"]


def test_site_shrinkage_overrides_provider():
    """A site's own shrinkage wins over the provider's default."""
    scenario = make_scenario(**{"provider.sites.home.shrinkage": 0.35})
    assert scenario.site_shrinkage(scenario.site("home")) == 0.35


def test_fields_carry_their_docstrings():
    """Attribute docstrings become field descriptions (they feed the generated docs)."""
    assert "paid hour" in Site.model_fields["hourly_cost"].description
    assert "talk plus wrap" in Category.model_fields["aht_seconds"].description
    assert Scenario.model_fields["variants"].description


# ------------------------------------------------------------------ validate_scenario


@pytest.mark.parametrize(
    ("raw", "shown"),
    [(None, "empty file"), ([1, 2], "list"), ("text", "str")],
    ids=["none", "list", "str"],
)
def test_non_mapping_is_one_issue(raw, shown):
    """Anything but a mapping at the top is one issue saying what it was."""
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw, "deal.yaml")
    (issue,) = info.value.issues
    assert issue == Issue("deal.yaml", "", shown, "a mapping of scenario fields")


def test_missing_required_fields_are_marked_missing():
    """A required field left out is reported as missing, with its path."""
    raw = example_raw()
    del raw["provider"]
    del raw["categories"][0]["channel"]
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    issues = {i.path: i for i in info.value.issues}
    assert set(issues) == {"provider", "categories[0].channel"}
    assert all(i.value is MISSING for i in issues.values())
    assert "(missing)" in str(info.value)


def test_raw_round_trips(example, nordic):
    """``raw()`` is a plain mapping of lists that validates back to an equal scenario."""
    for scenario in (example, nordic):
        raw = scenario.raw()
        assert isinstance(raw["categories"], list)
        assert isinstance(raw["categories"][0]["tiers"], list)
        assert validate_scenario(raw) == scenario


# ------------------------------------------------------------------ with_overrides


def test_with_overrides_returns_a_changed_copy(example):
    """An override gives a new scenario and leaves the original untouched."""
    changed = example.with_overrides({"categories.calls.contacts_per_month": 11000})
    assert changed.category("calls").contacts_per_month == 11000
    assert example.category("calls").contacts_per_month == 10000
    assert changed is not example


def test_with_overrides_revalidates_types(example):
    """Override values are validated and coerced like file values."""
    changed = example.with_overrides({"categories.calls.tiers.std.prices": [3, 4]})
    assert changed.category("calls").tier("std").prices == (3.0, 4.0)
    ranged = example.with_overrides({"categories.mail.tiers.std.prices": {"min": 2, "max": 3}})
    assert isinstance(ranged.category("mail").tier("std").prices, PriceRange)


def test_with_overrides_runs_cross_checks(example):
    """A structurally fine override that breaks a cross-field rule is still refused."""
    with pytest.raises(ScenarioError) as info:
        example.with_overrides({"provider.sites.home.categories": ["calls"]})
    assert issue_paths(info.value) == ["categories[1].name"]


@pytest.mark.parametrize(
    ("path", "value", "expected_path"),
    [
        ("categories.calls.aht_seconds", -5, "categories[0].aht_seconds"),
        ("categories.mail.tiers.std.share", 1.5, "categories[1].tiers[0].share"),
        ("provider.shrinkage", 1.0, "provider.shrinkage"),
        ("calendar.interval_minutes", 20, "calendar.interval_minutes"),
    ],
)
def test_invalid_override_names_the_path(example, path, value, expected_path):
    """An invalid override value raises ScenarioError naming the field it broke."""
    with pytest.raises(ScenarioError) as info:
        example.with_overrides({path: value}, source="cli")
    (issue,) = info.value.issues
    assert (issue.file, issue.path, issue.value) == ("cli", expected_path, value)


def test_override_of_missing_path_lists_known_names(example):
    """A path naming nothing is refused, listing what is there."""
    with pytest.raises(ScenarioError) as info:
        example.with_overrides({"categories.billing.aht_seconds": 300})
    (issue,) = info.value.issues
    assert "'billing' not found" in issue.expected
    assert "calls, mail" in issue.expected


def test_make_scenario_factory():
    """The test factory applies dotted or double-underscore paths and validates."""
    assert make_scenario().category("calls").aht_seconds == 300
    assert make_scenario(categories__calls__aht_seconds=200).category("calls").aht_seconds == 200
    with pytest.raises(ScenarioError):
        make_scenario(**{"categories.calls.aht_seconds": 0})


# ------------------------------------------------------------------ variants


def test_variant_applies_and_labels(nordic):
    """A named variant applies its overrides and is labelled with its name."""
    changed = nordic.variant("volume_up_10")
    assert changed.category("billing").contacts_per_month == 46200
    assert changed.client.budget_per_month == 525000
    assert changed.scenario == "Nordic telco renewal 2027 [volume_up_10]"
    assert nordic.category("billing").contacts_per_month == 42000


def test_variant_can_remove_an_optional_limit():
    """A variant value of null resets an optional field (e.g. drops the ROI floor)."""
    scenario = validate_scenario(
        {**make_raw(client__min_roi=0.5), "variants": {"free": {"client.min_roi": None}}}
    )
    assert scenario.client.min_roi == 0.5
    assert scenario.variant("free").client.min_roi is None


def test_variant_result_has_no_variants(nordic):
    """A variant does not carry the variants of its base (no variants of variants)."""
    assert nordic.variant("wage_rise").variants == {}


def test_unknown_variant_is_a_scenario_error(example):
    """Asking for an undefined variant is a ScenarioError listing what exists."""
    with pytest.raises(ScenarioError) as info:
        example.variant("nope", source="deal.yaml")
    (issue,) = info.value.issues
    assert (issue.file, issue.path, issue.value) == ("deal.yaml", "variant", "nope")
    assert "none defined" in issue.expected


# ------------------------------------------------------------------ prices


@pytest.mark.parametrize(
    ("menu", "points"),
    [
        ({"min": 0.9, "max": 1.0, "step": 0.05}, (0.9, 0.95, 1.0)),
        ({"min": 3.8, "max": 4.6, "step": 0.1}, (3.8, 3.9, 4.0, 4.1, 4.2, 4.3, 4.4, 4.5, 4.6)),
        ({"min": 1.0, "max": 1.25, "step": 0.1}, (1.0, 1.1, 1.2)),
        ({"min": 2.0, "max": 2.0, "step": 0.5}, (2.0,)),
        ({"min": 0.05, "max": 0.12}, None),
    ],
    ids=["inclusive_max", "no_float_drift", "max_off_grid", "single", "continuous"],
)
def test_price_range_points(menu, points):
    """A stepped range lists its points (max included when on the grid); no step is continuous."""
    assert PriceRange(**menu).points() == points


def test_tier_price_points_and_bounds():
    """Tiers give their menu and bounds for lists, stepped and continuous ranges."""
    listed = Tier(name="a", prices=[0.95, 0.82, 0.90])
    assert listed.price_points() == (0.95, 0.82, 0.90)
    assert listed.price_bounds() == (0.82, 0.95)
    stepped = Tier(name="b", prices={"min": 1.0, "max": 1.1, "step": 0.05})
    assert stepped.price_points() == (1.0, 1.05, 1.1)
    assert stepped.price_bounds() == (1.0, 1.1)
    continuous = Tier(name="c", prices={"min": 0.05, "max": 0.15})
    assert continuous.price_points() is None
    assert continuous.price_bounds() == (0.05, 0.15)


def test_price_range_forbids_unknown_keys():
    """A range with a misspelled key is an error, not a silently continuous range."""
    raw = make_raw(**{"categories.calls.tiers.std.prices": {"min": 1, "max": 2, "stp": 0.1}})
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    (issue,) = info.value.issues
    assert issue.path == "categories[0].tiers[0].prices.stp"
    assert "did you mean 'step'" in issue.expected


# ------------------------------------------------------------------ paths and issues


@pytest.mark.parametrize(
    ("loc", "text"),
    [
        (("categories", 2, "tiers", 1, "service_level"), "categories[2].tiers[1].service_level"),
        (("categories", 0, "<range>", "prices", "max"), "categories[0].prices.max"),
        (("calendar", "interval_minutes"), "calendar.interval_minutes"),
        ((0, "name"), "[0].name"),
        (("scenario",), "scenario"),
        ((), ""),
    ],
)
def test_format_path(loc, text):
    """Pydantic locations render as dotted paths with [index] and no discriminator tags."""
    assert format_path(loc) == text


def test_issue_renders_file_path_value_expected():
    """An issue reads 'file: path = value: expected ...', NaN and missing spelled out."""
    assert str(Issue("d.yaml", "a.b", math.nan, "a finite number")) == (
        "d.yaml: a.b = nan: expected a finite number"
    )
    missing = Issue("d.yaml", "a", MISSING, "a value")
    assert str(missing) == "d.yaml: a = (missing): expected a value"
    assert str(Issue("d.yaml", "", "list", "a mapping")) == "d.yaml = 'list': expected a mapping"


def test_lookup_helpers(example):
    """category(), site(), sites_for() and is_project find what they are asked for."""
    assert example.category("mail").channel == "deferred"
    assert example.site("home").hourly_cost == 20.0
    assert not example.category("calls").is_project
    assert example.category("calls").tier("std").service_level == 0.8
