"""Randomised differential test: the full pipeline against an independent brute-force oracle.

Each case is one seeded random small deal (``oracle.random_deal``: every channel, every
pricing model, seats and max FTE, every client and provider limit, both objectives,
many infeasible deals; about 40% of the deals carry contract terms: plans, volume
bands of both kinds, a minimum monthly charge, a platform fee or fee menu (project work
too), whole seats, the competitor band's lower side); some deals without seats or max FTE carry a
category's own margin floor (terms ``min_margin``); some carry bonus levels; about a fifth
(two-site deals) carry a site premium or a client's minimum site share (design 11). The
pipeline (``run_scenario``) and the oracle (``oracle.solve``, written from the
specification alone) must agree on

* the status (a solution or infeasible);
* the objective: the margin for ``max_margin``; for ``min_price`` the client's spend and,
  lexicographically second, the provider's cost at that spend; within relative 1e-6
  plus the gap the pipeline reports;
* the chosen tiers, when the oracle finds the optimal tier choice unique.

Every disagreement fails. Its message prints both answers, the deal, and which known
defect (if any) explains it: the oracle is re-run with the product's alternative
reading of each open point (``oracle.Conventions``) to see which one reproduces the
pipeline's answer.

A second seed stream, the combo stream (``random_deal(seed, combo=True)``, ``COMBO_SEEDS``),
puts bonus levels with a site premium, minimum site shares or both on one category of
two-site deals (the plain seeds never drew the pairs; the product allows a bonus with a
premium since 608f61f); the plain seeds' deals are unchanged by it.

``TIERPRICE_ORACLE_SEEDS=N`` changes the number of CI seeds (default 200); the slow
test runs a further ``TIERPRICE_ORACLE_SLOW_SEEDS`` (default 60, so that the whole file
stays within about three minutes in CI, which runs every marker) seeds.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import os
from dataclasses import replace
from typing import Any, get_args

import pytest
from oracle import Conventions, OracleAnswer, random_deal, solve
from test_site_mix import raw as site_mix_deal

from optimizer.errors import OptimizerError
from optimizer.options import RunOptions
from optimizer.output.report import to_dict
from optimizer.pipeline import run_scenario
from optimizer.scenario.field_types import PricingModel
from optimizer.scenario.schema import validate_scenario

CI_SEEDS = int(os.environ.get("TIERPRICE_ORACLE_SEEDS", "200"))
SLOW_SEEDS = int(os.environ.get("TIERPRICE_ORACLE_SLOW_SEEDS", "60"))
SLOW_START = 100_000
REL = 1e-6
ABS = 1e-5  # money is rounded to 6 decimals in the JSON

ALTERNATIVES: dict[str, list[tuple[str, str]]] = {
    "deferred_wrap": [
        ("close_week", "(a) deferred week boundary: no late share carried past Monday 00:00"),
        ("backlog_due", "(a) deferred week boundary: late-Sunday arrivals"),
    ],
    "erlang_a_occupancy": [("offered", "(c) Erlang A occupancy on A/N")],
    "missing_premium": [("ignored", "(d) benchmark_price without max_premium ignored")],
    "site_split": [
        (
            "peak",
            "(g) site premium: no site staffs an interval above the category's peak need "
            "(the product's agent bounds until 2026-12-03)",
        ),
        (
            "exact",
            "(f) site premium: staffed exactly to its tier (the earlier reading), not >= it",
        ),
    ],
    "bonus_split": [("staffed", "(h) site premium with a bonus: R the claimed levels' staffing")],
}
"""The product's readings of each open point, tried in turn to classify a disagreement."""

TALLY: dict[str, Any] = {"compared": 0, "agreed": 0, "classes": {}, "gaps": []}


def pipeline_answer(raw: dict[str, Any]) -> dict[str, Any]:
    """The pipeline's answer as the JSON of design section 8, or an error entry.

    With exact prices: the oracle finds the exact optimum of a continuous price range,
    and the rounding to a quotable step is a presentation the oracle does not model
    (``tests/test_pipeline.py`` checks it on its own)."""
    scenario = validate_scenario(raw, f"<seed {raw['scenario']}>")
    options = RunOptions(explain=False, diagnose=False, exact_prices=True)
    try:
        result = run_scenario(scenario, options)
    except OptimizerError as err:
        return {"status": "error", "error": f"{type(err).__name__}: {err}"}
    return to_dict(result)


def _close(a: float, b: float, gap: float) -> bool:
    scale = max(1.0, abs(a), abs(b))
    return abs(a - b) <= (REL + gap) * scale + ABS


