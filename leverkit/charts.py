"""Charts for the HTML pages, drawn with pygal as inline SVG (docs/model.md section 6, "The charts").

pygal was chosen by measurement (benchmarks/bench_charts.py): it imports in
under a tenth of a second, keeps text as SVG <text> (so any script renders
in the reader's own fonts) and puts each point's name in an SVG <title> that
browsers show on hover. Its JavaScript tooltip script and its comments
(which carry URLs) are removed with lxml, so a page needs no script and no
network. Labels leverkit places itself (the quality map's names) are added
to pygal's tree where its dots are, each beside its own dot or joined to it
by a line, never over another label. Amounts beyond ±10^15 and multiples
beyond 10^9 are drawn at those limits; their hover titles still give the
real figure.
"""
from __future__ import annotations

import hashlib
import unicodedata
import warnings

import numpy as np
from lxml import etree

from .model import AMBER, GREEN, RED

COLOURS = {RED: "#c0392b", AMBER: "#d68910", GREEN: "#1e8449"}
ZONES = {RED: "#f5c6c0", AMBER: "#fbe3bd"}
PLAN, ACTUAL, INK, MUTED = "#2e86c1", "#1c2833", "#1c2833", "#808b96"
BAND, LOW_END, HIGH_END = "#aed6f1", "#e59866", "#5dade2"
WIDTH = 600  # native width: on a 360 px phone (about 340 px for a chart), 16-unit text shows at 9 px
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


def _svg(root: etree._Element, label: str) -> str:
    """The chart as SVG text, announced to screen readers as one image named `label`."""
    root.set("role", "img")
    root.set("aria-label", _text(label, 300))
    return etree.tostring(root, encoding="unicode")


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


def _span(*values) -> tuple[float, float]:
    """The least and greatest finite number among arrays and numbers (0, 0 when there is none)."""
    found = np.concatenate([np.ravel(np.asarray(v, float)) for v in values if v is not None])
    found = found[np.isfinite(found)]
    return (float(found.min()), float(found.max())) if found.size else (0.0, 0.0)


