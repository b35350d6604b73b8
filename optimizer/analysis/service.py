"""The operational half of verification: the service a solution's staffing gives.

From the integer staffing alone, without the model: the agents scheduled per
interval, every interval's service level, abandonment and occupancy recomputed with
the queueing engine, the deferred-work schedule replayed against its deadlines, and
the shifts checked to cover the productive agents. Violations are collected, not
raised (:func:`optimizer.analysis.verify.verify` raises them all at once).
"""

from __future__ import annotations

import numpy as np

from optimizer.conventions import AGENT_TOLERANCE, SL_TOLERANCE, deferred_due, scheduled_agents
from optimizer.limits.base import Violations
from optimizer.results import Solution
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario
from optimizer.staffing import costs, queueing
from optimizer.staffing.requirements import CategoryRequirements, RequirementTable


def scheduled(scenario: Scenario, solution: Solution, n: int) -> dict[tuple[str, str], np.ndarray]:
    """Scheduled (paid) agents per (site, category) per interval."""
    out: dict[tuple[str, str], np.ndarray] = {}
    if scenario.provider.staffing == "intervals":
        for (site, cat), agents in solution.agents.items():
            shrinkage = scenario.site_shrinkage(scenario.site(site))
            out[(site, cat)] = np.asarray(scheduled_agents(agents.astype(float), shrinkage))
        return out
    for (site, cat), counts in solution.shifts.items():
        arr = np.zeros(n)
        for shift in counts:
            length = round(shift.hours * 60 / scenario.calendar.interval_minutes)
            arr[(shift.start + np.arange(length)) % n] += shift.count
        out[(site, cat)] = arr
    for key in solution.agents:
        out.setdefault(key, np.zeros(n))
    return out


def _pooled(solution: Solution, cat: str, n: int) -> np.ndarray:
    """Whole productive agents of ``cat`` per interval, pooled over its sites."""
    total = np.zeros(n)
    for (_, c), agents in solution.agents.items():
        if c == cat:
            total += agents
    return np.floor(total + AGENT_TOLERANCE).astype(np.int64)


def _servers(solution: Solution, cat: Category, n: int) -> np.ndarray:
    """The queue's servers per interval: the pooled agents, times the chats each takes."""
    agents = _pooled(solution, cat.name, n)
    if cat.channel == "voice":
        return agents
    return np.floor(agents * cat.concurrency + 1e-9).astype(np.int64)


def check_bonus(
    solution: Solution, cat: Category, creq: CategoryRequirements, n: int, check: Violations
) -> tuple[bool, ...]:
    """Which bonus levels the staffing earns: each level's service level recomputed in
    every loaded interval at the pooled agents. A level the solution claims must be
    earned, and one earned must be claimed (it is paid either way): a mismatch is a
    violation. Returns the levels earned."""
    levels = cat.terms.bonus or ()
    if not levels:
        return ()
    claimed = solution.choices[cat.name].bonus
    busy = creq.load > 0
    servers = _servers(solution, cat, n)[busy]
    aht = float(cat.aht_seconds or 1.0)
    earned = []
    for b, level in enumerate(levels):
        stats = queueing.metrics(
            servers,
            creq.load[busy],
            aht,
            level.answer_within_seconds,
            patience=cat.patience_seconds,
        )
        worst = float(stats.service_level.min()) if busy.any() else 1.0
        within = level.answer_within_seconds
        what = f"bonus level {b} of {cat.name} ({level.service_level:g} in {within:g} s)"
        if b < len(claimed) and claimed[b]:
            check.at_least(f"service level for {what}", worst, level.service_level, SL_TOLERANCE)
            earned.append(True)
        elif worst >= level.service_level + SL_TOLERANCE:
            check.problems.append((f"{what} earned by the staffing but not billed", level.amount))
            earned.append(True)
        else:
            earned.append(False)
    return tuple(earned)


def check_volume(
    scenario: Scenario,
    cat: Category,
    creq: CategoryRequirements,
    handled: float,
    check: Violations,
) -> None:
    """The week spreads exactly the month's contacts, and no more are handled than offered.

    Catches a profile whose normalisation lost the demand (weights of 1e308 overflow to
    zero) and handle times so small that rounding handles more than arrives.
    """
    offered = float(cat.contacts_per_month or 0.0)
    spread = float(np.sum(creq.volume)) * scenario.calendar.weeks_per_month
    tol = 1e-9 * max(1.0, offered)
    check.at_least(f"contacts of {cat.name} spread over the week", spread, offered, tol)
    check.at_most(f"contacts of {cat.name} spread over the week", spread, offered, tol)
    check.at_most(f"contacts of {cat.name} handled (at most offered)", handled, offered, tol)


