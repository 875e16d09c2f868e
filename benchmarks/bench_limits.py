"""How close the libraries let leverkit come to the speed targets it does not meet.

    python benchmarks/bench_limits.py            # 10,000 x 60 in 5 rounds; twelve 50 x 36 workbooks
    python benchmarks/bench_limits.py --runs 3   # fewer rounds of the 10,000 x 60 writing

Each target's floor, measured with leverkit's own work taken out:

- Writing 10,000 initiatives. A fresh process is handed leverkit's sheets
  for a 10,000 x 60 workbook ready-made (pickled beforehand) and only writes
  them with XlsxWriter: the same cells, formats and Excel Tables as
  `leverkit report` writes, but nothing read, checked, projected, simulated
  or drawn. Against it, bench_report.py's floor process. Both are timed in
  CPU seconds (user + system, from the operating system's accounting of the
  finished process), taking turns, median of the rounds: wall time on a
  shared two-CPU machine drifts more than the gap being measured. Their
  ratio is the least `leverkit report` / floor could be with XlsxWriter.
- Peak memory at 10,000: the same writing process's peak (ru_maxrss),
  the interpreter and the ready-made sheets included.
- Charts in a batch. For generated 50 x 36 workbooks, bench_batch.py's
  phases of one workbook in a worker: the summary's charts, and how much of
  that time is spent inside pygal's render_tree (a lower bound of pygal's
  share), against reading plus writing the ranked workbook. Median
  milliseconds over the workbooks.

Prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_report import FLOOR, compile_leverkit, finished, make_workbook  # noqa: E402

WRITE_ONLY = """
import pickle, sys
from pathlib import Path
from leverkit.excel import build_sheets

with open(sys.argv[1], "rb") as f:
    tables, currency = pickle.load(f)
build_sheets(tables, currency, Path(sys.argv[2]))
"""


def usage(command: list[str]) -> tuple[float, float]:
    """Processor seconds (user + system) and peak MiB of one fresh process."""
    _, used = finished(command)
    return used.ru_utime + used.ru_stime, used.ru_maxrss / 1024


def writing(folder: Path, runs: int) -> dict[str, float]:
    """CPU seconds of the floor and of writing leverkit's 10,000-initiative sheets alone, and the latter's peak."""
    from leverkit.ranking import rank
    from leverkit.reading import read_bytes
    from leverkit.tables import sheets

    path = make_workbook(folder / "limits_10000.xlsx", 10_000, 60)
    ranking = rank(read_bytes(path.read_bytes(), str(path), path.stem))
    tables = sheets(ranking)
    with open(folder / "tables.pkl", "wb") as f:
        pickle.dump((tables, ranking.plan.settings.currency), f)
    (folder / "floor.py").write_text(FLOOR)
    (folder / "write_only.py").write_text(WRITE_ONLY)
    ranked_width = len(tables["Ranked"].tables[0].headers)
    floor = [sys.executable, str(folder / "floor.py"), str(path), str(folder / "floor.xlsx"), "60", str(ranked_width)]
    ours = [sys.executable, str(folder / "write_only.py"), str(folder / "tables.pkl"), str(folder / "ours.xlsx")]
    usage(floor), usage(ours)  # warm the disk cache and the bytecode caches
    cpu: dict[str, list[float]] = {"floor": [], "write only": []}
    peaks = []
    for _ in range(runs):
        cpu["floor"].append(usage(floor)[0])
        seconds, peak = usage(ours)
        cpu["write only"].append(seconds)
        peaks.append(peak)
    return {"floor": statistics.median(cpu["floor"]), "write only": statistics.median(cpu["write only"]),
            "peak": max(peaks)}


def charts_against_io(folder: Path, workbooks: int = 12) -> dict[str, float]:
    """bench_batch.py's phases of one 50 x 36 workbook in a worker, over `workbooks` of them (and two more
    that warm the imports)."""
    from bench_batch import per_workbook

    return per_workbook([make_workbook(folder / f"batch_{k}.xlsx", 50, 36, seed=k) for k in range(workbooks + 2)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="rounds per median (default 5)")
    args = parser.parse_args()
    compile_leverkit()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        cpu = writing(folder, args.runs)
        page = charts_against_io(folder)
    print("| what | measured | target |")
    print("|---|---|---|")
    print(f"| 10,000 × 60: CPU seconds writing leverkit's sheets alone / the floor's | {cpu['write only']:.2f} / "
          f"{cpu['floor']:.2f} = **{cpu['write only'] / cpu['floor']:.2f}×** | leverkit report ≤ 1.6× the floor |")
    print(f"| 10,000 × 60: peak memory writing leverkit's sheets alone | **{cpu['peak']:.0f} MiB** | "
          f"leverkit report ≤ 290 MiB |")
    inside = page["of the charts, inside pygal's render_tree"]
    print(f"| 50 × 36, per workbook: charts ({inside:.0f} ms of them inside pygal's render_tree) "
          f"against reading + writing the workbook | **{page['of which charts']:.0f} ms** against "
          f"{page['read'] + page['write xlsx']:.0f} ms | charts < reading + writing |", flush=True)


if __name__ == "__main__":
    main()
