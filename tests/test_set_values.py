"""``--set PATH=VALUE`` on solve and check, and check's suggestions printed as commands
that run as printed and give the verdict they promise."""

from __future__ import annotations

import json
import math
import os
import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from helpers import ROOT, SCENARIOS_DIR
from hypothesis import given
from hypothesis import strategies as st

from optimizer import cli
from optimizer.cli.record import suggestion_commands
from optimizer.errors import ScenarioError
from optimizer.history import store
from optimizer.scenario.set_values import parse_sets, set_text

INFEASIBLE = ROOT / "tests" / "data" / "infeasible"
DEAL = INFEASIBLE / "budget.yaml"
FEASIBLE = "client.budget_per_month=50000"


def invoke(*args: object) -> Result:
    """``tierprice *args`` in-process (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli.main, [str(a) for a in args], prog_name="tierprice")


def stored_scenario() -> dict[str, object]:
    """The canonical scenario of the newest recorded run."""
    conn = store.connect(Path(os.environ["TIERPRICE_DB"]), create=False)
    try:
        return json.loads(store.list_runs(conn, limit=1)[0]["canonical"])
    finally:
        conn.close()


def category(raw: dict[str, object], name: str) -> dict[str, object]:
    return next(c for c in raw["categories"] if c["name"] == name)  # type: ignore[attr-defined,index]


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    "value",
    [
        42000,
        42000.5,
        0.0816,
        1e-05,
        2.5e12,
        -3.0,
        True,
        False,
        "gold",
        "yes",
        "1.5",
        "a b",
        "null",
        "x: y",
        [1, 2.5],
        ["a", "b"],
    ],
)
def test_set_text_reads_back_the_same_value(value: object) -> None:
    """What check prints is what --set reads: the value, its type (a name that YAML
    would read as a number or a boolean stays a name) and, after shell quoting, one arg."""
    text = set_text("client.x", value)
    (arg,) = shlex.split(shlex.quote(text))
    assert parse_sets([arg], "f") == {"client.x": value}


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back(value: float) -> None:
    """Any finite float survives the trip, bit for bit (an integral one as the integer)."""
    read = parse_sets([set_text("p", value)], "f")["p"]
    assert read == value and (isinstance(read, float) or value == int(value))
    assert math.copysign(1, read) == math.copysign(1, value) or value == 0


@pytest.mark.parametrize("spec", ["noequals", "=5", "client.budget_per_month=", "a.b={x: 1"])
def test_a_malformed_set_is_one_problem(spec: str) -> None:
    """No '=', no path, no value, or malformed YAML: one Issue naming --set."""
    with pytest.raises(ScenarioError) as err:
        parse_sets([spec, "client.budget_per_month=1"], "deal.yaml")
    assert len(err.value.issues) == 1 and "--set" in err.value.issues[0].path


# ------------------------------------------------------------------ on the command line


def test_set_names_a_list_item_by_name_or_index() -> None:
    """--set categories.calls.X (by name) and categories.1.X (by index) change that item
    only, after which the deal solves; the stored scenario shows both changes."""
    result = invoke(
        "solve",
        DEAL,
        "--set",
        FEASIBLE,
        "--set",
        "categories.calls.contacts_per_month=5000",
        "--set",
        "categories.1.aht_seconds=280",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    raw = stored_scenario()
    assert category(raw, "calls")["contacts_per_month"] == 5000
    assert category(raw, "mail")["aht_seconds"] == 280
    assert category(raw, "mail")["contacts_per_month"] == 2000
    assert raw["client"]["budget_per_month"] == 50000  # type: ignore[index]


def test_set_applies_after_the_variant() -> None:
    """--variant first, then --set: the --set value wins over the variant's."""
    scenario = SCENARIOS_DIR / "nordic_telco.yaml"
    variants = json.loads(json.dumps(__import__("yaml").safe_load(scenario.read_text())))
    name, changes = next(iter(variants["variants"].items()))
    path = next(iter(changes))
    result = invoke("check", scenario, "--variant", name, "--set", f"{path}=12345")
    assert result.exit_code in (0, 3), result.output
    node: object = stored_scenario()
    for part in path.split("."):
        node = (
            next(i for i in node if i.get("name") == part)  # type: ignore[union-attr]
            if isinstance(node, list)
            else node[part]  # type: ignore[index]
        )
    assert node == 12345


