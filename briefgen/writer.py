"""The only code that touches the output folder.

The new site is written into a temporary folder beside the output and
swapped in with two renames, so a failed or interrupted build never leaves a
half-written site. Files whose bytes did not change are hard-linked from the
previous build rather than rewritten, which keeps their timestamps (deploy
tools diff by them) and saves the writes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import ConfigError


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: int
    """Files whose content is new or changed."""
    unchanged: int
    removed: int
    """Files of the previous build that the new one no longer has."""


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


def write_site(output: Mapping[str, str | bytes], out_dir: Path) -> WriteResult:
    """Replace ``out_dir`` with exactly the files in ``output``."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.with_name(f".{out_dir.name}.tmp-{os.getpid()}")
    backup = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    written = unchanged = 0
    try:
        for rel, content in output.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = out_dir / rel
            if _same_bytes(previous, data):
                try:
                    os.link(previous, target)
                except OSError:
                    shutil.copy2(previous, target)
                unchanged += 1
            else:
                target.write_bytes(data)
                written += 1
        removed = _count_removed(out_dir, output)
        if out_dir.exists():
            os.rename(out_dir, backup)
        os.rename(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if backup.exists() and not out_dir.exists():
            os.rename(backup, out_dir)
        raise
    with contextlib.suppress(OSError):
        shutil.rmtree(backup)
    return WriteResult(written=written, unchanged=unchanged, removed=removed)


def _count_removed(out_dir: Path, output: Mapping[str, str | bytes]) -> int:
    if not out_dir.is_dir():
        return 0
    return sum(
        1
        for path in out_dir.rglob("*")
        if path.is_file() and path.relative_to(out_dir).as_posix() not in output
    )
