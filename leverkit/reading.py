"""From rows of cell values with their addresses to a validated Plan.

`parse_sheets` is the single path from cell values to initiatives and
settings; `read_workbook` (files on disk) and the Excel button (sheets of the
open workbook) both feed it, so they validate identically.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import math
import re
import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

from .issues import Issue, LeverkitError, cell_address, has_unprintable, one_line, printable, show
from .package import TEXT_LIMIT, ExcelError, Package, Uncached, is_fault, reason
from .plan import Initiative, Plan, Settings
from .schema import (
    COLUMN_BY_KEY,
    COLUMNS,
    DECISIONS,
    EXAMPLE_ROWS,
    FORM_ALIASES,
    FORMS,
    LEVER_POINTS,
    RANK_BY,
    SETTING_BY_KEY,
    Column,
    Setting,
    header_key,
)

INITIATIVES = "Initiatives"
SETTINGS = "Settings"
ACTUALS = "Actuals"
HEADER_SEARCH_ROWS = 10

_CURRENCY = r"(?:[A-Z]{3}|[$€£¥])"
_NUMBER = re.compile(
    rf"^(?P<sign>[-+])?\s*{_CURRENCY}?\s*(?P<num>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|\.\d+)\s*{_CURRENCY}?$"
)
_PERCENT = re.compile(r"^(?P<num>[-+]?(?:\d+(?:\.\d+)?|\.\d+))\s*%$")
CLEANED = ("{what} had control characters, which no workbook can store; "
           "they were left out of everything leverkit wrote")
LARGEST = 1e15  # no amount in a plan comes near this; beyond it, figures could outgrow a float
_DATES = (datetime.date, datetime.time, datetime.timedelta)


@dataclass(frozen=True)
class Grid:
    """A sheet's cell values as read, and where they sit in the sheet."""

    name: str
    rows: list[list[object]]
    top: int = 0
    left: int = 0

    def address(self, r: int, c: int) -> str:
        return cell_address(self.top + r, self.left + c)


