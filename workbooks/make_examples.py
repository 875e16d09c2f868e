"""Rebuild the example team workbooks in this folder: python workbooks/make_examples.py

Three realistic teams, 12-16 initiatives each across all five forms, with
initiatives that trip every flag and warning (and, in the content team's
workbook, one cell a planner typed wrong, to show the Issues sheet). Each
sets its As of month, so its figures stay the same whenever it is run.

- Operations is a living plan: some initiatives started months ago and have
  actuals (one on plan, one behind, one far behind), its fiscal year starts
  in April.
- The design studio asks "hire or build a freelancer bench?" (an alternative
  group) and the bench needs a brief template first (a requirement).
"""
import datetime
from pathlib import Path

from leverkit import write_template

HEADERS = ("ID", "Initiative", "Owner", "Leverage form", "Lever point", "Upfront cost", "Maintenance / month",
           "Reach / month", "Value per reach", "Growth / month", "Reach cap", "Delay (months)", "Decay / month",
           "Quality (1-5)", "Confidence", "Notes")


def rows(*table, **extra):
    """Rows by header; `extra` maps an ID to more cells (Start, Requires, Alternative group)."""
    found = [dict(zip(HEADERS, values)) for values in table]
    for row in found:
        row.update(extra.get(row["ID"], {}))
    return found


DESIGN_STUDIO = rows(
    ("DS01", "Shared component library with design tokens", "Mia", "code", "information flow", "6,000 to 9,000", 150, 20, 120, 0.03, 60, 2, 0, 4, 0.85, "Cuts rework on every client build"),
    ("DS02", "Proposal template pack", "Leo", "process", "parameter", 1200, 20, 6, 250, 0.01, 12, 0, 0, 4, 0.9, ""),
    ("DS03", "Case-study video series", "Ava", "media", "information flow", 8000, 100, 2000, 0.8, 0.05, 8000, 1, 0.01, 3, 0.7, "Views to qualified leads"),
    ("DS04", "Hire a junior designer", "Leo", "labor", "parameter", 6000, 4200, 120, 45, 0, None, 2, 0, 3, 0.8, "Recruiting fee upfront"),
    ("DS05", "Online course on our design method", "Ava", "media", "reinforcing loop", 5000, 200, 15, 300, 0.15, None, 1, 0, 2, 0.5, "Method not yet written down"),
    ("DS06", "Credit line for a render farm", "Mia", "capital", "parameter", 15000, 300, 40, 90, 0, None, 0, 0, 2, 0.7, "Pipeline still breaks weekly"),
    ("DS07", "Chase late invoices by hand each month", "Leo", "labor", "symptom", 0, 400, 10, 30, 0, None, 0, 0, 3, 1, "Treats the symptom"),
    ("DS08", "Client portal automation", "Mia", "code", "information flow", "4,000 to 6,000", None, 25, 40, 0, None, 1, 0, 3, 0.7, "Hosting cost not known yet"),
    ("DS09", "Brand-refresh subscription offer", "Ava", "process", "balancing goal", 3000, 50, 4, 200, 0, None, 20, 0, 4, 0.6, "Needs the portfolio rebuilt first"),
    ("DS10", "Lease shared studio equipment", "Leo", "capital", "parameter", 20000, 0, 1, 500, 0, None, 0, 0, 4, 0.9, ""),
    ("DS11", "Freelancer bench for overflow work", "Mia", "labor", "delay", 1500, 300, 30, 30, 0, None, 0, 0, 2, 0.8, "No brief template yet"),
    ("DS12", "Weekly design tips newsletter", "Ava", "media", "reinforcing loop", 500, 80, 400, 0.5, 0.06, 3000, 0, 0, 3, 0.6, ""),
    ("DS13", "Design brief template", "Leo", "process", "information flow", 600, 10, 30, 15, 0, None, 0, 0, 3, 0.9, "Makes handing work out possible"),
    DS04={"Alternative group": "overflow work"},
    DS11={"Alternative group": "overflow work", "Requires": "DS13"},
)

OPERATIONS = rows(
    ("OP01", "Automate invoice matching", "Priya", "code", "information flow", "18,000 to 25,000", 400, 1800, 4.5, 0.01, 2500, 3, 0, 4, 0.85, "RPA pilot done"),
    ("OP02", "Self-service password reset", "Tom", "code", "parameter", 9000, 250, 300, 18, 0.02, 450, 1, 0, 5, 0.95, "Vendor module"),
    ("OP03", "Standard onboarding checklist", "Grace", "process", "information flow", 2500, 50, 12, 220, 0, None, 0, 0, 4, 0.9, ""),
    ("OP04", "Incident runbook library", "Tom", "process", "balancing goal", 6000, 150, 40, 180, 0.02, 80, 1, 0.01, 3, 0.8, ""),
    ("OP05", "Auto-scale the reporting cluster", "Priya", "code", "reinforcing loop", 30000, 1200, 60, 400, 0.03, None, 2, 0, 2, 0.6, "Untested under real load"),
    ("OP06", "Hire a second on-call engineer", "Grace", "labor", "parameter", 12000, 9500, 160, 75, 0, None, 3, 0, 4, 0.9, ""),
    ("OP07", "Warehouse barcode scanners", "Tom", "capital", "parameter", "40,000 to 55,000", 500, 9000, 0.9, 0.005, 11000, 2, 0, 4, 0.85, ""),
    ("OP08", "Buy a bigger forklift fleet on credit", "Grace", "capital", "symptom", 120000, 2500, 3000, 1.6, 0, None, 1, 0, 2, 0.6, "Maintenance records patchy"),
    ("OP09", "Train support on the ticket macros", "Priya", "labor", "information flow", 4000, 200, 500, 3, 0, None, 0, 0.02, 3, 0.8, ""),
    ("OP10", "Internal how-to video channel", "Tom", "media", "information flow", 3500, 150, 600, 1.2, 0.04, 2000, 1, 0.01, 3, 0.7, ""),
    ("OP11", "Supplier scorecard dashboard", "Priya", "code", "information flow", 11000, None, 45, 120, 0, None, 2, 0, 4, 0.75, "Licence cost unknown"),
    ("OP12", "Re-key shipping labels by hand", "Grace", "labor", "symptom", 0, 1800, 900, 1.5, 0, None, 0, 0, 3, 1, "Stopgap"),
    ("OP13", "Predictive maintenance model", "Priya", "code", "reinforcing loop", "60,000 to 90,000", 1500, 20, 900, 0.02, 40, 26, 0, 2, 0.5, "Needs two years of sensor data"),
    ("OP14", "Shared procurement templates", "Tom", "process", "parameter", 1500, 30, 25, 60, 0.05, None, 0, 0, 2, 0.8, "Half the team still uses email"),
    ("OP15", "Quarterly ops newsletter", "Grace", "media", "parameter", 800, 120, 250, 0.4, 0.01, None, 0, 0, 4, 0.7, ""),
    ("OP16", "Equipment-rental revenue share", "Tom", "capital", "balancing goal", 25000, 0, 2, 900, 0.12, None, 0, 0, 3, 0.5, "Demand could take off"),
    OP01={"Start": "2026-03"}, OP03={"Start": "2025-10"}, OP10={"Start": "2026-04"},
)

