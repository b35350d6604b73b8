"""Projects priced by effort: per unit (12 interviews) or per specialist hour, and a
fee invoiced on delivery.

Revenue and cost are worked by hand; the cash flow of a delivery-month invoice and the
month the set-up cost is recovered are worked by hand; properties check that a
project's fee and cost over the contract are price x units (or hours) and effort x
rate, and that the cash flow adds up to contract_months x the monthly figures; bad
project fields get one message each; the example scenario solves and reports its
cash flow.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import SCENARIOS_DIR, make_raw
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.errors import ScenarioError
from optimizer.options import RunOptions
from optimizer.output.report import to_dict
from optimizer.pipeline import run_scenario
from optimizer.scenario.loader import load_scenario
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.staffing import costs
from optimizer.staffing.cash_flow import cash_flow, recovery_month
from optimizer.staffing.requirements import build_requirements

INTERVIEWS: dict[str, Any] = {
    "name": "interviews",
    "channel": "project",
    "units": 12,
    "effort_hours_per_unit": 6,
    "specialist_hourly_cost": 95,
    "pricing": "per_unit",
    "tiers": [{"name": "standard", "prices": [1200]}],
}
ANALYSIS: dict[str, Any] = {
    "name": "analysis",
    "channel": "project",
    "effort_hours": 150,
    "specialist_hourly_cost": 95,
    "pricing": "per_hour",
    "tiers": [{"name": "standard", "prices": [140]}],
}


def deal(*projects: dict[str, Any], **overrides: Any) -> Scenario:
    """The example deal (calls and mail, margin floor -90% so that it solves) plus
    ``projects``, with overrides."""
    raw = make_raw(**{"provider.min_margin": -0.9, **overrides})
    raw["categories"] += [dict(p) for p in projects]
    return validate_scenario(raw, "<test>")


def issues_of(*projects: dict[str, Any], **overrides: Any) -> dict[str, str]:
    """Field path -> expected, of every problem of the deal with ``projects``."""
    with pytest.raises(ScenarioError) as err:
        deal(*projects, **overrides)
    return {i.path: i.expected for i in err.value.issues}


# ------------------------------------------------------------------ by hand


def test_per_unit_project_by_hand() -> None:
    """12 interviews at 1,200 over 12 months: 1 interview billed a month, 1,200 of
    revenue a month (14,400 in all); 12 x 6 hours x 95 = 6,840 of cost, 570 a month."""
    scenario = deal(INTERVIEWS)
    study = scenario.category("interviews")
    req = build_requirements(scenario).category("interviews").tier("standard")
    assert req.billable_per_month == pytest.approx(1.0)
    assert study.project_hours() == pytest.approx(72.0)
    assert costs.project_cost(scenario, study) == pytest.approx(570.0)
    result = run_scenario(scenario, RunOptions(explain=False, diagnose=False))
    outcome = next(c for c in result.categories if c.name == "interviews")
    assert outcome.revenue == pytest.approx(1200.0)
    assert outcome.cost == pytest.approx(570.0)
    assert outcome.contacts == 0.0


def test_per_hour_project_by_hand() -> None:
    """150 analysis hours at 140 over 12 months: 12.5 hours billed a month, 1,750 of
    revenue; 150 x 95 / 12 = 1,187.5 of cost a month. With 10 units of 15 hours instead
    of effort_hours the hours and the figures are the same."""
    by_hours = deal(ANALYSIS)
    per_unit = {k: v for k, v in ANALYSIS.items() if k != "effort_hours"}
    by_units = deal({**per_unit, "units": 10, "effort_hours_per_unit": 15})
    for scenario in (by_hours, by_units):
        req = build_requirements(scenario).category("analysis").tier("standard")
        assert req.billable_per_month == pytest.approx(12.5)
        assert 140 * req.billable_per_month == pytest.approx(1750.0)
        assert costs.project_cost(scenario, scenario.category("analysis")) == pytest.approx(1187.5)


def test_cash_flow_by_hand() -> None:
    """A 4-month contract, set-up 4,000: calls bring 10,000 a month, a 12,000 study
    invoiced in month 3 shows 3,000 a month; the monthly cost is 9,000 (1,000 of it the
    spread set-up). Month 1: 10,000 - (8,000 + 4,000) = -2,000; month 2: +2,000, so 0;
    month 3: 22,000 - 8,000 = +14,000, so 14,000; month 4: 16,000. Recovered in month 2."""
    study = {**INTERVIEWS, "invoice": {"on_delivery_month": 3}}
    scenario = deal(study, contract_months=4, **{"provider.setup_cost": 4000})
    flows = cash_flow(scenario, {"calls": 10_000, "mail": 0.0, "interviews": 3_000}, 9_000)
    assert [(f.month, f.revenue, f.cost, f.cumulative) for f in flows] == [
        (1, 10_000, 12_000, -2_000),
        (2, 10_000, 8_000, 0),
        (3, 22_000, 8_000, 14_000),
        (4, 10_000, 8_000, 16_000),
    ]
    assert recovery_month(flows) == 2


def test_no_cash_flow_without_an_invoice() -> None:
    """Without ``invoice`` there is no cash flow, and no ``cash_flow`` key in the JSON."""
    scenario = deal(INTERVIEWS)
    assert cash_flow(scenario, {"calls": 1.0}, 1.0) == ()
    out = to_dict(run_scenario(scenario, RunOptions(explain=False, diagnose=False)))
    assert "cash_flow" not in out


def test_recovery_month_when_never_recovered_or_lost_again() -> None:
    """Cumulative below 0 at the end: never recovered; back below 0: recovered later."""
    flows = cash_flow(deal({**INTERVIEWS, "invoice": {"on_delivery_month": 2}},
                           contract_months=3, **{"provider.setup_cost": 300}),
                      {"interviews": 100.0}, 200.0)  # fmt: skip
    # Month 1: 0 - (100 + 300) = -400; month 2: 300 - 100 = +200 -> -200; month 3: -300.
    assert [f.cumulative for f in flows] == pytest.approx([-400, -200, -300])
    assert recovery_month(flows) is None


# ------------------------------------------------------------------ properties


@settings(max_examples=40, deadline=None)
@given(
    units=st.integers(0, 500),
    hours=st.integers(1, 4000).map(lambda n: n / 100),
    price=st.integers(0, 500_000).map(lambda n: n / 100),
    months=st.integers(1, 60),
)
def test_project_fee_and_cost_over_the_contract(
    units: int, hours: float, price: float, months: int
) -> None:
    """Per unit: revenue x months = price x units; per hour: price x units x hours per
    unit; cost x months = units x hours per unit x rate, whatever the contract length."""
    study = {**INTERVIEWS, "units": units, "effort_hours_per_unit": hours}
    for pricing, fee in (("per_unit", price * units), ("per_hour", price * units * hours)):
        scenario = deal({**study, "pricing": pricing}, contract_months=months)
        q = build_requirements(scenario).category("interviews").tier("standard")
        assert price * q.billable_per_month * months == pytest.approx(fee, abs=1e-6)
        cost = costs.project_cost(scenario, scenario.category("interviews"))
        assert cost * months == pytest.approx(units * hours * 95, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    months=st.integers(1, 36),
    delivery=st.integers(1, 36),
    setup=st.integers(0, 10**8).map(lambda n: n / 100),
    calls=st.integers(0, 10**8).map(lambda n: n / 100),
    study=st.integers(0, 10**7).map(lambda n: n / 100),
    cost=st.integers(0, 10**8).map(lambda n: n / 100),
)
def test_cash_flow_adds_up_to_the_monthly_figures(
    months: int, delivery: int, setup: float, calls: float, study: float, cost: float
) -> None:
    """Over the contract the cash flow's revenue and cost are contract_months x the
    monthly ones, the last cumulative is contract_months x the monthly margin, and the
    study's whole fee falls in its delivery month."""
    delivery = min(delivery, months)
    invoiced = {**INTERVIEWS, "invoice": {"on_delivery_month": delivery}}
    scenario = deal(invoiced, contract_months=months, **{"provider.setup_cost": setup})
    monthly_cost = cost + setup / months
    flows = cash_flow(scenario, {"calls": calls, "interviews": study}, monthly_cost)
    assert [f.month for f in flows] == list(range(1, months + 1))
    assert sum(f.revenue for f in flows) == pytest.approx(months * (calls + study))
    assert sum(f.cost for f in flows) == pytest.approx(months * monthly_cost)
    margin = months * (calls + study - monthly_cost)
    assert flows[-1].cumulative == pytest.approx(margin, abs=1e-6 * (1 + abs(margin)))
    assert flows[delivery - 1].revenue == pytest.approx(calls + study * months)


