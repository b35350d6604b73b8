"""Volume profiles and opening hours over the representative week.

Conventions (design.md sections 3 and 9):

* The week starts Monday 00:00.  With interval length ``L`` minutes (15, 30 or 60),
  interval ``t`` covers the minutes ``[t * L, (t + 1) * L)`` of the week; there are
  ``n = 7 * 24 * 60 / L`` intervals (336 at 30 minutes).
* A *profile* is one non-negative weight per interval.  Weights are relative:
  :func:`normalise` zeroes them outside the opening hours and scales them to sum to 1.
* Hourly weights are spread **evenly** over the hour's intervals (step shape, not
  piecewise-linear), so the volume of every hour is the same at every interval
  length: a 15-minute profile summed per hour equals the 60-minute profile.
* Opening hours: an interval is open iff its **start minute** lies in an open range
  ``[start, end)``.  Times off the interval grid are allowed; e.g. at 30 minutes
  ``"08:10-17:10"`` opens the intervals starting 08:30 ... 17:00.
* A range whose end is before its start runs past midnight into the next day
  (``"22:00-06:00"``); Sunday's continues into Monday morning of the same
  representative week.  A day's hours are the ranges that *start* on that day.
* Days not named in ``open_hours`` are closed; a later key replaces the hours of the
  days it names.  ``open_hours=None`` means open all week.

>>> len(builtin_shape("business_hours", 30))
336
>>> expand_weights([1.0] * 24, 30)[:3].tolist()
[0.5, 0.5, 0.5]
>>> mask = open_mask({"mon-fri": "08:00-20:00", "sat": "10:00-16:00"}, 60)
>>> int(mask.sum())
66
>>> interval_labels(30)[17:19]
['mon 08:30', 'mon 09:00']
>>> round(float(normalise(builtin_shape("24x7", 60), mask).sum()), 12)
1.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import ALLOWED_INTERVAL_MINUTES, DAYS, MINUTES_PER_WEEK
from optimizer.scenario.models import Category, CsvProfile, DayIntraday

__all__ = [
    "BUILTIN_PROFILES",
    "SHORT_GAP_MINUTES",
    "LabelError",
    "OpenHoursWarning",
    "builtin_shape",
    "expand_weights",
    "interval_labels",
    "label_order",
    "normalise",
    "open_hours_gaps",
    "open_mask",
    "profile_shape",
]

BUILTIN_PROFILES: tuple[str, ...] = ("business_hours", "extended_hours", "24x7", "retail_evenings")

MINUTES_PER_DAY = 24 * 60
HOURS_PER_WEEK = 7 * 24

# ---------------------------------------------------------------------------
# Built-in shapes.  Each is an intraday curve of 24 hourly weights (index = hour
# starting at that clock time, peak = 1.0) times a day weight (mon..sun).  The
# weekly hourly weight is day weight x intraday weight; it is then spread evenly
# over the hour's intervals.  Curves are smooth by construction (neighbouring
# hours differ by at most ~0.3 of the peak).
# ---------------------------------------------------------------------------

#: business_hours: Mon-Fri 08:00-18:00, morning peak 10:00, lunch dip 12:00,
#: second peak 14:00; Monday busiest, Friday quietest; closed weekends.
_BUSINESS_INTRADAY: tuple[float, ...] = (
    # 00    01    02    03    04    05    06    07
    0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    # 08    09    10    11    12    13    14    15
    0.55, 0.85, 1.00, 0.95, 0.70, 0.80, 0.90, 0.80,
    # 16    17    18    19    20    21    22    23
    0.65, 0.45, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
)  # fmt: skip
_BUSINESS_DAYS: tuple[float, ...] = (1.15, 1.05, 1.00, 0.97, 0.88, 0.00, 0.00)

#: extended_hours: Mon-Fri 07:00-21:00 (peaks 10:00 and 14:00, tapering evening),
#: Saturday 09:00-17:00 at about half the weekday level; Sunday closed.
_EXTENDED_WEEKDAY: tuple[float, ...] = (
    # 00    01    02    03    04    05    06    07
    0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.30,
    # 08    09    10    11    12    13    14    15
    0.55, 0.85, 1.00, 0.95, 0.75, 0.80, 0.88, 0.80,
    # 16    17    18    19    20    21    22    23
    0.70, 0.60, 0.50, 0.40, 0.28, 0.00, 0.00, 0.00,
)  # fmt: skip
_EXTENDED_SATURDAY: tuple[float, ...] = (
    # 00    01    02    03    04    05    06    07
    0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    # 08    09    10    11    12    13    14    15
    0.00, 0.70, 0.92, 1.00, 0.92, 0.85, 0.78, 0.65,
    # 16    17    18    19    20    21    22    23
    0.50, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
)  # fmt: skip
_EXTENDED_DAYS: tuple[float, ...] = (1.10, 1.03, 1.00, 0.98, 0.92, 0.50, 0.00)

#: 24x7: every hour; overnight trough 3.5-5% of the day's peak (03:00-04:00),
#: peaks 10:00 and 14:00, long evening tail; weekends at 62-68% of a midweek day.
_ALWAYS_INTRADAY: tuple[float, ...] = (
    # 00    01    02    03    04    05    06    07
    0.12, 0.07, 0.045, 0.035, 0.035, 0.05, 0.14, 0.35,
    # 08    09    10    11    12    13    14    15
    0.65, 0.90, 1.00, 0.97, 0.85, 0.88, 0.92, 0.88,
    # 16    17    18    19    20    21    22    23
    0.80, 0.70, 0.58, 0.50, 0.42, 0.34, 0.25, 0.18,
)  # fmt: skip
_ALWAYS_DAYS: tuple[float, ...] = (1.08, 1.03, 1.00, 0.98, 0.95, 0.68, 0.62)

#: retail_evenings: every day 08:00-23:00; weekdays build up to an evening peak
#: 17:00-21:00 (max 19:00); Saturday and Sunday have a broad afternoon plateau
#: and a higher day weight, so weekend afternoons are busier than weekday ones.
_RETAIL_WEEKDAY: tuple[float, ...] = (
    # 00    01    02    03    04    05    06    07
    0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    # 08    09    10    11    12    13    14    15
    0.15, 0.25, 0.32, 0.38, 0.45, 0.45, 0.42, 0.45,
    # 16    17    18    19    20    21    22    23
    0.58, 0.80, 0.95, 1.00, 0.92, 0.62, 0.30, 0.00,
)  # fmt: skip
_RETAIL_WEEKEND: tuple[float, ...] = (
    # 00    01    02    03    04    05    06    07
    0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    # 08    09    10    11    12    13    14    15
    0.15, 0.30, 0.50, 0.68, 0.80, 0.88, 0.92, 0.92,
    # 16    17    18    19    20    21    22    23
    0.88, 0.92, 0.98, 1.00, 0.85, 0.55, 0.25, 0.00,
)  # fmt: skip
_RETAIL_DAYS: tuple[float, ...] = (0.85, 0.85, 0.90, 0.95, 1.05, 1.20, 1.05)

#: Per built-in profile: (day weights mon..sun, intraday curve per day mon..sun).
_BUILTIN_TABLES: dict[str, tuple[tuple[float, ...], tuple[tuple[float, ...], ...]]] = {
    "business_hours": (_BUSINESS_DAYS, (_BUSINESS_INTRADAY,) * 7),
    "extended_hours": (
        _EXTENDED_DAYS,
        (_EXTENDED_WEEKDAY,) * 5 + (_EXTENDED_SATURDAY, _EXTENDED_WEEKDAY),
    ),
    "24x7": (_ALWAYS_DAYS, (_ALWAYS_INTRADAY,) * 7),
    "retail_evenings": (_RETAIL_DAYS, (_RETAIL_WEEKDAY,) * 5 + (_RETAIL_WEEKEND,) * 2),
}


def _check_interval(interval_minutes: int) -> int:
    """Return the number of intervals per week, or raise for an unsupported length."""
    if isinstance(interval_minutes, bool) or interval_minutes not in ALLOWED_INTERVAL_MINUTES:
        allowed = _or_list([str(m) for m in ALLOWED_INTERVAL_MINUTES])
        raise ValueError(f"expected interval_minutes of {allowed}, got {interval_minutes!r}")
    return MINUTES_PER_WEEK // interval_minutes


def _or_list(items: Sequence[str]) -> str:
    """Join ``["a", "b", "c"]`` as ``"a, b or c"``."""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def _split_hours(hourly: NDArray[np.float64], interval_minutes: int) -> NDArray[np.float64]:
    """Spread each hour's weight evenly over its intervals (hourly totals preserved)."""
    per_hour = 60 // interval_minutes
    return np.repeat(hourly / per_hour, per_hour)


