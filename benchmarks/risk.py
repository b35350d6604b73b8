"""Benchmark of the volume-risk simulation (``tierprice risk``) on the 10 x 3 x 7 deal.

Run from the repository root: ``python benchmarks/risk.py [--draws 10000] [--runs 3]``.

The synthetic interval deal (``benchmarks/synthetic.py``: 10 categories, 3 sites, open
08:00-20:00 on 7 days, 30-minute intervals, seed 0) is solved once (not timed), then
simulated with the default uncertainty (Poisson arrivals, day windows). Printed: the
median over ``--runs`` of ``--draws`` months on every core (the target: 10,000 months
in under 10 s), with the CPU seconds they took, and three baselines measured in the
same run: the same months on one process (``workers=1``: the same figures), the plain
solve of the same deal (``run_scenario`` without the explanation), and the
one-draw-at-a-time loop (``simulate(plan, 1)`` on 100 seeds, scaled to ``--draws``).
The load average is printed at start and end (2 shared cores: read ratios, not
seconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_deal

from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.risk.engine import simulate
from optimizer.risk.plan import deal_plan
from optimizer.risk.workers import default_workers
from optimizer.scenario.schema import validate_scenario
from optimizer.staffing.requirements import build_requirements

LOOP_DRAWS = 100
"""Months of the one-draw-at-a-time baseline (then scaled)."""


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def cpu_timed(run: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds of ``run`` (its children's CPU included)."""
    before = os.times()
    wall = timed(run)
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    scenario = validate_scenario(make_deal(categories=10, sites=3, days=7))
    options = RunOptions(explain=False, diagnose=False)
    result = run_scenario(scenario, options)
    plan = deal_plan(scenario, build_requirements(scenario), result)
    both = [cpu_timed(lambda: simulate(plan, args.draws, 0)) for _ in range(args.runs)]
    sim = [b[0] for b in both]
    one = [timed(lambda: simulate(plan, args.draws, 0, workers=1)) for _ in range(args.runs)]
    solve = [timed(lambda: run_scenario(scenario, options)) for _ in range(args.runs)]
    loop = timed(lambda: [simulate(plan, 1, seed) for seed in range(LOOP_DRAWS)])
    loop_scaled = loop * args.draws / LOOP_DRAWS
    risk = simulate(plan, args.draws, 0)
    median = statistics.median(sim)
    print(f"deal: {scenario.scenario}, status {result.status}")
    print(f"simulate {args.draws} months: median {median:.2f} s over {args.runs} runs")
    print(f"  runs: {', '.join(f'{s:.2f}' for s in sim)} s; target < 10 s", end="; ")
    print(f"CPU {statistics.median(b[1] for b in both):.2f} s ({default_workers(10**6)} processes)")
    print(f"on one process: median {statistics.median(one):.2f} s")
    print(f"  speed-up of the cores: {statistics.median(one) / median:.2f}x")
    print(f"plain solve of the deal: median {statistics.median(solve):.2f} s")
    print(f"  ratio simulate / solve: {median / statistics.median(solve):.2f}")
    print(f"one draw at a time, {LOOP_DRAWS} months scaled to {args.draws}: {loop_scaled:.1f} s")
    print(f"  speed-up of the vectorised engine: {loop_scaled / median:.1f}x")
    p5 = sorted(risk.margin)[len(risk.margin) // 20]
    print(f"margin mean {risk.margin.mean():,.0f}, p5 {p5:,.0f}, P(margin below floor) ", end="")
    print(f"{risk.p_margin_below_floor:.3f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
