"""Tests of optimizer.output.compare, the ``compare`` command and results as DataFrames.

Solves use ``scenarios/journey_study.yaml`` with 60-minute intervals and its two
variants (bigger_study, no_study), and the example scenario with 60-minute
intervals, open Monday to Friday 09:00-17:00; each solves in well under a second.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import SCENARIOS_DIR, make_scenario

from optimizer import cli
from optimizer.options import RunOptions
from optimizer.output.compare import Comparison, comparison_text
from optimizer.results import SolveStatus
from optimizer.scenario.loader import load_scenario
from optimizer.studies.batch import Job, run_jobs

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}
"""Overrides turning the example into a small, profitable scenario that solves at once."""
JOURNEY = "Claims line and journey study 2027"
"""The scenario name of journey_study.yaml (variants append `` [name]``)."""
FIGURES = [
    "margin", "margin %", "revenue", "cost", "client cost per contact", "client ROI", "FTE",
]  # fmt: skip
"""The deal figures compared, in row order."""
RESULT_KEYS = {
    "scenario", "currency", "status", "objective", "totals", "categories", "sites", "constraints",
    "verified", "solver",
}  # fmt: skip
"""Top-level keys of a design-section-8 result object."""
OPTIONS = RunOptions(explain=False)
"""Compare runs skip the relaxation re-solves, as the command does."""


@pytest.fixture(scope="module")
def journey():
    """``journey_study.yaml`` with 60-minute intervals (variants kept)."""
    path = SCENARIOS_DIR / "journey_study.yaml"
    return load_scenario(path).with_overrides({"calendar.interval_minutes": 60})


@pytest.fixture(scope="module")
def results(journey):
    """The journey scenario and its two variants, solved (columns in that order)."""
    scenarios = [journey, journey.variant("bigger_study"), journey.variant("no_study")]
    return run_jobs([Job(s.scenario, s, OPTIONS) for s in scenarios], workers=1)


@pytest.fixture(scope="module")
def infeasible(journey):
    """The journey scenario with a budget nothing meets, solved (status infeasible)."""
    tight = journey.with_overrides({"client.budget_per_month": 1000, "scenario": "tight"})
    return run_jobs([Job("tight", tight, RunOptions(explain=False, diagnose=False))])[0]


@pytest.fixture
def journey_file(tmp_path, journey):
    """Path of the 60-minute journey scenario (with its variants) as YAML."""
    path = tmp_path / "journey.yaml"
    path.write_text(yaml.safe_dump(journey.raw(), sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def small_file(tmp_path):
    """Path of the small example scenario as YAML."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(make_scenario(**SMALL).raw()), encoding="utf-8")
    return path


def invoke(*args: object) -> Result:
    """Run ``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def without_seconds(items: list[dict]) -> list[dict]:
    """Result objects without the (timing-dependent) solver seconds."""
    for item in items:
        item["solver"].pop("seconds")
    return items


# ------------------------------------------------------------------ Comparison


def test_results_are_solved_in_column_order(results):
    """The three columns are the base scenario, then each variant, all optimal."""
    assert [r.scenario for r in results] == [
        JOURNEY, f"{JOURNEY} [bigger_study]", f"{JOURNEY} [no_study]",
    ]  # fmt: skip
    assert all(r.status == SolveStatus.OPTIMAL and r.verified for r in results)


def test_best_is_the_highest_margin(results):
    """best is the column with the highest margin."""
    margins = [r.totals.margin for r in results]
    assert Comparison(tuple(results)).best == margins.index(max(margins))
    assert Comparison(tuple(reversed(results))).best == 2 - margins.index(max(margins))


def test_best_tie_goes_to_the_first_column(results):
    """Equal margins: the first such column is best."""
    assert Comparison((results[2], results[0], results[0])).best == 1


def test_best_skips_unsolved_columns(results, infeasible):
    """An infeasible column is never best; with nothing solved there is no best."""
    assert Comparison((infeasible, results[2])).best == 1
    assert Comparison((infeasible,)).best is None


def test_rows_difference_against_first_column(results):
    """rows(): one per figure and column; difference = value - first column's value."""
    comp = Comparison(tuple(results))
    rows = comp.rows()
    assert len(rows) == len(FIGURES) * len(results)
    assert [r["figure"] for r in rows[:: len(results)]] == FIGURES
    for row in rows:
        if row["scenario"] == JOURNEY and row["value"] is not None:
            assert row["difference"] == 0
    margin = {r["scenario"]: r for r in rows if r["figure"] == "margin"}
    base = results[0].totals.margin
    for r in results:
        assert margin[r.scenario]["value"] == pytest.approx(r.totals.margin)
        assert margin[r.scenario]["difference"] == pytest.approx(r.totals.margin - base)


