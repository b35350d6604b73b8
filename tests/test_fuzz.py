"""Fuzzing of scenario files (issue 7): bad input gets a clean error, never a traceback.

Every case starts from one of the example scenarios in ``scenarios/`` (its raw YAML
mapping, as ``yaml.safe_load`` reads it) and applies one to three random mutations
at random places: delete a key or list item, replace a value by an odd one (None,
text, extreme and non-finite numbers, empty and huge lists, unicode, wrong nesting),
perturb a number, duplicate a list item (duplicate names), rename a key (typos),
nest a value in a list or mapping, add an unknown key, or add a variant whose path
is taken from the scenario or made up. Text-level mutations (truncation, inserted
characters) are added for the file-based cases.

* ``test_validate_mutations``: 1,000 cases straight into ``validate_scenario``: a
  Scenario or a ScenarioError with one line per issue, nothing else.
* ``test_load_mutated_files``: mutated files through ``load_scenario`` (YAML parser,
  CSV profiles, ``--variant``).
* ``test_solve_mutated_files``: full ``tierprice solve`` runs (in-process, with a
  per-case time limit): exit 0 (verified result), 2 (clean error), 3 (infeasible,
  diagnosed) or 4 (solver gave nothing in time), and no traceback.

The strategy is shared with ``benchmarks/fuzz.py`` (a long run). Hypothesis runs
derandomized, so CI sees the same cases every time.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import faulthandler
import json
import math
import shutil
import signal
import string
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import SCENARIOS_DIR
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from optimizer.errors import MAX_SHOWN, ScenarioError
from optimizer.scenario.schema import Scenario, validate_scenario

SCENARIO_FILES = sorted(SCENARIOS_DIR.glob("*.yaml"))
BASES: dict[str, Any] = {
    p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in SCENARIO_FILES
}
"""Raw mappings of the example scenarios, by file name (never mutated in place)."""


def _inline_csv(name: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The raw mapping with CSV profiles replaced by their weights, as the loader does."""
    from optimizer.scenario.loader import read_profile_csv

    raw = copy.deepcopy(raw)
    for i, cat in enumerate(raw["categories"]):
        if isinstance(cat.get("profile"), dict) and "csv" in cat["profile"]:
            cat["profile"] = read_profile_csv(cat["profile"], SCENARIOS_DIR, f"[{i}]", name)
    return raw


INLINE: dict[str, Any] = {name: _inline_csv(name, raw) for name, raw in BASES.items()}
"""The same with CSV profiles read (``validate_scenario`` takes no file names)."""

SOURCE = "fuzz.yaml"
HUGE = 20_000
"""Length of the "huge list" value (``benchmarks/fuzz.py --huge N`` sets its own)."""
VALIDATE_SECONDS = 10.0
"""Time limit per validation case."""
SOLVE_SECONDS = 90.0
"""Time limit per full command-line case (each solve has ``--time-limit 5``)."""
OK_EXITS = {0, 2, 3, 4}


def odd_values(huge: int = HUGE) -> list[Any]:
    """Values that replace a scenario value: wrong types, extremes, non-finite, nesting."""
    return [
        None,
        "",
        "text",
        -1,
        0,
        1,
        1e308,
        -1e308,
        float("nan"),
        float("inf"),
        float("-inf"),
        5e-324,
        -0.0,
        [],
        {},
        [1, 2, 3],
        {"a": 1},
        "ünïcødé €",
        "名前\u200b\t\n\x1b[31mred",
        True,
        False,
        10**30,
        -(10**30),
        2**63,
        "1e3",
        "NaN",
        "24x7",
        datetime.date(2027, 1, 1),
        b"\x00\xff",
        [None],
        [[1.0]],
        {"csv": "../../../etc/passwd", "column": "x"},
        {"csv": "profiles", "column": "x"},
        {"min": 0.0, "max": 1e308, "step": 1e-300},
        {"min": 0.0, "max": 1e9, "step": 0.001},
        {"days": [1] * 7, "intraday": [1.0] * 5},
        {"mon-sun": "00:00-24:00"},
        {"mon-fri": "25:00-08:00"},
        [float(i % 7) for i in range(huge)],
    ]


