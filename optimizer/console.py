"""The process entry point of ``tierprice``: stdout carries only what we print.

Native libraries write to file descriptor 1 behind Python's back: highspy 1.16
prints its "Running HiGHS ... Copyright" banner from C++ when ``highspy.Highs()``
is constructed, before any option can silence it, and flushes it whenever its own
buffer decides. So before any command runs, descriptor 1 is pointed at the null
device for the whole process (and every child it forks), and ``sys.stdout`` is
re-opened on a private copy of the original descriptor: the payload (JSON, CSV,
tables) goes there and nothing else does. Native libraries report their errors on
descriptor 2, which is left alone; their descriptor-1 chatter (banners, logs we
switched off anyway) is dropped. A reader that closes the pipe early
(``tierprice validate X | head -1``) ends the command quietly, as Unix tools do.

Signals end the command cleanly: SIGINT (Ctrl-C) raises KeyboardInterrupt, SIGTERM
and SIGHUP raise :class:`Terminated` (a KeyboardInterrupt too), so every cleanup
runs (solver children and pool workers killed, no half-written file) and the exit
code is 130, 143 or 129 (128 + the signal). A second signal during that cleanup
ends the process at once. On the way out, whatever child process is still alive is
killed (``end_children``), and children started by the solver die with this process
even when it is killed outright (``optimizer.milp.highs.die_with_parent``).

This module sits on top of the command line (``run`` imports :mod:`optimizer.cli`),
so what both need to end a command whose reader went away (``EXIT_BROKEN_PIPE``,
``quiet_broken_pipe``) lives below it, in :mod:`optimizer.cli.exits`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType
from typing import TextIO


def fill_closed_descriptors() -> None:
    """Open the null device on descriptors 0, 1 and 2 where they are closed
    (``tierprice ... >&-``): else the next file opened (an output's temp file, the
    history database) would get one of those numbers, and what is written to it (a
    solver's banner on 1, a warning on 2) would land in that file. Output to a closed
    stdout is then dropped, as to the null device; Python left ``sys.stdout`` None."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:  # the lowest free number: ``fd`` unless a lower one was free
                os.dup2(null, fd)
                os.close(null)


def route_native_stdout() -> TextIO | None:
    """Point descriptor 1 at the null device; return the new ``sys.stdout``.

    Returns None (and changes nothing) when stdout has no descriptor (an embedding
    that replaced it).
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return None
    sys.stdout.flush()
    payload = os.dup(fd)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)
    old = sys.stdout
    stream = open(  # noqa: SIM115 - it lives as long as the process
        payload,
        "w",
        buffering=1 if old.line_buffering else -1,
        encoding=old.encoding,
        errors=old.errors,
        closefd=True,
    )
    sys.stdout = stream
    return stream


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP as an exception: the command cleans up as after Ctrl-C and
    exits with ``exit_code`` = 128 + the signal (143, 129)."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.exit_code = 128 + signum


_STOPPING = [False]
"""Set by the first signal (or once the command is done): another one ends at once."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _STOPPING[0]:
        end_children()
        os._exit(128 + signum)
    _STOPPING[0] = True
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(signum)


def install_signal_handlers() -> None:
    """SIGINT, SIGTERM and SIGHUP (where it exists) end the command cleanly."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, _on_signal)


def end_children() -> None:
    """Kill every process whose parent is this one and that is still running (read from
    ``/proc``; nothing elsewhere): a solver or a worker that outlived its cleanup."""
    me = os.getpid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 1 and fields[1] == str(me) and fields[0] != "Z":
            with contextlib.suppress(OSError):
                os.kill(int(entry), signal.SIGKILL)


def run() -> None:
    """``tierprice`` as installed (console script) and as ``python -m optimizer``."""
    fill_closed_descriptors()
    route_native_stdout()
    install_signal_handlers()
    from optimizer.cli import main
    from optimizer.cli.exits import EXIT_BROKEN_PIPE, quiet_broken_pipe

    try:
        main()
    finally:
        _STOPPING[0] = True
        end_children()
        try:
            if sys.stdout is not None:  # None: stdout was closed (>&-)
                sys.stdout.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
            sys.exit(EXIT_BROKEN_PIPE)
