"""The quote's words: money, percentages, service levels, prices and terms in the
client's language (``80% of calls answered within 20 seconds``, ``EUR 1.04 per handled
minute``, ``11.5% of sales``). Plain functions of the scenario and the result's numbers,
used by :mod:`optimizer.output.quote`.
"""

from __future__ import annotations

from typing import Any

from optimizer.results import CategoryOutcome
from optimizer.scenario.models import Category, Tier
from optimizer.scenario.schema import Scenario

UNITS = {
    "per_contact": ("per handled contact", "handled contacts"),
    "per_minute": ("per handled minute", "handled minutes"),
    "per_productive_hour": ("per productive agent hour", "productive agent hours"),
    "per_fte_month": ("per FTE and month", "FTE"),
    "per_resolution": ("per resolution", "resolutions"),
}
"""Pricing model -> (the price's unit, the billed quantity's noun)."""
PRICE_UNITS = {
    **{model: unit for model, (unit, _) in UNITS.items()},
    "revenue_share": "share of sales",
    "fixed_fee": "a month (projects: once)",
    "per_unit": "per unit of project work, once",
    "per_hour": "per specialist hour, once",
}
"""Pricing model -> the unit of its price, in words (the workbook's ``price unit``)."""
NOUNS = {"voice": "calls", "chat": "chats", "deferred": "items"}
"""Channel -> what its contacts are called on the quote."""


def money(currency: str, value: float) -> str:
    """``EUR 12,345.67`` (two decimals, thousands separated).

    >>> money("EUR", 1234567.891)
    'EUR 1,234,567.89'
    """
    return f"{currency} {value:,.2f}"


def unit_price(currency: str, value: float) -> str:
    """A unit price: two decimals, up to four when the price has them (``EUR 0.0725``).

    >>> unit_price("EUR", 1.04), unit_price("EUR", 0.0725)
    ('EUR 1.04', 'EUR 0.0725')
    """
    text = f"{value:,.4f}".rstrip("0")
    if len(text.split(".")[1]) < 2:
        text = f"{value:,.2f}"
    return f"{currency} {text}"


def percent(share: float) -> str:
    """A share as a percentage with at most two decimals: 0.115 -> ``11.5%``.

    >>> percent(0.8), percent(0.115), percent(0.11499)
    ('80%', '11.5%', '11.5%')
    """
    return f"{share * 100:.2f}".rstrip("0").rstrip(".") + "%"


def number(value: float) -> str:
    """A quantity: whole with separators, one decimal below 100 when it has one.

    >>> number(198435.4), number(38.24)
    ('198,435', '38.2')
    """
    if abs(value) < 100 and round(value, 1) != round(value):
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def service_words(cat: Category, tier: Tier) -> str:
    """The tier's service promise in words."""
    if cat.is_project:
        return "one-off project, delivered within the contract"
    noun = NOUNS[cat.channel]
    if cat.channel == "deferred":
        if tier.share is None or tier.within_hours is None:
            return f"{noun} handled as they arrive (no deadline)"
        return f"{percent(tier.share)} of {noun} handled within {tier.within_hours:g} hours"
    if tier.service_level is None or tier.answer_within_seconds is None:
        words = f"{noun} answered as staffed (no service-level target)"
    else:
        words = (
            f"{percent(tier.service_level)} of {noun} answered within "
            f"{tier.answer_within_seconds:g} seconds"
        )
    if tier.max_abandon is not None:
        words += f", at most {percent(tier.max_abandon)} abandoned"
    return words


def billed_quantity(outcome: CategoryOutcome, billing: dict[str, Any] | None) -> float | None:
    """The month's billable quantity: from the billing record, else revenue / price."""
    if billing is not None:
        return float(billing["billable_quantity"])
    return outcome.revenue / outcome.price if outcome.price > 0 else None


def price_phrase(
    scenario: Scenario, cat: Category, outcome: CategoryOutcome, billing: dict[str, Any] | None
) -> str:
    """The price in the client's unit: ``EUR 1.04 per handled minute``, ``11.5% of sales``."""
    cur, p = scenario.currency, outcome.price
    if cat.pricing == "revenue_share":
        return f"{percent(p)} of sales"
    if cat.pricing in UNITS:
        return f"{unit_price(cur, p)} {UNITS[cat.pricing][0]}"
    once = cat.is_project
    if cat.pricing == "per_unit":
        return f"{unit_price(cur, p)} per unit of project work, once"
    if cat.pricing == "per_hour":
        return f"{unit_price(cur, p)} per specialist hour, once"
    return money(cur, p) + (" once" if once else " a month")


def quantity_phrase(
    scenario: Scenario, cat: Category, outcome: CategoryOutcome, billing: dict[str, Any] | None
) -> str:
    """What the price applies to: ``198,435 handled minutes a month``; projects: their size."""
    if cat.is_project:
        return _project_size(scenario, cat, outcome)
    if cat.pricing == "fixed_fee":
        return "a fixed monthly fee"
    q = billed_quantity(outcome, billing)
    if q is None:
        return ""
    if cat.pricing == "revenue_share":
        return f"on {money(scenario.currency, q)} of sales a month"
    return f"{number(q)} {UNITS[cat.pricing][1]} a month"


