"""CSV profiles: one column of a CSV file's text as a profile's weights, in week order.

The first line is the header, ``column`` names one of its cells; blank lines are
skipped; every other line holds a number in that column. When the first column
holds labels (``mon 09:00``, ``09:00``) the rows are put in week order by them.
Messages name the file, the line and the column, never the file's content (an
absolute path may name any file). Finding and reading the file is the loader's job
(:mod:`optimizer.scenario.loader`).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from optimizer.conventions import DAYS, MINUTES_PER_WEEK
from optimizer.errors import Issue, ScenarioError
from optimizer.scenario.field_types import RANGES, decimal_number
from optimizer.scenario.week import MINUTES_PER_DAY


@dataclass(frozen=True)
class CsvPlace:
    """Where a CSV profile is named: the scenario file, the profile's path in it
    (``categories[0].profile``) and the CSV file's name as written."""

    source: str
    where: str
    name: str

    def error(self, field: str, value: object, expected: str) -> ScenarioError:
        """A ScenarioError about ``field`` (``csv`` or ``column``) of the profile."""
        return ScenarioError([Issue(self.source, f"{self.where}.{field}", value, expected)])


def csv_weights(text: str, column: object, place: CsvPlace) -> list[float]:
    """The numbers of the CSV column named ``column`` (by header), in week order."""
    rows = _rows(text, place)
    header = rows[0] if rows else []
    if not isinstance(column, str) or column not in header:
        count = len(header)
        shape = f"has {count} column{'s' if count != 1 else ''}" if header else "is empty"
        other = other_separator(header)
        if other is not None:
            shape += f", separated by {other!r}: the cells must be separated by commas"
        raise place.error(
            "column",
            column,
            f"a column named in the first line of {place.name} (its first line {shape})",
        )
    if header.count(column) > 1:
        raise place.error(
            "column",
            column,
            f"a column named once in the first line of {place.name} (it names {column!r} "
            f"{header.count(column)} times)",
        )
    index = header.index(column)
    values, labels, lines = _column(rows, index, column, place)
    if index == 0 or all(_is_number(label) for label in labels):
        return values  # no label column: rows are in week order
    try:
        order = label_order(labels)
    except LabelError as err:
        raise place.error(
            "csv",
            f"{place.name} line {lines[err.row]}: {err.label!r}",
            f"row labels (column {header[0]!r}) with {err.expected}",
        ) from None
    return [values[row] for row in order]


