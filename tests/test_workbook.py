"""The committee workbook read back with openpyxl: number formats from the headers'
units, the inputs sheet, and the side-by-side sheet of ``compare`` and ``sweep``.

Solves use the small example (60-minute intervals, open Monday to Friday 09:00-17:00),
with the calls sold on a revenue share so that one price is a percentage.
"""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from helpers import make_scenario

from optimizer import cli
from optimizer.output.excel import column_format
from optimizer.pipeline import run_scenario

openpyxl = pytest.importorskip("openpyxl")

SHARE_DEAL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.pricing": "revenue_share",
    "categories.calls.conversion_rate": 0.1,
    "categories.calls.value_per_sale": 400,
    "categories.calls.tiers.std.prices": [0.12, 0.15],
    "categories.mail.tiers.std.prices": [5.0],
    "provider.setup_cost": 6000,
}
"""Calls on 12% or 15% of sales (10,000 x 10% x 400 = 400,000 of sales a month)."""
NOT_UNITS = {"binding", "verified"}
"""Columns whose values are true/false, not numbers."""


@pytest.fixture(scope="module")
def deal():
    return make_scenario(**SHARE_DEAL)


@pytest.fixture
def deal_file(tmp_path, deal):
    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(deal.raw(), sort_keys=False), encoding="utf-8")
    return path


def invoke(*args: object):
    return CliRunner().invoke(cli.main, [str(a) for a in args], catch_exceptions=False)


def table(sheet) -> list[dict[str, object]]:
    """A sheet's first table as dicts of cells (header: first row)."""
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if row[0].value is not None]


@pytest.mark.parametrize(
    ("header", "fmt"),
    [
        ("revenue (EUR/month)", "#,##0.00"),
        ("client cost per contact (EUR)", "#,##0.00"),
        ("price (EUR per unit)", "#,##0.00##"),
        ("margin (share)", "0.0%"),
        ("FTE", "0.0"),
        ("max FTE (FTE)", "0.0"),
        ("scheduled agents", "0.0"),
        ("seats", "0"),
        ("contract (months)", "0"),
        ("paid hours (/month)", "#,##0.0"),
        ("contacts (/month)", "#,##0"),
        ("AHT (seconds)", "#,##0"),
        ("revenue (USD/month)", None),  # not the workbook's currency
        ("tier", None),
    ],
)
def test_column_format_by_unit(header: str, fmt: str | None) -> None:
    assert column_format(header, "EUR") == fmt


