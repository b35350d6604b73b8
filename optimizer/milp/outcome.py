"""What a HiGHS run is asked (``HighsOptions``) and what it answers (``Outcome``).

Plain data, picklable, free of highspy: the driver (``optimizer.milp.highs``, the only
module that imports it) and the modules that call it share these types.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optimizer.milp.arrays import Arrays, column_bound
from optimizer.milp.proof import relative_gap
from optimizer.options import seconds_left
from optimizer.results import SolveStatus

STOP_SHARE = 0.10
"""Share of the time limit kept back from HiGHS's own limit, for the child's start-up
(fork, passModel) and for handing the answer back before the parent kills it."""
STOP_SECONDS = 0.25
"""Seconds kept back from HiGHS's own limit on top of ``STOP_SHARE``."""


def inner_limit(seconds: float) -> float:
    """HiGHS's own time limit in a solve that must end within ``seconds``.

    >>> inner_limit(10.0)
    8.75
    >>> inner_limit(0.2)
    0.1
    """
    return max(seconds * (1 - STOP_SHARE) - STOP_SECONDS, seconds / 2)


def time_left(h: Any, seconds: float) -> None:
    """HiGHS's next run stops after ``seconds`` more (no change when infinite).

    HiGHS measures ``time_limit`` against the ``Highs`` object's run time over every
    run, not the next run's: after 0.85 s of LPs, a limit of 0.5 stopped the next LP at
    once, and on the 10 x 3 x 7 shift deal the full MIP after the root's cuts, pinned
    sub-MIP and search was given 2.2 s with HiGHS's clock at 6.2 s (it ended at once)."""
    if math.isfinite(seconds):
        h.setOptionValue("time_limit", float(h.getRunTime()) + max(seconds, 0.0))


@dataclass(frozen=True)
class HighsOptions:
    """What the driver needs of the solve options (picklable)."""

    time_limit: float | None
    gap: float | None
    threads: int | None
    relax: bool
    start: NDArray[np.float64] | None
    deadline: float | None = None
    """``time.monotonic()`` by which the solve must have returned (the command's budget)."""
    node_limit: int | None = None
    """HiGHS's ``mip_max_nodes`` (a deterministic limit; ``optimizer.milp.start``)."""
    lp_proof: bool = False
    """Answer at once with a solution the root LP bound proves (``optimizer.milp.proof``)."""

    def seconds_left(self) -> float | None:
        """The time limit, capped by what is left before the deadline (None: no limit)."""
        return seconds_left(self.time_limit, self.deadline)


@dataclass(frozen=True)
class Outcome:
    """HiGHS's answer in our terms."""

    status: SolveStatus
    objective: float | None = None
    gap: float | None = None
    bound: float | None = None
    col: NDArray[np.float64] | None = None
    row: NDArray[np.float64] | None = None
    dual: NDArray[np.float64] | None = None
    message: str = ""


def from_incumbent(
    arrays: Arrays,
    best: tuple[float, NDArray[np.float64], float] | None,
    bound: float | None,
    message: str,
) -> Outcome:
    """The best solution received before the child was stopped (or none), with a gap."""
    if best is None:
        return Outcome(SolveStatus.NO_SOLUTION, message=message)
    objective, col, _ = best
    feasible = Outcome(
        SolveStatus.FEASIBLE, objective, None, bound, col, arrays.activity(col), message=message
    )
    return with_gap(arrays, feasible, bound)


def tightest(arrays: Arrays, *bounds: float | None) -> float | None:
    """The tightest finite one of ``bounds`` (the least for a maximisation), None if none
    is. HiGHS's bound is not always the tighter: before its root LP ends, a MIP reports a
    bound from its column bounds alone (1,360,049 against the root cut loop's 628,674 on
    the 10 x 3 x 7 shift deal, seed 0), and the parent keeps the last bound it hears.

    >>> a = Arrays(*(np.zeros(1),) * 3, np.zeros(1, bool), *(np.zeros(0),) * 2,
    ...            np.zeros(2, np.int32), np.zeros(0, np.int32), np.zeros(0), 0.0, True)
    >>> tightest(a, 20.0, 8.0), tightest(a, 6.6, 8.0), tightest(a, 20.0, None)
    (8.0, 6.6, 20.0)
    >>> tightest(a, math.inf, None) is None
    True
    """
    finite = [float(b) for b in bounds if b is not None and math.isfinite(b)]
    return (min if arrays.maximize else max)(finite) if finite else None


def with_gap(arrays: Arrays, outcome: Outcome, bound: float | None) -> Outcome:
    """A feasible outcome always carries a numeric gap: from the tighter of HiGHS's own
    bound and the last bound the child reported, else the bound of every column at its
    best limit.

    Both are proven, and HiGHS's can be the weaker: a full shift MIP stopped by its time
    limit before its root LP ended reported a bound from its column bounds (1,360,049 on
    the 10 x 3 x 7 shift deal, seed 0) where the root cut loop had proven 628,674."""
    if outcome.status != SolveStatus.FEASIBLE or outcome.objective is None:
        return outcome
    own = outcome.gap is not None and math.isfinite(outcome.gap)
    proven = tightest(arrays, outcome.bound, bound)
    if own and (proven is None or proven == outcome.bound):
        return outcome
    best = proven if proven is not None else column_bound(arrays)
    if not math.isfinite(best):
        return outcome  # pragma: no cover - a MIP with a solution and an unbounded relaxation
    gap = relative_gap(best, outcome.objective)
    return replace(outcome, gap=gap, bound=best)
