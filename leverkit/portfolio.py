"""The portfolio view of a batch: every team's initiatives in one ranking, as portfolio.xlsx and index.html.

Teams' numbers are combined as entered: amounts in different currencies are
not converted (the Currency column says which is which), and the combined
ranking is by risk-adjusted NPV.
"""
from __future__ import annotations

import datetime
import hashlib
import json
from collections import Counter
from pathlib import Path, PurePosixPath

from .files import atomic_path, written_error
from .issues import LeverkitError
from .processes import collector_paused
from .tables import ALL_RANKED_COLUMNS, RANKED_COLUMNS, Table

FLAGS = ("red", "amber", "green")


def entries(processed) -> list[tuple[dict, dict]]:
    """(team summary, Ranked record) for every valid initiative of every team, by risk-adjusted NPV; ties keep
    team order, then team rank."""
    found = [(o.summary, record) for o in processed for record in o.summary["ranked"]]
    found.sort(key=lambda entry: -entry[1]["Risk-adjusted NPV"])  # stable
    return found


def combined_ranking(ranked: list[tuple[dict, dict]], funding=None) -> Table:
    """The combined ranking. A column appears when any team has it (the simulation's, say), blank for teams
    without it; with a company-wide `funding`, its verdicts replace each team's own."""
    present = {header for _, record in ranked for header in record} | {h for h, _ in RANKED_COLUMNS}
    columns = [(h, k) for h, k in ALL_RANKED_COLUMNS[1:] if h in present]
    rows = []
    for rank, (s, record) in enumerate(ranked, start=1):
        if funding is not None:
            record = {**record, "Verdict": funding.verdicts[rank - 1]}
        rows.append([rank, s["team"], s["workbook"], s["currency"], record["Rank"], *(record.get(h) for h, _ in columns)])
    headers = ["Rank", "Team", "Workbook", "Currency", "Team rank", *(h for h, _ in columns)]
    kinds = ["int", "text", "text", "text", "int", *(k for _, k in columns)]
    return Table("AllRanked", headers, kinds, rows)


def company_funding(ranked: list[tuple[dict, dict]], budget: float | None, capacity: float | None):
    """One company-wide choice under one Budget and capacity, every team's Decisions holding; None without limits.

    Refuses (LeverkitError) to add up teams that plan in different currencies.
    """
    if budget is None and capacity is None:
        return None
    import numpy as np

    from .funding import fund

    currencies: dict[str, list[str]] = {}
    for s, _ in ranked:
        if s["workbook"] not in currencies.setdefault(s["currency"], []):
            currencies[s["currency"]].append(s["workbook"])
    if len(currencies) > 1:
        found = "; ".join(f"{currency}: {', '.join(books)}" for currency, books in sorted(currencies.items()))
        raise LeverkitError(f"a company-wide budget cannot add up amounts in different currencies ({found}); "
                            f"rank each currency's workbooks in a batch of their own")
    records = [record for _, record in ranked]

    def column(name):
        return np.array([r[name] for r in records], float)

    return fund(column("Risk-adjusted NPV"), column("Upfront cost"), column("Maintenance / month"),
                np.array([r["Risk flag"] == "red" for r in records], bool), [r.get("Decision", "") for r in records],
                budget, capacity)


def recommended(ranking: Table, funding) -> Table:
    """The company-wide recommended portfolio: the chosen rows of the combined ranking."""
    keep = ["Rank", "Team", "Workbook", "ID", "Initiative", "Owner", "Upfront cost", "Maintenance / month",
            "Risk-adjusted NPV", "Verdict"]
    at = [ranking.headers.index(h) for h in keep]
    rows = [[row[c] for c in at] for row, chosen in zip(ranking.rows, funding.chosen.tolist()) if chosen]
    return Table("CompanyRecommended", keep, [ranking.kinds[c] for c in at], rows)


