"""The template teams fill: committed, identical to what `leverkit template` writes, and readable."""
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import leverkit
from leverkit.cli import cli
from leverkit.schema import COLUMNS, SETTINGS

COMMITTED = Path(__file__).parent.parent / "templates" / "leverkit_template.xlsx"


def test_committed_template_equals_what_the_command_writes(tmp_path):
    written = tmp_path / "t.xlsx"
    assert CliRunner().invoke(cli, ["template", str(written)]).exit_code == 0
    assert written.read_bytes() == COMMITTED.read_bytes()
    assert describe(written) == describe(COMMITTED)


def describe(path):
    wb = openpyxl.load_workbook(path)
    ws = wb["Initiatives"]
    return {
        "sheets": wb.sheetnames,
        "headers": [c.value for c in ws[1]],
        "validations": sorted((str(v.sqref), v.type, v.formula1, v.promptTitle) for v in ws.data_validations.dataValidation),
        "settings": [(r[0].value, r[1].value) for r in wb["Settings"].iter_rows(min_row=2)],
        "tables": dict(ws.tables.items()),
    }


def test_template_has_every_column_dropdowns_messages_and_defaults():
    d = describe(COMMITTED)
    assert d["sheets"] == ["Initiatives", "Settings", "Actuals", "Instructions"]
    assert d["headers"] == [c.header for c in COLUMNS]
    assert d["tables"] == {"Initiatives": "A1:T4"}
    lists = {v[0]: v[2] for v in d["validations"] if v[1] == "list"}
    assert lists == {"D2:D1001": '"labor,capital,code,media,process"',
                     "E2:E1001": '"symptom,parameter,delay,information flow,balancing goal,reinforcing loop"',
                     "N2:N1001": '"1,2,3,4,5"', "Q2:Q1001": '"fund,skip"'}
    assert len(d["validations"]) == len(COLUMNS) and all(v[3] for v in d["validations"])
    assert d["settings"] == [(s.name, "January" if s.kind == "fiscal_month" else s.default) for s in SETTINGS]
    settings = openpyxl.load_workbook(COMMITTED)["Settings"]
    checks = {str(v.sqref): (v.type, v.formula1, v.promptTitle) for v in settings.data_validations.dataValidation}
    rows = {r[0].value: r[0].row for r in settings.iter_rows(min_row=2)}
    assert checks[f"B{rows['As of']}"][:1] == ("date",) and checks[f"B{rows['As of']}"][2] == "As of"
    assert checks[f"B{rows['Fiscal year starts']}"][1].startswith('"January,February')
    ws = openpyxl.load_workbook(COMMITTED)["Initiatives"]
    assert ws.freeze_panes == "C2"


def test_formats_fit_what_each_column_holds():
    ws = openpyxl.load_workbook(COMMITTED)["Initiatives"]
    formats = {ws.cell(1, c).value: ws.cell(3, c).number_format for c in range(1, ws.max_column + 1)}
    assert formats["Growth / month"] == "0.0%" and formats["Confidence"] == "0%"
    assert formats["Upfront cost"] == "#,##0"  # no currency label that would go stale when Settings changes
    assert formats["Reach / month"] == "#,##0" and formats["Reach cap"] == "#,##0"  # counts, not money
    assert ws.column_dimensions["R"].number_format == "yyyy-mm"  # Start: a month, on the whole column


def test_required_headers_look_different_from_optional_ones():
    ws = openpyxl.load_workbook(COMMITTED)["Initiatives"]
    fills = {ws.cell(1, c).value: ws.cell(1, c).fill.fgColor.rgb for c in range(1, ws.max_column + 1)}
    required = {c.header for c in COLUMNS if c.required}
    assert len({fills[h] for h in required}) == 1
    assert {fills[h] for h in fills if h not in required}.isdisjoint({fills[h] for h in required})
    assert all(ws.cell(1, c).font.b for c in range(1, ws.max_column + 1))


def test_the_actuals_sheet_is_a_table_with_a_message_per_column():
    wb = openpyxl.load_workbook(COMMITTED)
    ws = wb["Actuals"]
    assert [c.value for c in ws[1]] == ["ID", "Month", "Gross value", "Spend"]
    assert dict(ws.tables.items()) == {"Actuals": "A1:D2"}
    assert sorted(v.promptTitle for v in ws.data_validations.dataValidation) == ["Gross value", "ID", "Month", "Spend"]
    text = " ".join(str(c.value) for c in wb["Instructions"]["A"])
    assert "Record the upfront cost as Spend in the month it was paid" in text


def test_instruction_rows_are_tall_enough_and_print_one_page_wide():
    ws = openpyxl.load_workbook(COMMITTED)["Instructions"]
    for row in ws.iter_rows():
        cell = row[0]
        lines = -(-len(str(cell.value)) // 90)
        assert ws.row_dimensions[cell.row].height >= 15 * lines or cell.font.b
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0  # one page wide, any tall


def test_a_template_under_another_extension_is_refused(tmp_path):
    for name in ("plan.csv", "plan.xls", "plan"):
        result = CliRunner().invoke(cli, ["template", str(tmp_path / name)])
        assert result.exit_code == 2 and "must end in .xlsx" in result.output
        assert not (tmp_path / name).exists()


def test_instructions_cover_the_questions_and_the_flag():
    text = "\n".join(str(c.value) for c in openpyxl.load_workbook(COMMITTED)["Instructions"]["A"])
    for question in ("What do we repeat", "keeps producing value after we finish", "Where are we the bottleneck",
                     "keeps working without us", "magnify quality or problems"):
        assert question in text
    assert "red — quality 1-2" in text and "1 — untested" in text


def test_template_example_rows_rank_with_a_warning_to_replace_them():
    plan = leverkit.load(COMMITTED)
    assert [i.id for i in plan.initiatives] == ["EX1", "EX2", "EX3"]
    assert [(i.code, i.cell, i.value) for i in plan.issues] == [("example-rows", "A2", "EX1, EX2, EX3")]
    assert not plan.issues[0].invalidates
    # the examples show both columns: automating needs the checklist, and hiring is its alternative
    assert plan.initiatives[1].requires == ("EX1",)
    assert plan.initiatives[1].group == plan.initiatives[2].group == "onboarding"
    verdicts = dict(zip((i.id for i in plan.initiatives), leverkit.rank(plan).funding.verdicts))
    assert verdicts == {"EX1": "fund", "EX2": "fund", "EX3": "alternative chosen: EX2"}
