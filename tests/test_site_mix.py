"""Site premiums and minimum site shares (design 11: "the optimiser now chooses the
onshore mix").

The deal worked by hand: one voice category open two hours a week (mon 09:00-11:00,
60-minute intervals, 4 weeks a month, no shrinkage), 400 contacts a month of 180 s, so
100 contacts an hour, 5 Erlangs, and 80% in 20 s needs 5 agents in each interval
(R = 10 agent-intervals, asserted from the requirement table). Denver (onshore) pays
30 an hour, Manila 10: an agent-interval costs 30 x 1 h x 4 = 120 in Denver, 40 in
Manila; a month of the deal costs 1,200 all in Denver, 400 all in Manila. At price
``p`` per contact, q = 400 contacts bill 400 p; the 25% Denver premium adds 0.25 x 400 p
x (Denver's part of the billed quantity, at most its agent-intervals over R: design 11).
Denver pays for itself when 100 p > 800, i.e. above p = 8, and the premium is linear in
the share, so the optimum is all one site.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from optimizer.analysis.verify import verify
from optimizer.errors import ScenarioError, VerificationError
from optimizer.limits.registry import FAMILIES
from optimizer.milp.model import build_model
from optimizer.milp.solve import solve
from optimizer.options import SolveOptions
from optimizer.rows import RowKey
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.staffing import charges, costs
from optimizer.staffing.requirements import RequirementTable, build_requirements

HOURLY = {"denver": 30.0, "manila": 10.0}


def raw(
    price: float = 3.0,
    premium: float | None = 0.25,
    share: float | dict[str, float] | None = None,
    seats: int | None = None,
    contacts: float = 400,
) -> dict[str, Any]:
    """The hand-worked deal (module docstring) with its terms."""
    terms: dict[str, Any] = {}
    if premium is not None:
        terms["site_premium"] = {"denver": premium}
    if share is not None:
        terms["min_site_share"] = share if isinstance(share, dict) else {"denver": share}
    denver: dict[str, Any] = {"name": "denver", "hourly_cost": HOURLY["denver"]}
    if seats is not None:
        denver["seats"] = seats
    return {
        "scenario": "onshore",
        "calendar": {"interval_minutes": 60, "weeks_per_month": 4},
        "provider": {
            "shrinkage": 0.0,
            "sites": [denver, {"name": "manila", "hourly_cost": HOURLY["manila"]}],
        },
        "categories": [
            {
                "name": "calls",
                "channel": "voice",
                "contacts_per_month": contacts,
                "aht_seconds": 180,
                "open_hours": {"mon": "09:00-11:00"},
                "pricing": "per_contact",
                "terms": terms,
                "tiers": [
                    {
                        "name": "std",
                        "service_level": 0.8,
                        "answer_within_seconds": 20,
                        "prices": [price],
                    }
                ],
            }
        ],
    }


def solved(**kw: Any) -> tuple[Scenario, RequirementTable, Any]:
    scenario = validate_scenario(raw(**kw), "onshore.yaml")
    reqs = build_requirements(scenario)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    assert solution.status.has_solution
    return scenario, reqs, solution


def one_agent_to_manila(solution: Any) -> dict[tuple[str, str], np.ndarray]:
    """The solution's agents with one of Denver's moved to Manila (in Denver's first
    staffed interval)."""
    denver = solution.agents[("denver", "calls")].copy()
    manila = solution.agents[("manila", "calls")].copy()
    t = int(np.flatnonzero(denver)[0])
    denver[t] -= 1
    manila[t] += 1
    return {("denver", "calls"): denver, ("manila", "calls"): manila}


def hours(solution: Any, site: str) -> float:
    return float(np.sum(solution.agents[(site, "calls")]))


def test_the_requirement_is_as_worked_by_hand() -> None:
    scenario = validate_scenario(raw(), "onshore.yaml")
    tier = build_requirements(scenario).category("calls").tier("std")
    assert list(tier.agents[tier.agents > 0]) == [5, 5]
    assert tier.billable_per_month == 400
    assert costs.agent_interval_cost(scenario, scenario.site("denver")) == 120
    assert costs.agent_interval_cost(scenario, scenario.site("manila")) == 40


@pytest.mark.parametrize(
    ("price", "site", "revenue", "cost"),
    [
        # p = 3: Manila 1,200 - 400 = 800 beats Denver 1,500 - 1,200 = 300.
        (3.0, "manila", 1200.0, 400.0),
        # p = 7.9: Manila 3,160 - 400 = 2,760 beats Denver 3,950 - 1,200 = 2,750.
        (7.9, "manila", 3160.0, 400.0),
        # p = 8.1: Denver 4,050 - 1,200 = 2,850 beats Manila 3,240 - 400 = 2,840.
        (8.1, "denver", 4050.0, 1200.0),
        # p = 10: Denver 5,000 - 1,200 = 3,800 beats Manila 4,000 - 400 = 3,600.
        (10.0, "denver", 5000.0, 1200.0),
    ],
)
def test_work_moves_onshore_only_when_the_premium_pays(
    price: float, site: str, revenue: float, cost: float
) -> None:
    scenario, reqs, solution = solved(price=price)
    assert hours(solution, site) == 10
    result = verify(scenario, reqs, solution)
    assert result.totals is not None
    assert result.totals.revenue == pytest.approx(revenue)
    assert result.totals.cost == pytest.approx(cost)
    assert solution.objective_value == pytest.approx(revenue - cost)


@pytest.mark.parametrize(
    ("price", "site", "margin"), [(3.0, "manila", 800.0), (10.0, "denver", 3800.0)]
)
def test_shift_mode_splits_the_same_way(price: float, site: str, margin: float) -> None:
    """Staffed in whole 2-hour shifts (mon 09:00-11:00 is one shift): 5 shifts at one
    site, the same two alternatives and margins as interval by interval."""
    deal = raw(price=price)
    deal["provider"].update(
        staffing="shifts", shifts={"lengths_hours": [2], "start_every_minutes": 60}
    )
    scenario = validate_scenario(deal, "shifts.yaml")
    reqs = build_requirements(scenario)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    assert hours(solution, site) == pytest.approx(10)
    result = verify(scenario, reqs, solution)
    assert result.totals is not None and result.totals.margin == pytest.approx(margin)


def test_a_minimum_share_by_hand() -> None:
    """p = 3 with 30% of the hours from Denver: 3 of the 10 agent-intervals there.
    Cost 3 x 120 + 7 x 40 = 640; revenue 1,200 + 0.25 x 1,200 x 0.3 = 1,290."""
    scenario, reqs, solution = solved(price=3.0, share=0.3)
    assert (hours(solution, "denver"), hours(solution, "manila")) == (3, 7)
    result = verify(scenario, reqs, solution)
    assert result.totals is not None
    assert result.totals.revenue == pytest.approx(1290)
    assert result.totals.cost == pytest.approx(640)


def test_seats_cap_the_onshore_part() -> None:
    """p = 10 with 3 Denver seats: 3 + 3 agent-intervals there (60%), 4 in Manila.
    Revenue 4,000 + 0.25 x 4,000 x 0.6 = 4,600; cost 6 x 120 + 4 x 40 = 880."""
    scenario, reqs, solution = solved(price=10.0, seats=3)
    assert (hours(solution, "denver"), hours(solution, "manila")) == (6, 4)
    result = verify(scenario, reqs, solution)
    assert result.totals is not None
    assert (result.totals.revenue, result.totals.cost) == (pytest.approx(4600), pytest.approx(880))


def test_the_result_shows_the_split() -> None:
    """The seats-capped deal's billing: 60% from Denver, premium 0.25 x 4,000 x 0.6 = 600,
    and revenue = usage charge + premium."""
    from optimizer.output.report import to_dict

    scenario, reqs, solution = solved(price=10.0, seats=3)
    billing = verify(scenario, reqs, solution).billing["calls"]
    assert billing["site_shares"] == {"denver": pytest.approx(0.6), "manila": pytest.approx(0.4)}
    assert billing["site_premium"] == pytest.approx(600)
    assert billing["usage_charge"] + billing["site_premium"] == pytest.approx(4600)
    plain = verify(*solved(price=3.0, premium=None, share=0.3)).billing["calls"]
    assert "site_premium" not in plain and "site_shares" not in plain
    assert to_dict(verify(scenario, reqs, solution)) is not None


def test_shares_that_add_up_to_one_need_a_whole_multiple_of_hours() -> None:
    """35% from Denver and 65% from Manila, together 1, so each site's hours are its
    share of the total exactly: 0.35 H and 0.65 H whole needs H a multiple of 20, and
    the tier's R = 10 makes it 20: Denver 7, Manila 13 agent-intervals (10 idle). At
    p = 10 without a premium: revenue 4,000, cost 7 x 120 + 13 x 40 = 1,360, margin
    2,640. With a site's agents capped at the tiers' need (5 in an interval) Manila
    could staff at most 10: the deal was called infeasible."""
    scenario, reqs, solution = solved(
        price=10.0, premium=None, share={"denver": 0.35, "manila": 0.65}
    )
    assert (hours(solution, "denver"), hours(solution, "manila")) == (7, 13)
    result = verify(scenario, reqs, solution)
    assert result.totals is not None
    assert (result.totals.revenue, result.totals.cost) == (pytest.approx(4000), pytest.approx(1360))


def test_a_share_without_a_premium() -> None:
    """No premium: 30% from Denver costs 640 and bills the plain 1,200."""
    scenario, reqs, solution = solved(price=3.0, premium=None, share=0.3)
    assert hours(solution, "denver") == 3
    result = verify(scenario, reqs, solution)
    assert result.totals is not None and result.totals.revenue == pytest.approx(1200)


def test_shares_that_need_an_agent_above_the_tier() -> None:
    """35% from Denver and 62% from Manila of the agents: 10 agent-intervals would need
    ceil(3.5) + ceil(6.2) = 11, so one agent above the tier; Denver's 4 carry 4 / 10 of
    the quantity at the premium: revenue 1,200 + 0.25 x 1,200 x 0.4 = 1,320, cost 4 x
    120 + 7 x 40 = 760, margin 560 (before, staffed exactly to the tier: infeasible,
    even with a premium of 0)."""
    scenario, reqs, solution = solved(price=3.0, share={"denver": 0.35, "manila": 0.62})
    assert (hours(solution, "denver"), hours(solution, "manila")) == (4, 7)
    checked = verify(scenario, reqs, solution)
    assert checked.totals is not None
    assert checked.totals.revenue == pytest.approx(1320)
    assert checked.totals.margin == pytest.approx(560)


def test_a_bonus_level_with_a_site_premium() -> None:
    """p = 10 (all Denver pays: margin 4,000 + 1,000 - 1,200 = 3,800) with a 95%-in-10-s
    level of 150, which needs 6 and 7 agents (13 agent-intervals, ``tests/test_bonus.py``):
    the 3 agent-intervals above the tier cost 120 in Manila (360 in Denver), and Denver's
    10 still carry all of the quantity at the premium: revenue 4,000 + 1,000 + 150 =
    5,150, cost 10 x 120 + 3 x 40 = 1,320, margin 3,830."""
    deal = raw(price=10.0)
    level = {"service_level": 0.95, "answer_within_seconds": 10, "amount": 150}
    deal["categories"][0]["terms"]["bonus"] = [level]
    scenario = validate_scenario(deal, "bonus.yaml")
    reqs = build_requirements(scenario)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    assert (hours(solution, "denver"), hours(solution, "manila")) == (10, 3)
    assert solution.choices["calls"].bonus == (True,)
    checked = verify(scenario, reqs, solution)
    assert checked.totals is not None
    assert checked.totals.revenue == pytest.approx(5150)
    assert checked.totals.margin == pytest.approx(3830)


def test_the_lowest_bid_bills_from_the_site_without_a_premium() -> None:
    """min_price with 30% of the agents from Denver: Manila staffs the whole tier (10
    agent-intervals) and bills all 400 contacts at the plain 1,200; Denver's 5 (5 of
    15 >= 30%) bill nothing. The cheapest staffing at that spend costs 5 x 120 + 10 x 40
    = 1,000, where staffing exactly to the tier (3 in Denver) would bill 1,290."""
    from optimizer.options import RunOptions
    from optimizer.pipeline import run_scenario

    scenario = validate_scenario(raw(price=3.0, share=0.3), "bid.yaml")
    result = run_scenario(scenario, RunOptions(objective="min_price", explain=False))
    assert result.verified and result.totals is not None
    assert result.totals.revenue == pytest.approx(1200)
    assert result.totals.cost == pytest.approx(1000)
    shares = result.billing["calls"]["site_shares"]
    assert shares == pytest.approx({"denver": 0, "manila": 1}, abs=1e-6)


def test_a_billing_split_beyond_what_a_site_staffs_fails_verification() -> None:
    """The p = 10 optimum bills all of the quantity from Denver; claimed with one of
    Denver's agents moved to Manila, Denver staffs 9 of the 10 agent-intervals and may
    bill at most 90%: verification refuses it."""
    scenario, reqs, solution = solved(price=10.0)
    moved = one_agent_to_manila(solution)
    with pytest.raises(VerificationError, match="denver part of the billing split"):
        verify(scenario, reqs, replace(solution, agents=moved, objective_value=None))


def test_a_negative_part_of_the_billing_split_fails_verification() -> None:
    """Denver staffing 12 of the tier's 10 agent-intervals may bill all of the quantity,
    not 120% of it with Manila's part at -20%: each part is at least 0."""
    scenario, reqs, solution = solved(price=10.0)
    denver = solution.agents[("denver", "calls")].copy()
    denver[np.flatnonzero(denver)[:2]] += 1
    agents = {**solution.agents, ("denver", "calls"): denver}
    claimed = replace(solution.choices["calls"], site_split=(("denver", 1.2), ("manila", -0.2)))
    forged = replace(solution, agents=agents, choices={"calls": claimed}, objective_value=None)
    with pytest.raises(VerificationError, match="manila part of the billing split"):
        verify(scenario, reqs, forged)


