"""Infeasible deal -> what must move, by how much: never just "infeasible".

An elastic copy of the model gives every client and provider limit (budget, cost per
contact, ROI, minimum margin, competitor price cap, minimum tier, seats, max FTE,
quoted prices) a slack with a penalty per unit, scaled so that moving any limit by 1%
costs about the same: minimising the penalty names the limits that must move, and by
how much. Then each limit alone is elastic: "the budget alone must rise to Y". Sales
alternatives follow: the lowest price at which a quoted category works, and the
smallest tier change. Every suggestion is proven by re-solving it. What each family
weighs, and how its slack becomes a value in the scenario's units, is the family's
own (:mod:`optimizer.limits`); this module runs the search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pulp

from optimizer.analysis.verify import charge_of, productive_hours
from optimizer.conventions import price_decimals
from optimizer.errors import ScenarioError
from optimizer.limits.base import Change, MoveContext, money, pct, round_down, round_up
from optimizer.limits.deal import MinMargin
from optimizer.limits.registry import FAMILIES
from optimizer.milp.model import BuiltModel, FixedChoice, build_model, price_expression, value_at
from optimizer.milp.solve import solve
from optimizer.options import EXTREME_GAP, SolveOptions
from optimizer.results import Solution
from optimizer.rows import RowKey
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable

__all__ = ["Change", "diagnose"]

MARGIN_ROUNDS = 10
"""Most re-solves spent finding the highest reachable margin share (Dinkelbach)."""

Feasible = Callable[[Scenario, dict[str, FixedChoice]], bool]


def _weights(scenario: Scenario, reqs: RequirementTable) -> dict[str, float]:
    """Penalty per unit of slack, so that a 1% move of any limit costs about the same."""
    scale = scenario.client.budget_per_month or _revenue_scale(scenario, reqs)
    return {name: family.weight(scenario, scale) for name, family in FAMILIES.items()}


def _revenue_scale(scenario: Scenario, reqs: RequirementTable) -> float:
    """The most the deal could bill a month: each category at its dearest tier."""
    total = 0.0
    for cat in scenario.categories:
        bills = reqs.category(cat.name)
        total += max(
            [0.0, *(t.price_bounds()[1] * bills.tier(t.name).billable_per_month for t in cat.tiers)]
        )
    return max(total, 1.0)


def diagnose(
    scenario: Scenario,
    reqs: RequirementTable,
    fixed: dict[str, FixedChoice],
    options: SolveOptions,
    feasible: Feasible,
    skipped: list[str] | None = None,
) -> tuple[Change, ...]:
    """The proven changes that make an infeasible deal feasible.

    First every limit on its own ("the budget alone must rise to Y"); when no single
    limit suffices, the smallest combined change; then the sales alternatives. A step
    the time limit leaves no room for is skipped and named in ``skipped``.
    """
    skipped = [] if skipped is None else skipped
    weights = _weights(scenario, reqs)
    changes: list[Change] = []
    for family in sorted(_present(scenario, fixed)):
        if options.out_of_time():
            skipped.append(f"diagnosis: {family} alone")
            continue
        alone = {family: weights[family]}
        for ch in _elastic_changes(scenario, reqs, fixed, options, alone, "alone"):
            if _proves_change(scenario, ch, fixed, feasible):
                changes.append(ch)
                continue
            # A value rounded to the unit may sit a hair inside the limit: nudge it.
            retry = _elastic_changes(scenario, reqs, fixed, options, alone, "alone", True)
            changes += [
                c
                for c in retry
                if c.limit == ch.limit and _proves_change(scenario, c, fixed, feasible)
            ]
    if not changes and options.out_of_time():
        skipped.append("diagnosis: the smallest combined change")
    elif not changes:
        together = _elastic_changes(scenario, reqs, fixed, options, weights, "together")
        overrides: dict[str, Any] = {}
        new_fixed = dict(fixed)
        for ch in together:
            overrides.update(ch.overrides)
            for cat in ch.fixed:
                new_fixed.pop(cat, None)
        if together and _proves(scenario, overrides, new_fixed, feasible):
            changes += together
    if options.out_of_time():
        skipped.append("diagnosis: sales alternatives")
        return tuple(changes)
    changes += _price_alternatives(scenario, reqs, fixed, options, feasible)
    changes += [c for c in _tier_alternatives(scenario, fixed, feasible) if not _same(c, changes)]
    return tuple(changes)


def _proves_change(
    scenario: Scenario, change: Change, fixed: dict[str, FixedChoice], feasible: Feasible
) -> bool:
    """Re-solve with ``change`` applied (a changed quote replaces the original one)."""
    new_fixed = {k: v for k, v in fixed.items() if k not in change.fixed}
    return _proves(scenario, change.overrides, new_fixed, feasible)


def _present(scenario: Scenario, fixed: dict[str, FixedChoice]) -> set[str]:
    """Limit families this scenario actually has."""
    return {name for name, family in FAMILIES.items() if family.present(scenario, fixed)}


def _same(change: Change, changes: list[Change]) -> bool:
    return any(c.limit == change.limit and c.after == change.after for c in changes)


def _proves(
    scenario: Scenario, overrides: dict[str, Any], fixed: dict[str, FixedChoice], feasible: Feasible
) -> bool:
    try:
        changed = scenario.with_overrides(overrides) if overrides else scenario
    except Exception:  # a change the schema refuses is no suggestion
        return False
    return feasible(changed, fixed)


def _elastic_changes(
    scenario: Scenario,
    reqs: RequirementTable,
    fixed: dict[str, FixedChoice],
    options: SolveOptions,
    weights: dict[str, float],
    kind: str,
    careful: bool = False,
) -> list[Change]:
    model = _with_peaks(build_model(scenario, reqs, fixed=fixed, elastic=weights), weights)
    solution = solve(model, options)
    if not solution.status.has_solution:
        return []
    values = solution.variable_values
    moved: dict[RowKey, float] = {}
    for key, terms in model.slacks.items():
        amount = sum(values.get(var.name, 0.0) for var, _ in terms)
        if amount > 1e-7:
            moved[key] = amount
    out = _describe(_context(scenario, reqs, solution, kind, careful, fixed), moved)
    if set(weights) == {"min_margin"}:
        out = [_best_margin(scenario, reqs, fixed, options, c) for c in out]
    return out


def _with_peaks(model: BuiltModel, weights: dict[str, float]) -> BuiltModel:
    """Penalise the largest excess of a per-interval limit (a site's seats), not the sum
    over its intervals.

    A site has one seat count: the extra seats needed are the peak excess. Summing the
    per-interval slacks lets deferred work pile into one interval at no extra penalty
    (and a seat change far larger than needed)."""
    peaks: dict[RowKey, pulp.LpVariable] = {}
    rows: list[tuple[pulp.LpConstraint, RowKey]] = []
    for key, terms in model.slacks.items():
        family = FAMILIES[key.family]
        if not family.per_interval:
            continue
        group = key.group()
        if group not in peaks:
            name = f"{family.peak_row}_{len(peaks)}"
            peaks[group] = model.prob.add_variable(name, lowBound=0)
        for var, _ in terms:
            peak_key = RowKey(family.peak_row, site=group.site, detail=var.name)
            rows.append((peaks[group] - var >= 0, peak_key))
    if not peaks:
        return model
    objective = pulp.lpSum(
        weights[key.family] * var
        for key, terms in model.slacks.items()
        if not FAMILIES[key.family].per_interval
        for var, _ in terms
    ) + pulp.lpSum(weights[group.family] * peak for group, peak in peaks.items())
    return model.with_goal(pulp.LpMinimize, objective, rows)


def _best_margin(
    scenario: Scenario,
    reqs: RequirementTable,
    fixed: dict[str, FixedChoice],
    options: SolveOptions,
    change: Change,
) -> Change:
    """The margin floor lowered only as far as needed: the highest reachable margin share.

    The elastic solve minimises the margin row's slack in money, which favours a small
    deal over a larger one with a better margin share. Dinkelbach's method maximises
    the share itself: maximise (1 - m) x revenue - cost; while that is positive, a deal
    with a share above m exists: move m to it and re-solve."""
    if change.limit != "min_margin" or not isinstance(change.after, float):
        return change
    before = scenario.provider.min_margin
    share = change.after
    for _ in range(MARGIN_ROUNDS):
        if options.out_of_time():
            break
        built = build_model(scenario, reqs, fixed=fixed, elastic={"min_margin": 0.0})
        goal = (1 - share) * built.total_revenue() - built.cost
        model = built.with_goal(pulp.LpMaximize, goal)
        solution = solve(model, options)
        if not solution.status.has_solution:
            break
        revenue = value_at(model.total_revenue(), solution.variable_values)
        cost = value_at(model.cost, solution.variable_values)
        if revenue <= 0 or (revenue - cost) / revenue <= share + 1e-9:
            break
        share = (revenue - cost) / revenue
    after = max(round_down(share), change.after)
    if after == change.after:
        return change
    return MinMargin().lowered(before, after, change.kind)


def _context(
    scenario: Scenario,
    reqs: RequirementTable,
    solution: Solution,
    kind: str,
    careful: bool,
    quotes: dict[str, FixedChoice],
) -> MoveContext:
    """What the families need to turn the elastic solution's slack into limit values."""
    handled = {
        c: reqs.category(c).tier(ch.tier).handled_per_month
        for c, ch in solution.choices.items()
        if not scenario.category(c).is_project
    }
    revenue_of = {
        c: charge_of(
            scenario.category(c),
            ch,
            reqs.category(c).tier(ch.tier).billable_per_month,
            productive_hours(solution, c),
        )
        for c, ch in solution.choices.items()
    }
    revenue = sum(revenue_of.values())
    productive = {key: float(np.sum(a)) for key, a in solution.agents.items()}
    return MoveContext(
        scenario, kind, solution.choices, handled, revenue, careful, quotes, revenue_of, productive
    )


def _describe(ctx: MoveContext, moved: dict[RowKey, float]) -> list[Change]:
    """Turn slack amounts into limit values in the scenario's units (in name order; a
    per-interval limit once per group, for its peak excess, after the others)."""
    out: list[Change] = []
    peaks: dict[RowKey, float] = {}
    for key, amount in sorted(moved.items(), key=lambda item: item[0].readable):
        family = FAMILIES[key.family]
        if family.per_interval:
            group = key.group()
            peaks[group] = max(peaks.get(group, 0.0), amount)
        elif (change := family.move(ctx, key, amount)) is not None:
            out.append(change)
    for group, amount in sorted(peaks.items(), key=lambda item: item[0].parts()):
        if (change := FAMILIES[group.family].move(ctx, group, amount)) is not None:
            out.append(change)
    return out


def _price_alternatives(
    scenario: Scenario,
    reqs: RequirementTable,
    fixed: dict[str, FixedChoice],
    options: SolveOptions,
    feasible: Feasible,
) -> list[Change]:
    """For each quoted category: the highest price at its quoted tier that works (what
    sales want when a quote breaks a cap), then the lowest (when it breaks a floor)."""
    out: list[Change] = []
    for cat_name in sorted(fixed):
        for highest in (True, False):
            if options.out_of_time():
                return out
            change = _price_extreme(scenario, reqs, fixed, cat_name, options, feasible, highest)
            if change is not None and not _same(change, out):
                out.append(change)
    return out


def _price_extreme(
    scenario: Scenario,
    reqs: RequirementTable,
    fixed: dict[str, FixedChoice],
    cat_name: str,
    options: SolveOptions,
    feasible: Feasible,
    highest: bool,
) -> Change | None:
    """The highest (or lowest) price at the quoted tier of ``cat_name`` that works, in a
    quotable step (cents, or 4 decimals below 1), proven by re-solving; None when there
    is none, or when nothing but our own search range bounds it from above."""
    quote = fixed[cat_name]
    others = {k: v for k, v in fixed.items() if k != cat_name}
    tier = scenario.category(cat_name).tier(quote.tier)
    high = max(tier.price_bounds()[1], quote.price) * 10 + 1
    menu = {f"categories.{cat_name}.tiers.{quote.tier}.prices": {"min": 0.0, "max": high}}
    try:  # requirements do not depend on price menus: the same table serves
        built = build_model(scenario.with_overrides(menu), reqs, fixed=others)
    except ScenarioError:  # terms that need price points (a site premium, a minimum)
        return None
    # At the quoted tier (which may be below the client's minimum: then no price works).
    other_tiers = pulp.lpSum(o.var for o in built.options[cat_name] if o.tier != quote.tier)
    model = built.with_goal(
        pulp.LpMaximize if highest else pulp.LpMinimize,
        price_expression(built, cat_name),
        [(other_tiers == 0, RowKey("quoted_tier", category=cat_name))],
    )
    solution = solve(model, replace(options, gap=EXTREME_GAP))  # the price is the goal
    if not solution.status.has_solution:
        return None
    exact = solution.choices[cat_name].price
    if highest and exact >= high * (1 - 1e-9):
        return None  # unbounded above: no limit caps the price
    digits = price_decimals(exact)
    price = None
    for careful in (False, True):
        candidate = (
            round_down(exact, digits, careful) if highest else round_up(exact, digits, careful)
        )
        if feasible(scenario, {**others, cat_name: replace(quote, price=candidate)}):
            price = candidate
            break
    if price is None:
        return None
    word = "highest" if highest else "lowest"
    return Change(
        f"fixed[{cat_name}]",
        "sales",
        "alternative",
        f"{cat_name}: the {word} price at {quote.tier} that works is "
        f"{money(price)} (quoted {money(quote.price)})",
        quote.price,
        price,
        pct(quote.price, price),
        {},
        {cat_name: replace(quote, price=price)},
    )


def _tier_alternatives(
    scenario: Scenario, fixed: dict[str, FixedChoice], feasible: Feasible
) -> list[Change]:
    """The smallest tier change per category held by a minimum tier or a quote."""
    out = []
    held = dict(scenario.client.min_tier)
    held.update({c: q.tier for c, q in fixed.items()})
    for cat_name, floor in sorted(held.items()):
        names = [t.name for t in scenario.category(cat_name).tiers]
        rank = names.index(floor)
        for lower in reversed(names[:rank]):
            overrides: dict[str, Any] = {}
            new_fixed = dict(fixed)
            if cat_name in scenario.client.min_tier:
                overrides[f"client.min_tier.{cat_name}"] = lower
            if cat_name in fixed:
                new_fixed.pop(cat_name)
                overrides[f"client.min_tier.{cat_name}"] = lower
            if _proves(scenario, overrides, new_fixed, feasible):
                out.append(
                    Change(
                        f"min_tier[{cat_name}]",
                        "sales",
                        "alternative",
                        f"or lower the client's minimum tier for {cat_name} from {floor} to {lower}"
                        if cat_name in scenario.client.min_tier
                        else f"or drop {cat_name} from {floor} to {lower}",
                        floor,
                        lower,
                        None,
                        overrides,
                        {},
                        (cat_name,) if cat_name in fixed else (),
                    )
                )
                break
    return out