class CellError(ValueError):
    """A cell breaks a rule; carries the issue code and the sentence."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip() and not is_fault(value))


def cell_problem(value: object, name: str) -> CellError | None:
    """What makes a cell unreadable whatever its column: an Excel error, a formula with no saved value,
    or more text than Excel itself allows in a cell."""
    if isinstance(value, ExcelError):
        return CellError("excel-error", f"{name} holds the Excel error {value}; fix the formula or type a value")
    if isinstance(value, Uncached):
        return CellError("formula-without-value",
                         f"{name} is a formula with no saved value (the file was saved by a program that does not "
                         f"calculate); open it in Excel or LibreOffice, save it, and run again")
    if isinstance(value, str) and len(value) >= TEXT_LIMIT:  # readers cut longer text to the limit
        return CellError("too-long", f"{name} is {len(value):,} characters long, at or past the {TEXT_LIMIT:,} "
                                     f"Excel allows in a cell; shorten it")
    return None


@functools.lru_cache(maxsize=1024)
def label(header: str) -> str:
    """`Growth / month` -> `growth`: how a column is named in messages."""
    return re.sub(r"\s*(/ month|\(.*\))$", "", header).lower()


# -- cell rules (docs/model.md section 1, "How a cell is read") -----------------

def read_number(value: object, name: str) -> float:
    if isinstance(value, bool):
        raise CellError("not-a-number", f"{name} {value} is TRUE/FALSE; enter a number")
    if isinstance(value, _DATES):
        raise CellError("not-a-number", f"{name} {value} is a date or time; enter a number")
    if isinstance(value, (int, float)):
        number = float(value) if not isinstance(value, int) or abs(value) < 10**300 else math.inf
    else:
        match = _NUMBER.match(str(value).strip())
        if not match:
            raise CellError("not-a-number", f"{name} {one_line(show(value), 60)!r} is not a number")
        number = float(match["num"].replace(",", ""))
        number = -number if match["sign"] == "-" else number
    if not math.isfinite(number) or abs(number) > LARGEST:
        raise CellError("too-large", f"{name} {one_line(show(value), 40)} is beyond {LARGEST:,.0f}; no plan needs "
                                     f"amounts that large, so check the units")
    return number


def _percent(value: object, name: str) -> float:
    if isinstance(value, str) and (match := _PERCENT.match(value.strip())):
        return float(match["num"]) / 100
    number = read_number(value, name)
    if abs(number) > 1:
        raise CellError(
            "percent-as-number",
            f"{name} {show(value)} looks like a percent; enter {show(value)}% or {number / 100:g}",
        )
    return number


def _whole(value: object, name: str, low: float | None, high: float | None) -> int:
    number = read_number(value, name)
    in_bounds = (low is None or number >= low) and (high is None or number <= high)
    if not number.is_integer() or not in_bounds:
        span = (
            f"from {show(low)} to {show(high)}" if high is not None
            else f"{show(low)} or more" if low is not None else ""
        )
        raise CellError("out-of-range", f"{name} {show(value)} must be a whole number {span}".rstrip())
    return int(number)


_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?$")


def read_month(value: object, name: str) -> datetime.date:
    """A calendar month, as the first day of it: a date cell (any day), or text `YYYY-MM` / `YYYY-MM-DD`.

    >>> read_month("2025-03", "start"), read_month(datetime.datetime(2025, 3, 17, 9), "start")
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1))
    """
    if isinstance(value, (datetime.date, datetime.datetime)):
        return datetime.date(value.year, value.month, 1)
    match = _MONTH.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise CellError("not-a-date", f"{name} {show(value)!r} is not a date; enter a date, or text such as 2025-03")
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"] or 1)
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise CellError("not-a-date", f"{name} {value.strip()!r} is not a date that exists") from None
    return datetime.date(year, month, 1)


def _text(value: object) -> str:
    return show(value).strip()


def _choice(value: object, name: str, allowed: dict[str, str], listed: tuple[str, ...]) -> str:
    key = header_key(value)
    if key not in allowed:
        raise CellError("not-a-choice", f"{name} {str(value)!r} is not one of {', '.join(listed)}")
    return allowed[key]


# kind -> (how to read it, what is allowed, what to say otherwise)
BOUNDED = {
    "money": (read_number, lambda x: x >= 0, "is negative; enter 0 or more"),
    "cap": (read_number, lambda x: x > 0, "must be above 0 (leave it blank for no cap)"),
    "percent": (_percent, lambda x: x > -1, "must be above -100%"),
    "decay": (_percent, lambda x: 0 <= x < 1, "must be from 0% up to (not including) 100%"),
    "confidence": (_percent, lambda x: 0 < x <= 1, "must be above 0% and at most 100%"),
    "rate": (_percent, lambda x: 0 <= x <= 1, "must be from 0% to 100%"),
    "threshold": (read_number, lambda x: x > 1, "must be more than 1"),
    "money_or_none": (read_number, lambda x: x >= 0, "is negative; enter 0 or more, or leave it blank"),
}


def read_bounded(kind: str, value: object, name: str) -> float:
    read, allowed, problem = BOUNDED[kind]
    number = read(value, name)
    if not allowed(number):
        raise CellError("out-of-range", f"{name} {show(value)} {problem}")
    return number


WHOLE = {"whole": (0, None), "quality": (1, 5)}  # the Initiatives columns' whole-number kinds -> lowest, highest


def _plain(kind: str):
    """How a cell holding a float is read when its column's rule takes it as it is, in one step: the value,
    or None when the rule might refuse it, so that the full rule runs and names the problem.

    Most cells of a plan are such floats; the full rules (`read_bounded`, `_whole`) read them the same. Only
    an exact float qualifies: anything else (a bool, a date, text, an Excel error) has rules of its own.
    """
    if kind in WHOLE:
        low, high = WHOLE[kind]
        high = LARGEST if high is None else high
        return lambda x: int(x) if x.is_integer() and low <= x <= high else None
    read, allowed, _ = BOUNDED[kind]
    limit = 1 if read is _percent else LARGEST
    return lambda x: x if abs(x) <= limit and allowed(x) else None


PLAIN = {kind: _plain(kind) for kind in (*BOUNDED, *WHOLE)}


def _scalar(column: Column, value: object) -> object:
    """One cell of an initiative column, validated; ranges are handled by `_cell`."""
    name, kind = label(column.header), column.kind
    if kind in ("id", "text"):
        return _text(value)
    if kind == "name":
        text = _text(value)
        if len(text) > 200:
            raise CellError("too-long", f"initiative name is {len(text)} characters; keep it to 200")
        return text
    if kind == "form":
        return _choice(value, name, FORM_ALIASES, FORMS)
    if kind == "lever_point":
        return _choice(value, name, {p: p for p in LEVER_POINTS}, LEVER_POINTS)
    if kind == "decision":
        return _choice(value, name, {d: d for d in DECISIONS}, DECISIONS)
    if kind == "month":
        return read_month(value, name)
    if kind in BOUNDED:
        return read_bounded(kind, value, name)
    if kind in WHOLE:
        return _whole(value, name, *WHOLE[kind])
    raise AssertionError(f"unknown column kind {kind}")


def median_of_range(low: float, high: float) -> float:
    """The median of a 90% interval: lognormal when low > 0, else normal (docs/model.md section 4)."""
    if low == high:
        return low
    return math.sqrt(low) * math.sqrt(high) if low > 0 else low / 2 + high / 2


def _range(text: str) -> tuple[str, str] | None:
    """`LOW to HIGH` split at its word `to`, in linear time whatever the text."""
    words = text.split()
    at = next((i for i, word in enumerate(words) if word.casefold() == "to"), None)
    if at is None or at == 0 or at == len(words) - 1:
        return None
    return " ".join(words[:at]), " ".join(words[at + 1:])


def _cell(column: Column, value: object) -> tuple[object, tuple[float, float] | None]:
    """A validated cell value and, for a `LOW to HIGH` range, its bounds."""
    if column.ranged and isinstance(value, str) and (bounds := _range(value)):
        low, high = _scalar(column, bounds[0]), _scalar(column, bounds[1])
        if low > high:
            raise CellError("range-reversed", f"{label(column.header)} range {one_line(value, 60)!r} runs high to low; "
                                              f"write LOW to HIGH")
        return median_of_range(low, high), (low, high)
    return _scalar(column, value), None


# -- the Initiatives sheet ----------------------------------------------------

def find_header(grid: Grid, *wanted: str) -> int | None:
    """The first of the top rows whose cells include every `wanted` header key."""
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if set(wanted) <= {header_key(v) for v in row if not is_blank(v)}:
            return r
    return None


def column_twice(where: str, grid: Grid, r: int, c: int, first: int, header: str) -> LeverkitError:
    """A header row naming one column twice; `where` is the message's prefix naming the file."""
    return LeverkitError(f"{where}{grid.name}!{grid.address(r, c)}: the column {header!r} appears twice "
                         f"(also at {grid.address(r, first)}); keep one")


