"""The Excel button, driven through xlwings' own Book (its remote engine records what the macro does)."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from xlsxwriter.utility import xl_col_to_name

import leverkit
from leverkit.cli import cli
from leverkit.tables import sheets as output_sheets
from leverkit.template import xlwings_vba_project
from leverkit.xl import rank_book

from .conftest import HEADERS, calamine_sheets, initiative, replay, xl_book

EXAMPLE = Path(__file__).parent.parent / "workbooks" / "content_team.xlsx"
OURS = list(output_sheets(leverkit.rank(leverkit.load(EXAMPLE))))  # Decision, Ranked, Projection, Portfolio, Sensitivity, Issues


def as_excel_stores(value):
    """A value as it rests in the cell: Excel keeps text typed with a leading apostrophe without it."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def press(sheets, **options):
    book, payload = xl_book(sheets, **options)
    rank_book(book)
    actions = book.json()["actions"]
    return actions, replay(payload, actions), payload


def test_the_button_writes_what_the_command_line_writes(tmp_path):
    written = leverkit.report(EXAMPLE, tmp_path).written[0]
    cli_sheets = calamine_sheets(written)
    _, cells, _ = press(calamine_sheets(EXAMPLE), name=EXAMPLE.name)
    for name in OURS:
        grid = cells[name]
        rows = max(r for r, _ in grid) + 1
        columns = max(c for _, c in grid) + 1
        ours = [[as_excel_stores(grid.get((r, c))) for c in range(columns)] for r in range(rows)]
        theirs = [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] + [""] * (columns - len(row))
                  for row in cli_sheets[name][:rows]]  # not the chart's data copy; a date as the remote engine keeps it
        # an .xlsx keeps 16 significant digits (Excel itself shows 15)
        assert ours == [[pytest.approx(v, rel=1e-15) if isinstance(v, float) else v for v in row] for row in theirs], name


def test_only_leverkit_sheets_are_touched(tmp_path):
    actions, cells, payload = press(calamine_sheets(EXAMPLE), name=EXAMPLE.name)
    order = [s["name"] for s in payload["sheets"]]
    for action in actions:
        if action["func"] == "addSheet":
            index, name = action["args"]
            assert index == len(order) and name in OURS  # added after the last sheet
            order.insert(index, name)
        elif action["sheet_position"] is not None:
            assert order[action["sheet_position"]] in OURS, action
    assert order == [s["name"] for s in payload["sheets"]] + OURS
    for team_sheet in payload["sheets"]:
        before = {(r, c): v for r, row in enumerate(team_sheet["values"]) for c, v in enumerate(row) if v != ""}
        assert cells[team_sheet["name"]] == before
    assert [a["args"] for a in actions if a["func"] == "namesAdd"] == [
        [f"_leverkit_{name}", f"='{name}'!$A$1"] for name in OURS]


def test_exact_values_formats_and_flag_colours():
    rows = [initiative(id="001", initiative='=HYPERLINK("http://x","y")', quality_1_5=2, value_per_reach=90),
            initiative(id="B", initiative="Checklist", upfront_cost=10**6)]
    sheets = {"Initiatives": [HEADERS] + [list(r.values()) for r in rows], "Settings": [["Setting", "Value"], ["Currency", "EUR"]]}
    actions, cells, _ = press(sheets)
    ranked = cells["Ranked"]
    assert [ranked[(0, c)] for c in range(3)] == ["Rank", "ID", "Initiative"]
    assert ranked[(1, 1)] == "'001" and ranked[(1, 2)] == "'=HYPERLINK(\"http://x\",\"y\")"  # text, not a number or formula
    assert ranked[(1, 0)] == 1 and ranked[(1, 17)] == "red" and ranked[(2, 12)] == ""  # no payback: an empty cell
    formats = [(a["sheet_position"], a["start_column"], a["args"][0]) for a in actions if a["func"] == "setNumberFormat"]
    assert (3, 10, '#,##0 "EUR";[Red]-#,##0 "EUR"') in formats  # Ranked!K: NPV (Ranked is 4th: after Decision)
    assert (3, 14, '0.0"×"') in formats and (3, 12, "0.0") in formats and (3, 9, "0%") in formats
    rules = [a["args"][0] for a in actions if a["func"] == "addConditionalFormat"]
    assert [(r["formula1"], r["fill_color"]) for r in rules] == [('"red"', "#f8cbad"), ('"amber"', "#ffe699"), ('"green"', "#c6efce")]
    tables = [a["args"] for a in actions if a["func"] == "addTable"]
    ranked_table = next(t for t in tables if t[3] == "Ranked")
    assert ranked_table == ["$A$1:$AE$3", True, "TableStyleMedium2", "Ranked"]  # 24 columns, 5 simulated, Verdict, Notes
    assert [t[3] for t in tables] == ["Decision", "DecisionPortfolio", "ToStop", "FiscalYears", "Ranked", "Projection",
                                      "PortfolioByForm", "Funding", "Recommended", "SettingsUsed", "Issues"]