def builtin_shape(name: str, interval_minutes: int) -> NDArray[np.float64]:
    """Weights of a built-in profile, one per interval of the week (not normalised).

    The shape is the hourly table of the profile (day weight x intraday curve, see
    the tables in this module) with each hour spread evenly over its intervals, so
    hourly totals do not depend on ``interval_minutes``.

    >>> shape = builtin_shape("business_hours", 60)
    >>> float(shape[10]), float(shape[5 * 24 + 10])   # Monday 10:00, Saturday 10:00
    (1.15, 0.0)
    """
    _check_interval(interval_minutes)
    if name not in _BUILTIN_TABLES:
        names = _or_list([f'"{p}"' for p in BUILTIN_PROFILES])
        raise ValueError(f"expected a built-in profile name: {names}, got {name!r}")
    days, curves = _BUILTIN_TABLES[name]
    hourly = np.concatenate(
        [day * np.asarray(curve, dtype=np.float64) for day, curve in zip(days, curves, strict=True)]
    )
    return _split_hours(hourly, interval_minutes)


# ---------------------------------------------------------------------------
# User weights
# ---------------------------------------------------------------------------


def _list_phrase(interval_minutes: int) -> str:
    """The accepted list lengths for this interval length, as an "expected" phrase."""
    n = MINUTES_PER_WEEK // interval_minutes
    per_day = MINUTES_PER_DAY // interval_minutes
    labels: dict[int, str] = {}
    # At 60 minutes the counts coincide; the hourly label (written later) wins.
    labels[n] = "per interval"
    labels[HOURS_PER_WEEK] = "per hour of the week"
    labels[per_day] = "per interval of a day"
    labels[24] = "per hour of a day"
    parts = [f"{count} ({label})" for count, label in labels.items()]
    return f"a list of {_or_list(parts)} non-negative weights"


