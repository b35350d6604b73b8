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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pulp

from optimizer.limits.base import ModelTerms
from optimizer.limits.registry import of_scope
from optimizer.milp.built import (
    BuiltModel,
    FixedChoice,
    Option,
    RowBook,
    handled_expression,
    paid_hours_terms,
    price_expression,
    sanitise,
    scheduled_terms,
    tier_indicator,
    value_at,
    value_expression,
)
from optimizer.milp.deferred import DeferredVars, add_deferred
from optimizer.milp.shifts import ShiftPattern, shift_patterns
from optimizer.rows import RowKey
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario
from optimizer.staffing import costs
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


@dataclass
class _Draft:
    """The model while it is being built (frozen into a :class:`BuiltModel` at the end)."""

    scenario: Scenario
    requirements: RequirementTable
    book: RowBook
    quotes: dict[str, FixedChoice]
    options: dict[str, list[Option]] = field(default_factory=dict)
    agents: dict[tuple[str, str], dict[int, pulp.LpVariable]] = field(default_factory=dict)
    shifts: dict[tuple[str, str], list[tuple[ShiftPattern, pulp.LpVariable]]] = field(
        default_factory=dict
    )
    deferred: dict[str, DeferredVars] = field(default_factory=dict)
    revenue: dict[str, pulp.LpAffineExpression] = field(default_factory=dict)
    cost_terms: dict[pulp.LpVariable, float] = field(default_factory=dict)
    cost: pulp.LpAffineExpression = field(default_factory=pulp.LpAffineExpression)

    @property
    def prob(self) -> pulp.LpProblem:
        return self.book.prob

    def add(self, constraint: pulp.LpConstraint, key: RowKey) -> None:
        self.book.add(constraint, key)

    def freeze(self, objective: str) -> BuiltModel:
        return BuiltModel(
            self.scenario,
            self.requirements,
            self.prob,
            objective,
            self.options,
            self.agents,
            self.shifts,
            self.deferred,
            self.revenue,
            self.cost,
            self.book,
        )


class _Terms(ModelTerms):
    """The draft's linear expressions, as the limit families write their rows with."""

    def __init__(self, draft: _Draft) -> None:
        self.draft = draft
        self.scenario = draft.scenario

    def add(self, row: Any, key: RowKey) -> None:
        self.draft.add(row, key)

    def revenue(self, category: str | None = None) -> Any:
        if category is not None:
            return self.draft.revenue[category]
        return pulp.lpSum(self.draft.revenue.values())

    def _contact_categories(self) -> list[Category]:
        return [c for c in self.scenario.categories if not c.is_project]

    def contact_revenue(self) -> Any:
        return pulp.lpSum(self.draft.revenue[c.name] for c in self._contact_categories())

    def handled(self, category: str | None = None) -> Any:
        if category is not None:
            return handled_expression(self.draft, category)
        return pulp.lpSum(
            handled_expression(self.draft, c.name) for c in self._contact_categories()
        )

    def value(self) -> Any:
        return pulp.lpSum(value_expression(self.draft, c.name) for c in self.scenario.categories)

    def cost(self) -> Any:
        return self.draft.cost

    def price(self, category: str) -> Any:
        return price_expression(self.draft, category)

    def tiers_below(self, category: str, tier: str) -> Any:
        tiers = self.scenario.category(category).tiers
        rank = [t.name for t in tiers].index(tier)
        below = {t.name for t in tiers[:rank]}
        return pulp.lpSum(o.var for o in self.draft.options[category] if o.tier in below)

    def quoted(self, category: str) -> tuple[FixedChoice, Any] | None:
        quote = self.draft.quotes.get(category)
        if quote is None:
            return None
        options = self.draft.options[category]
        chosen = [o.var for o in options if o.tier == quote.tier and o.price == quote.price]
        return quote, pulp.lpSum(chosen)

    def agents(self, site: str) -> dict[int, Any]:
        return {
            t: pulp.LpAffineExpression({v: 1.0 for v in terms})
            for t, terms in scheduled_terms(self.draft, site).items()
        }

    def scheduled(self, site: str) -> dict[int, Any]:
        return {
            t: pulp.LpAffineExpression(terms)
            for t, terms in scheduled_terms(self.draft, site).items()
        }

    def paid_hours(self, site: str) -> Any:
        return pulp.LpAffineExpression(paid_hours_terms(self.draft, site))

    def label(self, interval: int) -> str:
        return self.draft.requirements.labels[interval]


def build_model(
    scenario: Scenario,
    requirements: RequirementTable,
    objective: str | None = None,
    fixed: dict[str, FixedChoice] | None = None,
    choices: dict[str, tuple[str, float]] | None = None,
    elastic: dict[str, float] | None = None,
    spend_cap: float | None = None,
    pin_ranges: bool = False,
) -> BuiltModel:
    """Build the MILP. ``fixed`` holds quoted choices as limits (``fixed[...]``);
    ``choices`` pins tier and price outright (used by the shift phase and explain; a
    continuous price range stays free unless ``pin_ranges``);
    ``elastic`` maps limit families to the penalty per unit of slack: the model then
    minimises the weighted slack instead (infeasibility diagnosis).

    ``min_price`` is lexicographic (``optimizer.pipeline``): the lowest client spend
    first, then, with ``spend_cap`` the spend found, the lowest provider cost at
    that spend (row ``min_price_spend``, objective the cost)."""
    objective = objective or scenario.objective
    sense = pulp.LpMaximize if objective == "max_margin" and not elastic else pulp.LpMinimize
    prob = pulp.LpProblem(sanitise(scenario.scenario) or "deal", sense)
    draft = _Draft(scenario, requirements, RowBook(prob, frozenset(elastic or ())), fixed or {})
    terms = _Terms(draft)
    for cat in scenario.categories:
        _add_choice(draft, cat, (choices or {}).get(cat.name), pin_ranges)
        for family in of_scope("category"):
            family.write(terms, cat.name)
    for cat in scenario.categories:
        if not cat.is_project:
            _add_staffing(draft, cat, requirements.category(cat.name))
    draft.cost = pulp.LpAffineExpression(draft.cost_terms) + _constant_cost(scenario)
    for site in scenario.provider.sites:
        for family in of_scope("site"):
            family.write(terms, site.name)
    for family in of_scope("deal"):
        family.write(terms, None)
    revenue = terms.revenue()
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
    elif spend_cap is None:
        prob.setObjective(revenue)  # the most competitive bid
    else:
        # Among the bids at the lowest spend, the cheapest to deliver.
        draft.add(revenue <= spend_cap, RowKey("min_price_spend"))
        prob.setObjective(draft.cost)
    return draft.freeze(objective)


