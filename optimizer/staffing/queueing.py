"""Erlang B, C and A (M/M/N+M) for contact-centre staffing, vectorised with numpy.

Model assumptions
-----------------
* Contacts arrive as a Poisson process; the offered load is ``A = arrival rate x AHT``
  Erlangs. Handle times (talk + wrap) are exponential with mean ``AHT`` seconds.
* ``N`` identical agents serve one first-come-first-served queue with unlimited room.
* **Erlang C** (M/M/N): callers never hang up, so the queue is stable only when N > A.
* **Erlang A** (M/M/N+M, Palm's model): each waiting caller abandons after an
  exponential patience with mean ``patience`` seconds, i.e. at rate 1/patience; the queue
  is stable for any N, even N <= A.

Definitions (both models)
-------------------------
* **Service level** ``SL(T)``: the share of *offered* contacts answered within ``T``
  seconds. Erlang C: ``1 - C(N, A) exp(-(N - A) T / AHT)`` for N > A, else 0. Erlang A:
  contacts that abandon (before or after ``T``) count as failures.
* **P(wait)**: probability that an arriving contact finds every agent busy (Erlang C: C).
* **ASA**: mean time in queue over *all* offered contacts: answered contacts' wait until
  answer plus abandoning contacts' wait until they hang up (zero for those answered at
  once). Erlang C: ``C AHT / (N - A)``; Erlang A: ``P(abandon) x patience`` (exponential
  patience, Little's law). This is the definition that reproduces the published Erlang A
  example (7.49 s; the mean wait of answered contacts only would be 6.91 s).
* **Occupancy**: share of agent time spent serving, ``A (1 - P(abandon)) / N``, capped at
  1 for an unstable Erlang C queue; 0 when N = A = 0.

Numerical approach
------------------
Nothing here forms ``A**N / N!``. Erlang B is ``B = f(N; A) / Q(N + 1, A)`` with
``f(N; A) = A**N exp(-A) / N!`` in log space through Loader's saddle-point form (``bd0``
plus Stirling's error) and ``Q`` scipy's regularised upper incomplete gamma. Well below
the load (``A - N >= 3 sqrt(N)``, where ``Q`` underflows and scipy's continued fraction
loses digits) ``1 / B = int_0^inf exp(-u) (1 + u/A)**N du`` by 32-point Gauss-Laguerre.

Erlang A uses exact closed forms of its birth-death chain. With ``a = N patience / AHT``,
``x = A patience / AHT``, ``s0 = T / patience`` and ``phi(s) = -a s + x (1 - exp(-s))``,
the states >= N relative to state N carry

* ``J = a int_0^inf exp(phi) ds = P(a, x) / f(a; x) = 1F1(1; a + 1; x)``,
* ``Ab = a int_0^inf (1 - exp(-s)) exp(phi) ds`` (callers who abandon),
* ``Late = a int_s0^inf exp(phi - s) ds`` (callers answered after T),

so that ``P(wait) = 1 / (1 + (1 - B) / (B J))``, ``P(abandon) = P(wait) Ab / J`` and
``1 - SL = P(wait) (Ab + Late) / J``. ``Late`` follows from the Renyi representation of
the wait of a caller with j callers ahead as a sum of exponentials, ``exp(-wait /
patience) ~ Beta(a, j + 1)`` (cf. Garnett, Mandelbaum and Reiman 2002; Mandelbaum and
Zeltyn, "The M/M/n+G queue: summary of performance measures"). ``J(b, y)`` and
``Ab / J`` come from the power series when ``y <= 2``, from 32-point Gauss-Laguerre
quadrature in ``u = (b - y) s`` when ``b - y >= 3 sqrt(y)`` (there ``P(b, y)`` may
underflow and scipy's series would need more than its 2,000 terms), and otherwise from
scipy's ``gammainc`` (Temme's uniform expansion near ``y = b``), where
``Late / J = (a / x) P(a + 1, x exp(-s0)) / P(a, x)``. Every failure probability is a sum
of positive terms kept in logs and compared with ``1 - target`` in the complement, so a
service level near 1 loses no digits. Required agents agree with a 50-digit reference
from 0.001 to 10**6 Erlangs (see tests/test_queueing.py and benchmarks/queueing.py).

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
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from optimizer.conventions import RATIO_CEIL_TOLERANCE_REL
from optimizer.errors import NumericalWarning

__all__ = [
    "MAX_TESTED_LOAD",
    "SL_ONE_FLOOR",
    "QueueMetrics",
    "asa_c",
    "chat_agents",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "metrics",
    "required_agents",
    "service_level_c",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MAX_TESTED_LOAD: Final = 1.0e6
"""Loads above this many Erlangs leave the tested range (a NumericalWarning is emitted)."""

SL_ONE_FLOOR: Final = 2.0**-53
"""A target of exactly 1 is read as the largest double below 1 (``1 - 2**-53``): with any
positive load no finite staffing answers every contact within T."""

_LAGUERRE_T, _LAGUERRE_W = np.polynomial.laguerre.laggauss(32)
_SERIES_MAX_Y: Final = 2.0  # J(b, y) by its power series up to this y (30 terms suffice)
_SERIES_TERMS: Final = 30
_LAGUERRE_MIN_D: Final = 3.0  # quadrature once the gap reaches this many sqrt(y)
_STIRLING_MIN_N: Final = 15.0  # Stirling's error by its series from here on
_HALFIN_WHITT_ROUNDS: Final = 2  # Newton rounds for the square-root staffing guess
_WALK_STEPS: Final = 16  # Erlang C recursion steps before the general search takes over
_SEARCH_NEWTON_ROUNDS: Final = 6  # interpolation rounds before pure bisection
_SEARCH_MAX_ROUNDS: Final = 200  # a search that needs more has met non-monotone noise


# --------------------------------------------------------------------------------------
# Argument handling
# --------------------------------------------------------------------------------------


def _floats(value: ArrayLike) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


def _require(name: str, arr: FloatArray, ok: NDArray[np.bool_], expected: str) -> None:
    """Raise a ValueError naming the argument, the first bad value and its index."""
    if bool(np.all(ok)):
        return
    where = tuple(int(i) for i in np.argwhere(~ok)[0]) if arr.ndim else ()
    bad = float(arr[where]) if arr.ndim else float(arr)
    at = f" at index {where}" if arr.ndim else ""
    raise ValueError(f"{name} must be {expected}; got {bad!r}{at}")


def _check_load(load: FloatArray) -> None:
    _require("load", load, np.isfinite(load) & (load >= 0), "a finite number >= 0 (Erlangs)")
    if load.size and float(np.max(load)) > MAX_TESTED_LOAD:
        warnings.warn(
            f"load {float(np.max(load)):g} Erlangs exceeds the tested range "
            f"(<= {MAX_TESTED_LOAD:g}); results are computed but not verified there",
            NumericalWarning,
            stacklevel=3,
        )


def _check_n(n: FloatArray) -> None:
    _require("n", n, np.isfinite(n) & (n >= 0), "a finite number of agents >= 0")


def _check_aht(aht: FloatArray) -> None:
    _require("aht", aht, np.isfinite(aht) & (aht > 0), "a finite handle time > 0 (seconds)")


def _check_within(within: FloatArray) -> None:
    _require("within", within, np.isfinite(within) & (within >= 0), "a finite time >= 0 (s)")


def _check_patience(patience: FloatArray) -> None:
    _require("patience", patience, ~np.isnan(patience) & (patience > 0), "> 0 seconds or inf")


def _flat(shape: tuple[int, ...], *arrays: FloatArray) -> list[FloatArray]:
    return [np.broadcast_to(a, shape).astype(np.float64).ravel() for a in arrays]


def _frozen(arr: FloatArray, shape: tuple[int, ...]) -> FloatArray:
    out = arr.reshape(shape)
    out.flags.writeable = False
    return out


# --------------------------------------------------------------------------------------
# Special functions (1-D float arrays; callers guarantee the domains)
# --------------------------------------------------------------------------------------


_H_SERIES: Final = tuple((-1.0) ** k / math.factorial(k + 2) for k in range(11))


def _h(s: FloatArray) -> FloatArray:
    """``s - 1 + exp(-s)`` without cancellation (Taylor series below 0.1), for s >= 0."""
    out = np.empty_like(s)
    small = s < 0.1
    z = s[small]
    acc = np.full_like(z, _H_SERIES[-1])
    for coeff in reversed(_H_SERIES[:-1]):
        acc = acc * z + coeff
    out[small] = z * z * acc
    big = ~small
    out[big] = s[big] + np.expm1(-s[big])
    return out


def _log1pmx(v: FloatArray) -> FloatArray:
    """``log(1 + v) - v`` without cancellation (series below 0.1), for v >= 0."""
    small = v < 0.1
    z = np.where(small, v, 0.0)
    acc = np.zeros_like(z)
    power = z.copy()
    for k in range(2, 20):
        power = power * z
        acc += (-power / k) if k % 2 == 0 else (power / k)
    big = np.where(small, 1.0, v)
    return np.where(small, acc, np.log1p(big) - big)


def _bd0(n: FloatArray, x: FloatArray, diff: FloatArray) -> FloatArray:
    """Loader's ``n log(n/x) + x - n`` for n, x > 0, given ``diff = n - x`` accurately."""
    v = diff / (n + x)
    out = np.empty_like(n)
    close = np.abs(v) < 0.1
    if np.any(close):
        vc, dc = v[close], diff[close]
        ej = 2.0 * n[close] * vc
        v2 = vc * vc
        acc = dc * vc
        for j in range(1, 10):
            ej = ej * v2
            acc = acc + ej / (2 * j + 1)
        out[close] = acc
    far = ~close
    if np.any(far):
        out[far] = n[far] * np.log(n[far] / x[far]) - diff[far]
    return out


