"""The deal desk's JSON API: the command line's contracts, messages and process safety.

The API's check and solve must print what ``tierprice check|solve --format json``
prints (compared with the command line run in a subprocess, timings aside); bad
input must get the command line's message; every proven change of a diagnosis,
applied through the API, must make the deal feasible; a cancelled or timed-out
job and the server's shutdown must leave no process behind; the workbook must be
the command line's workbook of the same result.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
from helpers import INVALID_DIR, ROOT, SCENARIOS_DIR
from web_helpers import SLOW, alive, call, descendants, desk, slow_folder, without_seconds

INFEASIBLE_FIX = "billing=silver@0.5"
"""A quote of the Nordic telco deal that no staffing can carry (a diagnosis follows)."""


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return slow_folder(tmp_path_factory.mktemp("slow"))


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run history the module's desk writes to."""
    return tmp_path_factory.mktemp("history") / "runs.sqlite"


@pytest.fixture(scope="module")
def server(history: Path):
    with desk(SCENARIOS_DIR, db=history) as running:
        yield running


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "optimizer", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_check_is_the_command_lines_check(server):
    body = {"scenario": "nordic_telco.yaml", "fix": [INFEASIBLE_FIX]}
    status, headers, data = call(server, "/api/check", body)
    done = cli(
        "check", "nordic_telco.yaml", "--fix", INFEASIBLE_FIX, "--format", "json", cwd=SCENARIOS_DIR
    )
    assert done.returncode == 3
    assert (status, headers["X-Tierprice-Exit-Code"]) == (200, "3")
    assert without_seconds(data) == without_seconds(json.loads(done.stdout))
    assert data["verdict"] == "not_feasible" and data["diagnosis"]


def test_every_proven_change_applied_makes_the_deal_feasible(server):
    body = {"scenario": "nordic_telco.yaml", "fix": [INFEASIBLE_FIX]}
    _, _, data = call(server, "/api/check", body)
    changes = [d for d in data["diagnosis"] if d["proven"] and d.get("apply")]
    assert changes
    for change in changes:
        fixes = {"billing": INFEASIBLE_FIX.split("=")[1], **change["apply"]["fixed"]}
        applied = {
            "scenario": "nordic_telco.yaml",
            "fix": [f"{c}={q}" for c, q in fixes.items()],
            "set": change["apply"]["overrides"],
        }
        status, headers, after = call(server, "/api/check", applied)
        assert status == 200 and headers["X-Tierprice-Exit-Code"] == "0", change["message"]
        assert after["verdict"] == "feasible"
        assert after["fixed"]["billing"] == {
            "tier": fixes["billing"].split("@")[0],
            "price": float(fixes["billing"].split("@")[1]),
        }


def test_solve_is_the_command_lines_solve(server):
    body = {"scenario": "journey_study.yaml", "no_explain": True}
    status, headers, data = call(server, "/api/solve", body)
    done = cli("solve", "journey_study.yaml", "--format", "json", "--no-explain", cwd=SCENARIOS_DIR)
    assert done.returncode == 0 and status == 200 and headers["X-Tierprice-Exit-Code"] == "0"
    assert without_seconds(data) == without_seconds(json.loads(done.stdout))


def test_an_upload_is_checked_like_the_file(server):
    text = (SCENARIOS_DIR / "nordic_telco.yaml").read_text(encoding="utf-8")
    _, _, by_file = call(server, "/api/check", {"scenario": "nordic_telco.yaml"})
    upload = {"upload": {"name": "nordic_telco.yaml", "text": text}}
    status, _, uploaded = call(server, "/api/check", upload)
    assert status == 200
    assert without_seconds(uploaded) == without_seconds(by_file)


