"""The quote as an A4 PDF (fpdf2, pure Python): the same content as the HTML page.

fpdf2's built-in Helvetica covers Latin-1; other characters in scenario text are
written as their closest Latin-1 form (accents dropped), else ``?``. The PDF's
creation date is the quote's date, so the same quote gives the same file.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from optimizer.output.quote import Quote

NAVY = (31, 58, 95)
GREY = (85, 85, 85)


def latin1(text: str) -> str:
    """``text`` in what Helvetica can show: Latin-1, else without accents, else ``?``.

    >>> latin1("Zürich – Łódź ✓")
    'Zürich - ?ódz ?'
    """
    out = []
    for ch in text.replace("\u2013", "-").replace("\u2014", "-"):
        if ord(ch) < 256:
            out.append(ch)
            continue
        plain = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        out.append(plain or "?")
    return "".join(out)


def to_pdf(quote: Quote, open_book: bool = False) -> bytes:
    """The quote as PDF bytes; ``open_book`` adds the price waterfall."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime.combine(quote.date, dt.time(), dt.UTC))
    pdf.set_title(latin1(f"Quote: {quote.title}"))
    pdf.set_margins(15, 14, 15)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, latin1(f"Quote: {quote.title}"), new_x="LMARGIN", new_y="NEXT")
    _small(pdf)
    meta = (
        f"Date {quote.date.isoformat()}  |  valid until {quote.valid_until.isoformat()}  |  "
        f"prices in {quote.currency}"
    )
    pdf.cell(0, 5, latin1(meta), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, "Services and prices")
    _services(pdf, quote)
    _heading(pdf, "Terms")
    terms = list(quote.contract_terms)
    terms += [f"{line.category}: {t}" for line in quote.lines for t in line.terms]
    _bullets(pdf, terms)
    _heading(pdf, "Assumptions the price rests on")
    _bullets(pdf, list(quote.assumptions))
    if open_book:
        _heading(pdf, "Open book: where the monthly price goes")
        _waterfall(pdf, quote)
    pdf.ln(3)
    _small(pdf)
    pdf.multi_cell(
        0,
        4.5,
        latin1(
            f"This quote is valid until {quote.valid_until.isoformat()}. Prices hold for the "
            "volumes, handle times and hours above; a material change is re-priced."
        ),
    )
    return bytes(pdf.output())


def _small(pdf: Any) -> None:
    pdf.set_font("Helvetica", "", 8.5)
    pdf.set_text_color(*GREY)


def _body(pdf: Any, style: str = "") -> None:
    pdf.set_font("Helvetica", style, 9.5)
    pdf.set_text_color(26, 26, 26)


def _heading(pdf: Any, text: str) -> None:
    """A section heading with a rule under it."""
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.set_text_color(*NAVY)
    pdf.cell(0, 7, latin1(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*NAVY)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.5)
    _body(pdf)


def _services(pdf: Any, quote: Quote) -> None:
    """The table of categories, then the monthly and contract totals."""
    _body(pdf)
    widths = (34, 58, 56, 32)
    with pdf.table(
        col_widths=widths,
        text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
        line_height=4.6,
        borders_layout="HORIZONTAL_LINES",
        headings_style=_headings(),
        padding=1.2,
    ) as table:
        table.row(["Service", "Service level", "Price", f"Per month ({quote.currency})"])
        for line in quote.lines:
            table.row(
                [
                    latin1(f"{line.category}\n({line.tier})"),
                    latin1(line.service),
                    latin1(f"{line.price}\n{line.quantity}" if line.quantity else line.price),
                    f"{line.monthly_cents / 100:,.2f}",
                ]
            )
    _total(pdf, "Monthly total", quote.amount(quote.monthly_cents))
    _total(
        pdf, f"Contract total ({quote.contract_months} months)", quote.amount(quote.contract_cents)
    )


def _headings(style: str = "B") -> Any:
    from fpdf.fonts import FontFace

    return FontFace(emphasis=style, color=GREY, size_pt=8.5)


def _total(pdf: Any, label: str, amount: str) -> None:
    """A bold line: label on the left, amount on the right."""
    _body(pdf, "B")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.cell(width - 50, 6, latin1(label))
    pdf.cell(50, 6, latin1(amount), align="R", new_x="LMARGIN", new_y="NEXT")
    _body(pdf)


def _bullets(pdf: Any, items: list[str]) -> None:
    """One indented bullet line per item, wrapped."""
    _body(pdf)
    for item in items:
        pdf.set_x(pdf.l_margin + 2)
        pdf.cell(4, 4.8, "-")
        pdf.multi_cell(0, 4.8, latin1(item), align="L", new_x="LMARGIN", new_y="NEXT")


def _waterfall(pdf: Any, quote: Quote) -> None:
    """The price waterfall: components, their share, and the total (the revenue)."""
    _body(pdf)
    with pdf.table(
        col_widths=(110, 45, 25),
        text_align=("LEFT", "RIGHT", "RIGHT"),
        line_height=4.6,
        borders_layout="HORIZONTAL_LINES",
        headings_style=_headings(),
        padding=1.2,
    ) as table:
        table.row(["Component", f"Per month ({quote.currency})", "Share"])
        for line in quote.waterfall:
            share = line.cents / quote.monthly_cents if quote.monthly_cents else 0.0
            table.row([latin1(line.label), f"{line.cents / 100:,.2f}", f"{share:.1%}"])
    _total(pdf, "Monthly price", quote.amount(quote.monthly_cents))