def test_solve_workbook_formats_every_number_by_its_unit(deal, deal_file, tmp_path) -> None:
    """Every number in the result sheets has a format; money, shares, FTE as their
    units say; the revenue-share price is a percentage, the mail price money."""
    out = tmp_path / "r.xlsx"
    assert invoke("solve", deal_file, "--no-explain", "--output", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    result = run_scenario(deal)
    for name in ["summary", "categories", "sites", "staffing by interval", "binding limits"]:
        for row in table(book[name]):
            for header, cell in row.items():
                if isinstance(cell.value, int | float) and header not in NOT_UNITS:
                    assert cell.number_format != "General", (name, header)
    summary = table(book["summary"])[0]
    assert summary["revenue (EUR/month)"].number_format == "#,##0.00"
    assert summary["revenue (EUR/month)"].value == pytest.approx(result.totals.revenue)
    assert summary["margin (share)"].number_format == "0.0%"
    assert summary["FTE"].number_format == "0.0"
    cats = {row["category"].value: row for row in table(book["categories"])}
    calls, mail = cats["calls"], cats["mail"]
    assert calls["price (EUR per unit)"].number_format == "0.00%"
    assert calls["price (EUR per unit)"].value in (0.12, 0.15)
    assert calls["price unit"].value == "share of sales"
    assert mail["price (EUR per unit)"].number_format == "#,##0.00##"
    assert mail["price (EUR per unit)"].value == 5.0
    assert calls["revenue (EUR/month)"].value == pytest.approx(
        400_000 * calls["price (EUR per unit)"].value
    )


def test_inputs_sheet_carries_the_scenario(deal, deal_file, tmp_path) -> None:
    """The deal's settings, one row per (category, tier), one per site, as given."""
    out = tmp_path / "r.xlsx"
    assert invoke("solve", deal_file, "--no-explain", "--output", out).exit_code == 0
    rows = list(openpyxl.load_workbook(out)["inputs"].iter_rows())
    blocks, block = [], []
    for row in rows:
        if all(c.value is None for c in row):
            blocks.append(block)
            block = []
        else:
            block.append(row)
    blocks.append(block)
    assert len(blocks) == 3
    deal_rows = {r[0].value: r for r in blocks[0][1:]}
    assert deal_rows["contract (months)"][1].value == 12
    assert deal_rows["set-up cost (EUR)"][1].value == 6000
    assert deal_rows["set-up cost (EUR)"][1].number_format == "#,##0.00"
    assert deal_rows["minimum margin (share)"][1].number_format == "0.0%"
    header = [c.value for c in blocks[1][0]]
    by_cat = {r[header.index("category")].value: r for r in blocks[1][1:]}
    calls = by_cat["calls"]
    assert calls[header.index("contacts (/month)")].value == 10000
    assert calls[header.index("AHT (seconds)")].value == 300
    assert calls[header.index("service level (share)")].value == 0.8
    assert calls[header.index("service level (share)")].number_format == "0.0%"
    assert calls[header.index("price menu")].value == "0.12, 0.15"
    assert calls[header.index("highest price (EUR per unit)")].number_format == "0.00%"
    assert calls[header.index("open hours")].value == "Mon-Fri 09:00-17:00"
    site_header = [c.value for c in blocks[2][0]]
    home = blocks[2][1]
    assert home[site_header.index("hourly cost (EUR/hour)")].value == 20.0
    assert home[site_header.index("seats")].value == 50
    assert len(blocks[1]) == 1 + 2 and len(blocks[2]) == 1 + 1  # two tiers, one site


def test_compare_side_by_side_has_a_column_per_scenario(deal_file, tmp_path) -> None:
    out = tmp_path / "c.xlsx"
    run = invoke("compare", deal_file, deal_file, "--workers", 1, "--output", out)
    assert run.exit_code == 0, run.output
    book = openpyxl.load_workbook(out)
    side = list(book["side by side"].iter_rows())
    assert [c.value for c in side[0]] == ["measure", "example #1", "example #2"]
    rows = {r[0].value: r for r in side[1:]}
    summary = table(book["summary"])
    for i, col in enumerate(summary, start=1):
        cell = rows["revenue (EUR/month)"][i]
        assert cell.value == col["revenue (EUR/month)"].value
        assert cell.number_format == "#,##0.00"
    assert rows["margin (share)"][1].number_format == "0.0%"


def test_sweep_side_by_side_has_a_column_per_point(deal_file, tmp_path) -> None:
    out = tmp_path / "s.xlsx"
    run = invoke("sweep", deal_file, "--vary", "provider.min_margin=0:0.1:3", "--workers", 1,
                 "--output", out)  # fmt: skip
    assert run.exit_code == 0, run.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["sweep", "side by side", "inputs"]
    points = table(book["sweep"])
    side = list(book["side by side"].iter_rows())
    assert [c.value for c in side[0]] == [
        "measure",
        "provider.min_margin=0.0",
        "provider.min_margin=0.05",
        "provider.min_margin=0.1",
    ]
    rows = {r[0].value: r for r in side[1:]}
    for i, point in enumerate(points, start=1):
        assert rows["margin (EUR/month)"][i].value == point["margin (EUR/month)"].value
        assert rows["status"][i].value == point["status"].value
    assert points[0]["margin (EUR/month)"].number_format == "#,##0.00"
