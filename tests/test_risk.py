"""Volume risk (``optimizer.risk``, ``tierprice risk``): invariants, a hand-worked case,
determinism, the JSON contract and bad input.

The hand-worked case recomputes Erlang C from its textbook sum (not the package's
numerics); the invariants hold for any draw: zero variation reproduces the verified
margin to the cent, per-FTE revenue does not move with volume, credits never pass
their cap.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from helpers import ROOT, SCENARIOS_DIR, make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import cli
from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.risk import engine
from optimizer.risk.draws import MonthDraws, week_weights
from optimizer.risk.engine import risk_of
from optimizer.risk.plan import deal_plan
from optimizer.risk.service import day_service_level, interval_service_level
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.staffing import queueing
from optimizer.staffing.requirements import build_requirements

QUIET = RunOptions(explain=False, diagnose=False)
SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}
"""The example as a small, profitable deal (as in test_cli)."""
STILL = {"volume_cv": 0, "aht_cv": 0, "absence_cv": 0, "intraday": "none"}
"""No variation at all: every month is the forecast."""
OUTPUT_DOC = ROOT / "docs" / "output.md"


def deal(**overrides: object) -> Scenario:
    """The small deal with dotted overrides."""
    return make_scenario(**SMALL).with_overrides(overrides)


def calls_only(**overrides: object) -> Scenario:
    """The small deal's voice category alone, with dotted overrides."""
    raw = make_scenario(**SMALL).raw()
    raw["categories"] = raw["categories"][:1]
    return validate_scenario(raw).with_overrides(overrides)


@cache
def solved() -> tuple[Scenario, object]:
    scenario = deal()
    return scenario, run_scenario(scenario, QUIET)


def _solve(scenario: Scenario):
    return run_scenario(scenario, QUIET)


def erlang_c_sl(n: int, load: float, aht: float, within: float) -> float:
    """Textbook Erlang C service level (explicit sum), for the hand-worked case."""
    top = load**n / math.factorial(n) * n / (n - load)
    bottom = sum(load**k / math.factorial(k) for k in range(n)) + top
    return 1.0 - top / bottom * math.exp(-(n - load) * within / aht)


# ------------------------------------------------------------------ service functions


def test_interval_service_level_is_the_queueing_engine() -> None:
    """The exported per-interval SL is queueing.metrics at load = contacts x AHT / interval."""
    agents = np.array([[12], [14], [16]])
    contacts = np.array([80.0, 100.0, 120.0])
    got = interval_service_level(agents, contacts, 180.0, 1800.0, 20.0)
    want = queueing.metrics(agents, contacts * 180.0 / 1800.0, 180.0, 20.0).service_level
    assert got.shape == (3, 3)
    np.testing.assert_array_equal(got, want)
    assert interval_service_level(14, 100, 180.0, 1800.0, 20.0) == pytest.approx(
        erlang_c_sl(14, 10.0, 180.0, 20.0), abs=1e-12
    )
    patient = interval_service_level(13, 100, 180.0, 1800.0, 20.0, patience_seconds=300.0)
    assert float(patient) == pytest.approx(0.8582, abs=1e-4)  # reference case E2


def test_day_service_level_weights_by_contacts() -> None:
    """A day's SL is the contact-weighted mean of its intervals'."""
    a = erlang_c_sl(14, 10.0, 180.0, 20.0)
    b = erlang_c_sl(18, 15.0, 180.0, 20.0)
    got = day_service_level([14, 18], [100, 150], 180.0, 1800.0, 20.0)
    assert got == pytest.approx((100 * a + 150 * b) / 250, abs=1e-12)
    assert day_service_level([0, 0], [0, 0], 180.0, 1800.0, 20.0) == 1.0


def test_week_weights_sum_to_the_month() -> None:
    for weeks in (1.0, 4.0, 52 / 12, 4.5, 5.0):
        assert sum(week_weights(weeks)) == pytest.approx(weeks, abs=1e-12)


