"""Tests for optimizer/explain.py: binding limits, shadow prices, 1% relaxations."""

import pytest
from helpers import SCENARIOS_DIR

from optimizer.explain import RELAX_STEP, relaxations
from optimizer.loader import load_scenario
from optimizer.pipeline import RunOptions, run_scenario

MONEY = 1e-6


@pytest.fixture(scope="module")
def telco():
    """The Nordic telco deal (its budget binds) and its explained result."""
    deal = load_scenario(SCENARIOS_DIR / "nordic_telco.yaml")
    return deal, run_scenario(deal)


def test_budget_binds_with_a_unit_shadow_price(telco):
    """With a continuous price free, one more euro of budget is one more euro of margin."""
    _, result = telco
    budget = next(c for c in result.constraints if c.name == "budget")
    assert budget.binding
    assert budget.shadow_price == pytest.approx(1.0, abs=1e-6)


def test_relaxation_gain_is_a_real_resolve(telco):
    """The gain reported for the budget equals re-solving with the budget 1% higher."""
    deal, result = telco
    budget = next(c for c in result.constraints if c.name == "budget")
    bigger = deal.with_overrides(relaxations(deal, "budget"))
    again = run_scenario(bigger, RunOptions(explain=False))
    assert budget.relax_gain == pytest.approx(again.totals.margin - result.totals.margin, abs=1e-3)
    assert budget.relax_gain > 0


@pytest.mark.parametrize(
    ("limit", "path", "check"),
    [
        ("budget", "client.budget_per_month", lambda old, new: new == pytest.approx(old * 1.01)),
        ("min_margin", "provider.min_margin", lambda old, new: new < old),
        ("seats[tallinn][mon 09:00]", "provider.sites.tallinn.seats", lambda old, new: new > old),
    ],
)
def test_relaxations_move_limits_in_the_deals_favour(telco, limit, path, check):
    """Each relaxation moves its limit by RELAX_STEP in the direction that helps the deal."""
    deal, _ = telco
    overrides = relaxations(deal, limit)
    assert overrides is not None and list(overrides) == [path]
    node = deal.raw()
    for part in path.split("."):
        node = (
            next(i for i in node if i.get("name") == part) if isinstance(node, list) else node[part]
        )
    assert check(node, overrides[path])
    assert pytest.approx(0.01) == RELAX_STEP


def test_min_tier_relaxation_drops_one_tier(telco):
    """Relaxing a minimum tier lowers it by one tier."""
    deal, _ = telco
    assert relaxations(deal, "min_tier[tech_support]") == {"client.min_tier.tech_support": "bronze"}
