"""Tests for optimizer/analysis/explain.py: binding limits, shadow prices, 1% relaxations."""

import pytest
from helpers import SCENARIOS_DIR

from optimizer.analysis.explain import RELAX_STEP, relaxations
from optimizer.options import RunOptions, SolveOptions
from optimizer.pipeline import run_scenario
from optimizer.scenario.loader import load_scenario

MONEY = 1e-6


@pytest.fixture(scope="module")
def telco():
    """The Nordic telco deal (its budget binds) and its explained result."""
    deal = load_scenario(SCENARIOS_DIR / "nordic_telco.yaml")
    return deal, run_scenario(deal)


def test_budget_binds_with_a_unit_shadow_price(telco):
    """With a continuous price free, one more euro of budget is one more euro of margin."""
    _, result = telco
    budget = next(c for c in result.constraints if c.name == "budget")
    assert budget.binding
    assert budget.shadow_price == pytest.approx(1.0, abs=1e-6)


def test_relaxation_gain_is_a_real_resolve(telco):
    """The gain reported for the budget equals re-solving with the budget 1% higher (exact
    optima on both sides: a quotable rounding of either would not be like for like)."""
    deal, result = telco
    budget = next(c for c in result.constraints if c.name == "budget")
    bigger = deal.with_overrides(relaxations(deal, "budget"))
    exact = RunOptions(explain=False, exact_prices=True)
    again = run_scenario(bigger, exact)
    base = run_scenario(deal, exact)
    assert budget.relax_gain == pytest.approx(again.totals.margin - base.totals.margin, abs=1e-3)
    assert budget.relax_gain > 0


@pytest.mark.parametrize(
    ("limit", "path", "check"),
    [
        ("budget", "client.budget_per_month", lambda old, new: new == pytest.approx(old * 1.01)),
        ("min_margin", "provider.min_margin", lambda old, new: new < old),
        ("seats[tallinn][mon 09:00]", "provider.sites.tallinn.seats", lambda old, new: new > old),
    ],
)
def test_relaxations_move_limits_in_the_deals_favour(telco, limit, path, check):
    """Each relaxation moves its limit by RELAX_STEP in the direction that helps the deal."""
    deal, _ = telco
    overrides = relaxations(deal, limit)
    assert overrides is not None and list(overrides) == [path]
    node = deal.raw()
    for part in path.split("."):
        node = (
            next(i for i in node if i.get("name") == part) if isinstance(node, list) else node[part]
        )
    assert check(node, overrides[path])
    assert pytest.approx(0.01) == RELAX_STEP


def test_min_tier_relaxation_drops_one_tier(telco):
    """Relaxing a minimum tier lowers it by one tier."""
    deal, _ = telco
    assert relaxations(deal, "min_tier[tech_support]") == {"client.min_tier.tech_support": "bronze"}


# --------------------------------------------- binding near zero slack (issue 11.12)


@pytest.mark.parametrize(
    ("slack", "scale", "binds"),
    [(0.0, 1.0, True), (0.0003 * 1500, 1500.0, True), (0.02 * 1500, 1500.0, False)],
)
def test_a_limit_binds_within_a_small_share_of_its_size(slack, scale, binds):
    """An ROI of 50.03% against a 50% floor (slack 0.0003 x spend on a row of size
    about 1.5 x spend) binds; 2% of room does not (issue 11.12)."""
    from optimizer.analysis.verify import _binds

    assert _binds(slack, scale) is binds


def test_a_limit_with_a_shadow_price_binds(telco, monkeypatch):
    """A limit whose shadow price is not zero is binding even when its slack is not
    within the tolerance: it is what sets the prices."""
    from dataclasses import replace

    from optimizer.analysis import explain as explain_module

    deal, result = telco
    loose = tuple(replace(c, binding=False) for c in result.constraints)
    monkeypatch.setattr(
        explain_module, "shadow_prices", lambda model, solution, options: {"budget": 0.5}
    )
    out = explain_module.explain(
        deal, None, None, _solution_stub(result), loose, SolveOptions(), lambda s: None, relax=False
    )
    assert [c.name for c in out if c.binding] == ["budget"]


def _solution_stub(result):
    """What ``explain`` reads of a solution: status, objective, its value and gap."""
    from types import SimpleNamespace

    from optimizer.results import SolveStatus

    return SimpleNamespace(
        status=SolveStatus.OPTIMAL,
        objective="max_margin",
        objective_value=1.0,
        solver=SimpleNamespace(gap=0.0),
    )


# ------------------------------------ relaxation gains only like for like (issue 11.9)


@pytest.mark.parametrize(
    ("base", "margin", "gap", "gain"),
    [
        (1000.0, 1100.0, 0.0, 100.0),
        (1000.0, 999.95, 1e-4, 0.0),  # within the gap: no loss, it is noise
        (1000.0, 957.0, 1e-4, None),  # a real "loss": not like for like
        (1000.0, None, 0.0, None),  # the relaxed solve was not proven optimal
    ],
)
def test_relaxation_gain_is_never_negative(base, margin, gap, gain):
    """A relaxed limit cannot lose margin; -42,916 for a seat cap came from two solves cut
    by the time limit (issue 11.9)."""
    from optimizer.analysis.explain import _gain

    assert _gain(base, margin, gap) == gain


