"""The choice with requirements, alternative groups, decisions and both limits (docs/model.md section 5), against
brute force over every subset; every verdict; every conflict; many teams and currencies."""
import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import leverkit
from leverkit.cli import cli
from leverkit.funding import fund
from leverkit.reading import Grid, parse_sheets
from leverkit.tables import choice_notes

from .conftest import HEADERS, calamine_sheets, find_table, initiative, write_team

HEAD = HEADERS + ["Decision", "Start", "Requires", "Alternative group"]
EXAMPLES = Path(__file__).parent.parent / "workbooks"


def brute(value, upfront, maintenance, red, decision, status, requires, groups, budget, capacity):
    """The best Σ value over every subset that docs/model.md section 5 allows, by enumeration."""
    n = len(value)
    best = None
    for picks in itertools.product((False, True), repeat=n):
        x = np.array(picks)
        if any(x[i] and status[i] == "finished" for i in range(n)):
            continue
        if any(decision[i] == "fund" and status[i] != "finished" and not x[i] for i in range(n)):
            continue
        if any(x[i] and (decision[i] == "skip" or (red[i] and decision[i] == "")) for i in range(n)):
            continue
        if any(x[i] and not (x[j] or status[j] == "finished") for i, j in requires):
            continue
        if any(sum(x[i] for i in g if status[i] != "finished") > 1 for g in groups):
            continue
        if budget is not None and upfront[x].sum() > budget * (1 + 1e-9):
            continue
        if capacity is not None and maintenance[x].sum() > capacity * (1 + 1e-9):
            continue
        total = value[x].sum()
        best = total if best is None or total > best else best
    return best


def random_case(rng, n):
    value = np.round(rng.normal(30, 40, n))
    upfront = np.round(rng.uniform(0, 50, n))
    maintenance = np.round(rng.uniform(0, 10, n))
    red = rng.random(n) < 0.1
    decision = rng.choice(["", "", "", "", "", "", "fund", "skip"], n).astype(object)
    status = rng.choice(["new", "new", "new", "started", "finished"], n).astype(object)
    upfront = np.where(status == "new", upfront, 0.0)
    requires = []
    for i in range(n):
        for j in rng.choice(n, rng.integers(0, 3), replace=False).tolist():
            if i != j:
                requires.append((i, j))  # chains, cycles, values ≤ 0 pulled in: whatever the draw gives
    groups = [tuple(rng.choice(n, 3, replace=False).tolist()) for _ in range(rng.integers(0, 3))]
    budget = float(upfront.sum() * rng.uniform(0.2, 0.7)) if rng.random() < 0.8 else None
    capacity = float(maintenance.sum() * rng.uniform(0.3, 0.8)) if rng.random() < 0.5 else None
    return value, upfront, maintenance, red, decision, status, requires, groups, budget, capacity


@pytest.mark.parametrize("seed", range(40))
def test_the_choice_against_every_subset(seed):
    rng = np.random.default_rng(seed)
    case = random_case(rng, int(rng.integers(6, 13)))
    value, upfront, maintenance, red, decision, status, requires, groups, budget, capacity = case
    f = fund(value, upfront, maintenance, red, decision, budget, capacity, status=status, requires=requires,
             groups=groups)
    best = brute(*case)
    if f.conflict is not None:
        forced = (decision == "fund") & (status != "finished")
        assert f.chosen.tolist() == forced.tolist()  # the fund decisions alone
        assert best is None or not _closure_fits(case)
        assert all(v in ("fund (decided)", "continue (decided)", "skip (decided)", "stop (decided)", "finished",
                         "no recommendation: decisions conflict") for v in f.verdicts)
        return
    assert best is not None
    assert f.value == pytest.approx(best, rel=1e-9, abs=1e-9) and f.proven
    x = f.chosen
    assert all(not x[i] or x[j] or status[j] == "finished" for i, j in requires)
    assert all(sum(x[i] for i in g) <= 1 for g in groups)
    assert budget is None or upfront[x].sum() <= budget * (1 + 1e-9)
    # a value ≤ 0 is in only when a fund decision or something in the portfolio requires it
    required = {j for i, j in requires if x[i]}
    for i in np.flatnonzero(x & (value <= 0)):
        assert decision[i] == "fund" or i in required


