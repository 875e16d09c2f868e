"""Benchmark what a living plan adds: forward values and the portfolio's cash view with its P10–P90 by month.

    python benchmarks/bench_living.py                 # 10,000 initiatives, 3,000 started, 24 months of actuals each
    python benchmarks/bench_living.py --largest       # also the largest settings allowed: 10,000 ranged x 100,000 draws

A plan of 10,000 random but valid initiatives over 60 months (a third with
ranges, 2,000 draws), 3,000 of them started 24 months before As of with a row
of actuals for each of those months (72,000 rows). The plan is read and
ranked once as leverkit does; the two new steps are then timed again on their
own, as the median of --repeat runs of processor time, with the peak of the
memory they allocate (tracemalloc, which counts numpy's arrays):

- progress: which initiatives are started, E, ρ and the forward values;
- the cash view: the recommended portfolio's months after As of, its cash need,
  payback month and fiscal years, and with simulation on the P10–P90 of C_m
  for every month and of the cash need, draw by draw.

With --largest, the whole `leverkit.rank` of 10,000 initiatives, every one
ranged, with 100,000 draws (the most Simulation draws allows), timed once in
wall-clock seconds. Prints Markdown tables for benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import datetime
import statistics
import time
import tracemalloc

import numpy as np

from leverkit.plan import Actuals
from leverkit.ranking import basis, choose, draws_where, portfolio_cash, rank, values
from leverkit.model import project
from leverkit.reading import Grid, parse_sheets
from leverkit.simulation import simulate
from leverkit.tracking import progress, track

HEADERS = ["ID", "Initiative", "Owner", "Leverage form", "Upfront cost", "Maintenance / month", "Reach / month",
           "Value per reach", "Growth / month", "Reach cap", "Quality (1-5)", "Confidence", "Start"]
AS_OF = datetime.date(2026, 11, 1)


def plan(n: int, started: int, draws: int, ranged_share: float = 1 / 3, seed: int = 1):
    """n initiatives, the first `started` of them started 24 months before As of with 24 months of actuals."""
    rng = np.random.default_rng(seed)
    forms = ("labor", "capital", "code", "media", "process")
    rows = [HEADERS]
    for k in range(n):
        upfront = float(rng.integers(1, 40) * 500)
        ranged = rng.random() < ranged_share
        rows.append([f"I{k}", f"Initiative {k}", ["Ana", "Sam", "Lee"][k % 3], forms[k % 5],
                     f"{upfront * 0.8:,.0f} to {upfront * 1.3:,.0f}" if ranged else upfront,
                     float(rng.integers(0, 400)), float(rng.integers(1, 2000)),
                     f"{v * 0.7:.2f} to {v * 1.4:.2f}" if ranged and (v := round(rng.uniform(0.5, 60), 2)) else
                     round(rng.uniform(0.5, 60), 2),
                     round(rng.uniform(-0.01, 0.05), 4), 5000.0, int(rng.integers(3, 6)), 0.9,
                     "2024-12" if k < started else None])
    settings = [["Setting", "Value"], ["Horizon (months)", 60], ["As of", AS_OF], ["Simulation draws", draws],
                ["Budget", 2_000_000], ["Monthly capacity", 300_000]]
    actuals = [["ID", "Month", "Gross value", "Spend"]]
    for k in range(started):
        for m in range(24):
            month = datetime.date(2024 + (11 + m) // 12, (11 + m) % 12 + 1, 1)
            actuals.append([f"I{k}", month, float(rng.integers(0, 5000)), float(rng.integers(0, 600))])
    return parse_sheets({"Initiatives": Grid("Initiatives", rows), "Settings": Grid("Settings", settings),
                         "Actuals": Grid("Actuals", actuals)}, "bench.xlsx", "bench")


def measure(call, repeat: int) -> tuple[float, float]:
    """(median processor seconds, peak MiB allocated during one run) of call()."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    tracemalloc.start()
    call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--initiatives", type=int, default=10_000)
    parser.add_argument("--started", type=int, default=3_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--largest", action="store_true")
    args = parser.parse_args()
    p = plan(args.initiatives, args.started, 2000)
    assert len(p.actuals or Actuals.empty()) == args.started * 24 and not p.issues
    start = time.perf_counter()
    whole = rank(p)
    took = time.perf_counter() - start
    projection = project(p)
    tracking = track(p, projection, p.actuals)
    rho = tracking.realisation_of(len(p.initiatives))
    where = progress(p, projection, rho)
    funding = choose(p, projection, where, values(p, projection, where))
    simulation = simulate(p, funding.chosen, draws_where(where), basis(projection, where))
    progress_time, progress_memory = measure(lambda: progress(p, projection, rho), args.repeat)
    cash_time, cash_memory = measure(lambda: portfolio_cash(p, projection, where, funding.chosen, simulation),
                                     args.repeat)
    chosen = int(funding.chosen.sum())
    print(f"{args.initiatives:,} initiatives ({args.started:,} started, {len(p.actuals):,} rows of actuals), "
          f"{chosen:,} in the portfolio, {int(simulation.ranged[funding.chosen].sum()):,} of them ranged; "
          f"the whole rank {took:.1f} s\n")
    print("| new step | processor seconds (median) | peak MiB allocated |")
    print("|---|---|---|")
    print(f"| progress and forward values | {progress_time:.3f} | {progress_memory:.0f} |")
    print(f"| the cash view, P10–P90 by month | {cash_time:.3f} | {cash_memory:.0f} |")
    print(f"| together | {progress_time + cash_time:.3f} | {max(progress_memory, cash_memory):.0f} |")
    assert whole.cash is not None
    if args.largest:
        big = plan(args.initiatives, args.started, 100_000, ranged_share=1.0)
        start = time.perf_counter()
        rank(big)
        print(f"\n| the largest settings: {args.initiatives:,} ranged initiatives x 100,000 draws | "
              f"{time.perf_counter() - start:,.0f} s to rank |")


if __name__ == "__main__":
    main()
