"""Findings of a black-box probe of the command line (design sections 8, 9, 10, 13).

Each test is one bug a helper's probe found (2026-12-03), reproduced through ``python -m
optimizer`` in a subprocess: written as strict xfail tests while the bugs were there, and
now, every one fixed, regression tests of what the command line must do (the history
never overwritten, YAML 1.1 numbers refused, cbc ending with tierprice, text cells in
workbooks, sweep points, extreme values as invalid input, messages that show values).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import ROOT, SCENARIOS_DIR

TIMEOUT = 120
"""Seconds allowed for one subprocess run."""


def run(*args: str, db: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``python -m optimizer ARGS`` with its history in ``db``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), TIERPRICE_DB=str(db))
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=env,
        check=False,
    )


@pytest.fixture
def deal(tmp_path: Path) -> Path:
    """A copy of scenarios/nordic_telco.yaml (solves in about a second)."""
    path = tmp_path / "deal.yaml"
    shutil.copyfile(SCENARIOS_DIR / "nordic_telco.yaml", path)
    return path


def edit(deal: Path, old: str, new: str) -> None:
    """``deal`` with the first ``old`` written as ``new``."""
    deal.write_text(deal.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _runs_in(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("SELECT count(*) FROM runs").fetchone()[0])


def test_output_onto_the_history_database_is_refused(deal: Path, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    assert run("solve", str(deal), "--time-limit", "5", db=db).returncode == 0
    assert _runs_in(db) == 1
    result = run(
        "solve", str(deal), "--time-limit", "5", "--format", "json", "--output", str(db), db=db
    )
    assert "Traceback" not in result.stderr
    assert db.read_bytes().startswith(b"SQLite format 3\x00"), "the history was overwritten"
    assert result.returncode == 2
    assert _runs_in(db) == 1


def test_quote_through_a_symlink_onto_the_history_is_refused(deal: Path, tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite"
    assert run("solve", str(deal), "--time-limit", "5", db=db).returncode == 0
    link = tmp_path / "quote.html"
    link.symlink_to(db)
    result = run("quote", str(deal), "--time-limit", "5", "--output", str(link), db=db)
    assert db.read_bytes().startswith(b"SQLite format 3\x00"), "the history was overwritten"
    assert result.returncode == 2


def test_a_leading_zero_number_does_not_pass_as_octal(deal: Path, tmp_path: Path) -> None:
    edit(deal, "contacts_per_month: 42000", "contacts_per_month: 042000")
    result = run("--no-history", "validate", str(deal), db=tmp_path / "h.sqlite")
    assert "Traceback" not in result.stderr
    # Either refused (exit 2, one message) or read as the user meant it.
    assert result.returncode == 2 or "billing: voice, 42,000 contacts/month" in result.stdout


def test_set_with_a_leading_zero_is_not_octal(deal: Path, tmp_path: Path) -> None:
    result = run(
        "--no-history", "solve", str(deal), "--time-limit", "5", "--format", "json",
        "--no-explain", "--set", "categories.billing.contacts_per_month=042000",
        db=tmp_path / "h.sqlite",
    )  # fmt: skip
    if result.returncode == 2:
        return
    billing = json.loads(result.stdout)["categories"][0]
    assert billing["contacts"] > 30000, billing["contacts"]


def test_sweep_does_not_solve_fractional_whole_number_fields(deal: Path, tmp_path: Path) -> None:
    result = run(
        "--no-history", "sweep", str(deal), "--workers", "1", "--format", "json",
        "--vary", "contract_months=12:13:3", db=tmp_path / "h.sqlite",
    )  # fmt: skip
    if result.returncode == 2:
        return
    rows = json.loads(result.stdout)
    half = [row for row in rows if row["contract_months"] == 12.5]
    assert half and half[0]["status"] != "optimal", half


def test_sweep_says_why_a_point_is_an_error(deal: Path, tmp_path: Path) -> None:
    result = run(
        "--no-history", "sweep", str(deal), "--workers", "1", "--format", "json",
        "--vary", "calendar.interval_minutes=15:60:3", db=tmp_path / "h.sqlite",
    )  # fmt: skip
    rows = json.loads(result.stdout)
    assert any(row["status"] == "error" for row in rows)
    assert "interval_minutes" in result.stderr and "expected" in result.stderr, result.stderr


@pytest.mark.parametrize("command", [["runs", "list"], ["runs", "show", "1"]])
def test_runs_commands_do_not_write_into_an_empty_file(tmp_path: Path, command: list[str]) -> None:
    empty = tmp_path / "notes.txt"
    empty.write_bytes(b"")
    run("--db", str(empty), *command, db=tmp_path / "unused.sqlite")
    assert empty.read_bytes() == b"", f"{empty} became a {empty.stat().st_size}-byte database"


def test_runs_list_leaves_a_foreign_database_alone(tmp_path: Path) -> None:
    foreign = tmp_path / "app.sqlite"
    with sqlite3.connect(foreign) as con:
        con.execute("CREATE TABLE users (id INTEGER, name TEXT)")
    before = foreign.read_bytes()
    run("--db", str(foreign), "runs", "list", db=tmp_path / "unused.sqlite")
    assert foreign.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["runs", "show", "99999999999999999999999"],
        ["runs", "replay", "99999999999999999999999"],
        ["runs", "diff", "1", "99999999999999999999999"],
    ],
    ids=["show", "replay", "diff"],
)
def test_runs_with_a_huge_id_is_an_unknown_id(deal: Path, tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "history.sqlite"
    assert run("solve", str(deal), "--time-limit", "5", db=db).returncode == 0
    result = run(*args, db=db)
    assert result.returncode == 2, result.stderr
    assert "no run" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["runs", "list", "--limit", str(2**63)], ["runs", "compare", "--last", str(2**63)]],
    ids=["list-limit", "compare-last"],
)
def test_a_huge_limit_does_not_call_the_history_damaged(
    deal: Path, tmp_path: Path, args: list[str]
) -> None:
    db = tmp_path / "history.sqlite"
    assert run("solve", str(deal), "--time-limit", "5", db=db).returncode == 0
    result = run(*args, db=db)
    assert "damaged" not in result.stderr, result.stderr


@pytest.mark.parametrize("limit", ["1e7", "1e9"])
def test_a_long_time_limit_is_not_an_unexpected_error(
    deal: Path, tmp_path: Path, limit: str
) -> None:
    result = run(
        "--no-history", "solve", str(deal), "--time-limit", limit, "--no-explain",
        db=tmp_path / "h.sqlite",
    )  # fmt: skip
    assert "unexpected error" not in result.stderr, result.stderr
    assert result.returncode in (0, 2)


@pytest.mark.parametrize("category", ["billing", "email"], ids=["voice", "deferred"])
def test_concurrency_outside_chat_is_refused(deal: Path, tmp_path: Path, category: str) -> None:
    result = run(
        "--no-history", "solve", str(deal), "--time-limit", "5", "--no-explain",
        "--set", f"categories.{category}.concurrency=2", db=tmp_path / "h.sqlite",
    )  # fmt: skip
    assert result.returncode == 2
    assert "concurrency" in result.stderr


def test_an_infeasible_solve_always_carries_a_diagnosis(deal: Path, tmp_path: Path) -> None:
    text = deal.read_text(encoding="utf-8")
    deal.write_text(
        "\n".join(
            "    contacts_per_month: 0" if line.startswith("    contacts_per_month:") else line
            for line in text.splitlines()
        ),
        encoding="utf-8",
    )
    result = run(
        "--no-history", "solve", str(deal), "--time-limit", "5", "--format", "json",
        db=tmp_path / "h.sqlite",
    )  # fmt: skip
    assert result.returncode == 3
    out = json.loads(result.stdout)
    assert out["status"] == "infeasible"
    assert "diagnosis" in out


@pytest.mark.parametrize(
    "extra",
    [
        ["--contacts", "1e308", "--aht", "300"],
        ["--contacts", "100", "--aht", "300", "--interval-minutes", "1e-300"],
    ],
    ids=["huge-contacts", "tiny-interval"],
)
def test_staff_with_extreme_options_is_invalid_input(tmp_path: Path, extra: list[str]) -> None:
    result = run(
        "--no-history", "staff", *extra, "--service-level", "0.8", "--within", "20",
        db=tmp_path / "h.sqlite",
    )  # fmt: skip
    assert "unexpected error" not in result.stderr, result.stderr
    assert result.returncode == 2


def test_a_duplicate_name_names_the_item(deal: Path, tmp_path: Path) -> None:
    edit(deal, "  - name: sales_chat", "  - name: email")
    result = run("--no-history", "validate", str(deal), db=tmp_path / "h.sqlite")
    assert result.returncode == 2
    assert "categories[3].name" in result.stderr or "categories[4].name" in result.stderr, (
        result.stderr
    )


def test_all_closed_open_hours_name_open_hours(deal: Path, tmp_path: Path) -> None:
    edit(deal, '{mon-fri: "08:00-20:00", sat: "10:00-16:00"}', "{daily: closed}")
    result = run("--no-history", "validate", str(deal), db=tmp_path / "h.sqlite")
    assert result.returncode == 2
    assert "categories[0].open_hours" in result.stderr, result.stderr


HEAVY_CBC = [
    "--no-history", "solve", str(SCENARIOS_DIR / "service_desk_shifts.yaml"),
    "--set", "calendar.interval_minutes=15", "--set", "provider.shifts.start_every_minutes=15",
    "--solver", "cbc", "--time-limit", "30", "--format", "json",
]  # fmt: skip
"""A shift-mode solve that keeps CBC busy for its whole time limit."""


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_cbc(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, list[str]]:
    """Start the heavy CBC solve; its process, CBC's pid and CBC's command line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), TIERPRICE_DB=str(tmp_path / "h.sqlite"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer", *HEAVY_CBC],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for kid in _children(proc.pid):
            with contextlib.suppress(OSError):
                argv = Path(f"/proc/{kid}/cmdline").read_bytes().decode().split("\0")
                if Path(argv[0]).name == "cbc":
                    return proc, kid, argv
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    pytest.skip("CBC did not start")


@contextlib.contextmanager
def running_cbc(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """tierprice solving with cbc: its process, cbc's pid and cbc's model file; cbc and
    its files are removed afterwards whatever the test left."""
    proc, cbc, argv = _start_cbc(tmp_path)
    model = Path(next(arg for arg in argv if arg.endswith(".mps")))
    try:
        yield proc, cbc, model
    finally:
        with contextlib.suppress(OSError):
            os.kill(cbc, signal.SIGKILL)
        model.unlink(missing_ok=True)
        model.with_suffix(".sol").unlink(missing_ok=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cbc_dies_with_a_killed_tierprice(tmp_path: Path) -> None:
    with running_cbc(tmp_path) as (proc, cbc, _):
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=TIMEOUT)
        deadline = time.monotonic() + 5
        while _alive(cbc) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(cbc), f"cbc {cbc} still runs after its parent was killed"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cbc_interrupted_leaves_no_temp_files(tmp_path: Path) -> None:
    with running_cbc(tmp_path) as (proc, _, model):
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=TIMEOUT) == 130
        assert not model.exists(), f"{model} ({model.stat().st_size} bytes) was left behind"


def test_workbook_writes_names_as_text_not_formulas(deal: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    text = deal.read_text(encoding="utf-8")
    text = text.replace(
        "scenario: Nordic telco renewal 2027",
        'scenario: "=HYPERLINK(\\"http://example.invalid/\\",\\"open\\")"',
        1,
    )
    deal.write_text(text.replace("billing", "=1+2"), encoding="utf-8")
    book = tmp_path / "deal.xlsx"
    result = run(
        "--no-history", "solve", str(deal), "--time-limit", "5", "--no-explain",
        "--output", str(book), db=tmp_path / "h.sqlite",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    formulas = [
        f"{sheet.title}!{cell.coordinate}={cell.value}"
        for sheet in openpyxl.load_workbook(book).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert not formulas, formulas[:5]


def test_sweep_refuses_one_path_varied_twice(deal: Path, tmp_path: Path) -> None:
    result = run(
        "--no-history", "sweep", str(deal), "--workers", "1", "--format", "json",
        "--vary", "client.budget_per_month=400000:500000:2",
        "--vary", "client.budget_per_month=450000:460000:2",
        db=tmp_path / "h.sqlite",
    )  # fmt: skip
    if result.returncode == 2:
        return
    budgets = [row["client.budget_per_month"] for row in json.loads(result.stdout)]
    assert len(budgets) == len(set(budgets)), budgets
    assert {400000.0, 500000.0} <= set(budgets), budgets


def test_check_json_fixed_carries_the_whole_quote(deal: Path, tmp_path: Path) -> None:
    plain = run(
        "--no-history", "check", str(deal), "--time-limit", "5", "--format", "json",
        "--fix", "billing=silver@1.0", db=tmp_path / "h.sqlite",
    )  # fmt: skip
    plan = run(
        "--no-history", "check", str(deal), "--time-limit", "5", "--format", "json",
        "--fix", "billing=silver@1/2000/1.0+500", db=tmp_path / "h.sqlite",
    )  # fmt: skip
    assert plain.returncode == 0 and plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["fixed"] != json.loads(plain.stdout)["fixed"]


def test_a_folder_as_db_does_not_stop_the_run(deal: Path, tmp_path: Path) -> None:
    result = run(
        "--db", str(tmp_path), "solve", str(deal), "--time-limit", "5", "--no-explain",
        db=tmp_path / "h.sqlite",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "warning: run not recorded" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "leak"),
    [
        ("contacts_per_month: 42000", "contacts_per_month: 2027-01-01", "datetime.date("),
        (
            "profile: extended_hours",
            "profile: {days: [1, 1, 1, 1, 1, 1, 1], intraday: [1, 1, 1]}",
            "DayIntraday(",
        ),
        ("client:\n", "client:\n  1: 2\n", "Keys should be strings"),
    ],
    ids=["date-value", "intraday-length", "number-key"],
)
def test_messages_show_values_not_python_internals(
    deal: Path, tmp_path: Path, old: str, new: str, leak: str
) -> None:
    edit(deal, old, new)
    result = run("--no-history", "validate", str(deal), db=tmp_path / "h.sqlite")
    assert result.returncode == 2
    assert leak not in result.stderr, result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_cancelled_cbc_job_of_the_desk_leaves_no_solver(tmp_path: Path) -> None:
    from web_helpers import call, desk

    folder = tmp_path / "deals"
    folder.mkdir()
    shutil.copyfile(SCENARIOS_DIR / "service_desk_shifts.yaml", folder / "shifts.yaml")
    request = {
        "command": "solve", "scenario": "shifts.yaml", "solver": "cbc", "time_limit": 30,
        "set": {"calendar.interval_minutes": 15, "provider.shifts.start_every_minutes": 15},
    }  # fmt: skip
    cbc, model = 0, None
    with desk(folder, time_limit=30, workers=1, db=tmp_path / "h.sqlite") as server:
        _, _, job = call(server, "/api/jobs", request)
        try:
            deadline = time.monotonic() + 60
            while not cbc and time.monotonic() < deadline:
                for pid in _descendants(os.getpid()):
                    with contextlib.suppress(OSError):
                        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
                        if Path(argv[0]).name == "cbc":
                            cbc = pid
                            model = Path(next(a for a in argv if a.endswith(".mps")))
                time.sleep(0.2)
            if not cbc:
                pytest.skip("CBC did not start")
            _, _, cancelled = call(server, f"/api/jobs/{job['id']}/cancel", {})
            assert cancelled["state"] == "cancelled"
            deadline = time.monotonic() + 5
            while _alive(cbc) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not _alive(cbc), f"cbc {cbc} still runs after its job was cancelled"
        finally:
            if cbc:
                with contextlib.suppress(OSError):
                    os.kill(cbc, signal.SIGKILL)
            if model is not None:
                model.unlink(missing_ok=True)
                model.with_suffix(".sol").unlink(missing_ok=True)


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for kid in _children(todo.pop()):
            if kid not in found:
                found.add(kid)
                todo.append(kid)
    return found


def check_fix(deal: Path, tmp_path: Path, fix: str) -> subprocess.CompletedProcess[str]:
    """``tierprice check DEAL --fix FIX`` (5 s, no history)."""
    return run(
        "--no-history", "check", str(deal), "--time-limit", "5", "--fix", fix,
        db=tmp_path / "h.sqlite",
    )  # fmt: skip


def test_a_bad_revenue_share_fix_names_the_fix(deal: Path, tmp_path: Path) -> None:
    result = check_fix(deal, tmp_path, "sales_chat=standard@12")
    assert result.returncode == 2
    assert "--fix" in result.stderr and "12" in result.stderr, result.stderr
    assert "PriceRange(" not in result.stderr and "<override>" not in result.stderr, result.stderr


@pytest.mark.parametrize("price", ["1e10", "1e11", "1e12"])
def test_an_extreme_fix_price_is_invalid_input(deal: Path, tmp_path: Path, price: str) -> None:
    result = check_fix(deal, tmp_path, f"billing=silver@{price}")
    assert result.returncode == 2, result.stderr


def test_a_too_high_fix_price_message_shows_the_price_given(deal: Path, tmp_path: Path) -> None:
    result = check_fix(deal, tmp_path, "billing=silver@1e8")
    assert result.returncode == 2
    assert "1000000001" not in result.stderr, result.stderr
