"""Limits on the whole deal: the client's budget, cost per contact and ROI, and the
provider's minimum margin. All are money per month, linear in the revenue, the cost,
the contacts handled and the client's value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

UP = 1.0 + RELAX_STEP


class Budget(Family, name="budget", owner="client", scope="deal", unit="money per month", parts=()):
    """Client spend per month at most ``client.budget_per_month``."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return scenario.client.budget_per_month is not None

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        budget = terms.scenario.client.budget_per_month
        if budget is not None:
            terms.add(terms.revenue() <= budget, RowKey("budget"))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        budget = scenario.client.budget_per_month
        if budget is not None:
            found.at_most("budget", got.revenue, budget, got.money_tolerance)

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        budget = scenario.client.budget_per_month
        return None if budget is None else {"client.budget_per_month": budget * UP}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        return 1.0 / revenue_scale

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        before = ctx.scenario.client.budget_per_month
        if before is None:
            return None
        after = ctx.up(before + amount, 0)
        return Change(
            "budget",
            "client",
            ctx.kind,
            f"budget must rise {from_to(before, after, 0)} {ctx.scenario.currency} "
            f"({pct(before, after):+.1f}%)",
            before,
            after,
            pct(before, after),
            {"client.budget_per_month": after},
        )


class CostPerContact(
    Family,
    name="max_cost_per_contact",
    owner="client",
    scope="deal",
    unit="money per contact",
    parts=("category",),
):
    """Client spend per handled contact at most a cap: blended over the contact
    categories (``client.max_cost_per_contact``, key without a category) and per
    category (``categories[].max_cost_per_contact``)."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return scenario.client.max_cost_per_contact is not None or any(
            c.max_cost_per_contact is not None for c in scenario.categories
        )

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        scenario = terms.scenario
        contact_cats = [c for c in scenario.categories if not c.is_project]
        blended = scenario.client.max_cost_per_contact
        if blended is not None and contact_cats:
            row = terms.contact_revenue() - blended * terms.handled() <= 0
            terms.add(row, RowKey(self.name))
        for cat in contact_cats:
            if cat.max_cost_per_contact is not None:
                expr = terms.revenue(cat.name) - cat.max_cost_per_contact * terms.handled(cat.name)
                terms.add(expr <= 0, RowKey(self.name, category=cat.name))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        tol = got.money_tolerance
        blended = scenario.client.max_cost_per_contact
        if blended is not None and got.contacts > 0:
            cap = blended * got.contacts
            found.at_most("blended cost per contact", got.contact_revenue, cap, tol)
        for cat in scenario.categories:
            if cat.max_cost_per_contact is not None and not cat.is_project:
                found.at_most(
                    f"cost per contact of {cat.name}",
                    got.revenue_of[cat.name],
                    cat.max_cost_per_contact * got.contacts_of[cat.name],
                    tol,
                )

    def in_units(
        self, scenario: Scenario, got: Recomputed, key: RowKey, slack: float
    ) -> tuple[float, float]:
        """The row is money (``spend - cap x contacts``): per handled contact it is
        money per contact, and one unit of the cap moves it by the contacts."""
        contacts = got.contacts_of.get(key.category, 0.0) if key.category else got.contacts
        return per(slack, contacts)

    def _cap(self, scenario: Scenario, key: RowKey) -> tuple[float | None, str]:
        """The cap of ``key`` and its scenario path."""
        if key.category:
            path = f"categories.{key.category}.max_cost_per_contact"
            return scenario.category(key.category).max_cost_per_contact, path
        return scenario.client.max_cost_per_contact, "client.max_cost_per_contact"

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        cap, path = self._cap(scenario, key)
        return None if cap is None else {path: cap * UP}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        return 1.0 / revenue_scale

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        base, path = self._cap(ctx.scenario, key)
        cat = key.category
        contacts = ctx.handled.get(cat, 0.0) if cat else sum(ctx.handled.values())
        if base is None or contacts <= 0:
            return None
        after = ctx.up(base + amount / contacts, 4)
        what = f"{cat}: the cost-per-contact cap" if cat else "the blended cost-per-contact cap"
        return Change(
            key.readable,
            "client",
            ctx.kind,
            f"{what} must rise from {base:,.2f} to {after:,.4g} {ctx.scenario.currency} "
            f"({pct(base, after):+.1f}%)",
            base,
            after,
            pct(base, after),
            {path: after},
        )


class MinRoi(Family, name="min_roi", owner="client", scope="deal", unit="share", parts=()):
    """The client's value at least ``1 + client.min_roi`` times its spend."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return scenario.client.min_roi is not None

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        roi = terms.scenario.client.min_roi
        if roi is not None:
            terms.add(terms.value() - (1 + roi) * terms.revenue() >= 0, RowKey(self.name))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        roi = scenario.client.min_roi
        if roi is not None:
            found.at_least("client ROI", got.value, (1 + roi) * got.revenue, got.money_tolerance)

    def in_units(
        self, scenario: Scenario, got: Recomputed, key: RowKey, slack: float
    ) -> tuple[float, float]:
        """The row is money (``value - (1 + roi) x spend``): over the spend it is ROI,
        and one unit of ROI moves it by the spend."""
        return per(slack, got.revenue)

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        roi = scenario.client.min_roi
        return None if roi is None else {"client.min_roi": (1 + roi) / UP - 1}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        return 1.0 / revenue_scale

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        before = ctx.scenario.client.min_roi
        if before is None or ctx.revenue <= 0:
            return None
        after = ctx.down(before - amount / ctx.revenue, 4)
        return Change(
            self.name,
            "client",
            ctx.kind,
            f"minimum ROI must fall {from_to(before, after, 2, '%')}",
            before,
            after,
            pct(before, after),
            {"client.min_roi": after},
        )


