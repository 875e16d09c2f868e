"""The projection (docs/model.md section 2) against independent computations: numpy_financial and hand-worked cases."""
import math

import numpy as np
import numpy_financial as npf
import pytest

from leverkit.model import payback, project

from .conftest import initiative, plan_of


def one(horizon=6, discount=0, **fields):
    defaults = dict(upfront_cost=0, maintenance_month=0, reach_month=1, value_per_reach=0)
    plan = plan_of([initiative(**{**defaults, **fields})], horizon=horizon, discount=discount)
    return project(plan), plan


def reference_cash_flows(item, horizon):
    """docs/model.md section 2 written out month by month, as a planner would in a spreadsheet."""
    flows = [-item.upfront]
    for t in range(1, horizon + 1):
        k = t - item.delay
        reach = 0 if k < 1 else min(item.cap, item.reach * (1 + item.growth) ** (k - 1))
        unit = 0 if k < 1 else item.value * (1 - item.decay) ** (k - 1)
        flows.append(reach * unit - item.maintenance)
    return flows


def reference_payback(cumulative):
    """The smallest τ with the joined-up line ≥ 0 on [τ, H], found by walking back from the horizon."""
    if cumulative[-1] < 0:
        return None
    for t in range(len(cumulative) - 1, 0, -1):
        if cumulative[t - 1] < 0:
            return (t - 1) + (-cumulative[t - 1]) / (cumulative[t] - cumulative[t - 1])
    return 0.0


def test_npv_matches_numpy_financial_for_varied_initiatives():
    rng = np.random.default_rng(7)
    rows = [
        initiative(upfront_cost=float(rng.uniform(0, 50000)), maintenance_month=float(rng.uniform(0, 800)),
                   reach_month=float(rng.uniform(0, 500)), value_per_reach=float(rng.uniform(0, 90)),
                   growth_month=float(rng.uniform(-0.2, 0.2)), reach_cap=[None, 300.0][i % 2],
                   delay_months=int(rng.integers(0, 10)), decay_month=float(rng.uniform(0, 0.1)),
                   confidence=float(rng.uniform(0.1, 1)))
        for i in range(40)
    ]
    plan = plan_of(rows, horizon=48, discount="12%")
    p = project(plan)
    r = (1 + 0.12) ** (1 / 12) - 1
    for i, item in enumerate(plan.initiatives):
        flows = reference_cash_flows(item, 48)
        assert p.npv[i] == pytest.approx(npf.npv(r, flows), rel=1e-9, abs=1e-6)
        assert p.risk_adjusted_npv[i] == pytest.approx(npf.npv(r, flows) * item.confidence, rel=1e-9, abs=1e-6)
        assert p.cumulative[i] == pytest.approx(np.cumsum(flows), rel=1e-9, abs=1e-6)
        expected = reference_payback(np.cumsum(flows))
        assert (expected is None and math.isnan(p.payback[i])) or p.payback[i] == pytest.approx(expected)
        discounted = np.cumsum([cf / (1 + r) ** t for t, cf in enumerate(flows)])
        expected = reference_payback(discounted)
        assert (expected is None and math.isnan(p.discounted_payback[i])) or p.discounted_payback[i] == pytest.approx(expected)


def test_plain_payback():
    # cum: -100, -70, -40, -10, 20, 50, 80 -> 3 + 10/30
    p, _ = one(upfront_cost=100, value_per_reach=30)
    assert p.payback[0] == pytest.approx(3 + 10 / 30)
    assert p.value_at_horizon[0] == 80
    assert p.multiple[0] == pytest.approx(180 / 100)


def test_zero_upfront_pays_back_at_once():
    p, _ = one(upfront_cost=0, maintenance_month=10, value_per_reach=30)
    assert p.payback[0] == 0
    assert p.npv[0] == pytest.approx(120)


def test_a_delay_dips_then_recovers():
    # cum: -100, -110, -120, -70, -20, 30, 80 -> 4 + 20/50
    p, _ = one(upfront_cost=100, maintenance_month=10, value_per_reach=60, delay_months=2)
    assert p.cumulative[0].tolist() == [-100, -110, -120, -70, -20, 30, 80]
    assert p.payback[0] == pytest.approx(4.4)


def test_decay_that_never_pays_back():
    # gross 40, 20, 10, ... sums to under 80 < 100
    p, _ = one(horizon=12, upfront_cost=100, value_per_reach=40, decay_month="50%")
    assert math.isnan(p.payback[0]) and math.isnan(p.discounted_payback[0])
    assert p.value_at_horizon[0] == pytest.approx(-100 + 80 * (1 - 0.5 ** 12))
    assert [code for code, _ in p.warnings[0]] == ["NO_PAYBACK"]


def test_a_cap():
    # reach 10, 20, 25, 25, ... ; cum -100, -90, -70, -45, -20, 5, 30 -> 4 + 20/25
    p, _ = one(upfront_cost=100, reach_month=10, value_per_reach=1, growth_month="100%", reach_cap=25)
    assert p.payback[0] == pytest.approx(4.8)
    assert p.reach_at_horizon[0] == 25


def test_negative_growth():
    # gross 40, 20, 10, 5, 2.5, 1.25; cum -50, -10, 10, ... -> 1 + 10/20
    p, _ = one(upfront_cost=50, reach_month=40, value_per_reach=1, growth_month="-50%")
    assert p.payback[0] == pytest.approx(1.5)
    assert p.multiple[0] == pytest.approx(78.75 / 50)
    assert p.reach_at_horizon[0] == pytest.approx(1.25)


def test_no_cost_at_all():
    p, _ = one(upfront_cost=0, maintenance_month=0, value_per_reach=5, quality_1_5=2)
    assert p.payback[0] == 0
    assert math.isnan(p.multiple[0]) and math.isinf(p.multiple_effective[0])
    assert p.flags[0] == "red"  # an undefined multiple with value counts as infinite
    p, _ = one(upfront_cost=0, maintenance_month=0, value_per_reach=0, quality_1_5=1)
    assert p.multiple_effective[0] == 0 and p.flags[0] == "green"


def test_the_last_crossing_counts():
    assert payback(np.array([[-10.0, 5, -1, 4]]))[0] == pytest.approx(2.2)
    assert payback(np.array([[-10.0, 5, -1, 0]]))[0] == pytest.approx(3.0)


def test_discount_rate_is_annual_compounded_monthly():
    p, _ = one(horizon=12, discount="10%", upfront_cost=0, value_per_reach=100)
    r = 1.1 ** (1 / 12) - 1
    assert p.npv[0] == pytest.approx(sum(100 / (1 + r) ** t for t in range(1, 13)))
