"""The solver (leverkit/solver.py) against brute force over every subset and scipy.optimize.milp called directly."""
from __future__ import annotations

import ctypes
import functools
import io
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest

from leverkit import solver
from leverkit.solver import Infeasible, Problem, solve

TOL = 1 + 1e-9  # the documented fit tolerance: a billionth of a limit


def subsets(n: int) -> np.ndarray:
    """Every subset of n items as rows of a (2^n, n) boolean matrix."""
    return (np.arange(2**n)[:, None] >> np.arange(n)) & 1 == 1


def allowed(problem: Problem, chosen: np.ndarray) -> np.ndarray:
    """Which sets (rows of a boolean matrix, or one set) keep every limit, requirement, group and forced item."""
    chosen = np.atleast_2d(chosen)
    ok = np.all(chosen @ problem.weights.T <= problem.limits * TOL, axis=1)
    for i, j in problem.requires:
        ok &= ~chosen[:, i] | chosen[:, j]
    for group in problem.groups:
        ok &= chosen[:, group].sum(axis=1) <= 1
    return ok & chosen[:, problem.forced_in].all(axis=1) & ~chosen[:, problem.forced_out].any(axis=1)


def ordered(*values: float) -> bool:
    """values[0] ≤ values[1] ≤ ..., each up to floating-point rounding in sums (a relative 1e-12)."""
    return all(low <= high + 1e-12 * abs(high) for low, high in itertools.pairwise(values))


def brute(problem: Problem) -> float | None:
    """Best Σ value over every subset the problem allows; None when it allows none."""
    every = subsets(problem.value.size)
    ok = allowed(problem, every)
    return float((every @ problem.value)[ok].max()) if ok.any() else None


def needed(problem: Problem, chosen: np.ndarray) -> np.ndarray:
    """Items the pruning rule lets stay: forced in, chosen and worth > 0, or required (through any chain) by those."""
    n = problem.value.size
    reach = np.eye(n, dtype=int)
    reach[problem.requires[:, 0], problem.requires[:, 1]] = 1
    for _ in range(n):  # transitive closure by squaring
        reach = np.minimum(reach @ reach, 1)
    roots = problem.forced_in | (chosen & (problem.value > 0))
    return roots.astype(int) @ reach > 0


