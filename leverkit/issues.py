"""Problems found in a workbook, and the one registry of every code leverkit reports.

Bad cells are values (`Issue`), collected and reported beside the ranking,
so one typo never hides the rest of a team's plan. Each has a code from
`CODES`: its title, whether it leaves its row valid, and the sentence
template its message is made from. Warnings about an initiative's figures
(docs/model.md sections 3 and 7) are registered the same way. Problems that
stop a whole workbook are exceptions (`errors`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

INVALID, NOTE, WARNING = "invalid cell", "note", "warning"  # what a code does to its row, as the Issues sheet says


@dataclass(frozen=True)
class Code:
    """One kind of problem: `effect` is INVALID (the row is left out), NOTE (said, row kept) or WARNING."""

    code: str
    title: str
    effect: str
    template: str

    def sentence(self, **fields: object) -> str:
        """The message for one occurrence.

        >>> CODES["required"].sentence(name="upfront cost")
        'upfront cost is required'
        """
        return self.template.format(**fields)


def _codes(*codes: Code) -> dict[str, Code]:
    return {c.code: c for c in codes}


CODES = _codes(
    # Cells that make their row invalid (docs/model.md section 1 and 7)
    Code("excel-error", "Excel error value", INVALID, "{name} holds the Excel error {error}; fix the formula or type a value"),
    Code("formula-without-value", "Formula without a saved value", INVALID,
         "{name} is a formula with no saved value (the file was saved by a program that does not calculate); "
         "open it in Excel or LibreOffice, save it, and run again"),
    Code("too-long", "More text than a cell holds", INVALID,
         "{name} is {length:,} characters long, at or past the {limit:,} Excel allows in a cell; shorten it"),
    Code("name-too-long", "Initiative name over 200 characters", INVALID,
         "initiative name is {length} characters; keep it to 200"),
    Code("required", "Required cell left blank", INVALID, "{name} is required"),
    Code("not-a-number", "Not a number", INVALID, "{name} {value} is {what}; enter a number"),
    Code("too-large", "Number too large for any plan", INVALID,
         "{name} {value} is beyond {limit:,.0f}; no plan needs amounts that large, so check the units"),
    Code("percent-as-number", "Percent typed as a plain number", INVALID,
         "{name} {value} looks like a percent; enter {value}% or {fraction:g}"),
    Code("out-of-range", "Outside the column's range", INVALID, "{name} {value} {rule}"),
    Code("other-currency", "Amount in another currency", INVALID,
         "{name} {value} is in {found}, but this workbook plans in {currency}; enter it in {currency}"),
    Code("not-a-date", "Not a date", INVALID, "{name} {value} is not {what}; enter a date, or text such as 2025-03"),
    Code("not-a-choice", "Not one of the choices", INVALID, "{name} {value} is not one of {choices}"),
    Code("range-reversed", "Range written high to low", INVALID, "{name} range {value} runs high to low; write LOW to HIGH"),
    Code("overflow", "Growth past any real number", INVALID,
         "growth of {value} a month for {horizon} months with no cap grows past any real number; set a Reach cap"),
    Code("duplicate-id", "ID used on more than one row", INVALID,
         "ID {id!r} is used on {count:,} rows ({cells}); give each initiative its own ID"),
    Code("unknown-requirement", "Requires an ID no valid initiative has", INVALID,
         "Requires names {id!r}, which is not the ID of {what}"),
    Code("requires-itself", "Requires its own ID", INVALID, "Requires names the initiative's own ID {id!r}; leave it out"),
    Code("unknown-id", "Actuals for an unknown initiative", INVALID,
         "ID {id!r} is not the ID of a valid initiative on the Initiatives sheet"),
    Code("no-start", "Actuals for an initiative without a Start", INVALID,
         "initiative {id!r} has actuals but no Start; enter the month it started in its Start cell on the "
         "Initiatives sheet"),
    Code("outside-horizon", "Actuals month outside the initiative's months", INVALID,
         "month {month} is month {t} of initiative {id!r} (Start {start}), {side}"),
    Code("after-as-of", "Actuals month after As of", INVALID,
         "month {month} is after the As of month {as_of}; actuals are for months that have begun"),
    Code("duplicate-month", "Two Actuals rows for one month", INVALID,
         "initiative {id!r} has {count} rows for {month} (its month {t}; first at {first}); all of them are left "
         "out, so keep one"),
    # Notes: said on the Issues sheet, nothing left out
    Code("unknown-setting", "Setting leverkit does not know", NOTE, "setting {name!r} is not one leverkit knows; it was ignored"),
    Code("text-cleaned", "Control characters left out", NOTE,
         "{what} had control characters, which no workbook can store; they were left out of everything leverkit wrote"),
    Code("example-rows", "The template's example rows are still there", NOTE,
         "the template's example rows ({ids}) are still here and are ranked like the team's own; overwrite or "
         "delete them"),
    Code("decision-ignored", "Decision on a finished initiative", NOTE,
         "initiative {id!r} is finished (Start {start}, {horizon}-month horizon, As of {as_of}); its Decision "
         "{decision!r} was ignored"),
    Code("decisions-conflict", "The fund decisions cannot all hold", NOTE,
         "the fund decisions conflict: {detail}; only the fund decisions are in the portfolio until a person "
         "decides"),
    # Warnings about an initiative's figures (docs/model.md sections 3 and 7)
    Code("NO_PAYBACK", "No payback within the horizon", WARNING,
         "still {currency} {cumulative:,.0f} cumulative at month {horizon}: no payback within the horizon"),
    Code("MAINTENANCE_MISSING", "Maintenance left blank", WARNING,
         "maintenance was left blank and counted as 0; enter 0 if it truly costs nothing to keep running"),
    Code("MAINTENANCE_DRAG", "Maintenance eats half the value or more", WARNING,
         "maintenance takes {share:.0%} of the {currency} {gross:,.0f} gross value over {horizon} months"),
    Code("SYMPTOM_FIX", "Pushes on a symptom", WARNING,
         "pushes on a symptom, a low-leverage trap that tends to need redoing; look for the structure behind it"),
    Code("CAPITAL_FRAGILITY", "Capital on a weak foundation", WARNING,
         "capital on a quality {quality}/5 foundation: money amplifies weakness fastest and is hard to get back"),
    Code("UNCAPPED_GROWTH", "Growth without a cap", WARNING,
         "reach grows {growth:.1%} a month with no cap, to {reach:,.0f} by month {horizon} ({times:,.0f}× the "
         "start); set a Reach cap"),
    Code("LONG_DELAY", "Benefits start late", WARNING,
         "benefits start only after {delay} months, half the {horizon}-month horizon or more"),
    Code("BEHIND_PLAN", "Behind plan", WARNING,
         "realised {realisation:.0%} of the {currency} {projected:,.0f} gross value projected for its {months} "
         "months with actuals, to month {last}"),
    Code("OVER_SPEND", "Spending over plan", WARNING,
         "spent {currency} {spent:,.0f}, {ratio:.0%} of the {currency} {projected:,.0f} projected (upfront and "
         "{months} months of maintenance)"),
)


@dataclass(frozen=True)
class Issue:
    """One problem with a cell: where it is, what was found there, and what is wrong.

    Most invalidate their row; notes only say what leverkit did.
    """

    code: str
    sheet: str
    cell: str
    column: str
    value: str
    message: str
    id: str = ""  # the initiative in the cell's row, where readable
    name: str = ""

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered issue code {self.code!r}")

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.message}"

    @property
    def effect(self) -> str:
        return CODES[self.code].effect

    @property
    def invalidates(self) -> bool:
        return self.effect == INVALID


def issue(code: str, sheet: str, cell: str, column: str, value: object, **fields: object) -> Issue:
    """An Issue whose message is its code's sentence with `fields`."""
    return Issue(code, sheet, cell, column, show(value) if value is not None else "", CODES[code].sentence(**fields))


def codes_table(effect: str) -> list[tuple[str, str]]:
    """(code, title) of every registered code with this effect, as the README and docs/model.md list them."""
    return [(c.code, c.title) for c in CODES.values() if c.effect == effect]


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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
