"""Incremental rebuilds give exactly what a clean build gives, byte for byte.

A random but seeded sequence of edits, creations, deletions and renames of
briefings, edits of actors.yaml, briefgen.yaml, seeds and templates, and
broken files, is applied to a scratch site. After every step the folder kept
by :class:`Rebuilder` is compared, whole tree against whole tree, with a clean
``build_site`` of the same sources into a fresh folder; after a broken step
the served folder must still be the last good build.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest
from conftest import BRIEFING, BRIEFING_PATH, ScratchSite, briefing
from hypothesis import given
from hypothesis import strategies as st

from briefgen import loader
from briefgen.build import BuildOptions, build_site
from briefgen.errors import BuildError
from briefgen.incremental import Rebuilder
from briefgen.loader import BriefingCache
from briefgen.render import key_of
from briefgen.templating import theme_dir

ACTOR_EXTRA = """\
actors:
  - id: {actor}
    role: Spoke
chronology:
  - date: Friday
    place: {place}
    event: Something *happened*.
    actors: [{actor}]
    source: wire
casualties:
  - date: Friday
    place: {place}
    event: A strike
    killed: {killed}
    injured: at least 2
    source: wire
"""


class Steps:
    """The operations, each returning the site-relative paths it touched."""

    def __init__(self, site: ScratchSite, rng: random.Random) -> None:
        self.site = site
        self.rng = rng
        self.counter = 0
        self.broken: list[str] = []

    def briefings(self) -> list[str]:
        return sorted(p.relative_to(self.site.root).as_posix()
                      for p in (self.site.root / "content/briefings").glob("*.md"))

    def _text(self) -> str:
        self.counter += 1
        return briefing(
            title=f"Briefing {self.counter} {self.rng.choice(['north', 'south', 'east'])}",
            date=f"2025-0{self.rng.randint(1, 9)}-{self.rng.randint(10, 28)}",
            extra=ACTOR_EXTRA.format(actor=self.rng.choice(["alpha", "bravo-ministry"]),
                                     place=self.rng.choice(["Capital", "Port"]),
                                     killed=self.rng.randint(0, 9))
            + ("draft: true\n" if self.rng.random() < 0.15 else ""),
            body=f"Body {self.counter}, mentioning Alpha.\n",
        )

    def create(self) -> list[str]:
        rel = f"content/briefings/2025-05-{self.rng.randint(10, 28)}-new-{self.counter}.md"
        self.site.write(rel, self._text())
        return [rel]

    def edit(self) -> list[str]:
        rel = self.rng.choice(self.briefings())
        self.site.write(rel, self._text())
        return [rel]

    def same_size_edit(self) -> list[str]:
        # Same length and the same mtime: only the watcher's report can tell.
        rel = self.rng.choice(self.briefings())
        path = self.site.root / rel
        text = path.read_text()
        swapped = text.replace("title: B", "title: X", 1) if "title: B" in text \
            else text.replace("title: X", "title: B", 1)
        before = path.stat()
        path.write_text(swapped)
        # As on a file system with coarse timestamps: the stat cannot tell.
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        return [rel]

    def delete(self) -> list[str]:
        files = self.briefings()
        if len(files) < 2:
            return self.create()
        rel = self.rng.choice(files)
        self.site.remove(rel)
        return [rel]

    def rename(self) -> list[str]:
        rel = self.rng.choice(self.briefings())
        self.counter += 1
        new = f"content/briefings/2025-06-{self.rng.randint(10, 28)}-renamed-{self.counter}.md"
        os.rename(self.site.root / rel, self.site.root / new)
        return [rel, new]

    def actors(self) -> list[str]:
        path = self.site.root / "content/actors.yaml"
        text = path.read_text()
        name = self.rng.choice(["Alex Alpha", "Alexandra Alpha", "A. Alpha"])
        text = "\n".join(f"  name: {name}" if line.startswith("  name: Al") or
                         line.startswith("  name: A.") else line for line in text.splitlines())
        if self.rng.random() < 0.5:
            text += "\nzulu:\n  name: Zulu Group\n  kind: armed-group\n" \
                if "zulu:" not in text else ""
        path.write_text(text + "\n")
        return ["content/actors.yaml"]

    def config(self) -> list[str]:
        title = self.rng.choice(["Test Briefings", "Other Title"])
        path = self.site.root / "briefgen.yaml"
        lines = [f"title: {title}" if line.startswith("title:") else line
                 for line in path.read_text().splitlines()]
        path.write_text("\n".join(lines) + "\n")
        return ["briefgen.yaml"]

    def template(self) -> list[str]:
        own = self.site.root / "templates"
        if own.is_dir() and self.rng.random() < 0.4:
            shutil.rmtree(own)
            return ["templates"]
        text = (theme_dir() / "index.html").read_text()
        marker = f"<p class=\"marker\">{self.rng.randint(0, 99)}</p>\n{{% endblock %}}"
        self.site.write("templates/index.html", text.replace("{% endblock %}", marker, 1))
        return ["templates/index.html"]

    def seed(self) -> list[str]:
        path = self.site.root / "seeds/report.txt"
        if path.exists():
            path.unlink()  # the first briefing, if still there, now names a missing seed
        else:
            self.site.write("seeds/report.txt", "The report.\n")
        return ["seeds/report.txt"]

    def break_one(self) -> list[str]:
        rel = self.rng.choice(self.briefings())
        self.broken.append(rel)
        self.site.write(rel, "---\ntitle: [unclosed\n---\n")
        return [rel]

    def fix(self) -> list[str]:
        fixed = [rel for rel in self.broken if (self.site.root / rel).exists()]
        for rel in fixed:
            self.site.write(rel, self._text())
        self.broken.clear()
        if not (self.site.root / "seeds/report.txt").exists():
            self.site.write("seeds/report.txt", "The report.\n")
            fixed.append("seeds/report.txt")
        return fixed


OPERATIONS = ["create", "edit", "edit", "same_size_edit", "delete", "rename", "actors",
              "config", "template", "seed", "break_one"]


def clean_build(site: ScratchSite, out: Path) -> dict[str, bytes] | None:
    shutil.rmtree(out, ignore_errors=True)
    try:
        build_site(BuildOptions(site.root, out))
    except BuildError:
        return None
    return site.snapshot(out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_edits_match_a_clean_build(
        scratch_site: ScratchSite, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    served = tmp_path / "served"
    rebuilder = Rebuilder(BuildOptions(scratch_site.root, served))
    rebuilder.rebuild()
    last_good = scratch_site.snapshot(served)
    assert last_good == clean_build(scratch_site, tmp_path / "clean")
    steps = Steps(scratch_site, rng)
    for number in range(14):
        name = "fix" if steps.broken else rng.choice(OPERATIONS)
        touched = getattr(steps, name)()
        expected = clean_build(scratch_site, tmp_path / "clean")
        where = f"seed {seed}, step {number}: {name} {touched}"
        if expected is None:
            with pytest.raises(BuildError):
                rebuilder.rebuild(scratch_site.root / p for p in touched)
            assert scratch_site.snapshot(served) == last_good, where
            continue
        summary = rebuilder.rebuild(scratch_site.root / p for p in touched)
        actual = scratch_site.snapshot(served)
        assert sorted(actual) == sorted(expected), where
        assert [p for p in expected if actual[p] != expected[p]] == [], where
        changed = {p for p in expected if last_good.get(p) != expected[p]}
        assert set(summary.written) == changed, where  # only what changed is written
        assert set(summary.removed) == set(last_good) - set(expected), where
        last_good = actual
        # No empty folders are left behind (a deleted briefing's folder).
        assert all(any(d.iterdir()) for d in served.rglob("*") if d.is_dir()), where


def test_an_unreported_change_is_still_seen(scratch_site: ScratchSite, tmp_path: Path) -> None:
    """A missed watcher event must not leave a stale page: the stat tells."""
    served = tmp_path / "served"
    rebuilder = Rebuilder(BuildOptions(scratch_site.root, served))
    rebuilder.rebuild()
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace("First briefing", "A longer first title"))
    rebuilder.rebuild([])  # nothing reported
    assert scratch_site.snapshot(served) == clean_build(scratch_site, tmp_path / "clean")


def test_a_briefing_edit_writes_only_affected_pages(
        scratch_site: ScratchSite, tmp_path: Path) -> None:
    scratch_site.write("content/briefings/2025-03-01-other.md", briefing(title="Other"))
    rebuilder = Rebuilder(BuildOptions(scratch_site.root, tmp_path / "served"))
    rebuilder.rebuild()
    other = scratch_site.root / "content/briefings/2025-03-01-other.md"
    other.write_text(briefing(title="Other", body="A new body.\n"))
    summary = rebuilder.rebuild([other])
    assert "briefings/2025-03-01-other/index.html" in summary.written
    assert "briefings/2025-04-06-first/index.html" not in summary.written
    assert summary.removed == ()


def test_a_saved_briefings_page_comes_first_and_is_not_rewritten(
        scratch_site: ScratchSite, tmp_path: Path) -> None:
    quick: list[list[str]] = []
    rebuilder = Rebuilder(BuildOptions(scratch_site.root, tmp_path / "served"),
                          on_quick=lambda written, ms: quick.append(written))
    rebuilder.rebuild()
    path = scratch_site.write(BRIEFING_PATH, BRIEFING.replace("First briefing", "Saved"))
    summary = rebuilder.rebuild([path])
    assert quick == [["briefings/2025-04-06-first/index.html"]]
    assert summary.quick_ms is not None and summary.quick_ms <= summary.ms
    # The second phase wrote the pages listing it, and agreed on the page itself.
    assert "index.html" in summary.late
    assert "briefings/2025-04-06-first/index.html" not in summary.late


def test_the_first_phase_reads_only_the_saved_briefing(
        scratch_site: ScratchSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its time must not grow with the site: no other source is read or even stat-ed."""
    for n in range(5):
        scratch_site.write(f"content/briefings/2025-03-0{n + 1}-other.md",
                           briefing(title=f"Other {n}"))
    quick: list[list[str]] = []
    rebuilder = Rebuilder(BuildOptions(scratch_site.root, tmp_path / "served"),
                          on_quick=lambda written, ms: quick.append(written))
    rebuilder.rebuild()
    read: list[str] = []
    real_read = loader._read_briefing

    def spy(site_dir: Path, rel: str, cache: BriefingCache | None,
            digests: Mapping[str, str] | None = None) -> tuple[bytes | None, str]:
        read.append(rel)
        return real_read(site_dir, rel, cache, digests)

    def first_phase_done(written: list[str], ms: float) -> None:
        quick.append(written)
        assert read == [BRIEFING_PATH]

    monkeypatch.setattr(loader, "_read_briefing", spy)
    rebuilder.on_quick = first_phase_done
    path = scratch_site.write(BRIEFING_PATH, BRIEFING.replace("First briefing", "Saved"))
    rebuilder.rebuild([path])
    assert quick == [["briefings/2025-04-06-first/index.html"]]
    assert len(read) > 6  # the second phase checks every source, as before


