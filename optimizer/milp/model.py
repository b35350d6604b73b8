"""(Scenario, RequirementTable) -> BuiltModel: the pricing MILP in PuLP (design section 6).

Decisions: one (tier, price) choice per category (binaries ``x``; a price range
without a step is a continuous price ``p`` in ``[min y, max y]``), integer
productive agents ``n[s, c, t]`` pooled per category, integer shift counts
``z[s, c, j]`` in shift mode, and the deferred work ``w[c, t]`` handled per
interval. Every billable quantity is fixed once the tier is chosen, so revenue is
linear. The builder never evaluates a queueing formula: requirements come in as
tables. The client's and provider's limits are written by their families
(:mod:`optimizer.limits`); every row is named by a :class:`~optimizer.rows.RowKey`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pulp

from optimizer.limits.registry import of_scope
from optimizer.milp.bonus import add_bonus_revenue, link_bonus
from optimizer.milp.built import (
    BuiltModel,
    FixedChoice,
    Option,
    RowBook,
    price_expression,
    sanitise,
    tier_indicator,
    value_at,
)
from optimizer.milp.deferred import add_deferred
from optimizer.milp.draft import Draft, Terms, quoted_plan
from optimizer.milp.shifts import shift_patterns
from optimizer.milp.site_mix import add_site_revenue, idle_allowance, link_site_mix
from optimizer.rows import RowKey
from optimizer.scenario.models import Category, Tier
from optimizer.scenario.schema import Scenario
from optimizer.scenario.terms import Plan, as_plan
from optimizer.staffing import charges, costs
from optimizer.staffing.requirements import CategoryRequirements, RequirementTable

__all__ = [
    "BuiltModel",
    "FixedChoice",
    "Option",
    "build_model",
    "price_expression",
    "tier_indicator",
    "value_at",
]


def build_model(
    scenario: Scenario,
    requirements: RequirementTable,
    objective: str | None = None,
    fixed: dict[str, FixedChoice] | None = None,
    choices: dict[str, tuple[str, float]] | None = None,
    elastic: dict[str, float] | None = None,
    spend_cap: float | None = None,
    pin_ranges: bool = False,
    expected: Mapping[str, Mapping[Any, tuple[float, float]]] | None = None,
) -> BuiltModel:
    """Build the MILP. ``fixed`` holds quoted choices as limits (``fixed[...]``);
    ``choices`` pins tier and price outright (used by the shift phase and explain; a
    continuous price range stays free unless ``pin_ranges``);
    ``elastic`` maps limit families to the penalty per unit of slack: the model then
    minimises the weighted slack instead (infeasibility diagnosis).

    ``min_price`` is lexicographic (``optimizer.pipeline``): the lowest client spend
    first, then, with ``spend_cap`` the spend found, the lowest provider cost at
    that spend (row ``min_price_spend``, objective the cost).

    ``max_expected_margin`` maximises the margin expected over simulated months: each
    option's revenue changes by ``expected[category][(tier, plan)]`` = ``(a, b)``, ``a``
    per unit of the option's binary (a price point) or of its continuous price (a
    range), ``b`` per unit of the range's binary; every limit keeps the forecast
    revenue."""
    objective = objective or scenario.objective
    maximise = objective in ("max_margin", "max_expected_margin") and not elastic
    sense = pulp.LpMaximize if maximise else pulp.LpMinimize
    prob = pulp.LpProblem(sanitise(scenario.scenario) or "deal", sense)
    book = RowBook(prob, frozenset(elastic or ()))
    draft = Draft(scenario, requirements, book, fixed or {}, objective)
    terms = Terms(draft)
    mixes = {}
    for cat in scenario.categories:
        _add_choice(draft, cat, (choices or {}).get(cat.name), pin_ranges)
        if objective == "max_expected_margin":
            _add_expected(draft, cat, (expected or {}).get(cat.name, {}))
        mixes[cat.name] = add_site_revenue(draft, cat)
        add_bonus_revenue(draft, cat)
        for family in of_scope("category"):
            family.write(terms, cat.name)
    for cat in scenario.categories:
        if not cat.is_project:
            _add_staffing(draft, cat, requirements.category(cat.name))
            link_site_mix(draft, cat, mixes[cat.name])
    draft.cost = pulp.LpAffineExpression(draft.cost_terms) + _constant_cost(scenario)
    for site in scenario.provider.sites:
        for family in of_scope("site"):
            family.write(terms, site.name)
    for family in of_scope("deal"):
        family.write(terms, None)
    _set_objective(draft, terms.revenue(), objective, elastic, spend_cap)
    return draft.freeze(objective)


def _set_objective(
    draft: Draft,
    revenue: pulp.LpAffineExpression,
    objective: str,
    elastic: dict[str, float] | None,
    spend_cap: float | None,
) -> None:
    """The weighted slack (diagnosis), the margin, the expected margin, the spend, or
    the cost at the lowest spend (``spend_cap``)."""
    prob = draft.prob
    if elastic:
        prob.setObjective(
            pulp.lpSum(
                elastic[key.family] * var
                for key, slack in draft.book.slacks.items()
                for var, _ in slack
            )
        )
    elif objective == "max_margin":
        prob.setObjective(revenue - draft.cost)
    elif objective == "max_expected_margin":
        prob.setObjective(revenue + pulp.LpAffineExpression(draft.expected) - draft.cost)
    elif spend_cap is None:
        prob.setObjective(revenue)  # the most competitive bid
    else:
        # Among the bids at the lowest spend, the cheapest to deliver.
        draft.add(revenue <= spend_cap, RowKey("min_price_spend"))
        prob.setObjective(draft.cost)


def _constant_cost(scenario: Scenario) -> float:
    projects = sum(costs.project_cost(scenario, c) for c in scenario.categories if c.is_project)
    return costs.fixed_cost(scenario) + projects


def _points(
    tier: Tier,
    quote: FixedChoice | None,
    pinned: tuple[str, float] | None,
    pin_ranges: bool,
) -> tuple[Plan, ...] | None:
    """The price points offered at one tier: the menu, a quote, or a pinned choice (None
    for a continuous range, an empty tuple for a tier left out). A quoted or pinned unit
    price keeps the menu's plans at that price, else it is a plain price off the menu."""
    plans = tier.plans()

    def at(price: float) -> tuple[Plan, ...]:
        same = tuple(dict.fromkeys(p for p in plans or () if p.unit_price == price))
        return same or (as_plan(price),)

    if quote is not None and quote.tier == tier.name:
        plans = at(quote.price) if quote.plan_fee is None else (quoted_plan(quote),)
    if pinned is not None:
        if pinned[0] != tier.name:
            return ()
        # A continuous range stays free unless ``pin_ranges`` asks for its price too.
        if plans is not None or pin_ranges:
            plans = at(pinned[1])
    return plans


