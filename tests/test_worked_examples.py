"""The two worked examples of docs/model.md, sections 5 and 8: each is written as a real workbook (openpyxl), read
and ranked by leverkit, and every number the text states is computed again here by hand (numpy_financial for
NPVs, enumeration for the choice) and checked against leverkit and against the text itself."""
import datetime
import itertools
from pathlib import Path

import numpy as np
import numpy_financial as npf
import openpyxl
import pytest

import leverkit

MODEL = Path(__file__).parent.parent / "docs" / "model.md"
INITIATIVE_HEADERS = ["ID", "Initiative", "Leverage form", "Upfront cost", "Maintenance / month", "Reach / month",
                      "Value per reach", "Delay (months)", "Quality (1-5)", "Confidence", "Start", "Requires",
                      "Alternative group"]


def section(title: str) -> str:
    """The text of docs/model.md from the heading `title` to the next heading of its level or above, with
    whitespace folded so that sentences match whatever their line breaks."""
    text = MODEL.read_text(encoding="utf-8")
    start = text.index(f"### {title}\n")
    end = min((i for i in (text.find("\n## ", start), text.find("\n### ", start + 1)) if i != -1), default=len(text))
    return " ".join(text[start:end].split())


def shown(x: float) -> str:
    """An amount as the text shows it: thousands separated by commas, a true minus sign.

    >>> shown(-1050.0), shown(2887.5), shown(0.0)
    ('−1,050', '2,887.5', '0')
    """
    assert x == pytest.approx(round(x, 1), abs=1e-9)
    text = f"{abs(x):,.1f}".removesuffix(".0")
    return ("−" if round(x, 1) < 0 else "") + text


