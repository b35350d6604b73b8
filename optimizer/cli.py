"""The ``tierprice`` command line: parses options, calls the pipeline, prints reports.

Exit codes (documented in the README):

* 0 success (solved and verified; valid scenario; feasible deal)
* 1 unexpected error (one line; ``--debug`` shows the traceback)
* 2 invalid scenario or usage
* 3 deal infeasible (a diagnosis is printed)
* 4 solver error, or the time limit came before any solution
* 5 the solution failed its independent verification
* 130 interrupted (Ctrl-C), 143 terminated (SIGTERM), 129 hung up (SIGHUP); every
  process the command started is ended and no partial output file is left

Heavy modules (numpy, scipy, PuLP) are imported inside the commands so that
``tierprice --help`` answers at once.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click

from optimizer._version import __version__

EXIT_OK, EXIT_UNEXPECTED, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_SOLVER, EXIT_VERIFY = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

ScenarioPath = click.Path(path_type=Path, dir_okay=True, file_okay=True)
OutputPath = click.Path(path_type=Path, dir_okay=False)
FORMATS = click.Choice(["table", "json", "csv", "xlsx"])


class _FiniteRange(click.FloatRange):
    """A FloatRange that also refuses nan and inf (click lets them through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{number} is not a finite number.", param, ctx)
        return number


class _FileWriteError(click.ClickException):
    """An output file that cannot be written: one line, exit 2 (a usage problem)."""

    exit_code = EXIT_INVALID


def _write_file(path: Path, data: str | bytes) -> None:
    """Write an output file atomically; an OS error becomes one clean message."""
    from optimizer.writers import write_atomic

    try:
        write_atomic(path, data)
    except OSError as err:
        where = f" ({err.filename})" if err.filename and str(err.filename) != str(path) else ""
        message = f"cannot write {path}: {err.strerror or err}{where}"
        raise _FileWriteError(_safe(message, err=True)) from None


class _Group(click.Group):
    """Maps tierprice's exceptions to one-line messages and documented exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from optimizer.errors import ScenarioError, SolverError, VerificationError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ScenarioError as err:
            _fail(ctx, str(err), EXIT_INVALID)
        except SolverError as err:
            _fail(ctx, f"solver error: {err}", EXIT_SOLVER)
        except VerificationError as err:
            _fail(ctx, f"verification failed: {err}", EXIT_VERIFY)
        except KeyboardInterrupt as stop:  # Ctrl-C, or a signal (console.Terminated)
            _fail(ctx, str(stop) or "interrupted", getattr(stop, "exit_code", EXIT_INTERRUPTED))
        except BrokenPipeError:
            from optimizer.console import EXIT_BROKEN_PIPE, quiet_broken_pipe

            quiet_broken_pipe()  # the reader went away (| head): end quietly
            ctx.exit(EXIT_BROKEN_PIPE)
        except Exception as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            _fail(
                ctx,
                f"unexpected error: {type(err).__name__}: {err} (run with --debug for "
                "the traceback)",
                EXIT_UNEXPECTED,
            )


def _fail(ctx: click.Context, message: str, code: int) -> None:
    click.echo(_safe(message, err=True), err=True)
    ctx.exit(code)


def _warning_line(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A warning as one line on stderr (no source lines; --debug shows Python's own)."""
    click.echo(_safe(f"warning: {message}", err=True), err=True)


def _safe(text: str, err: bool = False) -> str:
    """Degrade characters the terminal's encoding cannot show (e.g. ASCII terminals).

    ``err``: for stderr rather than stdout. Click writes UTF-8 to a stream it finds
    "misconfigured" as ASCII, so the degrading has to happen here.
    """
    stream = sys.stderr if err else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    return text.encode(encoding, errors="replace").decode(encoding)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tierprice")
@click.option("--debug", is_flag=True, help="Show full tracebacks on unexpected errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """tierprice: service-tier pricing for contact-centre outsourcing deals.

    Picks, per category, the service tier, the price point and the staffing per
    site that maximise the provider's margin while the client's limits hold.
    Exit codes: 0 ok, 1 unexpected, 2 invalid input, 3 infeasible, 4 solver,
    5 verification failed.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if not debug:
        import warnings

        warnings.showwarning = _warning_line


def _load(path: Path, variant: str | None = None) -> Any:
    from optimizer.loader import load_scenario

    return load_scenario(path, variant)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(_safe(text), nl=False)
    else:
        _write_bytes(output, text)


@main.command()
@click.argument("scenario", type=ScenarioPath)
def validate(scenario: Path) -> None:
    """Check a scenario file; print a summary, or every problem (exit 2)."""
    s = _load(scenario)
    click.echo(_safe(f"{scenario}: valid — {s.scenario}"))
    click.echo(
        f"  {len(s.categories)} categories, {len(s.provider.sites)} sites, "
        f"{s.calendar.interval_minutes}-minute intervals, staffing {s.provider.staffing}, "
        f"objective {s.objective}, {s.contract_months}-month contract"
    )
    for c in s.categories:
        volume = "project" if c.is_project else f"{c.contacts_per_month:,.0f} contacts/month"
        tiers = ", ".join(t.name for t in c.tiers)
        click.echo(_safe(f"  - {c.name}: {c.channel}, {volume}, {c.pricing}, tiers {tiers}"))
    if s.variants:
        click.echo(_safe(f"  variants: {', '.join(s.variants)}"))


@main.command()
@click.option(
    "--contacts",
    type=_FiniteRange(min=0),
    required=True,
    help="Contacts offered in one interval.",
)
@click.option(
    "--interval-minutes",
    type=_FiniteRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
)
@click.option(
    "--aht",
    type=_FiniteRange(min=0, min_open=True),
    required=True,
    help="Average handle time in seconds (talk + wrap).",
)
@click.option(
    "--service-level",
    type=_FiniteRange(0, 1, min_open=True),
    required=True,
    help="Target share answered within --within seconds, e.g. 0.8.",
)
@click.option(
    "--within",
    type=_FiniteRange(min=0),
    required=True,
    help="Answer-time threshold in seconds.",
)
@click.option(
    "--patience",
    type=_FiniteRange(min=0, min_open=True),
    default=None,
    help="Mean patience in seconds: Erlang A (abandonment) instead of Erlang C.",
)
@click.option(
    "--max-occupancy", type=_FiniteRange(0, 1, min_open=True), default=1.0, show_default=True
)
@click.option("--max-abandon", type=_FiniteRange(0, 1, min_open=True), default=None)
@click.option("--shrinkage", type=_FiniteRange(0, 1, max_open=True), default=0.0, show_default=True)
@click.option(
    "--concurrency",
    type=_FiniteRange(min=1),
    default=1.0,
    show_default=True,
    help="Chats per agent (chat slots -> agents).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def staff(
    contacts: float,
    interval_minutes: float,
    aht: float,
    service_level: float,
    within: float,
    patience: float | None,
    max_occupancy: float,
    max_abandon: float | None,
    shrinkage: float,
    concurrency: float,
    as_json: bool,
) -> None:
    """Erlang calculator: agents needed for one interval."""
    from optimizer.pipeline import staff_interval

    if max_abandon is not None and patience is None:
        raise click.UsageError("--max-abandon needs --patience (Erlang A)")
    out = staff_interval(
        contacts,
        interval_minutes,
        aht,
        service_level,
        within,
        patience,
        max_occupancy,
        max_abandon,
        shrinkage,
        concurrency,
    )
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    labels = {
        "agents": "agents (productive)",
        "scheduled_agents": "scheduled agents",
        "service_level": "service level",
        "p_wait": "P(wait)",
        "asa_seconds": "ASA (s)",
        "occupancy": "occupancy",
        "p_abandon": "P(abandon)",
    }
    for key, label in labels.items():
        value = out[key]
        text = f"{value:.4f}" if isinstance(value, float) else str(value)
        click.echo(f"{label:22s} {text}")


@main.command()
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
def requirements(scenario: Path, fmt: str, variant: str | None, output: Path | None) -> None:
    """Staffing requirement per category, tier and interval."""
    from optimizer.pipeline import requirement_report

    _emit(requirement_report(_load(scenario, variant), fmt), output)


def _objective(value: str | None) -> str | None:
    return None if value is None else value.replace("-", "_")


@main.command("solve")
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--objective",
    type=click.Choice(["max-margin", "min-price"]),
    default=None,
    help="Default: the scenario's own.",
)
@click.option("--solver", type=click.Choice(["highs", "cbc"]), default="highs", show_default=True)
@click.option(
    "--time-limit", type=_FiniteRange(min=0, min_open=True), default=None, help="Seconds."
)
@click.option("--gap", type=_FiniteRange(0, 1), default=None, help="Relative MIP gap.")
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", type=OutputPath, default=None)
@click.option(
    "--plot",
    type=OutputPath,
    default=None,
    help="Also draw the staffing by interval and site (PNG).",
)
@click.option("--no-explain", is_flag=True, help="Skip shadow prices and relaxation re-solves.")
@click.pass_context
def solve_command(
    ctx: click.Context,
    scenario: Path,
    objective: str | None,
    solver: str,
    time_limit: float | None,
    gap: float | None,
    variant: str | None,
    fmt: str,
    output: Path | None,
    plot: Path | None,
    no_explain: bool,
) -> None:
    """Choose tiers, prices and staffing for the best margin (or the lowest price)."""
    from optimizer.pipeline import RunOptions, run_scenario
    from optimizer.results import SolveStatus
    from optimizer.solve import SolveOptions

    _check_output(fmt, output)
    deadline = _deadline(time_limit)
    s = _load(scenario, variant)
    options = RunOptions(
        objective=_objective(objective),
        explain=not no_explain,
        solve=SolveOptions(solver=solver, time_limit=time_limit, gap=gap, deadline=deadline),
    )
    result = run_scenario(s, options)
    _emit_results([result], fmt, output, single=True)
    _note_skipped(result)
    if plot is not None and result.totals is not None:
        from optimizer.plots import staffing_png

        _write_bytes(plot, staffing_png(result))
    if result.status == SolveStatus.INFEASIBLE:
        ctx.exit(EXIT_INFEASIBLE)
    if not result.status.has_solution:
        click.echo(_safe(result.message or f"no solution: {result.status}", err=True), err=True)
        ctx.exit(EXIT_SOLVER)


def _deadline(time_limit: float | None) -> float | None:
    """The command's deadline: ``--time-limit`` counts from here (loading included)."""
    import time

    return None if time_limit is None else time.monotonic() + time_limit


def _note_skipped(result: Any) -> None:
    """One stderr line naming the re-solves the time limit left no room for."""
    if result.solver.skipped:
        what = "; ".join(result.solver.skipped)
        click.echo(_safe(f"time limit reached, skipped: {what}", err=True), err=True)


def _write_bytes(path: Path, data: str | bytes) -> None:
    """Write an output file atomically and say so on stderr."""
    _write_file(path, data)
    click.echo(_safe(f"wrote {path}", err=True), err=True)


def _check_output(fmt: str, output: Path | None) -> None:
    """Fail before any solving when the format needs a file."""
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE.xlsx")


def _emit_results(results: list[Any], fmt: str, output: Path | None, single: bool) -> None:
    """Results as table/json/csv on stdout or --output, or an xlsx workbook (--output)."""
    from optimizer import report

    if fmt == "xlsx":
        from optimizer.excel import result_sheets, workbook

        if output is None:
            raise click.UsageError("--format xlsx needs --output FILE.xlsx")
        _write_bytes(output, workbook(result_sheets(results)))
        return
    if fmt == "json":
        text = report.to_json(results[0] if single else results)
    elif fmt == "csv":
        text = "".join(
            report.to_csv(r) if i == 0 else report.to_csv(r).split("\n", 1)[1]
            for i, r in enumerate(results)
        )
    else:
        text = "\n".join(report.to_text(r) for r in results)
    _emit(text, output)


@main.command("export-lp")
@click.argument("scenario", type=ScenarioPath)
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--objective", type=click.Choice(["max-margin", "min-price"]), default=None)
@click.option("--variant", default=None)
def export_lp(scenario: Path, path: Path, objective: str | None, variant: str | None) -> None:
    """Write the model as an LP file without solving it."""
    from optimizer.pipeline import build_only, lp_text

    model = build_only(_load(scenario, variant), _objective(objective))
    _write_file(path, lp_text(model))
    note = f"wrote {path}: {len(model.prob.variables())} columns, {len(model.rows)} rows"
    click.echo(_safe(note, err=True), err=True)


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
@click.option("--time-limit", type=_FiniteRange(min=0, min_open=True), default=None)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.pass_context
def check(
    ctx: click.Context,
    scenario: Path,
    fixes: tuple[str, ...],
    variant: str | None,
    solver: str,
    time_limit: float | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Can we sign this deal? FEASIBLE, or NOT FEASIBLE and what would make it so.

    Exit 0 feasible, 3 not feasible (with a diagnosis), 2 invalid input.
    """
    from optimizer import report
    from optimizer.pipeline import check_options, parse_fixes, run_scenario
    from optimizer.solve import SolveOptions

    deadline = _deadline(time_limit)
    s = _load(scenario, variant)
    fixed = parse_fixes(s, fixes, str(scenario))
    base = SolveOptions(solver=solver, time_limit=time_limit, deadline=deadline)
    options = check_options(fixed, base)
    result = run_scenario(s, options)
    text = report.check_json(result, fixed) if fmt == "json" else report.check_text(result)
    _emit(text, output)
    _note_skipped(result)
    if not result.status.has_solution:
        ctx.exit(EXIT_INFEASIBLE if result.status == "infeasible" else EXIT_SOLVER)


def _progress(total: int) -> Any:
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


_WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes to use (default: every core).",
)
_SCHEDULER = click.option(
    "--scheduler",
    default=None,
    metavar="tcp://HOST:PORT",
    help="Run on an existing Dask cluster (the 'distributed' extra).",
)


@main.command()
@click.argument("scenarios", type=ScenarioPath, nargs=-1, required=True)
@click.option(
    "--variants",
    default=None,
    metavar="all|NAME,...",
    help="Also compare the named variants of the (first) scenario file.",
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", type=OutputPath, default=None)
@_WORKERS
@_SCHEDULER
def compare(
    scenarios: tuple[Path, ...],
    variants: str | None,
    fmt: str,
    output: Path | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Solve scenario files and/or variants and show them side by side."""
    from optimizer.batch import Job, run_jobs
    from optimizer.compare import Comparison, comparison_text
    from optimizer.pipeline import RunOptions

    _check_output(fmt, output)
    options = RunOptions(explain=False)
    jobs = []
    for i, path in enumerate(scenarios):
        s = _load(path)
        jobs.append(Job(s.scenario, s, options))
        if variants and i == 0:  # the variants of the first file, as --help says
            names = list(s.variants) if variants == "all" else variants.split(",")
            for name in names:
                v = s.variant(name.strip(), str(path))
                jobs.append(Job(v.scenario, v, options))
    with _progress(len(jobs)) as bar:
        results = run_jobs(jobs, workers, scheduler, bar.update)
    if fmt == "table":
        _emit(comparison_text(Comparison(tuple(results))), output)
    else:
        _emit_results(results, fmt, output, single=False)


def _rows_out(rows: list[dict[str, Any]], fmt: str, output: Path | None, sheet: str) -> None:
    from optimizer import report

    if fmt == "xlsx":
        from optimizer.excel import workbook

        if output is None:
            raise click.UsageError("--format xlsx needs --output FILE.xlsx")
        _write_bytes(output, workbook({sheet: rows}))
    elif fmt == "json":
        _emit(report.rows_to_json(rows), output)
    elif fmt == "csv":
        _emit(report.rows_to_csv(rows), output)
    else:
        _emit(report.rows_table(rows), output)


def _run_grid(
    ctx: click.Context,
    scenario: Any,
    axes: list[Any],
    options: Any,
    workers: int | None,
    scheduler: str | None,
    out: tuple[str, Path | None, Path | None],
    draw: Any,
    sheet: str,
) -> None:
    """Solve every point of ``axes`` with a progress bar; write rows (and a plot).

    On Ctrl-C the points already solved are written before exiting 130."""
    from optimizer.batch import BatchInterrupted
    from optimizer.sweep import SweepResult, grid_points, run_sweep

    fmt, output, plot = out
    points = grid_points(axes)
    with _progress(len(points)) as bar:
        try:
            result = run_sweep(scenario, axes, options, workers, scheduler, bar.update)
        except BatchInterrupted as stop:
            done = SweepResult(tuple(axes), tuple(points), tuple(stop.partial))
            _rows_out(done.rows(), fmt, output, sheet)
            click.echo("interrupted: the points already solved were kept", err=True)
            ctx.exit(stop.exit_code)
    _rows_out(result.rows(), fmt, output, sheet)
    if plot is not None:
        _write_bytes(plot, draw(result))


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
@click.option("--objective", type=click.Choice(["max-margin", "min-price"]), default=None)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", type=OutputPath, default=None)
@click.option("--plot", type=OutputPath, default=None, help="Margin curve or heat map (PNG).")
@_WORKERS
@_SCHEDULER
@click.pass_context
def sweep(
    ctx: click.Context,
    scenario: Path,
    varies: tuple[str, ...],
    variant: str | None,
    objective: str | None,
    fmt: str,
    output: Path | None,
    plot: Path | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Solve a grid of what-ifs: one row per point, the totals and the status."""
    from optimizer.pipeline import RunOptions
    from optimizer.plots import sweep_png
    from optimizer.sweep import parse_vary

    _check_output(fmt, output)
    s = _load(scenario, variant)
    axes = [parse_vary(v) for v in varies]
    options = RunOptions(objective=_objective(objective))
    _run_grid(ctx, s, axes, options, workers, scheduler, (fmt, output, plot), sweep_png, "sweep")


@main.command()
@click.argument("scenario", type=ScenarioPath)
@click.option("--points", type=click.IntRange(min=2, max=1000), default=12, show_default=True)
@click.option("--variant", default=None)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.option("--output", type=OutputPath, default=None)
@click.option("--plot", type=OutputPath, default=None, help="The frontier curve (PNG).")
@_WORKERS
@_SCHEDULER
@click.pass_context
def frontier(
    ctx: click.Context,
    scenario: Path,
    points: int,
    variant: str | None,
    fmt: str,
    output: Path | None,
    plot: Path | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """The provider's best margin as a function of the client's budget."""
    from optimizer.pipeline import RunOptions
    from optimizer.plots import frontier_png
    from optimizer.sweep import frontier_axis

    _check_output(fmt, output)
    s = _load(scenario, variant)
    options = RunOptions(objective="max_margin", diagnose=False, explain=False)
    axis = frontier_axis(s, points, options)
    _run_grid(
        ctx, s, [axis], options, workers, scheduler, (fmt, output, plot), frontier_png, "frontier"
    )