# ------------------------------------------------------------------ the example


def test_example_scenario_reports_its_cash_flow() -> None:
    """journey_study_by_interviews.yaml: both study fees in month 3, set-up in month 1,
    the last cumulative = 12 x the monthly margin; the spread variant has no cash flow."""
    path = SCENARIOS_DIR / "journey_study_by_interviews.yaml"
    scenario = load_scenario(path)
    result = run_scenario(scenario, RunOptions(explain=False, diagnose=False))
    assert result.verified and result.totals is not None
    out = to_dict(result)
    flows = out["cash_flow"]
    assert len(flows) == scenario.contract_months == 12
    study = sum(c.revenue for c in result.categories if c.name.startswith("journey"))
    assert flows[2]["revenue"] - flows[3]["revenue"] == pytest.approx(12 * study, abs=1e-4)
    setup = scenario.provider.setup_cost
    assert flows[0]["cost"] - flows[1]["cost"] == pytest.approx(setup, abs=1e-4)
    assert flows[1]["cost"] == pytest.approx(result.totals.cost - setup / 12, abs=1e-4)
    assert flows[-1]["cumulative"] == pytest.approx(12 * result.totals.margin, abs=1e-3)
    spread = load_scenario(path, variant="spread_invoices")
    assert "cash_flow" not in to_dict(run_scenario(spread, RunOptions(explain=False)))


