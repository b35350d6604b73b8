"""An independent brute-force oracle for small tierprice deals, and a random deal generator.

Written from the specification of the maths (docs/ and the README's "Model conventions"),
without any of the product's code: its own opening hours and profile spreading, its
own Erlang C (Erlang-B recursion), its own Erlang A (an exact birth-death chain and a
small CTMC for the waiting customer), its own chat, deferred-work and cost formulas.
The only thing it takes from ``optimizer`` is the scenario itself: the raw mapping of
a validated scenario (``Scenario.raw()``, defaults filled in).

Method: enumerate every combination of tiers (one per category); for each, find the
cheapest staffing that meets the tiers and the site limits (closed form when nothing
couples the categories, else a small MILP with ``scipy.optimize.milp``); then
enumerate every combination of price points (a continuous price range is handled
exactly: the feasible totals form an interval) and keep the best under the client and
provider limits. ``max_margin`` maximises revenue - cost; ``min_price`` minimises the
client's spend and then, lexicographically, the provider's cost at that spend.

Contract terms (a category's ``terms`` and plan price points), from the product's
specification of them: a price point is a plan ``(fee, included, unit_price)`` (a
plain price p is ``(0, 0, p)``); the usage above ``included`` is discounted by volume
bands (``incremental``: each band's units at its discount; ``all_units``: every unit at
the discount of the band reached); the usage charge ``fee + unit_price x billed
units`` is at least ``minimum_monthly``; a platform fee (or each fee of its menu, one
more option per price point) is added on top; ``bill_whole_units`` bills ceil(FTE);
``min_premium`` is a floor on the unit price. Each option's revenue is a constant per
tier, so the enumeration and every limit (budget, cost per contact, ROI, margin floor)
read it as they read ``price x quantity``. A category's own margin floor (terms
``min_margin`` = m) asks (1 - m) x its revenue >= its direct cost (its agents); the
generator puts one only on deals whose categories nothing couples (no seats, no max
FTE), where a category's direct cost is its own cheapest staffing.

Site terms (design 11, "Site premium and shares"): a minimum site share asks
``sum_t n[s,c,t] >= share x sum_s' sum_t n[s',c,t]`` (agent-intervals), a row of the
staffing MILP (in closed form, ``_share_cost``, when nothing couples the categories).
A site premium splits the billable quantity q over the sites, ``b_s >= 0``,
``sum_s b_s = q``, ``b_s <= q x H_s / R`` (``H_s`` the agent-intervals s staffs for the
category, ``R`` those its tier requires: what a site staffs, in the billable unit),
each site's share of the plan charge billed ``premium_s`` more; revenue then depends on
the staffing, so every (tier choice, price options) is bounded by its revenue range
over the shares at its relaxed cost and, best bound first, solved exactly by one MILP
with the split as variables (``premium_candidate``).

Conventions the design leaves open are fixed in :class:`Conventions` (one flag each),
so that a disagreement can be re-checked under the alternative reading:

* ``deferred_wrap``: how the cumulative deadline of design 6.4 wraps over the cyclic
  week (``"per_week"``, this oracle's reading, or ``"backlog_due"``, the formula the
  product's ``optimizer.milp.deferred`` docstring states).
* ``erlang_a_occupancy``: ``"handled"`` (design 4 / README: A(1 - P_ab)/N <= cap) or
  ``"offered"`` (A/N <= cap).
* ``missing_premium``: a ``benchmark_price`` without ``max_premium`` caps the price at
  the benchmark (``"zero"``) or is ignored (``"ignored"``).
* ``min_price_tiebreak``: ``"lexicographic"`` (cheapest staffing at the lowest spend)
  or ``"none"`` (any staffing at the lowest spend).
* ``site_split``: ``"design"`` (coverage at least the tier's, as everywhere: agents
  above it count in ``H_s``; the product's reading since 2026-12-03), ``"exact"`` (its
  earlier reading: a category with a site premium staffed exactly to its tier, so the
  split is in proportion to the hours)
  or ``"plan"`` (agents above the tier allowed, but the split follows only the agents
  that meet the tier: idle agents count in the shares and the cost, never in billing),
  or ``"peak"`` (the product's model until its fix of 2026-12-03: each site's agents
  of a queue category in an interval at most the most any of its tiers or bonus levels
  needs there, so no site staffs an idle agent beyond that peak to carry premium
  units).
* ``bonus_split``: ``R`` of a premium category with bonus levels claimed, ``"tier"``
  (the tier's own requirement, the product's) or ``"staffed"`` (the staffing the tier
  and its claimed levels need).

A bonus level is earned, so billed, whenever the staffing meets it in every interval
(README: "each level the staffing meets in every interval earns its amount"), also
where a site premium or minimum shares staff a category above its requirement: each
level a choice leaves unclaimed must then fall short in some interval
(``_unearned_rows``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from scipy.linalg import expm
from scipy.optimize import Bounds, LinearConstraint, milp

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEK_MINUTES = 7 * 24 * 60
FEAS_REL = 1e-9
"""Relative slack when the oracle checks a limit (float noise only)."""
RATIO_TOL = 1e-12
"""Relative slack when a ratio is rounded up to whole servers (5 / 2.5 -> 2)."""
SEAT_NOISE = 1e-9
"""Float noise that is not a billed seat (``bill_whole_units``: ceil(FTE - 1e-9))."""


@dataclass(frozen=True)
class Conventions:
    """Readings of points the design leaves open (see the module docstring)."""

    deferred_wrap: str = "per_week"
    erlang_a_occupancy: str = "handled"
    missing_premium: str = "zero"
    min_price_tiebreak: str = "lexicographic"
    site_split: str = "design"
    bonus_split: str = "tier"


# ---------------------------------------------------------------------------
# Time: opening hours and profiles (design 3; README "Time")
# ---------------------------------------------------------------------------


def _days(spec: str) -> list[int]:
    out: list[int] = []
    for item in spec.strip().lower().split(","):
        item = item.strip()
        if item in ("daily", "all"):
            out.extend(range(7))
            continue
        ends = [p.strip() for p in item.split("-")]
        a, b = DAY_NAMES.index(ends[0]), DAY_NAMES.index(ends[-1])
        out.extend((a + i) % 7 for i in range((b - a) % 7 + 1))
    return out


def _ranges(spec: str) -> list[tuple[int, int]]:
    text = spec.strip().lower()
    if text == "closed":
        return []
    if text == "24h":
        return [(0, 1440)]
    out = []
    for part in text.split(","):
        lo, hi = (x.strip() for x in part.split("-"))
        start = int(lo[:2]) * 60 + int(lo[3:5])
        end = int(hi[:2]) * 60 + int(hi[3:5])
        if end < start:
            end += 1440
        out.append((start, end))
    return out


def open_intervals(open_hours: dict[str, str] | None, minutes: int) -> np.ndarray:
    """True for each interval whose start minute lies in an open range (wrapping)."""
    n = WEEK_MINUTES // minutes
    if open_hours is None:
        return np.ones(n, dtype=bool)
    per_day: dict[int, list[tuple[int, int]]] = {}
    for key, value in open_hours.items():
        for d in _days(key):
            per_day[d] = _ranges(value)
    mask = np.zeros(n, dtype=bool)
    for t in range(n):
        start = t * minutes
        for d, rngs in per_day.items():
            for lo, hi in rngs:
                a, b = d * 1440 + lo, d * 1440 + hi
                if a <= start < b or a <= start + WEEK_MINUTES < b:
                    mask[t] = True
    return mask


def profile_weights(profile: Any, minutes: int) -> np.ndarray:
    """One weight per interval from a list (week/day, per interval/hour) or days x intraday."""
    n = WEEK_MINUTES // minutes
    per_hour = 60 // minutes
    if isinstance(profile, dict):
        days = np.asarray(profile["days"], float)
        intra = np.asarray(profile["intraday"], float)
        if intra.size == 24 and 24 * per_hour != 24:
            intra = np.repeat(intra / per_hour, per_hour)
        return np.outer(days, intra).ravel()
    if isinstance(profile, str):
        raise ValueError("the oracle only knows weight lists (built-in profiles are not used)")
    w = np.asarray(profile, float)
    if w.size == n:
        return w
    if w.size == n // 7:
        return np.tile(w, 7)
    if w.size == 168:
        return np.repeat(w / per_hour, per_hour)
    if w.size == 24:
        return np.tile(np.repeat(w / per_hour, per_hour), 7)
    raise ValueError(f"profile of {w.size} weights")


# ---------------------------------------------------------------------------
# Queueing (design 4)
# ---------------------------------------------------------------------------


def erlang_c_wait(n: int, a: float) -> float:
    """P(wait) of M/M/n with load a (n > a), from the Erlang-B recursion."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return n * b / (n - a * (1.0 - b))


def erlang_c_sl(n: int, a: float, aht: float, within: float) -> float:
    if a <= 0:
        return 1.0
    if n <= a:
        return 0.0
    return 1.0 - erlang_c_wait(n, a) * math.exp(-(n - a) * within / aht)


@lru_cache(maxsize=200_000)
def erlang_a(n: int, lam: float, aht: float, patience: float, within: float) -> tuple[float, float]:
    """(SL, P(abandon)) of M/M/n+M: exact birth-death chain, SL over offered contacts.

    A contact arriving to k >= n in system has j = k - n ahead of it; each stage ends
    when a server frees (n mu) or someone ahead abandons (i theta), or it abandons
    itself (theta). P(served within T | j) is read from a small CTMC by expm.
    """
    mu, th = 1.0 / aht, 1.0 / patience
    a = lam / mu
    # log of unnormalised pi_k, k = 0..n, then the queue part
    logs = [0.0]
    for k in range(1, n + 1):
        logs.append(logs[-1] + math.log(a / k) if a > 0 else -math.inf)
    peak_j = max(0.0, (lam - n * mu) / th)
    jmax = int(peak_j + 60 + 12 * math.sqrt(peak_j + 1))
    q = [logs[-1]]
    for j in range(1, jmax + 1):
        q.append(q[-1] + math.log(lam / (n * mu + j * th)))
    allv = np.array(logs[:-1] + q)
    top = allv.max()
    pi = np.exp(allv - top)
    pi /= pi.sum()
    below, queue = pi[:n], pi[n:]
    keep = int(np.max(np.flatnonzero(queue > 1e-18 * queue.max()))) + 1 if queue.size else 0
    queue = queue[:keep]
    js = np.arange(queue.size)
    p_ab = th * float(np.sum(js * queue)) / lam
    if n == 0:
        return 0.0, p_ab
    size = queue.size
    gen = np.zeros((size + 1, size + 1))
    for i in range(size):
        r = n * mu + i * th
        gen[i, i] = -(r + th)
        if i == 0:
            gen[0, size] = r  # served
        else:
            gen[i, i - 1] = r
    served = expm(gen * within)[:size, size]
    sl = float(below.sum() + np.sum(queue * served))
    return min(sl, 1.0), p_ab


def required_servers(
    load: float,
    aht: float,
    target: float,
    within: float,
    occ: float,
    patience: float | None,
    cap: float | None,
    conv: Conventions,
) -> tuple[int, float, bool]:
    """(smallest N meeting the tier, P(abandon) at N, near_tie) for one interval."""
    if load <= 0:
        return 0, 0.0, False

    def ok(n: int) -> tuple[bool, float, float]:
        if patience is None:
            sl = erlang_c_sl(n, load, aht, within)
            good = n > load and sl >= target and load / n <= occ * (1 + RATIO_TOL)
            return good, 0.0, sl
        if n == 0:
            return False, 1.0, 0.0
        sl, pab = erlang_a(n, load / aht, aht, patience, within)
        if conv.erlang_a_occupancy == "handled":
            occ_ok = load * (1 - pab) / n <= occ * (1 + RATIO_TOL)
        else:
            occ_ok = load / n <= occ * (1 + RATIO_TOL)
        good = sl >= target and occ_ok and (cap is None or pab <= cap)
        return good, pab, sl

    lo = 0 if patience is not None else math.floor(load)
    hi = max(lo + 1, 1)
    while not ok(hi)[0]:
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # ok(lo) false (or lo is the floor), ok(hi) true
        mid = (lo + hi) // 2
        if ok(mid)[0]:
            hi = mid
        else:
            lo = mid
    _, pab, sl = ok(hi)
    near = abs(sl - target) < 1e-9
    if hi > 0:
        _, _, sl_below = ok(hi - 1)
        near = near or abs(sl_below - target) < 1e-9
    return hi, pab, near