def row(*cells: str) -> str:
    """A Markdown table row, as the text writes it (an empty cell as `| |`).

    >>> row("A", "", "1,200")
    '| A | | 1,200 |'
    """
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def write_workbook(path: Path, rows: list[dict], settings: dict, actuals=()) -> Path:
    """A team workbook as a planner types it: Initiatives, Settings and (when given) Actuals."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Initiatives"
    sheet.append(INITIATIVE_HEADERS)
    for item in rows:
        sheet.append([item.get(h) for h in INITIATIVE_HEADERS])
    named = book.create_sheet("Settings")
    named.append(["Setting", "Value"])
    for name, value in settings.items():
        named.append([name, value])
    if actuals:
        done = book.create_sheet("Actuals")
        done.append(["ID", "Month", "Gross value", "Spend"])
        for line in actuals:
            done.append(list(line))
    book.save(path)
    return path


# -- section 8: sunk cost, forward value, As of and the cash view -------------------------------------------------

PORTAL = {"ID": "A", "Initiative": "Self-service portal", "Leverage form": "code", "Upfront cost": 3000,
          "Maintenance / month": 100, "Reach / month": 10, "Value per reach": 50, "Delay (months)": 0,
          "Quality (1-5)": 4, "Confidence": 0.9, "Start": datetime.datetime(2025, 12, 17)}
INVOICES = {"ID": "B", "Initiative": "Invoice automation", "Leverage form": "code", "Upfront cost": 1200,
            "Maintenance / month": 50, "Reach / month": 20, "Value per reach": 25, "Delay (months)": 2,
            "Quality (1-5)": 4, "Confidence": 0.8}
PLAYBOOK = {"ID": "C", "Initiative": "Sales playbook", "Leverage form": "process", "Upfront cost": 800,
            "Maintenance / month": 0, "Reach / month": 10, "Value per reach": 20, "Delay (months)": 0,
            "Quality (1-5)": 4, "Confidence": 1.0}
PORTAL_ACTUALS = [("A", datetime.datetime(2025, 12, 31), 300, 3100), ("A", "2026-01", 300, 100),
                  ("A", datetime.datetime(2026, 2, 1), 300, 100)]
OPERATIONS = {"Team": "Operations", "As of": "2026-03", "Horizon (months)": 12, "Discount rate (annual)": 0,
              "Fiscal year starts": "July", "Budget": 1500, "Simulation draws": 0}


@pytest.fixture(scope="module")
def operations(tmp_path_factory):
    folder = tmp_path_factory.mktemp("operations")
    path = write_workbook(folder / "operations.xlsx", [PORTAL, INVOICES, PLAYBOOK], OPERATIONS, PORTAL_ACTUALS)
    return leverkit.report(path, folder / "out", parallel=False)


def test_the_example_rows_are_the_ones_the_text_shows():
    text = section("Worked example: sunk cost, forward value, As of and the cash view")
    for item, start in ((PORTAL, "2025-12"), (INVOICES, ""), (PLAYBOOK, "")):
        assert row(item["ID"], item["Initiative"], *(shown(item[h]) for h in INITIATIVE_HEADERS[3:8]),
                   f"{item['Confidence']:.0%}", start) in text
    for item_id, month, gross, spend in PORTAL_ACTUALS:
        month = month if isinstance(month, str) else f"{month:%Y-%m}"
        assert row(item_id, month, shown(gross), shown(spend)) in text
    assert "As of `2026-03`, a 12-month horizon, a 0% discount rate" in text
    assert "Fiscal year starts `July`, a Budget of 1,500, Simulation draws 0" in text


def test_where_the_portal_stands_and_what_its_actuals_say(operations):
    ranking, text = operations.ranking, section("Worked example: sunk cost, forward value, As of and the cash view")
    assert not operations.plan.issues
    assert ranking.progress.status.tolist() == ["started", "new", "new"]
    months_to_as_of = (2026 - 2025) * 12 + (3 - 12)  # December 2025 to March 2026
    elapsed = months_to_as_of + 1
    assert elapsed == 4 and ranking.progress.elapsed[0] == elapsed and "**E = 4**" in text
    tracking = ranking.tracking
    assert tracking.elapsed.tolist() == [4] and tracking.reported.tolist() == [3] and tracking.last.tolist() == [3]
    projected, actual = 3 * 10 * 50, 300 + 300 + 300
    rho = actual / projected
    assert tracking.projected_gross[0] == pytest.approx(projected) and tracking.actual_gross[0] == pytest.approx(actual)
    assert tracking.realisation[0] == pytest.approx(rho) and "**realisation ρ = 900 ÷ 1,500 = 0.6**" in text
    assert "BEHIND_PLAN" in [code for code, _ in ranking.projection.warnings[0]]
    assert tracking.projected_spend[0] == pytest.approx(3000 + 3 * 100) == tracking.actual_spend[0]
    plan_npv = npf.npv(0.0, [-3000] + [10 * 50 - 100] * 12)
    reforecast = npf.npv(0.0, [-3000, 300 - (3100 - 3000), 300 - 100, 300 - 100] + [rho * 500 - 100] * 9)
    assert (plan_npv, reforecast) == (pytest.approx(1800), pytest.approx(-600))
    assert tracking.npv_plan[0] == pytest.approx(plan_npv) and tracking.npv_reforecast[0] == pytest.approx(reforecast)
    assert "−3,000 + 12 × (500 − 100) = 1,800" in text and "−3,000 + 12 × 200 = **−600**" in text


def test_the_forward_value_the_values_and_the_choice(operations):
    ranking, text = operations.ranking, section("Worked example: sunk cost, forward value, As of and the cash view")
    monthly = 0.6 * 500 - 100
    forward = sum(monthly / (1 + 0.0) ** (t - 4) for t in range(5, 13))
    assert forward == pytest.approx(1600) and ranking.progress.forward[0] == pytest.approx(forward)
    invoices = npf.npv(0.0, [-1200, -50, -50] + [20 * 25 - 50] * 10)
    playbook = npf.npv(0.0, [-800] + [10 * 20] * 12)
    values = [0.9 * forward, 0.8 * invoices, 1.0 * playbook]
    assert ranking.projection.npv[1:].tolist() == pytest.approx([invoices, playbook])
    assert ranking.value.tolist() == pytest.approx(values) and values == pytest.approx([1440, 2560, 1600])
    assert "8 × 200 = 1,600" in text and "90% × 1,600 = **1,440**" in text
    assert "−1,200 − 2 × 50 + 10 × (20 × 25 − 50) = 3,200 NPV, × 80% = **2,560**" in text
    assert "−800 + 12 × 200 = **1,600**" in text
    f = ranking.funding
    assert 1200 + 800 > 1500 and values[1] > values[2]  # B and C cannot both fit; B alone is worth more
    assert f.verdicts == ["continue", "fund", "does not fit"]
    assert "A `continue`, B `fund`, C `does not fit`" in text
    assert f.upfront == pytest.approx(1200) and f.budget_left == pytest.approx(300)
    assert f.maintenance == pytest.approx(100 + 50) and f.value == pytest.approx(values[0] + values[1])
    heading = ("Fund these 2: USD 1,200 of the USD 1,500 budget, USD 150 a month in maintenance, value USD 4,000 "
               "(risk-adjusted)")
    assert heading in text and "with 300 of the Budget left" in text
    decision = openpyxl.load_workbook(operations.written[0], read_only=True)["Decision"]
    assert next(decision.iter_rows(max_row=1, values_only=True))[0] == f"{heading} — Operations, as of 2026-03"


def test_the_cash_view_month_by_month(operations):
    cash, text = operations.ranking.cash, section("Worked example: sunk cost, forward value, As of and the cash view")
    months = [datetime.date(2026 + (3 + m) // 12, (3 + m) % 12 + 1, 1) for m in range(12)]  # April 2026 on
    portal = np.zeros(12)
    portal[:8] = 0.6 * 500 - 100  # its months 5..12: April to November 2026
    invoices = np.array([-1200 - 50, -50] + [500 - 50] * 10, float)  # upfront and month 1 in April, then the delay
    flow = portal + invoices
    cumulative = np.cumsum(flow)
    assert cash.months == months
    assert cash.flow.tolist() == pytest.approx(flow.tolist())
    assert cash.cumulative.tolist() == pytest.approx(cumulative.tolist())
    need = -cumulative.min()
    need_month = months[int(np.argmin(cumulative))]
    payback = months[int(np.flatnonzero(cumulative < 0)[-1]) + 1]
    assert (need, need_month, payback) == (1050, datetime.date(2026, 4, 1), datetime.date(2026, 7, 1))
    assert (cash.need, cash.need_month, cash.payback_month) == (pytest.approx(need), need_month, payback)
    assert cumulative[-1] == pytest.approx(1600 + 3200)  # the portal's F and B's NPV
    assert "**cash need is 1,050, in 2026-04**" in text and "**payback month is 2026-07**" in text
    assert "The last C, 4,800, is the portal's F (1,600) plus B's NPV (3,200)" in text
    for k in range(4):
        assert row(f"{months[k]:%Y-%m}", shown(portal[k]), shown(invoices[k]), shown(flow[k]),
                   shown(cumulative[k])) in text
    assert row("2026-08 to 2026-11", "200", "450", "650 each", f"{shown(cumulative[4])} to {shown(cumulative[7])}") in text
    assert row("2026-12 to 2027-03", "—", "450", "450 each", f"{shown(cumulative[8])} to {shown(cumulative[11])}") in text
    facts = {label: value for label, value in openpyxl.load_workbook(operations.written[0], read_only=True)["Decision"]
             .iter_rows(min_col=1, max_col=2, values_only=True) if isinstance(label, str)}
    assert facts["Cash need"] == pytest.approx(need)
    assert facts["Cash need month"].date() == need_month and facts["Payback month"].date() == payback


def test_the_fiscal_years(operations):
    cash, text = operations.ranking.cash, section("Worked example: sunk cost, forward value, As of and the cash view")
    months = [(2026 + (3 + m) // 12, (3 + m) % 12 + 1) for m in range(12)]
    names = [f"FY{year + (1 if month >= 7 else 0)}" for year, month in months]  # July starts the next fiscal year
    upfront = np.array([1200.0] + [0.0] * 11)
    maintenance = np.array([100.0] * 8 + [0.0] * 4) + 50.0
    gross = np.array([0.6 * 500] * 8 + [0.0] * 4) + np.array([0.0, 0.0] + [500.0] * 10)
    expected = []
    for name in dict.fromkeys(names):
        at = np.array([n == name for n in names])
        net = gross[at].sum() - maintenance[at].sum() - upfront[at].sum()
        end = (gross - maintenance - upfront).cumsum()[at][-1]
        expected.append((name, upfront[at].sum(), maintenance[at].sum(), gross[at].sum(), net, end))
    assert expected == [("FY2026", 1200, 450, 1400, -250, -250), ("FY2027", 0, 950, 6000, 5050, 4800)]
    found = [(y.name, y.upfront, y.maintenance, y.gross, y.net, y.cumulative) for y in cash.fiscal_years]
    assert [y[0] for y in found] == [y[0] for y in expected]
    for mine, theirs in zip(found, expected):
        assert mine[1:] == pytest.approx(theirs[1:])
    for name, *figures in expected:
        assert row(name, *map(shown, figures)) in text


# -- section 5: hire, automate or write a checklist? ---------------------------------------------------------------

CHECKLIST = {"ID": "EX1", "Initiative": "Onboarding checklist", "Leverage form": "process", "Upfront cost": 800,
             "Maintenance / month": 20, "Reach / month": 6, "Value per reach": 10, "Delay (months)": 0,
             "Quality (1-5)": 3}
AUTOMATE = {"ID": "EX2", "Initiative": "Automate onboarding", "Leverage form": "code", "Upfront cost": 2500,
            "Maintenance / month": 50, "Reach / month": 6, "Value per reach": 110, "Delay (months)": 1,
            "Quality (1-5)": 4, "Requires": "EX1", "Alternative group": "onboarding"}
HIRE = {"ID": "EX3", "Initiative": "Hire a coordinator", "Leverage form": "labor", "Upfront cost": 3000,
        "Maintenance / month": 2500, "Reach / month": 6, "Value per reach": 550, "Delay (months)": 1,
        "Quality (1-5)": 4, "Alternative group": "onboarding"}
ONBOARDING = [CHECKLIST, AUTOMATE, HIRE]
HAND = "Worked example: hire, automate or write a checklist?"


def onboarding(tmp_path: Path, budget: float):
    settings = {"Horizon (months)": 12, "Discount rate (annual)": 0, "As of": "2026-03", "Budget": budget,
                "Simulation draws": 0}
    plan = leverkit.load(write_workbook(tmp_path / f"onboarding_{budget:g}.xlsx", ONBOARDING, settings))
    assert not plan.issues
    return leverkit.rank(plan)


def hand_values() -> list[float]:
    """Each one's NPV month by month (every Confidence is 100%, so value = NPV)."""
    return [npf.npv(0.0, [-800] + [6 * 10 - 20] * 12),
            npf.npv(0.0, [-2500, -50] + [6 * 110 - 50] * 11),
            npf.npv(0.0, [-3000, -2500] + [6 * 550 - 2500] * 11)]


