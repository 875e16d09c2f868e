"""A workbook file's zip package, checked once before anything reads or edits it.

Reading (python-calamine) and writing in place both start from `Package`,
so one set of rules judges every file: what kind of file it is, zip
integrity (every part's CRC), the size of every part before it is inflated,
hostile XML (a DTD or entity anywhere), relationship targets that stay
inside the package, and, for the sheets leverkit reads, how far their
cells reach and which cells hold an Excel error or a formula with no saved
value. Each problem is one sentence (`LeverkitError`) naming the file.

The limits below are ones no real planning workbook reaches (docs/model.md, "Limits").
"""
from __future__ import annotations

import collections
import functools
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from .errors import Damaged, NotAWorkbook, Refused
from .issues import cell_address, one_line

PART_LIMIT = 100 * 2**20  # bytes of one part, inflated
TOTAL_LIMIT = 300 * 2**20  # bytes of all parts, inflated
PARTS_LIMIT = 10_000  # parts in one package
CELL_LIMIT = 2_000_000  # rows × columns of a sheet leverkit reads
TEXT_LIMIT = 32_767  # characters in one cell: Excel's own limit

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted or old-format Office files
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "/officeDocument"
ERROR_VALUES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
                "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")


class ExcelError(str):
    """A cell holding an Excel error value such as #DIV/0!: never read as blank or zero."""


class Uncached(str):
    """A formula cell saved without its value (written by a program that does not calculate)."""


def is_fault(value: object) -> bool:
    return isinstance(value, (ExcelError, Uncached))


def _kind_of_file(data: bytes, source) -> None:
    """Refuse, in one sentence that says what the file is, anything that is not an OOXML package."""
    if data[:8] == OLE_MAGIC:
        import olefile

        try:
            with olefile.OleFileIO(data) as ole:
                encrypted = ole.exists("EncryptedPackage")
        except Exception:
            raise Damaged(f"{source}: is damaged (an Office file whose structure is broken)") from None
        if encrypted:
            raise NotAWorkbook(
                f"{source}: is password-protected; leverkit cannot read encrypted workbooks, "
                f"so save a copy without the password and report on that"
            )
        raise NotAWorkbook(f"{source}: is an old-format Excel (.xls) file; save it as .xlsx or .xlsm first")
    if data[:4] != ZIP_MAGIC:
        head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith((b"<?xml", b"<html", b"<!doctype", b"<table")):
            raise NotAWorkbook(f"{source}: is an XML or HTML file, not an Excel workbook; open it in Excel and "
                                f"save it as .xlsx")
        if head and b"\x00" not in head:
            raise NotAWorkbook(f"{source}: is a text file (such as CSV), not an Excel workbook; open it in Excel "
                                f"and save it as .xlsx")
        raise NotAWorkbook(f"{source}: is not an Excel workbook (.xlsx or .xlsm)")
    if data[30:38] == b"mimetype" and ODS_MIMETYPE in data[:200]:
        raise NotAWorkbook(f"{source}: is an OpenDocument spreadsheet (.ods); save it as .xlsx in your spreadsheet "
                            f"app and run again")


def resolve(base: str, target: str, source) -> str:
    """A relationship target as a part name, relative to the part `base`; refuse one that leaves the package."""
    if not target:
        raise Damaged(f"{source}: is damaged (a relationship of {base or 'the package'} has no target)")
    if target.startswith("/"):
        joined = PurePosixPath(target.lstrip("/"))
    else:
        joined = PurePosixPath(base).parent / target
    parts: list[str] = []
    for piece in joined.parts:
        if piece == "..":
            if not parts:
                raise Damaged(f"{source}: is damaged (a relationship of {base or 'the package'} points outside it: "
                              f"{target[:80]!r})")
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def rels_name(part: str) -> str:
    path = PurePosixPath(part)
    return str(path.parent / "_rels" / (path.name + ".rels")) if part else "_rels/.rels"


def _source_of(rels: str) -> str:
    """The part a rels part describes: `xl/_rels/workbook.xml.rels` -> `xl/workbook.xml`."""
    path = PurePosixPath(rels)
    return str(path.parent.parent / path.name.removesuffix(".rels"))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element, name: str) -> str | None:
    return next((v for k, v in element.attrib.items() if _local(k) == name), None)


