"""Tests of optimizer.staffing.requirements: volumes, offered load, agents, handled and billable
quantities per pricing model (design sections 3, 4 and 6.2).

Most tests use a *one-interval* scenario: the example's ``calls`` category with all
of its weekly volume in the first 30-minute interval and ``weeks_per_month`` = 1, so
that reference case E1 (100 calls per 30 min, AHT 180 s, 80/20, 85% occupancy cap)
sits in interval 0 and every monthly figure is checked by hand arithmetic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import make_raw, make_scenario

from optimizer.scenario.schema import validate_scenario
from optimizer.staffing import queueing
from optimizer.staffing.requirements import build_requirements, weekly_volume

REL = 1e-9
"""Relative tolerance on sums of floats (volumes, hours)."""
PUBLISHED_ABS = 5e-5
"""Published E1/E2 figures are printed to four decimals."""

INTERVALS_30 = 336
E1 = {
    "calendar.weeks_per_month": 1.0,
    "provider.max_occupancy": 0.85,
    "provider.shrinkage": 0.30,
    "categories.calls.contacts_per_month": 100,
    "categories.calls.aht_seconds": 180,
    "categories.calls.profile": [1.0] + [0.0] * (INTERVALS_30 - 1),
    "categories.calls.tiers.std.service_level": 0.8,
    "categories.calls.tiers.std.answer_within_seconds": 20,
}
"""Overrides giving E1 in interval 0 (Call Centre Helper, "Erlang C formula - made simple")."""

E1_AGENTS = 14
E1_HOURS = E1_AGENTS * 0.5
"""Productive hours a month: 14 agents x 0.5 h x 1 week."""

CHAT = {
    "name": "chat", "channel": "chat", "contacts_per_month": 5000, "aht_seconds": 420,
    "concurrency": 2.5, "pricing": "revenue_share", "conversion_rate": 0.12,
    "value_per_sale": 220,
    "tiers": [{"name": "std", "service_level": 0.8, "answer_within_seconds": 60,
               "prices": {"min": 0.05, "max": 0.12}}],
}  # fmt: skip
STUDY = {
    "name": "study", "channel": "project", "effort_hours": 320,
    "specialist_hourly_cost": 95, "pricing": "fixed_fee",
    "tiers": [{"name": "standard", "prices": [38000]}],
}  # fmt: skip


def with_categories(*extra: dict, **overrides: object):
    """The example scenario (overrides applied) plus extra raw categories."""
    raw = make_raw(**overrides)
    raw["categories"].extend(extra)
    return validate_scenario(raw, "<test>")


@pytest.fixture(scope="module")
def e1_table():
    """Requirement table of the one-interval E1 scenario."""
    return build_requirements(make_scenario(**E1))


# ------------------------------------------------------------------ volume and load


@pytest.mark.parametrize("minutes", [15, 30, 60])
def test_volume_sums_to_monthly(minutes):
    """Weekly volume x weeks_per_month = contacts_per_month, for every interval length."""
    scenario = make_scenario(**{"calendar.interval_minutes": minutes})
    for name in ("calls", "mail"):
        cat = scenario.category(name)
        volume, mask = weekly_volume(scenario, cat)
        assert volume.shape == mask.shape == (7 * 24 * 60 // minutes,)
        total = volume.sum() * scenario.calendar.weeks_per_month
        assert total == pytest.approx(cat.contacts_per_month, rel=REL)


def test_volume_is_zero_outside_open_hours():
    """Intervals outside ``open_hours`` get no contacts."""
    scenario = make_scenario(**{"categories.calls.open_hours": {"mon-fri": "09:00-17:00"}})
    volume, mask = weekly_volume(scenario, scenario.category("calls"))
    assert not volume[~mask].any()
    assert volume[mask].sum() > 0


def test_offered_load_formula():
    """Offered load A = contacts x AHT / interval seconds, in every interval."""
    scenario = make_scenario()
    cat = build_requirements(scenario).category("calls")
    aht = scenario.category("calls").aht_seconds
    np.testing.assert_allclose(cat.load, cat.volume * aht / (30 * 60.0), rtol=REL)


def test_e1_offered_load_is_ten_erlangs(e1_table):
    """E1: 100 calls in 30 minutes at 180 s each is 10 Erlangs; the other intervals are idle."""
    cat = e1_table.category("calls")
    assert cat.volume[0] == pytest.approx(100.0)
    assert cat.load[0] == pytest.approx(10.0)
    assert not cat.load[1:].any()


# ------------------------------------------------------------------ agents


def test_required_agents_match_queueing(e1_table):
    """E1 through a scenario: 14 agents, the same N as queueing.required_agents, and the
    published SL 0.888350 and ASA 7.836 s (Call Centre Helper; R package ErlangC)."""
    tier = e1_table.category("calls").tier("std")
    direct = queueing.required_agents(10.0, 180.0, 0.8, 20.0, max_occupancy=0.85)
    assert int(direct) == E1_AGENTS
    assert tier.agents[0] == E1_AGENTS
    assert tier.agents.dtype.kind == "i"
    assert not tier.agents[1:].any()
    assert tier.service_level[0] == pytest.approx(0.888350, abs=PUBLISHED_ABS)
    assert tier.asa_seconds[0] == pytest.approx(7.836, abs=1e-3)
    assert tier.abandon_rate[0] == 0.0


def test_required_agents_match_queueing_every_interval():
    """Over a whole week every interval's agents equal queueing.required_agents on its load."""
    scenario = make_scenario()
    cat = build_requirements(scenario).category("calls")
    direct = queueing.required_agents(
        cat.load, 300.0, 0.8, 20.0, max_occupancy=scenario.provider.max_occupancy
    )
    np.testing.assert_array_equal(cat.tier("std").agents, direct)


