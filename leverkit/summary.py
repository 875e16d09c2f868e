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
from .files import atomic_path
from .processes import collector_paused
from .ranking import Ranking
from .tables import settings_rows, spread


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

    from . import __version__

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
    env.filters.update(FILTERS, setting=_setting)
    return env


def _setting(value, kind: str) -> str:
    """A setting as people read it: 10% rather than 0.1, "none" for a blank budget."""
    if value is None:
        return "none"
    if kind == "int":
        return f"{value:,}"
    return FILTERS[kind](value) if kind in FILTERS else str(value)


RANGE_BARS = 40  # initiatives drawn on the P10–P90 chart, in rank order
TORNADOES = 3  # top initiatives with ranges that get a tornado chart
TRACKING_PANELS = 24  # tracked initiatives drawn as small multiples


def _uncertainty(ranking: Ranking) -> dict:
    """The simulation and sensitivity figures and charts, as the page shows them."""
    from markupsafe import Markup

    sim, items, currency = ranking.simulation, ranking.plan.initiatives, ranking.plan.settings.currency
    order = ranking.order.tolist()
    shown = {}
    if sim is not None and sim.ranged.any():
        top = order[:RANGE_BARS]
        labels = [f"{items[i].id} {items[i].name}" for i in top]
        shown["ranges"] = Markup(charts.npv_ranges(labels, sim.p10[top], sim.p50[top], sim.p90[top], currency))
        shown["ranges_cut"] = max(len(order) - RANGE_BARS, 0)
    tornadoes = []
    by_initiative: dict[int, list] = {}
    for swing in ranking.swings:
        by_initiative.setdefault(swing.index, []).append(swing)
    for i in [i for i in order if i in by_initiative][:TORNADOES]:
        swings = sorted(by_initiative[i], key=lambda s: -s.swing)
        title = f"{items[i].id} {items[i].name}"
        tornadoes.append(Markup(charts.tornado(title, [s.input for s in swings], [s.npv_low for s in swings],
                                               [s.npv_high for s in swings], ranking.projection.npv[i], currency)))
    shown["tornadoes"] = tornadoes
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
        elapsed = int(tracking.months_elapsed[j])
        panels.append((f"{items[i].id} {items[i].name}", months, p.cumulative[i], months[: elapsed + 1],
                       tracking.cumulative[j, : elapsed + 1]))
    rows = tracking.rows(ranking.plan)
    return {
        "rows": [dict(zip(TRACKING_KEYS, rows[i])) for i, _ in tracked],
        "chart": Markup(charts.tracking(panels, ranking.plan.settings.currency)) if panels else "",
        "cut": max(len(tracked) - TRACKING_PANELS, 0),
        "calibration": tracking.calibration,
    }


def fund_sentence(funding, currency: str | None, scope: str = "") -> str:
    """The recommended portfolio in the sentence a planning lead reads first (one team's, or with `scope`
    " across the company", a drive's).

    >>> from leverkit.funding import fund
    >>> fund_sentence(fund([5.0, 3.0], [40.0, 30.0], [1.0, 2.0], [False, False], ["", ""], budget=50.0), "EUR")
    'Fund this 1: 40 of 50 budget, 1 a month in maintenance, risk-adjusted NPV 5 (EUR)'
    """
    f, count = funding, int(funding.chosen.sum())
    spent = f"{f.upfront:,.0f} of {f.budget:,.0f} budget" if f.budget is not None else f"{f.upfront:,.0f} upfront"
    upkeep = (f"{f.maintenance:,.0f} of {f.capacity:,.0f} monthly capacity" if f.capacity is not None
              else f"{f.maintenance:,.0f} a month in maintenance")
    unit = f" ({currency})" if currency else ""
    return (f"Fund {'these' if count != 1 else 'this'} {count}{scope}: {spent}, {upkeep}, "
            f"risk-adjusted NPV {f.value:,.0f}{unit}")


def _decision(ranking: Ranking) -> dict:
    """What to fund, in the sentence a planning lead reads first, with its frontier chart."""
    from markupsafe import Markup

    from .funding import TIME_LIMIT_NOTE

    f, currency = ranking.funding, ranking.plan.settings.currency
    headline = fund_sentence(f, currency)
    shown = {"headline": headline, "chosen": [(rank, item) for rank, item, i in ranking.ranked() if f.chosen[i]],
             "problems": [o.sentence(currency) for o in f.over_limits] + ([] if f.optimal else [TIME_LIMIT_NOTE]),
             "limited": f.budget is not None or f.capacity is not None}
    if ranking.simulation is not None and ranking.simulation.ranged[f.chosen].any():
        shown["spread"] = spread(ranking)
    if f.frontier is not None:
        shown["frontier"] = Markup(charts.frontier(f.frontier.budgets, f.frontier.values, f.budget, currency))
    return shown


TRACKING_KEYS = ("id", "name", "owner", "start", "elapsed", "projected_gross", "actual_gross", "realisation",
                 "projected_spend", "actual_spend", "spend_ratio", "projected_cash", "actual_cash", "npv_plan",
                 "npv_reforecast")


@collector_paused()
def render(ranking: Ranking, generated: datetime.date | None = None) -> str:
    """The summary page as a string."""
    from markupsafe import Markup

    plan, p, sim = ranking.plan, ranking.projection, ranking.simulation
    by_form = ranking.by_form()
    rows = [
        {
            "rank": rank, "item": item, "npv": p.npv[i], "risk_adjusted_npv": p.risk_adjusted_npv[i],
            "payback": p.payback[i], "multiple": p.multiple[i], "flag": str(p.flags[i]),
            "reason": p.reasons[i], "warnings": p.warnings[i],
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
        total=by_form[-1],
        flags=ranking.flag_counts(),
        rows=rows,
        simulated=sim is not None,
        uncertainty=_uncertainty(ranking),
        decision=_decision(ranking),
        tracking=_tracking(ranking),
        by_form=by_form,
        settings_used=settings_rows(ranking),
        charts={
            "cumulative": Markup(charts.cumulative_cash_flow(ranking)),
            "quality": Markup(charts.quality_map(ranking)),
            "by_form": Markup(charts.npv_by_form(ranking)),
        },
    )


def write_summary(ranking: Ranking, path: str | Path) -> Path:
    """Write the HTML summary whole, or not at all."""
    page = render(ranking)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(path)