def _add_choice(
    draft: Draft, cat: Category, pinned: tuple[str, float] | None, pin_ranges: bool
) -> None:
    """Binaries for each (tier, price point) option, exactly one chosen; an option's
    revenue is its charge under the category's terms (a constant per option)."""
    reqs = draft.requirements.category(cat.name)
    options: list[Option] = []
    revenue: dict[pulp.LpVariable, float] = {}
    tag = sanitise(cat.name)
    for k, tier in enumerate(cat.tiers):
        q = reqs.tier(tier.name).billable_per_month
        plans = _points(tier, draft.quotes.get(cat.name), pinned, pin_ranges)
        if plans is None:
            y = draft.prob.add_variable(f"y_{tag}_{k}", cat=pulp.LpBinary)
            low, high = tier.price_bounds()
            pv = draft.prob.add_variable(f"p_{tag}_{k}", lowBound=0, upBound=high)
            key = {"category": cat.name, "tier": tier.name}
            draft.add(pv - low * y >= 0, RowKey("price_range_min", **key))
            draft.add(pv - high * y <= 0, RowKey("price_range_max", **key))
            options.append(Option(cat.name, tier.name, None, y, pv))
            revenue[pv] = revenue.get(pv, 0.0) + charges.billed_units(cat.terms.volume_bands, q)
            continue
        for i, plan in enumerate(plans):
            x = draft.prob.add_variable(f"x_{tag}_{k}_{i}", cat=pulp.LpBinary)
            options.append(Option(cat.name, tier.name, float(plan.unit_price), x, plan=plan))
            revenue[x] = charges.usage_charge(cat.terms, plan, q)
    draft.options[cat.name] = options
    fee = _add_platform_fee(draft, cat, revenue)
    draft.revenue[cat.name] = pulp.LpAffineExpression(revenue, constant=fee)
    draft.add(pulp.lpSum(o.var for o in options) == 1, RowKey("one_choice", category=cat.name))


