"""Benchmark the budgeted choice: the recommended portfolio and its frontier, plain and with rules.

    python benchmarks/bench_funding.py                       # every case below, median of 3 runs
    python benchmarks/bench_funding.py --initiatives 2000 --repeat 1

Cases:
- plan: random but plan-like initiatives (upfront lognormal, median 22,000;
  maintenance lognormal, median 400 a month; gross value lognormal, so the
  36-month risk-adjusted NPV is negative for some; 10% red, 20 "fund" and 20
  "skip" decisions), Budget 30% of all upfront, with and without a capacity
  of 30% of all maintenance: fund(), portfolio and 25-point frontier.
- adversarial: 40 such initiatives worth upfront + maintenance + 1, all
  eligible, Budget and capacity: almost every set is as good as its
  neighbours, so no bound settles much; the solver stops at its work limit
  and says how close it got.
- rules: a 2,000-initiative plan with 300 requirements ("i needs j") and 150
  alternative groups (2-4 initiatives, at most one funded) among the
  undecided ones, Budget and capacity: fund(), portfolio and frontier.

Prints a Markdown table for the README: median seconds of --repeat runs,
whether every set is proven best, the gap (how much more the best possible
may be worth; portfolio, then the frontier's largest) and the work spent.
The work, and so every answer, is the same on every run; the script checks.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from leverkit import solver
from leverkit.funding import fund


def plan(n: int, seed: int):
    """value, upfront, maintenance, red, decision, budget, capacity for n initiatives."""
    rng = np.random.default_rng(seed)
    upfront = rng.lognormal(np.log(22_000), 1.0, n)
    maintenance = rng.lognormal(np.log(400), 1.0, n)
    gross = rng.lognormal(np.log(1_500), 1.2, n)
    r = 1.10 ** (1 / 12) - 1
    annuity = (1 - (1 + r) ** -36) / r
    value = ((gross - maintenance) * annuity - upfront) * rng.uniform(0.5, 1.0, n)
    red = rng.random(n) < 0.10
    decision = np.full(n, "", dtype=object)
    picks = rng.choice(n, 40, replace=False)
    decision[picks[:20]], decision[picks[20:]] = "fund", "skip"
    return value, upfront, maintenance, red, decision, 0.3 * upfront.sum(), 0.3 * maintenance.sum()


def adversarial(n: int, seed: int):
    """A plan of n eligible initiatives worth upfront + maintenance + 1, with a Budget and a capacity."""
    _, upfront, maintenance, _, _, budget, capacity = plan(n, seed)
    return upfront + maintenance + 1, upfront, maintenance, np.zeros(n, bool), [""] * n, budget, capacity


def with_rules(n: int, seed: int, requirements: int = 300, groups: int = 150) -> tuple[tuple, dict]:
    """The plan with requirements and alternative groups among its undecided initiatives (chains and cycles as
    they fall): fund()'s arguments and its keyword arguments."""
    value, upfront, maintenance, red, decision, budget, capacity = plan(n, seed)
    rng = np.random.default_rng(seed + 1)
    free = np.flatnonzero(decision == "")
    pairs = rng.choice(free, (requirements, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    sizes = rng.integers(2, 5, groups)
    members = rng.permutation(free)[: sizes.sum()]
    return ((value, upfront, maintenance, red, decision, budget, capacity),
            {"requires": [tuple(p) for p in pairs.tolist()], "groups": np.split(members, np.cumsum(sizes)[:-1])})


def share(gap: float, bound: float) -> str:
    return "0" if gap <= 0 else f"{gap:,.0f} ({gap / abs(bound):.3%})"


def timed(run, fingerprint, repeat: int):
    """Median seconds of `repeat` runs, and the last run's result; every run must give the same answer."""
    took, answers = [], set()
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        took.append(time.perf_counter() - start)
        answers.add(fingerprint(result))
    if len(answers) > 1:
        raise AssertionError("the same problem gave different answers")
    return float(np.median(took)), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--initiatives", type=int, nargs="+", default=[200, 2_000, 10_000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fund(*plan(50, 0))  # load numpy's and the solver's code before timing
    solver.solve(solver.Problem([1.0, 1.0], [[1.0, 1.0]], [1.0], groups=[(0, 1)]))  # and HiGHS
    print("| case | initiatives | limits | seconds | proven | gap: portfolio; frontier's largest | work |")
    print("|---|---|---|---|---|---|---|")

    def row(case: str, size: int, limits: str, seconds: float, proven: bool, gaps: str, work: int) -> None:
        print(f"| {case} | {size:,} | {limits} | {seconds:.2f} | {'yes' if proven else 'no'} | {gaps} | {work:,} |",
              flush=True)

    def funded(case: str, size: int, limits: str, made, rules: dict | None = None) -> None:
        seconds, f = timed(lambda: fund(*made, **(rules or {})),
                           lambda f: (f.chosen.tobytes(), f.value, f.bound, f.work, f.frontier.values.tobytes(),
                                      f.frontier.bounds.tobytes()), args.repeat)
        worst = int(np.argmax(f.frontier.bounds - f.frontier.values))
        gaps = (f"{share(f.bound - f.value, f.bound)}; "
                f"{share(f.frontier.bounds[worst] - f.frontier.values[worst], f.frontier.bounds[worst])}")
        row(case, size, limits, seconds, f.optimal, gaps, f.work + f.frontier.work)

    for size in args.initiatives:
        value, upfront, maintenance, red, decision, budget, capacity = plan(size, args.seed)
        funded("plan", size, "Budget", (value, upfront, maintenance, red, decision, budget, None))
        funded("plan", size, "Budget + capacity", (value, upfront, maintenance, red, decision, budget, capacity))
    funded("adversarial", 40, "Budget + capacity", adversarial(40, args.seed))
    funded("rules: 300 requirements, 150 groups", 2_000, "Budget + capacity", *with_rules(2_000, args.seed))


if __name__ == "__main__":
    main()
