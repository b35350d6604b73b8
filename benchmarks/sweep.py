"""Sweep benchmark: one grid solved serially, on a process pool, and on a Dask cluster.

The deal is ``make_deal(5, 2, days)`` from ``synthetic.py``: five categories, two
sites, interval mode, 30-minute intervals. The grid multiplies both sites' hourly
cost by 0.85 to 1.0 (``provider.sites.*.hourly_cost=x0.85:x1.0:N``): every point is
feasible and each solve takes about as long as the next, so rates compare cleanly.

``--days auto`` (the default) starts from 7 open days and, while a single solve
takes more than ``--max-solve`` seconds (0.5), falls back to fewer days (5, then 3),
so that ``--points 200`` finishes in a few minutes on two cores; the output says which
deal it used and why.

Printed per mode: wall seconds, points per second, speed-up against serial, and
whether the rows are identical to the serial rows (they must be). For Dask: cluster
start and warm-up (untimed in the sweep), and the per-point overhead measured two
ways: N trivial tasks through the same client, and (Dask - pool) seconds / N.

Targets: speed-up >= 1.7 with 2 workers; Dask overhead < 50 ms per point.

Usage::

    python benchmarks/sweep.py                 # 200 points (a few minutes on 2 cores)
    python benchmarks/sweep.py --points 20     # a quicker run
    python benchmarks/sweep.py --days 7 --workers 2

The Dask workers are spawned processes, so everything runs under the
``if __name__ == "__main__":`` guard at the bottom.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEEDUP_TARGET = 1.7
"""Process pool and Dask (2 workers) against serial."""
OVERHEAD_TARGET = 0.050
"""Dask seconds per point on top of the solve."""
DAY_STEPS = (7, 5, 3)
"""Open days tried by ``--days auto``, largest first."""
AXIS = "provider.sites.*.hourly_cost=x0.85:x1.0:{points}"
"""The swept field: every point feasible, solve times even."""


def load() -> str:
    """The 1/5/15-minute load averages (other processes compete for the cores)."""
    if not hasattr(os, "getloadavg"):
        return "unknown"
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=200, help="grid points (default 200)")
    parser.add_argument("--workers", type=int, default=2, help="pool and Dask workers")
    parser.add_argument("--days", default="auto", help="open days of the deal, or 'auto' (default)")
    parser.add_argument(
        "--max-solve",
        type=float,
        default=0.5,
        help="--days auto: largest single-solve seconds accepted (default 0.5)",
    )
    parser.add_argument("--skip-dask", action="store_true", help="no Dask run")
    parser.add_argument(
        "--repeats", type=int, default=1, help="sweeps per mode; medians are reported"
    )
    return parser.parse_args(argv)


def scenario_for(days: int) -> Any:
    from synthetic import make_deal

    from optimizer.scenario.schema import validate_scenario

    return validate_scenario(make_deal(5, 2, days), f"synthetic 5x2x{days}")


def single_solve(scenario: Any, repeats: int = 2) -> tuple[float, str]:
    """Median seconds of one end-to-end solve (no explanation, no diagnosis), and status."""
    from optimizer.options import RunOptions
    from optimizer.pipeline import run_scenario

    times, status = [], ""
    for _ in range(repeats):
        clock = time.perf_counter()
        result = run_scenario(scenario, RunOptions(explain=False, diagnose=False))
        times.append(time.perf_counter() - clock)
        status = str(result.status)
    return statistics.median(times), status


def pick_days(arg: str, limit: float) -> tuple[Any, int, list[str]]:
    """The scenario to sweep, its days, and notes on how it was chosen."""
    notes: list[str] = []
    if arg != "auto":
        days = int(arg)
        seconds, status = single_solve(scenario_for(days))
        notes.append(f"{days} days: one solve {seconds:.2f} s ({status})")
        return scenario_for(days), days, notes
    for days in DAY_STEPS:
        scenario = scenario_for(days)
        seconds, status = single_solve(scenario)
        notes.append(f"{days} days: one solve {seconds:.2f} s ({status})")
        if seconds <= limit and status == "optimal":
            break
        if days != DAY_STEPS[-1]:
            notes.append(f"  more than {limit:g} s: 200 points would take too long; fewer days")
    else:
        notes.append(f"  using {DAY_STEPS[-1]} days, the smallest tried")
    return scenario, days, notes


def timed_sweep(scenario: Any, axis: Any, repeats: int, **where: Any) -> tuple[float, Any]:
    """Median wall seconds of ``repeats`` sweeps, and the last sweep's result."""
    from optimizer.studies.sweep import run_sweep

    times, result = [], None
    for _ in range(repeats):
        clock = time.perf_counter()
        result = run_sweep(scenario, [axis], **where)
        times.append(time.perf_counter() - clock)
    return statistics.median(times), result


def _warm() -> str:
    """Runs on each Dask worker before timing: import the solver stack once."""
    import optimizer.pipeline  # noqa: F401

    return "ok"


