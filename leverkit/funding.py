"""What to fund: verdicts, the recommended portfolio and the efficient frontier (docs/model.md section 5).

Pure functions over plain arrays, one entry per valid initiative, so one
team's workbook and a batch's company-wide choice use the same code. The
choice is a knapsack: maximise Σ risk-adjusted NPV of the chosen
initiatives subject to Σ upfront ≤ Budget and Σ maintenance ≤ Monthly
capacity. It is solved exactly, never by a greedy rule: a linear-programming
bound first settles the initiatives that provably cannot change the
optimum, then a bounded dynamic programme (numpy, every partial set whose
bound could still beat the best known set kept) searches the few near the
margin. A core too large for it goes to scipy.optimize.milp (HiGHS,
relative gap 0).
"""
from __future__ import annotations

import functools
import os
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np

FUND_DECIDED, SKIP_DECIDED = "fund (decided)", "skip (decided)"
DOES_NOT_PAY, FIX_FOUNDATION = "does not pay", "fix the foundation first"
FUND, DOES_NOT_FIT = "fund", "does not fit"

SOLVER_TIME_LIMIT = 60.0  # seconds for one fund() call, every solve included
TIME_LIMIT_NOTE = "the solver stopped at its time limit; this set may not be optimal"
FRONTIER_POINTS = 25
MIN_FRONTIER_POINTS = 20
FIT_TOLERANCE = 1e-9  # totals within a billionth of a limit fit it (floating-point sums)
TIE_TOLERANCE = 1e-10  # sets whose values differ by less than this share of the values at stake tie
CORE_START = 16  # initiatives nearest the margin searched first, to find a set close to the best
SEARCH_STATES = 1_000_000  # partial sets the exact search keeps at once before handing its core to HiGHS
DOMINANCE_REACH = 8  # with two limits, neighbours each partial set is compared with
DUAL_STEPS = 40  # golden-section steps for the prices of two limits


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


class _QuietStdout:
    """Send file descriptor 1 to the null device while HiGHS runs.

    HiGHS prints some messages (e.g. "HighsMipSolverData::...") with C's
    printf, below Python's sys.stdout, so only redirecting the descriptor
    keeps them off the user's terminal. Nested and concurrent uses share one
    redirection; without a usable descriptor 1 nothing is redirected.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None
        import ctypes

        try:
            self._flush_c = ctypes.CDLL(None).fflush if os.name == "posix" else ctypes.CDLL("ucrtbase").fflush
        except (OSError, AttributeError):
            self._flush_c = None

    def _flush(self) -> None:
        for stream in (sys.stdout, sys.__stdout__):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        if self._flush_c is not None:
            self._flush_c(None)

    def __enter__(self) -> None:
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._flush()
                try:
                    self._saved = os.dup(1)
                except OSError:  # no descriptor 1: nothing can reach a terminal
                    return
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, 1)
                os.close(null)

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._saved is not None:
                self._flush()
                os.dup2(self._saved, 1)
                os.close(self._saved)
                self._saved = None


@functools.lru_cache(maxsize=1)
def _quiet() -> _QuietStdout:
    """The one redirection every HiGHS call shares, made when first needed."""
    return _QuietStdout()


def _solve_core(value, costs, room, core, fixed_in, deadline) -> tuple[np.ndarray | None, bool]:
    """Exact best set with `fixed_in` taken and only `core` open, by HiGHS, and whether that is proven.

    None with proof: no set fits, or none beats what the caller has. HiGHS
    accepts rows broken by up to its feasibility tolerance; a set it returns
    that breaks a limit in exact sums is cut off and the solve repeated.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # only here: importing scipy takes longer than a report

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
        with _quiet():
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


def _dantzig(value, weight, rate, undecided, room) -> np.ndarray:
    """Dantzig's bound per room over items sorted by value per weight (rate), best first: the undecided ones whole while they fit, the next in part."""
    weights = np.concatenate([[0.0], np.cumsum(np.where(undecided, weight, 0.0))])
    values = np.concatenate([[0.0], np.cumsum(np.where(undecided, value, 0.0))])
    rates = np.append(np.where(undecided, rate, 0.0), 0.0)
    whole = np.searchsorted(weights, room, side="right") - 1
    return values[whole] + (room - weights[whole]) * rates[whole]


