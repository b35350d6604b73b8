"""The client quote a run can be downloaded as: one small adapter.

The page offers the quote download only when :func:`available` says so, and the
API's ``GET /api/runs/ID/quote`` answers ``501`` with :data:`UNAVAILABLE`
otherwise. In this build no quote renderer is installed, so neither offers one;
the workbook (``/api/runs/ID/workbook.xlsx``) is always there.
"""

from __future__ import annotations

from typing import Any

UNAVAILABLE = "the client quote is not available in this version of tierprice"
"""What the API says when there is no quote renderer."""


class QuoteUnavailableError(LookupError):
    """No quote renderer in this build."""


def available() -> bool:
    """Whether a quote can be rendered."""
    return False


def quote(result: Any) -> tuple[bytes, str, str]:
    """The quote of a result: its bytes, media type and file name."""
    raise QuoteUnavailableError(UNAVAILABLE)
