"""Required agents for Erlang A: the smallest N meeting the service level, the
abandonment cap and the served-occupancy cap (the rules in ``agent_search``).

Package-internal (``optimizer.staffing.agent_search.required_agents`` calls it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import RATIO_CEIL_TOLERANCE_REL
from optimizer.staffing.erlang_a import erlang_a_logs
from optimizer.staffing.numerics import FloatArray, IntArray, erlang_c_log_p_wait
from optimizer.staffing.root_search import Kept, ceil_ratio, halfin_whitt_n, search_kept

_BUSY_MARGIN: Final = 1e-9  # log excess that rounding in P_ab cannot cross
_STRIDE: Final = 16  # every 16th load of a tier is searched from the formula's guess
_BUSY_WALK: Final = 6  # evaluations walking down from N0 = ceil(A / cap) before the search


def _busy_excess(
    load: FloatArray, log_abandon: FloatArray, nn: FloatArray, limit: FloatArray
) -> FloatArray:
    """Excess of the served occupancy ``A (1 - P_ab(N)) / N`` over its cap, in logs."""
    served = np.log(load) + np.log1p(-np.exp(log_abandon)) - np.log(nn)
    return np.asarray(served - limit, dtype=np.float64)


def _fails_by_erlang_c(
    load: FloatArray, n: IntArray, limit: FloatArray, skip: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Where N (> A, not ``skip``) fails the served-occupancy cap without an Erlang A
    evaluation: P_ab <= P(wait) <= Erlang C's C(N, A) (each queue term of Erlang A,
    ``A / (N + i AHT / patience)``, is at most Erlang C's ``A / N``), so the excess
    computed with C is a lower bound; _BUSY_MARGIN covers the rounding of both."""
    out = np.zeros(n.size, dtype=bool)
    live = np.flatnonzero(~skip & (n > load))
    if live.size:
        nf = n[live].astype(np.float64)
        log_c = erlang_c_log_p_wait(nf, load[live])
        out[live] = _busy_excess(load[live], log_c, nf, limit[live]) > _BUSY_MARGIN
    return out


def _raise_to_busy(
    rows: IntArray, answer: IntArray, kept: FloatArray, load: FloatArray, cap: FloatArray, h: Kept
) -> None:
    """Raise ``answer[rows]`` to the smallest N meeting the served-occupancy cap ``A (1 -
    P_ab(N)) / N <= cap`` (``h``: that excess at the rows' own N; ``kept``: log P_ab at
    the current answer, from the search that found it).

    As P_ab >= 0, ``N0 = ceil(A / cap)`` meets the cap (checked without P_ab), and where
    the cap binds P_ab is small there, so the answer is N0 or a step or two below it:
    the search walks down from N0 until N fails, skipping the evaluation of N0 - 1 where
    the Erlang C bound shows that it fails (for the 40,000 interval-tiers of
    benchmarks/queueing.py: 15,000 evaluations instead of 90,000). The answer is the smallest
    N either way (tests/test_queueing.py and the benchmark's 50-digit check).
    """
    limit = np.log(cap[rows] * (1.0 + RATIO_CEIL_TOLERANCE_REL))
    over = _busy_excess(load[rows], kept[rows], answer[rows].astype(np.float64), limit) > 0
    rows, limit = rows[over], limit[over]
    if not rows.size:
        return
    lo = answer[rows]
    result = np.maximum(lo + 1, ceil_ratio(load[rows], cap[rows]))
    no_abandon = np.full(rows.size, -np.inf)  # log1p(-exp(-inf)) = 0: the excess at P_ab = 0
    meets = _busy_excess(load[rows], no_abandon, result.astype(np.float64), limit) <= 0
    n = result - 1
    walk = meets & (n > lo) & ~_fails_by_erlang_c(load[rows], n, limit, ~meets | (n <= lo))
    todo = np.flatnonzero(walk)
    for _ in range(_BUSY_WALK):
        if not todo.size:
            break
        ok = h(rows[todo], n[todo].astype(np.float64))[0] <= 0
        todo = todo[ok]
        result[todo] = n[todo]
        n[todo] -= 1
        todo = todo[n[todo] > lo[todo]]
    rest = np.union1d(todo, np.flatnonzero(~meets))
    if rest.size:  # the plain search (a long walk, or N0 not shown to meet the cap)
        sub = rows[rest]

        def h_rest(i: IntArray, nn: FloatArray) -> tuple[FloatArray, FloatArray]:
            return h(sub[i], nn)

        step = np.sqrt(load[sub]) + 4.0
        result[rest] = search_kept(h_rest, lo[rest], result[rest], step)[0]
    answer[rows] = result


