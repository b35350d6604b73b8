"""Which model a field of a scenario model holds (for override paths and messages)."""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, Discriminator, Tag


def submodel(model: type[BaseModel], field: str, tag: str | None = None) -> type[BaseModel] | None:
    """The model a field holds (or holds a list of), None for free mappings and leaves;
    ``tag`` picks a union's member by its discriminator tag (``<range>``, ``<plan>``).

    >>> from optimizer.scenario.models import ScenarioFields, Tier
    >>> submodel(ScenarioFields, "categories").__name__
    'Category'
    >>> submodel(Tier, "prices", "<range>").__name__
    'PriceRange'
    """
    info = model.model_fields.get(field)
    if info is None:
        return None
    return _find_model(info.annotation, tag)


def submodel_holding(model: type[BaseModel], field: str, value: Any) -> type[BaseModel] | None:
    """The model a field holds when its raw value is ``value``: a union's member is the
    one its discriminator picks for that value (a price range, not a list of points).

    >>> from optimizer.scenario.models import Tier
    >>> submodel_holding(Tier, "prices", {"min": 1.0, "max": 2.0}).__name__
    'PriceRange'
    >>> submodel_holding(Tier, "prices", [1.0, {"fee": 9.0}]).__name__
    'Plan'
    """
    info = model.model_fields.get(field)
    if info is None:
        return None
    pick = next((m.discriminator for m in info.metadata if isinstance(m, Discriminator)), None)
    tag = str(pick(value)) if callable(pick) else None
    return _find_model(info.annotation, tag)


def holds_a_block(model: type[BaseModel], field: str) -> bool:
    """Whether the field holds one mapping of fields (a model, perhaps optional), not a
    list of them nor a free mapping: a path may start it when the file leaves it out.

    >>> from optimizer.scenario.models import ScenarioFields
    >>> holds_a_block(ScenarioFields, "escalation"), holds_a_block(ScenarioFields, "categories")
    (True, False)
    """
    info = model.model_fields.get(field)
    return (
        info is not None
        and _find_model(info.annotation) is not None
        and not _listed(info.annotation)
    )


def _listed(annotation: Any) -> bool:
    if typing.get_origin(annotation) is tuple:
        return True
    return any(_listed(arg) for arg in typing.get_args(annotation))


def _find_model(annotation: Any, tag: str | None = None) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    metadata = getattr(annotation, "__metadata__", ())
    tags = {m.tag for m in metadata if isinstance(m, Tag)}
    if tags:  # one member of a tagged union: the one ``tag`` names (any, without a tag)
        if tag is not None and tag not in tags:
            return None
        tag = None
    for arg in getattr(annotation, "__args__", ()) + metadata:
        found = _find_model(arg, tag)
        if found is not None:
            return found
    return None