# ---------------------------------------------------------------------------
# The deal, its requirements and costs
# ---------------------------------------------------------------------------


@dataclass
class TierNeed:
    name: str
    agents: np.ndarray  # productive agents per interval (queues)
    handled: float  # per month
    productive_hours: float
    billable: float
    value: float
    share: float = 0.0
    lag: int = 0
    index: int = -1
    """The tier's position in the scenario (-1: its own position in ``CatInfo.tiers``)."""
    bonus: float = 0.0
    """The bonus earned (money per month): the levels ``on``, staffed for in ``agents``."""
    on: tuple[bool, ...] = ()
    due: tuple[bool, ...] = ()
    """The bonus levels ``agents`` meets in every interval: earned, so billed (``on``)."""
    required: float = -1.0
    """The agent-intervals the tier itself requires (``R`` of a site premium's split),
    without the levels claimed (-1: ``agents.sum()``, no levels)."""

    def split_base(self, conv: Conventions) -> float:
        """``R`` of the split ``b_s <= q H_s / R``: the tier's own required agent-intervals
        (``bonus_split`` "tier"), or the staffing the claimed levels need ("staffed")."""
        if self.required < 0 or conv.bonus_split == "staffed":
            return float(self.agents.sum())
        return self.required


@dataclass
class CatInfo:
    raw: dict[str, Any]
    name: str
    channel: str
    volume: np.ndarray
    open: np.ndarray
    tiers: list[TierNeed]
    sites: list[int]
    near_tie: bool = False
    premium: dict[int, float] = field(default_factory=dict)
    """Site index -> the premium its delivered units are billed at (``site_premium``)."""
    shares: dict[int, float] = field(default_factory=dict)
    """Site index -> the client's minimum share of the productive hours (``min_site_share``)."""
    levels: list[np.ndarray] = field(default_factory=list)
    """Each bonus level's requirement table (productive agents per interval)."""


@dataclass
class Deal:
    raw: dict[str, Any]
    minutes: int
    wpm: float
    n: int
    cats: list[CatInfo]
    sites: list[dict[str, Any]]
    unit_cost: list[float]  # per productive agent-interval, per site
    paid_per_agent: list[float]  # monthly paid hours per productive agent-interval
    keep: list[float]  # 1 - shrinkage per site
    fixed: float  # fixed + set-up + project costs per month


def _billable(deal_raw: dict[str, Any], cat: dict[str, Any], handled: float, hours: float) -> float:
    prov = deal_raw["provider"]
    model = cat["pricing"]
    if model == "per_contact":
        return handled
    if model == "per_minute":
        return handled * cat["aht_seconds"] / 60.0
    if model == "per_productive_hour":
        return hours
    if model == "per_fte_month":
        fte = hours / (1.0 - prov["shrinkage"]) / prov["fte_hours_per_month"]
        if contract_terms(cat)["bill_whole_units"]:
            return float(math.ceil(fte - SEAT_NOISE))  # whole seats
        return fte
    if model == "per_resolution":
        return handled * cat["resolution_rate"]
    if model == "revenue_share":
        return handled * cat["conversion_rate"] * cat["value_per_sale"]
    if model == "fixed_fee":
        return 1.0 / deal_raw["contract_months"] if cat["channel"] == "project" else 1.0
    if model == "per_unit":  # a project priced per unit of work (12 interviews)
        return cat["units"] / deal_raw["contract_months"]
    if model == "per_hour":  # a project priced per specialist hour
        return project_hours(cat) / deal_raw["contract_months"]
    raise AssertionError(model)


def contract_terms(cat: dict[str, Any]) -> dict[str, Any]:
    """A category's contract terms with their defaults: no bands, no minimum, platform
    fee 0 (always a menu here), fractional FTE, no lower price side."""
    terms = dict(cat.get("terms") or {})
    fee = terms.get("platform_fee", 0.0)
    terms["platform_fee"] = [float(f) for f in fee] if isinstance(fee, list) else [float(fee)]
    terms.setdefault("bill_whole_units", False)
    return terms


def as_plan(point: Any) -> tuple[float, float, float]:
    """(fee, included, unit_price) of a price point; a plain price p is (0, 0, p)."""
    if isinstance(point, dict):
        return float(point["fee"]), float(point.get("included", 0.0)), float(point["unit_price"])
    return 0.0, 0.0, float(point)


def billed_units(usage: float, bands: dict[str, Any] | None) -> float:
    """The usage after volume discounts, in full-price units.

    ``incremental``: the units between a band's ``from`` and the next band's at
    (1 - that band's discount); ``all_units``: every unit at (1 - the discount of the
    last band whose ``from`` the usage reaches)."""
    if not bands:
        return usage
    steps = [(float(b["from"]), float(b["discount"])) for b in bands["bands"]]
    if bands.get("kind", "incremental") == "all_units":
        reached = [d for start, d in steps if usage >= start]
        return usage * (1.0 - reached[-1])
    total = 0.0
    for i, (start, discount) in enumerate(steps):
        end = steps[i + 1][0] if i + 1 < len(steps) else math.inf
        total += max(0.0, min(usage, end) - start) * (1.0 - discount)
    return total


def plan_charge(point: Any, q: float, terms: dict[str, Any]) -> float:
    """A price point's usage charge at billable quantity q: plan fee + unit price x the
    banded usage above the included units, then at least the minimum monthly charge."""
    fee, included, unit_price = as_plan(point)
    charge = fee + unit_price * billed_units(max(0.0, q - included), terms.get("volume_bands"))
    if terms.get("minimum_monthly") is not None:
        charge = max(charge, float(terms["minimum_monthly"]))
    return charge


def project_hours(cat: dict[str, Any]) -> float:
    """A project's specialist hours: effort_hours, or units x effort_hours_per_unit."""
    if cat.get("effort_hours_per_unit") is not None:
        return cat["units"] * cat["effort_hours_per_unit"]
    return cat["effort_hours"]


def _value(cat: dict[str, Any], handled: float) -> float:
    """The client's value: contacts and resolutions at their values, and the sales a
    revenue share brings (unless ``sales_are_value`` is false)."""
    res = handled * (cat.get("resolution_rate") or 0.0)
    value = handled * cat.get("value_per_contact", 0.0) + res * cat.get("value_per_resolution", 0.0)
    if cat["pricing"] == "revenue_share" and cat.get("sales_are_value") is not False:
        value += handled * cat["conversion_rate"] * cat["value_per_sale"]
    return value


def with_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``raw`` with the README's defaults filled in where the oracle needs them."""
    import copy

    out = copy.deepcopy(raw)
    out.setdefault("contract_months", 12)
    out.setdefault("objective", "max_margin")
    cal = out.setdefault("calendar", {})
    cal.setdefault("interval_minutes", 30)
    cal.setdefault("weeks_per_month", 52.0 / 12.0)
    prov = out["provider"]
    for key, value in (
        ("min_margin", 0.0),
        ("shrinkage", 0.30),
        ("max_occupancy", 0.85),
        ("supervisor_ratio", 12.0),
        ("supervisor_hourly_cost", 0.0),
        ("fte_hours_per_month", 160.0),
        ("fixed_monthly_cost", 0.0),
        ("setup_cost", 0.0),
    ):
        prov.setdefault(key, value)
    for cat in out["categories"]:
        cat.setdefault("profile", "business_hours")
        cat.setdefault("concurrency", 1.0)
        cat.setdefault("value_per_contact", 0.0)
        cat.setdefault("value_per_resolution", 0.0)
    out.setdefault("client", {})
    return out


def build_deal(raw: dict[str, Any], conv: Conventions = Conventions()) -> Deal:
    """Requirements of every (category, tier) and the unit costs, from the raw scenario."""
    raw = with_defaults(raw)
    cal = raw.get("calendar", {})
    minutes = int(cal.get("interval_minutes", 30))
    wpm = float(cal.get("weeks_per_month", 52.0 / 12.0))
    n = WEEK_MINUTES // minutes
    hours = minutes / 60.0
    seconds = minutes * 60.0
    prov = raw["provider"]
    occ = prov["max_occupancy"]
    sites = prov["sites"]
    rate_tl = prov["supervisor_hourly_cost"] / prov["supervisor_ratio"]
    keep, unit, paid = [], [], []
    for s in sites:
        shr = s.get("shrinkage", prov["shrinkage"])
        keep.append(1.0 - shr)
        paid.append(hours * wpm / (1.0 - shr))
        unit.append((s["hourly_cost"] + s.get("overhead_per_hour", 0.0) + rate_tl) * paid[-1])
    fixed = prov["fixed_monthly_cost"] + prov["setup_cost"] / raw["contract_months"]
    cats = []
    for c in raw["categories"]:
        allowed = [
            i
            for i, s in enumerate(sites)
            if s.get("categories") is None or c["name"] in s["categories"]
        ]
        if c["channel"] == "project":
            fixed += project_hours(c) * c["specialist_hourly_cost"] / raw["contract_months"]
            tiers = [
                TierNeed(t["name"], np.zeros(n, int), 0.0, 0.0, _billable(raw, c, 0.0, 0.0), 0.0)
                for t in c["tiers"]
            ]
            cats.append(CatInfo(c, c["name"], "project", np.zeros(n), np.zeros(n, bool), tiers, []))
            continue
        mask = open_intervals(c.get("open_hours"), minutes)
        w = np.where(mask, profile_weights(c["profile"], minutes), 0.0)
        volume = c["contacts_per_month"] / wpm * w / w.sum()
        aht = c["aht_seconds"]
        info = CatInfo(c, c["name"], c["channel"], volume, mask, [], allowed)
        for t in c["tiers"]:
            if c["channel"] == "deferred":
                handled = float(volume.sum()) * wpm
                prod = handled * aht / 3600.0 / occ
                lag = round(t["within_hours"] * 60 / minutes)
                need = TierNeed(
                    t["name"],
                    np.zeros(n, int),
                    handled,
                    prod,
                    _billable(raw, c, handled, prod),
                    _value(c, handled),
                    t["share"],
                    lag,
                )
                info.tiers.append(need)
                continue
            agents = np.zeros(n, int)
            handled = 0.0
            for i in np.flatnonzero(volume > 0):
                load = volume[i] * aht / seconds
                servers, pab, near = required_servers(
                    load,
                    aht,
                    t["service_level"],
                    t["answer_within_seconds"],
                    occ,
                    c.get("patience_seconds"),
                    t.get("max_abandon"),
                    conv,
                )
                info.near_tie |= near
                if c["channel"] == "chat":
                    ratio = servers / c.get("concurrency", 1.0)
                    agents[i] = math.ceil(ratio * (1 - RATIO_TOL))
                else:
                    agents[i] = servers
                lost = pab if c["channel"] == "voice" else 0.0  # 6.2: chat, handled = offered
                handled += volume[i] * (1.0 - lost)
            handled *= wpm
            prod = float(agents.sum()) * hours * wpm
            info.tiers.append(
                TierNeed(
                    t["name"],
                    agents,
                    handled,
                    prod,
                    _billable(raw, c, handled, prod),
                    _value(c, handled),
                )
            )
        levels = contract_terms(c).get("bonus") or []
        if levels:
            info.tiers = _with_bonus(info, levels, aht, seconds, conv)
        index = {site["name"]: i for i, site in enumerate(sites)}
        for key, into in (("site_premium", info.premium), ("min_site_share", info.shares)):
            for site, value in (contract_terms(c).get(key) or {}).items():
                into[index[site]] = float(value)
        cats.append(info)
    return Deal(raw, minutes, wpm, n, cats, sites, unit, paid, keep, fixed)


