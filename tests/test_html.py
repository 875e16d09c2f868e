"""The HTML summary: self-contained, escaped, and carrying the same figures."""
import re

import pytest

import leverkit
from leverkit.summary import render

from .conftest import initiative, plan_of


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
    assert html.count("<svg") == 3


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
