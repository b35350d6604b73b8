"""Import rules of the package layout: imports only go down the flow, and never in a circle.

The package is a pipeline of stages (``docs/architecture.md``): the foundation
modules, then ``scenario/``, ``staffing/``, ``milp/``, ``analysis/``, the one-deal
``pipeline``, ``studies/``, ``output/`` and the command line on top. Each
``optimizer/**/*.py`` is parsed with ``ast``; every import anywhere in a module
counts (top level, ``TYPE_CHECKING`` blocks and imports inside functions alike). A
module may import modules of its own level or below, never above; the graph of all
those imports has no cycle; third-party solver, web and CLI libraries are confined
to the modules named below. A new top-level module or stage needs a row in LEVELS.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "optimizer"

LEVELS: tuple[tuple[str, ...], ...] = (
    ("_version", "errors", "conventions", "rows", "results", "options", "processes"),
    ("scenario",),
    ("staffing",),
    ("limits",),
    ("milp",),
    ("analysis",),
    ("risk",),
    ("pipeline",),
    ("studies",),
    ("output",),
    ("history",),
    ("web",),
    ("cli", "console", "__main__"),
)
"""Top-level modules and stage folders, in the order the data flows (lowest first)."""

FACADE = "__init__"
"""The package's lazy public API: it may name any module (and nothing may import it)."""

PENDING: frozenset[tuple[str, str]] = frozenset({})
"""Imports that break a rule and are being removed (empty when the layout is done)."""

THIRD_PARTY_ONLY_IN: dict[str, tuple[str, ...]] = {
    "pulp": ("milp.", "analysis.explain", "analysis.diagnose"),
    "highspy": ("milp.highs",),
    "click": ("cli", "cli."),
    "pandas": ("studies.", "output.compare", "results"),
    "xlsxwriter": ("output.excel",),
    "matplotlib": ("output.plots",),
    "fpdf": ("output.quote_pdf",),
    "distributed": ("studies.batch",),
}
"""Third-party packages confined to the modules (or stage prefixes) that need them."""

HEAVY = ("numpy", "scipy", "pulp", "pandas", "highspy")
"""Packages ``tierprice --help`` must not import (the help answers at once)."""
SUBPROCESS_TIMEOUT = 60
"""Seconds allowed for the import-time subprocess."""


def module_names(package: Path | None = None) -> set[str]:
    """Dotted names, relative to ``optimizer``, of every module (``milp.model``, ``cli``).

    A stage's ``__init__`` is the stage itself (``milp``)."""
    package = package or PACKAGE
    names = set()
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts.pop()
        names.add(".".join(parts))
    return names


MODULES = sorted(module_names())


def _path(module: str, package: Path) -> Path:
    if module == FACADE:
        return package / "__init__.py"
    file = package / (module.replace(".", "/") + ".py")
    return file if file.exists() else package / module.replace(".", "/") / "__init__.py"


def _resolve(dotted: str, known: set[str]) -> str:
    """The longest known module that ``dotted`` (relative to optimizer) names."""
    parts = dotted.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts) if parts else FACADE


