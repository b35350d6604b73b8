"""Tests of optimizer.output.report: the output contract of design section 8, run-to-run
determinism, the text and CSV reports, and a golden JSON snapshot.

The small scenario is the example (``make_scenario``) with 60-minute intervals, both
categories open Monday to Friday 09:00-17:00 and prices high enough to be profitable:
it solves in a few hundredths of a second.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
from dataclasses import replace
from typing import Any

import pytest
from helpers import DATA_DIR, make_scenario

from optimizer.output import report
from optimizer.pipeline import run_scenario
from optimizer.results import SolverInfo, SolveStatus, VerifiedResult

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}
"""Overrides turning the example into a small, profitable, fast scenario."""

GOLDEN = DATA_DIR / "golden" / "result_small.json"
GOLDEN_ABS = 2e-6
"""Report numbers carry 6 decimals; allow two units in the last place between platforms."""
GOLDEN_REL = 1e-9
"""Relative tolerance on golden numbers (on top of GOLDEN_ABS)."""

TOP_KEYS = [
    "scenario",
    "currency",
    "status",
    "objective",
    "totals",
    "categories",
    "sites",
    "constraints",
    "contract",
    "verified",
    "solver",
]
TOTAL_KEYS = [
    "revenue",
    "cost",
    "margin",
    "margin_pct",
    "markup_pct",
    "contacts",
    "client_cost_per_contact",
    "provider_cost_per_contact",
    "client_roi",
    "fte",
]
CATEGORY_KEYS = [
    "name",
    "tier",
    "pricing_model",
    "price",
    "revenue",
    "cost",
    "margin",
    "fte",
    "contacts",
    "service_level",
    "abandon_rate",
]
SITE_KEYS = ["name", "fte", "paid_hours", "cost"]
CONSTRAINT_KEYS = ["name", "binding", "slack", "shadow_price"]
SOLVER_KEYS = ["name", "seconds", "gap"]
CSV_HEADER = [
    "scenario",
    "status",
    "category",
    "tier",
    "pricing_model",
    "price",
    "revenue_EUR_per_month",
    "cost_EUR_per_month",
    "margin_EUR_per_month",
    "fte",
    "contacts_per_month",
    "service_level",
    "abandon_rate",
]


@pytest.fixture(scope="module")
def results() -> tuple[VerifiedResult, VerifiedResult]:
    """Two independent runs of the small scenario (same input, same options)."""
    scenario = make_scenario(**SMALL)
    return run_scenario(scenario), run_scenario(scenario)


@pytest.fixture(scope="module")
def result(results) -> VerifiedResult:
    """One solved, verified result of the small scenario."""
    return results[0]


@pytest.fixture(scope="module")
def infeasible() -> VerifiedResult:
    """The small scenario with a budget no staffing can meet (diagnosed)."""
    return run_scenario(make_scenario(**SMALL, **{"client.budget_per_month": 1000}))


def without_seconds(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of a result dict without ``solver.seconds`` (the one field allowed to vary)."""
    out = copy.deepcopy(data)
    del out["solver"]["seconds"]
    return out


def assert_same(actual: Any, expected: Any, where: str = "") -> None:
    """Equal structure, keys in order and values; numbers within the golden tolerances."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        assert list(actual) == list(expected), where
        for key in expected:
            assert_same(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_same(a, e, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), where
        assert math.isclose(actual, expected, rel_tol=GOLDEN_REL, abs_tol=GOLDEN_ABS), (
            f"{where}: {actual} != {expected}"
        )
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


# ------------------------------------------------------------------ the contract


def test_small_scenario_solves_and_verifies(result):
    """The small scenario is optimal and verified (the basis of the other tests)."""
    assert result.status == SolveStatus.OPTIMAL
    assert result.verified


def test_to_dict_top_level_keys_in_order(result):
    """to_dict has exactly the keys of design section 8, in order, without diagnosis."""
    assert list(report.to_dict(result)) == TOP_KEYS


def test_to_dict_nested_keys(result):
    """Totals, categories, sites, constraints and solver carry exactly the contract's keys."""
    data = report.to_dict(result)
    assert list(data["totals"]) == TOTAL_KEYS
    assert [list(c) for c in data["categories"]] == [CATEGORY_KEYS] * 2
    assert [list(s) for s in data["sites"]] == [SITE_KEYS]
    assert data["constraints"], "the small scenario reports at least one limit"
    assert all(list(c) == CONSTRAINT_KEYS for c in data["constraints"])
    assert list(data["solver"]) == SOLVER_KEYS


def test_to_dict_values(result):
    """Contract values are plain JSON types: status and objective as strings, numbers as
    numbers, booleans where the contract says bool."""
    data = report.to_dict(result)
    assert data["status"] == "optimal"
    assert data["objective"] == "max_margin"
    assert data["verified"] is True
    assert data["solver"]["name"] == "highs"
    assert [c["name"] for c in data["categories"]] == ["calls", "mail"]
    assert all(isinstance(c["binding"], bool) for c in data["constraints"])
    totals = data["totals"]
    assert totals["margin"] == pytest.approx(totals["revenue"] - totals["cost"], abs=GOLDEN_ABS)
    assert json.loads(json.dumps(data)) == data


