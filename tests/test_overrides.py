"""Tests of optimizer.scenario.overrides: dotted paths by name, index and wildcard, on copies."""

from __future__ import annotations

import pytest

from optimizer.scenario.overrides import PathError, apply_overrides, update_path


def deal():
    """A small raw scenario-like mapping (lists of named items, nested mappings)."""
    return {
        "provider": {
            "shrinkage": 0.3,
            "sites": [
                {"name": "helsinki", "hourly_cost": 34.0, "seats": 45},
                {"name": "tallinn", "hourly_cost": 21.0},
            ],
        },
        "categories": [
            {"name": "billing", "contacts_per_month": 42000,
             "tiers": [{"name": "silver", "prices": [0.9]}, {"name": "gold", "prices": [1.0]}]},
            {"name": "email", "contacts_per_month": 9000,
             "tiers": [{"name": "standard", "prices": [3.6]}]},
        ],
        "client": {"min_tier": {"billing": "silver", "email": "standard"}},
    }  # fmt: skip


def applied(overrides):
    """Apply overrides to a fresh deal; fail the test if any path is refused."""
    new, issues = apply_overrides(deal(), overrides, "deal.yaml")
    assert issues == []
    return new


# ------------------------------------------------------------------ paths


def test_list_items_by_name():
    """A segment naming a list item's ``name`` selects that item."""
    new = applied({"categories.email.contacts_per_month": 9900})
    assert new["categories"][1]["contacts_per_month"] == 9900
    assert new["categories"][0]["contacts_per_month"] == 42000


def test_nested_names():
    """Names work at every depth (category, then tier)."""
    new = applied({"categories.billing.tiers.gold.prices": [1.02, 1.06]})
    assert new["categories"][0]["tiers"][1]["prices"] == [1.02, 1.06]


def test_list_items_by_index():
    """A numeric segment selects a list item by position."""
    new = applied({"provider.sites.1.hourly_cost": 22.4, "categories.0.tiers.0.prices": [0.8]})
    assert new["provider"]["sites"][1]["hourly_cost"] == 22.4
    assert new["categories"][0]["tiers"][0]["prices"] == [0.8]


def test_last_segment_may_name_an_optional_field():
    """The last segment may be a key not yet present (an optional field at its default)."""
    new = applied({"provider.sites.tallinn.seats": 70})
    assert new["provider"]["sites"][1]["seats"] == 70


def test_whole_item_can_be_replaced():
    """A path ending at a list item replaces that item."""
    new = applied({"provider.sites.tallinn": {"name": "riga", "hourly_cost": 19.0}})
    assert [s["name"] for s in new["provider"]["sites"]] == ["helsinki", "riga"]


def test_wildcard_over_list_items():
    """``*`` stands for every item of a list."""
    new = applied({"provider.sites.*.hourly_cost": 25.0})
    assert [s["hourly_cost"] for s in new["provider"]["sites"]] == [25.0, 25.0]


def test_wildcard_at_depth():
    """``*`` combines with other segments (every tier of every category)."""
    new = applied({"categories.*.tiers.*.prices": [1.0]})
    prices = [t["prices"] for c in new["categories"] for t in c["tiers"]]
    assert prices == [[1.0], [1.0], [1.0]]


def test_wildcard_over_mapping_keys():
    """``*`` as the last segment of a mapping sets every key."""
    new = applied({"client.min_tier.*": "gold"})
    assert new["client"]["min_tier"] == {"billing": "gold", "email": "gold"}


def test_update_path_counts_places_set():
    """``update_path`` reports how many places it changed."""
    root = deal()
    assert update_path(root, "categories.*.contacts_per_month", lambda old: old * 2) == 2
    assert [c["contacts_per_month"] for c in root["categories"]] == [84000, 18000]


# ------------------------------------------------------------------ errors


def test_missing_list_name_lists_known_names():
    """A name no list item has is an issue listing the names there are."""
    _, issues = apply_overrides(deal(), {"categories.biling.contacts_per_month": 1}, "deal.yaml")
    (issue,) = issues
    assert issue.file == "deal.yaml"
    assert issue.path == "variants: categories.biling.contacts_per_month"
    assert issue.value == 1
    assert "'biling' not found" in issue.expected
    assert "billing, email" in issue.expected


def test_missing_mapping_key_lists_known_keys():
    """A missing intermediate key is an issue listing the keys there are."""
    _, issues = apply_overrides(deal(), {"provder.shrinkage": 0.2}, "deal.yaml")
    (issue,) = issues
    assert "'provder' not found" in issue.expected
    known = issue.expected.split("known here: ")[1].rstrip(")").split(", ")
    assert {"categories", "client", "provider", "escalation", "uncertainty"} <= set(known)


