"""Tests of optimizer.staffing.costs (design section 5) and the margin/markup conventions.

Published worked examples E6 and E7 (published reference cases) are checked
through our own functions; the rest is hand arithmetic on ``make_scenario()``
(one site ``home`` at 20.0 per hour, categories ``calls`` and ``mail``).
"""

from __future__ import annotations

import math

import pytest
from helpers import make_raw, make_scenario

from optimizer.conventions import margin, markup, scheduled_agents
from optimizer.scenario.schema import validate_scenario
from optimizer.staffing import costs
from optimizer.staffing.requirements import billable

MONEY_ABS = 1e-6
"""Absolute tolerance on money computed by our formulas (currency units)."""
CENT = 0.005
"""Half a cent: published figures are rounded to cents."""
PUBLISHED_HOURS_ABS = 0.01
"""E7 prints 135.76 productive hours for 135.7699 (cut, not rounded, to two decimals)."""
PCT_ABS = 0.0005
"""Published percentages are rounded to one decimal of a percent."""

WEEKS = 52.0 / 12.0

E7_COST = 194_887.34
E7_MARKUP = 0.20
E7_FTE = 150
E7_PAID_HOURS = 176.0
E7_SHRINKAGES = (0.103, 0.14)
E7_COMBINED_SHRINKAGE = 1.0 - (1.0 - E7_SHRINKAGES[0]) * (1.0 - E7_SHRINKAGES[1])


def project_scenario(**provider: object):
    """The example scenario plus a project category ``study`` (320 h at 95 per hour)."""
    raw = make_raw(contract_months=24, **{f"provider.{k}": v for k, v in provider.items()})
    raw["categories"].append({
        "name": "study", "channel": "project", "effort_hours": 320,
        "specialist_hourly_cost": 95, "pricing": "fixed_fee",
        "tiers": [{"name": "standard", "prices": [38000, 42000]}],
    })  # fmt: skip
    return validate_scenario(raw, "<project>")


def e7_scenario(pricing: str):
    """A scenario with E7's 176 paid hours per FTE and its two shrinkages combined."""
    return make_scenario(**{
        "provider.fte_hours_per_month": E7_PAID_HOURS,
        "provider.shrinkage": E7_COMBINED_SHRINKAGE,
        "categories.calls.pricing": pricing,
    })  # fmt: skip


# ------------------------------------------------------------------ published examples


def test_e6_cost_per_contact():
    """E6 (Klipfolio KPI examples): 540,000 monthly cost over 120,000 contacts is 4.50."""
    totals = costs.DealSums(
        revenue=600_000,
        cost=540_000,
        contact_revenue=600_000,
        contact_cost=540_000,
        contacts=120_000,
        value=0.0,
        fte=0.0,
    )
    ratios = totals.ratios()
    assert ratios["provider_cost_per_contact"] == pytest.approx(4.50, abs=MONEY_ABS)
    assert ratios["client_cost_per_contact"] == pytest.approx(5.00, abs=MONEY_ABS)


def test_e7_markup_gives_revenue_and_margin():
    """E7 (WeWFM, "Cost and revenue: how WFM affects it", part 2): a 20% markup on
    194,887.34 is 233,864.81 of revenue, which is a 16.7% margin."""
    revenue = E7_COST * (1.0 + E7_MARKUP)
    assert revenue == pytest.approx(233_864.81, abs=CENT)
    assert markup(revenue, E7_COST) == pytest.approx(E7_MARKUP)
    assert margin(revenue, E7_COST) == pytest.approx(0.167, abs=PCT_ABS)


def test_e7_productive_hours_per_fte():
    """E7 (WeWFM part 3): 176 paid hours less 10.3% then 14% shrinkage, applied one after
    the other, leave 135.76 productive hours; scheduled_agents undoes it exactly."""
    productive = E7_PAID_HOURS * (1.0 - E7_COMBINED_SHRINKAGE)
    assert productive == pytest.approx(135.76, abs=PUBLISHED_HOURS_ABS)
    assert scheduled_agents(productive, E7_COMBINED_SHRINKAGE) == pytest.approx(E7_PAID_HOURS)
    sequential = E7_PAID_HOURS * (1 - E7_SHRINKAGES[0]) * (1 - E7_SHRINKAGES[1])
    assert productive == pytest.approx(sequential)
    additive = E7_PAID_HOURS * (1 - sum(E7_SHRINKAGES))
    assert abs(productive - additive) > 1.0  # not 176 x (1 - 24.3%)


