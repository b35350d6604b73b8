"""The representative week's grid: its intervals, their labels, hours spread over them.

The week starts Monday 00:00. With interval length ``L`` minutes (15, 30 or 60),
interval ``t`` covers the minutes ``[t * L, (t + 1) * L)`` of the week; there are
``n = 7 * 24 * 60 / L`` intervals (336 at 30 minutes).

>>> week_intervals(30)
336
>>> interval_labels(30)[17:19]
['mon 08:30', 'mon 09:00']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from optimizer.conventions import ALLOWED_INTERVAL_MINUTES, DAYS, MINUTES_PER_WEEK

MINUTES_PER_DAY = 24 * 60
HOURS_PER_WEEK = 7 * 24


def week_intervals(interval_minutes: int) -> int:
    """Return the number of intervals per week, or raise for an unsupported length."""
    if isinstance(interval_minutes, bool) or interval_minutes not in ALLOWED_INTERVAL_MINUTES:
        allowed = or_list([str(m) for m in ALLOWED_INTERVAL_MINUTES])
        raise ValueError(f"expected interval_minutes of {allowed}, got {interval_minutes!r}")
    return MINUTES_PER_WEEK // interval_minutes


def or_list(items: Sequence[str]) -> str:
    """Join ``["a", "b", "c"]`` as ``"a, b or c"``."""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def split_hours(hourly: NDArray[np.float64], interval_minutes: int) -> NDArray[np.float64]:
    """Spread each hour's weight evenly over its intervals (hourly totals preserved)."""
    per_hour = 60 // interval_minutes
    return np.repeat(hourly / per_hour, per_hour)


def interval_labels(interval_minutes: int) -> list[str]:
    """A label ``"<day> HH:MM"`` (interval start) for each interval of the week.

    >>> labels = interval_labels(60)
    >>> len(labels), labels[0], labels[-1]
    (168, 'mon 00:00', 'sun 23:00')
    """
    n = week_intervals(interval_minutes)
    labels = []
    for t in range(n):
        minute = t * interval_minutes
        day, rest = divmod(minute, MINUTES_PER_DAY)
        labels.append(f"{DAYS[day]} {rest // 60:02d}:{rest % 60:02d}")
    return labels
