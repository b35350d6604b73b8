"""A solve in a forked child that streams its progress to a parent that watches the clock.

HiGHS's own ``time_limit`` is usually honoured, but on hard MIPs it has been seen to
overrun by minutes with its interrupt callback silent; so ``optimizer.milp.highs`` runs
it through ``run_watched``. The child sends every improving solution (``Incumbent``) and
its proven bound as it moves, then its final answer; the parent waits in Python, so
Ctrl-C or a signal reaches it at once, and it kills the child at the time limit, on any
exception and on every way out, keeping what was received (``Stream``). The child dies
with its parent however that ends and leaves signals to it
(``optimizer.processes``). This module knows pipes and processes, not HiGHS.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, Generic, NamedTuple, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from optimizer.processes import child_signals, die_with_parent, signals_held

POLL_MAX = 86_400.0
"""Longest single wait on the child's pipe: ``poll`` refuses more than about 2.1e6 s
(a --time-limit of 1e7 s was 'unexpected error: OverflowError: timeout is too large')."""
BOUND_EVERY = 0.25
"""Seconds between two bound reports of the child (from HiGHS's MIP interrupt callback)."""

T = TypeVar("T")


class Incumbent(NamedTuple):
    """An improving solution found by the child."""

    objective: float
    col: NDArray[np.float64]
    bound: float
    """The proven bound when it was found (not finite when there is none yet)."""


Collect = Callable[[], "Stream[T]"]
"""Waits for a started child's stream (``started``)."""


class Reporter(Generic[T]):
    """The child's end of the pipe: what a solve streams to its parent."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._last = (-math.inf, math.nan)  # time and value of the last bound sent

    def incumbent(self, objective: float, col: NDArray[np.float64], bound: float) -> None:
        """Send an improving solution (and the bound proven when it was found)."""
        self._conn.send(("incumbent", Incumbent(objective, col, bound)))

    def bound(self, bound: float) -> None:
        """Send the proven bound when it is finite, has moved, and ``BOUND_EVERY`` seconds
        have passed since the last one sent."""
        now = time.monotonic()
        if math.isfinite(bound) and bound != self._last[1] and now - self._last[0] >= BOUND_EVERY:
            self._last = (now, bound)
            self._conn.send(("bound", bound))

    def done(self, answer: T) -> None:
        """Send the final answer (the last message)."""
        self._conn.send(("done", answer))

    def last(self, answer: T) -> None:
        """Send the final answer and end the child at once (from inside the solver)."""
        self.done(answer)
        os._exit(0)


@dataclass(frozen=True)
class Stream(Generic[T]):
    """What the parent received from a watched child."""

    answer: T | None
    """The child's final answer; None when it was stopped or ended first."""
    best: Incumbent | None
    """The last improving solution it sent (the best one), or None."""
    bound: float | None
    """The last finite bound it sent (alone or with a solution), or None."""
    ended: str = ""
    """Why there is no answer: the time limit, or the child ending unexpectedly."""


def run_watched(solve: Callable[[Reporter[T]], None], limit: float | None) -> Stream[T]:
    """Run ``solve`` in a forked child and keep what it streams; kill the child after
    ``limit`` seconds (None: no limit), on any exception (KeyboardInterrupt, a signal
    turned into one) and on every way out."""
    with started(solve, limit) as collect:
        return collect()


@contextmanager
def started(solve: Callable[[Reporter[T]], None], limit: float | None) -> Iterator[Collect[T]]:
    """``run_watched`` in two steps: the child starts on entry and the caller goes on; the
    function it is given waits for what the child streams (until ``limit`` seconds after
    the start). On the way out, however it is taken, a child still alive is killed."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    args = (solve, send, receive, os.getpid())
    child = context.Process(target=_child, args=args, daemon=True)
    deadline = None if limit is None else time.monotonic() + limit
    try:
        with signals_held():  # a Ctrl-C meanwhile is raised here, the child then killed
            child.start()
        send.close()
        yield partial(_collect, receive, deadline)
    finally:
        send.close()
        if child.is_alive():
            child.kill()
        if child.pid is not None:
            child.join(timeout=5)
        receive.close()


@contextmanager
def meanwhile(compute: Callable[[], T], limit: float | None) -> Iterator[Callable[[], T | None]]:
    """``compute()`` in a watched child while the caller goes on (``started``); the function
    given waits for its value, None when the child ran out of ``limit`` or ended
    unexpectedly, and raises what ``compute`` raised there. In a daemonic process (a
    Dask worker), which may not fork, it is computed at once."""
    if multiprocessing.current_process().daemon:
        computed = compute()
        yield lambda: computed
        return

    def solve(reporter: Reporter[tuple[bool, Any]]) -> None:
        try:
            answer: tuple[bool, Any] = (True, compute())
        except Exception as err:  # raised again in the parent, not printed by the child
            answer = (False, err)
        try:
            reporter.done(answer)
        except Exception as err:  # an answer or error that does not pickle
            reporter.done((False, RuntimeError(f"{type(err).__name__}: {err}")))

    def received() -> T | None:
        answer = collect().answer
        if answer is None:
            return None
        ok, payload = answer
        if not ok:
            raise payload
        return cast(T, payload)

    collect: Collect[tuple[bool, Any]]
    with started(solve, limit) as collect:
        yield received


def _collect(receive: Connection, deadline: float | None) -> Stream[Any]:
    """Receive until the final answer, the end of the pipe or the deadline."""
    best: Incumbent | None = None
    bound: float | None = None
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return Stream(None, best, bound, "stopped at the time limit")
            if not receive.poll(min(left, POLL_MAX)):
                continue  # a limit of weeks is waited for a day at a time (poll's own limit)
        try:
            message = receive.recv()
        except EOFError:
            return Stream(None, best, bound, "the solver process ended unexpectedly")
        if message[0] == "done":
            return Stream(message[1], best, bound)
        if message[0] == "bound":
            bound = message[1]
            continue
        best = message[1]
        if math.isfinite(best.bound):
            bound = best.bound


def _child(
    solve: Callable[[Reporter[Any]], None], conn: Connection, other_end: Connection, parent: int
) -> None:
    """Child process: it dies with its parent, leaves signals to it, and solves. Its
    file descriptor 1 goes to the null device: it answers through ``conn`` only, and
    highspy's C++ banner ("Running HiGHS ... Copyright") would otherwise land on the
    caller's stdout (a notebook cell, a script's JSON)."""
    die_with_parent(parent)
    child_signals()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    other_end.close()  # else a parent gone would leave a send blocked on a full pipe
    solve(Reporter(conn))
    conn.close()
