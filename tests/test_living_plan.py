"""A living plan (docs/model.md sections 5, 6 and 8): what is started is decided on what it is still worth, its
upfront sunk; the portfolio's cash month by month and by fiscal year; the Decision sheet. Every figure is checked
against a hand-worked case or numpy_financial."""
import datetime

import numpy as np
import numpy_financial as npf
import pytest

import leverkit
from leverkit.cash import cash_view, fiscal_name, need_and_payback
from leverkit.model import cash_flows
from leverkit.reading import Grid, parse_sheets
from leverkit.simulation import outcomes
from leverkit.tables import choice_notes
from leverkit.xl import rank_book

from .conftest import HEADERS, calamine_sheets, find_table, initiative, replay, write_team, xl_book

HEAD = HEADERS + ["Decision", "Start"]
RATE = 1.12 ** (1 / 12) - 1


def plan(rows, actuals=(), **settings):
    """A plan from row dicts (with Decision and Start), an Actuals sheet of (ID, Month, Gross, Spend) rows and
    settings by name; discount 12%, horizon 12, As of 2025-04 unless given."""
    named = {"Horizon (months)": 12, "Discount rate (annual)": "12%", "As of": "2025-04", **settings}
    sheets = {"Initiatives": Grid("Initiatives", [HEAD] + [[r.get(h) for h in HEAD] for r in rows]),
              "Settings": Grid("Settings", [["Setting", "Value"], *map(list, named.items())])}
    if actuals:
        sheets["Actuals"] = Grid("Actuals", [["ID", "Month", "Gross value", "Spend"], *map(list, actuals)])
    return parse_sheets(sheets, "plan.xlsx", "plan")


def row(id, start=None, decision=None, **fields):
    """By default: upfront 1,000, maintenance 10, gross 10 × 20 = 200 a month from month 1."""
    return {**initiative(id=id, **fields), "Start": start, "Decision": decision}


# -- new, started, finished; the forward value ---------------------------------------------------------------

def test_the_forward_value_by_hand():
    """Started 2025-01, As of 2025-04: E = 4. Three months reported at half the plan (ρ = 0.5), so every month
    from 5 to 12 is re-forecast at 0.5 × 200 − 10 = 90, discounted to As of."""
    ranking = leverkit.rank(plan([row("A", start="2025-01", confidence="80%")],
                                 [("A", "2025-01", 100, 1010), ("A", "2025-02", 100, 10), ("A", "2025-03", 100, 10)]))
    expected = npf.npv(RATE, [0.0] + [0.5 * 200 - 10] * 8)
    assert ranking.progress.status.tolist() == ["started"] and ranking.progress.elapsed.tolist() == [4]
    assert ranking.progress.forward[0] == pytest.approx(expected, rel=1e-12)
    assert ranking.value[0] == pytest.approx(0.8 * expected, rel=1e-12)  # value = Confidence × F
    assert ranking.projection.npv[0] == pytest.approx(npf.npv(RATE, [-1000] + [190] * 12), rel=1e-12)  # plan NPV kept


def test_without_actuals_a_started_initiative_is_forecast_at_its_plan():
    ranking = leverkit.rank(plan([row("A", start="2025-02")]))  # E = 3
    assert ranking.progress.forward[0] == pytest.approx(npf.npv(RATE, [0.0] + [190.0] * 9), rel=1e-12)


def test_new_scheduled_started_and_finished():
    rows = [row("NEW"), row("LATER", start="2025-09"), row("NOW", start="2025-04"), row("DONE", start="2024-04"),
            row("GONE", start="2023-01")]
    ranking = leverkit.rank(plan(rows))
    p = ranking.progress
    assert p.status.tolist() == ["new", "new", "started", "finished", "finished"]  # E = 0, −4, 1, 13, 28
    assert p.elapsed.tolist() == [0, 0, 1, 12, 12]
    assert np.isnan(p.forward[:2]).all() and p.forward[3:].tolist() == [0.0, 0.0]
    assert ranking.value[1] == pytest.approx(ranking.projection.risk_adjusted_npv[1])  # scheduled: valued as new
    verdicts = dict(zip([r["ID"] for r in rows], ranking.funding.verdicts))
    assert verdicts["DONE"] == verdicts["GONE"] == "finished" and verdicts["NOW"] == "continue"
    assert not ranking.funding.chosen[3:].any()


