"""BuiltModel + solver options -> Solution. The only module that calls a solver.

HiGHS is driven through ``highspy`` directly: the PuLP problem is turned into
column-wise arrays and handed over with one ``passModel`` (about a hundred times
faster than PuLP's row-by-row hand-over), and the status, gap and bound are read
from HiGHS itself. CBC runs through PuLP's bundled ``PULP_CBC_CMD``. Both map
their codes to :class:`~optimizer.results.SolveStatus` here and nowhere else.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pulp

from optimizer.errors import SolverError
from optimizer.limits.registry import is_limit
from optimizer.milp.cuts import DeferredWindows, ShiftCoverage
from optimizer.milp.highs import Arrays, HighsOptions, Outcome, Separator, run_highs, seconds_left
from optimizer.milp.model import BuiltModel
from optimizer.results import Choice, RowActivity, ShiftCount, Solution, SolverInfo, SolveStatus

SOLVERS = ("highs", "cbc")


@dataclass(frozen=True)
class SolveOptions:
    """Solver choice and limits."""

    solver: str = "highs"
    time_limit: float | None = None
    """Seconds; None = no limit."""
    gap: float | None = None
    """Relative MIP gap at which to stop; None = the solver's default (1e-4 for HiGHS)."""
    threads: int | None = 1
    relax: bool = False
    """Solve the LP relaxation (integers and binaries continuous)."""
    start: dict[str, float] | None = None
    """A feasible solution to start from (variable name -> value); HiGHS only."""
    deadline: float | None = None
    """``time.monotonic()`` by which every solve must have ended (the whole command's
    time budget, set by the pipeline); each solve gets what is left, capped by
    ``time_limit``."""

    def seconds_left(self) -> float | None:
        """Seconds this solve may take: ``time_limit`` capped by the deadline."""
        return seconds_left(self.time_limit, self.deadline)

    def out_of_time(self, need: float = 0.5) -> bool:
        """Whether less than ``need`` seconds are left before the deadline (a re-solve
        that could not finish in them is skipped, and the output says so)."""
        return self.deadline is not None and self.deadline - time.monotonic() < need


@dataclass
class MatrixForm:
    """A PuLP problem as arrays (columns in ``prob.variables()`` order)."""

    variables: list[pulp.LpVariable]
    names: list[str]
    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    starts: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    offset: float
    maximize: bool

    def arrays(self) -> Arrays:
        """What the HiGHS driver takes (the arrays without the PuLP objects)."""
        return Arrays(
            self.cost,
            self.lower,
            self.upper,
            self.integer,
            self.row_lower,
            self.row_upper,
            self.starts,
            self.indices,
            self.values,
            self.offset,
            self.maximize,
        )


def matrix_form(prob: pulp.LpProblem, constraints: Mapping[str, pulp.LpConstraint]) -> MatrixForm:
    """Column-wise arrays of ``prob`` (what HiGHS's passModel takes)."""
    variables = prob.variables()
    index = {v.name: i for i, v in enumerate(variables)}
    ncol = len(variables)
    cost = np.zeros(ncol)
    for var, coef in prob.objective.items():
        cost[index[var.name]] = coef
    inf = math.inf
    lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], float)
    upper = np.array([inf if v.upBound is None else v.upBound for v in variables], float)
    integer = np.array([v.cat == pulp.LpInteger for v in variables], bool)
    names = list(constraints)
    rows, cols, vals = [], [], []
    row_lower = np.empty(len(names))
    row_upper = np.empty(len(names))
    for r, name in enumerate(names):
        con = constraints[name]
        rhs = -con.constant
        row_lower[r] = rhs if con.sense != pulp.LpConstraintLE else -inf
        row_upper[r] = rhs if con.sense != pulp.LpConstraintGE else inf
        for var, coef in con.items():
            if coef:
                rows.append(r)
                cols.append(index[var.name])
                vals.append(coef)
    order = np.lexsort((np.asarray(rows), np.asarray(cols)))
    col_arr = np.asarray(cols, dtype=np.int64)[order]
    starts = np.searchsorted(col_arr, np.arange(ncol + 1)).astype(np.int32)
    return MatrixForm(
        variables,
        names,
        cost,
        lower,
        upper,
        integer,
        row_lower,
        row_upper,
        starts,
        np.asarray(rows, dtype=np.int32)[order],
        np.asarray(vals, float)[order],
        float(prob.objective.constant),
        prob.sense == pulp.LpMaximize,
    )


