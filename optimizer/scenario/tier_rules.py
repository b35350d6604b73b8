"""Cross-field checks of a category's tiers: each problem is one Issue.

A tier needs the service fields of its channel (and no others), a price menu that
is not empty, not absurdly fine and not reversed, prices whose monthly revenue stays
within what the solver's arithmetic can hold, and a place in the order from the
lowest service to the highest (``client.min_tier`` relies on it).
"""

from __future__ import annotations

from optimizer.errors import MISSING, Issue
from optimizer.scenario.field_types import RANGES
from optimizer.scenario.models import Category, PriceRange, ScenarioFields, Tier

_QUEUE_TIER_FIELDS = ("service_level", "answer_within_seconds")
_DEFERRED_TIER_FIELDS = ("share", "within_hours")
MAX_PRICE_POINTS = 1000
"""Most price points a stepped range may give (a finer range would hang validation)."""


def presence(
    item: object,
    path: str,
    required: tuple[str, ...],
    banned: tuple[str, ...],
    what: str,
    source: str,
) -> list[Issue]:
    """Fields ``what`` requires but lacks, and fields it cannot use but has."""
    issues = [
        Issue(source, f"{path}.{name}", MISSING, f"a value (required for {what})")
        for name in required
        if getattr(item, name) is None
    ]
    issues += [
        Issue(source, f"{path}.{name}", getattr(item, name), f"no value (not used by {what})")
        for name in banned
        if getattr(item, name) is not None
    ]
    return issues


def tier_issues(cat: Category, j: int, path: str, source: str) -> list[Issue]:
    """The problems of tier ``j`` of ``cat``: its service fields, then its price menu."""
    tier = cat.tiers[j]
    return _service_issues(cat, tier, path, source) + _price_issues(cat, tier, path, source)


def _service_issues(cat: Category, tier: Tier, path: str, source: str) -> list[Issue]:
    """Service fields the channel requires or cannot use; max_abandon needs patience."""
    issues: list[Issue] = []
    needed: tuple[str, ...]
    banned: tuple[str, ...]
    if cat.channel in ("voice", "chat"):
        needed, banned = _QUEUE_TIER_FIELDS, _DEFERRED_TIER_FIELDS
    elif cat.channel == "deferred":
        needed, banned = _DEFERRED_TIER_FIELDS, (*_QUEUE_TIER_FIELDS, "max_abandon")
    else:
        needed, banned = (), (*_QUEUE_TIER_FIELDS, *_DEFERRED_TIER_FIELDS, "max_abandon")
    issues += presence(tier, path, needed, banned, f"a {cat.channel} tier", source)
    if (
        tier.max_abandon is not None
        and cat.patience_seconds is None
        and "max_abandon" not in banned
    ):
        issues.append(
            Issue(
                source,
                f"{path}.max_abandon",
                tier.max_abandon,
                "no value unless the category has patience_seconds (Erlang A)",
            )
        )
    return issues


def _price_issues(cat: Category, tier: Tier, path: str, source: str) -> list[Issue]:
    """The first problem of the price menu: reversed, too fine, empty, too long, or
    revenue-share prices that are not fractions."""
    prices = tier.prices
    if isinstance(prices, PriceRange) and prices.min > prices.max:
        return [Issue(source, f"{path}.prices.max", prices.max, f"a value >= min ({prices.min})")]
    if (
        isinstance(prices, PriceRange)
        and prices.step is not None
        and not (prices.max - prices.min) / prices.step < MAX_PRICE_POINTS
    ):
        return [
            Issue(
                source,
                f"{path}.prices.step",
                prices.step,
                f"a step giving at most {MAX_PRICE_POINTS} price points from min to max",
            )
        ]
    if not tier.price_points() and not isinstance(prices, PriceRange):
        return [Issue(source, f"{path}.prices", list(prices), "at least one price")]
    if not isinstance(prices, PriceRange) and len(prices) > MAX_PRICE_POINTS:
        return [
            Issue(
                source,
                f"{path}.prices",
                f"<list of {len(prices)} prices>",
                f"at most {MAX_PRICE_POINTS} price points",
            )
        ]
    high = tier.price_bounds()[1]
    if cat.pricing == "revenue_share" and high > 1:
        return [
            Issue(
                source, f"{path}.prices", tier.prices, "revenue-share prices as fractions in [0, 1]"
            )
        ]
    return []


