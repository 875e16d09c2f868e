"""The recommended portfolio's cash, month by month after As of and by fiscal year (docs/model.md section 8).

Pure arithmetic over arrays: each initiative's monthly cash flows are laid
on the calendar (month m = 1 is the month after As of) and summed. A new
initiative's month 0 and month 1 fall in its Start month (the month after
As of when it has no Start); a started one contributes only its months
after E, re-forecast.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

import numpy as np

from .plan import add_months

QUANTILES = (0.1, 0.5, 0.9)


@dataclass(frozen=True)
class FiscalYear:
    name: str  # "FY" + the calendar year it ends in
    upfront: float  # paid, as a positive amount
    maintenance: float
    gross: float
    net: float  # gross − maintenance − upfront
    cumulative: float  # the portfolio's cumulative net cash at the year's end


FISCAL_COLUMNS = (("Fiscal year", "text"), ("Upfront", "money"), ("Maintenance", "money"), ("Gross value", "money"),
                  ("Net cash", "money"), ("Cumulative net cash", "money"))


@dataclass(frozen=True)
class CashView:
    """P_m and C_m for m = 1..M (months[m − 1] is month m's first day), the cash need and the payback month."""

    months: list[datetime.date]
    flow: np.ndarray  # P_m
    cumulative: np.ndarray  # C_m
    need: float  # max(0, −min C)
    need_month: datetime.date | None  # the first month C reaches its minimum; None when the need is 0
    payback_month: datetime.date | None  # the first month from which C stays ≥ 0; None if the last C < 0
    fiscal_years: list[FiscalYear]
    bands: np.ndarray | None = None  # (3, M): P10, P50, P90 of C_m over the draws; None without simulation
    need_spread: tuple[float, float, float] | None = None  # P10, P50, P90 of the cash need


def need_and_payback(cumulative: np.ndarray) -> tuple[float, int | None, int | None]:
    """(cash need, its month, payback month) of C_1..C_M, months counted from 1; None where there is none.

    >>> need_and_payback(np.array([-5.0, -8, -8, 2, -1, 3]))
    (8.0, 2, 6)
    >>> need_and_payback(np.array([1.0, 2])), need_and_payback(np.array([1.0, -2]))
    ((0.0, None, 1), (2.0, 2, None))
    """
    low = float(cumulative.min())
    need = max(0.0, -low)
    need_month = int(np.argmax(cumulative == low)) + 1 if need > 0 else None
    negative = np.flatnonzero(cumulative < 0)
    if negative.size == 0:
        return need, need_month, 1
    last = int(negative[-1]) + 1
    return need, need_month, last + 1 if last < cumulative.size else None


def fiscal_name(month: datetime.date, fiscal_start: int) -> str:
    """The fiscal year a month falls in, named for the calendar year it ends in.

    >>> fiscal_name(datetime.date(2026, 3, 1), 4), fiscal_name(datetime.date(2026, 4, 1), 4), fiscal_name(datetime.date(2026, 4, 1), 1)
    ('FY2026', 'FY2027', 'FY2026')
    """
    return f"FY{month.year + (1 if fiscal_start > 1 and month.month >= fiscal_start else 0)}"


def _place(offset: np.ndarray, horizon: int, months: int) -> list[tuple[int, int, int, int]]:
    """For each initiative, (first calendar column, last + 1, first t, last t + 1) of its months 1..H that land
    in calendar months 1..M (column m − 1)."""
    placed = []
    for start in offset.tolist():
        lo, hi = max(start, 1), min(start + horizon - 1, months)
        placed.append((lo - 1, hi, lo - start + 1, hi - start + 2))
    return placed


def _lay(total: np.ndarray, flows: np.ndarray, placed) -> None:
    """Add each initiative's months (row j of `flows`, columns t = 0..H) that land in the calendar at its columns."""
    for j, (c0, c1, t0, t1) in enumerate(placed):
        if c1 > c0:
            total[c0:c1] += flows[j, t0:t1]


def months_reached(offset, horizon: int) -> int:
    """The last calendar month after As of that any initiative's months reach (offset: each one's month 1).

    >>> months_reached(np.array([1, -3, 5]), 12)
    16
    """
    return int((np.asarray(offset, int) + horizon - 1).max())


def cash_view(as_of: datetime.date, fiscal_start: int, offset, elapsed, realisation, upfront, maintenance,
              gross, draws: tuple[np.ndarray, np.ndarray] | None = None) -> CashView | None:
    """The portfolio's cash view; None for an empty portfolio.

    One entry per initiative in the portfolio: `offset` is the calendar month
    (m, with m = 1 the month after As of) of its month 1 (1 − E for a started
    one), `elapsed` E (0 when new), `realisation` ρ (1 where none), upfront,
    maintenance and gross (k, H), ranges at their medians. Flows are CF_t for
    a new initiative and x_t = ρ · gross_t − maintenance for t > E of a
    started one. `draws` is (the ranged entries, as a mask, and their cash
    flows summed draw by draw on the calendar, (draws, M)), which replace
    those entries' median flows.

    A new initiative of upfront 100, gross 60 a month from month 1, over 3 months:

    >>> view = cash_view(datetime.date(2026, 1, 1), 1, np.array([1]), np.array([0]), np.array([1.0]),
    ...                  np.array([100.0]), np.array([0.0]), np.array([[60.0, 60, 60]]))
    >>> view.flow.tolist(), view.cumulative.tolist(), view.need, view.need_month, view.payback_month
    ([-40.0, 60.0, 60.0], [-40.0, 20.0, 80.0], 40.0, datetime.date(2026, 2, 1), datetime.date(2026, 3, 1))
    >>> [(y.name, y.upfront, y.gross, y.net, y.cumulative) for y in view.fiscal_years]
    [('FY2026', 100.0, 180.0, 80.0, 80.0)]
    """
    offset, elapsed = np.asarray(offset, int), np.asarray(elapsed, int)
    if offset.size == 0:
        return None
    gross = np.asarray(gross, float)
    horizon = gross.shape[1]
    months = months_reached(offset, horizon)
    new = elapsed == 0
    rho = np.where(new, 1.0, np.asarray(realisation, float))[:, None]
    maintenance = np.asarray(maintenance, float)
    paid = np.where(new, np.asarray(upfront, float), 0.0)  # a started initiative's upfront is sunk
    gross_paid, upkeep = rho * gross, np.broadcast_to(maintenance[:, None], gross.shape)
    placed = _place(offset, horizon, months)
    columns = {}
    for name, flows in (("gross", gross_paid), ("maintenance", upkeep)):
        total = np.zeros(months)
        _lay(total, np.concatenate([np.zeros((len(offset), 1)), flows], axis=1), placed)
        columns[name] = total
    columns["upfront"] = np.zeros(months)
    for (c0, c1, _, _), amount in zip(placed, paid.tolist()):
        if c1 > c0 and amount:
            columns["upfront"][c0] += amount
    flow = columns["gross"] - columns["maintenance"] - columns["upfront"]
    cumulative = np.cumsum(flow)
    need, need_at, payback_at = need_and_payback(cumulative)
    dates = [add_months(as_of, m) for m in range(1, months + 1)]
    view = CashView(dates, flow, cumulative, need, dates[need_at - 1] if need_at else None,
                    dates[payback_at - 1] if payback_at else None, _fiscal_years(dates, fiscal_start, columns, cumulative))
    if draws is None:
        return view
    return _with_draws(view, paid, gross_paid, maintenance, placed, *draws)


def _with_draws(view: CashView, paid, gross_paid, maintenance, placed, drawn: np.ndarray,
                total: np.ndarray) -> CashView:
    """The view with P10–P90 of C_m and of the cash need: the drawn entries' flows (`total`, draw by draw)
    and the others' median flows, summed."""
    months = len(view.months)
    fixed = np.concatenate([-paid[:, None], gross_paid - maintenance[:, None]], axis=1)
    fixed[:, 1] += fixed[:, 0]
    drawn = np.asarray(drawn, bool)
    steady = np.zeros(months)
    _lay(steady, fixed[~drawn], [p for p, d in zip(placed, drawn.tolist()) if not d])
    cumulative = np.cumsum(total + steady, axis=1)
    bands = np.quantile(cumulative, QUANTILES, axis=0)
    needs = np.maximum(0.0, -cumulative.min(axis=1))
    p10, p50, p90 = np.quantile(needs, QUANTILES)
    return CashView(view.months, view.flow, view.cumulative, view.need, view.need_month, view.payback_month,
                    view.fiscal_years, bands, (float(p10), float(p50), float(p90)))


def _fiscal_years(dates: list[datetime.date], fiscal_start: int, columns: dict[str, np.ndarray],
                  cumulative: np.ndarray) -> list[FiscalYear]:
    names = [fiscal_name(d, fiscal_start) for d in dates]
    years = []
    for name in dict.fromkeys(names):
        at = np.array([n == name for n in names])
        upfront, upkeep, gross = (float(columns[k][at].sum()) for k in ("upfront", "maintenance", "gross"))
        years.append(FiscalYear(name, upfront, upkeep, gross, gross - upkeep - upfront, float(cumulative[at][-1])))
    return years