def check_queue(
    scenario: Scenario,
    solution: Solution,
    cat: Category,
    creq: CategoryRequirements,
    tier_name: str,
    n: int,
    check: Violations,
) -> tuple[float, float]:
    """Recompute every interval's service level from the pooled integer staffing."""
    tier = cat.tier(tier_name)
    servers = _servers(solution, cat, n)
    load = creq.load
    aht = float(cat.aht_seconds or 1.0)
    stats = queueing.metrics(
        servers, load, aht, float(tier.answer_within_seconds or 0.0), patience=cat.patience_seconds
    )
    busy = load > 0
    if not busy.any():
        return 1.0, 0.0
    sl = stats.service_level[busy]
    target = float(tier.service_level or 0.0)
    worst = int(np.argmin(sl))
    check.at_least(
        f"service level of {cat.name} in interval {np.flatnonzero(busy)[worst]}",
        float(sl[worst]),
        target,
        SL_TOLERANCE,
    )
    # Occupancy of the contacts served: A (1 - P_abandon) / N (P_abandon is 0 for Erlang C).
    served = load[busy] * (1.0 - stats.p_abandon[busy])
    occupancy = served / np.maximum(servers[busy], 1)
    check.at_most(
        f"occupancy of {cat.name}",
        float(occupancy.max()),
        scenario.provider.max_occupancy,
        SL_TOLERANCE,
    )
    ab = stats.p_abandon[busy]
    if tier.max_abandon is not None:
        check.at_most(
            f"abandon rate of {cat.name}", float(ab.max()), tier.max_abandon, SL_TOLERANCE
        )
    volume = creq.volume[busy]
    weights = volume / volume.sum()
    return float(np.sum(weights * sl)), float(np.sum(weights * ab))


def check_deferred(
    scenario: Scenario,
    reqs: RequirementTable,
    solution: Solution,
    cat: Category,
    creq: CategoryRequirements,
    check: Violations,
) -> float:
    """Replay the deferred schedule: capacity, backlog, deadline, closure."""
    tier = cat.tier(solution.choices[cat.name].tier)
    work = solution.work[cat.name]
    n = len(reqs.labels)
    # Work capacity is not a queue: fractional productive agents (shift mode: shifts x
    # (1 - shrinkage)) handle their share of items, so no rounding here.
    agents = sum((a for (_, c), a in solution.agents.items() if c == cat.name), np.zeros(n))
    per_agent = costs.deferred_per_agent(scenario, cat, reqs.interval_minutes)
    tol = 1e-6 * max(1.0, float(creq.volume.sum()))
    over = work - agents * per_agent
    check.at_most(f"deferred work of {cat.name} within capacity", float(over.max()), 0.0, tol)
    arrived = np.cumsum(creq.volume)
    done = np.cumsum(work)
    total = float(arrived[-1])
    check.at_least(f"deferred work of {cat.name} all handled", float(done[-1]), total, tol)
    lag = round(float(tier.within_hours or 0.0) * 60 / reqs.interval_minutes)
    due = deferred_due(creq.volume, float(tier.share or 0.0), lag)
    # Smallest carried backlog that keeps the backlog non-negative, then the deadline.
    backlog0 = max(0.0, float(np.max(done - arrived)))
    lateness = due - (done - backlog0)
    check.at_most(
        f"deferred work of {cat.name} within {tier.within_hours} h", float(lateness.max()), 0.0, tol
    )
    return float(tier.share or 1.0)


def check_shift_cover(
    scenario: Scenario,
    solution: Solution,
    sched: dict[tuple[str, str], np.ndarray],
    check: Violations,
) -> None:
    """Shift mode: the shifts worked cover the productive agents after shrinkage."""
    if scenario.provider.staffing != "shifts":
        return
    for (site, cat), agents in solution.agents.items():
        productive_share = scenario.productive_share(scenario.site(site))
        gap = agents - sched[(site, cat)] * productive_share
        check.at_most(
            f"shifts at {site} cover {cat}", float(gap.max(initial=0.0)), 0.0, AGENT_TOLERANCE
        )