def _closure_fits(case) -> bool:
    """Whether the fund decisions with all they require could be in together."""
    value, upfront, maintenance, red, decision, status, requires, groups, budget, capacity = case
    from leverkit.solver import closure

    inside = closure((decision == "fund") & (status != "finished"),
                     [(i, j) for i, j in requires if status[i] != "finished" and status[j] != "finished"], len(value))
    if any(inside[i] and (decision[i] == "skip" or (red[i] and decision[i] == "")) for i in range(len(value))):
        return False
    if any(sum(inside[i] for i in g if status[i] != "finished") > 1 for g in groups):
        return False
    return ((budget is None or upfront[inside].sum() <= budget * (1 + 1e-9))
            and (capacity is None or maintenance[inside].sum() <= capacity * (1 + 1e-9)))


def verdicts_of(rows, **settings):
    named = {"Horizon (months)": 24, "As of": "2025-06", **settings}
    sheets = {"Initiatives": Grid("Initiatives", [HEAD] + [[r.get(h) for h in HEAD] for r in rows]),
              "Settings": Grid("Settings", [["Setting", "Value"], *map(list, named.items())])}
    plan = parse_sheets(sheets, "plan.xlsx", "plan")
    ranking = leverkit.rank(plan)
    return plan, ranking, dict(zip((i.id for i in plan.initiatives), ranking.funding.verdicts))


def row(id, **fields):
    extra = {h: fields.pop(k) for k, h in (("decision", "Decision"), ("start", "Start"), ("requires", "Requires"),
                                           ("group", "Alternative group")) if k in fields}
    return {**initiative(id=id, **fields), **extra}


def test_required_needs_and_alternatives():
    rows = [
        row("FIX", value_per_reach=1, upfront_cost=500),  # loses money, but AUTO needs it
        row("AUTO", requires="FIX", group="onboarding", value_per_reach=60),
        row("HIRE", group="Onboarding ", value_per_reach=40),  # groups match trimmed, case aside
        row("BLOCKED", decision="skip"),
        row("WANTS", requires="BLOCKED"),
        row("CHAIN", requires="WANTS"),
        row("REDDISH", quality_1_5=1, reach_month=400),
        row("ONRED", requires="REDDISH"),
    ]
    _, ranking, verdicts = verdicts_of(rows)
    assert verdicts == {"FIX": "fund (required by AUTO)", "AUTO": "fund", "HIRE": "alternative chosen: AUTO",
                        "BLOCKED": "skip (decided)", "WANTS": "needs BLOCKED", "CHAIN": "needs WANTS",
                        "REDDISH": "fix the foundation first", "ONRED": "needs REDDISH"}


def test_a_cycle_goes_together_and_a_finished_requirement_counts_as_in():
    rows = [row("A", requires="B"), row("B", requires="A", value_per_reach=2), row("C", requires="OLD"),
            row("OLD", start="2020-01")]
    _, ranking, verdicts = verdicts_of(rows)
    assert verdicts["A"] == "fund" and verdicts["B"] == "fund (required by A)" and verdicts["C"] == "fund"
    assert verdicts["OLD"] == "finished"


