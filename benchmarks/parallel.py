"""Parallel batch benchmark: ``tierprice sweep`` and ``tierprice compare`` on 1 and 2 workers.

Run from the repository root: ``python benchmarks/parallel.py [--points 24] [--repeats 3]``.

Each run is the command itself, end to end, in a subprocess (start-up, imports, the
worker pool, writing the JSON output), as a pricing analyst runs it:

* ``sweep``: the 5 x 2 x 7 interval deal of ``synthetic.py`` (seed 0), both sites'
  hourly cost from x0.85 to x1.0 in ``--points`` steps;
* ``compare``: ``scenarios/nordic_telco.yaml`` with all its variants (4 deals, each
  with its explanation's re-solves).

Workers 1 and 2 alternate within each repeat so that machine load hits both alike.
Printed: the median wall seconds of each, the speed-up (1 worker / 2 workers), whether
the outputs are identical, and the targets: a speed-up of at least 1.6 on the sweep,
and 2 workers never slower than 1. The load average is printed at start and end (2
shared cores: a figure read while other work runs says little).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_deal

ROOT = Path(__file__).resolve().parent.parent
SPEEDUP_TARGET = 1.6
TIMEOUT = 900


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(command: list[str], output: Path) -> tuple[float, object]:
    """Wall seconds of ``command`` and the JSON it wrote to ``output``."""
    clock = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    seconds = time.perf_counter() - clock
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds, _stable(json.loads(output.read_text()))


def _stable(data: object) -> object:
    """The output without what differs from run to run (solver seconds, run ids)."""
    if isinstance(data, dict):
        return {
            k: _stable(v)
            for k, v in data.items()
            if k not in ("seconds", "elapsed", "run_id", "created", "started")
        }
    if isinstance(data, list):
        return [_stable(v) for v in data]
    return data


def compare_runs(name: str, command: list[str], output: Path, repeats: int) -> float:
    """Run ``command`` with 1 and 2 workers, alternating; print and return the speed-up."""
    seconds: dict[int, list[float]] = {1: [], 2: []}
    answers: dict[int, object] = {}
    for repeat in range(repeats):
        order = (1, 2) if repeat % 2 == 0 else (2, 1)
        for workers in order:
            took, answer = timed([*command, "--workers", str(workers)], output)
            seconds[workers].append(took)
            answers[workers] = answer
            print(f"  {name} workers={workers} #{repeat}: {took:.2f} s", flush=True)
    one, two = statistics.median(seconds[1]), statistics.median(seconds[2])
    same = "identical" if answers[1] == answers[2] else "DIFFERENT"
    print(f"{name}: 1 worker {one:.2f} s, 2 workers {two:.2f} s, speed-up {one / two:.2f} ({same})")
    return one / two


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=24, help="sweep points (default 24)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per worker count")
    parser.add_argument("--only", choices=["sweep", "compare"])
    args = parser.parse_args(argv)
    tool = str(Path(sys.executable).with_name("tierprice"))
    print(f"load average at start: {load()}")
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out.json"
        if args.only != "compare":
            deal = Path(scratch) / "deal.yaml"
            deal.write_text(yaml.safe_dump(make_deal(5, 2, 7, seed=0), sort_keys=False))
            vary = f"provider.sites.*.hourly_cost=x0.85:x1.0:{args.points}"
            sweep = [tool, "sweep", str(deal), "--vary", vary, "--output", str(out)]
            ratios["sweep"] = compare_runs(
                f"sweep 5x2x7, {args.points} points", [*sweep, "--no-history"], out, args.repeats
            )
        if args.only != "sweep":
            compare = [tool, "compare", "scenarios/nordic_telco.yaml", "--variants", "all"]
            compare += ["--output", str(out), "--no-history"]
            ratios["compare"] = compare_runs("compare nordic_telco", compare, out, args.repeats)
    for name, ratio in ratios.items():
        if name == "sweep":
            verdict = "PASS" if ratio >= SPEEDUP_TARGET else "MISS"
            print(f"{verdict}  {name}: speed-up {ratio:.2f} (target >= {SPEEDUP_TARGET})")
        verdict = "PASS" if ratio >= 1.0 else "MISS"
        print(f"{verdict}  {name}: 2 workers never slower than 1 (speed-up {ratio:.2f})")
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
