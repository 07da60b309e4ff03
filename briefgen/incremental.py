"""Rebuild a served site in place, writing only the files whose bytes changed.

The preview server keeps one :class:`Rebuilder` for its whole life. It holds a
:class:`~briefgen.build.BuildCache` between rebuilds, so the loader re-reads
only the files the watcher reported (or whose stat changed) and the renderer
re-renders only pages whose key changed: a briefing edit re-renders its page
and the pages listing it, an ``actors.yaml`` edit the pages naming changed
actors, a template or ``briefgen.yaml`` edit everything. ``build.render`` still
returns the *whole* output, so the served folder is exactly what a clean
``briefgen build`` writes — that equality is what ``tests/test_incremental.py``
checks after every step of random edits.

Each changed file is written to a temporary name and moved into place with
``os.replace``, so a request never reads a half-written file, and the whole
sync runs under a lock the server also takes, so a request never sees half a
rebuild (MkDocs holds requests the same way until a build is visible).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from briefgen.build import BuildCache, render, render_briefings
from briefgen.buildcheck import BuildOptions, Timings
from briefgen.errors import BriefgenError
from briefgen.paths import is_briefing_source
from briefgen.render import in_memory
from briefgen.writer import TEMP_SUFFIX, check_output_dir, remove_empty_parents, replace_file

log = logging.getLogger(__name__)

Content = str | bytes


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    """What one rebuild did, for the terminal's one-line report."""

    changed: tuple[str, ...]
    """Source paths (relative to the site) reported changed; empty for the first build."""
    written: tuple[str, ...]
    """Output paths whose bytes are new or changed."""
    removed: tuple[str, ...]
    """Output paths the site no longer has."""
    pages: int
    """Files in the whole output."""
    ms: float
    base_path: str = "/"
    """The path part of the site's ``base_url``, where the server mounts it."""
    late: tuple[str, ...] = ()
    """Output paths written or removed after the first phase: what is left to reload."""
    quick_ms: float | None = None
    """When the saved briefings' own pages were written (first phase), if there was one."""
    stages: tuple[tuple[str, float], ...] = ()
    """Seconds per stage of the full phase (load, derive, render, …, sync)."""

    def line(self) -> str:
        """One line: what changed, what was written, how long it took."""
        what = ", ".join(self.changed[:3]) + (" …" if len(self.changed) > 3 else "")
        quick = f" (its page in {self.quick_ms:.0f} ms)" if self.quick_ms is not None else ""
        return (f"{what or 'site'}: {len(self.written)} written, {len(self.removed)} removed "
                f"of {self.pages} files in {self.ms:.0f} ms{quick}")


