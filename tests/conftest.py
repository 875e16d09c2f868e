"""Small fixtures: team workbooks written by openpyxl (a different library from leverkit's own reader and writer)."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from leverkit.template import xlwings_vba_project

os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # xlwings' remote engine, for the test suite only

HEADERS = ["ID", "Initiative", "Owner", "Leverage form", "Lever point", "Upfront cost", "Maintenance / month",
           "Reach / month", "Value per reach", "Growth / month", "Reach cap", "Delay (months)", "Decay / month",
           "Quality (1-5)", "Confidence", "Notes"]


IGNORED = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "reports"}


def _files_in(root: Path) -> set[str]:
    found = set()
    for folder, folders, files in os.walk(root):
        folders[:] = [f for f in folders if f not in IGNORED and not f.endswith(".egg-info")]
        found |= {os.path.relpath(os.path.join(folder, f), root) for f in files}
    return found


@pytest.fixture(autouse=True, scope="session")
def nothing_is_written_into_the_checkout():
    """Every writer the suite runs writes where it is told: nothing lands in the project tree (such as a
    workbook named after an object's repr, `<_io.BytesIO object at 0x...>`)."""
    root = Path(__file__).resolve().parent.parent
    before = _files_in(root)
    yield
    assert _files_in(root) - before == set(), "the test run wrote files into the checkout"


def initiative(**fields) -> dict:
    """A valid row, by header; keyword names are headers with spaces and punctuation as underscores."""
    row = {"ID": None, "Initiative": "Automate reports", "Owner": "Sam", "Leverage form": "code",
           "Lever point": "parameter", "Upfront cost": 1000, "Maintenance / month": 10, "Reach / month": 10,
           "Value per reach": 20, "Growth / month": None, "Reach cap": None, "Delay (months)": None,
           "Decay / month": None, "Quality (1-5)": 4, "Confidence": None, "Notes": None}
    aliases = {h.lower().replace(" / ", "_").replace(" ", "_").replace("(", "").replace(")", "").replace("-", "_"): h
               for h in HEADERS}
    for key, value in fields.items():
        row[aliases[key]] = value
    return row


def write_team(path, rows, headers=None, settings=None, above=(), sheet="Initiatives"):
    """Write a team workbook with openpyxl: optional title rows, a header row, then rows (dicts by header)."""
    headers = headers or HEADERS
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for line in above:
        ws.append(list(line))
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers] if isinstance(row, dict) else list(row))
    if settings is not None:
        st = wb.create_sheet("Settings")
        st.append(["Setting", "Value"])
        for name, value in settings.items():
            st.append([name, value])
    wb.save(path)
    return path


@pytest.fixture
def team(tmp_path):
    """A factory: team(rows, **options) -> path of a new workbook in tmp_path."""
    count = iter(range(1000))

    def make(rows, name=None, **options):
        return write_team(tmp_path / (name or f"team{next(count)}.xlsx"), rows, **options)

    return make


def plan_of(rows, **settings):
    """A Plan from row dicts through the shared reading path, without a file."""
    from leverkit.reading import Grid, parse_sheets

    sheets = {"Initiatives": Grid("Initiatives", [HEADERS] + [[r.get(h) for h in HEADERS] for r in rows])}
    if settings:
        names = {"horizon": "Horizon (months)", "discount": "Discount rate (annual)", "threshold": "Amplification threshold",
                 "rank_by": "Rank by", "currency": "Currency", "as_of": "As of"}
        sheets["Settings"] = Grid("Settings", [["Setting", "Value"]] + [[names[k], v] for k, v in settings.items()])
    plan = parse_sheets(sheets, "test.xlsx", "test")
    assert not plan.issues, plan.issues
    return plan


def calamine_sheets(path) -> dict[str, list[list]]:
    """Every sheet as python-calamine reads it: a second reader, independent of what wrote the file."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def find_table(sheet: list[list], first: str, second: str | None = None, column: int = 0) -> list[dict]:
    """The table on a sheet (as `calamine_sheets` reads it) whose header row starts with `first` (then `second`,
    when given) at `column`, as dicts by header, down to its first blank row; tables stand under or beside
    each other."""
    top = next(r for r, row in enumerate(sheet) if len(row) > column and row[column] == first and
               (column == 0 or row[column - 1] == "") and (second is None or row[column + 1] == second))
    header = sheet[top]
    right = next((c for c in range(column, len(header)) if header[c] == ""), len(header))
    found = []
    for row in sheet[top + 1:]:
        cells = row[column:right]
        if all(v == "" for v in cells):
            break
        found.append(dict(zip(header[column:right], cells)))
    return found


def owner_file(path, user: str):
    """Excel's `~$` owner file: a length byte, the name padded to 53, then the name again in UTF-16."""
    lock = path.with_name("~$" + path.name)
    data = bytes([len(user)]) + user.encode("latin-1").ljust(53) + bytes([len(user), 0]) + user.encode("utf-16-le")
    lock.write_bytes(data.ljust(165, b" "))
    return lock


