"""From rows of cell values with their addresses to a validated Plan.

`parse_sheets` is the single path from cell values to initiatives, settings
and actuals; `read_workbook` (files on disk) and the Excel button (sheets of
the open workbook) both feed it, so they validate identically. Each cell is
read by the rules in `cells`; a bad cell becomes an `Issue` and its row is
left out, while a bad setting or a missing sheet or column stops the
workbook (`errors`).
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cells import (
    BOUNDED, PLAIN, WHOLE, CellError, cell_problem, is_blank, label, median_of_range, read_bounded, read_choice,
    read_fiscal_month, read_id_list, read_month, read_text, read_whole, split_range,
)
from .errors import BadSetting, BadSheet, Damaged, NotAWorkbook
from .issues import CODES, Issue, cell_address, has_unprintable, issue, printable, show
from .package import Package, reason
from .plan import Actuals, Initiative, Plan, Settings, months_between, this_month
from .schema import (
    COLUMN_BY_KEY, COLUMNS, DECISIONS, EXAMPLE_ROWS, FORM_ALIASES, FORMS, LEVER_POINTS, RANK_BY, SETTING_BY_KEY,
    SETTINGS, Column, Setting, header_key,
)

INITIATIVES = "Initiatives"
SETTINGS_SHEET = "Settings"
ACTUALS = "Actuals"
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Grid:
    """A sheet's cell values as read, and where they sit in the sheet."""

    name: str
    rows: list[list[Any]]
    top: int = 0
    left: int = 0

    def address(self, r: int, c: int) -> str:
        return cell_address(self.top + r, self.left + c)

    def value(self, r: int, c: int | None) -> Any:
        row = self.rows[r]
        return row[c] if c is not None and c < len(row) else None


# -- headers --------------------------------------------------------------------

def find_header(grid: Grid, *wanted: str) -> int | None:
    """The first of the top rows whose cells include every `wanted` header key."""
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if set(wanted) <= {header_key(v) for v in row if not is_blank(v)}:
            return r
    return None


def _column_twice(source: str, grid: Grid, r: int, c: int, first: int, header: str) -> BadSheet:
    return BadSheet(f"{source}: {grid.name}!{grid.address(r, c)}: the column {header!r} appears twice "
                    f"(also at {grid.address(r, first)}); keep one")


def _columns_missing(source: str, grid: Grid, r: int, missing: list[str]) -> BadSheet:
    return BadSheet(f"{source}: {grid.name} sheet has no {', '.join(repr(m) for m in missing)} "
                    f"column{'s' if len(missing) > 1 else ''} in its header row {grid.top + r + 1}")


def _no_header(source: str, grid: Grid, wanted: str) -> BadSheet:
    return BadSheet(f"{source}: {grid.name} sheet has no header row with {wanted} in its first {HEADER_SEARCH_ROWS} rows")


def map_headers(grid: Grid, r: int, source: str, known: dict[str, tuple[str, str]],
                required: list[str]) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Where each known header is in row r (`known`: header key -> (field, header as leverkit writes it)), and
    the other headers' columns. A known header twice, or a required field missing, stops the workbook."""
    found: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    headers = dict(known.values())
    for c, value in enumerate(grid.rows[r]):
        if is_blank(value):
            continue
        name = known.get(header_key(value), (None, ""))[0]
        if name is None:
            extra.append((c, read_text(value)))
        elif name in found:
            raise _column_twice(source, grid, r, c, found[name], headers[name])
        else:
            found[name] = c
    missing = [headers[field] for field in required if field not in found]
    if missing:
        raise _columns_missing(source, grid, r, missing)
    return found, extra


# -- the Initiatives sheet ----------------------------------------------------

def _scalar(column: Column, value: object, currency: str) -> object:
    """One cell of an initiative column, validated; ranges are handled by `_cell`."""
    name, kind = label(column.header), column.kind
    if kind in ("id", "text", "group"):
        return read_text(value)
    if kind == "name":
        text = read_text(value)
        if len(text) > 200:
            raise CellError("name-too-long", length=len(text))
        return text
    if kind == "form":
        return read_choice(value, name, FORM_ALIASES, FORMS)
    if kind == "lever_point":
        return read_choice(value, name, {p: p for p in LEVER_POINTS}, LEVER_POINTS)
    if kind == "decision":
        return read_choice(value, name, {d: d for d in DECISIONS}, DECISIONS)
    if kind == "month":
        return read_month(value, name)
    if kind == "requires":
        return read_id_list(value)
    if kind in BOUNDED:
        return read_bounded(kind, value, name, currency)
    if kind in WHOLE:
        return read_whole(value, name, *WHOLE[kind])
    raise AssertionError(f"unknown column kind {kind}")


