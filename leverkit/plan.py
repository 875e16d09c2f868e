"""What a team's workbook says, once validated: initiatives, settings and actuals."""
from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .issues import Issue


Step = Callable[[str, int], Callable[[int], None]]  # a long step's (what, units of work) -> advance by so many units


def quiet(label: str, total: int) -> Callable[[int], None]:
    """A step nobody watches."""
    return lambda done: None


def this_month() -> datetime.date:
    """The first day of the current month: As of when the workbook does not say."""
    return datetime.date.today().replace(day=1)


@dataclass
class Initiative:
    """One valid row of the Initiatives sheet; ranged inputs hold their median."""

    row: int
    id: str
    name: str
    owner: str
    form: str
    lever_point: str
    upfront: float
    maintenance: float
    maintenance_missing: bool
    reach: float
    value: float
    growth: float
    cap: float  # math.inf when the team set no cap
    delay: int
    decay: float
    quality: int
    confidence: float
    notes: str
    decision: str = ""  # "fund", "skip", or "" (leverkit decides)
    start: datetime.date | None = None  # first day of month 1; None: not started
    cell: str = ""  # where the row is named on Initiatives: its ID cell, or its Initiative cell without IDs
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    requires: tuple[str, ...] = ()  # IDs that must be in the portfolio for this one to be
    group: str = ""  # alternative group, as typed; "" for none


@dataclass
class Settings:
    team: str
    currency: str = "USD"
    horizon: int = 36
    discount_rate: float = 0.10
    threshold: float = 3.0
    rank_by: str = "risk-adjusted NPV"
    budget: float | None = None
    capacity: float | None = None
    draws: int = 2000
    seed: int = 42
    as_of: datetime.date = field(default_factory=this_month)  # first day of the month the plan is decided in
    fiscal_start: int = 1  # the calendar month a fiscal year starts in
    cells: dict[str, str] = field(default_factory=dict)  # setting field -> the Settings cell it was read from

    @property
    def monthly_rate(self) -> float:
        """r = (1 + annual)^(1/12) − 1 (docs/model.md section 2)."""
        return float((1 + self.discount_rate) ** (1 / 12) - 1)


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


@dataclass
class Plan:
    """A workbook read and validated: what can be ranked, and what could not."""

    source: str
    settings: Settings
    initiatives: list[Initiative]
    issues: list[Issue]
    extra_headers: list[str] = field(default_factory=list)
    invalid_rows: int = 0
    sha256: str | None = None  # of the file's bytes it was read from; None for an open workbook
    actuals: Actuals | None = None  # None when the workbook has no Actuals sheet

    def column(self, name: str, dtype: Any = float) -> np.ndarray:
        """One field of every valid initiative, as a numpy array in plan order."""
        return field_column(self.initiatives, name, dtype)


def field_column(items: list[Initiative] | tuple[Initiative, ...], name: str, dtype: Any = float) -> np.ndarray:
    """One field of each of `items` (initiatives), as a numpy array in their order."""
    return np.fromiter((getattr(i, name) for i in items), dtype=dtype, count=len(items))


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Calendar months from `earlier`'s month to `later`'s (days ignored).

    >>> months_between(datetime.date(2024, 11, 1), datetime.date(2025, 2, 27))
    3
    """
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after `month`'s.

    >>> add_months(datetime.date(2025, 11, 1), 3), add_months(datetime.date(2025, 1, 9), -1)
    (datetime.date(2026, 2, 1), datetime.date(2024, 12, 1))
    """
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)
