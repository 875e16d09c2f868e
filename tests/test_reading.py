"""Reading team workbooks: docs/model.md section 1, every rule and every message."""
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import leverkit
from leverkit import LeverkitError
from leverkit.cells import BOUNDED, LARGEST, PLAIN, WHOLE, CellError, read_bounded, read_whole
from leverkit.reading import Grid, parse_sheets

from .conftest import HEADERS, initiative


def test_header_found_below_title_rows_case_and_space_insensitive_any_order(team):
    headers = ["  quality (1-5) ", "INITIATIVE", "leverage FORM", "Upfront Cost", "reach / month", "Value per reach", "Budget code"]
    path = team([[3, "Runbook", "process", 500, 4, 100, "B-7"]], headers=headers,
                above=[["Ops plan 2027"], [], ["notes go here"]])
    plan = leverkit.load(path)
    [item] = plan.initiatives
    assert (item.name, item.form, item.quality, item.upfront, item.reach, item.value) == ("Runbook", "process", 3, 500, 4, 100)
    assert item.row == 5 and item.id == "R5"
    assert item.extra == {"Budget code": "B-7"} and plan.extra_headers == ["Budget code"]
    assert item.lever_point == "parameter" and item.confidence == 1 and math.isinf(item.cap)


def test_header_beyond_ten_rows_is_an_error(team):
    path = team([initiative()], above=[["filler"]] * 10)
    with pytest.raises(LeverkitError, match="no header row with an 'Initiative' column in its first 10 rows"):
        leverkit.load(path)


def test_blank_rows_are_skipped(team):
    path = team([initiative(initiative="A"), {}, {h: "  " for h in HEADERS}, initiative(initiative="B")])
    plan = leverkit.load(path)
    assert [i.name for i in plan.initiatives] == ["A", "B"]
    assert [i.row for i in plan.initiatives] == [2, 5]
    assert plan.issues == []


def test_ranges_read_as_their_median(team):
    path = team([initiative(upfront_cost="800 to 1,200", reach_month="0 to 10", growth_month="2% to 5%",
                            maintenance_month="50 to 50")])
    [item] = leverkit.load(path).initiatives
    assert item.upfront == pytest.approx(math.sqrt(800 * 1200))
    assert item.reach == 5
    assert item.growth == pytest.approx(math.sqrt(0.02 * 0.05))
    assert item.maintenance == 50
    assert item.ranges == {"upfront": (800, 1200), "reach": (0, 10), "growth": (0.02, 0.05), "maintenance": (50, 50)}


def test_currency_text_and_percent_text_are_accepted(team):
    path = team([initiative(upfront_cost="$1,200", value_per_reach="1,200 USD", growth_month="5%",
                            decay_month=0.01, confidence="80%", delay_months="2", reach_cap=" 3,000 ")])
    [item] = leverkit.load(path).initiatives
    assert (item.upfront, item.value, item.growth, item.decay, item.confidence, item.delay, item.cap) == (
        1200, 1200, 0.05, 0.01, 0.8, 2, 3000)


def test_aliases_for_forms(team):
    rows = [initiative(leverage_form=f) for f in ("Automation", "code & automation", "CONTENT", "Media & Content", " Labor ")]
    assert [i.form for i in leverkit.load(team(rows)).initiatives] == ["code", "code", "media", "media", "labor"]


@pytest.mark.parametrize("field, value, message", [
    ("growth_month", 5, "growth 5 looks like a percent; enter 5% or 0.05"),
    ("confidence", 80, "confidence 80 looks like a percent; enter 80% or 0.8"),
    ("decay_month", 1, "decay 1 must be from 0% up to (not including) 100%"),
    ("growth_month", "-100%", "growth -100% must be above -100%"),
    ("confidence", 0, "confidence 0 must be above 0% and at most 100%"),
    ("upfront_cost", -5, "upfront cost -5 is negative; enter 0 or more"),
    ("upfront_cost", "lots", "upfront cost 'lots' is not a number"),
    ("upfront_cost", "1,200 to 800", "upfront cost range '1,200 to 800' runs high to low; write LOW to HIGH"),
    ("quality_1_5", 6, "quality 6 must be a whole number from 1 to 5"),
    ("quality_1_5", 2.5, "quality 2.5 must be a whole number from 1 to 5"),
    ("delay_months", 1.5, "delay 1.5 must be a whole number 0 or more"),
    ("reach_cap", 0, "reach cap 0 must be above 0 (leave it blank for no cap)"),
    ("leverage_form", "robots", "leverage form 'robots' is not one of labor, capital, code, media, process"),
    ("lever_point", "vibes", "lever point 'vibes' is not one of symptom, parameter, delay"),
    ("initiative", None, "initiative is required"),
    ("initiative", "x" * 201, "initiative name is 201 characters; keep it to 200"),
])
def test_invalid_cells_are_issues_with_address_and_the_row_is_not_ranked(team, field, value, message):
    path = team([initiative(initiative="good"), initiative(**{field: value})])
    plan = leverkit.load(path)
    assert [i.name for i in plan.initiatives] == ["good"]
    assert plan.invalid_rows == 1
    [issue] = plan.issues
    column = HEADERS.index(issue.column)
    assert issue.sheet == "Initiatives" and issue.cell == f"{'ABCDEFGHIJKLMNOP'[column]}3"
    assert issue.message.startswith(message)
    assert str(issue) == f"Initiatives!{issue.cell}: {issue.message}"


