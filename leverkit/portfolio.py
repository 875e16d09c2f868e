"""The portfolio view of a batch: every team's initiatives in one ranking, as portfolio.xlsx and index.html.

Amounts in different currencies are never added or ranked as one: with a
currency and exchange rates they are converted for the combined ranking and
the company-wide choice (and shown in both currencies); without rates, a
batch of mixed currencies ranks each currency apart and makes no
company-wide choice (docs/model.md section 5, "Many teams at once").
"""
from __future__ import annotations

import datetime
import hashlib
import io
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from .errors import BadSetting, MixedCurrencies, WriteFailed
from .excel import build_sheets
from .files import load_record, write_all, write_json, written_error
from .funding import Funding, alternative_groups, fund, requirement_pairs
from .charts import frontier, quality_map_of
from .processes import collector_paused, meanwhile
from .runs import BatchReport, Outcome
from .summary import environment
from .tables import ALL_RANKED_COLUMNS, RANKED_COLUMNS, Sheet, Table, frontier_table, funding_table, headline
from .tracking import CALIBRATION_COLUMNS, TRACKING_COLUMNS, calibrate
from .version import __version__


FLAGS = ("red", "amber", "green")
PORTFOLIO_RECORD = "portfolio.leverkit.json"
MONEY = [h for h, kind in ALL_RANKED_COLUMNS if kind == "money"]


@dataclass(frozen=True)
class Exchange:
    """The batch's currency C and rates: v units of C per unit of each other currency."""

    currency: str | None = None
    rates: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, currency: str | None, rates: dict[str, float]) -> Exchange:
        """Validated options: a rate needs a currency to convert into, and is a positive number."""
        if rates and not currency:
            raise BadSetting("--rate needs --currency: say which currency the rates convert into")
        for code, rate in rates.items():
            if not (math.isfinite(rate) and rate > 0):
                raise BadSetting(f"--rate {code}={rate} is not a rate; give a number above 0")
        return cls(currency.strip().upper() if currency else None,
                   {code.strip().upper(): float(rate) for code, rate in rates.items()})

    def rate(self, currency: str) -> float | None:
        """Units of C per unit of `currency`; None without a rate."""
        if self.currency is None:
            return None
        return 1.0 if currency.upper() == self.currency else self.rates.get(currency.upper())


def _currencies(processed: list[Outcome]) -> dict[str, list[str]]:
    """Each currency (case aside) and the workbooks that plan in it."""
    found: dict[str, list[str]] = {}
    for o in processed:
        found.setdefault(o.summary["currency"].upper(), []).append(o.summary["workbook"])
    return found


def _listed(currencies: dict[str, list[str]]) -> str:
    return "; ".join(f"{c}: {', '.join(books)}" for c, books in sorted(currencies.items()))


def check_currencies(processed: list[Outcome], exchange: Exchange, limited: bool) -> None:
    """Refuse what would add up different currencies: a currency without a rate, or a company-wide Budget or
    capacity over mixed currencies without rates."""
    currencies = _currencies(processed)
    if exchange.currency is not None:
        missing = {c: books for c, books in currencies.items() if exchange.rate(c) is None}
        if missing:
            raise MixedCurrencies(f"no rate into {exchange.currency} for {_listed(missing)}; add "
                                  f"{' '.join(f'--rate {c}=<{exchange.currency} per {c}>' for c in sorted(missing))}")
    elif limited and len(currencies) > 1:
        raise MixedCurrencies(f"a company-wide budget or capacity cannot add up amounts in different currencies "
                              f"({_listed(currencies)}); give --currency and a --rate for each other currency, or "
                              f"run each currency's workbooks in a batch of their own")


def entries(processed: list[Outcome], exchange: Exchange) -> list[tuple[dict, dict]]:
    """(team summary, Ranked record) for every valid initiative of every team, ranked by value: converted
    with an exchange; else each currency apart when currencies differ. Ties keep workbook path order, then
    row order."""
    found = [(o.summary, record) for o in processed for record in o.summary["ranked"]]
    if exchange.currency is not None:
        found.sort(key=lambda e: -e[1]["Value"] * (exchange.rate(e[0]["currency"]) or 0.0))
    elif len(_currencies(processed)) > 1:
        found.sort(key=lambda e: (e[0]["currency"].upper(), -e[1]["Value"]))
    else:
        found.sort(key=lambda e: -e[1]["Value"])
    return found


