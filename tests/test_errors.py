"""Tests for optimizer/errors.py: the Issue record and the error hierarchy."""

import math

import pytest

from optimizer.errors import (
    MISSING,
    Issue,
    OptimizerError,
    ScenarioError,
    SolverError,
    VerificationError,
)


def test_issue_names_file_path_value_and_expectation():
    """One problem renders as file: path = value: expected ..."""
    text = str(Issue("deal.yaml", "categories[2].tiers[1].service_level", 1.2, "in (0, 1]"))
    assert text == "deal.yaml: categories[2].tiers[1].service_level = 1.2: expected in (0, 1]"


def test_issue_spells_out_missing_and_nan():
    """A missing field and a NaN value are named, not printed as Python internals."""
    assert "(missing)" in str(Issue("f", "scenario", MISSING, "a value"))
    assert "= nan:" in str(Issue("f", "x", math.nan, "a finite number"))


def test_long_values_are_cut():
    """A huge value is shortened so the message stays one readable line."""
    text = str(Issue("f", "x", list(range(1000)), "short"))
    assert len(text) < 200 and "..." in text


def test_scenario_error_lists_every_issue_once():
    """The error's text is a header plus one line per issue."""
    issues = [Issue("f", f"a[{i}]", i, "x") for i in range(3)]
    err = ScenarioError(issues)
    lines = str(err).splitlines()
    assert lines[0] == "3 problems in the scenario:"
    assert lines[1:] == [f"  - {i}" for i in issues]
    assert err.issues == tuple(issues)


@pytest.mark.parametrize("cls", [ScenarioError, SolverError, VerificationError])
def test_every_error_is_an_optimizer_error(cls):
    """The CLI maps one base class; every error the product raises derives from it."""
    assert issubclass(cls, OptimizerError)


def test_long_lists_of_problems_are_cut_in_the_message_only():
    """A message lists at most MAX_SHOWN problems plus a count; .issues keeps them all."""
    from optimizer.errors import MAX_SHOWN

    issues = [Issue("f", f"prices[{i}]", "x", "a number") for i in range(MAX_SHOWN + 7)]
    err = ScenarioError(issues)
    lines = str(err).splitlines()
    assert len(lines) == 1 + MAX_SHOWN + 1
    assert lines[-1] == "  ... and 7 more"
    assert len(err.issues) == MAX_SHOWN + 7
