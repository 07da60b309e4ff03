"""Open data: the site's facts as JSON and CSV under ``/data/``.

Newsrooms and researchers reuse a briefing site's chronology and casualty
figures in their own tools, so the exports carry everything the pages show
in a form a program can trust: resolved dates beside the writer's words,
figures as their text *and* their bounds (never a bare number that turns "at
least 18" into 18), source ids, and the briefing each fact comes from.

The format is a contract: each file names its schema (``"schema":
"briefgen/casualties/1"``), docs/data.md describes every field and
docs/schemas/ holds a JSON Schema per file. A change that would break a
reader gets a new schema number. Keys keep one order and lists one sort, so
unchanged content gives unchanged bytes.

Pure: model and indexes in, ``{path: text}`` out.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from briefgen.datakeys import Record, RecordDigests, members
from briefgen.dates import DateSpec
from briefgen.diskcache import BatchWriter, append_batch, load_batches
from briefgen.feeds import briefing_url
from briefgen.figures import Figure
from briefgen.indexes import Chronicle, EventRef, Incident, Report
from briefgen.model import Briefing, Site, SiteConfig

SCHEMAS = {
    "briefings": "briefgen/briefings/1",
    "chronology": "briefgen/chronology/1",
    "casualties": "briefgen/casualties/1",
    "timeline": "briefgen/timeline/1",
}
FIGURES = ("killed", "injured", "children_killed", "children_injured")
CSV_COLUMNS = (
    "incident", "latest", "briefing", "briefing_date", "url",
    "date_text", "date_start", "date_end", "date_precision", "place", "event",
    *(f"{name}_{part}" for name in FIGURES for part in ("text", "low", "high", "qualifier")),
    "source",
)  # fmt: skip

Json = dict[str, Any]
T = TypeVar("T")


RecordKey = tuple[str, str, str, int]
"""(kind of record, briefing slug, briefing fingerprint, position in the briefing)."""


@dataclass(slots=True)
class RecordMemo:
    """Encoded records of the previous build, reused by the next one.

    A briefing's records (its entry in briefings.json, its events in
    chronology.json and timeline.json, its casualty reports) are a function
    of its file, the registry and the config: kept by the briefing's slug
    and fingerprint, and dropped whole when the registry or the config
    changes. A build after one briefing changed then encodes that
    briefing's records only.

    The preview server keeps one memo in memory for every data file. A
    one-off build keeps one per data file in the build cache (:meth:`open`):
    it is read and saved by the job that makes the file, in whichever
    process runs it, so nothing is shared between processes; an unusable
    file is ignored with a warning. With no usable file every record is
    written out as it comes (``writer``), never all held at once. With one,
    the records made anew are appended to it as one batch (``kept_file``):
    saving every record again took a quarter of the time to make the data
    files after one edit. The records no build uses any more stay in the
    file until they are a fifth of it; it is then written again with the
    used ones only.
    """

    site_key: str = ""
    lines: dict[RecordKey, str] = field(default_factory=dict)
    used: dict[RecordKey, str] = field(default_factory=dict)
    """In memory: the records this build used, which the next one reuses."""
    added: int = 0
    writer: BatchWriter | None = None
    """On disk with nothing kept: where the records used are written as they are used."""
    kept_file: Path | None = None
    """On disk with records kept: the file the records made anew are appended to."""
    made: dict[RecordKey, str] = field(default_factory=dict)
    """On disk with records kept: the records this build made anew."""
    used_keys: list[RecordKey] = field(default_factory=list)
    """On disk with records kept: the key of every record this build used."""
    collected: dict[str, list[Record]] | None = None
    """The records of the briefings named by :meth:`collect`, by slug (see datakeys)."""
    collecting: frozenset[str] = frozenset()

    @classmethod
    def open(cls, path: Path, site_key: str, warned: set[str] | None = None) -> RecordMemo:
        """The records kept at ``path`` if made under ``site_key``; :meth:`finish` saves."""
        header, lines = load_batches(path, warned)
        if header == {"site": site_key} and lines:
            return cls(site_key, lines, kept_file=path)
        return cls(site_key, writer=BatchWriter(path, {"site": site_key}))

    def start(self, site_key: str) -> None:
        """Begin a build; ``site_key`` names the registry and config it uses."""
        if site_key != self.site_key:
            self.site_key, self.lines = site_key, {}
        self.used = {}

    def collect(self, slugs: Iterable[str]) -> None:
        """Keep the records of these briefings as they are given, for their digests."""
        self.collected, self.collecting = {}, frozenset(slugs)

    def texts(self, kind: str, items: Iterable[tuple[Briefing, int, T]],
              make: Callable[[T], str]) -> Iterator[str]:
        """The text of each (briefing, order, item): as kept, or made by ``make(item)``.

        One loop for the records of a whole file: data files hold 75,000
        records on a large site, and a call, a closure and a partial for
        each was a third of the time to make them.
        """
        lines = self.lines.get
        made = self.made if self.kept_file is not None else None
        used = self.used_keys.append if self.kept_file is not None else None
        written = self.writer.add if self.writer is not None else None
        collected, collecting = self.collected, self.collecting
        for briefing, order, item in items:
            key = (kind, briefing.slug, briefing.fingerprint, order)
            found = lines(key)
            if found is None:
                found = make(item)
                self.added += 1
                if made is not None:
                    made[key] = found
            if used is not None:
                used(key)
            elif written is not None:
                written(key, found)
            else:
                self.used[key] = found
            if collected is not None and briefing.slug in collecting:
                collected.setdefault(briefing.slug, []).append((kind, order, found))
            yield found

    def finish(self) -> None:
        """Keep only what this build used (on disk: saved when it changed, see the class)."""
        if self.writer is not None:
            self.writer.commit()
        elif self.kept_file is not None:
            unused = len(self.lines) - (len(self.used_keys) - self.added)
            if unused * 5 > len(self.lines) + self.added:
                self._rewrite(self.kept_file)
            elif self.made:
                append_batch(self.kept_file, self.made)
        else:
            self.lines, self.used, self.added = self.used, {}, 0
        self.close()

    def _rewrite(self, path: Path) -> None:
        """Write the file anew with the records this build used, and no others."""
        writer = BatchWriter(path, {"site": self.site_key})
        try:
            for key in self.used_keys:
                found = self.lines.get(key)
                writer.add(key, self.made[key] if found is None else found)
            writer.commit()
        finally:
            writer.close()

    def close(self) -> None:
        """Drop a memo kept on disk without saving it (when its file was not finished)."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.kept_file is not None:
            self.kept_file = None
            self.lines, self.made, self.used_keys = {}, {}, []


