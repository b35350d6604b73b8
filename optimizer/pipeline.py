"""The one orchestrator: scenario -> requirements -> model -> solution -> verified result.

Interval mode solves one MILP. Shift mode solves in three warm-started phases:
the interval model first (a relaxation of the shift model: shifts can only cost
more and use more seats), which picks the tier and price choices; then the shift
model with those choices pinned; then the full shift model started from that
plan, whose proven bound gives the reported gap.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field, replace

from optimizer.analysis.diagnose import diagnose
from optimizer.analysis.explain import explain
from optimizer.analysis.verify import verify
from optimizer.conventions import quotable
from optimizer.errors import SolverError
from optimizer.milp.highs import child_signals as child_signals  # re-exported for batch's
from optimizer.milp.highs import die_with_parent as die_with_parent  # pool workers (layering)
from optimizer.milp.model import BuiltModel, FixedChoice, build_model
from optimizer.milp.solve import SolveOptions, solve
from optimizer.results import Solution, SolveStatus, VerifiedResult
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable, build_requirements


@dataclass(frozen=True)
class RunOptions:
    """Everything that changes a run besides the scenario."""

    objective: str | None = None
    """max_margin or min_price; None = the scenario's own."""
    solve: SolveOptions = field(default_factory=SolveOptions)
    explain: bool = True
    """Shadow prices and 1%-relaxation gains for binding limits (costs extra solves)."""
    fixed: dict[str, FixedChoice] = field(default_factory=dict)
    """Categories held at a quoted tier and price (``tierprice check --fix``)."""
    diagnose: bool = True
    """On infeasibility, find the smallest proven changes (costs extra solves)."""
    exact_prices: bool = False
    """Keep continuous prices at the exact optimum instead of a quotable step."""


def build_only(scenario: Scenario, objective: str | None = None) -> BuiltModel:
    """Build the model without solving (for LP export)."""
    return build_model(scenario, build_requirements(scenario), objective)


def run_scenario(scenario: Scenario, options: RunOptions = RunOptions()) -> VerifiedResult:
    """Solve ``scenario`` and return its independently verified result.

    A time limit is for the whole run: the main solve, then the explanation's or the
    diagnosis's re-solves, share one deadline; what did not fit is named in
    ``solver.skipped``.
    """
    if options.solve.time_limit is not None and options.solve.deadline is None:
        deadline = time.monotonic() + options.solve.time_limit
        options = replace(options, solve=replace(options.solve, deadline=deadline))
    skipped: list[str] = []
    result = _run(scenario, options, skipped)
    if not skipped:
        return result
    return replace(result, solver=replace(result.solver, skipped=tuple(dict.fromkeys(skipped))))


def _run(scenario: Scenario, options: RunOptions, skipped: list[str]) -> VerifiedResult:
    reqs = build_requirements(scenario)
    model, solution = _solve(scenario, reqs, options)
    if model.objective == "min_price" and solution.status.has_solution:
        solution = _cheapest_at_lowest_spend(scenario, reqs, options, solution)
    exact = solution  # what explain compares relaxations with: exact against exact
    if solution.status.has_solution and not options.exact_prices:
        solution = _at_quotable_prices(scenario, reqs, options, model.objective, solution)
    if solution.status == SolveStatus.INFEASIBLE and options.diagnose:
        changes = diagnose(
            scenario,
            reqs,
            options.fixed,
            options.solve,
            lambda s, fixed: _has_solution(s, replace(options, fixed=fixed), skipped),
            skipped,
        )
        return replace(_unsolved(scenario, solution), diagnosis=tuple(c.to_dict() for c in changes))
    if not solution.status.has_solution:
        return _unsolved(scenario, solution)
    result = verify(scenario, reqs, solution)
    if options.explain:
        limits = explain(
            scenario,
            reqs,
            model,
            exact,
            result.constraints,
            options.solve,
            lambda s: _margin_of(s, options, skipped),
            skipped=skipped,
        )
        result = replace(result, constraints=limits)
    return result


SPEND_SLACK_REL = 1e-9
"""Relative slack on the lowest spend when the cheapest staffing at it is sought."""