def _add_expected(draft: Draft, cat: Category, changes: Mapping[Any, tuple[float, float]]) -> None:
    """The simulated months' change of each option's revenue, for the objective only."""
    for option in draft.options[cat.name]:
        a, b = changes.get((option.tier, option.plan), (0.0, 0.0))
        on = option.price_var if option.price_var is not None else option.var
        draft.expected[on] = draft.expected.get(on, 0.0) + a
        if b:
            draft.expected[option.var] = draft.expected.get(option.var, 0.0) + b


def _add_platform_fee(draft: Draft, cat: Category, revenue: dict[pulp.LpVariable, float]) -> float:
    """A platform fee menu: one binary per fee, exactly one chosen, its fee added to the
    revenue terms. Returns the constant fee of a single-number fee (0 without one)."""
    quote = draft.quotes.get(cat.name)
    held = None if quote is None else quote.platform_fee
    menu = cat.terms.fee_menu() if held is None else (held,)
    if len(menu) == 1:
        draft.fees[cat.name] = [(float(menu[0]), None)]
        return float(menu[0])
    tag = sanitise(cat.name)
    fees = [
        (float(fee), draft.prob.add_variable(f"f_{tag}_{i}", cat=pulp.LpBinary))
        for i, fee in enumerate(menu)
    ]
    draft.fees[cat.name] = list(fees)
    for fee, var in fees:
        revenue[var] = revenue.get(var, 0.0) + fee
    draft.add(pulp.lpSum(var for _, var in fees) == 1, RowKey("one_fee", category=cat.name))
    return 0.0


def _upper_bounds(draft: Draft, cat: Category, reqs: CategoryRequirements) -> dict[int, int]:
    """Staffed intervals of ``cat`` and the most agents any of its tiers needs there."""
    if cat.channel == "deferred":
        capacity = costs.deferred_per_agent(
            draft.scenario, cat, draft.requirements.interval_minutes
        )
        bound = int(np.ceil(float(np.sum(reqs.volume)) / capacity)) + 1
        return {int(t): bound for t in np.flatnonzero(reqs.open)}
    peak = np.vstack([t.agents for t in reqs.tiers] + list(reqs.bonus_agents)).max(axis=0)
    return {int(t): int(peak[t]) for t in np.flatnonzero(peak > 0)}


