"""A backend's answer read back in the scenario's terms: a :class:`~optimizer.results.Solution`.

Variable values become tier and price choices, agents per interval, shift counts and
deferred work done; every row of the model becomes a ``RowActivity`` under its readable
name (``row_activities``, the one place that reads rows back from the ``BuiltModel``).
"""

from __future__ import annotations

import numpy as np
import pulp
from numpy.typing import NDArray

from optimizer.limits.registry import is_limit
from optimizer.milp.backend import BackendResult
from optimizer.milp.model import BuiltModel
from optimizer.results import Choice, RowActivity, ShiftCount, Solution, SolverInfo


def read_solution(model: BuiltModel, answer: BackendResult, info: SolverInfo) -> Solution:
    """Turn variable values into choices, staffing, shifts and deferred work."""
    values = answer.values
    return Solution(
        answer.status,
        model.objective,
        answer.objective,
        _choices(model, values),
        _agents(model, values),
        _shifts(model, values),
        _work(model, values),
        row_activities(model, answer),
        info,
        bound=answer.bound,
        variable_values=values,
    )


def _choices(model: BuiltModel, values: dict[str, float]) -> dict[str, Choice]:
    """Each category's tier and price (with its plan and platform fee): its option with
    the largest value."""
    choices = {}
    for cat, options in model.options.items():
        best = max(options, key=lambda o: values.get(o.var.name, 0.0))
        if best.price_var is not None:
            price = values.get(best.price_var.name, 0.0)
        else:
            assert best.price is not None
            price = best.price
        fees = model.fees.get(cat) or [(0.0, None)]
        fee = max(fees, key=lambda f: 0.0 if f[1] is None else values.get(f[1].name, 0.0))[0]
        plan = best.plan
        included = 0.0 if plan is None else plan.included
        bonus = tuple(values.get(u.name, 0.0) > 0.5 for u in model.bonuses.get(cat, ()))
        plan_fee = 0.0 if plan is None else plan.fee
        index = options.index(best)
        split = tuple(
            (site, max(0.0, values.get(sigma.name, 0.0)))
            for (site, i), sigma in model.site_split.get(cat, {}).items()
            if i == index
        )
        choices[cat] = Choice(best.tier, price, plan_fee, included, fee, bonus, split)
    return choices


def _agents(
    model: BuiltModel, values: dict[str, float]
) -> dict[tuple[str, str], NDArray[np.float64]]:
    """Agents per (site, category) and interval (integer ones rounded)."""
    n = len(model.requirements.labels)
    agents = {}
    for key, vars_ in model.agents.items():
        arr = np.zeros(n)
        for t, var in vars_.items():
            value = values.get(var.name, 0.0)
            arr[t] = round(value) if var.cat == pulp.LpInteger else value
        agents[key] = arr
    return agents


def _shifts(
    model: BuiltModel, values: dict[str, float]
) -> dict[tuple[str, str], tuple[ShiftCount, ...]]:
    """The shift patterns used (count > 0) per (site, category)."""
    return {
        key: tuple(
            ShiftCount(p.start, p.hours, round(values.get(z.name, 0.0)))
            for p, z in pairs
            if round(values.get(z.name, 0.0)) > 0
        )
        for key, pairs in model.shifts.items()
    }


def _work(model: BuiltModel, values: dict[str, float]) -> dict[str, NDArray[np.float64]]:
    """Deferred work done per category and interval."""
    n = len(model.requirements.labels)
    work = {}
    for cat, dv in model.deferred.items():
        arr = np.zeros(n)
        for t, var in dv.work.items():
            arr[t] = values.get(var.name, 0.0)
        work[cat] = arr
    return work


def row_activities(model: BuiltModel, answer: BackendResult) -> dict[str, RowActivity]:
    """Every row's slack (>= 0 when it holds), dual, scale and key, by readable name."""
    values, duals = answer.values, answer.duals
    rows = {}
    for name, con in model.rows.items():
        activity = answer.row_values.get(name, 0.0) + con.constant
        slack = -activity if con.sense == pulp.LpConstraintLE else activity
        if con.sense == pulp.LpConstraintEQ:
            slack = -abs(activity)
        dual = None if duals is None else duals.get(name)
        key = model.keys[name]
        scale = 1.0
        if is_limit(key.family):
            terms = sum(abs(c * values.get(v.name, 0.0)) for v, c in con.items())
            scale = max(1.0, terms, abs(con.constant))
        rows[key.readable] = RowActivity(key, slack, dual, scale)
    return rows
