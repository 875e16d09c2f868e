"""`report` writes the HTML summary in a second process beside the ranked workbook (leverkit.api.meanwhile)."""
import os
import signal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from leverkit import api
from leverkit.issues import LeverkitError

EXAMPLE = Path(__file__).parent.parent / "workbooks" / "operations.xlsx"
two_cpus = pytest.mark.skipif(not api._two_cpus(), reason="runs one after the other without a second CPU on Linux")


def _sheets(path: Path) -> dict:
    book = CalamineWorkbook.from_path(path)
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_both_ways_write_the_same_files(tmp_path):
    together = api.report(EXAMPLE, tmp_path / "together")
    apart = api.report(EXAMPLE, tmp_path / "apart", parallel=False)
    assert [p.name for p in together.written] == [p.name for p in apart.written] == [
        "operations_ranked.xlsx", "operations.html"]
    html_together, html_apart = (r.written[1].read_text(encoding="utf-8") for r in (together, apart))
    assert html_together == html_apart and "Fund these" in html_together
    assert _sheets(together.written[0]) == _sheets(apart.written[0])


@two_cpus
def test_the_task_runs_in_another_process_at_the_same_time(tmp_path):
    marks = tmp_path / "marks"

    def task():
        marks.with_suffix(".child").write_text(str(os.getpid()))

    with api.meanwhile(task):
        marks.with_suffix(".parent").write_text(str(os.getpid()))
    assert marks.with_suffix(".child").read_text() != marks.with_suffix(".parent").read_text() == str(os.getpid())


@pytest.mark.parametrize("parallel", [True, False])
def test_a_summary_that_cannot_be_written_is_one_sentence_and_the_workbook_is_kept(tmp_path, parallel):
    (tmp_path / "operations.html").mkdir()  # the summary's name is taken by a folder
    with pytest.raises(LeverkitError, match=r"operations\.xlsx: ranked, but .*operations\.html.*could not be written"):
        api.report(EXAMPLE, tmp_path, parallel=parallel)
    assert "Ranked" in _sheets(tmp_path / "operations_ranked.xlsx")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".leverkit-tmp-")]


class _Unpicklable(Exception):
    def __init__(self, detail):
        super().__init__(detail)
        self.retry = lambda: None  # a lambda cannot be pickled, however exceptions are (tblib, which Dask installs)


@two_cpus
def test_what_the_child_raises_is_raised_here_even_if_it_cannot_be_pickled():
    def task():
        raise _Unpicklable("the summary failed (7)")

    with pytest.raises(LeverkitError, match=r"the summary failed \(7\)"):
        with api.meanwhile(task):
            pass


@two_cpus
def test_a_child_that_dies_is_reported_not_waited_for_forever():
    with pytest.raises(LeverkitError, match=r"stopped unexpectedly \(exit code -9\)"):
        with api.meanwhile(lambda: os.kill(os.getpid(), signal.SIGKILL)):
            pass


@two_cpus
def test_an_error_here_wins_and_the_child_is_still_waited_for(tmp_path):
    done = tmp_path / "done"
    with pytest.raises(ZeroDivisionError):
        with api.meanwhile(lambda: done.write_text("yes")):
            1 / 0
    assert done.read_text() == "yes"
