"""What a category bills in a month under its contract terms, as plain functions.

The billable quantity ``q`` of a tier is fixed once the tier is chosen, so the charge
of every (tier, price point) is a constant: the model uses it as the option's revenue,
verification recomputes it from the chosen option, and the invoice itemises it.

For a price point (a plan ``fee, included, unit_price``; a plain price ``p`` is
``0, 0, p``) and volume bands ``(from_b, discount_b)``::

    usage  = max(0, q - included)                      billed units after the plan's
    billed = sum_b (units of usage in band b) x (1 - discount_b)     (incremental)
           = usage x (1 - discount of the band usage reaches)        (all_units)
    charge = max(minimum_monthly, fee + unit_price x billed)
    total  = charge + platform_fee

A continuous price ``p`` bills ``p x billed(q)`` (no plan, no minimum: linear in p).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from optimizer.results import Choice
from optimizer.scenario.terms import Plan, Terms, VolumeBands, as_plan


@dataclass(frozen=True)
class Line:
    """One line of a category's monthly charge (an invoice line)."""

    item: str
    """``plan fee``, ``usage``, ``usage band from N``, ``minimum top-up``, ``platform fee``."""
    quantity: float
    rate: float
    amount: float


REACH_TOLERANCE = 1e-10
"""Relative margin by which a quantity reaches a band's ``from``: a tier's monthly
quantity is summed over the week's intervals, and 400 contacts a month came out as
399.99999999999994, which missed the all-units band from 400 (the invoice, given 400,
billed it)."""


def reaches(start: float, usage: float) -> bool:
    """Whether ``usage`` units reach a band starting at ``start`` (float noise aside).

    >>> reaches(400, 399.99999999999994), reaches(400, 399.9999)
    (True, False)
    """
    return start <= usage + REACH_TOLERANCE * max(1.0, abs(usage))


def billed_units(bands: VolumeBands | None, usage: float) -> float:
    """Usage units after the volume discounts (the units the unit price applies to).

    >>> from optimizer.scenario.terms import Band, VolumeBands
    >>> tiers = (Band(start=0, discount=0), Band(start=20, discount=0.05))
    >>> billed_units(VolumeBands(kind="incremental", bands=tiers), 30)
    29.5
    >>> billed_units(VolumeBands(kind="all_units", bands=tiers), 30)
    28.5
    """
    return sum(line.quantity * (1.0 - discount) for line, discount in _bands(bands, usage))


def _bands(bands: VolumeBands | None, usage: float) -> list[tuple[Line, float]]:
    """The usage split over its bands: (units in the band, the band's discount)."""
    if bands is None:
        return [(Line("usage", usage, 0.0, 0.0), 0.0)]
    starts = [b.start for b in bands.bands]
    if bands.kind == "all_units":
        reached = max(i for i, s in enumerate(starts) if reaches(s, usage) or i == 0)
        band = bands.bands[reached]
        return [(Line(_band_item(band.start), usage, 0.0, 0.0), band.discount)]
    out = []
    for i, band in enumerate(bands.bands):
        end = starts[i + 1] if i + 1 < len(starts) else float("inf")
        units = max(0.0, min(usage, end) - band.start)
        if units > 0 or i == 0:
            out.append((Line(_band_item(band.start), units, 0.0, 0.0), band.discount))
    return out


def _band_item(start: float) -> str:
    return "usage" if start == 0 else f"usage band from {start:g}"


def charge_lines(terms: Terms, plan: Plan, quantity: float, platform_fee: float) -> list[Line]:
    """The month's charge of one category, line by line (zero lines left out, except
    the usage line of a plain price)."""
    usage = max(0.0, quantity - plan.included)
    lines = [Line("plan fee", 1.0, plan.fee, plan.fee)] if plan.fee else []
    for line, discount in _bands(terms.volume_bands, usage):
        rate = plan.unit_price * (1.0 - discount)
        if line.quantity > 0 or not lines:
            lines.append(Line(line.item, line.quantity, rate, line.quantity * rate))
    usage_total = plan_charge(terms.volume_bands, plan, quantity)
    floor = terms.minimum_monthly or 0.0
    if floor > usage_total:
        lines.append(Line("minimum top-up", 1.0, floor - usage_total, floor - usage_total))
    if platform_fee:
        lines.append(Line("platform fee", 1.0, platform_fee, platform_fee))
    return lines