@pytest.mark.parametrize("rows, settings, detail", [
    ([row("A", decision="fund", requires="S"), row("S", decision="skip")], {},
     "S is decided skip"),
    ([row("A", decision="fund", requires="R"), row("R", quality_1_5=1, reach_month=400)], {},
     "R is flagged red and undecided"),
    ([row("A", decision="fund", group="g"), row("B", decision="fund", group="G")], {},
     "A and B are alternatives, of which at most one can be funded"),
    ([row("A", decision="fund", requires="B", upfront_cost=700), row("B", upfront_cost=600)], {"Budget": 1000},
     "they need USD 1,300 upfront, over the Budget of USD 1,000"),
    ([row("A", decision="fund", maintenance_month=80), row("B", maintenance_month=30, decision="fund")],
     {"Monthly capacity": 100}, "they need USD 110 a month in maintenance, over the Monthly capacity of USD 100"),
])
def test_every_conflict_is_named_and_only_the_decisions_are_in(rows, settings, detail):
    rows = rows + [row("FREE", value_per_reach=90)]
    plan, ranking, verdicts = verdicts_of(rows, **settings)
    f = ranking.funding
    assert f.conflict is not None and detail in f.conflict.sentence()
    assert verdicts["FREE"] == "no recommendation: decisions conflict" and f.frontier is None
    assert [i.id for i, c in zip(plan.initiatives, f.chosen) if c] == [r["ID"] for r in rows if r.get("Decision") == "fund"]
    notes = [i for i in choice_notes(ranking) if i.code == "decisions-conflict"]
    assert len(notes) == 1 and detail in notes[0].message


def test_the_frontier_runs_from_what_the_decisions_bring_in_to_everything_worth_buying():
    rows = [row("D", decision="fund", requires="Q", upfront_cost=300), row("Q", upfront_cost=200),
            row("A", upfront_cost=1000), row("B", upfront_cost=400, requires="Z"), row("Z", upfront_cost=100,
                                                                                     value_per_reach=1),
            row("LOSS", upfront_cost=5000, value_per_reach=1), row("NO", upfront_cost=777, decision="skip")]
    _, ranking, _ = verdicts_of(rows, Budget=1500)
    curve = ranking.funding.frontier
    # B_min: D and the Q it requires; B_max adds A, B and the Z that B requires (not LOSS, not the skip)
    assert curve.budgets[0] == 500 and curve.budgets[-1] == 500 + 1000 + 400 + 100 and len(curve.budgets) == 25
    assert np.all(np.diff(curve.values) >= -1e-9) and curve.proven.all()
    assert curve.values[-1] == pytest.approx(ranking.value[[0, 1, 2, 3, 4]].sum())


def test_requires_cells_are_checked():
    rows = [row("A", requires="A"), row("B", requires="NOPE"), row("C", requires="BAD"),
            row("BAD", quality_1_5=9), row("D", requires="C"), row("E", requires="7, F ;"), row("F"),
            {**row("G"), "ID": 7}]
    plan, _, _ = verdicts_of(rows)
    found = {(i.id, i.code) for i in plan.issues}
    assert {("A", "requires-itself"), ("B", "unknown-requirement"), ("C", "unknown-requirement"),
            ("D", "unknown-requirement")} <= found  # invalidity passes along the chain: D requires C
    assert [i.id for i in plan.initiatives] == ["E", "F", "7"] and plan.initiatives[0].requires == ("7", "F")
    message = next(i.message for i in plan.issues if i.id == "C")
    assert message == "Requires names 'BAD', which is not the ID of a valid initiative (its row 5 is invalid)"


# -- currencies ------------------------------------------------------------------------------------------------

def test_an_amount_in_another_currency_is_refused_and_case_never_matters(team):
    path = team([initiative(id="A", upfront_cost="1,200 eur"), initiative(id="B", upfront_cost="1,200 GBP"),
                 initiative(id="C", upfront_cost="€900"), initiative(id="D", upfront_cost="$900")],
                settings={"Currency": "eur"})
    plan = leverkit.load(path)
    assert plan.settings.currency == "EUR" and [i.id for i in plan.initiatives] == ["A", "C"]
    messages = {i.id: i.message for i in plan.issues}
    assert messages["B"] == "upfront cost '1,200 GBP' is in GBP, but this workbook plans in EUR; enter it in EUR"
    assert messages["D"] == "upfront cost '$900' is in $, but this workbook plans in EUR; enter it in EUR"
    with pytest.raises(leverkit.LeverkitError, match=r"Settings!B3: Budget '1,000 EUR' is in EUR, but this workbook "
                                                      r"plans in USD"):
        leverkit.load(team([initiative()], settings={"Currency": "USD", "Budget": "1,000 EUR"}))


