"""From rows of cell values with their addresses to a validated Plan.

`parse_sheets` is the single path from cell values to initiatives and
settings; `read_workbook` (files on disk) and the Excel button (sheets of the
open workbook) both feed it, so they validate identically.
"""
from __future__ import annotations

import datetime
import io
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from xlsxwriter.utility import xl_rowcol_to_cell

from .issues import Issue, LeverkitError, show
from .plan import Initiative, Plan, Settings
from .schema import (
    COLUMN_BY_KEY,
    COLUMNS,
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
HEADER_SEARCH_ROWS = 10

_CURRENCY = r"(?:[A-Z]{3}|[$€£¥])"
_NUMBER = re.compile(
    rf"^(?P<sign>[-+])?\s*{_CURRENCY}?\s*(?P<num>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|\.\d+)\s*{_CURRENCY}?$"
)
_PERCENT = re.compile(r"^(?P<num>[-+]?(?:\d+(?:\.\d+)?|\.\d+))\s*%$")
_RANGE = re.compile(r"^(?P<low>.+?)\s+to\s+(?P<high>.+)$", re.IGNORECASE)
_DATES = (datetime.date, datetime.time, datetime.timedelta)


@dataclass(frozen=True)
class Grid:
    """A sheet's cell values as read, and where they sit in the sheet."""

    name: str
    rows: list[list[object]]
    top: int = 0
    left: int = 0

    def address(self, r: int, c: int) -> str:
        return xl_rowcol_to_cell(self.top + r, self.left + c)


class _Bad(ValueError):
    """A cell breaks a rule; carries the issue code and the sentence."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def label(header: str) -> str:
    """`Growth / month` -> `growth`: how a column is named in messages."""
    return re.sub(r"\s*(/ month|\(.*\))$", "", header).lower()


# -- cell rules (MODEL.md section 1, "Cell values") --------------------------

def _number(value: object, name: str) -> float:
    if isinstance(value, bool):
        raise _Bad("not-a-number", f"{name} {value} is TRUE/FALSE; enter a number")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise _Bad("not-a-number", f"{name} {value} is not a finite number")
        return float(value)
    if isinstance(value, _DATES):
        raise _Bad("not-a-number", f"{name} {value} is a date or time; enter a number")
    match = _NUMBER.match(str(value).strip())
    if not match:
        raise _Bad("not-a-number", f"{name} {str(value)!r} is not a number")
    number = float(match["num"].replace(",", ""))
    return -number if match["sign"] == "-" else number


def _percent(value: object, name: str) -> float:
    if isinstance(value, str) and (match := _PERCENT.match(value.strip())):
        return float(match["num"]) / 100
    number = _number(value, name)
    if abs(number) > 1:
        raise _Bad(
            "percent-as-number",
            f"{name} {show(value)} looks like a percent; enter {show(value)}% or {number / 100:g}",
        )
    return number


def _whole(value: object, name: str, low: float | None, high: float | None) -> int:
    number = _number(value, name)
    in_bounds = (low is None or number >= low) and (high is None or number <= high)
    if not number.is_integer() or not in_bounds:
        span = (
            f"from {show(low)} to {show(high)}" if high is not None
            else f"{show(low)} or more" if low is not None else ""
        )
        raise _Bad("out-of-range", f"{name} {show(value)} must be a whole number {span}".rstrip())
    return int(number)


def _text(value: object) -> str:
    return show(value).strip()


def _choice(value: object, name: str, allowed: dict[str, str], listed: tuple[str, ...]) -> str:
    key = header_key(value)
    if key not in allowed:
        raise _Bad("not-a-choice", f"{name} {str(value)!r} is not one of {', '.join(listed)}")
    return allowed[key]


# kind -> (how to read it, what is allowed, what to say otherwise)
BOUNDED = {
    "money": (_number, lambda x: x >= 0, "is negative; enter 0 or more"),
    "cap": (_number, lambda x: x > 0, "must be above 0 (leave it blank for no cap)"),
    "percent": (_percent, lambda x: x > -1, "must be above -100%"),
    "decay": (_percent, lambda x: 0 <= x < 1, "must be from 0% up to (not including) 100%"),
    "confidence": (_percent, lambda x: 0 < x <= 1, "must be above 0% and at most 100%"),
    "rate": (_percent, lambda x: 0 <= x <= 1, "must be from 0% to 100%"),
    "threshold": (_number, lambda x: x > 1, "must be more than 1"),
    "money_or_none": (_number, lambda x: x >= 0, "is negative; enter 0 or more, or leave it blank"),
}


def _bounded(kind: str, value: object, name: str) -> float:
    read, allowed, problem = BOUNDED[kind]
    number = read(value, name)
    if not allowed(number):
        raise _Bad("out-of-range", f"{name} {show(value)} {problem}")
    return number


def _scalar(column: Column, value: object) -> object:
    """One cell of an initiative column, validated; ranges are handled by `_cell`."""
    name, kind = label(column.header), column.kind
    if kind in ("id", "text"):
        return _text(value)
    if kind == "name":
        text = _text(value)
        if len(text) > 200:
            raise _Bad("too-long", f"initiative name is {len(text)} characters; keep it to 200")
        return text
    if kind == "form":
        return _choice(value, name, FORM_ALIASES, FORMS)
    if kind == "lever_point":
        return _choice(value, name, {p: p for p in LEVER_POINTS}, LEVER_POINTS)
    if kind in BOUNDED:
        return _bounded(kind, value, name)
    if kind == "whole":
        return _whole(value, name, 0, None)
    if kind == "quality":
        return _whole(value, name, 1, 5)
    raise AssertionError(f"unknown column kind {kind}")


def median_of_range(low: float, high: float) -> float:
    """The median of a 90% interval: lognormal when low > 0, else normal (MODEL.md section 4)."""
    if low == high:
        return low
    return math.sqrt(low * high) if low > 0 else (low + high) / 2


def _cell(column: Column, value: object) -> tuple[object, tuple[float, float] | None]:
    """A validated cell value and, for a `LOW to HIGH` range, its bounds."""
    if column.ranged and isinstance(value, str) and (match := _RANGE.match(value.strip())):
        low, high = _scalar(column, match["low"]), _scalar(column, match["high"])
        if low > high:
            raise _Bad("range-reversed", f"{label(column.header)} range {value.strip()!r} runs high to low; write LOW to HIGH")
        return median_of_range(low, high), (low, high)
    return _scalar(column, value), None


# -- the Initiatives sheet ----------------------------------------------------

def _find_header(grid: Grid, wanted: str) -> int | None:
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if any(header_key(v) == wanted for v in row if not is_blank(v)):
            return r
    return None


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
            first = grid.address(r, known[column.field])
            raise LeverkitError(
                f"{source}: {grid.name}!{grid.address(r, c)}: the column {column.header!r} "
                f"appears twice (also at {first}); keep one"
            )
        else:
            known[column.field] = c
    missing = [c.header for c in COLUMNS if c.required and c.field not in known]
    if missing:
        raise LeverkitError(
            f"{source}: {grid.name} sheet has no {', '.join(repr(m) for m in missing)} "
            f"column{'s' if len(missing) > 1 else ''} in its header row {grid.top + r + 1}"
        )
    return known, extra


def _parse_row(grid: Grid, r: int, known: dict[str, int], extra: list[tuple[int, str]]):
    """One row -> (fields, ranges, extras, issues)."""
    row = grid.rows[r]
    fields: dict[str, object] = {}
    ranges: dict[str, tuple[float, float]] = {}
    issues: list[Issue] = []

    def issue(code: str, c: int, header: str, value: object, message: str) -> None:
        issues.append(Issue(code, grid.name, grid.address(r, c), header, show(value), message))

    for column in COLUMNS:
        c = known.get(column.field)
        value = row[c] if c is not None and c < len(row) else None
        if is_blank(value):
            if column.required:
                issue("required", c, column.header, "", f"{label(column.header)} is required")
            continue
        try:
            fields[column.field], bounds = _cell(column, value)
        except _Bad as bad:
            issue(bad.code, c, column.header, value, str(bad))
            continue
        if bounds is not None:
            ranges[column.field] = bounds
    extras = {header: row[c] for c, header in extra if c < len(row) and not is_blank(row[c])}
    return fields, ranges, extras, issues


def _initiative(excel_row: int, fields: dict, ranges: dict, extras: dict) -> Initiative:
    return Initiative(
        row=excel_row,
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
        ranges=ranges,
        extra=extras,
    )


def _overflow(fields: dict, horizon: int) -> bool:
    """Uncapped growth so steep that reach × value passes what a number can hold."""
    growth = fields.get("growth", 0.0)
    if growth <= 0 or "cap" in fields:
        return False
    size = math.log10(max(fields["reach"], 1)) + math.log10(max(fields["value"], 1))
    return size + (horizon - 1) * math.log10(1 + growth) > 300


def _parse_initiatives(grid: Grid, source: str, horizon: int):
    header = _find_header(grid, "initiative")
    if header is None:
        raise LeverkitError(
            f"{source}: {grid.name} sheet has no header row with an 'Initiative' column "
            f"in its first {HEADER_SEARCH_ROWS} rows"
        )
    known, extra = _map_columns(grid, header, source)
    parsed = []
    for r in range(header + 1, len(grid.rows)):
        row = grid.rows[r]
        if all(is_blank(v) for v in row):
            continue
        fields, ranges, extras, issues = _parse_row(grid, r, known, extra)
        if not issues and _overflow(fields, horizon):
            c = known["growth"]
            issues.append(Issue("overflow", grid.name, grid.address(r, c), "Growth / month", show(row[c]),
                                f"growth {fields['growth']:.0%} a month for {horizon} months with no cap "
                                f"grows past any real number; set a Reach cap"))
        parsed.append((r, fields, ranges, extras, issues))

    id_column = known.get("id")
    seen: dict[str, list[int]] = {}
    for i, (r, fields, *_rest) in enumerate(parsed):
        if "id" in fields:
            seen.setdefault(fields["id"].casefold(), []).append(i)
    for rows in seen.values():
        if len(rows) > 1:
            for i in rows:
                r, fields, _, _, issues = parsed[i]
                others = [grid.address(parsed[j][0], id_column) for j in rows if j != i]
                issues.append(Issue("duplicate-id", grid.name, grid.address(r, id_column), "ID",
                                    fields["id"], f"ID {fields['id']!r} is also used at {', '.join(others)}"))

    initiatives, issues, invalid = [], [], 0
    for r, fields, ranges, extras, row_issues in parsed:
        if row_issues:
            invalid += 1
            issues.extend(row_issues)
        else:
            initiatives.append(_initiative(grid.top + r + 1, fields, ranges, extras))
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
        return _bounded(kind, value, name)
    if kind == "rank_by":
        return _choice(value, name, {header_key(k): k for k in RANK_BY}, RANK_BY)
    raise AssertionError(f"unknown setting kind {kind}")


def _parse_settings(grid: Grid | None, default_team: str, source: str) -> tuple[Settings, list[Issue]]:
    settings = Settings(team=default_team)
    if grid is None:
        return settings, []
    header = _find_header(grid, "setting")
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
        seen[setting.field] = grid.address(r, value_col)
        value = row[value_col] if value_col < len(row) else None
        if is_blank(value):
            continue
        try:
            setattr(settings, setting.field, _setting_value(setting, value))
        except _Bad as bad:
            raise LeverkitError(f"{where}: {bad}") from None
    if not settings.team:
        settings.team = default_team
    return settings, issues


def _find_sheet(sheets: dict[str, Grid], name: str) -> Grid | None:
    return next((g for key, g in sheets.items() if key.casefold() == name.casefold()), None)


def parse_sheets(sheets: dict[str, Grid], source: str, default_team: str) -> Plan:
    """Validate a workbook's sheets (by sheet name) into a Plan.

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
    return Plan(source, settings, initiatives, setting_issues + issues, extra, invalid)


# -- files on disk ------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted or old-format Office files
ZIP_MAGIC = b"PK\x03\x04"


def _refuse_ole(data: bytes, path) -> None:
    import olefile

    with olefile.OleFileIO(data) as ole:
        encrypted = ole.exists("EncryptedPackage")
    if encrypted:
        raise LeverkitError(
            f"{path}: is password-protected; leverkit cannot read encrypted workbooks, "
            f"so save a copy without the password and report on that"
        )
    raise LeverkitError(f"{path}: is an old-format Excel (.xls) file; save it as .xlsx or .xlsm first")


def _xml(zf: zipfile.ZipFile, part: str, path: Path):
    """Parse one package part with defusedxml, which refuses entity bombs."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import parse

    try:
        with zf.open(part) as stream:
            return parse(stream).getroot()
    except KeyError:
        raise LeverkitError(f"{path}: is not an Excel workbook (it has no {part})") from None
    except DefusedXmlException:
        raise LeverkitError(f"{path}: refused: {part} declares XML entities, which workbooks never need") from None
    except Exception as exc:
        raise LeverkitError(f"{path}: is damaged ({part} is not readable XML: {exc})") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element, name: str) -> str | None:
    return next((v for k, v in element.attrib.items() if _local(k) == name), None)


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (PurePosixPath(base).parent / target).parts:
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _rels(zf: zipfile.ZipFile, part: str, path: Path) -> dict[str, str]:
    rels_part = str(PurePosixPath(part).parent / "_rels" / (PurePosixPath(part).name + ".rels"))
    return {
        rel.get("Id"): _resolve(part, rel.get("Target", ""))
        for rel in _xml(zf, rels_part, path)
        if rel.get("TargetMode") != "External"
    }


def sheet_parts(zf: zipfile.ZipFile, path: Path) -> tuple[str, dict[str, str]]:
    """The workbook part and a map of sheet name -> worksheet part."""
    root_rels = _xml(zf, "_rels/.rels", path)
    workbook = next(
        (_resolve("", r.get("Target", "")) for r in root_rels if r.get("Type", "").endswith("/officeDocument")),
        None,
    )
    if workbook is None:
        raise LeverkitError(f"{path}: is not an Excel workbook (it names no workbook part)")
    rels = _rels(zf, workbook, path)
    sheets = {}
    for element in _xml(zf, workbook, path).iter():
        if _local(element.tag) == "sheet":
            sheets[element.get("name")] = rels.get(_attr(element, "id"), "")
    return workbook, sheets


def refuse_hostile_xml(zf: zipfile.ZipFile, path: Path) -> None:
    """Open every XML part's prolog with defusedxml: a DTD or entity refuses the file.

    Only the prolog is read, so this costs little even for large sheets.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    for part in zf.namelist():
        if part.endswith((".xml", ".rels", ".vml")):
            try:
                with zf.open(part) as stream:
                    next(iter(iterparse(stream, events=("start",), forbid_dtd=True)), None)
            except DefusedXmlException:
                raise LeverkitError(
                    f"{path}: refused: {part} declares a DTD or XML entities, which workbooks never need"
                ) from None
            except Exception:
                continue  # not well-formed XML is reported by whoever reads that part


def _uncached_formulas(zf: zipfile.ZipFile, part: str) -> list[str]:
    """Addresses of cells holding a formula but no saved (cached) value."""
    from defusedxml.ElementTree import iterparse

    found = []
    with zf.open(part) as stream:
        for _, element in iterparse(stream, events=("end",)):
            tag = _local(element.tag)
            if tag == "c":
                children = {_local(child.tag): child for child in element}
                value = children.get("v")
                if "f" in children and (
                    value is None or (not value.text and element.get("t") not in ("str", "inlineStr"))
                ):
                    found.append(element.get("r"))
            elif tag == "row":
                element.clear()
    return found


def _refuse_uncached(zf: zipfile.ZipFile, parts: dict[str, str], wanted: set[str], path: Path) -> None:
    """A formula with no saved value is never read as blank or zero: the file was saved by a
    program that does not calculate, so every formula in it is suspect; name the first one."""
    for name in sorted(wanted):
        if parts[name] not in zf.namelist():
            continue
        cells = _uncached_formulas(zf, parts[name])
        if cells:
            more = f" (and {len(cells) - 1} more)" if len(cells) > 1 else ""
            raise LeverkitError(
                f"{path}: {name}!{cells[0]}{more} is a formula with no saved value; the file was saved by a "
                f"program that does not calculate formulas, so open it in Excel, save it, and run again"
            )


def _calamine_grid(book, name: str) -> Grid:
    sheet = book.get_sheet_by_name(name)
    top, left = sheet.start or (0, 0)
    return Grid(name, sheet.to_python(), top, left)


def read_grids(data: bytes, source) -> dict[str, Grid]:
    """The Initiatives and Settings sheets of a .xlsx or .xlsm file's bytes, as cell values with addresses.

    Other sheets are listed by name only, for messages; `source` names the file in them.
    """
    if data[:8] == OLE_MAGIC:
        _refuse_ole(data, source)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LeverkitError(f"{source}: is not an Excel workbook (.xlsx or .xlsm)")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        refuse_hostile_xml(zf, source)
        _, parts = sheet_parts(zf, source)
        wanted = {name for name in parts if name.casefold() in (INITIATIVES.casefold(), SETTINGS.casefold())}
        _refuse_uncached(zf, parts, wanted, source)

    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        grids = {name: _calamine_grid(book, name) for name in wanted}
    except Exception as exc:
        raise LeverkitError(f"{source}: could not be read as a workbook ({exc})") from None
    grids.update({name: Grid(name, []) for name in parts if name not in grids})
    return grids


def read_bytes(data: bytes, source: str, default_team: str) -> Plan:
    """Read and validate a workbook held in memory; `source` names it in messages."""
    return parse_sheets(read_grids(data, source), source, default_team)


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LeverkitError(f"{path}: cannot be opened ({exc.strerror or exc})") from None


def read_workbook(path: str | Path) -> Plan:
    """Read and validate a team's .xlsx or .xlsm file."""
    path = Path(path)
    return read_bytes(read_file(path), str(path), path.stem)
