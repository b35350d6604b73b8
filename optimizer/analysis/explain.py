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

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from optimizer.limits.base import RELAX_STEP as RELAX_STEP
from optimizer.limits.registry import FAMILIES, parse_key
from optimizer.milp.model import BuiltModel, build_model
from optimizer.milp.solve import solve
from optimizer.milp.watch import meanwhile
from optimizer.options import SolveOptions
from optimizer.results import LimitOutcome, Solution, SolveStatus
from optimizer.rows import RowKey
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable

PRICED = 1e-9
"""A shadow price above this (in money per unit of the limit) makes a limit binding."""


def shadow_prices(model: BuiltModel, solution: Solution, options: SolveOptions) -> dict[str, float]:
    """Duals of the LP with the tier and price choices fixed at ``solution``'s."""
    pinned = solution.pinned()
    lp = build_model(model.scenario, model.requirements, model.objective, choices=pinned)
    relaxed = solve(lp, replace(options, relax=True, solver="highs"))
    sign = -1.0 if model.objective == "min_price" else 1.0
    return {name: sign * row.dual for name, row in relaxed.rows.items() if row.dual is not None}


def relaxations(scenario: Scenario, limit: str | RowKey) -> dict[str, Any] | None:
    """Overrides that move ``limit`` (a key, or its readable name) 1% in the deal's
    favour; None when its family cannot (not a number, or already the lowest tier)."""
    key = parse_key(limit) if isinstance(limit, str) else limit
    family = FAMILIES.get(key.family)
    return None if family is None else family.relax(scenario, key)


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

    The shadow prices' LP is solved in a child process while the limits that bind by
    their slack are relaxed here (the two cores of a pricing laptop: 0.3-0.4 s of the
    10 x 3 x 7 deal's 2.5 s); a limit that binds by its shadow price alone is relaxed
    after. A solve the time limit leaves no room for is skipped and named in ``skipped``."""
    skipped = [] if skipped is None else skipped
    shadows = scenario.provider.staffing == "intervals"
    if shadows and options.out_of_time():
        skipped.append("explanation: shadow prices")
        shadows = False
    relaxing = Relaxing(scenario, solution, options, resolve_margin, skipped)
    relaxable = relax and solution.objective == "max_margin"
    background = meanwhile(partial(shadow_prices, model, solution, options), options.seconds_left())
    with background if shadows else nullcontext(dict) as later:
        for limit in limits if relaxable else ():
            if limit.binding:
                relaxing.gain(limit)
        duals = later()
    if duals is None:
        skipped.append("explanation: shadow prices")
        duals = {}
    sums = row_duals(duals)
    out = []
    seen: set[RowKey] = set()
    for limit in limits:
        dual = sums.get(_group(limit.key).readable)  # a seat limit's by its site
        price = None if dual is None else dual * limit.units
        binds = limit.binding or (price is not None and abs(price) > PRICED)
        gain = None
        group = _group(limit.key)
        if relaxable and binds and group not in seen:
            seen.add(group)
            gain = relaxing.gain(limit)
        out.append(replace(limit, binding=binds, shadow_price=price, relax_gain=gain))
    return tuple(out)


def row_duals(duals: dict[str, float]) -> dict[str, float]:
    """The rows' duals by name, and a per-interval limit's (the seats of a site) summed
    over its rows by its group's name: one more seat relaxes the site's row in every
    interval. One interval's dual alone (what was reported) was 40.24 where the seat
    is worth 2,816.67 (journey_study_by_interviews, Riga binding in all 100 intervals;
    times the limit's units, 0.7 productive agents a seat: ``LimitOutcome.units``)."""
    sums = dict(duals)
    folded = {f for f, family in FAMILIES.items() if family.per_interval}
    for name, dual in duals.items():
        if name.partition("[")[0] in folded:  # parse only the rows to fold
            group = parse_key(name).group().readable
            sums[group] = sums.get(group, 0.0) + dual
    return sums


def _group(key: RowKey) -> RowKey:
    """The limit a row belongs to: seats bind per interval, one relaxation a site is enough."""
    family = FAMILIES.get(key.family)
    return key.group() if family is not None and family.per_interval else key


@dataclass
class Relaxing:
    """The relaxation gain of each limit (by ``_group``), each re-solved once."""

    scenario: Scenario
    solution: Solution
    options: SolveOptions
    resolve_margin: Callable[[Scenario], float | None]
    skipped: list[str]
    gains: dict[RowKey, float | None] = field(default_factory=dict)

    def gain(self, limit: LimitOutcome) -> float | None:
        """What moving ``limit`` 1% in the deal's favour is worth (None if unknown)."""
        group = _group(limit.key)
        if group not in self.gains:
            self.gains[group] = self._measure(limit.key, group)
        return self.gains[group]

    def _measure(self, key: RowKey, group: RowKey) -> float | None:
        overrides = relaxations(self.scenario, key)
        if overrides is not None and self.options.out_of_time():
            self.skipped.append(f"explanation: 1% relaxation of {group.readable}")
        elif overrides is not None and self.solution.status == SolveStatus.OPTIMAL:
            margin = self.resolve_margin(self.scenario.with_overrides(overrides))
            base = self.solution.objective_value or 0.0
            return _gain(base, margin, self.solution.solver.gap)
        return None
