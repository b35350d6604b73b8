"""The volume-risk figures of one solved point (``compare``/``sweep --risk-draws``).

Each point is simulated where it is solved (in the job: a worker process or a Dask
worker), with :func:`optimizer.risk.engine.risk_of`, the engine of ``tierprice risk``;
only the few figures of :data:`optimizer.results.RISK_FIELDS` travel back with the
result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from optimizer.results import RISK_FIELDS, VerifiedResult
from optimizer.risk.engine import risk_of
from optimizer.risk.summary import spread
from optimizer.scenario.schema import Scenario


@dataclass(frozen=True)
class RiskDraws:
    """How each solved point is simulated: ``draws`` months from ``seed`` (every point
    from the same seed, so the points see the same random months)."""

    draws: int
    seed: int = 0


def risk_figures(scenario: Scenario, result: VerifiedResult, how: RiskDraws) -> dict[str, float]:
    """The :data:`~optimizer.results.RISK_FIELDS` of a verified result with a solution."""
    risk = risk_of(scenario, result, how.draws, how.seed)
    margin = spread(risk.margin)
    values = (
        margin["mean"],
        margin["p5"],
        margin["cvar5"],
        risk.p_margin_below_floor,
        sum(c.expected_credits for c in risk.categories),
    )
    return dict(zip(RISK_FIELDS, (float(v) for v in values), strict=True))


def with_risk(scenario: Scenario, result: VerifiedResult, how: RiskDraws | None) -> VerifiedResult:
    """``result`` with its risk figures when ``how`` asks for them and it has a plan
    (a point without a solution has none)."""
    if how is None or result.totals is None:
        return result
    return replace(result, risk=risk_figures(scenario, result, how))
