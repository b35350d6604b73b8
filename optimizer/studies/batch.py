"""Run many scenarios: serially, on a local process pool, or on a Dask cluster.

Results always come back in the order of the jobs, identical to a serial run
(each solve is single-threaded and seeded). A job that fails (an invalid sweep
point, a solver error) becomes a result with status ``error`` and its message,
never an exception that loses the other points. Ctrl-C stops the pool and
returns what was finished (``BatchInterrupted.partial``).

Every process a batch starts ends with it: pool workers die with their parent
(``die_with_parent``) and leave Ctrl-C to it; on Ctrl-C or a signal the parent kills
them at once instead of waiting for the points they are solving. A Dask scheduler
that does not answer (a port that accepts connections but never speaks Dask, such
as the dashboard's) is refused after ``DASK_PROBE_SECONDS``; a cluster left without
workers for ``DASK_NO_WORKER_SECONDS`` is given up, and its unfinished points are
solved here instead (with a warning).
"""

from __future__ import annotations

import os
import socket
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from optimizer.errors import OptimizerError, SolverError
from optimizer.milp import reuse
from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.processes import child_signals, die_with_parent, signals_held
from optimizer.results import SolverInfo, SolveStatus, VerifiedResult
from optimizer.scenario.schema import Scenario
from optimizer.studies.risk_points import RiskDraws, with_risk


@dataclass(frozen=True)
class Job:
    """One scenario to solve; ``label`` names its column or row in reports."""

    label: str
    scenario: Scenario | None
    options: RunOptions
    error: str = ""
    """Set when the job could not even be built (e.g. an invalid sweep value)."""
    risk: RiskDraws | None = None
    """Simulate the solved plan's volume risk in the job (``--risk-draws``)."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C (or a signal) during a batch: ``partial`` holds the results finished so
    far (None gaps); ``exit_code`` is the one of the interruption (130, 143, 129)."""

    def __init__(self, partial: list[VerifiedResult | None], exit_code: int = 130) -> None:
        super().__init__("interrupted")
        self.partial = partial
        self.exit_code = exit_code


def _exit_code(stop: BaseException) -> int:
    return int(getattr(stop, "exit_code", 130))


def failed(label: str, message: str, objective: str = "max_margin") -> VerifiedResult:
    """A placeholder result for a job that failed: status error, no totals."""
    return VerifiedResult(
        label,
        "",
        SolveStatus.ERROR,
        objective,
        None,
        (),
        (),
        (),
        False,
        0.0,
        SolverInfo("none", 0.0, None),
        message=message,
    )


def run_job(job: Job) -> VerifiedResult:
    """Solve one job; failures become ``error`` results (runs in worker processes too)."""
    if job.scenario is None:
        return failed(job.label, job.error)
    try:
        return with_risk(job.scenario, run_scenario(job.scenario, job.options), job.risk)
    except OptimizerError as err:
        return failed(job.label, str(err), job.options.objective or job.scenario.objective)
    except Exception as err:  # any failure of one job must not lose the other points
        message = f"{type(err).__name__}: {err}"
        return failed(job.label, message, job.options.objective or job.scenario.objective)


def default_workers() -> int:
    """Every local core."""
    return max(1, os.cpu_count() or 1)


def run_jobs(
    jobs: Sequence[Job],
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[VerifiedResult]:
    """Run ``jobs`` and return their results in order.

    ``workers`` = 1 runs serially in this process; more uses a process pool;
    ``scheduler`` (``tcp://host:port``) sends the jobs to a Dask cluster instead.
    ``progress(n)`` is called with the number of jobs just finished.
    """
    if scheduler:
        return _run_dask(jobs, scheduler, progress)
    count = default_workers() if workers is None else max(1, workers)
    if count == 1 or len(jobs) <= 1:
        out: list[VerifiedResult | None] = []
        try:
            with reuse.across_points():
                for job in jobs:
                    out.append(run_job(job))
                    if progress:
                        progress(1)
        except KeyboardInterrupt as stop:
            partial = out + [None] * (len(jobs) - len(out))
            raise BatchInterrupted(partial, _exit_code(stop)) from None
        return [r for r in out if r is not None]
    return _run_pool(jobs, count, progress)


def _collect(futures: list[Future[VerifiedResult]], progress: Callable[[int], None] | None) -> None:
    from concurrent.futures import FIRST_COMPLETED, wait

    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        if progress:
            progress(len(done))


def _worker_setup(parent: int) -> None:
    """Pool worker start: die with the parent, leave Ctrl-C to it, reuse models across
    its points (``optimizer.milp.reuse``)."""
    die_with_parent(parent)
    child_signals()
    reuse.for_this_process()


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now (their running points are lost), then shut it down."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.join(timeout=2)


def _run_pool(
    jobs: Sequence[Job], workers: int, progress: Callable[[int], None] | None
) -> list[VerifiedResult]:
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)), initializer=_worker_setup, initargs=(os.getpid(),)
    )
    futures: list[Future[VerifiedResult]] = []
    try:
        with signals_held():  # the workers are forked here (processes.signals_held)
            futures += [pool.submit(run_job, job) for job in jobs]
        _collect(futures, progress)
    except KeyboardInterrupt as stop:
        partial = [
            f.result() if f.done() and not f.cancelled() and f.exception() is None else None
            for f in futures
        ]
        partial += [None] * (len(jobs) - len(partial))
        _kill_pool(pool)
        raise BatchInterrupted(partial, _exit_code(stop)) from None
    except BaseException:
        _kill_pool(pool)
        raise
    pool.shutdown()
    return [_pool_result(job, f) for job, f in zip(jobs, futures, strict=True)]


