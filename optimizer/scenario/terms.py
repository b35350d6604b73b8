"""Contract terms of a category, as real deals are written (all optional).

A price point is a plain price or a plan (a monthly fee with included units and a
price for the units above them); the usage charge can be discounted by volume bands,
floored by a minimum monthly charge and topped up by a platform fee (a number, or a
menu the optimiser chooses from); per-FTE billing can be rounded up to whole seats;
the category can carry its own margin floor and the lower side of the competitor
band. The charge they give is a constant per tier and price point
(:mod:`optimizer.staffing.charges`), so the model stays linear. A site premium bills
the units delivered from a site at a higher price, and a minimum site share bounds
where the work is done: both make revenue or rows depend on the staffing
(:mod:`optimizer.milp.site_mix`, :mod:`optimizer.limits.sites`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag

from optimizer.scenario.field_types import Fraction, Money, Name, Number, PositiveMoney, Strict

Quantity = Annotated[float, Number("quantity")]
Discount = Annotated[float, Number("discount")]
SitePremium = Annotated[float, Number("site_premium")]
SiteShare = Annotated[float, Number("site_share")]


class Plan(Strict):
    """A bundle: ``fee`` a month for ``included`` billable units, then ``unit_price``
    for each unit above them (an answering service's 1,000 minutes for 1,850, then 1.75
    a minute). A plain price ``p`` is the plan ``{fee: 0, included: 0, unit_price: p}``."""

    fee: Money
    """Monthly fee of the plan (money per month)."""
    included: Quantity = 0.0
    """Billable units the fee includes, in the category's billing unit."""
    unit_price: Money
    """Price of each billable unit above the included ones (the category's price unit)."""


def as_plan(point: float | Plan) -> Plan:
    """A price point as a plan: a plain price ``p`` is ``Plan(fee=0, included=0, unit_price=p)``.

    >>> as_plan(1.5).unit_price, as_plan(1.5).fee
    (1.5, 0.0)
    """
    return point if isinstance(point, Plan) else Plan(fee=0.0, included=0.0, unit_price=point)


def _point_kind(value: Any) -> str:
    return "<plan>" if isinstance(value, Mapping | Plan) else "<price>"


PricePoint = Annotated[
    Annotated[Money, Tag("<price>")] | Annotated[Plan, Tag("<plan>")],
    Discriminator(_point_kind),
]
"""One price point of a tier's list: a price, or a plan."""


class Band(Strict):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
        populate_by_name=True,
    )

    start: Quantity = Field(alias="from")
    """Billed units (after a plan's included ones) from which the band's discount
    applies; the first band starts at 0."""
    discount: Discount
    """Discount on the unit price in this band, a share in [0, 1)."""


class VolumeBands(Strict):
    """Volume discounts by the month's billed units."""

    kind: Literal["incremental", "all_units"] = "incremental"
    """incremental: the units in each band at that band's discount; all_units: every
    unit at the discount of the band the month reaches (a cliff just above a threshold
    is flagged in the result)."""
    bands: Annotated[tuple[Band, ...], Field(min_length=1)]
    """Bands by increasing ``from``, the first from 0."""


def _fee_kind(value: Any) -> str:
    return "<menu>" if isinstance(value, list | tuple) else "<fee>"


PlatformFee = Annotated[
    Annotated[Money, Tag("<fee>")]
    | Annotated[tuple[Money, ...], Field(min_length=1), Tag("<menu>")],
    Discriminator(_fee_kind),
]


class BonusLevel(Strict):
    """An outcome incentive: ``amount`` a month more when the category is staffed to
    ``service_level`` of contacts answered within ``answer_within_seconds`` in every
    interval (the tier's own definition, abandoned contacts counting as failures)."""

    service_level: Fraction
    """Share of contacts to answer within ``answer_within_seconds``, in every interval."""
    answer_within_seconds: Annotated[float, Number("answer_within")]
    """Answer-time threshold of the level, seconds."""
    amount: PositiveMoney
    """The bonus the client pays for a month staffed to the level (money per month)."""


class Terms(Strict):
    """A category's contract terms (every one optional)."""

    volume_bands: VolumeBands | None = None
    """Volume discounts on the usage charge."""
    minimum_monthly: Money | None = None
    """Take-or-pay: the client pays at least this per month for the category's usage
    (plan fee included; not with a continuous price range)."""
    platform_fee: PlatformFee = 0.0
    """A fixed monthly fee on top of the usage charge: a number, or a list the optimiser
    chooses one from (money per month)."""
    bill_whole_units: bool = False
    """per_fte_month only: the billed FTE rounded up to whole seats."""
    min_margin: Annotated[float, Number("min_margin")] | None = None
    """The provider's margin floor on this category: (revenue - direct cost) / revenue."""
    min_premium: Annotated[float, Number("max_premium")] | None = None
    """The competitor band's lower side: unit price >= benchmark_price x (1 +
    min_premium). Needs benchmark_price."""
    site_premium: Annotated[dict[Name, SitePremium], Field(min_length=1)] | None = None
    """Site name -> premium: units delivered from that site are billed at the unit price
    x (1 + premium) (onshore delivery). The optimiser splits the month's billable quantity
    over the category's sites, each site's part at most what it staffs (its productive
    hours against the tier's: a site staffing 40% of what the tier needs bills at most 40%
    of the quantity); the result shows the split. With a plan or volume bands, each site's
    share of the plan charge (fee + banded usage) carries the premium; a minimum charge
    tops up the usage charge and carries none. Not with a continuous price range, nor
    for deferred or project work."""
    min_site_share: Annotated[dict[Name, SiteShare], Field(min_length=1)] | None = None
    """Site name -> the client's minimum share of the category's productive hours
    delivered from that site (the shares together at most 1; not for project work)."""
    bonus: Annotated[tuple[BonusLevel, ...], Field(min_length=1)] | None = None
    """Outcome incentives (voice and chat): each level the staffing meets in every
    interval earns its amount, and levels add up (a stricter level met meets the looser
    ones too). The optimiser staffs above the tier for a level when the amount pays for
    the agents; the levels earned are re-checked from the staffing."""

    def fee_menu(self) -> tuple[float, ...]:
        """The platform fees to choose from (one for a plain number)."""
        fee = self.platform_fee
        return tuple(fee) if isinstance(fee, tuple) else (fee,)
