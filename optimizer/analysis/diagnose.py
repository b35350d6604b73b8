"""Infeasible deal -> what must move, by how much: never just "infeasible".

An elastic copy of the model gives every client and provider limit (budget,
cost per contact, ROI, minimum margin, competitor price cap, minimum tier,
seats, max FTE, quoted prices) a slack with a penalty per unit, scaled so that
moving any limit by 1% costs about the same. Minimising the penalty names the
limits that must move and by how much. Then, for each limit on its own, the
same question is asked with only that limit elastic: "the budget alone must rise
to Y". Sales alternatives follow: the lowest price at which a quoted category
works, and the smallest tier change. Every suggestion is proven by re-solving
the scenario with it applied; only suggestions that pass are returned.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pulp

from optimizer.conventions import price_decimals, round_at
from optimizer.milp.model import BuiltModel, FixedChoice, build_model, price_expression, value_at
from optimizer.milp.solve import solve
from optimizer.options import SolveOptions
from optimizer.results import Solution
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable

TIER_PENALTY = 0.10
"""Penalty of dropping a minimum tier or a quoted choice (as if moving a limit 10%)."""
NUDGE = 1e-6
"""Relative nudge in the deal's favour applied to proposed values before proving them."""
MARGIN_ROUNDS = 10
"""Most re-solves spent finding the highest reachable margin share (Dinkelbach)."""

Feasible = Callable[[Scenario, dict[str, FixedChoice]], bool]


