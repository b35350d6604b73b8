"""Excel workbooks (xlsxwriter): one sheet per table, units in the headers, and number
formats read from those units (money in the currency, shares as %, FTE to one decimal,
agents whole; a revenue share's price as %).

Pure: returns the workbook as bytes; :mod:`optimizer.output.writers` puts it on disk
atomically. The committee sheets (inputs, side by side) are built in
:mod:`optimizer.output.excel_sheets`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.output.quote_words import PRICE_UNITS
from optimizer.results import TOTAL_FIELDS, VerifiedResult

Rows = Sequence[Mapping[str, Any]]
"""One table: a row per mapping, the header from the first row's keys."""

MONEY, PRICE, SHARE, SHARE_PRICE = "#,##0.00", "#,##0.00##", "0.0%", "0.00%"
"""Money, a unit price (2 to 4 decimals), a share, a revenue share's price."""
COUNT, HOURS, ONE_DECIMAL, WHOLE = "#,##0", "#,##0.0", "0.0", "0"
"""Contacts and seconds, hours, FTE and agents, seats and months."""
MEASURE = "measure"
"""The first column of a transposed table: each row's format comes from its measure."""


class Blocks(tuple[Rows, ...]):
    """Several tables on one sheet, one under the other (a blank row between)."""


def column_format(header: str, currency: str) -> str | None:
    """The number format a column's unit asks for (None: general).

    >>> column_format("margin (share)", "EUR"), column_format("cost (EUR/month)", "EUR")
    ('0.0%', '#,##0.00')
    >>> column_format("FTE", "EUR"), column_format("seats", "EUR")
    ('0.0', '0')
    """
    h = header.lower()
    if h.endswith("(share)"):
        return SHARE
    if h.startswith("slack"):
        return PRICE  # seats, money or a share: as many decimals as it has, up to 4
    if currency and f"({currency.lower()}" in h:
        return PRICE if "price" in h else MONEY
    if h == "fte" or h.startswith("fte ") or h.endswith("(fte)"):
        return ONE_DECIMAL
    if h.startswith("seats") or h.endswith("(seats)") or h.endswith("(months)"):
        return WHOLE
    if "agents" in h:
        return ONE_DECIMAL
    if "hours" in h:
        return HOURS
    if h.startswith("contacts") or h.endswith("(seconds)") or h.endswith("(/month)"):
        return COUNT
    return None


def cell_format(header: str, row: Mapping[str, Any], currency: str) -> str | None:
    """A cell's number format: its column's, its measure's in a transposed table, and
    a revenue share's price as a percentage."""
    if MEASURE in row and header != MEASURE:
        header = str(row[MEASURE])
    fmt = column_format(header, currency)
    if fmt == PRICE and row.get("pricing model") == "revenue_share":
        return SHARE_PRICE
    return fmt


