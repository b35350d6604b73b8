"""(Scenario, requirements, Solution) -> VerifiedResult, independently of the MILP.

Nothing here imports PuLP or the model: from the chosen tiers and prices and the
integer staffing, the service level of every interval is recomputed with the
queueing engine, the deferred-work schedule is replayed, every client and
provider limit is recomputed from the cost formulas, and the margin recomputed
this way must equal the solver's objective. Any violation beyond the named
tolerances raises :class:`~optimizer.errors.VerificationError`.
"""

from __future__ import annotations

import numpy as np

from optimizer.conventions import (
    AGENT_TOLERANCE,
    LIMIT_FAMILIES,
    SL_TOLERANCE,
    close,
    deferred_due,
    scheduled_agents,
)
from optimizer.errors import VerificationError
from optimizer.results import (
    CategoryOutcome,
    LimitOutcome,
    SiteOutcome,
    Solution,
    Totals,
    VerifiedResult,
)
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario
from optimizer.staffing import costs, queueing
from optimizer.staffing.requirements import CategoryRequirements, RequirementTable

BINDING_TOLERANCE = 1e-3
"""A limit binds when its slack is within this share of the row's size: an ROI of
50.03% against a 50% floor, or 4.5999 per contact against a 4.60 cap, is what sets the
prices. (``optimizer.analysis.explain`` also marks a limit binding when its shadow price is
not zero.)"""


class _Check:
    """Collects violations: (what, amount)."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, float]] = []

    def at_least(self, what: str, value: float, floor: float, tol: float) -> None:
        if not value >= floor - tol:  # NaN never passes
            self.problems.append((what, abs(floor - value)))

    def at_most(self, what: str, value: float, cap: float, tol: float) -> None:
        if not value <= cap + tol:  # NaN never passes
            self.problems.append((what, abs(value - cap)))

    @property
    def worst(self) -> float:
        return max((a for _, a in self.problems), default=0.0)


def verify(scenario: Scenario, reqs: RequirementTable, solution: Solution) -> VerifiedResult:
    """Re-check ``solution``; raise VerificationError on any violation."""
    assert solution.status.has_solution
    check = _Check()
    outcomes = []
    paid_by_site: dict[str, float] = {s.name: 0.0 for s in scenario.provider.sites}
    cost_by_site: dict[str, float] = {s.name: 0.0 for s in scenario.provider.sites}
    staffing = _scheduled(scenario, solution, len(reqs.labels))
    month = reqs.interval_hours * scenario.calendar.weeks_per_month
    paid = {key: float(sched.sum()) * month for key, sched in staffing.items()}
    for (site_name, _cat_name), hours in paid.items():
        paid_by_site[site_name] += hours
        cost_by_site[site_name] += hours * costs.paid_hour_rate(scenario, scenario.site(site_name))
    for cat in scenario.categories:
        outcomes.append(_category(scenario, reqs, solution, cat, paid, check))
    _check_shift_cover(scenario, solution, staffing, check)
    _check_sites(scenario, staffing, paid_by_site, check)
    revenue = sum(o.revenue for o in outcomes)
    cost = (
        sum(cost_by_site.values())
        + costs.fixed_cost(scenario)
        + sum(costs.project_cost(scenario, c) for c in scenario.categories if c.is_project)
    )
    contact_names = {c.name for c in scenario.categories if not c.is_project}
    contacts = sum(o.contacts for o in outcomes if o.name in contact_names)
    value = sum(costs.client_value(scenario.category(o.name), o.contacts) for o in outcomes)
    raw = costs.Totals(
        revenue,
        cost,
        sum(o.revenue for o in outcomes if o.name in contact_names),
        cost - sum(costs.project_cost(scenario, c) for c in scenario.categories if c.is_project),
        contacts,
        value,
        costs.fte(sum(paid_by_site.values()), scenario),
    )
    _check_limits(scenario, outcomes, raw, check)
    _check_objective(solution, raw, check)
    if check.problems:
        lines = "; ".join(f"{what} (off by {amount:.6g})" for what, amount in check.problems[:10])
        raise VerificationError(f"the solution fails its independent re-check: {lines}")
    ratios = raw.ratios()
    totals = Totals(
        revenue,
        cost,
        raw.margin,
        ratios["margin_pct"],
        ratios["markup_pct"],
        contacts,
        ratios["client_cost_per_contact"],
        ratios["provider_cost_per_contact"],
        ratios["client_roi"],
        raw.fte,
    )
    sites = tuple(
        SiteOutcome(
            s.name,
            costs.fte(paid_by_site[s.name], scenario),
            paid_by_site[s.name],
            cost_by_site[s.name],
        )
        for s in scenario.provider.sites
    )
    limits = _limits(scenario, solution)
    return VerifiedResult(
        scenario.scenario,
        scenario.currency,
        solution.status,
        solution.objective,
        totals,
        tuple(outcomes),
        sites,
        limits,
        True,
        check.worst,
        solution.solver,
        labels=reqs.labels,
        staffing=staffing,
    )


def _limits(scenario: Scenario, solution: Solution) -> tuple[LimitOutcome, ...]:
    """Client and provider limits; per-interval seat rows folded to the tightest per site.

    A minimum tier binds when the chosen tier is the floor itself (a lower one exists).
    """
    tightest: dict[str, tuple[str, float, float | None, float]] = {}
    order: list[str] = []
    for name, row in solution.rows.items():
        if row.family not in LIMIT_FAMILIES:
            continue
        if row.family == "min_tier":
            cat = name.split("[")[1].rstrip("]")
            at_floor = solution.choices[cat].tier == scenario.client.min_tier.get(cat)
            order.append(name)
            tightest[name] = (name, 0.0 if at_floor else 1.0, row.dual, 1.0)
            continue
        group = name.rsplit("[", 1)[0] if row.family == "seats" else name
        if group not in tightest:
            order.append(group)
        if group not in tightest or row.slack < tightest[group][1]:
            tightest[group] = (name, row.slack, row.dual, row.scale)
    return tuple(
        LimitOutcome(name, _binds(slack, scale), slack, dual)
        for name, slack, dual, scale in (tightest[g] for g in order)
    )


def _binds(slack: float, scale: float) -> bool:
    """Binding: slack within BINDING_TOLERANCE of the row's size (700 on 700k binds)."""
    return abs(slack) <= BINDING_TOLERANCE * max(1.0, scale)


