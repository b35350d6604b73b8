"""Tests of optimizer.studies.sweep, optimizer.studies.frontier and the ``sweep`` /
``frontier`` commands.

Solves use the example scenario with 60-minute intervals, open Monday to Friday
09:00-17:00 (about 0.1 s a solve), and ``scenarios/journey_study.yaml`` with
60-minute intervals where a project category matters. One test runs the command
line in a subprocess and interrupts it with SIGINT.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import SCENARIOS_DIR, make_scenario

from optimizer import cli
from optimizer.errors import ScenarioError
from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.scenario.loader import load_scenario
from optimizer.studies.frontier import BUDGET, frontier_axis, run_frontier
from optimizer.studies.sweep import (
    TOTALS,
    Axis,
    SweepResult,
    apply_point,
    parse_vary,
    run_sweep,
)

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}
"""Overrides turning the example into a small, profitable scenario that solves at once."""
MIN_PRICE_REVENUE = 70_000.0
"""Revenue of the small scenario's cheapest feasible bid (calls at 6, mail at 5)."""
INTERRUPT_POINTS = 1500
"""Points of the interrupted subprocess sweep: far more than are solved before SIGINT
(400 took 17 s once the points shared one model, and on a loaded machine a CI run saw
the first progress only as the sweep ended: exit 0, not 130)."""
SUBPROCESS_TIMEOUT = 60
"""Seconds allowed for the interrupted subprocess sweep."""


@pytest.fixture(scope="module")
def small():
    """The small, profitable example scenario (60-minute intervals)."""
    return make_scenario(**SMALL)


@pytest.fixture(scope="module")
def journey():
    """``journey_study.yaml`` with 60-minute intervals: two contact categories and a project."""
    path = SCENARIOS_DIR / "journey_study.yaml"
    return load_scenario(path).with_overrides({"calendar.interval_minutes": 60})


@pytest.fixture
def small_file(tmp_path, small):
    """Path of the small scenario written as YAML."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small.raw(), sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def frontier_result(small):
    """The small scenario's margin-budget frontier with five points (serial)."""
    return run_frontier(small, 5, workers=1)


def invoke(*args: object) -> Result:
    """Run ``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def csv_rows(text: str) -> list[dict[str, str]]:
    """CSV text as a list of dicts."""
    return list(csv.DictReader(io.StringIO(text)))


# ------------------------------------------------------------------ parse_vary


def test_parse_vary_spaces_values_evenly():
    """START:STOP:STEPS gives STEPS values from START to STOP inclusive, absolute."""
    axis = parse_vary("client.budget_per_month=400000:500000:5")
    assert axis.path == "client.budget_per_month"
    assert axis.values == (400000.0, 425000.0, 450000.0, 475000.0, 500000.0)
    assert not axis.relative


def test_parse_vary_multiplier_form():
    """xA:xB:STEPS is a multiplier axis; the wildcard stays in the path."""
    axis = parse_vary("categories.*.contacts_per_month=x0.8:x1.2:9")
    assert axis.relative
    assert axis.path == "categories.*.contacts_per_month"
    assert len(axis.values) == 9
    assert axis.values[0] == 0.8 and axis.values[-1] == 1.2
    assert axis.values[4] == pytest.approx(1.0)


def test_parse_vary_single_step_and_descending():
    """One step gives just START; STOP below START counts down."""
    assert parse_vary("a.b=7:9:1").values == (7.0,)
    assert parse_vary("a.b=10:0:3").values == (10.0, 5.0, 0.0)


def test_axis_labels():
    """Multiplier values are shown as xN, absolute values plainly."""
    assert Axis("p", (1.1,), relative=True).label(1.1) == "x1.1"
    assert Axis("p", (2500.0,)).label(2500.0) == "2500"


@pytest.mark.parametrize(
    "spec",
    [
        "client.budget_per_month",  # no '='
        "=1:2:3",  # no path
        "client.budget_per_month=1:2",  # two parts
        "client.budget_per_month=1:2:3:4",  # four parts
        "client.budget_per_month=a:2:3",  # not a number
        "client.budget_per_month=1:2:2.5",  # steps not an integer
        "client.budget_per_month=1:2:0",  # no steps
        "client.budget_per_month=1:2:-3",  # negative steps
        "client.budget_per_month=1:2:10001",  # too many steps
        "client.budget_per_month=1:inf:3",  # not finite
        "client.budget_per_month=nan:2:3",  # not finite
        "categories.*.aht_seconds=x0.8:1.2:3",  # multiplier on one end only
    ],
)
def test_parse_vary_errors(spec):
    """A malformed --vary is a ScenarioError naming --vary and the expected form."""
    with pytest.raises(ScenarioError) as info:
        parse_vary(spec)
    assert "--vary" in str(info.value)
    assert "START:STOP:STEPS" in str(info.value)


# ------------------------------------------------------------------ apply_point


def test_multiplier_with_wildcard_changes_every_category(small):
    """x1.1 on categories.*.contacts_per_month scales every category's volume."""
    axis = parse_vary("categories.*.contacts_per_month=x0.9:x1.1:2")
    point = apply_point(small, [axis], [1.1])
    for cat in small.categories:
        assert point.category(cat.name).contacts_per_month == pytest.approx(
            cat.contacts_per_month * 1.1
        )