def _cell(column: Column, value: object, currency: str) -> tuple[object, tuple[float, float] | None]:
    """A validated cell value and, for a `LOW to HIGH` range, its bounds."""
    if column.ranged and isinstance(value, str) and (bounds := split_range(value)):
        low, high = (_scalar(column, bound, currency) for bound in bounds)
        assert isinstance(low, float) and isinstance(high, float)
        if low > high:
            raise CellError("range-reversed", name=label(column.header), value=repr(" ".join(value.split())[:60]))
        return median_of_range(low, high), (low, high)
    return _scalar(column, value, currency), None


@dataclass
class _Row:
    """One Initiatives row as parsed: its fields, ranges, the team's extra cells, and what is wrong with it."""

    r: int  # index into the grid's rows
    excel_row: int
    fields: dict[str, Any]
    ranges: dict[str, tuple[float, float]]
    extras: dict[str, object]
    issues: list[Issue]

    @property
    def id(self) -> str:
        """The ID as typed, or `R<row number>` (docs/model.md section 1)."""
        return self.fields.get("id") or f"R{self.excel_row}"

    @property
    def valid(self) -> bool:
        return not any(i.invalidates for i in self.issues)


class _Sheet:
    """The Initiatives sheet: where its columns are, and how each row is read."""

    def __init__(self, grid: Grid, source: str, settings: Settings):
        self.grid, self.settings = grid, settings
        header = find_header(grid, "initiative")
        if header is None:
            raise _no_header(source, grid, "an 'Initiative' column")
        self.header = header
        known = {key: (column.field, column.header) for key, column in COLUMN_BY_KEY.items()}
        self.columns, self.extra = map_headers(grid, header, source, known, [c.field for c in COLUMNS if c.required])
        self.names = {**{c: column.header for column in COLUMNS if (c := self.columns.get(column.field)) is not None},
                      **dict(self.extra)}

    def _add(self, row: _Row, code: str, c: int | None, header: str, message: str) -> None:
        value = self.grid.value(row.r, c)
        row.issues.append(Issue(code, self.grid.name, self.grid.address(row.r, c or 0), header,
                                "" if value is None else show(value), message))

    def issue(self, row: _Row, code: str, c: int | None, header: str, **fields: object) -> None:
        self._add(row, code, c, header, CODES[code].sentence(**fields))

    def _bad(self, row: _Row, c: int | None, header: str, bad: CellError) -> None:
        self._add(row, bad.code, c, header, str(bad))

    def _problem(self, row: _Row, c: int | None, header: str) -> bool:
        """Name a cell no column rule can read; True if it was one."""
        bad = cell_problem(self.grid.value(row.r, c), label(header))
        if bad is not None:
            self._bad(row, c, header, bad)
        return bad is not None

    def row(self, r: int) -> _Row:
        """One row's fields, ranges, extras and issues."""
        row = _Row(r, self.grid.top + r + 1, {}, {}, {}, [])
        for column in COLUMNS:
            c = self.columns.get(column.field)
            value = self.grid.value(r, c)
            if value.__class__ is float and (read := PLAIN.get(column.kind)) and (number := read(value)) is not None:
                row.fields[column.field] = number
                continue
            if self._problem(row, c, column.header):
                continue
            if is_blank(value):
                if column.required:
                    self._bad(row, c, column.header, CellError("required", name=label(column.header)))
                continue
            try:
                row.fields[column.field], bounds = _cell(column, value, self.settings.currency)
            except CellError as bad:
                self._bad(row, c, column.header, bad)
                continue
            if bounds is not None:
                row.ranges[column.field] = bounds
        cells = self.grid.rows[r]
        row.extras = {header: printable(cells[c]) if isinstance(cells[c], str) else cells[c] for c, header in self.extra
                      if c < len(cells) and not self._problem(row, c, header) and not is_blank(cells[c])}
        for c, value in enumerate(cells):
            if has_unprintable(value) and c in self.names:
                self.issue(row, "text-cleaned", c, self.names[c], what=label(self.names[c]))
        if row.valid and _overflow(row.fields, row.ranges, self.settings.horizon):
            c = self.columns["growth"]
            self.issue(row, "overflow", c, "Growth / month", value=show(self.grid.value(r, c)),
                       horizon=self.settings.horizon)
        return row


