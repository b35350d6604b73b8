"""Structured identities of the MILP's rows: family, site, category, tier, interval.

Every row the model writes is named by a :class:`RowKey`; solutions, limits, the
explanation and the diagnosis carry the key itself, so no module builds a name as a
string and parses it back. The readable form (``coverage[billing][mon 09:30]``) is
for people and for the JSON output; :meth:`RowKey.parse` reads it back only where a
user types a limit's name.
"""

from __future__ import annotations

from dataclasses import dataclass

_ORDER = ("site", "category", "tier", "interval", "detail")
"""Bracketed parts of a readable name, in this order (the ones a family uses)."""

STRUCTURE: dict[str, tuple[str, ...]] = {
    "min_price_spend": (),
    "one_choice": ("category",),
    "one_fee": ("category",),
    "quoted_tier": ("category",),
    "deferred_min_agents": ("category",),
    "price_range_min": ("category", "tier"),
    "price_range_max": ("category", "tier"),
    "coverage": ("category", "interval"),
    "deferred_capacity": ("category", "interval"),
    "deferred_flow": ("category", "interval"),
    "deferred_due": ("category", "interval"),
    "shift_cover": ("site", "category", "interval"),
    "seat_peak": ("site", "detail"),
    "site_split": ("category", "tier", "detail"),
    "site_hours": ("site", "category"),
    "bonus_cover": ("category", "interval", "detail"),
    "bonus_due": ("category", "tier", "detail"),
}
"""The model's own rows (not limits): family -> the parts its keys have. A limit
family declares its parts itself (:attr:`optimizer.limits.base.Family.parts`)."""


@dataclass(frozen=True, order=True)
class RowKey:
    """The identity of one row: its family and the objects it is about."""

    family: str
    site: str | None = None
    category: str | None = None
    tier: str | None = None
    interval: str | None = None
    """The interval's label (``mon 09:30``)."""
    detail: str | None = None

    @property
    def readable(self) -> str:
        """``family[part]...`` with the parts in a fixed order.

        >>> RowKey("shift_cover", site="Lisbon", category="calls", interval="mon 09:00").readable
        'shift_cover[Lisbon][calls][mon 09:00]'
        """
        return self.family + "".join(f"[{p}]" for p in self.parts())

    def parts(self) -> tuple[str, ...]:
        """The key's parts, in readable order."""
        return tuple(v for name in _ORDER if (v := getattr(self, name)) is not None)

    def group(self) -> RowKey:
        """The key without its interval: seats bind per interval but are one limit a site."""
        return RowKey(self.family, self.site, self.category, self.tier)

    def __str__(self) -> str:
        return self.readable

    @classmethod
    def parse(cls, readable: str, shape: tuple[str, ...]) -> RowKey:
        """The key of a readable name whose family's parts are ``shape`` (for names users
        type; the code passes keys). A family whose parts vary (the blended and the
        per-category cost-per-contact cap) gives the most it can have, filled in order.

        >>> RowKey.parse("coverage[billing][mon 09:30]", ("category", "interval")).interval
        'mon 09:30'
        >>> RowKey.parse("budget", ()) == RowKey("budget")
        True
        """
        family, _, rest = readable.partition("[")
        values = rest[:-1].split("][") if rest.endswith("]") else []
        if len(values) > len(shape):
            raise ValueError(f"{readable!r}: {family} has parts {list(shape)}")
        return cls(family, **dict(zip(shape, values, strict=False)))
