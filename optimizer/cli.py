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
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from optimizer._version import __version__

EXIT_OK, EXIT_UNEXPECTED, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_SOLVER, EXIT_VERIFY = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130

ScenarioPath = click.Path(path_type=Path, dir_okay=True, file_okay=True)
OutputPath = click.Path(path_type=Path, dir_okay=False)
FORMATS = click.Choice(["table", "json", "csv", "xlsx"])
FORMAT_HELP = "Default: from --output's extension (.json .csv .xlsx .txt), else table."


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
    from optimizer.output.writers import OutputError, write_atomic

    try:
        write_atomic(path, data)
    except OutputError as err:
        raise _FileWriteError(_safe(str(err), err=True)) from None
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
    "misconfigured" as ASCII, so the degrading has to happen here. On stdout a lost
    character is never silent: one warning line per command says how many.
    """
    stream = sys.stderr if err else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:
        return text
    shown = text.encode(encoding, errors="replace").decode(encoding)
    if not err:
        _warn_lost_characters(sum(1 for ch in text if not _encodable(ch, encoding)), encoding)
    return shown


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _warn_lost_characters(count: int, encoding: str) -> None:
    """Say once per command that stdout's encoding lost characters (shown as '?')."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.find_root().meta if ctx is not None else {}
    if meta.get("tierprice.lost_characters"):
        return
    meta["tierprice.lost_characters"] = True
    message = (
        f"warning: stdout's encoding ({encoding}) cannot show {count} character"
        f"{'s' if count != 1 else ''} of this output; each is shown as '?' "
        "(--output FILE writes UTF-8, or set PYTHONIOENCODING=utf-8)"
    )
    click.echo(_safe(message, err=True), err=True)


