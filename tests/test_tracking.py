"""Actuals against the plan (docs/model.md section 7), checked month by month in plain Python and numpy_financial."""
import datetime
import math
import statistics
from itertools import accumulate

import numpy as np
import numpy_financial as npf
import pytest

import leverkit
from leverkit.errors import LeverkitError
from leverkit.package import ExcelError
from leverkit.reading import Grid, parse_sheets, read_actuals
from leverkit.tracking import CALIBRATION_COLUMNS, TRACKING_COLUMNS, track

from .conftest import HEADERS, initiative

HEAD = HEADERS + ["Start"]
ACTUALS_HEAD = ["ID", "Month", "Gross value", "Spend"]
RATE = 1.12 ** (1 / 12) - 1


def started(id, start="2025-01", **fields):
    """An Initiatives row with a Start; by default upfront 1,000, maintenance 10, gross 200 a month."""
    return {**initiative(id=id, **fields), "Start": start}


def plan_with(*rows, horizon=12, as_of="2025-12"):
    sheets = {
        "Initiatives": Grid("Initiatives", [HEAD] + [[r.get(h) for h in HEAD] for r in rows]),
        "Settings": Grid("Settings", [["Setting", "Value"], ["Horizon (months)", horizon],
                                      ["Discount rate (annual)", "12%"], ["As of", as_of]]),
    }
    plan = parse_sheets(sheets, "test.xlsx", "test")
    assert not plan.issues, plan.issues
    return plan


def month(t, year=2025, first=1):
    """Month t of an initiative started in first/year, as `YYYY-MM` text."""
    n = year * 12 + first - 1 + t - 1
    return f"{n // 12}-{n % 12 + 1:02d}"


def read(plan, rows, above=(), head=ACTUALS_HEAD):
    return read_actuals(Grid("Actuals", [*above, head, *rows]), plan.initiatives, plan.settings)


def tracked(plan, rows):
    actuals, issues = read(plan, rows)
    assert not issues, issues
    return track(plan, leverkit.rank(plan).projection, actuals)


def reference(item, horizon, months):
    """docs/model.md section 7 written out month by month; months: {t: (gross value, spend)}."""
    gross = [0.0] + [
        0.0 if t - item.delay < 1 else
        min(item.cap, item.reach * (1 + item.growth) ** (t - item.delay - 1)) * item.value * (1 - item.decay) ** (t - item.delay - 1)
        for t in range(1, horizon + 1)
    ]
    plan = [-item.upfront] + [gross[t] - item.maintenance for t in range(1, horizon + 1)]
    T = max(months)
    G = sum(gross[t] for t in months)
    g = sum(v for v, _ in months.values())
    S = item.upfront + len(months) * item.maintenance
    s = sum(spend for _, spend in months.values())
    rho = g / G if G else None
    paid = min(months[1][1], item.upfront) if 1 in months else item.upfront
    x = [-paid]
    for t in range(1, horizon + 1):
        if t in months:
            value, spend = months[t]
            x.append(value - (spend - paid) if t == 1 else value - spend)
        elif t <= T:
            x.append(plan[t])
        else:
            x.append((1 if rho is None else rho) * gross[t] - item.maintenance)
    return dict(months=months, T=T, G=G, g=g, rho=rho, S=S, s=s, sigma=s / S if S else None, npv=npf.npv(RATE, plan),
                reforecast=npf.npv(RATE, x), cumulative=list(accumulate(x[:T + 1])))


def check(tracking, j, expected, horizon):
    assert tracking.last[j] == expected["T"]
    assert tracking.reported[j] == len(expected["months"])
    assert tracking.projected_gross[j] == pytest.approx(expected["G"])
    assert tracking.actual_gross[j] == pytest.approx(expected["g"])
    if expected["rho"] is None:
        assert math.isnan(tracking.realisation[j])
    else:
        assert tracking.realisation[j] == pytest.approx(expected["rho"])
    assert tracking.projected_spend[j] == pytest.approx(expected["S"])
    assert tracking.actual_spend[j] == pytest.approx(expected["s"])
    assert tracking.spend_ratio[j] == pytest.approx(expected["sigma"]) if expected["sigma"] else math.isnan(tracking.spend_ratio[j])
    assert tracking.projected_cash[j] == pytest.approx(expected["G"] - expected["S"])
    assert tracking.actual_cash[j] == pytest.approx(expected["g"] - expected["s"])
    assert tracking.npv_plan[j] == pytest.approx(expected["npv"], rel=1e-9)
    assert tracking.npv_reforecast[j] == pytest.approx(expected["reforecast"], rel=1e-9)
    T = expected["T"]
    assert tracking.cumulative[j, :T + 1] == pytest.approx(expected["cumulative"], rel=1e-9)
    assert np.isnan(tracking.cumulative[j, T + 1:]).all() and tracking.cumulative.shape[1] == horizon + 1


