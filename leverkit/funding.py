"""What to fund: verdicts, the recommended portfolio and the efficient frontier (docs/model.md section 5).

Pure functions over plain arrays, one entry per valid initiative, so one
team's workbook and a batch's company-wide choice use the same code. The
choice is a knapsack: maximise Σ risk-adjusted NPV of the chosen
initiatives subject to Σ upfront ≤ Budget and Σ maintenance ≤ Monthly
capacity. It is solved exactly by scipy.optimize.milp (HiGHS, relative gap
0), never by a greedy rule; a linear-programming bound first settles the
initiatives that provably cannot change the optimum, so HiGHS only
branches over the few near the margin.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

FUND_DECIDED, SKIP_DECIDED = "fund (decided)", "skip (decided)"
DOES_NOT_PAY, FIX_FOUNDATION = "does not pay", "fix the foundation first"
FUND, DOES_NOT_FIT = "fund", "does not fit"

SOLVER_TIME_LIMIT = 60.0  # seconds for one fund() call, every solve included
TIME_LIMIT_NOTE = "the solver stopped at its time limit; this set may not be optimal"
FRONTIER_POINTS = 25
MIN_FRONTIER_POINTS = 20
FIT_TOLERANCE = 1e-9  # totals within a billionth of a limit fit it (floating-point sums)
TIE_TOLERANCE = 1e-10  # sets whose values differ by less than this share of the values at stake tie
CORE_START = 12  # initiatives nearest the margin that HiGHS first branches over


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
    optimal: bool  # False: some point stopped at the solver's time limit


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
    optimal: bool  # False: the solver stopped at its time limit (see TIME_LIMIT_NOTE)
    over_limits: list[OverLimit]
    frontier: Frontier | None  # only with a Budget

    @property
    def note(self) -> str:
        """What the writers show next to the portfolio: the time-limit caveat, or nothing."""
        proven = self.optimal and (self.frontier is None or self.frontier.optimal)
        return "" if proven else TIME_LIMIT_NOTE


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


def fits(total, limit) -> bool:
    """total ≤ limit, up to a billionth of the limit (floating-point sums differ by order).

    >>> fits(0.1 + 0.2, 0.3), fits(100.01, 100.0)
    (True, False)
    """
    return bool(np.all(np.asarray(total) <= np.asarray(limit) * (1 + FIT_TOLERANCE)))


def _greedy(costs: np.ndarray, room: np.ndarray, order: np.ndarray, rounds: int = 50) -> np.ndarray:
    """A feasible set: take initiatives in `order` while they fit; only a lower bound's seed."""
    chosen = np.zeros(costs.shape[1], bool)
    left = room.copy()
    for _ in range(rounds):
        candidates = order[~chosen[order] & (costs[:, order] <= left[:, None]).all(axis=0)]
        if candidates.size == 0:
            break
        running = (np.cumsum(costs[:, candidates], axis=1) <= left[:, None]).all(axis=0)
        chosen[candidates[: candidates.size if running.all() else np.argmin(running)]] = True
        left = room - costs[:, chosen].sum(axis=1)
    return chosen


def _solve_core(value, costs, room, core, fixed_in, deadline) -> tuple[np.ndarray | None, bool]:
    """Exact best set with `fixed_in` taken and only `core` open, and whether that is proven.

    None with proof: no set fits (the caller widens the core). HiGHS accepts
    rows broken by up to its feasibility tolerance; a set it returns that
    breaks a limit in exact sums is cut off and the solve repeated.
    """
    if not core.any():
        return (fixed_in, True) if fits(costs[:, fixed_in].sum(axis=1), room) else (None, True)
    left = room - costs[:, fixed_in].sum(axis=1)
    scale = 1e-6 / (TIE_TOLERANCE * value[core].sum())  # HiGHS's absolute gap 1e-6 → the tie tolerance
    rows = costs[:, core] / np.where(left > 0, left, 1.0)[:, None]
    upper = np.where(left > 0, 1.0, 0.0)
    cuts, cuts_upper = [], []
    while (remaining := deadline - time.perf_counter()) > 0:
        constraints = [LinearConstraint(rows, -np.inf, upper)]
        if cuts:
            constraints.append(LinearConstraint(np.array(cuts), -np.inf, np.array(cuts_upper)))
        result = milp(-value[core] * scale, integrality=np.ones(core.sum()), bounds=Bounds(0, 1),
                      constraints=constraints, options={"mip_rel_gap": 0, "time_limit": remaining})
        if result.x is None:
            return None, result.status == 2
        pick = result.x > 0.5
        chosen = fixed_in.copy()
        chosen[core] = pick
        if fits(costs[:, chosen].sum(axis=1), room):
            return chosen, result.status == 0
        cuts.append(np.where(pick, 1.0, -1.0))  # no-good cut: exclude exactly this set
        cuts_upper.append(pick.sum() - 1.0)
    return None, False


