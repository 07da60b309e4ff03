"""MarkdownRenderer's faster Python-Markdown gives the stock HTML, byte for byte.

It skips inline patterns that cannot match (briefgen/fastinline.py) and toc's
marker search where no text holds the marker (briefgen/markup.py).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest
from conftest import REPO
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown import inlinepatterns, util

from briefgen import fastinline, markup
from briefgen.fastinline import TRIGGERS, FastInlineProcessor

sys.path.insert(0, str(REPO / "bench"))
from newsroom import write_site


def stock_markdown() -> markdown.Markdown:
    """What MarkdownRenderer built before the fast inline stage: same extensions and config."""
    return markdown.Markdown(
        extensions=markup.EXTENSIONS,
        extension_configs={"toc": {"slugify": markup.heading_id}},
        output_format="html",
    )


STOCK = stock_markdown()
FAST = markup.MarkdownRenderer()


def both(text: str) -> tuple[str, str]:
    """Stock and fast HTML, before sanitising (which could hide a difference)."""
    fast_md = FAST._md  # the renderer's own instance, as block() uses it
    return STOCK.reset().convert(text), fast_md.reset().convert(text)


def assert_same(text: str) -> None:
    stock, fast = both(text)
    assert fast == stock
    assert FAST.block(text) == markup.sanitize(stock)


# Each example exercises at least one row of TRIGGERS (see
# test_every_trigger_row_is_needed) or a corner of the loop.
EXAMPLES = [
    "Plain words only, nothing to do.",
    "Some `code` and ``double `tick` code`` and \\\\`x`.",
    "Escaped \\*stars\\* and \\[brackets\\] and \\\\ backslash.",
    "A claim.[^1] Another.[^note]\n\n[^1]: The source.\n[^note]: Second *one*.",
    "[inline](https://example.org \"t\") and [ref][r] and [short] and [r].\n\n"
    "[r]: https://example.org/r\n[short]: https://example.org/s",
    "![alt](https://example.org/i.png) ![ref img][i] ![i]\n\n[i]: https://example.org/i.png",
    "See <https://example.org/x> or <mailto:a@example.org> or <me@example.org>.",
    "Line one  \nline two  \nline three.",
    "Raw <b>bold</b>, <!-- comment -->, <?pi?>, <![CDATA[x]]> and <span class=\"x\">s</span>.",
    "Entities &amp; &#169; &#xA9; & lone; and AT&T.",
    # Entities pass the serialiser unchanged, so only an odd case shows the
    # entity pattern at work (stock leaks a placeholder; ours must, too).
    "*[**[*&#42;",
    "*em* **strong** ***both*** _u_ __uu__ snake_case_word 2*3*4.",
    "*a* `c`",  # a pattern skipped after a match must not pass on its start index
    "*a* `c` *b* [l](u) *d*",
    "| Place | Figure |\n| --- | --- |\n| **Kyiv** | [1](u) |\n| `x` | a &amp; b |",
    "## Heading with *em* and [link](u)\n\n### Sources\n\n#### Sources",
    "> quote with *em* and `code`\n> - list [x](y)\n\n1. one\n2. two  \n   three",
    "[^a]: unused note\n\ntext [^b] and [^a] [not a note]",
    "Nested **bold with *em* inside** and *em with `code`*.",
    # toc's marker, where it is replaced and where not (markup._MarkerCheckingToc).
    "[TOC]\n\n## A\n\n### B",
    "- [TOC]\n\n> [TOC]\n\n| [TOC] |\n| --- |\n| [TOC] |\n\n## [TOC]",
    "`[TOC]` \\[TOC\\] [TOC] *[TOC]*\n\n    [TOC]\n\n[TOC]  \nx",
    # Block tests answered without their regex (briefgen/fastblock.py).
    "Title\n=====\n\nSub\n---\ntext\n\nNot = a\nheading =\n\n-\nx",
    "a\n- - -\n\n*  *  *\n\n__ __ __ text\n\n-- -\n\nx *** y\n\n   ---",
    "| one |\n| --- |\n| x |\n\none|two\n---|---\n\nno pipe\n| --- |\n\n|\n|",
    "x # not a heading\n# heading\n\n#tight\n\n####### seven\n\nq > r\n   > quoted",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_examples_match_stock(text: str) -> None:
    assert_same(text)


# Markdown's special characters, blocks markers, spaces and line breaks, and
# text that is not ASCII, in proportions that build nested constructs often.
MARKDOWNISH = [
    *"[]()!*_`<>&\\^:;@/#-|>.=\"' \n",
    "  \n", "\n\n", "  ", "1", "2", "a", "b", "Z", "я", "é", "€", "\u00a0", "\t",
    "http://", "<https://x.org>", "[^1]", "[^1]: ", "](u)", "![", "&amp;", "&#35;",
    "<b>", "</b>", "<!--", "-->", "**", "__", "| --- |", "\n| a | b |\n", "\n- ",
    "[TOC]", "\n[TOC]\n", "\n1. ", "\n> ", "\n## ", "\n    ", "```", "x@y.z",
    "\x02", "\x03", "klzzwxh:0001",
]


@settings(max_examples=3000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.lists(st.sampled_from(MARKDOWNISH), max_size=40).map("".join))
@example("*a* `c`")
def test_fast_inline_equals_stock_on_markdownish_text(text: str) -> None:
    assert_same(text)


@settings(max_examples=500, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.text(max_size=80))
def test_fast_inline_equals_stock_on_any_text(text: str) -> None:
    assert_same(text)


def corpus() -> Iterator[tuple[str, str]]:
    """The benchmark's briefing bodies and this repository's own Markdown."""
    for path in sorted(REPO.glob("*.md")) + sorted(REPO.glob("docs/*.md")):
        yield path.name, path.read_text(encoding="utf-8")
    yield "briefing", (REPO / "content" / "briefings"
                       / "2025-04-06-ceasefire-talks-kyiv-strike.md").read_text(encoding="utf-8")


def test_generated_corpus_matches_stock(tmp_path: Path) -> None:
    files = write_site(tmp_path, 60)
    texts = [(p.name, p.read_text(encoding="utf-8").split("\n---\n", 1)[1]) for p in files]
    for name, text in [*texts, *corpus()]:
        stock, fast = both(text)
        assert fast == stock, name


def test_every_trigger_row_is_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong trigger for any pattern changes the HTML of some example, so the tests see it."""
    for regex in list(TRIGGERS):
        with monkeypatch.context() as patched:
            # A trigger that never occurs: the pattern is always skipped.
            patched.setitem(TRIGGERS, regex, (("\x00",),))
            differs = [text for text in EXAMPLES if both(text)[0] != both(text)[1]]
        assert differs, f"no example needs the trigger of {regex!r}"


