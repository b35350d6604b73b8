"""Tests of optimizer.staffing.queueing: published cases, a 50-digit reference, properties
(the simulation cross-check is in test_simulation.py)."""

from __future__ import annotations

import math
import warnings

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from optimizer.conventions import RATIO_CEIL_TOLERANCE_REL, SL_TOLERANCE
from optimizer.errors import NumericalWarning
from optimizer.staffing import numerics, plain, queueing
from optimizer.staffing.calculator import staff_interval

# Named tolerances ------------------------------------------------------------------------
PUBLISHED_6DP = 5e-7
"""Half a unit in the 6th decimal: figures printed with 6 decimals."""
PUBLISHED_4DP = 5e-5
"""Half a unit in the 4th decimal."""
PUBLISHED_3DP = 5e-4
"""Half a unit in the 3rd decimal (E2's service level at N = 12 and 14)."""
PUBLISHED_TENTH = 0.05
"""Half a unit in the first decimal (ASA printed as 122.8 s, ...)."""
PUBLISHED_HUNDREDTH = 0.005
"""Half a unit in the second decimal (ASA printed as 7.49 s)."""
FLOAT_NOISE = 1e-12
"""Rounding noise allowed where two computations of one exact quantity are compared."""
REFERENCE_REL = 1e-10
"""Relative gap allowed between a float probability and its 50-digit value (seen: 1e-13)."""
LITTLE_REL = 1e-9
"""Relative gap allowed between lambda * ASA and a float birth-death chain's queue length."""
LIMIT_PATIENCE_PER_AHT = 1e8
"""Patience (in AHTs) standing in for 'infinite' in the Erlang A -> C limit."""
LIMIT_REL = 1e-5
"""Relative gap allowed between Erlang A at that patience and Erlang C (observed ~1e-7)."""

REFERENCE_DIGITS = 50
_TAIL = mp.mpf("1e-55")  # truncation bound of the reference sums, far below 50 digits


@pytest.fixture(autouse=True, scope="module")
def _fifty_digits():
    """Run this module's mpmath arithmetic with 50 digits, leaving the global default alone."""
    with mp.workdps(REFERENCE_DIGITS):
        yield


# 50-digit reference -----------------------------------------------------------------------


def ref_inv_erlang_b(n: int, load: float) -> mp.mpf:
    """1 / B(n, A) = sum_{k<=n} prod_{i=k+1..n} i / A, summed downward from state n in 50 digits.

    The sum stops once the remaining terms, bounded by a geometric series, fall below
    1e-55 of the total; this is the Erlang-B recursion 1/B_k = 1 + (k/A) / B_{k-1}
    unrolled, started where it matters instead of at k = 0.
    """
    a = mp.mpf(load)
    total = term = mp.mpf(1)
    for k in range(n, 0, -1):
        term = term * k / a
        total += term
        r = (k - 1) / a
        if r < 1 and term * r / (1 - r) < _TAIL * total:
            break
    return total


def ref_erlang_b_recursion(n: int, load: float) -> mp.mpf:
    """Erlang B by the classic recursion B_k = A B_{k-1} / (k + A B_{k-1}), B_0 = 1."""
    a, b = mp.mpf(load), mp.mpf(1)
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def ref_c_fail(n: int, inv_b: mp.mpf, load: float, aht: float, within: float) -> mp.mpf:
    """1 - SL of Erlang C from 1/B(n, A) (1 where n <= A)."""
    a = mp.mpf(load)
    if n <= a:
        return mp.mpf(1)
    b = 1 / inv_b
    c = n * b / (n - a + a * b)
    return c * mp.exp(-(n - a) * mp.mpf(within) / mp.mpf(aht))


def ref_erlang_a(
    n: int, load: float, aht: float, patience: float, within: float
) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    """(1 - SL, P(abandon), P(wait)) of M/M/n+M from its birth-death chain, in 50 digits.

    Stationary weights relative to state n: below n the Erlang B sum; above n the
    products x / (a + i) with a = n patience / AHT, x = A patience / AHT. An arrival with j
    callers ahead is answered within T with probability a / (a + j + 1) I_y(j + 1, a + 1),
    y = 1 - exp(-T / patience) (its wait is a sum of exponentials with rates n/AHT +
    i/patience, so exp(-wait / patience) ~ Beta(a, j + 1)); the regularised incomplete
    beta function I runs by its recurrence in j. P(abandon) = E[queue] / x.
    """
    if n == 0:
        return mp.mpf(1), mp.mpf(1), mp.mpf(1)
    below = ref_inv_erlang_b(n, load) - 1
    ratio = mp.mpf(patience) / mp.mpf(aht)
    a, x = n * ratio, mp.mpf(load) * ratio
    y = -mp.expm1(-mp.mpf(within) / mp.mpf(patience))
    inc_beta = 1 - (1 - y) ** (a + 1)  # I_y(1, a + 1)
    step = y * (1 - y) ** (a + 1) * (a + 1)  # I_y(j+1, a+1) - I_y(j+2, a+1) at j = 0
    weight, j = mp.mpf(1), 0
    queue = answered = length = mp.mpf(0)
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
    return 1 - (below + answered) / total, length / (x * total), queue / total


