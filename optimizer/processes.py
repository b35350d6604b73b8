"""Process-level behaviour of forked children: die with the parent, leave signals to it.

Used by the HiGHS driver's solver child (``optimizer.milp.watch``), the studies' pool
workers (``optimizer.studies.batch``), the risk workers and the cbc binary: whatever ends
the command ends them too, and a signal sent while one is forked is not lost
(``signals_held``).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

HELD = frozenset(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""The signals that end a command (``optimizer.console``): held while it forks."""

WATCH_EVERY = 0.2
"""Seconds between two looks of a child at its parent (the fallback of PDEATHSIG)."""


@functools.cache
def libc_prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` (Linux), or None; looked up once, so that a child between fork
    and exec (``killed_with_parent`` as a ``preexec_fn``) only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return cast(Callable[..., int], ctypes.CDLL(None, use_errno=True).prctl)
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return None


def killed_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent ends (``PR_SET_PDEATHSIG``,
    Linux; nothing elsewhere): for forked Python children (``die_with_parent``) and, as
    a ``preexec_fn``, for the solver binaries they start (``optimizer.milp.cbc``)."""
    prctl = libc_prctl()
    if prctl is not None:
        prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG


def exec_child() -> None:
    """The ``preexec_fn`` of a solver binary: killed with its parent, the signals held
    while it was forked let through."""
    killed_with_parent()
    exec_signals()


def die_with_parent(parent: int) -> None:
    """In a forked child: end when the process ``parent`` ends, however it ends.

    On Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``);
    everywhere a daemon thread also checks ``os.getppid()`` every ``WATCH_EVERY`` s
    (HiGHS releases the GIL while it solves, so the thread runs). A parent that is
    already gone (it died between fork and here) ends the child at once.
    """
    killed_with_parent()
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_EVERY)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP while a child is forked: one arriving
    meanwhile is handled on the way out, in this code.

    Python runs a signal's handler at the next bytecode, and during ``os.fork`` (a
    ``multiprocessing`` child, a ``subprocess`` with a ``preexec_fn``) that is an at-fork
    hook, such as logging's ``_releaseLock``, whose exceptions Python prints and drops:
    the KeyboardInterrupt a Ctrl-C raised there was lost and the sweep ran on (1 run in
    25 under load). So the signals are blocked in this thread, and, in the main thread,
    their handlers meanwhile only note them (another thread may take a signal the
    process is sent, and the main thread then runs the handler wherever it is); on the
    way out the handlers are put back and each noted signal is raised again. The child
    starts with them blocked and unblocks them in ``child_signals`` (or
    ``exec_signals``), once its own handlers are in place.
    """
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    noted: list[int] = []
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        for sig in HELD:
            if signal.getsignal(sig) is not None:  # None: not set from Python, left alone
                handlers[sig] = signal.signal(sig, lambda signum, _frame: noted.append(signum))
    before = signal.pthread_sigmask(signal.SIG_BLOCK, HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(noted):
            signal.raise_signal(sig)


def child_signals() -> None:
    """In a child: Ctrl-C is the parent's to handle (it kills its children); a SIGTERM
    or SIGHUP sent to the child alone ends it at once (not the parent's handlers). The
    signals held while it was forked (``signals_held``) are let through."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    exec_signals()


def exec_signals() -> None:
    """Let through the signals ``signals_held`` blocked (a program exec'd keeps its
    parent's signal mask)."""
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HELD)
