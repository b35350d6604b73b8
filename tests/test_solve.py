"""Tests for optimizer/solve.py: the matrix hand-over, status mapping and read-back."""

import numpy as np
import pytest
from helpers import make_scenario

from optimizer.errors import SolverError
from optimizer.model import build_model
from optimizer.requirements import build_requirements
from optimizer.results import SolveStatus
from optimizer.solve import SolveOptions, matrix_form, solve

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
