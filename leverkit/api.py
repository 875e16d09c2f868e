"""The library calls the command line is made of: one call per step."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .issues import LeverkitError


@dataclass
class Report:
    """What `report` did for one workbook."""

    source: Path
    plan: object
    ranking: object
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def load(path):
    """Read and validate a team workbook into a Plan (raises LeverkitError if it cannot)."""
    from .reading import read_workbook

    return read_workbook(path)


def rank(plan):
    """Project and rank a Plan."""
    from .ranking import rank as rank_plan

    return rank_plan(plan)


def write_excel(ranking, path) -> Path:
    """Write the ranked workbook (Ranked, Projection, Portfolio, Issues) to `path`."""
    from .excel import write_ranked_workbook

    return write_ranked_workbook(ranking, path)


def write_in_place(ranking, path) -> Path:
    """Add the ranked sheets to the team's own workbook, losing nothing.

    Raises `InPlaceRefused` (a LeverkitError) before touching the file when
    that cannot be guaranteed, or when the file is no longer the one ranked.
    """
    from .inplace import write_in_place as splice

    return splice(ranking, path)


def _draft_summary(ranking, draft: Path) -> None:
    """Render the summary into `draft`, the temporary file that becomes the page once the workbook is written;
    the charting libraries load only where it is drawn."""
    from .summary import render

    draft.write_text(render(ranking), encoding="utf-8")


def write_html(ranking, path) -> Path:
    """Write the self-contained HTML summary to `path`."""
    from .summary import write_summary

    return write_summary(ranking, path)


def write_template(path, rows=None, settings=None) -> Path:
    """Write the planning template teams fill (or one filled with `rows`) to an .xlsx path."""
    from .schema import EXAMPLE_ROWS
    from .template import write_template as write

    if Path(path).suffix.lower() != ".xlsx":
        raise LeverkitError(f"{path}: the template is an Excel workbook, so its name must end in .xlsx")
    return write(path, EXAMPLE_ROWS if rows is None else rows, settings)


def write_macro_workbook(path, interpreter=None):
    """Write a macro workbook with the "Rank initiatives" button, and the module it runs."""
    from .template import write_macro_workbook as write

    return write(path, interpreter)


def batch(inputs, out_dir="reports", **options):
    """Rank every workbook below `inputs` (folders or globs) and write the portfolio view; see `run_batch`."""
    from .drive import run_batch

    return run_batch(list(inputs), out_dir, **options)


def report(path, out_dir="reports", *, in_place: bool = False, strict: bool = False, parallel: bool = True) -> Report:
    """Load, rank and write one workbook's outputs.

    Writes ``<out_dir>/<stem>.html`` and ``<out_dir>/<stem>_ranked.xlsx``, or
    with ``in_place`` the ranked sheets into the workbook itself; if in-place
    writing is refused, the separate ranked workbook is written instead and
    the reason is in ``notes``. With ``strict``, any invalid row raises
    LeverkitError and nothing is written. With ``parallel`` (the default) the
    summary is rendered in a second process while the workbook is written,
    where that is safe (see `processes.meanwhile`); either way it takes its
    name only once the workbook is written, so the files are the same.
    """
    from .files import atomic_path
    from .processes import meanwhile
    from .reading import read_bytes, read_file

    path, out_dir = Path(path), Path(out_dir)
    data = read_file(path)  # read once: the ranking and an in-place write both use these bytes
    plan = read_bytes(data, str(path), path.stem)
    if strict and plan.invalid_rows:
        listed = "\n".join(f"  {issue}" for issue in plan.issues)
        raise LeverkitError(
            f"{path}: {plan.invalid_rows} invalid row{'s' if plan.invalid_rows != 1 else ''}; "
            f"nothing written (--strict):\n{listed}"
        )
    ranking = rank(plan)
    result = Report(path, plan, ranking)
    html = out_dir / f"{path.stem}.html"
    try:
        with atomic_path(html) as draft:  # in place only once the workbook is written
            with meanwhile(lambda: _draft_summary(ranking, draft), parallel) as drafted:
                if in_place:
                    from .inplace import InPlaceRefused
                    from .inplace import write_in_place as splice

                    try:
                        result.written.append(splice(ranking, path, data))
                    except InPlaceRefused as refused:
                        result.notes.append(f"{refused}; wrote the separate ranked workbook instead")
                        in_place = False
                if not in_place:
                    result.written.append(write_excel(ranking, out_dir / f"{path.stem}_ranked.xlsx"))
                try:
                    drafted()
                except LeverkitError as exc:
                    raise LeverkitError(f"{path}: ranked, but the summary could not be made: {exc}") from exc.__cause__
        result.written.append(html)
    except OSError as exc:
        from .files import written_error

        raise LeverkitError(f"{path}: ranked, but {written_error(exc)}") from None
    return result
