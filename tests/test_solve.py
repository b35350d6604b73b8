"""Tests for optimizer/milp/solve.py: the matrix hand-over, status mapping and read-back."""

import numpy as np
import pytest
from helpers import make_scenario

from optimizer.errors import SolverError
from optimizer.milp.matrix import matrix_form
from optimizer.milp.model import build_model
from optimizer.milp.solve import solve
from optimizer.options import SolveOptions
from optimizer.results import SolveStatus
from optimizer.staffing.requirements import build_requirements

PRICES = {
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
    "calendar.interval_minutes": 60,
}


@pytest.fixture(scope="module")
def model():
    """The example deal with profitable prices, built but not solved."""
    scenario = make_scenario(**PRICES)
    return build_model(scenario, build_requirements(scenario))


def test_matrix_form_reproduces_every_row(model):
    """Column-wise arrays hold exactly PuLP's coefficients, row by row."""
    form = matrix_form(model.prob, model.rows)
    dense = np.zeros((len(form.names), len(form.variables)))
    for j in range(len(form.variables)):
        for k in range(form.starts[j], form.starts[j + 1]):
            dense[form.indices[k], j] = form.values[k]
    index = {v.name: j for j, v in enumerate(form.variables)}
    for r, name in enumerate(form.names):
        expected = np.zeros(len(form.variables))
        for var, coef in model.rows[name].items():
            expected[index[var.name]] = coef
        assert np.array_equal(dense[r], expected), name


def test_highs_and_cbc_agree(model):
    """Both solvers reach the same optimum; CBC runs through PuLP, HiGHS through highspy."""
    highs = solve(model, SolveOptions(solver="highs"))
    cbc = solve(model, SolveOptions(solver="cbc"))
    assert highs.status == cbc.status == SolveStatus.OPTIMAL
    assert highs.objective_value == pytest.approx(cbc.objective_value, rel=1e-6)
    assert highs.choices == cbc.choices


def test_read_back_gives_integer_agents_and_one_choice(model):
    """Interval-mode agents are whole numbers; every category has exactly one choice."""
    sol = solve(model)
    assert set(sol.choices) == {"calls", "mail"}
    for agents in sol.agents.values():
        assert np.array_equal(agents, np.round(agents))
    assert sol.solver.gap is not None and sol.solver.gap <= 1e-4


def test_infeasible_is_a_status_not_an_exception():
    """A budget below every price point gives status infeasible and no values."""
    scenario = make_scenario(**PRICES, **{"client.budget_per_month": 1.0})
    sol = solve(build_model(scenario, build_requirements(scenario)))
    assert sol.status == SolveStatus.INFEASIBLE
    assert sol.objective_value is None and sol.choices == {}


def test_unknown_solver_is_refused(model):
    """Only highs and cbc are solvers."""
    with pytest.raises(SolverError, match="unknown solver"):
        solve(model, SolveOptions(solver="gurobi"))


def test_lp_relaxation_gives_duals(model):
    """With relax=True the LP's row duals come back for the explanation."""
    sol = solve(model, SolveOptions(relax=True))
    assert sol.status == SolveStatus.OPTIMAL
    assert any(row.dual is not None for row in sol.rows.values())


# ------------------------------------------- answers that do not hold up (issue 11.1)

CAPPED_DEFERRED = {
    "scenario": "capped e-mail",
    "calendar": {"interval_minutes": 60},
    "provider": {"shrinkage": 0.3, "sites": [{"name": "h", "hourly_cost": 10, "seats": 3}]},
    "categories": [
        {
            "name": "c",
            "channel": "deferred",
            "contacts_per_month": 1500,
            "aht_seconds": 180,
            "pricing": "per_contact",
            "open_hours": {"mon-sun": "00:00-24:00"},
            "benchmark_price": 2.2,
            "max_premium": 0.1,
            "tiers": [
                {"name": "std", "share": 0.9, "within_hours": 4, "prices": [1.18, 2.03, 2.68]},
                {"name": "exp", "share": 0.95, "within_hours": 1, "prices": [1.18, 2.03, 2.68]},
            ],
        }
    ],
}
"""One deferred category, prices [1.18, 2.03, 2.68] and a competitor cap of 2.42: HiGHS
1.16, after our root cut loop, reported the objective of price 2.03 (margin 1,745) with
the columns of price 1.18 (margin 470), and the run failed verification (exit 5)."""