def test_e7_price_per_fte_month():
    """E7 (WeWFM part 3): 233,864.81 over 150 FTE is 1,559.10 per FTE-month; billable
    FTE-months of 150 FTE x 135.77 productive hours are 150 under pricing per_fte_month."""
    scenario = e7_scenario("per_fte_month")
    productive_hours = E7_FTE * E7_PAID_HOURS * (1.0 - E7_COMBINED_SHRINKAGE)
    quantity = billable(scenario, scenario.category("calls"), 0.0, productive_hours)
    assert quantity == pytest.approx(E7_FTE)
    revenue = E7_COST * (1.0 + E7_MARKUP)
    assert revenue / quantity == pytest.approx(1_559.10, abs=CENT)


def test_e7_price_per_productive_hour():
    """E7 (WeWFM part 3): 233,864.81 over 150 FTE x 135.77 productive hours is 11.48 per
    productive hour under pricing per_productive_hour."""
    scenario = e7_scenario("per_productive_hour")
    productive_hours = E7_FTE * E7_PAID_HOURS * (1.0 - E7_COMBINED_SHRINKAGE)
    quantity = billable(scenario, scenario.category("calls"), 0.0, productive_hours)
    assert quantity == pytest.approx(productive_hours)
    revenue = E7_COST * (1.0 + E7_MARKUP)
    assert revenue / quantity == pytest.approx(11.48, abs=CENT)


# ------------------------------------------------------------------ margin and markup


def test_margin_versus_markup():
    """A 20% markup is a 16.67% margin: margin = markup / (1 + markup), never the same."""
    assert markup(120.0, 100.0) == pytest.approx(0.20)
    assert margin(120.0, 100.0) == pytest.approx(0.20 / 1.20)
    assert margin(120.0, 100.0) == pytest.approx(0.1667, abs=1e-4)


def test_margin_and_markup_undefined_without_revenue_or_cost():
    """Margin without revenue and markup without cost are NaN, not a division error."""
    assert math.isnan(margin(0.0, 10.0))
    assert math.isnan(markup(10.0, 0.0))


def test_totals_ratios():
    """Totals give margin, margin %, markup %, cost per contact and ROI from their parts."""
    totals = costs.DealSums(
        revenue=120.0,
        cost=100.0,
        contact_revenue=90.0,
        contact_cost=80.0,
        contacts=30.0,
        value=180.0,
        fte=2.0,
    )
    ratios = totals.ratios()
    assert totals.margin == pytest.approx(20.0)
    assert ratios["margin_pct"] == pytest.approx(20.0 / 120.0)
    assert ratios["markup_pct"] == pytest.approx(0.20)
    assert ratios["client_cost_per_contact"] == pytest.approx(3.0)
    assert ratios["provider_cost_per_contact"] == pytest.approx(80.0 / 30.0)
    assert ratios["client_roi"] == pytest.approx(180.0 / 120.0 - 1.0)


def test_totals_ratios_none_when_undefined():
    """With no revenue, cost or contacts every ratio is None (never a division by zero)."""
    ratios = costs.DealSums(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0).ratios()
    assert set(ratios.values()) == {None}


# ------------------------------------------------------------------ labour cost


def test_paid_hour_rate_adds_overhead_and_team_leader_share():
    """Paid hour = wage 20 + overhead 5 + team leader 36 / 12 agents = 28."""
    scenario = make_scenario(**{
        "provider.sites.home.overhead_per_hour": 5.0,
        "provider.supervisor_hourly_cost": 36.0,
        "provider.supervisor_ratio": 12,
    })  # fmt: skip
    assert costs.paid_hour_rate(scenario, scenario.site("home")) == pytest.approx(28.0)


def test_paid_hour_rate_without_team_leader_cost():
    """With no supervisor cost (the default) a paid hour costs wage plus overhead only."""
    scenario = make_scenario(**{"provider.sites.home.overhead_per_hour": 4.5})
    assert costs.paid_hour_rate(scenario, scenario.site("home")) == pytest.approx(24.5)


