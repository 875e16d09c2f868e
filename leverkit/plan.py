"""What a team's workbook says, once validated: initiatives and settings."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from .issues import Issue


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
    start: datetime.date | None = None  # first day of month 1, for tracking actuals; None: not started
    cell: str = ""  # where the row is named on Initiatives: its ID cell, or its Initiative cell without IDs
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)


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
    cells: dict[str, str] = field(default_factory=dict)  # setting field -> the Settings cell it was read from

    @property
    def monthly_rate(self) -> float:
        """r = (1 + annual)^(1/12) − 1 (docs/model.md section 2)."""
        return (1 + self.discount_rate) ** (1 / 12) - 1


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
    actuals: object | None = None  # tracking.Actuals when the workbook has an Actuals sheet

    def column(self, field: str, dtype=float):
        """One field of every valid initiative, as a numpy array in plan order."""
        return field_column(self.initiatives, field, dtype)


def field_column(items, field: str, dtype=float):
    """One field of each of `items` (initiatives), as a numpy array in their order."""
    import numpy as np

    return np.fromiter((getattr(i, field) for i in items), dtype=dtype, count=len(items))
