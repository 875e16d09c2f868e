"""Python's cycle collector waits while a workbook or page is built (leverkit.processes.collector_paused).

Its full passes walk every live object and, while XlsxWriter holds a tuple per cell, free nothing; so no
pass may start inside the build (the collector catches up once, when it is restored), and it must come
back exactly as it was.
"""
import gc
import pytest
from python_calamine import CalamineWorkbook

from leverkit import rank
from leverkit.excel import build_sheets
from leverkit.processes import collector_paused
from leverkit.summary import render
from leverkit.tables import Sheet, Table

from .conftest import initiative, plan_of


@pytest.fixture
def passes():
    """The collector passes that start while the test runs (after `passes.clear()`)."""
    started = []

    def record(phase, info):
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(record)
    try:
        yield started
    finally:
        gc.callbacks.remove(record)


def big_table() -> Table:
    rows = [[r, f"I{r}", *(r * 1.5 + m for m in range(60))] for r in range(3000)]
    return Table("Big", ["Rank", "ID", *(f"Month {m}" for m in range(60))], ["int", "text", *["money"] * 60], rows)


def test_no_collector_pass_starts_while_a_workbook_is_built(tmp_path, passes):
    table = big_table()
    passes.clear()
    build_sheets({"Projection": Sheet([table])}, "EUR", tmp_path / "big.xlsx")
    assert len(passes) <= 3  # the catching up as the build returns: one pass of a generation or two
    assert gc.isenabled()
    rows = CalamineWorkbook.from_path(tmp_path / "big.xlsx").get_sheet_by_name("Projection").to_python()
    assert rows[2999][:3] == [2998, "I2998", 4497.0] and rows[3000][61] == 2999 * 1.5 + 59


def test_the_same_build_with_the_collector_running_would_start_passes(tmp_path, passes):
    """The check above can fail: unpaused, building this table starts the collector many times."""
    table = big_table()
    passes.clear()
    build_sheets.__wrapped__({"Projection": Sheet([table])}, "EUR", tmp_path / "big.xlsx")
    assert len(passes) > 10


def test_no_collector_pass_starts_while_the_summary_is_rendered(passes):
    ranking = rank(plan_of([initiative(id=f"I{k}", reach_month=k + 1, value_per_reach=f"{10 + k % 7} to {40 + k % 9}")
                            for k in range(1500)]))
    passes.clear()
    page = render(ranking)
    assert len(passes) <= 3 and gc.isenabled()
    assert "I1499 Automate reports" in page
    passes.clear()
    render.__wrapped__(ranking)  # unpaused, the same page starts the collector many times
    assert len(passes) > 10


def test_the_collector_comes_back_as_it_was_even_after_a_failure():
    with pytest.raises(ZeroDivisionError):
        with collector_paused():
            assert not gc.isenabled()
            1 / 0
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_threads_that_overlap_keep_it_paused_until_the_last_one_ends():
    import threading

    inside, first_out, states = threading.Barrier(2), threading.Event(), {}

    def first():
        with collector_paused():
            inside.wait()
        first_out.set()

    def second():
        with collector_paused():
            inside.wait()
            first_out.wait()
            states["after the first ended"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert states == {"after the first ended": False}
    assert gc.isenabled()
