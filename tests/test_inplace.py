"""--in-place: the ranked sheets go into the team's workbook and nothing of the team's is lost."""
import posixpath
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

import leverkit
from leverkit.cli import cli
from leverkit.errors import InPlaceRefused, WriteFailed
from leverkit.template import xlwings_vba_project

from .conftest import (HEADERS, audit, calamine_sheets, edit_package, initiative, owner_file, parts, rich_workbook,
                       xml_edit)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
EDITED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
OURS = ["Decision", "Ranked", "Projection", "Portfolio", "Issues"]


def team_view(path, sheets=("Initiatives", "Budget")) -> dict:
    """What a person would notice: every cell, formula, format, validation, rule, table, name, comment, image, chart."""
    wb = openpyxl.load_workbook(path, keep_vba=str(path).endswith(".xlsm"))
    view = {"names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
    for name in sheets:
        ws = wb[name]
        view[name] = {
            "cells": [(c.coordinate, c.value, c.number_format, c.font.b, c.fill.fgColor.rgb) for row in ws.iter_rows() for c in row],
            "validations": [(str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation],
            "conditional": [(str(cf.sqref), [r.type for r in cf.rules]) for cf in ws.conditional_formatting],
            "tables": [(t.name, t.ref) for t in ws.tables.values()],
            "comments": [(c.coordinate, c.comment.text) for row in ws.iter_rows() for c in row if c.comment],
            "images": len(ws._images),
            "charts": len(ws._charts),
            "local names": sorted(ws.defined_names),
            "freeze": ws.freeze_panes,
        }
    view["sheets"] = wb.sheetnames
    return view


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_nothing_of_the_team_is_lost(tmp_path, suffix):
    path = rich_workbook(tmp_path / f"team{suffix}", tmp_path)
    before_parts, before_view = parts(path), team_view(path)
    assert before_view["Budget"]["images"] == 1 and before_view["Budget"]["charts"] == 1
    assert before_view["Budget"]["comments"] and before_view["Initiatives"]["validations"]

    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)

    after_parts, after_view = parts(path), team_view(path)
    for name, data in before_parts.items():
        if name not in EDITED:
            assert after_parts[name] == data, f"{name} changed"
    assert after_view["sheets"] == ["Initiatives", "Budget"] + OURS
    after_view["sheets"] = before_view["sheets"]
    markers = [(f"_leverkit_{name}", f"'{name}'!$A$1") for name in OURS]  # how a re-run knows its own sheets
    assert [n for n in after_view["names"] if n[0].startswith("_leverkit_")] == sorted(markers)
    after_view["names"] = [n for n in after_view["names"] if not n[0].startswith("_leverkit_")]
    assert after_view == before_view
    if suffix == ".xlsm":
        assert after_parts["xl/vbaProject.bin"] == xlwings_vba_project()
        assert b"macroEnabled" in after_parts["[Content_Types].xml"]
    sheets = calamine_sheets(path)
    assert sheets["Ranked"][1][2] == "Portal" and sheets["Budget"][4][1] == 600


def test_edited_parts_only_gain(tmp_path):
    from lxml import etree

    def canonical(elements):
        return [etree.tostring(e, method="c14n") for e in elements]

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    before = parts(path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    after = parts(path)
    for name in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
        old, new = etree.fromstring(before[name]), etree.fromstring(after[name])
        assert set(canonical(old)) <= set(canonical(new)), name
    for name in ("xl/workbook.xml", "xl/styles.xml"):
        old, new = etree.fromstring(before[name]), etree.fromstring(after[name])
        for section in old:
            grown = new.find(section.tag)
            assert grown is not None, f"{name}: {section.tag} lost"
            assert canonical(grown)[: len(section)] == canonical(section), f"{name}: {section.tag} changed"
            assert {k: v for k, v in grown.attrib.items() if k != "count"} == {
                k: v for k, v in section.attrib.items() if k != "count"}


def test_second_run_replaces_our_sheets_and_changes_nothing_else(tmp_path):
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    ranking = leverkit.rank(leverkit.load(path))
    leverkit.write_in_place(ranking, path)
    first = parts(path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert parts(path) == first
    assert openpyxl.load_workbook(path).sheetnames == ["Initiatives", "Budget"] + OURS


def test_excel_namespace_prefixes_survive(tmp_path):
    """Excel's files declare prefixes used only inside mc:Ignorable; losing one corrupts the file for Excel."""
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    data = parts(path)
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    extra = (b' xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac x16r2"'
             b' xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"'
             b' xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main"')
    data["xl/styles.xml"] = data["xl/styles.xml"].replace(main, main + extra, 1)
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    styles = parts(path)["xl/styles.xml"]
    assert b'mc:Ignorable="x14ac x16r2"' in styles and b"xmlns:x14ac=" in styles and b"xmlns:x16r2=" in styles


def test_refuses_a_workbook_open_in_excel_and_says_who(tmp_path):
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    owner_file(path, "Jane Doe")
    before = path.read_bytes()
    with pytest.raises(InPlaceRefused, match="is open in Excel by Jane Doe"):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert path.read_bytes() == before


def test_cli_falls_back_to_the_separate_workbook_when_refused(tmp_path):
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    owner_file(path, "Jane Doe")
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["report", str(path), "--in-place", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "is open in Excel by Jane Doe" in result.output and "wrote the separate ranked workbook instead" in result.output
    assert path.read_bytes() == before
    assert (tmp_path / "out" / "team_ranked.xlsx").exists() and (tmp_path / "out" / "team.html").exists()


def test_refuses_when_the_team_has_its_own_ranked_sheet(team):
    path = team([initiative()])
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("ranked")["A1"] = "our own notes"
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(InPlaceRefused, match="already has its own sheet named 'ranked'"):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert path.read_bytes() == before


def test_refuses_a_structure_protected_workbook(team):
    from openpyxl.workbook.protection import WorkbookProtection

    path = team([initiative()])
    wb = openpyxl.load_workbook(path)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.save(path)
    with pytest.raises(InPlaceRefused, match="structure is protected"):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)


def test_refuses_a_clashing_table_name(tmp_path):
    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Initiatives")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, [v if v is not None else "" for v in initiative(id="A").values()])
    ws.add_table(0, 0, 1, len(HEADERS) - 1, {"name": "Issues", "columns": [{"header": h} for h in HEADERS]})
    wb.close()
    with pytest.raises(InPlaceRefused, match="already has a table named 'Issues'"):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)


def test_an_openpyxl_workbook_gains_the_sheets(team):
    path = team([initiative(initiative="Checklist")])
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    sheets = calamine_sheets(path)
    assert list(sheets) == ["Initiatives"] + OURS
    assert sheets["Ranked"][1][2] == "Checklist"
    wb = openpyxl.load_workbook(path)
    assert wb["Ranked"]["H2"].number_format == '#,##0 "USD";[Red]-#,##0 "USD"'
    assert not wb["Ranked"].sheet_view.tabSelected


def test_a_failed_write_leaves_the_workbook_whole(tmp_path, monkeypatch):
    from leverkit import inplace

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    before = path.read_bytes()

    def broken(source, target):
        raise OSError("disk full")  # after the new workbook was written beside the old one

    monkeypatch.setattr(inplace.shutil, "copymode", broken)
    with pytest.raises(WriteFailed, match="disk full"):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logo.png", "team.xlsx"]


def colleague_saves(path):
    """Someone opens the workbook, adds an initiative and saves it (different bytes)."""
    wb = openpyxl.load_workbook(path)
    wb["Initiatives"].append([initiative(id="I9")[h] for h in HEADERS])
    wb.save(path)
    return path.read_bytes()


def test_a_save_by_someone_else_meanwhile_is_not_overwritten(tmp_path, monkeypatch):
    from leverkit import excel

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    build = excel.build_workbook
    saved = []

    def build_while_someone_saves(ranking, target, step=None):
        build(ranking, target, step)
        if not saved:
            saved.append(colleague_saves(path))

    monkeypatch.setattr("leverkit.pipeline.build_workbook", build_while_someone_saves)
    result = CliRunner().invoke(cli, ["report", str(path), "--in-place", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "was saved by someone else while leverkit worked" in result.output
    assert path.read_bytes() == saved[0]  # the colleague's save stands
    assert (tmp_path / "out" / "team_ranked.xlsx").exists()


def test_a_ranking_of_older_bytes_is_never_spliced(tmp_path):
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    ranking = leverkit.rank(leverkit.load(path))
    after = colleague_saves(path)
    with pytest.raises(InPlaceRefused, match="was saved by someone else after leverkit read it"):
        leverkit.write_in_place(ranking, path)
    assert path.read_bytes() == after


def test_the_rewritten_workbook_keeps_its_permissions_and_group(tmp_path):
    import os
    import stat

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    os.chmod(path, 0o640)
    group = 4242 if os.geteuid() == 0 else os.getgid()  # as root, a group nobody else here has
    os.chown(path, -1, group)
    leverkit.report(path, tmp_path / "out", in_place=True)
    after = os.stat(path)
    assert "Ranked" in openpyxl.load_workbook(path).sheetnames
    assert stat.S_IMODE(after.st_mode) == 0o640 and after.st_gid == group


# -- reading a package as Excel would, with lxml -------------------------------------------------------------------

def workbook_of(path):
    from lxml import etree

    return etree.fromstring(parts(path)["xl/workbook.xml"])


def sheet_list(path) -> list[str]:
    return [s.get("name") for s in workbook_of(path).iter(f"{{{MAIN}}}sheet")]


def defined_names(path) -> list[tuple]:
    """Every defined name as (name, localSheetId, hidden, what it refers to), in the file's order."""
    return [(d.get("name"), d.get("localSheetId"), d.get("hidden"), d.text)
            for d in workbook_of(path).iter(f"{{{MAIN}}}definedName")]


def markers(path) -> list[tuple]:
    return [n for n in defined_names(path) if n[0].startswith("_leverkit_")]


def rels_of(data: dict, part: str) -> list[str]:
    """The parts `part` leads to, by its relationships (external ones left out)."""
    from lxml import etree

    rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels not in data:
        return []
    return [resolved(part, r.get("Target")) for r in etree.fromstring(data[rels]) if r.get("TargetMode") != "External"]


def resolved(source: str, target: str) -> str:
    """A relationship's target as a part name: absolute (openpyxl writes /xl/...) or relative to its source."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join(posixpath.dirname(source), target))


def sheet_part(data: dict, sheet: str) -> str:
    from lxml import etree

    rel_id = next(s.get(f"{{{REL}}}id") for s in etree.fromstring(data["xl/workbook.xml"]).iter(f"{{{MAIN}}}sheet")
                  if s.get("name") == sheet)
    rels = etree.fromstring(data["xl/_rels/workbook.xml.rels"])
    target = next(r.get("Target") for r in rels if r.get("Id") == rel_id)
    return resolved("xl/workbook.xml", target)


def held_by(data: dict, sheet: str) -> list[str]:
    """A sheet's part and every part it leads to (its rels, tables, drawing, chart...)."""
    found, stack = [], [sheet_part(data, sheet)]
    while stack:
        part = stack.pop()
        if part not in found:
            found.append(part)
            rels = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
            found += [rels] if rels in data else []
            stack += rels_of(data, part)
    return found


def keep_renamed(path, old: str, new: str, rename_tables: bool = False):
    """What a person does in Excel to keep leverkit's sheet `old` as a snapshot: renames it (Excel rewrites every
    reference to it, leverkit's marker among them) and, with `rename_tables`, renames its tables too."""
    data = parts(path)

    def rename(root):
        for sheet in root.iter(f"{{{MAIN}}}sheet"):
            if sheet.get("name") == old:
                sheet.set("name", new)
        quoted = "'" + new.replace("'", "''") + "'!"
        for name in root.iter(f"{{{MAIN}}}definedName"):
            name.text = name.text.replace(f"'{old}'!", quoted).replace(f"{old}!", quoted)

    def table(root):
        for attribute in ("name", "displayName"):
            root.set(attribute, root.get(attribute) + "Q1")

    edits = {"xl/workbook.xml": xml_edit(rename)}
    if rename_tables:
        edits.update({part: xml_edit(table) for part in held_by(data, old) if part.startswith("xl/tables/")})
    return edit_package(path, edits)


def add_names(*names: str):
    """A package edit adding the definedName elements `names` (XML text) to workbook.xml."""
    from lxml import etree

    def add(root):
        found = root.find(f"{{{MAIN}}}definedNames")
        for name in names:
            found.append(etree.fromstring(f'<definedName xmlns="{MAIN}" {name}</definedName>'))
    return {"xl/workbook.xml": xml_edit(add)}


def separate_sheets(ranking, tmp_path) -> dict:
    from leverkit.excel import build_workbook as build

    build(ranking, tmp_path / "separate.xlsx")
    return calamine_sheets(tmp_path / "separate.xlsx")


# -- a sheet the team renamed to keep it is the team's ---------------------------------------------------------------

def test_a_renamed_leverkit_sheet_is_kept_and_a_fresh_one_written(tmp_path):
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    first = calamine_sheets(path)["Portfolio"]
    keep_renamed(path, "Portfolio", "Portfolio Q1 snapshot", rename_tables=True)
    before, findings = parts(path), audit(path)
    kept = held_by(before, "Portfolio Q1 snapshot")
    assert any(part.startswith("xl/tables/") for part in kept)

    ranking = leverkit.rank(leverkit.load(path))
    leverkit.write_in_place(ranking, path)

    after = parts(path)
    assert sheet_list(path) == ["Initiatives", "Budget", "Decision", "Ranked", "Projection", "Portfolio Q1 snapshot",
                                "Issues", "Portfolio"]
    for part in kept:  # the kept sheet, its tables and its print settings, byte for byte
        assert after[part] == before[part], part
    assert markers(path) == [(f"_leverkit_{name}", None, "1", f"'{name}'!$A$1") for name in OURS]
    assert ("_xlnm.Print_Titles", "5", None, "'Portfolio Q1 snapshot'!$1:$1") in defined_names(path)
    sheets = calamine_sheets(path)
    assert sheets["Portfolio Q1 snapshot"] == first
    assert sheets["Portfolio"] == separate_sheets(ranking, tmp_path)["Portfolio"]
    assert audit(path) - findings == set()
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert parts(path) == after  # the kept sheet is no longer taken for leverkit's


def test_a_kept_sheet_still_holding_leverkit_table_names_refuses(tmp_path):
    """A fresh sheet's tables cannot take the kept ones' names (Excel forbids two tables by one name), and other names
    would drift with every snapshot while the team's formulas on them show the old figures; so leverkit refuses and
    says which tables to rename."""
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    keep_renamed(path, "Portfolio", "Portfolio Q1 snapshot")
    before = path.read_bytes()
    with pytest.raises(InPlaceRefused, match=r"its sheet 'Portfolio Q1 snapshot', once leverkit's Portfolio sheet, was "
                                             r"renamed and so is kept as the team's, but it still holds the tables "
                                             r"'PortfolioByForm', 'Funding', 'Recommended', 'SettingsUsed', "
                                             r"which leverkit's fresh sheets need"):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert path.read_bytes() == before


def test_a_sheet_renamed_only_in_case_is_still_leverkits(tmp_path):
    """Excel's sheet names ignore case: "ranked" is the same name, so the sheet is replaced and named as leverkit
    names it."""
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    first = parts(path)
    keep_renamed(path, "Ranked", "ranked")
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert parts(path) == first


def test_a_save_that_renames_every_part_leaves_nothing_behind(team):
    """Excel (like openpyxl here) renames every part when it saves: leverkit-ranked.xml becomes sheet2.xml. The next
    run still replaces all of its sheets' parts, leaving no table behind that a later run would take for the team's."""
    path = team([initiative(id="A"), initiative(id="B", initiative="Checklist")])
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    openpyxl.load_workbook(path).save(path)
    assert not any("leverkit" in part for part in parts(path))
    findings = audit(path)
    for _ in range(2):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
        data = parts(path)
        held = {part for sheet in sheet_list(path) for part in held_by(data, sheet)}
        assert {part for part in data if part.startswith(("xl/worksheets/", "xl/tables/", "xl/drawings/", "xl/charts/"))
                } == held
    assert sheet_list(path) == ["Initiatives"] + OURS
    assert audit(path) - findings == set()


def test_a_table_part_no_sheet_holds_is_no_clash(tmp_path):
    """Earlier versions left a replaced sheet's tables behind after such a save; Excel knows no table no sheet holds
    (and drops it when it saves), so its name does not stop leverkit's."""
    from lxml import etree

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)

    def ranked(root):
        root.set("name", "Ranked")
        root.set("displayName", "Ranked")

    orphan = xml_edit(ranked)(parts(path)["xl/tables/table1.xml"])
    content_types = xml_edit(lambda root: root.append(etree.fromstring(
        '<Override xmlns="http://schemas.openxmlformats.org/package/2006/content-types" PartName="/xl/tables/table9.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>')))
    edit_package(path, {"xl/tables/table9.xml": orphan, "[Content_Types].xml": content_types})
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert sheet_list(path) == ["Initiatives", "Budget"] + OURS and parts(path)["xl/tables/table9.xml"] == orphan


# -- only leverkit's own markers are leverkit's ------------------------------------------------------------------

TEAM_NAMES = ('name="_leverkit_notes">Budget!$A$2:$A$4',
              'name="_leverkit_Ranked" localSheetId="1">Budget!$B$5',  # local to Budget: a different name
              'name="_leverkit_Portfolio_old" hidden="1">Budget!$A$1')


def test_team_names_that_start_like_a_marker_are_left_alone(tmp_path):
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    edit_package(path, add_names(*TEAM_NAMES))
    before, findings = defined_names(path), audit(path)
    assert len(before) == 5
    for _ in range(2):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
        after = defined_names(path)
        assert after[:5] == before
        assert [n for n in after[5:] if n[0].startswith("_leverkit_")] == [
            (f"_leverkit_{name}", None, "1", f"'{name}'!$A$1") for name in OURS]
    assert audit(path) - findings == set()


@pytest.mark.parametrize("hidden, refers_to", [("", "Budget!$A$1"), ("", "'Budget'!$B$2:$B$4"),
                                               ('hidden="1" ', "Budget!$B$2:$B$4")])
def test_a_team_name_that_is_a_marker_name_refuses(tmp_path, hidden, refers_to):
    """A person's own `_leverkit_Ranked` is never taken for leverkit's marker, nor replaced by one."""
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    edit_package(path, add_names(f'name="_leverkit_Ranked" {hidden}>{refers_to}'))
    before = path.read_bytes()
    message = f"already has a defined name '_leverkit_Ranked' (referring to {refers_to}) that is not leverkit's hidden"
    with pytest.raises(InPlaceRefused, match=re.escape(message)):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert path.read_bytes() == before


def test_the_excel_buttons_visible_markers_are_leverkits(tmp_path):
    """The Excel button cannot hide its markers (xlwings has no way), and Excel saves them bare: Ranked!$A$1."""
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    first = parts(path)

    def as_the_button_leaves_them(root):
        for name in root.iter(f"{{{MAIN}}}definedName"):
            if name.get("name").startswith("_leverkit_"):
                del name.attrib["hidden"]
                name.text = name.text.replace("'", "")

    edit_package(path, {"xl/workbook.xml": xml_edit(as_the_button_leaves_them)})
    assert markers(path)[0] == ("_leverkit_Decision", None, None, "Decision!$A$1")
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert parts(path) == first


def test_the_marker_of_a_deleted_sheet_is_replaced(tmp_path):
    """Excel turns a deleted sheet's marker into #REF!$A$1; a fresh sheet gets a fresh marker, never a second one."""
    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    edit_package(path, add_names('name="_leverkit_Ranked" hidden="1">#REF!$A$1'))
    findings = audit(path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert markers(path) == [(f"_leverkit_{name}", None, "1", f"'{name}'!$A$1") for name in OURS]
    assert audit(path) - findings == set()


# -- leverkit's cells look as leverkit meant, whatever the team's style sheet redefines ------------------------------

REDEFINED = {0: "#", 1: "#", 3: "0.000", 9: "0.0000%", 165: "yyyy", 166: "@", 167: "0.00000", 168: "[Red]0"}


def test_number_formats_are_leverkits_whatever_the_team_redefined(tmp_path):
    """A style sheet may redefine built-in number format ids (one in Apache POI's test files defines id 1 as "#");
    leverkit's cells refer only to ids of their own. Ids 164-168 are the custom ones XlsxWriter gives leverkit's."""
    from lxml import etree

    from leverkit.excel import build_workbook as build, number_formats

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)

    def redefine(root):
        formats = root.find(f"{{{MAIN}}}numFmts")
        for number, code in REDEFINED.items():
            etree.SubElement(formats, f"{{{MAIN}}}numFmt", numFmtId=str(number), formatCode=code)
        formats.set("count", str(len(formats)))

    edit_package(path, {"xl/styles.xml": xml_edit(redefine)})
    before, findings = team_view(path), audit(path)
    ranking = leverkit.rank(leverkit.load(path))
    leverkit.write_in_place(ranking, path)

    build(ranking, tmp_path / "separate.xlsx")
    spliced, separate = openpyxl.load_workbook(path), openpyxl.load_workbook(tmp_path / "separate.xlsx")
    for name in separate.sheetnames:
        assert [(c.coordinate, c.number_format) for row in spliced[name].iter_rows() for c in row] == [
            (c.coordinate, c.number_format) for row in separate[name].iter_rows() for c in row], name
    codes, ranked = number_formats(ranking.plan.settings.currency), spliced["Ranked"]
    assert [ranked[cell].number_format for cell in ("A2", "C2", "J2", "K2", "O2", "Q2")] == [
        codes["int"], "General", codes["percent"], codes["money"], codes["multiple"], codes["number"]]
    after = team_view(path)
    assert {k: v for k, v in after.items() if k not in ("names", "sheets")} == {
        k: v for k, v in before.items() if k not in ("names", "sheets")}
    styles = etree.fromstring(parts(path)["xl/styles.xml"])
    custom = {f.get("numFmtId"): f.get("formatCode") for f in styles.find(f"{{{MAIN}}}numFmts")}
    table_formats = list(styles.find(f"{{{MAIN}}}dxfs").iter(f"{{{MAIN}}}numFmt"))
    assert table_formats and all(int(f.get("numFmtId")) >= 164 and custom[f.get("numFmtId")] == f.get("formatCode")
                                 for f in table_formats)
    assert audit(path) - findings == set()


# -- a sheet leverkit no longer writes is removed, and every sheet index follows its sheet --------------------------

RANGED = [initiative(id="A1", initiative="Runbook"),
          initiative(id="A2", initiative="Portal", quality_1_5=2, value_per_reach=90, upfront_cost="800 to 1,200")]


def ranged_team(path):
    """A team workbook whose Initiatives has a range (so leverkit writes Sensitivity), with names local to its
    sheets, the Notes sheet active."""
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Initiatives")
    ws.write_row(0, 0, HEADERS)
    for r, row in enumerate(RANGED, start=1):
        for c, header in enumerate(HEADERS):
            if row[header] is not None:
                ws.write(r, c, row[header])
    notes = wb.add_worksheet("Notes")
    notes.write_column(0, 0, ["Agreed in March", "Review in June"])
    notes.activate()
    wb.define_name("Initiatives!PlanRows", "=Initiatives!$A$2:$P$3")
    wb.define_name("Notes!NotesList", "=Notes!$A$1:$A$2")
    wb.define_name("AllNotes", "=Notes!$A$1:$A$2")
    wb.close()
    return path


def move_sheet(path, name: str, index: int):
    """What Excel does when a person drags sheet `name` to position `index`: every sheet index follows its sheet."""
    def move(root):
        sheets = root.find(f"{{{MAIN}}}sheets")
        order = list(sheets)
        sheet = next(s for s in order if s.get("name") == name)
        sheets.remove(sheet)
        sheets.insert(index, sheet)
        now = [list(sheets).index(s) for s in order]  # old index -> new index
        for defined in root.iter(f"{{{MAIN}}}definedName"):
            if defined.get("localSheetId") is not None:
                defined.set("localSheetId", str(now[int(defined.get("localSheetId"))]))
        for view in root.iter(f"{{{MAIN}}}workbookView"):
            for attribute in ("activeTab", "firstSheet"):
                view.set(attribute, str(now[int(view.get(attribute, "0"))]))
    return edit_package(path, {"xl/workbook.xml": xml_edit(move)})


def set_tabs(path, active: str, first: str):
    def tabs(root):
        order = [s.get("name") for s in root.iter(f"{{{MAIN}}}sheet")]
        view = root.find(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView")
        view.set("activeTab", str(order.index(active)))
        view.set("firstSheet", str(order.index(first)))
    return edit_package(path, {"xl/workbook.xml": xml_edit(tabs)})


def type_over(path, sheet: str, text: str, number: float):
    """A person types `number` over the cell of `sheet` holding the (shared) string `text`."""
    from lxml import etree

    data = parts(path)
    strings = ["".join(si.itertext()) for si in etree.fromstring(data["xl/sharedStrings.xml"])]

    def retype(root):
        for cell in root.iter(f"{{{MAIN}}}c"):
            if cell.get("t") == "s" and strings[int(cell.findtext(f"{{{MAIN}}}v"))] == text:
                del cell.attrib["t"]
                cell.find(f"{{{MAIN}}}v").text = str(number)
    return edit_package(path, {sheet_part(data, sheet): xml_edit(retype)})


def local_names(path) -> dict[str, list[tuple[str, str]]]:
    """Each sheet's local names, (name, what it refers to), with the sheet found by index as Excel finds it."""
    order = sheet_list(path)
    found = {}
    for name, local, _, text in defined_names(path):
        if local is not None:
            found.setdefault(order[int(local)], []).append((name, text))
    return found


def tabs(path) -> tuple[str, str]:
    order, view = sheet_list(path), workbook_of(path).find(f"{{{MAIN}}}bookViews/{{{MAIN}}}workbookView")
    return order[int(view.get("activeTab", "0"))], order[int(view.get("firstSheet", "0"))]


@pytest.mark.parametrize("moved, index, active, first, active_after", [
    ("Notes", 6, "Notes", "Notes", "Notes"),  # team sheets after the retired one
    ("Sensitivity", 0, "Notes", "Initiatives", "Notes"),  # the retired sheet first of all
    ("Issues", 4, "Sensitivity", "Sensitivity", "Portfolio"),  # the active tab was the retired sheet: the one before it
])
def test_a_retired_sheet_leaves_every_index_on_its_sheet(tmp_path, moved, index, active, first, active_after):
    path = ranged_team(tmp_path / "team.xlsx")
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert sheet_list(path) == ["Initiatives", "Notes", "Decision", "Ranked", "Projection", "Portfolio", "Sensitivity",
                                "Issues"]
    move_sheet(path, moved, index)
    set_tabs(path, active, first)
    type_over(path, "Initiatives", "800 to 1,200", 1000)  # no range left: no Sensitivity sheet
    before, names, findings = sheet_list(path), local_names(path), audit(path)
    assert set(names) == {"Initiatives", "Notes", "Ranked", "Projection", "Portfolio", "Sensitivity", "Issues"}

    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)

    assert sheet_list(path) == [name for name in before if name != "Sensitivity"]
    after = local_names(path)
    assert after["Initiatives"] == names["Initiatives"] and after["Notes"] == names["Notes"]
    for sheet, found in after.items():  # every local name, leverkit's print titles too, is on the sheet it names
        assert all(text.startswith((f"{sheet}!", f"'{sheet}'!")) for _, text in found), sheet
    assert "Sensitivity" not in after and ("AllNotes", None, None, "Notes!$A$1:$A$2") in defined_names(path)
    assert [n[0] for n in markers(path)] == [f"_leverkit_{name}" for name in OURS]
    assert tabs(path) == (active_after, first if first != "Sensitivity" else "Portfolio")
    assert not any("sensitivity" in part for part in parts(path))
    assert b"sensitivity" not in parts(path)["[Content_Types].xml"]
    wb = openpyxl.load_workbook(path)  # a second reader agrees
    assert wb.active.title == active_after
    assert wb["Notes"].defined_names["NotesList"].attr_text == "Notes!$A$1:$A$2"
    assert wb["Initiatives"].defined_names["PlanRows"].attr_text == "Initiatives!$A$2:$P$3"
    assert audit(path) - findings == set()


# -- what in place refuses to edit --------------------------------------------------------------------------------

STRICT = {"http://schemas.openxmlformats.org/spreadsheetml/2006/main": "http://purl.oclc.org/ooxml/spreadsheetml/main",
          REL: "http://purl.oclc.org/ooxml/officeDocument/relationships"}


def as_strict(data: bytes) -> bytes:
    """A part as Strict Open XML writes it: its namespaces and relationship types under purl.oclc.org."""
    from lxml import etree

    root = etree.fromstring(data)
    for element in root.iter():
        name = etree.QName(element)
        if name.namespace in STRICT:
            element.tag = etree.QName(STRICT[name.namespace], name.localname)
        for key in list(element.attrib):
            attribute = etree.QName(key)
            if attribute.namespace in STRICT:
                element.attrib[etree.QName(STRICT[attribute.namespace], attribute.localname)] = element.attrib.pop(key)
        if element.get("Type", "").startswith(REL + "/"):
            element.set("Type", STRICT[REL] + element.get("Type")[len(REL):])
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def test_refuses_a_strict_open_xml_workbook(tmp_path):
    from leverkit.excel import build_workbook as build
    from leverkit.inplace import splice

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    ranking = leverkit.rank(leverkit.load(path))
    data = parts(path)
    edit_package(path, {name: as_strict for name in data if name.endswith((".xml", ".rels")) and not
                        name.startswith("docProps/") and name != "[Content_Types].xml"})
    assert workbook_of(path).tag == "{http://purl.oclc.org/ooxml/spreadsheetml/main}workbook"
    build(ranking, tmp_path / "ranked.xlsx")
    with pytest.raises(InPlaceRefused, match="team.xlsx: is saved as Strict Open XML, which leverkit does not edit"):
        splice(path.read_bytes(), (tmp_path / "ranked.xlsx").read_bytes(), path)


def test_refuses_a_workbook_without_a_style_sheet(tmp_path):
    from lxml import etree

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)

    def no_styles_relationship(root):
        for rel in [r for r in root if r.get("Type") == f"{REL}/styles"]:
            root.remove(rel)

    def no_styles_type(root):
        for override in [o for o in root if o.get("PartName") == "/xl/styles.xml"]:
            root.remove(override)

    edit_package(path, {"xl/styles.xml": None, "xl/_rels/workbook.xml.rels": xml_edit(no_styles_relationship),
                        "[Content_Types].xml": xml_edit(no_styles_type)})
    assert "xl/styles.xml" not in parts(path)
    assert etree.fromstring(parts(path)["xl/_rels/workbook.xml.rels"]).find(f"{{{PKG}}}Relationship") is not None
    before = path.read_bytes()
    with pytest.raises(InPlaceRefused, match="team.xlsx: has no style sheet part, so its styles cannot be extended"):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert path.read_bytes() == before
