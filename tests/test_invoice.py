"""``tierprice invoice``: the invoice of actual monthly quantities under the deal's terms.

Golden invoices are worked by hand (each docstring shows the sum): a bundle with
overage, incremental and all-units bands, a minimum top-up, a platform fee, whole
seats, a month leaving a category out. Properties: under incremental bands a month's
invoice never falls as any quantity rises; at the forecast quantities each category's
invoice is the solve's revenue to the cent. Bad actuals give one message each (exit
2); the command runs end to end.

Bonus lines are tested in ``test_bonus.py`` and site premium lines below; SLA credits
are not billed by the invoice. An actual ``service_level`` is also reported (amount 0).
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import ROOT, make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer import cli
from optimizer.analysis.invoice import Billing, billing_of, forecast_actuals, invoice
from optimizer.errors import ScenarioError
from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.scenario.actuals import Actual, parse_actuals
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.scenario.terms import Plan
from optimizer.staffing.requirements import build_requirements

BANDS = [{"from": 0, "discount": 0}, {"from": 20, "discount": 0.05}, {"from": 50, "discount": 0.08}]
PLAIN = Plan(fee=0, unit_price=100)


def _scenario(terms: dict | None = None, **overrides: object):
    """The example deal (calls, mail) with ``terms`` on calls."""
    extra = {} if terms is None else {"categories.calls.terms": terms}
    return make_scenario(**{"provider.min_margin": -0.9, **extra, **overrides})


def _bill(scenario, plan: Plan, fee: float = 0.0, rows: list[tuple] | None = None):
    """Invoice ``rows`` (month, category, quantity[, service level]) with calls at
    ``plan`` and ``fee``, mail at 2.5 a contact."""
    billing = {
        "calls": Billing("std", plan, fee),
        "mail": Billing("std", Plan(fee=0, unit_price=2.5), 0.0),
    }
    actuals = [Actual(r[0], r[1], r[2], r[3] if len(r) > 3 else None, 0) for r in rows or []]
    return invoice(scenario, billing, actuals)


def _lines(inv, month: int = 0) -> list[tuple]:
    return [(x.category, x.item, x.quantity, x.rate, x.amount) for x in inv.months[month].lines]


# ------------------------------------------------------------------ golden invoices


def test_bundle_with_overage() -> None:
    """1,000 units for 1,850, then 1.75: 1,200 units bill 1,850 + 200 x 1.75 = 2,200;
    800 units the fee alone, 1,850."""
    plan = Plan(fee=1850, included=1000, unit_price=1.75)
    inv = _bill(_scenario(), plan, rows=[("2026-01", "calls", 1200), ("2026-02", "calls", 800)])
    assert _lines(inv, 0) == [
        ("calls", "plan fee", 1.0, 1850, 1850),
        ("calls", "usage", 200, 1.75, pytest.approx(350)),
    ]
    assert _lines(inv, 1) == [("calls", "plan fee", 1.0, 1850, 1850)]
    assert [m.total for m in inv.months] == [pytest.approx(2200), 1850]
    assert inv.total == pytest.approx(4050)


def test_incremental_bands() -> None:
    """60 units at 100: 20 x 100 + 30 x 95 + 10 x 92 = 2,000 + 2,850 + 920 = 5,770."""
    s = _scenario({"volume_bands": {"kind": "incremental", "bands": BANDS}})
    inv = _bill(s, PLAIN, rows=[("1", "calls", 60)])
    assert _lines(inv) == [
        ("calls", "usage", 20, 100, 2000),
        ("calls", "usage band from 20", 30, 95, pytest.approx(2850)),
        ("calls", "usage band from 50", 10, 92, pytest.approx(920)),
    ]
    assert inv.total == pytest.approx(5770)


def test_all_units_bands() -> None:
    """All units at the band reached: 60 x 92 = 5,520; 49 x 95 = 4,655; 10 x 100 = 1,000."""
    s = _scenario({"volume_bands": {"kind": "all_units", "bands": BANDS}})
    rows = [("1", "calls", 60), ("2", "calls", 49), ("3", "calls", 10)]
    inv = _bill(s, PLAIN, rows=rows)
    assert _lines(inv, 0) == [("calls", "usage band from 50", 60, 92, pytest.approx(5520))]
    assert _lines(inv, 1) == [("calls", "usage band from 20", 49, 95, pytest.approx(4655))]
    assert _lines(inv, 2) == [("calls", "usage", 10, 100, 1000)]
    assert inv.total == pytest.approx(5520 + 4655 + 1000)


@pytest.mark.parametrize(
    ("sla", "credit"),
    [
        ({"window": "month", "credit_pct": 0.05, "credit_cap": 0.15}, 0.05 * 3500),
        ({"window": "month", "credit_pct": 0.20, "credit_cap": 0.15}, 0.15 * 3500),
        ({"window": "day", "credit_pct": 0.05, "credit_cap": 0.15}, None),
        (None, None),
    ],
    ids=["credit", "capped", "day-window", "no-sla"],
)
def test_a_missed_month_is_credited_by_hand(sla: dict | None, credit: float | None) -> None:
    """Design 11/12, by hand: a month measured as one window (``window: month``) at 70%
    against the tier's 80% is credited ``credit_pct`` of its 3,500 charge, at most
    ``credit_cap``; a day window cannot be judged from the month's figure, and a deal
    that states no ``sla`` has no credits to bill."""
    s = _scenario({"minimum_monthly": 3000, "platform_fee": 500}, **({"sla": sla} if sla else {}))
    assert s.category("calls").tier("std").service_level == 0.8
    rows = [("1", "calls", 1200, 0.70), ("2", "calls", 1200, 0.80)]
    inv = _bill(s, Plan(fee=0, unit_price=2.0), 500, rows)
    credited = [x for x in inv.months[0].lines if x.item.startswith("SLA credit")]
    assert [x.amount for x in credited] == ([] if credit is None else [pytest.approx(-credit)])
    assert inv.months[0].total == pytest.approx(3500 - (credit or 0.0))
    assert inv.months[1].total == pytest.approx(3500)  # met: no credit


def test_minimum_top_up_and_platform_fee() -> None:
    """A minimum of 3,000 over 1,200 x 2 = 2,400 tops up 600; a 500 platform fee on top:
    3,500. At 2,000 units (4,000) no top-up: 4,500."""
    s = _scenario({"minimum_monthly": 3000, "platform_fee": 500})
    inv = _bill(s, Plan(fee=0, unit_price=2.0), 500, [("1", "calls", 1200), ("2", "calls", 2000)])
    assert _lines(inv, 0) == [
        ("calls", "usage", 1200, 2.0, 2400),
        ("calls", "minimum top-up", 1.0, 600, 600),
        ("calls", "platform fee", 1.0, 500, 500),
    ]
    assert _lines(inv, 1) == [
        ("calls", "usage", 2000, 2.0, 4000),
        ("calls", "platform fee", 1.0, 500, 500),
    ]
    assert inv.total == pytest.approx(3500 + 4500)


def test_month_without_a_category_does_not_bill_it() -> None:
    """Month 1 bills calls (100 x 3 = 300 + fee 50) and mail (40 x 2.5 = 100); month 2
    only mail (10 x 2.5 = 25): no platform fee, no minimum for calls that month. The
    service level is reported at amount 0."""
    s = _scenario({"platform_fee": 50})
    rows = [("1", "calls", 100, 0.85), ("1", "mail", 40), ("2", "mail", 10)]
    inv = _bill(s, Plan(fee=0, unit_price=3.0), 50, rows)
    assert _lines(inv, 0) == [
        ("calls", "usage", 100, 3.0, 300),
        ("calls", "platform fee", 1.0, 50, 50),
        ("calls", "service level", 0.85, 0.0, 0.0),
        ("mail", "usage", 40, 2.5, 100),
    ]
    assert _lines(inv, 1) == [("mail", "usage", 10, 2.5, 25)]
    assert inv.total == pytest.approx(475)


def test_whole_seats_round_actual_fte_up() -> None:
    """per_fte_month with whole seats: 11.2 FTE bill 12 seats x 4,000 = 48,000; 12.0 bill 12."""
    s = _scenario({"bill_whole_units": True}, **{"categories.calls.pricing": "per_fte_month"})
    inv = _bill(s, Plan(fee=0, unit_price=4000), rows=[("1", "calls", 11.2), ("2", "calls", 12.0)])
    assert _lines(inv, 0) == [("calls", "usage", 12.0, 4000, 48000)]
    assert _lines(inv, 1) == [("calls", "usage", 12.0, 4000, 48000)]


# ------------------------------------------------------------------ properties


def cents(low: int, high: int) -> st.SearchStrategy[float]:
    """Numbers in [low, high] / 100 (no subnormal floats: the schema refuses them)."""
    return st.integers(low, high).map(lambda i: i / 100)


BASE = _scenario()


@settings(max_examples=60, deadline=None)
@given(
    discounts=st.lists(cents(0, 60), min_size=1, max_size=3),
    gaps=st.lists(cents(100, 50000), min_size=2, max_size=2),
    fee=cents(0, 100000),
    included=cents(0, 50000),
    price=cents(1, 1000),
    minimum=cents(0, 500000),
    platform=cents(0, 10000),
    quantities=st.lists(cents(0, 500000), min_size=2, max_size=2),
    which=st.sampled_from(["calls", "mail"]),
    more=cents(0, 100000),
)
def test_incremental_invoice_never_falls_as_a_quantity_rises(
    discounts: list[float],
    gaps: list[float],
    fee: float,
    included: float,
    price: float,
    minimum: float,
    platform: float,
    quantities: list[float],
    which: str,
    more: float,
) -> None:
    """Any plan, incremental bands, a minimum and a platform fee: raising either
    category's quantity never lowers the month's invoice."""
    starts = [0.0, gaps[0], gaps[0] + gaps[1]][: len(discounts)]
    bands = [{"from": s, "discount": d} for s, d in zip(starts, discounts, strict=True)]
    terms = {"volume_bands": {"kind": "incremental", "bands": bands}, "minimum_monthly": minimum}
    s = BASE.with_overrides({"categories.calls.terms": terms})
    plan = Plan(fee=fee, included=included, unit_price=price)
    rows = [("1", "calls", quantities[0]), ("1", "mail", quantities[1])]
    before = _bill(s, plan, platform, rows).total
    raised = [(m, c, q + more if c == which else q) for m, c, q in rows]
    assert _bill(s, plan, platform, raised).total >= before - 1e-9


MENU = [
    {"fee": 0, "included": 0, "unit_price": 5.0},
    {"fee": 4000, "included": 1000, "unit_price": 4.0},
    {"fee": 9000, "included": 3000, "unit_price": 3.0},
]
DEALS = {
    "plain": {},
    "plans, bands, minimum, fee menu": {
        "categories.calls.tiers.std.prices": MENU,
        "categories.calls.terms": {
            "volume_bands": {
                "bands": [{"from": 0, "discount": 0}, {"from": 2000, "discount": 0.1}]
            },
            "minimum_monthly": 12000,
            "platform_fee": [0, 500, 1500],
        },
    },
    "plans only, bands": {
        "categories.calls.tiers.std.prices": MENU[1:],
        "categories.calls.terms": {
            "volume_bands": {
                "bands": [{"from": 0, "discount": 0}, {"from": 2000, "discount": 0.1}]
            },
        },
    },
    "all units": {
        "categories.calls.terms": {
            "volume_bands": {"kind": "all_units", "bands": BANDS},
            "platform_fee": 250,
        },
    },
    "whole seats": {
        "categories.calls.pricing": "per_fte_month",
        "categories.calls.tiers.std.prices": [4000.0, 4500.0],
        "categories.calls.terms": {"bill_whole_units": True, "minimum_monthly": 20000},
    },
    "price range": {"categories.calls.tiers.std.prices": {"min": 3.0, "max": 9.0}},
}


@pytest.mark.parametrize("overrides", DEALS.values(), ids=list(DEALS))
def test_forecast_invoice_is_the_solved_revenue(overrides: dict) -> None:
    """At each category's billable quantity of its chosen tier, the invoice of the
    category is the revenue the solve reports for it, to the cent."""
    s = _scenario(**overrides)
    result = run_scenario(s, RunOptions(explain=False, diagnose=False))
    assert result.totals is not None
    billing = billing_of(result)
    inv = invoice(s, billing, forecast_actuals(s, build_requirements(s), billing))
    (month,) = inv.months
    for c in result.categories:
        billed = sum(line.amount for line in month.lines if line.category == c.name)
        assert abs(billed - c.revenue) < 0.005, (c.name, billed, c.revenue)
    assert abs(inv.total - result.totals.revenue) < 0.005


@settings(max_examples=8, deadline=None)
@given(
    kind=st.sampled_from(["incremental", "all_units"]),
    start=st.integers(100, 9000),
    discount=cents(1, 30),
    minimum=st.integers(0, 60000),
    fees=st.lists(st.integers(0, 3000), min_size=1, max_size=3, unique=True),
    contacts=st.integers(2000, 12000),
)
def test_forecast_invoice_is_the_solved_revenue_for_any_terms(
    kind: str, start: int, discount: float, minimum: int, fees: list[int], contacts: int
) -> None:
    """The same as above over generated terms on the plan menu (bands of either kind, a
    minimum, a platform fee menu) and volumes: the forecast invoice is the revenue."""
    bands = [{"from": 0, "discount": 0}, {"from": start, "discount": discount}]
    terms = {"volume_bands": {"kind": kind, "bands": bands}, "minimum_monthly": minimum}
    s = _scenario(
        {**terms, "platform_fee": fees},
        **{
            "categories.calls.tiers.std.prices": MENU,
            "categories.calls.contacts_per_month": contacts,
        },
    )
    result = run_scenario(s, RunOptions(explain=False, diagnose=False))
    assert result.totals is not None
    billing = billing_of(result)
    inv = invoice(s, billing, forecast_actuals(s, build_requirements(s), billing))
    for c in result.categories:
        billed = sum(line.amount for line in inv.months[0].lines if line.category == c.name)
        assert abs(billed - c.revenue) < 0.005, (c.name, billed, c.revenue)


# ------------------------------------------------------------------ bad actuals

HEADER = "month,category,quantity\n"


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        (HEADER + "2026-01,billing,10\n", "line 2, column category", "a category of calls, mail"),
        (HEADER + "2026-01,calls,-3\n", "line 2, column quantity", "[0, 1e12]"),
        (HEADER + "2026-01,calls,lots\n", "line 2, column quantity", "a number"),
        (HEADER + "2026-01,calls,nan\n", "line 2, column quantity", "a number"),
        ("month,category\n2026-01,calls\n", "line 1, column quantity", "a header line"),
        (HEADER + "1,calls,3\n1,calls,4\n", "line 3, column month", "line 2 has it too"),
        (HEADER + "2026-13,calls,3\n", "line 2, column month", "YYYY-MM"),
        (HEADER + "0000-01,calls,3\n", "line 2, column month", "YYYY-MM"),
        (HEADER + "13,calls,3\n", "line 2, column month", "a contract month 1 to 12"),
        (HEADER + "1,calls,1_000\n", "line 2, column quantity", "a number"),
        (HEADER + "1,calls,inf\n", "line 2, column quantity", "a number"),
        (HEADER + "1,calls,3\n2026-01,mail,4\n", "line 3, column month", "one form"),
        (HEADER + "1,calls,3,4\n", "line 2, column (extra)", "3 cells"),
        (HEADER, "line 2", "at least one row"),
        (HEADER + "1,calls,3\n", "", ""),
        (HEADER + "12,calls,3\n", "", ""),
        (HEADER + "2026-01,calls,.3e1\n", "", ""),
        ("month,category,quantity,service_level\n1,calls,3,1.5\n", "line 2, column service_level",
         "[0, 1]"),
        ("month,category,quantity,quantity\n", "line 1, column 4", "each column once"),
    ],
)  # fmt: skip
def test_bad_actuals_give_one_issue(text: str, path: str, expected: str) -> None:
    """Each defect is one Issue naming the file, the line and the column."""
    if not path:
        assert parse_actuals(text, BASE, "a.csv")[0].quantity == 3.0
        return
    with pytest.raises(ScenarioError) as err:
        parse_actuals(text, BASE, "a.csv")
    (issue,) = err.value.issues
    assert issue.file == "a.csv" and issue.path == path
    assert expected in issue.expected


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_header_separated_otherwise_is_one_issue(separator: str) -> None:
    """A semicolon (or tab) CSV, as some spreadsheets export it, was four problems (an
    unknown column and each of the three missing): it is one, naming the separator."""
    text = separator.join(["month", "category", "quantity"]) + "\n1;calls;3\n"
    with pytest.raises(ScenarioError) as err:
        parse_actuals(text, BASE, "a.csv")
    (issue,) = err.value.issues
    assert issue.path == "line 1" and f"separates by {separator!r}" in issue.expected


def test_rows_come_in_month_and_category_order() -> None:
    """Contract months in number order (10 after 2), categories in the scenario's order;
    a leading zero names the same month; blank lines are skipped."""
    text = "Quantity , MONTH,category\n1,10,mail\n\n2,2,mail\n3,02,calls\n"
    with pytest.raises(ScenarioError, match="line 5"):
        parse_actuals(text + "4,2,calls\n", BASE, "a.csv")
    rows = parse_actuals(text, BASE, "a.csv")
    assert [(r.month, r.category, r.quantity) for r in rows] == [
        ("2", "calls", 3.0),
        ("2", "mail", 2.0),
        ("10", "mail", 1.0),
    ]


# ------------------------------------------------------------------ the command

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, {"fee": 1000, "included": 500, "unit_price": 7.0}],
    "categories.mail.tiers.std.prices": [5.0],
    "categories.calls.terms": {"minimum_monthly": 30000, "platform_fee": 200},
}


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


@pytest.fixture
def deal(tmp_path):
    """A small deal (calls: a plain price or a plan, a minimum, a platform fee) and an
    actuals file of two months, as files."""
    raw = make_scenario(**SMALL).raw()
    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "month,category,quantity,service_level\n"
        "2026-01,calls,4000,0.81\n2026-01,mail,1000,\n2026-02,calls,6000,\n",
        encoding="utf-8",
    )
    return path, actuals


def test_command_json_by_hand(deal) -> None:
    """--fix calls=std@6: January 4,000 x 6 = 24,000 + 6,000 top-up (minimum 30,000) +
    200 platform fee, mail 1,000 x 5 = 5,000: 35,200; February 6,000 x 6 = 36,000 + 200
    = 36,200 (mail not billed); total 71,400. The keys are those docs/output.md lists."""
    path, actuals = deal
    result = invoke(
        "invoice", path, "--actuals", actuals, "--fix", "calls=std@6", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == _documented_keys() == ["currency", "months", "total"]
    assert [list(m) for m in data["months"]] == [["month", "lines", "total"]] * 2
    assert list(data["months"][0]["lines"][0]) == ["category", "item", "quantity", "rate", "amount"]
    jan, feb = data["months"]
    assert [(x["item"], x["amount"]) for x in jan["lines"]] == [
        ("usage", 24000.0),
        ("minimum top-up", 6000.0),
        ("platform fee", 200.0),
        ("service level", 0.0),
        ("usage", 5000.0),
    ]
    assert (jan["month"], jan["total"], feb["total"], data["total"]) == (
        "2026-01",
        35200.0,
        36200.0,
        71400.0,
    )


def test_command_bills_a_quoted_plan_and_platform_fee(deal) -> None:
    """--fix calls=std@1000/500/7+300 (a plan and a platform fee off the menu): January
    1,000 + 3,500 x 7 = 25,500, topped up 4,500 to the 30,000 minimum, + 300 = 30,300,
    and mail 5,000; February 1,000 + 5,500 x 7 = 39,500 + 300 = 39,800; total 75,100."""
    path, actuals = deal
    fix = "calls=std@1000/500/7+300"
    result = invoke("invoice", path, "--actuals", actuals, "--fix", fix, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    jan = [(x["item"], x["amount"]) for x in data["months"][0]["lines"] if x["category"] == "calls"]
    assert jan == [
        ("plan fee", 1000.0),
        ("usage", 24500.0),
        ("minimum top-up", 4500.0),
        ("platform fee", 300.0),
        ("service level", 0.0),
    ]
    assert [m["total"] for m in data["months"]] == [35300.0, 39800.0]
    assert data["total"] == 75100.0


def test_command_solved_terms_table_and_csv(deal, tmp_path) -> None:
    """Without --fix the solved choice bills (here the plan beats 6 a contact); the
    table and the CSV carry the same total; --output writes the file."""
    path, actuals = deal
    out = tmp_path / "inv.csv"
    result = invoke("invoice", path, "--actuals", actuals, "--output", out)
    assert result.exit_code == 0, result.output
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "month,category,item,quantity,rate,amount_EUR"
    total = sum(float(r.rsplit(",", 1)[1]) for r in rows[1:])
    table = invoke("invoice", path, "--actuals", actuals)
    assert table.exit_code == 0, table.output
    assert f"total {total:,.2f} EUR" in table.stdout
    assert "plan fee" in table.stdout


def test_command_bad_input_exits_2(deal, tmp_path) -> None:
    """Bad actuals: one line per problem on stderr, exit 2, before any solve; an output
    over the actuals file is refused."""
    path, actuals = deal
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "2026-01,billing,-1\n", encoding="utf-8")
    result = invoke("invoice", path, "--actuals", bad)
    assert result.exit_code == 2
    assert result.stderr.startswith("2 problems in the actuals file:\n")
    assert "bad.csv: line 2, column category = 'billing'" in result.stderr
    assert "bad.csv: line 2, column quantity = '-1'" in result.stderr
    assert "Traceback" not in result.output
    assert invoke("invoice", path, "--actuals", tmp_path / "none.csv").exit_code == 2
    assert invoke("invoice", path, "--actuals", actuals, "--output", actuals).exit_code == 2
    assert invoke("invoice", path, "--actuals", actuals, "--format", "xlsx").exit_code == 2
    assert invoke("invoice", path, "--actuals", actuals, "--fix", "calls=gold@1").exit_code == 2


def test_command_infeasible_quote_exits_3(deal) -> None:
    """A quote the deal cannot be signed at has no terms to invoice: exit 3."""
    path, actuals = deal
    result = invoke("invoice", path, "--actuals", actuals, "--variant", "x")
    assert result.exit_code == 2  # no such variant
    tight = path.with_name("tight.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["client"] = {**raw.get("client", {}), "budget_per_month": 1000}
    tight.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    result = invoke("invoice", tight, "--actuals", actuals)
    assert result.exit_code == 3
    assert "infeasible" in result.stderr


def _documented_keys() -> list[str]:
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    match = re.search(r"```keys invoice\n(.*?)```", text, re.DOTALL)
    assert match, "docs/output.md has no keys block for invoice"
    return match[1].split()


def _threshold_deal(contacts: float, plan: object) -> Scenario:
    """One voice category of ``contacts`` a month at ``plan``, all-units band from 400
    (10% off), staffed at one site at any margin."""
    bands = [{"from": 0, "discount": 0}, {"from": 400, "discount": 0.1}]
    raw = {
        "scenario": "band threshold",
        "currency": "EUR",
        "provider": {"min_margin": -0.9, "sites": [{"name": "a", "hourly_cost": 10}]},
        "categories": [
            {
                "name": "c",
                "channel": "voice",
                "contacts_per_month": contacts,
                "aht_seconds": 300,
                "pricing": "per_contact",
                "terms": {"volume_bands": {"kind": "all_units", "bands": bands}},
                "tiers": [
                    {"name": "s", "service_level": 0.8, "answer_within_seconds": 20,
                     "prices": [plan]},
                ],
            }
        ],
    }  # fmt: skip
    return validate_scenario(raw, "threshold.yaml")


@pytest.mark.parametrize(
    ("contacts", "plan", "revenue"),
    [
        (400, 10.0, 400 * 10 * 0.9),  # 3,600, not 4,000
        (700, {"fee": 500, "included": 300, "unit_price": 10}, 500 + 400 * 10 * 0.9),
    ],
)
def test_a_forecast_on_a_band_threshold_reaches_the_band(
    contacts: int, plan: object, revenue: float
) -> None:
    """Usage exactly at a band's ``from`` gets that band's discount in the solve, as in an
    invoice of that quantity, and is an all-units cliff (399 would bill 3,990). Summed over
    the week's intervals, 400 contacts were 399.99999999999994 and missed the band."""
    s = _threshold_deal(contacts, plan)
    result = run_scenario(s, RunOptions(explain=False, diagnose=False))
    (cat,) = result.categories
    assert cat.revenue == pytest.approx(revenue, abs=0.005)
    assert result.billing["c"]["all_units_cliff"] is True
    billed = invoice(s, billing_of(result), [Actual(1, "c", contacts, None, 0)])
    assert billed.total == pytest.approx(revenue, abs=0.005)
