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
    return min(float(size) for size in re.findall(r"font-size:\s*([\d.]+)px", style))


@pytest.fixture
def ranking():
    """Eight initiatives with hostile names, one about 100 times the others."""
    rows = [initiative(id=f"DS0{k}", initiative=name, upfront_cost=1000 + 100 * k, reach_month=10 + k, quality_1_5=1 + k % 5)
            for k, name in enumerate(HOSTILE, start=1)]
    rows.append(initiative(id="BIG", initiative="Platform", upfront_cost=100_000, reach_month=2000, quality_1_5=5))
    rows.append(initiative(id="LATE", initiative="Never pays", upfront_cost=50_000, reach_month=1, quality_1_5=2))
    return leverkit.rank(plan_of(rows))


def test_summary_charts_are_self_contained_and_keep_names(ranking, recwarn):
    page = [charts.cumulative_cash_flow(ranking), charts.quality_map(ranking), charts.npv_by_form(ranking)]
    roots = [parse(svg) for svg in page]
    top = [f"{item.id} {item.name}" for _, item, _ in ranking.ranked()[: charts.TOP_PANELS]]
    for name in top:
        assert any(name in t for t in texts(roots[0]))
        assert any(t.startswith(name + ": month") for t in titles(roots[0]))
    for item in ranking.plan.initiatives:
        assert any(t.startswith(f"{item.id} {item.name} — quality {item.quality}") for t in titles(roots[1]))
    assert {"labor", "capital", "code", "media", "process"} <= set(texts(roots[2]))
    ids = [node.get("id") for root in roots for node in root.iter() if isinstance(node.tag, str) and node.get("id")]
    assert len(ids) == len(set(ids))
    assert not recwarn.list


def expected_payback(cum: list[float]) -> str:
    """Month by month: the last step where the cumulative goes from below zero to zero or more."""
    if cum[-1] < 0:
        return f"no payback in {len(cum) - 1} months"
    crossings = [t - 1 + -cum[t - 1] / (cum[t] - cum[t - 1]) for t in range(1, len(cum)) if cum[t - 1] < 0 <= cum[t]]
    return f"pays back in month {crossings[-1] if crossings else 0.0:.1f}"