def test_capped_deferred_deal_is_solved_and_verified(monkeypatch) -> None:
    """The deal of issue 11.1 ends optimal, verified, at the best price under the cap,
    and agrees with HiGHS solving the same model without the cut loop (CBC takes
    minutes on it)."""
    from optimizer.milp import solve as solve_module
    from optimizer.options import RunOptions
    from optimizer.pipeline import run_scenario
    from optimizer.scenario.schema import validate_scenario

    scenario = validate_scenario(CAPPED_DEFERRED)
    result = run_scenario(scenario, RunOptions(explain=False))
    assert result.status == SolveStatus.OPTIMAL and result.verified
    assert result.categories[0].price == pytest.approx(2.03)
    monkeypatch.setattr(solve_module, "separators", lambda model, form: ())
    plain = solve(build_model(scenario, build_requirements(scenario)))
    assert plain.status == SolveStatus.OPTIMAL
    assert result.totals.margin == pytest.approx(plain.objective_value, rel=1e-6)


def _inconsistent_first(
    monkeypatch: pytest.MonkeyPatch, starts: list[bool] | None = None
) -> list[int]:
    """Make the first HiGHS answer report a wrong objective; count the calls (the number
    of separators of each, and in ``starts`` whether it had a start solution)."""
    from dataclasses import replace

    from optimizer.milp import solve as solve_module

    real = solve_module.run_highs
    calls: list[int] = []

    def flaky(arrays, options, separators=()):  # type: ignore[no-untyped-def]
        outcome = real(arrays, options, separators)
        calls.append(len(separators))
        if len(calls) == 1 and outcome.objective is not None:
            return replace(outcome, objective=outcome.objective + 1000.0)
        return outcome

    monkeypatch.setattr(solve_module, "run_highs", flaky)
    return calls


def test_inconsistent_answer_is_solved_again_without_cuts(monkeypatch) -> None:
    """An answer whose columns do not give its objective is never passed on: the solve
    is repeated on a fresh model without the cut loop, and that answer is used."""
    from optimizer.scenario.schema import validate_scenario

    calls = _inconsistent_first(monkeypatch)
    scenario = validate_scenario(CAPPED_DEFERRED)
    model = build_model(scenario, build_requirements(scenario))
    solution = solve(model)
    assert calls[0] > 0 and calls[1:] == [0]  # with the cut loop, then without
    assert solution.status == SolveStatus.OPTIMAL
    assert solution.objective_value == pytest.approx(1745.0, rel=1e-6)


def test_inconsistent_answer_from_a_start_is_solved_again_without_it(monkeypatch) -> None:
    """Given a start solution, HiGHS 1.16 once answered with the start's columns and
    another objective (the oracle's seed 118): the solve is repeated without the start."""
    from dataclasses import replace

    from optimizer.milp import solve as solve_module
    from optimizer.scenario.schema import validate_scenario

    scenario = validate_scenario(CAPPED_DEFERRED)
    model = build_model(scenario, build_requirements(scenario))
    first = solve(model)
    real = solve_module.run_highs
    starts: list[bool] = []

    def wrong_with_a_start(arrays, options, separators=()):  # type: ignore[no-untyped-def]
        starts.append(options.start is not None)
        outcome = real(arrays, options, separators)
        if options.start is not None and outcome.objective is not None:
            return replace(outcome, objective=outcome.objective - 500.0)
        return outcome

    monkeypatch.setattr(solve_module, "run_highs", wrong_with_a_start)
    again = solve(model, SolveOptions(start=first.variable_values))
    assert starts == [True, False]
    assert again.objective_value == pytest.approx(first.objective_value, rel=1e-6)


def test_answer_that_never_holds_up_is_a_solver_error(monkeypatch) -> None:
    """When the answer without the cut loop does not hold up either, the solve is a
    solver error (exit 4), never a result."""
    from dataclasses import replace

    from optimizer.milp import solve as solve_module
    from optimizer.scenario.schema import validate_scenario

    real = solve_module.run_highs

    def always_wrong(arrays, options, separators=()):  # type: ignore[no-untyped-def]
        outcome = real(arrays, options, separators)
        return replace(outcome, objective=(outcome.objective or 0.0) + 1000.0)

    monkeypatch.setattr(solve_module, "run_highs", always_wrong)
    scenario = validate_scenario(CAPPED_DEFERRED)
    with pytest.raises(SolverError, match="does not hold up: objective"):
        solve(build_model(scenario, build_requirements(scenario)))
