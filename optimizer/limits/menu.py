"""Limits on one category's choice of tier and price: the competitor price cap, the
client's minimum tier, and a quote held fixed by sales."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optimizer.conventions import price_decimals
from optimizer.limits.base import (
    RELAX_STEP,
    TIER_PENALTY,
    Change,
    Family,
    ModelTerms,
    MoveContext,
    Recomputed,
    Violations,
    money,
    pct,
)
from optimizer.results import Choice, FixedChoice
from optimizer.rows import RowKey
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario

PRICE_TOLERANCE = 1e-6
"""A re-checked price may exceed its cap by this much (money per unit)."""


def price_cap(cat: Category) -> float | None:
    """The competitor cap on the unit price: ``benchmark_price x (1 + max_premium)``.

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> price_cap(validate_scenario(example_raw()).categories[0]) is None
    True
    """
    if cat.benchmark_price is None or cat.max_premium is None:
        return None
    return cat.benchmark_price * (1.0 + cat.max_premium)


class MaxPrice(
    Family,
    name="max_price",
    owner="client",
    scope="category",
    unit="money per billing unit",
    parts=("category",),
):
    """The unit price of a category at most its competitor cap."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return any(price_cap(c) is not None for c in scenario.categories)

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        assert owner is not None
        cap = price_cap(terms.scenario.category(owner))
        if cap is not None:
            terms.add(terms.price(owner) <= cap, RowKey(self.name, category=owner))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        assert owner is not None
        cap = price_cap(scenario.category(owner))
        if cap is not None:
            what = f"price of {owner} under the competitor cap"
            found.at_most(what, got.choices[owner].price, cap, PRICE_TOLERANCE)

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        assert key.category is not None
        cat = scenario.category(key.category)
        if cat.max_premium is None or price_cap(cat) is None:
            return None
        return {f"categories.{key.category}.max_premium": (1 + cat.max_premium) * up() - 1}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        caps = [cap for c in scenario.categories if (cap := price_cap(c)) is not None]
        return 1.0 / max(min(caps, default=1.0), 1e-9)

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        assert key.category is not None
        cat = ctx.scenario.category(key.category)
        cap = price_cap(cat)
        assert cap is not None and cat.benchmark_price is not None and cat.max_premium is not None
        after_cap = ctx.up(cap + amount, price_decimals(cap))
        premium = after_cap / cat.benchmark_price - 1 + 1e-9
        return Change(
            key.readable,
            "client",
            ctx.kind,
            f"{key.category}: the competitor price cap must rise from {cap:,.4g} to "
            f"{after_cap:,.4g} (premium {cat.max_premium:.1%} -> {premium:.2%})",
            cap,
            after_cap,
            pct(cap, after_cap),
            {f"categories.{key.category}.max_premium": premium},
        )


def price_floor(cat: Category) -> float | None:
    """The competitor band's lower side: ``benchmark_price x (1 + terms.min_premium)``."""
    if cat.benchmark_price is None or cat.terms.min_premium is None:
        return None
    return cat.benchmark_price * (1.0 + cat.terms.min_premium)


class MinPrice(
    Family,
    name="price_floor",
    owner="client",
    scope="category",
    unit="money per billing unit",
    parts=("category",),
):
    """The unit price of a category at least the competitor band's lower side."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return any(price_floor(c) is not None for c in scenario.categories)

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        assert owner is not None
        floor = price_floor(terms.scenario.category(owner))
        if floor is not None:
            terms.add(terms.price(owner) >= floor, RowKey(self.name, category=owner))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        assert owner is not None
        floor = price_floor(scenario.category(owner))
        if floor is not None:
            what = f"price of {owner} above the competitor band's floor"
            found.at_least(what, got.choices[owner].price, floor, PRICE_TOLERANCE)

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        assert key.category is not None
        low = scenario.category(key.category).terms.min_premium
        if low is None:
            return None
        return {f"categories.{key.category}.terms.min_premium": (1 + low) / up() - 1}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        floors = [f for c in scenario.categories if (f := price_floor(c)) is not None]
        return 1.0 / max(min(floors, default=1.0), 1e-9)

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        assert key.category is not None
        cat = ctx.scenario.category(key.category)
        floor = price_floor(cat)
        assert floor is not None and cat.benchmark_price is not None
        assert cat.terms.min_premium is not None
        after = ctx.down(floor - amount, price_decimals(floor))
        premium = after / cat.benchmark_price - 1 - 1e-9
        return Change(
            key.readable,
            "client",
            ctx.kind,
            f"{key.category}: the competitor band's floor must fall from {floor:,.4g} to "
            f"{after:,.4g} (premium {cat.terms.min_premium:.1%} -> {premium:.2%})",
            floor,
            after,
            pct(floor, after),
            {f"categories.{key.category}.terms.min_premium": premium},
        )


def up() -> float:
    """The factor of a 1% relaxation."""
    return 1.0 + RELAX_STEP


def tier_rank(cat: Category, tier: str) -> int:
    """Position of ``tier`` in the category's tier list (lowest first)."""
    return [t.name for t in cat.tiers].index(tier)