def _project_size(scenario: Scenario, cat: Category, outcome: CategoryOutcome) -> str:
    """A project's size, whole fee and when it is invoiced (the table shows the fee a
    month: the fee / contract_months)."""
    months = scenario.contract_months
    size = ""
    if cat.pricing == "per_unit":
        size = f"{number(cat.units or 0.0)} units, "
    elif cat.pricing == "per_hour":
        size = f"{number(cat.project_hours())} hours, "
    fee = money(scenario.currency, outcome.revenue * months)
    if cat.invoice is not None:
        when = f"invoiced in month {cat.invoice.on_delivery_month} (monthly average shown)"
    else:
        when = f"billed in {months} equal monthly parts"
    return f"{size}{fee} in all, {when}"


def terms_lines(
    scenario: Scenario, cat: Category, billing: dict[str, Any] | None
) -> tuple[str, ...]:
    """The category's contract terms in words: plan, bands, minimum, fees, premiums,
    bonus levels."""
    cur, t = scenario.currency, cat.terms
    unit = UNITS.get(cat.pricing, ("", "units"))[1]
    out: list[str] = []
    if billing is not None and (billing["plan_fee"] or billing["included"]):
        out.append(
            f"Plan: {money(cur, billing['plan_fee'])} a month includes the first "
            f"{number(billing['included'])} {unit}; the unit price applies above them."
        )
    if t.volume_bands is not None:
        bands = ", ".join(
            f"{percent(b.discount)} from {number(b.start)}"
            for b in t.volume_bands.bands
            if b.discount
        )
        how = (
            "each band's discount on the units in it"
            if t.volume_bands.kind == "incremental"
            else "every unit at the discount of the band the month reaches"
        )
        included = billing["included"] if billing is not None else 0.0
        if included:  # bands count the units billed beyond the plan's (design 11)
            bands = f"{bands}, counted beyond the {number(included)} included"
        out.append(f"Volume discount on {unit} a month: {bands} ({how}).")
    if t.minimum_monthly:
        out.append(f"Minimum charge: {money(cur, t.minimum_monthly)} a month.")
    fee = billing["platform_fee"] if billing is not None else 0.0
    if fee:
        out.append(f"Platform fee: {money(cur, fee)} a month.")
    if t.bill_whole_units:
        out.append("FTE billed in whole seats, rounded up.")
    for site, premium in (t.site_premium or {}).items():
        out.append(f"Work delivered from {site} is billed at the unit price + {percent(premium)}.")
    for site, share in (t.min_site_share or {}).items():
        out.append(
            f"At least {percent(share)} of the productive agent hours delivered from {site}."
        )
    earned = [bool(b["earned"]) for b in (billing or {}).get("bonus", ())]
    # The monthly amount counts a level the plan staffs to: say it is not guaranteed.
    within = " (in the monthly amount above: earned only in such a month)"
    for i, level in enumerate(t.bonus or ()):
        out.append(
            f"Bonus: {money(cur, level.amount)} for a month with {percent(level.service_level)}"
            f" of {NOUNS[cat.channel]} answered within {level.answer_within_seconds:g} seconds"
            f"{within if i < len(earned) and earned[i] else ''}."
        )
    return tuple(out)


def open_hours(cat: Category) -> str:
    """Opening hours in words: ``Mon-Fri 08:00-20:00, Sat 10:00-16:00``.

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> open_hours(validate_scenario(example_raw()).categories[0])
    'all week, as the volume profile spreads it'
    """
    if not cat.open_hours:
        return "all week, as the volume profile spreads it"
    days = {"daily": "every day", "weekend": "weekends", "weekdays": "weekdays"}
    return ", ".join(
        f"{days.get(d, '-'.join(p.capitalize() for p in d.split('-')))} {hours}"
        for d, hours in cat.open_hours.items()
    )


def assumption(scenario: Scenario, cat: Category) -> str:
    """The volumes, handle time and hours one category's price rests on."""
    if cat.is_project:
        size = f"{number(cat.project_hours())} specialist hours over the contract"
        if cat.units is not None:
            size = f"{number(cat.units)} units of work, " + size
        return f"{cat.name}: {size}."
    offered = number(cat.contacts_per_month or 0.0)
    words = (
        f"{cat.name}: {offered} {NOUNS[cat.channel]} offered a month, "
        f"average handle time {cat.aht_seconds or 0.0:g} seconds, open {open_hours(cat)}"
    )
    if cat.channel == "chat" and cat.concurrency != 1.0:
        words += f", {cat.concurrency:g} chats at a time per agent"
    if cat.pricing == "per_resolution" and cat.resolution_rate is not None:
        words += f", {percent(cat.resolution_rate)} resolved"
    if cat.pricing == "revenue_share" and cat.conversion_rate is not None:
        sale = money(scenario.currency, cat.value_per_sale or 0.0)
        words += f", {percent(cat.conversion_rate)} converting to a sale worth {sale}"
    return words + "."
