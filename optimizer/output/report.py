"""VerifiedResult -> the JSON contract (docs/output.md), text tables and CSV. Pure: returns
dicts and strings, prints nothing, never re-solves. Floats are rounded to ``DIGITS``
decimals so the output is identical from run to run; timings only in ``solver``."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from optimizer.analysis.worth import worth_sentences
from optimizer.conventions import price_decimals
from optimizer.output.risk_pricing_text import risk_pricing_lines
from optimizer.output.terms_text import contract_lines, terms_lines
from optimizer.results import TOTAL_FIELDS, Contract, Totals, VerifiedResult

DIGITS = 6
"""Decimals kept in JSON and CSV (removes floating-point noise between runs)."""

CATEGORY_FIELDS = (
    "name",
    "tier",
    "pricing_model",
    "price",
    "revenue",
    "cost",
    "margin",
    "fte",
    "contacts",
    "service_level",
    "abandon_rate",
)
SITE_FIELDS = ("name", "fte", "paid_hours", "cost")
CONSTRAINT_FIELDS = ("name", "binding", "slack", "shadow_price")
MONEY_FIELDS = ("revenue", "cost", "margin")
FLOW_FIELDS = ("month", "revenue", "cost", "cumulative")


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), DIGITS) + 0.0  # + 0.0: no -0.0


def _clean(value: Any) -> Any:
    """Floats rounded to ``DIGITS``, in mappings and lists too; other values as they are."""
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return [_clean(item) for item in value] if isinstance(value, list | tuple) else value


def _category(result: VerifiedResult, c: Any) -> dict[str, Any]:
    """One category's entry; ``terms`` only for a category billed under contract terms."""
    entry = {f: _clean(getattr(c, f)) for f in CATEGORY_FIELDS}
    if c.name in result.billing:
        entry["terms"] = _clean(result.billing[c.name])
    return entry


def to_dict(result: VerifiedResult) -> dict[str, Any]:
    """The JSON-ready result, with exactly the fields of design section 8."""
    got = result.totals
    totals = None if got is None else {f: _clean(getattr(got, f)) for f in TOTAL_FIELDS}
    out: dict[str, Any] = {
        "scenario": result.scenario,
        "currency": result.currency or None,
        "status": str(result.status),
        "objective": result.objective,
        "totals": totals,
        "categories": [_category(result, c) for c in result.categories],
        "sites": [{f: _clean(getattr(s, f)) for f in SITE_FIELDS} for s in result.sites],
        "constraints": [
            {f: _clean(getattr(c, f)) for f in CONSTRAINT_FIELDS} for c in result.constraints
        ],
    }
    if result.cash_flow:  # only when a project is invoiced on delivery
        out["cash_flow"] = [
            {f: _clean(getattr(m, f)) for f in FLOW_FIELDS} for m in result.cash_flow
        ]
    # Every result (design 11); null without a plan, as totals is.
    out["contract"] = None if result.contract is None else _contract(result.contract)
    out |= {} if result.risk_pricing is None else {"risk_pricing": _clean(result.risk_pricing)}
    if result.diagnosis or result.status == "infeasible":  # design 8: always when infeasible
        out["diagnosis"] = list(result.diagnosis)
    out |= {"risk": _clean(result.risk)} if result.risk else {}
    out["verified"] = result.verified
    out["solver"] = {
        "name": result.solver.name,
        "seconds": round(result.solver.seconds, 3),
        "gap": _num(result.solver.gap),
    }
    if result.solver.skipped:  # only when the time limit cut explanation or diagnosis short
        out["solver"]["skipped"] = list(result.solver.skipped)
    return out


def _contract(contract: Contract) -> dict[str, Any]:
    """The ``contract`` block: years, total, NPV, cash flow, set-up recovery month."""
    years = [
        {"year": y.year, **{f: _clean(getattr(y, f)) for f in MONEY_FIELDS}} for y in contract.years
    ]
    return {
        "years": years,
        "total": {f: _clean(getattr(contract.total, f)) for f in MONEY_FIELDS},
        "npv": _num(contract.npv),
        "cash_flow": [{f: _clean(getattr(m, f)) for f in FLOW_FIELDS} for m in contract.cash_flow],
        "setup_recovered_month": contract.setup_recovered_month,
    }


