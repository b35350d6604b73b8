"""Hostile input to the new commands: one message and exit 2, never exit 1.

Found by a review: a quoted price past the money range, a quote date whose validity
passes the calendar's end, and a damaged run history (a page that does not decode, a
stored JSON that does not parse) each ended as an unexpected error (exit 1).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result
from helpers import SCENARIOS_DIR

from optimizer import cli

DEAL = SCENARIOS_DIR / "answering_service_onshore.yaml"


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def test_a_quoted_price_past_the_money_range_is_invalid_input() -> None:
    done = invoke("check", DEAL, "--fix", "reception=standard@1e300")
    assert done.exit_code == 2
    assert "numbers in [0, 1e12]" in done.output


def test_a_quote_valid_past_the_last_date_is_invalid_input(tmp_path: Path) -> None:
    out = tmp_path / "q.html"
    done = invoke("quote", DEAL, "--output", out, "--date", "9999-12-31")
    assert done.exit_code == 2 and "passes the last date" in done.output
    assert not out.exists()


def test_a_damaged_history_is_one_message(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    for budget in (160000, 170000):
        done = invoke(
            "--db", db, "solve", DEAL, "--no-explain", "--set", f"client.budget_per_month={budget}"
        )
        assert done.exit_code == 0, done.output
    conn = sqlite3.connect(db)
    conn.execute("UPDATE runs SET result = '{not json', canonical = '[1' WHERE id = 1")
    conn.commit()
    conn.close()
    for args in (["diff", 1, 2], ["show", 1, "--format", "json"], ["compare", 1, 2], ["replay", 1]):
        done = invoke("runs", *args, "--db", db)
        assert done.exit_code == 2, (args, done.output)
        assert "is damaged" in done.output and "Traceback" not in done.output
