"""The HTML charts: well-formed, self-contained SVG with names as text and hover titles, whatever the input."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from lxml import etree

import leverkit
from leverkit import charts
from tests.conftest import initiative, plan_of

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ["$\\foo$", "$x^$", "<b>bold</b>", "R&D", "計画", "launch 🚀"]
NUMERIC = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height", "d", "points", "viewBox", "transform"}


def parse(svg: str):
    """The SVG parsed, after the checks every chart must pass."""
    assert svg.startswith("<svg") and "<?xml" not in svg
    root = etree.fromstring(svg.encode())
    assert root.tag == SVG + "svg"
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        assert node.tag != SVG + "script"
        assert "http" not in (node.text or "")
        for name, value in node.attrib.items():
            assert "http" not in value, (name, value)
            if name in NUMERIC:
                assert not re.search(r"nan|inf", value, re.I), (name, value)
    style = " ".join(s.text or "" for s in root.iter(SVG + "style"))
    assert "http" not in style and "url(" not in style
    return root


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def titles(root) -> list[str]:
    return [t.text or "" for t in root.iter(SVG + "title")]


def smallest_font(root) -> float:
    """The smallest font size in the chart's CSS, in the SVG's own units."""
    style = " ".join(s.text or "" for s in root.iter(SVG + "style"))
    sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)px", style)]
    return min(sizes + [float(t.get("font-size")) for t in root.iter(SVG + "text") if t.get("font-size")])


@pytest.fixture
def ranking():
    """Eight initiatives with hostile names, one about 100 times the others."""
    rows = [initiative(id=f"DS0{k}", initiative=name, upfront_cost=1000 + 100 * k, reach_month=10 + k, quality_1_5=1 + k % 5)
            for k, name in enumerate(HOSTILE, start=1)]
    rows.append(initiative(id="BIG", initiative="Platform", upfront_cost=100_000, reach_month=2000, quality_1_5=5))
    rows.append(initiative(id="LATE", initiative="Never pays", upfront_cost=50_000, reach_month=1, quality_1_5=2))
    return leverkit.rank(plan_of(rows))


def test_summary_charts_are_self_contained_and_keep_names(ranking, recwarn):
    cash = ranking.cash
    page = [charts.quality_map(ranking),
            charts.portfolio_cash(cash.months, cash.cumulative, cash.bands, cash.need, 1, 2, "USD")]
    roots = [parse(svg) for svg in page]
    for item in ranking.plan.initiatives:
        assert any(t.startswith(f"{item.id} {item.name} — quality {item.quality}") for t in titles(roots[0]))
    assert any(t.startswith(f"{cash.months[0]:%Y-%m}: cumulative USD") for t in titles(roots[1]))
    ids = [node.get("id") for root in roots for node in root.iter() if isinstance(node.tag, str) and node.get("id")]
    assert len(ids) == len(set(ids))
    assert not recwarn.list


def test_the_portfolio_cash_chart_marks_the_need_and_the_payback_month():
    import datetime

    months = [datetime.date(2027, m, 1) for m in range(1, 7)]
    cumulative = np.array([-30.0, -70.0, -50.0, -10.0, 20.0, 60.0])
    bands = np.array([cumulative - 15, cumulative, cumulative + 15])
    root = parse(charts.portfolio_cash(months, cumulative, bands, 70.0, 2, 5, "EUR"))
    assert "cash need EUR 70 in 2027-02" in titles(root) and "pays back in 2027-05" in titles(root)
    assert "P10–P90 of the draws" in texts(root)
    assert "cash need EUR 70" in texts(root) and "pays back in 2027-05" in texts(root)
    plain = parse(charts.portfolio_cash(months, cumulative, None, 70.0, 2, 5, "EUR"))
    assert not any("P10" in t for t in texts(plain))


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_survives_as_plain_text(name, recwarn):
    svgs = [
        charts.quality_map_of([2.0], [3], ["amber"], [name], 3.0, labelled=[name]),
        charts.npv_ranges([name], [1.0], [2.0], [3.0], name),
        charts.tornado([name], [1.0], [3.0], 2.0, "USD"),
        charts.frontier([0.0, 10.0], [0.0, 5.0], 10.0, name),
        charts.tracking([(name, [0, 1], [-1.0, 1.0], [1], [0.5])], "USD")[0],
    ]
    for svg in svgs:
        root = parse(svg)
        assert any(name in t for t in texts(root) + titles(root))
        assert "<b>" not in svg.replace("&lt;b&gt;", "")
    assert any(t == name for t in texts(parse(svgs[1])))
    assert not recwarn.list


def test_quality_map_extremes_never_crash_or_leak_nan(recwarn):
    multiples = [math.inf, math.nan, 0.0, 1e300, -1.0, 4.0]
    root = parse(charts.quality_map_of(multiples, [1, 2, 3, 4, 5, 2], ["red", "green", "green", "green", "green", "red"],
                                       [f"P{k}" for k in range(6)], 1e308))
    assert len([t for t in titles(root) if t.startswith("P")]) == 6
    assert "P0 — quality 1, ∞× (red)" in titles(root) and "P1 — quality 2, undefined× (green)" in titles(root)
    parse(charts.quality_map_of([], [], [], [], 3.0))
    parse(charts.quality_map_of([math.nan], [3], ["green"], ["only"], math.nan))
    assert not recwarn.list


def label_boxes(root):
    """Each name the quality map printed: (text, box) in the plot's units, from its anchor and estimated width."""
    boxes = []
    for t in root.iter(SVG + "text"):
        if t.get("class") != "name":
            continue
        x, y, span = float(t.get("x")), float(t.get("y")), charts._width(t.text) * charts.LABEL_TEXT / charts.TEXT * charts.LABEL_WIDE
        left = x - span if t.get("text-anchor") == "end" else x - span / 2 if t.get("text-anchor") == "middle" else x
        boxes.append((t.text, (left, y - charts.LABEL_TEXT + 2, left + span, y + 4)))
    return boxes


