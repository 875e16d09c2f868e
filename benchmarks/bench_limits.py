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
- Charts in a batch. For generated 50 x 36 workbooks (bench_batch.py's),
  in one warm process: the summary's charts, and how much of that time is
  spent inside pygal's render_tree (a lower bound of pygal's share: making
  each chart and adding its series happen outside it), against reading plus
  writing the ranked workbook. Median milliseconds over the workbooks.

Prints a Markdown table for the README.
"""
from __future__ import annotations

import argparse
import io
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_report import FLOOR, finished, make_workbook  # noqa: E402

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
    ranked_width = len(tables["Ranked"][0].headers)
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
    """Median milliseconds, per 50 x 36 workbook, of reading plus writing the ranked workbook, of drawing the
    summary's charts (with the collector paused, as the page does), and of the charts' time inside pygal."""
    import pygal.graph.public

    from leverkit import charts, summary
    from leverkit.excel import build
    from leverkit.processes import collector_paused
    from leverkit.ranking import rank
    from leverkit.reading import read_bytes

    inside = [0.0]
    render_tree = pygal.graph.public.PublicApi.render_tree

    def timed_render_tree(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return render_tree(self, *args, **kwargs)
        finally:
            inside[0] += time.perf_counter() - start

    pygal.graph.public.PublicApi.render_tree = timed_render_tree
    figures: dict[str, list[float]] = {"read + write xlsx": [], "charts": [], "of which inside pygal": []}
    try:
        for k in range(workbooks + 2):
            path = make_workbook(folder / f"batch_{k}.xlsx", 50, 36, seed=k)
            start = time.perf_counter()
            plan = read_bytes(path.read_bytes(), str(path), path.stem)
            read = time.perf_counter() - start
            ranking = rank(plan)
            start = time.perf_counter()
            build(ranking, io.BytesIO())
            written = time.perf_counter() - start
            inside[0] = 0.0
            start = time.perf_counter()
            with collector_paused():
                for chart in (charts.cumulative_cash_flow, charts.quality_map, charts.npv_by_form,
                              summary._uncertainty):
                    chart(ranking)
            drawn = time.perf_counter() - start
            if k >= 2:  # the first two warm the imports
                figures["read + write xlsx"].append((read + written) * 1000)
                figures["charts"].append(drawn * 1000)
                figures["of which inside pygal"].append(inside[0] * 1000)
    finally:
        pygal.graph.public.PublicApi.render_tree = render_tree
    return {name: statistics.median(values) for name, values in figures.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="rounds per median (default 5)")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).parent.parent / "leverkit")], check=True)
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
    print(f"| 50 × 36, per workbook: charts ({page['of which inside pygal']:.0f} ms of them inside pygal's render_tree) "
          f"against reading + writing the workbook | **{page['charts']:.0f} ms** against "
          f"{page['read + write xlsx']:.0f} ms | charts < reading + writing |", flush=True)


if __name__ == "__main__":
    main()
