"""Tests of optimizer.scenario.schema: strict frozen models, defaults, overrides, variants."""

from __future__ import annotations

import math

import pytest
from helpers import make_raw, make_scenario
from pydantic import ValidationError

from optimizer.conventions import DEFAULT_WEEKS_PER_MONTH
from optimizer.errors import MISSING, Issue, ScenarioError
from optimizer.scenario.field_errors import format_path
from optimizer.scenario.models import Category, PriceRange, Site, Tier
from optimizer.scenario.profiles import interval_labels
from optimizer.scenario.schema import Scenario, example_raw, validate_scenario


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


def test_a_site_may_list_a_category_the_deal_does_not_have(example):
    """A site's list may describe what it handles across deals (the specification's own
    example lists ``tech_support`` in a deal without it): that name is ignored, with a
    warning naming it, and the site keeps its other categories."""
    from optimizer.scenario.rules import SiteCategoryWarning

    with pytest.warns(SiteCategoryWarning, match=r"categories\[1\] = 'tech_support'.*ignored"):
        listed = ["calls", "tech_support", "mail"]
        changed = example.with_overrides({"provider.sites.home.categories": listed})
    assert [s.name for s in changed.sites_for("calls")] == ["home"]
    assert [s.name for s in changed.sites_for("mail")] == ["home"]


def test_the_every_field_example_is_valid():
    """``tests/data/every_field.yaml`` (every Part I field, and a site listing a category
    the deal does not have) loads, warning of that name (once a line on the command
    line: its variants are validated too and repeat it)."""
    from pathlib import Path

    from optimizer.scenario.loader import load_scenario
    from optimizer.scenario.rules import SiteCategoryWarning

    path = Path(__file__).parent / "data" / "every_field.yaml"
    with pytest.warns(SiteCategoryWarning) as caught:
        scenario = load_scenario(path)
    (message,) = {str(w.message) for w in caught}
    assert "provider.sites[0].categories[1] = 'tech_support'" in message
    names = ["billing", "sales_chat", "email", "journey_study"]
    assert [c.name for c in scenario.categories] == names
    assert [s.name for s in scenario.sites_for("sales_chat")] == ["helsinki"]


@pytest.mark.parametrize("typo", ["call", "Calls", "mails"])
def test_a_site_listing_a_near_miss_of_a_category_is_a_typo(example, typo):
    """A name close to one of the deal's categories is a typo, refused with a guess."""
    with pytest.raises(ScenarioError) as info:
        example.with_overrides({"provider.sites.home.categories": [typo, "mail", "calls"]})
    (issue,) = info.value.issues
    assert issue.path == "provider.sites[0].categories[0]" and issue.value == typo
    assert "did you mean" in issue.expected


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


# ------------------------------------------------------------------ strict numbers and ranges
# Issue 12.8 (booleans and quoted numbers, huge and tiny numbers, pydantic phrasing)
# and issue 11.8 (every number bounded at validation).

PYDANTIC_PHRASES = ("Input should", "should have", "after validation", "Keys should", "None =")


def only_issue(raw: dict) -> Issue:
    """Validate ``raw`` and return its single issue."""
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw, "deal.yaml")
    assert len(info.value.issues) == 1, [str(i) for i in info.value.issues]
    issue = info.value.issues[0]
    assert not any(phrase in str(issue) for phrase in PYDANTIC_PHRASES), str(issue)
    return issue


@pytest.mark.parametrize(
    ("path", "field_path"),
    [
        ("categories.calls.aht_seconds", "categories[0].aht_seconds"),
        ("categories.calls.contacts_per_month", "categories[0].contacts_per_month"),
        ("provider.sites.home.seats", "provider.sites[0].seats"),
        ("contract_months", "contract_months"),
        ("categories.calls.tiers.std.service_level", "categories[0].tiers[0].service_level"),
    ],
)
@pytest.mark.parametrize("bad", [True, False, "300", "1"], ids=["true", "false", "q300", "q1"])
def test_booleans_and_quoted_numbers_are_refused(path, field_path, bad):
    """The strict schema takes numbers only: ``true`` is not 1 s and ``"300"`` is text."""
    issue = only_issue(make_raw(**{path: bad}))
    assert issue.path == field_path
    assert issue.value == bad
    assert issue.expected.startswith("a number, not")


def test_boolean_price_in_a_list_is_refused():
    """Booleans are refused inside lists too (a price menu)."""
    issue = only_issue(make_raw(**{"categories.calls.tiers.std.prices": [3.0, True]}))
    assert issue.path == "categories[0].tiers[0].prices[1]"


