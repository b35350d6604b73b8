"""Apply ``{path: value}`` overrides to a raw scenario mapping (variants, sweeps, CLI).

Paths are dotted; a list item is named by its ``name`` (or by its index), and
``*`` stands for every item of a list or every key of a mapping:

>>> raw = {"categories": [{"name": "billing", "contacts_per_month": 100}]}
>>> new, issues = apply_overrides(raw, {"categories.billing.contacts_per_month": 110}, "f")
>>> new["categories"][0]["contacts_per_month"], issues, raw["categories"][0]["contacts_per_month"]
(110, [], 100)
>>> apply_overrides(raw, {"categories.biling.aht_seconds": 1}, "f")[1][0].path
'variants: categories.biling.aht_seconds'
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from optimizer.errors import Issue
from optimizer.scenario.model_paths import holds_a_block, submodel_holding


class PathError(LookupError):
    """A path segment names nothing."""

    def __init__(self, segment: str, known: list[str]) -> None:
        self.segment = segment
        self.known = known
        super().__init__(segment)


def apply_overrides(
    raw: Mapping[str, Any], overrides: Mapping[str, Any], source: str, where: str = "variants"
) -> tuple[dict[str, Any], list[Issue]]:
    """Return a deep copy of ``raw`` with each override set, and the problems found."""
    from optimizer.scenario.models import ScenarioFields

    new = copy.deepcopy(dict(raw))
    issues = []
    for path, value in overrides.items():
        try:
            update_path(new, str(path), _setter(value), ScenarioFields)
        except PathError as err:
            known = ", ".join(err.known) if err.known else "nothing"
            issues.append(
                Issue(
                    source,
                    labelled(where, str(path)),
                    value,
                    f"a path that exists ('{err.segment}' not found; known here: {known})",
                )
            )
    return new, issues


def labelled(where: str, path: str) -> str:
    """An override's path as a problem names it: ``--set PATH`` for an option,
    ``variants.NAME: PATH`` for a file's section.

    >>> labelled("--set", "provider.shrinkage"), labelled("variants.v", "provider.shrinkage")
    ('--set provider.shrinkage', 'variants.v: provider.shrinkage')
    """
    return f"{where} {path}" if where.startswith("--") else f"{where}: {path}"


def overlapping(raw: Any, overrides: Mapping[str, Any], source: str, where: str) -> list[Issue]:
    """One problem per override that sets a field an earlier one of ``overrides`` sets
    too, under another spelling (``categories.0.aht_seconds`` after
    ``categories.calls.aht_seconds``, a wildcard over it, or a block holding it): the
    last would silently win, where the same path twice is refused. ``raw``: the scenario
    the overrides were applied to.

    >>> raw = {"categories": [{"name": "calls", "aht_seconds": 200}]}
    >>> sets = {"categories.calls.aht_seconds": 100, "categories.0.aht_seconds": 200}
    >>> (issue,) = overlapping(raw, sets, "f", "--set")
    >>> issue.path, issue.expected  # doctest: +NORMALIZE_WHITESPACE
    ('--set categories.0.aht_seconds',
     'one change per field (categories[0].aht_seconds is set by categories.calls.aht_seconds too)')
    """
    issues = []
    seen: list[tuple[str, str]] = []  # (place, the override's path)
    for path, value in overrides.items():
        mine = places(raw, str(path))
        clash = next(((p, q) for p in mine for (p2, q) in seen if _overlap(p, p2)), None)
        if clash is not None:
            expected = f"one change per field ({clash[0]} is set by {clash[1]} too)"
            issues.append(Issue(source, labelled(where, str(path)), value, expected))
            continue
        seen += [(p, str(path)) for p in mine]
    return issues


def _overlap(a: str, b: str) -> bool:
    """Whether one schema path is the other or holds it."""
    short, long = sorted((a, b), key=len)
    return long == short or long.startswith((short + ".", short + "["))


def _setter(value: Any) -> Callable[[Any], Any]:
    """A change that replaces the old value by a fresh copy of ``value``."""

    def change(_old: Any) -> Any:
        return copy.deepcopy(value)

    return change


def update_path(
    root: dict[str, Any],
    path: str,
    change: Callable[[Any], Any],
    model: type[BaseModel] | None = None,
) -> int:
    """Set every place ``path`` names to ``change(old)``; returns how many were set.

    The last segment may name a mapping key that is not there yet (an optional field
    left at its default); every other segment must exist, but where ``model`` (the
    schema of ``root``) says a missing key is a block of fields (``escalation``,
    ``uncertainty``, a category's ``terms``), the block is started empty:
    ``escalation.wages`` sets the wages of a scenario that gave no escalation.

    >>> from optimizer.scenario.models import ScenarioFields
    >>> raw = {"scenario": "s"}
    >>> update_path(raw, "escalation.wages", lambda old: 0.03, ScenarioFields), raw
    (1, {'scenario': 's', 'escalation': {'wages': 0.03}})
    """
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise PathError(path, [])
    nodes: list[tuple[Any, type[BaseModel] | None]] = [(root, model)]
    for part in parts[:-1]:
        nodes = [child for node, held in nodes for child in _children(node, part, held)]
    last = parts[-1]
    count = 0
    wildcard = "*" in parts[:-1]  # every item that has the field: others are passed over
    missed: PathError | None = None
    for node, _ in nodes:
        if isinstance(node, dict):
            keys = list(node) if last == "*" else [last]
            for key in keys:
                node[key] = change(node.get(key))
                count += 1
        elif isinstance(node, list):
            try:
                indices = _list_indices(node, last)
            except PathError as err:  # a price list where other tiers have a range's max
                if not wildcard:
                    raise
                missed = missed or err
                continue
            for index in indices:
                node[index] = change(node[index])
                count += 1
        else:
            raise PathError(last, [])
    if missed is not None and count == 0:
        raise missed
    return count


def _children(
    node: Any, part: str, model: type[BaseModel] | None
) -> list[tuple[Any, type[BaseModel] | None]]:
    """The nodes ``part`` names in ``node``, each with its schema (None where unknown)."""
    if isinstance(node, dict):
        if part == "*":
            return [(child, None) for child in node.values()]
        sub = None if model is None else submodel_holding(model, part, node.get(part))
        if part not in node:
            if model is None or not holds_a_block(model, part):
                known = sorted({*map(str, node), *model_fields(model)})
                raise PathError(part, known)
            node[part] = {}  # a block left out: started empty, its fields' defaults hold
        return [(node[part], sub)]
    if isinstance(node, list):
        return [(node[i], model) for i in _list_indices(node, part)]
    raise PathError(part, [])


def places(root: Any, path: str) -> list[str]:
    """The schema paths (``categories[0].tiers[1].service_level``) of every place
    ``path`` names in ``root``, as validation errors name them; none where it names
    nothing.

    >>> places({"tiers": [{"name": "a"}, {"name": "b", "x": {"y": 1}}]}, "tiers.*.x.y")
    ['tiers[1].x.y']
    """
    found = [("", root)]
    for part in path.split("."):
        step = []
        for where, node in found:
            if isinstance(node, dict):
                keys = list(node) if part == "*" else [part]
                step += [(f"{where}.{k}" if where else str(k), node.get(k)) for k in keys]
            elif isinstance(node, list):
                try:
                    step += [(f"{where}[{i}]", node[i]) for i in _list_indices(node, part)]
                except PathError:
                    continue
        found = step
    return [where for where, node in found if node is not None]


def model_fields(model: type[BaseModel] | None) -> list[str]:
    """The field names (aliases where given) of ``model``; none without one."""
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def list_indices(items: list[Any], part: str) -> list[int]:
    """Indices of the list items ``part`` names (by name, index or ``*``), or PathError."""
    return _list_indices(items, part)


def _list_indices(items: list[Any], part: str) -> list[int]:
    if part == "*":
        return list(range(len(items)))
    named = [
        i for i, item in enumerate(items) if isinstance(item, dict) and item.get("name") == part
    ]
    if named:
        return named
    if part.isdigit() and int(part) < len(items):
        return [int(part)]
    known = [str(item.get("name")) for item in items if isinstance(item, dict) and "name" in item]
    raise PathError(part, known)
