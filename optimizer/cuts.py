"""Window inequalities for deferred work, separated on an LP point (interval mode).

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

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MIN_VIOLATION = 1e-3
"""Agents by which a window must be short before its cut is added."""


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

    def needs(self) -> list[NDArray[np.float64]]:
        """Per tier, the T x T matrix of agents needed in window ``i..j`` (``[i, j]``).

        Four items arrive in interval 1 and are due by interval 2; an agent handles two
        per interval, so any window holding intervals 1 and 2 needs two agents:

        >>> w = DeferredWindows(2.0, np.array([0.0, 4.0, 4.0]), (np.array([0.0, 0.0, 4.0]),),
        ...                     (np.array([0], np.int32),), ())
        >>> w.needs()[0]
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
        needs = self.needs()
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
