"""leverkit: rank leverage initiatives from a team's Excel planning workbook.

The library mirrors the command line, one call per step::

    plan = leverkit.load("workbooks/design_studio.xlsx")   # read and validate
    ranking = leverkit.rank(plan)                          # project and rank
    leverkit.write_excel(ranking, "reports/design_studio_ranked.xlsx")
    leverkit.write_html(ranking, "reports/design_studio.html")

or all of it at once: ``leverkit.report("workbooks/design_studio.xlsx")``.
Heavy modules are imported by the call that needs them, so importing
leverkit is cheap.
"""
from __future__ import annotations

from .api import (
    Report, batch, load, rank, report, write_excel, write_html, write_in_place, write_macro_workbook, write_template,
)
from .issues import Issue, LeverkitError

__version__ = "0.1.0"
__all__ = [
    "Issue", "LeverkitError", "Report", "batch", "load", "rank", "report",
    "write_excel", "write_html", "write_in_place", "write_macro_workbook", "write_template",
]
