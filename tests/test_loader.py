"""Tests of optimizer.scenario.loader: YAML and CSV reading, invalid inputs, the examples."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from helpers import DATA_DIR, INVALID_DIR, SCENARIOS_DIR, expected_path

from optimizer.errors import ScenarioError
from optimizer.scenario.loader import load_scenario
from optimizer.scenario.yaml_reading import parse_yaml

INVALID_FILES = sorted(INVALID_DIR.glob("*.yaml"))
SCENARIO_FILES = sorted(SCENARIOS_DIR.glob("*.yaml"))
VARIANTS = [(path, name) for path in SCENARIO_FILES for name in load_scenario(path).variants]

REQUIRED_DEFECTS = {
    "unknown_key_typo", "nan_volume", "negative_volume", "infinite_cost",
    "service_level_above_one", "service_level_zero", "aht_not_positive", "shrinkage_ge_1",
    "site_shrinkage_ge_1", "profile_wrong_length", "profile_unknown_name",
    "open_hours_bad_time", "category_no_site", "site_category_typo",
    "min_tier_unknown_tier", "min_tier_unknown_category", "variant_path_missing",
    "variant_bad_value", "duplicate_category_names", "duplicate_tier_names",
    "duplicate_yaml_key", "csv_missing_rows", "csv_missing_column", "csv_escapes_folder",
    "empty_file", "yaml_syntax_error", "not_a_mapping", "tier_no_prices",
    "price_range_min_above_max", "wrong_interval_minutes", "deferred_tier_missing_share",
    "revenue_share_missing_conversion", "project_wrong_pricing", "wrong_type",
    "max_abandon_without_patience", "shift_start_off_grid",
}  # fmt: skip


def load_error(path) -> ScenarioError:
    """Load ``path`` and return the ScenarioError it must raise."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


# ------------------------------------------------------------------ invalid corpus


def test_invalid_corpus_is_complete():
    """Every defect the design names has its own file in tests/data/invalid."""
    present = {path.stem for path in INVALID_FILES}
    assert present >= REQUIRED_DEFECTS, sorted(REQUIRED_DEFECTS - present)


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_file_names_file_and_path(path):
    """Each broken file raises one ScenarioError naming the file and the field path."""
    err = load_error(path)
    message = str(err)
    assert path.name in message
    assert expected_path(path) in message


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_file_has_exactly_one_problem(path):
    """One defect per file gives exactly one issue (no cascade of follow-on errors)."""
    err = load_error(path)
    assert len(err.issues) == 1, [str(i) for i in err.issues]
    issue = err.issues[0]
    assert issue.file == str(path)
    assert issue.expected


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_each_problem_is_one_line(path):
    """The message is a header line plus exactly one line per issue, each naming the file."""
    err = load_error(path)
    lines = str(err).splitlines()
    assert len(lines) == 1 + len(err.issues)
    assert lines[0].startswith(f"{len(err.issues)} problem")
    assert all(line.startswith(f"  - {path}") for line in lines[1:])


def test_key_with_newline_stays_on_one_line(tmp_path):
    """An unknown key containing a newline still renders its issue on one line."""
    path = tmp_path / "newline_key.yaml"
    path.write_text('scenario: x\n"bad\\nkey": 1\n', encoding="utf-8")
    err = load_error(path)
    assert len(str(err).splitlines()) == 1 + len(err.issues)


def test_several_problems_reported_at_once():
    """A file with three independent defects reports all three in one error."""
    path = DATA_DIR / "three_problems.yaml"
    expected = [
        line.removeprefix("# expect:").strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect:")
    ]
    err = load_error(path)
    assert len(err.issues) == 3
    assert sorted(i.path for i in err.issues) == sorted(expected)


def test_several_cross_field_problems_reported_at_once(tmp_path):
    """Cross-field problems in different places are gathered too, not just the first."""
    text = (INVALID_DIR / "min_tier_unknown_tier.yaml").read_text(encoding="utf-8")
    text = text.replace("prices: [4.0, 4.4]", "prices: []")
    text = text.replace("      seats: 40\n", "      seats: 40\n      categories: [calls, cals]\n")
    path = tmp_path / "three_cross_field.yaml"
    path.write_text(text, encoding="utf-8")
    err = load_error(path)
    assert {i.path for i in err.issues} == {
        "client.min_tier.calls",
        "categories[0].tiers[0].prices",
        "provider.sites[0].categories[1]",
    }


def test_unknown_key_suggests_the_right_one():
    """The typo file's message suggests the field the author meant."""
    err = load_error(INVALID_DIR / "unknown_key_typo.yaml")
    assert "did you mean 'contacts_per_month'" in str(err)


# ------------------------------------------------------------------ YAML reading


def test_duplicate_keys_each_reported_with_line():
    """Every duplicated key is reported with its line, not silently overwritten."""
    text = "scenario: a\nscenario: b\nprovider: {}\nprovider: {}\n"
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "dup.yaml")
    found = {(i.path, i.value) for i in info.value.issues}
    assert found == {("line 2", "scenario"), ("line 4", "provider")}