@dataclass(frozen=True)
class Extent:
    rows: int
    columns: int


class Package:
    """A .xlsx/.xlsm package, checked as a whole on opening; each part is read, CRC-checked, when first asked for.

    Raises LeverkitError with one sentence.
    """

    def __init__(self, data: bytes, source):
        self.source = source
        _kind_of_file(data, source)
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError):
            raise Damaged(f"{source}: is damaged (its zip structure is broken; it may have been cut short "
                          f"while copying); open a good copy in Excel and save it again") from None
        self._zip = zf
        self._read: dict[str, bytes] = {}
        infos = zf.infolist()
        self.names = [info.filename for info in infos]
        self._names = set(self.names)
        if len(infos) > PARTS_LIMIT:
            raise Refused(f"{source}: refused: it has {len(infos):,} parts; workbooks leverkit reads "
                                f"have at most {PARTS_LIMIT:,}")
        if len(self._names) != len(self.names):
            raise Damaged(f"{source}: is damaged (a part appears twice in the package)")
        for info in infos:
            if info.file_size > PART_LIMIT:
                raise Refused(
                    f"{source}: refused: its part {one_line(info.filename, 80)} inflates to "
                    f"{info.file_size / 2**20:,.0f} MiB, over leverkit's limit of {PART_LIMIT // 2**20} MiB a part; "
                    f"no planning workbook is that large")
        total = sum(info.file_size for info in infos)
        if total > TOTAL_LIMIT:
            raise Refused(f"{source}: refused: it inflates to {total / 2**20:,.0f} MiB, over leverkit's limit of "
                                f"{TOTAL_LIMIT // 2**20} MiB; no planning workbook is that large")
        self._refuse_hostile_xml()
        self.workbook_part = self._workbook_part()
        self.sheets = self._sheets()

    def _refuse_hostile_xml(self) -> None:
        """A DTD or entity in any XML part refuses the file: workbooks never need one.

        Parts are recognised by their content, not their names, and only each
        one's prolog is read, so this costs little even for large sheets.
        """
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import iterparse

        for name in self.names:
            try:
                with self._zip.open(name) as stream:
                    if stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"<":
                        continue
                with self._zip.open(name) as stream:
                    next(iter(iterparse(stream, events=("start",), forbid_dtd=True)), None)
            except DefusedXmlException:
                raise Refused(
                    f"{self.source}: refused: {name} declares a DTD or XML entities, which workbooks never need"
                ) from None
            except Exception:
                continue  # not well-formed: whoever needs the part says so

    def read(self, part: str) -> bytes | None:
        """A part's bytes, CRC-checked (None if the package has no such part)."""
        if part not in self._read:
            if part not in self._names:
                return None
            try:
                self._read[part] = self._zip.read(part)
            except Exception as exc:  # bad CRC, bad deflate stream, encrypted zip entries, truncation
                raise Damaged(f"{self.source}: is damaged ({part}: {reason(exc)}); open a good copy in Excel "
                              f"and save it again") from None
        return self._read[part]

    @functools.cached_property
    def parts(self) -> dict[str, bytes]:
        """Every part's bytes, each CRC-checked, in package order: for editing the package whole."""
        return {name: data for name in self.names if (data := self.read(name)) is not None}

    def xml(self, part: str):
        """A part parsed with lxml (after the hostile-XML check, so no DTD can be present)."""
        from lxml import etree

        data = self.parts.get(part) if "parts" in self.__dict__ else self.read(part)
        if data is None:
            raise Damaged(f"{self.source}: is damaged (it has no {part})")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        try:
            return etree.fromstring(data, parser)
        except etree.XMLSyntaxError as exc:
            raise Damaged(f"{self.source}: is damaged ({part} is not well-formed XML: {reason(exc)})") from None

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type, part name) for a part's internal relationships that lead somewhere inside the package."""
        name = rels_name(part)
        if name not in self._names:
            return {}
        found = {}
        for rel in self.xml(name):
            if not isinstance(rel.tag, str) or rel.get("TargetMode") == "External":
                continue
            try:
                found[rel.get("Id")] = (rel.get("Type") or "", resolve(part, rel.get("Target"), self.source))
            except Damaged:
                continue  # reading passes over what it does not need; `check_whole` refuses it for editing
        return found

    def check_whole(self) -> None:
        """Every part readable (CRC), well-formed where it is XML, every relationship with an Id and a
        target inside the package: what editing the package, rather than only reading it, needs."""
        for name, data in self.parts.items():
            if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
                root = self.xml(name)
                if name.endswith(".rels"):
                    for rel in root:
                        if isinstance(rel.tag, str) and rel.get("TargetMode") != "External":
                            if rel.get("Id") is None:
                                raise Damaged(f"{self.source}: is damaged (a relationship in {name} has no Id)")
                            resolve(_source_of(name), rel.get("Target"), self.source)

    def closure(self, part: str) -> list[str]:
        """The part, its rels part and everything they lead to, depth first."""
        found, stack = [], [part]
        while stack:
            name = stack.pop()
            if name in found or name not in self.parts:
                continue
            found.append(name)
            if rels_name(name) in self.parts:
                found.append(rels_name(name))
                stack += [target for _, target in self.rels(name).values()]
        return found

    def _workbook_part(self) -> str:
        if "_rels/.rels" not in self._names:
            raise NotAWorkbook(f"{self.source}: is not an Excel workbook (it is a zip file with no workbook in it)")
        for kind, target in self.rels("").values():
            if kind.endswith(OFFICE_DOCUMENT):
                if target not in self._names:
                    raise Damaged(f"{self.source}: is damaged (its workbook part {target} is missing)")
                return target
        raise NotAWorkbook(f"{self.source}: is not an Excel workbook (it names no workbook part)")

    def _sheets(self) -> dict[str, str]:
        """Sheet name -> worksheet part, in the workbook's order."""
        rels = self.rels(self.workbook_part)
        sheets = {}
        for element in self.xml(self.workbook_part).iter():
            if isinstance(element.tag, str) and _local(element.tag) == "sheet":
                name, rel_id = element.get("name"), _attr(element, "id")
                if not name or rel_id is None:
                    raise Damaged(f"{self.source}: is damaged (a sheet in {self.workbook_part} has no name or no part)")
                if rel_id not in rels:
                    raise Damaged(f"{self.source}: is damaged (the sheet {one_line(name, 40)!r} has no part)")
                sheets[name] = rels[rel_id][1]
        return sheets

    def cells(self, sheet: str) -> dict[tuple[int, int], str]:
        """(row, column) -> ExcelError or Uncached for the faulty cells of `sheet`, zero-based.

        Checks that the sheet's cells stay within CELL_LIMIT before any is
        used, so the reader never allocates for a stray cell at XFD1048576.
        The sheet's XML is read by lxml in one streaming pass (`_SheetReader`),
        however it is spelled: quotes, spacing, namespace prefixes.
        """
        from lxml import etree

        part = self.sheets.get(sheet, "")
        data = self.read(part)
        if data is None:
            raise Damaged(f"{self.source}: is damaged (it has no {part or 'part for the ' + sheet + ' sheet'})")
        try:
            extent, faults = _scan(data)
        except etree.XMLSyntaxError as exc:
            raise Damaged(f"{self.source}: {sheet} sheet is damaged (its XML cannot be read: {reason(exc)}); open it "
                          f"in Excel and save it again") from None
        except ValueError as exc:
            raise Damaged(f"{self.source}: {sheet} sheet is damaged ({exc}); open it in Excel and save it again") from None
        if extent.rows * extent.columns > CELL_LIMIT:
            raise Refused(
                f"{self.source}: {sheet} sheet reaches cell {cell_address(extent.rows - 1, extent.columns - 1)} "
                f"({extent.rows:,} rows × {extent.columns:,} columns); leverkit reads sheets of up to "
                f"{CELL_LIMIT:,} cells, so delete whatever lies far below or right of the table and save again"
            )
        return faults