def _with_bonus(
    info: CatInfo, levels: list[dict[str, Any]], aht: float, seconds: float, conv: Conventions
) -> list[TierNeed]:
    """Each tier once per set of bonus levels claimed (design 11: a level is earned when
    coverage meets its service level in every interval, with no occupancy cap, and adds
    its amount to the revenue): the staffing is the larger of the tier's and the levels'
    in each interval; the billed quantity stays the tier's. A level that staffing meets
    is earned, so billed: ``solve`` keeps only the sets that claim every one of them."""
    need = []
    for level in levels:
        agents = np.zeros_like(info.tiers[0].agents)
        for i in np.flatnonzero(info.volume > 0):
            load = info.volume[i] * aht / seconds
            servers, _, near = required_servers(
                load,
                aht,
                level["service_level"],
                level["answer_within_seconds"],
                1.0,
                info.raw.get("patience_seconds"),
                None,
                conv,
            )
            info.near_tie |= near
            if info.channel == "chat":
                ratio = servers / info.raw.get("concurrency", 1.0)
                agents[i] = math.ceil(ratio * (1 - RATIO_TOL))
            else:
                agents[i] = servers
        need.append(agents)
    info.levels = need
    out = []
    for k, tier in enumerate(info.tiers):
        for on in itertools.product((False, True), repeat=len(levels)):
            agents = tier.agents.copy()
            for a, earned in zip(need, on, strict=True):
                if earned:
                    agents = np.maximum(agents, a)
            due = tuple(bool(np.all(agents >= a)) for a in need)
            amount = sum(lv["amount"] for lv, earned in zip(levels, on, strict=True) if earned)
            required = float(tier.agents.sum())
            out.append(
                replace(
                    tier, agents=agents, index=k, bonus=amount, on=on, due=due, required=required
                )
            )
    return out


# ---------------------------------------------------------------------------
# Deferred deadlines (design 6.4) over the cyclic week
# ---------------------------------------------------------------------------


def backlog_caps(arrivals: np.ndarray, share: float, lag: int, wrap: str) -> np.ndarray:
    """Upper bound on the backlog left at the end of each interval.

    With ``C`` the cumulative arrivals from Monday 00:00 and ``b[t]`` the backlog left
    after interval ``t`` (``b[-1] = b[T-1]``, the week repeats), "work handled up to t
    >= share x work arrived up to t - h" reads, for the work of each week counted from
    its own Monday (first in, first out):

    * ``per_week`` (this oracle): this week's items, ``t >= h`` and ``C[t-h] > 0``:
      ``b[t] <= C[t] - share C[t-h]``; last week's items, ``t < h``:
      ``b[t] <= C[t] + total - share C[T+t-h]`` (items late on Sunday are due on
      Monday; a late share of last week may still be open); otherwise only last
      week's completion binds: ``b[t] <= C[t] + (1 - share) total``.
    * ``backlog_due`` (the product's stated formula): ``b[t] <= C[t] - share A(t-h)``
      with ``A(s) = C[T+s] - total`` for ``s < 0``. Across the week start this lets
      only ``share`` of last week's late, not yet due, arrivals wait (a lower share is
      stricter there than share 1), and the rest of the backlog is due at Monday 00:00.
    * ``close_week``: as ``backlog_due`` within the week, but across the week start
      the backlog may hold exactly the window's arrivals (the boundary fixed, the week
      still closes: the late share of a week may not be carried into the next).
    """
    n = arrivals.size
    cum = np.cumsum(arrivals)
    total = float(cum[-1])
    caps = np.empty(n)
    for t in range(n):
        s = t - lag
        if wrap == "backlog_due":
            prior = cum[s] if s >= 0 else (cum[n + s] - total if n + s >= 0 else -total)
            caps[t] = cum[t] - share * prior
        elif wrap == "close_week":
            if s >= 0:
                caps[t] = cum[t] - share * cum[s]
            else:
                caps[t] = cum[t] + total - (cum[n + s] if n + s >= 0 else 0.0)
        elif s >= 0 and cum[s] > 0:
            caps[t] = cum[t] - share * cum[s]
        elif s < 0 and n + s >= 0 and cum[n + s] > 0:
            caps[t] = cum[t] + total - share * cum[n + s]
        else:
            caps[t] = cum[t] + (1.0 - share) * total
    return caps


# ---------------------------------------------------------------------------
# Staffing for a fixed tier choice
# ---------------------------------------------------------------------------


@dataclass
class StaffModel:
    """A small MILP (``scipy.optimize.milp``): columns with a cost, bounds and
    integrality, rows ``lo <= sum coef x <= hi``, and each (category position, site)'s
    agent columns (one per interval the category is staffed in)."""

    cost: list[float] = field(default_factory=list)
    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    integ: list[int] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    hours: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    billed: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    """Under ``site_split`` "plan": the agents of ``hours`` the premium split reads."""
    unearned: list[list[tuple[list[int], float]]] = field(default_factory=list)
    """Per bonus level the tier choice leaves unclaimed: (the agent columns of an
    interval, the level's need there), the staffing to fall short in one of them
    (``_unearned_rows``; ``run`` adds them only where a solution meets the level)."""

    def var(self, cost: float, lo: float, hi: float, integer: bool) -> int:
        self.cost.append(cost)
        self.lb.append(lo)
        self.ub.append(hi)
        self.integ.append(1 if integer else 0)
        return len(self.cost) - 1

    def run(self, objective: list[float] | None = None) -> tuple[float, np.ndarray] | None:
        """(objective, x) at the optimum (default objective: the columns' cost); None
        when infeasible.

        The unclaimed levels' rows (``unearned``, a disjunction: weak in the LP, and
        HiGHS may take 40,000 nodes over them where it needs one without) are added
        lazily: solved without them, a solution that meets no unclaimed level is optimal
        with them too; else the levels it meets are added and it is solved again."""
        active: list[list[tuple[list[int], float]]] = []
        while True:
            done = self._solve(objective, active)
            if done is None:
                return None
            x = done[1]
            met = [
                g
                for g in self.unearned
                if g not in active and all(sum(x[c] for c in cols) > need - 0.5 for cols, need in g)
            ]
            if not met:
                return done
            active.extend(met)

    def _solve(
        self, objective: list[float] | None, groups: list[list[tuple[list[int], float]]]
    ) -> tuple[float, np.ndarray] | None:
        """One solve of the rows, with these unclaimed levels' disjunctions: a binary
        ``z_t`` per interval, ``sum_t z_t >= 1`` and ``coverage_t <= need_t - 1 + M (1 -
        z_t)`` (M far above any useful staffing); the extra columns are dropped from x."""
        size = len(self.cost)
        cost = list(self.cost if objective is None else objective)
        lb, ub, integ, rows = list(self.lb), list(self.ub), list(self.integ), list(self.rows)
        for group in groups:
            big = 1000.0 + 10.0 * sum(need for _, need in group)
            pick: dict[int, float] = {}
            for cols, need in group:
                z = len(cost)
                cost.append(0.0)
                lb.append(0.0)
                ub.append(1.0)
                integ.append(1)
                pick[z] = 1.0
                rows.append(({**{c: 1.0 for c in cols}, z: big}, -np.inf, need - 1.0 + big))
            rows.append((pick, 1.0, np.inf))
        ri, ci_, vals, rlo, rhi = [], [], [], [], []
        for r, (terms, lo, hi) in enumerate(rows):
            for c, v in terms.items():
                ri.append(r)
                ci_.append(c)
                vals.append(v)
            rlo.append(lo)
            rhi.append(hi)
        mat = sparse.coo_matrix((vals, (ri, ci_)), shape=(len(rows), len(cost)))
        for presolve in (True, False):  # HiGHS's presolve sometimes ends in a solve error
            res = milp(
                np.asarray(cost),
                integrality=np.asarray(integ),
                bounds=Bounds(np.asarray(lb), np.asarray(ub)),
                constraints=LinearConstraint(mat.tocsr(), np.asarray(rlo), np.asarray(rhi)),
                options={"mip_rel_gap": 1e-10, "presolve": presolve},
            )
            if res.status != 4:
                break
        if res.status == 2:
            return None
        if res.status != 0:
            raise RuntimeError(f"oracle staffing MILP failed: {res.message}")
        return float(res.fun), np.asarray(res.x)[:size]


def _staff_milp(
    deal: Deal, choice: tuple[int, ...], conv: Conventions, pooled_sites: bool
) -> float | None:
    """Cheapest staffing cost (per month) of the chosen tiers; None if infeasible.

    ``pooled_sites`` False: a single virtual site per category with cost 1 per
    agent-interval (used to count agent-intervals when nothing couples categories).
    """
    model = staff_model(deal, choice, conv, pooled_sites)
    if model is None:
        return None
    if not model.cost:
        return 0.0
    done = model.run()
    return None if done is None else done[0]


def staff_model(
    deal: Deal,
    choice: tuple[int, ...],
    conv: Conventions,
    pooled_sites: bool,
    only: list[int] | None = None,
) -> StaffModel | None:
    """The staffing rows of the chosen tiers (of the categories ``only``, default all):
    coverage, deferred deadlines, seats and max FTE, and the client's minimum site
    shares; None when a deferred deadline no staffing can meet.

    A minimum share (``min_site_share``, design 11) bounds the site's productive hours
    against the category's total: ``sum_t n[s,t] >= share x sum_s' sum_t n[s',t]``.
    Under ``site_split`` "exact" (the product's earliest reading) a category with a site premium
    is staffed exactly to its tier in every interval (no idle agents)."""
    model = StaffModel()
    site_vars: dict[tuple[int, int], dict[int, float]] = {}  # (site, t) -> {col: 1}
    fte_vars: dict[int, dict[int, float]] = {}
    for ci, (cat, k) in enumerate(zip(deal.cats, choice, strict=True)):
        if cat.channel == "project" or (only is not None and ci not in only):
            continue
        tier = cat.tiers[k]
        sites = cat.sites if pooled_sites else [-1]
        if cat.channel == "deferred":
            times = [int(t) for t in np.flatnonzero(cat.open)]
        else:
            times = [int(t) for t in np.flatnonzero(tier.agents > 0)]
        agents: dict[int, list[int]] = {t: [] for t in times}
        free = _unlimited_sites(deal, cat, conv) if pooled_sites else []
        if free:
            for t, cols in _pooled_columns(model, deal, ci, free, times, fte_vars).items():
                agents[t].extend(cols)
            sites = [s for s in sites if s not in free]
        for s in sites:
            cost = deal.unit_cost[s] if s >= 0 else 1.0
            cols = model.hours.setdefault((ci, s), [])
            for t in times:
                col = model.var(cost, 0.0, _site_cap(cat, t, conv, pooled_sites), True)
                agents[t].append(col)
                cols.append(col)
                if s >= 0:
                    site_vars.setdefault((s, t), {})[col] = 1.0
                    fte_vars.setdefault(s, {})[col] = deal.paid_per_agent[s]
        if pooled_sites:
            _share_rows(model, ci, cat)
        if cat.channel != "deferred":
            exact = pooled_sites and bool(cat.premium) and conv.site_split == "exact"
            for t in times:
                need = float(tier.agents[t])
                model.rows.append(({c: 1.0 for c in agents[t]}, need, need if exact else np.inf))
            if pooled_sites and cat.premium and conv.site_split == "plan":
                _plan_columns(model, ci, cat, tier, times, agents)
            if pooled_sites and cat.levels and (cat.premium or cat.shares):
                _unearned_rows(model, cat, tier, times, agents)
            continue
        if not _deferred_rows(model, deal, cat, tier, times, agents, conv):
            return None
    if pooled_sites:
        _site_limit_rows(model, deal, site_vars, fte_vars)
    return model


def _site_cap(cat: CatInfo, t: int, conv: Conventions, pooled_sites: bool) -> float:
    """The most agents one site may staff for ``cat`` in interval ``t``: none, or under
    ``site_split`` "peak" (a queue category) the most any tier or level needs there."""
    if not pooled_sites or conv.site_split != "peak" or cat.channel not in ("voice", "chat"):
        return np.inf
    return float(max(float(a[t]) for a in [*(n.agents for n in cat.tiers), *cat.levels]))


def _unlimited_sites(deal: Deal, cat: CatInfo, conv: Conventions) -> list[int]:
    """The sites of a queue category whose staffing may be written on pooled columns:
    those without seats (no per-site limit in any interval), unless the split reads
    each interval's agents (``site_split`` "plan") or they are capped ("peak")."""
    if cat.channel not in ("voice", "chat") or conv.site_split in ("plan", "peak"):
        return []
    return [s for s in cat.sites if deal.sites[s].get("seats") is None]


