"""The commands about one deal: ``solve`` (the best tiers, prices and staffing) and
``check`` (can we sign the deal as quoted, and if not, what would make it feasible).

Both verify the solution independently and report the limits (binding, slack,
shadow price: :data:`optimizer.cli.options.LIMIT_TERMS`); their exit codes say
solved, infeasible, solver error or failed verification.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from optimizer.cli.app import main
from optimizer.cli.exits import EXIT_INFEASIBLE, EXIT_SOLVER
from optimizer.cli.options import (
    FORMAT_HELP,
    FORMATS,
    FiniteRange,
    OutputPath,
    ScenarioPath,
    objective_name,
    with_limit_terms,
)
from optimizer.cli.output import (
    chart_format,
    check_output,
    emit,
    emit_results,
    guard_outputs,
    write_bytes,
)
from optimizer.cli.record import SET, history_options, remember, suggestion_commands
from optimizer.cli.runs import deadline, load, note_skipped
from optimizer.cli.text import safe


@main.command("solve")
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--objective",
    type=click.Choice(["max-margin", "min-price", "max-expected-margin"]),
    default=None,
    help="Default: the scenario's own.",
)
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True)
@click.option("--time-limit", type=FiniteRange(min=0, min_open=True), default=None, help="Seconds.")
@click.option("--gap", type=FiniteRange(0, 1), default=None, help="Relative MIP gap.")
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@SET
@click.option("--format", "fmt", type=FORMATS, default=None, help=FORMAT_HELP)
@click.option("--output", type=OutputPath, default=None)
@click.option(
    "--plot",
    type=OutputPath,
    default=None,
    help="Also draw the staffing by interval and site (.png, .pdf or .svg).",
)
@click.option("--no-explain", is_flag=True, help="Skip shadow prices and relaxation re-solves.")
@click.option(
    "--exact-prices",
    is_flag=True,
    help="Keep continuous prices at the exact optimum (default: a quotable step, cents; "
    "4 decimals below 1).",
)
@history_options
@click.pass_context
@with_limit_terms
def solve_command(
    ctx: click.Context,
    scenario: Path,
    objective: str | None,
    solver: str,
    time_limit: float | None,
    gap: float | None,
    variant: str | None,
    sets: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    plot: Path | None,
    no_explain: bool,
    exact_prices: bool,
) -> None:
    """Choose tiers, prices and staffing for the best margin (or the lowest price).

    \b
    {terms}

    \b
    The run is recorded in the history (tierprice runs); --set PATH=VALUE
    changes a scenario field first (repeatable).
    Exit codes: 0 solved and verified, 2 invalid input, 3 infeasible (a
    diagnosis is printed), 4 solver error or no solution in the time limit,
    5 verification failed, 130 interrupted (Ctrl-C), 1 unexpected.
    """
    fmt = check_output(fmt, output, plot)
    ends = deadline(time_limit)
    s = load(scenario, variant, sets)
    guard_outputs(output, plot)
    opts = {
        "objective": objective_name(objective),
        "solver": solver,
        "time_limit": time_limit,
        "gap": gap,
        "explain": not no_explain,
        "exact_prices": exact_prices,
        "variant": variant,
        "set": list(sets),
    }
    result, payload, code = solve_run(s, opts, ends)
    emit_results([result], fmt, output, single=True, scenarios=[s])
    note_skipped(result)
    if plot is not None and result.totals is not None:
        from optimizer.output.plots import staffing_png

        write_bytes(plot, staffing_png(result, fmt=chart_format(plot)))
    remember("solve", opts, s, payload, code)
    if code == EXIT_SOLVER:
        click.echo(safe(result.message or f"no solution: {result.status}", err=True), err=True)
    if code:
        ctx.exit(code)


def solve_run(
    s: Any, opts: dict[str, Any], ends: float | None, source: str = "--fix"
) -> tuple[Any, str, int]:
    """``solve`` with the options a run records: the result, its JSON and exit code. A
    desk solve may hold quotes (``fix``, as ``check --fix``); the command line's never
    does (its runs record none)."""
    from optimizer.options import RunOptions, SolveOptions
    from optimizer.output import report
    from optimizer.pipeline import run_scenario
    from optimizer.results import SolveStatus
    from optimizer.scenario.fixes import parse_fixes

    solve = SolveOptions(
        solver=opts.get("solver", "highs"),
        time_limit=opts.get("time_limit"),
        gap=opts.get("gap"),
        deadline=ends,
    )
    options = RunOptions(
        objective=opts.get("objective"),
        explain=opts.get("explain", True),
        solve=solve,
        exact_prices=opts.get("exact_prices", False),
        fixed=parse_fixes(s, opts.get("fix", []), source),
    )
    result = run_scenario(s, options)
    code = 0
    if result.status == SolveStatus.INFEASIBLE:
        code = EXIT_INFEASIBLE
    elif not result.status.has_solution:
        code = EXIT_SOLVER
    return result, report.to_json(result), code


@main.command()
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--fix",
    "fixes",
    multiple=True,
    metavar="CATEGORY=TIER@PRICE",
    help="Hold a category at the tier and price quoted to the client (repeatable).",
)
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@SET
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True)
@click.option("--time-limit", type=FiniteRange(min=0, min_open=True), default=None)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default=None, help=FORMAT_HELP
)
@click.option("--output", type=OutputPath, default=None)
@history_options
@click.pass_context
@with_limit_terms
def check(
    ctx: click.Context,
    scenario: Path,
    fixes: tuple[str, ...],
    variant: str | None,
    sets: tuple[str, ...],
    solver: str,
    time_limit: float | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Can we sign this deal? FEASIBLE, or NOT FEASIBLE and what would make it so.

    \b
    {terms}

    \b
    Under each suggestion, the command that applies it (--fix and --set as
    printed). The run is recorded in the history (tierprice runs).
    Exit codes: 0 feasible, 2 invalid input, 3 not feasible (with
    the proven changes), 4 solver error or no solution in the time limit,
    5 verification failed, 130 interrupted (Ctrl-C), 1 unexpected.
    """
    from optimizer.output import report

    fmt = check_output(fmt, output, choices=("table", "json"))
    ends = deadline(time_limit)
    s = load(scenario, variant, sets)
    guard_outputs(output)
    opts = {"fix": list(fixes), "solver": solver, "time_limit": time_limit}
    opts |= {"variant": variant, "set": list(sets)}
    result, fixed, payload, code = check_run(s, opts, ends, str(scenario))
    text = (
        payload if fmt == "json" else report.check_text(result, _how(scenario, opts, fixed, result))
    )
    emit(text, output, fmt)
    note_skipped(result)
    remember("check", opts, s, payload, code)
    if code:
        ctx.exit(code)


