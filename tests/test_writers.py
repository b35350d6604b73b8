"""Tests of optimizer.output.writers: atomic writes (temp file in the same folder, then rename).

Design section 10: a crash never leaves half a file. Each failure test checks that
the previous file is intact and that no temp file (``.<name>.*.tmp``) is left behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from optimizer.output import writers

OLD = "old contents\n"
LARGE = "x" * (4 * 1024 * 1024)
"""A payload big enough that a write is not a single tiny syscall."""
CHILD_TIMEOUT = 20.0
"""Seconds to wait for the child process to end after the signal."""


def leftovers(folder, name: str = "out.json") -> list[str]:
    """Temp files of ``name`` left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


def test_write_creates_file(tmp_path):
    """Writing text creates the file with exactly that text (UTF-8) and returns its path."""
    target = tmp_path / "out.json"
    returned = writers.write_atomic(target, "héllo\n")
    assert returned == target
    assert target.read_text(encoding="utf-8") == "héllo\n"
    assert leftovers(tmp_path) == []


def test_write_bytes(tmp_path):
    """Bytes are written unchanged."""
    target = tmp_path / "out.json"
    writers.write_atomic(target, b"\x00\x01binary")
    assert target.read_bytes() == b"\x00\x01binary"


def test_write_creates_missing_folders(tmp_path):
    """Missing parent folders are created."""
    target = tmp_path / "a" / "b" / "out.json"
    writers.write_atomic(str(target), "{}")
    assert target.read_text() == "{}"


def test_write_relative_path_in_current_folder(tmp_path, monkeypatch):
    """A bare file name is written in the current folder."""
    monkeypatch.chdir(tmp_path)
    writers.write_atomic("out.json", "{}")
    assert (tmp_path / "out.json").read_text() == "{}"
    assert leftovers(tmp_path) == []


def test_write_replaces_existing_file(tmp_path):
    """An existing file is replaced as a whole, shorter content included."""
    target = tmp_path / "out.json"
    target.write_text(OLD * 100)
    writers.write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert leftovers(tmp_path) == []


def test_write_leaves_no_temp_files(tmp_path):
    """Repeated writes leave only the target in the folder."""
    target = tmp_path / "out.json"
    for i in range(5):
        writers.write_atomic(target, f"{i}\n")
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX file modes")
def test_written_file_has_the_usual_mode(tmp_path):
    """The file gets the mode a plain open() would give (0666 less the umask), not the
    0600 of the temp file it was written through."""
    mask = os.umask(0o027)
    try:
        target = writers.write_atomic(tmp_path / "out.json", "{}")
        plain = tmp_path / "plain.json"
        plain.write_text("{}")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o640


