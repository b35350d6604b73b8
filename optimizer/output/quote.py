"""The client quote as data: what ``tierprice quote`` puts on its one page.

:func:`build_quote` turns a verified result and its scenario into a :class:`Quote`:
each category's service in words, its price in the client's unit, its terms, the
monthly and contract totals, the assumptions the price rests on, the validity date,
and the open-book price waterfall (labour by site, team leaders, site overhead,
project specialists, fixed costs, set-up, margin). Money is held in whole cents;
the waterfall's lines and the categories' monthly lines are rounded by largest
remainder so that they add up to the rounded revenue exactly. No HTML or PDF here:
:mod:`optimizer.output.quote_html` and :mod:`optimizer.output.quote_pdf` lay it out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.analysis.contract import wanted
from optimizer.output.quote_words import (
    assumption,
    money,
    price_phrase,
    quantity_phrase,
    service_words,
    terms_lines,
)
from optimizer.results import VerifiedResult
from optimizer.scenario.schema import Scenario
from optimizer.staffing import costs


@dataclass(frozen=True)
class QuoteLine:
    """One category of the quote: service, price, quantity, monthly amount, terms."""

    category: str
    tier: str
    service: str
    """The tier's service in words: ``80% of calls answered within 20 seconds``."""
    price: str
    """The price in the client's unit: ``EUR 1.04 per handled minute``, ``11.5% of sales``."""
    quantity: str
    """What is billed a month: ``198,435 handled minutes a month``."""
    monthly_cents: int
    terms: tuple[str, ...]


@dataclass(frozen=True)
class WaterfallLine:
    """One line of the open-book price waterfall, in cents a month."""

    label: str
    cents: int


@dataclass(frozen=True)
class Quote:
    """Everything the quote page shows, already in words and cents."""

    title: str
    currency: str
    date: dt.date
    valid_until: dt.date
    contract_months: int
    lines: tuple[QuoteLine, ...]
    monthly_cents: int
    contract_cents: int
    contract_terms: tuple[str, ...]
    assumptions: tuple[str, ...]
    waterfall: tuple[WaterfallLine, ...]
    """Costs then margin; the cents add up to ``monthly_cents`` exactly."""

    def amount(self, cents: int) -> str:
        """Cents as money in the quote's currency: ``EUR 12,345.67``."""
        return money(self.currency, cents / 100)


def largest_remainder(values: Sequence[float], total_cents: int) -> list[int]:
    """Round ``values`` (money) to cents so that they add up to ``total_cents``.

    Each value is floored to cents, then the missing cents go one each to the values
    with the largest remainders (to a millionth of a cent; ties to the first); a
    shortfall or excess beyond one cent per value (values that do not add up to the
    total) is spread the same way.

    >>> largest_remainder([0.333, 0.333, 0.334], 100)
    [33, 33, 34]
    >>> largest_remainder([10.004, -0.004, 5.0], 1500)
    [1000, 0, 500]
    """
    if not values:
        return []
    micro = [round(v * 10**8) for v in values]  # millionths of a cent: float noise out
    floors = [m // 10**6 for m in micro]
    order = sorted(range(len(values)), key=lambda i: (-(micro[i] % 10**6), i))
    missing = total_cents - sum(floors)
    step = 1 if missing >= 0 else -1
    if step < 0:
        order.reverse()
    for k in range(abs(missing)):
        floors[order[k % len(order)]] += step
    return floors


def waterfall_amounts(scenario: Scenario, result: VerifiedResult) -> list[tuple[str, float]]:
    """The monthly price split into its cost components and the margin (money).

    Labour by site is paid hours x the site's hourly cost; team leaders are paid hours
    x the supervisor's hourly cost / ratio; site overhead is paid hours x each site's
    overhead per hour (together: the sites' cost); project specialists, fixed monthly
    cost and set-up spread over the contract are the rest of the cost formulas
    (:mod:`optimizer.staffing.costs`). Components that are zero are left out; the margin
    is revenue minus their sum, so the amounts add up to the revenue.
    """
    assert result.totals is not None
    p = scenario.provider
    paid = {s.name: s.paid_hours for s in result.sites}
    lines = [
        (f"Agent labour, {site.name}", paid.get(site.name, 0.0) * site.hourly_cost)
        for site in p.sites
    ]
    lines.append(
        ("Team leaders", sum(paid.values()) * p.supervisor_hourly_cost / p.supervisor_ratio)
    )
    overhead = sum(paid.get(site.name, 0.0) * site.overhead_per_hour for site in p.sites)
    lines.append(("Site overhead (seats, licences, desktop)", overhead))
    projects = [costs.project_cost(scenario, c) for c in scenario.categories if c.is_project]
    lines.append(("Project specialists", sum(projects)))
    lines.append(("Fixed costs", p.fixed_monthly_cost))
    lines.append(
        (
            f"Set-up, spread over {scenario.contract_months} months",
            p.setup_cost / scenario.contract_months,
        )
    )
    kept = [(label, value) for label, value in lines if value != 0.0]
    kept.append(("Margin", result.totals.revenue - sum(value for _, value in kept)))
    return kept


def build_quote(
    scenario: Scenario,
    result: VerifiedResult,
    date: dt.date,
    valid_days: int = 30,
) -> Quote:
    """The quote of a solved deal (``result`` must have a solution), dated ``date``."""
    if result.totals is None:
        raise ValueError("a quote needs a solved deal")
    monthly = round(result.totals.revenue * 100)
    categories = {c.name: c for c in scenario.categories}
    cents = largest_remainder([c.revenue for c in result.categories], monthly)
    lines = tuple(
        QuoteLine(
            o.name,
            o.tier,
            service_words(categories[o.name], categories[o.name].tier(o.tier)),
            price_phrase(scenario, categories[o.name], o, result.billing.get(o.name)),
            quantity_phrase(scenario, categories[o.name], o, result.billing.get(o.name)),
            cent,
            terms_lines(scenario, categories[o.name], result.billing.get(o.name)),
        )
        for o, cent in zip(result.categories, cents, strict=True)
    )
    amounts = waterfall_amounts(scenario, result)
    split = largest_remainder([v for _, v in amounts], monthly)
    contract = result.contract.total.revenue if result.contract and wanted(scenario) else None
    return Quote(
        title=scenario.scenario,
        currency=scenario.currency,
        date=date,
        valid_until=date + dt.timedelta(days=valid_days),
        contract_months=scenario.contract_months,
        lines=lines,
        monthly_cents=monthly,
        contract_cents=monthly * scenario.contract_months
        if contract is None
        else round(contract * 100),
        contract_terms=_contract_terms(scenario),
        assumptions=tuple(assumption(scenario, c) for c in scenario.categories),
        waterfall=tuple(
            WaterfallLine(label, c) for (label, _), c in zip(amounts, split, strict=True)
        ),
    )


def _contract_terms(scenario: Scenario) -> tuple[str, ...]:
    """The deal-wide terms: contract length and yearly escalation."""
    out = [f"Contract term: {scenario.contract_months} months from the start of service."]
    esc = scenario.escalation
    if esc is not None and esc.prices:
        out.append(
            f"Prices rise by {esc.prices * 100:g}% at the start of each contract year "
            "after the first."
        )
    return tuple(out)
