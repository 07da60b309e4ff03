"""Markdown to safe HTML, for briefing bodies and inline event text.

Bodies are contributed text and may carry raw HTML, so every rendering goes
through nh3's allow-list sanitiser: a ``<script>`` or an ``onerror=`` in a
briefing never reaches a reader's browser.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, TocTreeprocessor, slugify

from briefgen.fastblock import FastBlockExtension
from briefgen.fastinline import FastInlineExtension
from briefgen.fasttree import FastTreeExtension

# Chosen for briefings (tables, footnotes, heading anchors) and for speed: "smarty"
# alone would triple the time per page. MarkdownRenderer uses faster
# equivalents of "toc" and of the inline stage; tests compare with these.
EXTENSIONS = ["tables", "footnotes", "toc"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div",
    "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Ids the theme gives its own sections; a body heading "Sources" must not take them.
RESERVED_IDS = frozenset({"main", "chronology", "chronology-heading", "actors", "actors-heading",
                          "casualties", "casualties-heading", "sources", "sources-heading",
                          "key-figures", "key-figures-heading"})
# Text that Markdown and the sanitiser return unchanged: it starts with a letter,
# quote or parenthesis (not a list, heading or quote marker) and holds no
# Markdown or HTML syntax, entities, line breaks or no-break spaces.
# tests/test_markup.py checks the claim against the full pipeline.
PLAIN_TEXT = re.compile(r"[^\W\d_\"“‘'(](?:[^\W_]|[ .,;:'\"()?%/+=\-–—’‘“”…$€£°@])*")
_PARAGRAPH = re.compile(r"^<p>(.*)</p>$", re.DOTALL)


class MarkdownRenderer:
    """One reusable Python-Markdown instance; creating one per page is slow."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            # The EXTENSIONS, with toc, block tests, the inline stage and the
            # last tree steps made faster: the same HTML as stock
            # Python-Markdown (tests/test_fastinline.py). Given as objects:
            # a name is looked up among the installed packages' entry points,
            # 30-40 ms of every process that parses.
            extensions=[TableExtension(), FootnoteExtension(),
                        _HeadingIdsExtension(slugify=heading_id),
                        FastBlockExtension(), FastInlineExtension(), FastTreeExtension()],
            output_format="html",
        )

    def block(self, text: str) -> str:
        """A body: paragraphs, lists, tables, footnotes — sanitised."""
        html = self._md.reset().convert(text)
        return sanitize(html)

    def inline(self, text: str) -> str:
        """One line of inline Markdown (an event's text) without the ``<p>`` around it."""
        if PLAIN_TEXT.fullmatch(text) and "  " not in text:
            # Most events are plain sentences, which Markdown and the sanitiser
            # give back unchanged; skipping them saves a tenth of a cold build.
            return text
        return self.inline_markdown(text)

    def inline_markdown(self, text: str) -> str:
        """:meth:`inline` without the fast path: always through Markdown."""
        html = self._md.reset().convert(text).strip()
        match = _PARAGRAPH.match(html)
        return sanitize(match.group(1) if match else html)


class _MarkerCheckingToc(TocTreeprocessor):
    """toc's tree step, which builds a table of contents only for a ``[TOC]`` marker.

    The stock step builds, prettifies and serialises the table for every
    body, for ``Markdown.toc``, which briefgen never reads; a body shows it
    only where its text holds the marker. Heading ids are set as before.
    """

    _has_marker = True

    def run(self, doc: Element) -> None:
        # The stock search joins the text of every subtree (quadratic in the
        # depth; a twentieth of a body's time) but only ever replaces an
        # element whose own text is the marker: with no text holding the
        # marker there is nothing to replace.
        marker = self.marker
        self._has_marker = bool(marker) and any(
            marker in (element.text or "") for element in doc.iter())
        super().run(doc)

    def build_toc_div(self, toc_list: list[Any]) -> Element:
        if not self._has_marker:
            return Element("div")  # the table no page shows
        return super().build_toc_div(toc_list)

    def replace_marker(self, root: Element, elem: Element) -> None:
        if self._has_marker:
            super().replace_marker(root, elem)


class _HeadingIdsExtension(TocExtension):
    """toc, which we use for heading ids, with :class:`_MarkerCheckingToc`."""

    TreeProcessorClass = _MarkerCheckingToc


def heading_id(text: str, separator: str) -> str:
    """Python-Markdown's heading slug, moved aside when the theme uses that id."""
    slug = slugify(text, separator)
    return f"{slug}{separator}section" if slug in RESERVED_IDS else slug


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    """Drop ids that would take over the theme's anchors (``#sources``, ``#source-x``)."""
    if attribute == "id" and (value in RESERVED_IDS or value.startswith("source-")):
        return None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_keep_attribute,
    )
