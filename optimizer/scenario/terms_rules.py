"""Cross-field rules of a category's contract terms (one issue per problem)."""

from __future__ import annotations

from optimizer.errors import Issue, listed
from optimizer.scenario.models import Category, PriceRange, ScenarioFields
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
    if terms.bonus is not None:
        issues += _bonus_issues(cat, here, source)
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


def _bonus_issues(cat: Category, here: str, source: str) -> list[Issue]:
    """A bonus level is a service level: voice or chat only, and each level once."""
    levels = cat.terms.bonus or ()
    if cat.is_project or cat.channel == "deferred":
        what = "project work" if cat.is_project else "channel deferred"
        return [Issue(source, f"{here}.bonus", what, "a voice or chat category")]
    issues = []
    seen: set[tuple[float, float]] = set()
    for i, level in enumerate(levels):
        pair = (level.service_level, level.answer_within_seconds)
        if pair in seen:
            issues.append(
                Issue(
                    source, f"{here}.bonus[{i}]", f"{pair[0]:g} in {pair[1]:g} s", "each level once"
                )
            )
        seen.add(pair)
    return issues


def _has_plans(prices: object) -> bool:
    return isinstance(prices, tuple) and any(isinstance(p, Plan) for p in prices)


def site_terms_issues(
    scenario: ScenarioFields, cat: Category, path: str, source: str
) -> list[Issue]:
    """Problems of ``site_premium`` and ``min_site_share``: each site exists and may
    handle the category, the shares sum to at most 1, neither is for project work, and
    a premium multiplies price points (no continuous range) without a minimum charge, of
    a queued channel (deferred work has no per-interval tier requirement to
    split the quantity by)."""
    terms = cat.terms
    here = f"{path}.terms"
    issues: list[Issue] = []
    handles = {s.name for s in scenario.sites_for(cat.name)}
    known = {s.name for s in scenario.provider.sites}
    for field, by_site in (
        ("site_premium", terms.site_premium),
        ("min_site_share", terms.min_site_share),
    ):
        if by_site is None:
            continue
        if cat.is_project:
            issues.append(Issue(source, f"{here}.{field}", "site terms", "none for project work"))
            continue
        for site, value in by_site.items():
            if site not in known:
                expected = f"a site name ({listed(sorted(known))})"
                issues.append(Issue(source, f"{here}.{field}.{site}", value, expected))
            elif site not in handles:
                expected = f"a site that may handle {cat.name} (its categories leave it out)"
                issues.append(Issue(source, f"{here}.{field}.{site}", value, expected))
    shares = terms.min_site_share or {}
    if sum(shares.values()) > 1 + 1e-12:
        total = round(sum(shares.values()), 12)
        issues.append(Issue(source, f"{here}.min_site_share", total, "shares summing to at most 1"))
    if terms.site_premium is not None and not cat.is_project:
        issues += _premium_point_issues(cat, path, source)
    return issues


def _premium_point_issues(cat: Category, path: str, source: str) -> list[Issue]:
    """A site premium multiplies an option's plan charge, a constant per price point: a
    continuous price (which would make it bilinear) and deferred work are refused, one
    issue each. A minimum charge may go with it: it tops up the usage charge, and the
    premium is on the plan charge of the units delivered (the invoice's reading)."""
    where = f"{path}.terms.site_premium"
    issues: list[Issue] = []
    if cat.channel == "deferred":
        issues.append(Issue(source, where, "channel deferred", "a voice or chat category"))
    for k, tier in enumerate(cat.tiers):
        if isinstance(tier.prices, PriceRange) and tier.prices.step is None:
            expected = "price points (a list, a stepped range or plans) with site_premium"
            issues.append(
                Issue(source, f"{path}.tiers[{k}].prices", "a continuous range", expected)
            )
    return issues