def test_a_field_of_a_block_left_out_starts_the_block():
    """``escalation.wages`` on a deal without ``escalation``: the block starts with that
    field (its other fields at their defaults), as a hand edit would write it; a key the
    schema does not know is still refused."""
    new, issues = apply_overrides(deal(), {"escalation.wages": 0.03}, "deal.yaml")
    assert issues == [] and new["escalation"] == {"wages": 0.03}
    new, issues = apply_overrides(deal(), {"uncertainty.volume_cv": 0.2}, "deal.yaml")
    assert issues == [] and new["uncertainty"] == {"volume_cv": 0.2}
    _, issues = apply_overrides(deal(), {"escalations.wages": 0.03}, "deal.yaml")
    assert [i.path for i in issues] == ["variants: escalations.wages"]
    # A list of blocks (bonus levels) is not started as one block.
    name = deal()["categories"][0]["name"]
    _, issues = apply_overrides(deal(), {f"categories.{name}.terms.bonus.amount": 1}, "f")
    assert [i.path for i in issues] == [f"variants: categories.{name}.terms.bonus.amount"]


def test_index_out_of_range_is_an_issue():
    """An index past the end of a list is refused like an unknown name."""
    _, issues = apply_overrides(deal(), {"provider.sites.5.seats": 10}, "deal.yaml")
    (issue,) = issues
    assert "'5' not found" in issue.expected
    assert "helsinki, tallinn" in issue.expected


def test_where_labels_the_issue_path():
    """The ``where`` argument prefixes the path (e.g. the variant's name)."""
    _, issues = apply_overrides(deal(), {"nope.x": 1}, "f", where="variants.wage_rise")
    assert issues[0].path == "variants.wage_rise: nope.x"


def test_every_bad_path_is_reported():
    """Several bad paths give one issue each; good paths still apply to the copy."""
    new, issues = apply_overrides(
        deal(), {"a.b": 1, "provider.shrinkage": 0.25, "categories.x.y": 2}, "f"
    )
    assert [i.path for i in issues] == ["variants: a.b", "variants: categories.x.y"]
    assert new["provider"]["shrinkage"] == 0.25


@pytest.mark.parametrize("path", ["", "provider..shrinkage", ".provider", "provider."])
def test_malformed_paths_raise(path):
    """Empty paths and empty segments are refused."""
    with pytest.raises(PathError):
        update_path(deal(), path, lambda old: 1)


def test_path_through_a_scalar_is_refused():
    """A path cannot go below a plain value."""
    _, issues = apply_overrides(deal(), {"provider.shrinkage.low": 0.1}, "f")
    assert len(issues) == 1


# ------------------------------------------------------------------ copies


def test_original_is_left_untouched():
    """The input mapping, including nested lists, is not modified."""
    original = deal()
    apply_overrides(
        original,
        {"provider.sites.*.hourly_cost": 1.0, "categories.billing.tiers.gold.prices": [9]},
        "f",
    )
    assert original == deal()


def test_result_shares_nothing_with_input():
    """The result is a deep copy: changing it leaves the input alone."""
    original = deal()
    new, _ = apply_overrides(original, {}, "f")
    new["categories"][0]["tiers"][0]["prices"].append(5.0)
    new["provider"]["sites"].pop()
    assert original == deal()


def test_override_values_are_copied():
    """The same override value set in several places is copied, not shared."""
    value = [1.0, 2.0]
    new, _ = apply_overrides(deal(), {"categories.*.tiers.*.prices": value}, "f")
    value.append(3.0)
    lists = [t["prices"] for c in new["categories"] for t in c["tiers"]]
    assert lists == [[1.0, 2.0]] * 3
    lists[0].append(9.0)
    assert lists[1] == [1.0, 2.0]


def test_a_wildcard_passes_over_items_without_the_field():
    """``tiers.*.prices.max``: a range's max is set, a list of price points is passed
    over; without a wildcard, or when no item has the field, the path is refused."""
    root = {"tiers": [{"prices": {"min": 1, "max": 2}}, {"prices": [1, 2]}]}
    assert update_path(root, "tiers.*.prices.max", lambda old: 3) == 1
    assert root["tiers"] == [{"prices": {"min": 1, "max": 3}}, {"prices": [1, 2]}]
    with pytest.raises(PathError):
        update_path(root, "tiers.1.prices.max", lambda old: 3)
    with pytest.raises(PathError):
        update_path({"tiers": [{"prices": [1, 2]}]}, "tiers.*.prices.max", lambda old: 3)
