"""What changed between two runs: the scenario by field path, the result by tier,
price and margin, and the JSON of a replay against the stored one.

Paths are written as ``--set`` and ``--vary`` take them: dotted, a list item named
by its ``name`` when every item of the list has a distinct one (else by its index):

>>> old = {"client": {"budget": 10}, "categories": [{"name": "calls", "aht": 300}]}
>>> new = {"client": {"budget": 12}, "categories": [{"name": "calls", "aht": 280}]}
>>> [str(c) for c in changes(old, new)]
['categories.calls.aht: 300 -> 280', 'client.budget: 10 -> 12']
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MISSING = "(absent)"
"""How a value present on one side only is shown."""


@dataclass(frozen=True)
class Change:
    """One value that differs: its path, the old value and the new one."""

    path: str
    old: Any
    new: Any

    def __str__(self) -> str:
        return f"{self.path}: {_show(self.old)} -> {_show(self.new)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"path": self.path, "old": self.old, "new": self.new}


def _show(value: Any) -> str:
    if value is MISSING:
        return MISSING
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """A list of named mappings as ``{name: item}`` (None unless every name is distinct)."""
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    if not items or any(not isinstance(n, str) for n in names) or len(set(names)) != len(names):
        return None
    return {str(n): item for n, item in zip(names, items, strict=True)}


def changes(old: Any, new: Any, ignore: Iterable[str] = (), prefix: str = "") -> list[Change]:
    """Every leaf that differs between ``old`` and ``new``, sorted by path.

    ``ignore`` names top-level keys left out (``solver``: timings differ run to run).
    """
    skip = set(ignore)
    out: list[Change] = []
    _walk(old, new, prefix, out, skip)
    return sorted(out, key=lambda c: c.path)


def _walk(old: Any, new: Any, path: str, out: list[Change], skip: set[str]) -> None:
    if isinstance(old, list) and isinstance(new, list):
        a, b = _keyed(old), _keyed(new)
        if a is not None and b is not None:
            old, new = a, b
        elif len(old) == len(new):
            old, new = dict(enumerate(old)), dict(enumerate(new))
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            here = f"{path}.{key}" if path else str(key)
            if not path and key in skip:
                continue
            _walk(old.get(key, MISSING), new.get(key, MISSING), here, out, skip)
        return
    if old != new:
        out.append(Change(path, old, new))


RESULT_CATEGORY_FIELDS = ("tier", "price", "revenue", "cost", "margin")
"""What ``runs diff`` compares per category of the result."""
RESULT_TOTAL_FIELDS = ("revenue", "cost", "margin", "margin_pct", "client_cost_per_contact")
"""What ``runs diff`` compares of the result's totals."""


def result_view(result: dict[str, Any]) -> dict[str, Any]:
    """The part of a result JSON ``runs diff`` shows: status, verified, the totals, and
    each category's tier, price, revenue, cost and margin."""
    totals = result.get("totals") or {}
    return {
        "status": result.get("status"),
        "verified": result.get("verified"),
        "totals": {f: totals.get(f) for f in RESULT_TOTAL_FIELDS if f in totals},
        "categories": {
            c["name"]: {f: c.get(f) for f in RESULT_CATEGORY_FIELDS if f in c}
            for c in result.get("categories") or []
            if isinstance(c, dict) and "name" in c
        },
    }


def json_paths_differ(stored: str, fresh: str) -> list[Change]:
    """What differs between two JSON texts of one command, outside ``solver`` (its
    timings), at the top level or inside ``check``'s ``result``."""
    a, b = json.loads(stored), json.loads(fresh)
    if isinstance(a, dict) and isinstance(b, dict):
        for side in (a, b):
            if isinstance(side.get("result"), dict):
                side["result"] = {k: v for k, v in side["result"].items() if k != "solver"}
    return changes(a, b, ignore=("solver",))
