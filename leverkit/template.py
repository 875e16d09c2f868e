"""The workbook teams fill: Initiatives, Settings and Instructions sheets.

Built from the contract in `schema`, so the template and the reader agree
on every header, dropdown and default.
"""
from __future__ import annotations

import datetime
import io
from pathlib import Path

from .files import write_all
from .schema import COLUMNS, DECISIONS, EXAMPLE_ROWS, FORMS, LEVER_POINTS, MONTHS, RANK_BY, SETTINGS, TABLE_STYLE

TEMPLATE_ROWS = 1000  # rows that carry dropdowns and input messages
FIXED_DATE = datetime.datetime(2026, 1, 1)  # same bytes every time the template is written

INSTRUCTIONS = (
    ("How to fill this workbook", "title"),
    ("List one candidate initiative per row on the Initiatives sheet. The dark headers are required: Initiative, "
     "Leverage form, Upfront cost, Reach / month, Value per reach and Quality (1-5). The light ones are optional; "
     "blank optional cells take their defaults. Overwrite or delete the three example rows (EX1 to EX3).", ""),
    ("Money and reach: a number (1200, $1,200 or 1,200 USD) or a range LOW to HIGH (800 to 1,200) when unsure. "
     "A range is read as a 90% interval: you are 90% sure the true figure lies between the two. leverkit projects "
     "its middle and simulates the rest (NPV P10 to P90, the chance of making money).", ""),
    ("Percent columns (Growth, Decay, Confidence): type 5% or 0.05. A plain 5 is refused, never guessed as 5%.", ""),
    ("Settings: team name, currency, horizon, discount rate, the amplification threshold and how to rank. "
     "Blank settings take the defaults shown.", ""),
    ("Budget and Monthly capacity (Settings): fill either or both and leverkit recommends what to fund within them. "
     "Decision (Initiatives): type fund or skip to decide an initiative yourself; blank lets leverkit decide.", ""),
    ("Requires: the IDs of initiatives that must be funded for this one to be (fix the foundation first, then "
     "scale), separated by commas. Alternative group: give alternatives the same name (hire, automate or write a "
     "checklist?) and leverkit funds at most one of them. The example rows show both.", ""),
    ("Start: the month an initiative started (or will start). As of (Settings): the month you decide in, blank for "
     "the current month. A started initiative's upfront is spent: it never counts against the Budget again, and "
     "leverkit decides whether to continue it on what it is still worth from As of on. Fiscal year starts "
     "(Settings): the first month of your fiscal year, for the cash by fiscal year.", ""),
    ("Actuals: once an initiative has started, give it a Start month on the Initiatives sheet and add one row per "
     "month to the Actuals sheet: its ID, the Month, the Gross value realised and the Spend. Record the upfront "
     "cost as Spend in the month it was paid. leverkit then compares what happened with the plan.", ""),
    ("Then run: leverkit report <this file>  (or press the Rank button in a macro workbook).", ""),
    ("The quality scale (Quality 1-5)", "title"),
    ("1 — untested idea; nobody has done it yet.", ""),
    ("2 — done once or twice by hand; known rough edges.", ""),
    ("3 — works repeatedly, but depends on particular people or needs fixes.", ""),
    ("4 — documented and reliable; others can run it.", ""),
    ("5 — proven and measured; results are tracked and stable.", ""),
    ("The risk flag: quality versus amplification", "title"),
    ("Leverage magnifies flaws as readily as strengths. The leverage multiple is total value over total cost "
     "(upfront plus maintenance over the horizon).", ""),
    ("red — quality 1-2 amplified at or above the threshold (default 3×): fix the foundation before scaling.", ""),
    ("amber — quality 1-2 amplified 1× or more, or quality 3 at or above the threshold: strengthen first.", ""),
    ("green — anything else.", ""),
    ("Questions worth asking before adding leverage", "title"),
    ("What do we repeat, again and again?", ""),
    ("What keeps producing value after we finish?", ""),
    ("Where are we the bottleneck?", ""),
    ("What keeps working without us?", ""),
    ("If this scales, does it magnify quality or problems?", ""),
)


def _formats(workbook) -> dict:
    """Cell formats by column kind. Money carries no currency label: the team sets Currency in Settings,
    and a label fixed here would go stale the moment they change it."""
    money = workbook.add_format({"num_format": "#,##0"})
    count = workbook.add_format({"num_format": "#,##0"})
    percent = workbook.add_format({"num_format": "0.0%"})
    whole = workbook.add_format({"num_format": "0"})
    return {"money": money, "reach": count, "cap": count, "percent": percent, "decay": percent,
            "confidence": workbook.add_format({"num_format": "0%"}), "whole": whole, "quality": whole,
            "month": workbook.add_format({"num_format": "yyyy-mm", "align": "left"})}


def _kind(column) -> str:
    """Reach and its cap are counts, not money, though both read as amounts."""
    return "reach" if column.field == "reach" else column.kind