def test_erlang_a_handled_is_offered_minus_abandoned():
    """E2 (pyworkforce Erlang A guide): with patience 300 s 13 agents suffice and handled
    contacts = offered x (1 - P(abandon)), P(abandon) 0.0250."""
    scenario = make_scenario(**E1, **{"categories.calls.patience_seconds": 300})
    tier = build_requirements(scenario).category("calls").tier("std")
    assert tier.agents[0] == 13
    p_abandon = float(queueing.erlang_a_metrics(13, 10.0, 180.0, 300.0, 20.0).p_abandon)
    assert p_abandon == pytest.approx(0.0250, abs=PUBLISHED_ABS)
    assert tier.abandon_rate[0] == pytest.approx(p_abandon)
    assert tier.handled_per_month == pytest.approx(100.0 * (1.0 - p_abandon), rel=REL)
    assert tier.billable_per_month == pytest.approx(tier.handled_per_month, rel=REL)


def test_erlang_c_handles_every_offered_contact(e1_table):
    """Without patience (Erlang C) handled contacts equal offered contacts."""
    assert e1_table.category("calls").tier("std").handled_per_month == pytest.approx(100.0)


def test_chat_agents_are_slots_over_concurrency():
    """Chat: agents = ceil(slots / concurrency), slots being Erlang C servers per interval."""
    scenario = with_categories(CHAT)
    cat = build_requirements(scenario).category("chat")
    slots = queueing.required_agents(
        cat.load, 420.0, 0.8, 60.0, max_occupancy=scenario.provider.max_occupancy
    )
    expected = [math.ceil(int(s) * 2 / 5) for s in slots]  # s / 2.5 in exact integers
    assert cat.tier("std").agents.tolist() == expected
    assert any(s % 5 for s in slots * 2)  # some interval really needs rounding up


def test_chat_handled_is_offered_with_or_without_patience():
    """Chat (design 6.2: "deferred work and chat: handled = offered"): every offered
    chat is handled and billed, also with ``patience_seconds``, where the abandonment
    still sizes the slots and is reported (it was offered x (1 - P_ab): 4,420 of 5,000;
    found by an independent re-implementation). Voice with patience loses its
    abandoned calls."""
    offered = float(CHAT["contacts_per_month"])
    plain = build_requirements(with_categories(CHAT)).category("chat").tier("std")
    assert plain.handled_per_month == pytest.approx(offered)
    patient = build_requirements(with_categories({**CHAT, "patience_seconds": 90}))
    tier = patient.category("chat").tier("std")
    assert tier.abandon_rate.max() > 0.01  # the queue does lose chats...
    assert tier.handled_per_month == pytest.approx(offered)  # ...and all are handled
    voice = {**CHAT, "channel": "voice", "patience_seconds": 90}
    voice.pop("concurrency", None)
    calls = build_requirements(with_categories(voice)).category("chat")
    lost = calls.tier("std").abandon_rate
    weeks = offered / float(calls.volume.sum())
    assert calls.tier("std").handled_per_month == pytest.approx(
        float((calls.volume * (1 - lost)).sum()) * weeks
    )
    assert calls.tier("std").handled_per_month < offered


# ------------------------------------------------------------------ billable quantities


BILLABLE_CASES = {
    # pricing model: (extra overrides, hand-computed quantity for the E1 interval)
    "per_contact": ({}, 100.0),
    "per_minute": ({}, 100.0 * 180 / 60),
    "per_productive_hour": ({}, E1_HOURS),
    "per_fte_month": ({}, E1_HOURS / 0.7 / 160.0),
    "per_resolution": ({"categories.calls.resolution_rate": 0.6}, 100.0 * 0.6),
    "revenue_share": ({"categories.calls.conversion_rate": 0.12,
                       "categories.calls.value_per_sale": 140,
                       "categories.calls.tiers.std.prices": [0.05, 0.1]}, 100.0 * 0.12 * 140),
    "fixed_fee": ({}, 1.0),
}  # fmt: skip
"""Design 6.2, E1 interval: 100 handled, 14 agents x 0.5 h = 7 productive hours,
30% shrinkage and 160 hours per FTE."""


