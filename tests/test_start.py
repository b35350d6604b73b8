"""Tests of optimizer.milp.start: the interval-mode start plan is feasible, verified, and
leaves the optimum unchanged."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from optimizer.analysis.verify import verify
from optimizer.milp import proof
from optimizer.milp import solve as solve_module
from optimizer.milp import start as start_module
from optimizer.milp.backend import BackendResult
from optimizer.milp.highs import HighsOptions
from optimizer.milp.matrix import matrix_form
from optimizer.milp.model import build_model
from optimizer.milp.readback import read_solution
from optimizer.milp.separators import tier_columns
from optimizer.milp.start import GAP, INFEASIBLE, Start, combinations, find_start
from optimizer.results import SolverInfo, SolveStatus
from optimizer.scenario.schema import validate_scenario
from optimizer.staffing.requirements import build_requirements

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synthetic import make_deal


@pytest.fixture(scope="module")
def deal():  # type: ignore[no-untyped-def]
    """A 5 x 2 x 7 interval deal: above ``START_MIN_INTEGERS``, solved in about a second."""
    scenario = validate_scenario(make_deal(5, 2, 7, staffing="intervals", seed=0))
    reqs = build_requirements(scenario)
    return scenario, reqs, build_model(scenario, reqs)


def _choices(model, form):  # type: ignore[no-untyped-def]
    column = {v.name: i for i, v in enumerate(form.variables)}
    return [
        np.array([column[o.var.name] for o in opts], np.int32) for opts in model.options.values()
    ]


def _as_solution(model, form, start):  # type: ignore[no-untyped-def]
    """A start plan read back as the solver's answer (to verify it independently)."""
    outcome = start.outcome(form.arrays())
    values = {v.name: float(outcome.col[i]) for i, v in enumerate(form.variables)}
    rows = dict(zip(form.names, map(float, outcome.row), strict=True))
    answer = BackendResult(SolveStatus.FEASIBLE, values, None, rows, start.objective)
    return read_solution(model, answer, SolverInfo("highs", 0.0, None))


def test_the_start_is_a_feasible_integral_plan_that_verifies(deal) -> None:  # type: ignore[no-untyped-def]
    """The plan keeps every row and bound of the model, its integers are whole, one option
    per category is chosen, no plan beats the LP bound, and read back as a solution it
    passes the independent verification."""
    scenario, reqs, model = deal
    form = matrix_form(model.prob, model.rows)
    arrays = form.arrays()
    assert int(arrays.integer.sum()) >= solve_module.START_MIN_INTEGERS
    start = find_start(arrays, _choices(model, form), HighsOptions(None, None, 1, False, None))
    assert isinstance(start, Start)
    assert arrays.discrepancy(start.col, start.objective) is None
    ints = start.col[arrays.integer]
    assert np.allclose(ints, np.round(ints))
    for columns in _choices(model, form):
        assert start.col[columns].sum() == pytest.approx(1.0)
    assert start.objective <= start.bound + 1e-6  # max_margin: the LP bound is an upper bound
    assert verify(scenario, reqs, _as_solution(model, form, start)).verified