# What really happened (ID, month, gross value, spend): onboarding on plan, invoice matching at about 70% of its
# plan, the video channel at a twelfth of it and over budget.
OPERATIONS_ACTUALS = (
    [("OP03", f"2025-{m}", 12 * 220, 2500 if m == 10 else 50) for m in (10, 11, 12)]
    + [("OP03", f"2026-{m:02d}", 12 * 220, 50) for m in range(1, 11)]
    + [("OP01", f"2026-{m:02d}", round(0.7 * 1800 * 1.01 ** (m - 6) * 4.5) if m >= 6 else 0,
        21500 if m == 3 else 400) for m in range(3, 11)]
    + [("OP10", f"2026-{m:02d}", 0 if m == 4 else round(0.08 * 600 * 1.04 ** (m - 5) * 1.2), 4800 if m == 4 else 250)
       for m in range(4, 11)]
)

CONTENT = rows(
    ("CT01", "Evergreen how-to article hub", "Noor", "media", "reinforcing loop", "8,000 to 12,000", 300, 15000, 0.12, 0.04, 60000, 2, 0.005, 4, 0.8, ""),
    ("CT02", "Podcast with guest experts", "Ben", "media", "information flow", 6000, 900, 3000, 0.35, 0.05, 20000, 1, 0, 3, 0.6, ""),
    ("CT03", "Editorial style guide", "Noor", "process", "balancing goal", 1500, 0, 30, 40, 0, None, 0, 0, 4, 0.95, ""),
    ("CT04", "Auto-publish pipeline to all channels", "Kai", "automation", "information flow", 7000, 120, 60, 35, 0.02, 100, 1, 0, 4, 0.85, "Spelling 'automation' maps to code"),
    ("CT05", "Viral short-video push", "Ben", "content", "reinforcing loop", 4000, 500, 5000, 0.3, 0.2, None, 0, 0.03, 2, 0.4, "No brand guidelines for video yet"),
    ("CT06", "Freelance writer pool", "Noor", "labor", "parameter", 2000, 3000, 20, 180, 0, None, 0, 0, 3, 0.8, ""),
    ("CT07", "Sponsored-content fund", "Kai", "capital", "parameter", 30000, 0, 40, 400, 0.02, None, 1, 0.01, 2, 0.5, "Ad spend against untested funnels"),
    ("CT08", "Repost old articles when traffic dips", "Ben", "labor", "symptom", 0, 600, 2000, 0.2, 0, None, 0, 0.05, 3, 0.9, ""),
    ("CT09", "Content calendar and review checklist", "Noor", "process", "information flow", 800, 20, 40, 25, 0, None, 0, 0, 3, 0.9, ""),
    ("CT10", "Licensing our archive to publishers", "Kai", "capital", "balancing goal", 10000, 200, 3, 1500, 0, None, 12, 0, 4, 0.5, "Legal review first"),
    ("CT11", "Newsletter growth experiment", "Ben", "media", "reinforcing loop", 1500, 150, 800, 0.6, 5, 8000, 0, 0, 3, 0.7, "Growth typed as 5 instead of 5%"),
    ("CT12", "Template shop for other creators", "Kai", "code", "reinforcing loop", 5000, None, 50, 20, 0.08, None, 3, 0, 3, 0.6, ""),
)

AS_OF = datetime.date(2026, 11, 1)
WORKBOOKS = {
    "design_studio.xlsx": (DESIGN_STUDIO, {"Team": "Northwind Design Studio", "As of": AS_OF}),
    "operations.xlsx": (OPERATIONS, {"Team": "Operations", "Horizon (months)": 48, "Discount rate (annual)": 0.08,
                                     "Budget": 100_000, "As of": AS_OF, "Fiscal year starts": 4}),
    "content_team.xlsx": (CONTENT, {"Team": "Content Studio", "Currency": "EUR", "Horizon (months)": 24,
                                    "Amplification threshold": 4, "As of": AS_OF}),
}
ACTUALS = {"operations.xlsx": OPERATIONS_ACTUALS}

if __name__ == "__main__":
    here = Path(__file__).parent
    for name, (table, settings) in WORKBOOKS.items():
        write_template(here / name, table, settings, ACTUALS.get(name, ()))
        print("wrote", here / name)
