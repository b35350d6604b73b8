"""Tests of optimizer.output.excel (xlsx workbooks) and ``--format xlsx`` on the commands.

Workbooks are read back with openpyxl. Solves use the example scenario with
60-minute intervals, open Monday to Friday 09:00-17:00 (about 0.1 s a solve).
"""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import make_scenario

from optimizer import cli, pipeline
from optimizer.output.excel import result_sheets, workbook
from optimizer.pipeline import run_scenario
from optimizer.studies import batch
from optimizer.studies.batch import failed

openpyxl = pytest.importorskip("openpyxl")

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
    "client.budget_per_month": 95_000,
}
"""The small, profitable example with a client budget (so there is a limit to report)."""
SHEETS = ["summary", "categories", "sites", "staffing by interval", "binding limits", "contract"]
"""The sheets of a result workbook, in order (every solved deal has a contract view)."""
MONEY_HEADERS = {
    "summary": ["revenue (EUR/month)", "cost (EUR/month)", "margin (EUR/month)",
                "client cost per contact (EUR)", "provider cost per contact (EUR)"],
    "categories": ["price (EUR per unit)", "revenue (EUR/month)", "margin (EUR/month)"],
    "sites": ["paid hours (/month)", "cost (EUR/month)"],
    "binding limits": ["margin gained by 1% relaxation (EUR/month)"],
}  # fmt: skip
"""Headers that must carry their unit (the example's currency is EUR)."""


@pytest.fixture(scope="module")
def small():
    """The small example scenario with a client budget."""
    return make_scenario(**SMALL)


@pytest.fixture(scope="module")
def solved(small):
    """The small scenario solved with shadow prices and relaxation gains."""
    return run_scenario(small)


@pytest.fixture
def small_file(tmp_path, small):
    """Path of the small scenario as YAML."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small.raw(), sort_keys=False), encoding="utf-8")
    return path


def invoke(*args: object) -> Result:
    """Run ``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def read(path) -> dict[str, list[tuple]]:
    """Every sheet of a workbook as a list of row tuples (header first)."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    finally:
        book.close()


def save(tmp_path, data: bytes, name: str = "book.xlsx"):
    """Write workbook bytes to a file and return its path."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ------------------------------------------------------------------ workbook()


def test_workbook_is_an_xlsx_zip(tmp_path):
    """workbook() returns the bytes of a zip (xlsx) file openpyxl can open."""
    data = workbook({"one": [{"a": 1}]})
    assert data[:2] == b"PK"
    assert read(save(tmp_path, data)) == {"one": [("a",), (1,)]}


def test_workbook_one_sheet_per_table_in_order(tmp_path):
    """Each mapping entry becomes a sheet, named and ordered as given."""
    data = workbook({"b": [{"x": 1}], "a": [{"y": 2}], "c": [{"z": 3}]})
    assert list(read(save(tmp_path, data))) == ["b", "a", "c"]


def test_workbook_header_from_first_row_and_cell_types(tmp_path):
    """Header from the first row's keys; numbers stay numbers, None stays empty."""
    rows = [
        {"name": "a", "value": 1.5, "flag": True, "missing": None},
        {"name": "b", "value": 2, "flag": False, "missing": "x"},
    ]
    sheet = read(save(tmp_path, workbook({"t": rows})))["t"]
    assert sheet[0] == ("name", "value", "flag", "missing")
    assert sheet[1] == ("a", 1.5, True, None)
    assert sheet[2] == ("b", 2, False, "x")


def test_workbook_stringifies_other_values(tmp_path):
    """Values that are not numbers or text (e.g. lists) are written as text."""
    sheet = read(save(tmp_path, workbook({"t": [{"v": [1, 2]}]})))["t"]
    assert sheet[1] == ("[1, 2]",)


def test_workbook_empty_table_and_long_name(tmp_path):
    """An empty table gets an ``(empty)`` header; sheet names are cut to 31 characters."""
    long = "x" * 40
    book = read(save(tmp_path, workbook({long: []})))
    assert list(book) == ["x" * 31]
    assert book["x" * 31] == [("(empty)",)]


# ------------------------------------------------------------------ result_sheets()


def test_result_sheets_names(solved):
    """A result gives exactly the six tables, in order."""
    assert list(result_sheets([solved])) == SHEETS


def test_result_sheets_units_in_headers(solved):
    """Money headers name the currency and period; shares and counts say so too."""
    sheets = result_sheets([solved])
    for name, headers in MONEY_HEADERS.items():
        assert set(headers) <= set(sheets[name][0]), name
    assert "margin (share)" in sheets["summary"][0]
    assert "service level (share)" in sheets["categories"][0]
    assert "scheduled agents" in sheets["staffing by interval"][0]


