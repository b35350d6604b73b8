"""Required agents: the smallest N meeting a tier, for Erlang C and Erlang A.

Searches for the required agents are vectorised over all intervals and tiers at once:
Erlang C starts from the Halfin-Whitt square-root-staffing estimate and steps with the
Erlang-B recursion; Erlang A (``staffing/erlang_a_search.py``) answers the loads of each
tier in load order, in three levels, each starting from the one before (answers that
neighbouring loads share, the occupancy cap first where it binds, exact bounds that
spare evaluations), and brackets the rest with Newton-like steps on exact evaluations
(bisection as a fallback), each round evaluating a pair of adjacent N.

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

from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from optimizer.staffing.erlang_a_search import required_a
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
    tier_ids,
)
from optimizer.staffing.root_search import ceil_ratio, halfin_whitt_n, search

SL_ONE_FLOOR: Final = 2.0**-53
"""A target of exactly 1 is read as the largest double below 1 (``1 - 2**-53``): with any
positive load no finite staffing answers every contact within T."""

# Erlang C takes the guess without Newton rounds (``beta = sqrt(-2 log thr) / 2``): the
# recursion walk corrects it for less than the rounds cost (erfcx on every interval-tier);
# benchmarks/queueing.py: 18.3 ms of CPU instead of 23.2 ms, the same answers
_HALFIN_WHITT_ROUNDS_C: Final = 0
_WALK_STEPS: Final = 16  # Erlang C recursion steps before the general search takes over


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
    return ceil_ratio(sf, cf).reshape(shape)


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
    hw = halfin_whitt_n(load, aht, within, thr, _HALFIN_WHITT_ROUNDS_C)
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

        answer[u] = search(h, floor_n[u] - 1, guess[u], np.sqrt(load[u]) + 4.0)
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
    n_occ = ceil_ratio(load_f, occ_f)
    c_rows = np.flatnonzero(busy & np.isinf(pat_f))
    if c_rows.size:
        i = c_rows
        floor_n = np.maximum(n_occ[i], np.floor(load_f[i]).astype(np.int64) + 1)
        ids = load_ids(args["load"], shape)[i]  # tiers sharing a load share its Erlang B
        answer[i] = _required_c(load_f[i], aht_f[i], thr[i], within_f[i], floor_n, ids)
    i = np.flatnonzero(busy & np.isfinite(pat_f))
    if i.size:  # tier: rows that differ in the load alone
        tier = tier_ids(tuple(v for k, v in args.items() if k != "load"), shape)[i]
        a_args = load_f[i], aht_f[i], tgt_f[i], thr[i], within_f[i], pat_f[i], occ_f[i]
        answer[i] = required_a(*a_args, cap_f[i], tier, load_ids(args["load"], shape)[i])
    return answer.reshape(shape)
