"""Held choices from the command line: ``--fix CATEGORY=TIER@PRICE`` -> ``FixedChoice``.

Each spec is checked against the scenario (a known category, one of its tiers, a
finite price >= 0, one per category); every bad one is named in one ScenarioError.
"""

from __future__ import annotations

from optimizer.errors import Issue, ScenarioError
from optimizer.results import FixedChoice
from optimizer.scenario.schema import Scenario


def parse_fixes(
    scenario: Scenario, specs: tuple[str, ...] | list[str], source: str = "--fix"
) -> dict[str, FixedChoice]:
    """``["billing=gold@0.95"]`` -> held choices, or a ScenarioError naming each bad one."""
    fixed: dict[str, FixedChoice] = {}
    issues = []
    names = {c.name: c for c in scenario.categories}
    for spec in specs:
        cat, _, rest = spec.partition("=")
        tier, _, price_text = rest.partition("@")
        try:
            price = float(price_text)
        except ValueError:
            price = float("nan")
        if cat not in names:
            issues.append(
                Issue(
                    source,
                    "--fix",
                    spec,
                    f"CATEGORY=TIER@PRICE with a category of {', '.join(names)}",
                )
            )
        elif tier not in {t.name for t in names[cat].tiers}:
            tiers = ", ".join(t.name for t in names[cat].tiers)
            issues.append(Issue(source, "--fix", spec, f"a tier of {cat} ({tiers})"))
        elif not (price >= 0 and price < float("inf")):
            issues.append(Issue(source, "--fix", spec, "a price: a finite number >= 0"))
        elif cat in fixed:
            issues.append(Issue(source, "--fix", spec, f"one --fix per category ({cat} twice)"))
        else:
            fixed[cat] = FixedChoice(tier, price)
    if issues:
        raise ScenarioError(issues)
    return fixed
