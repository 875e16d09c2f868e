"""Writing the ranked sheets into the team's own workbook, losing nothing.

Rather than load and re-save the team's workbook (which drops whatever the
loading library does not understand), the package is copied part for part,
byte for byte. Only four parts are edited, and only by adding: the sheet
list (workbook.xml), its relationships, the content types and the style
sheet. leverkit's sheets are built by the same XlsxWriter code as the
separate ranked workbook and spliced in, their strings made inline and their
style indices moved past the team's. Sheets leverkit wrote earlier are
recognised by hidden defined names that point at them (the same markers the
Excel button uses) and replaced where they stand, so no team sheet ever
changes position or index.
"""
from __future__ import annotations

import copy
import io
import os
import posixpath
import shutil
import zipfile
from pathlib import Path

from .files import atomic_path, open_by
from .issues import LeverkitError
from .ranking import Ranking
from .reading import _resolve, refuse_hostile_xml
from .tables import MARKER_PREFIX, marked_sheet, marker

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_NS = "http://www.w3.org/XML/1998/namespace"
WORKSHEET_TYPE = REL + "/worksheet"
PREFIX = "leverkit-"
STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
               "tableStyles", "colors", "extLst")
WORKBOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                  "functionGroups", "externalReferences", "definedNames")
DXF_ATTRIBUTES = ("dxfId", "headerRowDxfId", "dataDxfId", "totalsRowDxfId", "headerRowBorderDxfId",
                  "tableBorderDxfId", "totalsRowBorderDxfId")


class InPlaceRefused(LeverkitError):
    """Writing into this workbook cannot be guaranteed to lose nothing; it was not touched."""


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _parse(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    return etree.fromstring(data, parser)


def _dump(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source))


def _insert_ordered(parent, tag: str, order: tuple[str, ...], ns: str = MAIN):
    """The child `tag` of `parent`, created in its schema position if missing."""
    from lxml import etree

    found = parent.find(_q(ns, tag))
    if found is not None:
        return found
    element = etree.Element(_q(ns, tag))
    later = set(order[order.index(tag) + 1:])
    for i, child in enumerate(parent):
        if isinstance(child.tag, str) and etree.QName(child).localname in later:
            parent.insert(i, element)
            return element
    parent.append(element)
    return element


class _Package:
    """A zip package held as ordered parts, edited in memory, written whole."""

    def __init__(self, data: bytes):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self.names = zf.namelist()
            self.parts = {name: zf.read(name) for name in self.names}

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (type, resolved target) for a part's internal relationships."""
        data = self.parts.get(_rels_name(part))
        if data is None:
            return {}
        return {
            r.get("Id"): (r.get("Type"), _resolve(part, r.get("Target")))
            for r in _parse(data)
            if r.get("TargetMode") != "External"
        }

    def closure(self, part: str) -> list[str]:
        """The part, its rels part and everything they lead to, depth first."""
        found, stack = [], [part]
        while stack:
            name = stack.pop()
            if name in found or name not in self.parts:
                continue
            found.append(name)
            if _rels_name(name) in self.parts:
                found.append(_rels_name(name))
                stack += [target for _, target in self.rels(name).values()]
        return found

    def write(self, target) -> None:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in self.names:
                if name in self.parts:
                    zf.writestr(name, self.parts[name])
            for name in self.parts:
                if name not in self.names:
                    zf.writestr(name, self.parts[name])


def _workbook_part(package: _Package) -> str:
    for r in _parse(package.parts["_rels/.rels"]):
        if r.get("Type", "").endswith("/officeDocument"):
            return _resolve("", r.get("Target"))
    raise KeyError("officeDocument")


def _key(element) -> tuple:
    """What an element says, ignoring how its namespaces are spelled."""
    return (
        element.tag, tuple(sorted(element.attrib.items())), (element.text or "").strip(),
        tuple(_key(child) for child in element if isinstance(child.tag, str)),
    )


