"""Headless Chromium for the page tests (tests/test_browser.py): one browser, what it measures of a page at a
given width and of its printout, the checks' measures over those, and screenshots with the faults marked."""
from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage")
SHOTS = Path("/tmp/browser-shots")
PHONE, LAPTOP = 390, 1366
SCREENS = {PHONE: {"height": 844, "mobile": True}, LAPTOP: {"height": 768, "mobile": False}}

SHOT_HEIGHT = 16_000  # px: the most of a long page a screenshot takes (Chromium draws at most 16,384)
SLACK = 1  # px: rounding in layout is not a fault
WHITE = 250  # a pixel is ink where any channel is darker than this
RENDER_DPI = 100
DEFAULT_MARGIN = 0.4  # inches: what Chromium's printToPDF leaves where the page sets no @page margin
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_IMPACTS = {"serious", "critical"}

# In the page: the document's widths, every element wider inside than its box, and each chart (a top-level
# <svg>) with its shown texts clipped to its frame; boxes are [x, y, w, h] in CSS pixels from the page's corner
MEASURE = """
const trimmed = (text, size) => { text = (text || '').replace(/\\s+/g, ' ').trim();
  return text.length > size ? text.slice(0, size - 1) + '…' : text; };
const describe = (el) => {
  const classes = (el.getAttribute('class') || '').trim();
  const text = trimmed(el.textContent, 40);
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (classes ? '.' + classes.split(/\\s+/).join('.') : '')
    + (text ? ' "' + text + '"' : '');
};
const box = (r) => [r.left + scrollX, r.top + scrollY, r.width, r.height];
const heading = (el) => {
  const found = document.evaluate('preceding::*[self::h1 or self::h2 or self::h3 or self::h4][1]', el, null,
                                  XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
  return found ? trimmed(found.textContent, 80) : '(no heading above)';
};
const shown = (el) => {
  for (; el && el !== document.documentElement; el = el.parentElement) {
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility !== 'visible' || parseFloat(style.opacity) === 0) return false;
  }
  return true;
};
const root = document.documentElement;
const scrolling = [...document.querySelectorAll('body, body *')]  // not the shapes inside an <svg>: they have no CSS box
  .filter((el) => !el.ownerSVGElement && el.scrollWidth > el.clientWidth + arguments[0])
  .map((el) => ({what: describe(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
                 overflow: getComputedStyle(el).overflowX, heading: heading(el), box: box(el.getBoundingClientRect())}));
const charts = [...document.querySelectorAll('svg')].filter((svg) => !svg.parentElement.closest('svg')).map((svg) => {
  const frame = svg.getBoundingClientRect();
  const caption = svg.closest('figure') && svg.closest('figure').querySelector('figcaption');
  const texts = [];
  for (const text of svg.querySelectorAll('text')) {
    const r = text.getBoundingClientRect();
    const left = Math.max(r.left, frame.left), right = Math.min(r.right, frame.right);
    const top = Math.max(r.top, frame.top), bottom = Math.min(r.bottom, frame.bottom);
    if (text.textContent.trim() && right > left && bottom > top && shown(text))
      texts.push({text: trimmed(text.textContent, 60), box: [left + scrollX, top + scrollY, right - left, bottom - top]});
  }
  return {heading: heading(svg), caption: caption ? trimmed(caption.textContent, 100) : '', box: box(frame), texts};
});
return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, height: root.scrollHeight, scrolling, charts};
"""

# Each axe-core target's box (a CSS selector's first match), to mark on the screenshot
BOXES = """return arguments[0].map((selector) => { const el = document.querySelector(selector);
  if (!el) return null; const r = el.getBoundingClientRect(); return [r.left + scrollX, r.top + scrollY, r.width, r.height]; });"""