@pytest.fixture
def world(tmp_path):
    """Two teams in USD (one written usd), one in GBP and one in EUR."""
    root = tmp_path / "drive"
    root.mkdir()
    write_team(root / "us.xlsx", [initiative(id="U1", upfront_cost=1000, value_per_reach=30)],
               settings={"Currency": "USD", "Team": "US"})
    write_team(root / "us2.xlsx", [initiative(id="U2", upfront_cost=1000, value_per_reach=25)],
               settings={"Currency": "usd", "Team": "US two"})
    write_team(root / "uk.xlsx", [initiative(id="K1", upfront_cost=800, value_per_reach=25),
                                  {**initiative(id="K2", upfront_cost=300, value_per_reach=24), "Requires": "K1"}],
               headers=HEADERS + ["Requires"], settings={"Currency": "GBP", "Team": "UK"})
    write_team(root / "eu.xlsx", [initiative(id="E1", upfront_cost=900, value_per_reach=28)],
               settings={"Currency": "EUR", "Team": "EU"})
    return root


def test_a_company_wide_choice_in_one_currency(world, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(world), "--out", str(out), "--workers", "1", "--budget", "2500",
                                      "--currency", "eur", "--rate", "USD=0.9", "--rate", "gbp=1.2"])
    assert result.exit_code == 0, result.output
    sheets = calamine_sheets(out / "portfolio.xlsx")
    ranked = find_table(sheets["Ranked"], "Rank")
    converted = {r["ID"]: r["Value (EUR)"] / r["Value"] for r in ranked}
    assert converted == {"U1": pytest.approx(0.9), "U2": pytest.approx(0.9), "K1": pytest.approx(1.2),
                         "K2": pytest.approx(1.2), "E1": pytest.approx(1.0)}
    values = [r["Value (EUR)"] for r in ranked]
    assert values == sorted(values, reverse=True)
    assert {r["Currency"] for r in ranked} == {"USD", "GBP", "EUR"}  # usd and USD are one currency
    chosen = [r for r in ranked if r["Verdict"].startswith("fund")]
    upfront = sum(r["Upfront cost (EUR)"] for r in chosen)
    assert upfront <= 2500 + 1e-9
    assert not any(r["ID"] == "K2" for r in chosen) or any(r["ID"] == "K1" for r in chosen)  # requires hold
    index = (out / "index.html").read_text()
    assert "amounts converted to EUR" in index and "across the company" in index


def test_a_currency_without_a_rate_is_refused_naming_it(world, tmp_path):
    result = CliRunner().invoke(cli, ["batch", str(world), "--out", str(tmp_path / "out"), "--workers", "1",
                                      "--currency", "EUR", "--rate", "USD=0.9"])
    assert result.exit_code == 1 and "no rate into EUR for GBP: uk.xlsx" in result.output
    assert "--rate GBP=<EUR per GBP>" in result.output


def test_mixed_currencies_without_rates_rank_apart_and_refuse_a_budget(world, tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["batch", str(world), "--out", str(out), "--workers", "1"]).exit_code == 0
    ranked = find_table(calamine_sheets(out / "portfolio.xlsx")["Ranked"], "Rank")
    assert [r["Currency"] for r in ranked] == sorted(r["Currency"] for r in ranked)  # each currency apart
    assert "each currency is ranked apart" in (out / "index.html").read_text()
    refused = CliRunner().invoke(cli, ["batch", str(world), "--out", str(tmp_path / "out2"), "--budget", "100"])
    assert refused.exit_code == 1 and "(EUR: eu.xlsx; GBP: uk.xlsx; USD: us.xlsx, us2.xlsx)" in refused.output


@pytest.mark.parametrize("option", ["--budget inf", "--budget nan", "--capacity -1", "--capacity 1e999", "--rate X=0",
                                    "--rate GBP", "--budget lots"])
