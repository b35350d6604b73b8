"""A discrete-event simulator of a contact centre over a day (or any run of intervals).

The model, independent of the product's queueing formulas:

* The period is ``len(contacts)`` consecutive intervals of ``interval_seconds``. Contacts
  arrive as a Poisson process whose rate is constant within an interval: interval ``i``
  receives a Poisson(``contacts[i]``) number of contacts, placed uniformly at random in it.
* Handle times are exponential with mean ``aht``; with a ``patience``, each waiting contact
  hangs up after an exponential patience of that mean (Erlang A); without one, nobody
  hangs up (Erlang C).
* ``agents[i]`` agents are on duty in interval ``i``. A waiting contact is answered only
  while fewer than the on-duty number are busy; when agents go off at an interval
  boundary, idle agents leave first and a busy agent finishes the call in hand (no call is
  cut off). After the last interval ``after_close`` agents (default: the last interval's)
  stay until the contacts still queued are answered or hang up.
* One first-come-first-served queue, carried across interval boundaries (and across
  intervals with no agents). Each simulated day starts empty and is independent.

Each contact is counted in the interval it arrives in. As in the product (see
``optimizer/staffing/queueing.py``), the **service level** is the share of *offered*
contacts answered within ``within`` seconds: a contact that hangs up, before or after
``within``, is not answered within it. The **ASA** is the mean wait over all offered
contacts, a hanging-up contact's wait being its patience. A contact never answered at
all (no agents left and no patience) counts as not answered, with an infinite wait.

Method: contacts are taken in arrival order (FCFS), a heap holds the end times of calls in
progress. A contact starts at the first instant, from its arrival (and not before the
previous contact was dealt with), at which fewer than the on-duty agents are busy; the
on-duty number only changes at interval boundaries and the busy number only at call ends,
so only those instants are examined. If that instant comes after its patience runs out,
it hangs up and takes no agent; it cannot delay a later contact, which, arriving later,
finds no free agent before that instant either.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

INF = math.inf


@dataclass(frozen=True)
class Simulated:
    """Counts per simulated day and interval; every array has shape (days, intervals).

    ``offered``: contacts arriving in the interval; ``in_time``: of those, answered within
    ``within``; ``answered``: answered at all; ``abandoned``: hung up; ``wait``: their
    total wait in seconds (a hang-up's wait is its patience; inf if one is never answered).
    """

    offered: np.ndarray
    in_time: np.ndarray
    answered: np.ndarray
    abandoned: np.ndarray
    wait: np.ndarray

    def daily_service_level(self) -> np.ndarray:
        """Per day: answered within T over offered, over the whole day (contact-weighted)."""
        return self.in_time.sum(axis=1) / self.offered.sum(axis=1)

    def interval_service_level(self) -> np.ndarray:
        """Per day and interval: answered within T over offered (NaN where none arrive)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.in_time / self.offered


def half_width(samples: np.ndarray, confidence: float = 0.99) -> float:
    """Half-width of the Student-t confidence interval for the mean of independent
    ``samples`` (simulated days, or the batches of one long run)."""
    t = stats.t.ppf(0.5 + confidence / 2, samples.size - 1)
    return float(t * samples.std(ddof=1) / math.sqrt(samples.size))


def _arrivals(
    rng: np.random.Generator, contacts: np.ndarray, interval_seconds: float
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted arrival times of one day and the interval each falls in."""
    counts = rng.poisson(contacts)
    interval = np.repeat(np.arange(contacts.size), counts)
    times = (interval + rng.random(interval.size)) * interval_seconds
    order = np.argsort(times, kind="stable")
    return times[order], interval[order]


def _serve(
    arrivals: list[float],
    handles: list[float],
    patiences: list[float],
    bounds: list[float],
    on_duty: list[int],
) -> list[float]:
    """Wait of each contact (FCFS); ``-1 - patience`` marks one that hung up.

    ``bounds[k]`` is the start of interval ``k`` (then the closing time, then inf);
    ``on_duty[k]`` the agents on duty from ``bounds[k]`` (the last entry: after closing).
    """
    ends: list[float] = []  # end times of the calls in progress
    floor = 0.0  # no agent was free to a contact before this instant
    k = 0
    last = len(on_duty) - 1
    waits = [0.0] * len(arrivals)
    for i, arrival in enumerate(arrivals):
        t = arrival if arrival > floor else floor
        limit = arrival + patiences[i]
        while True:
            while ends and ends[0] <= t:
                heapq.heappop(ends)
            while k < last and bounds[k + 1] <= t:
                k += 1
            if len(ends) < on_duty[k]:
                heapq.heappush(ends, t + handles[i])
                waits[i] = t - arrival
                break
            nxt = bounds[k + 1]
            if ends and ends[0] < nxt:
                nxt = ends[0]
            if nxt > limit or nxt == INF:
                waits[i] = -1.0 - patiences[i] if nxt > limit else INF
                break
            t = nxt
        floor = t
    return waits


def simulate(
    contacts: Sequence[float],
    agents: Sequence[int],
    aht: float,
    interval_seconds: float,
    within: float,
    patience: float | None = None,
    days: int = 1,
    seed: int = 0,
    after_close: int | None = None,
) -> Simulated:
    """Simulate ``days`` independent days of expected ``contacts`` per interval.

    >>> sim = simulate([10.0, 10.0], [3, 3], 180.0, 1800.0, 20.0, days=2, seed=1)
    >>> sim.offered.shape
    (2, 2)
    >>> bool((sim.in_time <= sim.answered).all() and (sim.abandoned == 0).all())
    True
    """
    mean = np.asarray(contacts, dtype=float)
    staff = [int(n) for n in agents]
    if mean.ndim != 1 or len(staff) != mean.size or min(staff, default=0) < 0:
        raise ValueError("contacts and agents: one non-negative entry per interval each")
    staff.append(staff[-1] if after_close is None else int(after_close))
    bounds = [k * interval_seconds for k in range(mean.size + 1)] + [INF]
    rng = np.random.default_rng(seed)
    shape = (days, mean.size)
    out = {name: np.zeros(shape) for name in ("offered", "in_time", "answered", "abandoned")}
    wait = np.zeros(shape)
    for day in range(days):
        times, interval = _arrivals(rng, mean, interval_seconds)
        handles = rng.exponential(aht, times.size)
        pat = rng.exponential(patience, times.size) if patience else np.full(times.size, INF)
        w = np.array(_serve(times.tolist(), handles.tolist(), pat.tolist(), bounds, staff))
        hung_up = w < 0
        answered = ~hung_up & np.isfinite(w)
        w[hung_up] = -1.0 - w[hung_up]
        size = mean.size
        out["offered"][day] = np.bincount(interval, minlength=size)
        out["in_time"][day] = np.bincount(interval, answered & (w <= within), size)
        out["answered"][day] = np.bincount(interval, answered, size)
        out["abandoned"][day] = np.bincount(interval, hung_up, size)
        wait[day] = np.bincount(interval, w, size) if times.size else 0.0
    return Simulated(wait=wait, **out)
