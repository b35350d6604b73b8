"""A :class:`~optimizer.risk.summary.RiskResult` as JSON or a text table.

JSON (docs/risk.md): ``{"scenario", "currency", "draws", "seed", "forecast_margin",
"floor", "margin", "revenue", "cost", "p_margin_below_floor", "categories": [{"name",
"tier", "window", "p_window_met", "expected_credits", "charge", "credits"}]}``, where
``margin``, ``revenue``, ``cost``, ``charge`` and ``credits`` are ``{"mean", "p5",
"p50", "p95", "cvar5"}``; floats rounded to :data:`optimizer.output.report.DIGITS`
decimals. Pure: returns strings, prints nothing.
"""

from __future__ import annotations

import json
from typing import Any

from optimizer.output.report import _clean
from optimizer.risk.summary import RiskResult, spread

SPREAD_KEYS = ("mean", "p5", "p50", "p95", "cvar5")
"""The keys of every distribution in the JSON, in order."""


def _spread(values: Any) -> dict[str, Any]:
    return {k: _clean(v) for k, v in spread(values).items()}


def to_dict(risk: RiskResult) -> dict[str, Any]:
    """The JSON-ready result, keys in the documented order."""
    plan = risk.plan
    return {
        "scenario": plan.scenario,
        "currency": plan.currency,
        "draws": risk.draws,
        "seed": risk.seed,
        "forecast_margin": _clean(plan.forecast_margin),
        "floor": _clean(plan.floor),
        "margin": _spread(risk.margin),
        "revenue": _spread(risk.revenue),
        "cost": _spread(risk.cost),
        "p_margin_below_floor": _clean(risk.p_margin_below_floor),
        "categories": [
            {
                "name": c.name,
                "tier": c.tier,
                "window": c.window,
                "p_window_met": _clean(c.p_window_met),
                "expected_credits": _clean(c.expected_credits),
                "charge": _spread(c.revenue - c.credits),
                "credits": _spread(c.credits),
            }
            for c in risk.categories
        ],
    }


def to_json(risk: RiskResult) -> str:
    """JSON text of the result."""
    return json.dumps(to_dict(risk), indent=2, ensure_ascii=False) + "\n"


def _money(value: float) -> str:
    return f"{value:,.0f}"


def to_text(risk: RiskResult) -> str:
    """The margin's distribution, then one row per category."""
    data = to_dict(risk)
    cur = data["currency"]
    head = [
        f"{data['scenario']}: {risk.draws} simulated months (seed {risk.seed})",
        f"forecast margin {_money(data['forecast_margin'])} {cur}, floor "
        f"{_money(data['floor'])} {cur}, P(margin below floor) "
        f"{100 * data['p_margin_below_floor']:.1f}%",
        "",
        f"{'per month':<10}" + "".join(f"{k:>14}" for k in SPREAD_KEYS),
    ]
    for name in ("margin", "revenue", "cost"):
        head.append(f"{name:<10}" + "".join(f"{_money(data[name][k]):>14}" for k in SPREAD_KEYS))
    rows = [["category", "tier", "window", "P(window met)", "credits/month", "charge p5"]]
    for c in data["categories"]:
        met = c["p_window_met"]
        rows.append(
            [
                c["name"],
                c["tier"],
                c["window"] if met is not None else "-",
                "-" if met is None else f"{100 * met:.1f}%",
                _money(c["expected_credits"]),
                _money(c["charge"]["p5"]),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i < 3 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    return "\n".join([*head, "", *lines]) + "\n"
