"""Where outputs may go (issues 2, 9 and 14): nothing is ever lost through an output.

* Data loss (issue 2): an output equal to an input (the scenario, a CSV profile, a
  hard or symbolic link to one) is refused, as are two outputs on one path; a
  character device (/dev/null) or FIFO is written in place, never renamed over; a
  folder that cannot be written is refused before anything is solved; ``-``,
  ``/dev/stdout`` and ``/proc/self/fd/1`` mean standard output.
* Formats (issue 14): ``--output`` infers the report format from its extension and
  refuses a contradicting ``--format`` or an extension no report has; ``--plot``
  writes real PNG, PDF or SVG by extension and refuses others.
* Encodings (issue 9): JSON on a stdout that cannot encode a character escapes it
  (the document still parses to the same data); CSV and tables degrade it to "?" and
  say so on stderr.

Every refusal is exit 2 with one message and no traceback; inputs are compared
byte for byte afterwards. /dev/null itself is never used as a target: a stand-in
(a symlink to it, or a null device made in tmp_path when running as root) is.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import SCENARIOS_DIR, make_scenario

from optimizer import cli, pipeline
from optimizer.output import writers
from optimizer.studies import batch

TIMEOUT = 120
"""Seconds allowed for one subprocess run."""
SMALL = {
    "calendar.interval_minutes": 60,
    "categories.*.open_hours": {"mon-fri": "09:00-17:00"},
    "categories.calls.tiers.std.prices": [6.0, 8.0],
    "categories.mail.tiers.std.prices": [5.0],
}
"""Overrides turning the example into a small scenario that solves at once."""
NAME = "Zürich € deal 😀"
"""A scenario name that neither ASCII nor Latin-1 can carry in full."""


@pytest.fixture
def deal(tmp_path: Path) -> Path:
    """The small scenario as YAML in tmp_path."""
    path = tmp_path / "deal.yaml"
    raw = make_scenario(**SMALL).raw()
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def csv_deal(tmp_path: Path) -> Path:
    """energy_retailer_csv.yaml with its profile CSV, copied into tmp_path."""
    shutil.copytree(SCENARIOS_DIR / "profiles", tmp_path / "profiles")
    path = tmp_path / "energy.yaml"
    shutil.copy(SCENARIOS_DIR / "energy_retailer_csv.yaml", path)
    return path


@pytest.fixture
def unicode_deal(tmp_path: Path) -> Path:
    """The small scenario named "Zürich € deal 😀"."""
    raw = make_scenario(**SMALL).raw()
    raw["scenario"] = NAME
    path = tmp_path / "unicode.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def no_solving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any solve fails the test: a refusal must come before the solver runs."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved before the outputs were checked")

    monkeypatch.setattr(pipeline, "run_scenario", refuse)
    monkeypatch.setattr(pipeline, "build_only", refuse)
    # batch binds run_scenario when first imported: patched there too, and never left
    # bound to ``refuse`` for the tests after (a sweep in test_history failed after these).
    monkeypatch.setattr(batch, "run_scenario", refuse)


def invoke(*args: object) -> Result:
    """``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def run(*args: object, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m optimizer *args`` (the real entry point), raw bytes out."""
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONIOENCODING"}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "optimizer", *map(str, args)],
        capture_output=True,
        timeout=TIMEOUT,
        env=environ,
        cwd=cwd,
    )


def refused(result: Result, needle: str) -> None:
    """Exit 2, one clean message containing ``needle``, nothing on stdout."""
    shown = f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert result.exit_code == 2, shown
    assert needle in result.stderr, shown
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr, shown
    assert result.stdout == "", shown


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (symlinks as their target text) with its bytes."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            out[str(path)] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            out[str(path)] = path.read_bytes()
    return out


# ------------------------------------------------- issue 2: no output over an input

COMMANDS = {
    "solve --output": ["solve", "{deal}", "--no-explain", "--format", "csv", "--output", "{out}"],
    "solve --plot": ["solve", "{deal}", "--no-explain", "--plot", "{out}"],
    "export-lp": ["export-lp", "{deal}", "{out}"],
    "requirements": ["requirements", "{deal}", "--format", "csv", "--output", "{out}"],
    "check": ["check", "{deal}", "--output", "{out}"],
    "compare": ["compare", "{deal}", "--workers", "1", "--output", "{out}"],
    "sweep": ["sweep", "{deal}", "--vary", "client.min_roi=0:1:2", "--workers", "1",
              "--output", "{out}"],
    "sweep --plot": ["sweep", "{deal}", "--vary", "client.min_roi=0:1:2", "--workers", "1",
                     "--plot", "{out}"],
    "frontier": ["frontier", "{deal}", "--points", "2", "--workers", "1", "--output", "{out}"],
}  # fmt: skip
"""Every command and option that writes a file; ``{out}`` is the path under test."""


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("how", ["same path", "symlink", "hard link"])
def test_output_over_the_scenario_is_refused(
    deal: Path, no_solving: None, command: str, how: str
) -> None:
    """The scenario itself, a symlink to it or a hard link to it: refused, unchanged."""
    suffix = ".png" if "plot" in command else ""
    out = deal
    if how == "symlink":
        out = deal.with_name("link" + suffix)
        out.symlink_to(deal.name)
    elif how == "hard link":
        out = deal.with_name("hard" + suffix)
        os.link(deal, out)
    elif suffix:  # the scenario named with a chart extension: a symlink is the only way
        out = deal.with_name("same.png")
        out.symlink_to(deal)
    before = snapshot(deal.parent)
    args = [a.format(deal=deal, out=out) for a in COMMANDS[command]]
    refused(invoke(*args), "input of this run")
    assert snapshot(deal.parent) == before


@pytest.mark.parametrize("command", ["solve", "requirements", "export-lp"])
def test_output_over_a_csv_profile_is_refused(csv_deal: Path, no_solving: None, command: str):
    """An output that is one of the scenario's CSV profiles: refused, the CSV unchanged."""
    profile = csv_deal.parent / "profiles" / "energy_retail_30min.csv"
    before = snapshot(csv_deal.parent)
    if command == "export-lp":
        args: list[object] = ["export-lp", csv_deal, profile]
    else:
        args = [command, csv_deal, "--format", "csv", "--output", profile]
    refused(invoke(*args), "input of this run")
    assert snapshot(csv_deal.parent) == before


def test_output_over_a_csv_profile_by_relative_path(
    csv_deal: Path, no_solving: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same CSV named relative to the current folder is still recognised."""
    monkeypatch.chdir(csv_deal.parent / "profiles")
    before = snapshot(csv_deal.parent)
    refused(invoke("solve", csv_deal, "--output", "energy_retail_30min.csv"), "input")
    assert snapshot(csv_deal.parent) == before


def test_second_scenario_of_compare_is_protected(deal: Path, no_solving: None) -> None:
    """compare: every scenario file is an input, not just the first."""
    other = deal.with_name("other.yaml")
    shutil.copy(deal, other)
    before = snapshot(deal.parent)
    refused(invoke("compare", deal, other, "--output", other), "input of this run")
    assert snapshot(deal.parent) == before


def test_two_outputs_on_one_path_are_refused(deal: Path, no_solving: None) -> None:
    """--output and --plot naming one file (through a symlink): refused before solving."""
    out = deal.with_name("report.json")
    out.write_text("keep me")
    (deal.parent / "chart.png").symlink_to(out.name)
    before = snapshot(deal.parent)
    result = invoke("solve", deal, "--output", out, "--plot", deal.parent / "chart.png")
    refused(result, "another output")
    assert snapshot(deal.parent) == before


def test_check_outputs_refuses_duplicates(tmp_path: Path) -> None:
    """The writer's own check: one path twice, or stdout twice, is refused."""
    target = tmp_path / "a.json"
    with pytest.raises(writers.OutputError, match="another output"):
        writers.check_outputs([target, tmp_path / "." / "a.json"])
    with pytest.raises(writers.OutputError, match="another output"):
        writers.check_outputs(["-", "/dev/stdout"])
    writers.check_outputs([target, tmp_path / "b.png", "-"])
    assert list(tmp_path.iterdir()) == []  # the folder probe leaves nothing behind


# ------------------------------------------- issue 2: special files are not replaced


def test_fifo_is_written_in_place(deal: Path, tmp_path: Path) -> None:
    """A FIFO with a reader gets the report; it is still a FIFO afterwards."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        # the reader may not have opened the FIFO yet: retry for a few seconds
        for _ in range(50):
            result = invoke("solve", deal, "--no-explain", "--format", "json", "--output", fifo)
            if result.exit_code == 0 or "no reader" not in result.stderr:
                break
            thread.join(0.1)
        assert result.exit_code == 0, result.stderr
        thread.join(10)
    finally:
        if thread.is_alive():  # unblock the reader
            with open(fifo, "wb"):
                pass
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["verified"] is True


def test_fifo_without_reader_is_refused(deal: Path, tmp_path: Path) -> None:
    """A FIFO nobody reads: one message, no hang, the FIFO stays."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = invoke("solve", deal, "--no-explain", "--output", fifo)
    assert result.exit_code == 2, result.stderr
    assert "no reader" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_symlink_to_the_null_device_stays(deal: Path, tmp_path: Path) -> None:
    """``--output`` a symlink to /dev/null: written through, not renamed over."""
    link = tmp_path / "null.json"
    link.symlink_to(os.devnull)
    plot = tmp_path / "null.png"
    plot.symlink_to(os.devnull)
    result = invoke("solve", deal, "--no-explain", "--format", "json", "--output", link,
                    "--plot", plot)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and plot.is_symlink()
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deal.yaml", "null.json", "null.png"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")
@pytest.mark.parametrize("command", ["solve", "export-lp"])
def test_character_device_is_not_replaced(deal: Path, tmp_path: Path, command: str) -> None:
    """As root, a null device (made in tmp_path, the same as /dev/null) stays a device."""
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    args = (
        ["export-lp", deal, device]
        if command == "export-lp"
        else ["solve", deal, "--output", device]
    )
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_socket_is_refused(deal: Path, tmp_path: Path) -> None:
    """A Unix socket (neither a file, a device nor a FIFO) is refused."""
    path = tmp_path / "s.json"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        refused(invoke("solve", deal, "--output", path), "socket")
    finally:
        server.close()
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_symlink_to_a_file_is_followed(deal: Path, tmp_path: Path) -> None:
    """A symlink to a regular file: the file gets the report, the link stays a link."""
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real.name)
    result = invoke("solve", deal, "--no-explain", "--output", link)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert json.loads(real.read_text())["verified"] is True


