"""The simulation: months drawn around the forecast, under the plan's fixed staffing.

Per draw and category: the realised contacts of each open interval of each day
(Poisson around forecast x volume multiplier, or exactly that), the month's handle
time, the productive agents after the day's absence (whole servers: ``floor``, as
verification pools them), each interval's service level and abandonment from the
exact queueing functions, the windows the client measures (interval, day or month:
contact-weighted), the credits, and the charge at the realised billable quantity.
Batches of :data:`CHUNK` draws keep memory bounded; each batch draws from its own
stream (``SeedSequence(seed).spawn``), so the batches can run on every core
(:mod:`optimizer.risk.workers`) and give the same months however many run them (the
batch size is part of the streams' order, so it is a constant).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import partial
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import AGENT_TOLERANCE, SL_TOLERANCE, loses_abandoned
from optimizer.results import VerifiedResult
from optimizer.risk.draws import DAYS, MonthDraws, absence_factor, month_draws, week_weights
from optimizer.risk.plan import (
    HOURS_PRICED,
    VOLUME_PRICED,
    CategoryPlan,
    DealPlan,
    QueuePlan,
    deal_plan,
)
from optimizer.risk.service import Distinct, distinct_metrics
from optimizer.risk.summary import CategoryRisk, RiskResult, category_risk, joined
from optimizer.risk.workers import run_batches
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable, build_requirements

FloatArray = NDArray[np.float64]

CHUNK = 1000
"""Draws simulated together, from one stream (part of the streams' order: do not change)."""
DEFAULT_SEED = 0
"""The seed when none is given."""


@dataclass(frozen=True)
class Month:
    """What one batch of months gives for one category, per draw."""

    handled: FloatArray
    """Handled contacts (minutes for per-minute pricing follow from ``aht``)."""
    hours: FloatArray
    """Productive hours realised per planned one."""
    missed: FloatArray
    """Missed windows (weighted like their weeks)."""
    windows: FloatArray
    """Windows with contacts (weighted)."""


def _days(dow: NDArray[np.int64]) -> NDArray[np.int64]:
    """Where each day's open intervals start (``dow`` is sorted; none when empty: a
    category of no contacts has no interval to staff)."""
    if dow.size == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, dow[1:] != dow[:-1]])


def _servers(queue: QueuePlan, factor: FloatArray, dow: NDArray[np.int64]) -> NDArray[np.int64]:
    """Whole servers per (draw, week, open interval) after the day's absence."""
    agents = np.empty(factor.shape[:2] + dow.shape)
    bounds = np.r_[_days(dow), dow.size]
    for start, end in pairwise(bounds):
        agents[:, :, start:end] = factor[:, :, dow[start], :] @ queue.productive[:, start:end]
    agents += AGENT_TOLERANCE
    whole = np.floor(agents, out=agents)
    if queue.concurrency != 1.0:
        whole *= queue.concurrency
        whole += 1e-9
        np.floor(whole, out=whole)
    return whole.astype(np.int64)