# -- the figures -----------------------------------------------------------------

def test_a_month_missing_in_the_middle_counts_the_plan_there_and_scales_the_rest():
    plan = plan_with(started("A", growth_month="5%"))
    months = {1: (150.0, 1020.0), 2: (180.0, 12.0), 4: (170.0, 9.0)}
    t = tracked(plan, [["A", month(m), v, s] for m, (v, s) in months.items()])
    assert t.index.tolist() == [0]
    assert t.observed[0].nonzero()[0].tolist() == [0, 1, 3]
    check(t, 0, reference(plan.initiatives[0], 12, months), 12)


def test_actuals_in_every_month_leave_nothing_to_forecast():
    plan = plan_with(started("A", delay_months=2, decay_month="3%"), horizon=6)
    months = {t: (100.0 + 30 * t, 10.0 + t) for t in range(1, 7)}
    months[1] = (0.0, 1005.0)
    t = tracked(plan, [["A", month(m), v, s] for m, (v, s) in months.items()])
    expected = reference(plan.initiatives[0], 6, months)
    check(t, 0, expected, 6)
    x = [-1000.0, -5.0] + [months[m][0] - months[m][1] for m in range(2, 7)]
    assert t.npv_reforecast[0] == pytest.approx(npf.npv(RATE, x))


@pytest.mark.parametrize("months", [
    {1: (200.0, 1010.0), 2: (200.0, 10.0)},  # Start month's spend includes the whole upfront
    {1: (200.0, 600.0), 2: (200.0, 500.0)},  # only part of the upfront spent in the Start month
    {2: (200.0, 10.0), 3: (150.0, 10.0)},  # no row for the Start month: the planned upfront stands
])
def test_spend_that_includes_the_upfront(months):
    plan = plan_with(started("A"))
    t = tracked(plan, [["A", month(m), v, s] for m, (v, s) in months.items()])
    expected = reference(plan.initiatives[0], 12, months)
    check(t, 0, expected, 12)
    assert t.cumulative[0, 0] == -min(months.get(1, (0, 1000.0))[1], 1000.0)


def test_realisation_is_blank_when_nothing_was_projected_yet():
    plan = plan_with(started("A", delay_months=5))
    months = {1: (0.0, 1010.0), 2: (0.0, 10.0), 3: (40.0, 10.0)}
    t = tracked(plan, [["A", month(m), v, s] for m, (v, s) in months.items()])
    assert math.isnan(t.realisation[0])
    check(t, 0, reference(plan.initiatives[0], 12, months), 12)
    assert t.warnings == [[]]
    assert t.rows(plan)[0][TRACKING_COLUMNS.index(("Realisation", "percent"))] is None


def test_an_initiative_exactly_on_plan_keeps_its_npv():
    plan = plan_with(started("A", growth_month="4%", delay_months=1), started("B", start="2024-11"), horizon=10)
    gross = leverkit.rank(plan).projection.gross
    rows = [["A", month(1), gross[0, 0], 1000.0 + 10], *[["A", month(m), gross[0, m - 1], 10.0] for m in range(2, 5)]]
    rows += [["B", month(m, 2024, 11), gross[1, m - 1], 1010.0 if m == 1 else 10.0] for m in range(1, 11)]
    t = tracked(plan, rows)
    assert t.realisation.tolist() == [1.0, 1.0] and t.spend_ratio.tolist() == [1.0, 1.0]
    assert t.npv_reforecast == pytest.approx(t.npv_plan, rel=1e-12)
    assert t.npv_plan == pytest.approx([npf.npv(RATE, c) for c in np.diff(leverkit.rank(plan).projection.cumulative, prepend=0)])
    assert t.warnings == [[], []]


def test_start_as_a_date_cell_and_as_text_give_the_same_months():
    plan = plan_with(started("A", start=datetime.datetime(2025, 1, 15)), started("B", start="2025-01"),
                     started("C", start="2025-01-31"))
    rows = [["A", datetime.datetime(2025, 1, 31), 210, 1010], ["A", datetime.date(2025, 3, 2), 190, 10],
            ["B", "2025-01", 210, 1010], ["B", "2025-03-31", 190, 10],
            ["C", datetime.date(2025, 1, 1), 210, 1010], ["C", "2025-3", 190, 10]]
    t = tracked(plan, rows)
    assert plan.initiatives[0].start == plan.initiatives[1].start == datetime.date(2025, 1, 1)
    assert t.last.tolist() == [3, 3, 3] and t.elapsed.tolist() == [12, 12, 12]
    assert [o.nonzero()[0].tolist() for o in t.observed] == [[0, 2]] * 3
    expected = reference(plan.initiatives[0], 12, {1: (210.0, 1010.0), 3: (190.0, 10.0)})
    for j in range(3):
        check(t, j, expected, 12)


