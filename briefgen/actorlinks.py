"""Link the first mention of each registry actor in a briefing body to the actor's page.

Sources spell names differently ("Zelensky", "Zelenskiy"); the registry lists
every spelling, and linking whichever one a body uses sends readers to the
one page about that person. This works on the body's sanitised HTML, so it
must never change markup: only text nodes are searched, never attributes
(heading ids stay as they are), and text inside links, code, preformatted
blocks and headings is left alone — a link inside a link is invalid HTML,
code is quoted verbatim, and a heading is not where a reader looks for one.

Pure: a function of the HTML, the registry and the URL of actor pages.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping

from briefgen.model import Actor

__all__ = ["ActorLinker"]

# Text inside these is never linked (see the module docstring).
SKIP = frozenset({"a", "code", "pre", "kbd", "samp", "h1", "h2", "h3", "h4", "h5", "h6",
                  "script", "style", "textarea", "title"})
# Markdown's smart quotes turn "Russia's" into "Russia’s"; either should match.
_APOSTROPHES = "'\u2019"


def _pattern(name: str) -> str:
    # Names are searched in HTML, where "&" is written "&amp;".
    parts = [f"[{_APOSTROPHES}]" if c in _APOSTROPHES else "&amp;" if c == "&" else re.escape(c)
             for c in name]
    # Any run of whitespace in the body (line breaks included) matches a space.
    return "".join(r"\s+" if p == re.escape(" ") else p for p in parts)


def _spellings(actors: Mapping[str, Actor]) -> dict[str, str]:
    """Every name and alias → actor id; a spelling shared by two actors links to neither."""
    owner: dict[str, str] = {}
    ambiguous: set[str] = set()
    for actor in actors.values():
        for spelling in dict.fromkeys((actor.name, *actor.aliases)):
            key = _normalise(spelling)
            if not key:
                continue
            if owner.get(key, actor.id) != actor.id:
                ambiguous.add(key)
            owner.setdefault(key, actor.id)
    return {k: v for k, v in owner.items() if k not in ambiguous}


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


class ActorLinker:
    """Compiled once per build for the whole registry; call it on each body."""

    def __init__(self, actors: Mapping[str, Actor], href: Callable[[str], str]) -> None:
        self._owner = _spellings(actors)
        self._href = href
        # Longest spelling first, so "Vladimir Putin" wins over "Putin".
        names = sorted(self._owner, key=lambda s: (-len(s), s))
        # No leading (?<!\w): the pattern then starts with a choice of literal
        # first letters, which the regex engine scans for five times faster
        # than it tries every name at every position. _mentions checks the
        # word boundary before each match instead.
        self._regex = (
            re.compile(r"(?:" + "|".join(_pattern(n) for n in names) + r")(?!\w)")
            if names else None
        )

    def __call__(self, body_html: str) -> str:
        """``body_html`` with the first linkable mention of each actor wrapped in a link.

        The body is sanitiser output: well-formed, comments removed, attribute
        values quoted. Names are searched in the HTML itself; a match inside a
        tag or inside a skipped element is passed over. Only the few matches
        are examined, not every tag, which keeps this cheap on long bodies.
        """
        if self._regex is None or not body_html:
            return body_html
        skipped: list[tuple[int, int]] | None = None  # found at the first known name
        starts: list[int] = []
        out: list[str] = []
        last = 0
        linked: set[str] = set()
        for match in self._mentions(body_html):
            actor_id = self._owner.get(_normalise(html.unescape(match.group())))
            if actor_id is None or actor_id in linked:
                continue
            if skipped is None:
                skipped = _skipped_spans(body_html)
                starts = [start for start, _ in skipped]
            position = match.start()
            span = bisect_right(starts, position) - 1
            if (span >= 0 and position < skipped[span][1]) or _inside_tag(body_html, position):
                continue
            linked.add(actor_id)
            out.append(body_html[last:position])
            out.append(f'<a class="actor-link" href="{html.escape(self._href(actor_id))}">'
                       f"{match.group()}</a>")
            last = match.end()
        out.append(body_html[last:])
        return "".join(out)

    def _mentions(self, body_html: str) -> Iterator[re.Match[str]]:
        """What ``finditer`` would give with ``(?<!\\w)`` at the pattern's start.

        A match preceded by a word character is no mention ("XPutin"), and a
        name starting inside it may still be one, so the search goes on from
        the next character, as the regex engine itself would.
        """
        assert self._regex is not None
        search, position = self._regex.search, 0
        while (match := search(body_html, position)) is not None:
            start = match.start()
            if start and _WORD.match(body_html, start - 1):
                position = start + 1
                continue
            yield match
            position = match.end()


_WORD = re.compile(r"\w")
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
_SKIP_TAG = re.compile(
    r"<(/?)(?:" + "|".join(sorted(SKIP)) + r""")(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>""",
    re.IGNORECASE,
)


def _skipped_spans(body_html: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost element whose text is never linked."""
    spans: list[tuple[int, int]] = []
    depth = start = 0
    for tag in _SKIP_TAG.finditer(body_html):
        if tag.group(1):  # a closing tag
            depth = max(0, depth - 1)
            if depth == 0:
                spans.append((start, tag.end()))
        else:
            if depth == 0:
                start = tag.start()
            depth += 1
    if depth:
        spans.append((start, len(body_html)))
    return spans


def _inside_tag(body_html: str, position: int) -> bool:
    """Whether ``position`` falls inside a tag (an attribute value, say)."""
    opening = body_html.rfind("<", 0, position)
    if opening == -1:
        return False
    tag = _TAG.match(body_html, opening)
    return tag is not None and tag.end() > position
