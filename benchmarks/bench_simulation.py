"""Benchmark the simulation phase (`leverkit.simulation.simulate`) and the sensitivity tornado.

    python benchmarks/bench_simulation.py

Each case runs in a fresh Python process: it builds a plan in memory (every
initiative with three ranged inputs, the ten possible trios in turn, half of
them with a reach cap, some with delay and decay), then times `simulate` and
`sensitivity`. Peak memory is that process's ru_maxrss, interpreter and plan
included. CPU time is shown beside wall time: on a shared machine the wall
time also counts other processes' turns. Targets: 10,000 initiatives x 60 months x 2,000 draws under 10 s
and 1 GB; 200 x 36 x 2,000 adds under 0.3 s. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import resource
import subprocess
import sys
import time

TRIOS = list(itertools.combinations(("upfront", "maintenance", "reach", "value", "growth"), 3))
CASES = ((10_000, 60, 2_000), (200, 36, 2_000))


def make_plan(initiatives: int, horizon: int, draws: int):
    import numpy as np

    from leverkit.plan import Initiative, Plan, Settings

    rng = np.random.default_rng(0)
    spans = {"upfront": (20_000, 80_000), "maintenance": (0, 400), "reach": (50, 400), "value": (2, 20),
             "growth": (-0.02, 0.06)}
    items = []
    for i in range(initiatives):
        ranges = {}
        for field in TRIOS[i % len(TRIOS)]:
            low, high = spans[field]
            a, b = sorted(rng.uniform(low, high, 2))
            ranges[field] = (float(a), float(b))
        median = {f: math.sqrt(a * b) if a > 0 else (a + b) / 2 for f, (a, b) in ranges.items()}
        items.append(Initiative(
            row=i + 2, id=f"I{i}", name=f"initiative {i}", owner="", form="code", lever_point="parameter",
            upfront=median.get("upfront", 50_000.0), maintenance=median.get("maintenance", 200.0),
            maintenance_missing=False, reach=median.get("reach", 200.0), value=median.get("value", 10.0),
            growth=median.get("growth", 0.02), cap=600.0 if i % 2 else math.inf, delay=i % 7,
            decay=0.01 * (i % 3), quality=4, confidence=1.0, notes="", ranges=ranges,
        ))
    return Plan("bench", Settings("bench", horizon=horizon, draws=draws), items, [])


def measure(initiatives: int, horizon: int, draws: int) -> dict:
    from leverkit.simulation import sensitivity, simulate

    plan = make_plan(initiatives, horizon, draws)
    start, cpu = time.perf_counter(), time.process_time()
    simulate(plan, [True] * initiatives)  # as ranking does, with the recommended portfolio summed: here all of them
    simulated, simulated_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    sensitivity(plan)
    tornado = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"simulate": simulated, "simulate_cpu": simulated_cpu, "sensitivity": tornado, "peak_mib": peak_kib / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", nargs=3, type=int, metavar=("INITIATIVES", "MONTHS", "DRAWS"),
                        help="measure one case in this process and print JSON (used by the table run)")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(measure(*args.case)))
        return
    print("| initiatives × months × draws | simulate (s) | simulate, CPU (s) | sensitivity (s) | peak memory (MiB) |")
    print("|---|---|---|---|---|")
    for case in CASES:
        out = subprocess.run([sys.executable, __file__, "--case", *map(str, case)],
                             check=True, capture_output=True, text=True).stdout
        figures = json.loads(out)
        print(f"| {case[0]:,} × {case[1]} × {case[2]:,} | {figures['simulate']:.2f} | {figures['simulate_cpu']:.2f} "
              f"| {figures['sensitivity']:.3f} "
              f"| {figures['peak_mib']:,.0f} |")


if __name__ == "__main__":
    main()