def disagreements(oracle: OracleAnswer, out: dict[str, Any]) -> list[str]:
    """What differs between the oracle's and the pipeline's answers (empty: they agree)."""
    status = out["status"]
    if status == "error":
        return [f"pipeline error: {out['error']}"]
    if oracle.status == "infeasible" or status not in ("optimal", "feasible"):
        if oracle.status == "infeasible" and status == "infeasible":
            return []
        return [f"status: oracle {oracle.status}, pipeline {status}"]
    totals = out["totals"]
    gap = float(out["solver"].get("gap") or 0.0)
    problems = []
    if oracle.objective == "max_margin":
        if not _close(oracle.margin, totals["margin"], gap):
            problems.append(f"margin: oracle {oracle.margin:.6f}, pipeline {totals['margin']:.6f}")
    else:
        if not _close(oracle.revenue, totals["revenue"], gap):
            problems.append(f"spend: oracle {oracle.revenue:.6f}, pipeline {totals['revenue']:.6f}")
        elif not _close(oracle.cost, totals["cost"], 0.0):
            problems.append(
                f"cost at the lowest spend: oracle {oracle.cost:.6f}, pipeline {totals['cost']:.6f}"
            )
    if not problems and oracle.unique_tiers:
        chosen = {c["name"]: c["tier"] for c in out["categories"]}
        if chosen != oracle.tiers:
            problems.append(f"tiers: oracle {oracle.tiers}, pipeline {chosen}")
    return problems


def classify(
    raw: dict[str, Any], oracle: OracleAnswer, out: dict[str, Any], problems: list[str]
) -> str:
    """Which known defect explains a disagreement (re-solving the oracle its way)."""
    if out["status"] == "error":
        if "VerificationError" in out.get("error", ""):
            return "(e) verification failure (exit 5)"
        return "pipeline error"
    if (
        oracle.objective == "min_price"
        and all(p.startswith("cost at the lowest spend") for p in problems)
        and out["totals"]["cost"] > oracle.cost
    ):
        return "(b) min_price: not the cheapest staffing at the lowest spend"
    keys = [k for k in ALTERNATIVES if _relevant(raw, k)]
    for size in range(1, len(keys) + 1):
        for subset in itertools.combinations(keys, size):
            for picks in itertools.product(*(ALTERNATIVES[k] for k in subset)):
                conv = replace(
                    Conventions(), **{k: v for k, (v, _) in zip(subset, picks, strict=True)}
                )
                other = solve(raw, conv=conv)
                rest = disagreements(other, out)
                if not rest or all(p.startswith("cost at the lowest spend") for p in rest):
                    label = " + ".join(text for _, text in picks)
                    if rest:
                        label += " + (b)"
                    return label
    if oracle.near_tie or oracle.near_miss:
        return "numerical near-tie (" + (oracle.near_miss or "service level at the target") + ")"
    return "UNEXPLAINED"


def _relevant(raw: dict[str, Any], key: str) -> bool:
    """Whether an open point can matter in this deal at all."""
    cats = raw["categories"]
    if key == "deferred_wrap":
        return any(c["channel"] == "deferred" for c in cats)
    if key == "erlang_a_occupancy":
        return any(c.get("patience_seconds") for c in cats)
    if key == "missing_premium":
        return any("benchmark_price" in c and "max_premium" not in c for c in cats)
    if key == "site_split":
        return any((c.get("terms") or {}).get("site_premium") for c in cats)
    if key == "bonus_split":
        return any(
            (c.get("terms") or {}).get("site_premium") and (c.get("terms") or {}).get("bonus")
            for c in cats
        )
    return True


@functools.cache
def deal_json(seed: int, combo: bool = False) -> str:
    """The seeded deal (of the combo stream: ``random_deal(seed, combo=True)``),
    validated, with the scenario's defaults filled in (JSON text)."""
    where = f"<combo seed {seed}>" if combo else f"<seed {seed}>"
    raw = validate_scenario(random_deal(seed, combo=combo), where).raw()
    raw.pop("variants", None)
    return json.dumps(raw)


def check_seed(seed: int, combo: bool = False) -> tuple[bool, str, str]:
    """(agree, message, class) for one seeded deal (of the combo stream)."""
    raw = json.loads(deal_json(seed, combo))
    oracle = solve(raw)
    out = pipeline_answer(raw)
    gap = (out.get("solver") or {}).get("gap")
    if gap:
        TALLY["gaps"].append((seed, gap))
    problems = disagreements(oracle, out)
    if not problems:
        return True, "", ""
    label = classify(raw, oracle, out, problems)
    shown = {
        k: out.get(k) for k in ("status", "totals", "categories", "solver", "error") if k in out
    }
    message = "\n".join(
        [
            f"{'combo ' if combo else ''}seed {seed}: the pipeline and the oracle disagree"
            f" [{label}]",
            *("  - " + p for p in problems),
            "oracle:   " + json.dumps(oracle.summary(), default=str),
            "pipeline: " + json.dumps(shown, default=str),
            "deal:     " + json.dumps(raw),
        ]
    )
    return False, message, label