def ref_occupancy_floor(load: float, max_occupancy: float) -> int:
    """Smallest N with load / N <= max_occupancy under the documented float-noise slack."""
    return math.ceil(load / max_occupancy * (1 - RATIO_CEIL_TOLERANCE_REL))


def ref_threshold(target: float) -> mp.mpf:
    """Largest admissible 1 - SL: 1 - target, with a target of 1 read as 1 - 2**-53."""
    return max(1 - mp.mpf(target), mp.mpf(queueing.SL_ONE_FLOOR))


def ref_erlang_c_answers(
    load: float, aht: float, within: float, targets: list[float], answers: list[int]
) -> list[bool]:
    """Whether each answer N is the smallest N > A meeting its target (no occupancy cap).

    1/B is summed once at the largest N and carried down by 1/B(n-1) = (A/n)(1/B(n) - 1).
    """
    top = max(answers)
    inv_b = {top: ref_inv_erlang_b(top, load)}
    for n in range(top, max(min(answers) - 1, 1), -1):
        inv_b[n - 1] = mp.mpf(load) / n * (inv_b[n] - 1)
    verdicts = []
    for target, n in zip(targets, answers, strict=True):
        thr = ref_threshold(target)
        meets = ref_c_fail(n, inv_b[n], load, aht, within) <= thr
        below = n - 1 <= load or ref_c_fail(n - 1, inv_b[n - 1], load, aht, within) > thr
        verdicts.append(bool(meets and below))
    return verdicts


# Published worked examples ----------------------------------------------------------------


def test_e1_erlang_c_worked_example() -> None:
    """E1 (Call Centre Helper 'Erlang C formula - made simple' example; R ErlangC docs)."""
    load = 100 * 180 / 1800
    n = queueing.required_agents(load, 180, 0.80, 20, max_occupancy=0.85)
    m = queueing.erlang_c_metrics(n, load, 180, 20)
    assert load == 10.0
    assert int(n) == 14
    assert abs(float(m.p_wait) - 0.174132) <= PUBLISHED_6DP
    assert abs(float(m.service_level) - 0.888350) <= PUBLISHED_6DP
    assert abs(float(m.asa) - 7.836) <= PUBLISHED_3DP
    assert abs(float(m.occupancy) - 0.7143) <= PUBLISHED_4DP
    assert int(n) / 0.7 == pytest.approx(20.0)


def test_e1b_erlang_c_agent_sweep() -> None:
    """E1b (recomputed; N = 11 values printed in the R ErlangC docs): N = 11..15 of E1."""
    m = queueing.erlang_c_metrics(np.arange(11, 16), 10.0, 180, 20)
    sl = [0.3896, 0.6402, 0.7956, 0.8884, 0.9415]
    p_wait = [0.6821, 0.4494, 0.2853, 0.1741, 0.1020]
    asa = [122.8, 40.4, 17.1, 7.8, 3.7]
    np.testing.assert_allclose(m.service_level, sl, rtol=0, atol=PUBLISHED_4DP)
    np.testing.assert_allclose(m.p_wait, p_wait, rtol=0, atol=PUBLISHED_4DP)
    np.testing.assert_allclose(m.asa, asa, rtol=0, atol=PUBLISHED_TENTH)
    np.testing.assert_array_equal(m.p_abandon, 0.0)


def test_e2_erlang_a_worked_example() -> None:
    """E2 (pyworkforce Erlang A guide, recomputed with an exact chain): E1 + patience 300 s."""
    m = queueing.erlang_a_metrics(np.array([12, 13, 14]), 10.0, 180, 300, 20)
    np.testing.assert_allclose(m.service_level, [0.772, 0.8582, 0.9168], rtol=0, atol=PUBLISHED_3DP)
    assert abs(float(m.service_level[1]) - 0.8582) <= PUBLISHED_4DP
    assert abs(float(m.p_abandon[1]) - 0.0250) <= PUBLISHED_4DP
    assert abs(float(m.p_wait[1]) - 0.2258) <= PUBLISHED_4DP
    assert abs(float(m.asa[1]) - 7.49) <= PUBLISHED_HUNDREDTH  # mean wait of all offered
    assert int(queueing.required_agents(10.0, 180, 0.85, 20, patience=300)) == 13


def test_e3_large_load_no_overflow() -> None:
    """E3 (recomputed with the Erlang-B recursion in 50 digits): 1,500 Erlangs, 1,550 agents."""
    assert abs(float(queueing.erlang_c(1550, 1500.0)) - 0.1328863) <= PUBLISHED_6DP / 10


# Exactness against the 50-digit reference -------------------------------------------------

C_LOADS = [float(v) for v in np.geomspace(1e-3, 1e6, 28)]
C_TARGETS = [0.2, 0.8, 0.95, 0.999, 1.0]
A_LOADS = [float(v) for v in np.geomspace(1e-3, 2e4, 16)]
A_TIERS = [
    # (target, within s, patience s, max_abandon)
    (0.5, 20.0, 300.0, None),
    (0.8, 20.0, 60.0, None),
    (0.9, 0.0, 600.0, None),
    (0.95, 30.0, 180.0, 0.02),
    (0.2, 60.0, 20.0, None),
]


