"""The persistent build cache: parsed briefings kept between runs.

Parsing and validating a briefing and rendering its Markdown body is most of
the cost of a build. Their result depends only on the file's bytes, the actor
registry, the list of seed files and briefgen's own version, so it is stored
under a key made of those and reused by the next build (CI restores the folder
with actions/cache). The cache can only ever save work: a missing, corrupt or
foreign file is ignored with a warning and the build parses everything.

The file is a pickle read by an unpickler that admits only the model's own
classes, so a cache file planted in a repository cannot run code (the
"restricting globals" pattern of the pickle documentation).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import logging
import mmap
import os
import pickle
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from briefgen import __version__
from briefgen.collector import kept_out_of_sight
from briefgen.errors import CacheError
from briefgen.writer import Signature

log = logging.getLogger(__name__)

CACHE_DIR = ".briefgen-cache"
CACHE_STEM = "briefings"
@functools.cache
def format_marker() -> str:
    """Names the code that wrote a cache: the version and a hash of the package's source.

    Parsed briefings hold HTML made by this code, so a cache written by any
    other code (an upgrade, or a change during development under the same
    version number) must not be used.
    """
    digest = hashlib.blake2b(digest_size=8)
    package = Path(__file__).resolve().parent
    for source in sorted(package.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return f"briefgen-cache/1/{__version__}/{digest.hexdigest()}"


ALLOWED = {
    ("datetime", "date"),
    ("briefgen.model", "Actor"),
    ("briefgen.model", "Briefing"),
    ("briefgen.model", "BriefingActor"),
    ("briefgen.model", "CasualtyRecord"),
    ("briefgen.model", "ChronologyEntry"),
    ("briefgen.model", "Source"),
    ("briefgen.dates", "DateSpec"),
    ("briefgen.figures", "Figure"),
    ("copyreg", "_reconstructor"),
    ("builtins", "object"),
}


def _warn_once(warned: set[str] | None, kind: str, where: Path, message: str,
               *args: object) -> None:
    """Report an unusable cache file, once per kind of problem in ``warned``."""
    if warned is not None:
        if kind in warned:
            return
        warned.add(kind)
    log.warning("ignoring the build cache %s: " + message + "; it will be rebuilt. "
                "'briefgen clean' removes it.", where, *args)


class _ModelUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a build cache")
        return super().find_class(module, name)


def load_entries(path: Path, warned: set[str] | None = None,
                 read: Callable[[BinaryIO, Path], Any] | None = None) -> dict[Any, Any]:
    """The stored entries, or an empty dict (with a warning) when unusable.

    ``warned`` collects the kinds of problem already reported, so a cache of
    many files from another version warns once, not once per file. ``read``
    reads the entries after the marker (:func:`_read_shard` for a shard).
    """
    if not path.is_file():
        return {}

    def ignore(kind: str, where: Path, message: str, *args: object) -> dict[Any, Any]:
        _warn_once(warned, kind, where, message, *args)
        return {}

    try:
        with path.open("rb") as stream, kept_out_of_sight():
            header = _ModelUnpickler(stream).load()
            if header != format_marker():
                # Every file of the folder says the same after an upgrade: name the folder.
                return ignore("foreign", path.parent,
                              "made by another briefgen version (%s)", header)
            entries = (read or _read_entries)(stream, path)
    except Exception as exc:  # a corrupt cache must never stop a build
        return ignore("corrupt", path, "it is unreadable (%s)", exc)
    if not isinstance(entries, dict):
        return ignore("corrupt", path, "unexpected content")
    return entries


def _read_entries(stream: BinaryIO, path: Path) -> Any:
    return _ModelUnpickler(stream).load()


def encode_shard(entries: Mapping[Any, Any]) -> bytes:
    """Parsed briefings as a shard file holds them (after its marker): the bodies apart.

    The briefings come first, each body replaced by its place in the list
    of bodies that follows, with that list's length. A build after one edit
    reads every shard but shows a dozen bodies: :func:`load_shard` leaves
    the bodies, most of a shard's bytes, in the file until one is shown.
    """
    from briefgen.model import Briefing  # not on the up-to-date check's path

    bodies: list[str] = []
    rest: dict[Any, Any] = {}
    for key, value in entries.items():
        if isinstance(value, Briefing):
            bodies.append(value.body_html)
            value = dataclasses.replace(value, body=cast(Any, len(bodies) - 1))  # its place
        rest[key] = value
    encoded_bodies = pickle.dumps(bodies, protocol=pickle.HIGHEST_PROTOCOL)
    return pickle.dumps((rest, len(encoded_bodies)), protocol=pickle.HIGHEST_PROTOCOL) \
        + encoded_bodies


def decode_shard(encoded: bytes) -> dict[Any, Any]:
    """What :func:`encode_shard` made, with every body read."""
    with kept_out_of_sight():
        stream = io.BytesIO(encoded)
        rest, _ = _ModelUnpickler(stream).load()
        bodies = _ModelUnpickler(stream).load()
    if not isinstance(rest, dict) or not isinstance(bodies, list):
        raise pickle.UnpicklingError("encoded cache entries are not a shard")
    return _place_bodies(rest, bodies.__getitem__)


def load_shard(path: Path, warned: set[str] | None = None) -> dict[Any, Any]:
    """A shard file's briefings, each body read from the file when first shown.

    Empty (with a warning) when unusable, as :func:`load_entries`: the
    bodies' length and last byte are checked at once. The file is mapped
    into memory, so a body is read even after a build replaced the file,
    and nothing of the bodies is read until then. Bodies damaged within
    (by the disk, not by briefgen, whose writes are atomic) are found only
    when one is shown: the build then stops with a :class:`CacheError`
    saying to remove the cache, and writes nothing.
    """
    return load_entries(path, warned, read=_read_shard)


def _read_shard(stream: BinaryIO, path: Path) -> Any:
    rest, size = _ModelUnpickler(stream).load()
    start = stream.tell()
    if not isinstance(rest, dict) or not isinstance(size, int):
        return None
    if os.fstat(stream.fileno()).st_size != start + size:
        raise pickle.UnpicklingError("the file's bodies are cut short")
    mapped: mmap.mmap | bytes
    try:
        mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # a file system that cannot map files: read them
        stream.seek(0)
        mapped = stream.read()
    if mapped[-1:] != pickle.STOP:  # a tail zeroed or overwritten (checked without reading it)
        raise pickle.UnpicklingError("the file's bodies do not end as written")
    return _place_bodies(rest, functools.partial(StoredBody, StoredBodies(path, mapped, start)))


def _place_bodies(entries: dict[Any, Any], body_at: Callable[[int], object]) -> dict[Any, Any]:
    """Each briefing's body put back from its place in the list (see :func:`encode_shard`)."""
    from briefgen.model import Briefing  # not on the up-to-date check's path

    for value in entries.values():
        if isinstance(value, Briefing):
            place: object = value.body
            if not isinstance(place, int):
                raise pickle.UnpicklingError("a body is not in its shard's list")
            object.__setattr__(value, "body", body_at(place))
    return entries


