"""Benchmark of ``tierprice check`` on a 10-category, 3-site, 7-day interval-mode deal.

Run from the repository root: ``python benchmarks/check.py [--repeat N]``.

The synthetic deal (``benchmarks/synthetic.py``) is solved once for its lowest possible
client spend (objective min_price); a budget well below that spend makes the deal
infeasible for one reason. The full check (solve, then the diagnosis with every
suggestion proven by re-solving) runs ``--repeat`` times; the median wall time and the
diagnosis lines are printed. A feasible check (the deal as generated, with the
shadow-price explanation the command computes) is timed the same way.
Target: under 10 s per check. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_deal

from optimizer.options import RunOptions, check_options
from optimizer.output import report
from optimizer.pipeline import run_scenario
from optimizer.results import VerifiedResult
from optimizer.scenario.schema import Scenario, validate_scenario

BUDGET_SHARE = 0.90
"""The infeasible budget as a share of the lowest spend any feasible deal needs."""
TARGET_SECONDS = 10.0


def timed_check(
    scenario: Scenario, repeat: int
) -> tuple[list[float], list[float], VerifiedResult, str]:
    """Run the check as the command does (``check_options``), ``repeat`` times.

    Returns wall seconds and CPU seconds per run (the solver runs one thread, so CPU
    time is close to the wall time on an idle machine), the last result and its text."""
    wall, cpu = [], []
    result = None
    text = ""
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run_scenario(scenario, check_options({}))
        text = report.check_text(result)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    assert result is not None
    return wall, cpu, result, text


def show(label: str, wall: list[float], cpu: list[float]) -> None:
    median = statistics.median(wall)
    runs = ", ".join(f"{s:.2f}" for s in wall)
    flag = "ok" if median < TARGET_SECONDS else f"OVER the {TARGET_SECONDS:g} s target"
    print(
        f"{label}: median {median:.2f} s wall ({runs}), {statistics.median(cpu):.2f} s CPU, "
        f"over {len(wall)} runs — {flag}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    deal = validate_scenario(make_deal(10, 3, 7), "<synthetic>")
    start = time.perf_counter()
    cheapest = run_scenario(deal, RunOptions(objective="min_price", explain=False))
    assert cheapest.totals is not None, "the synthetic deal must be feasible"
    lowest = cheapest.totals.revenue
    budget = round(BUDGET_SHARE * lowest)
    print(
        f"{deal.scenario}: lowest client spend {lowest:,.0f} {deal.currency} per month "
        f"(min_price solve {time.perf_counter() - start:.2f} s); budget set to {budget:,} "
        f"({BUDGET_SHARE:.0%})"
    )

    wall, cpu, result, text = timed_check(deal, args.repeat)
    show("feasible check", wall, cpu)
    print("  " + text.splitlines()[0])

    tight = deal.with_overrides({"client.budget_per_month": budget})
    wall, cpu, result, text = timed_check(tight, args.repeat)
    show("infeasible check (with diagnosis)", wall, cpu)
    for line in text.rstrip().splitlines():
        print(f"  {line}" if line else "")
    print(f"  ({len(result.diagnosis)} proven suggestions)")


if __name__ == "__main__":
    main()
