"""The sheets leverkit writes (docs/model.md section 6), as plain tables of values.

The Excel writer, the HTML writer and the Excel button all render these same
tables, so every output shows the same numbers under the same headers.
Blank cells are None; numbers are Python floats and ints.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .cash import FISCAL_COLUMNS, CashView
from .funding import Funding
from .issues import WARNING, Issue, issue
from .plan import Initiative
from .ranking import Ranking
from .schema import MONTHS, SETTING_BY_KEY, header_key
from .tracking import CALIBRATION_COLUMNS, STARTED, TRACKING_COLUMNS



@dataclass
class Table:
    name: str  # the Excel table name
    headers: list[str]
    kinds: list[str]  # int, money, months, multiple, percent, number, text, month, auto
    rows: list[list]
    totals: list | None = None  # a totals row (Excel writes it as SUBTOTAL formulas)
    cell_kinds: dict[tuple[int, int], str] | None = None  # (row, column) -> kind, where a column mixes kinds
    caption: str = ""  # a line above the table, on sheets whose tables stand one under another

    def kind(self, r: int, c: int) -> str:
        return (self.cell_kinds or {}).get((r, c), self.kinds[c])

    @property
    def height(self) -> int:
        """Rows the table takes: its header, its body (one blank row when empty) and its totals row."""
        return 1 + max(len(self.rows), 1) + (1 if self.totals is not None else 0)


@dataclass
class Sheet:
    """An output sheet: its tables side by side (`down` false) or each under the one before, and an optional
    heading line above them all."""

    tables: list[Table]
    down: bool = False
    heading: str = ""

    def places(self) -> list[tuple[Table, int, int]]:
        """(table, top row, left column), zero-based, of each table's header row; a caption sits on the row
        above its table, the heading on row 0 with a blank row under it."""
        row = 2 if self.heading else 0
        placed, left = [], 0
        for table in self.tables:
            if self.down:
                row += 1 if table.caption else 0
                placed.append((table, row, 0))
                row += table.height + 1
            else:
                placed.append((table, row, left))
                left += len(table.headers) + 1
        return placed


OUTPUT_SHEETS = ("Decision", "Ranked", "Projection", "Portfolio", "Sensitivity", "Tracking", "Issues")
MARKER_PREFIX = "_leverkit_"
FLAG_COLOURS = {"red": ("#F8CBAD", "#9C0006"), "amber": ("#FFE699", "#7F6000"), "green": ("#C6EFCE", "#006100")}  # fill, font


def marker(sheet: str) -> tuple[str, str]:
    """The defined name, and what it refers to, that marks `sheet` as written by leverkit.

    Excel keeps the reference pointing at the sheet if someone renames it, so a
    re-run knows its own sheets and never mistakes a team's sheet for one.
    """
    return MARKER_PREFIX + sheet, "'" + sheet.replace("'", "''") + "'!$A$1"


MARKED_CELL = re.compile(r"=?\s*(?:'((?:[^']|'')+)'|([^'!]+))!\$A\$1\s*")  # a sheet, quoted or bare, then !$A$1


def marked_output(name: str) -> str | None:
    """The output sheet a marker's name stands for, or None: only `_leverkit_` and exactly one of
    OUTPUT_SHEETS, so a team's own `_leverkit_notes` is never taken for a marker.

    >>> marked_output("_leverkit_Ranked"), marked_output("_leverkit_notes"), marked_output("_leverkit_ranked")
    ('Ranked', None, None)
    """
    output = name[len(MARKER_PREFIX):]
    return output if name.startswith(MARKER_PREFIX) and output in OUTPUT_SHEETS else None


def marked_sheet(name: str, refers_to: str | None) -> str | None:
    """The sheet a leverkit marker refers to (`#REF` once that sheet was deleted), or None for any other name.

    A marker is what `marker` writes: a name of `marked_output` and a reference
    to cell $A$1 of one sheet, quoted or bare (Excel saves a sheet name that
    needs no quotes without them). A name referring to anything else, such as
    a range a person pointed it at, is not one.

    >>> marked_sheet("_leverkit_Ranked", "'Ranked Q1'!$A$1"), marked_sheet("_leverkit_Ranked", "=Ranked!$A$1")
    ('Ranked Q1', 'Ranked')
    >>> marked_sheet("_leverkit_Ranked", "Budget!$A$1:$B$4"), marked_sheet("_leverkit_notes", "Notes!$A$1")
    (None, None)
    """
    if marked_output(name) is None or not refers_to:
        return None
    match = MARKED_CELL.fullmatch(refers_to)
    return (match[1].replace("''", "'") if match[1] else match[2]) if match else None


RANKED_COLUMNS = (
    ("Rank", "int"),
    ("ID", "text"),
    ("Initiative", "text"),
    ("Owner", "text"),
    ("Leverage form", "text"),
    ("Lever point", "text"),
    ("Quality (1-5)", "int"),
    ("Upfront cost", "money"),
    ("Maintenance / month", "money"),
    ("Confidence", "percent"),
    ("NPV", "money"),
    ("Risk-adjusted NPV", "money"),
    ("Payback (months)", "months"),
    ("Discounted payback (months)", "months"),
    ("Leverage multiple", "multiple"),
    ("Value at horizon", "money"),
    ("Reach at horizon", "number"),
    ("Risk flag", "text"),
    ("Risk reason", "text"),
    ("Warnings", "text"),
    ("Ranges", "text"),
    ("Status", "text"),
    ("Forward value", "money"),
    ("Value", "money"),
)
SIMULATION_COLUMNS = (
    ("NPV P10", "money"),
    ("NPV P50", "money"),
    ("NPV P90", "money"),
    ("P(NPV > 0)", "percent"),
    ("P(payback)", "percent"),
)
CLOSING_COLUMNS = (("Verdict", "text"), ("Notes", "text"))
ALL_RANKED_COLUMNS = RANKED_COLUMNS + SIMULATION_COLUMNS + CLOSING_COLUMNS  # every column a Ranked sheet may have
INPUT_KINDS = {"upfront": "money", "maintenance": "money", "reach": "number", "value": "money", "growth": "percent"}
RANGE_INPUTS = {"upfront": "Upfront cost", "maintenance": "Maintenance / month", "reach": "Reach / month",
                "value": "Value per reach", "growth": "Growth / month"}


def _blank_nan(x: float) -> float | None:
    return None if math.isnan(x) else x


def ranked_columns(ranking: Ranking) -> tuple[tuple[str, str], ...]:
    """leverkit's own Ranked columns for this ranking: the simulation's only when it ran (docs/model.md section 6)."""
    return RANKED_COLUMNS + (SIMULATION_COLUMNS if ranking.simulation is not None else ()) + CLOSING_COLUMNS


def _extra_headers(ranking: Ranking) -> list[str]:
    """The team's own extra columns, renamed where they would clash with ours."""
    ours = {h.casefold() for h, _ in ALL_RANKED_COLUMNS}
    return [h if h.casefold() not in ours else f"{h} (team)" for h in ranking.plan.extra_headers]


