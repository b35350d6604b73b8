"""Volume profiles over the representative week: built-in shapes, user weights, shares.

Conventions (README "Model conventions", docs/scenario.md):

* The week starts Monday 00:00.  With interval length ``L`` minutes (15, 30 or 60),
  interval ``t`` covers the minutes ``[t * L, (t + 1) * L)`` of the week; there are
  ``n = 7 * 24 * 60 / L`` intervals (336 at 30 minutes); see
  :mod:`optimizer.scenario.week`.
* A *profile* is one non-negative weight per interval.  Weights are relative:
  :func:`normalise` zeroes them outside the opening hours and scales them to sum to 1.
* Hourly weights are spread **evenly** over the hour's intervals (step shape, not
  piecewise-linear), so the volume of every hour is the same at every interval
  length: a 15-minute profile summed per hour equals the 60-minute profile.
* Opening hours (:mod:`optimizer.scenario.open_hours`): an interval is open iff its
  start minute lies in an open range; ``open_hours=None`` means open all week.

Its ``__all__`` is the stage's one place to import profile helpers from (the
staffing stage does, and ``docs/scenario.md`` names
``optimizer.scenario.profiles.OpenHoursWarning``): besides its own functions it
re-exports :func:`open_mask`, :func:`open_hours_gaps`, :class:`OpenHoursWarning` and
:data:`SHORT_GAP_MINUTES` (defined in ``open_hours``), :func:`interval_labels`
(``week``), and :func:`label_order` and :class:`LabelError` (``csv_profiles``).

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
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import MINUTES_PER_WEEK
from optimizer.scenario.csv_profiles import LabelError, label_order
from optimizer.scenario.models import Category, CsvProfile, DayIntraday
from optimizer.scenario.open_hours import (
    SHORT_GAP_MINUTES,
    OpenHoursWarning,
    open_hours_gaps,
    open_mask,
)
from optimizer.scenario.week import (
    HOURS_PER_WEEK,
    MINUTES_PER_DAY,
    interval_labels,
    or_list,
    split_hours,
    week_intervals,
)

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

# ---------------------------------------------------------------------------
# Built-in shapes.  Each is an intraday curve of 24 hourly weights (index = hour
# starting at that clock time, peak = 1.0) times a day weight (mon..sun).  The
# weekly hourly weight is day weight x intraday weight; it is then spread evenly
# over the hour's intervals.  Curves are smooth by construction (neighbouring
# hours differ by at most ~0.3 of the peak).  A curve open only part of the day
# is written from its first open hour on; the other hours weigh 0.
# ---------------------------------------------------------------------------


def _open_from(first_hour: int, *weights: float) -> tuple[float, ...]:
    """24 hourly weights: ``weights`` for the hours from ``first_hour`` on, 0 elsewhere.

    >>> _open_from(22, 0.5, 0.25)[-3:]
    (0.0, 0.5, 0.25)
    """
    return (0.0,) * first_hour + weights + (0.0,) * (24 - first_hour - len(weights))


#: business_hours: Mon-Fri 08:00-18:00, morning peak 10:00, lunch dip 12:00,
#: second peak 14:00; Monday busiest, Friday quietest; closed weekends.
_BUSINESS_INTRADAY: tuple[float, ...] = _open_from(8,
    # 08    09    10    11    12    13    14    15    16    17
    0.55, 0.85, 1.00, 0.95, 0.70, 0.80, 0.90, 0.80, 0.65, 0.45,
)  # fmt: skip
_BUSINESS_DAYS: tuple[float, ...] = (1.15, 1.05, 1.00, 0.97, 0.88, 0.00, 0.00)

#: extended_hours: Mon-Fri 07:00-21:00 (peaks 10:00 and 14:00, tapering evening),
#: Saturday 09:00-17:00 at about half the weekday level; Sunday closed.
_EXTENDED_WEEKDAY: tuple[float, ...] = _open_from(7,
    # 07    08    09    10    11    12    13    14    15    16    17    18    19    20
    0.30, 0.55, 0.85, 1.00, 0.95, 0.75, 0.80, 0.88, 0.80, 0.70, 0.60, 0.50, 0.40, 0.28,
)  # fmt: skip
_EXTENDED_SATURDAY: tuple[float, ...] = _open_from(9,
    # 09    10    11    12    13    14    15    16
    0.70, 0.92, 1.00, 0.92, 0.85, 0.78, 0.65, 0.50,
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
_RETAIL_WEEKDAY: tuple[float, ...] = _open_from(8,
    # 08    09    10    11    12    13    14    15    16    17    18    19    20    21    22
    0.15, 0.25, 0.32, 0.38, 0.45, 0.45, 0.42, 0.45, 0.58, 0.80, 0.95, 1.00, 0.92, 0.62, 0.30,
)  # fmt: skip
_RETAIL_WEEKEND: tuple[float, ...] = _open_from(8,
    # 08    09    10    11    12    13    14    15    16    17    18    19    20    21    22
    0.15, 0.30, 0.50, 0.68, 0.80, 0.88, 0.92, 0.92, 0.88, 0.92, 0.98, 1.00, 0.85, 0.55, 0.25,
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


def builtin_shape(name: str, interval_minutes: int) -> NDArray[np.float64]:
    """Weights of a built-in profile, one per interval of the week (not normalised).

    The shape is the hourly table of the profile (day weight x intraday curve, see
    the tables in this module) with each hour spread evenly over its intervals, so
    hourly totals do not depend on ``interval_minutes``.

    >>> shape = builtin_shape("business_hours", 60)
    >>> float(shape[10]), float(shape[5 * 24 + 10])   # Monday 10:00, Saturday 10:00
    (1.15, 0.0)
    """
    week_intervals(interval_minutes)
    if name not in _BUILTIN_TABLES:
        names = or_list([f'"{p}"' for p in BUILTIN_PROFILES])
        raise ValueError(f"expected a built-in profile name: {names}, got {name!r}")
    days, curves = _BUILTIN_TABLES[name]
    hourly = np.concatenate(
        [day * np.asarray(curve, dtype=np.float64) for day, curve in zip(days, curves, strict=True)]
    )
    return split_hours(hourly, interval_minutes)


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
    return f"a list of {or_list(parts)} non-negative weights"


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
        return split_hours(values, interval_minutes)
    if count == 24:
        return np.tile(split_hours(values, interval_minutes), 7)
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
        day_curve = split_hours(intraday, interval_minutes)
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
    week_intervals(interval_minutes)
    if isinstance(weights, Mapping):
        out = _expand_mapping(weights, interval_minutes)
    else:
        out = _expand_list(_as_weights(weights, _list_phrase(interval_minutes)), interval_minutes)
    if not np.any(out > 0):
        raise ValueError("expected at least one positive weight, got all zeros")
    return out


# ---------------------------------------------------------------------------
# Normalisation
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
