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

import functools
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from html import unescape  # XML's five entities and character references, without xml.sax's urllib imports

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
        return {name: self.read(name) for name in self.names}

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

        Checks first that the sheet's cells stay within CELL_LIMIT, so the
        reader never allocates for a stray cell at XFD1048576.
        """
        data = self.read(self.sheets.get(sheet, "")) or b""
        extent = _extent(data)
        if extent.rows * extent.columns > CELL_LIMIT:
            raise Refused(
                f"{self.source}: {sheet} sheet reaches cell {cell_address(extent.rows - 1, extent.columns - 1)} "
                f"({extent.rows:,} rows × {extent.columns:,} columns); leverkit reads sheets of up to "
                f"{CELL_LIMIT:,} cells, so delete whatever lies far below or right of the table and save again"
            )
        try:
            return _faults(data)
        except ValueError as exc:
            raise Damaged(f"{self.source}: {sheet} sheet is damaged ({exc}); open it in Excel and save it again") from None


def reason(exc: Exception) -> str:
    """An exception's text as a short clause of a one-line message."""
    return one_line(str(exc), 160) or type(exc).__name__


_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # an element name's namespace prefix, if it has one
_REF = rb"""\sr\s*=\s*["']\s*"""  # an r attribute, however quoted and spaced
_CELL_REF = re.compile(rb"<" + _NS + rb"c\b[^>]*?" + _REF + rb"([A-Za-z]+)(\d+)")
_ROW_REF = re.compile(rb"<" + _NS + rb"row\b[^>]*?" + _REF + rb"(\d+)")
_UNNUMBERED = re.compile(rb"<" + _NS + rb"(?:c|row)(?=[\s/>])(?![^>]*\sr\s*=)")  # placed by position instead
_ROW = re.compile(rb"<" + _NS + rb"row\b[^>]*?(?:/>|>.*?</" + _NS + rb"row>)", re.S)
_CELL_START = re.compile(rb"<" + _NS + rb"c[\s/>]")
_FORMULA = re.compile(rb"<" + _NS + rb"f[\s/>]")
_ERROR_TYPE = re.compile(rb'\st="e"')
_CELL_TAG = re.compile(rb"<" + _NS + rb"c\b([^>]*?)(/?)>")
_ATTRIBUTE = re.compile(rb'\s([\w:]+)="([^"]*)"')
_VALUE = re.compile(rb"<" + _NS + rb"v(?:\s[^>]*)?(?:/>|>([^<]*)</" + _NS + rb"v>)")
_FORMULA_TEXT = re.compile(rb"<" + _NS + rb"f\b[^>]*?(?:/>|>([^<]*)<)")
_CELL_END = re.compile(rb"</" + _NS + rb"c>")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper()[:4]:  # four letters are already past Excel's last column, XFD
        number = number * 26 + letter - 64
    return number


def _row_number(digits: bytes) -> int:
    digits = digits.lstrip(b"0")
    return int(digits) if len(digits) < 10 else 10**9  # past Excel's last row either way


def _extent(data: bytes) -> Extent:
    """How many rows and columns a worksheet's cells span, without parsing it: from their references, and,
    where a row or cell has none and so goes by position, by counting them as a reader would place them."""
    rows = max(map(_row_number, set(_ROW_REF.findall(data))), default=0)
    columns = 0
    refs = _CELL_REF.findall(data)
    if refs:
        letters, numbers = zip(*refs)
        rows = max(rows, max(map(_row_number, set(numbers))))
        columns = max(map(_column_number, set(letters)))
    if _UNNUMBERED.search(data):
        elements = _ROW.findall(data)
        rows += len(elements)
        columns += max((len(_CELL_START.findall(row)) for row in elements), default=0)
    return Extent(rows, columns)


def _faults(data: bytes) -> dict[tuple[int, int], str]:
    """Cells holding an error value or a formula without a saved value.

    The schema puts a cell's formula first among its children, so each `<f>`
    sits right after its cell's start tag: only those cells are looked at,
    and a sheet with neither formulas nor errors costs two scans of C code.
    """
    starts = {data.rfind(b"<", 0, m.start()) for m in _FORMULA.finditer(data)}
    starts |= {data.rfind(b"<", 0, m.start()) for m in _ERROR_TYPE.finditer(data)}
    found: dict[tuple[int, int], str] = {}
    for start in sorted(starts):
        tag = _CELL_TAG.match(data, start)
        if tag is None:
            continue
        attributes = dict(_ATTRIBUTE.findall(tag[1]))
        ref = re.fullmatch(rb"([A-Z]{1,3})(\d{1,7})", attributes.get(b"r", b""))
        if ref is None:
            raise ValueError("a formula or error cell has no cell reference")
        end = start if tag[2] else (_CELL_END.search(data, tag.end()) or tag).start()
        body = data[tag.end():end]
        value = _VALUE.search(body)
        kind = attributes.get(b"t", b"n")
        where = (int(ref[2]) - 1, _column_number(ref[1]) - 1)
        if kind == b"e":
            found[where] = ExcelError((value[1] or b"").decode("utf-8", "replace").strip() if value else "#N/A")
        elif (formula := _FORMULA_TEXT.search(body)) and (
                value is None or (not (value[1] or b"").strip() and kind not in (b"str", b"inlineStr"))):
            text = unescape(formula[1].decode("utf-8", "replace")) if formula[1] else "(a shared formula)"
            found[where] = Uncached("=" + text)
    return found
