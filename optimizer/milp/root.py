"""What the root of a HiGHS MIP does before branch and bound, on a live ``Highs`` object.

``optimizer.milp.highs`` (the only module that imports highspy) runs the root cut loop
(``cut_loop``) with the ``Separator`` rows of ``optimizer.milp.cuts`` (``add_rows``) on
a live LP of its own; a ``Rounding`` separator also turns the loop's last LP point into
choices to pin, and ``pinned_start`` solves that sub-MIP by column bounds to give the
full MIP its start.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from optimizer.milp import neighbourhood
from optimizer.milp.arrays import Arrays
from optimizer.milp.outcome import time_left
from optimizer.milp.proof import gap_or_default

PIN_SHARE = 0.5
"""Share of the time left after the cut loop that the pinned sub-MIP may use."""
PIN_GAP = 1e-3
"""Relative gap of the pinned sub-MIP: it only gives the full MIP its start."""
STALL_SECONDS = 2.0
"""The pinned sub-MIP stops when it has found no better plan for this long and for as long
as it took to find its last one (``Pinning.overdue``). On the 10 x 3 x 7 shift deal at
60 s (seed 0) it found 622,788 after 1.2 s of its 29 s share and one plan 0.04% better
in the last second; stopped at the stall, the search over shift counts found 623,167 and
the full MIP had 39 s instead of 20 to prove its bound: 0.44% gap against 0.52%."""
CUT_ROUNDS = 20
"""At most this many rounds of LP, separation and added rows before the MIP starts."""
CUT_PATIENCE = 3
"""Rounds without a better LP bound after which the cut loop stops. Measured on 28
synthetic deals (10x3x7, 20x4x7, 10x3x3, 5x2x7; ``benchmarks/model.py``): stopping at
the first such round made one deal 60 s slower (its bound moves again only after
degenerate rounds); never stopping left many needless rows that slowed the MIP."""
CUT_SHARE = 0.2
"""Share of the time limit the cut loop may use."""
SHIFT_CUT_SHARE = 0.5
"""The same with a ``Rounding`` separator (shift mode): the coverage cuts moved the root
bound of the 10 x 3 x 7 shift deal (seed 0) from 646,806 to 628,674 in three rounds, and
under load the first LP alone took more than a fifth of a 10 s limit, leaving one round."""
IMPROVE_SHARE = 0.4
"""Share of the time left after the pinned sub-MIP that the search over its shift counts
(``optimizer.milp.neighbourhood``) may use; the full MIP has the rest."""


@dataclass
class Pinning:
    """The pinned sub-MIP's state, read by the driver's MIP callbacks: while ``active``
    its bounds are not the model's, and after ``until`` (``time.perf_counter``) it is
    interrupted (HiGHS's repair sub-MIP does not keep the time limit: 13 s of a 6 s
    share on the 10 x 3 x 7 shift deal).

    The callbacks set ``user_interrupt`` to ``overdue()`` every time, back to false as
    well: HiGHS keeps the flag from one ``run`` to the next, and the full MIP after an
    interrupted sub-MIP stopped at its first callback (seed 2 of that deal: a 60 s run
    ended after 40 s with the root LP's bound, 1.44% gap)."""

    active: bool = False
    until: float = math.inf
    began: float = math.nan
    """When the pinned sub-MIP began (``time.perf_counter``); not a number outside it."""
    last: float = math.nan
    """When it last found a better plan; not a number before the first one."""

    def improved(self) -> None:
        """A better plan was found (from the improving-solution callback)."""
        if self.active and not math.isnan(self.began):  # in the pinned sub-MIP
            self.last = time.perf_counter()

    def overdue(self) -> bool:
        """Whether the pinned sub-MIP should stop now: its time is up, or it has stalled
        (no better plan for ``STALL_SECONDS`` and for as long as the last one took)."""
        if not self.active:
            return False
        now = time.perf_counter()
        stalled = now - self.last > max(STALL_SECONDS, self.last - self.began)  # False if NaN
        return now > self.until or stalled


@dataclass(frozen=True)
class Live:
    """What ``pinned_start`` needs of the driver (``optimizer.milp.highs``, the module
    that imports highspy): relax or restore integrality, and the sub-MIP's state."""

    relax: Callable[[bool], None]
    pinning: Pinning
    start: Callable[[NDArray[np.float64]], None] | None = None
    """Gives HiGHS a start solution (the neighbourhood search's blocks run from it)."""


class CutRow(Protocol):
    """A row ``lower <= sum values x col[indices]`` (``optimizer.milp.cuts.Cut``)."""

    @property
    def indices(self) -> NDArray[np.int32]: ...
    @property
    def values(self) -> NDArray[np.float64]: ...
    @property
    def lower(self) -> float: ...


class Separator(Protocol):
    """Finds valid inequalities that an LP point violates."""

    def separate(self, x: NDArray[np.float64]) -> Sequence[CutRow]: ...


class Fixing(Protocol):
    """Column bounds that pin some choices: ``columns`` held in ``[lower, upper]``."""

    @property
    def columns(self) -> NDArray[np.int32]: ...
    @property
    def lower(self) -> NDArray[np.float64]: ...
    @property
    def upper(self) -> NDArray[np.float64]: ...
    @property
    def blocks(self) -> Sequence[NDArray[np.int32]]:
        """Shift-count columns freed together by the neighbourhood search (or none)."""
        ...


class Rounding(Separator, Protocol):
    """A separator that also rounds the root's last LP point into a choice to pin
    (``optimizer.milp.separators.TierRounding``): the sub-MIP it leaves gives the full
    MIP its start (``_pinned_start``)."""

    @property
    def groups(self) -> Sequence[Sequence[NDArray[np.int32]]]:
        """Each category's option columns by tier (the categories with a choice)."""
        ...

    def fixing(self, x: NDArray[np.float64]) -> Fixing | None: ...


def add_rows(h: Any, cuts: Sequence[CutRow]) -> None:
    sizes = [cut.indices.size for cut in cuts]
    h.addRows(
        len(cuts),
        np.array([cut.lower for cut in cuts]),
        np.full(len(cuts), math.inf),
        sum(sizes),
        np.cumsum([0, *sizes[:-1]]).astype(np.int32),
        np.concatenate([cut.indices for cut in cuts]),
        np.concatenate([cut.values for cut in cuts]),
    )


def drop_rows(h: Any, keep: int) -> None:
    """Delete every row after the model's first ``keep`` (the cuts the loop added).

    Cuts that did not move the root bound only make every LP of the MIP bigger: on the
    50 x 6 x 7 deal at 15 minutes the deferred-work window cuts took the matrix from 0.5
    to 1.9 million non-zeros with the bound unmoved; stopping after their first round and
    dropping them saved 1.0 s of a 9.4 s solve, with the same plan."""
    extra = h.getNumRow() - keep
    if extra > 0:
        h.deleteRows(extra, np.arange(keep, keep + extra, dtype=np.int32))


def pinned_start(
    h: Any,
    arrays: Arrays,
    time_limit: float | None,
    gap: float | None,
    fixing: Fixing | None,
    clock: float,
    live: Live,
) -> NDArray[np.float64] | None:
    """A start for the full MIP: the MIP with the choices the root LP point rounds to
    pinned by column bounds, its LP solved and left as HiGHS's point to repair (a
    sub-MIP over its fractional columns), solved for ``PIN_SHARE`` of the time left
    (gap ``PIN_GAP``) or until it stalls (``Pinning.overdue``); then the bounds, limit
    and gap are put back. Its plans are plans of the full model (a subset of it), its
    bounds are not (``live.pinning``).
    ``clock``: when the solve began.

    Measured on the 10 x 3 x 7 shift deal (seed 0): rebuilding the pinned model in PuLP
    took 1.9 s and its hand-over 0.5 s, where changing bounds is instant and keeps the
    cut rows; rounding every shift count up cost 9% of the margin and broke 84 seat
    limits, and the MIP with each count between the floor and ceiling of its LP value
    was infeasible.
    """

    def left() -> float:
        if time_limit is None:
            return math.inf
        return max(time_limit - (time.perf_counter() - clock), 0.0)

    if fixing is None:
        return None
    cols = fixing.columns
    h.changeColsBounds(cols.size, cols, fixing.lower, fixing.upper)
    live.relax(True)
    h.run()
    live.relax(False)
    share = PIN_SHARE * left()
    time_left(h, share)
    h.setOptionValue("mip_rel_gap", max(gap or 0.0, PIN_GAP))
    now = time.perf_counter()
    live.pinning.active, live.pinning.until = True, now + share
    live.pinning.began = now
    h.run()
    live.pinning.began = live.pinning.last = math.nan
    info = h.getInfo()
    found = info.primal_solution_status == 2
    col = np.asarray(h.getSolution().col_value, float) if found else None
    # Proven within its gap, the sub-MIP leaves the search little to find: the full MIP
    # has the time (seed 4 of the deal: its bound was weaker at 10 s with the search).
    stopped = float(info.mip_gap) > max(gap or 0.0, PIN_GAP)
    if col is not None and stopped and fixing.blocks and live.start is not None:
        col = _improved(h, arrays, col, fixing, IMPROVE_SHARE * left(), live)
    live.pinning.active = False
    h.changeColsBounds(cols.size, cols, arrays.lower[cols], arrays.upper[cols])
    h.setOptionValue("mip_rel_gap", gap_or_default(gap))  # put back after the sub-MIP
    time_left(h, left())
    return col


def _improved(
    h: Any, arrays: Arrays, col: NDArray[np.float64], fixing: Fixing, seconds: float, live: Live
) -> NDArray[np.float64]:
    """``col`` improved block by block (``optimizer.milp.neighbourhood``), the choices
    still pinned; its sub-MIPs' bounds are not the model's (``live.pinning`` stays on)."""
    assert live.start is not None
    lower, upper = arrays.lower.copy(), arrays.upper.copy()
    lower[fixing.columns], upper[fixing.columns] = fixing.lower, fixing.upper

    def interrupt_at(instant: float) -> None:
        live.pinning.until = instant

    return neighbourhood.search(
        h, arrays, col, (lower, upper), fixing.blocks, seconds, live.start, interrupt_at
    )


class Solved(Protocol):
    """An LP's answer (``optimizer.milp.branch.Node``)."""

    @property
    def status(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def point(self) -> NDArray[np.float64] | None: ...


class LiveLP(Protocol):
    """A live LP that keeps its basis between solves (``optimizer.milp.highs``; the
    branch's ``optimizer.milp.branch.LP`` also pins column bounds)."""

    def solve(self) -> Solved: ...
    def add(self, cuts: Sequence[CutRow]) -> None: ...


class CutLoop(NamedTuple):
    """What ``cut_loop`` leaves: the last LP point and its bound (None when no LP ended
    optimal), and when the loop began (``time.perf_counter``)."""

    point: NDArray[np.float64] | None
    bound: float | None
    began: float


def cut_loop(
    h: Any,
    arrays: Arrays,
    time_limit: float | None,
    separators: Sequence[Separator],
    lp: LiveLP,
    relax: Callable[[bool], None],
    set_start: Callable[[NDArray[np.float64]], None],
) -> CutLoop:
    """Root cut loop of our own: solve the LP relaxation, add the rows the separators
    find violated, re-solve (warm-started), until none is found, the LP bound has not
    moved for ``CUT_PATIENCE`` rounds, ``CUT_ROUNDS`` or ``CUT_SHARE`` of the time limit.
    When the first round's cuts leave the bound where the plain LP had it, they are
    deleted and the loop stops (``drop_rows``).

    The rows are valid for every integer solution, so the MIP's optimum is unchanged;
    they only tighten its relaxation. The time spent counts against the time limit.

    HiGHS keeps the last LP point and, at the MIP's start, repairs it into a solution by
    a sub-MIP over its fractional columns, whose callbacks report that sub-MIP's bound
    as ``mip_dual_bound``: on the 10 x 3 x 7 shift deal (seed 0) it ran for 10 of a 12 s
    limit and streamed bounds down to 616,797, below a verified plan of 621,877. So the
    shift path (``optimizer.milp.highs._prepare``) runs the repair only with the choices
    pinned, its bounds not streamed, and clears the point before the full MIP.
    """
    clock = time.perf_counter()
    if not separators:
        return CutLoop(None, None, clock)
    point = None
    share = SHIFT_CUT_SHARE if any(hasattr(s, "fixing") for s in separators) else CUT_SHARE
    relax(True)
    sign = -1.0 if arrays.maximize else 1.0  # the bound tightens as sign x objective rises
    best, stalled, first = -math.inf, 0, math.inf
    for _ in range(CUT_ROUNDS):
        node = lp.solve()
        if node.status != "optimal" or node.point is None:
            break
        point = node.point
        value = sign * node.value
        first = min(first, value)
        stalled = stalled + 1 if value <= best + 1e-9 * max(1.0, abs(best)) else 0
        best = max(best, value)
        if stalled and best <= first + 1e-9 * max(1.0, abs(first)):
            drop_rows(h, arrays.row_lower.size)  # the first round's cuts did not move the bound
            set_start(point)  # the LP point HiGHS repairs, as when the cuts stay
            break
        if stalled >= CUT_PATIENCE:
            break
        if time_limit is not None and time.perf_counter() - clock > share * time_limit:
            break
        cuts = [cut for separator in separators for cut in separator.separate(point)]
        if not cuts:
            break
        lp.add(cuts)
    relax(False)
    return CutLoop(point, sign * best if math.isfinite(best) else None, clock)