def _add_staffing(draft: Draft, cat: Category, reqs: CategoryRequirements) -> None:
    """Agents per site and interval, their cost, and coverage of the chosen tier."""
    scenario = draft.scenario
    labels = draft.requirements.labels
    # Where the work is delivered is worth something (design 11): agents above every
    # tier's need may carry premium units or a site's share (``idle_allowance``).
    idle = idle_allowance(cat, reqs, len(scenario.sites_for(cat.name)))
    upper = {t: cap + idle for t, cap in _upper_bounds(draft, cat, reqs).items()}
    active = list(upper)
    intervals = scenario.provider.staffing == "intervals"
    pooled: dict[int, dict[pulp.LpVariable, float]] = {t: {} for t in active}
    for site in scenario.sites_for(cat.name):
        tag = f"{sanitise(site.name)}_{sanitise(cat.name)}"
        # Shift mode: the integer decision is the shift count z; productive agents are
        # z x (1 - shrinkage), fractional by nature, so n is continuous there.
        kind = pulp.LpInteger if intervals else pulp.LpContinuous
        agents = {
            t: draft.prob.add_variable(f"n_{tag}_{t}", lowBound=0, upBound=upper[t], cat=kind)
            for t in active
        }
        draft.agents[(site.name, cat.name)] = agents
        for t, var in agents.items():
            pooled[t][var] = 1.0
        if intervals:
            unit_cost = costs.agent_interval_cost(scenario, site)
            for var in agents.values():
                draft.cost_terms[var] = unit_cost
        else:
            _add_shifts(draft, site.name, cat, agents)
    if cat.channel == "deferred":
        # One expression per tier, not one per interval and tier: the deadline rows ask
        # for it 2 x T times (the same rows; 4.3 of 54 s of the 50 x 6 x 7 build profiled).
        indicators = {t.name: tier_indicator(draft, cat.name, t.name) for t in cat.tiers}

        def indicator(tier: str) -> pulp.LpAffineExpression:
            return indicators[tier]

        counted = None if intervals else _shift_capacity(draft, cat.name, active)
        draft.deferred[cat.name] = add_deferred(
            draft, cat, reqs, pooled, active, indicator, counted
        )
        return
    for t in active:
        need = {o.var: float(reqs.tier(o.tier).agents[t]) for o in draft.options[cat.name]}
        need_expr = pulp.LpAffineExpression({v: c for v, c in need.items() if c})
        draft.add(
            pulp.LpAffineExpression(pooled[t]) - need_expr >= 0,
            RowKey("coverage", category=cat.name, interval=labels[t]),
        )
    link_bonus(draft, cat, pooled)


def _shift_capacity(
    draft: Draft, category: str, active: list[int]
) -> tuple[dict[pulp.LpVariable, float], float]:
    """Shift mode: each shift of ``category`` weighted by the open intervals it covers
    times its site's productive share over the best site's, and that best share (what
    ``optimizer.milp.deferred.add_deferred`` takes as ``counted``)."""
    scenario = draft.scenario
    open_ = set(active)
    keep = {
        site: scenario.productive_share(scenario.site(site))
        for site, cat in draft.shifts
        if cat == category
    }
    best = max(keep.values(), default=1.0)
    weights: dict[pulp.LpVariable, float] = {}
    for site, share in keep.items():
        for pattern, z in draft.shifts[(site, category)]:
            weights[z] = share / best * len(open_.intersection(pattern.covers))
    return weights, best


def _add_shifts(draft: Draft, site: str, cat: Category, agents: dict[int, pulp.LpVariable]) -> None:
    """Shift mode: integer agents per shift pattern cover each interval after shrinkage."""
    scenario = draft.scenario
    s = scenario.site(site)
    productive_share = scenario.productive_share(s)
    rate = costs.paid_hour_rate(scenario, s)
    tag = f"{sanitise(site)}_{sanitise(cat.name)}"
    pairs = []
    covering: dict[int, dict[pulp.LpVariable, float]] = {t: {} for t in agents}
    for j, pattern in enumerate(shift_patterns(scenario, set(agents))):
        z = draft.prob.add_variable(f"z_{tag}_{j}", lowBound=0, cat=pulp.LpInteger)
        pairs.append((pattern, z))
        draft.cost_terms[z] = rate * costs.shift_paid_hours(scenario, pattern.hours)
        for t in pattern.covers:
            if t in covering:
                covering[t][z] = productive_share
    draft.shifts[(site, cat.name)] = pairs
    labels = draft.requirements.labels
    for t, var in agents.items():
        draft.add(
            pulp.LpAffineExpression(covering[t]) - var >= 0,
            RowKey("shift_cover", site=site, category=cat.name, interval=labels[t]),
        )
