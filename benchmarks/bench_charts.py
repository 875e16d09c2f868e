"""Benchmark SVG charting libraries for leverkit's HTML charts.

    python benchmarks/bench_charts.py

For each candidate library (skipped when not installed): its import time in a
fresh interpreter (median of 5), and the time to draw the summary's three
charts for a 200-initiative ranking (a 200-point scatter on a log x axis, five
cumulative cash-flow lines over 37 months, ten horizontal bars), the first
draw in a fresh interpreter and then the median of 5 more. Each candidate
draws the same data with its own API; "leverkit" is leverkit.charts itself.
The last columns check the SVG: <title> hover elements, <script> elements,
text kept as <text>, and size. Prints a Markdown table.
"""
from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import time

N = 200
IMPORTS = {
    "matplotlib": "import matplotlib.figure, matplotlib.backends.backend_svg",
    "pygal": "import pygal",
    "leather": "import leather",
    "reportlab": "import reportlab.graphics.charts.lineplots, reportlab.graphics.charts.barcharts, reportlab.graphics.renderSVG",
    "vl-convert": "import vl_convert",
    "charted": "import charted",
    "leverkit": "import leverkit.charts",
}


def ranking(n: int = N):
    """A ranking of n random but valid initiatives, read through leverkit's own reader."""
    import random

    from leverkit import rank
    from leverkit.reading import Grid, parse_sheets
    from leverkit.schema import FORMS

    rng = random.Random(1)
    headers = ["ID", "Initiative", "Owner", "Leverage form", "Lever point", "Upfront cost", "Maintenance / month",
               "Reach / month", "Value per reach", "Quality (1-5)", "Confidence"]
    rows = [[f"I{r}", f"Initiative {r}", "Sam", rng.choice(FORMS), "parameter", rng.randint(1, 20) * 500,
             rng.randint(0, 400), rng.randint(1, 2000), round(rng.uniform(0.1, 60), 2), rng.randint(1, 5),
             round(rng.uniform(0.3, 1), 2)] for r in range(1, n + 1)]
    plan = parse_sheets({"Initiatives": Grid("Initiatives", [headers] + rows)}, "bench.xlsx", "bench")
    return rank(plan)


def data(r) -> dict:
    """The three charts' data as plain lists, the same for every candidate."""
    p = r.projection
    top = [i for _, _, i in r.ranked()[:5]]
    forms = r.by_form()[:-1]
    return {
        "x": [math.log10(min(max(m, 0.01), 1e6)) for m in p.multiple_effective.tolist()],
        "multiple": [min(max(m, 0.01), 1e6) for m in p.multiple_effective.tolist()],
        "quality": [float(i.quality) for i in r.plan.initiatives],
        "names": [f"{i.id} {i.name}" for i in r.plan.initiatives],
        "flags": [str(f) for f in p.flags],
        "lines": {r.plan.initiatives[i].name: p.cumulative[i].tolist() for i in top},
        "forms": [f["Leverage form"] for f in forms],
        "npv": [f["NPV"] for f in forms],
        "risk": [f["Risk-adjusted NPV"] for f in forms],
    }


def draw_matplotlib(d):
    import io

    from matplotlib.figure import Figure

    out = []
    for kind in ("scatter", "lines", "bars"):
        fig = Figure(figsize=(7, 4))
        ax = fig.add_subplot()
        if kind == "scatter":
            ax.scatter(d["multiple"], d["quality"])
            ax.set_xscale("log")
        elif kind == "lines":
            for name, ys in d["lines"].items():
                ax.plot(ys, label=name)
        else:
            ax.barh(range(5), d["npv"])
            ax.barh(range(5), d["risk"])
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg")
        out.append(buffer.getvalue())
    return out


def draw_pygal(d):
    import pygal

    scatter = pygal.XY(stroke=False, js=[], x_labels=[-1, 0, 1, 2], x_value_formatter=lambda v: f"{10 ** v:g}")
    for flag in ("green", "amber", "red"):
        scatter.add(flag, [{"value": (x, q), "label": n} for x, q, n, f in
                           zip(d["x"], d["quality"], d["names"], d["flags"]) if f == flag])
    lines = pygal.Line(js=[])
    for name, ys in d["lines"].items():
        lines.add(name, ys)
    bars = pygal.HorizontalBar(js=[], x_labels=d["forms"])
    bars.add("NPV", d["npv"])
    bars.add("Risk-adjusted NPV", d["risk"])
    return [c.render(is_unicode=True) for c in (scatter, lines, bars)]


def draw_leather(d):
    import leather

    scatter = leather.Chart()
    scatter.add_dots(list(zip(d["x"], d["quality"])))
    lines = leather.Chart()
    for ys in d["lines"].values():
        lines.add_line(list(enumerate(ys)))
    bars = leather.Chart()
    bars.add_bars(list(zip(d["npv"], d["forms"])))
    return [c.to_svg() for c in (scatter, lines, bars)]