@pytest.mark.parametrize("alias", ["-", "/dev/fd/1", "/proc/self/fd/1", "link"])
def test_stdout_aliases_print_the_report(deal: Path, tmp_path: Path, alias: str) -> None:
    """The real program (descriptor 1 on the null device inside): ``-``, /dev/fd/1,
    /proc/self/fd/1 and a symlink to /dev/stdout put the report on stdout.

    (/dev/stdout itself is reached only through a symlink in tmp_path: were the
    fix to regress, a run as root would rename a file over the real one.)"""
    if alias == "link":
        (tmp_path / "link").symlink_to("/dev/stdout")
        alias = str(tmp_path / "link")
    if not os.path.exists("/proc/self/fd/1"):
        pytest.skip("no /proc")
    done = run("solve", deal, "--no-explain", "--format", "json", "--output", alias, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["verified"] is True
    assert (tmp_path / "link").is_symlink() or not (tmp_path / "link").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) in (["deal.yaml"], ["deal.yaml", "link"])


def test_plot_and_report_both_on_stdout_is_refused(deal: Path, no_solving: None) -> None:
    refused(invoke("solve", deal, "--plot", "-"), "both go to stdout")


# ----------------------------------------- issue 2: unwritable folders, before solving


@pytest.mark.parametrize(
    "where",
    ["{proc}/out.json", "{file}/out.json", "{file}/deeper/out.json"],
    ids=["no-folder-can-be-made", "folder-is-a-file", "below-a-file"],
)
@pytest.mark.parametrize("option", ["--output", "--plot"])
def test_unwritable_folder_is_refused_before_solving(
    deal: Path, tmp_path: Path, no_solving: None, where: str, option: str
) -> None:
    """The folder check comes before the solver (which is made to fail the test)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    path = where.format(proc="/proc/tierprice-no-such-folder", file=blocker)
    if option == "--plot":
        path = path.replace(".json", ".png")
    before = snapshot(tmp_path)
    refused(invoke("solve", deal, option, path), "cannot write")
    assert snapshot(tmp_path) == before


def test_unwritable_lp_folder_is_refused_before_building(deal: Path, no_solving: None):
    refused(invoke("export-lp", deal, "/proc/tierprice-no-such-folder/m.lp"), "cannot write")


# --------------------------------------------------- issue 14: formats from extensions


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("out.xlsx", lambda b: b[:2] == b"PK"),
        ("out.json", lambda b: json.loads(b)["verified"] is True),
        ("out.csv", lambda b: b.startswith(b"scenario,status,")),
        ("out.txt", lambda b: b"margin" in b and not b.startswith(b"{")),
        ("out", lambda b: b"margin" in b and not b.startswith(b"{")),
    ],
)
def test_output_format_from_extension(deal: Path, tmp_path: Path, name: str, check) -> None:
    """No --format: the extension decides (xlsx is a real workbook); none: a table."""
    out = tmp_path / name
    result = invoke("solve", deal, "--no-explain", "--output", out)
    assert result.exit_code == 0, result.stderr
    assert check(out.read_bytes())


@pytest.mark.parametrize(
    "args",
    [
        ["solve", "{deal}", "--format", "json", "--output", "{tmp}/out.csv"],
        ["solve", "{deal}", "--format", "table", "--output", "{tmp}/out.xlsx"],
        ["solve", "{deal}", "--output", "{tmp}/out.png"],
        ["solve", "{deal}", "--output", "{tmp}/out.xls"],
        ["solve", "{deal}", "--output", "{tmp}/out.pdf"],
        ["requirements", "{deal}", "--output", "{tmp}/out.xlsx"],
        ["check", "{deal}", "--output", "{tmp}/out.csv"],
        ["solve", "{deal}", "--plot", "{tmp}/chart.jpg"],
        ["solve", "{deal}", "--plot", "{tmp}/chart"],
        ["sweep", "{deal}", "--vary", "client.min_roi=0:1:2", "--plot", "{tmp}/chart.json"],
        ["frontier", "{deal}", "--plot", "{tmp}/chart.xlsx"],
    ],
    ids=lambda a: " ".join(a[:1] + [x.split("/")[-1] for x in a[2:]]),
)
def test_format_mismatch_is_refused(deal: Path, tmp_path: Path, no_solving: None, args) -> None:
    """A --format the extension contradicts, or an extension of another format: exit 2."""
    before = snapshot(tmp_path)
    result = invoke(*[a.format(deal=deal, tmp=tmp_path) for a in args])
    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("name", "magic"),
    [("chart.png", b"\x89PNG\r\n\x1a\n"), ("chart.pdf", b"%PDF-"), ("chart.PDF", b"%PDF-"),
     ("chart.svg", b"<?xml")],
)  # fmt: skip
def test_plot_format_from_extension(deal: Path, tmp_path: Path, name: str, magic: bytes):
    """--plot writes the format its extension names (an SVG holds an <svg> element)."""
    out = tmp_path / name
    result = invoke("solve", deal, "--no-explain", "--plot", out)
    assert result.exit_code == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(magic), data[:20]
    if name.endswith(".svg"):
        assert b"<svg" in data


# ---------------------------------------------------- issue 9: encodings of stdout

JSON_COMMANDS = {
    "solve": ["solve", "{deal}", "--no-explain", "--format", "json"],
    "compare": ["compare", "{deal}", "--workers", "1", "--format", "json"],
    "check": ["check", "{deal}", "--format", "json"],
    "requirements": ["requirements", "{deal}", "--format", "json"],
    "sweep": ["sweep", "{deal}", "--vary", "client.min_roi=0:1:2", "--workers", "1",
              "--format", "json"],
}  # fmt: skip


def scenario_names(data: object) -> list[str]:
    """Every "scenario" value anywhere in a JSON document."""
    if isinstance(data, dict):
        found = [v for k, v in data.items() if k == "scenario" and isinstance(v, str)]
        return found + [n for v in data.values() for n in scenario_names(v)]
    if isinstance(data, list):
        return [n for v in data for n in scenario_names(v)]
    return []


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("command", JSON_COMMANDS)
def test_json_escapes_what_stdout_cannot_encode(unicode_deal: Path, command: str, encoding: str):
    """JSON on an ASCII or Latin-1 stdout: the same document, nothing turned into "?"."""
    args = [a.format(deal=unicode_deal) for a in JSON_COMMANDS[command]]
    done = run(*args, PYTHONIOENCODING=encoding)
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode(encoding)
    assert "?" not in text
    data = json.loads(text)
    if command != "sweep":
        assert NAME in scenario_names(data), text[:300]


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_text_output_says_it_lost_characters(unicode_deal: Path, fmt: str) -> None:
    """Table and CSV on an ASCII stdout: "?" in place of what it cannot show, and a
    warning on stderr saying so (nothing lost silently)."""
    done = run("solve", unicode_deal, "--no-explain", "--format", fmt, PYTHONIOENCODING="ascii")
    assert done.returncode == 0, done.stderr
    assert done.stdout.isascii()
    if fmt == "table":
        assert b"Z?rich ? deal ?" in done.stdout
    assert b"cannot show" in done.stderr and b"(ascii)" in done.stderr
    assert done.stderr.count(b"cannot show") == 1


def test_utf8_stdout_has_no_warning(unicode_deal: Path) -> None:
    done = run("solve", unicode_deal, "--no-explain", PYTHONIOENCODING="utf-8")
    assert done.returncode == 0, done.stderr
    assert NAME.encode() in done.stdout
    assert b"cannot show" not in done.stderr