def amount(x: float, kind: str) -> str:
    """An input as typed, with enough digits to tell the ends of a range apart.

    >>> amount(40000.0, "money"), amount(0.1, "money"), amount(0.25, "money"), amount(0.02, "percent")
    ('40,000', '0.1', '0.25', '2%')
    """
    if kind == "percent":
        return f"{x * 100:g}%"
    if abs(x) >= 100 or x == int(x):
        return f"{x:,.0f}"
    return f"{x:.3g}"


def ranges_typed(ranges: dict[str, tuple[float, float]]) -> str | None:
    """The initiative's ranges as typed, e.g. `Upfront cost 40,000 to 70,000`; None without ranges."""
    shown = [f"{RANGE_INPUTS[f]} {amount(lo, INPUT_KINDS[f])} to {amount(hi, INPUT_KINDS[f])}"
             for f, (lo, hi) in ranges.items() if f in RANGE_INPUTS]
    return "; ".join(shown) or None


def ranked_rows(ranking: Ranking) -> tuple[list[str], list[list]]:
    """The Ranked sheet's headers and rows: leverkit's columns (`ranked_columns`), then the team's own."""
    p, sim, progress = ranking.projection, ranking.simulation, ranking.progress
    headers = [h for h, _ in ranked_columns(ranking)] + _extra_headers(ranking)
    figures = list(zip(*(a.tolist() for a in (  # Python floats, a column at a time rather than a cell at a time
        p.npv, p.risk_adjusted_npv, p.payback, p.discounted_payback, p.multiple, p.value_at_horizon,
        p.reach_at_horizon, progress.forward, ranking.value))))
    simulated = (list(zip(*(a.tolist() for a in (sim.p10, sim.p50, sim.p90, sim.p_positive, sim.p_payback))))
                 if sim is not None else None)
    flags, status = p.flags.tolist(), progress.status.tolist()
    rows = []
    for rank, item, i in ranking.ranked():
        npv, adjusted, payback, discounted, multiple, value, reach, forward, worth = figures[i]
        rows.append([
            rank, item.id, item.name, item.owner or None, item.form, item.lever_point, item.quality,
            item.upfront, item.maintenance, item.confidence, npv, adjusted,
            _blank_nan(payback), _blank_nan(discounted), _blank_nan(multiple), value, reach,
            str(flags[i]), p.reasons[i], ", ".join(code for code, _ in p.warnings[i]) or None,
            ranges_typed(item.ranges), str(status[i]), _blank_nan(forward), worth,
            *([_blank_nan(x) for x in simulated[i]] if simulated is not None else ()),
            ranking.funding.verdicts[i], item.notes or None,
            *(item.extra.get(h) for h in ranking.plan.extra_headers),
        ])
    return headers, rows


