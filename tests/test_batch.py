"""Tests of optimizer.studies.batch: serial, process-pool and Dask runs give the same results.

Jobs are small sweeps of the example scenario with 60-minute intervals (about
0.1 s a solve). The Dask tests start a one-worker ``distributed.LocalCluster``
bound to 127.0.0.1 (dashboard on a free loopback port, scratch space in a temp
folder), once for the module; they are marked ``slow`` (CI runs every marker).
Ctrl-C is simulated by a progress callback raising ``KeyboardInterrupt`` in the
parent, which is where a real SIGINT lands.
"""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import make_scenario

from optimizer import cli
from optimizer.errors import SolverError
from optimizer.options import RunOptions
from optimizer.output import report
from optimizer.results import SolveStatus
from optimizer.studies import batch
from optimizer.studies.batch import (
    BatchInterrupted,
    Job,
    default_workers,
    failed,
    run_job,
    run_jobs,
)
from optimizer.studies.sweep import parse_vary, run_sweep, sweep_jobs

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}
"""Overrides turning the example into a small, profitable scenario that solves at once."""
GRID = (
    "provider.sites.home.hourly_cost=18:22:3",
    "client.budget_per_month=1000:90000:2",
    "provider.sites.home.seats=-10:50:2",
)
"""A 12-point grid with optimal, infeasible (budget 1000) and error (seats -10) points."""
OPTIONS = RunOptions(explain=False, diagnose=False)
"""Fast runs: no relaxation re-solves, no diagnosis."""


@pytest.fixture(scope="module")
def small():
    """The small, profitable example scenario (60-minute intervals)."""
    return make_scenario(**SMALL)


@pytest.fixture(scope="module")
def axes():
    """The axes of :data:`GRID`."""
    return [parse_vary(spec) for spec in GRID]


@pytest.fixture(scope="module")
def serial(small, axes):
    """The grid solved serially in this process (the reference)."""
    return run_sweep(small, axes, OPTIONS, workers=1)


@pytest.fixture(scope="module")
def jobs(small, axes):
    """The grid's jobs (error jobs included)."""
    return sweep_jobs(small, axes, OPTIONS)[1]


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A one-worker Dask LocalCluster on loopback; yields its scheduler address."""
    distributed = pytest.importorskip("distributed")
    scratch = tmp_path_factory.mktemp("dask")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        local_directory=str(scratch),
    ) as cluster:
        yield cluster.scheduler_address


def comparable(result):
    """A result as design-8 JSON data without the (timing-dependent) solver seconds."""
    data = report.to_dict(result)
    data["solver"].pop("seconds")
    return data, result.message


def invoke(*args: object) -> Result:
    """Run ``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def interrupt_after(count: int):
    """A progress callback that raises KeyboardInterrupt once ``count`` jobs have finished."""
    finished = [0]

    def progress(n: int) -> None:
        finished[0] += n
        if finished[0] >= count:
            raise KeyboardInterrupt

    return progress


# ------------------------------------------------------------------ serial


def test_grid_has_every_kind_of_point(serial):
    """The reference grid holds optimal, infeasible and error points."""
    statuses = [r["status"] for r in serial.rows()]
    assert len(statuses) == 12
    assert set(statuses) == {"optimal", "infeasible", "error"}


def test_serial_results_follow_job_order(small):
    """run_jobs returns one result per job, in job order."""
    names = ["first", "second", "third"]
    jobs = [Job(n, small.with_overrides({"scenario": n}), OPTIONS) for n in names]
    assert [r.scenario for r in run_jobs(jobs, workers=1)] == names


def test_failed_job_is_an_error_result():
    """A job that could not be built becomes an ``error`` result carrying its message."""
    result = run_job(Job("bad point", None, OPTIONS, error="no such field"))
    assert result.status == SolveStatus.ERROR
    assert result.scenario == "bad point"
    assert result.totals is None
    assert result.message == "no such field"
    assert not result.verified


def test_solver_error_becomes_error_result(small, monkeypatch):
    """An OptimizerError inside one job becomes an ``error`` result; the others solve."""

    def boom(scenario, options):
        raise SolverError("HiGHS fell over")

    monkeypatch.setattr(batch, "run_scenario", boom)
    result = run_job(Job("p", small, OPTIONS))
    assert result.status == SolveStatus.ERROR
    assert "HiGHS fell over" in result.message


def test_unexpected_exception_becomes_error_result(small, monkeypatch):
    """Any other exception in one job is an ``error`` result too, not a lost batch."""
    real = batch.run_scenario

    def flaky(scenario, options):
        if scenario.scenario == "second":
            raise RuntimeError("daemonic processes are not allowed to have children")
        return real(scenario, options)

    monkeypatch.setattr(batch, "run_scenario", flaky)
    jobs = [Job(n, small.with_overrides({"scenario": n}), OPTIONS) for n in ("first", "second")]
    first, second = run_jobs(jobs, workers=1)
    assert first.status == SolveStatus.OPTIMAL
    assert second.status == SolveStatus.ERROR
    assert second.message.startswith("RuntimeError: daemonic")