# ------------------------------------------------------------------ brute force


def brute_force(scenario: Scenario, reqs: RequirementTable) -> float:
    """The best margin over every tier, price point, staffing of each interval between
    the sites (Denver's agents from none to two above the need, Manila's from the rest
    of the need to all of it) and billing split, from the definitions alone (design 11):
    the billable quantity split with each site's part at most what it staffs
    (``q x H_s / R``), the premium on Denver's part, the costs, Denver's seats, the
    minimum share of the agents, the client's budget and the provider's margin floor (0
    by default)."""
    cat = scenario.category("calls")
    best = -np.inf
    for tier in cat.tiers:
        treq = reqs.category("calls").tier(tier.name)
        need = [int(a) for a in treq.agents if a > 0]
        for price in tier.prices:  # type: ignore[union-attr]
            per_interval = [
                [(d, m) for d in range(n + 3) for m in range(max(0, n - d), n + 1)] for n in need
            ]
            for staffing in itertools.product(*per_interval):
                margin = _margin(scenario, float(price), treq.billable_per_month, need, staffing)
                best = max(best, margin)
    return best


def _margin(
    scenario: Scenario,
    price: float,
    q: float,
    need: list[int],
    staffing: tuple[tuple[int, int], ...],
) -> float:
    """The best margin of one staffing ((Denver, Manila) agents per interval, covering
    the need) over its billing splits, -inf if a limit breaks."""
    cat = scenario.category("calls")
    seats = scenario.site("denver").seats
    share = (cat.terms.min_site_share or {}).get("denver", 0.0)
    if seats is not None and max(d for d, _ in staffing) > seats:
        return -np.inf
    denver = float(sum(d for d, _ in staffing))
    manila = float(sum(m for _, m in staffing))
    if denver < share * (denver + manila) - 1e-9:
        return -np.inf
    required = float(sum(need))
    low, high = max(0.0, 1.0 - manila / required), min(1.0, denver / required)
    cost = sum(
        h * costs.agent_interval_cost(scenario, scenario.site(s))
        for s, h in (("denver", denver), ("manila", manila))
    )
    budget = scenario.client.budget_per_month

    def revenue(billed: float) -> float:  # Denver's part of the quantity: linear in it
        shares = {"denver": billed, "manila": 1.0 - billed}
        return price * q + charges.site_premium_charge(cat.terms, price, q, shares)

    candidates = [low, high]
    slope = revenue(1.0) - revenue(0.0)
    if budget is not None and slope:
        candidates.append(min(high, max(low, (budget - revenue(0.0)) / slope)))
    best = -np.inf
    for billed in candidates:
        paid = revenue(billed)
        if paid - cost < 0 or (budget is not None and paid > budget + 1e-6):
            continue
        best = max(best, paid - cost)
    return best


