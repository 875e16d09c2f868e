"""What to fund: verdicts, the recommended portfolio and the efficient frontier (docs/model.md section 5).

The model's contract over plain arrays, one entry per valid initiative, so
one team's workbook and a batch's company-wide choice use the same code:
which initiatives are candidates, what the `fund` and `skip` decisions
force, when those decisions conflict, every verdict and its precedence, and
the frontier's budgets. The 0-1 programme itself (maximise Σ value under
the Budget, the capacity, requirements and alternative groups) is
`solver.solve`'s: exact, or saying how close it came. The solver counts its
effort in work, never in seconds, so whether a figure is proven never
depends on how busy the machine is.
"""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .solver import DEFAULT_WORK, Problem, Solution, closure, fits, never_in, solve

FINISHED = "finished"
FUND_DECIDED, SKIP_DECIDED = "fund (decided)", "skip (decided)"
CONTINUE_DECIDED, STOP_DECIDED = "continue (decided)", "stop (decided)"
CONFLICT = "no recommendation: decisions conflict"
FIX_FOUNDATION, STOP_FIX = "fix the foundation first", "stop: fix the foundation first"
FUND, CONTINUE = "fund", "continue"
DOES_NOT_PAY, NO_LONGER_PAYS = "does not pay", "stop: no longer pays"
DOES_NOT_FIT, STOP_DOES_NOT_FIT = "does not fit", "stop: does not fit"
FRONTIER_POINTS = 25
FUND_WORK = DEFAULT_WORK  # one fund() call's work: the recommended portfolio first, then the frontier's points


@dataclass(frozen=True)
class Frontier:
    """The best achievable Σ value at evenly spaced budgets, and how sure each point is."""

    budgets: np.ndarray
    values: np.ndarray
    bounds: np.ndarray  # the best possible at each budget: equal to values where proven
    proven: np.ndarray  # bool per point
    work: int = 0  # the solver's work spent on the points

    @property
    def optimal(self) -> bool:
        return bool(self.proven.all())


@dataclass(frozen=True)
class Conflict:
    """Why the `fund` decisions cannot all hold, in plain words (docs/model.md section 5)."""

    ids: tuple[str, ...]  # the fund decisions and what they require
    reasons: tuple[str, ...]

    def sentence(self) -> str:
        """The detail for the Issues note `decisions-conflict`.

        >>> Conflict(("A", "B"), ("they need USD 60,000 upfront, over the Budget of USD 50,000",)).sentence()
        'the fund decisions and what they require (A, B): they need USD 60,000 upfront, over the Budget of USD 50,000'
        """
        return f"the fund decisions and what they require ({', '.join(self.ids)}): {'; '.join(self.reasons)}"


@dataclass(frozen=True)
class Funding:
    """The choice for a set of initiatives, in their input order."""

    chosen: np.ndarray  # bool per initiative: in the recommended portfolio
    verdicts: list[str]
    upfront: float  # Σ upfront of the new initiatives chosen (a started one's is sunk)
    maintenance: float  # Σ maintenance of all chosen
    value: float  # Σ value of the chosen
    budget: float | None
    capacity: float | None
    bound: float  # the best possible Σ value: equal to `value` when proven
    proven: bool
    conflict: Conflict | None
    frontier: Frontier | None  # only with a Budget and no conflict
    work: int = 0  # the solver's work spent on the recommended portfolio

    @property
    def budget_left(self) -> float | None:
        return None if self.budget is None else self.budget - self.upfront

    @property
    def capacity_left(self) -> float | None:
        return None if self.capacity is None else self.capacity - self.maintenance

    @property
    def optimal(self) -> bool:
        """Whether the recommended set and every frontier point are proven best."""
        return self.proven and (self.frontier is None or self.frontier.optimal)

    @property
    def gap(self) -> float:
        return max(self.bound - self.value, 0.0)

    def note(self, currency: str = "") -> str:
        """What every sheet and page showing the choice says when it is not proven best, or "".

        >>> f = Funding(np.array([True]), ["fund"], 1.0, 0.0, 95.0, 1.0, None, 100.0, False, None, None)
        >>> f.note("USD")
        'not proven best: the best possible is at most USD 5 (5.3%) more than this set'
        """
        unit = f"{currency} " if currency else ""
        parts = []
        if not self.proven:
            share = f" ({100 * self.gap / abs(self.value):.2g}%)" if self.value else ""  # 5.3%, 0.0053%
            parts.append(f"the best possible is at most {unit}{self.gap:,.0f}{share} more than this set")
        if self.frontier is not None and not self.frontier.optimal:
            open_ = int((~self.frontier.proven).sum())
            widest = float(np.max(self.frontier.bounds - self.frontier.values))
            parts.append(f"{open_} of {self.frontier.proven.size} frontier points not proven, each at most "
                         f"{unit}{widest:,.0f} below the best possible")
        return "not proven best: " + "; ".join(parts) if parts else ""