@dataclass(frozen=True)
class Change:
    """One limit that must move (or an alternative), in the scenario's own units."""

    limit: str
    owner: str
    """client, provider or sales."""
    kind: str
    """together (part of the smallest combined change), alone, or alternative."""
    message: str
    before: float | str | None
    after: float | str | None
    change_pct: float | None
    overrides: dict[str, Any] = field(default_factory=dict)
    fixed: dict[str, FixedChoice] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (design section 8 ``diagnosis`` entries)."""
        return {
            "limit": self.limit,
            "owner": self.owner,
            "kind": self.kind,
            "message": self.message,
            "before": self.before,
            "after": self.after,
            "change_pct": None if self.change_pct is None else round(self.change_pct, 4),
            "proven": True,
            "apply": {
                "overrides": dict(self.overrides),
                "fixed": {c: f"{q.tier}@{q.price:g}" for c, q in sorted(self.fixed.items())},
            },
        }


def _weights(scenario: Scenario, reqs: RequirementTable) -> dict[str, float]:
    """Penalty per unit of slack, so that a 1% move of any limit costs about the same."""
    client = scenario.client
    scale = client.budget_per_month or _revenue_scale(scenario, reqs)
    weights = {
        "budget": 1.0 / scale,
        "max_cost_per_contact": 1.0 / scale,
        "min_roi": 1.0 / scale,
        "min_margin": 1.0 / scale,
        "min_tier": TIER_PENALTY,
        "fixed": TIER_PENALTY,
    }
    caps = [
        c.benchmark_price * (1 + c.max_premium)
        for c in scenario.categories
        if c.benchmark_price is not None and c.max_premium is not None
    ]
    weights["max_price"] = 1.0 / max(min(caps, default=1.0), 1e-9)
    seats = [s.seats for s in scenario.provider.sites if s.seats]
    weights["seats"] = 1.0 / max(min(seats, default=1), 1)
    ftes = [s.max_fte for s in scenario.provider.sites if s.max_fte]
    weights["max_fte"] = 1.0 / max(min(ftes, default=1.0), 1e-9)
    return weights


def _revenue_scale(scenario: Scenario, reqs: RequirementTable) -> float:
    total = 0.0
    for cat in scenario.categories:
        best = 0.0
        for tier in cat.tiers:
            best = max(
                best,
                tier.price_bounds()[1] * reqs.category(cat.name).tier(tier.name).billable_per_month,
            )
        total += best
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
    c = scenario.client
    found = set()
    if c.budget_per_month is not None:
        found.add("budget")
    if c.max_cost_per_contact is not None or any(
        k.max_cost_per_contact is not None for k in scenario.categories
    ):
        found.add("max_cost_per_contact")
    if c.min_roi is not None:
        found.add("min_roi")
    found.add("min_margin")
    if any(
        k.benchmark_price is not None and k.max_premium is not None for k in scenario.categories
    ):
        found.add("max_price")
    if c.min_tier:
        found.add("min_tier")
    if any(s.seats is not None for s in scenario.provider.sites):
        found.add("seats")
    if any(s.max_fte is not None for s in scenario.provider.sites):
        found.add("max_fte")
    if fixed:
        found.add("fixed")
    return found


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
    model = build_model(scenario, reqs, fixed=fixed, elastic=weights)
    _penalise_peak_seats(model, weights)
    solution = solve(model, options)
    if not solution.status.has_solution:
        return []
    values = solution.variable_values
    moved: dict[str, float] = {}
    for readable, terms in model.slacks.items():
        amount = sum(values.get(var.name, 0.0) for var, _ in terms)
        if amount > 1e-7:
            moved[readable] = amount
    out = _describe(scenario, reqs, model, solution, moved, kind, careful, fixed)
    if set(weights) == {"min_margin"}:
        out = [_best_margin(scenario, reqs, fixed, options, c) for c in out]
    return out


def _penalise_peak_seats(model: BuiltModel, weights: dict[str, float]) -> None:
    """Penalise each site's largest seat excess, not the sum over intervals.

    A site has one seat count: the extra seats needed are the peak excess. Summing the
    per-interval slacks lets deferred work pile into one interval at no extra penalty
    (and a seat change far larger than needed)."""
    peaks: dict[str, pulp.LpVariable] = {}
    for readable, terms in list(model.slacks.items()):
        family, _, rest = readable.partition("[")
        if family != "seats":
            continue
        site = rest.split("]")[0]
        if site not in peaks:
            peaks[site] = model.prob.add_variable(f"seat_peak_{len(peaks)}", lowBound=0)
        for var, _ in terms:
            model.add(peaks[site] - var >= 0, "seat_peak", site, var.name)
    if not peaks:
        return
    model.prob.setObjective(
        pulp.lpSum(
            weights[readable.partition("[")[0]] * var
            for readable, terms in model.slacks.items()
            if not readable.startswith("seats[")
            for var, _ in terms
        )
        + pulp.lpSum(weights["seats"] * peak for peak in peaks.values())
    )


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
        model = build_model(scenario, reqs, fixed=fixed, elastic={"min_margin": 0.0})
        model.prob.sense = pulp.LpMaximize
        model.prob.setObjective((1 - share) * model.total_revenue() - model.cost)
        solution = solve(model, options)
        if not solution.status.has_solution:
            break
        revenue = value_at(model.total_revenue(), solution.variable_values)
        cost = value_at(model.cost, solution.variable_values)
        if revenue <= 0 or (revenue - cost) / revenue <= share + 1e-9:
            break
        share = (revenue - cost) / revenue
    after = max(_down(share), change.after)
    if after == change.after:
        return change
    return replace(
        change,
        message=_margin_message(before, after),
        after=after,
        change_pct=_pct(before, after),
        overrides={"provider.min_margin": after},
    )


def _up(value: float, digits: int = 2, careful: bool = False) -> float:
    """``value`` rounded up at ``digits`` decimals, ignoring float noise (42,000.00003 ->
    42,000); ``careful`` adds a small nudge first, for when the plain value fails its proof.
    """
    if careful:
        return math.ceil(value * 10**digits * (1 + NUDGE) + NUDGE) / 10**digits
    return round_at(value, digits, up=True)


def _down(value: float, digits: int = 4, careful: bool = False) -> float:
    """``value`` rounded down at ``digits`` decimals (see :func:`_up`)."""
    if careful:
        scaled = value * 10**digits
        return math.floor(scaled - abs(scaled) * NUDGE - NUDGE) / 10**digits
    return round_at(value, digits, up=False)


def _pct(before: float, after: float) -> float | None:
    return None if before == 0 else 100.0 * (after - before) / abs(before)


def _describe(
    scenario: Scenario,
    reqs: RequirementTable,
    model: BuiltModel,
    solution: Solution,
    moved: dict[str, float],
    kind: str,
    careful: bool = False,
    fixed_before: dict[str, FixedChoice] | None = None,
) -> list[Change]:
    """Turn slack amounts into limit values in the scenario's units."""
    fixed_before = fixed_before or {}
    cur = scenario.currency
    client = scenario.client
    handled = {
        c: reqs.category(c).tier(ch.tier).handled_per_month
        for c, ch in solution.choices.items()
        if not scenario.category(c).is_project
    }
    revenue = sum(
        ch.price * reqs.category(c).tier(ch.tier).billable_per_month
        for c, ch in solution.choices.items()
    )
    seat_need: dict[str, float] = {}
    out: list[Change] = []
    for readable, amount in sorted(moved.items()):
        family, _, rest = readable.partition("[")
        key = rest.split("]")[0] if rest else ""
        if family == "budget" and client.budget_per_month is not None:
            before = client.budget_per_month
            after = _up(before + amount, 0, careful)
            out.append(
                Change(
                    "budget",
                    "client",
                    kind,
                    f"budget must rise from {before:,.0f} to {after:,.0f} {cur} "
                    f"({_pct(before, after):+.1f}%)",
                    before,
                    after,
                    _pct(before, after),
                    {"client.budget_per_month": after},
                )
            )
        elif family == "max_cost_per_contact":
            base = (
                scenario.category(key).max_cost_per_contact if key else client.max_cost_per_contact
            )
            contacts = handled.get(key, 0.0) if key else sum(handled.values())
            if base is None or contacts <= 0:
                continue
            after = _up(base + amount / contacts, 4, careful)
            path = (
                f"categories.{key}.max_cost_per_contact" if key else "client.max_cost_per_contact"
            )
            what = f"{key}: the cost-per-contact cap" if key else "the blended cost-per-contact cap"
            out.append(
                Change(
                    readable,
                    "client",
                    kind,
                    f"{what} must rise from {base:,.2f} to {after:,.4g} {cur} "
                    f"({_pct(base, after):+.1f}%)",
                    base,
                    after,
                    _pct(base, after),
                    {path: after},
                )
            )
        elif family == "min_roi" and client.min_roi is not None and revenue > 0:
            before = client.min_roi
            after = _down(before - amount / revenue, 4, careful)
            out.append(
                Change(
                    "min_roi",
                    "client",
                    kind,
                    f"minimum ROI must fall from {before:.1%} to {after:.2%}",
                    before,
                    after,
                    _pct(before, after),
                    {"client.min_roi": after},
                )
            )
        elif family == "min_margin" and revenue > 0:
            before = scenario.provider.min_margin
            after = _down(before - amount / revenue, 4, careful)
            out.append(
                Change(
                    "min_margin",
                    "provider",
                    kind,
                    _margin_message(before, after),
                    before,
                    after,
                    _pct(before, after),
                    {"provider.min_margin": after},
                )
            )
        elif family == "max_price":
            cat = scenario.category(key)
            assert cat.benchmark_price is not None and cat.max_premium is not None
            cap = cat.benchmark_price * (1 + cat.max_premium)
            after_cap = _up(cap + amount, price_decimals(cap), careful)
            premium = after_cap / cat.benchmark_price - 1 + 1e-9
            out.append(
                Change(
                    readable,
                    "client",
                    kind,
                    f"{key}: the competitor price cap must rise from {cap:,.4g} to "
                    f"{after_cap:,.4g} (premium {cat.max_premium:.1%} -> "
                    f"{premium:.2%})",
                    cap,
                    after_cap,
                    _pct(cap, after_cap),
                    {f"categories.{key}.max_premium": premium},
                )
            )
        elif family == "seats":
            seat_need[key] = max(seat_need.get(key, 0.0), amount)
        elif family == "max_fte":
            site = scenario.site(key)
            assert site.max_fte is not None
            after = _up(site.max_fte + amount / scenario.provider.fte_hours_per_month, 1, careful)
            out.append(
                Change(
                    readable,
                    "provider",
                    kind,
                    f"{key}: max FTE must rise from {site.max_fte:,.1f} to {after:,.1f}",
                    site.max_fte,
                    after,
                    _pct(site.max_fte, after),
                    {f"provider.sites.{key}.max_fte": after},
                )
            )
        elif family == "min_tier":
            floor = client.min_tier[key]
            chosen = solution.choices[key].tier
            out.append(
                Change(
                    readable,
                    "client",
                    kind,
                    f"{key}: the client's minimum tier must drop from {floor} to {chosen}",
                    floor,
                    chosen,
                    None,
                    {f"client.min_tier.{key}": chosen},
                )
            )
        elif family == "fixed":
            ch = solution.choices[key]
            out.append(
                Change(
                    readable,
                    "sales",
                    "alternative",
                    f"or sell {key} at {ch.tier} for {_money(ch.price)} instead of the quote",
                    _quote(fixed_before.get(key)),
                    f"{ch.tier}@{ch.price:g}",
                    None,
                    {},
                    {key: FixedChoice(ch.tier, ch.price)},
                )
            )
    for site_name, extra in sorted(seat_need.items()):
        out.append(_seat_change(scenario, site_name, extra, kind))
    return out