class _StyleMerge:
    """Add the new workbook's styles to the team's, reusing identical ones; map the new indices.

    Reusing identical entries keeps re-runs from growing the style sheet.
    """

    def __init__(self, team_styles, new_styles):
        self.team, self.new = team_styles, new_styles
        self.xf: dict[int, int] = {}
        self.dxf: dict[int, int] = {}

    def _add(self, tag: str, transform=lambda element: element) -> dict[int, int]:
        """Each child of the new section `tag` -> its index in the team's section."""
        team = _insert_ordered(self.team, tag, STYLE_ORDER)
        known = {_key(child): i for i, child in enumerate(team)}
        mapping = {}
        source = self.new.find(_q(MAIN, tag))
        for i, child in enumerate(source if source is not None else []):
            clone = transform(copy.deepcopy(child))
            key = _key(clone)
            if key not in known:
                known[key] = len(team)
                team.append(clone)
            mapping[i] = known[key]
        if len(team):
            team.set("count", str(len(team)))
        else:
            self.team.remove(team)
        return mapping

    def merge(self) -> None:
        team_formats = self.team.find(_q(MAIN, "numFmts"))
        codes = {f.get("formatCode"): int(f.get("numFmtId")) for f in (team_formats if team_formats is not None else [])}
        number_map = {}
        new_formats = self.new.find(_q(MAIN, "numFmts"))
        for fmt in (new_formats if new_formats is not None else []):
            code = fmt.get("formatCode")
            if code not in codes:
                codes[code] = max(set(codes.values()) | {163}) + 1
            number_map[fmt.get("numFmtId")] = str(codes[code])

        def renumber(fmt):
            fmt.set("numFmtId", number_map[fmt.get("numFmtId")])
            return fmt

        self._add("numFmts", renumber)
        fonts, fills, borders = (self._add(tag) for tag in ("fonts", "fills", "borders"))

        def remap(xf):
            number = xf.get("numFmtId", "0")
            xf.set("numFmtId", number_map.get(number, number))
            for attribute, mapping in (("fontId", fonts), ("fillId", fills), ("borderId", borders)):
                xf.set(attribute, str(mapping[int(xf.get(attribute, "0"))]))
            xf.set("xfId", "0")
            return xf

        self.xf = self._add("cellXfs", remap)
        self.dxf = self._add("dxfs")

    def restyle(self, root) -> None:
        """Point a new sheet's or table's style references at the merged styles."""
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            local = element.tag.rsplit("}", 1)[-1]
            if local in ("c", "row") and element.get("s") is not None:
                element.set("s", str(self.xf[int(element.get("s"))]))
            if local == "col" and element.get("style") is not None:
                element.set("style", str(self.xf[int(element.get("style"))]))
            for attribute in DXF_ATTRIBUTES:
                if element.get(attribute) is not None:
                    element.set(attribute, str(self.dxf[int(element.get(attribute))]))


def _inline_strings(sheet, shared: list) -> None:
    """Turn shared-string cells into inline strings, so no shared table is touched."""
    for cell in sheet.iter(_q(MAIN, "c")):
        if cell.get("t") != "s":
            continue
        value = cell.find(_q(MAIN, "v"))
        item = shared[int(value.text)]
        cell.remove(value)
        cell.set("t", "inlineStr")
        inline = copy.deepcopy(item)
        inline.tag = _q(MAIN, "is")
        cell.append(inline)


def _untab(sheet) -> None:
    """A spliced sheet must not be selected too, or Excel would group it with the team's."""
    for view in sheet.iter(_q(MAIN, "sheetView")):
        view.attrib.pop("tabSelected", None)


