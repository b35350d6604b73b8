"""What a contract term is worth: the margin the deal would lose without it.

A platform fee or a bonus adds revenue, but not margin one for one: without the fee
the client's budget or cost-per-contact cap may leave room for a dearer price point,
and a bonus needs agents above the tier. So each term in the solution is measured by
re-solving the whole MILP without it (the fee at 0, the bonus levels removed) and
taking the difference of the two proven optima: "the platform fee of 3,000 is worth
2,310 of margin". A negative worth says the deal does better without the term (a fixed
fee that crowds a better price out of the budget). ``None`` when the re-solve was not
proven optimal (a time limit).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from optimizer.scenario.schema import Scenario

WORTH_NOISE = 1e-6
"""Relative difference of two optima below which a term is worth 0 (solver noise)."""


def terms_worth(
    scenario: Scenario,
    billing: Mapping[str, Mapping[str, Any]],
    base: float,
    resolve_margin: Callable[[Scenario], float | None],
) -> dict[str, dict[str, float | None]]:
    """Category -> ``{"platform_fee_worth": ..., "bonus_worth": ...}`` for each platform
    fee and earned bonus in ``billing`` (the verified result's), from the margin
    ``base`` of the solution and the re-solved margin without the term."""
    out: dict[str, dict[str, float | None]] = {}
    for name, terms in billing.items():
        moves: dict[str, dict[str, Any]] = {}
        if float(terms.get("platform_fee", 0.0)) > 0:
            moves["platform_fee_worth"] = {f"categories.{name}.terms.platform_fee": 0.0}
        if float(terms.get("bonus_earned", 0.0)) > 0:
            moves["bonus_worth"] = {f"categories.{name}.terms.bonus": None}
        for key, overrides in moves.items():
            margin = resolve_margin(scenario.with_overrides(overrides))
            out.setdefault(name, {})[key] = None if margin is None else _worth(base, margin)
    return out


def _worth(base: float, without: float) -> float:
    worth = base - without
    return 0.0 if abs(worth) <= WORTH_NOISE * max(1.0, abs(base)) else worth


def worth_sentences(billing: Mapping[str, Mapping[str, Any]], currency: str) -> list[str]:
    """The report's lines: a heading, then "the platform fee of 1,500 EUR on reception is
    worth 1,210 EUR of margin", one per measured term in the categories' order (no lines
    when no term was measured)."""
    lines = []
    for name, terms in billing.items():
        for key, what, amount in (
            ("platform_fee_worth", "the platform fee", terms.get("platform_fee")),
            ("bonus_worth", "the bonus", terms.get("bonus_earned")),
        ):
            if key not in terms:
                continue
            worth = terms[key]
            said = "not measured (time limit)" if worth is None else f"{worth:,.0f} {currency}"
            lines.append(
                f"  - {what} of {float(amount or 0):,.0f} {currency} on {name} is worth "
                f"{said} of margin"
            )
    return ["", "what the terms are worth (re-solved without them):", *lines] if lines else []