def xl_book(sheets: dict, name="plan.xlsm", names=(), tables=None):
    """An open workbook as xlwings' remote engine sees it (`xw.Book(json=...)`): sheets' values anchored at A1."""
    import copy

    import xlwings as xw

    payload = {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {"name": name, "active_sheet_index": 0, "selection": "A1"},
        "names": list(names),
        "sheets": [
            {"name": sheet, "values": [["" if v is None else v for v in row] for row in values] or [[]],
             "pictures": [], "shapes": [], "charts": [], "notes": [], "tables": (tables or {}).get(sheet, []),
             "print_area": None}
            for sheet, values in sheets.items()
        ],
    }
    return xw.Book(json=copy.deepcopy(payload)), payload  # xlwings updates its copy as it records


def replay(payload, actions) -> dict[str, dict[tuple[int, int], object]]:
    """What the recorded actions leave in each sheet's cells: sheet -> {(row, column): value}, zero-based."""
    order = [s["name"] for s in payload["sheets"]]
    cells = {s["name"]: {(r, c): v for r, row in enumerate(s["values"]) for c, v in enumerate(row) if v != ""}
             for s in payload["sheets"]}
    for action in actions:
        func, position = action["func"], action["sheet_position"]
        if func == "addSheet":
            index, name = action["args"]
            order.insert(index, name)
            cells[name] = {}
        elif func in ("sheetClear", "sheetClearContents"):
            cells[order[position]] = {}
        elif func == "setSheetName":
            cells[action["args"][0]] = cells.pop(order[position])
            order[position] = action["args"][0]
        elif func == "setValues":
            grid = cells[order[position]]
            for i, row in enumerate(action["values"]):
                for j, value in enumerate(row):
                    grid[(action["start_row"] + i, action["start_column"] + j)] = value
    return cells


def png(tmp_path) -> Path:
    from PIL import Image

    path = tmp_path / "logo.png"
    Image.new("RGB", (40, 20), (200, 30, 30)).save(path)
    return path


def rich_workbook(path: Path, tmp_path: Path) -> Path:
    """A team workbook with one of everything a team may have put in it."""
    wb = xlsxwriter.Workbook(path)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    money = wb.add_format({"num_format": "$#,##0.00"})
    ws = wb.add_worksheet("Initiatives")
    rows = [initiative(id="I1", initiative="Runbook"), initiative(id="I2", initiative="Portal", quality_1_5=2, value_per_reach=90)]
    for c, header in enumerate(HEADERS):
        ws.write_string(0, c, header)
        for r, row in enumerate(rows, start=1):
            if row[header] is not None:
                ws.write(r, c, row[header])
    ws.add_table(0, 0, 2, len(HEADERS) - 1, {"name": "Plan", "columns": [{"header": h} for h in HEADERS]})
    ws.data_validation("D2:D50", {"validate": "list", "source": ["labor", "capital", "code", "media", "process"]})
    ws.conditional_format("N2:N50", {"type": "cell", "criteria": "<=", "value": 2,
                                     "format": wb.add_format({"bg_color": "#FFC7CE"})})
    budget = wb.add_worksheet("Budget")
    budget.write_string("A1", "Line", bold)
    budget.write_string("B1", "Amount", bold)
    for r, (line, amount) in enumerate([("Tools", 100), ("People", 200), ("Travel", 300)], start=2):
        budget.write_string(f"A{r}", line)
        budget.write_number(f"B{r}", amount, money)
    budget.write_formula("B5", "=SUM(B2:B4)", money, 600)
    budget.write_comment("A1", "Set by finance in March")
    budget.data_validation("B2:B4", {"validate": "decimal", "criteria": ">=", "value": 0})
    budget.conditional_format("B2:B4", {"type": "data_bar"})
    budget.insert_image("D2", png(tmp_path))
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=Budget!$A$2:$A$4", "values": "=Budget!$B$2:$B$4", "name": "Budget"})
    budget.insert_chart("D8", chart)
    budget.freeze_panes(1, 0)
    budget.activate()
    wb.define_name("BudgetTotal", "=Budget!$B$5")
    wb.define_name("Budget!Lines", "=Budget!$A$2:$A$4")
    if path.suffix == ".xlsm":
        wb.add_vba_project(io.BytesIO(xlwings_vba_project()), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
    wb.close()
    return path


def parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def audit(path) -> set[tuple[str, str]]:
    """openxml-audit's findings for a file, as (part, what is wrong): what desktop Excel would repair or reject."""
    from openxml_audit import OpenXmlValidator

    result = OpenXmlValidator().validate(str(path))
    return {(e.part_uri, e.description) for e in result.errors}


def edit_package(path, edits: dict, target=None):
    """Rewrite a package with some parts changed: part -> new bytes, a function of the old bytes, or None to drop it."""
    target = Path(target or path)
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        names = set()
        for info, data in items:
            names.add(info.filename)
            change = edits.get(info.filename, data)
            change = change(data) if callable(change) else change
            if change is not None:
                zout.writestr(info.filename, change)
        for name, data in edits.items():
            if name not in names and not callable(data) and data is not None:
                zout.writestr(name, data)
    return target


def xml_edit(change):
    """A package edit that parses a part, lets `change(root)` alter it, and serialises it again."""
    def edit(data: bytes) -> bytes:
        from lxml import etree

        root = etree.fromstring(data)
        change(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return edit
