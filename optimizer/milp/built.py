"""The built MILP: a PuLP problem and typed maps from the scenario's objects to its
variables and rows. Immutable once built; an analysis that needs another objective or
rows of its own asks for a copy (:meth:`BuiltModel.with_goal`).

Every row is named by a :class:`~optimizer.rows.RowKey`; PuLP gets a sanitised,
deterministic name (``coverage_billing_mon_0930``), and ``keys`` maps it back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Protocol

import pulp

from optimizer.milp.deferred import DeferredVars
from optimizer.milp.shifts import ShiftPattern
from optimizer.results import FixedChoice
from optimizer.rows import RowKey
from optimizer.scenario.schema import Scenario
from optimizer.scenario.terms import Plan
from optimizer.staffing import costs
from optimizer.staffing.requirements import RequirementTable

__all__ = ["BuiltModel", "FixedChoice", "Option", "RowBook", "value_at"]

_ILLEGAL = re.compile(r"[^A-Za-z0-9_]")


def sanitise(readable: str) -> str:
    """A PuLP-safe name for a readable one.

    >>> sanitise("coverage[billing][mon 09:30]")
    'coverage_billing_mon_0930'
    """
    return _ILLEGAL.sub("_", readable.replace(":", "").replace("][", "_")).strip("_")


@dataclass(frozen=True)
class Option:
    """One (tier, price) choice of a category; ``price`` None is a continuous range."""

    category: str
    tier: str
    price: float | None
    var: pulp.LpVariable
    price_var: pulp.LpVariable | None = None
    plan: Plan | None = None
    """The price point as a plan (None for a continuous range)."""


Slack = tuple[pulp.LpVariable, float]
"""A slack variable and its sign: +1 loosens a ``<=`` row, -1 a ``>=`` row."""


@dataclass
class RowBook:
    """Adds rows to a problem under their keys; rows of an elastic family get a slack."""

    prob: pulp.LpProblem
    elastic: frozenset[str] = frozenset()
    """Families whose rows get a penalised slack (infeasibility diagnosis)."""
    keys: dict[str, RowKey] = field(default_factory=dict)
    """PuLP constraint name -> key, in the order added."""
    rows: dict[str, pulp.LpConstraint] = field(default_factory=dict)
    """PuLP constraint name -> constraint (PuLP 4 drops the mapping)."""
    slacks: dict[RowKey, list[Slack]] = field(default_factory=dict)

    def add(self, constraint: pulp.LpConstraint, key: RowKey) -> None:
        """Add ``constraint`` under ``key`` (a repeated name gets a trailing ``_``)."""
        name = sanitise(key.readable)
        while name in self.keys:
            name += "_"
        if key.family in self.elastic:
            constraint = self._elastic(constraint, name, key)
        self.prob.addConstraint(constraint, name)
        self.rows[name] = constraint
        self.keys[name] = key

    def _elastic(self, constraint: pulp.LpConstraint, name: str, key: RowKey) -> pulp.LpConstraint:
        """The constraint with a non-negative slack that moves its bound outward."""
        expr = constraint.expr
        rhs = expr.constant - constraint.constant
        terms: list[Slack] = []
        if constraint.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ):
            terms.append((self.prob.add_variable(f"slack_up_{name}", lowBound=0), 1.0))
        if constraint.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ):
            terms.append((self.prob.add_variable(f"slack_down_{name}", lowBound=0), -1.0))
        self.slacks[key] = terms
        moved = expr - pulp.lpSum(sign * var for var, sign in terms)
        return pulp.LpConstraint(moved, sense=constraint.sense, rhs=rhs)

    def copy(self, prob: pulp.LpProblem) -> RowBook:
        """The same rows, for a copy ``prob`` of the problem (new rows go to the copy)."""
        return RowBook(prob, self.elastic, dict(self.keys), dict(self.rows), dict(self.slacks))


@dataclass(frozen=True)
class BuiltModel:
    """The PuLP problem and typed maps from the scenario's objects to its variables."""

    scenario: Scenario
    requirements: RequirementTable
    prob: pulp.LpProblem
    objective: str
    options: Mapping[str, list[Option]]
    agents: Mapping[tuple[str, str], dict[int, pulp.LpVariable]]
    shifts: Mapping[tuple[str, str], list[tuple[ShiftPattern, pulp.LpVariable]]]
    deferred: Mapping[str, DeferredVars]
    revenue: Mapping[str, pulp.LpAffineExpression]
    cost: pulp.LpAffineExpression
    book: RowBook
    fees: Mapping[str, list[tuple[float, pulp.LpVariable | None]]] = field(default_factory=dict)
    """Category -> its platform fees: (fee, binary) per menu entry, or one (fee, None)."""
    bonuses: Mapping[str, list[pulp.LpVariable]] = field(default_factory=dict)
    """Category -> one binary per bonus level of its terms (claimed when 1)."""
    site_split: Mapping[str, Mapping[tuple[str, int], pulp.LpVariable]] = field(
        default_factory=dict
    )
    """Category with a site premium -> (site, option index) -> the option's share of the
    billable quantity billed from that site (``optimizer.milp.site_mix``)."""

    @property
    def rows(self) -> Mapping[str, pulp.LpConstraint]:
        """PuLP constraint name -> constraint, in the order added."""
        return self.book.rows

    @property
    def keys(self) -> Mapping[str, RowKey]:
        """PuLP constraint name -> the row's key."""
        return self.book.keys

    @property
    def slacks(self) -> Mapping[RowKey, list[Slack]]:
        """Elastic row -> its slack variables (infeasibility diagnosis)."""
        return self.book.slacks

    @cached_property
    def readable(self) -> dict[str, str]:
        """PuLP constraint name -> readable name (``coverage[billing][mon 09:30]``)."""
        return {name: key.readable for name, key in self.book.keys.items()}

    @cached_property
    def families(self) -> dict[str, str]:
        """PuLP constraint name -> family (``budget``, ``coverage``, ...)."""
        return {name: key.family for name, key in self.book.keys.items()}

    def total_revenue(self) -> pulp.LpAffineExpression:
        """Client spend per month."""
        return pulp.lpSum(self.revenue.values())

    def spend_at(self, values: dict[str, float]) -> float:
        """Client spend per month at a solution's raw variable values."""
        return value_at(self.total_revenue(), values)

    def with_goal(
        self,
        sense: int,
        objective: pulp.LpAffineExpression,
        rows: Iterable[tuple[pulp.LpConstraint, RowKey]] = (),
    ) -> BuiltModel:
        """A copy that optimises ``objective`` (``pulp.LpMaximize`` or ``LpMinimize``)
        with ``rows`` added; this model is unchanged (the copy owns the new rows)."""
        prob = self.prob.copy()
        book = self.book.copy(prob)
        for constraint, key in rows:
            book.add(constraint, key)
        prob.sense = sense
        prob.setObjective(objective)
        return replace(self, prob=prob, book=book)


