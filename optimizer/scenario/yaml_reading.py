"""YAML text -> Python data, read safely: syntax errors and duplicate keys as Issues.

The loader is PyYAML's safe one, with duplicate mapping keys recorded (not
silently dropped), merge keys (``<<: *base``) working, YAML 1.2 floats (``1e6`` is a
number), YAML 1.1's octal (``042000``) and base-60 (``1:30``) numbers refused, and
limits on integer literals, nesting and aliases (a few kB of anchors can otherwise
expand to billions of values).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from optimizer.errors import Issue, ScenarioError

MAX_VALUES = 1_000_000
"""Most values a scenario may hold, YAML aliases counted as the copies they stand for
(a few kB of anchors and aliases can otherwise expand to billions of values)."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings (a scenario needs fewer than ten levels)."""


_BASE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML has it (its wheels do): a 1.8 MB scenario took 19 s and
660 MB to read with the pure-Python one. Constructors and resolvers are the same."""


class _UniqueKeyLoader(_BASE):  # type: ignore[valid-type,misc]
    """Safe YAML loader that records duplicate mapping keys instead of dropping them."""

    duplicates: list[tuple[str, int]]


_MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_INT_DIGITS = 400
"""Longest integer literal read (a float's range ends at 309 digits; Python refuses
to parse more than 4,300, and parsing is quadratic in the length)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:  # "<<: *base" merges a mapping (standard YAML)
            continue
        key = loader.construct_object(key_node, deep=deep)
        # By type too: YAML's 1 and true are two keys (Python's 1 == True is not)
        mark = (type(key), key) if isinstance(key, str | int | float | bool) else id(key)
        if mark in seen:
            loader.duplicates.append((str(key), key_node.start_mark.line + 1))
        seen.add(mark)
    loader.flatten_mapping(node)  # explicit keys win over merged ones
    return loader.construct_mapping(node, deep=deep)


_OCTAL_1_1 = re.compile(r"[-+]?0[0-7_]+")
"""YAML 1.1's octal integers (``042000``), which YAML 1.2 reads as decimal."""


def _construct_int(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    text = str(node.value)
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"an integer of {digits} digits (at most {MAX_INT_DIGITS} are read)",
            node.start_mark,
        )
    value = loader.construct_yaml_int(node)
    _refuse_ambiguous(text, value, node)
    return value


def _construct_float(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    value = loader.construct_yaml_float(node)
    _refuse_ambiguous(str(node.value), value, node)
    return value


def _refuse_ambiguous(text: str, value: Any, node: yaml.ScalarNode) -> None:
    """Refuse the YAML 1.1 forms that read as another number than the one written:
    a leading zero (``042000``, octal: 17,408) and base 60 (``1:30``: 90). Silently
    wrong volumes are worse than a message (seen: 42,000 contacts read as 17,408)."""
    if _OCTAL_1_1.fullmatch(text):
        sign = "-" if text.startswith("-") else ""
        plain = sign + (text.replace("_", "").lstrip("+-").lstrip("0") or "0")
        problem = f"{text} (a leading zero: YAML 1.1 reads it as octal {value:,}; write {plain})"
    elif ":" in text:
        problem = f"{text} (YAML 1.1 reads it as base 60: {value:,}; write the number itself)"
    else:
        return
    raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
# YAML 1.2 floats: "1e6" and "2E-3" are numbers (PyYAML's YAML 1.1 rules read them as
# text, which the strict schema then refuses as a quoted number).
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def parse_yaml(text: str, source: str) -> Any:
    """YAML text -> Python data, with syntax errors and duplicate keys as Issues."""
    control = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if control is not None:  # a control character such as ESC (libyaml names no place)
        at = control.start()
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        raise ScenarioError(
            [
                Issue(
                    source,
                    f"line {line}, column {column}",
                    f"(control character {_char(text[at])!r})",
                    "YAML text without control characters",
                )
            ]
        )
    loader = _UniqueKeyLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(unknown place)"
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        if problem == "exceeded maximum nesting depth":  # libyaml's own limit
            raise _too_deep(source) from None
        raise ScenarioError([Issue(source, where, problem, "valid YAML")]) from None
    except RecursionError:
        raise _too_deep(source) from None
    finally:
        loader.dispose()
    size_problem = _size_problem(data)
    if size_problem:
        raise ScenarioError([Issue(source, "", size_problem, "a scenario of a sensible size")])
    if loader.duplicates:
        raise ScenarioError(
            [
                Issue(source, f"line {line}", key, "each key once per mapping (duplicate key)")
                for key, line in loader.duplicates
            ]
        )
    return data


def _too_deep(source: str) -> ScenarioError:
    return ScenarioError(
        [Issue(source, "", "(nested too deep)", f"YAML nested at most {MAX_DEPTH} levels")]
    )


def _char(character: object) -> str:
    return chr(character) if isinstance(character, int) else str(character)


def _size_problem(data: Any) -> str | None:
    """Why parsed YAML is too big or too deep to validate, or None.

    Counts values with aliases expanded (a shared or self-referring node counts each
    time it is reached), stopping at the first limit passed, so it is quick either way.
    """
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            return f"(more than {MAX_VALUES:,} values, with YAML aliases expanded)"
        if depth > MAX_DEPTH:
            return f"(nested more than {MAX_DEPTH} levels deep)"
        if isinstance(node, dict):
            stack.extend((item, depth + 1) for pair in node.items() for item in pair)
        elif isinstance(node, list | tuple | set):
            stack.extend((item, depth + 1) for item in node)
    return None