def plan_charge(bands: VolumeBands | None, plan: Plan, quantity: float) -> float:
    """The charge of ``quantity`` billable units at ``plan`` before any minimum: the plan
    fee + unit price x the usage above the included units after the volume discounts."""
    usage = max(0.0, quantity - plan.included)
    return plan.fee + plan.unit_price * billed_units(bands, usage)


def plan_of(choice: Choice) -> Plan:
    """A solved choice's price point as a plan (a plain price is ``Plan(0, 0, price)``)."""
    return Plan(fee=choice.plan_fee, included=choice.included, unit_price=choice.price)


def usage_charge(terms: Terms, plan: Plan, quantity: float) -> float:
    """The month's charge for ``quantity`` billable units at price point ``plan``, before
    the platform fee: ``max(minimum, fee + unit_price x billed units)``.

    >>> from optimizer.scenario.terms import Plan, Terms
    >>> usage_charge(Terms(), Plan(fee=1850, included=1000, unit_price=1.75), 1200)
    2200.0
    >>> usage_charge(Terms(minimum_monthly=3000), Plan(fee=0, unit_price=2.0), 1200)
    3000.0
    """
    return max(terms.minimum_monthly or 0.0, plan_charge(terms.volume_bands, plan, quantity))


def cliff(terms: Terms, plan: Plan, quantity: float) -> bool:
    """All-units bands: whether ``quantity`` bills less than the top of the band below
    it would (a threshold just crossed lowers the whole bill)."""
    bands = terms.volume_bands
    if bands is None or bands.kind != "all_units":
        return False
    usage = max(0.0, quantity - plan.included)
    below = [b.start for b in bands.bands if b.start > 0 and reaches(b.start, usage)]
    if not below:
        return False
    edge = max(below)
    return usage_charge(terms, plan, quantity) < usage_charge(
        terms, plan, plan.included + edge * (1 - 1e-9)
    )


def bonus_charge(terms: Terms, earned: tuple[bool, ...]) -> float:
    """The month's bonus: the amounts of the levels earned (levels add up).

    >>> from optimizer.scenario.terms import BonusLevel, Terms
    >>> t = Terms(bonus=(BonusLevel(service_level=0.9, answer_within_seconds=15, amount=4000),))
    >>> bonus_charge(t, (True,)), bonus_charge(t, (False,))
    (4000.0, 0.0)
    """
    levels = terms.bonus or ()
    return float(sum(level.amount for level, on in zip(levels, earned, strict=False) if on))


def site_shares(hours: Mapping[str, float]) -> dict[str, float]:
    """Each site's share of a category's productive hours (empty when none are staffed).

    >>> site_shares({"denver": 30.0, "manila": 70.0})
    {'denver': 0.3, 'manila': 0.7}
    """
    total = sum(hours.values())
    return {} if total <= 0 else {site: h / total for site, h in hours.items()}


def site_premium_charge(
    terms: Terms, point: float | Plan, quantity: float, shares: Mapping[str, float]
) -> float:
    """The month's premium on top of the plan charge: each site's ``shares`` of the
    billable quantity (the billing split, summing to 1) carries that share of the plan
    charge (plan fee + unit price x billed units after volume bands; a plain price ``p``
    gives ``p x quantity``) billed ``premium`` more (0 without premiums or shares). The
    minimum charge and the platform fee carry no premium.

    >>> t = Terms(site_premium={"denver": 0.25})
    >>> site_premium_charge(t, 10.0, 100.0, {"denver": 0.25, "manila": 0.75})
    62.5
    """
    premiums = terms.site_premium or {}
    base = plan_charge(terms.volume_bands, as_plan(point), quantity)
    return base * sum(p * shares.get(s, 0.0) for s, p in premiums.items())
