"""Benchmark `leverkit batch` over a generated drive.

    python benchmarks/bench_batch.py                  # 200 workbooks x 50 initiatives
    python benchmarks/bench_batch.py --workbooks 40   # a quicker look

Times a fresh `leverkit batch` process (interpreter start included) with 1
worker and with 2 workers, each into an empty output folder, then a re-run
with nothing changed. Then what one workbook costs a worker, by phase, in one
warm process (the median over the drive's first workbooks): reading,
ranking, the ranked workbook, and the HTML page, with the part of the page
that is its charts. Prints Markdown tables for the README.
"""
from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_report import make_workbook  # noqa: E402


def timed(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "leverkit", "batch", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def per_workbook(paths: list[Path]) -> dict[str, float]:
    """Median milliseconds per phase of one workbook, as a batch worker does it."""
    from leverkit import charts, summary
    from leverkit.excel import build
    from leverkit.ranking import rank
    from leverkit.reading import read_bytes

    times: dict[str, list[float]] = {}
    for k, path in enumerate(paths):
        data = path.read_bytes()
        steps = {}
        start = time.perf_counter()
        plan = read_bytes(data, str(path), path.stem)
        steps["read"] = time.perf_counter()
        ranking = rank(plan)
        steps["rank"] = time.perf_counter()
        build(ranking, io.BytesIO())
        steps["write xlsx"] = time.perf_counter()
        summary.render(ranking)
        steps["html page"] = time.perf_counter()
        for chart in (charts.cumulative_cash_flow, charts.quality_map, charts.npv_by_form, summary._uncertainty):
            chart(ranking)
        steps["of which charts"] = time.perf_counter()
        if k >= 2:  # the first two warm the imports and the template cache
            last = start
            for name, at in steps.items():
                times.setdefault(name, []).append((at - last) * 1000)
                last = at
    return {name: statistics.median(values) for name, values in times.items()}


def measure(workbooks: int = 200, initiatives: int = 50) -> None:
    """Time batch runs over a generated drive and print the tables."""
    with tempfile.TemporaryDirectory() as folder:
        drive = Path(folder) / "drive"
        for i in range(workbooks):
            team = drive / f"team{i % 20:02d}"
            team.mkdir(parents=True, exist_ok=True)
            make_workbook(team / f"plan{i:03d}.xlsx", initiatives, 36, seed=i)
        one = timed(str(drive), "--out", f"{folder}/one", "--workers", "1")
        two = timed(str(drive), "--out", f"{folder}/two", "--workers", "2")
        again = timed(str(drive), "--out", f"{folder}/two", "--workers", "2")
        split = per_workbook(sorted(drive.rglob("*.xlsx"))[:12])
    print("| drive | 1 worker (s) | 2 workers (s) | speed-up | unchanged re-run (s) | re-run / first run |")
    print("|---|---|---|---|---|---|")
    print(f"| {workbooks} workbooks × {initiatives} initiatives | {one:.1f} | {two:.1f} | {one / two:.2f}× "
          f"| {again:.2f} | {again / two:.1%} |")
    print("\nOne workbook in a worker, by phase (milliseconds, median):\n")
    print("| " + " | ".join(split) + " |")
    print("|" + "---|" * len(split))
    print("| " + " | ".join(f"{v:.0f}" for v in split.values()) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workbooks", type=int, default=200)
    parser.add_argument("--initiatives", type=int, default=50)
    args = parser.parse_args()
    measure(args.workbooks, args.initiatives)


if __name__ == "__main__":
    main()
