"""The README's first screen stays true: its test command is the one CI runs, its example exists."""
import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def commands():
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_ci_runs_the_readme_test_command():
    run, test = commands()[:2]
    assert "pytest" in test
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()


def test_the_readme_example_workbook_exists():
    run = commands()[0]
    workbook = re.search(r"leverkit report (\S+)", run).group(1)
    assert (ROOT / workbook).is_file()