def test_sunk_upfront_never_counts_against_the_budget():
    """A started initiative whose upfront alone is over the Budget still continues: that money is spent."""
    ranking = leverkit.rank(plan([row("BIG", start="2025-01", upfront_cost=50_000), row("NEW", upfront_cost=900),
                                  row("TOO", upfront_cost=200)], Budget=1000))
    assert ranking.funding.verdicts == ["continue", "does not fit", "fund"]  # TOO is worth more, and is cheaper
    assert ranking.funding.upfront == 200 and ranking.funding.budget_left == 800


def test_every_new_verdict_and_its_precedence():
    rows = [
        row("KEEP", start="2025-01"),
        row("LOSS", start="2025-01", value_per_reach=1),  # its forward value is below zero
        row("HEAVY", start="2025-01", maintenance_month=150, value_per_reach=30),  # pays, but capacity is short
        row("FORCE", start="2025-01", decision="fund", value_per_reach=1),
        row("HALT", start="2025-01", decision="skip"),
        row("RED", start="2025-01", quality_1_5=1, reach_month=500),
        row("OVER", start="2024-01", decision="fund"),  # finished: its Decision is ignored
    ]
    ranking = leverkit.rank(plan(rows, **{"Monthly capacity": 100}))
    assert dict(zip([r["ID"] for r in rows], ranking.funding.verdicts)) == {
        "KEEP": "continue", "LOSS": "stop: no longer pays", "HEAVY": "stop: does not fit",
        "FORCE": "continue (decided)", "HALT": "stop (decided)", "RED": "stop: fix the foundation first",
        "OVER": "finished"}
    notes = [i for i in choice_notes(ranking) if i.code == "decision-ignored"]
    assert [(n.cell, n.value) for n in notes] == [("A8", "fund")] and "finished" in notes[0].message


def test_a_started_initiatives_draws_are_of_its_forward_value():
    """The closed form against summing the drawn months one by one, for a started initiative with ranges."""
    rows = [row("A", start="2025-01", value_per_reach="10 to 40", growth_month="1% to 3%", reach_cap=14)]
    ranking = leverkit.rank(plan(rows, [("A", "2025-01", 100, 1010), ("A", "2025-02", 150, 10)]))
    sim, where = ranking.simulation, ranking.where
    rho, e = where.realisation[0], where.elapsed[0]
    inputs = {"upfront": np.array([1000.0]), "maintenance": np.array([10.0]), "reach": np.array([10.0]),
              "value": np.array([13.0, 33.0]), "growth": np.array([0.015, 0.025]), "cap": np.array([14.0]),
              "delay": np.array([0.0]), "decay": np.array([0.0])}
    closed, _ = outcomes(**inputs, horizon=12, monthly_rate=RATE, elapsed=e, realisation=rho)
    cf, gross, _ = cash_flows(**{k: np.broadcast_to(v, 2) for k, v in inputs.items()}, horizon=12)
    by_month = [npf.npv(RATE, [0.0] + (rho * g[e:] - 10).tolist()) for g in gross]
    assert closed == pytest.approx(by_month, rel=1e-10)
    assert sim.p10[0] < ranking.progress.forward[0] < sim.p90[0]  # the spread is around the forward value


# -- the portfolio's cash --------------------------------------------------------------------------------------

def test_need_and_payback_by_hand():
    assert need_and_payback(np.array([-100.0, -150, -150, -20, 30, -5, 10])) == (150.0, 2, 7)
    assert need_and_payback(np.array([5.0, 6])) == (0.0, None, 1)
    assert need_and_payback(np.array([-5.0, -6])) == (6.0, 2, None)
    assert [fiscal_name(datetime.date(2026, m, 1), 4) for m in (3, 4, 12)] == ["FY2026", "FY2027", "FY2027"]
    assert fiscal_name(datetime.date(2026, 12, 1), 1) == "FY2026"


