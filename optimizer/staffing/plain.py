"""One interval in plain Python: the Erlang calculator's path without numpy or scipy.

Why it exists: ``tierprice staff`` sizes one interval, and importing numpy and
scipy.special to do it cost more than everything else the command does (scipy 1.17's
``scipy.special`` clones the numpy namespace, which pulls in ``numpy.f2py``,
``numpy.testing``, ``numpy.ma`` and ``numpy.random``): 0.56 s of wall time against
0.04 s for ``python -c pass`` at load 1 on 2 cores. With this path the command takes 3.1
times ``python -c pass`` against 14 times on the numpy engine, measured in the same run
(benchmarks/startup.py; 0.24 s against 0.08 s at load 4.5), so about 0.13 s on a quiet
machine; click is most of what is left. The vectorised engine (``agent_search``,
``erlang_a``, ``numerics``) stays the one the pipeline uses; this module re-derives the
same quantities for a single interval with ``math`` only:

* Erlang B by the recursion ``1/B(k) = 1 + (k/A) / B(k-1)`` from ``1/B(0) = 1`` (a sum
  of positive terms, so stable; kept per load, so a search pays each step once), so no
  incomplete gamma function is needed; the Erlang C walk then steps with
  ``B(k+1) = A B(k) / (k + 1 + A B(k))`` as the engine's does;
* ``J(b, y) = 1F1(1; b + 1; y)`` and ``Ab / J`` of Erlang A by their power series (all
  terms positive, rescaled so that nothing overflows, summed until the geometric tail
  bound is below 1e-17 of the sum);
* the same staffing rules as ``agent_search.required_agents`` (exact comparison in the
  complement, the SL_ONE_FLOOR reading of a target of 1, the occupancy slack, the
  abandonment and served-occupancy caps raised in that order), found by a walk (Erlang
  C, with the recursion) or a gallop and bisection (Erlang A).

Both paths compute the same quantities to within rounding, far below the 6 decimals the
calculator reports: on 8,600 random intervals (loads 0.001-5,000 Erlangs, both models,
every cap) they gave identical dictionaries; tests/test_queueing.py checks that on 306
intervals of its own and this path's agents against the 50-digit reference;
benchmarks/queueing.py compares its agents with the engine's. The series grow with the
load, so loads above ``PLAIN_MAX_LOAD`` (and Erlang A chains above ``PLAIN_MAX_X``) and
any argument outside the documented ranges go to the vectorised engine, which also owns
the error messages and the out-of-range warning.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from optimizer.conventions import RATIO_CEIL_TOLERANCE_REL

PLAIN_MAX_LOAD: Final = 5_000.0
"""Erlangs up to which the plain path is used (the recursion costs one step per agent)."""
PLAIN_MAX_X: Final = 20_000.0
"""Largest ``A patience / AHT`` for the Erlang A series (about that many terms)."""
SL_ONE_FLOOR: Final = 2.0**-53  # as agent_search.SL_ONE_FLOOR (a test holds them equal)
_RESCALE: Final = 1e250
_TAIL: Final = 1e-17
_H_SERIES: Final = tuple((-1.0) ** k / math.factorial(k + 2) for k in range(11))

Metrics = tuple[float, float, float, float, float]
"""Service level, P(wait), ASA, occupancy and P(abandon)."""
Caps = tuple[float, float]
"""The occupancy cap and the abandonment cap (1 for none)."""


def ceil_ratio(num: float, den: float) -> int:
    """``ceil(num / den)`` with RATIO_CEIL_TOLERANCE_REL slack (as ``agent_search``)."""
    q = num / den
    return math.ceil(q - abs(q) * RATIO_CEIL_TOLERANCE_REL)


class InvErlangB:
    """``log(1 / B(n, A))`` for load > 0 by the recursion ``1/B(k) = 1 + (k/A) / B(k-1)``
    (positive terms only, so it is stable; rescaled so that n far above the load cannot
    overflow). Each step is computed once per load and kept: a search asks for many n."""

    def __init__(self, load: float) -> None:
        self.load = load
        self.inv = [1.0]  # 1 / B(k), divided by exp(offset[k])
        self.unit = [1.0]  # exp(-offset[k])
        self.offset = [0.0]

    def __call__(self, n: int) -> float:
        inv, unit, offset = self.inv, self.unit, self.offset
        for k in range(len(inv), n + 1):
            value, u, off = unit[-1] + k / self.load * inv[-1], unit[-1], offset[-1]
            if value > _RESCALE:
                value, u, off = value / _RESCALE, u / _RESCALE, off + math.log(_RESCALE)
            inv.append(value)
            unit.append(u)
            offset.append(off)
        return offset[n] + math.log(inv[n])


def _c_fail(n: int, b: float, load: float, aht: float, within: float) -> float:
    """1 - SL of Erlang C for n > A, from B(n) (the expression of ``_required_c``)."""
    gap = n - load
    return n * b / (gap + load * b) * math.exp(-gap * within / aht)


def required_c(load: float, aht: float, thr: float, within: float, max_occ: float) -> int:
    """Smallest N > A with N >= the occupancy floor and Erlang C failure <= thr."""
    n = max(ceil_ratio(load, max_occ), math.floor(load) + 1)
    b = math.exp(-InvErlangB(load)(n))
    while _c_fail(n, b, load, aht, within) > thr:
        b = load * b / (n + 1 + load * b)
        n += 1
    return n


def metrics_c(n: int, load: float, aht: float, within: float) -> Metrics:
    """Erlang C metrics at the n > A that ``required_c`` returns (all zero load: 0)."""
    if load == 0:
        return (1.0, 0.0, 0.0, 0.0, 0.0)
    log_inv_b = InvErlangB(load)(n)
    log_c = math.log(n) - log_inv_b - math.log((n - load) + load * math.exp(-log_inv_b))
    sl = 0.0 - math.expm1(min(log_c - (n - load) * within / aht, 0.0))
    p_wait = math.exp(log_c)
    return (sl, p_wait, p_wait * aht / (n - load), min(load / n, 1.0), 0.0)


def _h_of_s(s: float) -> float:
    """``s - 1 + exp(-s)`` without cancellation (as ``numerics.h_of_s``)."""
    if s >= 0.1:
        return s + math.expm1(-s)
    acc = _H_SERIES[-1]
    for coeff in reversed(_H_SERIES[:-1]):
        acc = acc * s + coeff
    return s * s * acc


def _j_series(b: float, y: float) -> tuple[float, float]:
    """``log J(b, y)`` and ``log(Ab / J)`` by the power series (b > 0, y >= 0)."""
    term, jsum, absum, offset, j = 1.0, 1.0, 1.0 / (b + 1.0), 0.0, 0
    while True:
        j += 1
        term = term * y / (b + j)
        jsum += term
        absum += (j + 1) * term / (b + j + 1)
        if jsum > _RESCALE:
            term, jsum, absum = term / _RESCALE, jsum / _RESCALE, absum / _RESCALE
            offset += math.log(_RESCALE)
        r = y / (b + j + 1)
        if r < 1.0 and term * r / (1.0 - r) < _TAIL * absum:
            return offset + math.log(jsum), math.log(absum / jsum)


def _logaddexp(u: float, v: float) -> float:
    big = max(u, v)
    return big + math.log1p(math.exp(min(u, v) - big))


def a_logs(
    n: int, load: float, aht: float, patience: float, within: float, inv_b: InvErlangB
) -> tuple[float, float, float]:
    """Logs of P(wait), P(abandon) and 1 - SL of Erlang A, for n >= 1 and load > 0
    (``inv_b``: the Erlang B table of this load)."""
    ratio = patience / aht
    a, x = n * ratio, load * ratio
    s0 = within / patience
    u0 = x * (1.0 + math.expm1(-s0))
    log_inv_b = inv_b(n)
    log_j, log_abj = _j_series(a, x)
    log_late_j = (
        math.log(a / (a + 1.0))
        - (n - load) * within / aht
        - s0
        - x * _h_of_s(s0)
        + _j_series(a + 1.0, u0)[0]
        - log_j
    )
    log_wait = -_logaddexp(0.0, math.log1p(-math.exp(-log_inv_b)) - (log_j - log_inv_b))
    log_ab_j = min(log_abj, 0.0)
    log_fail_j = min(_logaddexp(log_ab_j, log_late_j), 0.0)
    return log_wait, log_wait + log_ab_j, log_wait + log_fail_j


def _smallest(ok: Callable[[int], bool], lo: int, start: int) -> int:
    """Smallest N > lo with ``ok(N)``, for ``ok`` monotone in N (lo fails and is never
    evaluated): a gallop from ``start`` to a bracket, then bisection."""
    start = max(start, lo + 1)
    if ok(start):
        good, step = start, 1
        bad = good - step
        while bad > lo and ok(bad):
            good, step = bad, step * 2
            bad = good - step
        bad = max(bad, lo)
    else:
        bad, step = start, 1
        good = bad + step
        while not ok(good):
            bad, step = good, step * 2
            good = bad + step
    while good - bad > 1:
        mid = (bad + good) // 2
        if ok(mid):
            good = mid
        else:
            bad = mid
    return good


def required_a(
    load: float, aht: float, target: float, within: float, patience: float, caps: Caps
) -> int:
    """Smallest N meeting the Erlang A tier, then the abandonment cap, then the
    served-occupancy cap (the order and expressions of ``agent_search._required_a``)."""
    max_occ, cap = caps
    thr = max(1.0 - target, SL_ONE_FLOOR)
    inv_b = InvErlangB(load)

    def logs(n: int) -> tuple[float, float, float]:
        return a_logs(n, load, aht, patience, within, inv_b)

    def served_ok(n: int) -> bool:
        served = math.log(load) + math.log1p(-math.exp(logs(n)[1])) - math.log(n)
        return served - math.log(max_occ * (1.0 + RATIO_CEIL_TOLERANCE_REL)) <= 0

    lo = max(math.ceil(target * load * (1.0 - RATIO_CEIL_TOLERANCE_REL)) - 1, 0)
    n = _smallest(lambda k: logs(k)[2] - math.log(thr) <= 0, lo, math.ceil(load))
    if cap < 1.0 and logs(n)[1] - math.log(cap) > 0:
        n = _smallest(lambda k: logs(k)[1] - math.log(cap) <= 0, n, n + 1)
    if max_occ < 1.0 and not served_ok(n):
        n = _smallest(served_ok, n, n + 1)
    return n


def metrics_a(n: int, load: float, aht: float, within: float, patience: float) -> Metrics:
    """Erlang A metrics at n agents (as ``queueing._metrics_a_flat``)."""
    if load == 0:
        return (1.0, 0.0, 0.0, 0.0, 0.0)
    if n == 0:
        return (0.0, 1.0, patience, 0.0, 1.0)
    log_wait, log_abandon, log_fail = a_logs(n, load, aht, patience, within, InvErlangB(load))
    p_abandon = math.exp(log_abandon)
    occupancy = min(load * (1.0 - p_abandon) / n, 1.0)
    sl = 0.0 - math.expm1(log_fail)
    return (sl, math.exp(log_wait), p_abandon * patience, occupancy, p_abandon)
