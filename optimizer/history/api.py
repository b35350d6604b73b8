"""Recording a run made from Python: ``record_run(scenario, result, options)``.

>>> from optimizer.history.api import record_run  # doctest: +SKIP
>>> run_id = record_run(deal, run_scenario(deal), db="deals.sqlite")  # doctest: +SKIP

A run with the options ``tierprice solve`` can express (no quotes held) is stored as
a ``solve`` run, which ``tierprice runs replay`` can run again; any other is stored as
an ``api`` run (listed, shown and diffed, not replayed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from optimizer.history.record import run_row
from optimizer.history.store import connect, database_path, write_run
from optimizer.options import RunOptions
from optimizer.output.report import to_json
from optimizer.results import VerifiedResult
from optimizer.scenario.schema import Scenario


def record_run(
    scenario: Scenario,
    result: VerifiedResult,
    options: RunOptions | None = None,
    db: str | Path | None = None,
) -> int:
    """Record ``result`` (solved from ``scenario`` with ``options``) in the history at
    ``db`` (default: ``TIERPRICE_DB``, else the user's data folder); its run id.

    Raises :class:`optimizer.history.store.HistoryError` when the history cannot be used.
    """
    options = options or RunOptions()
    command = "solve" if not options.fixed and options.diagnose else "api"
    opts: dict[str, Any] = {
        "objective": options.objective,
        "solver": options.solve.solver,
        "time_limit": options.solve.time_limit,
        "gap": options.solve.gap,
        "explain": options.explain,
        "exact_prices": options.exact_prices,
        "variant": None,
        "set": [],
    }
    if command == "api":
        opts["fix"] = sorted(f"{c}={q.spec()}" for c, q in options.fixed.items())
    conn = connect(database_path(None if db is None else Path(db)))
    try:
        return write_run(conn, run_row(command, opts, scenario, to_json(result)))
    finally:
        conn.close()
