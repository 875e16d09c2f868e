"""Files beside people's work: whole-or-nothing writes, and no temporary files left to pile up."""
import os
import time

import leverkit
from leverkit.files import STALE_AFTER, TEMP_PREFIX

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
