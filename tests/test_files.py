"""Files beside people's work: whole-or-nothing writes, and no temporary files left to pile up."""
import os
import time
from pathlib import Path

import pytest

import leverkit
from leverkit.files import STALE_AFTER, TEMP_PREFIX, atomic_path

from .conftest import initiative


def test_stale_temp_files_of_a_killed_run_are_removed_and_only_those(team, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    stale = out / f"{TEMP_PREFIX}killed.xlsx"
    fresh = out / f"{TEMP_PREFIX}running.xlsx"  # another leverkit run writing right now
    foreign = out / ".other-tool-tmp.xlsx"
    for path in (stale, fresh, foreign):
        path.write_bytes(b"partial")
    old = time.time() - STALE_AFTER - 60
    os.utime(stale, (old, old))
    os.utime(foreign, (old, old))
    leverkit.report(team([initiative()]), out)
    assert not stale.exists()
    assert fresh.exists() and foreign.exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder no one can create files in, even root")
def test_a_folder_that_takes_no_files_names_the_file_asked_for_not_a_temporary_one():
    with pytest.raises(OSError) as raised:
        with atomic_path("/proc/self/summary.html"):
            pass
    assert raised.value.filename == "/proc/self/summary.html"
