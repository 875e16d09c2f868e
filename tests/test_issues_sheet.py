"""The Issues sheet says which initiative each problem belongs to, and where to look."""
import leverkit

from .conftest import HEADERS, calamine_sheets, initiative


def issues_of(team, rows, headers=None):
    path = team(rows, headers=headers)
    report = leverkit.report(path, path.parent / "out")
    sheet = calamine_sheets(next(p for p in report.written if p.suffix == ".xlsx"))["Issues"]
    return [dict(zip(sheet[0], row)) for row in sheet[1:]]


def test_an_invalid_cell_names_the_initiative_in_its_row(team):
    rows = issues_of(team, [initiative(id="OK"), initiative(id="BAD", initiative="Portal", growth_month=5)])
    bad = next(r for r in rows if r["Kind"] == "invalid cell")
    assert (bad["Cell"], bad["ID"], bad["Initiative"]) == ("J3", "BAD", "Portal")


def test_a_warning_points_at_its_initiatives_id_cell(team):
    rows = issues_of(team, [initiative(id="OK"), initiative(id="W", lever_point="symptom")])
    warning = next(r for r in rows if r["Code"] == "SYMPTOM_FIX")
    assert (warning["Sheet"], warning["Cell"], warning["ID"]) == ("Initiatives", "A3", "W")


def test_without_an_id_column_a_warning_points_at_the_initiative_cell(team):
    headers = [h for h in HEADERS if h != "ID"]
    rows = issues_of(team, [initiative(), initiative(initiative="Fix", lever_point="symptom")], headers=headers)
    warning = next(r for r in rows if r["Code"] == "SYMPTOM_FIX")
    assert (warning["Cell"], warning["ID"], warning["Initiative"]) == ("A3", "R3", "Fix")
