"""The ``tierprice`` command line: parses options, calls the pipeline, prints reports.

Exit codes (documented in the README, listed in :mod:`optimizer.cli.exits`): 0
success, 1 unexpected error, 2 invalid scenario or usage, 3 deal infeasible, 4 solver
error or no solution in the time limit, 5 verification failed, 130/143/129
interrupted, terminated, hung up (every process the command started is ended and no
partial output file is left), 141 stdout closed early.

Heavy modules (numpy, scipy, PuLP) are imported inside the commands so that
``tierprice --help`` answers at once.

The modules, lowest first: ``exits`` (the exit codes), ``text`` (what the terminal's
encoding can show), ``options`` (shared option types and options), ``output``
(report formats and writing files), ``runs`` (loading, deadline, progress), ``app``
(the command group and its error handling), ``record`` (--db, --no-history, --set
and recording a run), then the commands: ``tools`` (validate, staff, requirements,
export-lp), ``deal`` (solve, check), ``invoice`` (invoice), ``quote`` (quote), ``risk``
(risk), ``studies`` (compare, sweep, frontier), ``history`` (runs) and ``serve`` (the
web deal desk, :mod:`optimizer.web`). Importing this package registers them all on
:func:`main`.
"""

from optimizer.cli import (  # noqa: F401 - registers the commands
    deal,
    history,
    invoice,
    quote,
    risk,
    serve,
    studies,
    tools,
)
from optimizer.cli.app import main

__all__ = ["main"]