def requirement_pairs(keys: Sequence[Hashable], requires: Sequence[Iterable[Hashable]]) -> list[tuple[int, int]]:
    """(i, j): initiative i requires initiative j, where `requires[i]` holds the keys of what i requires
    (a key no initiative has is left out).

    >>> requirement_pairs(["A", "B", "C"], [["C"], [], ["B", "Z"]])
    [(0, 2), (2, 1)]
    """
    index = {key: i for i, key in enumerate(keys)}
    return [(i, index[key]) for i, needed in enumerate(requires) for key in needed if key in index]


def alternative_groups(labels: Sequence[str], scopes: Sequence[Hashable] | None = None) -> list[tuple[int, ...]]:
    """The initiatives of each alternative group, first seen first: labels match trimmed and case aside,
    within one scope (the workbook, when many teams are chosen from at once).

    >>> alternative_groups(["ops", "", " OPS", "web"]), alternative_groups(["a", "a"], scopes=["x", "y"])
    ([(0, 2), (3,)], [(0,), (1,)])
    """
    groups: dict[tuple[Hashable, str], list[int]] = {}
    for i, label in enumerate(labels):
        if label.strip():
            groups.setdefault((scopes[i] if scopes else None, label.strip().casefold()), []).append(i)
    return [tuple(members) for members in groups.values()]


def _money(amount: float, currency: str) -> str:
    return f"{currency} {amount:,.0f}" if currency else f"{amount:,.0f}"


def _conflict(forced: np.ndarray, ids: Sequence[str], out: np.ndarray, decision: np.ndarray, groups, upfront,
              maintenance, budget: float | None, capacity: float | None, currency: str) -> Conflict | None:
    reasons = []
    for i in np.flatnonzero(forced & out).tolist():
        why = "decided skip" if decision[i] == "skip" else "flagged red and undecided"
        reasons.append(f"{ids[i]} is {why}")
    for members in groups:
        inside = [ids[i] for i in members if forced[i]]
        if len(inside) > 1:
            reasons.append(f"{' and '.join(inside)} are alternatives, of which at most one can be funded")
    for limit, costs, what, name in ((budget, upfront, "upfront", "Budget"),
                                     (capacity, maintenance, "a month in maintenance", "Monthly capacity")):
        if limit is not None and not fits(costs[forced].sum(), limit):
            reasons.append(f"they need {_money(costs[forced].sum(), currency)} {what}, over the {name} of "
                           f"{_money(limit, currency)}")
    return Conflict(tuple(ids[i] for i in np.flatnonzero(forced).tolist()), tuple(reasons)) if reasons else None


def _blocked(red: np.ndarray, decision: np.ndarray, finished: np.ndarray) -> np.ndarray:
    """What no rule may bring in: decided skip, or flagged red and undecided (a finished one is neither)."""
    return ((decision == "skip") | (red & (decision == ""))) & ~finished


