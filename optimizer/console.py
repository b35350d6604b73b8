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
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import TextIO

EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for a tool whose reader went away."""


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


def quiet_broken_pipe() -> None:
    """After the reader went away: drop what is still buffered, without a second error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())


def run() -> None:
    """``tierprice`` as installed (console script) and as ``python -m optimizer``."""
    route_native_stdout()
    from optimizer.cli import main

    try:
        main()
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            quiet_broken_pipe()
            sys.exit(EXIT_BROKEN_PIPE)
