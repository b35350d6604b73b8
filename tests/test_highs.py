"""Tests for optimizer/milp/highs.py: the HiGHS driver and its externally enforced time limit."""

import sys
import time

import numpy as np
import pytest

from optimizer.milp.arrays import Arrays
from optimizer.milp.highs import HighsOptions, run_highs
from optimizer.results import SolveStatus

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "benchmarks"))


def knapsack(n: int = 60, seed: int = 3) -> Arrays:
    """A small multi-knapsack MIP (maximise value, two capacity rows)."""
    rng = np.random.default_rng(seed)
    weights = rng.integers(10, 60, size=(2, n)).astype(float)
    starts = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    indices = np.tile(np.array([0, 1], dtype=np.int32), n)
    values = weights.T.reshape(-1)
    return Arrays(
        rng.integers(5, 50, n).astype(float),
        np.zeros(n),
        np.ones(n),
        np.ones(n, dtype=bool),
        np.array([-np.inf, -np.inf]),
        weights.sum(axis=1) / 3,
        starts,
        indices,
        values,
        0.0,
        True,
    )


def test_in_process_solve_is_optimal():
    """Without a time limit HiGHS runs in-process and proves the optimum."""
    out = run_highs(knapsack(), HighsOptions(None, None, 1, False, None))
    assert out.status == SolveStatus.OPTIMAL
    assert out.col is not None and np.allclose(out.col, np.round(out.col))
    assert out.row == pytest.approx(knapsack().activity(out.col))


def test_watched_solve_matches_in_process():
    """The child-process path returns the same optimum when it finishes in time."""
    direct = run_highs(knapsack(), HighsOptions(None, None, 1, False, None))
    watched = run_highs(knapsack(), HighsOptions(30.0, None, 1, False, None))
    assert watched.status == SolveStatus.OPTIMAL
    assert watched.objective == pytest.approx(direct.objective)


def test_time_limit_is_honoured_with_the_best_solution_found():
    """A hard model stops within the limit with a numeric gap, or no solution."""
    from synthetic import make_deal

    from optimizer.milp.model import build_model
    from optimizer.milp.solve import solve
    from optimizer.options import SolveOptions
    from optimizer.scenario.schema import validate_scenario
    from optimizer.staffing.requirements import build_requirements

    scenario = validate_scenario(make_deal(10, 3, 7))
    model = build_model(scenario, build_requirements(scenario))
    limit = 2.0
    start = time.perf_counter()
    sol = solve(model, SolveOptions(time_limit=limit))
    elapsed = time.perf_counter() - start
    assert elapsed <= limit + 1.0  # + the matrix hand-over
    assert sol.status in (SolveStatus.FEASIBLE, SolveStatus.NO_SOLUTION, SolveStatus.OPTIMAL)
    if sol.status == SolveStatus.FEASIBLE:
        assert sol.solver.gap is not None and sol.solver.gap > 0


def test_solves_after_multithreaded_highs_ran_in_the_same_process():
    """PuLP's HiGHS API (threads 0) leaves a global HiGHS thread pool of another size;
    HiGHS with ``threads=1`` then fails at once ("Not Set"), here and in forked
    children: ``run_highs`` drops that pool once and solves (a fresh process, so the
    test suite's own is left alone)."""
    import os
    import subprocess

    script = (
        "import pulp, numpy as np\n"
        "p = pulp.LpProblem('x', pulp.LpMinimize)\n"
        "x = pulp.LpVariable('x', 0, 9, cat=pulp.LpInteger)\n"
        "p += x\n"
        "p += 2 * x >= 3\n"
        "p.solve(pulp.HiGHS(msg=False))\n"
        "from test_highs import knapsack\n"
        "from optimizer.milp.highs import HighsOptions, run_highs\n"
        "print(run_highs(knapsack(), HighsOptions(None, None, 1, False, None)).status)\n"
    )
    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{root / 'tests'}"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip().splitlines()[-1] == "optimal", out.stderr[-2000:]