def test_issue_cells_link_to_the_cell():
    sheets = {"Initiatives": [["Plan 2027"], HEADERS, list(initiative(growth_month=5).values()), list(initiative().values())]}
    actions, cells, _ = press(sheets)
    issues = cells["Issues"]
    assert [issues[(1, c)] for c in range(5)] == ["invalid cell", "Initiatives", "'J3", "Growth / month", "'5"]
    [link] = [a for a in actions if a["func"] == "addHyperlink"]
    assert link["args"][:2] == ["#'Initiatives'!J3", "J3"] and (link["start_row"], link["start_column"]) == (1, 2)


def test_pressing_again_replaces_only_leverkit_sheets():
    sheets = calamine_sheets(EXAMPLE)
    first, cells, _ = press(sheets, name=EXAMPLE.name)
    again = dict(sheets)
    again.update({name: [[cells[name].get((r, c)) for c in range(30)] for r in range(15)] for name in OURS})
    names = [{"name": f"_leverkit_{n}", "refers_to": f"='{n}'!$A$1", "sheet_index": len(sheets) + i, "address": "$A$1",
              "book_scope": True, "scope_sheet_index": None} for i, n in enumerate(OURS)]
    last = xl_col_to_name(max(c for _, c in cells["Ranked"]))
    tables = {"Ranked": [{"name": "Ranked", "range_address": f"$A$1:${last}$12"}]}
    actions, cells_again, _ = press(again, name=EXAMPLE.name, names=names, tables=tables)
    funcs = [a["func"] for a in actions]
    assert "addSheet" not in funcs and "namesAdd" not in funcs
    assert funcs.count("sheetClear") == len(OURS)
    assert [a["args"] for a in actions if a["func"] == "resizeTable"] == [[0, f"$A$1:${last}$12"]]
    for name in OURS:
        assert cells_again[name] == cells[name]


def pressed_before(rename: dict | None = None, tables: dict | None = None, names: tuple = ()):
    """The example book after a first press, as the next press finds it: the first press's cells, the sheets with
    leverkit's (some renamed by a person: `rename`), and options for `press`: leverkit's markers (Excel keeps a
    marker on its sheet when the sheet is renamed), the team's `names`, and `tables` by sheet."""
    sheets = calamine_sheets(EXAMPLE)
    _, cells, _ = press(sheets, name=EXAMPLE.name)
    rename = rename or {}
    sheets.update({rename.get(n, n): [[cells[n].get((r, c)) for c in range(30)] for r in range(15)] for n in OURS})
    order = list(sheets)
    markers = [{"name": f"_leverkit_{n}", "refers_to": "='" + rename.get(n, n) + "'!$A$1",
                "sheet_index": order.index(rename.get(n, n)), "address": "$A$1", "book_scope": True,
                "scope_sheet_index": None} for n in OURS]
    return cells, sheets, dict(name=EXAMPLE.name, names=markers + list(names), tables=tables)


def team_name(name: str, refers_to: str, sheet_index=None, address=None) -> dict:
    return {"name": name, "refers_to": refers_to, "sheet_index": sheet_index, "address": address, "book_scope": True,
            "scope_sheet_index": None}


def test_a_renamed_leverkit_sheet_is_kept_and_a_fresh_one_written():
    snapshot = {"Portfolio Q1 snapshot": [{"name": "PortfolioByFormQ1", "range_address": "$A$1:$J$6"}]}
    first, sheets, options = pressed_before({"Portfolio": "Portfolio Q1 snapshot"}, snapshot)
    actions, cells, payload = press(sheets, **options)
    order = [s["name"] for s in payload["sheets"]]
    kept = order.index("Portfolio Q1 snapshot")
    assert not [a for a in actions if a["sheet_position"] == kept]  # nothing done to the kept sheet
    held = payload["sheets"][kept]["values"]
    assert cells["Portfolio Q1 snapshot"] == {(r, c): v for r, row in enumerate(held) for c, v in enumerate(row) if v != ""}
    assert cells["Portfolio Q1 snapshot"][(0, 0)] == first["Portfolio"][(0, 0)]
    assert [a["args"] for a in actions if a["func"] == "addSheet"] == [[len(order), "Portfolio"]]
    assert "setSheetName" not in [a["func"] for a in actions]
    assert [(a["func"], a["args"][:2]) for a in actions if a["func"] in ("nameDelete", "namesAdd")] == [
        ("nameDelete", ["_leverkit_Portfolio", "='Portfolio Q1 snapshot'!$A$1"]),
        ("namesAdd", ["_leverkit_Portfolio", "='Portfolio'!$A$1"])]
    assert cells["Portfolio"] == first["Portfolio"]
    assert "PortfolioByForm" in [a["args"][3] for a in actions if a["func"] == "addTable"]


