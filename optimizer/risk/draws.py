"""The random months: volume and handle-time multipliers, daily absence.

A draw is one month of ``weeks_per_month`` weeks: ``ceil(weeks_per_month)`` weeks of
the representative week, the last one weighted by the fractional part (4.33 weeks:
four weeks of weight 1 and a fifth of weight 0.33), so the month's forecast contacts
are exactly the scenario's. All draws come from one ``numpy.random.default_rng(seed)``
in a fixed order, so a seed gives the same months on every run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

AHT_STEP = 1000
"""The month's handle-time multiplier is drawn to 1 / this (0.1%: 0.3 s at 300 s), so
months share their queueing evaluations."""
MAX_ABSENCE = 0.95
"""Realised shrinkage is clipped to [0, this] (or to the plan's, when higher)."""
DAYS = 7


@dataclass(frozen=True)
class MonthDraws:
    """The month-level draws of a batch of months."""

    volume: FloatArray
    """Volume multiplier, (draws, categories)."""
    aht: FloatArray
    """Handle-time multiplier, (draws, categories), in steps of 1 / AHT_STEP."""
    absence: FloatArray
    """Shrinkage minus the plan's, (draws, weeks, days), shared by sites and categories."""


def week_weights(weeks_per_month: float) -> FloatArray:
    """The weight of each simulated week: whole weeks 1, the fraction last.

    >>> [round(float(w), 4) for w in week_weights(52 / 12)]
    [1.0, 1.0, 1.0, 1.0, 0.3333]
    >>> week_weights(4.0).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    whole = math.floor(weeks_per_month + 1e-9)
    rest = weeks_per_month - whole
    return np.array([1.0] * whole + ([rest] if rest > 1e-9 else []))


def log_sigma(cv: FloatArray) -> FloatArray:
    """Standard deviation of the log of a mean-1 lognormal with coefficient ``cv``."""
    return np.sqrt(np.log1p(np.square(cv)))


def lognormal(normal: FloatArray, cv: FloatArray) -> FloatArray:
    """Mean-1 lognormal multipliers from standard normals (exactly 1 where cv = 0)."""
    sigma = log_sigma(cv)
    return np.exp(sigma * normal - 0.5 * sigma * sigma)


def month_draws(
    rng: np.random.Generator,
    draws: int,
    volume_cv: FloatArray,
    aht_cv: FloatArray,
    correlation: float,
    absence_cv: float,
    weeks: int,
) -> MonthDraws:
    """``draws`` months: log volume multipliers correlated through one common factor
    (correlation ``correlation`` between any two categories), independent handle
    times, a normal absence deviation per day."""
    cats = volume_cv.size
    common = rng.standard_normal((draws, 1))
    own = rng.standard_normal((draws, cats))
    z = math.sqrt(correlation) * common + math.sqrt(1.0 - correlation) * own
    volume = lognormal(z, volume_cv[None, :])
    aht = lognormal(rng.standard_normal((draws, cats)), aht_cv[None, :])
    aht = np.round(aht * AHT_STEP) / AHT_STEP
    absence = rng.standard_normal((draws, weeks, DAYS)) * absence_cv
    return MonthDraws(volume, aht, absence)


def absence_factor(planned: FloatArray, deviation: FloatArray) -> FloatArray:
    """Productive agents realised per planned one, (..., sites): (1 - realised) / (1 -
    planned), realised = planned + deviation clipped to [0, max(0.95, planned)]."""
    top = np.maximum(MAX_ABSENCE, planned)
    realised = np.clip(planned + deviation[..., None], 0.0, top)
    return (1.0 - realised) / (1.0 - planned)
