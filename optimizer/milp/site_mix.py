"""Site premiums: revenue that depends on where a category's work is delivered.

With ``terms.site_premium`` the units delivered from site ``s`` are billed at the unit
price x (1 + premium_s). Design 11: the month's billable quantity ``q[k]`` of the chosen
tier ``k`` is split over the category's sites, ``b_s >= 0`` with ``sum_s b_s = q[k]``,
each site's part at most what it staffs, and the optimiser chooses the split. What a
site staffs is measured against the tier: the tier needs ``R[k] = sum_t need[k, t]``
productive agent-intervals for ``q[k]`` units, so site ``s``'s ``H_s = sum_t n[s, c, t]``
agent-intervals deliver at most ``q[k] x H_s / R[k]``. Coverage asks ``sum_s n >= need``
in every interval, so ``sum_s H_s >= R[k]`` and a split always exists; agents above the
tier (a minimum site share that rounds up, seats) may carry part of it::

    revenue = p x q[k]  +  sum_s premium_s x p x b_s

With a plan or volume bands the premium multiplies each site's share of the option's
plan charge ``C[o]`` (plan fee + unit price x billed units after the bands, a constant
per option, :func:`optimizer.staffing.charges.plan_charge`) instead of ``p x b_s``:
``revenue = C[o] + sum_s premium_s x C[o] x b_s / q[k]``.

Linearisation. Per option ``o = (k, p)`` (binary ``x_o``, exactly one chosen) and site
``s``, a share ``sigma[s, o]`` in ``[0, 1]`` of the option's quantity billed from ``s``
(the design's ``b[c, s, k, p] = q[k] x sigma[s, o]``)::

    site_split[c][k][o]:  sum_s sigma[s, o] = x_o                    (every option)
    site_hours[s][c]:     sum_o R[k] x sigma[s, o] <= H_s            (every site)
    revenue             += sum_o sum_s premium_s x C[o] x sigma[s, o]

Exactness: with option ``o*`` chosen, ``site_split`` zeroes every other option's
shares, so ``site_hours`` reads ``R[k*] x sigma[s, o*] <= H_s``: ``b_s <= q[k*] H_s /
R[k*]`` exactly (no big-M: the share is bounded by ``x_o``). An option whose tier needs
no agents (``R = 0``) has no shares and bills no premium.

The premium needs price points (a list, a stepped range or plans): a continuous
price would make the premium's revenue ``p x sigma`` bilinear, refused by the rules
(:func:`optimizer.scenario.terms_rules.site_terms_issues`). A minimum charge tops up
the usage charge (``max(minimum, C[o])``, the option's constant revenue) and carries
no premium: the premium stays ``premium_s x C[o] x sigma[s, o]`` on the plan charge of
the units delivered, as the invoice bills it
(:func:`optimizer.staffing.charges.site_premium_charge`). The solution carries the
chosen split (``Choice.site_split``); verification checks it against the staffing
(:func:`optimizer.analysis.verify.check_site_split`) and bills it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pulp

from optimizer.milp.built import sanitise
from optimizer.milp.draft import Draft
from optimizer.rows import RowKey
from optimizer.scenario.models import Category
from optimizer.staffing import charges
from optimizer.staffing.requirements import CategoryRequirements

SHARE_DENOMINATOR = 10_000
"""Minimum shares are read as fractions with at most this denominator (``idle_allowance``)."""


@dataclass
class SiteMix:
    """The shares of one category: (site, option index) -> sigma, and each option's
    required productive agent-intervals ``R``."""

    shares: dict[tuple[str, int], pulp.LpVariable] = field(default_factory=dict)
    required: dict[int, float] = field(default_factory=dict)


def add_site_revenue(draft: Draft, cat: Category) -> SiteMix | None:
    """The shares of ``cat`` (None without a site premium), their ``site_split`` rows,
    and the premium revenue added to the category's revenue expression. Called right
    after the category's choice rows, before the limit families read its revenue."""
    premiums = cat.terms.site_premium
    if premiums is None or cat.is_project:
        return None
    reqs = draft.requirements.category(cat.name)
    sites = [s.name for s in draft.scenario.sites_for(cat.name)]
    mix = SiteMix()
    extra: dict[pulp.LpVariable, float] = {}
    tag = sanitise(cat.name)
    for i, option in enumerate(draft.options[cat.name]):
        tier = reqs.tier(option.tier)
        required = float(np.sum(tier.agents))
        if required <= 0:
            continue
        assert option.plan is not None, "site premiums need price points (rules)"
        mix.required[i] = required
        base = charges.plan_charge(cat.terms.volume_bands, option.plan, tier.billable_per_month)
        for j, site in enumerate(sites):
            sigma = draft.prob.add_variable(f"sigma_{tag}_{i}_{j}", lowBound=0, upBound=1)
            mix.shares[(site, i)] = sigma
            if premiums.get(site, 0.0):
                extra[sigma] = premiums[site] * base
        split = pulp.lpSum(mix.shares[(s, i)] for s in sites) - option.var
        key = RowKey("site_split", category=cat.name, tier=option.tier, detail=str(i))
        draft.add(split == 0, key)
    draft.revenue[cat.name] = draft.revenue[cat.name] + pulp.LpAffineExpression(extra)
    draft.site_split[cat.name] = mix.shares
    return mix


