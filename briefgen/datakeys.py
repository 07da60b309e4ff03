"""Keys of the open data files, from each briefing's records in them.

A data file is a function of the site's config and registry and of each
briefing's records in it: their text, and the dates, ids and positions that
sort and group them. An edit that changes none of a briefing's records in a
file (its body, or a field only another file shows) leaves that file as it
was, so the build keeps the file instead of joining tens of thousands of
records again: a second of work after one edit at 10,000 briefings.

The job that makes a data file stores, beside its encoded records, a digest
of each briefing's records in it (:class:`RecordDigests`). The next build
works out the digests of the briefings edited since, and the file's key
from all of them; while the key holds, the file is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefgen.diskcache import load_entries, save_entries
from briefgen.model import Briefing

Record = tuple[str, int, str]
"""A briefing's record in a data file: (kind, position in the briefing, encoded text)."""

MOST_WORKED_OUT = 64
"""A file with more briefings than this lacking a digest is made again, not keyed.

Working out a digest encodes the briefing's records (about a millisecond);
the job that makes the file stores every digest anew as it goes.
"""


PLACED_BY_EVENTS = frozenset({"chronology", "timeline"})
PLACED_BY_CASUALTIES = frozenset({"casualties", "casualties-csv"})
"""Kept records whose order among other briefings' follows events', or casualty records'."""


def records_digest(briefing: Briefing, name: str, records: Iterable[Record]) -> str:
    """A digest of what the records kept as ``name`` take from ``briefing``, and their order.

    Besides the records' text, the fields that place them among the other
    briefings' records: the briefing's date and slug (briefings sort by
    them, and events and reports of one date by briefing); for events, each
    one's dates, time and position; for casualties, each record's incident
    id, dates and position (incidents group and sort by them).
    """
    parts = [briefing.slug, briefing.date.isoformat()]
    if name in PLACED_BY_EVENTS:
        parts.extend(f"e|{e.date.sort_key}|{e.time}|{e.order}" for e in briefing.chronology)
    if name in PLACED_BY_CASUALTIES:
        parts.extend(f"c|{c.incident}|{c.date.sort_key}|{c.order}" for c in briefing.casualties)
    parts.extend(f"{kind}|{order}|{len(text)}|{text}" for kind, order, text in sorted(records))
    return _hash(parts)


def _hash(parts: list[str]) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


@dataclass(slots=True)
class RecordDigests:
    """Each briefing's fingerprint and the digest of its records in one data file.

    Stored in the build cache as ``digests-<name>.pickle``, under the key of
    the registry and config the records were made with.
    """

    path: Path
    site_key: str
    by_slug: dict[str, tuple[str, str]]
    """Briefing slug → (its file's fingerprint, :func:`records_digest`)."""

    @classmethod
    def open(cls, folder: Path, name: str, site_key: str,
             warned: set[str] | None = None) -> RecordDigests:
        path = folder / f"digests-{name}.pickle"
        entries = load_entries(path, warned)
        by_slug = entries.get("digests") if entries.get("site") == site_key else None
        return cls(path, site_key, by_slug if isinstance(by_slug, dict) else {})

    def unknown(self, briefings: Iterable[Briefing]) -> list[Briefing]:
        """The briefings whose file changed since their digest was stored, or that have none."""
        by_slug = self.by_slug
        return [b for b in briefings
                if (found := by_slug.get(b.slug)) is None or found[0] != b.fingerprint]

    def update(self, briefings: Sequence[Briefing], fresh: Mapping[str, str]) -> None:
        """Hold the digests of ``briefings`` alone: ``fresh`` ones by slug, the others as stored."""
        by_slug = self.by_slug
        self.by_slug = {b.slug: (b.fingerprint, fresh[b.slug] if b.slug in fresh
                                 else by_slug[b.slug][1])
                        for b in briefings}

    def key(self) -> str:
        """The key of what the file takes from the briefings (after :meth:`update`)."""
        return _hash([self.site_key, *(f"{slug}:{digest}"
                                       for slug, (_, digest) in self.by_slug.items())])

    def save(self) -> None:
        save_entries(self.path, {"site": self.site_key, "digests": self.by_slug})


def current_digests(folder: Path, name: str, site_key: str, briefings: Sequence[Briefing],
                    records_of: Callable[[Briefing], list[Record]],
                    warned: set[str] | None = None) -> RecordDigests | None:
    """The digests of ``briefings`` for the records kept as ``name``.

    Those stored are taken while the briefing's file is unchanged; the
    others are worked out from ``records_of`` (the briefing's records, as
    the file's job encodes them), and not stored: only the job that makes
    the file stores digests, all of them. None when more than
    :data:`MOST_WORKED_OUT` are missing: the file is then made again.
    """
    digests = RecordDigests.open(folder, name, site_key, warned)
    unknown = digests.unknown(briefings)
    if len(unknown) > MOST_WORKED_OUT:
        return None
    digests.update(briefings, {b.slug: records_digest(b, name, records_of(b)) for b in unknown})
    return digests