# ------------------------------------------------------------------ zero variation


@pytest.mark.parametrize("window", ["interval", "day", "month"])
def test_zero_variation_is_the_verified_margin(window: str) -> None:
    """All cv 0 and no intraday noise: every draw is the forecast month, to the cent, and
    the plan meets its tier in every window (no credit)."""
    scenario = deal(uncertainty=STILL, sla={"window": window})
    result = _solve(scenario)
    risk = risk_of(scenario, result, 5, seed=3)
    assert np.all(np.abs(risk.margin - result.totals.margin) < 0.005)
    assert np.all(np.abs(risk.revenue - result.totals.revenue) < 0.005)
    calls = risk.categories[0]
    assert calls.p_window_met == 1.0
    assert np.all(calls.credits == 0.0)
    assert risk.categories[1].p_window_met is None  # deferred work: not simulated
    assert risk.p_margin_below_floor == 0.0


def test_a_voice_category_without_contacts_is_simulated() -> None:
    """0 contacts a month is valid (and solves): its months bill nothing and miss no
    window, the rest of the deal is simulated as usual (it was an IndexError, exit 1,
    with no interval to staff; found by a probe)."""
    scenario = deal(**{"categories.calls.contacts_per_month": 0})
    result = _solve(scenario)
    risk = risk_of(scenario, result, 50, seed=1)
    calls, mail = risk.categories
    assert np.all(calls.revenue == 0.0) and np.all(calls.credits == 0.0)
    assert calls.p_window_met == 1.0
    assert np.all(risk.margin == risk.revenue - risk.cost)
    assert mail.revenue.mean() > 0


def test_zero_variation_on_an_example_deal() -> None:
    """The same on a full example (Erlang A, chat, plans and bands, several sites)."""
    from optimizer.scenario.loader import load_scenario

    base = load_scenario(SCENARIOS_DIR / "nordic_telco.yaml")
    scenario = base.with_overrides({"uncertainty": STILL})
    result = _solve(scenario)
    risk = risk_of(scenario, result, 3)
    assert np.all(np.abs(risk.margin - result.totals.margin) < 0.005)
    assert all(c.p_window_met in (None, 1.0) for c in risk.categories)
    assert all(c.expected_credits == 0.0 for c in risk.categories)


# ------------------------------------------------------------------ who carries the risk


def test_per_fte_revenue_does_not_move_with_volume() -> None:
    """Per-FTE pricing bills the planned FTE: revenue is the same in every month."""
    scenario = deal(
        **{
            "categories.calls.pricing": "per_fte_month",
            "categories.calls.tiers.std.prices": [4200.0, 4800.0],
            "uncertainty": {"volume_cv": 0.3},
            "sla": {"credit_pct": 0.0},
        }
    )
    result = _solve(scenario)
    risk = risk_of(scenario, result, 400)
    calls = risk.categories[0]
    assert np.ptp(calls.billable) == 0.0 and np.ptp(calls.revenue) == 0.0
    assert calls.revenue[0] == pytest.approx(result.categories[0].revenue, abs=0.005)
    mail = risk.categories[1]  # per contact: it moves
    assert np.ptp(mail.revenue) > 0


def test_per_contact_margin_spread_grows_with_volume_cv() -> None:
    """Per-contact pricing: the margin's spread grows with the volume cv."""
    spreads = []
    for cv in (0.0, 0.1, 0.3):
        scenario = deal(
            uncertainty={"volume_cv": cv, "aht_cv": 0, "absence_cv": 0, "intraday": "none"},
            sla={"credit_pct": 0.0},
        )
        risk = risk_of(scenario, _solve(scenario), 800)
        spreads.append(float(np.std(risk.margin)))
    assert spreads[0] < 1e-6 < spreads[1] < spreads[2]
    assert spreads[2] / spreads[1] == pytest.approx(3.0, rel=0.25)  # about linear in cv


