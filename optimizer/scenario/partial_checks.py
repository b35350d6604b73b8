"""The cross-field problems of a scenario whose fields did not all validate.

Validation has two steps: pydantic checks each field, then ``rules.cross_checks`` checks
fields against each other (a tier without prices, a profile of the wrong length, a
minimum tier that does not exist, two categories of one name, the variants). The second
step needs a scenario whose fields are valid, so a file with ``aht_seconds: 0`` and a
tier without prices reported the first problem alone, and the second only once the
first was fixed. Every problem should be reported at once.

So a file that failed the first step is repaired and checked again, twice: every number
out of its range is replaced by the smallest, then by the largest, of a few stand-in
values its field accepts, and every unknown key is left out. A cross-field problem is
reported only when both repairs find it: a problem of a stand-in (a tier's service level
now below the one before it) differs between the two. Nor is one reported at a field
that was replaced, or beside a key left out (a mistyped ``contacts_per_mont`` leaves
``contacts_per_month`` missing: one problem, already named with its guess). Anything
else (a wrong type, a missing block) is not repaired: the first step's problems are
then all there is.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from optimizer.errors import Issue
from optimizer.scenario.field_errors import format_path

STAND_INS = (0, 0.001, 0.05, 0.5, 0.8, 0.95, 1, 2, 10, 60, 300, 1000, 100_000, 1_000_000)
"""Values tried for a number out of its range, in increasing order."""
MOST_ERRORS = 50
"""Beyond this many field errors, no repair is tried (it costs a validation per stand-in)."""
MOST_CATEGORIES = 200
"""Nor beyond this many categories: 16 more validations of 2,000 categories took 2 s."""

Loc = tuple[int | str, ...]
Check = Callable[[Any], list[Issue]]
"""Validates a raw mapping through both steps: its cross-field problems, [] when valid;
raises pydantic's ValidationError when a field is invalid."""


def problems_beyond(raw: Any, exc: ValidationError, check: Check) -> list[Issue]:
    """The cross-field problems ``check`` finds in both repairs of ``raw`` (see the module
    docstring); [] when it cannot be repaired."""
    plan = _repairs(raw, exc.errors(include_url=False))
    if plan is None:
        return []
    numbers, unknown = plan
    with warnings.catch_warnings():  # the file's own warnings were given by the first step
        warnings.simplefilter("ignore")
        accepted = _accepted(raw, numbers, unknown, check)
        if accepted is None:
            return []
        found = []
        for pick in (min, max):
            repaired = _with(raw, {loc: pick(ok) for loc, ok in accepted.items()}, unknown)
            try:
                found.append(check(repaired))
            except ValidationError:
                return []
    replaced = {format_path(loc) for loc in numbers}
    beside = {format_path(loc[:-1]) for loc in unknown}  # a typo's field is missing there
    high = {_key(i) for i in found[1]}
    return [
        i
        for i in found[0]
        if _key(i) in high and i.path not in replaced and _parent_path(i.path) not in beside
    ]


def _parent_path(path: str) -> str:
    """``categories[0].tiers`` -> ``categories[0]``; ``client`` -> ``''``.

    >>> _parent_path("categories[0].tiers[1].prices"), _parent_path("client")
    ('categories[0].tiers[1]', '')
    """
    head, _, _ = path.rpartition(".")
    return head


def _key(issue: Issue) -> tuple[str, str, str]:
    return issue.path, repr(issue.value), issue.expected


def _repairs(raw: Any, errors: list[Any]) -> tuple[list[Loc], list[Loc]] | None:
    """The numbers to replace and the unknown keys to leave out, or None when some error
    is neither (or there are too many)."""
    categories = raw.get("categories") if isinstance(raw, dict) else None
    if len(errors) > MOST_ERRORS or (
        isinstance(categories, list) and len(categories) > MOST_CATEGORIES
    ):
        return None
    locs = [tuple(e["loc"]) for e in errors]
    numbers, unknown = [], []
    for err, loc in zip(errors, locs, strict=True):
        if any(len(o) > len(loc) and o[: len(loc)] == loc for o in locs):
            continue  # a list or union that failed because an item did
        value = err.get("input")
        path = _raw_loc(raw, loc)
        if path is None:
            return None
        if err["type"] == "extra_forbidden":
            unknown.append(path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            numbers.append(path)
        else:
            return None
    return numbers, unknown


def _raw_loc(raw: Any, loc: Loc) -> Loc | None:
    """``loc`` without pydantic's tags, if it names a place in ``raw``."""
    out: list[int | str] = []
    node = raw
    for part in loc:
        if isinstance(part, str) and part.startswith("<"):
            continue
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            return None
        node = node[part]
        out.append(part)
    return tuple(out)


def _accepted(
    raw: Any, numbers: list[Loc], unknown: list[Loc], check: Check
) -> dict[Loc, list[float]] | None:
    """Per number to replace, the stand-ins its field accepts (one validation per
    stand-in, every number set to it); None when one accepts none."""
    accepted: dict[Loc, list[float]] = {loc: [] for loc in numbers}
    names = {format_path(loc): loc for loc in numbers}
    for value in STAND_INS:
        candidate = _with(raw, dict.fromkeys(numbers, value), unknown)
        try:
            check(candidate)
            refused: set[str] = set()
        except ValidationError as err:
            refused = {format_path(tuple(e["loc"])) for e in err.errors(include_url=False)}
        for name, loc in names.items():
            if name not in refused:
                accepted[loc].append(value)
    if any(not ok for ok in accepted.values()):
        return None
    return accepted


def _with(raw: Any, values: dict[Loc, float], unknown: list[Loc]) -> Any:
    """A deep copy of ``raw`` with ``values`` set and the ``unknown`` keys left out."""
    out = copy.deepcopy(raw)
    for loc, value in values.items():
        _parent(out, loc)[loc[-1]] = value
    for loc in unknown:
        del _parent(out, loc)[loc[-1]]
    return out


def _parent(node: Any, loc: Loc) -> Any:
    for part in loc[:-1]:
        node = node[part]
    return node
