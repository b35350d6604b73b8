"""One built model shared by the points of a batch that differ only in the client's budget.

A frontier's points (and a sweep over ``client.budget_per_month``) are the same deal with
a different right-hand side in one row, ``budget``: building the model again for each
point cost 0.25 s of a 1.25 s point on the 10 x 3 x 7 interval deal (PuLP expressions),
and 45 ms of 190 on ``nordic_telco.yaml``. Within :func:`across_points` (a batch's points
in one thread), a point's main model (:func:`optimizer.milp.phases.solve_scenario`, no
choice pinned) is derived from the one held when the scenarios are equal but for the
budget: a problem of the same variables, objective and rows but its budget row, written
anew exactly as a fresh build writes it, so that the arrays HiGHS is given (and the LP
file CBC reads) are the same. The held model is never changed (a ``BuiltModel`` is
immutable once built); one is held at a time, and none once the batch ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pulp

from optimizer.milp.model import BuiltModel
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable

BUDGET_FAMILY = "budget"


@dataclass
class _Slot:
    """The model held for the batch's next point, and what it was built for."""

    key: tuple[Any, ...] | None = None
    model: BuiltModel | None = None


class _Local(threading.local):
    slot: _Slot | None = None


_LOCAL = _Local()


@contextmanager
def across_points() -> Iterator[None]:
    """Let the points solved in this block (in this thread) share one model."""
    saved = _LOCAL.slot
    _LOCAL.slot = _Slot()
    try:
        yield
    finally:
        _LOCAL.slot = saved


def for_this_process() -> None:
    """Share models across the points this thread solves until its process ends (a pool
    worker's)."""
    _LOCAL.slot = _Slot()


def main_model(
    scenario: Scenario,
    reqs: RequirementTable,
    objective: str | None,
    fixed: Mapping[str, Any],
    expected: Mapping[str, Any] | None,
    build: Callable[[], BuiltModel],
) -> BuiltModel:
    """``build()``, or the held model of a point equal to this one but for its budget,
    at this point's budget."""
    slot = _LOCAL.slot
    if slot is None:
        return build()
    key = _key(scenario, objective, fixed, expected)
    if key == slot.key and slot.model is not None:
        return at_budget(slot.model, scenario, reqs)
    slot.key, slot.model = None, None  # never hold two models at once
    model = build()
    slot.key, slot.model = key, model
    return model


def at_budget(model: BuiltModel, scenario: Scenario, reqs: RequirementTable) -> BuiltModel:
    """``model`` for ``scenario``, whose only difference is the budget's value: a new
    problem with the same objective and rows but the budget row, written as
    ``Budget.write`` writes it (``revenue <= budget``: its constant
    ``revenue.constant - budget``, exactly). 9 ms on the 10 x 3 x 7 deal's 3,543 rows."""
    budget = scenario.client.budget_per_month
    if budget is None:  # no budget row: the same model (nothing in it changes)
        return replace(model, scenario=scenario, requirements=reqs)
    prob = pulp.LpProblem(model.prob.name, model.prob.sense)
    prob.objective = model.prob.objective
    book = model.book.copy(prob)
    for name, row in model.rows.items():
        if model.keys[name].family == BUDGET_FAMILY:
            row = pulp.LpConstraint(row.expr, row.sense, name=name, rhs=budget)
            book.rows[name] = row
        prob.addConstraint(row, name)
    return replace(model, scenario=scenario, requirements=reqs, prob=prob, book=book)


def _key(
    scenario: Scenario,
    objective: str | None,
    fixed: Mapping[str, Any],
    expected: Mapping[str, Any] | None,
) -> tuple[Any, ...]:
    """What must be equal for two points to share a model: everything but the budget's
    value (whether there is one decides whether the row exists)."""
    client = scenario.client.model_copy(update={"budget_per_month": None})
    rest = scenario.model_copy(update={"client": client})
    has_budget = scenario.client.budget_per_month is not None
    return (rest.model_dump_json(), has_budget, objective, repr(fixed), repr(expected))
