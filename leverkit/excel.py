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
import itertools
import math
from pathlib import Path

from typing import Any, BinaryIO

from .plan import Step, quiet
from .processes import collector_paused
from .ranking import Ranking
from .schema import TABLE_STYLE
from .tables import FLAG_COLOURS, Sheet, Table, sheets

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
        "cents": f'#,##0.00 "{label}";[Red]-#,##0.00 "{label}"' if label else "#,##0.00;[Red]-#,##0.00",
        "decimal": "#,##0.00",
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

    A figure's column is as wide as its figures need (12), or its header's
    longest word, its header wrapping onto up to three lines.

    >>> _layout("NPV", [1.5], "money", TEXT_WIDTH), _layout("ID", ["OP16"], "text", TEXT_WIDTH)
    ((12, False), (8, False))
    >>> _layout("Initiative", ["x" * 40], "text", IDENTITY_WIDTH), _layout("Notes", ["short"], "text", TEXT_WIDTH)
    ((30, True), (8, True))
    >>> _layout("Funded maintenance / month", [1.0], "money", TEXT_WIDTH)
    (13, False)
    """
    longest_word = max(map(len, header.split()), default=0)
    if kind not in ("text", "auto"):
        return max(12, longest_word + 2, -(-len(header) // 3) + 4), False
    natural = max(longest_word + 2, 8, *(len(str(v)) * 1.05 + 2 for v in values if v is not None))
    if kind == "text" and (header in WRAPPED or natural > limit):
        return min(natural, limit, WRAP_WIDTH), True
    return min(natural, limit), False


def lines(text: object, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide (a little under one character
    per unit of width, as proportional text runs).

    >>> lines("a" * 40, 30), lines(None, 30), lines("one\\ntwo", 30)
    (2, 1, 2)
    """
    if text is None:
        return 1
    per_line = max(int(width * 1.1) - 1, 1)
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def _heights(ws: Any, table: Table, top: int, wrapped: list[tuple[int, float]]) -> None:
    """Rows whose wrapped text needs more than one line get the height for it: spreadsheet apps that do not
    re-measure rows when they open a file (LibreOffice, printing) would otherwise print the text over the
    rows below."""
    if not wrapped:
        return
    for r, row in enumerate(table.rows, start=top + 1):
        tallest = max(lines(row[c], width) for c, width in wrapped)
        if tallest > 1:
            ws.set_row(r, ROW_PX * 0.75 * tallest)


def _as_text(values) -> list:
    return [v if v is None or v.__class__ is str else str(v) for v in values]


