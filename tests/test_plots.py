"""Tests of optimizer.output.plots (PNG charts) and ``--plot`` on solve, sweep and frontier.

Charts are checked for PNG magic bytes and size; the two-axis sweep is checked to
draw a heat map (an image, not a line). Solves use the example scenario with
60-minute intervals, open Monday to Friday 09:00-17:00 (about 0.1 s a solve).
"""

from __future__ import annotations

import struct

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import make_scenario

from optimizer import cli
from optimizer.options import RunOptions
from optimizer.output.plots import frontier_png, staffing_png, sweep_png
from optimizer.pipeline import run_scenario
from optimizer.studies.frontier import run_frontier
from optimizer.studies.sweep import SweepResult, parse_vary, run_sweep

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}
"""Overrides turning the example into a small, profitable scenario that solves at once."""
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
"""The eight bytes every PNG file starts with."""
SIZE = (900, 500)
"""Chart size in pixels (9 x 5 inches at 100 dpi)."""
COST = "provider.sites.home.hourly_cost=18:22:3"
AHT = "categories.*.aht_seconds=x0.9:x1.1:2"


@pytest.fixture(scope="module")
def small():
    """The small, profitable example scenario (60-minute intervals)."""
    return make_scenario(**SMALL)


@pytest.fixture(scope="module")
def grid(small):
    """A 3 x 2 sweep (hourly cost x handle-time multiplier), solved serially."""
    return run_sweep(small, [parse_vary(COST), parse_vary(AHT)], workers=1)


@pytest.fixture(scope="module")
def curve(grid):
    """A one-axis sweep: the points of :func:`grid` with handle times x0.9."""
    keep = [i for i, p in enumerate(grid.points) if p[1] == 0.9]
    return SweepResult(
        (grid.axes[0],),
        tuple((grid.points[i][0],) for i in keep),
        tuple(grid.results[i] for i in keep),
    )


@pytest.fixture
def small_file(tmp_path, small):
    """Path of the small scenario as YAML."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small.raw(), sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def drawn(monkeypatch):
    """Records which matplotlib drawing calls a chart makes (imshow, plot, stackplot)."""
    from matplotlib.axes import Axes

    calls: list[str] = []
    for name in ("imshow", "plot", "stackplot"):
        original = getattr(Axes, name)

        def spy(self, *args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Axes, name, spy)
    return calls


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its IHDR chunk."""
    assert data[:8] == PNG_MAGIC
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def invoke(*args: object) -> Result:
    """Run ``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


# ------------------------------------------------------------------ charts


def test_sweep_curve_png(curve, drawn):
    """One varied field: a PNG margin curve (a line, no image)."""
    data = sweep_png(curve)
    assert png_size(data) == SIZE
    assert "plot" in drawn and "imshow" not in drawn


def test_sweep_two_axes_is_a_heat_map(grid, drawn):
    """Two varied fields: a non-empty PNG heat map (an image, no line)."""
    data = sweep_png(grid, title="cost x handle time")
    assert png_size(data) == SIZE
    assert len(data) > 5_000
    assert drawn == ["imshow"]


def test_sweep_heat_map_with_unsolved_points(small, drawn):
    """Infeasible and error points leave holes in the heat map without failing."""
    sweep = run_sweep(
        small,
        [parse_vary("client.budget_per_month=1000:90000:2"),
         parse_vary("provider.sites.home.seats=-10:50:2")],
        workers=1,
    )  # fmt: skip
    assert {r["status"] for r in sweep.rows()} == {"infeasible", "error", "optimal"}
    assert png_size(sweep_png(sweep)) == SIZE
    assert drawn == ["imshow"]


def test_sweep_curve_with_no_solved_points(small):
    """A sweep where nothing solved (every budget too small) still draws an (empty) chart."""
    sweep = run_sweep(small, [parse_vary("client.budget_per_month=1:2:2")], workers=1)
    assert all(r.totals is None for r in sweep.results)
    assert png_size(sweep_png(sweep)) == SIZE


def test_sweep_png_is_deterministic(grid):
    """The same sweep draws the same bytes (no timestamps in the file)."""
    assert sweep_png(grid) == sweep_png(grid)


def test_frontier_png(small, drawn):
    """The frontier is drawn as a PNG line of margin against budget."""
    data = frontier_png(run_frontier(small, 3, workers=1))
    assert png_size(data) == SIZE
    assert drawn == ["plot"]


def test_staffing_png(small, drawn):
    """A solved result's staffing is a PNG stacked by site."""
    result = run_scenario(small, RunOptions(explain=False))
    assert png_size(staffing_png(result)) == SIZE
    assert drawn == ["stackplot"]


# ------------------------------------------------------------------ CLI --plot


def test_cli_solve_plot(small_file, tmp_path):
    """``solve --plot`` writes the staffing PNG besides the report."""
    out = tmp_path / "staffing.png"
    result = invoke("solve", small_file, "--no-explain", "--plot", out)
    assert result.exit_code == 0, result.output
    assert png_size(out.read_bytes()) == SIZE
    assert "margin" in result.stdout


def test_cli_sweep_plot_heat_map(small_file, tmp_path, drawn):
    """``sweep --plot`` with two --vary writes a heat-map PNG."""
    out = tmp_path / "sweep.png"
    result = invoke("sweep", small_file, "--vary", COST, "--vary", AHT, "--workers", 1,
                    "--format", "csv", "--plot", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert png_size(out.read_bytes()) == SIZE
    assert "imshow" in drawn


def test_cli_frontier_plot(small_file, tmp_path):
    """``frontier --plot`` writes the frontier PNG; no temp files are left."""
    out = tmp_path / "frontier.png"
    result = invoke("frontier", small_file, "--points", 3, "--workers", 1, "--plot", out)
    assert result.exit_code == 0, result.output
    assert png_size(out.read_bytes()) == SIZE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frontier.png", "small.yaml"]


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF-"), ("svg", b"<?xml")])
def test_vector_formats(grid, curve, small, fmt, magic):
    """Charts in PDF and SVG: the real format, and the same bytes on every run."""
    for draw in (lambda: sweep_png(grid, fmt=fmt), lambda: sweep_png(curve, fmt=fmt)):
        data = draw()
        assert data.startswith(magic)
        assert data == draw()


def test_unknown_chart_format(curve):
    with pytest.raises(ValueError, match="png, pdf, svg"):
        sweep_png(curve, fmt="jpg")


@pytest.mark.parametrize(("name", "magic"), [("sweep.pdf", b"%PDF-"), ("sweep.svg", b"<?xml")])
def test_cli_sweep_plot_vector(small_file, tmp_path, name, magic):
    """``sweep --plot x.pdf`` writes a PDF, not PNG bytes under a .pdf name."""
    out = tmp_path / name
    result = invoke("sweep", small_file, "--vary", COST, "--workers", 1, "--plot", out)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)
