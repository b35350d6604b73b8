"""The scenario reference, ``docs/scenario.md``, generated from the schema itself.

The field tables are walked from :class:`~optimizer.scenario.schema.Scenario` and every
model nested in it: path, type, unit, default, allowed values and the field's own
description (its docstring in ``optimizer/scenario/models.py``). Ranges come from
:data:`optimizer.scenario.field_types.RANGES`, the one table validation uses. The
other sections (channels, profiles, opening hours, pricing, override paths, CSV
layout, fees) are text kept next to the generator, in
:mod:`optimizer.scenario.reference_text`. Regenerate with::

    python -m optimizer.scenario.reference > docs/scenario.md

``tests/test_reference.py`` fails when the committed file and this output differ.

>>> rows = field_rows()
>>> next(r for r in rows if r.path == "provider.sites[].seats").allowed
'[0, 1,000,000]'
"""

from __future__ import annotations

import sys
import types
import typing
from dataclasses import dataclass
from typing import Any

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from optimizer.conventions import DAYS
from optimizer.scenario import profiles
from optimizer.scenario.field_types import RANGES, Number
from optimizer.scenario.reference_notes import CSV, ERRORS
from optimizer.scenario.reference_text import (
    CHANNELS,
    FEES,
    HEAD,
    OPEN_HOURS,
    OVERRIDES,
    PRICING,
    PROFILES,
    TERMS,
)
from optimizer.scenario.schema import Scenario

REGENERATE = "python -m optimizer.scenario.reference > docs/scenario.md"
"""The command that rewrites the committed reference."""


@dataclass(frozen=True)
class FieldRow:
    """One line of a field table."""

    model: str
    """The pydantic model that declares the field."""
    path: str
    """Where it sits in a scenario file: ``provider.sites[].hourly_cost``."""
    type: str
    unit: str
    default: str
    allowed: str
    description: str


@dataclass(frozen=True)
class _Shape:
    """What an annotation says, in words."""

    type: str
    unit: str = ""
    allowed: str = ""
    optional: bool = False


def _shape(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> _Shape:
    """The type, unit and allowed values of an annotation, for the table."""
    origin = typing.get_origin(annotation)
    extra = list(metadata)
    if origin is typing.Annotated:
        base, *more = typing.get_args(annotation)
        return _shape(base, extra + more)
    lengths = _lengths(extra)
    number = next((m for m in extra if isinstance(m, Number)), None)
    if number is not None:
        bounds = RANGES[number.kind]
        kind = "whole number" if annotation is int else "number"
        return _Shape(kind, bounds.unit, bounds.text())
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        kind = "whole number" if all(isinstance(v, int) for v in values) else "text"
        return _Shape(kind, "", "one of " + ", ".join(f"`{v}`" for v in values))
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(options) < len(typing.get_args(annotation))
        shapes = [_shape(a) for a in options]
        if len(shapes) == 1:
            one = shapes[0]
            return _Shape(one.type, one.unit, one.allowed or lengths, optional)
        units = {s.unit for s in shapes if s.unit}
        allowed = "; ".join(f"{s.type}: {s.allowed}" for s in shapes if s.allowed)
        kinds = list(dict.fromkeys(s.type for s in shapes))
        if kinds == ["number", "mapping"]:  # a price point: a price, or a plan
            allowed = f"a number in {shapes[0].allowed}, or {shapes[1].allowed}"
            return _Shape("price or plan", " / ".join(sorted(units)), allowed)
        join = ", or " if any(" or " in k for k in kinds) else " or "
        return _Shape(join.join(kinds), " / ".join(sorted(units)), allowed)
    if origin is tuple:
        item = _shape(typing.get_args(annotation)[0])
        allowed = ", ".join(part for part in (lengths, _each(item.allowed)) if part)
        return _Shape(f"list of {_plural(item.type)}", item.unit, allowed)
    if origin is dict:
        key, value = typing.get_args(annotation)
        return _Shape(f"mapping of {_shape(key).type} to {_shape(value).type}")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Shape("mapping", "", f"the fields of `{annotation.__name__}` below")
    if annotation is str:
        return _Shape("text", "", lengths)
    if annotation is float:
        return _Shape("number")
    if annotation is int:
        return _Shape("whole number")
    if annotation is bool:
        return _Shape("true or false")
    return _Shape("any value")


def _lengths(metadata: list[Any]) -> str:
    low = next((m.min_length for m in metadata if isinstance(m, MinLen)), None)
    high = next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)
    if low is not None and low == high:
        return f"exactly {low} items"
    if low is not None and high is not None:
        return f"{low} to {high} characters"
    if low is not None:
        return f"at least {low} item" + ("s" if low != 1 else "")
    return ""


