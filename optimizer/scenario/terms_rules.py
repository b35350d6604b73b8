"""Cross-field rules of a category's contract terms (one issue per problem)."""

from __future__ import annotations

from optimizer.errors import Issue
from optimizer.scenario.models import Category, PriceRange
from optimizer.scenario.terms import Plan


def terms_issues(cat: Category, path: str, source: str) -> list[Issue]:
    """Problems of ``cat.terms`` and of its tiers' plans (``path`` is the category's)."""
    terms = cat.terms
    here = f"{path}.terms"
    issues: list[Issue] = []
    if terms.volume_bands is not None:
        starts = [b.start for b in terms.volume_bands.bands]
        if starts[0] != 0:
            issues.append(
                Issue(source, f"{here}.volume_bands.bands[0].from", starts[0], "0 (the first band)")
            )
        for i in range(1, len(starts)):
            if starts[i] <= starts[i - 1]:
                issues.append(
                    Issue(
                        source,
                        f"{here}.volume_bands.bands[{i}].from",
                        starts[i],
                        f"more than the band before ({starts[i - 1]:g})",
                    )
                )
    if terms.bill_whole_units and cat.pricing != "per_fte_month":
        issues.append(
            Issue(source, f"{here}.bill_whole_units", True, "only with pricing: per_fte_month")
        )
    if terms.min_premium is not None:
        issues += _premium_issues(cat, here, source)
    has_terms = terms.volume_bands is not None or terms.minimum_monthly is not None
    for k, tier in enumerate(cat.tiers):
        continuous = isinstance(tier.prices, PriceRange) and tier.prices.step is None
        if continuous and terms.minimum_monthly is not None:
            issues.append(
                Issue(
                    source,
                    f"{path}.tiers[{k}].prices",
                    "a continuous range",
                    "a price list or a stepped range (minimum_monthly needs price points)",
                )
            )
        if cat.is_project and (has_terms or _has_plans(tier.prices)):
            issues.append(
                Issue(source, f"{path}.tiers[{k}].prices", "terms", "plain prices for project work")
            )
    return issues


def _premium_issues(cat: Category, here: str, source: str) -> list[Issue]:
    """The lower side of the competitor band needs a benchmark and sits below the cap."""
    low = cat.terms.min_premium
    assert low is not None
    if cat.benchmark_price is None:
        return [Issue(source, f"{here}.min_premium", low, "a benchmark_price to apply it to")]
    if cat.max_premium is not None and low > cat.max_premium:
        return [
            Issue(source, f"{here}.min_premium", low, f"at most max_premium ({cat.max_premium:g})")
        ]
    return []


def _has_plans(prices: object) -> bool:
    return isinstance(prices, tuple) and any(isinstance(p, Plan) for p in prices)