def test_wildcard_multiplier_skips_categories_without_the_field(journey):
    """A project category has no contacts: the wildcard scales the others and leaves it."""
    axis = parse_vary("categories.*.contacts_per_month=x0.5:x2:2")
    point = apply_point(journey, [axis], [2.0])
    for cat in journey.categories:
        new = point.category(cat.name).contacts_per_month
        if cat.is_project:
            assert new is None
        else:
            assert new == pytest.approx(cat.contacts_per_month * 2)


def test_wildcard_multiplier_that_multiplies_nothing_is_an_error(small):
    """A wildcard multiplier on a field no item has set is an error, not a silent no-op."""
    axis = parse_vary("categories.*.patience_seconds=x0.5:x2:2")
    with pytest.raises(ScenarioError, match="patience_seconds"):
        apply_point(small, [axis], [2.0])


def test_integer_fields_stay_integers(small):
    """Whole values of an integer field stay integers; a fractional one is the schema's
    to refuse (13.33 seats is no point to solve as 13 under the label 13.33);
    multiplied values are rounded."""
    axis = parse_vary("provider.sites.home.seats=10:20:4")  # 10, 13.33, 16.67, 20
    seats = [apply_point(small, [axis], [v]).site("home").seats for v in axis.values[::3]]
    assert seats == [10, 20]
    assert all(type(s) is int for s in seats)
    with pytest.raises(ScenarioError, match="seats"):
        apply_point(small, [axis], [axis.values[1]])
    scaled = apply_point(small, [parse_vary("provider.sites.home.seats=x0.5:x1:2")], [0.55])
    assert scaled.site("home").seats == round(50 * 0.55)
    assert type(scaled.site("home").seats) is int


def test_float_fields_keep_fractions(small):
    """A float field takes the grid value as it is."""
    axis = parse_vary("provider.sites.home.hourly_cost=20:21:3")
    assert apply_point(small, [axis], [20.5]).site("home").hourly_cost == 20.5


def test_apply_point_drops_variants(journey):
    """The swept scenario has no variants (they apply to the original file only)."""
    axis = parse_vary("provider.min_margin=0.1:0.2:2")
    assert journey.variants
    assert not apply_point(journey, [axis], [0.1]).variants


@pytest.mark.parametrize(
    ("spec", "value", "names"),
    [
        ("categories.nosuch.contacts_per_month=1:2:2", 1.0, "nosuch"),
        ("client.nosuch_field=1:2:2", 1.0, "nosuch_field"),
        ("scenario=x1:x2:2", 1.0, "multiply"),
    ],
)
def test_apply_point_bad_path_is_scenario_error(small, spec, value, names):
    """A path naming nothing (or a multiplier on text) is a ScenarioError naming it."""
    with pytest.raises(ScenarioError, match=names):
        apply_point(small, [parse_vary(spec)], [value])


