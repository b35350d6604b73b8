"""The commands that solve many deals: ``compare`` (scenario files and variants side by
side), ``sweep`` (a grid of what-ifs) and ``frontier`` (the best margin as a function
of the client's budget).

They solve in parallel (``--workers``, or an existing Dask cluster: ``--scheduler``)
with a progress bar on a terminal; ``sweep`` and ``frontier`` write one row per grid
point and, on Ctrl-C, the points already solved before exiting 130.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

import click

from optimizer.cli.app import fail, main
from optimizer.cli.compare_jobs import distinct, variant_names
from optimizer.cli.exits import EXIT_SOLVER
from optimizer.cli.options import (
    FORMAT_HELP,
    FORMATS,
    POINT_TIME_LIMIT,
    SCHEDULER,
    WORKERS,
    OutputPath,
    ScenarioPath,
    objective_name,
)
from optimizer.cli.output import (
    chart_format,
    check_output,
    emit,
    emit_results,
    guard_outputs,
    rows_out,
    write_bytes,
)
from optimizer.cli.record import SET, history_options, remember
from optimizer.cli.risk import MAX_DRAWS
from optimizer.cli.runs import load, progress, run_inputs
from optimizer.cli.text import safe

if TYPE_CHECKING:
    from optimizer.studies.risk_points import RiskDraws

F = TypeVar("F", bound=Callable[..., Any])
SHOWN_ERRORS = 10
"""Failed points of a sweep whose reason is printed (the rest are counted)."""


def risk_options(command: F) -> F:
    """``--risk-draws N`` and ``--risk-seed S``: simulate every solved plan as
    ``tierprice risk`` does (off by default: the output is unchanged)."""
    seed = click.option(
        "--risk-seed",
        type=click.IntRange(0, 2**63 - 1),
        default=None,
        help="Random seed of --risk-draws (default 0; every point uses it).",
    )
    draws = click.option(
        "--risk-draws",
        type=click.IntRange(1, MAX_DRAWS),
        default=None,
        metavar="N",
        help="Also simulate N months of each solved plan: its margin mean, 5th "
        "percentile and CVaR 5%, P(margin below floor) and expected SLA credits.",
    )
    return draws(seed(command))


def risk_request(draws: int | None, seed: int | None) -> RiskDraws | None:
    """The simulation --risk-draws/--risk-seed ask for (None: none); a seed without
    draws is a usage error (exit 2)."""
    from optimizer.studies.risk_points import RiskDraws

    if draws is None:
        if seed is not None:
            raise click.UsageError("--risk-seed needs --risk-draws N")
        return None
    return RiskDraws(draws, 0 if seed is None else seed)


@main.command()
@click.argument("scenarios", type=ScenarioPath, nargs=-1, required=True)
@click.option(
    "--variants",
    default=None,
    metavar="all|NAME,...",
    help="Also compare the named variants of the (first) scenario file.",
)
@SET
@click.option("--format", "fmt", type=FORMATS, default=None, help=FORMAT_HELP)
@click.option("--output", type=OutputPath, default=None)
@POINT_TIME_LIMIT
@WORKERS
@SCHEDULER
@risk_options
@history_options
def compare(
    scenarios: tuple[Path, ...],
    variants: str | None,
    sets: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    time_limit: float | None,
    workers: int | None,
    scheduler: str | None,
    risk_draws: int | None,
    risk_seed: int | None,
) -> None:
    """Solve scenario files and/or variants and show them side by side.

    --set PATH=VALUE changes a field of every scenario compared (each variant's own
    changes first, as in solve)."""
    from optimizer.options import RunOptions, SolveOptions
    from optimizer.output import report
    from optimizer.output.compare import Comparison, check_currencies, comparison_text
    from optimizer.scenario.set_values import parse_sets, with_sets
    from optimizer.studies.batch import Job, run_jobs

    fmt = check_output(fmt, output)
    risk = risk_request(risk_draws, risk_seed)
    options = RunOptions(explain=False, solve=SolveOptions(time_limit=time_limit))
    jobs = []
    sources = []
    for i, path in enumerate(scenarios):
        changes = parse_sets(sets, str(path)) if sets else {}
        base = load(path)
        s = with_sets(base, changes, str(path), run_inputs())
        jobs.append(Job(s.scenario, s, options, risk=risk))
        sources.append((str(path), s.currency))
        if variants and i == 0:  # the variants of the first file, as --help says
            for name in variant_names(variants, list(s.variants)):
                v = with_sets(base.variant(name, str(path)), changes, str(path), run_inputs())
                jobs.append(Job(v.scenario, v, options, risk=risk))
                sources.append((f"{path} [{name}]", v.currency))
    check_currencies(sources)  # before solving: figures in two currencies do not subtract
    jobs = distinct(jobs, [source for source, _ in sources])
    guard_outputs(output)
    with progress(len(jobs)) as bar:
        results = run_jobs(jobs, workers, scheduler, bar.update)
    if fmt == "table":
        emit(comparison_text(Comparison(tuple(results))), output, fmt)
    else:
        emit_results(
            results,
            fmt,
            output,
            single=False,
            scenarios=[j.scenario for j in jobs if j.scenario is not None],
        )
    opts: dict[str, Any] = {"scenarios": [str(p) for p in scenarios], "variants": variants}
    used = {"set": list(sets), "time_limit": time_limit}  # recorded only when used
    opts |= {k: v for k, v in used.items() if v}
    if risk is not None:
        opts |= {"risk_draws": risk.draws, "risk_seed": risk.seed}
    remember("compare", opts, jobs[0].scenario, report.to_json(list(results)), 0)


class GridOutputs(NamedTuple):
    """The options every grid command shares: where its rows (and plot) go, and where
    it solves."""

    fmt: str | None
    """--format (None: from --output's extension)."""
    output: Path | None
    """--output (None: stdout)."""
    plot: Path | None
    """--plot (None: no chart)."""
    workers: int | None
    """--workers (None: every core)."""
    scheduler: str | None
    """--scheduler (None: processes on this machine)."""


def _grid_outputs(plot_help: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The options after a grid command's own (``--format`` ... ``--scheduler``), and the
    context; the command receives them as one ``grid`` (:class:`GridOutputs`).
    ``plot_help`` says what ``--plot`` draws."""
    decorators = (
        click.option("--format", "fmt", type=FORMATS, default=None, help=FORMAT_HELP),
        click.option("--output", type=OutputPath, default=None),
        click.option("--plot", type=OutputPath, default=None, help=plot_help),
        WORKERS,
        SCHEDULER,
        history_options,
        click.pass_context,
    )

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(command)
        def gathered(
            ctx: click.Context,
            fmt: str | None,
            output: Path | None,
            plot: Path | None,
            workers: int | None,
            scheduler: str | None,
            **own: Any,
        ) -> None:
            command(ctx, grid=GridOutputs(fmt, output, plot, workers, scheduler), **own)

        wrapped: Any = gathered
        for decorator in reversed(decorators):  # as if stacked above ``command`` in this order
            wrapped = decorator(wrapped)
        return cast(Callable[..., None], wrapped)

    return decorate


def _solve_grid(
    ctx: click.Context,
    source: tuple[Path, str | None, tuple[str, ...]],
    plan: Callable[[Any], tuple[list[Any], Any]],
    grid: GridOutputs,
    draw: tuple[Callable[..., bytes], str],
    risk: RiskDraws | None = None,
) -> None:
    """Load ``source`` (scenario file, variant, ``--set`` values), ``plan`` its grid
    (scenario -> axes and run options), solve every point with a progress bar; write rows
    (and a plot).

    ``draw``: the chart function and the sheet name of the rows. Usage errors come
    before the scenario is read, output errors before anything is solved. On Ctrl-C
    the points already solved are written before exiting 130. ``risk``: every solved
    point is also simulated (in its job)."""
    from optimizer.studies.batch import BatchInterrupted
    from optimizer.studies.sweep import SweepResult, grid_points, run_sweep

    output, plot = grid.output, grid.plot
    fmt = check_output(grid.fmt, output, plot)
    scenario = load(*source)
    guard_outputs(output, plot)
    axes, options = plan(scenario)
    chart = chart_format(plot) if plot is not None else "png"
    png, sheet = draw
    points = grid_points(axes)
    with progress(len(points)) as bar:
        try:
            result = run_sweep(
                scenario, axes, options, grid.workers, grid.scheduler, bar.update, risk
            )
        except BatchInterrupted as stop:
            done = SweepResult(tuple(axes), tuple(points), tuple(stop.partial), risk is not None)
            rows = done.rows()
            if not rows:  # nothing to keep: an earlier file at the output stays as it was
                click.echo("interrupted before any point was solved: nothing written", err=True)
                ctx.exit(stop.exit_code)
            rows_out(rows, fmt, output, sheet, scenario, sheet == "sweep")
            click.echo("interrupted: the points already solved were kept", err=True)
            ctx.exit(stop.exit_code)
    rows_out(result.rows(), fmt, output, sheet, scenario, sheet == "sweep")
    if plot is not None:
        write_bytes(plot, png(result, fmt=chart))
    failed = [r for r in result.results if r is not None and r.status == "error"]
    if failed and len(failed) == len(result.results):  # nothing solved: not a success
        fail(ctx, f"every point of the grid failed: {failed[0].message}", EXIT_SOLVER)
    for point in failed[:SHOWN_ERRORS]:  # an error row says why, on stderr
        click.echo(safe(f"point {point.scenario}: {point.message}", err=True), err=True)
    if len(failed) > SHOWN_ERRORS:
        click.echo(f"... and {len(failed) - SHOWN_ERRORS} more points failed", err=True)
    _remember_grid(ctx, scenario, result.rows())


def _remember_grid(ctx: click.Context, scenario: Any, rows: list[dict[str, Any]]) -> None:
    """Record a sweep or frontier: its options and its rows as --format json has them."""
    from optimizer.output import report

    unused = {"scenario", "sets"} | {
        k for k in ("risk_draws", "risk_seed", "time_limit") if ctx.params.get(k) is None
    }
    opts = {k: v for k, v in ctx.params.items() if k not in unused}
    if ctx.params.get("sets"):  # recorded only when used, as solve names it
        opts["set"] = list(ctx.params["sets"])
    remember(ctx.info_name or "grid", opts, scenario, report.rows_to_json(rows), 0)


@main.command()
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--vary",
    "varies",
    multiple=True,
    required=True,
    metavar="PATH=START:STOP:STEPS",
    help="A field and its values (repeat for a grid); xA:xB:STEPS multiplies.",
)
@click.option("--variant", default=None)
@SET
@click.option(
    "--objective",
    type=click.Choice(["max-margin", "min-price", "max-expected-margin"]),
    default=None,
)
@POINT_TIME_LIMIT
@risk_options
@_grid_outputs("Margin curve or heat map (.png, .pdf, .svg).")
def sweep(
    ctx: click.Context,
    scenario: Path,
    varies: tuple[str, ...],
    variant: str | None,
    sets: tuple[str, ...],
    objective: str | None,
    time_limit: float | None,
    risk_draws: int | None,
    risk_seed: int | None,
    grid: GridOutputs,
) -> None:
    """Solve a grid of what-ifs: one row per point, the totals and the status.

    --set PATH=VALUE changes a field of the scenario first (repeatable); a field
    that is also varied takes the values of --vary."""
    from optimizer.options import RunOptions, SolveOptions
    from optimizer.output.plots import sweep_png
    from optimizer.studies.sweep import parse_vary, validate_axes

    def plan(s: Any) -> tuple[list[Any], Any]:
        axes = [parse_vary(v) for v in varies]
        validate_axes(s, axes)  # a mistyped path is exit 2 before anything is solved
        limit = SolveOptions(time_limit=time_limit)
        return axes, RunOptions(objective=objective_name(objective), solve=limit)

    risk = risk_request(risk_draws, risk_seed)
    _solve_grid(ctx, (scenario, variant, sets), plan, grid, (sweep_png, "sweep"), risk)


@main.command()
@click.argument("scenario", type=ScenarioPath)
@click.option("--points", type=click.IntRange(min=2, max=1000), default=12, show_default=True)
@click.option("--variant", default=None)
@SET
@POINT_TIME_LIMIT
@_grid_outputs("The frontier curve (.png, .pdf, .svg).")
def frontier(
    ctx: click.Context,
    scenario: Path,
    points: int,
    variant: str | None,
    sets: tuple[str, ...],
    time_limit: float | None,
    grid: GridOutputs,
) -> None:
    """The provider's best margin as a function of the client's budget.

    --set PATH=VALUE changes a field of the scenario first (repeatable); the
    frontier sets the budget itself."""
    from optimizer.options import RunOptions, SolveOptions
    from optimizer.output.plots import frontier_png
    from optimizer.studies.frontier import frontier_axis

    def plan(s: Any) -> tuple[list[Any], Any]:
        limit = SolveOptions(time_limit=time_limit)
        options = RunOptions(objective="max_margin", diagnose=False, explain=False, solve=limit)
        return [frontier_axis(s, points, options)], options

    _solve_grid(ctx, (scenario, variant, sets), plan, grid, (frontier_png, "frontier"))
