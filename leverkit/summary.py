"""The HTML summary: one self-contained page for people who read rather than filter."""
from __future__ import annotations

import datetime
import math
from pathlib import Path

from . import charts
from .files import atomic_path
from .ranking import Ranking
from .tables import settings_rows


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


def environment():
    """The Jinja2 environment for leverkit's pages: autoescaped, with number filters."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("leverkit", "."),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS, setting=_setting)
    return env


def _setting(value, kind: str) -> str:
    """A setting as people read it: 10% rather than 0.1, "none" for a blank budget."""
    if value is None:
        return "none"
    return FILTERS[kind](value) if kind in FILTERS else str(value)


def render(ranking: Ranking, generated: datetime.date | None = None) -> str:
    """The summary page as a string."""
    from markupsafe import Markup

    plan, p = ranking.plan, ranking.projection
    by_form = ranking.by_form()
    rows = [
        {
            "rank": rank, "item": item, "npv": p.npv[i], "risk_adjusted_npv": p.risk_adjusted_npv[i],
            "payback": p.payback[i], "multiple": p.multiple[i], "flag": str(p.flags[i]),
            "reason": p.reasons[i], "warnings": p.warnings[i],
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
