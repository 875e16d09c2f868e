"""The ranked workbook (docs/model.md section 6), read back by other libraries.

The content fixtures in tests/data hold what each example's ranked workbook
says, apart from its presentation (fonts, wrapping, alignment, print
settings, the chart's data block). Numbers are compared with a relative
tolerance of 1e-12, and the large case's digest is taken over values rounded
to 12 significant digits, so the fixtures hold on any machine and with any
numpy, scipy or XlsxWriter that pip resolves. When the content is meant to
change (new columns, new sheets), re-record them deliberately from the
repository root: python -c "from tests.test_excel import record; record()"
"""
import hashlib
import json
import math
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from xlsxwriter.utility import xl_cell_to_rowcol, xl_range

import leverkit
from leverkit.tables import RANKED_COLUMNS

from .conftest import calamine_sheets, find_table, initiative, plan_of

ROOT = Path(__file__).parents[1]
DATA = Path(__file__).parent / "data"
EXAMPLES = sorted((ROOT / "workbooks").glob("*.xlsx"))
FORMS = ("labor", "capital", "code", "media", "process")
POINTS = ("symptom", "parameter", "delay", "information flow", "balancing goal", "reinforcing loop")
FORMAT_ROWS = 200


def generated_plan(n: int = 10_000, horizon: int = 60, seed: int = 1):
    """n random but valid initiatives over `horizon` months, the same ones on every run."""
    rng = random.Random(seed)
    rows = [initiative(
        id=f"I{r}", initiative=f"Initiative {r}", owner=rng.choice(["Ana", "Sam", "Lee"]), leverage_form=rng.choice(FORMS),
        lever_point=rng.choice(POINTS), upfront_cost=rng.randint(1, 20) * 500, maintenance_month=rng.randint(0, 400),
        reach_month=rng.randint(1, 2000), value_per_reach=round(rng.uniform(0.1, 60), 2),
        growth_month=round(rng.uniform(-0.02, 0.06), 4), reach_cap=rng.choice([None, 5000]),
        delay_months=rng.randint(0, 12), decay_month=round(rng.uniform(0, 0.02), 4), quality_1_5=rng.randint(1, 5),
        confidence=round(rng.uniform(0.3, 1), 2)) for r in range(1, n + 1)]
    return plan_of(rows, horizon=horizon, as_of="2026-11")


SIGNIFICANT = 12  # digits every float is held to: the last bits differ between machines and library versions


def rounded(value):
    """A cell value, or a structure of them, with every float held to SIGNIFICANT digits (for digests).

    >>> rounded([104361.4798122149, "x", [1e-300, 2]]) == rounded([104361.479812215, "x", [1.0000000000001e-300, 2]])
    True
    """
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT}g}")
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def close(value, recorded) -> bool:
    """Whether a content record matches the recorded one: floats to a relative 1e-12, all else exactly."""
    if isinstance(recorded, float) and isinstance(value, (int, float)):
        return value == pytest.approx(recorded, rel=10.0 ** -SIGNIFICANT, abs=1e-300)
    if isinstance(recorded, list) and isinstance(value, list):
        return len(value) == len(recorded) and all(close(v, r) for v, r in zip(value, recorded))
    if isinstance(recorded, dict) and isinstance(value, dict):
        return value.keys() == recorded.keys() and all(close(value[k], recorded[k]) for k in recorded)
    return value == recorded


