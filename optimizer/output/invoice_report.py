"""An :class:`~optimizer.analysis.invoice.Invoice` as JSON, CSV or a text table.

JSON is ``{"currency", "months": [{"month", "lines": [{"category", "item",
"quantity", "rate", "amount"}], "total"}], "total"}`` with floats rounded to
:data:`optimizer.output.report.DIGITS` decimals; CSV is one row per line (the
totals are their sums); the table shows money to the cent, a total per month and
the total of the file. Pure: returns strings, prints nothing.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from optimizer.analysis.invoice import Invoice
from optimizer.output.report import _cell, _clean

LINE_FIELDS = ("category", "item", "quantity", "rate", "amount")
"""The keys of an invoice line, in order (JSON and CSV)."""


def to_dict(inv: Invoice) -> dict[str, Any]:
    """The JSON-ready invoice, keys in the documented order."""
    return {
        "currency": inv.currency,
        "months": [
            {
                "month": m.month,
                "lines": [{f: _clean(getattr(line, f)) for f in LINE_FIELDS} for line in m.lines],
                "total": _clean(m.total),
            }
            for m in inv.months
        ],
        "total": _clean(inv.total),
    }


def to_json(inv: Invoice) -> str:
    """JSON text of the invoice."""
    return json.dumps(to_dict(inv), indent=2, ensure_ascii=False) + "\n"


def to_csv(inv: Invoice) -> str:
    """One row per invoice line: ``month,category,item,quantity,rate,amount_CUR``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["month", "category", "item", "quantity", "rate", f"amount_{inv.currency}"])
    for m in inv.months:
        for line in m.lines:
            numbers = [_cell(v) for v in (line.quantity, line.rate, line.amount)]
            writer.writerow([m.month, line.category, line.item, *numbers])
    return buffer.getvalue()


def _amount(value: float) -> str:
    return f"{value:,.2f}"


def _quantity(value: float) -> str:
    return f"{value:,.2f}" if value != int(value) else f"{value:,.0f}"


def _table(rows: list[list[str]], header: list[str]) -> str:
    """Aligned text: the two text columns left, the numbers right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def to_text(inv: Invoice) -> str:
    """A table per month (lines, then its total) and the total of every month."""
    header = ["category", "item", "quantity", "rate", f"amount {inv.currency}"]
    parts = []
    for m in inv.months:
        rows = [
            [
                line.category,
                line.item,
                _quantity(line.quantity),
                f"{line.rate:,.4f}".rstrip("0").rstrip(".") if line.rate else "0",
                _amount(line.amount),
            ]
            for line in m.lines
        ]
        rows.append(["total", "", "", "", _amount(m.total)])
        parts.append(f"month {m.month}\n" + _table(rows, header))
    if not inv.months:
        parts.append("no months in the actuals")
    parts.append(f"total {_amount(inv.total)} {inv.currency}")
    return "\n\n".join(parts) + "\n"
