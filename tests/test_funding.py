"""The budgeted choice (docs/model.md section 5), checked against brute force over every subset."""
from __future__ import annotations

import numpy as np
import pytest

from leverkit import solver
from leverkit.funding import fund

TOL = 1 + 1e-9  # the documented fit tolerance: a billionth of a limit


def subsets(n: int) -> np.ndarray:
    """Every subset of n items as rows of a (2^n, n) boolean matrix."""
    return (np.arange(2**n)[:, None] >> np.arange(n)) & 1 == 1


def brute_best(value, upfront, maintenance, budget_rooms, capacity_room=np.inf) -> np.ndarray:
    """Best Σ value over every subset, for each budget room (inf: no limit)."""
    every = subsets(value.size)
    spend, upkeep, worth = every @ upfront, every @ maintenance, every @ value
    feasible = (spend[:, None] <= np.asarray(budget_rooms, float)[None, :] * TOL) & (upkeep <= capacity_room * TOL)[:, None]
    return np.where(feasible, worth[:, None], -np.inf).max(axis=0)


def random_plan(seed: int, n: int = 12):
    rng = np.random.default_rng(seed)
    upfront = np.round(rng.lognormal(9, 1, n), 2)
    maintenance = np.round(rng.lognormal(5, 1, n), 2)
    value = rng.normal(0.6, 1.0, n) * upfront
    red = rng.random(n) < 0.15
    decision = rng.choice(np.array(["", "", "", "", "", "", "fund", "skip"], dtype=object), n)
    if seed % 3 == 0:
        decision[value.argmin()] = "fund"  # a decided loser
    return value, upfront, maintenance, red, decision


def expected(value, upfront, maintenance, red, decision, budget, capacity):
    """Brute force of the contract: decisions in, then the best eligible set in what is left."""
    decided = decision == "fund"
    open_ = (value > 0) & ~red & (decision == "")
    budget_room = np.inf if budget is None else budget - upfront[decided].sum()
    capacity_room = np.inf if capacity is None else capacity - maintenance[decided].sum()
    if budget_room < 0 or capacity_room < 0:
        return value[decided].sum()
    return value[decided].sum() + brute_best(value[open_], upfront[open_], maintenance[open_], [budget_room], capacity_room)[0]


@pytest.mark.parametrize("seed", range(8))
def test_portfolio_and_frontier_match_brute_force(seed):
    value, upfront, maintenance, red, decision = random_plan(seed)
    rng = np.random.default_rng(100 + seed)
    budget = rng.uniform(0.2, 0.6) * upfront.sum()
    capacity = rng.uniform(0.2, 0.6) * maintenance.sum() if seed % 2 else None
    result = fund(value, upfront, maintenance, red, decision, budget, capacity)

    assert result.optimal and result.note() == "" and result.bound == result.value
    assert result.value == pytest.approx(expected(value, upfront, maintenance, red, decision, budget, capacity), rel=1e-9)
    chosen = result.chosen
    assert result.value == pytest.approx(value[chosen].sum())
    assert chosen[decision == "fund"].all() and not chosen[decision == "skip"].any()
    assert not chosen[(decision == "") & ((value <= 0) | red)].any()
    assert result.budget_left == pytest.approx(budget - upfront[chosen].sum())
    if result.conflict is not None:  # the decisions alone break a limit: nothing else, and no frontier
        assert np.array_equal(chosen, decision == "fund") and result.frontier is None
        return
    assert upfront[chosen].sum() <= budget * TOL
    assert capacity is None or maintenance[chosen].sum() <= capacity * TOL

    decided, open_ = decision == "fund", (value > 0) & ~red & (decision == "")
    curve = result.frontier
    assert curve.optimal and curve.budgets.size == 25 and np.array_equal(curve.bounds, curve.values)
    assert curve.budgets[0] == pytest.approx(upfront[decided].sum())
    assert curve.budgets[-1] == pytest.approx(upfront[decided].sum() + upfront[open_].sum())
    assert np.allclose(np.diff(curve.budgets), np.diff(curve.budgets)[0])
    assert np.all(np.diff(curve.values) >= -1e-9 * np.abs(curve.values).max())
    capacity_room = np.inf if capacity is None else capacity - maintenance[decided].sum()
    brute = value[decided].sum() + brute_best(value[open_], upfront[open_], maintenance[open_],
                                              curve.budgets - upfront[decided].sum(), capacity_room)
    assert np.allclose(curve.values, brute, rtol=1e-9, atol=0)


@pytest.mark.parametrize("seed", range(20, 40))
def test_capacity_only_matches_brute_force(seed):
    value, upfront, maintenance, red, decision = random_plan(seed, n=14)
    capacity = np.random.default_rng(seed).uniform(0.1, 0.7) * maintenance.sum()
    result = fund(value, upfront, maintenance, red, decision, None, capacity)
    assert result.frontier is None and result.budget_left is None
    assert result.value == pytest.approx(expected(value, upfront, maintenance, red, decision, None, capacity), rel=1e-9)
    assert result.conflict is not None or maintenance[result.chosen].sum() <= capacity * TOL


