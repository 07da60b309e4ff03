"""Know when a build has nothing to do.

A build is a pure function of its inputs — briefgen's own code, the build
options, ``briefgen.yaml``, everything under ``content/`` and the site's
``templates/``, the default theme and the names of the seed files. After
each build a manifest records a hash of all of them and the size, mtime and
inode of every output file. When the inputs hash the same and the output
folder holds exactly those files, untouched, the site on disk already is
what the build would write, and nothing is loaded, rendered or written.

Inputs are hashed by content, not by timestamp, so an edit within one mtime
tick is never missed; reading every source costs a fraction of a second on
ten thousand briefings.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from briefgen.diskcache import CACHE_DIR, Signature, format_marker, load_entries, save_entries
from briefgen.templating import theme_dir

MANIFEST = "manifest.pickle"
INPUT_FOLDERS = ("content", "templates")


@dataclass(frozen=True, slots=True)
class Manifest:
    inputs: str
    outputs: dict[str, Signature]
    briefings: int


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


def inputs_key(site_dir: Path, options: tuple[object, ...]) -> str:
    """A hash of everything a build of ``site_dir`` with ``options`` reads."""
    digest = hashlib.blake2b(repr((format_marker(), options)).encode(), digest_size=16)
    sources = [("briefgen.yaml", str(site_dir / "briefgen.yaml"))]
    for name in INPUT_FOLDERS:
        sources.extend((f"{name}/{rel}", e.path) for rel, e in _walk(str(site_dir / name)))
    sources.extend((f"theme/{rel}", e.path) for rel, e in _walk(str(theme_dir())))
    for rel, path in sources:
        digest.update(rel.encode() + b"\0")
        try:
            with open(path, "rb") as stream:
                digest.update(stream.read())
        except OSError:
            digest.update(b"\1missing")
    for rel, _ in _walk(str(site_dir / "seeds")):  # briefings check only that seeds exist
        digest.update(b"seed\0" + rel.encode())
    return digest.hexdigest()


def output_signatures(out_dir: Path) -> dict[str, Signature]:
    """(size, mtime, inode) of every file under ``out_dir``, by relative path."""
    signatures: dict[str, Signature] = {}
    # os.scandir, not Path objects: this runs over every output file of every build.
    pending = [("", str(out_dir))]
    while pending:
        prefix, folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{prefix}{entry.name}/", entry.path))
                else:
                    st = entry.stat(follow_symlinks=False)
                    signatures[prefix + entry.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return signatures


def manifest_path(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / MANIFEST


def unchanged_build(site_dir: Path, out_dir: Path, inputs: str,
                    warned: set[str] | None = None) -> Manifest | None:
    """The last build's manifest if the site on disk is what a build would write now."""
    entries = load_entries(manifest_path(site_dir), warned)
    manifest = entries.get("manifest")
    if not isinstance(manifest, dict) or manifest.get("inputs") != inputs:
        return None
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict) or not out_dir.is_dir():
        return None
    if output_signatures(out_dir) != outputs:
        return None
    return Manifest(inputs, outputs, int(manifest.get("briefings", 0)))


def record_build(site_dir: Path, outputs: dict[str, Signature], inputs: str,
                 briefings: int) -> None:
    """Remember the inputs and the ``outputs`` (from :func:`output_signatures`) of a build."""
    save_entries(manifest_path(site_dir), {"manifest": {
        "inputs": inputs, "outputs": outputs, "briefings": briefings}})