def _money(value: float) -> str:
    return f"{value:,.{price_decimals(value)}f}"


def _quote(choice: FixedChoice | None) -> str | None:
    return None if choice is None else f"{choice.tier}@{choice.price:g}"


def _margin_message(before: float, after: float) -> str:
    loss = " (selling at a loss)" if after < 0 else ""
    return f"minimum margin must fall from {before:.1%} to {after:.2%}{loss}"


def _seat_change(scenario: Scenario, site_name: str, extra: float, kind: str) -> Change:
    site = scenario.site(site_name)
    assert site.seats is not None
    if scenario.provider.staffing == "intervals":
        keep = 1 - scenario.site_shrinkage(site)
        need_agents = math.floor(site.seats * keep + 1e-9) + math.ceil(extra - 1e-6)
        after = math.ceil(need_agents / keep - 1e-9)
        while math.floor(after * keep + 1e-9) < need_agents:
            after += 1
    else:
        after = site.seats + math.ceil(extra - 1e-6)
    return Change(
        f"seats[{site_name}]",
        "provider",
        kind,
        f"{site_name}: the deal cannot be delivered from {site.seats} seats: {after} are needed",
        site.seats,
        after,
        _pct(site.seats, after),
        {f"provider.sites.{site_name}.seats": after},
    )


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
    # Requirements do not depend on price menus: the same table serves.
    model = build_model(scenario.with_overrides(menu), reqs, fixed=others)
    # At the quoted tier (which may be below the client's minimum: then no price works).
    other_tiers = pulp.lpSum(o.var for o in model.options[cat_name] if o.tier != quote.tier)
    model.add(other_tiers == 0, "quoted_tier", cat_name)
    model.prob.sense = pulp.LpMaximize if highest else pulp.LpMinimize
    model.prob.setObjective(price_expression(model, cat_name))
    solution = solve(model, options)
    if not solution.status.has_solution:
        return None
    exact = solution.choices[cat_name].price
    if highest and exact >= high * (1 - 1e-9):
        return None  # unbounded above: no limit caps the price
    digits = price_decimals(exact)
    price = None
    for careful in (False, True):
        candidate = _down(exact, digits, careful) if highest else _up(exact, digits, careful)
        if feasible(scenario, {**others, cat_name: FixedChoice(quote.tier, candidate)}):
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
        f"{_money(price)} (quoted {_money(quote.price)})",
        quote.price,
        price,
        _pct(quote.price, price),
        {},
        {cat_name: FixedChoice(quote.tier, price)},
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
                    )
                )
                break
    return out
