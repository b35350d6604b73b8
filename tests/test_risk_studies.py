"""``compare`` and ``sweep`` with ``--risk-draws``: every solved point simulated as
``tierprice risk`` does, in its job.

Checked: at cv 0 (no intraday noise, no credits) the simulated margin is the point's
own to the cent; on a per-contact deal whose floor binds, P(margin below floor) does
not fall as the volume cv grows (argued below, for every seed); the option off leaves
the output byte-identical to the run with it minus its columns; pooled workers give
the rows of a serial run; bad input is one message and exit 2.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml
from click.testing import CliRunner
from helpers import ROOT, make_scenario

from optimizer import cli
from optimizer.output.excel import MONEY, SHARE, column_format, risk_headers
from optimizer.results import RISK_FIELDS, TOTAL_FIELDS
from optimizer.scenario.schema import validate_scenario

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
}
"""The example's voice category as a small, profitable per-contact deal."""
VARY = ("--vary", "uncertainty.volume_cv=0:0.3:4", "--workers", "1")


def _deal(path, floor: float | None = None) -> str:
    """The small per-contact deal (intraday none, no credits) written to ``path``;
    ``floor``: a continuous price and that margin floor (for ``--objective min-price``)."""
    raw = make_scenario(**SMALL).raw()
    raw["categories"] = raw["categories"][:1]
    raw["uncertainty"] = {"volume_cv": 0.1, "intraday": "none"}
    raw["sla"] = {"credit_pct": 0.0}
    if floor is not None:
        raw["categories"][0]["tiers"][0]["prices"] = {"min": 3.0, "max": 10.0}
        raw["provider"]["min_margin"] = floor
    validate_scenario(raw)
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return str(path)


def documented(block: str) -> list[str]:
    """The ```keys BLOCK``` list of docs/output.md."""
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    match = re.search(rf"```keys {re.escape(block)}\n(.*?)```", text, re.DOTALL)
    assert match, block
    return match[1].split()


def invoke(*args: object):
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def _rows(folder, *extra: str) -> list[dict]:
    deal = _deal(folder / "deal.yaml")
    result = invoke("sweep", deal, *VARY, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_zero_cv_is_the_points_margin(tmp_path) -> None:
    rows = _rows(tmp_path, "--risk-draws", "300")
    assert list(rows[0]) == [
        "uncertainty.volume_cv",
        *TOTAL_FIELDS,
        *RISK_FIELDS,
        "status",
        "binding",
    ]
    still = rows[0]
    assert still["uncertainty.volume_cv"] == 0.0
    assert still["p_margin_below_floor"] == 0.0 and still["expected_credits"] == 0.0
    for key in ("margin_mean", "margin_p5", "margin_cvar5"):
        assert still[key] == pytest.approx(still["margin"], abs=0.005)
    for row in rows[1:]:  # volume varies: the worst months are below the mean
        assert row["margin_cvar5"] <= row["margin_p5"] < row["margin_mean"]


def test_p_below_floor_does_not_fall_as_cv_grows(tmp_path) -> None:
    """Per contact, Erlang C (every contact handled), intraday none, no credits: a
    month's margin is the forecast's + revenue x (m - 1), m = exp(s Z - s^2 / 2) the
    volume multiplier (s^2 = log(1 + cv^2)), the cost fixed. Below the floor means
    m < 1 - e (e >= 0: the margin's headroom over the floor, plus half a cent, per
    unit of revenue), i.e. Z < log(1 - e) / s + s / 2, a bound that grows with s.
    Every point draws the same Z (one seed), so the draws below the floor at one cv
    are below it at every larger cv: the share never falls, whatever the seed."""
    deal = _deal(tmp_path / "floor.yaml", floor=0.2)
    args = ("sweep", deal, *VARY, "--objective", "min-price", "--format", "json")
    for seed in ("0", "7"):
        result = invoke(*args, "--risk-draws", "300", "--risk-seed", seed)
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)
        assert all("min_margin" in row["binding"] for row in rows)  # the floor binds
        shares = [row["p_margin_below_floor"] for row in rows]
        assert shares[0] == 0.0 < shares[1]
        assert shares == sorted(shares), shares


