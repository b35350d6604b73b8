"""Benchmark of the deal desk (``tierprice serve``): page load and check latency.

Run from the repository root: ``python benchmarks/web.py [--repeat N]``.

A desk serves ``scenarios/`` on a free loopback port. Timed, ``--repeat`` times
each: the page load (``/``, its script and style, ``/api/info``: what the browser
fetches before the first click), ``POST /api/check`` of the Nordic telco deal
(feasible) and of the same deal with a quote that makes it infeasible (the check
with its proven diagnosis). The baseline, measured in the same run, is the same
check in this process (``run_scenario`` with ``check_options``, no server, no
worker): the ratio is what the server, the worker process and HTTP add. Medians are
printed, nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import urllib.request
from pathlib import Path

from optimizer.options import check_options
from optimizer.pipeline import run_scenario
from optimizer.scenario.fixes import parse_fixes
from optimizer.scenario.loader import load_scenario
from optimizer.web.server import make_server, serve

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = "nordic_telco.yaml"
INFEASIBLE = ["billing=silver@0.5"]


def timed(action, repeat: int) -> float:
    """The median seconds of ``action()`` over ``repeat`` runs."""
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    server = make_server("127.0.0.1", 0, ROOT / "scenarios", 300, 2)
    threading.Thread(target=serve, args=(server,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def get(path: str) -> bytes:
        with urllib.request.urlopen(base + path, timeout=60) as answer:
            return answer.read()

    def check(fix: list[str]) -> None:
        body = json.dumps({"scenario": SCENARIO, "fix": fix}).encode()
        request = urllib.request.Request(base + "/api/check", body)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=600) as answer:
            answer.read()

    def page() -> None:
        for path in ("/", "/static/app.js", "/static/app.css", "/api/info"):
            get(path)

    deal = load_scenario(ROOT / "scenarios" / SCENARIO)

    def direct(fix: list[str]) -> None:
        run_scenario(deal, check_options(parse_fixes(deal, fix)))

    check([])  # the first check starts the fork server
    try:
        rows = [
            ("page load", timed(page, repeat), None),
            (
                "check, feasible",
                timed(lambda: check([]), repeat),
                timed(lambda: direct([]), repeat),
            ),
            (
                "check, infeasible + diagnosis",
                timed(lambda: check(INFEASIBLE), repeat),
                timed(lambda: direct(INFEASIBLE), repeat),
            ),
        ]
    finally:
        server.shutdown()
    print(f"deal desk, {SCENARIO}, median of {repeat}")
    for label, seconds, baseline in rows:
        ratio = (
            ""
            if baseline is None
            else f"  in-process {baseline:.3f} s, ratio {seconds / baseline:.2f}"
        )
        print(f"  {label:32s} {seconds:.3f} s{ratio}")


if __name__ == "__main__":
    main()