class _Splice:
    def __init__(self, team: _Package, new: _Package, path: Path):
        self.team, self.new, self.path = team, new, path
        self.workbook_part = _workbook_part(team)
        self.workbook = _parse(team.parts[self.workbook_part])
        if self.workbook.tag != _q(MAIN, "workbook"):
            raise InPlaceRefused(f"{path}: is saved as Strict Open XML, which leverkit does not edit in place")
        self.wb_rels_part = _rels_name(self.workbook_part)
        self.wb_rels = _parse(team.parts[self.wb_rels_part])
        self.types = _parse(team.parts["[Content_Types].xml"])
        self.new_types = {o.get("PartName").lstrip("/"): o.get("ContentType") for o in _parse(new.parts["[Content_Types].xml"])
                          if o.get("PartName")}
        self.rels = team.rels(self.workbook_part)
        styles = next((t for kind, t in self.rels.values() if kind.endswith("/styles")), None)
        if styles is None:
            raise InPlaceRefused(f"{path}: has no style sheet part, so its styles cannot be extended safely")
        self.styles_part = styles
        new_book = _workbook_part(new)
        self.new_sheets = {s.get("name"): new.rels(new_book)[s.get(_q(REL, "id"))][1]
                           for s in _parse(new.parts[new_book]).iter(_q(MAIN, "sheet"))}
        new_styles = next(t for kind, t in new.rels(new_book).values() if kind.endswith("/styles"))
        self.style = _StyleMerge(_parse(team.parts[styles]), _parse(new.parts[new_styles]))
        shared = next((t for kind, t in new.rels(new_book).values() if kind.endswith("/sharedStrings")), None)
        self.shared = list(_parse(new.parts[shared])) if shared else []
        self.table_id = 0

    # -- checks before anything changes -------------------------------------

    def ours(self) -> dict[str, object]:
        """Sheets leverkit wrote earlier, whatever they are called now: output name -> sheet element."""
        by_name = {s.get("name"): s for s in self.workbook.iter(_q(MAIN, "sheet"))}
        found = {}
        for d in self.workbook.iter(_q(MAIN, "definedName")):
            target = marked_sheet(d.get("name", ""), d.text) if d.get("localSheetId") is None else None
            if target in by_name:
                found[d.get("name")[len(MARKER_PREFIX):]] = by_name[target]
        return found

    def check(self, ours: dict) -> None:
        protection = self.workbook.find(_q(MAIN, "workbookProtection"))
        if protection is not None and protection.get("lockStructure") in ("1", "true"):
            raise InPlaceRefused(f"{self.path}: its structure is protected, so sheets cannot be added without the password")
        writing = {name.casefold() for name in self.new_sheets}
        for sheet in self.workbook.iter(_q(MAIN, "sheet")):
            name = sheet.get("name", "")
            if name.casefold() in writing and not any(sheet is mine for mine in ours.values()):
                raise InPlaceRefused(
                    f"{self.path}: already has its own sheet named {name!r}, which writing in place would replace"
                )
        our_parts = {p for s in ours.values() for p in self.team.closure(self.rels[s.get(_q(REL, "id"))][1])}
        taken = set()
        for part, data in self.team.parts.items():
            if part.startswith("xl/tables/") and part.endswith(".xml") and part not in our_parts:
                table = _parse(data)
                taken |= {table.get("name", "").casefold(), table.get("displayName", "").casefold()}
                self.table_id = max(self.table_id, int(table.get("id", "0")))
        for part, data in self.new.parts.items():
            if part.startswith("xl/tables/"):
                name = _parse(data).get("name", "")
                if name.casefold() in taken:
                    raise InPlaceRefused(f"{self.path}: already has a table named {name!r}; rename it to write in place")

    # -- the edit ------------------------------------------------------------

    def _set_type(self, part: str, content_type: str | None) -> None:
        from lxml import etree

        for override in self.types.findall(_q(CT, "Override")):
            if override.get("PartName") == "/" + part:
                self.types.remove(override)
        if content_type:
            etree.SubElement(self.types, _q(CT, "Override"), PartName="/" + part, ContentType=content_type)

    def _drop(self, part: str) -> None:
        self.team.parts.pop(part, None)
        self._set_type(part, None)

    def _copy_part(self, source: str, target: str, transform=None) -> None:
        """Copy a new part (and its own relationships, recursively) to `target`."""
        data = self.new.parts[source]
        if transform is not None:
            root = _parse(data)
            transform(root)
            data = _dump(root)
        self.team.parts[target] = data
        self._set_type(target, self.new_types.get(source))
        rels = self.new.parts.get(_rels_name(source))
        if rels is None:
            return
        root = _parse(rels)
        stem = posixpath.splitext(posixpath.basename(target))[0]
        for n, rel in enumerate(root, start=1):
            if rel.get("TargetMode") == "External":
                continue
            child = _resolve(source, rel.get("Target"))
            folder = posixpath.dirname(child)
            child_target = posixpath.join(folder, f"{stem}-{n}{posixpath.splitext(child)[1]}")
            rel.set("Target", _relative(target, child_target))
            self._copy_part(child, child_target, self._table if folder.endswith("tables") else None)
        self.team.parts[_rels_name(target)] = _dump(root)

    def _table(self, table) -> None:
        self.table_id += 1
        table.set("id", str(self.table_id))
        self.style.restyle(table)

    def _sheet(self, sheet) -> None:
        _inline_strings(sheet, self.shared)
        _untab(sheet)
        self.style.restyle(sheet)

    def run(self) -> None:
        from lxml import etree

        ours = self.ours()
        self.check(ours)
        self.style.merge()
        for sheet in ours.values():
            part = self.rels[sheet.get(_q(REL, "id"))][1]
            for old in self.team.closure(part):
                if posixpath.basename(old).startswith(PREFIX) or old == _rels_name(part):
                    self._drop(old)
        sheets = self.workbook.find(_q(MAIN, "sheets"))
        next_id = max(int(s.get("sheetId")) for s in sheets) + 1
        for name, source in self.new_sheets.items():
            existing = ours.get(name)
            if existing is not None:
                existing.set("name", name)
                target = self.rels[existing.get(_q(REL, "id"))][1]
            else:
                target = posixpath.join(posixpath.dirname(self.workbook_part), "worksheets", f"{PREFIX}{name.lower()}.xml")
                rel_id = self._new_rel_id()
                etree.SubElement(self.wb_rels, _q(PKG_REL, "Relationship"), Id=rel_id, Type=WORKSHEET_TYPE,
                                 Target=_relative(self.workbook_part, target))
                sheet = etree.SubElement(sheets, _q(MAIN, "sheet"), name=name, sheetId=str(next_id))
                sheet.set(_q(REL, "id"), rel_id)
                next_id += 1
            self._copy_part(source, target, self._sheet)
        self._mark()
        self.team.parts[self.workbook_part] = _dump(self.workbook)
        self.team.parts[self.wb_rels_part] = _dump(self.wb_rels)
        self.team.parts[self.styles_part] = _dump(self.style.team)
        self.team.parts["[Content_Types].xml"] = _dump(self.types)

    def _new_rel_id(self) -> str:
        taken = {r.get("Id") for r in self.wb_rels}
        n = 1
        while f"rIdLeverkit{n}" in taken:
            n += 1
        return f"rIdLeverkit{n}"

    def _mark(self) -> None:
        """A hidden marker name for each of leverkit's sheets, replacing earlier ones."""
        from lxml import etree

        names = _insert_ordered(self.workbook, "definedNames", WORKBOOK_ORDER)
        for old in [d for d in names if d.get("name", "").startswith(MARKER_PREFIX) and d.get("localSheetId") is None]:
            names.remove(old)
        for sheet in self.new_sheets:
            name, refers_to = marker(sheet)
            etree.SubElement(names, _q(MAIN, "definedName"), name=name, hidden="1").text = refers_to


