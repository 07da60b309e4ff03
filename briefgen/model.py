"""The plain data model: what a site, a briefing and its parts are.

Frozen, slotted dataclasses with no YAML, Jinja or I/O inside. The schema
module builds them from validated front matter; everything after that reads
them and never changes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlsplit

from briefgen.dates import DateSpec
from briefgen.figures import Figure
from briefgen.picklestate import quick_pickle

ActorKind = Literal["person", "organisation", "state", "armed-group"]
ACTOR_KINDS: tuple[ActorKind, ...] = ("person", "organisation", "state", "armed-group")


DEFAULT_FEED_ENTRIES = 50
"""Feed readers fetch the feed again and again and show only the newest
entries; a feed of every briefing of a years-long crisis would be megabytes
a poll."""

DEFAULT_HOME_ENTRIES = 50
"""A home page listing every briefing of a years-long crisis would weigh
megabytes; older briefings are in the archive, a page per month."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Settings from ``briefgen.yaml``."""

    title: str
    description: str
    base_url: str
    """Where the site is published, e.g. ``https://user.github.io/repo/``."""
    language: str
    timezone: str
    """IANA zone name; "today" for new briefings and feed timestamps use it."""
    author: str = ""
    """Who publishes the site; the feed's and JSON-LD's author."""
    cname: str = ""
    """Custom domain for GitHub Pages; written to ``CNAME`` when set."""
    feed_entries: int = DEFAULT_FEED_ENTRIES
    """How many of the newest briefings the Atom feed carries; 0 for all of them."""
    home_entries: int = DEFAULT_HOME_ENTRIES
    """How many of the newest briefings the home page lists; 0 for all of them."""

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str:
        """``scheme://host`` of ``base_url``, for absolute links in feeds."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Source:
    """A published article or statement a briefing's facts come from."""

    id: str
    publisher: str
    title: str
    url: str
    published: dt.date | None
    seed: str | None
    """A file under ``seeds/`` holding the source as received."""


@quick_pickle
@dataclass(frozen=True, slots=True)
class Actor:
    """A person or body from the site's registry (``content/actors.yaml``)."""

    id: str
    name: str
    kind: ActorKind
    affiliation: str
    aliases: tuple[str, ...]
    """Other spellings ("Zelenskiy" for "Zelensky") that mean this actor."""
    description: str


@quick_pickle
@dataclass(frozen=True, slots=True)
class BriefingActor:
    """An actor as a briefing names them: from the registry or written inline."""

    name: str
    role: str
    affiliation: str
    actor: Actor | None
    """The registry entry, when the briefing refers to one by ``id``."""

    @property
    def id(self) -> str | None:
        return self.actor.id if self.actor else None

    @property
    def description(self) -> str:
        return self.actor.description if self.actor else ""


@quick_pickle
@dataclass(frozen=True, slots=True)
class ChronologyEntry:
    """One dated event in a briefing's chronology."""

    date: DateSpec
    time: str | None
    """``HH:MM`` local time, when known."""
    place: str
    event: str
    """Inline Markdown as written."""
    event_html: str
    """The event rendered and sanitised (filled in by the loader)."""
    actors: tuple[str, ...]
    """Registry actor ids."""
    source: str
    """The id of a source of the same briefing."""
    order: int
    """Position in the file, which breaks ties between same-day entries without a time."""

    @property
    def sort_key(self) -> tuple[object, ...]:
        # Entries without a time sort before timed ones of the same day; among
        # themselves they keep file order (sorted() is stable).
        return (*self.date.sort_key, self.time or "", self.order)


@quick_pickle
@dataclass(frozen=True, slots=True)
class CasualtyRecord:
    """Casualty figures reported for one incident in one briefing."""

    date: DateSpec
    place: str
    event: str
    event_html: str
    killed: Figure
    injured: Figure
    children_killed: Figure | None
    children_injured: Figure | None
    incident: str | None
    """Stable id that later briefings reuse when they revise the figures."""
    source: str
    order: int


class DeferredText(Protocol):
    """Text read when first asked for (see ``Briefing.body``)."""

    def text(self) -> str: ...


@quick_pickle
@dataclass(frozen=True, slots=True)
class Briefing:
    """One briefing page: its metadata, structured facts and Markdown body."""

    slug: str
    path: str
    """Source file, relative to the site folder (for error messages and links)."""
    title: str
    date: dt.date
    """The dateline, against which relative dates resolve."""
    summary: str
    updated: dt.date | None
    tags: tuple[str, ...]
    draft: bool
    sources: tuple[Source, ...]
    actors: tuple[BriefingActor, ...]
    chronology: tuple[ChronologyEntry, ...]
    """Sorted by resolved date, then time, then file order."""
    casualties: tuple[CasualtyRecord, ...]
    body: str | DeferredText
    """Sanitised HTML of the Markdown body (the source is not kept: nothing
    shows it, and a site of ten thousand briefings would hold it all); read
    through :attr:`body_html`. A briefing from the build cache has its body
    read from the cache file when first shown: a build after one edit shows
    a dozen of 10,000 briefings' bodies, 86 MB."""
    fingerprint: str
    """Hash of the source file's bytes; unchanged file, unchanged briefing."""

    def __hash__(self) -> int:
        """By slug and fingerprint, which equal briefings share: not by every field.

        Templates cache what they render of a briefing by the briefing (the
        ``cached`` filter): hashing every field would hash its chronology and
        its body, which a briefing from the build cache reads from disk.
        """
        return hash((self.slug, self.fingerprint))

    @property
    def body_html(self) -> str:
        """Sanitised HTML of the Markdown body."""
        body = self.body
        return body if isinstance(body, str) else body.text()

    @property
    def actor_ids(self) -> frozenset[str]:
        """Every registry actor the briefing names, in its actors or chronology."""
        ids = {a.id for a in self.actors if a.id}
        for entry in self.chronology:
            ids.update(entry.actors)
        return frozenset(ids)


@dataclass(frozen=True, slots=True)
class Site:
    """Everything a build reads, loaded and validated."""

    config: SiteConfig
    briefings: tuple[Briefing, ...]
    """Published briefings (and drafts when asked for), newest first."""
    actors: dict[str, Actor]
    """The registry, by id."""