@pytest.mark.parametrize("name", ["aht_not_positive.yaml", "duplicate_yaml_key.yaml"])
def test_bad_scenario_gets_the_command_lines_message(tmp_path, name):
    source = INVALID_DIR / name
    (tmp_path / name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    done = cli("check", str(tmp_path / name))  # messages name the file as the server reads it
    with desk(tmp_path) as local:
        status, headers, data = call(local, "/api/check", {"scenario": name})
    assert done.returncode == 2 and status == 400 and headers["X-Tierprice-Exit-Code"] == "2"
    assert data["error"] == done.stderr.strip()
    assert len(data["problems"]) == len(done.stderr.strip().splitlines()) - 1


def test_bad_fix_gets_the_command_lines_message(server):
    done = cli("check", str(SCENARIOS_DIR / "nordic_telco.yaml"), "--fix", "billing=platinum@1")
    body = {"scenario": "nordic_telco.yaml", "fix": ["billing=platinum@1"]}
    status, _, data = call(server, "/api/check", body)
    assert done.returncode == 2 and status == 400
    assert data["error"] == done.stderr.strip()


def test_every_problem_of_a_request_is_named(server):
    body = {"scenario": "../README.md", "fix": "billing", "time_limit": -1, "colour": "red"}
    status, headers, data = call(server, "/api/check", body)
    assert (status, headers["X-Tierprice-Exit-Code"], data["exit_code"]) == (400, "2", 2)
    fields = [line.split(" = ")[0] for line in data["problems"]]
    assert fields == ["request: colour", "request: scenario", "request: fix", "request: time_limit"]
    assert "nordic_telco.yaml" in data["problems"][1]  # what the folder offers
    status, _, data = call(
        server, "/api/check", {"scenario": "nordic_telco.yaml", "set": {"provider.min_margn": 0.1}}
    )
    assert status == 400 and "min_margn" in data["error"] and "min_margin" in data["error"]
    status, _, data = call(
        server, "/api/check", {"scenario": "nordic_telco.yaml", "set": {"provder.min_margin": 0.1}}
    )
    assert status == 400 and "--set provder.min_margin" in data["error"]
    assert "variants:" not in data["error"]  # no variant is involved


def test_not_json_and_unknown_routes(server):
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{server.server_address[1]}/api/check", b"{not json", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=30)
    error = json.loads(err.value.read())["error"]
    assert err.value.code == 400 and "a JSON object" in error
    assert error.startswith("1 problem in the request:")  # not "in the scenario"
    assert call(server, "/api/nothing")[0] == 404
    too_big = urllib.request.Request(
        f"http://127.0.0.1:{server.server_address[1]}/api/check",
        b"{}",
        headers={"Content-Length": "99999999999"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(too_big, timeout=30)
    assert err.value.code == 413
    assert call(server, "/static/../../setup.cfg")[0] == 404
    status, _, page = call(server, "/")
    assert status == 200 and b"deal desk" in page and b"http" not in page.split(b"<body>")[1]


def _wait(server, job_id: str, timeout: float = 120) -> dict:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        _, _, job = call(server, f"/api/jobs/{job_id}")
        if job["state"] != "running":
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


def _gone(pids: set[int], timeout: float = 10) -> bool:
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def _solving_processes(server, job_id: str) -> set[int]:
    """The worker of a running job and its solver child, once the solver has started."""
    ends = time.monotonic() + 60
    while time.monotonic() < ends:
        job = server.api.jobs.get(job_id)
        if job.process is not None and job.process.pid and descendants(job.process.pid):
            return {job.process.pid} | descendants(job.process.pid)
        time.sleep(0.1)
    raise AssertionError("the solver child never started")


def test_a_cancelled_solve_leaves_no_process(slow):
    with desk(slow) as server:
        _cancel_one(server)


def _cancel_one(server) -> None:
    status, _, job = call(server, "/api/jobs", {"command": "solve", "scenario": SLOW})
    assert status == 200 and job["state"] == "running"
    processes = _solving_processes(server, job["id"])
    _, _, cancelled = call(server, f"/api/jobs/{job['id']}/cancel", {})
    assert cancelled["state"] == "cancelled" and cancelled["exit_code"] == 130
    assert cancelled["error"] == "cancelled" and cancelled["output"] is None
    assert _gone(processes)
    assert job["id"] not in {r["id"] for r in call(server, "/api/runs")[2]["runs"]}


def test_a_timed_out_solve_ends_at_its_limit_and_leaves_no_process(slow):
    with desk(slow, time_limit=2) as local:
        _, _, job = call(
            local, "/api/jobs", {"command": "solve", "scenario": SLOW, "time_limit": 50}
        )
        assert job["time_limit"] == 2  # capped by the server's --time-limit
        processes = _solving_processes(local, job["id"])
        started = time.monotonic()
        done = _wait(local, job["id"])
        assert time.monotonic() - started < 2 + 10 + 5  # the limit, the grace, slack
        assert done["state"] == "done" and done["exit_code"] in (0, 4)
        assert done["output"]["status"] in ("feasible", "no_solution", "optimal")
        assert _gone(processes)


def test_shutdown_kills_the_running_workers(slow):
    with desk(slow) as local:
        _, _, job = call(local, "/api/jobs", {"command": "solve", "scenario": SLOW})
        processes = _solving_processes(local, job["id"])
    assert _gone(processes)


def test_queued_jobs_wait_for_a_worker_and_can_be_cancelled(slow):
    with desk(slow, workers=1) as local:
        _, _, first = call(local, "/api/jobs", {"command": "solve", "scenario": SLOW})
        _, _, second = call(local, "/api/jobs", {"command": "check", "scenario": SLOW})
        _solving_processes(local, first["id"])
        assert call(local, f"/api/jobs/{second['id']}")[2]["stage"] == "queued"
        assert call(local, f"/api/jobs/{second['id']}/cancel", {})[2]["state"] == "cancelled"
        assert local.api.jobs.get(second["id"]).process is None  # never started


def test_runs_compare_and_workbook(server):
    import openpyxl

    _, h1, first = call(server, "/api/check", {"scenario": "nordic_telco.yaml"})
    body = {"scenario": "nordic_telco.yaml", "fix": ["billing=gold@1.08"]}
    _, h2, second = call(server, "/api/check", body)
    a, b = h1["X-Tierprice-Run"], h2["X-Tierprice-Run"]
    runs = {r["id"]: r for r in call(server, "/api/runs")[2]["runs"]}
    assert runs[b]["fix"] == ["billing=gold@1.08"] and runs[b]["exit_code"] == 0
    assert runs[a]["margin"] == first["result"]["totals"]["margin"]
    _, _, detail = call(server, f"/api/runs/{b}")
    assert without_seconds(detail["output"]) == without_seconds(second)
    _, _, comp = call(server, f"/api/compare?base={a}&run={b}")
    margins = [r["value"] for r in comp["rows"] if r["figure"] == "margin"]
    expected = [first["result"]["totals"]["margin"], second["result"]["totals"]["margin"]]
    assert margins == pytest.approx(expected, abs=1e-6)  # the JSON rounds to 6 decimals
    assert "gold @ 1.08" in comp["text"]
    status, headers, xlsx = call(server, f"/api/runs/{b}/workbook.xlsx")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[:2] == ["summary", "categories"]
    header = [c.value for c in book["summary"][1]]
    margin = book["summary"].cell(2, 1 + next(i for i, h in enumerate(header) if "margin" in h))
    assert margin.value == pytest.approx(second["result"]["totals"]["margin"], abs=0.01)
    status, headers, pdf = call(server, f"/api/runs/{b}/quote")
    assert status == 200 and headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "EUR 1.08 per" in text and "Quote: Nordic telco" in text
    assert call(server, "/api/runs/r999")[0] == 404


def test_runs_of_the_desk_are_in_the_run_history(server, history: Path) -> None:
    """A check of the page is a row of ``tierprice runs`` (command check, its scenario)
    holding the JSON the page got."""
    answer = call(server, "/api/check", {"scenario": "retail_bank.yaml"})[2]
    done = cli("runs", "list", "--format", "json", "--db", str(history))
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    mine = [r for r in rows if r["scenario"] == answer["result"]["scenario"]]
    assert mine and mine[0]["command"] == "check"
    shown = cli("runs", "show", str(mine[0]["id"]), "--format", "json", "--db", str(history))
    assert without_seconds(json.loads(shown.stdout)) == without_seconds(answer)


def test_serve_refuses_a_port_in_use_in_one_line(server):
    done = cli("serve", "--port", str(server.server_address[1]))
    assert done.returncode == 2
    assert done.stderr.startswith("Error: cannot listen on 127.0.0.1:")
    assert done.stderr.count("\n") == 1


def test_ctrl_c_ends_the_server_and_every_solve(slow):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "optimizer",
        "serve",
        "--port",
        "0",
        "--folder",
        str(slow),
    ]
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])

        class Remote:
            server_address = ("127.0.0.1", port)

        status, _, _ = call(Remote, "/api/jobs", {"command": "solve", "scenario": SLOW})
        assert status == 200
        ends = time.monotonic() + 60
        while len(descendants(proc.pid)) < 3 and time.monotonic() < ends:  # server, worker, HiGHS
            time.sleep(0.1)
        processes = descendants(proc.pid)
        assert len(processes) >= 3
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _gone(processes)


def test_the_page_files_ship_with_the_package_and_load_nothing_from_the_network():
    import configparser
    import fnmatch

    from optimizer.web.server import STATIC_FILES

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    patterns = config["options.package_data"]["optimizer.web"].split(", ")
    static = ROOT / "optimizer" / "web" / "static"
    files = sorted(p.name for p in static.iterdir())
    assert files == sorted(STATIC_FILES)
    for name in files:
        assert any(fnmatch.fnmatch(f"static/{name}", p.strip()) for p in patterns), name
        text = (static / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, name