def test_same_key_in_different_mappings_is_fine():
    """A key repeated in sibling mappings (e.g. each category's name) is not a duplicate."""
    data = parse_yaml("a: {name: x}\nb: {name: y}\n", "ok.yaml")
    assert data == {"a": {"name": "x"}, "b": {"name": "y"}}


def test_yaml_syntax_error_names_line_and_column():
    """A syntax error names the line and column and the parser's complaint."""
    err = load_error(INVALID_DIR / "yaml_syntax_error.yaml")
    (issue,) = err.issues
    assert issue.path == "line 15, column 28"
    assert issue.expected == "valid YAML"


def test_yaml_tags_are_not_executed():
    """Python-object tags are refused by the safe loader, as a ScenarioError."""
    with pytest.raises(ScenarioError):
        parse_yaml("scenario: !!python/object/apply:os.system ['true']\n", "evil.yaml")


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda p: None, "an existing scenario file"),
        (lambda p: p.mkdir(), "not a directory"),
        (lambda p: p.write_bytes(b"scenario: \xff\xfe\n"), "UTF-8"),
        (lambda p: p.write_bytes(b"scenario: x\0\n"), "a text scenario file"),
    ],
    ids=["missing", "directory", "not_utf8", "binary"],
)
def test_unreadable_files_are_scenario_errors(tmp_path, setup, expected):
    """Missing, directory, non-UTF-8 and binary inputs give a ScenarioError, not a traceback."""
    path = tmp_path / "deal.yaml"
    setup(path)
    err = load_error(path)
    assert str(path) in str(err)
    assert expected in str(err)


# ------------------------------------------------------------------ CSV profiles


UNREAD_CSV = "csv: profiles/week_30min.csv, column: chat"
"""The profile line of csv_missing_column.yaml, reused as a template below."""


def csv_column(path, column):
    """The numbers in one CSV column."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [float(row[column]) for row in csv.DictReader(handle)]


def test_csv_profile_is_read_relative_to_the_scenario(monkeypatch, tmp_path):
    """The CSV path resolves against the scenario's folder, whatever the working directory."""
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario(SCENARIOS_DIR / "energy_retailer_csv.yaml")
    table = SCENARIOS_DIR / "profiles" / "energy_retail_30min.csv"
    for name in ("customer_service", "moving_house"):
        profile = scenario.category(name).profile
        assert len(profile) == 336
        assert list(profile) == csv_column(table, name)


def test_csv_absolute_path_is_allowed(tmp_path):
    """An absolute CSV path is the author's explicit choice and is read as given."""
    table = INVALID_DIR / "profiles" / "week_30min.csv"
    text = (INVALID_DIR / "csv_missing_column.yaml").read_text(encoding="utf-8")
    text = text.replace(UNREAD_CSV, f"csv: '{table}', column: calls")
    path = tmp_path / "absolute.yaml"
    path.write_text(text, encoding="utf-8")
    assert list(load_scenario(path).category("calls").profile) == csv_column(table, "calls")


def test_csv_hourly_column_accepted_at_30_minutes(tmp_path):
    """168 hourly rows are a valid profile at 30-minute intervals (spread over each hour)."""
    (tmp_path / "hourly.csv").write_text(
        "calls\n" + "\n".join(str(1 + h % 24) for h in range(168)) + "\n", encoding="utf-8"
    )
    text = (INVALID_DIR / "csv_missing_column.yaml").read_text(encoding="utf-8")
    text = text.replace(UNREAD_CSV, "csv: hourly.csv, column: calls")
    path = tmp_path / "hourly.yaml"
    path.write_text(text, encoding="utf-8")
    assert len(load_scenario(path).category("calls").profile) == 168


def test_csv_blank_trailing_lines_are_ignored(tmp_path):
    """Blank lines (e.g. at the end of a spreadsheet export) are not counted as rows."""
    source = INVALID_DIR / "profiles" / "week_30min.csv"
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "week_30min.csv").write_text(
        source.read_text(encoding="utf-8") + "\n\n,\n", encoding="utf-8"
    )
    text = (INVALID_DIR / "csv_missing_column.yaml").read_text(encoding="utf-8")
    path = tmp_path / "blank.yaml"
    path.write_text(text.replace("column: chat", "column: calls"), encoding="utf-8")
    assert len(load_scenario(path).category("calls").profile) == 336


def test_csv_errors_name_the_csv_and_row():
    """A bad CSV cell is reported with the CSV's name and line number."""
    err = load_error(INVALID_DIR / "csv_bad_number.yaml")
    assert "profiles/bad_cell.csv line 22" in str(err)