# ------------------------------------------------------------------ run_sweep


def test_sweep_rows_columns_and_order(small):
    """Rows: one per grid point, first axis slowest; axis paths, design-8 totals, status."""
    axes = [
        parse_vary("provider.sites.home.hourly_cost=18:22:2"),
        parse_vary("categories.*.aht_seconds=x0.9:x1.1:3"),
    ]
    sweep = run_sweep(small, axes, workers=1)
    rows = sweep.rows()
    assert len(rows) == 6
    assert list(rows[0]) == [a.path for a in axes] + list(TOTALS) + ["status", "binding"]
    assert [(r[axes[0].path], r[axes[1].path]) for r in rows] == [
        (18.0, "x0.9"), (18.0, "x1"), (18.0, "x1.1"),
        (22.0, "x0.9"), (22.0, "x1"), (22.0, "x1.1"),
    ]  # fmt: skip
    assert all(r["status"] == "optimal" for r in rows)
    for row, result in zip(rows, sweep.results, strict=True):
        assert row["margin"] == result.totals.margin
        assert row["margin"] == pytest.approx(row["revenue"] - row["cost"])
        assert result.verified
    # Dearer agents and longer calls never raise the margin.
    margins = [r["margin"] for r in rows]
    assert margins[0] >= margins[1] >= margins[2]
    assert margins[0] > margins[3]


def test_sweep_infeasible_point_has_empty_totals(small):
    """A point no staffing can meet is a row with status infeasible and no totals."""
    sweep = run_sweep(small, [parse_vary(f"{BUDGET}=1000:90000:2")], workers=1)
    low, high = sweep.rows()
    assert low["status"] == "infeasible"
    assert all(low[name] is None for name in TOTALS)
    assert high["status"] == "optimal"
    assert high["margin"] > 0


def test_sweep_bad_path_is_refused_before_solving(small):
    """Issue 11.13: a path naming nothing is a ScenarioError up front, not error rows."""
    with pytest.raises(ScenarioError, match="nosuch") as info:
        run_sweep(small, [parse_vary("categories.nosuch.aht_seconds=200:300:3")], workers=1)
    (issue,) = info.value.issues
    assert issue.path == "categories.nosuch.aht_seconds"
    assert "known here: calls, mail" in issue.expected


@pytest.mark.parametrize(
    ("spec", "guess"),
    [
        ("client.budget=1000:2000:2", "budget_per_month"),
        ("categories.calls.aht_second=200:300:2", "aht_seconds"),
        ("categories.*.contacts_per_mont=x0.9:x1.1:2", "contacts_per_month"),
        ("provider.sites.hom.seats=10:20:2", "home"),
        ("provider.sites.home.seat=10:20:2", "seats"),
        ("escalatio.wages=0:0.1:2", "escalation"),
    ],
)
def test_validate_axes_suggests_the_field(small, spec, guess):
    """A mistyped segment, the last one too (it is checked against the schema), gets a guess."""
    from optimizer.studies.sweep import validate_axes

    with pytest.raises(ScenarioError) as info:
        validate_axes(small, [parse_vary(spec)])
    (issue,) = info.value.issues
    assert f"did you mean '{guess}'?" in issue.expected


@pytest.mark.parametrize(
    "spec",
    [
        f"{BUDGET}=1000:2000:2",
        "categories.*.contacts_per_month=x0.9:x1.1:2",
        "client.min_tier.calls=1:2:2",
        "categories.calls.patience_seconds=100:200:2",
        "categories.calls.tiers.std.service_level=0.7:0.8:2",
        "escalation.wages=0:0.1:2",
        "uncertainty.volume_cv=0.1:0.2:2",
    ],
)
def test_validate_axes_accepts_real_paths(small, spec):
    """Fields left at their default (budget, patience), fields of a block left out
    (escalation, uncertainty) and free mappings are valid paths."""
    from optimizer.studies.sweep import validate_axes

    validate_axes(small, [parse_vary(spec)])


