"""Scenario file -> validated :class:`~optimizer.scenario.schema.Scenario`.

Reads YAML with a safe loader (duplicate keys are errors;
:mod:`optimizer.scenario.yaml_reading`), resolves CSV volume profiles relative to the
scenario file (a relative path may not climb out of the scenario's folder; an
absolute path is the user's explicit choice; the column is read by
:mod:`optimizer.scenario.csv_profiles`), and gathers every problem into one
:class:`~optimizer.errors.ScenarioError`. Every file is read by :func:`read_text`,
which refuses anything but a regular text file of a sensible size.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from optimizer.errors import Issue, ScenarioError
from optimizer.scenario import profiles
from optimizer.scenario.csv_profiles import CsvPlace, csv_weights
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.scenario.yaml_reading import parse_yaml

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Scenario and CSV files larger than this are refused (a scenario is a few kB)."""


def read_text(path: Path, what: str = "scenario file") -> str:
    """The text of a user-named file, or a ScenarioError saying why it cannot be read.

    Only regular files are read (a device, FIFO or socket is refused before it is
    opened, and again on the opened descriptor, so ``/dev/zero`` or a FIFO never
    hangs), and never more than :data:`MAX_FILE_BYTES` (whatever the size the file
    system reports). No message quotes the file's content.
    """
    source = str(path)

    def problem(value: str, expected: str) -> ScenarioError:
        return ScenarioError([Issue(source, "", value, expected)])

    try:
        kind, size, data = _read_regular(path)
    except (FileNotFoundError, NotADirectoryError):
        raise problem("(no such file)", f"an existing {what}") from None
    except OSError as err:  # e.g. permission, a file name too long for the file system
        raise problem(f"({err.strerror or type(err).__name__})", f"a readable {what}") from None
    if kind == "directory":
        raise problem("(a directory)", f"a {what}, not a directory")
    if kind is not None:
        raise problem(f"({kind})", f"a {what} that is a regular file")
    if max(size, len(data)) > MAX_FILE_BYTES:
        raise problem("(too large)", f"a {what} under {MAX_FILE_BYTES} bytes")
    if b"\0" in data:
        raise problem("(binary data)", f"a text {what}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise problem("(not UTF-8)", f"a UTF-8 {what}") from None


def _read_regular(path: Path) -> tuple[str | None, int, bytes]:
    """What the file is if not a regular file, the size it reports, and its bytes (at
    most ``MAX_FILE_BYTES + 1`` of them; none when it is not regular or too large)."""
    kind = _kind(os.stat(path).st_mode)  # refuse a FIFO or device before opening it
    if kind is not None:
        return kind, 0, b""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())  # the file opened, should it have been swapped
        kind, size = _kind(info.st_mode), info.st_size
        if kind is not None or size > MAX_FILE_BYTES:
            return kind, size, b""
        return None, size, handle.read(MAX_FILE_BYTES + 1)  # the cap holds if it grows


def _kind(mode: int) -> str | None:
    """None for a regular file, else what it is instead."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a socket or other special file"


def load_scenario(
    path: str | Path, variant: str | None = None, *, inputs: list[Path] | None = None
) -> Scenario:
    """Read, validate and (optionally) apply a named variant of a scenario file.

    Every file read (the scenario, its CSV profiles) is appended to ``inputs`` when
    given, so that the caller can refuse to write over any of them.
    """
    path = Path(path)
    source = str(path)
    if inputs is not None:
        inputs.append(path)
    raw = parse_yaml(read_text(path), source)
    if isinstance(raw, dict):
        raw = resolve_csv_profiles(raw, path, source, inputs)
    scenario = validate_scenario(raw, source)
    return scenario.variant(variant, source) if variant else scenario


def resolve_csv_profiles(
    raw: dict[str, Any], path: Path, source: str, inputs: list[Path] | None = None
) -> dict[str, Any]:
    """Replace each ``{csv: file, column: name}`` profile by the column's weights (a file
    is found from the scenario file's folder, ``path.parent``)."""
    categories = raw.get("categories")
    if not isinstance(categories, list):
        return raw
    issues: list[Issue] = []
    minutes = _interval_minutes(raw)
    new_categories = []
    for i, cat in enumerate(categories):
        spec = cat.get("profile") if isinstance(cat, dict) else None
        if isinstance(spec, dict) and "csv" in spec and isinstance(spec.get("csv"), str):
            where = f"categories[{i}].profile"
            try:
                weights = read_profile_csv(spec, path.parent, where, source, inputs=inputs)
                if minutes is not None:
                    _check_length(weights, minutes, spec, where, source)
                cat = {**cat, "profile": weights}
            except ScenarioError as err:
                issues += err.issues
        new_categories.append(cat)
    if issues:
        raise ScenarioError(issues)
    return {**raw, "categories": new_categories}


def _interval_minutes(raw: dict[str, Any]) -> int | None:
    calendar = raw.get("calendar", {})
    minutes = calendar.get("interval_minutes", 30) if isinstance(calendar, dict) else None
    return minutes if minutes in (15, 30, 60) else None


def _check_length(
    weights: list[float], minutes: int, spec: dict[str, Any], where: str, source: str
) -> None:
    try:
        profiles.expand_weights(weights, minutes)
    except ValueError as err:
        text = str(err).removeprefix("expected ")
        raise ScenarioError(
            [
                Issue(
                    source,
                    f"{where}.csv",
                    f"{spec['csv']} ({len(weights)} rows)",
                    f"a CSV column of {text}",
                )
            ]
        ) from None


def read_profile_csv(
    spec: dict[str, Any],
    folder: Path,
    where: str,
    source: str,
    *,
    inputs: list[Path] | None = None,
) -> list[float]:
    """The numbers of one CSV column, named by header, resolved against ``folder``.

    The path read is appended to ``inputs`` (when given). Messages name the file, the
    line and the column, never the file's content (an absolute path may name any file).
    """
    place = CsvPlace(source, where, str(spec["csv"]))
    target = Path(place.name)
    if not target.is_absolute():
        resolved = (folder / target).resolve()
        if not resolved.is_relative_to(folder.resolve()):
            raise place.error(
                "csv", place.name, "a path inside the scenario's folder (or an absolute path)"
            )
        target = resolved
    if inputs is not None:
        inputs.append(target)
    try:
        text = read_text(target, "CSV file")
    except ScenarioError as err:
        raise ScenarioError(
            [
                Issue(source, f"{where}.csv", place.name, i.expected + " " + str(i.value))
                for i in err.issues
            ]
        ) from None
    return csv_weights(text, spec.get("column"), place)