@pytest.mark.parametrize(
    ("sets", "needle"),
    [
        (["categories.cals.aht_seconds=300"], "'cals' not found; known here: calls, mail"),
        (["client.budget_per_mnth=5"], "did you mean 'budget_per_month'?"),
        (["client.budget_per_month=-5"], "--set client.budget_per_month = -5"),
        (["categories.calls.aht_seconds=abc"], "--set categories.calls.aht_seconds = 'abc'"),
        (["client.budget_per_month"], "PATH=VALUE"),
    ],
    ids=["path", "field", "range", "type", "malformed"],
)
@pytest.mark.parametrize("command", ["solve", "check"])
def test_a_bad_set_is_one_message_exit_2(command: str, sets: list[str], needle: str) -> None:
    """A path naming nothing, a value out of range or of the wrong type: exit 2, one
    problem line naming the file and the --set, no traceback, nothing solved or stored."""
    args = [a for s in sets for a in ("--set", s)]
    result = invoke(command, DEAL, *args)
    assert result.exit_code == 2, result.output
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 1, result.stderr
    assert str(DEAL) in problems[0] and needle in problems[0]
    assert "Traceback" not in result.output and result.stdout == ""
    assert not Path(os.environ["TIERPRICE_DB"]).exists()


def test_two_bad_sets_are_two_messages() -> None:
    """Every bad --set is reported, one line each."""
    result = invoke("solve", DEAL, "--set", "x", "--set", "y=")
    assert result.exit_code == 2
    assert len([line for line in result.stderr.splitlines() if line.startswith("  - ")]) == 2


# ------------------------------------------------------------------ check's suggestions


def printed_commands(stdout: str) -> list[list[str]]:
    """The commands check printed under its suggestions, as argument lists."""
    lines = [line.strip() for line in stdout.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("tierprice check ")]


@pytest.mark.parametrize(
    "args",
    [
        [DEAL],
        [INFEASIBLE / "two_reasons.yaml"],
        [SCENARIOS_DIR / "nordic_telco.yaml", "--fix", "tech_support=bronze@6.6"],
        [INFEASIBLE / "min_tier.yaml", "--set", "client.budget_per_month=46000"],
    ],
    ids=["alone", "together", "quoted", "with_set"],
)
def test_every_printed_suggestion_runs_as_printed_and_is_feasible(args: list[object]) -> None:
    """Each command check prints under a NOT FEASIBLE verdict, run exactly as printed,
    is a FEASIBLE check (exit 0): the verdict the suggestion promised."""
    result = invoke("check", *args)
    assert result.exit_code == 3, result.output
    commands = printed_commands(result.stdout)
    suggestions = [line for line in result.stdout.splitlines() if line.startswith("  - ")]
    assert commands and len(commands) == len(suggestions)
    for command in dict.fromkeys(map(tuple, commands)):
        assert command[:2] == ("check", str(args[0]))
        applied = invoke(*command)
        assert applied.exit_code == 0, (command, applied.output)
        assert applied.stdout.startswith("FEASIBLE")


def test_a_printed_command_keeps_the_checks_own_options() -> None:
    """--variant, --solver and --time-limit of the check are in its printed commands,
    --set values of the check are kept and a suggestion's value replaces its own path."""
    result = invoke(
        "check",
        INFEASIBLE / "min_tier.yaml",
        "--set",
        "client.budget_per_month=46000",
        "--time-limit",
        "60",
    )
    commands = printed_commands(result.stdout)
    budget = next(c for c in commands if "client.budget_per_month=48000" in c)
    assert "client.budget_per_month=46000" not in budget
    assert budget[budget.index("--time-limit") + 1] == "60.0"
    assert all("client.budget_per_month=46000" in c for c in commands if c is not budget)


