"""Long fuzzing run of scenario files (issue 7): the strategies of ``tests/test_fuzz.py``.

Run from the repository root::

    python benchmarks/fuzz.py [--cases 20000] [--cli-cases 500] [--seed N] [--shrink] [--huge N]

Three phases, each on a fresh random seed (or ``--seed``):

1. ``--cases`` freely mutated scenarios straight into ``validate_scenario``;
2. ``--cases / 10`` mutated or damaged files through ``load_scenario``;
3. ``--cli-cases`` full ``tierprice solve`` runs (in-process, ``--time-limit 5``, a
   time limit per case), half on odd but plausible scenarios (most reach the solver),
   half on freely mutated ones.

A case fails when anything but a clean ``ScenarioError`` (validation) or an exit
code 0/2/3/4 without a traceback (command line) comes out, or when it runs past its
time limit. Every failure is printed with the mutations that caused it; distinct
failures are grouped by exception and place. ``--shrink`` stops at the first
failure and lets Hypothesis reduce it to a minimal mutation. Prints cases per second
per phase; exits 1 if anything failed.
"""

from __future__ import annotations

import argparse
import collections
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import test_fuzz as tf  # noqa: E402  (tests/ must be on the path first)
from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from optimizer.errors import ScenarioError  # noqa: E402
from optimizer.scenario.loader import load_scenario  # noqa: E402

HUGE = 20_000
"""Default length of the "huge list" value (a wrong-type list this long gives one issue
per item: about 1.5 s and a 1.5 MB message per case)."""


class Failures:
    """Failures seen so far, grouped by exception type and the place it was raised."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[str]] = collections.defaultdict(list)

    def add(self, phase: str, case: Any, err: BaseException) -> None:
        frames = traceback.extract_tb(err.__traceback__)
        place = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        kind = f"{phase}: {type(err).__name__} at {place}"
        first = kind not in self.by_kind
        self.by_kind[kind].append(repr(case))
        if first:
            print(f"\nFAILURE {kind}\n  case: {case!r}\n  error: {err}", flush=True)
            print("".join(traceback.format_exception(err)[-6:]), flush=True)

    def report(self) -> int:
        if not self.by_kind:
            print("no failures")
            return 0
        print(f"{len(self.by_kind)} distinct failure(s):")
        for kind, cases in self.by_kind.items():
            print(f"  {kind}: {len(cases)} case(s), e.g. {cases[0][:300]}")
        return 1


def run_phase(
    name: str,
    strategy: st.SearchStrategy[Any],
    check: Callable[[Any], Any],
    cases: int,
    run_seed: int,
    failures: Failures,
    shrink: bool,
) -> None:
    """Run ``check`` on ``cases`` draws of ``strategy``; record (or raise) failures."""
    count = 0
    outcomes: collections.Counter[str] = collections.Counter()

    def body(case: Any) -> None:
        nonlocal count
        count += 1
        try:
            outcomes[check(case)] += 1
        except (Exception, tf.CaseTimeout) as err:
            if shrink:
                raise
            outcomes["FAILED"] += 1
            failures.add(name, case, err)
        if count % 1000 == 0:
            print(f"  {name}: {count} cases", flush=True)

    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]
    test = settings(
        max_examples=cases,
        deadline=None,
        database=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )(given(case=strategy)(body))
    start = time.perf_counter()
    seed(run_seed)(test)()
    elapsed = time.perf_counter() - start
    summary = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()))
    print(
        f"{name}: {count} cases in {elapsed:.1f} s = {count / elapsed:.1f} cases/s ({summary})",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000, help="Validation cases.")
    parser.add_argument("--cli-cases", type=int, default=500, help="Full command-line runs.")
    parser.add_argument("--seed", type=int, default=None, help="Random seed (default: random).")
    parser.add_argument("--shrink", action="store_true", help="Stop at and shrink a failure.")
    parser.add_argument("--huge", type=int, default=HUGE, help="Length of the huge list.")
    args = parser.parse_args()
    run_seed = random.randrange(2**32) if args.seed is None else args.seed
    print(f"seed {run_seed}", flush=True)
    failures = Failures()
    folder = Path(tempfile.mkdtemp(prefix="tierprice-fuzz-"))
    try:
        shutil.copytree(tf.SCENARIOS_DIR / "profiles", folder / "profiles")

        def validate(case: tf.Case) -> str:
            out = tf.check_validation(case.raw)
            return "error" if isinstance(out, ScenarioError) else "valid"

        def load(pair: tuple[tf.Case, str | None]) -> str:
            case, text = pair
            path = folder / "fuzz.yaml"
            if text is None:
                tf.write_case(folder, case.raw)
            else:
                path.write_text(text, encoding="utf-8")
            try:
                with tf.time_limit(tf.VALIDATE_SECONDS):
                    load_scenario(path)
            except ScenarioError as err:
                tf.check_error_text(err, str(path))
                return "error"
            return "valid"

        def solve(case: tf.Case) -> str:
            return f"exit {tf.check_solve(tf.write_case(folder, case.raw), repr(case))}"

        @st.composite
        def damaged(draw: st.DrawFn) -> tuple[tf.Case, str | None]:
            case = draw(tf.mutated_scenarios(huge=args.huge // 10))
            if draw(st.booleans()):
                return case, None
            text = tf.yaml.safe_dump(case.raw, allow_unicode=True, sort_keys=False)
            return case, draw(tf.text_mutation(text))

        run_phase(
            "validate",
            tf.mutated_scenarios(huge=args.huge, inline=True),
            validate,
            args.cases,
            run_seed,
            failures,
            args.shrink,
        )
        run_phase(
            "load", damaged(), load, max(1, args.cases // 10), run_seed, failures, args.shrink
        )
        if args.cli_cases:
            cli = st.one_of(tf.odd_but_plausible(), tf.mutated_scenarios(huge=2_000))
            run_phase("solve", cli, solve, args.cli_cases, run_seed, failures, args.shrink)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return failures.report()


if __name__ == "__main__":
    raise SystemExit(main())
