"""The sheets leverkit writes (docs/model.md section 6), as plain tables of values.

The Excel writer, the HTML writer and the Excel button all render these same
tables, so every output shows the same numbers under the same headers.
Blank cells are None; numbers are Python floats and ints.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .issues import show
from .schema import SETTING_BY_KEY, header_key

if TYPE_CHECKING:  # annotations only: the template writer uses this module without numpy
    from .ranking import Ranking


@dataclass
class Table:
    name: str  # the Excel table name
    headers: list[str]
    kinds: list[str]  # int, money, months, multiple, percent, number, text, auto
    rows: list[list]
    totals: list | None = None  # a totals row (Excel writes it as SUBTOTAL formulas)
    cell_kinds: dict[tuple[int, int], str] | None = None  # (row, column) -> kind, where a column mixes kinds

    def kind(self, r: int, c: int) -> str:
        return (self.cell_kinds or {}).get((r, c), self.kinds[c])


OUTPUT_SHEETS = ("Ranked", "Projection", "Portfolio", "Sensitivity", "Tracking", "Issues")
MARKER_PREFIX = "_leverkit_"
TABLE_STYLE = "Table Style Medium 2"
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
)


def _blank_nan(x: float):
    return None if math.isnan(x) else x


SIMULATION_COLUMNS = (
    ("NPV P10", "money"),
    ("NPV P50", "money"),
    ("NPV P90", "money"),
    ("P(NPV > 0)", "percent"),
    ("P(payback)", "percent"),
)
CLOSING_COLUMNS = (("Verdict", "text"), ("Notes", "text"))
ALL_RANKED_COLUMNS = RANKED_COLUMNS + SIMULATION_COLUMNS + CLOSING_COLUMNS  # every column a Ranked sheet may have


def ranked_columns(ranking: Ranking) -> tuple[tuple[str, str], ...]:
    """leverkit's own Ranked columns for this ranking: the simulation's only when it ran (docs/model.md section 6)."""
    return RANKED_COLUMNS + (SIMULATION_COLUMNS if ranking.simulation is not None else ()) + CLOSING_COLUMNS


def _extra_headers(ranking: Ranking) -> list[str]:
    """The team's own extra columns, renamed where they would clash with ours."""
    ours = {h.casefold() for h, _ in ALL_RANKED_COLUMNS}
    return [h if h.casefold() not in ours else f"{h} (team)" for h in ranking.plan.extra_headers]