def _json(value):
    """A cell value as the records hold it: dates as ISO text."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _tables(path) -> dict[str, list[tuple[str, str, str]]]:
    """sheet -> [(table name, ref, totals row shown)], read from the table parts themselves."""
    from lxml import etree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    found = {}
    with zipfile.ZipFile(path) as zf:
        book = etree.fromstring(zf.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))}
        for sheet in book.iterfind("m:sheets/m:sheet", ns):
            part = "xl/" + rels[sheet.get(f"{{{ns['r']}}}id")].lstrip("/").removeprefix("xl/")
            name = part.rsplit("/", 1)
            sheet_rels = f"{name[0]}/_rels/{name[1]}.rels"
            targets = [r.get("Target") for r in etree.fromstring(zf.read(sheet_rels))] if sheet_rels in zf.namelist() else []
            tables = [etree.fromstring(zf.read("xl/tables/" + t.rsplit("/", 1)[1])) for t in targets if "tables/" in t]
            found[sheet.get("name")] = [(t.get("name"), t.get("ref"), t.get("totalsRowCount", "0")) for t in tables]
    return found


def content(path, digest: bool = False) -> dict:
    """What a workbook says, apart from its presentation.

    Per sheet: each Excel table's name, range and cell values (python-calamine)
    and the number formats of each table column's cells in the first
    FORMAT_ROWS rows (openpyxl, slow on a large sheet); and how many charts. Presentation (fonts, widths, wrap, print settings) and cells
    outside the tables (the chart's data block) are left out. With `digest`,
    values and formats are hashed, so a large workbook's record stays small.
    """
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    styled = openpyxl.load_workbook(path, read_only=True)
    sheets = {}
    for sheet, tables in _tables(path).items():
        values = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        rows = list(styled[sheet].iter_rows(max_row=FORMAT_ROWS))
        described = []
        for name, ref, totals in tables:
            first, last = ref.split(":")
            (r0, c0), (r1, c1) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last)
            cells = [[_json(values[r][c]) if r < len(values) and c < len(values[r]) else "" for c in range(c0, c1 + 1)]
                     for r in range(r0, r1 + 1)]
            formats = [sorted({rows[r][c].number_format for r in range(r0 + 1, min(r1, len(rows) - 1) + 1)
                               if c < len(rows[r]) and rows[r][c].value is not None}) for c in range(c0, c1 + 1)]
            table = {"name": name, "ref": ref, "totals": totals, "values": cells, "formats": formats}
            if digest:
                for key in ("values", "formats"):
                    table[key] = hashlib.sha256(json.dumps(rounded(table[key])).encode()).hexdigest()
            described.append(table)
        sheets[sheet] = described
    styled.close()
    with zipfile.ZipFile(path) as zf:
        charts = sum(1 for name in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", name))
    return {"sheets": sheets, "charts": charts}


def _cases():
    """(fixture name, ranking, digest) for the three bundled examples and a generated 10,000 × 60 plan."""
    for path in EXAMPLES:
        yield path.stem, (lambda path=path: leverkit.rank(leverkit.load(path))), False
    yield "generated_10000x60", lambda: leverkit.rank(generated_plan()), True


def record() -> None:
    """Write the content fixtures (run deliberately; see the module docstring)."""
    import tempfile

    DATA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name, ranking, digest in _cases():
            path = leverkit.write_excel(ranking(), Path(folder) / f"{name}.xlsx")
            (DATA / f"content_{name}.json").write_text(json.dumps(content(path, digest), indent=1, ensure_ascii=False) + "\n")


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
    assert list(sheets) == ["Decision", "Ranked", "Projection", "Portfolio", "Issues"]
    table = sheets["Ranked"]
    assert table[0][:len(RANKED_COLUMNS)] == [h for h, _ in RANKED_COLUMNS]
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
    assert list(ranked_ws.tables) == ["Ranked"] and ranked_ws.tables["Ranked"].ref == xl_range(0, 0, 3, ranked_ws.max_column - 1)
    assert ranked_ws.freeze_panes == "D2"
    assert wb["Issues"].freeze_panes == "A2"
    assert list(wb["Portfolio"].tables)[0] == "PortfolioByForm" and "SettingsUsed" in wb["Portfolio"].tables
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
    recommended = [rank for rank, _, i in ranking.ranked() if ranking.funding.chosen[i]]
    assert recommended == [2]  # C only: A is red, B does not pay
    assert "<c:lineChart>" in chart and chart.count("<c:ser>") == 1
    # the table ends on row 4; the recommended one is copied to row 8, below a title and a header row
    assert projection[5][0].startswith("Chart data") and projection[6][:4] == ["Rank", "ID", "Initiative", "Month 0"]
    assert projection[7][:27] == projection[2][:27]
    assert "Projection!$C$8" in chart and "Projection!$D$8:$AB$8" in chart and "Projection!$D$7:$AB$7" in chart


def test_portfolio_totals_and_settings(ranked):
    ranking, path = ranked
    portfolio = calamine_sheets(path)["Portfolio"]
    rows = {row["Leverage form"]: row for row in find_table(portfolio, "Leverage form")}
    assert rows["code"]["Initiatives"] == 2 and rows["process"]["Initiatives"] == 1
    assert rows["Total"]["NPV"] == pytest.approx(ranking.projection.npv.sum())
    settings = {row["Setting"]: row["Value"] for row in find_table(portfolio, "Setting", "Value")}
    assert settings["Currency"] == "EUR" and settings["Horizon (months)"] == 24 and settings["Budget"] == ""
    assert settings["Discount rate (annual)"] == 0.10 and settings["Fiscal year starts"] == "January"


def test_issues_sheet_lists_invalid_cells_and_warnings(team, tmp_path):
    path = team([initiative(id="X", growth_month=5), initiative(id="Y", lever_point="symptom")])
    ranking = leverkit.rank(leverkit.load(path))
    issues = calamine_sheets(leverkit.write_excel(ranking, tmp_path / "r.xlsx"))["Issues"]
    assert issues[0] == ["Kind", "Sheet", "Cell", "Column", "Value", "ID", "Initiative", "Code", "Problem"]
    assert issues[1] == ["invalid cell", "Initiatives", "J2", "Growth / month", "5", "X", "Automate reports",
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


@pytest.mark.parametrize("name, ranking, digest", list(_cases()), ids=[name for name, _, _ in _cases()])
def test_content_is_as_recorded(name, ranking, digest, tmp_path):
    path = leverkit.write_excel(ranking(), tmp_path / f"{name}.xlsx")
    recorded = json.loads((DATA / f"content_{name}.json").read_text())
    found = json.loads(json.dumps(content(path, digest)))
    assert close(found, recorded), next(
        (f"{sheet}/{table['name']}" for sheet, tables in found["sheets"].items() for table, old in
         zip(tables, recorded["sheets"].get(sheet, [])) if not close(table, old)), "sheets or charts differ")


def test_content_comparisons_hold_to_twelve_digits_and_no_further():
    assert close({"v": [104361.4798122149]}, {"v": [104361.479812215]})
    assert not close({"v": [104361.4798]}, {"v": [104361.479812215]})
    assert not close({"v": ["a"]}, {"v": ["b"]}) and not close([1.0, 2.0], [1.0])


# -- what a planning lead sees: fonts, wrapping, alignment, printing, the chart ------------------------

A4_LANDSCAPE, LETTER_LANDSCAPE = (11.69, 8.27), (11.0, 8.5)  # inches


def excel_pixels(width: float) -> int:
    """A column's width in pixels from its stored width (ECMA-376 §18.3.1.13, 7-pixel digits)."""
    return int((256 * width + int(128 / 7)) / 256 * 7)


def widths_of(ws) -> list[float]:
    """Every column's stored width, A to the last used column (8.43: never set)."""
    from openpyxl.utils import get_column_letter

    return [ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ws.max_column + 1)]


