"""Benchmark `leverkit batch` over a generated drive.

    python benchmarks/bench_batch.py                  # 200 workbooks x 50 initiatives
    python benchmarks/bench_batch.py --workbooks 40   # a quicker look

Times a fresh `leverkit batch` process (interpreter start included) with 1
worker and with 2 workers, each into an empty output folder, then a re-run
with nothing changed. Prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workbooks", type=int, default=200)
    parser.add_argument("--initiatives", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        drive = Path(folder) / "drive"
        for i in range(args.workbooks):
            team = drive / f"team{i % 20:02d}"
            team.mkdir(parents=True, exist_ok=True)
            make_workbook(team / f"plan{i:03d}.xlsx", args.initiatives, 36, seed=i)
        one = timed(str(drive), "--out", f"{folder}/one", "--workers", "1")
        two = timed(str(drive), "--out", f"{folder}/two", "--workers", "2")
        again = timed(str(drive), "--out", f"{folder}/two", "--workers", "2")
    print("| drive | 1 worker (s) | 2 workers (s) | speed-up | unchanged re-run (s) | re-run / first run |")
    print("|---|---|---|---|---|---|")
    print(f"| {args.workbooks} workbooks × {args.initiatives} initiatives | {one:.1f} | {two:.1f} | {one / two:.2f}× "
          f"| {again:.2f} | {again / two:.1%} |")


if __name__ == "__main__":
    main()
