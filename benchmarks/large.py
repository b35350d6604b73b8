"""Benchmark of one large deal: 50 categories, 6 sites, a whole week of 15-minute intervals.

Run from the repository root: ``python benchmarks/large.py [--time-limit 300]``.

The synthetic deal (``benchmarks/synthetic.py``, interval staffing) is validated and
solved in-process with ``run_scenario(..., RunOptions(explain=False))``. Each stage
the pipeline runs (requirements, model build, solve, verify) is timed by wrapping
the pipeline's own functions, and the process's peak resident memory
(``ru_maxrss``) is read after each stage, so a stage that blows memory or time is
named. ``--tracemalloc`` also records the peak of Python allocations (slower).
Target: within 2 GB and 5 minutes, or the best solution found when the solver's time
limit stops it (status ``feasible`` with its gap). Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_deal

from optimizer import pipeline
from optimizer.options import RunOptions, SolveOptions
from optimizer.pipeline import run_scenario
from optimizer.scenario.schema import validate_scenario

TARGET_SECONDS = 300.0
TARGET_RSS_MB = 2048.0
STAGES = {
    "build_requirements": "requirements",
    "build_model": "build",
    "solve": "solve",
    "verify": "verify",
}
"""Pipeline functions wrapped for timing -> the stage they belong to."""


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory so far, in MB (Linux reports kB).

    ``RUSAGE_SELF`` is this process; ``RUSAGE_CHILDREN`` the largest finished child
    (a solver run in a separate process counts there, not in this process).
    """
    peak = resource.getrusage(who).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


class Stages:
    """Wall time, call count and peak RSS after each stage."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.rss_after: dict[str, float] = {}

    def record(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds
        self.calls[stage] = self.calls.get(stage, 0) + 1
        self.rss_after[stage] = rss_mb()
        print(
            f"  .. {stage:<12} {seconds:8.2f} s   peak RSS {self.rss_after[stage]:8.0f} MB"
            f" (children {rss_mb(resource.RUSAGE_CHILDREN):.0f} MB)",
            flush=True,
        )

    def timed(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.record(stage, time.perf_counter() - start)

        return wrapper


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--categories", type=int, default=50)
    parser.add_argument("--sites", type=int, default=6)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--interval-minutes", type=int, default=15, choices=(15, 30, 60))
    parser.add_argument("--staffing", default="intervals", choices=("intervals", "shifts"))
    parser.add_argument("--time-limit", type=float, default=TARGET_SECONDS)
    parser.add_argument("--solver", default="highs", choices=("highs", "cbc"))
    parser.add_argument(
        "--tracemalloc", action="store_true", help="Also report the peak of Python allocations."
    )
    args = parser.parse_args()

    if args.tracemalloc:
        tracemalloc.start()
    stages = Stages()
    raw = make_deal(
        categories=args.categories,
        sites=args.sites,
        days=args.days,
        interval_minutes=args.interval_minutes,
        staffing=args.staffing,
    )
    print(f"{raw['scenario']}, {args.interval_minutes}-minute intervals", flush=True)
    total_start = time.perf_counter()
    start = time.perf_counter()
    scenario = validate_scenario(raw, "<large>")
    stages.record("validate", time.perf_counter() - start)

    originals = {name: getattr(pipeline, name) for name in STAGES}
    for name, stage in STAGES.items():
        setattr(pipeline, name, stages.timed(stage, originals[name]))
    try:
        options = RunOptions(
            explain=False, solve=SolveOptions(solver=args.solver, time_limit=args.time_limit)
        )
        result = run_scenario(scenario, options)
    finally:
        for name, fn in originals.items():
            setattr(pipeline, name, fn)
    total = time.perf_counter() - total_start

    print()
    print(f"{'stage':<14}{'calls':>6}{'seconds':>10}{'peak RSS after (MB)':>22}")
    for stage in ("validate", "requirements", "build", "solve", "verify"):
        if stage in stages.seconds:
            print(
                f"{stage:<14}{stages.calls[stage]:>6}{stages.seconds[stage]:>10.2f}"
                f"{stages.rss_after[stage]:>22.0f}"
            )
    print(f"{'total':<14}{'':>6}{total:>10.2f}{rss_mb():>22.0f}")
    children = rss_mb(resource.RUSAGE_CHILDREN)
    print(f"peak RSS of a child process (e.g. a separate solver process): {children:.0f} MB")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"CPU seconds: this process {cpu.ru_utime + cpu.ru_stime:.1f}, "
        f"children {kids.ru_utime + kids.ru_stime:.1f} (wall time suffers on a busy machine)"
    )
    if args.tracemalloc:
        _, peak = tracemalloc.get_traced_memory()
        print(f"tracemalloc peak: {peak / 2**20:.0f} MB")
    gap = result.solver.gap
    print(
        f"status {result.status}, verified {result.verified}, gap "
        f"{'-' if gap is None else f'{100 * gap:.3f}%'}, solver {result.solver.name} "
        f"{result.solver.seconds:.1f} s (build {result.solver.build_seconds:.1f} s)"
    )
    if result.totals is not None:
        t = result.totals
        print(
            f"margin {t.margin:,.0f} {result.currency}/month ({100 * (t.margin_pct or 0):.2f}%),"
            f" FTE {t.fte:,.1f}"
        )
    within = total <= TARGET_SECONDS + 30 and max(rss_mb(), children) <= TARGET_RSS_MB
    print(
        f"target (<= {TARGET_RSS_MB:.0f} MB, about {TARGET_SECONDS:.0f} s): "
        f"{'met' if within else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
