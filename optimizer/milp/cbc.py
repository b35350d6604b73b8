"""The CBC backend: PuLP's bundled ``PULP_CBC_CMD`` on the PuLP problem itself.

Slower than HiGHS and without a proven bound; kept as a second opinion
(``--solver cbc``). Its codes are mapped in ``optimizer.milp.backend``.
"""

from __future__ import annotations

import pulp

from optimizer.milp.backend import BackendResult, cbc_status
from optimizer.milp.model import BuiltModel
from optimizer.options import SolveOptions
from optimizer.results import SolveStatus


def solve_cbc(model: BuiltModel, options: SolveOptions) -> BackendResult:
    """Solve ``model`` with CBC (seed 0; the LP relaxation when ``options.relax``)."""
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
        prob.solve(solver)
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