class Encoded:
    """Records already encoded as JSON, one per line, for :func:`dump_chunks`.

    The lines may come from a generator: a file of 75,000 records is then
    written as it is encoded and never held whole.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = lines


Chunks = Iterator[str]
"""A file's text in pieces, written as they come."""
FileJob = Callable[[], dict[str, str | bytes | Chunks]]
"""Makes some of the files; the build spreads jobs over its render workers."""


def files(site: Site, indexes: Chronicle, memo: RecordMemo | None = None,
          site_key: str = "") -> dict[str, str | bytes]:
    """Every file under ``data/``; with a ``memo``, unchanged briefings' records are reused."""
    built: dict[str, str | bytes] = {}
    for job in jobs(site, lambda: indexes, memo, site_key):
        built.update((path, content if isinstance(content, str | bytes) else "".join(content))
                     for path, content in job().items())
    if memo is not None:
        memo.finish()
    return built


def jobs(site: Site, indexes: Callable[[], Chronicle], memo: RecordMemo | None = None,
         site_key: str = "", kept: Path | None = None,
         warned: set[str] | None = None) -> list[FileJob]:
    """The files under ``data/`` as independent jobs, the longest first (as :data:`DATA_FILES`).

    Each job is a pure function of the model, so jobs can run in any process
    and order. ``indexes`` gives the events and incidents when a job first
    needs them (an :class:`~briefgen.indexes.Indexes` has them too): a
    worker may work them out for itself while the build derives the rest.
    With a ``memo``, call :meth:`RecordMemo.finish` once all ran. Without
    one, ``kept`` names a folder where each job keeps its file's encoded
    records for the next build (:class:`RecordMemo`); ``warned`` is the
    build's set of cache problems reported already.
    """
    config = site.config
    makers = _record_makers(config)

    @functools.cache
    def site_members() -> dict[str, Briefing]:
        """The site's briefings as the digests know them, once for every job run here."""
        return members(site.briefings)

    @contextmanager
    def records_for(name: str) -> Iterator[RecordMemo | None]:
        """The memo, or this data file's records kept on disk (opened where the job runs).

        Kept records are saved when the file was made to its end, with each
        briefing's digest (see :mod:`briefgen.datakeys`), and dropped if
        making it stopped early.
        """
        if memo is not None or kept is None:
            yield memo
            return
        records = RecordMemo.open(kept / f"records-{name}.pickle", site_key, warned)
        digests = RecordDigests.open(kept, name, site_key, warned)
        unknown = digests.unknown(site_members())
        records.collect(b.slug for b in unknown)
        try:
            yield records
            records.finish()
            found = records.collected or {}
            digests.work_out(site_members(), unknown, name, lambda b: found.get(b.slug, []))
            digests.save()
        finally:
            records.close()

    def texts(name: str, items: Iterable[tuple[Briefing, int, Any]]) -> Iterator[str]:
        """The text of each (briefing, order, item) of the records ``name``, made or as kept.

        Through the memo or the file's kept records (saved once all are given).
        """
        kind, make = makers[name]
        with records_for(name) as records:
            if records is None:
                yield from (make(item) for _, _, item in items)
            else:
                yield from records.texts(kind, items, make)

    def chronology() -> dict[str, str | bytes | Chunks]:
        """Every chronology event of every briefing, newest first as on /chronology/."""
        events = Encoded(texts("chronology", ((ref.briefing, ref.entry.order, ref)
                                              for ref in indexes().events)))
        return {"data/chronology.json":
                dump_chunks({**_header("chronology", config), "events": events})}

    def timeline() -> dict[str, str | bytes | Chunks]:
        """The chronology in TimelineJS's JSON format, for embedding in an article.

        TimelineJS takes partial dates as year/month/day numbers: a
        month-precision date has no ``day``, a range has an ``end_date``.
        ``display_date`` shows the writer's words with the resolved date;
        ``group`` puts events of one place on one row.
        """
        events = Encoded(texts("timeline", ((ref.briefing, ref.entry.order, ref)
                                            for ref in indexes().events)))
        return {"data/timeline.json": dump_chunks({**_timeline_header(config), "events": events})}

    def briefings() -> dict[str, str | bytes | Chunks]:
        """Every briefing with its metadata, sources and actors (not its body)."""
        records = Encoded(texts("briefings", ((b, 0, b) for b in _newest_first(site.briefings))))
        return {"data/briefings.json":
                dump_chunks({**_header("briefings", config), "briefings": records})}

    def casualties() -> dict[str, str | bytes | Chunks]:
        """One entry per incident: the latest report's figures and the earlier ones as revisions.

        ``incident`` is the id the briefings share, or null for a record that
        stands alone; the figures that count are always the latest report's.
        """
        def lines() -> Iterator[str]:
            incidents = indexes().incidents
            reports = list(texts(
                "casualties",
                ((r.briefing, r.record.order, r) for i in incidents for r in i.reports)))
            start = 0
            for incident in incidents:
                end = start + len(incident.reports)
                yield incident_line(incident, reports[start:end])
                start = end

        def table() -> Iterator[str]:
            incidents = indexes().incidents
            # The columns after ``latest`` are the report's own: kept by the memo.
            tails = list(texts(
                "casualties-csv",
                ((r.briefing, r.record.order, r) for i in incidents
                 for r in (i.latest, *i.revisions))))
            yield from casualties_csv(incidents, tails)

        return {"data/casualties.json": dump_chunks(
                    {**_header("casualties", config), "incidents": Encoded(lines())}),
                "data/casualties.csv": table()}

    if memo is not None:
        memo.start(site_key)
    return [chronology, timeline, briefings, casualties]


