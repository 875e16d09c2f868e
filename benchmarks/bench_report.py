"""Benchmark `leverkit report` end to end against two baselines, and by phase.

    python benchmarks/bench_report.py            # 200 x 60, 10,000 x 60, then a batch of 200 workbooks
    python benchmarks/bench_report.py --quick    # 200 x 60 only
    python benchmarks/bench_report.py --runs 7   # more runs per median

Generates workbooks of random but valid initiatives (a third with ranges),
compiles leverkit's bytecode (as pip does when it installs a package), then
for each size times three fresh interpreters, interpreter start included,
taking turns, and reports the median of several rounds:

- leverkit: `python -m leverkit report` (with its peak memory);
- the floor: reads the Initiatives sheet with python-calamine and writes
  Ranked- and Projection-sized sheets of full-precision floats with
  XlsxWriter, nothing else: no writer can do the job in less (Ranked-sized
  is as wide as the Ranked sheet leverkit wrote for the same workbook);
  and the same floor with Python's cycle collector paused, as leverkit
  pauses it while it builds a workbook, to show what that alone is worth;
- the pandas script: what a planner would write by hand, pandas.read_excel
  with calamine, numpy for the projection (numpy_financial.npv's formula as
  one matrix product, as npv takes one row at a time), DataFrame.to_excel
  through XlsxWriter.

Then the time of each phase of leverkit in one process (one after the other;
`leverkit report` writes the HTML beside the workbook in a second process),
and, unless --quick, the batch figures of bench_batch.py. Prints Markdown
tables for the README.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook

HEADERS = ("ID", "Initiative", "Owner", "Leverage form", "Lever point", "Upfront cost", "Maintenance / month",
           "Reach / month", "Value per reach", "Growth / month", "Reach cap", "Delay (months)", "Decay / month",
           "Quality (1-5)", "Confidence", "Notes")
FORMS = ("labor", "capital", "code", "media", "process")
POINTS = ("symptom", "parameter", "delay", "information flow", "balancing goal", "reinforcing loop")

FLOOR = """
import gc, random, sys
import xlsxwriter
from python_calamine import CalamineWorkbook

source, target, horizon, ranked = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if sys.argv[5:] == ["paused"]:
    gc.disable()
rows = CalamineWorkbook.from_path(source).get_sheet_by_name("Initiatives").to_python()[1:]
rng = random.Random(1)
wb = xlsxwriter.Workbook(target)
for name, width in (("Ranked", ranked), ("Projection", horizon + 4)):
    ws = wb.add_worksheet(name)
    for r in range(len(rows) + 1):
        ws.write_row(r, 0, [rng.random() * 1e6 for _ in range(width)])
wb.close()
"""

PANDAS = """
import sys
import numpy as np
import pandas as pd

source, target, horizon = sys.argv[1], sys.argv[2], int(sys.argv[3])
df = pd.read_excel(source, sheet_name="Initiatives", engine="calamine")
settings = pd.read_excel(source, sheet_name="Settings", engine="calamine")


def median(value):
    if isinstance(value, str):
        low, high = (float(x.replace(",", "")) for x in value.split(" to "))
        return np.sqrt(low * high)
    return float(value)


upfront = df["Upfront cost"].map(median).to_numpy()
maintenance = df["Maintenance / month"].fillna(0).to_numpy(float)
reach, value = df["Reach / month"].to_numpy(float), df["Value per reach"].to_numpy(float)
growth, decay = df["Growth / month"].fillna(0).to_numpy(float), df["Decay / month"].fillna(0).to_numpy(float)
cap = pd.to_numeric(df["Reach cap"], errors="coerce").fillna(np.inf).to_numpy(float)
delay = df["Delay (months)"].fillna(0).to_numpy(float)
k = np.arange(1, horizon + 1)[None, :] - delay[:, None]
steps = np.where(k >= 1, k - 1, 0)
reach_t = np.where(k >= 1, np.minimum(cap[:, None], reach[:, None] * (1 + growth[:, None]) ** steps), 0)
unit = np.where(k >= 1, value[:, None] * (1 - decay[:, None]) ** steps, 0)
cf = np.hstack([-upfront[:, None], reach_t * unit - maintenance[:, None]])
rate = (1 + 0.10) ** (1 / 12) - 1
df["NPV"] = cf @ (1 + rate) ** -np.arange(horizon + 1)  # numpy_financial.npv, for a whole 2-D array at once
df["Risk-adjusted NPV"] = df["NPV"] * df["Confidence"].fillna(1)
cumulative = cf.cumsum(axis=1)
df["Value at horizon"] = cumulative[:, -1]
df["Leverage multiple"] = (reach_t * unit).sum(axis=1) / (upfront + horizon * maintenance)
order = np.argsort(-df["Risk-adjusted NPV"].to_numpy(), kind="stable")
ranked = df.iloc[order].reset_index(drop=True)
ranked.insert(0, "Rank", np.arange(1, len(df) + 1))
projection = pd.DataFrame(cumulative[order], columns=[f"Month {t}" for t in range(horizon + 1)])
projection.insert(0, "Initiative", ranked["Initiative"])
projection.insert(0, "ID", ranked["ID"])
projection.insert(0, "Rank", ranked["Rank"])
with pd.ExcelWriter(target, engine="xlsxwriter") as writer:
    ranked.to_excel(writer, sheet_name="Ranked", index=False)
    projection.to_excel(writer, sheet_name="Projection", index=False)