def _each(allowed: str) -> str:
    return f"each in {allowed}" if allowed.startswith(("[", "(")) else allowed


def _plural(kind: str) -> str:
    words = {"number": "numbers", "whole number": "whole numbers", "text": "texts"}
    words["price or plan"] = "prices or plans"
    words["mapping"] = "mappings"
    return words.get(kind, kind)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.default
    if value is PydanticUndefined or value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return _value(value)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if value == round(value, 6) else f"{value:.4f}"
    return str(value)


def _models(annotation: Any) -> list[tuple[type[BaseModel], bool]]:
    """The models an annotation holds, each with whether it is a list of them."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, False)]
    if origin is tuple:
        return [(m, True) for m, _ in _models(typing.get_args(annotation)[0])]
    if origin is dict:
        return []
    found: list[tuple[type[BaseModel], bool]] = []
    for arg in typing.get_args(annotation):
        found += _models(arg)
    return found


def model_sections() -> list[tuple[str, type[BaseModel]]]:
    """Every model of the schema with the path prefix where it sits, depth first."""
    out: list[tuple[str, type[BaseModel]]] = []

    def walk(prefix: str, model: type[BaseModel]) -> None:
        out.append((prefix, model))
        for name, info in model.model_fields.items():
            for sub, listed in _models(info.annotation):
                walk(f"{prefix}{info.alias or name}{'[]' if listed else ''}.", sub)

    walk("", Scenario)
    return out


def field_rows() -> list[FieldRow]:
    """One row per field of every model, in schema order."""
    rows = []
    for prefix, model in model_sections():
        for name, info in model.model_fields.items():
            shape = _shape(info.annotation, info.metadata)
            default = _default(info)
            if shape.optional and default == "required":
                default = "none"
            rows.append(
                FieldRow(
                    model=model.__name__,
                    path=prefix + (info.alias or name),
                    type=shape.type,
                    unit=shape.unit,
                    default=default,
                    allowed=shape.allowed,
                    description=" ".join((info.description or "").split()),
                )
            )
    return rows


def path_unit(path: str) -> str:
    """The unit the reference gives the field at a ``--set`` or ``--vary`` path (a name,
    an index or ``*`` after each list), "" for a path that names no field with a unit.

    >>> path_unit("client.budget_per_month"), path_unit("categories.*.tiers.std.prices")
    ("money in the scenario's currency", "money in the scenario's currency")
    >>> path_unit("provider.sites.riga.shrinkage"), path_unit("client.min_tier.calls")
    ('a share', '')
    >>> path_unit("categories.calls.profile.days"), path_unit("categories.*.tiers.std.prices.max")
    ('relative weight', "money in the scenario's currency")
    """
    model: type[BaseModel] | None = Scenario
    parts, found = path.split("."), []
    i = 0
    while i < len(parts):
        fields = {} if model is None else {f.alias or n: f for n, f in model.model_fields.items()}
        info = fields.get(parts[i])
        if info is None:
            return ""
        held = _member(_models(info.annotation), parts[i + 1 :])
        listed = held is not None and held[1]
        found.append(parts[i] + ("[]" if listed else ""))
        model = held[0] if held else None
        i += 2 if listed else 1
    units = {row.path: row.unit for row in field_rows()}
    return units.get(".".join(found), units.get(".".join(found).removesuffix("[]"), ""))


def _member(
    held: list[tuple[type[BaseModel], bool]], rest: list[str]
) -> tuple[type[BaseModel], bool] | None:
    """The model of a union a path goes on into: the first whose fields name the path's
    next field (a price range's ``max``, not a price list's), else the first."""
    for model, listed in held:
        following = rest[1:2] if listed else rest[:1]
        if following and following[0] in model.model_fields:
            return model, listed
    return held[0] if held else None


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "-"


def field_tables() -> str:
    """The generated field reference: one table per model."""
    rows = field_rows()
    parts = []
    for prefix, model in model_sections():
        where = f"`{prefix.rstrip('.')}`" if prefix else "the top level"
        title = f"### `{model.__name__}`: {where}"
        doc = " ".join((model.__doc__ or "").split()) if model is not Scenario else ""
        lines = [title, ""]
        if doc and not doc.startswith("Base of"):
            lines += [doc, ""]
        lines += [
            "| field | type | unit | default | allowed | description |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows:
            if row.model == model.__name__ and row.path.startswith(prefix):
                if row.path.count(".") != prefix.count("."):
                    continue
                cells = (row.type, row.unit, row.default, row.allowed, row.description)
                lines.append(f"| `{row.path}` | " + " | ".join(_cell(c) for c in cells) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _profile_table() -> str:
    """Built-in profile names with the hours they are open (from their own tables)."""
    import numpy as np

    lines = [
        "| name | open (weight > 0) | busiest hour | day weights mon..sun |",
        "|---|---|---|---|",
    ]
    shapes = profiles._BUILTIN_TABLES
    for name in profiles.BUILTIN_PROFILES:
        days, curves = shapes[name]
        spans = []
        for index, (weight, curve) in enumerate(zip(days, curves, strict=True)):
            hours = [h for h, w in enumerate(curve) if w > 0] if weight > 0 else []
            text = f"{hours[0]:02d}:00-{hours[-1] + 1:02d}:00" if hours else "closed"
            spans.append((DAYS[index], text))
        grouped: list[tuple[str, str, str]] = []
        for day_name, text in spans:
            if grouped and grouped[-1][2] == text:
                grouped[-1] = (grouped[-1][0], day_name, text)
            else:
                grouped.append((day_name, day_name, text))
        open_text = ", ".join(
            f"{a if a == b else a + '-' + b} {t}" for a, b, t in grouped if t != "closed"
        )
        shape = profiles.builtin_shape(name, 60)
        peak = int(np.argmax(shape))
        peak_text = f"{DAYS[peak // 24]} {peak % 24:02d}:00"
        weights = ", ".join(f"{w:g}" for w in days)
        lines.append(f"| `{name}` | {open_text} | {peak_text} | {weights} |")
    return "\n".join(lines)


def render() -> str:
    """The whole of ``docs/scenario.md``."""
    from optimizer.conventions import MINUTES_PER_WEEK

    out = HEAD.format(regenerate=REGENERATE) + field_tables() + "\n\n"
    out += CHANNELS
    out += PROFILES.format(
        profile_table="\n".join("  " + line for line in _profile_table().splitlines()),
        n30=MINUTES_PER_WEEK // 30,
        d30=24 * 60 // 30,
    )
    out += OPEN_HOURS.format(short_gap=profiles.SHORT_GAP_MINUTES)
    out += PRICING.format()
    out += FEES
    out += TERMS.format()
    out += OVERRIDES.format()
    out += CSV.format()
    out += ERRORS
    return out


def main() -> None:
    """Print the reference (``python -m optimizer.scenario.reference > docs/scenario.md``)."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
