"""Synthetic but realistic deals of any size, for benchmarks (seeded, deterministic).

``make_deal(categories=10, sites=3, days=7, staffing="intervals")`` returns a raw
scenario mapping: voice, chat and deferred categories with every pricing model,
onshore / nearshore / offshore sites, open on the first ``days`` days of the week.
"""

from __future__ import annotations

import random
from typing import Any

SITE_COSTS = [("helsinki", 34.0, 6.5, 0.32), ("tallinn", 21.0, 4.0, 0.30),
              ("manila", 9.5, 2.5, 0.35), ("lisbon", 17.0, 3.5, 0.30)]
PRICING = [("per_minute", [0.95, 1.0, 1.05, 1.1]), ("per_contact", [5.5, 6.0, 6.5, 7.0]),
           ("per_productive_hour", [38.0, 41.0, 44.0, 47.0]),
           ("per_fte_month", [4600.0, 4900.0, 5200.0, 5500.0]),
           ("per_resolution", [8.0, 8.5, 9.0, 9.5])]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def make_deal(categories: int = 10, sites: int = 3, days: int = 7,
              staffing: str = "intervals", interval_minutes: int = 30, seed: int = 0,
              volume_scale: float = 1.0) -> dict[str, Any]:
    """A raw scenario mapping of the requested size."""
    rng = random.Random(seed)
    open_days = DAYS[:days]
    hours = {d: "08:00-20:00" for d in open_days}
    cats = []
    for i in range(categories):
        kind = i % 5
        name = f"cat{i:02d}"
        if kind == 4:
            cats.append({
                "name": name, "channel": "deferred",
                "contacts_per_month": round(rng.uniform(4000, 12000) * volume_scale),
                "aht_seconds": rng.choice([360, 420, 480]), "profile": "business_hours",
                "open_hours": hours, "pricing": "per_contact",
                "tiers": [{"name": "standard", "share": 0.95, "within_hours": 24,
                           "prices": [2.6, 2.9, 3.2]},
                          {"name": "express", "share": 0.95, "within_hours": 8,
                           "prices": [3.0, 3.3, 3.6]}]})
            continue
        pricing, prices = PRICING[i % len(PRICING)]
        channel = "chat" if kind == 3 else "voice"
        cat: dict[str, Any] = {
            "name": name, "channel": channel,
            "contacts_per_month": round(rng.uniform(8000, 40000) * volume_scale),
            "aht_seconds": rng.choice([240, 300, 360, 420]), "profile": "24x7",
            "open_hours": hours, "pricing": pricing, "value_per_contact": 12.0,
            "tiers": [
                {"name": "silver", "service_level": 0.8, "answer_within_seconds": 30,
                 "prices": prices},
                {"name": "gold", "service_level": 0.9, "answer_within_seconds": 20,
                 "prices": [round(p * 1.08, 4) for p in prices]}]}
        if channel == "chat":
            cat["concurrency"] = 2.0
        if pricing == "per_resolution":
            cat["resolution_rate"] = 0.7
        if i % 3 == 0 and channel == "voice":
            cat["patience_seconds"] = 180
        cats.append(cat)
    site_list = []
    for j in range(sites):
        name, cost, overhead, shrink = SITE_COSTS[j % len(SITE_COSTS)]
        site_list.append({"name": f"{name}{j // 4 or ''}", "hourly_cost": cost,
                          "overhead_per_hour": overhead, "shrinkage": shrink,
                          "seats": 60 + 40 * j})
    return {
        "scenario": f"synthetic {categories}c x {sites}s x {days}d {staffing}",
        "contract_months": 24,
        "calendar": {"interval_minutes": interval_minutes},
        "provider": {"min_margin": 0.10, "supervisor_ratio": 12, "supervisor_hourly_cost": 40,
                     "fixed_monthly_cost": 15000, "setup_cost": 60000, "staffing": staffing,
                     "shifts": {"lengths_hours": [8, 6, 4], "start_every_minutes": 60},
                     "sites": site_list},
        "categories": cats,
        "client": {"min_roi": 0.2},
    }