def test_the_cash_view_by_hand():
    """As of 2025-04 (m = 1 is 2025-05), fiscal years from April. NEW (no Start): upfront 1,000 and month 1's
    190 in 2025-05. LATER (Start 2025-07): upfront 500 then 90 a month. NOW (started 2025-02, E = 3): its
    months 4 to 12 at 190, from 2025-05."""
    rows = [row("NEW"), row("LATER", start="2025-07", upfront_cost=500, value_per_reach=10),
            row("NOW", start="2025-02")]
    ranking = leverkit.rank(plan(rows, **{"Fiscal year starts": "April"}))
    cash = ranking.cash
    months = 15  # LATER reaches 2026-06, month 14 after As of
    flows = np.zeros(months + 1)
    flows[1] += -1000 + 190
    flows[2:13] += 190  # NEW's months 2..12
    flows[3] += -500 + 90  # LATER: Start 2025-07 is m = 3
    flows[4:15] += 90
    flows[1:10] += 190  # NOW: its months 4..12
    assert cash.months[0] == datetime.date(2025, 5, 1) and len(cash.months) == months - 1
    assert cash.flow.tolist() == pytest.approx(flows[1:months].tolist())
    cumulative = np.cumsum(flows[1:months])
    assert cash.cumulative.tolist() == pytest.approx(cumulative.tolist())
    assert cash.need == pytest.approx(620) and cash.need_month == datetime.date(2025, 5, 1)  # −1,000 + 190 + 190
    assert cash.payback_month == datetime.date(2025, 8, 1)  # C: −620, −240, −270, then 200 and up
    fy = {y.name: y for y in cash.fiscal_years}
    assert list(fy) == ["FY2026", "FY2027"]  # 2025-05..2026-03, then 2026-04..2026-06
    assert fy["FY2026"].upfront == 1500 and fy["FY2026"].maintenance == pytest.approx((11 + 9 + 9) * 10)
    assert fy["FY2026"].gross == pytest.approx(11 * 200 + 9 * 100 + 9 * 200)
    assert fy["FY2026"].net == pytest.approx(cumulative[10])
    assert fy["FY2027"].cumulative == pytest.approx(cumulative[-1])
    assert fy["FY2027"].upfront == 0 and fy["FY2027"].gross == pytest.approx(200 + 3 * 100)


def test_a_started_one_contributes_its_reforecast():
    """ρ = 0.5 from three months of actuals: NOW adds 0.5 × 200 − 10 = 90 a month after As of, nothing for its past."""
    ranking = leverkit.rank(plan([row("NOW", start="2025-01")],
                                 [("NOW", "2025-01", 100, 1010), ("NOW", "2025-02", 100, 10), ("NOW", "2025-03", 100, 10)]))
    cash = ranking.cash
    assert cash.flow.tolist() == pytest.approx([90.0] * 8) and cash.need == 0 and cash.need_month is None
    assert cash.payback_month == datetime.date(2025, 5, 1)
    assert cash.fiscal_years[0].upfront == 0 and cash.fiscal_years[0].gross == pytest.approx(8 * 100)


def test_an_empty_portfolio_has_no_cash_view_and_the_draws_bracket_it():
    assert leverkit.rank(plan([row("LOSS", value_per_reach=1)])).cash is None
    assert cash_view(datetime.date(2025, 1, 1), 1, [], [], [], [], [], np.zeros((0, 12))) is None
    ranking = leverkit.rank(plan([row("R", upfront_cost="500 to 2,000", value_per_reach="10 to 40")]))
    low, mid, high = ranking.cash.bands
    assert (low <= mid + 1e-9).all() and (mid <= high + 1e-9).all() and (low < high).any()
    p10, p50, p90 = ranking.cash.need_spread
    assert p10 <= p50 <= p90 and p10 < ranking.cash.need < p90


# -- what the outputs say ------------------------------------------------------------------------------------

