"""Benchmark of the margin-budget frontier on one worker, against one solve of the same deal.

Run from the repository root:
``python benchmarks/frontier.py [--points 10] [--repeats 3] [--no-reuse] [--old] [SCENARIO ...]``
(default: ``scenarios/nordic_telco.yaml``, ``scenarios/retail_bank.yaml`` and
``synthetic:10x3x7:0``, the 10 x 3 x 7 interval deal of ``benchmarks/synthetic.py`` with
seed 0, whose budget-bound points were the slow ones: 10-68 s each).

Baseline, measured in the same run: one solve of the deal as ``tierprice solve
--no-explain`` runs it (``run_scenario`` with ``max_margin``, without the explanation,
as every frontier point is solved). Measured: ``run_frontier(points, workers=1)``,
split into the axis (its lowest-feasible and best-margin solves) and the points; and,
by counting calls, how many MILPs a point solves (the main one, then the quotable-price
re-solves of ``at_quotable_prices``) and what share of the time the model builds take.
``--no-reuse``: also the frontier with every point's model built anew (the
points share one model since ``optimizer.milp.reuse``), in the same run.
Target: a 10-point frontier in <= 3 x the time of one solve. Medians over repeats;
figures are printed, not asserted; the load average is printed at start and end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.milp import phases, reuse
from optimizer.milp import start as start_module
from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.scenario.loader import load_scenario
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.studies import frontier

TARGET_RATIO = 3.0
DEFAULT_SCENARIOS = (
    "scenarios/nordic_telco.yaml",
    "scenarios/retail_bank.yaml",
    "synthetic:10x3x7:0",
)


def scenario_of(spec: str) -> Scenario:
    """A scenario file, or ``synthetic:CxSxD:SEED`` (``synthetic.make_deal``, intervals)."""
    if not spec.startswith("synthetic:"):
        return load_scenario(spec)
    from synthetic import make_deal

    _, size, seed = spec.split(":")
    cats, sites, days = (int(n) for n in size.split("x"))
    raw = make_deal(cats, sites, days, staffing="intervals", seed=int(seed))
    return validate_scenario(raw, spec)


class Tally:
    """Calls and seconds of the wrapped functions."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.calls[name] = self.calls.get(name, 0) + 1
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

        return timed


@contextmanager
def tallied() -> Iterator[Tally]:
    """Count the solves and builds of the solve phases (``optimizer.milp.phases``)."""
    tally = Tally()
    saved = phases.solve, phases.build_model
    phases.solve = tally.wrap("solve", phases.solve)
    phases.build_model = tally.wrap("build", phases.build_model)
    try:
        yield tally
    finally:
        phases.solve, phases.build_model = saved


def one_solve(scenario: Scenario) -> float:
    """Seconds of one frontier-like solve of ``scenario``."""
    start = time.perf_counter()
    run_scenario(scenario, RunOptions(objective="max_margin", explain=False, diagnose=False))
    return time.perf_counter() - start


def one_frontier(scenario: Scenario, points: int) -> tuple[float, float, Tally]:
    """Seconds of the axis, seconds of the whole frontier, and the tally of its points."""
    options = RunOptions(explain=False, diagnose=False)
    start = time.perf_counter()
    frontier.frontier_axis(scenario, points, options)
    axis = time.perf_counter() - start
    start = time.perf_counter()
    with tallied() as tally:
        frontier.run_frontier(scenario, points, replace(options), workers=1)
    return axis, time.perf_counter() - start, tally


@contextmanager
def patched(module: Any, name: str, value: Any) -> Iterator[None]:
    """``module.name`` set to ``value`` for the block."""
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


@contextmanager
def each_point_alone() -> Iterator[None]:
    """``optimizer.milp.reuse.across_points`` as a no-op: every point builds its model."""
    yield


def old_frontier(scenario: Scenario, points: int) -> float:
    """Seconds of the frontier without the repricing of ``optimizer.milp.start`` (the
    start heuristic as before its prices were chosen again: ``start._split`` off)."""
    with patched(start_module, "_split", lambda *args: False):
        return one_frontier(scenario, points)[1]


def unreused_frontier(scenario: Scenario, points: int) -> float:
    """Seconds of the frontier with each point's model built anew."""
    with patched(reuse, "across_points", each_point_alone):
        return one_frontier(scenario, points)[1]


def report(path: str, points: int, repeats: int, old: bool, fresh: bool) -> None:
    scenario = scenario_of(path)
    one_solve(scenario)  # warm the imports and caches out of the figures
    solves, axes, totals, tallies = [], [], [], []
    for _ in range(repeats):
        solves.append(one_solve(scenario))
        axis, total, tally = one_frontier(scenario, points)
        axes.append(axis)
        totals.append(total)
        tallies.append(tally)
    solve, total = statistics.median(solves), statistics.median(totals)
    tally = tallies[-1]
    milps = tally.calls.get("solve", 0)
    build_share = tally.seconds.get("build", 0.0) / max(sum(tally.seconds.values()), 1e-9)
    ratio = total / solve
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(
        f"{path}: one solve {solve:.2f} s; {points}-point frontier {total:.2f} s "
        f"(axis {statistics.median(axes):.2f} s) = {ratio:.1f} x one solve "
        f"(target <= {TARGET_RATIO:g} x: {verdict})"
    )
    print(
        f"  {milps} MILPs in the frontier ({milps / points:.1f} a point with the axis's), "
        f"{tally.calls.get('build', 0)} model builds: builds are {100 * build_share:.0f}% "
        "of build + solve time"
    )
    if fresh:
        built = statistics.median(unreused_frontier(scenario, points) for _ in range(repeats))
        print(f"  every point's model built anew: {built:.2f} s ({built / total:.2f} x the above)")
    if old:
        before = old_frontier(scenario, points)
        print(f"  without repricing: {before:.2f} s ({before / total:.1f} x the frontier above)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=list(DEFAULT_SCENARIOS))
    parser.add_argument("--points", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--old",
        action="store_true",
        help="also time one frontier without the start heuristic's repricing (slow: "
        "about 160 s on the 10 x 3 x 7 deal)",
    )
    parser.add_argument(
        "--no-reuse",
        action="store_true",
        help="also time the frontier with every point's model built anew "
        "(without optimizer.milp.reuse), as many repeats",
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    for path in args.scenarios:
        report(path, args.points, args.repeats, args.old, args.no_reuse)
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
