"""--in-place: the ranked sheets go into the team's workbook and nothing of the team's is lost."""
import zipfile

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

import leverkit
from leverkit.cli import cli
from leverkit.inplace import InPlaceRefused
from leverkit.template import xlwings_vba_project

from .conftest import (HEADERS, audit, calamine_sheets, edit_package, initiative, owner_file, parts, rich_workbook,
                       xml_edit)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EDITED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
OURS = ["Ranked", "Projection", "Portfolio", "Issues"]


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


def test_our_sheets_are_known_by_their_markers_even_when_renamed(tmp_path):
    from lxml import etree

    path = rich_workbook(tmp_path / "team.xlsx", tmp_path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    wb = openpyxl.load_workbook(path)
    assert wb.defined_names["_leverkit_Ranked"].hidden
    data = parts(path)
    # someone renames Ranked to "Old ranking"; Excel rewrites the marker with the sheet
    data["xl/workbook.xml"] = data["xl/workbook.xml"].replace(b'name="Ranked"', b'name="Old ranking"').replace(
        b"'Ranked'!$A$1", b"'Old ranking'!$A$1")
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in data.items():
            zf.writestr(name, content)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    book = etree.fromstring(parts(path)["xl/workbook.xml"])
    names = [s.get("name") for s in book.iter("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet")]
    assert names == ["Initiatives", "Budget"] + OURS


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
    with pytest.raises(OSError, match="disk full"):
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
    build = excel.build
    saved = []

    def build_while_someone_saves(ranking, target):
        build(ranking, target)
        if not saved:
            saved.append(colleague_saves(path))

    monkeypatch.setattr(excel, "build", build_while_someone_saves)
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


# -- leverkit's cells look as leverkit meant, whatever the team's style sheet redefines ------------------------------

REDEFINED = {0: "#", 1: "#", 3: "0.000", 9: "0.0000%", 165: "yyyy", 166: "@", 167: "0.00000", 168: "[Red]0"}


def test_number_formats_are_leverkits_whatever_the_team_redefined(tmp_path):
    """A style sheet may redefine built-in number format ids (one in Apache POI's test files defines id 1 as "#");
    leverkit's cells refer only to ids of their own. Ids 164-168 are the custom ones XlsxWriter gives leverkit's."""
    from lxml import etree

    from leverkit.excel import build, number_formats

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
