"""The text report's lines on contract terms and the contract view.

Design 8: tables carry the fields the JSON does. A category billed under terms shows
its charge as the JSON's ``terms`` splits it (usage, minimum top-up, platform fee, site
premium, bonus) and flags an all-units cliff (design 11); a result with a ``contract``
block shows its years, total, NPV and the month the set-up cost is recovered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optimizer.results import Contract

PARTS = (
    ("usage_charge", "usage"),
    ("minimum_top_up", "minimum top-up"),
    ("platform_fee", "platform fee"),
    ("site_premium", "site premium"),
    ("bonus_earned", "bonus"),
)
"""The parts of a category's charge under terms, as ``terms`` names them, and in words."""


def terms_lines(billing: Mapping[str, Mapping[str, Any]], currency: str) -> list[str]:
    """A heading and one line a category billed under terms: the parts of its charge
    that are not zero, its plan, and an all-units cliff (no lines without terms).

    >>> terms = {"usage_charge": 73500.0, "minimum_top_up": 6500.0, "platform_fee": 1500.0}
    >>> print(terms_lines({"calls": terms}, "EUR")[2])
      - calls: usage 73,500 + minimum top-up 6,500 + platform fee 1,500 = 81,500 EUR a month
    >>> "all-units cliff" in terms_lines({"calls": {"all_units_cliff": True}}, "EUR")[2]
    True
    """
    if not billing:
        return []
    lines = ["", f"billing under contract terms (money per month in {currency}):"]
    for name, terms in billing.items():
        parts = [(words, terms.get(key) or 0.0) for key, words in PARTS]
        fee = terms.get("plan_fee") or 0.0
        if fee:  # the usage charge includes the plan's fee: shown apart
            parts = [("plan fee", fee), ("usage", parts[0][1] - fee), *parts[1:]]
        shown = [f"{words} {value:,.0f}" for words, value in parts if value]
        total = sum(value for _, value in parts)
        line = f"  - {name}: {' + '.join(shown) or 'nothing'} = {total:,.0f} {currency} a month"
        if terms.get("included"):
            line += f" ({terms['included']:,.0f} units included in the plan)"
        if terms.get("all_units_cliff"):
            line += "; all-units cliff: a little more volume would bill less"
        lines.append(line)
    return lines


def contract_lines(contract: Contract | None, currency: str) -> list[str]:
    """The contract view: revenue, cost and margin by year and in total, the NPV, and the
    month the set-up cost is recovered (no lines without a contract block)."""
    if contract is None:
        return []
    lines = ["", f"contract view ({len(contract.cash_flow)} months, {currency}):"]
    rows = [(f"year {y.year}", y) for y in contract.years] + [("total", contract.total)]
    for label, y in rows:
        lines.append(
            f"  {label:<8} revenue {y.revenue:>14,.0f}  cost {y.cost:>14,.0f}  "
            f"margin {y.margin:>14,.0f}"
        )
    if contract.npv is not None:
        lines.append(f"  NPV {contract.npv:,.0f}")
    month = contract.setup_recovered_month
    recovered = "never within the contract" if month is None else f"in month {month}"
    lines.append(f"  set-up cost recovered {recovered}")
    return lines
