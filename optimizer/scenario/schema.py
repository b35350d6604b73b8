"""The validated scenario: one deal, as frozen pydantic models that forbid unknown keys.

A ``Scenario`` is built only through :func:`validate_scenario` (or
``optimizer.scenario.loader.load_scenario`` for files), which gathers *every* problem of a
raw mapping into one :class:`~optimizer.errors.ScenarioError` — pydantic's own
field errors first (:mod:`optimizer.scenario.field_errors`), then the cross-field
checks of :mod:`optimizer.scenario.rules`, then the variants (each must give a valid
scenario). Code after this point trusts the scenario and does not re-validate it.

The models of its parts are in :mod:`optimizer.scenario.models`, the ranges of its
numbers in :mod:`optimizer.scenario.field_types`; ``Scenario`` adds to the root
fields what needs the validation: overrides and variants.

>>> s = validate_scenario(example_raw())
>>> [c.name for c in s.categories]
['calls', 'mail']
>>> bigger = s.with_overrides({"categories.calls.contacts_per_month": 11000})
>>> bigger.category("calls").contacts_per_month
11000.0
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from optimizer.errors import Issue, ScenarioError
from optimizer.scenario.field_errors import pydantic_issues
from optimizer.scenario.field_types import RANGES, Number
from optimizer.scenario.models import ScenarioFields
from optimizer.scenario.overrides import apply_overrides, overlapping
from optimizer.scenario.partial_checks import problems_beyond
from optimizer.scenario.rules import cross_checks


# No class docstring: pydantic would write it into the JSON schema as its description.
class Scenario(ScenarioFields):
    def with_overrides(
        self, overrides: Mapping[str, Any], source: str = "<override>", where: str = "override"
    ) -> Scenario:
        """A re-validated copy with ``{path: value}`` applied (paths as in variants);
        ``where`` names them in a problem's field path (``override: categories.x.y``)."""
        raw, issues = apply_overrides(self.raw(), overrides, source, where=where)
        if issues:
            raise ScenarioError(issues)
        return validate_scenario(raw, source)

    def variant(self, name: str, source: str = "<scenario>") -> Scenario:
        """The named variant of this scenario, re-validated."""
        if name not in self.variants:
            known = ", ".join(sorted(self.variants)) or "none defined"
            raise ScenarioError([Issue(source, "variant", name, f"one of: {known}")])
        base = self.model_copy(update={"variants": {}})
        changed = base.with_overrides(self.variants[name], source, where=f"variants.{name}")
        return changed.model_copy(update={"scenario": f"{self.scenario} [{name}]"})


def range_fields() -> dict[str, list[str]]:
    """Per kind of :data:`RANGES`, the fields that take it (``Site.seats``, ...).

    >>> range_fields()["aht"]
    ['Category.aht_seconds']
    """
    found: dict[str, list[str]] = {kind: [] for kind in RANGES}
    models: list[type[BaseModel]] = [Scenario]
    seen: set[type[BaseModel]] = set()
    while models:
        model = models.pop(0)
        if model in seen:
            continue
        seen.add(model)
        for field, info in model.model_fields.items():
            for kind in _number_kinds(info.annotation, info.metadata):
                found[kind].append(f"{model.__name__}.{field}")
            models += _all_models(info.annotation)
    return found


def _number_kinds(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> list[str]:
    kinds = [m.kind for m in metadata if isinstance(m, Number)]
    for arg in getattr(annotation, "__args__", ()) + getattr(annotation, "__metadata__", ()):
        if isinstance(arg, Number):
            kinds.append(arg.kind)
        elif not isinstance(arg, type) or not issubclass(arg, BaseModel):
            kinds += _number_kinds(arg)
    return list(dict.fromkeys(kinds))


def _all_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    out: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) + getattr(annotation, "__metadata__", ()):
        out += _all_models(arg)
    return out


def validate_scenario(raw: Any, source: str = "<scenario>") -> Scenario:
    """Validate a raw mapping into a :class:`Scenario`, or raise every problem at once."""
    if not isinstance(raw, Mapping):
        kind = "empty file" if raw is None else type(raw).__name__
        raise ScenarioError([Issue(source, "", kind, "a mapping of scenario fields")])
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        later = problems_beyond(raw, exc, lambda fixed: _checked(fixed, source))
        raise ScenarioError(pydantic_issues(exc, source) + later) from None
    issues = _checked(scenario, source)
    if issues:
        raise ScenarioError(issues)
    return scenario


def _checked(raw: Any, source: str) -> list[Issue]:
    """The cross-field problems of ``raw`` (or of a validated scenario), those of its
    variants once there are no others; pydantic's ValidationError for a bad field."""
    scenario = raw if isinstance(raw, Scenario) else Scenario.model_validate(raw)
    return cross_checks(scenario, source) or _variant_issues(scenario, source)


def _variant_issues(scenario: Scenario, source: str) -> list[Issue]:
    """Each variant must name existing paths and give a valid scenario."""
    issues: list[Issue] = []
    base = scenario.raw()
    base.pop("variants", None)
    for name, overrides in scenario.variants.items():
        raw, found = apply_overrides(base, overrides, source, where=f"variants.{name}")
        found = found or overlapping(raw, overrides, source, f"variants.{name}")
        if found:
            issues += found
            continue
        try:
            validate_scenario(raw, source)
        except ScenarioError as err:
            issues += [
                Issue(i.file, f"variants.{name}: {i.path}", i.value, i.expected) for i in err.issues
            ]
    return issues


def example_raw() -> dict[str, Any]:
    """A tiny valid scenario as a raw mapping (used in doctests and tests)."""
    return {
        "scenario": "example",
        "provider": {"sites": [{"name": "home", "hourly_cost": 20.0, "seats": 50}]},
        "categories": [
            {
                "name": "calls",
                "channel": "voice",
                "contacts_per_month": 10000,
                "aht_seconds": 300,
                "pricing": "per_contact",
                "tiers": [
                    {
                        "name": "std",
                        "service_level": 0.8,
                        "answer_within_seconds": 20,
                        "prices": [3.0, 3.5],
                    },
                ],
            },
            {
                "name": "mail",
                "channel": "deferred",
                "contacts_per_month": 2000,
                "aht_seconds": 400,
                "pricing": "per_contact",
                "tiers": [{"name": "std", "share": 0.9, "within_hours": 24, "prices": [2.5]}],
            },
        ],
    }
