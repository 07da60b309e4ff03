"""The derive stage: indexes across briefings, computed once from the immutable site.

Pages that read across briefings (the master chronology, actor, place and tag
pages, the casualty dashboard) all need the same groupings. Computing them
here, once per build and before any HTML exists, keeps rendering a pure
lookup: no page scans every briefing, so a site with thousands of briefings
renders in time linear in its size.

Pure: no I/O, no Jinja; imports only the model (and its quick constructors).
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from briefgen.model import Actor, Briefing, CasualtyRecord, ChronologyEntry, Site
from briefgen.picklestate import quick_new

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

__all__ = [
    "ActorIndex",
    "Chronicle",
    "EventRef",
    "Incident",
    "Indexes",
    "Place",
    "Report",
    "Tag",
    "chronicle",
    "derive",
    "slugify",
]


@dataclass(frozen=True, slots=True)
class EventRef:
    """One chronology entry with the briefing it comes from."""

    briefing: Briefing
    entry: ChronologyEntry

    @property
    def sort_key(self) -> tuple[object, ...]:
        """Oldest first: resolved date, time, then briefing and file order for ties."""
        return (*self.entry.date.sort_key, self.entry.time or "",
                self.briefing.date, self.briefing.slug, self.entry.order)


@dataclass(frozen=True, slots=True)
class Report:
    """One casualty record as one briefing reported it."""

    briefing: Briefing
    record: CasualtyRecord


@dataclass(frozen=True, slots=True)
class Incident:
    """Every report of one incident, so revised figures are counted once."""

    id: str
    """The records' ``incident`` id, or ``<briefing slug>-<order>`` for a lone record."""
    reports: tuple[Report, ...]
    """Oldest first by briefing dateline (then slug, then file order)."""
    digest: int
    """Its reports' briefings summed up (see :func:`briefing_number`)."""

    @property
    def latest(self) -> Report:
        """The report that counts: the figures of the latest briefing."""
        return self.reports[-1]

    @property
    def revisions(self) -> tuple[Report, ...]:
        """Earlier reports, oldest first, shown as the history of the figures."""
        return self.reports[:-1]

    @property
    def briefings(self) -> tuple[Briefing, ...]:
        """Each briefing reporting the incident once, oldest first."""
        return tuple({r.briefing.slug: r.briefing for r in self.reports}.values())


@dataclass(frozen=True, slots=True)
class ActorIndex:
    """A registry actor with every briefing and event naming them (newest first)."""

    actor: Actor
    briefings: tuple[Briefing, ...]
    events: tuple[EventRef, ...]
    digest: int
    """Its briefings summed up (see :func:`briefing_number`): its events are theirs."""


@dataclass(frozen=True, slots=True)
class Place:
    """A place named by events or casualty records; spellings equal by slug are one place."""

    slug: str
    name: str
    """The first spelling met (oldest briefing first), so new briefings don't rename it."""
    briefings: tuple[Briefing, ...]
    events: tuple[EventRef, ...]
    incidents: tuple[Incident, ...]
    """Incidents whose latest report is at this place, so each counts in one place only."""
    digest: int
    """Its briefings and incidents summed up (see :func:`briefing_number`)."""


@dataclass(frozen=True, slots=True)
class Tag:
    """A tag and the briefings carrying it (newest first)."""

    slug: str
    name: str
    briefings: tuple[Briefing, ...]
    events: tuple[EventRef, ...] = ()
    """Events of the tagged briefings, newest first."""
    incidents: tuple[Incident, ...] = ()
    """Incidents any tagged briefing reports, newest first (with every report, tagged or not)."""
    digest: int = 0
    """Its briefings and incidents summed up (see :func:`briefing_number`)."""


@dataclass(frozen=True, slots=True)
class Chronicle:
    """Every event and every incident of the site: the part of the indexes the open data reads.

    Worked out on its own by the open data's worker, while the build derives
    the rest (:func:`chronicle`); :class:`Indexes` holds them with the rest.
    """

    events: tuple[EventRef, ...]
    """Every chronology event, newest first (by resolved date, then time)."""
    incidents: tuple[Incident, ...]
    """Newest first by the latest report's record date."""


@dataclass(frozen=True, slots=True)
class Indexes(Chronicle):
    """Everything the cross-briefing pages read."""

    actors: dict[str, ActorIndex]
    """Every registry actor, by id (registry order)."""
    places: dict[str, Place]
    """By slug, sorted by name."""
    tags: dict[str, Tag]
    """By slug, sorted by name."""
    numbers: dict[str, int]
    """Each briefing's :func:`briefing_number`, by slug: digests of lists made later."""