def random_problem(seed: int) -> Problem:
    """A small problem with every kind of rule: chains and cycles of requirements, an item worth ≤ 0 that a
    valuable one requires, groups, forced items and 0 to 3 limits (one of them sometimes none)."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(3, 15)), seed % 4
    value = np.round(rng.normal(1.0, 1.2, n), 2) if seed % 3 else rng.integers(-1, 4, n).astype(float)  # ties
    weights = rng.integers(0, 12, (k, n)) * rng.choice([1.0, 0.37])
    limits = np.round(rng.uniform(0.15, 0.7, k) * weights.sum(axis=1), 2)
    if k and seed % 5 == 0:
        limits[-1] = np.inf
    chain = rng.choice(n, 3, replace=False)
    requires = [(chain[0], chain[1]), (chain[1], chain[2])]
    if seed % 2:
        requires += [(chain[2], chain[0])]  # a cycle: all three or none
    helper, needy = rng.choice(n, 2, replace=False)
    value[helper] = -abs(value[helper]) - 0.5
    requires += [(needy, helper)] + [tuple(p) for p in rng.integers(0, n, (int(rng.integers(0, 3)), 2)) if p[0] != p[1]]
    groups = [tuple(rng.choice(n, int(rng.integers(2, 4)), replace=False)) for _ in range(int(rng.integers(0, 3)))]
    forced_in = rng.random(n) < 0.08
    forced_out = (rng.random(n) < 0.08) & ~forced_in
    return Problem(value, weights, limits, requires, groups, forced_in, forced_out)


@pytest.mark.parametrize("seed", range(400))
def test_matches_brute_force(seed):
    problem = random_problem(seed)
    best = brute(problem)
    if best is None:
        with pytest.raises(Infeasible):
            solve(problem)
        return
    found = solve(problem)
    assert found.proven and found.bound == found.value and found.gap == 0.0
    assert allowed(problem, found.chosen)[0]
    assert found.value == pytest.approx(best, rel=1e-9, abs=1e-9)
    assert found.value == pytest.approx(problem.value[found.chosen].sum(), rel=1e-12)
    assert not (found.chosen & (problem.value <= 0) & ~needed(problem, found.chosen)).any()


def test_the_brute_force_cases_cover_every_rule():
    problems = [random_problem(seed) for seed in range(400)]
    solvable = [p for p in problems if brute(p) is not None]
    assert len(solvable) > 300 and len(problems) - len(solvable) > 10  # and some forced sets that cannot be
    pulled = sum(bool((s.chosen & (p.value <= 0) & ~p.forced_in).any()) for p in solvable for s in [solve(p)])
    assert pulled > 20  # answers where a requirement pulls in an item worth ≤ 0
    assert {p.weights.shape[0] for p in problems} == {0, 1, 2, 3}


def test_a_requirement_pulls_in_an_item_worth_less_than_nothing():
    problem = Problem([10.0, -3.0, 6.0], [[4.0, 1.0, 5.0]], [5.0], requires=[(0, 1)])
    found = solve(problem)
    assert found.chosen.tolist() == [True, True, False] and found.value == 7.0 and found.proven


def test_a_cycle_is_all_or_nothing_and_a_group_takes_one():
    problem = Problem([5.0, 5.0, -1.0, 9.0, 8.0], [[1.0, 1, 1, 3, 2]], [5.0], requires=[(0, 1), (1, 2), (2, 0)],
                      groups=[(3, 4)])
    found = solve(problem)
    assert found.chosen.tolist() == [True, True, True, False, True] and found.value == 17.0


def test_items_worth_nothing_are_left_out_unless_forced_or_required():
    value = np.array([4.0, 0.0, 0.0, -1.0, 0.0, 0.0])
    problem = Problem(value, np.zeros((1, 6)), [1.0], requires=[(0, 1), (4, 5)],
                      forced_in=[False, False, False, False, True, False])
    found = solve(problem)  # everything fits and costs nothing: 2 and 3 could be in, but only 0, 1, 4, 5 may
    assert found.chosen.tolist() == [True, True, False, False, True, True] and found.value == 4.0


def test_forced_items_that_cannot_be_allowed_are_refused():
    with pytest.raises(Infeasible):
        solve(Problem([1.0, 1.0], [[2.0, 2.0]], [3.0], forced_in=[True, True]))
    with pytest.raises(Infeasible):
        solve(Problem([1.0, 1.0, 1.0], np.zeros((0, 3)), [], groups=[(0, 2)], requires=[(1, 2)],
                      forced_in=[True, True, False]))
    with pytest.raises(Infeasible):
        solve(Problem([1.0, 1.0], [[1.0, 1.0]], [5.0], requires=[(0, 1)], forced_in=[True, False],
                      forced_out=[False, True]))


@pytest.mark.parametrize("bad, message", [
    ({"weights": [[1.0, -1.0]]}, "not negative"),
    ({"limits": [-1.0]}, "not negative"),
    ({"value": [1.0, np.nan]}, "finite"),
    ({"weights": [[1.0, 1.0, 1.0]]}, "one row of 2 per limit"),
    ({"requires": [(0, 2)]}, "0..1"),
    ({"forced_in": [True]}, "forced_in has 1 entries"),
])
def test_a_malformed_problem_says_what_is_wrong(bad, message):
    with pytest.raises(ValueError, match=message):
        Problem(**{"value": [1.0, 2.0], "weights": [[1.0, 1.0]], "limits": [1.0], **bad})


def milp_optimum(problem: Problem) -> float:
    """scipy.optimize.milp on the raw numbers: every limit, requirement, group and forced item as written, gap 0."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = problem.value.size
    finite = np.isfinite(problem.limits)
    rows, upper = [problem.weights[finite]], [problem.limits[finite]]
    for i, j in problem.requires:
        rows.append(np.eye(n)[i] - np.eye(n)[j])
        upper.append([0.0])
    for group in problem.groups:
        rows.append(np.isin(np.arange(n), group).astype(float))
        upper.append([1.0])
    result = milp(-problem.value, integrality=np.ones(n), bounds=Bounds(problem.forced_in.astype(float),
                                                                          (~problem.forced_out).astype(float)),
                  constraints=LinearConstraint(np.vstack(rows), -np.inf, np.hstack(upper)),
                  options={"mip_rel_gap": 0})
    assert result.status == 0, result.message
    return -result.fun


