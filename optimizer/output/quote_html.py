"""The quote as one self-contained HTML page: inline CSS, no script, no external asset.

Laid out for A4 when printed (``@page``), readable on a screen. Every text from the
scenario is escaped.
"""

from __future__ import annotations

from html import escape

from optimizer.output.quote import Quote

CSS = """
@page { size: A4; margin: 16mm 15mm; }
body { font-family: Helvetica, Arial, sans-serif; font-size: 10pt; color: #1a1a1a;
       max-width: 180mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 2pt 0; }
h2 { font-size: 11pt; margin: 14pt 0 4pt 0; color: #1f3a5f;
     border-bottom: 1px solid #1f3a5f; padding-bottom: 2pt; }
p.meta { margin: 0; color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 3pt 4pt; }
th { font-size: 9pt; color: #555; border-bottom: 1px solid #999; }
td { border-bottom: 1px solid #e2e2e2; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 1px solid #1a1a1a; border-bottom: none; }
ul { margin: 2pt 0; padding-left: 14pt; }
li { margin: 1pt 0; }
small { color: #555; }
@media print { body { padding: 0; } }
"""


def to_html(quote: Quote, open_book: bool = False) -> str:
    """The quote page; ``open_book`` adds the price waterfall."""
    e = escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Quote: {e(quote.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Quote: {e(quote.title)}</h1>",
        f'<p class="meta">Date {quote.date.isoformat()} &middot; valid until '
        f"{quote.valid_until.isoformat()} &middot; prices in {e(quote.currency)}</p>",
        "<h2>Services and prices</h2>",
        _services(quote),
        "<h2>Terms</h2>",
        _list(_terms(quote)),
        "<h2>Assumptions the price rests on</h2>",
        _list(quote.assumptions),
    ]
    if open_book:
        parts += ["<h2>Open book: where the monthly price goes</h2>", _waterfall(quote)]
    parts.append(
        f"<p><small>This quote is valid until {quote.valid_until.isoformat()}. Prices "
        "hold for the volumes, handle times and hours above; a material change is "
        "re-priced.</small></p>"
    )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _services(quote: Quote) -> str:
    """The table of categories: service, price, billed quantity, monthly amount."""
    e = escape
    rows = [
        "<table><tr><th>Service</th><th>Service level</th><th>Price</th>"
        f'<th class="num">Per month ({e(quote.currency)})</th></tr>'
    ]
    for line in quote.lines:
        rows.append(
            f"<tr><td><b>{e(line.category)}</b><br><small>{e(line.tier)}</small></td>"
            f"<td>{e(line.service)}</td>"
            f"<td>{e(line.price)}<br><small>{e(line.quantity)}</small></td>"
            f'<td class="num">{e(f"{line.monthly_cents / 100:,.2f}")}</td></tr>'
        )
    rows.append(
        f'<tr class="total"><td colspan="3">Monthly total</td>'
        f'<td class="num">{e(quote.amount(quote.monthly_cents))}</td></tr>'
    )
    rows.append(
        f'<tr class="total"><td colspan="3">Contract total ({quote.contract_months} months)'
        f'</td><td class="num">{e(quote.amount(quote.contract_cents))}</td></tr>'
    )
    rows.append("</table>")
    return "\n".join(rows)


def _terms(quote: Quote) -> list[str]:
    """The deal's terms, then each category's (named)."""
    out = list(quote.contract_terms)
    for line in quote.lines:
        out += [f"{line.category}: {term}" for term in line.terms]
    return out


def _list(items: tuple[str, ...] | list[str]) -> str:
    """An HTML bullet list of escaped lines."""
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def _waterfall(quote: Quote) -> str:
    """The waterfall table: one line per component, the total equal to the revenue."""
    e = escape
    rows = [
        f'<table><tr><th>Component</th><th class="num">Per month ({e(quote.currency)})</th>'
        '<th class="num">Share</th></tr>'
    ]
    for line in quote.waterfall:
        share = line.cents / quote.monthly_cents if quote.monthly_cents else 0.0
        rows.append(
            f'<tr><td>{e(line.label)}</td><td class="num">{line.cents / 100:,.2f}</td>'
            f'<td class="num">{share:.1%}</td></tr>'
        )
    rows.append(
        f'<tr class="total"><td>Monthly price</td>'
        f'<td class="num">{quote.monthly_cents / 100:,.2f}</td><td class="num">100.0%</td></tr>'
    )
    rows.append("</table>")
    return "\n".join(rows)
