"""Tests for briefgen.dates: ISO and relative date fields against a dateline."""


from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.dates import (
    WEEKDAY_NAMES,
    DateSpec,
    format_day,
    format_range,
    parse_date_field,
    parse_iso_date,
    weekday_name,
)

SUNDAY = date(2025, 4, 6)
WEDNESDAY = date(2025, 4, 9)
SATURDAY = date(2025, 4, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sunday", date(2025, 4, 6)),
        ("early Sunday", date(2025, 4, 6)),
        ("Friday", date(2025, 4, 4)),
        ("Friday night", date(2025, 4, 4)),
        ("late Friday", date(2025, 4, 4)),
        ("Friday morning", date(2025, 4, 4)),
        ("Friday afternoon", date(2025, 4, 4)),
        ("Friday evening", date(2025, 4, 4)),
        ("on Friday", date(2025, 4, 4)),
        ("late on Friday night", date(2025, 4, 4)),
        ("FRIDAY", date(2025, 4, 4)),
        ("friday", date(2025, 4, 4)),
        ("Monday", date(2025, 3, 31)),
        ("Saturday", date(2025, 4, 5)),
        ("today", SUNDAY),
        ("Today", SUNDAY),
        ("tonight", SUNDAY),
        ("this morning", SUNDAY),
        ("this afternoon", SUNDAY),
        ("this evening", SUNDAY),
        ("earlier today", SUNDAY),
        ("yesterday", date(2025, 4, 5)),
        ("yesterday morning", date(2025, 4, 5)),
        ("yesterday evening", date(2025, 4, 5)),
        ("late yesterday", date(2025, 4, 5)),
        ("3 days ago", date(2025, 4, 3)),
        ("three days ago", date(2025, 4, 3)),
        ("1 day ago", date(2025, 4, 5)),
        ("one day ago", date(2025, 4, 5)),
        ("a day ago", date(2025, 4, 5)),
        ("ten days ago", date(2025, 3, 27)),
        ("10 days ago", date(2025, 3, 27)),
        ("  Friday \n  night ", date(2025, 4, 4)),
    ],
)
def test_relative_single_days(text: str, expected: date) -> None:
    spec = parse_date_field(text, SUNDAY)
    assert (spec.start, spec.end, spec.precision, spec.relative) == (
        expected,
        expected,
        "day",
        True,
    )


def test_iso_day() -> None:
    spec = parse_date_field("2025-04-04", SUNDAY)
    assert spec == DateSpec("2025-04-04", date(2025, 4, 4), date(2025, 4, 4), "day", relative=False)
    assert spec.display == "4 April 2025"
    assert spec.iso == "2025-04-04"


def test_iso_month() -> None:
    spec = parse_date_field("2025-04", SUNDAY)
    assert (spec.start, spec.end, spec.precision, spec.relative) == (
        date(2025, 4, 1),
        date(2025, 4, 30),
        "month",
        False,
    )
    assert spec.display == "April 2025"
    assert spec.iso == "2025-04"


def test_iso_month_february_leap_year() -> None:
    assert parse_date_field("2024-02", SUNDAY).end == date(2024, 2, 29)


def test_iso_dates_after_the_dateline_are_allowed() -> None:
    assert parse_date_field("2025-05-01", SUNDAY).start == date(2025, 5, 1)
    assert parse_date_field("2025-06", SUNDAY).start == date(2025, 6, 1)


@pytest.mark.parametrize(
    ("text", "dateline", "start", "end"),
    [
        ("last week", SUNDAY, date(2025, 3, 31), date(2025, 4, 4)),
        ("last week", SATURDAY, date(2025, 3, 31), date(2025, 4, 4)),
        ("last week", WEDNESDAY, date(2025, 3, 31), date(2025, 4, 6)),
        ("last week", date(2025, 4, 7), date(2025, 3, 31), date(2025, 4, 6)),
        ("late last week", SUNDAY, date(2025, 4, 3), date(2025, 4, 4)),
        ("early last week", SUNDAY, date(2025, 3, 31), date(2025, 4, 1)),
        ("late last week", WEDNESDAY, date(2025, 4, 5), date(2025, 4, 6)),
        ("early last week", WEDNESDAY, date(2025, 3, 31), date(2025, 4, 1)),
        ("Last Week", SUNDAY, date(2025, 3, 31), date(2025, 4, 4)),
    ],
)
def test_last_week(text: str, dateline: date, start: date, end: date) -> None:
    spec = parse_date_field(text, dateline)
    assert (spec.start, spec.end, spec.precision, spec.relative) == (start, end, "range", True)