DATA_FILES: dict[str, tuple[str, ...]] = {
    "chronology": ("chronology",), "timeline": ("timeline",), "briefings": ("briefings",),
    "casualties": ("casualties", "casualties-csv"),
}
"""Each job of :func:`jobs` (its output group) and the records it keeps, by name."""


def _record_makers(config: SiteConfig) -> dict[str, tuple[str, Callable[[Any], str]]]:
    """The kind of each kept records (by name) and how one record's text is made.

    A record is made from an event (:class:`EventRef`), a briefing or a
    casualty report (:class:`Report`), as :func:`_record_items` gives them.
    """
    return {
        "chronology": ("event", lambda ref: _encode(event_record(ref, config))),
        "timeline": ("timeline", lambda ref: _encode(timeline_event(ref, config))),
        "briefings": ("briefing", lambda b: _encode(briefing_record(b, config))),
        "casualties": ("report", lambda report: _encode(report_data(report, config))),
        "casualties-csv": ("csv", lambda report: _csv_report(report, config)),
    }


def _record_items(name: str, briefing: Briefing) -> list[tuple[int, Any]]:
    """What each of a briefing's records ``name`` is made from, with its order."""
    if name in ("chronology", "timeline"):
        return [(e.order, EventRef(briefing, e)) for e in briefing.chronology]
    if name == "briefings":
        return [(0, briefing)]
    return [(r.order, Report(briefing, r)) for r in briefing.casualties]


