"""``tierprice runs compare``: the last runs of a deal side by side, for the committee.

Three checks of a small deal at three budgets (the first infeasible, then two
feasible) and one run of another scenario: ``--last 2`` of the deal shows its two
newest runs oldest first, each column the run's own stored figures; IDs given show
those runs in the order given; every figure is the stored JSON's.
"""

from __future__ import annotations

import json

from helpers import SCENARIOS_DIR
from test_history import DEAL, invoke

from optimizer.history import store


def _check(budget: int) -> int:
    done = invoke("check", DEAL, "--set", f"client.budget_per_month={budget}", "--format", "json")
    assert done.exit_code in (0, 3), done.output
    conn = store.connect(store.database_path(), create=False)
    try:
        return int(store.list_runs(conn, None, 1)[0]["id"])
    finally:
        conn.close()


def test_the_last_runs_of_a_deal_side_by_side() -> None:
    ids = [_check(b) for b in (40000, 50000, 60000)]
    other = invoke(
        "solve", SCENARIOS_DIR / "answering_service.yaml", "--no-explain", "--format", "json"
    )
    assert other.exit_code == 0
    done = invoke(
        "runs",
        "compare",
        "--scenario",
        json.loads(_show(ids[0]))["result"]["scenario"],
        "--last",
        "2",
        "--format",
        "json",
    )
    assert done.exit_code == 0, done.output
    table = {row["figure"]: row for row in json.loads(done.output)}
    heads = [f"run {i}" for i in ids[1:]]
    assert list(table["command"])[1:] == heads  # oldest on the left, the deal's runs only
    for run_id, head in zip(ids[1:], heads, strict=True):
        stored = json.loads(_show(run_id))["result"]
        assert table["margin"][head] == stored["totals"]["margin"]
        assert table["status"][head] == stored["status"]
    assert table["scenario fields changed vs the first run"][heads[1]] == 1  # the budget


def test_runs_given_by_id_in_that_order_and_an_infeasible_one_has_blanks() -> None:
    ids = [_check(b) for b in (40000, 50000)]
    done = invoke("runs", "compare", str(ids[1]), str(ids[0]), "--format", "json")
    assert done.exit_code == 0, done.output
    table = {row["figure"]: row for row in json.loads(done.output)}
    assert list(table["status"])[1:] == [f"run {ids[1]}", f"run {ids[0]}"]
    assert table["status"][f"run {ids[0]}"] == "infeasible"
    assert table["margin"][f"run {ids[0]}"] is None
    assert invoke("runs", "compare", "999999").exit_code == 2


def _show(run_id: int) -> str:
    done = invoke("runs", "show", str(run_id), "--format", "json")
    assert done.exit_code == 0, done.output
    return done.output
