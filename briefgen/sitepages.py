"""Pages across briefings: chronology, actors, places, tags, casualties and the home page.

Each page is a :class:`~briefgen.render.Page` built from the derived
:class:`~briefgen.indexes.Indexes`, never by scanning every briefing, and
long lists are split by month (:mod:`briefgen.archive`), so a site with
thousands of briefings renders in time linear in its size. Each page's
``key`` lists exactly what the page shows — the fingerprints of its
briefings, the registry, and the names and counts drawn from elsewhere — so
an incremental rebuild reuses a page only when a clean build would write the
same bytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from typing import Any

from markupsafe import Markup

from briefgen.archive import Period, latest, periods
from briefgen.dashboard import (
    bar_chart,
    incident_rows,
    incident_totals,
    totals_by_month,
    totals_by_place,
)
from briefgen.indexes import DIGEST_RANGE, EventRef, Incident, Indexes, Place, Tag
from briefgen.model import Actor, Briefing, Site
from briefgen.parallel import render_all
from briefgen.render import Context, Page, all_briefings_key, key_of, registry_key

__all__ = ["Sections", "Snippets", "home_page", "listed_briefings", "site_pages"]

HOME_EVENTS = 8


SHARE_CHUNK = 2000
"""Items rendered per task when they are shared (see :meth:`SharedItems.of`)."""


def _render_chunk(renders: list[Callable[[], str]]) -> list[bytes]:
    return [render().encode("utf-8") for render in renders]


class SharedItems:
    """Rendered items in one UTF-8 buffer, found by key (see :meth:`Snippets.share_events`)."""

    def __init__(self, buffer: bytes, offsets: array[int], index: dict[Any, int]) -> None:
        self.buffer = buffer
        self.offsets = offsets
        """Where each item starts, and the buffer's end after the last."""
        self.index = index

    @classmethod
    def of(cls, items: Iterable[tuple[Any, Callable[[], str]]],
           workers: int | None = None) -> SharedItems:
        """Render each ``(key, render)`` once, the first time its key comes.

        Spread over ``workers`` processes (``parallel.render_all``): on a
        large site this is tens of thousands of macro calls.
        """
        first: dict[Any, Callable[[], str]] = {}
        for key, render in items:
            first.setdefault(key, render)
        renders = list(first.values())
        chunks = [renders[i:i + SHARE_CHUNK] for i in range(0, len(renders), SHARE_CHUNK)]
        parts = [part for done in render_all(chunks, _render_chunk, workers, min_items=2)
                 for part in done]
        offsets = array("q", [0])
        for part in parts:
            offsets.append(offsets[-1] + len(part))
        return cls(b"".join(parts), offsets, {key: n for n, key in enumerate(first)})

    def encoded(self, key: Any) -> bytes | None:
        """The item's UTF-8 bytes (a copy: reading them writes nothing to the buffer)."""
        at = self.index.get(key)
        if at is None:
            return None
        return self.buffer[self.offsets[at]:self.offsets[at + 1]]

    def get(self, key: Any) -> Markup | None:
        found = self.encoded(key)
        return None if found is None else Markup(found.decode("utf-8"))