def _stirlerr(n: FloatArray) -> FloatArray:
    """``log(n!) - log(sqrt(2 pi n) (n/e)**n)`` for n >= _STIRLING_MIN_N (series)."""
    inv = 1.0 / n
    inv2 = inv * inv
    coeffs = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)
    acc = np.zeros_like(n)
    for c in reversed(coeffs):
        acc = acc * inv2 + c
    return acc * inv


def _log_pmf(n: FloatArray, x: FloatArray, diff: FloatArray) -> FloatArray:
    """``log(x**n exp(-x) / Gamma(n + 1))`` for real n >= 0, x > 0; ``diff = n - x``."""
    out = np.empty_like(n)
    big = n >= _STIRLING_MIN_N
    if np.any(big):
        nb = n[big]
        out[big] = -0.5 * np.log(2.0 * math.pi * nb) - _stirlerr(nb) - _bd0(nb, x[big], diff[big])
    small = ~big
    if np.any(small):
        ns, xs = n[small], x[small]
        out[small] = special.xlogy(ns, xs) - xs - special.gammaln(ns + 1.0)
    return out


def _laguerre(exponent: Callable[[FloatArray], FloatArray], scale: FloatArray) -> FloatArray:
    """``sum_k w_k exp(exponent(t_k / scale))`` over the Gauss-Laguerre nodes, per element."""
    s = _LAGUERRE_T[None, :] / scale[:, None]
    return np.asarray(np.exp(exponent(s)) @ _LAGUERRE_W, dtype=np.float64)


