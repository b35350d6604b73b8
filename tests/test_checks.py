"""Tests of optimizer.scenario.rules: every cross-field check, each with its exact field path.

The example scenario (``helpers.make_raw``) has one site ``home`` and two
categories: ``calls`` (voice, index 0) and ``mail`` (deferred, index 1), each with
one tier ``std``.
"""

from __future__ import annotations

import pytest
from helpers import make_raw

from optimizer.errors import MISSING, ScenarioError
from optimizer.scenario.rules import cross_checks
from optimizer.scenario.schema import Scenario, validate_scenario

CHAT = {
    "name": "chat",
    "channel": "chat",
    "contacts_per_month": 5000,
    "aht_seconds": 420,
    "concurrency": 2.5,
    "pricing": "revenue_share",
    "conversion_rate": 0.12,
    "value_per_sale": 220,
    "tiers": [{"name": "std", "service_level": 0.8, "answer_within_seconds": 60,
               "prices": {"min": 0.05, "max": 0.12}}],
}  # fmt: skip
STUDY = {
    "name": "study",
    "channel": "project",
    "effort_hours": 320,
    "specialist_hourly_cost": 95,
    "pricing": "fixed_fee",
    "tiers": [{"name": "std", "prices": [38000, 42000]}],
}


def problems(raw) -> dict[str, object]:
    """Validate ``raw`` and return {path: value} of every issue (fails if it is valid)."""
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw, "deal.yaml")
    return {issue.path: issue.value for issue in info.value.issues}


def with_category(extra: dict, **overrides) -> dict:
    """The example raw mapping with a third category appended (index 2)."""
    raw = make_raw(**overrides)
    raw["categories"].append(extra)
    return raw


def with_tier_fields(**fields) -> dict:
    """The example with extra fields on the calls tier (categories[0].tiers[0])."""
    raw = make_raw()
    raw["categories"][0]["tiers"][0].update(fields)
    return raw


def test_example_passes_every_check():
    """The example scenario has no cross-field problems."""
    raw = make_raw()
    assert cross_checks(Scenario.model_validate(raw), "deal.yaml") == []


# ------------------------------------------------------------------ names


def test_duplicate_category_names():
    """Two categories with the same name are one issue, at the second (naming the first)."""
    assert problems(make_raw(**{"categories.mail.name": "calls"})) == {
        "categories[1].name": "calls"
    }


def test_duplicate_site_names():
    """Two sites with the same name are one issue, at the second."""
    raw = make_raw()
    raw["provider"]["sites"].append({"name": "home", "hourly_cost": 9.0})
    assert problems(raw) == {"provider.sites[1].name": "home"}


def test_duplicate_tier_names():
    """Two tiers of one category with the same name."""
    raw = make_raw()
    raw["categories"][1]["tiers"].append(
        {"name": "std", "share": 0.9, "within_hours": 4, "prices": [3.0]}
    )
    last = len(raw["categories"][1]["tiers"]) - 1  # the appended one: the second "std"
    assert problems(raw) == {f"categories[1].tiers[{last}].name": "std"}


def test_site_names_a_category_with_a_typo():
    """A name in a site's category list close to a real category is a typo; a name far
    from every category is one the deal does not have (ignored, with a warning)."""
    raw = make_raw(**{"provider.sites.home.categories": ["calls", "mail", "cals"]})
    assert problems(raw) == {"provider.sites[0].categories[2]": "cals"}
    raw = make_raw(**{"provider.sites.home.categories": ["calls", "mail", "chat"]})
    with pytest.warns(UserWarning, match="'chat' is not a category of this deal"):
        scenario = validate_scenario(raw, "deal.yaml")
    assert [s.name for s in scenario.sites_for("mail")] == ["home"]


def test_a_long_list_of_names_is_cut_short():
    """A misspelt name among 400 categories: the message lists a dozen names and how many
    more, not all 400 (18,000 characters a line on a 2,000-category file)."""
    raw = make_raw()
    mail = raw["categories"][1]
    raw["categories"] += [dict(mail, name=f"mail{i:03d}") for i in range(400)]
    names = [c["name"] for c in raw["categories"]]
    raw["provider"]["sites"][0]["categories"] = [*names, "mail0001"]
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw, "deal.yaml")
    (issue,) = info.value.issues
    assert issue.path == "provider.sites[0].categories[402]"
    assert issue.expected.endswith("and 390 more)") and len(str(issue)) < 300


def test_category_no_site_may_handle():
    """A queue or deferred category needs at least one site that may handle it."""
    raw = make_raw(**{"provider.sites.home.categories": ["mail"]})
    assert problems(raw) == {"categories[0].name": "calls"}