# ------------------------------------------------------------------ credits and windows


@settings(max_examples=15, deadline=None)
@given(
    pct=st.floats(0.0, 1.0).map(lambda x: round(x, 4)),
    cap=st.floats(0.0, 1.0).map(lambda x: round(x, 4)),
    window=st.sampled_from(["interval", "day", "month"]),
    seed=st.integers(0, 2**32),
)
def test_credits_never_exceed_the_cap(pct: float, cap: float, window: str, seed: int) -> None:
    """Each month's credit is min(missed x pct, cap) x the charge: never over the cap."""
    scenario, result = _calls_only()
    sla = {"window": window, "credit_pct": pct, "credit_cap": cap}
    scenario = scenario.with_overrides({"sla": sla, "uncertainty": {"volume_cv": 0.3}})
    risk = risk_of(scenario, result, 60, seed)
    calls = risk.categories[0]
    assert np.all(calls.credits <= cap * np.maximum(calls.revenue, 0) + 1e-9)
    want = np.minimum(calls.missed * pct, cap) * np.maximum(calls.revenue, 0)
    np.testing.assert_allclose(calls.credits, want, rtol=0, atol=1e-9)
    assert np.all(calls.missed <= calls.windows + 1e-12)


@cache
def _calls_only() -> tuple[Scenario, object]:
    scenario = calls_only()
    return scenario, _solve(scenario)


def test_hand_worked_single_interval() -> None:
    """One category open one half-hour a week, four weeks a month, 120% of the forecast
    volume: each day's (one interval's) SL is Erlang C at the plan's agents, every day
    misses, and the credit is min(4 x 5%, 15%) of the month's charge."""
    scenario = calls_only(
        **{
            "calendar.interval_minutes": 30,
            "categories.calls.open_hours": {"mon": "09:00-09:30"},
            "categories.calls.contacts_per_month": 400,
            "calendar.weeks_per_month": 4,
        }
    )
    result = _solve(scenario)
    month_plan = deal_plan(scenario, build_requirements(scenario), result)
    plan = month_plan.categories[0]
    queue = plan.queue
    assert queue is not None and queue.forecast.tolist() == [100.0]
    agents = int(queue.productive.sum())
    draws = MonthDraws(np.array([[1.2]]), np.array([[1.0]]), np.zeros((1, 4, 7)))
    month = engine.queue_month(plan, month_plan, draws, 0, None)
    load = 120 * 300 / 1800
    sl = erlang_c_sl(agents, load, 300.0, 20.0)
    assert erlang_c_sl(agents, 100 * 300 / 1800, 300.0, 20.0) >= 0.8 > sl  # meets, then misses
    assert month.windows.tolist() == [4.0] and month.missed.tolist() == [4.0]
    assert month.handled.tolist() == [pytest.approx(480.0)]
    risk = engine._category(plan, [(draws.aht[:, 0], month)], engine._base(month_plan)[0])
    charge = risk.revenue[0]
    assert charge == pytest.approx(result.categories[0].revenue * 1.2, rel=1e-12)
    assert risk.credits[0] == pytest.approx(0.15 * charge, rel=1e-12)


def test_a_category_can_override_the_sla_and_the_cv() -> None:
    """A category's own ``sla`` and ``uncertainty`` replace the deal's, field by field."""
    scenario = deal(
        **{
            "sla": {"window": "month", "credit_pct": 0.1},
            "categories.calls.sla": {"window": "interval"},
            "categories.calls.uncertainty": {"volume_cv": 0.25},
        }
    )
    plan = deal_plan(scenario, build_requirements(scenario), _solve(scenario))
    calls = plan.categories[0]
    assert (calls.sla.window, calls.sla.credit_pct, calls.volume_cv) == ("interval", 0.1, 0.25)
    assert plan.categories[1].volume_cv == 0.10


# ------------------------------------------------------------------ determinism


