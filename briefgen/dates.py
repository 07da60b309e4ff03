"""Parse the ``date`` field of chronology and casualty entries.

Text copied from news articles rarely carries ISO dates: it says "Friday",
"yesterday" or "last week".  Writers may keep those words, and this module
resolves them against the briefing's dateline so entries can still be sorted
and shown with an unambiguous calendar date beside the original wording.
Anything that cannot be resolved with certainty is rejected with a message
saying what to write instead, because a silently wrong date in a crisis
briefing is worse than a failed build.

The module is pure (stdlib only, no I/O) and locale-independent: month and
weekday names are spelled out here rather than taken from ``strftime``, so the
output does not depend on the build machine's locale.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from briefgen.picklestate import quick_pickle

__all__ = [
    "DateSpec",
    "Precision",
    "format_day",
    "format_range",
    "parse_date_field",
    "parse_iso_date",
    "weekday_name",
]

Precision = Literal["day", "month", "range"]

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAY_NAMES = (
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
)  # fmt: skip

_EN_DASH = "\N{EN DASH}"
# [0-9] rather than \d: \d also matches non-ASCII digits such as "٢".
_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# Phrases are matched after whitespace normalisation and lower-casing, so a
# single literal space is enough between words.
_PART_OF_DAY = r"(?: (?:morning|afternoon|evening|night))?"
_WEEKDAY = re.compile(
    r"(?:(?:early|late) )?(?:on )?(" + "|".join(WEEKDAY_NAMES).lower() + ")" + _PART_OF_DAY
)
_TODAY = frozenset(
    {"today", "tonight", "this morning", "this afternoon", "this evening",
     "earlier today"}
)  # fmt: skip
_YESTERDAY = re.compile(r"(?:(?:early|late) )?yesterday" + _PART_OF_DAY)
_NUMBER_WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_DAYS_AGO = re.compile(r"([0-9]{1,6}|" + "|".join(_NUMBER_WORDS) + r") days? ago")
_LAST_WEEK = re.compile(r"(?:(early|late) )?last week")


@quick_pickle
@dataclass(frozen=True, slots=True)
class DateSpec:
    """A resolved ``date`` field: the writer's words plus the days they mean.

    The original text is kept so pages can show what the source said
    ("Friday night") next to the date it was resolved to; ``start``/``end``
    let entries of different precision be sorted together.
    """

    text: str
    start: date
    end: date
    precision: Precision
    relative: bool

    def __post_init__(self) -> None:
        # Catch construction bugs early rather than rendering nonsense ranges.
        if self.end < self.start:
            raise ValueError(f"DateSpec end {self.end} is before start {self.start}")
        if self.precision == "day" and self.end != self.start:
            raise ValueError("a DateSpec with day precision must have end == start")

    @property
    def sort_key(self) -> tuple[date, date]:
        """Chronological order: earliest start first, shorter spans first."""
        return (self.start, self.end)

    @property
    def display(self) -> str:
        """Human-readable date; relative words keep their original wording."""
        if self.precision == "day":
            resolved = format_day(self.start)
        elif self.precision == "month":
            resolved = f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        else:
            resolved = format_range(self.start, self.end)
        if not self.relative:
            return resolved
        return f"{self.text[:1].upper()}{self.text[1:]}, {resolved}"

    @property
    def iso(self) -> str:
        """Machine-readable form, e.g. for ``<time datetime=...>``.

        A range is an ISO 8601 interval (``start/end``).
        """
        if self.precision == "day":
            return self.start.isoformat()
        if self.precision == "month":
            return self.start.isoformat()[:7]
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def weekday_name(d: date) -> str:
    """English weekday name, independent of the process locale."""
    return WEEKDAY_NAMES[d.weekday()]


def format_day(d: date) -> str:
    """``4 April 2025``: day-month-year is unambiguous to every reader."""
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def format_range(start: date, end: date) -> str:
    """Format an inclusive span, sharing the month and year where they match.

    Days of one month take an unspaced en dash ("1-3 April 2025"), wider
    spans a spaced one ("31 March - 4 April 2025"); hyphens stand in for the
    en dashes here only.
    """
    if end < start:
        raise ValueError(f"range end {end} is before its start {start}")
    if start == end:
        return format_day(start)
    if start.year != end.year:
        return f"{format_day(start)} {_EN_DASH} {format_day(end)}"
    if start.month != end.month:
        return f"{start.day} {MONTH_NAMES[start.month - 1]} {_EN_DASH} {format_day(end)}"
    return f"{start.day}{_EN_DASH}{format_day(end)}"


def _check_year_month(value: str, year: int, month: int, kind: str) -> None:
    if year < 1:
        raise ValueError(f"'{value}' is not a calendar {kind} (years run 0001 to 9999)")
    if not 1 <= month <= 12:
        raise ValueError(f"'{value}' is not a calendar {kind} (months run 01 to 12)")


@functools.lru_cache(maxsize=4096)
def parse_iso_date(value: str) -> date:
    """Parse strict ``YYYY-MM-DD``, explaining exactly why a date is invalid.

    ``date.fromisoformat`` accepts other ISO shapes and its errors ("day is
    out of range for month") do not tell a writer what to fix.
    """
    match = _ISO_DAY.fullmatch(value)
    if match is None:
        raise ValueError(f"'{value}' is not an ISO date: write YYYY-MM-DD, e.g. 2025-04-06")
    year, month, day = (int(part) for part in match.groups())
    _check_year_month(value, year, month, "date")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise ValueError(
            f"'{value}' is not a calendar date "
            f"({MONTH_NAMES[month - 1]} {year} has {days_in_month} days)"
        )
    return date(year, month, day)


def _parse_iso_month(value: str) -> tuple[date, date]:
    """Parse strict ``YYYY-MM`` into the first and last day of that month."""
    match = _ISO_MONTH.fullmatch(value)
    if match is None:
        raise ValueError(f"'{value}' is not an ISO month: write YYYY-MM, e.g. 2025-04")
    year, month = (int(part) for part in match.groups())
    _check_year_month(value, year, month, "month")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _resolve_phrase(phrase: str, dateline: date) -> tuple[date, date, Precision] | None:
    """Resolve a lower-cased, whitespace-normalised phrase; None if unknown.

    Only phrases with a single reading are accepted.  "next Tuesday" or
    "this week" are rejected rather than guessed at.
    """
    if phrase in _TODAY:
        return dateline, dateline, "day"
    if _YESTERDAY.fullmatch(phrase):
        day = dateline - timedelta(days=1)
        return day, day, "day"
    if match := _WEEKDAY.fullmatch(phrase):
        target = WEEKDAY_NAMES.index(match.group(1).capitalize())
        # The most recent such day on or before the dateline.
        day = dateline - timedelta(days=(dateline.weekday() - target) % 7)
        return day, day, "day"
    if match := _DAYS_AGO.fullmatch(phrase):
        count = match.group(1)
        days = _NUMBER_WORDS[count] if count in _NUMBER_WORDS else int(count)
        day = dateline - timedelta(days=days)
        return day, day, "day"
    if match := _LAST_WEEK.fullmatch(phrase):
        monday = dateline - timedelta(days=dateline.weekday())
        if dateline.weekday() >= 5:
            # Written at the weekend, "last week" means the working week just
            # ended, not the Monday-Sunday week before it.
            start, end = monday, monday + timedelta(days=4)
        else:
            start, end = monday - timedelta(days=7), monday - timedelta(days=1)
        if match.group(1) == "early":
            end = start + timedelta(days=1)
        elif match.group(1) == "late":
            start = end - timedelta(days=1)
        return start, end, "range"
    if phrase == "last month":
        end = dateline.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end, "month"
    return None


@functools.lru_cache(maxsize=4096)
def parse_date_field(value: str, dateline: date) -> DateSpec:
    """Parse an entry's ``date`` field, resolving words against the dateline.

    ISO dates and months are taken as written, even after the dateline
    (scheduled events); relative phrases only ever look backwards. Cached: a
    DateSpec is immutable, and one object for the entries of a briefing that
    share a date is stored once per build cache file (see
    ``fields.SHARED_TEXT``).
    """
    if isinstance(dateline, datetime):
        # datetime is a date subclass; arithmetic on it would leak times.
        dateline = dateline.date()
    text = " ".join(value.split())
    if not text:
        raise ValueError(
            "the date field is empty: write an ISO date such as "
            f"{dateline.isoformat()}, or a phrase like 'Friday'"
        )
    if _ISO_DAY.fullmatch(text):
        day = parse_iso_date(text)
        return DateSpec(text, day, day, "day", relative=False)
    if _ISO_MONTH.fullmatch(text):
        first, last = _parse_iso_month(text)
        return DateSpec(text, first, last, "month", relative=False)
    try:
        resolved = _resolve_phrase(text.lower(), dateline)
    except (OverflowError, ValueError):
        # Only reachable for datelines in the first days of year 1.
        raise ValueError(
            f"'{text}' resolves to a date before 0001-01-01 "
            f"from the dateline {dateline.isoformat()}"
        ) from None
    if resolved is None:
        raise ValueError(
            f"cannot resolve '{text}' against the dateline {dateline.isoformat()}: "
            f"write an ISO date such as {dateline.isoformat()}, "
            f"a month such as {dateline.isoformat()[:7]}, "
            "or a phrase like 'Friday', 'yesterday', '3 days ago', 'last week'"
        )
    start, end, precision = resolved
    return DateSpec(text, start, end, precision, relative=True)