def test_project_needs_no_site():
    """Project work is not staffed by a site, so no site has to list it."""
    raw = with_category(STUDY, **{"provider.sites.home.categories": ["calls", "mail"]})
    assert validate_scenario(raw).category("study").is_project


# ------------------------------------------------------------------ channel fields


@pytest.mark.parametrize(
    ("index", "field"),
    [(0, "contacts_per_month"), (0, "aht_seconds"), (1, "contacts_per_month"),
     (1, "aht_seconds")],
    ids=["voice_volume", "voice_aht", "deferred_volume", "deferred_aht"],
)  # fmt: skip
def test_queue_and_deferred_need_volume_and_aht(index, field):
    """Voice and deferred categories need contacts and handle time."""
    raw = make_raw()
    del raw["categories"][index][field]
    assert problems(raw) == {f"categories[{index}].{field}": MISSING}


@pytest.mark.parametrize("field", ["effort_hours", "specialist_hourly_cost"])
def test_project_needs_effort_and_cost(field):
    """A project category needs its effort and the specialists' hourly cost."""
    study = {k: v for k, v in STUDY.items() if k != field}
    assert problems(with_category(study)) == {f"categories[2].{field}": MISSING}


@pytest.mark.parametrize(
    ("index", "field", "value"),
    [(1, "patience_seconds", 120.0), (0, "effort_hours", 10.0),
     (0, "specialist_hourly_cost", 90.0)],
    ids=["deferred_patience", "voice_effort", "voice_specialist_cost"],
)  # fmt: skip
def test_fields_a_channel_does_not_use(index, field, value):
    """Fields that belong to another channel are refused, not ignored."""
    raw = make_raw(**{f"categories.{index}.{field}": value})
    assert problems(raw) == {f"categories[{index}].{field}": value}


@pytest.mark.parametrize(
    ("field", "value"), [("contacts_per_month", 100.0), ("aht_seconds", 300.0),
                         ("patience_seconds", 60.0)],
)  # fmt: skip
def test_project_has_no_contacts(field, value):
    """Project work has no contacts, handle time or patience."""
    assert problems(with_category({**STUDY, field: value})) == {f"categories[2].{field}": value}


# ------------------------------------------------------------------ pricing


def test_per_resolution_needs_resolution_rate():
    """Per-resolution pricing needs the resolution rate."""
    raw = make_raw(**{"categories.calls.pricing": "per_resolution"})
    assert problems(raw) == {"categories[0].resolution_rate": MISSING}


@pytest.mark.parametrize("field", ["conversion_rate", "value_per_sale"])
def test_revenue_share_needs_conversion_and_value(field):
    """Revenue-share pricing needs the conversion rate and the value of a sale."""
    chat = {k: v for k, v in CHAT.items() if k != field}
    assert problems(with_category(chat)) == {f"categories[2].{field}": MISSING}


def test_revenue_share_prices_are_fractions():
    """Revenue-share prices above 1 (percentages) are refused on the tier's prices."""
    chat = {**CHAT, "tiers": [{**CHAT["tiers"][0], "prices": [8, 10]}]}
    assert problems(with_category(chat)) == {"categories[2].tiers[0].prices": (8.0, 10.0)}


def test_project_must_be_fixed_fee():
    """Project work is sold for a fixed fee only."""
    study = {**STUDY, "pricing": "per_contact"}
    assert problems(with_category(study)) == {"categories[2].pricing": "per_contact"}


def test_deferred_cannot_be_per_resolution():
    """Deferred work cannot be billed per resolution."""
    raw = make_raw(
        **{"categories.mail.pricing": "per_resolution", "categories.mail.resolution_rate": 0.8}
    )
    assert problems(raw) == {"categories[1].pricing": "per_resolution"}


def test_max_premium_needs_benchmark():
    """A premium over a competitor's price needs that price."""
    raw = make_raw(**{"categories.calls.max_premium": 0.1})
    assert problems(raw) == {"categories[0].benchmark_price": MISSING}


def test_empty_price_list():
    """A tier with no prices has nothing to sell."""
    raw = make_raw(**{"categories.calls.tiers.std.prices": []})
    assert problems(raw) == {"categories[0].tiers[0].prices": []}


@pytest.mark.parametrize("step", [None, 0.1], ids=["continuous", "stepped"])
def test_price_range_max_below_min(step):
    """A range whose max is below its min is reported on prices.max, stepped or not."""
    menu = {"min": 4.4, "max": 4.0} | ({"step": step} if step else {})
    raw = make_raw(**{"categories.calls.tiers.std.prices": menu})
    assert problems(raw) == {"categories[0].tiers[0].prices.max": 4.0}


