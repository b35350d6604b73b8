"""The contract view (design 11): the solved monthly plan over the whole contract.

A pure function of the verified result and the scenario; the MILP is unchanged (it
optimises the first year's monthly margin). Month m of the contract lies in contract
year y = (m - 1) // 12 + 1, and in it

* recurring revenue (every non-project category) = its monthly revenue x
  (1 + escalation.prices)^(y - 1);
* labour cost (agents' paid hours x the sites' rates, ``sites[].cost``) = its monthly
  cost x (1 + escalation.wages)^(y - 1);
* fixed monthly cost, project fees and project effort are not escalated (a project is
  priced once; fixed cost is not wages).

``years`` are accruals, the monthly plan x its months: set-up cost and project fees
spread over the contract as in ``totals`` (year 1 = 12 x the monthly totals, or the
months there are). ``cash_flow`` is when the money moves: the set-up cost in month 1,
an invoiced project's whole fee in its delivery month. Both add up to the same
``total``. ``npv`` discounts month m's cash flow by (1 + discount_rate)^(m / 12): flows
fall at the end of their month, month 1 (set-up included) discounted by one month.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.results import Contract, ContractYear, MonthFlow, VerifiedResult
from optimizer.scenario.schema import Scenario
from optimizer.staffing.cash_flow import invoiced


def wanted(scenario: Scenario) -> bool:
    """Whether the contract view differs from ``contract_months`` x the monthly plan: the
    scenario escalates, discounts or invoices a project on delivery (a quote's contract
    total is then the view's, else its monthly cents x the months, exactly)."""
    return (
        scenario.escalation is not None
        or scenario.discount_rate is not None
        or (invoiced(scenario))
    )


@dataclass(frozen=True)
class MonthlyParts:
    """The monthly figures of the solved plan, split by how they move over the contract."""

    recurring: float
    """Revenue of the non-project categories (escalated with prices)."""
    projects: float
    """Monthly average of the project fees that are not invoiced on delivery."""
    invoiced: dict[int, float]
    """Month -> the whole fees of the projects delivered then."""
    invoiced_average: float
    """Monthly average of the invoiced fees (fee / contract_months)."""
    labour: float
    """Agents' paid hours x rate (escalated with wages)."""
    other: float
    """Fixed monthly cost and project effort (set-up excluded)."""
    setup: float


def parts(scenario: Scenario, result: VerifiedResult) -> MonthlyParts:
    """Split the result's monthly totals; they add up to ``totals`` again."""
    assert result.totals is not None
    months = scenario.contract_months
    recurring = projects = average = 0.0
    delivered: dict[int, float] = {}
    for outcome in result.categories:
        cat = scenario.category(outcome.name)
        if not cat.is_project:
            recurring += outcome.revenue
        elif cat.invoice is None:
            projects += outcome.revenue
        else:
            month = cat.invoice.on_delivery_month
            delivered[month] = delivered.get(month, 0.0) + outcome.revenue * months
            average += outcome.revenue
    labour = sum(s.cost for s in result.sites)
    setup = scenario.provider.setup_cost
    other = result.totals.cost - labour - setup / months
    return MonthlyParts(recurring, projects, delivered, average, labour, other, setup)


def growth(rate: float, month: int) -> float:
    """The escalation factor of ``month``: (1 + rate)^(contract year - 1).

    >>> growth(0.03, 12), growth(0.03, 13), round(growth(0.03, 25), 6)
    (1.0, 1.03, 1.0609)
    """
    return (1.0 + rate) ** ((month - 1) // 12)


def contract_view(scenario: Scenario, result: VerifiedResult) -> Contract | None:
    """The contract block of ``result`` (design 11: every result with a plan has one);
    None when it has no plan."""
    if result.totals is None:
        return None
    p = parts(scenario, result)
    esc = scenario.escalation
    prices, wages = (esc.prices, esc.wages) if esc is not None else (0.0, 0.0)
    months = scenario.contract_months
    years: dict[int, list[float]] = {}
    flows: list[MonthFlow] = []
    cumulative = 0.0
    for month in range(1, months + 1):
        recurring = p.recurring * growth(prices, month)
        labour = p.labour * growth(wages, month)
        accrued = years.setdefault((month - 1) // 12 + 1, [0.0, 0.0])
        accrued[0] += recurring + p.projects + p.invoiced_average
        accrued[1] += labour + p.other + p.setup / months
        revenue = recurring + p.projects + p.invoiced.get(month, 0.0)
        cost = labour + p.other + (p.setup if month == 1 else 0.0)
        cumulative += revenue - cost
        flows.append(MonthFlow(month, revenue, cost, cumulative))
    by_year = tuple(ContractYear(y, r, c, r - c) for y, (r, c) in years.items())
    revenue = sum(y.revenue for y in by_year)
    cost = sum(y.cost for y in by_year)
    return Contract(
        years=by_year,
        total=ContractYear(0, revenue, cost, revenue - cost),
        npv=None if scenario.discount_rate is None else npv(flows, scenario.discount_rate),
        cash_flow=tuple(flows),
        setup_recovered_month=recovered_month(flows),
    )


def npv(flows: list[MonthFlow] | tuple[MonthFlow, ...], rate: float) -> float:
    """Σ (revenue - cost of month m) / (1 + rate)^(m / 12).

    >>> round(npv([MonthFlow(12, 108, 0, 108)], 0.08), 6)
    100.0
    """
    return sum((f.revenue - f.cost) / (1.0 + rate) ** (f.month / 12) for f in flows)


def recovered_month(flows: list[MonthFlow] | tuple[MonthFlow, ...]) -> int | None:
    """The first month whose cumulative cash flow (set-up cost included) is >= 0.

    >>> recovered_month([MonthFlow(1, 0, 5, -5), MonthFlow(2, 9, 1, 3)])
    2
    """
    return next((f.month for f in flows if f.cumulative >= -1e-9), None)