def ranked_table(ranking: Ranking) -> Table:
    headers, rows = ranked_rows(ranking)
    kinds = [k for _, k in ranked_columns(ranking)] + ["auto"] * len(ranking.plan.extra_headers)
    return Table("Ranked", headers, kinds, rows)


def projection_table(ranking: Ranking) -> Table:
    h = ranking.projection.horizon
    cumulative = ranking.projection.cumulative[ranking.order].tolist()
    rows = [[rank, item.id, item.name, *cumulative[rank - 1]] for rank, item, _ in ranking.ranked()]
    headers = ["Rank", "ID", "Initiative"] + [f"Month {t}" for t in range(h + 1)]
    return Table("Projection", headers, ["int", "text", "text"] + ["money"] * (h + 1), rows)


def by_form_table(ranking: Ranking) -> Table:
    rows = ranking.by_form()
    headers = list(rows[0])
    kinds = ["text", "int", "money", "money", "money", "money", "money", "money", "int", "int", "int"]
    return Table("PortfolioByForm", headers, kinds, [list(r.values()) for r in rows[:-1]], list(rows[-1].values()),
                 caption="Every initiative, by leverage form")


def settings_rows(ranking: Ranking) -> list[tuple[str, object, str]]:
    """(setting, value, kind) as used for this ranking."""
    s = ranking.plan.settings
    return [
        ("Team", s.team, "text"),
        ("Currency", s.currency, "text"),
        ("Horizon (months)", s.horizon, "int"),
        ("Discount rate (annual)", s.discount_rate, "percent"),
        ("Amplification threshold", s.threshold, "multiple"),
        ("Rank by", s.rank_by, "text"),
        ("Budget", s.budget, "money"),
        ("Monthly capacity", s.capacity, "money"),
        ("Simulation draws", s.draws, "int"),
        ("Random seed", s.seed, "int"),
        ("As of", s.as_of, "month"),
        ("Fiscal year starts", MONTHS[s.fiscal_start - 1], "text"),
    ]


def _pairs(name: str, headers: list[str], rows: list[tuple[str, object, str]], caption: str = "") -> Table:
    """A two-column table of labels and values, each value in its own kind's format."""
    return Table(name, headers, ["text", "auto"], [[label, value] for label, value, _ in rows],
                 cell_kinds={(r, 1): kind for r, (_, _, kind) in enumerate(rows)}, caption=caption)


def settings_table(ranking: Ranking) -> Table:
    return _pairs("SettingsUsed", ["Setting", "Value"], settings_rows(ranking), "Settings used")


def spread(ranking: Ranking) -> tuple[float, float, float, float] | None:
    """The recommended portfolio's NPV P10, P50, P90 and P(NPV > 0) before Confidence, summed draw by draw; None
    without simulation."""
    return ranking.simulation.funded if ranking.simulation is not None else None