# ------------------------------------------------------------------ tiers


@pytest.mark.parametrize("field", ["service_level", "answer_within_seconds"])
def test_queue_tier_needs_service_level_and_time(field):
    """A voice tier needs both halves of '80% within 20 s'."""
    raw = make_raw()
    del raw["categories"][0]["tiers"][0][field]
    assert problems(raw) == {f"categories[0].tiers[0].{field}": MISSING}


@pytest.mark.parametrize("field", ["share", "within_hours"])
def test_deferred_tier_needs_share_and_hours(field):
    """A deferred tier needs both halves of '95% within 24 h'."""
    raw = make_raw()
    del raw["categories"][1]["tiers"][0][field]
    assert problems(raw) == {f"categories[1].tiers[0].{field}": MISSING}


@pytest.mark.parametrize(("field", "value"), [("share", 0.9), ("within_hours", 24.0)])
def test_queue_tier_refuses_deferred_fields(field, value):
    """A voice tier may not carry deferred-work targets."""
    assert problems(with_tier_fields(**{field: value})) == {
        f"categories[0].tiers[0].{field}": value
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("service_level", 0.8), ("answer_within_seconds", 20.0), ("max_abandon", 0.05)],
)
def test_deferred_tier_refuses_queue_fields(field, value):
    """A deferred tier may not carry queue targets."""
    raw = make_raw(**{f"categories.mail.tiers.std.{field}": value})
    assert problems(raw) == {f"categories[1].tiers[0].{field}": value}


def test_project_tier_refuses_service_targets():
    """A project tier has a price and nothing else."""
    study = {**STUDY, "tiers": [{"name": "std", "prices": [40000], "share": 0.9}]}
    assert problems(with_category(study)) == {"categories[2].tiers[0].share": 0.9}


def test_max_abandon_needs_patience():
    """An abandonment cap needs patience_seconds (Erlang A)."""
    raw = with_tier_fields(max_abandon=0.05)
    assert problems(raw) == {"categories[0].tiers[0].max_abandon": 0.05}


def test_max_abandon_with_patience_is_fine():
    """With patience given, a tier may cap abandonment, on voice and chat alike."""
    raw = with_tier_fields(max_abandon=0.05)
    raw["categories"][0]["patience_seconds"] = 120
    chat = {**CHAT, "patience_seconds": 300,
            "tiers": [{**CHAT["tiers"][0], "max_abandon": 0.1}]}  # fmt: skip
    raw["categories"].append(chat)
    assert validate_scenario(raw).category("calls").tiers[0].max_abandon == 0.05


# ------------------------------------------------------------------ profiles and hours


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("office_hours", "one of business_hours"),
        ([1.0] * 25, "a list of 336"),
        ([0.0] * 24, "at least one positive weight"),
        ({"days": [1] * 7, "intraday": [1] * 10}, '"intraday" as a list of 48'),
        ({"csv": "p.csv", "column": "calls"}, "read by the loader"),
    ],
    ids=["unknown_name", "wrong_length", "all_zero", "bad_intraday", "csv_unread"],
)
def test_profile_problems(profile, expected):
    """Profile problems are reported on the category's profile with what was expected."""
    raw = make_raw(**{"categories.calls.profile": profile})
    with pytest.raises(ScenarioError) as info:
        validate_scenario(raw)
    (issue,) = info.value.issues
    assert issue.path == "categories[0].profile"
    assert expected in issue.expected


def test_long_weight_lists_are_abbreviated():
    """A wrong-length weight list is shown by its length, not printed in full."""
    raw = make_raw(**{"categories.calls.profile": [1.0] * 100})
    assert problems(raw) == {"categories[0].profile": "<list of 100 weights>"}


def test_no_volume_within_open_hours():
    """A profile with no weight inside the opening hours is refused."""
    raw = make_raw(**{"categories.calls.open_hours": {"sun": "10:00-16:00"}})
    assert problems(raw) == {"categories[0].profile": "business_hours"}


@pytest.mark.parametrize(
    "hours",
    [{"mon-fri": "08:00-25:00"}, {"mon-fry": "08:00-20:00"}, {"mon": "8-20"},
     {"mon": "08:00-08:00"}],
    ids=["hour_25", "bad_day", "bad_format", "empty_range"],
)  # fmt: skip
def test_bad_open_hours(hours):
    """Opening hours that do not parse are reported on open_hours."""
    raw = make_raw(**{"categories.calls.open_hours": hours})
    assert problems(raw) == {"categories[0].open_hours": hours}


