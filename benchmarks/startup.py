"""Start-up time of the ``tierprice`` script: ``--help``, ``staff`` and ``validate``.

Run ``python benchmarks/startup.py [--repeats N]`` from the repository root. Each
command is started as the console script starts it (``python -c "from optimizer.console
import run; run()" ...``, with this checkout first on ``PYTHONPATH``), its whole wall
time measured from outside, ``--repeats`` times (default 15), the commands interleaved
round-robin so that a change of machine load hits them all alike. The baseline is
``python -c pass`` measured in the same rounds: it prints the median of each command,
the ratio to the baseline and the difference (what tierprice itself costs), ``staff``
forced onto the numpy engine (``staff_interval(..., vectorised=True)``, the path
before ``optimizer.staffing.plain``) and its ratio to the plain path, the
targets (``--help`` <= 0.3 s, ``staff`` <= 0.5 s), the heavy packages each command
imported (read from one ``-X importtime`` run) and the load average at start and end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENTRY = "from optimizer.console import run; run()"
VECTORISED = (
    "import functools, optimizer.staffing.calculator as c; "
    "c.staff_interval = functools.partial(c.staff_interval, vectorised=True); " + ENTRY
)
"""The same script with ``staff`` forced onto the numpy engine: the path before the
plain one, measured in the same run."""
STAFF = ["staff", "--contacts", "100", "--aht", "300", "--service-level", "0.8", "--within", "20"]
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [],
    "--help": ["--help"],
    "staff": STAFF,
    "staff --patience": [*STAFF, "--patience", "180", "--max-abandon", "0.05"],
    "staff, numpy engine": ["--vectorised", *STAFF],
    "validate": ["validate", str(ROOT / "scenarios" / "nordic_telco.yaml")],
}
TARGETS = {"--help": 0.3, "staff": 0.5, "staff --patience": 0.5}
HEAVY = ("numpy", "scipy", "pydantic", "yaml", "pulp", "highspy", "pandas", "click")


def argv(args: list[str], *flags: str) -> list[str]:
    """The command line that starts ``tierprice args`` (or ``python -c pass``)."""
    if not args:
        return [sys.executable, *flags, "-c", "pass"]
    if args[0] == "--vectorised":
        return [sys.executable, *flags, "-c", VECTORISED, *args[1:]]
    return [sys.executable, *flags, "-c", ENTRY, *args]


def environment() -> dict[str, str]:
    """This checkout first on the import path, as in the working rules."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def wall(args: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit of one run; the command must succeed."""
    start = time.perf_counter()
    subprocess.run(argv(args), env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def heavy_imports(args: list[str], env: dict[str, str]) -> list[str]:
    """The packages of HEAVY that the command imports (one ``-X importtime`` run)."""
    run = subprocess.run(
        argv(args, "-X", "importtime"),
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    names = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    return [name for name in HEAVY if name in names]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    opts = parser.parse_args()
    env = environment()
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for args in COMMANDS.values():  # warm the file cache
        wall(args, env)
    for _ in range(opts.repeats):
        for name, args in COMMANDS.items():
            times[name].append(wall(args, env))
    base = statistics.median(times["python -c pass"])
    print(f"{'command':20s} {'median s':>9s} {'min s':>7s} {'x pass':>7s} {'+ s':>7s}  imports")
    for name, args in COMMANDS.items():
        med = statistics.median(times[name])
        modules = ", ".join(heavy_imports(args, env)) if args else "-"
        print(
            f"{name:20s} {med:9.3f} {min(times[name]):7.3f} {med / base:7.2f} "
            f"{med - base:7.3f}  {modules}"
        )
    for name, limit in TARGETS.items():
        med = statistics.median(times[name])
        verdict = "PASS" if med <= limit else "MISS"
        print(f"{verdict}  tierprice {name}: median {med:.3f} s (target <= {limit} s)")
    plain, numpy_engine = (statistics.median(times[k]) for k in ("staff", "staff, numpy engine"))
    print(f"staff: the plain path takes {plain / numpy_engine:.2f} of the numpy engine's time")
    print(f"load average at end: {os.getloadavg()[0]:.2f}; medians of {opts.repeats} runs")


if __name__ == "__main__":
    main()