def _log_inv_erlang_b(n: FloatArray, load: FloatArray) -> FloatArray:
    """``log(1 / B(n, A))`` for real n >= 0 and A > 0 (no overflow, no underflow).

    ``1 / B = Q(n + 1, A) / f(n; A)`` near and above the load; well below it (where ``Q``
    underflows and scipy's continued fraction loses digits) Gauss-Laguerre quadrature of
    ``1 / B = A / (A - n) int_0^inf exp(-t + n log1pmx(t / (A - n))) dt``.
    """
    out = np.zeros_like(n)
    gap = load - n
    deep = (n > 0) & (gap >= _LAGUERRE_MIN_D * np.sqrt(np.maximum(n, 1.0)))
    near = (n > 0) & ~deep
    if np.any(near):
        nn, aa = n[near], load[near]
        out[near] = np.log(special.gammaincc(nn + 1.0, aa)) - _log_pmf(nn, aa, nn - aa)
    if np.any(deep):
        nd, gd = n[deep], gap[deep]
        total = _laguerre(lambda v: nd[:, None] * _log1pmx(v), gd)
        out[deep] = np.log(load[deep] / gd) + np.log(total)
    return out


@dataclass(frozen=True)
class _JParts:
    """``log J(b, y)``, ``log(Ab / J)`` and, where scipy's gammainc was used, ``P(b, y)``."""

    log_j: FloatArray
    log_ab_over_j: FloatArray
    gamma_p: FloatArray  # NaN outside the incomplete-gamma regime


