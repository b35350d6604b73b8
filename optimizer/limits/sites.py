"""Limits of the provider's sites: seats per interval, full-time equivalents, and the
client's minimum share of a category's productive hours delivered from a site."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from optimizer.conventions import AGENT_TOLERANCE
from optimizer.limits.base import (
    RELAX_STEP,
    Change,
    Family,
    ModelTerms,
    MoveContext,
    Recomputed,
    Violations,
    from_to,
    pct,
    per,
)
from optimizer.results import FixedChoice
from optimizer.rows import RowKey
from optimizer.scenario.schema import Scenario

FTE_TOLERANCE = 1e-6
"""Re-checked full-time equivalents may exceed the cap by this much."""


def agent_seats(seats: int, shrinkage: float) -> int:
    """Productive agents that ``seats`` scheduled seats hold: ``floor(seats x (1 - s))``.

    >>> agent_seats(10, 0.3)
    7
    """
    return math.floor(seats * (1.0 - shrinkage) + 1e-9)


class Seats(
    Family,
    name="seats",
    owner="provider",
    scope="site",
    unit="seats",
    parts=("site", "interval"),
    per_interval=True,
    peak_row="seat_peak",
):
    """Scheduled agents at a site at most its seats, in every interval."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return any(s.seats is not None for s in scenario.provider.sites)

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        assert owner is not None
        scenario = terms.scenario
        site = scenario.site(owner)
        if site.seats is None:
            return
        if scenario.provider.staffing == "intervals":
            # n / (1 - s) <= seats  <=>  n <= floor(seats x (1 - s)) for integer n: the
            # same integer points, an integral coefficient matrix (a far tighter LP).
            limit = agent_seats(site.seats, scenario.site_shrinkage(site))
            for t, agents in sorted(terms.agents(owner).items()):
                terms.add(agents <= limit, RowKey(self.name, site=owner, interval=terms.label(t)))
            return
        for t, scheduled in sorted(terms.scheduled(owner).items()):
            terms.add(
                scheduled <= site.seats, RowKey(self.name, site=owner, interval=terms.label(t))
            )

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        assert owner is not None
        seats = scenario.site(owner).seats
        if seats is not None:
            peak = float(np.max(got.scheduled[owner]))
            found.at_most(f"seats at {owner}", peak, seats, AGENT_TOLERANCE)

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        assert key.site is not None
        seats = scenario.site(key.site).seats
        if seats is None:
            return None
        return {f"provider.sites.{key.site}.seats": seats + max(1, math.ceil(seats * RELAX_STEP))}

    def in_units(
        self, scenario: Scenario, got: Recomputed, key: RowKey, slack: float
    ) -> tuple[float, float]:
        """In interval mode a row counts productive agents, at most floor(seats x
        productive share): the free seats are the seats less the scheduled agents
        (productive / share), and one more seat is that share of an agent in every
        interval. In shift mode a row counts scheduled agents: seats already."""
        assert key.site is not None
        site = scenario.site(key.site)
        if scenario.provider.staffing != "intervals" or site.seats is None:
            return slack, 1.0
        share = scenario.productive_share(site)
        productive = agent_seats(site.seats, scenario.site_shrinkage(site)) - slack
        return site.seats - productive / share, share

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        seats = [s.seats for s in scenario.provider.sites if s.seats]
        return 1.0 / max(min(seats, default=1), 1)

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        """``amount`` is the site's peak excess over its intervals (one seat count)."""
        assert key.site is not None
        scenario = ctx.scenario
        site = scenario.site(key.site)
        assert site.seats is not None
        if scenario.provider.staffing == "intervals":
            shrinkage = scenario.site_shrinkage(site)
            need_agents = agent_seats(site.seats, shrinkage) + math.ceil(amount - 1e-6)
            after = math.ceil(need_agents / (1 - shrinkage) - 1e-9)
            while agent_seats(after, shrinkage) < need_agents:
                after += 1
        else:
            after = site.seats + math.ceil(amount - 1e-6)
        return Change(
            key.readable,
            "provider",
            ctx.kind,
            f"{key.site}: the deal cannot be delivered from {site.seats} seats: {after} are needed",
            site.seats,
            after,
            pct(site.seats, after),
            {f"provider.sites.{key.site}.seats": after},
        )


