"""Fix-and-optimise over the shift counts, the choices pinned: a plan's improvement.

The pinned sub-MIP (``optimizer.milp.root.pinned_start``) finds a shift plan for the
rounded choices early and then stalls: on the 10 x 3 x 7 shift deal (seed 2) it found
625,168 after 1.1 s of a 4 s share and nothing after, and the full MIP from that plan
found 625,388 in 480 s. Here the same live HiGHS model, choices still pinned, frees the
shift counts of one block at a time (a category's shifts on one day of the week, at
every site: ``blocks``), holds every other count at the plan, and solves that small
MIP from the plan; a better plan is kept and the next block runs from it. Blocks run
day by day, until a whole round finds nothing better or the time is up.

Measured on that deal from the 10 s plan (625,280; 0.5 s a block): 625,904 after
3.4 s, 626,078 after 6.8 s, 626,231 after 16.6 s. Every plan found is a plan of the
full model (only bounds differ); the blocks' bounds are not its bounds
(``Live.pinning`` keeps them from being streamed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from optimizer.milp.arrays import Arrays
from optimizer.milp.outcome import time_left

STEP_SECONDS = 0.5
"""Seconds one block's MIP may take."""
STEP_GAP = 1e-4
"""Relative gap of one block's MIP."""
MIN_GAIN = 1e-7
"""Relative gain a block's plan needs to replace the plan."""


def search(
    h: Any,
    arrays: Arrays,
    col: NDArray[np.float64],
    pinned: tuple[NDArray[np.float64], NDArray[np.float64]],
    blocks: Sequence[NDArray[np.int32]],
    seconds: float,
    start: Callable[[NDArray[np.float64]], None],
    interrupt_at: Callable[[float], None],
) -> NDArray[np.float64]:
    """The best plan found from ``col`` in ``seconds``; ``h``'s bounds left at ``pinned``
    (``lower``, ``upper``: the model's with the choices pinned). ``start`` gives HiGHS a
    start solution, ``interrupt_at`` the ``time.perf_counter`` instant after which the
    callbacks interrupt a block's MIP (HiGHS may overrun its own time limit)."""
    if not blocks or seconds <= 0:
        return col
    end = time.perf_counter() + seconds
    sign = 1.0 if arrays.maximize else -1.0
    counts = np.concatenate(blocks)
    every = np.arange(arrays.cost.size, dtype=np.int32)
    best = sign * float(arrays.cost @ col)
    h.setOptionValue("mip_rel_gap", STEP_GAP)
    stale, k = 0, 0
    while stale < len(blocks) and time.perf_counter() < end:
        free = blocks[k % len(blocks)]
        k += 1
        lower, upper = pinned[0].copy(), pinned[1].copy()
        held = counts[~np.isin(counts, free)]
        lower[held] = upper[held] = np.round(col[held])
        h.changeColsBounds(every.size, every, lower, upper)
        start(col)
        step = min(STEP_SECONDS, end - time.perf_counter())
        time_left(h, max(step, 0.01))
        interrupt_at(time.perf_counter() + max(step, 0.01))
        h.run()
        found = _better(h, arrays, best, sign)
        if found is None:
            stale += 1
            continue
        (col, best), stale = found, 0
    h.changeColsBounds(every.size, every, pinned[0], pinned[1])
    return col


def _better(
    h: Any, arrays: Arrays, best: float, sign: float
) -> tuple[NDArray[np.float64], float] | None:
    """HiGHS's plan and its ``sign`` x objective when that beats ``best`` and the plan
    holds up."""
    if h.getInfo().primal_solution_status != 2:
        return None
    col = np.asarray(h.getSolution().col_value, float)
    value = sign * float(arrays.cost @ col)
    if value <= best + MIN_GAIN * max(1.0, abs(best)):
        return None
    if arrays.discrepancy(col, None) is not None:
        return None
    return col, value