def test_verdict_precedence():
    value = np.array([-10.0, 50, 0, 80, 90, 60, 70])
    red = np.array([True, False, True, True, False, False, False])
    decision = np.array(["fund", "skip", "", "", "", "", ""], dtype=object)
    upfront = np.array([5.0, 1, 1, 1, 40, 30, 30])
    result = fund(value, upfront, np.zeros(7), red, decision, budget=65.0)
    assert result.verdicts == ["fund (decided)", "skip (decided)", "fix the foundation first",
                               "fix the foundation first", "does not fit", "fund", "fund"]  # red before "does not pay"
    assert result.value == pytest.approx(-10 + 60 + 70) and result.upfront == 65.0 and result.budget_left == 0.0


def test_fund_decisions_over_budget_choose_nothing_else():
    value = np.array([100.0, 200, 300])
    upfront = np.array([35_000.0, 25_000, 1_000])
    decision = np.array(["fund", "fund", ""], dtype=object)
    result = fund(value, upfront, np.array([10.0, 10, 10]), np.zeros(3, bool), decision, budget=50_000.0,
                  capacity=1_000.0, ids=["A", "B", "C"], currency="EUR")
    assert result.chosen.tolist() == [True, True, False]
    assert result.verdicts == ["fund (decided)", "fund (decided)", "no recommendation: decisions conflict"]
    assert result.conflict.sentence() == ("the fund decisions and what they require (A, B): they need EUR 60,000 "
                                          "upfront, over the Budget of EUR 50,000")
    assert result.budget_left == -10_000.0 and result.capacity_left == 980.0 and result.frontier is None


def test_fund_decisions_over_capacity_are_named_as_such():
    value, upfront, maintenance = np.array([100.0, 200, 300]), np.array([10.0, 20, 30]), np.array([500.0, 0, 0])
    decision = np.array(["fund", "", ""], dtype=object)
    result = fund(value, upfront, maintenance, np.zeros(3, bool), decision, budget=1_000.0, capacity=400.0)
    assert result.chosen.tolist() == [True, False, False]
    assert result.conflict.reasons == ("they need 500 a month in maintenance, over the Monthly capacity of 400",)


def test_no_limits_fund_every_eligible_and_the_decisions():
    value, upfront = np.array([5.0, -1, 3, 4, 2]), np.array([1e9, 1, 1, 1, 1])
    red = np.array([False, False, True, False, False])
    decision = np.array(["", "fund", "", "", "skip"], dtype=object)
    result = fund(value, upfront, np.zeros(5), red, decision)
    assert result.chosen.tolist() == [True, True, False, True, False]
    assert result.verdicts == ["fund", "fund (decided)", "fix the foundation first", "fund", "skip (decided)"]
    assert result.frontier is None and result.budget_left is None and result.optimal and result.work == 0


def test_no_eligible_initiative_gives_a_single_frontier_point():
    result = fund([-5.0, 7.0], [10.0, 20.0], [0.0, 0.0], [False, True], ["", "fund"], budget=100.0)
    assert result.frontier.budgets.tolist() == [20.0] and result.frontier.values.tolist() == [7.0]
    assert result.verdicts == ["does not pay", "fund (decided)"]


def test_work_limit_is_reported_with_how_close_the_set_is():
    value, upfront = np.array([10.0, 9, 8, 7, 6]), np.array([5.0, 4, 4, 3, 3])
    result = fund(value, upfront, np.zeros(5), np.zeros(5, bool), [""] * 5, budget=8.0, work=0)
    best = brute_best(value, upfront, np.zeros(5), [8.0])[0]
    assert not result.optimal and not result.frontier.optimal
    assert upfront[result.chosen].sum() <= 8.0 and result.value > 0
    assert result.bound >= best >= result.value
    gap = result.bound - result.value
    open_ = int((~result.frontier.proven).sum())
    assert result.note("EUR").startswith(
        f"not proven best: the best possible is at most EUR {gap:,.0f} ({100 * gap / result.value:.2g}%) more than this set; "
        f"{open_} of 25 frontier points not proven, each at most EUR ")
    curve = result.frontier
    brute = brute_best(value, upfront, np.zeros(5), curve.budgets)
    assert np.all(curve.bounds >= brute - 1e-9) and np.all(brute >= curve.values - 1e-9)


def test_the_work_is_spent_on_the_portfolio_first_and_never_much_beyond_what_is_given():
    rng = np.random.default_rng(7)
    upfront, maintenance = rng.lognormal(np.log(22_000), 1.0, 40), rng.lognormal(np.log(400), 1.0, 40)
    value = upfront + maintenance + 1  # hard: no bound settles much
    args = value, upfront, maintenance, np.zeros(40, bool), [""] * 40, 0.3 * upfront.sum(), 0.3 * maintenance.sum()
    for work in (0, 100_000, 2_000_000):
        result = fund(*args, work=work)
        spent = result.work + result.frontier.work
        assert not result.optimal and spent <= 1.05 * work + 26 * 3 * solver.NODE_WORK
        assert result.work >= 0.8 * work  # the portfolio took its fill first
        assert result.bound >= result.value and np.all(result.frontier.bounds >= result.frontier.values)


def test_enough_work_proves_what_none_cannot():
    value, upfront = np.array([10.0, 9, 8, 7, 6]), np.array([5.0, 4, 4, 3, 3])
    result = fund(value, upfront, np.zeros(5), np.zeros(5, bool), [""] * 5, budget=8.0)
    assert result.optimal and result.frontier.optimal and result.note() == "" and result.value == 17.0
