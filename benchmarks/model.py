"""Model benchmark: build and solve synthetic deals of growing size, against HiGHS alone.

For each deal of the size grid (categories x sites x days, 30-minute intervals, both
staffing modes) it measures, over ``--repeats`` runs (medians reported):

* requirements seconds (``build_requirements``), build seconds (``build_model``),
  rows, columns and non-zeros of the MILP;
* hand-over seconds: ``matrix_form`` alone (PuLP objects -> column-wise arrays), which
  is part of our solve;
* our solve seconds: ``solve(model, SolveOptions(time_limit=...))`` in interval mode
  (hand-over, HiGHS and reading the solution back), the pipeline's three shift phases
  in shift mode (``run_scenario``'s own solver seconds), with status and gap;
* end-to-end seconds of ``run_scenario(scenario, RunOptions(explain=False, ...))``
  (requirements, build, solve, verification);
* HiGHS alone on the same model written to MPS (``highspy``: ``readModel``, one
  thread, the same time limit; only ``run()`` is timed), with its status and gap;
* the overhead ratio (build + our solve) / HiGHS alone, computed within each repeat.

Every measurement runs in a child process with a hard wall-clock limit, because
HiGHS can overrun its own time limit on hard shift models (seen on 2 shared cores).
The machine is shared and noisy: read medians, compare ratios, not absolute seconds.

Usage::

    python benchmarks/model.py                  # full grid, 3 repeats (tens of minutes)
    python benchmarks/model.py --quick          # smoke run, small grid
    python benchmarks/model.py --only intervals --repeats 5 --time-limit 30
"""

from __future__ import annotations

import argparse
import contextlib
import math
import multiprocessing as mp
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from synthetic import make_deal  # noqa: E402

INTERVALS = [
    (1, 1, 1), (3, 2, 1), (3, 2, 3), (5, 2, 3), (10, 3, 1), (10, 3, 3), (10, 3, 7), (20, 4, 7),
]  # fmt: skip
SHIFTS = [(3, 2, 1), (3, 2, 3), (5, 2, 3), (10, 3, 7)]
"""(categories, sites, days). ``make_deal`` puts a month's volume on however many days
are open and carries the same fixed costs at every size, so some small deals are
infeasible (1x1x1, 3x2x1, 10x3x1 on seats or margin; 5x2x3 in shift mode): they still
time the build and the infeasibility proof, and the table says so. 3x2x3 and 10x3x3
are feasible points in between."""
QUICK_INTERVALS = [(1, 1, 1), (3, 2, 3), (5, 2, 3)]
QUICK_SHIFTS = [(3, 2, 3)]

TARGET_CASE = (10, 3, 7)
INTERVAL_SECONDS = 5.0
"""10x3x7 in interval mode: end to end under this many seconds ..."""
INTERVAL_GAP = 1e-4
"""... proven optimal: gap at most 0.01%."""
SHIFT_SECONDS = 60.0
"""10x3x7 in shift mode: end to end under this many seconds ..."""
SHIFT_GAP = 0.01
"""... within 1% of the best bound."""
OVERHEAD_RATIO = 2.0
"""(build + our solve) / HiGHS alone on the same model."""
MEANINGFUL_SECONDS = 0.5
"""Ratios are judged only where HiGHS alone needs at least this long: below it, a few
milliseconds of Python dominate and the ratio says nothing about a real deal."""

SLACK_SECONDS = 120.0
"""Wall-clock allowance on top of the time limits before a child process is killed."""


@dataclass(frozen=True)
class Case:
    mode: str
    categories: int
    sites: int
    days: int

    @property
    def label(self) -> str:
        return f"{self.categories}x{self.sites}x{self.days}"


# --------------------------------------------------------------------------- children


def _scenario(case: Case, interval_minutes: int) -> Any:
    from optimizer.scenario.schema import validate_scenario

    raw = make_deal(case.categories, case.sites, case.days, case.mode, interval_minutes, seed=0)
    return validate_scenario(raw, f"synthetic {case.label} {case.mode}")


