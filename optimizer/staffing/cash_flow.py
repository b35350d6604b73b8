"""The contract month by month, when a project is invoiced on delivery.

The MILP and every monthly figure spread a project's fee evenly over the contract (its
monthly average, fee / contract_months), and the set-up cost too. The cash flow puts
them where they fall: an invoiced project's whole fee in its delivery month, the set-up
cost in month 1; everything else is the same every month.
"""

from __future__ import annotations

from collections.abc import Mapping

from optimizer.results import MonthFlow
from optimizer.scenario.schema import Scenario


def invoiced(scenario: Scenario) -> bool:
    """Whether some category is invoiced in one month (the cash flow is reported then)."""
    return any(c.invoice is not None for c in scenario.categories)


def cash_flow(
    scenario: Scenario, revenue_by_category: Mapping[str, float], monthly_cost: float
) -> tuple[MonthFlow, ...]:
    """Months 1..contract_months from the monthly revenue of each category and the
    deal's monthly cost (set-up spread in it); empty unless :func:`invoiced`.

    Month m's revenue = the spread categories' monthly revenue + the whole fee (monthly
    revenue x contract_months) of each project delivered in m; its cost = the monthly
    cost with the set-up cost moved to month 1. Over the contract both add up to
    contract_months x the monthly figures.
    """
    if not invoiced(scenario):
        return ()
    months = scenario.contract_months
    setup = scenario.provider.setup_cost
    spread = 0.0
    delivered: dict[int, float] = {}
    for name, revenue in revenue_by_category.items():
        invoice = scenario.category(name).invoice
        if invoice is None:
            spread += revenue
        else:
            month = invoice.on_delivery_month
            delivered[month] = delivered.get(month, 0.0) + revenue * months
    flows = []
    cumulative = 0.0
    for month in range(1, months + 1):
        revenue = spread + delivered.get(month, 0.0)
        cost = monthly_cost - setup / months + (setup if month == 1 else 0.0)
        cumulative += revenue - cost
        flows.append(MonthFlow(month, revenue, cost, cumulative))
    return tuple(flows)


def recovery_month(flows: tuple[MonthFlow, ...]) -> int | None:
    """The month from which the cumulative cash flow stays at or above 0 (the set-up
    cost and every month's cost so far recovered); None if it ends below 0.

    >>> recovery_month((MonthFlow(1, 0, 5, -5), MonthFlow(2, 9, 1, 3), MonthFlow(3, 1, 2, 2)))
    2
    """
    month = None
    for flow in flows:
        if flow.cumulative < -1e-9:
            month = None
        elif month is None:
            month = flow.month
    return month
