"""Tests of optimizer.scenario.profiles: built-in shapes, user weights, opening hours, labels."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.conventions import DAYS, intervals_per_week
from optimizer.errors import ScenarioError
from optimizer.scenario.profiles import (
    BUILTIN_PROFILES,
    builtin_shape,
    expand_weights,
    interval_labels,
    normalise,
    open_mask,
)

LENGTHS = (15, 30, 60)
weight = st.just(0.0) | st.floats(min_value=1e-6, max_value=1e6)
big = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.large_base_example, HealthCheck.too_slow],
)
interval_length = st.sampled_from(LENGTHS)


def hourly(shape: np.ndarray, interval_minutes: int) -> np.ndarray:
    """Sum a per-interval array into 168 hourly totals."""
    return shape.reshape(168, 60 // interval_minutes).sum(axis=1)


def hour_index(day: str, hour: int) -> int:
    """Index of an hour of the week."""
    return DAYS.index(day) * 24 + hour


# --------------------------------------------------------------------- built-ins


def test_builtin_names():
    """The four documented built-in profiles are exported in order."""
    assert BUILTIN_PROFILES == ("business_hours", "extended_hours", "24x7", "retail_evenings")


@pytest.mark.parametrize("name", BUILTIN_PROFILES)
@pytest.mark.parametrize("minutes", LENGTHS)
def test_builtin_normalises_to_one(name, minutes):
    """Every built-in has one non-negative weight per interval and normalises to 1."""
    shape = builtin_shape(name, minutes)
    assert shape.shape == (intervals_per_week(minutes),)
    assert shape.dtype == np.float64
    assert np.all(shape >= 0) and np.all(np.isfinite(shape))
    p = normalise(shape, open_mask(None, minutes))
    assert math.isclose(float(p.sum()), 1.0, rel_tol=1e-12)


@pytest.mark.parametrize("name", BUILTIN_PROFILES)
def test_builtin_hourly_totals_independent_of_interval(name):
    """A built-in has the same hourly volume at 15, 30 and 60 minutes."""
    reference = builtin_shape(name, 60)
    for minutes in (15, 30):
        np.testing.assert_allclose(hourly(builtin_shape(name, minutes), minutes), reference)


def test_business_hours_shape():
    """business_hours: Mon-Fri 08-18 only, peaks at 10 and 14, Monday busiest, Friday quieter."""
    shape = builtin_shape("business_hours", 60)
    days = shape.reshape(7, 24)
    assert np.all(days[5:] == 0), "weekends are closed"
    assert np.all(days[:5, :8] == 0) and np.all(days[:5, 18:] == 0)
    assert np.all(days[:5, 8:18] > 0)
    totals = days.sum(axis=1)
    assert totals[0] == totals.max() and totals[0] > totals[4]
    assert totals[4] < totals[1:4].min()
    monday = days[0]
    assert monday[10] > monday[8] and monday[10] == monday.max()
    assert monday[14] > monday[13] and monday[14] > monday[15], "after-lunch peak"
    assert monday[12] < monday[11] and monday[12] < monday[14], "lunch dip"


def test_extended_hours_shape():
    """extended_hours: Mon-Fri 07-21, Saturday 09-17 lighter, Sunday closed."""
    days = builtin_shape("extended_hours", 60).reshape(7, 24)
    assert np.all(days[:5, 7:21] > 0) and np.all(days[:5, :7] == 0) and np.all(days[:5, 21:] == 0)
    assert np.all(days[5, 9:17] > 0) and np.all(days[5, :9] == 0) and np.all(days[5, 17:] == 0)
    assert np.all(days[6] == 0)
    assert days[5].sum() < 0.5 * days[:5].sum(axis=1).min()
    assert days[5].max() < days[:5].max(axis=1).min()


def test_24x7_shape():
    """24x7: positive everywhere, overnight 3-5% of the day's peak, weekends at 60-70%."""
    for minutes in LENGTHS:
        assert np.all(builtin_shape("24x7", minutes) > 0)
    days = builtin_shape("24x7", 60).reshape(7, 24)
    trough = days.min(axis=1) / days.max(axis=1)
    assert np.all((trough >= 0.03) & (trough <= 0.05))
    assert np.all(days.argmin(axis=1) < 6), "the trough is overnight"
    assert np.all((days.argmax(axis=1) >= 9) & (days.argmax(axis=1) <= 15)), "daytime peak"
    weekday = days[:5].sum(axis=1).mean()
    for d in (5, 6):
        assert 0.6 <= days[d].sum() / weekday <= 0.7


