"""`report` makes the HTML summary in a second process while it writes the workbook (leverkit.processes).

The test process itself may run other threads by now (Dask leaves one), and leverkit rightly never forks
then; so what the second process does is tested in fresh interpreters, which have none.
"""
import os
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from leverkit import api, processes
from leverkit.errors import LeverkitError

EXAMPLE = Path(__file__).parent.parent / "workbooks" / "operations.xlsx"
linux_two_cpus = pytest.mark.skipif(not (sys.platform.startswith("linux") and len(os.sched_getaffinity(0)) > 1),
                                    reason="a second process is used only on Linux with a second CPU")


def _sheets(path: Path) -> dict:
    book = CalamineWorkbook.from_path(path)
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def fresh(code: str) -> str:
    """Run `code` in a fresh interpreter (no threads but its own) and return what it printed."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_report(out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leverkit", "report", str(EXAMPLE), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)


@linux_two_cpus
def test_the_work_runs_in_another_process_at_the_same_time():
    printed = fresh("""
        import os
        from leverkit import processes
        with processes.meanwhile(os.getpid) as child:
            print(processes.can_fork(), child() != os.getpid())
    """)
    assert printed.split() == ["True", "True"]


def test_a_program_with_threads_is_not_forked():
    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        assert not processes.can_fork()
        with processes.meanwhile(os.getpid) as pid:
            assert pid() == os.getpid()
    finally:
        release.set()
        waiting.join()


@linux_two_cpus
def test_both_ways_write_the_same_files(tmp_path):
    together = cli_report(tmp_path / "together")
    assert together.returncode == 0, together.stderr
    apart = api.report(EXAMPLE, tmp_path / "apart", parallel=False)
    assert [p.name for p in apart.written] == ["operations_ranked.xlsx", "operations.html"]
    assert sorted(p.name for p in (tmp_path / "together").iterdir()) == sorted(p.name for p in apart.written)
    html_together = (tmp_path / "together" / "operations.html").read_text(encoding="utf-8")
    assert html_together == apart.written[1].read_text(encoding="utf-8") and "Fund these" in html_together
    assert _sheets(tmp_path / "together" / "operations_ranked.xlsx") == _sheets(apart.written[0])


@pytest.mark.parametrize("taken, message", [
    ("operations.html", r"ranked, but \S*operations\.html: could not be written"),
    ("operations_ranked.xlsx", r"ranked, but \S*operations_ranked\.xlsx: could not be written"),
])
def test_a_file_that_cannot_be_written_is_the_same_sentence_and_leaves_the_same_files(tmp_path, taken, message):
    """The workbook and the summary are put in place together, either way: when one cannot be written, neither
    is."""
    outcomes = {}
    for way in ("together", "apart"):
        out = tmp_path / way
        (out / taken).mkdir(parents=True)  # the file's name is taken by a folder
        if way == "together":
            done = cli_report(out)
            assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
            said = done.stderr
        else:
            with pytest.raises(LeverkitError) as raised:
                api.report(EXAMPLE, out, parallel=False)
            said = str(raised.value)
        assert re.search(message, said), said
        outcomes[way] = sorted(p.name for p in out.iterdir())
    assert outcomes["together"] == outcomes["apart"] == [taken]


@linux_two_cpus
def test_what_the_child_raises_arrives_with_its_traceback_even_if_it_cannot_be_pickled():
    printed = fresh("""
        from leverkit import processes
        from leverkit.errors import LeverkitError

        class Unpicklable(Exception):
            def __init__(self, detail):
                super().__init__(detail)
                self.retry = lambda: None  # a lambda cannot be pickled, however exceptions are

        def fail():
            raise Unpicklable("the summary failed (7)")

        with processes.meanwhile(fail) as outcome:
            try:
                outcome()
            except LeverkitError as exc:
                print(repr(str(exc)), "in fail" in str(exc.__cause__), "Unpicklable" in str(exc.__cause__))
    """)
    assert printed.strip() == "'the summary failed (7)' True True"


@linux_two_cpus
def test_a_child_that_dies_is_one_sentence_not_a_hang():
    printed = fresh("""
        import os
        from leverkit import processes
        from leverkit.errors import LeverkitError
        here = os.getpid()
        with processes.meanwhile(lambda: os.getpid() != here and os.kill(os.getpid(), 9)) as outcome:
            try:
                outcome()
            except LeverkitError as exc:
                print(exc)
    """)
    assert printed.strip() == "its process stopped unexpectedly (exit code -9)"


@linux_two_cpus
def test_an_error_here_stops_the_child_at_once(tmp_path):
    printed = fresh(f"""
        import os, time
        from pathlib import Path
        from leverkit import processes
        started = Path({str(tmp_path / "pid")!r})

        def slow():
            started.with_suffix(".tmp").write_text(str(os.getpid()))
            started.with_suffix(".tmp").replace(started)  # appears whole
            time.sleep(30)

        begun = time.monotonic()
        try:
            with processes.meanwhile(slow):
                while not started.exists():
                    time.sleep(0.01)
                1 / 0
        except ZeroDivisionError:
            print("raised", time.monotonic() - begun < 10)
        try:
            os.kill(int(started.read_text()), 0)
            print("left running")
        except ProcessLookupError:
            print("gone")  # stopped and collected: no process, not even a zombie, is left
    """)
    assert printed.split() == ["raised", "True", "gone"]
