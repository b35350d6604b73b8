"""The ``tierprice`` command line: parses options, calls the pipeline, prints reports.

Exit codes (documented in the README):

* 0 success (solved and verified; valid scenario; feasible deal)
* 1 unexpected error (one line; ``--debug`` shows the traceback)
* 2 invalid scenario or usage
* 3 deal infeasible (a diagnosis is printed)
* 4 solver error, or the time limit came before any solution
* 5 the solution failed its independent verification
* 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP); every
  process the command started is ended and no partial output file is left

Heavy modules (numpy, scipy, PuLP) are imported inside the commands so that
``tierprice --help`` answers at once.

The modules, lowest first: ``exits`` (the exit codes), ``text`` (what the terminal's
encoding can show), ``options`` (shared option types and options), ``output``
(report formats and writing files), ``runs`` (loading, deadline, progress), ``app``
(the command group and its error handling), then the commands: ``tools``
(validate, staff, requirements, export-lp), ``deal`` (solve, check) and
``studies`` (compare, sweep, frontier). Importing this package registers them all
on :func:`main`.
"""

from optimizer.cli import deal, studies, tools  # noqa: F401 - registers the commands
from optimizer.cli.app import main

__all__ = ["main"]
