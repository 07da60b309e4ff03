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


def _files(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, folders, names in os.walk(folder):
        folders.sort()
        found.extend(Path(root) / name for name in sorted(names))
    return found


def inputs_key(site_dir: Path, options: tuple[object, ...]) -> str:
    """A hash of everything a build of ``site_dir`` with ``options`` reads."""
    digest = hashlib.blake2b(repr((format_marker(), options)).encode(), digest_size=16)
    sources = [(site_dir, site_dir / "briefgen.yaml")]
    for name in INPUT_FOLDERS:
        sources.extend((site_dir, path) for path in _files(site_dir / name))
    theme = theme_dir()
    sources.extend((theme, path) for path in _files(theme))
    for root, path in sources:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\1missing")
    for seed in _files(site_dir / "seeds"):  # briefings check only that seeds exist
        digest.update(b"seed\0" + seed.relative_to(site_dir).as_posix().encode())
    return digest.hexdigest()


def output_signatures(out_dir: Path) -> dict[str, Signature]:
    signatures: dict[str, Signature] = {}
    for path in _files(out_dir):
        st = path.stat()
        signatures[path.relative_to(out_dir).as_posix()] = (st.st_size, st.st_mtime_ns,
                                                            st.st_ino)
    return signatures


def manifest_path(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / MANIFEST


def unchanged_build(site_dir: Path, out_dir: Path, inputs: str) -> Manifest | None:
    """The last build's manifest if the site on disk is what a build would write now."""
    entries = load_entries(manifest_path(site_dir))
    manifest = entries.get("manifest")
    if not isinstance(manifest, dict) or manifest.get("inputs") != inputs:
        return None
    outputs = manifest.get("outputs")
    if not isinstance(outputs, dict) or not out_dir.is_dir():
        return None
    if output_signatures(out_dir) != outputs:
        return None
    return Manifest(inputs, outputs, int(manifest.get("briefings", 0)))


def record_build(site_dir: Path, out_dir: Path, inputs: str, briefings: int) -> None:
    save_entries(manifest_path(site_dir), {"manifest": {
        "inputs": inputs, "outputs": output_signatures(out_dir), "briefings": briefings}})
