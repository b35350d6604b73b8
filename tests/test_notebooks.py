"""The teaching notebooks in notebooks/ (style.md practice 14).

Each notebook is stored without outputs, uses only ``optimizer``'s public names, reads
its deal from ``scenarios/``, and runs end to end in a fresh kernel (nbclient, kernel
``python3``, working directory ``notebooks/``) within the time the issue promises. The
whole module is marked ``notebooks``; it is part of the default run and so of
``.ci/run``. Deselect it with ``-m "not notebooks"``.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT

import optimizer

pytestmark = pytest.mark.notebooks

NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
EXPECTED = (
    "01_quickstart.ipynb",
    "02_pricing_models.ipynb",
    "03_frontier.ipynb",
    "04_staffing_economics.ipynb",
    "05_deal_check.ipynb",
    "06_volume_risk.ipynb",
)
PUBLIC = frozenset(optimizer.__all__)
ALLOWED_TOP_LEVEL = frozenset({"optimizer", "pandas", "matplotlib"}) | sys.stdlib_module_names
"""Modules a notebook may import: the package's public API, pandas, matplotlib, stdlib."""
TIME_BUDGET_SECONDS = 60.0
"""Issue 6: each notebook runs in under 60 s (kernel start included)."""
CELL_TIMEOUT_SECONDS = 120


def _cells(path: Path, kind: str = "code") -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        notebook = json.load(handle)
    return [c for c in notebook["cells"] if c["cell_type"] == kind]


def _source(cell: dict) -> str:
    text = cell["source"]
    text = "".join(text) if isinstance(text, list) else text
    # IPython magics and shell escapes are not Python; blank them out before parsing.
    return re.sub(r"(?m)^\s*[%!].*$", "", text)


def api_violations(sources: list[str]) -> list[str]:
    """Every use of ``optimizer`` beyond its public names, and any import beyond
    optimizer, pandas, matplotlib and the standard library, in the given code cells."""
    trees = [ast.parse(s) for s in sources]
    problems: list[str] = []
    aliases: set[str] = set()  # names bound to the optimizer package itself
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    if alias.name == "optimizer":
                        aliases.add(alias.asname or "optimizer")
                    elif top == "optimizer":
                        problems.append(f"import {alias.name}: a submodule, not the public API")
                    elif top not in ALLOWED_TOP_LEVEL:
                        problems.append(f"import {alias.name}: not an allowed module")
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                top = module.split(".")[0]
                if node.level:
                    problems.append(f"relative import from {module!r}")
                elif module == "optimizer":
                    problems += [
                        f"from optimizer import {a.name}: not in optimizer.__all__"
                        for a in node.names
                        if a.name not in PUBLIC
                    ]
                elif top == "optimizer":
                    problems.append(f"from {module} import ...: a submodule, not the public API")
                elif top not in ALLOWED_TOP_LEVEL:
                    problems.append(f"from {module} import ...: not an allowed module")
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                if (
                    isinstance(node.value, ast.Name)
                    and node.value.id in aliases
                    and node.attr not in PUBLIC
                ):
                    problems.append(f"{node.value.id}.{node.attr}: not in optimizer.__all__")
                if node.attr.startswith("_") and not node.attr.endswith("__"):
                    problems.append(f".{node.attr}: a private name")
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in {"import_module", "__import__"}:
                    problems.append(f"{name}(...): a dynamic import; use a plain import")
    return problems


def test_the_six_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == list(EXPECTED)


def test_readme_lists_every_notebook():
    readme = (NOTEBOOKS_DIR / "README.md").read_text(encoding="utf-8")
    assert [name for name in EXPECTED if name not in readme] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    dirty = [
        i
        for i, cell in enumerate(_cells(path))
        if cell.get("outputs")
        or cell.get("execution_count") is not None
        or "execution" in cell.get("metadata", {})
    ]
    assert dirty == [], (
        f"{path.name}: code cells {dirty} carry outputs or execution counts; clear them "
        "(jupyter nbconvert --clear-output --inplace) before committing"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_public_api_only(path):
    assert api_violations([_source(c) for c in _cells(path)]) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_reads_its_deal_from_scenarios(path):
    code = "\n".join(_source(c) for c in _cells(path))
    assert "load_scenario(SCENARIOS /" in code
    assert '(p / "scenarios").is_dir()' in code  # found from the notebook, not hard-coded


def test_api_check_catches_what_it_must():
    bad = [
        "import optimizer.pipeline",
        "from optimizer.studies.sweep import apply_point",
        "from optimizer import apply_point",
        "import optimizer as tp\ntp.sweep.apply_point",
        "result._unsolved",
        "import numpy",
        "from importlib import import_module\nimport_module('optimizer.staffing.queueing')",
    ]
    for source in bad:
        assert api_violations([source]), source
    good = [
        "import optimizer\noptimizer.run_scenario",
        "from optimizer import run_scenario, RunOptions, to_text",
        "import pandas as pd\nimport matplotlib.pyplot as plt\nfrom pathlib import Path",
        "result.to_frame('categories').__class__",
    ]
    for source in good:
        assert api_violations([source]) == [], source
    # an alias bound in one cell is checked in the next
    assert api_violations(["import optimizer as tp", "tp.build_model"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path, record_property):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=CELL_TIMEOUT_SECONDS,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name}: a cell failed\n{err}", pytrace=False)
    seconds = time.perf_counter() - start
    record_property("seconds", round(seconds, 1))
    errors = [
        f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []
    assert seconds < TIME_BUDGET_SECONDS, f"{path.name} took {seconds:.1f} s"
