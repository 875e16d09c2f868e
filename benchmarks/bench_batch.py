"""Benchmark `leverkit batch` over a generated drive.

    python benchmarks/bench_batch.py                  # 200 workbooks x 50 initiatives
    python benchmarks/bench_batch.py --workbooks 40   # a quicker look

Times a fresh `leverkit batch` process (interpreter start included) with 1
worker and with 2 workers, each into an empty output folder, then a re-run
with nothing changed; beside the first two, the share of the machine's CPU
busy time its hypervisor took meanwhile (Linux steal time). Then what one
workbook costs a worker, by phase, in one warm process (the median over the
drive's first workbooks): reading, ranking, the ranked workbook, and the
HTML page, with the part of the page that is its charts and the charts'
time inside pygal. Prints Markdown tables for the README.
"""
from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_report import make_workbook  # noqa: E402


def _cpu_ticks() -> list[int]:
    """The machine's CPU time so far by kind (Linux /proc/stat: user … steal), or [] where there is none."""
    try:
        with open("/proc/stat") as f:
            return [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return []


def timed(*args: str) -> tuple[float, float | None]:
    """Wall seconds of a fresh `leverkit batch` process, and the share of the machine's busy CPU time that
    its hypervisor took meanwhile (steal time; None where not reported): on a shared virtual machine it
    slows the run whatever leverkit does, so figures from different runs compare only beside it."""
    before = _cpu_ticks()
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "leverkit", "batch", *args], check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = _cpu_ticks()
    if len(before) < 8 or len(after) < 8:
        return wall, None
    used = [b - a for a, b in zip(before, after)]
    busy = sum(used) - used[3] - used[4]  # all but idle and waiting for disk
    return wall, used[7] / max(1, busy)


@contextmanager
def _pygal_clock():
    """Seconds spent inside pygal's render_tree while the block runs, in the one-item list it yields: a lower
    bound of pygal's share, as making each chart and adding its series happen outside it."""
    import pygal.graph.public

    spent = [0.0]
    render_tree = pygal.graph.public.PublicApi.render_tree

    def timed_render_tree(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return render_tree(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - start

    pygal.graph.public.PublicApi.render_tree = timed_render_tree
    try:
        yield spent
    finally:
        pygal.graph.public.PublicApi.render_tree = render_tree


def per_workbook(paths: list[Path]) -> dict[str, float]:
    """Median milliseconds per phase of one workbook, as a batch worker does it (BLAS on one thread); the page's
    charts are then drawn again apart, with the collector paused as the page has it, and their time inside
    pygal clocked."""
    from threadpoolctl import threadpool_limits

    from leverkit import charts, summary
    from leverkit.excel import build_workbook
    from leverkit.processes import collector_paused
    from leverkit.ranking import rank
    from leverkit.reading import read_bytes

    times: dict[str, list[float]] = {}
    for k, path in enumerate(paths):
        data = path.read_bytes()
        steps = {}
        with threadpool_limits(1):
            start = time.perf_counter()
            plan = read_bytes(data, str(path), path.stem)
            steps["read"] = time.perf_counter()
            ranking = rank(plan)
            steps["rank"] = time.perf_counter()
            build_workbook(ranking, io.BytesIO())
            steps["write xlsx"] = time.perf_counter()
            summary.render(ranking)
            steps["html page"] = time.perf_counter()
            with collector_paused(), _pygal_clock() as inside:
                for chart in (summary._decision, charts.quality_map, summary._uncertainty, summary._tracking):
                    chart(ranking)
            steps["of which charts"] = time.perf_counter()
        if k >= 2:  # the first two warm the imports and the template cache
            last = start
            for name, at in steps.items():
                times.setdefault(name, []).append((at - last) * 1000)
                last = at
            times.setdefault("of the charts, inside pygal's render_tree", []).append(inside[0] * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def measure(workbooks: int = 200, initiatives: int = 50) -> None:
    """Time batch runs over a generated drive and print the tables."""
    with tempfile.TemporaryDirectory() as folder:
        drive = Path(folder) / "drive"
        for i in range(workbooks):
            team = drive / f"team{i % 20:02d}"
            team.mkdir(parents=True, exist_ok=True)
            make_workbook(team / f"plan{i:03d}.xlsx", initiatives, 36, seed=i)
        one, stolen_one = timed(str(drive), "--out", f"{folder}/one", "--workers", "1")
        two, stolen_two = timed(str(drive), "--out", f"{folder}/two", "--workers", "2")
        again, _ = timed(str(drive), "--out", f"{folder}/two", "--workers", "2")
        split = per_workbook(sorted(drive.rglob("*.xlsx"))[:12])
    stolen = " / ".join("n/a" if s is None else f"{s:.0%}" for s in (stolen_one, stolen_two))
    print("| drive | 1 worker (s) | 2 workers (s) | speed-up | unchanged re-run (s) | re-run / first run "
          "| busy CPU time taken by the hypervisor (1 / 2 workers) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {workbooks} workbooks × {initiatives} initiatives | {one:.1f} | {two:.1f} | {one / two:.2f}× "
          f"| {again:.2f} | {again / two:.1%} | {stolen} |")
    print("\nOne workbook in a worker, by phase (milliseconds, median):\n")
    print("| " + " | ".join(split) + " |")
    print("|" + "---|" * len(split))
    print("| " + " | ".join(f"{v:.0f}" for v in split.values()) + " |", flush=True)
    io_ms = split["read"] + split["write xlsx"]
    print(f"\nThe page's charts {split['of which charts']:.0f} ms against reading and writing the workbook "
          f"{io_ms:.0f} ms: {'no longer' if split['of which charts'] <= io_ms else 'LONGER'} than reading and writing; "
          f"2 workers {one / two:.2f}× as fast as 1 ({'at least' if one / two >= 1.8 else 'UNDER'} 1.8×).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workbooks", type=int, default=200)
    parser.add_argument("--initiatives", type=int, default=50)
    args = parser.parse_args()
    measure(args.workbooks, args.initiatives)


if __name__ == "__main__":
    main()