class MinTier(
    Family, name="min_tier", owner="client", scope="category", unit="tier", parts=("category",)
):
    """A category sold at or above the client's minimum tier (``client.min_tier``)."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return bool(scenario.client.min_tier)

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        assert owner is not None
        floor = terms.scenario.client.min_tier.get(owner)
        if floor is not None:
            terms.add(terms.tiers_below(owner, floor) == 0, RowKey(self.name, category=owner))

    def check(
        self, scenario: Scenario, got: Recomputed, found: Violations, owner: str | None
    ) -> None:
        assert owner is not None
        floor = scenario.client.min_tier.get(owner)
        if floor is not None:
            cat = scenario.category(owner)
            rank = float(tier_rank(cat, got.choices[owner].tier))
            found.at_least(f"tier of {owner} at least {floor}", rank, tier_rank(cat, floor), 0.0)

    def slack(self, scenario: Scenario, choices: Mapping[str, Choice], key: RowKey) -> float:
        """0 (binding) when the chosen tier is the floor itself, else 1."""
        assert key.category is not None
        at_floor = choices[key.category].tier == scenario.client.min_tier.get(key.category)
        return 0.0 if at_floor else 1.0

    def relax(self, scenario: Scenario, key: RowKey) -> dict[str, Any] | None:
        assert key.category is not None
        cat = scenario.category(key.category)
        rank = tier_rank(cat, scenario.client.min_tier[key.category])
        if rank == 0:
            return None
        return {f"client.min_tier.{key.category}": cat.tiers[rank - 1].name}

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        return TIER_PENALTY

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change | None:
        assert key.category is not None
        floor = ctx.scenario.client.min_tier[key.category]
        chosen = ctx.choices[key.category].tier
        return Change(
            key.readable,
            "client",
            ctx.kind,
            f"{key.category}: the client's minimum tier must drop from {floor} to {chosen}",
            floor,
            chosen,
            None,
            {f"client.min_tier.{key.category}": chosen},
        )


class Fixed(
    Family, name="fixed", owner="sales", scope="category", unit="tier@price", parts=("category",)
):
    """A category held at the tier and price sales quoted (``tierprice check --fix``)."""

    def present(self, scenario: Scenario, quotes: Mapping[str, FixedChoice]) -> bool:
        return bool(quotes)

    def write(self, terms: ModelTerms, owner: str | None) -> None:
        assert owner is not None
        quoted = terms.quoted(owner)
        if quoted is not None:
            terms.add(quoted[1] == 1, RowKey(self.name, category=owner))

    def weight(self, scenario: Scenario, revenue_scale: float) -> float:
        return TIER_PENALTY

    def move(self, ctx: MoveContext, key: RowKey, amount: float) -> Change:
        assert key.category is not None
        ch = ctx.choices[key.category]
        before = ctx.quotes.get(key.category)
        cat = ctx.scenario.category(key.category)
        plan = bool(ch.plan_fee or ch.included)
        menu = len(cat.terms.fee_menu()) > 1
        quote = FixedChoice(
            ch.tier,
            ch.price,
            ch.plan_fee if plan else None,
            ch.included if plan else None,
            ch.platform_fee if menu or (before and before.platform_fee is not None) else None,
        )
        what = money(ch.price)
        if plan:
            what = f"the plan {money(ch.plan_fee)} for {ch.included:g} then {what}"
        if quote.platform_fee is not None:
            what += f" with a platform fee of {money(quote.platform_fee)}"
        return Change(
            key.readable,
            "sales",
            "alternative",
            f"or sell {key.category} at {ch.tier} for {what} instead of the quote",
            None if before is None else before.spec(),
            quote.spec(),
            None,
            {},
            {key.category: quote},
        )