def briefing_records(name: str, config: SiteConfig) -> Callable[[Briefing], list[Record]]:
    """One briefing's records in the kept records ``name``, as :func:`jobs` makes them.

    For the digests of briefings edited since a data file was made
    (:func:`briefgen.datakeys.current_digests`).
    """
    kind, make = _record_makers(config)[name]
    return lambda b: [(kind, order, make(item)) for order, item in _record_items(name, b)]


# Non-ASCII stays readable ("Kryvyi Rih", "Київ"); files are UTF-8. One
# encoder for every record: json.dumps with options builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def dump(data: Json) -> str:
    """``data`` as the text of a data file (see :func:`dump_chunks`)."""
    return "".join(dump_chunks(data))


def dump_chunks(data: Json) -> Chunks:
    """``data`` as JSON text, compact with one record per line, in pieces.

    json.dumps with indent= runs the pure-Python encoder, ten times slower
    than the C one (13 s for 10,000 briefings); this encodes each record with
    the C encoder and lays the lines out itself.
    """
    if not isinstance(data, dict):
        yield _encode(data) + "\n"
        return
    yield "{\n"
    for number, (key, value) in enumerate(data.items()):
        if number:
            yield ",\n"
        if isinstance(value, list | Encoded):
            lines = iter(value.lines if isinstance(value, Encoded) else map(_encode, value))
            first = next(lines, None)
            if first is None:
                yield f"{json.dumps(key)}: []"
                continue
            yield f"{json.dumps(key)}: [\n"
            yield first
            # Joined a few hundred at a time: a piece per record cost more than the record.
            while batch := list(islice(lines, 512)):
                yield ",\n" + ",\n".join(batch)
            yield "\n]"
        else:
            yield f"{json.dumps(key)}: {_encode(value)}"
    yield "\n}\n"


def _header(kind: str, config: SiteConfig) -> Json:
    return {"schema": SCHEMAS[kind], "site": {"title": config.title, "url": config.base_url}}


def date_data(spec: DateSpec) -> Json:
    """A date as resolved, with the words it was resolved from."""
    return {
        "text": spec.text,
        "start": spec.start.isoformat(),
        "end": spec.end.isoformat(),
        "precision": spec.precision,
        "relative": spec.relative,
    }


def figure_data(figure: Figure | None) -> Json | None:
    if figure is None:
        return None
    return {"text": figure.text, "low": figure.low, "high": figure.high,
            "qualifier": figure.qualifier}


def briefing_record(b: Briefing, config: SiteConfig) -> Json:
    return {
        "slug": b.slug,
        "url": briefing_url(config, b),
        "title": b.title,
        "date": b.date.isoformat(),
        "updated": b.updated.isoformat() if b.updated else None,
        "summary": b.summary,
        "tags": list(b.tags),
        "draft": b.draft,
        "sources": [
            {"id": s.id, "publisher": s.publisher, "title": s.title,
             "url": s.url or None,
             "published": s.published.isoformat() if s.published else None}
            for s in b.sources
        ],
        "actors": [
            {"id": a.id, "name": a.name, "role": a.role, "affiliation": a.affiliation}
            for a in b.actors
        ],
        "events": len(b.chronology),
        "casualty_records": len(b.casualties),
    }


def _newest_first(briefings: Iterable[Briefing]) -> list[Briefing]:
    return sorted(briefings, key=lambda b: (b.date, b.slug), reverse=True)


def event_record(ref: EventRef, config: SiteConfig) -> Json:
    return {
        "date": date_data(ref.entry.date),
        "time": ref.entry.time,
        "place": ref.entry.place,
        "event": ref.entry.event,
        "event_html": ref.entry.event_html,
        "actors": list(ref.entry.actors),
        "source": ref.entry.source,
        "briefing": ref.briefing.slug,
        "url": briefing_url(config, ref.briefing),
    }