def _json_for(text: str, encoding: str) -> str:
    r"""JSON text with every character ``encoding`` cannot carry written as a \u escape.

    Outside its strings JSON is ASCII, so escaping characters keeps the same document.
    """
    out = []
    for ch in text:
        if ch.isascii() or _encodable(ch, encoding):
            out.append(ch)
            continue
        code = ord(ch)
        if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells it
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tierprice")
@click.option("--debug", is_flag=True, help="Show full tracebacks on unexpected errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """tierprice: service-tier pricing for contact-centre outsourcing deals.

    Picks, per category, the service tier, the price point and the staffing per
    site that maximise the provider's margin while the client's limits hold.
    Exit codes: 0 ok, 1 unexpected, 2 invalid input, 3 infeasible, 4 solver,
    5 verification failed, 130 interrupted (Ctrl-C), 141 stdout closed early.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    if not debug:
        import warnings

        warnings.showwarning = _warning_line


def _load(path: Path, variant: str | None = None) -> Any:
    """Load a scenario, recording the files it reads as inputs no output may overwrite."""
    from optimizer.scenario.loader import load_scenario

    ctx = click.get_current_context(silent=True)
    inputs = None
    if ctx is not None and isinstance(ctx.obj, dict):
        inputs = ctx.obj.setdefault("inputs", [])
    return load_scenario(path, variant, inputs=inputs)


def _to_stdout(output: Path | None) -> bool:
    """Whether an output goes to standard output (no --output, ``-``, ``/dev/stdout``)."""
    from optimizer.output.writers import is_stdout

    return output is None or is_stdout(output)


def _emit(text: str, output: Path | None, fmt: str = "table") -> None:
    """A report on stdout (JSON escaped to what the stream can carry) or in a file."""
    if not _to_stdout(output):
        assert output is not None
        _write_bytes(output, text)
        return
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = _json_for(text, encoding) if fmt == "json" else _safe(text)
    except LookupError:
        pass
    click.echo(text, nl=False)


REPORT_SUFFIXES = {".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".txt": "table"}
"""--output extensions and the format each one means (--format may be left out)."""
CHART_SUFFIXES = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
"""--plot extensions and the chart format each one means."""
FOREIGN_SUFFIXES = frozenset(
    {".xls", ".xlsm", ".ods", ".odt", ".doc", ".docx", ".html", ".htm", ".zip", ".gz"}
    | set(CHART_SUFFIXES)
    | {".jpg", ".jpeg", ".gif", ".tif", ".tiff", ".bmp", ".webp", ".eps", ".ps"}
)
"""--output extensions of formats no report is written in: refused, not mislabelled."""


def _check_output(
    fmt: str | None,
    output: Path | None,
    plot: Path | None = None,
    choices: tuple[str, ...] = ("table", "json", "csv", "xlsx"),
) -> str:
    """The report format (from --format, else --output's extension, else table).

    Usage errors (exit 2) before anything is read: a --format the extension
    contradicts, an extension no report format has, xlsx without a file, a --plot
    that is not .png/.pdf/.svg, and a plot on stdout together with the report.
    """
    suffix = "" if _to_stdout(output) or output is None else output.suffix.lower()
    inferred = REPORT_SUFFIXES.get(suffix)
    if suffix in FOREIGN_SUFFIXES or (inferred is not None and inferred not in choices):
        known = ", ".join(s for s, f in REPORT_SUFFIXES.items() if f in choices)
        raise click.UsageError(
            f"--output {output}: this command does not write {suffix} files "
            f"(expected {known}, or a name without one of these extensions)"
        )
    if fmt is not None and inferred is not None and fmt != inferred:
        raise click.UsageError(
            f"--format {fmt} does not match --output {output} (a {suffix} file is {inferred})"
        )
    chosen = fmt or inferred or "table"
    if chosen == "xlsx" and output is None:
        raise click.UsageError("--format xlsx needs --output FILE.xlsx")
    if plot is not None:
        _chart_format(plot)
        if _to_stdout(plot) and _to_stdout(output):
            raise click.UsageError(
                "--plot and the report would both go to stdout: give --output or --plot a file"
            )
    return chosen


def _chart_format(plot: Path) -> str:
    """The chart format of a --plot path: its extension (stdout: PNG)."""
    if _to_stdout(plot):
        return "png"
    chart = CHART_SUFFIXES.get(plot.suffix.lower())
    if chart is None:
        raise click.UsageError(f"--plot {plot}: expected a .png, .pdf or .svg file name")
    return chart


def _guard_outputs(output: Path | None, plot: Path | None = None) -> None:
    """Before any solving: refuse outputs over inputs, two outputs on one path, and
    folders that cannot be written (one message, exit 2). ``output`` None is stdout."""
    from optimizer.output.writers import OutputError, check_outputs

    ctx = click.get_current_context(silent=True)
    inputs = ctx.obj.get("inputs", []) if ctx is not None and isinstance(ctx.obj, dict) else []
    paths = [Path("-") if output is None else output] + ([] if plot is None else [plot])
    try:
        check_outputs(paths, inputs)
    except OutputError as err:
        raise _FileWriteError(_safe(str(err), err=True)) from None


def _count(n: int, one: str, many: str) -> str:
    """``1 category``, ``3 categories``."""
    return f"{n} {one if n == 1 else many}"


LIMIT_TERMS = """Limits in the report:
      binding       the limit is what stops a better deal: its slack is within
                    0.1% of the limit's size, or its shadow price is not zero
      slack         how far the plan is from the limit, in the limit's units
                    (money a month for the budget and the margin floor, seats,
                    FTE)
      shadow price  margin gained per unit the limit moves in the deal's
                    favour, with the tiers and prices held (one more unit of
                    budget is worth this much margin)"""
"""What ``solve --help`` and ``check --help`` say binding, slack and shadow price mean."""

F = TypeVar("F", bound=Callable[..., Any])


def _with_limit_terms(command: F) -> F:
    """Put LIMIT_TERMS where a command's docstring says ``{terms}`` (before click reads it)."""
    command.__doc__ = (command.__doc__ or "").replace("{terms}", LIMIT_TERMS)
    return command


@main.command()
@click.argument("scenario", type=ScenarioPath)
def validate(scenario: Path) -> None:
    """Check a scenario file; print a summary, or every problem (exit 2)."""
    s = _load(scenario)
    click.echo(_safe(f"{scenario}: valid — {s.scenario}"))
    click.echo(
        f"  {_count(len(s.categories), 'category', 'categories')}, "
        f"{_count(len(s.provider.sites), 'site', 'sites')}, "
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
    from optimizer.staffing.calculator import staff_interval

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
    default=None,
    help=FORMAT_HELP,
)
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
def requirements(scenario: Path, fmt: str | None, variant: str | None, output: Path | None) -> None:
    """Staffing requirement per category, tier and interval."""
    from optimizer.output.requirements_report import requirement_report

    fmt = _check_output(fmt, output, choices=("table", "csv", "json"))
    s = _load(scenario, variant)
    _guard_outputs(output)
    _emit(requirement_report(s, fmt), output, fmt)


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
@_with_limit_terms
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

    fmt = _check_output(fmt, output, plot)
    deadline = _deadline(time_limit)
    s = _load(scenario, variant)
    _guard_outputs(output, plot)
    options = RunOptions(
        objective=_objective(objective),
        explain=not no_explain,
        solve=SolveOptions(solver=solver, time_limit=time_limit, gap=gap, deadline=deadline),
        exact_prices=exact_prices,
    )
    result = run_scenario(s, options)
    _emit_results([result], fmt, output, single=True)
    _note_skipped(result)
    if plot is not None and result.totals is not None:
        from optimizer.output.plots import staffing_png

        _write_bytes(plot, staffing_png(result, fmt=_chart_format(plot)))
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
    """Write an output file atomically and say so on stderr (stdout: print it)."""
    if _to_stdout(path):
        if isinstance(data, str):
            _emit(data, None)
            return
        if sys.stdout.isatty():
            raise _FileWriteError(_safe(f"cannot write {path}: binary output to a terminal", True))
        sys.stdout.flush()
        click.echo(data, nl=False)
        return
    _write_file(path, data)
    click.echo(_safe(f"wrote {path}", err=True), err=True)


def _emit_results(results: list[Any], fmt: str, output: Path | None, single: bool) -> None:
    """Results as table/json/csv on stdout or --output, or an xlsx workbook (--output)."""
    from optimizer.output import report

    if fmt == "xlsx":
        from optimizer.output.excel import result_sheets, workbook

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
    _emit(text, output, fmt)


@main.command("export-lp")
@click.argument("scenario", type=ScenarioPath)
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--objective", type=click.Choice(["max-margin", "min-price"]), default=None)
@click.option("--variant", default=None)
def export_lp(scenario: Path, path: Path, objective: str | None, variant: str | None) -> None:
    """Write the model as an LP file without solving it."""
    from optimizer.milp.export import lp_text
    from optimizer.pipeline import build_only

    s = _load(scenario, variant)
    _guard_outputs(path)
    model = build_only(s, _objective(objective))
    if _to_stdout(path):
        _emit(lp_text(model), None)
        return
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
    "--format", "fmt", type=click.Choice(["table", "json"]), default=None, help=FORMAT_HELP
)
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.pass_context
@_with_limit_terms
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
    from optimizer.milp.fixes import parse_fixes
    from optimizer.options import SolveOptions, check_options
    from optimizer.output import report
    from optimizer.pipeline import run_scenario

    fmt = _check_output(fmt, output, choices=("table", "json"))
    deadline = _deadline(time_limit)
    s = _load(scenario, variant)
    _guard_outputs(output)
    fixed = parse_fixes(s, fixes, str(scenario))
    base = SolveOptions(solver=solver, time_limit=time_limit, deadline=deadline)
    options = check_options(fixed, base)
    result = run_scenario(s, options)
    text = report.check_json(result, fixed) if fmt == "json" else report.check_text(result)
    _emit(text, output, fmt)
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


def _scheduler_address(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """Only ``tcp://HOST:PORT`` (tls:// needs certificates, inproc:// this process)."""
    import re

    if value is None:
        return None
    match = re.fullmatch(r"tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_]+):(\d{1,5})", value)
    if match is None or not 0 < int(match[2]) < 65536:
        raise click.BadParameter(f"{value!r} is not an address of the form tcp://HOST:PORT")
    return value


_SCHEDULER = click.option(
    "--scheduler",
    default=None,
    metavar="tcp://HOST:PORT",
    callback=_scheduler_address,
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
@click.option("--format", "fmt", type=FORMATS, default=None, help=FORMAT_HELP)
@click.option("--output", type=OutputPath, default=None)
@_WORKERS
@_SCHEDULER
def compare(
    scenarios: tuple[Path, ...],
    variants: str | None,
    fmt: str | None,
    output: Path | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Solve scenario files and/or variants and show them side by side."""
    from optimizer.options import RunOptions
    from optimizer.output.compare import Comparison, check_currencies, comparison_text
    from optimizer.studies.batch import Job, run_jobs

    fmt = _check_output(fmt, output)
    options = RunOptions(explain=False)
    jobs = []
    sources = []
    for i, path in enumerate(scenarios):
        s = _load(path)
        jobs.append(Job(s.scenario, s, options))
        sources.append((str(path), s.currency))
        if variants and i == 0:  # the variants of the first file, as --help says
            names = list(s.variants) if variants == "all" else variants.split(",")
            for name in names:
                v = s.variant(name.strip(), str(path))
                jobs.append(Job(v.scenario, v, options))
                sources.append((f"{path} [{name.strip()}]", v.currency))
    check_currencies(sources)  # before solving: figures in two currencies do not subtract
    _guard_outputs(output)
    with _progress(len(jobs)) as bar:
        results = run_jobs(jobs, workers, scheduler, bar.update)
    if fmt == "table":
        _emit(comparison_text(Comparison(tuple(results))), output, fmt)
    else:
        _emit_results(results, fmt, output, single=False)


def _rows_out(rows: list[dict[str, Any]], fmt: str, output: Path | None, sheet: str) -> None:
    from optimizer.output import report

    if fmt == "xlsx":
        from optimizer.output.excel import workbook

        if output is None:
            raise click.UsageError("--format xlsx needs --output FILE.xlsx")
        _write_bytes(output, workbook({sheet: rows}))
    elif fmt == "json":
        _emit(report.rows_to_json(rows), output, fmt)
    elif fmt == "csv":
        _emit(report.rows_to_csv(rows), output, fmt)
    else:
        _emit(report.rows_table(rows), output, fmt)


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
    from optimizer.studies.batch import BatchInterrupted
    from optimizer.studies.sweep import SweepResult, grid_points, run_sweep

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
    failed = [r for r in result.results if r is not None and r.status == "error"]
    if failed and len(failed) == len(result.results):  # nothing solved: not a success
        _fail(ctx, f"every point of the grid failed: {failed[0].message}", EXIT_SOLVER)


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
@click.option("--format", "fmt", type=FORMATS, default=None, help=FORMAT_HELP)
@click.option("--output", type=OutputPath, default=None)
@click.option(
    "--plot", type=OutputPath, default=None, help="Margin curve or heat map (.png, .pdf, .svg)."
)
@_WORKERS
@_SCHEDULER
@click.pass_context
def sweep(
    ctx: click.Context,
    scenario: Path,
    varies: tuple[str, ...],
    variant: str | None,
    objective: str | None,
    fmt: str | None,
    output: Path | None,
    plot: Path | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """Solve a grid of what-ifs: one row per point, the totals and the status."""
    from optimizer.options import RunOptions
    from optimizer.output.plots import sweep_png
    from optimizer.studies.sweep import parse_vary, validate_axes

    fmt = _check_output(fmt, output, plot)
    s = _load(scenario, variant)
    _guard_outputs(output, plot)
    axes = [parse_vary(v) for v in varies]
    validate_axes(s, axes)  # a mistyped path is exit 2 before anything is solved
    options = RunOptions(objective=_objective(objective))
    chart = _chart_format(plot) if plot is not None else "png"

    def draw(result: Any) -> bytes:
        return sweep_png(result, fmt=chart)

    _run_grid(ctx, s, axes, options, workers, scheduler, (fmt, output, plot), draw, "sweep")


@main.command()
@click.argument("scenario", type=ScenarioPath)
@click.option("--points", type=click.IntRange(min=2, max=1000), default=12, show_default=True)
@click.option("--variant", default=None)
@click.option("--format", "fmt", type=FORMATS, default=None, help=FORMAT_HELP)
@click.option("--output", type=OutputPath, default=None)
@click.option(
    "--plot", type=OutputPath, default=None, help="The frontier curve (.png, .pdf, .svg)."
)
@_WORKERS
@_SCHEDULER
@click.pass_context
def frontier(
    ctx: click.Context,
    scenario: Path,
    points: int,
    variant: str | None,
    fmt: str | None,
    output: Path | None,
    plot: Path | None,
    workers: int | None,
    scheduler: str | None,
) -> None:
    """The provider's best margin as a function of the client's budget."""
    from optimizer.options import RunOptions
    from optimizer.output.plots import frontier_png
    from optimizer.studies.sweep import frontier_axis

    fmt = _check_output(fmt, output, plot)
    s = _load(scenario, variant)
    _guard_outputs(output, plot)
    options = RunOptions(objective="max_margin", diagnose=False, explain=False)
    axis = frontier_axis(s, points, options)
    chart = _chart_format(plot) if plot is not None else "png"

    def draw(result: Any) -> bytes:
        return frontier_png(result, fmt=chart)

    _run_grid(ctx, s, [axis], options, workers, scheduler, (fmt, output, plot), draw, "frontier")
