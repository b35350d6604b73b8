"""Benchmark of the run history: what recording a run costs, against the solve it records.

Run from the repository root: ``python benchmarks/history.py [--repeat N] [--writers K]``.

Baseline, measured in the same run: ``run_scenario`` on the 10-category, 3-site, 7-day
synthetic deal (``benchmarks/synthetic.py``), as ``tierprice solve`` runs it. Measured:
recording that run as the command does (open and migrate the database, one
transaction, close), on a history that already holds ``--repeat`` runs; then ``K``
processes recording at once. Medians and the ratio record / solve are printed.
Target: recording under 2% of the solve. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_deal

from optimizer.history.record import run_row
from optimizer.history.store import connect, write_run
from optimizer.output import report
from optimizer.pipeline import run_scenario
from optimizer.scenario.schema import Scenario, validate_scenario

TARGET_RATIO = 0.02


def record_once(path: Path, scenario: Scenario, payload: str) -> float:
    """Seconds to record one run as ``tierprice solve`` does."""
    start = time.perf_counter()
    conn = connect(path)
    write_run(conn, run_row("solve", {"solver": "highs"}, scenario, payload))
    conn.close()
    return time.perf_counter() - start


def _writer(args: tuple[str, Scenario, str, int]) -> list[float]:
    path, scenario, payload, runs = args
    return [record_once(Path(path), scenario, payload) for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4)
    args = parser.parse_args()
    scenario = validate_scenario(make_deal(10, 3, seed=0))
    solves, payload = [], ""
    for _ in range(3):
        start = time.perf_counter()
        payload = report.to_json(run_scenario(scenario))
        solves.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.sqlite"
        alone = [record_once(path, scenario, payload) for _ in range(args.repeat)]
        jobs = [(str(path), scenario, payload, args.repeat)] * args.writers
        with multiprocessing.get_context("fork").Pool(args.writers) as pool:
            together = [t for ts in pool.map(_writer, jobs) for t in ts]
    solve, one, many = (statistics.median(x) for x in (solves, alone, together))
    print(f"solve (baseline, median of 3)        {solve * 1000:9.1f} ms")
    print(f"record one run (median of {args.repeat})        {one * 1000:9.2f} ms")
    print(f"record, {args.writers} writers at once (median)  {many * 1000:9.2f} ms")
    print(f"ratio record / solve                 {one / solve:9.4f} (target <= {TARGET_RATIO})")
    print(f"ratio contended record / solve       {many / solve:9.4f}")
    print(f"payload {len(payload) / 1000:.0f} kB JSON")


if __name__ == "__main__":
    main()