class _Writer:
    """One workbook: formats are made once and shared by every table."""

    def __init__(self, workbook: Any, currency: str | None):
        self.workbook = workbook
        self.codes = number_formats(currency)
        self.formats: dict[tuple[str, bool], Any] = {}
        self.header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "bottom"})  # through add_table
        self.caption = workbook.add_format({"bold": True, "font_size": 12})
        self.heading = workbook.add_format({"bold": True, "font_size": 14})

    def fmt(self, kind: str, wrap: bool = False) -> Any:
        """The format for a column (or cell) of `kind`: its number format, top-aligned, whole numbers centred."""
        if (kind, wrap) not in self.formats:
            properties: dict[str, Any] = {"valign": "top"}
            if self.codes[kind]:
                properties["num_format"] = self.codes[kind]
            if kind == "int":
                properties["align"] = "center"  # a rank never runs into the ID beside it
            if wrap:
                properties["text_wrap"] = True
            self.formats[kind, wrap] = self.workbook.add_format(properties)
        return self.formats[kind, wrap]

    def table(self, ws: Any, table: Table, top: int, left: int, identity: int = 0, by_column: bool = True) -> list[float]:
        """Write `table` with its header row at (top, left); returns its column widths.

        With `by_column`, each column's look is set once for the whole sheet
        column (the table has the sheet to itself across); otherwise every
        cell carries its own format (tables stand one under another). The
        first `identity` columns repeat on every printed page, so their text
        wraps at IDENTITY_WIDTH to leave the page room for the rest.
        """
        from xlsxwriter.utility import xl_range

        mixed = {c for _, c in table.cell_kinds or {}}
        columns, widths, plain, looks, wrapped = [], [], [], [], []
        for c, (header, kind) in enumerate(zip(table.headers, table.kinds)):
            sample = [row[c] for row in table.rows[:500]]
            width, wrap = _layout(header, sample, kind, IDENTITY_WIDTH if c < identity else TEXT_WIDTH)
            widths.append(width)
            if wrap:
                wrapped.append((c, width))
            looks.append(self.fmt(kind, wrap))
            if by_column:
                ws.set_column(left + c, left + c, width, looks[-1])
            plain.append(by_column and kind != "auto" and c not in mixed and (
                kind != "text" or all(row[c] is None or row[c].__class__ is str for row in table.rows)))
            column = {"header": header, "header_format": self.header, "format": looks[-1]}
            if table.totals is not None:
                total = table.totals[c]
                if c == 0:
                    column["total_string"] = str(total)
                elif isinstance(total, (int, float)):
                    # A plain range rather than a structured reference, which LibreOffice misreads.
                    cells = xl_range(top + 1, left + c, top + len(table.rows), left + c)
                    column.update(total_function=f"SUBTOTAL(109,{cells})", total_value=total)
            columns.append(column)
        self.rows(ws, table, top, left, plain, looks)
        _heights(ws, table, top, wrapped)
        header_lines = max(lines(h, w) for h, w in zip(table.headers, widths))
        if header_lines > 1:
            ws.set_row(top, ROW_PX * 0.75 * header_lines)
        ws.add_table(top, left, top + table.height - 1, left + len(table.headers) - 1, {
            "name": table.name,
            "columns": columns,
            "style": TABLE_STYLE,
            "total_row": table.totals is not None,
        })
        return widths

    def rows(self, ws: Any, table: Table, top: int, left: int, plain: list[bool], looks: list[Any]) -> None:
        """The body: runs of plain columns a row at a time (write_row), the other columns cell by cell."""
        runs, start = [], None
        for c, is_plain in enumerate([*plain, False]):
            if is_plain and start is None:
                start = c
            elif not is_plain and start is not None:
                runs.append((start, c))
                start = None
        if runs == [(0, len(plain))]:
            for r, row in enumerate(table.rows, start=top + 1):
                ws.write_row(r, left, row)
        else:
            for r, row in enumerate(table.rows, start=top + 1):
                for first, end in runs:
                    ws.write_row(r, left + first, row[first:end])
        for c in (c for c, is_plain in enumerate(plain) if not is_plain):
            for r, row in enumerate(table.rows):
                kind = table.kind(r, c)
                look = looks[c] if kind == table.kinds[c] and kind != "auto" else None
                self.cell(ws, top + 1 + r, left + c, row[c], kind, look)

    def cell(self, ws: Any, r: int, c: int, value: Any, kind: str, look: Any = None) -> None:
        """One cell in its own kind's format (`look` when given)."""
        if value is None:
            return
        fmt = look or self.fmt("number" if kind == "auto" else kind)
        if kind == "auto" and isinstance(value, bool):
            ws.write_boolean(r, c, value)
        elif kind == "text" or isinstance(value, str):
            ws.write_string(r, c, str(value), look)
        elif isinstance(value, (datetime.date, datetime.datetime)):
            ws.write_datetime(r, c, value, fmt if kind != "auto" else self.fmt("month"))
        else:
            ws.write_number(r, c, value, fmt)

    def flag_colours(self, ws: Any, table: Table, top: int, left: int) -> None:
        c = left + table.headers.index("Risk flag")
        last = top + max(len(table.rows), 1)
        for flag, (fill, font) in FLAG_COLOURS.items():
            ws.conditional_format(top + 1, c, last, c, {
                "type": "cell", "criteria": "==", "value": f'"{flag}"',
                "format": self.workbook.add_format({"bg_color": fill, "font_color": font}),
            })

    def chart(self, ws: Any, table: Table, currency: str | None, widths: list[float], chosen: list[bool]) -> None:
        """The recommended initiatives' cumulative cash flow (the top few by rank), from a copy of their rows
        below the table.

        Sorting or filtering the table cannot change what the chart shows, and a
        page break before the copy prints the copy and the chart whole on one page.
        """
        picked = [row for row, keep in zip(table.rows, chosen) if keep][:CHART_LINES]
        lines = len(picked)
        if not lines:
            return
        top = table.height + 1
        ws.set_h_pagebreaks([top])
        ws.write_string(top, 0, f"Chart data: the {lines} recommended initiatives ranked highest, a copy that "
                                "sorting or filtering the table above does not change", self.header)
        ws.write_row(top + 1, 0, table.headers, self.header)
        for r, row in enumerate(picked, start=top + 2):
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
        chart.set_title({"name": f"Cumulative cash flow of the {lines} recommended initiatives ranked highest"})
        chart.set_x_axis({"name": "Month", "label_position": "low"})
        chart.set_y_axis({"name": f"Cumulative cash flow ({currency})" if currency else "Cumulative cash flow",
                          "num_format": "#,##0"})
        chart.set_legend({"position": "bottom"})
        # beside the columns repeated on every printed page, which would otherwise print a slice of it on each
        repeated = FROZEN_COLUMNS["Projection"]
        width = min(CHART_SIZE[0], first_page_pixels(widths) - sum(map(column_pixels, widths[:repeated])))
        height = min(CHART_SIZE[1], int(PRINTABLE_PX[1]) - ROW_PX * (lines + 4))  # the repeated header, the copy, a gap
        chart.set_size({"width": width, "height": height})
        ws.insert_chart(top + lines + 3, repeated, chart, {"object_position": 3})


