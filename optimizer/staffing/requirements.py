"""Scenario -> requirement tables: per (category, tier, interval) what a tier needs.

For queues (voice, chat) each tier gets, per interval of the representative week,
the offered load, the smallest integer number of productive agents meeting it
(rule ``INTEGER_AGENTS``), the service level, ASA and abandon rate it achieves
and the contacts it handles. Deferred work gets its arrivals (the MILP schedules
it); project work gets no intervals. Each tier also carries the monthly billable
quantity of the category's pricing model (design section 6.2).

Everything here is numpy on whole arrays: every interval and tier of a category
in one call to the queueing engine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import loses_abandoned
from optimizer.scenario import profiles
from optimizer.scenario.models import Category
from optimizer.scenario.profiles import profile_shape
from optimizer.scenario.schema import Scenario
from optimizer.staffing import queueing

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class TierRequirement:
    """What one tier of one category needs, interval by interval (weekly arrays)."""

    tier: str
    agents: IntArray
    """Productive agents per interval (queues); zeros for deferred and project work."""
    service_level: FloatArray
    asa_seconds: FloatArray
    abandon_rate: FloatArray
    handled_per_month: float
    """Offered x (1 - P(abandon)) summed over the month; 0 for projects."""
    productive_hours_per_month: float
    """Queues: sum of agents x interval hours x weeks; deferred: workload / max occupancy."""
    billable_per_month: float
    """The pricing model's billable quantity q[c, k] (design 6.2)."""


@dataclass(frozen=True)
class CategoryRequirements:
    """A category's arrivals and the requirement of each of its tiers."""

    name: str
    channel: str
    volume: FloatArray
    """Offered contacts per interval of the representative week."""
    load: FloatArray
    """Offered load in Erlangs per interval (chat: in chat slots)."""
    open: NDArray[np.bool_]
    """Intervals in which the category may be staffed."""
    tiers: tuple[TierRequirement, ...]
    bonus_agents: tuple[IntArray, ...] = ()
    """Per bonus level of the terms (same order): the productive agents per interval
    that meet its service level (no occupancy cap: the bonus is earned by the service
    level alone; the tier's coverage already caps occupancy)."""

    def tier(self, name: str) -> TierRequirement:
        """The requirement of the tier called ``name``."""
        return next(t for t in self.tiers if t.tier == name)


@dataclass(frozen=True)
class RequirementTable:
    """Requirements of every category of a scenario."""

    interval_minutes: int
    weeks_per_month: float
    labels: tuple[str, ...]
    categories: tuple[CategoryRequirements, ...]

    @property
    def interval_hours(self) -> float:
        """Length of one interval in hours."""
        return self.interval_minutes / 60.0

    def category(self, name: str) -> CategoryRequirements:
        """The requirements of the category called ``name``."""
        return next(c for c in self.categories if c.name == name)

    def summary_rows(self) -> list[dict[str, object]]:
        """One row per (category, tier): peak agents, hours, handled, billable, min SL."""
        return [_summary(c, t) for c in self.categories for t in c.tiers]

    def interval_rows(self) -> list[dict[str, object]]:
        """One row per (category, tier, interval) of the queues and deferred work."""
        return _interval_rows(self)


def build_requirements(scenario: Scenario) -> RequirementTable:
    """Compute the requirement table of every category of ``scenario``."""
    minutes = scenario.calendar.interval_minutes
    labels = tuple(profiles.interval_labels(minutes))
    cats = tuple(_category(scenario, cat) for cat in scenario.categories)
    return RequirementTable(minutes, scenario.calendar.weeks_per_month, labels, cats)


