"""Uncertainty (docs/model.md section 4) against independent computations: scipy.stats closed forms,
numpy_financial, month-by-month cash flows and the documented random stream rebuilt by hand."""
import hashlib
import math

import numpy as np
import numpy_financial as npf
import pytest
from scipy import stats

from leverkit import simulation
from leverkit.model import cash_flows, npv, project
from leverkit.reading import Grid, parse_sheets
from leverkit.simulation import outcomes, sensitivity, simulate

from .conftest import HEADERS, initiative

Z = 1.6448536


def plan_with(rows, draws=2000, seed=42, horizon=12, discount=0, check=True):
    """A Plan through the real reading path, with the Settings sheet simulation needs."""
    settings = [["Setting", "Value"], ["Horizon (months)", horizon], ["Discount rate (annual)", discount],
                ["Simulation draws", draws], ["Random seed", seed]]
    sheets = {"Initiatives": Grid("Initiatives", [HEADERS] + [[r.get(h) for h in HEADERS] for r in rows]),
              "Settings": Grid("Settings", settings)}
    plan = parse_sheets(sheets, "test.xlsx", "test")
    assert not check or not plan.issues, plan.issues
    return plan


def row(id, **fields):
    base = dict(upfront_cost=1000, maintenance_month=0, reach_month=10, value_per_reach=20)
    return initiative(id=id, **{**base, **fields})


def monthly_flows(item, horizon, **drawn):
    """The projection written out month by month, as a planner would in a spreadsheet."""
    x = {f: drawn.get(f, getattr(item, f)) for f in ("upfront", "maintenance", "reach", "value", "growth")}
    flows = [-x["upfront"]]
    for t in range(1, horizon + 1):
        k = t - item.delay
        reach = 0 if k < 1 else min(item.cap, x["reach"] * (1 + x["growth"]) ** (k - 1))
        unit = 0 if k < 1 else x["value"] * (1 - item.decay) ** (k - 1)
        flows.append(reach * unit - x["maintenance"])
    return flows


def within_monte_carlo(share, p, n, sigmas=4.5):
    """A simulated share agrees with its exact probability p within `sigmas` binomial standard errors."""
    return abs(share - p) <= sigmas * math.sqrt(p * (1 - p) / n)


# -- the closed form over months equals the month-by-month projection --------

@pytest.mark.parametrize("horizon, rate", [(1, 0.0), (12, 0.0), (60, 0.008), (600, 0.002)])
def test_outcomes_equal_the_month_by_month_projection(horizon, rate):
    rng = np.random.default_rng(horizon)
    n = 400
    reach = rng.uniform(0, 500, n)
    reach[:10] = 0
    growth = rng.uniform(-0.3, 0.3, n)
    growth[10:60] = 0
    growth[60:70] = -0.99
    cap = np.where(rng.random(n) < 0.6, np.maximum(reach, 1) * rng.uniform(0.3, 3, n), np.inf)
    cap[:5] = 7.0
    cap[10:20] = reach[10:20]  # reach exactly at the cap
    delay = rng.integers(0, horizon + 3, n).astype(float)
    decay = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(0, 0.2, n))
    upfront, maintenance, value = rng.uniform(0, 5e4, n), rng.uniform(0, 300, n), rng.uniform(0, 40, n)
    if horizon == 600:
        growth = np.minimum(growth, 0.05)
    args = (upfront, maintenance, reach, value, growth, cap, delay, decay)
    got_npv, got_cum = outcomes(*args, horizon=horizon, monthly_rate=rate)
    cf, gross, _ = cash_flows(*args, horizon=horizon)
    scale = upfront + horizon * maintenance + np.abs(gross).sum(axis=1)
    assert np.all(np.abs(got_npv - npv(rate, cf)) <= 1e-9 * scale)
    assert np.all(np.abs(got_cum - cf.sum(axis=1)) <= 1e-9 * scale)


def test_outcomes_with_huge_capped_growth_stay_finite():
    args = [np.array([x]) for x in (100.0, 0.0, 1.0, 2.0, 20.0, 50.0, 0.0, 0.0)]
    got, cum = outcomes(*args, horizon=600, monthly_rate=0.0)
    assert cum[0] == pytest.approx(-100 + 2 * (1 + 21 + 50 * 598))
    assert got[0] == pytest.approx(cum[0])


