"""The contract view: escalation per contract year, NPV, the cash flow and the month
the set-up cost is recovered (design 11).

A 3-year contract is worked by hand (3% wages, 2% prices, a set-up cost, NPV at 8%),
and one with a project invoiced in its second year; properties check the view against
closed-form sums (flat years, the total = months x the monthly margin, NPV at 0% = the
total, the cash flow adds up to the total) on generated monthly plans; bad fields get
one message each; a solved deal prints the block with the keys docs/output.md lists,
and a deal without the new fields prints what it did before.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from helpers import ROOT, make_raw
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.analysis.contract import contract_view, growth, npv, recovered_month
from optimizer.errors import ScenarioError
from optimizer.options import RunOptions
from optimizer.output.report import to_dict
from optimizer.pipeline import run_scenario
from optimizer.results import (
    CategoryOutcome,
    Contract,
    MonthFlow,
    SiteOutcome,
    SolverInfo,
    SolveStatus,
    Totals,
    VerifiedResult,
)
from optimizer.scenario.schema import Scenario, validate_scenario

STUDY: dict[str, Any] = {
    "name": "study",
    "channel": "project",
    "effort_hours": 100,
    "specialist_hourly_cost": 72,
    "pricing": "fixed_fee",
    "tiers": [{"name": "standard", "prices": [12_000]}],
}
"""A project: a 12,000 fee, 100 hours x 72 = 7,200 of effort."""


def deal(*projects: dict[str, Any], **root: Any) -> Scenario:
    """The example deal with ``root`` fields set at the top level (``escalation``,
    ``discount_rate``, ``contract_months``, ``provider``...) and ``projects`` added."""
    raw = make_raw()
    provider = root.pop("provider", {})
    raw["provider"].update(provider)
    raw.update(root)
    raw["categories"] += [dict(p) for p in projects]
    return validate_scenario(raw, "<test>")


def result_of(
    scenario: Scenario,
    revenue: dict[str, float],
    labour: float,
    cost: dict[str, float] | None = None,
) -> VerifiedResult:
    """A verified result of ``scenario`` by hand: each category's monthly revenue (and
    direct cost), the site ``home`` costing ``labour`` a month; totals as verify sums
    them (labour + fixed monthly cost + set-up / months + project cost)."""
    cost = cost or {}
    cats = tuple(
        CategoryOutcome(c.name, c.tiers[0].name, c.pricing, 1.0, revenue.get(c.name, 0.0),
                        cost.get(c.name, 0.0), 0.0, 0.0, 0.0, None, None)
        for c in scenario.categories
    )  # fmt: skip
    p = scenario.provider
    total_cost = labour + p.fixed_monthly_cost + p.setup_cost / scenario.contract_months
    total_cost += sum(cost.get(c.name, 0.0) for c in scenario.categories if c.is_project)
    total_revenue = sum(revenue.values())
    totals = Totals(total_revenue, total_cost, total_revenue - total_cost,
                    None, None, 0.0, None, None, None, 0.0)  # fmt: skip
    return VerifiedResult(
        scenario.scenario, scenario.currency, SolveStatus.OPTIMAL, "max_margin", totals,
        cats, (SiteOutcome("home", 0.0, 0.0, labour),), (), True, 0.0,
        SolverInfo("highs", 0.0, 0.0),
    )  # fmt: skip


def view(scenario: Scenario, result: VerifiedResult) -> Contract:
    contract = contract_view(scenario, result)
    assert contract is not None
    return contract


def approx(value: float) -> Any:
    return pytest.approx(value, rel=1e-9, abs=1e-6)


# ------------------------------------------------------------------ by hand


HAND = {
    "contract_months": 36,
    "escalation": {"wages": 0.03, "prices": 0.02},
    "discount_rate": 0.08,
    "provider": {"setup_cost": 72_000, "fixed_monthly_cost": 2_000},
}


def test_three_years_by_hand() -> None:
    """36 months; calls bill 100,000 a month, the agents cost 60,000 a month, fixed cost
    2,000, set-up 72,000 (2,000 a month spread); wages +3%, prices +2% a year; 8%.

    Accruals (set-up spread), per month, then x 12:
      year 1: revenue 100,000; cost 60,000 + 2,000 + 2,000 = 64,000; margin 36,000
              -> 1,200,000 / 768,000 / 432,000
      year 2: revenue 100,000 x 1.02 = 102,000; cost 60,000 x 1.03 = 61,800 + 4,000 =
              65,800; margin 36,200 -> 1,224,000 / 789,600 / 434,400
      year 3: revenue 100,000 x 1.02^2 = 104,040; cost 60,000 x 1.03^2 = 63,654 + 4,000
              = 67,654; margin 36,386 -> 1,248,480 / 811,848 / 436,632
      total:  3,672,480 / 2,369,448 / 1,303,032
    Cash flow (set-up in month 1): the monthly margin + 2,000 (no spread set-up), so
    38,000 / 38,200 / 38,386 a month by year, and month 1 is 100,000 - (60,000 + 2,000 +
    72,000) = -34,000; month 2's cumulative -34,000 + 38,000 = 4,000 >= 0: recovered in
    month 2. Sum: 12 x (38,000 + 38,200 + 38,386) - 72,000 = 1,303,032 = the total.
    NPV: v = 1.08^(-1/12) = 0.9936071020 a month; a year's months discount to
    a = v + v^2 + ... + v^12 = 11.5128578523, a later year's by a further 1/1.08 each:
      38,000 x a                = 437,488.598388
      38,200 x a / 1.08         = 407,214.046258
      38,386 x a / 1.08^2       = 378,885.940946
      - 72,000 x v (set-up, month 1, discounted one month) = -71,539.711343
      NPV = 1,152,048.874250
    """
    scenario = deal(**HAND)
    contract = view(scenario, result_of(scenario, {"calls": 100_000}, 60_000))
    years = [(y.year, y.revenue, y.cost, y.margin) for y in contract.years]
    expected = [
        (1, 1_200_000, 768_000, 432_000),
        (2, 1_224_000, 789_600, 434_400),
        (3, 1_248_480, 811_848, 436_632),
    ]
    for got, want in zip(years, expected, strict=True):
        assert got == tuple(approx(v) for v in want)
    total = contract.total
    assert (total.revenue, total.cost, total.margin) == (
        approx(3_672_480), approx(2_369_448), approx(1_303_032))  # fmt: skip
    flows = contract.cash_flow
    assert len(flows) == 36
    assert (flows[0].revenue, flows[0].cost, flows[0].cumulative) == (
        approx(100_000), approx(134_000), approx(-34_000))  # fmt: skip
    assert flows[1].cumulative == approx(4_000)
    assert flows[12].revenue - flows[12].cost == approx(38_200)
    assert flows[35].revenue - flows[35].cost == approx(38_386)
    assert flows[-1].cumulative == approx(1_303_032)
    assert contract.setup_recovered_month == 2
    assert contract.npv == pytest.approx(1_152_048.874250, abs=1e-4)


def test_project_invoiced_in_year_two_by_hand() -> None:
    """24 months, no escalation; calls bill 50,000 against 40,000 of agents; a 12,000
    study (500 a month spread, 7,200 of effort = 300 a month) invoiced in month 14.

    Years (accruals): each 12 x (50,000 + 500) = 606,000 of revenue and 12 x (40,000 +
    300) = 483,600 of cost, margin 122,400; total 244,800. Cash: months without the
    invoice bill 50,000, month 14 bills 62,000; every month costs 40,300; the sum is
    again 244,800. No set-up: month 1's cumulative 9,700 >= 0, recovered in month 1. No
    discount_rate: no NPV.
    """
    scenario = deal({**STUDY, "invoice": {"on_delivery_month": 14}}, contract_months=24)
    result = result_of(scenario, {"calls": 50_000, "study": 500}, 40_000, {"study": 300})
    contract = view(scenario, result)
    assert [(y.revenue, y.cost, y.margin) for y in contract.years] == [
        (approx(606_000), approx(483_600), approx(122_400))] * 2  # fmt: skip
    assert contract.total.margin == approx(244_800)
    revenue = [f.revenue for f in contract.cash_flow]
    assert revenue[13] == approx(62_000)
    assert revenue[:13] + revenue[14:] == [approx(50_000)] * 23
    assert {round(f.cost, 6) for f in contract.cash_flow} == {40_300}
    assert contract.cash_flow[-1].cumulative == approx(244_800)
    assert contract.setup_recovered_month == 1
    assert contract.npv is None


def test_never_recovered() -> None:
    """A set-up cost the contract never earns back: no recovery month, negative NPV."""
    scenario = deal(contract_months=6, discount_rate=0.1, provider={"setup_cost": 60_000})
    contract = view(scenario, result_of(scenario, {"calls": 20_000}, 15_000))
    assert contract.cash_flow[-1].cumulative == approx(6 * 5_000 - 60_000)
    assert contract.setup_recovered_month is None
    assert contract.npv is not None and contract.npv < 0


def test_helpers() -> None:
    """Escalation steps once a contract year; NPV at 0% is the plain sum; recovery is
    the first month at or above 0, even if the cumulative falls again later."""
    assert [growth(0.5, m) for m in (1, 12, 13, 24, 25)] == [1, 1, 1.5, 1.5, 2.25]
    flows = [MonthFlow(1, 0, 5, -5), MonthFlow(2, 9, 1, 3), MonthFlow(3, 0, 4, -1)]
    assert npv(flows, 0.0) == pytest.approx(-1)
    assert recovered_month(flows) == 2
    assert recovered_month(flows[:1]) is None
    assert recovered_month([MonthFlow(1, 0, 5, -5), MonthFlow(2, 5, 0, 0.0)]) == 2  # exactly 0


# ------------------------------------------------------------------ properties

cents = st.integers(0, 10_000_000).map(lambda n: n / 100)
rates = st.integers(-20, 20).map(lambda n: n / 100)


@settings(max_examples=60, deadline=None)
@given(months=st.integers(1, 60), revenue=cents, labour=cents, fixed=cents, setup=cents)
def test_flat_contract(months: int, revenue: float, labour: float, fixed: float,
                       setup: float) -> None:  # fmt: skip
    """Zero escalation and a 0% rate: every full year is the same (12 x the monthly
    margin), the total is months x the monthly margin, NPV = the total = months x the
    margin before set-up - the set-up cost, and the cash flow sums to the total."""
    provider = {"setup_cost": setup, "fixed_monthly_cost": fixed}
    flat = {"wages": 0, "prices": 0}
    scenario = deal(contract_months=months, escalation=flat, discount_rate=0, provider=provider)
    result = result_of(scenario, {"calls": revenue}, labour)
    assert result.totals is not None
    monthly = result.totals.margin
    contract = view(scenario, result)
    tol = 1e-9 * (1 + months * (revenue + labour + fixed) + setup)
    assert len(contract.years) == math.ceil(months / 12)
    for year in contract.years[: months // 12]:
        assert year.margin == pytest.approx(12 * monthly, abs=tol)
    assert contract.total.margin == pytest.approx(months * monthly, abs=tol)
    before_setup = revenue - labour - fixed
    assert contract.npv == pytest.approx(months * before_setup - setup, abs=tol)
    assert contract.npv == pytest.approx(contract.total.margin, abs=tol)
    assert sum(f.revenue for f in contract.cash_flow) == pytest.approx(
        contract.total.revenue, abs=tol)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(months=st.integers(1, 60), revenue=cents, labour=cents, setup=cents,
       wages=rates, prices=rates, rate=st.integers(0, 30).map(lambda n: n / 100))  # fmt: skip
def test_escalated_contract_matches_closed_forms(
    months: int, revenue: float, labour: float, setup: float, wages: float, prices: float,
    rate: float,
) -> None:  # fmt: skip
    """Year y has n_y months (12, the last one the rest): its revenue is n_y x revenue x
    (1 + prices)^(y-1) and its cost n_y x (labour x (1 + wages)^(y-1) + setup / months);
    year 1 is the monthly plan; the cash flow's revenue and cost sum to the total's; NPV
    is the sum over months of the cash margin discounted at (1 + rate)^(m/12)."""
    scenario = deal(contract_months=months, escalation={"wages": wages, "prices": prices},
                    discount_rate=rate, provider={"setup_cost": setup})  # fmt: skip
    result = result_of(scenario, {"calls": revenue}, labour)
    assert result.totals is not None
    contract = view(scenario, result)
    tol = 1e-9 * (1 + months * 2 * (revenue + labour) + setup)
    for year in contract.years:
        n = min(12, months - 12 * (year.year - 1))
        assert year.revenue == pytest.approx(n * revenue * (1 + prices) ** (year.year - 1), abs=tol)
        cost = n * (labour * (1 + wages) ** (year.year - 1) + setup / months)
        assert year.cost == pytest.approx(cost, abs=tol)
    first = contract.years[0]
    assert first.margin == pytest.approx(min(12, months) * result.totals.margin, abs=tol)
    flows = contract.cash_flow
    assert sum(f.revenue for f in flows) == pytest.approx(contract.total.revenue, abs=tol)
    assert sum(f.cost for f in flows) == pytest.approx(contract.total.cost, abs=tol)
    assert flows[-1].cumulative == pytest.approx(contract.total.margin, abs=tol)
    by_hand = -setup / (1 + rate) ** (1 / 12) + sum(
        (revenue * (1 + prices) ** ((m - 1) // 12) - labour * (1 + wages) ** ((m - 1) // 12))
        / (1 + rate) ** (m / 12)
        for m in range(1, months + 1)
    )
    assert contract.npv == pytest.approx(by_hand, abs=tol)


# ------------------------------------------------------------------ validation


def issues(**root: Any) -> dict[str, str]:
    with pytest.raises(ScenarioError) as err:
        deal(**root)
    return {i.path: i.expected for i in err.value.issues}


@pytest.mark.parametrize(
    ("root", "path", "expected"),
    [
        ({"escalation": {"wages": 1.5}}, "escalation.wages",
         "a number in (-1, 1] (a change per contract year)"),
        ({"escalation": {"prices": -1}}, "escalation.prices",
         "a number in (-1, 1] (a change per contract year)"),
        ({"discount_rate": -0.08}, "discount_rate", "a number in [0, 1] (a rate per year)"),
        ({"discount_rate": True}, "discount_rate", "a number"),
        ({"escalation": {"salaries": 0.03}}, "escalation.salaries",
         "a known field (allowed: prices, wages)"),
        ({"escalation": 0.03}, "escalation", "a mapping"),
    ],
)  # fmt: skip
def test_bad_contract_fields(root: dict[str, Any], path: str, expected: str) -> None:
    """One message per problem, naming the field and the expected range."""
    found = issues(**root)
    assert list(found) == [path]
    assert expected in found[path]


# ------------------------------------------------------------------ solved deals


def documented_keys(block: str) -> list[str]:
    """The ```keys BLOCK``` list of docs/output.md."""
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    match = re.search(rf"```keys {re.escape(block)}\n(.*?)```", text, re.DOTALL)
    assert match, block
    return match[1].split()


def test_solved_deal_prints_the_documented_block() -> None:
    """Every solved deal prints ``contract`` with the keys output.md lists (design 11:
    every result gains the block): without escalation or discounting it is flat, each
    year its months x the monthly totals, and has no NPV. With escalation year 1 is still
    12 x the monthly totals; the model is unchanged (same plan and margin)."""
    options = RunOptions(explain=False, diagnose=False)
    base: dict[str, Any] = {
        "contract_months": 30,
        "provider": {"setup_cost": 5_000, "min_margin": -0.9},
    }
    plain = run_scenario(deal(**base), options)
    flat = to_dict(plain)["contract"]
    assert list(flat) == documented_keys("contract") and flat["npv"] is None
    assert plain.totals is not None
    monthly = plain.totals.margin
    assert [y["margin"] for y in flat["years"]] == pytest.approx(
        [12 * monthly, 12 * monthly, 6 * monthly], abs=1e-3
    )
    assert flat["total"]["revenue"] == pytest.approx(30 * plain.totals.revenue, abs=1e-3)
    assert flat["cash_flow"][0]["cost"] == pytest.approx(flat["cash_flow"][1]["cost"] + 5_000)
    scenario = deal(**base, escalation={"wages": 0.03, "prices": 0.02}, discount_rate=0.08)
    result = run_scenario(scenario, options)
    assert result.totals is not None and plain.totals is not None
    assert [(c.tier, c.price) for c in result.categories] == [
        (c.tier, c.price) for c in plain.categories]  # fmt: skip
    assert result.totals.margin == pytest.approx(plain.totals.margin, abs=1e-6)
    out = to_dict(result)
    block = out["contract"]
    assert list(block) == documented_keys("contract")
    keys = [k.strip("[]") for k in documented_keys("solve")]
    assert [k for k in keys if k in out] == list(out)
    assert [y["year"] for y in block["years"]] == [1, 2, 3]
    assert block["years"][0]["margin"] == pytest.approx(12 * result.totals.margin, abs=1e-3)
    assert block["years"][2]["revenue"] == pytest.approx(
        6 * result.totals.revenue * 1.02**2, abs=1e-3)  # fmt: skip
    assert len(block["cash_flow"]) == 30
    assert block["cash_flow"][-1]["cumulative"] == pytest.approx(block["total"]["margin"], abs=1e-3)
    assert isinstance(block["npv"], float)