def test_the_fast_processor_runs_and_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    processor = FAST._md.treeprocessors["inline"]
    assert isinstance(processor, FastInlineProcessor)
    assert [item.name for item in FAST._md.treeprocessors._priority] == [
        item.name for item in STOCK.treeprocessors._priority
    ]
    applied: list[str] = []
    original = processor._apply

    def counting(pattern: Any, data: str, index: int, start: int) -> tuple[str, bool, int]:
        applied.append(type(pattern).__name__)
        return original(pattern, data, index, start)

    monkeypatch.setattr(processor, "_apply", counting)
    FAST.block("Nothing special here.\n\n| a | b |\n| - | - |\n| c | d |")
    assert applied == []
    FAST.block("One [link](https://example.org).")
    assert "LinkInlineProcessor" in applied
    assert "BacktickInlineProcessor" not in applied


def test_unknown_patterns_always_run() -> None:
    md = markdown.Markdown(extensions=[fastinline.FastInlineExtension()])
    # The same class with another regex is not recognised, so it always runs.
    md.inlinePatterns.register(
        inlinepatterns.SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "del", 65)
    md.inlinePatterns.register(
        inlinepatterns.HtmlInlineProcessor(r"(%%[a-z]+%%)", md), "html2", 85)
    assert md.convert("a ~~b~~ %%c%%") == "<p>a <del>b</del> %%c%%</p>"
    processor = md.treeprocessors["inline"]
    assert isinstance(processor, FastInlineProcessor)
    assert [triggers for _, triggers in processor._plan].count(None) == 2


def test_toc_marker_is_still_replaced() -> None:
    html = FAST.block("[TOC]\n\n## One\n\n## Two")
    assert html.startswith('<div class="toc">') and 'href="#two"' in html
    assert_same("[TOC]\n\n## One\n\n## Two")


def test_every_trigger_is_literal_text_of_its_regex() -> None:
    """A cheap guard against typos: each trigger substring appears in the regex source."""
    for regex, alternatives in TRIGGERS.items():
        for group in alternatives:
            for part in group:
                literal = "".join(f"\\{c}" if c in "[]^*!\\&" else c for c in part)
                literal = literal.replace("\n", "\\n")
                assert part in regex or literal in regex, (regex, part)


def test_placeholders_hold_no_trigger() -> None:
    placeholder = util.INLINE_PLACEHOLDER % "0123456789"
    html_placeholder = util.HTML_PLACEHOLDER % 987
    for text in (placeholder, html_placeholder, f"{util.STX}35{util.ETX}"):
        assert not fastinline._ANY_TRIGGER.search(text)
        for alternatives in TRIGGERS.values():
            assert not fastinline.may_match(text, alternatives)


def test_fast_block_tests_replace_the_stock_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same processors in the same order; a block without their text never reaches a regex."""
    fast, stock = FAST._md.parser.blockprocessors, STOCK.parser.blockprocessors
    assert [item.name for item in fast._priority] == [item.name for item in stock._priority]
    replaced = {"hashheader", "setextheader", "hr", "quote", "table"}
    assert {name for name in replaced if type(fast[name]) is not type(stock[name])} == replaced

    class Refusing:
        def search(self, text: str) -> None:
            raise AssertionError(f"regex searched {text!r}")

        match = search

    for name in ("hashheader", "setextheader", "quote"):
        monkeypatch.setattr(fast[name], "RE", Refusing())
    monkeypatch.setattr(fast["hr"], "SEARCH_RE", Refusing())
    monkeypatch.setattr(fast["table"], "RE_END_BORDER", Refusing())
    assert FAST.block("A plain paragraph,\nover two lines.") == (
        "<p>A plain paragraph,\nover two lines.</p>")
