"""Writing the ranked workbook with XlsxWriter: Excel Tables, formats, flag colours, a chart.

Cells are written one kind at a time (write_string for text, write_number
for numbers), so a name like `=HYPERLINK(...)` always stays text.
"""
from __future__ import annotations

import datetime
from pathlib import Path

from .files import atomic_path
from .ranking import Ranking
from .tables import FLAG_COLOURS, TABLE_STYLE, Table, sheets

FROZEN_COLUMNS = {"Ranked": 3, "Projection": 3}
CHART_LINES = 5


def number_formats(currency: str | None) -> dict[str, str | None]:
    """Excel number formats by column kind; the currency label comes from Settings (None: mixed, no label)."""
    label = (currency or "").replace('"', "").replace("\\", "")
    return {
        "money": f'#,##0 "{label}";[Red]-#,##0 "{label}"' if label else "#,##0;[Red]-#,##0",
        "months": "0.0",
        "multiple": '0.0"×"',
        "percent": "0%",
        "int": "0",
        "number": "#,##0",
        "text": None,
        "auto": None,
    }


def _write(ws, r: int, c: int, value, kind: str, fmt) -> None:
    if value is None:
        return
    if kind == "auto":
        if isinstance(value, bool):
            ws.write_boolean(r, c, value)
        elif isinstance(value, (int, float)):
            ws.write_number(r, c, value, fmt)
        elif isinstance(value, (datetime.date, datetime.datetime)):
            ws.write_datetime(r, c, value, fmt)
        else:
            ws.write_string(r, c, str(value))
    elif kind == "text":
        ws.write_string(r, c, str(value))
    else:
        ws.write_number(r, c, value, fmt)


def _width(header: str, values: list, kind: str) -> float:
    if kind not in ("text", "auto"):
        return max(len(header) * 0.9 + 2, 12)
    longest = max((len(str(v)) for v in values[:500] if v is not None), default=0)
    return min(max(len(header) + 2, longest * 1.05 + 2, 8), 60)


class _Writer:
    """One workbook: formats are made once and shared by every table."""

    def __init__(self, workbook, currency: str | None):
        self.workbook = workbook
        self.formats = {}
        for kind, code in number_formats(currency).items():
            self.formats[kind] = workbook.add_format({"num_format": code}) if code else None
        self.header = workbook.add_format({"bold": True})  # table styles give this in Excel; LibreOffice needs it set

    def fmt(self, kind: str):
        return self.formats[kind]

    def table(self, ws, table: Table, left: int) -> None:
        from xlsxwriter.utility import xl_range

        for c, header in enumerate(table.headers):
            ws.write_string(0, left + c, header, self.header)
        for r, row in enumerate(table.rows, start=1):
            for c, value in enumerate(row):
                kind = table.kind(r - 1, c)
                fmt = self.fmt("number" if kind == "auto" else kind)
                _write(ws, r, left + c, value, kind, fmt)
        columns = []
        for c, (header, kind) in enumerate(zip(table.headers, table.kinds)):
            column = {"header": header, "format": self.fmt(kind)}
            if table.totals is not None:
                total = table.totals[c]
                if c == 0:
                    column["total_string"] = str(total)
                elif isinstance(total, (int, float)):
                    # A plain range rather than a structured reference, which LibreOffice misreads.
                    cells = xl_range(1, left + c, len(table.rows), left + c)
                    column.update(total_function=f"SUBTOTAL(109,{cells})", total_value=total)
            columns.append(column)
            ws.set_column(left + c, left + c, _width(header, [row[c] for row in table.rows], kind))
        last = max(len(table.rows), 1) + (1 if table.totals is not None else 0)
        ws.add_table(0, left, last, left + len(table.headers) - 1, {
            "name": table.name,
            "columns": columns,
            "style": TABLE_STYLE,
            "total_row": table.totals is not None,
        })

    def flag_colours(self, ws, table: Table, left: int) -> None:
        c = left + table.headers.index("Risk flag")
        last = max(len(table.rows), 1)
        for flag, (fill, font) in FLAG_COLOURS.items():
            ws.conditional_format(1, c, last, c, {
                "type": "cell", "criteria": "==", "value": f'"{flag}"',
                "format": self.workbook.add_format({"bg_color": fill, "font_color": font}),
            })

    def chart(self, ws, table: Table, currency: str) -> None:
        lines = min(CHART_LINES, len(table.rows))
        if not lines:
            return
        last_col = len(table.headers) - 1
        chart = self.workbook.add_chart({"type": "line"})
        for r in range(1, lines + 1):
            chart.add_series({
                "name": [ws.name, r, 2],
                "categories": [ws.name, 0, 3, 0, last_col],
                "values": [ws.name, r, 3, r, last_col],
                "marker": {"type": "none"},
            })
        chart.set_title({"name": f"Cumulative cash flow, top {lines}"})
        chart.set_x_axis({"name": "Month", "label_position": "low"})
        chart.set_y_axis({"name": f"Cumulative cash flow ({currency})", "num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 860, "height": 400})
        ws.insert_chart(len(table.rows) + 3, 1, chart)


def build_sheets(output: dict[str, list[Table]], currency: str | None, target) -> None:
    """Write sheets of tables to a new .xlsx (a path or a binary stream), side by side on each sheet.

    A "Risk flag" column is coloured by flag; a Projection sheet gets its line chart.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, {
        "strings_to_formulas": False, "strings_to_urls": False})
    writer = _Writer(workbook, currency)
    for name, tables in output.items():
        ws = workbook.add_worksheet(name)
        left = 0
        for table in tables:
            writer.table(ws, table, left)
            if "Risk flag" in table.headers:
                writer.flag_colours(ws, table, left)
            left += len(table.headers) + 1
        ws.freeze_panes(1, FROZEN_COLUMNS.get(name, 0))
        ws.set_landscape()
        if name == "Projection":
            writer.chart(ws, tables[0], currency)
        else:
            ws.fit_to_pages(1, 0)  # printed: all columns across one page, as many pages down as needed
    workbook.close()


def build(ranking: Ranking, target) -> None:
    """Write the four sheets of MODEL.md section 6 to a new .xlsx file (a path or a binary stream)."""
    build_sheets(sheets(ranking), ranking.plan.settings.currency, target)


def write_ranked_workbook(ranking: Ranking, path: str | Path) -> Path:
    """Write the ranked workbook whole, or not at all."""
    with atomic_path(path) as tmp:
        build(ranking, tmp)
    return Path(path)