def test_the_optimum_is_unchanged_by_the_start(deal, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The solve with the heuristic start and the old path (no start) agree on the status,
    the optimum (within the reported gaps) and the tier and price choices."""
    _, _, model = deal
    started = solve_module.solve(model)
    monkeypatch.setattr(solve_module, "START_MIN_INTEGERS", 10**9)
    plain = solve_module.solve(model)
    assert started.status == plain.status == SolveStatus.OPTIMAL
    gap = (started.solver.gap or 0.0) + (plain.solver.gap or 0.0)
    assert started.objective_value == pytest.approx(plain.objective_value, rel=gap + 1e-9)
    assert started.choices == plain.choices


def test_a_root_bound_answer_keeps_the_optimum(deal, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Above ``START_MAX_INTEGERS`` (lowered here onto the 5 x 2 x 7 deal) the solver child
    answers with the first solution the root cut loop's bound proves
    (``optimizer.milp.proof``; a spy in the forked child shows that it did): the answer is
    optimal within its gap of the full solve, its bound is no worse than its value, and it
    passes the independent verification."""
    scenario, reqs, model = deal
    full = solve_module.solve(model)
    fired = tmp_path / "proved"
    gap_of = proof.RootProof.gap_of

    def spy(self, objective):  # type: ignore[no-untyped-def]
        gap = gap_of(self, objective)
        if gap is not None:
            fired.write_text(repr(gap))
        return gap

    monkeypatch.setattr(proof.RootProof, "gap_of", spy)
    monkeypatch.setattr(solve_module, "START_MAX_INTEGERS", 0)
    early = solve_module.solve(model)
    assert fired.exists()
    assert early.status == full.status == SolveStatus.OPTIMAL
    gap = (early.solver.gap or 0.0) + (full.solver.gap or 0.0)
    assert early.solver.gap is not None and early.solver.gap <= 1e-4
    assert early.objective_value == pytest.approx(full.objective_value, rel=gap + 1e-9)
    assert early.bound is None or early.bound >= early.objective_value - 1e-6
    assert verify(scenario, reqs, early).verified


def test_a_known_plan_the_first_lp_proves_is_the_answer(deal, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Given a known plan (an explanation's base plan, ``SolveOptions.known``) that is
    feasible and within the gap of the first LP's bound, the search stops after that LP
    and answers with it; a known plan that breaks a row is ignored and the search runs
    as without it, to the same plan."""
    _, _, model = deal
    form = matrix_form(model.prob, model.rows)
    arrays, choices = form.arrays(), _choices(model, form)
    options = HighsOptions(None, None, 1, False, None)
    plain = find_start(arrays, choices, options)
    assert isinstance(plain, Start) and plain.gap() <= GAP
    runs: list[HighsOptions] = []
    real = start_module.run_highs

    def spy(arrays, opts, *rest):  # type: ignore[no-untyped-def]
        runs.append(opts)
        return real(arrays, opts, *rest)

    monkeypatch.setattr(start_module, "run_highs", spy)
    known = find_start(arrays, choices, options, known=plain.col)
    assert isinstance(known, Start) and len(runs) == 1 and runs[0].relax
    assert np.array_equal(known.col, plain.col) and known.gap() <= GAP
    runs.clear()
    broken = plain.col.copy()
    broken[np.flatnonzero(arrays.integer)[0]] += 0.5  # no longer whole
    again = find_start(arrays, choices, options, known=broken)
    assert isinstance(again, Start) and len(runs) > 1
    assert np.array_equal(again.col, plain.col)


def test_combinations_try_the_runner_up_of_a_split_category() -> None:
    """The LP's largest option everywhere first, then the most split category's runner-up;
    a category the LP does not split is never varied."""
    cols = [np.array([0, 1, 2], np.int32), np.array([3, 4], np.int32)]
    point = np.array([0.0, 0.4, 0.6, 1.0, 0.0])
    assert combinations(cols, point) == [(2, 3), (1, 3)]


def test_an_infeasible_lp_relaxation_is_the_answer(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An ROI floor of 300% leaves even the LP relaxation infeasible: the heuristic says
    so at once, and the solve is infeasible, as the old path finds it."""
    scenario = validate_scenario(make_deal(5, 2, 7)).with_overrides({"client.min_roi": 3.0})
    model = build_model(scenario, build_requirements(scenario))
    form = matrix_form(model.prob, model.rows)
    options = HighsOptions(None, None, 1, False, None)
    assert find_start(form.arrays(), _choices(model, form), options) is INFEASIBLE
    assert solve_module.solve(model).status == SolveStatus.INFEASIBLE
    monkeypatch.setattr(solve_module, "START_MIN_INTEGERS", 10**9)
    assert solve_module.solve(model).status == SolveStatus.INFEASIBLE


def test_a_binding_budget_gets_its_prices_chosen_again() -> None:
    """The 10 x 3 x 7 interval deal (seed 0) at a budget of 1,035,305 (a point of its
    frontier): the LP fills the budget with a mix of one tier's prices, and the rounded
    plan is 1.4% below its bound. Its prices chosen again with every agent count held
    (``_repriced``) give a plan within the gap of the LP bound, so the solve needs no
    HiGHS run (HiGHS alone took 35 s to find such prices). The plan keeps every row."""
    raw = make_deal(10, 3, 7, staffing="intervals", seed=0)
    scenario = validate_scenario(raw).with_overrides({"client.budget_per_month": 1_035_305})
    model = build_model(scenario, build_requirements(scenario))
    form = matrix_form(model.prob, model.rows)
    arrays, choices = form.arrays(), _choices(model, form)
    options = HighsOptions(None, None, 1, False, None)
    plain = find_start(arrays, choices, options)
    column = {v.name: i for i, v in enumerate(form.variables)}
    tiers = [tier_columns(model, column, cat)[1] for cat in model.options]
    priced = find_start(arrays, choices, options, tiers=tiers)
    assert isinstance(plain, Start) and isinstance(priced, Start)
    assert plain.gap() > 100 * GAP
    assert priced.gap() <= GAP and priced.objective > plain.objective
    assert arrays.discrepancy(priced.col, priced.objective) is None
    options_cols = np.concatenate(choices)
    agents = np.setdiff1d(np.flatnonzero(arrays.integer), options_cols)
    assert np.array_equal(np.round(priced.col[agents]), np.round(plain.col[agents]))  # prices moved
    checked = verify(scenario, build_requirements(scenario), _as_solution(model, form, priced))
    assert checked.verified and checked.totals is not None
    assert checked.totals.revenue <= 1_035_305 + 1e-6  # the budget holds