def test_a_file_in_a_subfolder_of_briefings_gets_no_first_phase(
        scratch_site: ScratchSite, tmp_path: Path) -> None:
    """The loader lists only files directly in the folder; the first phase must agree."""
    quick: list[list[str]] = []
    served = tmp_path / "served"
    rebuilder = Rebuilder(BuildOptions(scratch_site.root, served),
                          on_quick=lambda written, ms: quick.append(written))
    rebuilder.rebuild()
    path = scratch_site.write("content/briefings/old/2025-04-06-first.md",
                              BRIEFING.replace("First briefing", "An old copy"))
    rebuilder.rebuild([path])
    assert quick == []
    assert scratch_site.snapshot(served) == clean_build(scratch_site, tmp_path / "clean")


def test_a_failing_second_phase_restores_the_last_good_build(
        scratch_site: ScratchSite, tmp_path: Path) -> None:
    served = tmp_path / "served"
    rebuilder = Rebuilder(BuildOptions(scratch_site.root, served))
    rebuilder.rebuild()
    good = scratch_site.snapshot(served)
    # The home page's template breaks; the briefing page's does not.
    broken = scratch_site.write("templates/index.html",
                                "{% extends 'base.html' %}{% block main %}{{ nope }}{% endblock %}")
    with pytest.raises(BuildError):
        rebuilder.rebuild([broken])
    path = scratch_site.write(BRIEFING_PATH, BRIEFING.replace("First briefing", "Saved"))
    with pytest.raises(BuildError):
        rebuilder.rebuild([path])  # the first phase writes the page, the second fails
    assert scratch_site.snapshot(served) == good
    broken.unlink()
    rebuilder.rebuild([broken])
    assert scratch_site.snapshot(served) == clean_build(scratch_site, tmp_path / "clean")