@settings(max_examples=12, deadline=None)
@given(
    price=st.integers(100, 1500).map(lambda v: v / 100),
    premium=st.integers(-20, 60).map(lambda v: v / 100),
    share=st.one_of(st.none(), st.integers(1, 100).map(lambda v: v / 100)),
    seats=st.one_of(st.none(), st.integers(1, 5)),
    contacts=st.sampled_from([150, 400, 700]),
)
def test_the_model_finds_the_best_split(
    price: float, premium: float, share: float | None, seats: int | None, contacts: int
) -> None:
    """The model's margin equals the brute-force best over the site split, and the
    solution passes verification (infeasible exactly when no split is)."""
    scenario = validate_scenario(
        raw(price=price, premium=premium, share=share, seats=seats, contacts=contacts), "b.yaml"
    )
    reqs = build_requirements(scenario)
    best = brute_force(scenario, reqs)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    if best == -np.inf:
        assert not solution.status.has_solution
        return
    assert solution.status.has_solution
    assert solution.objective_value == pytest.approx(best, abs=1e-6)
    verify(scenario, reqs, solution)


# ------------------------------------------------------------------ verification injections


def test_premium_claimed_for_offshore_work_fails_verification() -> None:
    """The p = 10 optimum bills Denver's premium; the same objective claimed with the
    work moved to Manila (revenue 4,000 - 400 = 3,600, not 3,800) must fail."""
    scenario, reqs, solution = solved(price=10.0)
    offshore = {
        ("denver", "calls"): np.zeros_like(solution.agents[("denver", "calls")]),
        ("manila", "calls"): solution.agents[("denver", "calls")].copy(),
    }
    with pytest.raises(VerificationError, match="objective"):
        verify(scenario, reqs, replace(solution, agents=offshore))


