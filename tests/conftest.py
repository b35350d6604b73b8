"""Fixtures shared by the scenario tests (each documented; see also ``helpers.py``)."""

from __future__ import annotations

import pytest
from helpers import SCENARIOS_DIR, make_scenario

from optimizer.scenario.loader import load_scenario
from optimizer.scenario.schema import Scenario


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
