"""Shared numerics of the Erlang formulas: argument checks, log-space special functions,
Erlang B and the Erlang C wait probability, on 1-D float arrays.

Package-internal (the public formulas are in ``optimizer.staffing.queueing``); callers
guarantee the domains stated in each docstring.

Numerical approach
------------------
Nothing here forms ``A**N / N!``. Erlang B is ``B = f(N; A) / Q(N + 1, A)`` with
``f(N; A) = A**N exp(-A) / N!`` in log space through Loader's saddle-point form (``bd0``
plus Stirling's error) and ``Q`` scipy's regularised upper incomplete gamma. Well below
the load (``A - N >= 3 sqrt(N)``, where ``Q`` underflows and scipy's continued fraction
loses digits) ``1 / B = int_0^inf exp(-u) (1 + u/A)**N du`` by 32-point Gauss-Laguerre.
Every failure probability is a sum of positive terms kept in logs and compared with
``1 - target`` in the complement, so a service level near 1 loses no digits.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from optimizer.errors import NumericalWarning

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

MAX_TESTED_LOAD: Final = 1.0e6
"""Loads above this many Erlangs leave the tested range (a NumericalWarning is emitted)."""

LAGUERRE_T, LAGUERRE_W = np.polynomial.laguerre.laggauss(32)
LAGUERRE_MIN_D: Final = 3.0  # quadrature once the gap reaches this many sqrt(y)
_STIRLING_MIN_N: Final = 15.0  # Stirling's error by its series from here on


# --------------------------------------------------------------------------------------
# Argument handling
# --------------------------------------------------------------------------------------


def floats(value: ArrayLike) -> FloatArray:
    return np.asarray(value, dtype=np.float64)


def require(name: str, arr: FloatArray, ok: NDArray[np.bool_], expected: str) -> None:
    """Raise a ValueError naming the argument, the first bad value and its index."""
    if bool(np.all(ok)):
        return
    where = tuple(int(i) for i in np.argwhere(~ok)[0]) if arr.ndim else ()
    bad = float(arr[where]) if arr.ndim else float(arr)
    at = f" at index {where}" if arr.ndim else ""
    raise ValueError(f"{name} must be {expected}; got {bad!r}{at}")


def check_load(load: FloatArray) -> None:
    require("load", load, np.isfinite(load) & (load >= 0), "a finite number >= 0 (Erlangs)")
    if load.size and float(np.max(load)) > MAX_TESTED_LOAD:
        warnings.warn(
            f"load {float(np.max(load)):g} Erlangs exceeds the tested range "
            f"(<= {MAX_TESTED_LOAD:g}); results are computed but not verified there",
            NumericalWarning,
            stacklevel=3,
        )


def check_n(n: FloatArray) -> None:
    require("n", n, np.isfinite(n) & (n >= 0), "a finite number of agents >= 0")


def check_aht(aht: FloatArray) -> None:
    require("aht", aht, np.isfinite(aht) & (aht > 0), "a finite handle time > 0 (seconds)")


def check_within(within: FloatArray) -> None:
    require("within", within, np.isfinite(within) & (within >= 0), "a finite time >= 0 (s)")


def check_patience(patience: FloatArray) -> None:
    require("patience", patience, ~np.isnan(patience) & (patience > 0), "> 0 seconds or inf")


def flat(shape: tuple[int, ...], *arrays: FloatArray) -> list[FloatArray]:
    return [np.broadcast_to(a, shape).astype(np.float64).ravel() for a in arrays]


def frozen(arr: FloatArray, shape: tuple[int, ...]) -> FloatArray:
    out = arr.reshape(shape)
    out.flags.writeable = False
    return out


# --------------------------------------------------------------------------------------
# Special functions (1-D float arrays; callers guarantee the domains)
# --------------------------------------------------------------------------------------


_H_SERIES: Final = tuple((-1.0) ** k / math.factorial(k + 2) for k in range(11))


def h_of_s(s: FloatArray) -> FloatArray:
    """``s - 1 + exp(-s)`` without cancellation (Taylor series below 0.1), for s >= 0."""
    return h_and_expm1(s)[0]


def h_and_expm1(s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``h_of_s(s)`` and ``expm1(-s)``, which it is made of above 0.1 (computed once on
    the whole array, then the series overwrites the small elements: no gather of the
    large ones, and callers that need ``1 - exp(-s)`` too reuse it)."""
    em = np.expm1(-s)
    out = s + em
    small = s < 0.1
    if np.any(small):
        z = s[small]
        acc = np.full_like(z, _H_SERIES[-1])
        for coeff in reversed(_H_SERIES[:-1]):
            acc = acc * z + coeff
        out[small] = z * z * acc
    return out, em