def dask_runs(
    scenario: Any, axis: Any, workers: int, points: int, scratch: str, repeats: int
) -> dict[str, float | Any]:
    """Cluster start, warm-up, the timed sweep, and N trivial tasks through one client."""
    from distributed import Client, LocalCluster

    out: dict[str, Any] = {}
    clock = time.perf_counter()
    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        local_directory=scratch,
    ) as cluster:
        out["start"] = time.perf_counter() - clock
        address = cluster.scheduler_address
        with Client(address) as client:
            clock = time.perf_counter()
            client.run(_warm)
            out["warm"] = time.perf_counter() - clock
            clock = time.perf_counter()
            futures = client.map(abs, range(points), pure=False)
            client.gather(futures)
            out["trivial"] = time.perf_counter() - clock
        out["seconds"], out["result"] = timed_sweep(scenario, axis, repeats, scheduler=address)
    return out


def main(argv: list[str] | None = None) -> int:
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    args = parse_args(argv)
    repeats = max(1, args.repeats)
    from optimizer.studies.sweep import parse_vary

    points = max(1, args.points)
    print(
        f"sweep benchmark: {points} points, {args.workers} workers, {os.cpu_count()} cores, "
        f"{repeats} run(s) per mode (median)"
    )
    print(f"  load average at start: {load()}")
    busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if busy > 1.0:  # more than one core's worth of other work
        print("  NOTE: the machine is busy; rates and speed-ups are lower than on an idle one")
    scenario, days, notes = pick_days(args.days, args.max_solve)
    for note in notes:
        print("  " + note)
    if args.days == "auto" and days != 7:
        print(f"  NOTE: the 7-day deal solves too slowly for {points} points in a few minutes;")
        print(f"        this run uses the 5-category, 2-site, {days}-day interval-mode deal")
    axis = parse_vary(AXIS.format(points=points))
    print(f"deal: {scenario.scenario}; grid: {AXIS.format(points=points)}")

    serial_s, serial = timed_sweep(scenario, axis, repeats, workers=1)
    reference = serial.rows()
    statuses = sorted({r["status"] for r in reference})
    print(f"  serial done ({serial_s:.1f} s; statuses {', '.join(statuses)})", flush=True)
    pool_s, pool = timed_sweep(scenario, axis, repeats, workers=args.workers)
    print(f"  pool done ({pool_s:.1f} s)", flush=True)

    rows = [("serial", serial_s, True), (f"pool x{args.workers}", pool_s, pool.rows() == reference)]
    solved = {"serial": serial, f"pool x{args.workers}": pool}
    dask: dict[str, Any] | None = None
    if not args.skip_dask:
        with tempfile.TemporaryDirectory(prefix="tierprice-dask-") as scratch:
            dask = dask_runs(scenario, axis, args.workers, points, scratch, repeats)
        same = dask["result"].rows() == reference
        rows.append((f"dask x{args.workers}", dask["seconds"], same))
        solved[f"dask x{args.workers}"] = dask["result"]
        print(f"  dask done ({dask['seconds']:.1f} s)", flush=True)

    print()
    print(
        f"{'mode':<10} {'seconds':>8} {'points/s':>9} {'speed-up':>9} {'solve s/pt':>11}"
        "  identical to serial"
    )
    for name, seconds, same in rows:
        per_solve = statistics.median(r.solver.seconds for r in solved[name].results if r)
        print(
            f"{name:<10} {seconds:>8.2f} {points / seconds:>9.2f} "
            f"{serial_s / seconds:>9.2f} {per_solve:>11.3f}  {'yes' if same else 'NO'}"
        )
    print("(solve s/pt: median solver seconds of a point inside its worker)")
    print(f"serial seconds per point: {serial_s / points:.3f}; load average at end: {load()}")

    verdicts = [("pool speed-up", serial_s / pool_s >= SPEEDUP_TARGET)]
    if dask is not None:
        trivial = dask["trivial"] / points
        versus_pool = (dask["seconds"] - pool_s) / points
        print()
        print(f"dask cluster start {dask['start']:.2f} s, worker warm-up {dask['warm']:.2f} s "
              "(neither in the sweep time)")  # fmt: skip
        print(f"dask overhead per point: {1000 * trivial:.1f} ms ({points} trivial tasks), "
              f"{1000 * versus_pool:+.1f} ms ((dask - pool) / points)")  # fmt: skip
        verdicts.append(("dask speed-up", serial_s / dask["seconds"] >= SPEEDUP_TARGET))
        verdicts.append(("dask overhead", max(trivial, versus_pool) < OVERHEAD_TARGET))
    verdicts.append(("identical rows", all(same for _, _, same in rows)))
    print()
    for name, ok in verdicts:
        target = {
            "pool speed-up": f">= {SPEEDUP_TARGET}",
            "dask speed-up": f">= {SPEEDUP_TARGET}",
            "dask overhead": f"< {1000 * OVERHEAD_TARGET:.0f} ms per point",
            "identical rows": "serial == pool == dask",
        }[name]
        print(f"{'PASS' if ok else 'FAIL'}  {name} ({target})")
    return 0  # figures, not assertions (benchmarks/README.md)


if __name__ == "__main__":
    raise SystemExit(main())
