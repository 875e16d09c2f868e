"""Benchmark `leverkit report` end to end and by phase.

    python benchmarks/bench_report.py            # 200 x 36 and 10,000 x 60
    python benchmarks/bench_report.py --quick    # 200 x 36 only

Generates workbooks of random but valid initiatives (some with ranges), then
for each: the wall time of `leverkit report` as a fresh process (interpreter
start included) with its peak memory, and the time of each phase in one
process. Prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter

HEADERS = ("ID", "Initiative", "Owner", "Leverage form", "Lever point", "Upfront cost", "Maintenance / month",
           "Reach / month", "Value per reach", "Growth / month", "Reach cap", "Delay (months)", "Decay / month",
           "Quality (1-5)", "Confidence", "Notes")
FORMS = ("labor", "capital", "code", "media", "process")
POINTS = ("symptom", "parameter", "delay", "information flow", "balancing goal", "reinforcing loop")


def make_workbook(path: Path, n: int, horizon: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet("Initiatives")
    ws.write_row(0, 0, HEADERS)
    for r in range(1, n + 1):
        low = rng.randint(1, 20) * 500
        ws.write_row(r, 0, [
            f"I{r}", f"Initiative {r}", rng.choice(["Ana", "Sam", "Lee"]), rng.choice(FORMS), rng.choice(POINTS),
            f"{low:,} to {low * 2:,}" if r % 3 == 0 else low, rng.randint(0, 400), rng.randint(1, 2000),
            round(rng.uniform(0.1, 60), 2), round(rng.uniform(-0.02, 0.06), 4), rng.choice([None, 5000]) or "",
            rng.randint(0, 12), round(rng.uniform(0, 0.02), 4), rng.randint(1, 5), round(rng.uniform(0.3, 1), 2), "",
        ])
    settings = wb.add_worksheet("Settings")
    settings.write_row(0, 0, ["Setting", "Value"])
    settings.write_row(1, 0, ["Horizon (months)", horizon])
    wb.close()
    return path


def end_to_end(path: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak MiB of `leverkit report` in a new process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "leverkit", "report", str(path), "--out", str(out)],
                   check=True, capture_output=True)
    wall = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kib / 1024


def phases(path: Path, out: Path) -> dict[str, float]:
    from leverkit.excel import write_ranked_workbook
    from leverkit.model import project
    from leverkit.ranking import rank_order
    from leverkit.ranking import Ranking
    from leverkit.reading import parse_sheets, read_grids
    from leverkit.summary import write_summary

    times = {}
    start = time.perf_counter()
    grids = read_grids(path.read_bytes(), str(path))
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    plan = parse_sheets(grids, str(path), path.stem)
    times["validate"] = time.perf_counter() - start
    start = time.perf_counter()
    projection = project(plan)
    ranking = Ranking(plan, projection, rank_order(projection, plan.settings.rank_by))
    times["project + rank"] = time.perf_counter() - start
    start = time.perf_counter()
    write_ranked_workbook(ranking, out / "phase_ranked.xlsx")
    times["write xlsx"] = time.perf_counter() - start
    start = time.perf_counter()
    write_summary(ranking, out / "phase.html")
    times["write html"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 200-initiative workbook")
    args = parser.parse_args()
    cases = [(200, 36)] + ([] if args.quick else [(10_000, 60)])
    print("| initiatives × months | end to end (s) | peak memory (MiB) | read | validate | project + rank | write xlsx | write html |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for n, horizon in cases:
            path = make_workbook(folder / f"bench_{n}.xlsx", n, horizon)
            subprocess.run([sys.executable, "-m", "leverkit", "--version"], check=True, capture_output=True)  # warm the disk cache
            wall, peak = end_to_end(path, folder / "out")
            split = phases(path, folder)
            cells = " | ".join(f"{split[k]:.2f}" for k in ("read", "validate", "project + rank", "write xlsx", "write html"))
            print(f"| {n:,} × {horizon} | {wall:.2f} | {peak:.0f} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
