"""Actual monthly quantities (``tierprice invoice --actuals FILE.csv``) -> checked rows.

The file is CSV with a header: ``month,category,quantity[,service_level]`` (any
order, names matched without case or surrounding spaces). One row per month and
category; blank lines are skipped; a month may leave a category out (it is not
billed that month). ``month`` is ``YYYY-MM`` or a contract month ``1``, ``2``, ...
(one form in a file); ``quantity`` is in the category's billable unit (design 6.2:
contacts, minutes, hours, FTE, ...); ``service_level`` (optional, may be blank) is
the share of contacts answered in time that month: it is reported on the invoice,
but earns no credit yet (SLA credits need volume risk).

Every problem is one :class:`~optimizer.errors.Issue` naming the file, the line and
the column; all of them are raised together in one ScenarioError (exit 2).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from optimizer.errors import MISSING, Issue, ScenarioError, listed
from optimizer.scenario.csv_profiles import CsvReadError, csv_rows, other_separator
from optimizer.scenario.field_types import RANGES, TINY, decimal_number
from optimizer.scenario.loader import read_text
from optimizer.scenario.schema import Scenario

COLUMNS = ("month", "category", "quantity", "service_level")
"""The columns of an actuals file (the last one optional)."""
REQUIRED = COLUMNS[:3]

ACTUALS = "the actuals file"
"""What an actuals file's problems are in (the message's heading)."""
MONTH_FORM = "a month YYYY-MM or a contract month 1, 2, ..."
_MONTH = re.compile(r"^(?:(\d{4})-(\d{2})|(\d{1,3}))$")


@dataclass(frozen=True)
class Actual:
    """One month's actual quantity of one category."""

    month: str
    """``YYYY-MM`` or a contract month number, as written (spaces stripped)."""
    category: str
    quantity: float
    """In the category's billable unit, per month."""
    service_level: float | None
    """The month's achieved service level, when the file gives one."""
    line: int
    """The line of the file the row is on (1 is the header)."""


def read_actuals(path: Path, scenario: Scenario) -> tuple[Actual, ...]:
    """The rows of an actuals file, checked against the scenario, months in order
    (each month's rows in the scenario's category order)."""
    return parse_actuals(read_text(path, "CSV file of actuals"), scenario, str(path))


def parse_actuals(text: str, scenario: Scenario, source: str) -> tuple[Actual, ...]:
    """The rows of an actuals file's text, or a ScenarioError with one Issue a problem.

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> s = validate_scenario(example_raw(), "<example>")
    >>> rows = parse_actuals("month,category,quantity\\n2026-02,calls,9800\\n", s, "a.csv")
    >>> rows[0].month, rows[0].category, rows[0].quantity
    ('2026-02', 'calls', 9800.0)
    """
    rows = _rows(text, source)
    if not rows:
        raise ScenarioError([Issue(source, "line 1", "(empty)", _header_text())], ACTUALS)
    index = _header(rows[0], source)
    issues: list[Issue] = []
    seen: dict[tuple[str, str], int] = {}
    kinds: set[bool] = set()
    out: list[Actual] = []
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        found = _row(row, line, index, scenario, source)
        if isinstance(found, list):
            issues += found
            continue
        key = (found.month, found.category)
        if key in seen:
            issues.append(_twice(found, seen[key], source))
            continue
        seen[key] = line
        kinds.add(found.month.isdigit())
        if len(kinds) > 1:
            issues.append(_mixed(found, source))
        out.append(found)
    if not out and not issues:
        issues.append(Issue(source, "line 2", "(no rows)", "at least one row after the header"))
    if issues:
        raise ScenarioError(issues, ACTUALS)
    order = {c.name: i for i, c in enumerate(scenario.categories)}
    return tuple(sorted(out, key=lambda a: (_month_key(a.month), order[a.category])))


def _header_text() -> str:
    return "a header line month,category,quantity (and optionally service_level)"


def _rows(text: str, source: str) -> list[list[str]]:
    try:
        return csv_rows(text)
    except CsvReadError as err:
        issue = Issue(source, f"line {err.line}", "(unreadable)", f"CSV ({err.problem})")
        raise ScenarioError([issue], ACTUALS) from None