@pytest.mark.parametrize("pricing", list(BILLABLE_CASES))
def test_billable_quantity_per_pricing_model(pricing):
    """Each pricing model's billable quantity q[c, k] matches hand arithmetic (design 6.2)."""
    extra, expected = BILLABLE_CASES[pricing]
    scenario = make_scenario(**E1, **extra, **{"categories.calls.pricing": pricing})
    tier = build_requirements(scenario).category("calls").tier("std")
    assert tier.productive_hours_per_month == pytest.approx(E1_HOURS)
    assert tier.billable_per_month == pytest.approx(expected, rel=REL)


def test_per_fte_month_uses_provider_shrinkage_not_site_shrinkage():
    """per_fte_month divides by the provider-wide shrinkage, whatever site staffs it."""
    scenario = make_scenario(
        **E1, **{"categories.calls.pricing": "per_fte_month", "provider.sites.home.shrinkage": 0.5}
    )
    tier = build_requirements(scenario).category("calls").tier("std")
    assert tier.billable_per_month == pytest.approx(E1_HOURS / 0.7 / 160.0, rel=REL)


def test_deferred_productive_hours_are_workload_over_occupancy():
    """Deferred work: productive hours = 2,000 items x 400 s / 3600 / 0.85 max occupancy;
    every item is handled and no agents are fixed per interval."""
    scenario = make_scenario()
    cat = build_requirements(scenario).category("mail")
    tier = cat.tier("std")
    assert tier.productive_hours_per_month == pytest.approx(2000 * 400 / 3600 / 0.85, rel=REL)
    assert tier.handled_per_month == pytest.approx(2000.0, rel=REL)
    assert tier.billable_per_month == pytest.approx(2000.0, rel=REL)
    assert not tier.agents.any()
    assert tier.agents.shape == cat.volume.shape


def test_project_billable_is_one_over_contract_months():
    """A fixed-fee project bills 1 / contract_months a month, has effort hours and no
    intervals or contacts."""
    scenario = with_categories(STUDY, contract_months=24)
    cat = build_requirements(scenario).category("study")
    tier = cat.tier("standard")
    assert tier.billable_per_month == pytest.approx(1.0 / 24)
    assert tier.productive_hours_per_month == pytest.approx(320.0)
    assert tier.handled_per_month == 0.0
    assert cat.volume.size == cat.load.size == tier.agents.size == 0


# ------------------------------------------------------------------ table shapes


SUMMARY_KEYS = [
    "category",
    "tier",
    "channel",
    "peak_agents",
    "productive_hours",
    "handled_per_month",
    "billable_per_month",
    "min_service_level",
]
INTERVAL_KEYS = [
    "category",
    "tier",
    "interval",
    "contacts",
    "load_erlangs",
    "agents",
    "service_level",
    "asa_seconds",
    "abandon_rate",
    "handled",
]


def test_summary_rows_shape():
    """One summary row per (category, tier), with the same keys in the same order."""
    scenario = with_categories(CHAT, STUDY, contract_months=24)
    rows = build_requirements(scenario).summary_rows()
    assert [(r["category"], r["tier"]) for r in rows] == [
        ("calls", "std"),
        ("mail", "std"),
        ("chat", "std"),
        ("study", "standard"),
    ]
    assert all(list(r) == SUMMARY_KEYS for r in rows)
    by_name = {r["category"]: r for r in rows}
    assert by_name["mail"]["min_service_level"] is None
    assert by_name["study"]["peak_agents"] == 0
    assert isinstance(by_name["calls"]["peak_agents"], int)


def test_summary_row_of_e1(e1_table):
    """The E1 summary row: peak 14 agents, 7 productive hours, minimum SL 0.88835."""
    row = e1_table.summary_rows()[0]
    assert row["peak_agents"] == E1_AGENTS
    assert row["productive_hours"] == pytest.approx(E1_HOURS)
    assert row["min_service_level"] == pytest.approx(0.888350, abs=PUBLISHED_ABS)


def test_interval_rows_shape():
    """One interval row per (queue or deferred category, tier, interval); projects have none."""
    scenario = with_categories(CHAT, STUDY, contract_months=24)
    table = build_requirements(scenario)
    rows = table.interval_rows()
    assert len(rows) == 3 * INTERVALS_30
    assert all(list(r) == INTERVAL_KEYS for r in rows)
    assert {r["category"] for r in rows} == {"calls", "mail", "chat"}
    assert [r["interval"] for r in rows[:INTERVALS_30]] == list(table.labels)
    assert len(table.labels) == INTERVALS_30


def test_interval_rows_of_e1(e1_table):
    """Interval 0 of E1 carries the 100 contacts, 10 Erlangs and 14 agents."""
    first = e1_table.interval_rows()[0]
    assert first["interval"] == e1_table.labels[0]
    assert first["contacts"] == pytest.approx(100.0)
    assert first["load_erlangs"] == pytest.approx(10.0)
    assert first["agents"] == E1_AGENTS
    assert first["handled"] == pytest.approx(100.0)
