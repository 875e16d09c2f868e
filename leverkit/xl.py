"""The Excel button: rank the open workbook through xlwings (RunPython).

`main` is what the macro's Python module calls: Book.caller(), then
`rank_book`, which reads the open Book's sheets into the same pipeline as
the file reader (`pipeline.rank_sheets`) and writes leverkit's sheets,
Decision first, back into the same open Book. xlwings is imported only
by `main`; everything else works on whatever Book it is handed, so the tests
drive it with xlwings' own remote-engine Book.
"""
from __future__ import annotations

from pathlib import PurePath
from typing import Any

from .errors import LeverkitError
from .excel import number_formats
from .package import ERROR_VALUES, ExcelError
from .pipeline import rank_sheets
from .ranking import Ranking
from .reading import READ, Grid
from .tables import FLAG_COLOURS, OUTPUT_SHEETS, Sheet, Table, marked_output, marked_sheet, marker, sheets

TABLE_STYLE = "TableStyleMedium2"  # the name Excel's object model uses
TITLE = "leverkit could not rank this workbook"


def main() -> None:
    """The entry the "Rank initiatives" button runs."""
    import xlwings as xw

    rank_book(xw.Book.caller())


def rank_book(book) -> None:
    """Rank the open `book` and write the ranked sheets into it.

    Invalid cells are listed on the Issues sheet; anything that stops the
    whole workbook is shown in one message box, never as a traceback.
    """
    try:
        write_book(book, rank_sheets(read_grids(book), book.name, PurePath(book.name).stem))
    except LeverkitError as error:
        book.app.alert(str(error), title=TITLE, buttons="ok", mode="critical")


def read_grids(book) -> dict[str, Grid]:
    """The sheets leverkit reads (Initiatives, Settings, Actuals) of an open Book, as cell values with addresses.

    Reads through the Book itself (never the file on disk), so it works for
    any name and any folder, including synced drives that report a URL.
    """
    wanted = {name.casefold() for name in READ}
    grids = {}
    for sheet in book.sheets:
        if sheet.name.casefold() in wanted:
            used = sheet.used_range
            values = used.options(ndim=2, err_to_str=True).value  # an error stays an error, never a blank
            rows = [[ExcelError(v) if isinstance(v, str) and v in ERROR_VALUES else v for v in row] for row in values]
            grids[sheet.name] = Grid(sheet.name, rows, used.row - 1, used.column - 1)
        else:
            grids[sheet.name] = Grid(sheet.name, [])
    return grids


def as_text(value: object) -> str:
    """Text Excel must keep as typed: a leading apostrophe stops it reading `=...` as a
    formula or `1/2` as a date; Excel stores the text without the apostrophe."""
    text = str(value)
    risky = text[:1] in ("=", "+", "-", "@", "'", "#") or any(ch.isdigit() for ch in text) or text.upper() in ("TRUE", "FALSE")
    return "'" + text if risky else text


def _cell(value, kind: str):
    if value is None:
        return None
    if kind == "text" or (kind == "auto" and isinstance(value, str)):
        return as_text(value)
    return value


def _markers(book) -> list[tuple[str, Any, Any]]:
    """leverkit's marker names in this book: (output sheet, the Name, the Sheet it points at, or None once deleted).

    A marker is book-wide and named and referring exactly as `marked_sheet`
    requires; any other name, even one starting with `_leverkit_`, is the
    team's. xlwings shows no name's visibility, so unlike --in-place the
    button cannot tell its (visible) markers from a name a person typed
    exactly alike, `_leverkit_Ranked` = Budget!$A$1: the Budget sheet is then
    kept untouched as a renamed sheet would be, and the name moves to the
    fresh Ranked sheet.
    """
    by_name = {sheet.name.casefold(): sheet for sheet in book.sheets}
    found = []
    for name in book.names:
        target = marked_sheet(name.name, name.refers_to)  # a sheet-scoped name is called Sheet!name: never one
        output = marked_output(name.name) if target is not None else None
        if target is not None and output is not None:
            found.append((output, name, by_name.get(target.casefold())))
    return found


def _our_sheets(markers) -> dict[str, Any]:
    """leverkit's sheets still under leverkit's name (Excel's names ignore case): output name -> Sheet.

    A marked sheet the team renamed is the team's now: it is kept as it is and
    a fresh sheet is written under leverkit's name.
    """
    return {output: sheet for output, _, sheet in markers
            if sheet is not None and sheet.name.casefold() == output.casefold()}