def test_warnings_behind_plan_and_over_spend_at_their_thresholds():
    plan = plan_with(*(started(i) for i in "ABCDE"))
    rows = [
        *[["A", month(m), 100, 10] for m in (1, 2, 3)],  # ρ = 0.5 at T = 3: behind
        *[["B", month(m), 100, 10] for m in (1, 2)],  # ρ = 0.5 but only T = 2: too early to judge
        *[["C", month(m), 160, 10] for m in (1, 2, 3)],  # ρ = 0.8 exactly: not behind
        ["D", month(1), 200, 1262.5],  # σ = 1262.5 / 1010 = 1.25: over
        ["E", month(1), 200, 1212],  # σ = 1.2 exactly: not over
    ]
    t = tracked(plan, rows)
    codes = [[code for code, _ in w] for w in t.warnings]
    assert codes == [["BEHIND_PLAN"], [], [], ["OVER_SPEND"], []]
    assert t.realisation[2] == pytest.approx(0.8) and t.spend_ratio[4] == pytest.approx(1.2)
    assert "50%" in t.warnings[0][0][1] and "USD 600" in t.warnings[0][0][1]
    assert "125%" in t.warnings[3][0][1] and "USD 1,262" in t.warnings[3][0][1] and "USD 1,010" in t.warnings[3][0][1]


def test_calibration_per_owner():
    rhos = {"A": 0.5, "B": 0.7, "C": 0.75, "D": 0.1, "L1": 1.25, "L2": 1.25, "S": 0.6, "N1": 0.5, "N2": 0.5}
    owners = {"A": "Ana", "B": "ana", "C": "Ana", "D": "Ana", "E": "Ana", "L1": "Lee", "L2": "Lee", "S": "Sam"}
    rows, items = [], []
    for id in [*rhos, "E"]:
        items.append(started(id, owner=owners.get(id), delay_months=6 if id == "E" else None))
        last = 2 if id == "D" else 3  # D: T = 2, too early; E: nothing projected yet, ρ blank
        rows += [[id, month(m), 200 * rhos.get(id, 1), 10] for m in range(1, last + 1)]
    plan = plan_with(*items)
    t = tracked(plan, rows)
    calibration = {c.owner: c for c in t.calibration}
    assert list(calibration) == ["Ana", "Lee"]  # Sam has one; blank owners are no one's record
    assert calibration["Ana"].initiatives == 3
    assert calibration["Ana"].median == pytest.approx(statistics.median([0.5, 0.7, 0.75]))
    assert calibration["Ana"].sentence == "Ana's estimates ran 30% high over 3 initiatives"
    assert calibration["Lee"].words == "estimates ran 25% low"
    assert calibration["Lee"].row() == ["Lee", 2, pytest.approx(1.25), "estimates ran 25% low"]
    assert len(calibration["Lee"].row()) == len(CALIBRATION_COLUMNS)


def test_owner_with_one_tracked_initiative_gets_no_calibration():
    plan = plan_with(started("A", owner="Sam"), started("B", owner="Sam"))
    t = tracked(plan, [["A", month(m), 100, 10] for m in (1, 2, 3)] + [["B", month(1), 100, 10]])
    assert len(t) == 2 and t.calibration == []


def test_rows_for_the_sheet_under_the_section_7_headers():
    plan = plan_with(started("A", owner="Ana"), started("B"), started("C"))
    t = tracked(plan, [["C", month(2), 100, 10], ["A", month(1), 150, 1010]])
    rows = t.rows(plan)
    assert sorted(rows) == [0, 2]
    a = dict(zip([h for h, _ in TRACKING_COLUMNS], rows[0]))
    assert a["ID"] == "A" and a["Owner"] == "Ana" and a["Start"] == datetime.date(2025, 1, 1)
    assert a["Months elapsed"] == 12 and a["Months reported"] == 1 and a["Realisation"] == pytest.approx(0.75)
    assert a["Actual cash to date"] == pytest.approx(150 - 1010) and a["Projected cash to date"] == pytest.approx(200 - 1010)
    assert rows[2][1:4] == ["Automate reports", "Sam", datetime.date(2025, 1, 1)]


