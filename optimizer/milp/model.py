"""(Scenario, RequirementTable) -> BuiltModel: the pricing MILP in PuLP (design section 6).

Decisions: one (tier, price) choice per category (binaries ``x``; a price range
without a step is a continuous price ``p`` in ``[min y, max y]``), integer
productive agents ``n[s, c, t]`` pooled per category, integer shift counts
``z[s, c, j]`` in shift mode, and the deferred work ``w[c, t]`` handled per
interval. Every billable quantity is fixed once the tier is chosen, so revenue is
linear. The builder never evaluates a queueing formula: requirements come in as
tables. Every constraint gets a deterministic readable name
(``coverage[billing][mon 09:30]``); ``BuiltModel.readable`` maps PuLP's sanitised
names back to them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pulp

from optimizer.milp.deferred import DeferredVars
from optimizer.milp.shifts import ShiftPattern, shift_patterns
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario
from optimizer.staffing import costs
from optimizer.staffing.requirements import CategoryRequirements, RequirementTable


@dataclass(frozen=True)
class Option:
    """One (tier, price) choice of a category; ``price`` None is a continuous range."""

    category: str
    tier: str
    price: float | None
    var: pulp.LpVariable
    price_var: pulp.LpVariable | None = None


@dataclass(frozen=True)
class FixedChoice:
    """A tier and price held fixed (what sales quoted); the price may be off the menu."""

    tier: str
    price: float


@dataclass
class BuiltModel:
    """The PuLP problem and typed maps from the scenario's objects to its variables."""

    scenario: Scenario
    requirements: RequirementTable
    prob: pulp.LpProblem
    objective: str
    options: dict[str, list[Option]]
    agents: dict[tuple[str, str], dict[int, pulp.LpVariable]]
    shifts: dict[tuple[str, str], list[tuple[ShiftPattern, pulp.LpVariable]]]
    deferred: dict[str, DeferredVars]
    revenue: dict[str, pulp.LpAffineExpression]
    cost: pulp.LpAffineExpression
    readable: dict[str, str] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)
    """PuLP constraint name -> family (``budget``, ``coverage``, ...)."""
    elastic: frozenset[str] = frozenset()
    """Families whose constraints get a penalised slack (infeasibility diagnosis)."""
    slacks: dict[str, list[tuple[pulp.LpVariable, float]]] = field(default_factory=dict)
    """Readable constraint name -> (slack variable, +1 loosens a <= row / -1 a >= row)."""
    rows: dict[str, pulp.LpConstraint] = field(default_factory=dict)
    """PuLP constraint name -> constraint, in the order added (PuLP 4 drops the mapping)."""

    def add(self, constraint: pulp.LpConstraint, family: str, *keys: str) -> None:
        """Add ``constraint`` named ``family[key]...`` (readable) under a sanitised name."""
        readable = family + "".join(f"[{k}]" for k in keys)
        name = _sanitise(readable)
        while name in self.readable:
            name += "_"
        if family in self.elastic:
            constraint = self._elastic(constraint, name, readable)
        self.prob.addConstraint(constraint, name)
        self.rows[name] = constraint
        self.readable[name] = readable
        self.families[name] = family

    def _elastic(
        self, constraint: pulp.LpConstraint, name: str, readable: str
    ) -> pulp.LpConstraint:
        """The constraint with a non-negative slack that moves its bound outward."""
        expr = constraint.expr
        rhs = expr.constant - constraint.constant
        terms = []
        if constraint.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ):
            terms.append((self.prob.add_variable(f"slack_up_{name}", lowBound=0), 1.0))
        if constraint.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ):
            terms.append((self.prob.add_variable(f"slack_down_{name}", lowBound=0), -1.0))
        self.slacks[readable] = terms
        moved = expr - pulp.lpSum(sign * var for var, sign in terms)
        return pulp.LpConstraint(moved, sense=constraint.sense, rhs=rhs)

    def total_revenue(self) -> pulp.LpAffineExpression:
        """Client spend per month."""
        return pulp.lpSum(self.revenue.values())

    def spend_at(self, values: dict[str, float]) -> float:
        """Client spend per month at a solution's raw variable values."""
        return value_at(self.total_revenue(), values)


def value_at(expr: pulp.LpAffineExpression, values: dict[str, float]) -> float:
    """Value of a linear expression at raw variable values (by name; missing ones 0)."""
    return float(expr.constant) + sum(c * values.get(v.name, 0.0) for v, c in expr.items())


_ILLEGAL = re.compile(r"[^A-Za-z0-9_]")