def _pooled_columns(
    model: StaffModel,
    deal: Deal,
    ci: int,
    sites: list[int],
    times: list[int],
    fte_vars: dict[int, dict[int, float]],
) -> dict[int, list[int]]:
    """The staffing of a category at sites without seats as pooled columns: their
    coverage ``u_t`` per interval (no cost) and agent-intervals ``H_s`` per site (at its
    unit cost), with ``sum_s H_s = sum_t u_t``. Exact: any integer ``u`` and ``H`` with
    equal sums are the margins of an integer ``n[s, t]`` (a transportation problem), and
    nothing else reads those sites' ``n``. It takes away the symmetry of interchangeable
    agents across intervals, over which HiGHS took up to a minute to prove the optimum
    of a 30-column model (combo seed 41)."""
    cover = {t: [model.var(0.0, 0.0, np.inf, True)] for t in times}
    total = {cols[0]: -1.0 for cols in cover.values()}
    for s in sites:
        col = model.var(deal.unit_cost[s], 0.0, np.inf, True)
        model.hours.setdefault((ci, s), []).append(col)
        fte_vars.setdefault(s, {})[col] = deal.paid_per_agent[s]
        total[col] = 1.0
    model.rows.append((total, 0.0, 0.0))
    return cover


def _plan_columns(
    model: StaffModel,
    ci: int,
    cat: CatInfo,
    tier: TierNeed,
    times: list[int],
    agents: dict[int, list[int]],
) -> None:
    """``site_split`` "plan": of each interval's agents, the tier's ``need`` (whole agents,
    at any of the sites, at most those staffed there) are the plan the split bills; the
    rest may be idle, count in the shares and the cost, and bill nothing. The split then
    reads these columns (``StaffModel.billed``) instead of all the staffed ones."""
    for t in times:
        plan = {}
        for s, col in zip(cat.sites, agents[t], strict=True):
            m = model.var(0.0, 0.0, np.inf, True)
            model.billed.setdefault((ci, s), []).append(m)
            model.rows.append(({m: 1.0, col: -1.0}, -np.inf, 0.0))
            plan[m] = 1.0
        need = float(tier.agents[t])
        model.rows.append((plan, need, need))


def _unearned_rows(
    model: StaffModel, cat: CatInfo, tier: TierNeed, times: list[int], agents: dict[int, list[int]]
) -> None:
    """A bonus level the staffing meets in every interval is earned, so billed (README:
    each level the staffing meets earns its amount). Where a site premium or shares may
    staff the category above its requirement, each level the tier choice leaves
    unclaimed must fall short in some interval where it needs more than the requirement
    (elsewhere it is met): ``StaffModel.unearned``, solved by ``StaffModel.run``. No
    such interval: the choice is infeasible (``solve`` never makes it)."""
    for level, on in zip(cat.levels, tier.on, strict=True):
        if not on:
            model.unearned.append(
                [(list(agents[t]), float(level[t])) for t in times if level[t] > tier.agents[t]]
            )


def _share_rows(model: StaffModel, ci: int, cat: CatInfo) -> None:
    """``min_site_share``: each named site's agent-intervals at least its share of the
    category's (interval hours and weeks cancel)."""
    for site, share in cat.shares.items():
        terms: dict[int, float] = {}
        for s in cat.sites:
            for col in model.hours.get((ci, s), []):
                terms[col] = (1.0 if s == site else 0.0) - share
        model.rows.append((terms, 0.0, np.inf))


def _deferred_rows(
    model: StaffModel,
    deal: Deal,
    cat: CatInfo,
    tier: TierNeed,
    times: list[int],
    agents: dict[int, list[int]],
    conv: Conventions,
) -> bool:
    """Backlog and capacity rows of deferred work (design 6.4); False if infeasible."""
    occ = deal.raw["provider"]["max_occupancy"]
    aht = cat.raw["aht_seconds"]
    per_agent = deal.minutes * 60.0 * occ / aht
    caps = backlog_caps(cat.volume, tier.share, tier.lag, conv.deferred_wrap)
    if np.any(caps < -1e-9) or not times:
        return False
    # Arrivals only come in open intervals, and work is done only then: the backlog
    # after open interval j stays put until the next open one, so it must meet the
    # tightest cap over that stretch. One backlog variable per open interval.
    back = []
    for j, t in enumerate(times):
        nxt = times[(j + 1) % len(times)]
        span = [(t + d) % deal.n for d in range(((nxt - t - 1) % deal.n) + 1)]
        back.append(model.var(0.0, 0.0, max(float(min(caps[u] for u in span)), 0.0), False))
    work = [model.var(0.0, 0.0, np.inf, False) for _ in times]
    for j, t in enumerate(times):
        terms = {back[j]: 1.0}
        prev = back[j - 1]
        terms[prev] = terms.get(prev, 0.0) - 1.0
        terms[work[j]] = terms.get(work[j], 0.0) + 1.0
        model.rows.append((terms, float(cat.volume[t]), float(cat.volume[t])))
        cap_terms = {work[j]: 1.0}
        for c in agents[t]:
            cap_terms[c] = -per_agent
        model.rows.append((cap_terms, -np.inf, 0.0))
    return True


def _site_limit_rows(
    model: StaffModel,
    deal: Deal,
    site_vars: dict[tuple[int, int], dict[int, float]],
    fte_vars: dict[int, dict[int, float]],
) -> None:
    """Seats (scheduled agents per interval) and max FTE (paid hours) of each site."""
    for si, site in enumerate(deal.sites):
        if site.get("seats") is not None:
            limit = site["seats"] * deal.keep[si] * (1 + 1e-12)
            for (s, _t), terms in site_vars.items():
                if s == si:
                    model.rows.append((terms, -np.inf, limit))
        if site.get("max_fte") is not None and si in fte_vars:
            cap = site["max_fte"] * deal.raw["provider"]["fte_hours_per_month"]
            # Every agent-interval of the site pays the same hours: whole agent-intervals
            # (the row's rounding, which HiGHS can take long to find on its own).
            most = math.floor(cap * (1 + 1e-12) / deal.paid_per_agent[si] + 1e-9)
            model.rows.append(({c: 1.0 for c in fte_vars[si]}, -np.inf, float(most)))


def relaxed_cost(
    deal: Deal, choice: tuple[int, ...], conv: Conventions, cache: dict
) -> float | None:
    """Staffing cost without seats and max FTE: each category at its cheapest site.

    Exact when no site has seats or max_fte; otherwise a lower bound. None when the
    tiers cannot be met even then (a deferred deadline no staffing can meet).
    """
    costs = category_costs(deal, choice, conv, cache)
    return None if costs is None else sum(costs)


def category_costs(
    deal: Deal, choice: tuple[int, ...], conv: Conventions, cache: dict
) -> list[float] | None:
    """Each category's staffing cost at its cheapest site (0 for project work, whose
    effort is in ``Deal.fixed``): what ``relaxed_cost`` adds up, and, when nothing
    couples the categories, each category's direct cost (its margin floor's cost).
    A category with minimum site shares is staffed in closed form (``_share_cost``;
    seats and max FTE left out, as for every category here)."""
    out = []
    for ci, (cat, k) in enumerate(zip(deal.cats, choice, strict=True)):
        if cat.channel == "project":
            out.append(0.0)
            continue
        if cat.channel == "deferred":
            sub = ("deferred", ci, k)
            if sub not in cache:
                cache[sub] = _staff_milp(_only(deal, ci), (k,), conv, pooled_sites=False)
            count = cache[sub]
            if count is None:
                return None
            count = round(count)
        else:
            count = int(cat.tiers[k].agents.sum())
        if cat.shares and not all(cat.tiers[k].on):  # an unclaimed level: see staff_model
            sub = ("unclaimed", ci, k)
            if sub not in cache:
                cache[sub] = _staff_milp(_only(deal, ci), (k,), conv, pooled_sites=True)
            cost = cache[sub]
        else:
            cost = _share_cost(deal, cat, count)
        if cost is None:
            return None
        out.append(cost)
    return out


def _share_cost(deal: Deal, cat: CatInfo, count: int) -> float | None:
    """The cheapest cost of a category that needs at least ``count`` agent-intervals,
    with nothing but its minimum site shares to couple its sites (None if no number of
    agent-intervals meets them all).

    Any H >= count agent-intervals can be staffed (agents above the need are allowed)
    and split over the sites at will. At H, site s needs ceil(share_s H) of them and
    the rest go to the cheapest site: cost(H) = u_min H + sum_s (u_s - u_min)
    ceil(share_s H), which never falls as H grows, so the least H whose shares fit
    (sum_s ceil(share_s H) <= H) is the optimum. Without shares: u_min x count."""
    cheapest = min(deal.unit_cost[s] for s in cat.sites)
    for h in range(count, count + 100_000):
        need = {s: math.ceil(share * h - 1e-9) for s, share in cat.shares.items()}
        if sum(need.values()) <= h:
            extra = sum((deal.unit_cost[s] - cheapest) * n for s, n in need.items())
            return cheapest * h + extra
    return None


def is_coupled(deal: Deal) -> bool:
    """Whether seats or max FTE couple the categories' staffing."""
    return any(s.get("seats") is not None or s.get("max_fte") is not None for s in deal.sites)


def staffing_cost(
    deal: Deal, choice: tuple[int, ...], conv: Conventions, cache: dict
) -> float | None:
    """Minimum monthly staffing cost (agents, team leaders, overhead) of a tier choice."""
    key = ("joint", choice)
    if key not in cache:
        if is_coupled(deal):
            cache[key] = _staff_milp(deal, choice, conv, pooled_sites=True)
        else:
            cache[key] = relaxed_cost(deal, choice, conv, cache)
    return cache[key]


def _only(deal: Deal, ci: int) -> Deal:
    return replace(deal, cats=[deal.cats[ci]])


# ---------------------------------------------------------------------------
# Brute force over tiers and prices
# ---------------------------------------------------------------------------


@dataclass
class Candidate:
    revenue: float
    cost: float
    tiers: tuple[str, ...]
    prices: tuple[float, ...]

    @property
    def margin(self) -> float:
        return self.revenue - self.cost


@dataclass
class OracleAnswer:
    status: str  # "optimal" | "infeasible"
    objective: str
    revenue: float | None = None
    cost: float | None = None
    margin: float | None = None
    tiers: dict[str, str] = field(default_factory=dict)
    prices: dict[str, float] = field(default_factory=dict)
    optimal_tiers: list[dict[str, str]] = field(default_factory=list)
    """Every tier choice that reaches the optimum (within tolerance)."""
    near_tie: bool = False
    """Some required agent count sits within 1e-9 of a service-level target."""
    near_miss: str = ""
    """A better choice infeasible only by float noise (< 1e-6 relative), if any."""
    tier_combos: int = 0

    @property
    def unique_tiers(self) -> bool:
        return len(self.optimal_tiers) == 1

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "objective": self.objective,
            "revenue": self.revenue,
            "cost": self.cost,
            "margin": self.margin,
            "tiers": self.tiers,
            "prices": self.prices,
            "optimal_tier_choices": len(self.optimal_tiers),
            "near_tie": self.near_tie,
            "near_miss": self.near_miss,
        }


def _price_limits(raw_cat: dict[str, Any], conv: Conventions) -> tuple[float, float]:
    """(lowest, highest) unit price: the competitor band around ``benchmark_price``."""
    cap, floor = math.inf, -math.inf
    bench = raw_cat.get("benchmark_price")
    if bench is not None:
        prem = raw_cat.get("max_premium")
        if prem is not None:
            cap = bench * (1.0 + prem)
        elif conv.missing_premium == "zero":
            cap = bench
        low = contract_terms(raw_cat).get("min_premium")
        if low is not None:
            floor = bench * (1.0 + low)
    return floor, cap


Option = tuple[float, float, float | None, tuple[float, float] | None]
"""A price option: (revenue low, revenue high, unit price or None for a continuous
range, and for a category with a site premium (base, charge): its revenue is base +
sum_s premium_s x charge x share_s, [low, high] the range over the shares)."""


def _premium_range(cat: CatInfo) -> tuple[float, float]:
    """(lowest, highest) premium of the sites that may handle ``cat`` (0 where none)."""
    values = [cat.premium.get(s, 0.0) for s in cat.sites]
    return min(values), max(values)