def test_a_share_below_the_minimum_fails_verification() -> None:
    """The 30%-from-Denver solution with one Denver agent moved to Manila: 20% < 30%."""
    scenario, reqs, solution = solved(price=3.0, premium=None, share=0.3)
    moved = one_agent_to_manila(solution)
    with pytest.raises(VerificationError, match="denver share of calls"):
        verify(scenario, reqs, replace(solution, agents=moved, objective_value=None))


def test_the_premium_is_the_billed_share_of_the_charge() -> None:
    """A quarter of 100 units billed from Denver at 10 x 0.25 more = 62.5; none, 0."""
    terms = validate_scenario(raw(), "x").category("calls").terms
    shares = {"denver": 0.25, "manila": 0.75}
    assert charges.site_premium_charge(terms, 10.0, 100.0, shares) == 62.5
    assert charges.site_premium_charge(terms, 10.0, 100.0, {}) == 0.0


# ------------------------------------------------------------------ the limit family


def test_relaxation_and_wording() -> None:
    """1% relaxation lowers the share; the diagnosis names the share in percent."""
    from optimizer.limits.base import MoveContext

    scenario = validate_scenario(raw(share=0.3), "x")
    family = FAMILIES["min_site_share"]
    key = RowKey("min_site_share", site="denver", category="calls")
    assert family.relax(scenario, key) == {
        "categories.calls.terms.min_site_share.denver": pytest.approx(0.297)
    }
    ctx = MoveContext(scenario, "alone", {}, {}, 0.0, productive={("denver", "calls"): 10.0})
    change = family.move(replace(ctx), key, 0.8)
    assert change is not None
    assert change.message == "denver: the client's minimum share of calls must fall from 30% to 22%"
    assert change.after == pytest.approx(0.22)