def _run(seed: int, combo: bool = False) -> None:
    ok, message, label = check_seed(seed, combo)
    TALLY["compared"] += 1
    if ok:
        TALLY["agreed"] += 1
    else:
        TALLY["classes"][label] = TALLY["classes"].get(label, 0) + 1
    assert ok, message


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Any:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or not TALLY["compared"]:
        return
    classes = "".join(f"\n  {v:4d}  {k}" for k, v in sorted(TALLY["classes"].items()))
    line = (
        f"\ndifferential oracle: {TALLY['compared']} deals compared, {TALLY['agreed']} agreed"
        + f"; pipeline gap > 0 in {len(TALLY['gaps'])} ({TALLY['gaps'][:5]})"
        + (f"; disagreements by class:{classes}" if classes else "")
    )
    if capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
    else:
        reporter.write_line(line)


@pytest.mark.parametrize("seed", range(CI_SEEDS), ids=lambda s: f"seed{s}")
def test_pipeline_matches_oracle(seed: int) -> None:
    _run(seed)


@pytest.mark.slow
@pytest.mark.parametrize(
    "seed", range(SLOW_START, SLOW_START + SLOW_SEEDS), ids=lambda s: f"seed{s}"
)
def test_pipeline_matches_oracle_many(seed: int) -> None:
    _run(seed)


COMBO_SEEDS = [*range(41), 93, 145, 178, 256, 412, 708, 845, 880, 907, 983, 994, 1045, 1153]
"""Seeds of the combo stream (bonus levels with a site premium and/or minimum site
shares, ``random_deal(seed, combo=True)``) the CI compares: the first 41, and the ones
of seeds 0-1,199 where the pipeline disagreed before its two fixes of 2026-12-03 (a site's
agents capped at the tiers' need in each interval: a lower margin, a higher lowest bid,
seed 708 called infeasible; a level met by agents above the tier left unbilled, which
verification refused: seeds 14, 93, 178, 845, 880 and 983, exit 5)."""


@pytest.mark.parametrize("seed", COMBO_SEEDS, ids=lambda s: f"combo{s}")
def test_pipeline_matches_oracle_combo(seed: int) -> None:
    _run(seed, combo=True)


def test_combo_stream_covers_the_pairs() -> None:
    """The combo seeds put bonus levels with a site premium, with minimum site shares and
    with both on one category, with and without seats or max FTE, under both objectives."""
    seen: set[str] = set()
    for seed in COMBO_SEEDS:
        raw = json.loads(deal_json(seed, combo=True))
        coupled = any("seats" in s or "max_fte" in s for s in raw["provider"]["sites"])
        for cat in raw["categories"]:
            terms = cat.get("terms") or {}
            if not terms.get("bonus"):
                continue
            pair = "+".join(k for k in ("site_premium", "min_site_share") if terms.get(k))
            seen.update({pair, f"{pair}/{'coupled' if coupled else 'free'}", raw["objective"]})
    wanted = {
        "site_premium",
        "min_site_share",
        "site_premium+min_site_share",
        "site_premium/coupled",
        "site_premium/free",
        "min_site_share/coupled",
        "min_site_share/free",
        "max_margin",
        "min_price",
    }
    assert wanted <= seen, f"never generated: {sorted(wanted - seen)}"


def test_generator_covers_every_feature() -> None:
    """The CI seeds exercise every channel, pricing model, limit and both objectives."""
    seen: set[str] = set()
    for seed in range(CI_SEEDS):
        raw = json.loads(deal_json(seed))
        seen.add(raw["objective"])
        prov = raw["provider"]
        if prov.get("min_margin"):
            seen.add("min_margin")
        for site in prov["sites"]:
            seen.update(k for k in ("seats", "max_fte", "shrinkage", "categories") if k in site)
        for cat in raw["categories"]:
            seen.add(cat["channel"])
            seen.add(cat["pricing"])
            if cat.get("patience_seconds"):
                seen.add(f"{cat['channel']}+patience")
            if cat["channel"] == "chat" and cat.get("concurrency", 1) > 1:
                seen.add("concurrency")
            for key in (
                "benchmark_price",
                "max_premium",
                "max_cost_per_contact",
                "value_per_contact",
            ):
                if key in cat:
                    seen.add(f"category.{key}")
            for tier in cat["tiers"]:
                if "max_abandon" in tier:
                    seen.add("max_abandon")
                prices = tier["prices"]
                seen.add("range" if isinstance(prices, dict) and "step" not in prices else "menu")
            seen.update(_terms_seen(cat))
        seen.update(f"client.{k}" for k in raw.get("client", {}))
    wanted = {
        "max_margin",
        "min_price",
        "min_margin",
        "seats",
        "max_fte",
        "voice",
        "chat",
        "deferred",
        "project",
        "voice+patience",
        "chat+patience",
        "concurrency",
        "max_abandon",
        "range",
        "category.benchmark_price",
        "category.max_premium",
        "category.max_cost_per_contact",
        "client.budget_per_month",
        "client.max_cost_per_contact",
        "client.min_roi",
        "client.min_tier",
        *get_args(PricingModel),  # every pricing model the schema accepts
        "plan",
        "bands.incremental",
        "bands.all_units",
        "minimum_monthly",
        "platform_fee",
        "platform_fee.menu",
        "bill_whole_units",
        "min_premium",
        "project.platform_fee",
        "category.min_margin",
        "bonus",
        "bonus.levels",
        "site_premium",
        "min_site_share",
    }
    assert wanted <= seen, f"never generated: {sorted(wanted - seen)}"


