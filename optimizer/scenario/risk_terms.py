"""Optional parts of a scenario for the volume-risk simulation (``tierprice risk``).

``uncertainty`` says how a month can differ from the forecast (volume, handle time,
absence, arrivals within an interval); ``sla`` says how the client measures a tier
and what a missed window costs the provider. Both may be given for the deal and
overridden per category. Nothing here changes a solve: a scenario without them is as
before, and ``tierprice risk`` uses the defaults below when they are left out.
"""

from __future__ import annotations

from typing import Annotated, Literal

from optimizer.scenario.field_types import Number, Strict

Cv = Annotated[float, Number("cv")]
Correlation = Annotated[float, Number("correlation")]
AbsenceCv = Annotated[float, Number("absence_cv")]
Credit = Annotated[float, Number("credit")]
Window = Literal["interval", "day", "month"]
Intraday = Literal["poisson", "none"]


class Uncertainty(Strict):
    """How a simulated month differs from the forecast (see docs/risk.md)."""

    volume_cv: Cv = 0.10
    """Coefficient of variation of the month's volume multiplier of each category
    (lognormal with mean 1); 0 = the forecast volume."""
    volume_correlation: Correlation = 0.5
    """Correlation of the categories' log volume multipliers (one common factor)."""
    aht_cv: Cv = 0.05
    """Coefficient of variation of the month's handle-time multiplier of each category
    (lognormal with mean 1, independent across categories)."""
    absence_cv: AbsenceCv = 0.03
    """Standard deviation of the realised shrinkage around the plan's, per day: realised
    = planned + normal(0, this), clipped to [0, 0.95]."""
    intraday: Intraday = "poisson"
    """poisson: the contacts of each interval of each day are Poisson around the
    forecast x multipliers; none: exactly the forecast x multipliers."""
    pricing_draws: Annotated[int, Number("draws")] = 1000
    """Simulated months (seed 0) that risk-aware pricing (a tier's ``confidence``,
    ``objective: max_expected_margin``) computes its constants from."""


class CategoryUncertainty(Strict):
    """A category's own variation (none = the deal's ``uncertainty``)."""

    volume_cv: Cv | None = None
    """This category's volume coefficient of variation instead of the deal's."""
    aht_cv: Cv | None = None
    """This category's handle-time coefficient of variation instead of the deal's."""


class Sla(Strict):
    """How the client measures the tier and the credits a missed window costs."""

    window: Window = "day"
    """interval, day or month: the period whose contact-weighted service level must
    meet the tier."""
    credit_pct: Credit = 0.05
    """Credit per missed window, as a share of the category's monthly charge."""
    credit_cap: Credit = 0.15
    """Most credit in one month, as a share of the category's monthly charge (market
    practice: 10-20% at risk)."""


class CategorySla(Strict):
    """A category's own SLA terms (a field left out = the deal's ``sla``)."""

    window: Window | None = None
    """This category's window instead of the deal's."""
    credit_pct: Credit | None = None
    """This category's credit per missed window instead of the deal's."""
    credit_cap: Credit | None = None
    """This category's monthly cap instead of the deal's."""


def category_sla(deal: Sla | None, own: CategorySla | None) -> Sla:
    """A category's SLA terms: the deal's (``sla``, else the defaults) with the
    category's own fields (``categories[].sla``) over them."""
    base = deal or Sla()
    if own is None:
        return base
    return base.model_copy(update={k: v for k, v in own.model_dump().items() if v is not None})
