"""``tierprice serve``: the web deal desk, a page for sales on the API of check and solve."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import click

from optimizer.cli.app import main
from optimizer.cli.exits import EXIT_INVALID
from optimizer.cli.options import FiniteRange
from optimizer.cli.record import history_db, history_options
from optimizer.cli.text import safe

DEFAULT_TIME_LIMIT = 300.0
"""Seconds a solve of the page may take unless ``--time-limit`` says otherwise."""


class ListenError(click.ClickException):
    """The address cannot be listened on: one line, exit 2."""

    exit_code = EXIT_INVALID


@main.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. The default is this machine only; any other "
    "(0.0.0.0, a LAN address) exposes the page and its API to that network, "
    "without any login.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8050,
    show_default=True,
    help="Port (0: any free one; the address is printed).",
)
@click.option(
    "--folder",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Folder of scenario files the page offers (it must exist). Default: ./scenarios.",
)
@click.option(
    "--time-limit",
    type=FiniteRange(min=0, min_open=True),
    default=DEFAULT_TIME_LIMIT,
    show_default=True,
    help="Most seconds one check or solve of the page may take.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Checks and solves run at once; more wait in a queue. Default: the cores.",
)
@history_options
@click.pass_context
def serve_command(
    ctx: click.Context,
    host: str,
    port: int,
    folder: Path | None,
    time_limit: float,
    workers: int | None,
) -> None:
    """Serve the deal desk: open a scenario, change a tier or price, check, apply a
    proven change, compare runs, download the quote and the workbook. Every check
    and solve of the page is also recorded in the run history (tierprice runs).

    \b
    The page and its JSON API (/api/check, /api/solve, /api/runs: docs/web.md)
    answer with the same JSON and messages as the command line. Runs until Ctrl-C,
    which stops every solve still running. Exit codes: 2 the address cannot be
    listened on, 130 interrupted (Ctrl-C, the normal way to stop), 1 unexpected.
    """
    from optimizer.web.server import make_server, serve

    if folder is None:
        folder = Path("scenarios")
        if not folder.is_dir():
            warnings.warn(
                f"no folder {folder} here: the page offers uploaded scenarios only", stacklevel=1
            )
    try:
        db = None if ctx.obj.get("no_history") else history_db(ctx)
        server = make_server(host, port, folder, time_limit, workers or os.cpu_count() or 1, db)
    except OSError as err:
        raise ListenError(
            safe(f"cannot listen on {host}:{port}: {err.strerror or err}", True)
        ) from None
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    click.echo(
        safe(
            f"tierprice deal desk on http://{shown}:{bound_port}/ (scenarios in {folder}); "
            "Ctrl-C to stop",
            err=True,
        ),
        err=True,
    )
    serve(server)
