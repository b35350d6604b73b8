"""Cost and revenue formulas (design section 5), as plain functions of scenario numbers.

The model builder uses them for its coefficients and :mod:`optimizer.analysis.verify`
uses the same formulas on the solution's values, so the linearisation in
:mod:`optimizer.milp.model` is checked against the formulas, not against itself.
All money is per month.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.scenario.models import Category, Site
from optimizer.scenario.schema import Scenario


def paid_hour_rate(scenario: Scenario, site: Site) -> float:
    """Cost of one paid agent hour at ``site``: wage + overhead + team-leader share.

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> s = validate_scenario(example_raw())
    >>> paid_hour_rate(s, s.provider.sites[0])
    20.0
    """
    p = scenario.provider
    return site.hourly_cost + site.overhead_per_hour + p.supervisor_hourly_cost / p.supervisor_ratio


def paid_hours_per_agent_interval(scenario: Scenario, site: Site) -> float:
    """Monthly paid hours of one productive agent in one interval of the week.

    Rule SHRINKAGE_AFTER: paid = productive / (1 - shrinkage), never rounded.
    """
    hours = scenario.calendar.interval_minutes / 60.0
    return hours * scenario.calendar.weeks_per_month / scenario.productive_share(site)


def agent_interval_cost(scenario: Scenario, site: Site) -> float:
    """Monthly cost of one productive agent in one interval of the week at ``site``."""
    return paid_hour_rate(scenario, site) * paid_hours_per_agent_interval(scenario, site)


def shift_paid_hours(scenario: Scenario, length_hours: float) -> float:
    """Monthly paid hours of one agent working one weekly shift of ``length_hours``."""
    return length_hours * scenario.calendar.weeks_per_month


def project_cost(scenario: Scenario, cat: Category) -> float:
    """Monthly cost of a project category: effort x specialist cost over the contract
    (effort = effort_hours, or units x effort_hours_per_unit), always spread evenly."""
    effort = cat.project_hours() * (cat.specialist_hourly_cost or 0.0)
    return effort / scenario.contract_months


def fixed_cost(scenario: Scenario) -> float:
    """Monthly fixed cost: fixed monthly cost plus set-up spread over the contract."""
    p = scenario.provider
    return p.fixed_monthly_cost + p.setup_cost / scenario.contract_months


def fte(paid_hours: float, scenario: Scenario) -> float:
    """Full-time equivalents for ``paid_hours`` per month."""
    return paid_hours / scenario.provider.fte_hours_per_month


def deferred_per_agent(scenario: Scenario, cat: Category, interval_minutes: int) -> float:
    """Deferred items one productive agent handles in one interval, at the occupancy cap.

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> s = validate_scenario(example_raw())
    >>> deferred_per_agent(s, s.categories[0], 30) > 0
    True
    """
    return interval_minutes * 60 * scenario.provider.max_occupancy / float(cat.aht_seconds or 1.0)


def client_value(cat: Category, handled: float, tier: str | None = None) -> float:
    """The client's monthly value of ``cat`` sold at ``tier`` (ROI): handled x the tier's
    value per contact (else the category's), resolutions x their value, the sales a
    revenue share brings (unless ``sales_are_value`` is false), and with ``retention`` the churn
    the tier avoids against the lowest tier. ``tier`` may be left out only when the value
    does not depend on it (no tier value, no retention).

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> calls = validate_scenario(example_raw()).categories[0]
    >>> client_value(calls.model_copy(update={"value_per_contact": 2.0}), 1000.0, "std")
    2000.0
    """
    per_contact = cat.value_per_contact
    if tier is not None:
        own = cat.tier(tier).value_per_contact
        per_contact = per_contact if own is None else own
    elif cat.retention is not None or any(t.value_per_contact is not None for t in cat.tiers):
        raise ValueError(f"the value of {cat.name} depends on its tier: name the tier")
    resolutions = handled * (cat.resolution_rate or 0.0)
    value = handled * per_contact + resolutions * cat.value_per_resolution
    if cat.pricing == "revenue_share" and cat.sales_are_value is not False:
        value += handled * (cat.conversion_rate or 0.0) * (cat.value_per_sale or 0.0)
    if cat.retention is not None and tier is not None:
        value += cat.retention.avoided(cat.tiers[0].name, tier)
    return value


@dataclass(frozen=True)
class DealSums:
    """The deal's sums of revenue, cost, contacts and value, and the ratios of them
    (design section 8); :class:`optimizer.results.Totals` is the reported form."""

    revenue: float
    cost: float
    contact_revenue: float
    """Revenue of the contact-handling (non-project) categories: the client's spend on contacts."""
    contact_cost: float
    """Cost without project work: the provider's cost of handling contacts."""
    contacts: float
    value: float
    fte: float

    @property
    def margin(self) -> float:
        """Revenue - cost (per month)."""
        return self.revenue - self.cost

    def ratios(self) -> dict[str, float | None]:
        """Margin %, markup %, cost per contact and ROI; None where undefined."""

        def div(a: float, b: float) -> float | None:
            return a / b if b > 0 else None

        # No declared client value (all value_per_contact 0): ROI is undefined, not -100%.
        roi = div(self.value, self.revenue) if self.value > 0 else None
        return {
            "margin_pct": div(self.margin, self.revenue),
            "markup_pct": div(self.margin, self.cost),
            "client_cost_per_contact": div(self.contact_revenue, self.contacts),
            "provider_cost_per_contact": div(self.contact_cost, self.contacts),
            "client_roi": None if roi is None else roi - 1.0,
        }