@pytest.fixture
def living(tmp_path):
    rows = [row("KEEP", start="2025-01"), row("LOSS", start="2025-01", value_per_reach=1), row("NEW", upfront_cost=700),
            row("WIDE", upfront_cost="500 to 2,000")]
    path = write_team(tmp_path / "living.xlsx", rows, headers=HEAD,
                      settings={"Horizon (months)": 12, "As of": "2025-04", "Fiscal year starts": 4, "Budget": 2000})
    return path, leverkit.report(path, tmp_path / "out")


def test_the_decision_sheet_comes_first_and_says_it_all(living):
    path, result = living
    sheets = calamine_sheets(result.written[0])
    assert list(sheets)[0] == "Decision"
    decision = sheets["Decision"]
    assert decision[0][0].startswith("Fund these 3: USD 1,700 of the USD 2,000 budget") and "as of 2025-04" in decision[0][0]
    facts = {r["Decision"]: r["Value"] for r in find_table(decision, "Decision", "Value")}
    cash = result.ranking.cash
    assert facts["As of"] == datetime.date(2025, 4, 1)
    assert facts["Cash need"] == pytest.approx(cash.need) and facts["Cash need month"] == cash.need_month
    assert facts["Payback month"] == cash.payback_month
    assert {"Cash need P10", "Cash need P50", "Cash need P90", "NPV P10 before Confidence", "Value (risk-adjusted)",
            "Budget left", "Capacity left / month"} - set(facts) == {"Capacity left / month"}  # no capacity set
    assert facts["Initiatives with ranges"] == "1 of 4 (the others count as certain)"
    members = find_table(decision, "Rank", "ID")
    assert [(m["ID"], m["Status"]) for m in members] == [("KEEP", "started"), ("NEW", "new"), ("WIDE", "new")]
    assert members[0]["Upfront cost"] == ""  # sunk
    stop = find_table(decision, "Rank", "ID")  # the first such table; the one to stop comes next
    to_stop = [r for r in find_table(decision[decision.index(next(r for r in decision if r[0] == "Started initiatives to stop")):],
                                     "Rank", "ID")]
    assert [r["ID"] for r in to_stop] == ["LOSS"] and to_stop[0]["Verdict"] == "stop: no longer pays" and stop
    years = find_table(decision, "Fiscal year", "Upfront")
    assert [y["Fiscal year"] for y in years] == [y.name for y in cash.fiscal_years]
    assert years[0]["Cumulative net cash"] == pytest.approx(cash.fiscal_years[0].cumulative)


def test_ranked_has_status_forward_value_and_value(living):
    _, result = living
    ranked = {r["ID"]: r for r in find_table(calamine_sheets(result.written[0])["Ranked"], "Rank")}
    assert ranked["KEEP"]["Status"] == "started" and ranked["NEW"]["Status"] == "new"
    assert ranked["KEEP"]["Forward value"] == pytest.approx(result.ranking.progress.forward[0])
    assert ranked["NEW"]["Forward value"] == "" and ranked["NEW"]["Value"] == pytest.approx(ranked["NEW"]["Risk-adjusted NPV"])
    assert ranked["NEW"]["P(NPV > 0)"] == "" and ranked["WIDE"]["P(NPV > 0)"] != ""  # blank where nothing was drawn
    assert ranked["WIDE"]["Ranges"] == "Upfront cost 500 to 2,000"


def test_the_page_opens_with_the_decision_on_one_basis(living):
    path, result = living
    html = (path.parent / "out" / "living.html").read_text()
    assert html.index("what to fund") < html.index("<h2>Ranking</h2>") < html.index("The portfolio's cash, month by month")
    assert "As of 2025-04" in html and "By fiscal year (each starting in April)" in html
    assert "1 of 4 initiatives have ranges; the others count as certain" in html
    spread = result.ranking.simulation.funded
    assert f'<dt>NPV P10 before Confidence</dt><dd class="n">{spread[0]:,.0f}' in html  # labelled with its basis
    assert "<dt>Value (risk-adjusted)</dt>" in html and "total risk-adjusted NPV" not in html
    assert "Started, to stop" in html and "stop: no longer pays" in html