def test_cumulative_panels_mark_payback_where_the_line_crosses_zero(ranking):
    root = parse(charts.cumulative_cash_flow(ranking))
    p = ranking.projection
    for rank, item, i in ranking.ranked()[: charts.TOP_PANELS]:
        expected = expected_payback(p.cumulative[i].tolist())
        assert f"{item.id} {item.name} {expected}" in titles(root) or expected.startswith("no payback")
    panels = root.findall(SVG + "g")
    for panel, (rank, item, i) in zip(panels, ranking.ranked()):
        heading = " ".join(t for t in texts(panel) if not re.fullmatch(r"[-\d.,kM]+|month · USD", t))
        assert heading.startswith(f"#{rank} {item.id}") and heading.endswith(expected_payback(p.cumulative[i].tolist()))
    assert len(panels) == charts.TOP_PANELS
    # each panel on its own scale: the small initiatives' axes do not run to the big one's millions
    tops = [max(float(t.get("y", 0)) for t in panel.iter(SVG + "text")) for panel in panels]
    assert all(t > 0 for t in tops)
    assert "M" in " ".join(texts(panels[0])) and "M" not in " ".join(texts(panels[-1]))


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_survives_as_plain_text(name, recwarn):
    svgs = [
        charts.quality_map_of([2.0], [3], ["amber"], [name], 3.0),
        charts.npv_ranges([name], [1.0], [2.0], [3.0], name),
        charts.tornado(name, [name], [1.0], [3.0], 2.0, "USD"),
        charts.frontier([0.0, 10.0], [0.0, 5.0], 10.0, name),
        charts.tracking([(name, [0, 1], [-1.0, 1.0], [1], [0.5])], "USD"),
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


def test_quality_map_labels_do_not_pile_up():
    root = parse(charts.quality_map_of([5.0, 5.0], [2, 2], ["red", "red"], ["DS08", "DS03"], 3.0))
    printed = [t for t in texts(root) if t in ("DS08", "DS03")]
    assert printed == ["DS08"]  # the other one is in its hover title only
    assert {"DS08 — quality 2, 5.0× (red)", "DS03 — quality 2, 5.0× (red)"} <= set(titles(root))
    rng = np.random.default_rng(7)
    names = [f"T{k:03d}" for k in range(400)]
    root = parse(charts.quality_map_of(np.exp(rng.normal(1, 1.5, 400)), rng.integers(1, 6, 400),
                                       rng.choice(["red", "amber", "green"], 400), names, 3.0))
    labels = [t for t in root.iter(SVG + "text") if "label" in (t.get("class") or "")]
    assert 0 < len(labels) < 60
    boxes = [(float(t.get("x")), float(t.get("y")), charts._width(t.text)) for t in labels]
    for k, (x1, y1, w1) in enumerate(boxes):
        for x2, y2, w2 in boxes[k + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or abs(y1 - y2) >= charts.TEXT
    assert len([t for t in titles(root) if t.startswith("T")]) == 400


def test_npv_ranges_use_symmetric_log_when_one_initiative_dwarfs_the_others(recwarn):
    names = ["A small", "B huge", "C small", "D broken"]
    p10, p50, p90 = [-500.0, 50_000.0, 200.0, -math.inf], [800.0, 900_000.0, 1500.0, math.nan], [2000.0, 3e6, 2600.0, 1e308]
    root = parse(charts.npv_ranges(names, p10, p50, p90, "EUR"))
    assert any("symmetric log scale" in t for t in texts(root))
    for name in names:
        assert name in texts(root)
    assert "A small: P10 EUR -500 to P90 EUR 2,000" in titles(root) and "B huge: P50 EUR 900,000" in titles(root)
    to_axis, ticks, _ = charts._amount_axis(np.array([1.0, 100.0, 10_000.0]))
    assert to_axis(10_000.0) - to_axis(100.0) == pytest.approx(math.log10(math.sinh(math.asinh(10_000.0))
                                                                          / math.sinh(math.asinh(100.0))), abs=1e-4)
    assert 0.0 in ticks.tolist()
    linear = parse(charts.npv_ranges(["x", "y"], [1.0, 2.0], [2.0, 3.0], [3.0, 4.0], "EUR"))
    assert any("linear scale" in t for t in texts(linear))
    assert not recwarn.list


def test_tornado_puts_the_widest_swing_on_top_and_marks_the_median():
    inputs = ["Reach", "Value", "Cost"]
    root = parse(charts.tornado("A1", inputs, [900.0, 400.0, 990.0], [1100.0, 2000.0, 1000.0], 1000.0, "USD"))
    y = {t.text: float(t.get("y")) for t in root.iter(SVG + "text") if t.text in inputs}
    swings = {name: abs(h - low) for name, low, h in zip(inputs, [900, 400, 990], [1100, 2000, 1000])}
    assert sorted(y, key=y.get) == sorted(swings, key=swings.get, reverse=True)
    assert "median NPV USD 1,000" in titles(root)
    parse(charts.tornado("empty", [], [], [], math.nan, "USD"))
    parse(charts.tornado("wild", ["a"], [-math.inf], [1e308], math.inf, "USD"))


def test_frontier_steps_and_marks_the_chosen_budget():
    budgets, values = [20.0, 0.0, 10.0], [80.0, 0.0, 50.0]
    root = parse(charts.frontier(budgets, values, 15.0, "USD"))
    assert "chosen budget USD 15: risk-adjusted NPV USD 50" in titles(root)  # the step holds 50 from 10 to 20
    assert [t for t in titles(root) if t.startswith("budget")] == [
        "budget USD 0: best risk-adjusted NPV USD 0", "budget USD 10: best risk-adjusted NPV USD 50",
        "budget USD 20: best risk-adjusted NPV USD 80"]
    parse(charts.frontier([], [], math.nan, "USD"))
    parse(charts.frontier([0.0, math.inf, math.nan], [1e308, 2.0, 3.0], 1e308, "USD"))


def test_tracking_has_a_panel_per_initiative_readable_for_twenty():
    panels = [(f"T{k:02d} Initiative", np.arange(13), np.linspace(-1000 * k, 500 * k, 13), np.arange(1, 7),
               np.linspace(-1100 * k, -200 * k, 6)) for k in range(1, 21)]
    root = parse(charts.tracking(panels, "EUR"))
    nested = root.findall(SVG + "g")
    assert len(nested) == 20
    assert float(root.get("viewBox").split()[2]) == charts.WIDTH
    for k, panel in enumerate(nested, start=1):
        assert f"T{k:02d} Initiative" in texts(panel)
        assert f"T{k:02d} Initiative: actual month 6, EUR -{200 * k:,}" in titles(panel)
    parse(charts.tracking([], "EUR"))
    parse(charts.tracking([("odd", [0, 1], [math.inf, math.nan], [1], [-1e308])], "EUR"))


def test_text_stays_at_least_9_px_on_a_390_px_phone(ranking):
    """A 390 px page leaves about 370 px for a figure: the SVG's text, scaled down, must stay ≥ 9 px."""
    svgs = [charts.cumulative_cash_flow(ranking), charts.quality_map(ranking), charts.npv_by_form(ranking),
            charts.npv_ranges(["a"], [1.0], [2.0], [3.0], "USD"), charts.tornado("t", ["a"], [1.0], [3.0], 2.0, "USD"),
            charts.frontier([0.0, 1.0], [0.0, 1.0], 1.0, "USD"), charts.tracking([("a", [0, 1], [0.0, 1.0], [1], [1.0])], "USD")]
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