# -- the documented stream, rebuilt by hand -----------------------------------

STREAM_ORDER = ("upfront", "maintenance", "reach", "value", "growth")


@pytest.mark.parametrize("ranges", [
    dict(upfront_cost="800 to 1,200", maintenance_month="0 to 40", reach_month="0 to 20", value_per_reach="3 to 7",
         growth_month="-2% to 5%"),
    dict(upfront_cost="800 to 1,200", reach_month="0 to 20", value_per_reach="5 to 5", growth_month="-2% to 5%"),
])
def test_draws_follow_the_documented_stream_and_projection(ranges):
    """N standard normals per ranged input in the order upfront, maintenance, reach, value, growth (a fixed
    `a to a` takes none), from SeedSequence(seed, spawn_key = the ID's BLAKE2b-128 as four little-endian
    32-bit words); lognormal when LOW > 0, else normal; money and reach clipped at 0, growth at -99%."""
    plan = plan_with([row("Ops-7", reach_cap=15, delay_months=1, decay_month="1%", **ranges)],
                     draws=500, seed=123, horizon=18, discount="10%")
    item = plan.initiatives[0]
    sim = simulate(plan)

    words = np.frombuffer(hashlib.blake2b("Ops-7".encode(), digest_size=16).digest(), "<u4")
    rng = np.random.default_rng(np.random.SeedSequence(123, spawn_key=[int(w) for w in words]))
    drawn = {}
    for field in STREAM_ORDER:
        low, high = item.ranges.get(field, (0, 0))
        if low == high:
            continue
        z = rng.standard_normal(500)
        if low > 0:
            drawn[field] = np.exp(math.log(math.sqrt(low * high)) + math.log(high / low) / (2 * Z) * z)
        else:
            drawn[field] = np.maximum((low + high) / 2 + (high - low) / (2 * Z) * z, -0.99 if field == "growth" else 0)
    assert len(drawn) == len(ranges) - ("5 to 5" in ranges.values())
    inputs = {f: drawn.get(f, np.full(500, float(getattr(item, f)))) for f in STREAM_ORDER}
    cf, _, _ = cash_flows(**inputs, cap=np.full(500, 15.0), delay=np.ones(500), decay=np.full(500, 0.01), horizon=18)
    r = plan.settings.monthly_rate
    expected = npv(r, cf)
    assert sim.ranged.tolist() == [True]
    assert sim.npv_draws()[0] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    for i in range(5):
        flows = monthly_flows(item, 18, **{f: x[i] for f, x in drawn.items()})
        assert sim.npv_draws()[0, i] == pytest.approx(npf.npv(r, flows), rel=1e-9)
    assert [sim.p10[0], sim.p50[0], sim.p90[0]] == pytest.approx(np.quantile(expected, [0.1, 0.5, 0.9]), rel=1e-9)
    assert sim.p_positive[0] == np.mean(expected > 0)
    assert sim.p_payback[0] == np.mean(cf.sum(axis=1) >= 0)
    assert 0 < sim.p_payback[0] < 1


# -- closed forms from scipy.stats --------------------------------------------

def linear_in_value(value_range, draws=100_000):
    """Only Value per reach ranged, no growth/decay/cap, delay 0: NPV = −upfront + reach · value · Σ v^t."""
    plan = plan_with([row("V", upfront_cost=3000, reach_month=10, value_per_reach=value_range)],
                     draws=draws, horizon=12, discount="10%")
    r = plan.settings.monthly_rate
    per_value = 10 * sum((1 + r) ** -t for t in range(1, 13))
    return simulate(plan), per_value


def test_lognormal_range_gives_closed_form_quantiles_and_probabilities():
    sim, per_value = linear_in_value("10 to 40")
    value = stats.lognorm(s=math.log(4) / (2 * Z), scale=20)
    n = sim.draws
    for q, figure in zip((0.1, 0.5, 0.9), (sim.p10, sim.p50, sim.p90)):
        assert within_monte_carlo(value.cdf((figure[0] + 3000) / per_value), q, n)
    assert sim.p90[0] == pytest.approx(-3000 + per_value * value.ppf(0.9), rel=0.01)
    assert within_monte_carlo(sim.p_positive[0], value.sf(3000 / per_value), n)
    assert within_monte_carlo(sim.p_payback[0], value.sf(3000 / 120), n)
    assert value.cdf(10) == pytest.approx(0.05) and value.sf(40) == pytest.approx(0.05)