def duals(value, costs, room) -> np.ndarray:
    """Prices y ≥ 0 of the limits in the linear relaxation (any y ≥ 0 gives a valid bound; these the tightest).

    With one limit it is Dantzig's: sorted by value per cost, y is the ratio
    of the first initiative that no longer fits whole; with two, HiGHS's LP.

    >>> duals(np.array([60.0, 50, 40]), np.array([[30.0, 20, 20]]), np.array([40.0])).tolist()
    [2.0]
    """
    if costs.shape[0] == 1:
        cost = costs[0]
        ratio = np.divide(value, cost, out=np.full(value.size, np.inf), where=cost > 0)
        order = np.argsort(-ratio, kind="stable")
        critical = np.searchsorted(np.cumsum(cost[order]), room[0], side="right")
        return np.array([ratio[order[critical]] if critical < value.size else 0.0])
    for method in ("highs-ds", "highs-ipm"):  # the simplex now and then gives up on these; the interior point does not
        lp = linprog(-value, A_ub=costs / room[:, None], b_ub=np.ones(room.size), bounds=(0, 1), method=method)
        if lp.status == 0:
            return np.maximum(-lp.ineqlin.marginals, 0) / room
    return np.zeros(room.size)


def best_set(value, costs, room, deadline: float | None = None) -> tuple[np.ndarray, bool]:
    """The set maximising Σ value subject to costs @ x ≤ room, x in {0, 1}; and whether it is proven optimal.

    value > 0 (n,), costs ≥ 0 (k, n), room ≥ 0 (k,). With prices y ≥ 0 of the
    limits, the reduced values d = value − yᵀcosts bound every feasible set by
    U = Σ max(d, 0) + yᵀroom minus the |d| of each initiative on the "wrong"
    side; so with a feasible set worth L, an initiative with |d| > U − L is
    settled (in when d > 0) and HiGHS solves only the rest, exactly. The rest
    starts with the CORE_START nearest the margin and widens until the bound
    proves no settled initiative could change the optimum.

    >>> chosen, proven = best_set(np.array([60.0, 50, 40]), np.array([[30.0, 20, 20]]), np.array([40.0]))
    >>> chosen.tolist(), proven
    ([False, True, True], True)
    """
    deadline = time.perf_counter() + SOLVER_TIME_LIMIT if deadline is None else deadline
    value, costs, room = np.asarray(value, float), np.atleast_2d(np.asarray(costs, float)), np.asarray(room, float)
    chosen = np.zeros(value.size, bool)
    fitting = np.flatnonzero((costs <= room[:, None] * (1 + FIT_TOLERANCE)).all(axis=0))
    v, a = value[fitting], costs[:, fitting]
    if fits(a.sum(axis=1), room):
        chosen[fitting] = True
        return chosen, True
    active = (a > 0).any(axis=1)
    a, b = a[active], room[active]
    y = duals(v, a, b)
    d = v - y @ a
    bound = np.maximum(d, 0).sum() + y @ b
    slack = 1e-9 * (abs(bound) + v.sum())  # rounding in d and the bound: settle fewer, never wrongly
    best = _greedy(a, b, np.argsort(-d, kind="stable"))
    margin = np.sort(np.abs(d))
    size = CORE_START
    while True:
        gap = min(bound - v[best].sum(), margin[min(size, d.size) - 1])
        core = np.abs(d) <= gap + slack
        found, proven = _solve_core(v, a, b, core, ~core & (d > 0), deadline)
        if found is not None and v[found].sum() > v[best].sum():
            best = found
        if not proven or core.all() or gap >= bound - v[best].sum():
            break
        size = 2 * core.sum() if found is None else d.size
    chosen[fitting[best]] = True
    return chosen, proven


def _room(limit: float | None, decided: float) -> float:
    """What a limit leaves after the "fund" decisions (inf without a limit, 0 when they overrun it)."""
    return np.inf if limit is None else max(limit - decided, 0.0)


def _choose(value, upfront, maintenance, budget_room: float, capacity_room: float, deadline: float):
    """best_set over the limits that exist."""
    limits = [(c, r) for c, r in ((upfront, budget_room), (maintenance, capacity_room)) if np.isfinite(r)]
    return best_set(value, np.array([c for c, _ in limits]).reshape(len(limits), -1),
                     np.array([r for _, r in limits]), deadline)


