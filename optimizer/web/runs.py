"""The run history the page compares with: one small adapter, kept in memory.

The page and the API ask this module alone for earlier runs (``/api/runs``). In
this build it keeps the runs of the server's own session, in memory, newest last
(at most ``KEEP``): a restart of the server starts an empty history. Each run keeps
the command's JSON exactly as the command line prints it and its result, for the
workbook download and the comparison.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
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
