"""Tests of optimizer.milp.matrix: a PuLP problem as column-wise arrays.

A hand-written problem checks each array against values worked out by hand; a built
deal checks the arrays against PuLP's own evaluation of its objective and rows at
random points (a differential check over every row family).
"""

from __future__ import annotations

import math

import numpy as np
import pulp
import pytest
from helpers import make_scenario

from optimizer.milp.matrix import matrix_form
from optimizer.milp.model import build_model
from optimizer.staffing.requirements import build_requirements


@pytest.fixture(scope="module")
def tiny():
    """max 3x + 2y - z + 1 s.t. x + y <= 4, x - y >= -1, 2x + 0y == 2; x integer in
    [0, 5], y continuous in [0, inf), z free and in no row; w in nothing at all."""
    prob = pulp.LpProblem("tiny", pulp.LpMaximize)
    x = prob.add_variable("x", 0, 5, cat=pulp.LpInteger)
    y = prob.add_variable("y", 0)
    z = prob.add_variable("z")
    prob.add_variable("w", 0, 1)
    prob += 3 * x + 2 * y - z + 1
    rows = {"cap": x + y <= 4, "order": x - y >= -1, "pin": 2 * x + 0 * y == 2}
    for name, con in rows.items():
        prob += con, name
    return prob, rows


def test_tiny_problem_arrays_by_hand(tiny):
    """Every array of a three-row problem as worked out by hand."""
    prob, rows = tiny
    form = matrix_form(prob, rows)
    order = [v.name for v in form.variables]
    assert sorted(order) == ["x", "y", "z"]  # w is in no row and not in the objective
    col = {name: i for i, name in enumerate(order)}
    assert form.names == ["cap", "order", "pin"]
    assert form.maximize and form.offset == 1.0
    assert form.cost[col["x"]] == 3 and form.cost[col["y"]] == 2 and form.cost[col["z"]] == -1
    assert form.lower[col["x"]] == 0 and form.upper[col["x"]] == 5
    assert form.upper[col["y"]] == math.inf and form.lower[col["z"]] == -math.inf
    assert form.integer.tolist() == [name == "x" for name in order]
    assert form.row_lower.tolist() == [-math.inf, -1.0, 2.0]
    assert form.row_upper.tolist() == [4.0, math.inf, 2.0]
    dense = np.zeros((3, 3))
    for c in range(3):
        for k in range(form.starts[c], form.starts[c + 1]):
            dense[form.indices[k], c] = form.values[k]
    expected = np.zeros((3, 3))
    expected[0, col["x"]] = expected[0, col["y"]] = 1
    expected[1, col["x"]], expected[1, col["y"]] = 1, -1
    expected[2, col["x"]] = 2  # the explicit zero coefficient of y is left out
    assert (dense == expected).all()
    assert form.values.size == 5
    assert form.starts[-1] == form.values.size


def test_indices_are_sorted_within_each_column(tiny):
    """Column-wise storage: each column's row indices ascend (what passModel expects)."""
    form = matrix_form(*tiny)
    for c in range(form.cost.size):
        column = form.indices[form.starts[c] : form.starts[c + 1]]
        assert (np.diff(column) > 0).all()


@pytest.fixture(scope="module")
def deal():
    """The example deal's MILP (60-minute intervals, weekdays) and its matrix form."""
    scenario = make_scenario(
        **{
            "calendar.interval_minutes": 60,
            "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
        }
    )
    model = build_model(scenario, build_requirements(scenario), "max_margin")
    return model, matrix_form(model.prob, model.rows)


def test_deal_arrays_evaluate_as_pulp_does(deal):
    """At random points, ``cost x + offset`` is PuLP's objective value and ``A x`` plus
    each row's constant is PuLP's value of that row, for every row of the deal."""
    model, form = deal
    rng = np.random.default_rng(7)
    for _ in range(3):
        x = rng.uniform(-3.0, 3.0, form.cost.size)
        for var, value in zip(form.variables, x, strict=True):
            var.varValue = float(value)
        objective = float(form.cost @ x + form.offset)
        assert objective == pytest.approx(pulp.value(model.prob.objective), rel=1e-12, abs=1e-9)
        activity = form.arrays().activity(x)
        for r, name in enumerate(form.names):
            con = model.rows[name]
            assert activity[r] + con.constant == pytest.approx(con.value(), rel=1e-12, abs=1e-9)
    for var in form.variables:
        var.varValue = None


def test_deal_row_bounds_follow_each_sense(deal):
    """A <= row has no lower bound, a >= row no upper one, an == row equal bounds; each
    bound is minus the row's constant."""
    model, form = deal
    senses = set()
    for r, name in enumerate(form.names):
        con = model.rows[name]
        senses.add(con.sense)
        rhs = -con.constant
        if con.sense == pulp.LpConstraintLE:
            assert form.row_lower[r] == -math.inf and form.row_upper[r] == rhs
        elif con.sense == pulp.LpConstraintGE:
            assert form.row_lower[r] == rhs and form.row_upper[r] == math.inf
        else:
            assert form.row_lower[r] == form.row_upper[r] == rhs
    assert senses == {pulp.LpConstraintLE, pulp.LpConstraintGE, pulp.LpConstraintEQ}


def test_deal_columns_match_the_variables(deal):
    """Bounds and integrality of every column are those of its PuLP variable."""
    _, form = deal
    for i, var in enumerate(form.variables):
        assert form.lower[i] == (-math.inf if var.lowBound is None else var.lowBound)
        assert form.upper[i] == (math.inf if var.upBound is None else var.upBound)
        assert bool(form.integer[i]) == (var.cat == pulp.LpInteger)
    assert form.integer.any() and not form.integer.all()
