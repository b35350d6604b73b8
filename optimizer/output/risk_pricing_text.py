"""The text report's lines on risk-aware pricing (``VerifiedResult.risk_pricing``)."""

from __future__ import annotations

from typing import Any


def risk_pricing_lines(block: dict[str, Any] | None, currency: str) -> list[str]:
    """A heading, the plan's expected margin, each confident tier's windows met, and the
    risk premium against the forecast-only plan (no lines without a block)."""
    if block is None:
        return []
    draws = block["draws"]
    lines = [
        "",
        f"risk-aware pricing ({block['objective']}, {draws:,} simulated months):",
        f"  - expected margin {block['expected_margin']:,.0f} {currency} a month",
    ]
    for c in block["confidence"]:
        lines.append(
            f"  - {c['category']} {c['tier']}: {c['p_window_met']:.1%} of the simulated "
            f"{c['window']} windows met (confidence {c['confidence']:.0%})"
        )
    premium = block.get("risk_premium")
    if premium is not None:
        base = block["forecast_plan"]
        lines.append(
            f"  - priced on the forecast alone: margin {base['margin']:,.0f} {currency}, "
            f"expected {base['expected_margin']:,.0f}; pricing for the risk changes the "
            f"margin by {premium['margin']:+,.0f} and the expected margin by "
            f"{premium['expected_margin']:+,.0f}"
        )
        for c in premium["categories"]:
            if c["tier"] != c["forecast_tier"] or c["price_difference"]:
                lines.append(
                    f"  - {c['name']}: {c['tier']} at {c['price']:g} instead of "
                    f"{c['forecast_tier']} at {c['forecast_price']:g}"
                )
    return lines