def test_progress_counts_every_job(jobs):
    """progress(n) is called until every job is counted, serially and in a pool."""
    for workers in (1, 2):
        counted = []
        run_jobs(jobs[:4], workers=workers, progress=counted.append)
        assert sum(counted) == 4


def test_serial_interrupt_keeps_finished_results(jobs, serial):
    """Ctrl-C after two jobs: BatchInterrupted holds those two results, then None gaps."""
    with pytest.raises(BatchInterrupted) as info:
        run_jobs(jobs, workers=1, progress=interrupt_after(2))
    partial = info.value.partial
    assert len(partial) == len(jobs)
    assert partial[2:] == [None] * (len(jobs) - 2)
    assert [comparable(r) for r in partial[:2]] == [comparable(r) for r in serial.results[:2]]
    assert isinstance(info.value, KeyboardInterrupt)


def test_failed_is_an_error_placeholder():
    """failed() makes an error placeholder carrying the reason and the objective."""
    result = failed("x", "why", "min_price")
    assert (result.status, result.objective, result.message) == ("error", "min_price", "why")


def test_default_workers_is_at_least_one():
    """The default pool size is every core, and at least one."""
    assert default_workers() >= 1


# ------------------------------------------------------------------ process pool


def test_pool_rows_identical_to_serial(small, axes, serial):
    """workers=2 gives exactly the serial rows (==), in the same order."""
    pool = run_sweep(small, axes, OPTIONS, workers=2)
    assert pool.points == serial.points
    assert pool.rows() == serial.rows()
    assert [comparable(r) for r in pool.results] == [comparable(r) for r in serial.results]


def test_pool_interrupt_keeps_finished_results(jobs, serial):
    """Ctrl-C in a pool: finished results are kept in their places, the rest are None."""
    with pytest.raises(BatchInterrupted) as info:
        run_jobs(jobs, workers=2, progress=interrupt_after(1))
    partial = info.value.partial
    assert len(partial) == len(jobs)
    kept = [i for i, r in enumerate(partial) if r is not None]
    assert kept
    for i in kept:
        assert comparable(partial[i]) == comparable(serial.results[i])


# ------------------------------------------------------------------ Dask


@pytest.mark.slow
def test_dask_results_identical_to_serial(small, axes, serial, dask_cluster):
    """A Dask scheduler gives exactly the serial rows and results, in the same order."""
    remote = run_sweep(small, axes, OPTIONS, scheduler=dask_cluster)
    assert remote.rows() == serial.rows()
    assert [comparable(r) for r in remote.results] == [comparable(r) for r in serial.results]


@pytest.mark.slow
def test_dask_interrupt_keeps_finished_results(jobs, serial, dask_cluster):
    """Ctrl-C with Dask: finished results are kept in their places, the rest are None."""
    with pytest.raises(BatchInterrupted) as info:
        run_jobs(jobs, scheduler=dask_cluster, progress=interrupt_after(1))
    partial = info.value.partial
    assert len(partial) == len(jobs)
    kept = [i for i, r in enumerate(partial) if r is not None]
    assert kept
    for i in kept:
        assert comparable(partial[i]) == comparable(serial.results[i])


@pytest.mark.slow
def test_cli_sweep_on_dask_scheduler(tmp_path, small, dask_cluster):
    """``sweep --scheduler tcp://...`` prints exactly what a serial run prints."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small.raw(), sort_keys=False), encoding="utf-8")
    args = ["sweep", path, "--vary", GRID[0], "--vary", GRID[1], "--format", "json"]
    remote = invoke(*args, "--scheduler", dask_cluster)
    local = invoke(*args, "--workers", 1)
    assert remote.exit_code == local.exit_code == 0, remote.output
    assert remote.stdout == local.stdout
    assert len(json.loads(remote.stdout)) == 6


@pytest.mark.slow
def test_cli_compare_on_dask_scheduler(tmp_path, small, dask_cluster):
    """``compare --scheduler`` gives the same JSON as a serial compare."""
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(small.raw(), sort_keys=False), encoding="utf-8")
    remote = invoke("compare", path, path, "--scheduler", dask_cluster, "--format", "json")
    local = invoke("compare", path, path, "--workers", 1, "--format", "json")
    assert remote.exit_code == local.exit_code == 0, remote.output

    def strip(text):
        data = json.loads(text)
        for item in data:
            item["solver"].pop("seconds")
        return data

    assert strip(remote.stdout) == strip(local.stdout)
