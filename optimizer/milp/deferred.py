"""Deferred work in the MILP (rows ``deferred_*``).

Deferred work (design 6.4), over the cyclic week with ``a_t`` arrivals, ``w_t``
work handled, ``A(t)``/``W(t)`` their cumulative sums from Monday 00:00 and
``b0 >= 0`` the backlog carried over from the previous week:

* backlog never negative: ``b0 + A(t) - W(t) >= 0``;
* deadline: ``W(t) - b0 >= due_k(t)`` (``optimizer.conventions.deferred_due``):
  ``share_k x A(t - h_k)`` for the week's own items and, early in the week, the
  tier's share of last week's items that fall due (the carried backlog is handled
  first); the constraint holds for the chosen tier ``k`` only (``y[c, k]`` terms);
* the week closes: ``W(T - 1) = A(T - 1)``;
* capacity: ``w_t <= sum_s n[s, c, t] x L x max_occupancy / AHT``.

They are written with a backlog variable per interval, ``b[t] = b0 + A(t) - W(t)``
(rows ``deferred_flow``: ``b[t] - b[t-1] + w[t] = a[t]``, cyclic, so the week closes
by itself; ``deferred_due``: ``b[t] + sum_k y[c, k] x share_k x A(t - h_k) <= A(t)``),
not with the cumulative sums themselves, which would put O(T^2) non-zeros in the
matrix. In interval mode ``optimizer.milp.cuts`` adds window inequalities at solve time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pulp

from optimizer.conventions import deferred_due
from optimizer.rows import RowKey
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario
from optimizer.staffing.costs import deferred_per_agent
from optimizer.staffing.requirements import CategoryRequirements, RequirementTable


class Writer(Protocol):
    """The model being built, as far as the deferred rows need it."""

    @property
    def scenario(self) -> Scenario: ...
    @property
    def requirements(self) -> RequirementTable: ...
    @property
    def prob(self) -> pulp.LpProblem: ...
    def add(self, constraint: pulp.LpConstraint, key: RowKey) -> None: ...


@dataclass(frozen=True)
class DeferredVars:
    """One deferred category: work handled and backlog left per interval, and the
    curves its deadline rows are built from (``optimizer.milp.cuts`` separates on them)."""

    work: dict[int, pulp.LpVariable]
    backlog: dict[int, pulp.LpVariable]
    per_agent: float
    """Items one productive agent handles in an interval."""
    cumulative: np.ndarray
    """Arrivals up to and including each interval."""
    due: dict[str, np.ndarray]
    """Tier -> work due by each interval (``optimizer.conventions.deferred_due``)."""


def add_deferred(
    model: Writer,
    cat: Category,
    reqs: CategoryRequirements,
    pooled: dict[int, dict[pulp.LpVariable, float]],
    active: list[int],
    indicator: Callable[[str], pulp.LpAffineExpression],
    counted: tuple[dict[pulp.LpVariable, float], float] | None = None,
) -> DeferredVars:
    """Schedule the deferred work of ``cat`` (constraints of design 6.4).

    ``counted``: integer columns ``v`` with weights ``c`` and a factor ``m`` such that
    the productive agent-intervals ``sum_t sum_s n[s, c, t]`` are at most
    ``m x sum c x v`` (shift mode: the shifts, ``optimizer.milp.model._shift_capacity``);
    None in interval mode, where the agents ``n`` are the integers themselves.

    Written as a cyclic stock: ``b[t] = b[t-1] + a[t] - w[t]`` (``b[-1]`` is
    ``b[T-1]``, last week's backlog carried in), so ``b[t] = b0 + A(t) - W(t)`` and
    each cumulative constraint of the module docstring is a bound on one ``b[t]``.
    Same feasible set as the cumulative sums, with O(T) non-zeros instead of
    O(T^2) (measured: 143,124 -> 33,252 on the 10 x 3 x 7 benchmark deal).
    """
    labels = model.requirements.labels
    minutes = model.requirements.interval_minutes
    n = len(labels)
    arrivals = np.asarray(reqs.volume, dtype=float)
    cumulative = np.cumsum(arrivals)
    lags = {tier.name: round(float(tier.within_hours or 0.0) * 60 / minutes) for tier in cat.tiers}
    due = {t.name: deferred_due(arrivals, float(t.share or 0.0), lags[t.name]) for t in cat.tiers}
    tag = "".join(ch if ch.isalnum() else "_" for ch in cat.name)
    work = {t: model.prob.add_variable(f"w_{tag}_{t}", lowBound=0) for t in active}
    backlog = {t: model.prob.add_variable(f"b_{tag}_{t}", lowBound=0) for t in range(n)}
    per_agent = deferred_per_agent(model.scenario, cat, minutes)
    made = DeferredVars(work, backlog, per_agent, cumulative, due)
    whole = counted or ({v: 1.0 for t in active for v in pooled[t]}, 1.0)
    _add_capacity(model, cat.name, made, pooled, active, whole)
    for t in range(n):
        key = RowKey("deferred_flow", category=cat.name, interval=labels[t])
        flow = {backlog[t]: 1.0}
        flow[backlog[(t - 1) % n]] = flow.get(backlog[(t - 1) % n], 0.0) - 1.0
        if t in work:
            flow[work[t]] = 1.0
        model.add(pulp.LpAffineExpression(flow) == float(arrivals[t]), key)
        # Deadline: W(t) - b0 >= due_k(t), i.e. b[t] <= A(t) - due_k(t).
        rhs = pulp.lpSum(float(v[t]) * indicator(k) for k, v in due.items() if v[t])
        key = RowKey("deferred_due", category=cat.name, interval=labels[t])
        model.add(backlog[t] + rhs <= float(cumulative[t]), key)
    return made


def _add_capacity(
    model: Writer,
    category: str,
    made: DeferredVars,
    pooled: dict[int, dict[pulp.LpVariable, float]],
    active: list[int],
    whole: tuple[dict[pulp.LpVariable, float], float],
) -> None:
    """Work per interval within the agents' capacity, and the week's whole agents.

    The week's work needs ``total / per_agent`` productive agent-intervals, at most
    ``m x sum c x v`` over the integer columns of ``whole = ({v: c}, m)``; so
    ``sum ceil(c) x v >= ceil(total / (per_agent x m))`` holds for every integer plan (a
    Chvatal-Gomory rounding). In interval mode (``v`` the agents, ``c = m = 1``) it closes
    most of the LP gap that integer agents open (measured: 45 s -> 7 s on the 10 x 3 x 7
    benchmark deal). In shift mode ``v`` are the shifts, ``c`` the open intervals each
    covers times its site's productive share over the best site's ``m``: the agents
    there are continuous (shifts x (1 - shrinkage)), and the same row written on them
    cut off better plans (with 15% shrinkage, one 2-hour shift too many)."""
    labels = model.requirements.labels
    for t in active:
        expr = made.work[t] - made.per_agent * pulp.LpAffineExpression(pooled[t])
        model.add(expr <= 0, RowKey("deferred_capacity", category=category, interval=labels[t]))
    weights, factor = whole
    counts = {v: float(math.ceil(c - 1e-9)) for v, c in weights.items() if c > 0}
    total = float(made.cumulative[-1])
    need = math.ceil(total / (made.per_agent * factor) - 1e-9)
    model.add(
        pulp.LpAffineExpression(counts) >= need,
        RowKey("deferred_min_agents", category=category),
    )
