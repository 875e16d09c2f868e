"""leverkit batch over a drive built in code: good, broken and open workbooks, nested folders, duplicate names."""
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import leverkit
from leverkit.drive import LOCK, run_batch
from leverkit.cli import cli

from .conftest import calamine_sheets, initiative, owner_file, write_team

EXAMPLES = Path(__file__).parent.parent / "workbooks"


@pytest.fixture
def drive(tmp_path):
    """A team drive: two teams' plan.xlsx in different folders, a nested one, a broken one, an owner file."""
    root = tmp_path / "drive"
    (root / "design").mkdir(parents=True)
    (root / "ops" / "2027").mkdir(parents=True)
    shutil.copy(EXAMPLES / "design_studio.xlsx", root / "design" / "plan.xlsx")
    shutil.copy(EXAMPLES / "operations.xlsx", root / "ops" / "2027" / "plan.xlsx")
    write_team(root / "ops" / "small.xlsx", [initiative(id="S1", initiative="<b>Shared</b> checklist")],
               settings={"Team": "Ops small"})
    write_team(root / "ops" / "bad.xlsx", [initiative()], settings={"Horizon (months)": 0})
    (root / "notes.xlsx").write_text("not really a workbook")
    (root / "readme.txt").write_text("ignored")
    owner_file(root / "design" / "plan.xlsx", "Jane Doe")
    (root / "design" / ".~lock.plan.xlsx#").write_text("Jane Doe,host,2026")
    return root


def run(*args):
    return CliRunner().invoke(cli, ["batch", *map(str, args)])


def test_every_workbook_ranked_broken_reported_rest_run(drive, tmp_path):
    out = tmp_path / "out"
    result = run(drive, "--out", out, "--workers", 1)
    assert result.exit_code == 1  # bad.xlsx failed
    assert f"error: {drive / 'ops' / 'bad.xlsx'}: Settings!B2: Horizon (months) 0 must be a whole number" in result.output
    assert f"skipped: {drive / 'notes.xlsx'}: not a workbook" in result.output
    assert "Excel's owner file" in result.output and "LibreOffice's lock file" in result.output
    assert "3 workbooks processed (0 unchanged), 3 skipped, 1 failed; 30 initiatives ranked" in result.output
    for stem in ("design/plan", "ops/2027/plan", "ops/small"):  # duplicate names do not collide
        assert (out / f"{stem}_ranked.xlsx").is_file() and (out / f"{stem}.html").is_file()
    assert calamine_sheets(out / "design" / "plan_ranked.xlsx")["Ranked"][1][1] == "DS05"
    assert calamine_sheets(out / "ops" / "2027" / "plan_ranked.xlsx")["Ranked"][1][1] == "OP16"


def test_the_portfolio_workbook(drive, tmp_path):
    out = tmp_path / "out"
    report = run_batch([str(drive)], out, workers=1)
    sheets = calamine_sheets(out / "portfolio.xlsx")
    assert list(sheets) == ["Ranked", "By team", "By form", "Tracking", "Failed"]  # operations has actuals
    ranked = sheets["Ranked"]
    assert ranked[0][:7] == ["Rank", "Team", "Workbook", "Currency", "As of", "Team rank", "ID"]
    team_headers = calamine_sheets(out / "ops" / "2027" / "plan_ranked.xlsx")["Ranked"][0]
    assert ranked[0][6:] == team_headers[1:len(ranked[0]) - 5]  # the team's own columns, less its extra ones
    assert len(ranked) == 1 + 30 and [r[0] for r in ranked[1:]] == list(range(1, 31))
    value = [r[ranked[0].index("Value")] for r in ranked[1:]]
    assert value == sorted(value, reverse=True)
    assert {r[1] for r in ranked[1:]} == {"Northwind Design Studio", "Operations", "Ops small"}
    teams = {r[0]: dict(zip(sheets["By team"][0], r)) for r in sheets["By team"][1:]}
    ops = leverkit.rank(leverkit.load(drive / "ops" / "2027" / "plan.xlsx"))
    assert teams["Operations"]["Funded value"] == pytest.approx(ops.funding.value)
    assert teams["Operations"]["Funded"] == ops.funding.chosen.sum()
    assert teams["Operations"]["Workbook"] == "ops/2027/plan.xlsx" and teams["Operations"]["Initiatives"] == 16
    forms = {r[0]: dict(zip(sheets["By form"][0], r)) for r in sheets["By form"][1:]}
    assert sum(f["Initiatives"] for f in forms.values()) == 30
    code_npv = sum(r[ranked[0].index("NPV")] for r in ranked[1:] if r[ranked[0].index("Leverage form")] == "code")
    assert forms["code"]["NPV"] == pytest.approx(code_npv)
    failed = {Path(r[0]).name: r[1:] for r in sheets["Failed"][1:]}
    assert failed["bad.xlsx"][0] == "failed" and "Settings!B2" in failed["bad.xlsx"][1]
    assert failed["notes.xlsx"][0] == "skipped"
    assert len(report.processed) == 3


