"""What a verified result fixes for the simulation: each category's tier, price point
and staffing, and the deal's cost.

The staffing is the result's scheduled agents per (site, category) and interval;
productive agents are scheduled x (1 - the site's planned shrinkage), so realised
absence scales them by (1 - realised) / (1 - planned). Revenue is the verified
revenue plus the change of the charge at the realised billable quantity, so a month
at the forecast bills exactly what the solve reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from optimizer.analysis.invoice import Billing, billing_of
from optimizer.results import VerifiedResult
from optimizer.scenario.models import Category
from optimizer.scenario.risk_terms import Sla, Uncertainty, category_sla
from optimizer.scenario.schema import Scenario
from optimizer.staffing.charges import usage_charge
from optimizer.staffing.requirements import RequirementTable

FloatArray = NDArray[np.float64]

VOLUME_PRICED = ("per_contact", "per_minute", "per_resolution", "revenue_share")
"""Pricing models whose billable quantity is a multiple of the handled contacts."""
HOURS_PRICED = ("per_productive_hour",)
"""Pricing models billing the productive hours (they move with absence only)."""


@dataclass(frozen=True)
class QueuePlan:
    """A voice or chat category's queue: its open intervals and their staffing."""

    open: NDArray[np.int64]
    """Intervals of the week with forecast contacts (sorted)."""
    forecast: FloatArray
    """Forecast contacts of each open interval."""
    productive: FloatArray
    """Planned productive agents, (sites, open intervals)."""
    target: float
    within: float
    patience: float | None
    concurrency: float
    """Chats per agent (1 for voice): servers = floor(agents x this)."""


@dataclass(frozen=True)
class CategoryPlan:
    """One category as the plan fixes it."""

    category: Category
    tier: str
    billing: Billing
    forecast_billable: float
    forecast_revenue: float
    forecast_charge: float
    """The charge of ``forecast_billable`` under the terms (platform fee included)."""
    volume_cv: float
    aht_cv: float
    sla: Sla
    hours: FloatArray
    """Planned productive agents, (sites, intervals of the week)."""
    queue: QueuePlan | None
    """None for deferred and project work (no queue is simulated)."""

    def charge(self, quantity: float) -> float:
        """The month's charge of ``quantity`` billable units (platform fee included)."""
        cat = self.category
        if cat.pricing == "per_fte_month" and cat.terms.bill_whole_units:
            quantity = float(math.ceil(quantity - 1e-9))
        plan = self.billing.plan
        return usage_charge(cat.terms, plan, quantity) + self.billing.platform_fee


@dataclass(frozen=True)
class DealPlan:
    """The deal as the plan fixes it."""

    scenario: str
    currency: str
    cost: float
    forecast_revenue: float
    forecast_margin: float
    floor: float
    """The provider's minimum margin in money: min_margin x the forecast revenue (0 by
    default)."""
    uncertainty: Uncertainty
    shrinkage: FloatArray
    """Planned shrinkage of each site (the order of ``hours`` and ``productive``)."""
    interval_minutes: int
    weeks_per_month: float
    categories: tuple[CategoryPlan, ...]


def category_cvs(scenario: Scenario, cat: Category) -> tuple[float, float]:
    """The volume and handle-time coefficients of variation of ``cat`` (its own, else
    the deal's)."""
    uncertainty = scenario.uncertainty or Uncertainty()
    own = cat.uncertainty
    volume_cv = own.volume_cv if own and own.volume_cv is not None else uncertainty.volume_cv
    aht_cv = own.aht_cv if own and own.aht_cv is not None else uncertainty.aht_cv
    return volume_cv, aht_cv


def queue_plan(
    reqs: RequirementTable, cat: Category, hours: FloatArray, tier: str
) -> QueuePlan | None:
    """The queue of a voice or chat category staffed to ``hours`` (sites x intervals of
    productive agents); None for deferred and project work."""
    if cat.channel not in ("voice", "chat"):
        return None
    creq = reqs.category(cat.name)
    open_idx = np.flatnonzero(creq.volume > 0)
    t = cat.tier(tier)
    return QueuePlan(
        open_idx,
        np.asarray(creq.volume[open_idx], dtype=np.float64),
        hours[:, open_idx],
        float(t.service_level or 0.0),
        float(t.answer_within_seconds or 0.0),
        cat.patience_seconds,
        cat.concurrency if cat.channel == "chat" else 1.0,
    )


def _category(
    scenario: Scenario, reqs: RequirementTable, result: VerifiedResult, cat: Category
) -> CategoryPlan:
    outcome = next(o for o in result.categories if o.name == cat.name)
    n = len(reqs.labels)
    hours = np.zeros((len(scenario.provider.sites), n))
    for i, site in enumerate(scenario.provider.sites):
        scheduled = result.staffing.get((site.name, cat.name))
        if scheduled is not None:
            hours[i] = np.asarray(scheduled) * scenario.productive_share(site)
    volume_cv, aht_cv = category_cvs(scenario, cat)
    billing = billing_of(result)[cat.name]
    billable = reqs.category(cat.name).tier(outcome.tier).billable_per_month
    plan = CategoryPlan(
        cat, outcome.tier, billing, billable, outcome.revenue, 0.0, volume_cv, aht_cv,
        category_sla(scenario.sla, cat.sla), hours, queue_plan(reqs, cat, hours, outcome.tier),
    )  # fmt: skip
    return replace(plan, forecast_charge=plan.charge(billable))


def deal_plan(scenario: Scenario, reqs: RequirementTable, result: VerifiedResult) -> DealPlan:
    """The plan of a verified result that has a solution (``totals`` set)."""
    totals = result.totals
    if totals is None:
        raise ValueError("a plan needs a solved result")
    cats = tuple(_category(scenario, reqs, result, c) for c in scenario.categories)
    shrink = np.array([scenario.site_shrinkage(s) for s in scenario.provider.sites])
    return DealPlan(
        result.scenario,
        result.currency,
        totals.cost,
        totals.revenue,
        totals.margin,
        scenario.provider.min_margin * totals.revenue,
        scenario.uncertainty or Uncertainty(),
        shrink,
        reqs.interval_minutes,
        reqs.weeks_per_month,
        cats,
    )
