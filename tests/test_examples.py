"""The bundled example workbooks: realistic, valid, and between them tripping every flag and warning."""
from pathlib import Path

import pytest

import leverkit
from leverkit.schema import FORMS

EXAMPLES = sorted((Path(__file__).parent.parent / "workbooks").glob("*.xlsx"))
WARNINGS = {"NO_PAYBACK", "MAINTENANCE_MISSING", "MAINTENANCE_DRAG", "SYMPTOM_FIX", "CAPITAL_FRAGILITY",
            "UNCAPPED_GROWTH", "LONG_DELAY", "BEHIND_PLAN", "OVER_SPEND"}


def test_there_are_three_or_more():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_has_10_to_30_initiatives_across_all_five_forms(path):
    plan = leverkit.load(path)
    assert 10 <= len(plan.initiatives) + plan.invalid_rows <= 30
    assert {i.form for i in plan.initiatives} == set(FORMS)
    ranking = leverkit.rank(plan)
    assert set(ranking.projection.flags) == {"red", "amber", "green"}


def test_together_they_trip_every_warning_and_show_an_issue():
    seen, issues = set(), []
    for path in EXAMPLES:
        plan = leverkit.load(path)
        issues += plan.issues
        seen |= {code for found in leverkit.rank(plan).projection.warnings for code, _ in found}
    assert seen == WARNINGS
    assert [str(i) for i in issues] == ["Initiatives!J12: growth 5 looks like a percent; enter 5% or 0.05"]


def test_between_them_they_show_every_kind_of_verdict_a_living_plan_has():
    verdicts = set()
    for path in EXAMPLES:
        ranking = leverkit.rank(leverkit.load(path))
        verdicts |= {v.split(":")[0].split(" (")[0] for v in ranking.funding.verdicts}
        assert ranking.plan.settings.as_of.isoformat() == "2026-11-01"  # each sets its As of: figures that stay put
    assert {"fund", "continue", "stop", "does not fit", "does not pay", "fix the foundation first",
            "alternative chosen"} <= verdicts
