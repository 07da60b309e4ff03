"""Watch a site's sources and call back once per burst of real changes.

Only created, modified, deleted and moved events count: since watchdog 2.3
inotify also reports *opened* and *closed* files, and a rebuild reads every
source, so reacting to those would rebuild forever (Lektor PR #1117, Nikola
#3683). Editor temp files (vim's ``.swp``/``.swx``/``4913``, ``~`` backups,
Emacs' ``.#`` locks, JetBrains' ``___jb_tmp___``) and the output folder are
ignored, as Zola's ``is_temp_file`` does.

Events are collected until the sources have been quiet for ``debounce``
seconds, then delivered as one set of paths, so a ``git checkout`` touching
fifty files or an editor's write-temp-then-rename gives one rebuild, not one
per event (MkDocs #2061). ``poll=True`` uses watchdog's ``PollingObserver``
for Docker, WSL and network mounts where inotify sees nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

log = logging.getLogger(__name__)

CONFIG_FILE = "briefgen.yaml"
WATCHED_DIRS = ("content", "templates", "seeds")
REAL_CHANGES = frozenset({"created", "modified", "deleted", "moved"})
TEMP_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", "___jb_tmp___", "___jb_old___")
TEMP_NAMES = frozenset({"4913", ".DS_Store"})


def is_temp_file(path: Path) -> bool:
    """Files editors write beside the one being saved; never a source."""
    name = path.name
    return (name in TEMP_NAMES or name.startswith(".#") or name.endswith(TEMP_SUFFIXES)
            or (name.startswith("#") and name.endswith("#")))


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in REAL_CHANGES:
            return  # opened, closed, closed_no_write: reading is not changing
        if event.is_directory and event.event_type == "modified":
            return  # a folder's mtime follows its files, which report themselves
        paths = [_as_path(event.src_path)]
        if event.event_type == "moved":
            paths.append(_as_path(event.dest_path))
        self.watcher.notify(paths)


def _as_path(raw: str | bytes) -> Path:
    return Path(raw.decode() if isinstance(raw, bytes) else raw)


class Watcher:
    """Calls ``on_change(paths)`` after each quiet burst of source changes.

    The callback runs on the watcher's own thread, one call at a time, so a
    rebuild never overlaps another; changes made during a rebuild are
    delivered after it.
    """

    def __init__(
        self,
        site_dir: Path,
        on_change: Callable[[set[Path]], None],
        *,
        out_dir: Path | None = None,
        poll: bool = False,
        debounce: float = 0.05,
        max_delay: float = 1.0,
    ) -> None:
        self.site_dir = site_dir.resolve()
        self.out_dir = out_dir.resolve() if out_dir else None
        self.on_change = on_change
        self.debounce = debounce
        self.max_delay = max_delay
        """Deliver after this long even if events keep coming (a long checkout)."""
        self.observer: BaseObserver = PollingObserver(timeout=0.2) if poll else Observer()
        self._handler = _Handler(self)
        self._watches: dict[str, ObservedWatch] = {}
        self._pending: set[Path] = set()
        self._first_event = 0.0
        self._last_event = 0.0
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._deliver_loop, name="briefgen-watcher",
                                         daemon=True)

    def start(self) -> None:
        # The site folder itself is watched without recursion: it holds
        # briefgen.yaml and, in a repository, .git and .venv with thousands of
        # folders that are no business of ours. The source folders are watched
        # recursively, and re-watched when they appear later.
        self._watches["."] = self.observer.schedule(self._handler, str(self.site_dir),
                                                    recursive=False)
        for name in WATCHED_DIRS:
            self._watch_folder(name)
        self.observer.start()
        self._thread.start()

    def stop(self) -> None:
        """Stop observing and wait for a rebuild in progress to finish."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self.observer.stop()
        self.observer.join(timeout=5)
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _watch_folder(self, name: str) -> None:
        folder = self.site_dir / name
        if name in self._watches or not folder.is_dir():
            return
        try:
            self._watches[name] = self.observer.schedule(self._handler, str(folder),
                                                         recursive=True)
        except OSError as exc:  # e.g. the inotify watch limit
            log.warning("cannot watch %s: %s; try 'briefgen serve --poll'.", folder, exc)

    def _relevant(self, path: Path) -> bool:
        if is_temp_file(path):
            return False
        if self.out_dir and (path == self.out_dir or self.out_dir in path.parents):
            return False
        try:
            rel = path.relative_to(self.site_dir)
        except ValueError:
            return False
        return rel.parts == (CONFIG_FILE,) or (bool(rel.parts) and rel.parts[0] in WATCHED_DIRS)

    def notify(self, paths: list[Path]) -> None:
        """Record changed paths (called from the observer's thread)."""
        relevant = [p for p in paths if self._relevant(p)]
        if not relevant:
            return
        with self._cond:
            now = time.monotonic()
            if not self._pending:
                self._first_event = now
            self._last_event = now
            self._pending.update(relevant)
            self._cond.notify_all()

    def _deliver_loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                # Wait for quiet, bounded by max_delay from the first event.
                while not self._stopping:
                    now = time.monotonic()
                    quiet_at = self._last_event + self.debounce
                    deadline = self._first_event + self.max_delay
                    if now >= quiet_at or now >= deadline:
                        break
                    self._cond.wait(min(quiet_at, deadline) - now)
                if self._stopping:
                    return
                batch, self._pending = self._pending, set()
            self._rewatch(batch)
            try:
                self.on_change(batch)
            except Exception:  # the server must survive any rebuild failure
                log.exception("rebuild failed")

    def _rewatch(self, batch: set[Path]) -> None:
        """Re-watch a source folder that was created, or deleted and recreated.

        An inotify watch follows the folder it was set on; once that folder is
        gone (a branch switch can remove and recreate ``templates/``), only a
        new watch sees the new one.
        """
        for name in {p.relative_to(self.site_dir).parts[0] for p in batch}:
            if name not in WATCHED_DIRS or (self.site_dir / name) not in batch:
                continue
            watch = self._watches.pop(name, None)
            if watch is not None:
                with contextlib.suppress(KeyError):
                    self.observer.unschedule(watch)
            self._watch_folder(name)
