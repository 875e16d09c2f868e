"""The HTML summary: one self-contained page for people who read rather than filter."""
from __future__ import annotations

import contextlib
import datetime
import functools
import math
import os
from pathlib import Path

import numpy as np

from . import charts
from .processes import collector_paused
from .ranking import Ranking
from .schema import MONTHS
from .simulation import HEADERS, value_swings
from .version import __version__
from .tables import (
    decision_rows, headline, choice_notes, portfolio_npv, ranges_typed, settings_rows, to_stop,
)


def _number(x, pattern: str, blank: str = "—") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return blank
    if isinstance(x, float) and math.isinf(x):
        return "∞"
    return pattern.format(x)


FILTERS = {
    "money": lambda x: _number(x, "{:,.0f}"),
    "months": lambda x: _number(x, "{:.1f}"),
    "multiple": lambda x: _number(x, "{:.1f}×"),
    "percent": lambda x: _number(x, "{:.0%}"),
    "number": lambda x: _number(x, "{:,.0f}"),
}


def _bytecode_cache():
    """Jinja2's own cache of compiled templates, in the user's private temporary folder, so a fresh process
    does not compile the pages again (a tenth of a small report's time).

    Its files are named for this leverkit and Jinja2, so an upgrade never
    reads an older build's code; a cache file that cannot be read or
    written is skipped, never a failure. None on Windows, where Jinja2
    would share the temporary folder itself, and where no private folder
    can be had.
    """
    import jinja2
    from jinja2 import FileSystemBytecodeCache

    class Cache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            with contextlib.suppress(OSError):
                super().dump_bytecode(bucket)

    if os.name == "nt":
        return None
    try:
        return Cache(pattern=f"__leverkit-{__version__}-jinja2-{jinja2.__version__}-%s.cache")
    except (OSError, RuntimeError):  # RuntimeError: Jinja2 found no folder only this user can write
        return None


@functools.lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment for leverkit's pages: autoescaped, with number filters; made once per process, so
    a batch worker compiles each template once."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("leverkit", "."),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters.update(FILTERS, setting=_setting, verdict_class=verdict_class, month=_month)
    return env


def verdict_class(verdict: str | None) -> str:
    """How a verdict is coloured: going ahead (fund, continue), held back (stop, skip, fix), or neither.

    >>> verdict_class("continue (required by A)"), verdict_class("stop: no longer pays"), verdict_class("needs B")
    ('fund', 'stop', 'none')
    """
    verdict = verdict or ""
    if verdict.startswith(("fund", "continue")):
        return "fund"
    if verdict.startswith(("stop", "skip", "fix", "does not pay")):
        return "stop"
    return "none"


def _month(value) -> str:
    return value.strftime("%Y-%m") if hasattr(value, "strftime") else str(value)


def _setting(value, kind: str) -> str:
    """A setting as people read it: 10% rather than 0.1, "none" for a blank budget."""
    if value is None:
        return "none"
    if kind == "int":
        return f"{value:,}"
    if kind == "month":
        return _month(value)
    return FILTERS[kind](value) if kind in FILTERS else str(value)


RANGE_BARS = 40  # initiatives with ranges drawn on the P10–P90 chart, in rank order
TORNADO_BARS = 10  # the portfolio's ranged inputs with the largest swings
TRACKING_PANELS = 24  # tracked initiatives drawn as small multiples


def _uncertainty(ranking: Ranking) -> dict:
    """The simulation and the portfolio's sensitivity, as the page shows them."""
    from markupsafe import Markup

    sim, items, currency = ranking.simulation, ranking.plan.initiatives, ranking.plan.settings.currency
    shown: dict = {"ranged": ranking.ranges, "count": len(items)}
    if sim is not None and sim.ranged.any():
        top = [i for i in ranking.order.tolist() if sim.ranged[i]][:RANGE_BARS]
        labels = [f"{items[i].id} {items[i].name}" for i in top]
        shown["ranges"] = Markup(charts.npv_ranges(labels, sim.p10[top], sim.p50[top], sim.p90[top], currency))
        shown["ranges_cut"] = max(int(sim.ranged.sum()) - RANGE_BARS, 0)
    swings = value_swings(ranking.plan, ranking.where, ranking.funding.chosen)
    if swings:
        base, middle = portfolio_npv(ranking), ranking.basis
        swings.sort(key=lambda w: -abs(w[3] - w[2]))
        top = swings[:TORNADO_BARS]
        shown["tornado"] = Markup(charts.tornado(
            [f"{charts.words(f'{items[i].id} {items[i].name}', max(10, 30 - len(HEADERS[f])))} · {HEADERS[f]}"
             for i, f, _, _ in top],
            [base + a - middle[i] for i, _, a, _ in top], [base + b - middle[i] for i, _, _, b in top], base, currency))
        shown["swings"], shown["swings_shown"] = len(swings), len(top)
    return shown


