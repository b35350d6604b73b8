"""Cross-field rules of projects priced by effort and of the value of service quality
(one issue per problem; ``path`` is the category's)."""

from __future__ import annotations

from optimizer.errors import MISSING, Issue, listed
from optimizer.scenario.models import Category, ScenarioFields

PROJECT_PRICING = ("fixed_fee", "per_unit", "per_hour")
"""The pricing models of project work."""
PROJECT_ONLY = ("units", "effort_hours_per_unit", "invoice")
"""Category fields only project work uses."""


def project_issues(scenario: ScenarioFields, cat: Category, path: str, source: str) -> list[Issue]:
    """A project's pricing, its effort (hours, or units x hours per unit) and invoice."""
    if not cat.is_project:
        if cat.pricing in PROJECT_PRICING[1:]:
            return [Issue(source, f"{path}.pricing", cat.pricing, "a pricing of project work")]
        return []
    issues: list[Issue] = []
    if cat.pricing not in PROJECT_PRICING:
        expected = "fixed_fee, per_unit or per_hour (the pricing models of project work)"
        issues.append(Issue(source, f"{path}.pricing", cat.pricing, expected))
    per_unit = cat.effort_hours_per_unit is not None
    if per_unit and cat.effort_hours is not None:
        issues.append(
            Issue(
                source,
                f"{path}.effort_hours",
                cat.effort_hours,
                "no value when effort_hours_per_unit is given (effort = units x it)",
            )
        )
    if cat.units is None and (per_unit or cat.pricing == "per_unit"):
        why = "pricing per_unit" if cat.pricing == "per_unit" else "effort_hours_per_unit"
        issues.append(Issue(source, f"{path}.units", MISSING, f"a value (required for {why})"))
    if cat.units is not None and not per_unit and cat.pricing != "per_unit":
        issues.append(
            Issue(
                source,
                f"{path}.units",
                cat.units,
                "no value (used by pricing per_unit or effort_hours_per_unit only)",
            )
        )
    months = scenario.contract_months
    if cat.invoice is not None and cat.invoice.on_delivery_month > months:
        issues.append(
            Issue(
                source,
                f"{path}.invoice.on_delivery_month",
                cat.invoice.on_delivery_month,
                f"a month of the contract (1 to contract_months, {months})",
            )
        )
    return issues


def value_issues(cat: Category, path: str, source: str) -> list[Issue]:
    """Tier values, sales as value, and the retention table's tiers and baseline."""
    issues: list[Issue] = []
    for j, tier in enumerate(cat.tiers):
        if cat.is_project and tier.value_per_contact is not None:
            issues.append(
                Issue(
                    source,
                    f"{path}.tiers[{j}].value_per_contact",
                    tier.value_per_contact,
                    "no value (project work handles no contacts)",
                )
            )
    if cat.sales_are_value is not None and cat.pricing != "revenue_share":
        issues.append(
            Issue(
                source,
                f"{path}.sales_are_value",
                cat.sales_are_value,
                "only with pricing: revenue_share",
            )
        )
    if cat.retention is not None:
        issues += _retention_issues(cat, f"{path}.retention.churn_by_tier", source)
    return issues


def _retention_issues(cat: Category, here: str, source: str) -> list[Issue]:
    """Churn rates name tiers; the lowest tier's is the baseline, none churns more."""
    assert cat.retention is not None
    churn = cat.retention.churn_by_tier
    names = [t.name for t in cat.tiers]
    issues = [
        Issue(source, f"{here}.{name}", name, f"a tier of {cat.name} ({listed(names)})")
        for name in churn
        if name not in names
    ]
    lowest = names[0]
    if lowest not in churn:
        issues.append(
            Issue(
                source,
                here,
                MISSING,
                f"a churn rate for the lowest tier '{lowest}' (the baseline the churn "
                "other tiers avoid is measured against)",
            )
        )
        return issues
    for name, rate in churn.items():
        if name in names and rate > churn[lowest]:
            issues.append(
                Issue(
                    source,
                    f"{here}.{name}",
                    rate,
                    f"at most the lowest tier's churn ({churn[lowest]:g}): a tier cannot "
                    "lose more customers than the baseline",
                )
            )
    return issues
