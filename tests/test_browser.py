"""The HTML pages in a real browser: headless Chromium, driven by Selenium.

Four checks on every page leverkit writes (each bundled example's summary, the Operations example with a
Budget, and the batch index with and without a company-wide budget):

1. nothing scrolls sideways at 390 px (a phone) or 1366 px (a laptop);
2. no two texts of a chart overlap, at both widths;
3. no printed page but the last is more than half blank;
4. axe-core finds no serious or critical violation of WCAG 2.1 A and AA, at both widths.

Chromium and ChromeDriver are Debian's packages (.ci/run installs them); these tests are skipped only where
they are not installed. One browser serves the session, each page is loaded and measured once per width and
printed once, and the tests read those measurements (tests/browser.py). A failing check saves a screenshot
with the faults boxed in red under /tmp/browser-shots/ (emptied when the session starts) and names it.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import leverkit

from .browser import (AXE_TAGS, CHROMEDRIVER, CHROMIUM, PHONE, SCREENS, SHOTS, Browser, chart_overlaps,
                      printed_blank_shares, save_shot, serious_violations, sideways_scrolling)

EXAMPLES = Path(__file__).resolve().parent.parent / "workbooks"
BUDGET = 100_000
WIDTHS = pytest.mark.parametrize("width", list(SCREENS))
PAGES = [*(path.stem for path in sorted(EXAMPLES.glob("*.xlsx"))), "operations-budget", "index", "index-budget"]
EACH_PAGE = pytest.mark.parametrize("page", PAGES)


# The pages, made with the library as a team would make them

def budgeted_workbook(folder: Path) -> Path:
    """The Operations example with a Budget set (as docs/render_pictures.py makes it), so the decision shows."""
    book = openpyxl.load_workbook(EXAMPLES / "operations.xlsx")
    for name, value in book["Settings"].iter_rows(min_row=2, max_col=2):
        if name.value == "Budget":
            value.value = BUDGET
    path = folder / "operations.xlsx"
    book.save(path)
    return path


def sharing_a_currency() -> list[Path]:
    """The largest set of two or more examples in one currency: a company-wide budget refuses to add up
    amounts in different currencies."""
    by_currency: dict[str, list[Path]] = {}
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        by_currency.setdefault(leverkit.load(path).settings.currency, []).append(path)
    return max((paths for paths in by_currency.values() if len(paths) > 1), key=len, default=[])


@pytest.fixture(scope="session")
def pages(tmp_path_factory) -> dict[str, Path | str]:
    """Each page's file, or why it could not be made."""
    root = tmp_path_factory.mktemp("pages")
    made: dict[str, Path | str] = {}
    for path in sorted(EXAMPLES.glob("*.xlsx")):
        leverkit.report(path, root / "summaries")
        made[path.stem] = root / "summaries" / f"{path.stem}.html"
    (root / "budgeted").mkdir()
    leverkit.report(budgeted_workbook(root / "budgeted"), root / "budgeted-summary")
    made["operations-budget"] = root / "budgeted-summary" / "operations.html"
    leverkit.batch([EXAMPLES], root / "batch")
    made["index"] = root / "batch" / "index.html"
    shared = sharing_a_currency()
    if shared:
        (root / "one-currency").mkdir()
        for path in shared:
            shutil.copy(path, root / "one-currency")
        leverkit.batch([root / "one-currency"], root / "batch-budget", budget=BUDGET)
        made["index-budget"] = root / "batch-budget" / "index.html"
    else:
        made["index-budget"] = "no two example workbooks share a currency, so there is no company-wide budget index"
    return made