class StoredBodies:
    """The bodies of a shard file, read from its mapping when one is first shown."""

    __slots__ = ("_mapped", "_path", "_start", "_texts")

    def __init__(self, path: Path, mapped: mmap.mmap | bytes, start: int) -> None:
        self._path, self._mapped, self._start = path, mapped, start
        self._texts: list[str] | None = None

    def texts(self) -> list[str]:
        if self._texts is None:
            try:
                with kept_out_of_sight():
                    texts = _ModelUnpickler(io.BytesIO(self._mapped[self._start:])).load()
                if not isinstance(texts, list):
                    raise pickle.UnpicklingError("unexpected content")
            except Exception as exc:
                raise self.damaged(str(exc)) from None
            self._texts = texts
            if not isinstance(self._mapped, bytes):
                self._mapped.close()
        return self._texts

    def damaged(self, why: str) -> CacheError:
        return CacheError(f"the build cache file {self._path} is damaged ({why}); "
                          "run 'briefgen clean' and build again")


class StoredBody:
    """A briefing's body in its shard file (see ``Briefing.body``)."""

    __slots__ = ("_bodies", "_index")

    def __init__(self, bodies: StoredBodies, index: int) -> None:
        self._bodies, self._index = bodies, index

    def text(self) -> str:
        texts = self._bodies.texts()
        if not 0 <= self._index < len(texts):
            raise self._bodies.damaged("a body is missing")
        return texts[self._index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredBody):
            other = other.text()
        return self.text() == other if isinstance(other, str) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.text())


