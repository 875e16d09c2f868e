"""Uncertainty as a planner sees it (docs/model.md section 4): P10–P90 and probabilities on Ranked, the
Sensitivity sheet, the HTML's charts, determinism across runs, rows and the Excel button."""
import random

import numpy as np
import numpy_financial as npf
import openpyxl
import pytest

import leverkit
from leverkit.xl import rank_book

from .conftest import HEADERS, calamine_sheets, initiative, replay, write_team, xl_book

SIMULATED = ["NPV P10", "NPV P50", "NPV P90", "P(NPV > 0)", "P(payback)"]


def ranged_rows():
    return [
        initiative(id="WIDE", initiative="Wide bet", upfront_cost="1,000 to 40,000", value_per_reach="5 to 80"),
        initiative(id="NARROW", initiative="Narrow bet", upfront_cost="900 to 1,100"),
        initiative(id="FIXED", initiative="No ranges"),
        initiative(id="GROW", initiative="Growth range", growth_month="-2% to 6%", reach_cap=500),
    ]


def records(sheet):
    return [dict(zip(sheet[0], row)) for row in sheet[1:]]


def run(team, rows, **settings):
    path = team(rows, settings={"Discount rate (annual)": 0.08, **settings})
    result = leverkit.report(path, path.parent / "out")
    return path, result, result.written[0]


def test_ranked_shows_the_spread_as_money_and_percent(team):
    _, result, ranked = run(team, ranged_rows())
    rows = {r["ID"]: r for r in records(calamine_sheets(ranked)["Ranked"])}
    wide, fixed = rows["WIDE"], rows["FIXED"]
    assert wide["NPV P10"] < wide["NPV P50"] < wide["NPV P90"] and 0 < wide["P(NPV > 0)"] < 1
    assert fixed["NPV P10"] == fixed["NPV P50"] == fixed["NPV P90"] == pytest.approx(fixed["NPV"])
    assert fixed["P(NPV > 0)"] == fixed["P(payback)"] == ""  # nothing was drawn: blank, not 0% or 100%
    sheet = openpyxl.load_workbook(ranked)["Ranked"]
    formats = {sheet.cell(1, c).value: sheet.cell(2, c).number_format for c in range(1, sheet.max_column + 1)}
    assert formats["NPV P10"] == formats["NPV"] and "USD" in formats["NPV P90"]
    assert formats["P(NPV > 0)"] == formats["P(payback)"] == "0%"
    spread = {r["ID"]: r["NPV P90"] - r["NPV P10"] for r in rows.values()}
    assert spread["WIDE"] > 10 * spread["NARROW"] > 0


def test_draws_zero_turns_simulation_off_but_keeps_sensitivity(team):
    _, _, ranked = run(team, ranged_rows(), **{"Simulation draws": 0})
    sheets = calamine_sheets(ranked)
    assert not set(SIMULATED) & set(sheets["Ranked"][0])
    assert len(sheets["Sensitivity"]) > 1


@pytest.mark.parametrize("draws", [0, 500])
def test_how_many_have_ranges_is_the_same_simulated_or_not(team, draws):
    """`5 to 5` is a fixed value, not a range, whether or not the ranges are simulated."""
    rows = [*ranged_rows(), initiative(id="FLAT", initiative="Flat range", value_per_reach="5 to 5")]
    _, _, ranked = run(team, rows, **{"Simulation draws": draws})
    facts = {row[0]: row[1] for row in calamine_sheets(ranked)["Decision"] if row and row[0]}
    assert facts["Initiatives with ranges"] == "3 of 5 (the others count as certain)"


def test_the_same_workbook_gives_the_same_numbers_and_rows_never_disturb_each_other(team):
    rows = ranged_rows()
    _, first, _ = run(team, rows)
    _, again, _ = run(team, rows)
    shuffled = rows[::-1] + [initiative(id="NEW", upfront_cost="10 to 90")]
    random.Random(1).shuffle(shuffled)
    _, moved, _ = run(team, shuffled)

    def figures(result):
        sim, items = result.ranking.simulation, result.plan.initiatives
        return {item.id: tuple(np.nan_to_num([sim.p10[i], sim.p50[i], sim.p90[i], sim.p_positive[i]], nan=-1.0))
                for i, item in enumerate(items)}

    assert figures(first) == figures(again)
    assert {k: v for k, v in figures(moved).items() if k != "NEW"} == figures(first)


