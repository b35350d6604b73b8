"""The simulation's batches shared by the machine's cores: forked children, each on a
contiguous share of the batches, their results read back in batch order.

Every batch has its own random stream, so the results do not depend on how many
processes ran them. A child dies with its parent (:mod:`optimizer.processes`), and
every child is killed and reaped before :func:`run_batches` returns, however it
returns. A child that fails leaves its share to the parent (the same work, so the
same results or the same error as one process gives).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from optimizer.processes import child_signals, die_with_parent, signals_held

J = TypeVar("J")
R = TypeVar("R")

MAX_WORKERS = 8
"""At most this many processes (the parent included) share the batches."""


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - no affinity (macOS, Windows)


def default_workers(jobs: int) -> int:
    """Processes for ``jobs`` batches: one per core (at most MAX_WORKERS), one where
    this process may not fork (a daemonic worker) or cannot (no ``fork``)."""
    if multiprocessing.current_process().daemon:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # pragma: no cover - Windows
    return max(1, min(jobs, cores(), MAX_WORKERS))


def _shares(jobs: int, workers: int) -> list[range]:
    """Contiguous, nearly equal shares of ``range(jobs)``, the first ones larger.

    >>> [list(r) for r in _shares(5, 2)]
    [[0, 1, 2], [3, 4]]
    """
    size, extra = divmod(jobs, workers)
    shares, start = [], 0
    for w in range(workers):
        end = start + size + (1 if w < extra else 0)
        shares.append(range(start, end))
        start = end
    return shares


def _child(work: Callable[[Any], Any], jobs: Sequence[Any], conn: Connection, parent: int) -> None:
    """Child process: it dies with its parent, leaves signals to it, runs its share."""
    die_with_parent(parent)
    child_signals()
    try:
        conn.send(("done", [work(j) for j in jobs]))
    except Exception as exc:  # the parent redoes the share and raises it
        conn.send(("failed", repr(exc)))
    conn.close()


def run_batches(work: Callable[[J], R], jobs: Sequence[J], workers: int | None = None) -> list[R]:
    """``[work(j) for j in jobs]``, shared by ``workers`` processes (None: one per
    core); the parent runs the first share."""
    count = default_workers(len(jobs)) if workers is None else max(1, min(workers, len(jobs)))
    if count == 1:
        return [work(j) for j in jobs]
    shares = _shares(len(jobs), count)
    context = multiprocessing.get_context("fork")
    children = []
    try:
        for share in shares[1:]:
            receive, send = context.Pipe(duplex=False)
            args = (work, [jobs[i] for i in share], send, os.getpid())
            child = context.Process(target=_child, args=args, daemon=True)
            children.append((child, receive, share))
            with signals_held():  # processes.signals_held: a Ctrl-C is not lost
                child.start()
            send.close()
        results = [work(jobs[i]) for i in shares[0]]
        for _, receive, share in children:
            results.extend(_receive(receive) or [work(jobs[i]) for i in share])
        return results
    finally:
        for child, receive, _ in children:
            if child.is_alive():
                child.kill()
            if child.pid is not None:
                child.join(timeout=5)
            receive.close()


def _receive(receive: Connection) -> list[Any] | None:
    """A child's results, or None when it failed or ended without them."""
    try:
        kind, value = receive.recv()
    except (EOFError, OSError):
        return None
    return value if kind == "done" else None