def test_the_index_page(drive, tmp_path):
    out = tmp_path / "out"
    run_batch([str(drive)], out, workers=1)
    html = (out / "index.html").read_text()
    assert '<a href="./design/plan.html"><b>Northwind Design Studio</b></a>' in html
    assert '<a href="./ops/2027/plan.html"><b>Operations</b></a>' in html
    assert "&lt;b&gt;Shared&lt;/b&gt; checklist" in html and "<b>Shared</b>" not in html
    assert "red zone: quality ≤ 2 amplified ≥ 3×" in html
    assert "bad.xlsx" in html and "Horizon (months) 0 must be a whole number" in html
    assert "30</b><span>initiatives ranked" in html
    assert (out / "design" / "plan.html").is_file()


def test_an_unchanged_rerun_recomputes_nothing_and_force_does(drive, tmp_path):
    out = tmp_path / "out"
    run_batch([str(drive)], out, workers=1)
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != LOCK}
    again = run_batch([str(drive)], out, workers=1)
    assert again.unchanged == 3 and len(again.processed) == 3 and again.written == []
    assert {p: p.stat().st_mtime_ns for p in times} == times
    # a change to one workbook recomputes that one, and the portfolio
    write_team(drive / "ops" / "small.xlsx", [initiative(id="S1"), initiative(id="S2")], settings={"Team": "Ops small"})
    changed = run_batch([str(drive)], out, workers=1)
    assert changed.unchanged == 2 and changed.initiatives == 31
    assert out / "portfolio.xlsx" in changed.written
    forced = run_batch([str(drive)], out, workers=1, force=True)
    assert forced.unchanged == 0 and len(forced.written) == 3 * 2 + 2


