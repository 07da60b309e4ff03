"""Python-Markdown's block tests, answered without a regex where the text rules them out.

The block parser asks every block processor, in priority order, whether it
takes the next block; most of a body's blocks are plain paragraphs, which
only the last processor takes. Each "no" of the processors below is a
regular-expression search over the whole block (together a quarter of a
body's block parsing). Each pattern needs text a substring test finds many
times faster than the search: a ``#`` for a heading, a ``>`` for a quote,
a ``|`` on a table's first line, an ``=`` or ``-`` starting a Setext
heading's second line, two marks of a rule at most two spaces apart. When the
character is there the stock test runs, so the answer is always the stock
one (tests/test_fastinline.py compares the HTML with stock Python-Markdown).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import markdown
from markdown.blockprocessors import (
    BlockQuoteProcessor,
    HashHeaderProcessor,
    HRProcessor,
    SetextHeaderProcessor,
)
from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor


class FastHashHeaderProcessor(HashHeaderProcessor):
    def test(self, parent: Element, block: str) -> bool:
        return "#" in block and super().test(parent, block)


class FastSetextHeaderProcessor(SetextHeaderProcessor):
    def test(self, parent: Element, block: str) -> bool:
        # The pattern is anchored: the block's first line, then a line of = or -.
        first_end = block.find("\n")
        return (first_end >= 0 and block.startswith(("=", "-"), first_end + 1)
                and super().test(parent, block))


RULE_PAIRS = tuple(f"{mark}{gap}{mark}" for mark in "-_*" for gap in ("", " ", "  "))
"""Two neighbours of a rule's three marks: a rule line holds one of these."""


class FastHRProcessor(HRProcessor):
    def test(self, parent: Element, block: str) -> bool:
        return any(pair in block for pair in RULE_PAIRS) and super().test(parent, block)


class FastBlockQuoteProcessor(BlockQuoteProcessor):
    def test(self, parent: Element, block: str) -> bool:
        return ">" in block and super().test(parent, block)


class FastTableProcessor(TableProcessor):
    def test(self, parent: Element, block: str) -> bool:
        # A table needs a second line, and its first line splits into cells
        # (or starts or ends with a border) only where it holds a pipe.
        first_end = block.find("\n")
        return first_end >= 0 and "|" in block[:first_end] and super().test(parent, block)


class FastBlockExtension(Extension):
    """Puts the fast tests in place of the stock processors, under their names and priorities.

    Registered after ``tables``, whose processor it replaces (with that
    extension's own configuration).
    """

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        blocks = md.parser.blockprocessors
        blocks.register(FastHashHeaderProcessor(md.parser), "hashheader", 70)
        blocks.register(FastSetextHeaderProcessor(md.parser), "setextheader", 60)
        blocks.register(FastHRProcessor(md.parser), "hr", 50)
        blocks.register(FastBlockQuoteProcessor(md.parser), "quote", 20)
        if "table" in blocks:
            stock = blocks["table"]
            assert isinstance(stock, TableProcessor)
            config: dict[str, Any] = vars(stock)["config"]  # set by its __init__, untyped
            blocks.register(FastTableProcessor(md.parser, config), "table", 75)
