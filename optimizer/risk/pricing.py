"""Risk-aware pricing: constants per tier and price point computed from simulated months,
so the model stays a MILP.

* **Confidence.** A tier with ``confidence: c`` is staffed so that the client's window
  meets its service level in at least a share ``c`` of the measured windows over the
  simulated months (``uncertainty.pricing_draws`` months, seed 0), not only at the
  forecast. Its agents per interval are the tier's requirement at the forecast load x
  ``m``, with ``m`` >= 1 the smallest multiplier found by bisection (common random
  numbers: the same months for every ``m``, so the share met grows with ``m``) that
  does it. The category is simulated alone, at one site with the provider's
  shrinkage, staffed exactly to the table (the plan the model will pool).
* **Expected margin.** Under ``objective: max_expected_margin`` each option's revenue in
  the objective is its mean over the months at the tier's staffing: the charge at the
  realised billable quantity (bands, minimum, platform fee), less the SLA credits of
  the windows missed. The model's objective gets ``mean - forecast`` per option;
  every limit keeps the forecast figures.

The same engine draws the months as ``tierprice risk`` (:mod:`optimizer.risk.engine`);
:func:`tier_months` is its one-category use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optimizer.analysis.invoice import Billing
from optimizer.errors import Issue, ScenarioError
from optimizer.risk.engine import simulate
from optimizer.risk.plan import CategoryPlan, DealPlan, category_cvs, queue_plan
from optimizer.risk.summary import CategoryRisk
from optimizer.scenario.models import Category
from optimizer.scenario.risk_terms import Uncertainty, category_sla
from optimizer.scenario.schema import Scenario
from optimizer.scenario.terms import Plan, as_plan
from optimizer.staffing import charges, queueing
from optimizer.staffing.requirements import RequirementTable, with_servers

IntArray = NDArray[np.int64]

PRICING_SEED = 0
"""The seed of the months risk-aware pricing is computed from."""
MAX_MULTIPLIER = 4.0
"""The largest load multiplier a confidence may ask for (beyond it: refused)."""
BISECTIONS = 8
"""Bisection steps of the multiplier (a 1/256 of the bracket)."""


def _uncertainty(scenario: Scenario) -> Uncertainty:
    return scenario.uncertainty or Uncertainty()


def tier_months(
    scenario: Scenario, reqs: RequirementTable, cat: Category, tier: str, draws: int
) -> CategoryRisk:
    """The months of ``cat`` alone staffed exactly to ``tier``'s requirement in ``reqs``
    (one site at the provider's shrinkage), billed at the tier's first price point."""
    creq = reqs.category(cat.name)
    treq = creq.tier(tier)
    hours = np.asarray(treq.agents, dtype=np.float64)[None, :]
    queue = queue_plan(reqs, cat, hours, tier)
    volume_cv, aht_cv = category_cvs(scenario, cat)
    plans = cat.tier(tier).plans()
    first = plans[0] if plans else as_plan(1.0)  # a range: any price > 0 gives the shares
    billing = Billing(tier, first, cat.terms.fee_menu()[0])
    plan = CategoryPlan(
        cat, tier, billing, treq.billable_per_month, 0.0, 0.0, volume_cv, aht_cv,
        category_sla(scenario.sla, cat.sla), hours, queue,
    )  # fmt: skip
    charge = plan.charge(treq.billable_per_month)
    plan = replace(plan, forecast_revenue=charge, forecast_charge=charge)
    deal = DealPlan(
        scenario.scenario, scenario.currency, 0.0, charge, charge, 0.0,
        _uncertainty(scenario), np.array([scenario.provider.shrinkage]),
        reqs.interval_minutes, reqs.weeks_per_month, (plan,),
    )  # fmt: skip
    return simulate(deal, draws, PRICING_SEED).categories[0]


def _servers(scenario: Scenario, cat: Category, load: NDArray[np.float64], tier: str) -> IntArray:
    """The tier's servers per interval at ``load`` (its own requirement's rules)."""
    t = cat.tier(tier)
    capped = cat.patience_seconds is not None and t.max_abandon is not None
    return np.asarray(
        queueing.required_agents(
            load,
            float(cat.aht_seconds or 0.0),
            float(t.service_level or 0.0),
            float(t.answer_within_seconds or 0.0),
            max_occupancy=scenario.provider.max_occupancy,
            patience=cat.patience_seconds,
            max_abandon=t.max_abandon if capped else None,
        ),
        dtype=np.int64,
    )


def _met(
    scenario: Scenario, reqs: RequirementTable, cat: Category, tier: str, m: float, draws: int
) -> tuple[float, RequirementTable]:
    """The share of windows met with the tier staffed for the load x ``m``."""
    creq = reqs.category(cat.name)
    servers = _servers(scenario, cat, creq.load * m, tier)
    table = _replace(reqs, with_servers(scenario, creq, tier, servers))
    met = tier_months(scenario, table, cat, tier, draws).p_window_met
    return (1.0 if met is None else met), table


def _replace(reqs: RequirementTable, creq: Any) -> RequirementTable:
    cats = tuple(creq if c.name == creq.name else c for c in reqs.categories)
    return replace(reqs, categories=cats)


def confident_requirements(scenario: Scenario, reqs: RequirementTable) -> RequirementTable:
    """``reqs`` with every tier that has a ``confidence`` staffed to meet it (see the
    module docstring); unchanged without one."""
    draws = _uncertainty(scenario).pricing_draws
    for i, cat in enumerate(scenario.categories):
        for k, tier in enumerate(cat.tiers):
            if tier.confidence is None:
                continue
            target = tier.confidence
            met, table = _met(scenario, reqs, cat, tier.name, 1.0, draws)
            if met >= target:
                continue
            low, high = 1.0, MAX_MULTIPLIER
            met, best = _met(scenario, reqs, cat, tier.name, high, draws)
            if met < target:
                where = f"categories[{i}].tiers[{k}].confidence"
                expected = (
                    f"a share staffing for {MAX_MULTIPLIER:g} x the forecast load can meet "
                    f"(it meets {met:.1%} of the windows)"
                )
                raise ScenarioError([Issue(scenario.scenario, where, target, expected)])
            for _ in range(BISECTIONS):
                mid = (low + high) / 2
                met, table = _met(scenario, reqs, cat, tier.name, mid, draws)
                if met >= target:
                    high, best = mid, table
                else:
                    low = mid
            reqs = best
    return reqs


def _plan_changes(
    cat: Category, months: CategoryRisk, plans: tuple[Plan, ...], forecast_q: float
) -> dict[Plan, tuple[float, float]]:
    """Per plan: the mean charge less credits over the months, minus the forecast charge."""
    share = _credit_share(months)
    fee = cat.terms.fee_menu()[0]
    out = {}
    for plan in plans:
        values, inverse = np.unique(months.billable, return_inverse=True)
        charge = np.array([charges.usage_charge(cat.terms, plan, float(q)) for q in values])
        month = charge[inverse] + fee
        mean = float(np.mean(month - share * np.maximum(month, 0.0)))
        forecast = charges.usage_charge(cat.terms, plan, forecast_q) + fee
        out[plan] = (mean - forecast, 0.0)
    return out


def _credit_share(months: CategoryRisk) -> NDArray[np.float64]:
    """Per month, the credits as a share of the charge (the engine's
    ``min(missed x credit_pct, credit_cap)``, the same for any price point)."""
    share = months.credits / np.where(months.revenue > 0, months.revenue, 1.0)
    return np.where(months.revenue > 0, share, 0.0)


def expected_changes(
    scenario: Scenario, reqs: RequirementTable
) -> dict[str, dict[Any, tuple[float, float]]]:
    """Category -> (tier, plan or None) -> the change the simulated months make to the
    option's revenue: ``(a, 0)`` per price point (the binary's coefficient), ``(a, b)``
    for a continuous range (``a`` per unit of price, ``b`` per unit of its binary)."""
    draws = _uncertainty(scenario).pricing_draws
    out: dict[str, dict[Any, tuple[float, float]]] = {}
    for cat in scenario.categories:
        if cat.is_project:
            continue
        mine: dict[Any, tuple[float, float]] = {}
        for tier in cat.tiers:
            months = tier_months(scenario, reqs, cat, tier.name, draws)
            q = reqs.category(cat.name).tier(tier.name).billable_per_month
            plans = tier.plans()
            if plans is None:
                mine[(tier.name, None)] = _range_change(cat, months, q)
                continue
            for plan, change in _plan_changes(cat, months, plans, q).items():
                mine[(tier.name, plan)] = change
        out[cat.name] = mine
    return out


def _range_change(cat: Category, months: CategoryRisk, q: float) -> tuple[float, float]:
    """A continuous price p bills ``p x billed(q)`` (+ a platform fee F): the months'
    mean of ``(1 - credit share) x billed`` less ``billed(q)`` per unit of p, and
    ``-F x mean credit share`` on the binary."""
    share = _credit_share(months)
    bands = cat.terms.volume_bands
    billed = np.array([charges.billed_units(bands, float(x)) for x in months.billable])
    fee = cat.terms.fee_menu()[0]
    per_price = float(np.mean((1.0 - share) * billed)) - charges.billed_units(bands, q)
    return per_price, -fee * float(np.mean(share))


def premium_rows(
    scenario: Scenario, chosen: Mapping[str, Any], forecast: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Per category: the risk-aware and the forecast-only tier and price, and the
    price difference (the risk premium in the price)."""
    rows = []
    for cat in scenario.categories:
        a, b = chosen[cat.name], forecast[cat.name]
        rows.append(
            {
                "name": cat.name,
                "tier": a.tier,
                "price": a.price,
                "forecast_tier": b.tier,
                "forecast_price": b.price,
                "price_difference": a.price - b.price,
            }
        )
    return rows