def _header(cells: list[str], source: str) -> dict[str, int]:
    """Column name -> index; every unknown, repeated or missing column is an Issue."""
    index: dict[str, int] = {}
    issues = []
    other = other_separator(cells)
    if other is not None:  # one problem, not one per column the header seems to lack
        expected = f"{_header_text()}, separated by commas (this line separates by {other!r})"
        raise ScenarioError([Issue(source, "line 1", cells[0], expected)], ACTUALS)
    for i, cell in enumerate(cells):
        name = cell.strip().lower()
        where = f"line 1, column {i + 1}"
        if name not in COLUMNS:
            issues.append(Issue(source, where, cell, f"one of {', '.join(COLUMNS)}"))
        elif name in index:
            issues.append(Issue(source, where, cell, f"each column once ({name} twice)"))
        else:
            index[name] = i
    for name in REQUIRED:
        if name not in index:
            issues.append(Issue(source, f"line 1, column {name}", MISSING, _header_text()))
    if issues:
        raise ScenarioError(issues, ACTUALS)
    return index


def _row(
    row: list[str], line: int, index: dict[str, int], scenario: Scenario, source: str
) -> Actual | list[Issue]:
    """One data row, or its problems (one Issue per bad cell)."""

    def cell(name: str) -> str:
        i = index[name]
        return row[i].strip() if i < len(row) else ""

    def issue(name: str, value: object, expected: str) -> Issue:
        return Issue(source, f"line {line}, column {name}", value, expected)

    issues: list[Issue] = []
    if len(row) > len(index):
        issues.append(issue("(extra)", len(row), f"{len(index)} cells, as in the header"))
    month = _month(cell("month"))
    if month is None:
        issues.append(issue("month", cell("month") or MISSING, MONTH_FORM))
    elif month.isdigit() and int(month) > scenario.contract_months:
        months = scenario.contract_months
        within = f"a contract month 1 to {months} (the contract's contract_months: {months})"
        issues.append(issue("month", cell("month"), within))
    category = cell("category")
    names = [c.name for c in scenario.categories]
    if category not in names:
        issues.append(issue("category", category or MISSING, f"a category of {listed(names)}"))
    quantity = _number(cell("quantity"), "quantity")
    if isinstance(quantity, str):
        issues.append(issue("quantity", cell("quantity") or MISSING, quantity))
    level: float | str | None = None
    if "service_level" in index and cell("service_level"):
        level = _number(cell("service_level"), "achieved_service_level")
        if isinstance(level, str):
            issues.append(issue("service_level", cell("service_level"), level))
    if issues:
        return issues
    assert month is not None and isinstance(quantity, float) and not isinstance(level, str)
    return Actual(month, category, quantity, level, line)


def _number(text: str, kind: str) -> float | str:
    """The cell as a number of RANGES[kind], or what was expected instead."""
    bounds = RANGES[kind]
    expected = f"a number in {bounds.text()} ({bounds.unit})"
    value = decimal_number(text)
    if value is None or not math.isfinite(value) or not bounds.contains(value):
        return expected
    if 0 < abs(value) < TINY:
        return f"{expected}, 0 or at least {TINY:g}"
    return value


def _month(text: str) -> str | None:
    """The month as kept (``2026-03``, or a contract month without leading zeros), or
    None when it is neither form."""
    match = _MONTH.match(text)
    if match is None:
        return None
    if match[3] is not None:
        return str(int(match[3])) if int(match[3]) >= 1 else None
    return text if int(match[1]) >= 1 and 1 <= int(match[2]) <= 12 else None


def _month_key(month: str) -> tuple[int, str]:
    return (int(month), "") if month.isdigit() else (0, month)


def _twice(found: Actual, first: int, source: str) -> Issue:
    return Issue(
        source,
        f"line {found.line}, column month",
        f"{found.month},{found.category}",
        f"one row per month and category (line {first} has it too)",
    )


def _mixed(found: Actual, source: str) -> Issue:
    return Issue(
        source,
        f"line {found.line}, column month",
        found.month,
        "every month in one form: all YYYY-MM, or all contract months 1, 2, ...",
    )