# ------------------------------------------------------------------ validation


def _issue(raw_deal: dict[str, Any], path: str) -> str:
    with pytest.raises(ScenarioError) as err:
        validate_scenario(raw_deal, "deal.yaml")
    found = [i for i in err.value.issues if i.path == path]
    assert found, [str(i) for i in err.value.issues]
    return found[0].expected


def _terms(deal: dict[str, Any]) -> dict[str, Any]:
    terms: dict[str, Any] = deal["categories"][0]["terms"]
    return terms


def test_unknown_site_is_refused() -> None:
    deal = raw()
    _terms(deal)["site_premium"] = {"boston": 0.2}
    assert "a site name" in _issue(deal, "categories[0].terms.site_premium.boston")


def test_site_that_may_not_handle_the_category_is_refused() -> None:
    deal = raw(share=0.3)
    deal["provider"]["sites"][0]["categories"] = []
    deal["provider"]["sites"].append({"name": "lima", "hourly_cost": 9.0, "categories": []})
    expected = _issue(deal, "categories[0].terms.min_site_share.denver")
    assert "may handle calls" in expected


def test_shares_above_one_are_refused() -> None:
    deal = raw()
    _terms(deal)["min_site_share"] = {"denver": 0.6, "manila": 0.5}
    assert "at most 1" in _issue(deal, "categories[0].terms.min_site_share")


