"""Uncertainty: Monte Carlo figures and the sensitivity tornado (docs/model.md section 4).

A range `LOW to HIGH` is a 90% interval. Each initiative draws from its own
random stream, derived from the Random seed and its ID, so its figures never
depend on the other rows. The draws are projected without building the
month-by-month cash flows: NPV and the cumulative cash flow at the horizon
are sums of geometric series over the months, which `outcomes` evaluates in
closed form, so 10,000 initiatives x 2,000 draws cost seconds, not minutes.
"""
from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .model import cash_flows, discount_factors, npv
from .plan import Initiative, Plan, Settings, Step, field_column, quiet
from .schema import COLUMNS

# The inputs a range may carry, in the order an initiative's ranged inputs consume its stream.
RANGED = ("upfront", "maintenance", "reach", "value", "growth")
FIXED = ("cap", "delay", "decay")
FLOORS = {"upfront": 0.0, "maintenance": 0.0, "reach": 0.0, "value": 0.0, "growth": -0.99}
Z90 = 1.6448536  # the standard normal's 95th percentile: a 90% interval spans ±Z90 sigma
QUANTILES = (0.1, 0.5, 0.9)
CHUNK_CELLS = 2**17  # initiatives x draws per chunk: bounds memory whatever the plan's size
MONTH_CELLS = 2**20  # initiatives x draws x months at once, where draws go month by month
HEADERS = {column.field: column.header for column in COLUMNS}


def spread_inputs(item: Initiative) -> tuple[str, ...]:
    """The initiative's truly ranged inputs in stream order; `a to a` is a fixed value, not a range.

    >>> from types import SimpleNamespace
    >>> spread_inputs(SimpleNamespace(ranges={"value": (10.0, 40.0), "upfront": (5.0, 5.0), "reach": (0.0, 9.0)}))
    ('reach', 'value')
    """
    return tuple(f for f in RANGED if f in item.ranges and item.ranges[f][0] < item.ranges[f][1])


def ranged_mask(items: list[Initiative], elapsed: np.ndarray, horizon: int) -> np.ndarray:
    """Which initiatives the draws vary: those with a truly ranged input that are not finished (E < H)."""
    return np.array([bool(spread_inputs(i)) for i in items], bool) & (np.asarray(elapsed) < horizon)


def stream(seed: int, initiative_id: str) -> np.random.Generator:
    """The initiative's own Generator: SeedSequence(seed, spawn_key = BLAKE2b-128 of the ID's UTF-8, as 4 words).

    The same seed and ID give the same stream on every run and machine (for a
    given numpy version), whatever else the workbook holds.

    >>> [stream(42, id).standard_normal(2).round(3).tolist() for id in ("A1", "A1", "A2")]
    [[-1.651, 1.951], [-1.651, 1.951], [0.268, -0.092]]
    """
    digest = hashlib.blake2b(initiative_id.encode("utf-8"), digest_size=16).digest()
    words = tuple(int(w) for w in np.frombuffer(digest, dtype="<u4"))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=words))


def _geometric(log_ratio, start, stop):
    """Σ_{j=start}^{stop−1} y^j with ln y = log_ratio: y^start · (y^n − 1)/(y − 1), n = stop − start (n when y = 1)."""
    n = stop - start
    step = np.expm1(log_ratio)
    at_one = np.broadcast_to(n, np.broadcast_shapes(np.shape(n), np.shape(log_ratio))).astype(float)
    ratio = np.divide(np.expm1(n * log_ratio), step, out=at_one, where=step != 0)
    return np.exp(start * log_ratio) * ratio


