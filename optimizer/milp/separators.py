"""The cut separators of a built model, by column index (what the root cut loop takes).

``optimizer.milp.cuts`` separates the inequalities; this module gathers, for one
``BuiltModel`` and its ``MatrixForm``, the columns and data each separator needs.
"""

from __future__ import annotations

import numpy as np

from optimizer.milp.cuts import DeferredWindows, ShiftCoverage
from optimizer.milp.highs import Separator
from optimizer.milp.matrix import MatrixForm
from optimizer.milp.model import BuiltModel


def separators(model: BuiltModel, form: MatrixForm) -> tuple[Separator, ...]:
    """The cuts ``optimizer.milp.cuts`` separates for this model, by column index: deferred
    work's window inequalities in interval mode (they need integer agents), coverage
    MIR cuts on the shift counts in shift mode."""
    column = {v.name: i for i, v in enumerate(form.variables)}
    if model.scenario.provider.staffing == "intervals":
        return tuple(_windows(model, column, cat) for cat in model.deferred)
    return tuple(
        _coverage(model, column, cat.name)
        for cat in model.scenario.categories
        if cat.channel in ("voice", "chat") and any(c == cat.name for _, c in model.shifts)
    )


def _tier_columns(
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
    tiers, tier_cols = _tier_columns(model, column, cat)
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
        keep.append(1.0 - scenario.site_shrinkage(scenario.site(site)))
        shift_cols.append(np.array([column[z.name] for _, z in pairs], np.int32))
        incidence = np.zeros((len(pairs), n))
        for row, (pattern, _) in enumerate(pairs):
            incidence[row, list(pattern.covers)] = 1.0
        covers.append(incidence)
    tiers, tier_cols = _tier_columns(model, column, cat)
    reqs = model.requirements.category(cat)
    return ShiftCoverage(
        np.array(keep),
        tuple(np.asarray(reqs.tier(t).agents, float) for t in tiers),
        tier_cols,
        tuple(shift_cols),
        tuple(covers),
    )