class Snippets:
    """Event items, incident rows and briefing items, each rendered once per build and reused.

    An event appears in the chronology and on the pages of its place, its
    actors and its briefing's tags, an incident on the dashboard and the
    pages of its place and tags, a briefing under each of its places and
    tags; rendering each once instead of on every page listing it is most of
    the time a large site's render takes. The templates pass their own macros
    in, so a theme can still override how an event or a row looks.

    Before render workers are forked, the items can be rendered once for all
    of them (:meth:`share_events`, :meth:`share_briefings`,
    :meth:`share_rows`): each worker would otherwise render its own copy of
    nearly every item and keep it (tens of megabytes each on a large site). Rendered into one buffer
    (:class:`SharedItems`), they are shared by all workers: reading a slice
    of it writes nothing to its memory pages, whereas a dict of separate
    strings would be copied page by page as their reference counts change.
    Shared items are used only for the macro that rendered them.
    """

    def __init__(self, registry: Mapping[str, Actor]) -> None:
        self._registry = registry
        self._events: dict[tuple[str, int], Markup] = {}
        self._briefings: dict[tuple[str, str, int], Markup] = {}
        # Keyed by object identity: every page lists the same Incident objects
        # of one Indexes, which outlives the build's rendering.
        self._incidents: dict[tuple[int, bool, bool], Markup] = {}
        self._shared: dict[str, tuple[object, SharedItems]] = {}
        """Items rendered before forking, by kind, with the macro that rendered them."""
        self.tables: list[Period] = []
        """Months whose incident tables the pages show (noted by :class:`Archives`)."""

    def _shared_for(self, kind: str, macro: object) -> SharedItems | None:
        found = self._shared.get(kind)
        return found[1] if found is not None and found[0] is macro else None

    def briefing(self, briefing: Briefing, macro: Callable[..., Any], role: str,
                 level: int) -> Markup:
        """``macro(briefing, role, level)``, the briefing's item in a list."""
        key = (briefing.slug, role, level)
        html = self._briefings.get(key)
        if html is None:
            html = self._briefings[key] = Markup(macro(briefing, role, level))
        return html

    def briefings(self, briefings: Iterable[Briefing], macro: Callable[..., Any],
                  roles: Mapping[str, str] | None, level: int) -> Markup:
        """The items of ``briefings`` (see :meth:`briefing`) in one call, as a list shows them.

        ``roles`` gives each briefing's role by slug (an actor's page), or
        none. One call per list instead of one per item (see :meth:`events`).
        """
        shared = self._shared_for("briefing", macro)
        if shared is None:
            return Markup("\n  ".join([
                self.briefing(b, macro, roles[b.slug] if roles else "", level)
                for b in briefings]))
        parts: list[bytes] = []
        for b in briefings:
            role = roles[b.slug] if roles else ""
            found = shared.encoded((b.slug, role, level))
            parts.append(str(self.briefing(b, macro, role, level)).encode("utf-8")
                         if found is None else found)
        return Markup(b"\n  ".join(parts).decode("utf-8"))

    def event(self, ref: EventRef, macro: Callable[..., Any]) -> Markup:
        """``macro(ref, registry, show_date=False)``, the event's list item."""
        key = (ref.briefing.slug, ref.entry.order)
        shared = self._shared_for("event", macro)
        if shared is not None:
            found = shared.get(key)
            if found is not None:
                return found
        html = self._events.get(key)
        if html is None:
            html = self._events[key] = Markup(macro(ref, self._registry, False))
        return html

    def events(self, refs: Iterable[EventRef], macro: Callable[..., Any]) -> Markup:
        """The items of ``refs`` (see :meth:`event`), one a line, in one call.

        A day of a busy month lists dozens of events, and a page shows many
        days: a template loop calling :meth:`event` pays Jinja's call
        machinery per item, about half the time of a page across briefings.
        """
        shared = self._shared_for("event", macro)
        if shared is None:
            return Markup("\n".join([self.event(ref, macro) for ref in refs]))
        parts: list[bytes] = []
        for ref in refs:
            found = shared.encoded((ref.briefing.slug, ref.entry.order))
            parts.append(str(self.event(ref, macro)).encode("utf-8") if found is None else found)
        return Markup(b"\n".join(parts).decode("utf-8"))

    def share_events(self, refs: Iterable[EventRef], macro: Callable[..., Any],
                     workers: int | None = None) -> None:
        """Render every event's item now, before render workers are forked."""
        def item(ref: EventRef) -> str:
            return str(macro(ref, self._registry, False))

        self._shared["event"] = (macro, SharedItems.of(
            (((ref.briefing.slug, ref.entry.order), partial(item, ref)) for ref in refs), workers))

    def share_briefings(self, items: Iterable[tuple[Briefing, str, int]],
                        macro: Callable[..., Any], workers: int | None = None) -> None:
        """Render each ``(briefing, role, level)``'s item now (see :meth:`briefing`)."""
        self._shared["briefing"] = (macro, SharedItems.of(
            (((b.slug, role, level), partial(macro, b, role, level)) for b, role, level in items),
            workers))

    def share_rows(self, macro: Callable[..., Any], workers: int | None = None) -> None:
        """Render the row of every incident in :attr:`tables` now (see :meth:`incident`).

        Each table's children's columns are those its totals call for, as
        the default theme's ``incident_table`` decides them.
        """
        def row(incident: Incident, children_killed: bool, children_injured: bool) -> str:
            [found] = incident_rows([incident])
            return str(macro(found, children_killed, children_injured))

        def items() -> Iterator[tuple[tuple[int, bool, bool], Callable[[], str]]]:
            for period in self.tables:
                totals = incident_totals(period.incidents)
                flags = (totals.children_killed.count > 0, totals.children_injured.count > 0)
                for incident in period.incidents:
                    yield (id(incident), *flags), partial(row, incident, *flags)

        self._shared["incident"] = (macro, SharedItems.of(items(), workers))

    def incident(self, incident: Incident, macro: Callable[..., Any],
                 children_killed: bool, children_injured: bool) -> Markup:
        """``macro(row, children_killed, children_injured)``, the incident's table row."""
        key = (id(incident), children_killed, children_injured)
        shared = self._shared_for("incident", macro)
        if shared is not None:
            found = shared.get(key)
            if found is not None:
                return found
        html = self._incidents.get(key)
        if html is None:
            [row] = incident_rows([incident])
            html = Markup(macro(row, children_killed, children_injured))
            self._incidents[key] = html
        return html


