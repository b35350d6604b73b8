"""Tests of optimizer.milp.shifts: shift patterns, and the published shift set-cover example."""

from __future__ import annotations

import pulp
import pytest
from helpers import make_scenario

from optimizer.milp.shifts import ShiftPattern, shift_patterns
from optimizer.scenario.schema import Scenario

HOURS_PER_WEEK = 7 * 24

# E4 (a published worked example): pyworkforce README, "4 — Scheduling", MinRequiredResources
# example (github.com/rodrigo-arenas/pyworkforce, README.md): two days of 24 hourly
# requirements, shifts Morning 5-13, Afternoon 13-21, Night 21-5, Mixed 9-17, at most 25
# agents per shift and 27 per period; the README prints "OPTIMAL 113.0".
E4_REQUIRED = (
    (9, 11, 17, 9, 7, 12, 5, 11, 8, 9, 18, 17, 8, 12, 16, 8, 7, 12, 11, 10, 13, 19, 16, 7),
    (13, 13, 12, 15, 18, 20, 13, 16, 17, 8, 13, 11, 6, 19, 11, 20, 19, 17, 10, 13, 14, 23, 16, 8),
)
E4_SHIFT_STARTS = {"Morning": 5, "Afternoon": 13, "Night": 21, "Mixed": 9}
E4_README_COVERAGE = {
    "Morning": (0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "Afternoon": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0),
    "Night": (1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1),
    "Mixed": (0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0),
}
E4_MAX_PER_SHIFT = 25
E4_MAX_PER_PERIOD = 27
E4_OPTIMUM = 113
E4_PER_DAY = (50, 63)


def hourly_shifts(lengths: list[float], start_every_minutes: int = 60) -> Scenario:
    """The example scenario in shift mode on 60-minute intervals."""
    return make_scenario(
        **{
            "calendar.interval_minutes": 60,
            "provider.staffing": "shifts",
            "provider.shifts": {
                "lengths_hours": lengths,
                "start_every_minutes": start_every_minutes,
            },
        }
    )


def e4_patterns() -> dict[str, ShiftPattern]:
    """The four 8-hour E4 shifts as our ShiftPatterns (starting on Monday)."""
    patterns = shift_patterns(hourly_shifts([8]), set(E4_SHIFT_STARTS.values()))
    by_start = {p.start: p for p in patterns}
    return {name: by_start[start] for name, start in E4_SHIFT_STARTS.items()}


def test_e4_patterns_cover_the_readme_hours() -> None:
    """Our 8-hour patterns cover the hours of day of the pyworkforce README's coverage arrays."""
    for name, pattern in e4_patterns().items():
        hours_of_day = {t % 24 for t in pattern.covers}
        assert hours_of_day == {h for h, on in enumerate(E4_README_COVERAGE[name]) if on}, name


def test_e4_shift_set_cover_optimum_is_113() -> None:
    """E4 (pyworkforce README, MinRequiredResources example): the optimum is 113 = 50 + 63."""
    # Like pyworkforce, each day is its own problem and a shift covers hours of the same
    # day (the night shift's early hours are that day's 00:00-05:00): the coverage sets
    # are our ShiftPatterns' covers taken modulo 24.
    cover = {name: {t % 24 for t in p.covers} for name, p in e4_patterns().items()}
    prob = pulp.LpProblem("e4_shift_cover", pulp.LpMinimize)
    count = {
        (day, name): prob.add_variable(f"x_{day}_{name}", 0, E4_MAX_PER_SHIFT, cat=pulp.LpInteger)
        for day in range(len(E4_REQUIRED))
        for name in cover
    }
    prob.setObjective(pulp.lpSum(count.values()))
    for day, required in enumerate(E4_REQUIRED):
        for hour, need in enumerate(required):
            on = pulp.lpSum(count[day, name] for name, hours in cover.items() if hour in hours)
            prob.addConstraint(on >= need, f"need_{day}_{hour}")
            prob.addConstraint(on <= E4_MAX_PER_PERIOD, f"cap_{day}_{hour}")
    # threads=1: a HiGHS pool of another size in this process would make the in-process
    # HiGHS runs of later tests (threads=1) fail at once (see tests/test_highs.py)
    prob.solve(pulp.HiGHS(msg=False, threads=1))
    assert pulp.LpStatus[prob.status] == "Optimal"
    assert pulp.value(prob.objective) == pytest.approx(E4_OPTIMUM)
    per_day = tuple(
        round(sum(count[day, name].value() for name in cover)) for day in range(len(E4_REQUIRED))
    )
    assert per_day == E4_PER_DAY


def test_shift_patterns_start_on_the_grid_with_every_length() -> None:
    """Patterns start only on the start grid, once per allowed length, covering that many hours."""
    scenario = hourly_shifts([8, 4], start_every_minutes=120)
    patterns = shift_patterns(scenario, set(range(HOURS_PER_WEEK)))
    assert {p.start for p in patterns} == set(range(0, HOURS_PER_WEEK, 2))
    assert len(patterns) == 2 * HOURS_PER_WEEK // 2
    for p in patterns:
        assert p.hours in (8.0, 4.0)
        assert p.covers == tuple((p.start + i) % HOURS_PER_WEEK for i in range(int(p.hours)))


def test_shift_patterns_wrap_past_sunday_midnight() -> None:
    """A shift starting Sunday 22:00 covers Sunday's last two hours and Monday from 00:00."""
    scenario = hourly_shifts([8])
    sunday_22 = HOURS_PER_WEEK - 2
    (pattern,) = shift_patterns(scenario, {sunday_22})
    assert pattern.start == sunday_22
    assert pattern.covers == (166, 167, 0, 1, 2, 3, 4, 5)


def test_shift_patterns_start_only_in_staffed_intervals() -> None:
    """Only staffed intervals on the start grid get patterns; others get none."""
    scenario = hourly_shifts([6], start_every_minutes=120)
    staffed = {3, 10, 11, 40}
    patterns = shift_patterns(scenario, staffed)
    assert [p.start for p in patterns] == [10, 40]
    assert shift_patterns(scenario, set()) == []


def test_shift_patterns_on_half_hour_intervals() -> None:
    """On 30-minute intervals an 8-hour shift covers 16 intervals."""
    scenario = make_scenario(
        **{
            "provider.staffing": "shifts",
            "provider.shifts": {"lengths_hours": [8], "start_every_minutes": 30},
        }
    )
    (pattern,) = shift_patterns(scenario, {18})
    assert pattern.covers == tuple(range(18, 34))