@pytest.mark.parametrize(
    ("path", "field_path", "value"),
    [
        ("categories.calls.contacts_per_month", "categories[0].contacts_per_month", 1e308),
        ("categories.calls.contacts_per_month", "categories[0].contacts_per_month", 2e9),
        ("categories.calls.aht_seconds", "categories[0].aht_seconds", 1e-320),
        ("categories.calls.aht_seconds", "categories[0].aht_seconds", 0.5),
        ("categories.calls.aht_seconds", "categories[0].aht_seconds", 86_401),
        ("provider.sites.home.seats", "provider.sites[0].seats", 10**30),
        ("provider.sites.home.max_fte", "provider.sites[0].max_fte", 1e7),
        ("provider.sites.home.hourly_cost", "provider.sites[0].hourly_cost", 1e13),
        ("provider.min_margin", "provider.min_margin", -1e308),
        ("provider.fte_hours_per_month", "provider.fte_hours_per_month", 1e5),
        ("calendar.weeks_per_month", "calendar.weeks_per_month", 400.0),
        ("client.budget_per_month", "client.budget_per_month", 1e300),
        ("categories.calls.tiers.std.prices", "categories[0].tiers[0].prices[0]", [1e200]),
        ("categories.mail.tiers.std.within_hours", "categories[1].tiers[0].within_hours", 500),
    ],
)
def test_numbers_outside_their_range_are_refused(path, field_path, value):
    """Every number has a documented range; the message names it and the unit."""
    issue = only_issue(make_raw(**{path: value}))
    assert issue.path == field_path
    assert issue.expected.startswith("a number in ")
    assert "(" in issue.expected  # the unit


@pytest.mark.parametrize("value", [1e-308, 1e-320, 5e-7])
def test_tiny_non_zero_numbers_are_refused(value):
    """A subnormal or tiny non-zero number is refused (zero itself is fine)."""
    issue = only_issue(make_raw(**{"categories.calls.contacts_per_month": value}))
    assert issue.path == "categories[0].contacts_per_month"
    assert "0 or a number of magnitude at least" in issue.expected
    assert validate_scenario(make_raw(**{"categories.calls.contacts_per_month": 0}))


@pytest.mark.parametrize("digits", [400, 5000])
def test_huge_integer_is_shown_by_its_size(digits):
    """A huge integer (Python refuses to print > 4,300 digits) is named by its size."""
    issue = only_issue(make_raw(**{"categories.calls.contacts_per_month": 10**digits}))
    assert issue.path == "categories[0].contacts_per_month"
    assert "digits" in str(issue.value)
    assert issue.expected.startswith("a number in [0, 1e9]")
    assert len(str(issue)) < 300


def test_range_bounds_are_inclusive_where_documented(example):
    """The ends of a closed range are accepted (aht 1 s and 86,400 s, seats 1e6)."""
    assert make_scenario(**{"categories.calls.aht_seconds": 1}).categories[0].aht_seconds == 1
    assert make_scenario(**{"categories.calls.aht_seconds": 86_400})
    assert make_scenario(**{"provider.sites.home.seats": 1_000_000})


def test_every_number_field_has_a_range_in_the_json_schema():
    """The generated field reference reads bounds and units from the JSON schema."""
    from optimizer.scenario.field_types import RANGES

    schema = Scenario.model_json_schema()
    site = schema["$defs"]["Site"]["properties"]["seats"]["anyOf"][0]
    assert site["maximum"] == RANGES["seats"].high and site["unit"] == "scheduled agents"
    aht = schema["$defs"]["Category"]["properties"]["aht_seconds"]["anyOf"][0]
    assert aht["minimum"] == 1 and aht["maximum"] == 86_400


def test_readme_lists_every_range():
    """README "Ranges of numbers" is the RANGES table, row for row."""
    from helpers import ROOT

    from optimizer.scenario.field_types import RANGES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Ranges of numbers", 1)[1].split("\n#", 1)[0]
    for bounds in RANGES.values():
        assert f"| {bounds.text()} | {bounds.unit} |" in section, bounds


def test_control_characters_in_names_are_refused():
    """An ESC in a name (``"\\e"`` in YAML) would reach terminals and reports: refused."""
    issue = only_issue(make_raw(**{"categories.calls.name": "ca\x1blls"}))
    assert issue.path == "categories[0].name"
    assert "control characters" in issue.expected
    issue = only_issue(make_raw(scenario="deal\x1b[31m"))
    assert issue.path == "scenario"