def combined_ranking(ranked: list[tuple[dict, dict]], exchange: Exchange, funding: Funding | None = None) -> Table:
    """The combined ranking. A column appears when any team has it (the simulation's, say), blank for teams
    without it; with an exchange, each money column has its converted column beside it, headed with the
    currency (`Value (EUR)`); with a company-wide `funding`, its verdicts replace each team's own."""
    present = {header for _, record in ranked for header in record} | {h for h, _ in RANKED_COLUMNS}
    columns = [(h, k) for h, k in ALL_RANKED_COLUMNS[1:] if h in present]
    convert = exchange.currency is not None
    headers = ["Rank", "Team", "Workbook", "Currency", "As of", "Team rank"]
    kinds = ["int", "text", "text", "text", "text", "int"]
    for h, k in columns:
        headers.append(h)
        kinds.append(k)
        if convert and h in MONEY:
            headers.append(f"{h} ({exchange.currency})")
            kinds.append("money")
    rows = []
    for rank, (s, record) in enumerate(ranked, start=1):
        if funding is not None:
            record = {**record, "Verdict": funding.verdicts[rank - 1]}
        rate = exchange.rate(s["currency"]) if convert else None
        row = [rank, s["team"], s["workbook"], s["currency"], s.get("as_of"), record["Rank"]]
        for h, _ in columns:
            row.append(record.get(h))
            if convert and h in MONEY:
                row.append(None if record.get(h) is None or rate is None else record[h] * rate)
        rows.append(row)
    return Table("AllRanked", headers, kinds, rows)


def company_funding(ranked: list[tuple[dict, dict]], exchange: Exchange, budget: float | None,
                    capacity: float | None, currency: str) -> Funding | None:
    """One company-wide choice under one Budget and capacity (in `currency`), every team's Decisions holding,
    requirements and alternative groups within each workbook; None without limits."""
    if budget is None and capacity is None:
        return None
    rates = [exchange.rate(s["currency"]) or 1.0 for s, _ in ranked]
    records = [record for _, record in ranked]

    def column(name: str) -> np.ndarray:
        return np.array([(r[name] or 0.0) * rate for r, rate in zip(records, rates)], float)

    books = [s["workbook"] for s, _ in ranked]
    requires = requirement_pairs([(b, r["ID"]) for b, r in zip(books, records)],
                                 [[(b, needed) for needed in r.get("Requires", [])] for b, r in zip(books, records)])
    return fund(column("Value"), column("Upfront cost"), column("Maintenance / month"),
                np.array([r["Risk flag"] == "red" for r in records], bool), [r.get("Decision", "") for r in records],
                budget, capacity, status=[r.get("Status", "new") for r in records], requires=requires,
                groups=alternative_groups([r.get("Alternative group") or "" for r in records], scopes=books),
                ids=[f"{s['team']} {r['ID']}" for s, r in ranked], currency=currency)


def recommended(ranking: Table, funding: Funding) -> Table:
    """The company-wide recommended portfolio: the chosen rows of the combined ranking."""
    keep = [h for h in ranking.headers if h in ("Rank", "Team", "Workbook", "ID", "Initiative", "Owner", "Status",
                                                 "Currency", "Upfront cost", "Maintenance / month", "Value", "Verdict")
            or h.startswith(("Upfront cost (", "Maintenance / month (", "Value ("))]
    at = [ranking.headers.index(h) for h in keep]
    rows = [[row[c] for c in at] for row, chosen in zip(ranking.rows, funding.chosen.tolist()) if chosen]
    return Table("CompanyRecommended", keep, [ranking.kinds[c] for c in at], rows, caption="In the portfolio")