def _scheduled(scenario: Scenario, solution: Solution, n: int) -> dict[tuple[str, str], np.ndarray]:
    """Scheduled (paid) agents per (site, category) per interval."""
    out: dict[tuple[str, str], np.ndarray] = {}
    if scenario.provider.staffing == "intervals":
        for (site, cat), agents in solution.agents.items():
            keep = scenario.site_shrinkage(scenario.site(site))
            out[(site, cat)] = np.asarray(scheduled_agents(agents.astype(float), keep))
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


def _category(
    scenario: Scenario,
    reqs: RequirementTable,
    solution: Solution,
    cat: Category,
    paid_hours: dict[tuple[str, str], float],
    check: _Check,
) -> CategoryOutcome:
    choice = solution.choices[cat.name]
    creq = reqs.category(cat.name)
    treq = creq.tier(choice.tier)
    _check_price(scenario, cat, choice.tier, choice.price, check)
    revenue = choice.price * treq.billable_per_month
    paid = 0.0
    direct = 0.0
    for (site_name, c), hours in paid_hours.items():
        if c == cat.name:
            paid += hours
            direct += hours * costs.paid_hour_rate(scenario, scenario.site(site_name))
    sl: float | None = None
    abandon: float | None = None
    if not cat.is_project:
        _check_volume(scenario, cat, creq, treq.handled_per_month, check)
    if cat.is_project:
        direct = costs.project_cost(scenario, cat)
    elif cat.channel == "deferred":
        sl = _check_deferred(scenario, reqs, solution, cat, creq, check)
        abandon = 0.0
    else:
        sl, abandon = _check_queue(
            scenario, solution, cat, creq, choice.tier, len(reqs.labels), check
        )
    return CategoryOutcome(
        cat.name,
        choice.tier,
        cat.pricing,
        choice.price,
        revenue,
        direct,
        revenue - direct,
        costs.fte(paid, scenario),
        treq.handled_per_month,
        sl,
        abandon,
    )


