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
changes position or index. A sheet the team renamed is the team's from then
on: it is kept as it is, and a fresh sheet is written under leverkit's name.
"""
from __future__ import annotations

import copy
import hashlib
import io
import os
import posixpath
import shutil
import zipfile
from pathlib import Path
from typing import Any

from .errors import InPlaceRefused, LeverkitError
from .files import atomic_path, open_by
from .package import Package, rels_name, resolve
from .tables import marked_output, marked_sheet, marker

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_TYPE = REL + "/worksheet"
PREFIX = "leverkit-"
STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
               "tableStyles", "colors", "extLst")
WORKBOOK_ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
                  "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
                  "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects",
                  "extLst")  # CT_Workbook's sequence (ECMA-376 Part 1, 18.2.27)
FIRST_CUSTOM_FORMAT = 164  # number format ids below this are Excel's built-in ones
DXF_ATTRIBUTES = ("dxfId", "headerRowDxfId", "dataDxfId", "totalsRowDxfId", "headerRowBorderDxfId",
                  "tableBorderDxfId", "totalsRowBorderDxfId")


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _dump(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _relative(source: str, target: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source))


def _insert_ordered(parent, tag: str, order: tuple[str, ...], ns: str = MAIN):
    """The child `tag` of `parent`, created in its schema position if missing.

    It goes before the first child that the schema's sequence puts after it;
    children of other namespaces (extensions, alternate content) are passed over.
    """
    from lxml import etree

    found = parent.find(_q(ns, tag))
    if found is not None:
        return found
    element = etree.Element(_q(ns, tag))
    later = {_q(ns, name) for name in order[order.index(tag) + 1:]}
    for i, child in enumerate(parent):
        if child.tag in later:
            parent.insert(i, element)
            return element
    parent.append(element)
    return element


def _zip(package: Package) -> bytes:
    """The package's parts as a zip, in their original order, new parts last."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in package.names:
            if name in package.parts:
                zf.writestr(name, package.parts[name])
        for name in package.parts:
            if name not in package.names:
                zf.writestr(name, package.parts[name])
    return buffer.getvalue()


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
        self.formats: dict[str, str] = {}  # number format code -> the id of the team's custom format with it

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

    def _format_id(self, code: str) -> str:
        """The id of a custom number format (164 or more) in the team's style sheet with exactly `code`:
        the team's own where it has one, else a new one added after all of the team's ids."""
        from lxml import etree

        if code not in self.formats:
            team = _insert_ordered(self.team, "numFmts", STYLE_ORDER)
            number = max([int(f.get("numFmtId")) for f in team] + [FIRST_CUSTOM_FORMAT - 1]) + 1
            etree.SubElement(team, _q(MAIN, "numFmt"), numFmtId=str(number), formatCode=code)
            team.set("count", str(len(team)))
            self.formats[code] = str(number)
        return self.formats[code]

    def merge(self) -> None:
        """Merge the new style sheet's number formats, fonts, fills, borders, cell formats and table formats.

        leverkit's cell formats never refer to a built-in number format id (below 164): a style sheet may
        redefine one (a real one defines id 1, "0", as "#"), and leverkit's cells would take that look. Each
        format leverkit uses gets a custom id with its exact code instead, the built-in ones' codes as
        ECMA-376 lists them (openpyxl's table of them).
        """
        from openpyxl.styles.numbers import BUILTIN_FORMATS

        team_formats = self.team.find(_q(MAIN, "numFmts"))
        for fmt in (team_formats if team_formats is not None else []):
            if int(fmt.get("numFmtId")) >= FIRST_CUSTOM_FORMAT:
                self.formats.setdefault(fmt.get("formatCode"), fmt.get("numFmtId"))
        new_formats = self.new.find(_q(MAIN, "numFmts"))
        codes = {f.get("numFmtId"): f.get("formatCode") for f in (new_formats if new_formats is not None else [])}
        fonts, fills, borders = (self._add(tag) for tag in ("fonts", "fills", "borders"))

        named = self.team.find(_q(MAIN, "cellStyleXfs"))
        has_normal = named is not None and len(named) > 0

        def remap(xf):
            number = xf.get("numFmtId", "0")
            xf.set("numFmtId", self._format_id(codes.get(number) or BUILTIN_FORMATS[int(number)]))
            for attribute, mapping in (("fontId", fonts), ("fillId", fills), ("borderId", borders)):
                xf.set(attribute, str(mapping[int(xf.get(attribute, "0"))]))
            if has_normal:
                xf.set("xfId", "0")  # the team's Normal style
            else:
                xf.attrib.pop("xfId", None)  # a style sheet without cell styles: refer to none
            return xf

        def renumber(dxf):
            for fmt in dxf.iter(_q(MAIN, "numFmt")):  # a table column's format: its code, under the merged id
                fmt.set("numFmtId", self._format_id(fmt.get("formatCode")))
            return dxf

        self.xf = self._add("cellXfs", remap)
        self.dxf = self._add("dxfs", renumber)

    def restyle(self, root) -> None:
        """Point a new sheet's or table's style references at the merged styles."""
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            local = element.tag.rsplit("}", 1)[-1]
            if local in ("c", "row") and element.get("s") is not None:
                element.set("s", str(self.xf[int(element.get("s"))]))
            elif local == "c" and self.xf:  # a cell in the default look takes leverkit's default, not the team's
                element.set("s", str(self.xf[0]))
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
    def __init__(self, team: Package, new: Package, path):
        self.team, self.new, self.path = team, new, path
        self.workbook_part = team.workbook_part
        self.workbook = team.xml(self.workbook_part)
        if self.workbook.tag != _q(MAIN, "workbook"):
            raise InPlaceRefused(f"{path}: is saved as Strict Open XML, which leverkit does not edit in place")
        self.wb_rels_part = rels_name(self.workbook_part)
        self.wb_rels = team.xml(self.wb_rels_part)
        self.types = team.xml("[Content_Types].xml")
        new_types = new.xml("[Content_Types].xml")
        self.new_types = {o.get("PartName").lstrip("/"): o.get("ContentType")
                          for o in new_types.iter(_q(CT, "Override"))}
        self.new_defaults = {d.get("Extension").lower(): d.get("ContentType") for d in new_types.iter(_q(CT, "Default"))}
        self.rels = team.rels(self.workbook_part)
        styles = next((t for kind, t in self.rels.values() if kind.endswith("/styles")), None)
        if styles is None or styles not in team.parts:
            raise InPlaceRefused(f"{path}: has no style sheet part, so its styles cannot be extended safely")
        self.styles_part = styles
        new_rels = new.rels(new.workbook_part)
        self.new_sheets = new.sheets
        self.new_workbook = new.xml(new.workbook_part)
        new_styles = next(t for kind, t in new_rels.values() if kind.endswith("/styles"))
        self.style = _StyleMerge(team.xml(styles), new.xml(new_styles))
        shared = next((t for kind, t in new_rels.values() if kind.endswith("/sharedStrings")), None)
        self.shared = list(new.xml(shared)) if shared else []
        self.table_id = 0

    # -- checks before anything changes -------------------------------------

    def markers(self) -> list[tuple[str, Any, Any]]:
        """leverkit's marker names: (output sheet, the definedName, the sheet it points at, or None once deleted).

        A marker is book-wide, named and referring exactly as `marked_sheet`
        requires, and hidden, as this module writes it. The Excel button's
        markers are visible (xlwings cannot hide a name), so a visible one
        counts only where it points at the sheet of leverkit's own name or at no
        sheet: pointing anywhere else, it may be a person's own name.
        """
        by_name = {s.get("name", "").casefold(): s for s in self.workbook.iter(_q(MAIN, "sheet"))}
        found = []
        for d in self.workbook.iter(_q(MAIN, "definedName")):
            target = marked_sheet(d.get("name", ""), d.text) if d.get("localSheetId") is None else None
            if target is None:
                continue
            output, sheet = marked_output(d.get("name", "")), by_name.get(target.casefold())
            if output is None:
                continue
            if d.get("hidden") in ("1", "true") or sheet is None or target.casefold() == output.casefold():
                found.append((output, d, sheet))
        return found

    @staticmethod
    def ours(markers) -> dict[str, Any]:
        """leverkit's sheets still under leverkit's name (Excel's names ignore case): output name -> sheet element.

        A marked sheet the team renamed is the team's now (a snapshot kept, say):
        it is left as it is and a fresh sheet is written under leverkit's name.
        """
        return {output: sheet for output, _, sheet in markers
                if sheet is not None and sheet.get("name", "").casefold() == output.casefold()}

    def _holders(self) -> dict[str, str]:
        """Each part a team sheet leads to (its tables, drawings...) -> that sheet's name."""
        holders: dict[str, str] = {}
        for name, part in self.team.sheets.items():
            for held in self.team.closure(part):
                holders.setdefault(held, name)
        return holders

    def check(self, markers, ours: dict) -> None:
        """Refuse, before anything changes, whatever writing in place would overwrite or make ambiguous.

        A renamed leverkit sheet the team kept still holds its tables under
        leverkit's table names. Writing a fresh sheet whose tables took other
        names would let those names drift with every snapshot kept (Ranked2,
        Ranked3...) while the team's formulas, such as =SUM(Ranked[NPV]), go on
        pointing at the kept table's old figures unseen; so leverkit refuses and
        says which tables to rename (Excel updates the formulas that use them).
        """
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
        recognised = {id(d) for _, d, _ in markers}
        wanted = {marker(name)[0].casefold(): name for name in self.new_sheets}
        for d in self.workbook.iter(_q(MAIN, "definedName")):
            output = wanted.get(d.get("name", "").casefold())
            if output is not None and d.get("localSheetId") is None and id(d) not in recognised:
                raise InPlaceRefused(
                    f"{self.path}: already has a defined name {d.get('name')!r} (referring to {d.text}) that is not "
                    f"leverkit's hidden marker of its {output} sheet; rename or delete it (Formulas > Name Manager) "
                    f"to write in place")
        kept = {sheet.get("name"): output for output, _, sheet in markers
                if sheet is not None and not any(sheet is mine for mine in ours.values())}
        our_parts = {p for s in ours.values() for p in self.team.closure(self.rels[s.get(_q(REL, "id"))][1])}
        holders = self._holders()
        taken: dict[str, tuple[str, str | None]] = {d.get("name", "").casefold(): ("a defined name", None)
                                                    for d in self.workbook.iter(_q(MAIN, "definedName"))}
        for part in self.team.parts:
            if part.startswith("xl/tables/") and part.endswith(".xml") and part not in our_parts:
                table = self.team.xml(part)
                self.table_id = max(self.table_id, int(table.get("id", "0")))
                if part in holders:  # a table no sheet holds is none Excel knows
                    for name in (table.get("name", ""), table.get("displayName", "")):
                        taken[name.casefold()] = ("a table", holders[part])
        needed = [self.new.xml(part).get("name", "") for part in self.new.parts
                  if part.startswith("xl/tables/") and part.endswith(".xml")]
        clashes = [(name, *taken[name.casefold()]) for name in needed if name.casefold() in taken]
        if not clashes:
            return
        name, kind, holder = clashes[0]
        if holder in kept:
            tables = [repr(n) for n, _, h in clashes if h == holder]
            raise InPlaceRefused(
                f"{self.path}: its sheet {holder!r}, once leverkit's {kept[holder]} sheet, was renamed and so is kept "
                f"as the team's, but it still holds the table{'s' if len(tables) > 1 else ''} {', '.join(tables)}, "
                f"which leverkit's fresh sheets need, and Excel allows no two tables by one name; rename "
                f"{'them' if len(tables) > 1 else 'it'} (Table Design > Table Name) to write in place")
        where = f" on its sheet {holder!r}" if holder else ""
        raise InPlaceRefused(f"{self.path}: already has {kind} named {name!r}{where}, and Excel allows no second table "
                             f"or name by that name; rename it to write in place")

    # -- the edit ------------------------------------------------------------

    def _set_type(self, part: str, content_type: str | None) -> None:
        from lxml import etree

        for override in self.types.findall(_q(CT, "Override")):
            if override.get("PartName") == "/" + part:
                self.types.remove(override)
        if content_type is None:
            return
        extension = posixpath.splitext(part)[1].lstrip(".").lower()
        defaults = {d.get("Extension", "").lower(): d for d in self.types.findall(_q(CT, "Default"))}
        if extension in defaults and defaults[extension].get("ContentType") == content_type:
            return
        if extension == "rels" and extension not in defaults:
            first = self.types.find(_q(CT, "Override"))
            default = etree.Element(_q(CT, "Default"), Extension="rels", ContentType=content_type)
            if first is None:
                self.types.append(default)
            else:
                first.addprevious(default)
            return
        etree.SubElement(self.types, _q(CT, "Override"), PartName="/" + part, ContentType=content_type)

    def _type_of(self, part: str) -> str | None:
        """A new part's content type as the generated package declares it."""
        return self.new_types.get(part) or self.new_defaults.get(posixpath.splitext(part)[1].lstrip(".").lower())

    def _drop(self, part: str) -> None:
        self.team.parts.pop(part, None)
        self._set_type(part, None)

    def _copy_part(self, source: str, target: str, transform=None) -> None:
        """Copy a new part (and its own relationships, recursively) to `target`."""
        data = self.new.parts[source]
        if transform is not None:
            root = self.new.xml(source)
            transform(root)
            data = _dump(root)
        self.team.parts[target] = data
        self._set_type(target, self._type_of(source))
        rels = self.new.parts.get(rels_name(source))
        if rels is None:
            return
        root = self.new.xml(rels_name(source))
        stem = posixpath.splitext(posixpath.basename(target))[0]
        for n, rel in enumerate(root, start=1):
            if rel.get("TargetMode") == "External":
                continue
            child = resolve(source, rel.get("Target"), self.path)
            folder = posixpath.dirname(child)
            child_target = self._free(posixpath.join(folder, f"{stem}-{n}{posixpath.splitext(child)[1]}"))
            rel.set("Target", _relative(target, child_target))
            self._copy_part(child, child_target, self._table if folder.endswith("tables") else None)
        self.team.parts[rels_name(target)] = _dump(root)
        self._set_type(rels_name(target), self._type_of(rels_name(source)))

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

        markers = self.markers()
        ours = self.ours(markers)
        self.check(markers, ours)
        self.style.merge()
        for old in self._only_through(ours):
            self._drop(old)
        for name, sheet in ours.items():
            if name not in self.new_sheets:
                self._retire(sheet)
        sheets = self.workbook.find(_q(MAIN, "sheets"))
        next_id = max(int(s.get("sheetId")) for s in sheets) + 1
        for name, source in self.new_sheets.items():
            existing = ours.get(name)
            if existing is not None:
                existing.set("name", name)
                target = self.rels[existing.get(_q(REL, "id"))][1]
            else:
                target = self._free(posixpath.join(posixpath.dirname(self.workbook_part), "worksheets",
                                                   f"{PREFIX}{name.lower()}.xml"))
                rel_id = self._new_rel_id()
                etree.SubElement(self.wb_rels, _q(PKG_REL, "Relationship"), Id=rel_id, Type=WORKSHEET_TYPE,
                                 Target=_relative(self.workbook_part, target))
                sheet = etree.SubElement(sheets, _q(MAIN, "sheet"), name=name, sheetId=str(next_id))
                sheet.set(_q(REL, "id"), rel_id)
                next_id += 1
            self._copy_part(source, target, self._sheet)
        self._names(markers)
        self.team.parts[self.workbook_part] = _dump(self.workbook)
        self.team.parts[self.wb_rels_part] = _dump(self.wb_rels)
        self.team.parts[self.styles_part] = _dump(self.style.team)
        self.team.parts["[Content_Types].xml"] = _dump(self.types)

    def _only_through(self, ours: dict) -> list[str]:
        """The parts that only leverkit's `ours` sheets lead to: the sheets, their tables, drawings, charts...

        Excel renames every part when it saves (leverkit-ranked.xml becomes
        sheet3.xml), so they are found by what leads to them, never by name;
        a part anything else leads to (the workbook, a team sheet) stays.
        """
        sheets = {self.rels[s.get(_q(REL, "id"))][1] for s in ours.values()}
        live, stack = set(), [target for _, target in self.team.rels("").values()]
        while stack:
            part = stack.pop()
            if part in live or part in sheets or part not in self.team.parts:
                continue
            live |= {part, rels_name(part)}
            stack += [target for _, target in self.team.rels(part).values()]
        return [part for sheet in sheets for part in self.team.closure(sheet) if part not in live]

    def _free(self, part: str) -> str:
        """`part`, or the first of part2, part3... the package does not hold: a sheet leverkit wrote and the
        team kept under another name still holds its parts (leverkit-ranked.xml...), never to be overwritten."""
        stem, extension = posixpath.splitext(part)
        n = 1
        while part in self.team.parts:
            n += 1
            part = f"{stem}{n}{extension}"
        return part

    def _retire(self, sheet) -> None:
        """Remove a sheet leverkit wrote earlier but writes no more (Sensitivity, once no range is left),
        keeping every sheet index the workbook refers to pointing at the same sheet.

        Defined names local to later sheets move down one, with the first and
        active tabs; an active tab that was the retired sheet becomes the one
        before it (or the first).
        """
        sheets = self.workbook.find(_q(MAIN, "sheets"))
        position = list(sheets).index(sheet)
        rel_id = sheet.get(_q(REL, "id"))
        sheets.remove(sheet)
        for rel in [r for r in self.wb_rels if r.get("Id") == rel_id]:
            self.wb_rels.remove(rel)
        for name in list(self.workbook.iter(_q(MAIN, "definedName"))):
            local = name.get("localSheetId")
            if local is not None and int(local) == position:
                name.getparent().remove(name)
            elif local is not None and int(local) > position:
                name.set("localSheetId", str(int(local) - 1))
        for view in self.workbook.iter(_q(MAIN, "workbookView")):
            for attribute in ("activeTab", "firstSheet"):
                index = int(view.get(attribute, "0"))
                if index > position or index == position > 0:
                    view.set(attribute, str(index - 1))

    def _new_rel_id(self) -> str:
        taken = {r.get("Id") for r in self.wb_rels}
        n = 1
        while f"rIdLeverkit{n}" in taken:
            n += 1
        return f"rIdLeverkit{n}"

    def _names(self, markers) -> None:
        """A hidden marker name for each of leverkit's sheets, and each sheet's own names (print titles),
        replacing the ones an earlier run wrote. The `markers` found go, including those of sheets the team
        renamed and kept, so a kept sheet is never again taken for leverkit's; every other name stays."""
        from lxml import etree

        names = _insert_ordered(self.workbook, "definedNames", WORKBOOK_ORDER)
        position = {s.get("name"): str(i) for i, s in enumerate(self.workbook.find(_q(MAIN, "sheets")))}
        mine = {position[name] for name in self.new_sheets}
        for _, old, _ in markers:
            names.remove(old)
        for old in list(names):
            if old.get("localSheetId") in mine:
                names.remove(old)
        new_position = list(self.new_sheets)
        for local in self.new_workbook.iter(_q(MAIN, "definedName")):
            if local.get("localSheetId") is not None:
                clone = copy.deepcopy(local)
                clone.set("localSheetId", position[new_position[int(local.get("localSheetId"))]])
                names.append(clone)
        for sheet in self.new_sheets:
            name, refers_to = marker(sheet)
            etree.SubElement(names, _q(MAIN, "definedName"), name=name, hidden="1").text = refers_to
        if not len(names):
            self.workbook.remove(names)


