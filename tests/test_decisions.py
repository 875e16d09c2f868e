"""Deciding what to fund (docs/model.md section 5) as a planner sees it: verdicts, the Portfolio sheet, the
HTML headline, Decisions, and one company-wide choice across a drive."""
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import leverkit
from leverkit.cli import cli
from leverkit.drive import run_batch

from .conftest import HEADERS, calamine_sheets, find_table, initiative, write_team

DECIDED = HEADERS + ["Decision"]
EXAMPLES = Path(__file__).parent.parent / "workbooks"


def rows():
    """Five initiatives: three that pay (one of them red), one that loses money, one decided."""
    return [
        initiative(id="A", upfront_cost=30000, value_per_reach=400, maintenance_month=100),
        initiative(id="B", upfront_cost=20000, value_per_reach=300, maintenance_month=300),
        initiative(id="C", upfront_cost=20000, value_per_reach=200, maintenance_month=50),
        initiative(id="LOSS", upfront_cost=50000, value_per_reach=1, maintenance_month=10),
        initiative(id="RED", upfront_cost=100, value_per_reach=900, quality_1_5=1),
        {**initiative(id="D", upfront_cost=5000, value_per_reach=50, maintenance_month=10), "Decision": "fund"},
    ]


def report(team, settings=None):
    path = team(rows(), headers=DECIDED, settings=settings)
    result = leverkit.report(path, path.parent / "out")
    return result, calamine_sheets(result.written[0]), (path.parent / "out" / f"{path.stem}.html").read_text()


def records(sheet):
    return [dict(zip(sheet[0], row)) for row in sheet[1:]]


def test_every_initiative_gets_a_verdict_without_a_budget(team):
    result, sheets, html = report(team)
    verdicts = {r["ID"]: r["Verdict"] for r in records(sheets["Ranked"])}
    assert verdicts == {"A": "fund", "B": "fund", "C": "fund", "LOSS": "does not pay",
                        "RED": "fix the foundation first", "D": "fund (decided)"}
    assert "Fund these 4:" in html and "set a Budget or Monthly capacity" in html


def test_a_budget_and_capacity_choose_exactly_and_say_what_is_left(team):
    result, sheets, html = report(team, {"Budget": 60000, "Monthly capacity": 400, "Currency": "EUR"})
    verdicts = {r["ID"]: r["Verdict"] for r in records(sheets["Ranked"])}
    # D (fund, 5,000 / 10) goes in first; then A+C (50,000 / 150) beats A+B (50,000 / 400 > 390 left) and B+C
    assert verdicts == {"A": "fund", "B": "does not fit", "C": "fund", "LOSS": "does not pay",
                        "RED": "fix the foundation first", "D": "fund (decided)"}
    totals = {r["Recommended portfolio"]: r["Value"] for r in find_table(sheets["Portfolio"], "Recommended portfolio")}
    assert totals["Upfront cost (new initiatives)"] == 55000 and totals["Budget"] == 60000
    assert totals["Budget left"] == 5000
    assert totals["Maintenance / month"] == 160 and totals["Capacity left / month"] == 240
    assert totals["Solver"] == "proven best (exact)"
    chosen = [r["ID"] for r in find_table(sheets["Portfolio"], "Rank") if r.get("Verdict")]
    assert sorted(chosen) == ["A", "C", "D"]
    frontier = find_table(sheets["Portfolio"], "Budget", "Best value (risk-adjusted)")
    assert len(frontier) == 25 and frontier[0]["Budget"] == 5000  # from the decided upfront
    values = [r["Best value (risk-adjusted)"] for r in frontier]
    assert values == sorted(values) and {r["Proven best"] for r in frontier} == {"yes"}
    assert "Fund these 3: EUR 55,000 of the EUR 60,000 budget, EUR 160 of EUR 400 monthly capacity" in html
    assert "What more budget would buy" in html


def test_decisions_over_the_budget_are_named_on_the_issues_sheet(team):
    result, sheets, _ = report(team, {"Budget": 1000})
    issues = [r for r in records(sheets["Issues"]) if r["Code"] == "decisions-conflict"]
    assert issues and issues[0]["Cell"] == "B2" and issues[0]["Kind"] == "note"
    assert issues[0]["Problem"] == ("the fund decisions conflict: the fund decisions and what they require (D): they "
                                    "need USD 5,000 upfront, over the Budget of USD 1,000; only the fund decisions "
                                    "are in the portfolio until a person decides")
    verdicts = {r["ID"]: r["Verdict"] for r in records(sheets["Ranked"])}
    assert verdicts["D"] == "fund (decided)"
    assert {v for k, v in verdicts.items() if k != "D"} == {"no recommendation: decisions conflict"}