def _overflow(fields: dict, ranges: dict, horizon: int) -> bool:
    """Uncapped growth so steep that reach × value could pass what a number can hold.

    A growth range is judged at its high end plus a wide margin, since
    simulation draws reach past the 90% interval.
    """
    growth = fields.get("growth", 0.0)
    if "growth" in ranges:
        low, high = ranges["growth"]
        growth = high + 4 * (high - low)
    if growth <= 0 or "cap" in fields:
        return False
    size = math.log10(max(fields["reach"], 1)) + math.log10(max(fields["value"], 1)) + math.log10(horizon)
    return bool(size + (horizon - 1) * math.log10(1 + growth) > 200)


def _duplicates(sheet: _Sheet, rows: list[_Row]) -> None:
    """Every row whose ID another row has too, typed or given by default (`R<row number>`), is invalid."""
    c = sheet.columns.get("id")
    if c is None:
        return  # every ID is R<row number>: all different
    seen: dict[str, list[_Row]] = {}
    for row in rows:
        seen.setdefault(row.id.casefold(), []).append(row)
    for group in seen.values():
        if len(group) < 2:
            continue
        shown = [sheet.grid.address(row.r, c) + ("" if "id" in row.fields else f" (blank: {row.id})")
                 for row in group[:3]]
        more = f" and {len(group) - 3:,} more" if len(group) > 3 else ""
        for row in group:
            sheet.issue(row, "duplicate-id", c, "ID", id=row.id, count=len(group), cells=", ".join(shown) + more)


def _requirements(sheet: _Sheet, rows: list[_Row]) -> None:
    """A row whose Requires names its own ID, or an ID no valid row has, is invalid; as rows become invalid,
    the rows requiring them do too (docs/model.md section 5)."""
    c = sheet.columns.get("requires")
    if c is None:
        return
    by_id = {row.id: row for row in rows}
    requirers: dict[str, list[_Row]] = {}
    for row in rows:
        for needed in row.fields.get("requires", ()):
            requirers.setdefault(needed, []).append(row)
        if row.id in row.fields.get("requires", ()):
            sheet.issue(row, "requires-itself", c, "Requires", id=row.id)

    def invalidate(row: _Row, needed: str, what: str) -> None:
        sheet.issue(row, "unknown-requirement", c, "Requires", id=needed, what=what)
        falling.append(row)

    falling: list[_Row] = []
    for row in rows:
        unknown = next((n for n in row.fields.get("requires", ()) if n not in by_id), None)
        if row.valid and unknown is not None:
            invalidate(row, unknown, "any initiative on the Initiatives sheet")
    falling += [row for row in rows if not row.valid]
    while falling:
        gone = falling.pop()
        for row in requirers.get(gone.id, []):
            if row.valid:
                invalidate(row, gone.id, f"a valid initiative (its row {gone.excel_row} is invalid)")


def _initiative(row: _Row, cell: str) -> Initiative:
    f = row.fields
    return Initiative(
        row=row.excel_row,
        cell=cell,
        id=row.id,
        name=f["name"],
        owner=f.get("owner", ""),
        form=f["form"],
        lever_point=f.get("lever_point", "parameter"),
        upfront=f["upfront"],
        maintenance=f.get("maintenance", 0.0),
        maintenance_missing="maintenance" not in f,
        reach=f["reach"],
        value=f["value"],
        growth=f.get("growth", 0.0),
        cap=f.get("cap", math.inf),
        delay=f.get("delay", 0),
        decay=f.get("decay", 0.0),
        quality=f["quality"],
        confidence=f.get("confidence", 1.0),
        notes=f.get("notes", ""),
        decision=f.get("decision", ""),
        start=f.get("start"),
        ranges=row.ranges,
        extra=row.extras,
        requires=f.get("requires", ()),
        group=f.get("group", ""),
    )


