"""The commands that solve nothing: ``validate``, ``staff``, ``requirements``, ``export-lp``.

They check a scenario, size one interval with the Erlang formulas, list a
scenario's staffing requirements, or write its model as an LP file.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from optimizer.cli.app import main
from optimizer.cli.options import (
    FORMAT_HELP,
    FiniteRange,
    OutputPath,
    ScenarioPath,
    objective_name,
)
from optimizer.cli.output import check_output, emit, guard_outputs, to_stdout, write_file
from optimizer.cli.runs import load
from optimizer.cli.text import safe


def _count(n: int, one: str, many: str) -> str:
    """``1 category``, ``3 categories``."""
    return f"{n} {one if n == 1 else many}"


@main.command()
@click.argument("scenario", type=ScenarioPath)
def validate(scenario: Path) -> None:
    """Check a scenario file; print a summary, or every problem (exit 2)."""
    s = load(scenario)
    click.echo(safe(f"{scenario}: valid — {s.scenario}"))
    click.echo(
        f"  {_count(len(s.categories), 'category', 'categories')}, "
        f"{_count(len(s.provider.sites), 'site', 'sites')}, "
        f"{s.calendar.interval_minutes}-minute intervals, staffing {s.provider.staffing}, "
        f"objective {s.objective}, {s.contract_months}-month contract"
    )
    for c in s.categories:
        volume = "project" if c.is_project else f"{c.contacts_per_month:,.0f} contacts/month"
        tiers = ", ".join(t.name for t in c.tiers)
        click.echo(safe(f"  - {c.name}: {c.channel}, {volume}, {c.pricing}, tiers {tiers}"))
    if s.variants:
        click.echo(safe(f"  variants: {', '.join(s.variants)}"))


STAFF_LABELS = {
    "agents": "agents (productive)",
    "scheduled_agents": "scheduled agents",
    "service_level": "service level",
    "p_wait": "P(wait)",
    "asa_seconds": "ASA (s)",
    "occupancy": "occupancy",
    "p_abandon": "P(abandon)",
}
"""The rows ``staff`` prints, in order: result key -> label."""


MAX_LOAD = 1e6
"""Most Erlangs ``staff`` computes for (a million agents busy at once)."""


@main.command()
@click.option(
    "--contacts",
    type=FiniteRange(min=0, max=1e9),
    required=True,
    help="Contacts offered in one interval.",
)
@click.option(
    "--interval-minutes",
    type=FiniteRange(min=1, max=1440),
    default=30.0,
    show_default=True,
)
@click.option(
    "--aht",
    type=FiniteRange(min=0, min_open=True, max=86_400),
    required=True,
    help="Average handle time in seconds (talk + wrap).",
)
@click.option(
    "--service-level",
    type=FiniteRange(0, 1, min_open=True),
    required=True,
    help="Target share answered within --within seconds, e.g. 0.8.",
)
@click.option(
    "--within",
    type=FiniteRange(min=0),
    required=True,
    help="Answer-time threshold in seconds.",
)
@click.option(
    "--patience",
    type=FiniteRange(min=0, min_open=True),
    default=None,
    help="Mean patience in seconds: Erlang A (abandonment) instead of Erlang C.",
)
@click.option(
    "--max-occupancy", type=FiniteRange(0, 1, min_open=True), default=1.0, show_default=True
)
@click.option("--max-abandon", type=FiniteRange(0, 1, min_open=True), default=None)
@click.option("--shrinkage", type=FiniteRange(0, 1, max_open=True), default=0.0, show_default=True)
@click.option(
    "--concurrency",
    type=FiniteRange(min=1),
    default=1.0,
    show_default=True,
    help="Chats per agent (chat slots -> agents).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def staff(
    contacts: float,
    interval_minutes: float,
    aht: float,
    service_level: float,
    within: float,
    patience: float | None,
    max_occupancy: float,
    max_abandon: float | None,
    shrinkage: float,
    concurrency: float,
    as_json: bool,
) -> None:
    """Erlang calculator: agents needed for one interval."""
    from optimizer.staffing.calculator import staff_interval

    if max_abandon is not None and patience is None:
        raise click.UsageError("--max-abandon needs --patience (Erlang A)")
    load = contacts * aht / (interval_minutes * 60)
    if load > MAX_LOAD:  # the queueing functions' own domain (1e308 contacts was exit 1)
        raise click.UsageError(
            f"--contacts {contacts:g} of {aht:g} s in {interval_minutes:g} minutes offer"
            f" {load:.3g} Erlangs: at most {MAX_LOAD:g}"
        )
    out = staff_interval(
        contacts,
        interval_minutes,
        aht,
        service_level,
        within,
        patience,
        max_occupancy,
        max_abandon,
        shrinkage,
        concurrency,
    )
    if as_json:
        click.echo(json.dumps(out, indent=2))
        return
    for key, label in STAFF_LABELS.items():
        value = out[key]
        text = f"{value:.4f}" if isinstance(value, float) else str(value)
        click.echo(f"{label:22s} {text}")


@main.command()
@click.argument("scenario", type=ScenarioPath)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default=None,
    help=FORMAT_HELP,
)
@click.option("--variant", default=None, help="Apply a named variant of the scenario.")
@click.option("--output", type=OutputPath, default=None)
def requirements(scenario: Path, fmt: str | None, variant: str | None, output: Path | None) -> None:
    """Staffing requirement per category, tier and interval."""
    from optimizer.output.requirements_report import requirement_report

    fmt = check_output(fmt, output, choices=("table", "csv", "json"))
    s = load(scenario, variant)
    guard_outputs(output)
    emit(requirement_report(s, fmt), output, fmt)


@main.command("export-lp")
@click.argument("scenario", type=ScenarioPath)
@click.argument("path", type=OutputPath)
@click.option("--objective", type=click.Choice(["max-margin", "min-price"]), default=None)
@click.option("--variant", default=None)
def export_lp(scenario: Path, path: Path, objective: str | None, variant: str | None) -> None:
    """Write the model as an LP file without solving it."""
    from optimizer.milp.export import lp_text
    from optimizer.pipeline import build_only

    s = load(scenario, variant)
    guard_outputs(path)
    model = build_only(s, objective_name(objective))
    if to_stdout(path):
        emit(lp_text(model), None)
        return
    write_file(path, lp_text(model))
    note = f"wrote {path}: {len(model.prob.variables())} columns, {len(model.rows)} rows"
    click.echo(safe(note, err=True), err=True)