def test_agent_interval_cost():
    """One productive agent in one weekly 30-minute interval at 30% shrinkage costs
    28 x 0.5 h x 52/12 weeks / 0.7 per month."""
    scenario = make_scenario(**{
        "provider.sites.home.overhead_per_hour": 5.0,
        "provider.supervisor_hourly_cost": 36.0,
        "provider.shrinkage": 0.30,
    })  # fmt: skip
    site = scenario.site("home")
    expected = 28.0 * 0.5 * WEEKS / 0.7
    assert costs.paid_hours_per_agent_interval(scenario, site) == pytest.approx(0.5 * WEEKS / 0.7)
    assert costs.agent_interval_cost(scenario, site) == pytest.approx(expected, abs=MONEY_ABS)


def test_agent_interval_cost_uses_site_shrinkage_and_interval_length():
    """A site's own shrinkage overrides the provider's; 60-minute intervals double the hours."""
    scenario = make_scenario(**{
        "provider.sites.home.shrinkage": 0.20,
        "calendar.interval_minutes": 60,
        "calendar.weeks_per_month": 4.0,
    })  # fmt: skip
    site = scenario.site("home")
    assert costs.paid_hours_per_agent_interval(scenario, site) == pytest.approx(1.0 * 4.0 / 0.8)
    assert costs.agent_interval_cost(scenario, site) == pytest.approx(20.0 * 5.0)


def test_shrinkage_applied_after_integer_agents():
    """Scheduled agents = N / (1 - shrinkage) summed over intervals, never ceiled per
    interval: 14 at 30% is 20; three intervals of 1 agent at 30% are 4.2857, not 6."""
    assert scheduled_agents(14, 0.30) == pytest.approx(20.0)
    per_interval = [scheduled_agents(1, 0.30) for _ in range(3)]
    assert sum(per_interval) == pytest.approx(3 / 0.7)
    assert sum(per_interval) == pytest.approx(4.2857, abs=1e-4)
    assert sum(math.ceil(v) for v in per_interval) == 6  # the spreadsheet overstatement
    scenario = make_scenario(**{"provider.shrinkage": 0.30})
    hours = 3 * costs.paid_hours_per_agent_interval(scenario, scenario.site("home"))
    assert hours == pytest.approx(3 / 0.7 * 0.5 * WEEKS)


def test_shift_paid_hours():
    """One weekly 8-hour shift is 8 x weeks_per_month paid hours a month."""
    scenario = make_scenario()
    assert costs.shift_paid_hours(scenario, 8.0) == pytest.approx(8.0 * WEEKS)


def test_fte_from_paid_hours():
    """FTE = paid hours / fte_hours_per_month (160 by default)."""
    scenario = make_scenario()
    assert costs.fte(2_400.0, scenario) == pytest.approx(15.0)


# ------------------------------------------------------------------ fixed and project cost


def test_fixed_cost_spreads_setup_over_contract():
    """Fixed cost = 18,000 a month + 90,000 set-up / 24 months = 21,750 a month."""
    scenario = make_scenario(**{
        "contract_months": 24,
        "provider.fixed_monthly_cost": 18_000,
        "provider.setup_cost": 90_000,
    })  # fmt: skip
    assert costs.fixed_cost(scenario) == pytest.approx(21_750.0, abs=MONEY_ABS)


def test_fixed_cost_defaults_to_zero():
    """Without fixed or set-up cost the monthly fixed cost is zero."""
    assert costs.fixed_cost(make_scenario()) == 0.0


def test_project_cost_spread_over_contract():
    """Project cost = 320 h x 95 / 24 months = 1,266.67 a month."""
    scenario = project_scenario()
    cost = costs.project_cost(scenario, scenario.category("study"))
    assert cost == pytest.approx(320 * 95 / 24, abs=MONEY_ABS)
    assert cost == pytest.approx(1_266.67, abs=CENT)


def test_client_value_counts_contacts_and_resolutions():
    """Client value = handled x value per contact + handled x resolution rate x value per
    resolution: 1,000 x 2 + 1,000 x 0.6 x 5 = 5,000."""
    scenario = make_scenario(**{
        "categories.calls.value_per_contact": 2.0,
        "categories.calls.value_per_resolution": 5.0,
        "categories.calls.resolution_rate": 0.6,
    })  # fmt: skip
    assert costs.client_value(scenario.category("calls"), 1_000.0) == pytest.approx(5_000.0)
