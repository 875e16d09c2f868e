"""The projection, payback, leverage multiple and risk flag (docs/model.md sections 2 and 3).

Pure functions over whole arrays: one row per initiative, one column per
month. No I/O, no per-month Python loops, so 10,000 initiatives cost about
what one does.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .issues import CODES
from .plan import Plan

RED, AMBER, GREEN = "red", "amber", "green"


def cash_flows(upfront, maintenance, reach, value, growth, cap, delay, decay, horizon: int):
    """Monthly cash flows CF_0..CF_H and gross value gross_1..gross_H.

    With k_t = t − delay (t = 1..H)::

        reach_t      = 0 if k_t < 1 else min(cap, reach · (1 + growth)^(k_t − 1))
        unit_value_t = 0 if k_t < 1 else value · (1 − decay)^(k_t − 1)
        gross_t      = reach_t · unit_value_t
        CF_0 = −upfront,  CF_t = gross_t − maintenance

    Every argument is an array of length n (cap is inf where there is none);
    returns (cf of shape (n, H+1), gross and reach of shape (n, H)).

    >>> cf, gross, reach = cash_flows(*[np.array([x]) for x in (100, 10, 5, 10, 0, np.inf, 1, 0)], horizon=3)
    >>> cf.tolist()
    [[-100.0, -10.0, 40.0, 40.0]]
    """
    months = np.arange(1, horizon + 1)
    k = months[None, :] - np.asarray(delay, dtype=float)[:, None]
    started = k >= 1
    steps = np.where(started, k - 1, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        grown = np.asarray(reach, float)[:, None] * (1 + np.asarray(growth, float))[:, None] ** steps
        reach_t = np.where(started, np.minimum(np.asarray(cap, float)[:, None], grown), 0.0)
        unit = np.where(started, np.asarray(value, float)[:, None] * (1 - np.asarray(decay, float))[:, None] ** steps, 0.0)
    gross = reach_t * unit
    cf = np.empty((gross.shape[0], horizon + 1))
    cf[:, 0] = -np.asarray(upfront, float)
    cf[:, 1:] = gross - np.asarray(maintenance, float)[:, None]
    return cf, gross, reach_t


def discount_factors(monthly_rate: float, horizon: int) -> np.ndarray:
    """1 / (1 + r)^t for t = 0..H."""
    return (1 + monthly_rate) ** -np.arange(horizon + 1, dtype=float)


def npv(monthly_rate: float, cf: np.ndarray) -> np.ndarray:
    """NPV = Σ_{t=0..H} CF_t / (1 + r)^t for each row; numpy_financial.npv row by row.

    >>> npv(0.1, np.array([[-100.0, 60.0, 60.0]])).round(4).tolist()
    [4.1322]
    """
    return cf @ discount_factors(monthly_rate, cf.shape[1] - 1)


def payback(cumulative: np.ndarray) -> np.ndarray:
    """Months from which the piecewise-linear cumulative stays ≥ 0 up to the horizon.

    Joining (t, cum_t) with straight lines, payback is the smallest τ with the
    line ≥ 0 on [τ, H]: 0 if it never dips below zero, NaN if cum_H < 0, else
    τ = (T − 1) + (−cum_{T−1}) / (cum_T − cum_{T−1}) at the last crossing.

    >>> payback(np.array([[-100.0, -60, -20, 20, 60], [-10.0, 5, -1, -2, -3], [0.0, 1, 2, 3, 4]])).tolist()
    [2.5, nan, 0.0]
    """
    horizon = cumulative.shape[1] - 1
    negative = cumulative < 0
    last_negative = horizon - np.argmax(negative[:, ::-1], axis=1)
    rows = np.arange(cumulative.shape[0])
    before = cumulative[rows, last_negative]
    after = cumulative[rows, np.minimum(last_negative + 1, horizon)]
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = last_negative + (-before) / (after - before)
    return np.where(
        cumulative[:, -1] < 0, np.nan, np.where(negative.any(axis=1), crossing, 0.0)
    )


def leverage_multiple(gross_total, upfront, maintenance, horizon: int):
    """M = Σ gross_t / (upfront + H · maintenance), NaN where the denominator is 0.

    Returns (M for display, M for the flag): the flag reads an undefined M as
    infinite when Σ gross_t > 0, else 0.

    >>> [m.tolist() for m in leverage_multiple(np.array([800.0, 5, 0]), np.array([100.0, 0, 0]), np.array([0.0, 0, 0]), 12)]
    [[8.0, nan, nan], [8.0, inf, 0.0]]
    """
    cost = np.asarray(upfront, float) + horizon * np.asarray(maintenance, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shown = np.where(cost > 0, gross_total / cost, np.nan)
    effective = np.where(cost > 0, shown, np.where(gross_total > 0, np.inf, 0.0))
    return shown, effective


def risk_flags(quality, multiple, threshold: float) -> np.ndarray:
    """The quality-versus-amplification flag.

    red when quality ≤ 2 and M ≥ A; amber when quality ≤ 2 and 1 ≤ M < A,
    or quality = 3 and M ≥ A; green otherwise.

    >>> risk_flags(np.array([2, 2, 3, 3, 5]), np.array([4.0, 2.0, 3.0, 2.9, 50.0]), 3.0).tolist()
    ['red', 'amber', 'amber', 'green', 'green']
    """
    quality = np.asarray(quality)
    weak = quality <= 2
    red = weak & (multiple >= threshold)
    amber = (weak & (multiple >= 1) & (multiple < threshold)) | ((quality == 3) & (multiple >= threshold))
    return np.where(red, RED, np.where(amber, AMBER, GREEN))


def _times(multiple: float) -> str:
    return "∞×" if np.isinf(multiple) else f"{multiple:.1f}×"


def flag_reason(flag: str, quality: int, multiple: float, threshold: float) -> str:
    """The flag in one line of plain words, with its numbers."""
    m, a = _times(multiple), f"{threshold:g}×"
    if flag == RED:
        return f"quality {quality}/5 amplified {m} — fix the foundation before scaling"
    if flag == AMBER and quality <= 2:
        return f"quality {quality}/5 already amplified {m} — strengthen the foundation before adding leverage"
    if flag == AMBER:
        return f"quality 3/5 amplified {m}, at or over the {a} threshold — prove the foundation before scaling further"
    if quality >= 4:
        return f"quality {quality}/5 — a proven foundation to amplify ({m})"
    if quality == 3:
        return f"quality 3/5 at {m}, under the {a} threshold"
    return f"quality {quality}/5 but only {m} — too little amplification to magnify its flaws"


@dataclass
class Projection:
    """Every initiative's figures, in the plan's row order."""

    horizon: int
    cumulative: np.ndarray  # (n, H+1): cum_0..cum_H
    npv: np.ndarray
    risk_adjusted_npv: np.ndarray
    payback: np.ndarray  # NaN: no payback
    discounted_payback: np.ndarray
    multiple: np.ndarray  # NaN: undefined
    multiple_effective: np.ndarray
    value_at_horizon: np.ndarray
    reach_at_horizon: np.ndarray
    gross_total: np.ndarray
    gross: np.ndarray  # (n, H): gross_1..gross_H
    flags: np.ndarray
    reasons: list[str]
    warnings: list[list[tuple[str, str]]]


def _warnings(plan: Plan, p: Projection) -> list[list[tuple[str, str]]]:
    """Warning codes and sentences per initiative (docs/model.md section 3)."""
    s = plan.settings
    h, cur = s.horizon, s.currency

    def warn(code: str, **fields: object) -> tuple[str, str]:
        return code, CODES[code].sentence(**fields)

    found = []
    for i, item in enumerate(plan.initiatives):
        w = []
        if np.isnan(p.payback[i]):
            w.append(warn("NO_PAYBACK", currency=cur, cumulative=p.cumulative[i, -1], horizon=h))
        if item.maintenance_missing:
            w.append(warn("MAINTENANCE_MISSING"))
        upkeep = h * item.maintenance
        if p.gross_total[i] > 0 and upkeep >= 0.5 * p.gross_total[i]:
            w.append(warn("MAINTENANCE_DRAG", share=upkeep / p.gross_total[i], currency=cur, gross=p.gross_total[i],
                          horizon=h))
        if item.lever_point == "symptom":
            w.append(warn("SYMPTOM_FIX"))
        if item.form == "capital" and item.quality <= 2:
            w.append(warn("CAPITAL_FRAGILITY", quality=item.quality))
        if item.growth > 0 and np.isinf(item.cap) and p.reach_at_horizon[i] > 100 * item.reach:
            w.append(warn("UNCAPPED_GROWTH", growth=item.growth, reach=p.reach_at_horizon[i], horizon=h,
                          times=p.reach_at_horizon[i] / item.reach))
        if item.delay >= h / 2:
            w.append(warn("LONG_DELAY", delay=item.delay, horizon=h))
        found.append(w)
    return found


def project(plan: Plan) -> Projection:
    """Project every valid initiative of a plan at once (ranges at their median)."""
    s = plan.settings
    h = s.horizon
    column = plan.column
    upfront, maintenance, quality = column("upfront"), column("maintenance"), column("quality", int)
    cf, gross, reach = cash_flows(
        upfront, maintenance, column("reach"), column("value"), column("growth"),
        column("cap"), column("delay"), column("decay"), h,
    )
    cumulative = np.cumsum(cf, axis=1)
    npv_ = npv(s.monthly_rate, cf)
    gross_total = gross.sum(axis=1)
    shown, effective = leverage_multiple(gross_total, upfront, maintenance, h)
    flags = risk_flags(quality, effective, s.threshold)
    p = Projection(
        horizon=h,
        cumulative=cumulative,
        npv=npv_,
        risk_adjusted_npv=npv_ * column("confidence"),
        payback=payback(cumulative),
        discounted_payback=payback(np.cumsum(cf * discount_factors(s.monthly_rate, h), axis=1)),
        multiple=shown,
        multiple_effective=effective,
        value_at_horizon=cumulative[:, -1],
        reach_at_horizon=reach[:, -1],
        gross_total=gross_total,
        gross=gross,
        flags=flags,
        reasons=[flag_reason(f, q, m, s.threshold) for f, q, m in zip(flags, quality, effective)],
        warnings=[],
    )
    p.warnings = _warnings(plan, p)
    return p
