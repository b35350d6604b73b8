"""tierprice: service-tier pricing optimiser for contact-centre outsourcing deals.

Public API (imported lazily so that the command line starts fast)::

    from optimizer import load_scenario, run_scenario
    result = run_scenario(load_scenario("scenarios/nordic_telco.yaml"))
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from optimizer._version import __version__

_EXPORTS = {
    "run_sweep": "optimizer.studies.sweep",
    "run_frontier": "optimizer.studies.sweep",
    "parse_vary": "optimizer.studies.sweep",
    "Axis": "optimizer.studies.sweep",
    "SweepResult": "optimizer.studies.sweep",
    "Comparison": "optimizer.output.compare",
    "comparison_text": "optimizer.output.compare",
    "parse_fixes": "optimizer.milp.fixes",
    "check_options": "optimizer.options",
    "run_jobs": "optimizer.studies.batch",
    "Job": "optimizer.studies.batch",
    "check_text": "optimizer.output.report",
    "verdict": "optimizer.output.report",
    "load_scenario": "optimizer.scenario.loader",
    "validate_scenario": "optimizer.scenario.schema",
    "Scenario": "optimizer.scenario.schema",
    "run_scenario": "optimizer.pipeline",
    "RunOptions": "optimizer.options",
    "build_only": "optimizer.pipeline",
    "staff_interval": "optimizer.staffing.calculator",
    "SolveOptions": "optimizer.options",
    "FixedChoice": "optimizer.milp.model",
    "build_requirements": "optimizer.staffing.requirements",
    "RequirementTable": "optimizer.staffing.requirements",
    "VerifiedResult": "optimizer.results",
    "SolveStatus": "optimizer.results",
    "to_dict": "optimizer.output.report",
    "to_json": "optimizer.output.report",
    "to_text": "optimizer.output.report",
    "to_csv": "optimizer.output.report",
    "OptimizerError": "optimizer.errors",
    "ScenarioError": "optimizer.errors",
    "SolverError": "optimizer.errors",
    "VerificationError": "optimizer.errors",
    "Issue": "optimizer.errors",
}

__all__ = [
    "Axis",
    "Comparison",
    "FixedChoice",
    "Issue",
    "Job",
    "OptimizerError",
    "RequirementTable",
    "RunOptions",
    "Scenario",
    "ScenarioError",
    "SolveOptions",
    "SolveStatus",
    "SolverError",
    "SweepResult",
    "VerificationError",
    "VerifiedResult",
    "__version__",
    "build_only",
    "build_requirements",
    "check_options",
    "check_text",
    "comparison_text",
    "load_scenario",
    "parse_fixes",
    "parse_vary",
    "run_frontier",
    "run_jobs",
    "run_scenario",
    "run_sweep",
    "staff_interval",
    "to_csv",
    "to_dict",
    "to_json",
    "to_text",
    "validate_scenario",
    "verdict",
]

if TYPE_CHECKING:
    from optimizer.errors import (
        Issue,
        OptimizerError,
        ScenarioError,
        SolverError,
        VerificationError,
    )
    from optimizer.milp.fixes import parse_fixes
    from optimizer.milp.model import FixedChoice
    from optimizer.options import RunOptions, SolveOptions, check_options
    from optimizer.output.compare import Comparison, comparison_text
    from optimizer.output.report import check_text, to_csv, to_dict, to_json, to_text, verdict
    from optimizer.pipeline import build_only, run_scenario
    from optimizer.results import SolveStatus, VerifiedResult
    from optimizer.scenario.loader import load_scenario
    from optimizer.scenario.schema import Scenario, validate_scenario
    from optimizer.staffing.calculator import staff_interval
    from optimizer.staffing.requirements import RequirementTable, build_requirements
    from optimizer.studies.batch import Job, run_jobs
    from optimizer.studies.sweep import Axis, SweepResult, parse_vary, run_frontier, run_sweep


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    return getattr(import_module(module), name)