def _parse_initiatives(grid: Grid, source: str, settings: Settings):
    sheet = _Sheet(grid, source, settings)
    rows = [sheet.row(r) for r in range(sheet.header + 1, len(grid.rows))
            if not all(is_blank(v) for v in grid.rows[r])]
    _duplicates(sheet, rows)
    _requirements(sheet, rows)
    name_column = sheet.columns["name"]
    id_column = sheet.columns.get("id")
    initiatives, issues = [], []
    for row in rows:
        issues += [dataclasses.replace(i, id=row.id, name=row.fields.get("name", "")) for i in row.issues]
        if row.valid:
            initiatives.append(_initiative(row, grid.address(row.r, name_column if id_column is None else id_column)))
    invalid = sum(not row.valid for row in rows)
    return initiatives, issues, invalid, [h for _, h in sheet.extra]


def _examples_left(initiatives: list[Initiative]) -> list[Issue]:
    """A note when the template's example rows are still there, so they are not taken for the team's own."""
    examples = {(row["ID"], row["Initiative"]) for row in EXAMPLE_ROWS}
    left = [item for item in initiatives if (item.id, item.name) in examples]
    if not left:
        return []
    ids = ", ".join(item.id for item in left)
    return [issue("example-rows", INITIATIVES, left[0].cell, "ID", ids, ids=ids)]


# -- the Settings sheet -------------------------------------------------------

def _setting_value(setting: Setting, value: object, currency: str) -> object:
    name, kind = setting.name, setting.kind
    if kind == "text":
        return read_text(value)
    if kind == "currency":
        return read_text(value).upper()
    if kind == "whole":
        return read_whole(value, name, setting.low, setting.high)
    if kind in BOUNDED:
        return read_bounded(kind, value, name, currency)
    if kind == "rank_by":
        return read_choice(value, name, {header_key(k): k for k in RANK_BY}, RANK_BY)
    if kind == "month":
        return read_month(value, name)
    if kind == "fiscal_month":
        return read_fiscal_month(value, name)
    raise AssertionError(f"unknown setting kind {kind}")


def _parse_settings(grid: Grid | None, default_team: str, source: str,
                    today: datetime.date | None) -> tuple[Settings, list[Issue]]:
    """Settings by name; Currency is read first, as money settings must be in it."""
    settings = Settings(team=default_team, as_of=(today or this_month()).replace(day=1))
    if grid is None:
        return settings, []
    header = find_header(grid, "setting", "value")
    if header is None:
        raise _no_header(source, grid, "'Setting' and 'Value'")
    known = {"setting": ("setting", "Setting"), "value": ("value", "Value")}
    columns, _ = map_headers(grid, header, source, known, ["setting", "value"])
    name_col, value_col = columns["setting"], columns["value"]
    issues: list[Issue] = []
    found: dict[str, object] = {}
    for r in range(header + 1, len(grid.rows)):
        name = grid.value(r, name_col)
        if is_blank(name):
            continue
        setting = SETTING_BY_KEY.get(header_key(name))
        if setting is None:
            issues.append(issue("unknown-setting", grid.name, grid.address(r, name_col), "Setting", name,
                                name=show(name)))
            continue
        where = grid.address(r, value_col)
        if setting.field in found:
            raise BadSetting(f"{source}: {grid.name}!{where}: {setting.name} is set twice "
                             f"(also at {settings.cells[setting.field]}); keep one")
        settings.cells[setting.field] = where
        found[setting.field] = grid.value(r, value_col)
    for setting in SETTINGS:
        if setting.field not in found:
            continue
        value = found[setting.field]
        try:
            bad = cell_problem(value, setting.name)
            if bad is not None:
                raise bad
            if not is_blank(value):
                setattr(settings, setting.field, _setting_value(setting, value, settings.currency))
        except CellError as bad:
            raise BadSetting(f"{source}: {grid.name}!{settings.cells[setting.field]}: {bad}") from None
        if has_unprintable(value):
            issues.append(issue("text-cleaned", grid.name, settings.cells[setting.field], setting.name, value,
                                what=setting.name))
    if not settings.team:
        settings.team = default_team
    return settings, issues


# -- the Actuals sheet ----------------------------------------------------------

ACTUALS_COLUMNS = (("ID", "ID"), ("Month", "month"), ("Gross value", "gross value"), ("Spend", "spend"))


@dataclass
class _Entry:
    """One Actuals row as read."""

    r: int
    initiative: int | None = None
    t: int | None = None
    month: datetime.date | None = None
    gross: float | None = None
    spend: float | None = None


class _ActualsSheet:
    """Reads the Actuals rows; every bad cell becomes an Issue naming the initiative of its row."""

    def __init__(self, grid: Grid, initiatives: list[Initiative], settings: Settings, source: str):
        self.grid, self.initiatives, self.settings = grid, initiatives, settings
        header = find_header(grid, "id", "month")
        if header is None:
            raise _no_header(source, grid, "'ID' and 'Month' columns")
        known = {h.casefold(): (h, h) for h, _ in ACTUALS_COLUMNS}
        found, _ = map_headers(grid, header, source, known, [h for h, _ in ACTUALS_COLUMNS])
        self.header = header
        self.columns = [found[h] for h, _ in ACTUALS_COLUMNS]
        self.by_id = {item.id: i for i, item in enumerate(initiatives)}
        self.problems: dict[int, list[Issue]] = {}  # grid row -> its issues
        self._seen: tuple[dict, dict] = ({}, {})  # (type, value) -> what was made of it, for IDs and months

    def _add(self, r: int, k: int, item: int | None, code: str, message: str) -> None:
        value = self.grid.value(r, self.columns[k])
        who = {} if item is None else {"id": self.initiatives[item].id, "name": self.initiatives[item].name}
        self.problems.setdefault(r, []).append(Issue(
            code, self.grid.name, self.grid.address(r, self.columns[k]), ACTUALS_COLUMNS[k][0],
            "" if value is None else show(value), message, **who))

    def _flag(self, r: int, k: int, item: int | None, code: str, **fields: object) -> None:
        self._add(r, k, item, code, CODES[code].sentence(**fields))

    def _read(self, r: int, k: int) -> tuple[object, CellError | None]:
        """Cell k of ACTUALS_COLUMNS in row r as (value read, None), or (None, what is wrong)."""
        value = self.grid.value(r, self.columns[k])
        name = ACTUALS_COLUMNS[k][1]
        if k >= 2 and value.__class__ is float and (number := PLAIN["money"](value)) is not None:
            return number, None  # the usual amount
        if k < 2:  # IDs and months repeat row after row: read each distinct one once
            key = (type(value), value)
            if key not in self._seen[k]:
                self._seen[k][key] = self._rule(k, value, name)
            return self._seen[k][key]
        return self._rule(k, value, name)

    def _rule(self, k: int, value: object, name: str) -> tuple[object, CellError | None]:
        bad = cell_problem(value, name) or (CellError("required", name=name) if is_blank(value) else None)
        if bad is not None:
            return None, bad
        try:
            if k == 0:
                return read_text(value), None
            if k == 1:
                return read_month(value, name), None
            return read_bounded("money", value, name, self.settings.currency), None
        except CellError as error:
            return None, error

    def entry(self, r: int) -> _Entry:
        """One row: its cells read, its initiative and month index found, each problem flagged."""
        cells = [self._read(r, k) for k in range(len(ACTUALS_COLUMNS))]
        text, month = cells[0][0], cells[1][0]
        item = self.by_id.get(text) if isinstance(text, str) else None
        for k, (_, bad) in enumerate(cells):
            if bad is not None:
                self._add(r, k, item, bad.code, str(bad))
        entry = _Entry(r, month=month if isinstance(month, datetime.date) else None)
        entry.gross, entry.spend = (v if isinstance(v, float) else None for v, _ in cells[2:])
        if isinstance(text, str) and item is None:
            self._flag(r, 0, None, "unknown-id", id=text)
        elif item is not None and self.initiatives[item].start is None:
            self._flag(r, 0, item, "no-start", id=text)
        elif item is not None and entry.month is not None:
            self._place(entry, item)
        return entry

    def _place(self, entry: _Entry, item: int) -> None:
        """The row's month index t in its initiative's timeline, if within 1..H and not after As of."""
        assert entry.month is not None
        start = self.initiatives[item].start
        assert start is not None
        t = months_between(start, entry.month) + 1
        item_id, horizon, as_of = self.initiatives[item].id, self.settings.horizon, self.settings.as_of
        if not 1 <= t <= horizon:
            side = "before its Start" if t < 1 else f"beyond the {horizon}-month horizon"
            self._flag(entry.r, 1, item, "outside-horizon", month=f"{entry.month:%Y-%m}", t=t, id=item_id,
                       start=f"{start:%Y-%m}", side=side)
        elif entry.month > as_of:
            self._flag(entry.r, 1, item, "after-as-of", month=f"{entry.month:%Y-%m}", as_of=f"{as_of:%Y-%m}")
        else:
            entry.initiative, entry.t = item, t

    def duplicates(self, entries: list[_Entry]) -> None:
        """Two or more rows for one initiative and month: the Month cell of each is flagged, all left out."""
        dated: dict[tuple[int, int], list[_Entry]] = {}
        for entry in entries:
            if entry.initiative is not None and entry.t is not None:
                dated.setdefault((entry.initiative, entry.t), []).append(entry)
        for (item, t), group in dated.items():
            if len(group) > 1:
                first = group[0]
                assert first.month is not None
                for entry in group:
                    self._flag(entry.r, 1, item, "duplicate-month", id=self.initiatives[item].id, count=len(group),
                               month=f"{first.month:%Y-%m}", t=t,
                               first=self.grid.address(first.r, self.columns[1]))


