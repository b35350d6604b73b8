"""A built model in LP format (``tierprice lp``)."""

from __future__ import annotations

import os
import tempfile

from optimizer.milp.model import BuiltModel


def lp_text(model: BuiltModel) -> str:
    """The model in LP format (PuLP's writer, through a temporary file)."""
    fd, tmp = tempfile.mkstemp(suffix=".lp")
    os.close(fd)
    try:
        model.prob.writeLP(tmp)
        with open(tmp, encoding="utf-8") as handle:
            return handle.read()
    finally:
        os.unlink(tmp)
