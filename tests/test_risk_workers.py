"""The risk engine's batches on several processes, and its distinct-triple evaluation.

The months of a seed do not depend on how many processes ran them, a batch's months do
not depend on the batches after it, every child process is gone when the run returns
(also when a job fails, with the job's own error), and evaluating each distinct
(servers, contacts, handle time) once gives the direct per-interval values (to the last bit).
"""

from __future__ import annotations

import multiprocessing
from functools import cache

import numpy as np
import pytest
from helpers import make_scenario

from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.risk.engine import CHUNK, simulate
from optimizer.risk.plan import DealPlan, deal_plan
from optimizer.risk.service import distinct_metrics, interval_metrics
from optimizer.risk.workers import run_batches
from optimizer.staffing.requirements import build_requirements

SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}


@cache
def plan() -> DealPlan:
    scenario = make_scenario(**SMALL).with_overrides({"uncertainty": {"volume_cv": 0.3}})
    result = run_scenario(scenario, RunOptions(explain=False, diagnose=False))
    return deal_plan(scenario, build_requirements(scenario), result)


def _arrays(risk) -> list[np.ndarray]:
    out = [risk.margin, risk.revenue]
    for c in risk.categories:
        out += [c.billable, c.revenue, c.credits, c.missed, c.windows]
    return out


def test_the_months_do_not_depend_on_the_processes() -> None:
    draws = 2 * CHUNK + 500
    one = simulate(plan(), draws, 4, workers=1)
    for workers in (2, 3):
        other = simulate(plan(), draws, 4, workers=workers)
        for a, b in zip(_arrays(one), _arrays(other), strict=True):
            np.testing.assert_array_equal(a, b)
    assert multiprocessing.active_children() == []
    assert np.ptp(one.margin) > 0 and one.categories[0].missed.sum() > 0


def test_a_batch_does_not_depend_on_the_later_ones() -> None:
    """Each batch has its own stream: fewer draws are the first months of more."""
    long = simulate(plan(), CHUNK + 300, 9, workers=2)
    short = simulate(plan(), CHUNK, 9, workers=1)
    np.testing.assert_array_equal(long.margin[:CHUNK], short.margin)
    assert not np.array_equal(long.margin[CHUNK:], short.margin[:300])


def _inverse(x: int) -> float:
    return 1 / x


def test_run_batches_keeps_order_and_reaps_its_children() -> None:
    jobs = list(range(1, 12))
    assert run_batches(_inverse, jobs, workers=3) == [1 / j for j in jobs]
    with pytest.raises(ZeroDivisionError):
        run_batches(_inverse, [1, 2, 3, 0], workers=2)  # the child's job fails
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("patience", [None, 240.0])
def test_distinct_triples_are_the_direct_values(patience: float | None) -> None:
    rng = np.random.default_rng(5)
    servers = rng.integers(0, 20, (40, 3, 17))
    contacts = rng.poisson(40.0, servers.shape)
    aht_id = rng.integers(0, 4, (40, 1, 1))
    ahts = np.array([150.0, 180.0, 181.5, 300.0])
    args = (1800.0, 20.0, patience)
    for k in (contacts, contacts.astype(np.float64) + 0.25):  # whole and expected contacts
        found = distinct_metrics(servers, k, aht_id, ahts, *args)
        sl, ab = interval_metrics(servers, k, ahts[aht_id], *args)
        assert found.contacts.size < servers.size
        # numpy's vector loops may round the last bit differently at an array's tail
        np.testing.assert_allclose(found.gather(found.sl), sl, rtol=1e-13, atol=1e-16)
        np.testing.assert_allclose(found.gather(found.ab), ab, rtol=1e-13, atol=1e-16)
        np.testing.assert_array_equal(found.gather(found.contacts), k)