def _j_parts(b: FloatArray, y: FloatArray, c: FloatArray, with_ab: bool) -> _JParts:
    """``J(b, y)`` and ``Ab(b, y) / J(b, y)`` for b > 0, y >= 0, given ``c = b - y``.

    ``J = sum_j y**j / ((b+1)...(b+j)) = 1F1(1; b+1; y)`` and
    ``Ab = sum_j (j+1) y**j / ((b+1)...(b+j+1))``.
    """
    log_j = np.empty_like(b)
    log_abj = np.full_like(b, np.nan)
    gamma_p = np.full_like(b, np.nan)
    series = y <= _SERIES_MAX_Y
    quad = ~series & (c >= _LAGUERRE_MIN_D * np.sqrt(np.where(series, 0.0, y)))
    gamma = ~series & ~quad

    if np.any(series):
        bs, ys = b[series], y[series]
        term = np.ones_like(bs)
        jsum = np.ones_like(bs)
        absum = 1.0 / (bs + 1.0)
        for j in range(1, _SERIES_TERMS):
            term = term * ys / (bs + j)
            jsum += term
            absum += (j + 1) * term / (bs + j + 1)
        log_j[series] = np.log(jsum)
        log_abj[series] = np.log(absum / jsum)

    if np.any(quad):
        bq, yq, cq = b[quad], y[quad], c[quad]
        s = _LAGUERRE_T[None, :] / cq[:, None]
        kernel = np.exp(-yq[:, None] * _h(s))
        jsum = kernel @ _LAGUERRE_W
        log_j[quad] = np.log(bq / cq) + np.log(jsum)
        if with_ab:
            log_abj[quad] = np.log(((-np.expm1(-s)) * kernel) @ _LAGUERRE_W / jsum)

    if np.any(gamma):
        bg, yg, cg = b[gamma], y[gamma], c[gamma]
        p = special.gammainc(bg, yg)
        gamma_p[gamma] = p
        lj = np.log(p) - _log_pmf(bg, yg, cg)
        log_j[gamma] = lj
        if with_ab:
            # Ab / J = (1 - b/y) + (b/y) / J: a sum of positive terms when y >= b
            ratio = bg / yg
            inv_j = np.exp(-lj)
            log_abj[gamma] = np.log(
                np.where(yg >= bg, (1.0 - ratio) + ratio * inv_j, ratio * inv_j - (ratio - 1.0))
            )
    return _JParts(log_j, log_abj, gamma_p)


def _log_one_minus_b(log_inv_b: FloatArray) -> FloatArray:
    """``log(1 - B)`` from ``L = log(1/B) >= 0``."""
    with np.errstate(divide="ignore"):
        small = np.log(np.expm1(np.minimum(log_inv_b, 30.0))) - log_inv_b
        large = np.log1p(-np.exp(-np.maximum(log_inv_b, 30.0)))
    return np.where(log_inv_b < 30.0, small, large)


@dataclass(frozen=True)
class _ALogs:
    """Logs of P(wait), P(abandon) and 1 - SL for the Erlang A model."""

    wait: FloatArray
    abandon: FloatArray
    fail: FloatArray


