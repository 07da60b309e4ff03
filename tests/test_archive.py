"""Months of an archive: every item in the month of its own date, newest month first."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.archive import periods

# Mostly a few months, so that months hold many items; sometimes any year.
days = st.one_of(st.dates(min_value=dt.date(2024, 11, 1), max_value=dt.date(2025, 3, 31)),
                 st.dates(min_value=dt.date(1999, 1, 1), max_value=dt.date(2031, 12, 31)))


def _reference(briefings: list[Any], incidents: list[Any], events: list[Any],
               ) -> list[tuple[str, list[Any], list[Any], list[Any]]]:
    months: dict[str, tuple[list[Any], list[Any], list[Any]]] = {}
    for b in briefings:
        months.setdefault(b.date.strftime("%Y-%m"), ([], [], []))[0].append(b)
    for i in incidents:
        months.setdefault(i.reports[-1].record.date.start.strftime("%Y-%m"), ([], [], []))[1] \
            .append(i)
    for e in events:
        months.setdefault(e.entry.date.start.strftime("%Y-%m"), ([], [], []))[2].append(e)
    return [(key, *months[key]) for key in sorted(months, reverse=True)]


@settings(max_examples=300, deadline=None)
@given(briefing_days=st.lists(days, max_size=12), incident_days=st.lists(days, max_size=8),
       event_days=st.lists(days, max_size=40))
def test_items_fall_in_the_month_of_their_own_date(
        briefing_days: list[dt.date], incident_days: list[dt.date],
        event_days: list[dt.date]) -> None:
    # Newest first, as the indexes give every list (tests/test_indexes.py).
    briefing_days, incident_days, event_days = (
        sorted(d, reverse=True) for d in (briefing_days, incident_days, event_days))
    briefings = [SimpleNamespace(date=d) for d in briefing_days]
    incidents = [SimpleNamespace(reports=[SimpleNamespace(
        record=SimpleNamespace(date=SimpleNamespace(start=d)))]) for d in incident_days]
    events = [SimpleNamespace(entry=SimpleNamespace(date=SimpleNamespace(start=d)))
              for d in event_days]
    got = periods(briefings=briefings, incidents=incidents, events=events)  # type: ignore[arg-type]
    assert [(p.key, list(p.briefings), list(p.incidents), list(p.events)) for p in got] == \
        _reference(briefings, incidents, events)