def outcomes(upfront, maintenance, reach, value, growth, cap, delay, decay, horizon: int, monthly_rate: float,
             elapsed=0, realisation=1.0):
    """NPV and cum_H of the projection in closed form over the months; for a started initiative (E =
    `elapsed` ≥ 1, ρ = `realisation`) its forward value F and the forward sum Σ_{t>E} x_t instead.

    With K = H − delay benefit months, j = k − 1 = 0..K−1, q = 1 + growth,
    w = 1 − decay, weights v^(t−E) (v = 1/(1 + r) for the discounted sum, 1
    for the plain one) and ρ = 1, E = 0 for a new initiative::

        Σ_{t>E} v^(t−E) gross_t = value · v^(delay+1−E) · Σ_{j≥E−delay} (vw)^j · min(cap, reach · q^j)
        NPV or F   = −upfront [E = 0] − maintenance · Σ_{u=1..H−E} v^u + ρ · Σ_{t>E} v^(t−E) gross_t
        cum_H or Σ = −upfront [E = 0] − (H − E) · maintenance + ρ · Σ_{t>E} gross_t

    reach · q^j ≥ cap on a run of months at the end (q > 1) or the start
    (q < 1), the rest uncapped, so each sum is two geometric series (computed
    as y^a · expm1(n ln y) / expm1(ln y), exact near y = 1 and never
    overflowing where the capped months stop the growth). Equal to summing
    `model.cash_flows` month by month, to rounding. Arguments broadcast
    together; returns (NPV or F, cum_H or the forward sum).

    Reach 5 growing 50% a month from month 2, capped at 12: gross 50, 75, 112.5, 120.

    >>> inputs = [np.array([x]) for x in (100, 10, 5, 10, 0.5, 12, 1, 0)]
    >>> [x.round(6).tolist() for x in outcomes(*inputs, horizon=5, monthly_rate=0.0)]
    [[207.5], [207.5]]
    >>> cash_flows(*inputs, horizon=5)[0].tolist()
    [[-100.0, -10.0, 40.0, 65.0, 102.5, 110.0]]
    >>> [x.round(6).tolist() for x in outcomes(*inputs, horizon=5, monthly_rate=0.0, elapsed=3, realisation=0.5)]
    [[96.25], [96.25]]
    """
    elapsed = np.asarray(elapsed, float)
    months = np.clip(horizon - np.asarray(delay, float), 0, None)
    first = np.clip(elapsed - np.asarray(delay, float), 0, months)  # the first benefit month j still to come
    log_q = np.log1p(growth)
    log_w = np.log1p(-np.asarray(decay, float))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        threshold = np.log(cap / np.asarray(reach, float))  # capped at j ⇔ j · ln q ≥ threshold
        crossing = threshold / log_q
        capped_from = np.where(log_q > 0, np.ceil(crossing), np.where((log_q < 0) | (threshold <= 0), 0.0, np.inf))
        capped_to = np.where(log_q < 0, np.floor(crossing) + 1, np.inf)
        capped_lo = np.clip(capped_from, 0, months)
        capped_hi = np.clip(capped_to, capped_lo, months)
        growing = log_q >= 0
        free_lo = np.where(growing, 0.0, capped_hi)
        free_hi = np.where(growing, capped_lo, months)
        capped_lo, free_lo = np.maximum(capped_lo, first), np.maximum(free_lo, first)
        capped_hi, free_hi = np.maximum(capped_hi, capped_lo), np.maximum(free_hi, free_lo)
        finite_cap = np.where(np.isfinite(cap), cap, 0.0)

        def benefit(log_v: float):
            free = _geometric(log_v + log_w + log_q, free_lo, free_hi)
            capped = _geometric(log_v + log_w, capped_lo, capped_hi)
            shift = np.exp((np.asarray(delay, float) + 1 - elapsed) * log_v)
            return realisation * value * shift * (reach * free + finite_cap * capped)

        spent = np.where(elapsed > 0, 0.0, np.asarray(upfront, float))
        left = np.clip(horizon - elapsed, 0, horizon).astype(int)
        annuity = np.concatenate([[0.0], np.cumsum(discount_factors(monthly_rate, horizon)[1:])])[left]
        discounted = -spent - maintenance * annuity
        at_horizon = -spent - left * np.asarray(maintenance, float)
        return discounted + benefit(-np.log1p(monthly_rate)), at_horizon + benefit(0.0)


