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

Modules
-------
This module holds the public formulas and re-exports the staffing search. The maths
behind them is documented where it is computed: ``staffing/numerics.py`` (argument
checks, Erlang B without ``A**N / N!``, Erlang C), ``staffing/erlang_a.py`` (the Erlang A
closed forms) and ``staffing/agent_search.py`` (required agents, the staffing rules).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from optimizer.staffing.agent_search import SL_ONE_FLOOR, chat_agents, required_agents
from optimizer.staffing.erlang_a import erlang_a_logs
from optimizer.staffing.numerics import (
    MAX_TESTED_LOAD,
    FloatArray,
    check_aht,
    check_load,
    check_n,
    check_patience,
    check_within,
    erlang_c_log_p_wait,
    flat,
    floats,
    frozen,
    log_inv_erlang_b,
)

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
    nn, aa = floats(n), floats(load)
    check_n(nn)
    check_load(aa)
    shape = np.broadcast_shapes(nn.shape, aa.shape)
    nf, af = flat(shape, nn, aa)
    out = np.where(nf == 0, 1.0, 0.0)
    live = (af > 0) & (nf > 0)
    out[live] = np.exp(-log_inv_erlang_b(nf[live], af[live]))
    return frozen(out, shape)


def erlang_c(n: ArrayLike, load: ArrayLike) -> FloatArray:
    """Probability that a contact waits, P(wait) = C(n, A); 1 where n <= A (unstable).

    >>> round(float(erlang_c(14, 10.0)), 6)
    0.174132
    >>> float(erlang_c(10, 10.0))
    1.0
    """
    nn, aa = floats(n), floats(load)
    check_n(nn)
    check_load(aa)
    shape = np.broadcast_shapes(nn.shape, aa.shape)
    nf, af = flat(shape, nn, aa)
    out = np.where(af > 0, 1.0, 0.0)
    live = (af > 0) & (nf > af)
    out[live] = np.exp(erlang_c_log_p_wait(nf[live], af[live]))
    return frozen(out, shape)


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
        log_c = erlang_c_log_p_wait(nl, al)
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
    arrays = [floats(v) for v in (n, load, aht, within)]
    check_n(arrays[0])
    check_load(arrays[1])
    check_aht(arrays[2])
    check_within(arrays[3])
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    nf, af, hf, tf = flat(shape, *arrays)
    sl, pw, asa, occ = _metrics_c_flat(nf, af, hf, tf)
    zero = np.zeros_like(sl)
    return QueueMetrics(*(frozen(v, shape) for v in (sl, pw, asa, occ, zero)))


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
        logs = erlang_a_logs(n[live], load[live], aht[live], patience[live], within[live])
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
    arrays = [floats(v) for v in (n, load, aht, patience, within)]
    check_n(arrays[0])
    check_load(arrays[1])
    check_aht(arrays[2])
    check_patience(arrays[3])
    check_within(arrays[4])
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    nf, af, hf, pf, tf = flat(shape, *arrays)
    sl, pw, asa, occ, pab = _metrics_a_flat(nf, af, hf, pf, tf)
    return QueueMetrics(*(frozen(v, shape) for v in (sl, pw, asa, occ, pab)))


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
