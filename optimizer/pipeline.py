"""The one orchestrator: scenario -> requirements -> model -> solution -> verified result.

Interval mode solves one MILP. Shift mode solves in two phases: the interval
model first (a relaxation of the shift model: shifts can only cost more and use
more seats), which fixes the tier and price choices and gives a bound on the
margin; then the shift model with those choices fixed. The reported gap compares
the shift solution with that bound, so it is honest about what was not proven.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from optimizer.errors import SolverError
from optimizer.explain import explain
from optimizer.model import BuiltModel, FixedChoice, build_model
from optimizer.requirements import RequirementTable, build_requirements
from optimizer.results import Solution, SolveStatus, SolverInfo, VerifiedResult
from optimizer.scenario import Scenario
from optimizer.solve import SolveOptions, solve
from optimizer.verify import verify


@dataclass(frozen=True)
class RunOptions:
    """Everything that changes a run besides the scenario."""

    objective: str | None = None
    """max_margin or min_price; None = the scenario's own."""
    solve: SolveOptions = SolveOptions()
    explain: bool = True
    """Shadow prices and 1%-relaxation gains for binding limits (costs extra solves)."""
    fixed: dict[str, FixedChoice] = field(default_factory=dict)


def build_only(scenario: Scenario, objective: str | None = None) -> BuiltModel:
    """Build the model without solving (for LP export)."""
    return build_model(scenario, build_requirements(scenario), objective)


def run_scenario(scenario: Scenario, options: RunOptions = RunOptions()) -> VerifiedResult:
    """Solve ``scenario`` and return its independently verified result."""
    reqs = build_requirements(scenario)
    model, solution = _solve(scenario, reqs, options)
    if not solution.status.has_solution:
        return _unsolved(scenario, solution)
    result = verify(scenario, reqs, solution)
    if options.explain:
        limits = explain(scenario, reqs, model, solution, result.constraints, options.solve,
                         lambda s: _margin_of(s, options))
        result = replace(result, constraints=limits)
    return result


def _margin_of(scenario: Scenario, options: RunOptions) -> float | None:
    """Best margin of a changed scenario (no explanation), None if it has no solution."""
    reqs = build_requirements(scenario)
    _, solution = _solve(scenario, reqs, replace(options, explain=False))
    return solution.objective_value if solution.status.has_solution else None


def _solve(scenario: Scenario, reqs: RequirementTable,
           options: RunOptions) -> tuple[BuiltModel, Solution]:
    start = time.perf_counter()
    model = build_model(scenario, reqs, options.objective, fixed=options.fixed)
    build = time.perf_counter() - start
    if scenario.provider.staffing == "shifts":
        return _solve_shifts(scenario, reqs, options, model, build)
    solution = solve(model, options.solve)
    return model, replace(solution, solver=replace(solution.solver, build_seconds=build))


def _solve_shifts(scenario: Scenario, reqs: RequirementTable, options: RunOptions,
                  shift_model: BuiltModel, build: float) -> tuple[BuiltModel, Solution]:
    """Phase 1: interval relaxation picks choices and bounds; phase 2: shifts."""
    relaxed = scenario.model_copy(
        update={"provider": scenario.provider.model_copy(update={"staffing": "intervals"})})
    start = time.perf_counter()
    phase1 = build_model(relaxed, reqs, options.objective, fixed=options.fixed)
    build += time.perf_counter() - start
    first = solve(phase1, options.solve)
    if not first.status.has_solution:
        return shift_model, replace(first, solver=replace(first.solver, build_seconds=build))
    bound = first.bound if first.bound is not None else first.objective_value
    pinned = {c: (ch.tier, ch.price) for c, ch in first.choices.items()}
    start = time.perf_counter()
    phase2 = build_model(scenario, reqs, options.objective, fixed=options.fixed, choices=pinned)
    build += time.perf_counter() - start
    remaining = None
    if options.solve.time_limit is not None:
        remaining = max(1.0, options.solve.time_limit - first.solver.seconds)
    second = solve(phase2, replace(options.solve, time_limit=remaining))
    seconds = first.solver.seconds + second.solver.seconds
    if not second.status.has_solution:
        info = SolverInfo(second.solver.name, seconds, None, build)
        return phase2, replace(second, solver=info)
    value = second.objective_value or 0.0
    gap = abs((bound or 0.0) - value) / max(abs(bound or 0.0), 1e-9) if bound is not None else None
    target = options.solve.gap if options.solve.gap is not None else 1e-4
    status = SolveStatus.OPTIMAL if gap is not None and gap <= target else SolveStatus.FEASIBLE
    info = SolverInfo(second.solver.name, seconds, gap, build)
    return phase2, replace(second, status=status, solver=info, bound=bound)


def _unsolved(scenario: Scenario, solution: Solution) -> VerifiedResult:
    if solution.status == SolveStatus.ERROR:
        raise SolverError(f"the solver failed on {scenario.scenario!r}: {solution.message}")
    return VerifiedResult(scenario.scenario, scenario.currency, solution.status,
                          solution.objective, None, (), (), (), False, 0.0, solution.solver)


def staff_interval(contacts: float, interval_minutes: float, aht: float, service_level: float,
                   within: float, patience: float | None = None, max_occupancy: float = 1.0,
                   max_abandon: float | None = None, shrinkage: float = 0.0,
                   concurrency: float = 1.0) -> dict[str, float | int]:
    """Erlang calculator for one interval (the ``tierprice staff`` command)."""
    import numpy as np

    from optimizer import queueing
    from optimizer.conventions import scheduled_agents

    load = np.array([contacts * aht / (interval_minutes * 60.0)])
    servers = queueing.required_agents(load, aht, service_level, within,
                                       max_occupancy=max_occupancy, patience=patience,
                                       max_abandon=max_abandon)
    stats = queueing.metrics(servers, load, aht, within, patience=patience)
    agents = int(queueing.chat_agents(servers, concurrency)[0]) if concurrency != 1 else int(
        servers[0])
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
    from optimizer.report import rows_to_csv, rows_to_json, table

    reqs = build_requirements(scenario)
    if fmt == "table":
        rows = [[r["category"], r["tier"], f"{r['peak_agents']}", f"{r['productive_hours']:,.0f}",
                 f"{r['handled_per_month']:,.0f}", f"{r['billable_per_month']:,.2f}",
                 "-" if r["min_service_level"] is None else f"{r['min_service_level']:.3f}"]
                for r in reqs.summary_rows()]
        head = ["category", "tier", "peak agents", "productive h/month", "handled/month",
                "billable/month", "min SL"]
        return table(rows, head) + "\n"
    rows_ = reqs.interval_rows()
    if fmt == "csv":
        return rows_to_csv(rows_)
    return rows_to_json({"scenario": scenario.scenario, "summary": reqs.summary_rows(),
                         "intervals": rows_})


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