# -- reading the Actuals sheet ---------------------------------------------------

def test_each_bad_cell_is_named_and_the_other_rows_still_count():
    plan = plan_with(started("A"), started("B", start=None))
    rows = [
        ["A", "2025-01", 200, 1010],  # row 2: valid
        ["Z", "2025-02", 200, 10],  # unknown ID
        ["B", "2025-02", 200, 10],  # no Start
        ["A", "2024-12", 200, 10],  # before Start
        ["A", "2026-01", 200, 10],  # month 13 of 12
        ["A", "2025-03", 200, 10],  # rows 7-9: three for one month
        ["A", "2025-03", 210, 10],
        ["A", "2025-03", 220, 10],
        ["A", "2025-04", -5, 10],  # negative, and a duplicate of row 15
        ["A", "2025-05", 200, "lots"],  # not a number
        ["A", "March", 200, 10],  # not a date
        ["A", "2024-02-30", 200, 10],  # a date that does not exist
        [None, None, "", None],  # blank: skipped
        ["A", "2025-02", 200, 10],  # row 15: valid
        ["A", "2025-04", 200, 10],  # duplicate of row 10
        ["a", "2025-06", 200, 10],  # IDs are case-sensitive
        ["A", "2025-07", None, 10],  # a required cell left blank
        ["A", "2025-03-15", 200, 10],  # the month as a date with a day: a fourth row for 2025-03
        ["A", "2025-08", 200, ExcelError("#N/A")],  # an Excel error value
    ]
    actuals, issues = read(plan, rows)
    assert [(i.cell, i.code) for i in issues] == [
        ("A3", "unknown-id"), ("A4", "no-start"), ("B5", "outside-horizon"), ("B6", "outside-horizon"),
        ("B7", "duplicate-month"), ("B8", "duplicate-month"), ("B9", "duplicate-month"),
        ("C10", "out-of-range"), ("B10", "duplicate-month"), ("D11", "not-a-number"), ("B12", "not-a-date"),
        ("B13", "not-a-date"), ("B16", "duplicate-month"), ("A17", "unknown-id"), ("C18", "required"),
        ("B19", "duplicate-month"), ("D20", "excel-error"),
    ]
    assert {i.sheet for i in issues} == {"Actuals"}
    by_cell = {i.cell: i for i in issues}
    assert (by_cell["A3"].column, by_cell["A3"].value) == ("ID", "Z")
    assert (by_cell["C10"].column, by_cell["C10"].value) == ("Gross value", "-5")
    assert by_cell["B13"].value == "2024-02-30" and "exist" in by_cell["B13"].message
    assert "before" in by_cell["B5"].message and "beyond the 12-month horizon" in by_cell["B6"].message
    assert "4 rows for 2025-03" in by_cell["B7"].message and "first at B7" in by_cell["B19"].message
    assert "Start" in by_cell["A4"].message
    assert by_cell["C18"].value == "" and by_cell["D20"].value == "#N/A"
    assert (by_cell["B5"].id, by_cell["B5"].name) == ("A", "Automate reports") and by_cell["A4"].id == "B"
    assert by_cell["A3"].id == by_cell["A17"].id == ""  # no initiative to name
    assert actuals.month.tolist() == [1, 2] and actuals.initiative.tolist() == [0, 0]
    assert actuals.gross.tolist() == [200.0, 200.0] and actuals.spend.tolist() == [1010.0, 10.0]
    t = track(plan, leverkit.rank(plan).projection, actuals)
    assert t.last.tolist() == [2] and t.realisation.tolist() == [1.0]


def test_months_elapsed_count_calendar_months_to_as_of_and_months_after_it_are_refused():
    plan = plan_with(started("A", start="2024-01"), started("B", start="2025-03"), horizon=36, as_of="2025-11")
    rows = [["A", "2024-01", 200, 1010], ["A", "2024-05", 200, 10], ["B", "2025-03", 200, 1010],
            ["B", "2025-12", 200, 10]]  # after As of
    actuals, issues = read(plan, rows)
    assert [(i.cell, i.code) for i in issues] == [("B5", "after-as-of")]
    assert "after the As of month 2025-11" in issues[0].message
    t = track(plan, leverkit.rank(plan).projection, actuals)
    # A: 2024-01 to 2025-11 is 23 calendar months elapsed, though only 2 were reported (the last in month 5)
    assert t.elapsed.tolist() == [23, 9] and t.reported.tolist() == [2, 1] and t.last.tolist() == [5, 1]


def test_number_ids_match_their_text_form():
    plan = plan_with(started(7), started(" x1 "))
    rows = [[7, "2025-01", 200, 1010], [7.0, "2025-02", 200, 10], ["7 ", "2025-03", 200, 10], ["x1", "2025-01", 1, 2]]
    actuals, issues = read(plan, rows)
    assert issues == []
    assert actuals.initiative.tolist() == [0, 0, 0, 1] and actuals.month.tolist() == [1, 2, 3, 1]


def test_header_row_found_below_titles_in_any_order_and_case():
    plan = plan_with(started("A"))
    above = [["What really happened"], [], ["Notes go here", None, "ID only is not a header"]]
    head = ["Notes", " spend ", "GROSS VALUE", "id", "Month"]
    actuals, issues = read(plan, [["ok", 1010, 200, "A", "2025-01"], ["", -1, 200, "A", "2025-02"]], above, head)
    assert actuals.spend.tolist() == [1010.0]
    assert [(i.cell, i.column) for i in issues] == [("B6", "Spend")]


def test_a_missing_required_header_stops_with_the_sheet_and_header_row():
    plan = plan_with(started("A"))
    with pytest.raises(LeverkitError, match=r"^team.xlsx: Actuals sheet has no 'Spend' column in its header row 3$"):
        read_actuals(Grid("Actuals", [["Actuals"], [], ["ID", "Month", "Gross value"], ["A", "2025-01", 1]]),
                     plan.initiatives, plan.settings, source="team.xlsx")
    with pytest.raises(LeverkitError, match="no header row with 'ID' and 'Month'"):
        read(plan, [["A", "2025-01", 1, 1]], head=["ID", "When", "Gross value", "Spend"])
    with pytest.raises(LeverkitError, match=r"Actuals!E1: the column 'Month' appears twice \(also at B1\)"):
        read(plan, [], head=["ID", "Month", "Gross value", "Spend", "month"])


@pytest.mark.parametrize("grid", [None, Grid("Actuals", []), Grid("Actuals", [[None, ""], []])])
def test_no_actuals_sheet_means_nothing_to_track(grid):
    plan = plan_with(started("A"))
    actuals, issues = read_actuals(grid, plan.initiatives, plan.settings)
    assert len(actuals) == 0 and issues == []
    t = track(plan, leverkit.rank(plan).projection, actuals)
    assert len(t) == 0 and t.rows(plan) == {} and t.calibration == [] and t.cumulative.shape == (0, 13)


def test_huge_amounts_on_actuals_are_invalid_cells_as_on_initiatives():
    plan = plan_with(started("A"))
    rows = [["A", "2025-01", 1e308, 1010], ["A", "2025-02", 200, "1e16"], ["A", "2025-03", 10**17, 10],
            ["A", "2025-04", 1e15, 10]]  # the last is at the limit, and counts
    actuals, issues = read(plan, rows)
    assert [(i.cell, i.code) for i in issues] == [("C2", "too-large"), ("D3", "not-a-number"), ("C4", "too-large")]
    assert "beyond 1,000,000,000,000,000" in issues[0].message
    assert actuals.month.tolist() == [4]
    t = track(plan, leverkit.rank(plan).projection, actuals)
    assert np.isfinite(t.npv_reforecast).all() and np.isfinite(t.actual_gross).all()


def test_a_typed_id_that_is_another_rows_default_is_a_duplicate_and_never_matches_actuals():
    """Row 3 has no ID, so it is R3; row 4 typed R3. Both are reported and left out, and Actuals for R3 match
    neither."""
    rows = [started("A"), {**started("B"), "ID": None}, started("R3")]
    sheets = {"Initiatives": Grid("Initiatives", [HEAD] + [[r.get(h) for h in HEAD] for r in rows]),
              "Settings": Grid("Settings", [["Setting", "Value"], ["Horizon (months)", 12], ["As of", "2025-12"]]),
              "Actuals": Grid("Actuals", [ACTUALS_HEAD, ["R3", "2025-01", 10, 10], ["A", "2025-01", 10, 10]])}
    plan = parse_sheets(sheets, "test.xlsx", "test")
    assert [i.id for i in plan.initiatives] == ["A"] and plan.invalid_rows == 2
    duplicates = [i for i in plan.issues if i.code == "duplicate-id"]
    assert [(i.cell, i.id) for i in duplicates] == [("A3", "R3"), ("A4", "R3")]
    assert duplicates[0].message == "ID 'R3' is used on 2 rows (A3 (blank: R3), A4); give each initiative its own ID"
    assert [(i.sheet, i.cell, i.code) for i in plan.issues if i.sheet == "Actuals"] == [("Actuals", "A2", "unknown-id")]
