"""How one deal's MILPs are solved: the solve phases between the model and the result.

Interval mode solves one MILP. Shift mode solves the interval model first (a
relaxation of the shift model: shifts can only cost more and use more seats), which
proves an infeasible deal infeasible and gives a bound; then the full shift model,
whose root (``optimizer.milp.root``) strengthens its LP by the coverage cuts of every
tier, bounds the model by a branch on the tiers that LP splits
(``optimizer.milp.branch.tier_bound``), rounds the LP point to a tier and price per
category, solves the MIP with those pinned by column bounds for a start (improved one
category's day of shifts at a time when that sub-MIP ran out of time:
``optimizer.milp.neighbourhood``), and goes on with the full MIP; the tighter of its
proven bound and the tiers' gives the reported gap. Without a time limit the
shift phases run under ``SHIFT_TIME_LIMIT``, and a result it stopped says so
(``TimeLimitWarning``).

Before, the interval model's choices were pinned in a second shift model built
anew (1.9 s of PuLP and 0.5 s of hand-over on the 10 x 3 x 7 deal, most of a 10 s
limit under load), and they are not the best choices with shifts;
``benchmarks/shifts.py`` keeps that strategy as its baseline (``cuts.BASELINE``).

Two second stages refine a solution: ``cheapest_at_lowest_spend`` (``min_price``
solved lexicographically) and ``at_quotable_prices`` (continuous prices moved to a
quotable step). ``optimizer.pipeline`` decides when each runs.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import replace
from typing import Any

from optimizer.conventions import quotable
from optimizer.milp import cuts, reuse
from optimizer.milp.model import BuiltModel, build_model, value_at
from optimizer.milp.proof import relative_gap
from optimizer.milp.solve import solve
from optimizer.options import RunOptions
from optimizer.results import Solution, SolveStatus
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable


def solve_scenario(
    scenario: Scenario, reqs: RequirementTable, options: RunOptions
) -> tuple[BuiltModel, Solution]:
    """Build ``scenario``'s model and solve it (shift mode: in phases); with build time."""
    start = time.perf_counter()
    model = reuse.main_model(
        scenario,
        reqs,
        options.objective,
        options.fixed,
        options.expected,
        lambda: _build(scenario, reqs, options),
    )
    build = time.perf_counter() - start
    if scenario.provider.staffing == "shifts":
        return _solve_shifts(scenario, reqs, options, model, build)
    solution = solve(model, options.solve)
    return model, replace(solution, solver=replace(solution.solver, build_seconds=build))


def _build(
    scenario: Scenario, reqs: RequirementTable, options: RunOptions, **pins: Any
) -> BuiltModel:
    """The model of ``options``' objective, quotes and expected changes (``pins``: the
    choices or ranges :func:`optimizer.milp.model.build_model` pins)."""
    return build_model(
        scenario, reqs, options.objective, fixed=options.fixed, expected=options.expected, **pins
    )


SHIFT_TIME_LIMIT = 30.0
"""Seconds for the shift phases when the user gives no time limit."""


class TimeLimitWarning(UserWarning):
    """A result that depends on a default time limit (and so on the machine's speed)."""


PHASE1_GAP = 1e-3
"""Relative gap of the interval phase, which only picks tiers and prices."""


