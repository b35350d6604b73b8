"""The service level a fixed staffing gives, from the exact queueing functions.

Every interval is a stationary queue (:func:`optimizer.staffing.queueing.metrics`:
Erlang C, or Erlang A with a patience) at the interval's realised contacts and handle
time: ``load = contacts x AHT / interval``. A day's (or a month's) service level is
the contact-weighted mean of its intervals', as the client measures it. Large
simulations evaluate each distinct (servers, contacts, AHT) once
(:func:`distinct_metrics`); the values are the ones computed directly (but for the
last bit: numpy's vector loops may round an array's tail differently).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from optimizer.staffing import queueing

FloatArray = NDArray[np.float64]

DENSE_KEYS = 4_000_000
"""Largest key space marked in a dense table; beyond it distinct keys are sorted."""


def interval_metrics(
    agents: ArrayLike,
    contacts: ArrayLike,
    aht_seconds: ArrayLike,
    interval_seconds: float,
    within_seconds: float,
    patience_seconds: float | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Service level and abandonment share of intervals (arrays broadcast): ``agents``
    servers (whole numbers; chat: slots) offered ``contacts`` in ``interval_seconds``."""
    aht = np.asarray(aht_seconds, dtype=np.float64)
    load = np.asarray(contacts, dtype=np.float64) * aht / interval_seconds
    stats = queueing.metrics(agents, load, aht, within_seconds, patience=patience_seconds)
    return np.asarray(stats.service_level), np.asarray(stats.p_abandon)


def interval_service_level(
    agents: ArrayLike,
    contacts: ArrayLike,
    aht_seconds: ArrayLike,
    interval_seconds: float,
    within_seconds: float,
    patience_seconds: float | None = None,
) -> FloatArray:
    """The stationary service level of intervals (share of offered contacts answered
    within ``within_seconds``; abandoned ones fail), as the risk engine uses it.

    >>> round(float(interval_service_level(14, 100, 180.0, 1800.0, 20.0)), 6)
    0.88835
    """
    sl, _ = interval_metrics(
        agents, contacts, aht_seconds, interval_seconds, within_seconds, patience_seconds
    )
    return sl


def day_service_level(
    agents: ArrayLike,
    contacts: ArrayLike,
    aht_seconds: float,
    interval_seconds: float,
    within_seconds: float,
    patience_seconds: float | None = None,
) -> float:
    """The contact-weighted service level of one day of a fixed staffing: ``agents``
    and ``contacts`` per interval of the day (1 when the day has no contacts).

    >>> round(day_service_level([14, 14], [100, 0], 180.0, 1800.0, 20.0), 6)
    0.88835
    """
    volume = np.asarray(contacts, dtype=np.float64)
    sl = interval_service_level(
        agents, volume, aht_seconds, interval_seconds, within_seconds, patience_seconds
    )
    total = float(volume.sum())
    return 1.0 if total <= 0 else float(np.sum(volume * sl) / total)


@dataclass(frozen=True)
class Distinct:
    """The distinct (servers, contacts, handle time) triples of a batch's intervals,
    their metrics, and which triple each interval is."""

    inverse: NDArray[np.integer]
    """Each interval's triple (the intervals' shape)."""
    contacts: FloatArray
    sl: FloatArray
    ab: FloatArray

    def gather(self, values: NDArray[Any]) -> NDArray[Any]:
        """Per-triple ``values`` spread to the intervals."""
        return np.take(values, self.inverse)


def _distinct(keys: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.integer]]:
    """The distinct keys (sorted) and each element's index among them."""
    top = int(keys.max()) + 1 if keys.size else 1
    if top > DENSE_KEYS:
        found, inverse = np.unique(keys, return_inverse=True)
        return found, inverse.reshape(keys.shape)
    seen = np.zeros(top, dtype=bool)
    seen[keys] = True
    found = np.flatnonzero(seen)
    index = np.zeros(top, dtype=np.int32)
    index[found] = np.arange(found.size, dtype=np.int32)
    return found, index[keys]


def distinct_metrics(
    servers: NDArray[np.int64],
    contacts: NDArray[np.int64] | FloatArray,
    aht_id: NDArray[np.int64],
    ahts: FloatArray,
    interval_seconds: float,
    within_seconds: float,
    patience_seconds: float | None = None,
) -> Distinct:
    """:func:`interval_metrics` of ``servers`` offered ``contacts`` at handle time
    ``ahts[aht_id]`` (``aht_id`` broadcasts to their shape), each distinct triple
    evaluated once: whole contacts (an integer array) are keyed as integers, others by
    sorting the triples."""
    shape = servers.shape
    if np.issubdtype(contacts.dtype, np.integer) and servers.size:
        top_n = int(servers.max()) + 1
        top_k = int(contacts.max()) + 1
        keys = np.multiply(aht_id, top_n) + servers
        keys *= top_k
        keys += contacts.astype(np.int64, copy=False)
        found, inverse = _distinct(keys)
        n_k, k = np.divmod(found, top_k)
        a_id, n = np.divmod(n_k, top_n)
        triples = (n, k.astype(np.float64), ahts[a_id])
    else:
        ids = np.broadcast_to(aht_id, shape)
        stacked = np.stack([np.ravel(a).astype(np.float64) for a in (servers, contacts, ids)], 1)
        rows, inverse = np.unique(stacked, axis=0, return_inverse=True)
        inverse = inverse.reshape(shape)
        triples = (rows[:, 0], rows[:, 1], ahts[rows[:, 2].astype(np.int64)])
    sl, ab = interval_metrics(*triples, interval_seconds, within_seconds, patience_seconds)
    return Distinct(inverse, triples[1], sl, ab)
