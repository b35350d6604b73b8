"""Tests for optimizer/results.py: status enum and result tables."""

import pytest
from helpers import SCENARIOS_DIR

from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.results import SolveStatus
from optimizer.scenario.loader import load_scenario


@pytest.mark.parametrize(
    ("status", "has"),
    [
        ("optimal", True),
        ("feasible", True),
        ("infeasible", False),
        ("unbounded", False),
        ("no_solution", False),
        ("error", False),
    ],
)
def test_status_says_whether_there_is_a_solution(status, has):
    """Only optimal and feasible results carry solution values (no sentinel numbers)."""
    assert SolveStatus(status).has_solution is has
    assert str(SolveStatus(status)) == status


@pytest.fixture(scope="module")
def result():
    """A solved example deal (a project and two queues)."""
    deal = load_scenario(SCENARIOS_DIR / "journey_study.yaml")
    return run_scenario(deal, RunOptions(explain=False))


def test_to_frame_tables(result):
    """Each table becomes a DataFrame with one row per item and the dataclass fields."""
    cats = result.to_frame("categories")
    assert list(cats["name"]) == [c.name for c in result.categories]
    assert {"tier", "price", "revenue", "service_level"} <= set(cats.columns)
    assert len(result.to_frame("sites")) == len(result.sites)
    assert result.to_frame("totals")["margin"].iloc[0] == pytest.approx(result.totals.margin)


def test_staffing_frame_has_one_row_per_interval(result):
    """The staffing table is indexed by interval label, one column per (site, category)."""
    frame = result.to_frame("staffing")
    assert len(frame) == len(result.labels)
    assert frame.index[0] == result.labels[0]
    assert frame.to_numpy().sum() == pytest.approx(sum(a.sum() for a in result.staffing.values()))


def test_unknown_table_is_refused(result):
    """A typo in the table name is an error naming the choices."""
    with pytest.raises(ValueError, match="categories, sites"):
        result.to_frame("catgories")