def workbook(sheets: Mapping[str, Rows | Blocks], currency: str = "") -> bytes:
    """An .xlsx file with one sheet per ``{name: rows}`` (header from the first row's
    keys; :class:`Blocks`: several tables); numbers formatted by their headers' units
    (money where a header names ``currency``)."""
    import xlsxwriter

    buffer = io.BytesIO()
    # Text is text: a scenario or category named "=HYPERLINK(...)" (an uploaded file on
    # the deal desk) must not become a live formula, nor "http..." a link.
    options = {
        "in_memory": True,
        "nan_inf_to_errors": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    book = xlsxwriter.Workbook(buffer, options)
    styles: dict[str | None, Any] = {None: None}

    def style(fmt: str | None) -> Any:
        if fmt not in styles:
            styles[fmt] = book.add_format({"num_format": fmt})
        return styles[fmt]

    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for name, table in sheets.items():
        sheet = book.add_worksheet(name[:31])
        top, width = 0, 1
        for rows in table if isinstance(table, Blocks) else (table,):
            header = list(rows[0]) if rows else ["(empty)"]
            sheet.write_row(top, 0, header, bold)
            for r, row in enumerate(rows, start=top + 1):
                for c, key in enumerate(header):
                    value = row.get(key)
                    if value is None:
                        continue
                    if not isinstance(value, int | float | str):
                        value = str(value)
                    sheet.write(r, c, value, style(cell_format(key, row, currency)))
            top, width = top + len(rows) + 2, max(width, len(header))
        sheet.set_column(0, width - 1, 16)
        sheet.freeze_panes(0 if isinstance(table, Blocks) else 1, 0)
    book.close()
    return buffer.getvalue()


def total_headers(cur: str) -> dict[str, str]:
    """The deal totals' names (JSON, sweep rows) -> their workbook headers, with units."""
    return dict(
        zip(
            TOTAL_FIELDS,
            (
                f"revenue ({cur}/month)",
                f"cost ({cur}/month)",
                f"margin ({cur}/month)",
                "margin (share)",
                "markup (share)",
                "contacts (/month)",
                f"client cost per contact ({cur})",
                f"provider cost per contact ({cur})",
                "client ROI (share)",
                "FTE",
            ),
            strict=True,
        )
    )


def risk_headers(cur: str) -> dict[str, str]:
    """The volume-risk figures' names (JSON ``risk``, sweep rows; in the order of
    ``RISK_FIELDS``) -> workbook headers, with units."""
    return {
        "margin_mean": f"mean margin ({cur}/month)",
        "margin_p5": f"margin 5th percentile ({cur}/month)",
        "margin_cvar5": f"margin CVaR 5% ({cur}/month)",
        "p_margin_below_floor": "P(margin below floor) (share)",
        "expected_credits": f"expected credits ({cur}/month)",
    }


def result_sheets(results: Sequence[VerifiedResult]) -> dict[str, list[dict[str, Any]]]:
    """Summary, categories, sites, staffing by interval, binding limits, terms (when a
    category is billed under contract terms) and the contract view of results (the
    summary has the risk figures when any result was simulated)."""
    cur = next((r.currency for r in results if r.currency), "")  # failed jobs have none
    risky = any(r.risk for r in results)
    sheets = {
        "summary": [_summary_row(r, cur, risky) for r in results],
        "categories": [row for r in results for row in _category_rows(r, cur)],
        "sites": [row for r in results for row in _site_rows(r, cur)],
        "staffing by interval": [row for r in results for row in _staffing_rows(r)],
        "binding limits": [row for r in results for row in _limit_rows(r, cur)],
    }
    terms = [row for r in results for row in _terms_rows(r, cur)]
    contract = [row for r in results for row in _contract_rows(r, cur)]
    return sheets | ({"terms": terms} if terms else {}) | {"contract": contract}


def _terms_rows(r: VerifiedResult, cur: str) -> list[dict[str, Any]]:
    """One row per category billed under contract terms: its charge's parts (the JSON's
    ``terms``; lists such as bonus levels and site shares left to the JSON)."""
    return [
        {"scenario": r.scenario, "category": name}
        | {
            (f"{key.replace('_', ' ')} ({cur}/month)" if key in MONEY_TERMS else key): value
            for key, value in terms.items()
            if not isinstance(value, list | dict)
        }
        for name, terms in r.billing.items()
    ]


MONEY_TERMS = frozenset(
    ("plan_fee", "usage_charge", "minimum_top_up", "platform_fee", "site_premium", "bonus_earned")
)
"""The ``terms`` entries that are money a month (their column gets the unit)."""


def _contract_rows(r: VerifiedResult, cur: str) -> list[dict[str, Any]]:
    """The contract view of a result: a row a contract year, then the total with the NPV
    and the month the set-up cost is recovered (none without a contract block)."""
    c = r.contract
    if c is None:
        return []
    rows: list[dict[str, Any]] = [
        {"scenario": r.scenario, "year": str(y.year), f"revenue ({cur})": y.revenue,
         f"cost ({cur})": y.cost, f"margin ({cur})": y.margin, f"NPV ({cur})": None,
         "set-up recovered (month)": None}
        for y in c.years
    ]  # fmt: skip
    total: dict[str, Any] = {f"revenue ({cur})": c.total.revenue, f"cost ({cur})": c.total.cost}
    total |= {f"margin ({cur})": c.total.margin, f"NPV ({cur})": c.npv}
    total["set-up recovered (month)"] = c.setup_recovered_month
    return [*rows, {"scenario": r.scenario, "year": "total", **total}]


def _summary_row(r: VerifiedResult, cur: str, risky: bool = False) -> dict[str, Any]:
    """One result's totals (empty cells where it has none), ``risky``: its risk
    figures, status and solver."""
    t = r.totals
    row: dict[str, Any] = {
        "scenario": r.scenario,
        "status": str(r.status),
        "objective": r.objective,
    }
    for name, header in total_headers(cur).items():
        row[header] = None if t is None else getattr(t, name)
    for name, header in risk_headers(cur).items() if risky else ():
        row[header] = r.risk.get(name)
    return {**row, "verified": r.verified, "solver": r.solver.name, "gap (share)": r.solver.gap}


def _category_rows(r: VerifiedResult, cur: str) -> list[dict[str, Any]]:
    """One row per category of a result: tier, price, money, FTE, service."""
    return [
        {
            "scenario": r.scenario,
            "category": c.name,
            "tier": c.tier,
            "pricing model": c.pricing_model,
            f"price ({cur} per unit)": c.price,
            "price unit": PRICE_UNITS.get(c.pricing_model, c.pricing_model),
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
            "slack (in the limit's unit)": lim.slack,
            f"shadow price ({cur}/month per unit of the limit)": lim.shadow_price,
            f"margin gained by 1% relaxation ({cur}/month)": lim.relax_gain,
        }
        for lim in r.constraints
    ]
