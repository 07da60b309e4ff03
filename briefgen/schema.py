"""What a briefing's front matter and the actor registry may contain.

One place validates every field (Zola's typed front matter is the model):
unknown keys are rejected with a did-you-mean, every value is checked for its
type and meaning, and cross-references (source ids, registry actor ids, seed
files) are resolved here, so later stages can trust the model.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from briefgen.dates import DateSpec, parse_date_field, parse_iso_date
from briefgen.errors import did_you_mean
from briefgen.fields import Fields
from briefgen.figures import Figure, parse_figure
from briefgen.model import (
    ACTOR_KINDS,
    Actor,
    ActorKind,
    BriefingActor,
    CasualtyRecord,
    ChronologyEntry,
    Source,
)
from briefgen.yamlsafe import Path_

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")

BRIEFING_FIELDS = ("title", "date", "summary", "updated", "tags", "draft", "sources",
                   "actors", "chronology", "casualties")
SOURCE_FIELDS = ("id", "publisher", "title", "url", "published", "seed")
ACTOR_REF_FIELDS = ("id", "name", "role", "affiliation")
CHRONOLOGY_FIELDS = ("date", "time", "place", "event", "actors", "source")
CASUALTY_FIELDS = ("date", "place", "event", "killed", "injured", "children_killed",
                   "children_injured", "incident", "source")
REGISTRY_FIELDS = ("name", "kind", "affiliation", "aliases", "description")

IDENT_HINT = "use letters, digits, '-' and '_', starting with a letter or digit."
SLUG_HINT = "use lowercase letters, digits and '-', starting with a letter or digit."


class UnreadableRegistry(dict[str, Actor]):
    """Stands for a ``content/actors.yaml`` that could not be parsed at all.

    Its own error is already reported; checking actor ids against it would add
    a false "no actor" error for every reference in every briefing.
    """


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A briefing's validated front matter, before the body is attached."""

    title: str
    date: dt.date
    summary: str
    updated: dt.date | None
    tags: tuple[str, ...]
    draft: bool
    sources: tuple[Source, ...]
    actors: tuple[BriefingActor, ...]
    chronology: tuple[ChronologyEntry, ...]
    casualties: tuple[CasualtyRecord, ...]


def read_front_matter(
    fields: Fields, registry: dict[str, Actor], seed_exists: Callable[[str], bool]
) -> FrontMatter | None:
    """Validate a briefing's front matter; ``None`` when any error was recorded."""
    before = len(fields.errors)
    if fields.raw(()) is None:
        fields.error((), "the front matter is empty: write at least 'title', 'date' and "
                     "'sources' between the '---' lines.")
        return None
    if fields.mapping((), BRIEFING_FIELDS, "The front matter") is None:
        return None
    title = fields.text(("title",), required=True)
    dateline = fields.parsed(("date",), parse_iso_date, required=True)
    updated = fields.parsed(("updated",), parse_iso_date)
    if dateline and updated and updated < dateline:
        fields.error(("updated",), f"'updated' ({updated}) is before the dateline ({dateline}).")
    sources = _sources(fields, seed_exists)
    source_ids = {s.id for s in sources}
    # A source whose id was rejected above still counts as declared, so entries
    # citing it don't each report a second, misleading "no source" error.
    source_ids.update(
        text for path in fields.items(("sources",), "'sources'")
        if isinstance(text := fields.raw((*path, "id")), str)
    )
    actors = _briefing_actors(fields, registry)
    chronology: list[ChronologyEntry] = []
    casualties: list[CasualtyRecord] = []
    if dateline:
        chronology = _chronology(fields, dateline, source_ids, registry)
        casualties = _casualties(fields, dateline, source_ids)
    if len(fields.errors) > before or dateline is None:
        return None
    return FrontMatter(
        title=title,
        date=dateline,
        summary=fields.text(("summary",)),
        updated=updated,
        tags=fields.words(("tags",)),
        draft=fields.flag(("draft",)),
        sources=tuple(sources),
        actors=tuple(actors),
        chronology=tuple(sorted(chronology, key=lambda e: e.sort_key)),
        casualties=tuple(casualties),
    )


def _sources(fields: Fields, seed_exists: Callable[[str], bool]) -> list[Source]:
    sources: list[Source] = []
    seen: dict[str, Path_] = {}
    for path in fields.items(("sources",), "'sources'", required=True):
        if fields.mapping(path, SOURCE_FIELDS, "A source") is None:
            continue
        source_id = fields.matching((*path, "id"), IDENT, IDENT_HINT, required=True)
        if source_id in seen:
            fields.error((*path, "id"), f"source id '{source_id}' is used twice: "
                         "give each source its own id.")
        seed = fields.text((*path, "seed")) or None
        # A source kept as a seed file (a wire copy, a PDF) may have no public address.
        url = fields.text((*path, "url"), required=seed is None)
        if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
            fields.error((*path, "url"), f"'{url}' is not a web address: "
                         "write a full http:// or https:// URL.")
        if seed and not seed_exists(seed):
            fields.error((*path, "seed"), f"seed file 'seeds/{seed}' does not exist: "
                         "add it under seeds/ or correct the name.")
        if source_id:
            seen[source_id] = path
            sources.append(Source(
                id=source_id,
                publisher=fields.text((*path, "publisher"), required=True),
                title=fields.text((*path, "title"), required=True),
                url=url,
                published=fields.parsed((*path, "published"), parse_iso_date),
                seed=seed,
            ))
    return sources


