"""``tierprice runs``: the recorded runs (``list``, ``show``, ``diff``, ``compare``, ``replay``).

Every ``solve`` and ``check`` (and ``compare``, ``sweep``, ``frontier``, ``invoice``)
is recorded (:mod:`optimizer.cli.record`); these commands read the history and write
nothing to it. An unknown id, a database that does not exist or is not an SQLite
file is one message and exit 2. ``replay`` exits
0 when the JSON it gets is the stored one outside ``solver`` (timings), and 1 (as
``diff`` does) with the differing paths otherwise.
"""

from __future__ import annotations

import json
from typing import Any

import click

from optimizer.cli.app import main
from optimizer.cli.exits import EXIT_INVALID
from optimizer.cli.output import emit
from optimizer.cli.record import history_db, history_options
from optimizer.cli.text import safe

REPLAY_DIFFERS = 1
"""Exit code of ``runs replay`` when the new JSON differs from the stored one."""


class HistoryUsageError(click.ClickException):
    """A history that cannot be read, or an unknown run: one line, exit 2."""

    exit_code = EXIT_INVALID


def _open() -> Any:
    from optimizer.history.store import HistoryError, connect

    try:
        return connect(history_db(), create=False)
    except HistoryError as err:
        raise HistoryUsageError(safe(str(err), err=True)) from None


def _run(conn: Any, run_id: int) -> dict[str, Any]:
    from optimizer.history.store import read_run

    row = read_run(conn, run_id)
    if row is None:
        raise HistoryUsageError(f"no run {run_id} in the history ({history_db()})")
    return row