def _price_options(deal: Deal, ci: int, k: int, conv: Conventions) -> list[Option]:
    """(revenue low, revenue high, unit price or None, premium) per option.

    An option is a price point (or the continuous range) and a platform fee of the
    menu; its revenue is the usage charge (plan, bands, minimum) plus the fee. With a
    site premium (design 11) each site's share of the plan charge is billed its premium
    on top (the validation allows no minimum charge and no continuous range with it),
    so the option's revenue lies between the lowest and the highest premium's."""
    cat = deal.cats[ci]
    raw_cat = cat.raw
    terms = contract_terms(raw_cat)
    need = cat.tiers[k]
    q = need.billable
    bonus = need.bonus  # part of the category's revenue, as every limit reads it
    floor, cap = _price_limits(raw_cat, conv)
    rev_cap = math.inf
    if cat.channel != "project" and raw_cat.get("max_cost_per_contact") is not None:
        rev_cap = raw_cat["max_cost_per_contact"] * need.handled
    prices = raw_cat["tiers"][need.index if need.index >= 0 else k]["prices"]
    out: list[Option] = []
    if isinstance(prices, dict) and prices.get("step") is None:
        assert not cat.premium, "a site premium needs price points (validation)"
        lo_p, hi_p = max(prices["min"], floor), min(prices["max"], cap)
        if hi_p < lo_p - FEAS_REL * max(1.0, abs(lo_p)):
            return out
        hi_p = max(hi_p, lo_p)
        units = billed_units(q, terms.get("volume_bands"))  # revenue is linear in the price
        for fee in terms["platform_fee"]:
            lo_r, hi_r = lo_p * units + fee + bonus, min(hi_p * units + fee + bonus, rev_cap)
            if hi_r < lo_r - FEAS_REL * max(1.0, lo_r):
                continue
            out.append((lo_r, max(hi_r, lo_r), None, None))
        return out
    if isinstance(prices, dict):
        count = math.floor((prices["max"] - prices["min"]) / prices["step"] + 1e-9)
        points = [round(prices["min"] + i * prices["step"], 10) for i in range(count + 1)]
    else:
        points = list(prices)
    low, high = _premium_range(cat) if cat.premium else (0.0, 0.0)
    has_hours = float(need.agents.sum()) > 0
    for point in points:
        p = as_plan(point)[2]
        if p > cap + FEAS_REL * max(1.0, cap) or p < floor - FEAS_REL * max(1.0, abs(floor)):
            continue
        charge = plan_charge(point, q, terms)
        for fee in terms["platform_fee"]:
            r = charge + fee + bonus
            extra = (r, charge) if cat.premium and has_hours else None
            lo_r, hi_r = (r + charge * low, r + charge * high) if extra else (r, r)
            if lo_r > rev_cap + FEAS_REL * max(1.0, rev_cap):
                continue
            out.append((lo_r, max(lo_r, min(hi_r, rev_cap)), p, extra))
    return out


def _above_floor(options: list[Option], floor: float | None, direct: float) -> list[Option]:
    """A category's options under its margin floor (terms ``min_margin`` = m): its revenue
    R must give (1 - m) R >= its direct cost, so R >= cost / (1 - m); a range's revenue
    interval is cut from below, a price point below it is dropped. (With a site premium
    ``direct`` is a lower bound on the category's cost: the exact solve has the row.)"""
    if floor is None:
        return options
    least = direct / (1.0 - floor)
    kept = []
    for lo, hi, price, extra in options:
        lo = max(lo, least)
        if lo <= hi + FEAS_REL * max(1.0, abs(hi)):
            kept.append((lo, max(lo, hi), price, extra))
    return kept


@dataclass
class Limits:
    """The deal's limits on the total revenue R for one tier choice (``solve``): R at
    most ``upper`` (budget, ROI), the contact categories' R at most ``contact_upper``
    (cost per contact), (1 - ``min_margin``) R >= cost."""

    upper: float
    contact_upper: float
    min_margin: float
    contact: list[bool]
    floors: list[float | None]


def premium_candidate(
    deal: Deal,
    choice: tuple[int, ...],
    combo: tuple[Option, ...],
    conv: Conventions,
    lim: Limits,
    objective: str,
    cache: dict,
) -> tuple[float, float] | None:
    """(revenue, cost) of the best staffing and billable split for these tiers and price
    options, some with a site premium; None if infeasible.

    Design 11: the billable quantity q is split over the sites, ``b_s >= 0``,
    ``sum_s b_s = q``, ``b_s`` at most what site s staffs, read in the billable unit:
    ``b_s <= q x H_s / R`` with ``H_s`` the agent-intervals site s staffs for the
    category and ``R`` those the tier requires (a productive hour staffed bills q / R
    units; staffed exactly, the split is in proportion to the hours). With the shares
    ``sigma_s = b_s / q`` the revenue ``base + sum_s premium_s x charge x sigma_s`` is
    linear, so one MILP per (tiers, options) finds the best: max revenue - cost, or
    (min_price) the least revenue and then the least cost at it. Categories without a
    premium keep their constant revenue (a continuous range: a variable within it)."""
    coupled = is_coupled(deal)
    own = [ci for ci, o in enumerate(combo) if o[3] is not None]
    model = staff_model(deal, choice, conv, True, None if coupled else own)
    if model is None:
        return None
    const = deal.fixed
    if not coupled:
        costs = category_costs(deal, choice, conv, cache)
        if costs is None:
            return None
        const += sum(c for ci, c in enumerate(costs) if ci not in own)
    staff = list(model.cost)
    rev: dict[int, float] = {}
    rev_c: dict[int, float] = {}
    base = base_c = 0.0
    for ci, (cat, opt) in enumerate(zip(deal.cats, combo, strict=True)):
        mine, fixed = _category_revenue(
            model, ci, cat, opt, cat.tiers[choice[ci]], lim.floors[ci], conv
        )
        base += fixed
        rev.update(mine)
        if lim.contact[ci]:
            base_c += fixed
            rev_c.update(mine)
    if lim.upper < math.inf:
        model.rows.append((dict(rev), -np.inf, lim.upper - base))
    if lim.contact_upper < math.inf:
        model.rows.append((dict(rev_c), -np.inf, lim.contact_upper - base_c))
    keep = 1.0 - lim.min_margin  # (1 - mm) R - staffing >= the rest of the cost
    floor = {j: -c for j, c in enumerate(staff) if c}
    for j, v in rev.items():
        floor[j] = floor.get(j, 0.0) + keep * v
    model.rows.append((floor, const - keep * base, np.inf))
    return _best_split(model, staff, rev, base, const, objective)


def _category_revenue(
    model: StaffModel,
    ci: int,
    cat: CatInfo,
    opt: Option,
    tier: TierNeed,
    floor: float | None,
    conv: Conventions,
) -> tuple[dict[int, float], float]:
    """A category's revenue as (column -> coefficient, constant), with its split and
    per-category rows (cost per contact, margin floor) for a premium option."""
    lo, hi, _, extra = opt
    if extra is None:
        if lo < hi:  # a continuous price: the revenue anywhere in its range
            return {model.var(0.0, lo, hi, False): 1.0}, 0.0
        return {}, lo
    own, charge = extra
    need = tier.split_base(conv)  # R: the tier's own requirement, not its levels'
    mine: dict[int, float] = {}
    split: dict[int, float] = {}
    for s in cat.sites:
        col = model.var(0.0, 0.0, 1.0, False)  # the share of q delivered from s
        split[col] = 1.0
        if cat.premium.get(s):
            mine[col] = cat.premium[s] * charge
        row = {col: need}
        for h in model.billed.get((ci, s), model.hours.get((ci, s), [])):
            row[h] = -1.0
        model.rows.append((row, -np.inf, 0.0))  # b_s <= q H_s / R
    model.rows.append((split, 1.0, 1.0))
    model.rows.append((dict(mine), lo - own, hi - own))  # its revenue cap (and bounds)
    if floor is not None:  # (1 - m) x its revenue >= its agents' cost
        terms = {j: (1.0 - floor) * v for j, v in mine.items()}
        for s in cat.sites:
            for h in model.hours.get((ci, s), []):
                terms[h] = -model.cost[h]
        model.rows.append((terms, -(1.0 - floor) * own, np.inf))
    return mine, own


def _best_split(
    model: StaffModel,
    staff: list[float],
    rev: dict[int, float],
    base: float,
    const: float,
    objective: str,
) -> tuple[float, float] | None:
    """Solve: max margin, or min revenue then min cost at it (lexicographic)."""
    size = len(model.cost)
    cost = np.zeros(size)
    cost[: len(staff)] = staff
    income = np.zeros(size)
    for j, v in rev.items():
        income[j] = v
    if objective == "max_margin":
        done = model.run(list(cost - income))
    else:
        done = model.run(list(income))
        if done is not None:
            spend = base + float(income @ done[1])
            slack = 1e-10 * max(1.0, abs(spend))
            model.rows.append((dict(rev), -np.inf, spend - base + slack))
            done = model.run(list(cost)) or done
    if done is None:
        return None
    x = done[1]
    return base + float(income @ x), const + float(cost @ x)