def _check_volume(
    scenario: Scenario,
    cat: Category,
    creq: CategoryRequirements,
    handled: float,
    check: _Check,
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


def _check_price(scenario: Scenario, cat: Category, tier: str, price: float, check: _Check) -> None:
    """Competitor price cap and the client's minimum tier."""
    if cat.benchmark_price is not None and cat.max_premium is not None:
        cap = cat.benchmark_price * (1 + cat.max_premium)
        check.at_most(f"price of {cat.name} under the competitor cap", price, cap, 1e-6)
    floor = scenario.client.min_tier.get(cat.name)
    if floor is not None:
        names = [t.name for t in cat.tiers]
        check.at_least(
            f"tier of {cat.name} at least {floor}",
            float(names.index(tier)),
            float(names.index(floor)),
            0.0,
        )


def _check_queue(
    scenario: Scenario,
    solution: Solution,
    cat: Category,
    creq: CategoryRequirements,
    tier_name: str,
    n: int,
    check: _Check,
) -> tuple[float, float]:
    """Recompute every interval's service level from the pooled integer staffing."""
    tier = cat.tier(tier_name)
    agents = _pooled(solution, cat.name, n)
    servers = (
        agents
        if cat.channel == "voice"
        else np.floor(agents * cat.concurrency + 1e-9).astype(np.int64)
    )
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


def _check_deferred(
    scenario: Scenario,
    reqs: RequirementTable,
    solution: Solution,
    cat: Category,
    creq: CategoryRequirements,
    check: _Check,
) -> float:
    """Replay the deferred schedule: capacity, backlog, deadline, closure."""
    tier = cat.tier(solution.choices[cat.name].tier)
    work = solution.work[cat.name]
    n = len(reqs.labels)
    # Work capacity is not a queue: fractional productive agents (shift mode: shifts x
    # (1 - shrinkage)) handle their share of items, so no rounding here.
    agents = sum((a for (_, c), a in solution.agents.items() if c == cat.name), np.zeros(n))
    per_agent = (
        reqs.interval_minutes * 60 * scenario.provider.max_occupancy / float(cat.aht_seconds or 1.0)
    )
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


def _check_shift_cover(
    scenario: Scenario,
    solution: Solution,
    sched: dict[tuple[str, str], np.ndarray],
    check: _Check,
) -> None:
    """Shift mode: the shifts worked cover the productive agents after shrinkage."""
    if scenario.provider.staffing != "shifts":
        return
    for (site, cat), agents in solution.agents.items():
        keep = 1 - scenario.site_shrinkage(scenario.site(site))
        gap = agents - sched[(site, cat)] * keep
        check.at_most(
            f"shifts at {site} cover {cat}", float(gap.max(initial=0.0)), 0.0, AGENT_TOLERANCE
        )


def _check_sites(
    scenario: Scenario,
    staffing: dict[tuple[str, str], np.ndarray],
    paid: dict[str, float],
    check: _Check,
) -> None:
    for site in scenario.provider.sites:
        per_t = sum((a for (s, _), a in staffing.items() if s == site.name), start=np.zeros(1))
        if site.seats is not None:
            check.at_most(
                f"seats at {site.name}", float(np.max(per_t)), site.seats, AGENT_TOLERANCE
            )
        if site.max_fte is not None:
            check.at_most(
                f"FTE at {site.name}", costs.fte(paid[site.name], scenario), site.max_fte, 1e-6
            )


def _check_limits(
    scenario: Scenario, outcomes: list[CategoryOutcome], totals: costs.Totals, check: _Check
) -> None:
    client = scenario.client
    money_tol = 1e-6 * max(1.0, totals.revenue)
    if client.budget_per_month is not None:
        check.at_most("budget", totals.revenue, client.budget_per_month, money_tol)
    if client.max_cost_per_contact is not None and totals.contacts > 0:
        check.at_most(
            "blended cost per contact",
            totals.contact_revenue,
            client.max_cost_per_contact * totals.contacts,
            money_tol,
        )
    for o in outcomes:
        cat = scenario.category(o.name)
        if cat.max_cost_per_contact is not None and not cat.is_project:
            check.at_most(
                f"cost per contact of {o.name}",
                o.revenue,
                cat.max_cost_per_contact * o.contacts,
                money_tol,
            )
    if client.min_roi is not None:
        check.at_least("client ROI", totals.value, (1 + client.min_roi) * totals.revenue, money_tol)
    check.at_least(
        "provider minimum margin",
        totals.margin,
        scenario.provider.min_margin * totals.revenue,
        money_tol,
    )


def _check_objective(solution: Solution, totals: costs.Totals, check: _Check) -> None:
    """The solver's objective must equal the margin (or spend) recomputed from formulas."""
    if solution.objective_value is None:
        return
    # max_margin: the margin; min_price: the client's spend.
    recomputed = totals.margin if solution.objective == "max_margin" else totals.revenue
    if not close(solution.objective_value, recomputed, rel=1e-6, abs_=1e-3):
        check.problems.append(
            ("objective equals the recomputed margin", abs(solution.objective_value - recomputed))
        )