def weekly_volume(scenario: Scenario, cat: Category) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Offered contacts per interval of the week, and the open-interval mask."""
    minutes = scenario.calendar.interval_minutes
    mask = profiles.open_mask(cat.open_hours, minutes)
    weights = profiles.normalise(profile_shape(cat, minutes), mask)
    weekly = (cat.contacts_per_month or 0.0) / scenario.calendar.weeks_per_month
    return weekly * weights, mask


def _category(scenario: Scenario, cat: Category) -> CategoryRequirements:
    n = len(profiles.interval_labels(scenario.calendar.interval_minutes))
    if cat.is_project:
        empty = np.zeros(0)
        tiers = tuple(
            TierRequirement(
                t.name,
                np.zeros(0, dtype=np.int64),
                empty,
                empty,
                empty,
                0.0,
                cat.project_hours(),
                billable(scenario, cat, 0.0, cat.project_hours()),
            )
            for t in cat.tiers
        )
        return CategoryRequirements(
            cat.name, cat.channel, empty, empty, np.zeros(0, dtype=bool), tiers
        )
    volume, mask = weekly_volume(scenario, cat)
    seconds = scenario.calendar.interval_minutes * 60.0
    aht = float(cat.aht_seconds or 0.0)
    load = volume * aht / seconds
    if cat.channel == "deferred":
        tiers = tuple(_deferred_tier(scenario, cat, t.name, volume, n) for t in cat.tiers)
    else:
        tiers = _queue_tiers(scenario, cat, load)
    assert load.shape == (n,)
    bonus = _bonus_agents(cat, load) if cat.terms.bonus else ()
    return CategoryRequirements(cat.name, cat.channel, volume, load, mask, tiers, bonus)


def _bonus_agents(cat: Category, load: FloatArray) -> tuple[IntArray, ...]:
    """The fewest productive agents per interval meeting each bonus level's service
    level (voice or chat; chats converted to agents as the tiers' are)."""
    levels = cat.terms.bonus or ()
    aht = float(cat.aht_seconds or 0.0)
    servers = queueing.required_agents(
        np.broadcast_to(load, (len(levels), load.size)),
        aht,
        np.array([[b.service_level] for b in levels]),
        np.array([[b.answer_within_seconds] for b in levels]),
        max_occupancy=1.0,
        patience=cat.patience_seconds,
    )
    agents = queueing.chat_agents(servers, cat.concurrency) if cat.channel == "chat" else servers
    return tuple(np.asarray(a, dtype=np.int64) for a in agents)


def _queue_tiers(
    scenario: Scenario, cat: Category, load: FloatArray
) -> tuple[TierRequirement, ...]:
    """All tiers of a voice or chat category in one vectorised call."""
    aht = float(cat.aht_seconds or 0.0)
    targets = np.array([[t.service_level or 0.0] for t in cat.tiers])
    within = np.array([[t.answer_within_seconds or 0.0] for t in cat.tiers])
    caps = np.array([[t.max_abandon if t.max_abandon is not None else 1.0] for t in cat.tiers])
    patience = cat.patience_seconds
    loads = np.broadcast_to(load, (len(cat.tiers), load.size))
    servers = queueing.required_agents(
        loads,
        aht,
        targets,
        within,
        max_occupancy=scenario.provider.max_occupancy,
        patience=patience,
        max_abandon=caps if patience is not None else None,
    )
    stats = queueing.metrics(servers, loads, aht, within, patience=patience)
    return tuple(
        _at_servers(scenario, cat, load, tier.name, servers[k], stats, k)
        for k, tier in enumerate(cat.tiers)
    )


def _at_servers(
    scenario: Scenario,
    cat: Category,
    load: FloatArray,
    name: str,
    servers: IntArray,
    stats: queueing.QueueMetrics,
    row: int,
) -> TierRequirement:
    """One queue tier's requirement at ``servers`` per interval (row ``row`` of
    ``stats``, their queue metrics): its agents (chat: the agents the servers need),
    service level, ASA, abandonment and monthly figures."""
    aht = float(cat.aht_seconds or 0.0)
    agents = queueing.chat_agents(servers, cat.concurrency) if cat.channel == "chat" else servers
    volume = load * (scenario.calendar.interval_minutes * 60.0) / aht
    wpm = scenario.calendar.weeks_per_month
    hours = scenario.calendar.interval_minutes / 60.0
    abandon = np.where(load > 0, stats.p_abandon[row], 0.0)
    handled = float(np.sum(volume * (1.0 - _lost(cat.channel, abandon)))) * wpm
    productive = float(np.sum(agents)) * hours * wpm
    return TierRequirement(
        name,
        np.asarray(agents, dtype=np.int64),
        np.where(load > 0, stats.service_level[row], 1.0),
        np.where(load > 0, stats.asa[row], 0.0),
        abandon,
        handled,
        productive,
        billable(scenario, cat, handled, productive),
    )


def _lost(channel: str, abandon: FloatArray) -> FloatArray:
    """The share of offered contacts not handled (``conventions.loses_abandoned``)."""
    return abandon if loses_abandoned(channel) else np.zeros_like(abandon)


def with_servers(
    scenario: Scenario, creq: CategoryRequirements, name: str, servers: IntArray
) -> CategoryRequirements:
    """``creq`` with tier ``name`` staffed to ``servers`` per interval (at least its own
    requirement: a buffer for volume risk), every figure of the tier recomputed."""
    cat = scenario.category(creq.name)
    within = float(cat.tier(name).answer_within_seconds or 0.0)
    aht = float(cat.aht_seconds or 0.0)
    stats = queueing.metrics(
        servers[None, :], creq.load[None, :], aht, within, cat.patience_seconds
    )
    tier = _at_servers(scenario, cat, creq.load, name, servers, stats, 0)
    tiers = tuple(tier if t.tier == name else t for t in creq.tiers)
    return replace(creq, tiers=tiers)


def _deferred_tier(
    scenario: Scenario, cat: Category, name: str, volume: FloatArray, n: int
) -> TierRequirement:
    """Deferred work: no queue; every item is handled (the MILP schedules when)."""
    wpm = scenario.calendar.weeks_per_month
    handled = float(np.sum(volume)) * wpm
    workload_hours = handled * float(cat.aht_seconds or 0.0) / 3600.0
    productive = workload_hours / scenario.provider.max_occupancy
    zeros = np.zeros(n)
    return TierRequirement(
        name,
        np.zeros(n, dtype=np.int64),
        np.ones(n),
        zeros,
        zeros,
        handled,
        productive,
        billable(scenario, cat, handled, productive),
    )


def billable(scenario: Scenario, cat: Category, handled: float, productive_hours: float) -> float:
    """Monthly billable quantity q[c, k] of the category's pricing model (design 6.2).

    Projects bill once, spread over the contract: a fixed fee 1 / contract_months, per
    unit units / contract_months, per hour its specialist hours / contract_months."""
    match cat.pricing:
        case "per_contact":
            return handled
        case "per_minute":
            return handled * float(cat.aht_seconds or 0.0) / 60.0
        case "per_productive_hour":
            return productive_hours
        case "per_fte_month":
            paid = productive_hours / (1.0 - scenario.provider.shrinkage)
            fte = paid / scenario.provider.fte_hours_per_month
            # Whole seats: 12.0000001 FTE of float noise is 12, not 13.
            return float(math.ceil(fte - 1e-9)) if cat.terms.bill_whole_units else fte
        case "per_resolution":
            return handled * float(cat.resolution_rate or 0.0)
        case "revenue_share":
            return handled * float(cat.conversion_rate or 0.0) * float(cat.value_per_sale or 0.0)
        case "fixed_fee":
            return 1.0 / scenario.contract_months if cat.is_project else 1.0
        case "per_unit":
            return (cat.units or 0.0) / scenario.contract_months
        case "per_hour":
            return productive_hours / scenario.contract_months
    raise AssertionError(cat.pricing)


def _summary(cat: CategoryRequirements, t: TierRequirement) -> dict[str, object]:
    busy = cat.load > 0 if cat.load.size else np.zeros(0, dtype=bool)
    queue = cat.channel in ("voice", "chat")
    return {
        "category": cat.name,
        "tier": t.tier,
        "channel": cat.channel,
        "peak_agents": int(t.agents.max()) if t.agents.size else 0,
        "productive_hours": t.productive_hours_per_month,
        "handled_per_month": t.handled_per_month,
        "billable_per_month": t.billable_per_month,
        "min_service_level": float(t.service_level[busy].min()) if queue and busy.any() else None,
    }


def _interval_rows(table: RequirementTable) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for cat in table.categories:
        for t in cat.tiers:
            lost = _lost(cat.channel, t.abandon_rate)
            for i in range(cat.volume.size):
                rows.append(
                    {
                        "category": cat.name,
                        "tier": t.tier,
                        "interval": table.labels[i],
                        "contacts": float(cat.volume[i]),
                        "load_erlangs": float(cat.load[i]),
                        "agents": int(t.agents[i]),
                        "service_level": float(t.service_level[i]),
                        "asa_seconds": float(t.asa_seconds[i]),
                        "abandon_rate": float(t.abandon_rate[i]),
                        "handled": float(cat.volume[i] * (1 - lost[i])),
                    }
                )
    return rows