def test_a_kept_sheet_still_holding_leverkit_table_names_refuses():
    snapshot = {"Portfolio Q1 snapshot": [{"name": "PortfolioByForm", "range_address": "$A$1:$J$6"},
                                          {"name": "Funding", "range_address": "$L$1:$M$6"}]}
    _, sheets, options = pressed_before({"Portfolio": "Portfolio Q1 snapshot"}, snapshot)
    actions, _, _ = press(sheets, **options)
    assert [a["func"] for a in actions] == ["alert"]
    assert ("its sheet 'Portfolio Q1 snapshot', once leverkit's Portfolio sheet, was renamed and so is kept as yours, "
            "but it still holds the tables 'PortfolioByForm', 'Funding', which leverkit's fresh sheets need") in actions[0]["args"][0]


def test_team_names_that_start_like_a_marker_are_left_alone():
    notes = team_name("_leverkit_notes", "=Initiatives!$A$1:$B$2", 0, "A1:B2")
    first, sheets, options = pressed_before(names=(notes,))
    actions, cells, _ = press(sheets, **options)
    assert not any(a["func"] in ("alert", "nameDelete", "namesAdd", "addSheet") for a in actions)
    assert all(cells[name] == first[name] for name in OURS)


@pytest.mark.parametrize("refers_to", ["=Initiatives!$B$2:$B$4", "=Initiatives!$A$1,Initiatives!$C$1"])
def test_a_team_name_that_is_a_marker_name_refuses(refers_to):
    """A person's own `_leverkit_Ranked` is never taken for leverkit's marker, nor replaced by one."""
    sheets = calamine_sheets(EXAMPLE)
    actions, _, _ = press(sheets, name=EXAMPLE.name, names=[team_name("_leverkit_Ranked", refers_to)])
    assert [a["func"] for a in actions] == ["alert"]
    assert (f"already has a defined name '_leverkit_Ranked' (referring to {refers_to}) that is not leverkit's marker of "
            f"its Ranked sheet") in actions[0]["args"][0]


def test_the_marker_of_a_deleted_sheet_is_replaced():
    """Excel turns a deleted sheet's marker into #REF!$A$1; the fresh sheet gets a fresh marker, never a second one."""
    sheets = calamine_sheets(EXAMPLE)
    actions, cells, _ = press(sheets, name=EXAMPLE.name, names=[team_name("_leverkit_Ranked", "=#REF!$A$1")])
    assert [(a["func"], a["args"][:2]) for a in actions if a["func"] in ("nameDelete", "namesAdd")
            and a["args"][0] == "_leverkit_Ranked"] == [
        ("nameDelete", ["_leverkit_Ranked", "=#REF!$A$1"]), ("namesAdd", ["_leverkit_Ranked", "='Ranked'!$A$1"])]
    assert cells["Ranked"]


def test_a_team_sheet_called_ranked_is_never_overwritten():
    sheets = calamine_sheets(EXAMPLE)
    sheets["Ranked"] = [["our own notes"]]
    actions, cells, _ = press(sheets)
    assert [a["func"] for a in actions] == ["alert"]
    assert "already has its own sheet named 'Ranked'" in actions[0]["args"][0]
    assert cells["Ranked"] == {(0, 0): "our own notes"}