def _cheapest_at_lowest_spend(
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


def _at_quotable_prices(
    scenario: Scenario,
    reqs: RequirementTable,
    options: RunOptions,
    objective: str,
    solution: Solution,
) -> Solution:
    """Continuous prices (a range without a step) moved to a quotable step.

    The exact optimum of a price range is rarely a price anyone quotes (1.037291 per
    minute). Each such price is rounded to cents (4 decimals below 1) in the direction
    the objective prefers first (up for margin, down for a competitive bid), then the
    other, and the staffing is solved again with every choice pinned; the first
    rounding that keeps every limit wins. When neither does, the exact prices stand.
    ``RunOptions.exact_prices`` (``--exact-prices``) keeps them anyway.
    """
    ranged = {
        c.name
        for c in scenario.categories
        if c.tier(solution.choices[c.name].tier).price_points() is None
        and c.name not in options.fixed
    }
    if not ranged:
        return solution
    prefer_up = objective == "max_margin"
    for up in (prefer_up, not prefer_up):
        pinned = {
            c: (ch.tier, quotable(ch.price, up) if c in ranged else ch.price)
            for c, ch in solution.choices.items()
        }
        if all(pinned[c][1] == solution.choices[c].price for c in ranged):
            return solution  # already on the step
        model = build_model(
            scenario, reqs, objective, fixed=options.fixed, choices=pinned, pin_ranges=True
        )
        again = solve(model, replace(options.solve, start=_start_from(model, solution)))
        if again.status.has_solution:
            return _second_stage(solution, again, solution.solver.gap)
    return solution


PROOF_GAP = 0.05
"""Relative gap for proving a suggestion: any feasible solution proves it, so stop early."""


def _has_solution(scenario: Scenario, options: RunOptions, skipped: list[str]) -> bool:
    """Whether a (changed) scenario is feasible under ``options`` (False, and noted in
    ``skipped``, when the time limit leaves no room to prove it)."""
    if options.solve.out_of_time():
        skipped.append("diagnosis: proofs of suggestions")
        return False
    reqs = build_requirements(scenario)
    quick = replace(options, explain=False, solve=replace(options.solve, gap=PROOF_GAP))
    _, solution = _solve(scenario, reqs, quick)
    return solution.status.has_solution


def _margin_of(scenario: Scenario, options: RunOptions, skipped: list[str]) -> float | None:
    """Best margin of a changed scenario (no explanation), None unless proven optimal
    (a margin cut short by a time limit is not comparable with another)."""
    reqs = build_requirements(scenario)
    _, solution = _solve(scenario, reqs, replace(options, explain=False))
    if solution.status == SolveStatus.FEASIBLE and options.solve.deadline is not None:
        skipped.append("explanation: relaxation re-solves cut short by the time limit")
    return solution.objective_value if solution.status == SolveStatus.OPTIMAL else None


def _solve(
    scenario: Scenario, reqs: RequirementTable, options: RunOptions
) -> tuple[BuiltModel, Solution]:
    start = time.perf_counter()
    model = build_model(scenario, reqs, options.objective, fixed=options.fixed)
    build = time.perf_counter() - start
    if scenario.provider.staffing == "shifts":
        return _solve_shifts(scenario, reqs, options, model, build)
    solution = solve(model, options.solve)
    return model, replace(solution, solver=replace(solution.solver, build_seconds=build))


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
    """Shift mode in three phases, each warm-starting the next.

    1. The interval model (a relaxation) picks tiers and prices.
    2. The shift model with those choices pinned gives a good shift plan fast.
    3. The full shift model, started from that plan, improves it and proves a bound
       within the remaining time; its gap is the one reported.
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

    phase1 = build_model(relaxed, reqs, options.objective, fixed=options.fixed)
    # Phase 1 only picks the choices: a 0.1% gap and a fifth of the time are plenty.
    loose = max(options.solve.gap or 0.0, PHASE1_GAP)
    first = solve(phase1, replace(options.solve, time_limit=within(1 / 5), gap=loose))
    if first.status == SolveStatus.INFEASIBLE:  # a relaxation: shifts are infeasible too
        return shift_model, _timed(first, clock, build)
    if not first.status.has_solution:
        third = solve(shift_model, replace(options.solve, time_limit=within(1)))
        return shift_model, _timed(third, clock, build)
    pinned = first.pinned()
    phase2 = build_model(scenario, reqs, options.objective, fixed=options.fixed, choices=pinned)
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
    value = solution.objective_value
    gap = abs(bound - value) / max(abs(value), 1e-9)
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


_MESSAGES = {
    SolveStatus.INFEASIBLE: "the deal is infeasible: no tier, price and staffing meet every limit",
    SolveStatus.NO_SOLUTION: "no solution found within the time limit",
    SolveStatus.UNBOUNDED: "the model is unbounded (a price or quantity without a limit)",
}


def _unsolved(scenario: Scenario, solution: Solution) -> VerifiedResult:
    if solution.status == SolveStatus.ERROR:
        raise SolverError(f"the solver failed on {scenario.scenario!r}: {solution.message}")
    return VerifiedResult(
        scenario.scenario,
        scenario.currency,
        solution.status,
        solution.objective,
        None,
        (),
        (),
        (),
        False,
        0.0,
        solution.solver,
        message=_MESSAGES.get(solution.status, str(solution.status))
        + (
            f" ({solution.message})"
            if solution.status == SolveStatus.NO_SOLUTION and solution.message
            else ""
        ),
    )


def staff_interval(
    contacts: float,
    interval_minutes: float,
    aht: float,
    service_level: float,
    within: float,
    patience: float | None = None,
    max_occupancy: float = 1.0,
    max_abandon: float | None = None,
    shrinkage: float = 0.0,
    concurrency: float = 1.0,
) -> dict[str, float | int]:
    """Erlang calculator for one interval (the ``tierprice staff`` command)."""
    import numpy as np

    from optimizer.conventions import scheduled_agents
    from optimizer.staffing import queueing

    load = np.array([contacts * aht / (interval_minutes * 60.0)])
    servers = queueing.required_agents(
        load,
        aht,
        service_level,
        within,
        max_occupancy=max_occupancy,
        patience=patience,
        max_abandon=max_abandon,
    )
    stats = queueing.metrics(servers, load, aht, within, patience=patience)
    agents = (
        int(queueing.chat_agents(servers, concurrency)[0]) if concurrency != 1 else int(servers[0])
    )
    return {
        "agents": agents,
        "scheduled_agents": round(scheduled_agents(agents, shrinkage), 6),
        "service_level": round(float(stats.service_level[0]), 6),
        "p_wait": round(float(stats.p_wait[0]), 6),
        "asa_seconds": round(float(stats.asa[0]), 6),
        "occupancy": round(float(stats.occupancy[0]), 6),
        "p_abandon": round(float(stats.p_abandon[0]), 6),
    }


def requirement_report(scenario: Scenario, fmt: str) -> str:
    """The requirement table as text (summary per tier), CSV or JSON (per interval)."""
    from optimizer.output.report import rows_to_csv, rows_to_json, table

    reqs = build_requirements(scenario)
    if fmt == "table":
        rows = [
            [
                str(r["category"]),
                str(r["tier"]),
                f"{r['peak_agents']}",
                f"{r['productive_hours']:,.0f}"
                + (" (once)" if scenario.category(str(r["category"])).is_project else ""),
                f"{r['handled_per_month']:,.0f}",
                f"{r['billable_per_month']:,.2f}",
                "-" if r["min_service_level"] is None else f"{r['min_service_level']:.3f}",
            ]
            for r in reqs.summary_rows()
        ]
        head = [
            "category",
            "tier",
            "peak agents",
            "productive h/month (projects: once)",
            "handled/month",
            "billable/month",
            "min SL",
        ]
        return table(rows, head) + "\n"
    rows_ = reqs.interval_rows()
    if fmt == "csv":
        return rows_to_csv(rows_)
    return rows_to_json(
        {"scenario": scenario.scenario, "summary": reqs.summary_rows(), "intervals": rows_}
    )


def lp_text(model: BuiltModel) -> str:
    """The model in LP format (PuLP's writer, through a temporary file)."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(suffix=".lp")
    os.close(fd)
    try:
        model.prob.writeLP(tmp)
        with open(tmp, encoding="utf-8") as handle:
            return handle.read()
    finally:
        os.unlink(tmp)


def parse_fixes(
    scenario: Scenario, specs: tuple[str, ...] | list[str], source: str = "--fix"
) -> dict[str, FixedChoice]:
    """``["billing=gold@0.95"]`` -> held choices, or a ScenarioError naming each bad one."""
    from optimizer.errors import Issue, ScenarioError

    fixed: dict[str, FixedChoice] = {}
    issues = []
    names = {c.name: c for c in scenario.categories}
    for spec in specs:
        cat, _, rest = spec.partition("=")
        tier, _, price_text = rest.partition("@")
        try:
            price = float(price_text)
        except ValueError:
            price = float("nan")
        if cat not in names:
            issues.append(
                Issue(
                    source,
                    "--fix",
                    spec,
                    f"CATEGORY=TIER@PRICE with a category of {', '.join(names)}",
                )
            )
        elif tier not in {t.name for t in names[cat].tiers}:
            tiers = ", ".join(t.name for t in names[cat].tiers)
            issues.append(Issue(source, "--fix", spec, f"a tier of {cat} ({tiers})"))
        elif not (price >= 0 and price < float("inf")):
            issues.append(Issue(source, "--fix", spec, "a price: a finite number >= 0"))
        elif cat in fixed:
            issues.append(Issue(source, "--fix", spec, f"one --fix per category ({cat} twice)"))
        else:
            fixed[cat] = FixedChoice(tier, price)
    if issues:
        raise ScenarioError(issues)
    return fixed


CHECK_GAP = 1e-3
"""Relative gap of a deal check: the verdict's margin is within 0.1% of the best."""


def check_options(fixed: dict[str, FixedChoice], solve: SolveOptions | None = None) -> RunOptions:
    """Run options of ``tierprice check``: feasibility, margin and binding limits, with the
    diagnosis when infeasible; not the 1% re-solves, and not the last 0.1% of margin
    (``solver.gap`` says how close)."""
    base = solve or SolveOptions()
    gap = CHECK_GAP if base.gap is None else base.gap
    return RunOptions(fixed=fixed, explain=False, solve=replace(base, gap=gap))
