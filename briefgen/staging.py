"""Rendered files parked on disk until the writer moves them into the site.

A site of ten thousand briefings is about a gigabyte of HTML; holding it all
in memory until the write stage would make the build's memory grow with the
site. Instead each page is written to a staging folder as soon as it is
rendered (by whichever worker rendered it) and only its location is kept.
The staging folder sits beside the output folder, so the writer can move a
file into place with one rename, and it is removed when the build ends,
whether it succeeded or not: a failed build still leaves the previous site
untouched, since nothing reaches the output folder before the write stage.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

STAGING_SUFFIX = ".briefgen-staging"
"""In the staging folder's name, ``.<output folder name>.briefgen-staging-<pid>``."""


@dataclass(frozen=True, slots=True)
class StagedFile:
    """Stands in the output for a file's content, which waits at ``location``."""

    location: Path
    size: int


@dataclass(frozen=True, slots=True)
class Stager:
    """Writes output files into one staging folder: one flat file each, or as the site."""

    root: Path
    as_site: bool = False
    """Each file at its output path, for a staging folder that becomes the output folder."""
    _folders: set[str] = field(default_factory=set, compare=False, repr=False)
    """Folders this process has made under ``root`` (as_site only)."""

    def location(self, output_path: str) -> Path:
        """Where ``output_path`` is staged (its folder made, when staging as the site)."""
        if not self.as_site:
            # One flat name per output path: no folders to make, and workers
            # that stage different pages never collide.
            return self.root / quote(output_path, safe="")
        folder = output_path.rpartition("/")[0]
        if folder and folder not in self._folders:
            # Workers may make the same folder at once: exist_ok.
            os.makedirs(self.root / folder, exist_ok=True)
            self._folders.add(folder)
        return self.root / output_path

    def stage(self, output_path: str, content: str | bytes | Iterator[str]) -> StagedFile:
        """Write ``content`` (text given in pieces is written piece by piece)."""
        location = self.location(output_path)
        if isinstance(content, str | bytes):
            data = content.encode("utf-8") if isinstance(content, str) else content
            location.write_bytes(data)
            return StagedFile(location, len(data))
        with location.open("w", encoding="utf-8", newline="", buffering=1 << 20) as stream:
            stream.writelines(content)
        return StagedFile(location, location.stat().st_size)


def staging_dir(out_dir: Path, pid: int) -> Path:
    """Beside the output folder: the same file system, so moving a file is a rename.

    Named after the building process, so two builds of one site at once do
    not take each other's files.
    """
    return out_dir.parent / f".{out_dir.name}{STAGING_SUFFIX}-{pid}"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_abandoned(out_dir: Path) -> None:
    """Remove staging folders of builds that were killed (their process is gone)."""
    prefix = f".{out_dir.name}{STAGING_SUFFIX}-"
    for folder in out_dir.parent.glob(f"{prefix}*"):
        pid = folder.name[len(prefix):]
        if pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def staged_beside(out_dir: Path) -> Iterator[Stager]:
    """A fresh staging folder for one build, removed when the build ends.

    Laid out as the site when there is no output folder yet (see the
    module's docstring); the writer then renames it into place.
    """
    out_dir = out_dir.resolve()
    remove_abandoned(out_dir)
    root = staging_dir(out_dir, os.getpid())
    shutil.rmtree(root, ignore_errors=True)
    as_site = not out_dir.exists()
    try:
        root.mkdir(parents=True)
    except OSError:
        # The output folder's parent is not ours to write (a web root owned by
        # another user, say): stage in the temporary folder and copy across.
        root = Path(tempfile.mkdtemp(prefix="briefgen-staging-"))
        as_site = False
    try:
        yield Stager(root, as_site)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def move_into_place(staged: StagedFile, target: Path) -> None:
    """Put a staged file at ``target`` atomically (its folder must exist)."""
    try:
        os.replace(staged.location, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # Another file system (the output folder is a mount point): copy
        # beside the target, then rename, so no reader sees half a file.
        tmp = target.parent / f".{target.name}{STAGING_SUFFIX}"
        try:
            shutil.copyfile(staged.location, tmp)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
