"""Limits of the provider's sites: seats per interval and full-time equivalents."""

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
    pct,
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
            f"{key.site}: max FTE must rise from {fte:,.1f} to {after:,.1f}",
            fte,
            after,
            pct(fte, after),
            {f"provider.sites.{key.site}.max_fte": after},
        )
