"""The quality-versus-amplification flag and the warnings (docs/model.md section 3)."""
import pytest

from leverkit.model import project

from .conftest import initiative, plan_of


def flag_of(quality, multiple, threshold=3):
    # upfront 100, no maintenance, horizon 1, gross = 100 * multiple
    plan = plan_of([initiative(upfront_cost=100, maintenance_month=0, reach_month=1, value_per_reach=100 * multiple,
                               quality_1_5=quality)], horizon=1, threshold=threshold)
    p = project(plan)
    assert p.multiple[0] == pytest.approx(multiple)
    return p.flags[0], p.reasons[0]


@pytest.mark.parametrize("quality, multiple, flag", [
    (1, 3, "red"), (2, 8.4, "red"), (2, 2.99, "amber"), (2, 1, "amber"), (2, 0.99, "green"),
    (3, 3, "amber"), (3, 2.9, "green"), (4, 50, "green"), (5, 1000, "green"),
])
def test_flag_boundaries(quality, multiple, flag):
    assert flag_of(quality, multiple)[0] == flag


def test_reasons_are_plain_words_with_numbers():
    assert flag_of(2, 8.4)[1] == "quality 2/5 amplified 8.4× — fix the foundation before scaling"
    assert flag_of(3, 5)[1].startswith("quality 3/5 amplified 5.0×, at or over the 3× threshold")
    assert flag_of(2, 1.5)[1].startswith("quality 2/5 already amplified 1.5×")
    assert flag_of(4, 2)[1] == "quality 4/5 — a proven foundation to amplify (2.0×)"


def test_threshold_comes_from_settings():
    assert flag_of(2, 4, threshold=5)[0] == "amber"
    assert flag_of(2, 5, threshold=5)[0] == "red"


def codes(horizon=12, **fields):
    p = project(plan_of([initiative(**fields)], horizon=horizon))
    return [code for code, _ in p.warnings[0]], p


def test_each_warning():
    assert codes(upfront_cost=10**6)[0] == ["NO_PAYBACK"]
    assert codes(maintenance_month=None)[0] == ["MAINTENANCE_MISSING"]
    # gross 200/month, maintenance 100/month: 50% exactly
    assert codes(maintenance_month=100, reach_month=10, value_per_reach=20)[0] == ["MAINTENANCE_DRAG"]
    assert codes(lever_point="symptom")[0] == ["SYMPTOM_FIX"]
    assert codes(leverage_form="capital", quality_1_5=2, upfront_cost=10**5)[0][-1] == "CAPITAL_FRAGILITY"
    assert codes(leverage_form="capital", quality_1_5=3)[0] == []
    assert codes(growth_month="60%")[0] == ["UNCAPPED_GROWTH"]  # 1.6^11 = 176x
    assert codes(growth_month="60%", reach_cap=10**6)[0] == []
    assert codes(growth_month="50%")[0] == []  # 1.5^11 = 86x: under 100x
    assert codes(delay_months=6)[0] == ["LONG_DELAY"]
    assert codes(delay_months=5)[0] == []


def test_warning_sentences_carry_numbers():
    _, p = codes(upfront_cost=0, maintenance_month=150, reach_month=10, value_per_reach=20)
    [(code, sentence)] = p.warnings[0]
    assert sentence == "maintenance takes 75% of the USD 2,400 gross value over 12 months"