def test_retail_evenings_shape():
    """retail_evenings: every day open, evening peak 17-21, busier weekend afternoons."""
    days = builtin_shape("retail_evenings", 60).reshape(7, 24)
    assert np.all(days.sum(axis=1) > 0)
    assert np.all((days.argmax(axis=1) >= 17) & (days.argmax(axis=1) < 21))
    afternoon = days[:, 13:17].sum(axis=1)
    assert afternoon[5] > afternoon[:5].max() and afternoon[6] > afternoon[:5].max()


def test_builtin_monday_morning_peak_above_opening():
    """The morning peak of every daytime built-in exceeds its 08:00 value."""
    for name in ("business_hours", "extended_hours", "24x7"):
        shape = builtin_shape(name, 60)
        assert shape[hour_index("mon", 10)] > shape[hour_index("mon", 8)]


def test_builtin_unknown_name():
    """An unknown built-in name is a ValueError listing the names."""
    with pytest.raises(ValueError, match=r"expected a built-in profile name.*business_hours"):
        builtin_shape("office", 30)


@pytest.mark.parametrize("minutes", [0, 20, 45, 90, True])
def test_bad_interval_minutes(minutes):
    """Interval lengths other than 15, 30 and 60 are rejected everywhere."""
    for call in (
        lambda: builtin_shape("24x7", minutes),
        lambda: expand_weights([1.0] * 24, minutes),
        lambda: open_mask(None, minutes),
        lambda: interval_labels(minutes),
    ):
        with pytest.raises(ValueError, match="expected interval_minutes of 15, 30 or 60"):
            call()


# --------------------------------------------------------------------- user weights


@big
@given(minutes=interval_length, data=st.data())
def test_per_interval_list_is_kept(minutes, data):
    """A list of one weight per interval comes back unchanged."""
    n = intervals_per_week(minutes)
    values = data.draw(st.lists(weight, min_size=n, max_size=n).filter(lambda v: any(v)))
    np.testing.assert_array_equal(expand_weights(values, minutes), np.array(values))


