"""Excel workbooks (xlsxwriter): one sheet per table, units in the headers.

Pure: returns the workbook as bytes; :mod:`optimizer.output.writers` puts it on disk
atomically.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.results import VerifiedResult


def workbook(sheets: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """An .xlsx file with one sheet per ``{name: rows}`` (header from the first row's keys)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
    bold = book.add_format({"bold": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name[:31])
        header = list(rows[0]) if rows else ["(empty)"]
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            for c, key in enumerate(header):
                value = row.get(key)
                if value is None:
                    continue
                sheet.write(r, c, value if isinstance(value, int | float | str) else str(value))
        sheet.set_column(0, max(0, len(header) - 1), 16)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def result_sheets(results: Sequence[VerifiedResult]) -> dict[str, list[dict[str, Any]]]:
    """Summary, categories, sites, staffing by interval and binding limits of results."""
    cur = next((r.currency for r in results if r.currency), "")  # failed jobs have none
    return {
        "summary": [_summary_row(r, cur) for r in results],
        "categories": [row for r in results for row in _category_rows(r, cur)],
        "sites": [row for r in results for row in _site_rows(r, cur)],
        "staffing by interval": [row for r in results for row in _staffing_rows(r)],
        "binding limits": [row for r in results for row in _limit_rows(r, cur)],
    }


def _summary_row(r: VerifiedResult, cur: str) -> dict[str, Any]:
    """One result's totals (empty cells where it has none), status and solver."""
    t = r.totals
    return {
        "scenario": r.scenario,
        "status": str(r.status),
        "objective": r.objective,
        f"revenue ({cur}/month)": t and t.revenue,
        f"cost ({cur}/month)": t and t.cost,
        f"margin ({cur}/month)": t and t.margin,
        "margin (share)": t and t.margin_pct,
        "markup (share)": t and t.markup_pct,
        "contacts (/month)": t and t.contacts,
        f"client cost per contact ({cur})": t and t.client_cost_per_contact,
        f"provider cost per contact ({cur})": t and t.provider_cost_per_contact,
        "client ROI (share)": t and t.client_roi,
        "FTE": t and t.fte,
        "verified": r.verified,
        "solver": r.solver.name,
        "gap": r.solver.gap,
    }


def _category_rows(r: VerifiedResult, cur: str) -> list[dict[str, Any]]:
    """One row per category of a result: tier, price, money, FTE, service."""
    return [
        {
            "scenario": r.scenario,
            "category": c.name,
            "tier": c.tier,
            "pricing model": c.pricing_model,
            f"price ({cur} per unit)": c.price,
            f"revenue ({cur}/month)": c.revenue,
            f"cost ({cur}/month)": c.cost,
            f"margin ({cur}/month)": c.margin,
            "FTE": c.fte,
            "contacts (/month)": c.contacts,
            "service level (share)": c.service_level,
            "abandon rate (share)": c.abandon_rate,
        }
        for c in r.categories
    ]


def _site_rows(r: VerifiedResult, cur: str) -> list[dict[str, Any]]:
    """One row per site of a result: FTE, paid hours, cost."""
    return [
        {
            "scenario": r.scenario,
            "site": s.name,
            "FTE": s.fte,
            "paid hours (/month)": s.paid_hours,
            f"cost ({cur}/month)": s.cost,
        }
        for s in r.sites
    ]


def _staffing_rows(r: VerifiedResult) -> list[dict[str, Any]]:
    """One row per (site, category, interval) with agents scheduled (zeros left out)."""
    return [
        {
            "scenario": r.scenario,
            "site": site,
            "category": cat,
            "interval": r.labels[i] if r.labels else i,
            "scheduled agents": float(value),
        }
        for (site, cat), arr in sorted(r.staffing.items())
        for i, value in enumerate(arr)
        if value
    ]


def _limit_rows(r: VerifiedResult, cur: str) -> list[dict[str, Any]]:
    """One row per client or provider limit of a result, binding or not."""
    return [
        {
            "scenario": r.scenario,
            "limit": lim.name,
            "binding": lim.binding,
            "slack": lim.slack,
            "shadow price": lim.shadow_price,
            f"margin gained by 1% relaxation ({cur}/month)": lim.relax_gain,
        }
        for lim in r.constraints
    ]
