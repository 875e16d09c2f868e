"""The `leverkit` command: parse arguments, make one library call, turn errors into messages and exit codes."""
from __future__ import annotations

import math
import sys
import time
import warnings
from contextlib import ExitStack, nullcontext
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

import click

from . import api
from .errors import LeverkitError
from .issues import one_line


class Amount(click.ParamType):
    """A finite amount of 0 or more: click's FloatRange lets inf and nan through."""

    name = "amount"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or number < 0:
            self.fail(f"{value!r} is not an amount; give a number of 0 or more", param, ctx)
        return number


class Rate(click.ParamType):
    """CODE=VALUE: units of the batch's currency per unit of CODE, above 0."""

    name = "rate"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, float]:
        code, _, number = str(value).partition("=")
        try:
            rate = float(number)
        except ValueError:
            rate = math.nan
        if not code.strip() or not math.isfinite(rate) or rate <= 0:
            self.fail(f"{value!r} is not CODE=VALUE with a rate above 0 (e.g. GBP=1.17)", param, ctx)
        return code.strip().upper(), rate


AMOUNT, RATE = Amount(), Rate()
SHOW_AFTER = 1.0  # seconds: a step that takes longer gets a progress bar with its estimate of the time left


class Steps:
    """Progress bars for a workbook's long steps: each step's bar appears once it has taken SHOW_AFTER seconds,
    so quick steps stay silent, and shows how far it is and click's estimate of the time left."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, label: str, total: int) -> Callable[[int], None]:
        self.close()
        started, done = time.monotonic(), 0

        def advance(units: int) -> None:
            nonlocal done
            done += units
            if self._bar is None and time.monotonic() - started > SHOW_AFTER and done < total:
                self._bar = click.progressbar(length=total, label=label.capitalize(), file=sys.stderr, show_eta=True)
                self._bar.__enter__()
                self._bar.update(done - units)
            if self._bar is not None:
                self._bar.update(units)

        return advance

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
T = TypeVar("T")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="leverkit")
def cli() -> None:
    """Rank leverage initiatives from Excel planning workbooks."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for <name>_ranked.xlsx and <name>.html.")
@click.option("--in-place", is_flag=True,
              help="Write the ranked sheets into the workbook itself (never changing the team's own sheets).")
@click.option("--strict", is_flag=True, help="Treat any invalid row as a failure: write nothing for that workbook, exit 1.")
def report(paths: tuple[Path, ...], out_dir: Path, in_place: bool, strict: bool) -> None:
    """Rank each workbook in PATHS and write its ranked workbook and HTML summary.

    Exit codes: 0 written, 1 a workbook could not be processed (or, with
    --strict, had an invalid row), 2 usage error.
    """
    failed = 0
    lines: list[tuple[str, bool]] = []
    bar = click.progressbar(paths, label="Ranking", file=sys.stderr) if len(paths) > 1 else nullcontext(paths)
    steps = Steps() if len(paths) == 1 else None
    with bar as items:
        for path in items:
            try:
                result = api.report(path, out_dir, in_place=in_place, strict=strict, progress=steps)
            except LeverkitError as error:
                failed += 1
                lines.append((f"error: {one_line(str(error), 2000)}", True))
                continue
            lines += [(f"{path}: {issue}", True) for issue in result.plan.issues]
            lines += [(f"note: {note}", True) for note in result.notes]
            ranked = len(result.plan.initiatives)
            summary = f"{path}: ranked {ranked} initiative{'s' if ranked != 1 else ''}"
            if result.plan.invalid_rows:
                summary += f", {result.plan.invalid_rows} invalid row{'s' if result.plan.invalid_rows != 1 else ''} left out"
            lines.append((f"{summary} -> {', '.join(str(p) for p in result.written)}", False))
    if steps is not None:
        steps.close()
    for line, to_stderr in lines:
        click.echo(line, err=to_stderr)
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def template(path: Path, force: bool) -> None:
    """Write the blank planning workbook teams fill to PATH (.xlsx)."""
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"{path}: the template is an Excel workbook, so its name must end in .xlsx")
    if path.exists() and not force:
        raise click.UsageError(f"{path} exists; choose another name, or pass --force to overwrite it")
    _or_exit(lambda: api.write_template(path))
    click.echo(f"wrote {path}")