def columns_missing(where: str, grid: Grid, r: int, missing: list[str]) -> LeverkitError:
    """A header row without required columns."""
    return LeverkitError(f"{where}{grid.name} sheet has no {', '.join(repr(m) for m in missing)} "
                         f"column{'s' if len(missing) > 1 else ''} in its header row {grid.top + r + 1}")


def _map_columns(grid: Grid, r: int, source: str) -> tuple[dict[str, int], list[tuple[int, str]]]:
    known: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    for c, value in enumerate(grid.rows[r]):
        if is_blank(value):
            continue
        column = COLUMN_BY_KEY.get(header_key(value))
        if column is None:
            extra.append((c, _text(value)))
        elif column.field in known:
            raise column_twice(f"{source}: ", grid, r, c, known[column.field], column.header)
        else:
            known[column.field] = c
    missing = [c.header for c in COLUMNS if c.required and c.field not in known]
    if missing:
        raise columns_missing(f"{source}: ", grid, r, missing)
    return known, extra


def _parse_row(grid: Grid, r: int, known: dict[str, int], extra: list[tuple[int, str]], headers: dict[int, str]):
    """One row -> (fields, ranges, extras, issues); `headers` names the sheet's columns by position."""
    row = grid.rows[r]
    fields: dict[str, object] = {}
    ranges: dict[str, tuple[float, float]] = {}
    issues: list[Issue] = []

    def issue(code: str, c: int, header: str, value: object, message: str) -> None:
        issues.append(Issue(code, grid.name, grid.address(r, c), header, show(value), message))

    def problem(c: int | None, header: str) -> bool:
        """Name a cell no column rule can read; True if it was one."""
        value = row[c] if c is not None and c < len(row) else None
        bad = cell_problem(value, label(header))
        if bad is not None:
            issue(bad.code, c, header, value, str(bad))
        return bad is not None

    for column in COLUMNS:
        c = known.get(column.field)
        value = row[c] if c is not None and c < len(row) else None
        if value.__class__ is float and (read := PLAIN.get(column.kind)) and (number := read(value)) is not None:
            fields[column.field] = number
            continue
        if problem(c, column.header):
            continue
        if is_blank(value):
            if column.required:
                issue("required", c, column.header, "", f"{label(column.header)} is required")
            continue
        try:
            fields[column.field], bounds = _cell(column, value)
        except CellError as bad:
            issue(bad.code, c, column.header, value, str(bad))
            continue
        if bounds is not None:
            ranges[column.field] = bounds
    extras = {header: printable(row[c]) if isinstance(row[c], str) else row[c] for c, header in extra
              if c < len(row) and not problem(c, header) and not is_blank(row[c])}
    for c, value in enumerate(row):
        if has_unprintable(value) and c in headers:
            issue("text-cleaned", c, headers[c], value, CLEANED.format(what=label(headers[c])))
    return fields, ranges, extras, issues


