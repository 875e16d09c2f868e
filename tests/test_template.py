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
    assert d["sheets"] == ["Initiatives", "Settings", "Instructions"]
    assert d["headers"] == [c.header for c in COLUMNS]
    assert d["tables"] == {"Initiatives": "A1:R3"}
    lists = {v[0]: v[2] for v in d["validations"] if v[1] == "list"}
    assert lists == {"D2:D1001": '"labor,capital,code,media,process"',
                     "E2:E1001": '"symptom,parameter,delay,information flow,balancing goal,reinforcing loop"',
                     "N2:N1001": '"1,2,3,4,5"'}
    assert len(d["validations"]) == len(COLUMNS) and all(v[3] for v in d["validations"])
    assert d["settings"] == [(s.name, s.default) for s in SETTINGS]
    ws = openpyxl.load_workbook(COMMITTED)["Initiatives"]
    assert ws.freeze_panes == "C2"
    assert ws["J3"].number_format == "0.0%" and ws["F3"].number_format == '#,##0 "USD"'


def test_instructions_cover_the_questions_and_the_flag():
    text = "\n".join(str(c.value) for c in openpyxl.load_workbook(COMMITTED)["Instructions"]["A"])
    for question in ("What do we repeat", "keeps producing value after we finish", "Where are we the bottleneck",
                     "keeps working without us", "magnify quality or problems"):
        assert question in text
    assert "red — quality 1-2" in text and "1 — untested" in text


def test_template_example_rows_rank():
    plan = leverkit.load(COMMITTED)
    assert [i.id for i in plan.initiatives] == ["EX1", "EX2"] and plan.issues == []