def to_json(result: VerifiedResult | list[VerifiedResult]) -> str:
    """JSON text of one result (or a list of them), keys in contract order."""
    data: Any = [to_dict(r) for r in result] if isinstance(result, list) else to_dict(result)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_csv(result: VerifiedResult) -> str:
    """One CSV row per category plus a ``TOTAL`` row (units in the header)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_csv_header(result.currency))
    for c in result.categories:
        numbers = (c.price, c.revenue, c.cost, c.margin, c.fte, c.contacts)
        rates = (c.service_level, c.abandon_rate)
        names = [result.scenario, result.status, c.name, c.tier, c.pricing_model]
        writer.writerow(names + [_cell(v) for v in (*numbers, *rates)])
    t = result.totals
    if t is not None:
        cells = [_cell(v) for v in (t.revenue, t.cost, t.margin, t.fte, t.contacts)]
        writer.writerow([result.scenario, result.status, "TOTAL", "", "", "", *cells, "", ""])
    else:
        writer.writerow([result.scenario, result.status, "TOTAL"] + [""] * 10)
    return buffer.getvalue()


def _csv_header(cur: str) -> list[str]:
    """The CSV columns of :func:`to_csv`, money in ``cur`` per month."""
    return [
        "scenario",
        "status",
        "category",
        "tier",
        "pricing_model",
        "price",
        f"revenue_{cur}_per_month",
        f"cost_{cur}_per_month",
        f"margin_{cur}_per_month",
        "fte",
        "contacts_per_month",
        "service_level",
        "abandon_rate",
    ]


def _cell(value: float | None) -> str:
    num = _num(value)
    return "" if num is None else repr(num)


def money(value: float | None, currency: str = "") -> str:
    """``1234567.8`` -> ``1,234,568``; None -> ``-``."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{value:,.0f}" + (f" {currency}" if currency else "")


def pct(value: float | None, digits: int = 1) -> str:
    """``0.1234`` -> ``12.3%``; None -> ``-``."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{100 * value:.{digits}f}%"


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain aligned text table (first column left, the rest right-aligned)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def price_text(price: float, pricing_model: str) -> str:
    """A price as a client reads it: a revenue share in per cent of sales, other prices
    at their quotable step (cents; 4 decimals below 1).

    >>> price_text(0.1178, "revenue_share"), price_text(7.4, "per_contact")
    ('11.78%', '7.40')
    >>> price_text(0.0925, "per_minute"), price_text(38000, "fixed_fee")
    ('0.0925', '38,000.00')
    """
    if pricing_model == "revenue_share":
        return f"{100 * price:.2f}%"
    return f"{price:,.{price_decimals(price)}f}"


def to_text(result: VerifiedResult) -> str:
    """The human-readable report: categories, totals, sites, binding limits."""
    head = f"{result.scenario} — {result.status}"
    if result.solver.gap is not None and result.status == "feasible":
        head += f" (gap {pct(result.solver.gap, 2)})"
    parts = [head, f"objective: {result.objective}; money per month in {result.currency}"]
    if result.totals is None:
        parts.append(result.message or "no solution")
        if result.diagnosis:
            parts += ["", "what would make it feasible:"]
            parts += [f"  - {d.get('message', d)}" for d in result.diagnosis]
        elif result.status == "infeasible":  # no move found (or the time limit cut it short)
            parts += ["", "what would make it feasible: no move of a limit, price or tier found"]
        return "\n".join(parts) + "\n"
    parts += ["", _categories_table(result)]
    parts += ["", _totals_table(result.totals, result.currency)]
    parts += ["", _sites_table(result)]
    parts += ["", _binding_table(result), *worth_sentences(result.billing, result.currency)]
    parts += terms_lines(result.billing, result.currency)
    parts += contract_lines(result.contract, result.currency)
    parts += risk_pricing_lines(result.risk_pricing, result.currency)
    parts.append(
        f"\nverified: {'yes' if result.verified else 'NO'}; solver "
        f"{result.solver.name} {result.solver.seconds:.2f} s"
    )
    return "\n".join(parts) + "\n"


_CATEGORY_HEADER = ["category", "tier", "pricing", "price", "contacts", "revenue", "cost"]
_CATEGORY_HEADER += ["margin", "margin %", "FTE", "SL"]


def _categories_table(result: VerifiedResult) -> str:
    """The text report's category table: tier, price, money, FTE and service level."""
    rows = [
        [
            c.name,
            c.tier,
            c.pricing_model,
            price_text(c.price, c.pricing_model),
            money(c.contacts),
            money(c.revenue),
            money(c.cost),
            money(c.margin),
            pct(c.margin / c.revenue if c.revenue else None),
            f"{c.fte:.1f}",
            pct(c.service_level),
        ]
        for c in result.categories
    ]
    return table(rows, _CATEGORY_HEADER)


