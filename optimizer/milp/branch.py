"""A plan proven optimal by branching on the tier choice, on a live LP, before HiGHS runs.

The start heuristic (``optimizer.milp.start``) finds the optimum of the 10 x 3 x 7
interval deal on every seed of ``benchmarks/synthetic.py``, but on three of five seeds
the LP relaxation's bound is 0.06-0.09% above it, more than HiGHS's gap, and HiGHS then
needed 0.7-7 s to prove what was already found. The gap has two sources, and both are
cheap to close on the LP itself:

* deferred work's window inequalities (``optimizer.milp.cuts.DeferredWindows``), which
  hold for integer agents; on seed 1 they alone take the bound to HiGHS's own;
* one or two categories whose LP value splits between two tiers (0.39 / 0.61 on seed 0):
  the bound of the model is the largest bound of the models with each of their options
  pinned in turn, since every plan chooses exactly one.

``prove`` searches that tree depth first: while a node's bound is above the target, a
branch on its most split category; at a node with every choice whole, the cut loop. A
node is closed when its bound is within the target or its LP is infeasible; the proof
fails (None) when the cuts leave a whole node above the target (the gap is in the
staffing, which only HiGHS's branching closes), when an LP ends otherwise, or at the
node limit (deterministic, unlike a time limit). The cuts are valid for every integer
plan, so they are kept for the nodes after. Branching first is the cheaper order: with
the cut loop at every node, seed 2 took 1.7 s (22 LPs, 1,053 cut rows); branching alone
proves seeds 0-2 in 0.17-0.27 s.

In shift mode no plan is proven this way (the gap is in the staffing), but the same tree
over the tiers alone gives a bound of the model: ``tier_bound``, the largest bound of
its leaves, each leaf's after the cut loop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

import numpy as np
from numpy.typing import NDArray

from optimizer.milp.root import LiveLP, Separator

NODES = 60
"""At most this many nodes in one proof (each one LP, and its cut rounds where every
choice is whole)."""
ROUNDS = 10
"""At most this many cut rounds at a node whose choices are whole."""
SPLIT = 1e-6
"""An option column with more LP value than this is in use."""


class Node(NamedTuple):
    """An LP's answer: ``value`` and ``point`` are only meaningful when optimal."""

    status: Literal["optimal", "infeasible", "other"]
    value: float = math.nan
    point: NDArray[np.float64] | None = None


class LP(LiveLP, Protocol):
    """The root's live LP (``optimizer.milp.root.LiveLP``, kept by ``optimizer.milp.highs``)
    whose answers are ``Node``s and whose column bounds can be pinned."""

    def solve(self) -> Node: ...
    def pin(
        self, columns: NDArray[np.int32], lower: NDArray[np.float64], upper: NDArray[np.float64]
    ) -> None: ...


@dataclass
class Proof:
    """The search's state: the target, the nodes left and the worst bound of a closed node."""

    lp: LP
    choices: Sequence[NDArray[np.int32]]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    """The model's column bounds, put back on a category's options after its branches."""
    separators: Sequence[Separator]
    target: float
    sign: float
    """+1 when maximising: a node is closed when ``sign x bound <= sign x target``."""
    nodes: int = NODES
    worst: float = -math.inf
    """The largest ``sign x bound`` of the closed nodes."""
    until: float = math.inf
    """No LP starts after this ``time.perf_counter`` instant (a node's cut loop stops)."""

    def closed(self, value: float) -> bool:
        return self.sign * value <= self.sign * self.target

    def tightened(self, node: Node) -> Node:
        """A node with every category's choice whole, after the cut loop (stopped once the
        bound is within the target)."""
        for _ in range(ROUNDS):
            if node.status != "optimal" or node.point is None or self.closed(node.value):
                break
            if time.perf_counter() > self.until:  # the node's bound so far still holds
                break
            cuts = [cut for separator in self.separators for cut in separator.separate(node.point)]
            if not cuts:
                break
            self.lp.add(cuts)
            node = self.lp.solve()
        return node

    def search(self) -> bool:
        """Whether every plan within the pinned bounds is proven within the target."""
        if self.nodes <= 0:
            return False
        self.nodes -= 1
        node = self.lp.solve()
        columns = None if node.point is None else _most_split(self.choices, node.point)
        if columns is None:
            node = self.tightened(node)
        if node.status == "infeasible":
            return True
        if node.status != "optimal" or node.point is None:
            return False
        if self.closed(node.value):
            self.worst = max(self.worst, self.sign * node.value)
            return True
        if columns is None:
            return False
        point = node.point
        order = sorted((j for j in columns.tolist() if self.upper[j] > 0), key=lambda j: -point[j])
        ok = True
        for chosen in order:
            low, high = np.zeros(columns.size), np.zeros(columns.size)
            low[columns == chosen] = high[columns == chosen] = 1.0
            self.lp.pin(columns, low, high)
            ok = self.search()
            self.lp.pin(columns, self.lower[columns], self.upper[columns])
            if not ok:
                break
        return ok