def _initiative(excel_row: int, cell: str, fields: dict, ranges: dict, extras: dict) -> Initiative:
    return Initiative(
        row=excel_row,
        cell=cell,
        id=fields.get("id") or f"R{excel_row}",
        name=fields["name"],
        owner=fields.get("owner", ""),
        form=fields["form"],
        lever_point=fields.get("lever_point", "parameter"),
        upfront=fields["upfront"],
        maintenance=fields.get("maintenance", 0.0),
        maintenance_missing="maintenance" not in fields,
        reach=fields["reach"],
        value=fields["value"],
        growth=fields.get("growth", 0.0),
        cap=fields.get("cap", math.inf),
        delay=fields.get("delay", 0),
        decay=fields.get("decay", 0.0),
        quality=fields["quality"],
        confidence=fields.get("confidence", 1.0),
        notes=fields.get("notes", ""),
        decision=fields.get("decision", ""),
        start=fields.get("start"),
        ranges=ranges,
        extra=extras,
    )


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
    return size + (horizon - 1) * math.log10(1 + growth) > 200


def _parse_initiatives(grid: Grid, source: str, horizon: int):
    header = find_header(grid, "initiative")
    if header is None:
        raise LeverkitError(
            f"{source}: {grid.name} sheet has no header row with an 'Initiative' column "
            f"in its first {HEADER_SEARCH_ROWS} rows"
        )
    known, extra = _map_columns(grid, header, source)
    headers = {**{c: column.header for column in COLUMNS if (c := known.get(column.field)) is not None}, **dict(extra)}
    parsed = []
    for r in range(header + 1, len(grid.rows)):
        row = grid.rows[r]
        if all(is_blank(v) for v in row):
            continue
        fields, ranges, extras, issues = _parse_row(grid, r, known, extra, headers)
        if not issues and _overflow(fields, ranges, horizon):
            c = known["growth"]
            issues.append(Issue("overflow", grid.name, grid.address(r, c), "Growth / month", show(row[c]),
                                f"growth of {show(row[c])} a month for {horizon} months with no cap "
                                f"grows past any real number; set a Reach cap"))
        parsed.append((r, fields, ranges, extras, issues))

    id_column = known.get("id")
    seen: dict[str, list[int]] = {}
    for i, (r, fields, *_rest) in enumerate(parsed):
        if "id" in fields:
            seen.setdefault(fields["id"].casefold(), []).append(i)
    for rows in seen.values():
        if len(rows) > 1:
            shown = ", ".join(grid.address(parsed[j][0], id_column) for j in rows[:3])
            more = f" and {len(rows) - 3:,} more" if len(rows) > 3 else ""
            for i in rows:
                r, fields, _, _, issues = parsed[i]
                issues.append(Issue("duplicate-id", grid.name, grid.address(r, id_column), "ID", fields["id"],
                                    f"ID {fields['id']!r} is used on {len(rows):,} rows ({shown}{more}); "
                                    f"give each initiative its own ID"))

    name_column = known["name"]
    initiatives, issues, invalid = [], [], 0
    for r, fields, ranges, extras, row_issues in parsed:
        excel_row = grid.top + r + 1
        issues.extend(dataclasses.replace(issue, id=fields.get("id") or f"R{excel_row}", name=fields.get("name", ""))
                      for issue in row_issues)
        if any(issue.invalidates for issue in row_issues):
            invalid += 1
        else:
            cell = grid.address(r, name_column if id_column is None else id_column)
            initiatives.append(_initiative(excel_row, cell, fields, ranges, extras))
    return initiatives, issues, invalid, [h for _, h in extra]


