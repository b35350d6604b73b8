"""The commands about one deal: ``solve`` (the best tiers, prices and staffing) and
``check`` (can we sign the deal as quoted, and if not, what would make it feasible).

Both verify the solution independently and report the limits (binding, slack,
shadow price: :data:`optimizer.cli.options.LIMIT_TERMS`); their exit codes say
solved, infeasible, solver error or failed verification.
"""

from __future__ import annotations

from pathlib import Path

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
from optimizer.cli.runs import deadline, load, note_skipped
from optimizer.cli.text import safe


@main.command("solve")
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--objective",
    type=click.Choice(["max-margin", "min-price"]),
    default=None,
    help="Default: the scenario's own.",
)
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True)
@click.option("--time-limit", type=FiniteRange(min=0, min_open=True), default=None, help="Seconds.")
@click.option("--gap", type=FiniteRange(0, 1), default=None, help="Relative MIP gap.")
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
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
    Exit codes: 0 solved and verified, 2 invalid input, 3 infeasible (a
    diagnosis is printed), 4 solver error or no solution in the time limit,
    5 verification failed, 130 interrupted (Ctrl-C), 1 unexpected.
    """
    from optimizer.options import RunOptions, SolveOptions
    from optimizer.pipeline import run_scenario
    from optimizer.results import SolveStatus

    fmt = check_output(fmt, output, plot)
    ends = deadline(time_limit)
    s = load(scenario, variant)
    guard_outputs(output, plot)
    options = RunOptions(
        objective=objective_name(objective),
        explain=not no_explain,
        solve=SolveOptions(solver=solver, time_limit=time_limit, gap=gap, deadline=ends),
        exact_prices=exact_prices,
    )
    result = run_scenario(s, options)
    emit_results([result], fmt, output, single=True, scenarios=[s])
    note_skipped(result)
    if plot is not None and result.totals is not None:
        from optimizer.output.plots import staffing_png

        write_bytes(plot, staffing_png(result, fmt=chart_format(plot)))
    if result.status == SolveStatus.INFEASIBLE:
        ctx.exit(EXIT_INFEASIBLE)
    if not result.status.has_solution:
        click.echo(safe(result.message or f"no solution: {result.status}", err=True), err=True)
        ctx.exit(EXIT_SOLVER)


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
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True)
@click.option("--time-limit", type=FiniteRange(min=0, min_open=True), default=None)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default=None, help=FORMAT_HELP
)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.pass_context
@with_limit_terms
def check(
    ctx: click.Context,
    scenario: Path,
    fixes: tuple[str, ...],
    variant: str | None,
    solver: str,
    time_limit: float | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Can we sign this deal? FEASIBLE, or NOT FEASIBLE and what would make it so.

    \b
    {terms}

    \b
    Exit codes: 0 feasible, 2 invalid input, 3 not feasible (with
    the proven changes), 4 solver error or no solution in the time limit,
    5 verification failed, 130 interrupted (Ctrl-C), 1 unexpected.
    """
    from optimizer.options import SolveOptions, check_options
    from optimizer.output import report
    from optimizer.pipeline import run_scenario
    from optimizer.scenario.fixes import parse_fixes

    fmt = check_output(fmt, output, choices=("table", "json"))
    ends = deadline(time_limit)
    s = load(scenario, variant)
    guard_outputs(output)
    fixed = parse_fixes(s, fixes, str(scenario))
    base = SolveOptions(solver=solver, time_limit=time_limit, deadline=ends)
    options = check_options(fixed, base)
    result = run_scenario(s, options)
    text = report.check_json(result, fixed) if fmt == "json" else report.check_text(result)
    emit(text, output, fmt)
    note_skipped(result)
    if not result.status.has_solution:
        ctx.exit(EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_SOLVER)