def read_actuals(grid: Grid | None, initiatives: list[Initiative], settings: Settings,
                 source: str = "") -> tuple[Actuals, list[Issue]]:
    """The Actuals sheet's valid rows, and an Issue for every cell at fault (docs/model.md section 7).

    A row's month index is t = (Month's month − Start's month) + 1, valid for
    1 ≤ t ≤ H and a Month not after As of. A row is left out when its ID is
    not a valid initiative's or that initiative has no Start (the ID cell), t
    is out of bounds (the Month cell), a cell breaks its kind, or another row
    with a valid ID and Month names the same initiative and month (the Month
    cell of each such row). No sheet, or an empty one, means no actuals; a
    sheet without the ID, Month, Gross value and Spend headers raises
    BadSheet (`source` names the file in that message).

    >>> item = Initiative(7, "A", "Reports", "", "code", "parameter", 100.0, 10.0, False, 5.0, 10.0,
    ...                   0.0, math.inf, 0, 0.0, 4, 1.0, "", start=datetime.date(2025, 1, 1))
    >>> grid = Grid("Actuals", [["ID", "Month", "Gross value", "Spend"], ["A", "2025-02", 45, 10],
    ...                         ["B", "2025-02", 45, 10], ["A", "2025-03", -5, 10]])
    >>> actuals, issues = read_actuals(grid, [item], Settings("t", horizon=12, as_of=datetime.date(2025, 6, 1)))
    >>> actuals.month.tolist(), actuals.gross.tolist()
    ([2], [45.0])
    >>> for found in issues:
    ...     print(found)
    Actuals!A3: ID 'B' is not the ID of a valid initiative on the Initiatives sheet
    Actuals!C4: gross value -5 is negative; enter 0 or more
    """
    if grid is None or all(is_blank(v) for row in grid.rows for v in row):
        return Actuals.empty(), []
    sheet = _ActualsSheet(grid, initiatives, settings, source)
    entries = [sheet.entry(r) for r in range(sheet.header + 1, len(grid.rows))
               if not all(is_blank(grid.value(r, c)) for c in sheet.columns)]
    sheet.duplicates(entries)
    valid = [e for e in entries if e.r not in sheet.problems and e.initiative is not None]
    actuals = Actuals(
        np.fromiter((e.initiative for e in valid), int, len(valid)),
        np.fromiter((e.t for e in valid), int, len(valid)),
        np.fromiter((e.gross for e in valid), float, len(valid)),
        np.fromiter((e.spend for e in valid), float, len(valid)),
    )
    return actuals, [found for r in sorted(sheet.problems) for found in sheet.problems[r]]


# -- a workbook's sheets ----------------------------------------------------------

def _find_sheet(sheets: dict[str, Grid], name: str) -> Grid | None:
    return next((g for key, g in sheets.items() if key.casefold() == name.casefold()), None)