def test_failed_rename_keeps_old_file(tmp_path, monkeypatch):
    """If the rename fails the old file is intact, the error propagates, no temp remains."""
    target = tmp_path / "out.json"
    target.write_text(OLD)

    def broken_replace(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(writers.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        writers.write_atomic(target, LARGE)
    assert target.read_text() == OLD
    assert leftovers(tmp_path) == []


def test_failure_mid_write_keeps_old_file(tmp_path, monkeypatch):
    """If the data cannot be flushed to disk (after a partial write) the old file is intact."""
    target = tmp_path / "out.json"
    target.write_text(OLD)

    def broken_fsync(fd):
        raise OSError("no space left on device")

    monkeypatch.setattr(writers.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="no space"):
        writers.write_atomic(target, LARGE)
    assert target.read_text() == OLD
    assert leftovers(tmp_path) == []


def test_interrupt_mid_write_keeps_old_file(tmp_path, monkeypatch):
    """Ctrl-C (KeyboardInterrupt) during the write removes the temp file and keeps the old one."""
    target = tmp_path / "out.json"
    target.write_text(OLD)

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(writers.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        writers.write_atomic(target, LARGE)
    assert target.read_text() == OLD
    assert leftovers(tmp_path) == []


CHILD = textwrap.dedent("""
    import os, sys, time
    from optimizer.output import writers

    def slow_fsync(fd):
        print("ready", flush=True)
        time.sleep(60)

    writers.os.fsync = slow_fsync
    writers.write_atomic(sys.argv[1], "x" * (4 * 1024 * 1024))
""")


@contextlib.contextmanager
def _writing_child(target: Path) -> Iterator[subprocess.Popen[str]]:
    """A process part-way through a large atomic write over ``target`` (which holds
    OLD); it is killed on the way out if the test left it running."""
    target.write_text(OLD)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_process_interrupted_mid_write_keeps_old_file(tmp_path):
    """A real process stopped by SIGINT in the middle of a large write leaves the old file
    intact and no temp file."""
    target = tmp_path / "out.json"
    with _writing_child(target) as child:
        assert leftovers(tmp_path), "the child should be part-way through, with a temp file"
        child.send_signal(signal.SIGINT)
        child.wait(timeout=CHILD_TIMEOUT)
    assert child.returncode != 0
    assert target.read_text() == OLD
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_process_killed_mid_write_keeps_old_file(tmp_path):
    """Even SIGKILL (no clean-up possible) mid-write leaves the old file whole: the
    target is only ever replaced by a rename."""
    target = tmp_path / "out.json"
    with _writing_child(target) as child:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=CHILD_TIMEOUT)
    assert target.read_text() == OLD


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_process_terminated_mid_write_removes_temp_file(tmp_path, signame):
    """SIGTERM (or SIGHUP) mid-write: the old file is intact and the temp file is gone
    (the default action would kill the process before any clean-up ran)."""
    target = tmp_path / "out.json"
    with _writing_child(target) as child:
        assert leftovers(tmp_path)
        child.send_signal(getattr(signal, signame))
        child.wait(timeout=CHILD_TIMEOUT)
    assert child.returncode == 128 + getattr(signal, signame)
    assert target.read_text() == OLD
    assert leftovers(tmp_path) == []


def test_signal_handlers_are_restored(tmp_path):
    """Outside a write, SIGTERM keeps whatever action it had."""
    before = signal.getsignal(signal.SIGTERM)
    writers.write_atomic(tmp_path / "out.json", "{}")
    assert signal.getsignal(signal.SIGTERM) is before


def test_symlink_target_is_replaced_link_kept(tmp_path):
    """Writing through a symlink replaces the file it points at; the link stays."""
    real = tmp_path / "real.json"
    real.write_text(OLD)
    link = tmp_path / "out.json"
    link.symlink_to(real.name)
    writers.write_atomic(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"
    assert leftovers(tmp_path, "real.json") == []


def test_fifo_is_written_not_replaced(tmp_path):
    """A FIFO is opened and written, never renamed over."""
    import threading

    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    thread = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    thread.start()
    for _ in range(100):  # until the reader has opened its end
        try:
            writers.write_atomic(fifo, LARGE)
            break
        except writers.OutputError:
            thread.join(0.05)
    thread.join(CHILD_TIMEOUT)
    assert got == [LARGE.encode()]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_fifo_without_reader_is_refused_at_once(tmp_path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    with pytest.raises(writers.OutputError, match="no reader"):
        writers.write_atomic(fifo, "{}")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_symlink_to_null_device_is_written_through(tmp_path):
    """A symlink to /dev/null: the data goes to the device; link and device stay."""
    link = tmp_path / "out.json"
    link.symlink_to(os.devnull)
    writers.write_atomic(link, LARGE)
    assert link.is_symlink()
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")
def test_character_device_stays_a_device(tmp_path):
    """A null device (made here; the same device as /dev/null) is written in place."""
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    writers.write_atomic(device, "{}")
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_full_device_error_propagates(tmp_path):
    """/dev/full (writes fail with ENOSPC) raises OSError, and stays a device."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    link = tmp_path / "out.json"
    link.symlink_to("/dev/full")
    with pytest.raises(OSError):
        writers.write_atomic(link, "{}")
    assert link.is_symlink()


def test_directory_is_refused(tmp_path):
    with pytest.raises(writers.OutputError, match="directory"):
        writers.write_atomic(tmp_path, "{}")


def test_check_outputs_refuses_inputs(tmp_path):
    """An output equal to an input (by path, hard link or symlink) is refused."""
    source = tmp_path / "deal.yaml"
    source.write_text("scenario: x\n")
    os.link(source, tmp_path / "hard.yaml")
    (tmp_path / "soft.yaml").symlink_to(source.name)
    for output in (source, tmp_path / "hard.yaml", tmp_path / "soft.yaml"):
        with pytest.raises(writers.OutputError, match="input of this run"):
            writers.check_outputs([output], [source])
    writers.check_outputs([tmp_path / "out.json"], [source])
    assert source.read_text() == "scenario: x\n"


@pytest.mark.parametrize("alias", ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_stdout_aliases(alias):
    if alias != "-" and not os.path.exists("/proc/self/fd/1"):
        pytest.skip("no /proc")
    assert writers.is_stdout(alias)


def test_ordinary_paths_are_not_stdout(tmp_path):
    assert not writers.is_stdout(tmp_path / "out.json")
    assert not writers.is_stdout(os.devnull)
    assert not writers.is_stdout("/dev/fd/2")
