"""The Markdown renderer's fast path for plain event text gives what the full pipeline gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen import markup
from briefgen.markup import MarkdownRenderer

RENDERER = MarkdownRenderer()
TRICKY = list("aZя9 .,;:'\"()?%/+=-–—’‘“”…$€£°@\u00a0\u2028\u0301\u200b*_#1.\n<>&[]`|\\!~")


def full_pipeline(text: str) -> str:
    return RENDERER.inline_markdown(text)


@settings(max_examples=3000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY), min_size=1, max_size=40))
def test_fast_path_equals_markdown_on_tricky_text(text: str) -> None:
    text = text.strip()
    if text:
        assert RENDERER.inline(text) == full_pipeline(text)


@settings(max_examples=1000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_fast_path_equals_markdown_on_any_text(text: str) -> None:
    text = text.strip()
    if text:
        assert RENDERER.inline(text) == full_pipeline(text)


def test_plain_sentences_take_the_fast_path_and_markup_does_not() -> None:
    assert markup.PLAIN_TEXT.fullmatch('Poland scrambles jets; "no breach," it said.')
    assert not markup.PLAIN_TEXT.fullmatch("Strike on **Kyiv**")
    assert RENDERER.inline("Strike on **Kyiv**") == "Strike on <strong>Kyiv</strong>"
    assert RENDERER.inline("1. Not a list") == full_pipeline("1. Not a list")