@pytest.mark.parametrize("sheets, message", [
    ({"Plans": [["Initiative"]]}, "plan.xlsm: has no Initiatives sheet (it has Plans)"),
    ({"Initiatives": [HEADERS, list(initiative().values())], "Settings": [["Setting", "Value"], ["Horizon (months)", 0]]},
     "plan.xlsm: Settings!B2: Horizon (months) 0 must be a whole number from 1 to 600"),
    ({"Initiatives": [["Initiative", "Owner"], ["x", "y"]]}, "plan.xlsm: Initiatives sheet has no 'Leverage form'"),
])
def test_a_fatal_problem_is_one_plain_message_box(sheets, message):
    actions, _, _ = press(sheets)
    [alert] = actions
    assert alert["func"] == "alert"
    prompt, title, buttons, mode, _ = alert["args"]
    assert prompt.startswith(message) and "Traceback" not in prompt
    assert (title, buttons, mode) == ("leverkit could not rank this workbook", "ok", "critical")


def test_any_name_any_folder_read_through_the_open_book():
    """A synced drive reports a URL for the path; the entry only ever reads the open Book."""
    sheets = {"Initiatives": [HEADERS, list(initiative().values())]}
    actions, cells, _ = press(sheets, name="Team plan (v2).xlsm")
    portfolio = cells["Portfolio"]
    top, setting = next((r, c) for (r, c), v in portfolio.items() if v == "Setting")
    assert as_excel_stores(portfolio[(top + 1, setting + 1)]) == "Team plan (v2)"  # the default team name: the book's
    assert not any(a["func"] == "alert" for a in actions)


def test_the_core_does_not_import_xlwings():
    code = "import leverkit.xl, leverkit.api, sys; print('xlwings' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_xl_init_writes_a_macro_workbook_whose_button_calls_a_macro_in_it(tmp_path):
    from oletools.olevba import VBA_Parser

    path = tmp_path / "team_plan.xlsm"
    result = CliRunner().invoke(cli, ["xl", "init", str(path), "--interpreter", r"C:\Python\python.exe"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/vbaProject.bin") == xlwings_vba_project()
        vml = zf.read("xl/drawings/vmlDrawing1.vml").decode()
        content_types = zf.read("[Content_Types].xml").decode()
    assert "Rank initiatives" in vml and "<x:FmlaMacro>[0]!SampleCall</x:FmlaMacro>" in vml
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types
    parser = VBA_Parser(str(path))
    macros = {name: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    assert "Sub SampleCall()" in macros["Module1.bas"]
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in macros["Module1.bas"]
    assert "Function RunPython" in "".join(macros.values())
    module = (tmp_path / "team_plan.py").read_text()
    assert "from leverkit.xl import main" in module
    import openpyxl

    wb = openpyxl.load_workbook(path, keep_vba=True)
    assert wb.sheetnames == ["Initiatives", "Settings", "Actuals", "Instructions", "xlwings.conf"]
    assert wb["xlwings.conf"]["B1"].value == r"C:\Python\python.exe"
    plan = leverkit.load(path)
    assert [i.id for i in plan.initiatives] == ["EX1", "EX2", "EX3"] and [i.code for i in plan.issues] == ["example-rows"]


def test_the_macro_workbook_keeps_its_button_and_vba_in_place(tmp_path):
    path = tmp_path / "team_plan.xlsm"
    leverkit.write_macro_workbook(path)
    with zipfile.ZipFile(path) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    with zipfile.ZipFile(path) as zf:
        for name in ("xl/vbaProject.bin", "xl/drawings/vmlDrawing1.vml", "xl/worksheets/sheet1.xml"):
            assert zf.read(name) == before[name]


@pytest.mark.parametrize("name, message", [("plan.xlsx", "must end in .xlsm"), ("team plan.xlsm", "letters, digits and underscores")])
def test_xl_init_refuses_names_the_button_cannot_import(tmp_path, name, message):
    result = CliRunner().invoke(cli, ["xl", "init", str(tmp_path / name)])
    assert result.exit_code == 2 and message in result.output


def test_xl_init_never_overwrites_a_teams_workbook(tmp_path):
    path = tmp_path / "plan.xlsm"
    path.write_bytes(b"a team's work")
    result = CliRunner().invoke(cli, ["xl", "init", str(path)])
    assert result.exit_code == 2 and path.read_bytes() == b"a team's work"


def test_an_excel_error_in_the_open_book_is_an_invalid_cell_never_a_blank():
    rows = [initiative(id="ERR", confidence="#DIV/0!"), initiative(id="OK")]
    sheets = {"Initiatives": [HEADERS] + [list(r.values()) for r in rows]}
    _, cells, _ = press(sheets)
    ranked_ids = [cells["Ranked"].get((r, 1)) for r in range(1, 3)]
    assert ranked_ids == ["OK", None]
    issues = cells["Issues"]
    assert [issues[(1, c)] for c in (0, 2, 7)] == ["invalid cell", "'O2", "excel-error"]
