"""The scenario reference, ``docs/scenario.md``, generated from the schema itself.

The field tables are walked from :class:`~optimizer.scenario.schema.Scenario` and every
model nested in it: path, type, unit, default, allowed values and the field's own
description (its docstring in ``optimizer/scenario/schema.py``). Ranges come from
:data:`optimizer.scenario.schema.RANGES`, the one table validation uses. The other
sections (channels, profiles, opening hours, pricing, override paths, CSV layout,
fees) are text kept here, next to the generator. Regenerate with::

    python -m optimizer.scenario.reference > docs/scenario.md

``tests/test_reference.py`` fails when the committed file and this output differ.

>>> rows = field_rows()
>>> next(r for r in rows if r.path == "provider.sites[].seats").allowed
'[0, 1,000,000]'
"""

from __future__ import annotations

import sys
import types
import typing
from dataclasses import dataclass
from typing import Any

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from optimizer.scenario import profiles
from optimizer.scenario.schema import RANGES, Number, Scenario

REGENERATE = "python -m optimizer.scenario.reference > docs/scenario.md"
"""The command that rewrites the committed reference."""


@dataclass(frozen=True)
class FieldRow:
    """One line of a field table."""

    model: str
    """The pydantic model that declares the field."""
    path: str
    """Where it sits in a scenario file: ``provider.sites[].hourly_cost``."""
    type: str
    unit: str
    default: str
    allowed: str
    description: str


@dataclass(frozen=True)
class _Shape:
    """What an annotation says, in words."""

    type: str
    unit: str = ""
    allowed: str = ""
    optional: bool = False


