"""Actuals against the plan (docs/model.md section 7).

A team records what each initiative really earned and spent, month by month,
on an optional Actuals sheet. `read_actuals` validates those rows the way
Initiatives rows are validated (a bad cell is an `Issue`, the other rows
still count); `track` compares them with the projection, re-forecasts the
NPV from what happened, and measures how far each owner's estimates ran
high or low. Only the cell reading loops per row; the figures are whole-array
numpy over the tracked initiatives.
"""
from __future__ import annotations

import dataclasses
import datetime
import functools
import math
from dataclasses import dataclass, field

import numpy as np

from .issues import Issue, LeverkitError, show
from .model import Projection, discount_factors
from .plan import Initiative, Plan
from .reading import (
    HEADER_SEARCH_ROWS, CellError, Grid, cell_problem, column_twice, columns_missing, find_header, is_blank,
    read_bounded, read_month,
)
from .schema import header_key

# header, how the cell is named in messages
ACTUALS_COLUMNS = (("ID", "ID"), ("Month", "month"), ("Gross value", "gross value"), ("Spend", "spend"))

# (header, kind) of the Tracking sheet's rows; kinds as in tables.py, plus "month" (a date shown as its month)
TRACKING_COLUMNS = (
    ("ID", "text"),
    ("Initiative", "text"),
    ("Owner", "text"),
    ("Start", "month"),
    ("Months elapsed", "int"),
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

BEHIND_PLAN_MONTHS = 3  # months elapsed before realisation is judged, and before it counts for calibration
BEHIND_PLAN_BELOW = 0.8
OVER_SPEND_ABOVE = 1.2
CALIBRATION_MINIMUM = 2


@dataclass(frozen=True)
class Actuals:
    """The valid Actuals rows, one entry per row: which initiative, which month, what happened."""

    initiative: np.ndarray  # index into the plan's initiatives
    month: np.ndarray  # t: 1 is the Start month
    gross: np.ndarray  # Gross value that month
    spend: np.ndarray  # Spend that month

    @classmethod
    def empty(cls) -> Actuals:
        return cls(np.zeros(0, int), np.zeros(0, int), np.zeros(0), np.zeros(0))

    def __len__(self) -> int:
        return len(self.initiative)


def month_index(start: datetime.date, month: datetime.date) -> int:
    """t = months from Start's month to Month's month, plus 1; the days are ignored.

    >>> month_index(datetime.date(2024, 11, 1), datetime.date(2025, 2, 27))
    4
    """
    return (month.year - start.year) * 12 + month.month - start.month + 1


def _map_columns(grid: Grid, r: int, where: str) -> list[int]:
    """The column of each of ACTUALS_COLUMNS; other columns are the team's and are ignored."""
    wanted = {header.casefold(): header for header, _ in ACTUALS_COLUMNS}
    found: dict[str, int] = {}
    for c, value in enumerate(grid.rows[r]):
        header = wanted.get(header_key(value)) if not is_blank(value) else None
        if header in found:
            raise column_twice(where, grid, r, c, found[header], header)
        if header is not None:
            found[header] = c
    missing = [header for header, _ in ACTUALS_COLUMNS if header not in found]
    if missing:
        raise columns_missing(where, grid, r, missing)
    return [found[header] for header, _ in ACTUALS_COLUMNS]


def _id_text(value: object, name: str) -> str:
    """IDs match as text after trimming; a number ID by its text form (7.0 is `7`)."""
    return show(value).strip()


_amount = functools.partial(read_bounded, "money")  # 0 or more, as money is on Initiatives
_READERS = (_id_text, read_month, _amount, _amount)  # in ACTUALS_COLUMNS order


def _read_cell(k: int, value: object) -> tuple[object, CellError | None]:
    """A cell of column k of ACTUALS_COLUMNS as (value read, None), or (None, what is wrong)."""
    name = ACTUALS_COLUMNS[k][1]
    bad = cell_problem(value, name)
    if bad is None and is_blank(value):
        bad = CellError("required", f"{name} is required")
    if bad is None:
        try:
            return _READERS[k](value, name), None
        except CellError as error:
            bad = error
    return None, bad


def _about(issue: Issue, initiatives: list[Initiative], item: int | None) -> Issue:
    """The issue with the ID and name of the initiative its row is about, when the ID matched one."""
    if item is None:
        return issue
    return dataclasses.replace(issue, id=initiatives[item].id, name=initiatives[item].name)


def read_actuals(
    grid: Grid | None, initiatives: list[Initiative], horizon: int, *, source: str = ""
) -> tuple[Actuals, list[Issue]]:
    """The Actuals sheet's valid rows, and an Issue for every cell at fault.

    A row's month index is t = (Month's month − Start's month) + 1, valid for
    1 ≤ t ≤ H. A row is left out when its ID is not a valid initiative's or
    that initiative has no Start (the ID cell), t is outside 1..H (the Month
    cell), a cell breaks its kind, or another row with a valid ID and Month
    names the same initiative and month (the Month cell of each such row).
    No sheet, or an empty one, means no actuals; a sheet without the ID,
    Month, Gross value and Spend headers raises LeverkitError (`source`
    names the file in that message).

    >>> item = Initiative(7, "A", "Reports", "", "code", "parameter", 100.0, 10.0, False, 5.0, 10.0,
    ...                   0.0, math.inf, 0, 0.0, 4, 1.0, "", start=datetime.date(2025, 1, 1))
    >>> grid = Grid("Actuals", [["ID", "Month", "Gross value", "Spend"], ["A", "2025-02", 45, 10],
    ...                         ["B", "2025-02", 45, 10], ["A", "2025-03", -5, 10]])
    >>> actuals, issues = read_actuals(grid, [item], horizon=12)
    >>> actuals.month.tolist(), actuals.gross.tolist()
    ([2], [45.0])
    >>> for issue in issues:
    ...     print(issue)
    Actuals!A3: ID 'B' is not the ID of a valid initiative on the Initiatives sheet
    Actuals!C4: gross value -5 is negative; enter 0 or more
    """
    if grid is None or all(is_blank(v) for row in grid.rows for v in row):
        return Actuals.empty(), []
    where = f"{source}: " if source else ""
    header = find_header(grid, "id", "month")
    if header is None:
        raise LeverkitError(
            f"{where}{grid.name} sheet has no header row with 'ID' and 'Month' columns "
            f"in its first {HEADER_SEARCH_ROWS} rows"
        )
    columns = _map_columns(grid, header, where)
    by_id = {item.id: i for i, item in enumerate(initiatives)}

    rows: list[tuple] = []  # grid row, initiative, t, month, gross, spend
    problems: dict[int, list[Issue]] = {}  # grid row -> its issues
    dated: dict[tuple[int, int], list[int]] = {}  # (initiative, t) -> positions in rows, for duplicates
    seen: tuple[dict, dict] = ({}, {})  # (type, value) -> what _read_cell made of it, for IDs and months

    for r in range(header + 1, len(grid.rows)):
        row = grid.rows[r]
        values = [row[c] if c < len(row) else None for c in columns]
        if all(is_blank(v) for v in values):
            continue
        found: list[Issue] = []

        def issue(k: int, code: str, message: str) -> None:
            shown = "" if values[k] is None else show(values[k])
            found.append(Issue(code, grid.name, grid.address(r, columns[k]), ACTUALS_COLUMNS[k][0], shown, message))

        cells: list = [None] * len(columns)
        for k, value in enumerate(values):
            if k >= 2 and type(value) in (float, int) and 0 <= value < math.inf:
                cells[k] = float(value)  # the usual amount: a finite number ≥ 0 needs no further rule
                continue
            if k < 2:  # IDs and months repeat row after row: read each distinct one once
                key = (type(value), value)
                cells[k], bad = seen[k].get(key) or seen[k].setdefault(key, _read_cell(k, value))
            else:
                cells[k], bad = _read_cell(k, value)
            if bad is not None:
                issue(k, bad.code, str(bad))
        text, when = cells[0], cells[1]
        item = index = t = None
        if text is not None:
            item = by_id.get(text)
            if item is None:
                issue(0, "unknown-id", f"ID {text!r} is not the ID of a valid initiative on the Initiatives sheet")
            elif initiatives[item].start is None:
                issue(0, "no-start", f"initiative {text!r} has actuals but no Start; enter the month it started "
                                     f"in its Start cell on the Initiatives sheet")
            else:
                index = item
        if index is not None and when is not None:
            start = initiatives[index].start
            t = month_index(start, when)
            if not 1 <= t <= horizon:
                side = "before its Start" if t < 1 else f"beyond the {horizon}-month horizon"
                issue(1, "outside-horizon", f"month {when:%Y-%m} is month {t} of initiative {text!r} "
                                            f"(Start {start:%Y-%m}), {side}")
                t = None
        if t is not None:
            dated.setdefault((index, t), []).append(len(rows))
        if found:
            problems[r] = [_about(i, initiatives, item) for i in found]
        rows.append((r, index, t, when, cells[2], cells[3]))

    for (index, t), positions in dated.items():
        if len(positions) > 1:
            first, when = rows[positions[0]][0], rows[positions[0]][3]
            message = (f"initiative {initiatives[index].id!r} has {len(positions)} rows for {when:%Y-%m} (its month {t}; "
                       f"first at {grid.address(first, columns[1])}); all of them are left out, so keep one")
            for p in positions:
                r = rows[p][0]
                problems.setdefault(r, []).append(_about(Issue(
                    "duplicate-month", grid.name, grid.address(r, columns[1]), "Month",
                    show(grid.rows[r][columns[1]]), message,
                ), initiatives, index))

    valid = [row for row in rows if row[0] not in problems]
    actuals = Actuals(
        np.fromiter((v[1] for v in valid), int, len(valid)),
        np.fromiter((v[2] for v in valid), int, len(valid)),
        np.fromiter((v[4] for v in valid), float, len(valid)),
        np.fromiter((v[5] for v in valid), float, len(valid)),
    )
    return actuals, [i for r in sorted(problems) for i in problems[r]]


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
    elapsed = months_elapsed(observed)
    upfront_paid = np.where(observed[:, 0], np.minimum(spend_actual[:, 0], upfront), upfront)
    actual = np.asarray(gross_actual, float) - spend_actual
    actual[:, 0] += np.where(observed[:, 0], upfront_paid, 0.0)
    rho = np.where(np.isnan(realisation), 1.0, realisation)[:, None]
    past = np.arange(1, horizon + 1)[None, :] <= elapsed[:, None]
    x = np.empty((gross.shape[0], horizon + 1))
    x[:, 0] = -upfront_paid
    x[:, 1:] = np.where(observed, actual, np.where(past, gross - maintenance, rho * gross - maintenance))
    return x


def months_elapsed(observed: np.ndarray) -> np.ndarray:
    """T = the last month with actuals (0 where there are none), per row of an (k, H) mask.

    >>> months_elapsed(np.array([[True, False, True, False], [False] * 4])).tolist()
    [3, 0]
    """
    horizon = observed.shape[1]
    return np.where(observed.any(axis=1), horizon - np.argmax(observed[:, ::-1], axis=1), 0)


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
    months_elapsed: np.ndarray  # T
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

    def rows(self, plan: Plan) -> dict[int, list]:
        """Initiative index -> its Tracking sheet row under TRACKING_COLUMNS (blanks are None)."""
        figures = zip(
            self.index.tolist(), self.months_elapsed.tolist(), self.projected_gross.tolist(),
            self.actual_gross.tolist(), self.realisation.tolist(), self.projected_spend.tolist(),
            self.actual_spend.tolist(), self.spend_ratio.tolist(), self.projected_cash.tolist(),
            self.actual_cash.tolist(), self.npv_plan.tolist(), self.npv_reforecast.tolist(),
        )
        rows = {}
        for i, elapsed, G, g, rho, S, s, sigma, planned, actual, npv_plan, npv_new in figures:
            item = plan.initiatives[i]
            rows[i] = [item.id, item.name, item.owner or None, item.start, elapsed, G, g, _blank(rho), S, s,
                       _blank(sigma), planned, actual, npv_plan, npv_new]
        return rows


def _warnings(tracking: Tracking, currency: str) -> list[list[tuple[str, str]]]:
    found = []
    for j in range(len(tracking)):
        w = []
        T, rho, sigma = tracking.months_elapsed[j], tracking.realisation[j], tracking.spend_ratio[j]
        months = int(tracking.observed[j].sum())
        if T >= BEHIND_PLAN_MONTHS and rho < BEHIND_PLAN_BELOW:
            w.append(("BEHIND_PLAN", f"realised {rho:.0%} of the {currency} {tracking.projected_gross[j]:,.0f} gross value "
                                     f"projected for its {months} months with actuals, to month {T}"))
        if sigma > OVER_SPEND_ABOVE:
            w.append(("OVER_SPEND", f"spent {currency} {tracking.actual_spend[j]:,.0f}, {sigma:.0%} of the "
                                    f"{currency} {tracking.projected_spend[j]:,.0f} projected (upfront and "
                                    f"{months} months of maintenance)"))
        found.append(w)
    return found


def calibrate(owners, months_elapsed, realisation) -> list[Calibration]:
    """Median ρ per owner over initiatives with T ≥ 3 and a ρ; owners with fewer than 2 are left out.

    One entry per tracked initiative (one team's, or a whole drive's). Owners
    group case-insensitively (shown as first spelled); a blank owner is no
    one's track record, so it is left out.

    >>> [c.sentence for c in calibrate(["Ana", "ana", "Bo"], [4, 6, 5], [0.6, 0.7, 0.9])]
    ["Ana's estimates ran 35% high over 2 initiatives"]
    """
    groups: dict[str, tuple[str, list[float]]] = {}
    for owner, elapsed, rho in zip(owners, months_elapsed, realisation):
        if owner and elapsed >= BEHIND_PLAN_MONTHS and rho is not None and not math.isnan(rho):
            groups.setdefault(owner.casefold(), (owner, []))[1].append(rho)
    found = []
    for key in sorted(groups):
        owner, values = groups[key]
        if len(values) >= CALIBRATION_MINIMUM:
            median = float(np.median(values))
            found.append(Calibration(owner, len(values), median, in_words(median)))
    return found


def _calibration(plan: Plan, tracking: Tracking) -> list[Calibration]:
    owners = [plan.initiatives[i].owner for i in tracking.index.tolist()]
    return calibrate(owners, tracking.months_elapsed.tolist(), tracking.realisation.tolist())


def track(plan: Plan, projection: Projection, actuals: Actuals) -> Tracking:
    """Each tracked initiative (a Start and at least one valid Actuals row) against its projection.

    With M the months with a row and T = max M::

        G = Σ_{t∈M} gross_t      g = Σ_{t∈M} Gross value_t      ρ = g / G  (blank when G = 0)
        S = upfront + |M| · maintenance      s = Σ_{t∈M} Spend_t      σ = s / S  (blank when S = 0)
        Re-forecast NPV = Σ_{t=0..H} x_t / (1 + r)^t   (x_t: `reforecast_cash_flows`)

    plus warnings BEHIND_PLAN (T ≥ 3 and ρ < 0.8) and OVER_SPEND (σ > 1.2),
    and the calibration per owner.

    >>> from leverkit.reading import parse_sheets
    >>> from leverkit.model import project
    >>> head = ["ID", "Initiative", "Leverage form", "Upfront cost", "Maintenance / month", "Reach / month",
    ...         "Value per reach", "Quality (1-5)", "Start"]
    >>> plan = parse_sheets({"Initiatives": Grid("Initiatives", [head, ["A", "Reports", "code", 100, 10, 5, 10, 4, "2025-01"]])},
    ...                     "doc.xlsx", "doc")
    >>> actuals, _ = read_actuals(Grid("Actuals", [["ID", "Month", "Gross value", "Spend"], ["A", "2025-01", 40, 110],
    ...                                            ["A", "2025-02", 30, 10]]), plan.initiatives, plan.settings.horizon)
    >>> t = track(plan, project(plan), actuals)
    >>> t.months_elapsed.tolist(), t.realisation.tolist(), t.spend_ratio.tolist(), t.cumulative[0, :4].tolist()
    ([2], [0.7], [1.0], [-100.0, -70.0, -50.0, nan])
    """
    initiatives = plan.initiatives
    horizon, rate = plan.settings.horizon, plan.settings.monthly_rate
    started = np.fromiter((item.start is not None for item in initiatives), bool, len(initiatives))
    mine = started[actuals.initiative]
    index, row = np.unique(actuals.initiative[mine], return_inverse=True)
    k, size = len(index), len(index) * horizon
    cells = row * horizon + actuals.month[mine] - 1
    observed = (np.bincount(cells, minlength=size) > 0).reshape(k, horizon)
    gross_actual = np.bincount(cells, actuals.gross[mine], size).astype(float).reshape(k, horizon)
    spend_actual = np.bincount(cells, actuals.spend[mine], size).astype(float).reshape(k, horizon)

    upfront = np.fromiter((initiatives[i].upfront for i in index.tolist()), float, k)
    maintenance = np.fromiter((initiatives[i].maintenance for i in index.tolist()), float, k)
    gross = projection.gross[index]
    G = (gross * observed).sum(axis=1)
    g = gross_actual.sum(axis=1)
    S = upfront + observed.sum(axis=1) * maintenance
    s = spend_actual.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = np.where(G > 0, g / G, np.nan)
        sigma = np.where(S > 0, s / S, np.nan)
    elapsed = months_elapsed(observed)
    x = reforecast_cash_flows(upfront, maintenance, gross, observed, gross_actual, spend_actual, rho)
    cumulative = np.where(np.arange(horizon + 1)[None, :] <= elapsed[:, None], np.cumsum(x, axis=1), np.nan)

    tracking = Tracking(
        index=index, months_elapsed=elapsed, projected_gross=G, actual_gross=g, realisation=rho,
        projected_spend=S, actual_spend=s, spend_ratio=sigma, npv_plan=projection.npv[index],
        npv_reforecast=x @ discount_factors(rate, horizon), observed=observed, cumulative=cumulative, warnings=[],
    )
    tracking.warnings = _warnings(tracking, plan.settings.currency)
    tracking.calibration = _calibration(plan, tracking)
    return tracking
