"""Hostile, huge and mistaken input: one sentence naming the file (and cell), never a crash, never a
non-finite number written, and nothing read or written outside the folders given."""
import math
import re
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

import leverkit
from leverkit.cli import cli

from .conftest import audit, calamine_sheets, edit_package, initiative, write_team

HUGE = "1" + "0" * 400


def report(path, *args):
    return CliRunner().invoke(cli, ["report", str(path), "--out", str(path.parent / "out"), *args])


def one_sentence(result, *pieces):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1, result.output
    for piece in pieces:
        assert piece in result.output, result.output


def finite_numbers(path):
    """Every number in every sheet python-calamine reads back, each finite."""
    numbers = [v for rows in calamine_sheets(path).values() for row in rows for v in row if isinstance(v, float)]
    assert numbers and all(math.isfinite(v) for v in numbers)


@pytest.mark.parametrize("fields, cell", [
    ({"upfront_cost": HUGE}, "F3"),
    ({"upfront_cost": "1" + "0" * 200 + " to " + "2" + "0" * 200}, "F3"),
    ({"reach_month": 1e300, "value_per_reach": 1e300}, "H3"),
    ({"upfront_cost": 1e308}, "F3"),
])
def test_inputs_that_cannot_give_finite_results_are_named_invalid_cells(team, fields, cell):
    path = team([initiative(id="OK"), initiative(id="X", **fields), initiative(id="Y", upfront_cost=1e308)])
    result = leverkit.report(path, path.parent / "out")
    assert [i.id for i in result.plan.initiatives] == ["OK"]
    bad = [i for i in result.plan.issues if i.id == "X"]
    assert bad[0].cell == cell and bad[0].code == "too-large"
    assert "is beyond 1,000,000,000,000,000" in bad[0].message and len(bad[0].message) < 200
    finite_numbers(result.written[0])


def test_a_budget_too_large_for_a_number_stops_with_one_sentence(team):
    one_sentence(report(team([initiative()], settings={"Budget": HUGE})), "Settings!B2: Budget 1000")


def test_a_setting_with_newlines_gives_a_one_line_message(team):
    one_sentence(report(team([initiative()], settings={"Discount rate (annual)": "ten\npercent\n\nplease"})),
                 "Discount rate (annual) 'ten percent please' is not a number")


def test_an_absurd_amplification_threshold_is_a_bad_setting_not_a_crash(team):
    one_sentence(report(team([initiative()], settings={"Amplification threshold": 1e308})),
                 "Settings!B2: Amplification threshold")


def test_markup_in_names_ids_and_currency_is_plain_text_everywhere(team):
    path = team([initiative(id="$x^$", initiative=r"$\foo$"), initiative(id="B", initiative="計画 🚀 <b>&")],
                settings={"Currency": r"$\bad$"})
    result = report(path)
    assert result.exit_code == 0, result.output
    html = (path.parent / "out" / f"{path.stem}.html").read_text()
    assert r"$\foo$" in html and "$x^$" in html and "計画 🚀 &lt;b&gt;&amp;" in html
    assert audit(path.parent / "out" / f"{path.stem}_ranked.xlsx") == set()


def test_control_characters_are_left_out_of_every_file_and_said_so(tmp_path):
    import xlsxwriter  # openpyxl refuses to write control characters; Excel and XlsxWriter store them

    path = tmp_path / "team.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("Initiatives")
        ws.write_row(0, 0, ["ID", "Initiative", "Leverage form", "Upfront cost", "Reach / month", "Value per reach",
                            "Quality (1-5)", "Budget\x07code"])
        ws.write_row(1, 0, ["A1", "Bell\x07 ringer", "code", 100, 10, 20, 4, "x\x01y"])
        wb.add_worksheet("Settings").write_column(0, 0, ["Setting", "Currency"])
        wb.get_worksheet_by_name("Settings").write_column(0, 1, ["Value", "EU\x1bR"])
    result = leverkit.report(path, tmp_path / "out")
    ranked = result.written[0]
    assert audit(ranked) == set()
    sheets = calamine_sheets(ranked)
    assert sheets["Ranked"][0][-1] == "Budgetcode" and sheets["Ranked"][1][2] == "Bell ringer"
    assert sheets["Ranked"][1][-1] == "xy"
    notes = [i for i in result.plan.issues if i.code == "text-cleaned"]
    assert {i.cell for i in notes} == {"B2", "B2", "H2"} and result.plan.invalid_rows == 0
    assert {i.sheet for i in notes} == {"Initiatives", "Settings"} and "control characters" in notes[0].message
    leverkit.report(path, tmp_path / "inplace", in_place=True)
    assert audit(path) == set()


