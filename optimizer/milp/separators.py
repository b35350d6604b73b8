"""The cut separators of a built model, by column index (what the root cut loop takes).

``optimizer.milp.cuts`` separates the inequalities; this module gathers, for one
``BuiltModel`` and its ``MatrixForm``, the columns and data each separator needs. In
shift mode it adds ``TierRounding``, which finds no cut but rounds the root's LP point
to a tier and price per category for the start heuristic (``optimizer.milp.root``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from optimizer.milp import cuts
from optimizer.milp.cuts import Cut, DeferredWindows, ShiftCoverage
from optimizer.milp.matrix import MatrixForm
from optimizer.milp.model import BuiltModel
from optimizer.milp.root import Separator


def separators(model: BuiltModel, form: MatrixForm) -> tuple[Separator, ...]:
    """The cuts ``optimizer.milp.cuts`` separates for this model, by column index: deferred
    work's window inequalities in interval mode (they need integer agents), coverage
    MIR cuts on the shift counts in shift mode."""
    column = {v.name: i for i, v in enumerate(form.variables)}
    if model.scenario.provider.staffing == "intervals":
        return tuple(_windows(model, column, cat) for cat in model.deferred)
    found: tuple[Separator, ...] = tuple(
        _coverage(model, column, cat.name)
        for cat in model.scenario.categories
        if cat.channel in ("voice", "chat") and any(c == cat.name for _, c in model.shifts)
    )
    rounding = _rounding(model, column)
    if rounding is not None and not cuts.BASELINE[0]:
        found = (*found, rounding)
    return found


@dataclass(frozen=True)
class Fixed:
    """Column bounds that pin one option per category (``optimizer.milp.root.Fixing``)."""

    columns: NDArray[np.int32]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    blocks: tuple[NDArray[np.int32], ...] = ()
    """The shift-count blocks of the neighbourhood search (``optimizer.milp.neighbourhood``)."""


@dataclass(frozen=True)
class TierRounding:
    """Rounds an LP point to one option per category: the tier with the most weight,
    then its option with the most. ``groups[c][k]`` are category ``c``'s option
    columns at tier ``k`` (only categories with a choice left).

    With the coverage cuts of every tier (``ShiftCoverage.separate``) the root LP of the
    10 x 3 x 7 shift deal (seed 0) chose 8 of 10 categories whole: rounding it picks
    the shift model's tiers, where the interval model's picks are not the best with
    shifts (the issue's seed 2).
    """

    groups: tuple[tuple[NDArray[np.int32], ...], ...]
    blocks: tuple[NDArray[np.int32], ...] = ()
    """Shift-count columns by (day, category), for the neighbourhood search."""

    def separate(self, x: NDArray[np.float64]) -> list[Cut]:
        """No cut: this separator only rounds (``fixing``)."""
        return []

    def fixing(self, x: NDArray[np.float64]) -> Fixed:
        """Every option column of the groups, at 1 for the chosen option, else 0."""
        columns: list[int] = []
        chosen: list[float] = []
        for tiers in self.groups:
            weight = [float(x[cols].sum()) for cols in tiers]
            best = tiers[int(np.argmax(weight))]
            pick = int(best[int(np.argmax(x[best]))])
            for cols in tiers:
                columns.extend(int(c) for c in cols)
                chosen.extend(float(c == pick) for c in cols)
        on = np.array(chosen)
        return Fixed(np.array(columns, np.int32), on, on.copy(), self.blocks)


def _rounding(model: BuiltModel, column: dict[str, int]) -> TierRounding | None:
    """``TierRounding`` over the categories with more than one option, or None."""
    groups = []
    for cat, options in model.options.items():
        if len(options) > 1:
            groups.append(tier_columns(model, column, cat)[1])
    return TierRounding(tuple(groups), _blocks(model, column)) if groups else None


def _blocks(model: BuiltModel, column: dict[str, int]) -> tuple[NDArray[np.int32], ...]:
    """The shift-count columns of each category on each day of the week (all its sites),
    day by day: the blocks ``optimizer.milp.neighbourhood`` frees one at a time."""
    per_day = max(len(model.requirements.labels) // 7, 1)
    found: dict[tuple[int, str], list[int]] = {}
    for (_, cat), pairs in model.shifts.items():
        for pattern, z in pairs:
            found.setdefault((pattern.start // per_day, cat), []).append(column[z.name])
    return tuple(np.array(cols, np.int32) for _, cols in sorted(found.items()))


def tier_columns(
    model: BuiltModel, column: dict[str, int], cat: str
) -> tuple[list[str], tuple[np.ndarray, ...]]:
    """The tiers ``cat`` can still be sold at, and the option columns of each."""
    tiers = list(dict.fromkeys(o.tier for o in model.options[cat]))
    cols = tuple(
        np.array([column[o.var.name] for o in model.options[cat] if o.tier == t], np.int32)
        for t in tiers
    )
    return tiers, cols


def _windows(model: BuiltModel, column: dict[str, int], cat: str) -> DeferredWindows:
    dv = model.deferred[cat]
    per_t: list[list[int]] = [[] for _ in model.requirements.labels]
    for (_, c), agents in model.agents.items():
        if c == cat:
            for t, var in agents.items():
                per_t[t].append(column[var.name])
    tiers, tier_cols = tier_columns(model, column, cat)
    return DeferredWindows(
        dv.per_agent,
        dv.cumulative,
        tuple(dv.due[t] for t in tiers),
        tier_cols,
        tuple(np.array(cols, np.int32) for cols in per_t),
    )


def _coverage(model: BuiltModel, column: dict[str, int], cat: str) -> ShiftCoverage:
    scenario = model.scenario
    n = len(model.requirements.labels)
    keep, shift_cols, covers = [], [], []
    for (site, c), pairs in model.shifts.items():
        if c != cat:
            continue
        keep.append(scenario.productive_share(scenario.site(site)))
        shift_cols.append(np.array([column[z.name] for _, z in pairs], np.int32))
        incidence = np.zeros((len(pairs), n))
        for row, (pattern, _) in enumerate(pairs):
            incidence[row, list(pattern.covers)] = 1.0
        covers.append(incidence)
    tiers, tier_cols = tier_columns(model, column, cat)
    reqs = model.requirements.category(cat)
    return ShiftCoverage(
        np.array(keep),
        tuple(np.asarray(reqs.tier(t).agents, float) for t in tiers),
        tier_cols,
        tuple(shift_cols),
        tuple(covers),
    )
