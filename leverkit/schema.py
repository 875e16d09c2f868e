"""The columns teams fill and the settings (docs/model.md section 1).

Everything that reads, validates or writes a workbook takes its headers,
kinds and defaults from here, so the template, the reader and the writers
can never drift apart.
"""
from __future__ import annotations

from dataclasses import dataclass

FORMS = ("labor", "capital", "code", "media", "process")
FORM_ALIASES = {
    **{form: form for form in FORMS},
    "automation": "code",
    "code & automation": "code",
    "content": "media",
    "media & content": "media",
}
LEVER_POINTS = (
    "symptom",
    "parameter",
    "delay",
    "information flow",
    "balancing goal",
    "reinforcing loop",
)
DECISIONS = ("fund", "skip")
RANK_BY = ("risk-adjusted NPV", "NPV", "payback", "leverage multiple")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # the names Fiscal year starts takes and is shown by
TABLE_STYLE = "Table Style Medium 2"  # the look of every Excel table leverkit writes


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str  # text, form, lever_point, money, percent, cap, whole, quality, confidence, decision, month, requires, group
    required: bool
    ranged: bool = False
    help: str = ""


COLUMNS = (
    Column("ID", "id", "id", False, help="Optional short code; blank means R<row number>."),
    Column("Initiative", "name", "name", True, help="What you would build or do, 1-200 characters."),
    Column("Owner", "owner", "text", False, help="Who drives it."),
    Column("Leverage form", "form", "form", True,
           help="labor, capital, code (automation), media (content) or process."),
    Column("Lever point", "lever_point", "lever_point", False,
           help="Where it pushes, least to most structural: symptom ... reinforcing loop. Blank = parameter."),
    Column("Upfront cost", "upfront", "money", True, ranged=True,
           help="One-off cost to build it. A number, or a range such as 800 to 1,200."),
    Column("Maintenance / month", "maintenance", "money", False, ranged=True,
           help="What it costs every month to keep it running, from month 1. Leave blank only if unknown."),
    Column("Reach / month", "reach", "money", True, ranged=True,
           help="Uses, people or units reached in the first month of benefits."),
    Column("Value per reach", "value", "money", True, ranged=True,
           help="What one use is worth, in the workbook's currency."),
    Column("Growth / month", "growth", "percent", False, ranged=True,
           help="Monthly growth of reach, as a percent: 5% or 0.05 (not 5). Blank = 0%."),
    Column("Reach cap", "cap", "cap", False, help="The most reach can ever be per month. Blank = no cap."),
    Column("Delay (months)", "delay", "whole", False, help="Whole months before benefits start. Blank = 0."),
    Column("Decay / month", "decay", "decay", False,
           help="Monthly loss of value per use, 0% up to (not including) 100%. Blank = 0%."),
    Column("Quality (1-5)", "quality", "quality", True,
           help="How proven the foundation is: 1 untested ... 5 proven and measured."),
    Column("Confidence", "confidence", "confidence", False,
           help="How sure you are it happens as planned, above 0% up to 100%. Blank = 100%."),
    Column("Notes", "notes", "text", False, help="Anything else."),
    Column("Decision", "decision", "decision", False,
           help="fund or skip to decide it yourself; blank lets leverkit recommend within Budget and capacity."),
    Column("Start", "start", "month", False,
           help="The month it started or will start (a date, or 2025-03): its month 1. Blank = not started."),
    Column("Requires", "requires", "requires", False,
           help="IDs of initiatives that must be funded for this one to be, separated by commas. Blank = none."),
    Column("Alternative group", "group", "group", False,
           help="A name shared by alternatives: at most one initiative of a group is funded. Blank = none."),
)
COLUMN_BY_KEY = {c.header.casefold(): c for c in COLUMNS}


@dataclass(frozen=True)
class Setting:
    name: str
    field: str
    kind: str  # text, currency, whole, rate, threshold, rank_by, money_or_none, month, fiscal_month
    default: object
    low: float | None = None
    high: float | None = None
    help: str = ""


SETTINGS = (
    Setting("Team", "team", "text", None, help="Blank = the workbook's file name."),
    Setting("Currency", "currency", "currency", "USD", help="A label such as USD, EUR or GBP (case does not matter)."),
    Setting("Horizon (months)", "horizon", "whole", 36, 1, 600, help="How far to project, 1-600 months."),
    Setting("Discount rate (annual)", "discount_rate", "rate", 0.10, help="0% to 100% a year."),
    Setting("Amplification threshold", "threshold", "threshold", 3.0,
            help="The leverage multiple above which weak quality is flagged; more than 1."),
    Setting("Rank by", "rank_by", "rank_by", "risk-adjusted NPV", help=", ".join(RANK_BY)),
    Setting("Budget", "budget", "money_or_none", None, help="Upfront money available; blank = none."),
    Setting("Monthly capacity", "capacity", "money_or_none", None,
            help="Maintenance per month the team can carry; blank = none."),
    Setting("Simulation draws", "draws", "whole", 2000, 0, 100000, help="0 turns simulation off."),
    Setting("Random seed", "seed", "whole", 42, 0, None, help="Same seed, same numbers; 0 or more."),
    Setting("As of", "as_of", "month", None,
            help="The month the plan is decided in (a date, or 2026-12). Blank = the month leverkit runs."),
    Setting("Fiscal year starts", "fiscal_start", "fiscal_month", 1,
            help="The first month of the fiscal year: 1-12 or a month name such as April. Blank = January."),
)
SETTING_BY_KEY = {s.name.casefold(): s for s in SETTINGS}


def header_key(value: object) -> str:
    """How headers and setting names match: case-insensitive, surrounding spaces ignored."""
    return str(value).strip().casefold()


# The template's example rows: written into a new template, and noted by the reader if still there. They tell the
# "hire, automate or write a checklist?" story: automating onboarding and hiring for it are alternatives, and the
# automation needs the checklist first (fix the foundation, then scale).
EXAMPLE_ROWS = (
    {"ID": "EX1", "Initiative": "Client onboarding checklist", "Owner": "Ana",
     "Leverage form": "process", "Lever point": "parameter", "Upfront cost": 800,
     "Maintenance / month": 20, "Reach / month": 6, "Value per reach": 150, "Growth / month": 0.02,
     "Reach cap": 20, "Delay (months)": 0, "Decay / month": 0, "Quality (1-5)": 3, "Confidence": 0.8,
     "Notes": "Example row: overwrite it"},
    {"ID": "EX2", "Initiative": "Automate client onboarding", "Owner": "Sam",
     "Leverage form": "code", "Lever point": "information flow", "Upfront cost": "2,000 to 3,000",
     "Maintenance / month": 50, "Reach / month": 6, "Value per reach": 300, "Growth / month": 0.02,
     "Reach cap": 20, "Delay (months)": 1, "Decay / month": 0, "Quality (1-5)": 4, "Confidence": 0.9,
     "Notes": "Example row: overwrite it", "Requires": "EX1", "Alternative group": "onboarding"},
    {"ID": "EX3", "Initiative": "Hire an onboarding coordinator", "Owner": "Ana",
     "Leverage form": "labor", "Lever point": "parameter", "Upfront cost": 3000,
     "Maintenance / month": 2500, "Reach / month": 6, "Value per reach": 550, "Growth / month": 0,
     "Delay (months)": 1, "Decay / month": 0, "Quality (1-5)": 4, "Confidence": 0.9,
     "Notes": "Example row: overwrite it", "Alternative group": "onboarding"},
)
