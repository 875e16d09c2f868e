"""Charts for the HTML summary, drawn with matplotlib as inline SVG.

Text stays text in the SVG (svg.fonttype none) so pages stay small and
searchable; the figure API is used directly, without pyplot's global state.
"""
from __future__ import annotations

import io

import numpy as np

from .model import AMBER, GREEN, RED
from .ranking import Ranking
from .schema import FORMS

COLOURS = {RED: "#c0392b", AMBER: "#d68910", GREEN: "#1e8449"}
TOP_LINES = 5


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    return fig, fig.add_subplot()


def _svg(fig, name: str) -> str:
    """The figure as an <svg> element; `name` keeps ids unique between charts on one page."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name, "font.size": 10}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _money_axis(axis, currency: str) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
    axis.set_label_text(currency)


def cumulative_cash_flow(ranking: Ranking) -> str:
    """Cumulative cash flow of the top initiatives, month by month."""
    fig, ax = _figure(8, 3.6)
    p = ranking.projection
    months = np.arange(p.horizon + 1)
    for _, item, i in ranking.ranked()[:TOP_LINES]:
        ax.plot(months, p.cumulative[i], linewidth=2, label=f"{item.id} {item.name}"[:48])
    ax.axhline(0, color="#555", linewidth=0.8)
    ax.set_xlabel("Month")
    _money_axis(ax.yaxis, f"Cumulative cash flow ({ranking.plan.settings.currency})")
    ax.grid(alpha=0.3)
    if ranking.plan.initiatives:
        ax.legend(fontsize=8, loc="upper left", frameon=False)
    return _svg(fig, "cumulative")


def quality_map(ranking: Ranking) -> str:
    """Quality (up) against leverage multiple (across, log scale), with the red zone shaded."""
    p = ranking.projection
    items = ranking.plan.initiatives
    return quality_map_of(p.multiple_effective, [i.quality for i in items], p.flags, [i.id for i in items],
                          ranking.plan.settings.threshold)


def quality_map_of(multiples, qualities, flags, labels, threshold: float) -> str:
    """The quality-versus-amplification map of any set of initiatives (one team's, or a whole drive's)."""
    fig, ax = _figure(8, 3.8)
    multiples, flags = np.asarray(multiples, float), np.asarray(flags)
    finite = multiples[np.isfinite(multiples) & (multiples > 0)]
    low = min(0.1, finite.min() / 2) if finite.size else 0.1
    high = max(threshold * 10, finite.max() * 2) if finite.size else threshold * 10
    x = np.clip(np.nan_to_num(multiples, posinf=high), low, high)
    quality = np.asarray(qualities, float)
    y = quality + (np.arange(len(quality)) % 5 - 2) * 0.06
    ax.fill_between([threshold, high], 0.5, 2.5, color=COLOURS[RED], alpha=0.15, linewidth=0)
    ax.fill_between([1, threshold], 0.5, 2.5, color=COLOURS[AMBER], alpha=0.12, linewidth=0)
    ax.fill_between([threshold, high], 2.5, 3.5, color=COLOURS[AMBER], alpha=0.12, linewidth=0)
    ax.axvline(threshold, color=COLOURS[RED], linestyle="--", linewidth=1)
    ax.text(threshold * 1.1, 0.75, f"red zone: quality ≤ 2 amplified ≥ {threshold:g}×", color=COLOURS[RED], fontsize=8)
    for flag in (GREEN, AMBER, RED):
        mask = flags == flag
        ax.scatter(x[mask], y[mask], s=36 if len(x) <= 500 else 8, color=COLOURS[flag], label=flag, zorder=3,
                   edgecolors="white", linewidths=0.5)
    if len(quality) <= 60:
        for xi, yi, label in zip(x, y, labels):
            ax.annotate(label[:12], (xi, yi), textcoords="offset points", xytext=(4, 3), fontsize=7)
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(0.5, 5.5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_xlabel("Leverage multiple (log scale)")
    ax.set_ylabel("Quality (1-5)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", frameon=False)
    return _svg(fig, "quality")


def npv_by_form(ranking: Ranking) -> str:
    """NPV and risk-adjusted NPV totals for each of the five forms."""
    fig, ax = _figure(8, 2.8)
    rows = ranking.by_form()[: len(FORMS)]
    positions = np.arange(len(FORMS))
    ax.barh(positions + 0.2, [r["NPV"] for r in rows], height=0.4, color="#2e86c1", label="NPV")
    ax.barh(positions - 0.2, [r["Risk-adjusted NPV"] for r in rows], height=0.4, color="#85c1e9", label="Risk-adjusted NPV")
    ax.set_yticks(positions, FORMS)
    ax.invert_yaxis()
    ax.axvline(0, color="#555", linewidth=0.8)
    _money_axis(ax.xaxis, ranking.plan.settings.currency)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8, frameon=False)
    return _svg(fig, "npv")