"""


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


def compile_leverkit() -> None:
    """Compile leverkit's bytecode, as the libraries' already is: pip compiles an installed package, while an
    editable install writes it on first use, unless PYTHONDONTWRITEBYTECODE is set (as on this project's
    machines), which would make every timed run compile leverkit again."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).parent.parent / "leverkit")], check=True)


def finished(command: list[str]):
    """Wall seconds and the resource usage of one fresh process, run to its end (its own usage, so its own
    peak memory rather than the largest child's so far); its error output is kept in a file, which cannot fill."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command)} failed:\n{errors.read().decode()}")
    return wall, usage


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MiB of one fresh process."""
    wall, usage = finished(command)
    return wall, usage.ru_maxrss / 1024


def median_runs(scripts: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall seconds and largest peak MiB of each script over `runs` rounds, the scripts taking turns
    within each round so that a slow spell of the machine falls on all of them alike."""
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in scripts}
    for _ in range(runs):
        for name, command in scripts.items():
            results[name].append(timed(command))
    return {name: (statistics.median(w for w, _ in r), max(m for _, m in r)) for name, r in results.items()}


def phases(path: Path, out: Path) -> dict[str, float]:
    from leverkit.api import write_excel, write_html
    from leverkit.ranking import rank
    from leverkit.reading import parse_sheets, read_grids
    from leverkit.tables import sheets

    times = {}
    start = time.perf_counter()
    grids = read_grids(path.read_bytes(), str(path))
    times["read"] = time.perf_counter() - start
    start = time.perf_counter()
    plan = parse_sheets(grids, str(path), path.stem)
    times["validate"] = time.perf_counter() - start
    start = time.perf_counter()
    ranking = rank(plan)
    times["project, simulate, rank"] = time.perf_counter() - start
    start = time.perf_counter()
    sheets(ranking)
    times["tables (also inside write xlsx)"] = time.perf_counter() - start
    start = time.perf_counter()
    write_excel(ranking, out / "phase_ranked.xlsx")
    times["write xlsx"] = time.perf_counter() - start
    start = time.perf_counter()
    write_html(ranking, out / "phase.html")
    times["write html"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the 200-initiative workbook, no batch")
    parser.add_argument("--runs", type=int, default=5, help="runs per median (default 5)")
    args = parser.parse_args()
    cases = [(200, 60)] + ([] if args.quick else [(10_000, 60)])
    compile_leverkit()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        (folder / "floor.py").write_text(FLOOR)
        (folder / "pandas_script.py").write_text(PANDAS)
        paths = {(n, horizon): make_workbook(folder / f"bench_{n}.xlsx", n, horizon) for n, horizon in cases}
        print(f"End to end, fresh process, median of {args.runs} runs (seconds):\n")
        print("| initiatives × months | leverkit | floor | floor, collector paused | pandas script | leverkit / floor | "
              "leverkit / pandas | leverkit peak memory (MiB) |")
        print("|---|---|---|---|---|---|---|---|", flush=True)
        for (n, horizon), path in paths.items():
            leverkit = [sys.executable, "-m", "leverkit", "report", str(path), "--out", str(folder / "out")]
            timed(leverkit)  # warms the disk cache and Jinja2's template cache, and writes the Ranked sheet to measure
            ranked = CalamineWorkbook.from_path(folder / "out" / f"{path.stem}_ranked.xlsx").get_sheet_by_name("Ranked")
            scripts = {
                "leverkit": leverkit,
                "floor": [sys.executable, str(folder / "floor.py"), str(path), str(folder / "floor.xlsx"), str(horizon),
                          str(ranked.width)],
                "pandas": [sys.executable, str(folder / "pandas_script.py"), str(path), str(folder / "pandas.xlsx"),
                           str(horizon)],
            }
            scripts["paused floor"] = [*scripts["floor"], "paused"]
            for command in list(scripts.values())[1:]:
                timed(command)  # warm the disk cache and their bytecode caches
            runs = median_runs(scripts, args.runs)
            (ours, peak), (floor, _), (pandas, _) = runs["leverkit"], runs["floor"], runs["pandas"]
            print(f"| {n:,} × {horizon} | {ours:.2f} | {floor:.2f} | {runs['paused floor'][0]:.2f} | {pandas:.2f} | "
                  f"{ours / floor:.2f} | {ours / pandas:.2f} | {peak:.0f} |", flush=True)
        splits = {case: phases(path, folder) for case, path in paths.items()}
    names = list(next(iter(splits.values())))
    print("\nleverkit by phase, one process (seconds):\n")
    print("| initiatives × months | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for (n, horizon), split in splits.items():
        print(f"| {n:,} × {horizon} | " + " | ".join(f"{split[k]:.2f}" for k in names) + " |")
    if not args.quick:
        import bench_batch

        print("\nBatch (bench_batch.py):\n", flush=True)
        bench_batch.measure()


if __name__ == "__main__":
    main()
