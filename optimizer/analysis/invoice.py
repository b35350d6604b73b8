"""The invoice of actual monthly quantities under the terms a deal was signed on.

The terms of each category are its chosen (or quoted) tier and price point: the plan
(fee, included units, unit price) and the platform fee, read from a verified result
(:func:`billing_of`). Each month of the actuals is billed category by category with
:func:`optimizer.staffing.charges.charge_lines` (plan fee, usage by volume band,
minimum top-up, platform fee), so at the forecast quantities a category's invoice is
exactly the solve's revenue for it. A category a month leaves out is not billed that
month (no plan fee, no minimum, no platform fee). Per-FTE billing with whole seats
rounds the actual FTE up, as the forecast's billable quantity is.

A site premium bills each site's share of the plan charge (the shares of the
productive hours in the signed plan's staffing) at its premium, one line per site. A
bonus level is billed in a month the actual service level (at the level's answer time)
reaches it, or, when the row gives none, if the plan staffs to it. An actual service
level is also reported as a line of amount 0. A month the client measures as one
window (``sla.window: month``) whose actual service level misses the tier's is credited
``credit_pct`` of its charge, at most ``credit_cap`` (a day or interval window cannot be
judged from a monthly figure: ``tierprice risk`` simulates those credits).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from optimizer.results import VerifiedResult
from optimizer.scenario.actuals import Actual
from optimizer.scenario.models import Category
from optimizer.scenario.risk_terms import category_sla
from optimizer.scenario.schema import Scenario
from optimizer.scenario.terms import Plan
from optimizer.staffing.charges import charge_lines, plan_charge
from optimizer.staffing.requirements import RequirementTable

SERVICE_LEVEL_ITEM = "service level"
"""The item of the line reporting a month's achieved service level (amount 0)."""


@dataclass(frozen=True)
class Billing:
    """How one category is billed: its tier, price point (as a plan) and platform fee."""

    tier: str
    plan: Plan
    platform_fee: float
    bonus: tuple[bool, ...] = ()
    """Per bonus level of the terms: whether the plan staffs to it."""
    site_shares: Mapping[str, float] = field(default_factory=dict)
    """Site -> its share of the category's productive hours in the plan (site premiums)."""


@dataclass(frozen=True)
class InvoiceLine:
    """One line of a month's invoice."""

    category: str
    item: str
    """``plan fee``, ``usage``, ``usage band from N``, ``minimum top-up``,
    ``platform fee`` (:class:`optimizer.staffing.charges.Line`), ``site premium SITE``,
    ``bonus 90% in 15 s`` or ``service level``."""
    quantity: float
    rate: float
    amount: float


@dataclass(frozen=True)
class MonthInvoice:
    """The invoice of one month: its lines (categories in the scenario's order)."""

    month: str
    lines: tuple[InvoiceLine, ...]
    total: float


@dataclass(frozen=True)
class Invoice:
    """The invoices of every month of the actuals, and their total."""

    currency: str
    months: tuple[MonthInvoice, ...]
    total: float


def billing_of(result: VerifiedResult) -> dict[str, Billing]:
    """Category -> its tier, plan and platform fee in a verified result (a plain price
    is the plan ``{fee: 0, included: 0, unit_price: price}``)."""
    out: dict[str, Billing] = {}
    for c in result.categories:
        terms = result.billing.get(c.name, {})
        plan = Plan(
            fee=float(terms.get("plan_fee", 0.0)),
            included=float(terms.get("included", 0.0)),
            unit_price=c.price,
        )
        bonus = tuple(bool(level["earned"]) for level in terms.get("bonus", ()))
        shares = dict(terms.get("site_shares", {}))
        out[c.name] = Billing(c.tier, plan, float(terms.get("platform_fee", 0.0)), bonus, shares)
    return out


def billed_quantity(scenario: Scenario, category: str, quantity: float) -> float:
    """The quantity billed for an actual one: whole seats round FTE up (float noise of
    1e-9 is not a seat, as in the forecast's billable quantity)."""
    cat = scenario.category(category)
    if cat.pricing == "per_fte_month" and cat.terms.bill_whole_units:
        return float(math.ceil(quantity - 1e-9))
    return quantity


