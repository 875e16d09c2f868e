"""The budgeted choice as a solver: the most valuable set of items under limits, requirements and groups.

Maximise Σ value·x over x in {0, 1}ⁿ subject to weights @ x ≤ limits (up to
FIT_TOLERANCE), x_i ≤ x_j for every requirement (i, j) ("i in ⇒ j in"),
Σ x ≤ 1 over every alternative group, and the forced items in or out. The
answer is exact when the solver can prove it; otherwise it comes with an
upper bound on the best possible value, so the caller can say how close it
is. How long the solver searches is counted in work (partial sets of its
dynamic programme, HiGHS's branch-and-bound nodes), never in seconds: the
same problem gives the same answer however busy the machine is.

A plain knapsack (no requirement or group left once the forced items are
settled) goes to a fast exact search: a linear-programming bound settles the
items that cannot change the optimum, and a bounded dynamic programme
searches the few near the margin, handing them to HiGHS once it has spent
its share of the work. With requirements or groups, HiGHS's linear
relaxation settles what it can and HiGHS's branch and bound (the highspy
package) searches the rest.
"""
from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

FIT_TOLERANCE = 1e-9  # totals within a billionth of a limit fit it (floating-point sums)
TIE_TOLERANCE = 1e-10  # sets whose values differ by less than this share of the value at stake tie
NODE_WORK = 5_000  # work units of one HiGHS branch-and-bound node (one unit: one partial set of the search) ...
ITEM_WORK = 8  # ... plus these per item searched: a node's linear programme grows with the items (measured: a node
#                on 3,272 items took as long as 31,000 partial sets of the dynamic programme)
DEFAULT_WORK = 50_000_000  # one solve's work: 10,000 HiGHS nodes, or 50 million partial sets
SEARCH_SHARE = 0.2  # share of the work the dynamic programme may spend before HiGHS takes its items
SEARCH_STATES = 1_000_000  # partial sets the dynamic programme keeps at once before HiGHS takes its items
CORE_START = 16  # items nearest the margin searched first, to find a set close to the best
DOMINANCE_REACH = 8  # with two limits, neighbours each partial set is compared with
DUAL_STEPS = 40  # golden-section steps for the prices of two limits


class Infeasible(ValueError):
    """The forced-in items (with what they require) break a limit, a group or a forced-out item."""


@dataclass(frozen=True)
class Problem:
    """Maximise Σ value of a set of items: weights @ chosen ≤ limits, requirements and groups respected.

    value (n,) any sign; weights (k, n) ≥ 0; limits (k,) ≥ 0, inf for none;
    requires: pairs (i, j), "i in ⇒ j in" (chains and cycles allowed);
    groups: tuples of items, at most one of each in; forced_in, forced_out:
    bool masks (n,), None for none.
    """

    value: np.ndarray
    weights: np.ndarray
    limits: np.ndarray
    requires: Any = ()  # pairs as given; (m, 2) int64 after __post_init__
    groups: tuple = ()
    forced_in: Any = None  # a mask as given, or None; bool (n,) after __post_init__
    forced_out: Any = None

    def __post_init__(self) -> None:
        value = np.array(self.value, float).reshape(-1)
        n = value.size
        limits = np.array(self.limits, float).reshape(-1)
        weights = np.array(self.weights, float)
        if weights.size != limits.size * n:
            raise ValueError(f"weights must be one row of {n} per limit ({limits.size}), not {weights.shape}")
        weights = weights.reshape(limits.size, n)
        if not (np.isfinite(value).all() and np.isfinite(weights).all() and (weights >= 0).all()
                and (limits >= 0).all()):
            raise ValueError("values and weights must be finite, weights and limits not negative")
        requires = np.array(self.requires, np.int64).reshape(-1, 2)
        groups = tuple(np.unique(np.array(g, np.int64)) for g in self.groups)
        if any(((items < 0) | (items >= n)).any() for items in (requires, *groups)):
            raise ValueError(f"requirements and groups must name items 0..{n - 1}")
        masks = []
        for name, mask in (("forced_in", self.forced_in), ("forced_out", self.forced_out)):
            masks.append(np.zeros(n, bool) if mask is None else np.array(mask, bool).reshape(-1))
            if masks[-1].size != n:
                raise ValueError(f"{name} has {masks[-1].size} entries for {n} items")
        for name, x in zip(("value", "weights", "limits", "requires", "groups", "forced_in", "forced_out"),
                           (value, weights, limits, requires, groups, *masks)):
            object.__setattr__(self, name, x)

    def allows(self, chosen) -> bool:
        """Whether a set (bool (n,)) keeps every limit, requirement, group and forced item.

        >>> p = Problem([1.0, 2, 3], [[1.0, 1, 1]], [2.0], requires=[(0, 1)], groups=[(1, 2)])
        >>> p.allows([True, True, False]), p.allows([True, False, False]), p.allows([False, True, True])
        (True, False, False)
        """
        chosen = np.asarray(chosen, bool)
        return (fits(self.weights[:, chosen].sum(axis=1), self.limits)
                and bool(np.all(chosen[self.forced_in])) and not chosen[self.forced_out].any()
                and _Core.keeps_rules(chosen, self.requires, self.groups))