def _sanitise(readable: str) -> str:
    return _ILLEGAL.sub("_", readable.replace(":", "").replace("][", "_")).strip("_")


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
    sense = pulp.LpMaximize if objective == "max_margin" else pulp.LpMinimize
    if elastic:
        sense = pulp.LpMinimize
    prob = pulp.LpProblem(_sanitise(scenario.scenario) or "deal", sense)
    model = BuiltModel(
        scenario,
        requirements,
        prob,
        objective,
        {},
        {},
        {},
        {},
        {},
        pulp.LpAffineExpression(),
        elastic=frozenset(elastic or ()),
    )
    fixed = fixed or {}
    for cat in scenario.categories:
        _add_choice(model, cat, fixed.get(cat.name), (choices or {}).get(cat.name), pin_ranges)
    cost_terms: dict[pulp.LpVariable, float] = {}
    for cat in scenario.categories:
        if not cat.is_project:
            _add_staffing(model, cat, requirements.category(cat.name), cost_terms)
    model.cost = pulp.LpAffineExpression(cost_terms) + _constant_cost(scenario)
    _add_site_limits(model)
    _add_client_limits(model)
    revenue = model.total_revenue()
    p = scenario.provider
    model.add((1 - p.min_margin) * revenue - model.cost >= 0, "min_margin")
    if elastic:
        weights = elastic
        prob.setObjective(
            pulp.lpSum(
                weights[readable.partition("[")[0]] * var
                for readable, terms in model.slacks.items()
                for var, _ in terms
            )
        )
    elif objective == "max_margin":
        prob.setObjective(revenue - model.cost)
    elif spend_cap is None:
        prob.setObjective(revenue)  # the most competitive bid
    else:
        # Among the bids at the lowest spend, the cheapest to deliver.
        model.add(revenue <= spend_cap, "min_price_spend")
        prob.setObjective(model.cost)
    return model


def _constant_cost(scenario: Scenario) -> float:
    projects = sum(costs.project_cost(scenario, c) for c in scenario.categories if c.is_project)
    return costs.fixed_cost(scenario) + projects


def _add_choice(
    model: BuiltModel,
    cat: Category,
    fixed: FixedChoice | None,
    pinned: tuple[str, float] | None,
    pin_ranges: bool = False,
) -> None:
    """Binaries for each (tier, price) option; exactly one is chosen."""
    reqs = model.requirements.category(cat.name)
    options: list[Option] = []
    revenue: dict[pulp.LpVariable, float] = {}
    for k, tier in enumerate(cat.tiers):
        q = reqs.tier(tier.name).billable_per_month
        prices: tuple[float | None, ...] | None = tier.price_points()
        if fixed is not None and fixed.tier == tier.name:
            prices = (fixed.price,)  # the quoted price, on the menu or not
        if pinned is not None:
            if pinned[0] != tier.name:
                continue
            # A continuous range stays free unless ``pin_ranges`` asks for its price too.
            if prices is not None or pin_ranges:
                prices = (pinned[1],)
        if prices is None:
            y = model.prob.add_variable(f"y_{_sanitise(cat.name)}_{k}", cat=pulp.LpBinary)
            low, high = tier.price_bounds()
            pv = model.prob.add_variable(f"p_{_sanitise(cat.name)}_{k}", lowBound=0, upBound=high)
            model.add(pv - low * y >= 0, "price_range_min", cat.name, tier.name)
            model.add(pv - high * y <= 0, "price_range_max", cat.name, tier.name)
            options.append(Option(cat.name, tier.name, None, y, pv))
            revenue[pv] = revenue.get(pv, 0.0) + q
            continue
        for i, price in enumerate(prices):
            assert price is not None
            x = model.prob.add_variable(f"x_{_sanitise(cat.name)}_{k}_{i}", cat=pulp.LpBinary)
            options.append(Option(cat.name, tier.name, float(price), x))
            revenue[x] = float(price) * q
    model.options[cat.name] = options
    model.revenue[cat.name] = pulp.LpAffineExpression(revenue)
    model.add(pulp.lpSum(o.var for o in options) == 1, "one_choice", cat.name)
    if fixed is not None:
        chosen = [o.var for o in options if o.tier == fixed.tier and o.price == fixed.price]
        model.add(pulp.lpSum(chosen) == 1, "fixed", cat.name)
    _add_price_cap(model, cat, options)
    _add_min_tier(model, cat, options)


def tier_indicator(model: BuiltModel, category: str, tier: str) -> pulp.LpAffineExpression:
    """y[c, k]: 1 when ``category`` is sold at ``tier``."""
    return pulp.lpSum(o.var for o in model.options[category] if o.tier == tier)


