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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.diskcache import load_entries, save_entries
from briefgen.indexes import DIGEST_RANGE
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
"""Kept records (named as in ``exports.DATA_FILES``) whose order among other
briefings' follows their events', or their casualty records'."""


def records_digest(briefing: Briefing, name: str, records: Iterable[Record]) -> int:
    """A digest of what the records kept as ``name`` take from ``briefing``, and their order.

    Besides the records' text, the fields that place them among the other
    briefings' records: the briefing's date and slug (briefings sort by
    them, and events and reports of one date by briefing); for events, each
    one's dates, time and position; for casualties, each record's incident
    id, dates and position (incidents group and sort by them).
    """
    parts = [briefing.slug, briefing.date.isoformat()]
    if name in PLACED_BY_EVENTS:
        parts.extend(f"e|{e.date.start}|{e.date.end}|{e.time}|{e.order}"
                     for e in briefing.chronology)
    if name in PLACED_BY_CASUALTIES:
        parts.extend(f"c|{c.incident}|{c.date.start}|{c.date.end}|{c.order}"
                     for c in briefing.casualties)
    parts.extend(f"{kind}|{order}|{len(text)}|{text}" for kind, order, text in sorted(records))
    digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


def members(briefings: Iterable[Briefing]) -> dict[str, Briefing]:
    """Each briefing by its slug and fingerprint, as :class:`RecordDigests` knows them."""
    return {member(b): b for b in briefings}


def member(briefing: Briefing) -> str:
    """A briefing as one file's version of it: its slug and its file's fingerprint."""
    return f"{briefing.slug}\0{briefing.fingerprint}"


@dataclass(slots=True)
class RecordDigests:
    """The digest of each briefing's records in one data file.

    Stored in the build cache as ``digests-<name>.pickle``, under the key of
    the registry and config the records were made with. Keyed by each
    briefing's slug and fingerprint (:func:`members`), so the briefings
    edited since are a set difference: ten thousand of them, in five files,
    cost a build after one edit 0.15 s when each was looked up and hashed
    again.
    """

    path: Path
    site_key: str
    digests: dict[str, int]
    """:func:`members` key → :func:`records_digest`."""

    @classmethod
    def open(cls, folder: Path, name: str, site_key: str,
             warned: set[str] | None = None) -> RecordDigests:
        path = folder / f"digests-{name}.pickle"
        entries = load_entries(path, warned)
        digests = entries.get("digests") if entries.get("site") == site_key else None
        return cls(path, site_key, digests if isinstance(digests, dict) else {})

    def unknown(self, briefings: Mapping[str, Briefing]) -> list[Briefing]:
        """Of :func:`members` ``briefings``, those without a digest (new, or edited since)."""
        return [briefings[member] for member in briefings.keys() - self.digests.keys()]

    def update(self, briefings: Mapping[str, Briefing], fresh: Mapping[str, int]) -> None:
        """Hold the digests of ``briefings`` alone: ``fresh`` ones for those :meth:`unknown`."""
        for gone in self.digests.keys() - briefings.keys():
            del self.digests[gone]
        self.digests.update(fresh)

    def work_out(self, briefings: Mapping[str, Briefing], unknown: Iterable[Briefing], name: str,
                 records_of: Callable[[Briefing], list[Record]]) -> None:
        """:meth:`update` with the digests of ``unknown`` worked out from their records ``name``."""
        self.update(briefings, {member(b): records_digest(b, name, records_of(b))
                                for b in unknown})

    def key(self) -> str:
        """The key of what the file takes from the briefings (after :meth:`update`).

        The sum of their digests, like a section's (see indexes.briefing_number):
        it changes whenever one of them does, but for a chance of one in 2**128.
        """
        total = sum(self.digests.values()) % DIGEST_RANGE
        return f"{self.site_key}:{len(self.digests)}:{total:032x}"

    def save(self) -> None:
        save_entries(self.path, {"site": self.site_key, "digests": self.digests})


def current_digests(folder: Path, name: str, site_key: str, briefings: Mapping[str, Briefing],
                    records_of: Callable[[Briefing], list[Record]],
                    warned: set[str] | None = None) -> RecordDigests | None:
    """The digests of :func:`members` ``briefings`` for the records kept as ``name``.

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
    digests.work_out(briefings, unknown, name, records_of)
    return digests
