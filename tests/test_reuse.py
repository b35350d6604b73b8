"""Tests of optimizer.milp.reuse: a sweep's points that differ only in the budget share one
built model, and get the answers of points solved alone."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from helpers import SCENARIOS_DIR, make_scenario

from optimizer.milp import reuse
from optimizer.milp.matrix import matrix_form
from optimizer.milp.model import BuiltModel, build_model
from optimizer.options import RunOptions
from optimizer.pipeline import run_scenario
from optimizer.scenario.loader import load_scenario
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import build_requirements
from optimizer.studies.frontier import BUDGET, run_frontier

NORDIC = SCENARIOS_DIR / "nordic_telco.yaml"


def counted(scenario: Scenario, builds: list[BuiltModel]) -> Callable[[], BuiltModel]:
    """A build of ``scenario``'s model that records every model it builds."""

    def build() -> BuiltModel:
        builds.append(build_model(scenario, build_requirements(scenario), "max_margin"))
        return builds[-1]

    return build


def main(scenario: Scenario, builds: list[BuiltModel]) -> BuiltModel:
    """A point's main model (``reuse.main_model``), built by ``counted``."""
    reqs = build_requirements(scenario)
    return reuse.main_model(scenario, reqs, "max_margin", {}, None, counted(scenario, builds))


@pytest.mark.parametrize("path", sorted(SCENARIOS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_reused_model_hands_the_solvers_what_a_fresh_build_does(path, tmp_path):
    """The next point's model is the held one with its budget row written anew: every
    array HiGHS is given (bounds, matrix, costs, row names) equals a fresh build's,
    exactly, and so does the LP file PuLP writes for CBC (every example scenario)."""
    deal = load_scenario(path)
    first, second = (deal.with_overrides({BUDGET: b}) for b in (310_000.0, 287_654.32))
    builds: list[BuiltModel] = []
    with reuse.across_points():
        main(first, builds)
        model = main(second, builds)
    assert len(builds) == 1 and model.prob is not builds[0].prob
    assert model.scenario is second
    fresh = build_model(second, build_requirements(second), "max_margin")
    got, want = matrix_form(model.prob, model.rows), matrix_form(fresh.prob, fresh.rows)
    assert got.names == want.names
    for field in ("cost", "lower", "upper", "row_lower", "row_upper", "starts", "indices"):
        assert np.array_equal(getattr(got, field), getattr(want, field)), field
    assert np.array_equal(got.values, want.values) and got.offset == want.offset
    model.prob.writeLP(str(tmp_path / "got.lp"))
    fresh.prob.writeLP(str(tmp_path / "want.lp"))
    assert (tmp_path / "got.lp").read_text() == (tmp_path / "want.lp").read_text()
    budget_row = [i for i, name in enumerate(got.names) if model.keys[name].family == "budget"]
    assert [got.row_upper[i] - (-model.rows[got.names[i]].expr.constant) for i in budget_row] == [
        287_654.32
    ]


def test_the_held_model_never_changes():
    """A point derived from the held model has its own problem and budget row: the held
    model (which an earlier point's result, or a re-solve, may still be reading) keeps
    its budget and scenario; outside a batch nothing is held."""
    small = make_scenario(**{BUDGET: 90_000.0})
    builds: list[BuiltModel] = []
    main(small, builds)
    assert len(builds) == 1  # no batch: built
    with reuse.across_points():
        first = main(small, builds)
        row = next(n for n, k in first.keys.items() if k.family == "budget")
        before = first.rows[row].constant
        second = main(small.with_overrides({BUDGET: 80_000.0}), builds)
        main(small.with_overrides({BUDGET: 85_000.0}), builds)
    assert len(builds) == 2 and second.prob is not first.prob
    assert first.rows[row].constant == before
    assert first.scenario.client.budget_per_month == 90_000.0
    assert second.rows[row].constant - before == pytest.approx(10_000.0)
    assert second.rows[row] is not first.rows[row]
    assert {n: c for n, c in second.rows.items() if n != row} == {
        n: c for n, c in first.rows.items() if n != row
    }


@pytest.mark.parametrize(
    ("change", "value"),
    [("provider.min_margin", 0.21), (BUDGET, None), ("categories.calls.aht_seconds", 330)],
)
def test_points_that_differ_in_more_than_the_budget_build_anew(change, value):
    """Any other difference (or a budget row that exists for one and not the other)
    means a new model."""
    small = make_scenario(**{BUDGET: 90_000.0})
    builds: list[BuiltModel] = []
    with reuse.across_points():
        main(small, builds)
        model = main(small.with_overrides({change: value}), builds)
    assert len(builds) == 2 and model is builds[1]


def test_a_frontier_gets_the_answers_of_its_points_solved_alone():
    """Reuse changes how fast a frontier is, not what it says: each point of
    nordic_telco's frontier (the budget binds at every point below the top) equals the
    same budget solved on its own, margin, spend and every choice."""
    nordic = load_scenario(NORDIC)
    frontier = run_frontier(nordic, 5, RunOptions(explain=False), workers=1)
    alone_options = RunOptions(objective="max_margin", explain=False, diagnose=False)
    for budget, result in zip(frontier.points, frontier.results, strict=True):
        alone = run_scenario(nordic.with_overrides({BUDGET: budget[0]}), alone_options)
        assert result.status == alone.status
        assert result.totals is not None and alone.totals is not None
        assert result.totals.margin == pytest.approx(alone.totals.margin, rel=1e-9, abs=1e-6)
        assert result.totals.revenue == pytest.approx(alone.totals.revenue, rel=1e-9, abs=1e-6)
        assert [(c.name, c.tier, c.price, c.fte) for c in result.categories] == [
            (c.name, c.tier, c.price, c.fte) for c in alone.categories
        ]


def test_points_without_a_budget_share_the_model_unchanged():
    """Two equal points with no budget (a repeated sweep value) share the model as it is."""
    small = make_scenario()
    builds: list[BuiltModel] = []
    with reuse.across_points():
        first = main(small, builds)
        second = main(
            small.with_overrides({"provider.min_margin": small.provider.min_margin}), builds
        )
    assert len(builds) == 1 and second.prob is first.prob