# -- the Settings sheet -------------------------------------------------------

def _setting_value(setting: Setting, value: object) -> object:
    name = setting.name
    kind = setting.kind
    if kind == "text":
        return _text(value)
    if kind == "whole":
        return _whole(value, name, setting.low, setting.high)
    if kind in BOUNDED:
        return read_bounded(kind, value, name)
    if kind == "rank_by":
        return _choice(value, name, {header_key(k): k for k in RANK_BY}, RANK_BY)
    raise AssertionError(f"unknown setting kind {kind}")


def _parse_settings(grid: Grid | None, default_team: str, source: str) -> tuple[Settings, list[Issue]]:
    settings = Settings(team=default_team)
    if grid is None:
        return settings, []
    header = find_header(grid, "setting")
    columns = {header_key(v): c for c, v in enumerate(grid.rows[header]) if not is_blank(v)} if header is not None else {}
    if "value" not in columns:
        raise LeverkitError(
            f"{source}: {grid.name} sheet needs a header row with 'Setting' and 'Value' "
            f"in its first {HEADER_SEARCH_ROWS} rows"
        )
    name_col, value_col = columns["setting"], columns["value"]
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    for r in range(header + 1, len(grid.rows)):
        row = grid.rows[r]
        name = row[name_col] if name_col < len(row) else None
        if is_blank(name):
            continue
        setting = SETTING_BY_KEY.get(header_key(name))
        if setting is None:
            issues.append(Issue("unknown-setting", grid.name, grid.address(r, name_col), "Setting", show(name),
                                f"setting {show(name)!r} is not one leverkit knows; it was ignored"))
            continue
        where = f"{source}: {grid.name}!{grid.address(r, value_col)}"
        if setting.field in seen:
            raise LeverkitError(f"{where}: {setting.name} is set twice (also at {seen[setting.field]}); keep one")
        seen[setting.field] = settings.cells[setting.field] = grid.address(r, value_col)
        value = row[value_col] if value_col < len(row) else None
        try:
            bad = cell_problem(value, setting.name)
            if bad is not None:
                raise bad
            if is_blank(value):
                continue
            setattr(settings, setting.field, _setting_value(setting, value))
        except CellError as bad:
            raise LeverkitError(f"{where}: {one_line(str(bad))}") from None
        if has_unprintable(value):
            issues.append(Issue("text-cleaned", grid.name, grid.address(r, value_col), setting.name, show(value),
                                CLEANED.format(what=setting.name)))
    if not settings.team:
        settings.team = default_team
    return settings, issues


def _find_sheet(sheets: dict[str, Grid], name: str) -> Grid | None:
    return next((g for key, g in sheets.items() if key.casefold() == name.casefold()), None)


