"""Exception and warning hierarchy of tierprice.

Every error the product raises on purpose derives from :class:`OptimizerError`;
the command line maps each class to one documented exit code.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem found in a scenario: where it is, what it was, what was expected.

    >>> str(Issue("deal.yaml", "categories[0].aht_seconds", -3, "a number > 0"))
    'deal.yaml: categories[0].aht_seconds = -3: expected a number > 0'
    """

    file: str
    path: str
    value: object
    expected: str

    def __str__(self) -> str:
        path = _one_line(self.path)
        where = f"{self.file}: {path}" if path else self.file
        return f"{where} = {_show(self.value)}: expected {_one_line(self.expected)}"


def _one_line(text: str) -> str:
    """Control characters escaped, so one problem is always one line."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


_MISSING = object()


def _show(value: object) -> str:
    """Render a bad value briefly (long values are cut, NaN spelled out)."""
    if value is _MISSING:
        return "(missing)"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, datetime.date):  # YAML read 2027-01-01 as a date
        return value.isoformat()
    if hasattr(value, "model_dump"):  # a part the schema had already read: as written
        value = value.model_dump(exclude_defaults=True)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


MISSING = _MISSING
"""Marker for :attr:`Issue.value` when the field was absent."""

NAMES_SHOWN = 12
"""Names an expected value lists (a scenario of 2,000 categories made each message of a
misspelt one 18,000 characters long)."""


def listed(items: Iterable[str]) -> str:
    """The names a value may take, for an Issue's ``expected``: the first
    ``NAMES_SHOWN``, then how many more.

    >>> listed(["a", "b"]), listed(f"c{i}" for i in range(14))
    ('a, b', 'c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11 and 2 more')
    """
    every = list(items)
    shown = ", ".join(every[:NAMES_SHOWN])
    more = len(every) - NAMES_SHOWN
    return f"{shown} and {more:,} more" if more > 0 else shown


MAX_SHOWN = 50
"""Problems listed in a ScenarioError's message (all stay in ``.issues``)."""


class OptimizerError(Exception):
    """Base class of every error tierprice raises on purpose."""


class ScenarioError(OptimizerError):
    """An invalid scenario: carries every problem found, not just the first."""

    def __init__(
        self, issues: list[Issue] | tuple[Issue, ...], subject: str = "the scenario"
    ) -> None:
        """``subject``: what the issues are in, for the heading (``the actuals file``)."""
        self.issues: tuple[Issue, ...] = tuple(issues)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in {subject}"
        shown = [f"  - {i}" for i in self.issues[:MAX_SHOWN]]
        if count > MAX_SHOWN:
            shown.append(f"  ... and {count - MAX_SHOWN} more")
        super().__init__(head + ":\n" + "\n".join(shown))


class SolverError(OptimizerError):
    """The solver failed, or stopped on its time limit before any solution."""


class VerificationError(OptimizerError):
    """An independent re-check found the solution violating the model it solved."""


class NumericalWarning(UserWarning):
    """Inputs left the range in which the numerics are tested."""