def test_a_stray_cell_at_the_last_address_is_refused_before_reading(team, tmp_path):
    path = team([initiative()])
    edit_package(path, {"xl/worksheets/sheet1.xml": lambda data: data.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>')})
    one_sentence(report(path), "Initiatives sheet reaches cell XFD1048576", "leverkit reads sheets of up to")


@pytest.mark.parametrize("stray", [
    b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>",  # single quotes
    b'<row r = "1048576"><c r = "XFD1048576"><v>1</v></c></row>',  # spaces around =
    b'<row r="1048576"><c r="xfd1048576"><v>1</v></c></row>',  # lower case
    b'<row r="0001048576"><c r="XFD0001048576"><v>1</v></c></row>',  # leading zeros
    b"<row><c/>" + b"<c/>" * 16383 + b"</row>",  # cells without r, placed by position
])
def test_every_way_of_writing_a_far_cell_is_measured_before_reading(team, tmp_path, stray):
    path = team([initiative()])
    rows = stray if b"<c/>" not in stray else b"<row/>" * 200 + stray  # the wide row 200 rows further down
    edit_package(path, {"xl/worksheets/sheet1.xml": lambda data: data.replace(b"</sheetData>", rows + b"</sheetData>")})
    one_sentence(report(path), "Initiatives sheet reaches cell", "leverkit reads sheets of up to")


def test_text_or_a_watch_that_looks_like_a_far_reference_is_not_a_cell(team, tmp_path):
    path = team([initiative(initiative='Look r="XFD1048576"')])
    edit_package(path, {"xl/worksheets/sheet1.xml": lambda data: data.replace(
        b"</sheetData>", b'</sheetData><cellWatches><cellWatch r="XFD1048576"/></cellWatches>', 1)})
    result = report(path)
    assert result.exit_code == 0, result.output


def test_a_decompression_bomb_is_refused_by_the_parts_declared_size(team, tmp_path):
    path = team([initiative()])
    bomb = b"<x>" + b" " * (110 * 2**20) + b"</x>"
    edit_package(path, {"xl/worksheets/sheet9.xml": bomb})
    assert path.stat().st_size < 2 * 2**20
    one_sentence(report(path), "refused: its part xl/worksheets/sheet9.xml inflates to 110 MiB")


def test_a_package_of_parts_each_within_the_limit_but_too_large_together_is_refused(team):
    """Four parts of 80 MiB each (under the 100 MiB a part) inflate to 320 MiB, over the 300 MiB a workbook."""
    path = team([initiative()])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as package:
        for k in range(4):
            with package.open(f"xl/media/filler{k}.bin", "w") as part:
                for _ in range(80):
                    part.write(b" " * 2**20)
    assert path.stat().st_size < 2 * 2**20
    one_sentence(report(path), "refused: it inflates to 320 MiB, over leverkit's limit of 300 MiB")


def test_a_package_of_too_many_parts_is_refused(team):
    path = team([initiative()])
    with zipfile.ZipFile(path, "a") as package:
        for k in range(10_000):
            package.writestr(f"customXml/item{k}.xml", b"")
    one_sentence(report(path), "refused: it has 10,0", "parts; workbooks leverkit reads have at most 10,000")


def test_cell_text_beyond_excels_limit_is_an_invalid_cell(team):
    plan = leverkit.load(team([initiative(id="A", notes="n" * 40_000), initiative(id="B")]))
    assert [i.id for i in plan.initiatives] == ["B"]
    assert plan.issues[0].code == "too-long" and "past the 32,767 Excel allows" in plan.issues[0].message


def test_long_runs_of_spaces_are_read_in_linear_time(team):
    rows = [initiative(id=f"S{n}", upfront_cost="1" + " " * 32_000 + "x") for n in range(20)]
    plan = leverkit.load(team(rows))
    assert plan.invalid_rows == 20 and all(i.code == "not-a-number" for i in plan.issues)


def test_ten_thousand_duplicate_ids_name_each_duplicate_once_briefly(team):
    plan = leverkit.load(team([initiative(id="TBD") for _ in range(10_000)]))
    assert plan.invalid_rows == 10_000 and len(plan.issues) == 10_000
    assert max(len(i.message) for i in plan.issues) < 120
    assert plan.issues[0].message == "ID 'TBD' is used on 10,000 rows (A2, A3, A4 and 9,997 more); give each initiative its own ID"


def _with_sheet(path, data):
    return edit_package(path, {"xl/worksheets/sheet1.xml": data})


DAMAGED = {
    "malformed sheet XML": (lambda p: _with_sheet(p, b"<worksheet><sheetData><row><c r='A1'><f>1+</sheetData>"),
                            "is damaged"),
    "a sheet target outside the package": (lambda p: edit_package(p, {"xl/_rels/workbook.xml.rels": lambda d: d.replace(
        b'Target="/xl/worksheets/sheet1.xml"', b'Target="../../../../x.xml"')}), "is damaged"),
    "a sheet with no name": (lambda p: edit_package(p, {"xl/workbook.xml": lambda d: d.replace(
        b'name="Initiatives" ', b"")}), "has no name"),
    "an entity in a part named .XML": (lambda p: edit_package(p, {
        "xl/worksheets/sheet1.xml": None,
        "xl/worksheets/SHEET1.XML": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><worksheet/>',
        "xl/_rels/workbook.xml.rels": lambda d: d.replace(b"sheet1.xml", b"SHEET1.XML")}), "declares a DTD"),
    "a truncated file": (lambda p: p.write_bytes(p.read_bytes()[:-200]) and p, "is damaged"),
}


@pytest.mark.parametrize("kind", DAMAGED)
def test_damaged_files_get_one_sentence(team, kind):
    make, words = DAMAGED[kind]
    path = team([initiative()])
    make(path)
    one_sentence(report(path), str(path), words)


def test_a_flipped_bit_in_a_sheet_is_named_damaged(team, tmp_path):
    path = team([initiative()])
    with zipfile.ZipFile(path) as zf:
        items = [(i.filename, zf.read(i.filename)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, data in items:
            zf.writestr(name, data)
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"Automate reports") + 2] ^= 0x01
    path.write_bytes(bytes(raw))
    one_sentence(report(path), "is damaged")


@pytest.mark.parametrize("name, content, words", [
    ("plan.csv", b"ID,Initiative\n1,x\n", "is a text file (such as CSV), not an Excel workbook"),
    ("plan.ods", None, "is an OpenDocument spreadsheet (.ods); save it as .xlsx"),
    ("plan.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "is damaged"),
])
def test_other_formats_say_what_the_file_is(tmp_path, name, content, words):
    path = tmp_path / name
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
            zf.writestr("content.xml", "<office:document-content/>")
    else:
        path.write_bytes(content)
    one_sentence(report(path), words)


def test_a_folder_given_to_report_suggests_batch(tmp_path):
    one_sentence(report(tmp_path), "is a folder; to rank every workbook in it, run leverkit batch")


def test_an_output_name_too_long_for_the_file_system_is_one_sentence(team):
    path = team([initiative()], name="p" * 245 + ".xlsx")  # its <name>_ranked.xlsx is too long to create
    one_sentence(report(path), "could not be written (File name too long)")


def test_no_python_warning_reaches_the_terminal(team):
    path = team([initiative(id="JP", initiative="計画の自動化 🚀"), initiative(id="EM", initiative="😀 emoji")])
    run = subprocess.run([sys.executable, "-W", "default", "-m", "leverkit", "report", str(path), "--out",
                          str(path.parent / "out")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Warning" not in run.stderr and "warning" not in run.stderr.lower()


def test_every_public_name_stays_what_it_is_after_use(team, tmp_path):
    drive = tmp_path / "drive"
    drive.mkdir()
    write_team(drive / "a.xlsx", [initiative()])
    for n in range(2):
        plan = leverkit.load(drive / "a.xlsx")
        ranking = leverkit.rank(plan)
        leverkit.write_excel(ranking, tmp_path / f"r{n}.xlsx")
        leverkit.write_html(ranking, tmp_path / f"r{n}.html")
        leverkit.write_template(tmp_path / f"t{n}.xlsx")
        leverkit.write_macro_workbook(tmp_path / f"m{n}.xlsm")
        leverkit.report(drive / "a.xlsx", tmp_path / f"out{n}")
        leverkit.batch([str(drive)], tmp_path / f"batch{n}", workers=1)
        leverkit.write_in_place(leverkit.rank(leverkit.load(drive / "a.xlsx")), drive / "a.xlsx")
    assert all(callable(getattr(leverkit, name)) for name in leverkit.__all__ if name != "__version__")
    assert isinstance(leverkit.__version__, str)
    assert not any(re.search(r" object at 0x", p.name) for p in tmp_path.rglob("*"))
