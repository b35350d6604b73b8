"""Fixtures shared by the scenario tests (each documented; see also ``helpers.py``)."""

from __future__ import annotations

import os
from collections.abc import Iterator

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


# Run history: no test ever writes to the user's real data folder.
@pytest.fixture(scope="session", autouse=True)
def _history_in_tmp_for_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Session and module fixtures that run a command record in a tmp folder too."""
    folder = tmp_path_factory.mktemp("session_history")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIERPRICE_DB", str(folder / "history.sqlite"))
        patch.setenv("XDG_DATA_HOME", str(folder / "data"))
        yield


@pytest.fixture(autouse=True)
def _history_in_tmp(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test records its runs in a history database of its own (``TIERPRICE_DB``),
    and the default location (``XDG_DATA_HOME``) points into the test's tmp folder too."""
    folder = tmp_path_factory.mktemp("history")
    monkeypatch.setenv("TIERPRICE_DB", str(folder / "history.sqlite"))
    monkeypatch.setenv("XDG_DATA_HOME", str(folder / "data"))
