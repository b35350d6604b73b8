"""Run many scenarios: serially, on a local process pool, or on a Dask cluster.

Results always come back in the order of the jobs, identical to a serial run
(each solve is single-threaded and seeded). A job that fails (an invalid sweep
point, a solver error) becomes a result with status ``error`` and its message,
never an exception that loses the other points. Ctrl-C stops the pool and
returns what was finished (``BatchInterrupted.partial``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from optimizer.errors import OptimizerError, SolverError
from optimizer.pipeline import RunOptions, run_scenario
from optimizer.results import SolverInfo, SolveStatus, VerifiedResult
from optimizer.scenario import Scenario


@dataclass(frozen=True)
class Job:
    """One scenario to solve; ``label`` names its column or row in reports."""

    label: str
    scenario: Scenario | None
    options: RunOptions
    error: str = ""
    """Set when the job could not even be built (e.g. an invalid sweep value)."""


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: ``partial`` holds the results finished so far (None gaps)."""

    def __init__(self, partial: list[VerifiedResult | None]) -> None:
        super().__init__("interrupted")
        self.partial = partial


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
        return run_scenario(job.scenario, job.options)
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
            for job in jobs:
                out.append(run_job(job))
                if progress:
                    progress(1)
        except KeyboardInterrupt:
            raise BatchInterrupted(out + [None] * (len(jobs) - len(out))) from None
        return [r for r in out if r is not None]
    return _run_pool(jobs, count, progress)


def _collect(
    futures: list[Future[VerifiedResult]], progress: Callable[[int], None] | None
) -> list[VerifiedResult]:
    from concurrent.futures import FIRST_COMPLETED, wait

    pending = set(futures)
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        if progress:
            progress(len(done))
    return [f.result() for f in futures]


def _run_pool(
    jobs: Sequence[Job], workers: int, progress: Callable[[int], None] | None
) -> list[VerifiedResult]:
    pool = ProcessPoolExecutor(max_workers=min(workers, len(jobs)))
    futures = [pool.submit(run_job, job) for job in jobs]
    try:
        results = _collect(futures, progress)
    except KeyboardInterrupt:
        for f in futures:
            f.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        partial = [
            f.result() if f.done() and not f.cancelled() and f.exception() is None else None
            for f in futures
        ]
        raise BatchInterrupted(partial) from None
    pool.shutdown()
    return results


def _run_dask(
    jobs: Sequence[Job], scheduler: str, progress: Callable[[int], None] | None
) -> list[VerifiedResult]:
    """Submit every job to an existing Dask scheduler (the ``distributed`` extra)."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise OptimizerError(
            "--scheduler needs the optional 'distributed' package: "
            "pip install 'tierprice[distributed]'"
        ) from None
    try:
        client: Any = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError) as err:
        raise SolverError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
    try:
        futures = client.map(run_job, list(jobs), pure=False)
        try:
            for _ in as_completed(futures):
                if progress:
                    progress(1)
        except KeyboardInterrupt:
            partial = [f.result() if f.status == "finished" else None for f in futures]
            client.cancel(futures)
            raise BatchInterrupted(partial) from None
        return list(client.gather(futures))
    finally:
        client.close()
