"""LibreOffice, headless, opens what leverkit writes and finds the same values (CI installs libreoffice-calc-nogui)."""
import csv
import datetime
import shutil
import subprocess

import pytest

import leverkit

from .conftest import calamine_sheets
from .test_inplace import rich_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
# comma, double quote, UTF-8, from line 1, ..., raw values not "as shown", every sheet to its own file
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def libreoffice_sheets(path, tmp_path) -> dict[str, list[list[str]]]:
    out = tmp_path / "lo"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", CSV_FILTER,
         "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    return {
        csv_path.stem[len(path.stem) + 1:]: list(csv.reader(csv_path.open(encoding="utf-8")))
        for csv_path in out.glob(f"{path.stem}-*.csv")
    }


def same(lo: str, value) -> bool:
    if isinstance(value, datetime.date):  # raw values: LibreOffice writes a date as MM/DD/YYYY
        return lo == f"{value:%m/%d/%Y}"
    if isinstance(value, float):
        number = float(lo[:-1]) / 100 if lo.endswith("%") else float(lo)
        return number == pytest.approx(value, rel=1e-12, abs=1e-9)
    return lo == str(value)


def assert_same_sheet(lo_rows, calamine_rows):
    width = max(len(r) for r in calamine_rows)
    for lo_row, row in zip(lo_rows, calamine_rows):
        row = row + [""] * (width - len(row))
        lo_row = lo_row + [""] * (width - len(lo_row))
        for lo_value, value in zip(lo_row, row):
            assert same(lo_value, value), (lo_row, row)
    assert len(lo_rows) == len(calamine_rows)


def test_ranked_workbook_opens_with_the_same_values(tmp_path):
    result = leverkit.report("workbooks/operations.xlsx", tmp_path / "out")
    ranked = result.written[0]
    lo, ours = libreoffice_sheets(ranked, tmp_path), calamine_sheets(ranked)
    assert sorted(lo) == sorted(ours) == ["Decision", "Issues", "Portfolio", "Projection", "Ranked", "Sensitivity", "Tracking"]
    for name in ours:
        assert_same_sheet(lo[name], ours[name])
    assert lo["Ranked"][0][0] == "Rank" and len(lo["Ranked"]) == 17


def test_in_place_macro_workbook_opens(tmp_path):
    path = rich_workbook(tmp_path / "team.xlsm", tmp_path)
    leverkit.write_in_place(leverkit.rank(leverkit.load(path)), path)
    lo = libreoffice_sheets(path, tmp_path)
    assert {"Initiatives", "Budget", "Decision", "Ranked", "Projection", "Portfolio", "Issues"} <= set(lo)
    assert lo["Budget"][4][:2] == ["", "600"] or lo["Budget"][4][1] == "600"
    assert_same_sheet(lo["Ranked"], calamine_sheets(path)["Ranked"])


def test_the_macro_workbook_opens(tmp_path):
    path = tmp_path / "team_plan.xlsm"
    leverkit.write_macro_workbook(path)
    lo = libreoffice_sheets(path, tmp_path)
    assert sorted(lo) == ["Actuals", "Initiatives", "Instructions", "Settings"]
    assert lo["Initiatives"][2][:2] == ["ID", "Initiative"] and lo["Initiatives"][3][1] == "Client onboarding checklist"