def measure_ours(case: Case, time_limit: float, interval_minutes: int, mps: str) -> dict:
    """Our side of one repeat (runs in a child). Writes the model to ``mps`` (untimed)."""
    from optimizer.milp.matrix import matrix_form
    from optimizer.milp.model import build_model
    from optimizer.milp.solve import solve
    from optimizer.options import RunOptions, SolveOptions
    from optimizer.pipeline import run_scenario
    from optimizer.staffing.requirements import build_requirements

    scenario = _scenario(case, interval_minutes)
    out: dict[str, Any] = {}
    clock = time.perf_counter()
    reqs = build_requirements(scenario)
    out["reqs"] = time.perf_counter() - clock
    clock = time.perf_counter()
    model = build_model(scenario, reqs)
    out["build"] = time.perf_counter() - clock
    out["rows"] = len(model.rows)
    out["cols"] = len(model.prob.variables())
    clock = time.perf_counter()
    form = matrix_form(model.prob, model.rows)
    out["handover"] = time.perf_counter() - clock
    out["nnz"] = int(form.values.size)
    out["integers"] = int(form.integer.sum())
    if not os.path.exists(mps):
        # PuLP's default MPS keeps the sense only as a comment (HiGHS would minimise a
        # max_margin model) and drops the objective constant: write OBJSENSE and hand
        # the constant to HiGHS as an offset, so both sides solve the same problem and
        # measure their relative gap against the same objective.
        model.prob.writeMPS(mps, with_objsense=True)
    out["offset"] = float(model.prob.objective.constant)
    options = SolveOptions(time_limit=time_limit)
    if case.mode == "intervals":
        clock = time.perf_counter()
        solution = solve(model, options)
        out["solve"] = time.perf_counter() - clock
        out["status"] = str(solution.status)
        out["gap"] = solution.solver.gap
        out["objective"] = solution.objective_value
    del model, form
    clock = time.perf_counter()
    result = run_scenario(scenario, RunOptions(explain=False, solve=options))
    out["e2e"] = time.perf_counter() - clock
    out["e2e_status"] = str(result.status)
    out["verified"] = bool(result.verified)
    if case.mode == "shifts":
        # The pipeline's three phases (interval model, pinned shift model, full shift
        # model warm-started), timed by the pipeline from after the full model's build.
        out["solve"] = result.solver.seconds
        out["status"] = str(result.status)
        out["gap"] = result.solver.gap
        out["objective"] = result.totals.margin if result.totals is not None else None
    return out


def measure_highs(mps: str, offset: float, time_limit: float) -> dict:
    """HiGHS alone on the MPS file (runs in a child); only ``run()`` is timed."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if h.readModel(mps) != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS could not read {mps}")
    h.changeObjectiveOffset(offset)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("time_limit", float(time_limit))
    clock = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - clock
    info = h.getInfo()
    has_primal = info.primal_solution_status == 2
    status = h.modelStatusToString(h.getModelStatus())
    return {
        "seconds": seconds,
        "status": status.lower(),
        "gap": max(0.0, float(info.mip_gap)) if has_primal else None,
        "objective": float(info.objective_function_value) if has_primal else None,
    }


def _child(conn: Any, fn: Callable[..., dict], args: tuple) -> None:
    # A process group of its own, so that the parent can stop the child together with
    # the solver processes it forks (``optimizer.milp.highs`` runs HiGHS in a child when a
    # time limit is set).
    os.setpgrp()
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # reported to the parent, not swallowed
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def in_child(fn: Callable[..., dict], args: tuple, wall: float) -> dict:
    """``fn(*args)`` in a fresh process, killed (with its own children) after ``wall`` s."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    # Not daemonic: a daemonic process may not start children, and solve() forks one.
    proc = ctx.Process(target=_child, args=(child, fn, args))
    clock = time.perf_counter()
    proc.start()
    child.close()
    try:
        if not parent.poll(wall):
            _kill_group(proc.pid)
            proc.join()
            return {"killed": round(time.perf_counter() - clock, 1)}
        kind, payload = parent.recv()
    except EOFError:
        proc.join()
        return {"error": f"child died with exit code {proc.exitcode}"}
    finally:
        parent.close()
    proc.join()
    if kind == "error":
        return {"error": payload}
    return payload


def _kill_group(pid: int | None) -> None:
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- driver


@dataclass
class Row:
    case: Case
    ours: list[dict]
    highs: list[dict]
    ratios: list[float]
    problems: list[str]