def _headers(workbook) -> dict:
    """Required headers stand out from optional ones."""
    return {True: workbook.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1}),
            False: workbook.add_format({"bold": True, "font_color": "#1F4E78", "bg_color": "#DDEBF7", "border": 1})}


def _dropdown(column) -> list[str] | None:
    return {"form": list(FORMS), "lever_point": list(LEVER_POINTS), "quality": ["1", "2", "3", "4", "5"],
            "decision": list(DECISIONS)}.get(column.kind)


def _write_value(ws, r: int, c: int, value, fmt) -> None:
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    else:
        ws.write_number(r, c, value, fmt)


def _input_messages(ws, c: int, top: int, title: str, message: str, choices: list[str] | None = None) -> None:
    """A help message on a column's cells (and a dropdown where there is a list to choose from)."""
    rule = {
        "validate": "list", "source": choices, "error_type": "warning",
        "error_title": "Not on the list", "error_message": f"Choose a {title.lower()} from the list.",
    } if choices else {"validate": "any"}
    rule.update(input_title=title[:32], input_message=message[:255])
    ws.data_validation(top + 1, c, top + TEMPLATE_ROWS, c, rule)


def _initiatives(workbook, rows, top: int = 0):
    """The Initiatives sheet, its table's header on row `top` (0-based)."""
    ws = workbook.add_worksheet("Initiatives")
    formats, headers = _formats(workbook), _headers(workbook)
    columns = []
    for c, column in enumerate(COLUMNS):
        fmt = formats.get(_kind(column))
        for r, row in enumerate(rows, start=top + 1):
            _write_value(ws, r, c, row.get(column.header), fmt)
        columns.append({"header": column.header, "format": fmt, "header_format": headers[column.required]})
        width = 40 if column.field in ("name", "notes") else max(len(column.header) + 3, 12)
        ws.set_column(c, c, width, fmt)
        _input_messages(ws, c, top, column.header, column.help, _dropdown(column))
    ws.add_table(top, 0, top + max(len(rows), 1), len(COLUMNS) - 1,
                 {"name": "Initiatives", "columns": columns, "style": TABLE_STYLE})
    ws.freeze_panes(top + 1, 2)
    ws.set_landscape()
    ws.repeat_rows(top)
    return ws


ACTUALS_COLUMNS = (
    ("ID", "The initiative's ID, exactly as on the Initiatives sheet (it needs a Start there).", None),
    ("Month", "The calendar month: a date (any day of it) or text such as 2026-03. One row per initiative and month.",
     "month"),
    ("Gross value", "Value realised that month, 0 or more, in the Settings currency.", "money"),
    ("Spend", "Money spent that month, 0 or more: maintenance, and the upfront cost in the month it was paid.",
     "money"),
)


def _actuals(workbook, rows=()) -> None:
    """The Actuals sheet: what really happened, month by month, for initiatives that have started; `rows` are
    (ID, month, gross value, spend) to fill it with."""
    ws = workbook.add_worksheet("Actuals")
    formats, headers = _formats(workbook), _headers(workbook)
    for c, (header, message, kind) in enumerate(ACTUALS_COLUMNS):
        ws.set_column(c, c, 16, formats.get(kind))
        _input_messages(ws, c, 0, header, message)
        for r, row in enumerate(rows, start=1):
            _write_value(ws, r, c, row[c], formats.get(kind))
    ws.add_table(0, 0, max(len(rows), 1), len(ACTUALS_COLUMNS) - 1, {
        "name": "Actuals", "style": TABLE_STYLE,
        "columns": [{"header": h, "format": formats.get(k), "header_format": headers[True]}
                    for h, _, k in ACTUALS_COLUMNS]})
    ws.freeze_panes(1, 0)


def _settings(workbook, settings: dict) -> None:
    ws = workbook.add_worksheet("Settings")
    percent = workbook.add_format({"num_format": "0%"})
    month = workbook.add_format({"num_format": "yyyy-mm", "align": "left"})
    for r, setting in enumerate(SETTINGS, start=1):
        value = settings.get(setting.name, setting.default)
        if setting.kind == "fiscal_month" and isinstance(value, int):
            value = MONTHS[value - 1]
        ws.write_string(r, 0, setting.name)
        if isinstance(value, (datetime.date, datetime.datetime)):
            ws.write_datetime(r, 1, value, month)
        else:
            _write_value(ws, r, 1, value, percent if setting.kind == "rate" else month if setting.kind == "month" else None)
        ws.write_string(r, 2, setting.help)
        if setting.kind == "rank_by":
            ws.data_validation(r, 1, r, 1, {"validate": "list", "source": list(RANK_BY)})
        if setting.kind == "fiscal_month":
            ws.data_validation(r, 1, r, 1, {"validate": "list", "source": list(MONTHS), "input_title": setting.name,
                                            "input_message": setting.help[:255]})
        if setting.kind == "month":
            ws.data_validation(r, 1, r, 1, {
                "validate": "date", "criteria": "between", "minimum": datetime.date(2000, 1, 1),
                "maximum": datetime.date(2100, 12, 31), "error_type": "warning", "input_title": setting.name,
                "input_message": setting.help[:255], "error_title": "Not a date",
                "error_message": "Enter a date (any day of the month), or text such as 2026-12."})
    ws.add_table(0, 0, len(SETTINGS), 2, {
        "name": "Settings", "style": "Table Style Light 9",
        "columns": [{"header": "Setting"}, {"header": "Value"}, {"header": "What it means"}],
    })
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 70)
    ws.freeze_panes(1, 0)


