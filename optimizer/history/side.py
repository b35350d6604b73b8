"""Runs side by side: the pricing committee's view of the last few quotes of a deal.

One column per run (oldest on the left), one row per figure: what was run and when,
the status, each category's tier and price, the totals, and how many scenario fields
differ from the first run's (``runs diff`` names them). Built from the stored JSON
alone, so a run recorded by any command that solved (solve, check, quote, the deal
desk) can be shown; runs without a solved result show blanks.
"""

from __future__ import annotations

import json
from typing import Any

from optimizer.history.diff import RESULT_TOTAL_FIELDS, changes
from optimizer.history.record import result_part


def _price(category: dict[str, Any]) -> str:
    price = category.get("price")
    if price is None:
        return ""
    shown = (
        f"{100 * price:.2f}%" if category.get("pricing_model") == "revenue_share" else f"{price:g}"
    )
    return f"{category.get('tier')} @ {shown}"


def side_by_side(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The table of ``rows`` (stored runs, in the order to show): one dict per figure,
    ``{"figure": ..., "run 12": ..., "run 14": ...}``."""
    results = [result_part(json.loads(r["result"])) if r.get("result") else {} for r in rows]
    first = json.loads(rows[0]["canonical"]) if rows and rows[0].get("canonical") else {}
    heads = [f"run {r['id']}" for r in rows]

    def line(figure: str, values: list[Any]) -> dict[str, Any]:
        return {"figure": figure, **dict(zip(heads, values, strict=True))}

    table = [
        line("command", [r["command"] for r in rows]),
        line("time", [r["time"] for r in rows]),
        line("status", [res.get("status") for res in results]),
        line("verified", [res.get("verified") for res in results]),
    ]
    names = list(dict.fromkeys(c["name"] for res in results for c in res.get("categories") or []))
    for name in names:
        cats: list[dict[str, Any]] = [
            next((c for c in res.get("categories") or [] if c.get("name") == name), {})
            for res in results
        ]
        table.append(line(f"{name}: tier @ price", [_price(c) for c in cats]))
    for field in RESULT_TOTAL_FIELDS:
        table.append(line(field, [(res.get("totals") or {}).get(field) for res in results]))
    differ = [
        len(changes(first, json.loads(r["canonical"]))) if r.get("canonical") else None
        for r in rows
    ]
    table.append(line("scenario fields changed vs the first run", differ))
    return table