# The top and bottom margins, in inches, of the page's @page rule (nested in @media too), or null where unset
PAGE_MARGINS = """
const rules = (list) => [...list].flatMap((rule) => rule.cssRules && !(rule instanceof CSSPageRule) ? rules(rule.cssRules) : [rule]);
const page = rules([...document.styleSheets].flatMap((sheet) => [...sheet.cssRules]))
  .filter((rule) => rule instanceof CSSPageRule && !rule.selectorText).pop();
const probe = document.body.appendChild(document.createElement('div'));
const inches = (length) => { if (!length || length.endsWith('%')) return null;
  probe.style.height = length; return probe.getBoundingClientRect().height / 96; };
const margins = page ? [inches(page.style.marginTop), inches(page.style.marginBottom)] : [null, null];
probe.remove();
return margins;
"""


@dataclass
class View:
    """One page as the browser laid it out at one width: measurements in CSS pixels, boxes as [x, y, w, h] on the page."""
    width: int
    scroll_width: int
    client_width: int
    scrolling: list[dict]
    charts: list[dict]
    violations: list[dict]
    screenshot: bytes


@dataclass
class Printout:
    pdf: bytes
    margins: tuple[float, float]  # top and bottom, inches


class Browser:
    """One Chromium for the session; each page is laid out once per width, and printed once."""

    def __init__(self, profile: Path):
        """Chromium and ChromeDriver as installed (Selenium Manager never runs: it would try the network)."""
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        self.driver.set_script_timeout(600)  # axe on a long page on a busy machine: a generous bound, not a measure
        self.views: dict[tuple[Path, int], View] = {}
        self.printouts: dict[Path, Printout] = {}

    def quit(self) -> None:
        self.driver.quit()

    def view(self, path: Path, width: int) -> View:
        if (path, width) not in self.views:
            self.views[path, width] = self._lay_out(path, width)
        return self.views[path, width]

    def printout(self, path: Path) -> Printout:
        if path not in self.printouts:
            self.printouts[path] = self._print(path)
        return self.printouts[path]

    def _lay_out(self, path: Path, width: int) -> View:
        """The page at `width` as a phone (390 px) or a laptop shows it: measured, photographed whole, and
        checked by axe-core."""
        from selenium_axe_python import Axe

        screen = SCREENS[width]
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": screen["height"], "deviceScaleFactor": 1, "mobile": screen["mobile"]})
        self.driver.get(path.as_uri())
        seen = self.driver.execute_script(MEASURE, SLACK)
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": max(seen["scrollWidth"], width),
                     "height": min(seen["height"], SHOT_HEIGHT), "scale": 1}})
        axe = Axe(self.driver)
        axe.inject()
        found = axe.run(context="document", options=json.dumps({"runOnly": {"type": "tag", "values": AXE_TAGS}}))
        violations = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                       "targets": [" ".join(map(str, node["target"])) for node in v["nodes"]],
                       "why": next((check["message"] for check in (*v["nodes"][0]["any"], *v["nodes"][0]["all"],
                                                                   *v["nodes"][0]["none"])), "")}
                      for v in found["violations"]]
        for violation in violations:
            violation["boxes"] = self.driver.execute_script(BOXES, violation["targets"])
        return View(width, seen["scrollWidth"], seen["clientWidth"], seen["scrolling"], seen["charts"], violations,
                    base64.b64decode(shot["data"]))

    def _print(self, path: Path) -> Printout:
        """Printed as Chromium prints it, with the page size and margins its @page rule asks for."""
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.driver.get(path.as_uri())
        top, bottom = self.driver.execute_script(PAGE_MARGINS)
        pdf = self.driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
        return Printout(base64.b64decode(pdf["data"]),
                        (DEFAULT_MARGIN if top is None else top, DEFAULT_MARGIN if bottom is None else bottom))


# The checks' measures: findings (none when the page is fine), and boxes to mark on a screenshot