def category_lines(scenario: Scenario, billing: Billing, actual: Actual) -> tuple[InvoiceLine, ...]:
    """One category's lines for one month of actuals."""
    cat = scenario.category(actual.category)
    quantity = billed_quantity(scenario, cat.name, actual.quantity)
    lines = [
        InvoiceLine(cat.name, line.item, line.quantity, line.rate, line.amount)
        for line in charge_lines(cat.terms, billing.plan, quantity, billing.platform_fee)
    ]
    lines += _premium_lines(cat, billing, quantity)
    lines += _credit_lines(scenario, cat, billing, actual, lines)
    for b, level in enumerate(cat.terms.bonus or ()):
        planned = b < len(billing.bonus) and billing.bonus[b]
        achieved = actual.service_level
        if planned if achieved is None else achieved >= level.service_level:
            item = f"bonus {level.service_level:.0%} in {level.answer_within_seconds:g} s"
            lines.append(InvoiceLine(cat.name, item, 1.0, level.amount, level.amount))
    if actual.service_level is not None:
        lines.append(InvoiceLine(cat.name, SERVICE_LEVEL_ITEM, actual.service_level, 0.0, 0.0))
    return tuple(lines)


def _premium_lines(cat: Category, billing: Billing, quantity: float) -> list[InvoiceLine]:
    """One line per site with a premium: its share of the units, at the plan charge's
    rate per unit x the premium (:func:`optimizer.staffing.charges.site_premium_charge`)."""
    lines = []
    base = plan_charge(cat.terms.volume_bands, billing.plan, quantity)
    for site, premium in (cat.terms.site_premium or {}).items():
        units = quantity * billing.site_shares.get(site, 0.0)
        if units > 0 and premium:
            rate = base / quantity * premium
            item = f"site premium {site}"
            lines.append(InvoiceLine(cat.name, item, units, rate, units * rate))
    return lines


def _credit_lines(
    scenario: Scenario, cat: Category, billing: Billing, actual: Actual, charged: list[InvoiceLine]
) -> list[InvoiceLine]:
    """The SLA credit of a month the client measures as one window (``sla.window:
    month``, design 12) whose actual service level falls short of the tier's: the credit
    per missed window, at most the cap, of the month's charge (design 11: credits never
    exceed their cap). Only where the deal or the category states its ``sla``; a day or
    interval window cannot be judged from a monthly service level, and is not credited."""
    target = cat.tier(billing.tier).service_level
    if (scenario.sla is None and cat.sla is None) or target is None:
        return []
    sla = category_sla(scenario.sla, cat.sla)
    achieved = actual.service_level
    if sla.window != "month" or achieved is None or achieved >= target:
        return []
    share = min(sla.credit_pct, sla.credit_cap)
    charge = math.fsum(line.amount for line in charged)
    item = f"SLA credit (service level {achieved:.1%} below {target:.0%})"
    return [InvoiceLine(cat.name, item, 1.0, -share * charge, -share * charge)]


def invoice(
    scenario: Scenario, billing: Mapping[str, Billing], actuals: Iterable[Actual]
) -> Invoice:
    """The invoice of each month in ``actuals`` (in their order) under ``billing``."""
    months: dict[str, list[InvoiceLine]] = {}
    for actual in actuals:
        lines = category_lines(scenario, billing[actual.category], actual)
        months.setdefault(actual.month, []).extend(lines)
    out = tuple(
        MonthInvoice(month, tuple(lines), math.fsum(line.amount for line in lines))
        for month, lines in months.items()
    )
    return Invoice(scenario.currency, out, math.fsum(m.total for m in out))


def forecast_actuals(
    scenario: Scenario, reqs: RequirementTable, billing: Mapping[str, Billing], month: str = "1"
) -> tuple[Actual, ...]:
    """One month of actuals at the forecast: each category's billable quantity at its
    chosen tier (its invoice is then the solve's revenue for it)."""
    return tuple(
        Actual(
            month,
            c.name,
            reqs.category(c.name).tier(billing[c.name].tier).billable_per_month,
            None,
            0,
        )
        for c in scenario.categories
    )