def _inputs(items: list[Initiative], seed: int, draws: int) -> dict[str, np.ndarray]:
    """Each input as (initiatives, draws), or (initiatives, 1) where none of them ranges it."""
    median = _columns(items, RANGED)
    spread = {f: np.zeros(len(items), bool) for f in RANGED}
    low = {f: median[f].copy() for f in RANGED}
    high = {f: median[f].copy() for f in RANGED}
    spreads = [spread_inputs(i) for i in items]
    normals = {f: np.zeros((len(items), draws)) for f in RANGED if any(f in fields for fields in spreads)}
    for row, (item, fields) in enumerate(zip(items, spreads)):
        generator = stream(seed, item.id)
        for field in fields:
            generator.standard_normal(out=normals[field][row])
            spread[field][row] = True
            low[field][row], high[field][row] = item.ranges[field]
    inputs = {}
    for field in RANGED:
        if field not in normals:
            inputs[field] = median[field][:, None]
            continue
        a, b = low[field], high[field]
        lognormal = a > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = np.where(lognormal, np.log(a * b) / 2, (a + b) / 2)
            width = np.where(lognormal, np.log(b / a), b - a) / (2 * Z90)
        drawn = normals[field]
        drawn *= width[:, None]
        drawn += centre[:, None]
        np.exp(drawn, out=drawn, where=lognormal[:, None])
        np.maximum(drawn, FLOORS[field], out=drawn)
        drawn[~spread[field]] = median[field][~spread[field], None]
        inputs[field] = drawn
    return inputs


def _spread(total: np.ndarray) -> tuple[float, float, float, float]:
    p10, p50, p90 = np.quantile(total, QUANTILES)
    return float(p10), float(p50), float(p90), float(np.mean(total > 0))


@dataclass(frozen=True)
class Where:
    """Where each initiative stands, for the draws: E (0 for new) and ρ (1 where none), in plan order."""

    elapsed: np.ndarray
    realisation: np.ndarray

    @classmethod
    def new(cls, n: int) -> Where:
        return cls(np.zeros(n, int), np.ones(n))


