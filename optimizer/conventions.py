"""Units, defaults, tolerances and the rounding rules the whole product follows.

Each rule is named here so that tests and the README can point at it.

* Time: a representative week of ``7 * 24 * 60 / interval_minutes`` intervals;
  monthly figures are weekly figures times ``weeks_per_month`` (default 52/12).
* Money is per month in the scenario's currency unless a name says otherwise.
* Rule ``INTEGER_AGENTS``: productive agents on the phones per interval are
  integers: the smallest N meeting the tier.
* Rule ``SHRINKAGE_AFTER``: shrinkage is applied after the integer count, without
  rounding per interval: scheduled agents = N / (1 - shrinkage).
* Margin = (revenue - cost) / revenue; markup = (revenue - cost) / cost.
"""

from __future__ import annotations

import math
from typing import Any

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALLOWED_INTERVAL_MINUTES: tuple[int, ...] = (15, 30, 60)
DEFAULT_INTERVAL_MINUTES = 30
DEFAULT_WEEKS_PER_MONTH = 52.0 / 12.0
MINUTES_PER_WEEK = 7 * 24 * 60

# Named tolerances (absolute unless stated).
SL_TOLERANCE = 1e-9
"""Service levels are compared with this slack (floating-point noise only)."""
MONEY_TOLERANCE_REL = 1e-6
"""Relative tolerance on money when a solution is re-checked."""
MONEY_TOLERANCE_ABS = 1e-3
"""Absolute tolerance on money (currency units per month)."""
AGENT_TOLERANCE = 1e-6
"""Integrality tolerance on solver agent counts."""
RATIO_CEIL_TOLERANCE_REL = 1e-12
"""Relative slack when a ratio is rounded up to whole agents or servers (chat slots per
agent, load over an occupancy cap), so float noise never adds one: 5 / 2.5 -> 2, not 3."""

INTEGER_AGENTS = "integer productive agents per interval (smallest N meeting the tier)"
SHRINKAGE_AFTER = (
    "scheduled = N / (1 - shrinkage), applied after summing, never ceiled per interval"
)


def intervals_per_week(interval_minutes: int) -> int:
    """Number of intervals in the representative week.

    >>> intervals_per_week(30)
    336
    """
    return MINUTES_PER_WEEK // interval_minutes


def loses_abandoned(channel: str) -> bool:
    """Whether contacts that abandon are not handled on ``channel``: voice calls that
    hang up are lost; every chat offered is handled, abandoned or not, as deferred work
    is (design 6.2: deferred work and chat, handled = offered).

    >>> loses_abandoned("voice"), loses_abandoned("chat")
    (True, False)
    """
    return channel == "voice"


def scheduled_agents(productive: Any, shrinkage: float) -> Any:
    """Scheduled (paid) agents for ``productive`` agents on the phones (rule SHRINKAGE_AFTER).

    >>> scheduled_agents(14, 0.30)
    20.0
    """
    return productive / (1.0 - shrinkage)


def deferred_due(arrivals: Any, share: float, lag: int) -> Any:
    """Work that must be handled by each interval of the week (design 6.4, cyclic week).

    ``arrivals[t]`` items arrive in interval ``t`` of the representative week (a numpy
    array); ``share`` of each week's items must be handled within ``lag`` intervals.
    Returns the curve ``due[t]`` that bounds ``W(t) - b0`` from below, where ``W(t)``
    is the work handled since Monday 00:00 and ``b0`` the backlog carried in from last
    week. Items are handled first in, first out, so the carried backlog (last week's
    latest items, at most a week of them) goes first. Two weeks have work due:

    * this week's items up to ``t - lag``, when there are any:
      ``W(t) - b0 >= share x A(t - lag)``;
    * otherwise last week's items up to ``t - lag`` of that week (all of last week
      once ``t >= lag``): of them ``total - b0 + W(t)`` are handled, so
      ``W(t) - b0 >= share x A_last - total``. The tier's share of them is due, not
      all of them: the rest may wait until this week's own deadlines come.

    Thirty items arriving on Sunday 23:00, half due within the hour: fifteen of them
    may be carried through the week.

    >>> import numpy as np
    >>> a = np.zeros(4); a[3] = 30.0
    >>> deferred_due(a, 0.5, 1).tolist()
    [-15.0, -15.0, -15.0, -15.0]
    >>> a = np.array([0.0, 10.0, 0.0, 0.0])
    >>> deferred_due(a, 0.5, 1).tolist()
    [-5.0, -5.0, 5.0, 5.0]
    """
    import numpy as np

    cumulative = np.cumsum(np.asarray(arrivals, dtype=float))
    n = cumulative.size
    total = float(cumulative[-1]) if n else 0.0
    start = np.arange(n) - int(lag)
    own = np.where(start >= 0, cumulative[np.clip(start, 0, None)], 0.0)
    last_week_start = start + n  # the same moment in last week's clock
    last = np.where(
        last_week_start >= n,
        total,
        np.where(last_week_start >= 0, cumulative[np.clip(last_week_start, 0, n - 1)], 0.0),
    )
    return np.where(own > 0, share * own, share * last - total)


def price_decimals(price: float) -> int:
    """Decimals of a quotable price: cents from 1 up, 4 decimals below 1 (per-minute
    rates, revenue shares: 0.1149 is 11.49% of sales).

    >>> price_decimals(38000.0), price_decimals(1.04), price_decimals(0.114982)
    (2, 2, 4)
    """
    return 2 if abs(price) >= 1 else 4


def round_at(value: float, digits: int, up: bool) -> float:
    """``value`` rounded down (or ``up``) at ``digits`` decimals, ignoring float noise
    (42,000.00003 is 42,000 either way).

    >>> round_at(42000.00003, 2, up=True), round_at(0.114982, 4, up=False)
    (42000.0, 0.1149)
    """
    scaled = value * 10**digits
    noise = 1e-7 * max(1.0, abs(scaled))
    step = math.ceil(scaled - noise) if up else math.floor(scaled + noise)
    return step / 10**digits


def quotable(price: float, up: bool) -> float:
    """``price`` rounded down (or ``up``) to its quotable step (``price_decimals``).

    >>> quotable(1.03729, up=False), quotable(1.03729, up=True), quotable(1.04 + 1e-12, True)
    (1.03, 1.04, 1.04)
    """
    return round_at(price, price_decimals(price), up)


def margin(revenue: float, cost: float) -> float:
    """Margin = (revenue - cost) / revenue; NaN when there is no revenue.

    >>> round(margin(120.0, 100.0), 4)
    0.1667
    """
    return (revenue - cost) / revenue if revenue else math.nan


def markup(revenue: float, cost: float) -> float:
    """Markup = (revenue - cost) / cost; NaN when there is no cost.

    >>> markup(120.0, 100.0)
    0.2
    """
    return (revenue - cost) / cost if cost else math.nan


def close(
    a: float, b: float, rel: float = MONEY_TOLERANCE_REL, abs_: float = MONEY_TOLERANCE_ABS
) -> bool:
    """Money equality under the named tolerances."""
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)
