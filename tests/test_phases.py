"""Tests of the shift strategy: the coverage cuts of every tier, the root's tier rounding
and its pinned start (``optimizer.milp.root``), and the shift phases.

A start heuristic is correct when its plan is feasible for the full model and the
optimum is unchanged: both are checked on a small two-tier, two-site shift deal, the
optimum against HiGHS alone on the model without our cuts or start.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any

import numpy as np
import pytest
from helpers import make_scenario

from optimizer.milp import cuts, highs, neighbourhood, root
from optimizer.milp.cuts import MIN_VIOLATION, ShiftCoverage
from optimizer.milp.highs import HighsOptions, run_highs
from optimizer.milp.matrix import matrix_form
from optimizer.milp.model import build_model
from optimizer.milp.root import Live, Pinning, pinned_start
from optimizer.milp.separators import TierRounding, separators
from optimizer.milp.solve import solve
from optimizer.options import RunOptions, SolveOptions
from optimizer.pipeline import run_scenario
from optimizer.results import SolveStatus
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import build_requirements


def two_tier_shifts() -> Scenario:
    """The example in shift mode on hourly intervals (8-hour shifts every two hours),
    calls sold at two tiers of two prices each, a second cheaper site with other
    shrinkage and three seats."""
    tiers = [
        {"name": "std", "service_level": 0.8, "answer_within_seconds": 20, "prices": [20.0, 22.0]},
        {"name": "fast", "service_level": 0.9, "answer_within_seconds": 10, "prices": [23.0, 25.0]},
    ]
    sites = [
        {"name": "home", "hourly_cost": 20.0, "seats": 50, "shrinkage": 0.3},
        {"name": "far", "hourly_cost": 12.0, "seats": 3, "shrinkage": 0.35},
    ]
    return make_scenario(
        **{
            "provider.staffing": "shifts",
            "provider.sites": sites,
            "calendar.interval_minutes": 60,
            "provider.shifts": {"lengths_hours": [8], "start_every_minutes": 120},
            "categories.calls.tiers": tiers,
            "categories.mail.tiers.std.prices": [9.0],
        }
    )


def mixed_coverage() -> ShiftCoverage:
    """One interval, two sites (one shift each, columns 0 and 1), two tiers needing 10
    and 12.5 productive agents (option columns 2 and 3)."""
    return ShiftCoverage(
        np.array([0.7, 0.65]),
        (np.array([10.0]), np.array([12.5])),
        (np.array([2], np.int32), np.array([3], np.int32)),
        (np.array([0], np.int32), np.array([1], np.int32)),
        (np.ones((1, 1)), np.ones((1, 1))),
    )


def test_cut_of_every_tier_holds_for_every_integer_staffing() -> None:
    """Brute force: the cut separated at an LP point mixing the two tiers half and half
    is violated there, asks something of both tiers, and holds for every integer
    staffing that covers the tier chosen."""
    cov = mixed_coverage()
    point = np.array([11.25 / 0.7, 0.0, 0.5, 0.5])  # the LP's fractional staffing
    found = cov.separate(point)
    assert found
    for cut in found:
        assert float(point[cut.indices] @ cut.values) < cut.lower - MIN_VIOLATION
        assert {2, 3} <= set(cut.indices.tolist())
        for z0, z1, tier in itertools.product(range(25), range(25), (0, 1)):
            x = np.array([z0, z1, tier == 0, tier == 1], float)
            if 0.7 * z0 + 0.65 * z1 >= cov.need[tier][0] - 1e-9:
                assert float(x[cut.indices] @ cut.values) >= cut.lower - 1e-9, (z0, z1, tier)


def test_baseline_cut_misses_the_mixed_point() -> None:
    """``cuts.BASELINE`` (the benchmark's in-run baseline) keeps the cut of each tier
    alone, as before: at the half-and-half point none is violated."""
    cuts.BASELINE[0] = True
    try:
        found = mixed_coverage().separate(np.array([11.25 / 0.7, 0.0, 0.5, 0.5]))
    finally:
        cuts.BASELINE[0] = False
    assert found == []


def test_tier_rounding_pins_the_heaviest_tier_then_its_heaviest_option() -> None:
    """Tier one holds 0.3 + 0.1, tier two 0.6: tier two's option is pinned."""
    rounding = TierRounding(((np.array([0, 1], np.int32), np.array([2], np.int32)),))
    fixing = rounding.fixing(np.array([0.3, 0.1, 0.6]))
    assert fixing.columns.tolist() == [0, 1, 2]
    assert fixing.lower.tolist() == fixing.upper.tolist() == [0.0, 0.0, 1.0]
    assert rounding.separate(np.zeros(3)) == []


def test_pinning_is_overdue_only_while_it_runs() -> None:
    pinning = Pinning(active=False, until=time.perf_counter() - 1.0)
    assert not pinning.overdue()
    pinning.active = True
    assert pinning.overdue()
    pinning.until = time.perf_counter() + 60.0
    assert not pinning.overdue()


def test_pinning_stops_a_sub_mip_that_stalled_after_its_first_plan() -> None:
    """The pinned sub-MIP stops once it has found no better plan for ``STALL_SECONDS`` and
    for as long as it took to find its last one; never before its first plan, and the
    neighbourhood search's blocks (``began`` unset) keep only their deadline."""
    now = time.perf_counter()
    pinning = Pinning(active=True, until=now + 60.0, began=now - 100.0)
    assert not pinning.overdue()  # no plan yet, however long
    pinning.improved()
    assert not pinning.overdue()
    pinning.last = now - 1.5 * root.STALL_SECONDS  # found quickly, then nothing
    pinning.began = pinning.last - 0.1
    assert pinning.overdue()
    pinning.began = pinning.last - 2.0 * root.STALL_SECONDS  # found late: it waits as long
    assert not pinning.overdue()
    block = Pinning(active=True, until=now + 60.0)
    block.improved()  # outside the pinned sub-MIP: not recorded
    assert math.isnan(block.last) and not block.overdue()


def test_shift_models_round_the_root_when_a_choice_is_left() -> None:
    """The full shift model carries the rounding; with every choice pinned there is
    nothing left to round."""
    scenario = two_tier_shifts()
    reqs = build_requirements(scenario)
    model = build_model(scenario, reqs)
    found = separators(model, matrix_form(model.prob, model.rows))
    assert any(isinstance(s, TierRounding) for s in found)
    pinned = build_model(scenario, reqs, choices={"calls": ("std", 22.0), "mail": ("std", 9.0)})
    form = matrix_form(pinned.prob, pinned.rows)
    assert not any(isinstance(s, TierRounding) for s in separators(pinned, form))


def after_the_cut_loop() -> tuple[Any, Any, np.ndarray, TierRounding]:
    """The two-tier shift deal on a live HiGHS model after our root cut loop: its arrays,
    the model, the loop's LP point (its bound proven) and the tier rounding."""
    scenario = two_tier_shifts()
    model = build_model(scenario, build_requirements(scenario))
    form = matrix_form(model.prob, model.rows)
    arrays = form.arrays()
    found = separators(model, form)
    options = HighsOptions(30.0, None, 1, False, None)
    h, _ = highs._configure(arrays, options)
    point, bound = highs._add_cuts(h, arrays, options, found)
    assert point is not None and bound is not None
    return arrays, h, point, next(s for s in found if isinstance(s, TierRounding))


def test_pinned_start_is_a_plan_of_the_full_model() -> None:
    """The root's pinned sub-MIP, run on a live HiGHS model after the cut loop, gives a
    plan that satisfies every row and bound of the full model, and its bounds are put
    back."""
    arrays, h, point, rounding = after_the_cut_loop()
    live = Live(lambda relaxed: highs._relax(h, arrays, relaxed), Pinning())
    col = pinned_start(h, arrays, 30.0, None, rounding.fixing(point), time.perf_counter(), live)
    assert col is not None
    assert arrays.discrepancy(col, float(arrays.cost @ col + arrays.offset)) is None
    lp = h.getLp()
    assert np.array_equal(np.asarray(lp.col_upper_), arrays.upper)
    assert np.array_equal(np.asarray(lp.col_lower_), arrays.lower)


def test_full_mip_runs_after_an_interrupted_pinned_sub_mip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """HiGHS keeps a callback's ``user_interrupt`` from one run to the next: the pinned
    sub-MIP, given no time (``PIN_SHARE`` 0), is interrupted at once, and the full MIP
    after it must still run, to the optimum HiGHS alone finds."""
    scenario = two_tier_shifts()
    model = build_model(scenario, build_requirements(scenario))
    form = matrix_form(model.prob, model.rows)
    arrays = form.arrays()
    plain = run_highs(arrays, HighsOptions(60.0, 0.0, 1, False, None))
    assert plain.status == SolveStatus.OPTIMAL and plain.objective is not None
    monkeypatch.setattr(root, "PIN_SHARE", 0.0)
    ours = run_highs(arrays, HighsOptions(60.0, 0.0, 1, False, None), separators(model, form))
    assert ours.status == SolveStatus.OPTIMAL and ours.objective is not None
    assert ours.objective == pytest.approx(plain.objective, rel=1e-7, abs=1e-6)


def test_neighbourhood_search_keeps_a_plan_of_the_full_model() -> None:
    """From the pinned sub-MIP's plan with one shift more, the search over the (day,
    category) blocks, choices pinned, finds a better plan that satisfies every row and
    bound of the full model, and puts the pinned bounds back."""
    arrays, h, point, rounding = after_the_cut_loop()
    fixing = rounding.fixing(point)
    assert fixing.blocks and all(b.size for b in fixing.blocks)
    live = Live(lambda relaxed: highs._relax(h, arrays, relaxed), Pinning())
    col = pinned_start(h, arrays, 30.0, None, fixing, time.perf_counter(), live)
    assert col is not None
    worse = col.copy()
    for j in np.concatenate(fixing.blocks):  # one shift more, where the seats allow it
        worse[j] += 1.0
        if arrays.discrepancy(worse, None) is None:
            break
        worse[j] -= 1.0
    assert arrays.cost @ worse < arrays.cost @ col
    lower, upper = arrays.lower.copy(), arrays.upper.copy()
    lower[fixing.columns], upper[fixing.columns] = fixing.lower, fixing.upper
    better = neighbourhood.search(
        h,
        arrays,
        worse,
        (lower, upper),
        fixing.blocks,
        10.0,
        lambda c: highs._set_start(h, c),
        lambda _: None,
    )
    assert arrays.discrepancy(better, None) is None
    assert arrays.cost @ better > arrays.cost @ worse
    lp = h.getLp()
    assert np.array_equal(np.asarray(lp.col_upper_), upper)


@pytest.mark.parametrize("objective", ["max_margin", "min_price"])
def test_rounding_and_cuts_keep_the_optimum(objective: str) -> None:
    """Solved with the cuts of every tier and the pinned start, the deal reaches the
    optimum HiGHS alone finds on the model without them."""
    scenario = two_tier_shifts()
    model = build_model(scenario, build_requirements(scenario), objective)
    arrays = matrix_form(model.prob, model.rows).arrays()
    plain = run_highs(arrays, HighsOptions(60.0, 0.0, 1, False, None))
    assert plain.status == SolveStatus.OPTIMAL and plain.objective is not None
    ours = solve(model, SolveOptions(gap=0.0, time_limit=60.0))
    assert ours.status == SolveStatus.OPTIMAL
    assert ours.objective_value == pytest.approx(plain.objective, rel=1e-7, abs=1e-6)


def test_shift_strategy_and_its_baseline_agree_on_the_deal() -> None:
    """End to end, the strategy and the benchmark's baseline (``cuts.BASELINE``) give the
    same verified margin on the small deal, both proven optimal."""
    scenario = two_tier_shifts()
    options = RunOptions(explain=False, solve=SolveOptions(gap=0.0, time_limit=60.0))
    ours = run_scenario(scenario, options)
    cuts.BASELINE[0] = True
    try:
        before = run_scenario(scenario, options)
    finally:
        cuts.BASELINE[0] = False
    assert ours.verified and before.verified
    assert ours.status == before.status == SolveStatus.OPTIMAL
    assert ours.totals is not None and before.totals is not None
    assert ours.totals.margin == pytest.approx(before.totals.margin, rel=1e-7, abs=1e-6)
