"""How one cell is read (docs/model.md section 1, "How a cell is read").

Every column and setting kind has a rule here: what it accepts, and the
registered issue (`issues.CODES`) it raises, as a `CellError`, when the cell
breaks it. The sheet readers (`reading`) apply these rules; nothing here
knows about sheets or files.
"""
from __future__ import annotations

import datetime
import functools
import math
import re
from typing import Any, Callable

from .issues import CODES, one_line, show
from .package import TEXT_LIMIT, ExcelError, Uncached, is_fault
from .schema import MONTHS, header_key

LARGEST = 1e15  # no amount in a plan comes near this; beyond it, figures could outgrow a float
_DATES = (datetime.date, datetime.time, datetime.timedelta)
_CURRENCY = r"(?:[A-Za-z]{3}|[$€£¥])"
_NUMBER = re.compile(
    rf"^(?P<sign>[-+])?\s*(?P<before>{_CURRENCY})?\s*(?P<num>(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?|\.\d+)"
    rf"\s*(?P<after>{_CURRENCY})?$"
)
_PERCENT = re.compile(r"^(?P<num>[-+]?(?:\d+(?:\.\d+)?|\.\d+))\s*%$")
_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?$")
SYMBOLS = {"$": {"USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN"}, "€": {"EUR"}, "£": {"GBP"},
           "¥": {"JPY", "CNY"}}  # which currency codes a sign may stand for
MONTH_NAMES = {name.casefold(): n for n, name in enumerate(MONTHS, start=1)}


class CellError(ValueError):
    """A cell breaks a rule: its registered code and the sentence made from `fields`."""

    def __init__(self, code: str, **fields: object):
        super().__init__(CODES[code].sentence(**fields))
        self.code = code


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip() and not is_fault(value))


def cell_problem(value: object, name: str) -> CellError | None:
    """What makes a cell unreadable whatever its column: an Excel error, a formula with no saved value,
    or more text than Excel itself allows in a cell."""
    if isinstance(value, ExcelError):
        return CellError("excel-error", name=name, error=value)
    if isinstance(value, Uncached):
        return CellError("formula-without-value", name=name)
    if isinstance(value, str) and len(value) >= TEXT_LIMIT:  # readers cut longer text to the limit
        return CellError("too-long", name=name, length=len(value), limit=TEXT_LIMIT)
    return None


@functools.lru_cache(maxsize=1024)
def label(header: str) -> str:
    """`Growth / month` -> `growth`: how a column is named in messages."""
    return re.sub(r"\s*(/ month|\(.*\))$", "", header).lower()


def same_currency(found: str, currency: str) -> bool:
    """Whether an amount's currency code or sign names the workbook's currency (case aside).

    >>> same_currency("usd", "USD"), same_currency("$", "CAD"), same_currency("EUR", "USD"), same_currency("£", "£")
    (True, True, False, True)
    """
    found, currency = found.upper(), currency.upper()
    return found == currency or currency in SYMBOLS.get(found, ()) or found in SYMBOLS.get(currency, ())


def read_number(value: object, name: str, currency: str | None = None) -> float:
    """A number, or text such as `$1,200` or `1,200 USD`; with `currency`, a code or sign in the text must
    name that currency."""
    if isinstance(value, bool):
        raise CellError("not-a-number", name=name, value=value, what="TRUE/FALSE")
    if isinstance(value, _DATES):
        raise CellError("not-a-number", name=name, value=value, what="a date or time")
    if isinstance(value, (int, float)):
        number = float(value) if not isinstance(value, int) or abs(value) < 10**300 else math.inf
    else:
        match = _NUMBER.match(str(value).strip())
        if not match or (match["before"] and match["after"]):
            raise CellError("not-a-number", name=name, value=repr(one_line(show(value), 60)), what="not a number")
        found = match["before"] or match["after"]
        if found and currency is not None and not same_currency(found, currency):
            raise CellError("other-currency", name=name, value=repr(one_line(show(value), 60)), found=found.upper(),
                            currency=currency)
        number = float(match["num"].replace(",", ""))
        number = -number if match["sign"] == "-" else number
    if not math.isfinite(number) or abs(number) > LARGEST:
        raise CellError("too-large", name=name, value=one_line(show(value), 40), limit=LARGEST)
    return number


def read_percent(value: object, name: str) -> float:
    """A percent cell (5% is stored as 0.05) or text `5%`; a plain number over 1 is refused, never guessed."""
    if isinstance(value, str) and (match := _PERCENT.match(value.strip())):
        return float(match["num"]) / 100
    number = read_number(value, name)
    if abs(number) > 1:
        raise CellError("percent-as-number", name=name, value=show(value), fraction=number / 100)
    return number


def read_whole(value: object, name: str, low: float | None, high: float | None) -> int:
    number = read_number(value, name)
    in_bounds = (low is None or number >= low) and (high is None or number <= high)
    if not number.is_integer() or not in_bounds:
        span = (
            f" from {show(low)} to {show(high)}" if low is not None and high is not None
            else f" {show(low)} or more" if low is not None else ""
        )
        raise CellError("out-of-range", name=name, value=show(value), rule=f"must be a whole number{span}")
    return int(number)


