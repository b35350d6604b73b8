"""Required agents for Erlang A: the smallest N meeting the service level, the
abandonment cap and the served-occupancy cap (the rules in ``agent_search``).

Package-internal (``optimizer.staffing.agent_search.required_agents`` calls it).

Every decision is the exact one (the sign of a condition's excess from
``erlang_a_logs``, as before), or follows from it by monotonicity in N or in the load,
or from an upper bound on P(wait) or P(abandon) that clears the limit by _MARGIN: the
answers are the same as a plain search's (tests/test_queueing.py compares them with an
upward scan). In benchmarks/queueing.py the 40,000 interval-tiers take 17,300
evaluations instead of 255,000 (a plain search from the square-root guess, then the
two caps), fewer than one per interval-tier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import RATIO_CEIL_TOLERANCE_REL
from optimizer.staffing.erlang_a import erlang_a_logs
from optimizer.staffing.numerics import (
    FloatArray,
    IntArray,
    erlang_c_log_p_wait,
    log_inv_erlang_b,
    log_pmf,
)
from optimizer.staffing.root_search import Kept, ceil_ratio, halfin_whitt_n, levels, search_kept

_MARGIN: Final = 1e-9  # excess (in logs) beyond any rounding of the formulas
_BUSY_WALK: Final = 6  # evaluations walking down from N0 = ceil(A / cap) before the search


def _busy_excess(
    load: FloatArray, log_abandon: FloatArray, nn: FloatArray, limit: FloatArray
) -> FloatArray:
    """Excess of the served occupancy ``A (1 - P_ab(N)) / N`` over its cap, in logs."""
    served = np.log(load) + np.log1p(-np.exp(log_abandon)) - np.log(nn)
    return np.asarray(served - limit, dtype=np.float64)


def _fails_by_erlang_c(
    load: FloatArray, n: IntArray, limit: FloatArray, skip: NDArray[np.bool_], ratio: FloatArray
) -> tuple[NDArray[np.bool_], FloatArray]:
    """Where N (> A, not ``skip``) fails the served-occupancy cap without an Erlang A
    evaluation, from two upper bounds on P_ab (``ratio``: patience / AHT, so that
    ``a = N ratio`` and ``x = A ratio``):

    * P_ab <= P(wait) <= Erlang C's C(N, A) (each queue term of Erlang A, ``A / (N + i
      AHT / patience)``, is at most Erlang C's ``A / N``);
    * P_ab = pi_N sum_j w_j (j + 1) / (a + j + 1) (a caller with j ahead abandons with
      probability (j + 1) / (a + j + 1)) with pi_N <= B(N, A) and the chain's weights
      ``w_j <= r**j``, ``r = x / (a + 1)``: P_ab <= B / (a (1 - r)**2).

    The excess computed with the smaller bound is a lower bound; _MARGIN covers the
    rounding. B itself is first bounded by ``2 f(N; A)`` (Poisson pmf; the median of
    Poisson(A) is below A + 1/3, so ``Q(N + 1, A) >= 1/2``), which needs no incomplete
    gamma function; only where that does not show the failure is B computed. Also
    returns the bound on log C(N, A) used (NaN where none was computed)."""
    out = np.zeros(n.size, dtype=bool)
    log_c = np.full(n.size, np.nan)
    live = np.flatnonzero(~skip & (n > load + 0.5))
    for exact in (False, True):
        if not live.size:
            break
        nf, ld = n[live].astype(np.float64), load[live]
        if exact:
            log_b = -log_inv_erlang_b(nf, ld)
        else:
            log_b = np.minimum(math.log(2.0) + log_pmf(nf, ld, nf - ld), 0.0)
        log_c[live] = np.log(nf) + log_b - np.log((nf - ld) + ld * np.exp(log_b))
        a, r = nf * ratio[live], ld * ratio[live] / (nf * ratio[live] + 1.0)
        bound = np.minimum(log_c[live], log_b - np.log(a) - 2.0 * np.log1p(-r))
        out[live] = _busy_excess(ld, bound, nf, limit[live]) > _MARGIN
        live = live[~out[live]]
    return out, log_c


def _raise_to_busy(
    rows: IntArray,
    answer: IntArray,
    kept: FloatArray,
    load: FloatArray,
    cap: FloatArray,
    h: Kept,
    ratio: FloatArray,
) -> None:
    """Raise ``answer[rows]`` to the smallest N meeting the served-occupancy cap ``A (1 -
    P_ab(N)) / N <= cap`` (``h``: that excess at the rows' own N; ``kept``: log P_ab at
    the current answer, from the search that found it).

    As P_ab >= 0, ``N0 = ceil(A / cap)`` meets the cap (checked without P_ab), and where
    the cap binds P_ab is small there, so the answer is N0 or a step or two below it:
    the search walks down from N0 until N fails, skipping the evaluation of N0 - 1 where
    the bounds on P_ab show that it fails (``_fails_by_erlang_c``). The answer is the
    smallest N either way (tests/test_queueing.py and the benchmark's 50-digit check).
    """
    limit = np.log(cap[rows] * (1.0 + RATIO_CEIL_TOLERANCE_REL))
    over = _busy_excess(load[rows], kept[rows], answer[rows].astype(np.float64), limit) > 0
    rows = rows[over]
    if rows.size:
        answer[rows] = _busy_walk(rows, answer[rows], load, cap, h, ratio)[0]


def _busy_walk(
    rows: IntArray, lo: IntArray, load: FloatArray, cap: FloatArray, h: Kept, ratio: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Smallest N > lo meeting the served-occupancy cap, walking down from N0 (see
    ``_raise_to_busy``); ``h``: the cap's excess at the rows' own N. Also returns the
    value ``h`` keeps at the answer where it was evaluated there, and log C(N0 - 1, A)
    where Erlang C showed that N0 - 1 fails (both NaN elsewhere)."""
    limit = np.log(cap[rows] * (1.0 + RATIO_CEIL_TOLERANCE_REL))
    result = np.maximum(lo + 1, ceil_ratio(load[rows], cap[rows]))
    kept = np.full(rows.size, np.nan)
    no_abandon = np.full(rows.size, -np.inf)  # log1p(-exp(-inf)) = 0: the excess at P_ab = 0
    meets = _busy_excess(load[rows], no_abandon, result.astype(np.float64), limit) <= 0
    n = result - 1
    shown, log_c = _fails_by_erlang_c(load[rows], n, limit, ~meets | (n <= lo), ratio[rows])
    todo = np.flatnonzero(meets & (n > lo) & ~shown)
    for _ in range(_BUSY_WALK):
        if not todo.size:
            break
        value, keep = h(rows[todo], n[todo].astype(np.float64))
        ok = value <= 0
        todo = todo[ok]
        result[todo], kept[todo] = n[todo], keep[ok]
        n[todo] -= 1
        todo = todo[n[todo] > lo[todo]]
    rest = np.union1d(todo, np.flatnonzero(~meets))
    if rest.size:  # the plain search (a long walk, or N0 not shown to meet the cap)
        sub = rows[rest]

        def h_rest(i: IntArray, nn: FloatArray) -> tuple[FloatArray, FloatArray]:
            return h(sub[i], nn)

        step = np.sqrt(load[sub]) + 4.0
        result[rest], kept[rest] = search_kept(h_rest, lo[rest], result[rest], step)
    return result, kept, np.where(shown, log_c, np.nan)


@dataclass(frozen=True)
class _Rows:
    """The Erlang A rows of ``required_a``: arguments and the logs of their limits."""

    load: FloatArray
    aht: FloatArray
    within: FloatArray
    patience: FloatArray
    log_thr: FloatArray
    log_cap: FloatArray
    busy_limit: FloatArray
    cap: FloatArray
    max_occupancy: FloatArray
    lo: IntArray  # SL <= P(answered) < N / A, so every N <= lo fails

    def excess(self, rows: IntArray | None, kind: str) -> Kept:
        """One condition's excess (``sl``, ``abandon`` or ``busy``), keeping log P_ab."""

        def h(i: IntArray, nn: FloatArray) -> tuple[FloatArray, FloatArray]:
            j = i if rows is None else rows[i]
            logs = erlang_a_logs(nn, self.load[j], self.aht[j], self.patience[j], self.within[j])
            if kind in ("busy", "busy_others"):
                busy = _busy_excess(self.load[j], logs.abandon, nn, self.busy_limit[j])
                if kind == "busy":
                    return busy, logs.abandon
                ab = np.where(self.cap[j] < 1.0, logs.abandon - self.log_cap[j], -np.inf)
                return busy, np.maximum(logs.fail - self.log_thr[j], ab)
            if kind == "abandon":
                return np.asarray(logs.abandon - self.log_cap[j]), logs.abandon
            return np.asarray(logs.fail - self.log_thr[j], dtype=np.float64), logs.abandon

        return h

    def worst(self, j: IntArray, n: IntArray) -> FloatArray:
        """The largest excess of the conditions that apply to rows ``j`` at ``n`` >= 1."""
        nn = n.astype(np.float64)
        logs = erlang_a_logs(nn, self.load[j], self.aht[j], self.patience[j], self.within[j])
        ab = np.where(self.cap[j] < 1.0, logs.abandon - self.log_cap[j], -np.inf)
        busy = _busy_excess(self.load[j], logs.abandon, nn, self.busy_limit[j])
        busy = np.where(self.max_occupancy[j] < 1.0, busy, -np.inf)
        return np.maximum(np.maximum(logs.fail - self.log_thr[j], ab), busy)


def _answer_rows(
    p: _Rows, rows: IntArray, start: IntArray, answer: IntArray, lo: IntArray | None = None
) -> IntArray:
    """Answers of ``rows`` from the service-level search started at ``start``, raised to
    the abandonment cap, then to the occupancy cap; returns the service-level answers.

    Each search keeps log P_ab at its answer for the next stage's first check."""
    kept = np.full(answer.size, np.nan)
    step = np.sqrt(p.load) + 4.0
    lo = p.lo[rows] if lo is None else lo
    found = search_kept(p.excess(rows, "sl"), lo, start, step[rows])
    answer[rows], kept[rows] = found
    sub = rows[p.cap[rows] < 1.0]
    sub = sub[kept[sub] - p.log_cap[sub] > 0]  # the abandonment cap, from the kept P_ab
    if sub.size:
        lo = answer[sub]
        answer[sub], kept[sub] = search_kept(p.excess(sub, "abandon"), lo, lo + 1, step[sub])
    sub = rows[p.max_occupancy[rows] < 1.0]
    if sub.size:
        h = p.excess(None, "busy")
        _raise_to_busy(sub, answer, kept, p.load, p.max_occupancy, h, p.patience / p.aht)
    return found[0]


def _answer_busy_first(p: _Rows, rows: IntArray, answer: IntArray) -> None:
    """Answers of ``rows`` (with an occupancy cap) where that cap is expected to bind:
    the answer is max(N_sl, N_ab, N_busy) for the smallest N meeting each condition
    alone, so the cap's N_busy > lo comes first (``_busy_walk``: N0 or a step below,
    above the load, where the formulas are cheap) and, only where N_busy fails the
    service level or the abandonment cap, the search for those continues above it."""
    h = p.excess(None, "busy_others")
    ratio = p.patience / p.aht
    n_b, others, log_c = _busy_walk(rows, p.lo[rows], p.load, p.max_occupancy, h, ratio)
    answer[rows] = n_b
    # where the walk evaluated N_busy it kept the other conditions' excess there; at N0
    # (not evaluated) C(N0 - 1, A) bounds P(wait), as C falls with N
    ab = np.where(p.cap[rows] < 1.0, log_c - p.log_cap[rows], -np.inf)
    by_c = np.maximum(log_c - p.log_thr[rows], ab) < -_MARGIN
    met = np.where(np.isnan(others), by_c, others <= 0)
    rows, n_b = _unsettled_by_erlang_c(p, rows[~met], n_b[~met])
    nn = n_b.astype(np.float64)
    logs = erlang_a_logs(nn, p.load[rows], p.aht[rows], p.patience[rows], p.within[rows])
    sl_fails = logs.fail - p.log_thr[rows] > 0
    ab_fails = (p.cap[rows] < 1.0) & (logs.abandon - p.log_cap[rows] > 0) & ~sl_fails
    if bool(np.any(sl_fails)):
        lo = n_b[sl_fails]
        _answer_rows(p, rows[sl_fails], lo + 1, answer, lo)
    if bool(np.any(ab_fails)):
        sub, lo = rows[ab_fails], n_b[ab_fails]
        step = np.sqrt(p.load[sub]) + 4.0
        answer[sub] = search_kept(p.excess(sub, "abandon"), lo, lo + 1, step)[0]


def _unsettled_by_erlang_c(p: _Rows, rows: IntArray, n: IntArray) -> tuple[IntArray, IntArray]:
    """The rows (and their n) not shown by Erlang C to meet the service level and the
    abandonment cap at n: for n > A, 1 - SL <= P(wait) and P_ab <= P(wait), and Erlang
    A's P(wait) is at most Erlang C's C(n, A) (see ``_fails_by_erlang_c``)."""
    live = np.flatnonzero(n > p.load[rows])
    if not live.size:
        return rows, n
    j = rows[live]
    log_c = erlang_c_log_p_wait(n[live].astype(np.float64), p.load[j])
    ab_ok = (p.cap[j] >= 1.0) | (log_c - p.log_cap[j] < -_MARGIN)
    shown = np.zeros(rows.size, dtype=bool)
    shown[live] = (log_c - p.log_thr[j] < -_MARGIN) & ab_ok
    return rows[~shown], n[~shown]


def _settled_by_neighbours(
    p: _Rows, answer: IntArray, rest: IntArray, below: IntArray, above: IntArray
) -> NDArray[np.bool_]:
    """Rest rows whose answer is their neighbours' common answer n, set without an
    evaluation of their own.

    Within a tier every condition's excess grows with the load (P(wait > T or abandon),
    P_ab and the served load ``A (1 - P_ab)`` grow with the arrival rate: the chain's
    state distribution rises stochastically and FCFS callers depend only on those
    ahead). So if n - 1 fails a condition by more than _MARGIN at the smaller load and n
    meets every condition by more than _MARGIN at the larger one, both hold, beyond
    rounding, at every load between: the answer there is n as well.
    """
    n = answer[below]
    same = np.flatnonzero(n == answer[above])
    if not same.size:
        return np.zeros(rest.size, dtype=bool)
    low, high = np.unique(below[same]), np.unique(above[same])
    fails = np.zeros(answer.size, dtype=bool)
    meets = np.zeros(answer.size, dtype=bool)
    nothing = low[answer[low] <= 1]  # N = 0 answers nobody
    fails[nothing] = True
    low = low[answer[low] > 1]
    pts = np.concatenate([answer[low] - 1, answer[high]])
    worst = p.worst(np.concatenate([low, high]), pts)
    fails[low] = worst[: low.size] > _MARGIN
    meets[high] = worst[low.size :] < -_MARGIN
    return (n == answer[above]) & fails[below] & meets[above]


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
    load_id: IntArray,
) -> IntArray:
    """Smallest N (load > 0) with the Erlang A failure <= thr, P(ab) <= cap and the
    occupancy of the contacts actually served, ``A (1 - P_ab(N)) / N``, at most
    ``max_occupancy`` (design section 4). With abandonment the queue is stable for any
    N, so N < A is allowed when it meets the tier.

    The three conditions are monotone in N, so the answer is the smallest N >= the
    service-level answer that also meets the abandonment cap, then the occupancy cap.
    Each search keeps log P_ab at its answer for the next stage's first check. ``tier``
    numbers the rows that share every argument but the load (``numerics.tier_ids``),
    ``load_id`` those that share the load (``numerics.load_ids``).
    """
    sl_lo = np.ceil(target * load * (1.0 - RATIO_CEIL_TOLERANCE_REL)).astype(np.int64) - 1
    busy_limit = np.log(max_occupancy * (1.0 + RATIO_CEIL_TOLERANCE_REL))
    logs = (np.log(thr), np.log(cap), busy_limit, cap, max_occupancy, np.maximum(sl_lo, 0))
    p = _Rows(load, aht, within, patience, *logs)
    answer = np.zeros(load.size, dtype=np.int64)
    sl_answer = np.zeros(load.size, dtype=np.int64)  # or a stand-in where not searched
    by_load = levels(load, tier, load_id)
    first = by_load[0][0]
    a, t = load[first], target[first]
    guess = np.floor(halfin_whitt_n(a, aht[first], within[first], thr[first])).astype(np.int64)
    # impatient callers: the answer nears target * A + 2 sqrt(A) (SL <= N / A), far below
    # the Erlang C estimate; starting no higher cuts this search from 198,000 to 165,000
    # evaluations in benchmarks/queueing.py (Erlang A as a whole: 1.48x less CPU)
    guess = np.minimum(guess + 1, np.ceil(t * a + 2.0 * np.sqrt(a)).astype(np.int64))
    sl_answer[first] = _answer_rows(p, first, guess, answer)
    capped = answer > sl_answer  # a cap, not the service level, binds
    for rest, below, above in by_load[1:]:
        if rest.size:
            _answer_level(p, (rest, below, above), answer, sl_answer, capped)
    return answer


