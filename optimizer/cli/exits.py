"""The exit codes of ``tierprice``, and ending quietly when stdout's reader went away.

Exit codes (documented in the README):

* 0 success (solved and verified; valid scenario; feasible deal)
* 1 unexpected error (one line; ``--debug`` shows the traceback)
* 2 invalid scenario or usage
* 3 deal infeasible (a diagnosis is printed)
* 4 solver error, or the time limit came before any solution
* 5 the solution failed its independent verification
* 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP); every
  process the command started is ended and no partial output file is left
* 141 stdout closed early (``tierprice validate X | head -1``), as Unix tools do

The command group (:mod:`optimizer.cli.app`) and the process entry point
(:mod:`optimizer.console`) both end a command whose reader went away, so what they
share lives here, below both.
"""

from __future__ import annotations

import contextlib
import os
import sys

EXIT_OK, EXIT_UNEXPECTED, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_SOLVER, EXIT_VERIFY = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for a tool whose reader went away."""


def quiet_broken_pipe() -> None:
    """After the reader went away: drop what is still buffered, without a second error."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        os.dup2(devnull, sys.stdout.fileno())