def _log1pmx(v: FloatArray) -> FloatArray:
    """``log(1 + v) - v`` without cancellation (series below 0.1), for v >= 0."""
    # each branch only on its own elements (the 18-term series on all of a 32-node
    # quadrature grid cost Erlang A 1/6 of its time); values are the same element-wise
    small = v < 0.1
    out = np.empty_like(v)
    z = v[small]
    acc = np.zeros_like(z)
    power = z.copy()
    for k in range(2, 20):
        power = power * z
        acc += (-power / k) if k % 2 == 0 else (power / k)
    out[small] = acc
    big = v[~small]
    out[~small] = np.log1p(big) - big
    return out


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


def log_pmf(n: FloatArray, x: FloatArray, diff: FloatArray) -> FloatArray:
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
    s = LAGUERRE_T[None, :] / scale[:, None]
    return np.asarray(np.exp(exponent(s)) @ LAGUERRE_W, dtype=np.float64)


def log_inv_erlang_b(n: FloatArray, load: FloatArray) -> FloatArray:
    """``log(1 / B(n, A))`` for real n >= 0 and A > 0 (no overflow, no underflow).

    ``1 / B = Q(n + 1, A) / f(n; A)`` near and above the load; well below it (where ``Q``
    underflows and scipy's continued fraction loses digits) Gauss-Laguerre quadrature of
    ``1 / B = A / (A - n) int_0^inf exp(-t + n log1pmx(t / (A - n))) dt``.
    """
    out = np.zeros_like(n)
    gap = load - n
    deep = (n > 0) & (gap >= LAGUERRE_MIN_D * np.sqrt(np.maximum(n, 1.0)))
    near = (n > 0) & ~deep
    if np.any(near):
        nn, aa = n[near], load[near]
        out[near] = np.log(special.gammaincc(nn + 1.0, aa)) - log_pmf(nn, aa, nn - aa)
    if np.any(deep):
        nd, gd = n[deep], gap[deep]
        total = _laguerre(lambda v: nd[:, None] * _log1pmx(v), gd)
        out[deep] = np.log(load[deep] / gd) + np.log(total)
    return out


def log_one_minus_b(log_inv_b: FloatArray) -> FloatArray:
    """``log(1 - B)`` from ``L = log(1/B) >= 0``."""
    with np.errstate(divide="ignore"):
        small = np.log(np.expm1(np.minimum(log_inv_b, 30.0))) - log_inv_b
        large = np.log1p(-np.exp(-np.maximum(log_inv_b, 30.0)))
    return np.where(log_inv_b < 30.0, small, large)


def erlang_c_log_p_wait(n: FloatArray, load: FloatArray) -> FloatArray:
    """``log C(n, A)`` for 1-D arrays with n > A > 0."""
    log_inv_b = log_inv_erlang_b(n, load)
    b = np.exp(-log_inv_b)
    return np.log(n) - log_inv_b - np.log((n - load) + load * b)


def distinct_log_inv_b(n: IntArray, load: FloatArray, load_id: IntArray) -> FloatArray:
    """``log_inv_erlang_b(n, load)`` evaluated once per distinct (load, n) pair.

    The tiers of one interval share its load, and where the occupancy cap binds they
    share N too: in benchmarks/queueing.py 40,000 interval-tiers hold 15,312 distinct
    pairs, and the Erlang B step takes 10.8 ms of CPU instead of 24.0 ms (0.7 ms of it
    sorting); Erlang C as a whole 1.38x less. ``load_id`` numbers the distinct loads
    (from the broadcast layout); the formula is element-wise, so every value is the one
    computed directly.
    """
    top = int(n.max()) + 1 if n.size else 1
    if load_id.size == 0 or int(load_id.max()) >= np.iinfo(np.int64).max // (2 * top):
        return log_inv_erlang_b(n.astype(np.float64), load)
    key = load_id * top + n
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    group = np.empty(ordered.size, dtype=np.int64)
    group[order] = np.cumsum(first) - 1
    pick = order[first]
    return log_inv_erlang_b(n[pick].astype(np.float64), load[pick])[group]


def load_ids(load: FloatArray, shape: tuple[int, ...]) -> IntArray:
    """Flat index of each element's load before broadcasting to ``shape`` (elements
    along an axis the load was broadcast over, stride 0, share one id)."""
    return tier_ids((load,), shape)


def tier_ids(arrays: tuple[FloatArray, ...], shape: tuple[int, ...]) -> IntArray:
    """Flat index of each element over the axes along which any of ``arrays`` varies
    before broadcasting to ``shape``: elements with one id share every array's value."""
    kept = [1] * len(shape)
    for arr in arrays:
        view = np.broadcast_to(arr, shape)
        for axis, (size, stride) in enumerate(zip(shape, view.strides, strict=True)):
            if stride != 0:
                kept[axis] = size
    ids = np.arange(math.prod(kept), dtype=np.int64).reshape(kept)
    return np.broadcast_to(ids, shape).ravel()