def _answer_level(
    p: _Rows,
    level: tuple[IntArray, IntArray, IntArray],
    answer: IntArray,
    sl_answer: IntArray,
    capped: NDArray[np.bool_],
) -> None:
    """Answers of one level's rows from their neighbours' (``root_search.levels``):
    settled where both agree (``_settled_by_neighbours``), the occupancy cap first where
    it bound both, else the service-level search from the interpolated service-level
    answer."""
    rest, below, above = level
    settled = _settled_by_neighbours(p, answer, rest, below, above)
    done = rest[settled]
    answer[done], sl_answer[done] = answer[below[settled]], sl_answer[below[settled]]
    capped[done] = capped[below[settled]] & capped[above[settled]]
    rest, below, above = rest[~settled], below[~settled], above[~settled]
    busy_first = (p.max_occupancy[rest] < 1.0) & capped[below] & capped[above]
    if bool(np.any(busy_first)):
        done = rest[busy_first]
        _answer_busy_first(p, done, answer)
        sl_answer[done], capped[done] = answer[done], True
        rest, below, above = rest[~busy_first], below[~busy_first], above[~busy_first]
    if rest.size:  # start from the service-level answer interpolated between neighbours
        load = p.load
        span = load[above] - load[below]
        share = np.where(span > 0, (load[rest] - load[below]) / np.where(span > 0, span, 1.0), 0.0)
        between = sl_answer[below] + share * (sl_answer[above] - sl_answer[below])
        sl_answer[rest] = _answer_rows(p, rest, np.rint(between).astype(np.int64), answer)
        capped[rest] = answer[rest] > sl_answer[rest]
