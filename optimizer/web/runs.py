"""The runs the page compares with, and the run history they are written to.

The page and the API ask this module alone for earlier runs (``/api/runs``): the
runs of the server's own session, in memory, newest last (at most ``KEEP``), each with
the command's JSON exactly as the command line prints it, its result and scenario
(for the workbook and quote downloads and the comparison). Every finished check and
solve is also written to the SQLite run history (:mod:`optimizer.history`, the
database of ``tierprice runs``; ``serve --db PATH`` or ``TIERPRICE_DB``, off with
``--no-history``), where ``tierprice runs list | show | diff`` find it after the
server has stopped. A history that cannot be written never fails the run: one
warning on the server's stderr.
"""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KEEP = 200
"""Runs kept (the oldest is forgotten first)."""


@dataclass(frozen=True)
class Run:
    """One finished check or solve."""

    id: str
    request: dict[str, Any]
    """What was asked (``DealRequest.describe``)."""
    exit_code: int
    output: str
    """The command's JSON, as ``tierprice check|solve --format json`` prints it."""
    error: str
    result: Any
    """The VerifiedResult, or None when the command ended on an error."""
    seconds: float
    at: float
    """When it ended (``time.time()``)."""
    scenario: Any = None
    """The scenario as solved (variant and changes applied)."""

    def summary(self) -> dict[str, Any]:
        """The run as ``GET /api/runs`` lists it."""
        t = getattr(self.result, "totals", None)
        return {
            "id": self.id,
            **self.request,
            "exit_code": self.exit_code,
            "status": None if self.result is None else str(self.result.status),
            "margin": None if t is None else round(t.margin, 6),
            "seconds": round(self.seconds, 3),
            "at": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.at)),
            "error": self.error,
        }


class History:
    """The session's runs, in memory."""

    def __init__(self) -> None:
        self._runs: OrderedDict[str, Run] = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def record(
        self,
        request: dict[str, Any],
        exit_code: int,
        output: str,
        error: str,
        result: Any,
        seconds: float,
        scenario: Any = None,
    ) -> Run:
        """Keep a finished run; returns it with its id."""
        with self._lock:
            run = Run(
                f"r{next(self._ids)}",
                request,
                exit_code,
                output,
                error,
                result,
                seconds,
                time.time(),
                scenario,
            )
            self._runs[run.id] = run
            while len(self._runs) > KEEP:
                self._runs.popitem(last=False)
            return run

    def runs(self) -> list[Run]:
        """Every run kept, oldest first."""
        with self._lock:
            return list(self._runs.values())

    def get(self, run_id: str) -> Run | None:
        """The run of that id, or None."""
        with self._lock:
            return self._runs.get(run_id)


def record_web_run(db: Path, request: Any, outcome: Any) -> None:
    """Write one finished check or solve of the page to the run history at ``db``
    (command ``check`` or ``solve``, its request as the options, the JSON it
    answered); a failure is one warning on stderr."""
    from optimizer.history.record import run_row
    from optimizer.history.store import connect, write_run

    options = {**request.describe(), "web": True}
    command = options.pop("command")
    source = None if request.path is None else str(request.path)
    try:
        conn = connect(db)
        try:
            row = run_row(command, options, outcome.scenario, outcome.output, source)
            write_run(conn, {**row, "exit_code": outcome.exit_code})
        finally:
            conn.close()
    except Exception as err:  # the history never fails the run it records
        print(f"warning: run not recorded in the history ({db}): {err}", file=sys.stderr)
