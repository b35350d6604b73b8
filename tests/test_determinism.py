"""Determinism (issue 7): the same scenario and options give byte-identical output.

``tierprice solve`` runs twice on two example scenarios for each of JSON, CSV and
the text table; ``compare`` and ``sweep`` run with ``--workers 1`` and
``--workers 2``. The outputs must be byte-identical apart from timings, which live
only in ``solver.seconds`` (JSON) and the table's last line. Each run is a separate
process with its own hash seed, so nothing may depend on set or dict order that
varies between processes. Runs go two at a time (the machine has two cores).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from helpers import SCENARIOS_DIR

TIMEOUT = 300
"""Seconds allowed for one run."""
SOLVE_SCENARIOS = ("answering_service.yaml", "journey_study.yaml")
BATCH_SCENARIO = SCENARIOS_DIR / "answering_service.yaml"
"""Has two variants; its solves take about a second each."""
SWEEP = "categories.*.contacts_per_month=x0.9:x1.1:3"

SECONDS_JSON = re.compile(rb'"seconds": [-+0-9.eE]+')
TIMING_LINE = re.compile(rb"^verified: [^\n]*; solver \S+ [0-9.]+ s$", re.MULTILINE)


def run(args: list[object], hash_seed: int) -> bytes:
    """``tierprice *args`` in a subprocess; its stdout as bytes (exit 0 required)."""
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    env.update(PYTHONHASHSEED=str(hash_seed), PYTHONIOENCODING="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)],
        capture_output=True,
        timeout=TIMEOUT,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert proc.stdout, args
    return proc.stdout


def run_all(commands: list[tuple[list[object], int]]) -> list[bytes]:
    """Run ``(args, hash seed)`` pairs two at a time; outputs in the given order."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda c: run(*c), commands))


def seconds_only_under_solver(data: Any, parent: str = "") -> None:
    """Timings may appear only as ``solver.seconds``."""
    if isinstance(data, dict):
        for key, value in data.items():
            if "second" in str(key):
                assert parent == "solver", f"a timing outside solver: {parent}.{key}"
            seconds_only_under_solver(value, str(key))
    elif isinstance(data, list):
        for item in data:
            seconds_only_under_solver(item, parent)


def without_timings(output: bytes, fmt: str) -> bytes:
    """The output with its timings blanked (JSON ``solver.seconds``, the table's last line)."""
    if fmt == "json":
        seconds_only_under_solver(json.loads(output))
        return SECONDS_JSON.sub(b'"seconds": 0', output)
    if fmt == "table":
        return TIMING_LINE.sub(b"verified: (timing removed)", output)
    return output


def assert_identical(first: bytes, second: bytes, fmt: str, what: str) -> None:
    a, b = without_timings(first, fmt), without_timings(second, fmt)
    if a != b:
        lines = zip(a.decode().splitlines(), b.decode().splitlines(), strict=False)
        diff = [f"  {x!r}\n  {y!r}" for x, y in lines if x != y][:5]
        pytest.fail(f"{what} ({fmt}) differs between runs:\n" + "\n".join(diff))


@pytest.mark.parametrize("name", SOLVE_SCENARIOS)
def test_solve_twice_identical(name: str) -> None:
    """Two runs of ``tierprice solve`` (with explanation) agree byte for byte."""
    formats = ("json", "csv", "table")
    commands = [
        (["solve", SCENARIOS_DIR / name, "--format", fmt], seed)
        for fmt in formats
        for seed in (1, 2)
    ]
    outputs = run_all(commands)
    for i, fmt in enumerate(formats):
        first, second = outputs[2 * i], outputs[2 * i + 1]
        assert_identical(first, second, fmt, f"solve {name}")
    table = outputs[4].decode()
    assert TIMING_LINE.search(outputs[4]), table  # the one line that is allowed to differ
    assert table.count("\n") > 5, table


@pytest.mark.parametrize(
    "command",
    [
        ["compare", BATCH_SCENARIO, "--variants", "all"],
        ["sweep", BATCH_SCENARIO, "--vary", SWEEP],
    ],
    ids=["compare", "sweep"],
)
def test_worker_count_does_not_change_output(command: list[object]) -> None:
    """``--workers 1`` (serial, in-process) and ``--workers 2`` (a pool) agree byte for byte."""
    formats = ("json", "csv")
    commands = [
        ([*command, "--format", fmt, "--workers", workers], seed)
        for fmt in formats
        for workers, seed in (("1", 3), ("2", 4))
    ]
    outputs = run_all(commands)
    for i, fmt in enumerate(formats):
        assert_identical(outputs[2 * i], outputs[2 * i + 1], fmt, f"{command[0]} workers 1 vs 2")
    rows = json.loads(outputs[0])
    assert len(rows) == 3, rows  # the base and two variants, or three sweep points
