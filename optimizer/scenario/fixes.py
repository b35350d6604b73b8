"""Held choices from the command line: ``--fix CATEGORY=TIER@PRICE`` -> ``FixedChoice``.

Each spec is checked against the scenario (a known category, one of its tiers, a
finite price >= 0 whose monthly revenue stays within the scenario's own bound, one per
category); every bad one is named in one ScenarioError.
"""

from __future__ import annotations

from optimizer.errors import Issue, ScenarioError, listed
from optimizer.results import FixedChoice
from optimizer.scenario.field_types import RANGES, decimal_number
from optimizer.scenario.models import Category
from optimizer.scenario.schema import Scenario
from optimizer.scenario.tier_rules import MAX_MONTHLY_MONEY, billable_estimate

MONEY = RANGES["money"]
"""The range of a quoted price, fee or included quantity (as in the scenario)."""


def parse_fixes(
    scenario: Scenario, specs: tuple[str, ...] | list[str], source: str = "--fix"
) -> dict[str, FixedChoice]:
    """``["billing=gold@0.95"]`` -> held choices, or a ScenarioError naming each bad one.

    A quote may hold a plan, ``tier@FEE/INCLUDED/PRICE``, and a platform fee, ``+FEE``."""
    fixed: dict[str, FixedChoice] = {}
    issues = []
    names = {c.name: c for c in scenario.categories}
    for spec in specs:
        cat, _, rest = spec.partition("=")
        tier, _, point_text = rest.partition("@")
        quote = _quote(tier, point_text)
        if cat not in names:
            issues.append(
                Issue(
                    source,
                    "--fix",
                    spec,
                    f"CATEGORY=TIER@PRICE with a category of {listed(names)}",
                )
            )
        elif tier not in {t.name for t in names[cat].tiers}:
            tiers = ", ".join(t.name for t in names[cat].tiers)
            issues.append(Issue(source, "--fix", spec, f"a tier of {cat} ({tiers})"))
        elif quote is None or not all(0 <= v <= MONEY.high for v in _numbers(quote)):
            issues.append(
                Issue(
                    source,
                    "--fix",
                    spec,
                    "a price, or a plan FEE/INCLUDED/PRICE, then optionally +PLATFORM_FEE:"
                    f" numbers in {MONEY.text()}",
                )
            )
        elif names[cat].pricing == "revenue_share" and quote.price > 1:
            expected = (
                f"a share of the client's revenue in [0, 1] ({cat} is priced by revenue_share)"
            )
            issues.append(Issue(source, "--fix", spec, expected))
        elif (revenue := _revenue(scenario, names[cat], quote)) > MAX_MONTHLY_MONEY:
            issues.append(
                Issue(
                    source,
                    "--fix",
                    spec,
                    f"a quote giving at most {MAX_MONTHLY_MONEY:.0e} of revenue a month (this"
                    f" one gives about {revenue:.2g} at {names[cat].pricing}), as a tier's prices",
                )
            )
        elif cat in fixed:
            issues.append(Issue(source, "--fix", spec, f"one --fix per category ({cat} twice)"))
        else:
            fixed[cat] = quote
    if issues:
        raise ScenarioError(issues)
    return fixed


def _quote(tier: str, text: str) -> FixedChoice | None:
    """``7800``, ``1850/1000/1.75`` or either with ``+1500`` -> a quote (None if not numbers).

    >>> _quote("gold", "1850/1000/1.75+500")
    FixedChoice(tier='gold', price=1.75, plan_fee=1850.0, included=1000.0, platform_fee=500.0)
    """
    point, plus, fee_text = text.partition("+")
    parts = point.split("/")
    values = [decimal_number(p.strip()) for p in parts]
    numbers = [v for v in values if v is not None]
    fee = decimal_number(fee_text.strip()) if plus else None
    if len(numbers) < len(values) or (plus and fee is None):
        return None
    if len(numbers) == 1:
        return FixedChoice(tier, numbers[0], platform_fee=fee)
    if len(numbers) == 3:
        return FixedChoice(tier, numbers[2], numbers[0], numbers[1], fee)
    return None


def _revenue(scenario: Scenario, cat: Category, quote: FixedChoice) -> float:
    """A generous estimate of the quote's monthly revenue (the scenario's own check on a
    tier's prices): a price of 1e10 a minute failed in the solver, not here."""
    fees = (quote.plan_fee or 0.0) + (quote.platform_fee or 0.0)
    return fees + quote.price * billable_estimate(scenario, cat)


def _numbers(quote: FixedChoice) -> list[float]:
    values = (quote.price, quote.plan_fee, quote.included, quote.platform_fee)
    return [v for v in values if v is not None]