@dataclass(frozen=True)
class Solution:
    """A set the problem allows, its value, and how much more the best possible can be worth."""

    chosen: np.ndarray  # bool (n,)
    value: float  # Σ value of the chosen
    bound: float  # no allowed set is worth more; equal to value when proven
    proven: bool  # no allowed set is worth more than value (up to the tie tolerance)
    work: int  # work units spent

    @property
    def gap(self) -> float:
        """How much more the best allowed set may be worth than this one: bound − value (0 when proven)."""
        return self.bound - self.value


def fits(total, limit) -> bool:
    """total ≤ limit, up to a billionth of the limit (floating-point sums differ by order).

    >>> fits(0.1 + 0.2, 0.3), fits(100.01, 100.0)
    (True, False)
    """
    return bool(np.all(np.asarray(total) <= np.asarray(limit) * (1 + FIT_TOLERANCE)))


def closure(start: np.ndarray, requires: Sequence[Sequence[int]], n: int) -> np.ndarray:
    """The items in `start` and everything they require, transitively.

    >>> closure(np.array([True, False, False, False]), [(0, 1), (1, 2), (3, 0)], 4).tolist()
    [True, True, True, False]
    """
    inside = np.asarray(start, bool).copy()
    needs: dict[int, list[int]] = {}
    for i, j in requires:
        needs.setdefault(i, []).append(j)
    stack = np.flatnonzero(inside).tolist()
    while stack:
        for j in needs.get(stack.pop(), []):
            if not inside[j]:
                inside[j] = True
                stack.append(j)
    return inside


def never_in(blocked: np.ndarray, requires: Sequence[Sequence[int]]) -> np.ndarray:
    """`blocked` and every item that requires one of them, transitively: these can never be in.

    >>> never_in(np.array([False, False, True]), [(0, 1), (1, 2)]).tolist()
    [True, True, True]
    """
    return closure(blocked, [(j, i) for i, j in requires], len(blocked))


