"""Monthly archives: how long lists across briefings are split into pages.

A site with thousands of briefings cannot show every event of a place or a
tag on one page: readers would download megabytes, and "what happened in
Kyiv this month" is the question they ask anyway. Every section (the master
chronology, each actor, place and tag, the casualty dashboard) is therefore
an archive of :class:`Period`\\ s — one calendar month of its briefings,
events and incidents — with one page per month and an index page showing
the latest months.

Each item falls in the month of its own date: a briefing by its dateline,
an event by the start of its resolved date, an incident by its latest
record's date.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from briefgen.dashboard import month_label
from briefgen.dates import DateSpec, Precision
from briefgen.indexes import EventRef, Incident
from briefgen.model import Briefing

__all__ = ["LATEST_ITEMS", "LATEST_MONTHS", "Day", "Period", "latest", "periods"]

LATEST_ITEMS = 30
"""An index page shows the latest months until it holds at least this many items…"""
LATEST_MONTHS = 3
"""…or this many months, whichever comes first; older months are a link away."""


@dataclass(frozen=True, slots=True)
class Day:
    """Events of one resolved date (a day, or the month or span a vague date means)."""

    date: DateSpec
    """The resolved date without the original words, for the group's heading."""
    events: tuple[EventRef, ...]


@dataclass(frozen=True, slots=True)
class Period:
    """One month of a section: its briefings, incidents and events, newest first."""

    key: str
    """``YYYY-MM``; also the month page's URL segment."""
    briefings: tuple[Briefing, ...] = ()
    incidents: tuple[Incident, ...] = ()
    events: tuple[EventRef, ...] = ()
    _days: tuple[Day, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def days(self) -> tuple[Day, ...]:
        """Events grouped by resolved date, newest first.

        Events are sorted by (start, end, time), so one group's events are
        adjacent and the groups come out newest first too. Grouped on first
        use and kept: a month is shown on its own page and on the archive's
        index page, and a build that reuses both pages never needs it.
        """
        if self._days is None:
            grouped: dict[tuple[dt.date, dt.date, Precision], list[EventRef]] = {}
            for ref in self.events:
                spec = ref.entry.date
                grouped.setdefault((spec.start, spec.end, spec.precision), []).append(ref)
            object.__setattr__(self, "_days", tuple(
                Day(DateSpec("", start, end, precision, False), tuple(refs))
                for (start, end, precision), refs in grouped.items()))
        assert self._days is not None
        return self._days

    @property
    def label(self) -> str:
        return month_label(self.key)

    @property
    def count(self) -> int:
        return len(self.briefings) + len(self.incidents) + len(self.events)

    def part(self) -> str:
        """The month and its counts, as a key part for pages that list the months."""
        return f"{self.key}:{len(self.briefings)}:{len(self.incidents)}:{len(self.events)}"


def periods(
    *,
    briefings: Sequence[Briefing] = (),
    incidents: Sequence[Incident] = (),
    events: Sequence[EventRef] = (),
) -> list[Period]:
    """Group items into months, newest month first; each list must come newest first.

    Every list the indexes give is in that order (tests/test_indexes.py
    checks it), so a month's items are adjacent and each month's end is
    found by bisection: this runs for every section a change touches, over
    lists hundreds of thousands of items long on a large site, and visiting
    each item cost a fifth of a second of a build after one edit.
    """
    by_month: dict[int, list[tuple[Any, ...]]] = {}
    runs: list[Iterator[tuple[int, tuple[Any, ...]]]] = [
        _month_runs(briefings, _briefing_month), _month_runs(incidents, _incident_month),
        _month_runs(events, _event_month)]
    for kind, months in enumerate(runs):
        for number, run in months:
            by_month.setdefault(number, [(), (), ()])[kind] = run
    return [Period(f"{(number - 1) // 12:04d}-{(number - 1) % 12 + 1:02d}", *runs)
            for number, runs in sorted(by_month.items(), reverse=True)]


T = TypeVar("T")


def _month_runs(items: Sequence[T],
                month: Callable[[T], int]) -> Iterator[tuple[int, tuple[T, ...]]]:
    """(month number, its items) for newest-first ``items``, newest month first."""
    items = tuple(items)
    start, count = 0, len(items)

    def negated(item: T) -> int:  # month numbers never increase along the list
        return -month(item)

    while start < count:
        number = month(items[start])
        end = bisect.bisect_right(items, -number, start + 1, count, key=negated)
        yield number, items[start:end]
        start = end


def _briefing_month(briefing: Briefing) -> int:
    day = briefing.date
    return day.year * 12 + day.month


def _incident_month(incident: Incident) -> int:
    day = incident.reports[-1].record.date.start
    return day.year * 12 + day.month


def _event_month(ref: EventRef) -> int:
    day = ref.entry.date.start
    return day.year * 12 + day.month


def latest(months: Sequence[Period]) -> list[Period]:
    """The months an index page shows in full (see :data:`LATEST_ITEMS`)."""
    shown: list[Period] = []
    for period in months:
        if len(shown) == LATEST_MONTHS or sum(p.count for p in shown) >= LATEST_ITEMS:
            break
        shown.append(period)
    return shown
