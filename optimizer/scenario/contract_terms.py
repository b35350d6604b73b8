"""Optional root fields of the contract view: escalation per contract year.

A scenario without them is as before; with them (or with a project invoiced on
delivery, or a ``discount_rate``) every result gains a ``contract`` block
(:mod:`optimizer.analysis.contract`). The model is unchanged: it optimises the first
year's monthly margin.
"""

from __future__ import annotations

from typing import Annotated

from optimizer.scenario.field_types import Number, Strict

Yearly = Annotated[float, Number("escalation")]


class Escalation(Strict):
    """Yearly escalation of the contract view (the result's ``contract`` block),
    compounding per contract year: year y is multiplied by (1 + rate)^(y - 1)."""

    wages: Yearly = 0.0
    """Yearly rise of the agents' labour cost (paid hours x the sites' paid-hour rate:
    wage, overhead and team leaders). Fixed monthly cost, set-up and project effort
    are not escalated."""
    prices: Yearly = 0.0
    """Yearly rise of the recurring revenue (every non-project category's charge,
    minimums and platform fees included). A project's fee is priced once and not
    escalated."""
