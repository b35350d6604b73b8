"""The margin-budget frontier: the provider's best margin as a function of the client's budget.

A sweep of ``client.budget_per_month`` over the range worth looking at: from the lowest
feasible budget (the most competitive bid) to the spend of the best-margin deal with no
budget cap, where more budget stops raising margin.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from optimizer.errors import Issue, ScenarioError, SolverError
from optimizer.options import RunOptions
from optimizer.results import SolveStatus
from optimizer.scenario.schema import Scenario
from optimizer.studies.sweep import Axis, SweepResult, run_sweep

BUDGET = "client.budget_per_month"


def frontier_axis(scenario: Scenario, points: int, options: RunOptions | None = None) -> Axis:
    """Budgets from the lowest feasible one to where more budget stops raising margin.

    The lowest feasible budget is the most competitive bid (objective min_price);
    the top is the spend of the best-margin deal with no budget cap.
    """
    from optimizer.pipeline import run_scenario

    free = scenario.with_overrides({BUDGET: None}) if scenario.client.budget_per_month else scenario
    quiet = replace(options or RunOptions(), explain=False, diagnose=False)
    low = run_scenario(free, replace(quiet, objective="min_price"))
    high = run_scenario(free, replace(quiet, objective="max_margin"))
    if SolveStatus.NO_SOLUTION in (low.status, high.status):
        raise SolverError(
            "the time limit came before a solution of the frontier's ends (the lowest "
            "feasible budget and the best margin): give it more time"
        )
    if low.totals is None or high.totals is None:
        raise ScenarioError(
            [
                Issue(
                    "frontier",
                    "client.budget_per_month",
                    "(any budget)",
                    "a deal that is feasible with some budget",
                )
            ]
        )
    lo = math.ceil(low.totals.revenue * (1 + 1e-9) * 100) / 100
    hi = max(lo, math.ceil(high.totals.revenue * 100) / 100)
    count = max(2, points)
    return Axis(BUDGET, tuple(round(lo + (hi - lo) * i / (count - 1), 2) for i in range(count)))


def run_frontier(
    scenario: Scenario,
    points: int = 20,
    options: RunOptions | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """The provider's best margin as a function of the client's budget."""
    base = replace(options or RunOptions(), objective="max_margin", diagnose=False)
    axis = frontier_axis(scenario, points, base)
    return run_sweep(scenario, [axis], base, workers, scheduler, progress)
