"""The discrete-event simulator of ``tests/simulation.py`` against queueing theory.

Stationary runs (one rate, one staffing, for a long time) must reproduce Erlang C's service
level and ASA, and Erlang A's service level and P(abandon), within a 99% batch-means
confidence interval; small cases worked by hand pin the time-varying rules (agents going
off at a boundary finish the call in hand, the queue is carried over, hang-ups count).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from simulation import _serve, half_width, simulate

from optimizer.staffing import queueing

BATCHES = 20
"""Batches of the batch-means confidence interval (consecutive runs of intervals)."""
CONFIDENCE = 0.99
"""Two-sided confidence of the interval a formula's value must lie in."""
WARM_UP = 20
"""Intervals dropped at the start of a stationary run (it starts with an empty queue)."""
CALLERS = 1_000_000
"""Callers per stationary case (about a second); a heavily loaded queue mixes slowly (its
relaxation time grows like 1/(1 - occupancy)**2 callers), so its case takes more."""
MAX_HALF_WIDTH = 0.01
"""A 99% interval wider than this on a probability could not catch a wrong formula."""
MAX_HALF_WIDTH_REL = 0.1
"""Nor one wider than this relative to the ASA."""


def batch_interval(numerator: np.ndarray, offered: np.ndarray) -> tuple[float, float]:
    """Ratio ``sum(numerator) / sum(offered)`` and the half-width of its 99% batch-means
    confidence interval (Student t on ``BATCHES`` consecutive batches' ratios)."""
    nums = np.array([b.sum() for b in np.array_split(numerator, BATCHES)])
    dens = np.array([b.sum() for b in np.array_split(offered, BATCHES)])
    return float(numerator.sum() / offered.sum()), half_width(nums / dens, CONFIDENCE)


def stationary_run(
    n: int,
    load: float,
    aht: float,
    within: float,
    patience: float | None,
    seed: int,
    callers: int = CALLERS,
) -> dict[str, tuple[float, float]]:
    """Service level, P(abandon) and ASA (with their half-widths) of a long stationary run
    of 30-minute intervals, the first ``WARM_UP`` dropped."""
    interval = 1800.0
    contacts = load * interval / aht
    count = WARM_UP + math.ceil(callers / contacts)
    sim = simulate([contacts] * count, [n] * count, aht, interval, within, patience, seed=seed)
    offered = sim.offered[0, WARM_UP:]
    return {
        "service_level": batch_interval(sim.in_time[0, WARM_UP:], offered),
        "p_abandon": batch_interval(sim.abandoned[0, WARM_UP:], offered),
        "asa": batch_interval(sim.wait[0, WARM_UP:], offered),
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n", "load", "aht", "within", "callers"),
    [
        (14, 10.0, 180.0, 20.0, CALLERS),  # E1: SL 0.888, ASA 7.8 s
        (4, 2.5, 600.0, 60.0, CALLERS),  # few agents, long calls
        (40, 34.0, 300.0, 20.0, 2 * CALLERS),  # heavily loaded: 85% occupancy, ASA 11.7 s
    ],
)
def test_erlang_c_matches_simulation(
    n: int, load: float, aht: float, within: float, callers: int
) -> None:
    """Long simulated runs reproduce Erlang C's SL and ASA within the 99% CI."""
    run = stationary_run(n, load, aht, within, None, seed=11, callers=callers)
    exact = queueing.erlang_c_metrics(n, load, aht, within)
    mean, half = run["service_level"]
    assert half <= MAX_HALF_WIDTH
    assert abs(mean - float(exact.service_level)) <= half
    mean, half = run["asa"]
    assert half <= MAX_HALF_WIDTH_REL * float(exact.asa)
    assert abs(mean - float(exact.asa)) <= half
    assert run["p_abandon"][0] == 0.0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("n", "load", "aht", "patience", "within"),
    [
        (13, 10.0, 180.0, 300.0, 20.0),  # E2
        (40, 50.0, 120.0, 60.0, 30.0),  # overloaded: a fifth of the callers hang up
        (8, 8.0, 240.0, 30.0, 60.0),  # impatient: many hang up before T
    ],
)
def test_erlang_a_matches_simulation(
    n: int, load: float, aht: float, patience: float, within: float
) -> None:
    """A million simulated callers reproduce Erlang A's SL and P(abandon) within the 99%
    CI (hang-ups, before or after T, are not answered within T)."""
    run = stationary_run(n, load, aht, within, patience, seed=7)
    exact = queueing.erlang_a_metrics(n, load, aht, patience, within)
    for key in ("service_level", "p_abandon"):
        mean, half = run[key]
        assert half <= MAX_HALF_WIDTH
        assert abs(mean - float(getattr(exact, key))) <= half, key


BOUNDS = [0.0, 100.0, 200.0, math.inf]
"""Two intervals of 100 s, then the time after closing."""


@pytest.mark.parametrize(
    ("on_duty", "arrivals", "handles", "patiences", "waits"),
    [
        # the busy agent goes off at 100 only after its call ends at 160; nobody is on
        # duty until closing (200), when the after-closing agent answers the second caller
        ([1, 0, 1], [10, 20], [150, 5], [math.inf] * 2, [0, 180]),
        # 2 agents -> 1 at 100: the caller at 110 waits until both calls in hand end
        ([2, 1, 1], [0, 1, 110], [150, 130, 10], [math.inf] * 3, [0, 0, 40]),
        # the queue is carried into the next interval, then served FCFS by its 2 agents
        ([0, 2, 2], [10, 20, 30], [50, 50, 50], [math.inf] * 3, [90, 80, 120]),
        # the second caller hangs up at 40 (-1 - patience) and does not delay the third
        ([1, 1, 1], [0, 10, 20], [100, 5, 5], [math.inf, 30, math.inf], [0, -31, 80]),
        # nobody left on duty and no patience: never answered
        ([1, 0, 0], [0, 10], [200, 1], [math.inf] * 2, [0, math.inf]),
    ],
)
def test_time_varying_rules_worked_by_hand(
    on_duty: list[int],
    arrivals: list[float],
    handles: list[float],
    patiences: list[float],
    waits: list[float],
) -> None:
    """Each caller's wait on small cases worked by hand."""
    assert _serve(arrivals, handles, patiences, BOUNDS, on_duty) == waits


def test_counts_are_consistent_and_seeded() -> None:
    """Per interval: answered within T <= answered, answered + hung up <= offered (equal
    when someone is left to answer); the mean offered per interval is the expected
    contacts (99% CI); the same seed gives the same days, another seed other days."""
    contacts, agents = [30.0, 90.0, 60.0], [3, 9, 5]
    sim = simulate(contacts, agents, 300.0, 900.0, 20.0, 120.0, days=300, seed=3)
    assert (sim.in_time <= sim.answered).all()
    assert (sim.answered + sim.abandoned == sim.offered).all()
    for i, expected in enumerate(contacts):
        offered = sim.offered[:, i]
        assert abs(offered.mean() - expected) <= half_width(offered, CONFIDENCE)
    again = simulate(contacts, agents, 300.0, 900.0, 20.0, 120.0, days=300, seed=3)
    other = simulate(contacts, agents, 300.0, 900.0, 20.0, 120.0, days=300, seed=4)
    assert np.array_equal(again.in_time, sim.in_time)
    assert not np.array_equal(other.offered, sim.offered)