def test_reference_sum_is_the_erlang_b_recursion() -> None:
    """The truncated downward sum of the reference equals the full Erlang-B recursion."""
    for n, load in [(1, 0.001), (14, 10.0), (350, 300.0), (1550, 1500.0), (900, 1000.0)]:
        gap = ref_inv_erlang_b(n, load) * ref_erlang_b_recursion(n, load) - 1
        assert abs(gap) < mp.mpf(10) ** -45


def test_erlang_c_required_agents_match_reference() -> None:
    """Erlang C answers equal the 50-digit reference from 0.001 to 10**6 Erlangs (no gap)."""
    answers = queueing.required_agents(C_LOADS, 180.0, np.array(C_TARGETS)[:, None], 20.0)
    wrong = []
    for col, load in enumerate(C_LOADS):
        col_answers = [int(v) for v in answers[:, col]]
        verdicts = ref_erlang_c_answers(load, 180.0, 20.0, C_TARGETS, col_answers)
        wrong += [
            (load, t, n)
            for t, n, ok in zip(C_TARGETS, col_answers, verdicts, strict=True)
            if not ok
        ]
    assert wrong == []


def test_erlang_c_occupancy_cap_matches_reference() -> None:
    """With an 85% cap and T = 0 the answer is the larger of the two exact minima."""
    loads = [0.05, 22.1, 17.0, 250.0, 4321.0]
    got = queueing.required_agents(loads, 300.0, 0.7, 0.0, max_occupancy=0.85)
    for load, n in zip(loads, got.tolist(), strict=True):
        floor_n = ref_occupancy_floor(load, 0.85)
        inv_b = ref_inv_erlang_b(n, load)
        assert n >= floor_n
        assert ref_c_fail(n, inv_b, load, 300.0, 0.0) <= ref_threshold(0.7)
        if n - 1 >= floor_n:
            prev = mp.mpf(load) / n * (inv_b - 1)
            assert ref_c_fail(n - 1, prev, load, 300.0, 0.0) > ref_threshold(0.7)


def test_occupancy_cap_ignores_float_noise():
    """221 calls x 180 s per half hour = 22.1 Erlangs; at 85% that is 26 agents, not 27."""
    load = 221 * 180 / 1800
    assert load / 0.85 > 26  # 26.000000000000004 in binary floating point
    assert queueing.required_agents(load, 180, 0.1, 0.0, max_occupancy=0.85).tolist() == 26


def _ref_a_meets(n: int, load: float, tier: tuple[float, float, float, float | None]) -> bool:
    """Whether n agents meet an Erlang A tier (and the 90% cap) in the 50-digit chain."""
    target, within, patience, cap = tier
    if n <= 0:
        return False
    fail, abandon, _ = ref_erlang_a(n, load, 240.0, patience, within)
    # Occupancy of the load served, A (1 - P_abandon) / N (design section 4).
    served = mp.mpf(load) * (1 - abandon) / n
    busy_ok = served <= mp.mpf(0.9) * (1 + mp.mpf(RATIO_CEIL_TOLERANCE_REL))
    return bool(
        busy_ok and fail <= ref_threshold(target) and (cap is None or abandon <= mp.mpf(cap))
    )


def test_erlang_a_occupancy_counts_only_the_load_served() -> None:
    """3.48 Erlangs, patience 30 s, 70% within 60 s, occupancy cap 85%: 4 agents, not
    the 5 that ``A / N <= 0.85`` forces (issue 11.4). At N = 4 about 22% hang up, so
    the agents are busy A (1 - P_ab) / N = 68% of the time; 3 agents miss the 70%."""
    n = queueing.required_agents(3.48, 180.0, 0.7, 60.0, max_occupancy=0.85, patience=30.0)
    assert int(n) == 4
    at = queueing.erlang_a_metrics([3, 4], 3.48, 180.0, 30.0, 60.0)
    assert at.service_level[0] < 0.7 <= at.service_level[1]
    assert 3.48 * (1 - at.p_abandon[1]) / 4 <= 0.85 < 3.48 / 4


def test_erlang_a_may_staff_below_the_offered_load() -> None:
    """With impatient callers and a modest target the queue is stable below A agents:
    10 Erlangs, patience 20 s, 50% within 60 s needs fewer than 10 agents."""
    n = int(queueing.required_agents(10.0, 300.0, 0.5, 60.0, patience=20.0))
    assert n < 10
    sl = queueing.erlang_a_metrics([n - 1, n], 10.0, 300.0, 20.0, 60.0).service_level
    assert sl[0] < 0.5 <= sl[1]


def test_erlang_a_required_agents_match_reference() -> None:
    """Erlang A answers equal the exact 50-digit birth-death chain (no gap)."""
    wrong = []
    for tier in A_TIERS:
        target, within, patience, cap = tier
        answers = queueing.required_agents(
            A_LOADS, 240.0, target, within, 0.9, patience=patience, max_abandon=cap
        )
        for load, n in zip(A_LOADS, answers.tolist(), strict=True):
            if not (_ref_a_meets(n, load, tier) and not _ref_a_meets(n - 1, load, tier)):
                wrong.append((load, tier, n))
    assert wrong == []