def test_every_bad_cell_in_a_row_is_reported(team):
    plan = leverkit.load(team([initiative(growth_month=5, quality_1_5=9, upfront_cost="?")]))
    assert sorted(i.cell for i in plan.issues) == ["F2", "J2", "N2"]
    assert plan.initiatives == []


def test_percent_cell_stored_as_fraction_is_read_as_is(team):
    [item] = leverkit.load(team([initiative(growth_month=0.05)])).initiatives
    assert item.growth == 0.05


def test_duplicate_ids_are_an_error_on_every_duplicate(team):
    rows = [initiative(id="A1"), initiative(id="a1"), initiative(id="B"), initiative(id="A1")]
    plan = leverkit.load(team(rows))
    assert [i.id for i in plan.initiatives] == ["B"]
    assert [(i.cell, i.code) for i in plan.issues] == [("A2", "duplicate-id"), ("A3", "duplicate-id"), ("A5", "duplicate-id")]
    assert "used on 3 rows (A2, A3, A5)" in plan.issues[0].message


def test_missing_required_columns_stop_the_workbook(team):
    path = team([["x", "code"]], headers=["Initiative", "Leverage form"])
    with pytest.raises(LeverkitError, match=r"Initiatives sheet has no 'Upfront cost', 'Reach / month', 'Value per reach', 'Quality \(1-5\)' columns"):
        leverkit.load(path)


def test_repeated_column_stops_the_workbook(team):
    with pytest.raises(LeverkitError, match=r"Initiatives!Q1: the column 'Reach / month' appears twice \(also at H1\)"):
        leverkit.load(team([initiative()], headers=HEADERS + ["reach / month"]))


def test_no_initiatives_sheet(team):
    with pytest.raises(LeverkitError, match="has no Initiatives sheet"):
        leverkit.load(team([initiative()], sheet="Plans"))


def test_settings_are_read_and_default(team):
    plan = leverkit.load(team([initiative()], name="ops team.xlsx",
                              settings={"horizon (MONTHS)": 24, "Discount rate (annual)": "8%", "Rank by": "payback",
                                        "Budget": "€50,000", "Currency": "eur", "Colour": "blue"}))
    s = plan.settings
    assert (s.team, s.horizon, s.discount_rate, s.rank_by, s.budget, s.currency, s.threshold, s.draws, s.seed) == (
        "ops team", 24, 0.08, "payback", 50000, "EUR", 3, 2000, 42)
    assert s.capacity is None
    [unknown] = plan.issues
    assert (unknown.code, unknown.cell) == ("unknown-setting", "A7")


@pytest.mark.parametrize("name, value, message", [
    ("Horizon (months)", 0, "Settings!B2: Horizon (months) 0 must be a whole number from 1 to 600"),
    ("Discount rate (annual)", 10, "Settings!B2: Discount rate (annual) 10 looks like a percent; enter 10% or 0.1"),
    ("Amplification threshold", 1, "Settings!B2: Amplification threshold 1 must be more than 1"),
    ("Rank by", "vibes", "Settings!B2: Rank by 'vibes' is not one of risk-adjusted NPV, NPV, payback, leverage multiple"),
    ("Budget", -1, "Settings!B2: Budget -1 is negative"),
    ("Monthly capacity", "some", "Settings!B2: Monthly capacity 'some' is not a number"),
    ("Simulation draws", 100001, "Settings!B2: Simulation draws 100001 must be a whole number from 0 to 100000"),
    ("Random seed", 1.5, "Settings!B2: Random seed 1.5 must be a whole number 0 or more"),
])
def test_a_bad_setting_stops_the_run_naming_its_cell(team, name, value, message):
    path = team([initiative()], settings={name: value})
    with pytest.raises(LeverkitError) as error:
        leverkit.load(path)
    assert str(error.value).startswith(f"{path}: {message}")


def test_formula_without_cached_value_makes_only_its_row_invalid(team):
    # openpyxl writes formulas without calculating them: a file saved by a program that does not calculate.
    path = team([initiative(id="OK", initiative="ok"), initiative(id="F", initiative="formulas", upfront_cost="=500*2",
                                                                  notes="=A2")])
    plan = leverkit.load(path)
    assert [i.id for i in plan.initiatives] == ["OK"] and plan.invalid_rows == 1
    assert [(i.cell, i.code, i.id, i.name) for i in plan.issues] == [
        ("F3", "formula-without-value", "F", "formulas"), ("P3", "formula-without-value", "F", "formulas")]
    assert plan.issues[0].value == "=500*2"
    assert plan.issues[0].message == (
        "upfront cost is a formula with no saved value (the file was saved by a program that does not calculate); "
        "open it in Excel or LibreOffice, save it, and run again")