def _examples_left(initiatives: list[Initiative]) -> list[Issue]:
    """A note when the template's example rows are still there, so they are not taken for the team's own."""
    examples = {(row["ID"], row["Initiative"]) for row in EXAMPLE_ROWS}
    left = [item for item in initiatives if (item.id, item.name) in examples]
    if not left:
        return []
    ids = ", ".join(item.id for item in left)
    return [Issue("example-rows", INITIATIVES, left[0].cell, "ID", ids,
                  f"the template's example rows ({ids}) are still here and are ranked like the team's own; "
                  f"overwrite or delete them")]


def parse_sheets(sheets: dict[str, Grid], source: str, default_team: str) -> Plan:
    """Validate a workbook's sheets (by sheet name) into a Plan: Initiatives, Settings, and Actuals if present.

    Invalid cells become `Issue`s and their rows are left out of the ranking;
    a missing Initiatives sheet or column, or a bad setting, raises
    `LeverkitError` before anything is written.
    """
    initiatives_grid = _find_sheet(sheets, INITIATIVES)
    if initiatives_grid is None:
        raise LeverkitError(
            f"{source}: has no {INITIATIVES} sheet (it has {', '.join(sheets) or 'no sheets'}); "
            f"start from `leverkit template`"
        )
    settings, setting_issues = _parse_settings(_find_sheet(sheets, SETTINGS), default_team, source)
    initiatives, issues, invalid, extra = _parse_initiatives(initiatives_grid, source, settings.horizon)
    plan = Plan(source, settings, initiatives, setting_issues + issues + _examples_left(initiatives), extra, invalid)
    actuals_grid = _find_sheet(sheets, ACTUALS)
    if actuals_grid is not None:
        from .tracking import read_actuals

        plan.actuals, actual_issues = read_actuals(actuals_grid, initiatives, settings.horizon, source=source)
        plan.issues += actual_issues
    return plan


# -- files on disk ------------------------------------------------------------

READ = (INITIATIVES, SETTINGS, ACTUALS)


def _with_faults(grid: Grid, faults: dict[tuple[int, int], str]) -> Grid:
    """The grid with each faulty cell (an error value, a formula with no saved value) in place of its blank."""
    if not faults:
        return grid
    top = min([grid.top] + [r for r, _ in faults]) if grid.rows else min(r for r, _ in faults)
    left = min([grid.left] + [c for _, c in faults]) if grid.rows else min(c for _, c in faults)
    height = max([grid.top + len(grid.rows)] + [r + 1 for r, _ in faults]) - top
    width = max([grid.left + max(map(len, grid.rows), default=0)] + [c + 1 for _, c in faults]) - left
    rows = [[None] * width for _ in range(height)]
    for r, row in enumerate(grid.rows):
        rows[grid.top - top + r][grid.left - left: grid.left - left + len(row)] = row
    for (r, c), fault in faults.items():
        rows[r - top][c - left] = fault
    return Grid(grid.name, rows, top, left)


def read_grids(data: bytes, source) -> dict[str, Grid]:
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
        raise LeverkitError(f"{source}: is damaged and could not be read as a workbook ({reason(exc)})") from None
    grids.update({name: Grid(name, []) for name in package.sheets if name not in grids})
    return grids


def read_bytes(data: bytes, source: str, default_team: str) -> Plan:
    """Read and validate a workbook held in memory; `source` names it in messages."""
    plan = parse_sheets(read_grids(data, source), source, default_team)
    plan.sha256 = hashlib.sha256(data).hexdigest()
    return plan


def read_file(path: Path) -> bytes:
    if path.is_dir():
        raise LeverkitError(f"{path}: is a folder; to rank every workbook in it, run leverkit batch {path}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LeverkitError(f"{path}: cannot be opened ({exc.strerror or exc})") from None


def read_workbook(path: str | Path) -> Plan:
    """Read and validate a team's .xlsx or .xlsm file."""
    path = Path(path)
    return read_bytes(read_file(path), str(path), path.stem)
