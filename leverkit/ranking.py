"""From a validated plan to everything the outputs show: projection, progress, choice, simulation, cash.

`rank` runs the model's parts in order (docs/model.md sections 2–8), each a
pure module of its own; `Ranking` holds what they found, in the plan's row
order, and the rank order over it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cash import CashView, cash_view, months_reached
from .funding import Funding, alternative_groups, fund, requirement_pairs
from .model import AMBER, GREEN, RED, Projection, project
from .plan import Plan, Step, months_between, quiet
from .schema import FORMS
from .simulation import Simulation, Swing, Where, calendar_draws, ranged_mask, sensitivity, simulate
from .tracking import NEW, Progress, Tracking, progress, track


@dataclass
class Ranking:
    """A plan with its projection and everything that follows from it.

    `order` holds indices into plan.initiatives in rank order; `value` is
    each initiative's value for the choice (risk-adjusted NPV when new,
    risk-adjusted forward value when started, 0 when finished); the
    simulation is None when off, the tracking None without an Actuals sheet,
    the cash view None for an empty portfolio.
    """

    plan: Plan
    projection: Projection
    order: np.ndarray
    progress: Progress
    value: np.ndarray
    funding: Funding
    simulation: Simulation | None = None
    swings: list[Swing] = field(default_factory=list)
    tracking: Tracking | None = None
    cash: CashView | None = None

    def ranked(self) -> list[tuple[int, Any, int]]:
        """(rank, initiative, index) in rank order."""
        items = self.plan.initiatives
        return [(rank, items[i], i) for rank, i in enumerate(self.order.tolist(), start=1)]

    def by_form(self) -> list[dict]:
        """Totals per leverage form over every initiative, every form listed, plus the total row."""
        return totals(self.plan, self.projection, self.value)

    def flag_counts(self) -> dict[str, int]:
        return {flag: int((self.projection.flags == flag).sum()) for flag in (RED, AMBER, GREEN)}

    @property
    def basis(self) -> np.ndarray:
        """Each initiative's value before Confidence: its NPV when new, its forward value when started (0
        when finished); the basis of the simulation's figures and the portfolio's spread."""
        return basis(self.projection, self.progress)

    @property
    def where(self) -> Where:
        """E and ρ of each initiative, as the draws take them."""
        return draws_where(self.progress)

    @property
    def ranges(self) -> int:
        """How many initiatives have ranges the draws vary, simulated or not (the others count as certain)."""
        return int(ranged_mask(self.plan.initiatives, self.progress.elapsed, self.plan.settings.horizon).sum())


def rank_order(projection: Projection, rank_by: str, value: np.ndarray | None = None) -> np.ndarray:
    """Indices in rank order; stable, so ties keep the input row order.

    Risk-adjusted NPV ranks by value (the risk-adjusted NPV when new, the
    risk-adjusted forward value when started); NPV and leverage multiple rank
    descending (an undefined multiple counts as infinite when there is gross
    value, else 0); payback ranks ascending with no payback last.

    >>> p = type("P", (), {"npv": np.array([5.0, 9, 5]), "payback": np.array([np.nan, 3, 2])})
    >>> rank_order(p, "NPV").tolist(), rank_order(p, "payback").tolist()
    ([1, 0, 2], [2, 1, 0])
    """
    if rank_by == "payback":
        key = np.where(np.isnan(projection.payback), np.inf, projection.payback)
    elif rank_by == "risk-adjusted NPV":
        key = -(projection.risk_adjusted_npv if value is None else value)
    else:
        key = -getattr(projection, {"NPV": "npv", "leverage multiple": "multiple_effective"}[rank_by])
    return np.argsort(key, kind="stable")


def totals(plan: Plan, projection: Projection, value: np.ndarray) -> list[dict]:
    """Sums by leverage form with np.bincount; one dict per form and a Total."""
    n = len(FORMS)
    codes = np.fromiter((FORMS.index(i.form) for i in plan.initiatives), dtype=int, count=len(plan.initiatives))
    sums = {
        "Initiatives": np.bincount(codes, minlength=n),
        "Upfront cost": np.bincount(codes, plan.column("upfront"), n),
        "Maintenance / month": np.bincount(codes, plan.column("maintenance"), n),
        "NPV": np.bincount(codes, projection.npv, n),
        "Risk-adjusted NPV": np.bincount(codes, projection.risk_adjusted_npv, n),
        "Value": np.bincount(codes, value, n),
        "Value at horizon": np.bincount(codes, projection.value_at_horizon, n),
        **{flag.capitalize(): np.bincount(codes[projection.flags == flag], minlength=n) for flag in (RED, AMBER, GREEN)},
    }
    rows = [{"Leverage form": form, **{k: v[f].item() for k, v in sums.items()}} for f, form in enumerate(FORMS)]
    rows.append({"Leverage form": "Total", **{k: v.sum().item() for k, v in sums.items()}})
    return rows


def basis(projection: Projection, where: Progress) -> np.ndarray:
    """NPV when new, forward value when started or finished: each initiative's value before Confidence."""
    return np.where(where.status == NEW, projection.npv, np.nan_to_num(where.forward))


