"""The kinds of value a scenario field takes: numbers in documented ranges, and names.

Every number of a scenario has a documented range: :data:`RANGES` is the one place
they are defined (README "Ranges of numbers" lists it; tests keep the two equal).
A number field is annotated with a :class:`Number` marker naming its kind; the
marker refuses booleans, text, out-of-range and tiny values with our wording, and
writes the range into the JSON schema. Text fields refuse control characters.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

Channel = Literal["voice", "chat", "deferred", "project"]
PricingModel = Literal[
    "per_contact",
    "per_minute",
    "per_productive_hour",
    "per_fte_month",
    "per_resolution",
    "revenue_share",
    "fixed_fee",
    "per_unit",
    "per_hour",
]
Objective = Literal["max_margin", "min_price", "max_expected_margin"]

# ------------------------------------------------------------------ ranges


@dataclass(frozen=True)
class Range:
    """The accepted values of one kind of number, and its unit."""

    low: float
    high: float
    unit: str
    low_open: bool = False
    """``low`` itself is not allowed."""
    high_open: bool = False
    """``high`` itself is not allowed."""

    def text(self) -> str:
        """Interval notation: ``[1, 86,400]``, ``(0, 1]``.

        >>> RANGES["aht"].text()
        '[1, 86,400]'
        """
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{_num(self.low)}, {_num(self.high)}{right}"

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range."""
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below


def _num(value: float) -> str:
    if value >= 1e7:
        return f"{value:.0e}".replace("e+0", "e").replace("e+", "e")
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


RANGES: dict[str, Range] = {
    "contacts": Range(0, 1e9, "contacts per month"),
    "aht": Range(1, 86_400, "seconds"),
    "patience": Range(1, 86_400, "seconds"),
    "answer_within": Range(0, 86_400, "seconds", low_open=True),
    "within_hours": Range(0, 168, "hours (at most the representative week)", low_open=True),
    "effort_hours": Range(0, 1e7, "hours"),
    "money": Range(0, 1e12, "money in the scenario's currency"),
    "money_positive": Range(0, 1e12, "money in the scenario's currency", low_open=True),
    "fraction": Range(0, 1, "a share", low_open=True),
    "shrinkage": Range(0, 1, "a share", high_open=True),
    "min_margin": Range(-1, 1, "a margin, (revenue - cost) / revenue", high_open=True),
    "max_premium": Range(-1, 10, "a fraction above the benchmark price"),
    "min_roi": Range(-1, 1000, "value / spend - 1"),
    "seats": Range(0, 1e6, "scheduled agents"),
    "max_fte": Range(0, 1e6, "FTE"),
    "supervisor_ratio": Range(1, 1000, "agents per team leader"),
    "fte_hours": Range(1, 744, "paid hours per FTE and month"),
    "weeks_per_month": Range(1, 5, "weeks"),
    "concurrency": Range(1, 100, "chats per agent"),
    "shift_hours": Range(0, 24, "hours", low_open=True),
    "shift_start": Range(1, 1440, "minutes"),
    "contract_months": Range(1, 240, "months"),
    "weight": Range(0, 1e12, "relative weight"),
    "quantity": Range(0, 1e12, "billable units per month"),
    "discount": Range(0, 1, "a share of the unit price", high_open=True),
    "achieved_service_level": Range(0, 1, "a share of contacts, achieved"),
    "units": Range(0, 1e7, "units of project work over the contract"),
    "delivery_month": Range(1, 240, "month of the contract"),
    "customers": Range(0, 1e9, "customers"),
    "churn": Range(0, 1, "a share of customers lost per month"),
    "escalation": Range(-1, 1, "a change per contract year", low_open=True),
    "discount_rate": Range(0, 1, "a rate per year"),
    "site_premium": Range(-1, 10, "a fraction above the unit price"),
    "site_share": Range(0, 1, "a share of the category's productive hours"),
    "cv": Range(0, 2, "a coefficient of variation, std / mean"),
    "correlation": Range(0, 1, "a correlation of log volume multipliers"),
    "absence_cv": Range(0, 0.5, "a standard deviation of the shrinkage share"),
    "credit": Range(0, 1, "a share of the category's monthly charge"),
    "confidence": Range(0, 1, "a share of simulated months", low_open=True, high_open=True),
    "draws": Range(100, 100_000, "simulated months"),
}
"""Accepted range of each kind of number in a scenario (bounds and unit)."""