def _check(book, markers, ours: dict, output: dict[str, Sheet]) -> None:
    """Refuse before writing anything if a team sheet, name or table would be overwritten.

    A renamed sheet the team kept still holds leverkit's table names; leverkit
    refuses rather than give its fresh tables other names, for the reasons in
    inplace._Splice.check.
    """
    mine = {sheet.name for sheet in ours.values()}
    kept = {sheet.name: output for output, _, sheet in markers if sheet is not None and sheet.name not in mine}
    ours_tables = {t.name.casefold() for group in output.values() for t in group.tables}
    recognised = {name.name for _, name, _ in markers}
    wanted = {marker(name)[0].casefold(): name for name in output}
    for name in book.names:
        if name.name.casefold() in wanted and name.name not in recognised:
            raise LeverkitError(f"{book.name}: already has a defined name {name.name!r} (referring to {name.refers_to}) "
                                f"that is not leverkit's marker of its {wanted[name.name.casefold()]} sheet; rename or "
                                f"delete it (Formulas > Name Manager)")
    for sheet in book.sheets:
        if sheet.name in mine:
            continue
        if sheet.name.casefold() in {s.casefold() for s in OUTPUT_SHEETS}:
            raise LeverkitError(f"{book.name}: already has its own sheet named {sheet.name!r}; "
                                f"rename it so leverkit can write its {sheet.name} sheet")
        clashing = [t.name for t in sheet.tables if t.name.casefold() in ours_tables]
        if clashing and sheet.name in kept:
            raise LeverkitError(
                f"{book.name}: its sheet {sheet.name!r}, once leverkit's {kept[sheet.name]} sheet, was renamed and so "
                f"is kept as yours, but it still holds the table{'s' if len(clashing) > 1 else ''} "
                f"{', '.join(map(repr, clashing))}, which leverkit's fresh sheets need; rename "
                f"{'them' if len(clashing) > 1 else 'it'} (Table Design > Table Name)")
        if clashing:
            raise LeverkitError(f"{book.name}: already has a table named {clashing[0]!r} on {sheet.name}; rename it")


def _write_table(sheet, table: Table, top: int, left: int, formats: dict) -> None:
    """`table` with its header row at the zero-based (top, left), as an Excel table with number formats."""
    rows = len(table.rows)
    block = [[as_text(h) for h in table.headers]]
    block += [[_cell(v, table.kind(r, c)) for c, v in enumerate(row)] for r, row in enumerate(table.rows)]
    if table.totals is not None:
        block.append([_cell(v, table.kinds[c]) for c, v in enumerate(table.totals)])
    sheet.range((top + 1, left + 1)).value = block
    last = top + len(block)
    for c, kind in enumerate(table.kinds):
        if formats.get(kind) and last > top + 1:
            sheet.range((top + 2, left + c + 1), (last, left + c + 1)).number_format = formats[kind]
    for (r, c), kind in (table.cell_kinds or {}).items():
        if formats.get(kind):
            sheet.range((top + r + 2, left + c + 1)).number_format = formats[kind]
    area = sheet.range((top + 1, left + 1), (top + max(rows, 1) + 1, left + len(table.headers)))
    existing = next((t for t in sheet.tables if t.name.casefold() == table.name.casefold()), None)
    if existing is not None:
        existing.resize(area)
    else:
        sheet.tables.add(source=area, name=table.name, table_style_name=TABLE_STYLE, has_headers=True)


def _flag_colours(sheet, table: Table) -> None:
    c = table.headers.index("Risk flag") + 1
    cells = sheet.range((2, c), (max(len(table.rows), 1) + 1, c))  # Ranked: its one table starts at A1
    for flag, (fill, font) in FLAG_COLOURS.items():
        cells.conditional_formats.add_cell_value("equal_to", f'"{flag}"', fill_color=fill, font_color=font)


def _links(sheet, table: Table) -> None:
    """Each issue's cell address becomes a link that jumps to that cell."""
    where, at = table.headers.index("Sheet"), table.headers.index("Cell")
    for r, row in enumerate(table.rows, start=2):
        target = "'" + row[where].replace("'", "''") + "'!" + row[at]
        sheet.range((r, at + 1)).add_hyperlink("#" + target, text_to_display=row[at], screen_tip=f"Go to {row[where]}!{row[at]}")


def write_book(book, ranking: Ranking) -> None:
    """Write the ranked sheets (Decision first among them) into the open Book, replacing only leverkit's own."""
    markers = _markers(book)
    ours = _our_sheets(markers)
    output = sheets(ranking)
    _check(book, markers, ours, output)
    retired = [ours.pop(name) for name in list(ours) if name not in output]  # e.g. Sensitivity, once no range is left
    for _, name, sheet in markers:  # a kept sheet's marker goes too, so it is never again taken for leverkit's
        if not any(sheet is mine for mine in ours.values()):
            name.delete()
    for sheet in retired:
        sheet.delete()
    formats = number_formats(ranking.plan.settings.currency)
    for name, output_sheet in output.items():
        sheet = ours.get(name)
        if sheet is None:
            sheet = book.sheets.add(name, after=book.sheets[-1])
            marker_name, refers_to = marker(name)
            book.names.add(marker_name, "=" + refers_to)
        else:
            sheet.clear()
            if sheet.name != name:
                sheet.name = name
        if output_sheet.heading:
            sheet.range((1, 1)).value = as_text(output_sheet.heading)
        for table, top, left in output_sheet.places():
            if table.caption and output_sheet.down:
                sheet.range((top, left + 1)).value = as_text(table.caption)
            _write_table(sheet, table, top, left, formats)
        if name == "Ranked":
            _flag_colours(sheet, output_sheet.tables[0])
        if name == "Issues":
            _links(sheet, output_sheet.tables[0])
        sheet.autofit("columns")
