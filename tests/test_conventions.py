"""Tests for optimizer/conventions.py: the named rules every module follows."""

import math

import pytest

from optimizer import conventions as cv


@pytest.mark.parametrize(("minutes", "count"), [(15, 672), (30, 336), (60, 168)])
def test_intervals_per_week(minutes, count):
    """A representative week has 7 x 24 x 60 / interval_minutes intervals."""
    assert cv.intervals_per_week(minutes) == count


def test_shrinkage_is_applied_after_without_rounding():
    """Rule SHRINKAGE_AFTER: 14 productive agents at 30% shrinkage are 20 scheduled
    (reference case E1); one agent at 30% is 1.4286, not rounded up to 2."""
    assert cv.scheduled_agents(14, 0.30) == pytest.approx(20.0)
    assert cv.scheduled_agents(1, 0.30) == pytest.approx(1 / 0.7)


def test_margin_and_markup():
    """A 20% markup is a 16.7% margin (reference case E7); undefined ratios are NaN."""
    assert cv.markup(120.0, 100.0) == pytest.approx(0.20)
    assert cv.margin(120.0, 100.0) == pytest.approx(1 / 6)
    assert math.isnan(cv.margin(0.0, 10.0)) and math.isnan(cv.markup(10.0, 0.0))


def test_money_closeness_uses_the_named_tolerances():
    """Money agrees within MONEY_TOLERANCE_REL / _ABS and no further."""
    assert cv.close(1_000_000.0, 1_000_000.0 * (1 + cv.MONEY_TOLERANCE_REL / 2))
    assert not cv.close(1_000_000.0, 1_000_000.0 * (1 + 10 * cv.MONEY_TOLERANCE_REL))


def test_default_calendar():
    """30-minute intervals and 52/12 weeks per month unless the scenario says otherwise."""
    assert cv.DEFAULT_INTERVAL_MINUTES == 30
    assert pytest.approx(4.3333333) == cv.DEFAULT_WEEKS_PER_MONTH
    assert cv.DAYS[0] == "mon" and len(cv.DAYS) == 7
