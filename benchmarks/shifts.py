"""Shift staffing benchmark: the 10 x 3 x 7 shift deal, seeds 0-4, gap and bound at 10 s and 60 s.

Each run is ``run_scenario(scenario, RunOptions(explain=False, solve=SolveOptions(
time_limit=L)))`` end to end, in a child process of its own (killed with its solver
processes if it overruns the limit by more than a minute). The pipeline's
``solve_scenario`` is wrapped to read the solution's objective and proven bound
(``VerifiedResult`` carries the gap only). Two strategies are run in the same
session, alternating, so that machine load hits both alike:

* ``new``: ``optimizer.milp.phases`` as it is;
* ``old``: the three phases of before (interval model picks the tiers, shift model
  with them pinned, full shift model warm-started), kept reachable for this
  benchmark only through ``optimizer.milp.cuts.BASELINE[0] = True`` (which also keeps
  the coverage cuts of the chosen tier alone and no root rounding).

Printed per seed, limit and strategy: median end-to-end seconds, median objective,
median and worst reported gap, the median proven bound and where it came from
(``full``: HiGHS's bound on the full shift model; ``interval``: the interval
relaxation's, also valid), and the gap against the best bound any run proved for the
full model (``gap*``). Then the targets (new strategy): every seed within 1% (floor) and
0.5% (goal) at 10 s, seeds 0 and 2 within 0.5% at 60 s; and the ratio old/new of the
median gap per seed.

Usage::

    python benchmarks/shifts.py                       # seeds 0-4, 10 s and 60 s, 3 repeats
    python benchmarks/shifts.py --limits 10 --repeats 1 --seeds 0 2
    python benchmarks/shifts.py --only new
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import signal
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from synthetic import make_deal  # noqa: E402

FLOOR_10S = 0.01
GOAL_10S = 0.005
GOAL_60S = 0.005
SLACK_SECONDS = 60.0


def measure(seed: int, limit: float, strategy: str) -> dict[str, Any]:
    """One end-to-end run (in a child): seconds, status, objective, gap, bound."""
    import optimizer.pipeline as pipeline
    from optimizer.milp import cuts, phases
    from optimizer.options import RunOptions, SolveOptions
    from optimizer.scenario.schema import validate_scenario

    cuts.BASELINE[0] = strategy == "old"
    raw = make_deal(10, 3, 7, "shifts", 30, seed=seed)
    scenario = validate_scenario(raw, f"synthetic 10x3x7 shifts seed {seed}")
    seen: dict[str, Any] = {}
    full: set[int] = set()  # the full shift models built (no choice pinned)
    proven: list[float] = []  # the bounds HiGHS proved for them
    inner, build, solve = pipeline.solve_scenario, phases.build_model, phases.solve

    def spy_build(scen: Any, *args: Any, **kwargs: Any) -> Any:
        model = build(scen, *args, **kwargs)
        if scen.provider.staffing == "shifts" and kwargs.get("choices") is None:
            full.add(id(model))
        return model

    def spy_solve(model: Any, *args: Any, **kwargs: Any) -> Any:
        solution = solve(model, *args, **kwargs)
        if id(model) in full and solution.bound is not None:
            proven.append(solution.bound)
        return solution

    def spy(*args: Any, **kwargs: Any) -> Any:
        model, solution = inner(*args, **kwargs)
        seen["objective"] = solution.objective_value
        seen["bound"] = solution.bound
        seen["bound_from"] = "full" if solution.bound in proven else "interval"
        return model, solution

    phases.build_model = spy_build  # type: ignore[assignment]
    phases.solve = spy_solve  # type: ignore[assignment]
    pipeline.solve_scenario = spy  # type: ignore[assignment]
    clock = time.perf_counter()
    result = pipeline.run_scenario(
        scenario, RunOptions(explain=False, solve=SolveOptions(time_limit=limit))
    )
    seconds = time.perf_counter() - clock
    return {
        "seconds": seconds,
        "status": str(result.status),
        "verified": bool(result.verified),
        "gap": result.solver.gap,
        **seen,
    }


def _child(conn: Any, args: tuple[int, float, str]) -> None:
    os.setpgrp()
    try:
        conn.send(("ok", measure(*args)))
    except BaseException as exc:  # reported to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def in_child(args: tuple[int, float, str]) -> dict[str, Any]:
    """``measure(*args)`` in a fresh process, killed with its children on overrun."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, args))
    proc.start()
    child.close()
    wall = args[1] + SLACK_SECONDS
    if parent.poll(wall):
        kind, value = parent.recv()
    else:
        kind, value = "error", f"overran {wall:.0f} s"
        os.killpg(proc.pid, signal.SIGKILL)
    proc.join()
    if kind != "ok":
        return {"error": value}
    return value


