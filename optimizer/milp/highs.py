"""Driving HiGHS (highspy) on a model given as arrays, with a time limit we can keep.

HiGHS's own ``time_limit`` is usually honoured, but on hard MIPs it has been seen
to overrun by minutes with its interrupt callback silent. So HiGHS always runs in a
forked child process that streams every improving solution and its proven bound to
the parent (``optimizer.milp.watch``: the process mechanics). HiGHS is given a little
less than the time limit; the parent kills the child at the limit itself and keeps the
best solution received, with a numeric gap. Only in a daemonic process (a Dask
worker), which may not fork, does HiGHS run in-process, keeping its own limit.

This module is the only one that imports ``highspy``: it configures HiGHS, runs our
root cut loop, and reads HiGHS's answer into an ``Outcome`` (its status codes are
mapped in ``optimizer.milp.backend``).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from optimizer.milp.arrays import Arrays
from optimizer.milp.backend import highs_status
from optimizer.milp.branch import Node, prove, tier_bound
from optimizer.milp.outcome import HighsOptions as HighsOptions
from optimizer.milp.outcome import Outcome as Outcome
from optimizer.milp.outcome import from_incumbent, inner_limit, tightest, time_left, with_gap
from optimizer.milp.proof import RootProof, gap_or_default
from optimizer.milp.root import (
    CutRow,
    Live,
    Pinning,
    Rounding,
    Separator,
    add_rows,
    cut_loop,
    pinned_start,
)
from optimizer.milp.watch import Reporter, Stream, meanwhile, run_watched
from optimizer.results import SolveStatus

TIER_NODES = 16
"""At most this many nodes (an LP each, a leaf's cut loop more) in the shift root's
branch on the tiers (``_tier_bound``)."""
TIER_SHARE = 0.4
"""No node of that branch starts after this share of the time limit (from the cuts'
start): on the 10 x 3 x 7 shift deal at 10 s the cuts took 0.9 s and the branch 1.0-1.2 s
(seeds 0 and 2, idle machine); at a quarter, seed 0's branch ran out of time."""


def _configure(arrays: Arrays, options: HighsOptions) -> tuple[Any, bool]:
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = arrays.cost.size
    lp.num_row_ = arrays.row_lower.size
    lp.col_cost_ = arrays.cost
    lp.col_lower_ = arrays.lower
    lp.col_upper_ = arrays.upper
    lp.row_lower_ = arrays.row_lower
    lp.row_upper_ = arrays.row_upper
    lp.offset_ = arrays.offset
    lp.sense_ = highspy.ObjSense.kMaximize if arrays.maximize else highspy.ObjSense.kMinimize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = arrays.starts
    lp.a_matrix_.index_ = arrays.indices
    lp.a_matrix_.value_ = arrays.values
    is_mip = not options.relax and bool(arrays.integer.any())
    if is_mip:
        kind = highspy.HighsVarType
        lp.integrality_ = [kind.kInteger if i else kind.kContinuous for i in arrays.integer]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    if options.gap is not None:
        h.setOptionValue("mip_rel_gap", float(options.gap))
    if options.node_limit is not None:
        h.setOptionValue("mip_max_nodes", int(options.node_limit))
    h.passModel(lp)
    return h, is_mip


def _prepare(
    h: Any,
    arrays: Arrays,
    options: HighsOptions,
    separators: Sequence[Separator],
    is_mip: bool,
    pinning: Pinning | None = None,
    proven: Callable[[float], None] | None = None,
) -> None:
    """Cuts first (a MIP only), then the start solution, which adding rows would drop:
    the one given, else the pinned sub-MIP's (``optimizer.milp.root.pinned_start``).
    ``proven`` hears the root LP's bound (with the cuts: valid for the model), in shift
    mode the tighter one of the branch on the tiers (``_tier_bound``): on the 10 x 3 x 7
    shift deal it took the gap at 10 s from 0.81% to 0.60% (seed 0) and from 1.49% to
    1.34% (seed 2; ``benchmarks/shifts.py``)."""
    clock = time.perf_counter()
    point, bound = _add_cuts(h, arrays, options, separators) if is_mip else (None, None)
    rounding = [s for s in separators if hasattr(s, "fixing")]
    if bound is not None and rounding:
        tiers = cast("Rounding", rounding[0]).groups
        until = clock + TIER_SHARE * (options.time_limit or math.inf)
        bound = tightest(arrays, bound, _tier_bound(h, arrays, tiers, separators, until))
        if options.time_limit is not None:  # what the cuts and the branch left
            time_left(h, options.time_limit - (time.perf_counter() - clock))
    if proven is not None and bound is not None:
        proven(bound)
    start = options.start
    if start is None and point is not None and rounding:
        fixing = cast("Rounding", rounding[0]).fixing(point)
        live = Live(partial(_relax, h, arrays), pinning or Pinning(), partial(_set_start, h))
        start = pinned_start(h, arrays, options.time_limit, options.gap, fixing, clock, live)
        h.clearSolver()  # no LP point for HiGHS to repair in the full MIP (``_add_cuts``)
    if start is not None:
        _set_start(h, start)


def _tier_bound(
    h: Any,
    arrays: Arrays,
    tiers: Sequence[Sequence[NDArray[np.int32]]],
    separators: Sequence[Separator],
    until: float = math.inf,
) -> float | None:
    """``optimizer.milp.branch.tier_bound`` on the root's LP, its cut rows kept (they
    hold for every plan), its column bounds and integrality put back after; no LP
    starts after ``until`` (``time.perf_counter``)."""
    _relax(h, arrays, True)
    try:
        lp, bounds = _Live(h), (arrays.lower, arrays.upper)
        return tier_bound(lp, tiers, bounds, separators, arrays.maximize, TIER_NODES, until)
    finally:
        _relax(h, arrays, False)


def _relax(h: Any, arrays: Arrays, relaxed: bool) -> None:
    """The integer columns made continuous (``relaxed``) or integer again."""
    import highspy

    integer = np.flatnonzero(arrays.integer).astype(np.int32)
    kind = highspy.HighsVarType.kContinuous if relaxed else highspy.HighsVarType.kInteger
    h.changeColsIntegrality(integer.size, integer, np.full(integer.size, kind))


def _set_start(h: Any, col: NDArray[np.float64]) -> None:
    import highspy

    solution = highspy.HighsSolution()
    solution.col_value = col
    solution.value_valid = True
    h.setSolution(solution)


def _outcome(h: Any, is_mip: bool, rows: int) -> Outcome:
    """The solution of the model's own ``rows`` (not of any cut added after them)."""
    info = h.getInfo()
    has_primal = info.primal_solution_status == 2
    status = highs_status(h.getModelStatus().name, has_primal)
    bound = float(info.mip_dual_bound) if is_mip else None
    if not status.has_solution:
        return Outcome(status, bound=bound, message=str(h.modelStatusToString(h.getModelStatus())))
    gap = max(0.0, float(info.mip_gap)) if is_mip else 0.0
    sol = h.getSolution()
    dual = np.asarray(sol.row_dual, float) if not is_mip and sol.dual_valid else None
    return Outcome(
        status,
        float(info.objective_function_value),
        gap,
        bound,
        np.asarray(sol.col_value, float),
        np.asarray(sol.row_value, float)[:rows],
        dual,
    )


def run_highs(
    arrays: Arrays, options: HighsOptions, separators: Sequence[Separator] = ()
) -> Outcome:
    """Solve in a watched child process, which is killed at the time limit (or deadline).

    ``separators`` strengthen a MIP before branch and bound (``_add_cuts``). The call
    returns within the time limit; on Ctrl-C or a signal the child is killed at once.
    """
    limit = options.seconds_left()
    if limit is not None and limit <= 0:
        return Outcome(SolveStatus.NO_SOLUTION, message="the time limit ran out before the solve")
    inner = replace(options, time_limit=None if limit is None else inner_limit(limit))
    # A daemonic process (a Dask worker) may not fork: there HiGHS keeps its own limit.
    if multiprocessing.current_process().daemon:
        return _run_here(arrays, inner, separators)
    outcome = _run_watched(arrays, inner, separators, limit)
    if outcome.status == SolveStatus.ERROR and _reset_scheduler():
        limit = options.seconds_left()
        inner = replace(options, time_limit=None if limit is None else inner_limit(limit))
        outcome = _run_watched(arrays, inner, separators, limit)
    return outcome


_RESET = [False]


def _reset_scheduler() -> bool:
    """Once per process: drop HiGHS's global thread pool, True if that was not done yet.

    A process that ran HiGHS itself with more threads (PuLP's HiGHS API, threads 0)
    keeps a pool of that size, and every later HiGHS run with ``threads=1`` fails at
    once (status "Not Set"), in this process and in its forked children alike."""
    if _RESET[0]:
        return False
    _RESET[0] = True
    import highspy

    highspy.Highs.resetGlobalScheduler(True)
    return True


def _run_here(arrays: Arrays, options: HighsOptions, separators: Sequence[Separator]) -> Outcome:
    """HiGHS in this process, keeping its own time limit."""
    import highspy

    h, is_mip = _configure(arrays, options)
    pinning = Pinning()

    def stop(kind: int, message: str, out: Any, into: Any, _data: object) -> None:
        into.user_interrupt = pinning.overdue()  # HiGHS keeps it between runs (``Pinning``)

    if is_mip:
        h.setCallback(stop, None)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
    _prepare(h, arrays, options, separators, is_mip, pinning)
    h.run()
    return with_gap(arrays, _outcome(h, is_mip, arrays.row_lower.size), None)


def _add_cuts(
    h: Any, arrays: Arrays, options: HighsOptions, separators: Sequence[Separator]
) -> tuple[NDArray[np.float64] | None, float | None]:
    """``optimizer.milp.root.cut_loop`` on HiGHS's LP, then HiGHS's time limit set to
    what the loop left of ``options``' (its time counts against the limit)."""
    relax, start = partial(_relax, h, arrays), partial(_set_start, h)
    found = cut_loop(h, arrays, options.time_limit, separators, _Live(h), relax, start)
    if options.time_limit is not None and separators:
        time_left(h, options.time_limit - (time.perf_counter() - found.began))
    return found.point, found.bound


def _stream(
    arrays: Arrays,
    options: HighsOptions,
    separators: Sequence[Separator],
    reporter: Reporter[Outcome],
) -> None:
    """In the solver child: solve, sending each improving solution and the proven bound
    as it moves (from HiGHS's MIP callbacks), then the outcome."""
    import highspy

    h, is_mip = _configure(arrays, options)
    pinning = Pinning()  # the pinned sub-MIP's plans are the model's, its bounds are not
    proof = RootProof(options.lp_proof, options.gap, reporter.bound)

    def report(kind: int, message: str, out: Any, into: Any, _data: object) -> None:
        cb = highspy.cb.HighsCallbackType
        proven = None if pinning.active else tightest(arrays, out.mip_dual_bound, proof.bound)
        bound = math.inf if proven is None else proven
        if kind == cb.kCallbackMipImprovingSolution:
            objective = float(out.objective_function_value)
            col = np.asarray(out.mip_solution, float)
            reporter.incumbent(objective, col, bound)
            pinning.improved()
            gap = None if pinning.active else proof.gap_of(objective)
            if gap is not None:  # proven: the answer, then this child ends
                row = arrays.activity(col)
                reporter.last(Outcome(SolveStatus.OPTIMAL, objective, gap, proof.bound, col, row))
            return
        into.user_interrupt = pinning.overdue()  # HiGHS keeps it between runs (``Pinning``)
        if not pinning.active:
            reporter.bound(bound)

    if is_mip:
        h.setCallback(report, None)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution)
        h.startCallback(highspy.cb.HighsCallbackType.kCallbackMipInterrupt)
    _prepare(h, arrays, options, separators, is_mip, pinning, proof.root)
    h.run()
    reporter.done(_outcome(h, is_mip, arrays.row_lower.size))