def _terms_seen(cat: dict[str, Any]) -> set[str]:
    """The contract terms a (validated, defaults filled) category carries."""
    terms = cat.get("terms") or {}
    seen = set()
    for tier in cat["tiers"]:
        if isinstance(tier["prices"], list) and any(isinstance(p, dict) for p in tier["prices"]):
            seen.add("plan")
    if terms.get("volume_bands"):
        seen.add("bands." + terms["volume_bands"]["kind"])
    fee = terms.get("platform_fee", 0.0)
    if isinstance(fee, list) and len(fee) > 1:
        seen.add("platform_fee.menu")
    elif fee:
        seen.add("platform_fee")
    seen.update(k for k in ("minimum_monthly", "min_premium") if terms.get(k) is not None)
    if terms.get("min_margin") is not None:
        seen.add("category.min_margin")
    if terms.get("bonus"):
        seen.add("bonus" if len(terms["bonus"]) == 1 else "bonus.levels")
    seen.update(k for k in ("site_premium", "min_site_share") if terms.get(k))
    if terms.get("bill_whole_units"):
        seen.add("bill_whole_units")
    if cat["channel"] == "project" and fee:
        seen.add("project.platform_fee")
    return seen


def test_oracle_reference_cases() -> None:
    """The oracle's own queueing against the published reference cases E1-E7."""
    from oracle import erlang_a, erlang_c_sl, erlang_c_wait, required_servers

    # E1: 10 Erlangs, AHT 180 s, 80/20, 85% cap -> 14 agents, P(wait) 0.174132, SL 0.888350
    assert required_servers(10.0, 180.0, 0.8, 20.0, 0.85, None, None, Conventions())[0] == 14
    assert math.isclose(erlang_c_wait(14, 10.0), 0.174132, abs_tol=5e-7)
    assert math.isclose(erlang_c_sl(14, 10.0, 180.0, 20.0), 0.888350, abs_tol=5e-7)
    # E1b sweep
    for n, sl in zip((11, 12, 13, 14, 15), (0.3896, 0.6402, 0.7956, 0.8884, 0.9415), strict=True):
        assert math.isclose(erlang_c_sl(n, 10.0, 180.0, 20.0), sl, abs_tol=5e-5)
    # E2: Erlang A with patience 300 s: N=12 SL 0.772; N=13 SL 0.8582, P(ab) 0.0250; N=14 0.9168
    lam = 10.0 / 180.0
    assert math.isclose(erlang_a(12, lam, 180.0, 300.0, 20.0)[0], 0.772, abs_tol=5e-4)
    sl13, ab13 = erlang_a(13, lam, 180.0, 300.0, 20.0)
    assert math.isclose(sl13, 0.8582, abs_tol=5e-5) and math.isclose(ab13, 0.0250, abs_tol=5e-5)
    assert math.isclose(erlang_a(14, lam, 180.0, 300.0, 20.0)[0], 0.9168, abs_tol=5e-5)


def late_sunday_mail(rotate: bool) -> dict[str, Any]:
    """E-mail arriving Sunday 23:00, half due within 2 h; one seat; open again at 05:00.

    One agent clears 6 of the 10 weekly items in the arrival hour, so half is done by
    the deadline (Monday 01:00) and the rest at 05:00. ``rotate`` moves the same week
    one day earlier (Saturday 23:00, Sunday 05:00): nothing crosses the week start.
    """
    weights = [0.0] * 24
    weights[23] = 1.0
    days = ("sat", "sun") if rotate else ("sun", "mon")
    raw = {
        "scenario": "late sunday mail" + (" (rotated)" if rotate else ""),
        "calendar": {"interval_minutes": 60},
        "provider": {
            "shrinkage": 0.0,
            "max_occupancy": 1.0,
            "sites": [{"name": "home", "hourly_cost": 10.0, "seats": 1}],
        },
        "categories": [
            {
                "name": "mail",
                "channel": "deferred",
                "contacts_per_month": 10 * 52 / 12,
                "aht_seconds": 600.0,
                "profile": weights,
                "open_hours": {days[0]: "23:00-24:00", days[1]: "05:00-07:00"},
                "pricing": "per_contact",
                "tiers": [{"name": "half", "share": 0.5, "within_hours": 2.0, "prices": [5.0]}],
            }
        ],
    }
    full = validate_scenario(raw, "<late sunday>").raw()
    full.pop("variants", None)
    return full


@pytest.mark.parametrize("rotate", [False, True], ids=["across_week_start", "rotated"])
def test_late_sunday_mail(rotate: bool) -> None:
    """Known defect (a): the week's start must not change the answer (margin 130 both ways)."""
    raw = late_sunday_mail(rotate)
    oracle = solve(raw)
    assert oracle.status == "optimal" and math.isclose(oracle.margin, 130.0, rel_tol=1e-9)
    out = pipeline_answer(raw)
    problems = disagreements(oracle, out)
    assert not problems, f"{problems}; pipeline: {out.get('status')} {out.get('totals')}"