def test_quality_map_names_the_chosen_ones_each_beside_its_own_dot():
    rng = np.random.default_rng(7)
    ids = [f"T{k:03d}" for k in range(400)]
    multiples, qualities = np.exp(rng.normal(1, 1.5, 400)), rng.integers(1, 6, 400)
    flags = rng.choice(["red", "amber", "green"], 400)
    wanted = ["T005", "T100", "T200", "T201", "T399", "T017"]
    root = parse(charts.quality_map_of(multiples, qualities, flags, [f"{i} name" for i in ids], 3.0,
                                       labelled=wanted, ids=ids))
    boxes = label_boxes(root)
    assert {text for text, _ in boxes} <= set(wanted) and len(boxes) >= 4  # the rest are named in hover titles
    for k, (_, a) in enumerate(boxes):
        for _, b in boxes[k + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]  # no two names overlap
    dots = {(round(float(c.get("cx")), 1), round(float(c.get("cy")), 1)) for c in root.iter(SVG + "circle")}
    lines = [(float(ln.get("x1")), float(ln.get("y1"))) for ln in root.iter(SVG + "line")]
    for text, (x0, y0, x1, y1) in boxes:
        near = [d for d in dots if x0 - 12 <= d[0] <= x1 + 12 and y0 - 22 <= d[1] <= y1 + 22]
        joined = [p for p in lines if (round(p[0], 1), round(p[1], 1)) in dots]
        assert near or joined, text  # beside a dot, or joined to one by a line
    assert len([t for t in titles(root) if t.startswith("T")]) == 400
    # a name is printed beside the dot of the initiative it names: the one labelled alone sits by its own dot
    root = parse(charts.quality_map_of([5.0, 50.0], [2, 4], ["red", "green"], ["A one", "B two"], 3.0,
                                       labelled=["B"], ids=["A", "B"]))
    [(text, (x0, y0, x1, y1))] = label_boxes(root)
    circles = [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(SVG + "circle")]
    b_dot = max(circles)  # B has the larger multiple: the dot further right
    assert text == "B" and min(abs(b_dot[0] - x0), abs(b_dot[0] - x1)) <= 12 and y0 - 22 <= b_dot[1] <= y1 + 22


def test_npv_ranges_use_symmetric_log_when_one_initiative_dwarfs_the_others(recwarn):
    names = ["A small", "B huge", "C small", "D broken"]
    p10, p50, p90 = [-500.0, 50_000.0, 200.0, -math.inf], [800.0, 900_000.0, 1500.0, math.nan], [2000.0, 3e6, 2600.0, 1e308]
    root = parse(charts.npv_ranges(names, p10, p50, p90, "EUR"))
    assert any("symmetric log scale" in t for t in texts(root))
    for name in names:
        assert name in texts(root)
    assert "A small: P10 EUR -500 to P90 EUR 2,000" in titles(root) and "B huge: P50 (middle draw) EUR 900,000" in titles(root)
    assert "-500 to 2k" in texts(root) and "50k to 3M" in texts(root)  # each range's ends printed beside it
    to_axis, ticks, _ = charts._amount_axis(np.array([1.0, 100.0, 10_000.0]))
    assert to_axis(10_000.0) - to_axis(100.0) == pytest.approx(math.log10(math.sinh(math.asinh(10_000.0))
                                                                          / math.sinh(math.asinh(100.0))), abs=1e-4)
    assert 0.0 in ticks.tolist()
    linear = parse(charts.npv_ranges(["x", "y"], [1.0, 2.0], [2.0, 3.0], [3.0, 4.0], "EUR"))
    assert any("linear scale" in t for t in texts(linear))
    assert not recwarn.list