def tracking_across(processed) -> list[Table]:
    """Every team's tracked initiatives on one sheet, and how each owner's estimates ran across all teams."""
    import datetime

    from .tracking import CALIBRATION_COLUMNS, TRACKING_COLUMNS, calibrate

    rows = []
    for s in (o.summary for o in processed):
        for row in s.get("tracking", []):
            start = datetime.date.fromisoformat(row[3]) if row[3] else None
            rows.append([s["team"], s["workbook"], s["currency"], *row[:3], start, *row[4:]])
    headers = ["Team", "Workbook", "Currency", *(h for h, _ in TRACKING_COLUMNS)]
    kinds = ["text", "text", "text", *(k for _, k in TRACKING_COLUMNS)]
    at = {h: headers.index(h) for h in ("Owner", "Months elapsed", "Realisation")}
    calibration = calibrate([r[at["Owner"]] for r in rows], [r[at["Months elapsed"]] for r in rows],
                            [r[at["Realisation"]] for r in rows])
    return [Table("AllTracking", headers, kinds, rows),
            Table("AllCalibration", [h for h, _ in CALIBRATION_COLUMNS], [k for _, k in CALIBRATION_COLUMNS],
                  [c.row() for c in calibration])]


def by_team(processed) -> Table:
    rows = [
        [s["team"], s["workbook"], s["currency"], len(s["ranked"]), s["invalid_rows"],
         *(s["totals"][k] for k in ("Upfront cost", "Maintenance / month", "NPV", "Risk-adjusted NPV")),
         *(s["flags"][f] for f in FLAGS)]
        for s in (o.summary for o in processed)
    ]
    headers = ["Team", "Workbook", "Currency", "Initiatives", "Invalid rows", "Upfront cost", "Maintenance / month",
               "NPV", "Risk-adjusted NPV", "Red", "Amber", "Green"]
    kinds = ["text", "text", "text", "int", "int", "money", "money", "money", "money", "int", "int", "int"]
    return Table("ByTeam", headers, kinds, rows)


def by_form(ranking: Table) -> Table:
    """Totals by leverage form (and currency, which are never added together), with pandas."""
    import pandas as pd

    frame = pd.DataFrame(ranking.rows, columns=ranking.headers)
    for flag in FLAGS:
        frame[flag.capitalize()] = frame["Risk flag"] == flag
    money = ["Upfront cost", "Maintenance / month", "NPV", "Risk-adjusted NPV"]
    grouped = frame.groupby(["Leverage form", "Currency"], sort=True).agg(
        Initiatives=("Rank", "size"), **{m: (m, "sum") for m in money}, **{f: (f, "sum") for f in ("Red", "Amber", "Green")})
    rows = [[form, currency, *(v.item() if hasattr(v, "item") else v for v in values)]
            for (form, currency), values in zip(grouped.index, grouped.itertuples(index=False))]
    headers = ["Leverage form", "Currency", "Initiatives", *money, "Red", "Amber", "Green"]
    return Table("ByForm", headers, ["text", "text", "int", "money", "money", "money", "money", "int", "int", "int"], rows)


def problems(report) -> Table:
    rows = [[p.workbook, "failed", p.reason] for p in report.failed]
    rows += [[p.workbook, "skipped", p.reason] for p in report.skipped]
    return Table("Failures", ["Workbook", "Status", "Reason"], ["text"] * 3, rows)


def summary_href(workbook: str) -> str:
    """The link from index.html to a workbook's summary, every path segment URL-encoded.

    >>> summary_href("javascript:alert(1)/a#b?c.xlsx")
    './javascript%3Aalert%281%29/a%23b%3Fc.html'
    """
    from urllib.parse import quote

    path = PurePosixPath(workbook)
    return "./" + "/".join(quote(part, safe="") for part in (*path.parent.parts, path.stem + ".html"))


def _currency(processed) -> str | None:
    currencies = {o.summary["currency"] for o in processed}
    return currencies.pop() if len(currencies) == 1 else None