@pytest.mark.parametrize(
    ("dateline", "start", "end"),
    [
        (SUNDAY, date(2025, 3, 1), date(2025, 3, 31)),
        (date(2025, 1, 15), date(2024, 12, 1), date(2024, 12, 31)),
        (date(2024, 3, 1), date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_last_month(dateline: date, start: date, end: date) -> None:
    spec = parse_date_field("last month", dateline)
    assert (spec.start, spec.end, spec.precision, spec.relative) == (start, end, "month", True)


@pytest.mark.parametrize(
    ("text", "dateline", "display", "iso"),
    [
        ("2025-04-04", SUNDAY, "4 April 2025", "2025-04-04"),
        ("2025-04", SUNDAY, "April 2025", "2025-04"),
        ("Friday", SUNDAY, "Friday, 4 April 2025", "2025-04-04"),
        ("Friday night", SUNDAY, "Friday night, 4 April 2025", "2025-04-04"),
        ("early Sunday", SUNDAY, "Early Sunday, 6 April 2025", "2025-04-06"),
        ("yesterday", SUNDAY, "Yesterday, 5 April 2025", "2025-04-05"),
        ("3 days ago", SUNDAY, "3 days ago, 3 April 2025", "2025-04-03"),
        ("last week", SUNDAY, "Last week, 31 March – 4 April 2025", "2025-03-31/2025-04-04"),
        ("late last week", SUNDAY, "Late last week, 3–4 April 2025", "2025-04-03/2025-04-04"),
        ("last month", SUNDAY, "Last month, March 2025", "2025-03"),
        (
            "last week",
            date(2025, 1, 4),
            "Last week, 30 December 2024 – 3 January 2025",
            "2024-12-30/2025-01-03",
        ),
        ("  Friday   night ", SUNDAY, "Friday night, 4 April 2025", "2025-04-04"),
    ],
)
def test_display_and_iso(text: str, dateline: date, display: str, iso: str) -> None:
    spec = parse_date_field(text, dateline)
    assert spec.display == display
    assert spec.iso == iso


def test_text_is_whitespace_normalised_but_keeps_case() -> None:
    assert parse_date_field("  Friday\t night\n", SUNDAY).text == "Friday night"
    assert parse_date_field("FRIDAY", SUNDAY).text == "FRIDAY"


def test_sort_key_orders_by_start_then_end() -> None:
    specs = [parse_date_field(t, SUNDAY) for t in ["2025-04", "Friday", "last week", "2025-04-01"]]
    ordered = [s.text for s in sorted(specs, key=lambda s: s.sort_key)]
    assert ordered == ["last week", "2025-04-01", "2025-04", "Friday"]
    assert specs[2].sort_key == (date(2025, 3, 31), date(2025, 4, 4))


def test_datespec_is_frozen_and_slotted() -> None:
    spec = parse_date_field("Friday", SUNDAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.text = "Saturday"  # type: ignore[misc]
    assert not hasattr(spec, "__dict__")


def test_datespec_rejects_inconsistent_construction() -> None:
    with pytest.raises(ValueError, match="before start"):
        DateSpec("x", date(2025, 4, 2), date(2025, 4, 1), "range", relative=False)
    with pytest.raises(ValueError, match="day precision"):
        DateSpec("x", date(2025, 4, 1), date(2025, 4, 2), "day", relative=False)


def test_datetime_dateline_is_treated_as_its_date() -> None:
    spec = parse_date_field("yesterday", datetime(2025, 4, 6, 23, 30))
    assert spec.start == date(2025, 4, 5)
    assert type(spec.start) is date


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 3, 31), date(2025, 4, 4), "31 March – 4 April 2025"),
        (date(2025, 4, 1), date(2025, 4, 3), "1–3 April 2025"),
        (date(2024, 12, 30), date(2025, 1, 2), "30 December 2024 – 2 January 2025"),
        (date(2025, 4, 4), date(2025, 4, 4), "4 April 2025"),
    ],
)
def test_format_range(start: date, end: date, expected: str) -> None:
    assert format_range(start, end) == expected


def test_format_range_rejects_reversed_range() -> None:
    with pytest.raises(ValueError, match="before its start"):
        format_range(date(2025, 4, 4), date(2025, 4, 1))


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2025, 4, 4), "4 April 2025"),
        (date(2025, 1, 1), "1 January 2025"),
        (date(2024, 12, 31), "31 December 2024"),
    ],
)
def test_format_day(d: date, expected: str) -> None:
    assert format_day(d) == expected