def _mapping_phrase(interval_minutes: int) -> str:
    per_day = MINUTES_PER_DAY // interval_minutes
    intraday = f"{per_day} (per interval of a day) or 24 (per hour of a day)"
    if per_day == 24:
        intraday = "24 (per hour of a day)"
    return f'a mapping {{"days": [7 weights mon..sun], "intraday": [{intraday} weights]}}'


def _as_weights(values: object, what: str) -> NDArray[np.float64]:
    """Check a flat list of non-negative finite numbers and return it as an array.

    ``what`` is the "expected" phrase used when the value is not a flat list.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f"expected {what}, got {type(values).__name__}")
    if isinstance(values, np.ndarray):
        if values.ndim != 1 or values.dtype.kind not in "iuf":
            raise ValueError(f"expected {what}, got an array of shape {values.shape}")
        items: list[object] = list(values.tolist())
    else:
        items = list(values)
    for position, item in enumerate(items):
        if isinstance(item, bool) or not isinstance(item, int | float | np.integer | np.floating):
            raise ValueError(f"expected {what}, got {item!r} at position {position}")
        number = float(item)
        if not math.isfinite(number) or number < 0:
            raise ValueError(
                f"expected non-negative finite weights, got {number!r} at position {position}"
            )
    return np.asarray(items, dtype=np.float64).reshape(-1)


def _expand_list(values: NDArray[np.float64], interval_minutes: int) -> NDArray[np.float64]:
    n = MINUTES_PER_WEEK // interval_minutes
    per_day = MINUTES_PER_DAY // interval_minutes
    count = values.size
    # Exact per-interval counts are tried first; at 60 minutes they coincide with
    # the hourly ones and both readings give the same result.
    if count == n:
        return values.copy()
    if count == per_day:
        return np.tile(values, 7)
    if count == HOURS_PER_WEEK:
        return _split_hours(values, interval_minutes)
    if count == 24:
        return np.tile(_split_hours(values, interval_minutes), 7)
    raise ValueError(f"expected {_list_phrase(interval_minutes)}, got {count}")


def _expand_mapping(spec: Mapping[str, object], interval_minutes: int) -> NDArray[np.float64]:
    phrase = _mapping_phrase(interval_minutes)
    keys = set(spec.keys())
    if keys != {"days", "intraday"}:
        shown = ", ".join(sorted(repr(k) for k in keys)) or "none"
        raise ValueError(f"expected {phrase}, got keys {shown}")
    days = _as_weights(spec["days"], '"days" as a list of 7 non-negative weights (mon..sun)')
    if days.size != 7:
        raise ValueError(
            f'expected "days" as a list of 7 non-negative weights (mon..sun), got {days.size}'
        )
    per_day = MINUTES_PER_DAY // interval_minutes
    counts = f"{per_day} (per interval of a day) or 24 (per hour of a day)"
    if per_day == 24:
        counts = "24 (per hour of a day)"
    intraday_what = f'"intraday" as a list of {counts} non-negative weights'
    intraday = _as_weights(spec["intraday"], intraday_what)
    if intraday.size == per_day:
        day_curve = intraday
    elif intraday.size == 24:
        day_curve = _split_hours(intraday, interval_minutes)
    else:
        raise ValueError(f"expected {intraday_what}, got {intraday.size}")
    return np.outer(days, day_curve).reshape(-1)


def expand_weights(
    weights: Sequence[float] | Mapping[str, Sequence[float]], interval_minutes: int
) -> NDArray[np.float64]:
    """Turn a user weight spec into one weight per interval of the week (not normalised).

    Accepted forms (``n`` intervals per week, ``d = n / 7`` per day):

    * a list of ``n`` weights, one per interval;
    * a list of 168 weights, one per hour of the week (each split evenly over the
      hour's intervals, so the hour's volume is preserved);
    * a list of ``d`` weights (per interval of a day) or 24 (per hour of a day),
      the same every day;
    * a mapping ``{"days": [7 weights mon..sun], "intraday": [d or 24 weights]}``:
      weight = day weight x intraday weight.

    When counts coincide (at 60 minutes ``n = 168`` and ``d = 24``) the exact
    per-interval reading is used; both readings agree there anyway.

    >>> expand_weights({"days": [1, 1, 1, 1, 1, 0, 0], "intraday": [1.0] * 24}, 60)[-1]
    np.float64(0.0)
    >>> expand_weights([1.0] * 100, 30)
    Traceback (most recent call last):
    ...
    ValueError: expected a list of 336 (per interval), 168 (per hour of the week), \
