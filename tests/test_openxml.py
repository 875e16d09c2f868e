"""Every kind of file leverkit writes passes an OOXML schema validator (openxml-audit).

LibreOffice and openpyxl forgive what makes desktop Excel repair or reject a
file, so each output is validated against the ECMA-376 schemas. For in-place
results, only findings the team's original did not already have count.
"""
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from lxml import etree

import leverkit
from leverkit.cli import cli
from leverkit.errors import InPlaceRefused

from .conftest import audit, calamine_sheets, edit_package, initiative, rich_workbook, xml_edit

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
ROWS = [initiative(id="A1", initiative="Runbook"), initiative(id="A2", initiative="Portal", quality_1_5=2,
                                                              value_per_reach=90, upfront_cost="800 to 1,200")]


def append(xml: str):
    return xml_edit(lambda root: root.append(etree.fromstring(xml)))


def insert_before(tags: tuple[str, ...], xml: str):
    """Insert `xml` before the first child named one of `tags` (those the schema puts after it), or at the end."""
    def change(root):
        element = etree.fromstring(xml)
        later = next((c for c in root if etree.QName(c).localname in tags), None)
        (later.addprevious(element) if later is not None else root.append(element))
    return xml_edit(change)


def relate(rel_id: str, kind: str, target: str):
    return append(f'<Relationship xmlns="{PKG}" Id="{rel_id}" Type="{R}/{kind}" Target="{target}"/>')


def override(part: str, content_type: str):
    return append(f'<Override xmlns="{CT}" PartName="{part}" ContentType="{content_type}"/>')


def chain(*edits):
    def edit(data):
        for e in edits:
            data = e(data)
        return data
    return edit


EXT_LST = ('<extLst xmlns="%s"><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDB5E}" '
           'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">'
           '<x15:workbookPr chartTrackingRefBase="1"/></ext></extLst>' % MAIN)
PIVOT_CACHE = (f'<pivotCacheDefinition xmlns="{MAIN}" refreshOnLoad="1" recordCount="0">'
               '<cacheSource type="worksheet"><worksheetSource ref="A1:B3" sheet="Settings"/></cacheSource>'
               '<cacheFields count="2"><cacheField name="Setting" numFmtId="0"><sharedItems/></cacheField>'
               '<cacheField name="Value" numFmtId="0"><sharedItems/></cacheField></cacheFields></pivotCacheDefinition>')
EXTERNAL_LINK = (f'<externalLink xmlns="{MAIN}" xmlns:r="{R}"><externalBook r:id="rId1"><sheetNames>'
                 '<sheetName val="Sheet1"/></sheetNames></externalBook></externalLink>')
EXTERNAL_RELS = (f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{R}/externalLinkPath" '
                 'Target="budget.xlsx" TargetMode="External"/></Relationships>')
CUSTOM_VIEWS = (f'<customWorkbookViews xmlns="{MAIN}"><customWorkbookView name="Finance" '
                'guid="{2D5A6B1E-0C3B-4E57-9F3A-6A1B2C3D4E5F}" windowWidth="16000" windowHeight="9000" '
                'activeSheetId="1"/></customWorkbookViews>')


def pivot_caches(data):
    return insert_before(("smartTagPr", "extLst"), f'<pivotCaches xmlns="{MAIN}" xmlns:r="{R}"><pivotCache cacheId="7" '
                                       f'r:id="rIdPivot"/></pivotCaches>')(data)


def external_references(data):
    return insert_before(("definedNames", "calcPr"), f'<externalReferences xmlns="{MAIN}" xmlns:r="{R}">'
                                         f'<externalReference r:id="rIdLink"/></externalReferences>')(data)


def custom_views(data):
    return insert_before(("pivotCaches", "extLst"), CUSTOM_VIEWS)(data)


