"""The CBC backend: PuLP's bundled ``PULP_CBC_CMD`` on the PuLP problem itself.

Slower than HiGHS and without a proven bound; kept as a second opinion
(``--solver cbc``). Its codes are mapped in ``optimizer.milp.backend``.
"""

from __future__ import annotations

import subprocess
import tempfile
from typing import Any

import pulp
from pulp.apis import coin_api

from optimizer.milp.backend import BackendResult, cbc_status
from optimizer.milp.model import BuiltModel
from optimizer.options import SolveOptions
from optimizer.processes import exec_child, libc_prctl, signals_held
from optimizer.results import SolveStatus

_RUNNING: list[subprocess.Popen[Any]] = []
"""The cbc processes started by the solve in progress (killed if it ends otherwise)."""


class _Spawner:
    """What PuLP's CBC driver sees as its ``subprocess`` module: the same, except that
    the cbc it starts dies with this process (a SIGKILLed tierprice left cbc running to
    its time limit, and the desk's cancelled cbc jobs kept theirs) and is remembered, so
    that a solve ended by Ctrl-C or an error kills it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    def Popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen[Any]:  # noqa: N802
        with signals_held():  # the fork runs Python's at-fork hooks (processes.py)
            proc: subprocess.Popen[Any] = subprocess.Popen(args, preexec_fn=exec_child, **kwargs)
            _RUNNING.append(proc)  # before a Ctrl-C held meanwhile is raised
        return proc


coin_api.subprocess = _Spawner()


def solve_cbc(model: BuiltModel, options: SolveOptions) -> BackendResult:
    """Solve ``model`` with CBC (seed 0; the LP relaxation when ``options.relax``).

    PuLP's model and solution files go to a folder of this solve's, removed however it
    ends (Ctrl-C left megabytes of ``*-pulp.mps`` in the temp folder)."""
    prob = model.prob
    solver = pulp.PULP_CBC_CMD(
        msg=False,
        timeLimit=options.seconds_left(),
        gapRel=options.gap,
        threads=options.threads,
        options=["randomSeed 0"],
    )
    kinds = {v.name: v.cat for v in prob.variables()}
    if options.relax:
        for v in prob.variables():
            v.cat = pulp.LpContinuous
    try:
        libc_prctl()  # looked up here, not in the child between fork and exec
        with tempfile.TemporaryDirectory(prefix="tierprice-cbc-") as folder:
            solver.tmpDir = folder
            try:
                prob.solve(solver)
            finally:
                for proc in _RUNNING:
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()
                _RUNNING.clear()
    finally:
        for v in prob.variables():
            v.cat = kinds[v.name]
    status = cbc_status(prob.status, prob.sol_status)
    if not status.has_solution:
        return BackendResult(status)
    values = {v.name: float(v.varValue or 0.0) for v in prob.variables()}
    row_values = {name: float(c.value() or 0.0) - c.constant for name, c in model.rows.items()}
    duals = (
        {name: float(c.pi) for name, c in model.rows.items() if c.pi is not None}
        if options.relax
        else None
    )
    objective = float(pulp.value(prob.objective) or 0.0)
    gap = 0.0 if status == SolveStatus.OPTIMAL else None
    return BackendResult(status, values, duals, row_values, objective, gap)