def test_the_button_and_the_batch_show_the_same_figures(living, tmp_path):
    path, result = living
    cli = calamine_sheets(result.written[0])
    book, payload = xl_book(calamine_sheets(path), name=path.name)
    rank_book(book)
    cells = replay(payload, book.json()["actions"])["Decision"]
    for r, line in enumerate(cli["Decision"]):
        for c, value in enumerate(line):
            mine = cells.get((r, c), "")
            mine = mine[1:] if isinstance(mine, str) and mine.startswith("'") else mine
            value = value.isoformat() if hasattr(value, "isoformat") else value
            assert mine == (pytest.approx(value, rel=1e-12) if isinstance(value, float) else value), (r, c)
    report = leverkit.batch([str(path.parent / "living.xlsx")], tmp_path / "batch", workers=1)
    batch = calamine_sheets(tmp_path / "batch" / "living_ranked.xlsx")
    assert batch["Decision"] == cli["Decision"] and report.processed[0].summary["as_of"] == "2025-04"


def test_an_unchanged_workbook_is_ranked_again_once_its_as_of_month_has_passed(tmp_path):
    drive = tmp_path / "drive"
    drive.mkdir()
    write_team(drive / "fixed.xlsx", [row("A")], headers=HEAD, settings={"As of": "2025-04"})
    write_team(drive / "floating.xlsx", [row("B")], headers=HEAD)
    first = leverkit.batch([str(drive)], tmp_path / "out", workers=1, today=datetime.date(2026, 11, 20))
    same_month = leverkit.batch([str(drive)], tmp_path / "out", workers=1, today=datetime.date(2026, 11, 28))
    next_month = leverkit.batch([str(drive)], tmp_path / "out", workers=1, today=datetime.date(2026, 12, 2))
    assert first.unchanged == 0 and same_month.unchanged == 2
    assert next_month.unchanged == 1  # floating.xlsx's As of is the month it runs in: its input changed
    assert {o.summary["workbook"]: o.summary["as_of"] for o in next_month.processed} == {
        "fixed.xlsx": "2025-04", "floating.xlsx": "2026-12"}


def test_the_cash_draws_month_by_month(monkeypatch):
    """The calendar sum of the draws, whichever way an initiative is summed (as one product over initiatives whose
    reach never meets its cap, or month by month), equals laying each draw's month-by-month cash flows
    (`model.cash_flows`) on the calendar by hand."""
    from leverkit import simulation

    rows = [row("A", upfront_cost="500 to 2,000"), row("B", value_per_reach="10 to 40", start="2025-02"),
            row("C", reach_month="5 to 50", reach_cap=30), row("D", growth_month="1% to 4%", start="2025-07"),
            row("E")]
    ranking = leverkit.rank(plan(rows))
    p, s, sim = ranking.plan, ranking.plan.settings, ranking.simulation
    members = np.flatnonzero(sim.ranged)
    offset = np.array([1, -1, 1, 3])  # A, C new; B started 2025-02 (E = 3); D starts 2025-07
    total = simulation.calendar_draws(p.initiatives, s, members, sim.where, offset, 14)
    expected = np.zeros((s.draws, 14))
    for j, i in enumerate(members.tolist()):
        item = p.initiatives[i]
        inputs = simulation._inputs([item], s.seed, s.draws)
        one = {f: np.broadcast_to(v[0], s.draws) for f, v in inputs.items()}
        fixed = {f: np.full(s.draws, float(getattr(item, f))) for f in simulation.FIXED}
        cf, gross, _ = cash_flows(**one, **fixed, horizon=12)
        cf[:, 1:] += (sim.where.realisation[i] - 1) * gross
        for t in range(0, 13):
            m = offset[j] + max(t, 1) - 1
            if 1 <= m <= 14 and (t > 0 or sim.where.elapsed[i] == 0):
                expected[:, m - 1] += cf[:, t]
    np.testing.assert_allclose(total, expected, rtol=1e-10, atol=1e-6)
    monkeypatch.setattr(simulation, "CHUNK_CELLS", s.draws)  # one initiative at a time
    np.testing.assert_allclose(simulation.calendar_draws(p.initiatives, s, members, sim.where, offset, 14), total,
                               rtol=1e-12, atol=1e-9)
