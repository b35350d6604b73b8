"""A PuLP problem as column-wise arrays (what HiGHS's ``passModel`` takes).

Handing HiGHS the whole matrix at once is about a hundred times faster than PuLP's
row-by-row hand-over. ``MatrixForm`` keeps the PuLP variables and row names beside
the arrays, so that an answer by column and row index can be read back by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import pulp

from optimizer.milp.arrays import Arrays


@dataclass(frozen=True)
class MatrixForm(Arrays):
    """A PuLP problem as arrays (columns in ``prob.variables()`` order), with the PuLP
    variables of the columns and the names of the rows."""

    variables: list[pulp.LpVariable]
    names: list[str]

    def arrays(self) -> Arrays:
        """What the HiGHS driver takes (the arrays without the PuLP objects)."""
        return Arrays(**{f.name: getattr(self, f.name) for f in fields(Arrays)})


def matrix_form(prob: pulp.LpProblem, constraints: Mapping[str, pulp.LpConstraint]) -> MatrixForm:
    """Column-wise arrays of ``prob`` (what HiGHS's passModel takes)."""
    variables = prob.variables()
    index = {v.name: i for i, v in enumerate(variables)}
    ncol = len(variables)
    cost = np.zeros(ncol)
    for var, coef in prob.objective.items():
        cost[index[var.name]] = coef
    inf = math.inf
    lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], float)
    upper = np.array([inf if v.upBound is None else v.upBound for v in variables], float)
    integer = np.array([v.cat == pulp.LpInteger for v in variables], bool)
    names = list(constraints)
    rows, cols, vals = [], [], []
    row_lower = np.empty(len(names))
    row_upper = np.empty(len(names))
    for r, name in enumerate(names):
        con = constraints[name]
        rhs = -con.constant
        row_lower[r] = rhs if con.sense != pulp.LpConstraintLE else -inf
        row_upper[r] = rhs if con.sense != pulp.LpConstraintGE else inf
        for var, coef in con.items():
            if coef:
                rows.append(r)
                cols.append(index[var.name])
                vals.append(coef)
    order = np.lexsort((np.asarray(rows), np.asarray(cols)))
    col_arr = np.asarray(cols, dtype=np.int64)[order]
    starts = np.searchsorted(col_arr, np.arange(ncol + 1)).astype(np.int32)
    return MatrixForm(
        cost,
        lower,
        upper,
        integer,
        row_lower,
        row_upper,
        starts,
        np.asarray(rows, dtype=np.int32)[order],
        np.asarray(vals, float)[order],
        float(prob.objective.constant),
        prob.sense == pulp.LpMaximize,
        variables=variables,
        names=names,
    )