def test_rows_with_unsolved_column_have_no_difference(results, infeasible):
    """Against or from an infeasible column, values and differences are None."""
    rows = Comparison((infeasible, results[0])).rows()
    assert all(r["difference"] is None for r in rows)
    assert all(r["value"] is None for r in rows if r["scenario"] == "tight")


def test_comparison_to_frame_shape(results):
    """to_frame: one column per scenario, one row per figure."""
    frame = Comparison(tuple(results)).to_frame()
    assert frame.shape == (len(FIGURES), len(results))
    assert list(frame.index) == FIGURES
    assert list(frame.columns) == [r.scenario for r in results]
    assert frame.loc["margin", JOURNEY] == pytest.approx(results[0].totals.margin)


def test_comparison_to_frame_keeps_columns_of_the_same_name(results):
    """Comparing a scenario with itself gives two columns, not one."""
    frame = Comparison((results[0], results[0])).to_frame()
    assert frame.shape == (len(FIGURES), 2)
    assert list(frame.columns) == [JOURNEY, JOURNEY]


def test_comparison_text_marks_best_and_differences(results):
    """The table marks the best column once and shows differences against the first."""
    text = comparison_text(Comparison(tuple(results)))
    head = text.splitlines()[0]
    assert head.count("*best*") == 1
    best = max(results, key=lambda r: r.totals.margin)
    assert f"{best.scenario} *best*" in head
    delta = results[1].totals.margin - results[0].totals.margin
    assert f"({delta:+,.0f})" in text
    margin_line = next(line for line in text.splitlines() if line.startswith("margin "))
    assert margin_line.count("(") == 2  # no difference shown in the first column
    assert "differences against the first column" in text


def test_comparison_text_lists_sites_and_categories(results):
    """Rows for FTE by site and, per category, tier @ price (pricing model)."""
    text = comparison_text(Comparison(tuple(results)))
    lines = text.splitlines()
    for site in results[0].sites:
        assert any(line.startswith(f"FTE {site.name}") for line in lines)
    study = next(line for line in lines if line.startswith("journey_study"))
    prices = [next(c.price for c in r.categories if c.name == "journey_study") for r in results]
    for price in prices:
        assert f"@ {price:g} (fixed_fee)" in study
    assert any(line.startswith("claims_calls") and "per_contact" in line for line in lines)


def test_comparison_text_unsolved_column(results, infeasible):
    """An infeasible column shows its status and dashes for its figures."""
    text = comparison_text(Comparison((results[0], infeasible)))
    status = next(line for line in text.splitlines() if line.startswith("status"))
    assert "infeasible" in status
    margin = next(line for line in text.splitlines() if line.startswith("margin "))
    assert margin.rstrip().endswith("-")


def test_comparison_text_nothing():
    """No results: a one-line note."""
    assert comparison_text(Comparison(())) == "nothing to compare\n"


# ------------------------------------------------------------------ to_frame


def test_result_to_frame_tables(results):
    """VerifiedResult.to_frame gives one row per category, site, limit; totals one row."""
    r = results[0]
    cats = r.to_frame()
    assert cats.shape[0] == len(r.categories) == 3
    assert list(cats["name"]) == [c.name for c in r.categories]
    assert r.to_frame("sites").shape[0] == len(r.sites)
    assert r.to_frame("constraints").shape[0] == len(r.constraints)
    totals = r.to_frame("totals")
    assert totals.shape == (1, len(dataclasses.fields(r.totals)))
    assert totals.loc[0, "margin"] == pytest.approx(r.totals.margin)


def test_result_to_frame_staffing(results):
    """Staffing: one row per interval of the week, one column per (site, category)."""
    r = results[0]
    frame = r.to_frame("staffing")
    assert frame.shape == (len(r.labels), len(r.staffing))
    assert len(r.labels) == 7 * 24  # 60-minute intervals
    assert all("/" in column for column in frame.columns)