def draw_reportlab(d):
    from reportlab.graphics import renderSVG
    from reportlab.graphics.charts.axes import LogXValueAxis
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.lineplots import LinePlot, ScatterPlot
    from reportlab.graphics.shapes import Drawing

    out = []
    drawing = Drawing(600, 350)
    scatter = ScatterPlot()
    scatter.xValueAxis = LogXValueAxis()
    scatter.data = [list(zip(d["multiple"], d["quality"]))]
    drawing.add(scatter)
    out.append(renderSVG.drawToString(drawing))
    drawing = Drawing(600, 350)
    lines = LinePlot()
    lines.data = [list(enumerate(ys)) for ys in d["lines"].values()]
    drawing.add(lines)
    out.append(renderSVG.drawToString(drawing))
    drawing = Drawing(600, 350)
    bars = HorizontalBarChart()
    bars.data = [d["npv"], d["risk"]]
    bars.categoryAxis.categoryNames = d["forms"]
    drawing.add(bars)
    out.append(renderSVG.drawToString(drawing))
    return out


def draw_vl_convert(d):
    import vl_convert

    points = [{"m": m, "q": q, "name": n, "flag": f} for m, q, n, f in zip(d["multiple"], d["quality"], d["names"], d["flags"])]
    lines = [{"month": t, "cum": v, "name": name} for name, ys in d["lines"].items() for t, v in enumerate(ys)]
    bars = [{"form": f, "npv": v, "kind": k} for k, vs in (("NPV", d["npv"]), ("Risk-adjusted", d["risk"]))
            for f, v in zip(d["forms"], vs)]
    specs = [
        {"data": {"values": points}, "mark": "point", "encoding": {
            "x": {"field": "m", "type": "quantitative", "scale": {"type": "log"}},
            "y": {"field": "q", "type": "quantitative"}, "color": {"field": "flag"}, "tooltip": {"field": "name"}}},
        {"data": {"values": lines}, "mark": "line", "encoding": {
            "x": {"field": "month", "type": "quantitative"}, "y": {"field": "cum", "type": "quantitative"},
            "color": {"field": "name"}}},
        {"data": {"values": bars}, "mark": "bar", "encoding": {
            "y": {"field": "form", "type": "nominal"}, "x": {"field": "npv", "type": "quantitative"},
            "yOffset": {"field": "kind"}}},
    ]
    return [vl_convert.vegalite_to_svg(spec) for spec in specs]


def draw_charted(d):
    import charted

    scatter = charted.ScatterChart(x_data=d["multiple"], y_data=d["quality"], x_scale="log", width=700, height=400)
    lines = charted.LineChart(data=list(d["lines"].values()), labels=list(range(len(next(iter(d["lines"].values()))))),
                              series_names=list(d["lines"]), width=700, height=400)
    bars = charted.BarChart(data=[d["npv"], d["risk"]], labels=d["forms"], series_names=["NPV", "Risk-adjusted NPV"],
                            width=700, height=400)
    return [c.to_html(tooltips=True) for c in (scatter, lines, bars)]


def draw_leverkit(r):
    """leverkit's own page charts for the same ranking: the quality map, and the portfolio's cash line (with the
    frontier where the plan has a Budget), drawn as the page draws them."""
    from leverkit import charts, summary

    decision = summary._decision(r)
    return [charts.quality_map(r)] + [str(decision[k]) for k in ("cash_chart", "frontier") if k in decision]


def child(name: str) -> None:
    """Runs in a fresh interpreter: import, then draw once cold and five times warm."""
    import warnings

    warnings.simplefilter("ignore")
    start = time.perf_counter()
    exec(IMPORTS[name], {})
    imported = time.perf_counter() - start
    r = ranking()
    draw = (lambda: draw_leverkit(r)) if name == "leverkit" else (lambda: globals()["draw_" + name.replace("-", "_")](data(r)))
    start = time.perf_counter()
    svgs = draw()
    first = time.perf_counter() - start
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        draw()
        warm.append(time.perf_counter() - start)
    text = "".join(svgs)
    print(json.dumps({"import": imported, "first": first, "warm": statistics.median(warm),
                      "titles": text.count("<title"), "scripts": text.count("<script"), "texts": text.count("<text"),
                      "kb": len(text.encode()) / 1024}))


def run(name: str, role: str = "draw") -> dict | None:
    done = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True)
    if done.returncode:
        print(f"{name}: {done.stderr.strip().splitlines()[-1]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def imports(name: str) -> float:
    """Median import time over 5 fresh interpreters."""
    code = f"import time; t = time.perf_counter(); {IMPORTS[name]}; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(5)]
    return statistics.median(times)


def main() -> None:
    print("| library | import (s) | 3 charts, first (s) | 3 charts, warm (s) | <title> | <script> | <text> | KiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name in IMPORTS:
        try:
            imported = imports(name)
        except subprocess.CalledProcessError:
            print(f"| {name} | not installed | | | | | | |")
            continue
        result = run(name)
        if result is None:
            print(f"| {name} | {imported:.3f} | failed | | | | | |")
            continue
        print(f"| {name} | {imported:.3f} | {result['first']:.3f} | {result['warm']:.3f} | {result['titles']} | "
              f"{result['scripts']} | {result['texts']} | {result['kb']:.0f} |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
