"""Optional parts of a category for projects priced by effort and the value of service.

A project can be invoiced on delivery (:class:`ProjectInvoice`) instead of spreading its
fee over the contract; a category can value the churn a better tier avoids
(:class:`Retention`). Both are optional: a category without them is as before.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from optimizer.scenario.field_types import Money, Name, Number, Strict

Churn = Annotated[float, Number("churn")]


class ProjectInvoice(Strict):
    """When a project's fee is invoiced (by default it is spread over the contract)."""

    on_delivery_month: Annotated[int, Number("delivery_month")]
    """The month of the contract (1 = the first, at most contract_months) whose invoice
    carries the whole fee. The monthly results still show the fee / contract_months (a
    monthly average); the result's ``cash_flow`` puts it in this month."""


class Retention(Strict):
    """The churn a tier avoids, as the client's value (see "Value of service")."""

    customers: Annotated[float, Number("customers")]
    """Customers served through this category."""
    churn_by_tier: Annotated[dict[Name, Churn], Field(min_length=1)]
    """Tier name -> share of the customers lost per month at that tier. The category's
    lowest tier must be listed: it is the baseline; a tier not listed churns as the
    baseline (avoids nothing); no tier may churn more than the baseline."""
    lifetime_value: Money
    """Value of one customer kept (money): value per month = customers x (baseline churn
    - this tier's churn) x lifetime_value."""

    def avoided(self, baseline_tier: str, tier: str) -> float:
        """Monthly value of the churn ``tier`` avoids against ``baseline_tier``.

        >>> r = Retention(customers=20000, churn_by_tier={"silver": 0.02, "gold": 0.015},
        ...               lifetime_value=900)
        >>> round(r.avoided("silver", "gold"), 6), r.avoided("silver", "bronze")
        (90000.0, 0.0)
        """
        base = self.churn_by_tier.get(baseline_tier, 0.0)
        churn = self.churn_by_tier.get(tier, base)
        return self.customers * (base - churn) * self.lifetime_value