def _erlang_a_logs(
    n: FloatArray, load: FloatArray, aht: FloatArray, patience: FloatArray, within: FloatArray
) -> _ALogs:
    """Erlang A for 1-D arrays with n > 0, load > 0 and finite patience.

    Works with ratios to J so that no large logarithm is added and subtracted again:
    ``P(wait) = 1 / (1 + (1 - B) / (B J))``, ``P(abandon) = P(wait) Ab / J`` and
    ``1 - SL = P(wait) (Ab + Late) / J``.
    """
    ratio = patience / aht
    a = n * ratio
    x = load * ratio
    c = (n - load) * ratio
    s0 = within / patience
    em = np.expm1(-s0)
    u0 = x * (1.0 + em)
    log_inv_b = _log_inv_erlang_b(n, load)
    main = _j_parts(a, x, c, with_ab=True)
    late = _j_parts(a + 1.0, u0, c + 1.0 - x * em, with_ab=False)
    # Late / J = a/(a+1) exp(phi(s0) - s0) J(a+1, u0) / J(a, x), where
    # phi(s0) - s0 = -(N - A) T / AHT - s0 - x h(s0); with both J from gammainc this is
    # (a / x) P(a+1, u0) / P(a, x).
    both = ~np.isnan(main.gamma_p) & ~np.isnan(late.gamma_p)
    with np.errstate(all="ignore"):  # only used where both are finite and positive
        via_p = np.log(a / x) + np.log(late.gamma_p) - np.log(main.gamma_p)
    via_exp = (
        np.log(a / (a + 1.0))
        - (n - load) * within / aht
        - s0
        - x * _h(s0)
        + late.log_j
        - main.log_j
    )
    log_late_j = np.where(both, via_p, via_exp)
    log_bj = main.log_j - log_inv_b
    log_wait = -np.logaddexp(0.0, _log_one_minus_b(log_inv_b) - log_bj)
    # (Ab + Late) / J <= 1 exactly; clip the rounding so that probabilities stay in [0, 1]
    log_ab_j = np.minimum(main.log_ab_over_j, 0.0)
    log_fail_j = np.minimum(np.logaddexp(log_ab_j, log_late_j), 0.0)
    return _ALogs(log_wait, log_wait + log_ab_j, log_wait + log_fail_j)


def _erlang_c_log_p_wait(n: FloatArray, load: FloatArray) -> FloatArray:
    """``log C(n, A)`` for 1-D arrays with n > A > 0."""
    log_inv_b = _log_inv_erlang_b(n, load)
    b = np.exp(-log_inv_b)
    return np.log(n) - log_inv_b - np.log((n - load) + load * b)


# --------------------------------------------------------------------------------------
# Public formulas
# --------------------------------------------------------------------------------------


def erlang_b(n: ArrayLike, load: ArrayLike) -> FloatArray:
    """Erlang B blocking probability of ``n`` servers offered ``load`` Erlangs.

    Non-integer ``n`` gives the usual continuous extension (incomplete gamma function).

    >>> round(float(erlang_b(2, 1.0)), 6)  # (1/2) / (1 + 1 + 1/2)
    0.2
    >>> float(erlang_b(1550, 1500.0)) > 0  # the naive A**N / N! overflows here
    True
    """
    nn, aa = _floats(n), _floats(load)
    _check_n(nn)
    _check_load(aa)
    shape = np.broadcast_shapes(nn.shape, aa.shape)
    nf, af = _flat(shape, nn, aa)
    out = np.where(nf == 0, 1.0, 0.0)
    live = (af > 0) & (nf > 0)
    out[live] = np.exp(-_log_inv_erlang_b(nf[live], af[live]))
    return _frozen(out, shape)


def erlang_c(n: ArrayLike, load: ArrayLike) -> FloatArray:
    """Probability that a contact waits, P(wait) = C(n, A); 1 where n <= A (unstable).

    >>> round(float(erlang_c(14, 10.0)), 6)
    0.174132
    >>> float(erlang_c(10, 10.0))
    1.0
    """
    nn, aa = _floats(n), _floats(load)
    _check_n(nn)
    _check_load(aa)
    shape = np.broadcast_shapes(nn.shape, aa.shape)
    nf, af = _flat(shape, nn, aa)
    out = np.where(af > 0, 1.0, 0.0)
    live = (af > 0) & (nf > af)
    out[live] = np.exp(_erlang_c_log_p_wait(nf[live], af[live]))
    return _frozen(out, shape)


def service_level_c(n: ArrayLike, load: ArrayLike, aht: ArrayLike, within: ArrayLike) -> FloatArray:
    """Erlang C service level ``1 - C exp(-(N - A) T / AHT)`` for N > A, else 0 (1 if A = 0).

    >>> round(float(service_level_c(14, 10.0, 180.0, 20.0)), 6)
    0.88835
    """
    return erlang_c_metrics(n, load, aht, within).service_level


