"""Unbounded reads and hangs (issue 6), and messages that never quote a file.

* Every input is read with a byte cap and only if it is a regular file: a scenario or
  CSV profile at /dev/zero, /dev/urandom, a FIFO (with or without a writer) or a
  socket ends at once with exit 2, as does a file over the cap (sparse, made here).
* A grid of ``--vary`` axes is capped in total size before any point is built.
* No message of the loader quotes the content of a file it read: a CSV profile may
  name any absolute path (``/etc/passwd``), so a secret planted in a CSV's header and
  rows must never appear in the output.

Subprocesses run with a time limit and an address-space limit, so a regression fails
the test instead of exhausting the machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import INVALID_DIR

from optimizer.errors import ScenarioError
from optimizer.scenario import loader
from optimizer.studies import sweep

TIMEOUT = 60
"""Seconds a run may take (each case here answers in about one)."""
MEMORY = 3 * 1024**3
"""Address space allowed to a subprocess (bytes): a runaway read dies, not the machine."""
UNREAD_CSV = "csv: profiles/week_30min.csv, column: chat"
"""The profile line of csv_missing_column.yaml, replaced by the CSV under test."""
SECRET = "SECRET-ROOT-PASSWORD-7731"
"""Planted in CSV files: must never appear in any message."""


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m optimizer *args`` with a time and memory limit."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=TIMEOUT,
        env=env,
        cwd=cwd,
        preexec_fn=_limit_memory if sys.platform != "win32" else None,
    )


def refused(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2 with one clean message containing every needle."""
    shown = f"exit {proc.returncode}\nstdout: {proc.stdout[:500]}\nstderr: {proc.stderr[:2000]}"
    assert proc.returncode == 2, shown
    assert "Traceback" not in proc.stderr and "unexpected" not in proc.stderr, shown
    for needle in needles:
        assert needle in proc.stderr, shown


def csv_scenario(folder: Path, csv: str, column: str = "calls") -> Path:
    """csv_missing_column.yaml with its profile pointed at ``csv``."""
    text = (INVALID_DIR / "csv_missing_column.yaml").read_text(encoding="utf-8")
    assert UNREAD_CSV in text
    path = folder / "deal.yaml"
    path.write_text(text.replace(UNREAD_CSV, f"csv: '{csv}', column: {column}"), "utf-8")
    return path


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo.csv"
    os.mkfifo(path)
    return path


@pytest.fixture
def fed_fifo(fifo: Path):
    """A FIFO a thread keeps writing to (as long as someone reads)."""
    stop = threading.Event()

    def feed() -> None:
        try:
            fd = os.open(fifo, os.O_WRONLY)  # blocks until a reader opens it
        except OSError:
            return
        try:
            while not stop.is_set():
                os.write(fd, b"calls\n1\n" * 1000)
        except OSError:
            pass
        finally:
            os.close(fd)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    yield fifo
    stop.set()
    if thread.is_alive():  # unblock a writer still waiting for a reader
        try:
            fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            time.sleep(0.2)
            os.close(fd)
        except OSError:
            pass
    thread.join(5)


# ------------------------------------------------------------ scenario files


@pytest.mark.parametrize(
    ("path", "needle"),
    [("/dev/zero", "character device"), ("/dev/urandom", "character device")],
)
def test_scenario_device_is_refused(path: str, needle: str) -> None:
    """``tierprice validate /dev/zero``: exit 2 at once, no reading forever."""
    if not os.path.exists(path):
        pytest.skip(f"no {path}")
    refused(run("validate", path), path, needle)


def test_scenario_fifo_is_refused(fifo: Path) -> None:
    """A FIFO nobody writes to: refused, not waited for."""
    refused(run("validate", fifo), "FIFO")


def test_scenario_fifo_with_a_writer_is_refused(fed_fifo: Path) -> None:
    """A FIFO someone writes to endlessly: refused (it is not a regular file)."""
    refused(run("solve", fed_fifo), "FIFO")


def test_scenario_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deal.yaml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        refused(run("validate", path), "socket")
    finally:
        server.close()


def test_read_is_capped_whatever_the_size_says(monkeypatch) -> None:
    """A file whose reported size is 0 (a /proc file; or one that grows) is still cut
    off at the cap: the read itself is bounded, not just the size check."""
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc")
    assert "Name:" in loader.read_text(status, "CSV file")  # read, within the cap
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 64)
    with pytest.raises(ScenarioError, match="too large"):
        loader.read_text(status, "CSV file")


# ------------------------------------------------------------ CSV profiles


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_csv_profile_device_is_refused(tmp_path: Path, device: str) -> None:
    """A CSV profile at /dev/zero or /dev/urandom: exit 2, naming the field and the file."""
    if not os.path.exists(device):
        pytest.skip(f"no {device}")
    path = csv_scenario(tmp_path, device)
    refused(run("validate", path), "categories[0].profile.csv", device, "regular file")