def verdicts(value, red, decision, status, chosen, requires, groups, ids, conflict: bool) -> list[str]:
    """Every initiative's verdict, the first rule of docs/model.md section 5's table that applies.

    >>> verdicts([5.0, -1, 3, 4, 4, -2, 2], [False, False, True, False, False, False, False],
    ...          ["", "", "", "", "", "fund", ""], ["new", "new", "started", "new", "started", "new", "new"],
    ...          [False, False, False, True, False, True, False], [(6, 2)], [], list("ABCDEFG"), False)
    ['does not fit', 'does not pay', 'stop: fix the foundation first', 'fund', 'stop: does not fit', 'fund (decided)', 'needs C']
    """
    value, red, chosen = np.asarray(value, float), np.asarray(red, bool), np.asarray(chosen, bool)
    decision, status = np.asarray(decision, dtype=object), np.asarray(status, dtype=object)
    started = status == "started"
    never = never_in(_blocked(red, decision, status == FINISHED), requires)
    required_by: dict[int, list[str]] = {}
    needs: dict[int, list[str]] = {}
    for i, j in requires:
        if chosen[i]:
            required_by.setdefault(j, []).append(ids[i])
        if never[j]:
            needs.setdefault(i, []).append(ids[j])
    group_of = {i: members for members in groups for i in members}
    found = []
    for i in range(len(value)):
        pick = (lambda new, old: old if started[i] else new)
        if status[i] == FINISHED:
            found.append(FINISHED)
        elif decision[i] == "fund":
            found.append(pick(FUND_DECIDED, CONTINUE_DECIDED))
        elif decision[i] == "skip":
            found.append(pick(SKIP_DECIDED, STOP_DECIDED))
        elif conflict:
            found.append(CONFLICT)
        elif red[i]:
            found.append(pick(FIX_FOUNDATION, STOP_FIX))
        elif chosen[i] and value[i] > 0:
            found.append(pick(FUND, CONTINUE))
        elif chosen[i]:
            found.append(f"{pick(FUND, CONTINUE)} (required by {', '.join(required_by.get(i, []))})")
        elif value[i] <= 0:
            found.append(pick(DOES_NOT_PAY, NO_LONGER_PAYS))
        elif i in needs:
            found.append(f"needs {', '.join(needs[i])}")
        elif (other := next((j for j in group_of.get(i, ()) if j != i and chosen[j]), None)) is not None:
            found.append(f"alternative chosen: {ids[other]}")
        else:
            found.append(pick(DOES_NOT_FIT, STOP_DOES_NOT_FIT))
    return found


def _problem(value, upfront, maintenance, budget, capacity, requires, groups, forced_in, forced_out) -> Problem:
    rows = [(c, limit) for c, limit in ((upfront, budget), (maintenance, capacity)) if limit is not None]
    return Problem(value=value, weights=np.array([c for c, _ in rows], float).reshape(len(rows), len(value)),
                   limits=np.array([limit for _, limit in rows], float), requires=tuple(requires),
                   groups=tuple(groups), forced_in=forced_in, forced_out=forced_out)


def frontier_budgets(upfront, value, forced, open_, requires, points: int = FRONTIER_POINTS) -> np.ndarray:
    """B_min to B_max in `points` even steps (one point when they are equal), docs/model.md section 5.

    B_min is Σ upfront of the decided-in closure `forced`; B_max adds the
    upfront of every other candidate (`open_`: not red, not skip, not needs)
    with value > 0 or required, transitively, by such a candidate.

    >>> frontier_budgets(np.array([10.0, 20, 30, 40]), np.array([1.0, 1, -1, 1]), np.array([True, False, False, False]),
    ...                  np.array([False, True, True, True]), [(1, 2)], points=3).tolist()
    [10.0, 55.0, 100.0]
    """
    paying = closure(open_ & (np.asarray(value) > 0) & ~forced, requires, len(value)) & open_ & ~forced
    low = float(upfront[forced].sum())
    high = low + float(upfront[paying].sum())
    return low + (high - low) * np.linspace(0.0, 1.0, points if high > low else 1)