SIZES = {"levels": 150, "random": 120, "proportional": 18, "adversarial": 14, "correlated": 30}  # milp: ~1 s each


def plan_like(seed: int, kind: str) -> Problem:
    """15–150 items with one to three limits, many near-ties, and in some requirements and groups."""
    rng = np.random.default_rng(seed)
    k = 1 + seed % 3
    n = SIZES[kind] - seed % 4
    weights = rng.lognormal(np.log(20_000), 0.4, (k, n))
    value = {"levels": lambda: rng.choice([12_000.0, 18_000.0, 27_000.0], n),  # a few values, many sets tie
             "random": lambda: rng.lognormal(np.log(20_000), 1.0, n) - 5_000,
             "proportional": lambda: 1.7 * weights[0],  # every set using the budget alike is worth alike
             "adversarial": lambda: weights.sum(axis=0) + 1,  # value = upfront + maintenance + 1
             "correlated": lambda: weights[0] + 10_000.0}[kind]()
    limits = rng.uniform(0.25, 0.5, k) * weights.sum(axis=1)
    requires, groups = [], []
    if seed % 2:
        requires = [tuple(p) for p in rng.choice(n, (n // 10, 2)) if p[0] != p[1]]
        groups = [tuple(g) for g in rng.permutation(n)[: 3 * (n // 12)].reshape(-1, 3)]
    return Problem(value, weights, limits, requires, groups)


@pytest.mark.parametrize("kind", ["levels", "random", "proportional", "adversarial", "correlated"])
@pytest.mark.parametrize("seed", range(6))
def test_matches_milp_beyond_brute_force(kind, seed):
    problem = plan_like(seed, kind)
    found, best = solve(problem), milp_optimum(problem)
    assert allowed(problem, found.chosen)[0]
    if found.proven:
        assert found.value == pytest.approx(best, rel=1e-9)
    else:
        assert ordered(found.value, best, found.bound)


@pytest.mark.parametrize("n", [50, 300])
@pytest.mark.parametrize("seed", range(3))
def test_a_team_plan_with_every_rule_matches_milp(n, seed):
    """A plan as teams write them, at 50 and 300 initiatives: Budget and capacity, decisions in and out, chains and
    cycles of requirements among the undecided (some onto money-losers), and alternative groups."""
    rng = np.random.default_rng(1_000 + seed)
    upfront, maintenance = rng.lognormal(np.log(22_000), 1.0, n), rng.lognormal(np.log(400), 1.0, n)
    value = rng.lognormal(np.log(30_000), 1.2, n) - 20_000
    forced_in, forced_out = np.zeros(n, bool), np.zeros(n, bool)
    decided = rng.permutation(n)[: n // 10]
    forced_in[decided[: n // 40]], forced_out[decided[n // 40:]] = True, True
    free = np.flatnonzero(~forced_in & ~forced_out)
    requires = [tuple(p) for p in rng.choice(free, (n // 6, 2)).tolist() if p[0] != p[1]]
    groups = [tuple(g) for g in rng.permutation(free)[: 3 * (n // 15)].reshape(-1, 3).tolist()]
    problem = Problem(value, np.vstack([upfront, maintenance]), [0.3 * upfront.sum(), 0.3 * maintenance.sum()],
                      requires, groups, forced_in, forced_out)
    assert problem.allows(forced_in)  # the decisions require nothing and fit: they do not conflict
    found, best = solve(problem), milp_optimum(problem)
    assert allowed(problem, found.chosen)[0] and found.proven
    assert found.value == pytest.approx(best, rel=1e-9)


def adversarial(n: int, seed: int = 0, forced: int = 0, easy: int = 0) -> Problem:
    """value = upfront + maintenance + 1 under a Budget and a capacity: almost every set is as good as its
    neighbours, so no bound cuts the search short. Beside the n: `forced` valuable items forced in, and `easy`
    ones worth so much for their cost that the linear-programming bound settles them in; the bound of a solve
    stopped short must count both, though neither is searched."""
    rng = np.random.default_rng(seed)
    size = n + forced + easy
    upfront, maintenance = rng.lognormal(np.log(22_000), 1.0, size), rng.lognormal(np.log(400), 1.0, size)
    value = upfront + maintenance + 1
    value[n:] *= 20
    limits = [0.3 * upfront[:n].sum() + upfront[n:].sum(), 0.3 * maintenance[:n].sum() + maintenance[n:].sum()]
    return Problem(value, np.vstack([upfront, maintenance]), limits, forced_in=(np.arange(size) >= n)
                   & (np.arange(size) < n + forced))


@functools.cache
def hard(rules: bool) -> tuple[Problem, float]:
    """An adversarial problem milp proves in a second, and its optimum; with `rules`, requirements and groups too."""
    if not rules:
        return adversarial(20, forced=3, easy=8), milp_optimum(adversarial(20, forced=3, easy=8))
    base = adversarial(22, seed=1, forced=2, easy=8)
    problem = Problem(base.value, base.weights, base.limits, requires=[(0, 1), (2, 3), (3, 0)],
                      groups=[(4, 5, 6), (7, 8)], forced_in=base.forced_in)
    return problem, milp_optimum(problem)


@pytest.mark.parametrize("work", [0, 3, 3_000, 10 * solver.NODE_WORK, 20 * solver.NODE_WORK])
def test_a_solve_stopped_short_says_how_far_from_the_best_it_can_be(work):
    """The search alone (little work) or the search and then HiGHS (more) stop short: the bound still holds."""
    problem, best = hard(rules=False)
    found = solve(problem, work=work)
    assert not found.proven and found.gap > 0
    assert ordered(found.value, best, found.bound) and allowed(problem, found.chosen)[0]
    assert found.gap < 0.05 * found.bound  # a bound worth having, not just "may not be optimal"


@pytest.mark.parametrize("work", [0, 5 * solver.NODE_WORK, 40 * solver.NODE_WORK])
def test_a_stopped_solve_with_rules_bounds_the_best_too(work):
    problem, best = hard(rules=True)
    found = solve(problem, work=work)
    assert not found.proven and ordered(found.value, best, found.bound) and allowed(problem, found.chosen)[0]
    assert found.gap < 0.05 * found.bound


@functools.cache
def many_near_the_margin() -> tuple[Problem, float]:
    """60 adversarial items, and the value of a set found with much more work (a lower bound on the best)."""
    problem = adversarial(60, seed=1)
    return problem, solve(problem, work=3_000_000).value


@pytest.mark.parametrize("work", [0, 1_000, 4_000, 30_000, 300_000])
def test_a_bound_from_the_first_few_items_still_holds_for_all(work):
    """60 items near the margin: the search starts with the 16 nearest, and stopped there, its bound must still
    cover sets that decide the others differently; more work finds such sets."""
    problem, better = many_near_the_margin()
    found = solve(problem, work=work)
    assert not found.proven and ordered(found.value, better, found.bound)


def test_enough_work_proves_what_a_little_cannot():
    problem = adversarial(14)
    found = solve(problem)
    assert found.proven and found.value == pytest.approx(milp_optimum(problem), rel=1e-9)
    assert found.work > solve(problem, work=1_000).work


@pytest.mark.parametrize("work", [300_000, 1_000_000])
def test_the_same_problem_gives_the_same_answer(work):
    other = adversarial(40, seed=2)
    for problem in (adversarial(40), Problem(other.value, other.weights, other.limits, requires=[(0, 1), (1, 2)],
                                             groups=[(3, 4, 5)])):
        first, second = solve(problem, work=work), solve(problem, work=work)
        assert first.chosen.tolist() == second.chosen.tolist()
        assert (first.value, first.bound, first.proven, first.work) == (second.value, second.bound, second.proven,
                                                                       second.work)
        assert first.work <= work + 2 * solver.NODE_WORK + 2 * solver.SEARCH_STATES


def test_a_start_is_kept_when_no_work_is_left_and_ignored_when_not_allowed():
    problem = adversarial(30)
    good = solve(problem, work=2_000_000).chosen
    assert solve(problem, work=0, start=good).value >= problem.value[good].sum()
    everything = np.ones(30, bool)  # breaks both limits
    found = solve(problem, work=0, start=everything)
    assert allowed(problem, found.chosen)[0] and not found.proven


def items_a_hair_apart(n: int = 8) -> Problem:
    """{0, 1} is over the limit of 1 by 1e-7, inside HiGHS's feasibility tolerance; {0, j} fits exactly and is best."""
    weights, value = np.full(n, 0.5), np.full(n, 0.9)
    weights[1] += 1e-7
    value[:2] = 1.0
    return Problem(value, weights[None], [1.0], groups=[(n - 2, n - 1)])  # the group sends it to HiGHS


def test_items_a_hair_apart_are_told_apart():
    found = solve(items_a_hair_apart())
    assert found.proven and found.value == pytest.approx(1.9) and found.chosen[0] and not found.chosen[1]


def test_a_set_over_a_limit_by_highs_tolerance_is_cut_off(monkeypatch):
    """Started from {0, 1}, HiGHS keeps it (it fits within HiGHS's tolerance); the exact sums refuse it, and the
    cut Σ x over {0, 1} ≤ 1 sends HiGHS on to the best set that fits."""
    import highspy

    models, pass_model = [], highspy.Highs.passModel

    def watched(self, lp):
        models.append(lp.num_row_)
        return pass_model(self, lp)

    monkeypatch.setattr(highspy.Highs, "passModel", watched)
    problem = items_a_hair_apart()
    core = solver._Core(problem.value, problem.weights, problem.limits, problem.requires, list(problem.groups))
    found = solver._mip(core, 100, np.arange(8) < 2)
    assert found.proven and core.value[found.picked].sum() == pytest.approx(1.9) and found.picked[0]
    assert len(models) >= 2 and models == list(range(2, 2 + len(models)))  # the limit and the group, then a cut each


@pytest.mark.parametrize("seed", range(300, 304))
def test_search_agrees_with_highs(seed, monkeypatch, capfd):
    """60 items: the dynamic programme and HiGHS (gap 0) find sets worth the same, and HiGHS prints nothing."""
    rng = np.random.default_rng(seed)
    value, costs = rng.lognormal(0, 0.3, 60) * 100, rng.lognormal(0, 0.3, (2, 60)) * 100  # many near-ties
    problem = Problem(value, costs, np.array([0.3, 0.35]) * costs.sum(axis=1))
    searched = solve(problem)
    monkeypatch.setattr(solver, "SEARCH_SHARE", 0.0)  # hand every core to HiGHS at once
    solved = solve(problem)
    assert searched.proven and solved.proven and solved.work > searched.work // 100
    assert searched.value == pytest.approx(solved.value, rel=1e-9)
    assert allowed(problem, searched.chosen)[0] and allowed(problem, solved.chosen)[0]
    assert capfd.readouterr().out == ""


def test_a_fresh_process_solving_with_highs_prints_nothing():
    code = ("from leverkit.solver import Problem, solve; "
            "print(solve(Problem([3.0, 2, 2], [[2.0, 1, 1]], [2.0], groups=[(1, 2)])).value, end='')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert run.stdout == "3.0"


def test_quiet_silences_file_descriptor_1_and_restores_it(capfd):
    printf = ctypes.CDLL(None).printf
    with solver._quiet():
        printf(b"from C\n")
        os.write(1, b"from the descriptor\n")
    os.write(1, b"after\n")
    assert capfd.readouterr().out == "after\n"


def test_quiet_works_when_stdout_has_no_descriptor(monkeypatch, capfd):
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # as under click's CliRunner
    with solver._quiet():
        os.write(1, b"hidden\n")
    print("kept")
    os.write(1, b"after\n")
    assert sys.stdout.getvalue() == "kept\n" and capfd.readouterr().out == "after\n"
