"""Side-by-side comparison of solved scenarios (files and/or variants of one file).

One column per scenario; rows are the deal's key figures, FTE by site, and per
category the tier, price and pricing model. Differences are against the first
column; the column with the best margin is marked. Scenarios in different
currencies are refused (their differences would subtract one currency from another).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from optimizer.errors import Issue, ScenarioError
from optimizer.output.report import money, pct, table
from optimizer.results import RISK_FIELDS, VerifiedResult

_FIGURES = (
    ("margin", "margin", "money"),
    ("margin %", "margin_pct", "pct"),
    ("revenue", "revenue", "money"),
    ("cost", "cost", "money"),
    ("client cost per contact", "client_cost_per_contact", "unit"),
    ("client ROI", "client_roi", "pct"),
    ("FTE", "fte", "fte"),
)
_RISK_FIGURES = (
    ("mean margin (risk)", "margin_mean", "money"),
    ("margin p5 (risk)", "margin_p5", "money"),
    ("margin CVaR 5% (risk)", "margin_cvar5", "money"),
    ("P(margin < floor)", "p_margin_below_floor", "pct"),
    ("expected credits", "expected_credits", "money"),
)
"""The volume-risk rows, only when the results were simulated (``--risk-draws``)."""


def _figures(results: Sequence[VerifiedResult]) -> tuple[tuple[str, str, str], ...]:
    """The figures shown: the totals, and the risk figures when any result has them."""
    return _FIGURES + (_RISK_FIGURES if any(r.risk for r in results) else ())


def check_currencies(scenarios: Sequence[tuple[str, str]]) -> None:
    """Raise a ScenarioError unless every ``(source, currency)`` has the first's currency.

    Differences between columns subtract money figures, so they only mean something
    within one currency (tierprice converts nothing).
    """
    if not scenarios:
        return
    first_source, first = scenarios[0]
    issues = [
        Issue(
            source,
            "currency",
            currency,
            f"{first}, the currency of {first_source} (compare works within one "
            "currency; convert the figures to one currency first)",
        )
        for source, currency in scenarios[1:]
        if currency != first
    ]
    if issues:
        raise ScenarioError(issues)


@dataclass(frozen=True)
class Comparison:
    """Solved results in column order, all in one currency."""

    results: tuple[VerifiedResult, ...]

    def __post_init__(self) -> None:
        known = [r for r in self.results if r.currency]  # a failed job has none
        odd = [r for r in known if r.currency != known[0].currency]
        if odd:
            raise ScenarioError(
                [
                    Issue(
                        r.scenario,
                        "currency",
                        r.currency,
                        f"{known[0].currency}, the currency of {known[0].scenario} "
                        "(compare works within one currency)",
                    )
                    for r in odd
                ]
            )

    @property
    def best(self) -> int | None:
        """Index of the column with the highest margin (None if nothing solved)."""
        solved = [(r.totals.margin, -i) for i, r in enumerate(self.results) if r.totals]
        return -max(solved)[1] if solved else None

    def rows(self) -> list[dict[str, Any]]:
        """Long form: one row per (figure, scenario) with its value and difference."""
        out = []
        first = self.results[0] if self.results else None
        for label, key, _ in _figures(self.results):
            base = _total(first, key)
            for r in self.results:
                value = _total(r, key)
                diff = None if value is None or base is None else value - base
                out.append(
                    {"figure": label, "scenario": r.scenario, "value": value, "difference": diff}
                )
        return out

    def to_frame(self) -> Any:
        """Wide pandas DataFrame: one column per scenario, one row per figure."""
        import pandas as pd

        data: dict[int, list[Any]] = {}
        figures = _figures(self.results)
        index = [label for label, _, _ in figures]
        for i, r in enumerate(self.results):  # by position: two columns may share a name
            data[i] = [_total(r, key) for _, key, _ in figures]
        frame = pd.DataFrame(data, index=index)
        frame.columns = [r.scenario for r in self.results]
        return frame


def _total(result: VerifiedResult | None, key: str) -> float | None:
    if result is None or result.totals is None:
        return None
    value = result.risk.get(key) if key in RISK_FIELDS else getattr(result.totals, key)
    return None if value is None else float(value)


def _fmt(value: float | None, kind: str, currency: str) -> str:
    if value is None:
        return "-"
    if kind == "money":
        return money(value)
    if kind == "pct":
        return pct(value)
    if kind == "unit":
        return f"{value:,.2f}"
    return f"{value:,.1f}"


def _diff(value: float | None, base: float | None, kind: str) -> str:
    if value is None or base is None:
        return ""
    delta = value - base
    if abs(delta) < 1e-9:
        return ""
    if kind == "pct":
        return f" ({100 * delta:+.1f} pt)"
    if kind == "money":
        return f" ({delta:+,.0f})"
    return f" ({delta:+,.2f})"


def comparison_text(comp: Comparison) -> str:
    """The comparison as a text table, differences against the first column."""
    results = comp.results
    if not results:
        return "nothing to compare\n"
    best = comp.best
    head = ["", *[r.scenario + (" *best*" if i == best else "") for i, r in enumerate(results)]]
    rows: list[list[str]] = [["status", *[str(r.status) for r in results]]]
    currency = next((r.currency for r in results if r.currency), "")
    for label, key, kind in _figures(results):
        base = _total(results[0], key)
        rows.append(
            [
                label,
                *[
                    _fmt(_total(r, key), kind, currency)
                    + (_diff(_total(r, key), base, kind) if i else "")
                    for i, r in enumerate(results)
                ],
            ]
        )
    sites = sorted({s.name for r in results for s in r.sites})
    for site in sites:
        rows.append(
            [
                f"FTE {site}",
                *[next((f"{s.fte:,.1f}" for s in r.sites if s.name == site), "-") for r in results],
            ]
        )
    cats = list(dict.fromkeys(c.name for r in results for c in r.categories))
    for cat in cats:
        rows.append(
            [
                cat,
                *[
                    next(
                        (
                            f"{c.tier} @ {c.price:g} ({c.pricing_model})"
                            for c in r.categories
                            if c.name == cat
                        ),
                        "-",
                    )
                    for r in results
                ],
            ]
        )
    note = f"money per month in {currency}; differences against the first column"
    return table(rows, head) + "\n" + note + "\n"
