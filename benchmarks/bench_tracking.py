"""Benchmark reading an Actuals sheet and tracking it against the plan.

    python benchmarks/bench_tracking.py

10,000 started initiatives over a 36-month horizon, each with 24 months of
actuals (240,000 Actuals rows), as the cell values a workbook reader hands
over: months as date cells, then as `YYYY-MM` text. Prints the best of three
runs of `read_actuals` and of `track`; the target is under 3 s together.
"""
from __future__ import annotations

import datetime
import random
import time

from leverkit.ranking import rank
from leverkit.reading import Grid, parse_sheets, read_actuals
from leverkit.tracking import track

HEADERS = ["ID", "Initiative", "Owner", "Leverage form", "Upfront cost", "Maintenance / month", "Reach / month",
           "Value per reach", "Growth / month", "Delay (months)", "Quality (1-5)", "Start"]
INITIATIVES, MONTHS, HORIZON = 10_000, 24, 36


def make_plan(rng: random.Random):
    rows = [HEADERS] + [
        [f"I{i}", f"Initiative {i}", rng.choice(["Ana", "Sam", "Lee", ""]), "code", rng.randint(1, 20) * 500,
         rng.randint(0, 400), rng.randint(1, 2000), round(rng.uniform(0.1, 60), 2), round(rng.uniform(-0.02, 0.04), 4),
         rng.randint(0, 6), rng.randint(1, 5), datetime.date(2023 + i % 2, 1 + i % 12, 1)]
        for i in range(INITIATIVES)
    ]
    settings = Grid("Settings", [["Setting", "Value"], ["Horizon (months)", HORIZON]])
    return parse_sheets({"Initiatives": Grid("Initiatives", rows), "Settings": settings}, "bench.xlsx", "bench")


def actuals_rows(plan, rng: random.Random, as_text: bool) -> list[list]:
    rows = [["ID", "Month", "Gross value", "Spend"]]
    for item in plan.initiatives:
        for t in range(MONTHS):
            n = item.start.year * 12 + item.start.month - 1 + t
            when = f"{n // 12}-{n % 12 + 1:02d}" if as_text else datetime.date(n // 12, n % 12 + 1, 15)
            rows.append([item.id, when, round(rng.uniform(0, 50_000), 2), round(rng.uniform(0, 1_000), 2)])
    return rows


def best_of(runs: int, call):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    rng = random.Random(1)
    plan = make_plan(rng)
    projection = rank(plan).projection
    for as_text in (False, True):
        grid = Grid("Actuals", actuals_rows(plan, rng, as_text))
        read_s, (actuals, issues) = best_of(3, lambda: read_actuals(grid, plan.initiatives, plan.settings))
        track_s, tracking = best_of(3, lambda: track(plan, projection, actuals))
        assert not issues and len(actuals) == INITIATIVES * MONTHS and len(tracking) == INITIATIVES
        kind = "YYYY-MM text" if as_text else "date cells  "
        print(f"months as {kind}: {len(grid.rows) - 1:,} rows  read_actuals {read_s:.2f} s  "
              f"track {track_s:.2f} s  total {read_s + track_s:.2f} s")


if __name__ == "__main__":
    main()
