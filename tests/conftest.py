"""Small fixtures: team workbooks written by openpyxl (a different library from leverkit's own reader and writer)."""
from __future__ import annotations

import os

import openpyxl
import pytest

os.environ.setdefault("MPLBACKEND", "svg")
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # xlwings' remote engine, for the test suite only

HEADERS = ["ID", "Initiative", "Owner", "Leverage form", "Lever point", "Upfront cost", "Maintenance / month",
           "Reach / month", "Value per reach", "Growth / month", "Reach cap", "Delay (months)", "Decay / month",
           "Quality (1-5)", "Confidence", "Notes"]


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
                 "rank_by": "Rank by", "currency": "Currency"}
        sheets["Settings"] = Grid("Settings", [["Setting", "Value"]] + [[names[k], v] for k, v in settings.items()])
    plan = parse_sheets(sheets, "test.xlsx", "test")
    assert not plan.issues, plan.issues
    return plan


def calamine_sheets(path) -> dict[str, list[list]]:
    """Every sheet as python-calamine reads it: a second reader, independent of what wrote the file."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


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
