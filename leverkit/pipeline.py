"""One workbook, from its cells to its outputs: read, rank, build, write, falling back once.

`leverkit report`, the batch's workers and the Excel button all go through
here: `rank_sheets` from cell values with their addresses (a file's, or the
open workbook's) to a ranking; `build` to the bytes of every output, the
HTML summary rendered in a second process meanwhile where that is safe;
`write` to put them in place, each whole or not at all. Writing into the
team's own workbook falls back to the separate ranked workbook, with a
note, whenever losing nothing cannot be guaranteed.
"""
from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InPlaceRefused, StrictFailure, WriteFailed
from .excel import build_workbook
from .files import write_all, written_error
from .inplace import replace_unless_changed, splice
from .plan import Plan, Step
from .processes import meanwhile
from .ranking import Ranking, rank
from .reading import Grid, parse_sheets, read_bytes
from .summary import render

RANKED, HTML, IN_PLACE = "_ranked.xlsx", ".html", "in place"  # the outputs, by suffix of the workbook's stem


@dataclass
class Outputs:
    """One workbook's ranking and the bytes of each output (RANKED, HTML, and IN_PLACE when asked and safe)."""

    ranking: Ranking
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def plan(self) -> Plan:
        return self.ranking.plan


def fell_back(refused: InPlaceRefused) -> str:
    """The note when writing in place was refused: the reason, and what was written instead."""
    return f"{refused}; wrote the separate ranked workbook instead"


def rank_sheets(sheets: dict[str, Grid], source: str, default_team: str, today: datetime.date | None = None,
                step: Step | None = None) -> Ranking:
    """A workbook's sheets, validated and ranked; `step` hears how the long steps advance."""
    return rank(parse_sheets(sheets, source, default_team, today), step)


def rank_bytes(data: bytes, source: str, default_team: str, today: datetime.date | None = None,
               step: Step | None = None) -> Ranking:
    """A workbook file's bytes, checked, read, validated and ranked."""
    return rank(read_bytes(data, source, default_team, today), step)


def workbook_bytes(ranking: Ranking, step: Step | None = None) -> bytes:
    """The ranked workbook's bytes."""
    ranked = io.BytesIO()
    build_workbook(ranking, ranked, step)
    return ranked.getvalue()


def build(ranking: Ranking, data: bytes, in_place: bool = False, parallel: bool = False,
          step: Step | None = None) -> Outputs:
    """Every output's bytes; with `in_place`, also the team's workbook (`data`) with leverkit's sheets added,
    unless that is refused (then a note says why). With `parallel`, the summary is rendered in a second
    process while the workbook is built."""
    outputs = Outputs(ranking)
    with meanwhile(lambda: render(ranking).encode("utf-8"), parallel) as summary:
        outputs.files[RANKED] = workbook_bytes(ranking, step)
        if in_place:
            try:
                outputs.files[IN_PLACE] = splice(data, outputs.files[RANKED], ranking.plan.source)
            except InPlaceRefused as refused:
                outputs.notes.append(fell_back(refused))
        outputs.files[HTML] = summary()
    return outputs


def check_strict(plan: Plan) -> None:
    """With --strict, a workbook with invalid rows fails and nothing is written for it."""
    if plan.invalid_rows:
        listed = "\n".join(f"  {issue}" for issue in plan.issues)
        raise StrictFailure(f"{plan.source}: {plan.invalid_rows} invalid row{'s' if plan.invalid_rows != 1 else ''}; "
                            f"nothing written (--strict):\n{listed}")


def write(files: dict[str, bytes], notes: list[str], source: str, sha256: str | None, ranked: Path, html: Path,
          workbook: Path) -> list[Path]:
    """Put one workbook's outputs (`files`, as `build` made them) in place, the workbook first, each whole or
    not at all; returns what was written.

    With IN_PLACE among the files, `workbook` is replaced unless its bytes
    are no longer those read (their SHA-256 is `sha256`); then the separate
    ranked workbook is written instead, with a note added to `notes`. An OS
    error is one sentence (WriteFailed) naming `source` and the file.
    """
    written = []
    try:
        if IN_PLACE in files:
            try:
                replace_unless_changed(workbook, files[IN_PLACE], sha256 or "")
                written.append(workbook)
            except InPlaceRefused as refused:
                notes.append(fell_back(refused))
                del files[IN_PLACE]
        targets = ([] if IN_PLACE in files else [(ranked, RANKED)]) + [(html, HTML)]
        written += write_all({target: files[suffix] for target, suffix in targets})
    except OSError as exc:
        raise WriteFailed(f"{source}: ranked, but {written_error(exc)}") from None
    return written
