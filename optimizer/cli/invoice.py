"""``tierprice invoice``: the invoice of actual monthly quantities under the deal's terms.

The deal is solved first (with ``--fix`` quotes held, as ``tierprice check`` does) to
know each category's tier, price point and platform fee; then every month of the
actuals file is billed line by line (:mod:`optimizer.analysis.invoice`).
"""

from __future__ import annotations

from pathlib import Path

import click

from optimizer.cli.app import main
from optimizer.cli.options import QUOTED_FIXES, FiniteRange, OutputPath, ScenarioPath
from optimizer.cli.output import check_output, emit, guard_outputs
from optimizer.cli.record import history_options, remember
from optimizer.cli.runs import deadline, load, solve_as_quoted

FORMAT_TEXT = "Default: from --output's extension (.json .csv .txt), else table."
ActualsPath = click.Path(path_type=Path, dir_okay=True, file_okay=True)


@main.command("invoice")
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--actuals",
    type=ActualsPath,
    required=True,
    metavar="ACTUALS.csv",
    help="Actual quantities: month,category,quantity[,service_level] with a header.",
)
@QUOTED_FIXES
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@click.option("--time-limit", type=FiniteRange(min=0, min_open=True), default=None, help="Seconds.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None, help=FORMAT_TEXT
)
@click.option("--output", type=OutputPath, default=None)
@history_options
@click.pass_context
def invoice_command(
    ctx: click.Context,
    scenario: Path,
    actuals: Path,
    fixes: tuple[str, ...],
    variant: str | None,
    time_limit: float | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """The invoice of each month of ACTUALS.csv under the deal's terms, line by line.

    The terms are the solved deal's tier, price point (plan) and platform fee per
    category, or the --fix quotes. Quantities are in each category's billable
    unit; a month without a row for a category does not bill it. An actual
    service_level is reported (amount 0) and decides the bonus levels (a month
    without one is paid the levels the plan staffs to). With the deal's sla
    window a month, a month below the tier's service level is credited
    credit_pct of its charge (at most credit_cap); day and interval windows are
    not judged from a monthly figure (tierprice risk simulates them).

    \b
    Exit codes: 0 invoiced, 2 invalid input (scenario, actuals, options), 3 the
    deal is infeasible (as quoted), 4 solver error or no solution in the time
    limit, 5 verification failed, 130 interrupted (Ctrl-C), 1 unexpected.
    """
    from optimizer.analysis.invoice import invoice
    from optimizer.output import invoice_report
    from optimizer.scenario.actuals import read_actuals
    from optimizer.scenario.fixes import parse_fixes

    fmt = check_output(fmt, output, choices=("table", "json", "csv"))
    ends = deadline(time_limit)
    s = load(scenario, variant)
    ctx.obj.setdefault("inputs", []).append(actuals)
    guard_outputs(output)
    fixed = parse_fixes(s, fixes, str(scenario))
    rows = read_actuals(actuals, s)
    from optimizer.analysis.invoice import billing_of

    result = solve_as_quoted(s, fixed, time_limit, ends, "no terms to invoice")
    bill = invoice(s, billing_of(result), rows)
    render = {"json": invoice_report.to_json, "csv": invoice_report.to_csv}
    emit(render.get(fmt, invoice_report.to_text)(bill), output, fmt)
    opts = {"actuals": str(actuals), "fix": list(fixes), "variant": variant}
    remember("invoice", opts | {"time_limit": time_limit}, s, invoice_report.to_json(bill), 0)