def all_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a raw mapping: the root, each key's value, each list item."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from all_paths(value, (*prefix, key))
    elif isinstance(node, list) and len(node) <= 200:  # huge lists: their items are alike
        for i, value in enumerate(node):
            yield from all_paths(value, (*prefix, i))


def get_at(root: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        root = root[part]
    return root


def set_at(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    """Set the value at ``path`` and return the (possibly new) root."""
    if not path:
        return value
    get_at(root, path[:-1])[path[-1]] = value
    return root


def dotted(root: Any, path: tuple[Any, ...]) -> str:
    """A raw path as an override path: list items by their name where they have one."""
    parts = []
    node = root
    for part in path:
        item = node[part]
        if isinstance(part, int) and isinstance(item, dict) and isinstance(item.get("name"), str):
            parts.append(item["name"])
        else:
            parts.append(str(part))
        node = item
    return ".".join(parts)


SEGMENT = st.one_of(
    st.sampled_from(["*", "", "0", "99", "name", "categories", "tiers", "sites", "prices",
                     "provider", "client", "x" * 300, "ünï", "..", " "]),
    st.text(max_size=8),
)  # fmt: skip
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
"""Random text (no lone surrogates: they cannot be written as UTF-8)."""
KEY = st.one_of(TEXT, st.sampled_from([1, 0, -1, 1.5, True, None, "name ", "Name"]))


def typo(key: Any) -> st.SearchStrategy[Any]:
    """A misspelling (or a stranger key) for ``key``."""
    text = str(key)
    options: list[st.SearchStrategy[Any]] = [KEY, st.just(text.upper()), st.just(text + "s")]
    if len(text) > 1:
        options += [
            st.integers(0, len(text) - 1).map(lambda i: text[:i] + text[i + 1 :]),
            st.integers(0, len(text) - 2).map(
                lambda i: text[:i] + text[i + 1] + text[i] + text[i + 2 :]
            ),
        ]
    options.append(
        st.tuples(st.integers(0, len(text)), st.sampled_from(string.ascii_letters + "_-é ")).map(
            lambda t: text[: t[0]] + t[1] + text[t[0] :]
        )
    )
    return st.one_of(options)


def number_like(value: Any) -> st.SearchStrategy[Any]:
    """A replacement for a number: any float (NaN, infinities, subnormals), big ints, scaled."""
    options: list[st.SearchStrategy[Any]] = [
        st.floats(),
        st.integers(-(2**70), 2**70),
        st.integers(-3, 3),
    ]
    if isinstance(value, int | float) and not isinstance(value, bool):
        options.append(st.sampled_from([-1, 1e-9, 1e3, 1e9, 1e300]).map(lambda f: value * f))
    return st.one_of(options)


OPS = ("delete", "replace", "replace", "perturb", "duplicate", "rename", "nest", "add_key",
       "variant", "variant", "multiply")  # fmt: skip


@st.composite
def mutate_once(draw: st.DrawFn, raw: Any, huge: int = HUGE) -> tuple[Any, str]:
    """Apply one random mutation to ``raw`` (in place where possible); return (raw, what)."""
    op = draw(st.sampled_from(OPS))
    paths = list(all_paths(raw))
    path = draw(st.sampled_from(paths))
    node = get_at(raw, path)
    parent = get_at(raw, path[:-1]) if path else None
    where = "/".join(map(str, path)) or "<root>"
    if op == "variant" and isinstance(raw, dict):
        variants = raw.get("variants")
        if not isinstance(variants, dict):
            variants = raw["variants"] = {}
        name = draw(st.one_of(st.sampled_from(["v", "ünï €", ""]), TEXT))
        if draw(st.booleans()):
            target = dotted(raw, draw(st.sampled_from(paths[1:] or [()])))
        else:
            target = ".".join(draw(st.lists(SEGMENT, min_size=1, max_size=5)))
        value = draw(st.one_of(st.sampled_from(odd_values(huge)), number_like(1.0)))
        overrides = variants.setdefault(name, {}) if isinstance(variants.get(name), dict) else {}
        overrides[target] = value
        variants[name] = overrides
        return raw, f"variant {name!r}: {target!r} = {_brief(value)}"
    if op == "delete" and path:
        del parent[path[-1]]
        return raw, f"delete {where}"
    if op == "perturb" and isinstance(node, int | float) and not isinstance(node, bool):
        value = draw(number_like(node))
        return set_at(raw, path, value), f"perturb {where} = {_brief(value)}"
    if op == "duplicate":
        if isinstance(node, list) and node:
            item = draw(st.sampled_from(node))
            node.append(copy.deepcopy(item))
            return raw, f"duplicate an item of {where}"
        if isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(node))
            return raw, f"duplicate {where}"
    if op == "multiply" and isinstance(node, list) and node:
        times = draw(st.sampled_from([50, 200]))
        node[:] = [copy.deepcopy(x) for x in node for _ in range(times)][: huge // 10]
        return raw, f"multiply {where} x{times}"
    if op == "rename" and isinstance(parent, dict):
        new_key = draw(typo(path[-1]))
        items = [(new_key if k == path[-1] else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
        return raw, f"rename {where} -> {new_key!r}"
    if op == "nest" and path:
        wrapped = draw(st.sampled_from(["list", "value", "same"]))
        key = path[-1] if path and isinstance(path[-1], str) else "value"
        value = [node] if wrapped == "list" else {"value" if wrapped == "value" else key: node}
        return set_at(raw, path, value), f"nest {where} in a {wrapped}"
    if op == "add_key" and isinstance(node, dict):
        key = draw(KEY)
        value = draw(st.sampled_from(odd_values(huge)))
        node[key] = value
        return raw, f"add {where}/{key!r} = {_brief(value)}"
    value = draw(st.one_of(st.sampled_from(odd_values(huge)), TEXT))
    if not path and draw(st.integers(0, 9)):  # the whole file replaced: keep that rare
        return raw, "nothing (root kept)"
    return set_at(raw, path, value), f"replace {where} = {_brief(value)}"


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class Case:
    """One mutated scenario: the base file, the raw mapping and what was done to it."""

    base: str
    raw: Any
    steps: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # what Hypothesis prints for a failing example
        return f"Case({self.base}: {'; '.join(self.steps)})"


@st.composite
def mutated_scenarios(
    draw: st.DrawFn, bases: tuple[str, ...] = tuple(BASES), huge: int = HUGE, inline: bool = False
) -> Case:
    """A mutated example scenario: one to three mutations of a base file's raw mapping.

    ``inline``: start from the mapping with CSV profiles already read (for
    ``validate_scenario``, which does not read files).
    """
    base = draw(st.sampled_from(bases))
    case = Case(base, copy.deepcopy((INLINE if inline else BASES)[base]))
    for _ in range(draw(st.integers(1, 3))):
        case.raw, step = draw(mutate_once(case.raw, huge))
        case.steps.append(step)
    return case


TEXT_INSERTS = ["\t", ":", "- ", "&a ", "*a", "'", '"', "{", "]", "\n  x: 1\n", "\x00",
                "\ufeff", "\r", "!!python/object/apply:os.system ", "%YAML 9\n"]  # fmt: skip


GENTLE_OPS = ("scale", "scale", "scale", "delete", "rename_everywhere", "clone", "switch",
              "variant", "prices")  # fmt: skip
SCALES = (0.0, 1e-9, 0.01, 0.5, 0.99, 1.01, 2.0, 10.0, 1e3, 1e6, 1e12)
SWITCHES = {
    "staffing": ["intervals", "shifts"],
    "objective": ["max_margin", "min_price"],
    "interval_minutes": [15, 30, 60],
    "profile": ["business_hours", "extended_hours", "24x7", "retail_evenings"],
    "pricing": ["per_contact", "per_minute", "per_productive_hour", "per_fte_month",
                "per_resolution", "revenue_share", "fixed_fee"],
    "channel": ["voice", "chat", "deferred", "project"],
    "open_hours": [{"mon-sun": "00:00-24:00"}, {"sat": "10:00-11:00"}, {}],
}  # fmt: skip
PRICE_MENUS = ([0.0], [1e9], [0.5] * 3, [round(0.01 * i, 2) for i in range(300)],
               {"min": 0.0, "max": 100.0}, {"min": 1.0, "max": 1.0, "step": 1.0})  # fmt: skip
ODD_NAMES = ("Zürich € deal", "名前", "x" * 80, "a b", "0", "ünï-€ ​", "-")


def _rename_all(node: Any, old: str, new: str) -> Any:
    if isinstance(node, dict):
        return {_rename_all(k, old, new): _rename_all(v, old, new) for k, v in node.items()}
    if isinstance(node, list):
        return [_rename_all(v, old, new) for v in node]
    if isinstance(node, str):
        return new if node == old else node.replace(f".{old}.", f".{new}.")
    return node


@st.composite
def mutate_gently(draw: st.DrawFn, raw: Any) -> tuple[Any, str]:
    """A mutation that often keeps the scenario valid but odd: for full solves.

    Scale a number (to 0, tiny, huge), delete a key (optional ones stay valid), give a
    name unicode (everywhere it is referred to), clone a named item under a new name,
    switch a choice (staffing, objective, interval length, profile, pricing, channel),
    replace a price menu, or add a variant overriding a real path.
    """
    op = draw(st.sampled_from(GENTLE_OPS))
    paths = list(all_paths(raw))[1:]
    numbers = [p for p in paths if type(get_at(raw, p)) in (int, float)]
    if op == "scale" and numbers:
        path = draw(st.sampled_from(numbers))
        old = get_at(raw, path)
        factor = draw(st.sampled_from(SCALES))
        new = type(old)(old * factor) if isinstance(old, float) or factor >= 1 else old * factor
        return set_at(raw, path, new), f"scale {'/'.join(map(str, path))} x{factor:g} = {new!r}"
    if op == "delete" and paths:
        path = draw(st.sampled_from(paths))
        del get_at(raw, path[:-1])[path[-1]]
        return raw, f"delete {'/'.join(map(str, path))}"
    named = [p for p in paths if isinstance(get_at(raw, p), dict) and "name" in get_at(raw, p)]
    if op == "rename_everywhere" and named:
        old = get_at(raw, draw(st.sampled_from(named)))["name"]
        new = draw(st.sampled_from(ODD_NAMES))
        return _rename_all(raw, old, new), f"rename {old!r} -> {new!r} everywhere"
    if op == "clone" and named:
        path = draw(st.sampled_from(named))
        item = copy.deepcopy(get_at(raw, path))
        item["name"] = f"{item['name']}_2"
        get_at(raw, path[:-1]).append(item)
        return raw, f"clone {'/'.join(map(str, path))} as {item['name']!r}"
    switchable = [p for p in paths if p[-1] in SWITCHES]
    if op == "switch" and switchable:
        path = draw(st.sampled_from(switchable))
        value = draw(st.sampled_from(SWITCHES[path[-1]]))
        where = "/".join(map(str, path))
        return set_at(raw, path, copy.deepcopy(value)), f"switch {where} = {value!r}"
    menus = [p for p in paths if p[-1] == "prices"]
    if op == "prices" and menus:
        path = draw(st.sampled_from(menus))
        value = copy.deepcopy(draw(st.sampled_from(PRICE_MENUS)))
        return set_at(raw, path, value), f"prices {'/'.join(map(str, path))} = {_brief(value)}"
    if isinstance(raw, dict) and numbers:
        path = draw(st.sampled_from(numbers))
        value = draw(st.sampled_from([0, 1, 1e9, 0.5]))
        variants = raw.setdefault("variants", {})
        variants["fuzz"] = {dotted(raw, path): value}
        return raw, f"variant fuzz: {dotted(raw, path)} = {value!r}"
    return raw, "nothing"


@st.composite
def odd_but_plausible(draw: st.DrawFn, bases: tuple[str, ...] = tuple(BASES)) -> Case:
    """An example scenario after one to three gentle mutations (see :func:`mutate_gently`)."""
    base = draw(st.sampled_from(bases))
    case = Case(base, copy.deepcopy(BASES[base]))
    for _ in range(draw(st.integers(1, 3))):
        case.raw, step = draw(mutate_gently(case.raw))
        case.steps.append(step)
    return case


def text_mutation(text: str) -> st.SearchStrategy[str]:
    """File-level damage: truncation, inserted characters (tabs, quotes, anchors), dropped lines."""
    inserts = st.sampled_from(TEXT_INSERTS)
    return st.one_of(
        st.integers(0, len(text)).map(lambda i: text[:i]),
        st.tuples(st.integers(0, len(text)), inserts).map(
            lambda t: text[: t[0]] + t[1] + text[t[0] :]
        ),
        st.integers(0, max(0, text.count("\n") - 1)).map(
            lambda i: "\n".join(line for j, line in enumerate(text.split("\n")) if j != i)
        ),
    )


class CaseTimeout(BaseException):
    """A case ran past its time limit (a BaseException: the CLI must not turn it into exit 1)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail a case that runs longer than ``seconds``.

    A SIGALRM raises :class:`CaseTimeout` in Python code; should the process be stuck in
    C code past twice the limit, faulthandler dumps every thread's stack and exits, so a
    hang always ends the run with a report instead of stalling CI.
    """
    if not hasattr(signal, "setitimer"):  # pragma: no cover - not POSIX
        yield
        return

    def expire(_signum: int, _frame: Any) -> None:
        raise CaseTimeout(f"case ran past its time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(2 * seconds + 30, exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)


def check_validation(raw: Any, source: str = SOURCE) -> Scenario | ScenarioError:
    """Validate ``raw``: a Scenario, or a ScenarioError with one line per issue."""
    try:
        with time_limit(VALIDATE_SECONDS):
            return validate_scenario(raw, source)
    except ScenarioError as err:
        check_error_text(err, source)
        return err


def check_error_text(err: ScenarioError, source: str) -> None:
    """Design section 10: a head line, then one line per issue naming the file (at most
    MAX_SHOWN of them, then one "... and N more" line; every issue stays in ``.issues``)."""
    assert err.issues, "a ScenarioError without issues"
    lines = str(err).splitlines()
    shown = err.issues[:MAX_SHOWN]
    extra = len(err.issues) - len(shown)
    assert len(lines) == len(shown) + 1 + (1 if extra else 0), str(err)
    if extra:
        assert lines[-1] == f"  ... and {extra} more"
    for issue, line in zip(shown, lines[1 : len(shown) + 1], strict=True):
        assert line == f"  - {issue}"
    for issue in err.issues:
        assert issue.file == source, str(issue)
        assert issue.expected.strip(), str(issue)


# Mutations that crashed or hung validation before they were fixed (see the report).
GOLD = "categories.billing.tiers.gold.prices"
REGRESSIONS = {
    "price range with too many points":
        ("nordic_telco.yaml", GOLD, {"min": 0.0, "max": 1e9, "step": 0.001}),
    "price range whose point count overflows":
        ("nordic_telco.yaml", GOLD, {"min": 0.0, "max": 1e308, "step": 1e-300}),
}  # fmt: skip


def regression_case(name: str) -> Case:
    from optimizer.scenario.overrides import apply_overrides

    base, path, value = REGRESSIONS[name]
    raw, issues = apply_overrides(BASES[base], {path: value}, SOURCE)
    assert not issues
    return Case(base, raw, [f"{name}: {path} = {value!r}"])


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=mutated_scenarios(inline=True))
@example(case=regression_case("price range with too many points"))
@example(case=regression_case("price range whose point count overflows"))
def test_validate_mutations(case: Case) -> None:
    """validate_scenario gives a Scenario or a clean ScenarioError for any mutation."""
    check_validation(case.raw)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for mutated files, with the example scenarios' CSV profiles beside them."""
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(SCENARIOS_DIR / "profiles", folder / "profiles")
    return folder


def write_case(folder: Path, raw: Any, name: str = "fuzz.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(case=mutated_scenarios(), data=st.data())
def test_load_mutated_files(fuzz_dir: Path, case: Case, data: st.DataObject) -> None:
    """load_scenario (YAML parser, CSV profiles, variants) on mutated and damaged files."""
    from optimizer.scenario.loader import load_scenario

    text = yaml.safe_dump(case.raw, allow_unicode=True, sort_keys=False)
    if data.draw(st.integers(0, 3), label="damage text") == 0:
        text = data.draw(text_mutation(text), label="damaged text")
    path = fuzz_dir / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    variants = case.raw.get("variants") if isinstance(case.raw, dict) else None
    names = [None, *(variants if isinstance(variants, dict) else [])]
    variant = data.draw(st.sampled_from([n for n in names if n is None or isinstance(n, str)]))
    try:
        with time_limit(VALIDATE_SECONDS):
            load_scenario(path, variant)
    except ScenarioError as err:
        check_error_text(err, str(path))


# ---------------------------------------------------------------- full command line


def run_cli(args: list[str], seconds: float = SOLVE_SECONDS) -> tuple[int, str, str, float]:
    """``tierprice *args`` in-process: (exit code, stdout, stderr, seconds)."""
    from click.testing import CliRunner

    from optimizer import cli

    start = time.perf_counter()
    with time_limit(seconds):
        result = CliRunner().invoke(cli.main, args, prog_name="tierprice")
    elapsed = time.perf_counter() - start
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exception escaped: {result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr, elapsed


def check_solve(path: Path, steps: str, seconds: float = SOLVE_SECONDS) -> int:
    """Solve a (mutated) scenario file through the CLI and check the outcome is clean."""
    args = ["solve", str(path), "--format", "json", "--time-limit", "5", "--no-explain"]
    code, out, err, _ = run_cli(args, seconds)
    context = f"{steps}\nexit {code}\nstderr: {err[-2000:]}"
    if code not in OK_EXITS:  # show the traceback the user was spared
        _, _, debug_err, _ = run_cli(["--debug", *args], seconds)
        context += f"\n--debug: {debug_err[-4000:]}"
    assert code in OK_EXITS, context
    assert "Traceback" not in out + err, context
    if code == 0:
        result = json.loads(out)
        assert result["verified"] is True, context
        assert result["status"] in ("optimal", "feasible"), context
        assert all(math.isfinite(v) for v in result["totals"].values() if v is not None), context
    elif code == 2:
        assert out == "", context
        assert err.strip(), context
    elif code == 3:
        assert json.loads(out)["status"] == "infeasible", context
    return code


CLI_BASES = tuple(BASES)
PLAUSIBLE_CASES = 30
"""Full solves of odd but often valid scenarios (most reach the solver)."""
MUTATED_CASES = 15
"""Full solves of freely mutated scenarios (most stop at validation, exit 2)."""
CLI_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@settings(CLI_SETTINGS, max_examples=PLAUSIBLE_CASES)
@given(case=odd_but_plausible(CLI_BASES))
def test_solve_plausible_files(fuzz_dir: Path, case: Case) -> None:
    """``tierprice solve`` on an odd but plausible file: exit 0/2/3/4, no traceback."""
    check_solve(write_case(fuzz_dir, case.raw), repr(case))


@settings(CLI_SETTINGS, max_examples=MUTATED_CASES)
@given(case=mutated_scenarios(CLI_BASES, huge=2_000))
def test_solve_mutated_files(fuzz_dir: Path, case: Case) -> None:
    """``tierprice solve`` on a freely mutated file: exit 0/2/3/4, no traceback."""
    check_solve(write_case(fuzz_dir, case.raw), repr(case))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