def _solve_shifts(
    scenario: Scenario,
    reqs: RequirementTable,
    options: RunOptions,
    shift_model: BuiltModel,
    build: float,
) -> tuple[BuiltModel, Solution]:
    """Shift mode: the interval model (a relaxation), then the full shift model.

    Baseline (``cuts.BASELINE``), three phases: the interval model picks tiers and
    prices; the shift model with those pinned gives a plan; the full shift model,
    started from it, improves it and proves a bound.
    """
    relaxed = scenario.model_copy(
        update={"provider": scenario.provider.model_copy(update={"staffing": "intervals"})}
    )
    clock = time.perf_counter()
    # The phases share the run's deadline (without a time limit: SHIFT_TIME_LIMIT less
    # the build already spent); each solve returns within the limit it is given.
    end = options.solve.deadline
    if end is None:
        end = time.monotonic() + SHIFT_TIME_LIMIT - build

    def within(share: float) -> float:
        return max(0.0, share * (end - time.monotonic()))

    phase1 = _build(relaxed, reqs, options)
    # Phase 1 only picks the choices: a 0.1% gap and a fifth of the time are plenty.
    loose = max(options.solve.gap or 0.0, PHASE1_GAP)
    first = solve(phase1, replace(options.solve, time_limit=within(1 / 5), gap=loose))
    if first.status == SolveStatus.INFEASIBLE:  # a relaxation: shifts are infeasible too
        return shift_model, _timed(first, clock, build)
    if not first.status.has_solution or not cuts.BASELINE[0]:
        third = solve(shift_model, replace(options.solve, time_limit=within(1)))
        if not first.status.has_solution:
            return shift_model, _timed(third, clock, build)
        return _warn_if_default_limit(
            options, shift_model, _timed(_bounded(third, first.bound), clock, build)
        )
    pinned = first.pinned()
    phase2 = _build(scenario, reqs, options, choices=pinned)
    second = solve(phase2, replace(options.solve, time_limit=within(1 / 2)))
    # The interval choices may not survive shifts (e.g. a min-price bid that only just
    # met the margin floor): then the full model runs without a start.
    start = _start_from(shift_model, second) if second.status.has_solution else None
    third = solve(shift_model, replace(options.solve, time_limit=within(1), start=start))
    if third.status.has_solution or not second.status.has_solution:
        return _warn_if_default_limit(
            options, shift_model, _timed(_bounded(third, first.bound), clock, build)
        )
    # Phase 2 is optimal only with its choices pinned: for the full model it is feasible.
    held = replace(second, status=SolveStatus.FEASIBLE, solver=replace(second.solver, gap=None))
    bound = third.bound if third.bound is not None else first.bound
    return _warn_if_default_limit(options, phase2, _timed(_bounded(held, bound), clock, build))


def _warn_if_default_limit(
    options: RunOptions, model: BuiltModel, solution: Solution
) -> tuple[BuiltModel, Solution]:
    """Shift mode runs under a default limit when the user gave none: a result that limit
    stopped depends on the machine's speed, and a warning says so."""
    if options.solve.time_limit is None and solution.status == SolveStatus.FEASIBLE:
        warnings.warn(
            f"shift mode stopped at the default {SHIFT_TIME_LIMIT:g} s limit (gap "
            f"{100 * (solution.solver.gap or 0.0):.2f}%): on a busier machine the plan may "
            "differ; give --time-limit or --gap to decide",
            TimeLimitWarning,
            stacklevel=3,
        )
    return model, solution


def _bounded(solution: Solution, bound: float | None) -> Solution:
    """A feasible shift solution always with a numeric gap: its own, else the one from
    ``bound`` (the full model's, or the interval phase's: a relaxation of shifts)."""
    if solution.status != SolveStatus.FEASIBLE or solution.objective_value is None:
        return solution
    gap = solution.solver.gap
    if (gap is not None and math.isfinite(gap)) or bound is None or not math.isfinite(bound):
        return solution
    gap = relative_gap(bound, solution.objective_value)
    return replace(solution, solver=replace(solution.solver, gap=gap), bound=bound)


def _start_from(model: BuiltModel, solution: Solution) -> dict[str, float]:
    """A warm start for ``model`` from a solution of the same model with choices pinned."""
    start = dict(solution.variable_values)
    for cat, opts in model.options.items():
        chosen = solution.choices[cat]
        for o in opts:
            if o.price is not None:
                start[o.var.name] = 1.0 if (o.tier, o.price) == (chosen.tier, chosen.price) else 0.0
    return start


def _timed(solution: Solution, clock: float, build: float) -> Solution:
    """The solution with the wall time of all phases."""
    seconds = time.perf_counter() - clock
    return replace(solution, solver=replace(solution.solver, seconds=seconds, build_seconds=build))


SPEND_SLACK_REL = 1e-9
"""Relative slack on the lowest spend when the cheapest staffing at it is sought."""


