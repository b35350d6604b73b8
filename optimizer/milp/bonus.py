"""Bonus levels: revenue earned by staffing a category above its tier.

A level ``b`` of ``terms.bonus`` (a service level within an answer time, and a monthly
``amount``) has its own requirement table ``need_b[t]`` (the fewest productive agents
meeting it, :attr:`optimizer.staffing.requirements.CategoryRequirements.bonus_agents`).
One binary ``u_b`` per level::

    bonus_cover[c][b][t]:  sum_s n[s, c, t] - need_b[t] x u_b >= 0     (every interval)
    revenue             += amount_b x u_b

so the level is claimed only when the pooled agents meet it in every interval, and the
optimiser claims it when the amount pays for the extra agents. Under ``min_price`` the
client would rather not pay it, so a level the chosen tier's own staffing already meets
is forced on (``bonus_due``: ``u_b >= x_o`` for every option ``o`` whose tier needs at
least ``need_b`` everywhere): a level is paid whenever the staffing earns it, and
verification re-checks both directions from the staffing alone.
"""

from __future__ import annotations

import numpy as np
import pulp

from optimizer.milp.built import sanitise
from optimizer.milp.draft import Draft
from optimizer.rows import RowKey
from optimizer.scenario.models import Category


def add_bonus_revenue(draft: Draft, cat: Category) -> None:
    """The binaries of ``cat``'s bonus levels and their amounts in its revenue (called
    right after the choice rows, before the limit families read the revenue)."""
    levels = cat.terms.bonus or ()
    if not levels:
        return
    tag = sanitise(cat.name)
    bonuses = [
        draft.prob.add_variable(f"u_{tag}_{b}", cat=pulp.LpBinary) for b in range(len(levels))
    ]
    draft.bonuses[cat.name] = bonuses
    extra = pulp.LpAffineExpression(
        {u: level.amount for u, level in zip(bonuses, levels, strict=True)}
    )
    draft.revenue[cat.name] = draft.revenue[cat.name] + extra


def link_bonus(
    draft: Draft, cat: Category, pooled: dict[int, dict[pulp.LpVariable, float]]
) -> None:
    """The ``bonus_cover`` rows of each level, and ``bonus_due`` under ``min_price``."""
    bonuses = draft.bonuses.get(cat.name)
    if not bonuses:
        return
    reqs = draft.requirements.category(cat.name)
    labels = draft.requirements.labels
    for b, (u, need) in enumerate(zip(bonuses, reqs.bonus_agents, strict=True)):
        level = str(b)
        for t in np.flatnonzero(need > 0):
            staffed = pulp.LpAffineExpression(pooled.get(int(t), {}))
            key = RowKey("bonus_cover", category=cat.name, interval=labels[t], detail=level)
            draft.add(staffed - float(need[t]) * u >= 0, key)
        if draft.objective != "min_price":
            continue
        for i, option in enumerate(draft.options[cat.name]):
            if np.all(reqs.tier(option.tier).agents >= need):
                key = RowKey("bonus_due", category=cat.name, tier=option.tier, detail=f"{b}/{i}")
                draft.add(u - option.var >= 0, key)