def test_deferred_profile_is_checked_too():
    """Deferred work has a profile and hours, checked like a queue's."""
    raw = make_raw(**{"categories.mail.profile": "nine_to_five"})
    assert problems(raw) == {"categories[1].profile": "nine_to_five"}


# ------------------------------------------------------------------ client


def test_min_tier_unknown_category():
    """min_tier may only name real categories: the mapping is named, with the bad key
    (not 'client.min_tier.billing = billing', which read as the tier; found by a probe)."""
    raw = make_raw(**{"client.min_tier": {"billing": "std"}})
    assert problems(raw) == {"client.min_tier": "billing"}


def test_min_tier_unknown_tier():
    """min_tier may only name a tier the category has."""
    raw = make_raw(**{"client.min_tier": {"calls": "gold"}})
    assert problems(raw) == {"client.min_tier.calls": "gold"}


# ------------------------------------------------------------------ shifts


def test_shift_start_off_the_interval_grid():
    """Shift starts must fall on interval boundaries."""
    raw = make_raw(**{"provider.shifts.start_every_minutes": 45})
    assert problems(raw) == {"provider.shifts.start_every_minutes": 45}


@pytest.mark.parametrize(("hours", "index"), [(7.25, 1), (25.0, 1)], ids=["off_grid", "too_long"])
def test_shift_length_problems(hours, index):
    """Shift lengths must be whole intervals and at most a day."""
    raw = make_raw(**{"provider.shifts.lengths_hours": [8, hours]})
    assert problems(raw) == {f"provider.shifts.lengths_hours[{index}]": hours}


def test_shift_settings_checked_against_interval_length():
    """A 30-minute shift grid is fine at 30-minute intervals but not at 60."""
    raw = make_raw(**{"provider.shifts.start_every_minutes": 30})
    assert validate_scenario(raw).provider.shifts.start_every_minutes == 30
    raw["calendar"]["interval_minutes"] = 60
    assert problems(raw) == {"provider.shifts.start_every_minutes": 30}


# ------------------------------------------------------------------ variants


def test_variant_path_missing():
    """A variant path naming nothing is reported under the variant's name."""
    raw = make_raw(variants={"up": {"categories.call.contacts_per_month": 11000}})
    assert problems(raw) == {"variants.up: categories.call.contacts_per_month": 11000}


def test_variant_bad_value():
    """A variant that would make the scenario invalid is reported with the broken field."""
    raw = make_raw(variants={"down": {"categories.calls.contacts_per_month": -1}})
    assert problems(raw) == {"variants.down: categories[0].contacts_per_month": -1}


def test_variant_breaking_a_cross_check():
    """Variants are checked with the cross-field rules too."""
    raw = make_raw(variants={"shut": {"provider.sites.home.categories": ["calls"]}})
    assert problems(raw) == {"variants.shut: categories[1].name": "mail"}


def test_every_variant_checked():
    """Each broken variant is reported, not just the first."""
    raw = make_raw(variants={
        "a": {"categories.calls.aht_seconds": 0},
        "b": {"categories.mail.aht_seconds": 0},
        "ok": {"categories.calls.aht_seconds": 240},
    })  # fmt: skip
    assert set(problems(raw)) == {
        "variants.a: categories[0].aht_seconds",
        "variants.b: categories[1].aht_seconds",
    }


def test_variants_checked_only_once_the_base_is_valid():
    """While the base has problems, variants are not checked (their errors would echo them)."""
    raw = make_raw(
        variants={"up": {"categories.nope.aht_seconds": 1}},
        **{"client.min_tier": {"calls": "gold"}},
    )
    assert problems(raw) == {"client.min_tier.calls": "gold"}


def test_several_cross_field_problems_at_once():
    """Independent cross-field problems are all reported together."""
    raw = make_raw(
        **{
            "categories.calls.max_premium": 0.1,
            "client.min_tier": {"x": "std"},
            "provider.shifts.start_every_minutes": 45,
        }
    )
    assert set(problems(raw)) == {
        "categories[0].benchmark_price",
        "client.min_tier",
        "provider.shifts.start_every_minutes",
    }


# ------------------------------------------------------------------ tier order (issue 11.6)

STANDARD = {"name": "standard", "service_level": 0.8, "answer_within_seconds": 30, "prices": [4.0]}
PRIORITY = {"name": "priority", "service_level": 0.9, "answer_within_seconds": 20, "prices": [5.0]}