def with_pivot_cache(path):
    return edit_package(path, {
        "xl/workbook.xml": pivot_caches,
        "xl/_rels/workbook.xml.rels": relate("rIdPivot", "pivotCacheDefinition", "pivotCache/pivotCacheDefinition1.xml"),
        "xl/pivotCache/pivotCacheDefinition1.xml": PIVOT_CACHE.encode(),
        "[Content_Types].xml": override("/xl/pivotCache/pivotCacheDefinition1.xml",
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"),
    })


def with_external_link(path):
    return edit_package(path, {
        "xl/workbook.xml": external_references,
        "xl/_rels/workbook.xml.rels": relate("rIdLink", "externalLink", "externalLinks/externalLink1.xml"),
        "xl/externalLinks/externalLink1.xml": EXTERNAL_LINK.encode(),
        "xl/externalLinks/_rels/externalLink1.xml.rels": EXTERNAL_RELS.encode(),
        "[Content_Types].xml": override("/xl/externalLinks/externalLink1.xml",
                                        "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"),
    })


def with_everything(path):
    """No defined names, but calcPr, external links, custom views, pivot caches and extLst around them."""
    with_external_link(path)
    with_pivot_cache(path)
    return edit_package(path, {"xl/workbook.xml": chain(custom_views, append(EXT_LST))})


def template(tmp_path, name="team.xlsx"):
    return leverkit.write_template(tmp_path / name, ROWS)


def rich(tmp_path, name="team.xlsx"):
    return rich_workbook(tmp_path / name, tmp_path)


def macro(tmp_path, name="team.xlsm"):
    return leverkit.write_macro_workbook(tmp_path / name)[0]


def libreoffice_saved(tmp_path, name="team.xlsx"):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = leverkit.write_template(tmp_path / "source" / name, ROWS)
    out = tmp_path / "lo"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    return shutil.copy(out / name, tmp_path / name)


TEAMS = {
    "template (calcPr, no defined names)": template,
    "defined names, images, charts, comments": rich,
    "extLst after calcPr": lambda tmp_path: edit_package(template(tmp_path), {"xl/workbook.xml": append(EXT_LST)}),
    "pivot caches": lambda tmp_path: with_pivot_cache(template(tmp_path)),
    "external links": lambda tmp_path: with_external_link(template(tmp_path)),
    "custom views": lambda tmp_path: edit_package(template(tmp_path), {"xl/workbook.xml": custom_views}),
    "everything after sheets": lambda tmp_path: with_everything(template(tmp_path)),
    "defined names and everything": lambda tmp_path: with_everything(rich(tmp_path)),
    "macro workbook with VBA and a button": macro,
    "saved by LibreOffice": libreoffice_saved,
}


@pytest.mark.parametrize("kind", TEAMS)
def test_in_place_adds_no_schema_finding(tmp_path, kind):
    path = TEAMS[kind](tmp_path)
    before = audit(path)
    if kind != "saved by LibreOffice":  # LibreOffice leaves out the theme, which Excel itself tolerates
        assert before == set(), "the fixture itself should be a valid workbook"
    result = CliRunner().invoke(cli, ["report", str(path), "--in-place", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "wrote the separate ranked workbook instead" not in result.output
    assert audit(path) - before == set()
    assert {"Ranked", "Projection", "Portfolio", "Issues"} <= set(calamine_sheets(path))
    again = CliRunner().invoke(cli, ["report", str(path), "--in-place", "--out", str(tmp_path / "out")])
    assert again.exit_code == 0 and audit(path) - before == set()  # replacing its own sheets stays valid


def test_definednames_goes_before_calcpr_on_the_main_path(tmp_path):
    path = template(tmp_path)
    leverkit.report(path, tmp_path / "out", in_place=True)
    children = [etree.QName(c).localname for c in etree.fromstring(_part(path, "xl/workbook.xml"))]
    assert children.index("definedNames") < children.index("calcPr")


def _part(path, name):
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def test_every_separate_output_passes(tmp_path, team):
    from .conftest import write_team

    source = team(ROWS, settings={"Budget": 5000, "Monthly capacity": 100})  # every Portfolio table and chart
    report = leverkit.report(source, tmp_path / "out")
    written = [p for p in report.written if p.suffix == ".xlsx"]
    written.append(template(tmp_path, "blank.xlsx"))
    written.append(macro(tmp_path, "button.xlsm"))
    drive = tmp_path / "drive"
    drive.mkdir()
    for n in range(2):
        write_team(drive / f"team{n}.xlsx", ROWS)
    leverkit.batch([str(drive)], tmp_path / "batch", workers=1, budget=5000)
    written.append(tmp_path / "batch" / "portfolio.xlsx")
    for path in written:
        assert audit(path) == set(), path.name


def test_a_package_without_a_rels_default_gets_one(tmp_path):
    path = template(tmp_path)

    def no_rels_default(root):
        for default in root.findall(f"{{{CT}}}Default"):
            if default.get("Extension") == "rels":
                root.remove(default)
        for part in ("/_rels/.rels", "/xl/_rels/workbook.xml.rels", "/xl/worksheets/_rels/sheet1.xml.rels",
                     "/xl/worksheets/_rels/sheet2.xml.rels"):
            root.append(etree.fromstring(f'<Override xmlns="{CT}" PartName="{part}" '
                                         f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'))

    edit_package(path, {"[Content_Types].xml": xml_edit(no_rels_default)})
    before = audit(path)
    leverkit.report(path, tmp_path / "out", in_place=True)
    assert audit(path) - before == set()
    types = etree.fromstring(_part(path, "[Content_Types].xml"))
    assert any(d.get("Extension") == "rels" for d in types.iter(f"{{{CT}}}Default"))


def test_a_style_sheet_without_cell_styles_gets_no_dangling_references(tmp_path):
    path = template(tmp_path)

    def no_cell_styles(root):
        for tag in ("cellStyleXfs", "cellStyles"):
            root.remove(root.find(f"{{{MAIN}}}{tag}"))
        for xf in root.find(f"{{{MAIN}}}cellXfs"):
            xf.attrib.pop("xfId", None)

    edit_package(path, {"xl/styles.xml": xml_edit(no_cell_styles)})
    before = audit(path)
    leverkit.report(path, tmp_path / "out", in_place=True)
    assert audit(path) - before == set()
    styles = etree.fromstring(_part(path, "xl/styles.xml"))
    assert styles.find(f"{{{MAIN}}}cellStyleXfs") is None
    assert all(xf.get("xfId") is None for xf in styles.find(f"{{{MAIN}}}cellXfs"))


def test_a_defined_name_equal_to_a_table_name_refuses(tmp_path):
    path = template(tmp_path)
    edit_package(path, {"xl/workbook.xml": insert_before(
        ("calcPr",), f'<definedNames xmlns="{MAIN}"><definedName name="Issues">Settings!$A$1</definedName></definedNames>')})
    before = path.read_bytes()
    with pytest.raises(InPlaceRefused, match="already has a defined name named 'Issues'"):
        leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    assert path.read_bytes() == before


def _flip_a_bit(part):
    """A package edit storing `part` uncompressed with one byte changed after its CRC was computed."""
    def damage(path):
        import zipfile

        with zipfile.ZipFile(path) as zf:
            items = [(i, zf.read(i.filename)) for i in zf.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
            for info, data in items:
                zf.writestr(info.filename, data)
        raw = bytearray(path.read_bytes())
        at = raw.index(b"<Properties") if part == "docProps/app.xml" else None
        raw[at + 1] ^= 0x20  # flips 'P' to 'p' in the stored bytes: the CRC no longer matches
        path.write_bytes(bytes(raw))
        return path
    return damage


DAMAGE = {
    "bad CRC in a part nobody reads": _flip_a_bit("docProps/app.xml"),
    "broken XML in a table part": lambda path: edit_package(path, {"xl/tables/table1.xml": b"<table"}),
    "a relationship with no Target": lambda path: edit_package(path, {
        "xl/_rels/workbook.xml.rels": append(f'<Relationship xmlns="{PKG}" Id="rIdX" Type="{R}/custom"/>')}),
    "a target outside the package": lambda path: edit_package(path, {
        "xl/_rels/workbook.xml.rels": relate("rIdX", "custom", "../../../../x.xml")}),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_part_refuses_in_place_and_writes_the_separate_workbook(tmp_path, damage):
    path = DAMAGE[damage](template(tmp_path))
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["report", str(path), "--in-place", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "is damaged" in result.output
    assert "wrote the separate ranked workbook instead" in result.output
    assert path.read_bytes() == before
    assert (tmp_path / "out" / "team_ranked.xlsx").exists()