def test_erlang_a_large_load_matches_reference() -> None:
    """At 2 * 10**5 Erlangs (T = 0) Erlang A still matches the reference exactly."""
    load, patience = 2.0e5, 60.0
    n = int(queueing.required_agents(load, 180.0, 0.8, 0.0, patience=patience))
    thr = ref_threshold(0.8)
    assert ref_erlang_a(n, load, 180.0, patience, 0.0)[0] <= thr
    assert ref_erlang_a(n - 1, load, 180.0, patience, 0.0)[0] > thr


def test_erlang_a_metrics_match_reference() -> None:
    """SL, P(abandon) and P(wait) agree with the chain to ~1e-13 across regimes."""
    cases = [
        (13, 10.0, 180.0, 300.0, 20.0),  # E2
        (3, 0.01, 300.0, 30.0, 10.0),  # tiny load: power series
        (60, 20.0, 120.0, 900.0, 15.0),  # lightly loaded: Gauss-Laguerre
        (700, 1000.0, 300.0, 120.0, 20.0),  # overloaded: incomplete gamma
        (5100, 5000.0, 300.0, 180.0, 20.0),  # large and critical
        (2, 40.0, 60.0, 5.0, 2.0),  # hopeless overload
    ]
    for n, load, aht, patience, within in cases:
        m = queueing.erlang_a_metrics(n, load, aht, patience, within)
        fail, abandon, wait = ref_erlang_a(n, load, aht, patience, within)
        assert abs(mp.mpf(1 - float(m.service_level)) - fail) <= FLOAT_NOISE
        assert abs(mp.mpf(float(m.p_abandon)) / abandon - 1) <= REFERENCE_REL
        assert abs(mp.mpf(float(m.p_wait)) / wait - 1) <= REFERENCE_REL


def test_answer_probability_matches_transient_chain() -> None:
    """The Beta formula for 'answered within T with j ahead' equals the absorbing chain."""
    n, aht, patience, within = 3, 200.0, 90.0, 45.0
    mu, theta = 1 / mp.mpf(aht), 1 / mp.mpf(patience)
    a, y = n * mu / theta, -mp.expm1(-theta * within)
    for j in range(4):
        # states: j..0 callers ahead, then 'answered' and 'abandoned' (absorbing)
        size = j + 3
        q = mp.zeros(size, size)
        for i in range(j + 1):
            ahead = j - i
            q[i, i + 1 if ahead else j + 1] += n * mu + ahead * theta
            q[i, j + 2] += theta
            q[i, i] -= n * mu + (ahead + 1) * theta
        chain = mp.expm(q * within)[0, j + 1]
        beta = a / (a + j + 1) * mp.betainc(j + 1, a + 1, 0, y, regularized=True)
        assert abs(chain - beta) < mp.mpf(10) ** -30


# Properties -------------------------------------------------------------------------------

loads = st.floats(min_value=0.01, max_value=2000.0)
ahts = st.floats(min_value=10.0, max_value=1000.0)
withins = st.floats(min_value=0.0, max_value=300.0)
patiences = st.one_of(st.none(), st.floats(min_value=5.0, max_value=5000.0))
targets = st.floats(min_value=0.05, max_value=0.999)


@settings(max_examples=60, deadline=None)
@given(load=loads, aht=ahts, within=withins, patience=patiences)
def test_service_level_non_decreasing_in_agents(load, aht, within, patience):
    """More agents never lower the service level (Erlang C and A)."""
    n = np.arange(0, int(load + 8 * math.sqrt(load)) + 12)
    sl = queueing.metrics(n, load, aht, within, patience=patience).service_level
    assert np.all(np.diff(sl) >= -FLOAT_NOISE)


@settings(max_examples=60, deadline=None)
@given(load=loads, aht=ahts, within=withins, patience=patiences)
def test_probabilities_stay_in_range(load, aht, within, patience):
    """P(wait), P(abandon), SL and occupancy lie in [0, 1]; P(abandon) <= P(wait)."""
    n = np.arange(0, int(2 * load) + 10)
    m = queueing.metrics(n, load, aht, within, patience=patience)
    for values in (m.p_wait, m.p_abandon, m.service_level, m.occupancy):
        assert np.all((values >= 0) & (values <= 1))
    assert np.all(m.p_abandon <= m.p_wait + FLOAT_NOISE)
    assert np.all(m.service_level <= 1 - m.p_abandon + FLOAT_NOISE)


@settings(max_examples=80, deadline=None)
@given(
    load=loads,
    aht=ahts,
    target=targets,
    within=withins,
    occupancy=st.floats(min_value=0.5, max_value=1.0),
    patience=patiences,
    cap=st.one_of(st.none(), st.floats(min_value=0.005, max_value=0.5)),
)
def test_required_agents_is_the_smallest_meeting_the_tier(
    load, aht, target, within, occupancy, patience, cap
):
    """N meets target, occupancy cap and abandon cap; N - 1 misses at least one of them."""
    cap = cap if patience is not None else None
    n = int(queueing.required_agents(load, aht, target, within, occupancy, patience, cap))
    m = queueing.metrics([n - 1, n], load, aht, within, patience=patience)
    assert m.service_level[1] >= target - SL_TOLERANCE
    # Occupancy of the load served, A (1 - P_abandon) / N (P_abandon = 0 for Erlang C).
    served = load * (1 - m.p_abandon)
    assert served[1] / n <= occupancy * (1 + RATIO_CEIL_TOLERANCE_REL)
    assert m.occupancy[1] <= occupancy * (1 + RATIO_CEIL_TOLERANCE_REL)
    assert cap is None or m.p_abandon[1] <= cap + SL_TOLERANCE
    misses = [
        n - 1 <= 0,
        m.service_level[0] < target + SL_TOLERANCE,
        served[0] / max(n - 1, 1) > occupancy * (1 - 1e-9),
        cap is not None and m.p_abandon[0] > cap - SL_TOLERANCE,
    ]
    assert any(misses)