def test_result_to_frame_unsolved_and_unknown(infeasible):
    """An unsolved result gives empty frames; an unknown table name is a ValueError."""
    assert infeasible.to_frame("totals").empty
    assert infeasible.to_frame("categories").empty
    with pytest.raises(ValueError, match="table must be"):
        infeasible.to_frame("nonsense")


# ------------------------------------------------------------------ CLI


def test_cli_compare_table_with_all_variants(journey_file):
    """``compare --variants all``: one column per scenario and variant, best marked."""
    result = invoke("compare", journey_file, "--variants", "all", "--workers", 1)
    assert result.exit_code == 0, result.output
    head = result.stdout.splitlines()[0]
    assert JOURNEY in head
    assert "[bigger_study]" in head and "[no_study]" in head
    assert head.count("*best*") == 1
    assert "differences against the first column" in result.stdout


def test_cli_compare_json_is_a_list_of_results(journey_file, results):
    """``--format json`` prints a list with one design-8 result object per column."""
    result = invoke("compare", journey_file, "--variants", "all", "--workers", 1,
                    "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    assert len(data) == 3
    for item, solved in zip(data, results, strict=True):
        assert set(item) >= RESULT_KEYS
        assert item["scenario"] == solved.scenario
        assert item["totals"]["margin"] == pytest.approx(solved.totals.margin, abs=1e-5)


def test_cli_compare_named_variants_and_two_files(journey_file, small_file):
    """Named variants are added after their file; further files follow in order."""
    result = invoke("compare", journey_file, small_file, "--variants", "no_study",
                    "--workers", 1, "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    names = [item["scenario"] for item in json.loads(result.stdout)]
    assert names == [JOURNEY, f"{JOURNEY} [no_study]", "example"]


def test_cli_compare_all_variants_of_the_first_file_only(journey_file):
    """``--variants all`` expands the first file only; later files are one column each."""
    result = invoke("compare", journey_file, journey_file, "--variants", "all",
                    "--workers", 1, "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    names = [item["scenario"] for item in json.loads(result.stdout)]
    # the one file given twice: told apart by position
    assert names == [f"{JOURNEY} #1", f"{JOURNEY} [bigger_study]", f"{JOURNEY} [no_study]",
                     f"{JOURNEY} #2"]  # fmt: skip


def test_cli_compare_tells_two_files_of_one_name_apart(journey_file, tmp_path):
    """Two versions of one deal (same ``scenario:`` name) were two columns of one name:
    each gets its file, in the table, the JSON and the CSV alike."""
    second = tmp_path / "journey_v2.yaml"
    second.write_text(journey_file.read_text(encoding="utf-8"), encoding="utf-8")
    result = invoke("compare", journey_file, second, "--workers", 1, "--format", "json")
    assert result.exit_code == 0, result.output
    names = [item["scenario"] for item in json.loads(result.stdout)]
    assert names == [f"{JOURNEY} ({journey_file})", f"{JOURNEY} ({second})"]
    table = invoke("compare", journey_file, second, "--workers", 1)
    assert f"{JOURNEY} ({second})" in table.stdout


def test_cli_compare_variant_named_with_a_comma(journey_file):
    """``--variants`` naming one variant whose name has a comma compares that variant."""
    text = journey_file.read_text(encoding="utf-8")
    journey_file.write_text(text.replace("  no_study:", "  'no,study':"), encoding="utf-8")
    result = invoke("compare", journey_file, "--variants", "no,study", "--workers", 1,
                    "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    names = [item["scenario"] for item in json.loads(result.stdout)]
    assert names == [JOURNEY, f"{JOURNEY} [no,study]"]


def test_cli_compare_csv(journey_file, results):
    """``--format csv``: one header, then per column a row per category and a TOTAL."""
    result = invoke("compare", journey_file, "--variants", "all", "--workers", 1,
                    "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.count("scenario,status,") == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 3 * (3 + 1)
    totals = [r for r in rows if r["category"] == "TOTAL"]
    assert [r["scenario"] for r in totals] == [r.scenario for r in results]


def test_cli_compare_xlsx(journey_file, tmp_path, results):
    """``--format xlsx --output``: the summary sheet has one row per column."""
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "compare.xlsx"
    result = invoke("compare", journey_file, "--variants", "all", "--workers", 1,
                    "--format", "xlsx", "--output", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = list(openpyxl.load_workbook(out)["summary"].iter_rows(values_only=True))
    assert [row[0] for row in summary[1:]] == [r.scenario for r in results]


def test_cli_compare_output_file(journey_file, tmp_path):
    """``--output`` writes the table to a file instead of stdout."""
    out = tmp_path / "compare.txt"
    result = invoke("compare", journey_file, "--workers", 1, "--output", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "*best*" in out.read_text(encoding="utf-8")


def test_cli_compare_pool_matches_serial(journey_file):
    """The default process pool prints the same comparison as one worker."""
    serial = invoke("compare", journey_file, "--variants", "all", "--workers", 1)
    pool = invoke("compare", journey_file, "--variants", "all")
    assert serial.exit_code == pool.exit_code == 0
    assert pool.stdout == serial.stdout


def test_cli_compare_unknown_variant_exits_2(journey_file):
    """An unknown variant name is invalid input (exit 2) naming the known ones."""
    result = invoke("compare", journey_file, "--variants", "nosuch", "--workers", 1)
    assert result.exit_code == 2
    assert "bigger_study" in result.stderr
    assert "Traceback" not in result.output


def test_cli_compare_needs_a_scenario():
    """``compare`` with no scenario is a usage error (exit 2)."""
    assert invoke("compare").exit_code == 2


# ------------------------------------------------------------------ currencies (issue 11.15)


@pytest.fixture
def usd_file(tmp_path):
    """The small example scenario priced in USD."""
    path = tmp_path / "usd.yaml"
    usd = make_scenario(**SMALL, currency="USD")
    path.write_text(yaml.safe_dump(usd.raw()), encoding="utf-8")
    return path


def test_cli_compare_refuses_two_currencies(small_file, usd_file):
    """EUR and USD are not subtracted: exit 2 naming the file, before anything is solved."""
    result = invoke("compare", small_file, usd_file, "--workers", 1)
    assert result.exit_code == 2, result.output
    assert f"{usd_file}: currency = 'USD': expected EUR, the currency of {small_file}" in (
        result.stderr
    )
    assert result.stdout == ""


def test_cli_compare_refuses_a_variant_in_another_currency(tmp_path):
    """A variant that changes the currency is refused too."""
    path = tmp_path / "deal.yaml"
    raw = make_scenario(**SMALL).raw()
    raw["variants"] = {"in_usd": {"currency": "USD"}}
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = invoke("compare", path, "--variants", "all", "--workers", 1)
    assert result.exit_code == 2, result.output
    assert "[in_usd]: currency = 'USD'" in result.stderr


def test_comparison_refuses_results_in_two_currencies(results):
    """The library refuses too: Comparison of EUR and USD results is a ScenarioError."""
    from optimizer.errors import ScenarioError

    dollars = dataclasses.replace(results[1], currency="USD")
    with pytest.raises(ScenarioError, match="currency"):
        Comparison((results[0], dollars))
    assert Comparison((results[0], results[1])).best is not None


def test_cli_compare_json_carries_the_currency(journey_file):
    """Every JSON result names its currency, right after the scenario."""
    result = invoke("compare", journey_file, "--variants", "all", "--workers", 1,
                    "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    for item in json.loads(result.stdout):
        assert list(item)[:2] == ["scenario", "currency"]
        assert item["currency"] == "EUR"


def test_cli_compare_set_changes_every_file_and_variant(journey_file, journey):
    """``--set`` applies to each file and to each variant after the variant's own changes
    (as ``solve --variant --set`` does)."""
    change = {"categories.journey_study.effort_hours": 300}
    result = invoke("compare", journey_file, "--variants", "all", "--workers", 1,
                    "--format", "json", "--set",
                    "categories.journey_study.effort_hours=300")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = [journey] + [journey.variant(name) for name in ("bigger_study", "no_study")]
    solved = run_jobs([Job(s.scenario, s.with_overrides(change), OPTIONS) for s in expected])
    assert [item["scenario"] for item in data] == [s.scenario for s in expected]
    margins = [item["totals"]["margin"] for item in data]
    assert margins == pytest.approx([r.totals.margin for r in solved], abs=1e-5)
    plain = json.loads(invoke("compare", journey_file, "--workers", 1, "--format", "json").stdout)
    assert plain[0]["totals"]["margin"] != pytest.approx(margins[0], abs=1e-5)
