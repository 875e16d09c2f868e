"""Problems found in a workbook.

Bad cells are values (`Issue`), collected and reported beside the ranking,
so one typo never hides the rest of a team's plan. Only problems that stop a
whole workbook from being read raise `LeverkitError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


class LeverkitError(Exception):
    """A workbook (or a setting in it) cannot be processed at all.

    The message is one plain sentence that names the file, sheet and cell.
    """


NOTES = frozenset({"unknown-setting", "text-cleaned", "example-rows", "decisions-over-limit"})  # leave rows valid
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Issue:
    """One problem with a cell: where it is, what was found there, and what is wrong.

    Most invalidate their row; a few (`NOTES`) only say what leverkit did.
    """

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

    @property
    def invalidates(self) -> bool:
        return self.code not in NOTES


def show(value: object) -> str:
    """A cell value as a person would type it: 5 rather than 5.0; never a character XML cannot hold."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return printable(str(value))


def printable(text: str) -> str:
    """Text without the control characters XML 1.0 forbids, so every file written stays valid."""
    return _NOT_XML.sub("", text)


def has_unprintable(value: object) -> bool:
    return isinstance(value, str) and _NOT_XML.search(value) is not None


def one_line(text: str, limit: int = 300) -> str:
    """Text as it may appear inside a one-sentence message: whitespace folded, length bounded."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell_address(row: int, column: int) -> str:
    """A zero-based (row, column) as Excel names the cell. Reading needs only this of a writer library, so it
    is spelled out here rather than importing XlsxWriter before anything is written.

    >>> cell_address(0, 0), cell_address(6, 5), cell_address(9, 26), cell_address(1_048_575, 16_383)
    ('A1', 'F7', 'AA10', 'XFD1048576')
    """
    letters, n = "", column + 1
    while n:
        n, k = divmod(n - 1, 26)
        letters = chr(65 + k) + letters
    return f"{letters}{row + 1}"