def value_at(expr: pulp.LpAffineExpression, values: dict[str, float]) -> float:
    """Value of a linear expression at raw variable values (by name; missing ones 0)."""
    return float(expr.constant) + sum(c * values.get(v.name, 0.0) for v, c in expr.items())


class Parts(Protocol):
    """The variables a model's expressions are written over (built or being built)."""

    @property
    def scenario(self) -> Scenario: ...
    @property
    def requirements(self) -> RequirementTable: ...
    @property
    def options(self) -> Mapping[str, list[Option]]: ...
    @property
    def agents(self) -> Mapping[tuple[str, str], dict[int, pulp.LpVariable]]: ...
    @property
    def shifts(self) -> Mapping[tuple[str, str], list[tuple[ShiftPattern, pulp.LpVariable]]]: ...


def tier_indicator(model: Parts, category: str, tier: str) -> pulp.LpAffineExpression:
    """y[c, k]: 1 when ``category`` is sold at ``tier``."""
    return pulp.lpSum(o.var for o in model.options[category] if o.tier == tier)


def price_expression(model: Parts, category: str) -> pulp.LpAffineExpression:
    """The chosen unit price of ``category`` as a linear expression."""
    terms: dict[pulp.LpVariable, float] = {}
    for o in model.options[category]:
        if o.price_var is not None:
            terms[o.price_var] = 1.0
        else:
            assert o.price is not None
            terms[o.var] = o.price
    return pulp.LpAffineExpression(terms)


def handled_expression(model: Parts, category: str) -> pulp.LpAffineExpression:
    """Handled contacts per month of ``category`` given its tier choice."""
    reqs = model.requirements.category(category)
    return pulp.LpAffineExpression(
        {o.var: reqs.tier(o.tier).handled_per_month for o in model.options[category]}
    )


def value_expression(model: Parts, category: str) -> pulp.LpAffineExpression:
    """The client's monthly value of ``category`` (for ROI)."""
    cat = model.scenario.category(category)
    reqs = model.requirements.category(category)
    return pulp.LpAffineExpression(
        {
            o.var: costs.client_value(cat, reqs.tier(o.tier).handled_per_month, o.tier)
            for o in model.options[category]
        }
    )


def scheduled_terms(model: Parts, site: str) -> dict[int, dict[pulp.LpVariable, float]]:
    """Scheduled agents at ``site`` per interval, as linear terms over its variables."""
    scenario = model.scenario
    productive_share = scenario.productive_share(scenario.site(site))
    per_t: dict[int, dict[pulp.LpVariable, float]] = {}
    for (s, c), agents in model.agents.items():
        if s != site:
            continue
        if scenario.provider.staffing == "intervals":
            for t, var in agents.items():
                per_t.setdefault(t, {})[var] = 1.0 / productive_share
        else:
            for pattern, z in model.shifts[(s, c)]:
                for t in pattern.covers:
                    per_t.setdefault(t, {})[z] = 1.0
    return per_t


def paid_hours_terms(model: Parts, site: str) -> dict[pulp.LpVariable, float]:
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
