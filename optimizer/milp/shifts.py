"""Shift patterns of the MILP's shift mode.

A pattern is one shift on one day of the representative week
(start on the scenario's start grid, one of its lengths); it covers the
intervals from its start for its length, wrapping from Sunday night into Monday
morning. Only patterns starting in an interval the category is staffed in are
generated.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.scenario.schema import Scenario


@dataclass(frozen=True)
class ShiftPattern:
    """One weekly shift: starts at interval ``start``, lasts ``hours``."""

    start: int
    hours: float
    covers: tuple[int, ...]


def shift_patterns(scenario: Scenario, staffed: set[int]) -> list[ShiftPattern]:
    """Every shift pattern that starts in a staffed interval and covers one.

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> s = validate_scenario(example_raw())
    >>> [(p.start, len(p.covers)) for p in shift_patterns(s, {18, 19})][:2]
    [(18, 16)]
    """
    minutes = scenario.calendar.interval_minutes
    n = 7 * 24 * 60 // minutes
    step = scenario.provider.shifts.start_every_minutes // minutes
    patterns = []
    for start in range(0, n, step):
        if start not in staffed:
            continue
        for hours in scenario.provider.shifts.lengths_hours:
            length = round(hours * 60 / minutes)
            covers = tuple((start + i) % n for i in range(length))
            patterns.append(ShiftPattern(start, float(hours), covers))
    return patterns
