"""Tests of optimizer.milp.watch.meanwhile: a value computed in a child while the caller
goes on, and the child gone however the caller leaves."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from optimizer.milp.watch import meanwhile


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_the_value_comes_from_a_child_while_the_caller_works() -> None:
    """Computed in another process, at the same time as the caller's own work: both
    sleeps of 0.4 s overlap."""
    clock = time.perf_counter()
    with meanwhile(lambda: _pid_after(0.4), None) as later:
        time.sleep(0.4)
        pid = later()
    assert pid is not None and pid != os.getpid()
    assert time.perf_counter() - clock < 0.75


def test_a_child_past_its_limit_gives_none() -> None:
    with meanwhile(lambda: _pid_after(5.0), 0.3) as later:
        assert later() is None


def test_the_child_is_killed_when_the_caller_fails() -> None:
    """An exception in the caller's block (Ctrl-C is one) ends the child at once."""
    seen: list[multiprocessing.process.BaseProcess] = []
    with pytest.raises(RuntimeError), meanwhile(lambda: _pid_after(30.0), None):
        seen.extend(multiprocessing.active_children())
        raise RuntimeError("stop")
    assert seen and not any(p.is_alive() for p in seen)


def _fails() -> int:
    raise ValueError("no value")


def test_what_the_child_raises_is_raised_in_the_caller() -> None:
    """An error in the child reaches the caller as itself, not as a traceback the child
    prints."""
    with meanwhile(_fails, None) as later, pytest.raises(ValueError, match="no value"):
        later()


def _daemon_value(queue: multiprocessing.Queue[tuple[int, int | None]]) -> None:
    with meanwhile(os.getpid, None) as later:
        queue.put((os.getpid(), later()))


def test_a_daemonic_process_computes_in_place() -> None:
    """A daemonic process (a Dask worker) may not fork: the value is computed in it."""
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[tuple[int, int | None]] = context.Queue()
    worker = context.Process(target=_daemon_value, args=(queue,), daemon=True)
    worker.start()
    here, computed = queue.get(timeout=30)
    worker.join(timeout=30)
    assert here == computed
