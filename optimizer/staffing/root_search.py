"""The bracketing search for the smallest integer N meeting a monotone condition.

Package-internal (``optimizer.staffing.agent_search`` uses it for Erlang C's stragglers
and ``erlang_a_search`` for every stage of Erlang A, with the square-root guess and the
order in which a tier's loads are answered, ``levels``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import special

from optimizer.conventions import RATIO_CEIL_TOLERANCE_REL
from optimizer.staffing.numerics import FloatArray, IntArray

HALFIN_WHITT_ROUNDS: Final = 2  # Newton rounds for the square-root staffing guess (Erlang A)
STRIDES: Final = (256, 16)  # loads of a tier answered first, then second (in load order)
SEARCH_NEWTON_ROUNDS: Final = 6  # interpolation rounds before pure bisection
SEARCH_MAX_ROUNDS: Final = 200  # a search that needs more has met non-monotone noise

Kept = Callable[[IntArray, FloatArray], tuple[FloatArray, FloatArray]]
"""``h(index, N)``: the condition's excess (met where <= 0) and a value kept at the answer."""


def ceil_ratio(num: FloatArray, den: FloatArray) -> IntArray:
    """``ceil(num / den)`` with RATIO_CEIL_TOLERANCE_REL slack for float noise."""
    q = num / den
    return np.ceil(q - np.abs(q) * RATIO_CEIL_TOLERANCE_REL).astype(np.int64)


