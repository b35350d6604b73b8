"""Tests of optimizer.analysis.verify: an independent re-check that accepts right answers
and rejects wrong ones."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT, make_scenario

from optimizer.analysis.verify import verify
from optimizer.errors import VerificationError
from optimizer.milp.model import build_model
from optimizer.milp.solve import solve
from optimizer.options import SolveOptions
from optimizer.results import Choice, Solution, SolveStatus
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import RequirementTable, build_requirements

PACKAGE_DIR = ROOT / "optimizer"
SOLVER_MODULES = {"pulp", "highspy", "optimizer.milp"}
"""What verification must not depend on: the solver libraries and the MILP layer that used them."""
OBJECTIVE_SHIFT = 100.0
"""Currency units per month added to the objective to make it wrong."""
BENCHMARK = 5.0
"""Competitor's calls price in the test deal (max premium 10%)."""
PRICE_ABOVE_CAP = 0.2
"""How far above the competitor cap the injected price is."""
BUDGET_SHORTFALL = 0.9
"""The budget set to this share of the solution's spend."""


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions (``from a import b`` gives
    ``a`` and ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _solver(module: str) -> bool:
    """Whether ``module`` is a solver library or part of the MILP layer."""
    return any(module == s or module.startswith(s + ".") for s in SOLVER_MODULES)


def _file(module: str) -> Path:
    """The source file of ``optimizer.x.y`` (a module or a package's ``__init__``)."""
    base = PACKAGE_DIR.joinpath(*module.split(".")[1:])
    return base.with_suffix(".py") if base.with_suffix(".py").exists() else base / "__init__.py"


def test_verify_imports_neither_pulp_nor_the_model() -> None:
    """optimizer/analysis/verify.py imports neither PuLP (nor HiGHS) nor the MILP layer."""
    imports = imported_modules(PACKAGE_DIR / "analysis" / "verify.py")
    assert not {m for m in imports if _solver(m)}


def test_verify_dependencies_never_reach_the_solver() -> None:
    """No module verify.py imports, directly or through others, reaches PuLP or the model."""
    seen: set[str] = set()
    todo = ["optimizer.analysis.verify"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        imports = imported_modules(_file(module))
        bad = {m for m in imports if _solver(m)}
        assert not bad, f"{module} imports {sorted(bad)}"
        todo += [m for m in imports if m.startswith("optimizer.") and _file(m).exists()]
    assert "optimizer.staffing.costs" in seen and "optimizer.staffing.queueing" in seen


@pytest.fixture(scope="module")
def capped() -> Scenario:
    """The example deal priced to make a margin, with a competitor cap on calls (5.0 x 1.1:
    the 6.0 price is out) and occupancy uncapped, so one agent fewer fails the service level."""
    return make_scenario(
        **{
            "calendar.interval_minutes": 60,
            "categories.calls.tiers.std.prices": [5.0, 6.0],
            "categories.mail.tiers.std.prices": [4.0],
            "categories.calls.benchmark_price": BENCHMARK,
            "categories.calls.max_premium": 0.1,
            "provider.max_occupancy": 1.0,
        }
    )


@pytest.fixture(scope="module")
def solved(capped: Scenario) -> tuple[RequirementTable, Solution]:
    """Requirements and the optimal solution of ``capped``."""
    reqs = build_requirements(capped)
    solution = solve(build_model(capped, reqs), SolveOptions(gap=0.0))
    assert solution.status == SolveStatus.OPTIMAL
    return reqs, solution


def test_correct_solution_verifies(
    capped: Scenario, solved: tuple[RequirementTable, Solution]
) -> None:
    """The solver's own solution passes, and the verified margin is the solver's objective."""
    reqs, solution = solved
    result = verify(capped, reqs, solution)
    assert result.verified
    assert result.worst_violation == 0.0
    assert result.totals is not None
    assert result.totals.margin == pytest.approx(solution.objective_value, rel=1e-9)


def test_one_agent_short_in_a_busy_interval_is_rejected(
    capped: Scenario, solved: tuple[RequirementTable, Solution]
) -> None:
    """Removing one agent from the busiest interval fails the service level check."""
    reqs, solution = solved
    key = ("home", "calls")
    agents = solution.agents[key].copy()
    busiest = int(np.argmax(agents))
    agents[busiest] -= 1
    wrong = replace(solution, agents={**solution.agents, key: agents})
    with pytest.raises(VerificationError, match="service level of calls"):
        verify(capped, reqs, wrong)


def test_price_above_the_competitor_cap_is_rejected(
    capped: Scenario, solved: tuple[RequirementTable, Solution]
) -> None:
    """A calls price above benchmark x (1 + max_premium) is rejected."""
    reqs, solution = solved
    cap = BENCHMARK * 1.1
    chosen = solution.choices["calls"]
    wrong = replace(
        solution, choices={**solution.choices, "calls": Choice(chosen.tier, cap + PRICE_ABOVE_CAP)}
    )
    with pytest.raises(VerificationError, match="competitor cap"):
        verify(capped, reqs, wrong)


def test_spend_over_the_budget_is_rejected(
    capped: Scenario, solved: tuple[RequirementTable, Solution]
) -> None:
    """The same solution fails against a budget below its spend."""
    reqs, solution = solved
    spend = verify(capped, reqs, solution).totals
    assert spend is not None
    tight = capped.with_overrides({"client.budget_per_month": BUDGET_SHORTFALL * spend.revenue})
    with pytest.raises(VerificationError, match="budget"):
        verify(tight, reqs, solution)


def test_wrong_objective_value_is_rejected(
    capped: Scenario, solved: tuple[RequirementTable, Solution]
) -> None:
    """An objective value that is not the recomputed margin is rejected."""
    reqs, solution = solved
    assert solution.objective_value is not None
    wrong = replace(solution, objective_value=solution.objective_value + OBJECTIVE_SHIFT)
    with pytest.raises(VerificationError, match="objective"):
        verify(capped, reqs, wrong)


def test_deferred_work_left_undone_is_rejected(
    capped: Scenario, solved: tuple[RequirementTable, Solution]
) -> None:
    """Dropping the mail handled in one interval leaves work undone and is rejected."""
    reqs, solution = solved
    work = solution.work["mail"].copy()
    work[int(np.argmax(work))] = 0.0
    wrong = replace(solution, work={**solution.work, "mail": work})
    with pytest.raises(VerificationError, match="deferred work of mail"):
        verify(capped, reqs, wrong)


def _with_category(reqs: RequirementTable, name: str, **changes: object) -> RequirementTable:
    """The requirement table with one category's fields replaced."""
    cats = tuple(replace(c, **changes) if c.name == name else c for c in reqs.categories)
    return replace(reqs, categories=cats)


def test_demand_lost_in_the_profile_is_rejected(
    capped: Scenario, solved: tuple[RequirementTable, Solution]
) -> None:
    """A week that spreads fewer contacts than the month has (weights of 1e308 once
    overflowed to zero demand, "optimal, verified") fails verification (issue 11.8)."""
    reqs, solution = solved
    calls = reqs.category("calls")
    lost = _with_category(reqs, "calls", volume=calls.volume * 0.0, load=calls.load * 0.0)
    with pytest.raises(VerificationError, match="contacts of calls spread over the week"):
        verify(capped, lost, solution)


def test_more_handled_than_offered_is_rejected(
    capped: Scenario, solved: tuple[RequirementTable, Solution]
) -> None:
    """Handled contacts above the offered ones (a 1e-320 s handle time once handled
    8,008 of 8,000) fail verification (issue 11.8)."""
    reqs, solution = solved
    calls = reqs.category("calls")
    tiers = tuple(replace(t, handled_per_month=t.handled_per_month * 1.001) for t in calls.tiers)
    with pytest.raises(VerificationError, match="handled \\(at most offered\\)"):
        verify(capped, _with_category(reqs, "calls", tiers=tiers), solution)


def test_shift_mode_deferred_capacity_uses_fractional_agents():
    """In shift mode productive agents are shifts x (1 - shrinkage), fractional by nature:
    the deferred-work capacity check must not round them down (regression)."""
    from helpers import make_scenario

    from optimizer.options import RunOptions, SolveOptions
    from optimizer.pipeline import run_scenario

    scenario = make_scenario(
        **{
            "calendar.interval_minutes": 60,
            "provider.staffing": "shifts",
            "provider.shifts.lengths_hours": [8, 4],
            "categories.calls.tiers.std.prices": [6.0, 8.0],
            "categories.mail.tiers.std.prices": [5.0],
        }
    )
    result = run_scenario(scenario, RunOptions(explain=False, solve=SolveOptions(time_limit=30)))
    assert result.verified is True
    assert result.status in ("optimal", "feasible")