@pytest.mark.parametrize("where", ["client.min_tier", "variants"])
def test_non_text_mapping_key_names_the_mapping(where):
    """A ``null:`` key gets our wording and the mapping's path, not pydantic's."""
    raw = make_raw()
    if where == "client.min_tier":
        raw["client"]["min_tier"] = {None: "std"}
    else:
        raw["variants"] = {None: {"contract_months": 6}}
    issue = only_issue(raw)
    assert issue.path == where
    assert issue.expected == "keys that are text"


def test_empty_list_message_is_ours():
    """An empty tier list: "a list of at least 1 item", not pydantic's sentence."""
    issue = only_issue(make_raw(**{"categories.calls.tiers": []}))
    assert issue.path == "categories[0].tiers"
    assert issue.expected == "a list of at least 1 item"


# ------------------------------------------------------------------ benchmark without premium


def test_benchmark_without_premium_caps_price_at_benchmark():
    """Issue 11.5: ``benchmark_price`` alone means price <= benchmark (max_premium 0)."""
    scenario = make_scenario(**{"categories.calls.benchmark_price": 3.2})
    calls = scenario.category("calls")
    assert calls.max_premium == 0.0
    assert scenario.raw()["categories"][0]["max_premium"] == 0.0
    explicit = make_scenario(
        **{"categories.calls.benchmark_price": 3.2, "categories.calls.max_premium": 0.1}
    )
    assert explicit.category("calls").max_premium == 0.1
    assert make_scenario().category("calls").max_premium is None


def test_benchmark_without_premium_binds_in_the_solve():
    """The model, the verifier and the diagnosis all see the cap at the benchmark."""
    from optimizer.options import RunOptions
    from optimizer.pipeline import run_scenario

    menu = {"categories.calls.tiers.std.prices": [4.5, 5.0]}
    free = run_scenario(make_scenario(**menu), RunOptions(explain=False))
    assert next(c.price for c in free.categories if c.name == "calls") == 5.0
    capped = make_scenario(**menu, **{"categories.calls.benchmark_price": 4.7})
    result = run_scenario(capped, RunOptions(explain=False))
    assert result.verified
    assert next(c.price for c in result.categories if c.name == "calls") == 4.5
    # Below every price on the menu: infeasible, and the diagnosis names the cap.
    low = make_scenario(**menu, **{"categories.calls.benchmark_price": 4.2})
    result = run_scenario(low, RunOptions(explain=False))
    assert str(result.status) == "infeasible"
    assert any(d["limit"] == "max_price[calls]" and d["before"] == 4.2 for d in result.diagnosis)


# ------------------------------------------------------------------ YAML reading (issue 12.8)

YAML_DEAL = """\
scenario: yaml
provider:
  sites: [{name: home, hourly_cost: 20, seats: 50}]
categories:
  - name: calls
    channel: voice
    contacts_per_month: CONTACTS
    aht_seconds: 300
    pricing: per_contact
    tiers:
TIERS
"""
ONE_TIER = "      - {name: std, service_level: 0.8, answer_within_seconds: 20, prices: [3.0, 3.5]}"


def load_text(tmp_path, text: str) -> Scenario:
    """Write ``text`` as deal.yaml and load it."""
    from optimizer.scenario.loader import load_scenario

    path = tmp_path / "deal.yaml"
    path.write_text(text, encoding="utf-8")
    return load_scenario(path)


def deal(contacts: str = "8000", tiers: str = ONE_TIER) -> str:
    """The YAML deal with its contacts and tier lines replaced."""
    return YAML_DEAL.replace("CONTACTS", contacts).replace("TIERS", tiers)


def test_yaml_merge_keys_are_accepted(tmp_path):
    """``<<: *base`` is standard YAML: the merged keys apply, explicit keys win."""
    tiers = (
        "      - &std {name: std, service_level: 0.8, answer_within_seconds: 20, prices: [3.0]}\n"
        "      - <<: *std\n"
        "        name: gold\n"
        "        service_level: 0.9"
    )
    gold = load_text(tmp_path, deal(tiers=tiers)).category("calls").tier("gold")
    assert (gold.service_level, gold.answer_within_seconds, gold.prices) == (0.9, 20, (3.0,))


