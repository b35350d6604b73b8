"""The committee sheets of a workbook: the inputs a price rests on, and results side by
side (one column per compared scenario or sweep point, one row per measure).

Rows of plain values with units in the headers; :func:`optimizer.output.excel.workbook`
writes them and formats each number by its unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from optimizer.output.excel import (
    MEASURE,
    Blocks,
    Rows,
    result_sheets,
    risk_headers,
    total_headers,
    workbook,
)
from optimizer.output.quote_words import PRICE_UNITS, open_hours
from optimizer.results import VerifiedResult
from optimizer.scenario.models import Category, PriceRange, Tier
from optimizer.scenario.reference import path_unit
from optimizer.scenario.schema import Scenario
from optimizer.scenario.terms import Plan


def _menu(tier: Tier) -> str:
    """A tier's price menu as text: points, a stepped or continuous range, plans."""
    prices = tier.prices
    if isinstance(prices, PriceRange):
        if prices.step is None:
            return f"{prices.min:g} to {prices.max:g} (continuous)"
        return f"{prices.min:g} to {prices.max:g} step {prices.step:g}"
    return ", ".join(
        f"fee {p.fee:g} incl. {p.included:g} then {p.unit_price:g}"
        if isinstance(p, Plan)
        else f"{p:g}"
        for p in prices
    )


def _tier_row(scenario: Scenario, cat: Category, tier: Tier) -> dict[str, Any]:
    """One (category, tier) of the inputs: volume, handle time, hours, service, prices."""
    cur = scenario.currency
    low, high = tier.price_bounds()
    return {
        "scenario": scenario.scenario,
        "category": cat.name,
        "channel": cat.channel,
        "pricing model": cat.pricing,
        "contacts (/month)": None if cat.is_project else cat.contacts_per_month,
        "AHT (seconds)": cat.aht_seconds,
        "open hours": None if cat.is_project else open_hours(cat),
        "effort (hours)": cat.project_hours() if cat.is_project else None,
        "tier": tier.name,
        "service level (share)": tier.service_level,
        "answer within (seconds)": tier.answer_within_seconds,
        "max abandon (share)": tier.max_abandon,
        "deferred share (share)": tier.share,
        "deferred within (hours)": tier.within_hours,
        "price unit": PRICE_UNITS.get(cat.pricing, cat.pricing),
        f"lowest price ({cur} per unit)": low,
        f"highest price ({cur} per unit)": high,
        "price menu": _menu(tier),
    }


def _site_rows(scenario: Scenario) -> list[dict[str, Any]]:
    """One row per site: wages, overhead, seats, FTE cap, shrinkage, categories."""
    cur = scenario.currency
    return [
        {
            "scenario": scenario.scenario,
            "site": site.name,
            f"hourly cost ({cur}/hour)": site.hourly_cost,
            f"overhead ({cur}/hour)": site.overhead_per_hour,
            "seats": site.seats,
            "max FTE (FTE)": site.max_fte,
            "shrinkage (share)": scenario.site_shrinkage(site),
            "categories": ", ".join(site.categories) if site.categories else "all",
        }
        for site in scenario.provider.sites
    ]


def _deal_rows(scenarios: Sequence[Scenario]) -> list[dict[str, Any]]:
    """The deal-wide inputs, one row per measure and a column per scenario."""
    cur = scenarios[0].currency

    def measures(s: Scenario) -> dict[str, Any]:
        p = s.provider
        return {
            "contract (months)": s.contract_months,
            "minimum margin (share)": p.min_margin,
            "shrinkage (share)": p.shrinkage,
            "max occupancy (share)": p.max_occupancy,
            "agents per team leader (agents)": p.supervisor_ratio,
            f"team leader cost ({cur}/hour)": p.supervisor_hourly_cost,
            "FTE hours (hours/month)": p.fte_hours_per_month,
            f"fixed cost ({cur}/month)": p.fixed_monthly_cost,
            f"set-up cost ({cur})": p.setup_cost,
            f"client budget ({cur}/month)": s.client.budget_per_month,
        }

    return side_by_side([measures(s) for s in scenarios], [s.scenario for s in scenarios])


def inputs_sheet(scenarios: Sequence[Scenario]) -> Blocks:
    """The inputs of one or more scenarios: the deal, the categories' tiers, the sites."""
    tiers = [_tier_row(s, c, t) for s in scenarios for c in s.categories for t in c.tiers]
    sites = [row for s in scenarios for row in _site_rows(s)]
    return Blocks((_deal_rows(scenarios), tiers, sites))