def test_a_share_out_of_range_is_refused() -> None:
    assert "[0, 1]" in _issue(raw(share=1.5), "categories[0].terms.min_site_share.denver")


def test_a_premium_with_a_minimum_charge_by_hand() -> None:
    """A take-or-pay minimum lifts the usage charge; the premium is on the units delivered
    from the site (a share of the plan charge), as the invoice bills them: the
    seats-capped deal (usage 4,000, 60% from Denver) with a minimum of 5,000 tops up
    1,000 and still bills the premium 0.25 x 4,000 x 0.6 = 600: revenue 5,600, and the
    invoice at the forecast quantity says the same (the pair was refused before)."""
    from optimizer.analysis.invoice import billing_of, category_lines
    from optimizer.scenario.actuals import Actual

    deal = raw(price=10.0, seats=3)
    _terms(deal)["minimum_monthly"] = 5000.0
    scenario = validate_scenario(deal, "onshore.yaml")
    reqs = build_requirements(scenario)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    result = verify(scenario, reqs, solution)
    billing = result.billing["calls"]
    assert billing["site_shares"] == {"denver": pytest.approx(0.6), "manila": pytest.approx(0.4)}
    assert billing["minimum_top_up"] == pytest.approx(1000)
    assert billing["site_premium"] == pytest.approx(600)
    assert result.categories[0].revenue == pytest.approx(5600)
    signed = billing_of(result)["calls"]
    lines = category_lines(scenario, signed, Actual("1", "calls", 400.0, None, 2))
    assert sum(line.amount for line in lines) == pytest.approx(5600)


def test_premium_with_a_continuous_range_is_refused() -> None:
    """price x share would be bilinear."""
    deal = raw()
    deal["categories"][0]["tiers"][0]["prices"] = {"min": 1.0, "max": 9.0}
    assert "price points" in _issue(deal, "categories[0].tiers[0].prices")