def halfin_whitt_n(
    load: FloatArray,
    aht: FloatArray,
    within: FloatArray,
    thr: FloatArray,
    rounds: int = HALFIN_WHITT_ROUNDS,
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


def _predict(
    mm: IntArray,
    h_m: FloatArray,
    h_low: FloatArray,
    has_low: NDArray[np.bool_],
    new_lo: IntArray,
    new_hi: IntArray,
    reach_a: FloatArray,
    rounds: int,
) -> IntArray:
    """Next point of ``search_kept``: a Newton step on the local slope, else gallop or
    bisect, inside the bracket (new_lo, new_hi]."""
    top = np.iinfo(np.int64).max
    slope = h_m - h_low
    with np.errstate(divide="ignore", invalid="ignore"):
        root = mm - h_m / slope
    usable = has_low & np.isfinite(root) & (slope < 0) & (rounds <= SEARCH_NEWTON_ROUNDS)
    bounded = new_hi < top
    gallop = new_lo + np.ceil(reach_a).astype(np.int64)
    predicted = np.where(
        usable,
        np.ceil(np.clip(root, new_lo + 1, np.where(bounded, new_hi, new_lo + reach_a))),
        np.where(bounded, (new_lo + new_hi + 1) // 2, gallop),
    ).astype(np.int64)
    return np.asarray(np.clip(predicted, new_lo + 1, np.maximum(new_hi, new_lo + 1)))


def search_kept(
    h: Kept, lo: IntArray, start: IntArray, step: FloatArray
) -> tuple[IntArray, FloatArray]:
    """Smallest integer N > lo with h(N) <= 0, element-wise, for h non-increasing in N,
    and the value ``h`` kept there (from the same evaluation, so nothing is recomputed).

    ``h(index, N)`` evaluates element ``index`` at ``N``; ``lo`` must fail (it is never
    evaluated); ``start`` is the first guess; ``step`` the first extrapolation limit.
    Each round evaluates the pair (m - 1, m) around the predicted answer m, so a good
    prediction ends the search in one round.
    """
    size = lo.size
    lo = lo.copy()
    top = np.iinfo(np.int64).max
    hi = np.full(size, top, dtype=np.int64)
    kept = np.full(size, np.nan)
    m = np.maximum(start, lo + 1)
    reach = np.maximum(step, 1.0)
    rounds = 0
    active = np.arange(size)
    while active.size:
        rounds += 1
        if rounds > SEARCH_MAX_ROUNDS:
            raise ArithmeticError(f"required-agent search did not converge for {active.size} rows")
        mm = m[active]
        low_pt = mm - 1
        has_low = low_pt > lo[active]
        idx = np.concatenate([active, active[has_low]])
        pts = np.concatenate([mm, low_pt[has_low]])
        vals, values_kept = h(idx, pts.astype(np.float64))
        h_m, kept_m = vals[: active.size], values_kept[: active.size]
        h_low = np.full(active.size, np.nan)
        kept_low = np.full(active.size, np.nan)
        h_low[has_low] = vals[active.size :]
        kept_low[has_low] = values_kept[active.size :]
        ok_m = h_m <= 0
        ok_low = has_low & (h_low <= 0)
        # bracket update
        new_hi = np.where(ok_low, low_pt, np.where(ok_m, mm, hi[active]))
        new_lo = np.where(ok_m, np.where(has_low & ~ok_low, low_pt, lo[active]), mm)
        kept[active] = np.where(ok_low, kept_low, np.where(ok_m, kept_m, kept[active]))
        hi[active], lo[active] = new_hi, new_lo
        done = new_hi - new_lo <= 1
        reach_a = reach[active]
        m[active] = _predict(mm, h_m, h_low, has_low, new_lo, new_hi, reach_a, rounds)
        reach[active] = reach_a * 2.0
        active = active[~done]
    return hi, kept


def search(
    h: Callable[[IntArray, FloatArray], FloatArray],
    lo: IntArray,
    start: IntArray,
    step: FloatArray,
) -> IntArray:
    """``search_kept`` for a condition with nothing to keep."""

    def both(i: IntArray, nn: FloatArray) -> tuple[FloatArray, FloatArray]:
        v = h(i, nn)
        return v, v

    return search_kept(both, lo, start, step)[0]


def _load_order(load: FloatArray, tier: IntArray, load_id: IntArray) -> IntArray:
    """Rows sorted by tier, then by load. The distinct loads (``load_id``) are sorted
    once; where every (tier, load) pair is one row, as in a table of intervals by tiers,
    the order follows from those ranks without sorting the rows."""
    size = load.size
    count = int(load_id.max()) + 1
    values = np.zeros(count)
    values[load_id] = load
    rank = np.empty(count, dtype=np.int64)
    rank[np.argsort(values)] = np.arange(count)
    key = tier * count + rank[load_id]
    if int(key.max()) < 4 * size:
        slot = np.full(int(key.max()) + 1, -1, dtype=np.int64)
        slot[key] = np.arange(size)
        order = slot[slot >= 0]
        if order.size == size:  # no two rows share a key
            return order
    return np.argsort(key, kind="stable")


def levels(
    load: FloatArray, tier: IntArray, load_id: IntArray
) -> list[tuple[IntArray, IntArray, IntArray]]:
    """Rows in the order they are answered: every STRIDES[0]-th load of each tier (in
    load order) and each tier's largest, then every STRIDES[1]-th, then the rest; each
    level's rows with the rows of earlier levels (same tier) next below and above them
    in load: [(rows, below, above)] (level 0 has no neighbours: its own rows)."""
    size = load.size
    order = _load_order(load, tier, load_id)
    ordered = tier[order]
    new_tier = np.append(True, ordered[1:] != ordered[:-1])
    pos = np.arange(size)
    rank = pos - np.maximum.accumulate(np.where(new_tier, pos, 0))
    known = (rank % STRIDES[0] == 0) | np.append(new_tier[1:], True)
    levels = [(order[known], order[known], order[known])]
    for stride in (*STRIDES[1:], 1):
        now = (rank % stride == 0) & ~known
        below = np.maximum.accumulate(np.where(known, pos, 0))
        above = np.minimum.accumulate(np.where(known, pos, size - 1)[::-1])[::-1]
        levels.append((order[now], order[below[now]], order[above[now]]))
        known |= now
    return levels
