"""The HTML summary: self-contained, escaped, and carrying the same figures."""
import re

import pytest

import leverkit
from leverkit.summary import render

from .conftest import initiative, plan_of, write_team


@pytest.fixture
def page():
    rows = [
        initiative(id="X1", initiative="<script>alert('x')</script>", owner="=HYPERLINK(\"http://e\")", quality_1_5=2,
                   value_per_reach=90),
        initiative(id="X2", initiative="Checklist & templates", leverage_form="process", upfront_cost=10**6),
    ]
    plan = plan_of(rows, horizon=24, currency="EUR")
    return leverkit.rank(plan), render(leverkit.rank(plan))


def test_user_text_is_escaped(page):
    _, html = page
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Checklist &amp; templates" in html


def test_self_contained_no_network(page):
    _, html = page
    assert not re.search(r"""<(script|link|img|iframe)\b|@import|url\((?!#)|src=""", html)
    assert html.count("<svg") == 1  # the quality map: nothing pays and is not red, so no portfolio and no cash


def test_headline_figures_ranked_table_flags_and_settings(page):
    ranking, html = page
    total = ranking.by_form()[-1]
    assert f"{total['NPV']:,.0f}" in html and f"{total['Upfront cost']:,.0f}" in html
    assert "24-month horizon" in html and "amounts in EUR" in html
    assert html.index("&lt;script&gt;") < html.index("Checklist &amp; templates")  # rank order
    assert 'class="flag red">red</span>' in html
    assert "quality 2/5 amplified" in html
    assert "<code>NO_PAYBACK</code>" in html
    assert "<th>Random seed</th><td>42</td>" in html and "<th>Budget</th><td>none</td>" in html
    assert "<th>Discount rate (annual)</th><td>10%</td>" in html


def test_quality_map_shades_the_red_zone(page):
    _, html = page
    assert "red zone: quality ≤ 2 amplified ≥ 3×" in html
    assert "Leverage multiple (log scale)" in html


def test_issues_are_listed(team, tmp_path):
    path = team([initiative(growth_month=5), initiative()])
    ranking = leverkit.rank(leverkit.load(path))
    html = leverkit.write_html(ranking, tmp_path / "s.html").read_text()
    assert "Initiatives!J2" in html and "growth 5 looks like a percent; enter 5% or 0.05" in html
    assert "1 invalid row left out" in html


def test_phone_width_and_print_styles(page):
    _, html = page
    assert 'name="viewport"' in html and "@media (max-width: 640px)" in html and "@media print" in html


# What a person sees: print, phone and the figures a planning lead forwards (issue 13)

PHONE_CHART_WIDTH = 390 - 2 * 0.6 * 16  # a 390 px phone less the page's .6rem padding each side
SVG_NS = "{http://www.w3.org/2000/svg}"


def css_block(html: str, at_rule: str) -> str:
    """The text of one @-rule's braces in the page's style sheet, nested braces included."""
    start = html.index(at_rule)
    depth, k = 0, html.index("{", start)
    for end in range(k, len(html)):
        depth += {"{": 1, "}": -1}.get(html[end], 0)
        if depth == 0:
            return html[k + 1:end]
    raise AssertionError(f"{at_rule} not closed")


def rule(css: str, selector: str) -> str:
    """The declarations of every rule whose selector list holds `selector`, joined."""
    found = [body for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
             if selector in [s.strip() for s in selectors.split(",")]]
    assert found, f"no rule for {selector}"
    return ";".join(found)


@pytest.fixture
def noted(team, tmp_path):
    """A ranked workbook with notes, ranges and a Budget: the decision, frontier and uncertainty sections all show."""
    rows = [initiative(id="N1", initiative="Automate reports", notes="Pilot ran in May", upfront_cost="800 to 1,200"),
            initiative(id="N2", initiative="Checklist", leverage_form="process", value_per_reach="10 to 30",
                       notes="Needs <legal> sign-off"),
            initiative(id="N3", initiative="Weak platform", quality_1_5=1, reach_month=500)]
    path = team(rows, settings={"Currency": "EUR", "Budget": 1500})
    leverkit.report(path, tmp_path / "out")
    return (tmp_path / "out" / f"{path.stem}.html").read_text()


def test_print_is_landscape_with_repeated_headers_kept_colours_and_whole_charts(noted):
    page = css_block(noted, "@page")
    assert re.search(r"size:\s*landscape", page)
    printing = css_block(noted, "@media print")
    assert re.search(r"display:\s*table-header-group", rule(printing, "thead"))
    assert re.search(r"break-after:\s*avoid", rule(printing, "h2"))
    assert re.search(r"(?<!-)print-color-adjust:\s*exact", rule(printing, "*"))
    assert re.search(r"break-inside:\s*avoid", rule(printing, "figure"))
    assert re.search(r"break-inside:\s*avoid", rule(printing, "tr"))
    assert "<thead>" in noted


def test_the_decision_states_each_figure_with_its_basis_and_currency(noted):
    from lxml import html as lhtml

    facts = {dt.text_content(): dt.getnext() for dt in lhtml.fromstring(noted).iter("dt")}
    value = facts["Value (risk-adjusted)"]
    assert value.find("span").text == "EUR" and re.fullmatch(r"-?[\d,]+ ", value.text)
    assert "<dt>NPV P10 before Confidence</dt>" in noted and "<dt>Cash need</dt>" in noted
    assert "2 of 3 initiatives have ranges; the others count as certain" in noted
    assert noted.index("What to fund") < noted.index("<h2>Ranking</h2>")  # the page opens with the decision