def reason(exc: Exception) -> str:
    """An exception's text as a short clause of a one-line message."""
    return one_line(str(exc), 160) or type(exc).__name__


SPREADSHEETML = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main",  # transitional, as Excel saves
                 "http://purl.oclc.org/ooxml/spreadsheetml/main")  # strict


def _named(local: str) -> frozenset[str]:
    """An element's name in either SpreadsheetML namespace, as lxml spells it: `{namespace}local`."""
    return frozenset(f"{{{namespace}}}{local}" for namespace in SPREADSHEETML)


_SHEET_DATA, _ROW, _CELL, _FORMULA, _VALUE, _INLINE = map(_named, ("sheetData", "row", "c", "f", "v", "is"))
_PART_OF_CELL = {name: _local(name) for name in _FORMULA | _VALUE | _INLINE}
_MARKS = 4  # starts noted inside an error or formula cell: enough to bound its formula's and value's text
_DIGITS = "0123456789"


def _row_number(digits: str) -> int:
    """A row number from its digits, however zero-padded (0 if none); ten digits or more are past Excel's last
    row either way.

    >>> _row_number("7"), _row_number("0001048576"), _row_number("99999999999999"), _row_number("00")
    (7, 1048576, 1000000000, 0)
    """
    digits = digits.lstrip("0")
    if len(digits) >= 10:
        return 10**9
    return int(digits) if digits else 0