def test_a_price_ranges_bounds_can_be_varied():
    """A tier's prices are a list of points or a range: a range's ``max`` is a field to
    vary (it was refused, the checker reading every ``prices`` as a list of points), and a
    point of the sweep has that range; a typo under the range gets the range's fields."""
    from optimizer.studies.sweep import validate_axes

    nordic = load_scenario(SCENARIOS_DIR / "nordic_telco.yaml")
    axis = parse_vary("categories.billing.tiers.gold.prices.max=1.10:1.14:2")
    validate_axes(nordic, [axis])
    point = apply_point(nordic, [axis], (1.14,))
    gold = next(t for t in point.category("billing").tiers if t.name == "gold")
    assert (gold.prices.min, gold.prices.max) == (0.98, 1.14)
    with pytest.raises(ScenarioError) as info:
        validate_axes(nordic, [parse_vary("categories.billing.tiers.gold.prices.maxx=1:2:2")])
    (issue,) = info.value.issues
    assert "did you mean 'max'?" in issue.expected
    # With wildcards, every range's max is multiplied and the price lists are passed over.
    every = parse_vary("categories.*.tiers.*.prices.max=x0.9:x1.1:2")
    validate_axes(nordic, [every])
    point = apply_point(nordic, [every], (1.1,))
    for cat in nordic.categories:
        for tier in cat.tiers:
            got = point.category(cat.name).tier(tier.name).prices
            if isinstance(tier.prices, tuple):
                assert got == tier.prices
            else:
                assert got.max == pytest.approx(tier.prices.max * 1.1)


def test_sweep_with_every_point_invalid_is_scenario_error(small):
    """When no point is a valid scenario there is nothing to solve: ScenarioError."""
    with pytest.raises(ScenarioError, match="seats"):
        run_sweep(small, [parse_vary("provider.sites.home.seats=-10:-5:2")], workers=1)


def test_sweep_invalid_value_fails_only_its_point(small):
    """An invalid value (negative seats) is an error row; the other points still solve."""
    sweep = run_sweep(small, [parse_vary("provider.sites.home.seats=-10:50:2")], workers=1)
    assert [r["status"] for r in sweep.rows()] == ["error", "optimal"]
    assert "seats" in sweep.results[0].message


def test_sweep_to_frame_shape(small):
    """to_frame: one row per point, a column per axis, per total, status and binding."""
    axes = [parse_vary("provider.sites.home.hourly_cost=18:22:3")]
    frame = run_sweep(small, axes, workers=1).to_frame()
    assert frame.shape == (3, 1 + len(TOTALS) + 2)
    assert list(frame.columns[:2]) == ["provider.sites.home.hourly_cost", "revenue"]
    assert frame["margin"].is_monotonic_decreasing


def test_interrupted_sweep_rows_skip_unsolved_points(small):
    """A partial SweepResult (None where unsolved) gives rows for the solved points only."""
    axis = parse_vary("provider.sites.home.hourly_cost=18:22:3")
    full = run_sweep(small, [axis], workers=1)
    partial = SweepResult(full.axes, full.points, (full.results[0], None, full.results[2]))
    assert partial.rows() == [full.rows()[0], full.rows()[2]]


# ------------------------------------------------------------------ frontier


def test_frontier_first_point_is_feasible(frontier_result):
    """The lowest budget is just above the cheapest bid and is feasible."""
    first = frontier_result.rows()[0]
    assert first["status"] == "optimal"
    assert first[BUDGET] >= MIN_PRICE_REVENUE
    assert first[BUDGET] == pytest.approx(MIN_PRICE_REVENUE, abs=0.02)