@pytest.mark.parametrize(
    ("prices", "bands"),
    [
        ([{"fee": 100.0, "included": 100, "unit_price": 2.0}], None),
        (
            [3.0],
            {
                "kind": "incremental",
                "bands": [{"from": 0, "discount": 0}, {"from": 300, "discount": 0.1}],
            },
        ),
        (
            [3.0],
            {
                "kind": "all_units",
                "bands": [{"from": 0, "discount": 0}, {"from": 300, "discount": 0.1}],
            },
        ),
        (
            [{"fee": 100.0, "included": 100, "unit_price": 2.0}],
            {
                "kind": "incremental",
                "bands": [{"from": 0, "discount": 0}, {"from": 200, "discount": 0.2}],
            },
        ),
    ],
)
def test_premium_on_plans_and_bands_by_hand(
    prices: list[Any], bands: dict[str, Any] | None
) -> None:
    """The premium multiplies each site's share of the plan charge (fee + banded usage):
    with 30% of the hours from Denver (the client's share), revenue is the plan charge
    x (1 + 0.25 x 0.3), worked from the definitions below; verify agrees."""
    deal = raw(share=0.3)
    deal["categories"][0]["tiers"][0]["prices"] = prices
    if bands is not None:
        _terms(deal)["volume_bands"] = bands
    scenario = validate_scenario(deal, "plan.yaml")
    reqs = build_requirements(scenario)
    q = reqs.category("calls").tier("std").billable_per_month
    assert q == 400
    point = prices[0]
    fee, included, unit = (
        (point["fee"], point["included"], point["unit_price"])
        if isinstance(point, dict)
        else (0.0, 0.0, point)
    )
    usage = q - included
    if bands is None:
        billed = usage
    elif bands["kind"] == "all_units":
        start, discount = bands["bands"][1]["from"], bands["bands"][1]["discount"]
        billed = usage * (1 - discount) if usage >= start else usage
    else:
        start, discount = bands["bands"][1]["from"], bands["bands"][1]["discount"]
        billed = min(usage, start) + max(0.0, usage - start) * (1 - discount)
    base = fee + unit * billed
    solution = solve(build_model(scenario, reqs), SolveOptions())
    checked = verify(scenario, reqs, solution)
    hours = {s: float(np.sum(a)) for (s, _), a in solution.agents.items()}
    share = hours["denver"] / sum(hours.values())
    assert share >= 0.3 - 1e-9
    expected = base * (1 + 0.25 * share)
    assert checked.categories[0].revenue == pytest.approx(expected, abs=1e-9)
    assert checked.billing["calls"]["site_premium"] == pytest.approx(base * 0.25 * share, abs=1e-9)


def test_premium_on_deferred_work_is_refused() -> None:
    deal = raw()
    cat = deal["categories"][0]
    cat["channel"] = "deferred"
    cat["tiers"] = [{"name": "std", "share": 0.9, "within_hours": 24, "prices": [2.0]}]
    assert "voice or chat" in _issue(deal, "categories[0].terms.site_premium")


# ------------------------------------------------------------------ unchanged without terms


def test_a_deal_without_site_terms_has_no_site_rows() -> None:
    """Without site terms: no shares, no split rows, no share limit, the plain revenue."""
    scenario, reqs, solution = solved(price=3.0, premium=None)
    model = build_model(scenario, reqs)
    families = {k.family for k in model.keys.values()}
    assert not families & {"site_split", "site_hours", "min_site_share"}
    assert not any(v.name.startswith("sigma_") for v in model.prob.variables())
    assert solution.objective_value == pytest.approx(800)
    assert "site_premium" not in scenario.category("calls").terms.model_dump(exclude_none=True)


@settings(max_examples=40, deadline=None)
@given(
    price=st.integers(100, 1200).map(lambda v: v / 100),
    step=st.integers(1, 300).map(lambda v: v / 100),
    premium=st.integers(0, 60).map(lambda v: v / 100),
    share=st.one_of(st.none(), st.integers(1, 90).map(lambda v: v / 100)),
    seats=st.one_of(st.none(), st.integers(2, 6)),
    budget=st.integers(1000, 8000),
)
@example(price=3.09, step=2.09, premium=0.4, share=0.01, seats=None, budget=2645)
@example(price=1.0, step=1.01, premium=0.18, share=0.2, seats=None, budget=1670)
def test_the_best_option_and_split_on_a_menu(
    price: float, step: float, premium: float, share: float | None, seats: int | None, budget: int
) -> None:
    """Two tiers of two price points each under a client budget (the premium counts in
    the client's spend, so a dearer point offshore competes with a cheaper one
    onshore): the model finds the brute-force best (tier, price, split)."""
    deal = raw(price=price, premium=premium, share=share, seats=seats)
    deal["client"] = {"budget_per_month": float(budget)}
    tiers = deal["categories"][0]["tiers"]
    tiers[0]["prices"] = [price, price + step]
    tiers.append(
        {
            "name": "gold",
            "service_level": 0.9,
            "answer_within_seconds": 10,
            "prices": [price + step, price + 2 * step],
        }
    )
    scenario = validate_scenario(deal, "menu.yaml")
    reqs = build_requirements(scenario)
    best = brute_force(scenario, reqs)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    assert solution.status.has_solution == (best > -np.inf)
    if best > -np.inf:
        # The margin recomputed from the integer agents is the brute force's exactly.
        checked = verify(scenario, reqs, solution)
        assert checked.totals is not None
        assert checked.totals.margin == pytest.approx(best, abs=1e-6)
        # The solver's own objective may ride HiGHS's primal feasibility tolerance (1e-7)
        # on the continuous split shares, each worth at most premium x price x quantity
        # (seen: a share 4.6e-9 over, 1.0e-6 of premium on a 217 coefficient).
        q = reqs.category("calls").tier("std").billable_per_month
        riding = 1e-7 * premium * (price + 2 * step) * q
        assert solution.objective_value == pytest.approx(best, abs=max(riding, 1e-6))