def test_the_button_draws_exactly_what_the_command_line_draws(team):
    path, result, ranked = run(team, ranged_rows())
    book, payload = xl_book(calamine_sheets(path), name=path.name)
    rank_book(book)
    cells = replay(payload, book.json()["actions"])["Ranked"]
    headers = {cells[(0, c)].lstrip("'"): c for r, c in cells if r == 0}  # stored as typed text
    cli = {r["ID"]: r for r in records(calamine_sheets(ranked)["Ranked"])}
    for r in range(1, len(cli) + 1):
        row = cli[cells[(r, headers["ID"])].lstrip("'")]
        for header in SIMULATED:
            mine = cells[(r, headers[header])]
            assert mine == (pytest.approx(row[header], rel=1e-15) if row[header] != "" else "")


def test_the_sensitivity_sheet_against_a_hand_worked_case(team):
    rows = [initiative(id="S", upfront_cost="800 to 1,200", maintenance_month=10, reach_month=10, value_per_reach=20,
                       growth_month=None)]
    path = team(rows, settings={"Discount rate (annual)": 0.12, "Horizon (months)": 12})
    sheets = calamine_sheets(leverkit.report(path, path.parent / "out").written[0])
    [row] = records(sheets["Sensitivity"])
    r = 1.12 ** (1 / 12) - 1

    def npv(upfront):
        return npf.npv(r, [-upfront] + [10 * 20 - 10] * 12)

    assert (row["ID"], row["Input"], row["Low"], row["High"]) == ("S", "Upfront cost", 800, 1200)
    assert row["NPV at low"] == pytest.approx(npv(800)) and row["NPV at high"] == pytest.approx(npv(1200))
    assert row["Swing"] == pytest.approx(400)


def test_sensitivity_lists_by_rank_then_swing_with_growth_as_a_percent(team):
    _, _, ranked = run(team, ranged_rows())
    sensitivity = records(calamine_sheets(ranked)["Sensitivity"])
    ranks = {r["ID"]: r["Rank"] for r in records(calamine_sheets(ranked)["Ranked"])}
    order = [ranks[r["ID"]] for r in sensitivity]
    assert order == sorted(order)
    wide = [r["Swing"] for r in sensitivity if r["ID"] == "WIDE"]
    assert wide == sorted(wide, reverse=True) and len(wide) == 2
    sheet = openpyxl.load_workbook(ranked)["Sensitivity"]
    growth_row = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "Growth / month")
    assert growth_row[3].number_format == "0%" and growth_row[3].value == pytest.approx(-0.02)


def test_the_html_shows_the_spread_and_the_tornado(team):
    path, _, _ = run(team, ranged_rows())
    html = (path.parent / "out" / f"{path.stem}.html").read_text()
    assert "How sure are these figures?" in html and "NPV P10 – P90" in html
    assert html.count("<svg") == 4  # the portfolio's cash, the quality map, the ranges, the portfolio's tornado
    assert "Which guess matters most" in html and "NARROW Narrow bet · Upfront cost" in html


def test_the_tornado_caption_counts_the_swings_it_draws(team):
    import lxml.html

    path, _, _ = run(team, ranged_rows())
    page = lxml.html.parse(str(path.parent / "out" / f"{path.stem}.html"))
    figure = page.xpath('//h3[.="Which guess matters most"]/following-sibling::figure[1]')[0]
    bars = [t.text_content() for t in figure.iter("{http://www.w3.org/2000/svg}text", "text")
            if " · " in t.text_content()]
    caption = figure.findtext("figcaption")
    assert len(bars) == 2 and "The 2 widest swings, named initiative · input." in caption


def test_bad_ranges_stay_cell_errors_and_are_not_simulated(team):
    rows = [initiative(id="REV", upfront_cost="1,200 to 800"), initiative(id="NEG", maintenance_month="-5 to 10"),
            initiative(id="GRO", growth_month="-100% to 5%"), initiative(id="OK", upfront_cost="800 to 1,200")]
    ranking = leverkit.rank(leverkit.load(team(rows)))
    assert [i.id for i in ranking.plan.initiatives] == ["OK"]
    assert {i.code for i in ranking.plan.issues} == {"range-reversed", "out-of-range"}
    assert ranking.simulation.ranged.tolist() == [True]


def test_the_batch_portfolio_carries_the_spread(tmp_path):
    drive = tmp_path / "drive"
    drive.mkdir()
    write_team(drive / "a.xlsx", ranged_rows(), headers=HEADERS)
    leverkit.batch([str(drive)], tmp_path / "out", workers=1)
    ranked = records(calamine_sheets(tmp_path / "out" / "portfolio.xlsx")["Ranked"])
    assert all(r["NPV P10"] <= r["NPV P90"] for r in ranked)
    assert "NPV P10 – P90" in (tmp_path / "out" / "index.html").read_text()