def printable(ws) -> tuple[float, float]:
    """Printable width and height in pixels (96 per inch) on the smaller of A4 and Letter, landscape."""
    m = ws.page_margins
    return (96 * (min(A4_LANDSCAPE[0], LETTER_LANDSCAPE[0]) - m.left - m.right),
            96 * (min(A4_LANDSCAPE[1], LETTER_LANDSCAPE[1]) - m.top - m.bottom))


def test_every_header_cell_is_bold(ranked):
    _, path = ranked
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        for table in ws.tables.values():
            first, last = table.ref.split(":")
            header = ws[f"{first}:{re.sub(r'[0-9]+', re.sub(r'[A-Z]+', '', first), last)}"][0]
            assert [c.value for c in header] and all(c.font.b for c in header), (ws.title, table.name)


def test_long_text_wraps_in_a_readable_width(ranked, tmp_path):
    _, path = ranked
    wb = openpyxl.load_workbook(path)
    ranked_ws = wb["Ranked"]
    headers = [c.value for c in ranked_ws[1]]
    for header in ("Risk reason", "Warnings"):
        letter = ranked_ws.cell(1, headers.index(header) + 1).column_letter
        cells = [c for c in ranked_ws[letter][1:4] if c.value is not None]
        assert cells and all(c.alignment.wrap_text for c in cells)
    reason = ranked_ws.cell(1, headers.index("Risk reason") + 1).column_letter
    assert 30 < ranked_ws.column_dimensions[reason].width <= 51  # clipped no more, and not a screen wide
    assert ranked_ws["E2"].value == "code" and not ranked_ws["E2"].alignment.wrap_text  # short text stays on one line
    name = ranked_ws["C2"]  # a name that repeats on every printed page wraps rather than widen them all
    assert len(name.value) > 31 and name.alignment.wrap_text and ranked_ws.column_dimensions["C"].width <= 31

    from leverkit.excel import build_sheets
    from leverkit.tables import Sheet, Table

    long = "word " * 40
    build_sheets({"Notes": Sheet([Table("Noted", ["ID", "Notes", "Comment"], ["text"] * 3, [["A", long, long], ["B", "x", "y"]])])},
                 "USD", tmp_path / "notes.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "notes.xlsx")["Notes"]
    assert ws["B2"].alignment.wrap_text and ws["C2"].alignment.wrap_text and not ws["A2"].alignment.wrap_text
    assert ws.column_dimensions["C"].width <= 51 and ws["C2"].value == long


def test_rank_reads_apart_from_the_id_beside_it(ranked):
    _, path = ranked
    wb = openpyxl.load_workbook(path)
    for name in ("Ranked", "Projection"):
        ws = wb[name]
        assert ws["A1"].value == "Rank" and ws["B1"].value == "ID"
        assert all(ws.cell(r, 1).alignment.horizontal == "center" for r in range(2, 5))
        assert all(ws.cell(r, 2).alignment.horizontal in (None, "general", "left") for r in range(2, 5))


def fitted(ws) -> bool:
    """Whether the sheet prints fitted to a number of pages."""
    return bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)


