"""Tests of optimizer.output.terms_text: the text report's terms and contract view."""

from __future__ import annotations

import pytest
from helpers import make_scenario

from optimizer.options import RunOptions
from optimizer.output.report import to_text
from optimizer.output.terms_text import terms_lines
from optimizer.pipeline import run_scenario

PLAN = {
    "categories.calls.tiers.std.prices": [{"fee": 4000, "included": 1000, "unit_price": 5.0}],
    "categories.calls.terms": {"platform_fee": 500},
    "provider.min_margin": -0.9,
}
"""The example's calls billed as a plan of 4,000 with 1,000 contacts included."""


def test_a_plan_fee_is_shown_apart_from_the_usage_and_the_parts_add_up() -> None:
    """By hand: 10,000 calls on a plan of 4,000 with 1,000 included at 5.00 is 4,000 +
    9,000 x 5 = 49,000, and the 500 platform fee: 49,500. The JSON's usage charge holds
    the plan fee; the report shows it apart, and the parts add up to the revenue."""
    scenario = make_scenario(**PLAN)
    result = run_scenario(scenario, RunOptions(explain=False, diagnose=False))
    (calls,) = [c for c in result.categories if c.name == "calls"]
    assert calls.revenue == pytest.approx(49_500.0)
    line = terms_lines(result.billing, "EUR")[2]
    assert line == (
        "  - calls: plan fee 4,000 + usage 45,000 + platform fee 500 = 49,500 EUR a month "
        "(1,000 units included in the plan)"
    )
    assert line in to_text(result)
