"""The simulation's result: per-draw revenue, cost and margin, and per category the
charge, the credits and the windows met; percentiles of each.

``cvar5`` is the mean of the worst 5% of draws (at least one draw); percentiles are
numpy's linear interpolation. A margin is below the floor when it is more than half
a cent under it (so a plan exactly on its floor is not counted below it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from optimizer.risk.plan import CategoryPlan, DealPlan

FloatArray = NDArray[np.float64]

HALF_CENT = 0.005
"""A margin this far under the floor, or more, is below it."""
TAIL = 0.05
"""The share of worst draws ``cvar5`` averages."""


def spread(values: FloatArray) -> dict[str, float]:
    """``{mean, p5, p50, p95, cvar5}`` of per-draw values.

    >>> spread(np.arange(1.0, 21.0))["cvar5"]
    1.0
    """
    worst = max(1, math.ceil(TAIL * values.size))
    ordered = np.sort(values)
    p5, p50, p95 = np.percentile(values, [5, 50, 95])
    return {
        "mean": float(np.mean(values)),
        "p5": float(p5),
        "p50": float(p50),
        "p95": float(p95),
        "cvar5": float(np.mean(ordered[:worst])),
    }


@dataclass(frozen=True)
class CategoryRisk:
    """One category over the draws."""

    name: str
    tier: str
    window: str
    simulated: bool
    """Whether its service is simulated (voice and chat); deferred and project work
    carry volume risk in revenue only."""
    billable: FloatArray
    revenue: FloatArray
    """The month's charge before credits."""
    credits: FloatArray
    missed: FloatArray
    windows: FloatArray

    @property
    def p_window_met(self) -> float | None:
        """Share of measured windows met over every draw (None when not simulated; 1
        when no window had contacts)."""
        if not self.simulated:
            return None
        total = float(self.windows.sum())
        return 1.0 if total <= 0 else 1.0 - float(self.missed.sum()) / total

    @property
    def expected_credits(self) -> float:
        """Mean credits per month."""
        return float(np.mean(self.credits))


def category_risk(
    plan: CategoryPlan,
    billable: FloatArray,
    revenue: FloatArray,
    credits: FloatArray,
    missed: FloatArray,
    windows: FloatArray,
) -> CategoryRisk:
    """The risk record of one category."""
    return CategoryRisk(
        plan.category.name,
        plan.tier,
        plan.sla.window,
        plan.queue is not None,
        billable,
        revenue,
        credits,
        missed,
        windows,
    )


def joined(parts: list[CategoryRisk]) -> CategoryRisk:
    """One category's records of successive batches as one, draws in order."""

    def cat(name: str) -> FloatArray:
        return np.concatenate([getattr(p, name) for p in parts])

    return replace(
        parts[0],
        billable=cat("billable"),
        revenue=cat("revenue"),
        credits=cat("credits"),
        missed=cat("missed"),
        windows=cat("windows"),
    )


@dataclass(frozen=True)
class RiskResult:
    """Every draw of the simulation."""

    plan: DealPlan
    draws: int
    seed: int
    revenue: FloatArray
    """Revenue per draw, after credits."""
    cost: FloatArray
    margin: FloatArray
    categories: tuple[CategoryRisk, ...]

    @property
    def p_margin_below_floor(self) -> float:
        """Share of draws whose margin is under the provider's floor (by half a cent)."""
        return float(np.mean(self.margin < self.plan.floor - HALF_CENT))
