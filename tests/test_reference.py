"""The shipped reference: docs/scenario.md is the generator's output, docs/output.md
lists exactly the keys the commands print, and the open-hours gap warning."""

from __future__ import annotations

import json
import re
import warnings

import pytest
from click.testing import CliRunner
from helpers import ROOT, SCENARIOS_DIR

from optimizer import cli
from optimizer.scenario import reference
from optimizer.scenario.profiles import OpenHoursWarning, open_hours_gaps
from optimizer.scenario.schema import example_raw, validate_scenario

DOCS = ROOT / "docs"


def test_scenario_reference_is_generated():
    """docs/scenario.md is exactly what the generator writes from the schema."""
    committed = (DOCS / "scenario.md").read_text(encoding="utf-8")
    assert committed == reference.render(), (
        f"docs/scenario.md is out of date with the schema: run `{reference.REGENERATE}`"
    )


def test_every_field_is_in_the_reference():
    """Every field of every model appears in a table row, by its full path (a field
    whose file key is a keyword, like a band's ``from``, by that key)."""
    text = (DOCS / "scenario.md").read_text(encoding="utf-8")
    for prefix, model in reference.model_sections():
        for name, info in model.model_fields.items():
            key = info.alias or name
            assert f"| `{prefix}{key}` |" in text, f"{prefix}{key} missing from docs/scenario.md"


def test_every_field_has_a_description():
    """A field without a description (docstring) would print an empty cell."""
    missing = [f"{r.model}.{r.path}" for r in reference.field_rows() if not r.description]
    assert missing == []


def test_reference_does_not_point_outside_the_project():
    """Users have no shared/ folder: nothing they read may point to it."""
    for path in (ROOT / "README.md", DOCS / "scenario.md", DOCS / "output.md"):
        assert "shared/" not in path.read_text(encoding="utf-8"), path


def documented_keys(command: str) -> list[str]:
    """The ```keys COMMAND``` block of docs/output.md, one key a line."""
    text = (DOCS / "output.md").read_text(encoding="utf-8")
    match = re.search(rf"```keys {re.escape(command)}\n(.*?)```", text, re.DOTALL)
    assert match, f"docs/output.md has no keys block for {command}"
    return match[1].split()


def run(*args: object) -> dict[str, object]:
    result = CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def required(keys: list[str]) -> list[str]:
    return [k for k in keys if not k.startswith("[")]


SCENARIO = SCENARIOS_DIR / "nordic_telco.yaml"


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("solve", ("solve", SCENARIO, "--format", "json")),
        ("check", ("check", SCENARIO, "--format", "json")),
        ("requirements", ("requirements", SCENARIO, "--format", "json")),
        (
            "staff",
            ("staff", "--contacts", 100, "--aht", 180, "--service-level", 0.8,
             "--within", 20, "--json"),
        ),
    ],
    ids=["solve", "check", "requirements", "staff"],
)  # fmt: skip
def test_output_keys_match_the_doc(command, args):
    """The top-level JSON keys of each command are exactly those docs/output.md lists."""
    data = run(*args)
    keys = documented_keys(command)
    assert list(data) == required(keys)
    if command == "check":
        assert list(data["result"]) == required(documented_keys("solve"))


def test_the_readme_lists_the_documented_solve_keys():
    """The README's "Results" paragraph names the keys docs/output.md documents, in order."""
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    match = re.search(r"The JSON of `solve` has exactly the keys `([^`]*)`", text)
    assert match, "the README's Results paragraph"
    assert match[1].split(", ") == documented_keys("solve")


def test_optional_solve_keys_are_bracketed():
    """Solve prints `cash_flow` only when a project is invoiced on delivery,
    `risk_pricing` only when it prices for volume risk, `diagnosis` only for an
    infeasible deal and `risk` only in a batch run with --risk-draws; every other key
    always (in the order of the output), `contract` too (design 11)."""
    optional = [k for k in documented_keys("solve") if k.startswith("[")]
    assert optional == ["[cash_flow]", "[risk_pricing]", "[diagnosis]", "[risk]"]


# ------------------------------------------------------------------ open-hours gaps


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ({"mon-fri": "08:00-12:00,12:30-18:00"}, ["12:00-12:30 (30 minutes)"]),
        ({"mon-tue": "08:00-18:00", "thu-fri": "08:00-18:00"}, ["wed is closed"]),
        ({"mon-fri": "08:00-12:00,13:00-18:00"}, []),  # a lunch hour is meant
        ({"mon-fri": "08:00-12:00,12:00-18:00"}, []),  # touching ranges: no gap
        ({"mon-fri": "08:00-13:00,12:00-18:00"}, []),  # overlapping ranges: no gap
        ({"mon-tue,thu-fri": "08:00-18:00", "wed": "closed"}, []),  # named: meant
        ({"mon,wed,fri": "08:00-18:00"}, []),  # two weekdays missing: a pattern
        ({"tue-fri": "08:00-18:00"}, []),  # Monday closed: not between open days
        ({"daily": "22:00-06:00"}, []),
        (None, []),
    ],
)
def test_open_hours_gaps(hours, expected):
    """The two documented rules, and the cases they leave alone."""
    found = open_hours_gaps(hours)
    assert len(found) == len(expected)
    for text, part in zip(found, expected, strict=True):
        assert part in text


def test_gap_warns_at_validation():
    """validate_scenario warns (and still accepts) naming the file and field path."""
    raw = example_raw()
    raw["categories"][0]["profile"] = "24x7"
    raw["categories"][0]["open_hours"] = {"mon-fri": "08:00-12:00,12:30-18:00"}
    with pytest.warns(OpenHoursWarning, match=r"deal\.yaml: categories\[0\]\.open_hours: mon-fri"):
        validate_scenario(raw, "deal.yaml")


@pytest.mark.parametrize("path", sorted(SCENARIOS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_scenarios_do_not_warn(path):
    """The rule is conservative: no shipped scenario (nor its variants) warns."""
    from optimizer.scenario.loader import load_scenario

    with warnings.catch_warnings():
        warnings.simplefilter("error", OpenHoursWarning)
        load_scenario(path)


def test_cli_prints_the_warning_as_one_line(tmp_path):
    """`tierprice validate` prints the warning as one stderr line and exits 0."""
    import yaml

    raw = example_raw()
    raw["categories"][0]["profile"] = "24x7"
    raw["categories"][0]["open_hours"] = {"mon-tue": "08:00-18:00", "thu-fri": "08:00-18:00"}
    deal = tmp_path / "deal.yaml"
    deal.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["validate", str(deal)], prog_name="tierprice")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1 and "wed is closed" in lines[0]
