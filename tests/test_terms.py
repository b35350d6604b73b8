"""Contract terms: plans, volume bands, a minimum, a platform fee, whole seats, a
category's margin floor and the competitor band's lower side.

Charges are worked by hand; the model's choice is checked against a brute-force
enumeration of every (tier, price point, platform fee) of a one-category deal; a
solution billed wrongly must fail verification; bad terms get one message each.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from helpers import make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.analysis.verify import verify
from optimizer.errors import ScenarioError, VerificationError
from optimizer.milp.model import build_model
from optimizer.milp.solve import solve
from optimizer.options import RunOptions, SolveOptions
from optimizer.output.report import to_dict
from optimizer.pipeline import run_scenario
from optimizer.scenario.terms import Band, Plan, Terms, VolumeBands
from optimizer.staffing import charges
from optimizer.staffing.requirements import build_requirements

BANDS = (Band(start=0, discount=0.0), Band(start=20, discount=0.05), Band(start=50, discount=0.08))


# ------------------------------------------------------------------ charges by hand


def test_incremental_bands_by_hand() -> None:
    """60 FTE at 100: 20 x 100 + 30 x 95 + 10 x 92 = 5,770."""
    terms = Terms(volume_bands=VolumeBands(kind="incremental", bands=BANDS))
    assert charges.usage_charge(terms, Plan(fee=0, unit_price=100), 60) == pytest.approx(5770)


def test_all_units_bands_by_hand() -> None:
    """60 FTE at 100, all at the 50+ band's 8% off: 60 x 92 = 5,520; 49 at 5% off: 4,655."""
    terms = Terms(volume_bands=VolumeBands(kind="all_units", bands=BANDS))
    plan = Plan(fee=0, unit_price=100)
    assert charges.usage_charge(terms, plan, 60) == pytest.approx(5520)
    assert charges.usage_charge(terms, plan, 49) == pytest.approx(4655)


def test_plan_with_overage_by_hand() -> None:
    """1,000 minutes for 1,850, then 1.75: 1,200 minutes bill 1,850 + 200 x 1.75 = 2,200;
    800 minutes bill the fee alone."""
    plan = Plan(fee=1850, included=1000, unit_price=1.75)
    assert charges.usage_charge(Terms(), plan, 1200) == pytest.approx(2200)
    assert charges.usage_charge(Terms(), plan, 800) == pytest.approx(1850)


def test_bands_apply_after_the_included_units() -> None:
    """A plan's included units are not banded: 1,000 included, 60 over at 100 with
    incremental bands = 1,850 + 5,770."""
    terms = Terms(volume_bands=VolumeBands(kind="incremental", bands=BANDS))
    plan = Plan(fee=1850, included=1000, unit_price=100)
    assert charges.usage_charge(terms, plan, 1060) == pytest.approx(1850 + 5770)


def test_minimum_top_up_and_platform_fee_lines() -> None:
    """A minimum of 3,000 over a 2,400 usage charge tops up 600; the platform fee is on
    top; the lines add up to the total."""
    terms = Terms(minimum_monthly=3000)
    lines = charges.charge_lines(terms, Plan(fee=0, unit_price=2.0), 1200, 500.0)
    assert [(line.item, line.amount) for line in lines] == [
        ("usage", pytest.approx(2400)),
        ("minimum top-up", pytest.approx(600)),
        ("platform fee", 500.0),
    ]
    total = charges.usage_charge(terms, Plan(fee=0, unit_price=2.0), 1200) + 500.0
    assert sum(line.amount for line in lines) == pytest.approx(total)


def test_all_units_cliff_is_flagged() -> None:
    """All units: 50 FTE bill 4,600 but 49.99 bill about 4,749: crossing the threshold
    lowers the bill (a cliff); incremental bands never do."""
    plan = Plan(fee=0, unit_price=100)
    all_units = Terms(volume_bands=VolumeBands(kind="all_units", bands=BANDS))
    assert charges.cliff(all_units, plan, 50)
    assert not charges.cliff(all_units, plan, 45)
    incremental = Terms(volume_bands=VolumeBands(kind="incremental", bands=BANDS))
    assert not charges.cliff(incremental, plan, 50)


def cents(low: int, high: int) -> st.SearchStrategy[float]:
    """Numbers in [low, high] / 100 (no subnormal floats: the schema refuses them)."""
    return st.integers(low, high).map(lambda i: i / 100)