def solve(
    raw: dict[str, Any], objective: str | None = None, conv: Conventions = Conventions()
) -> OracleAnswer:
    """The optimum of the deal by enumeration (see the module docstring)."""
    raw = with_defaults(raw)
    deal = build_deal(raw, conv)
    objective = objective or raw["objective"]
    client = raw.get("client", {})
    prov = raw["provider"]
    mm = prov["min_margin"]
    min_tier = client.get("min_tier", {}) or {}
    tier_ranges = []
    for cat in deal.cats:
        names = [t["name"] for t in cat.raw["tiers"]]
        first = names.index(min_tier[cat.name]) if cat.name in min_tier else 0
        tier_ranges.append(
            [
                k
                for k, t in enumerate(cat.tiers)
                if (t.index if t.index >= 0 else k) >= first
                and all(o or not d for o, d in zip(t.on, t.due, strict=True))  # earned: billed
            ]
        )
    cache: dict = {}
    best: list[Candidate] = []
    misses: list[str] = []
    contact = [cat.channel != "project" for cat in deal.cats]

    def key(c: Candidate) -> tuple[float, float]:
        if objective == "max_margin":
            return (-c.margin, 0.0)
        if conv.min_price_tiebreak != "lexicographic":
            return (c.revenue, 0.0)
        return (c.revenue, c.cost)

    def compare(a: Candidate, b: Candidate) -> int:
        """-1 if a is better than b, 1 if worse, 0 if tied (within float noise)."""
        for x, y in zip(key(a), key(b), strict=True):
            tol = 1e-9 * max(1.0, abs(x), abs(y))
            if x < y - tol:
                return -1
            if x > y + tol:
                return 1
        return 0

    floors = [contract_terms(cat.raw).get("min_margin") for cat in deal.cats]
    if any(f is not None for f in floors) and is_coupled(deal):
        raise NotImplementedError("category margin floors with seats or max FTE")

    def limits(choice: tuple[int, ...]) -> Limits:
        needs = [cat.tiers[k] for cat, k in zip(deal.cats, choice, strict=True)]
        handled = sum(n.handled for n, c in zip(needs, contact, strict=True) if c)
        value = sum(n.value for n in needs)
        upper = math.inf  # on total spend
        if client.get("budget_per_month") is not None:
            upper = min(upper, client["budget_per_month"])
        roi = client.get("min_roi")
        if roi is not None and 1.0 + roi > 0:
            upper = min(upper, value / (1.0 + roi))
        contact_upper = math.inf
        if client.get("max_cost_per_contact") is not None and any(contact):
            contact_upper = client["max_cost_per_contact"] * handled
        return Limits(upper, contact_upper, mm, contact, floors)

    def evaluate(
        choice: tuple[int, ...], staff: float, every: list | None = None
    ) -> list[Candidate]:
        """The best price choices for these tiers at this staffing cost (ties kept);
        with ``every``, each feasible (candidate, options) is appended to it instead."""
        cost = staff + deal.fixed
        needs = [cat.tiers[k] for cat, k in zip(deal.cats, choice, strict=True)]
        lim = limits(choice)
        upper, contact_upper = lim.upper, lim.contact_upper
        lower = cost / (1.0 - mm)  # margin floor: (1 - mm) R >= cost
        options = [_price_options(deal, ci, k, conv) for ci, k in enumerate(choice)]
        if any(f is not None for f in floors):
            direct = category_costs(deal, choice, conv, cache)
            assert direct is not None
            options = [
                _above_floor(opts, floor, c)
                for opts, floor, c in zip(options, floors, direct, strict=True)
            ]
        tiers = tuple(n.name for n in needs)
        found: list[Candidate] = []
        for combo in itertools.product(*options):
            lo = sum(o[0] for o in combo)
            hi = sum(o[1] for o in combo)
            lo_c = sum(o[0] for o, c in zip(combo, contact, strict=True) if c)
            hi_c = sum(o[1] for o, c in zip(combo, contact, strict=True) if c)
            top = min(hi, upper, min(hi_c, contact_upper) + (hi - hi_c))
            bottom = max(lo, lower)
            scale = max(1.0, abs(hi), abs(lower))
            viol = max(lo_c - contact_upper, lo - upper, bottom - top, 0.0)
            prices = tuple((o[2] if o[2] is not None else float("nan")) for o in combo)
            if viol > FEAS_REL * scale:
                if viol < 1e-6 * scale:
                    misses.append(f"tiers {tiers} prices {prices} infeasible by {viol:.3g}")
                continue
            revenue = max(top, bottom) if objective == "max_margin" else bottom
            cand = Candidate(revenue, cost, tiers, prices)
            if every is not None:
                every.append((cand, combo))
                continue
            cmp = compare(cand, found[0]) if found else -1
            if cmp < 0:
                found = [cand]
            elif cmp == 0:
                found.append(cand)
        return found

    # Optimistic pass: staffing without seats and max FTE (a lower bound on cost, and
    # the exact cost when no site has them). A higher cost never helps either
    # objective, so a tier choice whose optimistic best is worse than an exact
    # solution already found cannot win.
    coupled = is_coupled(deal)
    combos = 0
    queue = []
    if any(cat.premium for cat in deal.cats):
        # Revenue depends on the staffing: each (tiers, options) is bounded by its
        # optimistic revenue range and cost, and solved exactly in that order.
        entries = []
        for choice in itertools.product(*tier_ranges):
            combos += 1
            lb = relaxed_cost(deal, choice, conv, cache)
            if lb is not None:
                every: list = []
                evaluate(choice, lb, every)
                entries.extend((key(c), choice, c, combo) for c, combo in every)
        entries.sort(key=lambda item: item[0])
        tight: dict[tuple[int, ...], dict] = {}
        for _, choice, opt, combo in entries:
            if best and compare(opt, best[0]) > 0:
                break
            if coupled and best:
                # With seats or max FTE, the coupled staffing's cost (no split) is a
                # tighter bound: an entry it shows worse than the best is skipped.
                if choice not in tight:
                    staff = staffing_cost(deal, choice, conv, cache)
                    found: list = []
                    if staff is not None:
                        evaluate(choice, staff, found)
                    tight[choice] = {cb: c for c, cb in found}
                bound = tight[choice].get(combo)
                if bound is None or compare(bound, best[0]) > 0:
                    continue
            done = premium_candidate(deal, choice, combo, conv, limits(choice), objective, cache)
            if done is None:
                continue
            cand = Candidate(done[0], done[1], opt.tiers, opt.prices)
            cmp = compare(cand, best[0]) if best else -1
            if cmp < 0:
                best = [cand]
            elif cmp == 0:
                best.append(cand)
    plain = not any(cat.premium for cat in deal.cats)
    for choice in itertools.product(*tier_ranges) if plain else ():
        combos += 1
        lb = relaxed_cost(deal, choice, conv, cache)
        if lb is None:
            continue
        opt = evaluate(choice, lb)
        if opt:
            queue.append((key(opt[0]), choice, lb, opt))
    queue.sort(key=lambda item: item[0])
    for _, choice, _lb, opt in queue:
        if best and compare(opt[0], best[0]) > 0:
            break
        if coupled:
            staff = staffing_cost(deal, choice, conv, cache)
            if staff is None:
                continue
            found = evaluate(choice, staff)
        else:
            found = opt
        if not found:
            continue
        cmp = compare(found[0], best[0]) if best else -1
        if cmp < 0:
            best = list(found)
        elif cmp == 0:
            best.extend(found)
    near_miss = "; ".join(misses[:3])
    near = any(c.near_tie for c in deal.cats)
    if not best:
        return OracleAnswer(
            "infeasible", objective, near_tie=near, near_miss=near_miss, tier_combos=combos
        )
    win = best[0]
    names = [c.name for c in deal.cats]
    # continuous prices: recover the unit price from the revenue share is not needed
    seen: list[dict[str, str]] = []
    for c in best:
        d = dict(zip(names, c.tiers, strict=True))
        if d not in seen:
            seen.append(d)
    return OracleAnswer(
        "optimal",
        objective,
        revenue=win.revenue,
        cost=win.cost,
        margin=win.margin,
        tiers=dict(zip(names, win.tiers, strict=True)),
        prices={n: p for n, p in zip(names, win.prices, strict=True)},
        optimal_tiers=seen,
        near_tie=near,
        near_miss=near_miss,
        tier_combos=combos,
    )


# ---------------------------------------------------------------------------
# Random small deals
# ---------------------------------------------------------------------------

CHANNEL_KINDS = ("voice", "voice_patience", "chat", "chat_patience", "deferred", "project")
PRICING_MODELS = (
    "per_contact",
    "per_minute",
    "per_productive_hour",
    "per_fte_month",
    "per_resolution",
    "revenue_share",
    "fixed_fee",
)


def _sig(x: float, digits: int = 4) -> float:
    if x == 0:
        return 0.0
    return float(f"{x:.{digits}g}")


def _clock(h: int) -> str:
    return f"{h:02d}:00"


def _open_hours(rng: np.random.Generator, boundary: bool) -> dict[str, str]:
    """A few open hours: single days, a short weekday/weekend range, or late Sunday."""
    hours: dict[str, str] = {}
    if boundary:  # late Sunday running into Monday morning
        start = int(rng.integers(20, 24))
        end = int((start + rng.integers(2, 5)) % 24)
        hours["sun"] = f"{_clock(start)}-{_clock(end)}" if end else f"{_clock(start)}-24:00"
    kind = rng.random()
    if kind < 0.25:
        key = str(rng.choice(["mon-fri", "sat-sun", "daily", "tue,thu"]))
        start = int(rng.integers(6, 21))
        hours[key] = f"{_clock(start)}-{_clock(start + int(rng.integers(1, 3)))}"
    else:
        free = [d for d in DAY_NAMES if d not in hours]
        for day in rng.choice(free, size=int(rng.integers(1, 3)), replace=False):
            start = int(rng.integers(0, 23))
            length = int(rng.integers(2, 6))
            end = (start + length) % 24
            hours[str(day)] = f"{_clock(start)}-{_clock(end) if end else '24:00'}"
    return hours


def _profile(rng: np.random.Generator, minutes: int) -> Any:
    r = rng.random()
    if r < 0.15:
        return {
            "days": [round(float(x), 3) for x in rng.uniform(0.5, 1.5, 7)],
            "intraday": [round(float(x), 3) for x in rng.uniform(0.2, 1.0, 24)],
        }
    per_day = 24 if (minutes == 60 or r < 0.6) else 24 * 60 // minutes
    w = rng.uniform(0.1, 1.0, per_day)
    if rng.random() < 0.15:
        w[rng.random(per_day) < 0.2] = 0.0
    return [round(float(x), 3) for x in w]


def _menu(rng: np.random.Generator, unit: float, cap_one: bool) -> Any:
    """A price menu around ``unit`` (cost per billable unit): points, a stepped or a free range."""

    def clip(x: float) -> float:
        return min(x, 1.0) if cap_one else x

    r = rng.random()
    if r < 0.7:
        pts = sorted(
            {clip(_sig(unit * float(f))) for f in rng.uniform(0.8, 1.8, int(rng.integers(1, 5)))}
        )
        return pts
    lo = clip(_sig(unit * float(rng.uniform(0.8, 1.3))))
    hi = clip(_sig(lo * float(rng.uniform(1.05, 1.5))))
    if r < 0.85:
        steps = int(rng.integers(1, 4))
        step = _sig((hi - lo) / steps, 3)
        if step <= 0:
            return [lo]
        return {"min": lo, "max": hi, "step": step}
    return {"min": lo, "max": max(hi, lo)}


def _project_pricing(later: np.random.Generator, cat: dict[str, Any]) -> None:
    """A project priced as a fixed fee, per unit of work or per specialist hour."""
    cat["pricing"] = str(later.choice(["fixed_fee", "per_unit", "per_hour"]))
    if cat["pricing"] == "per_unit":
        units = int(later.integers(2, 20))
        cat["units"] = units
        cat["effort_hours_per_unit"] = max(0.1, round(cat.pop("effort_hours") / units, 1))


def _scaled(menu: Any, factor: float) -> Any:
    """A price menu (points or a range) for a unit ``factor`` times the whole fee."""
    if isinstance(menu, list):
        return [_sig(x * factor) for x in menu]
    out = {k: _sig(v * factor) for k, v in menu.items()}
    if "step" in out and out["step"] <= 0:
        out.pop("step")
    return out


