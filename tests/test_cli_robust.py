"""The command line with odd arguments (issue 7): a non-zero exit and one clean message.

Each case runs the command line (in-process with click's runner; the file cases also
as the real program, ``python -m optimizer``, in a subprocess): missing, unreadable,
binary, empty or huge files, YAML alias bombs and deep nesting, directories, very
long and unicode paths, out-of-range and non-finite option values, unknown formats
and options, outputs that cannot be written. Every one must exit 2 (invalid input
or usage) with a short message on stderr, nothing on stdout, and no traceback or
"unexpected error".
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import SCENARIOS_DIR

TIMEOUT = 60
"""Seconds allowed for one run (none of these cases reaches the solver)."""
SCENARIO = SCENARIOS_DIR / "journey_study.yaml"
"""A valid scenario for the option tests (they fail before any solve)."""


def clean_env() -> dict[str, str]:
    """The environment without variables that force colour or a terminal."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``tierprice *args`` in a subprocess, text output (UTF-8), with a time limit."""
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
        env=clean_env(),
        cwd=cwd,
    )


def invoke(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``tierprice *args`` in-process (faster); an escaped exception fails the test."""
    from click.testing import CliRunner

    from optimizer import cli

    with contextlib.chdir(cwd or Path.cwd()):
        result = CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exception escaped: {result.exception!r}") from result.exception
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def assert_clean_failure(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2, nothing on stdout, a short message on stderr naming ``needles``."""
    shown = f"exit {proc.returncode}\nstdout: {proc.stdout[:500]}\nstderr: {proc.stderr[:2000]}"
    assert proc.returncode == 2, shown
    assert proc.stdout == "", shown
    assert "Traceback" not in proc.stderr, shown
    assert "unexpected error" not in proc.stderr, shown
    lines = proc.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 6, shown
    is_usage = any(line.startswith("Error:") for line in lines)
    is_scenario = lines[0].endswith("problem in the scenario:") and len(lines) == 2
    assert is_usage or is_scenario, shown
    for needle in needles:
        assert needle in proc.stderr, shown


# ------------------------------------------------------------------ scenario files


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A folder of odd scenario files (and one valid copy, ``deal.yaml``)."""
    (tmp_path / "deal.yaml").write_bytes(SCENARIO.read_bytes())
    (tmp_path / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "latin1.yaml").write_bytes("scenario: Café\n".encode("latin-1"))
    (tmp_path / "empty.yaml").write_bytes(b"")
    (tmp_path / "comment.yaml").write_text("# nothing but a comment\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("scenario: [unclosed\n", encoding="utf-8")
    (tmp_path / "python.yaml").write_text(
        "!!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8"
    )
    (tmp_path / "folder.yaml").mkdir()
    bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]  # "billion laughs": 10**9 values
    bomb += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    (tmp_path / "alias-bomb.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    (tmp_path / "self-alias.yaml").write_text("scenario: &a [*a]\n", encoding="utf-8")
    deep = "scenario: x\nprovider: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n"
    (tmp_path / "deep.yaml").write_text(deep, encoding="utf-8")
    nested = "scenario: x\nprovider: " + "[" * 100 + "]" * 100 + "\n"
    (tmp_path / "nested.yaml").write_text(nested, encoding="utf-8")
    with open(tmp_path / "huge.yaml", "wb") as handle:  # sparse: no disk space used
        handle.truncate(64 * 1024 * 1024)
    return tmp_path


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("missing.yaml", "no such file"),
        ("folder.yaml", "directory"),
        ("deal.yaml/inside-a-file.yaml", "no such file"),
        ("binary.yaml", "binary"),
        ("latin1.yaml", "UTF-8"),
        ("empty.yaml", "empty file"),
        ("comment.yaml", "empty file"),
        ("list.yaml", "a mapping of scenario fields"),
        ("broken.yaml", "valid YAML"),
        ("python.yaml", "valid YAML"),
        ("huge.yaml", "too large"),
        ("alias-bomb.yaml", "aliases expanded"),
        ("self-alias.yaml", "levels deep"),
        ("deep.yaml", "nested"),
        ("nested.yaml", "nested"),
        ("ünïcødé €/missing ✓.yaml", "no such file"),
        ("a" * 5000 + ".yaml", "File name too long"),
        ("/".join(["deep"] * 1500) + "/x.yaml", "File name too long"),
    ],
    ids=lambda v: v[:40] if isinstance(v, str) else v,
)
@pytest.mark.parametrize("how", ["solve-subprocess", "validate-in-process"])
def test_bad_scenario_file(files: Path, how: str, name: str, needle: str) -> None:
    """Each bad file: exit 2 and one message that says what is wrong with it."""
    command, where = how.split("-", 1)
    runner = run if where == "subprocess" else invoke
    assert_clean_failure(runner(command, name, cwd=files), needle)


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file"
)
def test_unreadable_file(files: Path) -> None:
    path = files / "deal.yaml"
    path.chmod(0)
    try:
        assert_clean_failure(run("validate", path), "Permission denied")
    finally:
        path.chmod(0o644)


def test_unicode_path_works(tmp_path: Path) -> None:
    """A scenario in a folder and file with non-ASCII names is read and reported."""
    folder = tmp_path / "ünïcødé €"
    folder.mkdir()
    path = folder / "deal ✓.yaml"
    path.write_bytes(SCENARIO.read_bytes())
    proc = run("validate", path)
    assert proc.returncode == 0, proc.stderr
    assert "deal ✓.yaml: valid" in proc.stdout


def test_no_scenario_argument() -> None:
    assert_clean_failure(invoke("solve"), "Missing argument")


# ------------------------------------------------------------------ option values


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["solve", SCENARIO, "--time-limit", "-1"], "--time-limit"),
        (["solve", SCENARIO, "--time-limit", "0"], "--time-limit"),
        (["solve", SCENARIO, "--time-limit", "nan"], "--time-limit"),
        (["solve", SCENARIO, "--time-limit", "inf"], "--time-limit"),
        (["solve", SCENARIO, "--time-limit", "soon"], "--time-limit"),
        (["solve", SCENARIO, "--gap", "2"], "--gap"),
        (["solve", SCENARIO, "--gap", "-0.1"], "--gap"),
        (["solve", SCENARIO, "--gap", "nan"], "--gap"),
        (["solve", SCENARIO, "--format", "xml"], "--format"),
        (["solve", SCENARIO, "--format", "xlsx"], "--output"),
        (["solve", SCENARIO, "--solver", "gurobi"], "--solver"),
        (["solve", SCENARIO, "--objective", "max_profit"], "--objective"),
        (["solve", SCENARIO, "--variant", "nope"], "variant"),
        (["solve", SCENARIO, "--no-such-option"], "--no-such-option"),
        (["check", SCENARIO, "--fix", "nonsense"], "--fix"),
        (["check", SCENARIO, "--fix", "claims_calls=priority@nan"], "--fix"),
        (["check", SCENARIO, "--time-limit", "-5"], "--time-limit"),
        (["compare", SCENARIO, "--workers", "0"], "--workers"),
        (["compare", SCENARIO, "--workers", "-1"], "--workers"),
        (["compare", SCENARIO, "--workers", "two"], "--workers"),
        (["compare", SCENARIO, "--variants", "nope"], "nope"),
        (["sweep", SCENARIO, "--vary", "client.budget_per_month=1:2:3", "--workers", "0"],
         "--workers"),
        (["sweep", SCENARIO, "--vary", "client.budget_per_month=1:2"], "--vary"),
        (["sweep", SCENARIO, "--vary", "client.budget_per_month=nan:2:3"], "--vary"),
        (["sweep", SCENARIO, "--vary", "client.budget_per_month=1:2:100000"], "--vary"),
        (["frontier", SCENARIO, "--points", "1"], "--points"),
        (["staff", "--contacts", "nan", "--aht", "180", "--service-level", "0.8",
          "--within", "20"], "--contacts"),
        (["staff", "--contacts", "100", "--aht", "inf", "--service-level", "0.8",
          "--within", "20"], "--aht"),
        (["staff", "--contacts", "100", "--aht", "180", "--service-level", "1.5",
          "--within", "20"], "--service-level"),
        (["requirements", SCENARIO, "--format", "xlsx"], "--format"),
        (["no-such-command"], "No such command"),
    ],
    ids=lambda v: " ".join(str(a) for a in v[:1] + v[2:4]) if isinstance(v, list) else v,
)  # fmt: skip
def test_bad_option(args: list[object], needle: str) -> None:
    """Out-of-range, non-finite, unknown or malformed options: exit 2, one message."""
    assert_clean_failure(invoke(*args), needle)


def test_bad_option_in_a_subprocess() -> None:
    """The same through the installed entry point (real argv, real exit code)."""
    assert_clean_failure(run("solve", SCENARIO, "--time-limit", "-1"), "--time-limit")


@pytest.mark.parametrize(
    "args",
    [
        ["requirements", SCENARIO, "--output", "{file}/out.csv"],
        ["export-lp", SCENARIO, "{file}/model.lp"],
        ["requirements", SCENARIO, "--output", "{long}.csv"],
    ],
    ids=["output-inside-a-file", "lp-inside-a-file", "output-name-too-long"],
)
def test_output_cannot_be_written(tmp_path: Path, args: list[object]) -> None:
    """An output path that cannot be written: exit 2, one message, no file left behind."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    fill = {"file": str(blocker), "long": str(tmp_path / ("o" * 300))}
    proc = invoke(*(str(a).format(**fill) for a in args))
    assert_clean_failure(proc, "cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_output_is_a_directory(tmp_path: Path) -> None:
    assert_clean_failure(invoke("requirements", SCENARIO, "--output", tmp_path), "directory")


@pytest.mark.parametrize(
    "args",
    [
        ["requirements", SCENARIO, "--output", "{dir}/out.csv/"],
        ["export-lp", SCENARIO, "{dir}/model.lp/"],
        ["solve", SCENARIO, "--plot", "{dir}/plan.png/"],
        ["quote", SCENARIO, "--output", "{dir}/quote.html/"],
    ],
    ids=["output", "export-lp", "plot", "quote"],
)
def test_output_ending_in_a_slash_is_a_folder_not_a_file(tmp_path: Path, args: list[str]) -> None:
    """``out.csv/`` names a folder; ``Path`` drops the slash, and the file ``out.csv``
    was written instead (a probe found it): exit 2, nothing written."""
    proc = invoke(*(a.format(dir=tmp_path) if isinstance(a, str) else a for a in args))
    assert_clean_failure(proc, "names a folder")
    assert list(tmp_path.iterdir()) == []


def test_serve_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    """The desk would have served an empty list of scenarios from a mistyped folder."""
    proc = invoke("serve", "--folder", tmp_path / "nowhere", "--port", "0", "--no-history")
    assert_clean_failure(proc, "does not exist")


@pytest.mark.parametrize("cost", ["1e10", "1e12"])
def test_a_huge_fixed_cost_is_infeasible_not_a_solver_error(cost: str) -> None:
    """A fixed cost of 1e10 a month (within the schema's range) cannot be carried: the
    check says NOT FEASIBLE, exit 3. It was 'solver error' (exit 4): the re-check of
    HiGHS's answer measured 1e10-sized terms cancelling to 7.6e-05 against 1, not
    against their own size (found by a probe)."""
    proc = invoke(
        "check", SCENARIO, "--time-limit", "20", "--set", f"provider.fixed_monthly_cost={cost}"
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stdout.startswith("NOT FEASIBLE") and "Traceback" not in proc.stderr


def _closing(*fds: int) -> Any:
    def close() -> None:
        for fd in fds:
            os.close(fd)

    return close


@pytest.mark.skipif(os.name != "posix", reason="closes descriptors before exec")
def test_closed_stdout_is_not_a_traceback_and_no_file_takes_its_place(tmp_path: Path) -> None:
    """``tierprice ... >&-``: what goes to stdout is dropped, as to the null device (exit
    0, no traceback: it was ``'NoneType' object has no attribute 'flush'``, exit 1; found
    by a probe); an output file opened then does not get descriptor 1, so nothing
    written to stdout lands in it: it is the same JSON as with stdout open."""
    out, again = tmp_path / "closed.json", tmp_path / "open.json"
    args = [sys.executable, "-m", "optimizer", "solve", str(SCENARIO), "--no-history"]
    closed = subprocess.run(
        [*args, "--output", str(out)], stderr=subprocess.PIPE, text=True, timeout=TIMEOUT,
        env=clean_env(), preexec_fn=_closing(0, 1),
    )  # fmt: skip
    assert closed.returncode == 0, closed.stderr
    assert "Traceback" not in closed.stderr
    run("solve", SCENARIO, "--no-history", "--output", again)
    strip = {"solver"}
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in (out, again))
    assert {k: v for k, v in first.items() if k not in strip} == {
        k: v for k, v in second.items() if k not in strip
    }
    for command in (["validate", str(SCENARIO)], ["--version"]):
        proc = subprocess.run(
            [sys.executable, "-m", "optimizer", *command], stderr=subprocess.PIPE, text=True,
            timeout=TIMEOUT, env=clean_env(), preexec_fn=_closing(1),
        )  # fmt: skip
        assert (proc.returncode, proc.stderr) == (0, ""), command