def sideways_scrolling(view: View) -> tuple[list[str], list]:
    """The document wider than the window, and (on a phone) every element whose content is wider than its box."""
    found, boxes = [], []
    if view.scroll_width > view.client_width + SLACK:
        found.append(f"the document scrolls sideways: {view.scroll_width} px of content in {view.client_width} px")
    if view.width == PHONE:
        for el in view.scrolling:
            found.append(f"{el['what']} (overflow-x {el['overflow']}, under “{el['heading']}”): "
                         f"{el['scrollWidth']} px of content in {el['clientWidth']} px")
            boxes.append(el["box"])
    return found, boxes


def overlapping(boxes) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, of boxes [x, y, w, h] that overlap by more than SLACK pixels both ways.

    >>> overlapping([[0, 0, 10, 10], [9.5, 0, 10, 10], [5, 5, 10, 10], [0, 20, 5, 5]])
    [(0, 2), (1, 2)]
    """
    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    left, top, right, bottom = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    across = np.minimum.outer(right, right) - np.maximum.outer(left, left)
    down = np.minimum.outer(bottom, bottom) - np.maximum.outer(top, top)
    i, j = np.nonzero(np.triu((across > SLACK) & (down > SLACK), k=1))
    return list(zip(i.tolist(), j.tolist()))


def chart_overlaps(view: View) -> list[tuple[dict, list[tuple[dict, dict]]]]:
    """Each chart with texts over one another, and those pairs of texts."""
    found = []
    for chart in view.charts:
        pairs = overlapping([t["box"] for t in chart["texts"]])
        if pairs:
            found.append((chart, [(chart["texts"][i], chart["texts"][j]) for i, j in pairs]))
    return found


def blank_share(ink: np.ndarray) -> float:
    """The share of a page's printable height taken by its tallest band of rows without ink.

    That band is the space left below the content when a block too tall for the rest of the page moves to
    the next one (the usual way a page ends up half blank), or a hole in the middle; the spacing between
    lines of text and between paragraphs is far shorter. With ink in rows r_1 < ... < r_k of n rows,
    share = max(r_1, r_(i+1) - r_i - 1, n - 1 - r_k) / n:

    >>> blank_share(np.array([True, False, False, True, False]))
    0.4
    >>> blank_share(np.zeros(4, dtype=bool))
    1.0
    """
    inked = np.flatnonzero(np.concatenate(([True], ink, [True])))
    return float((np.diff(inked).max() - 1) / len(ink))


def printed_blank_shares(printout: Printout) -> tuple[list[float], list[np.ndarray]]:
    """Each printed page's blank share (of the page less its top and bottom margins), and the page as pixels."""
    import pypdfium2

    document = pypdfium2.PdfDocument(printout.pdf)
    shares, images = [], []
    try:
        for page in document:
            pixels = page.render(scale=RENDER_DPI / 72).to_numpy()[..., :3]
            top, bottom = (round(inches * RENDER_DPI) for inches in printout.margins)
            printable = pixels[top:len(pixels) - bottom]
            shares.append(blank_share((printable.min(axis=2) < WHITE).any(axis=1)))
            images.append(pixels[..., ::-1])  # pdfium draws BGR
            page.close()
    finally:
        document.close()
    return shares, images


def serious_violations(view: View) -> list[dict]:
    return [v for v in view.violations if v["impact"] in AXE_IMPACTS]


def save_shot(name: str, png: bytes, boxes=(), crop=None) -> Path:
    """The screenshot with each box outlined in red (and cropped to `crop`, a box, with a margin)."""
    from PIL import Image, ImageDraw

    image = Image.open(io.BytesIO(png)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for x, y, w, h in filter(None, boxes):
        draw.rectangle([x - 1, y - 1, x + w + 1, y + h + 1], outline=(230, 0, 0), width=2)
    if crop:
        x, y, w, h = crop
        image = image.crop((max(x - 20, 0), max(y - 20, 0), min(x + w + 20, image.width), min(y + h + 20, image.height)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    image.save(path)
    return path
