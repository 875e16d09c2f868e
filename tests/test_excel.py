"""The ranked workbook (MODEL.md section 6), read back by other libraries."""
import math
import zipfile

import openpyxl
import pytest

import leverkit
from leverkit.tables import RANKED_COLUMNS

from .conftest import calamine_sheets, initiative, plan_of


@pytest.fixture
def ranked(tmp_path):
    rows = [
        initiative(id="A", initiative='=HYPERLINK("http://evil.example","click")', owner="+Ops", upfront_cost=500,
                   value_per_reach=50, quality_1_5=2),
        initiative(id="B", initiative="Runbook", upfront_cost=10**6, lever_point="symptom", notes="-note"),
        initiative(id="C", initiative="Templates", leverage_form="process", growth_month="5%", quality_1_5=5,
                   upfront_cost=300),
    ]
    ranking = leverkit.rank(plan_of(rows, horizon=24, currency="EUR"))
    path = leverkit.write_excel(ranking, tmp_path / "out" / "team_ranked.xlsx")
    return ranking, path


def test_sheets_and_ranked_values_read_back_by_calamine(ranked):
    ranking, path = ranked
    sheets = calamine_sheets(path)
    assert list(sheets) == ["Ranked", "Projection", "Portfolio", "Issues"]
    table = sheets["Ranked"]
    assert table[0] == [h for h, _ in RANKED_COLUMNS]
    assert [row[1] for row in table[1:]] == ["A", "C", "B"]
    p = ranking.projection
    header = table[0]
    for rank, item, i in ranking.ranked():
        row = dict(zip(header, table[rank]))
        assert row["Rank"] == rank and isinstance(row["NPV"], float)
        assert row["NPV"] == pytest.approx(p.npv[i])
        assert row["Risk-adjusted NPV"] == pytest.approx(p.risk_adjusted_npv[i])
        assert row["Value at horizon"] == pytest.approx(p.cumulative[i, -1])
        assert row["Risk flag"] == p.flags[i]
        if math.isnan(p.payback[i]):
            assert row["Payback (months)"] == ""  # a blank cell, not text and not zero
        else:
            assert row["Payback (months)"] == pytest.approx(p.payback[i])
    by_id = {row[1]: dict(zip(header, row)) for row in table[1:]}
    assert by_id["B"]["Warnings"] == "NO_PAYBACK, SYMPTOM_FIX"
    assert by_id["A"]["Risk flag"] == "red" and by_id["A"]["Risk reason"].startswith("quality 2/5 amplified")


def test_user_text_stays_text(ranked):
    _, path = ranked
    ws = openpyxl.load_workbook(path)["Ranked"]
    name, owner = ws["C2"], ws["D2"]
    assert name.value == '=HYPERLINK("http://evil.example","click")' and name.data_type == "s"
    assert owner.value == "+Ops" and owner.data_type == "s"
    with zipfile.ZipFile(path) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")


def test_tables_formats_freeze_and_flag_colours(ranked):
    _, path = ranked
    wb = openpyxl.load_workbook(path)
    ranked_ws = wb["Ranked"]
    assert list(ranked_ws.tables) == ["Ranked"] and ranked_ws.tables["Ranked"].ref == "A1:T4"
    assert ranked_ws.freeze_panes == "D2"
    assert wb["Issues"].freeze_panes == "A2"
    assert list(wb["Portfolio"].tables) == ["PortfolioByForm", "SettingsUsed"]
    formats = {ranked_ws.cell(1, c).value: ranked_ws.cell(2, c).number_format for c in range(1, 21)}
    assert formats["NPV"] == '#,##0 "EUR";[Red]-#,##0 "EUR"'
    assert formats["Payback (months)"] == "0.0"
    assert formats["Leverage multiple"] == '0.0"×"'
    assert formats["Confidence"] == "0%"
    rules = [(str(cf.sqref), rule.formula) for cf in ranked_ws.conditional_formatting for rule in cf.rules]
    assert sorted(rules) == [("R2:R4", ['"amber"']), ("R2:R4", ['"green"']), ("R2:R4", ['"red"'])]
    assert ranked_ws.column_dimensions["S"].width > 30  # the risk reason is readable


def test_projection_sheet_and_its_native_chart(ranked):
    ranking, path = ranked
    sheets = calamine_sheets(path)
    projection = sheets["Projection"]
    assert projection[0][:5] == ["Rank", "ID", "Initiative", "Month 0", "Month 1"]
    assert len(projection[0]) == 3 + 25
    first = ranking.order[0]
    assert projection[1][3:] == pytest.approx(ranking.projection.cumulative[first].tolist())
    with zipfile.ZipFile(path) as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
    assert "<c:lineChart>" in chart and chart.count("<c:ser>") == 3
    assert "Projection!$C$2" in chart and "Projection!$D$2:$AB$2" in chart


def test_portfolio_totals_and_settings(ranked):
    ranking, path = ranked
    portfolio = calamine_sheets(path)["Portfolio"]
    header = portfolio[0]
    rows = {row[0]: dict(zip(header, row)) for row in portfolio[1:7]}
    assert rows["code"]["Initiatives"] == 2 and rows["process"]["Initiatives"] == 1
    assert rows["Total"]["NPV"] == pytest.approx(ranking.projection.npv.sum())
    settings = {row[11]: row[12] for row in portfolio[1:11]}
    assert settings["Currency"] == "EUR" and settings["Horizon (months)"] == 24 and settings["Budget"] == ""
    assert settings["Discount rate (annual)"] == 0.10


def test_issues_sheet_lists_invalid_cells_and_warnings(team, tmp_path):
    path = team([initiative(id="X", growth_month=5), initiative(id="Y", lever_point="symptom")])
    ranking = leverkit.rank(leverkit.load(path))
    issues = calamine_sheets(leverkit.write_excel(ranking, tmp_path / "r.xlsx"))["Issues"]
    assert issues[0] == ["Kind", "Sheet", "Cell", "Column", "Value", "ID", "Initiative", "Code", "Problem"]
    assert issues[1] == ["invalid cell", "Initiatives", "J2", "Growth / month", "5", "", "",
                         "percent-as-number", "growth 5 looks like a percent; enter 5% or 0.05"]
    assert issues[2][0] == "warning" and issues[2][5] == "Y" and issues[2][7] == "SYMPTOM_FIX"


def test_a_workbook_with_no_valid_rows_still_writes(team, tmp_path):
    ranking = leverkit.rank(leverkit.load(team([initiative(quality_1_5=9)])))
    sheets = calamine_sheets(leverkit.write_excel(ranking, tmp_path / "empty.xlsx"))
    assert sheets["Ranked"][0][0] == "Rank" and len(sheets["Issues"]) == 2


def test_team_columns_are_kept_for_display(team, tmp_path):
    from .conftest import HEADERS

    path = team([list(initiative().values()) + ["B-7", 3]], headers=HEADERS + ["Budget code", "NPV"])
    ranked = calamine_sheets(leverkit.write_excel(leverkit.rank(leverkit.load(path)), tmp_path / "r.xlsx"))["Ranked"]
    assert ranked[0][-2:] == ["Budget code", "NPV (team)"] and ranked[1][-2:] == ["B-7", 3]