def link_site_mix(draft: Draft, cat: Category, mix: SiteMix | None) -> None:
    """The ``site_hours`` rows: each site's shares times the chosen tier's required
    agent-intervals at most the agent-intervals it staffs (after the staffing is built)."""
    if mix is None:
        return
    for site in (s.name for s in draft.scenario.sites_for(cat.name)):
        agents = draft.agents.get((site, cat.name), {})
        staffed = pulp.lpSum(agents.values())
        shares = pulp.lpSum(
            mix.required[i] * sigma for (s, i), sigma in mix.shares.items() if s == site
        )
        draft.add(shares - staffed <= 0, RowKey("site_hours", site=site, category=cat.name))


def idle_allowance(cat: Category, reqs: CategoryRequirements, sites: int) -> int:
    """Agents a site may staff in an interval above every tier's (and bonus level's) need:
    0 without site terms; with them, enough never to cut off a best plan, and finite so
    that the bonus rows have a big-M (``optimizer.milp.bonus``).

    Agents above the need cost money and earn it in two ways only. A site premium bills
    at most the tier's ``R`` agent-intervals from a site, so no site usefully staffs more
    than ``R_max`` (the largest tier's) idle ones. Minimum shares ``sigma_s`` (together
    ``sigma``) ask ``H_s >= sigma_s H``: an idle agent-interval that can go keeps every
    share, so a best plan's idle ones ``I`` sit at sites whose share has less than one
    agent-interval of slack: ``I < sigma (R + I) + sites``, ``I < (sigma R + sites) /
    (1 - sigma)``. When the shares add up to 1, every ``H_s = sigma_s H`` exactly, so
    ``H`` is a multiple of the shares' common denominator ``L``, and the allowance is
    ``L`` (the first multiple of ``L`` at least ``R``; only seats too few for it would
    make a later one the best).

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> from optimizer.staffing.requirements import build_requirements
    >>> raw = example_raw()
    >>> s = validate_scenario(raw)
    >>> idle_allowance(s.categories[0], build_requirements(s).categories[0], 1)
    0
    """
    if not pays_for_idle_agents(cat):
        return 0
    r_max = max((float(np.sum(t.agents)) for t in reqs.tiers), default=0.0)
    idle = math.ceil(r_max) if cat.terms.site_premium else 0
    shares = [
        Fraction(v).limit_denominator(SHARE_DENOMINATOR)
        for v in (cat.terms.min_site_share or {}).values()
    ]
    if not shares:
        return idle
    total = sum(shares, Fraction(0))
    if total < 1:
        sigma = float(total)
        return idle + math.ceil((sigma * r_max + sites) / (1 - sigma))
    return idle + math.lcm(*(share.denominator for share in shares))


def pays_for_idle_agents(cat: Category) -> bool:
    """Whether agents above the tier's need can be worth their cost: with a site premium
    (they carry premium units) or minimum site shares (they make up a site's share)."""
    return bool(cat.terms.site_premium or cat.terms.min_site_share)