def test_normal_range_from_zero_gives_closed_form_quantiles_and_probabilities():
    sim, per_value = linear_in_value("0 to 40")
    value = stats.norm(20, 40 / (2 * Z))  # clipping at 0 touches only the lowest 5%, below P10
    n = sim.draws
    for q, figure in zip((0.1, 0.5, 0.9), (sim.p10, sim.p50, sim.p90)):
        assert within_monte_carlo(value.cdf((figure[0] + 3000) / per_value), q, n)
    assert within_monte_carlo(sim.p_positive[0], value.sf(3000 / per_value), n)
    assert within_monte_carlo(sim.p_payback[0], value.sf(3000 / 120), n)


def test_money_drawn_below_zero_is_clipped_at_zero():
    plan = plan_with([row("U", upfront_cost="0 to 1,000")], draws=100_000)
    sim = simulate(plan)
    gain = 12 * 10 * 20
    npvs = sim.npv_draws()[0]
    upfront = stats.norm(500, 1000 / (2 * Z))
    assert npvs.max() == gain  # the clipped draws: upfront exactly 0
    assert within_monte_carlo(np.mean(npvs == gain), upfront.cdf(0), sim.draws)
    mu, sigma = 500, 1000 / (2 * Z)
    clipped_mean = mu * stats.norm.cdf(mu / sigma) + sigma * stats.norm.pdf(mu / sigma)
    assert gain - npvs.mean() == pytest.approx(clipped_mean, abs=4.5 * sigma / math.sqrt(sim.draws))


def test_growth_drawn_below_minus_99_percent_is_clipped():
    # H = 2, reach 1, value 1000, no costs, no discount: NPV = 1000 · (1 + (1 + growth)), so growth = NPV/1000 − 2
    plan = plan_with([row("G", upfront_cost=0, reach_month=1, value_per_reach=1000, growth_month="-99.9% to -90%")],
                     draws=100_000, horizon=2)
    sim = simulate(plan)
    growth = sim.npv_draws()[0] / 1000 - 2
    mu, sigma = (-0.999 - 0.9) / 2, (0.999 - 0.9) / (2 * Z)
    assert growth.min() == pytest.approx(-0.99, abs=1e-12)
    at_floor = np.mean(np.abs(growth + 0.99) < 1e-9)
    assert within_monte_carlo(at_floor, stats.norm.cdf(-0.99, mu, sigma), sim.draws)
    assert at_floor > 0.05


# -- determinism --------------------------------------------------------------

FIGURES = ("npv", "p10", "p50", "p90", "p_positive", "p_payback")


def figures_by_id(plan, sim):
    draws = dict(zip([plan.initiatives[i].id for i in np.flatnonzero(sim.ranged)], sim.npv_draws()))
    return {item.id: ([getattr(sim, f)[i] for f in FIGURES], draws.get(item.id)) for i, item in enumerate(plan.initiatives)}


def test_same_workbook_and_seed_give_identical_figures():
    rows = [row("A", value_per_reach="10 to 40"), row("B", upfront_cost="800 to 1,200", growth_month="0% to 4%")]
    first, second = simulate(plan_with(rows)), simulate(plan_with(rows))
    for f in FIGURES:
        assert np.array_equal(getattr(first, f), getattr(second, f))
    assert np.array_equal(first.npv_draws(), second.npv_draws())
    other_seed = simulate(plan_with(rows, seed=43))
    assert not np.array_equal(first.npv_draws(), other_seed.npv_draws())


def test_same_inputs_under_another_id_draw_differently():
    sim = simulate(plan_with([row("A", value_per_reach="10 to 40"), row("B", value_per_reach="10 to 40")]))
    assert sim.npv[0] == sim.npv[1]
    assert not np.array_equal(sim.npv_draws()[0], sim.npv_draws()[1])


