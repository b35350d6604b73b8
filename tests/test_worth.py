"""What a platform fee or a bonus is worth in margin (re-solved without it), by hand.

The deal of ``test_bonus.py``: 400 contacts a month, an agent-interval costs 40, the
tier needs 10 agent-intervals (cost 400).
* Bonus levels of 150 (95% in 10 s, 3 more agent-intervals) and 100 (99% in 5 s, 5
  more): margin 850 with both, 800 without: they are worth 50.
* A platform fee of 100 on prices [3.0, 3.5] under a budget of 1,450: with the fee
  3.5 would bill 1,500, so 3.0 it is (1,300, margin 900); without it 3.5 fits (1,400,
  margin 1,000): the fee is worth -100 (it crowds the dearer price out of the budget).
* A fee menu [0, 100] without a budget: 100 is chosen and is worth exactly 100.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_bonus import raw

from optimizer.options import RunOptions
from optimizer.output.report import to_dict, to_text
from optimizer.pipeline import run_scenario
from optimizer.scenario.schema import validate_scenario


def _run(deal: dict[str, Any]) -> Any:
    return run_scenario(validate_scenario(deal, "worth.yaml"), RunOptions())


def _fee_deal(fee: Any, budget: float | None) -> dict[str, Any]:
    deal = raw(())
    deal["categories"][0]["terms"] = {"platform_fee": fee}
    deal["categories"][0]["tiers"][0]["prices"] = [3.0, 3.5]
    if budget is not None:
        deal["client"] = {"budget_per_month": budget}
    return deal


def test_bonus_levels_are_worth_the_margin_they_add_net_of_agents() -> None:
    result = _run(raw((150.0, 100.0)))
    assert result.totals.margin == pytest.approx(850.0)
    assert result.billing["calls"]["bonus_worth"] == pytest.approx(50.0, abs=1e-6)
    assert "the bonus of 250 EUR on calls is worth 50 EUR of margin" in to_text(result)


def test_a_fixed_fee_that_crowds_out_a_better_price_is_worth_less_than_nothing() -> None:
    result = _run(_fee_deal(100.0, 1450.0))
    assert result.totals.margin == pytest.approx(900.0)
    assert result.categories[0].price == 3.0
    assert result.billing["calls"]["platform_fee_worth"] == pytest.approx(-100.0, abs=1e-6)
    assert "is worth -100 EUR of margin" in to_text(result)


def test_a_fee_chosen_from_a_menu_is_worth_its_amount_without_limits() -> None:
    result = _run(_fee_deal([0.0, 100.0], None))
    terms = to_dict(result)["categories"][0]["terms"]
    assert terms["platform_fee"] == 100.0
    assert terms["platform_fee_worth"] == pytest.approx(100.0, abs=1e-6)


def test_nothing_is_measured_without_explanation_or_terms() -> None:
    quiet = run_scenario(
        validate_scenario(_fee_deal(100.0, None), "w.yaml"), RunOptions(explain=False)
    )
    assert "platform_fee_worth" not in quiet.billing["calls"]
    plain = _run(raw(()))
    assert "calls" not in plain.billing
    assert "what the terms are worth" not in to_text(plain)
