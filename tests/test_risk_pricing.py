"""Risk-aware pricing: a tier's ``confidence`` and ``objective: max_expected_margin``.

The deal: one voice category open Mon-Fri 09:00-17:00 (60-minute intervals, 4 weeks a
month, no shrinkage, one site at 10 an hour), 4,000 contacts a month of 180 s, daily
windows with 5% credit per missed day capped at 15%, volume cv 0.2, no handle-time or
absence variation and no Poisson noise (so the months differ only by their volume
multiplier), 400 pricing months. The checks:

* confidence: the tier staffed for it meets its windows in at least that share of the
  months, and more agents are paid than without it; a confidence already met changes
  nothing; an unreachable one is one message.
* the expected objective: its value equals the expected margin of the chosen plan
  re-simulated by the engine (the same months: one category, staffed exactly to its
  table), and it is the best of every option held in turn (brute force).
* the result reports the risk premium against the forecast-only plan.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from optimizer import cli
from optimizer.errors import ScenarioError
from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.results import FixedChoice
from optimizer.risk.pricing import confident_requirements, tier_months
from optimizer.scenario.schema import validate_scenario
from optimizer.staffing.requirements import build_requirements


def raw(objective: str = "max_margin", confidence: float | None = None) -> dict[str, Any]:
    std: dict[str, Any] = {
        "name": "std",
        "service_level": 0.8,
        "answer_within_seconds": 20,
        "prices": [3.0, 3.5],
    }
    if confidence is not None:
        std["confidence"] = confidence
    gold = {"name": "gold", "service_level": 0.9, "answer_within_seconds": 15, "prices": [3.6, 4.2]}
    return {
        "scenario": "risk pricing",
        "objective": objective,
        "calendar": {"interval_minutes": 60, "weeks_per_month": 4},
        "provider": {"shrinkage": 0.0, "sites": [{"name": "manila", "hourly_cost": 10}]},
        "uncertainty": {
            "volume_cv": 0.2,
            "aht_cv": 0.0,
            "absence_cv": 0.0,
            "intraday": "none",
            "pricing_draws": 400,
        },
        "sla": {"window": "day", "credit_pct": 0.05, "credit_cap": 0.15},
        "client": {"budget_per_month": 15000},
        "categories": [
            {
                "name": "calls",
                "channel": "voice",
                "contacts_per_month": 4000,
                "aht_seconds": 180,
                "open_hours": {"mon-fri": "09:00-17:00"},
                "pricing": "per_contact",
                "tiers": [std, gold],
            }
        ],
    }


def run(deal: dict[str, Any], fixed: dict[str, FixedChoice] | None = None) -> Any:
    options = RunOptions(explain=False, diagnose=False, fixed=fixed or {})
    return run_scenario(validate_scenario(deal, "risk.yaml"), options)


# ------------------------------------------------------------------ confidence


def test_a_confident_tier_meets_its_windows_in_that_share_of_months() -> None:
    scenario = validate_scenario(raw(confidence=0.99), "risk.yaml")
    plain = build_requirements(scenario)
    uplifted = confident_requirements(scenario, plain)
    cat = scenario.category("calls")
    before = tier_months(scenario, plain, cat, "std", 400).p_window_met
    after = tier_months(scenario, uplifted, cat, "std", 400).p_window_met
    assert before is not None and after is not None
    assert before < 0.99 <= after
    old, new = plain.category("calls").tier("std"), uplifted.category("calls").tier("std")
    assert (new.agents >= old.agents).all() and new.agents.sum() > old.agents.sum()
    assert uplifted.category("calls").tier("gold") == plain.category("calls").tier("gold")
    only_std = raw(confidence=0.99)
    only_std["categories"][0]["tiers"] = only_std["categories"][0]["tiers"][:1]
    result = run(only_std)
    assert result.categories[0].tier == "std"
    block = result.risk_pricing
    assert block["confidence"][0]["p_window_met"] >= 0.99
    assert block["risk_premium"]["margin"] < 0  # the buffer costs margin


def test_a_confidence_already_met_changes_nothing() -> None:
    scenario = validate_scenario(raw(confidence=0.5), "risk.yaml")
    plain = build_requirements(scenario)
    assert confident_requirements(scenario, plain) == plain


def test_an_unreachable_confidence_is_one_message() -> None:
    deal = raw(confidence=0.9999)
    deal["uncertainty"]["volume_cv"] = 1.5
    with pytest.raises(ScenarioError) as err:
        run(deal)
    (issue,) = err.value.issues
    assert issue.path == "categories[0].tiers[0].confidence"
    assert "forecast load can meet" in issue.expected


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"channel": "deferred"}, "categories[0].tiers[0].confidence"),
        ({"terms": {"platform_fee": [0, 100]}}, "categories[0].terms.platform_fee"),
    ],
)
def test_risk_pricing_rules(change: dict[str, Any], path: str) -> None:
    deal = raw("max_expected_margin", confidence=0.9)
    cat = deal["categories"][0]
    cat.update(change)
    if cat["channel"] == "deferred":
        cat["tiers"] = [
            {"name": "std", "share": 0.9, "within_hours": 24, "prices": [2.0], "confidence": 0.9}
        ]
    with pytest.raises(ScenarioError) as err:
        validate_scenario(deal, "risk.yaml")
    assert path in [i.path for i in err.value.issues]


# ------------------------------------------------------------------ expected margin


def test_the_expected_objective_is_the_re_simulated_plan_and_the_best_option() -> None:
    """Each (tier, price) held in turn, its plan re-simulated: the expected objective
    picks the best of them, and its value is that plan's simulated expected margin."""
    best = run(raw("max_expected_margin"))
    block = best.risk_pricing
    held = {}
    for tier, prices in (("std", (3.0, 3.5)), ("gold", (3.6, 4.2))):
        for price in prices:
            one = run(raw("max_expected_margin"), {"calls": FixedChoice(tier, price)})
            if one.totals is not None:
                held[(tier, price)] = one.risk_pricing["expected_margin"]
    top = max(held, key=held.get)
    chosen = (best.categories[0].tier, best.categories[0].price)
    assert held[chosen] == pytest.approx(held[top], abs=1e-6)
    assert block["expected_margin"] == pytest.approx(held[chosen], abs=1e-6)
    assert block["objective"] == "max_expected_margin"
    assert set(block["risk_premium"]) == {"margin", "expected_margin", "categories"}


def test_the_cli_takes_the_objective_and_reports_the_premium(tmp_path) -> None:
    import yaml

    path = tmp_path / "risk.yaml"
    path.write_text(yaml.safe_dump(raw()), encoding="utf-8")
    done = CliRunner().invoke(
        cli.main, ["solve", str(path), "--objective", "max-expected-margin", "--no-explain"]
    )
    assert done.exit_code == 0, done.output
    assert "risk-aware pricing (max_expected_margin, 400 simulated months)" in done.output
    assert "priced on the forecast alone" in done.output


def test_the_documented_keys_are_the_block_s() -> None:
    import re

    from helpers import ROOT

    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    documented = re.search(r"```keys risk_pricing\n(.*?)```", text, re.DOTALL)
    assert documented is not None
    only_std = raw(confidence=0.99)
    only_std["categories"][0]["tiers"] = only_std["categories"][0]["tiers"][:1]
    from optimizer.output.report import to_dict

    block = to_dict(run(only_std))["risk_pricing"]
    assert list(block) == documented.group(1).split()
