"""What a request of the JSON API asks for: the scenario, the command's options, checked.

A request body is one JSON object with the command line's options under their own
names (:data:`FIELDS`): the scenario (a file of the served folder, or an uploaded
text), ``variant``, ``fix`` (``--fix`` specs), ``set`` (``{path: value}``
overrides), ``time_limit``, ``solver``, and for ``solve`` ``objective`` and
``no_explain``. Every problem is one :class:`~optimizer.errors.Issue` (file
``request``), all raised at once as a ScenarioError: the message the command line
gives for bad input (exit code 2).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optimizer.errors import Issue, ScenarioError

REQUEST = "request"
"""The ``file`` of an Issue about the request body itself."""
THE_REQUEST = "the request"
"""What those issues are in (the message's heading)."""

FIELDS = (
    "scenario",
    "upload",
    "variant",
    "fix",
    "set",
    "time_limit",
    "solver",
    "objective",
    "no_explain",
)
"""The keys a request may carry (any other is refused)."""

COMMANDS = ("check", "solve")
"""The commands the API runs (as ``tierprice check`` and ``tierprice solve``)."""

SUFFIXES = (".yaml", ".yml")
"""Scenario files the folder lists (CSV profiles beside them are read as the CLI does)."""

MAX_UPLOAD = 2_000_000
"""Characters an uploaded scenario may have."""


@dataclass(frozen=True)
class DealRequest:
    """One check or solve, as the command line would run it."""

    command: str
    source: str
    """What messages name: the file's name, or the upload's."""
    path: Path | None = None
    """The scenario file (None for an upload)."""
    text: str | None = None
    """An uploaded scenario's YAML (None for a file)."""
    variant: str | None = None
    fixes: tuple[str, ...] = ()
    overrides: dict[str, Any] = field(default_factory=dict)
    time_limit: float | None = None
    solver: str = "highs"
    objective: str | None = None
    explain: bool = True

    @property
    def named(self) -> str:
        """The scenario as the command line names it in messages: its path, or the
        upload's name."""
        return self.source if self.path is None else str(self.path)

    def describe(self) -> dict[str, Any]:
        """The request as the history shows it (no uploaded text), with the options
        ``tierprice runs replay`` runs it again with, as the command line records them
        (a desk run replayed with none ended in "KeyError: 'solver'")."""
        objective = None if self.objective is None else self.objective.replace("-", "_")
        return {
            "command": self.command,
            "scenario": self.source,
            "variant": self.variant,
            "fix": list(self.fixes),
            "set": dict(self.overrides),
            "solver": self.solver,
            "time_limit": self.time_limit,
            "gap": None,
            "objective": objective,
            "explain": self.explain,
            "exact_prices": False,
        }


def scenario_files(folder: Path) -> list[str]:
    """The scenario files of ``folder`` (names, sorted); none when it is not a folder."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice: the parser keeps the last value, so a
    ``set`` naming one path twice silently won with its last (the command line refuses
    ``--set`` twice for one path)."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            issue = Issue(REQUEST, key, value, "each key once in an object (one value a path)")
            raise ScenarioError([issue], THE_REQUEST)
        seen[key] = value
    return seen


def read_body(raw: bytes) -> dict[str, Any]:
    """The JSON object of a request body, or a ScenarioError saying what it is instead."""
    try:
        data = json.loads(raw.decode("utf-8") or "{}", object_pairs_hook=_unique)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        issue = Issue(REQUEST, "", str(err), "a JSON object (UTF-8)")
        raise ScenarioError([issue], THE_REQUEST) from None
    if not isinstance(data, dict):
        raise ScenarioError([Issue(REQUEST, "", type(data).__name__, "a JSON object")], THE_REQUEST)
    return data


def parse_request(command: str, data: Mapping[str, Any], folder: Path) -> DealRequest:
    """Check a request body against :data:`FIELDS`; every problem is named at once."""
    issues = [
        Issue(REQUEST, key, data[key], f"one of the keys {', '.join(FIELDS)}")
        for key in data
        if key not in FIELDS
    ]
    if command not in COMMANDS:
        issues.append(Issue(REQUEST, "command", command, f"one of {', '.join(COMMANDS)}"))
    source, path, text = _source(data, folder, issues)
    fixes = _strings(data.get("fix", []), "fix", issues)
    overrides = data.get("set", {})
    if not isinstance(overrides, dict):
        issues.append(Issue(REQUEST, "set", overrides, "an object of PATH: VALUE overrides"))
        overrides = {}
    issues += [_limit_issue(data.get("time_limit"))] if _bad_limit(data) else []
    solver = data.get("solver", "highs")
    if solver not in ("highs", "cbc"):
        issues.append(Issue(REQUEST, "solver", solver, "highs or cbc"))
    objective = data.get("objective")
    if objective not in (None, "max-margin", "min-price"):
        issues.append(Issue(REQUEST, "objective", objective, "max-margin or min-price"))
    for key in ("variant",):
        if data.get(key) is not None and not isinstance(data[key], str):
            issues.append(Issue(REQUEST, key, data[key], "a variant's name"))
    if not isinstance(data.get("no_explain", False), bool):
        issues.append(Issue(REQUEST, "no_explain", data["no_explain"], "true or false"))
    if issues:
        raise ScenarioError(issues, THE_REQUEST)
    return DealRequest(
        command,
        source,
        path,
        text,
        data.get("variant"),
        tuple(fixes),
        dict(overrides),
        data.get("time_limit"),
        solver,
        None if objective is None else objective.replace("-", "_"),
        not data.get("no_explain", False),
    )


def _source(
    data: Mapping[str, Any], folder: Path, issues: list[Issue]
) -> tuple[str, Path | None, str | None]:
    """The scenario: a file of the folder (by name, nothing outside it) or an upload."""
    name, upload = data.get("scenario"), data.get("upload")
    if (name is None) == (upload is None):
        issues.append(
            Issue(REQUEST, "scenario", name, "either scenario (a file name) or upload, not both")
        )
        return "", None, None
    if upload is not None:
        ok = isinstance(upload, dict) and set(upload) == {"name", "text"}
        if not ok or not all(isinstance(upload[k], str) for k in ("name", "text")):
            issues.append(Issue(REQUEST, "upload", upload, "an object {name, text} of strings"))
            return "", None, None
        if len(upload["text"]) > MAX_UPLOAD:
            size = len(upload["text"])
            issues.append(Issue(REQUEST, "upload.text", size, f"at most {MAX_UPLOAD} characters"))
        return upload["name"] or "upload", None, upload["text"]
    known = scenario_files(folder)
    if name not in known:
        listed = ", ".join(known) or f"none: {folder} holds no .yaml file"
        issues.append(Issue(REQUEST, "scenario", name, f"a scenario of the folder ({listed})"))
        return str(name), None, None
    return str(name), folder / name, None


def _strings(value: Any, key: str, issues: list[Issue]) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    issues.append(Issue(REQUEST, key, value, "a list of CATEGORY=TIER@PRICE strings"))
    return []


def _bad_limit(data: Mapping[str, Any]) -> bool:
    value = data.get("time_limit")
    if value is None:
        return False
    number = isinstance(value, int | float) and not isinstance(value, bool)
    return not (number and math.isfinite(value) and value > 0)


def _limit_issue(value: Any) -> Issue:
    return Issue(REQUEST, "time_limit", value, "seconds, a finite number > 0")
