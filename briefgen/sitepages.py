"""Pages across briefings: chronology, actors, places, tags, casualties and the home page.

Each page is a :class:`~briefgen.render.Page` built from the derived
:class:`~briefgen.indexes.Indexes`, never by scanning every briefing, so a
site with thousands of briefings renders in time linear in its size. Each
page's ``key`` lists exactly what the page shows — the fingerprints of its
briefings, the registry, and the names and counts drawn from elsewhere — so
an incremental rebuild reuses a page only when a clean build would write the
same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from briefgen.dashboard import (
    bar_chart,
    incident_rows,
    incident_totals,
    month_key,
    month_label,
    totals_by_month,
    totals_by_place,
)
from briefgen.dates import DateSpec, Precision
from briefgen.indexes import ActorIndex, EventRef, Incident, Indexes, Place, Tag
from briefgen.model import Briefing, Site
from briefgen.render import Context, Page, key_of, registry_key

__all__ = ["Day", "Month", "home_page", "months_of", "site_pages"]

LATEST_EVENTS = 30
"""/chronology/ shows the latest months until it holds at least this many events…"""
LATEST_MONTHS = 3
"""…or this many months, whichever comes first; older months are a link away."""
HOME_EVENTS = 8


@dataclass(frozen=True, slots=True)
class Day:
    """Events of one resolved date (a day, or the month or span a vague date means)."""

    date: DateSpec
    """The resolved date without the original words, for the group's heading."""
    events: tuple[EventRef, ...]


@dataclass(frozen=True, slots=True)
class Month:
    """One page of the chronology: a calendar month, newest day first."""

    key: str
    """``YYYY-MM``; also the page's URL segment."""
    days: tuple[Day, ...]

    @property
    def label(self) -> str:
        return month_label(self.key)

    @property
    def count(self) -> int:
        return sum(len(d.events) for d in self.days)

    @property
    def briefings(self) -> tuple[Briefing, ...]:
        """Briefings the month's events come from, first appearance first."""
        seen = {ref.briefing.slug: ref.briefing for d in self.days for ref in d.events}
        return tuple(seen.values())


def months_of(events: Iterable[EventRef]) -> list[Month]:
    """Group newest-first events by the month and the resolved date they start in.

    Events are sorted by (start, end, time), so one group's events are
    adjacent and the groups come out newest first too.
    """
    grouped: dict[str, dict[tuple[dt.date, dt.date, Precision], list[EventRef]]] = {}
    for ref in events:
        spec = ref.entry.date
        days = grouped.setdefault(month_key(spec.start), {})
        days.setdefault((spec.start, spec.end, spec.precision), []).append(ref)
    return [
        Month(key, tuple(Day(DateSpec("", start, end, precision, False), tuple(refs))
                         for (start, end, precision), refs in days.items()))
        for key, days in grouped.items()
    ]


def _fingerprints(briefings: Iterable[Briefing]) -> list[str]:
    return [f"{b.slug}:{b.fingerprint}" for b in briefings]


def _incident_parts(incidents: Iterable[Incident]) -> list[str]:
    """Incidents as shown: their ids and every briefing reporting them."""
    return [f"{i.id}={','.join(_fingerprints(i.briefings))}" for i in incidents]


def chronology_pages(site: Site, indexes: Indexes, registry: str) -> Iterator[Page]:
    """One page per month, and /chronology/ with the latest months and every month listed."""
    months = months_of(indexes.events)
    for n, month in enumerate(months):
        newer = months[n - 1] if n > 0 else None
        older = months[n + 1] if n + 1 < len(months) else None
        key = key_of(["chronology-month", month.key, registry,
                      newer.key if newer else "", older.key if older else "",
                      *_fingerprints(month.briefings)])

        def context(month: Month = month, newer: Month | None = newer,
                    older: Month | None = older) -> Context:
            return {"months": [month], "month": month, "newer": newer, "older": older,
                    "all_months": [], "registry": site.actors}

        yield Page(f"chronology/{month.key}/index.html", "chronology.html", key, context)

    shown: list[Month] = []
    for month in months:
        if len(shown) == LATEST_MONTHS or sum(m.count for m in shown) >= LATEST_EVENTS:
            break
        shown.append(month)
    key = key_of(["chronology", registry, *(f"{m.key}:{m.count}" for m in months),
                  *(part for m in shown for part in _fingerprints(m.briefings))])
    yield Page("chronology/index.html", "chronology.html", key,
               lambda: {"months": shown, "month": None, "newer": None,
                        "older": months[len(shown)] if len(shown) < len(months) else None,
                        "all_months": months, "registry": site.actors})