def tier_problems(tiers: list[dict], category: str = "calls", **extra) -> dict[str, object]:
    """Issues of the example with ``category``'s tiers replaced by ``tiers``."""
    raw = make_raw(**extra)
    index = 0 if category == "calls" else 1
    raw["categories"][index]["tiers"] = tiers
    return problems(raw)


def test_tiers_listed_highest_first_are_refused():
    """The issue's case: "priority" (90/20) before "standard" (80/30) names both tiers."""
    with pytest.raises(ScenarioError) as info:
        raw = make_raw(**{"client.min_tier": {"calls": "priority"}})
        raw["categories"][0]["tiers"] = [PRIORITY, STANDARD]
        validate_scenario(raw, "deal.yaml")
    (issue,) = info.value.issues
    assert issue.path == "categories[0].tiers[1].service_level"
    assert issue.value == 0.8
    assert "'priority'" in issue.expected and "at least 0.9" in issue.expected
    assert "lowest service to the highest" in issue.expected


def test_tiers_in_order_are_valid():
    """Lowest first passes, and so does a later tier that adds an abandon cap."""
    raw = make_raw(**{"categories.calls.patience_seconds": 120})
    capped = {**PRIORITY, "max_abandon": 0.03}
    raw["categories"][0]["tiers"] = [STANDARD, capped]
    assert validate_scenario(raw).category("calls").tiers[1].name == "priority"


@pytest.mark.parametrize(
    ("second", "field"),
    [
        ({"service_level": 0.9, "answer_within_seconds": 40}, "answer_within_seconds"),
        ({"service_level": 0.7, "answer_within_seconds": 10}, "service_level"),
    ],
    ids=["longer_answer_time", "lower_service_level"],
)
def test_incomparable_voice_tiers_are_refused(second, field):
    """A tier trading one dimension for another cannot be ordered: the weaker field is named."""
    later = {"name": "later", "prices": [5.0], **second}
    found = tier_problems([STANDARD, later])
    assert list(found) == [f"categories[0].tiers[1].{field}"]


def test_dropping_an_abandon_cap_is_weaker():
    """A later tier without the earlier tier's abandon cap promises less on abandonment."""
    capped = {**STANDARD, "max_abandon": 0.05}
    found = tier_problems([capped, PRIORITY], **{"categories.calls.patience_seconds": 120})
    assert found == {"categories[0].tiers[1].max_abandon": MISSING}


def test_tiers_promising_the_same_are_refused():
    """Two tiers with the same service cannot be ordered either."""
    same = {**STANDARD, "name": "standard_plus", "prices": [4.5]}
    assert tier_problems([STANDARD, same]) == {"categories[0].tiers[1]": "standard_plus"}


@pytest.mark.parametrize(
    ("second", "ok"),
    [
        ({"share": 0.95, "within_hours": 8}, True),
        ({"share": 0.98, "within_hours": 24}, True),
        ({"share": 0.90, "within_hours": 8}, False),
        ({"share": 0.95, "within_hours": 48}, False),
    ],
)
def test_deferred_tiers_ordered_by_share_and_deadline(second, ok):
    """Deferred tiers: a higher share is more, a shorter deadline is more; both must agree."""
    first = {"name": "next_day", "share": 0.95, "within_hours": 24, "prices": [2.0]}
    later = {"name": "fast", "prices": [2.5], **second}
    raw = make_raw()
    raw["categories"][1]["tiers"] = [first, later]
    if ok:
        assert validate_scenario(raw).category("mail").tiers[1].name == "fast"
    else:
        assert len(problems(raw)) == 1


def test_project_tiers_have_no_order():
    """Project tiers promise no service: any order is accepted."""
    tiers = [{"name": "full", "prices": [9.0]}, {"name": "lite", "prices": [1.0]}]
    study = {**STUDY, "tiers": tiers}
    assert validate_scenario(with_category(study)).category("study").tiers[0].name == "full"


# ------------------------------------------------------------------ revenue scale (issue 12.8)


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"categories.calls.tiers.std.prices": [1e12]}, "categories[0].tiers[0].prices"),
        (
            {
                "categories.calls.contacts_per_month": 1e9,
                "categories.calls.tiers.std.prices": [1e9],
            },
            "categories[0].tiers[0].prices",
        ),
    ],
)
def test_prices_giving_absurd_revenue_are_input_errors(overrides, path):
    """Each number in range, but price x volume past 1e12 a month: exit 2, not a solver error."""
    found = problems(make_raw(**overrides))
    assert list(found) == [path]
