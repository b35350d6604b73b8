"""Bonus levels: revenue earned by staffing a category above its tier.

A level ``b`` of ``terms.bonus`` (a service level within an answer time, and a monthly
``amount``) has its own requirement table ``need_b[t]`` (the fewest productive agents
meeting it, :attr:`optimizer.staffing.requirements.CategoryRequirements.bonus_agents`).
One binary ``u_b`` per level::

    bonus_cover[c][b][t]:  sum_s n[s, c, t] - need_b[t] x u_b >= 0     (every interval)
    revenue             += amount_b x u_b

so the level is claimed only when the pooled agents meet it in every interval. A level
the staffing earns is paid, whatever the objective: a competitive bid would rather not
pay it, and under ``max_margin`` a binding budget, ROI or cost per contact would rather
not either (seeded deal 172 of the differential test: the staffing of one level met a
second, unclaimed, and verification refused the plan). So a level the staffing of the
chosen tier and of other claimed levels already meets is forced on (``bonus_due``:
``u_b >= x_o + sum_(a in S) u_a - |S|`` for every option ``o`` and smallest set ``S`` of
other levels with ``max(tier agents, need_a for a in S) >= need_b`` everywhere);
verification re-checks both directions from the staffing alone.
"""

from __future__ import annotations

import itertools

import numpy as np
import pulp

from optimizer.milp.built import sanitise
from optimizer.milp.draft import Draft
from optimizer.milp.site_mix import pays_for_idle_agents
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
        for i, option in enumerate(draft.options[cat.name]):
            for others in _earning(reqs.tier(option.tier).agents, reqs.bonus_agents, b):
                detail = "/".join([str(b), str(i), *map(str, others)])
                key = RowKey("bonus_due", category=cat.name, tier=option.tier, detail=detail)
                claimed = pulp.lpSum(bonuses[a] for a in others)
                draft.add(u - option.var - claimed >= -len(others), key)
        if pays_for_idle_agents(cat):
            _short_somewhere(draft, cat, pooled, b, u, need)


def _short_somewhere(
    draft: Draft,
    cat: Category,
    pooled: dict[int, dict[pulp.LpVariable, float]],
    level: int,
    u: pulp.LpVariable,
    need: np.ndarray,
) -> None:
    """An unclaimed level falls a whole agent short of its need in some interval.

    ``bonus_due`` forces a level the requirement tables meet; a site premium or minimum
    share also pays for agents above the tier (``optimizer.milp.site_mix.idle_allowance``),
    which may meet a level by themselves: a lowest bid (Denver at a 10% premium with 5
    seats, Manila at 20%) staffed Denver 5 + 4 to bill it all from there, met an 85%
    level it did not bill, and verification refused the plan (exit 5) where Denver 5 + 3
    and Manila 1, one agent short of the level, was the answer (spend 1,333.33). One
    binary ``w[t]`` per interval where the level needs more than some tier::

        bonus_short[c][b]:       u_b + sum_t w[t] >= 1
        bonus_short_at[c][b][t]: N[t] <= need_b[t] - 1 + M[t] (1 - w[t])

    with ``N[t]`` the pooled agents and ``M[t]`` their cap (every site's) less
    ``need_b[t] - 1``."""
    reqs = draft.requirements.category(cat.name)
    labels = draft.requirements.labels
    floor = np.min([t.agents for t in reqs.tiers], axis=0)
    tag = sanitise(cat.name)
    short = []
    for t in np.flatnonzero(need > floor):
        agents = pooled.get(int(t), {})
        cap = sum(float(v.upBound) for v in agents)
        slack = cap - (float(need[t]) - 1.0)
        w = draft.prob.add_variable(f"w_{tag}_{level}_{t}", cat=pulp.LpBinary)
        short.append(w)
        key = RowKey("bonus_short_at", category=cat.name, interval=labels[t], detail=str(level))
        draft.add(pulp.LpAffineExpression(agents) + slack * w <= cap, key)
    key = RowKey("bonus_short", category=cat.name, detail=str(level))
    draft.add(u + pulp.lpSum(short) >= 1, key)


def _earning(tier: np.ndarray, needs: tuple[np.ndarray, ...], level: int) -> list[tuple[int, ...]]:
    """The smallest sets of other levels whose staffing, with the tier's, meets ``level``
    in every interval (``()``: the tier's alone does).

    >>> tier = np.array([3, 1]); needs = (np.array([2, 2]), np.array([1, 2]), np.array([4, 1]))
    >>> _earning(tier, needs, 0), _earning(tier, needs, 1), _earning(tier, needs, 2)
    ([(1,)], [(0,)], [])
    """
    others = [a for a in range(len(needs)) if a != level]
    found: list[tuple[int, ...]] = []
    for size in range(len(others) + 1):
        for subset in itertools.combinations(others, size):
            if any(set(f) <= set(subset) for f in found):
                continue
            staffed = np.maximum.reduce([tier, *(needs[a] for a in subset)])
            if np.all(staffed >= needs[level]):
                found.append(subset)
    return found
