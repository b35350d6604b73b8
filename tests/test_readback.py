"""Tests of optimizer.milp.readback: a backend's answer read back in the scenario's terms.

Answers are built by hand on the example deal's model (so that each reading can be
checked against what was put in) and taken from a real solve; row slacks are checked
against the model's own arrays (``optimizer.milp.matrix``), an independent reading.
"""

from __future__ import annotations

import numpy as np
import pulp
import pytest
from helpers import make_scenario

from optimizer.limits.registry import is_limit
from optimizer.milp.backend import BackendResult
from optimizer.milp.matrix import matrix_form
from optimizer.milp.model import build_model
from optimizer.milp.readback import read_solution
from optimizer.milp.solve import solve
from optimizer.results import SolverInfo, SolveStatus
from optimizer.staffing.requirements import build_requirements

INFO = SolverInfo("highs", 0.0, 0.0)


@pytest.fixture(scope="module")
def model():
    """The example deal's MILP (60-minute intervals, weekdays, profitable prices): calls
    with two price points, mail with a continuous price range."""
    scenario = make_scenario(
        **{
            "calendar.interval_minutes": 60,
            "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
            "categories.calls.tiers.std.prices": [6.0, 8.0],
            "categories.mail.tiers.std.prices": {"min": 4.0, "max": 6.0},
        }
    )
    return build_model(scenario, build_requirements(scenario), "max_margin")


@pytest.fixture(scope="module")
def solved(model):
    """The deal solved by HiGHS (its answer read back by ``read_solution``)."""
    solution = solve(model)
    assert solution.status == SolveStatus.OPTIMAL
    return solution


def answer_at(model, values: dict[str, float]) -> BackendResult:
    """A backend answer with these variable values and the row values they give."""
    form = matrix_form(model.prob, model.rows)
    col = np.array([values.get(v.name, 0.0) for v in form.variables])
    rows = dict(zip(form.names, map(float, form.arrays().activity(col)), strict=True))
    return BackendResult(SolveStatus.FEASIBLE, values, None, rows, 0.0)


def test_choice_is_the_option_with_the_largest_value(model, solved):
    """Each category's choice is its option with the largest value (a fractional answer
    too), with that option's tier and price."""
    values = dict(solved.variable_values)
    for options in model.options.values():
        for o in options:
            values[o.var.name] = 0.0
    picked = {}
    for cat, options in model.options.items():
        first = options[0]
        values[first.var.name] = 0.6
        values[options[-1].var.name] = 0.4 if len(options) > 1 else 0.6
        picked[cat] = first
        if first.price_var is not None:
            values[first.price_var.name] = 4.75
    read = read_solution(model, answer_at(model, values), INFO)
    assert read.choices["calls"].price != solved.choices["calls"].price  # not the solved one
    assert model.options["mail"][0].price_var is not None  # a range is read from its price
    for cat, option in picked.items():
        assert read.choices[cat].tier == option.tier
        expected = 4.75 if option.price_var is not None else option.price
        assert read.choices[cat].price == expected


def test_agents_are_read_per_interval_and_rounded(model, solved):
    """Agents per (site, category) and interval: integer columns rounded, absent ones 0."""
    values = dict(solved.variable_values)
    key, per_t = next(iter(model.agents.items()))
    t, var = next(iter(per_t.items()))
    values[var.name] = 6.9999997
    read = read_solution(model, answer_at(model, values), INFO)
    agents = read.agents[key]
    assert agents.shape == (len(model.requirements.labels),)
    assert agents[t] == (7.0 if var.cat == pulp.LpInteger else 6.9999997)
    unstaffed = set(range(agents.size)) - set(per_t)
    assert unstaffed and all(agents[u] == 0.0 for u in unstaffed)


def test_row_slacks_agree_with_the_arrays(model, solved):
    """Every row's slack is its distance inside its bound, as the model's arrays give it:
    upper - Ax for <=, Ax - lower for >=, -|Ax - rhs| for ==; one activity per row."""
    form = matrix_form(model.prob, model.rows)
    col = np.array([solved.variable_values.get(v.name, 0.0) for v in form.variables])
    activity = form.arrays().activity(col)
    assert len(solved.rows) == len(form.names)
    for r, name in enumerate(form.names):
        key = model.keys[name]
        slack = solved.rows[key.readable].slack
        con = model.rows[name]
        if con.sense == pulp.LpConstraintLE:
            expected = form.row_upper[r] - activity[r]
        elif con.sense == pulp.LpConstraintGE:
            expected = activity[r] - form.row_lower[r]
        else:
            expected = -abs(activity[r] - form.row_upper[r])
        assert slack == pytest.approx(expected, abs=1e-6 * max(1.0, abs(activity[r])))
        assert slack >= -1e-6 * max(1.0, abs(activity[r]))  # a solved plan keeps every row


def test_limit_rows_are_scaled_by_the_size_of_their_terms(model, solved):
    """A limit's scale is the sum of |coefficient x value| of its terms (at least 1 and
    at least its constant); other rows keep scale 1."""
    limits = 0
    for name, con in model.rows.items():
        key = model.keys[name]
        scale = solved.rows[key.readable].scale
        if not is_limit(key.family):
            assert scale == 1.0
            continue
        limits += 1
        terms = sum(abs(c * solved.variable_values.get(v.name, 0.0)) for v, c in con.items())
        assert scale == pytest.approx(max(1.0, terms, abs(con.constant)))
    assert limits > 0


def test_an_lp_answer_carries_its_duals(model):
    """A relaxed solve gives every row a dual; a MIP answer gives none."""
    from optimizer.options import SolveOptions

    relaxed = solve(model, SolveOptions(relax=True))
    assert all(row.dual is not None for row in relaxed.rows.values())
    assert all(row.dual is None for row in solve(model).rows.values())