def nice_ticks(low: float, high: float, count: int = 5) -> list[dict]:
    """Axis labels at steps of 1, 2 or 5 × 10^k covering [low, high], each printed with just enough digits to
    differ from its neighbours (12k, 4.025M), as pygal's {"label", "value"} dicts.

    >>> [t["label"] for t in nice_ticks(4_024_000.0, 4_036_000.0)]
    ['4.02M', '4.025M', '4.03M', '4.035M', '4.04M']
    >>> [t["label"] for t in nice_ticks(-150.0, 900.0, 4)]
    ['-0.5k', '0', '0.5k', '1k']
    """
    low, high = float(np.nan_to_num(low)), float(np.nan_to_num(high))
    if not high > low:
        low, high = low - max(abs(low), 1.0), high + max(abs(high), 1.0)
    raw = (high - low) / count
    magnitude = 10.0 ** np.floor(np.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * 0.999)
    values = np.arange(np.floor(low / step), np.ceil(high / step) + 1) * step
    size = float(np.max(np.abs(values))) or 1.0
    scale, suffix = next(((v, n) for v, n in ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k")) if size >= v), (1.0, ""))
    digits = int(max(0, np.ceil(-np.log10(step / scale) - 1e-9)))
    labels = []
    for v in values.tolist():
        text = f"{v / scale:.{digits}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        labels.append({"label": ("0" if float(text) == 0 else text + suffix), "value": float(v)})
    return labels


def _money_labels(to_axis, ticks):
    return None if ticks is None else [{"label": _compact(t), "value": float(to_axis(t))} for t in ticks]


def words(text: str, limit: int) -> str:
    """Text cut to `limit` characters at a word boundary, with an ellipsis when cut.

    >>> words("F18 Intercompany netting with the treasury", 24), words("short", 24), words("Unbreakableword", 6)
    ('F18 Intercompany…', 'short', 'Unbre…')
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,.;:·-") + "…"


def _plot(root: etree._Element) -> tuple[etree._Element, float, float]:
    """pygal's text overlay group (same coordinates as its dots) and the plot's width and height."""
    plot = root.xpath("//*[@class='plot']")[0]
    box = plot.xpath("./*[local-name()='rect'][@class='background']")[0]
    overlay = root.xpath("//*[@class='plot text-overlay']")[0]
    return overlay, float(box.get("width")), float(box.get("height"))


def _dots(root: etree._Element, series: int) -> list[tuple[float, float]]:
    """The centres of one series' dots, in the order its points were added."""
    found = root.xpath(f"//*[@class='plot overlay']/*[contains(concat(' ', @class, ' '), ' serie-{series} ')]//*"
                       f"[local-name()='circle']")
    return [(float(c.get("cx")), float(c.get("cy"))) for c in found]


LABEL_TEXT = 15  # the quality map's names, in chart units: 9 px or more on a 390 px phone
LABEL_WIDE = 1.2  # their bold letters against `_width`'s estimate of plain ones
_SPOTS = ((10, 5, "start", False), (-10, 5, "end", False), (0, -10, "middle", False), (0, 20, "middle", False),
          (24, -20, "start", True), (24, 30, "start", True), (-24, -20, "end", True), (-24, 30, "end", True),
          (0, -34, "middle", True), (0, 44, "middle", True), (40, 6, "start", True), (-40, 6, "end", True))


def place_labels(overlay: etree._Element, width: float, height: float, dots: list[tuple[float, float]],
                 named: list[tuple[int, str]]) -> list[int]:
    """Write each (dot, text) of `named`, in order, beside its dot or joined to it by a thin line, where its box
    stays in the plot and covers no other dot and no label already written; returns the dots left unnamed.

    Boxes are estimated from the text (`_width`), in the plot's own units.
    """
    placed: list[tuple[float, float, float, float]] = []
    left_out = []
    for k, text in named:
        x, y = dots[k]
        span = _width(text) * LABEL_TEXT / TEXT * LABEL_WIDE
        for dx, dy, anchor, line in _SPOTS:
            x0 = x + dx - (span if anchor == "end" else span / 2 if anchor == "middle" else 0)
            box = (x0 - 2, y + dy - LABEL_TEXT + 2, x0 + span + 2, y + dy + 4)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            clear = all(box[2] + 6 <= b[0] or b[2] + 6 <= box[0] or box[3] + 2 <= b[1] or b[3] + 2 <= box[1]
                        for b in placed)
            bare = all(not (box[0] - 4 <= dx_ <= box[2] + 4 and box[1] - 4 <= dy_ <= box[3] + 4)
                       for j, (dx_, dy_) in enumerate(dots) if j != k)
            if inside and clear and bare:
                break
        else:
            left_out.append(k)
            continue
        placed.append(box)
        if line:
            end_y = min(max(y, box[1]), box[3])
            end_x = box[0] if anchor == "start" else box[2] if anchor == "end" else x0 + span / 2
            etree.SubElement(overlay, "line", x1=f"{x:.1f}", y1=f"{y:.1f}", x2=f"{end_x:.1f}", y2=f"{end_y:.1f}",
                             stroke=MUTED, **{"stroke-width": "1"})
        label = etree.SubElement(overlay, "text", x=f"{x + dx:.1f}", y=f"{y + dy:.1f}", **{
            "text-anchor": anchor, "font-size": str(LABEL_TEXT), "font-weight": "600", "fill": INK, "class": "name"})
        label.text = text
    return left_out


def quality_map(ranking) -> str:
    """Quality (up) against leverage multiple (across, log scale) of one plan's initiatives, the recommended and
    the top-ranked named; see quality_map_of."""
    p = ranking.projection
    items = ranking.plan.initiatives
    chosen = ranking.funding.chosen
    first = [i for i in ranking.order.tolist() if chosen[i]][:8] + ranking.order.tolist()[:3]
    return quality_map_of(p.multiple_effective, [i.quality for i in items], p.flags,
                          [f"{i.id} {i.name}" for i in items], ranking.plan.settings.threshold,
                          labelled=[items[i].id for i in dict.fromkeys(first)], ids=[i.id for i in items])


def quality_map_of(multiples, qualities, flags, labels, threshold: float, labelled=(), ids=None) -> str:
    """The quality-versus-amplification map of any set of initiatives (one team's, or a whole drive's).

    Across: log10 of the leverage multiple M, clipped to [10^-3, 10^9]; an
    undefined, zero or negative M sits at the left edge, an infinite one at
    the right. Up: quality 1-5, nudged ±0.12 so equal points stay apart.
    Shaded: the red zone (quality ≤ 2, M ≥ A) and the amber zones (quality
    ≤ 2 with 1 ≤ M < A; quality 3 with M ≥ A). Every point's name is its
    hover title; the `labelled` ones (by ID, in order of importance; `ids`
    are the points' IDs, `labels` their full names) are named on the chart.

    >>> svg = quality_map_of([4.0, float("inf")], [2, 5], ["red", "green"], ["DS08 Portal", "DS03 Videos"], 3.0,
    ...                      labelled=["DS08"], ids=["DS08", "DS03"])
    >>> "DS08 Portal — quality 2, 4.0× (red)" in svg, ">DS08<" in svg, ">DS03<" in svg
    (True, True, False)
    """
    names = [_text(label) for label in labels]
    ids = [_text(i) for i in (ids if ids is not None else labels)]
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
    chart = _chart("XY", _uid("quality", m, quality, flags, names, a, list(labelled)),
                   [ZONES[AMBER], ZONES[AMBER], ZONES[RED], MUTED, COLOURS[GREEN], COLOURS[AMBER], COLOURS[RED]],
                   height=520, xrange=(0.0, hi), range=(0.5, 5.5), zero=0.5,
                   x_labels=[{"label": f"{10 ** d:g}×", "value": float(d - lo)} for d in decades], y_labels=[1, 2, 3, 4, 5],
                   x_title="Leverage multiple (log scale)", y_title="Quality (1-5)",
                   show_x_guides=True, dots_size=5 if len(x) <= 500 else 3, legend_at_bottom_columns=1)
    zone = {"show_dots": False, "fill": True, "stroke_style": {"width": "0"}}
    chart.add("amber zone", [(la, 3.5), (hi, 3.5)], **zone)
    chart.add(None, [(min(max(0.0, one), la), 2.5), (la, 2.5)], **zone)
    chart.add(f"red zone: quality ≤ 2 amplified ≥ {a:g}×", [(la, 2.5), (hi, 2.5)], **zone)
    chart.add(None, [(la, 0.5), (la, 5.5)], show_dots=False, stroke_style={"width": 1.5, "dasharray": "6, 4"})
    times = ["undefined" if np.isnan(v) else "∞" if v == np.inf else f"{v:.1f}" if abs(v) < 1e6 else f"{v:.3g}" for v in m]
    titles = [f"{n} — quality {q:g}, {t}× ({f})" for n, q, t, f in zip(names, quality, times, flags)]
    series = []
    for flag in (GREEN, AMBER, RED):
        mask = flags == flag
        chart.add(f"{flag} ({int(mask.sum())})", _points(x[mask], y[mask], [t for t, k in zip(titles, mask) if k]),
                  stroke=False)
        series.append(np.flatnonzero(mask & ~np.isnan(x) & ~np.isnan(y)))
    root = _tree(chart)
    overlay, width, height = _plot(root)
    dots: list[tuple[float, float]] = []
    where: dict[str, int] = {}
    for k, members in enumerate(series, start=4):
        for index, centre in zip(members.tolist(), _dots(root, k)):
            where.setdefault(ids[index], len(dots))
            dots.append(centre)
    place_labels(overlay, width, height, dots, [(where[i], words(i, 14)) for i in labelled if i in where])
    return _svg(root, f"Quality against leverage multiple of {len(names)} initiatives, the red zone shaded")


def portfolio_cash(months, cumulative, bands, need: float, need_month: int | None, payback_month: int | None,
                   currency: str) -> str:
    """The recommended portfolio's cumulative cash C_m by calendar month, with its P10–P90 band (simulation on),
    the cash need marked at its month and the payback month marked where C turns for good (docs/model.md
    section 8). `months` are the months' first days; `need_month` and `payback_month` count from 1.

    >>> import datetime
    >>> svg = portfolio_cash([datetime.date(2027, 1, 1), datetime.date(2027, 2, 1)], [-40.0, 20.0], None, 40.0, 1, 2, "EUR")
    >>> "cash need EUR 40 in 2027-01" in svg, "pays back in 2027-02" in svg
    (True, True)
    """
    currency = _text(currency)
    c = _finite(np.reshape(cumulative, -1))
    n = c.size
    xs = np.arange(1, n + 1, dtype=float)
    label = [f"{d:%Y-%m}" for d in months]
    step = next(k for k in (1, 2, 3, 6, 12, 24, 60, 120, 10**9) if n / k <= 5)
    shown = [k for k in range(n) if (k % step == 0 if step > 12 else (months[k].month - 1) % step == 0)
             and k >= n * 0.08]
    chart = _chart("XY", _uid("cash", c, None if bands is None else np.asarray(bands), need, need_month, payback_month),
                   [BAND, PLAN, COLOURS[RED], COLOURS[GREEN], MUTED], height=400,
                   x_labels=[{"label": label[k], "value": float(k + 1)} for k in shown],
                   y_labels=nice_ticks(*_span(c, None if bands is None else np.asarray(bands, float), 0.0)),
                   x_title="Month", y_title=f"Cumulative cash, {_text(currency, 12)}", value_formatter=_compact,
                   show_x_guides=False, allow_interruptions=True, dots_size=1.5, legend_at_bottom_columns=2)
    if bands is not None:
        low, high = (_finite(np.reshape(b, -1)) for b in (bands[0], bands[2]))
        bar = max(2.0, (WIDTH - 120) / max(n, 1))
        chart.add("P10–P90 of the draws", [point for k in range(n) for point in (
            {"value": (xs[k], float(low[k])), "tooltip": f"{label[k]}: P10 {currency} {_money(low[k])}"},
            {"value": (xs[k], float(high[k])), "tooltip": f"{label[k]}: P90 {currency} {_money(high[k])}"},
            (None, None))], show_dots=False, stroke_style={"width": bar, "linecap": "butt"})
    else:
        chart.add(None, [], show_dots=False)
    chart.add("median inputs", _points(xs, c, [f"{label[k]}: cumulative {currency} {_money(c[k])}"
                                                                for k in range(n)]), stroke_style={"width": 2.5})
    if need_month:
        chart.add(f"cash need {currency} {_money(need)}", [{"value": (float(need_month), -float(need)),
                  "tooltip": f"cash need {currency} {_money(need)} in {label[need_month - 1]}"}], stroke=False, dots_size=7)
    if payback_month:
        chart.add(f"pays back in {label[payback_month - 1]}", [{"value": (float(payback_month), float(c[payback_month - 1])),
                  "tooltip": f"pays back in {label[payback_month - 1]}"}], stroke=False, dots_size=7)
    chart.add(None, [(1.0, 0.0), (float(n), 0.0)], show_dots=False, stroke_style={"width": 1})
    need_text = f"; cash need {currency} {_money(need)}" if need_month else ""
    pays = f"; pays back in {label[payback_month - 1]}" if payback_month else "; no payback within the plan"
    return _svg(_tree(chart), f"The portfolio's cumulative cash by month{need_text}{pays}")


def npv_ranges(labels, p10, p50, p90, currency: str) -> str:
    """One row per initiative with ranges: a bar from its P10 to its P90 with the P50 (the middle draw) marked
    and both ends printed beside it, on one shared axis, in the order given.

    The axis is linear unless the largest |amount| is over 20 times the
    median; then it is a symmetric log, asinh(x / s), so an initiative 100
    times the others does not squash them (the axis title says which). A bar
    too narrow to see is drawn a few pixels wide: its printed ends say what it is.

    >>> svg = npv_ranges(["A1 Automate"], [-100.0], [200.0], [900.0], "EUR")
    >>> "A1 Automate: P10 EUR -100 to P90 EUR 900" in svg, "A1 Automate: P50 (middle draw) EUR 200" in svg, "-100 to 900" in svg
    (True, True, True)
    """
    names, currency = [_text(label) for label in labels], _text(currency)
    low, mid, high = (_finite(np.reshape(v, -1)) for v in (p10, p50, p90))
    everything = np.concatenate([low, mid, high])
    to_axis, ticks, scale = _amount_axis(np.nan_to_num(everything))
    ys = -np.arange(1, len(names) + 1, dtype=float)
    a, b = to_axis(np.nan_to_num(low)), to_axis(np.nan_to_num(high))
    span = float(np.nanmax(np.concatenate([a, b, [0.0]])) - np.nanmin(np.concatenate([a, b, [0.0]]))) or 1.0
    least = span * 0.008
    centre = (a + b) / 2
    a, b = np.minimum(a, centre - least), np.maximum(b, centre + least)
    chart = _chart("XY", _uid("ranges", names, everything, currency), ["#85c1e9", INK], height=130 + 34 * len(names),
                   x_title=f"NPV, {_text(currency, 12)} ({scale})", range=(ys.min() - 0.7 if len(ys) else -1.7, -0.3),
                   y_labels=[{"label": words(n, 26), "value": float(y)} for n, y in zip(names, ys)],
                   x_labels=_money_labels(to_axis, ticks), x_value_formatter=_compact, show_x_guides=True,
                   show_y_guides=False, allow_interruptions=True, dots_size=2, print_labels=True,
                   xrange=(float(min(a.min(initial=0.0), 0.0)) - span * 0.02, float(max(b.max(initial=0.0), 0.0)) + span * 0.6))
    chart.add("P10 to P90", _segments(a, b, ys, [f"{n}: P10 {currency} {_money(lo)} to P90 {currency} {_money(hi)}"
                                                 for n, lo, hi in zip(names, low, high)]),
              stroke_style={"width": 12, "linecap": "butt"})
    chart.add("P50 (the middle draw)", [
        {"value": (float(x), float(y)), "tooltip": f"{n}: P50 (middle draw) {currency} {_money(v)}"}
        for x, y, n, v in zip(to_axis(np.nan_to_num(mid)).tolist(), ys.tolist(), names, mid)], stroke=False, dots_size=6)
    chart.add(None, [{"value": (float(x) + span * 0.02, float(y)), "label": f"{_compact(lo)} to {_compact(hi)}"}
                     for x, y, lo, hi in zip(b.tolist(), ys.tolist(), low, high)], stroke=False, dots_size=0.01)
    root = _tree(chart)
    for text in root.xpath("//*[@class='plot text-overlay']//*[local-name()='text']"):
        text.set("text-anchor", "start")  # each range's ends start just right of its bar, never over it
    return _svg(root, f"NPV P10 to P90 of {len(names)} initiatives with ranges")


def tornado(labels, low_totals, high_totals, base: float, currency: str) -> str:
    """The recommended portfolio's NPV (before Confidence) with one ranged input at the low and then the high
    end of its range, every other input at its median; one bar per input (`labels`: "initiative · input"),
    widest swing on top, growing from `base`, the portfolio's NPV at median inputs.

    >>> svg = tornado(["A1 · Reach", "A1 · Value"], [900.0, 400.0], [1100.0, 2000.0], 1000.0, "USD")
    >>> svg.index("A1 · Value: NPV USD 400") < svg.index("A1 · Reach: NPV USD 900")
    True
    """
    names, currency = [_text(n) for n in labels], _text(currency)
    low, high = _finite(np.reshape(low_totals, -1)), _finite(np.reshape(high_totals, -1))
    median = float(np.nan_to_num(_finite(base)))
    order = np.argsort(-np.nan_to_num(np.abs(high - low)), kind="stable")
    low, high, names = low[order], high[order], [names[k] for k in order]
    ys = -np.arange(1, len(names) + 1, dtype=float)
    bottom = ys.min() - 0.7 if len(ys) else -1.7
    chart = _chart("XY", _uid("tornado", names, low, high, median), [LOW_END, HIGH_END, INK],
                   height=150 + 34 * len(names), x_title=f"Portfolio NPV before Confidence, {_text(currency, 12)}",
                   x_labels=nice_ticks(*_span(low, high, median), 3),
                   range=(bottom, -0.3), y_labels=[{"label": words(n, 34), "value": float(y)} for n, y in zip(names, ys)],
                   value_formatter=_compact, x_value_formatter=_compact, show_y_guides=False, show_legend=False,
                   allow_interruptions=True, dots_size=2)
    bar = {"stroke_style": {"width": 14, "linecap": "butt"}}
    medians = np.full(len(names), median)
    chart.add("input at the low end", _segments(medians, np.nan_to_num(low, nan=median), ys,
                                                [f"{n}: NPV {currency} {_money(v)} at its low end" for n, v in zip(names, low)]), **bar)
    chart.add("input at the high end", _segments(medians, np.nan_to_num(high, nan=median), ys,
                                                 [f"{n}: NPV {currency} {_money(v)} at its high end" for n, v in zip(names, high)]), **bar)
    chart.add("NPV at median inputs", [{"value": (median, y), "tooltip": f"portfolio NPV at median inputs {currency} "
                                                                          f"{_money(median)}"} for y in (bottom, -0.3)],
              dots_size=1, stroke_style={"width": 2})
    return _svg(_tree(chart), f"The portfolio's NPV with each of {len(names)} ranged inputs at the ends of its range")


def frontier(budgets, values, chosen_budget, currency: str, chosen_upfront=None, chosen_value=None) -> str:
    """Best achievable value (risk-adjusted) against budget, as a step line, with the recommended portfolio's
    own (Budget, value) marked exactly.

    Between two budgets the best value stays at the lower budget's until the
    next budget buys more, so the line steps up at each budget B_k. The
    marker is the recommended portfolio itself (at the Budget, its value),
    not a reading of the line between two computed budgets.

    >>> svg = frontier([0.0, 100.0, 200.0], [0.0, 50.0, 80.0], 150.0, "USD", 140.0, 61.0)
    >>> "budget USD 200: best value USD 80" in svg, "this Budget, USD 150: the recommended portfolio's value USD 61" in svg
    (True, True)
    """
    currency = _text(currency)
    b, v = _finite(np.reshape(budgets, -1)), _finite(np.reshape(values, -1))
    keep = ~(np.isnan(b) | np.isnan(v))
    order = np.argsort(b[keep], kind="stable")
    b, v = b[keep][order], v[keep][order]
    chosen = float(np.nan_to_num(_finite(chosen_budget), nan=b[0] if len(b) else 0.0))
    step_x, step_y = np.repeat(b, 2)[1:], np.repeat(v, 2)[:-1]
    if chosen_value is None:
        chosen_value = v[np.searchsorted(b, chosen, side="right") - 1] if len(b) and chosen >= b[0] else 0.0
    reached = float(np.nan_to_num(_finite(chosen_value)))
    chart = _chart("XY", _uid("frontier", b, v, chosen, reached, currency), [PLAN, PLAN, COLOURS[RED]], height=400,
                   x_title=f"Budget, {_text(currency, 12)}", y_title=f"Best value, risk-adjusted, {_text(currency, 12)}",
                   x_labels=nice_ticks(*_span(b, chosen), 4), y_labels=nice_ticks(*_span(v, reached, 0.0)),
                   value_formatter=_compact, x_value_formatter=_compact, legend_at_bottom_columns=2)
    chart.add(None, [(x, y) for x, y in zip(step_x.tolist(), step_y.tolist())], show_dots=False, stroke_style={"width": 2.5})
    chart.add("best achievable", _points(b, v, [f"budget {currency} {_money(x)}: best value {currency} {_money(y)}"
                                                for x, y in zip(b, v)]), stroke=False, dots_size=4)
    label = f"this Budget, {currency} {_money(chosen)}: the recommended portfolio's value {currency} {_money(reached)}"
    chart.add("the recommended portfolio", [{"value": (chosen, reached), "tooltip": label}], stroke=False, dots_size=7)
    return _svg(_tree(chart), f"The best value each budget can buy; {label}")


def tracking(panels, currency: str) -> list[str]:
    """Small multiples, one SVG per tracked initiative: actual cumulative cash flow against the projected one.

    panels: (title, months, projected_cumulative, actual_months, actual_cumulative) each;
    every panel has its own scale and a zero line (the page sets them two to a row). The plan is
    drawn to month max(2m, m + 6), m the last month with actuals, so a few months of actuals are not
    squeezed against the left edge of a long horizon.

    >>> [svg] = tracking([("A1 Automate", [0, 1, 2], [-100.0, -50.0, 0.0], [1, 2], [-120.0, -90.0])], "USD")
    >>> "A1 Automate: actual month 2, USD -90" in svg, "A1 Automate: plan month 2, USD 0" in svg
    (True, True)
    """
    currency = _text(currency)
    svgs = []
    for k, (title, months, projected, actual_months, actual) in enumerate(panels):
        name = _text(title)
        plan_t, plan_v = _finite(np.reshape(months, -1)), _finite(np.reshape(projected, -1))
        real_t, real_v = _finite(np.reshape(actual_months, -1)), _finite(np.reshape(actual, -1))
        if np.isfinite(real_t).any():
            last = float(np.nanmax(real_t))
            shown = ~(plan_t > max(2 * last, last + 6))
            plan_t, plan_v = plan_t[shown], plan_v[shown]
        chart = _chart("XY", _uid("tracking", k, name, plan_t, plan_v, real_t, real_v), [PLAN, ACTUAL, MUTED],
                       height=400, title=words(name, 40), x_title="Month", dots_size=2, max_scale=5,
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
        svgs.append(_svg(_tree(chart), f"{name}: actual cumulative cash against the plan"))
    return svgs
