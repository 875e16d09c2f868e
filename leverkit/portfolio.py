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

from .files import atomic_path
from .issues import LeverkitError
from .tables import ALL_RANKED_COLUMNS, RANKED_COLUMNS, Table

FLAGS = ("red", "amber", "green")


def combined_ranking(processed) -> Table:
    """Every valid initiative of every team, by risk-adjusted NPV; ties keep team order, then team rank.

    A column appears when any team has it (the simulation's, say), blank for teams without it.
    """
    entries = [(o.summary, record) for o in processed for record in o.summary["ranked"]]
    entries.sort(key=lambda entry: -entry[1]["Risk-adjusted NPV"])  # stable
    present = {header for _, record in entries for header in record} | {h for h, _ in RANKED_COLUMNS}
    columns = [(h, k) for h, k in ALL_RANKED_COLUMNS[1:] if h in present]
    rows = [[rank, s["team"], s["workbook"], s["currency"], record["Rank"], *(record.get(h) for h, _ in columns)]
            for rank, (s, record) in enumerate(entries, start=1)]
    headers = ["Rank", "Team", "Workbook", "Currency", "Team rank", *(h for h, _ in columns)]
    kinds = ["int", "text", "text", "text", "int", *(k for _, k in columns)]
    return Table("AllRanked", headers, kinds, rows)


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


def render_index(report, ranking: Table, teams: Table, generated: datetime.date | None = None) -> str:
    from markupsafe import Markup

    from .charts import quality_map_of
    from .summary import environment

    processed = report.processed
    thresholds = Counter(o.summary["threshold"] for o in processed)
    threshold = thresholds.most_common(1)[0][0] if thresholds else 3.0
    rows = [dict(zip(ranking.headers, row)) for row in ranking.rows]
    points = [(m, record["Quality (1-5)"], record["Risk flag"], record["ID"])
              for o in processed for record, m in zip(o.summary["ranked"], o.summary["multiples"])]
    chart = quality_map_of(*zip(*points), threshold) if points else ""
    team_rows = [{**dict(zip(teams.headers, row)), "href": summary_href(row[1])} for row in teams.rows]
    return environment().get_template("index.html.j2").render(
        report=report, rows=rows, teams=team_rows, chart=Markup(chart), currency=_currency(processed),
        threshold=threshold, mixed_thresholds=len(thresholds) > 1, generated=(generated or datetime.date.today()).isoformat(),
        total=sum(r["Risk-adjusted NPV"] for r in rows),
    )


def write_portfolio(report, force: bool = False) -> list[Path]:
    """Write portfolio.xlsx and index.html, unless nothing changed since they were written."""
    from .drive import PORTFOLIO_RECORD, load_record, version, write_json, written_error
    from .excel import build_sheets

    out = report.out_dir
    targets = [out / "portfolio.xlsx", out / "index.html"]
    state = [[o.name, o.sha256] for o in report.processed] + [[p.workbook, p.reason] for p in report.failed + report.skipped]
    key = hashlib.sha256(json.dumps(state).encode()).hexdigest()
    record = load_record(out / PORTFOLIO_RECORD)
    if not force and record == {"key": key, "leverkit": version()} and all(t.exists() for t in targets):
        return []
    ranking, teams = combined_ranking(report.processed), by_team(report.processed)
    output = {"Ranked": [ranking], "By team": [teams], "By form": [by_form(ranking)], "Failed": [problems(report)]}
    page = render_index(report, ranking, teams)
    try:
        with atomic_path(targets[0]) as tmp:
            build_sheets(output, _currency(report.processed), tmp)
        with atomic_path(targets[1]) as tmp:
            tmp.write_text(page, encoding="utf-8")
        write_json(out / PORTFOLIO_RECORD, {"key": key, "leverkit": version()})
    except OSError as exc:
        raise LeverkitError(f"the portfolio view {written_error(exc)}") from None
    return targets
