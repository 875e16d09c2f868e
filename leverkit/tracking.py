"""Where each initiative stands at the As of month, and its actuals against the plan (docs/model.md
sections 5 and 7).

Pure computations over arrays: `progress` says which initiatives are new,
started or finished and what a started one is still worth (its forward
value), from the realisation its actuals show; `track` holds the actuals
(read by `reading.read_actuals`) against the projection, re-forecasts the
NPV and measures how far each owner's estimates ran high or low.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .issues import CODES
from .model import Projection, discount_factors
from .plan import Actuals, Plan, months_between

# (header, kind) of the Tracking sheet's rows; kinds as in tables.py, plus "month" (a date shown as its month)
TRACKING_COLUMNS = (
    ("ID", "text"),
    ("Initiative", "text"),
    ("Owner", "text"),
    ("Start", "month"),
    ("Months elapsed", "int"),
    ("Months reported", "int"),
    ("Projected gross to date", "money"),
    ("Actual gross to date", "money"),
    ("Realisation", "percent"),
    ("Projected spend to date", "money"),
    ("Actual spend to date", "money"),
    ("Spend ratio", "percent"),
    ("Projected cash to date", "money"),
    ("Actual cash to date", "money"),
    ("NPV (plan)", "money"),
    ("Re-forecast NPV", "money"),
)
CALIBRATION_COLUMNS = (("Owner", "text"), ("Initiatives", "int"), ("Median realisation", "percent"), ("In words", "text"))

BEHIND_PLAN_MONTHS = 3  # months reported before realisation is judged, and before it counts for calibration
BEHIND_PLAN_BELOW = 0.8
OVER_SPEND_ABOVE = 1.2
CALIBRATION_MINIMUM = 2
NEW, STARTED, FINISHED = "new", "started", "finished"


def reforecast_cash_flows(upfront, maintenance, gross, observed, gross_actual, spend_actual, realisation) -> np.ndarray:
    """Re-forecast cash flows x_0..x_H: what happened where it is known, the plan scaled by ρ after.

    With M the months observed, T = max M, and the Start month's Spend taken
    to include the upfront (paid at t = 0, as in the plan)::

        x_0 = −min(Spend_1, upfront) if 1 ∈ M else −upfront
        x_1 = Gross_1 − (Spend_1 − min(Spend_1, upfront))      (1 ∈ M)
        x_t = Gross_t − Spend_t                                 (t ∈ M, t ≥ 2)
        x_t = gross_t − maintenance                             (t ≤ T, t ∉ M: the plan's CF_t)
        x_t = ρ · gross_t − maintenance                         (t > T; a blank ρ counts as 1)

    Arrays: upfront, maintenance, realisation (NaN: blank) of length k;
    gross (the plan's gross_1..gross_H), observed (bool), gross_actual and
    spend_actual of shape (k, H). Returns shape (k, H+1).

    >>> x = reforecast_cash_flows(np.array([100.0]), np.array([10.0]), np.array([[50.0, 50, 50, 50]]),
    ...                           np.array([[True, False, True, False]]), np.array([[30.0, 0, 40, 0]]),
    ...                           np.array([[150.0, 0, 10, 0]]), np.array([0.7]))
    >>> x.tolist()
    [[-100.0, -20.0, 40.0, 30.0, 25.0]]
    """
    upfront = np.asarray(upfront, float)
    maintenance = np.asarray(maintenance, float)[:, None]
    horizon = gross.shape[1]
    last = last_reported(observed)
    upfront_paid = np.where(observed[:, 0], np.minimum(spend_actual[:, 0], upfront), upfront)
    actual = np.asarray(gross_actual, float) - spend_actual
    actual[:, 0] += np.where(observed[:, 0], upfront_paid, 0.0)
    rho = np.where(np.isnan(realisation), 1.0, realisation)[:, None]
    past = np.arange(1, horizon + 1)[None, :] <= last[:, None]
    x = np.empty((gross.shape[0], horizon + 1))
    x[:, 0] = -upfront_paid
    x[:, 1:] = np.where(observed, actual, np.where(past, gross - maintenance, rho * gross - maintenance))
    return x


def last_reported(observed: np.ndarray) -> np.ndarray:
    """T = the last month with actuals (0 where there are none), per row of an (k, H) mask.

    >>> last_reported(np.array([[True, False, True, False], [False] * 4])).tolist()
    [3, 0]
    """
    horizon = observed.shape[1]
    return np.where(observed.any(axis=1), horizon - np.argmax(observed[:, ::-1], axis=1), 0)


def forward_weights(elapsed: np.ndarray, horizon: int, monthly_rate: float) -> np.ndarray:
    """(k, H) weights of months 1..H in a forward value: 1 / (1 + r)^(t − E) for t > E, else 0.

    >>> forward_weights(np.array([2, 0]), 3, 0.0).tolist()
    [[0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]
    """
    months = np.arange(1, horizon + 1)[None, :] - np.asarray(elapsed)[:, None]
    return np.where(months > 0, discount_factors(monthly_rate, horizon)[np.clip(months, 0, horizon)], 0.0)


def forward_value(gross, maintenance, realisation, elapsed, monthly_rate: float) -> np.ndarray:
    """F = Σ_{t=E+1..H} (ρ · gross_t − maintenance) / (1 + r)^(t − E): the months still to come of the
    re-forecast, discounted to the As of month (docs/model.md section 5). ρ is 1 where blank (NaN).

    >>> forward_value(np.array([[50.0, 50, 50, 50]]), np.array([10.0]), np.array([0.5]), np.array([2]), 0.0).tolist()
    [30.0]
    """
    rho = np.where(np.isnan(realisation), 1.0, realisation)[:, None]
    flows = rho * gross - np.asarray(maintenance, float)[:, None]
    return (flows * forward_weights(elapsed, gross.shape[1], monthly_rate)).sum(axis=1)


@dataclass(frozen=True)
class Progress:
    """Where every initiative stands at As of, in plan order (docs/model.md section 5)."""

    status: np.ndarray  # NEW, STARTED or FINISHED
    elapsed: np.ndarray  # E (0 for new): the As of month is month E of the initiative's own timeline
    realisation: np.ndarray  # ρ from actuals, NaN where there is none (counts as 1)
    forward: np.ndarray  # F before Confidence; NaN for new, 0 for finished

    @property
    def started(self) -> np.ndarray:
        return self.status == STARTED

    @property
    def finished(self) -> np.ndarray:
        return self.status == FINISHED


def elapsed_months(plan: Plan) -> np.ndarray:
    """Months from each initiative's Start to As of, plus 1 (0 without a Start): the As of month is month E
    of its own timeline, before E is capped at the horizon."""
    as_of = plan.settings.as_of
    return np.fromiter((0 if i.start is None else months_between(i.start, as_of) + 1 for i in plan.initiatives),
                       int, len(plan.initiatives))


def progress(plan: Plan, projection: Projection, realisation: np.ndarray) -> Progress:
    """Status, E and forward value of every initiative; `realisation` is ρ per initiative (NaN: none).

    E = months from Start to As of + 1; started when E ≥ 1 (a later Start is
    scheduled: new for the choice), finished when E ≥ H.
    """
    s, horizon = plan.settings, plan.settings.horizon
    elapsed = elapsed_months(plan)
    started = elapsed >= 1
    status = np.where(elapsed >= horizon, FINISHED, np.where(started, STARTED, NEW))
    forward = np.full(len(elapsed), np.nan)
    going = status == STARTED
    forward[going] = forward_value(projection.gross[going], plan.column("maintenance")[going], realisation[going],
                                   elapsed[going], s.monthly_rate)
    forward[status == FINISHED] = 0.0
    return Progress(status, np.where(started, np.minimum(elapsed, horizon), 0), realisation, forward)


def in_words(median: float) -> str:
    """How far estimates ran high or low: 1 − median ρ in whole percent (half away from zero).

    >>> in_words(0.6), in_words(1.25), in_words(0.996)
    ('estimates ran 40% high', 'estimates ran 25% low', 'estimates were on target')
    """
    off = round((1 - median) * 100, 9)
    whole = int(math.copysign(math.floor(abs(off) + 0.5), off))
    if whole == 0:
        return "estimates were on target"
    return f"estimates ran {abs(whole)}% {'high' if whole > 0 else 'low'}"


@dataclass(frozen=True)
class Calibration:
    """One owner's track record: the median realisation over their initiatives judged so far."""

    owner: str
    initiatives: int
    median: float
    words: str

    @property
    def sentence(self) -> str:
        """e.g. "Ana's estimates ran 35% high over 4 initiatives"."""
        return f"{self.owner}'s {self.words} over {self.initiatives} initiatives"

    def row(self) -> list:
        """The row under CALIBRATION_COLUMNS."""
        return [self.owner, self.initiatives, self.median, self.words]


def _blank(x: float) -> float | None:
    return None if math.isnan(x) else x


@dataclass
class Tracking:
    """The figures of every tracked initiative, one entry per initiative in plan order.

    `index` says which initiative each entry is (an index into
    plan.initiatives); the writer puts them in rank order.
    """

    index: np.ndarray
    elapsed: np.ndarray  # E, at most H
    reported: np.ndarray  # |M|
    last: np.ndarray  # T = max M
    projected_gross: np.ndarray  # G
    actual_gross: np.ndarray  # g
    realisation: np.ndarray  # ρ = g / G, NaN (blank) when G = 0
    projected_spend: np.ndarray  # S = upfront + |M| · maintenance
    actual_spend: np.ndarray  # s
    spend_ratio: np.ndarray  # σ = s / S, NaN (blank) when S = 0
    npv_plan: np.ndarray
    npv_reforecast: np.ndarray
    observed: np.ndarray  # (k, H): months with an Actuals row
    cumulative: np.ndarray  # (k, H+1): Σ_{u≤t} x_u for t ≤ T, NaN after: the chart's actual line
    warnings: list[list[tuple[str, str]]]
    calibration: list[Calibration] = field(default_factory=list)

    @property
    def projected_cash(self) -> np.ndarray:
        """G − S."""
        return self.projected_gross - self.projected_spend

    @property
    def actual_cash(self) -> np.ndarray:
        """g − s."""
        return self.actual_gross - self.actual_spend

    def __len__(self) -> int:
        return len(self.index)

    def realisation_of(self, n: int) -> np.ndarray:
        """ρ for each of n initiatives in plan order, NaN where untracked or blank."""
        rho = np.full(n, np.nan)
        rho[self.index] = self.realisation
        return rho

    def rows(self, plan: Plan) -> dict[int, list]:
        """Initiative index -> its Tracking sheet row under TRACKING_COLUMNS (blanks are None)."""
        figures = zip(
            self.index.tolist(), self.elapsed.tolist(), self.reported.tolist(), self.projected_gross.tolist(),
            self.actual_gross.tolist(), self.realisation.tolist(), self.projected_spend.tolist(),
            self.actual_spend.tolist(), self.spend_ratio.tolist(), self.projected_cash.tolist(),
            self.actual_cash.tolist(), self.npv_plan.tolist(), self.npv_reforecast.tolist(),
        )
        rows = {}
        for i, elapsed, reported, G, g, rho, S, s, sigma, planned, actual, npv_plan, npv_new in figures:
            item = plan.initiatives[i]
            rows[i] = [item.id, item.name, item.owner or None, item.start, elapsed, reported, G, g, _blank(rho), S, s,
                       _blank(sigma), planned, actual, npv_plan, npv_new]
        return rows


def _warnings(tracking: Tracking, currency: str) -> list[list[tuple[str, str]]]:
    found = []
    for j in range(len(tracking)):
        w = []
        last, rho, sigma = tracking.last[j], tracking.realisation[j], tracking.spend_ratio[j]
        months = int(tracking.reported[j])
        if last >= BEHIND_PLAN_MONTHS and rho < BEHIND_PLAN_BELOW:
            w.append(("BEHIND_PLAN", CODES["BEHIND_PLAN"].sentence(
                realisation=rho, currency=currency, projected=tracking.projected_gross[j], months=months, last=last)))
        if sigma > OVER_SPEND_ABOVE:
            w.append(("OVER_SPEND", CODES["OVER_SPEND"].sentence(
                currency=currency, spent=tracking.actual_spend[j], ratio=sigma,
                projected=tracking.projected_spend[j], months=months)))
        found.append(w)
    return found


def calibrate(owners, last, realisation) -> list[Calibration]:
    """Median ρ per owner over initiatives with T ≥ 3 and a ρ; owners with fewer than 2 are left out.

    One entry per tracked initiative (one team's, or a whole drive's), T its
    last month reported. Owners group case-insensitively (shown as first
    spelled); a blank owner is no one's track record, so it is left out.

    >>> [c.sentence for c in calibrate(["Ana", "ana", "Bo"], [4, 6, 5], [0.6, 0.7, 0.9])]
    ["Ana's estimates ran 35% high over 2 initiatives"]
    """
    groups: dict[str, tuple[str, list[float]]] = {}
    for owner, months, rho in zip(owners, last, realisation):
        if owner and months >= BEHIND_PLAN_MONTHS and rho is not None and not math.isnan(rho):
            groups.setdefault(owner.casefold(), (owner, []))[1].append(rho)
    found = []
    for key in sorted(groups):
        owner, values = groups[key]
        if len(values) >= CALIBRATION_MINIMUM:
            median = float(np.median(values))
            found.append(Calibration(owner, len(values), median, in_words(median)))
    return found


def track(plan: Plan, projection: Projection, actuals: Actuals) -> Tracking:
    """Each tracked initiative (a Start and at least one valid Actuals row) against its projection.

    With M the months with a row and T = max M::

        G = Σ_{t∈M} gross_t      g = Σ_{t∈M} Gross value_t      ρ = g / G  (blank when G = 0)
        S = upfront + |M| · maintenance      s = Σ_{t∈M} Spend_t      σ = s / S  (blank when S = 0)
        Re-forecast NPV = Σ_{t=0..H} x_t / (1 + r)^t   (x_t: `reforecast_cash_flows`)

    plus warnings BEHIND_PLAN (T ≥ 3 and ρ < 0.8) and OVER_SPEND (σ > 1.2),
    and the calibration per owner. Months elapsed is E (docs/model.md
    section 5), at most H.

    >>> import datetime
    >>> from leverkit.reading import Grid, parse_sheets, read_actuals
    >>> from leverkit.model import project
    >>> head = ["ID", "Initiative", "Leverage form", "Upfront cost", "Maintenance / month", "Reach / month",
    ...         "Value per reach", "Quality (1-5)", "Start"]
    >>> plan = parse_sheets({"Initiatives": Grid("Initiatives", [head, ["A", "Reports", "code", 100, 10, 5, 10, 4,
    ...                                                                "2025-01"]])}, "doc.xlsx", "doc",
    ...                     today=datetime.date(2025, 4, 9))
    >>> actuals, _ = read_actuals(Grid("Actuals", [["ID", "Month", "Gross value", "Spend"], ["A", "2025-01", 40, 110],
    ...                                            ["A", "2025-02", 30, 10]]), plan.initiatives, plan.settings)
    >>> t = track(plan, project(plan), actuals)
    >>> t.elapsed.tolist(), t.reported.tolist(), t.realisation.tolist(), t.spend_ratio.tolist()
    ([4], [2], [0.7], [1.0])
    >>> t.cumulative[0, :4].tolist()
    [-100.0, -70.0, -50.0, nan]
    """
    initiatives = plan.initiatives
    s = plan.settings
    horizon, rate = s.horizon, s.monthly_rate
    started = np.fromiter((item.start is not None for item in initiatives), bool, len(initiatives))
    mine = started[actuals.initiative]
    index, row = np.unique(actuals.initiative[mine], return_inverse=True)
    k, size = len(index), len(index) * horizon
    cells = row * horizon + actuals.month[mine] - 1
    observed = (np.bincount(cells, minlength=size) > 0).reshape(k, horizon)
    gross_actual = np.bincount(cells, actuals.gross[mine], size).astype(float).reshape(k, horizon)
    spend_actual = np.bincount(cells, actuals.spend[mine], size).astype(float).reshape(k, horizon)

    upfront = plan.column("upfront")[index]
    maintenance = plan.column("maintenance")[index]
    gross = projection.gross[index]
    G = (gross * observed).sum(axis=1)
    g = gross_actual.sum(axis=1)
    reported = observed.sum(axis=1)
    S = upfront + reported * maintenance
    spent = spend_actual.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(G > 0, g / G, np.nan)
        sigma = np.where(S > 0, spent / S, np.nan)
    last = last_reported(observed)
    x = reforecast_cash_flows(upfront, maintenance, gross, observed, gross_actual, spend_actual, rho)
    cumulative = np.where(np.arange(horizon + 1)[None, :] <= last[:, None], np.cumsum(x, axis=1), np.nan)
    elapsed = np.minimum(elapsed_months(plan)[index], horizon)  # a tracked one has started: E ≥ 1

    tracking = Tracking(
        index=index, elapsed=elapsed, reported=reported, last=last, projected_gross=G, actual_gross=g,
        realisation=rho, projected_spend=S, actual_spend=spent, spend_ratio=sigma, npv_plan=projection.npv[index],
        npv_reforecast=x @ discount_factors(rate, horizon), observed=observed, cumulative=cumulative, warnings=[],
    )
    tracking.warnings = _warnings(tracking, s.currency)
    owners = [initiatives[i].owner for i in index.tolist()]
    tracking.calibration = calibrate(owners, last.tolist(), rho.tolist())
    return tracking
