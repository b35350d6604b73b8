"""A Ctrl-C that arrives while tierprice forks a child is not lost (processes.signals_held).

Python runs a signal's handler at the next bytecode; during a fork that is an at-fork hook
(logging's ``_releaseLock`` is one), where Python prints the KeyboardInterrupt raised and
drops it: a sweep interrupted at that moment ran on to its end (found by a CI run, 1 run in
25 reproduced under load). Here a hook registered for the tests sends SIGINT to this
process (or to another of its threads) in the parent's after-fork hooks, exactly that
moment, on the next fork only; each way the package forks must then raise
KeyboardInterrupt and leave no child behind. The children themselves must start with
those signals let through again.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from optimizer.milp import cbc
from optimizer.milp.watch import Reporter, run_watched
from optimizer.options import RunOptions
from optimizer.processes import HELD
from optimizer.risk.workers import run_batches
from optimizer.studies.batch import BatchInterrupted, Job, run_jobs

CHILD_SECONDS = 5.0
"""How long each child would work: a lost interrupt shows as a run this long, then no raise."""

REAP_SECONDS = 5.0
"""How long a child killed by the code under test may take to be gone (a loaded machine;
one was still there at teardown in a full CI run). It must have been killed, not have
ended on its own."""

_ARMED: list[tuple[int, Callable[[], None]]] = []
"""The pid whose next fork sends SIGINT, and how (one entry per fork to interrupt)."""


def _interrupt_this_fork() -> None:
    if _ARMED and _ARMED[0][0] == os.getpid():
        _ARMED.pop()[1]()


os.register_at_fork(after_in_parent=_interrupt_this_fork)


@pytest.fixture(params=["to the process", "to another thread"])
def ctrl_c_during_next_fork(request: pytest.FixtureRequest) -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt (Python's own handler) and arrives in the next
    fork: sent to the process (this thread takes it), or to another thread of it (whose
    signal the main thread then handles wherever it is: the fork's hooks)."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    taken, noted = os.pipe()  # the signal's C handler writes a byte here, in any thread
    os.set_blocking(noted, False)
    wakeup = signal.set_wakeup_fd(noted)
    assert other.ident is not None
    ident = other.ident

    def send() -> None:  # and wait, still in the hook, until a thread has taken it
        if request.param == "to the process":
            os.kill(os.getpid(), signal.SIGINT)
        else:
            signal.pthread_kill(ident, signal.SIGINT)
        deadline = time.monotonic() + 10
        seen = b""  # the byte of SIGINT itself: an earlier test's SIGCHLD handler writes too
        while signal.SIGINT not in seen and time.monotonic() < deadline:
            if select.select([taken], [], [], 0.1)[0]:
                seen += os.read(taken, 512)

    _ARMED[:] = [(os.getpid(), send)]
    try:
        yield
    finally:
        _ARMED.clear()
        signal.set_wakeup_fd(wakeup)
        os.close(taken)
        os.close(noted)
        stop.set()
        other.join()
        signal.signal(signal.SIGINT, before)
    late = multiprocessing.active_children()  # killed, but the kernel may not be done yet
    for child in late:
        child.join(REAP_SECONDS)
    assert not multiprocessing.active_children()
    assert [c.exitcode for c in late] == [-signal.SIGKILL] * len(late)  # killed, not left


def _sleep(reporter: Reporter[float]) -> None:
    time.sleep(CHILD_SECONDS)
    reporter.done(CHILD_SECONDS)


def _slow(x: int) -> int:
    time.sleep(CHILD_SECONDS)
    return x


def test_the_solver_child(ctrl_c_during_next_fork: None) -> None:
    clock = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_watched(_sleep, limit=60)
    assert time.monotonic() - clock < CHILD_SECONDS


def test_the_risk_workers(ctrl_c_during_next_fork: None) -> None:
    clock = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_batches(_slow, [1, 2, 3, 4], workers=2)
    assert time.monotonic() - clock < CHILD_SECONDS


def test_the_pool_of_a_sweep(ctrl_c_during_next_fork: None) -> None:
    """The interruption is the batch's: one place per job, each a gap or that job's own
    result (a worker may finish a job while the fork's hooks still run)."""
    jobs = [Job(f"p{i}", None, RunOptions(), error="never run") for i in range(4)]
    with pytest.raises(BatchInterrupted) as stop:
        run_jobs(jobs, workers=2)
    partial = stop.value.partial
    assert len(partial) == len(jobs)
    assert all(r is None or r.scenario == j.label for r, j in zip(partial, jobs, strict=True))
    assert stop.value.exit_code == 130


def test_the_cbc_binary(ctrl_c_during_next_fork: None) -> None:
    """The program started is remembered (the solve's cleanup kills it) before the raise."""
    with pytest.raises(KeyboardInterrupt):
        cbc.coin_api.subprocess.Popen(["sleep", str(CHILD_SECONDS)])
    proc = cbc._RUNNING.pop()
    assert proc.args == ["sleep", str(CHILD_SECONDS)] and proc.poll() is None
    proc.kill()
    proc.wait()


def _blocked(status: str) -> int:
    """The blocked-signal mask of a /proc/<pid>/status text."""
    line = next(x for x in status.splitlines() if x.startswith("SigBlk:"))
    return int(line.split()[1], 16)


HELD_MASK = sum(1 << (int(s) - 1) for s in HELD)


def _my_mask(reporter: Reporter[int]) -> None:
    with open("/proc/self/status", encoding="ascii") as handle:
        reporter.done(_blocked(handle.read()))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc (Linux)")
def test_children_start_with_the_signals_let_through() -> None:
    """Held while forking, SIGINT, SIGTERM and SIGHUP are unblocked in a Python child and
    in an exec'd solver, so that a signal sent to one alone still ends it."""
    stream = run_watched(_my_mask, limit=30)
    assert stream.answer is not None and stream.answer & HELD_MASK == 0
    proc = cbc.coin_api.subprocess.Popen(
        ["cat", "/proc/self/status"], stdout=subprocess.PIPE, text=True
    )
    out, _ = proc.communicate(timeout=30)
    cbc._RUNNING.remove(proc)
    assert _blocked(out) & HELD_MASK == 0
