"""Tests of optimizer.milp.cuts: the deferred-work window inequalities and their separation.

The inequalities are checked three ways: by hand on tiny curves, by brute force (every
integer staffing of a five-interval week whose work can be scheduled satisfies every
window, the schedule found by an LP independent of the model code), and on the model
(integer optima found without the cuts violate none of them; on a deal where each
day's mail is due the same day they close the whole LP gap).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import make_scenario
from scipy.optimize import linprog

from optimizer.milp.arrays import Arrays
from optimizer.milp.cuts import MIN_VIOLATION, DeferredWindows, ShiftCoverage
from optimizer.milp.highs import HighsOptions, run_highs
from optimizer.milp.matrix import matrix_form
from optimizer.milp.model import BuiltModel, build_model
from optimizer.milp.separators import separators
from optimizer.milp.solve import solve
from optimizer.options import SolveOptions
from optimizer.results import SolveStatus
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.staffing.requirements import build_requirements


def windows(per_agent: float, arrivals: list[float], due: list[list[float]]) -> DeferredWindows:
    """One column per interval (agents) and per tier, in that order."""
    n = len(arrivals)
    return DeferredWindows(
        per_agent,
        np.cumsum(np.asarray(arrivals, float)),
        tuple(np.asarray(d, float) for d in due),
        tuple(np.array([n + k], np.int32) for k in range(len(due))),
        tuple(np.array([t], np.int32) for t in range(n)),
    )


def due_curve(arrivals: np.ndarray, share: float, lag: int) -> np.ndarray:
    """share x arrivals up to t - lag of the cyclic week; before Monday, minus the work
    of last week that arrived after that point (it was carried in and is due too)."""
    cumulative, total = np.cumsum(arrivals), float(arrivals.sum())
    out = []
    for t in range(arrivals.size):
        s = t - lag
        arrived = cumulative[s] if s >= 0 else cumulative[s % arrivals.size] - total
        out.append(share * arrived)
    return np.array(out)


# ---------------------------------------------------------------- by hand


def test_work_due_across_sunday_midnight_needs_agents_on_both_sides() -> None:
    """Four items arrive in the week's last interval, due one interval later (Monday's
    first): every window holding both intervals needs two agents (two items each)."""
    w = windows(2.0, [0, 0, 0, 4], [due_curve(np.array([0.0, 0, 0, 4]), 1.0, 1).tolist()])
    need = w.needs[0]
    expected = np.zeros((4, 4))
    expected[3, 0] = expected[2, 0] = expected[3, 1] = 2.0  # wrapping windows with 3 and 0
    np.testing.assert_array_equal(need, expected)


def test_separation_cuts_the_most_violated_window_with_tier_terms() -> None:
    """Two tiers: the cut for a window carries -need_k on tier k's column, and the window
    chosen for an end is the most violated one."""
    arrivals = [0.0, 4.0, 0.0, 0.0]
    fast = due_curve(np.array(arrivals), 1.0, 1)  # due by interval 2
    slow = due_curve(np.array(arrivals), 1.0, 2)  # due by interval 3
    w = windows(2.0, arrivals, [fast.tolist(), slow.tolist()])
    # Half the fast tier, half the slow; one agent in interval 1, none elsewhere.
    x = np.array([0.0, 1.0, 0.0, 0.0, 0.5, 0.5])
    cuts = {(int(c.indices[0]), int(c.indices[-1])): c for c in w.separate(x)}
    # End 2: only the fast tier is due (2 agents): required 0.5 x 2 = 1 <= 1 agent: no cut.
    # End 3: both tiers due: required 2, staffed 1 in window 1..3.
    assert len(cuts) == 1
    cut = next(iter(cuts.values()))
    assert cut.lower == 0.0
    coefficients = dict(zip(cut.indices.tolist(), cut.values.tolist(), strict=True))
    assert coefficients[4] == -2.0 and coefficients[5] == -2.0
    assert {i for i, v in coefficients.items() if v == 1.0} <= {0, 1, 2, 3}
    assert {1, 2, 3} <= {i for i, v in coefficients.items() if v == 1.0}


def test_no_cut_when_the_window_is_short_by_less_than_the_threshold() -> None:
    w = windows(2.0, [0.0, 4.0, 0.0], [[0.0, 0.0, 4.0]])
    assert w.separate(np.array([0.0, 1.0, 1.0 - MIN_VIOLATION / 2, 1.0])) == []
    assert len(w.separate(np.array([0.0, 1.0, 1.0 - 2 * MIN_VIOLATION, 1.0]))) == 1


# ---------------------------------------------------------------- brute force


def schedulable(
    staff: tuple[int, ...], per_agent: float, arrivals: np.ndarray, due: np.ndarray
) -> bool:
    """Is there a cyclic schedule: w[t] in [0, L x N[t]], b[t] = b[t-1] + a[t] - w[t],
    0 <= b[t] <= A(t) - due(t)? An LP over (w, b), written here from design 6.4."""
    n = arrivals.size
    cumulative = np.cumsum(arrivals)
    eq = np.zeros((n, 2 * n))
    for t in range(n):
        eq[t, t] = 1.0  # w[t]
        eq[t, n + t] += 1.0  # b[t]
        eq[t, n + (t - 1) % n] -= 1.0  # - b[t-1]
    bounds = [(0.0, per_agent * k) for k in staff] + [
        (0.0, max(0.0, float(cumulative[t] - due[t]))) for t in range(n)
    ]
    if np.any(cumulative - due < -1e-9):
        return False
    result = linprog(np.zeros(2 * n), A_eq=eq, b_eq=arrivals, bounds=bounds, method="highs")
    return bool(result.status == 0)


@pytest.mark.parametrize("seed", range(6))
def test_every_schedulable_integer_staffing_meets_every_window(seed: int) -> None:
    """Brute force over N in {0..3}^5: each staffing for which a schedule exists meets
    every window inequality, and some meet one with equality (the cuts are tight)."""
    rng = np.random.default_rng(seed)
    n = 5
    arrivals = np.round(rng.uniform(0.0, 4.0, n), 2)
    share, lag, per_agent = float(rng.choice([0.8, 1.0])), int(rng.integers(0, 3)), 2.5
    due = due_curve(arrivals, share, lag)
    need = windows(per_agent, arrivals.tolist(), [due.tolist()]).needs[0]
    i, j = np.indices((n, n))
    feasible = 0
    tight = False
    for staff in itertools.product(range(4), repeat=n):
        if not schedulable(staff, per_agent, arrivals, due):
            continue
        feasible += 1
        prefix = np.concatenate(([0.0], np.cumsum(staff)))
        have = np.where(i <= j, prefix[j + 1] - prefix[i], prefix[n] - prefix[i] + prefix[j + 1])
        assert np.all(have >= need), (staff, np.argwhere(have < need))
        tight = tight or bool(np.any((have == need) & (need > 0)))
    assert 0 < feasible < 4**n
    assert tight


# ---------------------------------------------------------------- on the model


def daily_mail(
    volume: float = 400.0, hours: float = 8.0, slow_tier: bool = True, share: float = 0.9
) -> Scenario:
    """One site, e-mail arriving in business hours, ``share`` due within ``hours`` (tier
    ``std``) or, if ``slow_tier``, within 48 hours for a lower price (listed first:
    tiers go from the lowest service to the highest)."""
    tiers = [{"name": "std", "share": share, "within_hours": hours, "prices": [7.0]}]
    if slow_tier:
        tiers.insert(0, {"name": "slow", "share": 0.9, "within_hours": 48, "prices": [6.0]})
    return validate_scenario(
        {
            "scenario": "daily mail",
            "calendar": {"interval_minutes": 60},
            "provider": {
                "shrinkage": 0.3,
                "max_occupancy": 0.85,
                "sites": [{"name": "home", "hourly_cost": 22.0}],
            },
            "categories": [
                {
                    "name": "mail",
                    "channel": "deferred",
                    "contacts_per_month": volume,
                    "aht_seconds": 420,
                    "open_hours": {"mon-fri": "08:00-17:00"},
                    "profile": "business_hours",
                    "pricing": "per_contact",
                    "tiers": tiers,
                }
            ],
        }
    )


def strengthened_bounds(model: BuiltModel, rounds: int = 30) -> list[float]:
    """LP bounds of the relaxation, then after each round of cuts, until none is found."""
    form = matrix_form(model.prob, model.rows)
    found = separators(model, form)
    shape = (form.row_lower.size, form.cost.size)
    matrix = sp.csc_matrix((form.values, form.indices, form.starts), shape=shape)
    lower, upper = form.row_lower, form.row_upper
    bounds = []
    for _ in range(rounds):
        matrix = matrix.tocsc()
        matrix.sort_indices()
        arrays = replace(
            form.arrays(),
            row_lower=lower,
            row_upper=upper,
            starts=matrix.indptr.astype(np.int32),
            indices=matrix.indices.astype(np.int32),
            values=matrix.data,
        )
        out = run_highs(arrays, HighsOptions(None, None, 1, True, None))
        assert out.objective is not None and out.col is not None
        bounds.append(out.objective)
        cuts = [cut for s in found for cut in s.separate(out.col)]
        if not cuts:
            return bounds
        starts = np.cumsum([0] + [c.indices.size for c in cuts])
        rows = sp.csr_matrix(
            (np.concatenate([c.values for c in cuts]), np.concatenate([c.indices for c in cuts]),
             starts),
            shape=(len(cuts), form.cost.size),
        )  # fmt: skip
        matrix = sp.vstack([matrix.tocsr(), rows])
        lower = np.concatenate([lower, [c.lower for c in cuts]])
        upper = np.concatenate([upper, np.full(len(cuts), math.inf)])
    raise AssertionError(f"cuts still found after {rounds} rounds")


def test_cuts_close_the_gap_when_each_days_mail_is_due_that_day() -> None:
    """Each day needs a fractional number of agent-hours, rounded up day by day: the LP
    (and the week-wide rounding row) see 1,029.52 of margin, the integer optimum is
    757.14, and the window cuts bring the LP bound down to it exactly. By hand: 400 a
    month is 18.46 items a day, 2.53 agent-hours at 7.29 items an hour, so 3 a day, 15 a
    week; revenue 2,800 - 15 x 22 / 0.7 x 52/12 = 757.14. (All of a day's mail is due
    that day; one tier: with a tier choice the cuts' right-hand sides are weighted by
    the LP's fractional tier mix, and closing what is left is branching's job.)"""
    scenario = daily_mail(slow_tier=False, share=1.0)
    model = build_model(scenario, build_requirements(scenario))
    bounds = strengthened_bounds(model)
    optimum = solve(model, SolveOptions(gap=0.0))
    assert optimum.status == SolveStatus.OPTIMAL and optimum.objective_value is not None
    assert bounds[0] == pytest.approx(1029.5238, abs=1e-3)
    assert optimum.objective_value == pytest.approx(2800 - 15 * 22 / 0.7 * 52 / 12, abs=1e-6)
    assert bounds[-1] == pytest.approx(optimum.objective_value, abs=1e-6)
    assert all(later <= earlier + 1e-9 for earlier, later in itertools.pairwise(bounds))


DEALS = {
    "daily mail, 8 h": daily_mail(),
    "daily mail, 4 h": daily_mail(550.0, 4.0),
    "daily mail, 10 h, more volume": daily_mail(1300.0, 10.0),
    "two sites with seats, price range": daily_mail(900.0, 6.0).with_overrides(
        {
            "provider.sites": [
                {"name": "home", "hourly_cost": 22.0, "seats": 3},
                {"name": "away", "hourly_cost": 15.0, "seats": 1},
            ],
            "categories.mail.tiers.std.prices": {"min": 6.5, "max": 8.0},
        }
    ),
}


def plain_arrays(model: BuiltModel) -> Arrays:
    """The model as HiGHS arrays."""
    return matrix_form(model.prob, model.rows).arrays()


@pytest.mark.parametrize("objective", ["max_margin", "min_price"])
@pytest.mark.parametrize("name", sorted(DEALS))
def test_integer_optima_without_cuts_violate_no_window(name: str, objective: str) -> None:
    """HiGHS solves to optimality without our cuts; its integer optimum violates none of
    them, and the solve with the cuts reaches the same objective."""
    scenario = DEALS[name]
    model = build_model(scenario, build_requirements(scenario), objective)
    arrays = plain_arrays(model)
    plain = run_highs(arrays, HighsOptions(None, 0.0, 1, False, None))
    if plain.status == SolveStatus.INFEASIBLE:
        pytest.skip(f"{name} is infeasible for {objective}")
    assert plain.status == SolveStatus.OPTIMAL and plain.col is not None
    found = separators(model, matrix_form(model.prob, model.rows))
    assert found, "the deal has deferred work in interval mode"
    assert [cut for s in found for cut in s.separate(plain.col)] == []
    strengthened = solve(model, SolveOptions(gap=0.0))
    assert strengthened.objective_value == pytest.approx(plain.objective, rel=1e-7, abs=1e-6)


def shift_deal(two_sites: bool) -> Scenario:
    """The example (calls and mail) in shift mode on hourly intervals; optionally a
    second, cheaper site with other shrinkage and few seats."""
    sites = [{"name": "home", "hourly_cost": 20.0, "seats": 50, "shrinkage": 0.3}]
    if two_sites:
        sites.append({"name": "far", "hourly_cost": 12.0, "seats": 3, "shrinkage": 0.35})
    return make_scenario(
        **{
            "provider.staffing": "shifts",
            "provider.sites": sites,
            "calendar.interval_minutes": 60,
            "provider.shifts": {"lengths_hours": [4, 8], "start_every_minutes": 60},
            "categories.calls.tiers.std.prices": [20.0],
            "categories.mail.tiers.std.prices": [9.0],
        }
    )


def test_shift_mode_separates_coverage_not_windows() -> None:
    """In shift mode productive agents are shifts x (1 - shrinkage), not integers: the
    rounding behind the window cuts does not hold; the coverage MIR cuts do, for the
    queue categories."""
    model = build_model(shift_deal(True), build_requirements(shift_deal(True)))
    found = separators(model, matrix_form(model.prob, model.rows))
    assert [type(s) for s in found] == [ShiftCoverage]  # calls; mail is deferred work


@pytest.mark.parametrize("keep", [(0.65,), (0.7, 0.65), (0.68, 0.7, 0.65), (0.5, 0.75)])
def test_coverage_mir_holds_for_every_integer_staffing(keep: tuple[float, ...]) -> None:
    """Brute force: every integer Z (per site) with sum keep_s x Z_s >= need meets every
    MIR inequality for that need, and each inequality cuts off the LP's staffing of the
    whole need at its reference site alone (need / keep_r agents)."""
    cov = ShiftCoverage(np.array(keep), (), (), (), ())
    box = range(0, 25 if len(keep) < 3 else 14)
    grid = np.array(list(itertools.product(box, repeat=len(keep))), float)
    productive = grid @ np.array(keep)
    for need in range(1, 9):
        pairs = cov.coefficients(float(need))
        if not pairs:  # need / keep whole at every site: nothing to round
            assert all(float(need / k).is_integer() for k in keep), need
            continue
        feasible = grid[productive >= need - 1e-9]
        for coef, rhs in pairs:
            assert np.all(feasible @ coef >= rhs - 1e-9), (need, coef, rhs)
        lp_points = [np.eye(len(keep))[r] * need / k for r, k in enumerate(keep)]
        cut_off = [min(float(coef @ z) - rhs for coef, rhs in pairs) for z in lp_points]
        assert any(c < -MIN_VIOLATION for c in cut_off), need


@pytest.mark.parametrize("two_sites", [False, True])
def test_shift_optimum_without_cuts_violates_no_coverage_cut(two_sites: bool) -> None:
    """HiGHS without our cuts solves the shift deal to optimality; the optimum violates
    no coverage MIR cut, and the solve with the cuts reaches the same objective."""
    scenario = shift_deal(two_sites)
    model = build_model(scenario, build_requirements(scenario))
    plain = run_highs(plain_arrays(model), HighsOptions(60.0, 0.0, 1, False, None))
    assert plain.status == SolveStatus.OPTIMAL and plain.col is not None
    found = separators(model, matrix_form(model.prob, model.rows))
    assert [cut for s in found for cut in s.separate(plain.col)] == []
    strengthened = solve(model, SolveOptions(gap=0.0, time_limit=60.0))
    assert strengthened.objective_value == pytest.approx(plain.objective, rel=1e-7, abs=1e-6)


def test_outcome_rows_are_the_models_own() -> None:
    """Cut rows added inside HiGHS are not reported back: row activities line up with
    the model's rows (and with a re-computation from the columns)."""
    scenario = daily_mail()
    model = build_model(scenario, build_requirements(scenario))
    arrays = plain_arrays(model)
    form = matrix_form(model.prob, model.rows)
    out = run_highs(arrays, HighsOptions(None, 0.0, 1, False, None), separators(model, form))
    assert out.status == SolveStatus.OPTIMAL and out.row is not None and out.col is not None
    assert out.row.size == form.row_lower.size
    np.testing.assert_allclose(out.row, arrays.activity(out.col), atol=1e-6)
