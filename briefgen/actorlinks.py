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
from collections.abc import Callable, Mapping

from briefgen.model import Actor

__all__ = ["ActorLinker"]

# Text inside these is never linked (see the module docstring).
SKIP = frozenset({"a", "code", "pre", "kbd", "samp", "h1", "h2", "h3", "h4", "h5", "h6",
                  "script", "style", "textarea", "title"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                  "meta", "source", "track", "wbr"})
# Markdown's smart quotes turn "Russia's" into "Russia’s"; either should match.
_APOSTROPHES = "'\u2019"


def _pattern(name: str) -> str:
    parts = [f"[{_APOSTROPHES}]" if c in _APOSTROPHES else re.escape(c) for c in name]
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
        self._regex = (
            re.compile(r"(?<!\w)(?:" + "|".join(_pattern(n) for n in names) + r")(?!\w)")
            if names else None
        )

    def __call__(self, body_html: str) -> str:
        """``body_html`` with the first linkable mention of each actor wrapped in a link."""
        if self._regex is None or not body_html:
            return body_html
        out: list[str] = []
        open_tags: list[str] = []
        linked: set[str] = set()
        # The body is sanitiser output: well-formed, comments removed, attribute
        # values double-quoted, so a tag is "<", then quoted or plain text, then ">".
        for index, token in enumerate(_TOKENS.split(body_html)):
            if index % 2:  # a tag
                out.append(token)
                _track(token, open_tags)
            elif token:
                skipped = any(tag in SKIP for tag in open_tags)
                if skipped or not self._regex.search(html.unescape(token)):
                    out.append(token)
                else:
                    out.append(self.link_text(html.unescape(token), linked))
        return "".join(out)

    def link_text(self, text: str, linked: set[str]) -> str:
        """Escaped ``text`` with links for actors not in ``linked`` (which it updates)."""
        assert self._regex is not None
        out: list[str] = []
        last = 0
        for match in self._regex.finditer(text):
            actor_id = self._owner[_normalise(match.group())]
            if actor_id in linked:
                continue
            linked.add(actor_id)
            out.append(html.escape(text[last:match.start()], quote=False))
            out.append(f'<a class="actor-link" href="{html.escape(self._href(actor_id))}">'
                       f"{html.escape(match.group(), quote=False)}</a>")
            last = match.end()
        out.append(html.escape(text[last:], quote=False))
        return "".join(out)


_TOKENS = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")


def _track(tag: str, open_tags: list[str]) -> None:
    """Keep the stack of open elements, as a browser would for well-formed HTML."""
    match = _TAG_NAME.match(tag)
    if match is None:
        return
    name = match.group(1).lower()
    if tag.startswith("</"):
        if name in open_tags:
            # Close everything opened inside it too.
            while open_tags.pop() != name:
                pass
    elif name not in VOID and not tag.endswith("/>"):
        open_tags.append(name)
