"""Output safety (issue 7): ASCII terminals, pipes, and readers that stop early.

* With ``PYTHONIOENCODING=ascii``, a scenario whose name, currency, site and
  category names are not ASCII ("Zürich € deal", "€", "tūrku", "réclamations_€")
  still validates, solves, compares and checks in table format: the characters the
  terminal cannot show degrade to "?", nothing crashes, the output is pure ASCII.
  Error messages with non-ASCII values degrade the same way.
* With stdout a pipe, no ANSI escape codes appear anywhere; with stderr a terminal
  the progress bar of ``compare`` and ``sweep`` goes to stderr only, never stdout.
* A reader that closes the pipe early (``| head``) gets no traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SCENARIOS_DIR

TIMEOUT = 300
"""Seconds allowed for one run."""
ESC = b"\x1b"
NAME = "Zürich € deal"
RENAMES = {
    "scenario: Claims line and journey study 2027": f'scenario: "{NAME}"',
    "currency: EUR": 'currency: "€"',
    "turku": "tūrku",
    "claims_calls": "réclamations_€",
}
"""Text replacements turning journey_study.yaml into a scenario full of non-ASCII names."""


def base_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "CLICOLOR_FORCE", "PYTHONIOENCODING")
    }
    env.update(extra)
    return env


def run(
    args: list[object], env: dict[str, str], stderr: int | None = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    """``tierprice *args`` in a subprocess; raw bytes out."""
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=stderr,
        timeout=TIMEOUT,
        env=env,
    )


@pytest.fixture(scope="module")
def unicode_deal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """journey_study.yaml with non-ASCII scenario, currency, site and category names."""
    text = (SCENARIOS_DIR / "journey_study.yaml").read_text(encoding="utf-8")
    for old, new in RENAMES.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path_factory.mktemp("ascii") / "zürich €.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_ascii_clean(proc: subprocess.CompletedProcess[bytes], code: int = 0) -> str:
    """Exit ``code``, no traceback, stdout and stderr pure ASCII; returns stdout."""
    shown = f"exit {proc.returncode}\nstdout: {proc.stdout[:1500]!r}\nstderr: {proc.stderr!r}"
    assert proc.returncode == code, shown
    assert b"Traceback" not in proc.stderr, shown
    assert b"unexpected error" not in proc.stderr, shown
    assert proc.stdout.isascii(), shown
    assert proc.stderr.isascii(), shown
    assert ESC not in proc.stdout + proc.stderr, shown
    return proc.stdout.decode("ascii")


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{path}"],
        ["solve", "{path}", "--no-explain"],
        ["solve", "{path}"],
        ["compare", "{path}", "--variants", "all", "--workers", "1"],
        ["check", "{path}"],
        ["requirements", "{path}"],
    ],
    ids=["validate", "solve", "solve-explain", "compare", "check", "requirements"],
)
def test_ascii_terminal(unicode_deal: Path, args: list[str]) -> None:
    """Non-ASCII names on an ASCII terminal: "?" in their place, no crash."""
    proc = run([a.format(path=unicode_deal) for a in args], base_env(PYTHONIOENCODING="ascii"))
    out = assert_ascii_clean(proc)
    if args[0] != "requirements":
        assert "Z?rich ? deal" in out, out
    assert "r?clamations_?" in out, out


def test_ascii_terminal_error_message(tmp_path: Path) -> None:
    """An invalid scenario with non-ASCII values: the message degrades, exit 2."""
    path = tmp_path / "bad €.yaml"
    path.write_text(f'scenario: "{NAME}"\ncurrency: "€€€€€€€€€€"\nünknown_kéy: 1\n', "utf-8")
    proc = run(["validate", path], base_env(PYTHONIOENCODING="ascii"))
    assert_ascii_clean(proc, code=2)
    assert b"problems in the scenario" in proc.stderr
    assert b"bad ?.yaml" in proc.stderr


def test_ascii_terminal_output_file(unicode_deal: Path, tmp_path: Path) -> None:
    """Files are always UTF-8, whatever the terminal; the "wrote" note degrades."""
    out = tmp_path / "résultat €.json"
    proc = run(
        ["solve", unicode_deal, "--no-explain", "--format", "json", "--output", out],
        base_env(PYTHONIOENCODING="ascii"),
    )
    assert_ascii_clean(proc)
    assert proc.stdout == b""
    assert NAME in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_pipe_has_no_escape_codes(unicode_deal: Path, fmt: str) -> None:
    """stdout a pipe: UTF-8 text, no ANSI escape codes, no progress bar."""
    proc = run(
        ["compare", unicode_deal, "--variants", "all", "--workers", "1", "--format", fmt],
        base_env(),
    )
    assert proc.returncode == 0, proc.stderr
    assert ESC not in proc.stdout + proc.stderr
    assert b"solving" not in proc.stdout + proc.stderr
    assert NAME in proc.stdout.decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_progress_bar_stays_off_stdout(unicode_deal: Path, command: str) -> None:
    """stderr a terminal, stdout a pipe: any progress bar is on stderr, stdout is clean."""
    import pty

    extra = ["--variants", "all"] if command == "compare" else ["--vary", "client.min_roi=0:1:3"]
    leader, follower = pty.openpty()
    try:
        proc = run(
            [command, unicode_deal, *extra, "--workers", "1", "--format", "csv"],
            base_env(TERM="xterm-256color"),
            stderr=follower,
        )
        os.close(follower)
        follower = -1
        terminal = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO once the other side is closed (Linux)
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == 0, terminal
    assert ESC not in proc.stdout, proc.stdout[:500]
    assert b"solving" not in proc.stdout
    assert proc.stdout.startswith(b"scenario,") or proc.stdout.startswith(b"client.min_roi,")
    assert b"Traceback" not in terminal


def test_reader_closes_pipe_early(unicode_deal: Path) -> None:
    """``tierprice requirements ... | head -c 10``: no traceback on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "optimizer", "requirements", unicode_deal, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=base_env(),
        bufsize=0,
    )
    assert proc.stdout is not None and proc.stderr is not None
    head = os.read(proc.stdout.fileno(), 10)
    proc.stdout.close()
    err = proc.stderr.read()
    code = proc.wait(timeout=TIMEOUT)
    assert head.startswith(b"{")
    assert b"Traceback" not in err, err
    assert b"Exception ignored" not in err, err
    assert b"unexpected" not in err, err
    assert code in (0, 141), (code, err)  # 141 = 128 + SIGPIPE, as a shell reports it


