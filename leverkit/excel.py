"""Writing the ranked workbook with XlsxWriter: Excel Tables, formats, flag colours, a chart.

Large sheets are written a whole row at a time (write_row, measured faster
than write_column or a call per cell) into columns whose look is set once
with set_column, so no cell carries a format of its own; only columns that
mix kinds, or text columns holding something other than text, are written
cell by cell. Text is never turned into formulas or links, so a name like
`=HYPERLINK(...)` stays text.

Printing (docs/model.md section 6): the header row repeats on every page,
pages are landscape, and a sheet is fitted to one page wide only where its
text stays readable; wider sheets flow across pages, "over, then down", with
their identifying columns repeated on each page.
"""
from __future__ import annotations

import datetime
import math
from pathlib import Path

from .files import atomic_path
from .processes import collector_paused
from .ranking import Ranking
from .tables import FLAG_COLOURS, TABLE_STYLE, Table, sheets

FROZEN_COLUMNS = {"Ranked": 3, "Projection": 3}  # also the columns repeated on every printed page
CHART_LINES = 5
CHART_SIZE = (860, 400)  # pixels, at most; shrunk to what prints whole on one page
WRAPPED = {"Risk reason", "Warnings", "Problem", "Notes"}  # long text: wrapped, never clipped
TEXT_WIDTH = 60  # characters: a text column wider than this wraps instead
WRAP_WIDTH = 50  # characters: the width of a wrapped column, at most
IDENTITY_WIDTH = 30  # characters: a repeated identifying text column (Initiative) wider than this wraps
FONT_PT, SMALLEST_PT = 11, 8  # the body font, and the smallest it may shrink to when fitted to a page
# A4 and Letter landscape at Excel's default margins (0.7 in left and right, 0.75 in top and bottom),
# in pixels at 96 per inch, whichever paper is smaller, less 5% for printers' rounding.
PRINTABLE_PX = (0.95 * 96 * (11.0 - 1.4), 0.95 * 96 * (8.27 - 1.5))
ROW_PX = 20  # a default row, 15 pt
GAP_WIDTH = 8.43  # characters: the default width of the empty column between two tables


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
        "month": "yyyy-mm",
        "text": None,
        "auto": None,
    }


def column_pixels(width: float) -> int:
    """A column `width` in characters as Excel draws it: 7 pixels a character (Calibri 11) plus 5 of padding.

    >>> column_pixels(12), column_pixels(50)
    (89, 355)
    """
    return int(width * 7 + 0.5) + 5


def pages_wide(widths: list[float], smallest_pt: float = SMALLEST_PT) -> int:
    """The fewest pages across that the columns fit on with the text still at `smallest_pt` or more.

    Fitted to k pages across, the scale is k × printable width / total width
    (at most 1) and the text prints at FONT_PT × scale.

    >>> pages_wide([12] * 9), pages_wide([12] * 13), pages_wide([12] * 14), pages_wide([12] * 64)
    (1, 1, 2, 5)
    """
    total = sum(column_pixels(w) for w in widths)
    return max(1, math.ceil(total * smallest_pt / FONT_PT / PRINTABLE_PX[0]))


def first_page_pixels(widths: list[float]) -> int:
    """The width of the columns that print whole on the first page across, at 100%.

    >>> first_page_pixels([12] * 20), first_page_pixels([200])
    (801, 1405)
    """
    total = 0
    for pixels in map(column_pixels, widths):
        if total and total + pixels > PRINTABLE_PX[0]:
            break
        total += pixels
    return total


def _layout(header: str, values: list, kind: str, limit: float) -> tuple[float, bool]:
    """A column's width in characters, and whether its text wraps.

    Text wraps rather than being clipped where it is long text by nature (Risk
    reason, Notes...) or runs past `limit`; a wrapped column is at most
    WRAP_WIDTH wide (or `limit`, if narrower).

    >>> _layout("NPV", [1.5], "money", TEXT_WIDTH), _layout("ID", ["OP16"], "text", TEXT_WIDTH)
    ((12, False), (8, False))
    >>> _layout("Initiative", ["x" * 40], "text", IDENTITY_WIDTH), _layout("Notes", ["short"], "text", TEXT_WIDTH)
    ((30, True), (8, True))
    """
    if kind not in ("text", "auto"):
        return max(len(header) * 0.9 + 2, 12), False
    natural = max(len(header) + 2, 8, *(len(str(v)) * 1.05 + 2 for v in values if v is not None))
    if kind == "text" and (header in WRAPPED or natural > limit):
        return min(natural, limit, WRAP_WIDTH), True
    return min(natural, limit), False


def _as_text(values) -> list:
    return [v if v is None or v.__class__ is str else str(v) for v in values]


