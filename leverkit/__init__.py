"""leverkit: rank leverage initiatives from a team's Excel planning workbook.

The library mirrors the command line, one call per step::

    plan = leverkit.load("workbooks/design_studio.xlsx")   # read and validate
    ranking = leverkit.rank(plan)                          # project, choose and rank
    leverkit.write_excel(ranking, "reports/design_studio_ranked.xlsx")
    leverkit.write_html(ranking, "reports/design_studio.html")

or all of it at once: ``leverkit.report("workbooks/design_studio.xlsx")``.
Exceptions are `LeverkitError` and its subclasses (`leverkit.errors`); bad
cells are `Issue` values on ``plan.issues``.
"""
from __future__ import annotations

from .api import (
    Report, batch, load, rank, report, to_dataframe, write_excel, write_html, write_in_place, write_macro_workbook,
    write_template,
)
from .errors import LeverkitError
from .issues import Issue
from .version import __version__

__all__ = [
    "Issue", "LeverkitError", "Report", "__version__", "batch", "load", "rank", "report", "to_dataframe",
    "write_excel", "write_html", "write_in_place", "write_macro_workbook", "write_template",
]
