"""Generated workbooks (Hypothesis): whatever a team types, leverkit either ranks it or says in one line why not.

The default example count keeps CI quick; run more with
`LEVERKIT_FUZZ_EXAMPLES=2000 python -m pytest tests/test_fuzz.py`.
"""
import math
import os

import xlsxwriter
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import leverkit
from leverkit import LeverkitError

from .conftest import HEADERS, audit, calamine_sheets

EXAMPLES = int(os.environ.get("LEVERKIT_FUZZ_EXAMPLES", "25"))
ERRORS = ["#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]

numbers = st.one_of(
    st.integers(-10, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1e-300, 5e-324, 1e15, 1e300, 1.7976931348623157e308, -1.0, 0.05, 0.999999]),
)
words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
texts = st.one_of(
    words,
    st.sampled_from(["$\\foo$", "$x^$", "<script>x</script>", "=HYPERLINK(\"x\")", "計画 🚀", "a\x07b", "\x00",
                     "code", "Automation", "media & content", "symptom", "reinforcing loop", "fund", "skip"]),
    st.builds(lambda a, b: f"{a} to {b}", numbers, numbers),
    st.builds(lambda a: f"{a}%", st.integers(-200, 500)),
    st.builds(lambda a, c: f"{c}{a:,}", st.integers(0, 10**12), st.sampled_from(["$", "€", "", "USD "])),
    st.sampled_from(["1" + "0" * 400, "1" + " " * 300 + "x", "2024-02-30", "2025-03"]),
)
cells = st.one_of(st.none(), numbers, texts, st.booleans(), st.sampled_from([("error", e) for e in ERRORS]))
valid_row = st.fixed_dictionaries({
    "Initiative": st.text(min_size=1, max_size=20).filter(str.strip), "Leverage form": st.sampled_from(["code", "capital"]),
    "Upfront cost": st.integers(0, 10**6), "Reach / month": st.integers(0, 10**4), "Value per reach": st.integers(0, 500),
    "Quality (1-5)": st.integers(1, 5), "Growth / month": st.sampled_from([None, 0.02, "1% to 4%"]),
})
setting_values = st.dictionaries(
    st.sampled_from(["Team", "Currency", "Horizon (months)", "Discount rate (annual)", "Amplification threshold",
                     "Rank by", "Budget", "Monthly capacity", "Simulation draws", "Random seed", "Colour"]),
    cells, max_size=4)


REQUIRED = ["Initiative", "Leverage form", "Upfront cost", "Reach / month", "Value per reach", "Quality (1-5)"]


@st.composite
def workbooks(draw):
    """Mostly workbooks that can be ranked (every required column, few settings), so the writers are exercised;
    now and then one missing a required column or holding a bad setting."""
    optional = draw(st.lists(st.sampled_from([h for h in HEADERS if h not in REQUIRED]), unique=True))
    required = REQUIRED if draw(st.integers(0, 9)) else REQUIRED[1:]
    headers = draw(st.permutations(required + optional))
    headers += draw(st.lists(st.sampled_from(["Budget line", "Notes 2", "<b>Team\x01</b>", "Initiative2"]),
                             max_size=2, unique=True))
    rows = draw(st.lists(st.one_of(valid_row, st.dictionaries(st.sampled_from(headers), cells)), max_size=6))
    settings_ = draw(st.one_of(st.just({}), setting_values)) if draw(st.integers(0, 2)) else {}
    return headers, rows, settings_


def write(path, headers, rows, settings_):
    with xlsxwriter.Workbook(path, {"strings_to_numbers": False, "strings_to_formulas": False,
                                    "strings_to_urls": False, "nan_inf_to_errors": True}) as wb:
        sheet = wb.add_worksheet("Initiatives")
        sheet.write_row(0, 0, headers)
        for r, row in enumerate(rows, start=1):
            for c, header in enumerate(headers):
                put(sheet, r, c, row.get(header))
        settings_sheet = wb.add_worksheet("Settings")
        settings_sheet.write_row(0, 0, ["Setting", "Value"])
        for r, (name, value) in enumerate(settings_.items(), start=1):
            settings_sheet.write_string(r, 0, name)
            put(settings_sheet, r, 1, value)


def put(sheet, r, c, value):
    if value is None:
        return
    if isinstance(value, tuple):
        sheet.write_formula(r, c, "=1/0", None, value[1])  # a formula whose saved value is an Excel error
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value)
    else:
        sheet.write_string(r, c, value)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])
@given(workbooks())
def test_any_workbook_is_ranked_or_refused_in_one_line(tmp_path_factory, book):
    headers, rows, settings_ = book
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "team.xlsx"
    write(path, headers, rows, settings_)
    try:
        result = leverkit.report(path, folder / "out")
    except LeverkitError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))
        event("refused in one sentence")
        return
    event("ranked")
    plan = result.plan
    written_rows = sum(1 for row in rows if any(row.get(h) not in (None, "") for h in headers))
    assert len(plan.initiatives) + plan.invalid_rows == written_rows
    for out in result.written:
        if out.suffix == ".xlsx":
            sheets = calamine_sheets(out)
            assert len(sheets["Ranked"]) == len(plan.initiatives) + 1
            numbers = [v for rows_ in sheets.values() for row in rows_ for v in row if isinstance(v, float)]
            assert all(math.isfinite(v) for v in numbers)
            assert audit(out) == set()
