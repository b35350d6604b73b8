"""Every solve of the server runs in a worker process, never in a request thread.

A :class:`Job` is one worker process (:func:`optimizer.web.work.worker_main`) and
the thread that waits for its answer. Workers are forked by a fork server that
imported the solver stack once (so a check starts in milliseconds) and that forks
from a single-threaded process (never from the threaded HTTP server). At most ``workers``
jobs run at once; the others wait in a queue (their time limit counts once they
start). A job ends in one of four ways: its answer, its cancellation (the page's Cancel button), the
time limit (the worker is killed ``GRACE`` seconds after the limit the run itself
was given) or the server's shutdown; in every one the worker is killed and its own
solver child dies with it (``optimizer.processes``: workers die with the fork
server, which dies with the server).
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from optimizer.web.requests import DealRequest
from optimizer.web.work import EXIT, EXIT_CANCELLED, Outcome

GRACE = 10.0
"""Seconds a worker may overrun its time limit (building reports) before it is killed."""
PRELOAD = [
    "optimizer.web.work",
    "optimizer.pipeline",
    "optimizer.output.report",
    "optimizer.scenario.loader",
    "optimizer.scenario.fixes",
    "optimizer.milp.highs",
    "highspy",
]
"""Modules the fork server imports once, so that no worker imports them again."""


@dataclass
class Job:
    """One check or solve: its state, what the worker said, its outcome."""

    id: str
    request: DealRequest
    time_limit: float
    started: float = field(default_factory=time.monotonic)
    """When its worker started (until then: when it was queued)."""
    stage: str = "queued"
    """queued, starting, then what the worker says (checking, solving), then the state."""
    state: str = "running"
    """running (queued or solving), done, cancelled or failed (no answer came)."""
    outcome: Outcome | None = None
    ended: float | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    cancel_requested: bool = False
    process: Any = None

    def elapsed(self) -> float:
        """Seconds since the job started (until it ended)."""
        return (self.ended or time.monotonic()) - self.started

    def status(self) -> dict[str, Any]:
        """The job as ``GET /api/jobs/ID`` shows it (without the command's output)."""
        data: dict[str, Any] = {
            "id": self.id,
            "command": self.request.command,
            "scenario": self.request.source,
            "state": self.state,
            "stage": self.stage,
            "elapsed": round(self.elapsed(), 3),
            "time_limit": self.time_limit,
        }
        if self.outcome is not None:
            data["exit_code"] = self.outcome.exit_code
        return data


class Jobs:
    """The server's running and finished jobs; ``on_done`` sees every outcome."""

    def __init__(self, time_limit: float, workers: int, on_done: Callable[[Job], None]) -> None:
        self.time_limit = time_limit
        self.workers = workers
        self._slots = threading.BoundedSemaphore(workers)
        self._on_done = on_done
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._closed = False
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)

    def start(self, request: DealRequest) -> Job:
        """Queue ``request`` (its time limit capped by the server's); a worker starts as
        soon as fewer than ``workers`` are running."""
        limit = min(request.time_limit or self.time_limit, self.time_limit)
        request = replace(request, time_limit=limit)
        with self._lock:
            if self._closed:
                raise RuntimeError("the server is shutting down")
            job = Job(f"j{next(self._ids)}", request, limit, stage="queued")
            self._jobs[job.id] = job
        threading.Thread(target=self._run, args=(job,), daemon=True).start()
        return job

    def _run(self, job: Job) -> None:
        """Wait for a free slot, run the worker, wait for its answer."""
        while not self._slots.acquire(timeout=0.2):
            if job.cancel_requested:
                self._finish(job, None)
                return
        try:
            if job.cancel_requested:
                self._finish(job, None)
                return
            from optimizer.web.work import worker_main

            receive, send = self._context.Pipe(duplex=False)
            process = self._context.Process(
                target=worker_main, args=(send, job.request), daemon=False
            )
            job.started, job.stage = time.monotonic(), "starting"
            process.start()
            send.close()
            job.process = process
            self._wait(job, receive)
        finally:
            self._slots.release()

    def get(self, job_id: str) -> Job | None:
        """The job of that id, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job: Job) -> None:
        """Stop a running job: its worker (and the worker's solver) is killed at once."""
        job.cancel_requested = True  # a queued job ends when its thread sees this
        if job.process is not None and job.state == "running":
            with contextlib.suppress(OSError, ValueError):
                job.process.kill()  # the waiting thread alone reaps it (_kill)

    def shutdown(self) -> None:
        """Kill every worker still running and wait for their threads (server exit)."""
        with self._lock:
            self._closed = True
            running = [j for j in self._jobs.values() if j.state == "running"]
        for job in running:
            self.cancel(job)
        for job in running:
            job.finished.wait(5)

    def _wait(self, job: Job, receive: Any) -> None:
        """Wait for the worker's answer until the time limit and the grace have passed."""
        deadline = job.started + job.time_limit + GRACE
        outcome: Outcome | None = None
        try:
            while outcome is None:
                left = deadline - time.monotonic()
                if left <= 0 or not receive.poll(min(left, 0.5)):
                    if left <= 0:
                        break
                    continue
                kind, value = receive.recv()
                if kind == "stage":
                    job.stage = value
                else:
                    outcome = value
        except (EOFError, OSError):
            pass
        except BaseException:
            _kill(job.process)
            raise
        _kill(job.process)
        receive.close()
        self._finish(job, outcome)

    def _finish(self, job: Job, outcome: Outcome | None) -> None:
        if job.cancel_requested and outcome is None:
            job.state, outcome = "cancelled", Outcome(EXIT_CANCELLED, error="cancelled")
        elif outcome is None and job.elapsed() >= job.time_limit:
            message = f"no solution within the time limit ({job.time_limit:g} s): stopped"
            job.state, outcome = "failed", Outcome(EXIT["solver"], error=message)
        elif outcome is None:
            message = "unexpected error: the solving process ended without an answer"
            job.state, outcome = "failed", Outcome(EXIT["unexpected"], error=message)
        else:
            job.state = "done"
        job.outcome, job.ended, job.stage = outcome, time.monotonic(), job.state
        try:
            self._on_done(job)
        finally:
            job.finished.set()


def _kill(process: Any) -> None:
    """Kill a worker process if it is still running, and reap it."""
    if process is None:
        return
    if process.is_alive():
        process.kill()
    process.join(timeout=5)