def ranked_rows(ranking: Ranking) -> tuple[list[str], list[list]]:
    """The Ranked sheet's headers and rows: leverkit's columns (`ranked_columns`), then the team's own."""
    p, sim = ranking.projection, ranking.simulation
    headers = [h for h, _ in ranked_columns(ranking)] + _extra_headers(ranking)
    figures = list(zip(*(a.tolist() for a in (  # Python floats, a column at a time rather than a cell at a time
        p.npv, p.risk_adjusted_npv, p.payback, p.discounted_payback, p.multiple, p.value_at_horizon,
        p.reach_at_horizon))))
    simulated = (list(zip(*(a.tolist() for a in (sim.p10, sim.p50, sim.p90, sim.p_positive, sim.p_payback))))
                 if sim is not None else None)
    flags = p.flags.tolist()
    rows = []
    for rank, item, i in ranking.ranked():
        npv, adjusted, payback, discounted, multiple, value, reach = figures[i]
        rows.append([
            rank, item.id, item.name, item.owner or None, item.form, item.lever_point, item.quality,
            item.upfront, item.maintenance, item.confidence, npv, adjusted,
            _blank_nan(payback), _blank_nan(discounted), _blank_nan(multiple), value, reach,
            str(flags[i]), p.reasons[i], ", ".join(code for code, _ in p.warnings[i]) or None,
            *(simulated[i] if simulated is not None else ()), ranking.funding.verdicts[i], item.notes or None,
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
    kinds = ["text", "int", "money", "money", "money", "money", "money", "int", "int", "int"]
    return Table("PortfolioByForm", headers, kinds, [list(r.values()) for r in rows[:-1]], list(rows[-1].values()))


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
    ]


def settings_table(ranking: Ranking) -> Table:
    rows = settings_rows(ranking)
    return Table(
        "SettingsUsed", ["Setting", "Value"], ["text", "auto"], [[name, value] for name, value, _ in rows],
        cell_kinds={(r, 1): kind for r, (_, _, kind) in enumerate(rows)},
    )


def recommended_table(ranking: Ranking) -> Table:
    """The recommended portfolio: each chosen initiative, in rank order."""
    p, chosen = ranking.projection, ranking.funding.chosen
    rows = [[rank, item.id, item.name, item.owner or None, item.upfront, item.maintenance,
             p.risk_adjusted_npv[i].item(), ranking.funding.verdicts[i]]
            for rank, item, i in ranking.ranked() if chosen[i]]
    headers = ["Rank", "ID", "Initiative", "Owner", "Upfront cost", "Maintenance / month", "Risk-adjusted NPV", "Verdict"]
    return Table("Recommended", headers, ["int", "text", "text", "text", "money", "money", "money", "text"], rows)


def spread(ranking: Ranking) -> tuple[float, float, float, float] | None:
    """The recommended portfolio's NPV P10, P50, P90 and P(NPV > 0), summed draw by draw; None without simulation."""
    return ranking.simulation.funded if ranking.simulation is not None else None


def funding_rows(funding, spread=None) -> list[tuple[str, object, str]]:
    """(what, value, kind): a recommended portfolio's totals against the Budget and capacity, and with
    simulation on, how sure its NPV is."""
    from .funding import TIME_LIMIT_NOTE

    f = funding
    rows = [("Initiatives funded", int(f.chosen.sum()), "int"), ("Upfront cost", f.upfront, "money")]
    if f.budget is not None:
        rows += [("Budget", f.budget, "money"), ("Budget left", f.budget_left, "money")]
    rows.append(("Maintenance / month", f.maintenance, "money"))
    if f.capacity is not None:
        rows += [("Monthly capacity", f.capacity, "money"), ("Capacity left", f.capacity_left, "money")]
    rows.append(("Risk-adjusted NPV", f.value, "money"))
    if spread is not None:
        rows += [("NPV P10", spread[0], "money"), ("NPV P50", spread[1], "money"), ("NPV P90", spread[2], "money"),
                 ("P(NPV > 0)", spread[3], "percent")]
    if not f.optimal:
        rows.append(("Solver", TIME_LIMIT_NOTE, "text"))
    return rows


def funding_table(funding, spread=None) -> Table:
    rows = funding_rows(funding, spread)
    return Table("Funding", ["Recommended portfolio", "Value"], ["text", "auto"], [[w, v] for w, v, _ in rows],
                 cell_kinds={(r, 1): kind for r, (_, _, kind) in enumerate(rows)})


def frontier_table(funding) -> Table:
    """The efficient frontier: the best risk-adjusted NPV each budget can buy."""
    curve = funding.frontier
    rows = [[b, v] for b, v in zip(curve.budgets.tolist(), curve.values.tolist())]
    return Table("Frontier", ["Budget", "Best risk-adjusted NPV"], ["money", "money"], rows)


def over_limit_issues(ranking: Ranking) -> list[list]:
    """The fund decisions that alone break the Budget or capacity, as rows of the Issues sheet."""
    settings = ranking.plan.settings
    return [["note", "Settings", settings.cells.get(SETTING_BY_KEY[header_key(o.limit)].field), o.limit,
             show(o.available), None, None, "decisions-over-limit", o.sentence(settings.currency)]
            for o in ranking.funding.over_limits]


def issues_table(ranking: Ranking) -> Table:
    plan = ranking.plan
    rows = [
        ["invalid cell" if i.invalidates else "note", i.sheet, i.cell, i.column, i.value, i.id or None, i.name or None,
         i.code, i.message]
        for i in plan.issues
    ]
    rows += over_limit_issues(ranking)
    for _, item, index in ranking.ranked():
        rows += [
            ["warning", "Initiatives", item.cell, None, None, item.id, item.name, code, sentence]
            for code, sentence in ranking.projection.warnings[index]
        ]
    headers = ["Kind", "Sheet", "Cell", "Column", "Value", "ID", "Initiative", "Code", "Problem"]
    return Table("Issues", headers, ["text"] * len(headers), rows)


INPUT_KINDS = {"upfront": "money", "maintenance": "money", "reach": "number", "value": "money", "growth": "percent"}


def sensitivity_table(ranking: Ranking) -> Table:
    """One row per initiative and ranged input: NPV at each end of the range, by rank, then swing."""
    place = {index: rank for rank, index in enumerate(ranking.order.tolist())}
    swings = sorted(ranking.swings, key=lambda s: (place[s.index], -s.swing))
    items = ranking.plan.initiatives
    rows = [[items[s.index].id, items[s.index].name, s.input, s.low, s.high, s.npv_low, s.npv_high, s.swing]
            for s in swings]
    headers = ["ID", "Initiative", "Input", "Low", "High", "NPV at low", "NPV at high", "Swing"]
    kinds = ["text", "text", "text", "auto", "auto", "money", "money", "money"]
    cells = {(r, c): INPUT_KINDS[s.field] for r, s in enumerate(swings) for c in (3, 4)}
    return Table("Sensitivity", headers, kinds, rows, cell_kinds=cells)


def tracking_tables(ranking: Ranking) -> list[Table]:
    """The Tracking sheet: each tracked initiative in rank order, then how each owner's estimates ran."""
    from .tracking import CALIBRATION_COLUMNS, TRACKING_COLUMNS

    tracking, currency = ranking.tracking, ranking.plan.settings.currency
    by_index = tracking.rows(ranking.plan)
    rows = [by_index[i] for i in ranking.order.tolist() if i in by_index]
    headers = [f"{h} ({currency})" if kind == "money" else h for h, kind in TRACKING_COLUMNS]
    return [
        Table("Tracking", headers, [k for _, k in TRACKING_COLUMNS], rows),
        Table("Calibration", [h for h, _ in CALIBRATION_COLUMNS], [k for _, k in CALIBRATION_COLUMNS],
              [c.row() for c in tracking.calibration]),
    ]


def sheets(ranking: Ranking) -> dict[str, list[Table]]:
    """Every output sheet and the tables on it, left to right (docs/model.md section 6).

    Sensitivity appears when any initiative has a range, Tracking when the
    workbook has an Actuals sheet.
    """
    output = {
        "Ranked": [ranked_table(ranking)],
        "Projection": [projection_table(ranking)],
        "Portfolio": [by_form_table(ranking), funding_table(ranking.funding, spread(ranking)),
                      recommended_table(ranking),
                      *([frontier_table(ranking.funding)] if ranking.funding.frontier is not None else []),
                      settings_table(ranking)],
    }
    if ranking.swings:
        output["Sensitivity"] = [sensitivity_table(ranking)]
    if ranking.tracking is not None:
        output["Tracking"] = tracking_tables(ranking)
    output["Issues"] = [issues_table(ranking)]
    return output