def frontier_chart(workbook: Any, ws: Any, placed: dict[str, tuple[int, int, Table]], currency: str | None) -> None:
    """The efficient frontier as a native Excel chart beside its table, this Budget marked from the Funding table."""
    top, left, table = placed["Frontier"]
    last = top + len(table.rows)
    chart = workbook.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    chart.add_series({"name": "Best value (risk-adjusted)", "categories": [ws.name, top + 1, left, last, left],
                      "values": [ws.name, top + 1, left + 1, last, left + 1], "marker": {"type": "circle", "size": 4}})
    if "Funding" in placed:
        at, column, funding = placed["Funding"]
        row = {what: at + 1 + r for r, (what, _) in enumerate(funding.rows)}
        if "Budget" in row:
            chart.add_series({"name": "This Budget",
                              "categories": [ws.name, row["Budget"], column + 1, row["Budget"], column + 1],
                              "values": [ws.name, row["Value (risk-adjusted)"], column + 1,
                                         row["Value (risk-adjusted)"], column + 1],
                              "marker": {"type": "diamond", "size": 11, "fill": {"color": "#C0392B"},
                                         "border": {"color": "#C0392B"}}})
    label = f" ({currency})" if currency else ""
    chart.set_title({"name": "What more budget would buy"})
    chart.set_x_axis({"name": f"Budget{label}", "num_format": "#,##0", "major_gridlines": {"visible": False}})
    chart.set_y_axis({"name": f"Best value, risk-adjusted{label}", "num_format": "#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 560, "height": 320})
    ws.insert_chart(top, left + len(table.headers) + 1, chart)


def _print(ws: Any, widths: list[float], frozen: int, one_page: bool = False) -> None:
    """Landscape, the header row on every page, scaled to the fewest pages across that keep text at 8 pt
    or more; a sheet wider than one page prints across, then down, its first columns on every page.
    A one-page sheet (Decision) is fitted to a single page."""
    ws.set_landscape()
    if one_page:
        ws.fit_to_pages(1, 1)
        return
    ws.repeat_rows(0)
    pages = pages_wide(widths)
    ws.fit_to_pages(pages, 0)
    if pages > 1:
        ws.print_across()
        if frozen:
            ws.repeat_columns(0, frozen - 1)


ONE_PAGE = {"Decision"}


@collector_paused()
def build_sheets(output: dict[str, Sheet], currency: str | None, target: Path | BinaryIO,
                 chosen: list[bool] | None = None, step: Step | None = None) -> None:
    """Write sheets of tables to a new .xlsx (a path or a binary stream), each laid out as its Sheet says.

    A "Risk flag" column is coloured by flag; a Projection sheet gets its line chart of the `chosen` rows
    (in the table's order), a Frontier table its chart. `step` hears of each sheet as it is laid out.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target, {
        "strings_to_formulas": False, "strings_to_urls": False})
    writer = _Writer(workbook, currency)
    tick = (step or quiet)("writing the workbook", len(output) + 1)
    for name, sheet in output.items():
        ws = workbook.add_worksheet(name)
        if sheet.heading:
            ws.write_string(0, 0, sheet.heading, writer.heading)
        frozen = 0 if sheet.down else FROZEN_COLUMNS.get(name, 0)
        widths: list[float] = []
        placed = {}
        for table, top, left in sheet.places():
            placed[table.name] = (top, left, table)
            if table.caption and sheet.down:
                ws.write_string(top - 1, left, table.caption, writer.caption)
            table_widths = writer.table(ws, table, top, left, frozen if left == 0 else 0, by_column=not sheet.down)
            if "Risk flag" in table.headers:
                writer.flag_colours(ws, table, top, left)
            if name == "Projection" and table is sheet.tables[0]:
                writer.chart(ws, table, currency, table_widths, chosen or [True] * len(table.rows))
            if sheet.down:
                widths = [max(a, b) for a, b in itertools.zip_longest(widths, table_widths, fillvalue=0.0)]
            else:
                widths += ([GAP_WIDTH] if widths else []) + table_widths
        if sheet.down:
            for c, width in enumerate(widths):
                ws.set_column(c, c, width)
        if "Frontier" in placed:
            frontier_chart(workbook, ws, placed, currency)
        if not sheet.down:
            ws.freeze_panes(1, frozen)
        _print(ws, widths, frozen, name in ONE_PAGE)
        tick(1)
    workbook.close()
    tick(1)


@collector_paused()
def build_workbook(ranking: Ranking, target: Path | BinaryIO, step: Step | None = None) -> None:
    """Write the sheets of docs/model.md section 6 to a new .xlsx file (a path or a binary stream)."""
    chosen = ranking.funding.chosen.tolist()
    build_sheets(sheets(ranking), ranking.plan.settings.currency, target, [chosen[i] for i in ranking.order.tolist()],
                 step)
