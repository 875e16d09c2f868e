"""The library calls the command line is made of: one call per step."""
from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager, suppress
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


def _summary_page(ranking) -> str:
    from .summary import render

    return render(ranking)


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


def _two_cpus() -> bool:
    """Whether a second process may be forked to share the work: on Linux (macOS's system libraries are not
    safe across fork, Windows has none), with a second CPU to run it, and only from a program with no other
    Python thread (a lock another thread held at the fork would stay held in the child for ever)."""
    import threading

    return (sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1
            and threading.active_count() == 1)


class _ChildTraceback(Exception):
    """Where the second process failed: the traceback it printed, attached as the cause of what it raised."""


def _fork(compute):
    """(pid, read end of a pipe) of a forked child that sends back the pickled outcome of `compute()`,
    or None when no process can be started."""
    import pickle

    for stream in (sys.stdout, sys.stderr):  # or the child would hold a copy of what is not yet written
        with suppress(AttributeError, OSError, ValueError):
            stream.flush()
    try:
        receive, send = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(receive)
        os.close(send)
        return None
    if pid:
        os.close(send)
        return pid, receive
    try:  # the child: compute, send (True, result) or (False, exception, traceback), leave without cleanup
        os.close(receive)
        try:
            outcome = (True, compute())
        except BaseException as exc:
            import traceback

            outcome = (False, exc, traceback.format_exc())
            try:
                pickle.loads(pickle.dumps(outcome))  # some exceptions pickle but cannot be rebuilt
            except Exception:
                outcome = (False, LeverkitError(str(exc)), outcome[2])
        with os.fdopen(send, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
    finally:
        os._exit(0)


def _reap(pid: int) -> int | None:
    """Wait for the child; its exit code, or None if something else already collected it."""
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None


@contextmanager
def meanwhile(compute, parallel: bool = True):
    """Compute `compute()` in a second process while the body of the `with` runs here.

    Yields a function that returns what `compute()` returned, or raises what
    it raised, waiting for it if need be. Without a second process to use
    (see `_two_cpus`, or with `parallel` false) that function simply calls
    `compute()`. The child is forked, so it starts with everything already
    in memory; it only computes, and writes no file: whatever is written
    from its result is written here, after the body, so a failed body
    leaves nothing behind either way. If the body fails, the child is
    stopped.
    """
    child = _fork(compute) if parallel and _two_cpus() else None
    if child is None:
        yield compute
        return
    import pickle

    pid, receive = child
    pipe = os.fdopen(receive, "rb")
    done = False

    def result():
        nonlocal done
        payload = pipe.read()
        code = _reap(pid)
        done = True
        try:
            outcome = pickle.loads(payload)
        except Exception:
            raise LeverkitError(f"its process stopped unexpectedly (exit code {code})") from None
        if outcome[0]:
            return outcome[1]
        raise outcome[1] from _ChildTraceback(outcome[2])

    try:
        yield result
    finally:
        pipe.close()
        if not done:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            _reap(pid)


def report(path, out_dir="reports", *, in_place: bool = False, strict: bool = False, parallel: bool = True) -> Report:
    """Load, rank and write one workbook's outputs.

    Writes ``<out_dir>/<stem>.html`` and ``<out_dir>/<stem>_ranked.xlsx``, or
    with ``in_place`` the ranked sheets into the workbook itself; if in-place
    writing is refused, the separate ranked workbook is written instead and
    the reason is in ``notes``. With ``strict``, any invalid row raises
    LeverkitError and nothing is written. With ``parallel`` (the default) the
    summary is made in a second process while the workbook is written, where
    that is safe (see `meanwhile`); the files are the same either way.
    """
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
    try:
        with meanwhile(lambda: _summary_page(ranking), parallel) as summary_page:
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
                page = summary_page()
            except LeverkitError as exc:
                raise LeverkitError(f"{path}: ranked, but the summary could not be made: {exc}") from exc.__cause__
        from .summary import write_page

        result.written.append(write_page(page, out_dir / f"{path.stem}.html"))
    except OSError as exc:
        from .files import written_error

        raise LeverkitError(f"{path}: ranked, but {written_error(exc)}") from None
    return result