def solve(model: BuiltModel, options: SolveOptions = SolveOptions()) -> Solution:
    """Solve ``model`` and read the solution back in the scenario's terms."""
    if options.solver not in SOLVERS:
        raise SolverError(f"unknown solver {options.solver!r}: expected one of {SOLVERS}")
    start = time.perf_counter()
    left = options.seconds_left()
    if left is not None and left <= 0:
        info = SolverInfo(options.solver, 0.0, None)
        late = "the time limit was used up before the solver could start"
        return Solution(
            SolveStatus.NO_SOLUTION, model.objective, None, {}, {}, {}, {}, {}, info, late
        )
    if options.solver == "highs":
        status, values, duals, row_values, objective, gap, bound = _solve_highs(model, options)
    else:
        status, values, duals, row_values, objective, gap, bound = _solve_cbc(model, options)
    seconds = time.perf_counter() - start
    info = SolverInfo(options.solver, seconds, gap)
    if not status.has_solution:
        message = ""
        if status == SolveStatus.ERROR:
            message = (
                "the solver could not handle the model; extreme numbers in the scenario "
                "(far too large or too small) are the usual cause"
            )
        return Solution(
            status, model.objective, None, {}, {}, {}, {}, {}, info, message, bound=bound
        )
    return _read(model, status, values, duals, row_values, objective, info, bound)


_Raw = tuple[
    SolveStatus,
    dict[str, float],
    dict[str, float] | None,
    dict[str, float],
    float | None,
    float | None,
    float | None,
]


def _solve_highs(model: BuiltModel, options: SolveOptions) -> _Raw:
    form = matrix_form(model.prob, model.rows)
    arrays = form.arrays()
    start = None
    if options.start is not None:
        start = np.array([options.start.get(v.name, 0.0) for v in form.variables])
    highs_options = HighsOptions(
        options.time_limit, options.gap, options.threads, options.relax, start, options.deadline
    )
    cuts = () if options.relax else separators(model, form)
    outcome = run_highs(arrays, highs_options, cuts)
    problem = _inconsistent(arrays, outcome, options.relax)
    if problem and (cuts or start is not None):
        # Seen with HiGHS 1.16: after the root cut loop, or given a start solution, it
        # reported the objective of one solution with the columns of another (the start
        # or the last LP point). Solve again on a fresh model, without either.
        outcome = run_highs(arrays, replace(highs_options, start=None), ())
        problem = _inconsistent(arrays, outcome, options.relax)
    if problem:
        raise SolverError(f"HiGHS returned an answer that does not hold up: {problem}")
    if not outcome.status.has_solution or outcome.col is None or outcome.row is None:
        return outcome.status, {}, None, {}, None, None, outcome.bound
    values = {v.name: float(outcome.col[i]) for i, v in enumerate(form.variables)}
    row_values = dict(zip(form.names, map(float, outcome.row), strict=True))
    duals = None
    if outcome.dual is not None:
        duals = dict(zip(form.names, map(float, outcome.dual), strict=True))
    return (
        outcome.status,
        values,
        duals,
        row_values,
        outcome.objective,
        outcome.gap,
        outcome.bound,
    )


def _inconsistent(arrays: Arrays, outcome: Outcome, relaxed: bool) -> str | None:
    """Why HiGHS's answer is not a solution of the model with its objective, or None."""
    if not outcome.status.has_solution or outcome.col is None:
        return None
    return arrays.discrepancy(outcome.col, outcome.objective, integral=not relaxed)


def separators(model: BuiltModel, form: MatrixForm) -> tuple[Separator, ...]:
    """The cuts ``optimizer.milp.cuts`` separates for this model, by column index: deferred
    work's window inequalities in interval mode (they need integer agents), coverage
    MIR cuts on the shift counts in shift mode."""
    column = {v.name: i for i, v in enumerate(form.variables)}
    if model.scenario.provider.staffing == "intervals":
        return tuple(_windows(model, column, cat) for cat in model.deferred)
    return tuple(
        _coverage(model, column, cat.name)
        for cat in model.scenario.categories
        if cat.channel in ("voice", "chat") and any(c == cat.name for _, c in model.shifts)
    )


def _tier_columns(
    model: BuiltModel, column: dict[str, int], cat: str
) -> tuple[list[str], tuple[np.ndarray, ...]]:
    """The tiers ``cat`` can still be sold at, and the option columns of each."""
    tiers = list(dict.fromkeys(o.tier for o in model.options[cat]))
    cols = tuple(
        np.array([column[o.var.name] for o in model.options[cat] if o.tier == t], np.int32)
        for t in tiers
    )
    return tiers, cols


def _windows(model: BuiltModel, column: dict[str, int], cat: str) -> DeferredWindows:
    dv = model.deferred[cat]
    per_t: list[list[int]] = [[] for _ in model.requirements.labels]
    for (_, c), agents in model.agents.items():
        if c == cat:
            for t, var in agents.items():
                per_t[t].append(column[var.name])
    tiers, tier_cols = _tier_columns(model, column, cat)
    return DeferredWindows(
        dv.per_agent,
        dv.cumulative,
        tuple(dv.due[t] for t in tiers),
        tier_cols,
        tuple(np.array(cols, np.int32) for cols in per_t),
    )