def test_printing_repeats_headers_and_keeps_text_readable(ranked):
    _, path = ranked
    wb = openpyxl.load_workbook(path)
    decision = wb["Decision"]
    assert decision.page_setup.orientation == "landscape" and fitted(decision)
    assert int(decision.page_setup.fitToWidth or 1) == int(decision.page_setup.fitToHeight or 1) == 1  # one page
    for ws in list(wb)[1:]:
        total = sum(excel_pixels(w) for w in widths_of(ws))
        pages = max(1, math.ceil(total * 8 / 11 / printable(ws)[0]))  # fewest pages across with text at 8 pt or more
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1", ws.title
        assert fitted(ws) and int(ws.page_setup.fitToWidth or 1) == pages and ws.page_setup.fitToHeight == 0
        assert 11 * min(1.0, pages * printable(ws)[0] / total) >= 8
        if pages > 1:
            assert ws.page_setup.pageOrder == "overThenDown", ws.title
    assert wb["Ranked"].print_title_cols == wb["Projection"].print_title_cols == "$A:$C"  # Rank, ID, Initiative
    assert int(wb["Ranked"].page_setup.fitToWidth) >= 2 and int(wb["Issues"].page_setup.fitToWidth or 1) == 1


def chart_series(path) -> list[list[tuple[int, int, int, int]]]:
    """Each line's ranges (name, months, values) as zero-based (first row, first column, last row, last column)."""
    with zipfile.ZipFile(path) as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
    series = []
    for block in re.findall(r"<c:ser>.*?</c:ser>", chart):
        refs = []
        for ref in re.findall(r"<c:f>Projection!([^<]+)</c:f>", block):
            first, _, last = ref.replace("$", "").partition(":")
            refs.append((*xl_cell_to_rowcol(first), *xl_cell_to_rowcol(last or first)))
        series.append(refs)
    return series