class MaxFte(Family, name="max_fte", owner="provider", scope="site", unit="FTE", parts=("site",)):
    """Paid hours at a site at most ``max_fte`` full-time equivalents."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return any(s.max_fte is not None for s in scenario.provider.sites)

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        assert owner is not None
        scenario = terms.scenario
        fte = scenario.site(owner).max_fte
        if fte is not None:
            cap = fte * scenario.provider.fte_hours_per_month
            terms.add(terms.paid_hours(owner) <= cap, RowKey(self.name, site=owner))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        assert owner is not None
        fte = scenario.site(owner).max_fte
        if fte is not None:
            found.at_most(f"FTE at {owner}", got.fte[owner], fte, FTE_TOLERANCE)

    def in_units(
        self, scenario: Scenario, got: Recomputed, key: RowKey, slack: float
    ) -> tuple[float, float]:
        """The row counts paid hours: its slack in FTE, and one FTE is that many hours
        (the slack and shadow price were per paid hour; found by a probe)."""
        hours = scenario.provider.fte_hours_per_month
        return slack / hours, hours

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        assert key.site is not None
        fte = scenario.site(key.site).max_fte
        return (
            None if fte is None else {f"provider.sites.{key.site}.max_fte": fte * (1 + RELAX_STEP)}
        )

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        ftes = [s.max_fte for s in scenario.provider.sites if s.max_fte]
        return 1.0 / max(min(ftes, default=1.0), 1e-9)

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        assert key.site is not None
        fte = ctx.scenario.site(key.site).max_fte
        assert fte is not None
        after = ctx.up(fte + amount / ctx.scenario.provider.fte_hours_per_month, 1)
        return Change(
            key.readable,
            "provider",
            ctx.kind,
            f"{key.site}: max FTE must rise {from_to(fte, after, 1)}",
            fte,
            after,
            pct(fte, after),
            {f"provider.sites.{key.site}.max_fte": after},
        )


SHARE_TOLERANCE = 1e-6
"""A re-checked site share may fall short of the client's minimum by this much."""


def workload(scenario: Scenario, category: str) -> float:
    """A category's workload in agent-intervals a week (contacts x handling time, no
    queueing): the scale of its share rows.

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> workload(validate_scenario(example_raw()), "calls") > 0
    True
    """
    cat = scenario.category(category)
    hours = (cat.contacts_per_month or 0.0) * (cat.aht_seconds or 0.0) / 3600.0
    per_week = hours / scenario.calendar.weeks_per_month
    return per_week * 60.0 / scenario.calendar.interval_minutes


def share_text(share: float) -> str:
    """A share as a percentage, to two decimals where needed.

    >>> share_text(0.3), share_text(0.2234)
    ('30%', '22.34%')
    """
    return f"{100 * share:.4g}%"


class MinSiteShare(
    Family,
    name="min_site_share",
    owner="client",
    scope="site",
    unit="share of productive hours",
    parts=("site", "category"),
):
    """The client's minimum share of a category's productive hours from one site:
    ``H[s, c] >= share x sum_s' H[s', c]`` (agent-intervals of the week)."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return any(c.terms.min_site_share for c in scenario.categories if not c.is_project)

    def _shares(self, scenario: Scenario, site: str) -> list[tuple[str, float]]:
        """(category, minimum share) the client asks of ``site``."""
        return [
            (c.name, (c.terms.min_site_share or {})[site])
            for c in scenario.categories
            if not c.is_project and site in (c.terms.min_site_share or {})
        ]

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        assert owner is not None
        scenario = terms.scenario
        for cat, share in self._shares(scenario, owner):
            total = sum(terms.staffed(s.name, cat) for s in scenario.sites_for(cat))
            row = terms.staffed(owner, cat) - share * total >= 0
            terms.add(row, RowKey(self.name, site=owner, category=cat))

    def in_units(
        self, scenario: Scenario, got: Recomputed, key: RowKey, slack: float
    ) -> tuple[float, float]:
        """The row is in productive agent-intervals (``H[s] - share x sum H``): over the
        category's total it is a share, and one unit of share moves it by that total."""
        total = sum(h for (_, c), h in got.productive.items() if c == key.category)
        return per(slack, total)

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        assert owner is not None
        for cat, share in self._shares(scenario, owner):
            total = sum(h for (_, c), h in got.productive.items() if c == cat)
            mine = got.productive.get((owner, cat), 0.0)
            achieved = 1.0 if total <= 0 else mine / total
            what = f"{owner} share of {cat} productive hours"
            found.at_least(what, achieved, share, SHARE_TOLERANCE)

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        assert key.site is not None and key.category is not None
        share = (scenario.category(key.category).terms.min_site_share or {}).get(key.site)
        if share is None:
            return None
        path = f"categories.{key.category}.terms.min_site_share.{key.site}"
        return {path: share * (1 - RELAX_STEP)}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        """Slack is in agent-intervals: 1% of a share is 0.01 x share x the workload."""
        sizes = [
            share * workload(scenario, c.name)
            for c in scenario.categories
            if not c.is_project
            for share in (c.terms.min_site_share or {}).values()
        ]
        return 1.0 / max(min(sizes, default=1.0), 1e-9)

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        """``amount`` is the shortfall in agent-intervals: the share the elastic staffing
        reaches is ``share - amount / H`` (``H`` the category's productive total)."""
        assert key.site is not None and key.category is not None
        share = (ctx.scenario.category(key.category).terms.min_site_share or {})[key.site]
        total = sum(h for (_, c), h in ctx.productive.items() if c == key.category)
        if total <= 0:
            return None
        after = max(0.0, ctx.down(share - amount / total, 4))
        return Change(
            key.readable,
            "client",
            ctx.kind,
            f"{key.site}: the client's minimum share of {key.category} must fall from "
            f"{share_text(share)} to {share_text(after)}",
            share,
            after,
            pct(share, after),
            {f"categories.{key.category}.terms.min_site_share.{key.site}": after},
        )
