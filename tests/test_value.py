"""The value of service quality: a tier's own value per contact, the churn a tier
avoids (retention) and the sales a revenue share brings, as the client's value.

Values are worked by hand; with ``client.min_roi`` the model's tier and price are
checked against an enumeration of every (tier, price) of a one-category deal (the value
recomputed here from the formula, not from ``client_value``); a result claiming a value
the scenario does not give must fail verification; bad value fields get one message
each; a property checks the retention value of random churn tables.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from helpers import make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.analysis.verify import verify
from optimizer.errors import ScenarioError, VerificationError
from optimizer.milp.model import build_model
from optimizer.milp.solve import solve
from optimizer.options import RunOptions, SolveOptions
from optimizer.pipeline import run_scenario
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.staffing import costs
from optimizer.staffing.requirements import build_requirements

RETENTION = {"customers": 2000, "churn_by_tier": {"bronze": 0.025, "gold": 0.015},
             "lifetime_value": 900}  # fmt: skip
"""Gold avoids 2,000 x (0.025 - 0.015) x 900 = 18,000 of churn a month; silver,
not listed, churns as bronze."""


def care_raw(**client: Any) -> dict[str, Any]:
    """One voice category ``care`` (10,000 contacts, 5 minutes) with three tiers:
    bronze, silver (its own value per contact 3.3 instead of 3.0) and gold (retention)."""
    return {
        "scenario": "retention",
        "calendar": {"interval_minutes": 60},
        "provider": {"min_margin": -0.9, "sites": [{"name": "home", "hourly_cost": 15.0}]},
        "categories": [
            {
                "name": "care",
                "channel": "voice",
                "contacts_per_month": 10000,
                "aht_seconds": 300,
                "pricing": "per_contact",
                "value_per_contact": 3.0,
                "retention": RETENTION,
                "tiers": [
                    {"name": "bronze", "service_level": 0.6, "answer_within_seconds": 60,
                     "prices": [2.6, 3.0, 3.4]},
                    {"name": "silver", "service_level": 0.8, "answer_within_seconds": 20,
                     "value_per_contact": 3.3, "prices": [2.8, 3.2, 3.6]},
                    {"name": "gold", "service_level": 0.9, "answer_within_seconds": 15,
                     "prices": [3.0, 3.4, 3.8]},
                ],
            }
        ],
        "client": client,
    }  # fmt: skip


def care(**client: Any) -> Scenario:
    return validate_scenario(care_raw(**client), "<test>")


# ------------------------------------------------------------------ by hand


def test_retention_value_by_hand() -> None:
    """1,000 handled: bronze 1,000 x 3.0 = 3,000 (the baseline avoids nothing); silver
    1,000 x 3.3 = 3,300 (its own value, churn as bronze); gold 3,000 + 2,000 x
    (0.025 - 0.015) x 900 = 3,000 + 18,000 = 21,000."""
    cat = care().category("care")
    got = {t.name: costs.client_value(cat, 1000.0, t.name) for t in cat.tiers}
    assert got == pytest.approx({"bronze": 3000.0, "silver": 3300.0, "gold": 21000.0})


def test_sales_count_as_value_unless_left_out() -> None:
    """A revenue share at 10% of sales, 1,000 handled, 10% convert, 50 a sale: the
    client's value is 1,000 x 0.1 x 50 = 5,000, or 0 with ``sales_are_value: false``."""
    share = {
        "categories.calls.pricing": "revenue_share",
        "categories.calls.conversion_rate": 0.1,
        "categories.calls.value_per_sale": 50,
        "categories.calls.tiers.std.prices": [0.1],
    }
    sales = make_scenario(**share).category("calls")
    asked = make_scenario(**share, **{"categories.calls.sales_are_value": True})
    left_out = make_scenario(**share, **{"categories.calls.sales_are_value": False})
    assert costs.client_value(sales, 1000.0, "std") == pytest.approx(5000.0)
    assert costs.client_value(asked.category("calls"), 1000.0, "std") == pytest.approx(5000.0)
    assert costs.client_value(left_out.category("calls"), 1000.0, "std") == 0.0