def funding_rows(funding: Funding, spread: tuple[float, float, float, float] | None = None,
                 npv: float | None = None, currency: str = "") -> list[tuple[str, object, str]]:
    """(what, value, kind): a recommended portfolio's totals against the Budget and capacity, its value, and
    with simulation on its spread, each labelled with its basis; then whether the choice is proven best."""
    f = funding
    rows: list[tuple[str, object, str]] = [("Initiatives in the portfolio", int(f.chosen.sum()), "int"),
                                           ("Upfront cost (new initiatives)", f.upfront, "money")]
    if f.budget is not None:
        rows += [("Budget", f.budget, "money"), ("Budget left", f.budget_left, "money")]
    rows.append(("Maintenance / month", f.maintenance, "money"))
    if f.capacity is not None:
        rows += [("Monthly capacity / month", f.capacity, "money"), ("Capacity left / month", f.capacity_left, "money")]
    rows.append(("Value (risk-adjusted)", f.value, "money"))
    if npv is not None:
        rows.append(("NPV before Confidence (inputs at their medians)", npv, "money"))
    if spread is not None:
        rows += [("NPV P10 before Confidence", spread[0], "money"), ("NPV P50 before Confidence", spread[1], "money"),
                 ("NPV P90 before Confidence", spread[2], "money"), ("P(NPV > 0)", spread[3], "percent")]
    note = f.note(currency)
    rows.append(("Solver", note or "proven best (exact)", "text"))
    return rows


def portfolio_npv(ranking: Ranking) -> float:
    """Σ NPV before Confidence of the recommended portfolio (forward value for a started one): the basis its
    P10–P90 is on."""
    return float(ranking.basis[ranking.funding.chosen].sum())


def funding_table(funding: Funding, spread: tuple[float, float, float, float] | None = None,
                  npv: float | None = None, currency: str = "") -> Table:
    return _pairs("Funding", ["Recommended portfolio", "Value"], funding_rows(funding, spread, npv, currency),
                  "The recommended portfolio against the Budget and capacity")


def frontier_table(funding: Funding) -> Table:
    """The efficient frontier: the best value each budget can buy, and how sure each point is."""
    curve = funding.frontier
    assert curve is not None
    rows = [[b, v, "yes" if p else "no", bound] for b, v, p, bound in
            zip(curve.budgets.tolist(), curve.values.tolist(), curve.proven.tolist(), curve.bounds.tolist())]
    return Table("Frontier", ["Budget", "Best value (risk-adjusted)", "Proven best", "Best possible"],
                 ["money", "money", "text", "money"], rows, caption="What more budget would buy")


def _portfolio_members(ranking: Ranking) -> list[list]:
    status, chosen = ranking.progress.status.tolist(), ranking.funding.chosen.tolist()
    return [[rank, item.id, item.name, str(status[i]), item.upfront if status[i] == "new" else None,
             item.maintenance, ranking.value[i].item(), ranking.funding.verdicts[i]]
            for rank, item, i in ranking.ranked() if chosen[i]]


MEMBER_HEADERS = ["Rank", "ID", "Initiative", "Status", "Upfront cost", "Maintenance / month", "Value", "Verdict"]
MEMBER_KINDS = ["int", "text", "text", "text", "money", "money", "money", "text"]


def recommended_table(ranking: Ranking, name: str = "Recommended") -> Table:
    """The recommended portfolio: each initiative in it, in rank order (upfront blank where it is sunk)."""
    return Table(name, MEMBER_HEADERS, MEMBER_KINDS, _portfolio_members(ranking), caption="In the portfolio")


def to_stop(ranking: Ranking) -> list[tuple[int, Initiative, int]]:
    """(rank, initiative, index) of the started initiatives the choice stops, in rank order."""
    status, verdicts = ranking.progress.status.tolist(), ranking.funding.verdicts
    return [(rank, item, i) for rank, item, i in ranking.ranked()
            if status[i] == STARTED and verdicts[i].startswith("stop")]


def to_stop_table(ranking: Ranking) -> Table:
    """The started initiatives the choice stops."""
    rows = [[rank, item.id, item.name, _blank_nan(ranking.progress.forward[i].item()), ranking.value[i].item(),
             ranking.funding.verdicts[i]] for rank, item, i in to_stop(ranking)]
    return Table("ToStop", ["Rank", "ID", "Initiative", "Forward value", "Value", "Verdict"],
                 ["int", "text", "text", "money", "money", "text"], rows, caption="Started initiatives to stop")


def fiscal_table(cash: CashView | None) -> Table:
    rows = [[y.name, y.upfront, y.maintenance, y.gross, y.net, y.cumulative] for y in (cash.fiscal_years if cash else [])]
    return Table("FiscalYears", [h for h, _ in FISCAL_COLUMNS], [k for _, k in FISCAL_COLUMNS], rows,
                 caption="The portfolio's cash by fiscal year")