def best(budget: float, values: list[float]) -> tuple[float, tuple[int, ...]]:
    """The best total value within `budget` over every set section 5 allows: EX2 needs EX1, EX2 and EX3 exclude
    each other, and an initiative worth 0 or less is in only when one in the set requires it."""
    upfront = [800, 2500, 3000]
    found = (0.0, ())
    for picks in itertools.chain.from_iterable(itertools.combinations(range(3), k) for k in range(4)):
        if (1 in picks and 0 not in picks) or {1, 2} <= set(picks) or sum(upfront[i] for i in picks) > budget:
            continue
        if any(values[i] <= 0 and not (i == 0 and 1 in picks) for i in picks):
            continue
        total = sum(values[i] for i in picks)
        found = max(found, (total, picks))
    return found


def test_the_onboarding_rows_are_the_ones_the_text_shows():
    text = section(HAND)
    for item in ONBOARDING:
        assert row(item["ID"], item["Initiative"], *(shown(item[h]) for h in INITIATIVE_HEADERS[3:9]),
                   item.get("Requires", ""), item.get("Alternative group", "")) in text
    assert "a 12-month horizon, a 0% discount rate" in text and "a Budget of 3,500" in text


def test_each_ones_value_and_what_the_choice_funds(tmp_path):
    text, values = section(HAND), hand_values()
    assert values == pytest.approx([-320, 4160, 3300])
    assert "−800 + 12 × 40 = **−320**" in text and "−2,500 − 50 + 11 × (660 − 50) = **4,160**" in text
    assert "−3,000 − 2,500 + 11 × (3,300 − 2,500) = **3,300**" in text
    ranking = onboarding(tmp_path, 3500)
    assert ranking.value.tolist() == pytest.approx(values)
    total, picks = best(3500, values)
    assert picks == (0, 1) and total == pytest.approx(3840)
    assert ranking.funding.chosen.tolist() == [True, True, False]
    assert ranking.funding.value == pytest.approx(total) and ranking.funding.upfront == pytest.approx(3300)
    assert best(3500, values)[0] > values[2]  # the hire alone is worth less
    assert "EX3 alone (3,000 upfront, value 3,300) and EX2 with EX1 (3,300 upfront, value 4,160 − 320 = 3,840)" in text
    assert ranking.funding.verdicts == ["fund (required by EX2)", "fund", "alternative chosen: EX2"]
    for item, verdict in zip(ONBOARDING, ranking.funding.verdicts):
        assert f"| {item['ID']} | `{verdict}` |" in text


