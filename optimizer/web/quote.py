"""The client quote a run can be downloaded as: one small adapter.

``GET /api/runs/ID/quote`` renders the one-page PDF quote of a solved run
(:mod:`optimizer.output.quote`, the same page as ``tierprice quote --output
quote.pdf``), dated today and valid for :data:`VALID_DAYS`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

VALID_DAYS = 30
"""Days a quote downloaded from the page is valid (``tierprice quote``'s default)."""


class QuoteUnavailableError(LookupError):
    """A run without a solved deal and its scenario cannot be quoted."""


def available() -> bool:
    """Whether a quote can be rendered (the page offers the download)."""
    return True


def quote(result: Any, scenario: Any) -> tuple[bytes, str, str]:
    """The PDF quote of a solved ``result`` of ``scenario``: bytes, media type, file name."""
    if result is None or scenario is None or result.totals is None:
        raise QuoteUnavailableError("this run has no solved deal to quote")
    from optimizer.output.quote import build_quote
    from optimizer.output.quote_pdf import to_pdf

    body = to_pdf(build_quote(scenario, result, dt.date.today(), VALID_DAYS), False)
    name = re.sub(r"[^A-Za-z0-9]+", "-", scenario.scenario).strip("-").lower() or "deal"
    return body, "application/pdf", f"{name}-quote.pdf"