@big
@given(
    minutes=interval_length,
    values=st.lists(weight, min_size=168, max_size=168).filter(lambda v: any(v)),
)
def test_hourly_week_preserves_hourly_totals(minutes, values):
    """168 hourly weights are split evenly: each hour keeps its total at every length."""
    out = expand_weights(values, minutes)
    assert out.shape == (intervals_per_week(minutes),)
    np.testing.assert_allclose(hourly(out, minutes), values, rtol=1e-12)
    per_hour = out.reshape(168, 60 // minutes)
    np.testing.assert_allclose(per_hour, per_hour[:, :1].repeat(60 // minutes, axis=1))


@settings(max_examples=60, deadline=None)
@given(
    minutes=interval_length,
    values=st.lists(weight, min_size=24, max_size=24).filter(lambda v: any(v)),
)
def test_hourly_day_repeats_every_day(minutes, values):
    """24 hourly weights are split over each hour's intervals and repeated every day."""
    out = expand_weights(values, minutes)
    np.testing.assert_allclose(hourly(out, minutes), np.tile(values, 7), rtol=1e-12)


@pytest.mark.parametrize("minutes", (15, 30))
def test_per_interval_day_repeats(minutes):
    """A list of one weight per interval of a day is repeated every day, unchanged."""
    per_day = 24 * 60 // minutes
    values = np.arange(1.0, per_day + 1)
    out = expand_weights(list(values), minutes)
    np.testing.assert_array_equal(out.reshape(7, per_day), np.tile(values, (7, 1)))


def test_sixty_minute_counts_coincide():
    """At 60 minutes 168 and 24 weights are per interval and per hour at once, same result."""
    week = list(np.linspace(0.1, 2.0, 168))
    np.testing.assert_allclose(expand_weights(week, 60), week)
    day = list(np.linspace(0.1, 2.0, 24))
    np.testing.assert_allclose(expand_weights(day, 60), np.tile(day, 7))


@settings(max_examples=60, deadline=None)
@given(
    minutes=interval_length,
    days=st.lists(weight, min_size=7, max_size=7).filter(lambda v: any(v)),
    intraday=st.lists(weight, min_size=24, max_size=24).filter(lambda v: any(v)),
)
def test_days_times_hourly_intraday(minutes, days, intraday):
    """The mapping form gives day weight x intraday weight, hourly totals preserved."""
    out = expand_weights({"days": days, "intraday": intraday}, minutes)
    expected = np.outer(days, intraday).reshape(-1)
    np.testing.assert_allclose(hourly(out, minutes), expected, rtol=1e-12, atol=1e-300)


def test_days_times_per_interval_intraday():
    """The mapping form accepts one intraday weight per interval of a day."""
    intraday = list(np.linspace(0.0, 1.0, 48))
    days = [1, 2, 3, 4, 5, 0, 0.5]
    out = expand_weights({"days": days, "intraday": intraday}, 30)
    np.testing.assert_allclose(out.reshape(7, 48), np.outer(days, intraday))


def test_numpy_array_weights():
    """A numpy array is accepted like a list."""
    out = expand_weights(np.ones(24), 30)
    np.testing.assert_allclose(out, 0.5)


def test_wrong_length_message_lists_lengths():
    """A wrong length names every accepted length for this interval length."""
    with pytest.raises(ValueError) as info:
        expand_weights([1.0] * 100, 30)
    assert str(info.value) == (
        "expected a list of 336 (per interval), 168 (per hour of the week), "
        "48 (per interval of a day) or 24 (per hour of a day) non-negative weights, got 100"
    )
    with pytest.raises(ValueError, match=r"672 \(per interval\).*96 \(per interval of a day\)"):
        expand_weights([1.0] * 5, 15)
    with pytest.raises(ValueError) as info:
        expand_weights([1.0] * 7, 60)
    assert str(info.value) == (
        "expected a list of 168 (per hour of the week) or 24 (per hour of a day) "
        "non-negative weights, got 7"
    )


@pytest.mark.parametrize(
    "spec",
    [
        [1.0] * 23 + [-0.5],
        [1.0] * 23 + [math.nan],
        [1.0] * 23 + [math.inf],
        [0.0] * 24,
        [0] * 168,
        [],
        [1.0] * 25,
        "business",
        42,
        None,
        [1.0] * 23 + ["x"],
        [1.0] * 23 + [True],
        [[1.0] * 24],
        np.ones((7, 24)),
        {"days": [1] * 7},
        {"days": [1] * 7, "intraday": [1] * 24, "extra": 1},
        {"days": [1] * 6, "intraday": [1] * 24},
        {"days": [1] * 7, "intraday": [1] * 30},
        {"days": [1] * 7, "intraday": [-1] * 24},
        {"days": [0] * 7, "intraday": [1] * 24},
        {"days": [1, 0, 0, 0, 0, 0, 0], "intraday": "flat"},
    ],
)
def test_bad_weights(spec):
    """Bad weight specs (sign, NaN, inf, zeros, length, type, keys) raise 'expected ...'."""
    with pytest.raises(ValueError, match=r"^expected "):
        expand_weights(spec, 30)


# --------------------------------------------------------------------- opening hours


def open_hours_of(mask: np.ndarray, minutes: int, day: str) -> list[str]:
    """Labels of the open intervals of one day."""
    labels = interval_labels(minutes)
    return [lab[4:] for lab, m in zip(labels, mask, strict=True) if m and lab.startswith(day)]


def test_none_is_open_all_week():
    """No open_hours means every interval is open."""
    for minutes in LENGTHS:
        mask = open_mask(None, minutes)
        assert mask.dtype == np.bool_ and mask.all() and mask.size == intervals_per_week(minutes)


def test_simple_ranges_and_unnamed_days_closed():
    """Named days open on their ranges; days no key names are closed."""
    mask = open_mask({"mon-fri": "08:00-20:00", "sat": "10:00-16:00"}, 30)
    assert int(mask.sum()) == 5 * 24 + 12
    assert open_hours_of(mask, 30, "sat")[0] == "10:00"
    assert open_hours_of(mask, 30, "sat")[-1] == "15:30"
    assert open_hours_of(mask, 30, "sun") == []
    assert open_hours_of(mask, 30, "wed")[-1] == "19:30"


def test_comma_ranges():
    """Several ranges separated by commas are all open, the gap closed."""
    mask = open_mask({"mon": "08:00-12:00, 13:00-17:00"}, 60)
    assert open_hours_of(mask, 60, "mon") == [f"{h:02d}:00" for h in (8, 9, 10, 11, 13, 14, 15, 16)]


def test_24h_and_full_day_and_closed():
    """Both "24h" and "00:00-24:00" open the whole day; "closed" opens nothing."""
    a = open_mask({"daily": "24h"}, 15)
    b = open_mask({"all": "00:00-24:00"}, 15)
    assert a.all() and b.all()
    c = open_mask({"daily": "24h", "sat-sun": "closed"}, 60)
    assert int(c.sum()) == 5 * 24 and not c[5 * 24 :].any()


def test_wrap_past_midnight():
    """A range ending before it starts runs into the next morning."""
    mask = open_mask({"fri": "22:00-06:00"}, 60)
    assert open_hours_of(mask, 60, "fri") == ["22:00", "23:00"]
    assert open_hours_of(mask, 60, "sat") == [f"{h:02d}:00" for h in range(6)]
    assert int(mask.sum()) == 8


def test_sunday_night_wraps_into_monday():
    """Sunday's overnight range continues into Monday morning of the same week."""
    mask = open_mask({"sun": "20:00-02:30"}, 30)
    assert open_hours_of(mask, 30, "sun")[0] == "20:00"
    assert open_hours_of(mask, 30, "mon") == ["00:00", "00:30", "01:00", "01:30", "02:00"]
    assert int(mask.sum()) == 8 + 5


def test_later_keys_override():
    """A later key replaces the hours of the days it names, earlier ones stay."""
    mask = open_mask({"daily": "08:00-20:00", "sat-sun": "10:00-14:00", "wed": "closed"}, 60)
    assert open_hours_of(mask, 60, "mon") == [f"{h:02d}:00" for h in range(8, 20)]
    assert open_hours_of(mask, 60, "sun") == [f"{h:02d}:00" for h in range(10, 14)]
    assert open_hours_of(mask, 60, "wed") == []
    reverse = open_mask({"sat-sun": "10:00-14:00", "daily": "08:00-20:00"}, 60)
    assert open_hours_of(reverse, 60, "sun") == [f"{h:02d}:00" for h in range(8, 20)]


def test_day_specs():
    """Single days, ranges, wrapping ranges, comma lists and case/spacing variants."""
    cases = {
        "tue": {"tue"},
        "mon-wed": {"mon", "tue", "wed"},
        "fri-mon": {"fri", "sat", "sun", "mon"},
        "mon,wed": {"mon", "wed"},
        "Mon - Tue, sun": {"mon", "tue", "sun"},
        "daily": set(DAYS),
        "all": set(DAYS),
    }
    for spec, expected in cases.items():
        mask = open_mask({spec: "12:00-13:00"}, 60)
        assert {d for d in DAYS if open_hours_of(mask, 60, d)} == expected, spec


def test_off_grid_times_open_by_interval_start():
    """An interval is open iff its start minute lies inside a range (off-grid times)."""
    mask = open_mask({"mon": "08:10-09:10"}, 30)
    assert open_hours_of(mask, 30, "mon") == ["08:30", "09:00"]
    mask = open_mask({"mon": "08:00-08:01"}, 60)
    assert open_hours_of(mask, 60, "mon") == ["08:00"]
    mask = open_mask({"mon": "08:20-08:40"}, 60)
    assert not mask.any()


@settings(max_examples=100, deadline=None)
@given(
    minutes=interval_length,
    day=st.sampled_from(DAYS),
    start=st.integers(0, 23 * 60 + 59),
    length=st.integers(1, 24 * 60 - 1),
)
def test_open_count_matches_interval_starts(minutes, day, start, length):
    """The open count equals the number of grid points inside the range (wrap included)."""
    end = (start + length) % (24 * 60)
    spec = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    if end == 0:
        spec = f"{start // 60:02d}:{start % 60:02d}-24:00"
    mask = open_mask({day: spec}, minutes)
    base = DAYS.index(day) * 24 * 60
    week = 7 * 24 * 60
    expected = {
        ((base + m) % week) // minutes
        for m in range(start, start + length)
        if (base + m) % minutes == 0
    }
    assert set(np.flatnonzero(mask).tolist()) == expected


@pytest.mark.parametrize(
    "open_hours",
    [
        {"funday": "08:00-12:00"},
        {"mon-": "08:00-12:00"},
        {"mon-tue-wed": "08:00-12:00"},
        {"": "08:00-12:00"},
        {"monday": "08:00-12:00"},
        {1: "08:00-12:00"},
        {"mon": "8am-5pm"},
        {"mon": "08:00"},
        {"mon": "25:00-26:00"},
        {"mon": "08:60-09:00"},
        {"mon": "24:30-02:00"},
        {"mon": "24:00-06:00"},
        {"mon": "08:00-08:00"},
        {"mon": "08:00-12:00,"},
        {"mon": "closed, 08:00-12:00"},
        {"mon": ""},
        {"mon": None},
        {"mon": 8},
        ["mon", "08:00-12:00"],
    ],
)
def test_bad_open_hours(open_hours):
    """Invalid day names, time strings or containers raise ValueError 'expected ...'."""
    with pytest.raises(ValueError, match=r"^expected "):
        open_mask(open_hours, 30)


def test_bad_open_hours_messages():
    """The messages name the accepted forms and the offending text."""
    with pytest.raises(ValueError, match=r'expected a day range like "mon-fri" or "sat".*funday'):
        open_mask({"funday": "24h"}, 30)
    with pytest.raises(
        ValueError,
        match=r'expected a time range like "08:00-20:00", several separated by commas, '
        r'"24h" or "closed".*9-5',
    ):
        open_mask({"mon": "9-5"}, 30)


# --------------------------------------------------------------------- normalise


@big
@given(data=st.data(), minutes=interval_length)
def test_normalise_sums_to_one_inside_mask(data, minutes):
    """normalise zeroes weights outside the mask and the rest sums to 1."""
    n = intervals_per_week(minutes)
    w = np.array(data.draw(st.lists(weight, min_size=n, max_size=n)))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    if not (w[mask] > 0).any():
        with pytest.raises(ValueError, match="expected some positive weight within the open hours"):
            normalise(w, mask)
        return
    p = normalise(w, mask)
    assert np.all(p[~mask] == 0)
    assert math.isclose(float(p.sum()), 1.0, rel_tol=1e-9)
    np.testing.assert_allclose(p[mask] * w[mask].sum(), w[mask], rtol=1e-9)


def test_normalise_builtin_with_open_hours():
    """A business-hours profile under weekend-only hours has nothing left to normalise."""
    shape = builtin_shape("business_hours", 30)
    with pytest.raises(ValueError, match=r"^expected some positive weight within the open hours$"):
        normalise(shape, open_mask({"sat-sun": "24h"}, 30))
    p = normalise(shape, open_mask({"mon-fri": "09:00-17:00"}, 30))
    assert math.isclose(float(p.sum()), 1.0) and p[interval_labels(30).index("mon 08:30")] == 0


@pytest.mark.parametrize(
    ("w", "m"),
    [
        (np.ones(3), np.ones(4, dtype=bool)),
        (np.array([1.0, -1.0]), np.ones(2, dtype=bool)),
        (np.array([1.0, math.nan]), np.ones(2, dtype=bool)),
        (np.zeros(4), np.ones(4, dtype=bool)),
    ],
)
def test_normalise_errors(w, m):
    """Mismatched lengths, negative, NaN or all-zero weights raise 'expected ...'."""
    with pytest.raises(ValueError, match=r"^expected "):
        normalise(w, m)


# --------------------------------------------------------------------- labels


@pytest.mark.parametrize("minutes", LENGTHS)
def test_labels(minutes):
    """Labels are unique "<day> HH:MM" interval starts, Monday 00:00 first."""
    labels = interval_labels(minutes)
    assert len(labels) == len(set(labels)) == intervals_per_week(minutes)
    assert labels[0] == "mon 00:00"
    assert labels[-1] == f"sun {24 - 1:02d}:{60 - minutes:02d}"
    assert labels[24 * 60 // minutes] == "tue 00:00"
    assert labels[(9 * 60 + 30) // minutes] == ("mon 09:30" if minutes != 60 else "mon 09:00")


# --------------------------------------------------------------------- huge and tiny weights


@pytest.mark.parametrize("scale", [1e308, 1e-308, 5e-324, 1.0])
def test_normalise_survives_extreme_magnitudes(scale):
    """Issue 11.8: a flat profile of 1e308 used to overflow to zero demand everywhere."""
    n = intervals_per_week(30)
    p = normalise(np.full(n, scale), open_mask(None, 30))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p, 1.0 / n, rtol=1e-12)


# --------------------------------------------------------------------- CSV row labels


def test_label_order_puts_a_sunday_first_export_back_in_order():
    """Issue 11.7: labels decide where a row goes, not its position."""
    from optimizer.scenario.profiles import label_order

    labels = interval_labels(30)
    rotated = labels[-48:] + labels[:-48]  # the export starts "sun 00:00"
    order = label_order(rotated)
    assert [rotated[i] for i in order] == labels


def test_label_order_accepts_full_day_names_and_case():
    """'Monday 09:00' and 'MON 09:00' name the same interval; 'HH:MM' alone is a day profile."""
    from optimizer.scenario.profiles import label_order

    hourly = [f"{day.upper()} {h:02d}:00" for day in DAYS for h in range(24)]
    assert label_order(hourly) == list(range(168))
    assert label_order([f"{h}:00" for h in range(23, -1, -1)]) == list(range(23, -1, -1))


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("mon 02:00", "each interval once"),
        ("mon 02:10", "30-minute grid"),
        ("noon", "a label like"),
        ("02:30", "same kind"),
        ("xyz 02:30", "a label like"),
    ],
    ids=["duplicate", "off_grid", "not_a_label", "mixed_kinds", "unknown_day"],
)
def test_label_order_names_the_bad_row(label, expected):
    """A label that cannot be placed raises LabelError with its row index."""
    from optimizer.scenario.profiles import LabelError, label_order

    labels = interval_labels(30)
    labels[5] = label
    with pytest.raises(LabelError, match=expected) as info:
        label_order(labels)
    assert info.value.row == 5


def test_csv_profile_read_by_labels(tmp_path):
    """A Sunday-first CSV export puts Monday 09:00's calls at Monday 09:00."""
    from optimizer.scenario.loader import load_scenario

    labels = interval_labels(30)
    rotated = labels[-48:] + labels[:-48]
    rows = [f"{label},{100 if label == 'mon 09:00' else 1}" for label in rotated]
    (tmp_path / "week.csv").write_text("interval_start,calls\n" + "\n".join(rows) + "\n")
    text = SCENARIO_TEMPLATE.replace("PROFILE", "{csv: week.csv, column: calls}")
    (tmp_path / "deal.yaml").write_text(text)
    profile = load_scenario(tmp_path / "deal.yaml").categories[0].profile
    assert profile[labels.index("mon 09:00")] == 100
    assert profile[labels.index("sun 00:00")] == 1


def test_csv_profile_bad_label_names_the_line(tmp_path):
    """A label off the week's grid is refused naming the CSV line."""
    from optimizer.scenario.loader import load_scenario

    labels = interval_labels(30)
    labels[9] = "mon 04:45"
    rows = [f"{label},1" for label in labels]
    (tmp_path / "week.csv").write_text("interval_start,calls\n" + "\n".join(rows) + "\n")
    text = SCENARIO_TEMPLATE.replace("PROFILE", "{csv: week.csv, column: calls}")
    (tmp_path / "deal.yaml").write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path / "deal.yaml")
    (issue,) = info.value.issues
    assert issue.path == "categories[0].profile.csv"
    assert "week.csv line 11" in str(issue.value) and "'mon 04:45'" in str(issue.value)
    assert issue.expected.startswith("row labels (column 'interval_start') with a start time")


SCENARIO_TEMPLATE = """\
scenario: labels
provider:
  sites: [{name: home, hourly_cost: 20, seats: 50}]
categories:
  - name: calls
    channel: voice
    contacts_per_month: 8000
    aht_seconds: 300
    profile: PROFILE
    open_hours: {daily: 24h}
    pricing: per_contact
    tiers:
      - {name: std, service_level: 0.8, answer_within_seconds: 20, prices: [3.0, 3.5]}
"""