def test_with_a_smaller_budget_it_hires(tmp_path):
    text, values = section(HAND), hand_values()
    total, picks = best(3200, values)
    assert picks == (2,) and total == pytest.approx(3300)
    ranking = onboarding(tmp_path, 3200)
    assert ranking.funding.chosen.tolist() == [False, False, True]
    assert ranking.funding.verdicts == ["does not pay", "alternative chosen: EX3", "fund"]
    assert ("EX3's verdict becomes `fund`, EX2's `alternative chosen: EX3`, and EX1's `does not pay`") in text


def test_the_frontier(tmp_path):
    text, values = section(HAND), hand_values()
    curve = onboarding(tmp_path, 3500).funding.frontier
    b_max = 800 + 2500 + 3000  # EX2 and EX3 pay; EX1 is required by EX2
    budgets = np.linspace(0, b_max, 25)
    assert budgets[1] - budgets[0] == pytest.approx(262.5)
    assert curve.budgets.tolist() == pytest.approx(budgets.tolist())
    assert curve.values.tolist() == pytest.approx([best(b, values)[0] for b in budgets])
    assert curve.proven.all()
    assert [(budgets[k], best(budgets[k], values)[0]) for k in (11, 12, 13, 24)] == [
        (2887.5, 0.0), (3150.0, 3300.0), (3412.5, 3840.0), (6300.0, 3840.0)]
    assert "B_max = 800 + 2,500 + 3,000 = 6,300" in text and "262.5 apart" in text
    assert "is 0 up to 2,887.5" in text and "3,300 at 3,150 (the hire)" in text
    assert "3,840 from 3,412.5 all the way to 6,300" in text and "the last 2,887.5 would pay" in text
    assert b_max - 3412.5 == pytest.approx(2887.5)