48 (per interval of a day) or 24 (per hour of a day) non-negative weights, got 100
    """
    _check_interval(interval_minutes)
    if isinstance(weights, Mapping):
        out = _expand_mapping(weights, interval_minutes)
    else:
        out = _expand_list(_as_weights(weights, _list_phrase(interval_minutes)), interval_minutes)
    if not np.any(out > 0):
        raise ValueError("expected at least one positive weight, got all zeros")
    return out


def profile_shape(cat: Category, interval_minutes: int) -> np.ndarray:
    """Un-normalised per-interval weights of a category's profile spec."""
    spec = cat.profile
    if isinstance(spec, str):
        if spec not in BUILTIN_PROFILES:
            raise ValueError("expected one of " + ", ".join(BUILTIN_PROFILES))
        return builtin_shape(spec, interval_minutes)
    if isinstance(spec, CsvProfile):
        raise ValueError("expected the CSV to have been read by the loader")
    if isinstance(spec, DayIntraday):
        return expand_weights({"days": spec.days, "intraday": spec.intraday}, interval_minutes)
    return expand_weights(spec, interval_minutes)


# ---------------------------------------------------------------------------
# Opening hours
# ---------------------------------------------------------------------------

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
    n = _check_interval(interval_minutes)
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


# ---------------------------------------------------------------------------
# Normalisation and labels
# ---------------------------------------------------------------------------


