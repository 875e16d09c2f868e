"""What a batch run did: each workbook's outcome, the problems met, and the run's report.

The drive (`drive`) makes these and the portfolio view (`portfolio`) reads them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Problem:
    """A workbook that was skipped or failed, and why."""

    workbook: str
    reason: str


@dataclass
class Outcome:
    """What ranking one workbook yields: files to write and a summary for the portfolio (or an error)."""

    name: str
    sha256: str
    error: str | None = None
    summary: dict = field(default_factory=dict)
    issues: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class BatchReport:
    out_dir: Path
    processed: list[Outcome] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def initiatives(self) -> int:
        return sum(len(o.summary["ranked"]) for o in self.processed)
