"""What the commands that load a scenario and solve share.

Loading a scenario (recording the files it reads, so that no output overwrites an
input: :func:`optimizer.cli.output.guard_outputs`), the deadline ``--time-limit``
sets, the stderr note on re-solves the time limit skipped, and the progress bar of
the batch commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from optimizer.cli.exits import EXIT_INFEASIBLE, EXIT_SOLVER
from optimizer.cli.text import safe


def load(path: Path, variant: str | None = None, sets: tuple[str, ...] = ()) -> Any:
    """Load a scenario, recording the files it reads as inputs no output may overwrite;
    ``sets`` are ``--set PATH=VALUE`` texts, applied after the variant."""
    from optimizer.scenario.loader import load_scenario
    from optimizer.scenario.set_values import parse_sets, with_sets

    inputs = run_inputs()
    if variant is not None and not variant.strip():  # was silently the plain scenario
        raise click.UsageError("--variant needs a variant's name (it was empty)")
    changes = parse_sets(sets, str(path)) if sets else {}
    scenario = load_scenario(path, variant, inputs=inputs)
    return with_sets(scenario, changes, str(path), inputs)


def run_inputs() -> list[Path] | None:
    """The files this command has read (no output may overwrite them), kept in the click
    context; None outside a command."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or not isinstance(ctx.obj, dict):
        return None
    inputs: list[Path] = ctx.obj.setdefault("inputs", [])
    return inputs


def deadline(time_limit: float | None) -> float | None:
    """The command's deadline: ``--time-limit`` counts from here (loading included)."""
    import time

    return None if time_limit is None else time.monotonic() + time_limit


def solve_as_quoted(
    scenario: Any, fixed: dict[str, Any], time_limit: float | None, ends: float | None, nothing: str
) -> Any:
    """The deal solved with the ``--fix`` quotes held (no explanation, no diagnosis). An
    infeasible deal ends the command with one line, ``nothing`` saying what is not done
    (exit 3); no solution exit 4."""
    from optimizer.options import RunOptions, SolveOptions
    from optimizer.pipeline import run_scenario

    solve = SolveOptions(time_limit=time_limit, deadline=ends)
    result = run_scenario(
        scenario, RunOptions(fixed=fixed, explain=False, diagnose=False, solve=solve)
    )
    if not result.status.has_solution:
        infeasible = result.status == "infeasible"
        what = "the deal is infeasible" + (" as quoted" if fixed else "")
        message = f"{what}: {nothing} (see tierprice check)" if infeasible else None
        click.echo(
            safe(message or result.message or f"no solution: {result.status}", True), err=True
        )
        click.get_current_context().exit(EXIT_INFEASIBLE if infeasible else EXIT_SOLVER)
    return result


def note_skipped(result: Any) -> None:
    """One stderr line naming the re-solves the time limit left no room for."""
    if result.solver.skipped:
        what = "; ".join(result.solver.skipped)
        click.echo(safe(f"time limit reached, skipped: {what}", err=True), err=True)


def progress(total: int) -> Any:
    """A progress bar on a terminal (stderr); a silent stand-in otherwise."""
    if sys.stderr.isatty():
        return click.progressbar(length=total, file=sys.stderr, label="solving")

    class _Quiet:
        def __enter__(self) -> _Quiet:
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def update(self, n: int) -> None:
            return None

    return _Quiet()
