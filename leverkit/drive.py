"""Batch runs over a drive of team workbooks: each ranked on its own, one portfolio view of all.

The work for one workbook is `rank_workbook`, a pure function of the file's
bytes, so it runs the same inline, in a pool of processes, or on a Dask
cluster. Everything that touches the drive (finding workbooks, the lock, the
records of what was done, writing outputs) happens in the one parent process.
"""
from __future__ import annotations

import datetime
import glob
import hashlib
import itertools
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from threadpoolctl import threadpool_limits

from . import pipeline
from .errors import BadSetting, Busy, LeverkitError, NothingFound, WriteFailed
from .files import TEMP_PREFIX, load_record, open_by, write_json, written_error
from .issues import one_line
from .package import OLE_MAGIC, ZIP_MAGIC
from .plan import this_month
from .ranking import Ranking
from .portfolio import Exchange, write_portfolio
from .runs import BatchReport, Outcome, Problem
from .tables import ranked_columns, ranked_rows
from .version import __version__

SUFFIXES = (".xlsx", ".xlsm")
RECORD = ".leverkit.json"
LOCK = ".leverkit-batch.lock"
RECORD_FORMAT = 3


@dataclass
class Job:
    path: Path
    relative: PurePosixPath  # the workbook's place under the output folder, unique in this run

    def output(self, out_dir: Path, suffix: str) -> Path:
        return out_dir / self.relative.parent / f"{self.relative.stem}{suffix}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def summarise(ranking: Ranking, workbook: str) -> dict:
    """The JSON-able facts the portfolio needs from one team's ranking: its Ranked rows keyed by leverkit's
    headers (the team's own extra columns left out), with each initiative's Decision, requirements and
    alternative group for a company-wide choice."""
    p, settings = ranking.projection, ranking.plan.settings
    headers, rows = ranked_rows(ranking)
    ours = headers[: len(ranked_columns(ranking))]
    total = ranking.by_form()[-1]
    tracked, last = [], []
    if ranking.tracking is not None:
        by_index = ranking.tracking.rows(ranking.plan)
        place = {i: j for j, i in enumerate(ranking.tracking.index.tolist())}
        tracked = [[value.isoformat() if hasattr(value, "isoformat") else value for value in by_index[i]]
                   for i in ranking.order.tolist() if i in by_index]
        last = [int(ranking.tracking.last[place[i]]) for i in ranking.order.tolist() if i in by_index]
    return {
        "workbook": workbook,
        "team": settings.team,
        "currency": settings.currency,
        "as_of": f"{settings.as_of:%Y-%m}",
        "threshold": settings.threshold,
        "invalid_rows": ranking.plan.invalid_rows,
        "totals": {k: total[k] for k in ("Upfront cost", "Maintenance / month", "NPV", "Risk-adjusted NPV", "Value")},
        "funded": {"count": int(ranking.funding.chosen.sum()), "upfront": ranking.funding.upfront,
                   "maintenance": ranking.funding.maintenance, "value": ranking.funding.value},
        "flags": ranking.flag_counts(),
        "ranked": [{**dict(zip(ours, row)), "Decision": item.decision, "Requires": list(item.requires),
                    "Alternative group": item.group} for row, (_, item, _) in zip(rows, ranking.ranked())],
        "multiples": [p.multiple_effective[i].item() for _, _, i in ranking.ranked()],
        "tracking": tracked,  # Tracking sheet rows in rank order, Start as ISO text
        "tracking_last": last,  # T, the last month reported, of each of them
    }


def rank_workbook(data: bytes, name: str, in_place: bool = False, today: datetime.date | None = None) -> Outcome:
    """Everything one workbook's outputs need, from its bytes alone.

    Never raises for a bad workbook: the problem comes back as `error`.
    """
    with threadpool_limits(1):  # one worker, one core: BLAS threads would spin against the other workers
        return _rank_workbook(data, name, in_place, today)