def test_notes_show_under_the_name_escaped(noted):
    from lxml import html as lhtml

    doc = lhtml.fromstring(noted)
    leads = {cell.findtext(".//span[@class='sub']").split(" · ")[0]: cell
             for cell in doc.xpath("//table[contains(@class, 'ranking')]//td[@class='lead']")}
    assert leads["N1"].findtext(".//span[@class='note']") == "Pilot ran in May"
    assert leads["N2"].findtext(".//span[@class='note']") == "Needs <legal> sign-off"
    assert leads["N3"].find(".//span[@class='note']") is None
    assert "Pilot ran in May" in "".join(leads["N1"].itertext()) and "Automate reports" in "".join(leads["N1"].itertext())
    assert "Needs &lt;legal&gt; sign-off" in noted


def tables_read_on_a_phone(page: str) -> int:
    """Every table sits in a .wrap (scrolls sideways, its edge shadows the cue) and either turns into cards
    on a phone, every cell of a card labelled, or is a two-column table that fits. Returns the tables seen."""
    from lxml import html as lhtml

    wrap = rule(page[page.index("<style>"):page.index("@media")], ".wrap")
    assert re.search(r"overflow-x:\s*auto", wrap) and "radial-gradient" in wrap and "local" in wrap
    phone = css_block(page, "@media (max-width: 640px)")
    assert "display: none" in rule(phone, "table.card-rows thead")
    assert "attr(data-label)" in rule(phone, "table.card-rows td[data-label]::before")
    doc = lhtml.fromstring(page)
    tables = doc.xpath("//table")
    for table in tables:
        assert "wrap" in table.getparent().get("class", "").split()
        if "card-rows" in table.get("class", "").split():
            for cell in table.xpath("./tbody/tr/td"):
                kind = set(cell.get("class", "").split())
                assert cell.get("data-label") or kind & {"lead", "rank", "risk", "flags-cell"}, lhtml.tostring(cell)
        else:
            assert max(len(row.xpath("./th|./td")) for row in table.xpath(".//tr")) <= 2
    return len(tables)


def test_every_summary_table_reads_on_a_phone(noted, page):
    assert tables_read_on_a_phone(noted) == 4  # fiscal years, ranking, by leverage form, settings (no issues)
    assert tables_read_on_a_phone(page[1]) == 3


def test_every_index_table_reads_on_a_phone(tmp_path):
    from leverkit.drive import run_batch

    root = tmp_path / "drive"
    root.mkdir()
    write_team(root / "a.xlsx", [initiative(id="A1", notes="From the May pilot", value_per_reach="10 to 30")],
               settings={"Team": "Alpha"})
    write_team(root / "b.xlsx", [initiative(id="B1", quality_1_5=1, reach_month=400)], settings={"Team": "Beta"})
    write_team(root / "c.xlsx", [initiative()], settings={"Horizon (months)": 0})
    run_batch([str(root)], tmp_path / "out", workers=1, budget=5000)
    index = (tmp_path / "out" / "index.html").read_text()
    assert tables_read_on_a_phone(index) == 3  # teams, combined ranking, workbooks not ranked
    assert '<span class="note">From the May pilot</span>' in index
    assert "Fund these" in index and "across the company" in index
    assert index.index("across the company") < index.index("Each team’s own recommendation")
    assert '<td class="n" data-label="Funded">1</td>' in index and '<span class="unit">USD</span>' in index


def smallest_text_on_a_phone(svg) -> float:
    """The smallest chart text in CSS px when the SVG is drawn PHONE_CHART_WIDTH wide: font size × width / viewBox width."""
    style = " ".join(s.text or "" for s in svg.iter(SVG_NS + "style"))
    sizes = [float(size) for size in re.findall(r"font-size:\s*([\d.]+)px", style)]
    sizes += [float(t.get("font-size")) for t in svg.iter(SVG_NS + "text") if t.get("font-size")]
    return min(sizes) * PHONE_CHART_WIDTH / float(svg.get("viewBox").split()[2])


def test_no_chart_text_under_9_px_on_a_390_px_phone(noted):
    from lxml import etree

    svgs = re.findall(r"<svg\b.*?</svg>", noted, re.S)
    assert len(svgs) == 5  # cash, frontier, quality, ranges, the portfolio's tornado
    for svg in svgs:
        root = etree.fromstring(svg.encode())
        assert smallest_text_on_a_phone(root) >= 9, root.get("id")
    assert re.search(r"width:\s*100%", rule(noted[noted.index("<style>"):noted.index("@media")], "figure svg"))


def test_a_damaged_template_cache_is_passed_over_not_a_failure(tmp_path):
    import jinja2
    from jinja2.bccache import bc_magic

    from leverkit import summary

    cache = summary._bytecode_cache()
    cache.directory = str(tmp_path)

    def page() -> str:
        env = jinja2.Environment(loader=jinja2.DictLoader({"t": "{{ 40 + 2 }}"}), bytecode_cache=cache)
        return env.get_template("t").render()

    assert page() == "42"
    (written,) = tmp_path.iterdir()
    assert written.name.startswith(f"__leverkit-{leverkit.__version__}-jinja2-{jinja2.__version__}-")
    for damage in (b"garbage", bc_magic + b"not a pickle"):
        written.write_bytes(damage)
        assert page() == "42"
