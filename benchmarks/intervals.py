"""Benchmark of the interval-staffing deal end to end: the heuristic start against the old path.

Run from the repository root: ``python benchmarks/intervals.py [--seeds 0 1 2 3 4]``.

For each seed, the synthetic 10 x 3 x 7 interval deal (``benchmarks/synthetic.py``,
30-minute intervals) is solved end to end as ``tierprice solve`` does
(``run_scenario(scenario)``: requirements, build, solve, verify, explain), twice in
the same run and in the same process: with the start heuristic of
``optimizer.milp.start`` (the current path) and without it (``START_MIN_INTEGERS``
raised out of reach: the path before it). The order alternates between seeds, so that
neither strategy always runs on a warmer or quieter machine.

Printed per run: end to end and per stage (requirements, the main build and solve,
verify, explain with its own builds and re-solves), status and gap; and whether the
two strategies gave the same answer (margin, tiers and prices, every limit's shadow
price and relaxation gain). Then the medians over seeds, the ratio heuristic / old
path, the worst seed, and the targets: median <= 1.5 s end to end, every seed proven
optimal. Figures are printed, not asserted; the load average is printed at start and
end (2 shared cores: read ratios, not seconds).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_deal

from optimizer import pipeline
from optimizer.milp import phases
from optimizer.milp import solve as solve_module
from optimizer.results import VerifiedResult
from optimizer.scenario.schema import validate_scenario

TARGET_MEDIAN = 1.5
"""Seconds end to end, median over the seeds (issue 17, target 2)."""
STAGE_NAMES = ("requirements", "build", "solve", "verify", "explain")


class Clock:
    """Wall seconds per stage; a stage inside ``explain`` counts as explanation."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.depth: list[str] = []

    def timed(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if "explain" in self.depth:
                return fn(*args, **kwargs)
            self.depth.append(stage)
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.depth.pop()
                elapsed = time.perf_counter() - start
                self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed

        return wrapper


@contextmanager
def instrumented(clock: Clock) -> Iterator[None]:
    """The pipeline's stage functions timed by ``clock`` (restored afterwards)."""
    places = [
        (pipeline, "build_requirements", "requirements"),
        (phases, "build_model", "build"),
        (phases, "solve", "solve"),
        (pipeline, "verify", "verify"),
        (pipeline, "explain", "explain"),
    ]
    originals = [(module, name, getattr(module, name)) for module, name, _ in places]
    for (module, name, stage), (_, _, fn) in zip(places, originals, strict=True):
        setattr(module, name, clock.timed(stage, fn))
    try:
        yield
    finally:
        for module, name, fn in originals:
            setattr(module, name, fn)


PEAK_INTERVAL = re.compile(r"\[(mon|tue|wed|thu|fri|sat|sun) \d\d:\d\d\]$")
"""The interval a per-interval limit (seats) names: its peak, one of several on a tie."""


def answer(result: VerifiedResult) -> tuple[Any, ...]:
    """What must not change with the strategy: margin, choices, every limit's worth (a
    per-interval limit by its site alone: which of two tied peak intervals it names
    depends on the plan, not on its worth)."""
    margin = None if result.totals is None else round(result.totals.margin, 4)
    choices = tuple((c.name, c.tier, c.price) for c in result.categories)
    limits = tuple(
        (
            PEAK_INTERVAL.sub("", c.name),
            PEAK_INTERVAL.search(c.name) is not None,
            c.binding,
            None if c.shadow_price is None else round(c.shadow_price, 4),
            None if c.relax_gain is None else round(c.relax_gain, 2),
        )
        for c in result.constraints
    )
    return result.status.value, margin, choices, limits


def differences(new: tuple[Any, ...], old: tuple[Any, ...]) -> list[Any]:
    """The parts of two answers that differ (status, margin, choices, then per limit).
    A seat limit's shadow price is its rows' duals summed (one interval's dual was
    reported once, which on tied peak intervals the LP put on one row or another:
    seed 2 said 0 on one path and 36.59 on the other)."""
    changed: list[Any] = [(a, b) for a, b in zip(new[:3], old[:3], strict=True) if a != b]
    return changed + [(a, b) for a, b in zip(new[3], old[3], strict=True) if a != b]


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (the solver processes): on a
    shared machine a steadier measure than wall time, which waits for the other users."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_once(seed: int, heuristic: bool) -> dict[str, Any]:
    """One end-to-end run of seed ``seed``'s deal, with or without the start heuristic."""
    scenario = validate_scenario(
        make_deal(10, 3, 7, staffing="intervals", interval_minutes=30, seed=seed)
    )
    saved = solve_module.START_MIN_INTEGERS
    if not heuristic:
        solve_module.START_MIN_INTEGERS = sys.maxsize
    clock = Clock()
    try:
        with instrumented(clock):
            cpu = cpu_seconds()
            start = time.perf_counter()
            result = pipeline.run_scenario(scenario)
            seconds = time.perf_counter() - start
            cpu = cpu_seconds() - cpu
    finally:
        solve_module.START_MIN_INTEGERS = saved
    return {
        "e2e": seconds,
        "cpu": cpu,
        "stages": clock.seconds,
        "status": result.status.value,
        "gap": result.solver.gap,
        "answer": answer(result),
    }


def _line(seed: int, label: str, run: dict[str, Any]) -> str:
    stages = "  ".join(f"{s} {run['stages'].get(s, 0.0):6.2f}" for s in STAGE_NAMES)
    gap = "-" if run["gap"] is None else f"{100 * run['gap']:.4f}%"
    return (
        f"seed {seed}  {label:<9} e2e {run['e2e']:6.2f} s  cpu {run['cpu']:6.2f} s   {stages}"
        f"   {run['status']} {gap}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--repeats", type=int, default=1, help="runs per seed and strategy")
    args = parser.parse_args(argv)
    print(f"10x3x7 interval deal, seeds {args.seeds}; load average {os.getloadavg()}")
    runs: dict[str, list[dict[str, Any]]] = {"heuristic": [], "old path": []}
    same = True
    for k, seed in enumerate(args.seeds):
        per_seed: dict[str, list[dict[str, Any]]] = {"heuristic": [], "old path": []}
        for r in range(args.repeats):
            order = [True, False] if (k + r) % 2 == 0 else [False, True]
            for heuristic in order:
                label = "heuristic" if heuristic else "old path"
                run = run_once(seed, heuristic)
                per_seed[label].append(run)
                print(_line(seed, label, run), flush=True)
        for label, seed_runs in per_seed.items():
            best = min(seed_runs, key=lambda run: run["e2e"])
            runs[label].append(
                {
                    **best,
                    "e2e": statistics.median(r["e2e"] for r in seed_runs),
                    "cpu": statistics.median(r["cpu"] for r in seed_runs),
                }
            )
        changed = differences(per_seed["heuristic"][0]["answer"], per_seed["old path"][0]["answer"])
        if changed:
            same = False
            print(f"seed {seed}: DIFFERENT ANSWERS (heuristic, old path): {changed}", flush=True)
    print()
    medians = {label: statistics.median(r["e2e"] for r in rs) for label, rs in runs.items()}
    for label, rs in runs.items():
        stage = "  ".join(
            f"{s} {statistics.median(r['stages'].get(s, 0.0) for r in rs):.2f}" for s in STAGE_NAMES
        )
        worst = max(r["e2e"] for r in rs)
        print(f"{label:<9} median e2e {medians[label]:6.2f} s  worst {worst:6.2f} s   {stage}")
    ratio = medians["heuristic"] / medians["old path"]
    print(f"ratio heuristic / old path (median e2e): {ratio:.2f}")
    cpu = {label: statistics.median(r["cpu"] for r in rs) for label, rs in runs.items()}
    print(
        f"median CPU seconds (this process + solver children): heuristic {cpu['heuristic']:.2f},"
        f" old path {cpu['old path']:.2f}, ratio {cpu['heuristic'] / cpu['old path']:.2f}"
    )
    optimal = all(r["status"] == "optimal" for r in runs["heuristic"])
    verdict = "PASS" if medians["heuristic"] <= TARGET_MEDIAN else "MISS"
    print(f"{verdict}  median e2e {medians['heuristic']:.2f} s (target <= {TARGET_MEDIAN:g} s)")
    print(f"{'PASS' if optimal else 'MISS'}  every seed proven optimal")
    print(f"{'PASS' if same else 'MISS'}  the same answer with and without the heuristic")
    print(f"load average at the end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