def test_weekday_name() -> None:
    assert weekday_name(SUNDAY) == "Sunday"
    assert weekday_name(date(2025, 4, 4)) == "Friday"


def test_parse_iso_date() -> None:
    assert parse_iso_date("2025-04-04") == date(2025, 4, 4)
    assert parse_iso_date("2024-02-29") == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-02-30", "'2025-02-30' is not a calendar date (February 2025 has 28 days)"),
        ("2025-02-29", "'2025-02-29' is not a calendar date (February 2025 has 28 days)"),
        ("2025-04-31", "'2025-04-31' is not a calendar date (April 2025 has 30 days)"),
        ("2025-04-00", "'2025-04-00' is not a calendar date (April 2025 has 30 days)"),
        ("2025-13-01", "'2025-13-01' is not a calendar date (months run 01 to 12)"),
        ("2025-00-10", "'2025-00-10' is not a calendar date (months run 01 to 12)"),
        ("0000-01-01", "'0000-01-01' is not a calendar date (years run 0001 to 9999)"),
        ("2025-13", "'2025-13' is not a calendar month (months run 01 to 12)"),
        ("2025-00", "'2025-00' is not a calendar month (months run 01 to 12)"),
    ],
)
def test_invalid_calendar_dates(text: str, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_date_field(text, SUNDAY)
    assert str(excinfo.value) == message


def test_parse_iso_date_error_messages() -> None:
    with pytest.raises(ValueError, match=r"February 2025 has 28 days"):
        parse_iso_date("2025-02-30")
    for bad in ["2025-4-6", "06/04/2025", "2025-04-06T10:00", " 2025-04-06", "2025-04", ""]:
        with pytest.raises(ValueError, match="is not an ISO date: write YYYY-MM-DD"):
            parse_iso_date(bad)


def test_unknown_phrase_message() -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_date_field("next Tuesday", SUNDAY)
    assert str(excinfo.value) == (
        "cannot resolve 'next Tuesday' against the dateline 2025-04-06: "
        "write an ISO date such as 2025-04-06, a month such as 2025-04, "
        "or a phrase like 'Friday', 'yesterday', '3 days ago', 'last week'"
    )


@pytest.mark.parametrize(
    "text",
    [
        "next Tuesday",
        "this week",
        "tomorrow",
        "2025-4-6",
        "06/04/2025",
        "2025/04/06",
        "20250406",
        "2025-04-06T10:00",
        "Fri",
        "Friday Saturday",
        "early",
        "eleven days ago",
        "-3 days ago",
        "three weeks ago",
        "last year",
        "mid last week",
        "٢٠٢٥-٠٤-٠٦",
    ],
)
def test_unknown_phrases_are_rejected(text: str) -> None:
    with pytest.raises(ValueError, match=r"^cannot resolve '.+' against the dateline 2025-04-06"):
        parse_date_field(text, SUNDAY)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_field_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="the date field is empty"):
        parse_date_field(text, SUNDAY)


@pytest.mark.parametrize("text", ["last month", "Sunday", "yesterday", "3 days ago", "last week"])
def test_datelines_at_the_start_of_the_calendar_fail_cleanly(text: str) -> None:
    with pytest.raises(ValueError, match="resolves to a date before 0001-01-01"):
        parse_date_field(text, date(1, 1, 1))


@given(
    dateline=st.dates(min_value=date(1, 1, 8)),
    weekday=st.sampled_from(WEEKDAY_NAMES),
    prefix=st.sampled_from(["", "early ", "late ", "on ", "late on "]),
    suffix=st.sampled_from(["", " morning", " afternoon", " evening", " night"]),
    upper=st.booleans(),
)
def test_weekday_resolves_to_most_recent_such_day(
    dateline: date, weekday: str, prefix: str, suffix: str, upper: bool
) -> None:
    text = f"{prefix}{weekday}{suffix}"
    spec = parse_date_field(text.upper() if upper else text, dateline)
    assert spec.start == spec.end
    assert spec.start <= dateline
    assert dateline - spec.start < timedelta(days=7)
    assert weekday_name(spec.start) == weekday


@given(
    dateline=st.dates(min_value=date(1, 2, 1)),
    phrase=st.sampled_from(["last week", "early last week", "late last week", "last month"]),
)
def test_ranges_lie_entirely_before_the_dateline(dateline: date, phrase: str) -> None:
    spec = parse_date_field(phrase, dateline)
    assert spec.start <= spec.end < dateline
    if phrase == "last month":
        assert spec.start.day == 1
        assert spec.end + timedelta(days=1) == dateline.replace(day=1)
    else:
        assert spec.start.weekday() == 0 or phrase == "late last week"
