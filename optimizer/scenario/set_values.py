"""``--set PATH=VALUE``: one scenario field changed from the command line, and back.

PATH is dotted as in variants (a list item by its ``name`` or index, ``*`` for every
item); VALUE is read as a YAML scalar or flow value (``42000``, ``0.08``, ``gold``,
``true``, ``[1, 2]``, ``{denver: 0.3}``, ``null`` to remove an optional field, as in
variants). :func:`set_text` writes a value so that it reads back the same,
which is how ``check`` prints a suggestion as ``--set`` text that runs as printed:

>>> parse_sets(["client.budget_per_month=42000", "client.min_tier.calls=silver"], "f")
{'client.budget_per_month': 42000, 'client.min_tier.calls': 'silver'}
>>> set_text("provider.min_margin", 0.0816), set_text("client.min_tier.calls", "gold")
('provider.min_margin=0.0816', 'client.min_tier.calls=gold')
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from optimizer.errors import Issue, ScenarioError
from optimizer.scenario.overrides import apply_overrides, overlapping, places
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.scenario.yaml_reading import parse_yaml

WHERE = "--set"
"""How a problem with a ``--set`` value names its origin."""


def parse_sets(specs: Sequence[str], source: str) -> dict[str, Any]:
    """``PATH=VALUE`` texts as ``{path: value}``; every malformed one is an Issue."""
    sets: dict[str, Any] = {}
    issues: list[Issue] = []
    for spec in specs:
        path, eq, text = spec.partition("=")
        path = path.strip()
        if not eq or not path:
            issues.append(Issue(source, f"{WHERE} {spec}", spec, "PATH=VALUE"))
            continue
        try:
            value = parse_yaml(text, f"{WHERE} {path}") if text.strip() else ScenarioError
        except ScenarioError:
            value = ScenarioError
        if value is ScenarioError:
            what = "a value (a number, a name, true/false, [a, list], {a: mapping} or null)"
            issues.append(Issue(source, f"{WHERE} {path}", text, what))
            continue
        if path in sets:  # the last would silently win, where --fix twice is refused
            issues.append(Issue(source, f"{WHERE} {path}", text, "one --set per path"))
            continue
        sets[path] = value
    if issues:
        raise ScenarioError(issues)
    return sets


def with_sets(
    scenario: Scenario, sets: Mapping[str, Any], source: str, inputs: list[Path] | None = None
) -> Scenario:
    """``scenario`` with every ``--set`` applied, validated again (one Issue per bad path
    or value, naming the file and the field). A profile set to ``{csv: FILE, column:
    NAME}`` is read as the loader reads one, from the folder of the file ``source``
    (appended to ``inputs``)."""
    if not sets:
        return scenario
    before = scenario.raw()
    raw, issues = apply_overrides(before, sets, source, where=WHERE)
    issues = issues or overlapping(raw, sets, source, WHERE)
    csv = any(_names_a_csv(value) for value in sets.values())
    # where each --set wrote: in the file as it was too (a null removes the item)
    where = {path: places(before, path) + places(raw, path) for path in sets}
    if issues:  # the values of the other --set are checked too, all problems at once
        if not csv:
            issues += _problems(raw, source, where)
        raise ScenarioError(issues)
    if csv:
        from optimizer.scenario.loader import resolve_csv_profiles

        try:
            raw = resolve_csv_profiles(raw, Path(source), source, inputs)
        except ScenarioError as err:
            raise ScenarioError(_named_all(err.issues, where)) from None
    try:
        return validate_scenario(raw, source)
    except ScenarioError as err:
        raise ScenarioError(_named_all(err.issues, where)) from None


def _problems(raw: dict[str, Any], source: str, where: Mapping[str, list[str]]) -> list[Issue]:
    """The validation problems of ``raw`` (the file with the --set whose paths exist),
    each named by the --set that wrote it."""
    try:
        validate_scenario(raw, source)
    except ScenarioError as err:
        return _named_all(err.issues, where)
    return []


def _names_a_csv(value: Any) -> bool:
    """Whether a ``--set`` value is (or holds) a CSV profile, ``{csv: FILE, ...}``."""
    if isinstance(value, dict):
        return "csv" in value or any(_names_a_csv(v) for v in value.values())
    return isinstance(value, list) and any(_names_a_csv(v) for v in value)


def _named_all(issues: Sequence[Issue], where: Mapping[str, list[str]]) -> list[Issue]:
    """Each validation problem inside a place a ``--set`` wrote says so in its path
    (``--set PATH``, and the item a wildcard reached), once."""
    out: list[Issue] = []
    for issue in issues:
        named = _named(issue, where)
        if named not in out:
            out.append(named)
    return out


def _named(issue: Issue, where: Mapping[str, list[str]]) -> Issue:
    """``issue`` with the ``--set`` path whose place (or a field inside it) it is at;
    as it is when no ``--set`` wrote there (a tier the set one now contradicts)."""
    for path, spots in where.items():
        for spot in spots:
            if issue.path == spot or issue.path.startswith((spot + ".", spot + "[")):
                inner = issue.path[len(spot) :]
                label = path + inner if "*" not in path else f"{path} ({issue.path})"
                return Issue(issue.file, f"{WHERE} {label}", issue.value, issue.expected)
    return issue


def value_text(value: Any) -> str:
    """A value as ``--set`` reads it back (floats with a decimal point, names bare
    unless YAML would read them as something else, lists in flow style)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isfinite(value):
        text = repr(value)
        return text if value != int(value) or "e" in text else str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        try:
            same = parse_yaml(value, WHERE) == value
        except ScenarioError:
            same = False
        return value if same and value.strip() == value and "," not in value else json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def set_text(path: str, value: Any) -> str:
    """``PATH=VALUE`` as :func:`parse_sets` reads it back to ``{path: value}``."""
    return f"{path}={value_text(value)}"