def _rank_workbook(data: bytes, name: str, in_place: bool, today: datetime.date | None) -> Outcome:
    outcome = Outcome(name, _sha256(data))
    try:
        outputs = pipeline.build(pipeline.rank_bytes(data, name, PurePosixPath(name).stem, today), data, in_place)
        outcome.files, outcome.notes = outputs.files, outputs.notes
        outcome.summary = summarise(outputs.ranking, name)
        outcome.issues = [str(issue) for issue in outputs.plan.issues]
        outcome.notes += [issue.message for issue in outputs.plan.issues if issue.code == "example-rows"]
    except LeverkitError as error:
        outcome.error, outcome.files = str(error), {}
    except Exception as exc:  # a bug or an exhausted machine: this workbook fails, the batch goes on
        outcome.error, outcome.files = f"{name}: leverkit failed on it ({type(exc).__name__}: {one_line(str(exc), 200)})", {}
    return outcome


def _walk(root: Path, pattern: str | None, skipped: list[Problem]) -> list[Path]:
    """Files below `root` (matching the glob `pattern`, if any), never through a symbolic link.

    A link could lead out of the folders given, or round in a loop; a file
    reached through one is passed over with a note.
    """
    from wcmatch import glob as wc

    flags = wc.GLOBSTAR | wc.BRACE | wc.DOTGLOB
    found = []
    for folder, folders, files in os.walk(root, followlinks=False):
        for name in files:
            path = Path(folder) / name
            if pattern is not None and not wc.globmatch(os.path.normpath(path), pattern, flags=flags):
                continue
            if path.is_symlink():
                if path.suffix.lower() in SUFFIXES:
                    skipped.append(Problem(str(path), "a symbolic link; leverkit reads and writes only the files "
                                                      "that are in the folders given"))
                continue
            found.append(path)
    return found


def _candidates(inputs: list[str], failed: list[Problem], skipped: list[Problem]) -> list[Path]:
    """Every file the inputs name: an existing path is a path first (even `drive [EU]`), else a glob."""
    paths: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            paths += _walk(path, None, skipped)
        elif path.exists():
            paths.append(path)
        elif glob.has_magic(item):
            root = _glob_root(path)
            if root.is_dir():
                paths += _walk(root, os.path.normpath(item), skipped)
        else:
            failed.append(Problem(item, "no such file or folder"))
    return sorted({p.absolute() for p in paths if p.is_file()})


def _glob_root(pattern: Path) -> Path:
    """The folder a glob starts in: its leading parts that hold no wildcard."""
    fixed = list(itertools.takewhile(lambda part: not glob.has_magic(part), pattern.parts))
    return Path(*fixed) if fixed else Path(".")


def find_workbooks(inputs: list[str], out_dir: Path) -> tuple[list[Job], list[Problem], list[Problem]]:
    """Every .xlsx and .xlsm below the inputs, and the files passed over (with a note) or missing."""
    skipped: list[Problem] = []
    failed: list[Problem] = []
    out = out_dir.absolute()
    found = []
    for path in _candidates(inputs, failed, skipped):
        name = path.name
        if out in path.parents or name.startswith(TEMP_PREFIX):
            continue  # leverkit's own outputs and unfinished writes
        if name.startswith(".~lock.") and name.endswith("#"):
            skipped.append(Problem(str(path), "LibreOffice's lock file for a workbook open there"))
        elif path.suffix.lower() not in SUFFIXES:
            continue
        elif name.startswith("~$"):
            skipped.append(Problem(str(path), "Excel's owner file for a workbook open in Excel"))
        elif not _looks_like_a_workbook(path):
            skipped.append(Problem(str(path), "not a workbook, though named like one"))
        else:
            found.append(path)
    if not found:
        return [], skipped, failed
    root = Path(os.path.commonpath([p.parent for p in found]))
    jobs, taken = [], set()
    for path in found:
        relative = PurePosixPath(path.relative_to(root).as_posix())
        if (relative.parent, relative.stem.casefold()) in taken:  # plan.xlsx and plan.xlsm side by side
            relative = relative.with_name(f"{relative.stem}_{relative.suffix[1:]}{relative.suffix}")
        taken.add((relative.parent, relative.stem.casefold()))
        jobs.append(Job(path, relative))
    return jobs, skipped, failed


