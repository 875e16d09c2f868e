"""Files that are not usable workbooks: one clear sentence each, never a traceback."""
import re
import zipfile

import pytest
from click.testing import CliRunner

import leverkit
from leverkit import LeverkitError
from leverkit.cli import cli

from .conftest import initiative

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def _replace_part(source, target, part, data):
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, data if item.filename == part else zin.read(item.filename))
    return target


def _fails(path, message):
    with pytest.raises(LeverkitError, match=message):
        leverkit.load(path)
    result = CliRunner().invoke(cli, ["report", str(path), "--out", str(path.parent / "out")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1 and re.search(message, result.output)
    assert not (path.parent / "out").exists()


def test_text_file(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_text("ID,Initiative\n1,x\n")
    _fails(path, r"is a text file \(such as CSV\), not an Excel workbook; open it in Excel and save it as .xlsx")


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "plan.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    _fails(path, "is not an Excel workbook")  # a zip file with no workbook in it


def test_missing_file(tmp_path):
    _fails(tmp_path / "nope.xlsx", "cannot be opened")


def test_password_protected_workbook(team, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = team([initiative()])
    locked = tmp_path / "locked.xlsx"
    with open(plain, "rb") as source, open(locked, "wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    _fails(locked, "is password-protected")


def test_billion_laughs_is_refused(team, tmp_path):
    hostile = _replace_part(team([initiative()]), tmp_path / "lol.xlsx", "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    _fails(hostile, "refused: xl/worksheets/sheet1.xml declares a DTD or XML entities")


def test_damaged_workbook_xml(team, tmp_path):
    broken = _replace_part(team([initiative()]), tmp_path / "broken.xlsx", "xl/workbook.xml", b"<workbook")
    _fails(broken, "is damaged")


def test_no_initiatives_sheet_through_the_cli(team):
    _fails(team([initiative()], sheet="Ideas"), "has no Initiatives sheet")


def test_formula_without_a_saved_value_in_settings_stops(team):
    _fails(team([initiative()], settings={"Horizon (months)": "=12*3"}),
           r"Settings!B2: Horizon \(months\) is a formula with no saved value .*open it in Excel or LibreOffice, save it")