def test_frontier_margins_non_decreasing(frontier_result):
    """Budgets rise along the frontier and the best margin never falls."""
    rows = frontier_result.rows()
    assert len(rows) == 5
    budgets = [r[BUDGET] for r in rows]
    margins = [r["margin"] for r in rows]
    assert budgets == sorted(budgets) and len(set(budgets)) == len(budgets)
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(margins))
    assert all(r["revenue"] <= r[BUDGET] + 1e-6 for r in rows)


def test_frontier_last_point_is_unconstrained_max_margin(small, frontier_result):
    """At the top budget the margin equals the best margin with no budget at all."""
    free = run_scenario(small, RunOptions(objective="max_margin", explain=False))
    last = frontier_result.rows()[-1]
    assert last["margin"] == pytest.approx(free.totals.margin, rel=1e-9)
    assert last[BUDGET] == pytest.approx(free.totals.revenue, abs=0.02)


def test_frontier_ignores_the_scenarios_own_budget(small):
    """A budget in the scenario does not cap the frontier's range."""
    capped = small.with_overrides({BUDGET: 75_000})
    axis = frontier_axis(capped, 3)
    assert axis.path == BUDGET
    assert axis.values[0] == pytest.approx(MIN_PRICE_REVENUE, abs=0.02)
    assert axis.values[-1] > 75_000


def test_frontier_of_infeasible_deal_is_scenario_error(small):
    """A deal infeasible at any budget has no frontier: ScenarioError."""
    with pytest.raises(ScenarioError, match="feasible with some budget"):
        frontier_axis(small.with_overrides({"provider.sites.home.seats": 1}), 3)


# ------------------------------------------------------------------ CLI


def test_cli_sweep_table(small_file):
    """``sweep`` prints a table with the axis path, the totals and the status."""
    result = invoke("sweep", small_file, "--vary", f"{BUDGET}=1000:90000:2", "--workers", 1)
    assert result.exit_code == 0, result.output
    head = result.stdout.splitlines()[0]
    for name in (BUDGET, "revenue", "margin", "margin_pct", "status"):
        assert name in head
    assert "infeasible" in result.stdout and "optimal" in result.stdout


def test_cli_sweep_json(small_file):
    """``--format json`` prints one object per point with design-8 total names."""
    result = invoke(
        "sweep", small_file, "--vary", "categories.*.contacts_per_month=x0.9:x1.1:3",
        "--workers", 1, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["categories.*.contacts_per_month"] for r in rows] == ["x0.9", "x1", "x1.1"]
    assert all(set(TOTALS) <= set(r) for r in rows)
    assert [r["contacts"] for r in rows] == pytest.approx([10800, 12000, 13200])