@settings(max_examples=200, deadline=None)
@given(
    discounts=st.lists(cents(0, 50), min_size=1, max_size=4),
    gaps=st.lists(cents(100, 10000), min_size=3, max_size=3),
    fee=cents(0, 100000),
    included=cents(0, 10000),
    price=cents(1, 10000),
    a=cents(0, 50000),
    b=cents(0, 50000),
)
def test_incremental_charge_never_falls_as_volume_rises(
    discounts: list[float],
    gaps: list[float],
    fee: float,
    included: float,
    price: float,
    a: float,
    b: float,
) -> None:
    """Under incremental bands, more volume never bills less (with any plan, minimum 0)."""
    starts = [0.0, *itertools.accumulate(gaps)][: len(discounts)]
    bands = tuple(Band(start=s, discount=d) for s, d in zip(starts, discounts, strict=True))
    terms = Terms(volume_bands=VolumeBands(kind="incremental", bands=bands))
    plan = Plan(fee=fee, included=included, unit_price=price)
    low, high = sorted((a, b))
    assert charges.usage_charge(terms, plan, low) <= charges.usage_charge(terms, plan, high) + 1e-9


# ------------------------------------------------------------------ the model's choice


def _deal(**overrides: object):
    """The example deal with only its calls category (mail's cost is fixed anyway)."""
    return make_scenario(**{"provider.min_margin": -0.9, **overrides})


def test_plain_prices_bill_as_before() -> None:
    """Without terms every option's revenue is price x billable quantity exactly."""
    scenario = _deal()
    reqs = build_requirements(scenario)
    model = build_model(scenario, reqs)
    for cat, options in model.options.items():
        expr = model.revenue[cat]
        for o in options:
            q = reqs.category(cat).tier(o.tier).billable_per_month
            assert expr[o.var] == o.price * q


MENU = [
    {"fee": 0, "included": 0, "unit_price": 5.0},
    {"fee": 4000, "included": 1000, "unit_price": 4.0},
    {"fee": 9000, "included": 3000, "unit_price": 3.0},
]


@pytest.mark.parametrize("budget", [1e9, 52000.0, 46000.0, 38000.0, 34000.0, 20000.0])
def test_choice_matches_brute_force(budget: float) -> None:
    """Plans, incremental bands, a minimum and a platform fee menu on calls: the solved
    margin equals the best margin over every (calls tier, plan, fee; mail price) that
    keeps the budget, found by enumeration (the staffing cost of a tier choice from the
    model pinned to it, without the budget)."""
    terms = {
        "volume_bands": {"bands": [{"from": 0, "discount": 0}, {"from": 2000, "discount": 0.1}]},
        "minimum_monthly": 12000,
        "platform_fee": [0, 500, 1500],
    }
    free = _deal(**{"categories.calls.tiers.std.prices": MENU, "categories.calls.terms": terms})
    scenario = free.with_overrides({"client.budget_per_month": budget})
    reqs = build_requirements(scenario)
    result = run_scenario(scenario, RunOptions(explain=False, diagnose=False))
    calls, mail = scenario.category("calls"), scenario.category("mail")
    best = None
    for ct, mt in itertools.product(calls.tiers, mail.tiers):
        pinned = {"calls": (ct.name, 5.0), "mail": (mt.name, mt.price_bounds()[0])}
        base = verify(free, reqs, solve(build_model(free, reqs, choices=pinned), SolveOptions()))
        assert base.totals is not None
        cost = base.totals.cost
        q_calls = reqs.category("calls").tier(ct.name).billable_per_month
        q_mail = reqs.category("mail").tier(mt.name).billable_per_month
        for plan, fee, price in itertools.product(
            ct.plans() or (), calls.terms.fee_menu(), mt.price_points() or ()
        ):
            revenue = charges.usage_charge(calls.terms, plan, q_calls) + fee + price * q_mail
            if revenue <= budget + 1e-6:
                best = max(best or -1e18, revenue - cost)
    if best is None:
        assert result.totals is None
        return
    assert result.totals is not None
    assert result.totals.margin == pytest.approx(best, rel=1e-9, abs=1e-6)


def test_verification_rejects_a_wrong_bill() -> None:
    """The solver's answer passes; the same answer claiming another plan fee fails."""
    scenario = _deal(**{"categories.calls.tiers.std.prices": MENU})
    reqs = build_requirements(scenario)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    verify(scenario, reqs, solution)
    choice = solution.choices["calls"]
    wrong = {**solution.choices, "calls": replace(choice, plan_fee=choice.plan_fee + 100)}
    with pytest.raises(VerificationError, match="objective"):
        verify(scenario, reqs, replace(solution, choices=wrong))


def test_json_has_terms_only_where_billed_under_terms() -> None:
    """A category with terms reports how it was billed; the others are as before."""
    scenario = _deal(**{"categories.calls.terms": {"platform_fee": 250}})
    out = to_dict(run_scenario(scenario, RunOptions(explain=False)))
    calls, mail = out["categories"]
    assert calls["terms"]["platform_fee"] == 250
    assert calls["revenue"] == pytest.approx(
        calls["terms"]["usage_charge"] + calls["terms"]["minimum_top_up"] + 250
    )
    assert "terms" not in mail


