"""``tierprice quote``: the one-page client quote of a deal, as HTML or PDF.

The deal is solved as ``tierprice check`` does (``--fix`` quotes held, ``--variant``,
``--time-limit``), then :mod:`optimizer.output.quote` puts it into words and
:mod:`optimizer.output.quote_html` or :mod:`optimizer.output.quote_pdf` lays it out.
The output is checked before anything is solved (never over an input) and written
atomically; an infeasible deal writes nothing (exit 3).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from optimizer.cli.app import main
from optimizer.cli.options import QUOTED_FIXES, FiniteRange, OutputPath, ScenarioPath
from optimizer.cli.output import guard_outputs, to_stdout, write_bytes
from optimizer.cli.record import SET, history_options, remember
from optimizer.cli.runs import deadline, load, solve_as_quoted

QUOTE_SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf"}
"""--output extensions of ``tierprice quote`` and the format each one means."""


def quote_format(output: Path) -> str:
    """The quote's format from --output's extension; anything else is a usage error."""
    fmt = None if to_stdout(output) else QUOTE_SUFFIXES.get(output.suffix.lower())
    if fmt is None:
        raise click.UsageError(
            f"--output {output}: a quote is written as .html or .pdf (expected a file name "
            "ending in .html, .htm or .pdf)"
        )
    return fmt


@main.command("quote")
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--output",
    type=OutputPath,
    required=True,
    metavar="QUOTE.html|QUOTE.pdf",
    help="The quote file; its extension chooses HTML or PDF.",
)
@QUOTED_FIXES
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@SET
@click.option("--time-limit", type=FiniteRange(min=0, min_open=True), default=None, help="Seconds.")
@click.option("--open-book", is_flag=True, help="Add the price waterfall (costs and margin).")
@click.option(
    "--valid-days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="Days the quote is valid, from its date.",
)
@click.option(
    "--date",
    "date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The quote's date, YYYY-MM-DD (default: today).",
)
@history_options
@click.pass_context
def quote_command(
    ctx: click.Context,
    scenario: Path,
    output: Path,
    fixes: tuple[str, ...],
    variant: str | None,
    sets: tuple[str, ...],
    time_limit: float | None,
    open_book: bool,
    valid_days: int,
    date: dt.datetime | None,
) -> None:
    """A one-page quote of the deal for the client, in the scenario's currency.

    Each category's service in words, its price in the client's unit, the terms
    (bands, minimum, plan, platform fee), the monthly and contract totals, the
    volumes, handle times and hours the price rests on, and the date the quote is
    valid until. With --open-book, the monthly price split into labour by site,
    team leaders, site overhead, project specialists, fixed costs, set-up and
    margin, in cents that add up to the monthly price.

    \b
    Exit codes: 0 written, 2 invalid input (scenario, --fix, --output), 3 the deal
    is infeasible (as quoted; nothing is written), 4 solver error or no solution in
    the time limit, 5 verification failed, 130 interrupted (Ctrl-C), 1 unexpected.
    """
    from optimizer.output.quote import build_quote
    from optimizer.scenario.fixes import parse_fixes

    fmt = quote_format(output)
    day = date.date() if date is not None else dt.date.today()
    try:
        day + dt.timedelta(days=valid_days)
    except OverflowError:
        raise click.BadParameter(
            f"{day} + {valid_days} days passes the last date (9999-12-31)", param_hint="--date"
        ) from None
    ends = deadline(time_limit)
    s = load(scenario, variant, sets)
    guard_outputs(output)
    fixed = parse_fixes(s, fixes, str(scenario))
    result = solve_as_quoted(s, fixed, time_limit, ends, "no quote written")
    quote = build_quote(s, result, day, valid_days)
    if fmt == "pdf":
        from optimizer.output.quote_pdf import to_pdf

        write_bytes(output, to_pdf(quote, open_book))
    else:
        from optimizer.output.quote_html import to_html

        write_bytes(output, to_html(quote, open_book).encode("utf-8"))
    from optimizer.output.report import to_json

    opts = {"output": str(output), "fix": list(fixes), "variant": variant, "set": list(sets)}
    remember(
        "quote", opts | {"open_book": open_book, "valid_days": valid_days}, s, to_json(result), 0
    )