# Letters NFKD cannot take apart, and Ukrainian/Russian Cyrillic (place names
# of this field) transliterated as the sources spell them in English.
_TRANSLIT = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ħ": "h",
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "ё": "e", "ы": "y", "э": "e", "ъ": "", "'": "", "’": "",
}  # fmt: skip
_NON_WORD = re.compile(r"[^\w]+|_+")


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """A URL path segment for a name: ``"Kryvyi Rih"`` → ``"kryvyi-rih"``.

    Latin accents are dropped and Cyrillic transliterated; other scripts keep
    their letters (browsers show them, and percent-encode on the wire).
    Never empty: a name with no letters or digits gets a short hash, so two
    such names still get distinct pages. Cached: a site names the same few
    hundred places and tags tens of thousands of times.
    """
    lowered = text.casefold()
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", lowered):
        if unicodedata.combining(char):
            continue
        out.append(_TRANSLIT.get(char, char))
    slug = _NON_WORD.sub("-", unicodedata.normalize("NFC", "".join(out))).strip("-")
    if not slug:
        slug = "x-" + hashlib.blake2b(text.encode(), digest_size=4).hexdigest()
    return slug


_new_event_ref = quick_new(EventRef)
_new_report = quick_new(Report)
_new_incident = quick_new(Incident)

DIGEST_RANGE = 1 << 128
"""Digests are sums of briefing numbers modulo this."""


def briefing_number(briefing: Briefing) -> int:
    """A briefing's slug and fingerprint as a 128-bit number, for digests.

    An index entry's ``digest`` adds up the numbers of every briefing it
    shows, once for each time it shows it (an incident's every report
    counts): whenever one of them changes, or a briefing joins or leaves,
    the digest changes, but for a chance of one in 2**128. Summed in derive,
    while its items are at hand: a large site's sections hold 600,000 items,
    and finding the briefings they show afterwards cost a third of a second
    of every build.
    """
    part = f"{briefing.slug}:{briefing.fingerprint}".encode()
    return int.from_bytes(hashlib.blake2b(part, digest_size=16).digest(), "big")


def _chronological(briefings: Iterable[Briefing]) -> list[Briefing]:
    return sorted(briefings, key=lambda b: (b.date, b.slug))


def _newest_first(oldest_first: Iterable[Briefing],
                  numbers: dict[str, int]) -> tuple[tuple[Briefing, ...], int]:
    """Briefings met in :func:`_chronological` order (with repeats), newest first, once each.

    Deduplicated by slug (hashing a Briefing would hash its whole content);
    a dict keeps first-met order, so no sort is needed. With their numbers
    summed (see :func:`briefing_number`).
    """
    unique = {b.slug: b for b in oldest_first}
    return tuple(reversed(unique.values())), sum(map(numbers.__getitem__, unique))


def _incidents(oldest_first: list[Briefing], numbers: dict[str, int]) -> tuple[Incident, ...]:
    # Explicit ids and generated ones are grouped apart, so a lone record can
    # never be merged into an incident whose id happens to look like its own.
    groups: dict[tuple[bool, str], list[Report]] = {}
    for briefing in oldest_first:
        for record in briefing.casualties:
            key = ((True, record.incident) if record.incident
                   else (False, f"{briefing.slug}-{record.order}"))
            groups.setdefault(key, []).append(_new_report(briefing, record))
    incidents: list[Incident] = []
    newest: list[tuple[object, ...]] = []
    for (_, incident_id), reports in groups.items():
        digest = sum([numbers[report.briefing.slug] for report in reports])
        incident = _new_incident(incident_id, tuple(reports), digest % DIGEST_RANGE)
        incidents.append(incident)
        latest = incident.latest
        record = latest.record
        newest.append((record.date.start, record.date.end, latest.briefing.date,
                       latest.briefing.slug, record.order))
    return tuple([incidents[i] for i in _order(newest, reverse=True)])


def _order(keys: Sequence[tuple[object, ...]], reverse: bool = False) -> list[int]:
    """The positions of ``keys`` in sorted order (stable), for sorting a list by them.

    Sorting positions by a list's ``__getitem__`` looks each key up in C,
    where a key function is a Python call per item: 75,000 of them for the
    events of a large site.
    """
    return sorted(range(len(keys)), key=keys.__getitem__, reverse=reverse)


def _named_groups(items: Iterable[tuple[str, V]]) -> dict[str, tuple[str, list[V]]]:
    """Group values by the slug of their name, keeping the first spelling."""
    groups: dict[str, tuple[str, list[V]]] = {}
    # A few hundred names recur across hundreds of thousands of items: each
    # name's group is looked up once (None for a blank name).
    group_of: dict[str, list[V] | None] = {}
    for name, value in items:
        try:
            group = group_of[name]
        except KeyError:
            group = group_of[name] = (groups.setdefault(slugify(name), (name, []))[1]
                                      if name.strip() else None)
        if group is not None:
            group.append(value)
    return groups


def _by_name(groups: dict[str, tuple[str, list[V]]]) -> list[str]:
    return sorted(groups, key=lambda slug: (groups[slug][0].casefold(), slug))