def test_result_sheets_rows(solved):
    """One summary row per result, a row per category, site, limit, staffed interval."""
    sheets = result_sheets([solved, solved])
    assert len(sheets["summary"]) == 2
    assert len(sheets["categories"]) == 2 * len(solved.categories)
    assert len(sheets["sites"]) == 2 * len(solved.sites)
    assert len(sheets["binding limits"]) == 2 * len(solved.constraints)
    staffed = sum(int((arr != 0).sum()) for arr in solved.staffing.values())
    assert len(sheets["staffing by interval"]) == 2 * staffed
    row = sheets["summary"][0]
    assert row["margin (EUR/month)"] == pytest.approx(solved.totals.margin)
    assert row["status"] == "optimal"


def test_result_sheets_unsolved_result(tmp_path):
    """An unsolved (error) result has a summary row with empty totals and no other rows."""
    sheets = result_sheets([failed("broken", "why")])
    summary = sheets["summary"][0]
    assert summary["status"] == "error"
    assert all(value is None for key, value in summary.items() if "(" in key)
    assert sheets["categories"] == []
    book = read(save(tmp_path, workbook(sheets)))
    assert list(book) == SHEETS
    assert book["categories"] == [("(empty)",)]


def test_result_sheets_currency_from_a_solved_result(solved):
    """A failed first column (no currency) does not strip the currency from the headers."""
    sheets = result_sheets([failed("broken", "why"), solved])
    assert "margin (EUR/month)" in sheets["summary"][0]
    assert sheets["summary"][0]["margin (EUR/month)"] is None
    assert sheets["summary"][1]["margin (EUR/month)"] == pytest.approx(solved.totals.margin)


# ------------------------------------------------------------------ CLI


def test_cli_solve_xlsx(small_file, tmp_path, solved):
    """``solve --format xlsx --output``: the five sheets with units, values as solved."""
    out = tmp_path / "result.xlsx"
    result = invoke("solve", small_file, "--format", "xlsx", "--output", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    book = read(out)
    assert list(book) == [*SHEETS, "inputs"]
    for name, headers in MONEY_HEADERS.items():
        assert set(headers) <= set(book[name][0]), name
    summary = dict(zip(book["summary"][0], book["summary"][1], strict=True))
    assert summary["margin (EUR/month)"] == pytest.approx(solved.totals.margin)
    assert summary["verified"] is True
    limits = book["binding limits"]
    binding = [row[1] for row in limits[1:] if row[limits[0].index("binding")]]
    assert binding == [c.name for c in solved.constraints if c.binding]
    staffing = book["staffing by interval"]
    assert staffing[1][staffing[0].index("interval")] in solved.labels


def test_cli_compare_xlsx_has_a_row_per_column(small_file, tmp_path):
    """``compare --format xlsx``: one summary row per compared scenario."""
    out = tmp_path / "compare.xlsx"
    result = invoke("compare", small_file, small_file, "--workers", 1,
                    "--format", "xlsx", "--output", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    book = read(out)
    assert list(book) == [*SHEETS, "side by side", "inputs"]
    assert len(book["summary"]) == 1 + 2


@pytest.mark.parametrize(
    "args",
    [
        ["solve"],
        ["compare"],
        ["sweep", "--vary", "provider.min_margin=0:0.1:2", "--workers", 1],
        ["frontier", "--points", 2, "--workers", 1],
    ],
    ids=lambda args: args[0],
)
def test_cli_xlsx_needs_output(small_file, monkeypatch, args):
    """``--format xlsx`` without ``--output``: usage error (exit 2) before any solve."""

    def no_solving(*_args, **_kwargs):
        raise AssertionError("solved before checking --output")

    monkeypatch.setattr(pipeline, "run_scenario", no_solving)
    monkeypatch.setattr(batch, "run_scenario", no_solving)
    result = invoke(args[0], small_file, *args[1:], "--format", "xlsx")
    assert result.exit_code == 2, result.output
    assert "--output" in result.stderr
    assert sorted(p.name for p in small_file.parent.iterdir()) == ["small.yaml"]


def test_cli_xlsx_written_atomically(small_file, tmp_path):
    """Writing over an existing file replaces it whole and leaves no temp file behind."""
    out = tmp_path / "result.xlsx"
    out.write_bytes(b"old")
    result = invoke("solve", small_file, "--no-explain", "--format", "xlsx", "--output", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.xlsx", "small.yaml"]
