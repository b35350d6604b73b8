"""The one orchestrator: scenario -> requirements -> model -> solution -> verified result.

It decides which steps a run takes and shares one time budget between them: the
solve (in phases in shift mode, ``optimizer.milp.phases``), the second stages
(cheapest staffing at the lowest spend for ``min_price``, quotable prices), then the
diagnosis of an infeasible deal or the verification and explanation of a solved one.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from optimizer.analysis.diagnose import diagnose
from optimizer.analysis.explain import explain
from optimizer.analysis.verify import verify
from optimizer.analysis.worth import terms_worth
from optimizer.errors import SolverError
from optimizer.milp.model import BuiltModel, build_model
from optimizer.milp.phases import at_quotable_prices, cheapest_at_lowest_spend, solve_scenario
from optimizer.options import RunOptions
from optimizer.results import Solution, SolveStatus, VerifiedResult
from optimizer.risk.engine import simulate
from optimizer.risk.plan import deal_plan
from optimizer.risk.pricing import (
    PRICING_SEED,
    confident_requirements,
    expected_changes,
    premium_rows,
)
from optimizer.scenario.risk_terms import Uncertainty
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.staffing.requirements import RequirementTable, build_requirements


def build_only(scenario: Scenario, objective: str | None = None) -> BuiltModel:
    """Build the model without solving (for LP export)."""
    return build_model(scenario, build_requirements(scenario), objective)


_DEFAULTS = RunOptions()


def run_scenario(scenario: Scenario, options: RunOptions = _DEFAULTS) -> VerifiedResult:
    """Solve ``scenario`` and return its independently verified result.

    A time limit is for the whole run: the main solve, then the explanation's or the
    diagnosis's re-solves, share one deadline; what did not fit is named in
    ``solver.skipped``.
    """
    if options.solve.time_limit is not None and options.solve.deadline is None:
        deadline = time.monotonic() + options.solve.time_limit
        options = replace(options, solve=replace(options.solve, deadline=deadline))
    skipped: list[str] = []
    result = _run(scenario, options, skipped)
    if not skipped:
        return result
    return replace(result, solver=replace(result.solver, skipped=tuple(dict.fromkeys(skipped))))


def _run(scenario: Scenario, options: RunOptions, skipped: list[str]) -> VerifiedResult:
    reqs = build_requirements(scenario)
    if risk_aware(scenario, options):
        reqs = confident_requirements(scenario, reqs)
        if (options.objective or scenario.objective) == "max_expected_margin":
            options = replace(options, expected=expected_changes(scenario, reqs))
    model, solution = solve_scenario(scenario, reqs, options)
    if model.objective == "min_price" and solution.status.has_solution:
        solution = cheapest_at_lowest_spend(scenario, reqs, options, solution)
    exact = solution  # what explain compares relaxations with: exact against exact
    if solution.status.has_solution and not options.exact_prices:
        solution = at_quotable_prices(scenario, reqs, options, model, solution)
    if solution.status == SolveStatus.INFEASIBLE and options.diagnose:
        changes = diagnose(
            scenario,
            reqs,
            options.fixed,
            options.solve,
            lambda s, fixed: _has_solution(s, replace(options, fixed=fixed), skipped),
            skipped,
        )
        return replace(_unsolved(scenario, solution), diagnosis=tuple(c.to_dict() for c in changes))
    if not solution.status.has_solution:
        return _unsolved(scenario, solution)
    result = verify(scenario, reqs, solution)
    if risk_aware(scenario, options):
        result = _with_risk_pricing(scenario, reqs, result, options)
    if options.explain:
        limits = explain(
            scenario,
            reqs,
            model,
            exact,
            result.constraints,
            options.solve,
            lambda s: _margin_of(s, _knowing(options, exact), skipped),
            skipped=skipped,
        )
        result = replace(result, constraints=limits)
        if solution.objective == "max_margin" and solution.objective_value is not None:
            result = _with_worth(scenario, result, exact.objective_value, options, skipped)
    return result


def _with_worth(
    scenario: Scenario,
    result: VerifiedResult,
    base: float | None,
    options: RunOptions,
    skipped: list[str],
) -> VerifiedResult:
    """The platform fees and bonuses of ``result`` with what each is worth in margin."""
    if base is None or not result.billing:
        return result
    if options.solve.out_of_time():
        skipped.append("explanation: what the terms are worth")
        return result
    worth = terms_worth(scenario, result.billing, base, lambda s: _margin_of(s, options, skipped))
    billing = {name: {**terms, **worth.get(name, {})} for name, terms in result.billing.items()}
    return replace(result, billing=billing)


def risk_aware(scenario: Scenario, options: RunOptions) -> bool:
    """Whether a run prices for volume risk: a tier with ``confidence``, or the
    ``max_expected_margin`` objective."""
    objective = options.objective or scenario.objective
    confident = any(t.confidence is not None for c in scenario.categories for t in c.tiers)
    return confident or objective == "max_expected_margin"


def forecast_only(scenario: Scenario) -> Scenario:
    """``scenario`` priced on the forecast alone: no confidence, objective max_margin."""
    raw = scenario.raw()
    raw["objective"] = "max_margin"
    for cat in raw["categories"]:
        for tier in cat["tiers"]:
            tier.pop("confidence", None)
    return validate_scenario(raw, "<forecast-only>")


def _with_risk_pricing(
    scenario: Scenario, reqs: RequirementTable, result: VerifiedResult, options: RunOptions
) -> VerifiedResult:
    """The result with its ``risk_pricing`` block: the plan's expected margin and
    windows met over the pricing months, and the risk premium (prices and margin)
    against the plan priced on the forecast alone."""
    draws = (scenario.uncertainty or Uncertainty()).pricing_draws
    months = simulate(deal_plan(scenario, reqs, result), draws, PRICING_SEED)
    plain = forecast_only(scenario)
    quiet = replace(options, objective=None, expected={}, explain=False, diagnose=False)
    base = run_scenario(plain, quiet)
    block: dict[str, Any] = {
        "objective": options.objective or scenario.objective,
        "draws": draws,
        "seed": PRICING_SEED,
        "expected_margin": float(months.margin.mean()),
        "confidence": [
            {"category": c.name, "tier": r.tier, "confidence": c.tier(r.tier).confidence,
             "window": r.window, "p_window_met": r.p_window_met}
            for c, r in zip(scenario.categories, months.categories, strict=True)
            if c.tier(r.tier).confidence is not None
        ],
    }  # fmt: skip
    if base.totals is not None and result.totals is not None:
        base_months = simulate(deal_plan(plain, build_requirements(plain), base), draws, 0)
        block["forecast_plan"] = {
            "margin": base.totals.margin,
            "expected_margin": float(base_months.margin.mean()),
        }
        block["risk_premium"] = {
            "margin": result.totals.margin - base.totals.margin,
            "expected_margin": block["expected_margin"] - float(base_months.margin.mean()),
            "categories": premium_rows(scenario, _choices(result), _choices(base)),
        }
    return replace(result, risk_pricing=block)


def _choices(result: VerifiedResult) -> dict[str, Any]:
    return {c.name: c for c in result.categories}


PROOF_GAP = 0.05
"""Relative gap for proving a suggestion: any feasible solution proves it, so stop early."""


def _has_solution(scenario: Scenario, options: RunOptions, skipped: list[str]) -> bool:
    """Whether a (changed) scenario is feasible under ``options`` (False, and noted in
    ``skipped``, when the time limit leaves no room to prove it)."""
    if options.solve.out_of_time():
        skipped.append("diagnosis: proofs of suggestions")
        return False
    reqs = build_requirements(scenario)
    quick = replace(options, explain=False, solve=replace(options.solve, gap=PROOF_GAP))
    _, solution = solve_scenario(scenario, reqs, quick)
    return solution.status.has_solution


def _knowing(options: RunOptions, solution: Solution) -> RunOptions:
    """``options`` with ``solution``'s plan as the one known (a relaxation keeps it
    feasible: where the relaxed LP's bound proves it, the gain is nil)."""
    return replace(options, solve=replace(options.solve, known=solution.variable_values))


