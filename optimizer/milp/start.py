"""A start solution for an interval-staffing MILP, found from LP relaxations before HiGHS runs.

On the 10 x 3 x 7 interval deal HiGHS's root bound already proves the optimum; what
takes the time is finding it: HiGHS's sub-MIP heuristic needs 5-7 s of a 7-9 s solve
(seed 0, a loaded 2-core machine). The structure makes a good plan cheap to find:

1. the LP relaxation of the whole model picks each category's (tier, price) option
   (the largest value; where it splits between options, the few likeliest
   combinations of the split categories are tried, ``MAX_COMBINATIONS``);
2. the LP with those options pinned (a transportation problem per interval, nearly
   integral: 40-120 fractional agent counts of 5,040) gives the staffing; on the five
   seeds its value equals HiGHS's root bound;
3. a small MIP rounds it: every agent count that is already whole is fixed, every
   fractional one may move to one below its floor or one above its ceiling
   (``ROUND_BY``), under a node limit so that the plan does not depend on the machine's
   speed. Floor or ceiling alone left seed 2 infeasible, and so did floor to ceiling
   + 1 on seed 0 with its seats relaxed 1% (the explanation's re-solve); with one more
   either way all five seeds and that re-solve get the optimum the old path found;
4. where the first LP splits a category between prices of one tier (a binding budget
   fills itself with a mix of them), a last small MIP chooses the plan's prices again
   with every agent count held (``_repriced``): the frontier's points of the 10 x 3 x 7
   deal below its best-margin spend took HiGHS 10-68 s each, and take 0.6 s this way.

The plan is re-checked against the model's own arrays (``Arrays.discrepancy``) before
it is used. When the first LP's bound already proves it within the gap asked for, the
plan is the answer (a proof from a relaxation, as HiGHS's own); otherwise it is HiGHS's
start. Either way the optimum is the model's: only how fast it is found changes.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from optimizer.milp.arrays import Arrays
from optimizer.milp.highs import prove_plan, run_highs
from optimizer.milp.outcome import HighsOptions, Outcome
from optimizer.milp.proof import MIP_GAP, gap_or_default, relative_gap
from optimizer.milp.root import Separator
from optimizer.results import SolveStatus

MAX_COMBINATIONS = 4
"""At most this many option combinations are tried with the options pinned (each one LP
of 0.1-0.2 s on the 10 x 3 x 7 deal). Seed 2 needs the second: its deferred category
splits 0.77 / 0.23 between two tiers in the LP, and the smaller share is the optimum's."""
SPLIT_CATEGORIES = 3
"""Only the categories whose LP options split the most are varied (2 options each)."""
ROUND_BY = 1
"""A fractional agent count may move this far below its floor or above its ceiling in the
rounding MIP."""
ROUND_NODES = 200
"""Node limit of the rounding MIP (deterministic, unlike a time limit); the five seeds
need 1-30 nodes."""
ROUND_SECONDS = 30.0
"""A safety net on the rounding MIP when the solve has no time limit (with one, it may
use what the heuristic's share leaves). Not a tuning knob: a wall-clock limit that
stops it makes the plan depend on the machine's load (at 3 s it did, with a load of
12 on 2 cores: one seed's solve then took 90 s instead of 3); on the five seeds it
takes 0.3-1.9 s at that load."""
REPRICE_GAP = 1e-7
"""Relative gap of the MIP that chooses a plan's prices again (``_repriced``)."""
REPRICE_NODES = 500
"""Its node limit (deterministic, unlike a time limit)."""
EPS = 1e-6
GAP = MIP_GAP
"""HiGHS's default relative MIP gap (``mip_rel_gap``): a plan within it of the LP bound is
optimal as HiGHS would report it."""


@dataclass(frozen=True)
class Start:
    """A feasible plan of the model (the columns), its objective and the LP bound."""

    col: NDArray[np.float64]
    objective: float
    bound: float
    """No integer plan does better: the LP relaxation's objective, or the tighter bound of
    ``optimizer.milp.branch`` where that one does not prove the plan."""

    def gap(self) -> float:
        """Relative gap between the plan and the LP bound (as HiGHS measures it)."""
        return relative_gap(self.bound, self.objective)

    def outcome(self, arrays: Arrays) -> Outcome:
        """The plan as an optimal answer, proven by the LP bound."""
        return Outcome(
            SolveStatus.OPTIMAL,
            self.objective,
            self.gap(),
            self.bound,
            self.col,
            arrays.activity(self.col),
        )


