"""Python-Markdown's last tree steps, prettify and unescape, without wasted calls.

Both walk every element of a body after the inline stage. ``prettify`` asks
``Markdown.is_block_level`` (a lower-casing and a set lookup) about every
tag, recursively; here each tag's answer is looked up once per renderer and
the walk is a loop. ``unescape`` runs a regular expression on every text,
tail and attribute, although it only ever replaces the placeholders
(``STX`` number ``ETX``) that escaped characters leave; here a value with
no ``STX`` is left alone, as the substitution would leave it. The HTML is
byte for byte the stock one (tests/test_fastinline.py compares them).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element

import markdown
from markdown import util
from markdown.extensions import Extension
from markdown.treeprocessors import PrettifyTreeprocessor, UnescapeTreeprocessor

LINE = "\n"
UNPRETTIFIED = ("code", "pre")


class FastPrettifyTreeprocessor(PrettifyTreeprocessor):
    """``prettify`` with each tag's block-level answer kept, walking with a loop."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._block: dict[Any, bool] = {}

    def _is_block(self, tag: Any) -> bool:
        found = self._block.get(tag)
        if found is None:
            found = self._block[tag] = self.md.is_block_level(tag)
        return found

    def _prettifyETree(self, elem: Element) -> None:
        # The stock step recurses into block children; each element's own text
        # and tail are all it changes, so the order of the walk does not matter.
        is_block = self._is_block
        pending = [elem]
        while pending:
            element = pending.pop()
            if is_block(element.tag) and element.tag not in UNPRETTIFIED:
                text = element.text
                if (not text or not text.strip()) and len(element) and is_block(element[0].tag):
                    element.text = LINE
                pending.extend(child for child in element if is_block(child.tag))
            tail = element.tail
            if not tail or not tail.strip():
                element.tail = LINE


class FastUnescapeTreeprocessor(UnescapeTreeprocessor):
    """``unescape`` that skips values holding no placeholder."""

    def run(self, root: Element) -> None:
        stx = util.STX
        for elem in root.iter():
            text = elem.text
            if text and stx in text and elem.tag != "code":
                elem.text = self.unescape(text)
            tail = elem.tail
            if tail and stx in tail:
                elem.tail = self.unescape(tail)
            for key, value in elem.items():
                if value is not None and stx in value:
                    elem.set(key, self.unescape(value))


class FastTreeExtension(Extension):
    """Registers both in place of the stock steps, under their names and priorities."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(FastPrettifyTreeprocessor(md), "prettify", 10)
        md.treeprocessors.register(FastUnescapeTreeprocessor(md), "unescape", 0)