@functools.lru_cache(maxsize=4096)
def _column_number(letters: str) -> int:
    """A column's number from its letters in either case, A = 1 (0 if they are not letters): the letters as the
    digits of a base-26 number written without a zero. Seven letters or more are far past Excel's last column
    (XFD) either way.

    >>> [_column_number(letters) for letters in ("A", "AA", "xfd", "ABCDEFG", "A0")]
    [1, 27, 16384, 1000000000, 0]
    """
    if not (letters.isascii() and letters.isalpha()):
        return 0
    if len(letters) > 6:
        return 10**9
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def _reference(ref: str) -> tuple[int, int]:
    """A cell reference such as `B7` as its 1-based (row, column): letters in either case, then digits.

    >>> _reference("B7"), _reference("xfd0001048576")
    ((7, 2), (1048576, 16384))
    """
    letters = ref.rstrip(_DIGITS)
    row, column = _row_number(ref[len(letters):]), _column_number(letters)
    if not (row and column):
        raise ValueError(f"a cell's reference {ref[:20]!r} is not a column's letters then a row number")
    return row, column


def _foreign(tag: str) -> str:
    """Why a sheet whose table of cells holds an element of another namespace is damaged."""
    kind = {"c": "cell", "row": "row"}.get(_local(tag), _local(tag))
    namespace = tag[1:].partition("}")[0] if tag.startswith("{") else ""
    where = f"the namespace {one_line(namespace, 60)}" if namespace else "no namespace"
    return f"a {kind} in {where}, not SpreadsheetML's"