TINY = 1e-6
"""Non-zero magnitudes below this are refused everywhere (no field means anything
that small, and subnormal numbers make the arithmetic silently wrong)."""


@dataclass(frozen=True)
class Number:
    """Schema marker of a number field: a real number (not a boolean, not text) in
    ``RANGES[kind]``, zero or at least :data:`TINY` in magnitude.

    The range is also written into the JSON schema (``minimum``, ``maximum``,
    ``unit``), where the generated field reference reads it.
    """

    kind: str
    allow_tiny: bool = False
    """Relative weights may be tiny (normalising scales them by the largest first)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(
            self.plain, core_schema.no_info_after_validator_function(self.check, handler(source))
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        bounds = RANGES[self.kind]
        out["exclusiveMinimum" if bounds.low_open else "minimum"] = bounds.low
        out["exclusiveMaximum" if bounds.high_open else "maximum"] = bounds.high
        out["unit"] = bounds.unit
        return out

    def plain(self, value: Any) -> Any:
        """Refuse booleans, text, and integers too large for a float, before parsing."""
        value = _plain_number(value)
        if isinstance(value, int) and value.bit_length() > 1000:  # past 1e300
            return self.check(math.inf if value > 0 else -math.inf)
        return value

    def check(self, value: float) -> float:
        """The value, or a PydanticCustomError naming the range."""
        bounds = RANGES[self.kind]
        if bounds.contains(value) and 0 < abs(value) < TINY and not self.allow_tiny:
            raise PydanticCustomError(
                "too_tiny",
                "0 or a number of magnitude at least {tiny} ({unit})",
                {"tiny": f"{TINY:g}", "unit": bounds.unit},
            )
        if not bounds.contains(value):
            raise PydanticCustomError(
                "out_of_range",
                "a number in {range} ({unit})",
                {"range": bounds.text(), "unit": bounds.unit},
            )
        return value


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def decimal_number(text: str) -> float | None:
    """A number written as spreadsheets and people write it in a CSV cell or an option
    (``1000``, ``-2.5``, ``.75``, ``1e3``), or None. Python's ``float`` also reads
    ``1_000``, ``inf``, ``nan`` and other scripts' digits, none of which another program
    reading the same file would take for that number.

    >>> decimal_number("1e3"), decimal_number("1_000"), decimal_number("nan")
    (1000.0, None, None)
    """
    return float(text) if _DECIMAL.fullmatch(text) else None


def _plain_number(value: Any) -> Any:
    """Refuse booleans and text where a number is expected (YAML ``true``, ``"300"``)."""
    if isinstance(value, bool):
        raise PydanticCustomError("number_not_bool", "a number, not true/false")
    if isinstance(value, str | bytes):
        raise PydanticCustomError("number_not_text", "a number, not text")
    return value


def _printable(text: str) -> str:
    if not text.isprintable():
        raise PydanticCustomError("control_character", "text without control characters")
    return text


Name = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_printable)]
Currency = Annotated[str, Field(min_length=1, max_length=8), AfterValidator(_printable)]
"""A currency label (nothing is converted)."""
Money = Annotated[float, Number("money")]
PositiveMoney = Annotated[float, Number("money_positive")]
Fraction = Annotated[float, Number("fraction")]
Shrinkage = Annotated[float, Number("shrinkage")]
Weight = Annotated[float, Number("weight", allow_tiny=True)]


class Strict(BaseModel):
    """Base of every scenario model: frozen, unknown keys forbidden, no NaN/inf."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )
