"""Import rules of the module layout (style.md practice 13 and its layout table).

Each ``optimizer/*.py`` is parsed with ``ast``; every import anywhere in the module
counts (top level, ``TYPE_CHECKING`` blocks and imports inside functions alike). A
module may import only the optimizer modules of its row below, and third-party
solver and CLI libraries only where named. Modules that do not exist are skipped; a
new module must be given a row here before it passes.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest
from helpers import ROOT

PACKAGE = ROOT / "optimizer"
ANYTHING = None
"""Marker: the module may import any optimizer module."""
ANY_STAGE = "any stage"
"""Marker for the orchestrator: every module except the command line."""

ALLOWED: dict[str, frozenset[str] | str | None] = {
    "errors": frozenset(),
    "conventions": frozenset(),
    "results": frozenset({"errors", "conventions"}),
    "queueing": frozenset({"errors", "conventions"}),
    "profiles": frozenset({"errors", "conventions"}),
    "scenario": frozenset({"errors", "conventions", "profiles", "checks", "overrides"}),
    "overrides": frozenset({"errors"}),
    "checks": frozenset({"errors", "profiles", "scenario", "overrides"}),
    "loader": frozenset({"errors", "conventions", "profiles", "scenario"}),
    "requirements": frozenset({"errors", "conventions", "queueing", "profiles", "scenario",
                               "checks"}),
    "costs": frozenset({"errors", "conventions", "scenario"}),
    "model_parts": frozenset({"conventions", "scenario", "model", "requirements"}),
    "model": frozenset({"errors", "conventions", "scenario", "requirements", "costs",
                        "model_parts"}),
    "solve": frozenset({"errors", "conventions", "results", "model", "highs", "cuts"}),
    "cuts": frozenset(),
    "explain": frozenset({"errors", "conventions", "results", "model", "solve", "scenario",
                          "requirements"}),
    "diagnose": frozenset({"errors", "conventions", "results", "scenario", "model", "solve",
                           "requirements", "pipeline"}),
    "verify": frozenset({"errors", "conventions", "results", "queueing", "profiles",
                         "scenario", "costs", "requirements"}),
    "pipeline": ANY_STAGE,
    "report": frozenset({"errors", "conventions", "results"}),
    "writers": frozenset({"errors", "report"}),
    "highs": frozenset({"results"}),
    "batch": frozenset({"errors", "pipeline", "results", "scenario"}),
    "sweep": frozenset({"batch", "errors", "overrides", "pipeline", "report", "results",
                        "scenario"}),
    "compare": frozenset({"errors", "report", "results"}),
    "excel": frozenset({"results"}),
    "plots": frozenset({"results", "sweep"}),
    "cli": frozenset({"errors", "loader", "pipeline", "report", "writers", "results", "solve",
                      "model", "_version", "batch", "sweep", "compare", "excel", "plots",
                      "console"}),
    "__init__": ANYTHING,
    "__main__": ANYTHING,
    "console": frozenset({"cli"}),
    "reference": frozenset({"scenario", "profiles", "conventions", "errors"}),
    "_version": ANYTHING,
}  # fmt: skip
"""Module -> optimizer modules it may import (style.md layout table, as agreed)."""

NOT_FOR_PIPELINE = frozenset({"cli", "__main__"})
"""The orchestrator may import every stage, but never the command line."""

THIRD_PARTY_ONLY_IN: dict[str, frozenset[str]] = {
    "pulp": frozenset({"model", "model_parts", "solve", "explain", "diagnose"}),
    "highspy": frozenset({"highs"}),
    "click": frozenset({"cli"}),
    "pandas": frozenset({"sweep", "compare", "results"}),
    "xlsxwriter": frozenset({"excel"}),
    "matplotlib": frozenset({"plots"}),
    "distributed": frozenset({"batch"}),
}
"""Third-party packages confined to the modules that need them."""

HEAVY = ("numpy", "scipy", "pulp", "pandas", "highspy")
"""Packages ``tierprice --help`` must not import (the help answers at once)."""
SUBPROCESS_TIMEOUT = 60
"""Seconds allowed for the import-time subprocess."""

MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))


def module_names() -> set[str]:
    """Stems of every module in the package."""
    return {p.stem for p in PACKAGE.glob("*.py")}


def imports_of(module: str) -> tuple[set[str], set[str]]:
    """(optimizer modules, third-party top-level packages) imported anywhere in ``module``."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    known = module_names()
    internal: set[str] = set()
    external: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "optimizer":
                    internal.add(parts[1] if len(parts) > 1 else "__init__")
                else:
                    external.add(parts[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: always within the package
                base = (node.module or "").split(".")
                if base[0]:
                    internal.add(base[0])
                else:
                    internal.update(a.name if a.name in known else "__init__" for a in node.names)
                continue
            parts = (node.module or "").split(".")
            if parts[0] != "optimizer":
                external.add(parts[0])
            elif len(parts) > 1:
                internal.add(parts[1])
            else:  # from optimizer import x: x is a module, else a name from __init__
                internal.update(a.name if a.name in known else "__init__" for a in node.names)
    internal.discard(module)
    return internal, external


def allowed_for(module: str) -> set[str] | None:
    """The optimizer modules ``module`` may import (None: any)."""
    rule = ALLOWED[module]
    if rule == ANY_STAGE:
        return module_names() - NOT_FOR_PIPELINE - {module}
    return None if rule is None else set(rule)


def test_every_module_has_a_rule():
    """Every module in optimizer/ has a row in the layout table (add new ones here)."""
    missing = sorted(module_names() - set(ALLOWED))
    assert not missing, f"modules without an import rule: {missing}"


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_follow_layout(module):
    """A module imports only the optimizer modules its row of the layout table allows."""
    if module not in ALLOWED:
        pytest.skip(f"{module} has no rule (reported by test_every_module_has_a_rule)")
    internal, _ = imports_of(module)
    allowed = allowed_for(module)
    if allowed is None:
        return
    forbidden = sorted(internal - allowed)
    assert not forbidden, f"optimizer.{module} may not import {forbidden}"


@pytest.mark.parametrize("package", sorted(THIRD_PARTY_ONLY_IN))
def test_third_party_confined(package):
    """pulp (and highspy) only in the model/solver modules, click only in the CLI."""
    users = {m for m in MODULES if package in imports_of(m)[1]}
    stray = sorted(users - THIRD_PARTY_ONLY_IN[package])
    assert not stray, f"{package} imported by {stray}"


def test_verify_is_independent_of_the_model():
    """verify re-checks a solution without PuLP, model or solve (design section 7)."""
    internal, external = imports_of("verify")
    assert "pulp" not in external
    assert not internal & {"model", "model_parts", "solve"}


def test_detects_lazy_and_type_checking_imports(tmp_path, monkeypatch):
    """The parser sees imports inside functions and under TYPE_CHECKING, and relative ones."""
    fake = tmp_path / "optimizer"
    fake.mkdir()
    for name in ("errors", "model", "solve", "report", "cli"):
        (fake / f"{name}.py").write_text("")
    (fake / "report.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from optimizer.model import X\n"
        "def f():\n    from optimizer import solve\n    import pulp.apis\n"
        "from . import cli\nfrom .errors import E\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    internal, external = imports_of("report")
    assert internal == {"model", "solve", "cli", "errors"}
    assert "pulp" in external


def test_help_does_not_import_heavy_packages():
    """Importing optimizer.cli and running ``tierprice --help`` loads no numpy, scipy or
    PuLP, so the help answers at once."""
    code = (
        "import json, sys\n"
        "from optimizer.cli import main\n"
        "try:\n    main(['--help'], prog_name='tierprice')\n"
        "except SystemExit:\n    pass\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage: tierprice" in done.stdout
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert loaded == [], f"tierprice --help imports {loaded}"


def test_package_import_is_light():
    """``import optimizer`` alone loads no heavy package (the public API is lazy)."""
    code = (
        "import json, sys, optimizer\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