def test_diagnosis_only_when_present(result, infeasible):
    """``diagnosis`` sits between constraints and verified, and only when there is one."""
    assert "diagnosis" not in report.to_dict(result)
    diagnosed = replace(result, diagnosis=({"limit": "budget", "message": "raise it"},))
    keys = list(report.to_dict(diagnosed))
    assert keys == [*TOP_KEYS[:9], "diagnosis", *TOP_KEYS[9:]]
    data = report.to_dict(infeasible)
    assert data["status"] == "infeasible"
    assert data["totals"] is None and data["contract"] is None
    assert list(data) == [
        *TOP_KEYS[:9],
        *(["diagnosis"] if infeasible.diagnosis else []),
        *TOP_KEYS[9:],
    ]


# ------------------------------------------------------------------ determinism


def test_json_identical_between_runs_except_seconds(results):
    """Two runs give the same JSON except solver.seconds (design section 8)."""
    first, second = (json.loads(report.to_json(r)) for r in results)
    assert without_seconds(first) == without_seconds(second)


def test_csv_identical_between_runs(results):
    """Two runs give byte-identical CSV (no timings in CSV)."""
    first, second = (report.to_csv(r) for r in results)
    assert first == second


def test_text_identical_between_runs_apart_from_solver_line(results):
    """Two runs give the same text report apart from the solver timing line."""

    def body(text: str) -> list[str]:
        return [line for line in text.splitlines() if "solver" not in line]

    first, second = (report.to_text(r) for r in results)
    assert body(first) == body(second)
    assert sum("solver" in line for line in first.splitlines()) == 1


# ------------------------------------------------------------------ text and CSV


def test_text_report_has_categories_and_totals(result):
    """The text report names the scenario, status, each category row and the totals."""
    text = report.to_text(result)
    assert text.startswith("example — optimal")
    lines = text.splitlines()
    for cat in result.categories:
        row = next(line for line in lines if line.startswith(cat.name))
        assert cat.tier in row
        assert cat.pricing_model in row
        assert report.money(cat.revenue) in row
    assert result.totals is not None
    assert report.money(result.totals.revenue, "EUR") in text
    assert report.money(result.totals.margin, "EUR") in text
    assert report.pct(result.totals.margin_pct) in text
    for label in (
        "revenue (client spend)",
        "margin %",
        "markup %",
        "client cost per contact",
        "provider cost per contact",
        "verified: yes",
    ):
        assert label in text


def test_csv_rows(result):
    """CSV: a header with units, one row per category and a TOTAL row, all 13 columns."""
    rows = list(csv.reader(io.StringIO(report.to_csv(result))))
    assert rows[0] == CSV_HEADER
    assert [r[2] for r in rows[1:]] == ["calls", "mail", "TOTAL"]
    assert all(len(r) == len(CSV_HEADER) for r in rows)
    assert result.totals is not None
    assert float(rows[-1][6]) == pytest.approx(result.totals.revenue, abs=GOLDEN_ABS)


def test_reports_without_solution():
    """A result without a solution still gives the contract, a text line and a CSV row."""
    empty = VerifiedResult(
        "deal",
        "EUR",
        SolveStatus.NO_SOLUTION,
        "max_margin",
        None,
        (),
        (),
        (),
        False,
        0.0,
        SolverInfo("highs", 1.5, None),
        message="time limit before any solution",
    )
    data = report.to_dict(empty)
    assert list(data) == TOP_KEYS
    assert data["totals"] is None
    assert data["solver"] == {"name": "highs", "seconds": 1.5, "gap": None}
    assert "time limit before any solution" in report.to_text(empty)
    rows = list(csv.reader(io.StringIO(report.to_csv(empty))))
    assert rows[1][:3] == ["deal", "no_solution", "TOTAL"]
    assert len(rows[1]) == len(CSV_HEADER)


def test_json_of_a_list_of_results(results):
    """to_json of a list gives a JSON list of contract dicts."""
    data = json.loads(report.to_json(list(results)))
    assert [list(d) for d in data] == [TOP_KEYS, TOP_KEYS]


def test_rows_to_json_keeps_integers():
    """Integers (agents) stay integers in JSON; floats are rounded to DIGITS decimals."""
    data = json.loads(report.rows_to_json({"agents": 14, "load": 1 / 3, "ok": True}))
    assert data == {"agents": 14, "load": round(1 / 3, report.DIGITS), "ok": True}
    assert isinstance(data["agents"], int)


# ------------------------------------------------------------------ golden snapshot


def test_golden_result_small(results, request):
    """The small scenario's JSON (without solver.seconds) matches
    tests/data/golden/result_small.json; regenerate only with --regen-golden."""
    current = without_seconds(json.loads(report.to_json(results[0])))
    if request.config.getoption("--regen-golden"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(
            json.dumps(current, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run pytest with --regen-golden once"
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert_same(current, expected)


def test_solver_seconds_rounded(result):
    """solver.seconds is rounded to milliseconds and is the only timing in the contract."""
    data = report.to_dict(result)
    assert data["solver"]["seconds"] == round(result.solver.seconds, 3)
    assert result.solver.seconds >= 0
