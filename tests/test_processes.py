"""Every process tierprice starts ends when it ends, within about a second.

Each test starts ``python -m optimizer`` (the real entry point, with its signal
handlers) on a deal that takes far longer than the test, waits until the solver's
child processes exist (found by reading ``/proc``), ends the command (SIGTERM,
SIGHUP, Ctrl-C sent to the process group as a terminal does, or SIGKILL), and
checks that the command and every process it started are gone within
``STOP_SECONDS``. Linux only (``/proc``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from helpers import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_deal

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

STOP_SECONDS = 2.5
"""The command and all its descendants must be gone this long after the signal (the
issue asks for 2 s; 0.5 s of slack for the shared, loaded test machine)."""
START_TIMEOUT = 90.0
"""Seconds allowed for the command to reach the solve (imports, model build)."""


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every living descendant of ``root``: pid -> start time (to tell a reused pid)."""
    children: dict[int, list[int]] = {}
    starts: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[0] != "Z":
                children.setdefault(stat[1], []).append(int(entry))
                starts[int(entry)] = stat[2]
    found: dict[int, int] = {}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found[child] = starts[child]
            todo.append(child)
    return found


def alive(processes: dict[int, int]) -> list[int]:
    """The pids of ``processes`` still running (not gone, not a zombie, not reused)."""
    out = []
    for pid, start in processes.items():
        stat = _stat(pid)
        if stat is not None and stat[0] != "Z" and stat[2] == start:
            out.append(pid)
    return out


def write_deal(tmp_path: Path, **kwargs: object) -> Path:
    """A synthetic deal (``benchmarks/synthetic.py``) as a scenario file."""
    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(make_deal(**kwargs)), encoding="utf-8")
    return path


def start(args: list[str], tmp_path: Path) -> subprocess.Popen[bytes]:
    """``python -m optimizer ARGS`` in its own process group, output to files."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "optimizer", *args],
        cwd=tmp_path,
        env=env,
        stdout=(tmp_path / "out.txt").open("wb"),
        stderr=(tmp_path / "err.txt").open("wb"),
        start_new_session=True,
    )


def wait_for_children(proc: subprocess.Popen[bytes], count: int) -> dict[int, int]:
    """Wait until ``proc`` has at least ``count`` descendants; return them."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = descendants(proc.pid)
        if len(found) >= count:
            time.sleep(0.5)  # let the solver get going
            return descendants(proc.pid)
        if proc.poll() is not None:
            pytest.fail(f"the command ended early with {proc.returncode}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"no {count} child processes within {START_TIMEOUT} s")


def stop_and_measure(
    proc: subprocess.Popen[bytes], children: dict[int, int], sig: int, group: bool
) -> tuple[float, int | None, list[int]]:
    """Send ``sig``; return (seconds until the command and all children are gone, the
    command's exit code, the children still alive after STOP_SECONDS + 5 s)."""
    sent = time.monotonic()
    if group:
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    limit = sent + STOP_SECONDS + 5
    while time.monotonic() < limit:
        if proc.poll() is not None and not alive(children):
            break
        time.sleep(0.02)
    elapsed = time.monotonic() - sent
    left = alive(children)
    for pid in left:  # never leave a stray solver behind, even when the test fails
        os.kill(pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)
    return elapsed, proc.returncode, left


@pytest.fixture(scope="module")
def deal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 10 x 3 x 7 synthetic deal with shift staffing: its solve runs to the time limit
    (30 s by default). The same deal with interval staffing, which took minutes when this
    test was written, is now solved in about 2 s, and a signal sent after its first
    child had been seen sometimes found the command already ended (exit 0)."""
    path = tmp_path_factory.mktemp("deal")
    return write_deal(path, categories=10, sites=3, days=7, staffing="shifts")


@pytest.mark.parametrize(
    ("sig", "group", "code", "limit"),
    [
        (signal.SIGTERM, False, 143, ["--time-limit", "300"]),
        (signal.SIGHUP, False, 129, ["--time-limit", "300"]),
        (signal.SIGINT, True, 130, []),
        (signal.SIGTERM, False, 143, []),
    ],
    ids=["sigterm", "sighup", "ctrl-c-no-limit", "sigterm-no-limit"],
)
def test_signal_ends_solve_and_every_child(deal, tmp_path, sig, group, code, limit):
    """A signal to ``solve`` ends it and its HiGHS child within STOP_SECONDS, with the
    documented exit code (with a time limit and without one: HiGHS is always a child)."""
    proc = start(["solve", str(deal), "--format", "json", *limit], tmp_path)
    children = wait_for_children(proc, 1)
    elapsed, returncode, left = stop_and_measure(proc, children, sig, group)
    assert not left, f"still running after {elapsed:.1f} s: {left}"
    assert elapsed < STOP_SECONDS, f"took {elapsed:.2f} s"
    assert returncode == code
    assert (tmp_path / "out.txt").read_bytes() == b""  # no half payload


def test_killed_command_takes_its_solver_child_along(deal, tmp_path):
    """SIGKILL cannot be handled: the HiGHS child dies with its parent (PDEATHSIG)."""
    proc = start(["solve", str(deal), "--time-limit", "300"], tmp_path)
    children = wait_for_children(proc, 1)
    elapsed, returncode, left = stop_and_measure(proc, children, signal.SIGKILL, False)
    assert not left, f"orphans after {elapsed:.1f} s: {left}"
    assert elapsed < STOP_SECONDS
    assert returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    ("sig", "group", "code"),
    [(signal.SIGTERM, False, 143), (signal.SIGINT, True, 130), (signal.SIGKILL, False, None)],
    ids=["sigterm", "ctrl-c", "sigkill"],
)
def test_signal_ends_pool_sweep_and_its_workers(deal, tmp_path, sig, group, code):
    """``sweep --workers 2``: the pool workers and their HiGHS children end with the
    command, at once, whatever ends it (no waiting for the points being solved)."""
    args = ["sweep", str(deal), "--vary", "provider.min_margin=0.05:0.2:4", "--workers", "2"]
    proc = start(args, tmp_path)
    children = wait_for_children(proc, 4)  # two workers, each with its solver
    elapsed, returncode, left = stop_and_measure(proc, children, sig, group)
    assert not left, f"still running after {elapsed:.1f} s: {left}"
    assert elapsed < STOP_SECONDS, f"took {elapsed:.2f} s"
    assert returncode == (code if code is not None else -signal.SIGKILL)


def test_child_watches_its_parent_without_pdeathsig(tmp_path):
    """The fallback of PDEATHSIG: a child whose parent is gone kills itself (the thread
    started by ``die_with_parent`` watches ``getppid()``)."""
    script = (
        "import os, time\n"
        "from optimizer import processes\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    processes.sys.platform = 'other'  # no prctl: only the watching thread\n"
        "    try:\n"
        "        processes.die_with_parent(os.getppid())\n"
        "    finally:\n"
        "        time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(pid, flush=True)\n"
        "time.sleep(1)\n"
        "os._exit(0)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, timeout=60, check=True
    )
    child = int(out.stdout.split()[0])
    stat = _stat(child)
    deadline = time.monotonic() + 3.0
    while stat is not None and stat[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)
        stat = _stat(child)
    if stat is not None and stat[0] != "Z":
        os.kill(child, signal.SIGKILL)
        pytest.fail("the child outlived its parent")