_slug = attrgetter("slug")
_briefing_slug = attrgetter("briefing.slug")
_digest = attrgetter("digest")


def _incident_parts(incidents: Iterable[Incident]) -> list[str]:
    """Incidents as shown: their ids and every briefing reporting them (their digest)."""
    return [f"{i.id}={i.digest:x}" for i in incidents]


def _constant(context: Context) -> Callable[[list[Period]], Context]:
    """A page context that does not depend on the months shown."""
    return lambda shown: context


def _totals(incidents: Iterable[Incident]) -> Context:
    return {"totals": incident_totals(incidents)}


def _no_previous(name: str, key: str) -> None:
    return None


@dataclass(slots=True)
class Sections:
    """Each section's key and pages: the last build's, to reuse, and this build's, to keep.

    A section (the archive, the chronology, an actor, a place, a tag, the
    casualties) is named by its URL prefix.
    """

    previous: Callable[[str, str], Sequence[tuple[str, str]] | None] = _no_previous
    """Given a section and its key: the (path, page key) of each of its pages
    in the last build, if the section had that key then."""
    made: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Section → (its key, its pages' paths), in this build."""


class Archives:
    """Builds the month pages and the index page of each section."""

    def __init__(self, site: Site, indexes: Indexes, snippets: Snippets | None = None,
                 sections: Sections | None = None) -> None:
        self.site = site
        self.indexes = indexes
        self.registry = registry_key(site)
        self.snippets = snippets or Snippets(site.actors)
        self.sections = sections or Sections()

    def digest(self, briefings: Iterable[Briefing] = (), incidents: Iterable[Incident] = (),
               events: Iterable[EventRef] = ()) -> str:
        """The briefings a list of these items shows, summed up, for a page's key.

        Each item adds the number of the briefing it comes from (an incident,
        those of all its reports: see :func:`~briefgen.indexes.briefing_number`),
        so the digest changes whenever a briefing shown changes, joins or
        leaves. Added up in C, item by item: sorting the briefings' slugs
        instead cost a tenth of a second of every build of a large site.
        """
        number = self.indexes.numbers.__getitem__
        total = sum(map(number, map(_slug, briefings)))
        total += sum(map(number, map(_briefing_slug, events)))
        total += sum(map(_digest, incidents))
        return f"{total % DIGEST_RANGE:x}"

    def section(
        self,
        prefix: str,
        template: str,
        head: list[str],
        context: Callable[[list[Period]], Context],
        *,
        briefings: Sequence[Briefing] = (),
        incidents: Sequence[Incident] = (),
        events: Sequence[EventRef] = (),
        index_head: Callable[[], Iterable[str]] = tuple,
        index_context: Callable[[], Context] = dict,
        always_split: bool = False,
        elsewhere: Sequence[str] = (),
        digest: int | None = None,
    ) -> Iterator[Page]:
        """The :meth:`pages` of the section at ``prefix``, of these items by month.

        A section's pages show only its items' briefings, the registry, the
        theme, what ``head`` names (its name) and what ``elsewhere`` names
        (what its index draws from beyond its items: the casualty index's
        place names). While all of those hold, its pages and their keys are
        those of the last build and its months need not be worked out again:
        most of the cost of page keys after one edit on a large site. A kept
        page whose file went missing is made after all, with the same key.
        ``index_head`` is called only when the months are worked out.
        ``digest`` stands for the briefings the items show when derive
        summed them up already (an actor's, a place's, a tag's: see
        :func:`~briefgen.indexes.briefing_number`); finding them here
        would visit every item, most of the cost of keys on a large site.
        """
        shown = f"{digest:x}" if digest is not None else self.digest(briefings, incidents, events)
        key = key_of([template, prefix, self.registry, *head, *elsewhere, shown])

        def make() -> Iterator[Page]:
            return self.pages(prefix, template,
                              periods(briefings=briefings, incidents=incidents, events=events),
                              head, context, index_head=[*index_head(), *elsewhere],
                              index_context=index_context, always_split=always_split)

        known = self.sections.previous(prefix, key)
        if known is None:
            pages = list(make())
            self.sections.made[prefix] = (key, tuple(page.path for page in pages))
            yield from pages
            return
        self.sections.made[prefix] = (key, tuple(path for path, _ in known))
        made: dict[str, Page] = {}

        def page_context(path: str) -> Context:
            if not made:
                made.update((page.path, page) for page in make())
            return made[path].context()

        for path, page_key in known:
            yield Page(path, template, page_key, partial(page_context, path))

    def common(self) -> Context:
        return {
            "registry": self.site.actors,
            "snippets": self.snippets,
            "incident_totals": incident_totals,
            "roles": {},
            "single_kind": False,
        }

    def pages(
        self,
        prefix: str,
        template: str,
        months: list[Period],
        head: list[str],
        context: Callable[[list[Period]], Context],
        index_head: Iterable[str] = (),
        index_context: Callable[[], Context] = dict,
        always_split: bool = False,
    ) -> Iterator[Page]:
        """``PREFIX<YYYY-MM>/`` for every month and ``PREFIX`` showing the latest ones.

        ``head`` names what both show besides the months (a place's name),
        ``index_head`` what only the index shows (a place's totals). Month
        pages are written only when the index cannot show every month, unless
        ``always_split`` (sections whose month pages are worth citing).
        """
        base = [template, prefix, self.registry, *head]
        self.snippets.tables.extend(period for period in months if period.incidents)
        shown = latest(months)
        split = always_split or len(shown) < len(months)
        for n, period in enumerate(months if split else ()):
            newer = months[n - 1] if n > 0 else None
            older = months[n + 1] if n + 1 < len(months) else None
            key = key_of([*base, period.key, newer.key if newer else "",
                          older.key if older else "",
                          self.digest(period.briefings, period.incidents, period.events)])

            def month_context(period: Period = period, newer: Period | None = newer,
                              older: Period | None = older) -> Context:
                return {**self.common(), "prefix": prefix, "periods": [period],
                        "period": period, "newer": newer, "older": older, "split": True,
                        "all_periods": [], **context([period])}

            yield Page(f"{prefix}{period.key}/index.html", template, key, month_context)

        older = months[len(shown)] if len(shown) < len(months) else None
        key = key_of([*base, *index_head, str(split), *(p.part() for p in months),
                      *(self.digest(p.briefings, p.incidents, p.events) for p in shown)])

        def index() -> Context:
            return {**self.common(), "prefix": prefix, "periods": shown, "period": None,
                    "newer": None, "older": older, "split": split,
                    "all_periods": months if split else [],
                    **context(shown), **index_context()}

        yield Page(f"{prefix}index.html", template, key, index)


def archive_pages(archives: Archives) -> Iterator[Page]:
    """/archive/: every briefing, one page per month (the home page lists the newest)."""
    yield from archives.section("archive/", "archive.html", [],
                                _constant({"single_kind": True}),
                                briefings=archives.site.briefings, always_split=True)


def chronology_pages(archives: Archives) -> Iterator[Page]:
    """/chronology/: every event, one page per month."""
    yield from archives.section("chronology/", "chronology.html", [],
                                _constant({"single_kind": True}),
                                events=archives.indexes.events, always_split=True)


def actor_role(briefing: Briefing, actor_id: str) -> str:
    """The actor's role in the briefing, as its page lists the briefing."""
    return next((a.role for a in briefing.actors if a.id == actor_id), "")


LIST_LEVEL = 4
"""The heading level of a briefing item in a month's list (the default theme's period.html)."""


def listed_briefings(indexes: Indexes) -> Iterator[tuple[Briefing, str, int]]:
    """Each briefing item the archives list: (briefing, role, level), for sharing them.

    Under each actor with the actor's role, under each place and tag with none.
    """
    for actor_id, entry in indexes.actors.items():
        for b in entry.briefings:
            yield b, actor_role(b, actor_id), LIST_LEVEL
    named: list[Place | Tag] = [*indexes.places.values(), *indexes.tags.values()]
    for place_or_tag in named:
        for b in place_or_tag.briefings:
            yield b, "", LIST_LEVEL


def actor_pages(archives: Archives) -> Iterator[Page]:
    """/actors/ and, per registry actor, the briefings and events naming them by month."""
    indexes = archives.indexes
    for actor_id, entry in indexes.actors.items():

        def context(shown: list[Period], actor_id: str = actor_id) -> Context:
            roles = {b.slug: actor_role(b, actor_id) for p in shown for b in p.briefings}
            return {"entry": indexes.actors[actor_id], "roles": roles}

        yield from archives.section(
            f"actors/{actor_id}/", "actor.html", [actor_id], context,
            briefings=entry.briefings, events=entry.events, digest=entry.digest,
            index_head=partial(list, [f"{len(entry.briefings)}:{len(entry.events)}"]))
    listing = sorted(indexes.actors.values(), key=lambda e: (e.actor.name.casefold(), e.actor.id))
    key = key_of(["actors", archives.registry,
                  *(f"{e.actor.id}:{len(e.briefings)}:{len(e.events)}" for e in listing)])
    yield Page("actors/index.html", "actors.html", key, lambda: {"entries": listing})


def _named_archive(archives: Archives, section: str, template: str, variable: str,
                   entry: Place | Tag) -> Iterator[Page]:
    """The month pages and index of one place or tag: its briefings, incidents, events."""
    yield from archives.section(
        f"{section}/{entry.slug}/", template, [entry.slug, entry.name],
        _constant({variable: entry}),
        briefings=entry.briefings, incidents=entry.incidents, events=entry.events,
        digest=entry.digest, index_head=partial(_incident_parts, entry.incidents),
        index_context=partial(_totals, entry.incidents))


def place_pages(archives: Archives) -> Iterator[Page]:
    """/places/ and, per place, its briefings, incidents and events by month."""
    indexes = archives.indexes
    for place in indexes.places.values():
        yield from _named_archive(archives, "places", "place.html", "place", place)
    places = list(indexes.places.values())
    key = key_of(["places", *(f"{p.slug}:{p.name}:{len(p.briefings)}:{len(p.events)}:"
                              f"{len(p.incidents)}" for p in places)])
    yield Page("places/index.html", "places.html", key, lambda: {"places": places})


def tag_pages(archives: Archives) -> Iterator[Page]:
    """/tags/ and, per tag, its briefings, their incidents and events by month.

    A tag's incidents are those any tagged briefing reports, shown with their
    latest figures even when a later, untagged briefing gave them.
    """
    indexes = archives.indexes
    for tag in indexes.tags.values():
        yield from _named_archive(archives, "tags", "tag.html", "tag", tag)
    tags = list(indexes.tags.values())
    key = key_of(["tags", *(f"{t.slug}:{t.name}:{len(t.briefings)}" for t in tags)])
    yield Page("tags/index.html", "tags.html", key, lambda: {"tags": tags})


def casualty_pages(archives: Archives) -> Iterator[Page]:
    """/casualties/: totals, a chart and the latest incidents; one page per month."""
    indexes = archives.indexes
    places = [p for p in indexes.places.values() if p.incidents]

    def index_context() -> Context:
        months = totals_by_month(indexes.incidents)
        return {
            "totals": incident_totals(indexes.incidents),
            "by_place": totals_by_place(places),
            "by_month": months,
            "chart": bar_chart(months, "Killed and injured per month (lower bounds)"),
            "count": len(indexes.incidents),
        }

    yield from archives.section(
        "casualties/", "casualties.html", [], _constant({"single_kind": True}),
        incidents=indexes.incidents,
        index_head=partial(_incident_parts, indexes.incidents),
        index_context=index_context, always_split=True,
        elsewhere=[f"{p.slug}:{p.name}" for p in places])


def home_page(site: Site, indexes: Indexes) -> Page:
    """The home page: the newest briefings, the key figures and the latest events.

    It shows ``home_entries`` briefings; the archive lists every one.
    """
    key = key_of(["home", registry_key(site), all_briefings_key(site)])
    limit = site.config.home_entries or len(site.briefings)
    return Page("index.html", "index.html", key, lambda: {
        "briefings": site.briefings[:limit],
        "all_briefings": len(site.briefings),
        "key_figures": incident_totals(indexes.incidents),
        "incidents": len(indexes.incidents),
        "latest_events": indexes.events[:HOME_EVENTS],
        "registry": site.actors,
    })


def site_pages(site: Site, indexes: Indexes, snippets: Snippets | None = None,
               sections: Sections | None = None) -> Iterator[Page]:
    """Every page across briefings (the home page aside: see :func:`home_page`).

    ``snippets`` renders their repeated items; the caller may keep it to
    share them before rendering (:meth:`Snippets.share_events`). ``sections``
    gives the last build's pages of each section, and takes this build's.
    """
    archives = Archives(site, indexes, snippets, sections)
    yield from archive_pages(archives)
    yield from chronology_pages(archives)
    yield from actor_pages(archives)
    yield from place_pages(archives)
    yield from tag_pages(archives)
    yield from casualty_pages(archives)
