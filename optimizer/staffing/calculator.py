"""The Erlang calculator for one interval, outside any scenario (``tierprice staff``).

Agents needed for a service level (and, with ``patience``, an abandonment limit) by the
queueing models of ``optimizer.staffing.queueing``, and what that staffing achieves.
"""

from __future__ import annotations

import numpy as np

from optimizer.conventions import scheduled_agents
from optimizer.staffing import queueing


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
) -> dict[str, float | int]:
    """Erlang calculator for one interval (the ``tierprice staff`` command)."""
    load = np.array([contacts * aht / (interval_minutes * 60.0)])
    servers = queueing.required_agents(
        load,
        aht,
        service_level,
        within,
        max_occupancy=max_occupancy,
        patience=patience,
        max_abandon=max_abandon,
    )
    stats = queueing.metrics(servers, load, aht, within, patience=patience)
    agents = (
        int(queueing.chat_agents(servers, concurrency)[0]) if concurrency != 1 else int(servers[0])
    )
    return {
        "agents": agents,
        "scheduled_agents": round(scheduled_agents(agents, shrinkage), 6),
        "service_level": round(float(stats.service_level[0]), 6),
        "p_wait": round(float(stats.p_wait[0]), 6),
        "asa_seconds": round(float(stats.asa[0]), 6),
        "occupancy": round(float(stats.occupancy[0]), 6),
        "p_abandon": round(float(stats.p_abandon[0]), 6),
    }
