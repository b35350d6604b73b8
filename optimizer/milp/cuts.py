"""Valid inequalities the LP relaxation misses, separated on an LP point.

Two families, both from rounding whole agents: window inequalities for deferred work
(interval mode, ``DeferredWindows``) and mixed-integer rounding of shift coverage
(shift mode, ``ShiftCoverage``). ``optimizer.milp.highs`` adds the violated ones in a root
cut loop before branch and bound.

Deferred work (design 6.4) is a fluid scheduled by integer agents: ``w[t] <= L x N[t]``
with ``N[t] = sum_s n[s, c, t]`` integer and ``L`` the items one agent handles in an
interval. From the model's cyclic stock ``b[t] = b[t-1] + a[t] - w[t]`` with
``0 <= b[t] <= A(t) - due_k(t)`` (``A`` cumulative arrivals, ``due_k`` the tier's
cumulative due curve), the work done in a window ``i..j`` of the week is at least

* ``due_k(j) - A(i-1)`` when ``i <= j`` (``A(-1) = 0``), and
* ``total - A(i-1) + due_k(j)`` when the window wraps from Sunday into Monday,

because ``b[i-1] >= 0`` and ``b[j] <= A(j) - due_k(j)``. Agents are integers, so
``sum_{t in window} N[t] >= ceil(that / L)`` for the chosen tier ``k``, and
``sum_{t in window} N[t] >= sum_k y[k] x max(0, ceil(D_k / L))`` holds for every
integer solution. The LP relaxation does not know it: it staffs fractional agents
exactly along the due curve. On the 10 x 3 x 7 benchmark deal with its tiers fixed,
two rounds of these cuts take the LP bound from 663,119.8 to the integer optimum
663,080.7 (the whole integrality gap of the staffing).

There are O(T^2) windows per tier, so they are separated rather than written: for
each window end ``j`` the most violated start ``i`` is found with prefix sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

MIN_VIOLATION = 1e-3
"""Agents by which a cut must be violated before it is added."""
FRACTION = 1e-6
"""Fractions closer than this to 0 or 1 count as integers (no rounding to exploit)."""
BASELINE = [False]
"""Set only by ``benchmarks/shifts.py`` (its in-run baseline): coverage cuts of the
chosen tier alone, no ``TierRounding`` and the shift phases of before."""


@dataclass(frozen=True)
class Cut:
    """A row ``lower <= sum values x col[indices]`` to add to the LP."""

    indices: NDArray[np.int32]
    values: NDArray[np.float64]
    lower: float


@dataclass(frozen=True)
class DeferredWindows:
    """What the separation needs of one deferred category, by column index.

    ``cumulative[t]`` are the arrivals up to interval ``t``, ``due[k][t]`` tier ``k``'s
    cumulative due work at ``t`` (as in the model's deadline rows), ``tier_cols[k]``
    the option columns of tier ``k`` (their sum is ``y[k]``), ``agent_cols[t]`` the
    columns of the category's agents in interval ``t`` (empty when it is closed).
    """

    per_agent: float
    cumulative: NDArray[np.float64]
    due: tuple[NDArray[np.float64], ...]
    tier_cols: tuple[NDArray[np.int32], ...]
    agent_cols: tuple[NDArray[np.int32], ...]

    @cached_property
    def needs(self) -> list[NDArray[np.float64]]:
        """Per tier, the T x T matrix of agents needed in window ``i..j`` (``[i, j]``).
        It depends on the data only, so it is computed once for every round.

        Four items arrive in interval 1 and are due by interval 2; an agent handles two
        per interval, so any window holding intervals 1 and 2 needs two agents:

        >>> w = DeferredWindows(2.0, np.array([0.0, 4.0, 4.0]), (np.array([0.0, 0.0, 4.0]),),
        ...                     (np.array([0], np.int32),), ())
        >>> w.needs[0]
        array([[0., 0., 2.],
               [0., 0., 2.],
               [0., 0., 0.]])
        """
        n = self.cumulative.size
        total = float(self.cumulative[-1])
        before = np.concatenate(([0.0], self.cumulative[:-1]))  # A(i - 1)
        i, j = np.indices((n, n))
        wraps = i > j
        out = []
        for due in self.due:
            work = due[j] - before[i] + np.where(wraps, total, 0.0)
            need = np.maximum(np.ceil(work / self.per_agent - 1e-9), 0.0)
            need[i == j + 1] = 0.0  # the whole week: the global cut's job
            out.append(need)
        return out

    def separate(self, x: NDArray[np.float64]) -> list[Cut]:
        """The most violated window ending at each interval, where one is violated."""
        n = self.cumulative.size
        needs = self.needs
        weights = [float(x[cols].sum()) for cols in self.tier_cols]
        required = sum(
            (w * need for w, need in zip(weights, needs, strict=True) if w), np.zeros((n, n))
        )
        staffed = np.array([float(x[cols].sum()) for cols in self.agent_cols])
        prefix = np.concatenate(([0.0], np.cumsum(staffed)))
        i, j = np.indices((n, n))
        have = np.where(i <= j, prefix[j + 1] - prefix[i], prefix[n] - prefix[i] + prefix[j + 1])
        short = required - have
        starts = np.argmax(short, axis=0)
        cuts = []
        for end, start in enumerate(starts):
            if short[start, end] <= MIN_VIOLATION:
                continue
            cuts.append(self._cut(int(start), end, needs))
        return cuts

    def _cut(self, start: int, end: int, needs: list[NDArray[np.float64]]) -> Cut:
        n = self.cumulative.size
        window = range(start, end + 1) if start <= end else [*range(start, n), *range(end + 1)]
        agents = [self.agent_cols[t] for t in window if self.agent_cols[t].size]
        tiers = [(cols, need[start, end]) for cols, need in zip(self.tier_cols, needs, strict=True)]
        indices = np.concatenate([*agents, *(cols for cols, need in tiers if need)])
        values = np.concatenate(
            [np.ones(sum(a.size for a in agents))]
            + [np.full(cols.size, -need) for cols, need in tiers if need]
        )
        return Cut(indices.astype(np.int32), values, 0.0)


@dataclass(frozen=True)
class ShiftCoverage:
    """Mixed-integer rounding cuts of one queue category's coverage in shift mode.

    Productive agents are ``keep_s x Z[s, t]``, with ``Z[s, t]`` the (integer) agents
    whose shifts at site ``s`` cover interval ``t``, so coverage implies
    ``sum_s keep_s x Z[s, t] >= need_k[t]`` for the chosen tier ``k``. Divided by a
    reference site's ``keep_r``: ``sum_s a_s Z[s, t] >= b`` with ``a_s = keep_s / keep_r``
    and ``b = need / keep_r``; its MIR inequality (``f`` the fraction of ``b``, ``f_s``
    of ``a_s``) is ``sum_s (floor(a_s) + min(1, f_s / f)) Z[s, t] >= ceil(b)``, written
    with ``y[k]`` on the right so that it holds whichever tier is chosen. With one site it
    is ``Z[t] >= ceil(need / keep)``: a whole agent more wherever shrinkage makes the LP
    staff 15.4 of them.

    ``keep[s]`` is a site's 1 - shrinkage, ``need[k][t]`` tier ``k``'s productive agents,
    ``tier_cols[k]`` its option columns, ``shift_cols[s]`` the shift columns at site
    ``s`` and ``covers[s]`` their (shifts x T) 0/1 incidence.
    """

    keep: NDArray[np.float64]
    need: tuple[NDArray[np.float64], ...]
    tier_cols: tuple[NDArray[np.int32], ...]
    shift_cols: tuple[NDArray[np.int32], ...]
    covers: tuple[NDArray[np.float64], ...]

    def coefficients(self, need: float) -> list[tuple[NDArray[np.float64], float]]:
        """MIR coefficients per site and right-hand side for ``need`` agents, one pair
        per reference site whose ``need / keep`` is fractional.

        >>> cov = ShiftCoverage(np.array([0.65]), (), (), (), ())
        >>> cov.coefficients(10.0)
        [(array([1.]), 16.0)]
        """
        return [(coef, rhs) for coef, rhs, _ in self._references(need)]

    def _references(self, need: float) -> list[tuple[NDArray[np.float64], float, float]]:
        """``coefficients`` with each pair's reference ``keep_r``."""
        out = []
        for keep_r in self.keep:
            b = need / keep_r
            f = b - math.floor(b)
            if f < FRACTION or f > 1 - FRACTION:
                continue
            a = self.keep / keep_r
            fa = a - np.floor(a)
            coef = np.where(fa < FRACTION, a, np.floor(a) + np.minimum(1.0, fa / f))
            out.append((coef, float(math.ceil(b)), float(keep_r)))
        return out

    def separate(self, x: NDArray[np.float64]) -> list[Cut]:
        """For each interval and tier in use, the most violated MIR cut, if any.

        The cut of tier ``k`` is ``coef x Z >= ceil(b_k) y_k + sum_j b_j y_j`` over the
        other tiers ``j`` (``b_j = need_j / keep_r``): ``coef >= a`` term by term, so
        ``coef x Z >= a x Z >= b_j`` whenever tier ``j`` is chosen. The other tiers'
        terms bite where the LP mixes tiers (``y = 0.956 / 0.044``), where the cut of
        ``k`` alone asks only ``0.956 ceil(b_k)``. On the 10 x 3 x 7 shift deal (seed 0)
        they took the root LP bound to 628,674 in three rounds, against 641,674 with the
        cut of ``k`` alone (plain LP 646,806; best plan known 622,389), and the LP chose
        8 of 10 categories' tiers whole instead of none.
        """
        staffed = np.vstack(
            [x[cols] @ cov for cols, cov in zip(self.shift_cols, self.covers, strict=True)]
        )
        weights = np.array([float(x[cols].sum()) for cols in self.tier_cols])
        known: dict[float, list[tuple[NDArray[np.float64], float, float]]] = {}
        cuts = []
        for k, need in enumerate(self.need):
            if weights[k] < FRACTION:
                continue
            for t in np.flatnonzero(need > 0):
                value = float(need[t])
                if value not in known:
                    known[value] = self._references(value)
                best, most = None, MIN_VIOLATION
                for coef, rhs, keep_r in known[value]:
                    sides = np.array([float(n[t]) / keep_r for n in self.need])
                    if BASELINE[0]:
                        sides[:] = 0.0
                    sides[k] = rhs
                    short = float(sides @ weights) - float(coef @ staffed[:, t])
                    if short > most:
                        best, most = (coef, sides), short
                if best is not None:
                    cuts.append(self._cut(int(t), *best))
        return cuts

    def _cut(self, t: int, coef: NDArray[np.float64], sides: NDArray[np.float64]) -> Cut:
        parts = [
            (cols[cov[:, t] > 0], c)
            for cols, cov, c in zip(self.shift_cols, self.covers, coef, strict=True)
        ]
        tiers = [(cols, side) for cols, side in zip(self.tier_cols, sides, strict=True) if side]
        indices = np.concatenate([cols for cols, _ in parts] + [cols for cols, _ in tiers])
        values = np.concatenate(
            [np.full(cols.size, c) for cols, c in parts]
            + [np.full(cols.size, -side) for cols, side in tiers]
        )
        return Cut(indices.astype(np.int32), values, 0.0)