def fund(value, upfront, maintenance, red, decision, budget: float | None = None, capacity: float | None = None, *,
         status: Sequence[str] | None = None, requires: Sequence[tuple[int, int]] = (),
         groups: Sequence[Sequence[int]] = (), ids: Sequence[str] | None = None, currency: str = "",
         frontier_points: int = FRONTIER_POINTS, work: int | None = None) -> Funding:
    """The recommended portfolio, every verdict and (with a Budget) the efficient frontier.

    value: each initiative's value (risk-adjusted NPV when new, risk-adjusted
    forward value when started); upfront: its upfront cost, which only a new
    one still needs from the Budget (a started one's is sunk); maintenance;
    red: the red flag; decision "fund", "skip" or ""; status "new", "started" or "finished" (all new
    when None); requires: pairs (i, j), i requires j; groups: the members of
    each alternative group; ids name initiatives in verdicts and notes.
    The solver spends `work` (FUND_WORK when None) on the recommended portfolio first, then shares
    what is left evenly among the frontier's points, each starting from the
    set found at the budget below it.

    >>> f = fund([60.0, 50, 40, -5, 70], [30.0, 20, 20, 10, 40], [0.0, 0, 0, 0, 0],
    ...          [False, False, False, False, True], ["", "", "", "fund", ""], budget=50.0)
    >>> f.verdicts
    ['does not fit', 'fund', 'fund', 'fund (decided)', 'fix the foundation first']
    >>> f.value, f.upfront, f.budget_left, f.optimal, len(f.frontier.budgets)
    (85.0, 50.0, 0.0, True, 25)
    """
    value, upfront, maintenance = (np.asarray(x, float) for x in (value, upfront, maintenance))
    work = FUND_WORK if work is None else work
    n = value.size
    red, decision = np.asarray(red, bool), np.asarray(decision, dtype=object)
    states = np.asarray(["new"] * n if status is None else status, dtype=object)
    ids = [f"#{i + 1}" for i in range(n)] if ids is None else list(ids)
    finished: np.ndarray = states == FINISHED
    upfront = np.where(states == "new", upfront, 0.0)  # sunk once started
    requires = [(i, j) for i, j in requires if not finished[i] and not finished[j]]  # a finished one counts as in
    groups = [members for g in groups if len(members := tuple(i for i in g if not finished[i])) > 1]
    decision = np.where(finished, "", decision)
    out = _blocked(red, decision, finished)
    forced = closure((decision == "fund") & ~finished, requires, n)
    conflict = _conflict(forced, ids, out, decision, groups, upfront, maintenance, budget, capacity, currency)
    if conflict is not None:
        chosen = (decision == "fund") & ~finished
        total = float(value[chosen].sum())
        solution = Solution(chosen, total, total, True, 0)
    else:
        solution = solve(_problem(value, upfront, maintenance, budget, capacity, requires, groups, forced,
                                  out | finished), work)
    chosen = solution.chosen
    curve = None
    if budget is not None and conflict is None:
        open_ = ~out & ~finished & ~never_in(out, requires)
        budgets = frontier_budgets(upfront, value, forced, open_, requires, frontier_points)
        points: list[Solution] = []
        left = max(work - solution.work, 0)
        for k, b in enumerate(budgets):
            share = (left - sum(p.work for p in points)) // (budgets.size - k)
            points.append(solve(_problem(value, upfront, maintenance, float(b), capacity, requires, groups, forced,
                                         out | finished), max(share, 0), points[-1].chosen if points else None))
        curve = Frontier(budgets, np.array([p.value for p in points]), np.array([p.bound for p in points]),
                         np.array([p.proven for p in points]), sum(p.work for p in points))
    return Funding(
        chosen=chosen,
        verdicts=verdicts(value, red, decision, states, chosen, requires, groups, ids, conflict is not None),
        upfront=float(upfront[chosen].sum()),
        maintenance=float(maintenance[chosen].sum()),
        value=float(value[chosen].sum()),
        budget=budget,
        capacity=capacity,
        bound=solution.bound,
        proven=solution.proven,
        conflict=conflict,
        frontier=curve,
        work=solution.work,
    )