def price_expression(model: BuiltModel, category: str) -> pulp.LpAffineExpression:
    """The chosen unit price of ``category`` as a linear expression."""
    terms: dict[pulp.LpVariable, float] = {}
    for o in model.options[category]:
        if o.price_var is not None:
            terms[o.price_var] = 1.0
        else:
            assert o.price is not None
            terms[o.var] = o.price
    return pulp.LpAffineExpression(terms)


def _add_price_cap(model: BuiltModel, cat: Category, options: list[Option]) -> None:
    if cat.benchmark_price is None or cat.max_premium is None:
        return
    cap = cat.benchmark_price * (1.0 + cat.max_premium)
    model.add(price_expression(model, cat.name) <= cap, "max_price", cat.name)


def _add_min_tier(model: BuiltModel, cat: Category, options: list[Option]) -> None:
    floor = model.scenario.client.min_tier.get(cat.name)
    if floor is None:
        return
    rank = [t.name for t in cat.tiers].index(floor)
    below = {t.name for t in cat.tiers[:rank]}
    model.add(pulp.lpSum(o.var for o in options if o.tier in below) == 0, "min_tier", cat.name)


def _add_staffing(
    model: BuiltModel,
    cat: Category,
    reqs: CategoryRequirements,
    cost_terms: dict[pulp.LpVariable, float],
) -> None:
    """Agents per site and interval, their cost, and coverage of the chosen tier."""
    scenario = model.scenario
    labels = model.requirements.labels
    if cat.channel == "deferred":
        capacity = (
            model.requirements.interval_minutes
            * 60
            * scenario.provider.max_occupancy
            / float(cat.aht_seconds or 1.0)
        )
        total = float(np.sum(reqs.volume))
        bound = int(np.ceil(total / capacity)) + 1
        active = [int(t) for t in np.flatnonzero(reqs.open)]
        upper = {t: bound for t in active}
    else:
        stacked = np.vstack([t.agents for t in reqs.tiers])
        peak = stacked.max(axis=0)
        active = [int(t) for t in np.flatnonzero(peak > 0)]
        upper = {t: int(peak[t]) for t in active}
    pooled: dict[int, dict[pulp.LpVariable, float]] = {t: {} for t in active}
    for site in scenario.sites_for(cat.name):
        unit_cost = costs.agent_interval_cost(scenario, site)
        key = (site.name, cat.name)
        tag = f"{_sanitise(site.name)}_{_sanitise(cat.name)}"
        # Shift mode: the integer decision is the shift count z; productive agents are
        # z x (1 - shrinkage), fractional by nature, so n is continuous there.
        kind = pulp.LpInteger if scenario.provider.staffing == "intervals" else pulp.LpContinuous
        agents = {
            t: model.prob.add_variable(f"n_{tag}_{t}", lowBound=0, upBound=upper[t], cat=kind)
            for t in active
        }
        model.agents[key] = agents
        for t, var in agents.items():
            pooled[t][var] = 1.0
        if scenario.provider.staffing == "intervals":
            for var in agents.values():
                cost_terms[var] = unit_cost
        else:
            _add_shifts(model, site.name, cat, agents, cost_terms)
    if cat.channel == "deferred":
        from optimizer.milp.deferred import add_deferred

        add_deferred(model, cat, reqs, pooled, active)
        return
    for t in active:
        need = {o.var: float(reqs.tier(o.tier).agents[t]) for o in model.options[cat.name]}
        need_expr = pulp.LpAffineExpression({v: c for v, c in need.items() if c})
        model.add(
            pulp.LpAffineExpression(pooled[t]) - need_expr >= 0, "coverage", cat.name, labels[t]
        )


def _add_shifts(
    model: BuiltModel,
    site: str,
    cat: Category,
    agents: dict[int, pulp.LpVariable],
    cost_terms: dict[pulp.LpVariable, float],
) -> None:
    """Shift mode: integer agents per shift pattern cover each interval after shrinkage."""
    scenario = model.scenario
    s = scenario.site(site)
    keep = 1.0 - scenario.site_shrinkage(s)
    rate = costs.paid_hour_rate(scenario, s)
    patterns = shift_patterns(scenario, set(agents))
    tag = f"{_sanitise(site)}_{_sanitise(cat.name)}"
    pairs = []
    covering: dict[int, dict[pulp.LpVariable, float]] = {t: {} for t in agents}
    for j, pattern in enumerate(patterns):
        z = model.prob.add_variable(f"z_{tag}_{j}", lowBound=0, cat=pulp.LpInteger)
        pairs.append((pattern, z))
        cost_terms[z] = rate * costs.shift_paid_hours(scenario, pattern.hours)
        for t in pattern.covers:
            if t in covering:
                covering[t][z] = keep
    model.shifts[(site, cat.name)] = pairs
    labels = model.requirements.labels
    for t, var in agents.items():
        model.add(
            pulp.LpAffineExpression(covering[t]) - var >= 0,
            "shift_cover",
            site,
            cat.name,
            labels[t],
        )


