"""Text a terminal can show: characters its encoding lacks are degraded, never lost silently.

Click writes UTF-8 to a stream it finds "misconfigured" as ASCII, so the degrading
happens here, before ``click.echo``: on stderr a character the encoding lacks
becomes ``?``; on stdout too, and one warning line per command says how many; JSON
on stdout keeps every character, written as a ``\\u`` escape instead.
"""

from __future__ import annotations

import sys

import click


def safe(text: str, err: bool = False) -> str:
    """Degrade characters the terminal's encoding cannot show (e.g. ASCII terminals).

    ``err``: for stderr rather than stdout. Click writes UTF-8 to a stream it finds
    "misconfigured" as ASCII, so the degrading has to happen here. On stdout a lost
    character is never silent: one warning line per command says how many.
    """
    stream = sys.stderr if err else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:
        return text
    shown = text.encode(encoding, errors="replace").decode(encoding)
    if not err:
        _warn_lost_characters(sum(1 for ch in text if not encodable(ch, encoding)), encoding)
    return shown


def encodable(ch: str, encoding: str) -> bool:
    """Whether ``encoding`` can carry the character ``ch``."""
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _warn_lost_characters(count: int, encoding: str) -> None:
    """Say once per command that stdout's encoding lost characters (shown as '?')."""
    ctx = click.get_current_context(silent=True)
    meta = ctx.find_root().meta if ctx is not None else {}
    if meta.get("tierprice.lost_characters"):
        return
    meta["tierprice.lost_characters"] = True
    message = (
        f"warning: stdout's encoding ({encoding}) cannot show {count} character"
        f"{'s' if count != 1 else ''} of this output; each is shown as '?' "
        "(--output FILE writes UTF-8, or set PYTHONIOENCODING=utf-8)"
    )
    click.echo(safe(message, err=True), err=True)


def json_for(text: str, encoding: str) -> str:
    r"""JSON text with every character ``encoding`` cannot carry written as a \u escape.

    Outside its strings JSON is ASCII, so escaping characters keeps the same document.
    """
    out = []
    for ch in text:
        if ch.isascii() or encodable(ch, encoding):
            out.append(ch)
            continue
        code = ord(ch)
        if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells it
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out)