def splice(team: bytes, ranked: bytes, source) -> bytes:
    """The team's workbook with the ranked workbook's sheets spliced in, as new bytes.

    Pure: no files are touched. Raises InPlaceRefused where losing nothing
    cannot be guaranteed; `source` names the workbook in that message.
    """
    with zipfile.ZipFile(io.BytesIO(team)) as zf:
        refuse_hostile_xml(zf, source)
    package = _Package(team)
    try:
        _Splice(package, _Package(ranked), source).run()
    except (KeyError, ValueError, TypeError) as exc:
        raise InPlaceRefused(f"{source}: has a package layout leverkit cannot edit safely ({exc})") from None
    buffer = io.BytesIO()
    package.write(buffer)
    return buffer.getvalue()


def refuse_if_open(path: Path) -> None:
    who = open_by(path)
    if who is not None:
        raise InPlaceRefused(
            f"{path}: is open in Excel{f' by {who}' if who else ''}; close it there before writing in place"
        )


def replace_unless_changed(path: Path, data: bytes, before: os.stat_result) -> None:
    """Write `data` over `path` in one step, unless someone saved the file since `before`."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        shutil.copymode(path, tmp)
        now = os.stat(path)
        if (now.st_mtime_ns, now.st_size) != (before.st_mtime_ns, before.st_size):
            raise InPlaceRefused(f"{path}: was saved by someone else while leverkit worked; run again")


def write_in_place(ranking: Ranking, path: str | Path) -> Path:
    """Add Ranked, Projection, Portfolio and Issues to the team's workbook at `path`.

    Refuses (InPlaceRefused, file untouched) when the workbook is open in
    Excel or when nothing-lost cannot be guaranteed; the file is replaced in
    one step, and not at all if someone saved it meanwhile.
    """
    from .excel import build

    path = Path(path)
    refuse_if_open(path)
    before = path.stat()
    ranked = io.BytesIO()
    build(ranking, ranked)
    replace_unless_changed(path, splice(path.read_bytes(), ranked.getvalue(), path), before)
    return path
