"""(Scenario, requirements, Solution) -> VerifiedResult, independently of the MILP.

Nothing here imports PuLP or the model: from the chosen tiers and prices and the
integer staffing, the service level of every interval is recomputed with the
queueing engine and the deferred-work schedule is replayed
(:mod:`optimizer.analysis.service`); revenue, cost, contacts and value are
recomputed from the cost formulas, every client and provider limit is re-checked on
them by its family (:mod:`optimizer.limits`), and the margin recomputed this way
must equal the solver's objective. Any violation beyond the named tolerances raises
:class:`~optimizer.errors.VerificationError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from optimizer.analysis.contract import contract_view
from optimizer.analysis.service import (
    check_bonus,
    check_deferred,
    check_queue,
    check_shift_cover,
    check_volume,
    scheduled,
)
from optimizer.conventions import close
from optimizer.errors import VerificationError
from optimizer.limits.base import Recomputed, Violations
from optimizer.limits.registry import FAMILIES, of_scope
from optimizer.results import (
    CategoryOutcome,
    Choice,
    LimitOutcome,
    SiteOutcome,
    Solution,
    Totals,
    VerifiedResult,
)
from optimizer.rows import RowKey
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario
from optimizer.scenario.terms import Terms
from optimizer.staffing import charges, costs
from optimizer.staffing.cash_flow import cash_flow
from optimizer.staffing.requirements import RequirementTable

BINDING_TOLERANCE = 1e-3
"""A limit binds when its slack is within this share of the row's size: an ROI of
50.03% against a 50% floor, or 4.5999 per contact against a 4.60 cap, is what sets the
prices. (``optimizer.analysis.explain`` also marks a limit binding when its shadow price is
not zero.)"""
SHARE_TOLERANCE = 1e-6
"""Slack of the billing split's sum and of each site's part (a share of the quantity)."""


def verify(scenario: Scenario, reqs: RequirementTable, solution: Solution) -> VerifiedResult:
    """Re-check ``solution``; raise VerificationError on any violation."""
    assert solution.status.has_solution
    check = Violations()
    staffing = scheduled(scenario, solution, len(reqs.labels))
    month = reqs.interval_hours * scenario.calendar.weeks_per_month
    paid = {key: float(sched.sum()) * month for key, sched in staffing.items()}
    paid_by_site: dict[str, float] = {s.name: 0.0 for s in scenario.provider.sites}
    cost_by_site: dict[str, float] = {s.name: 0.0 for s in scenario.provider.sites}
    for (site_name, _cat_name), hours in paid.items():
        paid_by_site[site_name] += hours
        cost_by_site[site_name] += hours * costs.paid_hour_rate(scenario, scenario.site(site_name))
    outcomes = [
        _category(scenario, reqs, solution, cat, paid, check) for cat in scenario.categories
    ]
    check_shift_cover(scenario, solution, staffing, check)
    sums = _sums(scenario, outcomes, cost_by_site, paid_by_site)
    got = _recomputed(scenario, solution, outcomes, staffing, paid_by_site, sums)
    _check_limits(scenario, got, check)
    _check_objective(solution, sums, check)
    if check.problems:
        lines = "; ".join(f"{what} (off by {amount:.6g})" for what, amount in check.problems[:10])
        raise VerificationError(f"the solution fails its independent re-check: {lines}")
    sites = tuple(
        SiteOutcome(
            s.name,
            costs.fte(paid_by_site[s.name], scenario),
            paid_by_site[s.name],
            cost_by_site[s.name],
        )
        for s in scenario.provider.sites
    )
    result = VerifiedResult(
        scenario.scenario,
        scenario.currency,
        solution.status,
        solution.objective,
        _totals(sums),
        tuple(outcomes),
        sites,
        _limits(scenario, solution, got),
        True,
        check.worst,
        solution.solver,
        labels=reqs.labels,
        staffing=staffing,
        billing=_billing(scenario, reqs, solution),
        cash_flow=cash_flow(scenario, {o.name: o.revenue for o in outcomes}, sums.cost),
    )
    return replace(result, contract=contract_view(scenario, result))


def _sums(
    scenario: Scenario,
    outcomes: list[CategoryOutcome],
    cost_by_site: dict[str, float],
    paid_by_site: dict[str, float],
) -> costs.DealSums:
    """Revenue, cost, contacts and value of the deal, from the cost formulas."""
    projects = sum(costs.project_cost(scenario, c) for c in scenario.categories if c.is_project)
    cost = sum(cost_by_site.values()) + costs.fixed_cost(scenario) + projects
    contact_names = {c.name for c in scenario.categories if not c.is_project}
    return costs.DealSums(
        sum(o.revenue for o in outcomes),
        cost,
        sum(o.revenue for o in outcomes if o.name in contact_names),
        cost - projects,
        sum(o.contacts for o in outcomes if o.name in contact_names),
        sum(costs.client_value(scenario.category(o.name), o.contacts, o.tier) for o in outcomes),
        costs.fte(sum(paid_by_site.values()), scenario),
    )


def _recomputed(
    scenario: Scenario,
    solution: Solution,
    outcomes: list[CategoryOutcome],
    staffing: dict[tuple[str, str], np.ndarray],
    paid_by_site: dict[str, float],
    sums: costs.DealSums,
) -> Recomputed:
    """The figures the limit families re-check."""
    scheduled = {
        site.name: sum((a for (s, _), a in staffing.items() if s == site.name), start=np.zeros(1))
        for site in scenario.provider.sites
    }
    return Recomputed(
        revenue=sums.revenue,
        contact_revenue=sums.contact_revenue,
        contacts=sums.contacts,
        value=sums.value,
        cost=sums.cost,
        choices=solution.choices,
        revenue_of={o.name: o.revenue for o in outcomes},
        cost_of={o.name: o.cost for o in outcomes},
        contacts_of={o.name: o.contacts for o in outcomes},
        scheduled=scheduled,
        fte={name: costs.fte(hours, scenario) for name, hours in paid_by_site.items()},
        productive={key: float(np.sum(a)) for key, a in solution.agents.items()},
    )


def _totals(sums: costs.DealSums) -> Totals:
    ratios = sums.ratios()
    return Totals(
        sums.revenue,
        sums.cost,
        sums.margin,
        ratios["margin_pct"],
        ratios["markup_pct"],
        sums.contacts,
        ratios["client_cost_per_contact"],
        ratios["provider_cost_per_contact"],
        ratios["client_roi"],
        sums.fte,
    )


def _check_limits(scenario: Scenario, got: Recomputed, check: Violations) -> None:
    """Every client and provider limit, re-checked by its family on recomputed figures."""
    for cat in scenario.categories:
        for family in of_scope("category"):
            family.check(scenario, got, check, cat.name)
    for site in scenario.provider.sites:
        for family in of_scope("site"):
            family.check(scenario, got, check, site.name)
    for family in of_scope("deal"):
        family.check(scenario, got, check, None)


def _limits(scenario: Scenario, solution: Solution, got: Recomputed) -> tuple[LimitOutcome, ...]:
    """Client and provider limits; per-interval rows (seats) folded to the tightest per
    site. A family may judge its own slack (a minimum tier binds at the floor itself);
    a row's slack is reported in its limit's unit (``Family.in_units``), binding judged
    on the row."""
    tightest: dict[RowKey, tuple[RowKey, float, float | None, float]] = {}
    judged: set[RowKey] = set()
    for row in solution.rows.values():
        family = FAMILIES.get(row.key.family)
        if family is None:
            continue
        own = family.slack(scenario, solution.choices, row.key)
        if own is not None:
            tightest[row.key] = (row.key, own, row.dual, 1.0)
            judged.add(row.key)
            continue
        group = row.key.group() if family.per_interval else row.key
        if group not in tightest or row.slack < tightest[group][1]:
            tightest[group] = (row.key, row.slack, row.dual, row.scale)
    out = []
    for key, slack, dual, scale in tightest.values():
        shown, units = slack, 1.0
        if key not in judged:
            shown, units = FAMILIES[key.family].in_units(scenario, got, key, slack)
        out.append(LimitOutcome(key, _binds(slack, scale), shown, dual, units=units))
    return tuple(out)


def _binds(slack: float, scale: float) -> bool:
    """Binding: slack within BINDING_TOLERANCE of the row's size (700 on 700k binds)."""
    return abs(slack) <= BINDING_TOLERANCE * max(1.0, scale)