def _pool_result(job: Job, future: Future[VerifiedResult]) -> VerifiedResult:
    """A finished point, or an error result when its worker process died."""
    err = future.exception()
    if err is None:
        return future.result()
    return failed(job.label, f"the worker process failed: {type(err).__name__}: {err}")


DASK_PROBE_SECONDS = 10.0
"""Seconds a scheduler address has to greet us before it is refused."""
DASK_NO_WORKER_SECONDS = 30.0
"""Seconds a cluster may have no worker before its unfinished points are solved here."""
DASK_POLL_SECONDS = 0.25
"""Seconds between two looks at the points' state (and at the cluster's workers)."""
_DONE = ("finished", "error", "cancelled", "lost")


def probe_scheduler(address: str, seconds: float | None = None) -> None:
    """Refuse an address that is not a Dask scheduler, without hanging: a scheduler
    greets every connection at once (its handshake); an HTTP port (the dashboard) or
    any other silent server does not. SolverError with a clear message otherwise.
    Only ``tcp://`` addresses are probed (TLS and others are left to Dask)."""
    seconds = DASK_PROBE_SECONDS if seconds is None else seconds
    scheme, _, rest = address.rpartition("://")
    if scheme not in ("", "tcp"):
        return
    host, _, port = rest.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise SolverError(
            f"bad Dask scheduler address {address!r}: expected tcp://HOST:PORT"
        ) from None
    try:
        with socket.create_connection((host.strip("[]") or "127.0.0.1", number), seconds) as s:
            s.settimeout(seconds)
            greeting = s.recv(8)
    except TimeoutError:
        raise SolverError(
            f"{address} accepts connections but did not answer as a Dask scheduler within "
            f"{seconds:g} s (is it the dashboard's HTTP port? the scheduler's is tcp://...:8786)"
        ) from None
    except OSError as err:
        raise SolverError(f"cannot reach the Dask scheduler at {address}: {err}") from None
    if not greeting:
        raise SolverError(f"{address} closed the connection: not a Dask scheduler")


def _run_dask(
    jobs: Sequence[Job], scheduler: str, progress: Callable[[int], None] | None
) -> list[VerifiedResult]:
    """Submit every job to an existing Dask scheduler (the ``distributed`` extra)."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise OptimizerError(
            "--scheduler needs the optional 'distributed' package: "
            "pip install 'tierprice[distributed]'"
        ) from None
    probe_scheduler(scheduler)
    try:
        client: Any = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise SolverError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
    try:
        futures = client.map(run_job, list(jobs), pure=False)
        try:
            lost = _watch_dask(client, futures, progress)
        except KeyboardInterrupt as stop:
            partial = [f.result() if f.status == "finished" else None for f in futures]
            client.cancel(futures)
            raise BatchInterrupted(partial, _exit_code(stop)) from None
        results = [_dask_result(job, f) for job, f in zip(jobs, futures, strict=True)]
        # Unfinished points, and points whose result died with its worker before it was
        # fetched (status "lost"): both are solved here.
        again = sorted(set(lost) | {i for i, r in enumerate(results) if r is None})
        if lost:
            client.cancel([futures[i] for i in lost])
            warnings.warn(
                f"the Dask cluster at {scheduler} has had no worker for "
                f"{DASK_NO_WORKER_SECONDS:g} s: solving its {len(again)} unfinished points here",
                RuntimeWarning,
                stacklevel=2,
            )
        elif again:
            warnings.warn(
                f"the Dask cluster at {scheduler} lost the results of {len(again)} points "
                "with their workers: solving them here",
                RuntimeWarning,
                stacklevel=2,
            )
        counted = [i for i in again if i not in lost]  # finished once: already counted
        for points, report in (([i for i in again if i in lost], progress), (counted, None)):
            rest = run_jobs([jobs[i] for i in points], None, None, report) if points else []
            for i, result in zip(points, rest, strict=True):
                results[i] = result
        assert all(r is not None for r in results)
        return [r for r in results if r is not None]
    finally:
        client.close(timeout=5)


def _watch_dask(
    client: Any, futures: list[Any], progress: Callable[[int], None] | None
) -> list[int]:
    """Wait for the points; return the indices left unfinished when the cluster has had
    no worker for ``DASK_NO_WORKER_SECONDS`` (empty when every point finished)."""
    counted: set[int] = set()
    seen = time.monotonic()  # when the cluster last had a worker
    checked = 0.0
    while True:
        now_done = {i for i, f in enumerate(futures) if f.status in _DONE} - counted
        if now_done and progress:
            progress(len(now_done))
        counted |= now_done
        if len(counted) == len(futures):
            return []
        now = time.monotonic()
        if now - checked >= 1.0:
            checked = now
            if _has_workers(client):
                seen = now
            elif now - seen >= DASK_NO_WORKER_SECONDS:
                return [i for i in range(len(futures)) if i not in counted]
        time.sleep(DASK_POLL_SECONDS)


def _has_workers(client: Any) -> bool:
    """Whether the scheduler answers within 5 s and has at least one worker."""
    try:
        return bool(client.nthreads(callback_timeout=5))
    except Exception:  # a scheduler gone or not answering: no worker either
        return False


def _dask_result(job: Job, future: Any) -> VerifiedResult | None:
    """A finished point; an error result for a point that failed remotely (a worker
    killed by it again and again); None for a point still unfinished, or whose result
    was lost with its worker (``lost``, ``cancelled``: solved again here)."""
    if future.status == "finished":
        result: VerifiedResult = future.result()
        return result
    if future.status == "error":
        try:
            err = future.exception(timeout=5)
        except Exception as other:  # a cancelled future raises here
            err = other
        return failed(job.label, f"the Dask cluster failed on this point: {type(err).__name__}")
    return None
