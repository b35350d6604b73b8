"""Process-level behaviour of forked children: die with the parent, leave signals to it.

Used by the HiGHS driver's solver child (``optimizer.milp.watch``) and by the studies'
pool workers (``optimizer.studies.batch``): whatever ends the command ends them too.
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import cast

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


def child_signals() -> None:
    """In a child: Ctrl-C is the parent's to handle (it kills its children); a SIGTERM
    or SIGHUP sent to the child alone ends it at once (not the parent's handlers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
