"""The workbook teams fill: Initiatives, Settings and Instructions sheets.

Built from the contract in `schema`, so the template and the reader agree
on every header, dropdown and default.
"""
from __future__ import annotations

import datetime
import os
from pathlib import Path

from .files import atomic_path
from .schema import COLUMNS, FORMS, LEVER_POINTS, RANK_BY, SETTINGS
from .tables import TABLE_STYLE

TEMPLATE_ROWS = 1000  # rows that carry dropdowns and input messages
FIXED_DATE = datetime.datetime(2026, 1, 1)  # same bytes every time the template is written

EXAMPLE_ROWS = (
    {"ID": "EX1", "Initiative": "Automate the weekly status report", "Owner": "Sam",
     "Leverage form": "code", "Lever point": "information flow", "Upfront cost": "2,000 to 3,000",
     "Maintenance / month": 50, "Reach / month": 4, "Value per reach": 300, "Growth / month": 0,
     "Delay (months)": 1, "Decay / month": 0, "Quality (1-5)": 4, "Confidence": 0.9,
     "Notes": "Example row: overwrite it"},
    {"ID": "EX2", "Initiative": "Client onboarding checklist", "Owner": "Ana",
     "Leverage form": "process", "Lever point": "parameter", "Upfront cost": 800,
     "Maintenance / month": 20, "Reach / month": 6, "Value per reach": 150, "Growth / month": 0.02,
     "Reach cap": 20, "Delay (months)": 0, "Decay / month": 0, "Quality (1-5)": 3, "Confidence": 0.8,
     "Notes": "Example row: overwrite it"},
)

INSTRUCTIONS = (
    ("How to fill this workbook", "title"),
    ("List one candidate initiative per row on the Initiatives sheet. Required: Initiative, Leverage form, "
     "Upfront cost, Reach / month, Value per reach and Quality (1-5). Blank optional cells take their defaults.", ""),
    ("Money and reach: a number (1200, $1,200 or 1,200 USD) or a range LOW to HIGH (800 to 1,200) when unsure. "
     "A range is read as a 90% interval and projected at its middle.", ""),
    ("Percent columns (Growth, Decay, Confidence): type 5% or 0.05. A plain 5 is refused, never guessed as 5%.", ""),
    ("Settings: team name, currency, horizon, discount rate, the amplification threshold and how to rank. "
     "Blank settings take the defaults shown.", ""),
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


def _formats(workbook, currency: str) -> dict:
    label = currency.replace('"', "")
    money = workbook.add_format({"num_format": f'#,##0 "{label}"'})
    percent = workbook.add_format({"num_format": "0.0%"})
    whole = workbook.add_format({"num_format": "0"})
    return {"money": money, "cap": money, "percent": percent, "decay": percent,
            "confidence": workbook.add_format({"num_format": "0%"}), "whole": whole, "quality": whole}


def _dropdown(column) -> list[str] | None:
    return {"form": list(FORMS), "lever_point": list(LEVER_POINTS), "quality": ["1", "2", "3", "4", "5"]}.get(column.kind)


def _write_value(ws, r: int, c: int, value, fmt) -> None:
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    else:
        ws.write_number(r, c, value, fmt)


def _initiatives(workbook, rows, currency: str, top: int = 0):
    """The Initiatives sheet, its table's header on row `top` (0-based)."""
    ws = workbook.add_worksheet("Initiatives")
    formats = _formats(workbook, currency)
    columns = []
    for c, column in enumerate(COLUMNS):
        fmt = formats.get(column.kind)
        for r, row in enumerate(rows, start=top + 1):
            _write_value(ws, r, c, row.get(column.header), fmt)
        columns.append({"header": column.header, "format": fmt})
        width = 40 if column.field in ("name", "notes") else max(len(column.header) + 3, 12)
        ws.set_column(c, c, width, fmt)
        message = {
            "validate": "list", "source": _dropdown(column), "error_type": "warning",
            "error_title": "Not on the list", "error_message": f"Choose a {column.header.lower()} from the list.",
        } if _dropdown(column) else {"validate": "any"}
        message.update(input_title=column.header[:32], input_message=column.help[:255])
        ws.data_validation(top + 1, c, top + TEMPLATE_ROWS, c, message)
    ws.add_table(top, 0, top + max(len(rows), 1), len(COLUMNS) - 1,
                 {"name": "Initiatives", "columns": columns, "style": TABLE_STYLE})
    ws.freeze_panes(top + 1, 2)
    return ws


def _settings(workbook, settings: dict) -> None:
    ws = workbook.add_worksheet("Settings")
    percent = workbook.add_format({"num_format": "0%"})
    for r, setting in enumerate(SETTINGS, start=1):
        value = settings.get(setting.name, setting.default)
        ws.write_string(r, 0, setting.name)
        _write_value(ws, r, 1, value, percent if setting.kind == "rate" else None)
        ws.write_string(r, 2, setting.help)
        if setting.kind == "rank_by":
            ws.data_validation(r, 1, r, 1, {"validate": "list", "source": list(RANK_BY)})
    ws.add_table(0, 0, len(SETTINGS), 2, {
        "name": "Settings", "style": "Table Style Light 9",
        "columns": [{"header": "Setting"}, {"header": "Value"}, {"header": "What it means"}],
    })
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 70)
    ws.freeze_panes(1, 0)


def _instructions(workbook) -> None:
    ws = workbook.add_worksheet("Instructions")
    title = workbook.add_format({"bold": True, "font_size": 13})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 110, wrap)
    for r, (text, style) in enumerate(INSTRUCTIONS):
        ws.write_string(r, 0, text, title if style == "title" else wrap)


def _workbook(target: Path):
    import xlsxwriter

    workbook = xlsxwriter.Workbook(os.fspath(target), {"strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": "leverkit planning workbook", "created": FIXED_DATE})
    return workbook


def write_template(path: str | Path, rows=EXAMPLE_ROWS, settings: dict | None = None) -> Path:
    """Write a planning workbook: the blank template, or one filled with `rows`.

    `rows` are dicts keyed by header; `settings` maps setting names to values.
    """
    settings = settings or {}
    with atomic_path(path) as tmp:
        workbook = _workbook(tmp)
        _initiatives(workbook, list(rows), str(settings.get("Currency") or "USD"))
        _settings(workbook, settings)
        _instructions(workbook)
        workbook.close()
    return Path(path)


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
    import io

    path = Path(path)
    module = path.with_suffix(".py")
    with atomic_path(path) as tmp:
        workbook = _workbook(tmp)
        workbook.add_vba_project(io.BytesIO(xlwings_vba_project()), is_stream=True)
        workbook.set_vba_name("ThisWorkbook")
        ws = _initiatives(workbook, list(EXAMPLE_ROWS), "USD", top=BUTTON_ROWS)
        ws.insert_button(0, 0, {"macro": MACRO, "caption": "Rank initiatives", "width": 190, "height": 34,
                                "description": "Rank the initiatives and write the Ranked, Projection, Portfolio and Issues sheets"})
        ws.write_string(0, 2, "Fill one row per initiative, then press Rank initiatives.",
                        workbook.add_format({"bold": True, "font_size": 12}))
        _settings(workbook, {})
        _instructions(workbook)
        if interpreter:
            conf = workbook.add_worksheet("xlwings.conf")
            conf.write_row(0, 0, ["Interpreter_Win", interpreter])
            conf.write_row(1, 0, ["Interpreter_Mac", interpreter])
            conf.set_column(0, 1, 40)
        workbook.close()
    with atomic_path(module) as tmp:
        tmp.write_text(MODULE.format(workbook=path.name), encoding="utf-8")
    return path, module