def _briefing_actors(fields: Fields, registry: dict[str, Actor]) -> list[BriefingActor]:
    actors: list[BriefingActor] = []
    for path in fields.items(("actors",), "'actors'"):
        entry = fields.mapping(path, ACTOR_REF_FIELDS, "An actor")
        if entry is None:
            continue
        role = fields.text((*path, "role"))
        if "id" in entry:
            actor = _registry_actor(fields, (*path, "id"), registry)
            if "name" in entry or "affiliation" in entry:
                fields.error(path, "an actor given by 'id' takes its name and affiliation "
                             "from content/actors.yaml: remove 'name' and 'affiliation'.")
            if actor:
                actors.append(BriefingActor(actor.name, role, actor.affiliation, actor))
        else:
            name = fields.text((*path, "name"), required=True)
            if name:
                actors.append(BriefingActor(name, role, fields.text((*path, "affiliation")), None))
    return actors


def _registry_actor(fields: Fields, path: Path_, registry: dict[str, Actor]) -> Actor | None:
    actor_id = fields.text(path, required=True)
    if not actor_id or isinstance(registry, UnreadableRegistry):
        return None
    if actor_id not in registry:
        fields.error(path, f"no actor '{actor_id}' in content/actors.yaml."
                     f"{did_you_mean(actor_id, registry)} Add it to the registry, "
                     "or write the actor inline with 'name:'.")
        return None
    return registry[actor_id]


def _date(fields: Fields, path: Path_, dateline: dt.date) -> DateSpec | None:
    return fields.parsed(path, lambda text: parse_date_field(text, dateline), required=True)


def _source_ref(fields: Fields, path: Path_, source_ids: set[str]) -> str:
    source = fields.text(path, required=True)
    if source and source not in source_ids:
        fields.error(path, f"no source '{source}' in this briefing's sources."
                     f"{did_you_mean(source, source_ids)} Use one of: "
                     f"{', '.join(sorted(source_ids)) or '(none defined)'}.")
    return source


def _chronology(fields: Fields, dateline: dt.date, source_ids: set[str],
                registry: dict[str, Actor]) -> list[ChronologyEntry]:
    entries: list[ChronologyEntry] = []
    for order, path in enumerate(fields.items(("chronology",), "'chronology'")):
        if fields.mapping(path, CHRONOLOGY_FIELDS, "A chronology entry") is None:
            continue
        when = _date(fields, (*path, "date"), dateline)
        time = fields.matching((*path, "time"), TIME, "write a 24-hour time as HH:MM, e.g. 04:30.")
        actor_ids = []
        for actor_path in fields.items((*path, "actors"), "'actors'"):
            actor = _registry_actor(fields, actor_path, registry)
            if actor:
                actor_ids.append(actor.id)
        entry = ChronologyEntry(
            date=cast(DateSpec, when),
            time=time,
            place=fields.text((*path, "place")),
            event=fields.text((*path, "event"), required=True),
            event_html="",
            actors=tuple(actor_ids),
            source=_source_ref(fields, (*path, "source"), source_ids),
            order=order,
        )
        if when:
            entries.append(entry)
    return entries


def _figure(fields: Fields, path: Path_, *, required: bool) -> Figure | None:
    value: Any = fields.raw(path)
    if value is None and required:
        fields.error(path, f"'{path[-1]}' is required: write a number, 'at least N', "
                     "a range, or 'unknown'.")
        return None
    return fields.parsed(path, parse_figure)


def _casualties(fields: Fields, dateline: dt.date, source_ids: set[str]) -> list[CasualtyRecord]:
    records: list[CasualtyRecord] = []
    for order, path in enumerate(fields.items(("casualties",), "'casualties'")):
        if fields.mapping(path, CASUALTY_FIELDS, "A casualty record") is None:
            continue
        when = _date(fields, (*path, "date"), dateline)
        killed = _figure(fields, (*path, "killed"), required=True)
        injured = _figure(fields, (*path, "injured"), required=True)
        record_fields = dict(
            place=fields.text((*path, "place"), required=True),
            event=fields.text((*path, "event"), required=True),
            event_html="",
            children_killed=_figure(fields, (*path, "children_killed"), required=False),
            children_injured=_figure(fields, (*path, "children_injured"), required=False),
            incident=fields.matching((*path, "incident"), IDENT, IDENT_HINT),
            source=_source_ref(fields, (*path, "source"), source_ids),
        )
        if when and killed and injured:
            records.append(CasualtyRecord(date=when, killed=killed, injured=injured,
                                          order=order, **record_fields))  # type: ignore[arg-type]
    return records


def read_registry(fields: Fields) -> dict[str, Actor]:
    """Validate ``content/actors.yaml``: a mapping of actor id to actor."""
    registry: dict[str, Actor] = {}
    data = fields.raw(())
    if data is None:
        return registry
    if not isinstance(data, dict):
        fields.error((), "content/actors.yaml must map actor ids to actors, e.g. "
                     "'zelensky: {name: Volodymyr Zelensky, kind: person}'.")
        return registry
    for actor_id in data:
        path: Path_ = (actor_id,)
        if not SLUG.fullmatch(actor_id):
            fields.error(path, f"actor id '{actor_id}' is not valid: {SLUG_HINT}", at_key=True)
            continue
        if fields.mapping(path, REGISTRY_FIELDS, f"Actor '{actor_id}'") is None:
            continue
        kind = fields.text((*path, "kind"), required=True)
        if kind and kind not in ACTOR_KINDS:
            fields.error((*path, "kind"), f"unknown kind '{kind}'."
                         f"{did_you_mean(kind, ACTOR_KINDS)} Use one of: {', '.join(ACTOR_KINDS)}.")
        registry[actor_id] = Actor(
            id=actor_id,
            name=fields.text((*path, "name"), required=True),
            kind=cast(ActorKind, kind),
            affiliation=fields.text((*path, "affiliation")),
            aliases=fields.words((*path, "aliases")),
            description=fields.text((*path, "description")),
        )
    return registry
