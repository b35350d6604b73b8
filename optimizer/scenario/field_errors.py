"""pydantic's field errors in our words: one :class:`~optimizer.errors.Issue` each.

Paths are written as in the scenario file (``categories[2].tiers[1].prices``), the
expected value in our phrasing (pydantic's never reaches the user), an unknown key
with the allowed fields and the closest one, and items of one list failing the same
way as one problem.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ValidationError

from optimizer.errors import MISSING, Issue
from optimizer.scenario.model_paths import submodel
from optimizer.scenario.models import ScenarioFields


def format_path(loc: tuple[int | str, ...]) -> str:
    """``('categories', 2, 'tiers', 1, 'x')`` -> ``categories[2].tiers[1].x``.

    Discriminator tags (``<list>``, ``<range>``, ...) are dropped.

    >>> format_path(("categories", 2, "<list>", "tiers", 1, "service_level"))
    'categories[2].tiers[1].service_level'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.startswith("<"):
            out += f".{part}" if out else part
    return out


_EXPECTED = {
    "extra_forbidden": "no such field (check the spelling)",
    "missing": "a value (this field is required)",
    "finite_number": "a finite number",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
}

_CONTEXT_EXPECTED = {
    "too_short": "a list of at least {min_length} {items}",
    "too_long": "a list of at most {max_length} items",
    "string_too_short": "text of at least {min_length} character(s)",
    "string_too_long": "text of at most {max_length} characters",
    "greater_than": "a number > {gt}",
    "greater_than_equal": "a number >= {ge}",
    "less_than": "a number < {lt}",
    "less_than_equal": "a number <= {le}",
    "literal_error": "one of {expected}",
}

_KEY = "[key]"
"""pydantic's location marker for a mapping key (as opposed to its value)."""


def pydantic_issues(exc: ValidationError, source: str) -> list[Issue]:
    """One :class:`Issue` per pydantic error, with our path format and wording."""
    issues = []
    errors = exc.errors(include_url=False)
    failed = [tuple(e["loc"]) for e in errors]
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in failed
        ):
            continue  # a list whose items failed is not also "too short"
        kind = err["type"]
        value = MISSING if kind == "missing" else _brief_value(err.get("input"))
        expected = _expected(err)
        if kind == "extra_forbidden":
            expected = _unknown_key_expected(loc)
        if _KEY in loc:  # a bad key of a mapping: name the mapping, show the key
            loc = loc[: loc.index(_KEY) - 1]
            expected = f"keys that are {expected}"
        elif kind == "invalid_key":  # not text: its loc ends with the key itself
            loc = loc[:-1]
        issues.append(Issue(source, format_path(loc), value, expected))
    return _one_per_list(issues)


def _one_per_list(issues: list[Issue]) -> list[Issue]:
    """Items of one list failing the same way are one problem (the first, and a count).

    >>> bad = [Issue("f", f"profile[{i}]", 1e308, "a number") for i in range(3)]
    >>> [str(i) for i in _one_per_list(bad)]
    ['f: profile[0] = 1e+308: expected a number (2 more items of this list too)']
    """
    groups: dict[tuple[str, str, int], list[Issue]] = {}
    for n, issue in enumerate(issues):
        head, bracket, tail = issue.path.rpartition("[")
        listed = bracket and tail.endswith("]") and tail[:-1].isdigit()
        key = (head, issue.expected, -1) if listed else (issue.path, issue.expected, n)
        groups.setdefault(key, []).append(issue)
    out = []
    for group in groups.values():
        first = group[0]
        if len(group) > 1:
            more = f"{first.expected} ({len(group) - 1} more items of this list too)"
            first = Issue(first.file, first.path, first.value, more)
        out.append(first)
    return out


def _expected(err: Any) -> str:
    """What was expected, in our words (pydantic's phrasing never reaches the user)."""
    kind = err["type"]
    if kind in _EXPECTED:
        return _EXPECTED[kind]
    template = _CONTEXT_EXPECTED.get(kind)
    context = err.get("ctx") or {}
    if template is not None:
        try:
            items = "item" if context.get("min_length") == 1 else "items"
            return template.format(items=items, **context)
        except (KeyError, IndexError):
            pass
    return _strip_input_should(err["msg"])


def _brief_value(value: Any) -> Any:
    """A huge integer shown by its size (its repr may be refused or fill the screen)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"<an integer of about {digits} digits>"
    return value


def _strip_input_should(msg: str) -> str:
    if msg == "Keys should be strings":  # a number as a mapping's key (client: {1: 2})
        return "field names (text) as a mapping's keys"
    prefix = "Input should be "
    return msg[len(prefix) :] if msg.startswith(prefix) else msg


def _unknown_key_expected(loc: tuple[int | str, ...]) -> str:
    """Name the allowed fields (and the closest one) for an unknown key."""
    import difflib

    model: type[BaseModel] | None = ScenarioFields
    parts = [p for p in loc[:-1] if not isinstance(p, int)]
    for i, part in enumerate(parts):
        if part.startswith("<") or model is None:
            continue
        tag = parts[i + 1] if i + 1 < len(parts) and parts[i + 1].startswith("<") else None
        model = submodel(model, part, tag)
    if model is None:
        return _EXPECTED["extra_forbidden"]
    allowed = sorted(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"a known field ({hint}allowed: {', '.join(allowed)})"