def tracking_across(processed: list[Outcome]) -> list[Table]:
    """Every team's tracked initiatives on one sheet, and how each owner's estimates ran across all teams."""
    rows, last = [], []
    for s in (o.summary for o in processed):
        for row, months in zip(s.get("tracking", []), s.get("tracking_last", [])):
            start = datetime.date.fromisoformat(row[3]) if row[3] else None
            rows.append([s["team"], s["workbook"], s["currency"], *row[:3], start, *row[4:]])
            last.append(months)
    headers = ["Team", "Workbook", "Currency", *(h for h, _ in TRACKING_COLUMNS)]
    kinds = ["text", "text", "text", *(k for _, k in TRACKING_COLUMNS)]
    at = {h: headers.index(h) for h in ("Owner", "Realisation")}
    calibration = calibrate([r[at["Owner"]] for r in rows], last, [r[at["Realisation"]] for r in rows])
    return [Table("AllTracking", headers, kinds, rows, caption="Actuals against the plan, every team"),
            Table("AllCalibration", [h for h, _ in CALIBRATION_COLUMNS], [k for _, k in CALIBRATION_COLUMNS],
                  [c.row() for c in calibration], caption="How each owner's estimates ran, every team")]


TEAM_COLUMNS = (("Team", "text"), ("Workbook", "text"), ("Currency", "text"), ("As of", "text"),
                ("Initiatives", "int"), ("Invalid rows", "int"), ("Funded", "int"), ("Funded upfront", "money"),
                ("Funded maintenance / month", "money"), ("Funded value", "money"), ("Red", "int"), ("Amber", "int"),
                ("Green", "int"))


def by_team(processed: list[Outcome]) -> Table:
    """Each team's own recommendation (its count and totals, in its currency) and its flags."""
    rows = [[s["team"], s["workbook"], s["currency"], s.get("as_of"), len(s["ranked"]), s["invalid_rows"],
             s["funded"]["count"], s["funded"]["upfront"], s["funded"]["maintenance"], s["funded"]["value"],
             *(s["flags"][f] for f in FLAGS)]
            for s in (o.summary for o in processed)]
    return Table("ByTeam", [h for h, _ in TEAM_COLUMNS], [k for _, k in TEAM_COLUMNS], rows)


def by_form(ranking: Table) -> Table:
    """Totals by leverage form (and currency, which are never added together), with pandas."""
    import pandas as pd

    frame = pd.DataFrame(ranking.rows, columns=ranking.headers)
    for flag in FLAGS:
        frame[flag.capitalize()] = frame["Risk flag"] == flag
    money = ["Upfront cost", "Maintenance / month", "NPV", "Value"]
    grouped = frame.groupby(["Leverage form", "Currency"], sort=True).agg(
        Initiatives=("Rank", "size"), **{m: (m, "sum") for m in money}, **{f: (f, "sum") for f in ("Red", "Amber", "Green")})
    rows = [[form, currency, *(v.item() if hasattr(v, "item") else v for v in values)]
            for (form, currency), values in zip(grouped.index, grouped.itertuples(index=False))]
    headers = ["Leverage form", "Currency", "Initiatives", *money, "Red", "Amber", "Green"]
    return Table("ByForm", headers, ["text", "text", "int", "money", "money", "money", "money", "int", "int", "int"], rows)


def problems(report: BatchReport) -> Table:
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


def shown_currency(processed: list[Outcome], exchange: Exchange) -> str | None:
    """The one currency the portfolio's amounts are in, or None when they are in each team's own."""
    if exchange.currency is not None:
        return exchange.currency
    currencies = _currencies(processed)
    return next(iter(currencies)) if len(currencies) == 1 else None


