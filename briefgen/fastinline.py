"""Python-Markdown's inline stage without the regular expressions that cannot match.

Python-Markdown tries every inline pattern (code, escapes, footnotes, four
kinds of link and image, autolinks, line breaks, raw HTML, entities, emphasis)
on every text node, table cells included: half the time of a briefing body,
although most nodes are plain words. Each pattern's regular expression needs
some literal text to match (a link needs ``[``, an entity ``&`` and ``;``), so
when that text is absent the pattern is skipped. A pattern that cannot match
leaves the text and the processor's state alone (``__applyPattern`` calls
``handleMatch`` only on a match), so skipping it changes no output byte.

Patterns are recognised by the regular expression they actually run, never by
their registered name: a pattern an extension replaces, or a regex a new
Python-Markdown changes, is simply not in :data:`TRIGGERS` and always runs.
tests/test_fastinline.py compares the output with stock Python-Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import markdown
from markdown import inlinepatterns, util
from markdown.extensions import Extension
from markdown.treeprocessors import InlineProcessor

Triggers = tuple[tuple[str, ...], ...]
"""Alternatives, each a group of substrings that must all occur for a match."""

# The footnotes extension keeps its regex in a local variable of extendMarkdown.
FOOTNOTE_RE = r"\[\^([^\]]*)\]"
# What DelimiterProcessor builds from its tokens "*" and "_" ("|".join(re.escape(...))).
EM_STRONG_RE = r"\*|_"

# Read each regex before changing a line: every substring listed must occur in
# any text the regex can match. None of them occurs in the placeholders that
# matched patterns leave behind ("\x02klzzwxh:0001\x03"), so a text node loses
# triggers as patterns consume it and never gains any.
TRIGGERS: dict[str, Triggers] = {
    # `code`, or pairs of backslashes before a backtick: both need a backtick.
    inlinepatterns.BACKTICK_RE: (("`",),),
    inlinepatterns.ESCAPE_RE: (("\\",),),
    FOOTNOTE_RE: (("[^", "]"),),
    # Also REFERENCE_RE (link, reference and short_reference run it).
    inlinepatterns.LINK_RE: (("[",),),
    # Also IMAGE_REFERENCE_RE (image_link, image_reference, short_image_ref).
    inlinepatterns.IMAGE_LINK_RE: (("![",),),
    inlinepatterns.AUTOLINK_RE: (("<", "://", ">"),),
    inlinepatterns.AUTOMAIL_RE: (("<", "@", ">"),),
    inlinepatterns.LINE_BREAK_RE: (("  \n",),),
    # Every branch (tag, comment, processing instruction, CDATA) is "<...>".
    inlinepatterns.HTML_RE: (("<", ">"),),
    inlinepatterns.ENTITY_RE: (("&", ";"),),
    EM_STRONG_RE: (("*",), ("_",)),
}

# One search per text node: with none of these, no pattern in TRIGGERS can match
# (each alternative needs its first substring), which is most nodes of a briefing.
_ANY_TRIGGER = re.compile(
    "|".join(sorted({re.escape(group[0]) for triggers in TRIGGERS.values() for group in triggers}))
)

_ApplyPattern = Callable[[Any, str, int, int], tuple[str, bool, int]]


def triggers_for(pattern: Any) -> Triggers | None:
    """The triggers of the regex ``pattern`` runs, or None to always run it."""
    compiled = pattern.getCompiledRegExp()
    if compiled.flags & re.VERBOSE:
        # Verbose mode ignores whitespace: "  \n" would not mean two spaces.
        return None
    return TRIGGERS.get(compiled.pattern)


def may_match(data: str, triggers: Triggers | None) -> bool:
    """False only when no alternative of ``triggers`` occurs whole in ``data``."""
    if triggers is None:
        return True
    # Plain loops: this runs for every pattern on every node that has a trigger.
    for group in triggers:
        for part in group:
            if part not in data:
                break
        else:
            return True
    return False


class FastInlineProcessor(InlineProcessor):
    """Stock ``InlineProcessor`` that first checks a pattern's triggers against the text."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._plan: list[tuple[Any, Triggers | None]] = []
        self._all_known = False
        self._apply: _ApplyPattern = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]

    def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
        # The patterns, in order, with their triggers: taken once per document
        # rather than looked up in the Registry for every pattern and node.
        self._plan = [(pattern, triggers_for(pattern)) for pattern in self.inlinePatterns]
        self._all_known = all(triggers is not None for _, triggers in self._plan)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        """The stock loop (treeprocessors.py, ``__handleInline``) plus the trigger check."""
        if isinstance(data, util.AtomicString):
            return data
        # Matches only replace text by placeholders, which hold no trigger:
        # a node without triggers stays without them.
        hit = _ANY_TRIGGER.search(data) is not None
        if not hit and self._all_known:
            return data
        plan = self._plan
        count = len(plan)
        start_index = 0
        while patternIndex < count:
            pattern, triggers = plan[patternIndex]
            if triggers is None or (hit and may_match(data, triggers)):
                data, matched, start_index = self._apply(pattern, data, patternIndex, start_index)
                if matched:
                    continue
            else:
                # What the stock loop gets back from a pattern that finds nothing.
                start_index = 0
            patternIndex += 1
        return data


class FastInlineExtension(Extension):
    """Puts :class:`FastInlineProcessor` in the place of the stock 'inline' step."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # 20 is the stock priority (markdown.treeprocessors.build_treeprocessors):
        # after footnotes (50), before prettify (10) and toc (5).
        md.treeprocessors.register(FastInlineProcessor(md), "inline", 20)