def _totals_table(t: Totals, cur: str) -> str:
    """The text report's deal totals, one per line."""
    totals = [
        ["revenue (client spend)", money(t.revenue, cur)],
        ["cost", money(t.cost, cur)],
        ["margin", money(t.margin, cur)],
        ["margin %", pct(t.margin_pct)],
        ["markup %", pct(t.markup_pct)],
        ["contacts", money(t.contacts)],
        ["client cost per contact", _per(t.client_cost_per_contact, cur)],
        ["provider cost per contact", _per(t.provider_cost_per_contact, cur)],
        ["client ROI", pct(t.client_roi)],
        ["FTE", f"{t.fte:.1f}"],
    ]
    return table(totals, ["totals", ""])


def _sites_table(result: VerifiedResult) -> str:
    """The text report's sites: FTE, paid hours and cost."""
    cur = result.currency
    sites = [
        [s.name, f"{s.fte:.1f}", money(s.paid_hours), money(s.cost, cur)] for s in result.sites
    ]
    return table(sites, ["site", "FTE", "paid hours", "cost"])


def _binding_table(result: VerifiedResult) -> str:
    """The binding limits with slack, shadow price and relaxation gain (or "none binds")."""
    binding = [
        [c.name, _opt(c.slack), _opt(c.shadow_price), _opt(c.relax_gain)]
        for c in result.constraints
        if c.binding
    ]
    if not binding:
        return "no client or provider limit binds"
    header = ["binding limit", "slack", "shadow price", "margin gained by 1% relaxation"]
    return table(binding, header)


def _per(value: float | None, currency: str) -> str:
    return "-" if value is None else f"{value:,.2f} {currency}"


def _opt(value: float | None) -> str:
    num = _num(value)
    return "-" if num is None else f"{num:,.2f}".replace("-0.00", "0.00")


def rows_to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV of a list of flat dicts (header from the first row's keys)."""
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) if isinstance(v, float) else v for k, v in row.items()})
    return buffer.getvalue()


def rows_to_json(data: Any) -> str:
    """JSON with floats rounded to ``DIGITS`` decimals."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [walk(v) for v in value]
        return _clean(value)

    return json.dumps(walk(data), indent=2, ensure_ascii=False) + "\n"


def verdict(result: VerifiedResult) -> str:
    """One line: FEASIBLE with margin, margin %, client cost per contact and ROI, or not."""
    t = result.totals
    if t is None:
        reason = "" if result.status == "infeasible" else f" ({result.status})"
        return f"NOT FEASIBLE{reason} — {result.scenario}"
    return (
        f"FEASIBLE — {result.scenario}: margin {money(t.margin, result.currency)} "
        f"({pct(t.margin_pct)}), client cost per contact "
        f"{_per(t.client_cost_per_contact, result.currency)}, client ROI {pct(t.client_roi)}"
    )


def check_text(result: VerifiedResult, how: Any = None) -> str:
    """The deal check for a salesperson: verdict first, then the report or the diagnosis
    (``how(entry)``: the command printed under each suggestion)."""
    if result.totals is not None:
        return verdict(result) + "\n\n" + to_text(result)
    lines = [verdict(result), ""]
    groups = [
        ("alone", "Any one of these makes the deal feasible (each proven by re-solving):"),
        ("together", "No single limit suffices; together these make it feasible:"),
        ("alternative", "Alternatives for sales:"),
    ]
    for kind, title in groups:
        items = [d for d in result.diagnosis if d.get("kind") == kind]
        if items:
            lines.append(title)
            lines += [f"  - {d['message']}" + (f"\n      {how(d)}" if how else "") for d in items]
            lines.append("")
    if not result.diagnosis:
        lines.append("No change to a client or provider limit was found that makes it feasible.")
    return "\n".join(lines).rstrip() + "\n"


def check_json(result: VerifiedResult, fixed: dict[str, Any]) -> str:
    """JSON for scripts: verdict, held choices, binding limits, diagnosis, full result."""
    data = {
        "verdict": "feasible" if result.totals is not None else "not_feasible",
        "scenario": result.scenario,
        "fixed": {c: f.to_dict() for c, f in sorted(fixed.items())},
        "binding": [c.name for c in result.constraints if c.binding],
        "diagnosis": list(result.diagnosis),
        "result": to_dict(result),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def rows_table(rows: list[dict[str, Any]]) -> str:
    """A list of flat dicts as an aligned text table (numbers to 4 significant figures)."""
    if not rows:
        return "(no rows)\n"
    header = list(rows[0])

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"
        return str(value)

    return table([[cell(r.get(h)) for h in header] for r in rows], header) + "\n"
