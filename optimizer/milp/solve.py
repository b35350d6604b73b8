"""BuiltModel + solver options -> Solution. The only module that calls a solver.

HiGHS is driven through ``highspy`` directly (``optimizer.milp.highs``): the PuLP
problem is turned into column-wise arrays (``optimizer.milp.matrix``) and handed over
with one ``passModel``, strengthened by our cut separators
(``optimizer.milp.separators``), and the status, gap and bound are read from HiGHS
itself. CBC runs through PuLP's bundled ``PULP_CBC_CMD`` (``optimizer.milp.cbc``).
Both backends answer with a ``BackendResult``, their codes mapped to
:class:`~optimizer.results.SolveStatus` in ``optimizer.milp.backend`` and nowhere
else; ``optimizer.milp.readback`` reads the answer back in the scenario's terms.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from optimizer.errors import SolverError
from optimizer.milp.arrays import Arrays
from optimizer.milp.backend import BackendResult
from optimizer.milp.cbc import solve_cbc
from optimizer.milp.highs import HighsOptions, Outcome, run_highs
from optimizer.milp.matrix import matrix_form
from optimizer.milp.model import BuiltModel
from optimizer.milp.readback import read_solution
from optimizer.milp.separators import separators
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


def _solve_highs(model: BuiltModel, options: SolveOptions) -> BackendResult:
    """The HiGHS backend: arrays, separators, a watched run, a re-check of its answer."""
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
        return BackendResult(outcome.status, bound=outcome.bound)
    values = {v.name: float(outcome.col[i]) for i, v in enumerate(form.variables)}
    row_values = dict(zip(form.names, map(float, outcome.row), strict=True))
    duals = None
    if outcome.dual is not None:
        duals = dict(zip(form.names, map(float, outcome.dual), strict=True))
    return BackendResult(
        outcome.status, values, duals, row_values, outcome.objective, outcome.gap, outcome.bound
    )


def _inconsistent(arrays: Arrays, outcome: Outcome, relaxed: bool) -> str | None:
    """Why HiGHS's answer is not a solution of the model with its objective, or None."""
    if not outcome.status.has_solution or outcome.col is None:
        return None
    return arrays.discrepancy(outcome.col, outcome.objective, integral=not relaxed)