def test_adding_deleting_and_moving_other_rows_never_changes_an_initiatives_figures(monkeypatch):
    a = row("A", value_per_reach="10 to 40", reach_cap=12, growth_month="3%")
    b = row("B", growth_month="-5% to 10%", reach_cap=30)
    c = row("C", upfront_cost="500 to 2,000", maintenance_month="0 to 50")
    d = row("D", reach_month="5 to 50")
    fixed = row("F", upfront_cost=500)
    plan = plan_with([a, b, c, fixed], horizon=24)
    before = figures_by_id(plan, simulate(plan))
    monkeypatch.setattr(simulation, "CHUNK_CELLS", 4000)  # two initiatives per chunk: other neighbours
    for rows in ([d, c, fixed, a], [c, a], [a, d, b, c, fixed]):
        plan = plan_with(rows, horizon=24)
        after = figures_by_id(plan, simulate(plan))
        for id, (figures, draws) in after.items():
            if id in before:
                np.testing.assert_array_equal(figures, before[id][0])
                assert (draws is None and before[id][1] is None) or np.array_equal(draws, before[id][1])


# -- simulation off, unranged initiatives and `a to a` ------------------------

def test_no_draws_means_no_simulation():
    assert simulate(plan_with([row("A", value_per_reach="10 to 40")], draws=0)) is None


def test_unranged_and_fixed_range_initiatives_are_not_simulated():
    rows = [row("GAIN"), row("LOSS", upfront_cost=5000), row("SAME", upfront_cost="1,000 to 1,000", value_per_reach="20 to 20"),
            row("EDGE", upfront_cost=2400), row("R", value_per_reach="10 to 40")]
    plan = plan_with(rows, discount="10%")
    sim = simulate(plan)
    deterministic = project(plan).npv
    assert sim.ranged.tolist() == [False, False, False, False, True]
    assert sim.npv_draws().shape == (1, 2000)
    for f in ("npv", "p10", "p50", "p90"):
        assert getattr(sim, f)[:4].tolist() == deterministic[:4].tolist()
    assert sim.npv[0] == sim.npv[2]
    assert np.isnan(sim.p_positive[:4]).all() and np.isnan(sim.p_payback[:4]).all()  # nothing drawn: blank
    assert 0 < sim.p_positive[4] <= 1
    assert [w.index for w in sensitivity(plan)] == [4]


def test_bad_ranges_stay_cell_errors_and_never_reach_simulation():
    rows = [row("REV", upfront_cost="1,200 to 800"), row("NEG", upfront_cost="-5 to 10"),
            row("GROW", growth_month="-100% to 5%"), row("OK", value_per_reach="10 to 40")]
    plan = plan_with(rows, check=False)
    assert [(i.column, i.value) for i in plan.issues] == [
        ("Upfront cost", "1,200 to 800"), ("Upfront cost", "-5 to 10"), ("Growth / month", "-100% to 5%")]
    assert [i.id for i in plan.initiatives] == ["OK"]
    sim = simulate(plan)
    assert sim.ranged.tolist() == [True] and sim.npv_draws().shape == (1, 2000)


# -- sensitivity ----------------------------------------------------------------

def test_sensitivity_against_a_hand_worked_case():
    rows = [row("PLAIN"),
            row("T", upfront_cost="800 to 1,250", maintenance_month=10, value_per_reach="10 to 40"),
            row("G", growth_month="-2% to 6%", reach_cap=12, reach_month="8 to 8")]
    plan = plan_with(rows, horizon=12, discount="10%")
    r = (1 + 0.10) ** (1 / 12) - 1
    swings = sensitivity(plan)

    def npv_of(upfront=1000.0, maintenance=0.0, reach=10.0, value=20.0, growth=0.0, cap=math.inf):
        flows = [-upfront] + [min(cap, reach * (1 + growth) ** (t - 1)) * value - maintenance for t in range(1, 13)]
        return npf.npv(r, flows)

    expected = [
        (1, "value", "Value per reach", 10, 40, npv_of(maintenance=10, value=10), npv_of(maintenance=10, value=40)),
        (1, "upfront", "Upfront cost", 800, 1250, npv_of(upfront=800, maintenance=10), npv_of(upfront=1250, maintenance=10)),
        (2, "growth", "Growth / month", -0.02, 0.06, npv_of(reach=8, growth=-0.02, cap=12), npv_of(reach=8, growth=0.06, cap=12)),
    ]
    assert [(w.index, w.field, w.input) for w in swings] == [e[:3] for e in expected]
    for w, (_, _, _, low, high, at_low, at_high) in zip(swings, expected):
        assert (w.low, w.high) == pytest.approx((low, high))
        assert (w.npv_low, w.npv_high) == pytest.approx((at_low, at_high), rel=1e-12)
        assert w.swing == pytest.approx(abs(at_high - at_low), rel=1e-12)
    assert swings[0].swing > swings[1].swing
    assert npv_of(reach=8, growth=0.02, cap=12) == pytest.approx(project(plan).npv[2])  # the median of -2% to 6% is 2%