def _csv_profile_error(tmp_path: Path, table: str) -> str:
    """The message of loading a scenario whose calls profile is ``table`` (a CSV text)."""
    (tmp_path / "table.csv").write_text(table, encoding="utf-8")
    text = (INVALID_DIR / "csv_missing_column.yaml").read_text(encoding="utf-8")
    path = tmp_path / "table.yaml"
    path.write_text(text.replace(UNREAD_CSV, "csv: table.csv, column: calls"), encoding="utf-8")
    return str(load_error(path))


def test_csv_row_longer_than_the_header_is_refused(tmp_path: Path) -> None:
    """A decimal comma splits a number into two cells: ``0,5`` read as 0 would be a
    silent wrong weight."""
    rows = "\n".join(f"{h:02d}:00,1" for h in range(24))
    message = _csv_profile_error(tmp_path, f"label,calls\n{rows}\n05:00,0,5\n")
    assert "table.csv line 26" in message and "at most 2 cells" in message


def test_csv_column_named_twice_is_refused(tmp_path: Path) -> None:
    """Two columns of one name: which one is the profile is not for us to guess."""
    message = _csv_profile_error(tmp_path, "calls,calls\n" + "1,2\n" * 168)
    assert "named once" in message and "2 times" in message


def test_csv_separated_by_semicolons_says_so(tmp_path: Path) -> None:
    """A semicolon export has one column of that name: the message says why."""
    message = _csv_profile_error(tmp_path, "label;calls\n" + "mon 00:00;1\n" * 3)
    assert "has 1 column, separated by ';'" in message


@pytest.mark.parametrize("cell", ["1_000", "inf", "0x10"])
def test_csv_cell_python_would_read_is_no_number(tmp_path: Path, cell: str) -> None:
    """Only a decimal number is one: ``float`` also reads ``1_000`` and ``inf``."""
    message = _csv_profile_error(tmp_path, "calls\n" + "1\n" * 100 + f"{cell}\n" + "1\n" * 67)
    assert "table.csv line 102" in message


# ------------------------------------------------------------------ example scenarios


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_example_scenario_loads(path):
    """Every example in scenarios/ loads and says what it shows in a header comment."""
    scenario = load_scenario(path)
    assert scenario.categories
    assert path.read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize(("path", "variant"), VARIANTS, ids=[f"{p.stem}-{v}" for p, v in VARIANTS])
def test_example_variant_loads(path, variant):
    """Every named variant of every example loads, differs from the base and is labelled."""
    base = load_scenario(path)
    changed = load_scenario(path, variant=variant)
    assert changed.scenario == f"{base.scenario} [{variant}]"
    assert changed.raw() != {**base.raw(), "scenario": changed.scenario}


def test_examples_cover_the_required_features():
    """The examples between them show every channel, pricing model and staffing mode."""
    scenarios = [load_scenario(path) for path in SCENARIO_FILES]
    categories = [c for s in scenarios for c in s.categories]
    assert {c.channel for c in categories} == {"voice", "chat", "deferred", "project"}
    assert {c.pricing for c in categories} == {
        "per_contact", "per_minute", "per_productive_hour", "per_fte_month",
        "per_resolution", "revenue_share", "fixed_fee", "per_unit", "per_hour",
    }  # fmt: skip
    assert {s.provider.staffing for s in scenarios} == {"intervals", "shifts"}
    assert any(c.patience_seconds for c in categories)
    assert any(t.max_abandon for c in categories for t in c.tiers)


def test_nearshore_only_variant_keeps_every_category_staffable(nordic):
    """nearshore_only closes Helsinki and lets Tallinn take every category."""
    changed = nordic.variant("nearshore_only")
    assert changed.site("helsinki").seats == 0
    for category in changed.categories:
        assert "tallinn" in {s.name for s in changed.sites_for(category.name)}


def test_unknown_variant_lists_the_known_ones():
    """Asking for a variant the file does not define names the ones it does."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(SCENARIOS_DIR / "nordic_telco.yaml", variant="volume_up_20")
    message = str(info.value)
    assert "nordic_telco.yaml" in message
    assert "volume_up_10" in message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("contacts: 042000", "octal 17,408; write 42000"),
        ("delta: -012", "octal -10; write -12"),
        ("minutes: 1:30", "base 60: 90"),
        ("hours: 1:30.5", "base 60: 90.5"),
    ],
)
def test_yaml_1_1_numbers_that_read_as_another_number_are_refused(text: str, said: str) -> None:
    """A leading zero (YAML 1.1 octal) or a colon (base 60) would silently change the
    number: 42,000 contacts read as 17,408. One message, at the line and column."""
    with pytest.raises(ScenarioError) as err:
        parse_yaml(text, "deal.yaml")
    (issue,) = err.value.issues
    assert issue.path == "line 1, column " + str(text.index(":") + 3) and said in str(issue.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [("n: 0", 0), ("n: 10", 10), ("n: 0.5", 0.5), ("n: 1e6", 1e6), ("n: '042000'", "042000")],
)
def test_plain_numbers_still_read(text: str, value: object) -> None:
    assert parse_yaml(text, "deal.yaml") == {"n": value}
