"""What changes a run besides the scenario: the solver's options and the run's options.

A foundation module (no numpy, no PuLP): the command line builds these, the pipeline,
the solving layer and the studies read them. ``SolveOptions.deadline`` carries one
command's time budget through every solve of a run.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from optimizer.results import FixedChoice


def seconds_left(time_limit: float | None, deadline: float | None) -> float | None:
    """``time_limit`` capped by what is left before ``deadline`` (a ``time.monotonic``
    instant); None when there is neither."""
    if deadline is None:
        return time_limit
    left = deadline - time.monotonic()
    return left if time_limit is None else min(time_limit, left)


@dataclass(frozen=True)
class SolveOptions:
    """Solver choice and limits."""

    solver: str = "highs"
    time_limit: float | None = None
    """Seconds; None = no limit."""
    gap: float | None = None
    """Relative MIP gap at which to stop; None = the solver's default (1e-4 for HiGHS)."""
    threads: int | None = 1
    relax: bool = False
    """Solve the LP relaxation (integers and binaries continuous)."""
    start: dict[str, float] | None = None
    """A feasible solution to start from (variable name -> value); HiGHS only."""
    known: dict[str, float] | None = None
    """A plan known to be good (variable name -> value: the base plan of a relaxation the
    explanation re-solves). Where it is feasible and the start heuristic's first LP
    bound proves it within the gap, it is the answer, without the rest of the search."""
    deadline: float | None = None
    """``time.monotonic()`` by which every solve must have ended (the whole command's
    time budget, set by the pipeline); each solve gets what is left, capped by
    ``time_limit``."""

    def seconds_left(self) -> float | None:
        """Seconds this solve may take: ``time_limit`` capped by the deadline."""
        return seconds_left(self.time_limit, self.deadline)

    def out_of_time(self, need: float = 0.5) -> bool:
        """Whether less than ``need`` seconds are left before the deadline (a re-solve
        that could not finish in them is skipped, and the output says so)."""
        return self.deadline is not None and self.deadline - time.monotonic() < need


@dataclass(frozen=True)
class RunOptions:
    """Everything that changes a run besides the scenario."""

    objective: str | None = None
    """max_margin, min_price or max_expected_margin; None = the scenario's own."""
    solve: SolveOptions = field(default_factory=SolveOptions)
    explain: bool = True
    """Shadow prices and 1%-relaxation gains for binding limits (costs extra solves)."""
    fixed: dict[str, FixedChoice] = field(default_factory=dict)
    """Categories held at a quoted tier and price (``tierprice check --fix``)."""
    diagnose: bool = True
    """On infeasibility, find the smallest proven changes (costs extra solves)."""
    exact_prices: bool = False
    """Keep continuous prices at the exact optimum instead of a quotable step."""
    expected: Mapping[str, Mapping[Any, tuple[float, float]]] = field(default_factory=dict)
    """``max_expected_margin``: category -> (tier, plan or None) -> what the simulated
    months change in the option's revenue (filled in by the pipeline from
    :func:`optimizer.risk.pricing.expected_changes`; see
    :func:`optimizer.milp.model.build_model`)."""


CHECK_GAP = 1e-3
"""Relative gap of a deal check: the verdict's margin is within 0.1% of the best."""
EXTREME_GAP = 1e-9
"""Relative gap of a diagnosis's search for a quoted category's highest or lowest working
price (its goal is the price: a check's 0.1% stopped it 0.0009 above the lowest at 0.90,
many quotable steps)."""


def check_options(fixed: dict[str, FixedChoice], solve: SolveOptions | None = None) -> RunOptions:
    """Run options of ``tierprice check``: feasibility, margin and binding limits, with the
    diagnosis when infeasible; not the 1% re-solves, and not the last 0.1% of margin
    (``solver.gap`` says how close)."""
    base = solve or SolveOptions()
    gap = CHECK_GAP if base.gap is None else base.gap
    return RunOptions(fixed=fixed, explain=False, solve=replace(base, gap=gap))