def _neighbours(load: FloatArray, tier: IntArray) -> tuple[IntArray, ...]:
    """Rows searched first (every _STRIDE-th load of each tier in load order, and each
    tier's largest) and, for every other row, the searched rows of its tier with the
    next smaller and the next larger load: (first, rest, below, above)."""
    size = load.size
    rank = np.empty(size, dtype=np.int64)
    rank[np.argsort(load)] = np.arange(size)
    order = np.argsort(tier * size + rank)  # two integer sorts: a lexsort costs 5 ms
    ordered = tier[order]
    new_tier = np.append(True, ordered[1:] != ordered[:-1])
    last = np.append(new_tier[1:], True)
    pos = np.arange(size)
    rank = pos - np.maximum.accumulate(np.where(new_tier, pos, 0))
    first = (rank % _STRIDE == 0) | last
    below = np.maximum.accumulate(np.where(first, pos, 0))
    above = np.minimum.accumulate(np.where(first, pos, size - 1)[::-1])[::-1]
    rest = ~first
    return order[first], order[rest], order[below[rest]], order[above[rest]]


def _service_level_answers(
    excess: Callable[[IntArray | None, str], Kept],
    lo: IntArray,
    guess: IntArray,
    load: FloatArray,
    tier: IntArray,
) -> tuple[IntArray, FloatArray]:
    """The service-level search for every row, and log P_ab at each answer.

    Within a tier (rows that share every argument but the load) the answer does not
    fall as the load grows, so once every _STRIDE-th load is answered the others start
    from the answer interpolated between their neighbours' (right for 9 rows in 10 of
    benchmarks/queueing.py: 88,000 evaluations instead of 165,000). The guess only
    decides where the search starts, not what it finds.
    """
    answer = np.zeros(load.size, dtype=np.int64)
    kept = np.full(load.size, np.nan)
    first, rest, below, above = _neighbours(load, tier)
    step = np.sqrt(load) + 4.0
    found = search_kept(excess(first, "sl"), lo[first], guess[first], step[first])
    answer[first], kept[first] = found
    if rest.size:
        span = load[above] - load[below]
        share = np.where(span > 0, (load[rest] - load[below]) / np.where(span > 0, span, 1.0), 0.0)
        between = answer[below] + share * (answer[above] - answer[below])
        start = np.rint(between).astype(np.int64)
        found = search_kept(excess(rest, "sl"), lo[rest], start, step[rest])
        answer[rest], kept[rest] = found
    return answer, kept


def required_a(
    load: FloatArray,
    aht: FloatArray,
    target: FloatArray,
    thr: FloatArray,
    within: FloatArray,
    patience: FloatArray,
    max_occupancy: FloatArray,
    cap: FloatArray,
    tier: IntArray,
) -> IntArray:
    """Smallest N (load > 0) with the Erlang A failure <= thr, P(ab) <= cap and the
    occupancy of the contacts actually served, ``A (1 - P_ab(N)) / N``, at most
    ``max_occupancy`` (design section 4). With abandonment the queue is stable for any
    N, so N < A is allowed when it meets the tier.

    The three conditions are monotone in N, so the answer is the smallest N >= the
    service-level answer that also meets the abandonment cap, then the occupancy cap.
    Each search keeps log P_ab at its answer for the next stage's first check. ``tier``
    numbers the rows that share every argument but the load (``numerics.tier_ids``).
    """
    log_thr, log_cap = np.log(thr), np.log(cap)
    busy_limit = np.log(max_occupancy * (1.0 + RATIO_CEIL_TOLERANCE_REL))

    def excess(rows: IntArray | None, kind: str) -> Kept:
        def h(i: IntArray, nn: FloatArray) -> tuple[FloatArray, FloatArray]:
            j = i if rows is None else rows[i]
            logs = erlang_a_logs(nn, load[j], aht[j], patience[j], within[j])
            if kind == "busy":
                return _busy_excess(load[j], logs.abandon, nn, busy_limit[j]), logs.abandon
            value = logs.abandon - log_cap[j] if kind == "abandon" else logs.fail - log_thr[j]
            return np.asarray(value, dtype=np.float64), logs.abandon

        return h

    # SL <= P(answered) < N / A, so every N < target * A fails
    sl_lo = np.ceil(target * load * (1.0 - RATIO_CEIL_TOLERANCE_REL)).astype(np.int64) - 1
    lo = np.maximum(sl_lo, 0)
    guess = np.floor(halfin_whitt_n(load, aht, within, thr)).astype(np.int64) + 1
    # impatient callers: the answer nears target * A + 2 sqrt(A) (SL <= N / A), far below
    # the Erlang C estimate; starting no higher cuts this search from 198,000 to 165,000
    # evaluations in benchmarks/queueing.py (Erlang A as a whole: 1.48x less CPU)
    guess = np.minimum(guess, np.ceil(target * load + 2.0 * np.sqrt(load)).astype(np.int64))
    answer, kept = _service_level_answers(excess, lo, guess, load, tier)
    rows = np.flatnonzero(cap < 1.0)
    rows = rows[kept[rows] - log_cap[rows] > 0]  # the abandonment cap, from the kept P_ab
    if rows.size:
        step = np.sqrt(load[rows]) + 4.0
        found = search_kept(excess(rows, "abandon"), answer[rows], answer[rows] + 1, step)
        answer[rows], kept[rows] = found
    rows = np.flatnonzero(max_occupancy < 1.0)
    if rows.size:
        _raise_to_busy(rows, answer, kept, load, max_occupancy, excess(None, "busy"))
    return answer