def _looks_like_a_workbook(path: Path) -> bool:
    """A zip package or an OLE file (an encrypted or old-format workbook, reported when read)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
    except OSError:
        return True  # let reading it report the problem
    return head[:4] == ZIP_MAGIC or head == OLE_MAGIC


def _reuse(job: Job, data: bytes, out_dir: Path, in_place: bool, ran: str) -> Outcome | None:
    """The recorded outcome, if the workbook has not changed since its outputs were written.

    The As of month is part of the input: a workbook that sets none was
    ranked as of the month it ran in, so its record holds only within that
    month.
    """
    record = load_record(job.output(out_dir, RECORD))
    if not record or record.get("format") != RECORD_FORMAT or record.get("leverkit") != __version__:
        return None
    if record.get("in_place") != in_place or record.get("sha256") != _sha256(data):
        return None
    if record.get("ran") != ran and record["summary"].get("as_of") == record.get("ran"):
        return None
    if not all((out_dir / name).exists() for name in record["outputs"]):
        return None
    return Outcome(str(job.relative), record["sha256"], summary=record["summary"], issues=record["issues"])


def _execute(todo: list[tuple[Job, bytes]], workers: int, scheduler: str | None, in_place: bool,
             today: datetime.date | None):
    """(job, outcome) as each finishes: inline, on a process pool, or on a Dask cluster."""
    if scheduler:
        from distributed import Client, as_completed

        with Client(scheduler) as client:
            futures = {client.submit(rank_workbook, data, str(job.relative), in_place, today, pure=False): job
                       for job, data in todo}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    yield job, future.result()
                except Exception as exc:  # the cluster lost the task (a worker died, say): only this workbook fails
                    yield job, Outcome(str(job.relative), "", error=f"{job.relative}: the cluster could not rank it "
                                                                    f"({type(exc).__name__}: {one_line(str(exc), 200)})")
    elif workers <= 1 or len(todo) <= 1:
        for job, data in todo:
            yield job, rank_workbook(data, str(job.relative), in_place, today)
    else:
        yield from _in_processes(todo, workers, in_place, today)


def _in_processes(todo: list[tuple[Job, bytes]], workers: int, in_place: bool, today: datetime.date | None):
    """Rank on a pool of processes. A worker that dies (killed by the OS, say) breaks the pool: the
    workbooks it left unfinished are ranked again one per process, so only the one that kills its
    process fails."""
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    unfinished = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(rank_workbook, data, str(job.relative), in_place, today): (job, data) for job, data in todo}
        for future in as_completed(futures):
            job, data = futures[future]
            try:
                yield job, future.result()
            except BrokenProcessPool:
                unfinished.append((job, data))
    for job, data in unfinished:
        with ProcessPoolExecutor(max_workers=1) as alone:
            try:
                yield job, alone.submit(rank_workbook, data, str(job.relative), in_place, today).result()
            except BrokenProcessPool:
                yield job, Outcome(str(job.relative), _sha256(data),
                                   error=f"{job.relative}: the process ranking it died (the system may have stopped "
                                         f"it for lack of memory)")


def _write_outputs(job: Job, outcome: Outcome, out_dir: Path, report: BatchReport, ran: str) -> None:
    written = pipeline.write(outcome.files, outcome.notes, str(job.path), outcome.sha256,
                             job.output(out_dir, pipeline.RANKED), job.output(out_dir, pipeline.HTML), job.path)
    kept_in_place = pipeline.IN_PLACE in outcome.files
    recorded_sha = _sha256(outcome.files[pipeline.IN_PLACE]) if kept_in_place else outcome.sha256
    outputs = [str(p.relative_to(out_dir)) for p in written if out_dir in p.parents]
    write_json(job.output(out_dir, RECORD), {
        "format": RECORD_FORMAT, "leverkit": __version__, "sha256": recorded_sha, "in_place": kept_in_place,
        "ran": ran,
        "outputs": outputs, "summary": outcome.summary, "issues": outcome.issues,
    })
    report.written += written
    report.notes += [f"{job.path}: {note}" for note in outcome.notes]
    outcome.files.clear()  # written; the portfolio needs only the summary


def _amount(option: str, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise BadSetting(f"{option} {value} is not an amount; give a number of 0 or more")
    return value


def run_batch(inputs: list[str], out_dir: str | Path = "reports", *, workers: int | None = None, in_place: bool = False,
              force: bool = False, scheduler: str | None = None, progress: Callable[[int], Callable[[], None]] | None = None,
              budget: float | None = None, capacity: float | None = None, currency: str | None = None,
              rates: dict[str, float] | None = None, today: datetime.date | None = None) -> BatchReport:
    """Rank every workbook below `inputs` and write their outputs and the portfolio view to `out_dir`.

    With a `budget` and/or `capacity`, the portfolio view also recommends one
    company-wide set of initiatives under them (each team's Decisions hold).
    With `currency` C and `rates` (v units of C per unit of each other
    currency), amounts are converted to C for the combined ranking and the
    choice. `progress(jobs)` is called once with the number of workbooks
    found and returns a callable advanced once per workbook. `today` stands
    in for the current date (each workbook's As of, when it sets none).
    Raises LeverkitError (a subclass saying which) if another batch holds
    the output folder, an option is not an amount, the output folder cannot
    be written, or a company-wide choice would add up currencies without a rate.
    """
    from filelock import FileLock, Timeout

    limits = (_amount("--budget", budget), _amount("--capacity", capacity))
    exchange = Exchange.of(currency, rates or {})
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(out_dir / LOCK), timeout=0)
        lock.acquire()
    except Timeout:
        raise Busy(f"{out_dir}: another leverkit batch is writing here; try again when it finishes") from None
    except OSError as exc:
        raise WriteFailed(f"{out_dir}: the output folder {written_error(exc).removeprefix(f'{exc.filename}: ')}") from None
    try:
        return _run(inputs, out_dir, workers or os.cpu_count() or 1, in_place, force, scheduler, progress, limits,
                    exchange, today)
    finally:
        lock.release()


def _reads(jobs: list[Job], out_dir: Path, in_place: bool, force: bool, report: BatchReport, advance,
           ran: str) -> tuple[dict[str, Outcome], list[tuple[Job, bytes]]]:
    """The workbooks to rank, and the outcomes of those unchanged since their outputs were written."""
    outcomes: dict[str, Outcome] = {}
    todo = []
    for job in jobs:
        who = open_by(job.path) if in_place else None
        if who is not None:
            report.skipped.append(Problem(str(job.path), f"open in Excel{f' by {who}' if who else ''}; not written"))
            advance()
            continue
        try:
            data = job.path.read_bytes()
        except OSError as exc:
            report.failed.append(Problem(str(job.path), f"cannot be opened ({exc.strerror or exc})"))
            advance()
            continue
        reused = None if force else _reuse(job, data, out_dir, in_place, ran)
        if reused is not None:
            outcomes[str(job.relative)] = reused
            report.unchanged += 1
            advance()
        else:
            todo.append((job, data))
    return outcomes, todo


def _run(inputs, out_dir: Path, workers: int, in_place: bool, force: bool, scheduler, progress,
         limits: tuple[float | None, float | None], exchange: Exchange, today: datetime.date | None) -> BatchReport:
    start = time.perf_counter()
    jobs, skipped, failed = find_workbooks(list(inputs), out_dir)
    if not jobs:
        missing = "; ".join(f"{p.workbook}: {p.reason}" for p in failed + skipped)
        raise NothingFound(f"found no workbook (.xlsx or .xlsm) in {', '.join(map(str, inputs))}"
                           f"{f' ({missing})' if missing else ''}; nothing was written, and earlier outputs in "
                           f"{out_dir} are as they were")
    report = BatchReport(out_dir, skipped=skipped, failed=failed)
    advance = progress(len(jobs)) if progress else (lambda: None)
    ran = f"{this_month() if today is None else today:%Y-%m}"  # the month this run ranks in, when As of is blank
    outcomes, todo = _reads(jobs, out_dir, in_place, force, report, advance, ran)
    for job, outcome in _execute(todo, workers, scheduler, in_place, today):
        if outcome.error:
            report.failed.append(Problem(str(job.path), outcome.error.removeprefix(f"{job.relative}: ")))
        else:
            try:
                _write_outputs(job, outcome, out_dir, report, ran)
                outcomes[str(job.relative)] = outcome
            except WriteFailed as exc:  # unwritable folder, full disk, a name too long: this one fails, the rest go on
                report.failed.append(Problem(str(job.path), str(exc).removeprefix(f"{job.path}: ")))
            except OSError as exc:
                report.failed.append(Problem(str(job.path), written_error(exc)))
        advance()
    report.processed = [outcomes[str(job.relative)] for job in jobs if str(job.relative) in outcomes]
    report.written += write_portfolio(report, force, *limits, exchange)
    report.seconds = time.perf_counter() - start
    return report