def actor_pages(site: Site, indexes: Indexes, registry: str) -> Iterator[Page]:
    """/actors/ and one page per registry actor."""
    for actor_id, entry in indexes.actors.items():
        # The events naming an actor come from briefings that list them.
        key = key_of(["actor", actor_id, registry, *_fingerprints(entry.briefings)])

        def context(entry: ActorIndex = entry, actor_id: str = actor_id) -> Context:
            roles = {
                b.slug: next((a.role for a in b.actors if a.id == actor_id), "")
                for b in entry.briefings
            }
            return {"entry": entry, "roles": roles, "registry": site.actors}

        yield Page(f"actors/{actor_id}/index.html", "actor.html", key, context)
    listing = sorted(indexes.actors.values(), key=lambda e: (e.actor.name.casefold(), e.actor.id))
    key = key_of(["actors", registry,
                  *(f"{e.actor.id}:{len(e.briefings)}:{len(e.events)}" for e in listing)])
    yield Page("actors/index.html", "actors.html", key, lambda: {"entries": listing})


def place_pages(site: Site, indexes: Indexes, registry: str) -> Iterator[Page]:
    """/places/ and one page per place: its briefings, events and incidents."""
    for place in indexes.places.values():
        key = key_of(["place", place.slug, place.name, registry,
                      *_fingerprints(place.briefings), *_incident_parts(place.incidents)])

        def context(place: Place = place) -> Context:
            return {"place": place, "rows": incident_rows(place.incidents),
                    "totals": incident_totals(place.incidents), "registry": site.actors}

        yield Page(f"places/{place.slug}/index.html", "place.html", key, context)
    places = list(indexes.places.values())
    key = key_of(["places", *(f"{p.slug}:{p.name}:{len(p.briefings)}:{len(p.events)}:"
                              f"{len(p.incidents)}" for p in places)])
    yield Page("places/index.html", "places.html", key, lambda: {"places": places})


def tag_pages(site: Site, indexes: Indexes, registry: str,
              incidents_of: dict[str, list[int]]) -> Iterator[Page]:
    """/tags/ and one page per tag: its briefings, their events and incidents.

    A tag's incidents are those any tagged briefing reports, shown with their
    latest figures even when a later, untagged briefing gave them.
    """
    for tag in indexes.tags.values():
        ranks = sorted({n for b in tag.briefings for n in incidents_of.get(b.slug, ())})
        incidents = [indexes.incidents[n] for n in ranks]
        key = key_of(["tag", tag.slug, tag.name, registry,
                      *_fingerprints(tag.briefings), *_incident_parts(incidents)])

        def context(tag: Tag = tag, incidents: list[Incident] = incidents) -> Context:
            events = sorted((EventRef(b, e) for b in tag.briefings for e in b.chronology),
                            key=lambda ref: ref.sort_key, reverse=True)
            return {"tag": tag, "events": events, "rows": incident_rows(incidents),
                    "totals": incident_totals(incidents), "registry": site.actors}

        yield Page(f"tags/{tag.slug}/index.html", "tag.html", key, context)
    tags = list(indexes.tags.values())
    key = key_of(["tags", *(f"{t.slug}:{t.name}:{len(t.briefings)}" for t in tags)])
    yield Page("tags/index.html", "tags.html", key, lambda: {"tags": tags})


def casualties_page(indexes: Indexes) -> Page:
    """/casualties/: one row per incident, totals by place and month, and a chart."""
    places = [p for p in indexes.places.values() if p.incidents]
    key = key_of(["casualties", *_incident_parts(indexes.incidents),
                  *(f"{p.slug}:{p.name}" for p in places)])

    def context() -> Context:
        months = totals_by_month(indexes.incidents)
        return {
            "rows": incident_rows(indexes.incidents),
            "totals": incident_totals(indexes.incidents),
            "by_place": totals_by_place(places),
            "by_month": months,
            "chart": bar_chart(months, "Killed and injured per month (lower bounds)"),
        }

    return Page("casualties/index.html", "casualties.html", key, context)


def home_page(site: Site, indexes: Indexes) -> Page:
    """The home page: every briefing, the key figures and the latest events."""
    registry = registry_key(site)
    key = key_of(["home", registry, *_fingerprints(site.briefings)])
    return Page("index.html", "index.html", key, lambda: {
        "briefings": site.briefings,
        "key_figures": incident_totals(indexes.incidents),
        "incidents": len(indexes.incidents),
        "latest_events": indexes.events[:HOME_EVENTS],
        "registry": site.actors,
    })


def site_pages(site: Site, indexes: Indexes) -> Iterator[Page]:
    """Every page across briefings (the home page aside: see :func:`home_page`)."""
    registry = registry_key(site)
    # Incidents by the briefings reporting them, as positions in indexes.incidents
    # (newest first), so a tag page sorts its incidents without comparing them.
    incidents_of: dict[str, list[int]] = {}
    for n, incident in enumerate(indexes.incidents):
        for b in incident.briefings:
            incidents_of.setdefault(b.slug, []).append(n)
    yield from chronology_pages(site, indexes, registry)
    yield from actor_pages(site, indexes, registry)
    yield from place_pages(site, indexes, registry)
    yield from tag_pages(site, indexes, registry, incidents_of)
    yield casualties_page(indexes)