def test_a_page_put_back_after_a_failure_reloads_when_the_site_is_good_again(
        scratch_site: ScratchSite, tmp_path: Path) -> None:
    """Browsers reloaded after the first phase show the saved page, no longer served.

    When the next good build equals the restored page byte for byte, the page
    must still count as changed, or those browsers keep showing the failed save.
    """
    other = scratch_site.write("content/briefings/2025-03-01-other.md", briefing(title="Other"))
    quick: list[list[str]] = []
    served = tmp_path / "served"
    rebuilder = Rebuilder(BuildOptions(scratch_site.root, served),
                          on_quick=lambda written, ms: quick.append(written))
    rebuilder.rebuild()
    page = "briefings/2025-04-06-first/index.html"
    good = scratch_site.snapshot(served)
    # The saved briefing is fine, but another (not reported: the second phase
    # finds it by its stat) is broken, so only the second phase fails.
    path = scratch_site.write(BRIEFING_PATH, BRIEFING.replace("First briefing", "Saved"))
    scratch_site.write("content/briefings/2025-03-01-other.md",
                       briefing(title="Other", date="2025-13-45"))
    with pytest.raises(BuildError):
        rebuilder.rebuild([path])
    assert quick == [[page]]
    assert scratch_site.snapshot(served) == good
    # Both files back as they were: the site equals the restored one.
    scratch_site.write(BRIEFING_PATH, BRIEFING)
    scratch_site.write("content/briefings/2025-03-01-other.md", briefing(title="Other"))
    summary = rebuilder.rebuild([path, other])
    assert scratch_site.snapshot(served) == good
    assert page in summary.written and page in summary.late
    # Reported once: the rebuild after that one is back to reporting bytes only.
    assert page not in rebuilder.rebuild([other]).written


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                               blacklist_characters="\0"), max_size=8),
                max_size=6))
def test_page_keys_hash_each_part_followed_by_a_nul(parts: list[str]) -> None:
    """Keys stay those of earlier builds (kept in the page store) however they are computed."""
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        digest.update(part.encode() + b"\0")
    assert key_of(parts) == key_of(iter(parts)) == digest.hexdigest()
    assert key_of([*parts, ""]) != key_of(parts)