def test_a_released_quote_is_left_out_of_the_command() -> None:
    """A suggestion that lifts a quote (a tier drop of a quoted category) prints the
    command without that --fix, and with the others and the new quotes."""
    how = suggestion_commands(
        ["tierprice", "check", "d.yaml"],
        {"calls": "gold@7", "mail": "standard@3.5"},
        {"client.budget_per_month": 46000},
        (),
    )
    entry = {
        "kind": "alternative",
        "apply": {
            "overrides": {"client.min_tier.calls": "silver"},
            "fixed": {"chat": "std@1.2"},
            "released": ["calls"],
        },
    }
    assert how(entry) == (
        "tierprice check d.yaml --fix chat=std@1.2 --fix mail=standard@3.5 "
        "--set client.budget_per_month=46000 --set client.min_tier.calls=silver"
    )


def test_null_and_mappings_set_as_variants_do() -> None:
    """``null`` removes an optional field and ``{a: mapping}`` sets one, as a variant's
    value does (the answering service's ``no_share`` and ``premium_50``)."""
    assert parse_sets(["client.min_roi=null", "t.s={denver: 0.5}"], "f") == {
        "client.min_roi": None,
        "t.s": {"denver": 0.5},
    }


def test_one_path_set_twice_is_refused() -> None:
    """Two --set of one path: the second would silently win (--fix twice is refused too)."""
    with pytest.raises(ScenarioError) as err:
        parse_sets(["provider.min_margin=0.1", "provider.min_margin=0.2"], "deal.yaml")
    (issue,) = err.value.issues
    assert issue.path == "--set provider.min_margin" and issue.expected == "one --set per path"


@pytest.mark.parametrize(
    ("first", "second", "place"),
    [
        ("categories.calls.aht_seconds=100", "categories.0.aht_seconds=200", "categories[0]"),
        ("categories.*.aht_seconds=100", "categories.calls.aht_seconds=200", "categories[0]"),
        ("provider={sites: [{name: a, hourly_cost: 1}]}", "provider.shrinkage=0.2", "provider"),
    ],
    ids=["name and index", "wildcard", "a block and its field"],
)
def test_one_field_set_under_two_spellings_is_refused(first: str, second: str, place: str) -> None:
    """Two --set reaching one field (by name and by index, a wildcard over it, a block
    holding it): the second would silently win, as for one path twice (found by a
    probe). The second is refused (exit 2), naming the field and the first --set."""
    done = invoke("check", DEAL, "--set", first, "--set", second, "--no-history")
    assert done.exit_code == 2, done.output
    path, _, _ = second.partition("=")
    assert f"--set {path} = " in done.stderr
    assert f"expected one change per field ({place}" in done.stderr
    assert f"is set by {first.partition('=')[0]} too" in done.stderr


def test_a_bad_path_does_not_hide_the_other_sets_bad_values() -> None:
    """A --set of a path that exists nowhere and two of bad values: three problems at
    once (the path hid the values; found by a probe)."""
    done = invoke(
        "check", DEAL, "--set", "categories.nosuch.x=1", "--set", "provider.shrinkage=2",
        "--set", "provider.min_margin=7", "--no-history",
    )  # fmt: skip
    assert done.exit_code == 2
    assert done.stderr.startswith("3 problems in the scenario:")
    assert "'nosuch' not found" in done.stderr
    assert "--set provider.shrinkage = 2: expected" in done.stderr
    assert "--set provider.min_margin = 7: expected" in done.stderr


def test_a_set_that_removes_an_item_is_named() -> None:
    """``--set categories.NAME=null`` is a problem of that --set, not of the file (the
    item it removed was not a place it wrote, so the message read as the file's)."""
    raw = yaml.safe_load(DEAL.read_text(encoding="utf-8"))
    name = raw["categories"][0]["name"]
    done = invoke("check", DEAL, "--set", f"categories.{name}=null", "--no-history")
    assert done.exit_code == 2
    assert f"--set categories.{name} = None: expected" in done.stderr