def scheduled_terms(model: BuiltModel, site: str) -> dict[int, dict[pulp.LpVariable, float]]:
    """Scheduled agents at ``site`` per interval, as linear terms over its variables."""
    scenario = model.scenario
    keep = 1.0 - scenario.site_shrinkage(scenario.site(site))
    per_t: dict[int, dict[pulp.LpVariable, float]] = {}
    for (s, c), agents in model.agents.items():
        if s != site:
            continue
        if scenario.provider.staffing == "intervals":
            for t, var in agents.items():
                per_t.setdefault(t, {})[var] = 1.0 / keep
        else:
            for pattern, z in model.shifts[(s, c)]:
                for t in pattern.covers:
                    per_t.setdefault(t, {})[z] = 1.0
    return per_t


def paid_hours_terms(model: BuiltModel, site: str) -> dict[pulp.LpVariable, float]:
    """Monthly paid hours at ``site`` as linear terms."""
    scenario = model.scenario
    s = scenario.site(site)
    terms: dict[pulp.LpVariable, float] = {}
    for (name, c), agents in model.agents.items():
        if name != site:
            continue
        if scenario.provider.staffing == "intervals":
            per = costs.paid_hours_per_agent_interval(scenario, s)
            for var in agents.values():
                terms[var] = per
        else:
            for pattern, z in model.shifts[(name, c)]:
                terms[z] = costs.shift_paid_hours(scenario, pattern.hours)
    return terms


def _add_site_limits(model: BuiltModel) -> None:
    labels = model.requirements.labels
    intervals = model.scenario.provider.staffing == "intervals"
    for site in model.scenario.provider.sites:
        if site.seats is not None:
            keep = 1.0 - model.scenario.site_shrinkage(site)
            for t, terms in sorted(scheduled_terms(model, site.name).items()):
                if intervals:
                    # n / keep <= seats  <=>  n <= floor(seats x keep) for integer n: the
                    # same integer points, an integral coefficient matrix (a far tighter LP).
                    agents = {v: 1.0 for v in terms}
                    limit = math.floor(site.seats * keep + 1e-9)
                    model.add(
                        pulp.LpAffineExpression(agents) <= limit, "seats", site.name, labels[t]
                    )
                else:
                    model.add(
                        pulp.LpAffineExpression(terms) <= site.seats, "seats", site.name, labels[t]
                    )
        if site.max_fte is not None:
            hours = paid_hours_terms(model, site.name)
            cap = site.max_fte * model.scenario.provider.fte_hours_per_month
            model.add(pulp.LpAffineExpression(hours) <= cap, "max_fte", site.name)


def handled_expression(model: BuiltModel, category: str) -> pulp.LpAffineExpression:
    """Handled contacts per month of ``category`` given its tier choice."""
    reqs = model.requirements.category(category)
    return pulp.LpAffineExpression(
        {o.var: reqs.tier(o.tier).handled_per_month for o in model.options[category]}
    )


def value_expression(model: BuiltModel, category: str) -> pulp.LpAffineExpression:
    """The client's monthly value of ``category`` (for ROI)."""
    cat = model.scenario.category(category)
    reqs = model.requirements.category(category)
    return pulp.LpAffineExpression(
        {
            o.var: costs.client_value(cat, reqs.tier(o.tier).handled_per_month)
            for o in model.options[category]
        }
    )


def _add_client_limits(model: BuiltModel) -> None:
    scenario = model.scenario
    client = scenario.client
    revenue = model.total_revenue()
    if client.budget_per_month is not None:
        model.add(revenue <= client.budget_per_month, "budget")
    contact_cats = [c for c in scenario.categories if not c.is_project]
    if client.max_cost_per_contact is not None and contact_cats:
        spend = pulp.lpSum(model.revenue[c.name] for c in contact_cats)
        handled = pulp.lpSum(handled_expression(model, c.name) for c in contact_cats)
        model.add(spend - client.max_cost_per_contact * handled <= 0, "max_cost_per_contact")
    for cat in contact_cats:
        if cat.max_cost_per_contact is not None:
            expr = model.revenue[cat.name] - cat.max_cost_per_contact * handled_expression(
                model, cat.name
            )
            model.add(expr <= 0, "max_cost_per_contact", cat.name)
    if client.min_roi is not None:
        value = pulp.lpSum(value_expression(model, c.name) for c in scenario.categories)
        model.add(value - (1 + client.min_roi) * revenue >= 0, "min_roi")