def _run_watched(
    arrays: Arrays, options: HighsOptions, separators: Sequence[Separator], limit: float | None
) -> Outcome:
    """``_stream`` in a watched child killed after ``limit`` seconds; its answer, else the
    best solution it streamed (or none)."""
    import highspy  # noqa: F401 - imported once here, not again in every child

    stream: Stream[Outcome] = run_watched(partial(_stream, arrays, options, separators), limit)
    if stream.answer is not None:
        return with_gap(arrays, stream.answer, stream.bound)
    return from_incumbent(arrays, stream.best, stream.bound, stream.ended)


class _Live:
    """A live HiGHS LP as ``optimizer.milp.branch.LP`` (its basis kept between solves)."""

    def __init__(self, h: Any) -> None:
        self.h = h

    def solve(self) -> Node:
        import highspy

        self.h.run()
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return Node("infeasible")
        if status != highspy.HighsModelStatus.kOptimal:
            return Node("other")
        value = float(self.h.getInfo().objective_function_value)
        return Node("optimal", value, np.asarray(self.h.getSolution().col_value, float))

    def pin(
        self, columns: NDArray[np.int32], low: NDArray[np.float64], up: NDArray[np.float64]
    ) -> None:
        self.h.changeColsBounds(columns.size, columns, low, up)

    def add(self, cuts: Sequence[CutRow]) -> None:
        add_rows(self.h, cuts)


def prove_plan(
    arrays: Arrays,
    choices: Sequence[NDArray[np.int32]],
    separators: Sequence[Separator],
    objective: float,
    options: HighsOptions,
) -> float | None:
    """A bound within the gap of a plan of value ``objective``, proven on the LP relaxation
    by cuts and branching on the options (``optimizer.milp.branch.prove``) in a watched
    child kept to the time limit (in this process in a daemonic one); None if unproven."""
    limit = options.seconds_left()
    if limit is not None and limit <= 0:
        return None
    gap = gap_or_default(options.gap)
    target = objective + (1.0 if arrays.maximize else -1.0) * gap * max(abs(objective), 1e-9)
    inner = replace(options, relax=True, start=None, time_limit=limit and inner_limit(limit))
    with meanwhile(
        partial(_proven_bound, arrays, choices, separators, target, inner), limit
    ) as proven:
        return proven()


def _proven_bound(
    arrays: Arrays,
    choices: Sequence[NDArray[np.int32]],
    separators: Sequence[Separator],
    target: float,
    options: HighsOptions,
) -> float | None:
    h, _ = _configure(arrays, options)
    live, bounds = _Live(h), (arrays.lower, arrays.upper)
    return prove(live, choices, bounds, separators, target, arrays.maximize)