def _billing(
    scenario: Scenario, reqs: RequirementTable, solution: Solution
) -> dict[str, dict[str, Any]]:
    """How each category with contract terms (or a plan) is billed at its choice."""
    out: dict[str, dict[str, Any]] = {}
    for cat in scenario.categories:
        choice = solution.choices[cat.name]
        if cat.terms == Terms() and not (choice.plan_fee or choice.included):
            continue
        quantity = reqs.category(cat.name).tier(choice.tier).billable_per_month
        plan = charges.plan_of(choice)
        usage = charges.plan_charge(cat.terms.volume_bands, plan, quantity)
        out[cat.name] = {
            "billable_quantity": quantity,
            "plan_fee": choice.plan_fee,
            "included": choice.included,
            "usage_charge": usage,
            "minimum_top_up": max(0.0, (cat.terms.minimum_monthly or 0.0) - usage),
            "platform_fee": choice.platform_fee,
            "all_units_cliff": charges.cliff(cat.terms, plan, quantity),
        }
        if cat.terms.bonus:
            out[cat.name]["bonus"] = [
                {
                    "service_level": level.service_level,
                    "answer_within_seconds": level.answer_within_seconds,
                    "amount": level.amount,
                    "earned": on,
                }
                for level, on in zip(cat.terms.bonus, choice.bonus, strict=False)
            ]
            out[cat.name]["bonus_earned"] = charges.bonus_charge(cat.terms, choice.bonus)
        if cat.terms.site_premium:
            shares = billed_shares(choice, productive_hours(solution, cat.name))
            out[cat.name]["site_shares"] = shares
            out[cat.name]["site_premium"] = charges.site_premium_charge(
                cat.terms, plan, quantity, shares
            )
    return out