def test_value_without_a_tier() -> None:
    """Without tier-dependent value the tier may be left out (as before); with it the
    call must name the tier."""
    calls = make_scenario(**{"categories.calls.value_per_contact": 2.0}).category("calls")
    assert costs.client_value(calls, 500.0) == costs.client_value(calls, 500.0, "std") == 1000.0
    with pytest.raises(ValueError, match="name the tier"):
        costs.client_value(care().category("care"), 500.0)


@settings(max_examples=30, deadline=None)
@given(
    customers=st.integers(0, 10**6),
    base=st.integers(0, 1000),
    gold_share=st.integers(0, 100),
    lifetime=st.integers(0, 10**6).map(lambda n: n / 100),
)
def test_retention_property(customers: int, base: int, gold_share: int, lifetime: float) -> None:
    """For any churn table with gold at most the baseline: gold's value exceeds bronze's
    by customers x (base - gold churn) x lifetime value, never less than 0; silver (not
    listed) adds only its value per contact."""
    churn = {"bronze": base / 1000, "gold": base * gold_share / 100 / 1000}
    raw = care_raw()
    raw["categories"][0]["retention"] = {
        "customers": customers, "churn_by_tier": churn, "lifetime_value": lifetime,
    }  # fmt: skip
    cat = validate_scenario(raw).category("care")
    avoided = costs.client_value(cat, 100.0, "gold") - costs.client_value(cat, 100.0, "bronze")
    expected = customers * (churn["bronze"] - churn["gold"]) * lifetime
    assert avoided == pytest.approx(expected, rel=1e-9, abs=1e-6)
    assert avoided >= -1e-9
    silver = costs.client_value(cat, 100.0, "silver") - costs.client_value(cat, 100.0, "bronze")
    assert silver == pytest.approx(100 * (3.3 - 3.0))


# ------------------------------------------------------------------ the model's choice


def _by_hand_value(scenario: Scenario, tier: str, handled: float) -> float:
    """The value of ``care`` at ``tier`` from the formula (not from client_value)."""
    per_contact = {"bronze": 3.0, "silver": 3.3, "gold": 3.0}[tier]
    churn = RETENTION["churn_by_tier"]
    avoided = churn["bronze"] - churn.get(tier, churn["bronze"])
    return handled * per_contact + 2000 * avoided * 900


@pytest.mark.parametrize("roi", [None, 0.0, 0.1, 0.15, 0.2, 0.5, 1.0])
def test_roi_choice_matches_brute_force(roi: float | None) -> None:
    """The solved margin (and tier) equals the best over every (tier, price) whose value
    keeps value >= (1 + min_roi) x spend and the margin floor; each tier's staffing cost
    from the model pinned to it without the ROI floor."""
    free = care()
    scenario = care(**({} if roi is None else {"min_roi": roi}))
    reqs = build_requirements(scenario)
    result = run_scenario(scenario, RunOptions(explain=False, diagnose=False))
    options = []
    for tier in free.category("care").tiers:
        pinned = {"care": (tier.name, (tier.price_points() or (0.0,))[0])}
        base = verify(free, reqs, solve(build_model(free, reqs, choices=pinned), SolveOptions()))
        assert base.totals is not None
        need = reqs.category("care").tier(tier.name)
        value = _by_hand_value(scenario, tier.name, need.handled_per_month)
        for price in tier.price_points() or ():
            revenue = price * need.billable_per_month
            margin = revenue - base.totals.cost
            if roi is not None and value < (1 + roi) * revenue - 1e-6:
                continue
            if margin >= -0.9 * revenue - 1e-6:
                options.append((margin, tier.name, price))
    if not options:
        assert result.totals is None
        return
    best = max(options)
    assert result.totals is not None
    assert result.totals.margin == pytest.approx(best[0], rel=1e-9, abs=1e-6)
    assert (result.categories[0].tier, result.categories[0].price) == best[1:]


