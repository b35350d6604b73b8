"""The requirement table of a scenario as text, CSV or JSON (``tierprice requirements``)."""

from __future__ import annotations

from optimizer.output.report import rows_to_csv, rows_to_json, table
from optimizer.scenario.schema import Scenario
from optimizer.staffing.requirements import build_requirements


def requirement_report(scenario: Scenario, fmt: str) -> str:
    """The requirement table as text (summary per tier), CSV or JSON (per interval)."""
    reqs = build_requirements(scenario)
    if fmt == "table":
        rows = [
            [
                str(r["category"]),
                str(r["tier"]),
                f"{r['peak_agents']}",
                f"{r['productive_hours']:,.0f}"
                + (" (once)" if scenario.category(str(r["category"])).is_project else ""),
                f"{r['handled_per_month']:,.0f}",
                f"{r['billable_per_month']:,.2f}",
                "-" if r["min_service_level"] is None else f"{r['min_service_level']:.3f}",
            ]
            for r in reqs.summary_rows()
        ]
        head = [
            "category",
            "tier",
            "peak agents",
            "productive h/month (projects: once)",
            "handled/month",
            "billable/month",
            "min SL",
        ]
        return table(rows, head) + "\n"
    rows_ = reqs.interval_rows()
    if fmt == "csv":
        return rows_to_csv(rows_)
    return rows_to_json(
        {"scenario": scenario.scenario, "summary": reqs.summary_rows(), "intervals": rows_}
    )