def test_the_chart_reads_a_copy_that_sorting_the_table_cannot_move(tmp_path):
    rows = [initiative(id=f"P{i}", initiative=f"Plan {i}", upfront_cost=100 * i, value_per_reach=5 + i) for i in range(1, 9)]
    ranking = leverkit.rank(plan_of(rows, horizon=12))
    path = leverkit.write_excel(ranking, tmp_path / "r.xlsx")
    table = openpyxl.load_workbook(path)["Projection"].tables["Projection"].ref
    assert table == "A1:P9"
    series = chart_series(path)
    assert len(series) == 5 and all(len(refs) == 3 for refs in series)  # each line's name, months and values
    assert all(first_row > 8 for refs in series for first_row, *_ in refs)  # below the table's last row (row 9)
    values = calamine_sheets(path)["Projection"]
    for (name, months, line), i in zip(series, ranking.order[:5]):
        assert values[months[0]][months[1]:months[3] + 1] == values[0][3:16] == [f"Month {t}" for t in range(13)]
        assert values[name[0]][name[1]] == ranking.plan.initiatives[i].name
        assert values[line[0]][line[1]:line[3] + 1] == pytest.approx(ranking.projection.cumulative[i].tolist())


def test_the_chart_prints_whole_on_a_page_of_its_own(ranked):
    ranking, path = ranked
    ws = openpyxl.load_workbook(path)["Projection"]
    top = len(ranking.plan.initiatives) + 2  # a blank row after the table, then the chart's data
    assert [b.id for b in ws.row_breaks.brk] == [top]  # the page breaks after the row above
    assert ws.cell(top + 1, 1).value.startswith("Chart data")
    start, end = ws._charts[0].anchor._from, ws._charts[0].anchor.to  # cells and offsets (EMU) of its corners
    widths = [excel_pixels(w) for w in widths_of(ws)]
    width = sum(widths[start.col:end.col]) + (end.colOff - start.colOff) / 9525
    height = 20 * (end.row - start.row) + (end.rowOff - start.rowOff) / 9525
    page_width, page_height = printable(ws)
    first_page = max(sum(widths[:k]) for k in range(1, len(widths) + 1) if sum(widths[:k]) <= page_width)
    # beside Rank, ID and Initiative, which repeat on every printed page (over them, a slice of the chart would
    # print on each), and inside the columns that print on the first page across
    assert ws.print_title_cols == "$A:$C" and start.col == 3
    assert 400 <= width and sum(widths[:3]) + width <= first_page
    rows_above = start.row - top + 1  # the repeated header row, the copied rows, the gap
    assert rows_above * 20 + height <= page_height and height >= 300


def test_no_column_is_squeezed_to_nothing(tmp_path):
    """Sheets of tables one under another (Decision, Portfolio, the batch's By team) size each column to its
    widest table; no column is given width 0, which Excel shows as a hidden column."""
    from lxml import etree

    ranked = leverkit.write_excel(leverkit.rank(leverkit.load(ROOT / "workbooks" / "operations.xlsx")),
                                  tmp_path / "ranked.xlsx")
    leverkit.batch([str(ROOT / "workbooks")], tmp_path / "batch", workers=1)
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    for path in (ranked, tmp_path / "batch" / "portfolio.xlsx"):
        with zipfile.ZipFile(path) as z:
            for part in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
                cols = etree.fromstring(z.read(part)).iter(f"{main}col")
                squeezed = [(c.get("min"), c.get("max")) for c in cols if float(c.get("width", "1")) == 0]
                assert not squeezed, f"{path.name}/{part}: columns {squeezed} have width 0"