MAX_MONTHLY_MONEY = RANGES["money"].high
"""Largest monthly revenue a tier's prices may give (beyond it the solver's arithmetic
fails: a price of 1e12 per contact is a typo, not a deal)."""


def billable_estimate(scenario: ScenarioFields, cat: Category) -> float:
    """A generous estimate of the monthly billable quantity (design 6.2) of any tier."""
    contacts = cat.contacts_per_month or 0.0
    aht = cat.aht_seconds or 0.0
    hours = contacts * aht / 3600 / scenario.provider.max_occupancy + 24 * 31
    per_unit = {
        "per_contact": contacts,
        "per_resolution": contacts,
        "per_minute": contacts * aht / 60,
        "per_productive_hour": hours,
        "per_fte_month": hours
        / (1 - scenario.provider.shrinkage)
        / scenario.provider.fte_hours_per_month,
        "revenue_share": contacts * (cat.value_per_sale or 0.0),
        "fixed_fee": 1.0,
        "per_unit": cat.units or 0.0,
        "per_hour": cat.project_hours(),
    }
    return per_unit[cat.pricing]


def revenue_scale_issues(
    scenario: ScenarioFields, cat: Category, path: str, source: str
) -> list[Issue]:
    """Prices whose monthly revenue would pass MAX_MONTHLY_MONEY (an input error, not a
    solver error)."""
    quantity = billable_estimate(scenario, cat)
    issues = []
    for j, tier in enumerate(cat.tiers):
        revenue = tier.price_bounds()[1] * quantity
        if revenue > MAX_MONTHLY_MONEY:
            issues.append(
                Issue(
                    source,
                    f"{path}.tiers[{j}].prices",
                    tier.price_bounds()[1],
                    f"prices giving at most {MAX_MONTHLY_MONEY:.0e} of revenue a month "
                    f"(this one gives about {revenue:.2g} at {cat.pricing})",
                )
            )
    return issues


# The service a tier promises, per channel: (field, True when a higher value is more
# demanding, the value an absent optional field stands for). Project tiers promise no
# service: their order is the file's.
_SERVICE: dict[str, tuple[tuple[str, bool, float | None], ...]] = {
    "voice": (
        ("service_level", True, None),
        ("answer_within_seconds", False, None),
        ("max_abandon", False, 1.0),
    ),
    "deferred": (("share", True, None), ("within_hours", False, None)),
}
_SERVICE["chat"] = _SERVICE["voice"]


def tier_order_issues(cat: Category, path: str, source: str) -> list[Issue]:
    """Tiers must go from the lowest service to the highest (``min_tier`` relies on it).

    Each tier must be at least as demanding as the one before it on every dimension
    of its channel and more demanding on at least one; tiers that trade one dimension
    for another (a higher share but a longer deadline) cannot be ordered and are
    refused, since "at least tier X" would otherwise accept less than X promises.
    """
    dimensions = _SERVICE.get(cat.channel, ())
    issues: list[Issue] = []
    for j in range(1, len(cat.tiers) if dimensions else 0):
        before, tier = cat.tiers[j - 1], cat.tiers[j]
        stronger = False
        weaker: list[Issue] = []
        for field, higher_is_more, absent in dimensions:
            old, new = getattr(before, field), getattr(tier, field)
            old = absent if old is None else old
            new_value = absent if new is None else new
            if old is None or new_value is None:
                weaker = []
                stronger = True  # a missing required field is reported elsewhere
                break
            if old == new_value:
                continue
            if (new_value > old) == higher_is_more:
                stronger = True
                continue
            bound = "at least" if higher_is_more else "at most"
            weaker.append(
                Issue(
                    source,
                    f"{path}.tiers[{j}].{field}",
                    MISSING if new is None else new,
                    f"{bound} {old:g} as in tier '{before.name}' before it (tiers go from "
                    "the lowest service to the highest: each promises at least the one "
                    "before it on every dimension)",
                )
            )
        if weaker:
            issues += weaker[:1]
        elif not stronger:
            issues.append(
                Issue(
                    source,
                    f"{path}.tiers[{j}]",
                    tier.name,
                    f"a tier promising more service than '{before.name}' before it "
                    "(tiers are listed from the lowest service to the highest; "
                    "these two promise the same)",
                )
            )
    return issues