def volume_bands(kind: str, *steps: tuple[float, float]) -> dict[str, Any]:
    """A ``volume_bands`` mapping from (from, discount) pairs."""
    return {"kind": kind, "bands": [{"from": a, "discount": d} for a, d in steps]}


RECEPTION_BANDS = volume_bands("incremental", (0, 0), (20, 0.05), (50, 0.08))
"""The specification's reception example: 5% off from 20 FTE, 8% from 50."""


def test_oracle_charges_by_hand() -> None:
    """The oracle's own charge formulas on worked examples of the terms' specification."""
    from oracle import billed_units, plan_charge

    all_units = volume_bands("all_units", (0, 0), (20, 0.05), (50, 0.08))
    assert math.isclose(billed_units(60, RECEPTION_BANDS), 20 + 30 * 0.95 + 10 * 0.92)  # 57.7
    assert math.isclose(billed_units(60, all_units), 60 * 0.92)  # 55.2
    assert math.isclose(billed_units(50, all_units), 46.0)  # the band is reached at its start
    assert math.isclose(billed_units(49.9, all_units), 49.9 * 0.95)  # the cliff: 47.405 > 46
    assert billed_units(10, RECEPTION_BANDS) == 10 and billed_units(7, None) == 7
    plan = {"fee": 1850, "included": 1000, "unit_price": 1.75}
    assert math.isclose(plan_charge(plan, 1200, {}), 1850 + 1.75 * 200)  # 2200
    assert plan_charge(plan, 800, {}) == 1850  # the fee alone below the included units
    assert math.isclose(plan_charge(1.75, 1200, {}), 2100)  # a plain price is a plan
    # bands on the usage above the included units: 100 at full price, 200 at 10% off
    banded = {"volume_bands": volume_bands("incremental", (0, 0), (100, 0.1))}
    assert math.isclose(plan_charge(plan, 1300, banded), 1850 + 1.75 * (100 + 200 * 0.9))
    # take-or-pay: 450 x 24.75 = 11,137.5 is topped up to 12,000; 450 x 57.7 is not
    reception = {"volume_bands": RECEPTION_BANDS, "minimum_monthly": 12000}
    assert plan_charge(450, 25, reception) == 12000
    assert math.isclose(plan_charge(450, 60, reception), 450 * 57.7)


SEAT_BANDS = volume_bands("incremental", (0, 0), (5, 0.05), (7, 0.08))
"""The reception bands scaled to a deal of 8 billed seats (7.82 full-price seats)."""


def reception_deal(budget: float | None) -> dict[str, Any]:
    """The specification's reception terms on a small per-FTE voice deal: 7.74 FTE,
    billed as 8 seats, costing 24,761.90 a month."""
    raw = {
        "scenario": "reception",
        "objective": "max_margin",
        "provider": {"sites": [{"name": "home", "hourly_cost": 20.0}]},
        "categories": [
            {
                "name": "reception",
                "channel": "voice",
                "contacts_per_month": 6000.0,
                "aht_seconds": 240.0,
                "profile": [1.0] * 24,
                "open_hours": {"mon-fri": "08:00-18:00"},
                "pricing": "per_fte_month",
                "benchmark_price": 4000.0,
                "max_premium": 0.1,
                "terms": {
                    "volume_bands": SEAT_BANDS,
                    "minimum_monthly": 33000,
                    "platform_fee": [0, 1500, 3000],
                    "bill_whole_units": True,
                    "min_premium": -0.05,
                },
                "tiers": [
                    {
                        "name": "std",
                        "service_level": 0.8,
                        "answer_within_seconds": 20.0,
                        "prices": [3700.0, 3900.0, 4300.0, 4500.0],
                    }
                ],
            }
        ],
    }
    if budget is not None:
        raw["client"] = {"budget_per_month": budget}
    full = validate_scenario(raw, "<reception>").raw()
    full.pop("variants", None)
    return full


@pytest.mark.parametrize(
    ("budget", "revenue"),
    [(None, 36626.0), (36300.0, 36000.0), (35000.0, 34500.0), (33300.0, 33000.0), (24000.0, None)],
    ids=["free", "minimum_and_top_fee", "minimum_and_middle_fee", "minimum_only", "infeasible"],
)
def test_reception_terms(budget: float | None, revenue: float | None) -> None:
    """Whole seats, bands, the minimum, the fee menu and the price band on one deal.

    3700 is below the floor 4000 x 0.95 and 4500 above the cap 4000 x 1.1. The 8
    billed seats are 5 + 2 x 0.95 + 1 x 0.92 = 7.82 full-price seats: 3900 x 7.82 =
    30,498 is topped up to the minimum 33,000 and 4300 x 7.82 = 33,626 is not; with
    the fees 0, 1500 or 3000 the options are 33,000 34,500 36,000 (3900) and 33,626
    35,126 36,626 (4300). The dearest within the budget wins (none covers the cost
    under a budget of 24,000), and the pipeline agrees."""
    from oracle import build_deal

    raw = reception_deal(budget)
    need = build_deal(raw).cats[0].tiers[0]
    assert need.billable == 8.0 and 7.7 < need.productive_hours / 0.7 / 160.0 < 8.0
    oracle = solve(raw)
    if revenue is None:
        assert oracle.status == "infeasible"
    else:
        assert oracle.status == "optimal" and math.isclose(oracle.revenue, revenue)
    problems = disagreements(oracle, pipeline_answer(raw))
    assert not problems, problems