# ------------------------------------------------------------------ bad project fields


@pytest.mark.parametrize(
    ("project", "overrides", "path", "expected"),
    [
        ({**INTERVIEWS, "units": None}, {}, "categories[2].units", "required for pricing per_unit"),
        (
            {**ANALYSIS, "effort_hours_per_unit": 3, "units": 4},
            {},
            "categories[2].effort_hours",
            "no value when effort_hours_per_unit is given",
        ),
        (
            {**ANALYSIS, "units": 4},
            {},
            "categories[2].units",
            "used by pricing per_unit or effort_hours_per_unit only",
        ),
        (
            {**ANALYSIS, "effort_hours": None, "effort_hours_per_unit": 3},
            {},
            "categories[2].units",
            "required for effort_hours_per_unit",
        ),
        (
            {k: v for k, v in ANALYSIS.items() if k != "effort_hours"},
            {},
            "categories[2].effort_hours",
            "a value (required for channel project)",
        ),
        (
            {**INTERVIEWS, "invoice": {"on_delivery_month": 13}},
            {},
            "categories[2].invoice.on_delivery_month",
            "1 to contract_months, 12",
        ),
        (
            {**INTERVIEWS, "invoice": {"on_delivery_month": 0}},
            {},
            "categories[2].invoice.on_delivery_month",
            "[1, 240]",
        ),
        ({**INTERVIEWS, "units": -1}, {}, "categories[2].units", "[0, 1e7]"),
        ({**INTERVIEWS, "pricing": "per_minute"}, {}, "categories[2].pricing", "per_unit"),
        (INTERVIEWS, {"categories.calls.pricing": "per_unit"}, "categories[0].pricing",
         "a pricing of project work"),
        (INTERVIEWS, {"categories.calls.units": 3}, "categories[0].units", "no value"),
        (INTERVIEWS, {"categories.mail.invoice": {"on_delivery_month": 2}},
         "categories[1].invoice", "no value"),
    ],
)  # fmt: skip
def test_bad_project_fields_name_the_field(
    project: dict[str, Any], overrides: dict[str, Any], path: str, expected: str
) -> None:
    project = {k: v for k, v in project.items() if v is not None}
    found = issues_of(project, **overrides)
    assert path in found, found
    assert expected in found[path]