def asa_c(n: ArrayLike, load: ArrayLike, aht: ArrayLike) -> FloatArray:
    """Erlang C average speed of answer ``C AHT / (N - A)`` seconds; inf where N <= A.

    >>> round(float(asa_c(14, 10.0, 180.0)), 3)
    7.836
    """
    return erlang_c_metrics(n, load, aht, 0.0).asa


@dataclass(frozen=True)
class QueueMetrics:
    """Performance of a staffing level; every field is a read-only array of one shape.

    ``service_level``: share of offered contacts answered within T; ``p_wait``: share that
    find every agent busy; ``asa``: mean wait over all offered contacts (seconds);
    ``occupancy``: share of agent time busy; ``p_abandon``: share that hang up (0 in
    Erlang C).
    """

    service_level: FloatArray
    p_wait: FloatArray
    asa: FloatArray
    occupancy: FloatArray
    p_abandon: FloatArray


def _metrics_c_flat(
    n: FloatArray, load: FloatArray, aht: FloatArray, within: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """SL, P(wait), ASA and occupancy of Erlang C on 1-D arrays."""
    size = n.size
    sl = np.where(load > 0, 0.0, 1.0)
    pw = np.where(load > 0, 1.0, 0.0)
    asa = np.where(load > 0, np.inf, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(load > 0, np.minimum(load / n, 1.0), 0.0)
    live = (load > 0) & (n > load)
    if np.any(live):
        nl, al = n[live], load[live]
        log_c = _erlang_c_log_p_wait(nl, al)
        decay = (nl - al) * within[live] / aht[live]
        sl[live] = 0.0 - np.expm1(np.minimum(log_c - decay, 0.0))
        pw[live] = np.exp(log_c)
        asa[live] = pw[live] * aht[live] / (nl - al)
    assert sl.size == size
    return sl, pw, asa, occ


def erlang_c_metrics(
    n: ArrayLike, load: ArrayLike, aht: ArrayLike, within: ArrayLike
) -> QueueMetrics:
    """Erlang C service level, P(wait), ASA and occupancy (P(abandon) = 0); broadcasts.

    >>> m = erlang_c_metrics([13, 14], 10.0, 180.0, 20.0)
    >>> [round(float(v), 4) for v in m.service_level]
    [0.7956, 0.8884]
    """
    arrays = [_floats(v) for v in (n, load, aht, within)]
    _check_n(arrays[0])
    _check_load(arrays[1])
    _check_aht(arrays[2])
    _check_within(arrays[3])
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    nf, af, hf, tf = _flat(shape, *arrays)
    sl, pw, asa, occ = _metrics_c_flat(nf, af, hf, tf)
    zero = np.zeros_like(sl)
    return QueueMetrics(*(_frozen(v, shape) for v in (sl, pw, asa, occ, zero)))


def _metrics_a_flat(
    n: FloatArray, load: FloatArray, aht: FloatArray, patience: FloatArray, within: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """SL, P(wait), ASA, occupancy and P(abandon) of Erlang A (inf patience -> C)."""
    sl = np.ones_like(n)
    pw = np.zeros_like(n)
    asa = np.zeros_like(n)
    occ = np.zeros_like(n)
    pab = np.zeros_like(n)
    erlang_c_part = np.isinf(patience)
    if np.any(erlang_c_part):
        i = erlang_c_part
        sl[i], pw[i], asa[i], occ[i] = _metrics_c_flat(n[i], load[i], aht[i], within[i])
    nobody = ~erlang_c_part & (load > 0) & (n == 0)
    sl[nobody], pw[nobody], pab[nobody] = 0.0, 1.0, 1.0
    asa[nobody] = patience[nobody]
    live = ~erlang_c_part & (load > 0) & (n > 0)
    if np.any(live):
        logs = _erlang_a_logs(n[live], load[live], aht[live], patience[live], within[live])
        pab[live] = np.exp(logs.abandon)
        pw[live] = np.exp(logs.wait)
        sl[live] = 0.0 - np.expm1(logs.fail)
        asa[live] = pab[live] * patience[live]
        occ[live] = np.minimum(load[live] * (1.0 - pab[live]) / n[live], 1.0)
    return sl, pw, asa, occ, pab


def erlang_a_metrics(
    n: ArrayLike, load: ArrayLike, aht: ArrayLike, patience: ArrayLike, within: ArrayLike
) -> QueueMetrics:
    """Erlang A (M/M/N+M) metrics; abandoned contacts count as service-level failures.

    ``patience`` is the mean patience in seconds (inf gives Erlang C). Reference case E2:

    >>> m = erlang_a_metrics(13, 10.0, 180.0, 300.0, 20.0)
    >>> [round(float(v), 4) for v in (m.service_level, m.p_abandon, m.p_wait)]
    [0.8582, 0.025, 0.2258]
    >>> round(float(m.asa), 2)
    7.49
    """
    arrays = [_floats(v) for v in (n, load, aht, patience, within)]
    _check_n(arrays[0])
    _check_load(arrays[1])
    _check_aht(arrays[2])
    _check_patience(arrays[3])
    _check_within(arrays[4])
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    nf, af, hf, pf, tf = _flat(shape, *arrays)
    sl, pw, asa, occ, pab = _metrics_a_flat(nf, af, hf, pf, tf)
    return QueueMetrics(*(_frozen(v, shape) for v in (sl, pw, asa, occ, pab)))


def metrics(
    n: ArrayLike,
    load: ArrayLike,
    aht: ArrayLike,
    within: ArrayLike,
    patience: ArrayLike | None = None,
) -> QueueMetrics:
    """Erlang C metrics, or Erlang A where a (finite) ``patience`` is given."""
    if patience is None:
        return erlang_c_metrics(n, load, aht, within)
    return erlang_a_metrics(n, load, aht, patience, within)


# --------------------------------------------------------------------------------------
# Required agents
# --------------------------------------------------------------------------------------


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
    s, c = _floats(slots), _floats(concurrency)
    _require("slots", s, np.isfinite(s) & (s >= 0), "a finite number >= 0")
    _require("concurrency", c, np.isfinite(c) & (c > 0), "a finite number > 0")
    shape = np.broadcast_shapes(s.shape, c.shape)
    sf, cf = _flat(shape, s, c)
    return _ceil_ratio(sf, cf).reshape(shape)


def _halfin_whitt_n(
    load: FloatArray, aht: FloatArray, within: FloatArray, thr: FloatArray
) -> FloatArray:
    """Square-root staffing estimate: ``A + beta sqrt(A)`` with the Halfin-Whitt C."""
    kappa = np.sqrt(load) * within / aht
    log_thr = np.log(thr)
    beta = np.sqrt(np.maximum(-2.0 * log_thr, 0.0)) / 2.0
    for _ in range(_HALFIN_WHITT_ROUNDS):
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


def _required_c(
    load: FloatArray, aht: FloatArray, thr: FloatArray, within: FloatArray, floor_n: IntArray
) -> IntArray:
    """Smallest N >= floor_n (all > A > 0) with the Erlang C failure <= thr."""
    guess = np.floor(_halfin_whitt_n(load, aht, within, thr)).astype(np.int64) + 1
    n = np.maximum(guess, floor_n)
    b = np.exp(-_log_inv_erlang_b(n.astype(np.float64), load))

    def fail(nn: IntArray, bb: FloatArray, i: IntArray) -> FloatArray:
        nf = nn.astype(np.float64)
        gap = nf - load[i]
        c = nf * bb / (gap + load[i] * bb)
        return np.asarray(c * np.exp(-gap * within[i] / aht[i]), dtype=np.float64)

    idx = np.arange(load.size)
    ok = fail(n, b, idx) <= thr
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
        prev_ok = fail(cur_n - 1, prev_b, act) <= thr[act]
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
        now_ok = fail(cur_n, cur_b, act) <= thr[act]
        answer[act[now_ok]] = cur_n[now_ok]
        act, cur_n, cur_b = act[~now_ok], cur_n[~now_ok], cur_b[~now_ok]
    unresolved[act] = True
    if np.any(unresolved):
        u = np.flatnonzero(unresolved)

        def h(i: IntArray, nn: FloatArray) -> FloatArray:
            j = u[i]
            log_c = _erlang_c_log_p_wait(nn, load[j])
            return np.asarray(
                log_c - (nn - load[j]) * within[j] / aht[j] - np.log(thr[j]), dtype=np.float64
            )

        answer[u] = _search(h, floor_n[u] - 1, guess[u], np.sqrt(load[u]) + 4.0)
    return answer


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
            logs = _erlang_a_logs(nn, load[j], aht[j], patience[j], within[j])
            return np.asarray((logs.abandon if use_abandon else logs.fail) - limit[i])

        return h

    def busy_excess(rows: IntArray) -> Excess:
        limit = np.log(max_occupancy[rows] * (1.0 + RATIO_CEIL_TOLERANCE_REL))

        def h(i: IntArray, nn: FloatArray) -> FloatArray:
            j = rows[i]
            logs = _erlang_a_logs(nn, load[j], aht[j], patience[j], within[j])
            served = np.log(load[j]) + np.log1p(-np.exp(logs.abandon)) - np.log(nn)
            return np.asarray(served - limit[i])

        return h

    def raise_to(rows: IntArray, h_of: Callable[[IntArray], Excess], answer: IntArray) -> None:
        over = h_of(rows)(np.arange(rows.size), answer[rows].astype(np.float64)) > 0
        rows = rows[over]
        if rows.size:
            answer[rows] = _search(
                h_of(rows), answer[rows], answer[rows] + 1, np.sqrt(load[rows]) + 4.0
            )

    everyone = np.arange(load.size)
    # SL <= P(answered) < N / A, so every N < target * A fails
    sl_lo = np.ceil(target * load * (1.0 - RATIO_CEIL_TOLERANCE_REL)).astype(np.int64) - 1
    lo = np.maximum(sl_lo, 0)
    guess = np.floor(_halfin_whitt_n(load, aht, within, thr)).astype(np.int64) + 1
    answer = _search(excess(everyone, False), lo, guess, np.sqrt(load) + 4.0)
    raise_to(np.flatnonzero(cap < 1.0), lambda rows: excess(rows, True), answer)
    raise_to(np.flatnonzero(max_occupancy < 1.0), busy_excess, answer)
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
        "load": _floats(load),
        "aht": _floats(aht),
        "target_sl": _floats(target_sl),
        "within": _floats(within),
        "max_occupancy": _floats(max_occupancy),
        "patience": _floats(np.inf if patience is None else patience),
        "max_abandon": _floats(1.0 if max_abandon is None else max_abandon),
    }
    _check_load(args["load"])
    _check_aht(args["aht"])
    t = args["target_sl"]
    _require("target_sl", t, (t > 0) & (t <= 1), "in (0, 1]")
    _check_within(args["within"])
    o = args["max_occupancy"]
    _require("max_occupancy", o, (o > 0) & (o <= 1), "in (0, 1]")
    _check_patience(args["patience"])
    c = args["max_abandon"]
    _require("max_abandon", c, (c > 0) & (c <= 1), "in (0, 1]")
    shape = np.broadcast_shapes(*(v.shape for v in args.values()))
    load_f, aht_f, tgt_f, within_f, occ_f, pat_f, cap_f = _flat(shape, *args.values())

    answer = np.zeros(load_f.size, dtype=np.int64)
    busy = load_f > 0
    thr = np.maximum(1.0 - tgt_f, SL_ONE_FLOOR)
    n_occ = _ceil_ratio(load_f, occ_f)
    c_rows = np.flatnonzero(busy & np.isinf(pat_f))
    if c_rows.size:
        i = c_rows
        floor_n = np.maximum(n_occ[i], np.floor(load_f[i]).astype(np.int64) + 1)
        answer[i] = _required_c(load_f[i], aht_f[i], thr[i], within_f[i], floor_n)
    a_rows = np.flatnonzero(busy & np.isfinite(pat_f))
    if a_rows.size:
        i = a_rows
        answer[i] = _required_a(
            load_f[i], aht_f[i], tgt_f[i], thr[i], within_f[i], pat_f[i], occ_f[i], cap_f[i]
        )
    return answer.reshape(shape)