def values(plan: Plan, projection: Projection, where: Progress) -> np.ndarray:
    """Each initiative's value: risk-adjusted NPV when new, Confidence × F when started, 0 when finished."""
    return basis(projection, where) * plan.column("confidence")


def choose(plan: Plan, projection: Projection, where: Progress, value: np.ndarray) -> Funding:
    """Verdicts, the recommended portfolio and the frontier for a plan (docs/model.md section 5)."""
    s = plan.settings
    return fund(value, plan.column("upfront"), plan.column("maintenance"),
                projection.flags == RED, [i.decision for i in plan.initiatives], s.budget, s.capacity,
                status=where.status.tolist(), requires=requirement_pairs([i.id for i in plan.initiatives],
                                                                          [i.requires for i in plan.initiatives]),
                groups=alternative_groups([i.group for i in plan.initiatives]),
                ids=[i.id for i in plan.initiatives], currency=s.currency)


def draws_where(where: Progress) -> Where:
    """E and ρ of each initiative as the draws and the cash view take them: a blank ρ counts as 1."""
    return Where(where.elapsed, np.nan_to_num(where.realisation, nan=1.0))


def _calendar(plan: Plan) -> np.ndarray:
    """Each initiative's month 1 as a calendar month after As of (1 = the month after)."""
    as_of = plan.settings.as_of
    return np.fromiter((1 if item.start is None else months_between(as_of, item.start) for item in plan.initiatives),
                       int, len(plan.initiatives))


def portfolio_cash(plan: Plan, projection: Projection, where: Progress, chosen: np.ndarray,
                   simulation: Simulation | None, step: Step | None = None) -> CashView | None:
    """The recommended portfolio's cash view (docs/model.md section 8), with its P10–P90 when simulated."""
    members = np.flatnonzero(chosen & ~where.finished)
    if members.size == 0:
        return None
    s = plan.settings
    rho = draws_where(where).realisation
    offset, elapsed = _calendar(plan)[members], where.elapsed[members]
    draws = None
    if simulation is not None:
        ranged = simulation.ranged[members]
        tick = (step or quiet)("the portfolio's cash, draw by draw", int(ranged.sum()))
        draws = (ranged, calendar_draws(plan.initiatives, s, members[ranged], simulation.where, offset[ranged],
                                        months_reached(offset, s.horizon), tick))
    return cash_view(s.as_of, s.fiscal_start, offset, elapsed, rho[members], plan.column("upfront")[members],
                     plan.column("maintenance")[members], projection.gross[members], draws)


def rank(plan: Plan, step: Step | None = None) -> Ranking:
    """Project, track, choose, simulate and rank a validated plan; `step` hears how the long steps advance."""
    projection = project(plan)
    tracking = track(plan, projection, plan.actuals) if plan.actuals is not None else None
    if tracking is not None:
        for i, warnings in zip(tracking.index.tolist(), tracking.warnings):
            projection.warnings[i] += warnings
    rho = tracking.realisation_of(len(plan.initiatives)) if tracking is not None else np.full(len(plan.initiatives), np.nan)
    where = progress(plan, projection, rho)
    value = values(plan, projection, where)
    funding = choose(plan, projection, where, value)
    simulation = simulate(plan, funding.chosen, draws_where(where), basis(projection, where), step)
    return Ranking(plan, projection, rank_order(projection, plan.settings.rank_by, value), where, value, funding,
                   simulation, sensitivity(plan), tracking,
                   portfolio_cash(plan, projection, where, funding.chosen, simulation, step))
