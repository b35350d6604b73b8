"""``tierprice risk``: months drawn around the forecast under the solved (or quoted)
plan, and the margin, credits and service they give (:mod:`optimizer.risk`).

The deal is solved first (``--fix`` quotes held, as ``tierprice check`` does); its
tiers, prices and staffing are then held while volumes, handle times, absence and
arrivals vary (docs/risk.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from optimizer.cli.app import main
from optimizer.cli.options import QUOTED_FIXES, FiniteRange, OutputPath, ScenarioPath
from optimizer.cli.output import chart_format, check_output, emit, guard_outputs, write_bytes
from optimizer.cli.record import SET, history_options, remember
from optimizer.cli.runs import deadline, load, solve_as_quoted

MAX_DRAWS = 1_000_000
"""Most months one run may draw."""


@main.command("risk")
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--draws",
    type=click.IntRange(1, MAX_DRAWS),
    default=10_000,
    show_default=True,
    help="Months to simulate.",
)
@click.option(
    "--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True, help="Random seed."
)
@QUOTED_FIXES
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@SET
@click.option("--time-limit", type=FiniteRange(min=0, min_open=True), default=None, help="Seconds.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default=None,
    help="Default: from --output's extension (.json .txt), else table.",
)
@click.option("--output", type=OutputPath, default=None)
@click.option(
    "--plot",
    type=OutputPath,
    default=None,
    help="Also draw the margin's histogram and P(window met) (.png, .pdf or .svg).",
)
@history_options
@click.pass_context
def risk_command(
    ctx: click.Context,
    scenario: Path,
    draws: int,
    seed: int,
    fixes: tuple[str, ...],
    variant: str | None,
    sets: tuple[str, ...],
    time_limit: float | None,
    fmt: str | None,
    output: Path | None,
    plot: Path | None,
) -> None:
    """Simulate months of the solved plan: margin percentiles, P(margin below the
    floor), SLA credits and P(window met) per category.

    The plan's tiers, prices and staffing are held; volume, handle time, absence
    and arrivals vary as the scenario's uncertainty block says (defaults when it
    has none), and missed windows cost the sla block's credits.

    \b
    Exit codes: 0 simulated, 2 invalid input, 3 the deal is infeasible (as
    quoted), 4 solver error or no solution in the time limit, 5 verification
    failed, 130 interrupted (Ctrl-C), 1 unexpected.
    """
    from optimizer.output import risk_report

    fmt = check_output(fmt, output, plot, choices=("table", "json"))
    ends = deadline(time_limit)
    s = load(scenario, variant, sets)
    guard_outputs(output, plot)
    opts = {"draws": draws, "seed": seed, "fix": list(fixes), "variant": variant, "set": list(sets)}
    if time_limit is not None:  # recorded only when given
        opts["time_limit"] = time_limit
    risk = risk_run(s, opts, ends, str(scenario))
    render = risk_report.to_json if fmt == "json" else risk_report.to_text
    emit(render(risk), output, fmt)
    remember("risk", opts, s, risk_report.to_json(risk), 0)
    if plot is not None:
        from optimizer.output.plots import risk_png

        write_bytes(plot, risk_png(risk, fmt=chart_format(plot)))


def risk_run(s: Any, opts: dict[str, Any], ends: float | None, source: str) -> Any:
    """``risk`` with the options a run records (``draws``, ``seed``, ``fix``,
    ``time_limit``): the plan solved as quoted, then its months (for ``runs replay``
    too). An infeasible or unsolved deal ends the command (exit 3 or 4)."""
    from optimizer.risk.engine import risk_of
    from optimizer.risk.pricing import confident_requirements
    from optimizer.scenario.fixes import parse_fixes
    from optimizer.staffing.requirements import build_requirements

    fixed = parse_fixes(s, opts.get("fix", []), source)
    limit = opts.get("time_limit")
    result = solve_as_quoted(s, fixed, limit, ends, "no plan to simulate")
    reqs = confident_requirements(s, build_requirements(s))  # as the plan was solved
    return risk_of(s, result, opts["draws"], opts["seed"], reqs)