class CsvReadError(ValueError):
    """The csv module could not read a line (e.g. a field over its 131,072 characters)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


def other_separator(header: list[str]) -> str | None:
    """The separator a one-cell header line uses instead of commas (``;``, a tab, ``|``:
    a spreadsheet's export), or None.

    >>> other_separator(["month;category"]), other_separator(["month", "category"])
    (';', None)
    """
    if len(header) != 1:
        return None
    return next((sep for sep in ";\t|" if sep in header[0]), None)


def csv_rows(text: str) -> list[list[str]]:
    """The rows of a CSV text, or :class:`CsvReadError` naming the line."""
    reader = csv.reader(text.splitlines())
    try:
        return list(reader)
    except csv.Error as err:
        raise CsvReadError(reader.line_num, str(err).split(":")[0]) from None


def _rows(text: str, place: CsvPlace) -> list[list[str]]:
    try:
        return csv_rows(text)
    except CsvReadError as err:
        where = f"{place.name} line {err.line}"
        raise place.error("csv", where, f"a readable CSV file ({err.problem})") from None


def _column(
    rows: list[list[str]], index: int, column: str, place: CsvPlace
) -> tuple[list[float], list[str], list[int]]:
    """The column's numbers, the first cell (label) and the line number of each row,
    blank lines skipped; a cell that is no number in range is an error."""
    values: list[float] = []
    labels: list[str] = []
    lines: list[int] = []
    top = RANGES["weight"]
    for line, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) > len(rows[0]):
            raise place.error(
                "csv",
                f"{place.name} line {line}",
                f"at most {len(rows[0])} cells in a row, as in the first line (it has "
                f"{len(row)}; a decimal comma splits a number in two)",
            )
        cell = row[index].strip() if index < len(row) else ""
        value = decimal_number(cell)
        if value is None or not math.isfinite(value) or not top.contains(value):
            raise place.error(
                "csv",
                f"{place.name} line {line}",
                f"a non-negative number in every row, at most {top.high:g} "
                f"(line {line}, column {column})",
            )
        values.append(value)
        labels.append(row[0])
        lines.append(line)
    return values, labels, lines


def _is_number(text: str) -> bool:
    return decimal_number(text.strip()) is not None


# ---------------------------------------------------------------------------
# Row labels
# ---------------------------------------------------------------------------

_LABEL = re.compile(r"^(?:([a-z]+)\s+)?(\d{1,2}):(\d{2})$")
_LABEL_PHRASE = 'a label like "mon 09:00" (day and start time) or "09:00" (time of day)'


class LabelError(ValueError):
    """A row label that cannot be placed in the week; ``row`` is its 0-based index."""

    def __init__(self, row: int, label: str, expected: str) -> None:
        super().__init__(f"expected {expected}, got {label!r}")
        self.row = row
        self.label = label
        self.expected = expected


def _label_slot(label: str, row: int) -> tuple[bool, int]:
    """(has a day, minute of the week or of the day) of one row label."""
    match = _LABEL.match(label.strip().lower())
    if match is None:
        raise LabelError(row, label, _LABEL_PHRASE)
    day_text, hours, minutes = match[1], int(match[2]), int(match[3])
    if hours > 23 or minutes > 59:
        raise LabelError(row, label, _LABEL_PHRASE)
    minute = hours * 60 + minutes
    if day_text is None:
        return False, minute
    days = [d for d in DAYS if day_text.startswith(d) and _DAY_NAMES[d].startswith(day_text)]
    if not days:
        raise LabelError(row, label, _LABEL_PHRASE)
    return True, DAYS.index(days[0]) * MINUTES_PER_DAY + minute


_DAY_NAMES = dict(zip(DAYS, ("monday", "tuesday", "wednesday", "thursday", "friday",
                             "saturday", "sunday"), strict=True))  # fmt: skip


def label_order(labels: Sequence[str]) -> list[int]:
    """Row indices in week order (Monday 00:00 first), read from the rows' labels.

    Labels are ``"<day> HH:MM"`` (``mon``..``sun`` or the full name, any case), or
    ``"HH:MM"`` alone for a profile of one day. They must form a complete regular
    grid (every 15, 30 or 60 minutes, or every hour), each slot once; an export that
    starts on Sunday is put back in order. Raises :class:`LabelError` naming the row.

    >>> label_order(["12:00", "00:00"])
    [1, 0]
    >>> label_order(["Sun 12:00", "Mon 00:00"])
    Traceback (most recent call last):
    ...
    optimizer.scenario.csv_profiles.LabelError: expected a start time on the 5040-minute grid of \
2 rows, got 'Sun 12:00'

    """
    slots = [_label_slot(label, row) for row, label in enumerate(labels)]
    if not slots:
        return []
    with_day = slots[0][0]
    for row, (has_day, _) in enumerate(slots):
        if has_day != with_day:
            kind = '"<day> HH:MM"' if with_day else '"HH:MM"'
            raise LabelError(row, labels[row], f"a label of the same kind as the first ({kind})")
    span = MINUTES_PER_WEEK if with_day else MINUTES_PER_DAY
    count = len(slots)
    step = span // count if span % count == 0 else 0
    seen: dict[int, int] = {}
    for row, (_, minute) in enumerate(slots):
        if step and minute % step:
            raise LabelError(
                row, labels[row], f"a start time on the {step}-minute grid of {count} rows"
            )
        if minute in seen:
            raise LabelError(row, labels[row], f"each interval once ({labels[seen[minute]]!r} too)")
        seen[minute] = row
    return [row for _, row in sorted((minute, row) for row, (_, minute) in enumerate(slots))]