def cash_rows(cash: CashView | None) -> list[tuple[str, object, str]]:
    """The cash need and payback month as labels with their values (docs/model.md section 8)."""
    if cash is None:
        return [("Cash need", None, "money"), ("Cash need month", "no portfolio", "text"),
                ("Payback month", "no portfolio", "text")]
    rows: list[tuple[str, object, str]] = [("Cash need", cash.need, "money")]
    if cash.need_spread is not None:
        rows += [("Cash need P10", cash.need_spread[0], "money"), ("Cash need P50", cash.need_spread[1], "money"),
                 ("Cash need P90", cash.need_spread[2], "money")]
    rows += [("Cash need month", cash.need_month or "none", "month" if cash.need_month else "text"),
             ("Payback month", cash.payback_month or "none within the plan", "month" if cash.payback_month else "text")]
    return rows


def headline(funding: Funding, currency: str, scope: str = "") -> str:
    """The recommended portfolio in the sentence a planning lead reads first (one team's, or with `scope`
    " across the company", a drive's).

    >>> from leverkit.funding import fund
    >>> headline(fund([5.0, 3.0], [40.0, 30.0], [1.0, 2.0], [False, False], ["", ""], budget=50.0), "EUR")
    'Fund these 1: EUR 40 of the EUR 50 budget, EUR 1 a month in maintenance, value EUR 5 (risk-adjusted)'
    """
    f, count = funding, int(funding.chosen.sum())
    unit = f"{currency} " if currency else ""
    spent = (f"{unit}{f.upfront:,.0f} of the {unit}{f.budget:,.0f} budget" if f.budget is not None
             else f"{unit}{f.upfront:,.0f} upfront")
    upkeep = (f"{unit}{f.maintenance:,.0f} of {unit}{f.capacity:,.0f} monthly capacity" if f.capacity is not None
              else f"{unit}{f.maintenance:,.0f} a month in maintenance")
    if f.conflict is not None:
        return f"No recommendation: the fund decisions conflict; {count} decided in{scope}: {spent}, {upkeep}"
    return f"Fund these {count}{scope}: {spent}, {upkeep}, value {unit}{f.value:,.0f} (risk-adjusted)"


def decision_rows(ranking: Ranking) -> list[tuple[str, object, str]]:
    """The Decision sheet's figures: As of, the portfolio against the limits, its value and spread on stated
    bases, its cash need and payback month, and how many initiatives have ranges."""
    s = ranking.plan.settings
    rows: list[tuple[str, object, str]] = [("As of", s.as_of, "month")]
    rows += funding_rows(ranking.funding, spread(ranking), portfolio_npv(ranking), s.currency)
    rows += cash_rows(ranking.cash)
    rows.append(("Initiatives with ranges", f"{ranking.ranges} of {len(ranking.plan.initiatives)} "
                                            f"(the others count as certain)", "text"))
    return rows


def decision_sheet(ranking: Ranking) -> Sheet:
    """Decision, the first sheet: what to fund as a planning lead reads it, printable on one page."""
    s = ranking.plan.settings
    return Sheet([_pairs("Decision", ["Decision", "Value"], decision_rows(ranking)),
                  recommended_table(ranking, "DecisionPortfolio"), to_stop_table(ranking),
                  fiscal_table(ranking.cash)],
                 down=True, heading=f"{headline(ranking.funding, s.currency)} — {s.team}, as of {s.as_of:%Y-%m}")


def choice_notes(ranking: Ranking) -> list[Issue]:
    """Notes the choice itself adds to the Issues sheet: fund decisions that conflict, and decisions on
    finished initiatives, which are ignored."""
    settings, funding = ranking.plan.settings, ranking.funding
    found = []
    if funding.conflict is not None:
        cell = settings.cells.get(SETTING_BY_KEY[header_key("Budget")].field, "")
        found.append(issue("decisions-conflict", "Settings", cell, "Decision", None, detail=funding.conflict.sentence()))
    for i in (ranking.progress.status == "finished").nonzero()[0].tolist():
        item = ranking.plan.initiatives[i]
        if item.decision and item.start is not None:
            found.append(issue("decision-ignored", "Initiatives", item.cell, "Decision", item.decision, id=item.id,
                               start=f"{item.start:%Y-%m}", horizon=settings.horizon, as_of=f"{settings.as_of:%Y-%m}",
                               decision=item.decision))
    return found