def test_workers_give_the_same_outputs(drive, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    run_batch([str(drive)], one, workers=1)
    run_batch([str(drive)], two, workers=2)
    for name in ("portfolio.xlsx", "design/plan_ranked.xlsx", "ops/2027/plan_ranked.xlsx"):
        assert calamine_sheets(one / name) == calamine_sheets(two / name)
    assert (one / "ops" / "small.html").read_text() == (two / "ops" / "small.html").read_text()


def test_dask_cluster_gives_the_same_outputs(drive, tmp_path):
    from distributed import LocalCluster

    local, remote = tmp_path / "local", tmp_path / "dask"
    run_batch([str(drive)], local, workers=1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = run(drive, "--out", remote, "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 1 and "3 workbooks processed" in result.output
    for name in ("portfolio.xlsx", "design/plan_ranked.xlsx", "ops/2027/plan_ranked.xlsx", "ops/small_ranked.xlsx"):
        assert calamine_sheets(local / name) == calamine_sheets(remote / name)
    for name in ("index.html", "design/plan.html", "ops/small.html"):
        assert (local / name).read_text() == (remote / name).read_text()


def test_a_second_batch_on_the_same_output_folder_is_refused(drive, tmp_path):
    from filelock import FileLock

    out = tmp_path / "out"
    out.mkdir()
    with FileLock(str(out / LOCK)):
        result = run(drive, "--out", out)
    assert result.exit_code == 1 and "another leverkit batch is writing here" in result.output
    assert sorted(p.name for p in out.iterdir()) == [LOCK]


def test_in_place_skips_a_workbook_open_in_excel_and_writes_the_rest(drive, tmp_path):
    out = tmp_path / "out"
    open_one = drive / "design" / "plan.xlsx"
    before = open_one.read_bytes()
    result = run(drive, "--out", out, "--in-place", "--workers", 1)
    assert f"skipped: {open_one}: open in Excel by Jane Doe; not written" in result.output
    assert open_one.read_bytes() == before and not (out / "design" / "plan_ranked.xlsx").exists()
    written = drive / "ops" / "2027" / "plan.xlsx"
    assert list(calamine_sheets(written)) == ["Initiatives", "Settings", "Actuals", "Instructions", "Decision",
                                              "Ranked", "Projection", "Portfolio", "Sensitivity", "Tracking",
                                              "Issues"]
    assert not (out / "ops" / "2027" / "plan_ranked.xlsx").exists() and (out / "ops" / "2027" / "plan.html").exists()
    again = run_batch([str(drive)], out, in_place=True, workers=1)
    assert again.unchanged == 2  # the workbooks it wrote into count as unchanged


def test_outputs_inside_the_drive_are_not_read_back_as_workbooks(drive):
    out = drive / "reports"
    first = run_batch([str(drive)], out, workers=1)
    second = run_batch([str(drive)], out, workers=1)
    assert len(first.processed) == len(second.processed) == 3 and second.unchanged == 3


def test_glob_inputs(drive, tmp_path):
    report = run_batch([str(drive / "ops" / "**" / "*.xlsx")], tmp_path / "out", workers=1)
    assert sorted(o.name for o in report.processed) == ["2027/plan.xlsx", "small.xlsx"]
    assert [Path(p.workbook).name for p in report.failed] == ["bad.xlsx"]


def test_no_such_folder_is_a_failure(tmp_path):
    result = run(tmp_path / "nowhere", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_all_good_exits_0(tmp_path):
    root = tmp_path / "drive"
    root.mkdir()
    shutil.copy(EXAMPLES / "content_team.xlsx", root)
    result = run(root, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "1 workbook processed (0 unchanged), 0 skipped, 0 failed; 11 initiatives ranked" in result.output
    assert os.path.exists(tmp_path / "out" / "portfolio.xlsx")


def test_a_drive_where_nothing_ranks_still_gets_a_portfolio(tmp_path):
    root = tmp_path / "drive"
    root.mkdir()
    write_team(root / "bad.xlsx", [initiative()], settings={"Horizon (months)": 0})
    report = run_batch([str(root)], tmp_path / "out", workers=1)
    assert report.processed == [] and len(report.failed) == 1
    sheets = calamine_sheets(tmp_path / "out" / "portfolio.xlsx")
    assert sheets["Failed"][1][1:] == ["failed", "Settings!B2: Horizon (months) 0 must be a whole number from 1 to 600"]
    assert "Every workbook found was ranked" not in (tmp_path / "out" / "index.html").read_text()


def crash_on(team, how):
    """leverkit's ranking as it is, except for `team`'s plan, where `how` happens (inside the per-workbook work)."""
    from leverkit import ranking

    real = ranking.rank

    def rank(plan, *rest):
        if plan.settings.team == team:
            how()
        return real(plan, *rest)

    return rank


def test_a_workbook_that_crashes_leverkit_fails_alone(drive, tmp_path, monkeypatch):
    def boom():
        raise RuntimeError("an unexpected bug")

    monkeypatch.setattr("leverkit.pipeline.rank", crash_on("Ops small", boom))
    report = run_batch([str(drive)], tmp_path / "out", workers=1)
    assert sorted(o.name for o in report.processed) == ["design/plan.xlsx", "ops/2027/plan.xlsx"]
    assert any(p.workbook.endswith("small.xlsx") and "RuntimeError: an unexpected bug" in p.reason for p in report.failed)
    assert (tmp_path / "out" / "portfolio.xlsx").exists()


def test_a_worker_process_that_dies_fails_only_its_workbook(drive, tmp_path, monkeypatch):
    monkeypatch.setattr("leverkit.pipeline.rank", crash_on("Ops small", lambda: os._exit(9)))  # as if OOM-killed
    report = run_batch([str(drive)], tmp_path / "out", workers=2)
    assert sorted(o.name for o in report.processed) == ["design/plan.xlsx", "ops/2027/plan.xlsx"]
    died = [p for p in report.failed if p.workbook.endswith("small.xlsx")]
    assert died and "the process ranking it died" in died[0].reason


def test_links_never_lead_out_of_the_drive_nor_round_in_a_loop(drive, tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    secret = write_team(outside / "payroll.xlsx", [initiative(id="SECRET")])
    before = secret.read_bytes()
    (drive / "ops" / "payroll.xlsx").symlink_to(secret)
    (drive / "loop").symlink_to(drive, target_is_directory=True)  # a folder that contains itself
    report = run_batch([str(drive)], tmp_path / "out", workers=1, in_place=True)
    assert all("payroll" not in o.name for o in report.processed)
    assert any(p.workbook.endswith("payroll.xlsx") and "symbolic link" in p.reason for p in report.skipped)
    assert secret.read_bytes() == before
    assert "SECRET" not in str(calamine_sheets(tmp_path / "out" / "portfolio.xlsx")["Ranked"])


def test_an_existing_folder_is_a_path_before_a_glob(tmp_path):
    root = tmp_path / "drive [EU]"
    root.mkdir()
    write_team(root / "eu.xlsx", [initiative()])
    report = run_batch([str(root)], tmp_path / "out", workers=1)
    assert [o.name for o in report.processed] == ["eu.xlsx"]


def test_a_mistyped_drive_leaves_the_last_portfolio_as_it_was(drive, tmp_path):
    out = tmp_path / "out"
    run_batch([str(drive)], out, workers=1)
    before = {name: (out / name).read_bytes() for name in ("portfolio.xlsx", "index.html")}
    result = run(tmp_path / "drvie", "--out", out)
    assert result.exit_code == 1 and "found no workbook" in result.output and "Traceback" not in result.output
    assert {name: (out / name).read_bytes() for name in before} == before


def test_index_links_encode_every_path_segment(tmp_path):
    root = tmp_path / "drive"
    for folder in ("javascript:alert(document.domain)", "a#b?c"):
        (root / folder).mkdir(parents=True)
        write_team(root / folder / "p#1?.xlsx", [initiative()], settings={"Team": folder})
    run_batch([str(root)], tmp_path / "out", workers=1)
    hrefs = re.findall(r'href="([^"]*)"', (tmp_path / "out" / "index.html").read_text())
    assert "./javascript%3Aalert%28document.domain%29/p%231%3F.html" in hrefs
    assert "./a%23b%3Fc/p%231%3F.html" in hrefs
    assert not any(h.startswith("javascript:") for h in hrefs)


def test_a_workbook_whose_outputs_cannot_be_written_fails_alone(drive, tmp_path):
    write_team(drive / ("p" * 245 + ".xlsx"), [initiative()])
    report = run_batch([str(drive)], tmp_path / "out", workers=1)
    long = [p for p in report.failed if "ppppp" in p.workbook]
    assert long and "could not be written (File name too long)" in long[0].reason
    assert len(report.processed) == 3 and (tmp_path / "out" / "portfolio.xlsx").exists()