@settings(max_examples=50, deadline=None)
@given(
    load=st.floats(min_value=0.05, max_value=1000.0),
    aht=ahts,
    within=withins,
    spare=st.floats(min_value=0.5, max_value=4.0),
)
def test_erlang_a_tends_to_erlang_c(load, aht, within, spare):
    """As patience grows without bound Erlang A's figures converge to Erlang C's."""
    n = math.floor(load + spare * math.sqrt(load)) + 1
    a = queueing.erlang_a_metrics(n, load, aht, LIMIT_PATIENCE_PER_AHT * aht, within)
    c = queueing.erlang_c_metrics(n, load, aht, within)
    assert abs(float(a.service_level) - float(c.service_level)) <= LIMIT_REL
    assert float(a.p_wait) == pytest.approx(float(c.p_wait), rel=LIMIT_REL)
    assert float(a.asa) == pytest.approx(float(c.asa), rel=LIMIT_REL, abs=LIMIT_REL)
    assert float(a.p_abandon) <= LIMIT_REL


def _chain_queue_length(n: int, load: float, aht: float, patience: float | None) -> float:
    """Mean queue length of a birth-death chain built independently in log space.

    Erlang C's states above n are geometric (ratio A / n) and are summed in closed form;
    Erlang A's are summed until far past the mode.
    """
    lam = load / aht
    x = load * patience / aht if patience is not None else 0.0
    top = n if patience is None else n + int(x + 40 * math.sqrt(x + 1) + 200)
    k = np.arange(top + 1, dtype=float)
    deaths = np.minimum(k, n) / aht
    if patience is not None:
        deaths = deaths + np.maximum(k - n, 0) / patience
    log_w = np.concatenate([[0.0], np.cumsum(np.log(lam / deaths[1:]))])
    w = np.exp(log_w - log_w.max())
    if patience is None:
        rho = load / n
        slack = (n - load) / n  # 1 - rho without cancellation (n - A can be 1e-14)
        return float(w[n] * rho / slack**2 / (np.sum(w) + w[n] * rho / slack))
    return float(np.sum(np.maximum(k - n, 0) * w) / np.sum(w))


@settings(max_examples=40, deadline=None)
@given(
    load=st.floats(min_value=0.1, max_value=200.0),
    aht=ahts,
    patience=patiences,
    extra=st.integers(min_value=-5, max_value=15),
)
def test_littles_law_queue_length_equals_rate_times_wait(load, aht, patience, extra):
    """Little's law: mean queue length = arrival rate x mean wait of all contacts (ASA)."""
    n = max(1, math.floor(load) + extra)
    if patience is None and n <= load:
        n = math.floor(load) + 1
    m = queueing.metrics(n, load, aht, 0.0, patience=patience)
    queue = _chain_queue_length(n, load, aht, patience)
    assert load / aht * float(m.asa) == pytest.approx(queue, rel=LITTLE_REL, abs=1e-300)