@collector_paused()
def render_index(report, ranking: Table, teams: Table, funding=None, tracking: list[Table] | None = None,
                 generated: datetime.date | None = None) -> str:
    from markupsafe import Markup

    from .charts import frontier, quality_map_of
    from .summary import environment, fund_sentence

    processed = report.processed
    thresholds = Counter(o.summary["threshold"] for o in processed)
    threshold = thresholds.most_common(1)[0][0] if thresholds else 3.0
    rows = [dict(zip(ranking.headers, row)) for row in ranking.rows]
    points = [(m, record["Quality (1-5)"], record["Risk flag"], record["ID"])
              for o in processed for record, m in zip(o.summary["ranked"], o.summary["multiples"])]
    chart = quality_map_of(*zip(*points), threshold) if points else ""
    team_rows = [{**dict(zip(teams.headers, row)), "href": summary_href(row[1])} for row in teams.rows]
    currency = _currency(processed)
    decision = None
    if funding is not None:
        curve = funding.frontier
        decision = {"funding": funding, "headline": fund_sentence(funding, currency, " across the company"),
                    "chosen": [r for r, chosen in zip(rows, funding.chosen.tolist()) if chosen],
                    "frontier": Markup(frontier(curve.budgets, curve.values, funding.budget, currency or ""))
                    if curve is not None else ""}
    tracked = tracking[0].rows if tracking else []
    behind = sum(1 for r in rows if "BEHIND_PLAN" in (r.get("Warnings") or ""))
    return environment().get_template("index.html.j2").render(
        report=report, rows=rows, teams=team_rows, chart=Markup(chart), currency=currency,
        threshold=threshold, mixed_thresholds=len(thresholds) > 1, generated=(generated or datetime.date.today()).isoformat(),
        total=sum(r["Risk-adjusted NPV"] for r in rows), decision=decision,
        tracking={"count": len(tracked), "behind": behind,
                  "calibration": [dict(zip(tracking[1].headers, row)) for row in tracking[1].rows] if tracking else []},
        simulated="NPV P10" in ranking.headers,
    )


def write_portfolio(report, force: bool = False, budget: float | None = None, capacity: float | None = None) -> list[Path]:
    """Write portfolio.xlsx and index.html, unless nothing changed since they were written."""
    from .drive import PORTFOLIO_RECORD, load_record, version, write_json
    from .excel import build_sheets
    from .tables import frontier_table, funding_table

    out = report.out_dir
    targets = [out / "portfolio.xlsx", out / "index.html"]
    state = [[o.name, o.sha256] for o in report.processed] + [[p.workbook, p.reason] for p in report.failed + report.skipped]
    key = hashlib.sha256(json.dumps([state, budget, capacity]).encode()).hexdigest()
    record = load_record(out / PORTFOLIO_RECORD)
    if not force and record == {"key": key, "leverkit": version()} and all(t.exists() for t in targets):
        return []
    ranked = entries(report.processed)
    funding = company_funding(ranked, budget, capacity)
    ranking, teams = combined_ranking(ranked, funding), by_team(report.processed)
    output = {"Ranked": [ranking], "By team": [teams], "By form": [by_form(ranking)]}
    if funding is not None:
        output["Funding"] = [funding_table(funding), recommended(ranking, funding),
                             *([frontier_table(funding)] if funding.frontier is not None else [])]
    tracking = tracking_across(report.processed) if any(o.summary.get("tracking") for o in report.processed) else None
    if tracking:
        output["Tracking"] = tracking
    output["Failed"] = [problems(report)]
    page = render_index(report, ranking, teams, funding, tracking)
    try:
        with atomic_path(targets[0]) as tmp:
            build_sheets(output, _currency(report.processed), tmp)
        with atomic_path(targets[1]) as tmp:
            tmp.write_text(page, encoding="utf-8")
        write_json(out / PORTFOLIO_RECORD, {"key": key, "leverkit": version()})
    except OSError as exc:
        raise LeverkitError(f"the portfolio view {written_error(exc)}") from None
    return targets
