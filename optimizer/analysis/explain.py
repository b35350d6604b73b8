"""Which limits bind, what they are worth: shadow prices and 1% relaxations.

* Shadow prices come from the LP with every tier and price choice fixed at the
  solution's (the staffing stays free and continuous): "one more euro of budget
  is worth X of margin". They are meaningful for limits that the staffing or a
  continuous price can move; with only discrete prices many are zero.
* The relaxation gain of a binding limit is measured by re-solving the whole
  MILP with that limit moved 1% in the client's or provider's favour: the
  margin gained is what a 1% concession is worth.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from optimizer.milp.model import BuiltModel, build_model
from optimizer.milp.solve import solve
from optimizer.options import SolveOptions
from optimizer.results import LimitOutcome, Solution, SolveStatus
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable

RELAX_STEP = 0.01
"""Relaxation used for the "worth of 1%" figures."""
PRICED = 1e-9
"""A shadow price above this (in money per unit of the limit) makes a limit binding."""


def shadow_prices(model: BuiltModel, solution: Solution, options: SolveOptions) -> dict[str, float]:
    """Duals of the LP with the tier and price choices fixed at ``solution``'s."""
    pinned = solution.pinned()
    lp = build_model(model.scenario, model.requirements, model.objective, choices=pinned)
    relaxed = solve(lp, replace(options, relax=True, solver="highs"))
    sign = 1.0 if model.objective == "max_margin" else -1.0
    return {name: sign * row.dual for name, row in relaxed.rows.items() if row.dual is not None}


def relaxations(scenario: Scenario, name: str) -> dict[str, Any] | None:
    """Overrides that move limit ``name`` 1% in the deal's favour (None if not a number)."""
    client = scenario.client
    provider = scenario.provider
    family, _, rest = name.partition("[")
    key = rest.split("]")[0] if rest else ""
    up = 1.0 + RELAX_STEP
    if family == "budget" and client.budget_per_month is not None:
        return {"client.budget_per_month": client.budget_per_month * up}
    if family == "max_cost_per_contact":
        if key:
            cap = scenario.category(key).max_cost_per_contact
            return None if cap is None else {f"categories.{key}.max_cost_per_contact": cap * up}
        cap = client.max_cost_per_contact
        return None if cap is None else {"client.max_cost_per_contact": cap * up}
    if family == "min_roi" and client.min_roi is not None:
        return {"client.min_roi": (1 + client.min_roi) / up - 1}
    if family == "min_margin":
        return {"provider.min_margin": provider.min_margin - RELAX_STEP * abs(provider.min_margin)}
    if family == "seats":
        site_name = key
        seats = scenario.site(site_name).seats
        return (
            None
            if seats is None
            else {
                f"provider.sites.{site_name}.seats": seats + max(1, math.ceil(seats * RELAX_STEP))
            }
        )
    if family == "max_fte":
        fte = scenario.site(key).max_fte
        return None if fte is None else {f"provider.sites.{key}.max_fte": fte * up}
    if family == "min_tier":
        names = [t.name for t in scenario.category(key).tiers]
        rank = names.index(client.min_tier[key])
        if rank == 0:
            return None
        return {f"client.min_tier.{key}": names[rank - 1]}
    if family == "max_price":
        cat = scenario.category(key)
        if cat.benchmark_price is None or cat.max_premium is None:
            return None
        return {f"categories.{key}.max_premium": (1 + cat.max_premium) * up - 1}
    return None


def _gain(base: float, margin: float | None, gap: float | None) -> float | None:
    """Margin gained by a relaxation, from two proven optima (``margin`` is None when the
    relaxed solve was not proven optimal). A relaxation cannot lose margin: a loss
    within the solvers' gap is noise (0); a larger one means the figures are not like
    for like, and the gain is unknown (None)."""
    if margin is None:
        return None
    noise = 2 * (gap or 0.0) * max(abs(base), abs(margin)) + 1e-6 * max(1.0, abs(base))
    gain = margin - base
    if gain < -noise:
        return None
    return max(gain, 0.0) if gain < noise else gain


def explain(
    scenario: Scenario,
    reqs: RequirementTable,
    model: BuiltModel,
    solution: Solution,
    limits: tuple[LimitOutcome, ...],
    options: SolveOptions,
    resolve_margin: Callable[[Scenario], float | None],
    relax: bool = True,
    skipped: list[str] | None = None,
) -> tuple[LimitOutcome, ...]:
    """Attach shadow prices to every limit and relaxation gains to the binding ones.

    A solve the time limit leaves no room for is skipped and named in ``skipped``."""
    skipped = [] if skipped is None else skipped
    duals: dict[str, float] = {}
    if scenario.provider.staffing == "intervals":
        if options.out_of_time():
            skipped.append("explanation: shadow prices")
        else:
            duals = shadow_prices(model, solution, options)
    base = solution.objective_value or 0.0
    out = []
    seen: set[str] = set()
    for limit in limits:
        gain = None
        family = limit.name.partition("[")[0]
        price = duals.get(limit.name)
        binds = limit.binding or (price is not None and abs(price) > PRICED)
        # Seats bind per interval: one relaxation per site is enough.
        group = f"seats[{limit.name.split('[')[1]}" if family == "seats" else limit.name
        if relax and binds and group not in seen and solution.objective == "max_margin":
            seen.add(group)
            overrides = relaxations(scenario, limit.name)
            if overrides is not None and options.out_of_time():
                skipped.append(f"explanation: 1% relaxation of {group}")
            elif overrides is not None and solution.status == SolveStatus.OPTIMAL:
                margin = resolve_margin(scenario.with_overrides(overrides))
                gain = _gain(base, margin, solution.solver.gap)
        out.append(replace(limit, binding=binds, shadow_price=price, relax_gain=gain))
    return tuple(out)
