"""Error values and formulas without a saved value are found however the sheet's XML is spelled.

Each test writes a real workbook (openpyxl), puts a hand-written Initiatives
sheet in it, and reads it through `leverkit.load`, so the XML parser and
python-calamine (which reads the values) see the same file.
"""
from dataclasses import dataclass, replace
from html import escape

import pytest

import leverkit
from leverkit import LeverkitError
from leverkit.issues import cell_address

from .conftest import HEADERS, edit_package, initiative

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
SHEET = "xl/worksheets/sheet1.xml"  # the Initiatives sheet of a workbook conftest writes


@dataclass(frozen=True)
class Spelling:
    """How a writer spells its XML: the quote around attribute values, the space around `=`, the element
    names' namespace prefix (with its colon), the namespace, and whether rows and cells carry `r`."""

    quote: str = '"'
    around: str = ""
    prefix: str = ""
    namespace: str = MAIN
    refs: bool = True

    def element(self, name: str, attributes: dict | None = None, *children: str) -> str:
        attributes = {k: v for k, v in (attributes or {}).items() if v is not None}
        if not self.refs:
            attributes.pop("r", None)
        spelled = "".join(f" {k}{self.around}={self.around}{self.quote}{escape(str(v))}{self.quote}"
                          for k, v in attributes.items())
        name = self.prefix + name
        return f"<{name}{spelled}>{''.join(children)}</{name}>" if children else f"<{name}{spelled}/>"

    def text(self, ref: str, text: str) -> str:
        inline = self.element("is", None, self.element("t", None, escape(text)))
        return self.element("c", {"r": ref, "t": "inlineStr"}, inline)

    def worksheet(self, rows: list[dict], cells: dict[str, str] | None = None) -> bytes:
        """The Initiatives sheet: a header row, then one row per initiative (as conftest's `initiative` makes it),
        numbers as values and text as inline strings; `cells` puts hand-written cells at their references. A row
        with an "r" is numbered so even without references, and the rows after it follow on from it."""
        table, number, cells = [], 0, cells or {}
        for values in [dict(zip(HEADERS, HEADERS))] + rows:
            number = values.get("r", number + 1)
            row = []
            for c, header in enumerate(HEADERS):
                ref, value = cell_address(number - 1, c), values.get(header)
                if ref in cells:
                    row.append(cells[ref])
                elif isinstance(value, (int, float)):
                    row.append(self.element("c", {"r": ref}, self.element("v", None, str(value))))
                elif value is not None:
                    row.append(self.text(ref, value))
                elif not self.refs:
                    row.append(self.element("c"))  # a blank keeps its place when cells go by position
            numbered = self if "r" not in values else replace(self, refs=True)
            table.append(numbered.element("row", {"r": number}, *row))
        declaration = f"xmlns:{self.prefix[:-1]}" if self.prefix else "xmlns"
        root = self.prefix + "worksheet"
        return (f"<?xml version={self.quote}1.0{self.quote} encoding={self.quote}UTF-8{self.quote}?>\n"
                f"<{root} {declaration}={self.quote}{self.namespace}{self.quote}>"
                f"{self.element('sheetData', None, *table)}</{root}>").encode()


def workbook(team, xml: bytes):
    """A workbook written by openpyxl whose Initiatives sheet is replaced by `xml`."""
    return edit_package(team([initiative()]), {SHEET: xml})


def faults(plan) -> list[tuple[str, str, str]]:
    """Each issue's cell, code and value as found; an error value is named in its message too."""
    assert all(f"the Excel error {i.value};" in i.message for i in plan.issues if i.code == "excel-error")
    return [(i.cell, i.code, i.value) for i in plan.issues]


ROWS = [initiative(id="A"), initiative(id="B"), initiative(id="C")]

SPELLINGS = {
    "as Excel writes it": Spelling(),
    "single quotes": Spelling(quote="'"),
    "a namespace prefix": Spelling(prefix="x:"),
    "whitespace around =": Spelling(around=" \n\t"),
    "every variant at once": Spelling(quote="'", around="  ", prefix="main:"),
    "the Strict namespace": Spelling(namespace=STRICT),
    "no r on rows or cells": Spelling(refs=False),
}