INFEASIBLE = Outcome(SolveStatus.INFEASIBLE, message="the LP relaxation is infeasible")
"""The answer when the first LP is infeasible: so is every integer plan."""


def find_start(
    arrays: Arrays,
    choices: Sequence[NDArray[np.int32]],
    options: HighsOptions,
    separators: Sequence[Separator] = (),
    known: NDArray[np.float64] | None = None,
    tiers: Sequence[Sequence[NDArray[np.int32]]] | None = None,
) -> Start | Outcome | None:
    """A verified plan of the MILP ``arrays`` whose option columns are ``choices`` (one
    array of columns per category, exactly one of them 1); ``INFEASIBLE`` when the LP
    relaxation is (a proof for the MILP, and the infeasible deal's diagnosis re-solves
    many such models); None when the LPs find no plan in time. Every step keeps to
    ``options``' time limit and deadline. A plan the first LP's bound does not prove
    within the gap is proven, where it can be, by ``separators``' cuts and branching on
    the options (``optimizer.milp.branch``). A ``known`` plan (``SolveOptions.known``)
    that is feasible and within the gap of the first LP's bound is the answer at once.
    ``tiers`` (by category, the option columns of each of its tiers,
    ``optimizer.milp.separators.tier_columns``): where the first LP splits a category
    between prices of one tier, the plan's prices are chosen again, its agents held
    (``_repriced``)."""
    first = run_highs(arrays, replace(options, relax=True, start=None))
    if first.status == SolveStatus.INFEASIBLE:
        return INFEASIBLE
    if not first.status.has_solution or first.col is None or first.objective is None:
        return None
    col, bound = first.col, first.objective
    gap = gap_or_default(options.gap)
    if known is not None and arrays.discrepancy(known, None) is None:
        value = float(arrays.cost @ known + arrays.offset)
        if relative_gap(bound, value) <= gap:
            return Start(known, value, bound)
    staffed = _pinned(arrays, choices, col, options)
    if staffed is None:
        return None
    plan = _rounded(arrays, staffed, options)
    if plan is None or arrays.discrepancy(plan, None) is not None:
        return None
    objective = float(arrays.cost @ plan + arrays.offset)
    if tiers is not None and relative_gap(bound, objective) > gap and _split(tiers, col):
        plan, objective = _repriced(arrays, tiers, plan, objective, options)
    if relative_gap(bound, objective) > gap:
        proven = prove_plan(arrays, choices, separators, objective, options)
        bound = bound if proven is None else proven
    return Start(plan, objective, bound)


def _split(tiers: Sequence[Sequence[NDArray[np.int32]]], col: NDArray[np.float64]) -> bool:
    """Whether the LP point ``col`` uses two prices of one tier in some category
    (``tiers``: by category, the option columns of each tier).

    >>> _split([(np.array([0, 1], np.int32), np.array([2], np.int32))], np.array([0.5, 0, 0.5]))
    False
    >>> _split([(np.array([0, 1], np.int32), np.array([2], np.int32))], np.array([0.5, 0.5, 0]))
    True
    """
    return any(int((col[cols] > EPS).sum()) > 1 for groups in tiers for cols in groups)


def _repriced(
    arrays: Arrays,
    tiers: Sequence[Sequence[NDArray[np.int32]]],
    plan: NDArray[np.float64],
    objective: float,
    options: HighsOptions,
) -> tuple[NDArray[np.float64], float]:
    """``plan`` with each category's price chosen again among its tier's, in a small MIP
    started from the plan: every other integer column held, so the agents (which depend
    on the tier alone) stay feasible; the better plan and its objective.

    A binding budget splits the LP between a tier's prices, and the plan rounds to one of
    them: on the 10 x 3 x 7 interval deal (seed 0) at a budget of 1,035,305, 1.4% below
    the LP bound, where the best prices for the same agents are within 0.007% of it.
    HiGHS took 35 s to find them (a subset sum over the categories' prices)."""
    lower, upper = arrays.lower.copy(), arrays.upper.copy()
    ints = np.flatnonzero(arrays.integer)
    lower[ints] = upper[ints] = np.round(plan[ints])
    for cols in (cols for groups in tiers for cols in groups if plan[cols].max() > 0.5):
        lower[cols], upper[cols] = arrays.lower[cols], arrays.upper[cols]
    small = replace(arrays, lower=lower, upper=upper)
    pricing = replace(options, start=plan, gap=REPRICE_GAP, node_limit=REPRICE_NODES)
    answer = _solve(small, pricing)
    if answer is None or arrays.discrepancy(answer[0], None) is not None:
        return plan, objective
    better = (answer[1] - objective) * (1.0 if arrays.maximize else -1.0) > 0
    if not better:
        return plan, objective
    return answer[0], float(arrays.cost @ answer[0] + arrays.offset)