def test_whole_seats_ignore_float_noise() -> None:
    """128 productive hours at 20% shrinkage are 1 FTE, computed as 1.0000000000000002:
    one billed seat, not two, in the oracle and the pipeline alike."""
    from oracle import build_deal

    raw = {
        "scenario": "one seat",
        "provider": {
            "shrinkage": 0.2,
            "max_occupancy": 1.0,
            "sites": [{"name": "home", "hourly_cost": 20.0}],
        },
        "categories": [
            {
                "name": "mail",
                "channel": "deferred",
                "contacts_per_month": 1280.0,  # x 6 min = 128 hours
                "aht_seconds": 360.0,
                "profile": [1.0] * 24,
                "pricing": "per_fte_month",
                "terms": {"bill_whole_units": True},
                "tiers": [{"name": "std", "share": 1.0, "within_hours": 48.0, "prices": [5000.0]}],
            }
        ],
    }
    full = validate_scenario(raw, "<one seat>").raw()
    full.pop("variants", None)
    need = build_deal(full).cats[0].tiers[0]
    assert need.productive_hours / 0.8 / 160.0 > 1.0 and need.billable == 1.0
    oracle = solve(full)
    assert oracle.status == "optimal" and oracle.revenue == 5000.0
    assert not disagreements(oracle, pipeline_answer(full))


def onshore_deal(
    price: float,
    terms: dict[str, Any],
    seats: int | None = None,
    weights: tuple[float, float] = (1.0, 1.0),
    contacts: float = 400.0,
    objective: str = "max_margin",
) -> dict[str, Any]:
    """tests/test_site_mix.py's hand-worked deal: mon 09:00-11:00, 180 s calls, denver 120
    and manila 40 an agent-interval (400 contacts: 5 agents in each interval, R = 10)."""
    raw = site_mix_deal(price=price, premium=None, seats=seats, contacts=contacts)
    raw["objective"] = objective
    raw["categories"][0]["terms"] = terms
    raw["categories"][0]["profile"] = [1.0] * 9 + list(weights) + [1.0] * 13
    full = validate_scenario(raw, "<onshore>").raw()
    full.pop("variants", None)
    return full


PREMIUM = {"site_premium": {"denver": 0.25}}


@pytest.mark.parametrize(
    ("deal", "design", "exact"),
    [
        # p = 3: all in manila (1,200 - 400); p = 10: all in denver (5,000 - 1,200)
        (onshore_deal(3.0, PREMIUM), (1200.0, 400.0), (1200.0, 400.0)),
        (onshore_deal(10.0, PREMIUM), (5000.0, 1200.0), (5000.0, 1200.0)),
        # 3 denver seats: 6 of 10 there, 4,000 x (1 + 0.25 x 0.6), cost 6 x 120 + 4 x 40
        (onshore_deal(10.0, PREMIUM, seats=3), (4600.0, 880.0), (4600.0, 880.0)),
        # 30% from denver: 3 of 10 there, 1,200 x (1 + 0.25 x 0.3), cost 640; no premium
        (onshore_deal(3.0, {**PREMIUM, "min_site_share": {"denver": 0.3}}), (1290.0, 640.0), None),
        (onshore_deal(3.0, {"min_site_share": {"denver": 0.3}}), (1200.0, 640.0), None),
        # 35% + 62% need 11 agent-intervals (test_site_mix: one agent above the tier)
        (
            onshore_deal(3.0, {**PREMIUM, "min_site_share": {"denver": 0.35, "manila": 0.62}}),
            (1320.0, 760.0),
            "infeasible",
        ),
        # the lowest bid bills from manila, denver idle for its share (test_site_mix)
        (
            onshore_deal(
                3.0, {**PREMIUM, "min_site_share": {"denver": 0.3}}, objective="min_price"
            ),
            (1200.0, 1000.0),
            (1290.0, 640.0),
        ),
        # 8 + 2 agents, 3 denver seats: an idle denver agent buys premium share (design)
        (
            onshore_deal(
                10.0, {"site_premium": {"denver": 1.0}}, 3, weights=(1.0, 0.1), contacts=440.0
            ),
            (7040.0, 920.0),
            (6600.0, 800.0),
        ),
    ],
    ids=["manila", "denver", "seats", "share", "share_only", "idle", "min_price", "buy_share"],
)
def test_oracle_site_terms_by_hand(deal: dict[str, Any], design: Any, exact: Any) -> None:
    """The oracle's site premium and shares on hand-worked deals, under the design's
    reading (coverage >= the tier, b_s <= q H_s / R, the product's) and the earlier one
    (staffed exactly);
    ``exact`` None: the same as ``design``."""
    for conv, want in ((Conventions(), design), (Conventions(site_split="exact"), exact or design)):
        got = solve(deal, conv=conv)
        if want == "infeasible":
            assert got.status == "infeasible", conv
            continue
        assert got.status == "optimal", conv
        assert math.isclose(got.revenue, want[0], rel_tol=1e-9), (conv, got.revenue)
        assert math.isclose(got.cost, want[1], rel_tol=1e-9), (conv, got.cost)


