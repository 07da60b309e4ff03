"""Know when a build has nothing to do.

A build is a pure function of its inputs — briefgen's own code, the build
options, ``briefgen.yaml``, everything under ``content/`` and the site's
``templates/``, the default theme and the names of the seed files. After
each build a manifest records a hash of all of them and the size, mtime and
inode of every output file. When the inputs hash the same and the output
folder holds exactly those files, untouched, the site on disk already is
what the build would write, and nothing is loaded, rendered or written.

Inputs are compared by content, not by timestamp, so an edit within one
mtime tick is never missed. Each file's hash is kept in the manifest with
its size, mtime, ctime and inode, and reused while those are unchanged —
but only for files last changed well before their hash was taken, the rule
Git uses against "racily clean" files: a file written in the same clock
tick as it was hashed could change again without its timestamps moving, so
it is hashed anew until it is older.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.diskcache import CACHE_DIR, format_marker, load_entries, save_entries
from briefgen.paths import theme_dir
from briefgen.writer import Signature, output_signatures

MANIFEST = "manifest.pickle"
INPUT_FOLDERS = ("content", "templates")


FileStat = tuple[int, int, int, int]
"""Size, mtime, ctime (which no tool can set back) and inode of an input file."""
FileTable = dict[str, tuple[FileStat, bytes, int]]
"""Input path → (its stat, hash of its content, when the hash was taken, ns)."""
RACY_NS = 2_000_000_000
"""A file changed less than this before it was hashed is hashed again next time
(file systems with coarse timestamps tick once per second or two)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    inputs: str
    outputs: dict[str, Signature]
    briefings: int
    files: FileTable


@dataclass(frozen=True, slots=True)
class Inputs:
    key: str
    """A hash of every input's path and content, and of the build options;
    empty while some inputs are still to be hashed (see :meth:`completed`)."""
    files: FileTable
    deferred: Mapping[str, str] = field(default_factory=dict)
    """Inputs stat-ed but not read, with their paths: the loader hashes them
    as it reads them (a cold build would otherwise read every source twice)."""
    order: tuple[str, ...] = ()
    """Every input's path in hashing order (the missing included)."""
    salt: bytes = b""
    """What the key starts from: briefgen's code and the build options."""
    seeds: tuple[str, ...] = ()

    def digests(self) -> dict[str, str]:
        """The hashes taken, as the loader's fingerprints (hex)."""
        return {rel: entry[1].hex() for rel, entry in self.files.items()
                if rel not in self.deferred}

    def completed(self, digests: Mapping[str, str]) -> Inputs:
        """These inputs with the deferred ones' hashes, as the loader took them.

        A deferred file the loader did not read (no briefing after all) is
        hashed now: nothing built depends on its content.
        """
        if not self.deferred:
            return self
        files = dict(self.files)
        for rel, path in self.deferred.items():
            stat, _, hashed_at = files[rel]
            found = digests.get(rel)
            entry = (stat, bytes.fromhex(found), hashed_at) if found else _file_entry(path, None)
            if entry is None:
                del files[rel]
            else:
                files[rel] = entry
        return Inputs(_key(self.salt, self.order, files, self.seeds), files)


def _walk(folder: str, prefix: str = "") -> list[tuple[str, os.DirEntry[str]]]:
    """(relative path, entry) of every file under ``folder``, in a stable order."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            found.extend(_walk(entry.path, f"{prefix}{entry.name}/"))
        else:
            found.append((prefix + entry.name, entry))
    return found


def read_inputs(site_dir: Path, options: tuple[object, ...], known: FileTable,
                defer: Callable[[str], bool] | None = None) -> Inputs:
    """Hash everything a build of ``site_dir`` with ``options`` reads.

    ``known`` is the previous build's table: a file whose stat is unchanged
    and that was not racily fresh when hashed keeps its hash unread. Files
    for which ``defer`` is true are only stat-ed: the build hashes them as
    it reads them, and :meth:`Inputs.completed` gives the key.
    """
    salt = repr((format_marker(), options)).encode()
    sources = [("briefgen.yaml", str(site_dir / "briefgen.yaml"))]
    for name in INPUT_FOLDERS:
        sources.extend((f"{name}/{rel}", e.path) for rel, e in _walk(str(site_dir / name)))
    sources.extend((f"theme/{rel}", e.path) for rel, e in _walk(str(theme_dir())))
    files: FileTable = {}
    deferred: dict[str, str] = {}
    for rel, path in sources:
        if defer is not None and defer(rel):
            entry = _stat_entry(path)
            if entry is not None:
                deferred[rel] = path
        else:
            entry = _file_entry(path, known.get(rel))
        if entry is not None:
            files[rel] = entry
    # Briefings check only that seeds exist.
    seeds = tuple(rel for rel, _ in _walk(str(site_dir / "seeds")))
    order = tuple(rel for rel, _ in sources)
    key = "" if deferred else _key(salt, order, files, seeds)
    return Inputs(key, files, deferred, order, salt, seeds)


def _key(salt: bytes, order: Iterable[str], files: FileTable, seeds: Iterable[str]) -> str:
    digest = hashlib.blake2b(salt, digest_size=16)
    for rel in order:
        digest.update(rel.encode() + b"\0")
        entry = files.get(rel)
        digest.update(b"\1missing" if entry is None else entry[1])
    for rel in seeds:
        digest.update(b"seed\0" + rel.encode())
    return digest.hexdigest()


def _stat_entry(path: str) -> tuple[FileStat, bytes, int] | None:
    """A file's stat and the time, its hash to come (see :attr:`Inputs.deferred`).

    Stat-ed before the loader reads it, like :func:`_file_entry` does: a
    change after this shows in the stat the next build compares.
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino), b"", time.time_ns()


def _file_entry(
    path: str, known: tuple[FileStat, bytes, int] | None
) -> tuple[FileStat, bytes, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    stat: FileStat = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    if (known is not None and known[0] == stat
            and max(st.st_mtime_ns, st.st_ctime_ns) < known[2] - RACY_NS):
        return known
    hashed_at = time.time_ns()
    try:
        with open(path, "rb") as stream:
            content = stream.read()
    except OSError:
        return None
    return stat, hashlib.blake2b(content, digest_size=16).digest(), hashed_at


def manifest_path(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / MANIFEST


def read_manifest(site_dir: Path, warned: set[str] | None = None) -> Manifest | None:
    """What the last successful build of ``site_dir`` recorded, if anything usable."""
    entries = load_entries(manifest_path(site_dir), warned)
    manifest = entries.get("manifest")
    if not isinstance(manifest, dict):
        return None
    outputs, files = manifest.get("outputs"), manifest.get("files")
    if not isinstance(outputs, dict) or not isinstance(files, dict):
        return None
    return Manifest(str(manifest.get("inputs")), outputs, int(manifest.get("briefings", 0)),
                    files)


def is_unchanged(manifest: Manifest | None, inputs: Inputs, out_dir: Path) -> bool:
    """Whether the site on disk is what a build of ``inputs`` would write now."""
    return (manifest is not None and manifest.inputs == inputs.key and out_dir.is_dir()
            and output_signatures(out_dir) == manifest.outputs)


def record_build(site_dir: Path, outputs: dict[str, Signature], inputs: Inputs,
                 briefings: int) -> None:
    """Remember the ``inputs`` and the ``outputs`` (from :func:`output_signatures`) of a build."""
    save_entries(manifest_path(site_dir), {"manifest": {
        "inputs": inputs.key, "outputs": outputs, "briefings": briefings,
        "files": inputs.files}})
