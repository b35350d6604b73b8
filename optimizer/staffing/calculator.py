"""The Erlang calculator for one interval, outside any scenario (``tierprice staff``).

Agents needed for a service level (and, with ``patience``, an abandonment limit) by the
queueing models of ``optimizer.staffing.queueing``, and what that staffing achieves.

numpy and scipy are imported only when the vectorised engine is needed: an interval
inside the plain path's range (``optimizer.staffing.plain``: every argument in its
documented range, load <= 5,000 Erlangs) is sized with ``math`` alone, which makes
``tierprice staff`` take 0.22 of the time it takes on the numpy engine
(``benchmarks/startup.py``: 3.1 against 14 times ``python -c pass``). Either path gives
the same dictionary (``tests/test_queueing.py``).
"""

from __future__ import annotations

import math

from optimizer.conventions import scheduled_agents
from optimizer.staffing import plain


def _in_plain_range(args: tuple[float, ...], patience: float | None, cap: float | None) -> bool:
    """True when every argument is a finite number in its documented range and the
    interval is small enough for the plain path (anything else: the vectorised engine,
    with its checks, messages and warnings)."""
    values = [*args, 1.0 if patience is None else patience, 1.0 if cap is None else cap]
    if not all(type(v) in (int, float) and math.isfinite(v) for v in values):
        return False
    contacts, interval, aht, sl, within, occ, concurrency = args
    load = contacts * aht / (interval * 60.0)
    ratio = 0.0 if patience is None else patience / aht
    return (
        contacts >= 0
        and interval > 0
        and aht > 0
        and 0 < sl <= 1
        and within >= 0
        and (patience is None or patience > 0)
        and 0 < occ <= 1
        and (cap is None or 0 < cap <= 1)
        and concurrency > 0
        and load <= plain.PLAIN_MAX_LOAD
        and load * ratio <= plain.PLAIN_MAX_X
    )


def _plain(
    load: float,
    aht: float,
    service_level: float,
    within: float,
    patience: float | None,
    caps: plain.Caps,
) -> tuple[int, plain.Metrics]:
    """Required agents and their metrics with ``math`` only (see ``plain``)."""
    if load == 0:
        return 0, (1.0, 0.0, 0.0, 0.0, 0.0)
    if patience is None:
        thr = max(1.0 - service_level, plain.SL_ONE_FLOOR)
        n = plain.required_c(load, aht, thr, within, caps[0])
        return n, plain.metrics_c(n, load, aht, within)
    n = plain.required_a(load, aht, service_level, within, patience, caps)
    return n, plain.metrics_a(n, load, aht, within, patience)


def _vectorised(
    load: float,
    aht: float,
    tier: tuple[float, float],
    patience: float | None,
    caps: tuple[float, float | None],
    concurrency: float,
) -> tuple[int, plain.Metrics]:
    """Productive agents and their metrics from the numpy engine the pipeline uses."""
    import numpy as np

    from optimizer.staffing import queueing

    loads = np.array([load])
    service_level, within = tier
    servers = queueing.required_agents(
        loads, aht, service_level, within, caps[0], patience=patience, max_abandon=caps[1]
    )
    stats = queueing.metrics(servers, loads, aht, within, patience=patience)
    agents = (
        int(queueing.chat_agents(servers, concurrency)[0]) if concurrency != 1 else int(servers[0])
    )
    values = (stats.service_level, stats.p_wait, stats.asa, stats.occupancy, stats.p_abandon)
    return agents, tuple(float(v[0]) for v in values)  # type: ignore[return-value]


def staff_interval(
    contacts: float,
    interval_minutes: float,
    aht: float,
    service_level: float,
    within: float,
    patience: float | None = None,
    max_occupancy: float = 1.0,
    max_abandon: float | None = None,
    shrinkage: float = 0.0,
    concurrency: float = 1.0,
    vectorised: bool = False,
) -> dict[str, float | int]:
    """Erlang calculator for one interval (the ``tierprice staff`` command).

    ``vectorised=True`` forces the numpy engine (the tests compare the two paths).
    """
    args = (contacts, interval_minutes, aht, service_level, within)
    rest = (max_occupancy, concurrency)
    load = contacts * aht / (interval_minutes * 60.0)
    if not vectorised and _in_plain_range((*args, *rest), patience, max_abandon):
        caps = (max_occupancy, 1.0 if max_abandon is None else max_abandon)
        servers, values = _plain(load, aht, service_level, within, patience, caps)
        agents = plain.ceil_ratio(servers, concurrency) if concurrency != 1 else servers
    else:
        tier, caps_or_none = (service_level, within), (max_occupancy, max_abandon)
        agents, values = _vectorised(load, aht, tier, patience, caps_or_none, concurrency)
    names = ("service_level", "p_wait", "asa_seconds", "occupancy", "p_abandon")
    out: dict[str, float | int] = {
        "agents": agents,
        "scheduled_agents": round(scheduled_agents(agents, shrinkage), 6),
    }
    out.update((name, round(value, 6)) for name, value in zip(names, values, strict=True))
    return out
