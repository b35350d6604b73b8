"""Opening hours over the representative week: which intervals are open, and gaps
in them a user probably did not mean.

Conventions (README "Model conventions", docs/scenario.md):

* An interval is open iff its **start minute** lies in an open range
  ``[start, end)``.  Times off the interval grid are allowed; e.g. at 30 minutes
  ``"08:10-17:10"`` opens the intervals starting 08:30 ... 17:00.
* A range whose end is before its start runs past midnight into the next day
  (``"22:00-06:00"``); Sunday's continues into Monday morning of the same
  representative week.  A day's hours are the ranges that *start* on that day.
* Days not named in ``open_hours`` are closed; a later key replaces the hours of the
  days it names.  ``open_hours=None`` means open all week.

>>> mask = open_mask({"mon-fri": "08:00-20:00", "sat": "10:00-16:00"}, 60)
>>> int(mask.sum())
66
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import DAYS, MINUTES_PER_WEEK
from optimizer.scenario.week import MINUTES_PER_DAY, week_intervals

_DAY_PHRASE = 'a day range like "mon-fri" or "sat", a list like "mon,wed", or "daily"'
_HOURS_PHRASE = 'a time range like "08:00-20:00", several separated by commas, "24h" or "closed"'
_TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def _parse_days(spec: object) -> list[int]:
    """Day indices (0 = mon) named by a day spec such as ``"mon-fri"`` or ``"sat,sun"``."""
    if not isinstance(spec, str):
        raise ValueError(f"expected {_DAY_PHRASE}, got {spec!r}")
    days: list[int] = []
    items = [item.strip() for item in spec.strip().lower().split(",")]
    for item in items:
        if item in ("daily", "all"):
            days.extend(range(7))
            continue
        ends = [part.strip() for part in item.split("-")]
        if len(ends) > 2 or not all(end in DAYS for end in ends):
            raise ValueError(f"expected {_DAY_PHRASE}, got {spec!r}")
        first = DAYS.index(ends[0])
        last = DAYS.index(ends[-1])
        span = (last - first) % 7  # wrapping ranges such as "fri-mon"
        days.extend((first + k) % 7 for k in range(span + 1))
    return days


def _parse_clock(hours: str, minutes: str, spec: object) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        raise ValueError(f"expected {_HOURS_PHRASE}, got {spec!r}")
    return h * 60 + m


def _parse_hours(spec: object) -> list[tuple[int, int]]:
    """Open ranges ``(start, end)`` in minutes from the day's midnight; end may pass 1440."""
    if not isinstance(spec, str):
        raise ValueError(f"expected {_HOURS_PHRASE}, got {spec!r}")
    text = spec.strip().lower()
    if text == "closed":
        return []
    if text == "24h":
        return [(0, MINUTES_PER_DAY)]
    ranges: list[tuple[int, int]] = []
    for part in text.split(","):
        match = _TIME_RANGE.match(part.strip())
        if match is None:
            raise ValueError(f"expected {_HOURS_PHRASE}, got {spec!r}")
        start = _parse_clock(match[1], match[2], spec)
        end = _parse_clock(match[3], match[4], spec)
        if start in (MINUTES_PER_DAY, end):
            raise ValueError(f"expected {_HOURS_PHRASE}, got {spec!r}")
        if end < start:  # runs past midnight into the next day
            end += MINUTES_PER_DAY
        ranges.append((start, end))
    return ranges