def test_whole_seats_round_billed_fte_up() -> None:
    """per_fte_month with bill_whole_units: the billable quantity is a whole number, at
    least the exact FTE."""
    exact = _deal(**{"categories.calls.pricing": "per_fte_month"})
    whole = _deal(
        **{
            "categories.calls.pricing": "per_fte_month",
            "categories.calls.terms.bill_whole_units": True,
        }
    )
    q = build_requirements(exact).category("calls").tier("std").billable_per_month
    w = build_requirements(whole).category("calls").tier("std").billable_per_month
    assert w == float(int(w)) and q <= w < q + 1


# ------------------------------------------------------------------ bad terms


@pytest.mark.parametrize(
    ("overrides", "path", "expected"),
    [
        (
            {"categories.calls.terms.volume_bands": {"bands": [{"from": 5, "discount": 0.1}]}},
            "categories[0].terms.volume_bands.bands[0].from",
            "0 (the first band)",
        ),
        (
            {
                "categories.calls.terms.volume_bands": {
                    "bands": [{"from": 0, "discount": 0}, {"from": 0, "discount": 0.1}]
                }
            },
            "categories[0].terms.volume_bands.bands[1].from",
            "more than the band before",
        ),
        (
            {"categories.calls.terms.bill_whole_units": True},
            "categories[0].terms.bill_whole_units",
            "per_fte_month",
        ),
        (
            {"categories.calls.terms.min_premium": -0.1},
            "categories[0].terms.min_premium",
            "benchmark_price",
        ),
        (
            {
                "categories.calls.tiers.std.prices": {"min": 1.0, "max": 9.0},
                "categories.calls.terms.minimum_monthly": 100.0,
            },
            "categories[0].tiers[0].prices",
            "minimum_monthly needs price points",
        ),
        (
            {"categories.calls.terms.volume_bands": {"bands": [{"from": 0, "discount": 1.0}]}},
            "categories[0].terms.volume_bands.bands[0].discount",
            "[0, 1)",
        ),
    ],
)
def test_bad_terms_name_the_field(overrides: dict, path: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as err:
        make_scenario(**overrides)
    issues = [i for i in err.value.issues if i.path == path]
    assert issues, [str(i) for i in err.value.issues]
    assert expected in issues[0].expected


# ------------------------------------------------------------------ quotes holding a plan or a fee


def test_fix_parses_a_plan_and_a_platform_fee() -> None:
    """``tier@FEE/INCLUDED/PRICE+FEE``: the plan and the fee are held; ``spec`` gives it back."""
    from optimizer.scenario.fixes import parse_fixes

    scenario = _deal(**{"categories.calls.tiers.std.prices": MENU})
    (quote,) = parse_fixes(scenario, ["calls=std@4000/1000/4+250"]).values()
    assert (quote.plan_fee, quote.included, quote.price, quote.platform_fee) == (4000, 1000, 4, 250)
    assert quote.spec() == "std@4000/1000/4+250"
    with pytest.raises(ScenarioError, match="FEE/INCLUDED/PRICE"):
        parse_fixes(scenario, ["calls=std@4000/1000"])


def test_a_quoted_plan_and_fee_are_billed_as_quoted() -> None:
    """Holding the 4,000-for-1,000 plan and a 250 platform fee (off the fee menu): the
    result bills exactly that plan and fee."""
    from optimizer.scenario.fixes import parse_fixes

    scenario = _deal(
        **{
            "categories.calls.tiers.std.prices": MENU,
            "categories.calls.terms.platform_fee": [0, 500],
        }
    )
    fixed = parse_fixes(scenario, ["calls=std@4000/1000/4+250"])
    result = run_scenario(scenario, RunOptions(fixed=fixed, explain=False))
    billing = result.billing["calls"]
    assert (billing["plan_fee"], billing["included"], billing["platform_fee"]) == (4000, 1000, 250)
    q = billing["billable_quantity"]
    calls = next(c for c in result.categories if c.name == "calls")
    assert calls.revenue == pytest.approx(4000 + 4 * max(0.0, q - 1000) + 250)


def test_verification_rejects_a_category_over_its_own_cost_cap() -> None:
    """Per-category limits are re-checked on that category's own figures: the solver's
    answer passes, and fails once calls' cap per contact is set just under what it bills
    (the revenue, cost and contacts of a category are never mixed up)."""
    scenario = _deal()
    reqs = build_requirements(scenario)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    result = verify(scenario, reqs, solution)
    calls = next(c for c in result.categories if c.name == "calls")
    cap = 0.99 * calls.revenue / calls.contacts
    tight = scenario.with_overrides({"categories.calls.max_cost_per_contact": cap})
    with pytest.raises(VerificationError, match="cost per contact of calls"):
        verify(tight, reqs, solution)
    loose = scenario.with_overrides({"categories.calls.max_cost_per_contact": 1.01 * cap / 0.99})
    verify(loose, reqs, solution)