def read_month(value: object, name: str) -> datetime.date:
    """A calendar month, as the first day of it: a date cell (any day), or text `YYYY-MM` / `YYYY-MM-DD`.

    >>> read_month("2025-03", "start"), read_month(datetime.datetime(2025, 3, 17, 9), "start")
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1))
    """
    if isinstance(value, (datetime.date, datetime.datetime)):
        return datetime.date(value.year, value.month, 1)
    match = _MONTH.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise CellError("not-a-date", name=name, value=repr(show(value)), what="a date")
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"] or 1)
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise CellError("not-a-date", name=name, value=repr(str(value).strip()), what="a date that exists") from None
    return datetime.date(year, month, 1)


def read_fiscal_month(value: object, name: str) -> int:
    """The month a fiscal year starts: 1-12, or a month's name or its first three letters.

    >>> read_fiscal_month("April", "x"), read_fiscal_month("sep", "x"), read_fiscal_month(7, "x")
    (4, 9, 7)
    """
    if isinstance(value, str) and not _NUMBER.match(value.strip()):
        key = value.strip().casefold()
        found = [n for month, n in MONTH_NAMES.items() if len(key) >= 3 and month.startswith(key)]
        if len(found) == 1:
            return found[0]
        raise CellError("not-a-choice", name=name, value=repr(one_line(value, 40)),
                        choices="1-12 or a month name such as April")
    return read_whole(value, name, 1, 12)


def read_text(value: object) -> str:
    return show(value).strip()


def read_choice(value: object, name: str, allowed: dict[str, str], listed: tuple[str, ...]) -> str:
    key = header_key(value)
    if key not in allowed:
        raise CellError("not-a-choice", name=name, value=repr(str(value)), choices=", ".join(listed))
    return allowed[key]


def read_id_list(value: object) -> tuple[str, ...]:
    """IDs separated by commas or semicolons, each trimmed; a number ID by its text form (7.0 is `7`).

    >>> read_id_list("OP1, OP2;OP3 ;"), read_id_list(7.0)
    (('OP1', 'OP2', 'OP3'), ('7',))
    """
    return tuple(dict.fromkeys(part.strip() for part in re.split(r"[,;]", show(value)) if part.strip()))


Rule = Callable[..., float]
# kind -> (how to read it, what is allowed, what to say otherwise)
BOUNDED: dict[str, tuple[Rule, Callable[[float], bool], str]] = {
    "money": (read_number, lambda x: x >= 0, "is negative; enter 0 or more"),
    "cap": (read_number, lambda x: x > 0, "must be above 0 (leave it blank for no cap)"),
    "percent": (read_percent, lambda x: x > -1, "must be above -100%"),
    "decay": (read_percent, lambda x: 0 <= x < 1, "must be from 0% up to (not including) 100%"),
    "confidence": (read_percent, lambda x: 0 < x <= 1, "must be above 0% and at most 100%"),
    "rate": (read_percent, lambda x: 0 <= x <= 1, "must be from 0% to 100%"),
    "threshold": (read_number, lambda x: x > 1, "must be more than 1"),
    "money_or_none": (read_number, lambda x: x >= 0, "is negative; enter 0 or more, or leave it blank"),
}
MONEY = ("money", "money_or_none")  # kinds whose text may carry the workbook's currency


def read_bounded(kind: str, value: object, name: str, currency: str | None = None) -> float:
    read, allowed, problem = BOUNDED[kind]
    number = read(value, name, currency) if kind in MONEY else read(value, name)
    if not allowed(number):
        raise CellError("out-of-range", name=name, value=show(value), rule=problem)
    return number


WHOLE = {"whole": (0, None), "quality": (1, 5)}  # the Initiatives columns' whole-number kinds -> lowest, highest


def _plain(kind: str) -> Callable[[float], Any]:
    """How a cell holding a float is read when its column's rule takes it as it is, in one step: the value,
    or None when the rule might refuse it, so that the full rule runs and names the problem.

    Most cells of a plan are such floats; the full rules (`read_bounded`, `read_whole`) read them the same.
    Only an exact float qualifies: anything else (a bool, a date, text, an Excel error) has rules of its own.
    """
    if kind in WHOLE:
        low, high = WHOLE[kind]
        top = LARGEST if high is None else high
        return lambda x: int(x) if x.is_integer() and low <= x <= top else None
    read, allowed, _ = BOUNDED[kind]
    limit = 1 if read is read_percent else LARGEST
    return lambda x: x if abs(x) <= limit and allowed(x) else None


PLAIN = {kind: _plain(kind) for kind in (*BOUNDED, *WHOLE)}


def median_of_range(low: float, high: float) -> float:
    """The median of a 90% interval: lognormal when low > 0, else normal (docs/model.md section 4).

    >>> median_of_range(100.0, 10_000.0), median_of_range(-2.0, 4.0), median_of_range(5.0, 5.0)
    (1000.0, 1.0, 5.0)
    """
    if low == high:
        return low
    return math.sqrt(low) * math.sqrt(high) if low > 0 else low / 2 + high / 2


def split_range(text: str) -> tuple[str, str] | None:
    """`LOW to HIGH` split at its word `to`, in linear time whatever the text.

    >>> split_range("800 to 1,200"), split_range("to 5")
    (('800', '1,200'), None)
    """
    words = text.split()
    at = next((i for i, word in enumerate(words) if word.casefold() == "to"), None)
    if at is None or at == 0 or at == len(words) - 1:
        return None
    return " ".join(words[:at]), " ".join(words[at + 1:])