def test_a_variant_setting_one_field_twice_is_invalid(tmp_path: Path) -> None:
    """The same in a variant: the file is invalid (it validated, the last spelling won)."""
    raw = yaml.safe_load(DEAL.read_text(encoding="utf-8"))
    name = raw["categories"][0]["name"]
    raw["variants"] = {
        "v": {f"categories.{name}.aht_seconds": 100, "categories.0.aht_seconds": 200}
    }
    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    done = invoke("validate", path)
    assert done.exit_code == 2
    assert "variants.v: categories.0.aht_seconds = 200: expected one change per field" in (
        done.stderr
    )


def test_a_csv_profile_can_be_set(tmp_path: Path) -> None:
    """``--set categories.N.profile={csv: FILE, column: NAME}`` reads the CSV from the
    scenario's folder as the loader does: the same answer as the file edited by hand
    (it was refused: "expected the CSV to have been read by the loader"); the CSV is an
    input no output may overwrite; a missing file is one message, exit 2."""
    import shutil

    import yaml

    shutil.copytree(SCENARIOS_DIR / "profiles", tmp_path / "profiles")
    csv = tmp_path / "profiles" / "other.csv"  # a file the scenario itself does not read
    shutil.copy(tmp_path / "profiles" / "energy_retail_30min.csv", csv)
    source = SCENARIOS_DIR / "energy_retailer_csv.yaml"
    deal = tmp_path / "deal.yaml"
    shutil.copy(source, deal)
    spec = {"csv": "profiles/other.csv", "column": "customer_service"}
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    raw["categories"][1]["profile"] = spec
    hand = tmp_path / "hand.yaml"
    hand.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    value = "categories.1.profile={csv: profiles/other.csv, column: customer_service}"
    got = invoke("--no-history", "solve", deal, "--set", value, "--format", "json")
    want = invoke("--no-history", "solve", hand, "--format", "json")
    assert got.exit_code == want.exit_code == 0, got.output
    a, b = json.loads(got.stdout), json.loads(want.stdout)
    for data in (a, b):
        data.pop("solver")
    assert a == b
    before = csv.read_bytes()
    out = invoke("--no-history", "solve", deal, "--set", value, "--output", csv)
    assert out.exit_code != 0 and csv.read_bytes() == before
    missing = invoke("--no-history", "solve", deal, "--set", value.replace("other", "nosuch"))
    assert (
        missing.exit_code == 2
        and "nosuch.csv" in missing.stderr
        and "Traceback" not in missing.output
    )


@pytest.mark.parametrize(
    ("value", "lines"),
    [
        # The problem is at gold's service level, which the --set did not write.
        (
            "categories.billing.tiers.silver.service_level=1",
            ["nordic_telco.yaml: categories[0].tiers[1].service_level = 0.9: expected at least 1"],
        ),
        (
            "escalation={wages: 0.1, salaries: 0.1}",
            ["--set escalation.salaries = 0.1: expected a known field"],
        ),
        ("escalation={wages: -1}", ["--set escalation.wages = -1: expected a number in (-1, 1]"]),
        (
            "provider.sites.*.seats=10.5",
            [
                "--set provider.sites.*.seats (provider.sites[0].seats) = 10.5",
                "--set provider.sites.*.seats (provider.sites[1].seats) = 10.5",
            ],
        ),
    ],
    ids=["another-field", "inside-a-mapping", "inside-a-mapping-value", "wildcard"],
)
def test_a_set_problem_names_the_field_it_is_at(value: str, lines: list[str]) -> None:
    """A problem is labelled with the --set only where that --set wrote (the field, or
    one inside the mapping it gave), and a wildcard's names the item; it was labelled by
    the last segment alone: gold's 0.9 as the silver --set's value (found by a probe)."""
    result = invoke("--no-history", "solve", SCENARIOS_DIR / "nordic_telco.yaml", "--set", value)
    assert result.exit_code == 2, result.output
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == len(lines), result.stderr
    for problem, line in zip(problems, lines, strict=True):
        assert line in problem, result.stderr
