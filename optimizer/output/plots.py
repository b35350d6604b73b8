"""Charts as PNG, PDF or SVG bytes (matplotlib, headless): frontier, sweep, staffing,
volume risk.

Each chart function takes ``fmt`` (one of :data:`CHART_FORMATS`); the bytes carry no
timestamp, so the same chart is the same file on every run.
"""

from __future__ import annotations

import io
from typing import Any

from optimizer.results import VerifiedResult
from optimizer.risk.summary import RiskResult
from optimizer.studies.sweep import SweepResult


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5), dpi=100)
    return fig, ax


CHART_FORMATS = ("png", "pdf", "svg")
"""The file formats a chart can be written in (the ``--plot`` file's extension)."""
_NO_STAMP: dict[str, dict[str, None]] = {
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    "svg": {"Creator": None, "Date": None},
}
"""Metadata left out of each format, so the bytes do not change from run to run."""


def _save(fig: Any, fmt: str = "png") -> bytes:
    """The figure as ``fmt`` bytes (ValueError for a format not in CHART_FORMATS)."""
    import matplotlib.pyplot as plt

    if fmt not in CHART_FORMATS:
        plt.close(fig)
        raise ValueError(f"chart format {fmt!r}: expected one of {', '.join(CHART_FORMATS)}")
    buffer = io.BytesIO()
    fig.tight_layout()
    with plt.rc_context({"svg.hashsalt": "tierprice", "svg.fonttype": "path"}):
        fig.savefig(buffer, format=fmt, metadata=_NO_STAMP[fmt])
    plt.close(fig)
    return buffer.getvalue()


def sweep_png(sweep: SweepResult, title: str = "", fmt: str = "png") -> bytes:
    """Margin against one varied field (a curve) or two (a heat map), as ``fmt`` bytes."""
    fig, ax = _figure()
    rows = sweep.rows()
    axes = sweep.axes
    if len(axes) >= 2:
        import numpy as np

        a, b = axes[0], axes[1]
        grid = np.full((len(a.values), len(b.values)), np.nan)
        for point, result in zip(sweep.points, sweep.results, strict=True):
            if result is not None and result.totals is not None:
                grid[a.values.index(point[0]), b.values.index(point[1])] = result.totals.margin
        image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis")
        ax.set_yticks(range(len(a.values)), [a.label(v) for v in a.values])
        ax.set_xticks(range(len(b.values)), [b.label(v) for v in b.values], rotation=45)
        ax.set_ylabel(a.path)
        ax.set_xlabel(b.path)
        fig.colorbar(image, ax=ax, label="margin per month")
    else:
        axis = axes[0]
        xs = [
            p[0]
            for p, r in zip(sweep.points, sweep.results, strict=True)
            if r is not None and r.totals is not None
        ]
        ys = [r["margin"] for r in rows if r["margin"] is not None]
        ax.plot(xs, ys, marker="o")
        ax.set_xlabel(axis.path + (" (multiplier)" if axis.relative else ""))
        ax.set_ylabel("margin per month")
        ax.grid(True, alpha=0.3)
    ax.set_title(title or "margin across the sweep")
    return _save(fig, fmt)


def frontier_png(sweep: SweepResult, title: str = "", fmt: str = "png") -> bytes:
    """The provider's best margin against the client's budget."""
    fig, ax = _figure()
    pairs = [
        (p[0], r.totals.margin)
        for p, r in zip(sweep.points, sweep.results, strict=True)
        if r is not None and r.totals is not None
    ]
    ax.plot([p[0] for p in pairs], [p[1] for p in pairs], marker="o")
    ax.set_xlabel("client budget per month")
    ax.set_ylabel("best margin per month")
    ax.set_title(title or "margin-budget frontier")
    ax.grid(True, alpha=0.3)
    return _save(fig, fmt)


def staffing_png(result: VerifiedResult, fmt: str = "png") -> bytes:
    """Scheduled agents by interval of the week, stacked by site."""
    import numpy as np

    fig, ax = _figure()
    n = len(result.labels)
    by_site: dict[str, Any] = {}
    for (site, _), arr in sorted(result.staffing.items()):
        by_site[site] = by_site.get(site, np.zeros(n)) + arr
    if by_site:
        ax.stackplot(range(n), *by_site.values(), labels=list(by_site), step="post")
        ax.legend(loc="upper right")
    ticks = [i for i, label in enumerate(result.labels) if label.endswith("00:00")]
    ax.set_xticks(ticks, [result.labels[i][:3] for i in ticks])
    ax.set_ylabel("scheduled agents")
    ax.set_title(f"{result.scenario}: staffing by interval and site")
    ax.grid(True, alpha=0.3)
    return _save(fig, fmt)


def risk_png(risk: RiskResult, fmt: str = "png") -> bytes:
    """The margin's histogram over the draws with the floor and the forecast margin
    marked, and P(window met) per simulated category."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5), dpi=100)
    left.hist(risk.margin, bins=min(60, max(10, risk.draws // 50)), color="#4c72b0")
    left.axvline(risk.plan.floor, color="#c44e52", linestyle="--", label="floor")
    left.axvline(risk.plan.forecast_margin, color="#55a868", label="forecast margin")
    left.set_xlabel(f"margin per month ({risk.plan.currency})")
    left.set_ylabel("simulated months")
    left.legend(loc="upper left")
    shown = [c for c in risk.categories if c.p_window_met is not None]
    right.barh([c.name for c in shown], [c.p_window_met or 0.0 for c in shown])
    right.set_xlim(0, 1)
    right.set_xlabel("P(window met)")
    right.invert_yaxis()
    fig.suptitle(f"{risk.plan.scenario}: {risk.draws} simulated months")
    return _save(fig, fmt)
