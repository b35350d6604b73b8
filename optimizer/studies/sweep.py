"""What-if grids: sweeps over scenario fields (the frontier is in ``studies/frontier.py``).

``--vary PATH=START:STOP:STEPS`` spaces STEPS values evenly from START to STOP;
``--vary PATH=xA:xB:STEPS`` multiplies the field's own value(s) by factors from A
to B (``categories.*.contacts_per_month=x0.8:x1.2:9``). Several ``--vary`` make a
full grid, the first varying slowest. Paths are those of scenario variants.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from optimizer.errors import Issue, ScenarioError
from optimizer.options import RunOptions
from optimizer.results import RISK_FIELDS, TOTAL_FIELDS, VerifiedResult
from optimizer.scenario.overrides import PathError, list_indices, update_path
from optimizer.scenario.schema import Scenario, validate_scenario
from optimizer.studies.batch import Job, run_jobs
from optimizer.studies.risk_points import RiskDraws

TOTALS = TOTAL_FIELDS


@dataclass(frozen=True)
class Axis:
    """One varied field: its path, its values, and whether they multiply the field."""

    path: str
    values: tuple[float, ...]
    relative: bool = False

    def label(self, value: float) -> str:
        """How one value of this axis is shown (``x1.1`` for multipliers)."""
        return f"x{value:g}" if self.relative else f"{value:g}"


def parse_vary(spec: str) -> Axis:
    """``PATH=START:STOP:STEPS`` (or ``xA:xB:STEPS``) -> Axis; ScenarioError if malformed.

    >>> parse_vary("client.budget_per_month=400000:500000:3").values
    (400000.0, 450000.0, 500000.0)
    >>> parse_vary("categories.*.contacts_per_month=x0.8:x1.2:3").relative
    True
    """
    path, _, rng = spec.partition("=")
    parts = rng.split(":")
    expected = "PATH=START:STOP:STEPS or PATH=xA:xB:STEPS with STEPS >= 1"
    if not path or len(parts) != 3:
        raise ScenarioError([Issue("--vary", "--vary", spec, expected)])
    relative = parts[0].startswith("x") and parts[1].startswith("x")
    if parts[0].startswith("x") != parts[1].startswith("x"):  # xA:B would read as absolute
        raise ScenarioError([Issue("--vary", "--vary", spec, expected)])
    try:
        start = float(parts[0].removeprefix("x"))
        stop = float(parts[1].removeprefix("x"))
        steps = int(parts[2])
    except ValueError:
        raise ScenarioError([Issue("--vary", "--vary", spec, expected)]) from None
    if steps < 1 or not (math.isfinite(start) and math.isfinite(stop)) or steps > 10_000:
        raise ScenarioError([Issue("--vary", "--vary", spec, expected + " (at most 10000)")])
    if steps == 1:
        values: tuple[float, ...] = (start,)
    else:
        values = tuple(round(start + (stop - start) * i / (steps - 1), 10) for i in range(steps))
    return Axis(path, values, relative)


class NotANumberError(PathError):
    """A multiplier met a field that holds no number (a list of prices, text)."""


def _change(value: float, relative: bool, hits: list[int] | None = None) -> Callable[[Any], Any]:
    """The update for one point; ``hits`` (wildcard multipliers) counts numbers multiplied."""

    def change(old: Any) -> Any:
        if not relative:  # a whole number stays one; 12.5 months is the schema's to refuse
            whole = isinstance(old, int) and not isinstance(old, bool) and value == round(value)
            return round(value) if whole else value
        if old is None and hits is not None:
            return None  # a wildcard item without this field (e.g. a project's contacts)
        if not isinstance(old, int | float) or isinstance(old, bool):
            raise NotANumberError(f"a number to multiply (the field holds {old!r})", [])
        if hits is not None:
            hits.append(1)
        new = old * value
        return round(new) if isinstance(old, int) else new

    return change


def validate_axes(scenario: Scenario, axes: Sequence[Axis]) -> None:
    """Raise one ScenarioError naming every axis whose path names no field (with a guess).

    Checked against the scenario and its schema before anything is solved: a
    mistyped last segment (``client.budget``) would otherwise be set as a new key
    and make every point an error row.

    >>> from optimizer.scenario.schema import example_raw, validate_scenario
    >>> deal = validate_scenario(example_raw())
    >>> validate_axes(deal, [parse_vary("client.budget=1:2:2")])
    Traceback (most recent call last):
    ...
    optimizer.errors.ScenarioError: 1 problem in the scenario:
      - --vary: client.budget = '1:2:2': expected a path that exists ('budget' is no \
field; did you mean 'budget_per_month'?)
    """
    raw = scenario.raw()
    raw.pop("variants", None)
    issues = []
    seen: set[str] = set()
    for axis in axes:
        if axis.path in seen:  # the second would silently replace the first's values
            issues.append(Issue("--vary", axis.path, _span(axis), "each path varied once"))
            continue
        seen.add(axis.path)
        try:
            _check_path(raw, axis.path)
        except PathError as err:
            issues.append(Issue("--vary", axis.path, _span(axis), _path_expected(err)))
    if issues:
        raise ScenarioError(issues)


def _span(axis: Axis) -> str:
    first, last = axis.label(axis.values[0]), axis.label(axis.values[-1])
    return f"{first}:{last}:{len(axis.values)}"


def _path_expected(err: PathError) -> str:
    """'a path that exists ...' with the closest known name, if any."""
    import difflib

    close = difflib.get_close_matches(err.segment, err.known, n=1, cutoff=0.5)
    guess = f"did you mean '{close[0]}'?" if close else ""
    known = f"known here: {', '.join(err.known)}" if err.known and not close else ""
    hint = "; ".join(part for part in (guess, known) if part)
    return f"a path that exists ('{err.segment}' is no field{'; ' + hint if hint else ''})"


def _check_path(raw: dict[str, Any], path: str) -> None:
    """PathError unless every segment of ``path`` names something (the last: a field)."""
    from optimizer.scenario.model_paths import submodel_holding

    raw = copy.deepcopy(raw)
    update_path(raw, path, lambda old: old, Scenario)  # every segment but the last
    nodes: list[tuple[Any, type[BaseModel] | None]] = [(raw, Scenario)]
    parts = path.split(".")
    for part in parts[:-1]:
        step: list[tuple[Any, type[BaseModel] | None]] = []
        for node, model in nodes:
            if isinstance(node, list):
                step += [(node[i], model) for i in list_indices(node, part)]
            elif isinstance(node, dict):
                if part == "*":
                    step += [(child, None) for child in node.values()]
                else:
                    sub = None if model is None else submodel_holding(model, part, node[part])
                    step.append((node[part], sub))
        nodes = step
    last = parts[-1]
    for node, model in nodes:
        fields = sorted(model.model_fields) if model is not None else None
        if isinstance(node, dict) and fields is not None and last != "*" and last not in fields:
            raise PathError(last, fields)


def apply_point(scenario: Scenario, axes: Sequence[Axis], point: Sequence[float]) -> Scenario:
    """The scenario with one grid point applied, re-validated."""
    raw = scenario.raw()
    raw.pop("variants", None)
    for axis, value in zip(axes, point, strict=True):
        hits: list[int] | None = [] if axis.relative and "*" in axis.path.split(".") else None
        try:
            update_path(raw, axis.path, _change(value, axis.relative, hits), Scenario)
            if hits == []:
                raise PathError(f"(a number to multiply at {axis.path})", [])
        except PathError as err:
            known = ", ".join(err.known) or "nothing"
            raise ScenarioError(
                [
                    Issue(
                        "--vary",
                        axis.path,
                        axis.label(value),
                        err.segment
                        if isinstance(err, NotANumberError)
                        else f"a path that exists ('{err.segment}' not found; known here: {known})",
                    )
                ]
            ) from None
    return validate_scenario(raw, "--vary")


@dataclass(frozen=True)
class SweepResult:
    """Every point of a sweep with its verified result, in grid order."""

    axes: tuple[Axis, ...]
    points: tuple[tuple[float, ...], ...]
    results: tuple[VerifiedResult | None, ...]
    """None where the sweep was interrupted before the point was solved."""
    risk: bool = False
    """Whether the points were simulated: the rows then have the risk columns."""

    def rows(self) -> list[dict[str, Any]]:
        """One row per point: a column per axis (its path), the totals (and, when
        simulated, the :data:`~optimizer.results.RISK_FIELDS`), the status."""
        out = []
        for point, result in zip(self.points, self.results, strict=True):
            if result is None:
                continue
            row: dict[str, Any] = {
                a.path: a.label(v) if a.relative else v
                for a, v in zip(self.axes, point, strict=True)
            }
            totals = result.totals
            for name in TOTALS:
                row[name] = None if totals is None else getattr(totals, name)
            for name in RISK_FIELDS if self.risk else ():
                row[name] = result.risk.get(name)
            row["status"] = str(result.status)
            row["binding"] = "; ".join(c.name for c in result.constraints if c.binding)
            out.append(row)
        return out

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows())


MAX_GRID_POINTS = 100_000
"""Most points a grid may have (the product of its axes' steps), checked before any is built."""


def grid_points(axes: Sequence[Axis]) -> list[tuple[float, ...]]:
    """Every combination of the axes' values, the first axis varying slowest.

    ScenarioError (nothing built) when the grid would exceed :data:`MAX_GRID_POINTS`.
    """
    sizes = [len(a.values) for a in axes]
    if math.prod(sizes) > MAX_GRID_POINTS:
        shown = " x ".join(f"{n:,}" for n in sizes)
        raise ScenarioError(
            [
                Issue(
                    "--vary",
                    "--vary",
                    f"{shown} = {math.prod(sizes):,} points",
                    f"a grid of at most {MAX_GRID_POINTS:,} points",
                )
            ]
        )
    return list(itertools.product(*(a.values for a in axes)))


def sweep_jobs(
    scenario: Scenario, axes: Sequence[Axis], options: RunOptions, risk: RiskDraws | None = None
) -> tuple[list[tuple[float, ...]], list[Job]]:
    """The grid points and one job per point (an invalid point becomes an error job);
    ``risk``: each job also simulates its solved plan."""
    validate_axes(scenario, axes)
    points = grid_points(axes)
    jobs = []
    first: ScenarioError | None = None
    for point in points:
        label = ", ".join(f"{a.path}={a.label(v)}" for a, v in zip(axes, point, strict=True))
        try:
            jobs.append(Job(label, apply_point(scenario, axes, point), options, risk=risk))
        except ScenarioError as err:
            first = first or err
            jobs.append(Job(label, None, options, error=str(err)))
    if first is not None and all(job.scenario is None for job in jobs):
        raise ScenarioError(first.issues)  # no point is a valid scenario: nothing to solve
    return points, jobs


def run_sweep(
    scenario: Scenario,
    axes: Sequence[Axis],
    options: RunOptions | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int], None] | None = None,
    risk: RiskDraws | None = None,
) -> SweepResult:
    """Solve and verify every point of the grid (``risk``: and simulate each solved
    plan, in its job)."""
    options = replace(options or RunOptions(), explain=False, diagnose=False)
    points, jobs = sweep_jobs(scenario, axes, options, risk)
    results = run_jobs(jobs, workers, scheduler, progress)
    return SweepResult(tuple(axes), tuple(points), tuple(results), risk is not None)