def report_data(report: Report, config: SiteConfig) -> Json:
    """One casualty record as one briefing reported it."""
    record = report.record
    data: Json = {
        "briefing": report.briefing.slug,
        "briefing_date": report.briefing.date.isoformat(),
        "url": briefing_url(config, report.briefing),
        "date": date_data(record.date),
        "place": record.place,
        "event": record.event,
    }
    data.update((name, figure_data(getattr(record, name))) for name in FIGURES)
    data["source"] = record.source
    return data


def incident_line(incident: Incident, reports: Sequence[str]) -> str:
    """An incident of casualties.json, encoded: its id, its latest report, its revisions.

    Laid out as the JSON encoder lays out the whole object, from the
    encodings of its ``reports`` (oldest first, the latest last), so a memo
    can keep reports one by one (an incident's reports come from several
    briefings).
    """
    *revisions, latest = reports
    return (f'{{"incident": {_encode(_shared_id(incident))}, {latest[1:-1]}, '
            f'"revisions": [{", ".join(revisions)}]}}')


def _shared_id(incident: Incident) -> str | None:
    # Indexes give a lone record a made-up id (its briefing and position);
    # it names no incident a reader could look up, so it is not exported.
    return incident.latest.record.incident


def casualties_csv(incidents: Iterable[Incident], tails: Sequence[str]) -> Iterator[str]:
    """Every report of every incident, one row each; ``latest`` marks the rows that count.

    Rows follow casualties.json: per incident the latest report, then its
    revisions oldest first; ``tails`` are the rows' columns after ``latest``
    (:func:`_csv_report`) in that order. The text comes line by line.

    Spreadsheet users filter on ``latest`` to get one row per incident, or
    keep all rows to see how figures were revised.
    """
    yield _csv_line(CSV_COLUMNS)
    rows = iter(tails)
    for incident in incidents:
        # "true" is never quoted: the incident's first columns, then either word.
        shared = _csv_line((_shared_id(incident) or "", "true"))[:-len("true\n")]
        yield f"{shared}true,{next(rows)}"
        for _ in incident.revisions:
            yield f"{shared}false,{next(rows)}"


def _csv_line(fields: Iterable[str]) -> str:
    """Fields as one CSV line; each is quoted on its own, so lines of parts join with ",".

    (Except a line of one empty field, which the csv module writes as ``""``:
    every part here has two fields or more.)
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def _csv_report(report: Report, config: SiteConfig) -> str:
    """The CSV columns of one report, from ``briefing`` on."""
    record = report.record
    row = [
        report.briefing.slug,
        report.briefing.date.isoformat(),
        briefing_url(config, report.briefing),
        record.date.text,
        record.date.start.isoformat(),
        record.date.end.isoformat(),
        record.date.precision,
        record.place,
        record.event,
    ]
    for name in FIGURES:
        figure: Figure | None = getattr(record, name)
        if figure is None:
            row.extend(["", "", "", ""])
        else:
            row.extend([figure.text, _number(figure.low), _number(figure.high),
                        figure.qualifier])
    row.append(record.source)
    return _csv_line(row)


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _timeline_header(config: SiteConfig) -> Json:
    title: Json = {"text": {"headline": config.title, "text": config.description}}
    return {"schema": SCHEMAS["timeline"], "title": title}


def timeline_event(ref: EventRef, config: SiteConfig) -> Json:
    spec, entry = ref.entry.date, ref.entry
    url = briefing_url(config, ref.briefing)
    event: Json = {"start_date": _timeline_date(spec, spec.start, entry.time)}
    if spec.precision == "range":
        event["end_date"] = _timeline_date(spec, spec.end, None)
    display = spec.display + (f", {entry.time}" if entry.time else "")
    source = _link(url, ref.briefing.title)
    event.update({
        "display_date": display,
        "text": {"headline": entry.place or ref.briefing.title,
                 "text": f"<p>{entry.event_html}</p><p>From {source}</p>"},
        "group": entry.place,
        "unique_id": f"{ref.briefing.slug}-event-{entry.order}",
    })
    return event


def _timeline_date(spec: DateSpec, day: dt.date, time: str | None) -> Json:
    date: Json = {"year": day.year, "month": day.month}
    if spec.precision != "month":
        date["day"] = day.day
    if time:
        hour, minute = time.split(":")
        date.update(hour=int(hour), minute=int(minute))
    return date


def _link(url: str, text: str) -> str:
    # TimelineJS shows ``text.text`` as HTML, so the title is escaped here.
    return f'<a href="{escape(url)}">{escape(text)}</a>'