@dataclass(frozen=True)
class _Core:
    """Items still to decide: value (m,), costs (k, m) of the limits that can bind, the room they leave
    (tolerance included, so a set fits when costs @ x ≤ room), requirements (p, 2) and groups among them."""

    value: np.ndarray
    costs: np.ndarray
    room: np.ndarray
    pairs: np.ndarray
    groups: list

    @staticmethod
    def keeps_rules(chosen: np.ndarray, pairs: np.ndarray, groups) -> bool:
        """Every requirement of a chosen item chosen too, at most one of each group chosen."""
        return bool(np.all(chosen[pairs[:, 1]] | ~chosen[pairs[:, 0]])) and all(
            np.count_nonzero(chosen[g]) <= 1 for g in groups)

    @property
    def plain(self) -> bool:
        return self.pairs.size == 0 and not self.groups

    def allows(self, chosen: np.ndarray) -> bool:
        return bool(np.all(self.costs[:, chosen].sum(axis=1) <= self.room)) and self.keeps_rules(
            chosen, self.pairs, self.groups)

    def settle(self, inn: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The items every best set has in, and those it can leave out, following the rules from `inn` and `out`.

        In: `inn` and what they require. Out: `out`, the other members of a
        group with an item in, what no longer fits beside the items in, what
        requires an item out, and an item worth ≤ 0 that no undecided item
        requires (leaving it out never costs anything). Raises Infeasible
        when the items in break a limit, a group or an item out.
        """
        pairs, groups = self.pairs, self.groups
        requires = pairs.tolist()
        members = np.concatenate([np.zeros(0, np.int64), *groups])
        group_of = np.repeat(np.arange(len(groups)), [g.size for g in groups])
        inn, out = inn.copy(), out.copy()
        while True:
            before = np.count_nonzero(inn), np.count_nonzero(out)
            inn = closure(inn, requires, inn.size)
            taken = np.bincount(group_of, inn[members], minlength=len(groups))
            left = self.room - self.costs[:, inn].sum(axis=1)
            if (inn & out).any() or (taken > 1).any() or (left < 0).any():
                raise Infeasible("the forced-in items and what they require break a limit, a group or a "
                                 "forced-out item")
            out[members[(taken[group_of] > 0) & ~inn[members]]] = True
            out |= ~inn & ~np.all(self.costs <= left[:, None], axis=0)
            out = never_in(out, requires)
            open_ = ~inn & ~out
            wanted = np.zeros(self.value.size, bool)
            wanted[pairs[open_[pairs[:, 0]], 1]] = True
            out |= open_ & (self.value <= 0) & ~wanted
            if (np.count_nonzero(inn), np.count_nonzero(out)) == before:
                return inn, out

    def without(self, inn: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, _Core]:
        """The items neither in nor out, and the core over them (the room left by the items in)."""
        free = np.flatnonzero(~inn & ~out)
        room = self.room - self.costs[:, inn].sum(axis=1)
        costs = self.costs[:, free]
        active = np.isfinite(room) & (costs > 0).any(axis=1)
        local = np.full(self.value.size, -1)
        local[free] = np.arange(free.size)
        pairs = local[self.pairs]
        groups = [g[g >= 0] for g in (local[g] for g in self.groups)]
        return free, _Core(self.value[free], costs[active], np.maximum(room[active], 0.0),
                           pairs[(pairs >= 0).all(axis=1)], [g for g in groups if g.size > 1])


def _prune(problem: Problem, chosen: np.ndarray) -> np.ndarray:
    """The chosen set without its items worth ≤ 0 that are neither forced in nor required by an item kept.

    >>> p = Problem([5.0, 0.0, -1.0, 0.0], np.zeros((0, 4)), [], requires=[(0, 1), (2, 3)])
    >>> _prune(p, np.array([True, True, True, True])).tolist()
    [True, True, False, False]
    """
    keep = problem.forced_in | (chosen & (problem.value > 0))
    return chosen & closure(keep, problem.requires.tolist(), keep.size)


def solve(problem: Problem, work: int = DEFAULT_WORK, start=None) -> Solution:
    """The most valuable set the problem allows, or, when `work` runs out first, the best found and a bound.

    `start`, a set the problem allows (e.g. the best at a smaller budget), is
    the first set to beat; a set it does not allow is ignored. Among sets
    worth the same, the one returned has no item worth ≤ 0 that is neither
    forced in nor required by a chosen item. Raises Infeasible when the
    forced-in items alone cannot be allowed.

    >>> s = solve(Problem([60.0, 50, 40, -1], [[30.0, 20, 20, 0]], [40.0], requires=[(2, 3)]))
    >>> s.chosen.tolist(), s.value, s.proven, s.gap
    ([False, True, True, True], 89.0, True, 0.0)
    """
    whole = _Core(problem.value, problem.weights, problem.limits * (1 + FIT_TOLERANCE), problem.requires,
                  list(problem.groups))
    inn, out = whole.settle(problem.forced_in, problem.forced_out)
    free, core = whole.without(inn, out)
    hint = None
    if start is not None:
        start = (np.asarray(start, bool) | inn) & ~out
        hint = start[free] if problem.allows(start) else None
    picked, bound, proven, spent = _best(core, work, hint)
    chosen = inn.copy()
    chosen[free[picked]] = True
    chosen = _prune(problem, chosen)
    total, fixed = float(problem.value[chosen].sum()), float(problem.value[inn].sum())
    proven = proven or bound + fixed <= total + TIE_TOLERANCE * np.abs(core.value).sum()
    return Solution(chosen, total, total if proven else max(bound + fixed, total), bool(proven), int(spent))


def _best(core: _Core, work: int, start) -> tuple[np.ndarray, float, bool, int]:
    """The best set of a core: (the set, a bound on its value, proven, work spent)."""
    if core.value.size == 0:
        return np.zeros(0, bool), 0.0, True, 0
    if core.plain:
        return _knapsack(core.value, core.costs, core.room, work, start)
    return _general(core, work, start)


def _greedy(costs: np.ndarray, room: np.ndarray, order: np.ndarray, rounds: int = 50) -> np.ndarray:
    """A set that fits: take items in `order` while they fit; only a lower bound's seed."""
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


@dataclass(frozen=True)
class _Searched:
    """What the dynamic programme found: a set beating `lower` (None if none), a bound and the work spent."""

    picked: np.ndarray | None
    bound: float  # no set of these items on top of the base is worth more
    complete: bool  # every partial set was followed to its end: picked (or `lower`) is the best
    work: int


def _search(value, costs, limit, base, reduced, lower, rows, work) -> _Searched:
    """Exact best subset of the core items on top of `base`, better than `lower`, by bounded dynamic programming.

    Items are decided one at a time; a partial set is dropped when its
    bound (its value + the least of Dantzig's bounds for the undecided items
    under each relaxation row) is below the best complete set known, or
    when another partial set dominates it. Completing each partial set with
    the undecided items by reduced value, as far as they fit, gives complete
    sets that raise the best known early. It stops early once it has made
    `work` partial sets or keeps more than SEARCH_STATES at once, and then
    returns the best completion and the largest bound of a partial set still
    open.
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
        return _Searched(None, -np.inf, True, 0)
    if n == 0:
        return _Searched(np.zeros(0, bool) if base[1] > lower else None, max(lower, base[1]), True, 0)
    start, slack = lower, 1e-12 * (abs(lower) + abs(base[1]) + value.sum())
    parents, took, spent = [], [], 0

    def completion(weights, decided: int) -> tuple[np.ndarray, np.ndarray]:
        """How many of the undecided items, by reduced value, each partial set can still take, and their value."""
        open_ = by_reduced >= decided
        used = np.cumsum(np.where(open_, costs[:, by_reduced], 0.0), axis=1)
        taken = np.min([np.searchsorted(u, r, side="right") for u, r in zip(used, limit[:, None] - weights)], axis=0)
        return taken, np.concatenate([[0.0], np.cumsum(np.where(open_, value[by_reduced], 0.0))])[taken]

    for i in range(n):
        fit = np.flatnonzero((weights + costs[:, i:i + 1] <= limit[:, None]).all(axis=0))
        before, parent = values.size, np.concatenate([np.arange(values.size), fit])
        weights = np.hstack([weights, weights[:, fit] + costs[:, i:i + 1]])
        values = np.concatenate([values, values[fit] + value[i]])
        spent += values.size
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
            return _Searched(None, lower, True, spent)
        stopped = values.size > SEARCH_STATES or spent >= work
        if stopped or i == n - 1:
            open_bound = max(lower, float(bound[kept].max())) if stopped else lower
            taken, extra = completion(weights, i + 1)
            state = int(np.argmax(values + extra))
            found = float(values[state] + extra[state])
            if found <= start:
                return _Searched(None, open_bound, not stopped, spent)
            chosen = np.zeros(n, bool)
            chosen[by_reduced[:taken[state]]] = True  # the decided ones among them are set below
            for j in range(i, -1, -1):
                chosen[j], state = took[j][state], parents[j][state]
            return _Searched(chosen, max(open_bound, found), not stopped, spent)
    raise AssertionError("the loop returns at its last item")


def _price(value, cost, room: float) -> float:
    """Dantzig's price of one limit: the value per cost of the first item, best ratio first, that no longer fits whole."""
    ratio = np.divide(value, cost, out=np.full(value.size, np.inf), where=cost > 0)
    order = np.argsort(-ratio, kind="stable")
    critical = np.searchsorted(np.cumsum(cost[order]), room, side="right")
    return float(ratio[order[critical]]) if critical < value.size else 0.0


def duals(value, costs, room) -> np.ndarray:
    """Prices y ≥ 0 of the limits minimising the bound U(y) = Σ max(value − yᵀcosts, 0) + yᵀroom.

    Any y ≥ 0 gives a valid bound; the minimum is the linear relaxation's.
    With one limit it is Dantzig's: sorted by value per cost, y is the ratio
    of the first item that no longer fits whole. With two, U is convex
    in y₂ once y₁ is Dantzig's for the values less y₂ · cost₂, so a
    golden-section search over y₂ finds it (to DUAL_STEPS halvings, near
    enough: a less tight bound only leaves the search more to do); with
    more, HiGHS's linear relaxation.

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
    rows = _Rows.of(_Core(value, costs, room, np.zeros((0, 2), np.int64), []))
    return _relaxation(value, rows)[0][: room.size] / rows.scale[: room.size]


def _knapsack(value, costs, room, work: int, start) -> tuple[np.ndarray, float, bool, int]:
    """Best subset with costs @ x ≤ room (value > 0, costs ≥ 0): (the set, a bound on its value, proven, work).

    With prices y ≥ 0 of the limits, the reduced values d = value − yᵀcosts
    bound every set that fits by U = Σ max(d, 0) + yᵀroom minus the |d| of
    each item on the "wrong" side; so with a set worth L, an item with
    |d| > U − L is settled (in when d > 0) and only the rest, the core, is
    searched: first the CORE_START nearest the margin (to find a set close
    to the best), then every item the bound leaves open. The dynamic
    programme may spend SEARCH_SHARE of the work; HiGHS then takes the core
    with the rest. Stopped short, the bound is the largest of the best set
    found, the core's bound and U − (the |d| an item must have to be settled).

    >>> chosen, bound, proven, work = _knapsack(np.array([60.0, 50, 40]), np.array([[30.0, 20, 20]]), np.array([40.0]),
    ...                                         1000, None)
    >>> chosen.tolist(), bound, proven
    ([False, True, True], 90.0, True)
    """
    if np.all(costs.sum(axis=1) <= room):
        return np.ones(value.size, bool), float(value.sum()), True, 0
    y = duals(value, costs, room)
    d = value - y @ costs
    upper = np.maximum(d, 0).sum() + y @ room
    slack = 1e-9 * (abs(upper) + value.sum())  # rounding in d and the bound: settle fewer, never wrongly
    best = _greedy(costs, room, np.argsort(-d, kind="stable"))
    if start is not None and value[start].sum() > value[best].sum():
        best = start
    rows = np.vstack([np.eye(costs.shape[0])] + ([y] if costs.shape[0] > 1 and (y > 0).all() else []))
    margin = np.sort(np.abs(d))
    size = CORE_START if np.count_nonzero(margin <= upper - value[best].sum() + slack) > 2 * CORE_START else d.size
    spent, search_work = 0, int(SEARCH_SHARE * work)
    while True:
        lower = value[best].sum()
        reach = min(upper - lower, margin[min(size, d.size) - 1])
        core = np.abs(d) <= reach + slack
        fixed_in = ~core & (d > 0)
        items = np.flatnonzero(core)
        items = items[np.argsort(-np.abs(d[items]), kind="stable")]  # the clearest first: their wrong side dies at once
        base = (costs[:, fixed_in].sum(axis=1), value[fixed_in].sum())
        searched = _search(value[items], costs[:, items], room, base, d[items], lower, rows,
                           max(search_work - spent, 1))
        spent += searched.work
        if searched.picked is not None:
            best = fixed_in.copy()
            best[items] = searched.picked
        proven, core_bound = searched.complete, searched.bound
        if not proven and work - spent >= node_work(items.size):
            agrees = (best[~core] == fixed_in[~core]).all()
            mip = _mip(_Core(value[items], costs[:, items], room - base[0], np.zeros((0, 2), np.int64), []),
                       (work - spent) // node_work(items.size), best[items] if agrees else None)
            spent += mip.nodes * node_work(items.size)
            if mip.picked is not None and value[items[mip.picked]].sum() + base[1] > value[best].sum():
                best = fixed_in.copy()
                best[items[mip.picked]] = True
            proven, core_bound = mip.proven, min(core_bound, mip.bound + base[1])
        if not proven or core.all() or reach >= upper - value[best].sum():
            break
        size = d.size
    lower = value[best].sum()
    if proven and (core.all() or reach >= upper - lower):
        return best, float(lower), True, spent
    return best, float(min(upper, max(lower, core_bound, upper - reach))), False, spent


def _fill(core: _Core, chosen: np.ndarray, order: np.ndarray) -> np.ndarray:
    """`chosen` (a set the core allows) with items added in `order`, each with all it requires, while allowed.

    >>> core = _Core(np.array([5.0, -1, 4]), np.array([[2.0, 1, 2]]), np.array([3.0]), np.array([[0, 1]]), [])
    >>> _fill(core, np.zeros(3, bool), np.array([0, 2, 1])).tolist()
    [True, True, False]
    """
    chosen = chosen.copy()
    needs: list[list[int]] = [[] for _ in range(chosen.size)]
    for i, j in core.pairs.tolist():
        needs[i].append(j)
    group_of: list[list[int]] = [[] for _ in range(chosen.size)]
    for g, members in enumerate(core.groups):
        for i in members.tolist():
            group_of[i].append(g)
    taken = {g for g, members in enumerate(core.groups) if chosen[members].any()}
    left = core.room - core.costs[:, chosen].sum(axis=1)
    for i in order.tolist():
        if chosen[i] or core.value[i] <= 0:
            continue
        closure, todo = {i}, [i]
        while todo:
            for j in needs[todo.pop()]:
                if not chosen[j] and j not in closure:
                    closure.add(j)
                    todo.append(j)
        added = np.fromiter(closure, np.int64)
        groups = [g for j in closure for g in group_of[j]]
        cost = core.costs[:, added].sum(axis=1)
        if (core.value[added].sum() > 0 and np.all(cost <= left) and len(set(groups)) == len(groups)
                and not taken.intersection(groups)):
            chosen[added] = True
            taken.update(groups)
            left = left - cost
    return chosen


def _general(core: _Core, work: int, start) -> tuple[np.ndarray, float, bool, int]:
    """Best set with requirements or groups: (the set, a bound on its value, proven, work spent).

    The linear relaxation's prices y ≥ 0 of every row give reduced values d
    and the bound U = Σ max(d, 0) + yᵀ(right-hand sides), as for a plain
    knapsack; with a set worth L (the best of `start` and the relaxation's
    whole items, filled up greedily) each item with |d| > U − L is settled,
    the rules settle what follows from that, and what is left goes to the
    knapsack search when no requirement or group remains in it, to HiGHS's
    branch and bound otherwise.
    """
    rows = _Rows.of(core)
    prices, relaxed = _relaxation(core.value, rows)
    spent = node_work(core.value.size)  # the relaxation: about one node
    d = core.value - rows.transposed(prices, core.value.size)
    upper = np.maximum(d, 0).sum() + prices @ rows.upper
    order = np.argsort(-d, kind="stable")
    whole = relaxed > 1 - 1e-6
    best = _fill(core, whole if core.allows(whole) else np.zeros(core.value.size, bool), order)
    if start is not None and core.value[start].sum() > core.value[best].sum():
        best = start
    lower = core.value[best].sum()
    reach = upper - lower + 1e-9 * (abs(upper) + np.abs(core.value).sum())
    try:
        inn, out = core.settle(d > reach, d < -reach)
    except Infeasible:  # no set better than `best` can take every item the bound settles
        return best, float(lower), True, spent
    free, rest = core.without(inn, out)
    hint = best[free] if best[inn].all() and not best[out].any() else None
    picked: np.ndarray | None
    if rest.value.size == 0:
        picked, rest_bound, proven = np.zeros(0, bool), 0.0, True
    elif rest.plain:
        picked, rest_bound, proven, used = _knapsack(rest.value, rest.costs, rest.room, work - spent, hint)
        spent += used
    else:
        mip = _mip(rest, max((work - spent) // node_work(rest.value.size), 1), hint)
        spent += mip.nodes * node_work(rest.value.size)
        picked, rest_bound, proven = mip.picked, mip.bound, mip.proven
    fixed = core.value[inn].sum()
    if picked is not None and core.value[free[picked]].sum() + fixed > lower:
        best = inn.copy()
        best[free[picked]] = True
    lower = core.value[best].sum()
    return best, float(lower if proven else min(upper, max(lower, rest_bound + fixed))), bool(proven), spent


@dataclass(frozen=True)
class _Rows:
    """A core's rules as the sparse rows A x ≤ upper of a MIP (A in CSR arrays): limits scaled to costs/room ≤ 1
    (a room of 0 as costs ≤ 0), requirements as x_i − x_j ≤ 0, groups as Σ x ≤ 1."""

    start: np.ndarray
    index: np.ndarray
    coef: np.ndarray
    upper: np.ndarray
    scale: np.ndarray  # what each row was divided by

    @staticmethod
    def of(core: _Core) -> _Rows:
        scale = np.concatenate([np.where(core.room > 0, core.room, 1.0), np.ones(len(core.pairs) + len(core.groups))])
        nonzero = [np.flatnonzero(row) for row in core.costs]
        index = [*nonzero, *core.pairs, *core.groups]
        coef = [*(row[nz] / s for row, nz, s in zip(core.costs, nonzero, scale)),
                *(np.array([1.0, -1.0]) for _ in core.pairs), *(np.ones(g.size) for g in core.groups)]
        upper = np.concatenate([np.where(core.room > 0, 1.0, 0.0), np.zeros(len(core.pairs)),
                                np.ones(len(core.groups))])
        return _Rows(np.concatenate([[0], np.cumsum([len(i) for i in index])]).astype(np.int64),
                     np.concatenate([np.zeros(0, np.int64), *index]).astype(np.int64),
                     np.concatenate([np.zeros(0), *coef]), upper, scale)

    def cut(self, items: np.ndarray) -> _Rows:
        """These rows and one more: Σ x over `items` ≤ their number − 1 (never all of them)."""
        return _Rows(np.append(self.start, self.start[-1] + items.size), np.concatenate([self.index, items]),
                     np.concatenate([self.coef, np.ones(items.size)]), np.append(self.upper, items.size - 1.0),
                     np.append(self.scale, 1.0))

    def transposed(self, prices: np.ndarray, n: int) -> np.ndarray:
        """pricesᵀA: what the rows charge each item."""
        return np.bincount(self.index, self.coef * np.repeat(prices, np.diff(self.start)), minlength=n)


class _QuietStdout:
    """Send file descriptor 1 to the null device while HiGHS starts.

    highspy's Highs() prints a banner with C's printf, below Python's
    sys.stdout and before its output_flag option can be set, so only
    redirecting the descriptor keeps it off the user's terminal. Nested and
    concurrent uses share one redirection; without a usable descriptor 1
    nothing is redirected.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved: int | None = None
        import ctypes

        self._flush_c: Any
        try:
            self._flush_c = ctypes.CDLL(None).fflush if os.name == "posix" else ctypes.CDLL("ucrtbase").fflush
        except (OSError, AttributeError):
            self._flush_c = None

    def _flush(self) -> None:
        for stream in (sys.stdout, sys.__stdout__):
            try:
                stream.flush()  # type: ignore[union-attr]  # None (no console) raises AttributeError, caught
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
    """The one redirection every HiGHS start shares, made when first needed."""
    return _QuietStdout()


def _highs(objective: np.ndarray, rows: _Rows, integer: bool):
    """A silent HiGHS holding min objective·x, rows, 0 ≤ x ≤ 1; one thread: no answer depends on thread timing."""
    import highspy  # only here: a report that chooses nothing never loads HiGHS

    with _quiet():
        highs = highspy.Highs()
    for option, setting in (("output_flag", False), ("threads", 1), ("mip_rel_gap", 0.0)):
        highs.setOptionValue(option, setting)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = objective.size, rows.upper.size
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = objective, np.zeros(objective.size), np.ones(objective.size)
    lp.row_lower_, lp.row_upper_ = np.full(rows.upper.size, -highspy.kHighsInf), rows.upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = rows.start, rows.index, rows.coef
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * objective.size
    highs.passModel(lp)
    return highs, highspy


def _relaxation(value, rows: _Rows) -> tuple[np.ndarray, np.ndarray]:
    """Prices y ≥ 0 of the rows and the solution x of the relaxation max value·x, A x ≤ upper, 0 ≤ x ≤ 1.

    Prices of 0 (a weaker bound, still valid) when HiGHS finds no optimum.
    """
    scale = 1.0 / max(np.abs(value).max(initial=0.0), np.finfo(float).tiny)
    highs, highspy = _highs(-value * scale, rows, integer=False)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return np.zeros(rows.upper.size), np.zeros(value.size)
    solution = highs.getSolution()
    return np.maximum(-np.array(solution.row_dual), 0.0) / scale, np.array(solution.col_value)


@dataclass(frozen=True)
class _Mip:
    """What HiGHS found: its best set (None if none), a bound on the core's value, proven, nodes spent."""

    picked: np.ndarray | None
    bound: float
    proven: bool
    nodes: int


def node_work(items: int) -> int:
    """The work units one HiGHS node counts for on `items` items.

    >>> node_work(0), node_work(3_272)
    (5000, 31176)
    """
    return NODE_WORK + ITEM_WORK * items


def _mip(core: _Core, nodes: int, start) -> _Mip:
    """Best set of a core by HiGHS's branch and bound within `nodes` nodes, from `start` (an allowed set, or None).

    The objective is divided by the largest value (HiGHS still sees simple
    ratios between values and uses them) and HiGHS's absolute gap set to the
    tie tolerance; the bound is HiGHS's dual bound in value units (none when
    HiGHS stops on an error). Presolve is off: it merges items whose costs
    differ by less than its tolerance, and so can miss the best set (up to
    highspy 1.15 it does in items_a_hair_apart, tests/test_solver.py). HiGHS
    accepts rows broken by up to its feasibility tolerance; a set it returns
    that breaks a limit in exact sums is cut off (its items that cost
    something in that limit never all fit: Σ x over them ≤ their number − 1)
    and the search run again on a new model, within the same nodes.
    """
    value = core.value
    if value.max() <= 0:  # taking nothing is allowed and best
        return _Mip(np.zeros(value.size, bool), 0.0, True, 0)
    scale = 1 / np.abs(value).max()
    rows, spent, bound = _Rows.of(core), 0, np.inf
    while True:
        highs, highspy = _highs(-value * scale, rows, integer=True)
        highs.setOptionValue("mip_abs_gap", TIE_TOLERANCE * np.abs(value).sum() * scale)
        highs.setOptionValue("mip_max_nodes", int(max(nodes - spent, 1)))
        highs.setOptionValue("presolve", "off")  # its reductions treat items within its tolerance as the same
        if start is not None:
            warm = highspy.HighsSolution()
            warm.col_value = start.astype(float).tolist()
            highs.setSolution(warm)
        highs.run()
        info, status, status_of = highs.getInfo(), highs.getModelStatus(), highspy.HighsModelStatus
        spent += max(int(info.mip_node_count), 1)
        if status == status_of.kInfeasible:
            return _Mip(None, -np.inf, True, spent)
        if status in (status_of.kOptimal, status_of.kSolutionLimit, status_of.kIterationLimit) and np.isfinite(
                info.mip_dual_bound):
            bound = min(bound, -info.mip_dual_bound / scale)
        if info.primal_solution_status != highspy.kSolutionStatusFeasible:
            return _Mip(None, bound, False, spent)
        pick = np.array(highs.getSolution().col_value) > 0.5
        if core.allows(pick):
            return _Mip(pick, bound, status == status_of.kOptimal, spent)
        if spent >= nodes:
            return _Mip(None, bound, False, spent)
        over = core.costs[:, pick].sum(axis=1) > core.room
        rows = rows.cut(np.flatnonzero(pick & (core.costs[over] > 0).any(axis=0)))