@pytest.mark.parametrize("error", ["#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"])
def test_an_excel_error_value_is_an_invalid_cell_never_a_blank(team, error):
    rows = [initiative(id="A", confidence=error), initiative(id="B", growth_month=error),
            initiative(id="C", maintenance_month=error), initiative(id="D")]
    plan = leverkit.load(team(rows))
    assert [i.id for i in plan.initiatives] == ["D"]
    assert [(i.cell, i.code, i.value, i.id) for i in plan.issues] == [
        ("O2", "excel-error", error, "A"), ("J3", "excel-error", error, "B"), ("G4", "excel-error", error, "C")]
    assert plan.issues[0].message == f"confidence holds the Excel error {error}; fix the formula or type a value"


def test_formula_with_cached_value_is_read_by_its_value(tmp_path):
    import xlsxwriter

    path = tmp_path / "cached.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Initiatives")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, [row for row in initiative().values()][:5])
    ws.write_formula(1, 5, "=500*2", None, 1000)
    ws.write_row(1, 6, [10, 10, 20, None, None, None, None, 4])
    wb.close()
    [item] = leverkit.load(path).initiatives
    assert item.upfront == 1000


def test_xlsm_is_read(tmp_path):
    import shutil

    import xlwings

    source = shutil.copy(__import__("pathlib").Path(xlwings.__file__).parent / "quickstart_standalone.xlsm", tmp_path / "q.xlsm")
    with pytest.raises(LeverkitError, match="has no Initiatives sheet"):
        leverkit.load(source)


def test_the_shared_path_takes_rows_with_their_addresses():
    grid = Grid("Initiatives", [HEADERS, list(initiative(growth_month=5).values())], top=4, left=2)
    plan = parse_sheets({"Initiatives": grid}, "book.xlsx", "book")
    assert str(plan.issues[0]) == "Initiatives!L6: growth 5 looks like a percent; enter 5% or 0.05"


def test_uncapped_growth_that_overflows_is_an_issue(team):
    plan = leverkit.load(team([initiative(growth_month="900%")], settings={"Horizon (months)": 600}))
    [issue] = plan.issues
    assert issue.code == "overflow" and issue.cell == "J2" and "set a Reach cap" in issue.message


EDGES = [0.0, -0.0, 1.0, -1.0, math.nextafter(1.0, 2.0), math.nextafter(-1.0, -2.0), 0.5, -0.99, -1.0000001, 0.9999999, 1.0000001, 5.0, 6.0, 2.5, LARGEST, -LARGEST,
         LARGEST * 2, math.nextafter(LARGEST, math.inf), math.inf, -math.inf, math.nan, 5e-324]


@given(st.one_of(st.sampled_from(EDGES), st.floats()))
def test_a_plain_float_is_read_in_one_step_exactly_as_its_full_rule_reads_it(x):
    """Float cells skip the full rules when those would take them as they are (most cells of a plan); the
    one-step read must agree with the full rule on every float: the same value and type, or a refusal, so
    that the full rule runs and names the problem."""
    assert set(PLAIN) == set(BOUNDED) | set(WHOLE)
    for kind, read in PLAIN.items():
        try:
            full = read_bounded(kind, x, "x") if kind in BOUNDED else read_whole(x, "x", *WHOLE[kind])
        except CellError:
            full = None
        quick = read(x)
        assert quick == full and type(quick) is type(full), (kind, x, quick, full)
        assert quick is None or math.copysign(1, quick) == math.copysign(1, full)


def test_numbers_of_any_float_type_read_the_same():
    """Only an exact float takes the one-step read; numpy floats and -0.0 come out the same through the rules."""
    header = ["Initiative", "Leverage form", "Upfront cost", "Reach / month", "Value per reach", "Growth / month",
              "Delay (months)", "Quality (1-5)", "Confidence"]
    plain = ["A", "code", 1200.0, -0.0, 2.5, 0.05, 3.0, 4.0, 0.8]
    numpy_row = [v if isinstance(v, str) else np.float64(v) for v in plain]
    read = [parse_sheets({"Initiatives": Grid("Initiatives", [header, row])}, "t.xlsx", "t") for row in (plain, numpy_row)]
    assert [plan.issues for plan in read] == [[], []]
    assert repr(read[0].initiatives) == repr(read[1].initiatives)
    [item] = read[0].initiatives
    assert (item.delay, item.quality) == (3, 4) and type(item.delay) is int and math.copysign(1, item.reach) == -1
