"""The command line: arguments in, one library call, messages and exit codes out."""
import subprocess
import sys

from click.testing import CliRunner

from leverkit.cli import cli

from .conftest import initiative


def run(*args):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_report_writes_ranked_workbook_and_summary(team, tmp_path):
    path = team([initiative()], name="ops.xlsx")
    result = run("report", path, "--out", tmp_path / "reports")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "reports" / "ops_ranked.xlsx").is_file() and (tmp_path / "reports" / "ops.html").is_file()
    assert "ops.xlsx: ranked 1 initiative ->" in result.output


def test_invalid_rows_are_reported_with_file_and_cell_but_still_exit_0(team, tmp_path):
    path = team([initiative(growth_month=5), initiative()], name="ops.xlsx")
    result = run("report", path, "--out", tmp_path)
    assert result.exit_code == 0
    assert f"{path}: Initiatives!J2: growth 5 looks like a percent; enter 5% or 0.05" in result.output
    assert "1 invalid row left out" in result.output


def test_strict_fails_on_an_invalid_row_and_writes_nothing(team, tmp_path):
    path = team([initiative(growth_month=5), initiative()], name="ops.xlsx")
    result = run("report", path, "--strict", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "1 invalid row; nothing written (--strict)" in result.output and "Initiatives!J2" in result.output
    assert not (tmp_path / "out").exists()


def test_several_workbooks_one_broken(team, tmp_path):
    good = team([initiative()], name="a.xlsx")
    bad = tmp_path / "b.xlsx"
    bad.write_text("not a workbook")
    result = run("report", good, bad, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"error: {bad}: is a text file (such as CSV), not an Excel workbook" in result.output
    assert (tmp_path / "out" / "a_ranked.xlsx").exists()
    assert "Ranking" in result.output  # the progress bar's label


def test_a_bad_setting_exits_1_before_writing(team, tmp_path):
    path = team([initiative()], settings={"Horizon (months)": 0})
    result = run("report", path, "--out", tmp_path / "out")
    assert result.exit_code == 1 and "Settings!B2" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2():
    assert run("report").exit_code == 2
    assert run("report", "x.xlsx", "--bogus").exit_code == 2
    assert run("nonsense").exit_code == 2


def test_help_for_each_command():
    for command in ([], ["report"], ["template"]):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output
    assert "--in-place" in run("report", "--help").output


def test_template_refuses_to_overwrite(tmp_path):
    path = tmp_path / "plan.xlsx"
    assert run("template", path).exit_code == 0
    path.write_bytes(b"a team's work")
    result = run("template", path)
    assert result.exit_code == 2 and "exists" in result.output
    assert path.read_bytes() == b"a team's work"
    assert run("template", path, "--force").exit_code == 0


def test_python_dash_m_and_the_console_script(team, tmp_path):
    path = team([initiative()], name="m.xlsx")
    result = subprocess.run([sys.executable, "-m", "leverkit", "report", str(path), "--out", str(tmp_path / "o")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "m.html").exists()
    version = subprocess.run(["leverkit", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and "version" in version.stdout


def test_long_steps_show_their_progress(team, monkeypatch):
    """A step that takes longer than SHOW_AFTER seconds gets a bar (when not on a terminal, click prints its label);
    here every step counts as long."""
    from leverkit import cli as command
    from leverkit import simulation

    monkeypatch.setattr(command, "SHOW_AFTER", -1.0)
    monkeypatch.setattr(simulation, "CHUNK_CELLS", 5000)  # one initiative's draws at a time: three steps forward
    path = team([initiative(id=f"R{k}", value_per_reach="10 to 40") for k in range(3)],
                settings={"Simulation draws": 5000})
    result = CliRunner().invoke(command.cli, ["report", str(path), "--out", str(path.parent / "out")])
    assert result.exit_code == 0, result.output
    for label in ("Simulating the ranges", "The portfolio's cash, draw by draw", "Writing the workbook"):
        assert label in result.output
    monkeypatch.setattr(command, "SHOW_AFTER", 60.0)
    quiet = CliRunner().invoke(command.cli, ["report", str(path), "--out", str(path.parent / "out")])
    assert "Simulating" not in quiet.output  # quick steps stay silent


def test_a_batch_error_starts_its_own_line_after_the_progress_bar(tmp_path):
    """In a terminal the bar ends its line before the error is printed (a pseudo-terminal stands in for one)."""
    import os
    import pty

    from .conftest import write_team

    (tmp_path / "drive").mkdir()
    write_team(tmp_path / "drive" / "a.xlsx", [initiative()], settings={"Currency": "EUR"})
    write_team(tmp_path / "drive" / "b.xlsx", [initiative()], settings={"Currency": "USD"})
    main, child = pty.openpty()
    done = subprocess.run([sys.executable, "-m", "leverkit", "batch", str(tmp_path / "drive"), "--out",
                           str(tmp_path / "out"), "--workers", "1", "--budget", "100"],
                          stdin=subprocess.DEVNULL, stdout=child, stderr=child, timeout=120)
    os.close(child)
    shown = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: all is read
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    lines = shown.decode().replace("\r", "\n").splitlines()
    assert done.returncode == 1
    assert any(line.startswith("error: a company-wide budget or capacity cannot add up amounts") for line in lines)
    assert any("Ranking" in line and "100%" in line for line in lines)  # the bar was drawn, as in a terminal
