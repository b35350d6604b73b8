"""Tests of optimizer.milp.outcome: a feasible answer always carries a numeric gap, from
HiGHS's bound, the last one the solver child streamed, or the column bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimizer.milp import outcome
from optimizer.milp.arrays import Arrays
from optimizer.milp.outcome import Outcome
from optimizer.results import SolveStatus


def arrays() -> Arrays:
    """max 3x + 2y, x <= 4, y <= 5 (binding rows ignored by the column bound)."""
    return Arrays(
        np.array([3.0, 2.0]),
        np.zeros(2),
        np.array([4.0, 5.0]),
        np.ones(2, bool),
        np.array([-np.inf]),
        np.array([6.0]),
        np.array([0, 1, 2], np.int32),
        np.array([0, 0], np.int32),
        np.array([1.0, 1.0]),
        0.0,
        True,
    )


def test_incumbent_without_a_bound_still_has_a_numeric_gap():
    """The child killed before HiGHS proved any bound (the solution came from a start or
    a heuristic): the gap comes from the column bounds (3 x 4 + 2 x 5 = 22), never None."""
    col = np.array([2.0, 0.0])
    out = outcome.from_incumbent(arrays(), (6.0, col, math.inf), None, "stopped")
    assert out.status == SolveStatus.FEASIBLE
    assert out.gap == pytest.approx((22 - 6) / 6)
    streamed = outcome.from_incumbent(arrays(), (6.0, col, math.inf), 8.0, "stopped")
    assert streamed.gap == pytest.approx(2 / 6)  # the last bound the child reported


def test_highs_own_stop_without_a_bound_gets_a_numeric_gap():
    """HiGHS stopping itself before its root bound reports an infinite gap: replaced."""
    stopped = Outcome(SolveStatus.FEASIBLE, 6.0, math.inf, -math.inf, np.array([2.0, 0.0]))
    fixed = outcome.with_gap(arrays(), stopped, None)
    assert fixed.gap is not None and math.isfinite(fixed.gap)


def test_the_tighter_of_highs_bound_and_the_streamed_one_gives_the_gap():
    """HiGHS stopped before its root LP ended reports a weak bound of its own (20 here);
    the child had streamed a tighter one (8): that gives the gap. A tighter HiGHS bound
    keeps HiGHS's own gap."""
    col = np.array([2.0, 0.0])
    weak = Outcome(SolveStatus.FEASIBLE, 6.0, (20 - 6) / 6, 20.0, col, np.array([2.0]))
    out = outcome.with_gap(arrays(), weak, 8.0)
    assert out.bound == 8.0 and out.gap == pytest.approx((8 - 6) / 6)
    tight = Outcome(SolveStatus.FEASIBLE, 6.0, 0.1, 6.6, col, np.array([2.0]))
    assert outcome.with_gap(arrays(), tight, 8.0) == tight
