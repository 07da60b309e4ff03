"""The display filters: exact markup, escaping, and caches that never mix up values."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from conftest import REPO
from markupsafe import Markup

from briefgen.dates import DateSpec
from briefgen.loader import load_site
from briefgen.model import Actor
from briefgen.templating import MacroCache, date_html, day_html, slug

DAY = date(2025, 4, 4)


def test_day_html() -> None:
    assert day_html(DAY) == '<time datetime="2025-04-04">4 April 2025</time>'
    assert isinstance(day_html(DAY), Markup)


def test_date_html_of_a_day_keeps_the_sources_words_escaped() -> None:
    plain = DateSpec("2025-04-04", DAY, DAY, "day", False)
    words = DateSpec('Friday <b>"night"</b>', DAY, DAY, "day", True)
    assert date_html(plain) == '<time datetime="2025-04-04">4 April 2025</time>'
    assert date_html(words) == (
        '<time datetime="2025-04-04" title="Friday &lt;b&gt;&#34;night&#34;&lt;/b&gt;">'
        "Friday &lt;b&gt;&#34;night&#34;&lt;/b&gt;, 4 April 2025</time>"
    )


def test_date_html_of_ranges_and_months() -> None:
    def spec(start: date, end: date, text: str = "", precision: str = "range") -> DateSpec:
        return DateSpec(text, start, end, precision, bool(text))  # type: ignore[arg-type]

    assert date_html(spec(date(2025, 4, 1), date(2025, 4, 3), "early last week")) == (
        'Early last week, <time datetime="2025-04-01">1</time>–'
        '<time datetime="2025-04-03">3 April 2025</time>'
    )
    assert date_html(spec(date(2025, 3, 30), date(2025, 4, 3))) == (
        '<time datetime="2025-03-30">30 March</time> – '
        '<time datetime="2025-04-03">3 April 2025</time>'
    )
    assert date_html(spec(date(2024, 12, 30), date(2025, 1, 2))) == (
        '<time datetime="2024-12-30">30 December 2024</time> – '
        '<time datetime="2025-01-02">2 January 2025</time>'
    )
    assert date_html(spec(date(2025, 4, 1), date(2025, 4, 30), precision="month")) == (
        '<time datetime="2025-04">April 2025</time>'
    )


def test_cached_filters_never_answer_for_another_value() -> None:
    # The caches are keyed by value: specs that differ in one field only, a
    # datetime equal in date to a date, names that slug alike in part, each
    # asked for in turn, must each get their own markup.
    specs = [
        DateSpec("Friday", DAY, DAY, "day", True),
        DateSpec("late Friday", DAY, DAY, "day", True),
        DateSpec("Friday", DAY, DAY, "day", False),
        DateSpec("Friday", date(2025, 4, 5), date(2025, 4, 5), "day", True),
    ]
    first = [date_html(s) for s in specs]
    assert len(set(first)) == len(specs)
    assert [date_html(s) for s in reversed(specs)] == first[::-1]
    assert "late Friday" in first[1] and "title" not in first[2] and "5 April" in first[3]

    assert day_html(date(2025, 4, 5)) != day_html(DAY)
    assert day_html(datetime(2025, 4, 4, 12, 30)) == (
        '<time datetime="2025-04-04T12:30:00">4 April 2025</time>'
    )
    assert day_html(DAY) == '<time datetime="2025-04-04">4 April 2025</time>'

    assert [slug(n) for n in ("Kryvyi Rih", "Kryvyi Rih ", "Київ", "Kryvyi Rih")] == [
        "kryvyi-rih", "kryvyi-rih", "kyiv", "kryvyi-rih"]


def test_cached_renders_each_value_once_and_never_mixes_values_up() -> None:
    calls: list[object] = []

    def shout(value: object, suffix: str = "!") -> str:
        calls.append(value)
        return f"{value}{suffix}"

    def whisper(value: object) -> str:
        return f"{value}…"

    cached = MacroCache()
    putin = Actor("putin", "Vladimir Putin", "person", "Russia", ("Putin",), "")
    renamed = Actor("putin", "V. Putin", "person", "Russia", ("Putin",), "")
    assert cached(putin, shout) == f"{putin}!"
    assert cached(renamed, shout) == f"{renamed}!"  # same id, other name: its own entry
    assert cached(putin, shout) == f"{putin}!"
    assert calls == [putin, renamed]
    # Equal under == but rendered differently: the type is part of the key.
    assert [cached(v, shout) for v in (1, True, 1.0)] == ["1!", "True!", "1.0!"]
    assert cached("Kyiv", whisper) == "Kyiv…" and cached("Kyiv", shout) == "Kyiv!"
    assert cached("Kyiv", shout, "?") == "Kyiv?"
    # Unhashable values are rendered every time.
    assert cached(["a"], shout) == "['a']!" and cached(["a"], shout) == "['a']!"
    assert calls[-2:] == [["a"], ["a"]]


def test_cached_forgets_everything_past_its_limit() -> None:
    cached = MacroCache(limit=2)
    assert [cached(n, str) for n in range(5)] == ["0", "1", "2", "3", "4"]
    assert len(cached._html) <= 2


class _UnreadBody:
    """A body that fails when read, hashed by its text as a stored body is."""

    def text(self) -> str:
        raise AssertionError("the body was read")

    def __hash__(self) -> int:
        return hash(self.text())


def test_cached_links_a_briefing_without_reading_its_body() -> None:
    site = load_site(REPO)
    original = site.briefings[0]
    stored = dataclasses.replace(original, body=_UnreadBody())
    cached = MacroCache()
    assert cached(stored, lambda b: b.slug) == original.slug
    assert cached(stored, lambda b, source: f"{b.slug}#{source}", "wire").endswith("#wire")
    # Equal briefings hash alike; another fingerprint is another entry.
    copy = dataclasses.replace(original)
    assert copy == original and hash(copy) == hash(original)
    edited = dataclasses.replace(original, fingerprint="other")
    calls: list[str] = []
    assert cached(edited, lambda b: calls.append(b.fingerprint) or b.slug) == original.slug
    assert calls == ["other"]