class _Writer:
    """One workbook: formats are made once and shared by every table."""

    def __init__(self, workbook, currency: str | None):
        self.workbook = workbook
        self.codes = number_formats(currency)
        self.formats = {}
        self.header = workbook.add_format({"bold": True})  # through add_table, which rewrites the header cells

    def fmt(self, kind: str, wrap: bool = False):
        """The format for a column (or cell) of `kind`: its number format, top-aligned, whole numbers centred."""
        if (kind, wrap) not in self.formats:
            properties = {"valign": "top"}
            if self.codes[kind]:
                properties["num_format"] = self.codes[kind]
            if kind == "int":
                properties["align"] = "center"  # a rank never runs into the ID beside it
            if wrap:
                properties["text_wrap"] = True
            self.formats[kind, wrap] = self.workbook.add_format(properties)
        return self.formats[kind, wrap]

    def table(self, ws, table: Table, left: int, identity: int = 0) -> list[float]:
        """Write `table` with its top left at column `left` of row 1; returns its column widths.

        Its first `identity` columns repeat on every printed page, so their text
        wraps at IDENTITY_WIDTH to leave the page room for the rest.
        """
        from xlsxwriter.utility import xl_range

        mixed = {c for _, c in table.cell_kinds or {}}
        columns, widths, plain = [], [], []
        for c, (header, kind) in enumerate(zip(table.headers, table.kinds)):
            sample = [row[c] for row in table.rows[:500]]
            width, wrap = _layout(header, sample, kind, IDENTITY_WIDTH if c < identity else TEXT_WIDTH)
            widths.append(width)
            ws.set_column(left + c, left + c, width, self.fmt(kind, wrap))
            plain.append(kind != "auto" and c not in mixed and (
                kind != "text" or all(row[c] is None or row[c].__class__ is str for row in table.rows)))
            column = {"header": header, "header_format": self.header, "format": self.fmt(kind, wrap)}
            if table.totals is not None:
                total = table.totals[c]
                if c == 0:
                    column["total_string"] = str(total)
                elif isinstance(total, (int, float)):
                    # A plain range rather than a structured reference, which LibreOffice misreads.
                    cells = xl_range(1, left + c, len(table.rows), left + c)
                    column.update(total_function=f"SUBTOTAL(109,{cells})", total_value=total)
            columns.append(column)
        self.rows(ws, table, left, plain)
        ws.add_table(0, left, self.last_row(table), left + len(table.headers) - 1, {
            "name": table.name,
            "columns": columns,
            "style": TABLE_STYLE,
            "total_row": table.totals is not None,
        })
        return widths

    def rows(self, ws, table: Table, left: int, plain: list[bool]) -> None:
        """The body: runs of plain columns a row at a time (write_row), the other columns cell by cell."""
        runs, start = [], None
        for c, is_plain in enumerate([*plain, False]):
            if is_plain and start is None:
                start = c
            elif not is_plain and start is not None:
                runs.append((start, c))
                start = None
        if runs == [(0, len(plain))]:
            for r, row in enumerate(table.rows, start=1):
                ws.write_row(r, left, row)
        else:
            for r, row in enumerate(table.rows, start=1):
                for first, end in runs:
                    ws.write_row(r, left + first, row[first:end])
        for c in (c for c, is_plain in enumerate(plain) if not is_plain):
            for r, row in enumerate(table.rows):
                self.cell(ws, 1 + r, left + c, row[c], table.kind(r, c))

    @staticmethod
    def last_row(table: Table) -> int:
        return max(len(table.rows), 1) + (1 if table.totals is not None else 0)

    def cell(self, ws, r: int, c: int, value, kind: str) -> None:
        """One cell of a column that mixes kinds, in its own kind's format."""
        if value is None:
            return
        fmt = self.fmt("number" if kind == "auto" else kind)
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

    def flag_colours(self, ws, table: Table, left: int) -> None:
        c = left + table.headers.index("Risk flag")
        last = max(len(table.rows), 1)
        for flag, (fill, font) in FLAG_COLOURS.items():
            ws.conditional_format(1, c, last, c, {
                "type": "cell", "criteria": "==", "value": f'"{flag}"',
                "format": self.workbook.add_format({"bg_color": fill, "font_color": font}),
            })

    def chart(self, ws, table: Table, currency: str, widths: list[float]) -> None:
        """The top lines' cumulative cash flow, from a copy of their rows below the table.

        Sorting or filtering the table cannot change what the chart shows, and a
        page break before the copy prints the copy and the chart whole on one page.
        """
        lines = min(CHART_LINES, len(table.rows))
        if not lines:
            return
        top = self.last_row(table) + 2
        ws.set_h_pagebreaks([top])
        ws.write_string(top, 0, f"Chart data: the top {lines} by rank as written, a copy that sorting or "
                                "filtering the table above does not change", self.header)
        ws.write_row(top + 1, 0, table.headers, self.header)
        for r, row in enumerate(table.rows[:lines], start=top + 2):
            ws.write_row(r, 0, [row[0], *_as_text(row[1:3]), *row[3:]])
        last_col = len(table.headers) - 1
        chart = self.workbook.add_chart({"type": "line"})
        for r in range(top + 2, top + 2 + lines):
            chart.add_series({
                "name": [ws.name, r, 2],
                "categories": [ws.name, top + 1, 3, top + 1, last_col],
                "values": [ws.name, r, 3, r, last_col],
                "marker": {"type": "none"},
            })
        chart.set_title({"name": f"Cumulative cash flow, top {lines}"})
        chart.set_x_axis({"name": "Month", "label_position": "low"})
        chart.set_y_axis({"name": f"Cumulative cash flow ({currency})", "num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        width = min(CHART_SIZE[0], first_page_pixels(widths))
        height = min(CHART_SIZE[1], int(PRINTABLE_PX[1]) - ROW_PX * (lines + 4))  # the repeated header, the copy, a gap
        chart.set_size({"width": width, "height": height})
        ws.insert_chart(top + lines + 3, 0, chart)


def frontier_chart(workbook, ws, placed: dict[str, tuple[int, Table]], currency: str | None) -> None:
    """The efficient frontier as a native Excel chart under its table, this Budget marked from the Funding table."""
    left, table = placed["Frontier"]
    last = len(table.rows)
    chart = workbook.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    chart.add_series({"name": "Best risk-adjusted NPV", "categories": [ws.name, 1, left, last, left],
                      "values": [ws.name, 1, left + 1, last, left + 1], "marker": {"type": "circle", "size": 4}})
    if "Funding" in placed:
        at, funding = placed["Funding"]
        row = {what: r + 1 for r, (what, _) in enumerate(funding.rows)}
        if "Budget" in row:
            chart.add_series({"name": "This Budget", "categories": [ws.name, row["Budget"], at + 1, row["Budget"], at + 1],
                              "values": [ws.name, row["Risk-adjusted NPV"], at + 1, row["Risk-adjusted NPV"], at + 1],
                              "marker": {"type": "diamond", "size": 11, "fill": {"color": "#C0392B"},
                                         "border": {"color": "#C0392B"}}})
    label = f" ({currency})" if currency else ""
    chart.set_title({"name": "What more budget would buy"})
    chart.set_x_axis({"name": f"Budget{label}", "num_format": "#,##0", "major_gridlines": {"visible": False}})
    chart.set_y_axis({"name": f"Best risk-adjusted NPV{label}", "num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 320})
    ws.insert_chart(last + 3, left, chart)


def _print(ws, widths: list[float], frozen: int) -> None:
    """Landscape, the header row on every page, scaled to the fewest pages across that keep text at 8 pt
    or more; a sheet wider than one page prints across, then down, its first columns on every page."""
    ws.set_landscape()
    ws.repeat_rows(0)
    pages = pages_wide(widths)
    ws.fit_to_pages(pages, 0)
    if pages > 1:
        ws.print_across()
        if frozen:
            ws.repeat_columns(0, frozen - 1)


@collector_paused()
def build_sheets(output: dict[str, list[Table]], currency: str | None, target) -> None:
    """Write sheets of tables to a new .xlsx (a path or a binary stream), side by side on each sheet.

    A "Risk flag" column is coloured by flag; a Projection sheet gets its line chart, a Frontier table its chart.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, {
        "strings_to_formulas": False, "strings_to_urls": False})
    writer = _Writer(workbook, currency)
    for name, tables in output.items():
        ws = workbook.add_worksheet(name)
        left, widths, placed = 0, [], {}
        for table in tables:
            placed[table.name] = (left, table)
            if widths:
                widths.append(GAP_WIDTH)
            table_widths = writer.table(ws, table, left, FROZEN_COLUMNS.get(name, 0) if left == 0 else 0)
            if "Risk flag" in table.headers:
                writer.flag_colours(ws, table, left)
            if name == "Projection" and table is tables[0]:
                writer.chart(ws, table, currency, table_widths)
            widths += table_widths
            left += len(table.headers) + 1
        if "Frontier" in placed:
            frontier_chart(workbook, ws, placed, currency)
        ws.freeze_panes(1, FROZEN_COLUMNS.get(name, 0))
        _print(ws, widths, FROZEN_COLUMNS.get(name, 0))
    workbook.close()


@collector_paused()
def build(ranking: Ranking, target) -> None:
    """Write the four sheets of docs/model.md section 6 to a new .xlsx file (a path or a binary stream)."""
    build_sheets(sheets(ranking), ranking.plan.settings.currency, target)


def write_ranked_workbook(ranking: Ranking, path: str | Path) -> Path:
    """Write the ranked workbook whole, or not at all."""
    with atomic_path(path) as tmp:
        build(ranking, tmp)
    return Path(path)