def parse_sheets(sheets: dict[str, Grid], source: str, default_team: str, today: datetime.date | None = None) -> Plan:
    """Validate a workbook's sheets (by sheet name) into a Plan: Initiatives, Settings, and Actuals if present.

    Invalid cells become `Issue`s and their rows are left out of the ranking;
    a missing Initiatives sheet or column, or a bad setting, raises
    (`BadSheet`, `BadSetting`) before anything is written. `today` stands in
    for the current date (As of, when the workbook does not set it).
    """
    initiatives_grid = _find_sheet(sheets, INITIATIVES)
    if initiatives_grid is None:
        raise BadSheet(f"{source}: has no {INITIATIVES} sheet (it has {', '.join(sheets) or 'no sheets'}); "
                       f"start from `leverkit template`")
    settings, setting_issues = _parse_settings(_find_sheet(sheets, SETTINGS_SHEET), default_team, source, today)
    initiatives, issues, invalid, extra = _parse_initiatives(initiatives_grid, source, settings)
    plan = Plan(source, settings, initiatives, setting_issues + issues + _examples_left(initiatives), extra, invalid)
    actuals_grid = _find_sheet(sheets, ACTUALS)
    if actuals_grid is not None:
        plan.actuals, actual_issues = read_actuals(actuals_grid, initiatives, settings, source)
        plan.issues += actual_issues
    return plan


# -- files on disk ------------------------------------------------------------

READ = (INITIATIVES, SETTINGS_SHEET, ACTUALS)


def _with_faults(grid: Grid, faults: dict[tuple[int, int], str]) -> Grid:
    """The grid with each faulty cell (an error value, a formula with no saved value) in place of its blank."""
    if not faults:
        return grid
    top = min([grid.top] + [r for r, _ in faults]) if grid.rows else min(r for r, _ in faults)
    left = min([grid.left] + [c for _, c in faults]) if grid.rows else min(c for _, c in faults)
    height = max([grid.top + len(grid.rows)] + [r + 1 for r, _ in faults]) - top
    width = max([grid.left + max(map(len, grid.rows), default=0)] + [c + 1 for _, c in faults]) - left
    rows: list[list[Any]] = [[None] * width for _ in range(height)]
    for r, row in enumerate(grid.rows):
        rows[grid.top - top + r][grid.left - left: grid.left - left + len(row)] = row
    for (r, c), fault in faults.items():
        rows[r - top][c - left] = fault
    return Grid(grid.name, rows, top, left)


def read_grids(data: bytes, source: str) -> dict[str, Grid]:
    """The sheets leverkit reads from a .xlsx or .xlsm file's bytes, as cell values with addresses.

    The package is checked first (`package.Package`); other sheets are
    listed by name only, for messages; `source` names the file in them.
    """
    package = Package(data, source)
    wanted = [name for name in package.sheets if name.casefold() in {n.casefold() for n in READ}]
    faults = {name: package.cells(name) for name in wanted}

    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = {}
        for name in wanted:
            sheet = book.get_sheet_by_name(name)
            top, left = sheet.start or (0, 0)
            grids[name] = _with_faults(Grid(name, sheet.to_python(), top, left), faults[name])
    except Exception as exc:
        raise Damaged(f"{source}: is damaged and could not be read as a workbook ({reason(exc)})") from None
    grids.update({name: Grid(name, []) for name in package.sheets if name not in grids})
    return grids


def read_bytes(data: bytes, source: str, default_team: str, today: datetime.date | None = None) -> Plan:
    """Read and validate a workbook held in memory; `source` names it in messages."""
    plan = parse_sheets(read_grids(data, source), source, default_team, today)
    plan.sha256 = hashlib.sha256(data).hexdigest()
    return plan


def read_file(path: Path) -> bytes:
    if path.is_dir():
        raise NotAWorkbook(f"{path}: is a folder; to rank every workbook in it, run leverkit batch {path}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise NotAWorkbook(f"{path}: cannot be opened ({exc.strerror or exc})") from None


def read_workbook(path: str | Path, today: datetime.date | None = None) -> Plan:
    """Read and validate a team's .xlsx or .xlsm file."""
    path = Path(path)
    return read_bytes(read_file(path), str(path), path.stem, today)