@pytest.mark.parametrize("name", SPELLINGS)
def test_an_error_and_a_formula_without_value_are_invalid_cells_however_spelled(team, name):
    spelling = SPELLINGS[name]
    error = spelling.element("c", {"r": "J2", "t": "e"}, spelling.element("v", None, "#REF!"))
    formula = spelling.element("c", {"r": "F3"}, spelling.element("f", None, "500*2"))
    plan = leverkit.load(workbook(team, spelling.worksheet(ROWS, {"J2": error, "F3": formula})))
    assert faults(plan) == [("J2", "excel-error", "#REF!"), ("F3", "formula-without-value", "=500*2")]
    assert plan.issues[0].message == "growth holds the Excel error #REF!; fix the formula or type a value"
    assert [i.id for i in plan.initiatives] == ["C"] and plan.initiatives[0].upfront == 1000


def test_a_sheet_wholly_in_single_quotes_is_read_not_refused(team):
    s = Spelling(quote="'")
    cached = s.element("c", {"r": "F2"}, s.element("f", None, "500*2"), s.element("v", None, "1000"))
    plan = leverkit.load(workbook(team, s.worksheet([initiative(id="A", upfront_cost=7), *ROWS[1:]], {"F2": cached})))
    assert plan.issues == [] and [i.id for i in plan.initiatives] == ["A", "B", "C"]
    assert [i.upfront for i in plan.initiatives] == [1000, 1000, 1000]


def test_formula_text_comes_out_decoded(team):
    s = Spelling()
    cells = {"F2": s.element("c", {"r": "F2"}, s.element("f", None, 'IF(B2&lt;&gt;"",5&amp;"0",&#50;&#x30;)')),
             "F3": s.element("c", {"r": "F3"}, s.element("f", None, "<![CDATA[IF(1<2,7,8)]]>"))}
    plan = leverkit.load(workbook(team, s.worksheet(ROWS, cells)))
    assert faults(plan) == [("F2", "formula-without-value", '=IF(B2<>"",5&"0",20)'),
                            ("F3", "formula-without-value", "=IF(1<2,7,8)")]


def test_shared_formulas_without_values_are_each_invalid(team):
    s = Spelling(prefix="x:")
    cells = {"F2": s.element("c", {"r": "F2"}, s.element("f", {"t": "shared", "ref": "F2:F3", "si": "0"}, "500*2")),
             "F3": s.element("c", {"r": "F3"}, s.element("f", {"t": "shared", "si": "0"}))}
    plan = leverkit.load(workbook(team, s.worksheet(ROWS, cells)))
    assert faults(plan) == [("F2", "formula-without-value", "=500*2"),
                            ("F3", "formula-without-value", "=(a shared formula)")]
    assert [i.id for i in plan.initiatives] == ["C"]


def test_inline_strings_are_text_and_a_formula_whose_value_is_one_has_its_value(team):
    s = Spelling(quote="'")
    runs = s.element("is", None, s.element("r", None, s.element("t", None, "Auto")),
                     s.element("r", None, s.element("rPr", None, s.element("b")), s.element("t", None, "mate")))
    cells = {"B2": s.element("c", {"r": "B2", "t": "inlineStr"}, runs),
             "P2": s.element("c", {"r": "P2", "t": "inlineStr"}, s.element("f", None, '"x"&amp;"y"'),
                             s.element("is", None, s.element("t", None, "xy"))),
             "P3": s.element("c", {"r": "P3", "t": "inlineStr"}, s.element("f", None, '"x"&amp;"y"'))}
    plan = leverkit.load(workbook(team, s.worksheet(ROWS, cells)))
    assert faults(plan) == [("P3", "formula-without-value", '="x"&"y"')]
    assert [(i.id, i.name, i.notes) for i in plan.initiatives] == [("A", "Automate", "xy"),
                                                                   ("C", "Automate reports", "")]