def test_a_decision_that_is_not_fund_or_skip_invalidates_its_row(team):
    path = team([{**initiative(id="X"), "Decision": "maybe"}, initiative(id="Y")], headers=DECIDED)
    plan = leverkit.load(path)
    assert [i.id for i in plan.initiatives] == ["Y"]
    assert plan.issues[0].cell == "Q2" and "'maybe' is not one of fund, skip" in plan.issues[0].message


def test_a_negative_budget_stops_the_run(team):
    path = team([initiative()], settings={"Budget": -5})
    result = CliRunner().invoke(cli, ["report", str(path), "--out", str(path.parent / "out")])
    assert result.exit_code == 1 and "Settings!B2: Budget -5 is negative" in result.output


def test_simulation_gives_the_portfolio_its_own_spread(team):
    spread = [initiative(id="S1", value_per_reach="100 to 400"), initiative(id="S2", upfront_cost="500 to 2,000")]
    path = team(spread, settings={"Budget": 10000})
    ranking = leverkit.rank(leverkit.load(path))
    p10, p50, p90, positive = ranking.simulation.portfolio(ranking.funding.chosen)
    sheets = calamine_sheets(leverkit.report(path, path.parent / "out").written[0])
    totals = {r["Recommended portfolio"]: r["Value"] for r in find_table(sheets["Portfolio"], "Recommended portfolio")}
    assert totals["NPV P10 before Confidence"] == pytest.approx(p10)
    assert totals["NPV P90 before Confidence"] == pytest.approx(p90)
    assert p10 < p50 < p90 and totals["P(NPV > 0)"] == pytest.approx(positive)


@pytest.fixture
def usd_drive(tmp_path):
    root = tmp_path / "drive"
    root.mkdir()
    for name in ("design_studio.xlsx", "operations.xlsx"):
        shutil.copy(EXAMPLES / name, root / name)
    write_team(root / "decided.xlsx", [{**initiative(id="FORCED", upfront_cost=70000), "Decision": "fund"}],
               headers=DECIDED, settings={"Team": "Decided"})
    return root


def test_a_company_wide_budget_chooses_across_teams(usd_drive, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(usd_drive), "--out", str(out), "--budget", "100000",
                                      "--capacity", "20000", "--workers", "1"])
    assert result.exit_code == 0, result.output
    sheets = calamine_sheets(out / "portfolio.xlsx")
    assert "Funding" in sheets and sheets["Ranked"][0][:4] == ["Rank", "Team", "Workbook", "Currency"]
    ranked = records(sheets["Ranked"])
    chosen = [r for r in ranked if r["Verdict"] in ("fund", "fund (decided)")]
    assert any(r["ID"] == "FORCED" and r["Verdict"] == "fund (decided)" for r in chosen)
    assert sum(r["Upfront cost"] for r in chosen) <= 100000 and len({r["Team"] for r in chosen}) >= 2
    assert "across the company" in (out / "index.html").read_text()


def test_teams_in_different_currencies_are_never_added_up(tmp_path):
    root = tmp_path / "drive"
    root.mkdir()
    write_team(root / "us.xlsx", [initiative()], settings={"Currency": "USD"})
    write_team(root / "eu.xlsx", [initiative()], settings={"Currency": "EUR"})
    report_ = CliRunner().invoke(cli, ["batch", str(root), "--out", str(tmp_path / "out"), "--budget", "5000"])
    assert report_.exit_code == 1
    assert "(EUR: eu.xlsx; USD: us.xlsx)" in report_.output
    with pytest.raises(leverkit.LeverkitError, match="different currencies"):
        run_batch([str(root)], tmp_path / "out2", workers=1, budget=5000)


def test_the_frontier_is_a_native_excel_chart_marking_this_budget(team):
    import zipfile

    result, sheets, _ = report(team, {"Budget": 60000})
    with zipfile.ZipFile(result.written[0]) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    [frontier] = [c for c in charts if "What more budget would buy" in c]
    assert "<c:scatterChart>" in frontier and frontier.count("<c:ser>") == 2  # the frontier, and this Budget
    assert "Portfolio!$" in frontier


def test_the_button_decides_exactly_as_the_command_line(team):
    from leverkit.xl import rank_book

    from .conftest import replay, xl_book

    path = team(rows(), headers=DECIDED, settings={"Budget": 60000, "Monthly capacity": 400})
    cli = calamine_sheets(leverkit.report(path, path.parent / "out").written[0])
    book, payload = xl_book(calamine_sheets(path), name=path.name)
    rank_book(book)
    cells = replay(payload, book.json()["actions"])
    for sheet in ("Ranked", "Portfolio"):
        grid = cells[sheet]
        for r, row in enumerate(cli[sheet]):
            for c, value in enumerate(row):
                mine = grid.get((r, c), "")
                mine = mine[1:] if isinstance(mine, str) and mine.startswith("'") else mine
                value = value.isoformat() if hasattr(value, "isoformat") else value
                assert mine == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value), (sheet, r, c)
