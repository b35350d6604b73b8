"""Speed and exactness of ``optimizer.staffing.queueing.required_agents``.

Run ``python benchmarks/queueing.py`` (``--quick`` checks fewer Erlang A rows). It draws
10,000 interval loads log-uniform on 0.1-5,000 Erlangs (seeded), staffs them for four
tiers (80/20, 80/30, 90/15, 70/60; AHT 300 s; occupancy cap 85%) with Erlang C and with
Erlang A (mean patience 180 s), and reports:

* the median wall time over repeats and the interval-tier evaluations per second
  (targets: Erlang C >= 2,000,000/s, Erlang A >= 300,000/s); CPU time is printed too,
  since a shared machine inflates wall time; and, as the in-run baseline, the time of
  one exact evaluation of every interval-tier at its answer (``erlang_c_metrics`` /
  ``erlang_a_metrics``) with the search's cost in such evaluations;
* how many agent numbers differ from a 50-digit mpmath reference. An answer N is right
  when N meets the tier and N - 1 does not, so the reference is evaluated at just those
  two N: Erlang C for all 40,000 interval-tiers, Erlang A (an exact birth-death chain,
  slower) for the first ``A_CHECKED_LOADS`` loads x 4 tiers, with the occupancy cap on
  the load served, ``A (1 - P_abandon) / N``, as the library applies it;
* the plain one-interval path of ``tierprice staff`` (``optimizer.staffing.plain``) on
  the first ``PLAIN_LOADS`` loads: how many of its answers differ from the engine's;
* pyworkforce's ErlangC time on a subsample and the speed ratio, when it is importable.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import mpmath as mp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.conventions import RATIO_CEIL_TOLERANCE_REL
from optimizer.staffing import plain, queueing

SEED = 20240611
INTERVALS = 10_000
AHT = 300.0
MAX_OCCUPANCY = 0.85
PATIENCE = 180.0
TIERS = ((0.80, 20.0), (0.80, 30.0), (0.90, 15.0), (0.70, 60.0))
REPEATS_C = 9
REPEATS_A = 5
A_CHECKED_LOADS = 500  # x 4 tiers = 2,000 Erlang A interval-tiers against the chain
PYWORKFORCE_SAMPLE = 400  # interval-tiers timed with pyworkforce (it loops in Python)
PLAIN_LOADS = 250  # x 4 tiers x (C, A) through the plain one-interval path
TARGET_RATE_C = 2_000_000
TARGET_RATE_A = 300_000

mp.mp.dps = 50
_TAIL = mp.mpf(10) ** -55


# 50-digit reference (same construction as tests/test_queueing.py) ----------------------


def ref_inv_erlang_b(n: int, load: float) -> mp.mpf:
    """1/B(n, A) summed downward from state n until the geometric tail bound is < 1e-55."""
    a = mp.mpf(load)
    total = term = mp.mpf(1)
    for k in range(n, 0, -1):
        term = term * k / a
        total += term
        r = (k - 1) / a
        if r < 1 and term * r / (1 - r) < _TAIL * total:
            break
    return total


def ref_c_fail(n: int, inv_b: mp.mpf, load: float, within: float) -> mp.mpf:
    """1 - SL of Erlang C (1 where n <= A)."""
    a = mp.mpf(load)
    if n <= a:
        return mp.mpf(1)
    b = 1 / inv_b
    return n * b / (n - a + a * b) * mp.exp(-(n - a) * mp.mpf(within) / AHT)


def ref_a_fail(n: int, load: float, within: float) -> tuple[mp.mpf, mp.mpf]:
    """1 - SL and P(abandon) of M/M/n+M (exponential patience) from its exact
    birth-death chain (P(abandon) = mean queue length / x, as in tests/test_queueing.py)."""
    if n == 0:
        return mp.mpf(1), mp.mpf(1)
    below = ref_inv_erlang_b(n, load) - 1
    ratio = mp.mpf(PATIENCE) / AHT
    a, x = n * ratio, mp.mpf(load) * ratio
    y = -mp.expm1(-mp.mpf(within) / PATIENCE)
    inc_beta, step = 1 - (1 - y) ** (a + 1), y * (1 - y) ** (a + 1) * (a + 1)
    weight, j, queue, answered, length = mp.mpf(1), 0, mp.mpf(0), mp.mpf(0), mp.mpf(0)
    while True:
        queue += weight
        answered += weight * a / (a + j + 1) * inc_beta
        length += j * weight
        j += 1
        weight = weight * x / (a + j)
        inc_beta -= step
        step = step * y * (j + a + 1) / (j + 1)
        r = x / (a + j + 1)
        if r < 1 and weight * (j + 1) / (1 - r) < _TAIL * queue:
            break
    total = below + queue
    return 1 - (below + answered) / total, length / (x * total)


def occupancy_floor(load: float) -> int:
    """Smallest N with load / N <= the cap (float-noise slack as in the library)."""
    return math.ceil(load / MAX_OCCUPANCY * (1 - RATIO_CEIL_TOLERANCE_REL))


def wrong_erlang_c(loads: np.ndarray, answers: np.ndarray) -> int:
    """Answers (tiers x loads) that are not the smallest N meeting tier and cap."""
    wrong = 0
    for col, load in enumerate(loads.tolist()):
        ns = [int(v) for v in answers[:, col]]
        inv_b = {max(ns): ref_inv_erlang_b(max(ns), load)}
        for n in range(max(ns), max(min(ns) - 1, 1), -1):
            inv_b[n - 1] = mp.mpf(load) / n * (inv_b[n] - 1)
        floor_n = occupancy_floor(load)
        for (target, within), n in zip(TIERS, ns, strict=True):
            thr = 1 - mp.mpf(target)
            meets = n >= floor_n and ref_c_fail(n, inv_b[n], load, within) <= thr
            prev_fails = (
                n - 1 < floor_n
                or n - 1 <= load
                or ref_c_fail(n - 1, inv_b[n - 1], load, within) > thr
            )
            wrong += not (meets and prev_fails)
    return wrong


def a_meets(n: int, load: float, target: float, within: float) -> bool:
    """Whether n agents meet an Erlang A tier and the cap on the occupancy of the load
    served, ``A (1 - P_abandon) / N`` (design section 4), in the 50-digit chain."""
    if n <= 0:
        return False
    fail, abandon = ref_a_fail(n, load, within)
    served = mp.mpf(load) * (1 - abandon) / n
    cap = mp.mpf(MAX_OCCUPANCY) * (1 + mp.mpf(RATIO_CEIL_TOLERANCE_REL))
    return bool(fail <= 1 - mp.mpf(target) and served <= cap)


def wrong_erlang_a(loads: np.ndarray, answers: np.ndarray) -> int:
    """Erlang A answers (tiers x loads) that the exact chain does not confirm."""
    wrong = 0
    for col, load in enumerate(loads.tolist()):
        for k, (target, within) in enumerate(TIERS):
            n = int(answers[k, col])
            wrong += not (
                a_meets(n, load, target, within) and not a_meets(n - 1, load, target, within)
            )
    return wrong


def plain_path(loads: np.ndarray, c: np.ndarray, a: np.ndarray) -> tuple[int, int, float]:
    """``tierprice staff``'s plain path (optimizer.staffing.plain) on the first
    PLAIN_LOADS loads x 4 tiers: answers that differ from the engine's (which the
    reference checks) and microseconds per interval-tier."""
    differ, start = 0, time.perf_counter()
    for col, load in enumerate(loads[:PLAIN_LOADS].tolist()):
        for k, (target, within) in enumerate(TIERS):
            thr = max(1.0 - target, plain.SL_ONE_FLOOR)
            differ += plain.required_c(load, AHT, thr, within, MAX_OCCUPANCY) != c[k, col]
            caps = (MAX_OCCUPANCY, 1.0)
            differ += plain.required_a(load, AHT, target, within, PATIENCE, caps) != a[k, col]
    seconds = time.perf_counter() - start
    return differ, 2 * PLAIN_LOADS * len(TIERS), seconds * 1e6 / (2 * PLAIN_LOADS * len(TIERS))


# Timing ------------------------------------------------------------------------------------


def timed(run: Callable[[], np.ndarray], repeats: int) -> tuple[np.ndarray, float, float]:
    """Result of ``run`` and the median wall and CPU seconds over ``repeats`` calls."""
    run()  # warm-up (imports, caches)
    walls, cpus, result = [], [], np.empty(0)
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return result, statistics.median(walls), statistics.median(cpus)


def pyworkforce_rate(loads: np.ndarray, ours: np.ndarray) -> tuple[float, int, int] | None:
    """pyworkforce ErlangC evaluations per second on a subsample, and its disagreements."""
    try:
        from pyworkforce.queuing import ErlangC
    except ImportError:
        return None
    interval_min = 30.0
    sample = [(k, t) for t in range(PYWORKFORCE_SAMPLE // len(TIERS)) for k in range(len(TIERS))]
    start = time.perf_counter()
    differ = 0
    for k, t in sample:
        target, within = TIERS[k]
        model = ErlangC(
            transactions=float(loads[t]) * interval_min * 60.0 / AHT,
            aht=AHT / 60.0,
            asa=within / 60.0,
            interval=interval_min,
        )
        got = model.required_positions(service_level=target, max_occupancy=MAX_OCCUPANCY)
        differ += int(got["raw_positions"]) != int(ours[k, t])
    seconds = time.perf_counter() - start
    return len(sample) / seconds, differ, len(sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="check 100 Erlang A loads only")
    args = parser.parse_args()
    a_loads = 100 if args.quick else A_CHECKED_LOADS

    rng = np.random.default_rng(SEED)
    loads = np.exp(rng.uniform(math.log(0.1), math.log(5000.0), INTERVALS))
    targets = np.array([[t] for t, _ in TIERS])
    withins = np.array([[w] for _, w in TIERS])
    evaluations = loads.size * len(TIERS)

    def run_c() -> np.ndarray:
        return queueing.required_agents(loads, AHT, targets, withins, MAX_OCCUPANCY)

    def run_a() -> np.ndarray:
        return queueing.required_agents(
            loads, AHT, targets, withins, MAX_OCCUPANCY, patience=PATIENCE
        )

    print(
        f"{INTERVALS:,} loads log-uniform on 0.1-5,000 Erlangs (seed {SEED}) x {len(TIERS)} "
        f"tiers = {evaluations:,} interval-tiers; AHT {AHT:g} s, cap {MAX_OCCUPANCY:.0%}"
    )
    c_answers, c_wall, c_cpu = timed(run_c, REPEATS_C)
    a_answers, a_wall, a_cpu = timed(run_a, REPEATS_A)
    # in-run baseline: one exact evaluation of every interval-tier at its answer
    _, c_one, _ = timed(
        lambda: queueing.erlang_c_metrics(c_answers, loads, AHT, withins).p_wait, REPEATS_C
    )
    _, a_one, _ = timed(
        lambda: queueing.erlang_a_metrics(a_answers, loads, AHT, PATIENCE, withins).p_wait,
        REPEATS_A,
    )

    t0 = time.perf_counter()
    c_wrong = wrong_erlang_c(loads, c_answers)
    c_check = time.perf_counter() - t0
    t0 = time.perf_counter()
    a_wrong = wrong_erlang_a(loads[:a_loads], a_answers[:, :a_loads])
    a_check = time.perf_counter() - t0

    rows = [
        ("Erlang C", c_wall, c_cpu, c_one, TARGET_RATE_C, c_wrong, evaluations, c_check),
        (
            f"Erlang A (patience {PATIENCE:g} s)",
            a_wall,
            a_cpu,
            a_one,
            TARGET_RATE_A,
            a_wrong,
            a_loads * len(TIERS),
            a_check,
        ),
    ]
    print()
    print(
        f"{'model':<28}{'median s':>10}{'evals/s (wall)':>16}{'evals/s (CPU)':>15}"
        f"{'1 eval s':>10}{'x 1 eval':>9}{'target':>11}{'wrong':>7}{'checked':>9}{'check s':>9}"
    )
    for name, wall, cpu, one, target, wrong, checked, check_s in rows:
        ok = "ok" if evaluations / wall >= target and wrong == 0 else "MISSED"
        print(
            f"{name:<28}{wall:>10.4f}{evaluations / wall:>16,.0f}{evaluations / cpu:>15,.0f}"
            f"{one:>10.4f}{wall / one:>9.2f}{target:>11,}{wrong:>7}{checked:>9,}{check_s:>9.1f}"
            f"  {ok}"
        )
    print(
        "(1 eval s: one exact evaluation of every interval-tier at its answer, timed in "
        "this run; x 1 eval: the search's cost in such evaluations)"
    )
    differ, checked, micros = plain_path(loads, c_answers, a_answers)
    print(
        f"plain one-interval path (tierprice staff): {checked:,} answers, {differ} differ "
        f"from the engine's, {micros:,.0f} us per interval-tier"
    )

    print()
    pwf = pyworkforce_rate(loads, c_answers)
    if pwf is None:
        print("pyworkforce is not installed (pip install pyworkforce): no comparison.")
    else:
        rate, differ, sample = pwf
        ours = evaluations / c_wall
        print(
            f"pyworkforce ErlangC: {rate:,.0f} evals/s on {sample} interval-tiers "
            f"({differ} answers differ from ours); ours is {ours / rate:,.0f}x faster "
            f"(pyworkforce would need {evaluations / rate:,.1f} s for all {evaluations:,})"
        )


if __name__ == "__main__":
    main()
