"""Problems found in a workbook.

Bad cells are values (`Issue`), collected and reported beside the ranking,
so one typo never hides the rest of a team's plan. Only problems that stop a
whole workbook from being read raise `LeverkitError`.
"""
from __future__ import annotations

from dataclasses import dataclass


class LeverkitError(Exception):
    """A workbook (or a setting in it) cannot be processed at all.

    The message is one plain sentence that names the file, sheet and cell.
    """


@dataclass(frozen=True)
class Issue:
    """One invalid cell: where it is, what was found there, and what is wrong."""

    code: str
    sheet: str
    cell: str
    column: str
    value: str
    message: str
    id: str = ""  # the initiative in the cell's row, where readable
    name: str = ""

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.message}"


def show(value: object) -> str:
    """A cell value as a person would type it: 5 rather than 5.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def one_line(text: str, limit: int = 300) -> str:
    """Text as it may appear inside a one-sentence message: whitespace folded, length bounded."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
