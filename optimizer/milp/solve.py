"""BuiltModel + solver options -> Solution. The only module that calls a solver.

HiGHS is driven through ``highspy`` directly (``optimizer.milp.highs``): the PuLP
problem is turned into column-wise arrays (``optimizer.milp.matrix``) and handed over
with one ``passModel``, strengthened by our cut separators
(``optimizer.milp.separators``), and the status, gap and bound are read from HiGHS
itself. CBC runs through PuLP's bundled ``PULP_CBC_CMD`` (``optimizer.milp.cbc``).
Both backends answer with a ``BackendResult``, their codes mapped to
:class:`~optimizer.results.SolveStatus` in ``optimizer.milp.backend`` and nowhere
else; ``optimizer.milp.readback`` reads the answer back in the scenario's terms.
A large interval model given no start gets one from ``optimizer.milp.start`` first
(or, when the LP bound already proves that plan, the plan is the answer).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from optimizer.errors import SolverError
from optimizer.milp.arrays import Arrays
from optimizer.milp.backend import BackendResult
from optimizer.milp.cbc import solve_cbc
from optimizer.milp.highs import HighsOptions, Outcome, Separator, run_highs
from optimizer.milp.matrix import MatrixForm, matrix_form
from optimizer.milp.model import BuiltModel
from optimizer.milp.proof import gap_or_default
from optimizer.milp.readback import read_solution
from optimizer.milp.separators import separators, tier_columns
from optimizer.milp.start import Start, find_start
from optimizer.options import SolveOptions
from optimizer.results import Solution, SolverInfo, SolveStatus

SOLVERS = ("highs", "cbc")
_DEFAULTS = SolveOptions()


def solve(model: BuiltModel, options: SolveOptions = _DEFAULTS) -> Solution:
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
        answer = _solve_highs(model, options)
    else:
        answer = solve_cbc(model, options)
    seconds = time.perf_counter() - start
    info = SolverInfo(options.solver, seconds, answer.gap)
    if not answer.status.has_solution:
        message = ""
        if answer.status == SolveStatus.ERROR:
            message = (
                "the solver could not handle the model; extreme numbers in the scenario "
                "(far too large or too small) are the usual cause"
            )
        return Solution(
            answer.status,
            model.objective,
            None,
            {},
            {},
            {},
            {},
            {},
            info,
            message,
            bound=answer.bound,
        )
    return read_solution(model, answer, info)


START_MIN_INTEGERS = 1000
"""Interval models with at least this many integer columns get a start from
``optimizer.milp.start`` (its LPs and rounding MIP cost 3-6 forked solves, ~0.1 s each
plus ~35 ms a fork: more than HiGHS needs on small models, which it solves at once)."""
START_MAX_INTEGERS = 20_000
"""And at most this many. On the 50 x 6 x 7 deal at 15 minutes (about 100,000 integer
columns) the heuristic's LPs cost more than they save: with a 300 s limit on a loaded
machine it ended feasible (gap 264%) where the old path proved the optimum (solver
children 40.7 against 33.8 CPU seconds; ``benchmarks/large.py --compare``)."""


def _solve_highs(model: BuiltModel, options: SolveOptions) -> BackendResult:
    """The HiGHS backend: arrays, separators, a watched run, a re-check of its answer."""
    form = matrix_form(model.prob, model.rows)
    arrays = form.arrays()
    start = None
    if options.start is not None:
        start = _columns(form, options.start)
    large = model.scenario.provider.staffing == "intervals" and (
        int(form.integer.sum()) > START_MAX_INTEGERS
    )
    highs_options = HighsOptions(
        options.time_limit,
        options.gap,
        options.threads,
        options.relax,
        start,
        options.deadline,
        lp_proof=large and start is None,
    )
    cuts = () if options.relax else separators(model, form)
    outcome, highs_options = _started(model, form, highs_options, options, cuts)
    problem = _inconsistent(arrays, outcome, options.relax)
    if problem and (cuts or highs_options.start is not None):
        # Seen with HiGHS 1.16: after the root cut loop, or given a start solution, it
        # reported the objective of one solution with the columns of another (the start
        # or the last LP point). Solve again on a fresh model, without either.
        outcome = run_highs(arrays, replace(highs_options, start=None), ())
        problem = _inconsistent(arrays, outcome, options.relax)
    if problem:
        raise SolverError(f"HiGHS returned an answer that does not hold up: {problem}")
    if not outcome.status.has_solution or outcome.col is None or outcome.row is None:
        return BackendResult(outcome.status, bound=outcome.bound)
    values = {v.name: float(outcome.col[i]) for i, v in enumerate(form.variables)}
    row_values = dict(zip(form.names, map(float, outcome.row), strict=True))
    duals = None
    if outcome.dual is not None:
        duals = dict(zip(form.names, map(float, outcome.dual), strict=True))
    return BackendResult(
        outcome.status, values, duals, row_values, outcome.objective, outcome.gap, outcome.bound
    )


def _started(
    model: BuiltModel,
    form: MatrixForm,
    highs_options: HighsOptions,
    options: SolveOptions,
    cuts: tuple[Separator, ...],
) -> tuple[Outcome, HighsOptions]:
    """HiGHS's answer, from a heuristic start where one is found (``_heuristic``), and the
    options it ran with; the heuristic's plan itself when the LP bound proves it."""
    arrays = form.arrays()
    clock = time.monotonic()
    known = None if options.known is None else _columns(form, options.known)
    heuristic = replace(highs_options, deadline=_deadline(options))
    found = _heuristic(model, form, heuristic, cuts, known)
    if isinstance(found, Outcome):
        return found, highs_options  # the LP relaxation is infeasible: so is the MILP
    if found is not None and found.gap() <= gap_or_default(options.gap):
        return found.outcome(arrays), highs_options  # proven by the LP bound: no HiGHS run
    limit = options.time_limit
    if limit is not None:  # HiGHS runs in the time the heuristic left
        limit = max(0.0, limit - (time.monotonic() - clock))
    start = highs_options.start if found is None else found.col
    highs_options = replace(highs_options, start=start, time_limit=limit)
    return run_highs(arrays, highs_options, cuts), highs_options


