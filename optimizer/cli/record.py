"""What the commands that record runs share: ``--db``, ``--no-history``, ``--set``, and
the one call that writes a run to the history without ever failing the run (``solve``,
``check``, ``compare``, ``sweep``, ``frontier`` and ``invoice`` record theirs).

``--db PATH`` and ``--no-history`` are taken before the command (``tierprice --db P
solve ...``) or after it (``tierprice solve ... --db P``); the database is ``--db``,
else ``$TIERPRICE_DB``, else ``$XDG_DATA_HOME/tierprice/history.sqlite``. A history
that cannot be written is one warning on stderr: the run's output and exit code are
what they would have been without it. ``--set PATH=VALUE`` (:data:`SET`) is the
option any command that loads one scenario may take.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from optimizer.cli.text import safe

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = (
    "Run history database (default: $TIERPRICE_DB, else $XDG_DATA_HOME/tierprice/history.sqlite)."
)
NO_HISTORY_HELP = "Do not record this run in the history."


def _keep(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """A callback that stores an option given after the command in ``ctx.obj``."""

    def store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if value:
            ctx.ensure_object(dict)[key] = value

    return store


def history_options(command: F) -> F:
    """``--db PATH`` and ``--no-history`` on a command (as on the group)."""
    command = click.option(
        "--no-history",
        is_flag=True,
        expose_value=False,
        callback=_keep("no_history"),
        help=NO_HISTORY_HELP,
    )(command)
    return click.option(
        "--db",
        type=click.Path(path_type=Path),  # a folder is a warning when recording, as the README says
        default=None,
        expose_value=False,
        callback=_keep("db"),
        help=DB_HELP,
    )(command)


SET = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Change one scenario field before solving (repeatable; paths as in variants, "
    "e.g. client.budget_per_month=42000 or categories.billing.aht_seconds=280).",
)
"""``--set PATH=VALUE``, repeatable: the value is passed to :func:`optimizer.cli.runs.load`."""


def history_db(ctx: click.Context | None = None) -> Path:
    """The history database of this command (``--db``, ``TIERPRICE_DB``, default)."""
    from optimizer.history.store import database_path

    ctx = ctx or click.get_current_context()
    given = ctx.obj.get("db") if isinstance(ctx.obj, dict) else None
    return database_path(given)


def remember(
    command: str, options: dict[str, Any], scenario: Any, payload: str, exit_code: int
) -> None:
    """Record one run (unless ``--no-history``); a failure is one warning on stderr."""
    from optimizer.history.record import run_row
    from optimizer.history.store import HistoryError, connect, write_run

    ctx = click.get_current_context()
    obj = ctx.obj if isinstance(ctx.obj, dict) else {}
    if obj.get("no_history"):
        return
    path = history_db(ctx)
    source = str(obj["inputs"][0]) if obj.get("inputs") else None
    try:
        conn = connect(path)
        try:
            write_run(conn, run_row(command, options, scenario, payload, source, exit_code))
        finally:
            conn.close()
    except HistoryError as err:
        click.echo(safe(f"warning: run not recorded in the history: {err}", True), err=True)
    except Exception as err:  # the history never fails the run it records
        message = f"warning: run not recorded in the history ({path}): {err}"
        click.echo(safe(message, err=True), err=True)


def suggestion_commands(
    prefix: list[str], held: dict[str, str], sets: dict[str, Any], diagnosis: tuple[Any, ...]
) -> Callable[[dict[str, Any]], str]:
    """``how(entry)`` for ``check_text``: the ``tierprice check`` command, as printed,
    that applies one suggestion (all the ``together`` ones at once) to this check.

    ``prefix`` is the command up to its quotes and sets; ``held`` the ``--fix`` quotes
    (category -> spec) and ``sets`` the ``--set`` values of the check itself.
    """
    from optimizer.scenario.set_values import set_text

    def how(entry: dict[str, Any]) -> str:
        parts = [entry]
        if entry.get("kind") == "together":
            parts = [d for d in diagnosis if d.get("kind") == "together"]
        quotes, values = dict(held), dict(sets)
        for part in parts:
            apply = part.get("apply", {})
            for cat in apply.get("released", ()):
                quotes.pop(cat, None)
            quotes.update(apply.get("fixed", {}))
            values.update(apply.get("overrides", {}))
        args = list(prefix)
        for cat, spec in sorted(quotes.items()):
            args += ["--fix", f"{cat}={spec}"]
        for path, value in values.items():
            args += ["--set", set_text(path, value)]
        return " ".join(shlex.quote(a) for a in args)

    return how