def _drawn(items, s: Settings, rows: np.ndarray):
    """(start, rows, drawn inputs, fixed columns) for the ranged initiatives `rows` of `items`, a chunk of
    them at a time (`start`: the chunk's first position in `rows`), so that memory stays bounded whatever
    the plan's size; each drawn input has shape (len(rows), s.draws)."""
    chunk = max(1, CHUNK_CELLS // s.draws)
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        chosen = [items[i] for i in part]
        yield start, part, _inputs(chosen, s.seed, s.draws), _columns(chosen, FIXED, axis=True)


def _chunks(items, s: Settings, rows: np.ndarray, where: Where):
    """(rows, value draws, forward-sum draws) for the ranged initiatives `rows` of `items`, a chunk at a
    time (`_drawn`). A new initiative's value is its NPV, a started one's its forward value (`outcomes`)."""
    for _, part, drawn, fixed in _drawn(items, s, rows):
        values, at_horizon = outcomes(**drawn, **fixed, horizon=s.horizon, monthly_rate=s.monthly_rate,
                                      elapsed=where.elapsed[part, None], realisation=where.realisation[part, None])
        yield part, values, at_horizon


def _lay_draws(total: np.ndarray, drawn: dict, fixed: dict, steps: np.ndarray, rho: np.ndarray, new: np.ndarray,
               column: np.ndarray, inside: np.ndarray) -> None:
    """Add a few initiatives' cash flows, month by month in every draw, at their calendar columns of `total`.

    Only what varies by draw is computed draw by draw, in place: growth that
    is not ranged grows reach by one factor a month for every draw, decay and
    the months before benefits begin are one factor a month; initiatives
    that start in the same calendar month are added up before they are laid.
    """
    started = steps >= 0
    months = np.maximum(steps, 0)[:, None, :].astype(float)
    factor = (np.where(started, rho[:, None], 0.0)[:, None, :] * (1 - fixed["decay"][:, :, None]) ** months)
    growth = drawn["growth"][:, :, None]
    grown = (1 + growth) ** months if growth.shape[1] == 1 else np.exp(np.log1p(growth) * months)
    flows = np.empty((len(column), total.shape[0], steps.shape[1]))
    np.multiply(drawn["reach"][:, :, None], grown, out=flows)
    np.minimum(flows, fixed["cap"][:, :, None], out=flows)
    flows *= drawn["value"][:, :, None]
    flows *= factor
    flows -= drawn["maintenance"][:, :, None]
    flows[:, :, 0] -= np.where(new[:, None], drawn["upfront"], 0.0)  # month 0, paid in month 1's calendar month
    for start in np.unique(column[:, 0]).tolist():
        same = np.flatnonzero(column[:, 0] == start)
        keep = np.flatnonzero(inside[same[0]])
        total[:, column[same[0]][keep] - 1] += flows[same].sum(axis=0)[:, keep]


def calendar_draws(items, s: Settings, rows: np.ndarray, where: Where, offset: np.ndarray, months: int,
                   tick: Callable[[int], None] | None = None) -> np.ndarray:
    """Σ over the ranged initiatives `rows` of their cash flows draw by draw, laid on the calendar: (draws,
    months), column m − 1 for calendar month m after As of, an initiative's month t in month offset + t − 1
    (its month 0 in its month 1's), months before 1 left out. A new initiative's flows are CF_t, a started
    one's x_t = ρ · gross_t − maintenance.

    An initiative whose reach never meets its cap and whose growth is not ranged has gross_t = value · reach
    · (qw)^(t − delay − 1) in every draw: the drawn value · reach times a shape over the months. Those are
    summed for all such initiatives at once as one matrix product (draws × initiatives) @ (initiatives ×
    months); the others month by month.
    """
    total = np.zeros((s.draws, months))
    t = np.arange(1, s.horizon + 1)
    for start, part, drawn, fixed in _drawn(items, s, rows):
        places = np.asarray(offset)[start:start + len(part)]
        rho = where.realisation[part]
        steps = t[None, :] - fixed["delay"] - 1  # (k, H): months since benefits began, less one
        growth = drawn["growth"]
        steady = growth.min(axis=1) == growth.max(axis=1)  # its growth is not ranged
        most = np.maximum(steps.max(axis=1), 0)
        peak = drawn["reach"].max(axis=1) * np.maximum(1.0, 1 + growth.max(axis=1)) ** most
        shaped = steady & (peak <= fixed["cap"][:, 0])  # reach never meets its cap, in any draw
        column = places[:, None] + t[None, :] - 1  # calendar month of t = 1..H
        inside = (column >= 1) & (column <= months)
        if shaped.any():
            k = np.flatnonzero(shaped)
            yearly = (1 + growth[k, :1]) * (1 - fixed["decay"][k])
            shape = np.where(steps[k] >= 0, yearly ** np.maximum(steps[k], 0), 0.0)
            weights = np.zeros((3 * len(k), months))
            rows_k, cols_k = np.nonzero(inside[k])
            np.add.at(weights, (rows_k, column[k][rows_k, cols_k] - 1), (rho[k, None] * shape)[rows_k, cols_k])
            np.add.at(weights, (len(k) + rows_k, column[k][rows_k, cols_k] - 1), -1.0)
            first = places[k]
            new_start = (where.elapsed[part][k] == 0) & (first >= 1) & (first <= months)
            weights[2 * len(k) + np.flatnonzero(new_start), first[new_start] - 1] = -1.0
            per_draw = np.hstack([np.broadcast_to(drawn["value"][k] * drawn["reach"][k], (len(k), s.draws)).T,
                                  np.broadcast_to(drawn["maintenance"][k], (len(k), s.draws)).T,
                                  np.broadcast_to(drawn["upfront"][k], (len(k), s.draws)).T])
            total += per_draw @ weights
        rest = np.flatnonzero(~shaped)
        laid = max(1, MONTH_CELLS // (s.draws * s.horizon))  # initiatives laid month by month at once
        for at in range(0, len(rest), laid):
            k = rest[at:at + laid]
            _lay_draws(total, {f: v[k] for f, v in drawn.items()}, {f: v[k] for f, v in fixed.items()}, steps[k],
                       rho[k], where.elapsed[part][k] == 0, column[k], inside[k])
        if tick is not None:
            tick(len(part))
    return total


def _add_draws(total: np.ndarray, values: np.ndarray) -> None:
    """Add each row of draws to `total`, one row after another: the same draws always sum the same way,
    however they were chunked."""
    for row in values:
        total += row


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo figures per initiative, aligned with plan.initiatives: of its NPV when new, of its forward
    value when started (docs/model.md section 4).

    Initiatives without ranges are not simulated: their P10 = P50 = P90 =
    their value, and their probabilities are blank (NaN). The draws
    themselves are not kept (at 10,000 initiatives they would take more
    memory than the rest of the ranking): `funded` is the recommended
    portfolio's spread, summed as they were drawn; `npv_draws` and
    `portfolio` draw again, from the same streams, so they keep the
    initiatives and settings as they were simulated.
    """

    initiatives: tuple[Initiative, ...] = dataclasses.field(repr=False, compare=False)
    settings: Settings = dataclasses.field(repr=False, compare=False)
    where: Where = dataclasses.field(repr=False, compare=False)
    npv: np.ndarray  # the deterministic NPV, or forward value when started (ranges at their median)
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    p_positive: np.ndarray  # P(NPV > 0); NaN where not simulated
    p_payback: np.ndarray  # P(cum_H ≥ 0); NaN where not simulated
    ranged: np.ndarray  # bool: simulated
    funded: tuple[float, float, float, float] | None = None  # `portfolio` of the recommended initiatives

    @property
    def draws(self) -> int:
        return self.settings.draws

    def npv_draws(self) -> np.ndarray:
        """The ranged initiatives' values per draw, (ranged.sum(), draws), rows in the order of
        np.flatnonzero(ranged): the whole simulation again, for a closer look at a few initiatives."""
        chunks = _chunks(self.initiatives, self.settings, np.flatnonzero(self.ranged), self.where)
        return np.concatenate([values for _, values, _ in chunks] or [np.empty((0, self.draws))])

    def portfolio(self, mask) -> tuple[float, float, float, float]:
        """(P10, P50, P90, P(value > 0)) of Σ value (NPV, or forward value) over the masked initiatives,
        summed draw by draw, before Confidence.

        An initiative without ranges adds its value to every draw; an empty
        portfolio is 0 in every draw.

        >>> from leverkit.plan import Settings
        >>> item = Initiative(row=2, id="A", name="Reports", owner="", form="code", lever_point="parameter",
        ...                   upfront=1000.0, maintenance=0.0, maintenance_missing=False, reach=10.0, value=20.0,
        ...                   growth=0.0, cap=np.inf, delay=0, decay=0.0, quality=4, confidence=1.0, notes="",
        ...                   ranges={"value": (10.0, 40.0)})
        >>> fixed = dataclasses.replace(item, id="B", ranges={})
        >>> plan = Plan("t", Settings("t", horizon=12, discount_rate=0.0), [item, fixed], [])
        >>> sim = simulate(plan)
        >>> sim.portfolio(np.array([False, True]))
        (1400.0, 1400.0, 1400.0, 1.0)
        >>> p10, p50, p90, positive = sim.portfolio(np.array([True, True]))
        >>> bool(p10 < 2800 < p90), positive
        (True, 1.0)
        """
        mask = np.asarray(mask, bool)
        total = np.zeros(self.draws)
        for _, values, _ in _chunks(self.initiatives, self.settings, np.flatnonzero(mask & self.ranged), self.where):
            _add_draws(total, values)
        return _spread(self.npv[mask & ~self.ranged].sum() + total)


def _columns(items: list[Initiative], fields, axis: bool = False) -> dict[str, np.ndarray]:
    """Each field as a column of floats; with `axis`, as (len(items), 1) to broadcast against the draws."""
    return {f: field_column(items, f).reshape((-1, 1) if axis else -1) for f in fields}


def simulate(plan: Plan, chosen=None, where: Where | None = None, values=None,
             step: Step | None = None) -> Simulation | None:
    """Value P10/P50/P90, P(value > 0) and P(payback) per initiative from Simulation draws; None when draws = 0.

    A range a to b (a < b) is a 90% interval: lognormal when a > 0 (μ = ln √(ab),
    σ = ln(b/a)/(2z)), else normal (mean (a + b)/2, σ = (b − a)/(2z)), z = 1.6448536;
    money and reach draws are clipped at 0, growth at −99%. Each initiative's
    stream gives N standard normals per ranged input, in the order upfront,
    maintenance, reach, value, growth. Quantiles use numpy.quantile's default.
    The value is the NPV of a new initiative and the forward value of a
    started one (`where`: E and ρ; all new when None; `values`: their
    deterministic values, NPV when None); a finished one is not simulated.
    With `chosen` (a mask of the recommended initiatives), their portfolio's
    spread is summed from the same draws as they are made. `step` hears how
    many initiatives are simulated, as they are.

    >>> from leverkit.plan import Settings
    >>> item = Initiative(row=2, id="A", name="Reports", owner="", form="code", lever_point="parameter",
    ...                   upfront=1000.0, maintenance=0.0, maintenance_missing=False, reach=10.0, value=20.0,
    ...                   growth=0.0, cap=np.inf, delay=0, decay=0.0, quality=4, confidence=1.0, notes="",
    ...                   ranges={"value": (10.0, 40.0)})
    >>> sim = simulate(Plan("t", Settings("t", horizon=12, discount_rate=0.0), [item], []))
    >>> float(sim.npv[0]), bool(sim.p10[0] < 1400 < sim.p90[0]), bool(0.9 < sim.p_positive[0] < 1)
    (1400.0, True, True)
    """
    s = plan.settings
    if s.draws == 0:
        return None
    items = plan.initiatives
    where = where or Where.new(len(items))
    if values is None:
        cf, _, _ = cash_flows(**_columns(items, RANGED + FIXED), horizon=s.horizon)
        values = npv(s.monthly_rate, cf)
    base = np.asarray(values, float)
    ranged = ranged_mask(items, where.elapsed, s.horizon)
    p10, p50, p90 = base.copy(), base.copy(), base.copy()
    p_positive, p_payback = np.full(len(items), np.nan), np.full(len(items), np.nan)
    mask = None if chosen is None else np.asarray(chosen, bool)
    total = np.zeros(s.draws)
    tick = (step or quiet)("simulating the ranges", int(ranged.sum()))
    for part, drawn, at_horizon in _chunks(items, s, np.flatnonzero(ranged), where):
        p10[part], p50[part], p90[part] = np.quantile(drawn, QUANTILES, axis=1)
        p_positive[part] = np.mean(drawn > 0, axis=1)
        p_payback[part] = np.mean(at_horizon >= 0, axis=1)
        if mask is not None:
            _add_draws(total, drawn[mask[part]])
        tick(len(part))
    funded = None if mask is None else _spread(base[mask & ~ranged].sum() + total)
    return Simulation(tuple(items), dataclasses.replace(s), where, base, p10, p50, p90, p_positive, p_payback, ranged,
                      funded)


@dataclass(frozen=True)
class Swing:
    """One bar of an initiative's tornado: NPV with one ranged input at each end of its range."""

    index: int  # into plan.initiatives
    field: str
    input: str  # the column header, e.g. "Upfront cost"
    low: float
    high: float
    npv_low: float
    npv_high: float
    swing: float  # |npv_high − npv_low|


def _at_ends(items, cases: list[tuple[int, str]]):
    """For each case (initiative, one of its ranged inputs): the initiative, the input, the input's (low, high),
    and `inputs(end)`, every case's inputs as columns with that input at its low (end 0) or high (end 1) end
    and every other input at its median."""
    index = np.array([i for i, _ in cases])
    field = np.array([f for _, f in cases])
    columns = _columns([items[i] for i in index], RANGED + FIXED)
    bounds = np.array([items[i].ranges[f] for i, f in cases], float)

    def inputs(end: int) -> dict[str, np.ndarray]:
        return {f: np.where(field == f, bounds[:, end], column) if f in RANGED else column
                for f, column in columns.items()}

    return index, field, bounds, inputs


def sensitivity(plan: Plan) -> list[Swing]:
    """Per initiative and ranged input: NPV at the range's low and high end, every other input at its median.

    Swing = |NPV(high) − NPV(low)|. Ordered by initiative, then swing, largest first.

    >>> from leverkit.plan import Settings
    >>> item = Initiative(row=2, id="A", name="Reports", owner="", form="code", lever_point="parameter",
    ...                   upfront=1000.0, maintenance=0.0, maintenance_missing=False, reach=10.0, value=20.0,
    ...                   growth=0.0, cap=np.inf, delay=0, decay=0.0, quality=4, confidence=1.0, notes="",
    ...                   ranges={"upfront": (800.0, 1250.0), "value": (10.0, 40.0)})
    >>> [(w.input, w.npv_low, w.npv_high, w.swing) for w in sensitivity(Plan("t", Settings("t", horizon=12, discount_rate=0.0), [item], []))]
    [('Value per reach', 200.0, 3800.0, 3600.0), ('Upfront cost', 1600.0, 1150.0, 450.0)]
    """
    s = plan.settings
    items = plan.initiatives
    cases = [(i, f) for i, item in enumerate(items) for f in spread_inputs(item)]
    if not cases:
        return []
    index, field, bounds, inputs = _at_ends(items, cases)

    def npv_at(end: int) -> np.ndarray:
        return npv(s.monthly_rate, cash_flows(**inputs(end), horizon=s.horizon)[0])

    at_low, at_high = npv_at(0), npv_at(1)
    swings = [
        Swing(int(i), str(f), HEADERS[f], float(lo), float(hi), float(a), float(b), float(abs(b - a)))
        for i, f, (lo, hi), a, b in zip(index, field, bounds, at_low, at_high)
    ]
    return sorted(swings, key=lambda w: (w.index, -w.swing))


def value_swings(plan: Plan, where: Where, mask) -> list[tuple[int, str, float, float]]:
    """(index, field, value at the input's low end, value at its high end) for each ranged input of the masked
    initiatives, every other input at its median: the NPV of a new initiative, the forward value of a started
    one (before Confidence), in closed form (`outcomes`).

    >>> from leverkit.plan import Settings
    >>> item = Initiative(row=2, id="A", name="Reports", owner="", form="code", lever_point="parameter",
    ...                   upfront=1000.0, maintenance=0.0, maintenance_missing=False, reach=10.0, value=20.0,
    ...                   growth=0.0, cap=np.inf, delay=0, decay=0.0, quality=4, confidence=1.0, notes="",
    ...                   ranges={"value": (10.0, 40.0)})
    >>> [(i, f, round(a, 6), round(b, 6)) for i, f, a, b in value_swings(
    ...     Plan("t", Settings("t", horizon=12, discount_rate=0.0), [item], []), Where.new(1), [True])]
    [(0, 'value', 200.0, 3800.0)]
    """
    s = plan.settings
    items = plan.initiatives
    mask = np.asarray(mask, bool)
    cases = [(i, f) for i in np.flatnonzero(mask).tolist() if where.elapsed[i] < s.horizon
             for f in spread_inputs(items[i])]
    if not cases:
        return []
    index, field, _, inputs = _at_ends(items, cases)

    def value_at(end: int) -> np.ndarray:
        return outcomes(**inputs(end), horizon=s.horizon, monthly_rate=s.monthly_rate, elapsed=where.elapsed[index],
                        realisation=where.realisation[index])[0]

    return [(int(i), str(f), float(a), float(b)) for i, f, a, b in zip(index, field, value_at(0), value_at(1))]