def test_bad_amounts_and_rates_are_usage_errors(option, tmp_path):
    result = CliRunner().invoke(cli, ["batch", str(tmp_path), *option.split()])
    assert result.exit_code == 2 and "Traceback" not in result.output and "Error: Invalid value" in result.output


def test_the_library_refuses_what_the_command_line_refuses(tmp_path):
    for options in ({"budget": float("inf")}, {"capacity": float("nan")}, {"rates": {"GBP": 1.2}},
                    {"currency": "EUR", "rates": {"GBP": 0.0}}):
        with pytest.raises(leverkit.errors.BadSetting):
            leverkit.batch([str(tmp_path)], tmp_path / "out", **options)


def test_the_bundled_design_studio_uses_both_columns():
    ranking = leverkit.rank(leverkit.load(EXAMPLES / "design_studio.xlsx"))
    verdicts = dict(zip((i.id for i in ranking.plan.initiatives), ranking.funding.verdicts))
    assert verdicts["DS11"] == "alternative chosen: DS04" and ranking.plan.initiatives[10].requires == ("DS13",)


def test_a_copy_of_the_examples_in_one_currency_makes_one_choice(tmp_path):
    root = tmp_path / "drive"
    root.mkdir()
    for name in ("design_studio.xlsx", "operations.xlsx"):
        shutil.copy(EXAMPLES / name, root / name)
    report = leverkit.batch([str(root)], tmp_path / "out", workers=1, budget=150_000)
    assert len(report.processed) == 2 and (tmp_path / "out" / "portfolio.xlsx").exists()


def test_a_choice_not_proven_best_says_how_close_on_every_sheet_and_page(tmp_path, monkeypatch):
    """With the solver's work cut to nothing, a hard plan's choice cannot be proven: the Decision and Portfolio
    sheets, the page, and a batch's Funding sheet and index all carry the note with the solver's bound."""
    from leverkit import funding

    monkeypatch.setattr(funding, "FUND_WORK", 0)
    rng = np.random.default_rng(5)
    upfront = np.round(rng.lognormal(np.log(22_000), 1.0, 40))
    rows = [initiative(id=f"H{k}", upfront_cost=float(c), maintenance_month=0, reach_month=1,
                       value_per_reach=float(c * 0.06 + k), quality_1_5=4) for k, c in enumerate(upfront)]
    (tmp_path / "drive").mkdir()
    path = write_team(tmp_path / "drive" / "hard.xlsx", rows,
                      settings={"Budget": float(upfront.sum() * 0.3), "Horizon (months)": 24, "Simulation draws": 0})
    ranking = leverkit.rank(leverkit.load(path))
    note = ranking.funding.note("USD")
    assert note.startswith("not proven best: the best possible is at most USD ") and not ranking.funding.proven
    assert ranking.funding.bound > ranking.funding.value
    leverkit.report(path, tmp_path / "out")
    sheets = calamine_sheets(tmp_path / "out" / "hard_ranked.xlsx")
    assert {r["Decision"]: r["Value"] for r in find_table(sheets["Decision"], "Decision")}["Solver"] == note
    frontier = find_table(sheets["Portfolio"], "Budget", "Best value (risk-adjusted)")
    assert any(r["Proven best"] == "no" for r in frontier)
    assert all(r["Best possible"] >= r["Best value (risk-adjusted)"] - 1e-6 for r in frontier)
    page = (tmp_path / "out" / "hard.html").read_text()
    assert "not proven best: the best possible is at most" in page
    leverkit.batch([str(tmp_path / "drive")], tmp_path / "batch", workers=1, budget=float(upfront.sum() * 0.3))
    company = calamine_sheets(tmp_path / "batch" / "portfolio.xlsx")["Funding"]
    assert any(isinstance(cell, str) and cell.startswith("not proven best") for row in company for cell in row)
    assert "not proven best" in (tmp_path / "batch" / "index.html").read_text()