def _pct(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{100 * value:.2f}%"


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _row(runs: list[dict[str, Any]], best: float | None) -> dict[str, Any]:
    ok = [r for r in runs if "error" not in r and r.get("objective") is not None]
    gaps = [r["gap"] if r["gap"] is not None else math.inf for r in ok]
    gaps += [math.inf] * (len(runs) - len(ok))
    star = []
    for r in ok:
        if best is not None:
            star.append((best - r["objective"]) / max(abs(r["objective"]), 1e-9))
    return {
        "seconds": _median([r["seconds"] for r in runs if "seconds" in r]),
        "objective": _median([r["objective"] for r in ok]),
        "gap": _median(gaps) if gaps else None,
        "worst": max(gaps) if gaps else None,
        "bound": _median([r["bound"] for r in ok if r.get("bound") is not None]),
        "from": "/".join(sorted({str(r.get("bound_from")) for r in ok})) or "-",
        "gap*": _median(star),
        "status": "/".join(sorted({r.get("status", r.get("error", "?")) for r in runs})),
        "verified": all(r.get("verified", False) for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--limits", type=float, nargs="+", default=[10.0, 60.0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["old", "new"])
    args = parser.parse_args()
    strategies = [args.only] if args.only else ["old", "new"]
    print(f"load average at start: {os.getloadavg()}", flush=True)
    runs: dict[tuple[int, float, str], list[dict[str, Any]]] = {}
    for limit in args.limits:
        for seed in args.seeds:
            for rep in range(args.repeats):
                for strategy in strategies:
                    out = in_child((seed, limit, strategy))
                    runs.setdefault((seed, limit, strategy), []).append(out)
                    print(
                        f"seed {seed} limit {limit:g} {strategy} #{rep}: "
                        + ", ".join(f"{k}={v}" for k, v in out.items()),
                        flush=True,
                    )
    # The best bound proven for the full model, per seed, over every run.
    best: dict[int, float] = {}
    for (seed, _, _), rs in runs.items():
        for r in rs:
            if r.get("bound_from") == "full" and r.get("bound") is not None:
                best[seed] = min(best.get(seed, math.inf), r["bound"])
    _report(args, strategies, runs, best)
    print(f"load average at end: {os.getloadavg()}")


def _report(
    args: argparse.Namespace,
    strategies: list[str],
    runs: dict[tuple[int, float, str], list[dict[str, Any]]],
    best: dict[int, float],
) -> None:
    head = "seed  limit  strat    e2e s       objective      gap    worst           bound  from"
    print("\n" + head + "            gap*  status")
    rows: dict[tuple[int, float, str], dict[str, Any]] = {}
    for limit in args.limits:
        for seed in args.seeds:
            for strategy in strategies:
                r = _row(runs[(seed, limit, strategy)], best.get(seed))
                rows[(seed, limit, strategy)] = r
                obj = "-" if r["objective"] is None else f"{r['objective']:,.1f}"
                bound = "-" if r["bound"] is None else f"{r['bound']:,.1f}"
                print(
                    f"{seed:>4}  {limit:>5g}  {strategy:<5}  {r['seconds'] or 0:>7.2f}  "
                    f"{obj:>14}  {_pct(r['gap']):>7}  {_pct(r['worst']):>7}  {bound:>14}  "
                    f"{r['from']:<16}  {_pct(r['gap*']):>7}  {r['status']}"
                    + ("" if r["verified"] else "  NOT VERIFIED")
                )
    print()
    for limit in args.limits:
        for seed in args.seeds:
            if len(strategies) == 2:
                old, new = rows[(seed, limit, "old")], rows[(seed, limit, "new")]
                if old["gap"] and new["gap"] and math.isfinite(new["gap"]) and new["gap"] > 0:
                    ratio = old["gap"] / new["gap"]
                    print(f"RATIO seed {seed} at {limit:g} s: median gap old / new = {ratio:.1f}")
    if "new" not in strategies:
        return
    for seed in args.seeds:
        for limit, target, name in ((10.0, FLOOR_10S, "floor"), (10.0, GOAL_10S, "goal")):
            if (seed, limit, "new") in rows:
                worst = rows[(seed, limit, "new")]["worst"]
                verdict = "PASS" if worst is not None and worst <= target else "MISS"
                goal = f"{name} {_pct(target)}"
                print(f"{verdict}  seed {seed} at 10 s: worst gap {_pct(worst)} ({goal})")
        if seed in (0, 2) and (seed, 60.0, "new") in rows:
            worst = rows[(seed, 60.0, "new")]["worst"]
            verdict = "PASS" if worst is not None and worst <= GOAL_60S else "MISS"
            print(
                f"{verdict}  seed {seed} at 60 s: worst gap {_pct(worst)} (floor {_pct(GOAL_60S)})"
            )


if __name__ == "__main__":
    main()
