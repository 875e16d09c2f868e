"""The library calls the command line is made of: one call per step.

Each call imports the parts of leverkit it runs when it runs: measured with
`python -X importtime -c "import leverkit"`, importing them all here takes
`import leverkit` (and so `leverkit --help` and `leverkit template`) from
about 25 ms to about 330 ms, most of it numpy's, which neither needs.
"""
from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InPlaceRefused, NotAWorkbook, WriteFailed
from .files import write_all, written_error
from .schema import EXAMPLE_ROWS

if TYPE_CHECKING:
    from .drive import BatchReport
    from .plan import Plan, Step
    from .ranking import Ranking

PathLike = str | Path


@dataclass
class Report:
    """What `report` did for one workbook."""

    source: Path
    plan: Plan
    ranking: Ranking
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load(path: PathLike, today: datetime.date | None = None) -> Plan:
    """Read and validate a team workbook into a Plan (raises LeverkitError if it cannot).

    `today` stands in for the current date where the workbook sets no As of.
    """
    from .reading import read_workbook

    return read_workbook(path, today)


def rank(plan: Plan) -> Ranking:
    """Project, choose, simulate and rank a Plan."""
    from .ranking import rank as rank_plan

    return rank_plan(plan)


def to_dataframe(ranking: Ranking) -> Any:
    """The Ranked sheet as a pandas DataFrame, for notebooks."""
    import pandas as pd

    from .tables import ranked_rows

    headers, rows = ranked_rows(ranking)
    return pd.DataFrame(rows, columns=headers)


@contextmanager
def _writing() -> Iterator[None]:
    """An OS error while writing (a full disk, a read-only folder) as one sentence naming the file."""
    try:
        yield
    except OSError as exc:
        raise WriteFailed(written_error(exc)) from None


def write_excel(ranking: Ranking, path: PathLike) -> Path:
    """Write the ranked workbook (Decision, Ranked, Projection, Portfolio, ..., Issues) to `path`, whole or not at all."""
    from .pipeline import workbook_bytes

    data = workbook_bytes(ranking)
    with _writing():
        return write_all({Path(path): data})[0]


def write_html(ranking: Ranking, path: PathLike) -> Path:
    """Write the self-contained HTML summary to `path`, whole or not at all."""
    from .summary import render

    page = render(ranking).encode("utf-8")
    with _writing():
        return write_all({Path(path): page})[0]


def write_in_place(ranking: Ranking, path: PathLike) -> Path:
    """Add the ranked sheets to the team's own workbook at `path`, losing nothing.

    Raises `InPlaceRefused` before touching the file when that cannot be
    guaranteed, when the workbook is open in Excel, or when the file is no
    longer the one ranked.
    """
    from .inplace import refuse_if_open, replace_unless_changed, splice
    from .pipeline import workbook_bytes
    from .reading import read_file

    path = Path(path)
    refuse_if_open(path)
    data = read_file(path)
    digest = hashlib.sha256(data).hexdigest()
    if ranking.plan.sha256 not in (None, digest):
        raise InPlaceRefused(f"{path}: was saved by someone else after leverkit read it; run again")
    spliced = splice(data, workbook_bytes(ranking), path)
    with _writing():
        replace_unless_changed(path, spliced, digest)
    return path


def write_template(path: PathLike, rows: list[dict[str, Any]] | None = None,
                   settings: dict[str, Any] | None = None, actuals: list[tuple] | tuple = ()) -> Path:
    """Write the planning template teams fill (or one filled with `rows`, `settings` and Actuals rows
    (ID, month, gross value, spend)) to an .xlsx path."""
    from .template import write_template as _write_template

    if Path(path).suffix.lower() != ".xlsx":
        raise NotAWorkbook(f"{path}: the template is an Excel workbook, so its name must end in .xlsx")
    with _writing():
        return _write_template(path, list(EXAMPLE_ROWS) if rows is None else rows, settings, actuals)


def write_macro_workbook(path: PathLike, interpreter: str | None = None) -> tuple[Path, Path]:
    """Write a macro workbook with the "Rank initiatives" button, and the module it runs."""
    from .template import write_macro_workbook as _write_macro_workbook

    with _writing():
        return _write_macro_workbook(path, interpreter)


def batch(inputs: list[str] | tuple[str, ...], out_dir: PathLike = "reports", **options: Any) -> BatchReport:
    """Rank every workbook below `inputs` (folders or globs) and write the portfolio view; see `drive.run_batch`."""
    from .drive import run_batch

    return run_batch(list(inputs), out_dir, **options)


def report(path: PathLike, out_dir: PathLike = "reports", *, in_place: bool = False, strict: bool = False,
           parallel: bool = True, today: datetime.date | None = None, progress: Step | None = None) -> Report:
    """Load, rank and write one workbook's outputs.

    Writes ``<out_dir>/<stem>.html`` and ``<out_dir>/<stem>_ranked.xlsx``, or
    with ``in_place`` the ranked sheets into the workbook itself; if in-place
    writing is refused, the separate ranked workbook is written instead and
    the reason is in ``notes``. With ``strict``, any invalid row raises
    StrictFailure and nothing is written. With ``parallel`` (the default) the
    summary is rendered in a second process while the workbook is built,
    where that is safe (see `processes.meanwhile`); the files are the same
    either way. `progress(what, units)` is called as each long step starts
    and returns a function that is called with each further number of units
    done (for a progress bar).
    """
    from . import pipeline
    from .inplace import refuse_if_open
    from .reading import read_file

    path, out_dir = Path(path), Path(out_dir)
    notes = []
    if in_place:
        try:
            refuse_if_open(path)
        except InPlaceRefused as refused:
            notes.append(pipeline.fell_back(refused))
            in_place = False
    data = read_file(path)  # read once: the ranking and an in-place write both use these bytes
    ranking = pipeline.rank_bytes(data, str(path), path.stem, today, progress)
    if strict:
        pipeline.check_strict(ranking.plan)
    outputs = pipeline.build(ranking, data, in_place, parallel, progress)
    notes += outputs.notes
    written = pipeline.write(outputs.files, notes, str(path), ranking.plan.sha256,
                             out_dir / f"{path.stem}{pipeline.RANKED}", out_dir / f"{path.stem}{pipeline.HTML}", path)
    return Report(path, ranking.plan, ranking, written, notes)