def _places(oldest_first: list[Briefing], events: tuple[EventRef, ...],
            incidents: tuple[Incident, ...], numbers: dict[str, int]) -> dict[str, Place]:
    """Every place by slug, sorted by name, named as first met (oldest briefing first).

    Events and incidents are grouped apart from the briefings: their places
    are among the briefings' own, so they never name a place first.
    """
    groups = _named_groups(
        (name, b) for b in oldest_first
        for name in [*(e.place for e in b.chronology), *(r.place for r in b.casualties)])
    # Event and incident lists keep their index order (newest first).
    place_events = _named_groups((ref.entry.place, ref) for ref in events)
    place_incidents = _named_groups((i.latest.record.place, i) for i in incidents)
    places: dict[str, Place] = {}
    for slug in _by_name(groups):
        briefings, digest = _newest_first(groups[slug][1], numbers)
        found = tuple(place_incidents[slug][1]) if slug in place_incidents else ()
        places[slug] = Place(
            slug=slug, name=groups[slug][0], briefings=briefings,
            events=tuple(place_events[slug][1]) if slug in place_events else (),
            incidents=found, digest=(digest + sum(i.digest for i in found)) % DIGEST_RANGE)
    return places


def chronicle(site: Site) -> Chronicle:
    """The site's events and incidents, as :func:`derive` gives them."""
    _, _, events, incidents = _events_and_incidents(site)
    return Chronicle(events, incidents)


def _events_and_incidents(site: Site) -> tuple[list[Briefing], dict[str, int],
                                               tuple[EventRef, ...], tuple[Incident, ...]]:
    """The briefings oldest first, their numbers, the events newest first and the incidents."""
    oldest_first = _chronological(site.briefings)
    numbers = {b.slug: briefing_number(b) for b in oldest_first}
    # Made in briefing order, each briefing's entries in file order among
    # those of one date and time (its chronology's order): a stable sort by
    # date and time then gives the full EventRef.sort_key order at a
    # fraction of its cost.
    refs = [_new_event_ref(b, e) for b in oldest_first for e in b.chronology]
    when = [(e.date.start, e.date.end, e.time or "") for b in oldest_first for e in b.chronology]
    events = tuple([refs[i] for i in reversed(_order(when))])
    return oldest_first, numbers, events, _incidents(oldest_first, numbers)


def derive(site: Site) -> Indexes:
    """Compute every cross-briefing index in one pass over the site."""
    oldest_first, numbers, events, incidents = _events_and_incidents(site)

    places = _places(oldest_first, events, incidents, numbers)

    tag_groups = _named_groups((tag, b) for b in oldest_first for tag in b.tags)
    slugs_of = {b.slug: {slugify(t) for t in b.tags if t.strip()} for b in site.briefings}
    tag_events: dict[str, list[EventRef]] = {}
    for ref in events:
        for slug in slugs_of[ref.briefing.slug]:
            tag_events.setdefault(slug, []).append(ref)
    tag_incidents: dict[str, list[Incident]] = {}
    for incident in incidents:
        for slug in {s for b in incident.briefings for s in slugs_of[b.slug]}:
            tag_incidents.setdefault(slug, []).append(incident)
    tags: dict[str, Tag] = {}
    for slug in _by_name(tag_groups):
        briefings, digest = _newest_first(tag_groups[slug][1], numbers)
        found = tuple(tag_incidents.get(slug, ()))
        tags[slug] = Tag(slug, tag_groups[slug][0], briefings, tuple(tag_events.get(slug, ())),
                         found, (digest + sum(i.digest for i in found)) % DIGEST_RANGE)

    actor_briefings: dict[str, list[Briefing]] = {actor_id: [] for actor_id in site.actors}
    for b in oldest_first:
        for actor_id in b.actor_ids:
            actor_briefings.setdefault(actor_id, []).append(b)
    actor_events: dict[str, list[EventRef]] = {actor_id: [] for actor_id in site.actors}
    for ref in events:
        for actor_id in dict.fromkeys(ref.entry.actors):
            actor_events.setdefault(actor_id, []).append(ref)
    actors: dict[str, ActorIndex] = {}
    for actor_id, actor in site.actors.items():
        briefings, digest = _newest_first(actor_briefings[actor_id], numbers)
        actors[actor_id] = ActorIndex(actor, briefings, tuple(actor_events[actor_id]),
                                      digest % DIGEST_RANGE)
    return Indexes(events=events, actors=actors, places=places, tags=tags, incidents=incidents,
                   numbers=numbers)


def group_by(values: Iterable[V], key: Callable[[V], K]) -> dict[K, list[V]]:
    """Consecutive-or-not grouping that keeps first-seen key order."""
    groups: dict[K, list[V]] = {}
    for value in values:
        groups.setdefault(key(value), []).append(value)
    return groups