def open_mask(open_hours: Mapping[str, str] | None, interval_minutes: int) -> NDArray[np.bool_]:
    """Which intervals of the week are open (True), from an ``open_hours`` mapping.

    Keys name days: ``"mon"``, a range ``"mon-fri"`` (wrapping ranges such as
    ``"fri-mon"`` allowed), a comma list ``"mon,wed"`` or ``"daily"`` / ``"all"``.
    Values are ``"HH:MM-HH:MM"`` ranges separated by commas, ``"24h"`` (same as
    ``"00:00-24:00"``) or ``"closed"``.  A range ending before it starts runs into
    the next morning (Sunday's into Monday's).  An interval is open iff its start
    minute is in a range.  Days no key names are closed; a later key replaces the
    hours of the days it names.  ``None`` means open all week.

    >>> mask = open_mask({"daily": "22:00-06:00"}, 60)
    >>> bool(mask[0]), bool(mask[5]), bool(mask[6]), bool(mask[-1])
    (True, True, False, True)
    """
    n = week_intervals(interval_minutes)
    if open_hours is None:
        return np.ones(n, dtype=np.bool_)
    if not isinstance(open_hours, Mapping):
        raise ValueError(
            'expected a mapping of day specs to hours like {"mon-fri": "08:00-20:00"}, '
            f"got {type(open_hours).__name__}"
        )
    schedule: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    for key, value in open_hours.items():
        days = _parse_days(key)
        ranges = _parse_hours(value)
        for day in days:
            schedule[day] = ranges
    minute_open = np.zeros(MINUTES_PER_WEEK, dtype=np.bool_)
    for day, ranges in enumerate(schedule):
        for start, end in ranges:
            lo = day * MINUTES_PER_DAY + start
            hi = day * MINUTES_PER_DAY + end
            minute_open[lo : min(hi, MINUTES_PER_WEEK)] = True
            if hi > MINUTES_PER_WEEK:  # Sunday night into Monday morning
                minute_open[: hi - MINUTES_PER_WEEK] = True
    return minute_open[::interval_minutes].copy()


SHORT_GAP_MINUTES = 60
"""A closed stretch shorter than this between two ranges of one day is probably a typo."""


class OpenHoursWarning(UserWarning):
    """``open_hours`` leave a gap the user probably did not mean (the scenario is valid)."""


def open_hours_gaps(open_hours: Mapping[str, str] | None) -> list[str]:
    """Gaps in valid opening hours that look unintended, one sentence each.

    Two rules, both conservative (a deliberate closure is written differently):

    * **short break**: two ranges of one day leave a closed stretch shorter than
      :data:`SHORT_GAP_MINUTES` (``"08:00-12:00,12:30-18:00"``); a lunch hour of 60
      minutes or more is taken as meant;
    * **missing weekday**: exactly one of Tuesday, Wednesday or Thursday is closed
      because no key names it, while the other four weekdays are open
      (``mon-tue`` and ``thu-fri`` but no ``wed``); a day named ``"closed"`` is meant.

    >>> open_hours_gaps({"mon-fri": "08:00-12:00,12:30-18:00"})
    ['mon-fri closes 12:00-12:30 (30 minutes) between two open ranges']
    >>> open_hours_gaps({"mon-tue": "08:00-18:00", "thu-fri": "08:00-18:00"})
    ['wed is closed (no key names it) between open weekdays']
    >>> open_hours_gaps({"mon-tue,thu-fri": "08:00-18:00", "wed": "closed"})
    []
    """
    if open_hours is None:
        return []
    schedule: list[list[tuple[int, int]]] = [[] for _ in DAYS]
    named = [False] * len(DAYS)
    keys: list[str] = [""] * len(DAYS)
    for key, value in open_hours.items():
        ranges = _parse_hours(value)
        for day in _parse_days(key):
            schedule[day] = ranges
            named[day] = True
            keys[day] = str(key)
    found: list[str] = []
    reported: set[tuple[str, int, int]] = set()
    for day, ranges in enumerate(schedule):
        ordered = sorted(ranges)
        reach = ordered[0][1] if ordered else 0
        for start, end in ordered[1:]:
            gap = start - reach
            if 0 < gap < SHORT_GAP_MINUTES and (keys[day], reach, start) not in reported:
                reported.add((keys[day], reach, start))
                found.append(
                    f"{keys[day]} closes {_clock(reach)}-{_clock(start)} ({gap} minutes) "
                    "between two open ranges"
                )
            reach = max(reach, end)
    weekdays = [bool(schedule[day]) for day in range(5)]
    closed = [day for day in range(5) if not weekdays[day]]
    if len(closed) == 1 and closed[0] in (1, 2, 3) and not named[closed[0]]:
        found.append(f"{DAYS[closed[0]]} is closed (no key names it) between open weekdays")
    return found


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
