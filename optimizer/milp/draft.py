"""The MILP while it is being built: the draft's variables and rows, and the linear
expressions the limit families write their rows with (:class:`Terms`, the model's
side of :class:`optimizer.limits.base.ModelTerms`). :func:`Draft.freeze` makes the
immutable :class:`~optimizer.milp.built.BuiltModel`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulp

from optimizer.limits.base import ModelTerms
from optimizer.milp.built import (
    BuiltModel,
    FixedChoice,
    Option,
    RowBook,
    handled_expression,
    paid_hours_terms,
    price_expression,
    scheduled_terms,
    value_expression,
)
from optimizer.milp.deferred import DeferredVars
from optimizer.milp.shifts import ShiftPattern
from optimizer.rows import RowKey
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario
from optimizer.scenario.terms import Plan
from optimizer.staffing import costs
from optimizer.staffing.requirements import RequirementTable


@dataclass
class Draft:
    """The model while it is being built (frozen into a :class:`BuiltModel` at the end)."""

    scenario: Scenario
    requirements: RequirementTable
    book: RowBook
    quotes: dict[str, FixedChoice]
    objective: str = "max_margin"
    options: dict[str, list[Option]] = field(default_factory=dict)
    agents: dict[tuple[str, str], dict[int, pulp.LpVariable]] = field(default_factory=dict)
    shifts: dict[tuple[str, str], list[tuple[ShiftPattern, pulp.LpVariable]]] = field(
        default_factory=dict
    )
    deferred: dict[str, DeferredVars] = field(default_factory=dict)
    fees: dict[str, list[tuple[float, pulp.LpVariable | None]]] = field(default_factory=dict)
    bonuses: dict[str, list[pulp.LpVariable]] = field(default_factory=dict)
    site_split: dict[str, dict[tuple[str, int], pulp.LpVariable]] = field(default_factory=dict)
    revenue: dict[str, pulp.LpAffineExpression] = field(default_factory=dict)
    cost_terms: dict[pulp.LpVariable, float] = field(default_factory=dict)
    expected: dict[pulp.LpVariable, float] = field(default_factory=dict)
    """``max_expected_margin``: the simulated change of revenue per option variable."""
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
            self.fees,
            self.bonuses,
            self.site_split,
        )


class Terms(ModelTerms):
    """The draft's linear expressions, as the limit families write their rows with."""

    def __init__(self, draft: Draft) -> None:
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

    def category_cost(self, category: str) -> Any:
        cat = self.scenario.category(category)
        if cat.is_project:
            return pulp.LpAffineExpression(constant=costs.project_cost(self.scenario, cat))
        mine = {
            var
            for key, agents in self.draft.agents.items()
            if key[1] == category
            for var in agents.values()
        } | {z for key, pairs in self.draft.shifts.items() if key[1] == category for _, z in pairs}
        return pulp.LpAffineExpression(
            {v: c for v, c in self.draft.cost_terms.items() if v in mine}
        )

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
        held = None if quote.plan_fee is None else quoted_plan(quote)
        chosen = [
            o.var
            for o in options
            if o.tier == quote.tier and o.price == quote.price and held in (None, o.plan)
        ]
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

    def staffed(self, site: str, category: str) -> Any:
        return pulp.lpSum(self.draft.agents.get((site, category), {}).values())

    def label(self, interval: int) -> str:
        return self.draft.requirements.labels[interval]


def quoted_plan(quote: FixedChoice) -> Plan:
    """The plan a quote holds (on the menu or not)."""
    assert quote.plan_fee is not None
    return Plan(fee=quote.plan_fee, included=quote.included or 0.0, unit_price=quote.price)
