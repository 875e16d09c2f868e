"""What stops leverkit from processing a whole workbook, or from writing a file.

A bad cell is not an error but a value (`issues.Issue`), reported beside the
ranking. These exceptions are for the rest: each message is one plain
sentence naming the file (and the sheet and cell, where there is one), and
callers tell them apart by class, never by their text.
"""
from __future__ import annotations


class LeverkitError(Exception):
    """A workbook, a setting or an output cannot be processed; the message is one sentence for a person."""


class NotAWorkbook(LeverkitError):
    """The file is not an .xlsx/.xlsm workbook (a CSV, an .xls, an .ods, a folder, an encrypted file...)."""


class Damaged(LeverkitError):
    """The file is a workbook package, but a part of it is broken."""


class Refused(LeverkitError):
    """The file is beyond limits no planning workbook reaches, or holds XML no workbook needs."""


class BadSheet(LeverkitError):
    """A sheet leverkit reads has no header row, lacks a required column, or names one twice."""


class BadSetting(LeverkitError):
    """A Settings cell (or a command-line option standing in for one) breaks its rule."""


class StrictFailure(LeverkitError):
    """With --strict, a workbook had invalid rows; nothing was written for it."""


class InPlaceRefused(LeverkitError):
    """Writing into this workbook cannot be guaranteed to lose nothing; it was not touched."""


class WriteFailed(LeverkitError):
    """An output could not be written (a full disk, a read-only folder, a name too long)."""


class Busy(LeverkitError):
    """Another leverkit batch holds the output folder."""


class NothingFound(LeverkitError):
    """A batch's inputs hold no workbook at all."""


class MixedCurrencies(LeverkitError):
    """Amounts in different currencies would have to be added up without a rate."""
