"""Shared test helpers: data folders and a documented scenario factory.

Import from tests as ``from helpers import ...`` (pytest puts ``tests/`` on the path).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optimizer.scenario.schema import Scenario, example_raw, validate_scenario

ROOT = Path(__file__).resolve().parent.parent
"""The repository root."""

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Test data: ``invalid/`` (one defect per file), ``valid/``, ``golden/``."""

INVALID_DIR = DATA_DIR / "invalid"
"""Deliberately broken scenarios, one defect per file, named after the defect."""

SCENARIOS_DIR = ROOT / "scenarios"
"""The example scenarios shipped with the product."""


def expected_path(path: Path) -> str:
    """The text after ``# expect:`` on the first line of an invalid scenario file."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# expect:"
    if not first.startswith(prefix):
        raise ValueError(f"{path.name}: first line must be '# expect: <field path>'")
    return first[len(prefix) :].strip()


def dotted(overrides: dict[str, Any]) -> dict[str, Any]:
    """Keyword-friendly paths: ``a__b__c`` -> ``a.b.c`` (dotted keys pass unchanged)."""
    return {key.replace("__", "."): value for key, value in overrides.items()}


def make_raw(**overrides: Any) -> dict[str, Any]:
    """The example scenario as a raw mapping (defaults filled in) with overrides applied.

    Not validated: for feeding deliberately invalid data to ``validate_scenario``.
    Paths as in :func:`make_scenario`; a path naming nothing raises ``KeyError``.

    >>> make_raw(client__budget_per_month=-1)["client"]["budget_per_month"]
    -1
    """
    from optimizer.scenario.overrides import apply_overrides

    full = validate_scenario(example_raw(), "<example>").raw()
    raw, issues = apply_overrides(full, dotted(overrides), "<make_raw>")
    if issues:
        raise KeyError("; ".join(str(issue) for issue in issues))
    return raw


def make_scenario(**overrides: Any) -> Scenario:
    """A validated :class:`Scenario` built from ``example_raw()`` with overrides applied.

    The example has one site ``home`` and two categories, ``calls`` (voice, tier
    ``std``) and ``mail`` (deferred, tier ``std``). Each keyword is a dotted override
    path as in scenario variants (list items by name or index, ``*`` for all);
    write the dots as ``__`` in keyword form, or pass dotted keys with ``**{...}``:

    >>> make_scenario(categories__calls__aht_seconds=240).category("calls").aht_seconds
    240.0
    >>> make_scenario(**{"provider.sites.home.seats": 10}).site("home").seats
    10

    Overrides go through :meth:`Scenario.with_overrides`, so the result is
    re-validated and an invalid override raises ``ScenarioError``.
    """
    base = validate_scenario(example_raw(), "<example>")
    return base.with_overrides(dotted(overrides)) if overrides else base