def run_case(case: Case, repeats: int, time_limit: float, minutes: int, log: Any) -> Row:
    row = Row(case, [], [], [], [])
    with tempfile.TemporaryDirectory(prefix="tierprice-bench-") as tmp:
        mps = os.path.join(tmp, "model.mps")
        for r in range(repeats):
            ours = in_child(
                measure_ours, (case, time_limit, minutes, mps), 3 * time_limit + SLACK_SECONDS
            )
            if "killed" in ours or "error" in ours:
                row.problems.append(f"ours: {ours}")
                break
            highs = in_child(
                measure_highs, (mps, ours["offset"], time_limit), time_limit + SLACK_SECONDS
            )
            row.ours.append(ours)
            if "killed" in highs or "error" in highs:
                row.problems.append(f"HiGHS alone: {highs}")
                break
            row.highs.append(highs)
            row.ratios.append((ours["build"] + ours["solve"]) / max(highs["seconds"], 1e-9))
            print(
                f"  {case.mode:9} {case.label:7} repeat {r + 1}/{repeats}: "
                f"build {ours['build']:.2f} s, solve {ours['solve']:.2f} s ({ours['status']}), "
                f"end to end {ours['e2e']:.2f} s; HiGHS alone {highs['seconds']:.2f} s "
                f"({highs['status']})",
                file=log,
                flush=True,
            )
    return row


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def _gap_text(gaps: list[float | None]) -> str:
    if not gaps:
        return "-"
    if any(g is None for g in gaps):
        return "none"
    return f"{100 * max(g for g in gaps if g is not None):.3f}%"


def _status_text(statuses: list[str]) -> str:
    short = {"optimal": "opt", "feasible": "feas", "time limit reached": "time"}
    seen = []
    for s in statuses:
        s = short.get(s, s)
        if s not in seen:
            seen.append(s)
    return "/".join(seen) or "-"


HEAD = [
    "mode", "case", "rows", "cols", "nnz", "reqs s", "build s", "handover s", "solve s",
    "status", "gap", "e2e s", "highs s", "highs st", "highs gap", "ratio",
]  # fmt: skip


def table_rows(rows: list[Row]) -> list[list[str]]:
    out = []
    for row in rows:
        ours, highs = row.ours, row.highs
        if not ours:
            out.append([row.case.mode, row.case.label] + ["-"] * (len(HEAD) - 3) + ["failed"])
            continue

        def med(key: str, src: list[dict] = ours) -> float:
            return _median([float(o[key]) for o in src])

        out.append(
            [
                row.case.mode,
                row.case.label,
                f"{ours[0]['rows']:,}",
                f"{ours[0]['cols']:,}",
                f"{ours[0]['nnz']:,}",
                f"{med('reqs'):.3f}",
                f"{med('build'):.3f}",
                f"{med('handover'):.3f}",
                f"{med('solve'):.2f}",
                _status_text([o["status"] for o in ours]),
                _gap_text([o["gap"] for o in ours]),
                f"{med('e2e'):.2f}",
                f"{med('seconds', highs):.2f}" if highs else "-",
                _status_text([h["status"] for h in highs]),
                _gap_text([h["gap"] for h in highs]),
                f"{_median(row.ratios):.2f}" if row.ratios else "-",
            ]
        )
    return out