@settings(max_examples=40, deadline=None)
@given(
    load=st.one_of(
        st.floats(min_value=0.0, max_value=1e-6),
        st.floats(min_value=1e-6, max_value=1e6),
        st.sampled_from([0.0, 5e-324, 1e-300, 1e6]),
    ),
    scale=st.floats(min_value=0.0, max_value=3.0),
    patience=st.one_of(st.none(), st.floats(min_value=1e-3, max_value=1e9)),
)
def test_no_nan_for_extreme_loads(load, scale, patience):
    """Tiny and huge loads give finite probabilities and a finite required staffing."""
    n = np.floor(np.array([0.0, 1.0, load * scale, load, load + 1.0, load * 1.2 + 3]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, underflow-to-NaN or invalid value
        m = queueing.metrics(n, load, 180.0, 20.0, patience=patience)
        req = queueing.required_agents(load, 180.0, [0.5, 0.99], 20.0, patience=patience)
    for values in (m.service_level, m.p_wait, m.p_abandon, m.occupancy):
        assert np.all(np.isfinite(values))
    assert not np.any(np.isnan(m.asa))
    assert np.all(req >= 0)
    assert np.all(req <= math.ceil(load) + 10 * math.sqrt(load) + 10)


# Shapes, edge cases, validation -----------------------------------------------------------


def test_arguments_broadcast_like_a_table():
    """Loads (T,) against targets (K, 1) give a (K, T) table equal to one-by-one calls."""
    load_row = np.array([0.0, 0.3, 12.0, 480.0])
    target_col = np.array([[0.8], [0.95]])
    table = queueing.required_agents(load_row, 300.0, target_col, 20.0, patience=120.0)
    assert table.shape == (2, 4)
    for k in range(2):
        for t in range(4):
            one = queueing.required_agents(
                load_row[t], 300.0, target_col[k, 0], 20.0, patience=120.0
            )
            assert table[k, t] == one
    metrics = queueing.metrics(table, load_row, 300.0, 20.0, patience=120.0)
    assert metrics.service_level.shape == (2, 4)
    assert not metrics.service_level.flags.writeable


def test_zero_load_and_zero_agents():
    """Zero load needs no agents; with no agents every contact waits and none is answered."""
    assert queueing.required_agents(0.0, 180, 0.99, 20).tolist() == 0
    idle = queueing.metrics(0, 0.0, 180, 20)
    assert (float(idle.service_level), float(idle.occupancy), float(idle.asa)) == (1.0, 0.0, 0.0)
    none = queueing.metrics(0, 5.0, 180, 20, patience=60.0)
    assert (float(none.service_level), float(none.p_abandon), float(none.asa)) == (0.0, 1.0, 60.0)
    assert float(queueing.erlang_b(0, 3.0)) == 1.0
    assert float(queueing.asa_c(5, 5.0, 180)) == math.inf


def test_infinite_patience_is_erlang_c():
    """patience = inf gives exactly the Erlang C figures and staffing."""
    a = queueing.metrics([11, 14], 10.0, 180, 20, patience=math.inf)
    c = queueing.metrics([11, 14], 10.0, 180, 20)
    np.testing.assert_array_equal(a.service_level, c.service_level)
    assert queueing.required_agents(10.0, 180, 0.8, 20, patience=math.inf) == 14


def test_target_of_one_is_finite():
    """A 100% target is read as 1 - 2**-53 and still gives a finite staffing."""
    n = int(queueing.required_agents(10.0, 180, 1.0, 20))
    fail = ref_c_fail(n, ref_inv_erlang_b(n, 10.0), 10.0, 180.0, 20.0)
    assert 0 < fail <= queueing.SL_ONE_FLOOR


def test_chat_agents_ignore_float_noise():
    """Chat slots to agents: 5 / 2.5 is 2 agents even when 2.5 carries float noise."""
    assert queueing.chat_agents(5, 2.5).tolist() == 2
    assert queueing.chat_agents(5, 0.1 * 25).tolist() == 2  # 2.5000000000000004
    assert queueing.chat_agents(5, 7.5 / 3).tolist() == 2
    assert queueing.chat_agents(np.array([0, 6, 7, 9]), 3.0).tolist() == [0, 2, 3, 3]
    assert queueing.chat_agents(3 * 0.1 * 10, 1.0).tolist() == 3  # 3.0000000000000004


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"load": -1.0}, "load must be"),
        ({"load": math.nan}, "load must be"),
        ({"aht": 0.0}, "aht must be"),
        ({"target_sl": 0.0}, "target_sl must be in \\(0, 1\\]"),
        ({"target_sl": 1.2}, "target_sl must be"),
        ({"max_occupancy": 0.0}, "max_occupancy must be"),
        ({"max_occupancy": 1.01}, "max_occupancy must be"),
        ({"within": -5.0}, "within must be"),
        ({"patience": 0.0}, "patience must be"),
        ({"max_abandon": 0.0}, "max_abandon must be"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    """Each invalid argument raises a ValueError naming the argument."""
    args = {"load": 10.0, "aht": 180.0, "target_sl": 0.8, "within": 20.0} | kwargs
    with pytest.raises(ValueError, match=message):
        queueing.required_agents(**args)


def test_error_names_the_offending_index():
    """The message points at the first bad element of an array argument."""
    with pytest.raises(ValueError, match=r"got -2\.0 at index \(1,\)"):
        queueing.erlang_c([3, 4], [1.0, -2.0])


def test_loads_beyond_tested_range_warn():
    """Above 10**6 Erlangs a NumericalWarning is emitted, and the answer is still finite."""
    with pytest.warns(NumericalWarning, match="tested range"):
        n = queueing.required_agents(2.0e6, 180, 0.8, 20)
    assert 2_000_000 < int(n) < 2_001_000
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        queueing.required_agents(1.0e6, 180, 0.8, 20)


# The stationary simulation of Erlang A (and C) is in test_simulation.py.


# The plain one-interval path of ``tierprice staff`` -------------------------------------


def _random_interval(rng: np.random.Generator) -> tuple[tuple[float, ...], dict[str, object]]:
    """One ``staff_interval`` call: a load log-uniform on 0.001-5,000 Erlangs, tiers,
    caps, patience and concurrency drawn from the ranges the command line accepts."""
    aht = float(rng.choice([30.0, 180.0, 300.0, rng.uniform(5.0, 1500.0)]))
    interval = float(rng.choice([15.0, 30.0, 60.0]))
    load = float(10 ** rng.uniform(-3.0, math.log10(5000.0)))
    sl = float(rng.choice([0.5, 0.8, 0.95, 0.999, 1.0, rng.uniform(0.01, 1.0)]))
    within = float(rng.choice([0.0, 20.0, rng.uniform(0.0, 300.0)]))
    patience = [None, None, 60.0, 300.0, float(rng.uniform(1.0, 2000.0))][rng.integers(5)]
    cap = [None, 0.05, float(rng.uniform(0.001, 1.0))][rng.integers(3)] if patience else None
    kwargs: dict[str, object] = {
        "patience": patience,
        "max_occupancy": float(rng.choice([1.0, 0.85, rng.uniform(0.3, 1.0)])),
        "max_abandon": cap,
        "shrinkage": 0.3,
        "concurrency": float(rng.choice([1.0, 2.0, rng.uniform(1.0, 4.0)])),
    }
    return (load * interval * 60.0 / aht, interval, aht, sl, within), kwargs


def test_plain_calculator_equals_the_vectorised_engine() -> None:
    """``staff_interval`` gives the same dictionary (agents and every rounded figure) on
    the plain path as on the numpy engine, on 300 random intervals and the edge cases."""
    rng = np.random.default_rng(17)
    cases = [_random_interval(rng) for _ in range(300)]
    cases += [
        ((0.0, 30.0, 180.0, 0.8, 20.0), {}),
        ((0.0, 30.0, 180.0, 0.8, 20.0), {"patience": 60.0}),
        ((100.0, 30.0, 180.0, 1.0, 0.0), {}),
        ((100.0, 30.0, 180.0, 1.0, 0.0), {"patience": 30.0, "max_abandon": 1e-6}),
        ((58.0, 30.0, 180.0, 0.7, 60.0), {"patience": 30.0, "max_occupancy": 0.85}),
        ((221.0, 30.0, 180.0, 0.1, 0.0), {"max_occupancy": 0.85}),
    ]
    differ = []
    for args, kwargs in cases:
        plain_path = staff_interval(*args, **kwargs)  # type: ignore[arg-type]
        numpy_path = staff_interval(*args, **kwargs, vectorised=True)  # type: ignore[arg-type]
        if plain_path != numpy_path:
            differ.append((args, kwargs, plain_path, numpy_path))
    assert differ == []


def test_plain_agents_match_reference() -> None:
    """The plain path's agents equal the 50-digit reference (Erlang C and Erlang A)."""
    for load in [0.003, 0.7, 10.0, 222.0, 4900.0]:
        answers = [
            plain.required_c(load, 180.0, float(ref_threshold(t)), 20.0, 1.0) for t in C_TARGETS
        ]
        assert all(ref_erlang_c_answers(load, 180.0, 20.0, C_TARGETS, answers))
    for load in A_LOADS[:-2]:  # the plain path stops at 5,000 Erlangs
        for tier in A_TIERS:
            target, within, patience, cap = tier
            caps = (0.9, 1.0 if cap is None else cap)
            n = plain.required_a(load, 240.0, target, within, patience, caps)
            assert _ref_a_meets(n, load, tier) and not _ref_a_meets(n - 1, load, tier)


def test_plain_path_hands_over_what_it_does_not_cover() -> None:
    """Out-of-range arguments get the engine's own errors and warnings, and the plain
    path's constants are the engine's."""
    assert plain.SL_ONE_FLOOR == queueing.SL_ONE_FLOOR
    with pytest.raises(ValueError, match="load must be a finite number >= 0"):
        staff_interval(-1.0, 30.0, 180.0, 0.8, 20.0)
    with pytest.warns(NumericalWarning, match="exceeds the tested range"):
        staff_interval(4e6, 1.0, 60.0, 0.8, 20.0)
    big = (2e5, 30.0, 180.0, 0.8, 20.0)  # 20,000 Erlangs: the engine's path
    assert staff_interval(*big) == staff_interval(*big, vectorised=True)


def test_shared_loads_give_the_answers_of_separate_loads() -> None:
    """Required agents evaluated once per distinct (load, N) (tiers sharing a load, as
    the requirement tables pass them) equal the answers computed tier by tier, for
    Erlang C and Erlang A, with and without a binding occupancy cap."""
    rng = np.random.default_rng(3)
    load = np.exp(rng.uniform(math.log(0.05), math.log(3000.0), 400))
    targets = np.array([[0.8], [0.9], [0.8], [0.7]])
    withins = np.array([[20.0], [15.0], [20.0], [60.0]])
    for patience in (None, 120.0):
        for cap in (1.0, 0.85):
            shared = queueing.required_agents(
                np.broadcast_to(load, (4, load.size)), 240.0, targets, withins, cap, patience
            )
            for k in range(4):
                alone = queueing.required_agents(
                    load.copy(), 240.0, targets[k, 0], withins[k, 0], cap, patience
                )
                assert shared[k].tolist() == alone.tolist()
    ids = numerics.load_ids(np.broadcast_to(load[:3], (2, 3)), (2, 3))
    assert ids.tolist() == [0, 1, 2, 0, 1, 2]


def test_erlang_c_search_equals_a_linear_scan() -> None:
    """Required agents (Erlang C, from a guess the walk and the search correct) equal a
    plain scan upward over N of ``erlang_c_metrics``, on random loads, tiers and caps:
    the least N meeting the service level and the occupancy cap."""
    rng = np.random.default_rng(17)
    load = np.exp(rng.uniform(math.log(0.01), math.log(2000.0), 300))
    target = rng.uniform(0.3, 0.999, load.size)
    within = rng.choice([0.0, 5.0, 20.0, 60.0, 600.0], load.size)
    cap = rng.choice([1.0, 0.85, 0.6], load.size)
    got = queueing.required_agents(load, 240.0, target, within, cap)
    for i in range(load.size):
        n = max(math.floor(load[i]) + 1, math.ceil(load[i] / cap[i] * (1 - 1e-9)) - 1)
        while True:
            sl = float(queueing.erlang_c_metrics(n, load[i], 240.0, within[i]).service_level)
            busy_ok = load[i] / n <= cap[i] * (1 + RATIO_CEIL_TOLERANCE_REL)
            if busy_ok and 1.0 - sl <= max(1.0 - target[i], queueing.SL_ONE_FLOOR):
                break
            n += 1
        assert int(got[i]) == n, (load[i], target[i], within[i], cap[i])


def _scan_erlang_a(load: float, aht: float, tier: tuple[float, ...]) -> int:
    """The least N >= 1 meeting an Erlang A tier (target, within, patience, occupancy
    cap, abandonment cap), scanning upward over N with ``erlang_a_metrics``."""
    target, within, patience, occupancy, cap = tier
    thr = max(1.0 - target, queueing.SL_ONE_FLOOR)
    start = 1
    while True:
        ns = np.arange(start, start + 256)
        m = queueing.erlang_a_metrics(ns, load, aht, patience, within)
        served = load * (1.0 - m.p_abandon) / ns
        ok = (
            (1.0 - m.service_level <= thr)
            & (m.p_abandon <= cap)
            & (served <= occupancy * (1 + RATIO_CEIL_TOLERANCE_REL))
        )
        if bool(ok.any()):
            return int(ns[np.argmax(ok)])
        start += ns.size


def test_erlang_a_search_equals_a_linear_scan() -> None:
    """Required agents (Erlang A: the service-level search, started for most loads of a
    tier from its neighbouring loads' answers, then the abandonment and occupancy caps)
    equal a plain scan upward over N of ``erlang_a_metrics``, on a table of random
    tiers (targets, T, patience, caps) by random loads, and on the same rows passed so
    that no two share a tier."""
    rng = np.random.default_rng(23)
    tiers, aht = 12, 240.0
    load = np.exp(rng.uniform(math.log(0.01), math.log(1500.0), 70))
    tier = np.stack(
        [
            rng.uniform(0.3, 0.99, tiers),
            rng.choice([0.0, 5.0, 20.0, 60.0, 600.0], tiers),
            np.exp(rng.uniform(math.log(2.0), math.log(3000.0), tiers)),
            rng.choice([1.0, 0.85, 0.6], tiers),
            rng.choice([1.0, 0.05, 0.2], tiers),
        ],
        axis=1,
    )
    col = [tier[:, j : j + 1] for j in range(5)]
    got = queueing.required_agents(load, aht, col[0], col[1], col[3], col[2], col[4])
    full = [np.broadcast_to(c, got.shape).copy() for c in [load, *col]]
    alone = queueing.required_agents(  # every argument varies: no row shares a tier
        full[0], aht, full[1], full[2], full[4], full[3], full[5]
    )
    for k in range(tiers):
        for i in range(load.size):
            n = _scan_erlang_a(float(load[i]), aht, tuple(float(v) for v in tier[k]))
            assert int(got[k, i]) == n, (load[i], tier[k])
            assert int(alone[k, i]) == n, (load[i], tier[k])


def test_erlang_a_abandonment_bounds_used_by_the_search() -> None:
    """The occupancy-cap search skips evaluations with two upper bounds on Erlang A's
    P(abandon) for N > A: Erlang C's C(N, A), and B(N, A) / (a (1 - r)**2) with
    ``a = N patience / AHT`` and ``r = A patience / AHT / (a + 1)``; P(wait) is at most C
    too (the service-level check); and B is first bounded by twice the Poisson pmf
    ``A**N exp(-A) / N!`` where N >= A + 1/2. All hold on random loads, N and patience."""
    rng = np.random.default_rng(29)
    load = np.exp(rng.uniform(math.log(0.05), math.log(5000.0), 4000))
    n = np.floor(load + rng.uniform(0.0, 6.0, load.size) * np.sqrt(load)) + 1
    aht, patience = 240.0, np.exp(rng.uniform(math.log(1.0), math.log(3000.0), load.size))
    m = queueing.erlang_a_metrics(n, load, aht, patience, 20.0)
    c = queueing.erlang_c(n, load)
    a = n * patience / aht
    r = load * patience / aht / (a + 1.0)
    second = queueing.erlang_b(n, load) / (a * (1.0 - r) ** 2)
    assert np.all(m.p_wait <= c * (1 + 1e-12))
    assert np.all(m.p_abandon <= np.minimum(c, second) * (1 + 1e-12))
    assert np.any(second < c / 10)  # the second bound is the tighter one somewhere
    pmf = np.exp(n * np.log(load) - load - special.gammaln(n + 1.0))
    above = n >= load + 0.5
    assert np.all(queueing.erlang_b(n, load)[above] <= 2.0 * pmf[above] * (1 + 1e-12))