def test_csv_profile_fifo_is_refused(tmp_path: Path, fifo: Path) -> None:
    refused(run("validate", csv_scenario(tmp_path, str(fifo))), "fifo.csv", "FIFO")


def test_csv_profile_fed_fifo_is_refused(tmp_path: Path, fed_fifo: Path) -> None:
    refused(run("validate", csv_scenario(tmp_path, str(fed_fifo))), "fifo.csv", "FIFO")


def test_csv_profile_too_large(tmp_path: Path) -> None:
    """A CSV over the cap (sparse: no disk used) is refused without reading it."""
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(loader.MAX_FILE_BYTES + 1)
    refused(run("validate", csv_scenario(tmp_path, str(big))), "big.csv", "too large")


def test_csv_field_over_the_csv_limit(tmp_path: Path) -> None:
    """One field longer than the csv module allows: a message, not a traceback."""
    big = tmp_path / "wide.csv"
    big.write_text("calls\n" + '"' + "1" * 200_000 + '"\n', encoding="utf-8")
    refused(run("validate", csv_scenario(tmp_path, str(big))), "wide.csv")


# ------------------------------------------------------------ no file content echoed


def secret_csv(folder: Path, kind: str) -> Path:
    """A CSV whose header or rows carry SECRET, shaped to trigger one kind of error."""
    path = folder / f"{kind}.csv"
    rows = {
        "missing-column": f"root:x:0:0:{SECRET}:/root:/bin/bash\nbin:x:1:1\n",
        "bad-cell": f"calls\n1\n{SECRET}\n",
        "short": f"calls,{SECRET}\n1,2\n",
        "not-utf8": "calls\n" + SECRET + "\xe9\n",
        "binary": "calls\n" + SECRET + "\0\n",
        "bad-quote": 'calls\n"' + SECRET * 10000 + "\n",
    }[kind]
    if kind == "not-utf8":
        path.write_bytes(rows.encode("latin-1"))
    else:
        path.write_text(rows, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "kind", ["missing-column", "bad-cell", "short", "not-utf8", "binary", "bad-quote"]
)
def test_no_message_quotes_a_csv(tmp_path: Path, kind: str) -> None:
    """Whatever is wrong with an (absolute) CSV, the message names the file, the line
    and the column, and never what the file contains."""
    csv = secret_csv(tmp_path, kind)
    for name in (str(csv), csv.name):  # absolute, and short enough to be shown whole
        proc = run("validate", csv_scenario(tmp_path, name))
        refused(proc, name)
        assert SECRET not in proc.stderr + proc.stdout
        assert "root:x" not in proc.stderr


def test_bad_cell_names_line_and_column(tmp_path: Path) -> None:
    proc = run("validate", csv_scenario(tmp_path, str(secret_csv(tmp_path, "bad-cell"))))
    refused(proc, "line 3", "column calls", "non-negative number")


def test_scenario_that_is_not_yaml_mapping_is_not_quoted(tmp_path: Path) -> None:
    """A scenario that is one long string (as /etc/passwd parses): not quoted."""
    path = tmp_path / "passwd"
    path.write_text(f"root:x:0:0:{SECRET}:/root:/bin/bash\ndaemon:x:1:1::/:/sbin/nologin\n")
    proc = run("validate", path)
    refused(proc, "a mapping of scenario fields")
    assert SECRET not in proc.stderr


# ------------------------------------------------------------ grid size


def test_grid_is_capped_before_it_is_built() -> None:
    """Two axes of 10,000 steps: refused at once (nothing built), the cap stated."""
    axes = [sweep.parse_vary("client.min_roi=0:1:10000"),
            sweep.parse_vary("provider.min_margin=0:1:10000")]  # fmt: skip
    started = time.monotonic()
    with pytest.raises(ScenarioError, match="at most 100,000 points"):
        sweep.grid_points(axes)
    assert time.monotonic() - started < 1.0


def test_grid_at_the_cap_is_allowed() -> None:
    axes = [sweep.parse_vary("client.min_roi=0:1:100"),
            sweep.parse_vary("provider.min_margin=0:1:1000")]  # fmt: skip
    assert len(sweep.grid_points(axes)) == sweep.MAX_GRID_POINTS == 100_000


def test_cli_grid_over_the_cap_exits_2() -> None:
    """The command line: exit 2 within seconds, one message with the grid's size."""
    from helpers import SCENARIOS_DIR

    proc = run("sweep", SCENARIOS_DIR / "journey_study.yaml",
               "--vary", "client.min_roi=0:1:10000",
               "--vary", "provider.min_margin=0:1:10000")  # fmt: skip
    refused(proc, "10,000 x 10,000 = 100,000,000 points", "at most 100,000")
