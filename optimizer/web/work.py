"""One check or solve, run as the command line runs it, in a worker process.

:func:`execute` loads the scenario (a file, with its CSV profiles, or an uploaded
text), applies the variant, the ``set`` overrides (``apply_overrides``, through
``set_values.with_sets``, as ``--set``) and the ``fix`` quotes (``parse_fixes``), runs the
pipeline with the options of ``tierprice check`` or ``tierprice solve`` and writes
the same JSON (``report.check_json``, ``report.to_json``). Its errors become the
command line's messages and exit codes (:data:`EXIT`). :func:`worker_main` is the
body of the worker process :mod:`optimizer.web.jobs` starts: it dies with its
parent, leaves Ctrl-C to it, and reports its stage as it goes.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from optimizer.errors import ScenarioError, SolverError, VerificationError
from optimizer.web.requests import DealRequest

EXIT = {"ok": 0, "unexpected": 1, "invalid": 2, "infeasible": 3, "solver": 4, "verify": 5}
"""The command line's exit codes (``optimizer.cli.exits``), which the API reports too."""
EXIT_CANCELLED = 130
"""A job cancelled from the page: as Ctrl-C on the command line."""


@dataclass(frozen=True)
class Outcome:
    """What a command printed and its exit code; ``result`` for the history."""

    exit_code: int
    output: str = ""
    """The command's JSON (stdout), empty when it ended on an error."""
    error: str = ""
    """The command's message on stderr (one line per problem), if any."""
    problems: tuple[str, ...] = ()
    """Each problem of invalid input, one line each."""
    result: Any = None
    """The VerifiedResult (for the workbook and comparisons), when there is one."""
    notes: tuple[str, ...] = field(default=())
    """Warnings the command line prints on stderr (re-solves the time limit skipped)."""
    scenario: Any = None
    """The scenario as solved (variant and changes applied), for the history and quote."""


def load(request: DealRequest) -> Any:
    """The scenario of a request, with its variant and overrides applied."""
    from optimizer.scenario.loader import load_scenario
    from optimizer.scenario.schema import validate_scenario
    from optimizer.scenario.yaml_reading import parse_yaml

    if request.path is not None:
        scenario = load_scenario(request.path, request.variant)
    else:
        scenario = validate_scenario(parse_yaml(request.text or "", request.source), request.source)
        if request.variant:
            scenario = scenario.variant(request.variant, request.source)
    if request.overrides:  # as the command line's --set: its messages, its file name
        from optimizer.scenario.set_values import with_sets

        scenario = with_sets(scenario, request.overrides, request.named)
    return scenario


def execute(request: DealRequest, deadline: float | None = None) -> Outcome:
    """Run the request's command; every error the CLI names becomes its message."""
    try:
        return _run(request, deadline)
    except ScenarioError as err:
        lines = tuple(str(i) for i in err.issues)
        return Outcome(EXIT["invalid"], error=str(err), problems=lines)
    except SolverError as err:
        return Outcome(EXIT["solver"], error=f"solver error: {err}")
    except VerificationError as err:
        return Outcome(EXIT["verify"], error=f"verification failed: {err}")
    except Exception as err:  # the CLI's "unexpected error" line, never a traceback
        return Outcome(EXIT["unexpected"], error=f"unexpected error: {type(err).__name__}: {err}")


def _run(request: DealRequest, deadline: float | None) -> Outcome:
    from optimizer.options import RunOptions, SolveOptions, check_options
    from optimizer.output import report
    from optimizer.pipeline import run_scenario
    from optimizer.scenario.fixes import parse_fixes

    scenario = load(request)
    fixed = parse_fixes(scenario, request.fixes, request.named)
    solve = SolveOptions(solver=request.solver, time_limit=request.time_limit, deadline=deadline)
    if request.command == "check":
        result = run_scenario(scenario, check_options(fixed, solve))
        output = report.check_json(result, fixed)
    else:
        options = RunOptions(
            objective=request.objective, explain=request.explain, solve=solve, fixed=fixed
        )
        result = run_scenario(scenario, options)
        output = report.to_json(result)
    notes: tuple[str, ...] = ()
    if result.solver.skipped:
        notes = (f"time limit reached, skipped: {'; '.join(result.solver.skipped)}",)
    if result.status.has_solution:
        return Outcome(EXIT["ok"], output, result=result, notes=notes, scenario=scenario)
    code = EXIT["infeasible"] if result.status == "infeasible" else EXIT["solver"]
    message = "" if code == EXIT["infeasible"] else result.message
    return Outcome(code, output, error=message, result=result, notes=notes, scenario=scenario)


def worker_main(conn: Connection, request: DealRequest) -> None:
    """The worker process: die with the parent, leave Ctrl-C to it, report, answer."""
    from optimizer.processes import child_signals, die_with_parent

    die_with_parent(os.getppid())
    child_signals()
    started = time.monotonic()
    deadline = None if request.time_limit is None else started + request.time_limit
    conn.send(("stage", "solving" if request.command == "solve" else "checking"))
    outcome = execute(request, deadline)
    try:
        conn.send(("done", outcome))
    except Exception as err:  # an unpicklable result: keep the answer, drop the object
        message = f"unexpected error: {type(err).__name__}: {err}"
        conn.send(("done", Outcome(outcome.exit_code, outcome.output, outcome.error or message)))
    conn.close()
