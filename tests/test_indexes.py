"""The derive stage on hand-built sites: grouping, ordering, incidents counted once."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from briefgen.dates import parse_date_field
from briefgen.figures import parse_figure
from briefgen.indexes import EventRef, briefing_number, derive, slugify
from briefgen.model import (
    Actor,
    Briefing,
    BriefingActor,
    CasualtyRecord,
    ChronologyEntry,
    Site,
    SiteConfig,
)
from briefgen.render import totals_of

CONFIG = SiteConfig("T", "", "https://example.org/", "en", "UTC")
ALPHA = Actor("alpha", "Alex Alpha", "person", "Ruritania", ("Alpha",), "Minister.")
BRAVO = Actor("bravo", "Bravo Ministry", "organisation", "Ruritania", (), "Ministry.")


def event(day: str, place: str, *, actors: tuple[str, ...] = (), time: str | None = None,
          order: int = 0, dateline: dt.date = dt.date(2025, 4, 6)) -> ChronologyEntry:
    return ChronologyEntry(parse_date_field(day, dateline), time, place, "x", "x",
                           actors, "wire", order)


def record(day: str, place: str, killed: str | int, *, incident: str | None = None,
           order: int = 0, dateline: dt.date = dt.date(2025, 4, 6)) -> CasualtyRecord:
    return CasualtyRecord(parse_date_field(day, dateline), place, "strike", "strike",
                          parse_figure(killed), parse_figure(0), None, None, incident,
                          "wire", order)


def briefing(slug: str, date: str, *, tags: tuple[str, ...] = (),
             chronology: tuple[ChronologyEntry, ...] = (),
             casualties: tuple[CasualtyRecord, ...] = (),
             actors: tuple[Actor, ...] = ()) -> Briefing:
    return Briefing(
        slug=slug, path=f"content/briefings/{slug}.md", title=slug.title(),
        date=dt.date.fromisoformat(date), summary="", updated=None, tags=tags, draft=False,
        sources=(), actors=tuple(BriefingActor(a.name, "", a.affiliation, a) for a in actors),
        # Sorted as the schema sorts it (the model's promise).
        chronology=tuple(sorted(chronology, key=lambda e: e.sort_key)),
        casualties=casualties, body="",
        fingerprint=slug,
    )


def site(*briefings: Briefing) -> Site:
    ordered = sorted(briefings, key=lambda b: (b.date, b.slug), reverse=True)
    return Site(CONFIG, tuple(ordered), {"alpha": ALPHA, "bravo": BRAVO})


def test_slugify_examples() -> None:
    assert slugify("Kryvyi Rih") == "kryvyi-rih"
    assert slugify("Київ") == "kyiv"
    assert slugify("Zürich") == "zurich"
    assert slugify("  Khmelnytskyi   region ") == "khmelnytskyi-region"
    assert slugify("Straße") == "strasse"
    assert slugify("Kyiv") == slugify("kyiv")


@given(st.text())
def test_slugify_is_never_empty_and_safe_in_a_path(text: str) -> None:
    slug = slugify(text)
    assert slug
    assert "/" not in slug and "." not in slug and not slug.startswith("-")
    assert slug == slug.strip() and not any(c.isspace() for c in slug)


def test_events_newest_first_across_briefings() -> None:
    old = briefing("old", "2025-03-01", chronology=(event("2025-02-27", "Kyiv"),))
    new = briefing("new", "2025-04-06", chronology=(
        event("2025-04-05", "Kyiv", time="08:00", order=0),
        event("2025-04-05", "Lviv", time="21:30", order=1),
        event("2025-03-20", "Lviv", order=2),
    ))
    indexes = derive(site(old, new))
    got = [(ref.briefing.slug, ref.entry.date.iso, ref.entry.time) for ref in indexes.events]
    assert got == [("new", "2025-04-05", "21:30"), ("new", "2025-04-05", "08:00"),
                   ("new", "2025-03-20", None), ("old", "2025-02-27", None)]


def test_places_merge_spellings_keep_first_and_collect_everything() -> None:
    first = briefing("a", "2025-04-01", chronology=(event("2025-04-01", "Kyiv"),),
                     casualties=(record("2025-04-01", "Kyiv", 3),))
    second = briefing("b", "2025-04-02", chronology=(event("2025-04-02", "kyiv"),
                                                     event("2025-04-02", "Lviv", order=1)))
    indexes = derive(site(second, first))
    assert list(indexes.places) == ["kyiv", "lviv"]
    kyiv = indexes.places["kyiv"]
    assert kyiv.name == "Kyiv"
    assert [b.slug for b in kyiv.briefings] == ["b", "a"]
    assert [ref.briefing.slug for ref in kyiv.events] == ["b", "a"]
    assert [i.id for i in kyiv.incidents] == ["a-0"]
    assert [b.slug for b in indexes.places["lviv"].briefings] == ["b"]


def test_empty_place_makes_no_page() -> None:
    indexes = derive(site(briefing("a", "2025-04-01", chronology=(event("2025-04-01", ""),))))
    assert indexes.places == {}
    assert len(indexes.events) == 1


def test_tags_merge_by_slug() -> None:
    indexes = derive(site(briefing("a", "2025-04-01", tags=("Missile strikes",)),
                          briefing("b", "2025-04-02", tags=("missile strikes", "Kyiv"))))
    assert list(indexes.tags) == ["kyiv", "missile-strikes"]
    tag = indexes.tags["missile-strikes"]
    assert tag.name == "Missile strikes"
    assert [b.slug for b in tag.briefings] == ["b", "a"]


def test_tags_collect_events_and_incidents_of_their_briefings() -> None:
    early = briefing("early", "2025-04-05", tags=("Strikes",), casualties=(
        record("2025-04-04", "Kyiv", 1, incident="x", dateline=dt.date(2025, 4, 5)),))
    late = briefing("late", "2025-04-06", tags=("Talks",),
                    chronology=(event("2025-04-06", "Kyiv"),),
                    casualties=(record("2025-04-04", "Kyiv", 2, incident="x"),))
    indexes = derive(site(early, late))
    # The incident belongs to both tags, with its latest (untagged-by-"strikes") figures.
    assert [i.id for i in indexes.tags["strikes"].incidents] == ["x"]
    assert indexes.tags["strikes"].incidents[0].latest.briefing.slug == "late"
    assert [i.id for i in indexes.tags["talks"].incidents] == ["x"]
    assert indexes.tags["strikes"].events == ()
    assert [ref.briefing.slug for ref in indexes.tags["talks"].events] == ["late"]


def test_actor_index_has_every_registry_actor() -> None:
    b = briefing("a", "2025-04-01", actors=(ALPHA,),
                 chronology=(event("2025-04-01", "Kyiv", actors=("alpha",)),
                             event("2025-03-30", "Kyiv", actors=("alpha", "bravo"), order=1)))
    indexes = derive(site(b))
    assert set(indexes.actors) == {"alpha", "bravo"}
    assert [x.slug for x in indexes.actors["alpha"].briefings] == ["a"]
    assert len(indexes.actors["alpha"].events) == 2
    assert [ref.entry.date.iso for ref in indexes.actors["bravo"].events] == ["2025-03-30"]
    assert [x.slug for x in indexes.actors["bravo"].briefings] == ["a"]


def test_incident_revisions_latest_briefing_counts_once() -> None:
    early = briefing("early", "2025-04-05", casualties=(
        record("2025-04-04", "Kryvyi Rih", "at least 18", incident="kr",
               dateline=dt.date(2025, 4, 5)),
        record("2025-04-04", "Kyiv", 2, dateline=dt.date(2025, 4, 5), order=1),
    ))
    late = briefing("late", "2025-04-06", casualties=(
        record("2025-04-04", "Kryvyi Rih", 19, incident="kr"),
    ))
    indexes = derive(site(late, early))
    by_id = {i.id: i for i in indexes.incidents}
    assert set(by_id) == {"kr", "early-1"}
    kr = by_id["kr"]
    assert kr.latest.briefing.slug == "late"
    assert [r.briefing.slug for r in kr.revisions] == ["early"]
    assert kr.latest.record.killed.text == "19"
    totals = totals_of(i.latest.record for i in indexes.incidents)
    assert (totals.killed.low, totals.killed.high) == (21, 21)
    assert [i.id for i in indexes.places["kryvyi-rih"].incidents] == ["kr"]


def test_incident_place_follows_latest_report() -> None:
    early = briefing("early", "2025-04-05", casualties=(
        record("2025-04-04", "Kyiv region", 1, incident="x", dateline=dt.date(2025, 4, 5)),))
    late = briefing("late", "2025-04-06", casualties=(
        record("2025-04-04", "Bucha", 2, incident="x"),))
    indexes = derive(site(early, late))
    assert indexes.places["kyiv-region"].incidents == ()
    assert [i.id for i in indexes.places["bucha"].incidents] == ["x"]
    # The earlier briefing still reported on the place, so it is listed there.
    assert [b.slug for b in indexes.places["kyiv-region"].briefings] == ["early"]


def test_incidents_newest_first_by_latest_record_date() -> None:
    b = briefing("a", "2025-04-06", casualties=(
        record("2025-04-01", "X", 1, incident="one"),
        record("2025-04-05", "Y", 1, incident="two", order=1),
        record("2025-03-01", "Z", 1, order=2),
    ))
    assert [i.id for i in derive(site(b)).incidents] == ["two", "one", "a-2"]


_days = st.sampled_from(["2025-04-01", "2025-04-02", "2025-04", "yesterday", "last week"])
_events = st.lists(st.tuples(_days, st.sampled_from([None, "08:00", "21:30"]),
                             st.sampled_from(["Kyiv", "kyiv", "Lviv"]),
                             st.sampled_from([(), ("alpha",), ("alpha", "bravo")])),
                   max_size=4)
_briefings = st.lists(st.tuples(st.sampled_from(["2025-04-02", "2025-04-03", "2025-04-04"]),
                                st.sampled_from([(), ("Talks",), ("talks", "Strikes")]),
                                _events), max_size=6)


@given(_briefings)
def test_every_list_is_in_the_documented_order(drawn: list[tuple[str, tuple[str, ...],
                                                                 list[tuple[str, str | None, str,
                                                                            tuple[str, ...]]]]],
                                               ) -> None:
    """Events newest first by EventRef.sort_key, briefings newest first by (date, slug)."""
    made = [briefing(f"b{n}", date, tags=tags, chronology=tuple(
                event(day, place, time=time, actors=actors, order=order,
                      dateline=dt.date.fromisoformat(date))
                for order, (day, time, place, actors) in enumerate(events)))
            for n, (date, tags, events) in enumerate(drawn)]
    indexes = derive(site(*made))

    def refs(found: tuple[EventRef, ...]) -> list[tuple[str, int]]:
        return [(ref.briefing.slug, ref.entry.order) for ref in found]

    def newest(found: list[EventRef]) -> list[tuple[str, int]]:
        return refs(tuple(sorted(found, key=lambda ref: ref.sort_key, reverse=True)))

    every = [EventRef(b, e) for b in made for e in b.chronology]
    assert refs(indexes.events) == newest(every)

    def slugs_newest_first(briefings: list[Briefing]) -> list[str]:
        return [b.slug for b in sorted(briefings, key=lambda b: (b.date, b.slug), reverse=True)]

    # Each actor's, place's and tag's events come from its own briefings,
    # so its digest sums its briefings and incidents only.
    named = [*indexes.actors.values(), *indexes.places.values(), *indexes.tags.values()]
    for entry in named:
        assert {r.briefing.slug for r in entry.events} <= {b.slug for b in entry.briefings}
        shown = [*entry.briefings, *(r.briefing for i in getattr(entry, "incidents", ())
                                     for r in i.reports)]
        assert entry.digest == sum(map(briefing_number, shown)) % (1 << 128)
    for actor_id, entry in indexes.actors.items():
        assert refs(entry.events) == newest([r for r in every if actor_id in r.entry.actors])
        assert [b.slug for b in entry.briefings] == slugs_newest_first(
            [b for b in made if actor_id in b.actor_ids])
    for slug, place in indexes.places.items():
        assert refs(place.events) == newest([r for r in every
                                             if slugify(r.entry.place) == slug])
        assert [b.slug for b in place.briefings] == slugs_newest_first(
            [b for b in made if any(slugify(e.place) == slug for e in b.chronology)])
    for slug, tag in indexes.tags.items():
        tagged = [b for b in made if any(slugify(t) == slug for t in b.tags)]
        assert [b.slug for b in tag.briefings] == slugs_newest_first(tagged)
        assert refs(tag.events) == newest([r for r in every if r.briefing in tagged])