def cheapest_at_lowest_spend(
    scenario: Scenario, reqs: RequirementTable, options: RunOptions, first: Solution
) -> Solution:
    """``min_price``, second stage: the lowest provider cost at the spend just found.

    A weighted tie-break (spend + epsilon x cost) is swamped by the MIP gap, so the
    provider's cost was left to chance; this solves the lexicographic problem exactly:
    minimise cost subject to spend <= the first stage's spend, started from the first
    stage's solution (which is feasible for it). The result reports the spend as its
    objective, status and gap the worse of the two stages.
    """
    assert first.objective_value is not None
    cap = first.objective_value + SPEND_SLACK_REL * max(1.0, abs(first.objective_value))
    # Shift mode keeps the first stage's choices (its full model is too hard to solve
    # twice) and finds the cheapest shift plan for them.
    shifts = scenario.provider.staffing == "shifts"
    pinned = first.pinned() if shifts else None
    second_model = build_model(
        scenario, reqs, "min_price", fixed=options.fixed, choices=pinned, spend_cap=cap
    )
    limit = options.solve.time_limit
    if shifts and limit is None:
        limit = SHIFT_TIME_LIMIT
    start = _start_from(second_model, first)
    second = solve(second_model, replace(options.solve, start=start, time_limit=limit))
    if not second.status.has_solution:
        return first  # the time limit came first: the first stage's plan stands
    gaps = [g for g in (first.solver.gap, second.solver.gap) if g is not None]
    return replace(
        _second_stage(first, second, max(gaps) if gaps else None),
        objective="min_price",
        objective_value=second_model.spend_at(second.variable_values),
    )


def _second_stage(first: Solution, second: Solution, gap: float | None) -> Solution:
    """``second``, a re-solve that refines ``first``, reported as one answer: the worse
    status of the two, the first stage's bound and solver, both stages' seconds, ``gap``."""
    worse = first.status if first.status != SolveStatus.OPTIMAL else second.status
    seconds = first.solver.seconds + second.solver.seconds
    return replace(
        second,
        status=worse,
        bound=first.bound,
        solver=replace(first.solver, seconds=seconds, gap=gap),
    )


def at_quotable_prices(
    scenario: Scenario,
    reqs: RequirementTable,
    options: RunOptions,
    model: BuiltModel,
    solution: Solution,
) -> Solution:
    """Continuous prices (a range without a step) moved to a quotable step.

    The exact optimum of a price range is rarely a price anyone quotes (1.037291 per
    minute). Each such price is rounded to cents (4 decimals below 1) in the direction
    the objective prefers first (up for margin, down for a competitive bid), then the
    other, and the staffing is solved again with every choice pinned; the first
    rounding that keeps every limit wins. When neither does, the exact prices stand.
    ``RunOptions.exact_prices`` (``--exact-prices``) keeps them anyway. ``model`` is
    the one ``solution`` solved: a rounding whose spend alone breaks the budget
    (``_over_budget``) is not built nor solved.
    """
    objective = model.objective
    ranged = {
        c.name
        for c in scenario.categories
        if c.tier(solution.choices[c.name].tier).price_points() is None
        and c.name not in options.fixed
    }
    if not ranged:
        return solution
    prefer_up = objective != "min_price"
    for up in (prefer_up, not prefer_up):
        pinned = {
            c: (ch.tier, quotable(ch.price, up) if c in ranged else ch.price)
            for c, ch in solution.choices.items()
        }
        if all(pinned[c][1] == solution.choices[c].price for c in ranged):
            return solution  # already on the step
        if _over_budget(model, solution, pinned):
            continue
        again_model = _build(
            scenario, reqs, replace(options, objective=objective), choices=pinned, pin_ranges=True
        )
        start = _start_from(again_model, solution)
        again = solve(again_model, replace(options.solve, start=start))
        if again.status.has_solution:
            return _second_stage(solution, again, solution.solver.gap)
    return solution


def _over_budget(
    model: BuiltModel, solution: Solution, pinned: dict[str, tuple[str, float]]
) -> bool:
    """Whether ``pinned`` (every choice, continuous prices rounded) breaks the client's
    budget by its spend alone, so that no staffing can hold it.

    Only when the spend is fixed by the choices (``model``'s revenue is over option
    binaries and continuous prices alone: no fee menu, site premium or bonus): it is then
    ``solution``'s spend with each range's price moved, at most what the pinned model
    charges (a minimum charge only adds to it). With a binding budget, rounding a price
    up always breaks it: each frontier point solved the up rounding in vain."""
    budget = model.scenario.client.budget_per_month
    if budget is None:
        return False
    revenue = model.total_revenue()
    prices = {
        o.price_var.name: o
        for opts in model.options.values()
        for o in opts
        if o.price_var is not None
    }
    binaries = {o.var.name for opts in model.options.values() for o in opts}
    if any(v.name not in binaries and v.name not in prices for v in revenue):
        return False
    values = dict(solution.variable_values)
    for name, option in prices.items():
        if values.get(option.var.name, 0.0) > 0.5 and option.category in pinned:
            values[name] = pinned[option.category][1]
    return value_at(revenue, values) > budget + max(1e-6 * budget, 1e-3)