def charge_of(
    cat: Category, choice: Choice, quantity: float, hours: Mapping[str, float] | None = None
) -> float:
    """The category's monthly revenue at its chosen point under its terms, recomputed from
    the choice (plan, unit price, platform fee) and the billable quantity; with a site
    premium, the quantity split over the sites as the choice bills it (``billed_shares``)."""
    plan = charges.plan_of(choice)
    shares = billed_shares(choice, hours or {})
    premium = charges.site_premium_charge(cat.terms, plan, quantity, shares)
    bonus = charges.bonus_charge(cat.terms, choice.bonus)
    return charges.usage_charge(cat.terms, plan, quantity) + choice.platform_fee + premium + bonus


def billed_shares(choice: Choice, hours: Mapping[str, float]) -> dict[str, float]:
    """Site -> share of the billable quantity billed from it: the solution's own split
    (design 11: the optimiser chooses it, each site's part at most what it staffs,
    ``check_site_split``), else in proportion to the productive ``hours``."""
    return dict(choice.site_split) if choice.site_split else charges.site_shares(hours)


def check_site_split(
    cat: Category, choice: Choice, required: float, hours: Mapping[str, float], check: Violations
) -> None:
    """A billing split that sums to the whole quantity, each site's part at least 0 and at
    most what it staffs: ``share_s x R <= H_s`` (``R`` the tier's required productive
    agent-intervals, ``H_s`` the site's), so that a staffed agent-interval bills at most
    ``q / R`` units."""
    if not cat.terms.site_premium or required <= 0:
        return
    shares = billed_shares(choice, hours)
    check.at_least(f"billing split of {cat.name}", sum(shares.values()), 1.0, SHARE_TOLERANCE)
    check.at_most(f"billing split of {cat.name}", sum(shares.values()), 1.0, SHARE_TOLERANCE)
    for site, share in shares.items():
        staffed = hours.get(site, 0.0)
        what = f"{site} part of the billing split of {cat.name}"
        check.at_least(what, share, 0.0, SHARE_TOLERANCE)
        check.at_most(what, share * required, staffed, SHARE_TOLERANCE * required)


def productive_hours(solution: Solution, category: str) -> dict[str, float]:
    """Site -> productive agent-intervals of ``category`` in the solution's staffing (the
    site split's weights: the interval length cancels in the shares)."""
    return {s: float(np.sum(a)) for (s, c), a in solution.agents.items() if c == category}


def _category(
    scenario: Scenario,
    reqs: RequirementTable,
    solution: Solution,
    cat: Category,
    paid_hours: dict[tuple[str, str], float],
    check: Violations,
) -> CategoryOutcome:
    choice = solution.choices[cat.name]
    creq = reqs.category(cat.name)
    treq = creq.tier(choice.tier)
    productive = productive_hours(solution, cat.name)
    revenue = charge_of(cat, choice, treq.billable_per_month, productive)
    check_site_split(cat, choice, float(np.sum(treq.agents)), productive, check)
    paid = 0.0
    direct = 0.0
    for (site_name, c), hours in paid_hours.items():
        if c == cat.name:
            paid += hours
            direct += hours * costs.paid_hour_rate(scenario, scenario.site(site_name))
    sl: float | None = None
    abandon: float | None = None
    if not cat.is_project:
        check_volume(scenario, cat, creq, treq.handled_per_month, check)
    if cat.is_project:
        direct = costs.project_cost(scenario, cat)
    elif cat.channel == "deferred":
        sl = check_deferred(scenario, reqs, solution, cat, creq, check)
        abandon = 0.0
    else:
        sl, abandon = check_queue(
            scenario, solution, cat, creq, choice.tier, len(reqs.labels), check
        )
        check_bonus(solution, cat, creq, len(reqs.labels), check)
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


def _check_objective(solution: Solution, totals: costs.DealSums, check: Violations) -> None:
    """The solver's objective must equal the margin (or spend) recomputed from formulas."""
    if solution.objective_value is None or solution.objective == "max_expected_margin":
        return  # an expected margin: the pipeline simulates the plan it chose again
    # max_margin: the margin; min_price: the client's spend.
    recomputed = totals.margin if solution.objective == "max_margin" else totals.revenue
    if not close(solution.objective_value, recomputed, rel=1e-6, abs_=1e-3):
        check.problems.append(
            ("objective equals the recomputed margin", abs(solution.objective_value - recomputed))
        )
