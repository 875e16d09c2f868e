"""What to fund: verdicts, the recommended portfolio and the efficient frontier (docs/model.md section 5).

Pure functions over plain arrays, one entry per valid initiative, so one
team's workbook and a batch's company-wide choice use the same code. The
choice is a knapsack: maximise Σ risk-adjusted NPV of the chosen
initiatives subject to Σ upfront ≤ Budget and Σ maintenance ≤ Monthly
capacity, solved exactly by leverkit.solver, never by a greedy rule. The
solver counts its effort in work, not seconds; when a hard choice uses up
the work first, the set shown comes with how far below the best possible it
can be (Funding.bound, Frontier.bounds).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import solver
from .solver import fits

FUND_DECIDED, SKIP_DECIDED = "fund (decided)", "skip (decided)"
DOES_NOT_PAY, FIX_FOUNDATION = "does not pay", "fix the foundation first"
FUND, DOES_NOT_FIT = "fund", "does not fit"

FUND_WORK = solver.DEFAULT_WORK  # work for one fund() call: the recommended portfolio first, then the frontier
TIME_LIMIT_NOTE = "the solver stopped at its work limit; this set may not be optimal"
FRONTIER_POINTS = 25
MIN_FRONTIER_POINTS = 20


@dataclass(frozen=True)
class OverLimit:
    """The "fund" decisions alone need more than a limit allows."""

    limit: str  # "Budget" or "Monthly capacity"
    decided: float  # Σ upfront (or maintenance) of the "fund" decisions
    available: float  # the Budget (or capacity)

    def sentence(self, currency: str = "") -> str:
        """The problem in plain words for the Issues sheet.

        >>> OverLimit("Budget", 60000.0, 50000.0).sentence("USD")
        'the fund decisions alone need USD 60,000 upfront, over the Budget of USD 50,000; nothing else is chosen'
        """
        unit = f"{currency} " if currency else ""
        what = "upfront" if self.limit == "Budget" else "a month in maintenance"
        return (f"the fund decisions alone need {unit}{self.decided:,.0f} {what}, over the {self.limit} "
                f"of {unit}{self.available:,.0f}; nothing else is chosen")


@dataclass(frozen=True)
class Frontier:
    """Best achievable Σ risk-adjusted NPV at evenly spaced budgets."""

    budgets: np.ndarray
    values: np.ndarray
    optimal: bool  # False: some point is not proven the best (the solver's work ran out)
    bounds: np.ndarray  # no set at each budget is worth more; equal to values where proven
    work: int  # the solver's work units spent on every point


@dataclass(frozen=True)
class Funding:
    """The choice for a set of initiatives, in their input order."""

    chosen: np.ndarray  # bool per initiative: in the recommended portfolio
    verdicts: list[str]
    upfront: float  # Σ over the chosen
    maintenance: float
    value: float  # Σ risk-adjusted NPV of the chosen
    budget: float | None
    capacity: float | None
    budget_left: float | None  # Budget − upfront; None without a Budget
    capacity_left: float | None
    optimal: bool  # False: the solver's work ran out before it proved this set the best (see note)
    over_limits: list[OverLimit]
    frontier: Frontier | None  # only with a Budget
    bound: float  # no portfolio within the limits is worth more; equal to value when optimal
    work: int  # the solver's work units spent on the portfolio and the frontier

    @property
    def note(self) -> str:
        """What the writers show next to the portfolio: how far from the best possible it may be, or nothing.

        >>> from dataclasses import replace
        >>> f = fund([60.0, 50, 40], [30.0, 20, 20], [0.0, 0, 0], [False] * 3, [""] * 3, budget=40.0)
        >>> f.note, replace(f, optimal=False, bound=91.0).note
        ('', 'not proven optimal: at most 1 (1.1%) below the best possible')
        """
        notes = []
        if not self.optimal:
            notes.append(f"not proven optimal: {_shortfall(self.bound - self.value, self.bound)}")
        if self.frontier is not None and not self.frontier.optimal:
            gaps = self.frontier.bounds - self.frontier.values
            worst = int(np.argmax(gaps))
            notes.append(f"frontier not proven optimal: a point {_shortfall(gaps[worst], self.frontier.bounds[worst])}")
        return "; ".join(notes)


def _shortfall(gap: float, bound: float) -> str:
    """How far below the best possible, in money and as a share of it.

    >>> _shortfall(1234.0, 150_000.0), _shortfall(12.0, 150_000.0)
    ('at most 1,234 (0.8%) below the best possible', 'at most 12 (under 0.1%) below the best possible')
    """
    share = gap / abs(bound) if bound else 1.0
    return f"at most {gap:,.0f} ({f'{share:.1%}' if share >= 0.001 else 'under 0.1%'}) below the best possible"


def verdicts(value, red, decision, chosen) -> list[str]:
    """Every initiative's verdict, the first rule that applies winning.

    fund/skip decided → "fund (decided)"/"skip (decided)"; value ≤ 0 → "does
    not pay"; red → "fix the foundation first"; chosen → "fund"; else "does
    not fit" (eligible, but left out by the Budget or capacity).

    >>> verdicts([5.0, -1, 3, 4, 4, -2], [False, False, True, False, False, True],
    ...          ["", "", "", "", "", "fund"], [False, False, False, True, False, True])
    ['does not fit', 'does not pay', 'fix the foundation first', 'fund', 'does not fit', 'fund (decided)']
    """
    decision = np.asarray(decision, dtype=object)
    value = np.asarray(value, dtype=float)
    conditions = [decision == "fund", decision == "skip", value <= 0, np.asarray(red, bool), np.asarray(chosen, bool)]
    labels = [FUND_DECIDED, SKIP_DECIDED, DOES_NOT_PAY, FIX_FOUNDATION, FUND]
    return np.select(conditions, labels, DOES_NOT_FIT).tolist()


def eligible(value, red, decision) -> np.ndarray:
    """Initiatives leverkit may choose: risk-adjusted NPV > 0, flag not red, no Decision.

    >>> eligible([1.0, 1, 1, 0], [False, True, False, False], ["", "", "skip", ""]).tolist()
    [True, False, False, False]
    """
    return (np.asarray(value, float) > 0) & ~np.asarray(red, bool) & (np.asarray(decision, dtype=object) == "")


def _room(limit: float | None, decided: float) -> float:
    """What a limit leaves after the "fund" decisions (inf without a limit, 0 when they overrun it)."""
    return np.inf if limit is None else max(limit - decided, 0.0)


def _choose(value, upfront, maintenance, budget_room: float, capacity_room: float, work: int,
            start: np.ndarray | None = None) -> solver.Solution:
    """The best set within the rooms (inf: no limit), warm-started from `start` (a set that fits)."""
    problem = solver.Problem(value, np.vstack([upfront, maintenance]), [budget_room, capacity_room])
    return solver.solve(problem, work, start)


def frontier(value, upfront, maintenance, capacity_room: float, decided_value: float, decided_upfront: float,
             points: int = FRONTIER_POINTS, work: int = FUND_WORK) -> Frontier:
    """Best Σ value (decisions included) at evenly spaced budgets, each solved exactly.

    Over the eligible initiatives (value, upfront, maintenance) with
    S = Σ upfront and B_min = the decided upfront: budgets
    B_k = B_min + k · S / (points − 1), k = 0..points − 1 (one point when S = 0);
    value_k = decided value + the best Σ value with Σ upfront ≤ B_k − B_min
    and Σ maintenance ≤ capacity_room. Each point starts from the set found
    at the budget before it (it still fits) and gets an equal share of the
    work still left.

    >>> f = frontier(np.array([60.0, 50, 40]), np.array([30.0, 20, 20]), np.zeros(3), np.inf, 10.0, 5.0, points=21)
    >>> f.budgets[[0, 6, 12, 20]].round(6).tolist(), f.values[[0, 6, 12, 20]].tolist(), f.optimal
    ([5.0, 26.0, 47.0, 75.0], [10.0, 60.0, 100.0, 160.0], True)
    """
    value, upfront, maintenance = (np.asarray(x, float) for x in (value, upfront, maintenance))
    span = upfront.sum()
    budgets = decided_upfront + span * np.linspace(0.0, 1.0, points if span > 0 else 1)
    chosen, solved = None, []
    for k, budget in enumerate(budgets):
        best = _choose(value, upfront, maintenance, budget - decided_upfront, capacity_room,
                       max(work - sum(s.work for s in solved), 0) // (budgets.size - k), chosen)
        chosen = best.chosen
        solved.append(best)
    return Frontier(budgets, np.array([decided_value + s.value for s in solved]), all(s.proven for s in solved),
                    np.array([decided_value + s.bound for s in solved]), sum(s.work for s in solved))


def fund(value, upfront, maintenance, red, decision, budget: float | None = None, capacity: float | None = None,
         frontier_points: int = FRONTIER_POINTS, work: int = FUND_WORK) -> Funding:
    """The recommended portfolio, every verdict and (with a Budget) the efficient frontier.

    value is the risk-adjusted NPV, upfront and maintenance the medians, red
    the red flag, decision "fund", "skip" or "" per initiative. The "fund"
    decisions are always in and use the limits first; then, among the
    eligible (value > 0, not red, no decision), the set maximising Σ value
    with Σ upfront ≤ Budget and Σ maintenance ≤ capacity. Without either
    limit every eligible initiative is in. If the decisions alone overrun a
    limit, nothing else is chosen and over_limits says by how much. The
    solver spends `work` on the recommended portfolio first and what is
    left on the frontier.

    >>> f = fund([60.0, 50, 40, -5, 70], [30.0, 20, 20, 10, 40], [0.0, 0, 0, 0, 0],
    ...          [False, False, False, False, True], ["", "", "", "fund", ""], budget=50.0)
    >>> f.verdicts
    ['does not fit', 'fund', 'fund', 'fund (decided)', 'fix the foundation first']
    >>> f.value, f.upfront, f.budget_left, f.optimal, f.bound, len(f.frontier.budgets)
    (85.0, 50.0, 0.0, True, 85.0, 25)
    """
    if frontier_points < MIN_FRONTIER_POINTS:
        raise ValueError(f"the frontier needs at least {MIN_FRONTIER_POINTS} points, not {frontier_points}")
    value, upfront, maintenance = (np.asarray(x, float) for x in (value, upfront, maintenance))
    decision = np.asarray(decision, dtype=object)
    open_ = eligible(value, red, decision)
    decided = decision == "fund"
    decided_upfront, decided_upkeep = upfront[decided].sum(), maintenance[decided].sum()
    over = [OverLimit(name, float(used), float(limit)) for name, used, limit in
            (("Budget", decided_upfront, budget), ("Monthly capacity", decided_upkeep, capacity))
            if limit is not None and not fits(used, limit)]
    chosen, optimal, shortfall, worked = decided.copy(), True, 0.0, 0
    if budget is None and capacity is None:
        chosen |= open_
    elif not over:
        best = _choose(value[open_], upfront[open_], maintenance[open_], _room(budget, decided_upfront),
                       _room(capacity, decided_upkeep), work)
        chosen[np.flatnonzero(open_)[best.chosen]] = True
        optimal, shortfall, worked = best.proven, best.gap, best.work
    curve = None
    if budget is not None:
        buyable = open_ & (capacity is None or fits(decided_upkeep, capacity))
        curve = frontier(value[buyable], upfront[buyable], maintenance[buyable], _room(capacity, decided_upkeep),
                         float(value[decided].sum()), float(decided_upfront), frontier_points, max(work - worked, 0))
    spent, upkeep, worth = upfront[chosen].sum(), maintenance[chosen].sum(), float(value[chosen].sum())
    return Funding(
        chosen=chosen,
        verdicts=verdicts(value, red, decision, chosen),
        upfront=float(spent),
        maintenance=float(upkeep),
        value=worth,
        budget=budget,
        capacity=capacity,
        budget_left=None if budget is None else float(budget - spent),
        capacity_left=None if capacity is None else float(capacity - upkeep),
        optimal=optimal,
        over_limits=over,
        frontier=curve,
        bound=worth + shortfall,
        work=worked + (curve.work if curve is not None else 0),
    )