def _windows(
    plan: CategoryPlan,
    found: Distinct,
    served: FloatArray,
    contacts: NDArray[np.float64] | NDArray[np.int64],
    dow: NDArray[np.int64],
    w: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Missed and measured windows per draw (weighted by their weeks); ``served``:
    each interval's contacts x its service level."""
    queue = plan.queue
    assert queue is not None
    target = queue.target - SL_TOLERANCE
    window = plan.sla.window
    if window == "month":
        total = (contacts.sum(axis=2) * w).sum(axis=1)
        busy = total > 0
        level = np.where(busy, (served.sum(axis=2) * w).sum(axis=1) / np.where(busy, total, 1), 1)
        return busy * (level < target), busy.astype(float)
    if window == "interval":
        busy = contacts > 0
        missed = busy & found.gather(found.sl < target)
        return (missed.sum(axis=2) * w).sum(axis=1), (busy.sum(axis=2) * w).sum(axis=1)
    starts = _days(dow)
    total = np.add.reduceat(contacts, starts, axis=2)
    busy = total > 0
    level = np.add.reduceat(served, starts, axis=2)
    level /= np.where(busy, total, 1)
    missed = busy & (level < target)
    return (missed.sum(axis=2) * w).sum(axis=1), (busy.sum(axis=2) * w).sum(axis=1)


def queue_month(
    plan: CategoryPlan, deal: DealPlan, draws: MonthDraws, c: int, rng: np.random.Generator | None
) -> Month:
    """One category's batch of months; ``rng`` None: contacts are the expected ones."""
    queue = plan.queue
    assert queue is not None
    w = week_weights(deal.weeks_per_month)
    per_day = round(24 * 60 / deal.interval_minutes)
    dow = (queue.open // per_day).astype(np.int64)
    factor = absence_factor(deal.shrinkage, draws.absence)
    servers = _servers(queue, factor, dow)
    mean = queue.forecast[None, None, :] * draws.volume[:, c, None, None]
    mean = np.broadcast_to(mean, servers.shape)
    contacts = mean if rng is None else rng.poisson(mean)
    ahts, aht_id = np.unique(draws.aht[:, c], return_inverse=True)
    ahts = ahts * float(plan.category.aht_seconds or 1.0)
    interval = deal.interval_minutes * 60.0
    found = distinct_metrics(
        servers, contacts, aht_id[:, None, None], ahts, interval, queue.within, queue.patience
    )
    kept = contacts.sum(axis=2)
    if queue.patience is not None and loses_abandoned(plan.category.channel):
        kept = kept - found.gather(found.contacts * found.ab).sum(axis=2)  # Erlang A voice
    served = found.gather(found.contacts * found.sl)
    missed, windows = _windows(plan, found, served, contacts, dow, w)
    return Month((kept * w).sum(axis=1), _hours(plan, deal, factor, w), missed, windows)


def _hours(plan: CategoryPlan, deal: DealPlan, factor: FloatArray, w: FloatArray) -> FloatArray:
    """Realised productive agent-intervals per planned one, per draw."""
    sites = plan.hours.shape[0]
    daily = plan.hours.reshape(sites, DAYS, -1).sum(axis=2)
    planned = float((daily.sum() * w).sum())
    if planned <= 0:
        return np.ones(factor.shape[0])
    realised = np.einsum("bwds,sd->bw", factor, daily)
    return (realised * w).sum(axis=1) / planned


def other_month(
    plan: CategoryPlan, deal: DealPlan, draws: MonthDraws, c: int, rng: np.random.Generator | None
) -> Month:
    """Deferred or project work: the month's items (no queue, no credits)."""
    w = week_weights(deal.weeks_per_month)
    factor = absence_factor(deal.shrinkage, draws.absence)
    offered = float(plan.category.contacts_per_month or 0.0) * draws.volume[:, c]
    handled = offered if rng is None else rng.poisson(offered).astype(np.float64)
    zero = np.zeros(offered.size)
    return Month(handled, _hours(plan, deal, factor, w), zero, zero)


def billable(plan: CategoryPlan, month: Month, base: Month, aht: FloatArray) -> FloatArray:
    """The billable quantity per draw: the forecast's, scaled by what drives it."""
    pricing = plan.category.pricing
    if pricing in VOLUME_PRICED and base.handled[0] > 0:
        driver = month.handled * (aht if pricing == "per_minute" else 1.0)
        ratio = driver / base.handled[0]
    elif pricing in HOURS_PRICED:
        ratio = month.hours
    else:
        ratio = np.ones(month.handled.size)
    return plan.forecast_billable * ratio


def _batch(deal: DealPlan, draws: MonthDraws, rng: np.random.Generator | None) -> list[Month]:
    months = []
    for c, plan in enumerate(deal.categories):
        run = queue_month if plan.queue is not None else other_month
        months.append(run(plan, deal, draws, c, rng))
    return months


def _base(deal: DealPlan) -> list[Month]:
    """The forecast month (no variation, expected contacts): the drivers' baseline."""
    cats = len(deal.categories)
    weeks = week_weights(deal.weeks_per_month).size
    flat = MonthDraws(np.ones((1, cats)), np.ones((1, cats)), np.zeros((1, weeks, DAYS)))
    return _batch(deal, flat, None)


def _run(
    deal: DealPlan, base: list[Month], job: tuple[np.random.SeedSequence, int]
) -> list[CategoryRisk]:
    """One batch of ``job[1]`` months from the stream ``job[0]``, per category."""
    u = deal.uncertainty
    rng = np.random.default_rng(job[0])
    cv = np.array([[p.volume_cv, p.aht_cv] for p in deal.categories])
    weeks = week_weights(deal.weeks_per_month).size
    batch = month_draws(rng, job[1], cv[:, 0], cv[:, 1], u.volume_correlation, u.absence_cv, weeks)
    months = _batch(deal, batch, rng if u.intraday == "poisson" else None)
    return [
        _category(plan, [(batch.aht[:, c], months[c])], base[c])
        for c, plan in enumerate(deal.categories)
    ]


def simulate(
    deal: DealPlan, draws: int, seed: int = DEFAULT_SEED, workers: int | None = None
) -> RiskResult:
    """``draws`` months of the plan (deterministic for ``seed``, whatever ``workers``:
    the processes sharing the batches, None for one per core)."""
    if draws < 1:
        raise ValueError(f"draws must be at least 1, not {draws}")
    starts = range(0, draws, CHUNK)
    streams = np.random.SeedSequence(seed).spawn(len(starts))
    sizes = [min(CHUNK, draws - start) for start in starts]
    jobs = list(zip(streams, sizes, strict=True))
    batches = run_batches(partial(_run, deal, _base(deal)), jobs, workers)
    risks = [joined([b[c] for b in batches]) for c in range(len(deal.categories))]
    return _result(deal, draws, seed, risks)


def _category(
    plan: CategoryPlan, parts: list[tuple[FloatArray, Month]], base: Month
) -> CategoryRisk:
    aht = np.concatenate([p[0] for p in parts])
    month = Month(*(np.concatenate([getattr(p[1], f.name) for p in parts]) for f in fields(Month)))
    quantity = billable(plan, month, base, aht)
    values, inverse = np.unique(quantity, return_inverse=True)
    charges = np.array([plan.charge(float(q)) for q in values])[inverse]
    revenue = plan.forecast_revenue + (charges - plan.forecast_charge)
    share = np.minimum(month.missed * plan.sla.credit_pct, plan.sla.credit_cap)
    credits = share * np.maximum(revenue, 0.0)
    return category_risk(plan, quantity, revenue, credits, month.missed, month.windows)


def _result(deal: DealPlan, draws: int, seed: int, risks: list[CategoryRisk]) -> RiskResult:
    change = sum(
        (
            r.revenue - r.credits - p.forecast_revenue
            for r, p in zip(risks, deal.categories, strict=True)
        ),
        np.zeros(draws),
    )
    revenue = deal.forecast_revenue + change
    cost = np.full(draws, deal.cost)
    return RiskResult(deal, draws, seed, revenue, cost, revenue - cost, tuple(risks))


def risk_of(
    scenario: Scenario,
    result: VerifiedResult,
    draws: int,
    seed: int = DEFAULT_SEED,
    reqs: RequirementTable | None = None,
) -> RiskResult:
    """Simulate ``draws`` months of a verified result of ``scenario`` (one with a
    solution): the public entry point. ``reqs`` is the requirement table the result was
    solved with when it is not the scenario's own (tiers with a ``confidence``:
    :func:`optimizer.risk.pricing.confident_requirements`)."""
    table = build_requirements(scenario) if reqs is None else reqs
    return simulate(deal_plan(scenario, table, result), draws, seed)