@pytest.fixture
def page_file(pages, page) -> Path:
    made = pages[page]
    if isinstance(made, str):
        pytest.skip(made)
    return made


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.is_file()]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (Debian's chromium and chromium-driver packages)")
    shutil.rmtree(SHOTS, ignore_errors=True)
    session = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield session
    finally:
        session.quit()


def listed(lines, most=12) -> str:
    lines = list(lines)
    more = f"\n  … and {len(lines) - most} more" if len(lines) > most else ""
    return "".join(f"\n  {line}" for line in lines[:most]) + more


# The checks tell a page made to fail from one made to pass (so a green run means something)

HEAD = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>
<style>@page {{ size: 297mm 210mm; margin: 10mm; }} body {{ margin: 0; }} .scroller {{ overflow-x: auto; width: 200px; }}
.scroller div {{ width: 600px; }} svg {{ width: 100%; height: auto; max-width: 600px; }}
@media screen {{ .wide {{ width: 1500px; }} }}  /* in print it would shrink every page to fit */</style></head><body>"""
INKED_SHARE = 0.25  # of the printed page's 190 mm between its margins: a 47.5 mm block, then a page break

FAULTY = HEAD.format(title="Faulty") + f"""
<div style="height: {INKED_SHARE * 190}mm; background: #1c2833; break-after: page"></div>
<h1>Faulty</h1>
<div class="scroller"><div>a line wider than its box</div></div>
<div class="wide">wider than any screen here</div>
<h2>Labels on labels</h2>
<figure><svg viewBox="0 0 200 100" width="200" height="100" aria-hidden="true">
<text x="10" y="50">first label</text><text x="30" y="52">second label</text>
<text x="10" y="50" opacity="0">unseen label</text></svg><figcaption>Two labels drawn over each other</figcaption></figure>
<p style="color: #bbb">Faint text.</p><button></button>
</body></html>"""

CLEAN = HEAD.format(title="Clean") + """
<h1>Clean</h1>
<h2>Labels apart</h2>
<figure><svg viewBox="0 0 200 100" width="200" height="100" aria-hidden="true">
<svg x="0" y="0" width="200" height="50"><text x="10" y="30">first label</text></svg><text x="10" y="60">second label</text>
<text x="10" y="60" style="display: none">hidden label</text><g opacity="0"><text x="10" y="30">unseen label</text></g>
<text x="10" y="200">outside the frame</text><text x="10" y="205">also outside</text></svg>
<figcaption>Two labels, one under the other</figcaption></figure>
""" + "".join(f"<p>Paragraph {n} of a report long enough to fill more than one printed page.</p>" for n in range(60)) + """
</body></html>"""


@pytest.fixture(scope="session")
def made(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("made")
    for name, text in (("faulty", FAULTY), ("clean", CLEAN)):
        (folder / f"{name}.html").write_text(text, encoding="utf-8")
    return {name: folder / f"{name}.html" for name in ("faulty", "clean")}


@WIDTHS
def test_the_scroll_check_finds_what_scrolls_sideways(browser, made, width):
    found, _ = sideways_scrolling(browser.view(made["faulty"], width))
    assert any(line.startswith("the document scrolls sideways") for line in found), found
    assert any(line.startswith("div.scroller") for line in found) == (width == PHONE), found
    assert sideways_scrolling(browser.view(made["clean"], width)) == ([], [])


@WIDTHS
def test_the_chart_check_finds_visible_texts_that_overlap(browser, made, width):
    [(chart, pairs)] = chart_overlaps(browser.view(made["faulty"], width))
    assert [(a["text"], b["text"]) for a, b in pairs] == [("first label", "second label")]
    assert (chart["heading"], chart["caption"]) == ("Labels on labels", "Two labels drawn over each other")
    [clean] = browser.view(made["clean"], width).charts
    assert [t["text"] for t in clean["texts"]] == ["first label", "second label"]
    assert chart_overlaps(browser.view(made["clean"], width)) == []


def test_the_print_check_finds_a_page_left_blank(browser, made):
    faulty, _ = printed_blank_shares(browser.printout(made["faulty"]))
    assert len(faulty) >= 2 and faulty[0] == pytest.approx(1 - INKED_SHARE, abs=0.01), faulty
    clean, _ = printed_blank_shares(browser.printout(made["clean"]))
    assert len(clean) >= 2 and max(clean[:-1]) <= 0.5, clean


@WIDTHS
def test_the_accessibility_check_finds_serious_violations(browser, made, width):
    found = {v["id"]: v for v in serious_violations(browser.view(made["faulty"], width))}
    assert found.keys() == {"button-name", "color-contrast", "scrollable-region-focusable"}, found
    assert found["button-name"]["targets"] == ["button"] and found["button-name"]["boxes"][0][2] > 0
    assert serious_violations(browser.view(made["clean"], width)) == []


# The checks on leverkit's pages

@EACH_PAGE
@WIDTHS
def test_nothing_scrolls_sideways(browser, page_file, page, width):
    view = browser.view(page_file, width)
    found, boxes = sideways_scrolling(view)
    if found:
        shot = save_shot(f"scroll-{page}-{width}", view.screenshot, boxes)
        pytest.fail(f"{page} at {width} px wide: {len(found)} thing(s) scroll sideways (screenshot {shot}):"
                    + listed(found, most=20))


@EACH_PAGE
@WIDTHS
def test_chart_texts_do_not_overlap(browser, page_file, page, width):
    view = browser.view(page_file, width)
    assert view.charts or page.startswith("index"), f"{page}: no chart found; the summary always has some"
    report = []
    for n, (chart, pairs) in enumerate(chart_overlaps(view), start=1):
        boxes = [t["box"] for pair in pairs for t in pair]
        shot = save_shot(f"chart-{page}-{width}-{n}", view.screenshot, boxes, crop=chart["box"])
        report.append(f"chart under “{chart['heading']}” (caption: “{chart['caption']}”), screenshot {shot}:"
                      + listed((f"“{a['text']}” overlaps “{b['text']}”" for a, b in pairs), most=8).replace("\n", "\n  "))
    assert not report, f"{page} at {width} px wide: chart texts overlap in {len(report)} chart(s):" + listed(report)


@EACH_PAGE
def test_no_printed_page_is_more_than_half_blank(browser, page_file, page):
    shares, images = printed_blank_shares(browser.printout(page_file))
    blank = [n for n, share in enumerate(shares[:-1], start=1) if share > 0.5]
    if blank:
        from PIL import Image

        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"print-{page}.pdf").write_bytes(browser.printout(page_file).pdf)
        shots = []
        for n in blank:
            shots.append(SHOTS / f"print-{page}-page{n}.png")
            Image.fromarray(np.ascontiguousarray(images[n - 1])).save(shots[-1])
        pytest.fail(f"{page} prints on {len(shares)} pages; blank share of each page's printable height "
                    f"(its tallest band without ink): {', '.join(f'{s:.0%}' for s in shares)}; "
                    f"more than half blank: page(s) {', '.join(map(str, blank))} "
                    f"(PDF {SHOTS / f'print-{page}.pdf'}; pages {', '.join(map(str, shots))})")


@EACH_PAGE
@WIDTHS
def test_no_serious_accessibility_violations(browser, page_file, page, width):
    view = browser.view(page_file, width)
    serious = serious_violations(view)
    if serious:
        shot = save_shot(f"axe-{page}-{width}", view.screenshot, [b for v in serious for b in v["boxes"]])
        pytest.fail(f"{page} at {width} px wide: axe-core ({', '.join(AXE_TAGS)}) finds {len(serious)} serious or "
                    f"critical violation(s) (screenshot {shot}):" + listed(
                        f"{v['id']} ({v['impact']}, {len(v['targets'])} element(s)): {v['help']}; e.g. "
                        f"{', '.join(v['targets'][:4])}; the first: {v['why']}" for v in serious))