def render(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEAD, *rows]) for i in range(len(HEAD))]
    lines = []
    for r in [HEAD, *rows]:
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        lines.append("  ".join(cells))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def summary(rows: list[Row]) -> list[str]:
    by = {(r.case.mode, (r.case.categories, r.case.sites, r.case.days)): r for r in rows}
    lines = []
    label = "x".join(map(str, TARGET_CASE))
    row = by.get(("intervals", TARGET_CASE))
    if row is None or not row.ours:
        lines.append(f"----  {label} intervals: not run (target < 5 s, gap <= 0.01%)")
    else:
        e2e = _median([o["e2e"] for o in row.ours])
        gaps = [o["gap"] for o in row.ours]
        worst = max((g if g is not None else math.inf) for g in gaps)
        ok = e2e < INTERVAL_SECONDS and worst <= INTERVAL_GAP and not row.problems
        lines.append(
            f"{_verdict(ok)}  {label} intervals: {e2e:.1f} s end to end, gap "
            f"{_gap_text(gaps)}, {_status_text([o['status'] for o in row.ours])} "
            f"(target < {INTERVAL_SECONDS:g} s, gap <= {100 * INTERVAL_GAP:g}%)"
        )
    row = by.get(("shifts", TARGET_CASE))
    if row is None or not row.ours:
        lines.append(f"----  {label} shifts: not run (target < 60 s, gap <= 1%)")
    else:
        e2e = _median([o["e2e"] for o in row.ours])
        gaps = [o["gap"] for o in row.ours]
        worst = max((g if g is not None else math.inf) for g in gaps)
        ok = e2e < SHIFT_SECONDS and worst <= SHIFT_GAP and not row.problems
        lines.append(
            f"{_verdict(ok)}  {label} shifts: {e2e:.1f} s end to end, gap {_gap_text(gaps)} "
            f"(target < {SHIFT_SECONDS:g} s, gap <= {100 * SHIFT_GAP:g}%); HiGHS alone "
            f"on the full shift model: gap {_gap_text([h['gap'] for h in row.highs])}"
        )
    row = by.get(("intervals", TARGET_CASE))
    if row is not None and row.ratios:
        ratio = _median(row.ratios)
        lines.append(
            f"{_verdict(ratio <= OVERHEAD_RATIO)}  {label} intervals overhead: "
            f"(build + solve) / HiGHS alone = {ratio:.2f} (target <= {OVERHEAD_RATIO:g})"
        )
    judged = [
        (r, _median(r.ratios))
        for r in rows
        if r.case.mode == "intervals"
        and r.ratios
        and _median([h["seconds"] for h in r.highs]) >= MEANINGFUL_SECONDS
    ]
    if judged:
        worst_row, worst = max(judged, key=lambda p: p[1])
        lines.append(
            f"{_verdict(worst <= OVERHEAD_RATIO)}  overhead, interval cases where HiGHS alone "
            f"takes >= {MEANINGFUL_SECONDS:g} s: worst {worst:.2f} at {worst_row.case.label} "
            f"(target <= {OVERHEAD_RATIO:g})"
        )
    else:
        lines.append(
            f"----  overhead: no interval case where HiGHS alone takes >= "
            f"{MEANINGFUL_SECONDS:g} s (ratios of tiny models are not judged)"
        )
    lines.append("----  CBC and HiGHS agreeing: tested in the test suite, not measured here")
    for r in rows:
        statuses = {o["e2e_status"] for o in r.ours}
        if "infeasible" in statuses:
            lines.append(
                f"NOTE  {r.case.mode} {r.case.label}: the deal is infeasible "
                "(end to end includes the diagnosis's extra solves)"
            )
        if any(o["e2e_status"] in ("optimal", "feasible") and not o["verified"] for o in r.ours):
            lines.append(f"NOTE  {r.case.mode} {r.case.label}: a result failed verification")
        if "no_solution" in statuses:
            lines.append(f"NOTE  {r.case.mode} {r.case.label}: no solution within the time limit")
        for p in r.problems:
            lines.append(f"NOTE  {r.case.mode} {r.case.label}: {p}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small grid (smoke run)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case (medians)")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds per solve (ours and HiGHS alone)"
    )
    parser.add_argument("--only", choices=["intervals", "shifts"], help="one staffing mode")
    parser.add_argument(
        "--case",
        action="append",
        metavar="CxSxD",
        help="only this size, e.g. 10x3x7 (repeatable; with the grids' modes or --only)",
    )
    parser.add_argument("--interval-minutes", type=int, default=30, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    grids = {
        "intervals": QUICK_INTERVALS if args.quick else INTERVALS,
        "shifts": QUICK_SHIFTS if args.quick else SHIFTS,
    }
    if args.case:
        try:
            sizes = [tuple(int(n) for n in c.lower().split("x")) for c in args.case]
        except ValueError:
            parser.error("--case takes CATEGORIESxSITESxDAYS, e.g. 10x3x7")
        if any(len(size) != 3 or min(size) < 1 for size in sizes):
            parser.error("--case takes CATEGORIESxSITESxDAYS, e.g. 10x3x7")
        grids = {mode: sizes for mode in grids}
    cases = [
        Case(mode, *size)
        for mode, sizes in grids.items()
        if args.only in (None, mode)
        for size in sizes
    ]
    # No solver runs in this process: children are forked, and HiGHS threads must not be.
    print(
        f"tierprice model benchmark: {len(cases)} cases x {args.repeats} repeats, "
        f"time limit {args.time_limit:g} s, {args.interval_minutes}-minute intervals, "
        f"PuLP {_version('pulp')}, highspy {_version('highspy')}, {os.cpu_count()} CPUs",
        flush=True,
    )
    rows = []
    for case in cases:
        rows.append(
            run_case(case, args.repeats, args.time_limit, args.interval_minutes, sys.stdout)
        )
    print()
    print(render(table_rows(rows)))
    print(
        "\nmedians over repeats; gap = worst over repeats; solve s = hand-over + HiGHS + "
        "read-back (shifts: the pipeline's three phases);\nratio = (build + solve) / HiGHS "
        "alone on the same model from MPS (run() only), median of per-repeat ratios\n"
    )
    for line in summary(rows):
        print(line)
    return 0


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    raise SystemExit(main())
