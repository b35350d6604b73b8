"""What one run row holds, from the command's options, its scenario and its JSON.

The scenario is stored in its canonical form (:func:`canonical`): the validated
scenario, variants and ``--set`` values applied, as JSON with sorted keys, so the
same deal written differently (another key order, a default spelled out) has the
same SHA-256, and ``runs replay`` and ``runs diff`` need no file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from optimizer._version import __version__
from optimizer.scenario.schema import Scenario, validate_scenario


def canonical(scenario: Scenario) -> str:
    """The scenario as compact JSON with sorted keys (validates back to a scenario that
    solves as ``scenario``). A site's ``categories`` naming every category is the site
    without the key (it serves them all either way), and a shorter list is sorted:
    the order of the names means nothing, nor does a name the deal has no category of
    (ignored). Not in a scenario with variants, whose paths may index that list or add
    a category the site then would serve."""
    raw = scenario.raw()
    every = sorted(c.name for c in scenario.categories)
    for site in [] if raw.get("variants") else raw.get("provider", {}).get("sites", []):
        served = site.get("categories")
        if served is None:
            continue
        served = [name for name in served if name in every]
        if sorted(served) == every:
            del site["categories"]
        else:
            site["categories"] = sorted(served)
    return json.dumps(raw, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scenario_hash(text: str) -> str:
    """SHA-256 (hex) of a canonical scenario text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_scenario(text: str, run_id: int) -> Scenario:
    """The scenario a run stored, validated again."""
    return validate_scenario(json.loads(text), f"run {run_id}")


def solver_version(name: str | None) -> str | None:
    """The installed version of the package that provides solver ``name``."""
    from importlib import metadata

    package = {"highs": "highspy", "cbc": "pulp"}.get(name or "")
    if package is None:
        return None
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def result_part(payload: Any) -> dict[str, Any]:
    """The solve result inside a command's JSON (``check`` nests it under ``result``;
    ``compare``'s list of results and ``invoice``'s bill have none: empty)."""
    if not isinstance(payload, dict):
        return {}
    inner = payload.get("result")
    return inner if isinstance(inner, dict) else payload


def run_row(
    command: str,
    options: dict[str, Any],
    scenario: Scenario,
    payload_text: str,
    source: str | None = None,
    exit_code: int = 0,
) -> dict[str, Any]:
    """The columns of one run (:data:`optimizer.history.store.COLUMNS`)."""
    text = canonical(scenario)
    payload = json.loads(payload_text)
    result = result_part(payload)
    solver = result.get("solver") or {}
    totals = result.get("totals")
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "scenario": scenario.scenario,
        "scenario_sha256": scenario_hash(text),
        "command": command,
        "options": json.dumps(options, sort_keys=True, default=str),
        "tierprice_version": __version__,
        "solver": solver.get("name", options.get("solver")),
        "solver_version": solver_version(solver.get("name", options.get("solver"))),
        "status": result.get("status"),
        "gap": solver.get("gap"),
        "verified": None if "verified" not in result else int(bool(result["verified"])),
        "totals": None if totals is None else json.dumps(totals, sort_keys=True),
        "result": payload_text,
        "canonical": text,
        "source": source,
        "exit_code": exit_code,
    }


def summary(row: dict[str, Any]) -> dict[str, Any]:
    """One line of ``runs list``: id, time, scenario, command, status, margin, verified."""
    totals = json.loads(row["totals"]) if row.get("totals") else {}
    verified = row.get("verified")
    return {
        "id": row["id"],
        "time": row["time"],
        "scenario": row["scenario"],
        "command": row["command"],
        "status": row.get("status"),
        "margin": totals.get("margin"),
        "margin_pct": totals.get("margin_pct"),
        "verified": None if verified is None else bool(verified),
    }