def test_the_share_binds_with_its_shadow_price_by_hand() -> None:
    """p = 3, 30% from Denver: the share row binds; one more Denver agent-interval (one
    fewer in Manila, the total is the tier's 10) costs 120 - 40 = 80 and adds the premium
    0.25 x 1,200 / 10 = 30: -50 per agent-interval, and the limit is a share of the 10
    agent-intervals: -500 per unit of share (-5 a percentage point), its slack 0."""
    from optimizer.options import RunOptions
    from optimizer.output.report import to_dict
    from optimizer.pipeline import run_scenario

    scenario = validate_scenario(raw(price=3.0, share=0.3), "x")
    rows = {c["name"]: c for c in to_dict(run_scenario(scenario, RunOptions()))["constraints"]}
    row = rows["min_site_share[denver][calls]"]
    assert row["binding"] is True
    assert row["shadow_price"] == pytest.approx(-50 * 10)
    assert row["slack"] == pytest.approx(0, abs=1e-9)


def test_a_share_of_deferred_work() -> None:
    """Deferred work (the example's mail) may carry a minimum share too: half of its
    productive hours from the dearer site, re-checked by verification."""
    from helpers import make_scenario

    sites = [{"name": "home", "hourly_cost": 20.0}, {"name": "away", "hourly_cost": 30.0}]
    scenario = make_scenario(
        **{
            "provider.sites": sites,
            "provider.min_margin": -1.0,
            "categories.mail.terms": {"min_site_share": {"away": 0.5}},
        }
    )
    reqs = build_requirements(scenario)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    assert solution.status.has_solution
    verify(scenario, reqs, solution)
    away = float(np.sum(solution.agents[("away", "mail")]))
    home = float(np.sum(solution.agents[("home", "mail")]))
    assert away >= 0.5 * (away + home) > 0
    assert float(np.sum(solution.agents[("away", "calls")])) == 0  # calls stay at home


def test_invoice_bills_the_premium_per_site_by_the_plan_shares() -> None:
    """p = 3 with 30% of the hours from Denver: the forecast month bills 400 contacts at
    3 (1,200) and Denver's 120 at 3 x 0.25 = 0.75 (90); a month of 500 contacts bills
    Denver's 150 at 0.75 (the signed shares, the actual quantity); the forecast invoice
    is the solve's revenue."""
    from optimizer.analysis.invoice import billing_of, forecast_actuals, invoice
    from optimizer.options import RunOptions
    from optimizer.pipeline import run_scenario
    from optimizer.scenario.actuals import Actual

    scenario = validate_scenario(raw(price=3.0, share=0.3), "premium.yaml")
    result = run_scenario(scenario, RunOptions(explain=False, diagnose=False))
    assert result.totals is not None
    billing = billing_of(result)
    share = billing["calls"].site_shares["denver"]
    assert share == pytest.approx(0.3)
    forecast = invoice(
        scenario, billing, forecast_actuals(scenario, build_requirements(scenario), billing)
    )
    lines = [(x.item, x.quantity, x.rate, x.amount) for x in forecast.months[0].lines]
    assert lines == [
        ("usage", 400.0, 3.0, 1200.0),
        ("site premium denver", pytest.approx(120.0), pytest.approx(0.75), pytest.approx(90.0)),
    ]
    assert forecast.total == pytest.approx(result.totals.revenue, abs=0.005)
    month = invoice(scenario, billing, [Actual("1", "calls", 500.0, None, 0)])
    assert month.months[0].lines[-1].amount == pytest.approx(150 * 0.75)