def side_by_side(
    columns: Sequence[Mapping[str, Any]], names: Sequence[str]
) -> list[dict[str, Any]]:
    """Transpose: one row per measure (the keys of the first column), one column per
    name (repeated names get `` (2)``, `` (3)``...)."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    measures = list(columns[0]) if columns else []
    return [
        {MEASURE: m, **{n: col.get(m) for n, col in zip(unique, columns, strict=True)}}
        for m in measures
    ]


def results_book(results: Sequence[VerifiedResult], scenarios: Sequence[Scenario] = ()) -> bytes:
    """The result workbook: the five tables, side by side when there are several results,
    and the inputs of ``scenarios`` (none: no inputs sheet)."""
    cur = next((r.currency for r in results if r.currency), "")
    tables = result_sheets(results)
    sheets: dict[str, Rows | Blocks] = dict(tables)
    if len(results) > 1:
        summary = [{k: v for k, v in row.items() if k != "scenario"} for row in tables["summary"]]
        sheets["side by side"] = side_by_side(summary, [r.scenario for r in results])
    if scenarios:
        sheets["inputs"] = inputs_sheet(scenarios)
    return workbook(sheets, cur)


MAX_COLUMNS = 16_384
"""Excel's widest sheet: a grid of more points has no side-by-side sheet."""


def grid_book(
    rows: Rows, sheet: str, scenario: Scenario | None = None, committee: bool = False
) -> bytes:
    """The rows of a sweep or frontier (the totals' headers given their units, in the
    scenario's currency); ``committee``: also the points side by side (one column per
    point, when they fit on a sheet) and the scenario's inputs."""
    cur = "" if scenario is None else scenario.currency
    headers = {**total_headers(cur), **risk_headers(cur)} if cur else {}
    paths = {
        k: _path_header(k, rows, scenario) for k in (rows[0] if rows else ()) if k not in headers
    }
    table = [{headers.get(k, paths.get(k, k)): v for k, v in row.items()} for row in rows]
    sheets: dict[str, Rows | Blocks] = {sheet: table}
    if scenario is not None and committee and len(table) < MAX_COLUMNS:
        names = [  # the varied paths name a point, as given on the command line
            ", ".join(
                f"{k}={v}"
                for k, v in row.items()
                if k not in headers and k not in ("status", "binding")
            )
            for row in rows
        ]
        sheets["side by side"] = side_by_side(table, names)
    if scenario is not None and committee:
        sheets["inputs"] = inputs_sheet([scenario])
    return workbook(sheets, cur)


COMPACT_UNITS = {
    "a share": "share",
    "a margin, (revenue - cost) / revenue": "share",
    "scheduled agents": "seats",
}
"""The reference's words for a unit -> the workbook's (money: the currency)."""


def _path_header(key: str, rows: Rows, scenario: Scenario | None) -> str:
    """A varied field's column header with its unit from the scenario reference
    (``client.budget_per_month (EUR)``); as it is for a column of multipliers (``x0.9``),
    a key that names no field with a unit, and a price of categories priced in
    different units (a revenue share's price is a share of sales)."""
    unit = path_unit(key)
    if scenario is None or not unit or any(isinstance(row.get(key), str) for row in rows):
        return key
    if unit == "money in the scenario's currency":
        unit = _price_unit(key, scenario)
    unit = COMPACT_UNITS.get(unit, unit)
    return f"{key} ({unit})" if unit else key


def _price_unit(key: str, scenario: Scenario) -> str:
    """The currency, "a share" for the price of revenue-share categories only, or "" for a
    price of categories of both kinds."""
    parts = key.split(".")
    # A tier's prices (a list, a range's bounds, a plan's unit price, not its fee) and the
    # benchmark price are in the unit of the category's pricing model.
    priced = ("prices" in parts and parts[-1] != "fee") or parts[-1] == "benchmark_price"
    if parts[0] != "categories" or len(parts) < 2 or not priced:
        return scenario.currency
    names = {c.name for c in scenario.categories} if parts[1] == "*" else {parts[1]}
    shares = {c.pricing == "revenue_share" for c in scenario.categories if c.name in names}
    if shares == {True}:
        return "a share"
    return "" if True in shares else scenario.currency