def frontier(value, upfront, maintenance, capacity_room: float, decided_value: float, decided_upfront: float,
             points: int = FRONTIER_POINTS, deadline: float | None = None, threads: int | None = None) -> Frontier:
    """Best Σ value (decisions included) at evenly spaced budgets, each solved exactly.

    Over the eligible initiatives (value, upfront, maintenance) with
    S = Σ upfront and B_min = the decided upfront: budgets
    B_k = B_min + k · S / (points − 1), k = 0..points − 1 (one point when S = 0);
    value_k = decided value + the best Σ value with Σ upfront ≤ B_k − B_min
    and Σ maintenance ≤ capacity_room. The points are solved on `threads`
    threads (default: one per core).

    >>> f = frontier(np.array([60.0, 50, 40]), np.array([30.0, 20, 20]), np.zeros(3), np.inf, 10.0, 5.0, points=21)
    >>> f.budgets[[0, 6, 12, 20]].round(6).tolist(), f.values[[0, 6, 12, 20]].tolist()
    ([5.0, 26.0, 47.0, 75.0], [10.0, 60.0, 100.0, 160.0])
    """
    deadline = time.perf_counter() + SOLVER_TIME_LIMIT if deadline is None else deadline
    value, upfront, maintenance = (np.asarray(x, float) for x in (value, upfront, maintenance))
    span = upfront.sum()
    budgets = decided_upfront + span * np.linspace(0.0, 1.0, points if span > 0 else 1)

    def best(budget: float) -> tuple[float, bool]:
        chosen, proven = _choose(value, upfront, maintenance, budget - decided_upfront, capacity_room, deadline)
        return decided_value + value[chosen].sum(), proven

    with ThreadPoolExecutor(threads or os.cpu_count() or 1) as pool:  # HiGHS releases the GIL
        values, proven = zip(*pool.map(best, budgets))
    return Frontier(budgets, np.array(values), all(proven))


def fund(value, upfront, maintenance, red, decision, budget: float | None = None, capacity: float | None = None,
         frontier_points: int = FRONTIER_POINTS, threads: int | None = None) -> Funding:
    """The recommended portfolio, every verdict and (with a Budget) the efficient frontier.

    value is the risk-adjusted NPV, upfront and maintenance the medians, red
    the red flag, decision "fund", "skip" or "" per initiative. The "fund"
    decisions are always in and use the limits first; then, among the
    eligible (value > 0, not red, no decision), the set maximising Σ value
    with Σ upfront ≤ Budget and Σ maintenance ≤ capacity. Without either
    limit every eligible initiative is in. If the decisions alone overrun a
    limit, nothing else is chosen and over_limits says by how much.

    >>> f = fund([60.0, 50, 40, -5, 70], [30.0, 20, 20, 10, 40], [0.0, 0, 0, 0, 0],
    ...          [False, False, False, False, True], ["", "", "", "fund", ""], budget=50.0)
    >>> f.verdicts
    ['does not fit', 'fund', 'fund', 'fund (decided)', 'fix the foundation first']
    >>> f.value, f.upfront, f.budget_left, f.optimal, len(f.frontier.budgets)
    (85.0, 50.0, 0.0, True, 25)
    """
    if frontier_points < MIN_FRONTIER_POINTS:
        raise ValueError(f"the frontier needs at least {MIN_FRONTIER_POINTS} points, not {frontier_points}")
    deadline = time.perf_counter() + SOLVER_TIME_LIMIT
    value, upfront, maintenance = (np.asarray(x, float) for x in (value, upfront, maintenance))
    decision = np.asarray(decision, dtype=object)
    open_ = eligible(value, red, decision)
    decided = decision == "fund"
    decided_upfront, decided_upkeep = upfront[decided].sum(), maintenance[decided].sum()
    over = [OverLimit(name, float(used), float(limit)) for name, used, limit in
            (("Budget", decided_upfront, budget), ("Monthly capacity", decided_upkeep, capacity))
            if limit is not None and not fits(used, limit)]
    chosen, optimal = decided.copy(), True
    if budget is None and capacity is None:
        chosen |= open_
    elif not over:
        picked, optimal = _choose(value[open_], upfront[open_], maintenance[open_],
                                  _room(budget, decided_upfront), _room(capacity, decided_upkeep), deadline)
        chosen[np.flatnonzero(open_)[picked]] = True
    curve = None
    if budget is not None:
        buyable = open_ & (capacity is None or fits(decided_upkeep, capacity))
        curve = frontier(value[buyable], upfront[buyable], maintenance[buyable], _room(capacity, decided_upkeep),
                         float(value[decided].sum()), float(decided_upfront), frontier_points, deadline, threads)
    spent, upkeep = upfront[chosen].sum(), maintenance[chosen].sum()
    return Funding(
        chosen=chosen,
        verdicts=verdicts(value, red, decision, chosen),
        upfront=float(spent),
        maintenance=float(upkeep),
        value=float(value[chosen].sum()),
        budget=budget,
        capacity=capacity,
        budget_left=None if budget is None else float(budget - spent),
        capacity_left=None if capacity is None else float(capacity - upkeep),
        optimal=optimal,
        over_limits=over,
        frontier=curve,
    )