def test_roi_favours_the_tier_that_pays_for_itself() -> None:
    """Without an ROI floor bronze (cheapest to staff) wins; at 20% only gold's avoided
    churn pays for the spend."""
    free = run_scenario(care(), RunOptions(explain=False, diagnose=False))
    floor = run_scenario(care(min_roi=0.2), RunOptions(explain=False, diagnose=False))
    assert free.categories[0].tier == "bronze"
    assert floor.categories[0].tier == "gold"


# ------------------------------------------------------------------ verification


def test_verification_rejects_a_claimed_value() -> None:
    """A solution from a model that valued gold's kept customers at twice their lifetime
    value passes its own scenario and fails the real one (the client ROI is recomputed
    from the scenario); so does the real solution claiming silver at gold's price."""
    scenario = care(min_roi=0.5)
    reqs = build_requirements(scenario)
    doubled = scenario.with_overrides({"categories.care.retention.lifetime_value": 1800})
    inflated = solve(build_model(doubled, reqs), SolveOptions())
    verify(doubled, reqs, inflated)
    with pytest.raises(VerificationError, match="client ROI"):
        verify(scenario, reqs, inflated)
    honest = solve(build_model(scenario, reqs), SolveOptions())
    verify(scenario, reqs, honest)
    assert honest.choices["care"].tier == "gold"
    swapped = {"care": replace(honest.choices["care"], tier="silver")}
    with pytest.raises(VerificationError, match="client ROI"):
        verify(scenario, reqs, replace(honest, choices=swapped))


# ------------------------------------------------------------------ bad value fields


def _issues(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ScenarioError) as err:
        validate_scenario(raw, "<test>")
    return {i.path: i.expected for i in err.value.issues}


CHURN = "categories[0].retention.churn_by_tier"


@pytest.mark.parametrize(
    ("churn", "path", "expected"),
    [
        ({"bronze": 0.02, "platinum": 0.01}, f"{CHURN}.platinum",
         "a tier of care (bronze, silver, gold)"),
        ({"gold": 0.01}, CHURN, "a churn rate for the lowest tier 'bronze'"),
        ({"bronze": 0.02, "gold": 0.03}, f"{CHURN}.gold", "at most the lowest tier's churn"),
        ({"bronze": 1.5}, f"{CHURN}.bronze", "[0, 1]"),
        ({}, CHURN, "at least 1"),
    ],
)  # fmt: skip
def test_bad_churn_tables_name_the_field(churn: dict, path: str, expected: str) -> None:
    raw = care_raw()
    raw["categories"][0]["retention"] = {**RETENTION, "churn_by_tier": churn}
    found = _issues(raw)
    assert path in found, found
    assert expected in found[path]


def test_bad_value_fields_name_the_field() -> None:
    """Sales as value need a revenue share; a project tier has no contacts to value;
    a tier's value per contact is money."""
    raw = care_raw()
    raw["categories"][0]["sales_are_value"] = True
    assert "revenue_share" in _issues(raw)["categories[0].sales_are_value"]
    raw = care_raw()
    raw["categories"][0]["tiers"][2]["value_per_contact"] = -1
    assert "[0, 1e12]" in _issues(raw)["categories[0].tiers[2].value_per_contact"]
    raw = care_raw()
    raw["categories"].append(
        {"name": "study", "channel": "project", "effort_hours": 10, "specialist_hourly_cost": 90,
         "pricing": "fixed_fee", "tiers": [{"name": "std", "prices": [100],
                                            "value_per_contact": 2}]}
    )  # fmt: skip
    assert "no contacts" in _issues(raw)["categories[1].tiers[0].value_per_contact"]