def test_yaml_merge_keeps_duplicate_key_check(tmp_path):
    """A key given twice beside a merge is still a duplicate."""
    tiers = (
        "      - &std {name: std, service_level: 0.8, answer_within_seconds: 20, prices: [3.0]}\n"
        "      - <<: *std\n"
        "        name: gold\n"
        "        name: platinum"
    )
    with pytest.raises(ScenarioError, match="duplicate key"):
        load_text(tmp_path, deal(tiers=tiers))


def test_keys_that_are_not_text_are_named_not_called_duplicates(tmp_path):
    """``1:``, ``null:`` and ``true:`` are three YAML keys, not duplicates (Python's
    ``1 == True`` made the last one a 'duplicate key' and hid the others; found by a
    probe): each key that is not text is a problem of the mapping holding it, with the
    key shown (Python's dict keeps one of 1 and true)."""
    with pytest.raises(ScenarioError) as err:
        load_text(tmp_path, "1: x\nnull: y\ntrue: z\n" + deal())
    shown = [(i.path, i.value, i.expected) for i in err.value.issues]
    assert shown == [
        ("", 1, "field names (text) as a mapping's keys"),
        ("", None, "field names (text) as a mapping's keys"),
    ]
    with pytest.raises(ScenarioError) as err:
        load_text(tmp_path, deal().replace("scenario:", "client: {2: 3}\nscenario:", 1))
    assert [(i.path, i.value) for i in err.value.issues] == [("client", 2)]


def test_yaml_exponent_floats_are_numbers(tmp_path):
    """``1e4`` is a number (YAML 1.2), not text refused as a quoted number."""
    assert load_text(tmp_path, deal("1e4")).category("calls").contacts_per_month == 10_000


def test_yaml_huge_integer_is_refused_naming_the_line(tmp_path):
    """A 5,000-digit integer is exit 2 naming file and line, not Python's ValueError."""
    with pytest.raises(ScenarioError) as info:
        load_text(tmp_path, deal("9" * 5000))
    (issue,) = info.value.issues
    assert issue.path == "line 7, column 25"
    assert "5000 digits" in str(issue.value)


def test_yaml_raw_control_character_names_the_line(tmp_path):
    """A raw ESC in the file is exit 2 naming line and column, not a ReaderError."""
    with pytest.raises(ScenarioError) as info:
        load_text(tmp_path, deal().replace("name: calls", "name: ca\x1blls"))
    (issue,) = info.value.issues
    assert issue.path == "line 5, column 13"
    assert "control character" in str(issue.value)


CSV_PROFILE = "    profile: {csv: week.csv, column: calls}\n    pricing:"


def test_csv_field_over_the_csv_limit_names_the_line(tmp_path):
    """A CSV cell over 131,072 characters is exit 2 naming the CSV line."""
    (tmp_path / "week.csv").write_text("interval_start,calls\nmon 00:00," + "1" * 140_000 + "\n")
    text = deal().replace("    pricing:", CSV_PROFILE)
    with pytest.raises(ScenarioError) as info:
        load_text(tmp_path, text)
    (issue,) = info.value.issues
    assert issue.path == "categories[0].profile.csv"
    assert issue.value == "week.csv line 2"


def test_csv_weight_above_range_names_the_line(tmp_path):
    """A CSV weight of 1e308 is refused naming its line (it used to zero the demand)."""
    rows = "".join(f"{label},1e308\n" for label in interval_labels(30))
    (tmp_path / "week.csv").write_text("interval_start,calls\n" + rows)
    text = deal().replace("    pricing:", CSV_PROFILE)
    with pytest.raises(ScenarioError) as info:
        load_text(tmp_path, text)
    (issue,) = info.value.issues
    assert "week.csv line 2" in str(issue.value)


def test_override_problems_name_where_the_change_came_from():
    """A bad path is named as an override in the Python API and as its variant in a
    variant (not as ``variants:`` when no variant is involved)."""
    deal = make_scenario()
    with pytest.raises(ScenarioError) as err:
        deal.with_overrides({"providr.shrinkage": 0.3})
    assert [i.path for i in err.value.issues] == ["override: providr.shrinkage"]
    with pytest.raises(ScenarioError) as err:
        deal.with_overrides({"providr.shrinkage": 0.3}, "deal.yaml", where="set")
    assert [(i.file, i.path) for i in err.value.issues] == [("deal.yaml", "set: providr.shrinkage")]
    with pytest.raises(ScenarioError) as err:  # a variant's paths are checked as it is read
        validate_scenario({**deal.raw(), "variants": {"wet": {"providr.shrinkage": 0.3}}})
    assert [i.path for i in err.value.issues] == ["variants.wet: providr.shrinkage"]
