"""Charts for the HTML pages, drawn with pygal as inline SVG (docs/model.md section 6, "The charts").

pygal was chosen by measurement (benchmarks/bench_charts.py): it imports in
under a tenth of a second, draws the summary's three charts in about as
long, keeps text as SVG <text> (so any script renders in the reader's own
fonts) and puts each point's name in an SVG <title> that browsers show on
hover. Its JavaScript tooltip script and its comments (which carry URLs) are
removed with lxml, so a page needs no script and no network. Amounts beyond
±10^15 and multiples beyond 10^9 are drawn at those limits; their hover
titles still give the real figure.
"""
from __future__ import annotations

import hashlib
import unicodedata
import warnings

import numpy as np
from lxml import etree

from .model import AMBER, GREEN, RED
from .ranking import Ranking
from .schema import FORMS

COLOURS = {RED: "#c0392b", AMBER: "#d68910", GREEN: "#1e8449"}
ZONES = {RED: "#f5c6c0", AMBER: "#fbe3bd"}
PLAN, ACTUAL, INK, MUTED = "#2e86c1", "#1c2833", "#1c2833", "#808b96"
TOP_PANELS = 6
WIDTH, PANEL = 600, 300  # native widths: on a 360 px phone (about 340 px for a chart), 16-unit text shows at 9 px
TEXT = 16
MONEY_LIMIT = 1e15
MULTIPLE_LIMITS = (1e-3, 1e9)
SVG = "http://www.w3.org/2000/svg"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif'
_XML_INVALID = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])


def _text(value, limit: int | None = None) -> str:
    """User text as plain, XML-safe text (control characters and lone surrogates dropped)."""
    text = str(value).translate(_XML_INVALID).encode("utf-8", "replace").decode("utf-8")
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _money(x: float) -> str:
    """An amount as people read it: 12,345; 1.2e+300 when huge; ∞ or — when not a number."""
    if np.isnan(x):
        return "—"
    if np.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:,.0f}" if abs(x) < MONEY_LIMIT else f"{x:.3g}"


def _compact(x: float) -> str:
    """An axis amount in few characters: 950, 12k, 3.4M, 2bn, 5tn, 1e+15."""
    size = abs(x)
    if size >= MONEY_LIMIT:
        return f"{x:.2g}"
    for scale, suffix in ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if size >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}"


def _finite(values, limit: float = MONEY_LIMIT) -> np.ndarray:
    """Floats with ±inf (and anything beyond ±limit) at ±limit; NaN stays NaN for the caller to place or drop."""
    return np.clip(np.asarray(values, dtype=float), -limit, limit)