class BatchWriter:
    """A cache file written in batches as its entries come, then put in place whole.

    For files too large to hold in memory before saving (the encoded
    records of a data file: tens of megabytes on a large site). Nothing
    replaces the previous file until :meth:`commit`; :meth:`close` without
    it leaves the previous file as it was. Read back with :func:`load_batches`.
    """

    BATCH = 2000

    def __init__(self, path: Path, header: Any) -> None:
        self.path = path
        _make_folder(path.parent)
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}")
        self.stream: BinaryIO | None = self.tmp.open("wb")
        self.batch: list[tuple[Any, Any]] = []
        pickle.dump(format_marker(), self.stream, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(header, self.stream, protocol=pickle.HIGHEST_PROTOCOL)

    def add(self, key: Any, value: Any) -> None:
        self.batch.append((key, value))
        if len(self.batch) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.stream is not None and self.batch:
            pickle.dump(self.batch, self.stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.batch = []

    def commit(self) -> None:
        """Put the file in place of the previous one."""
        if self.stream is None:
            return
        try:
            self._flush()
            self.stream.close()
            self.stream = None
            os.replace(self.tmp, self.path)
        except OSError as exc:
            log.warning("could not write the build cache %s: %s", self.path, exc)
        finally:
            self.close()

    def close(self) -> None:
        """Drop what was written unless committed (idempotent)."""
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        self.batch = []
        self.tmp.unlink(missing_ok=True)


def append_batch(path: Path, entries: Mapping[Any, Any]) -> None:
    """Add ``entries`` to a file a :class:`BatchWriter` wrote, as one more batch.

    Read back by :func:`load_batches` like the others (a later batch wins).
    An append cut short leaves a file that reads as corrupt: ignored with a
    warning by the next build, as any damaged cache file is.
    """
    try:
        with path.open("ab") as stream:
            pickle.dump(list(entries.items()), stream, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        log.warning("could not write the build cache %s: %s", path, exc)


def load_batches(path: Path, warned: set[str] | None = None) -> tuple[Any, dict[Any, Any]]:
    """The header and the entries of a file a :class:`BatchWriter` wrote.

    ``(None, {})`` when there is none or it is unusable (with a warning, as
    :func:`load_entries` gives).
    """
    if not path.is_file():
        return None, {}
    entries: dict[Any, Any] = {}
    try:
        with path.open("rb") as stream, kept_out_of_sight():
            marker = _ModelUnpickler(stream).load()
            if marker != format_marker():
                _warn_once(warned, "foreign", path.parent,
                           "made by another briefgen version (%s)", marker)
                return None, {}
            header = _ModelUnpickler(stream).load()
            while True:
                try:
                    batch = _ModelUnpickler(stream).load()
                except EOFError:
                    break
                entries.update(batch)
    except Exception as exc:  # a corrupt cache must never stop a build
        _warn_once(warned, "corrupt", path, "it is unreadable (%s)", exc)
        return None, {}
    return header, entries


SHARDS = 64
"""Parsed briefings are spread over this many files, so saving after one
edit rewrites one small file, not the cache of the whole site."""


def shard_of(key: tuple[Any, ...]) -> int:
    """The shard of a cache key, by the briefing's path (its first part)."""
    return _path_number(str(key[0])) % SHARDS


@functools.lru_cache(maxsize=1 << 16)
def _path_number(path: str) -> int:
    # Cached: a build asks for each of its briefings' shards up to three times.
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=2).digest(), "big")


@dataclass(slots=True)
class DiskCache:
    """The stored parsed briefings of one site, and those this build used (which are kept)."""

    folder: Path
    stored: dict[int, dict[Any, Any]] = field(default_factory=dict)
    """Shard number → its entries, read when first needed."""
    used: dict[Any, Any] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, site_dir: Path, warned: set[str] | None = None) -> DiskCache:
        """The cache of ``site_dir``; ``warned`` is shared by the build's other cache files."""
        return cls(site_dir / CACHE_DIR, warned=set() if warned is None else warned)

    def _shard(self, number: int) -> dict[Any, Any]:
        if number not in self.stored:
            self.stored[number] = load_shard(self.shard_file(number), self.warned)
        return self.stored[number]

    def get(self, key: tuple[Any, ...]) -> Any:
        value = self._shard(shard_of(key)).get(key)
        if value is not None:
            self.used[key] = value
        return value

    def may_hold(self, path: str) -> bool:
        """Whether the shard of the file at ``path`` holds entries (read as a lookup would).

        When it holds none, the file need not be read and hashed to look it up.
        """
        return bool(self._shard(shard_of((path,))))

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        self.used[key] = value

    def shard_file(self, number: int) -> Path:
        return self.folder / f"{CACHE_STEM}-{number:02d}.pickle"

    def adopt(self, number: int, entries: dict[Any, Any]) -> None:
        """Take ``entries`` as shard ``number``, already stored whole in its file by a worker.

        Only for a shard none of whose stored entries this build used: the
        file then holds exactly what :meth:`save` would write, which leaves it.
        """
        self.stored[number] = entries
        self.used.update(entries)

    def save(self) -> None:
        """Rewrite the shards whose entries changed, keeping only what this build used.

        A key names its value (it holds the file's hash), so comparing keys is
        enough, and much cheaper than comparing thousands of parsed briefings.
        """
        by_shard: dict[int, dict[Any, Any]] = {}
        for key, value in self.used.items():
            by_shard.setdefault(shard_of(key), {})[key] = value
        for number in range(SHARDS):
            entries = by_shard.get(number, {})
            path = self.shard_file(number)
            if number not in self.stored and not entries and not path.exists():
                continue
            if entries.keys() != self._shard(number).keys():
                save_encoded(path, encode_shard(entries))


