"""An operating-system error while writing is one sentence and exit code 1, never a traceback, and nothing is left
half-written: checked on real file systems, a full one and a read-only one (tmpfs mounts; the suite runs as
root in CI, elsewhere these tests are skipped)."""
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "workbooks" / "operations.xlsx"


def mounted(tmp_path, options: str) -> Path:
    """A fresh tmpfs mounted with `options`, or a skip where this process may not mount one."""
    point = tmp_path / f"fs-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    return point


@pytest.fixture
def full(tmp_path):
    """A file system with room for a few kilobytes only."""
    point = mounted(tmp_path, "size=8k")
    yield point
    subprocess.run(["umount", str(point)], check=True)


@pytest.fixture
def read_only(tmp_path):
    point = mounted(tmp_path, "ro,size=64k")
    yield point
    subprocess.run(["umount", str(point)], check=True)


def leverkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "leverkit", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT)


def one_sentence(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "Error:" not in done.stderr.replace("error:", "")
    line = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(line) == 1 and all(word in line[0] for word in words), done.stderr


def test_report_on_a_full_disk(full):
    done = leverkit("report", EXAMPLE, "--out", full)
    one_sentence(done, str(full), "No space left on device")
    assert list(full.iterdir()) == []  # neither output, nor a temporary file


def test_batch_into_a_read_only_folder(read_only):
    done = leverkit("batch", EXAMPLE.parent, "--out", read_only / "out")
    one_sentence(done, str(read_only / "out"), "Read-only file system")


def test_batch_whose_portfolio_fills_the_disk(full, tmp_path):
    drive = tmp_path / "drive"
    drive.mkdir()
    shutil.copy(EXAMPLE, drive)
    done = leverkit("batch", drive, "--out", full / "out", "--workers", "1")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "No space left on device" in done.stderr
    left = {p.name for p in (full / "out").rglob("*")}
    assert not any(name.startswith(".leverkit-tmp-") for name in left)  # nothing half-written


def test_template_and_macro_workbook_on_a_full_disk(full):
    one_sentence(leverkit("template", full / "plan.xlsx"), "plan.xlsx", "No space left on device")
    one_sentence(leverkit("xl", "init", full / "team_plan.xlsm"), "No space left on device")
    assert list(full.iterdir()) == []  # the workbook and its module come together, or not at all
