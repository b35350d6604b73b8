"""Daily contact-weighted service level of a fixed staffing: stationary formula vs simulation.

The stationary side takes each interval on its own (its mean contacts, its agents, the
exact Erlang C or A service level) and weights the intervals by contacts:
``sum_i contacts_i SL_i / sum_i contacts_i``. The simulation (``tests/simulation.py``) runs
the same day many times, with the queue carried across interval boundaries and agents
going off only after the call in hand; each simulated day gives its own contact-weighted
SL (answered within T over offered, over the day).

On a realistic day (30-minute intervals, AHT 300 s, two peaks, agents from the exact
80/20 requirement) the two agree within the simulation's 99% confidence interval over 400
days (half-width 0.8 points). That is agreement to about a point, not exactness: 4,000
simulated days (seed 99) resolve the stationary figure as optimistic by 0.75 points
(0.8455 against 0.8380 +- 0.0023; with a 180 s patience, 0.26 points: 0.8208 against
0.8182 +- 0.0014), the same effect as below on a small scale. Where
the stationary view is known to be optimistic, a large centre run at high occupancy,
or calls long next to the interval, the measured gap is asserted, not hidden: when the
load falls and agents go off, the busy agents outnumber the new staffing, a backlog
builds, and with only a few agents to spare it drains slowly.

This is the known weakness of the stationary independent period-by-period view (Green,
Kolesar and Soares, "Improving the SIPP approach for staffing service systems that have
cyclic demands", Operations Research 49, 2001). No published table is reproduced: the
tables of Roubos, Koole and Stolletz (2012) on service levels over short periods could
not be read exactly, so none is cited.
"""

from __future__ import annotations

import numpy as np
import pytest
from simulation import half_width, simulate

from optimizer.risk.service import day_service_level, interval_service_level
from optimizer.staffing import queueing

CONFIDENCE = 0.99
"""Two-sided confidence of the simulation's interval for the mean daily service level."""
TARGET_SL, WITHIN = 0.8, 20.0
"""The tier the agents are staffed to (80% within 20 s)."""
OPEN_HOURS = (8.0, 20.0)
"""The simulated day: 08:00-20:00."""


def daily_service_level(
    agents: np.ndarray, contacts: np.ndarray, aht: float, interval: float, patience: float | None
) -> float:
    """Contact-weighted stationary service level of the day, as the risk engine computes
    it (:func:`optimizer.risk.service.day_service_level`)."""
    return day_service_level(agents, contacts, aht, interval, WITHIN, patience)


def two_peaks(minutes: int, scale: float = 1.0) -> np.ndarray:
    """Mean contacts per interval of a day with a morning (10:30) and afternoon (15:30)
    peak: 40 to 200 contacts per half-hour (times ``scale``), about 2,570 a day."""
    start, end = OPEN_HOURS
    count = round((end - start) * 60 / minutes)
    hour = start + (np.arange(count) + 0.5) * minutes / 60
    per_half_hour = (
        40.0
        + 160.0 * np.exp(-(((hour - 10.5) / 1.5) ** 2))
        + 120.0 * np.exp(-(((hour - 15.5) / 1.8) ** 2))
    )
    return per_half_hour * scale * minutes / 30.0


def compare(
    minutes: int,
    aht: float,
    days: int,
    seed: int,
    patience: float | None = None,
    scale: float = 1.0,
) -> tuple[float, float, float]:
    """Stationary daily SL, simulated mean daily SL and the half-width of its 99% CI, for
    the agents the exact requirement gives at 80/20 in each interval."""
    contacts = two_peaks(minutes, scale)
    interval = minutes * 60.0
    load = contacts * aht / interval
    agents = queueing.required_agents(load, aht, TARGET_SL, WITHIN, patience=patience)
    stationary = daily_service_level(agents, contacts, aht, interval, patience)
    sim = simulate(contacts, agents, aht, interval, WITHIN, patience, days=days, seed=seed)
    daily = sim.daily_service_level()
    return stationary, float(daily.mean()), half_width(daily, CONFIDENCE)


def test_profile_is_just_met() -> None:
    """The staffed day is what the check is about: every interval meets 80/20 exactly
    (one agent fewer would miss it), at a mean occupancy between 70% and 85%."""
    contacts = two_peaks(30)
    load = contacts * 300.0 / 1800.0
    agents = queueing.required_agents(load, 300.0, TARGET_SL, WITHIN)
    sl = interval_service_level(agents, contacts, 300.0, 1800.0, WITHIN)
    fewer = interval_service_level(agents - 1, contacts, 300.0, 1800.0, WITHIN)
    assert (sl >= TARGET_SL).all() and (fewer < TARGET_SL).all()
    assert 0.70 < float((load / agents).mean()) < 0.85
    assert 2_500 < contacts.sum() < 2_650


@pytest.mark.slow
@pytest.mark.parametrize("patience", [None, 180.0])
def test_daily_service_level_agrees_with_simulation(patience: float | None) -> None:
    """400 simulated days: the stationary daily SL lies in the simulation's 99% CI for the
    mean daily SL, and that interval is narrow enough (under a point) to mean something."""
    stationary, simulated, half = compare(30, 300.0, days=400, seed=5, patience=patience)
    assert half < 0.01
    assert abs(simulated - stationary) <= half


@pytest.mark.slow
@pytest.mark.parametrize(
    ("minutes", "aht", "scale", "low", "high"),
    [
        (30, 300.0, 10.0, -0.16, -0.06),  # ten times the contacts: ~94% occupancy
        (15, 900.0, 1.0, -0.15, -0.05),  # calls of 15 minutes in 15-minute intervals
    ],
)
def test_stationary_view_is_optimistic_at_high_occupancy(
    minutes: int, aht: float, scale: float, low: float, high: float
) -> None:
    """Where it disagrees, the stationary daily SL overstates the simulated one by 5 to 16
    points (measured over 100 days: 10.6 +- 1.8 and 8.6 +- 2.5 points), the whole 99% CI
    of the gap inside that band.

    The gap comes after each peak: when agents go off as the load falls, the calls still
    in hand outnumber the new staffing, nobody is answered until enough end, and the
    backlog, with only a few agents to spare, takes most of the interval to clear."""
    stationary, simulated, half = compare(minutes, aht, days=100, seed=5, scale=scale)
    gap = simulated - stationary
    assert low <= gap - half and gap + half <= high
