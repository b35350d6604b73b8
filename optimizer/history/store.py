"""The run history on disk: one SQLite file, versioned, safe with many writers at once.

:func:`connect` opens (or creates) the database in WAL mode with a busy timeout, so
several ``tierprice`` processes may write at the same moment: each run is written in
one ``BEGIN IMMEDIATE`` transaction (:func:`write_run`), and a writer that finds the
file locked waits instead of failing. The schema version is ``PRAGMA user_version``;
:data:`MIGRATIONS` lists the steps from an empty file to :data:`SCHEMA_VERSION`, run
in one transaction at connect time, so two processes never migrate twice. A file
that is not an SQLite database is never written to (:class:`HistoryError`).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""
BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another process's transaction before giving up."""

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            time TEXT NOT NULL,
            scenario TEXT NOT NULL,
            scenario_sha256 TEXT NOT NULL,
            command TEXT NOT NULL,
            options TEXT NOT NULL,
            tierprice_version TEXT NOT NULL,
            solver TEXT,
            solver_version TEXT,
            status TEXT,
            gap REAL,
            verified INTEGER,
            totals TEXT,
            result TEXT NOT NULL
        )""",
    ),
    (
        "ALTER TABLE runs ADD COLUMN canonical TEXT",
        "ALTER TABLE runs ADD COLUMN source TEXT",
        "ALTER TABLE runs ADD COLUMN exit_code INTEGER",
        "CREATE INDEX runs_by_scenario ON runs (scenario, id)",
    ),
)
"""Schema steps: ``MIGRATIONS[k]`` takes ``user_version`` k to k + 1. Version 1 had no
stored scenario (``canonical``, NULL on its rows: they cannot be replayed)."""
SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this tierprice writes."""

COLUMNS = (
    "time",
    "scenario",
    "scenario_sha256",
    "command",
    "options",
    "tierprice_version",
    "solver",
    "solver_version",
    "status",
    "gap",
    "verified",
    "totals",
    "result",
    "canonical",
    "source",
    "exit_code",
)
"""The columns a run row is written with (``id`` is assigned by SQLite)."""


class HistoryError(Exception):
    """The history database cannot be used: one line saying which file and why."""


def default_path() -> Path:
    """``$XDG_DATA_HOME/tierprice/history.sqlite``, else under ``~/.local/share`` (also
    when ``$XDG_DATA_HOME`` is relative: the XDG Base Directory specification calls such
    a value invalid, to be ignored, as it would put the history under each working
    folder)."""
    given = os.environ.get("XDG_DATA_HOME", "")
    base = given if os.path.isabs(given) else str(Path.home() / ".local" / "share")
    return Path(base) / "tierprice" / "history.sqlite"


def database_path(given: Path | None = None) -> Path:
    """The database to use: ``--db``, else ``TIERPRICE_DB``, else :func:`default_path`."""
    if given is not None:
        return given
    env = os.environ.get("TIERPRICE_DB")
    return Path(env) if env else default_path()


def _check_file(path: Path) -> None:
    """Refuse a path that is not a regular file holding an SQLite database (or empty);
    a FIFO or a device is refused before it is opened (a FIFO would block)."""
    import stat

    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise HistoryError(f"history database {path} is a directory")
        if not stat.S_ISREG(mode):
            raise HistoryError(f"history database {path} is not a regular file")
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as err:
        raise HistoryError(f"cannot read history database {path}: {err.strerror}") from None
    if head and head != SQLITE_HEADER:
        raise HistoryError(f"{path} is not an SQLite database: left untouched")


def connect(path: Path, create: bool = True) -> sqlite3.Connection:
    """An open, migrated connection (WAL, busy timeout), or :class:`HistoryError`.

    ``create=False`` (reading commands) refuses a database that does not exist yet (or
    is an empty file) and another application's, and writes nothing to a current one.
    """
    _check_file(path)
    if not create and (not path.exists() or path.stat().st_size == 0):
        raise HistoryError(f"no history database at {path} (no run has been recorded)")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as err:
        raise HistoryError(f"cannot open history database {path}: {err}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        current = version(conn)
        if not create and current == 0 and _has_tables(conn):  # another application's
            raise HistoryError(f"{path} is not a tierprice history: left untouched")
        if create or current != SCHEMA_VERSION:  # a reader writes nothing
            _wal(conn)
            migrate(conn)
    except sqlite3.Error as err:
        conn.close()
        raise HistoryError(f"history database {path} cannot be used: {err}") from None
    except HistoryError:
        conn.close()
        raise
    return conn


def _has_tables(conn: sqlite3.Connection) -> bool:
    """Whether an SQLite database holds any table: without our schema version, another
    application's, to which a reading command must not add ours."""
    return bool(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0)


def _wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL (a no-op once the file is in WAL mode); retried while it is busy."""
    for attempt in range(50):
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            return
        except sqlite3.OperationalError as err:
            if ("locked" not in str(err) and "busy" not in str(err)) or attempt == 49:
                raise
            time.sleep(0.05)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on any error)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def version(conn: sqlite3.Connection) -> int:
    """The schema version of the open database (0: an empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema to ``target`` in one transaction; returns the version found.

    A database newer than this tierprice is refused rather than guessed at.
    """
    if version(conn) == target:
        return target  # nothing to do, and nothing written (a read-only file can be read)
    with transaction(conn):
        found = version(conn)
        if found > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"schema version {found} is newer than this tierprice's ({SCHEMA_VERSION})"
            )
        for step in MIGRATIONS[found:target]:
            for statement in step:
                conn.execute(statement)
        if target > found:
            conn.execute(f"PRAGMA user_version = {int(target)}")
    return found


def write_run(conn: sqlite3.Connection, row: dict[str, Any]) -> int:
    """Insert one run (the :data:`COLUMNS` of ``row``) in one transaction; its id."""
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    with transaction(conn):
        cursor = conn.execute(
            f"INSERT INTO runs ({names}) VALUES ({marks})", [row.get(c) for c in COLUMNS]
        )
    return int(cursor.lastrowid or 0)


SQLITE_MAX_INT = 2**63 - 1
"""The largest integer SQLite stores: a larger id is no run, a larger limit no limit."""


def read_run(conn: sqlite3.Connection, run_id: int) -> dict[str, Any] | None:
    """The run with ``run_id`` as a mapping of its columns, or None."""
    if not 0 < run_id <= SQLITE_MAX_INT:  # SQLite would raise OverflowError
        return None
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
    return None if row is None else dict(row)


def list_runs(
    conn: sqlite3.Connection, scenario: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The newest runs first (of one scenario name when given), at most ``limit``."""
    conn.row_factory = sqlite3.Row
    where, params = ("WHERE scenario = ?", [scenario]) if scenario is not None else ("", [])
    tail = "" if limit is None else f" LIMIT {min(int(limit), SQLITE_MAX_INT)}"
    query = f"SELECT * FROM runs {where} ORDER BY id DESC{tail}"
    return [dict(r) for r in conn.execute(query, params).fetchall()]