def imports_of(module: str, package: Path | None = None) -> tuple[set[str], set[str]]:
    """(optimizer modules, third-party top-level packages) imported anywhere in ``module``."""
    package = package or PACKAGE
    tree = ast.parse(_path(module, package).read_text(encoding="utf-8"))
    known = module_names(package)
    here = module.split(".") if module != FACADE else []
    internal: set[str] = set()
    external: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "optimizer":
                    internal.add(_resolve(".".join(parts[1:]), known))
                else:
                    external.add(parts[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the importing module's package
                is_pkg = _path(module, package).name == "__init__.py"
                base = here if is_pkg else here[:-1]
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = [*base, *(node.module or "").split(".")] if node.module else base
            elif (node.module or "").split(".")[0] == "optimizer":
                prefix = (node.module or "").split(".")[1:]
            else:
                external.add((node.module or "").split(".")[0])
                continue
            for alias in node.names:
                internal.add(_resolve(".".join([*prefix, alias.name]), known))
    internal.discard(module)
    return internal, external


def level_of(module: str) -> int:
    """Index in LEVELS of a module's row (a stage's modules share the stage's row)."""
    head = module.split(".")[0]
    for i, row in enumerate(LEVELS):
        if head in row:
            return i
    raise KeyError(module)


def graph() -> dict[str, set[str]]:
    """Module -> optimizer modules it imports (the facade left out)."""
    return {m: imports_of(m)[0] - {FACADE} for m in MODULES if m != FACADE}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_level():
    """Every top-level module and stage folder has a row in LEVELS (add new ones there)."""
    missing = []
    for m in MODULES:
        if m == FACADE:
            continue
        try:
            level_of(m)
        except KeyError:
            missing.append(m)
    assert not missing, f"modules without a level: {missing}"


@pytest.mark.parametrize("module", [m for m in MODULES if m != FACADE])
def test_imports_only_go_down(module):
    """A module imports modules of its own level or below, never above (nor the facade)."""
    internal, _ = imports_of(module)
    up = sorted(
        m
        for m in internal
        if (m == FACADE or level_of(m) > level_of(module)) and (module, m) not in PENDING
    )
    assert not up, f"optimizer.{module} imports upstream: {up}"


def test_import_graph_has_no_cycle():
    """No module reaches itself through imports (lazy and TYPE_CHECKING ones included)."""
    edges = {m: {t for t in ts if (m, t) not in PENDING} for m, ts in graph().items()}
    assert cycles(edges) == []


def test_pending_exceptions_are_still_needed():
    """Every PENDING exception is an import that still exists (remove the ones fixed)."""
    edges = graph()
    stale = sorted(p for p in PENDING if p[1] not in edges.get(p[0], set()))
    assert not stale, f"remove from PENDING: {stale}"


def test_cycle_finder_finds_cycles():
    """The cycle check itself: a circle of three is found, a chain is not."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


@pytest.mark.parametrize("package", sorted(THIRD_PARTY_ONLY_IN))
def test_third_party_confined(package):
    """pulp (and highspy) only in the MILP layer and the analyses that re-solve it,
    click only in the command line, the others where named."""
    places = THIRD_PARTY_ONLY_IN[package]

    def allowed(m: str) -> bool:
        return any(m.startswith(p) if p.endswith(".") else m == p for p in places)

    users = {m for m in MODULES if package in imports_of(m)[1]}
    stray = sorted(m for m in users if not allowed(m))
    assert not stray, f"{package} imported by {stray}"


def test_verify_is_independent_of_the_model():
    """verify re-checks a solution without PuLP or anything of the MILP (design section 7)."""
    internal, external = imports_of("analysis.verify")
    assert "pulp" not in external
    assert not {m for m in internal if m.startswith("milp")}


def test_detects_lazy_and_type_checking_imports(tmp_path):
    """The parser sees imports inside functions, under TYPE_CHECKING, and relative ones."""
    fake = tmp_path / "optimizer"
    (fake / "milp").mkdir(parents=True)
    names = ("__init__", "errors", "cli", "report", "milp/__init__", "milp/model", "milp/solve")
    for name in names:
        (fake / f"{name}.py").write_text("")
    (fake / "report.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from optimizer.milp.model import X\n"
        "def f():\n    from optimizer.milp import solve\n    import pulp.apis\n"
        "from . import cli\nfrom .errors import E\n"
    )
    internal, external = imports_of("report", fake)
    assert internal == {"milp.model", "milp.solve", "cli", "errors"}
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


MAX_MODULE_LINES = 400
"""A module longer than this does more than one job (split it, or say in its docstring
why it reads better whole and list it in LONG_MODULES)."""
MAX_FUNCTION_LINES = 60
"""A function longer than this (docstring included) hides steps that deserve names."""
LONG_MODULES: frozenset[str] = frozenset()
"""Modules allowed over MAX_MODULE_LINES, each saying why in its docstring."""


@pytest.mark.parametrize("module", MODULES)
def test_module_is_one_job(module):
    """No module over MAX_MODULE_LINES lines unless it is listed and says why."""
    lines = len(_path(module, PACKAGE).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES or module in LONG_MODULES, f"{module}: {lines} lines"


@pytest.mark.parametrize("module", MODULES)
def test_functions_are_short(module):
    """No function or method over MAX_FUNCTION_LINES lines."""
    tree = ast.parse(_path(module, PACKAGE).read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"optimizer.{module}: {long}"