def test_no_relaxation_gain_when_the_base_is_not_proven(telco, monkeypatch):
    """When the solution itself was cut by a time limit, no gain is computed at all."""
    from optimizer.analysis import explain as explain_module
    from optimizer.results import SolveStatus

    deal, result = telco
    monkeypatch.setattr(explain_module, "shadow_prices", lambda model, solution, options: {})
    calls = []
    stub = _solution_stub(result)
    stub.status = SolveStatus.FEASIBLE
    out = explain_module.explain(
        deal, None, None, stub, result.constraints, SolveOptions(), lambda s: calls.append(s) or 5.0
    )
    assert calls == [] and all(c.relax_gain is None for c in out)


def test_a_seat_limit_is_worth_one_more_seat_in_every_interval():
    """A site's seat limit is one number for all its intervals: its shadow price is the
    slope of the LP (choices fixed) in the seats, measured here by moving every one of
    the site's seat rows as one more seat would (0.7 productive agents at 30% shrinkage)
    by a small step. Riga binds in all its intervals (journey_study_by_interviews):
    one interval's dual alone, 40.24, was what the report said."""
    from optimizer.milp.model import build_model
    from optimizer.milp.phases import solve_scenario
    from optimizer.milp.solve import solve
    from optimizer.staffing.requirements import build_requirements

    deal = load_scenario(SCENARIOS_DIR / "journey_study_by_interviews.yaml")
    result = run_scenario(deal)
    (seats,) = [c for c in result.constraints if c.name.startswith("seats[riga]")]
    reqs = build_requirements(deal)
    model, solution = solve_scenario(deal, reqs, RunOptions(explain=False))
    share = deal.productive_share(deal.site("riga"))

    def lp_margin(more_seats: float) -> float:
        lp = build_model(deal, reqs, model.objective, choices=solution.pinned())
        for name, row in lp.rows.items():
            if lp.keys[name].family == "seats" and lp.keys[name].site == "riga":
                row.constant -= more_seats * share  # agents - limit <= 0: the limit rises
        answer = solve(lp, SolveOptions(relax=True))
        assert answer.objective_value is not None
        return answer.objective_value

    step = 0.01
    slope = (lp_margin(step) - lp_margin(0.0)) / step
    assert seats.binding and slope > 1_000  # the step stays within the LP's basis
    assert seats.shadow_price == pytest.approx(slope, rel=1e-6)


def test_a_max_fte_limit_is_in_fte_and_priced_per_fte():
    """``max_fte`` is in FTE: its slack is the FTE left (max_fte - the site's FTE), its
    shadow price the LP's slope (choices fixed) per FTE, which moves the paid-hours row by
    ``fte_hours_per_month``. Both were per paid hour (slack 4.76 for 0.03 FTE; found by
    a probe)."""
    from optimizer.milp.model import build_model
    from optimizer.milp.phases import solve_scenario
    from optimizer.milp.solve import solve
    from optimizer.staffing.requirements import build_requirements

    deal = load_scenario(SCENARIOS_DIR / "retail_bank.yaml").with_overrides(
        {"client.max_cost_per_contact": 7.5, "provider.sites.vilnius.max_fte": 60}
    )
    result = run_scenario(deal)
    (cap,) = [c for c in result.constraints if c.name == "max_fte[vilnius]"]
    site = next(s for s in result.sites if s.name == "vilnius")
    assert cap.binding and cap.slack == pytest.approx(60 - site.fte, abs=1e-6)
    reqs = build_requirements(deal)
    model, solution = solve_scenario(deal, reqs, RunOptions(explain=False))
    hours = deal.provider.fte_hours_per_month

    def lp_margin(more_fte: float) -> float:
        lp = build_model(deal, reqs, model.objective, choices=solution.pinned())
        for name, row in lp.rows.items():
            if lp.keys[name].family == "max_fte" and lp.keys[name].site == "vilnius":
                row.constant -= more_fte * hours  # paid hours - cap <= 0: the cap rises
        answer = solve(lp, SolveOptions(relax=True))
        assert answer.objective_value is not None
        return answer.objective_value

    step = 0.01
    slope = (lp_margin(step) - lp_margin(0.0)) / step
    assert slope > 100  # one more FTE is worth something here
    assert cap.shadow_price == pytest.approx(slope, rel=1e-6)


def test_a_margin_floor_is_in_shares_and_priced_per_unit_of_share():
    """``provider.min_margin`` is a share of revenue: its slack is the margin share above
    the floor, and its shadow price per unit of that share. By hand, for the most
    competitive bid (nordic_telco, min_price) the floor binds, the spend is cost / (1 -
    m), and the spend moves by spend / (1 - m) per unit of m: 503,715 a month (5,037 a
    point). The row's own unit, money of margin, was what the slack and price were in."""
    deal = load_scenario(SCENARIOS_DIR / "nordic_telco.yaml")
    result = run_scenario(deal, RunOptions(objective="min_price"))
    floor = next(c for c in result.constraints if c.name == "min_margin")
    assert floor.binding
    share = deal.provider.min_margin
    assert floor.slack == pytest.approx(result.totals.margin_pct - share, abs=1e-9)
    by_hand = result.totals.revenue / (1 - share)
    assert abs(floor.shadow_price) == pytest.approx(by_hand, rel=1e-3)