HEURISTIC_SHARE = 0.5
"""Share of a solve's time limit the start heuristic may use; HiGHS has the rest."""


def _deadline(options: SolveOptions) -> float | None:
    """The heuristic's deadline: ``HEURISTIC_SHARE`` of the time the solve has left."""
    left = options.seconds_left()
    return None if left is None else time.monotonic() + HEURISTIC_SHARE * left


def _columns(form: MatrixForm, values: dict[str, float]) -> NDArray[np.float64]:
    """A plan by variable name as the model's columns (0 where it names none)."""
    return np.array([values.get(v.name, 0.0) for v in form.variables])


def _heuristic(
    model: BuiltModel,
    form: MatrixForm,
    options: HighsOptions,
    cuts: tuple[Separator, ...],
    known: NDArray[np.float64] | None,
) -> Start | Outcome | None:
    """A start plan for a large interval MILP given none (``optimizer.milp.start``)."""
    if (
        options.relax
        or options.start is not None
        or model.scenario.provider.staffing != "intervals"
        or not START_MIN_INTEGERS <= int(form.integer.sum()) <= START_MAX_INTEGERS
    ):
        return None
    column = {v.name: i for i, v in enumerate(form.variables)}
    choices = [
        np.array([column[o.var.name] for o in opts], np.int32) for opts in model.options.values()
    ]
    tiers = [tier_columns(model, column, cat)[1] for cat in model.options]
    return find_start(form.arrays(), choices, options, cuts, known, tiers)


def _inconsistent(arrays: Arrays, outcome: Outcome, relaxed: bool) -> str | None:
    """Why HiGHS's answer is not a solution of the model with its objective, or None."""
    if not outcome.status.has_solution or outcome.col is None:
        return None
    return arrays.discrepancy(outcome.col, outcome.objective, integral=not relaxed)
