"""Shared helpers of the web tests: a deal desk on a free loopback port, and its API.

``desk(folder)`` serves in a thread of the test process (port 0: any free one) and,
on the way out, shuts down and kills every worker; ``call`` sends one request with
the standard library's HTTP client and returns the status, headers and JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from helpers import ROOT

from optimizer.web.server import DeskServer, make_server, serve

sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import make_deal

SLOW = "slow.yaml"
"""The 10 x 3 x 7 synthetic deal with shift staffing (``slow_folder``): its solve runs to
its time limit (the same deal with interval staffing now solves in about 2 s)."""


def slow_folder(folder: Path) -> Path:
    """``folder`` with ``slow.yaml``, a deal whose solve runs until its time limit."""
    deal = make_deal(categories=10, sites=3, days=7, staffing="shifts")
    (folder / SLOW).write_text(yaml.safe_dump(deal), encoding="utf-8")
    return folder


@contextlib.contextmanager
def desk(
    folder: Path, time_limit: float = 120.0, workers: int = 2, db: Path | None = None
) -> Iterator[DeskServer]:
    """A running deal desk serving ``folder`` (its runs also written to the history at
    ``db``); stopped (workers killed) afterwards."""
    server = make_server("127.0.0.1", 0, folder, time_limit, workers, db)
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(30)


def url(server: DeskServer, path: str) -> str:
    """The address of ``path`` on ``server``."""
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def call(
    server: DeskServer, path: str, body: Any = None, timeout: float = 300
) -> tuple[int, dict[str, str], Any]:
    """GET (no body) or POST (a JSON body): status, headers, parsed JSON (or bytes)."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url(server, path), data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, headers, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        status, headers, raw = err.code, dict(err.headers), err.read()
    if headers.get("Content-Type", "").startswith("application/json"):
        return status, headers, json.loads(raw)
    return status, headers, raw


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid`` (children, their children, ...), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie is not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def without_seconds(output: dict[str, Any]) -> dict[str, Any]:
    """A check's or solve's JSON without its timings (the only part that varies)."""
    data = json.loads(json.dumps(output))
    result = data.get("result", data)
    result.get("solver", {}).pop("seconds", None)
    return data
