"""Tests of optimizer.cli: every command, exit codes, friendly errors, no tracebacks.

Most tests run in-process with ``click.testing.CliRunner``; two run the installed
``tierprice`` script and ``python -m optimizer`` in a subprocess. Solves use a small
scenario (the example with 60-minute intervals, open Monday to Friday 09:00-17:00)
written to a temporary YAML file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import INVALID_DIR, SCENARIOS_DIR, expected_path, make_scenario

from optimizer import _version, cli
from optimizer.errors import SolverError, VerificationError

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}
"""Overrides turning the example into a small, profitable scenario that solves at once."""
TOO_SMALL_BUDGET = {"client.budget_per_month": 1000}
"""A client budget no staffing can meet: the small deal becomes infeasible."""

E1_ARGS = ["--contacts", "100", "--interval-minutes", "30", "--aht", "180",
           "--service-level", "0.8", "--within", "20", "--max-occupancy", "0.85",
           "--shrinkage", "0.3", "--json"]  # fmt: skip
"""Reference case E1 (Call Centre Helper, "Erlang C formula - made simple")."""
PUBLISHED_ABS = 5e-5
"""Published service levels and probabilities are printed to 4-6 decimals."""
ASA_ABS = 1e-3
"""Published ASA is printed to milliseconds (7.836 s, 7.49 s)."""
SUBPROCESS_TIMEOUT = 60
"""Seconds allowed for a subprocess run of the command line."""

SCENARIO_FILES = sorted(SCENARIOS_DIR.glob("*.yaml"))
INVALID_FILES = sorted(INVALID_DIR.glob("*.yaml"))
COMMANDS = sorted(cli.main.commands)


def invoke(*args: object) -> Result:
    """Run ``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def assert_friendly(result: Result, code: int) -> None:
    """Exit ``code``, the error handled (no traceback, no escaped exception)."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def write_scenario(path, **overrides: object):
    """Write the small scenario (plus overrides) as YAML to ``path`` and return the path."""
    raw = make_scenario(**SMALL, **overrides).raw()
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def small(tmp_path):
    """Path of the small, profitable scenario as a YAML file."""
    return write_scenario(tmp_path / "small.yaml")


@pytest.fixture
def infeasible(tmp_path):
    """Path of the small scenario with a budget no staffing can meet."""
    return write_scenario(tmp_path / "infeasible.yaml", **TOO_SMALL_BUDGET)


# ------------------------------------------------------------------ validate


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_validate_example_scenarios(path):
    """Every scenario in scenarios/ validates (exit 0) with a one-screen summary."""
    result = invoke("validate", path)
    assert_friendly(result, 0)
    assert "valid" in result.stdout
    assert "categor" in result.stdout  # "1 category", "3 categories"
    assert result.stderr == ""


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_validate_invalid_files(path):
    """Each broken file exits 2 naming the field path of its defect, without a traceback."""
    result = invoke("validate", path)
    assert_friendly(result, 2)
    assert expected_path(path) in result.output
    assert result.stdout == ""


# ------------------------------------------------------------------ staff


def test_staff_e1():
    """E1: 100 calls per 30 min, AHT 180 s, 80/20, 85% cap, 30% shrinkage -> 14 agents,
    20 scheduled, SL 0.88835, P(wait) 0.174132, ASA 7.836 s, occupancy 0.7143."""
    result = invoke("staff", *E1_ARGS)
    assert_friendly(result, 0)
    out = json.loads(result.stdout)
    assert out["agents"] == 14
    assert out["scheduled_agents"] == pytest.approx(20.0)
    assert out["service_level"] == pytest.approx(0.88835, abs=PUBLISHED_ABS)
    assert out["p_wait"] == pytest.approx(0.174132, abs=PUBLISHED_ABS)
    assert out["asa_seconds"] == pytest.approx(7.836, abs=ASA_ABS)
    assert out["occupancy"] == pytest.approx(0.7143, abs=PUBLISHED_ABS)
    assert out["p_abandon"] == 0


def test_staff_e2_with_patience():
    """E2 (pyworkforce Erlang A guide): E1 plus 300 s patience -> 13 agents, SL 0.8582,
    P(abandon) 0.0250, P(wait) 0.2258, ASA 7.49 s."""
    result = invoke("staff", *E1_ARGS, "--patience", "300")
    assert_friendly(result, 0)
    out = json.loads(result.stdout)
    assert out["agents"] == 13
    assert out["scheduled_agents"] == pytest.approx(13 / 0.7, abs=1e-6)
    assert out["service_level"] == pytest.approx(0.8582, abs=PUBLISHED_ABS)
    assert out["p_abandon"] == pytest.approx(0.0250, abs=PUBLISHED_ABS)
    assert out["p_wait"] == pytest.approx(0.2258, abs=PUBLISHED_ABS)
    assert out["asa_seconds"] == pytest.approx(7.49, abs=0.005)


def test_staff_table_output():
    """Without --json the calculator prints one labelled line per figure."""
    result = invoke("staff", *E1_ARGS[:-1])
    assert_friendly(result, 0)
    assert "agents (productive)    14" in result.stdout
    assert "scheduled agents       20.0000" in result.stdout


def test_staff_max_abandon_needs_patience():
    """--max-abandon without --patience is a usage error (exit 2)."""
    result = invoke("staff", *E1_ARGS, "--max-abandon", "0.05")
    assert_friendly(result, 2)
    assert "--patience" in result.output


def test_staff_rejects_out_of_range_service_level():
    """A service level above 1 is a usage error naming the option."""
    args = [a if a != "0.8" else "1.5" for a in E1_ARGS]
    result = invoke("staff", *args)
    assert_friendly(result, 2)
    assert "--service-level" in result.output


# ------------------------------------------------------------------ requirements


def test_requirements_table(small):
    """--format table: one summary row per (category, tier) under a header."""
    result = invoke("requirements", small, "--format", "table")
    assert_friendly(result, 0)
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["category", "tier"]
    assert [line.split()[0] for line in lines[2:]] == ["calls", "mail"]


def test_requirements_csv(small):
    """--format csv: one row per (category, tier, interval) of the 168-hour week."""
    result = invoke("requirements", small, "--format", "csv")
    assert_friendly(result, 0)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 2 * 168
    assert rows[0]["interval"] == "mon 00:00"
    assert {r["category"] for r in rows} == {"calls", "mail"}


def test_requirements_json(small):
    """--format json: scenario name, per-tier summary and per-interval rows."""
    result = invoke("requirements", small, "--format", "json")
    assert_friendly(result, 0)
    data = json.loads(result.stdout)
    assert list(data) == ["scenario", "summary", "intervals"]
    assert [(s["category"], s["tier"]) for s in data["summary"]] == [
        ("calls", "std"),
        ("mail", "std"),
    ]
    assert len(data["intervals"]) == 2 * 168
    assert isinstance(data["summary"][0]["peak_agents"], int)


def test_requirements_output_file(small, tmp_path):
    """--output writes the report to a file (nothing on stdout, a note on stderr)."""
    target = tmp_path / "req.csv"
    result = invoke("requirements", small, "--format", "csv", "--output", target)
    assert_friendly(result, 0)
    assert result.stdout == ""
    assert target.read_text().startswith("category,tier,interval")


# ------------------------------------------------------------------ solve


def test_solve_table(small):
    """solve prints the text report: status, category rows, totals, verified."""
    result = invoke("solve", small)
    assert_friendly(result, 0)
    assert result.stdout.startswith("example — optimal")
    for needle in ("calls", "mail", "revenue (client spend)", "verified: yes"):
        assert needle in result.stdout


def test_solve_json(small):
    """solve --format json prints the design section 8 contract."""
    result = invoke("solve", small, "--format", "json")
    assert_friendly(result, 0)
    data = json.loads(result.stdout)
    assert data["status"] == "optimal"
    assert data["verified"] is True
    assert [c["name"] for c in data["categories"]] == ["calls", "mail"]


def test_solve_csv(small):
    """solve --format csv prints one row per category and a TOTAL row."""
    result = invoke("solve", small, "--format", "csv", "--no-explain")
    assert_friendly(result, 0)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert [r[2] for r in rows[1:]] == ["calls", "mail", "TOTAL"]


def test_solve_output_file(small, tmp_path):
    """solve --output writes the report atomically; stdout stays empty."""
    target = tmp_path / "out" / "result.json"
    result = invoke("solve", small, "--format", "json", "--output", target)
    assert_friendly(result, 0)
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    assert json.loads(target.read_text())["status"] == "optimal"
    assert [p.name for p in target.parent.iterdir()] == ["result.json"]


def test_solve_options(small):
    """Objective, solver, time limit and gap options are accepted."""
    result = invoke(
        "solve",
        small,
        "--objective",
        "min-price",
        "--solver",
        "highs",
        "--time-limit",
        "30",
        "--gap",
        "0.0001",
        "--format",
        "json",
    )
    assert_friendly(result, 0)
    assert json.loads(result.stdout)["objective"] == "min_price"


def test_solve_infeasible_exits_3_with_diagnosis(infeasible):
    """An infeasible deal exits 3 and is reported as infeasible, not as an error."""
    result = invoke("solve", infeasible, "--format", "json")
    assert_friendly(result, 3)
    data = json.loads(result.stdout)
    assert data["status"] == "infeasible"
    assert data["totals"] is None
    assert data.get("diagnosis"), "an infeasible deal carries a diagnosis"


def test_solve_infeasible_text_names_the_diagnosis(infeasible):
    """The text report of an infeasible deal prints what would make it feasible."""
    result = invoke("solve", infeasible)
    assert_friendly(result, 3)
    assert "infeasible" in result.stdout
    assert "budget" in result.stdout


def test_solve_unknown_variant_is_invalid(small):
    """An unknown --variant is an invalid-input error (exit 2) naming the variant."""
    result = invoke("solve", small, "--variant", "nope")
    assert_friendly(result, 2)
    assert "nope" in result.output


# ------------------------------------------------------------------ export-lp


def test_export_lp_writes_lp_file(small, tmp_path):
    """export-lp writes an LP file of the model without solving it."""
    target = tmp_path / "model.lp"
    result = invoke("export-lp", small, target)
    assert_friendly(result, 0)
    text = target.read_text()
    assert "Maximize" in text or "MAXIMIZE" in text
    assert "Subject To" in text or "SUBJECT TO" in text
    assert "columns" in result.stderr


# ------------------------------------------------------------------ bad input files


def bad_inputs(tmp_path):
    """A missing file, a directory, binary data and undecodable text (name -> path)."""
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 8)
    undecodable = tmp_path / "latin1.yaml"
    undecodable.write_bytes("scenario: café\n".encode("latin-1") + b"\xff\xfe\n")
    return {
        "missing": tmp_path / "nope.yaml",
        "directory": tmp_path,
        "binary": binary,
        "undecodable": undecodable,
    }


@pytest.mark.parametrize("kind", ["missing", "directory", "binary", "undecodable"])
@pytest.mark.parametrize("command", ["validate", "requirements", "solve", "export-lp"])
def test_bad_input_file_is_one_problem_line(tmp_path, command, kind):
    """A missing file, a directory, a binary or undecodable file exits 2 with one problem
    line naming the file, and no traceback, for every command that reads a scenario."""
    path = bad_inputs(tmp_path)[kind]
    extra = [tmp_path / "out.lp"] if command == "export-lp" else []
    result = invoke(command, path, *extra)
    assert_friendly(result, 2)
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1, result.stderr
    assert path.name in problems[0]
    assert result.stdout == ""
    assert not (tmp_path / "out.lp").exists()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root (or Windows) can read a file without read permission",
)
def test_unreadable_file_is_one_problem_line(small):
    """A file without read permission exits 2 with a one-line problem, no traceback."""
    small.chmod(0)
    try:
        result = invoke("validate", small)
    finally:
        small.chmod(0o644)
    assert_friendly(result, 2)


def test_read_error_is_one_problem_line(small, monkeypatch):
    """An OS error while reading the file (permission denied) exits 2 with one problem
    line naming the file and the reason (works as root too: the read is made to fail)."""

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("optimizer.scenario.loader._read_regular", denied)
    result = invoke("validate", small)
    assert_friendly(result, 2)
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1
    assert small.name in problems[0]
    assert "Permission denied" in problems[0]


# ------------------------------------------------------------------ exit-code mapping


@pytest.mark.parametrize(
    ("error", "code"),
    [(SolverError("boom"), 4), (VerificationError("boom"), 5), (RuntimeError("boom"), 1)],
)
def test_exceptions_map_to_exit_codes(small, monkeypatch, error, code):
    """SolverError -> 4, VerificationError -> 5, anything else -> 1; always one line."""

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("optimizer.pipeline.run_scenario", fail)
    result = invoke("solve", small)
    assert_friendly(result, code)
    assert len(result.stderr.strip().splitlines()) == 1
    assert "boom" in result.stderr


def test_debug_shows_unexpected_errors(small, monkeypatch):
    """--debug is accepted and lets an unexpected error through with its traceback."""

    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("optimizer.pipeline.run_scenario", fail)
    result = invoke("--debug", "solve", small)
    assert isinstance(result.exception, RuntimeError)


def test_debug_flag_accepted(small):
    """--debug before a command changes nothing when all goes well."""
    result = invoke("--debug", "validate", small)
    assert_friendly(result, 0)
    assert "valid" in result.stdout


# ------------------------------------------------------------------ version and help


def test_version():
    """--version prints the package version."""
    result = invoke("--version")
    assert_friendly(result, 0)
    assert _version.__version__ in result.stdout
    assert "tierprice" in result.stdout


def test_group_help_lists_commands():
    """tierprice --help lists every command and the exit codes."""
    result = invoke("--help")
    assert_friendly(result, 0)
    for command in COMMANDS:
        assert command in result.stdout
    assert "Exit codes: 0 ok" in " ".join(result.stdout.split())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    """Every command answers --help (and -h) with its usage and a description."""
    for flag in ("--help", "-h"):
        result = invoke(command, flag)
        assert_friendly(result, 0)
        assert result.stdout.startswith(f"Usage: tierprice {command} [OPTIONS]")
    assert cli.main.commands[command].help


def test_unknown_command_is_usage_error():
    """An unknown command exits 2 (click's usage error)."""
    assert_friendly(invoke("frobnicate"), 2)


def test_installed_script_help():
    """The installed ``tierprice`` script answers --help in a real subprocess."""
    exe = shutil.which("tierprice")
    if exe is None:
        pytest.skip("tierprice is not installed on PATH")
    done = subprocess.run(
        [exe, "--help"], capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: tierprice" in done.stdout


def test_python_m_optimizer_version():
    """``python -m optimizer --version`` prints the version in a real subprocess."""
    done = subprocess.run(
        [sys.executable, "-m", "optimizer", "--version"],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert _version.__version__ in done.stdout


def test_validate_counts_in_the_singular() -> None:
    """One category is "1 category", not "1 categories" (issue 11.16)."""
    result = invoke("validate", SCENARIOS_DIR / "service_desk_shifts.yaml")
    assert_friendly(result, 0)
    assert "1 category, 2 sites" in result.stdout


@pytest.mark.parametrize("command", ["solve", "check"])
def test_help_explains_the_limit_terms_and_every_exit_code(command: str) -> None:
    """solve --help and check --help say what binding, slack and shadow price mean, and
    list exit code 130 (issue 12.10)."""
    result = invoke(command, "--help")
    assert_friendly(result, 0)
    text = " ".join(result.stdout.split())
    for term in ("binding", "slack", "shadow price", "130 interrupted", "3 ", "5 verification"):
        assert term in text, term


def test_staff_starts_without_numpy_or_scipy():
    """``tierprice staff`` sizes an ordinary interval without importing numpy or scipy
    (their import was most of its start-up time; benchmarks/startup.py)."""
    code = (
        "import sys\n"
        "from optimizer.console import run\n"
        "try:\n"
        "    run()\n"
        "finally:\n"
        "    heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'scipy'))\n"
        "    print('HEAVY', heavy, file=sys.stderr)\n"
    )
    for extra in ([], ["--patience", "300"]):
        command = [sys.executable, "-c", code, "staff", *E1_ARGS, *extra]
        done = subprocess.run(command, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
        assert done.returncode == 0, done.stderr
        assert "HEAVY []" in done.stderr
        assert json.loads(done.stdout)["agents"] == (13 if extra else 14)


def test_an_empty_variant_is_a_usage_error() -> None:
    """``--variant ""`` was silently the plain scenario; it is exit 2 now."""
    result = CliRunner().invoke(
        cli.main,
        ["--no-history", "solve", str(SCENARIOS_DIR / "nordic_telco.yaml"), "--variant", ""],
    )
    assert result.exit_code == 2 and "--variant needs a variant's name" in result.output