class _RunsGroup(click.Group):
    """The ``runs`` commands: a history whose rows cannot be read (a damaged page, a
    stored JSON that does not parse) is one message and exit 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3

        try:
            return super().invoke(ctx)
        except (sqlite3.Error, ValueError) as err:  # JSONDecodeError, UnicodeDecodeError
            what = str(err).splitlines()[0][:120]
            raise HistoryUsageError(
                safe(
                    f"the history {history_db(ctx)} is damaged: {type(err).__name__}: {what}", True
                )
            ) from None


@main.group("runs", cls=_RunsGroup)
def runs_group() -> None:
    """The run history: every solve and check (and compare, sweep, frontier,
    invoice), with its scenario and its JSON; solve, check and risk runs replay.

    \b
    Stored in --db PATH, else $TIERPRICE_DB, else
    $XDG_DATA_HOME/tierprice/history.sqlite (~/.local/share/tierprice/...).
    Give --no-history to a command to leave it out. These commands record
    nothing.
    """


@runs_group.command("list")
@click.option("--scenario", "name", default=None, help="Only runs of this scenario name.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@history_options
def list_command(name: str | None, limit: int, fmt: str) -> None:
    """The newest runs first: id, time, scenario, command, status, margin, verified."""
    from optimizer.history.record import summary
    from optimizer.history.store import list_runs
    from optimizer.output import report

    conn = _open()
    try:
        rows = [summary(r) for r in list_runs(conn, name, limit)]
    finally:
        conn.close()
    emit(report.rows_to_json(rows) if fmt == "json" else report.rows_table(rows), None, fmt)


@runs_group.command("show")
@click.argument("run_id", metavar="ID", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    help="json: the run's JSON exactly as the command wrote it; table: a summary.",
)
@history_options
def show_command(run_id: int, fmt: str) -> None:
    """One run: a summary (its options, versions and totals), or its stored JSON."""
    conn = _open()
    try:
        row = _run(conn, run_id)
    finally:
        conn.close()
    if fmt == "json":
        json.loads(row["result"])  # a stored JSON that does not parse is a damaged history
        emit(row["result"], None, "json")
        return
    emit(_show_text(row), None)


def _show_text(row: dict[str, Any]) -> str:
    from optimizer.output import report

    fields = ["id", "time", "scenario", "scenario_sha256", "source", "command", "options"]
    fields += ["tierprice_version", "solver", "solver_version", "status", "gap", "verified"]
    fields += ["exit_code"]
    shown = dict(row)
    if row.get("verified") is not None:  # stored as SQLite's 0/1: shown as the JSON says it
        shown["verified"] = "true" if row["verified"] else "false"
    lines = [f"{f:<18} {'' if shown.get(f) is None else shown[f]}" for f in fields]
    totals = json.loads(row["totals"]) if row.get("totals") else {}
    text = "\n".join(lines) + "\n"
    if totals:
        text += "\n" + report.rows_table([{"total": k, "value": v} for k, v in totals.items()])
    return text


@runs_group.command("diff")
@click.argument("first", metavar="A", type=int)
@click.argument("second", metavar="B", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@history_options
def diff_command(first: int, second: int, fmt: str) -> None:
    """What changed from run A to run B: the scenario (field paths, old -> new) and the
    result (status, tiers, prices, margins)."""
    from optimizer.history.diff import changes, result_view
    from optimizer.history.record import result_part

    conn = _open()
    try:
        a, b = _run(conn, first), _run(conn, second)
    finally:
        conn.close()
    old = json.loads(a["canonical"]) if a.get("canonical") else {}
    new = json.loads(b["canonical"]) if b.get("canonical") else {}
    scenario = changes(old, new)
    results = [result_view(result_part(json.loads(r["result"]))) for r in (a, b)]
    result = changes(results[0], results[1])
    if fmt == "json":
        data = {
            "a": first,
            "b": second,
            "scenario": [c.to_dict() for c in scenario],
            "result": [c.to_dict() for c in result],
        }
        emit(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None, "json")
        return
    lines = [
        f"run {r['id']}: {r['command']} of {r['scenario']} at {r['time']} "
        f"(scenario sha256 {r['scenario_sha256'][:12]})"
        for r in (a, b)
    ]
    lines += ["", "scenario:"]
    lines += [f"  {c}" for c in scenario] or ["  (the same scenario)"]
    lines += ["", "result:"]
    lines += [f"  {c}" for c in result] or ["  (the same tiers, prices and margins)"]
    emit("\n".join(lines) + "\n", None)


@runs_group.command("compare")
@click.argument("run_ids", metavar="[ID ...]", type=int, nargs=-1)
@click.option("--scenario", "name", default=None, help="The newest runs of this scenario name.")
@click.option("--last", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table")
@history_options
def compare_command(run_ids: tuple[int, ...], name: str | None, last: int, fmt: str) -> None:
    """Runs side by side, oldest on the left: the given IDs, or the --last N runs of
    --scenario NAME (default: of the newest run's scenario). Each category's tier and
    price, the totals, and how many scenario fields differ from the first run."""
    from optimizer.history.side import side_by_side
    from optimizer.history.store import list_runs
    from optimizer.output import report

    conn = _open()
    try:
        if run_ids:
            rows = [_run(conn, i) for i in run_ids]
        else:
            newest = list_runs(conn, None, 1)
            if not newest:
                raise HistoryUsageError(f"no runs in the history ({history_db()})")
            scenario = name if name is not None else newest[0]["scenario"]
            rows = list(reversed(list_runs(conn, scenario, last)))
            if not rows:
                raise HistoryUsageError(f"no runs of {scenario!r} in the history")
    finally:
        conn.close()
    table = side_by_side(rows)
    render = {"json": report.rows_to_json, "csv": report.rows_to_csv}
    emit(render.get(fmt, report.rows_table)(table), None, fmt)


@runs_group.command("replay")
@click.argument("run_id", metavar="ID", type=int)
@history_options
@click.pass_context
def replay_command(ctx: click.Context, run_id: int) -> None:
    """Run a recorded run again (its stored scenario and options) and say whether the
    JSON is identical outside `solver` (timings).

    \b
    Exit codes: 0 identical, 1 different (the differing paths are printed),
    2 unknown run or unreadable history. A run stopped by its time limit
    (status feasible) may find another plan on a busier machine.
    """
    from optimizer.cli.deal import check_run, solve_run
    from optimizer.cli.risk import risk_run
    from optimizer.cli.runs import deadline
    from optimizer.history.diff import json_paths_differ
    from optimizer.history.record import stored_scenario
    from optimizer.output import risk_report

    conn = _open()
    try:
        row = _run(conn, run_id)
    finally:
        conn.close()
    if row["command"] not in ("solve", "check", "risk"):
        raise HistoryUsageError(
            f"run {run_id} is a {row['command']!r} run: only solve, check and risk runs can "
            "be replayed"
        )
    if not row.get("canonical"):
        raise HistoryUsageError(
            f"run {run_id} has no stored scenario to replay (recorded by an older tierprice)"
        )
    opts = json.loads(row["options"])
    scenario = stored_scenario(row["canonical"], run_id)
    ends = deadline(opts.get("time_limit"))
    if row["command"] == "solve":
        payload = solve_run(scenario, opts, ends, f"run {run_id}")[1]
    elif row["command"] == "check":
        payload = check_run(scenario, opts, ends, f"run {run_id}")[2]
    else:
        payload = risk_report.to_json(risk_run(scenario, opts, ends, f"run {run_id}"))
    differ = json_paths_differ(row["result"], payload)
    if not differ:
        emit(f"run {run_id}: identical JSON outside solver\n", None)
        return
    lines = [f"run {run_id}: the JSON differs at {len(differ)} path(s):"]
    lines += [f"  {c}" for c in differ]
    emit("\n".join(lines) + "\n", None)
    ctx.exit(REPLAY_DIFFERS)
