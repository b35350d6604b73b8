"""tierprice: service-tier pricing optimiser for contact-centre outsourcing deals.

Public API (imported lazily so that the command line starts fast)::

    from optimizer import load_scenario, run_scenario
    result = run_scenario(load_scenario("scenarios/nordic_telco.yaml"))

The ``if TYPE_CHECKING:`` imports below are the one list of public names: type
checkers read them (``X as X`` marks an explicit re-export), and at import time this
module parses its own source to map each name to its module, imported on first use
(``import optimizer`` loads no numpy, pandas or PuLP). ``__all__`` is those names
and ``__version__``. To export a name, add it there.
"""

from __future__ import annotations

import ast
from importlib import import_module
from typing import TYPE_CHECKING, Any

from optimizer._version import __version__ as __version__

if TYPE_CHECKING:
    from optimizer.errors import Issue as Issue
    from optimizer.errors import OptimizerError as OptimizerError
    from optimizer.errors import ScenarioError as ScenarioError
    from optimizer.errors import SolverError as SolverError
    from optimizer.errors import VerificationError as VerificationError
    from optimizer.options import RunOptions as RunOptions
    from optimizer.options import SolveOptions as SolveOptions
    from optimizer.options import check_options as check_options
    from optimizer.output.compare import Comparison as Comparison
    from optimizer.output.compare import comparison_text as comparison_text
    from optimizer.output.report import check_text as check_text
    from optimizer.output.report import to_csv as to_csv
    from optimizer.output.report import to_dict as to_dict
    from optimizer.output.report import to_json as to_json
    from optimizer.output.report import to_text as to_text
    from optimizer.output.report import verdict as verdict
    from optimizer.pipeline import build_only as build_only
    from optimizer.pipeline import run_scenario as run_scenario
    from optimizer.results import FixedChoice as FixedChoice
    from optimizer.results import SolveStatus as SolveStatus
    from optimizer.results import VerifiedResult as VerifiedResult
    from optimizer.risk.engine import risk_of as risk_of
    from optimizer.risk.summary import RiskResult as RiskResult
    from optimizer.scenario.fixes import parse_fixes as parse_fixes
    from optimizer.scenario.loader import load_scenario as load_scenario
    from optimizer.scenario.schema import Scenario as Scenario
    from optimizer.scenario.schema import validate_scenario as validate_scenario
    from optimizer.staffing.calculator import staff_interval as staff_interval
    from optimizer.staffing.requirements import RequirementTable as RequirementTable
    from optimizer.staffing.requirements import build_requirements as build_requirements
    from optimizer.studies.batch import Job as Job
    from optimizer.studies.batch import run_jobs as run_jobs
    from optimizer.studies.frontier import run_frontier as run_frontier
    from optimizer.studies.risk_points import RiskDraws as RiskDraws
    from optimizer.studies.sweep import Axis as Axis
    from optimizer.studies.sweep import SweepResult as SweepResult
    from optimizer.studies.sweep import parse_vary as parse_vary
    from optimizer.studies.sweep import run_sweep as run_sweep


def _exports() -> dict[str, str]:
    """Public name -> its module, read from this file's ``if TYPE_CHECKING:`` imports."""
    with open(__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    exports: dict[str, str] = {}
    for node in tree.body:
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            for line in node.body:
                if isinstance(line, ast.ImportFrom) and line.module:
                    exports.update((a.asname or a.name, line.module) for a in line.names)
    return exports


_EXPORTS = _exports()

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    return getattr(import_module(module), name)