def splice(team: bytes, ranked: bytes, source) -> bytes:
    """The team's workbook with the ranked workbook's sheets spliced in, as new bytes.

    Pure: no files are touched. Raises InPlaceRefused where losing nothing
    cannot be guaranteed (the message names `source`), including any damage
    to the team's package, so the caller can write the separate workbook.
    """
    try:
        package = Package(team, source)
        package.check_whole()
        _Splice(package, Package(ranked, "the ranked workbook"), source).run()
    except InPlaceRefused:
        raise
    except LeverkitError as error:
        raise InPlaceRefused(str(error)) from None
    except (KeyError, ValueError, TypeError, IndexError, StopIteration) as exc:
        raise InPlaceRefused(f"{source}: has a package layout leverkit cannot edit safely ({exc})") from None
    return _zip(package)


def refuse_if_open(path: Path) -> None:
    who = open_by(path)
    if who is not None:
        raise InPlaceRefused(
            f"{path}: is open in Excel{f' by {who}' if who else ''}; close it there before writing in place"
        )


def _keep_owner(tmp: Path, status: os.stat_result, path: Path) -> None:
    """Give the new file the original's group (and owner, where allowed), or refuse."""
    now = os.stat(tmp)
    uid = status.st_uid if os.geteuid() == 0 else -1
    if now.st_gid == status.st_gid and uid in (-1, now.st_uid):
        return
    try:
        os.chown(tmp, uid, status.st_gid)
    except OSError:
        raise InPlaceRefused(f"{path}: belongs to a group (id {status.st_gid}) that leverkit cannot give the rewritten "
                             f"file, so colleagues could lose access to it") from None


def replace_unless_changed(path: Path, data: bytes, read_sha256: str) -> None:
    """Write `data` over `path` in one step, keeping its permission bits and group, unless the
    file's bytes are no longer those that were read (their SHA-256 is `read_sha256`)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
        status = os.stat(path)
        shutil.copymode(path, tmp)
        _keep_owner(tmp, status, path)
        if hashlib.sha256(path.read_bytes()).hexdigest() != read_sha256:
            raise InPlaceRefused(f"{path}: was saved by someone else while leverkit worked; run again")