class MinMargin(Family, name="min_margin", owner="provider", scope="deal", unit="share", parts=()):
    """The provider's margin at least ``provider.min_margin`` of the revenue."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return True

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        share = terms.scenario.provider.min_margin
        terms.add((1 - share) * terms.revenue() - terms.cost() >= 0, RowKey(self.name))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        floor = scenario.provider.min_margin * got.revenue
        found.at_least("provider minimum margin", got.margin, floor, got.money_tolerance)

    def in_units(
        self, scenario: Scenario, got: Recomputed, key: RowKey, slack: float
    ) -> tuple[float, float]:
        """The row is money (``(1 - share) x revenue - cost``): over the revenue it is a
        share of margin, and one unit of share moves it by the revenue."""
        return per(slack, got.revenue)

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        share = scenario.provider.min_margin
        return {"provider.min_margin": share - RELAX_STEP * abs(share)}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        return 1.0 / revenue_scale

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        if ctx.revenue <= 0:
            return None
        before = ctx.scenario.provider.min_margin
        return self.lowered(before, ctx.down(before - amount / ctx.revenue, 4), ctx.kind)

    def lowered(self, before: float, after: float, kind: str) -> Change:
        """The change of the margin floor from ``before`` to ``after``."""
        loss = " (selling at a loss)" if after < 0 else ""
        return Change(
            self.name,
            "provider",
            kind,
            f"minimum margin must fall {from_to(before, after, 2, '%')}{loss}",
            before,
            after,
            pct(before, after),
            {"provider.min_margin": after},
        )


class CategoryMargin(
    Family,
    name="category_margin",
    owner="provider",
    scope="deal",
    unit="share",
    parts=("category",),
):
    """A category's margin, (revenue - direct cost) / revenue, at least its terms'
    ``min_margin`` (direct cost: the category's agents, or a project's effort). Its scope
    is the deal: its rows are written with the deal's limits, once the staffing (and so
    a category's cost) is built."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return any(c.terms.min_margin is not None for c in scenario.categories)

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        for cat in terms.scenario.categories:
            share = cat.terms.min_margin
            if share is not None:
                row = (1 - share) * terms.revenue(cat.name) - terms.category_cost(cat.name) >= 0
                terms.add(row, RowKey(self.name, category=cat.name))

    def in_units(
        self, scenario: Scenario, got: Recomputed, key: RowKey, slack: float
    ) -> tuple[float, float]:
        """As the deal's margin floor, over the category's revenue."""
        return per(slack, got.revenue_of.get(key.category or "", 0.0))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        for cat in scenario.categories:
            share = cat.terms.min_margin
            if share is not None:
                revenue = got.revenue_of[cat.name]
                margin = revenue - got.cost_of[cat.name]
                tol = got.money_tolerance
                found.at_least(f"margin of {cat.name}", margin, share * revenue, tol)

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        assert key.category is not None
        share = scenario.category(key.category).terms.min_margin
        if share is None:
            return None
        path = f"categories.{key.category}.terms.min_margin"
        return {path: share - RELAX_STEP * abs(share)}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        return 1.0 / revenue_scale

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        assert key.category is not None
        before = ctx.scenario.category(key.category).terms.min_margin
        revenue = ctx.revenue_of.get(key.category, 0.0)
        if before is None or revenue <= 0:
            return None
        after = ctx.down(before - amount / revenue, 4)
        loss = " (selling it at a loss)" if after < 0 else ""
        return Change(
            key.readable,
            "provider",
            ctx.kind,
            f"{key.category}: the margin floor must fall {from_to(before, after, 2, '%')}{loss}",
            before,
            after,
            pct(before, after),
            {f"categories.{key.category}.terms.min_margin": after},
        )