def test_which_saved_values_count(team):
    """A value saved empty counts for a formula giving text, not for one giving a number; an error without its
    text is #N/A."""
    s = Spelling()
    cells = {"P2": s.element("c", {"r": "P2", "t": "str"}, s.element("f", None, 'IF(1,"","x")'), s.element("v")),
             "F3": s.element("c", {"r": "F3"}, s.element("f", None, "500*2"), s.element("v", None, " ")),
             "J4": s.element("c", {"r": "J4", "t": "e"}, s.element("v"))}
    rows = ROWS + [initiative(id="D")]
    plan = leverkit.load(workbook(team, s.worksheet(rows, cells)))
    assert faults(plan) == [("F3", "formula-without-value", "=500*2"), ("J4", "excel-error", "#N/A")]
    assert [i.id for i in plan.initiatives] == ["A", "D"]


def test_rows_and_cells_without_r_go_after_the_ones_before(team):
    """Rows and cells without r; the fourth initiative's row is numbered 5, so the fifth's, again without, is 6."""
    s = Spelling(refs=False)
    error = s.element("c", {"t": "e"}, s.element("v", None, "#DIV/0!"))
    cells = {"J3": error, "F5": s.element("c", None, s.element("f", None, "500*2")), "F6": error}
    rows = [initiative(id="A"), initiative(id="B"), dict(initiative(id="C"), r=5), initiative(id="D")]
    plan = leverkit.load(workbook(team, s.worksheet(rows, cells)))
    assert faults(plan) == [("J3", "excel-error", "#DIV/0!"), ("F5", "formula-without-value", "=500*2"),
                            ("F6", "excel-error", "#DIV/0!")]
    assert [(i.id, i.cell) for i in plan.initiatives] == [("A", "A2")]


@pytest.mark.parametrize("far, cell", [
    ("<x:row r='1048576'><x:c r = 'XFD1048576'><x:v>1</x:v></x:c></x:row>", "XFD1048576"),
    ("<x:row r='3'><x:c r='ZZZZZZZZZZ3'><x:v>1</x:v></x:c></x:row>", "[A-Z]{7,}3"),  # far past XFD
])
def test_a_far_cell_is_refused_naming_it(team, far, cell):
    xml = Spelling(prefix="x:", quote="'").worksheet(ROWS[:1]).decode()
    xml = xml.replace("</x:sheetData>", far + "</x:sheetData>")
    path = workbook(team, xml.encode())
    with pytest.raises(LeverkitError, match=r"Initiatives sheet reaches cell " + cell + r" \(.* leverkit reads "
                                            r"sheets of up to 2,000,000 cells"):
        leverkit.load(path)


@pytest.mark.parametrize("change, reason", [
    (lambda xml: xml.replace('r="F2"', 'r="2F"'),
     r"a cell's reference '2F' is not a column's letters then a row number"),
    (lambda xml: xml.replace('<row r="3"', '<row r="three"'), r"a row's number 'three' is not a whole number from 1"),
    (lambda xml: xml.replace("</row>", '<c xmlns="urn:other" r="XFD3"><v>1</v></c></row>', 1),
     "a cell in the namespace urn:other, not SpreadsheetML's"),
    (lambda xml: xml.replace(f' xmlns="{MAIN}"', ""), "a sheetData in no namespace, not SpreadsheetML's"),
    (lambda xml: xml.replace("<sheetData>", "<sheetData><sheetData/>"), "a sheetData inside the sheetData"),
])
def test_a_damaged_sheet_is_named_with_what_is_wrong(team, change, reason):
    path = workbook(team, change(Spelling().worksheet(ROWS).decode()).encode())
    with pytest.raises(LeverkitError, match=rf"^{path}: Initiatives sheet is damaged \({reason}\); open it in Excel"):
        leverkit.load(path)


def test_what_lies_outside_the_table_of_cells_is_none_of_it(team):
    """Readers take cells from the first sheetData only: cells elsewhere are neither counted nor read."""
    s = Spelling()
    far = s.element("c", {"r": "XFD1048576", "t": "e"}, s.element("v", None, "#REF!"))
    outside = (f'<extLst><ext uri="{{00000000-0000-0000-0000-000000000000}}">{far}'
               f'<y:row xmlns:y="urn:other"><y:c r="XFD1"/></y:row></ext></extLst>')
    xml = s.worksheet(ROWS).decode().replace("</sheetData>", "</sheetData>" + outside)
    plan = leverkit.load(workbook(team, xml.replace("<sheetData>", f"<sheetPr>{far}</sheetPr><sheetData>").encode()))
    assert plan.issues == [] and len(plan.initiatives) == 3