def issues_table(ranking: Ranking) -> Table:
    plan = ranking.plan
    rows = [[i.effect, i.sheet, i.cell or None, i.column, i.value, i.id or None, i.name or None, i.code, i.message]
            for i in [*plan.issues, *choice_notes(ranking)]]
    for _, item, index in ranking.ranked():
        rows += [
            [WARNING, "Initiatives", item.cell, None, None, item.id, item.name, code, sentence]
            for code, sentence in ranking.projection.warnings[index]
        ]
    headers = ["Kind", "Sheet", "Cell", "Column", "Value", "ID", "Initiative", "Code", "Problem"]
    return Table("Issues", headers, ["text"] * len(headers), rows)


def _input_kind(field: str, low: float, high: float) -> str:
    """A range's ends in a format that tells them apart: money with cents where they are small fractions.

    >>> _input_kind("value", 0.1, 0.3), _input_kind("value", 400.0, 900.0), _input_kind("reach", 0.5, 2.0)
    ('cents', 'money', 'decimal')
    """
    kind = INPUT_KINDS[field]
    if kind in ("money", "number") and any(x != int(x) and abs(x) < 1000 for x in (low, high)):
        return "cents" if kind == "money" else "decimal"
    return kind


def sensitivity_table(ranking: Ranking) -> Table:
    """One row per initiative and ranged input: NPV at each end of the range, by rank, then swing."""
    place = {index: rank for rank, index in enumerate(ranking.order.tolist())}
    swings = sorted(ranking.swings, key=lambda s: (place[s.index], -s.swing))
    items = ranking.plan.initiatives
    rows = [[items[s.index].id, items[s.index].name, s.input, s.low, s.high, s.npv_low, s.npv_high, s.swing]
            for s in swings]
    headers = ["ID", "Initiative", "Input", "Low", "High", "NPV at low", "NPV at high", "Swing"]
    kinds = ["text", "text", "text", "auto", "auto", "money", "money", "money"]
    cells = {(r, c): _input_kind(s.field, s.low, s.high) for r, s in enumerate(swings) for c in (3, 4)}
    return Table("Sensitivity", headers, kinds, rows, cell_kinds=cells)


def with_unit(header: str, currency: str) -> str:
    """A money header with its currency: `NPV (plan)` -> `NPV (plan, EUR)`, `Spend` -> `Spend (EUR)`.

    >>> with_unit("NPV (plan)", "EUR"), with_unit("Re-forecast NPV", "EUR")
    ('NPV (plan, EUR)', 'Re-forecast NPV (EUR)')
    """
    return f"{header[:-1]}, {currency})" if header.endswith(")") else f"{header} ({currency})"


def tracking_tables(ranking: Ranking) -> list[Table]:
    """The Tracking sheet: each tracked initiative in rank order, then how each owner's estimates ran."""
    tracking, currency = ranking.tracking, ranking.plan.settings.currency
    assert tracking is not None
    by_index = tracking.rows(ranking.plan)
    rows = [by_index[i] for i in ranking.order.tolist() if i in by_index]
    headers = [with_unit(h, currency) if kind == "money" else h for h, kind in TRACKING_COLUMNS]
    return [
        Table("Tracking", headers, [k for _, k in TRACKING_COLUMNS], rows, caption="Actuals against the plan"),
        Table("Calibration", [h for h, _ in CALIBRATION_COLUMNS], [k for _, k in CALIBRATION_COLUMNS],
              [c.row() for c in tracking.calibration], caption="How each owner's estimates ran"),
    ]


def sheets(ranking: Ranking) -> dict[str, Sheet]:
    """Every output sheet and its tables, Decision first (docs/model.md section 6).

    Sensitivity appears when any initiative has a range, Tracking when the
    workbook has an Actuals sheet.
    """
    currency = ranking.plan.settings.currency
    portfolio = [by_form_table(ranking),
                 funding_table(ranking.funding, spread(ranking), portfolio_npv(ranking), currency),
                 recommended_table(ranking)]
    if ranking.funding.frontier is not None:
        portfolio.append(frontier_table(ranking.funding))
    portfolio.append(settings_table(ranking))
    output = {
        "Decision": decision_sheet(ranking),
        "Ranked": Sheet([ranked_table(ranking)]),
        "Projection": Sheet([projection_table(ranking)]),
        "Portfolio": Sheet(portfolio, down=True),
    }
    if ranking.swings:
        output["Sensitivity"] = Sheet([sensitivity_table(ranking)])
    if ranking.tracking is not None:
        output["Tracking"] = Sheet(tracking_tables(ranking), down=True)
    output["Issues"] = Sheet([issues_table(ranking)])
    return output