def _uid(kind: str, *parts) -> str:
    """An id from the chart's kind and data: the same chart gets the same id, two charts on a page differ."""
    digest = hashlib.sha1(kind.encode())
    for part in parts:
        digest.update(np.asarray(part).tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
    return f"{kind}-{digest.hexdigest()[:10]}"


def _style(colours):
    from pygal.style import Style

    return Style(
        font_family=FONT, background="white", plot_background="white", foreground=INK, foreground_strong=INK,
        foreground_subtle="#d5d8dc", colors=tuple(colours), opacity=".9", opacity_hover="1", transition="0s",
        stroke_width="inherit", stroke_width_hover="inherit", guide_stroke_color="#e5e8e8",
        major_guide_stroke_color="#d5d8dc", guide_stroke_dasharray="none", major_guide_stroke_dasharray="none",
        label_font_size=TEXT, major_label_font_size=TEXT, legend_font_size=TEXT, title_font_size=TEXT + 2,
        value_font_size=TEXT, value_label_font_size=TEXT, tooltip_font_size=TEXT, no_data_font_size=TEXT + 3,
    )


def _chart(kind: str, uid: str, colours, width: int = WIDTH, **config):
    import pygal

    options = {"legend_at_bottom": True, "legend_at_bottom_columns": 2, "truncate_legend": -1, "truncate_label": -1,
               "spacing": 8, "margin": 8, "margin_bottom": 16, "no_data_text": "no data", "stroke_style": {"width": 2},
               "max_scale": 7, **config}
    chart = getattr(pygal, kind)(style=_style(colours), width=width, js=[], **options)
    chart.uuid = uid
    return chart


def _tree(chart) -> etree._Element:
    """The chart as an <svg> element, without pygal's script, the ids and hover descriptions only it used,
    comments (they carry URLs) or the default title."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root = chart.render_tree()
        if not isinstance(root, etree._Element):  # pygal drew with the standard library's ElementTree (NO_LXML)
            root = etree.fromstring(chart.render(), etree.XMLParser(resolve_entities=False, no_network=True))
            for node in root.iter(etree.Element):
                node.tag = etree.QName(node).localname  # as pygal's own lxml tree has them
    for node in root.xpath("//script | //desc | /svg/title | //comment()"):
        node.getparent().remove(node)
    for node in root.xpath("/svg//*[@id]"):
        del node.attrib["id"]
    return root


def _svg(root: etree._Element) -> str:
    return etree.tostring(root, encoding="unicode")


def _grid(panels: list[etree._Element], height: int, uid: str, columns: int = 2) -> str:
    """Panels (pygal charts) side by side in rows, each moved into place as a <g> of one <svg> of WIDTH units."""
    total = -(-len(panels) // columns) * height
    outer = etree.Element("svg", nsmap={None: SVG}, id=uid, viewBox=f"0 0 {WIDTH} {total}",
                          width=str(WIDTH), height=str(total), role="img")
    for k, panel in enumerate(panels):
        panel.tag = "g"
        del panel.attrib["viewBox"]
        panel.set("transform", f"translate({k % columns * PANEL},{k // columns * height})")
        outer.append(panel)
    return _svg(outer)


def _points(xs, ys, titles) -> list:
    """pygal XY points with hover titles; a point with a NaN coordinate is left out."""
    keep = ~(np.isnan(xs) | np.isnan(ys))
    return [{"value": (x, y), "tooltip": t} for x, y, t, k in zip(xs.tolist(), ys.tolist(), titles, keep) if k]


def _segments(starts, ends, ys, titles) -> list:
    """Horizontal bars as pygal XY line pieces start→end at each y, broken between bars."""
    points = []
    for a, b, y, title in zip(starts.tolist(), ends.tolist(), ys.tolist(), titles):
        points += [{"value": (a, y), "tooltip": title}, {"value": (b, y), "tooltip": title}, (None, None)]
    return points


def _width(label: str) -> float:
    """A label's width in text units (CJK and emoji about twice a Latin letter)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in label) * TEXT


def _labels_that_fit(px, py, labels, priority, right: float) -> np.ndarray:
    """Which labels to print: in priority order, each whose box (right of and below its point) ends left of
    `right` and covers no other point and no label already kept."""
    order = np.argsort(priority, kind="stable")[:200]
    widths = np.array([_width(labels[i]) for i in order])
    left, top = px[order] + TEXT - 2, py[order] + 4
    apart = ((left[:, None] + widths[:, None] + 4 <= left[None, :]) | (left[None, :] + widths[None, :] + 4 <= left[:, None])
             | (top[:, None] + TEXT + 2 <= top[None, :]) | (top[None, :] + TEXT + 2 <= top[:, None]))
    covers = ((px[None, :] + 5 >= left[:, None]) & (px[None, :] - 5 <= left[:, None] + widths[:, None])
              & (py[None, :] + 5 >= top[:, None]) & (py[None, :] - 5 <= top[:, None] + TEXT))
    kept = np.zeros(len(order), bool)
    for k in np.flatnonzero((left + widths <= right) & ~covers.any(axis=1)):
        kept[k] = not (kept & ~apart[k]).any()
    chosen = np.zeros(len(labels), bool)
    chosen[order[kept]] = True
    return chosen


def _amount_axis(values: np.ndarray):
    """(to_axis, ticks, name): an honest axis for amounts that may differ 100-fold.

    When the largest |amount| is over 20 times the median, positions are
    asinh(x / s) / ln 10 (a symmetric log: linear within ±s, logarithmic
    beyond, signs kept) with ticks at 0 and ±1, 10, 100 … times s; else plain.
    """
    size = np.abs(values[np.isfinite(values) & (values != 0)])
    if size.size == 0 or size.max() <= 20 * np.median(size):
        return (lambda x: x), None, "linear scale"
    s = 10.0 ** np.floor(np.log10(max(size.min(), size.max() * 1e-6)))
    decades = np.arange(0, int(np.ceil(np.log10(size.max() / s))) + 1)
    step = int(np.ceil(len(decades) / 6))
    magnitudes = s * 10.0 ** decades[::step]
    ticks = np.concatenate([-magnitudes[::-1], [0.0], magnitudes])
    ticks = ticks[(ticks >= min(values.min(), 0) * 1.01 - s) & (ticks <= max(values.max(), 0) * 1.01 + s)]
    return (lambda x: np.arcsinh(np.asarray(x, float) / s) / np.log(10)), ticks, "symmetric log scale"


def _money_labels(to_axis, ticks):
    return None if ticks is None else [{"label": _compact(t), "value": float(to_axis(t))} for t in ticks]


def cumulative_cash_flow(ranking: Ranking) -> str:
    """Cumulative cash flow cum_0..cum_H of the top initiatives by rank, one small panel each on its own scale.

    Each panel has its own axis so a small initiative is not flattened by a
    big one; the zero line is drawn and the payback month (where cum_t
    crosses zero for the last time) is marked and named in the panel title.

    >>> import numpy as np
    >>> from leverkit import rank
    >>> from leverkit.plan import Initiative, Plan, Settings
    >>> item = Initiative(2, "A1", "Automate reports", "Sam", "code", "parameter", 100.0, 0.0, False, 1.0, 20.0, 0.0,
    ...                   np.inf, 0, 0.0, 4, 1.0, "")
    >>> svg = cumulative_cash_flow(rank(Plan("t.xlsx", Settings("t", horizon=12), [item], [])))
    >>> "pays back in month 5.0" in svg, "<script" in svg
    (True, False)
    """
    p, currency = ranking.projection, _text(ranking.plan.settings.currency)
    months = np.arange(p.horizon + 1, dtype=float)
    panels = []
    for rank, item, i in ranking.ranked()[:TOP_PANELS]:
        name = _text(f"{item.id} {item.name}")
        payback = p.payback[i]
        when = f"pays back in month {payback:.1f}" if np.isfinite(payback) else f"no payback in {p.horizon} months"
        cumulative = _finite(p.cumulative[i])
        chart = _chart("XY", _uid("cumulative", rank, name, cumulative), [PLAN, MUTED, COLOURS[GREEN]], width=PANEL,
                       height=250, title=f"#{rank} {_text(name, 24)}: {when}", show_legend=False,
                       x_title=f"month · {_text(currency, 12)}", dots_size=1.5, value_formatter=_compact, max_scale=5,
                       x_value_formatter=lambda x: f"{x:g}")
        titles = [f"{name}: month {t}, cumulative {currency} {_money(v)}" for t, v in zip(range(p.horizon + 1), p.cumulative[i])]
        chart.add(name, _points(months, cumulative, titles))
        chart.add(None, [(0.0, 0.0), (float(p.horizon), 0.0)], show_dots=False, stroke_style={"width": 1})
        if np.isfinite(payback):
            chart.add(None, _points(np.array([payback]), np.zeros(1), [f"{name} {when}"]), stroke=False, dots_size=6)
        panels.append(_tree(chart))
    if not panels:
        return _svg(_tree(_chart("XY", _uid("cumulative", 0), [PLAN], height=200)))
    return _grid(panels, 250, _uid("cumulative-grid", *[panel.get("id") for panel in panels]))


def quality_map(ranking: Ranking) -> str:
    """Quality (up) against leverage multiple (across, log scale) of one plan's initiatives; see quality_map_of."""
    p = ranking.projection
    items = ranking.plan.initiatives
    return quality_map_of(p.multiple_effective, [i.quality for i in items], p.flags,
                          [f"{i.id} {i.name}" for i in items], ranking.plan.settings.threshold)


def quality_map_of(multiples, qualities, flags, labels, threshold: float) -> str:
    """The quality-versus-amplification map of any set of initiatives (one team's, or a whole drive's).

    Across: log10 of the leverage multiple M, clipped to [10^-3, 10^9]; an
    undefined, zero or negative M sits at the left edge, an infinite one at
    the right. Up: quality 1-5, nudged ±0.12 so equal points stay apart.
    Shaded: the red zone (quality ≤ 2, M ≥ A) and the amber zones (quality
    ≤ 2 with 1 ≤ M < A; quality 3 with M ≥ A). Every point's name is its
    hover title; names are printed only where they overlap no other name.

    >>> svg = quality_map_of([4.0, float("inf")], [2, 5], ["red", "green"], ["DS08", "DS03"], 3.0)
    >>> "DS08 — quality 2, 4.0× (red)" in svg, "DS03 — quality 5, ∞× (green)" in svg
    (True, True)
    """
    names = [_text(label) for label in labels]
    m = np.asarray(multiples, dtype=float).reshape(-1)
    quality = np.nan_to_num(np.asarray(qualities, dtype=float).reshape(-1), nan=0.0)
    flags = np.asarray(flags).astype(str).reshape(-1)
    lowest, highest = MULTIPLE_LIMITS
    a = float(np.clip(np.nan_to_num(threshold, nan=1.0), lowest, highest))
    finite = m[np.isfinite(m) & (m > 0)]
    low = float(np.clip(min(0.1, finite.min() / 2) if finite.size else 0.1, lowest, a))
    high = float(np.clip(max(a * 10, finite.max() * 2) if finite.size else a * 10, a, highest))
    lo = np.log10(low)  # positions count decades from the left edge: pygal draws an axis line at 0
    hi, la, one = np.log10(high) - lo, np.log10(a) - lo, -lo
    x = np.log10(np.clip(np.nan_to_num(m, nan=low, posinf=high, neginf=low), low, high)) - lo
    y = np.clip(quality, 0.5, 5.5) + (np.arange(len(quality)) % 5 - 2) * 0.06
    decades = np.arange(np.ceil(lo), np.floor(lo + hi) + 1)
    decades = decades[:: int(np.ceil(len(decades) / 7))]
    chart = _chart("XY", _uid("quality", m, quality, flags, names, a), [ZONES[AMBER], ZONES[AMBER], ZONES[RED], MUTED,
                   COLOURS[GREEN], COLOURS[AMBER], COLOURS[RED]], height=520, xrange=(0.0, hi), range=(0.5, 5.5), zero=0.5,
                   x_labels=[{"label": f"{10 ** d:g}×", "value": float(d - lo)} for d in decades], y_labels=[1, 2, 3, 4, 5],
                   x_title="Leverage multiple (log scale)", y_title="Quality (1-5)", print_labels=True,
                   show_x_guides=True, dots_size=5 if len(x) <= 500 else 3, legend_at_bottom_columns=1)
    zone = {"show_dots": False, "fill": True, "stroke_style": {"width": "0"}}
    chart.add("amber zone", [(la, 3.5), (hi, 3.5)], **zone)
    chart.add(None, [(min(max(0.0, one), la), 2.5), (la, 2.5)], **zone)
    chart.add(f"red zone: quality ≤ 2 amplified ≥ {a:g}×", [(la, 2.5), (hi, 2.5)], **zone)
    chart.add(None, [(la, 0.5), (la, 5.5)], show_dots=False, stroke_style={"width": 1.5, "dasharray": "6, 4"})
    times = ["undefined" if np.isnan(v) else "∞" if v == np.inf else f"{v:.1f}" if abs(v) < 1e6 else f"{v:.3g}" for v in m]
    titles = [f"{n} — quality {q:g}, {t}× ({f})" for n, q, t, f in zip(names, quality, times, flags)]
    px = 70 + x / max(hi, 1e-9) * (WIDTH - 80)
    py = 10 + (5.5 - y) / 5 * 300
    shown = _labels_that_fit(px, py, [_text(n, 12) for n in names], np.select([flags == RED, flags == AMBER], [0, 1], 2),
                             WIDTH - 8)
    for flag in (GREEN, AMBER, RED):
        mask = flags == flag
        points = _points(x[mask], y[mask], [t for t, k in zip(titles, mask) if k])
        for point, name, printed in zip(points, np.array(names, dtype=object)[mask], shown[mask]):
            if printed:
                point["label"] = _text(name, 12)
        chart.add(f"{flag} ({int(mask.sum())})", points, stroke=False)
    return _svg(_tree(chart))


def npv_by_form(ranking: Ranking) -> str:
    """NPV and risk-adjusted NPV totals for each of the five leverage forms, as horizontal bars.

    >>> from leverkit import rank
    >>> from leverkit.plan import Plan, Settings
    >>> svg = npv_by_form(rank(Plan("t.xlsx", Settings("t"), [], [])))
    >>> all(form in svg for form in FORMS)
    True
    """
    currency = _text(ranking.plan.settings.currency)
    rows = ranking.by_form()[: len(FORMS)]
    chart = _chart("HorizontalBar", _uid("npv", repr(rows)), ["#2e86c1", "#85c1e9"], height=380, x_labels=list(FORMS),
                   x_title=currency, value_formatter=_compact, legend_at_bottom_columns=2)
    for key in ("NPV", "Risk-adjusted NPV"):
        values = _finite(np.nan_to_num([r[key] for r in rows]))
        chart.add(key, [{"value": v, "tooltip": f"{r['Leverage form']}: {key} {currency} {_money(r[key])}"}
                        for v, r in zip(values.tolist(), rows)])
    return _svg(_tree(chart))


def npv_ranges(labels, p10, p50, p90, currency: str) -> str:
    """One bar per initiative from its NPV P10 to its P90, the P50 marked, on one shared axis, in the order given.

    The axis is linear unless the largest |amount| is over 20 times the
    median; then it is a symmetric log, asinh(x / s), so an initiative 100
    times the others does not squash them (the axis title says which).

    >>> svg = npv_ranges(["A1 Automate"], [-100.0], [200.0], [900.0], "EUR")
    >>> "A1 Automate: P10 EUR -100 to P90 EUR 900" in svg, "A1 Automate: P50 EUR 200" in svg
    (True, True)
    """
    names, currency = [_text(label) for label in labels], _text(currency)
    low, mid, high = (_finite(np.reshape(v, -1)) for v in (p10, p50, p90))
    everything = np.concatenate([low, mid, high])
    to_axis, ticks, scale = _amount_axis(np.nan_to_num(everything))
    ys = -np.arange(1, len(names) + 1, dtype=float)
    chart = _chart("XY", _uid("ranges", names, everything, currency), ["#85c1e9", INK], height=130 + 30 * len(names),
                   x_title=f"NPV, {_text(currency, 12)} ({scale})", range=(ys.min() - 0.7 if len(ys) else -1.7, -0.3),
                   y_labels=[{"label": _text(n, 24), "value": float(y)} for n, y in zip(names, ys)],
                   x_labels=_money_labels(to_axis, ticks), x_value_formatter=_compact, show_x_guides=True,
                   show_y_guides=False, allow_interruptions=True, dots_size=2)
    chart.add("P10 to P90", _segments(to_axis(low), to_axis(high), ys,
                                      [f"{n}: P10 {currency} {_money(a)} to P90 {currency} {_money(b)}"
                                       for n, a, b in zip(names, low, high)]),
              stroke_style={"width": 12, "linecap": "butt"})
    chart.add("P50", _points(to_axis(mid), ys, [f"{n}: P50 {currency} {_money(v)}" for n, v in zip(names, mid)]),
              stroke=False, dots_size=6)
    return _svg(_tree(chart))


def tornado(title, inputs, npv_low, npv_high, median_npv, currency: str) -> str:
    """NPV with each input at its range's low end and at its high end, every other input at its median.

    One bar per input from NPV(low) to NPV(high), sorted by swing
    |NPV(high) − NPV(low)| with the widest on top; the median NPV is the
    vertical line the bars grow from.

    >>> svg = tornado("A1 Automate", ["Reach", "Value"], [900.0, 400.0], [1100.0, 2000.0], 1000.0, "USD")
    >>> svg.index("Value: NPV USD 400") < svg.index("Reach: NPV USD 900")
    True
    """
    names, currency = [_text(n) for n in inputs], _text(currency)
    low, high = _finite(np.reshape(npv_low, -1)), _finite(np.reshape(npv_high, -1))
    median = float(np.nan_to_num(_finite(median_npv)))
    order = np.argsort(-np.nan_to_num(np.abs(high - low)), kind="stable")
    low, high, names = low[order], high[order], [names[k] for k in order]
    ys = -np.arange(1, len(names) + 1, dtype=float)
    bottom = ys.min() - 0.7 if len(ys) else -1.7
    chart = _chart("XY", _uid("tornado", title, names, low, high, median), ["#e59866", "#5dade2", INK],
                   height=150 + 34 * len(names), title=_text(title), x_title=f"NPV, {_text(currency, 12)}",
                   range=(bottom, -0.3), y_labels=[{"label": _text(n, 24), "value": float(y)} for n, y in zip(names, ys)],
                   value_formatter=_compact, x_value_formatter=_compact, show_y_guides=False,
                   allow_interruptions=True, dots_size=2, legend_at_bottom_columns=3)
    bar = {"stroke_style": {"width": 14, "linecap": "butt"}}
    medians = np.full(len(names), median)
    chart.add("input at low end", _segments(medians, np.nan_to_num(low, nan=median), ys,
                                                [f"{n}: NPV {currency} {_money(v)} at its low end" for n, v in zip(names, low)]), **bar)
    chart.add("input at high end", _segments(medians, np.nan_to_num(high, nan=median), ys,
                                                 [f"{n}: NPV {currency} {_money(v)} at its high end" for n, v in zip(names, high)]), **bar)
    chart.add("median NPV", [{"value": (median, y), "tooltip": f"median NPV {currency} {_money(median)}"}
                                                        for y in (bottom, -0.3)], dots_size=1, stroke_style={"width": 2})
    return _svg(_tree(chart))


def frontier(budgets, values, chosen_budget, currency: str) -> str:
    """Best achievable risk-adjusted NPV against budget, as a step line, with the chosen budget marked.

    Between two budgets the best value stays at the lower budget's until the
    next budget buys more, so the line steps up at each budget B_k.

    >>> svg = frontier([0.0, 100.0, 200.0], [0.0, 50.0, 80.0], 100.0, "USD")
    >>> "budget USD 200: best risk-adjusted NPV USD 80" in svg, "chosen budget USD 100" in svg
    (True, True)
    """
    currency = _text(currency)
    b, v = _finite(np.reshape(budgets, -1)), _finite(np.reshape(values, -1))
    keep = ~(np.isnan(b) | np.isnan(v))
    order = np.argsort(b[keep], kind="stable")
    b, v = b[keep][order], v[keep][order]
    chosen = float(np.nan_to_num(_finite(chosen_budget), nan=b[0] if len(b) else 0.0))
    step_x, step_y = np.repeat(b, 2)[1:], np.repeat(v, 2)[:-1]
    reached = v[np.searchsorted(b, chosen, side="right") - 1] if len(b) and chosen >= b[0] else 0.0
    chart = _chart("XY", _uid("frontier", b, v, chosen, currency), [PLAN, PLAN, COLOURS[RED]], height=400,
                   x_title=f"Budget, {_text(currency, 12)}", y_title=f"Risk-adjusted NPV, {_text(currency, 12)}",
                   value_formatter=_compact, x_value_formatter=_compact, legend_at_bottom_columns=2)
    chart.add(None, [(x, y) for x, y in zip(step_x.tolist(), step_y.tolist())], show_dots=False, stroke_style={"width": 2.5})
    chart.add("best achievable", _points(b, v, [f"budget {currency} {_money(x)}: best risk-adjusted NPV {currency} {_money(y)}"
                                                for x, y in zip(b, v)]), stroke=False, dots_size=4)
    label = f"chosen budget {currency} {_money(chosen)}"
    bottom = float(min(v.min(), 0.0)) if len(v) else 0.0
    chart.add("chosen budget", [{"value": (chosen, bottom), "tooltip": label},
                      {"value": (chosen, float(reached)), "tooltip": f"{label}: risk-adjusted NPV {currency} {_money(reached)}"}],
              stroke_style={"width": 2, "dasharray": "6, 4"}, dots_size=5)
    return _svg(_tree(chart))


def tracking(panels, currency: str) -> str:
    """Small multiples, one per tracked initiative: actual cumulative cash flow against the projected one.

    panels: (title, months, projected_cumulative, actual_months, actual_cumulative) each;
    every panel has its own scale and a zero line, two panels to a row. The plan is drawn to month
    max(2m, m + 6), m the last month with actuals, so a few months of actuals are not squeezed
    against the left edge of a long horizon.

    >>> svg = tracking([("A1 Automate", [0, 1, 2], [-100.0, -50.0, 0.0], [1, 2], [-120.0, -90.0])], "USD")
    >>> "A1 Automate: actual month 2, USD -90" in svg, "A1 Automate: plan month 2, USD 0" in svg
    (True, True)
    """
    currency = _text(currency)
    trees = []
    for k, (title, months, projected, actual_months, actual) in enumerate(panels):
        name = _text(title)
        plan_t, plan_v = _finite(np.reshape(months, -1)), _finite(np.reshape(projected, -1))
        real_t, real_v = _finite(np.reshape(actual_months, -1)), _finite(np.reshape(actual, -1))
        if np.isfinite(real_t).any():
            last = float(np.nanmax(real_t))
            shown = ~(plan_t > max(2 * last, last + 6))
            plan_t, plan_v = plan_t[shown], plan_v[shown]
        chart = _chart("XY", _uid("tracking", k, name, plan_t, plan_v, real_t, real_v), [PLAN, ACTUAL, MUTED], width=PANEL,
                       height=270, title=_text(name, 30), x_title=f"month · {_text(currency, 12)}", dots_size=2, max_scale=5,
                       value_formatter=_compact, x_value_formatter=lambda x: f"{x:g}", legend_at_bottom_columns=2)
        chart.add("plan", _points(plan_t, plan_v, [f"{name}: plan month {t:g}, {currency} {_money(v)}"
                                                   for t, v in zip(plan_t, plan_v)]), stroke_style={"width": 2, "dasharray": "6, 4"},
                  dots_size=1.5)
        chart.add("actual", _points(real_t, real_v, [f"{name}: actual month {t:g}, {currency} {_money(v)}"
                                                     for t, v in zip(real_t, real_v)]), stroke_style={"width": 2.5}, dots_size=3)
        span = np.concatenate([plan_t, real_t])
        span = span[np.isfinite(span)]
        if span.size:
            chart.add(None, [(float(span.min()), 0.0), (float(span.max()), 0.0)], show_dots=False, stroke_style={"width": 1})
        trees.append(_tree(chart))
    if not trees:
        return _svg(_tree(_chart("XY", _uid("tracking", 0), [PLAN], height=200)))
    return _grid(trees, 270, _uid("tracking-grid", *[tree.get("id") for tree in trees]))