@cli.command()
@click.argument("inputs", nargs=-1, required=True, metavar="DIR_OR_GLOB...")
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for every workbook's outputs (mirroring the drive's folders), portfolio.xlsx and index.html.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Workbooks processed in parallel on this machine.  [default: the number of cores]")
@click.option("--in-place", is_flag=True, help="Write the ranked sheets into each workbook (skipping any open in Excel).")
@click.option("--force", is_flag=True, help="Recompute every workbook, even those unchanged since the last run.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run the per-workbook work on this Dask distributed scheduler (needs leverkit[dask]).")
@click.option("--budget", type=AMOUNT, metavar="AMOUNT",
              help="Recommend one company-wide portfolio across every team under this upfront budget.")
@click.option("--capacity", type=AMOUNT, metavar="AMOUNT",
              help="... and under this monthly capacity for maintenance.")
@click.option("--currency", metavar="CODE",
              help="Convert every amount into this currency for the combined ranking and the company-wide choice.")
@click.option("--rate", "rates", multiple=True, type=RATE, metavar="CODE=VALUE",
              help="Units of --currency per unit of CODE (e.g. --currency EUR --rate GBP=1.17); one per other currency.")
def batch(inputs: tuple[str, ...], out_dir: Path, workers: int | None, in_place: bool, force: bool,
          scheduler: str | None, budget: float | None, capacity: float | None, currency: str | None,
          rates: tuple[tuple[str, float], ...]) -> None:
    """Rank every .xlsx and .xlsm below the folders (or globs) given, and write a portfolio view of all of them.

    Exit codes: 0 every workbook found was processed, 1 any failed, 2 usage error.
    """
    with ExitStack() as stack:

        def progress(total: int):
            bar = stack.enter_context(click.progressbar(length=total, label="Ranking", file=sys.stderr))
            return lambda: bar.update(1)

        try:
            report = api.batch(inputs, out_dir, workers=workers, in_place=in_place, force=force,
                               scheduler=scheduler, progress=progress, budget=budget, capacity=capacity,
                               currency=currency, rates=dict(rates))
        except LeverkitError as error:
            stack.close()  # end the progress bar's line first
            click.echo(f"error: {one_line(str(error), 2000)}", err=True)
            sys.exit(1)
    for problem in report.skipped:
        click.echo(f"skipped: {problem.workbook}: {problem.reason}", err=True)
    for problem in report.failed:
        click.echo(f"error: {problem.workbook}: {problem.reason}", err=True)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    processed = len(report.processed)
    click.echo(
        f"{processed} workbook{'s' if processed != 1 else ''} processed ({report.unchanged} unchanged), "
        f"{len(report.skipped)} skipped, {len(report.failed)} failed; {report.initiatives} initiatives ranked "
        f"in {report.seconds:.1f} s -> {report.out_dir / 'index.html'}"
    )
    sys.exit(1 if report.failed else 0)


@cli.group()
def xl() -> None:
    """The Excel button: macro workbooks that rank themselves through xlwings."""


@xl.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--interpreter", metavar="PYTHON",
              help="The Python that has leverkit installed, written to the workbook's xlwings.conf sheet.")
@click.option("--force", is_flag=True, help="Overwrite PATH and its .py module if they exist.")
def xl_init(path: Path, interpreter: str | None, force: bool) -> None:
    """Write PATH.xlsm with a "Rank initiatives" button, and PATH.py, the module the button runs."""
    if path.suffix.lower() != ".xlsm":
        raise click.UsageError(f"{path}: a macro workbook must end in .xlsm")
    if not path.stem.isidentifier():
        raise click.UsageError(
            f"{path}: the button imports a Python module named after the workbook, so the name must be "
            f"letters, digits and underscores, not starting with a digit (for example team_plan.xlsm)"
        )
    for target in (path, path.with_suffix(".py")):
        if target.exists() and not force:
            raise click.UsageError(f"{target} exists; choose another name, or pass --force to overwrite it")
    workbook, module = _or_exit(lambda: api.write_macro_workbook(path, interpreter))
    click.echo(f"wrote {workbook} and {module}")


def _or_exit(call: Callable[[], T]) -> T:
    """The call's result; a LeverkitError becomes its one sentence on stderr and exit code 1."""
    try:
        return call()
    except LeverkitError as error:
        click.echo(f"error: {one_line(str(error), 2000)}", err=True)
        sys.exit(1)


def main() -> None:
    warnings.simplefilter("ignore")  # people read leverkit's own sentences, never a library's warnings
    cli(prog_name="leverkit")