def test_a_narrow_range_beside_a_wide_one_stays_visible():
    root = parse(charts.npv_ranges(["OP07 narrow", "OP01 wide"], [338_000.0, -100_000.0], [340_000.0, 1e6],
                                   [343_000.0, 2.4e6], "USD"))
    bars = [p for p in root.iter(SVG + "path") if "line" in (p.get("class") or "")]
    assert "338k to 343k" in texts(root)
    widths = []
    for path in bars:
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d") or "")]
        xs = numbers[0::2]
        if len(xs) >= 2:
            widths.append(max(xs) - min(xs))
    assert widths and min(w for w in widths if w > 0) >= 3  # at least a few units wide


def test_tornado_puts_the_widest_swing_on_top_and_marks_the_median():
    inputs = ["A · Reach", "A · Value", "B · Cost"]
    root = parse(charts.tornado(inputs, [900.0, 400.0, 990.0], [1100.0, 2000.0, 1000.0], 1000.0, "USD"))
    y = {t.text: float(t.get("y")) for t in root.iter(SVG + "text") if t.text in inputs}
    swings = {name: abs(h - low) for name, low, h in zip(inputs, [900, 400, 990], [1100, 2000, 1000])}
    assert sorted(y, key=y.get) == sorted(swings, key=swings.get, reverse=True)
    assert "portfolio NPV at median inputs USD 1,000" in titles(root)
    assert not any("high end" in t or "low end" in t for t in texts(root))  # no legend to run into its swatches
    parse(charts.tornado([], [], [], math.nan, "USD"))
    parse(charts.tornado(["a"], [-math.inf], [1e308], math.inf, "USD"))


def test_frontier_steps_and_marks_the_recommended_portfolio_itself():
    budgets, values = [20.0, 0.0, 10.0], [80.0, 0.0, 50.0]
    root = parse(charts.frontier(budgets, values, 15.0, "USD", 12.0, 47.0))
    assert "this Budget, USD 15: the recommended portfolio's value USD 47" in titles(root)
    assert [t for t in titles(root) if t.startswith("budget")] == [
        "budget USD 0: best value USD 0", "budget USD 10: best value USD 50", "budget USD 20: best value USD 80"]
    parse(charts.frontier([], [], math.nan, "USD"))
    parse(charts.frontier([0.0, math.inf, math.nan], [1e308, 2.0, 3.0], 1e308, "USD"))


def test_tracking_has_a_panel_per_initiative_readable_for_twenty():
    panels = [(f"T{k:02d} Initiative", np.arange(13), np.linspace(-1000 * k, 500 * k, 13), np.arange(1, 7),
               np.linspace(-1100 * k, -200 * k, 6)) for k in range(1, 21)]
    svgs = charts.tracking(panels, "EUR")
    assert len(svgs) == 20
    for k, svg in enumerate(svgs, start=1):
        root = parse(svg)
        assert float(root.get("viewBox").split()[2]) == charts.WIDTH and root.get("role") == "img"
        assert f"T{k:02d} Initiative" in texts(root) and root.get("aria-label").startswith(f"T{k:02d} Initiative")
        assert f"T{k:02d} Initiative: actual month 6, EUR -{200 * k:,}" in titles(root)
    assert charts.tracking([], "EUR") == []
    parse(charts.tracking([("odd", [0, 1], [math.inf, math.nan], [1], [-1e308])], "EUR")[0])


def test_text_stays_at_least_9_px_on_a_390_px_phone(ranking):
    """A 390 px page leaves about 370 px for a figure: the SVG's text, scaled down, must stay ≥ 9 px."""
    cash = ranking.cash
    svgs = [charts.portfolio_cash(cash.months, cash.cumulative, cash.bands, cash.need, 1, 2, "USD"),
            charts.quality_map(ranking), charts.npv_ranges(["a"], [1.0], [2.0], [3.0], "USD"),
            charts.tornado(["a"], [1.0], [3.0], 2.0, "USD"), charts.frontier([0.0, 1.0], [0.0, 1.0], 1.0, "USD"),
            charts.tracking([("a", [0, 1], [0.0, 1.0], [1], [1.0])], "USD")[0]]
    for svg in svgs:
        root = parse(svg)
        assert smallest_font(root) * 370 / float(root.get("viewBox").split()[2]) >= 9


def test_charts_are_the_same_when_pygal_draws_without_lxml(tmp_path):
    """NO_LXML makes pygal build its SVG with the standard library; the page must come out as it does with lxml."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).parent.parent / "workbooks" / "design_studio.xlsx"
    pages = {}
    for name, extra in (("lxml", {}), ("etree", {"NO_LXML": "1"})):
        subprocess.run([sys.executable, "-m", "leverkit", "report", str(example), "--out", str(tmp_path / name)],
                       check=True, capture_output=True, env={**os.environ, **extra})
        page = (tmp_path / name / "design_studio.html").read_text(encoding="utf-8")
        pages[name] = re.sub(r' xmlns:xlink="[^"]*"', "", page)  # the one declaration only lxml repeats
    assert "<script" not in pages["etree"] and "<desc" not in pages["etree"]
    assert pages["etree"] == pages["lxml"]