def _solve(arrays: Arrays, options: HighsOptions) -> tuple[NDArray[np.float64], float] | None:
    """The columns and objective of an optimal (or node-limited feasible) answer, or None."""
    outcome = run_highs(arrays, options)
    if not outcome.status.has_solution or outcome.col is None or outcome.objective is None:
        return None
    return outcome.col, outcome.objective


def combinations(
    choices: Sequence[NDArray[np.int32]], col: NDArray[np.float64]
) -> list[tuple[int, ...]]:
    """The likeliest option combinations (one column per category) of an LP point: the
    largest option everywhere first, then the runners-up of the most split categories.

    >>> cols = [np.array([0, 1], np.int32), np.array([2, 3], np.int32)]
    >>> combinations(cols, np.array([0.3, 0.7, 1.0, 0.0]))
    [(1, 2), (0, 2)]
    """
    ranked = [sorted(c.tolist(), key=lambda j: -col[j]) for c in choices]
    split = sorted(
        (k for k, r in enumerate(ranked) if len(r) > 1 and col[r[1]] > EPS),
        key=lambda k: col[ranked[k][0]],
    )[:SPLIT_CATEGORIES]
    options = [r[:2] if k in split else r[:1] for k, r in enumerate(ranked)]
    every = list(itertools.product(*options))
    weight = [math.prod(max(col[j], EPS) for j in combo) for combo in every]
    order = sorted(range(len(every)), key=lambda i: -weight[i])  # stable: ties keep order
    return [every[i] for i in order[:MAX_COMBINATIONS]]


def _pinned(
    arrays: Arrays,
    choices: Sequence[NDArray[np.int32]],
    col: NDArray[np.float64],
    options: HighsOptions,
) -> NDArray[np.float64] | None:
    """The LP point of the best option combination pinned (the first best on a tie)."""
    best: tuple[float, NDArray[np.float64]] | None = None
    sign = 1.0 if arrays.maximize else -1.0
    for combo in combinations(choices, col):
        lower, upper = arrays.lower.copy(), arrays.upper.copy()
        for columns, chosen in zip(choices, combo, strict=True):
            lower[columns] = upper[columns] = 0.0
            lower[chosen] = upper[chosen] = 1.0
        pinned = replace(arrays, lower=lower, upper=upper)
        answer = _solve(pinned, replace(options, relax=True, start=None))
        if answer is not None and (best is None or sign * answer[1] > sign * best[0] + EPS):
            best = (answer[1], answer[0])
    return None if best is None else best[1]


def _rounded(
    arrays: Arrays, point: NDArray[np.float64], options: HighsOptions
) -> NDArray[np.float64] | None:
    """An integer plan near ``point``: whole counts fixed, fractional ones free from
    ``ROUND_BY`` below their floor to ``ROUND_BY`` above their ceiling, in a node-limited
    MIP."""
    ints = np.flatnonzero(arrays.integer)
    value = point[ints]
    low, high = np.floor(value + EPS), np.ceil(value - EPS)
    split = high > low
    low = np.where(split, np.maximum(low - ROUND_BY, arrays.lower[ints]), low)
    high = np.where(split, np.minimum(high + ROUND_BY, arrays.upper[ints]), high)
    lower, upper = arrays.lower.copy(), arrays.upper.copy()
    lower[ints], upper[ints] = low, np.maximum(high, low)
    deadline = time.monotonic() + ROUND_SECONDS
    if options.deadline is not None:
        deadline = min(deadline, options.deadline)
    small = replace(arrays, lower=lower, upper=upper)
    rounding = replace(options, start=None, deadline=deadline, node_limit=ROUND_NODES)
    answer = _solve(small, rounding)
    return None if answer is None else answer[0]