def _constant_cost(scenario: Scenario) -> float:
    projects = sum(costs.project_cost(scenario, c) for c in scenario.categories if c.is_project)
    return costs.fixed_cost(scenario) + projects


def _prices(
    cat: Category,
    tier_name: str,
    prices: tuple[float | None, ...] | None,
    quote: FixedChoice | None,
    pinned: tuple[str, float] | None,
    pin_ranges: bool,
) -> tuple[float | None, ...] | None:
    """The prices offered at one tier: the menu, a quote, or a pinned choice (None for a
    continuous range, an empty tuple for a tier left out)."""
    if quote is not None and quote.tier == tier_name:
        prices = (quote.price,)  # the quoted price, on the menu or not
    if pinned is not None:
        if pinned[0] != tier_name:
            return ()
        # A continuous range stays free unless ``pin_ranges`` asks for its price too.
        if prices is not None or pin_ranges:
            prices = (pinned[1],)
    return prices


def _add_choice(
    draft: _Draft, cat: Category, pinned: tuple[str, float] | None, pin_ranges: bool
) -> None:
    """Binaries for each (tier, price) option; exactly one is chosen."""
    reqs = draft.requirements.category(cat.name)
    options: list[Option] = []
    revenue: dict[pulp.LpVariable, float] = {}
    tag = sanitise(cat.name)
    for k, tier in enumerate(cat.tiers):
        q = reqs.tier(tier.name).billable_per_month
        quote = draft.quotes.get(cat.name)
        prices = _prices(cat, tier.name, tier.price_points(), quote, pinned, pin_ranges)
        if prices is None:
            y = draft.prob.add_variable(f"y_{tag}_{k}", cat=pulp.LpBinary)
            low, high = tier.price_bounds()
            pv = draft.prob.add_variable(f"p_{tag}_{k}", lowBound=0, upBound=high)
            key = {"category": cat.name, "tier": tier.name}
            draft.add(pv - low * y >= 0, RowKey("price_range_min", **key))
            draft.add(pv - high * y <= 0, RowKey("price_range_max", **key))
            options.append(Option(cat.name, tier.name, None, y, pv))
            revenue[pv] = revenue.get(pv, 0.0) + q
            continue
        for i, price in enumerate(prices):
            assert price is not None
            x = draft.prob.add_variable(f"x_{tag}_{k}_{i}", cat=pulp.LpBinary)
            options.append(Option(cat.name, tier.name, float(price), x))
            revenue[x] = float(price) * q
    draft.options[cat.name] = options
    draft.revenue[cat.name] = pulp.LpAffineExpression(revenue)
    draft.add(pulp.lpSum(o.var for o in options) == 1, RowKey("one_choice", category=cat.name))


def _upper_bounds(draft: _Draft, cat: Category, reqs: CategoryRequirements) -> dict[int, int]:
    """Staffed intervals of ``cat`` and the most agents any of its tiers needs there."""
    if cat.channel == "deferred":
        capacity = costs.deferred_per_agent(
            draft.scenario, cat, draft.requirements.interval_minutes
        )
        bound = int(np.ceil(float(np.sum(reqs.volume)) / capacity)) + 1
        return {int(t): bound for t in np.flatnonzero(reqs.open)}
    peak = np.vstack([t.agents for t in reqs.tiers]).max(axis=0)
    return {int(t): int(peak[t]) for t in np.flatnonzero(peak > 0)}


def _add_staffing(draft: _Draft, cat: Category, reqs: CategoryRequirements) -> None:
    """Agents per site and interval, their cost, and coverage of the chosen tier."""
    scenario = draft.scenario
    labels = draft.requirements.labels
    upper = _upper_bounds(draft, cat, reqs)
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

        draft.deferred[cat.name] = add_deferred(draft, cat, reqs, pooled, active, indicator)
        return
    for t in active:
        need = {o.var: float(reqs.tier(o.tier).agents[t]) for o in draft.options[cat.name]}
        need_expr = pulp.LpAffineExpression({v: c for v, c in need.items() if c})
        draft.add(
            pulp.LpAffineExpression(pooled[t]) - need_expr >= 0,
            RowKey("coverage", category=cat.name, interval=labels[t]),
        )


def _add_shifts(
    draft: _Draft, site: str, cat: Category, agents: dict[int, pulp.LpVariable]
) -> None:
    """Shift mode: integer agents per shift pattern cover each interval after shrinkage."""
    scenario = draft.scenario
    s = scenario.site(site)
    productive_share = 1.0 - scenario.site_shrinkage(s)
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
