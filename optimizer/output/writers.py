"""Write report outputs without ever losing data.

* A regular file, or a path that does not exist yet, is written atomically: a temp
  file in the same folder, then a rename. A crash or Ctrl-C mid-write leaves the
  previous file (or none), never half a file. A symlink is followed: the file it
  points at is replaced, the link stays a link.
* A character device (``/dev/null``, a terminal) or a FIFO is written directly:
  renaming over it would replace the device with a regular file. A FIFO without a
  reader is refused rather than waited for.
* Anything else (a directory, a block device, a socket, a descriptor path such as
  ``/dev/fd/3`` that leads to a regular file) is refused.
* ``-``, ``/dev/stdout``, ``/dev/fd/1`` and ``/proc/self/fd/1`` (or a symlink to one)
  mean standard output: :func:`is_stdout` tells the caller to print instead.
* The temp file is removed on every way out: an error, Ctrl-C, and SIGTERM or
  SIGHUP (which, while a temp file exists and no handler of their own is set,
  end the process through ``SystemExit(128 + signal)`` so the clean-up runs).

:func:`check_outputs` makes the checks up front, before any solving: no two outputs
on one path, no output over an input, and a folder that can be written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

STDOUT = "stdout"
FILE = "file"
STREAM = "stream"
"""Kinds of output target: standard output, a (new or regular) file, a device or FIFO."""

_DESCRIPTOR = re.compile(r"^/(?:dev/fd|proc/(?:self|thread-self|\d+(?:/task/\d+)?)/fd)/(\d+)$")
_STD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}
_MAX_LINKS = 40
"""Symlinks followed before giving up (the kernel's own limit)."""


class OutputError(Exception):
    """An output that must not or cannot be written; the message says why (one line)."""


@dataclass(frozen=True)
class OutputTarget:
    """Where one output goes: ``kind`` is STDOUT, FILE or STREAM; ``real`` the path
    written (symlinks followed)."""

    given: Path
    kind: str
    real: Path


def _umask() -> int:
    """The process's file-creation mask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _descriptor(text: str) -> int | None:
    """The descriptor number a ``/dev/fd/N``-like path names, or None."""
    if text in _STD_NAMES:
        return _STD_NAMES[text]
    match = _DESCRIPTOR.match(text)
    if match is None:
        return None
    pid = text.split("/")[2]
    if pid.isdigit() and int(pid) != os.getpid():
        return None  # another process's descriptor: an ordinary path
    return int(match.group(1))


def _descriptors(path: Path) -> list[int]:
    """The descriptor a path leads to through its symlinks (``/dev/stdout`` -> [1]), or []."""
    if str(path) == "-":
        return [1]
    current = os.path.normpath(os.path.abspath(path))
    for _ in range(_MAX_LINKS):
        parent, name = os.path.split(current)
        for text in (current, os.path.join(os.path.realpath(parent), name)):
            number = _descriptor(text)
            if number is not None:  # a magic link: what it shows is not a path to follow
                return [number]
        try:
            link = os.readlink(current)
        except OSError:
            return []
        current = os.path.normpath(os.path.join(parent, link))
    return []


def is_stdout(path: str | Path) -> bool:
    """``-``, ``/dev/stdout``, ``/dev/fd/1``, ``/proc/self/fd/1``, or a symlink to one."""
    return _descriptors(Path(path))[:1] == [1]


def _refuse(path: Path, reason: str) -> OutputError:
    return OutputError(f"cannot write {path}: {reason}")


def inspect_output(path: str | Path) -> OutputTarget:
    """What writing ``path`` would mean; OutputError if it must not be written."""
    given = Path(path)
    numbers = _descriptors(given)
    if numbers[:1] == [1]:
        return OutputTarget(given, STDOUT, given)
    try:
        info = os.stat(given)
    except FileNotFoundError:
        return OutputTarget(given, FILE, Path(os.path.realpath(given)))
    except OSError as err:
        raise _refuse(given, err.strerror or str(err)) from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise _refuse(given, "it is a directory")
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return OutputTarget(given, STREAM, given)
    if stat.S_ISREG(mode):
        if numbers:
            raise _refuse(given, "a descriptor path to a regular file (name the file itself)")
        return OutputTarget(given, FILE, Path(os.path.realpath(given)))
    kind = "a block device" if stat.S_ISBLK(mode) else "a socket or other special file"
    raise _refuse(given, f"it is {kind} (expected a file, a character device or a FIFO)")


def _existing_folder(folder: Path) -> Path:
    """The nearest folder at or above ``folder`` that exists."""
    current = folder
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _is_char_device(path: Path) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


def _same(a: Path, b: Path) -> bool:
    """Whether two paths are one file (hard links and symlinks included)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_outputs(
    outputs: Sequence[str | Path], inputs: Sequence[str | Path] = (), history: Path | None = None
) -> None:
    """Refuse, before any work, outputs that would lose data or cannot be written.

    Two outputs on one path (a character device such as /dev/null excepted), an output
    that is one of the ``inputs`` (scenario files, CSV profiles) or the run-history
    database ``history`` (every recorded run), and a file whose folder cannot be written
    are refused (OutputError).
    """
    protected = [(Path(source), f"an input of this run ({source})") for source in inputs]
    if history is not None:
        protected.append(
            (history, f"the run-history database ({history}), which holds every recorded run")
        )
    targets = [inspect_output(p) for p in outputs]
    for i, target in enumerate(targets):
        for other in targets[:i]:
            if target.kind == other.kind == STDOUT:
                clash = True
            elif STDOUT in (target.kind, other.kind) or _is_char_device(target.given):
                clash = False  # /dev/null may take any number of outputs
            else:
                clash = _same(target.given, other.given)
            if clash:
                raise OutputError(
                    f"cannot write {target.given}: it is also the path of another output"
                    f" ({other.given}); give each output its own path"
                )
        if target.kind == STDOUT:
            continue
        for path, what in protected:
            if _same(target.given, path):
                raise OutputError(
                    f"cannot write {target.given}: it is {what}; refusing to overwrite it"
                )
        if target.kind == FILE:
            _probe(target)


def _probe(target: OutputTarget) -> None:
    """Create and remove a temp file where ``target`` will be written (OutputError if not)."""
    folder = _existing_folder(target.real.parent)
    if not folder.is_dir():
        raise _refuse(target.given, f"{folder} is not a directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tierprice-probe.", suffix=".tmp", dir=folder)
    except OSError as err:
        raise _refuse(target.given, f"{err.strerror or err} ({folder})") from None
    os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _signals_clean_up() -> Iterator[None]:
    """While a temp file exists, SIGTERM/SIGHUP with the default action raise SystemExit
    (so ``finally`` blocks remove the temp file) instead of killing the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    replaced: dict[int, object] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            replaced[number] = signal.signal(number, _exit_on_signal)
    try:
        yield
    finally:
        for number in replaced:
            signal.signal(number, signal.SIG_DFL)


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` (str as UTF-8) to ``path``: see the module docstring for the rules.

    Returns ``path``; raises OutputError or OSError when it cannot be written.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = inspect_output(path)
    if target.kind == STDOUT:
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    elif target.kind == STREAM:
        _write_stream(target.given, payload)
    else:
        _replace_file(target.real, payload)
    return Path(path)


def _write_stream(path: Path, payload: bytes) -> None:
    """Write to a character device or FIFO in place (no rename, no truncation)."""
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        if err.errno == errno.ENXIO:  # a FIFO nobody reads
            raise _refuse(path, "a FIFO with no reader") from None
        raise
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _replace_file(target: Path, payload: bytes) -> None:
    """Temp file in ``target``'s folder, fsync, rename over ``target``."""
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    with _signals_clean_up():
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                if hasattr(os, "fchmod"):  # mkstemp makes 0600 files; give the usual mode
                    os.fchmod(handle.fileno(), 0o666 & ~_umask())
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