class _SheetReader:
    """A worksheet read as lxml parses it, the way readers such as python-calamine walk one: inside the first
    sheetData, each row start moves to its `r` or else to the next row, each cell start to its `r` or else to
    the next column, so cells land where the reader puts them.

    A parser target: no tree is built, so memory stays flat however large the sheet. lxml calls `start` for
    every element; text and element ends go straight into a list and a one-place deque (`data` and `end` are
    their `append`, with no Python call), read only for a cell holding an error or a formula, and to see
    where sheetData ends. Rows and cells match by namespace and name; a row or cell of another namespace
    inside sheetData is damage, since readers take rows and cells there by name alone.
    """

    def __init__(self):
        self.rows = self.columns = 0  # how far the cells reach
        self.row = self.column = 0  # the current row's number and the last cell's column; 1-based, 0 before any
        self.digits = "0"  # the current row's number, as its cells' references end
        self.table: bool | None = None  # inside the first sheetData: None before it, False after it
        self.cell: tuple[int, int, str | None] | None = None  # the current row's last cell: row, column, type
        self.marks: list[tuple[str | None, int]] | None = None  # in an error or formula cell: starts and their text
        self.texts: list[str] = []
        self.data = self.texts.append
        self.ended: collections.deque[str] = collections.deque([""], maxlen=1)
        self.end = self.ended.append
        self.found: dict[tuple[int, int], str] = {}

    def start(self, tag: str, attrib) -> None:
        if tag in _CELL:
            if self.marks is not None:
                self._settle()
            if (self.table is not True or self.ended[0] in _SHEET_DATA) and not self._in_table():
                return
            self.texts.clear()
            ref, digits = attrib.get("r"), self.digits
            if ref is not None and ref.endswith(digits) and (column := _column_number(ref[:-len(digits)])):
                where = self.row  # the usual case: a cell of the row it is in
            else:
                where, column = self._placed(ref)
            self.column = column
            if column > self.columns:
                self.columns = column
            if where > self.rows:
                self.rows = where
            kind = attrib.get("t")
            self.cell = (where, column, kind)
            if kind == "e":
                self.marks = []
        elif tag in _VALUE:
            if self.marks is not None:
                self._mark(tag)
        elif tag in _FORMULA:
            if self.marks is None and self.cell is not None:
                self.marks = []  # the schema puts a formula first in its cell, before the value
            if self.marks is not None:
                self._mark(tag)
        elif tag in _ROW:
            if self.marks is not None:
                self._settle()
            if (self.table is not True or self.ended[0] in _SHEET_DATA) and not self._in_table():
                return
            self.texts.clear()
            r = attrib.get("r")
            self.row = self.row + 1 if r is None else _row_number(r) if r.isascii() and r.isdigit() else 0
            if not self.row:
                raise ValueError(f"a row's number {r[:20]!r} is not a whole number from 1")
            self.digits, self.column, self.cell = str(self.row), 0, None
        else:
            self._other(tag)

    def _placed(self, ref: str | None) -> tuple[int, int]:
        """Where a cell goes that is not simply in its own row: by its reference, or by position without one."""
        if ref is not None:
            return _reference(ref)
        if not self.row:
            raise ValueError("a cell without a reference comes before any row")
        return self.row, self.column + 1

    def _other(self, tag: str) -> None:
        """Any other element: inside an error or formula cell, it bounds the text before it; the first sheetData
        opens the table of cells."""
        if self.table and self.ended[0] in _SHEET_DATA:
            self._in_table()
        if self.marks is not None:
            self._mark(tag)
        else:
            self.texts.clear()
        local = _local(tag)
        if local == "sheetData" and self.table is not False:
            if self.table:
                raise ValueError("a sheetData inside the sheetData")
            if tag not in _SHEET_DATA:
                raise ValueError(_foreign(tag))
            self.table = True
        elif self.table and local in ("row", "c"):
            raise ValueError(_foreign(tag))

    def _in_table(self) -> bool:
        """Whether the first sheetData is open, closing it if it has just ended."""
        if self.table and self.ended[0] in _SHEET_DATA:
            if self.marks is not None:
                self._settle()
            self.table, self.cell = False, None
        return self.table is True

    def _mark(self, tag: str) -> None:
        assert self.marks is not None
        if len(self.marks) < _MARKS:
            self.marks.append((tag, len(self.texts)))
        else:
            self._settle()
            self.texts.clear()

    def _settle(self) -> None:
        """Decide on the error or formula cell just read, from the text between the starts noted in it."""
        assert self.marks is not None and self.cell is not None
        marks, self.marks = self.marks + [(None, len(self.texts))], None
        parts: dict[str, str] = {}
        for (tag, begin), (_, stop) in zip(marks, marks[1:]):
            if tag in _PART_OF_CELL:
                parts.setdefault(_PART_OF_CELL[tag], "".join(self.texts[begin:stop]).strip())
        row, column, kind = self.cell
        value = parts.get("v")  # None: no <v>
        fault: str
        if kind == "e":
            fault = ExcelError(value or "#N/A")
        elif "f" not in parts or (value is None and kind == "inlineStr" and "is" in parts):
            return  # no formula, or its saved value is the inline string
        elif value is None or (not value and kind not in ("str", "inlineStr")):
            fault = Uncached("=" + (parts["f"] or "(a shared formula)"))
        else:
            return
        if self.rows * self.columns <= CELL_LIMIT:  # beyond it the sheet is refused anyway
            self.found[row - 1, column - 1] = fault

    def close(self) -> tuple[Extent, dict[tuple[int, int], str]]:
        if self.marks is not None:
            self._settle()
        return Extent(self.rows, self.columns), self.found


def _scan(data: bytes) -> tuple[Extent, dict[tuple[int, int], str]]:
    """How far a worksheet's cells reach (1-based), and its cells holding an error value or a formula without a
    saved value (zero-based (row, column) -> ExcelError or Uncached). Raises ValueError for a damaged sheet,
    lxml's XMLSyntaxError for one that is not well-formed."""
    from lxml import etree

    parser = etree.XMLParser(target=_SheetReader(), resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)  # libxml2's limits stay: texts to 10 MB, nesting to 256 deep
    return etree.fromstring(data, parser)
