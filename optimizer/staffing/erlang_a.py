"""Erlang A (M/M/N+M) in logs: P(wait), P(abandon) and 1 - SL of the birth-death chain.

Package-internal (the public ``erlang_a_metrics`` is in ``optimizer.staffing.queueing``).

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
``Late / J = (a / x) P(a + 1, x exp(-s0)) / P(a, x)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from scipy import special

from optimizer.staffing.numerics import (
    LAGUERRE_MIN_D,
    LAGUERRE_T,
    LAGUERRE_W,
    FloatArray,
    h_and_expm1,
    h_of_s,
    log_inv_erlang_b,
    log_one_minus_b,
    log_pmf,
)

_SERIES_MAX_Y: Final = 2.0  # J(b, y) by its power series up to this y (30 terms suffice)
_SERIES_TERMS: Final = 30


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
    quad = ~series & (c >= LAGUERRE_MIN_D * np.sqrt(np.where(series, 0.0, y)))
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
        s = LAGUERRE_T[None, :] / cq[:, None]
        h, em = h_and_expm1(s)
        kernel = np.exp(-yq[:, None] * h)
        jsum = kernel @ LAGUERRE_W
        log_j[quad] = np.log(bq / cq) + np.log(jsum)
        if with_ab:
            log_abj[quad] = np.log(((-em) * kernel) @ LAGUERRE_W / jsum)

    if np.any(gamma):
        bg, yg, cg = b[gamma], y[gamma], c[gamma]
        p = special.gammainc(bg, yg)
        gamma_p[gamma] = p
        lj = np.log(p) - log_pmf(bg, yg, cg)
        log_j[gamma] = lj
        if with_ab:
            # Ab / J = (1 - b/y) + (b/y) / J: a sum of positive terms when y >= b
            ratio = bg / yg
            inv_j = np.exp(-lj)
            log_abj[gamma] = np.log(
                np.where(yg >= bg, (1.0 - ratio) + ratio * inv_j, ratio * inv_j - (ratio - 1.0))
            )
    return _JParts(log_j, log_abj, gamma_p)


@dataclass(frozen=True)
class ALogs:
    """Logs of P(wait), P(abandon) and 1 - SL for the Erlang A model."""

    wait: FloatArray
    abandon: FloatArray
    fail: FloatArray


def erlang_a_logs(
    n: FloatArray, load: FloatArray, aht: FloatArray, patience: FloatArray, within: FloatArray
) -> ALogs:
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
    log_inv_b = log_inv_erlang_b(n, load)
    main = _j_parts(a, x, c, with_ab=True)
    late = _j_parts(a + 1.0, u0, c + 1.0 - x * em, with_ab=False)
    # Late / J = a/(a+1) exp(phi(s0) - s0) J(a+1, u0) / J(a, x), where
    # phi(s0) - s0 = -(N - A) T / AHT - s0 - x h_of_s(s0); with both J from gammainc this is
    # (a / x) P(a+1, u0) / P(a, x).
    both = ~np.isnan(main.gamma_p) & ~np.isnan(late.gamma_p)
    with np.errstate(all="ignore"):  # only used where both are finite and positive
        via_p = np.log(a / x) + np.log(late.gamma_p) - np.log(main.gamma_p)
    via_exp = (
        np.log(a / (a + 1.0))
        - (n - load) * within / aht
        - s0
        - x * h_of_s(s0)
        + late.log_j
        - main.log_j
    )
    log_late_j = np.where(both, via_p, via_exp)
    log_bj = main.log_j - log_inv_b
    log_wait = -np.logaddexp(0.0, log_one_minus_b(log_inv_b) - log_bj)
    # (Ab + Late) / J <= 1 exactly; clip the rounding so that probabilities stay in [0, 1]
    log_ab_j = np.minimum(main.log_ab_over_j, 0.0)
    log_fail_j = np.minimum(np.logaddexp(log_ab_j, log_late_j), 0.0)
    return ALogs(log_wait, log_wait + log_ab_j, log_wait + log_fail_j)
