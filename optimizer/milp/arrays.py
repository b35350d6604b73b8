"""A (MI)LP as column-wise arrays, what HiGHS's ``passModel`` takes, and checks on them.

``Arrays`` is picklable (it goes to the solver child as it is) and knows nothing of PuLP
(``optimizer.milp.matrix`` builds it from the PuLP problem). It re-checks a solver's
answer from the model's own data (``Arrays.discrepancy``) and gives a weak but instant
bound on the objective (``column_bound``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FEASIBILITY = 1e-6
"""Relative slack on row and column bounds when a solver's answer is re-checked."""
INTEGRALITY = 1e-5
"""Largest distance to an integer an integer column may have in a solver's answer."""
OBJECTIVE_REL = 1e-7
"""Relative difference between a reported objective and ``cost x col + offset`` (of the
size of its terms: the sum of their absolute values)."""


@dataclass(frozen=True)
class Arrays:
    """A (MI)LP as column-wise arrays (what ``passModel`` takes); picklable."""

    cost: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    integer: NDArray[np.bool_]
    row_lower: NDArray[np.float64]
    row_upper: NDArray[np.float64]
    starts: NDArray[np.int32]
    indices: NDArray[np.int32]
    values: NDArray[np.float64]
    offset: float
    maximize: bool

    def activity(self, col: NDArray[np.float64]) -> NDArray[np.float64]:
        """Row activities A x of a column vector."""
        rows = np.zeros(self.row_lower.size)
        counts = np.diff(self.starts)
        np.add.at(rows, self.indices, self.values * np.repeat(col, counts))
        return rows

    def discrepancy(
        self, col: NDArray[np.float64], objective: float | None, integral: bool = True
    ) -> str | None:
        """Why ``col`` is not a solution with objective ``objective``, or None.

        Checks what a solver's answer must satisfy, from the model's own arrays:
        column bounds, integrality (unless ``integral`` is false: an LP relaxation),
        row bounds (within ``FEASIBILITY`` of each side's size) and the objective
        recomputed as ``cost x col + offset`` (within ``OBJECTIVE_REL``).
        Seen with HiGHS 1.16 after our root cut loop: the objective of one solution
        with the columns of another.

        >>> a = Arrays(np.array([2.0]), np.zeros(1), np.ones(1), np.array([True]),
        ...            np.array([-np.inf]), np.array([np.inf]), np.array([0, 0], np.int32),
        ...            np.array([], np.int32), np.array([]), 0.0, True)
        >>> a.discrepancy(np.array([1.0]), 2.0) is None
        True
        >>> a.discrepancy(np.array([0.0]), 2.0)
        'objective 2 but the columns give 0'
        >>> a.discrepancy(np.array([0.5]), 1.0)
        '1 integer columns fractional (worst 0.5)'
        """
        col = np.asarray(col, dtype=float)
        if col.shape != self.cost.shape or not np.all(np.isfinite(col)):
            return "the columns are missing or not finite"
        out = np.maximum(self.lower - col, col - self.upper)
        if out.size and float(out.max()) > FEASIBILITY * max(1.0, float(np.abs(col).max())):
            return f"a column outside its bounds by {float(out.max()):.6g}"
        frac = np.abs(col[self.integer] - np.round(col[self.integer]))
        if integral and frac.size and float(frac.max()) > INTEGRALITY:
            count = int((frac > INTEGRALITY).sum())
            return f"{count} integer columns fractional (worst {frac.max():.6g})"
        act = self.activity(col)
        scale = FEASIBILITY * np.maximum(
            1.0,
            np.where(np.isfinite(self.row_lower), np.abs(self.row_lower), 0.0)
            + np.where(np.isfinite(self.row_upper), np.abs(self.row_upper), 0.0),
        )
        short = np.maximum(self.row_lower - act, act - self.row_upper) - scale
        if short.size and float(short.max()) > 0:
            return f"{int((short > 0).sum())} rows violated"
        if objective is not None:
            value = float(self.cost @ col + self.offset)
            # Relative to the terms summed, not only to their sum: terms of 1e10 that
            # cancel to 7.6e-05 carry rounding of about 1e-6 (a fixed cost of 1e10).
            terms = float(np.abs(self.cost * col).sum()) + abs(self.offset)
            size = max(1.0, abs(objective), abs(value), terms)
            if abs(value - objective) > OBJECTIVE_REL * size:
                return f"objective {objective:.6g} but the columns give {value:.6g}"
        return None


def column_bound(arrays: Arrays) -> float:
    """A bound on the objective from the column bounds alone (every column at the end its
    cost favours; the rows ignored): weak, but valid and instant.

    >>> a = Arrays(np.array([2.0, -1.0]), np.zeros(2), np.array([3.0, np.inf]),
    ...     np.ones(2, bool), np.zeros(0), np.zeros(0), np.zeros(3, np.int32),
    ...     np.zeros(0, np.int32), np.zeros(0), 1.0, True)
    >>> column_bound(a)
    7.0
    """
    sign = 1.0 if arrays.maximize else -1.0
    good = sign * arrays.cost > 0
    ends = np.where(good, arrays.upper, arrays.lower)
    used = arrays.cost != 0
    if not np.all(np.isfinite(ends[used])):
        return sign * math.inf
    return float(arrays.offset + arrays.cost[used] @ ends[used])