@pytest.mark.parametrize(
    ("deal", "want"),
    [
        (onshore_deal(3.0, {**PREMIUM, "min_site_share": {"denver": 0.35, "manila": 0.62}}), 560.0),
        (
            onshore_deal(
                3.0, {**PREMIUM, "min_site_share": {"denver": 0.3}}, objective="min_price"
            ),
            200.0,
        ),
        (
            onshore_deal(
                10.0, {"site_premium": {"denver": 1.0}}, 3, weights=(1.0, 0.1), contacts=440.0
            ),
            5800.0,
        ),
    ],
    ids=["idle", "min_price", "buy_share"],
)
def test_oracle_plan_reading_by_hand(deal: dict[str, Any], want: float) -> None:
    """``site_split`` "plan" on the repro deals: the one idle agent the shares need is
    allowed (margin 560, as the design's reading), a premium is not bought with idle
    agents (5,800: the product's answer while it capped a site's agents at the tiers'
    peak; 6,120 under the design's reading, now the product's), and under min_price idle
    denver agents meet the share while manila's bill the work (spend 1,200, cost 1,000:
    margin 200)."""
    got = solve(deal, conv=Conventions(site_split="plan"))
    assert got.status == "optimal" and math.isclose(got.margin, want, rel_tol=1e-9)


def test_the_product_buys_a_premium_share_with_an_idle_agent() -> None:
    """The buy_share deal worked by hand (design 11: each site's part of the quantity at
    most what it staffs, coverage at least the tier's): 440 contacts a month at 10,
    Denver billed 100% more, 3 Denver seats; the tier needs 8 agents at 09:00 and 2 at
    10:00 (R = 10). Denver's 3 seats in both intervals (one agent idle at 10:00) staff
    6 of 10: revenue 4,400 x 1.6 = 7,040, cost 6 x 120 + 5 x 40 = 920, margin 6,120;
    the idle agent costs 120 and carries 440 of premium. With a site's agents capped at
    the tiers' need in each interval (as the model did) the best was 5 of 10: 5,800."""
    deal = onshore_deal(10.0, {"site_premium": {"denver": 1.0}}, 3, (1.0, 0.1), 440.0)
    out = pipeline_answer(deal)
    assert out["status"] == "optimal" and out["verified"]
    assert (out["totals"]["revenue"], out["totals"]["cost"]) == pytest.approx((7040.0, 920.0))
    assert out["categories"][0]["terms"]["site_shares"] == pytest.approx(
        {"denver": 0.6, "manila": 0.4}
    )
    paid = {site["name"]: site["paid_hours"] for site in out["sites"]}
    assert paid == pytest.approx({"denver": 24.0, "manila": 20.0})  # 6 and 5 a week, 4 weeks
    oracle = solve(deal)
    assert math.isclose(oracle.margin, out["totals"]["margin"], rel_tol=1e-9)


LEVEL_95_IN_10 = {"service_level": 0.95, "answer_within_seconds": 10, "amount": 150}


def test_oracle_bonus_with_a_site_premium_by_hand() -> None:
    """tests/test_site_mix's bonus with a premium on a flat profile: 5 agents in each
    interval for the tier (R = 10), 6 for the 95%-in-10-s level. Denver's 10 carry all
    400 contacts at the 25% premium and Manila's 2 above the tier earn the level:
    4,000 + 1,000 + 150 - (10 x 120 + 2 x 40) = 3,870, as the pipeline. Were R the
    level's 12 (``bonus_split`` "staffed"), all of q from Denver would need its 12
    (5,150 - 1,440 = 3,710), and the plain 4,000 + 1,000 - 1,200 = 3,800 would win."""
    deal = onshore_deal(10.0, {**PREMIUM, "bonus": [LEVEL_95_IN_10]})
    got = solve(deal)
    assert got.status == "optimal"
    assert math.isclose(got.margin, 3870.0) and math.isclose(got.cost, 1280.0)
    assert math.isclose(solve(deal, conv=Conventions(bonus_split="staffed")).margin, 3800.0)
    assert not disagreements(got, pipeline_answer(deal))