def test_cli_sweep_csv_to_output(small_file, tmp_path):
    """``--format csv --output`` writes the rows to a file (and says so on stderr)."""
    out = tmp_path / "sweep.csv"
    result = invoke(
        "sweep", small_file, "--vary", "provider.sites.home.hourly_cost=18:22:3",
        "--vary", f"{BUDGET}=80000:90000:2", "--workers", 1, "--format", "csv", "--output", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {out}" in result.stderr
    rows = csv_rows(out.read_text(encoding="utf-8"))
    assert len(rows) == 6
    assert list(rows[0])[:3] == ["provider.sites.home.hourly_cost", BUDGET, "revenue"]
    assert {r["status"] for r in rows} == {"optimal"}


def test_cli_sweep_xlsx(small_file, tmp_path):
    """``--format xlsx`` writes a workbook with a ``sweep`` sheet of the rows."""
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "sweep.xlsx"
    result = invoke(
        "sweep", small_file, "--vary", f"{BUDGET}=1000:90000:2", "--workers", 1,
        "--format", "xlsx", "--output", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["sweep"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == (f"{BUDGET} (EUR)", "revenue (EUR/month)")
    assert [r[rows[0].index("status")] for r in rows[1:]] == ["infeasible", "optimal"]


def test_cli_sweep_xlsx_gives_each_varied_field_its_unit(small_file, tmp_path):
    """A varied field's workbook column carries the scenario reference's unit and the
    number format that unit asks for (a share as a percentage); a column of multipliers
    keeps the bare path; the side-by-side sheet names each point by the paths as given."""
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "sweep.xlsx"
    result = invoke(
        "sweep", small_file, "--vary", "provider.min_margin=0.05:0.1:2",
        "--vary", "categories.*.contacts_per_month=x0.9:x1.1:2", "--workers", 1,
        "--format", "xlsx", "--output", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    header = [c.value for c in book["sweep"][1]]
    assert header[:3] == [
        "provider.min_margin (share)", "categories.*.contacts_per_month", "revenue (EUR/month)",
    ]  # fmt: skip
    assert [book["sweep"].cell(row=r, column=1).number_format for r in (2, 3)] == ["0.0%"] * 2
    assert [book["sweep"].cell(row=r, column=2).value for r in (2, 3)] == ["x0.9", "x1.1"]
    names = [c.value for c in book["side by side"][1]][1:]
    assert names[0] == "provider.min_margin=0.05, categories.*.contacts_per_month=x0.9"


def test_cli_sweep_pool_matches_serial(small_file):
    """``--workers 2`` prints exactly what ``--workers 1`` prints."""
    args = ["sweep", small_file, "--vary", "provider.sites.home.hourly_cost=18:22:3",
            "--vary", f"{BUDGET}=1000:90000:2", "--format", "csv"]  # fmt: skip
    serial = invoke(*args, "--workers", 1)
    pool = invoke(*args, "--workers", 2)
    assert serial.exit_code == pool.exit_code == 0
    assert pool.stdout == serial.stdout


def test_cli_sweep_bad_vary_exits_2(small_file):
    """A malformed --vary is an invalid-input error (exit 2), one line, no traceback."""
    result = invoke("sweep", small_file, "--vary", f"{BUDGET}=1:2")
    assert result.exit_code == 2
    assert "--vary" in result.stderr
    assert "Traceback" not in result.output


def test_cli_sweep_bad_path_exits_2_with_a_guess(small_file):
    """Issue 11.13: ``client.budget`` is exit 2 with "did you mean", and no rows."""
    result = invoke(
        "sweep", small_file, "--vary", "client.budget=1000:2000:2",
        "--workers", 1, "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "did you mean 'budget_per_month'?" in result.stderr
    assert result.stdout == ""


def test_cli_sweep_every_point_failing_does_not_exit_0(small_file, monkeypatch):
    """A grid whose every point fails to solve prints its rows and exits 4."""
    from optimizer.errors import SolverError
    from optimizer.studies import batch

    def broken(*args, **kwargs):
        raise SolverError("the solver crashed")

    monkeypatch.setattr(batch, "run_scenario", broken)
    result = invoke("sweep", small_file, "--vary", f"{BUDGET}=1000:2000:2", "--workers", 1,
                    "--format", "json")  # fmt: skip
    assert result.exit_code == 4, result.output
    assert [r["status"] for r in json.loads(result.stdout)] == ["error", "error"]
    assert "every point of the grid failed" in result.stderr


@pytest.mark.parametrize(
    "address", ["foo", "tls://127.0.0.1:8786", "inproc://x", "tcp://host", "tcp://host:70000"]
)
def test_cli_scheduler_address_is_checked(small_file, address):
    """Issue 12.8: a bad --scheduler is a usage error (exit 2), not 'unexpected error'."""
    result = invoke("sweep", small_file, "--vary", f"{BUDGET}=1000:2000:2",
                    "--scheduler", address)  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "tcp://HOST:PORT" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_cli_frontier_formats(small_file, fmt):
    """``frontier`` gives --points rows of budget and best margin in every text format."""
    result = invoke("frontier", small_file, "--points", 3, "--workers", 1, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        rows = json.loads(result.stdout)
    elif fmt == "csv":
        rows = csv_rows(result.stdout)
    else:
        lines = result.stdout.splitlines()
        assert BUDGET in lines[0] and "margin" in lines[0]
        assert len(lines) == 2 + 3
        return
    assert len(rows) == 3
    margins = [float(r["margin"]) for r in rows]
    assert margins == sorted(margins)
    assert math.isclose(float(rows[0][BUDGET]), MIN_PRICE_REVENUE, abs_tol=0.02)


def test_cli_frontier_xlsx(small_file, tmp_path):
    """``frontier --format xlsx`` writes a ``frontier`` sheet."""
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "frontier.xlsx"
    result = invoke("frontier", small_file, "--points", 3, "--workers", 1,
                    "--format", "xlsx", "--output", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["frontier"]
    assert book["frontier"].max_row == 1 + 3
    budget = book["frontier"].cell(row=1, column=1).value
    assert budget == f"{BUDGET} (EUR)"  # in the deal's currency, formatted as money
    assert book["frontier"].cell(row=2, column=1).number_format == "#,##0.00"


def test_cli_frontier_infeasible_deal_exits_2(tmp_path, small):
    """A deal infeasible at any budget: frontier exits 2 with one line."""
    path = tmp_path / "tight.yaml"
    raw = small.with_overrides({"provider.sites.home.seats": 1}).raw()
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = invoke("frontier", path, "--points", 3, "--workers", 1)
    assert result.exit_code == 2
    assert "feasible with some budget" in result.stderr


def test_cli_sweep_set_changes_every_point(small_file):
    """``--set`` changes the scenario before the grid: with one seat no point is feasible."""
    vary = ("--vary", f"{BUDGET}=60000:90000:2", "--workers", 1, "--format", "json")
    plain = json.loads(invoke("sweep", small_file, *vary).stdout)
    result = invoke("sweep", small_file, *vary, "--set", "provider.sites.home.seats=1")
    assert result.exit_code == 0, result.output
    assert [r["status"] for r in plain] == ["infeasible", "optimal"]
    assert [r["status"] for r in json.loads(result.stdout)] == ["infeasible", "infeasible"]


def test_cli_sweep_vary_wins_over_set(small_file):
    """A field both set and varied takes the values of ``--vary``."""
    vary = ("--vary", f"{BUDGET}=60000:90000:2", "--workers", 1, "--format", "json")
    plain = invoke("sweep", small_file, *vary)
    result = invoke("sweep", small_file, *vary, "--set", f"{BUDGET}=1")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(plain.stdout)


def test_cli_sweep_bad_set_exits_2(small_file):
    """A ``--set`` on no field is one message naming it, exit 2, nothing solved."""
    result = invoke("sweep", small_file, "--vary", f"{BUDGET}=1000:2000:2",
                    "--set", "client.budget=5")  # fmt: skip
    assert result.exit_code == 2
    assert "client.budget" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_cli_frontier_set_equals_the_changed_file(small_file, tmp_path, small):
    """``frontier --set`` gives the frontier of the scenario with that field changed."""
    changed = tmp_path / "busier.yaml"
    raw = small.with_overrides({"categories.calls.contacts_per_month": 9000}).raw()
    changed.write_text(yaml.safe_dump(raw), encoding="utf-8")
    args = ("--points", 3, "--workers", 1, "--format", "json")
    expected = json.loads(invoke("frontier", changed, *args).stdout)
    result = invoke("frontier", small_file, *args, "--set",
                    "categories.calls.contacts_per_month=9000")  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows == expected
    assert rows != json.loads(invoke("frontier", small_file, *args).stdout)


# ------------------------------------------------------------------ Ctrl-C


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal (POSIX)")
@pytest.mark.parametrize("partial", [0, 1])
def test_ctrl_c_before_any_point_leaves_an_earlier_output_alone(
    small_file, tmp_path, monkeypatch, partial
):
    """Interrupted before any point was solved, a sweep writes nothing: an earlier file
    at its output stays as it was (it was replaced by an empty table); with a point
    solved that point is written, as before."""
    from optimizer.studies import batch, sweep

    real = sweep.run_sweep

    def interrupted(scenario, axes, *args, **kwargs):
        done = real(scenario, axes, *args, **kwargs).results[:partial] if partial else ()
        points = len(sweep.grid_points(axes))
        raise batch.BatchInterrupted([*done, *[None] * (points - len(done))])

    monkeypatch.setattr(sweep, "run_sweep", interrupted)
    out = tmp_path / "out.json"
    out.write_text('[{"earlier": "rows"}]\n', encoding="utf-8")
    got = invoke("sweep", small_file, "--vary", f"{BUDGET}=80000:100000:3", "--workers", 1,
                 "--format", "json", "--output", out)  # fmt: skip
    assert got.exit_code == 130, got.output
    if partial:
        assert "kept" in got.stderr and len(json.loads(out.read_text(encoding="utf-8"))) == 1
    else:
        assert "nothing written" in got.stderr
        assert out.read_text(encoding="utf-8") == '[{"earlier": "rows"}]\n'


def test_ctrl_c_keeps_solved_points(small_file, tmp_path):
    """SIGINT mid-sweep: exit 130, the output file holds the points solved, no temp files."""
    out = tmp_path / "out.csv"
    master, slave = os.openpty()  # a terminal on stderr makes the progress bar visible
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "sweep", str(small_file),
         "--vary", f"{BUDGET}=80000:100000:{INTERRUPT_POINTS}",
         "--workers", "1", "--format", "csv", "--output", str(out)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, env=_clean_env(),
        cwd=tmp_path,
    )  # fmt: skip
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                seen += os.read(master, 4096)
            done = re.findall(rb"(\d+)%", seen)
            if done and int(done[-1]) >= 1:  # at least one point solved
                break
        assert proc.poll() is None, f"sweep ended before the interrupt: {seen[-500:]!r}"
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=SUBPROCESS_TIMEOUT)
        while True:  # drain the terminal (EIO once the child has gone)
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    why = f"exit {proc.returncode}; the terminal's end: {seen[-800:]!r}"  # for a flaky run
    assert proc.returncode == 130, why
    assert b"interrupted" in seen, why
    assert out.exists(), why
    rows = csv_rows(out.read_text(encoding="utf-8"))
    assert 1 <= len(rows) < INTERRUPT_POINTS, why
    assert list(rows[0])[:2] == [BUDGET, "revenue"]
    assert {r["status"] for r in rows} == {"optimal"}, why
    expected = parse_vary(f"{BUDGET}=80000:100000:{INTERRUPT_POINTS}").values[: len(rows)]
    assert [float(r[BUDGET]) for r in rows] == pytest.approx(expected)  # a prefix, in order
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["out.csv", "small.yaml"], (left, why)


def test_a_price_column_is_in_its_pricing_models_unit() -> None:
    """A varied price carries the unit of its category's pricing model: money for per
    contact, a share of sales for a revenue share (not the currency), none for a wildcard
    over both kinds; a plan's fee is money whatever the model; seats are whole seats."""
    from optimizer.output.excel import column_format
    from optimizer.output.excel_sheets import _path_header

    nordic = load_scenario(SCENARIOS_DIR / "nordic_telco.yaml")
    rows = [{"x": 1.0}]
    shares = "categories.sales_chat.tiers.standard.prices.0"
    headers = {
        shares: f"{shares} (share)",
        "categories.billing.tiers.standard.prices.0": "categories.billing.tiers.standard."
        "prices.0 (EUR)",
        "categories.*.tiers.standard.prices.0": "categories.*.tiers.standard.prices.0",
        "categories.sales_chat.tiers.standard.prices.0.fee": "categories.sales_chat.tiers."
        "standard.prices.0.fee (EUR)",
        "categories.sales_chat.benchmark_price": "categories.sales_chat.benchmark_price (share)",
        "provider.sites.tallinn.seats": "provider.sites.tallinn.seats (seats)",
    }
    for key, header in headers.items():
        assert _path_header(key, rows, nordic) == header, key
    assert column_format(f"{shares} (share)", "EUR") == "0.0%"
    assert column_format("provider.sites.tallinn.seats (seats)", "EUR") == "0"
