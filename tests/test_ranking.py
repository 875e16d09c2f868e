"""Ranking and totals by leverage form (docs/model.md section 5)."""
import pytest

import leverkit
from leverkit.ranking import rank

from .conftest import initiative, plan_of

def row(name, upfront, value, maintenance=0, confidence="100%", form="code"):
    # reach 10 a month; horizon 12, no discount: NPV is the plain sum of cash flows
    return initiative(initiative=name, upfront_cost=upfront, value_per_reach=value, maintenance_month=maintenance,
                      confidence=confidence, leverage_form=form)


ROWS = [
    row("P", 100, 10, form="media"),                   # NPV 1100, payback 1, M 12
    row("Q", 1000, 40, confidence="25%"),              # NPV 3800, risk-adj. 950, payback 2.5, M 4.8
    row("R", 5000, 10),                                # NPV -3800, no payback, M 0.24
    row("S", 100, 10, form="process"),                 # ties P
    row("T", 0, 1, form="labor"),                      # NPV 120, payback 0, M infinite (no cost)
    row("X", 0, 10, maintenance=90, confidence="50%"),  # NPV 120, risk-adj. 60, payback 0, M 1.11
]


def names(rank_by):
    ranking = rank(plan_of(ROWS, horizon=12, discount=0, rank_by=rank_by))
    return [item.name for _, item, _ in ranking.ranked()]


def test_by_risk_adjusted_npv_ties_keep_row_order():
    assert names("risk-adjusted NPV") == ["P", "S", "Q", "T", "X", "R"]


def test_by_npv():
    assert names("NPV") == ["Q", "P", "S", "T", "X", "R"]


def test_by_payback_ascending_none_last():
    assert names("payback") == ["T", "X", "P", "S", "Q", "R"]


def test_by_leverage_multiple_undefined_with_value_first():
    assert names("leverage multiple") == ["T", "P", "S", "Q", "X", "R"]


def test_rank_by_npv_differs_from_risk_adjusted():
    rows = [initiative(initiative="sure", value_per_reach=10, confidence="100%"),
            initiative(initiative="bold", value_per_reach=15, confidence="40%")]
    by_npv = rank(plan_of(rows, rank_by="NPV"))
    by_risk = rank(plan_of(rows, rank_by="risk-adjusted NPV"))
    assert [i.name for _, i, _ in by_npv.ranked()] == ["bold", "sure"]
    assert [i.name for _, i, _ in by_risk.ranked()] == ["sure", "bold"]


def test_totals_by_form_match_a_plain_sum():
    ranking = rank(plan_of(ROWS, horizon=12))
    p = ranking.projection
    rows = {r["Leverage form"]: r for r in ranking.by_form()}
    assert list(rows) == ["labor", "capital", "code", "media", "process", "Total"]
    code = [i for i, item in enumerate(ranking.plan.initiatives) if item.form == "code"]
    assert rows["code"]["Initiatives"] == 3
    assert rows["code"]["NPV"] == pytest.approx(sum(p.npv[i] for i in code))
    assert rows["code"]["Upfront cost"] == 6000
    assert rows["code"]["Maintenance / month"] == 90
    assert rows["capital"]["Initiatives"] == 0 and rows["capital"]["NPV"] == 0
    assert rows["Total"]["Risk-adjusted NPV"] == pytest.approx(p.risk_adjusted_npv.sum())
    assert rows["Total"]["Initiatives"] == 6
    assert ranking.flag_counts() == {"red": 0, "amber": 0, "green": 6}


def test_dataframe_mirrors_the_ranked_sheet():
    frame = leverkit.to_dataframe(rank(plan_of(ROWS, horizon=12, discount=0)))
    assert list(frame["Initiative"]) == ["P", "S", "Q", "T", "X", "R"]
    assert list(frame["Rank"]) == [1, 2, 3, 4, 5, 6]
    assert frame["Payback (months)"].isna().tolist() == [False] * 5 + [True]
