"""Every problem of a file at once: a bad field does not hide a cross-field problem.

A bad number (``aht_seconds: 0``) failed the field step, and the cross-field step (a
tier without prices, a profile of the wrong length, an unknown minimum tier, two
categories of one name, a variant's own problems) never ran: those came one fix later
(found by a probe). ``optimizer.scenario.partial_checks`` repairs the bad numbers twice
and reports what both repairs find; a problem only a stand-in value causes is not
reported, nor the missing field a mistyped key leaves.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from optimizer.errors import ScenarioError
from optimizer.scenario.schema import example_raw, validate_scenario

Edit = Callable[[dict[str, Any]], None]


def _paths(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        validate_scenario(raw, "deal.yaml")
    return [i.path for i in err.value.issues]


def _bad_aht(raw: dict[str, Any]) -> None:
    raw["categories"][0]["aht_seconds"] = 0


def _no_prices(raw: dict[str, Any]) -> None:
    raw["categories"][0]["tiers"][0]["prices"] = []


def _short_profile(raw: dict[str, Any]) -> None:
    raw["categories"][0]["profile"] = [1, 2]


def _unknown_min_tier(raw: dict[str, Any]) -> None:
    raw["client"] = {"min_tier": {"calls": "platinum"}}


def _same_name(raw: dict[str, Any]) -> None:
    raw["categories"][1]["name"] = "calls"


def _bad_variant(raw: dict[str, Any]) -> None:
    raw["variants"] = {"busy": {"categories.mail.contacts_per_month": -5}}


@pytest.mark.parametrize(
    ("second", "path"),
    [
        (_no_prices, "categories[0].tiers[0].prices"),
        (_short_profile, "categories[0].profile"),
        (_unknown_min_tier, "client.min_tier.calls"),
        (_same_name, "categories[1].name"),
        (_bad_variant, "variants.busy: categories[1].contacts_per_month"),
    ],
    ids=["no prices", "profile length", "min tier", "duplicate name", "variant"],
)
def test_a_bad_number_does_not_hide_a_cross_field_problem(second: Edit, path: str) -> None:
    raw = copy.deepcopy(example_raw())
    second(raw)
    assert _paths(raw) == [path]  # alone, as before
    _bad_aht(raw)
    assert _paths(raw) == ["categories[0].aht_seconds", path]


def test_a_problem_of_a_stand_in_is_not_reported() -> None:
    """gold's 1.5 is out of range; replaced by a small number, gold would come below
    silver (tiers go from the lowest service up): that is not a problem of the file."""
    raw = copy.deepcopy(example_raw())
    tiers = raw["categories"][0]["tiers"]
    tiers.append({**tiers[0], "name": "gold", "service_level": 1.5})
    assert _paths(raw) == ["categories[0].tiers[1].service_level"]


def test_a_typo_is_one_problem_not_also_the_field_it_misses() -> None:
    """``aht_secnds`` is unknown (with its guess); that it leaves ``aht_seconds``
    missing is the same problem. A problem elsewhere is still found."""
    raw = copy.deepcopy(example_raw())
    raw["categories"][0]["aht_secnds"] = raw["categories"][0].pop("aht_seconds")
    _same_name(raw)
    assert _paths(raw) == ["categories[0].aht_secnds", "categories[1].name"]


def test_a_wrong_type_is_not_repaired() -> None:
    """Only numbers out of range and unknown keys are repaired: with a text where a
    number goes, the field step's problems are all there is."""
    raw = copy.deepcopy(example_raw())
    raw["categories"][0]["aht_seconds"] = "long"
    _no_prices(raw)
    assert _paths(raw) == ["categories[0].aht_seconds"]
