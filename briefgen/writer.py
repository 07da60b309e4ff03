"""The only code that writes to the output folder.

Everything is rendered before this runs (held in memory, or parked in a
staging folder beside the output, see :mod:`briefgen.staging`), so a content
or template error never reaches the output folder. The folder is then brought up to date
in place: a file whose bytes did not change is not touched (its timestamp
stays, which deploy tools diff by, and a warm build of thousands of pages
costs a directory walk rather than thousands of writes); a changed file is
written under a temporary name and renamed over the old one, so no reader
ever sees half a file; files the site no longer has are removed. Ctrl-C
during the sync is held until it finishes, so an interrupted build does not
leave a mix of two builds; only a killed process or a power cut could.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.errors import ConfigError
from briefgen.staging import StagedFile, Stager, move_into_place

Signature = tuple[int, int, int]
"""(size, mtime in ns, inode) of an output file as the build left it."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: int
    """Files whose content is new or changed."""
    unchanged: int
    removed: int
    """Files of the previous build that the new one no longer has."""
    signatures: dict[str, Signature] = field(default_factory=dict)
    """Every output file's signature as the sync left it (or found it, when known unchanged)."""


SOURCE_NAMES = ("briefgen.yaml", "content", "templates", "seeds", ".git")


def check_output_dir(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy the user's work.

    The writer replaces its output folder whole, so it must be a folder of
    its own: not the site or a folder above it, not one of the site's
    sources, and not a non-empty folder that no build of ours wrote (every
    build writes ``.nojekyll``).
    """
    out = out_dir.resolve()
    site = site_dir.resolve()
    advice = "choose a folder of its own with --output, e.g. site/."
    if out == site or out in site.parents:
        raise ConfigError(f"{out_dir}: the output folder would contain the site itself; {advice}")
    for name in SOURCE_NAMES:
        source = site / name
        if out == source or source in out.parents:
            raise ConfigError(f"{out_dir}: the output folder would be inside the site's "
                              f"sources ({name}); {advice}")
    if any((out / name).exists() for name in SOURCE_NAMES):
        raise ConfigError(f"{out_dir}: this folder holds sources, not a built site; briefgen "
                          f"replaces its output folder whole, so {advice}")
    if out.is_dir() and any(out.iterdir()) and not (out / ".nojekyll").exists():
        raise ConfigError(f"{out_dir}: this folder is not empty and was not written by "
                          f"briefgen; briefgen replaces its output folder whole, so empty it "
                          f"or {advice}")


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


_COMPARED = 1 << 20
"""Bytes read at a time when comparing files: filecmp's 8 KiB took twice as long
on the data files of a large site (100 MB compared after every edit)."""


def _same_file(path: Path, staged: StagedFile) -> bool:
    try:
        if path.stat().st_size != staged.size:
            return False
        with open(path, "rb", buffering=0) as ours, \
                open(staged.location, "rb", buffering=0) as theirs:
            while True:
                chunk = ours.read(_COMPARED)
                if chunk != theirs.read(_COMPARED):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False


def write_site(
    output: Mapping[str, str | bytes | StagedFile],
    out_dir: Path,
    known_unchanged: Mapping[str, Signature] | None = None,
    stager: Stager | None = None,
    listing: Listing | None = None,
) -> WriteResult:
    """Make ``out_dir`` hold exactly the files in ``output``.

    ``known_unchanged`` names files the caller knows are already right in
    ``out_dir`` (the page store's :class:`~briefgen.diskcache.KeptFile`
    entries), with the signature it found them with: they are neither
    compared nor written, nor looked at again for the result's signatures.
    A ``stager`` that staged the files as the site, while there is still no
    ``out_dir``, has its folder renamed into place (:mod:`briefgen.staging`).
    ``listing`` is :func:`list_output` of ``out_dir`` when the caller took it
    already (during the build, on another core); the folder is listed here
    otherwise.
    """
    if stager is not None and stager.as_site and not out_dir.exists():
        published = _publish_staged_site(output, out_dir, stager)
        if published is not None:
            return published
    known_unchanged = known_unchanged or {}
    out_dir.mkdir(parents=True, exist_ok=True)
    existing, empty_folders = listing if listing is not None else list_output(out_dir)
    tree = _KnownTree.of(out_dir, existing.keys(), empty_folders)
    written = unchanged = 0
    signatures: dict[str, Signature] = {}
    with _interrupts_held():
        for rel, content in output.items():
            known = known_unchanged.get(rel) if rel in existing else None
            if known is not None:
                signatures[rel] = known
                unchanged += 1
                continue
            target = out_dir / rel
            if isinstance(content, StagedFile):
                if rel in existing and _same_file(target, content):
                    unchanged += 1
                else:
                    tree.make_room(rel)
                    move_into_place(content, target)
                    written += 1
            else:
                data = content.encode("utf-8") if isinstance(content, str) else content
                if rel in existing and _same_bytes(target, data):
                    unchanged += 1
                else:
                    tree.make_room(rel)
                    _write_atomically(target, data)
                    written += 1
            st = target.stat()
            signatures[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
        stale = sorted(existing.keys() - output.keys())
        for rel in stale:
            if rel not in tree.files:  # cleared already: a folder or a file stands there now
                continue
            with contextlib.suppress(FileNotFoundError):
                (out_dir / rel).unlink()
            remove_empty_parents(out_dir / rel, out_dir)
        for rel in empty_folders:  # left by an earlier build that was killed
            remove_if_empty(out_dir / rel, out_dir)
    return WriteResult(written=written, unchanged=unchanged, removed=len(stale),
                       signatures=signatures)


def _publish_staged_site(output: Mapping[str, str | bytes | StagedFile], out_dir: Path,
                         stager: Stager) -> WriteResult | None:
    """Complete the staging folder laid out as the site and make it ``out_dir``.

    Every staged file already waits at its output path (``stager.as_site``);
    the files held in memory are written beside them. None when the rename
    cannot be done (an output folder appeared meanwhile): the caller syncs
    file by file instead, from the same ``output``.
    """
    with _interrupts_held():
        for rel, content in output.items():
            if not isinstance(content, StagedFile):
                stager.location(rel).write_bytes(
                    content.encode("utf-8") if isinstance(content, str) else content)
        try:
            os.rename(stager.root, out_dir)
        except OSError:
            return None
    signatures = output_signatures(out_dir)
    return WriteResult(written=len(signatures), unchanged=0, removed=0, signatures=signatures)


def output_signatures(out_dir: Path) -> dict[str, Signature]:
    """(size, mtime, inode) of every file under ``out_dir``, by relative path."""
    return list_output(out_dir)[0]


Listing = tuple[dict[str, Signature], list[str]]
"""The files under a folder with their signatures (by relative path), and its empty folders."""


def list_output(folder: Path) -> Listing:
    """The files under ``folder`` with their signatures, and its empty folders.

    Tens of thousands of files on a large site: half a second, which a
    build spends on a core of its own while it loads the site; the page
    store then checks kept pages against these signatures instead of
    looking at each file again. A file added, removed or edited after the
    listing is seen by the next build, as one changed while the writer
    syncs always was.
    """
    files: dict[str, Signature] = {}
    empty: list[str] = []
    # os.scandir, not os.walk with Path objects: this runs over every output
    # file of every build.
    pending = [("", str(folder))]
    while pending:
        prefix, current = pending.pop()
        with os.scandir(current) as entries:
            seen = False
            for entry in entries:
                seen = True
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    st = entry.stat(follow_symlinks=False)
                    files[prefix + entry.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
        if not seen and prefix:
            empty.append(prefix.rstrip("/"))
    return files, empty


TEMP_SUFFIX = ".briefgen-tmp"
"""Ends the name of a file being written; the preview server never serves one."""


def replace_file(target: Path, data: bytes, out_dir: Path) -> None:
    """Write ``data`` to ``target`` atomically, clearing a file or folder in the way."""
    make_room(target, out_dir)
    _write_atomically(target, data)


def _write_atomically(target: Path, data: bytes) -> None:
    tmp = target.parent / f".{target.name}{TEMP_SUFFIX}"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@dataclass(slots=True)
class _KnownTree:
    """The output folder as listed when the sync began, kept up to date by it.

    With it the writer makes a page's folder with one ``mkdir`` and checks
    nothing when the folder is known to be there, instead of looking at
    every parent for a file in the way (about six system calls a file, and
    seconds on a site of 20,000 pages). Anything not known to be safe goes
    the careful way, :func:`make_room`.
    """

    out_dir: Path
    files: set[str]
    folders: set[str]

    @classmethod
    def of(cls, out_dir: Path, files: AbstractSet[str], empty_folders: list[str]) -> _KnownTree:
        folders = set(empty_folders)
        for rel in files:
            parent = rel.rpartition("/")[0]
            while parent and parent not in folders:
                folders.add(parent)
                parent = parent.rpartition("/")[0]
        return cls(out_dir, set(files), folders)

    def make_room(self, rel: str) -> None:
        """Make the folder of output path ``rel``, clearing whatever is in the way."""
        parent = rel.rpartition("/")[0]
        if rel in self.folders:  # a folder became a file: everything under it goes
            make_room(self.out_dir / rel, self.out_dir)
            inside = rel + "/"
            self.folders = {f for f in self.folders if f != rel and not f.startswith(inside)}
            self.files = {f for f in self.files if not f.startswith(inside)}
        elif parent and parent not in self.folders:
            if any(ancestor in self.files for ancestor in _ancestors(parent)):
                make_room(self.out_dir / rel, self.out_dir)  # a page became a folder
            else:
                (self.out_dir / parent).mkdir(parents=True, exist_ok=True)
        for ancestor in _ancestors(parent):
            self.files.discard(ancestor)
            self.folders.add(ancestor)
        self.files.add(rel)


def _ancestors(folder: str) -> Iterator[str]:
    """``a/b/c`` → ``a/b/c``, ``a/b``, ``a``; nothing for the output folder itself ("")."""
    while folder:
        yield folder
        folder = folder.rpartition("/")[0]


def make_room(target: Path, out_dir: Path) -> None:
    """Make ``target``'s folder, clearing a file where a folder must be and vice versa."""
    parent = target.parent
    for folder in (parent, *parent.parents):
        if folder == out_dir:
            break
        if folder.is_file() or folder.is_symlink():
            folder.unlink()  # a page became a folder of pages
            break
    parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)  # a folder became a file


def remove_empty_parents(path: Path, root: Path) -> None:
    """Remove folders left empty above ``path`` (a deleted briefing's folder)."""
    remove_if_empty(path.parent, root)


def remove_if_empty(folder: Path, root: Path) -> None:
    """Remove ``folder`` and then each parent below ``root``, while they are empty."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Defer SIGINT until the block ends (only possible in the main thread)."""
    received: list[int] = []

    def remember(signum: int, frame: object) -> None:
        received.append(signum)

    try:
        previous = signal.signal(signal.SIGINT, remember)
    except ValueError:  # not the main thread: nothing to hold
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt
