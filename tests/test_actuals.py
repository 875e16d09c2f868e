"""Actuals against the plan as a planner sees them (docs/model.md section 7): the Tracking sheet, warnings,
calibration in words, the HTML, the Excel button and the batch's portfolio."""
import datetime

import numpy_financial as npf
import openpyxl
import pytest

import leverkit
from leverkit.xl import rank_book

from .conftest import HEADERS, calamine_sheets, find_table, initiative, replay, xl_book

STARTED = HEADERS + ["Start"]


def team_with_actuals(path, actuals, owners=("Ana", "Ana", "Bo")):
    """Three started initiatives (two of Ana's behind plan) and an Actuals sheet of (ID, Month, Gross, Spend) rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Initiatives"
    ws.append(STARTED)
    plans = [initiative(id="A1", owner=owners[0], upfront_cost=1000, maintenance_month=10, reach_month=10,
                        value_per_reach=20),
             initiative(id="A2", owner=owners[1], upfront_cost=500, maintenance_month=0, reach_month=5, value_per_reach=10),
             initiative(id="B1", owner=owners[2], upfront_cost=0, maintenance_month=5, reach_month=1, value_per_reach=50),
             initiative(id="LATER", upfront_cost=100)]
    starts = [datetime.datetime(2026, 1, 1), "2026-01", "2026-02", None]
    for plan, start in zip(plans, starts):
        ws.append([plan[h] for h in HEADERS] + [start])
    sheet = wb.create_sheet("Actuals")
    sheet.append(["ID", "Month", "Gross value", "Spend"])
    for row in actuals:
        sheet.append(list(row))
    settings = wb.create_sheet("Settings")
    settings.append(["Setting", "Value"])
    settings.append(["Discount rate (annual)", 0.1])
    settings.append(["Horizon (months)", 12])
    settings.append(["As of", "2026-04"])
    wb.save(path)
    return path


ACTUALS = [
    ("A1", "2026-01", 100, 1010), ("A1", "2026-02", 100, 10), ("A1", "2026-03", 100, 10),  # half the plan's 200
    ("A2", datetime.datetime(2026, 1, 15), 20, 500), ("A2", "2026-03", 25, 0),  # 2026-02 unknown
    ("B1", "2026-02", 50, 5),
    ("NOPE", "2026-01", 1, 1), ("LATER", "2026-01", 1, 1), ("B1", "2025-12", 1, 1), ("A1", "2027-06", 1, 1),
    ("A2", "2026-03", 9, 9), ("B1", "2026-03", -4, 1), ("B1", "2026-02-30", 1, 1),
]


@pytest.fixture
def tracked(tmp_path):
    path = team_with_actuals(tmp_path / "team.xlsx", ACTUALS)
    result = leverkit.report(path, tmp_path / "out")
    return path, result, calamine_sheets(result.written[0]), (tmp_path / "out" / "team.html").read_text()


def records(rows):
    return [dict(zip(rows[0], row)) for row in rows[1:] if any(v != "" for v in row)]


def test_the_tracking_sheet_against_the_plan_month_by_month(tracked):
    _, result, sheets, _ = tracked
    rows = {r["ID"]: r for r in find_table(sheets["Tracking"], "ID")}
    a1 = rows["A1"]
    assert a1["Months elapsed"] == 4 and a1["Months reported"] == 3 and a1["Projected gross to date (USD)"] == 600
    assert a1["Actual gross to date (USD)"] == 300 and a1["Realisation"] == pytest.approx(0.5)
    assert a1["Projected spend to date (USD)"] == 1030 and a1["Actual spend to date (USD)"] == 1030
    r = 1.1 ** (1 / 12) - 1
    flows = [-1000, 100 - 10, 100 - 10, 100 - 10] + [0.5 * 200 - 10] * 9  # the rest at half the plan
    assert a1["Re-forecast NPV (USD)"] == pytest.approx(npf.npv(r, flows))
    assert a1["NPV (plan, USD)"] == pytest.approx(npf.npv(r, [-1000] + [190] * 12))
    # A2: 2026-02 is unknown (the plan's figure is used), its duplicate 2026-03 rows are both left out
    assert rows["A2"]["Months reported"] == 1 and rows["A2"]["Actual gross to date (USD)"] == 20
    assert "LATER" not in rows and set(rows) == {"A1", "A2", "B1"}


def test_bad_actuals_rows_are_named_and_the_rest_still_count(tracked):
    _, result, sheets, _ = tracked
    bad = {(i.cell, i.code) for i in result.plan.issues if i.sheet == "Actuals"}
    assert bad == {("A8", "unknown-id"), ("A9", "no-start"), ("B10", "outside-horizon"), ("B11", "outside-horizon"),
                   ("B6", "duplicate-month"), ("B12", "duplicate-month"), ("C13", "out-of-range"), ("B14", "not-a-date")}
    assert {r["Cell"] for r in records(sheets["Issues"]) if r["Sheet"] == "Actuals"} == {c for c, _ in bad}
    assert result.plan.invalid_rows == 0  # Actuals problems never unrank an initiative


def test_behind_plan_and_over_spend_join_the_warnings(tmp_path):
    path = team_with_actuals(tmp_path / "t.xlsx", ACTUALS[:3] + [("B1", "2026-02", 50, 50)])
    sheets = calamine_sheets(leverkit.report(path, tmp_path / "out").written[0])
    warnings = {r["ID"]: r["Warnings"] for r in records(sheets["Ranked"])}
    assert "BEHIND_PLAN" in warnings["A1"] and "OVER_SPEND" in warnings["B1"]
    codes = {(r["ID"], r["Code"]) for r in records(sheets["Issues"]) if r["Kind"] == "warning"}
    assert ("A1", "BEHIND_PLAN") in codes and ("B1", "OVER_SPEND") in codes


def test_calibration_in_words(tmp_path):
    rows = ACTUALS[:3] + [("A2", f"2026-0{m}", 10, 0) for m in range(1, 5)]
    path = team_with_actuals(tmp_path / "t.xlsx", rows)
    result = leverkit.report(path, tmp_path / "out")
    sheet = calamine_sheets(result.written[0])["Tracking"]
    calibration = find_table(sheet, "Owner")
    # A1 realised 300 of 600 (0.5), A2 40 of 200 (0.2): Ana's median is 0.35
    assert calibration == [{"Owner": "Ana", "Initiatives": 2, "Median realisation": pytest.approx(0.35),
                            "In words": "estimates ran 65% high"}]
    assert "Ana&#39;s estimates ran 65% high over 2 initiatives" in (tmp_path / "out" / "t.html").read_text()


def test_the_html_draws_actual_over_projected(tracked):
    _, _, _, html = tracked
    assert "Actuals against the plan" in html and "3 initiatives tracked" in html
    assert "A1 Automate reports" in html and "Re-forecast NPV" in html


def test_no_actuals_sheet_works_as_before(team, tmp_path):
    sheets = calamine_sheets(leverkit.report(team([initiative()]), tmp_path / "out").written[0])
    assert "Tracking" not in sheets


def test_the_button_reads_actuals_through_the_open_book(tracked):
    path, _, cli, _ = tracked
    book, payload = xl_book(calamine_sheets(path), name=path.name)
    rank_book(book)
    cells = replay(payload, book.json()["actions"])
    assert "Tracking" in cells
    assert cells["Tracking"][(1, 0)].lstrip("'") == cli["Tracking"][1][0]
    assert cells["Tracking"][(1, 7)] == pytest.approx(cli["Tracking"][1][7])


def test_the_batch_tracks_across_teams(tmp_path):
    drive = tmp_path / "drive"
    drive.mkdir()
    team_with_actuals(drive / "north.xlsx", ACTUALS[:3], owners=("Ana", "Ana", "Bo"))
    team_with_actuals(drive / "south.xlsx", [("A1", "2026-0" + str(m), 40, 10) for m in range(1, 4)],
                      owners=("ana", "Cy", "Bo"))
    leverkit.batch([str(drive)], tmp_path / "out", workers=1)
    sheets = calamine_sheets(tmp_path / "out" / "portfolio.xlsx")
    tracking = find_table(sheets["Tracking"], "Team")
    assert {(r["Workbook"], r["ID"]) for r in tracking} == {("north.xlsx", "A1"), ("south.xlsx", "A1")}
    calibration = find_table(sheets["Tracking"], "Owner")
    assert [(c["Owner"], c["Initiatives"]) for c in calibration] == [("Ana", 2)]  # one owner across two teams
    index = (tmp_path / "out" / "index.html").read_text()
    assert "2</b><span>initiatives tracked against actuals, 2 behind plan" in index
