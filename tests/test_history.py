"""The run history: schema migrations, concurrent writers, ``tierprice runs`` and the
promise that a history problem never changes a run's output or exit code.

Every test has its own database (the autouse fixture in ``conftest.py`` points
``TIERPRICE_DB`` and ``XDG_DATA_HOME`` into pytest's tmp folder).
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import ROOT, make_raw

from optimizer import cli
from optimizer.history import store
from optimizer.history.diff import changes, json_paths_differ
from optimizer.history.record import canonical, run_row, scenario_hash
from optimizer.scenario.schema import validate_scenario

DEAL = ROOT / "tests" / "data" / "infeasible" / "budget.yaml"
"""A small two-category deal; infeasible at its budget of 40,000, feasible at 50,000."""
FEASIBLE = "client.budget_per_month=50000"


def invoke(*args: object) -> Result:
    """``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def db() -> Path:
    return Path(os.environ["TIERPRICE_DB"])


def rows(path: Path | None = None) -> list[dict[str, object]]:
    conn = store.connect(path or db(), create=False)
    try:
        return store.list_runs(conn)
    finally:
        conn.close()


# ------------------------------------------------------------------ the database


def test_an_empty_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    """A zero-byte file (and a path that does not exist yet) becomes a WAL database at
    SCHEMA_VERSION with the runs table, which takes a run."""
    for path in (tmp_path / "empty.sqlite", tmp_path / "new" / "h.sqlite"):
        if path.name == "empty.sqlite":
            path.write_bytes(b"")
        conn = store.connect(path)
        assert store.version(conn) == store.SCHEMA_VERSION == len(store.MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        scenario = validate_scenario(make_raw())
        payload = json.dumps({"status": "optimal", "solver": {"name": "highs", "gap": 0.0}})
        run_id = store.write_run(conn, run_row("solve", {}, scenario, payload))
        assert store.read_run(conn, run_id)["canonical"] == canonical(scenario)
        conn.close()


def test_version_1_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    """A database written at schema version 1 (no stored scenario) is migrated to the
    current version on connect; its run is kept, listed, and refused by replay."""
    path = tmp_path / "v1.sqlite"
    old = sqlite3.connect(path)
    for statement in store.MIGRATIONS[0]:
        old.execute(statement)
    old.execute(
        "INSERT INTO runs (time, scenario, scenario_sha256, command, options, "
        "tierprice_version, status, result) VALUES ('2026-01-01T00:00:00+00:00', 'old deal', "
        "'ab', 'solve', '{}', '0.0.9', 'optimal', '{}')"
    )
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    conn = store.connect(path)
    assert store.version(conn) == store.SCHEMA_VERSION
    columns = {r[1] for r in conn.execute("PRAGMA table_info(runs)")}
    assert {"canonical", "source", "exit_code"} <= columns
    conn.close()
    listed = invoke("--db", path, "runs", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [r["scenario"] for r in json.loads(listed.stdout)] == ["old deal"]
    replay = invoke("runs", "replay", "1", "--db", path)
    assert replay.exit_code == 2
    assert "no stored scenario" in replay.stderr and "Traceback" not in replay.output


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_a_special_file_is_refused_without_opening_it(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A FIFO (which would block a reader), a directory or /dev/null as TIERPRICE_DB:
    HistoryError at once; a run with it warns once and succeeds."""
    path = tmp_path / kind
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path = Path(os.devnull)
    with pytest.raises(store.HistoryError, match=r"directory|regular file"):
        store.connect(path)
    monkeypatch.setenv("TIERPRICE_DB", str(path))
    got = invoke("solve", DEAL, "--set", FEASIBLE, "--format", "json")
    assert got.exit_code == 0 and got.stderr.count("warning: run not recorded") == 1


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    """A database from a newer tierprice is not guessed at: HistoryError, version kept."""
    path = tmp_path / "future.sqlite"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(store.HistoryError, match="newer"):
        store.connect(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3


def _writer(path: str, worker: int, runs: int, start: multiprocessing.synchronize.Barrier) -> None:
    """One process writing ``runs`` runs, each on a fresh connection (as the CLI does)."""
    scenario = validate_scenario(make_raw(scenario=f"worker {worker}"))
    start.wait()
    for k in range(runs):
        conn = store.connect(Path(path))
        payload = json.dumps({"status": "optimal", "run": k, "solver": {"name": "highs"}})
        store.write_run(conn, run_row("solve", {"k": k}, scenario, payload))
        conn.close()


def test_concurrent_writers_never_lose_a_run(tmp_path: Path) -> None:
    """8 processes x 5 runs, started together on a new file: all 40 runs are there, each
    once, and ``PRAGMA integrity_check`` is ok."""
    path = tmp_path / "shared.sqlite"
    context = multiprocessing.get_context("fork")
    start = context.Barrier(8)
    workers = [context.Process(target=_writer, args=(str(path), w, 5, start)) for w in range(8)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
        assert p.exitcode == 0
    conn = store.connect(path, create=False)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    found = conn.execute("SELECT scenario, result FROM runs").fetchall()
    conn.close()
    seen = sorted((name, json.loads(result)["run"]) for name, result in found)
    assert seen == sorted((f"worker {w}", k) for w in range(8) for k in range(5))


def test_concurrent_cli_runs_are_all_recorded(tmp_path: Path) -> None:
    """4 ``python -m optimizer solve`` processes at once on one new history: 4 runs, all
    verified, each with the --set value it was given, and the file is intact."""
    path = tmp_path / "cli.sqlite"
    env = {**os.environ, "TIERPRICE_DB": str(path), "PYTHONPATH": str(ROOT)}
    budgets = [50000 + 1000 * k for k in range(4)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "optimizer",
                "solve",
                str(DEAL),
                "--format",
                "json",
                "--set",
                f"client.budget_per_month={b}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for b in budgets
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0 and "warning" not in err, err
    conn = store.connect(path, create=False)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    found = sorted(json.loads(r["canonical"])["client"]["budget_per_month"] for r in rows(path))
    assert found == budgets and all(r["verified"] == 1 for r in rows(path))


def test_the_same_deal_written_differently_has_one_hash() -> None:
    """Key order and a default spelled out do not change the canonical form or its hash;
    a changed number does."""
    raw = make_raw()
    reordered = dict(reversed(list(raw.items())))
    reordered["calendar"] = {"interval_minutes": 30}  # the default, written out
    a, b = validate_scenario(raw), validate_scenario(reordered)
    assert canonical(a) == canonical(b)
    assert scenario_hash(canonical(a)) == scenario_hash(canonical(b))
    c = a.with_overrides({"categories.calls.contacts_per_month": 10001})
    assert scenario_hash(canonical(c)) != scenario_hash(canonical(a))
    assert validate_scenario(json.loads(canonical(c))) == c


def test_a_site_serving_every_category_by_name_is_the_site_serving_all() -> None:
    """A site whose ``categories`` names every category (in any order) is the same deal
    as the site without the key, and a list in another order is the same list; a site
    that serves fewer categories is another deal."""
    raw = make_raw()
    raw["provider"]["sites"].append({**raw["provider"]["sites"][0], "name": "second"})
    names = [c["name"] for c in raw["categories"]]
    spelled = copy.deepcopy(raw)
    spelled["provider"]["sites"][0]["categories"] = list(reversed(names))
    a, b = validate_scenario(raw), validate_scenario(spelled)
    assert scenario_hash(canonical(a)) == scenario_hash(canonical(b))
    fewer = copy.deepcopy(raw)
    fewer["provider"]["sites"][0]["categories"] = names[:1]
    c = validate_scenario(fewer)
    assert scenario_hash(canonical(c)) != scenario_hash(canonical(a))
    assert validate_scenario(json.loads(canonical(c))) == c
    # A name the deal has no category of is ignored (with a warning): the same deal.
    other = copy.deepcopy(fewer)
    other["provider"]["sites"][0]["categories"] = ["tech_support", *names[:1]]
    with pytest.warns(UserWarning, match="tech_support"):
        e = validate_scenario(other)
    assert scenario_hash(canonical(e)) == scenario_hash(canonical(c))
    # With variants the list stays as written: a variant may index it ("categories.0")
    # or add a category that a site without the key would then serve.
    spelled["variants"] = {"first": {"provider.sites.home.categories.0": names[1]}}
    spelled["provider"]["sites"][0]["name"] = "home"
    d = validate_scenario(spelled)
    stored = json.loads(canonical(d))
    assert stored["provider"]["sites"][0]["categories"] == list(reversed(names))
    assert validate_scenario(stored) == d


# ------------------------------------------------------------------ the CLI


def test_list_show_diff_replay_through_the_cli() -> None:
    """Two solves of one deal with another budget are listed newest first; show gives the
    stored JSON byte for byte; diff names the scenario field and the result's changes;
    replay confirms the JSON, and finds a tampered stored result."""
    first = invoke("solve", DEAL, "--set", FEASIBLE, "--format", "json")
    second = invoke("solve", DEAL, "--set", "client.budget_per_month=60000", "--format", "json")
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    listed = json.loads(invoke("runs", "list", "--format", "json").stdout)
    assert [r["id"] for r in listed] == [2, 1]
    assert [r["command"] for r in listed] == ["solve", "solve"]
    assert listed[1]["margin"] == json.loads(first.stdout)["totals"]["margin"]
    assert all(r["verified"] is True and r["status"] == "optimal" for r in listed)
    assert "infeasible budget" in invoke("runs", "list").stdout
    by_name = invoke("runs", "list", "--scenario", "infeasible budget", "--format", "json")
    assert len(json.loads(by_name.stdout)) == 2
    assert (
        json.loads(invoke("runs", "list", "--scenario", "other", "--format", "json").stdout) == []
    )
    newest = json.loads(invoke("runs", "list", "--limit", "1", "--format", "json").stdout)
    assert [r["id"] for r in newest] == [2]
    shown = invoke("runs", "show", "1", "--format", "json")
    assert shown.stdout == first.stdout
    assert "scenario_sha256" in invoke("runs", "show", "2").stdout
    diff = invoke("runs", "diff", "1", "2", "--format", "json")
    data = json.loads(diff.stdout)
    assert data["scenario"] == [{"path": "client.budget_per_month", "old": 50000.0, "new": 60000.0}]
    text = invoke("runs", "diff", "1", "2").stdout
    assert "client.budget_per_month: 50000.0 -> 60000.0" in text
    assert "(the same scenario)" in invoke("runs", "diff", "1", "1").stdout
    replay = invoke("runs", "replay", "1")
    assert replay.exit_code == 0 and "identical" in replay.stdout
    tampered = json.loads(first.stdout)
    tampered["totals"]["margin"] += 1.0
    conn = store.connect(db())
    conn.execute("UPDATE runs SET result = ? WHERE id = 1", (json.dumps(tampered),))
    conn.close()
    replay = invoke("runs", "replay", "1")
    assert replay.exit_code == 1
    assert "totals.margin" in replay.stdout
    assert len(rows()) == 2  # the runs commands record nothing


def test_the_diff_shows_tiers_prices_and_margins() -> None:
    """A result diff names each category's changed tier or price and the margin."""
    a = invoke("solve", DEAL, "--set", FEASIBLE, "--format", "json")
    b = invoke("solve", DEAL, "--set", FEASIBLE, "--set", "categories.calls.tiers.gold.prices=[9]")
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    data = json.loads(invoke("runs", "diff", "1", "2", "--format", "json").stdout)
    assert [c["path"] for c in data["scenario"]] == ["categories.calls.tiers.gold.prices"]
    paths = {c["path"] for c in data["result"]}
    assert "totals.margin" in paths
    assert paths & {"categories.calls.tier", "categories.calls.price"}


def test_check_is_recorded_and_replayed() -> None:
    """check's JSON (verdict, diagnosis, result) is stored with its quotes and replays."""
    result = invoke("check", DEAL, "--fix", "calls=silver@6")
    assert result.exit_code == 3
    (row,) = rows()
    assert row["command"] == "check" and row["status"] == "infeasible" and row["exit_code"] == 3
    assert json.loads(row["options"])["fix"] == ["calls=silver@6"]
    assert json.loads(row["result"])["verdict"] == "not_feasible"
    replay = invoke("runs", "replay", str(row["id"]))
    assert replay.exit_code == 0, replay.output


def test_a_risk_run_is_recorded_and_replayed() -> None:
    """risk's months are drawn from its seed: the replay gives the same JSON (exit 0);
    one month's figures changed in the stored JSON are a difference (exit 1). Runs of
    other commands are refused with what can be replayed (exit 2)."""
    args = ["risk", DEAL, "--set", FEASIBLE, "--draws", "300", "--seed", "7"]
    assert invoke(*args, "--time-limit", "60").exit_code == 0
    (row,) = rows()
    assert row["command"] == "risk"
    assert json.loads(row["options"])["time_limit"] == 60
    replay = invoke("runs", "replay", str(row["id"]))
    assert replay.exit_code == 0, replay.output
    stored = json.loads(str(row["result"]))
    stored["margin"]["p5"] += 1.0
    with sqlite3.connect(db()) as conn:
        conn.execute("UPDATE runs SET result = ? WHERE id = ?", (json.dumps(stored), row["id"]))
    conn.close()
    changed = invoke("runs", "replay", str(row["id"]))
    assert changed.exit_code == 1 and "margin.p5" in changed.output, changed.output
    assert invoke("compare", DEAL, "--set", FEASIBLE).exit_code == 0
    compare_id = rows()[0]["id"]
    refused = invoke("runs", "replay", str(compare_id))
    assert refused.exit_code == 2
    assert "only solve, check and risk runs can be replayed" in refused.output


@pytest.mark.parametrize("where", ["group", "command"])
def test_no_history_writes_nothing(where: str) -> None:
    """--no-history before or after the command: no database file is even created."""
    args = ["solve", DEAL, "--set", FEASIBLE]
    args = ["--no-history", *args] if where == "group" else [*args, "--no-history"]
    assert invoke(*args).exit_code == 0
    assert not db().exists()
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "tierprice").exists()


def test_db_option_and_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--db wins over TIERPRICE_DB; without either, $XDG_DATA_HOME/tierprice/history.sqlite."""
    mine = tmp_path / "mine.sqlite"
    assert invoke("solve", DEAL, "--set", FEASIBLE, "--db", mine).exit_code == 0
    assert len(rows(mine)) == 1 and not db().exists()
    monkeypatch.delenv("TIERPRICE_DB")
    assert invoke("solve", DEAL, "--set", FEASIBLE).exit_code == 0
    default = Path(os.environ["XDG_DATA_HOME"]) / "tierprice" / "history.sqlite"
    assert store.default_path() == default and len(rows(default)) == 1


def test_a_relative_xdg_data_home_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """The XDG specification calls a relative $XDG_DATA_HOME invalid: it would put a
    history under every working folder. The default under the home folder is used."""
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    expected = Path.home() / ".local" / "share" / "tierprice" / "history.sqlite"
    assert store.default_path() == expected


def _broken_paths(tmp_path: Path) -> list[tuple[Path, bytes | None]]:
    """Histories that cannot be written, and the bytes each must keep."""
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder\n")
    yaml_file = tmp_path / "deal.yaml"
    yaml_file.write_bytes(DEAL.read_bytes())
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(store.SQLITE_HEADER + b"\xff" * 4000)
    return [(blocked / "h.sqlite", None), (yaml_file, DEAL.read_bytes()), (corrupt, None)]


def _timeless(stdout: str) -> object:
    """solve's JSON without ``solver`` (its timings)."""
    data = json.loads(stdout)
    data.pop("solver")
    return data


def test_a_broken_history_warns_and_the_run_is_unchanged(tmp_path: Path) -> None:
    """A database under a file, a YAML file given as --db and a corrupt SQLite file:
    one warning on stderr, the same stdout and exit code as without history, and a
    non-SQLite file is left byte for byte as it was."""
    solve = ["solve", DEAL, "--set", FEASIBLE, "--format", "json"]
    plain = invoke(*solve, "--no-history")
    infeasible = invoke("check", DEAL, "--no-history")
    for path, keep in _broken_paths(tmp_path):
        solved, checked = invoke("--db", path, *solve), invoke("--db", path, "check", DEAL)
        assert (solved.exit_code, checked.exit_code) == (0, infeasible.exit_code) == (0, 3)
        assert _timeless(solved.stdout) == _timeless(plain.stdout)
        assert checked.stdout == infeasible.stdout
        for got in (solved, checked):
            warnings = [line for line in got.stderr.splitlines() if "history" in line]
            assert len(warnings) == 1 and warnings[0].startswith("warning: run not recorded")
            assert "Traceback" not in got.stderr
        if keep is not None:
            assert path.read_bytes() == keep
            assert "not an SQLite database" in invoke("--db", path, "runs", "list").stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_warns(tmp_path: Path) -> None:
    """A history in a folder nobody may write: one warning, the run succeeds."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        got = invoke("solve", DEAL, "--set", FEASIBLE, "--db", folder / "h.sqlite")
    finally:
        folder.chmod(0o700)
    assert got.exit_code == 0 and got.stderr.count("warning: run not recorded") == 1


def test_history_is_silent() -> None:
    """Recording changes neither stdout (outside timings) nor stderr of a solve."""
    plain = invoke("solve", DEAL, "--set", FEASIBLE, "--no-history", "--format", "json")
    recorded = invoke("solve", DEAL, "--set", FEASIBLE, "--format", "json")
    assert _timeless(recorded.stdout) == _timeless(plain.stdout)
    assert recorded.stderr == plain.stderr and len(rows()) == 1


@pytest.mark.parametrize(
    "args",
    [["runs", "show", "7"], ["runs", "diff", "1", "7"], ["runs", "replay", "7"]],
)
def test_unknown_ids_are_one_message_exit_2(args: list[str]) -> None:
    """An id the history does not hold: one line naming it, exit 2; a missing history too."""
    missing = invoke(*args)
    assert missing.exit_code == 2 and "no history database" in missing.stderr
    assert invoke("solve", DEAL, "--set", FEASIBLE).exit_code == 0
    got = invoke(*args)
    assert got.exit_code == 2, got.output
    assert got.stderr.strip().splitlines() == [f"Error: no run 7 in the history ({db()})"]


def test_compare_and_invoice_are_recorded_one_row_each(tmp_path: Path) -> None:
    """compare (all its results) and invoice (the bill) are one row each with the JSON
    --format json writes; they are listed and shown, and replay refuses them (exit 2)."""
    deal = tmp_path / "deal.yaml"
    deal.write_text(DEAL.read_text().replace("budget_per_month: 40000", "budget_per_month: 50000"))
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("month,category,quantity\n2026-02,calls,6100\n2026-02,mail,1900\n")
    compared = invoke("compare", deal, deal, "--format", "json")
    billed = invoke("invoice", deal, "--actuals", actuals, "--format", "json")
    assert compared.exit_code == billed.exit_code == 0, compared.output + billed.output
    newest, oldest = rows()
    assert (oldest["command"], newest["command"]) == ("compare", "invoice")
    timeless = [{k: v for k, v in r.items() if k != "solver"} for r in json.loads(compared.stdout)]
    stored = [{k: v for k, v in r.items() if k != "solver"} for r in json.loads(oldest["result"])]
    assert stored == timeless and len(stored) == 2
    assert newest["result"] == billed.stdout
    assert json.loads(newest["options"])["actuals"] == str(actuals)
    replay = invoke("runs", "replay", str(newest["id"]))
    assert replay.exit_code == 2 and "only solve, check and risk" in replay.stderr
    assert invoke("runs", "diff", str(oldest["id"]), str(newest["id"])).exit_code == 0


# ------------------------------------------------------------------ diffs


def test_changes_name_list_items_and_show_absent_values() -> None:
    """Named items by name (whatever their order), unnamed or duplicate names by index,
    lists of another length as one value, a key on one side only as (absent)."""
    old = {
        "sites": [{"name": "a", "seats": 1}, {"name": "b", "seats": 2}],
        "twins": [{"name": "x", "v": 1}, {"name": "x", "v": 2}],
        "prices": [1, 2],
        "keep": 5,
    }
    new = {
        "sites": [{"name": "b", "seats": 3}, {"name": "a", "seats": 1}],
        "twins": [{"name": "x", "v": 1}, {"name": "x", "v": 9}],
        "prices": [1, 2, 3],
        "added": True,
    }
    assert [str(c) for c in changes(old, new)] == [
        "added: (absent) -> true",
        "keep: 5 -> (absent)",
        "prices: [1, 2] -> [1, 2, 3]",
        "sites.b.seats: 2 -> 3",
        "twins.1.v: 2 -> 9",
    ]
    assert changes(old, old) == []


def test_replay_comparison_ignores_only_the_solver() -> None:
    """json_paths_differ leaves out ``solver`` at the top and inside check's ``result``,
    and nothing else."""
    a = {"status": "optimal", "solver": {"seconds": 1.0}, "result": {"solver": {"s": 1}, "x": 1}}
    b = {"status": "optimal", "solver": {"seconds": 2.0}, "result": {"solver": {"s": 2}, "x": 2}}
    assert [c.path for c in json_paths_differ(json.dumps(a), json.dumps(b))] == ["result.x"]
    assert json_paths_differ(json.dumps(a), json.dumps(a)) == []


def test_a_python_run_is_recorded_and_replays(tmp_path: Path) -> None:
    """record_run stores an API run as a solve run with its options; replay confirms it.
    A run holding quotes is an ``api`` run, which replay refuses."""
    from optimizer.history.api import record_run
    from optimizer.options import RunOptions
    from optimizer.pipeline import run_scenario
    from optimizer.results import FixedChoice
    from optimizer.scenario.loader import load_scenario

    deal = load_scenario(DEAL).with_overrides({"client.budget_per_month": 50000})
    options = RunOptions(explain=False)
    run_id = record_run(deal, run_scenario(deal, options), options)
    (row,) = rows()
    assert row["id"] == run_id and row["command"] == "solve"
    assert json.loads(row["options"])["explain"] is False
    assert invoke("runs", "replay", str(run_id)).exit_code == 0
    quoted = RunOptions(explain=False, fixed={"calls": FixedChoice("silver", 6.0)})
    other = record_run(deal, run_scenario(deal, quoted), quoted, db=tmp_path / "api.sqlite")
    assert rows(tmp_path / "api.sqlite")[0]["command"] == "api"
    assert invoke("--db", tmp_path / "api.sqlite", "runs", "replay", str(other)).exit_code == 2


def test_a_sweep_is_one_row_with_its_rows(tmp_path: Path) -> None:
    """sweep records one run: its --vary in the options and the rows --format json
    prints; --no-history after the command's own options records nothing."""
    deal = tmp_path / "deal.yaml"
    deal.write_text(DEAL.read_text().replace("budget_per_month: 40000", "budget_per_month: 50000"))
    args = ["sweep", deal, "--vary", "client.budget_per_month=40000:50000:2", "--workers", "1"]
    swept = invoke(*args, "--format", "json")
    assert swept.exit_code == 0, swept.output
    (row,) = rows()
    assert row["command"] == "sweep" and row["result"] == swept.stdout
    assert json.loads(row["options"])["varies"] == ["client.budget_per_month=40000:50000:2"]
    assert invoke(*args, "--no-history").exit_code == 0 and len(rows()) == 1