def _coverage(model: BuiltModel, column: dict[str, int], cat: str) -> ShiftCoverage:
    scenario = model.scenario
    n = len(model.requirements.labels)
    keep, shift_cols, covers = [], [], []
    for (site, c), pairs in model.shifts.items():
        if c != cat:
            continue
        keep.append(1.0 - scenario.site_shrinkage(scenario.site(site)))
        shift_cols.append(np.array([column[z.name] for _, z in pairs], np.int32))
        incidence = np.zeros((len(pairs), n))
        for row, (pattern, _) in enumerate(pairs):
            incidence[row, list(pattern.covers)] = 1.0
        covers.append(incidence)
    tiers, tier_cols = _tier_columns(model, column, cat)
    reqs = model.requirements.category(cat)
    return ShiftCoverage(
        np.array(keep),
        tuple(np.asarray(reqs.tier(t).agents, float) for t in tiers),
        tier_cols,
        tuple(shift_cols),
        tuple(covers),
    )


def _solve_cbc(model: BuiltModel, options: SolveOptions) -> _Raw:
    prob = model.prob
    solver = pulp.PULP_CBC_CMD(
        msg=False,
        timeLimit=options.seconds_left(),
        gapRel=options.gap,
        threads=options.threads,
        options=["randomSeed 0"],
    )
    kinds = {v.name: v.cat for v in prob.variables()}
    if options.relax:
        for v in prob.variables():
            v.cat = pulp.LpContinuous
    try:
        prob.solve(solver)
    finally:
        for v in prob.variables():
            v.cat = kinds[v.name]
    if prob.sol_status == pulp.LpSolutionOptimal:
        status = SolveStatus.OPTIMAL
    elif prob.sol_status == pulp.LpSolutionIntegerFeasible:
        status = SolveStatus.FEASIBLE
    elif prob.status == pulp.LpStatusInfeasible or prob.sol_status == pulp.LpSolutionInfeasible:
        status = SolveStatus.INFEASIBLE
    elif prob.status == pulp.LpStatusUnbounded:
        status = SolveStatus.UNBOUNDED
    elif prob.sol_status == pulp.LpSolutionNoSolutionFound:
        status = SolveStatus.NO_SOLUTION
    else:
        status = SolveStatus.ERROR
    if not status.has_solution:
        return status, {}, None, {}, None, None, None
    values = {v.name: float(v.varValue or 0.0) for v in prob.variables()}
    row_values = {name: float(c.value() or 0.0) - c.constant for name, c in model.rows.items()}
    duals = (
        {name: float(c.pi) for name, c in model.rows.items() if c.pi is not None}
        if options.relax
        else None
    )
    objective = float(pulp.value(prob.objective) or 0.0)
    gap = 0.0 if status == SolveStatus.OPTIMAL else None
    return status, values, duals, row_values, objective, gap, None


def _read(
    model: BuiltModel,
    status: SolveStatus,
    values: dict[str, float],
    duals: dict[str, float] | None,
    row_values: dict[str, float],
    objective: float | None,
    info: SolverInfo,
    bound: float | None,
) -> Solution:
    """Turn variable values into choices, staffing, shifts and deferred work."""
    n = len(model.requirements.labels)
    choices = {}
    for cat, options in model.options.items():
        best = max(options, key=lambda o: values.get(o.var.name, 0.0))
        if best.price_var is not None:
            price = values.get(best.price_var.name, 0.0)
        else:
            assert best.price is not None
            price = best.price
        choices[cat] = Choice(best.tier, price)
    agents = {}
    for key, vars_ in model.agents.items():
        arr = np.zeros(n)
        for t, var in vars_.items():
            value = values.get(var.name, 0.0)
            arr[t] = round(value) if var.cat == pulp.LpInteger else value
        agents[key] = arr
    shifts = {
        key: tuple(
            ShiftCount(p.start, p.hours, round(values.get(z.name, 0.0)))
            for p, z in pairs
            if round(values.get(z.name, 0.0)) > 0
        )
        for key, pairs in model.shifts.items()
    }
    work = {}
    for cat, dv in model.deferred.items():
        arr = np.zeros(n)
        for t, var in dv.work.items():
            arr[t] = values.get(var.name, 0.0)
        work[cat] = arr
    rows = {}
    for name, con in model.rows.items():
        activity = row_values.get(name, 0.0) + con.constant
        slack = -activity if con.sense == pulp.LpConstraintLE else activity
        if con.sense == pulp.LpConstraintEQ:
            slack = -abs(activity)
        dual = None if duals is None else duals.get(name)
        row_key = model.keys[name]
        scale = 1.0
        if is_limit(row_key.family):
            terms = sum(abs(c * values.get(v.name, 0.0)) for v, c in con.items())
            scale = max(1.0, terms, abs(con.constant))
        rows[row_key.readable] = RowActivity(row_key, slack, dual, scale)
    return Solution(
        status,
        model.objective,
        objective,
        choices,
        agents,
        shifts,
        work,
        rows,
        info,
        bound=bound,
        variable_values=values,
    )