def _dominated(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Partial sets another one beats: no more of any limit used, at least as much value.

    One limit: exact (sorted by weight, each must beat every lighter one).
    More: sorted by value, each is compared with the DOMINANCE_REACH before
    it — a few dominated ones may stay, an undominated one never goes.
    """
    out = np.zeros(values.size, bool)
    if weights.shape[0] == 1:
        order = np.lexsort((-values, weights[0]))
        ranked = values[order]
        out[order[ranked <= np.maximum.accumulate(np.concatenate([[-np.inf], ranked[:-1]]))]] = True
        return out
    order = np.lexsort((*weights[::-1], -values))
    ranked, used = values[order], weights[:, order]
    for step in range(1, min(DOMINANCE_REACH, values.size - 1) + 1):  # an earlier one never loses to a later one
        beaten = ranked[:-step] >= ranked[step:]
        for row in used:
            beaten &= row[:-step] <= row[step:]
        out[step:] |= beaten
    return out[np.argsort(order)]


def _search(value, costs, limit, base, reduced, lower, rows, deadline) -> tuple[np.ndarray | None, bool, bool]:
    """Exact best subset of the core items on top of `base`, better than `lower`, by bounded dynamic programming.

    Items are decided one at a time; a partial set is dropped when its
    bound (its value + the least of Dantzig's bounds for the undecided items
    under each relaxation row) is below the best complete set known, or
    when another partial set dominates it. Completing each partial set with
    the undecided items by reduced value, as far as they fit, gives complete
    sets that raise the best known early. Returns (the core items chosen, or
    None when nothing beats `lower`; proven; gave up: more than
    SEARCH_STATES partial sets at once).
    """
    n = costs.shape[1]
    relaxations = []
    for weight in rows @ costs:
        rate = np.divide(value, weight, out=np.zeros(n), where=weight > 0)  # weightless items never end a fill
        order = np.argsort(-np.where(weight > 0, rate, np.inf), kind="stable")
        relaxations.append((order, value[order], weight[order], rate[order]))
    by_reduced = np.argsort(-reduced, kind="stable")
    weights, values = base[0][:, None], np.array([base[1]])
    if not (weights[:, 0] <= limit).all():
        return None, True, False
    if n == 0:
        return (np.zeros(0, bool) if base[1] > lower else None), True, False
    start, slack = lower, 1e-12 * (abs(lower) + abs(base[1]) + value.sum())
    parents, took = [], []

    def completion(weights, decided: int) -> tuple[np.ndarray, np.ndarray]:
        """How many of the undecided items, by reduced value, each partial set can still take, and their value."""
        open_ = by_reduced >= decided
        spent = np.cumsum(np.where(open_, costs[:, by_reduced], 0.0), axis=1)
        taken = np.min([np.searchsorted(s, r, side="right") for s, r in zip(spent, limit[:, None] - weights)], axis=0)
        return taken, np.concatenate([[0.0], np.cumsum(np.where(open_, value[by_reduced], 0.0))])[taken]

    for i in range(n):
        fit = np.flatnonzero((weights + costs[:, i:i + 1] <= limit[:, None]).all(axis=0))
        before, parent = values.size, np.concatenate([np.arange(values.size), fit])
        weights = np.hstack([weights, weights[:, fit] + costs[:, i:i + 1]])
        values = np.concatenate([values, values[fit] + value[i]])
        lower = max(lower, (values + completion(weights, i + 1)[1]).max())
        room = np.maximum(rows @ (limit[:, None] - weights), 0.0)
        bound = values + np.min([_dantzig(v, w, rate, order > i, r)
                                 for (order, v, w, rate), r in zip(relaxations, room)], axis=0)
        keep = bound >= lower - slack
        keep[keep] = ~_dominated(weights[:, keep], values[keep])
        kept = np.flatnonzero(keep)
        weights, values = weights[:, kept], values[kept]
        parents.append(parent[kept])
        took.append(kept >= before)
        if values.size == 0:  # no partial set can beat `lower`
            return None, True, False
        if values.size > SEARCH_STATES:
            return None, False, True
        if time.perf_counter() > deadline or i == n - 1:
            taken, extra = completion(weights, i + 1)
            state = int(np.argmax(values + extra))
            if values[state] + extra[state] <= start:
                return None, i == n - 1, False
            chosen = np.zeros(n, bool)
            chosen[by_reduced[:taken[state]]] = True  # the decided ones among them are set below
            for j in range(i, -1, -1):
                chosen[j], state = took[j][state], parents[j][state]
            return chosen, i == n - 1, False
    return None, True, False


def _price(value, cost, room: float) -> float:
    """Dantzig's price of one limit: the value per cost of the first initiative, best ratio first, that no longer fits whole."""
    ratio = np.divide(value, cost, out=np.full(value.size, np.inf), where=cost > 0)
    order = np.argsort(-ratio, kind="stable")
    critical = np.searchsorted(np.cumsum(cost[order]), room, side="right")
    return float(ratio[order[critical]]) if critical < value.size else 0.0


def duals(value, costs, room) -> np.ndarray:
    """Prices y ≥ 0 of the limits minimising the bound U(y) = Σ max(value − yᵀcosts, 0) + yᵀroom.

    Any y ≥ 0 gives a valid bound; the minimum is the linear relaxation's.
    With one limit it is Dantzig's: sorted by value per cost, y is the ratio
    of the first initiative that no longer fits whole. With two, U is convex
    in y₂ once y₁ is Dantzig's for the values less y₂ · cost₂, so a
    golden-section search over y₂ finds it (to DUAL_STEPS halvings, near
    enough: a less tight bound only leaves the search more to do); with
    more, HiGHS's LP.

    >>> duals(np.array([60.0, 50, 40]), np.array([[30.0, 20, 20]]), np.array([40.0])).tolist()
    [2.0]
    """
    if costs.shape[0] == 1:
        return np.array([_price(value, costs[0], room[0])])
    if costs.shape[0] == 2:
        def bound(second: float) -> tuple[float, float]:
            reduced = value - second * costs[1]
            paying = reduced > 0
            first = _price(reduced[paying], costs[0, paying], room[0])
            return np.maximum(reduced - first * costs[0], 0).sum() + first * room[0] + second * room[1], first

        low, high = 0.0, float(np.max(value / np.where(costs[1] > 0, costs[1], np.inf)))
        golden = (np.sqrt(5) - 1) / 2
        inner, outer = high - golden * (high - low), low + golden * (high - low)
        at_inner, at_outer = bound(inner)[0], bound(outer)[0]
        for _ in range(DUAL_STEPS):
            if at_inner <= at_outer:
                high, outer, at_outer = outer, inner, at_inner
                inner = high - golden * (high - low)
                at_inner = bound(inner)[0]
            else:
                low, inner, at_inner = inner, outer, at_outer
                outer = low + golden * (high - low)
                at_outer = bound(outer)[0]
        second = min((low, high, inner, outer), key=lambda y: bound(y)[0])
        return np.array([bound(second)[1], second])
    from scipy.optimize import linprog

    for method in ("highs-ds", "highs-ipm"):  # the simplex now and then gives up on these; the interior point does not
        with _quiet():
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
    settled (in when d > 0) and only the rest, the core, is searched, exactly:
    first the CORE_START nearest the margin (to find a set close to the
    best), then every initiative the bound leaves open. The search is a
    bounded dynamic programme over the core; HiGHS takes a core it finds
    too large.

    >>> chosen, proven = best_set(np.array([60.0, 50, 40]), np.array([[30.0, 20, 20]]), np.array([40.0]))
    >>> chosen.tolist(), proven
    ([False, True, True], True)
    """
    return _best_set(value, costs, room, deadline, None)


def _best_set(value, costs, room, deadline: float | None, start: np.ndarray | None) -> tuple[np.ndarray, bool]:
    """best_set, also trying `start` (a set known to fit) as the first lower bound."""
    deadline = time.perf_counter() + SOLVER_TIME_LIMIT if deadline is None else deadline
    value, costs, room = np.asarray(value, float), np.atleast_2d(np.asarray(costs, float)), np.asarray(room, float)
    chosen = np.zeros(value.size, bool)
    limit = room * (1 + FIT_TOLERANCE)
    fitting = np.flatnonzero((costs <= limit[:, None]).all(axis=0))
    v, a = value[fitting], costs[:, fitting]
    if fits(a.sum(axis=1), room):
        chosen[fitting] = True
        return chosen, True
    active = (a > 0).any(axis=1)
    a, b, limit = a[active], room[active], limit[active]
    y = duals(v, a, b)
    d = v - y @ a
    bound = np.maximum(d, 0).sum() + y @ b
    slack = 1e-9 * (abs(bound) + v.sum())  # rounding in d and the bound: settle fewer, never wrongly
    best = _greedy(a, b, np.argsort(-d, kind="stable"))
    if start is not None and v[start[fitting]].sum() > v[best].sum():
        best = start[fitting]
    rows = np.vstack([np.eye(a.shape[0])] + ([y] if a.shape[0] > 1 and (y > 0).all() else []))
    margin = np.sort(np.abs(d))
    size = CORE_START if np.count_nonzero(margin <= bound - v[best].sum() + slack) > 2 * CORE_START else d.size
    while True:
        lower = v[best].sum()
        reach = min(bound - lower, margin[min(size, d.size) - 1])
        core = np.abs(d) <= reach + slack
        fixed_in = ~core & (d > 0)
        items = np.flatnonzero(core)
        items = items[np.argsort(-np.abs(d[items]), kind="stable")]  # the clearest first: their wrong side dies at once
        picked, proven, too_large = _search(v[items], a[:, items], limit, (a[:, fixed_in].sum(axis=1), v[fixed_in].sum()),
                                            d[items], lower, rows, deadline)
        found = None if picked is None else fixed_in.copy()
        if too_large:
            found, proven = _solve_core(v, a, b, core, fixed_in, deadline)
        elif picked is not None:
            found[items] = picked
        if found is not None and v[found].sum() > lower:
            best = found
        if not proven or core.all() or reach >= bound - v[best].sum():
            break
        size = d.size
    chosen[fitting[best]] = True
    return chosen, proven


def _room(limit: float | None, decided: float) -> float:
    """What a limit leaves after the "fund" decisions (inf without a limit, 0 when they overrun it)."""
    return np.inf if limit is None else max(limit - decided, 0.0)


def _choose(value, upfront, maintenance, budget_room: float, capacity_room: float, deadline: float,
            start: np.ndarray | None = None):
    """best_set over the limits that exist, trying `start` (a set that fits) first."""
    limits = [(c, r) for c, r in ((upfront, budget_room), (maintenance, capacity_room)) if np.isfinite(r)]
    return _best_set(value, np.array([c for c, _ in limits]).reshape(len(limits), -1),
                     np.array([r for _, r in limits]), deadline, start)


def frontier(value, upfront, maintenance, capacity_room: float, decided_value: float, decided_upfront: float,
             points: int = FRONTIER_POINTS, deadline: float | None = None, threads: int | None = None) -> Frontier:
    """Best Σ value (decisions included) at evenly spaced budgets, each solved exactly.

    Over the eligible initiatives (value, upfront, maintenance) with
    S = Σ upfront and B_min = the decided upfront: budgets
    B_k = B_min + k · S / (points − 1), k = 0..points − 1 (one point when S = 0);
    value_k = decided value + the best Σ value with Σ upfront ≤ B_k − B_min
    and Σ maintenance ≤ capacity_room. Each point starts from the set found
    at the budget before it (it still fits); `threads` > 1 splits the points
    into that many runs side by side (default 1: the search is mostly
    Python, so threads mainly contend for the interpreter).

    >>> f = frontier(np.array([60.0, 50, 40]), np.array([30.0, 20, 20]), np.zeros(3), np.inf, 10.0, 5.0, points=21)
    >>> f.budgets[[0, 6, 12, 20]].round(6).tolist(), f.values[[0, 6, 12, 20]].tolist()
    ([5.0, 26.0, 47.0, 75.0], [10.0, 60.0, 100.0, 160.0])
    """
    deadline = time.perf_counter() + SOLVER_TIME_LIMIT if deadline is None else deadline
    value, upfront, maintenance = (np.asarray(x, float) for x in (value, upfront, maintenance))
    span = upfront.sum()
    budgets = decided_upfront + span * np.linspace(0.0, 1.0, points if span > 0 else 1)

    def run(run_budgets: np.ndarray) -> list[tuple[float, bool]]:
        chosen, out = None, []
        for budget in run_budgets:
            chosen, proven = _choose(value, upfront, maintenance, budget - decided_upfront, capacity_room, deadline,
                                     chosen)
            out.append((decided_value + value[chosen].sum(), proven))
        return out

    runs = np.array_split(budgets, min(threads or 1, budgets.size))
    if len(runs) == 1:
        solved = run(budgets)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(runs)) as pool:
            solved = [point for part in pool.map(run, runs) for point in part]
    values, proven = zip(*solved)
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
