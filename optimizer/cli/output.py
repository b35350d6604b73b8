"""Where a command's report goes, in which format, and how it is written.

The format comes from ``--format``, else ``--output``'s extension, else a table;
contradictions are usage errors (exit 2) before anything is read. Outputs are
checked before any solving (never over an input, never two on one path, a folder
that can be written) and written atomically; ``-`` and ``/dev/stdout`` mean
standard output, where text is degraded to what the stream's encoding can show
(:mod:`optimizer.cli.text`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from optimizer.cli.exits import EXIT_INVALID
from optimizer.cli.text import json_for, safe


class FileWriteError(click.ClickException):
    """An output file that cannot be written: one line, exit 2 (a usage problem)."""

    exit_code = EXIT_INVALID


def write_file(path: Path, data: str | bytes) -> None:
    """Write an output file atomically; an OS error becomes one clean message."""
    from optimizer.output.writers import OutputError, write_atomic

    try:
        write_atomic(path, data)
    except OutputError as err:
        raise FileWriteError(safe(str(err), err=True)) from None
    except OSError as err:
        where = f" ({err.filename})" if err.filename and str(err.filename) != str(path) else ""
        message = f"cannot write {path}: {err.strerror or err}{where}"
        raise FileWriteError(safe(message, err=True)) from None


def to_stdout(output: Path | None) -> bool:
    """Whether an output goes to standard output (no --output, ``-``, ``/dev/stdout``)."""
    from optimizer.output.writers import is_stdout

    return output is None or is_stdout(output)


def emit(text: str, output: Path | None, fmt: str = "table") -> None:
    """A report on stdout (JSON escaped to what the stream can carry) or in a file."""
    if not to_stdout(output):
        assert output is not None
        write_bytes(output, text)
        return
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = json_for(text, encoding) if fmt == "json" else safe(text)
    except LookupError:
        pass
    click.echo(text, nl=False)


def write_bytes(path: Path, data: str | bytes) -> None:
    """Write an output file atomically and say so on stderr (stdout: print it)."""
    if to_stdout(path):
        if isinstance(data, str):
            emit(data, None)
            return
        if sys.stdout.isatty():
            raise FileWriteError(safe(f"cannot write {path}: binary output to a terminal", True))
        sys.stdout.flush()
        click.echo(data, nl=False)
        return
    write_file(path, data)
    click.echo(safe(f"wrote {path}", err=True), err=True)


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


def check_output(
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
    suffix = "" if to_stdout(output) or output is None else output.suffix.lower()
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
        chart_format(plot)
        if to_stdout(plot) and to_stdout(output):
            raise click.UsageError(
                "--plot and the report would both go to stdout: give --output or --plot a file"
            )
    return chosen


def chart_format(plot: Path) -> str:
    """The chart format of a --plot path: its extension (stdout: PNG)."""
    if to_stdout(plot):
        return "png"
    chart = CHART_SUFFIXES.get(plot.suffix.lower())
    if chart is None:
        raise click.UsageError(f"--plot {plot}: expected a .png, .pdf or .svg file name")
    return chart


def guard_outputs(output: Path | None, plot: Path | None = None) -> None:
    """Before any solving: refuse outputs over inputs or the run-history database, two
    outputs on one path, and folders that cannot be written (one message, exit 2).
    ``output`` None is stdout."""
    from optimizer.cli.record import history_db
    from optimizer.output.writers import OutputError, check_outputs

    ctx = click.get_current_context(silent=True)
    inputs = ctx.obj.get("inputs", []) if ctx is not None and isinstance(ctx.obj, dict) else []
    history = history_db(ctx) if ctx is not None else None
    paths = [Path("-") if output is None else output] + ([] if plot is None else [plot])
    try:
        check_outputs(paths, inputs, history)
    except OutputError as err:
        raise FileWriteError(safe(str(err), err=True)) from None


def emit_results(
    results: list[Any], fmt: str, output: Path | None, single: bool, scenarios: Any = ()
) -> None:
    """Results as table/json/csv on stdout or --output, or an xlsx workbook (--output;
    with the inputs of ``scenarios``, and side by side when there are several)."""
    from optimizer.output import report

    if fmt == "xlsx":
        from optimizer.output.excel_sheets import results_book

        if output is None:
            raise click.UsageError("--format xlsx needs --output FILE.xlsx")
        write_bytes(output, results_book(results, scenarios))
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
    emit(text, output, fmt)


def rows_out(
    rows: list[dict[str, Any]],
    fmt: str,
    output: Path | None,
    sheet: str,
    scenario: Any = None,
    committee: bool = False,
) -> None:
    """Rows (one per grid point) as a table, JSON, CSV, or a sheet of an xlsx workbook
    (``committee``: with the points side by side and the scenario's inputs)."""
    from optimizer.output import report

    if fmt == "xlsx":
        from optimizer.output.excel_sheets import grid_book

        if output is None:
            raise click.UsageError("--format xlsx needs --output FILE.xlsx")
        write_bytes(output, grid_book(rows, sheet, scenario, committee))
    elif fmt == "json":
        emit(report.rows_to_json(rows), output, fmt)
    elif fmt == "csv":
        emit(report.rows_to_csv(rows), output, fmt)
    else:
        emit(report.rows_table(rows), output, fmt)
