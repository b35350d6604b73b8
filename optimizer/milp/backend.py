"""What every solver backend hands back, and the one mapping of solver status codes.

HiGHS (``optimizer.milp.highs``, its ``HighsModelStatus`` names) and CBC
(``optimizer.milp.cbc``, PuLP's status and solution status) report in their own codes;
both are mapped to :class:`~optimizer.results.SolveStatus` here and nowhere else. A
backend answers with a ``BackendResult``, which ``optimizer.milp.readback`` turns into
a :class:`~optimizer.results.Solution`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.results import SolveStatus


@dataclass(frozen=True)
class BackendResult:
    """A solver's answer, keyed by the PuLP names of variables and rows."""

    status: SolveStatus
    values: dict[str, float] = field(default_factory=dict)
    """Variable name -> value; empty without a solution."""
    duals: dict[str, float] | None = None
    """Row name -> dual value, for an LP (a relaxed solve) only; else None."""
    row_values: dict[str, float] = field(default_factory=dict)
    """Row name -> value of its variable terms (the row's constant left out)."""
    objective: float | None = None
    """The objective value, None without a solution."""
    gap: float | None = None
    """Relative MIP gap (0 when proven optimal), None when unknown."""
    bound: float | None = None
    """The proven bound on the objective, None when the backend gives none (CBC)."""


_HIGHS = {
    "kOptimal": SolveStatus.OPTIMAL,
    "kInfeasible": SolveStatus.INFEASIBLE,
    "kUnboundedOrInfeasible": SolveStatus.INFEASIBLE,
    "kUnbounded": SolveStatus.UNBOUNDED,
}
_HIGHS_STOPPED = frozenset({"kTimeLimit", "kIterationLimit", "kSolutionLimit", "kInterrupt"})
"""HiGHS stopped early: feasible if it has a primal solution, else no solution."""


def highs_status(name: str, has_primal: bool) -> SolveStatus:
    """The status of a ``highspy.HighsModelStatus`` (by its name, e.g. ``kOptimal``);
    ``has_primal``: HiGHS holds a feasible primal solution.

    >>> highs_status("kTimeLimit", True).value, highs_status("kTimeLimit", False).value
    ('feasible', 'no_solution')
    >>> highs_status("kNotset", False).value
    'error'
    """
    if name in _HIGHS_STOPPED:
        return SolveStatus.FEASIBLE if has_primal else SolveStatus.NO_SOLUTION
    return _HIGHS.get(name, SolveStatus.ERROR)


def cbc_status(status: int, sol_status: int) -> SolveStatus:
    """The status of a PuLP problem solved by CBC (``prob.status``, ``prob.sol_status``)."""
    import pulp

    if sol_status == pulp.LpSolutionOptimal:
        return SolveStatus.OPTIMAL
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE
    if status == pulp.LpStatusInfeasible or sol_status == pulp.LpSolutionInfeasible:
        return SolveStatus.INFEASIBLE
    if status == pulp.LpStatusUnbounded:
        return SolveStatus.UNBOUNDED
    if sol_status == pulp.LpSolutionNoSolutionFound:
        return SolveStatus.NO_SOLUTION
    return SolveStatus.ERROR
