"""Tests of optimizer.limits: the registry of limit families and the structured row keys.

Each family is defined once; these tests hold every entry to the same contract: the
model writes rows of its own family only, verification accepts the solver's answer and
rejects the same answer once the limit is tightened past it, a 1% relaxation moves the
limit in the deal's favour, and every row's readable name reads back to its key.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, make_scenario

from optimizer.analysis.verify import verify
from optimizer.errors import VerificationError
from optimizer.limits.base import Family
from optimizer.limits.registry import FAMILIES, is_limit, parse_key
from optimizer.milp.model import build_model
from optimizer.milp.solve import SolveOptions, solve
from optimizer.rows import STRUCTURE, RowKey
from optimizer.scenario.loader import load_scenario
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import build_requirements

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
TIGHTEN = 0.97
"""A limit moved to 97% of (or 3% past) what the solution uses, so the solution breaks it."""


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_entry_is_complete(name: str) -> None:
    """Every entry names itself, its owner, scope and unit, and has a key shape."""
    family = FAMILIES[name]
    assert isinstance(family, Family)
    assert family.name == name
    assert family.owner in ("client", "provider", "sales")
    assert family.scope in ("category", "site", "deal")
    assert family.unit
    assert set(family.parts) <= {"site", "category", "interval"}
    assert name not in STRUCTURE


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_row_names_read_back_to_their_keys(path: Path) -> None:
    """Every row of every shipped scenario's model: readable name -> the same key."""
    scenario = load_scenario(path)
    model = build_model(scenario, build_requirements(scenario))
    assert model.keys
    for key in model.keys.values():
        assert is_limit(key.family) or key.family in STRUCTURE, key
        assert parse_key(key.readable) == key
    families = {k.family for k in model.keys.values()}
    present = {name for name, fam in FAMILIES.items() if fam.present(scenario, {})}
    assert {f for f in families if is_limit(f)} == present


def test_parse_refuses_too_many_parts() -> None:
    with pytest.raises(ValueError, match="budget has parts"):
        parse_key("budget[x]")


def test_group_drops_the_interval() -> None:
    key = RowKey("seats", site="Lisbon", interval="mon 09:00")
    assert key.group() == RowKey("seats", site="Lisbon")
    assert key.group().readable == "seats[Lisbon]"


@pytest.fixture(scope="module")
def limited() -> tuple[Scenario, object]:
    """A deal with one limit of every money family and a site cap, solved."""
    scenario = make_scenario(
        **{
            "client.budget_per_month": 1e9,
            "client.max_cost_per_contact": 1e6,
            "client.min_roi": 0.0,
            "categories.*.value_per_contact": 1e3,
            "provider.min_margin": -0.5,
        }
    )
    reqs = build_requirements(scenario)
    solution = solve(build_model(scenario, reqs), SolveOptions())
    assert solution.status.has_solution
    return scenario, (reqs, solution)


def _tightened(scenario: Scenario, family: str, revenue: float, contacts: float) -> dict:
    """Overrides that put the limit of ``family`` just past what the solution uses."""
    if family == "budget":
        return {"client.budget_per_month": TIGHTEN * revenue}
    if family == "max_cost_per_contact":
        return {"client.max_cost_per_contact": TIGHTEN * revenue / contacts}
    if family == "min_roi":
        return {"client.min_roi": 1e3}
    assert family == "min_margin"
    return {"provider.min_margin": 0.99}


NAMED = {
    "budget": "budget",
    "max_cost_per_contact": "blended cost per contact",
    "min_roi": "client ROI",
    "min_margin": "provider minimum margin",
}
"""Family -> how verification names its limit when it fails."""


@pytest.mark.parametrize("family", sorted(NAMED))
def test_verification_rejects_a_tightened_limit(limited, family: str) -> None:
    """The solver's answer passes; the same answer under a limit tightened past it fails,
    naming the limit (each family's re-check runs on recomputed figures)."""
    scenario, (reqs, solution) = limited
    result = verify(scenario, reqs, solution)
    assert result.totals is not None
    tight = scenario.with_overrides(
        _tightened(scenario, family, result.totals.revenue, result.totals.contacts)
    )
    with pytest.raises(VerificationError, match=NAMED[family]):
        verify(tight, reqs, solution)


@pytest.mark.parametrize("family", sorted(NAMED))
def test_relaxation_is_in_the_deals_favour(limited, family: str) -> None:
    """A 1% relaxation of a deal-wide limit never tightens it: the solver's answer still
    passes verification after it, with every other limit unchanged."""
    scenario, (reqs, solution) = limited
    overrides = FAMILIES[family].relax(scenario, RowKey(family))
    assert overrides
    verify(scenario.with_overrides(overrides), reqs, solution)