def random_deal(seed: int, combo: bool = False) -> dict[str, Any]:
    """A small random deal (raw mapping) exercising every channel, pricing model and limit.

    Limits are placed around the deal's own rough cost and spend, so that a good share
    of deals bind a limit or are infeasible.

    ``combo``: the seed of another stream (``COMBO_STREAM``, every draw from other
    generators than the plain seed's): two sites, no deferred work, a voice or chat
    category both sites may handle, and on it bonus levels with a site premium, minimum
    site shares or both (``_add_combo``); the plain seeds' deals are unchanged.
    """
    rng = np.random.default_rng([seed, COMBO_STREAM] if combo else seed)
    # Terms added after the generator was first written draw from a stream of their own,
    # so every earlier seed's deal stays as it was.
    later = np.random.default_rng([seed, 14, COMBO_STREAM] if combo else [seed, 14])
    minutes = 60 if rng.random() < 0.75 else 30
    ncat = int(rng.choice([1, 2, 3], p=[0.3, 0.4, 0.3]))
    # combo: no deferred work, whose coupled staffing MILPs can take the oracle seconds
    mix = [0.32, 0.25, 0.2, 0.13, 0.0, 0.1] if combo else [0.2, 0.2, 0.14, 0.1, 0.24, 0.12]
    kinds = [str(rng.choice(CHANNEL_KINDS, p=mix)) for _ in range(ncat)]
    if all(k == "project" for k in kinds):
        kinds[0] = "deferred" if seed % 2 else "voice"
    if combo and not any(k.startswith(("voice", "chat")) for k in kinds):
        kinds[0] = "voice" if seed % 2 else "chat"
    raw: dict[str, Any] = {
        "scenario": f"oracle-combo-{seed}" if combo else f"oracle-{seed}",
        "contract_months": int(rng.choice([6, 12, 24, 36])),
        "objective": "max_margin" if rng.random() < 0.5 else "min_price",
        "calendar": {"interval_minutes": minutes},
        "provider": {
            "min_margin": round(float(rng.uniform(-0.05, 0.35)), 3) if rng.random() < 0.55 else 0.0,
            "shrinkage": round(float(rng.uniform(0.1, 0.4)), 3),
            "max_occupancy": round(float(rng.uniform(0.7, 0.95)), 3),
            "fte_hours_per_month": float(rng.choice([150, 160, 168])),
            "sites": [],
        },
        "categories": [],
    }
    if rng.random() < 0.3:
        raw["calendar"]["weeks_per_month"] = round(float(rng.uniform(4.2, 4.4)), 4)
    prov = raw["provider"]
    if rng.random() < 0.4:
        prov["supervisor_ratio"] = float(rng.integers(8, 16))
        prov["supervisor_hourly_cost"] = round(float(rng.uniform(25, 45)), 2)
    names = []
    for i, kind in enumerate(kinds):
        name = f"{kind.split('_')[0]}{i}"
        names.append(name)
        cat: dict[str, Any] = {"name": name}
        if kind == "project":
            cat.update(
                channel="project",
                effort_hours=round(float(rng.uniform(20, 400)), 1),
                specialist_hourly_cost=round(float(rng.uniform(50, 150)), 2),
                pricing="fixed_fee",
            )
            cat["tiers"] = [
                {"name": f"t{k}", "prices": [1.0]} for k in range(int(rng.integers(1, 3)))
            ]
            _project_pricing(later, cat)
            raw["categories"].append(cat)
            continue
        channel = kind.split("_")[0]
        boundary = channel == "deferred" and rng.random() < 0.35
        cat["channel"] = channel
        cat["open_hours"] = _open_hours(rng, boundary)
        cat["profile"] = _profile(rng, minutes)
        aht = float(rng.integers(120, 600)) if channel != "chat" else float(rng.integers(300, 900))
        cat["aht_seconds"] = aht
        mask = open_intervals(cat["open_hours"], minutes)
        w = np.where(mask, profile_weights(cat["profile"], minutes), 0.0)
        if w.sum() <= 0:
            cat["profile"] = [1.0] * 24
        n_open = int(mask.sum())
        load = float(rng.uniform(0.3, 8.0)) if channel != "deferred" else float(rng.uniform(0.5, 6))
        wpm = raw["calendar"].get("weeks_per_month", 52 / 12)
        cat["contacts_per_month"] = float(max(10, round(load * minutes * 60 / aht * n_open * wpm)))
        if kind.endswith("patience"):
            cat["patience_seconds"] = float(rng.integers(30, 300))
        if channel == "chat":
            cat["concurrency"] = float(rng.choice([1.0, 1.5, 2.0, 2.5, 3.0]))
        models = [
            m for m in PRICING_MODELS if not (channel == "deferred" and m == "per_resolution")
        ]
        cat["pricing"] = str(rng.choice(models))
        if cat["pricing"] == "per_resolution" or rng.random() < 0.15:
            cat["resolution_rate"] = round(float(rng.uniform(0.4, 0.95)), 3)
        if cat["pricing"] == "revenue_share":
            cat["conversion_rate"] = round(float(rng.uniform(0.05, 0.3)), 3)
            cat["value_per_sale"] = 1.0  # set below from the cost
        ntier = int(rng.integers(1, 4))
        tiers = []
        if channel == "deferred":
            grid = [h for h in (0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 24, 48) if (h * 60) % minutes == 0]
            withins = sorted(rng.choice(grid, size=ntier, replace=False).tolist(), reverse=True)
            shares = sorted(rng.choice([0.8, 0.9, 0.95, 1.0], size=ntier).tolist())
            for k in range(ntier):
                tiers.append(
                    {
                        "name": f"t{k}",
                        "share": float(shares[k]),
                        "within_hours": float(withins[k]),
                        "prices": [1.0],
                    }
                )
        else:
            sls = sorted(rng.uniform(0.5, 0.95, ntier).tolist())
            withins = sorted(
                rng.choice([10, 15, 20, 30, 45, 60, 90], size=ntier, replace=False).tolist(),
                reverse=True,
            )
            for k in range(ntier):
                t = {
                    "name": f"t{k}",
                    "service_level": round(sls[k], 3),
                    "answer_within_seconds": float(withins[k]),
                    "prices": [1.0],
                }
                if kind.endswith("patience") and rng.random() < 0.3:
                    t["max_abandon"] = round(float(rng.uniform(0.03, 0.2)), 3)
                tiers.append(t)
            # Tiers go from the lowest service to the highest: an abandonment cap never
            # loosens (or disappears) in a later tier.
            for before, after in itertools.pairwise(tiers):
                if "max_abandon" in before:
                    after["max_abandon"] = min(
                        before["max_abandon"], after.get("max_abandon", before["max_abandon"])
                    )
        cat["tiers"] = tiers
        raw["categories"].append(cat)
    nsite = 2 if combo else int(rng.choice([1, 2], p=[0.5, 0.5]))
    contact_names = [n for n, k in zip(names, kinds, strict=True) if k != "project"]
    for s in range(nsite):
        site: dict[str, Any] = {
            "name": f"site{s}",
            "hourly_cost": round(float(rng.uniform(8, 40)), 2),
        }
        if rng.random() < 0.5:
            site["overhead_per_hour"] = round(float(rng.uniform(0, 6)), 2)
        if rng.random() < 0.3:
            site["shrinkage"] = round(float(rng.uniform(0.1, 0.4)), 3)
        if s == 1 and len(contact_names) > 1 and rng.random() < 0.5:
            site["categories"] = [str(x) for x in rng.choice(contact_names, size=1)]
        prov["sites"].append(site)
    if nsite == 2 and rng.random() < 0.3 and contact_names:
        prov["sites"][0]["categories"] = [contact_names[0]]  # the rest only at site1 (if allowed)
        if prov["sites"][1].get("categories") is not None:
            prov["sites"][1]["categories"] = sorted(
                set(prov["sites"][1]["categories"]) | set(contact_names[1:])
            )
    if combo and not _shared_calls(raw):
        for site in prov["sites"]:
            site.pop("categories", None)

    # rough economics, from the oracle's own requirement tables
    deal = build_deal(raw)
    rate = min(deal.unit_cost) / (minutes / 60.0 * deal.wpm)  # per productive hour
    spend_est, handled_est, fte_est = 0.0, 0.0, 0.0
    peak = np.zeros(deal.n)
    for cat, info in zip(raw["categories"], deal.cats, strict=True):
        if cat["channel"] == "project":
            total = project_hours(cat) * cat["specialist_hourly_cost"]
            per = {"per_unit": cat.get("units"), "per_hour": project_hours(cat)}.get(cat["pricing"])
            for t in cat["tiers"]:
                menu = _menu(rng, total * float(rng.uniform(0.9, 1.3)), False)
                t["prices"] = menu if per is None else _scaled(menu, 1.0 / per)
            spend_est += total * 1.2 / raw["contract_months"]
            continue
        for k, (t, need) in enumerate(zip(cat["tiers"], info.tiers, strict=True)):
            cost = need.productive_hours * rate
            if cat["pricing"] == "revenue_share":
                if k == 0:
                    frac = float(rng.uniform(0.1, 0.5))
                    cat["value_per_sale"] = _sig(
                        cost / max(need.handled * cat["conversion_rate"] * frac, 1e-9)
                    )
                q = need.handled * cat["conversion_rate"] * cat["value_per_sale"]
            else:
                q = need.billable
            unit = cost / max(q, 1e-9) * (1.0 + 0.15 * k)
            t["prices"] = _menu(rng, unit, cat["pricing"] == "revenue_share")
        low = info.tiers[0]
        spend_est += low.productive_hours * rate * 1.25
        handled_est += low.handled
        fte_est += (
            info.tiers[-1].productive_hours / (1 - prov["shrinkage"]) / prov["fte_hours_per_month"]
        )
        if cat["channel"] == "deferred":
            per = minutes * 60 * prov["max_occupancy"] / cat["aht_seconds"]
            peak += np.where(info.open, info.volume.sum() / per / max(info.open.sum(), 1), 0.0)
        else:
            peak += info.tiers[-1].agents
        if rng.random() < 0.2:
            cat["value_per_contact"] = round(
                float(rng.uniform(1, 6)) * low.productive_hours * rate / max(low.handled, 1), 3
            )
        if "resolution_rate" in cat and rng.random() < 0.3:
            cat["value_per_resolution"] = round(float(rng.uniform(0.5, 5)), 3)
        if rng.random() < 0.25:
            bench = t_price_mid(cat["tiers"][0]["prices"])
            cat["benchmark_price"] = _sig(bench * float(rng.uniform(0.85, 1.2)))
            if rng.random() < 0.7:
                cat["max_premium"] = round(float(rng.uniform(-0.1, 0.25)), 3)
        if rng.random() < 0.12:
            cat["max_cost_per_contact"] = _sig(
                low.productive_hours * rate / max(low.handled, 1) * float(rng.uniform(0.9, 2.0))
            )
    if rng.random() < 0.3:
        prov["fixed_monthly_cost"] = _sig(spend_est * float(rng.uniform(0.02, 0.15)))
    if rng.random() < 0.2:
        prov["setup_cost"] = _sig(
            spend_est * raw["contract_months"] * float(rng.uniform(0.02, 0.1))
        )
    for site in prov["sites"]:
        keep = 1 - site.get("shrinkage", prov["shrinkage"])
        if rng.random() < 0.35:
            site["seats"] = int(
                max(0, math.floor(peak.max() / keep * float(rng.uniform(0.5, 1.4))))
            )
        if rng.random() < 0.25:
            site["max_fte"] = round(fte_est * float(rng.uniform(0.5, 1.4)), 2)
    client: dict[str, Any] = {}
    if rng.random() < 0.35:
        client["budget_per_month"] = _sig(spend_est * float(rng.uniform(0.7, 1.6)))
    if rng.random() < 0.2 and handled_est > 0:
        client["max_cost_per_contact"] = _sig(
            spend_est / handled_est * float(rng.uniform(0.7, 1.6))
        )
    if rng.random() < 0.2:
        value = sum(
            (
                c.get("value_per_contact", 0.0)
                + (c.get("resolution_rate") or 0) * c.get("value_per_resolution", 0.0)
            )
            * i.tiers[0].handled
            for c, i in zip(raw["categories"], deal.cats, strict=True)
            if c["channel"] != "project"
        )
        if value > 0:
            client["min_roi"] = round(value / spend_est * float(rng.uniform(0.6, 1.3)) - 1, 3)
    if rng.random() < 0.25:
        cat = raw["categories"][int(rng.integers(0, ncat))]
        client["min_tier"] = {
            cat["name"]: cat["tiers"][int(rng.integers(0, len(cat["tiers"])))]["name"]
        }
    if client:
        raw["client"] = client
    key = [COMBO_STREAM] if combo else []
    _add_terms(np.random.default_rng([seed, 20, *key]), raw, deal)
    _add_category_floors(np.random.default_rng([seed, 26, *key]), raw, deal)
    if combo:
        _add_combo(np.random.default_rng([seed, COMBO_STREAM, 1]), raw, deal)
        return raw
    _add_bonus(np.random.default_rng([seed, 32]), raw, deal)
    _add_site_terms(np.random.default_rng([seed, 38]), raw, deal)
    return raw


COMBO_STREAM = 44
"""The key of the combo stream's generators (``random_deal(seed, combo=True)``)."""


def _shared_calls(raw: dict[str, Any]) -> list[dict[str, Any]]:
    """The voice and chat categories every site may handle."""
    return [
        c
        for c in raw["categories"]
        if c["channel"] in ("voice", "chat")
        and all(
            s.get("categories") is None or c["name"] in s["categories"]
            for s in raw["provider"]["sites"]
        )
    ]


def _add_combo(crng: np.random.Generator, raw: dict[str, Any], deal: Deal) -> None:
    """The combo stream's terms on one voice or chat category both sites handle: one or
    two bonus levels (``_bonus_levels``, sometimes with amounts large enough to pay for
    agents above the tier), and a site premium (half the deals), a premium and minimum
    shares (a quarter) or shares alone (a quarter), seats and max FTE as drawn; in half
    the deals no competitor band and in 30% no client limits (fewer infeasible deals). A
    premium needs price points and no minimum charge (the validation): a free range
    becomes its two ends, a drawn minimum is dropped."""
    sites = raw["provider"]["sites"]
    if crng.random() < 0.5:  # fewer deals infeasible by the competitor band
        for c in raw["categories"]:
            for key in ("benchmark_price", "max_premium"):
                c.pop(key, None)
            (c.get("terms") or {}).pop("min_premium", None)
    if crng.random() < 0.3:
        raw.pop("client", None)
    names = {c["name"] for c in _shared_calls(raw)}
    pairs = [
        (c, i) for c, i in zip(raw["categories"], deal.cats, strict=True) if c["name"] in names
    ]
    cat, info = pairs[int(crng.integers(0, len(pairs)))]
    r = crng.random()
    premium, share = r < 0.75, r >= 0.5
    levels = _bonus_levels(crng, raw, info)
    if crng.random() < 0.3:
        for level in levels:
            level["amount"] = _sig(level["amount"] * float(crng.uniform(2.0, 8.0)))
    terms = cat.setdefault("terms", {})
    terms["bonus"] = levels
    if premium:
        terms.pop("minimum_monthly", None)
        for tier in cat["tiers"]:
            prices = tier["prices"]
            if isinstance(prices, dict) and "step" not in prices:
                tier["prices"] = sorted({prices["min"], prices["max"]})
        terms["site_premium"] = _draw_premium(crng, sites, info, deal)
    if share:
        terms["min_site_share"] = _draw_shares(crng, sites, info, deal)