def test_a_seed_gives_the_same_months() -> None:
    scenario, result = solved()
    one = risk_of(scenario, result, 1500, seed=7)
    two = risk_of(scenario, result, 1500, seed=7)
    other = risk_of(scenario, result, 1500, seed=8)
    np.testing.assert_array_equal(one.margin, two.margin)
    np.testing.assert_array_equal(one.categories[0].credits, two.categories[0].credits)
    assert not np.array_equal(one.margin, other.margin)


# ------------------------------------------------------------------ the command


def invoke(*args: object):
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def _write(path, **overrides: object):
    path.write_text(yaml.safe_dump(deal(**overrides).raw()), encoding="utf-8")
    return path


def test_json_keys(tmp_path) -> None:
    scenario_file = _write(tmp_path / "scenario_file.yaml")
    result = invoke("risk", scenario_file, "--draws", 200, "--seed", 5, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    spread = ["mean", "p5", "p50", "p95", "cvar5"]
    assert list(data) == [
        "scenario", "currency", "draws", "seed", "forecast_margin", "floor",
        "margin", "revenue", "cost", "p_margin_below_floor", "categories",
    ]  # fmt: skip
    documented = re.search(r"```keys risk\n(.*?)```", OUTPUT_DOC.read_text("utf-8"), re.DOTALL)
    assert documented is not None and list(data) == documented[1].split()
    assert (data["draws"], data["seed"], data["floor"]) == (200, 5, 0.0)
    for key in ("margin", "revenue", "cost"):
        assert list(data[key]) == spread
        assert data[key]["cvar5"] <= data[key]["p5"] <= data[key]["p50"] <= data[key]["p95"]
    cats = data["categories"]
    assert [c["name"] for c in cats] == ["calls", "mail"]
    assert list(cats[0])[:3] == ["name", "tier", "window"]
    assert {"p_window_met", "expected_credits", "charge", "credits"} <= set(cats[0])
    assert 0 <= cats[0]["p_window_met"] <= 1 and cats[1]["p_window_met"] is None
    table = invoke("risk", scenario_file, "--draws", 200, "--seed", 5)
    assert table.exit_code == 0 and "P(window met)" in table.stdout


@pytest.mark.parametrize(
    ("args", "overrides", "needle"),
    [
        (["--draws", "0"], {}, "--draws"),
        ([], {"uncertainty": {"volume_cv": -0.1}}, "uncertainty.volume_cv"),
        ([], {"sla": {"window": "week"}}, "sla.window"),
        ([], {"categories.calls.uncertainty": {"volume_cv": 3}}, "categories[0].uncertainty"),
    ],
)
def test_bad_input_is_one_message_and_exit_2(tmp_path, args, overrides, needle) -> None:
    scenario_file = tmp_path / "scenario_file.yaml"
    raw = deal().raw()
    for key, value in overrides.items():
        if key.startswith("categories.calls."):
            raw["categories"][0][key.rsplit(".", 1)[1]] = value
        else:
            raw[key] = value
    scenario_file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = invoke("risk", scenario_file, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert needle in result.output
    problems = [line for line in result.output.splitlines() if line.strip().startswith("- ")]
    assert len(problems) <= 1


def test_plot_writes_a_png_and_never_an_input(tmp_path) -> None:
    scenario_file = _write(tmp_path / "scenario_file.yaml")
    png = tmp_path / "risk.png"
    result = invoke("risk", scenario_file, "--draws", 100, "--plot", png)
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    before = scenario_file.read_bytes()
    refused = invoke("risk", scenario_file, "--draws", 100, "--plot", scenario_file)
    assert refused.exit_code == 2
    assert scenario_file.read_bytes() == before


def test_an_infeasible_deal_has_no_plan_to_simulate(tmp_path) -> None:
    """A client budget no staffing meets: exit 3 with one line, nothing simulated."""
    scenario_file = _write(tmp_path / "deal.yaml", **{"client.budget_per_month": 1000})
    result = invoke("risk", scenario_file, "--draws", 10)
    assert result.exit_code == 3
    assert "no plan to simulate" in result.stderr and result.stdout.strip() == ""


# ------------------------------------------------------------------ the draws


def test_month_draws_have_the_stated_moments() -> None:
    """Mean-1 lognormal multipliers with the cv asked for, log-correlation rho through the
    common factor, handle times on the 0.1% grid, daily absence with its sd."""
    from optimizer.risk.draws import AHT_STEP, month_draws

    rng = np.random.default_rng(11)
    cv = np.array([0.1, 0.3, 0.0])
    draws = month_draws(rng, 40_000, cv, np.array([0.05, 0.0, 0.2]), 0.5, 0.03, 5)
    v = draws.volume
    assert v.mean(axis=0) == pytest.approx([1, 1, 1], abs=0.01)
    assert (v.std(axis=0) / v.mean(axis=0)) == pytest.approx([0.1, 0.3, 0.0], abs=0.01)
    assert np.all(v[:, 2] == 1.0)
    rho = np.corrcoef(np.log(v[:, 0]), np.log(v[:, 1]))[0, 1]
    assert rho == pytest.approx(0.5, abs=0.02)
    steps = draws.aht * AHT_STEP
    np.testing.assert_allclose(steps, np.round(steps), rtol=0, atol=1e-9)
    assert np.all(draws.aht[:, 1] == 1.0)
    assert draws.absence.shape == (40_000, 5, 7)
    assert draws.absence.std() == pytest.approx(0.03, rel=0.02)


def test_absence_factor_clips_the_realised_shrinkage() -> None:
    from optimizer.risk.draws import absence_factor

    planned = np.array([0.3, 0.0, 0.97])
    np.testing.assert_array_equal(absence_factor(planned, np.array(0.0)), [1.0, 1.0, 1.0])
    got = absence_factor(planned, np.array(-0.5))  # realised clipped at 0
    np.testing.assert_allclose(got, [1 / 0.7, 1.0, 0.53 / 0.03])
    got = absence_factor(planned, np.array(0.9))  # at most 0.95 (or the plan's, if higher)
    np.testing.assert_allclose(got, [0.05 / 0.7, 0.1, 1.0])


@pytest.mark.parametrize(
    ("pricing", "moves"),
    [("per_contact", False), ("per_minute", True), ("per_productive_hour", False)],
)
def test_handle_time_moves_only_minute_revenue(pricing: str, moves: bool) -> None:
    """Handle time alone (Erlang C: every offered contact is handled): per-minute revenue
    moves, per-contact and per-hour revenue do not."""
    prices = {"per_contact": [6.0, 8.0], "per_minute": [1.2, 1.6], "per_productive_hour": [40.0]}
    scenario = calls_only(
        **{
            "categories.calls.pricing": pricing,
            "categories.calls.tiers.std.prices": prices[pricing],
            "uncertainty": {"volume_cv": 0, "aht_cv": 0.2, "absence_cv": 0, "intraday": "none"},
            "sla": {"credit_pct": 0.0},
        }
    )
    calls = risk_of(scenario, _solve(scenario), 200).categories[0]
    assert bool(np.ptp(calls.revenue) > 1.0) == moves


def test_absence_moves_productive_hour_revenue() -> None:
    """Per productive hour bills the hours agents were there: absence moves it."""
    scenario = calls_only(
        **{
            "categories.calls.pricing": "per_productive_hour",
            "categories.calls.tiers.std.prices": [40.0],
            "uncertainty": {"volume_cv": 0, "aht_cv": 0, "absence_cv": 0.05, "intraday": "none"},
            "sla": {"credit_pct": 0.0},
        }
    )
    result = _solve(scenario)
    calls = risk_of(scenario, result, 300).categories[0]
    assert np.ptp(calls.revenue) > 1.0
    assert calls.revenue.mean() == pytest.approx(result.categories[0].revenue, rel=0.01)
