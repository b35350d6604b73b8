"""Cross-field rules of risk-aware pricing (one issue per problem)."""

from __future__ import annotations

from optimizer.errors import Issue
from optimizer.scenario.models import Category


def risk_pricing_issues(cat: Category, path: str, source: str, objective: str) -> list[Issue]:
    """A tier's ``confidence`` is about a queue's service level (voice or chat, with a
    service-level target); ``max_expected_margin`` needs each category's charge to be
    a constant per tier and price point, so a platform fee menu (a second choice whose
    credits would depend on the tier) is refused with it."""
    issues = []
    for k, tier in enumerate(cat.tiers):
        if tier.confidence is None:
            continue
        if cat.channel not in ("voice", "chat"):
            what = "project work" if cat.is_project else f"channel {cat.channel}"
            expected = "a voice or chat tier (the window's service level is simulated)"
            issues.append(Issue(source, f"{path}.tiers[{k}].confidence", what, expected))
    menu = cat.terms.fee_menu()
    if objective == "max_expected_margin" and len(menu) > 1:
        issues.append(
            Issue(
                source,
                f"{path}.terms.platform_fee",
                "a menu",
                "one platform fee with objective max_expected_margin",
            )
        )
    return issues