def _shape(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> _Shape:
    """The type, unit and allowed values of an annotation, for the table."""
    origin = typing.get_origin(annotation)
    extra = list(metadata)
    if origin is typing.Annotated:
        base, *more = typing.get_args(annotation)
        return _shape(base, extra + more)
    lengths = _lengths(extra)
    number = next((m for m in extra if isinstance(m, Number)), None)
    if number is not None:
        bounds = RANGES[number.kind]
        kind = "whole number" if annotation is int else "number"
        return _Shape(kind, bounds.unit, bounds.text())
    if origin is typing.Literal:
        values = typing.get_args(annotation)
        kind = "whole number" if all(isinstance(v, int) for v in values) else "text"
        return _Shape(kind, "", "one of " + ", ".join(f"`{v}`" for v in values))
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(options) < len(typing.get_args(annotation))
        shapes = [_shape(a) for a in options]
        if len(shapes) == 1:
            one = shapes[0]
            return _Shape(one.type, one.unit, one.allowed or lengths, optional)
        units = {s.unit for s in shapes if s.unit}
        allowed = "; ".join(f"{s.type}: {s.allowed}" for s in shapes if s.allowed)
        kinds = list(dict.fromkeys(s.type for s in shapes))
        return _Shape(" or ".join(kinds), " / ".join(sorted(units)), allowed)
    if origin is tuple:
        item = _shape(typing.get_args(annotation)[0])
        allowed = ", ".join(part for part in (lengths, _each(item.allowed)) if part)
        return _Shape(f"list of {_plural(item.type)}", item.unit, allowed)
    if origin is dict:
        key, value = typing.get_args(annotation)
        return _Shape(f"mapping of {_shape(key).type} to {_shape(value).type}")
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _Shape("mapping", "", f"the fields of `{annotation.__name__}` below")
    if annotation is str:
        return _Shape("text", "", lengths)
    if annotation is float:
        return _Shape("number")
    if annotation is int:
        return _Shape("whole number")
    return _Shape("any value")


def _lengths(metadata: list[Any]) -> str:
    low = next((m.min_length for m in metadata if isinstance(m, MinLen)), None)
    high = next((m.max_length for m in metadata if isinstance(m, MaxLen)), None)
    if low is not None and low == high:
        return f"exactly {low} items"
    if low is not None and high is not None:
        return f"{low} to {high} characters"
    if low is not None:
        return f"at least {low} item" + ("s" if low != 1 else "")
    return ""


def _each(allowed: str) -> str:
    return f"each in {allowed}" if allowed.startswith(("[", "(")) else allowed


def _plural(kind: str) -> str:
    words = {"number": "numbers", "whole number": "whole numbers", "text": "texts"}
    words["mapping"] = "mappings"
    return words.get(kind, kind)


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.default
    if value is PydanticUndefined or value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "see below"
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return _value(value)


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if value == round(value, 6) else f"{value:.4f}"
    return str(value)


def _models(annotation: Any) -> list[tuple[type[BaseModel], bool]]:
    """The models an annotation holds, each with whether it is a list of them."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, False)]
    if origin is tuple:
        return [(m, True) for m, _ in _models(typing.get_args(annotation)[0])]
    if origin is dict:
        return []
    found: list[tuple[type[BaseModel], bool]] = []
    for arg in typing.get_args(annotation):
        found += _models(arg)
    return found


def model_sections() -> list[tuple[str, type[BaseModel]]]:
    """Every model of the schema with the path prefix where it sits, depth first."""
    out: list[tuple[str, type[BaseModel]]] = []

    def walk(prefix: str, model: type[BaseModel]) -> None:
        out.append((prefix, model))
        for name, info in model.model_fields.items():
            for sub, listed in _models(info.annotation):
                walk(f"{prefix}{name}{'[]' if listed else ''}.", sub)

    walk("", Scenario)
    return out


def field_rows() -> list[FieldRow]:
    """One row per field of every model, in schema order."""
    rows = []
    for prefix, model in model_sections():
        for name, info in model.model_fields.items():
            shape = _shape(info.annotation, info.metadata)
            default = _default(info)
            if shape.optional and default == "required":
                default = "none"
            rows.append(
                FieldRow(
                    model=model.__name__,
                    path=prefix + name,
                    type=shape.type,
                    unit=shape.unit,
                    default=default,
                    allowed=shape.allowed,
                    description=" ".join((info.description or "").split()),
                )
            )
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "-"


def field_tables() -> str:
    """The generated field reference: one table per model."""
    rows = field_rows()
    parts = []
    for prefix, model in model_sections():
        where = f"`{prefix.rstrip('.')}`" if prefix else "the top level"
        title = f"### `{model.__name__}`: {where}"
        doc = " ".join((model.__doc__ or "").split()) if model is not Scenario else ""
        lines = [title, ""]
        if doc and not doc.startswith("Base of"):
            lines += [doc, ""]
        lines += [
            "| field | type | unit | default | allowed | description |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows:
            if row.model == model.__name__ and row.path.startswith(prefix):
                if row.path.count(".") != prefix.count("."):
                    continue
                cells = (row.type, row.unit, row.default, row.allowed, row.description)
                lines.append(f"| `{row.path}` | " + " | ".join(_cell(c) for c in cells) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _profile_table() -> str:
    """Built-in profile names with the hours they are open (from their own tables)."""
    import numpy as np

    lines = [
        "| name | open (weight > 0) | busiest hour | day weights mon..sun |",
        "|---|---|---|---|",
    ]
    shapes = profiles._BUILTIN_TABLES
    for name in profiles.BUILTIN_PROFILES:
        days, curves = shapes[name]
        spans = []
        for index, (weight, curve) in enumerate(zip(days, curves, strict=True)):
            hours = [h for h, w in enumerate(curve) if w > 0] if weight > 0 else []
            text = f"{hours[0]:02d}:00-{hours[-1] + 1:02d}:00" if hours else "closed"
            spans.append((profiles.DAYS[index], text))
        grouped: list[tuple[str, str, str]] = []
        for day_name, text in spans:
            if grouped and grouped[-1][2] == text:
                grouped[-1] = (grouped[-1][0], day_name, text)
            else:
                grouped.append((day_name, day_name, text))
        open_text = ", ".join(
            f"{a if a == b else a + '-' + b} {t}" for a, b, t in grouped if t != "closed"
        )
        shape = profiles.builtin_shape(name, 60)
        peak = int(np.argmax(shape))
        peak_text = f"{profiles.DAYS[peak // 24]} {peak % 24:02d}:00"
        weights = ", ".join(f"{w:g}" for w in days)
        lines.append(f"| `{name}` | {open_text} | {peak_text} | {weights} |")
    return "\n".join(lines)


_HEAD = """\
# The scenario file: reference

<!-- Generated by `{regenerate}` from optimizer/scenario/schema.py and
optimizer/scenario/reference.py; do not edit by hand. -->

A scenario is one YAML file describing one deal: the provider's sites and costs,
the categories of work the client buys with their service tiers and price menus,
and the client's limits. Every example in `scenarios/` is a complete one. Unknown
keys are errors (with a "did you mean" hint); booleans and quoted numbers are not
numbers; every number lies in the range its table row gives (`[a, b]` includes
both ends, `(a, b]` excludes `a`); a non-zero number smaller than 1e-6 in
magnitude is refused (profile weights excepted). The JSON schema
(`Scenario.model_json_schema()`) carries the same bounds as `minimum`/`maximum`
and a `unit`.

**Units.** Money is in the scenario's `currency` and per month unless the field's
name or description says otherwise (`hourly_cost` is per hour, a price is per
unit of its pricing model). Handle, answer and patience times are in seconds,
deferred deadlines in hours, shares are fractions (0.8 = 80%).

Contents: [Fields](#fields) · [Channels](#channels) · [Profiles](#profiles) ·
[Opening hours](#opening-hours) · [Pricing models](#pricing-models) ·
[Set-up, fixed and project fees](#set-up-fixed-and-project-fees) ·
[Variants and override paths](#variants-and-override-paths) ·
[CSV profiles](#csv-profiles) · [Errors](#errors). The JSON that commands print is
described in [output.md](output.md).

## Fields

A path like `provider.sites[].hourly_cost` means the field `hourly_cost` of each
item of the list `provider.sites`. "none" as a default means the field may be left
out (or set to `null`). Fields that only one channel or pricing model uses are
required or refused by it, as the description says (and as [Channels](#channels)
and [Pricing models](#pricing-models) list); giving a field a channel does not use
is an error, not silently ignored.

"""

_CHANNELS = """\
## Channels

| channel | what it is | category fields it needs | tier fields | staffed by |
|---|---|---|---|---|
| `voice` | calls queueing for the next agent | `contacts_per_month`, `aht_seconds`; \
optional `patience_seconds` (Erlang A) | `service_level`, `answer_within_seconds`; \
optional `max_abandon` (needs `patience_seconds`) | Erlang C, or Erlang A with patience: \
the smallest integer N per interval meeting the tier and the occupancy cap |
| `chat` | chats, several at once per agent | as voice, plus `concurrency` (default 1) | \
as voice | each chat slot is a server (Erlang C/A with the chat's handle time); agents = \
ceil(slots / `concurrency`) |
| `deferred` | e-mail, back office: items that wait | `contacts_per_month`, `aht_seconds`; \
no `patience_seconds` | `share`, `within_hours` | the model schedules the work over the \
cyclic week: `share` of each interval's items done within `within_hours` clock hours, \
capacity agents x interval x `max_occupancy` / AHT; staffed only in open hours |
| `project` | one-off work (a journey study, an audit) | `effort_hours`, \
`specialist_hourly_cost`; no contacts, AHT, profile or open hours | none (a tier is a name \
and a price menu) | no intervals: cost = effort x specialist cost spread over \
`contract_months` |

Tiers are listed from the lowest service to the highest (`client.min_tier` relies
on it) and each tier must promise at least what the tier before it promises on
every dimension of its channel, and more on at least one: voice and chat
`service_level` (higher is more), `answer_within_seconds` (shorter is more),
`max_abandon` (lower is more; none is no cap); deferred `share` (higher is more),
`within_hours` (shorter is more). Project tiers keep the file's order.

Handled contacts are offered x (1 - P(abandon)) under Erlang A (with
`patience_seconds`), else all offered contacts; per-contact prices bill handled
contacts. Project work counts in spend, cost and margin, never in contacts or cost
per contact.

"""

_PROFILES = """\
## Profiles

A category's weekly volume, `contacts_per_month / calendar.weeks_per_month`, is
spread over the representative week (Monday 00:00 to Sunday 24:00, intervals of
`calendar.interval_minutes`) by its `profile`: relative weights, one per interval,
zeroed outside the opening hours and scaled to sum to 1. `profile` is one of

* a **built-in name** (the default is `business_hours`):

{profile_table}

  Each is a table of hourly weights, day weight x intraday curve (peak 1.0), in
  `optimizer/scenario/profiles.py`; an hour's weight is spread evenly over its intervals,
  so an hour carries the same volume at 15, 30 or 60 minutes. `extended_hours`
  has its own Saturday curve, `retail_evenings` its own weekend curve (a broad
  afternoon plateau); `24x7`'s overnight trough is 3.5-5% of the day's peak.
* a **list of weights**: one per interval of the week ({n30} at 30 minutes), one
  per hour of the week (168), one per interval of a day ({d30} at 30 minutes) or
  one per hour of a day (24, the same every day). Where two readings coincide (at
  60 minutes 168 = 168) they agree.
* a **mapping** `{{days: [7 weights mon..sun], intraday: [weights of one day]}}`
  (intraday: one per interval of a day, or 24): weight = day weight x intraday
  weight.
* a **CSV column** `{{csv: FILE, column: NAME}}`: see [CSV profiles](#csv-profiles).

Weights are relative (any scale; at most 1e12; not all zero inside the opening
hours). A profile and the opening hours work together: weights outside
`open_hours` are dropped, and an interval the profile gives zero weight gets no
volume even when open (a closed built-in hour stays empty whatever `open_hours`
says).

"""

_OPEN_HOURS = """\
## Opening hours

`open_hours` maps day specs to hours; leaving it out means open all week (the
profile alone decides where volume falls).

```yaml
open_hours: {{mon-fri: "08:00-20:00", sat: "10:00-16:00"}}       # Sunday closed
open_hours: {{daily: "22:00-06:00"}}                             # nights, every day
open_hours: {{mon: "00:00-08:00, 20:00-08:00", tue-fri: "20:00-08:00", sat-sun: 24h}}
```

* **Keys** (days): `mon` `tue` `wed` `thu` `fri` `sat` `sun`; a range `mon-fri`
  (wrapping ranges such as `fri-mon` allowed); a comma list `mon,wed` or
  `mon-tue,thu-fri`; `daily` or `all` for every day. Any case.
* **Values** (hours): `HH:MM-HH:MM` ranges separated by commas, `24h` (the same as
  `00:00-24:00`) or `closed`. Hours 00-24 (24 only as `24:00`), minutes 00-59. A
  range may not start at `24:00` or end where it starts.
* **Past midnight.** A range whose end is before its start runs into the next
  day: `"22:00-06:00"` on Friday covers Friday 22:00 to Saturday 06:00, and
  Sunday's runs into Monday morning of the same representative week. A day's hours
  are the ranges that *start* on it.
* **Days no key names are closed**; a later key replaces the hours of the days it
  names (`{{daily: "08:00-20:00", sun: closed}}`).
* **Interval grid.** An interval is open when its *start* minute lies in a range
  `[start, end)`. Times off the grid are allowed: at 30 minutes `"08:10-17:10"`
  opens the intervals starting 08:30 ... 17:00.
* Closed intervals get no volume and, for deferred work, no agents.

**Gap warning.** Valid opening hours that leave a gap a user probably did not mean
give one warning line on stderr (`warning: deal.yaml: categories[0].open_hours:
...`; in Python an `optimizer.scenario.profiles.OpenHoursWarning`) and the scenario is
used as written. Two rules, both conservative:

* **short break**: two ranges of one day leave a closed stretch shorter than
  {short_gap} minutes, e.g. `"08:00-12:00,12:30-18:00"` (a lunch closure of an
  hour or more is taken as meant; ranges that touch or overlap leave no gap);
* **missing weekday**: exactly one of Tuesday, Wednesday or Thursday is closed
  because no key names it, while the other four weekdays are open
  (`{{mon-tue: ..., thu-fri: ...}}`). Writing `wed: closed` says it is meant and
  silences the warning.

"""

_PRICING = """\
## Pricing models

A tier's `prices` are in the unit of the category's `pricing`. The billable
quantity of each model is fixed by the tier (the staffing plan that meets the
tier, never extra staff the provider adds), so revenue = price x quantity.

| `pricing` | price unit | billable quantity per month | fields it needs | channels |
|---|---|---|---|---|
| `per_contact` | money per handled contact | handled contacts | - | voice, chat, deferred |
| `per_minute` | money per handled minute | handled contacts x `aht_seconds` / 60 | - | \
voice, chat, deferred |
| `per_productive_hour` | money per productive agent hour | productive agent hours the \
tier requires (deferred: workload / `max_occupancy`) | - | voice, chat, deferred |
| `per_fte_month` | money per FTE and month | those hours / (1 - `provider.shrinkage`) / \
`fte_hours_per_month` (the provider-wide shrinkage, whatever site staffs it) | - | voice, \
chat, deferred |
| `per_resolution` | money per resolution | handled x `resolution_rate` | \
`resolution_rate` | voice, chat |
| `revenue_share` | a fraction of sales value, in [0, 1] (0.12 = 12%) | handled x \
`conversion_rate` x `value_per_sale` | `conversion_rate`, `value_per_sale` | voice, chat, \
deferred |
| `fixed_fee` | money per month; projects: money once | 1 (projects: 1 / \
`contract_months`, the fee spread over the contract) | - | every channel; the only one for \
`project` |

**Price menus.** `prices: [0.82, 0.86, 0.90]` is a list of points;
`prices: {{min: 0.90, max: 1.10, step: 0.02}}` is the points min, min + step, ...
up to max (at most 1000); `{{min, max}}` without `step` is a continuous price,
solved exactly and then moved to a quotable step (cents; 4 decimals below 1) unless
`solve --exact-prices`. `benchmark_price` and `max_premium` cap the price at
benchmark x (1 + premium) (premium 0 when only a benchmark is given). A tier's
highest price times a generous estimate of its monthly quantity may not pass 1e12.

"""

_FEES = """\
## Set-up, fixed and project fees

All money in results is per month.

* **Agent cost** per paid hour at a site = `hourly_cost` + `overhead_per_hour` +
  `supervisor_hourly_cost` / `supervisor_ratio`. Paid hours = scheduled agents x
  interval hours x `weeks_per_month` (interval mode), or shifts x shift hours x
  `weeks_per_month` (shift mode); scheduled = productive / (1 - shrinkage), never
  rounded per interval.
* **Fixed cost** per month = `provider.fixed_monthly_cost` + `provider.setup_cost`
  / `contract_months`: the one-off set-up cost is spread evenly over the contract.
  Both are shared: they appear in the deal's totals (cost, margin, `min_margin`),
  never in a category's cost.
* **Project cost** per month = `effort_hours` x `specialist_hourly_cost` /
  `contract_months`; it is the project category's cost.
* **Project fee**: a project category's `fixed_fee` price is paid once; its
  monthly revenue is price / `contract_months`. A non-project `fixed_fee` is paid
  every month.
* Spend, cost and margin therefore include project work and set-up spread over the
  contract; contacts and cost per contact never do.

"""

_OVERRIDES = """\
## Variants and override paths

`variants` names what-ifs, each a mapping of override paths to new values, applied
to the scenario and re-validated (`--variant NAME`, `compare --variants all`):

```yaml
variants:
  volume_up_10: {{categories.billing.contacts_per_month: 46200}}
  offshore_only: {{provider.sites.helsinki.seats: 0}}
  no_budget: {{client.budget_per_month: null}}
```

* A **path** is the field's dotted place in the file: `provider.min_margin`,
  `client.min_tier.billing`, `calendar.interval_minutes`.
* A **list item** is named by its `name` (`categories.billing`,
  `provider.sites.tallinn`, `categories.billing.tiers.gold.prices`) or by its
  0-based index (`categories.0`).
* `*` stands for **every** item of a list or key of a mapping:
  `categories.*.aht_seconds`, `provider.sites.*.hourly_cost`.
* The last segment may name an optional field not in the file yet (it is set);
  every other segment must exist. A path naming nothing is an error that lists what
  is known there; a variant that gives an invalid scenario reports that variant's
  problems (`variants.NAME: categories[0]...`).
* The value replaces the old one whole (a list or mapping too); `null` removes an
  optional value (its default applies).

`sweep --vary PATH=START:STOP:STEPS` uses the same paths: STEPS values evenly from
START to STOP (STEPS 1: START alone; at most 10,000 per axis and 100,000 points in
all). `PATH=xA:xB:STEPS` **multiplies** the field's current value by factors from
A to B (`categories.*.contacts_per_month=x0.8:x1.2:9`); with `*` every item that
has the field is multiplied (a project's missing contacts are skipped), and a
whole-number field stays whole. Several `--vary` make a full grid, the first
varying slowest. Paths are checked against the scenario and the schema before
anything is solved (`'budget' is no field; did you mean 'budget_per_month'?`).
`frontier` varies `client.budget_per_month` itself, from the lowest feasible budget
to where more budget stops raising the margin. In Python:
`scenario.with_overrides({{path: value}})`, `parse_vary("PATH=...")`.

"""

_CSV = """\
## CSV profiles

`profile: {{csv: FILE, column: NAME}}` reads one column of a CSV file as the
profile's weights.

```text
interval_start,customer_service,moving_house
mon 00:00,0,0
mon 00:30,0,0
...
sun 23:30,0,0
```

* `FILE` is resolved relative to the scenario file's folder and may not climb out
  of it (`../x.csv` is refused); an absolute path is allowed. It must be a regular
  file of at most 20 MB, UTF-8 text.
* The **first line** is the header; `column` names one of its cells. Blank lines
  are skipped. Every other line must hold a number in that column, non-negative and
  at most 1e12 (messages name the file, the line and the column, never the
  content).
* **Row order.** When the first column holds labels (and the weights are another
  column), rows are placed by label: `mon 09:00`, `Monday 09:00` (day names or
  their first three letters, any case) for a week, or `09:00` alone for a one-day
  profile. Labels must form a complete regular grid, each interval once; an export
  that starts on Sunday is put back in week order; a label that does not fit is
  refused naming its line. When the chosen column is the first one, or the first
  column holds numbers, rows are read in order from Monday 00:00.
* **Row count** follows the list forms of [Profiles](#profiles): one row per
  interval of the week, per hour of the week (168), per interval of a day or per
  hour of a day (24), at the scenario's `interval_minutes`.

"""

_ERRORS = """\
## Errors

An invalid scenario gives one line per problem, naming the file, the field path,
the value and what was expected, and exit code 2 (see [output.md](output.md#errors-and-exit-codes)):

```text
3 problems in the scenario:
  - deal.yaml: categories[0].aht_seconds = -3: expected a number in [1, 86,400] (seconds)
  - deal.yaml: categories[1].tiers[0].service_level = 1.2: expected a number in (0, 1] (a share)
  - deal.yaml: provider.sites[0].shrinkage = 1.0: expected a number in [0, 1) (a share)
```

YAML is read with a safe loader (duplicate keys are errors); merge keys
(`<<: *base`) work; `1e6` is a number.
"""


def render() -> str:
    """The whole of ``docs/scenario.md``."""
    from optimizer.conventions import MINUTES_PER_WEEK

    text = _HEAD.format(regenerate=REGENERATE) + field_tables() + "\n\n"
    text += _CHANNELS
    text += _PROFILES.format(
        profile_table="\n".join("  " + line for line in _profile_table().splitlines()),
        n30=MINUTES_PER_WEEK // 30,
        d30=24 * 60 // 30,
    )
    text += _OPEN_HOURS.format(short_gap=profiles.SHORT_GAP_MINUTES)
    text += _PRICING.format()
    text += _FEES
    text += _OVERRIDES.format()
    text += _CSV.format()
    text += _ERRORS
    return text


def main() -> None:
    """Print the reference (``python -m optimizer.scenario.reference > docs/scenario.md``)."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
