"""Option types and options several commands share, and the help text they share.

Click parameter types (a finite number range, scenario and output paths, the report
formats), the ``--workers`` and ``--scheduler`` options of the batch commands, the
``--objective`` spelling, and what ``solve --help`` and ``check --help`` say about
the limits in the report.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

ScenarioPath = click.Path(path_type=Path, dir_okay=True, file_okay=True)


class FilePath(click.Path):
    """A file to write: a value ending in a path separator names a folder, and is refused
    (``Path("x.json/")`` is ``x.json``, which would have been written)."""

    def __init__(self) -> None:
        super().__init__(path_type=Path, dir_okay=False)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = os.fspath(value) if isinstance(value, os.PathLike) else value
        if isinstance(text, str) and text.endswith(("/", os.sep)) and text.strip("/" + os.sep):
            self.fail(f"{text!r} ends in {text[-1]!r}, which names a folder: give a file name.")
        return super().convert(value, param, ctx)


OutputPath = FilePath()
FORMATS = click.Choice(["table", "json", "csv", "xlsx"])
FORMAT_HELP = "Default: from --output's extension (.json .csv .xlsx .txt), else table."


class FiniteRange(click.FloatRange):
    """A FloatRange that also refuses nan and inf (click lets them through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{number} is not a finite number.", param, ctx)
        return number


def objective_name(value: str | None) -> str | None:
    """``--objective max-margin`` as the scenario spells it (``max_margin``)."""
    return None if value is None else value.replace("-", "_")


LIMIT_TERMS = """Limits in the report:
      binding       the limit is what stops a better deal: its slack is within
                    0.1% of the limit's size, or its shadow price is not zero
      slack         how far the plan is from the limit, in the limit's units
                    (money a month for the budget, a share of revenue for a
                    margin floor, money per contact for a cost-per-contact cap,
                    ROI for min_roi, a share for a site share, seats, FTE)
      shadow price  margin gained per unit the limit moves in the deal's
                    favour, with the tiers and prices held (one more unit of
                    budget is worth this much margin)"""
"""What ``solve --help`` and ``check --help`` say binding, slack and shadow price mean."""

F = TypeVar("F", bound=Callable[..., Any])


def with_limit_terms(command: F) -> F:
    """Put LIMIT_TERMS where a command's docstring says ``{terms}`` (before click reads it)."""
    command.__doc__ = (command.__doc__ or "").replace("{terms}", LIMIT_TERMS)
    return command


QUOTED_FIXES = click.option(
    "--fix",
    "fixes",
    multiple=True,
    metavar="CATEGORY=TIER@PRICE",
    help="A category at the tier and price quoted to the client: TIER@PRICE, or a plan "
    "TIER@FEE/INCLUDED/PRICE, either optionally +PLATFORM_FEE (repeatable).",
)
"""``--fix`` of the commands that bill, quote or simulate a deal (``invoice``, ``quote``,
``risk``)."""

POINT_TIME_LIMIT = click.option(
    "--time-limit",
    type=FiniteRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Seconds each deal or point may take (its solve and re-solves; default: no "
    "limit). One the limit stops is 'feasible' (a margin within its gap of the best) "
    "or 'no_solution'.",
)
"""``--time-limit`` of the commands that solve many deals (``compare``, ``sweep``,
``frontier``): a limit per deal, as ``solve --time-limit`` is for one."""

WORKERS = click.option(
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


SCHEDULER = click.option(
    "--scheduler",
    default=None,
    metavar="tcp://HOST:PORT",
    callback=_scheduler_address,
    help="Run on an existing Dask cluster (the 'distributed' extra).",
)
