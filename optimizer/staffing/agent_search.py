"""Required agents: the smallest N meeting a tier, for Erlang C and Erlang A.

Searches for the required agents are vectorised over all intervals and tiers at once:
Erlang C starts from the Halfin-Whitt square-root-staffing estimate and steps with the
Erlang-B recursion; Erlang A brackets the answer with Newton-like steps on exact
evaluations (bisection as a fallback), each round evaluating a pair of adjacent N.

Staffing rules: ``SL(N) >= target`` is decided exactly (a target of 1 is read as
``1 - SL_ONE_FLOOR``); the occupancy cap ``A / N <= max_occupancy`` allows a relative
slack of ``conventions.RATIO_CEIL_TOLERANCE_REL`` for float noise in the load (22.1
Erlangs at 85% is 26 agents, although ``22.1 / 0.85 == 26.000000000000004``). For
Erlang A the cap applies to the load actually served, ``A (1 - P_abandon) / N``
(design section 4), and N below A is allowed: abandonment keeps the queue stable.

Required agents agree with a 50-digit reference from 0.001 to 10**6 Erlangs (see
tests/test_queueing.py and benchmarks/queueing.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from optimizer.conventions import RATIO_CEIL_TOLERANCE_REL
from optimizer.staffing.erlang_a import erlang_a_logs
from optimizer.staffing.numerics import (
    FloatArray,
    IntArray,
    check_aht,
    check_load,
    check_patience,
    check_within,
    distinct_log_inv_b,
    erlang_c_log_p_wait,
    flat,
    floats,
    load_ids,
    require,
)

SL_ONE_FLOOR: Final = 2.0**-53
"""A target of exactly 1 is read as the largest double below 1 (``1 - 2**-53``): with any
positive load no finite staffing answers every contact within T."""

_HALFIN_WHITT_ROUNDS: Final = 2  # Newton rounds for the square-root staffing guess (Erlang A)
# Erlang C takes the guess without Newton rounds (``beta = sqrt(-2 log thr) / 2``): the
# recursion walk corrects it for less than the rounds cost (erfcx on every interval-tier);
# benchmarks/queueing.py: 18.3 ms of CPU instead of 23.2 ms, the same answers
_HALFIN_WHITT_ROUNDS_C: Final = 0
_WALK_STEPS: Final = 16  # Erlang C recursion steps before the general search takes over
_SEARCH_NEWTON_ROUNDS: Final = 6  # interpolation rounds before pure bisection
_SEARCH_MAX_ROUNDS: Final = 200  # a search that needs more has met non-monotone noise


def _ceil_ratio(num: FloatArray, den: FloatArray) -> IntArray:
    """``ceil(num / den)`` with RATIO_CEIL_TOLERANCE_REL slack for float noise."""
    q = num / den
    return np.ceil(q - np.abs(q) * RATIO_CEIL_TOLERANCE_REL).astype(np.int64)


def chat_agents(slots: ArrayLike, concurrency: ArrayLike) -> IntArray:
    """Agents for ``slots`` simultaneous chats when each agent holds ``concurrency``.

    ``ceil(slots / concurrency)``, immune to float noise in the ratio:

    >>> chat_agents([5, 6, 7], 2.5).tolist()
    [2, 3, 3]
    >>> chat_agents(5, 0.1 * 25).tolist()  # 0.1 * 25 == 2.5000000000000004
    2
    """
    s, c = floats(slots), floats(concurrency)
    require("slots", s, np.isfinite(s) & (s >= 0), "a finite number >= 0")
    require("concurrency", c, np.isfinite(c) & (c > 0), "a finite number > 0")
    shape = np.broadcast_shapes(s.shape, c.shape)
    sf, cf = flat(shape, s, c)
    return _ceil_ratio(sf, cf).reshape(shape)


def _halfin_whitt_n(
    load: FloatArray,
    aht: FloatArray,
    within: FloatArray,
    thr: FloatArray,
    rounds: int = _HALFIN_WHITT_ROUNDS,
) -> FloatArray:
    """Square-root staffing estimate: ``A + beta sqrt(A)`` with the Halfin-Whitt C
    (``rounds`` Newton rounds from ``beta = sqrt(-2 log thr) / 2``)."""
    log_thr = np.log(thr)
    beta = np.sqrt(np.maximum(-2.0 * log_thr, 0.0)) / 2.0
    if rounds:
        kappa = np.sqrt(load) * within / aht
    for _ in range(rounds):
        r = math.sqrt(math.pi / 2.0) * special.erfcx(-beta / math.sqrt(2.0))
        g = np.log1p(beta * r) + beta * kappa + log_thr
        slope = (r + beta * (1.0 + beta * r)) / (1.0 + beta * r) + kappa
        beta = np.clip(beta - g / slope, 0.0, 30.0)
    return np.asarray(load + beta * np.sqrt(load), dtype=np.float64)


def _search(
    h: Callable[[IntArray, FloatArray], FloatArray],
    lo: IntArray,
    start: IntArray,
    step: FloatArray,
) -> IntArray:
    """Smallest integer N > lo with h(N) <= 0, element-wise, for h non-increasing in N.

    ``h(index, N)`` evaluates element ``index`` at ``N``; ``lo`` must fail (it is never
    evaluated); ``start`` is the first guess; ``step`` the first extrapolation limit.
    Each round evaluates the pair (m - 1, m) around the predicted answer m, so a good
    prediction ends the search in one round.
    """
    size = lo.size
    lo = lo.copy()
    hi = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    m = np.maximum(start, lo + 1)
    reach = np.maximum(step, 1.0)
    rounds = 0
    active = np.arange(size)
    while active.size:
        rounds += 1
        if rounds > _SEARCH_MAX_ROUNDS:
            raise ArithmeticError(f"required-agent search did not converge for {active.size} rows")
        mm = m[active]
        low_pt = mm - 1
        has_low = low_pt > lo[active]
        idx = np.concatenate([active, active[has_low]])
        pts = np.concatenate([mm, low_pt[has_low]])
        vals = h(idx, pts.astype(np.float64))
        h_m = vals[: active.size]
        h_low = np.full(active.size, np.nan)
        h_low[has_low] = vals[active.size :]
        ok_m = h_m <= 0
        ok_low = has_low & (h_low <= 0)
        # bracket update
        new_hi = np.where(ok_low, low_pt, np.where(ok_m, mm, hi[active]))
        new_lo = np.where(ok_m, np.where(has_low & ~ok_low, low_pt, lo[active]), mm)
        hi[active], lo[active] = new_hi, new_lo
        done = new_hi - new_lo <= 1
        # next prediction: Newton step on the local slope, else gallop or bisect
        slope = h_m - h_low
        with np.errstate(divide="ignore", invalid="ignore"):
            root = mm - h_m / slope
        usable = has_low & np.isfinite(root) & (slope < 0) & (rounds <= _SEARCH_NEWTON_ROUNDS)
        bounded = new_hi < np.iinfo(np.int64).max
        reach_a = reach[active]
        gallop = new_lo + np.ceil(reach_a).astype(np.int64)
        predicted = np.where(
            usable,
            np.ceil(np.clip(root, new_lo + 1, np.where(bounded, new_hi, new_lo + reach_a))),
            np.where(bounded, (new_lo + new_hi + 1) // 2, gallop),
        ).astype(np.int64)
        predicted = np.clip(predicted, new_lo + 1, np.maximum(new_hi, new_lo + 1))
        reach[active] = reach_a * 2.0
        m[active] = predicted
        active = active[~done]
    return hi


def _c_fail(
    nn: IntArray, bb: FloatArray, load: FloatArray, aht: FloatArray, within: FloatArray
) -> FloatArray:
    """Erlang C failure ``1 - SL`` at N = nn > A from B(nn) = bb."""
    nf = nn.astype(np.float64)
    gap = nf - load
    c = nf * bb / (gap + load * bb)
    return np.asarray(c * np.exp(-gap * within / aht), dtype=np.float64)


def _required_c(
    load: FloatArray,
    aht: FloatArray,
    thr: FloatArray,
    within: FloatArray,
    floor_n: IntArray,
    load_id: IntArray,
) -> IntArray:
    """Smallest N >= floor_n (all > A > 0) with the Erlang C failure <= thr (``load_id``:
    which elements share a load, see ``numerics.distinct_log_inv_b``)."""
    hw = _halfin_whitt_n(load, aht, within, thr, _HALFIN_WHITT_ROUNDS_C)
    guess = np.floor(hw).astype(np.int64) + 1
    n = np.maximum(guess, floor_n)
    b = np.exp(-distinct_log_inv_b(n, load, load_id))

    ok = _c_fail(n, b, load, aht, within) <= thr
    answer = np.where(ok & (n == floor_n), n, -1)
    unresolved = np.zeros(load.size, dtype=bool)
    # walk down from an ok guess while N - 1 still meets the target
    act = np.flatnonzero(ok & (n > floor_n))
    cur_n, cur_b = n[act], b[act]
    for _ in range(_WALK_STEPS):
        if not act.size:
            break
        a = load[act]
        prev_b = cur_n * cur_b / (a * (1.0 - cur_b))
        prev_ok = _c_fail(cur_n - 1, prev_b, a, aht[act], within[act]) <= thr[act]
        stop = ~prev_ok | (cur_n - 1 == floor_n[act])
        answer[act[stop]] = np.where(prev_ok, cur_n - 1, cur_n)[stop]
        act, cur_n, cur_b = act[~stop], cur_n[~stop] - 1, prev_b[~stop]
    unresolved[act] = True
    # walk up from a failing guess with the Erlang-B recursion
    act = np.flatnonzero(~ok)
    cur_n, cur_b = n[act], b[act]
    for _ in range(_WALK_STEPS):
        if not act.size:
            break
        a = load[act]
        cur_b = a * cur_b / (cur_n + 1 + a * cur_b)
        cur_n = cur_n + 1
        now_ok = _c_fail(cur_n, cur_b, a, aht[act], within[act]) <= thr[act]
        answer[act[now_ok]] = cur_n[now_ok]
        act, cur_n, cur_b = act[~now_ok], cur_n[~now_ok], cur_b[~now_ok]
    unresolved[act] = True
    if np.any(unresolved):
        u = np.flatnonzero(unresolved)

        def h(i: IntArray, nn: FloatArray) -> FloatArray:
            j = u[i]
            log_c = erlang_c_log_p_wait(nn, load[j])
            return np.asarray(
                log_c - (nn - load[j]) * within[j] / aht[j] - np.log(thr[j]), dtype=np.float64
            )

        answer[u] = _search(h, floor_n[u] - 1, guess[u], np.sqrt(load[u]) + 4.0)
    return answer


def _raise_to(
    rows: IntArray,
    h_of: Callable[[IntArray], Callable[[IntArray, FloatArray], FloatArray]],
    answer: IntArray,
    load: FloatArray,
    busy_cap: FloatArray | None,
) -> None:
    """Raise ``answer[rows]`` to the smallest N meeting the condition ``h_of(rows)``.

    ``busy_cap``: the condition is the served-occupancy cap ``A (1 - P_ab(N)) / N <=
    cap``. As P_ab >= 0, ``N = A / cap`` always meets it, and where the cap binds
    P_ab is small there, so the search starts at that bound rather than at N0 + 1: for
    the 40,000 interval-tiers of benchmarks/queueing.py it evaluates 50,000 points
    instead of 163,000 (the answer is the smallest N either way, and it is the same:
    tests/test_queueing.py and the benchmark's 50-digit check).
    """
    excess = h_of(rows)(np.arange(rows.size), answer[rows].astype(np.float64))
    over = excess > 0
    rows = rows[over]
    if not rows.size:
        return
    start = answer[rows] + 1
    if busy_cap is not None:
        start = np.maximum(start, _ceil_ratio(load[rows], busy_cap[rows]))
    answer[rows] = _search(h_of(rows), answer[rows], start, np.sqrt(load[rows]) + 4.0)


def _required_a(
    load: FloatArray,
    aht: FloatArray,
    target: FloatArray,
    thr: FloatArray,
    within: FloatArray,
    patience: FloatArray,
    max_occupancy: FloatArray,
    cap: FloatArray,
) -> IntArray:
    """Smallest N (load > 0) with the Erlang A failure <= thr, P(ab) <= cap and the
    occupancy of the contacts actually served, ``A (1 - P_ab(N)) / N``, at most
    ``max_occupancy`` (design section 4). With abandonment the queue is stable for any
    N, so N < A is allowed when it meets the tier.

    The three conditions are monotone in N, so the answer is the smallest N >= the
    service-level answer that also meets the abandonment cap, then the occupancy cap.
    """
    Excess = Callable[[IntArray, FloatArray], FloatArray]

    def excess(rows: IntArray, use_abandon: bool) -> Excess:
        limit = np.log(cap[rows]) if use_abandon else np.log(thr[rows])

        def h(i: IntArray, nn: FloatArray) -> FloatArray:
            j = rows[i]
            logs = erlang_a_logs(nn, load[j], aht[j], patience[j], within[j])
            return np.asarray((logs.abandon if use_abandon else logs.fail) - limit[i])

        return h

    def busy_excess(rows: IntArray) -> Excess:
        limit = np.log(max_occupancy[rows] * (1.0 + RATIO_CEIL_TOLERANCE_REL))

        def h(i: IntArray, nn: FloatArray) -> FloatArray:
            j = rows[i]
            logs = erlang_a_logs(nn, load[j], aht[j], patience[j], within[j])
            served = np.log(load[j]) + np.log1p(-np.exp(logs.abandon)) - np.log(nn)
            return np.asarray(served - limit[i])

        return h

    everyone = np.arange(load.size)
    # SL <= P(answered) < N / A, so every N < target * A fails
    sl_lo = np.ceil(target * load * (1.0 - RATIO_CEIL_TOLERANCE_REL)).astype(np.int64) - 1
    lo = np.maximum(sl_lo, 0)
    guess = np.floor(_halfin_whitt_n(load, aht, within, thr)).astype(np.int64) + 1
    # impatient callers: the answer nears target * A + 2 sqrt(A) (SL <= N / A), far below
    # the Erlang C estimate; starting no higher cuts this search from 198,000 to 165,000
    # evaluations in benchmarks/queueing.py (Erlang A as a whole: 1.48x less CPU)
    guess = np.minimum(guess, np.ceil(target * load + 2.0 * np.sqrt(load)).astype(np.int64))
    answer = _search(excess(everyone, False), lo, guess, np.sqrt(load) + 4.0)
    _raise_to(np.flatnonzero(cap < 1.0), lambda rows: excess(rows, True), answer, load, None)
    _raise_to(np.flatnonzero(max_occupancy < 1.0), busy_excess, answer, load, max_occupancy)
    return answer


def required_agents(
    load: ArrayLike,
    aht: ArrayLike,
    target_sl: ArrayLike,
    within: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
    patience: ArrayLike | None = None,
    max_abandon: ArrayLike | None = None,
) -> IntArray:
    """Smallest integer N >= 0 meeting the tier, element-wise over broadcast arguments.

    N must satisfy ``SL(N) >= target_sl`` exactly (compared as ``1 - SL <= 1 - target``;
    a target of 1 is read as ``1 - SL_ONE_FLOOR``), ``load / N <= max_occupancy`` (with
    RATIO_CEIL_TOLERANCE_REL slack for float noise) and, with a finite ``patience``
    (Erlang A), ``P(abandon) <= max_abandon``. ``patience`` None or inf means Erlang C.
    Zero load needs 0 agents. Reference case E1 (load 10, AHT 180 s, 80/20, 85% cap):

    >>> required_agents(10.0, 180.0, 0.8, 20.0, max_occupancy=0.85).tolist()
    14
    >>> required_agents([10.0, 1500.0], 180.0, [[0.8], [0.95]], 20.0).tolist()
    [[14, 1512], [16, 1521]]
    """
    args = {
        "load": floats(load),
        "aht": floats(aht),
        "target_sl": floats(target_sl),
        "within": floats(within),
        "max_occupancy": floats(max_occupancy),
        "patience": floats(np.inf if patience is None else patience),
        "max_abandon": floats(1.0 if max_abandon is None else max_abandon),
    }
    check_load(args["load"])
    check_aht(args["aht"])
    t = args["target_sl"]
    require("target_sl", t, (t > 0) & (t <= 1), "in (0, 1]")
    check_within(args["within"])
    o = args["max_occupancy"]
    require("max_occupancy", o, (o > 0) & (o <= 1), "in (0, 1]")
    check_patience(args["patience"])
    c = args["max_abandon"]
    require("max_abandon", c, (c > 0) & (c <= 1), "in (0, 1]")
    shape = np.broadcast_shapes(*(v.shape for v in args.values()))
    load_f, aht_f, tgt_f, within_f, occ_f, pat_f, cap_f = flat(shape, *args.values())
    answer = np.zeros(load_f.size, dtype=np.int64)
    busy = load_f > 0
    thr = np.maximum(1.0 - tgt_f, SL_ONE_FLOOR)
    n_occ = _ceil_ratio(load_f, occ_f)
    c_rows = np.flatnonzero(busy & np.isinf(pat_f))
    if c_rows.size:
        i = c_rows
        floor_n = np.maximum(n_occ[i], np.floor(load_f[i]).astype(np.int64) + 1)
        ids = load_ids(args["load"], shape)[i]  # tiers sharing a load share its Erlang B
        answer[i] = _required_c(load_f[i], aht_f[i], thr[i], within_f[i], floor_n, ids)
    a_rows = np.flatnonzero(busy & np.isfinite(pat_f))
    if a_rows.size:
        i = a_rows
        answer[i] = _required_a(
            load_f[i], aht_f[i], tgt_f[i], thr[i], within_f[i], pat_f[i], occ_f[i], cap_f[i]
        )
    return answer.reshape(shape)
