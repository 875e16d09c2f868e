"""Ranking initiatives and totalling them by leverage form (docs/model.md section 5)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .model import AMBER, GREEN, RED, Projection, project
from .plan import Plan
from .schema import FORMS

if TYPE_CHECKING:
    from .funding import Funding
    from .simulation import Simulation, Swing
    from .tracking import Tracking


@dataclass
class Ranking:
    """A plan with its projection, the rank order (indices into plan.initiatives), and what follows from them:
    the simulation (None when off), the sensitivity swings, the tracking of actuals (None without an
    Actuals sheet) and the funding choice (verdicts, the recommended portfolio, the frontier)."""

    plan: Plan
    projection: Projection
    order: np.ndarray
    simulation: Simulation | None = None
    swings: list[Swing] = field(default_factory=list)
    tracking: Tracking | None = None
    funding: Funding | None = None

    def ranked(self):
        """(rank, initiative, index) in rank order."""
        items = self.plan.initiatives
        return [(rank, items[i], i) for rank, i in enumerate(self.order.tolist(), start=1)]

    def by_form(self) -> list[dict]:
        """Totals per leverage form, every form listed, plus the total row."""
        return totals(self.plan, self.projection)

    def flag_counts(self) -> dict[str, int]:
        return {flag: int((self.projection.flags == flag).sum()) for flag in (RED, AMBER, GREEN)}

    def to_dataframe(self):
        """The Ranked sheet as a pandas DataFrame, for notebooks."""
        import pandas as pd

        from .tables import ranked_rows

        headers, rows = ranked_rows(self)
        return pd.DataFrame(rows, columns=headers)


def rank_order(projection: Projection, rank_by: str) -> np.ndarray:
    """Indices in rank order; stable, so ties keep the input row order.

    Risk-adjusted NPV, NPV and leverage multiple rank descending (an
    undefined multiple counts as infinite when there is gross value, else 0);
    payback ranks ascending with no payback last.

    >>> p = type("P", (), {"npv": np.array([5.0, 9, 5]), "payback": np.array([np.nan, 3, 2])})
    >>> rank_order(p, "NPV").tolist(), rank_order(p, "payback").tolist()
    ([1, 0, 2], [2, 1, 0])
    """
    if rank_by == "payback":
        key = np.where(np.isnan(projection.payback), np.inf, projection.payback)
    else:
        field = {"risk-adjusted NPV": "risk_adjusted_npv", "NPV": "npv", "leverage multiple": "multiple_effective"}
        key = -getattr(projection, field[rank_by])
    return np.argsort(key, kind="stable")


def totals(plan: Plan, projection: Projection) -> list[dict]:
    """Sums by leverage form with np.bincount; one dict per form and a Total."""
    n = len(FORMS)
    codes = np.fromiter((FORMS.index(i.form) for i in plan.initiatives), dtype=int, count=len(plan.initiatives))
    upfront, maintenance = plan.column("upfront"), plan.column("maintenance")
    sums = {
        "Initiatives": np.bincount(codes, minlength=n),
        "Upfront cost": np.bincount(codes, upfront, n),
        "Maintenance / month": np.bincount(codes, maintenance, n),
        "NPV": np.bincount(codes, projection.npv, n),
        "Risk-adjusted NPV": np.bincount(codes, projection.risk_adjusted_npv, n),
        "Value at horizon": np.bincount(codes, projection.value_at_horizon, n),
        **{flag.capitalize(): np.bincount(codes[projection.flags == flag], minlength=n) for flag in (RED, AMBER, GREEN)},
    }
    rows = [{"Leverage form": form, **{k: v[f].item() for k, v in sums.items()}} for f, form in enumerate(FORMS)]
    rows.append({"Leverage form": "Total", **{k: v.sum().item() for k, v in sums.items()}})
    return rows


def choose(plan: Plan, projection: Projection) -> Funding:
    """Verdicts, the recommended portfolio and the frontier for a plan (docs/model.md section 5)."""
    from .funding import fund

    s = plan.settings
    return fund(projection.risk_adjusted_npv, plan.column("upfront"), plan.column("maintenance"),
                projection.flags == RED, [i.decision for i in plan.initiatives], s.budget, s.capacity)


def rank(plan: Plan) -> Ranking:
    """Project, simulate, rank and choose for a validated plan, and hold its actuals against it."""
    from .simulation import sensitivity, simulate
    from .tracking import track

    projection = project(plan)
    tracking = None
    if plan.actuals is not None:
        tracking = track(plan, projection, plan.actuals)
        for i, warnings in zip(tracking.index.tolist(), tracking.warnings):
            projection.warnings[i] += warnings
    funding = choose(plan, projection)
    return Ranking(plan, projection, rank_order(projection, plan.settings.rank_by), simulate(plan, funding.chosen),
                   sensitivity(plan), tracking, funding)