SITE_TERMS_SHARE = 0.6
"""Share of the two-site deals with a category both sites handle that get site terms."""


def _add_site_terms(srng: np.random.Generator, raw: dict[str, Any], deal: Deal) -> None:
    """A site premium and/or a minimum site share (design 11) on one category both sites
    may handle, from a stream of its own. A premium only where the validation allows it
    (voice or chat, price points, no minimum charge, no bonus): mostly on the dearer
    site, mostly modest, sometimes large enough to pay for idle agents, sometimes a
    discount. No share on a category with a bonus when seats or max FTE couple the
    staffing (they may force agents above the tier, which could earn a level unseen)."""
    sites = raw["provider"]["sites"]
    coupled = any(s.get("seats") is not None or s.get("max_fte") is not None for s in sites)
    pairs = [
        (c, i)
        for c, i in zip(raw["categories"], deal.cats, strict=True)
        if c["channel"] != "project" and len(i.sites) > 1
    ]
    if len(sites) < 2 or not pairs or srng.random() >= SITE_TERMS_SHARE:
        return
    premium = srng.random() < 0.85 and any(_premium_allowed(c) for c, _ in pairs)
    if premium:
        pairs = [(c, i) for c, i in pairs if _premium_allowed(c)]
    cat, info = pairs[int(srng.integers(0, len(pairs)))]
    terms = cat.setdefault("terms", {})
    if premium:
        terms["site_premium"] = _draw_premium(srng, sites, info, deal)
    if (not premium or srng.random() < 0.5) and not (coupled and terms.get("bonus")):
        terms["min_site_share"] = _draw_shares(srng, sites, info, deal)
    if not terms:
        cat.pop("terms")


def _draw_premium(
    srng: np.random.Generator, sites: list[dict[str, Any]], info: CatInfo, deal: Deal
) -> dict[str, float]:
    """A site premium: mostly on the dearer site, mostly modest, sometimes large enough to
    pay for idle agents, sometimes a discount; now and then a second on the other site."""
    dear = max(info.sites, key=lambda s: deal.unit_cost[s])
    site = dear if srng.random() < 0.7 else info.sites[int(srng.integers(0, 2))]
    r = srng.random()
    low, high = (0.05, 0.5) if r < 0.6 else (0.5, 2.0) if r < 0.85 else (-0.3, 0.0)
    out = {sites[site]["name"]: round(float(srng.uniform(low, high)), 3)}
    if srng.random() < 0.15:
        other = sites[info.sites[0] if site != info.sites[0] else info.sites[1]]["name"]
        out[other] = round(float(srng.uniform(0.0, 0.3)), 3)
    return out


def _draw_shares(
    srng: np.random.Generator, sites: list[dict[str, Any]], info: CatInfo, deal: Deal
) -> dict[str, float]:
    """Minimum site shares: mostly of the dearer site (a share of the cheaper one is
    free), now and then of both."""
    order = [int(x) for x in srng.permutation(info.sites)]
    if srng.random() < 0.75:
        order.sort(key=lambda s: -deal.unit_cost[s])
    first = round(float(srng.uniform(0.1, 0.8)), 3)
    shares = {sites[order[0]]["name"]: first}
    if srng.random() < 0.15:
        shares[sites[order[1]]["name"]] = round(float(srng.uniform(0.05, 1.0 - first)), 3)
    return shares


def _premium_allowed(cat: dict[str, Any]) -> bool:
    """The validation's rules for a site premium (voice or chat, price points, no
    minimum charge, no bonus)."""
    terms = cat.get("terms") or {}
    ranges = any(isinstance(t["prices"], dict) and "step" not in t["prices"] for t in cat["tiers"])
    return (
        cat["channel"] in ("voice", "chat")
        and not ranges
        and terms.get("minimum_monthly") is None
        and not terms.get("bonus")
    )


BONUS_SHARE = 0.25
"""Share of the deals with a voice or chat category that get a bonus on one of them."""


def _add_bonus(brng: np.random.Generator, raw: dict[str, Any], deal: Deal) -> None:
    """One or two bonus levels (design 11) on one voice or chat category of some deals,
    from a stream of their own: a service level around the tiers' own, an amount a share
    of the category's staffing cost (so that earning it may or may not pay)."""
    pairs = [
        (c, i)
        for c, i in zip(raw["categories"], deal.cats, strict=True)
        if c["channel"] in ("voice", "chat")
    ]
    if not pairs or brng.random() >= BONUS_SHARE:
        return
    cat, info = pairs[int(brng.integers(0, len(pairs)))]
    cat.setdefault("terms", {})["bonus"] = _bonus_levels(brng, raw, info)


def _bonus_levels(brng: np.random.Generator, raw: dict[str, Any], info: CatInfo) -> list:
    """One or two bonus levels: a service level around the tiers' own within 10-45 s, an
    amount 1-25% of the lowest tier's staffing cost."""
    rate = float(np.mean([s["hourly_cost"] for s in raw["provider"]["sites"]]))
    cost = info.tiers[0].productive_hours * rate
    levels = []
    for within in sorted({int(w) for w in brng.choice([10, 15, 20, 30, 45], brng.integers(1, 3))}):
        levels.append(
            {
                "service_level": round(float(brng.uniform(0.7, 0.97)), 3),
                "answer_within_seconds": within,
                "amount": _sig(cost * float(brng.uniform(0.01, 0.25))),
            }
        )
    return levels


FLOOR_SHARE = 0.25
"""Share of the deals without seats or max FTE whose categories get a margin floor."""


def _add_category_floors(frng: np.random.Generator, raw: dict[str, Any], deal: Deal) -> None:
    """A margin floor (terms ``min_margin``) on one contact category of some deals, from a
    stream of its own. Only where nothing couples the categories' staffing: each
    category's direct cost is then its own cheapest staffing (``category_costs``)."""
    sites = raw["provider"]["sites"]
    coupled = any(s.get("seats") is not None or s.get("max_fte") is not None for s in sites)
    if coupled or frng.random() >= FLOOR_SHARE:
        return
    cats = [c for c in raw["categories"] if c["channel"] != "project"]
    if not cats:
        return
    cat = cats[int(frng.integers(0, len(cats)))]
    cat.setdefault("terms", {})["min_margin"] = round(float(frng.uniform(-0.05, 0.4)), 3)


TERMS_SHARE = 0.4
"""Share of the generated deals whose categories carry contract terms or plans."""


def _add_terms(trng: np.random.Generator, raw: dict[str, Any], deal: Deal) -> None:
    """Contract terms on some categories of a share of the deals, drawn from a stream of
    their own (every other field of a seed's deal stays as it was): a minimum charge, a
    platform fee or menu, volume bands, plans, whole seats and the competitor band's
    lower side, placed around each tier's own billable quantity (project work: a
    platform fee and the lower side only)."""
    if trng.random() >= TERMS_SHARE:
        return
    pairs = [(c, i) for c, i in zip(raw["categories"], deal.cats, strict=True)]
    pairs = [(c, i) for c, i in pairs if c["channel"] != "project"]
    if not pairs:
        return
    chosen = [pair for pair in pairs if trng.random() < 0.6]
    for cat, info in chosen or [pairs[int(trng.integers(0, len(pairs)))]]:
        terms: dict[str, Any] = {}
        while not terms and not _plans_drawn(cat):
            _draw_terms(trng, cat, info, terms)
        if terms:
            cat["terms"] = terms
    for cat, info in zip(raw["categories"], deal.cats, strict=True):
        if cat["channel"] == "project" and trng.random() < 0.5:
            _project_terms(trng, cat, info)


def _project_terms(trng: np.random.Generator, cat: dict[str, Any], info: CatInfo) -> None:
    """The terms project work may carry (plain prices only): a platform fee or menu, and
    the competitor band's lower side under a benchmark for the whole fee."""
    usage = t_price_mid(cat["tiers"][0]["prices"]) * info.tiers[0].billable
    fees = sorted({_sig(usage * float(x)) for x in trng.uniform(0.0, 0.3, 2)})
    terms: dict[str, Any] = {"platform_fee": fees if trng.random() < 0.5 else fees[-1]}
    if trng.random() < 0.5:
        cat["benchmark_price"] = _sig(t_price_mid(cat["tiers"][0]["prices"]) * 1.1)
        cat["max_premium"] = round(float(trng.uniform(0.0, 0.25)), 3)
        terms["min_premium"] = round(float(trng.uniform(-0.2, 0.0)), 3)
    cat["terms"] = terms


def _plans_drawn(cat: dict[str, Any]) -> bool:
    return any(
        isinstance(p, dict)
        for t in cat["tiers"]
        if isinstance(t["prices"], list)
        for p in t["prices"]
    )


def _draw_terms(
    trng: np.random.Generator, cat: dict[str, Any], info: CatInfo, terms: dict[str, Any]
) -> None:
    """One draw of each term (each with its own chance) into ``terms`` and the tiers."""
    qs = [max(t.billable, 1e-9) for t in info.tiers]
    if cat["pricing"] == "revenue_share":  # the tables were built before value_per_sale
        qs = [
            max(t.handled * cat["conversion_rate"] * cat["value_per_sale"], 1e-9)
            for t in info.tiers
        ]
    mid = t_price_mid(cat["tiers"][0]["prices"])
    usage = mid * qs[0]  # the lowest tier's charge at a middling price
    points = all(
        not (isinstance(t["prices"], dict) and "step" not in t["prices"]) for t in cat["tiers"]
    )
    if points and trng.random() < 0.3:
        terms["minimum_monthly"] = _sig(usage * float(trng.uniform(0.6, 1.4)))
    if trng.random() < 0.4:
        fees = sorted({_sig(usage * float(x)) for x in trng.uniform(0.0, 0.2, 3)})
        terms["platform_fee"] = fees[0] if trng.random() < 0.4 else fees[: int(trng.integers(2, 4))]
    if trng.random() < 0.5:
        starts = sorted(
            {_sig(qs[0] * float(x)) for x in trng.uniform(0.2, 1.6, trng.integers(1, 3))}
        )
        discounts = sorted(round(float(x), 3) for x in trng.uniform(0.01, 0.2, len(starts)))
        terms["volume_bands"] = {
            "kind": str(trng.choice(["incremental", "all_units"])),
            "bands": [{"from": 0.0, "discount": 0.0}]
            + [{"from": a, "discount": d} for a, d in zip(starts, discounts, strict=True)],
        }
    if cat["pricing"] == "per_fte_month" and trng.random() < 0.8:
        terms["bill_whole_units"] = True
    if "benchmark_price" not in cat and trng.random() < 0.3:
        cat["benchmark_price"] = _sig(mid * float(trng.uniform(0.85, 1.2)))
        cat["max_premium"] = round(float(trng.uniform(0.0, 0.25)), 3)
    if "benchmark_price" in cat and trng.random() < 0.6:
        low = round(float(trng.uniform(-0.15, 0.15)), 3)
        terms["min_premium"] = min(low, cat.get("max_premium", 0.0))
    if trng.random() < 0.45:
        for tier, q in zip(cat["tiers"], qs, strict=True):
            if isinstance(tier["prices"], list):
                tier["prices"] = [_plan(trng, p, q) for p in tier["prices"]]


def _plan(trng: np.random.Generator, price: float, q: float) -> Any:
    """A plan around a plain price (some included units for a fee), or the price kept."""
    if trng.random() < 0.25:
        return price
    included = _sig(q * float(trng.uniform(0.2, 1.3)))
    fee = _sig(price * included * float(trng.uniform(0.6, 1.3)))
    return {"fee": fee, "included": included, "unit_price": price}


def t_price_mid(prices: Any) -> float:
    """Middle of a price menu (for placing a benchmark)."""
    if isinstance(prices, dict):
        return (prices["min"] + prices["max"]) / 2
    return float(np.median(prices))