def _most_split(
    choices: Sequence[NDArray[np.int32]], point: NDArray[np.float64]
) -> NDArray[np.int32] | None:
    """The option columns of the category whose largest LP value is the smallest, among
    those with two options in use; None when every category's choice is whole."""
    split = [c for c in choices if int((point[c] > SPLIT).sum()) > 1]
    if not split:
        return None
    return min(split, key=lambda c: float(point[c].max()))


def prove(
    lp: LP,
    choices: Sequence[NDArray[np.int32]],
    bounds: tuple[NDArray[np.float64], NDArray[np.float64]],
    separators: Sequence[Separator],
    target: float,
    maximize: bool,
) -> float | None:
    """A bound on every plan of the model within ``target`` (no plan does better), or None.

    ``lp`` is the model's LP relaxation with its column ``bounds`` (lower, upper);
    ``choices`` holds each category's option columns (exactly one of them is 1)."""
    sign = 1.0 if maximize else -1.0
    proof = Proof(lp, choices, *bounds, separators, target, sign)
    if not proof.search() or not math.isfinite(proof.worst):
        return None
    return sign * proof.worst


def tier_bound(
    lp: LP,
    tiers: Sequence[Sequence[NDArray[np.int32]]],
    bounds: tuple[NDArray[np.float64], NDArray[np.float64]],
    separators: Sequence[Separator],
    maximize: bool,
    nodes: int = NODES,
    until: float = math.inf,
) -> float | None:
    """A bound of the model: the largest (``maximize``) LP bound, after the cut loop, of
    the leaves of a branch on each category whose tiers the LP splits; None when an LP
    ends otherwise than optimal or infeasible. After ``nodes`` nodes, or from ``until``
    (``time.perf_counter``) on, no node starts: a subtree not searched counts with its
    parent's LP bound (a bound of every plan under it), and a leaf's cut loop stops
    with the bound it has.

    ``tiers[c][k]`` are category ``c``'s option columns at tier ``k`` (each plan picks
    one tier); the tier's prices stay free. On the 10 x 3 x 7 shift deal the root LP
    splits two or three categories' tiers and the bound falls from the root's 628,734 to
    626,795 (seed 0, six leaves) and from 634,639 to 633,792 (seed 2, four):
    ``benchmarks/shift_bound.py``."""
    sign = 1.0 if maximize else -1.0
    proof = Proof(lp, (), *bounds, separators, -math.inf * sign, sign, nodes, until=until)
    worst = _tier_leaves(proof, tiers, None)  # none closed: the target is beyond every bound
    return None if worst is None else sign * worst


def _tier_leaves(
    proof: Proof, tiers: Sequence[Sequence[NDArray[np.int32]]], above: float | None
) -> float | None:
    """The largest ``sign x bound`` of the leaves under the current column bounds;
    ``above`` when no node may start (the parent's ``sign x`` LP bound, None at the root)."""
    if proof.nodes <= 0 or time.perf_counter() > proof.until:
        return above
    proof.nodes -= 1
    node = proof.lp.solve()
    split = None if node.point is None else _most_split_tier(tiers, node.point)
    if split is None:
        node = proof.tightened(node)
        split = None if node.point is None else _most_split_tier(tiers, node.point)
    if node.status == "infeasible":
        return -math.inf
    if node.status != "optimal" or node.point is None:
        return None
    if split is None:
        return proof.sign * node.value
    columns = np.concatenate(tiers[split])
    worst = -math.inf
    for chosen in tiers[split]:
        upper = np.where(np.isin(columns, chosen), proof.upper[columns], 0.0)
        proof.lp.pin(columns, proof.lower[columns], upper)
        leaf = _tier_leaves(proof, tiers, proof.sign * node.value)
        proof.lp.pin(columns, proof.lower[columns], proof.upper[columns])
        if leaf is None:
            return None
        worst = max(worst, leaf)
    return worst


def _most_split_tier(
    tiers: Sequence[Sequence[NDArray[np.int32]]], point: NDArray[np.float64]
) -> int | None:
    """The category whose heaviest tier has the least LP weight, among those with two
    tiers in use; None when every category's tier is whole."""
    split = []
    for c, groups in enumerate(tiers):
        weights = [float(point[cols].sum()) for cols in groups]
        if sum(w > SPLIT for w in weights) > 1:
            split.append((max(weights), c))
    return min(split)[1] if split else None
