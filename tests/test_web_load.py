"""Twenty checks at once against a local deal desk: every one is answered, and alike.

Twenty clients post the same check at the same time (two of them with a quote
that makes it infeasible) to a server with two workers: each must get its answer
(no refusal, no time-out, no lost job), every feasible answer must be the same
JSON (each solve is deterministic; timings aside), every infeasible one too, and
the history must hold all twenty runs. No worker process may outlive the load.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from helpers import SCENARIOS_DIR
from web_helpers import call, desk, without_seconds

CLIENTS = 20


def test_twenty_concurrent_checks_are_all_answered():
    bodies = [{"scenario": "nordic_telco.yaml"} for _ in range(CLIENTS - 2)]
    bodies += [{"scenario": "nordic_telco.yaml", "fix": ["billing=silver@0.5"]}] * 2
    with desk(SCENARIOS_DIR, workers=2) as server:
        started = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(lambda b: call(server, "/api/check", b, timeout=900), bodies))
        seconds = time.monotonic() - started
        runs = call(server, "/api/runs")[2]["runs"]
        jobs = [server.api.jobs.get(f"j{i}") for i in range(1, CLIENTS + 1)]
    assert [a[0] for a in answers] == [200] * CLIENTS, seconds
    codes = [a[1]["X-Tierprice-Exit-Code"] for a in answers]
    assert codes == ["0"] * (CLIENTS - 2) + ["3"] * 2
    feasible = {repr(without_seconds(a[2])) for a in answers[: CLIENTS - 2]}
    infeasible = {repr(without_seconds(a[2])) for a in answers[CLIENTS - 2 :]}
    assert len(feasible) == 1 and len(infeasible) == 1
    assert len(runs) == CLIENTS and len({r["id"] for r in runs}) == CLIENTS
    assert all(j is not None and j.state == "done" for j in jobs)
    assert not any(j.process.is_alive() for j in jobs if j is not None)
