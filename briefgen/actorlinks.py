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
from html.parser import HTMLParser

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
        parser = _Linker(self)
        parser.feed(body_html)
        parser.close()
        return "".join(parser.out)

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


class _Linker(HTMLParser):
    """Copies markup through verbatim and rewrites only the text between tags."""

    def __init__(self, linker: ActorLinker) -> None:
        super().__init__(convert_charrefs=True)
        self.linker = linker
        self.out: list[str] = []
        self.open: list[str] = []
        self.text: list[str] = []
        self.linked: set[str] = set()

    def flush(self) -> None:
        if not self.text:
            return
        text = "".join(self.text)
        self.text = []
        if any(tag in SKIP for tag in self.open):
            self.out.append(html.escape(text, quote=False))
        else:
            self.out.append(self.linker.link_text(text, self.linked))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.flush()
        self.out.append(self.get_starttag_text() or "")
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.flush()
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.flush()
        self.out.append(f"</{tag}>")
        if tag in self.open:
            # Close everything opened inside it too, as a browser would.
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.flush()
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.flush()
        self.out.append(f"<!{decl}>")

    def close(self) -> None:
        super().close()
        self.flush()