class Rebuilder:
    """Keeps ``options.out_dir`` equal to a clean build of ``options.site_dir``.

    A rebuild after saving briefings runs in two phases. First the saved
    briefings' own pages are rendered alone, from those files, the config and
    the registry only (about 20 ms whatever the site's size), and written,
    and ``on_quick`` is told, so the page being edited can reload at once.
    Then the whole site is rendered and synced; until that is done,
    :meth:`wait_current` holds requests for any other file, so no one is
    served a page from before the save (MkDocs holds requests the same way).
    """

    def __init__(self, options: BuildOptions, lock: threading.Lock | None = None,
                 on_quick: Callable[[list[str], float], None] | None = None) -> None:
        check_output_dir(options.out_dir, options.site_dir)
        self.options = options
        self.cache = BuildCache()
        self.lock = lock or threading.Lock()
        """Held while files in the output folder change; readers take it too."""
        self.on_quick = on_quick
        """Called with the files written by the first phase and its milliseconds."""
        self._current = threading.Condition(self.lock)
        self._fresh: set[str] | None = None
        """During the second phase, the files already current; else ``None``."""
        self._served: dict[str, Content] | None = None
        """What the output folder holds, as last synced; ``None`` when unknown."""
        self._reread = True
        """Read every source next time (first build, or after a failed one)."""
        self._reverted: set[str] = set()
        """Pages a failed rebuild put back after its first phase had written them.

        Browsers told to reload after that first phase show what is no longer
        served; the next good rebuild reports these as changed even when its
        bytes equal the restored ones, so those browsers reload again.
        """

    def wait_current(self, rel: str | None, timeout: float = 60.0) -> None:
        """With :attr:`lock` held: wait until ``rel`` (``None``: every file) is current."""
        self._current.wait_for(
            lambda: self._fresh is None or (rel is not None and rel in self._fresh), timeout)

    def rebuild(self, changed: Iterable[Path] | None = None) -> RebuildSummary:
        """Render and sync; raises ``BuildError`` (and leaves the folder as it was) on errors.

        ``changed`` are the paths the watcher reported; ``None`` means "unknown",
        and every source is re-read.
        """
        started = time.perf_counter()
        site_dir = self.options.site_dir.resolve()
        rels = sorted({_relative(Path(p), site_dir) for p in changed or ()})
        trust = changed is not None and not self._reread
        self.cache.briefings.changed = set(rels) if trust else None
        undo: dict[str, Content | None] = {}
        quick_ms = None
        if trust and self._served is not None:
            quick = self._quick_pages(site_dir, rels)
            if quick:
                with self.lock:
                    undo = self._write_some(quick)
                    self._fresh = set(quick)
                quick_ms = (time.perf_counter() - started) * 1000
                if undo and self.on_quick is not None:
                    self.on_quick(sorted(undo), quick_ms)
        # Until this render succeeds, what it read may be partly recorded in the
        # cache, so a failure means reading everything next time.
        self._reread = True
        timings = Timings()
        try:
            site, output = render(self.options, self.cache, timings)
            self._reread = False
            with timings.stage("sync"), self.lock:
                written, removed = self._sync(in_memory(output))
        except BaseException:
            with self.lock:
                self._undo(undo)  # back to the last good build, exactly
            self._reverted.update(undo)
            raise
        finally:
            with self.lock:
                self._fresh = None
                self._current.notify_all()
        reverted = self._reverted - set(removed)
        late = (*written, *removed, *sorted(reverted - set(written) - set(undo)))
        written = sorted(set(written) | set(undo) | reverted)
        self._reverted = set()
        return RebuildSummary(tuple(rels), tuple(written), tuple(removed), len(output),
                              (time.perf_counter() - started) * 1000, site.config.base_path,
                              late, quick_ms, tuple(timings.stages))

    def _quick_pages(self, site_dir: Path, rels: list[str]) -> dict[str, Content]:
        """The saved briefings' own pages, when the change is only briefings being saved."""
        # Only files the loader lists as briefings: directly in the folder (a
        # file in a subfolder is no briefing, and must not flash up as one).
        if not rels or not all(is_briefing_source(r) and (site_dir / r).is_file()
                               for r in rels):
            return {}  # deletions, renames, registry, templates: the full render decides
        try:
            return in_memory(render_briefings(self.options, self.cache, set(rels)))
        except BriefgenError:
            return {}  # the full render reports it

    def _write_some(self, files: Mapping[str, Content]) -> dict[str, Content | None]:
        """Write changed ``files``; returns what they replaced (``None``: new)."""
        assert self._served is not None
        replaced: dict[str, Content | None] = {}
        for rel, content in files.items():
            before = self._served.get(rel)
            if before is not None and (before is content or _same(before, content)):
                continue
            replace_file(self.options.out_dir / rel, _as_bytes(content), self.options.out_dir)
            replaced[rel] = before
            self._served[rel] = content
        return replaced

    def _undo(self, replaced: Mapping[str, Content | None]) -> None:
        if self._served is None:
            return
        for rel, before in replaced.items():
            if before is None:
                (self.options.out_dir / rel).unlink(missing_ok=True)
                remove_empty_parents(self.options.out_dir / rel, self.options.out_dir)
                self._served.pop(rel, None)
            else:
                replace_file(self.options.out_dir / rel, _as_bytes(before), self.options.out_dir)
                self._served[rel] = before

    def _sync(self, output: Mapping[str, Content]) -> tuple[list[str], list[str]]:
        out = self.options.out_dir
        previous = self._served
        if previous is None:
            previous = _read_tree(out)
        self._served = None  # unknown until this sync completes
        written: list[str] = []
        for rel, content in output.items():
            before = previous.get(rel)
            if before is content or (before is not None and _same(before, content)):
                continue
            replace_file(out / rel, _as_bytes(content), out)
            written.append(rel)
        removed = sorted(set(previous) - set(output))
        for rel in removed:
            with contextlib.suppress(FileNotFoundError):
                (out / rel).unlink()
            remove_empty_parents(out / rel, out)
        self._served = dict(output)
        return written, removed


def _relative(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()


def _same(a: Content, b: Content) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return _as_bytes(a) == _as_bytes(b)


def _as_bytes(content: Content) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _read_tree(folder: Path) -> dict[str, Content]:
    """The files of an existing output folder; leftover temporary files are removed."""
    found: dict[str, Content] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.name.endswith(TEMP_SUFFIX):
            path.unlink(missing_ok=True)
            continue
        found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found