def normalise(weights: NDArray[np.float64], mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Zero the weights outside ``mask`` and scale the rest to sum to 1.

    >>> normalise(np.array([1.0, 3.0, 4.0]), np.array([True, True, False])).tolist()
    [0.25, 0.75, 0.0]
    """
    w = np.asarray(weights, dtype=np.float64)
    m = np.asarray(mask, dtype=np.bool_)
    if w.shape != m.shape or w.ndim != 1:
        raise ValueError(
            f"expected weights and mask of the same length, got {w.shape} and {m.shape}"
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("expected non-negative finite weights")
    kept = np.where(m, w, 0.0)
    peak = float(kept.max()) if kept.size else 0.0
    if not peak > 0:
        raise ValueError("expected some positive weight within the open hours")
    # Scale by the largest weight first: summing weights near the float maximum would
    # overflow to inf (and every share to 0), tiny ones would lose their precision.
    scaled = kept / peak
    return scaled / float(scaled.sum())


def interval_labels(interval_minutes: int) -> list[str]:
    """A label ``"<day> HH:MM"`` (interval start) for each interval of the week.

    >>> labels = interval_labels(60)
    >>> len(labels), labels[0], labels[-1]
    (168, 'mon 00:00', 'sun 23:00')
    """
    n = _check_interval(interval_minutes)
    labels = []
    for t in range(n):
        minute = t * interval_minutes
        day, rest = divmod(minute, MINUTES_PER_DAY)
        labels.append(f"{DAYS[day]} {rest // 60:02d}:{rest % 60:02d}")
    return labels


# ---------------------------------------------------------------------------
# Row labels of CSV profiles
# ---------------------------------------------------------------------------

_LABEL = re.compile(r"^(?:([a-z]+)\s+)?(\d{1,2}):(\d{2})$")
_LABEL_PHRASE = 'a label like "mon 09:00" (day and start time) or "09:00" (time of day)'


class LabelError(ValueError):
    """A row label that cannot be placed in the week; ``row`` is its 0-based index."""

    def __init__(self, row: int, label: str, expected: str) -> None:
        super().__init__(f"expected {expected}, got {label!r}")
        self.row = row
        self.label = label
        self.expected = expected


def _label_slot(label: str, row: int) -> tuple[bool, int]:
    """(has a day, minute of the week or of the day) of one row label."""
    match = _LABEL.match(label.strip().lower())
    if match is None:
        raise LabelError(row, label, _LABEL_PHRASE)
    day_text, hours, minutes = match[1], int(match[2]), int(match[3])
    if hours > 23 or minutes > 59:
        raise LabelError(row, label, _LABEL_PHRASE)
    minute = hours * 60 + minutes
    if day_text is None:
        return False, minute
    days = [d for d in DAYS if day_text.startswith(d) and _DAY_NAMES[d].startswith(day_text)]
    if not days:
        raise LabelError(row, label, _LABEL_PHRASE)
    return True, DAYS.index(days[0]) * MINUTES_PER_DAY + minute


_DAY_NAMES = dict(zip(DAYS, ("monday", "tuesday", "wednesday", "thursday", "friday",
                             "saturday", "sunday"), strict=True))  # fmt: skip


def label_order(labels: Sequence[str]) -> list[int]:
    """Row indices in week order (Monday 00:00 first), read from the rows' labels.

    Labels are ``"<day> HH:MM"`` (``mon``..``sun`` or the full name, any case), or
    ``"HH:MM"`` alone for a profile of one day. They must form a complete regular
    grid (every 15, 30 or 60 minutes, or every hour), each slot once; an export that
    starts on Sunday is put back in order. Raises :class:`LabelError` naming the row.

    >>> label_order(["12:00", "00:00"])
    [1, 0]
    >>> label_order(["Sun 12:00", "Mon 00:00"])
    Traceback (most recent call last):
    ...
    optimizer.scenario.profiles.LabelError: expected a start time on the 5040-minute grid of \
2 rows, got 'Sun 12:00'

    """
    slots = [_label_slot(label, row) for row, label in enumerate(labels)]
    if not slots:
        return []
    with_day = slots[0][0]
    for row, (has_day, _) in enumerate(slots):
        if has_day != with_day:
            kind = '"<day> HH:MM"' if with_day else '"HH:MM"'
            raise LabelError(row, labels[row], f"a label of the same kind as the first ({kind})")
    span = MINUTES_PER_WEEK if with_day else MINUTES_PER_DAY
    count = len(slots)
    step = span // count if span % count == 0 else 0
    seen: dict[int, int] = {}
    for row, (_, minute) in enumerate(slots):
        if step and minute % step:
            raise LabelError(
                row, labels[row], f"a start time on the {step}-minute grid of {count} rows"
            )
        if minute in seen:
            raise LabelError(row, labels[row], f"each interval once ({labels[seen[minute]]!r} too)")
        seen[minute] = row
    return [row for _, row in sorted((minute, row) for row, (_, minute) in enumerate(slots))]