@collector_paused()
def render_index(report: BatchReport, ranking: Table, teams: Table, exchange: Exchange, funding: Funding | None = None,
                 tracking: list[Table] | None = None, generated: datetime.date | None = None) -> str:
    from markupsafe import Markup

    processed = report.processed
    thresholds = Counter(o.summary["threshold"] for o in processed)
    threshold = thresholds.most_common(1)[0][0] if thresholds else 3.0
    rows = [dict(zip(ranking.headers, row)) for row in ranking.rows]
    points = [(m, record["Quality (1-5)"], record["Risk flag"], f"{record['ID']} {record['Initiative']}")
              for o in processed for record, m in zip(o.summary["ranked"], o.summary["multiples"])]
    labelled = {f"{r['ID']} {r['Initiative']}" for r in rows[:8]}
    chart = ""
    if points:
        multiples, qualities, flags, labels = zip(*points)
        chart = quality_map_of(multiples, qualities, flags, labels, threshold, labelled=labelled)
    team_rows = [{**dict(zip(teams.headers, row)), "href": summary_href(row[1])} for row in teams.rows]
    currency = shown_currency(processed, exchange)
    decision = None
    if funding is not None:
        curve = funding.frontier
        decision = {"funding": funding, "headline": headline(funding, currency or "", " across the company"),
                    "note": funding.note(currency or ""),
                    "chosen": [r for r, chosen in zip(rows, funding.chosen.tolist()) if chosen],
                    "frontier": Markup(frontier(curve.budgets, curve.values, funding.budget, currency or "",
                                                funding.upfront, funding.value)) if curve is not None else ""}
    tracked = tracking[0].rows if tracking else []
    behind = sum(1 for r in rows if "BEHIND_PLAN" in (r.get("Warnings") or ""))
    value_key = f"Value ({exchange.currency})" if exchange.currency is not None else "Value"
    return environment().get_template("index.html.j2").render(
        report=report, rows=rows, teams=team_rows, chart=Markup(chart), currency=currency, exchange=exchange,
        value_key=value_key, apart=currency is None and len(_currencies(processed)) > 1,
        threshold=threshold, mixed_thresholds=len(thresholds) > 1,
        generated=(generated or datetime.date.today()).isoformat(), decision=decision,
        tracking={"count": len(tracked), "behind": behind,
                  "calibration": [dict(zip(tracking[1].headers, row)) for row in tracking[1].rows] if tracking else []},
        simulated="NPV P10" in ranking.headers,
    )


def write_portfolio(report: BatchReport, force: bool = False, budget: float | None = None,
                    capacity: float | None = None, exchange: Exchange | None = None) -> list[Path]:
    """Write portfolio.xlsx and index.html, unless nothing changed since they were written."""
    exchange = exchange or Exchange()
    out = report.out_dir
    targets = [out / "portfolio.xlsx", out / "index.html"]
    state = [[o.name, o.sha256, o.summary.get("as_of")] for o in report.processed]
    state += [[p.workbook, p.reason] for p in report.failed + report.skipped]
    key = hashlib.sha256(json.dumps([state, budget, capacity, exchange.currency, sorted(exchange.rates.items())])
                         .encode()).hexdigest()
    record = load_record(out / PORTFOLIO_RECORD)
    if not force and record == {"key": key, "leverkit": __version__} and all(t.exists() for t in targets):
        return []
    check_currencies(report.processed, exchange, budget is not None or capacity is not None)
    ranked = entries(report.processed, exchange)
    currency = shown_currency(report.processed, exchange)
    funding = company_funding(ranked, exchange, budget, capacity, currency or "")
    ranking, teams = combined_ranking(ranked, exchange, funding), by_team(report.processed)
    output = {"Ranked": Sheet([ranking]), "By team": Sheet([teams]), "By form": Sheet([by_form(ranking)])}
    if funding is not None:
        output["Funding"] = Sheet([funding_table(funding, currency=currency or ""), recommended(ranking, funding),
                                   *([frontier_table(funding)] if funding.frontier is not None else [])], down=True,
                                  heading=headline(funding, currency or "", " across the company"))
    tracking = tracking_across(report.processed) if any(o.summary.get("tracking") for o in report.processed) else None
    if tracking:
        output["Tracking"] = Sheet(tracking, down=True)
    output["Failed"] = Sheet([problems(report)])
    workbook = io.BytesIO()
    with meanwhile(lambda: render_index(report, ranking, teams, exchange, funding, tracking)) as page:
        build_sheets(output, currency, workbook)  # while a second process, where there is one, draws the page
        html = page()
    try:
        write_all({targets[0]: workbook.getvalue(), targets[1]: html.encode("utf-8")})
        write_json(out / PORTFOLIO_RECORD, {"key": key, "leverkit": __version__})
    except OSError as exc:
        raise WriteFailed(f"the portfolio view {written_error(exc)}") from None
    return targets