INSTRUCTION_WIDTH = 90  # characters a line of the Instructions sheet holds


def _instructions(workbook) -> None:
    """The Instructions sheet: one paragraph a row, each row as tall as its wrapped text, printable on one page wide."""
    ws = workbook.add_worksheet("Instructions")
    title = workbook.add_format({"bold": True, "font_size": 13, "valign": "bottom"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, INSTRUCTION_WIDTH + 5, wrap)
    for r, (text, style) in enumerate(INSTRUCTIONS):
        ws.write_string(r, 0, text, title if style == "title" else wrap)
        lines = 1 if style == "title" else -(-len(text) // INSTRUCTION_WIDTH)
        ws.set_row(r, 24 if style == "title" else 15 * lines + 3)
    ws.fit_to_pages(1, 0)
    ws.set_paper(9)  # A4; Letter printers fit it too
    ws.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)


def _workbook(target: io.BytesIO):
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    workbook.set_properties({"title": "leverkit planning workbook", "created": FIXED_DATE})
    return workbook


def write_template(path: str | Path, rows=EXAMPLE_ROWS, settings: dict | None = None, actuals=()) -> Path:
    """Write a planning workbook: the blank template, or one filled with `rows`.

    `rows` are dicts keyed by header; `settings` maps setting names to values;
    `actuals` are (ID, month, gross value, spend) rows for the Actuals sheet.
    """
    settings = settings or {}
    data = io.BytesIO()
    workbook = _workbook(data)
    _initiatives(workbook, list(rows))
    _settings(workbook, settings)
    _actuals(workbook, list(actuals))
    _instructions(workbook)
    workbook.close()
    return write_all({Path(path): data.getvalue()})[0]


MACRO = "SampleCall"  # the macro in xlwings' standalone quickstart VBA: imports <workbook stem>, calls main()
BUTTON_ROWS = 2  # rows above the Initiatives table that hold the button
MODULE = '''"""Run by the "Rank initiatives" button in {workbook} (xlwings RunPython).

The button's macro imports the module named after the workbook and calls main():
if you rename the workbook, rename this file to match.
"""
from leverkit.xl import main

__all__ = ["main"]
'''


def xlwings_vba_project() -> bytes:
    """The VBA project of the standalone quickstart workbook shipped inside the installed xlwings.

    It holds xlwings' RunPython and the `SampleCall` macro, so nothing of
    xlwings' VBA lives in this repository and it always matches the installed
    xlwings version.
    """
    import zipfile

    import xlwings

    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart_standalone.xlsm") as zf:
        return zf.read("xl/vbaProject.bin")


def write_macro_workbook(path: str | Path, interpreter: str | None = None) -> tuple[Path, Path]:
    """Write PATH.xlsm with a "Rank initiatives" button, and the Python module beside it.

    `interpreter` (the Python that has leverkit installed) goes on an
    `xlwings.conf` sheet, where xlwings' RunPython looks for it.
    """
    path = Path(path)
    module = path.with_suffix(".py")
    data = io.BytesIO()
    workbook = _workbook(data)
    workbook.add_vba_project(io.BytesIO(xlwings_vba_project()), is_stream=True)
    workbook.set_vba_name("ThisWorkbook")
    ws = _initiatives(workbook, list(EXAMPLE_ROWS), top=BUTTON_ROWS)
    ws.insert_button(0, 0, {"macro": MACRO, "caption": "Rank initiatives", "width": 190, "height": 34,
                            "description": "Rank the initiatives and write the Decision, Ranked and other sheets"})
    ws.write_string(0, 2, "Fill one row per initiative, then press Rank initiatives.",
                    workbook.add_format({"bold": True, "font_size": 12}))
    _settings(workbook, {})
    _actuals(workbook)
    _instructions(workbook)
    if interpreter:
        conf = workbook.add_worksheet("xlwings.conf")
        conf.write_row(0, 0, ["Interpreter_Win", interpreter])
        conf.write_row(1, 0, ["Interpreter_Mac", interpreter])
        conf.set_column(0, 1, 40)
    workbook.close()
    write_all({path: data.getvalue(), module: MODULE.format(workbook=path.name).encode("utf-8")})
    return path, module