def unearned_level_deal(objective: str) -> dict[str, Any]:
    """The onshore deal at 10:00 weight 0.4 (6 and 3 agents, R = 9) with an
    85%-in-20-s level of 100 (6 and 4 agents), Denver premium 10%, Manila 20%, 5 Denver
    seats."""
    level = {"service_level": 0.85, "answer_within_seconds": 20, "amount": 100}
    terms = {"site_premium": {"denver": 0.1, "manila": 0.2}, "bonus": [level]}
    return onshore_deal(3.0, terms, seats=5, weights=(1.0, 0.4), objective=objective)


def test_oracle_bills_a_level_the_staffing_meets() -> None:
    """min_price on ``unearned_level_deal``: all 400 contacts billed from Denver (the
    lower premium) need its 5 + 4 agent-intervals, whose 6 and 4 agents with Manila's 1
    meet the level: 1,200 x 1.1 + 100 = 1,420. Denver's 5 + 3 bill 8/9 of q:
    1,200 x (1 + 0.1 x 8/9 + 0.2 x 1/9) = 1,333.33 at 8 x 120 + 40 = 1,000, the level
    unmet (3 agents at 10:00): the lowest spend, as the pipeline (which answered 1,320,
    the level earned and unbilled, and failed its own verification, exit 5, until
    ``optimizer.milp.bonus._short_somewhere``). Under max_margin Manila staffs 6 + 4,
    bills all at 20% and earns the level: 1,440 + 100 - 400 = 1,140, as the pipeline."""
    deal = unearned_level_deal("min_price")
    got = solve(deal)
    assert got.status == "optimal"
    assert math.isclose(got.revenue, 1200.0 * (1 + 1 / 9), rel_tol=1e-9)
    assert math.isclose(got.cost, 1000.0)
    out = pipeline_answer(deal)
    assert out["verified"] and not disagreements(got, out)
    deal = unearned_level_deal("max_margin")
    got = solve(deal)
    assert got.status == "optimal" and math.isclose(got.margin, 1140.0)
    assert not disagreements(got, pipeline_answer(deal))


@pytest.mark.parametrize(
    ("objective", "premium", "design", "peak"),
    [
        ("max_margin", 1.0, (7040.0, 920.0), (6600.0, 800.0)),
        ("min_price", -0.5, (3080.0, 920.0), (3300.0, 800.0)),
    ],
    ids=["premium", "discount"],
)
def test_oracle_peak_reading_by_hand(
    objective: str, premium: float, design: tuple[float, float], peak: tuple[float, float]
) -> None:
    """``site_split`` "peak" (the product's agents per site and interval at most the
    category's peak need, until 2026-12-03) on the buy_share deal (8 + 2 agents, R = 10,
    3 Denver seats, 440 contacts at 10: C = 4,400): the design's Denver staffs 3 + 3, one
    agent idle at 10:00, and bills 6/10 of q; capped, 3 + 2 bill 5/10. With a 100%
    premium (max_margin) 4,400 x 1.6 = 7,040 at 6 x 120 + 5 x 40 = 920 against 6,600 at
    800; with a 50% discount the lowest bid is 4,400 x 0.7 = 3,080 against 3,300. The
    pipeline now gives the design's."""
    deal = onshore_deal(
        10.0, {"site_premium": {"denver": premium}}, 3, (1.0, 0.1), 440.0, objective
    )
    for conv, want in ((Conventions(), design), (Conventions(site_split="peak"), peak)):
        got = solve(deal, conv=conv)
        assert got.status == "optimal"
        assert math.isclose(got.revenue, want[0], rel_tol=1e-9), (conv, got.revenue)
        assert math.isclose(got.cost, want[1], rel_tol=1e-9), (conv, got.cost)
    totals = pipeline_answer(deal)["totals"]
    assert (totals["revenue"], totals["cost"]) == pytest.approx(design)


def test_oracle_peak_reading_declares_a_budget_infeasible() -> None:
    """The discount deal of ``test_oracle_peak_reading_by_hand`` under max_margin with a
    budget of 3,200: the spend 4,400 x (1 - 0.5 x Denver's part) fits only with Denver
    billing at least 6/11 of q, so its one idle agent at 10:00 (3 + 3): revenue 3,200,
    cost 920, margin 2,280, as the pipeline. Capped at the peak (3 + 2: at most half),
    the lowest spend is 3,300 and the deal is infeasible, as the pipeline said before
    2026-12-03 (combo seed 708's class)."""
    deal = onshore_deal(10.0, {"site_premium": {"denver": -0.5}}, 3, (1.0, 0.1), 440.0)
    deal["client"] = {"budget_per_month": 3200.0}
    got = solve(deal)
    assert got.status == "optimal" and math.isclose(got.margin, 2280.0, rel_tol=1e-9)
    assert solve(deal, conv=Conventions(site_split="peak")).status == "infeasible"
    out = pipeline_answer(deal)
    assert out["status"] == "optimal" and out["verified"] and not disagreements(got, out)
