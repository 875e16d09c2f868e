"""Benchmark the budgeted choice: the recommended portfolio and its frontier for many initiatives.

    python benchmarks/bench_funding.py                       # 10,000 and 200 initiatives, 25-point frontier
    python benchmarks/bench_funding.py --initiatives 2000 --seeds 3

Random but plan-like initiatives: upfront lognormal (median 22,000), maintenance
lognormal (median 400 a month), gross value lognormal, so the 36-month
risk-adjusted NPV is negative for some; 10% red, 20 "fund" and 20 "skip"
decisions, Budget 30% of all upfront and capacity 30% of all maintenance.
Prints a Markdown table for the README: the median seconds of --repeat
calls of fund(). Every solve is exact, so a row whose "proven" column says
no hit the solver's time limit.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--initiatives", type=int, nargs="+", default=[10_000, 200])
    parser.add_argument("--points", type=int, default=25)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fund(*plan(50, 0))  # load scipy and HiGHS before timing
    print("| initiatives | seed | eligible | limits | chosen | portfolio + frontier (s) | proven |")
    print("|---|---|---|---|---|---|---|")
    for size, seed in ((size, seed) for size in args.initiatives for seed in range(args.seeds)):
        value, upfront, maintenance, red, decision, budget, capacity = plan(size, seed)
        for label, cap in (("Budget", None), ("Budget + capacity", capacity)):
            took = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                result = fund(value, upfront, maintenance, red, decision, budget, cap, args.points)
                took.append(time.perf_counter() - start)
            open_ = (value > 0) & ~red & (decision == "")
            proven = "yes" if not result.note else "no: " + result.note
            print(f"| {size:,} | {seed} | {open_.sum():,} | {label} | {result.chosen.sum():,} "
                  f"| {np.median(took):.3f} | {proven} |")

if __name__ == "__main__":
    main()
