"""Findings of a black-box probe of the output contract and the contract-term features.

A helper's probe (2026-12-03) solved small hand-checked scenarios and compared the
output with the specification of the output contract, contract terms, volume risk and
the deal desk, and with docs/output.md. Each test is one contract mismatch it found,
written as a strict xfail while it was there and, now that each is fixed, a regression
test: slacks and shadow prices in their limit's unit, every JSON float rounded, the text
report and workbook carrying the terms and the contract view, SLA credits on the
invoice, quote wording of bands, sweep and history messages. Everything runs in-process
(``click.testing.CliRunner`` on ``optimizer.cli.main``, or ``run_scenario``), with
``--no-history`` or a history in the test's tmp folder.
"""

from __future__ import annotations

import copy
import html
import json
import math
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import SCENARIOS_DIR

from optimizer import cli, run_scenario
from optimizer.scenario.schema import Scenario

BASE: dict[str, Any] = {
    "scenario": "probe base",
    "currency": "EUR",
    "contract_months": 12,
    "calendar": {"interval_minutes": 60, "weeks_per_month": 4},
    "provider": {
        "min_margin": 0,
        "shrinkage": 0.2,
        "max_occupancy": 1.0,
        "supervisor_ratio": 10,
        "supervisor_hourly_cost": 30,
        "fte_hours_per_month": 160,
        "fixed_monthly_cost": 1000,
        "setup_cost": 12000,
        "sites": [{"name": "s1", "hourly_cost": 20, "overhead_per_hour": 5}],
    },
    "categories": [
        {
            "name": "calls",
            "channel": "voice",
            "contacts_per_month": 4000,
            "aht_seconds": 360,
            "profile": "24x7",
            "value_per_contact": 10,
            "pricing": "per_contact",
            "tiers": [
                {
                    "name": "std",
                    "service_level": 0.8,
                    "answer_within_seconds": 20,
                    "prices": [20.0],
                }
            ],
        }
    ],
}
"""One voice category (no patience), one site, one tier, one price: 80,000 EUR a month
of revenue, 50,860 of cost (worked by hand: 1,745 paid hours x (20 + 5) + team leaders
174.5 h x 30 + 1,000 fixed + 12,000 / 12 set-up)."""


def invoke(*args: object) -> Result:
    """``tierprice --no-history ARGS`` in-process."""
    argv = ["--no-history", *[str(a) for a in args]]
    return CliRunner().invoke(cli.main, argv, prog_name="tierprice")