def test_off_is_the_run_without_its_columns(tmp_path) -> None:
    deal = _deal(tmp_path / "deal.yaml")
    for fmt in ("json", "csv", "table"):
        plain = invoke("sweep", deal, *VARY, "--format", fmt)
        risky = invoke("sweep", deal, *VARY, "--format", "json", "--risk-draws", "50")
        assert plain.exit_code == 0 and risky.exit_code == 0
        rows = [
            {k: v for k, v in r.items() if k not in RISK_FIELDS} for r in json.loads(risky.stdout)
        ]
        if fmt == "json":
            assert plain.stdout == json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
        else:
            assert not any(name in plain.stdout for name in RISK_FIELDS)
    plain = invoke("compare", deal, "--format", "json")
    risky = invoke("compare", deal, "--format", "json", "--risk-draws", "50")
    data = json.loads(risky.stdout)
    assert list(data[0]["risk"]) == list(RISK_FIELDS) == documented("compare-risk")
    assert list(data[0])[-3:] == ["risk", "verified", "solver"]
    del data[0]["risk"]
    data[0]["solver"]["seconds"] = json.loads(plain.stdout)[0]["solver"]["seconds"]
    assert plain.stdout == json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def test_compare_table_has_the_risk_rows_only_when_asked(tmp_path) -> None:
    deal = _deal(tmp_path / "deal.yaml")
    plain = invoke("compare", deal, deal)
    risky = invoke("compare", deal, deal, "--risk-draws", "100")
    assert plain.exit_code == 0 and risky.exit_code == 0, risky.output
    extra = [line for line in risky.stdout.splitlines() if line not in plain.stdout]
    assert [line.split("  ")[0] for line in extra] == [
        "mean margin (risk)",
        "margin p5 (risk)",
        "margin CVaR 5% (risk)",
        "P(margin < floor)",
        "expected credits",
    ]


def test_workers_give_the_serial_rows(tmp_path) -> None:
    """The simulation runs in the job: pooled workers send back the same figures."""
    serial = _rows(tmp_path, "--risk-draws", "200", "--risk-seed", "3")
    deal = _deal(tmp_path / "again.yaml")
    args = ("--format", "json", "--risk-draws", "200", "--risk-seed", "3")
    pooled = invoke("sweep", deal, "--vary", "uncertainty.volume_cv=0:0.3:4", "--workers", 2, *args)
    assert pooled.exit_code == 0, pooled.output
    assert json.loads(pooled.stdout) == serial


def test_risk_headers_have_units() -> None:
    headers = risk_headers("EUR")
    assert list(headers) == list(RISK_FIELDS)
    formats = {name: column_format(h, "EUR") for name, h in headers.items()}
    assert formats == {
        "margin_mean": MONEY,
        "margin_p5": MONEY,
        "margin_cvar5": MONEY,
        "p_margin_below_floor": SHARE,
        "expected_credits": MONEY,
    }


@pytest.mark.parametrize(
    ("command", "args", "needle"),
    [
        ("sweep", ["--risk-draws", "0"], "--risk-draws"),
        ("compare", ["--risk-draws", "0"], "--risk-draws"),
        ("sweep", ["--risk-seed", "4"], "--risk-seed needs --risk-draws"),
        ("compare", ["--risk-draws", "10", "--risk-seed", "-1"], "--risk-seed"),
    ],
)
def test_bad_risk_options_are_one_message_and_exit_2(tmp_path, command, args, needle) -> None:
    deal = _deal(tmp_path / "deal.yaml")
    vary = list(VARY) if command == "sweep" else []
    result = invoke(command, deal, *vary, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and needle in result.output
    assert sum("Error" in line for line in result.output.splitlines()) == 1


def test_the_workbook_formats_the_risk_columns_by_their_units(tmp_path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    deal = _deal(tmp_path / "deal.yaml")
    out = tmp_path / "sweep.xlsx"
    result = invoke("sweep", deal, *VARY, "--risk-draws", "50", "--output", out)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["sweep"]
    header = [cell.value for cell in sheet[1]]
    formats = {h: sheet.cell(2, header.index(h) + 1).number_format for h in header}
    assert {formats[h] for h in risk_headers("EUR").values()} == {MONEY, SHARE}
    assert formats["P(margin below floor) (share)"] == SHARE
    compare = tmp_path / "compare.xlsx"
    assert invoke("compare", deal, "--risk-draws", "50", "--output", compare).exit_code == 0
    summary = openpyxl.load_workbook(compare)["summary"]
    assert set(risk_headers("EUR").values()) <= {cell.value for cell in summary[1]}