def _tracking(ranking: Ranking) -> dict | None:
    """The tracked initiatives in rank order, their chart, and each owner's calibration in words."""
    from markupsafe import Markup

    tracking = ranking.tracking
    if tracking is None:
        return None
    items, p = ranking.plan.initiatives, ranking.projection
    place = {i: j for j, i in enumerate(tracking.index.tolist())}
    tracked = [(i, place[i]) for i in ranking.order.tolist() if i in place]
    months = np.arange(p.horizon + 1)
    panels = []
    for i, j in tracked[:TRACKING_PANELS]:
        last = int(tracking.last[j])
        panels.append((f"{items[i].id} {items[i].name}", months, p.cumulative[i], months[: last + 1],
                       tracking.cumulative[j, : last + 1]))
    rows = tracking.rows(ranking.plan)
    return {
        "rows": [dict(zip(TRACKING_KEYS, rows[i])) for i, _ in tracked],
        "charts": [Markup(svg) for svg in charts.tracking(panels, ranking.plan.settings.currency)],
        "cut": max(len(tracked) - TRACKING_PANELS, 0),
        "calibration": tracking.calibration,
    }


def _decision(ranking: Ranking) -> dict:
    """What to fund, as a planning lead reads it first: the sentence, the figures on stated bases, the
    initiatives in and the started ones to stop, the cash view and the fiscal years, the frontier."""
    from markupsafe import Markup

    f, s = ranking.funding, ranking.plan.settings
    currency = s.currency
    status = ranking.progress.status.tolist()
    shown = {
        "headline": headline(f, currency),
        "figures": [row for row in decision_rows(ranking) if row[0] != "As of"],
        "chosen": [(rank, item, status[i]) for rank, item, i in ranking.ranked() if f.chosen[i]],
        "stop": [(rank, item, f.verdicts[i]) for rank, item, i in to_stop(ranking)],
        "problems": [*([f.conflict.sentence()] if f.conflict is not None else []),
                     *([] if f.optimal else [f.note(currency)])],
        "limited": f.budget is not None or f.capacity is not None,
        "cash": ranking.cash,
    }
    if ranking.cash is not None:
        cash = ranking.cash
        month = {d: k + 1 for k, d in enumerate(cash.months)}
        shown["cash_chart"] = Markup(charts.portfolio_cash(
            cash.months, cash.cumulative, cash.bands, cash.need, month[cash.need_month] if cash.need_month else None,
            month[cash.payback_month] if cash.payback_month else None, currency))
    if f.frontier is not None:
        shown["frontier"] = Markup(charts.frontier(f.frontier.budgets, f.frontier.values, f.budget, currency,
                                                   f.upfront, f.value))
    return shown


TRACKING_KEYS = ("id", "name", "owner", "start", "elapsed", "reported", "projected_gross", "actual_gross",
                 "realisation", "projected_spend", "actual_spend", "spend_ratio", "projected_cash", "actual_cash",
                 "npv_plan", "npv_reforecast")


@collector_paused()
def render(ranking: Ranking, generated: datetime.date | None = None) -> str:
    """The summary page as a string."""
    from markupsafe import Markup

    plan, p, sim, progress = ranking.plan, ranking.projection, ranking.simulation, ranking.progress
    rows = [
        {
            "rank": rank, "item": item, "npv": p.npv[i], "value": ranking.value[i], "status": progress.status[i],
            "payback": p.payback[i], "multiple": p.multiple[i], "flag": str(p.flags[i]),
            "reason": p.reasons[i], "warnings": p.warnings[i], "ranges": ranges_typed(item.ranges),
            "p10": sim.p10[i] if sim is not None else None, "p90": sim.p90[i] if sim is not None else None,
            "p_positive": sim.p_positive[i] if sim is not None else None,
            "ranged": bool(sim.ranged[i]) if sim is not None else False,
            "verdict": ranking.funding.verdicts[i],
        }
        for rank, item, i in ranking.ranked()
    ]
    return environment().get_template("summary.html.j2").render(
        plan=plan,
        settings=plan.settings,
        source=Path(plan.source).name,
        generated=(generated or datetime.date.today()).isoformat(),
        rows=rows,
        flags=ranking.flag_counts(),
        simulated=sim is not None,
        uncertainty=_uncertainty(ranking),
        decision=_decision(ranking),
        tracking=_tracking(ranking),
        by_form=ranking.by_form(),
        issues=[*plan.issues, *choice_notes(ranking)],
        settings_used=settings_rows(ranking),
        quality=Markup(charts.quality_map(ranking)),
        fiscal_start=MONTHS[plan.settings.fiscal_start - 1],
    )