def _how(scenario: Path, opts: dict[str, Any], fixed: dict[str, Any], result: Any) -> Any:
    """The command printed under each suggestion: this check, with the suggestion applied."""
    from optimizer.scenario.set_values import parse_sets

    prefix = ["tierprice", "check", str(scenario)]
    prefix += ["--variant", opts["variant"]] if opts["variant"] else []
    prefix += ["--solver", opts["solver"]] if opts["solver"] != "highs" else []
    prefix += ["--time-limit", repr(opts["time_limit"])] if opts["time_limit"] is not None else []
    held = {c: q.spec() for c, q in fixed.items()}
    sets = parse_sets(opts["set"], str(scenario))
    return suggestion_commands(prefix, held, sets, result.diagnosis)


def check_run(
    s: Any, opts: dict[str, Any], ends: float | None, source: str
) -> tuple[Any, dict[str, Any], str, int]:
    """``check`` with the options a run records: result, quotes, JSON and exit code."""
    from optimizer.options import SolveOptions, check_options
    from optimizer.output import report
    from optimizer.pipeline import run_scenario
    from optimizer.scenario.fixes import parse_fixes

    fixed = parse_fixes(s, opts.get("fix", []), source)
    solver, limit = opts.get("solver", "highs"), opts.get("time_limit")
    base = SolveOptions(solver=solver, time_limit=limit, deadline=ends)
    result = run_scenario(s, check_options(fixed, base))
    code = 0
    if not result.status.has_solution:
        code = EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_SOLVER
    return result, fixed, report.check_json(result, fixed), code
