"""The watcher against real file operations: one batch per burst, nothing for noise.

Each test starts a real watchdog observer on a scratch site, performs what an
editor, a shell or ``git checkout`` does, and reads the batches delivered
to the callback from a queue with a deadline.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BRIEFING, BRIEFING_PATH, ScratchSite

from briefgen.watcher import Watcher, is_temp_file

QUIET = 0.4  # how long "no batch" is awaited; several debounce periods


class Batches:
    def __init__(self, site: ScratchSite, debounce: float = 0.1, **options: object) -> None:
        self.root = site.root.resolve()
        self.queue: queue.Queue[set[Path]] = queue.Queue()
        self.watcher = Watcher(site.root, self.queue.put, debounce=debounce, **options)  # type: ignore[arg-type]

    def next(self, timeout: float = 5.0) -> set[str]:
        batch = self.queue.get(timeout=timeout)
        return {p.relative_to(self.root).as_posix() for p in batch}

    def assert_none(self, wait: float = QUIET) -> None:
        with pytest.raises(queue.Empty):
            extra = self.queue.get(timeout=wait)
            pytest.fail(f"unexpected batch {extra}")


@pytest.fixture
def batches(scratch_site: ScratchSite) -> Iterator[Batches]:
    b = Batches(scratch_site, out_dir=scratch_site.out)
    b.watcher.start()
    yield b
    b.watcher.stop()
    assert not b.watcher._thread.is_alive()


def test_an_edit_gives_one_batch(batches: Batches, scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, BRIEFING + "\nMore.\n")
    assert BRIEFING_PATH in batches.next()
    batches.assert_none()


def test_reading_sources_gives_nothing(batches: Batches, scratch_site: ScratchSite) -> None:
    # Since watchdog 2.3 inotify reports opened files; a rebuild reads every
    # source, and must not trigger the next rebuild.
    for path in scratch_site.root.rglob("*"):
        if path.is_file():
            path.read_bytes()
    batches.assert_none()


def test_a_burst_is_coalesced(scratch_site: ScratchSite) -> None:
    # A burst is what comes faster than the debounce period; on a loaded
    # machine 32 writes can take longer than the 0.1 s the other tests use.
    batches = Batches(scratch_site, debounce=0.5, out_dir=scratch_site.out)
    batches.watcher.start()
    try:
        # What `git checkout` does: many files written, some deleted, in a burst.
        for i in range(30):
            scratch_site.write(f"content/briefings/2025-04-{i % 28 + 1:02d}-b{i}.md", BRIEFING)
        scratch_site.write("content/actors.yaml", "")
        scratch_site.remove("seeds/report.txt")
        batch = batches.next()
        assert len(batch) == 32 and "seeds/report.txt" in batch
        batches.assert_none(wait=1.5)
    finally:
        batches.watcher.stop()


def test_editor_temp_files_are_ignored(batches: Batches, scratch_site: ScratchSite) -> None:
    for name in (".2025-04-06-first.md.swp", ".2025-04-06-first.md.swx", "4913",
                 "2025-04-06-first.md~", ".#2025-04-06-first.md", "x.md___jb_tmp___"):
        path = scratch_site.write(f"content/briefings/{name}", "temp")
        path.unlink()
    batches.assert_none()
    assert is_temp_file(Path("a.md~")) and not is_temp_file(Path("a.md"))


def test_vim_style_save_gives_the_real_file(batches: Batches, scratch_site: ScratchSite) -> None:
    # vim: write a test file 4913, rename the original to a backup~, write
    # the new file, delete the backup. Only the briefing itself must show.
    folder = scratch_site.root / "content/briefings"
    (folder / "4913").write_text("")
    (folder / "4913").unlink()
    os.rename(folder / "2025-04-06-first.md", folder / "2025-04-06-first.md~")
    (folder / "2025-04-06-first.md").write_text(BRIEFING + "\nSaved.\n")
    (folder / "2025-04-06-first.md~").unlink()
    assert batches.next() == {BRIEFING_PATH}
    batches.assert_none()


def test_write_temp_then_rename(batches: Batches, scratch_site: ScratchSite) -> None:
    tmp = scratch_site.write("content/briefings/.2025-04-06-first.md.tmp", BRIEFING + "\nNew.\n")
    os.replace(tmp, scratch_site.root / BRIEFING_PATH)
    assert BRIEFING_PATH in batches.next()
    batches.assert_none()


def test_delete_and_rename(batches: Batches, scratch_site: ScratchSite) -> None:
    scratch_site.remove(BRIEFING_PATH)
    assert batches.next() == {BRIEFING_PATH}
    scratch_site.write(BRIEFING_PATH, BRIEFING)
    assert batches.next() == {BRIEFING_PATH}
    renamed = "content/briefings/2025-04-06-renamed.md"
    os.rename(scratch_site.root / BRIEFING_PATH, scratch_site.root / renamed)
    assert batches.next() == {BRIEFING_PATH, renamed}


def test_output_and_other_files_are_ignored(batches: Batches, scratch_site: ScratchSite) -> None:
    scratch_site.write("site/index.html", "<p>built</p>")
    scratch_site.write("README.md", "# notes")
    scratch_site.write(".git/index", "x")
    batches.assert_none()
    scratch_site.write("briefgen.yaml", (scratch_site.root / "briefgen.yaml").read_text())
    assert batches.next() == {"briefgen.yaml"}


def test_folders_created_later_are_watched(batches: Batches, scratch_site: ScratchSite) -> None:
    (scratch_site.root / "templates").mkdir()
    assert batches.next() == {"templates"}
    scratch_site.write("templates/base.html", "{% block main %}{% endblock %}")
    assert batches.next() == {"templates/base.html"}


def test_polling_sees_changes(scratch_site: ScratchSite) -> None:
    b = Batches(scratch_site, poll=True)
    b.watcher.start()
    try:
        scratch_site.write(BRIEFING_PATH, BRIEFING + "\nPolled.\n")
        assert BRIEFING_PATH in b.next()
    finally:
        b.watcher.stop()