def write(tmp_path: Path, raw: dict[str, Any], name: str = "deal.yaml") -> Path:
    """``raw`` written as YAML under ``tmp_path``."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def with_terms(kind: str = "incremental", **plan: float) -> dict[str, Any]:
    """BASE billed per minute (24,000 minutes a month) under a plan, bands, a minimum and a
    platform fee: at the default plan the usage charge is 10,000 + 5,000 x 5 + 5,000 x 4.5
    + 4,000 x 4 = 73,500, the minimum tops it up by 6,500 and the fee adds 1,500."""
    raw = copy.deepcopy(BASE)
    cat = raw["categories"][0]
    cat["pricing"] = "per_minute"
    cat["tiers"][0]["prices"] = [
        {"fee": 10000, "included": plan.get("included", 10000), "unit_price": 5}
    ]
    bands = [
        {"from": 0, "discount": 0},
        {"from": 5000, "discount": 0.1},
        {"from": 10000, "discount": 0.2},
    ]
    cat["terms"] = {
        "volume_bands": {"kind": kind, "bands": bands},
        "minimum_monthly": plan.get("minimum", 80000),
        "platform_fee": 1500,
    }
    return raw


def json_of(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def floats_in(value: Any) -> list[float]:
    """Every float anywhere in a JSON document."""
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats_in(v)]
    if isinstance(value, list):
        return [f for v in value for f in floats_in(v)]
    return []


# --------------------------------------------------------------- contract view (11)


CONTRACT = {
    **copy.deepcopy(BASE),
    "scenario": "probe contract",
    "contract_months": 18,
    "escalation": {"wages": 0.10, "prices": 0.05},
    "discount_rate": 0.12,
}
"""BASE over 18 months with escalation and a discount rate: its JSON ``contract`` block
is right (NPV 480,081.16, year 2 revenue 504,000, set-up recovered in month 1)."""


def test_table_report_shows_the_contract_view(tmp_path: Path) -> None:
    """Design 11 (contract view): "every result gains a `contract` block with revenue,
    cost and margin by contract year, total, NPV, the month-by-month cash flow ... and
    the month the set-up cost is recovered"; design 8: "tables and files carry the same
    fields". The JSON has the block; ``--format table`` prints no year, no NPV and no
    payback month, so an analyst reading the table never sees the contract view."""
    path = write(tmp_path, CONTRACT)
    data = json_of(invoke("solve", path, "--format", "json"))
    assert data["contract"]["npv"] == pytest.approx(480081.160894, abs=0.01)
    table = invoke("solve", path, "--format", "table")
    assert table.exit_code == 0, table.output
    assert "npv" in table.stdout.lower()
    assert "480,081" in table.stdout


def test_workbook_carries_the_contract_view(tmp_path: Path) -> None:
    """Design 11 (contract view) and design 8 ("tables and files carry the same fields"):
    the workbook of a scenario with escalation and a discount rate should carry the
    contract years and the NPV; today its sheets are summary, categories, sites,
    staffing by interval, binding limits and inputs, none with the contract view."""
    out = tmp_path / "deal.xlsx"
    result = invoke("solve", write(tmp_path, CONTRACT), "--output", out)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    cells = [
        str(v).lower()
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    assert any("npv" in c for c in cells)


# ------------------------------------------------------------ contract terms (11)


def test_table_report_flags_an_all_units_cliff(tmp_path: Path) -> None:
    """Design 11 (bands): "The report flags an all-units cliff (a quantity just above a
    band threshold that bills less than one just below)". With 13,500 minutes included,
    the usage (10,500 minutes) just passes the 10,000 threshold of all-units bands and
    bills 42,000, less than 9,999 minutes at 4.5; the JSON says
    ``all_units_cliff: true`` but the table report says nothing of it."""
    raw = with_terms("all_units", included=13500, minimum=0)
    path = write(tmp_path, raw)
    data = json_of(invoke("solve", path, "--format", "json"))
    assert data["categories"][0]["terms"]["all_units_cliff"] is True
    table = invoke("solve", path, "--format", "table")
    assert table.exit_code == 0, table.output
    assert "cliff" in table.stdout.lower()


def test_table_report_shows_the_charge_breakdown(tmp_path: Path) -> None:
    """Design 8: "tables and files carry the same fields"; docs/output.md gives every
    category billed under terms a ``terms`` object (``usage_charge``, ``minimum_top_up``,
    ``platform_fee``, ...). Here revenue 81,500 = 73,500 usage + 6,500 minimum top-up +
    1,500 platform fee; the table shows only 81,500, so the 6,500 the client pays for
    volume it did not send is invisible."""
    path = write(tmp_path, with_terms())
    data = json_of(invoke("solve", path, "--format", "json"))
    assert data["categories"][0]["terms"]["minimum_top_up"] == pytest.approx(6500.0)
    table = invoke("solve", path, "--format", "table")
    assert table.exit_code == 0, table.output
    assert "6,500" in table.stdout


# ------------------------------------------------------------------ invoice (11)


def test_invoice_bills_sla_credits_for_a_missed_month(tmp_path: Path) -> None:
    """Design 11 (invoice): "the invoice for given actual monthly quantities (and
    optionally actual service levels per category) ...: each line (usage by band, minimum
    top-up, plan fee, overage, site premium, bonus, credits) and the total", with the
    property "credits never exceed their cap". With ``sla: {window: month, credit_pct:
    0.05, credit_cap: 0.15}`` a month whose actual service level is 70% against the
    tier's 80% misses its one window: the invoice should carry a credit (5% of the
    charge), but month 1 and month 2 (95%) bill the same 81,500."""
    raw = with_terms()
    raw["sla"] = {"window": "month", "credit_pct": 0.05, "credit_cap": 0.15}
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "month,category,quantity,service_level\n1,calls,24000,0.70\n2,calls,24000,0.95\n",
        encoding="utf-8",
    )
    result = invoke("invoice", write(tmp_path, raw), "--actuals", actuals, "--format", "json")
    data = json_of(result)
    missed, met = data["months"]
    assert met["total"] == pytest.approx(81500.0)
    assert any("credit" in line["item"] for line in missed["lines"])
    assert missed["total"] == pytest.approx(81500.0 * 0.95)


# ------------------------------------------------------------ output contract (8)


def test_every_json_float_is_rounded_to_six_decimals() -> None:
    """docs/output.md: "floats are rounded to 6 decimals"; design 8: everything outside
    ``solver`` identical from run to run. The site-premium scenario's
    ``terms.site_shares`` comes out as 0.3004246285029612."""
    path = SCENARIOS_DIR / "answering_service_onshore.yaml"
    data = json_of(invoke("solve", path, "--format", "json"))
    unrounded = [f for f in floats_in(data) if round(f, 6) != f]
    assert unrounded == []


def test_abandon_rate_without_patience_and_project_contacts_are_as_documented(
    tmp_path: Path,
) -> None:
    """The probe found docs/output.md saying ``abandon_rate`` is ``null`` without patience
    and ``contacts`` ``null`` for project work, where the JSON gives 0.0 (design 6.2:
    handled = offered without abandonment; a project has no contacts). The output keeps
    its numbers (the golden result pins them) and the page says what they are."""
    data = json_of(invoke("solve", write(tmp_path, BASE), "--format", "json"))
    assert data["categories"][0]["abandon_rate"] == 0.0
    journey = json_of(invoke("solve", SCENARIOS_DIR / "journey_study.yaml", "--format", "json"))
    study = next(c for c in journey["categories"] if c["name"] == "journey_study")
    assert study["contacts"] == 0.0 and study["service_level"] is None
    page = (Path(__file__).resolve().parents[1] / "docs" / "output.md").read_text("utf-8")
    assert "(handled per month: " in page and "; 0 for project work)" in page
    assert "0 without patience: Erlang C models no abandonment" in page


# --------------------------------------------------------------- explanation (7)


def _constraint(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in data["constraints"] if c["name"] == name)


def test_cost_per_contact_slack_is_in_the_limits_unit() -> None:
    """docs/output.md (solve, constraints): "`slack` (in the limit's own unit),
    `shadow_price` (margin per unit of the limit)"; design 7 (explain). In
    retail_bank.yaml the cap is 6.90 EUR per contact and the client pays 6.899524, so
    the slack is 0.000476 EUR per contact; the JSON says 27.62 (the same gap times
    58,086 contacts, in EUR a month), which an analyst reads as "27.62 EUR per contact
    of headroom". The shadow price 1.0 is likewise per EUR of spend, not per EUR of
    the cap (one more EUR per contact is worth about 58,000 of margin)."""
    path = SCENARIOS_DIR / "retail_bank.yaml"
    data = json_of(invoke("solve", path, "--format", "json"))
    cap = yaml.safe_load(path.read_text(encoding="utf-8"))["client"]["max_cost_per_contact"]
    row = _constraint(data, "max_cost_per_contact")
    gap = cap - data["totals"]["client_cost_per_contact"]
    assert math.isclose(row["slack"], gap, abs_tol=1e-4)


def test_min_roi_slack_is_in_the_limits_unit() -> None:
    """docs/output.md (solve, constraints): "`slack` (in the limit's own unit)". In
    retail_bank.yaml ``min_roi`` is 0.6 and the client's ROI 0.734719: the slack is
    0.1347 (13.5 points of ROI); the JSON says 53,990.81 (EUR of client value)."""
    path = SCENARIOS_DIR / "retail_bank.yaml"
    data = json_of(invoke("solve", path, "--format", "json"))
    floor = yaml.safe_load(path.read_text(encoding="utf-8"))["client"]["min_roi"]
    row = _constraint(data, "min_roi")
    assert math.isclose(row["slack"], data["totals"]["client_roi"] - floor, abs_tol=1e-4)


def test_seat_slack_is_in_seats(nordic: Scenario) -> None:
    """docs/output.md: "`slack` (in the limit's own unit)"; design 6.3 and 9: ``seats``
    counts scheduled agents at once. In nordic_telco.yaml Tallinn (70 seats, shrinkage
    0.30) peaks at 44 productive = 62.86 scheduled agents at mon 10:00, so 7.14 seats
    are free; ``seats[tallinn][mon 10:00]`` says slack 5.0 (49 productive places - 44).
    Helsinki (45 seats, 13.24 scheduled at its peak) says 21.0 instead of 31.76."""
    result = run_scenario(nordic)
    staffing = result.to_frame("staffing")
    constraints = result.to_frame("constraints").set_index("name")
    seats = {s.name: s.seats for s in nordic.provider.sites}
    for site in ("tallinn", "helsinki"):
        row = next(n for n in constraints.index if n.startswith(f"seats[{site}]"))
        interval = row.split("][")[1].rstrip("]")
        columns = [c for c in staffing.columns if c.startswith(f"{site}/")]
        scheduled = float(staffing.loc[interval, columns].sum())
        free = seats[site] - scheduled
        assert math.isclose(constraints.loc[row, "slack"], free, abs_tol=1e-3), site


def test_min_site_share_slack_is_a_share() -> None:
    """docs/output.md: "`slack` (in the limit's own unit)"; design 11: ``min_site_share``
    is a share of the category's productive hours. In answering_service_onshore.yaml
    Stockholm delivers 30.042% of reception against a 30% floor (slack 0.00042); the
    row says 0.4 (productive agent-intervals of the representative week)."""
    path = SCENARIOS_DIR / "answering_service_onshore.yaml"
    data = json_of(invoke("solve", path, "--format", "json"))
    share = data["categories"][0]["terms"]["site_shares"]["stockholm"]
    row = _constraint(data, "min_site_share[stockholm][reception]")
    assert math.isclose(row["slack"], share - 0.30, abs_tol=1e-4)


# -------------------------------------------------------------------- quote (13)


def test_quote_band_thresholds_say_they_start_after_the_included_units(
    tmp_path: Path,
) -> None:
    """Design 11 (bands): "Bands apply to the usage charge of the plan (after
    `included`)", and that is how solve and invoice bill (24,000 minutes with 10,000
    included: 5,000 at 5, 5,000 at 4.5, 4,000 at 4). Design 13 (quote): the terms in
    the client's terms. The quote says "Volume discount on handled minutes a month: 10%
    from 5,000, 20% from 10,000", which a client reads as 20% off from the 10,000th
    minute of the month, when it starts at the 20,000th (10,000 above the included
    ones)."""
    out = tmp_path / "quote.html"
    args = ("--output", out, "--date", "2026-12-03")
    result = invoke("quote", write(tmp_path, with_terms()), *args)
    assert result.exit_code == 0, result.output
    text = re.sub(r"<[^>]+>", " ", out.read_text(encoding="utf-8"))
    sentence = re.search(r"Volume discount[^.]*\.", html.unescape(text))
    assert sentence is not None
    words = sentence.group(0).lower()
    assert any(w in words for w in ("included", "above", "beyond", "after", "over the"))


def test_risk_pricing_floats_are_rounded_to_six_decimals(tmp_path: Path) -> None:
    """docs/output.md: "floats are rounded to 6 decimals" (design 8: the same JSON from
    run to run). A tier with ``confidence`` gives the result a ``risk_pricing`` block
    (design 12, risk-aware pricing) whose ``expected_margin`` (and
    ``forecast_plan.expected_margin``) carry every digit of the float."""
    raw = with_terms()
    raw["uncertainty"] = {
        "volume_cv": 0.1,
        "aht_cv": 0.0,
        "absence_cv": 0.0,
        "intraday": "none",
        "pricing_draws": 200,
    }
    raw["sla"] = {"window": "day", "credit_pct": 0.05, "credit_cap": 0.15}
    raw["categories"][0]["tiers"][0]["confidence"] = 0.9
    data = json_of(invoke("solve", write(tmp_path, raw), "--format", "json"))
    assert "risk_pricing" in data
    unrounded = [f for f in floats_in(data["risk_pricing"]) if round(f, 6) != f]
    assert unrounded == []


# -------------------------------------------------------------------- sweep (10)


def test_sweep_multiplier_on_a_list_names_the_real_problem(tmp_path: Path) -> None:
    """Design 10: one message per problem naming the field path, the value and what was
    expected. ``--vary categories.calls.tiers.std.prices=x0.9:x1.1:3`` names a field
    that exists (a list of prices, which an ``x`` multiplier cannot scale); the message
    says "expected a path that exists ('(a number to multiply, found [20.0])' not
    found; known here: nothing)", telling the analyst the path is wrong."""
    vary = "categories.calls.tiers.std.prices=x0.9:x1.1:3"
    result = invoke("sweep", write(tmp_path, BASE), "--vary", vary, "--workers", "1")
    assert result.exit_code == 2, result.output
    assert "a number to multiply" in result.output
    assert "expected a path that exists" not in result.output


# ------------------------------------------------------------------ history (13)


def test_runs_show_prints_verified_as_a_boolean(tmp_path: Path) -> None:
    """Design 13 (history: "status, gap, verified, totals") and design 8 (``verified``
    is a bool; tables carry the same fields): ``runs list --format json`` says
    ``"verified": true`` but the ``runs show ID`` summary prints ``verified  1``, the
    database's integer."""
    db = tmp_path / "history.sqlite"
    deal = write(tmp_path, BASE)
    solved = CliRunner().invoke(cli.main, ["--db", str(db), "solve", str(deal)])
    assert solved.exit_code == 0, solved.output
    listed = CliRunner().invoke(cli.main, ["--db", str(db), "runs", "list", "--format", "json"])
    assert json.loads(listed.stdout)[0]["verified"] is True
    shown = CliRunner().invoke(cli.main, ["--db", str(db), "runs", "show", "1"])
    assert shown.exit_code == 0, shown.output
    assert re.search(r"^verified\s+1\s*$", shown.stdout, flags=re.M) is None