def test_sensitivity_is_computed_with_simulation_off():
    plan = plan_with([row("A", value_per_reach="10 to 40")], draws=0)
    assert [w.field for w in sensitivity(plan)] == ["value"]
    assert sensitivity(plan_with([row("A")])) == []


# -- the recommended portfolio's spread ---------------------------------------

def test_portfolio_sums_npv_draw_by_draw():
    rows = [row("A", value_per_reach="10 to 40"), row("B"), row("C", upfront_cost="500 to 3,000"),
            row("D", upfront_cost=4000), row("E", reach_month="0 to 30", growth_month="-5% to 5%")]
    plan = plan_with(rows, draws=3000, discount="10%")
    sim = simulate(plan)
    draws_of = dict(zip(np.flatnonzero(sim.ranged), sim.npv_draws()))
    for mask in ([True, True, True, False, False], [False, True, False, True, False], [True] * 5):
        totals = [sum(draws_of[i][k] if i in draws_of else sim.npv[i] for i in range(5) if mask[i]) for k in range(3000)]
        p10, p50, p90, p_positive = sim.portfolio(np.array(mask))
        assert (p10, p50, p90) == pytest.approx(np.quantile(totals, [0.1, 0.5, 0.9]), rel=1e-12)
        assert p_positive == sum(t > 0 for t in totals) / 3000
    fixed_only = sim.portfolio(np.array([False, True, False, True, False]))
    assert fixed_only[:3] == pytest.approx([sim.npv[1] + sim.npv[3]] * 3)
    assert sim.portfolio(np.zeros(5, bool)) == (0.0, 0.0, 0.0, 0.0)


def test_the_recommended_portfolios_spread_is_summed_as_drawn_and_no_draw_is_kept(monkeypatch):
    monkeypatch.setattr(simulation, "CHUNK_CELLS", 2 * 3000)  # two initiatives a chunk: three chunks
    rows = [row("A", value_per_reach="10 to 40"), row("B"), row("C", upfront_cost="500 to 3,000"),
            row("D", upfront_cost=4000), row("E", reach_month="0 to 30", growth_month="-5% to 5%"),
            row("F", maintenance_month="0 to 50"), row("G", value_per_reach="1 to 90")]
    plan = plan_with(rows, draws=3000, discount="10%")
    chosen = np.array([True, True, False, True, True, False, True])
    sim = simulate(plan, chosen)
    assert sim.funded == sim.portfolio(chosen)  # exactly: the same draws, added in the same order
    kept = [v for v in vars(sim).values() if isinstance(v, np.ndarray)]
    assert kept and all(v.shape == (7,) for v in kept)  # per initiative only: no (initiatives, draws) array
    draws = sim.npv_draws()
    assert draws.shape == (5, 3000) and np.array_equal(draws, sim.npv_draws())  # drawn again, identically
    totals = sim.npv[[1, 3]].sum() + draws[[0, 2, 4]].sum(axis=0)  # A, E, G among the ranged A, C, E, F, G
    assert sim.funded == pytest.approx((*np.quantile(totals, [0.1, 0.5, 0.9]), np.mean(totals > 0)), rel=1e-12)
    assert simulate(plan).funded is None
    plan.settings.seed, plan.settings.draws = 99, 10  # a plan changed afterwards: the simulation drew from the old one
    plan.initiatives.pop(0)
    assert sim.portfolio(chosen) == sim.funded and np.array_equal(sim.npv_draws(), draws)
