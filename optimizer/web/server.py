"""The deal desk's HTTP server: the standard library's, one thread per request.

A request thread only reads, routes (:class:`~optimizer.web.api.DeskApi`) and
writes: every solve runs in a worker process (:mod:`optimizer.web.jobs`). The page
and its script and style are files of ``optimizer/web/static/`` (nothing is loaded
from the network). :func:`serve` runs until Ctrl-C or a signal, then kills every
worker before it returns.
"""

from __future__ import annotations

import contextlib
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from optimizer.web.api import Answer, DeskApi, error
from optimizer.web.work import EXIT

MAX_BODY = 4_000_000
"""Bytes a request body may have."""
DRAIN_MAX = 64_000_000
"""Bytes of a too-large body read (and dropped) before its 413 is answered; past it the
connection is closed at once."""
DRAIN_SECONDS = 5.0
"""Longest wait for the next part of a too-large body being drained."""
STATIC_FILES = ("index.html", "app.js", "app.css")
"""The page's files (the only ones served)."""


def static(name: str) -> Answer:
    """A file of the page (``/`` is ``index.html``)."""
    if name not in STATIC_FILES:
        return error(f"no page {name!r}", 404, EXIT["invalid"])
    body = resources.files("optimizer.web").joinpath("static", name).read_bytes()
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media.startswith("text/") or media.endswith("javascript"):
        media += "; charset=utf-8"
    return Answer(200, body, media, {"Cache-Control": "no-cache"})


def route(api: DeskApi, method: str, target: str, body: bytes) -> Answer:
    """The answer to one request."""
    url = urlsplit(target)
    parts = [p for p in url.path.split("/") if p]
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    if method == "GET" and (not parts or parts[0] == "static"):
        return static(parts[-1] if parts else "index.html")
    if not parts or parts[0] != "api":
        return error(f"no page {url.path!r}", 404, EXIT["invalid"])
    rest = parts[1:]
    if method == "GET":
        return _get(api, rest, query)
    if method == "POST":
        return _post(api, rest, body)
    return error(f"method {method} not allowed", 405, EXIT["invalid"])


def _get(api: DeskApi, rest: list[str], query: dict[str, str]) -> Answer:
    if rest == ["info"]:
        return api.info()
    if rest == ["runs"]:
        return api.runs()
    if len(rest) in (2, 3) and rest[0] == "runs":
        return api.run_detail(rest[1], rest[2] if len(rest) == 3 else "")
    if len(rest) == 2 and rest[0] == "jobs":
        return api.job(rest[1])
    if rest == ["compare"]:
        return api.compare(query.get("base", ""), query.get("run", ""))
    return error(f"no API GET /api/{'/'.join(rest)}", 404, EXIT["invalid"])


def _post(api: DeskApi, rest: list[str], body: bytes) -> Answer:
    if rest in (["check"], ["solve"]):
        return api.run(rest[0], body)
    if rest == ["scenario"]:
        return api.describe(body)
    if rest == ["jobs"]:
        job, answer = api.start("job", body)
        if job is None:
            assert answer is not None
            return answer
        return api.job(job.id)
    if len(rest) == 3 and rest[0] == "jobs" and rest[2] == "cancel":
        return api.job(rest[1], cancel=True)
    return error(f"no API POST /api/{'/'.join(rest)}", 404, EXIT["invalid"])


class Handler(BaseHTTPRequestHandler):
    """Reads a request, routes it, writes the answer; logs nothing per request."""

    server: DeskServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def do_PUT(self) -> None:  # the router's JSON 405, not the standard library's HTML 501
        self._answer("PUT")

    def do_DELETE(self) -> None:
        self._answer("DELETE")

    def do_PATCH(self) -> None:
        self._answer("PATCH")

    def _answer(self, method: str) -> None:
        text = self.headers.get("Content-Length") or "0"
        length = int(text) if text.isdigit() else -1
        if not 0 <= length <= MAX_BODY:
            expected = f"a Content-Length from 0 to {MAX_BODY} bytes, not {text[:20]!r}"
            answer = error(expected, 413 if length > 0 else 400, EXIT["invalid"])
            self.close_connection = True
            self._drain(length)
        else:
            body = self.rfile.read(length) if length > 0 else b""
            try:
                answer = route(self.server.api, method, self.path, body)
            except Exception as err:  # one line, as the command line says it; no traceback
                message = f"unexpected error: {type(err).__name__}: {err}"
                answer = error(message, 500, EXIT["unexpected"])
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.media)
        self.send_header("Content-Length", str(len(answer.body)))
        for key, value in answer.headers.items():
            self.send_header(key, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(answer.body)

    def _drain(self, length: int) -> None:
        """Read and drop a too-large body of at most ``DRAIN_MAX`` bytes, so that the client,
        still sending it, reads the 413 instead of a broken pipe."""
        if length > DRAIN_MAX:  # not worth reading (or a Content-Length that lies)
            return
        left = length
        with contextlib.suppress(OSError):  # a client that stops sending: given up on
            self.connection.settimeout(DRAIN_SECONDS)
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 20))
                if not chunk:
                    break
                left -= len(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the page polls, and a log line per poll would drown stderr."""


class DeskServer(ThreadingHTTPServer):
    """A threading HTTP server that owns the desk's API."""

    daemon_threads = True
    request_queue_size = 128
    """Connections the kernel holds until accepted (``socketserver``'s default is 5): a
    sales team's checks arrive together, and with 20 at once on a busy 2-core machine a
    queue of 5 overflowed and clients got "connection reset" (CI, test_web_load)."""

    def __init__(self, address: tuple[str, int], api: DeskApi) -> None:
        self.api = api
        super().__init__(address, Handler)


def make_server(
    host: str,
    port: int,
    folder: Path,
    time_limit: float,
    workers: int = 2,
    db: Path | None = None,
) -> DeskServer:
    """A server bound to ``host:port`` (port 0: any free one), not yet serving; its
    runs are also written to the history at ``db`` (None: not written)."""
    return DeskServer((host, port), DeskApi(folder, time_limit, workers, db))


def serve(server: DeskServer, ready: threading.Event | None = None) -> None:
    """Serve until Ctrl-C or a signal (or ``server.shutdown()``), then kill every worker."""
    if ready is not None:
        ready.set()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.api.jobs.shutdown()
        server.server_close()