def _margin_of(scenario: Scenario, options: RunOptions, skipped: list[str]) -> float | None:
    """Best margin of a changed scenario (no explanation), None unless proven optimal
    (a margin cut short by a time limit is not comparable with another)."""
    reqs = build_requirements(scenario)
    _, solution = solve_scenario(scenario, reqs, replace(options, explain=False))
    if solution.status == SolveStatus.FEASIBLE and options.solve.deadline is not None:
        skipped.append("explanation: relaxation re-solves cut short by the time limit")
    return solution.objective_value if solution.status == SolveStatus.OPTIMAL else None


_MESSAGES = {
    SolveStatus.INFEASIBLE: "the deal is infeasible: no tier, price and staffing meet every limit",
    SolveStatus.NO_SOLUTION: "no solution found within the time limit",
    SolveStatus.UNBOUNDED: "the model is unbounded (a price or quantity without a limit)",
}


def _unsolved(scenario: Scenario, solution: Solution) -> VerifiedResult:
    if solution.status == SolveStatus.ERROR:
        raise SolverError(f"the solver failed on {scenario.scenario!r}: {solution.message}")
    return VerifiedResult(
        scenario.scenario,
        scenario.currency,
        solution.status,
        solution.objective,
        None,
        (),
        (),
        (),
        False,
        0.0,
        solution.solver,
        message=_MESSAGES.get(solution.status, str(solution.status))
        + (
            f" ({solution.message})"
            if solution.status == SolveStatus.NO_SOLUTION and solution.message
            else ""
        ),
    )