# ------------------------------------------------------- stdout is only the payload


@pytest.mark.parametrize("path", sorted(SCENARIOS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_stdout_parses_on_every_shipped_scenario(path: Path) -> None:
    """``solve --format json`` and ``--format csv`` write exactly the payload on stdout.

    highspy 1.16 prints a banner on descriptor 1 when ``Highs()`` is constructed
    (issue 12.1); whatever a native library prints, stdout must parse.
    """
    import csv
    import io
    import json

    done = run(["solve", path, "--format", "json", "--no-explain"], base_env())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.decode("utf-8"))["verified"] is True
    done = run(["solve", path, "--format", "csv", "--no-explain"], base_env())
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO(done.stdout.decode("utf-8"))))
    assert rows[0][:2] == ["scenario", "status"]
    assert all(len(row) == len(rows[0]) for row in rows)


def test_native_writes_to_descriptor_1_never_reach_stdout() -> None:
    """A write to descriptor 1 from below Python (as highspy's C++ banner) is dropped,
    even when it is flushed late (at exit); Python's own stdout still arrives."""
    code = (
        "import os, sys\n"
        "from optimizer.console import route_native_stdout\n"
        "route_native_stdout()\n"
        "os.write(1, b'native banner\\n')\n"
        "print('payload')\n"
        "import highspy; highspy.Highs()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=TIMEOUT, env=base_env()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"payload\n"


def test_a_library_solve_prints_nothing_on_stdout() -> None:
    """From Python (a notebook, a script), ``run_scenario`` writes nothing on the
    caller's stdout: the solver runs in a child whose descriptor 1 is the null device,
    so highspy's banner never reaches a notebook cell or a script's own output."""
    code = (
        "from optimizer import RunOptions, load_scenario, run_scenario\n"
        f"deal = load_scenario({str(SCENARIOS_DIR / 'answering_service.yaml')!r})\n"
        "result = run_scenario(deal, RunOptions(explain=False))\n"
        "print(result.status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=TIMEOUT, env=base_env()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"optimal\n"
