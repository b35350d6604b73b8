"""Which model a field of a scenario model holds (for override paths and messages)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Tag


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
