"""Fixtures shared by the scenario tests (each documented; see also ``helpers.py``)."""

from __future__ import annotations

import os

import pytest
from helpers import SCENARIOS_DIR, make_scenario
from hypothesis import settings

from optimizer.scenario.loader import load_scenario
from optimizer.scenario.schema import Scenario

# A test run is reproducible: the property tests draw the same examples on every machine
# (a red CI can be rerun and seen again). ``HYPOTHESIS_PROFILE=explore`` draws fresh ones
# to look for new counterexamples; add any it finds as an ``@example``.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--regen-golden``: rewrite the golden files under tests/data/golden (opt-in only)."""
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="Regenerate golden files in tests/data/golden instead of comparing.",
    )


@pytest.fixture(scope="session")
def example() -> Scenario:
    """The tiny validated example scenario (``optimizer.scenario.schema.example_raw()``)."""
    return make_scenario()


@pytest.fixture(scope="session")
def nordic() -> Scenario:
    """``scenarios/nordic_telco.yaml``: five categories, two sites, three variants."""
    return load_scenario(SCENARIOS_DIR / "nordic_telco.yaml")