def _make_folder(folder: Path) -> None:
    """The cache folder, with a ``.gitignore`` keeping it out of the site's repository."""
    folder.mkdir(parents=True, exist_ok=True)
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# briefgen's build cache; safe to delete.\n*\n")


def save_entries(path: Path, entries: MutableMapping[Any, Any]) -> None:
    """Write atomically, so an interrupted build leaves the old cache or none."""
    save_encoded(path, pickle.dumps(dict(entries), protocol=pickle.HIGHEST_PROTOCOL))


def save_encoded(path: Path, encoded: bytes) -> None:
    """Store encoded entries as :func:`load_entries` reads them, atomically.

    Parse workers call this too, each for the cache files of the briefings
    it parsed (see ``parallel.ParseGroup``).
    """
    _make_folder(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with tmp.open("wb") as stream:
            pickle.dump(format_marker(), stream, protocol=pickle.HIGHEST_PROTOCOL)
            stream.write(encoded)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not write the build cache %s: %s", path, exc)
        tmp.unlink(missing_ok=True)


PAGES_FILE = "pages.pickle"



class KeptFile(str):
    """An output file the previous build wrote and that is known to be unchanged.

    Stands in the output for its content, which is neither rendered nor read:
    the writer leaves the file as it is. Only ``build_site`` makes these (with
    a page store); the preview server and ``check`` always have real content.
    """

    __slots__ = ()


def kept_pages(group: tuple[str, tuple[str, ...]] | None, key: str,
               pages: Mapping[str, tuple[str, Any]]) -> list[tuple[str, str]] | None:
    """(path, page key) of each page of a group as last built, if the group had ``key`` then.

    ``group`` is the group's key and paths in the last build; ``pages`` gives
    each page's key first (with its signature on disk, or its HTML in
    memory). None when a page is no longer known.
    """
    if group is None or group[0] != key:
        return None
    found = [(path, pages[path][0]) for path in group[1] if path in pages]
    return found if len(found) == len(group[1]) else None


@dataclass(slots=True)
class PageStore:
    """Which page key produced each file of the last build, so a warm build skips rendering.

    A page is reused only when its key and the theme key are unchanged *and*
    its output file still has the size, mtime and inode the build left it
    with; its HTML is then read back from that file. Anything else — a file
    edited or deleted by hand, another theme, a new briefgen — renders anew.
    """

    path: Path
    theme_key: str
    stored: dict[str, tuple[str, Signature]]
    """Output path → (page key, file signature)."""
    groups: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Files made together (feeds, data): group → (key, their output paths)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Page keys of the build in progress, recorded after it is written."""
    stored_groups: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)
    """Kinds of cache problem already reported in this build (see :func:`load_entries`)."""

    @classmethod
    def at(cls, site_dir: Path, warned: set[str] | None = None) -> PageStore:
        """The store of ``site_dir``; :meth:`activate` reads it once the theme key is known."""
        return cls(site_dir / CACHE_DIR / PAGES_FILE, "", {},
                   warned=set() if warned is None else warned)

    def activate(self, theme_key: str) -> None:
        entries = load_entries(self.path, self.warned)
        same_theme = entries.get("theme") == theme_key
        pages = entries.get("pages") if same_theme else None
        groups = entries.get("groups") if same_theme else None
        self.theme_key = theme_key
        self.stored = pages if isinstance(pages, dict) else {}
        self.stored_groups = groups if isinstance(groups, dict) else {}

    def reuse_group(self, out_dir: Path, group: str, key: str,
                    listed: Mapping[str, Signature] | None = None,
                    ) -> dict[str, KeptFile] | None:
        """Every file of ``group`` as kept, or ``None`` if one must be made (see :meth:`reuse`)."""
        known = self.stored_groups.get(group)
        if known is None or known[0] != key or not known[1]:
            return None
        kept = {path: self.reuse(out_dir, path, key, listed) for path in known[1]}
        if any(value is None for value in kept.values()):
            return None
        return {path: value for path, value in kept.items() if value is not None}

    def previous_pages(self, group: str, key: str) -> list[tuple[str, str]] | None:
        """(path, page key) of each page of ``group`` in the last build, if it had ``key`` then."""
        return kept_pages(self.stored_groups.get(group), key, self.stored)

    def reuse(self, out_dir: Path, output_path: str, key: str,
              listed: Mapping[str, Signature] | None = None) -> KeptFile | None:
        """A :class:`KeptFile` when the file at ``output_path`` is what ``key`` would give.

        ``listed`` holds the signatures of the files in ``out_dir`` when the
        build listed them already (``writer.list_output``); each file is
        looked at otherwise.
        """
        known = self.stored.get(output_path)
        if known is None or known[0] != key:
            return None
        if listed is not None:
            return KeptFile() if listed.get(output_path) == known[1] else None
        try:  # os.stat on a string: this runs for every page of every build
            st = os.stat(f"{out_dir}/{output_path}")
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns, st.st_ino) != known[1]:
            return None
        return KeptFile()

    def commit(self, written: dict[str, Signature]) -> None:
        """Record the files just written, with their ``written`` signatures, for the next build."""
        pages: dict[str, tuple[str, Signature]] = {}
        for output_path, key in self.keys.items():
            found = written.get(output_path)
            if found is not None:
                pages[output_path] = (key, found)
        if pages == self.stored and self.groups == self.stored_groups:
            return  # a warm build that changed nothing has nothing to record
        save_entries(self.path, {"theme": self.theme_key, "pages": pages,
                                 "groups": self.groups})
