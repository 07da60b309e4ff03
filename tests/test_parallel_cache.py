"""Parallel builds, the persistent build cache and the in-place writer.

Whatever a warm, cached or parallel build does, its site must be byte for
byte the site a clean single-process build writes.
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import multiprocessing.process
import os
import pickle
import random
import re
import sys
import tempfile
from pathlib import Path

import jinja2
import pytest
from conftest import REPO, invoke

from briefgen import build as build_module
from briefgen import datakeys, diskcache, parallel, writer
from briefgen.loader import load_site

sys.path.insert(0, str(REPO / "bench"))
from newsroom import briefing, make_registry, write_site


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(site: Path, out: Path, *args: str) -> None:
    result = invoke("build", "-s", str(site), "-o", str(out), *args)
    assert result.exit_code == 0, result.output


def clean_build(site: Path, out: Path) -> dict[str, bytes]:
    build(site, out, "--no-cache", "--jobs", "1")
    return tree(out)


def briefing_file(site: Path, index: int) -> Path:
    return sorted((site / "content" / "briefings").glob("*.md"))[index]


def edit_summary(site: Path, index: int) -> Path:
    """Change the summary of the ``index``-th briefing, as a writer would."""
    target = briefing_file(site, index)
    target.write_text(target.read_text().replace('summary: "', 'summary: "Edited. ', 1))
    return target


def edit_event(site: Path, index: int) -> Path:
    """Change the words of the first chronology event of the ``index``-th briefing."""
    target = briefing_file(site, index)
    target.write_text(target.read_text().replace('    event: "', '    event: "Edited. ', 1))
    return target


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    site = tmp_path / "site-src"
    write_site(site, 16, seed=7)
    return site


def test_parallel_build_is_byte_identical_to_one_process(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Make even this small site use worker processes for parsing and rendering.
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 1)
    calls: list[int] = []
    real_render_all = parallel.render_all

    def counting(items, render, workers=None, **options):  # type: ignore[no-untyped-def]
        calls.append(len(items))
        return real_render_all(items, render, workers, **options)

    monkeypatch.setattr("briefgen.render.render_all", counting)
    started: list[tuple[int, bool]] = []
    real_started = parallel.started

    def recording(items, render, workers=None, fork=True):  # type: ignore[no-untyped-def]
        started.append((len(items), fork))
        return real_started(items, render, workers, fork)

    monkeypatch.setattr(parallel, "started", recording)
    build(corpus, tmp_path / "parallel", "--no-cache", "--jobs", "2")
    # The output folder's listing (not forked: there is no folder yet); the
    # four data files in a worker of their own, from the start; the two
    # feed jobs and the 16 briefing pages first (the bodies are freed after
    # them), then the rest.
    assert started == [(1, False), (4, True)]
    assert calls[0] == 2 + 16 and calls[1] > 16
    assert tree(tmp_path / "parallel") == clean_build(corpus, tmp_path / "single")


@pytest.mark.parametrize("failing", ["first", "last"])
def test_a_template_error_in_a_parallel_render_fails_cleanly(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:

    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 1)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)  # the data made by a worker meanwhile
    out = tmp_path / "out"
    build(corpus, out, "--no-cache", "--jobs", "2")
    before = tree(out)
    slugs = sorted(p.stem for p in (corpus / "content" / "briefings").glob("*.md"))
    # Fails in this process's share (the first page) or in the worker's.
    slug = slugs[0] if failing == "first" else slugs[-1]
    (corpus / "templates").mkdir()
    (corpus / "templates" / "briefing.html").write_text(
        (REPO / "templates" / "briefing.html").read_text().replace(
            "{% block main %}",
            "{% block main %}{% if briefing.slug == '" + slug + "' %}{{ no_such }}{% endif %}",
            1))

    result = invoke("build", "-s", str(corpus), "-o", str(out), "--no-cache", "--jobs", "2")

    assert result.exit_code == 1
    assert "briefing.html" in result.stderr and "no_such" in result.stderr
    assert tree(out) == before
    assert not list(tmp_path.glob(".out.briefgen-staging*"))
    assert _workers_left() == []


def _workers_left() -> list[multiprocessing.process.BaseProcess]:
    """Workers still running a few seconds on: those that delivered their results end by
    themselves (nothing waits for them to be gone), any other must have been stopped."""
    for child in multiprocessing.active_children():
        child.join(timeout=5)
    return multiprocessing.active_children()


def _pid_of(item: int) -> tuple[int, int]:
    if item < 0:
        raise ValueError(f"item {item}")
    return item, os.getpid()


def test_started_work_runs_in_a_worker_meanwhile_and_fails_properly() -> None:
    with parallel.started([1, 2, 3], _pid_of, workers=2) as results:
        found = results()
    assert [item for item, _ in found] == [1, 2, 3]
    assert {pid for _, pid in found} != {os.getpid()}
    # The worker, left to end by itself, is waited for when the build is done.
    parallel.reap_workers()
    assert multiprocessing.active_children() == []
    # Without forking (one worker) the items are made here, when asked for.
    with parallel.started([1, 2], _pid_of, workers=1) as results:
        assert {pid for _, pid in results()} == {os.getpid()}
    # A failing item is made again here, raising its real error.
    with pytest.raises(ValueError, match="item -1"), \
            parallel.started([1, -1], _pid_of, workers=2) as results:
        results()
    # A worker not waited for (this process failed first) is stopped.
    with pytest.raises(RuntimeError), parallel.started([1], _pid_of, workers=2):
        raise RuntimeError
    assert _workers_left() == []


def test_a_failed_first_build_leaves_no_output_folder(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no output folder yet the pages are staged as the site; a failure removes them."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 1)
    (corpus / "templates").mkdir()
    (corpus / "templates" / "tag.html").write_text("{{ no_such }}")
    out = tmp_path / "out"

    result = invoke("build", "-s", str(corpus), "-o", str(out), "--no-cache", "--jobs", "2")

    assert result.exit_code == 1 and "no_such" in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".out.briefgen-staging*"))


def _edit(site: Path, rng: random.Random, step: int) -> None:
    briefings = sorted((site / "content" / "briefings").glob("*.md"))
    action = rng.choice(["edit", "edit", "event", "add", "delete", "rename", "registry",
                         "template", "config"])
    if action == "edit" and briefings:
        path = rng.choice(briefings)
        path.write_text(path.read_text().replace("summary: \"", f"summary: \"Step {step}. ", 1))
    elif action == "event" and briefings:
        # A chronology event's words and place: its data records change.
        path = rng.choice(briefings)
        path.write_text(path.read_text().replace("    event: \"", f"    event: \"Step {step}. ", 1)
                        .replace("    place: ", f"    place: Step {step} ", 1))
    elif action == "add":
        registry = make_registry(random.Random(7))
        slug, text = briefing(1000 + step, rng, registry, __import__("datetime").date(2024, 1, 1))
        (site / "content" / "briefings" / f"{slug}.md").write_text(text)
    elif action == "delete" and len(briefings) > 2:
        rng.choice(briefings).unlink()
    elif action == "rename" and briefings:
        path = rng.choice(briefings)
        path.rename(path.with_name(f"renamed-{step}-{path.name}"))
    elif action == "registry":
        registry = site / "content" / "actors.yaml"
        registry.write_text(registry.read_text().replace(
            "description: \"", f"description: \"Revised {step}. ", 1))
    elif action == "template":
        folder = site / "templates"
        folder.mkdir(exist_ok=True)
        (folder / "404.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>Lost ' + str(step)
            + "</h1>{% endblock %}\n")
    else:
        config = site / "briefgen.yaml"
        config.write_text(config.read_text().replace("title: ", f"title: {step} ", 1))


@pytest.mark.parametrize("seed", [1, 2])
def test_warm_builds_equal_clean_builds_after_random_edits(
    corpus: Path, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    warm = tmp_path / "warm"
    build(corpus, warm)
    for step in range(6):
        _edit(corpus, rng, step)
        build(corpus, warm)
        assert tree(warm) == clean_build(corpus, tmp_path / f"clean-{step}"), f"step {step}"


def test_data_records_are_kept_per_file_and_follow_every_change(
    corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    kept = corpus / ".briefgen-cache"
    names = ("chronology", "timeline", "briefings", "casualties", "casualties-csv")
    stored = {name: diskcache.load_batches(kept / f"records-{name}.pickle")[1] for name in names}
    assert all(stored.values())
    # A record no longer used is dropped, a changed one encoded anew.
    target = briefing_file(corpus, 3)
    target.write_text(target.read_text().replace("    event: \"", "    event: \"Revised. ", 1))
    build(corpus, out)
    assert tree(out) == clean_build(corpus, tmp_path / "clean-1")
    lines = diskcache.load_batches(kept / "records-chronology.pickle")[1]
    assert any(line.startswith('{"date"') and "Revised. " in line for line in lines.values())
    # Its records were appended; the unused ones stay until they are a fifth of the file.
    fresh = lines.keys() - stored["chronology"].keys()
    assert fresh and {key[1] for key in fresh} == {target.stem}
    assert len(lines) == len(stored["chronology"]) + len(fresh)
    live, sizes = len(stored["chronology"]), []
    for step in range(1, 12):
        edit_event(corpus, step)  # new records for each event of the briefing
        build(corpus, out)
        sizes.append(len(diskcache.load_batches(kept / "records-chronology.pickle")[1]))
        assert (sizes[-1] - live) * 5 <= sizes[-1]
    assert any(later < earlier for earlier, later in itertools.pairwise(sizes))  # written anew
    assert tree(out) == clean_build(corpus, tmp_path / "clean-edits")
    # Records made under another config (here a base URL) are not reused.
    build(corpus, out, "--base-url", "https://mirror.example/")
    assert tree(out) == clean_build_with(corpus, tmp_path / "clean-2",
                                         "--base-url", "https://mirror.example/")
    assert not list(kept.glob(".records-*"))  # no batches left half-written


def _with_all_records(site: Path) -> Path:
    """A briefing with timed events and casualty records of shared incidents."""
    return next(path for path in sorted((site / "content" / "briefings").glob("*.md"))
                if '    time: "' in (text := path.read_text()) and "    incident: " in text)


def _next_minute(text: str) -> str:
    hour, minute = re.search(r'    time: "(\d\d):(\d\d)"', text).groups()  # type: ignore[union-attr]
    later = f'    time: "{hour}:{(int(minute) + 1) % 60:02d}"'
    return re.sub(r'    time: "\d\d:\d\d"', later, text, count=1)


DATA_EDITS = [
    # (what changes, the edit, the data file jobs whose records it changes)
    ("body", lambda text: text + "\nA paragraph added later.\n", set()),
    ("summary", lambda text: text.replace('summary: "', 'summary: "Edited. ', 1), {"briefings"}),
    ("event words", lambda text: text.replace('    event: "', '    event: "Edited. ', 1),
     {"chronology", "timeline"}),
    ("event time", _next_minute, {"chronology", "timeline"}),
    ("a figure", lambda text: re.sub(r'    killed: "(\d+)"',
                                     lambda m: f'    killed: "{int(m[1]) + 1}"', text, count=1),
     {"casualties"}),
    ("an incident id", lambda text: text.replace("    incident: ", "    incident: moved-", 1),
     {"casualties"}),
    ("the dateline", lambda text: re.sub(r"(?m)^date: \S+", "date: 2024-03-15", text, count=1),
     {"chronology", "timeline", "briefings", "casualties"}),
]


@pytest.mark.parametrize("in_worker", [False, True])
def test_a_data_file_is_made_again_only_when_a_briefings_records_in_it_change(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_worker: bool
) -> None:
    if in_worker:  # the keys worked out and the files kept or made by the data's worker
        monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    log = tmp_path / "made.txt"
    jobs = build_module.exports.jobs

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        def run(job):  # type: ignore[no-untyped-def]
            def logged():  # type: ignore[no-untyped-def]
                with log.open("a") as stream:  # seen from any process
                    stream.write(job.__name__ + "\n")
                return job()
            return logged

        return [run(job) for job in jobs(*args, **kwargs)]

    def made() -> set[str]:
        names = set(log.read_text().split()) if log.exists() else set()
        log.unlink(missing_ok=True)
        return names

    monkeypatch.setattr(build_module.exports, "jobs", recording)
    out = tmp_path / "out"
    build(corpus, out)
    assert made() == set(build_module.exports.DATA_FILES)
    target = _with_all_records(corpus)
    for step, (what, edit, changed) in enumerate(DATA_EDITS):
        text = target.read_text()
        assert edit(text) != text, what
        target.write_text(edit(text))
        build(corpus, out)
        assert made() == changed, what
        assert tree(out) == clean_build(corpus, tmp_path / f"clean-{step}"), what
        made()  # the clean build's
    # Without stored digests, a few are worked out from the records; beyond
    # MOST_WORKED_OUT, the files are made again and their jobs store them all.
    for forget, limit, expected in ((True, 100, set()),
                                    (True, 0, set(build_module.exports.DATA_FILES)),
                                    (False, datakeys.MOST_WORKED_OUT, set())):
        monkeypatch.setattr(datakeys, "MOST_WORKED_OUT", limit)
        for digests in (corpus / ".briefgen-cache").glob("digests-*.pickle"):
            if forget:
                digests.unlink()
        target.write_text(DATA_EDITS[0][1](target.read_text()))
        build(corpus, out)
        assert made() == expected, (forget, limit)
    assert tree(out) == clean_build(corpus, tmp_path / "clean-last")


def test_a_briefings_records_worked_out_alone_are_those_its_data_files_hold(
    corpus: Path, tmp_path: Path
) -> None:
    build(corpus, tmp_path / "out")
    site = load_site(corpus)
    for name in itertools.chain.from_iterable(build_module.exports.DATA_FILES.values()):
        kept = diskcache.load_batches(corpus / ".briefgen-cache" / f"records-{name}.pickle")[1]
        assert kept
        records_of = build_module.exports.briefing_records(name, site.config)
        for b in site.briefings:
            held = sorted((kind, order, text) for (kind, slug, fingerprint, order), text
                          in kept.items() if slug == b.slug and fingerprint == b.fingerprint)
            assert sorted(records_of(b)) == held, (name, b.slug)


def sections_worked_out(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sections whose months the builds work out from now on, in order."""
    from briefgen import sitepages

    worked_out: list[str] = []
    real_pages = sitepages.Archives.pages

    def recording(self, prefix, *args, **kwargs):  # type: ignore[no-untyped-def]
        worked_out.append(prefix)
        return real_pages(self, prefix, *args, **kwargs)

    monkeypatch.setattr(sitepages.Archives, "pages", recording)
    return worked_out


def test_sections_whose_briefings_did_not_change_are_not_worked_out_again(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    worked_out = sections_worked_out(monkeypatch)
    store = corpus / ".briefgen-cache" / "pages.pickle"

    def section_keys() -> dict[str, str]:
        groups = diskcache.load_entries(store)["groups"]
        return {name.removeprefix("section "): key for name, (key, _) in groups.items()
                if name.startswith("section ")}

    out = tmp_path / "out"
    build(corpus, out)
    before = section_keys()
    assert sorted(worked_out) == sorted(before) and len(before) > 10

    worked_out.clear()
    edit_summary(corpus, 4)
    build(corpus, out)
    after = section_keys()
    changed = {name for name in after if after[name] != before.get(name)}
    assert "chronology/" in changed and len(changed) < len(after)
    assert sorted(worked_out) == sorted(changed)
    assert tree(out) == clean_build(corpus, tmp_path / "clean-1")

    # A kept section's page deleted by hand is made again, with the section's months.
    untouched = next(name for name in sorted(after) if name not in changed)
    page = out / untouched / "index.html"
    page.unlink()
    worked_out.clear()
    build(corpus, out)
    assert worked_out == [untouched] and page.is_file()
    assert section_keys() == after
    assert tree(out) == clean_build(corpus, tmp_path / "clean-2")


def test_the_preview_server_keeps_sections_whose_briefings_did_not_change(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen.build import BuildOptions
    from briefgen.incremental import Rebuilder

    worked_out = sections_worked_out(monkeypatch)
    served = tmp_path / "served"
    rebuilder = Rebuilder(BuildOptions(corpus, served))
    rebuilder.rebuild()
    before = dict(rebuilder.cache.sections)
    assert sorted(worked_out) == sorted(before) and len(before) > 10

    worked_out.clear()
    rebuilder.rebuild([edit_summary(corpus, 4)])
    after = rebuilder.cache.sections
    changed = {name for name in after if after[name] != before.get(name)}
    assert "chronology/" in changed and len(changed) < len(after)
    assert sorted(worked_out) == sorted(changed)
    assert tree(served) == clean_build(corpus, tmp_path / "clean")


def clean_build_with(site: Path, out: Path, *args: str) -> dict[str, bytes]:
    build(site, out, "--no-cache", "--jobs", "1", *args)
    return tree(out)


def test_warm_build_re_renders_nothing_and_rewrites_nothing(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    result = invoke("build", "-s", str(corpus), "-o", str(out), "--timings")
    assert "0 files written" in result.output
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_a_hand_edited_output_file_is_restored(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    page = out / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<h1>", b"<h1>Vandalised "))
    build(corpus, out)
    assert page.read_bytes() == original


@pytest.mark.parametrize("content", [
    b"not a pickle at all",
    pickle.dumps("briefgen-cache/0/foreign") + pickle.dumps({}),
    # A planted cache that would run a command if it were trusted.
    pickle.dumps(diskcache.format_marker()) + b"cposix\nsystem\n(S'touch PWNED'\ntR.",
])
def test_a_corrupt_or_foreign_cache_is_ignored_with_a_warning(
    corpus: Path, tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    build(corpus, tmp_path / "first")
    for path in (corpus / ".briefgen-cache").glob("*.pickle"):
        path.write_bytes(content)
    os.chdir(tmp_path)
    build(corpus, tmp_path / "first")
    assert not (tmp_path / "PWNED").exists()
    warnings = [r.getMessage() for r in caplog.records
                if "ignoring the build cache" in r.getMessage()]
    # One line for the whole folder, however many of its files are affected.
    assert len(warnings) == 1, warnings
    assert tree(tmp_path / "first") == clean_build(corpus, tmp_path / "clean")


def test_no_cache_leaves_no_cache_and_clean_removes_output_and_cache(
    corpus: Path, tmp_path: Path
) -> None:
    build(corpus, corpus / "site", "--no-cache")
    assert not (corpus / ".briefgen-cache").exists()
    build(corpus, corpus / "site")
    assert list((corpus / ".briefgen-cache").glob("briefings-*.pickle"))
    result = invoke("clean", "-s", str(corpus))
    assert result.exit_code == 0, result.output
    assert not (corpus / "site").exists() and not (corpus / ".briefgen-cache").exists()
    assert (corpus / "content" / "actors.yaml").is_file()


def test_clean_refuses_a_folder_no_build_wrote(corpus: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = invoke("clean", "-s", str(corpus), "-o", str(precious))
    assert result.exit_code == 1
    assert (precious / "notes.txt").read_text() == "keep me"


def test_stale_files_and_folders_are_removed_in_place(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    victim = briefing_file(corpus, 0)
    page = out / "briefings" / victim.stem / "index.html"
    assert page.is_file()
    victim.unlink()
    build(corpus, out)
    assert not page.parent.exists()
    assert tree(out) == clean_build(corpus, tmp_path / "clean")


def test_a_large_site_lists_its_output_folder_in_another_process_and_syncs_it_exactly(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 4)  # the corpus counts as large
    listed_by = tmp_path / "listed-by"

    def recording(folder: Path) -> writer.Listing:
        listed_by.write_text(str(os.getpid()))
        return writer.list_output(folder)

    monkeypatch.setattr(build_module, "list_output", recording)
    out = tmp_path / "out"
    build(corpus, out)
    victim = briefing_file(corpus, 0)
    stale = out / "briefings" / victim.stem / "index.html"
    stray = out / "briefings" / "stray" / "notes.txt"
    stray.parent.mkdir()
    stray.write_text("not the site's")
    # A kept page edited by hand: its signature in the listing no longer
    # matches the page store's, so it is made again.
    touched = out / "briefings" / briefing_file(corpus, 4).stem / "index.html"
    touched.write_text(touched.read_text(encoding="utf-8") + "<!-- edited -->",
                       encoding="utf-8")
    victim.unlink()
    edit_summary(corpus, 2)
    assert not listed_by.exists()  # the first build had no folder to list
    build(corpus, out)
    assert int(listed_by.read_text()) != os.getpid()
    assert not stale.parent.exists() and not stray.parent.exists()
    assert "<!-- edited -->" not in touched.read_text(encoding="utf-8")
    assert tree(out) == clean_build(corpus, tmp_path / "clean")


def test_the_sitemap_is_made_again_only_when_its_pages_or_their_dates_change(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefgen import feeds

    made: list[int] = []
    real_sitemaps = feeds.sitemaps
    monkeypatch.setattr(feeds, "sitemaps", lambda *args: made.append(1) or real_sitemaps(*args))
    out = tmp_path / "out"
    build(corpus, out, "--jobs", "1")
    assert made == [1]
    edit_summary(corpus, 2)
    build(corpus, out, "--jobs", "1")
    assert made == [1]  # the feed was made again, the sitemap kept
    target = briefing_file(corpus, 5)
    target.write_text(re.sub(r"^date: (\S+)$", "date: \\1\nupdated: 2030-01-01",
                             target.read_text(), count=1, flags=re.M))
    build(corpus, out, "--jobs", "1")
    assert made == [1, 1]
    assert "<lastmod>2030-01-01</lastmod>" in (out / "sitemap.xml").read_text()
    assert tree(out) == clean_build(corpus, tmp_path / "clean")


def test_an_unchanged_site_is_not_rebuilt_and_any_change_is_seen(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    loads: list[Path] = []
    real_load_site = build_module.load_site

    def counting(site_dir, **kwargs):  # type: ignore[no-untyped-def]
        loads.append(site_dir)
        return real_load_site(site_dir, **kwargs)

    monkeypatch.setattr(build_module, "load_site", counting)
    build(corpus, out)
    assert loads == []  # nothing changed: nothing loaded

    # The same bytes rewritten in place within one mtime tick would fool a
    # timestamp check; inputs are compared by content.
    target = briefing_file(corpus, 0)
    text = target.read_text()
    same_size = text.replace('title: "Briefing', 'title: "Briefinx', 1)
    assert same_size != text and len(same_size) == len(text)
    target.write_text(same_size)
    build(corpus, out)
    assert len(loads) == 1
    assert tree(out) == clean_build(corpus, tmp_path / "clean")

    (out / "index.html").unlink()  # a damaged output folder is rebuilt too
    before = len(loads)
    build(corpus, out)
    assert len(loads) == before + 1 and (out / "index.html").is_file()

    result = invoke("build", "-s", str(corpus), "-o", str(out), "--drafts")
    assert result.exit_code == 0 and len(loads) == before + 2  # other options, other site


def test_cached_briefings_round_trip_exactly(corpus: Path) -> None:
    from briefgen.loader import load_site

    briefings = load_site(corpus, workers=1).briefings
    # Read back the way the build cache reads (admitting only model classes).
    restored = diskcache._ModelUnpickler(io.BytesIO(pickle.dumps(briefings))).load()
    assert restored == briefings and restored is not briefings
    assert [repr(b) for b in restored] == [repr(b) for b in briefings]


def test_a_build_reads_the_stored_bodies_of_the_pages_it_renders_only(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    read: list[Path] = []
    texts = diskcache.StoredBodies.texts

    def recording(self):  # type: ignore[no-untyped-def]
        if self._texts is None:
            read.append(self._path)
        return texts(self)

    monkeypatch.setattr(diskcache.StoredBodies, "texts", recording)
    edit_summary(corpus, 5)
    build(corpus, out)
    # Only the edited briefing's page shows a body: it was parsed anew.
    assert read == []
    assert tree(out) == clean_build(corpus, tmp_path / "clean")
    # A theme edit renders every briefing page again from stored parses: each body is read.
    (corpus / "templates").mkdir(exist_ok=True)
    (corpus / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost</h1>{% endblock %}\n')
    build(corpus, out)
    assert len(set(read)) == len(read) == len(list(corpus.glob(".briefgen-cache/briefings-*")))
    assert tree(out) == clean_build(corpus, tmp_path / "clean-2")


def _first_shard(site: Path) -> Path:
    return sorted((site / ".briefgen-cache").glob("briefings-*.pickle"))[0]


def test_stored_bodies_are_read_from_the_file_as_it_was_loaded(
    corpus: Path, tmp_path: Path
) -> None:
    build(corpus, tmp_path / "out")
    shard = _first_shard(corpus)
    loaded = diskcache.load_shard(shard)
    briefing = next(iter(loaded.values()))
    assert isinstance(briefing.body, diskcache.StoredBody)
    parsed = {b.slug: b for b in load_site(corpus, workers=1).briefings}
    # A later build replaces the file: the body still comes from what was loaded.
    other = _first_shard(corpus).with_name("other.pickle")
    other.write_bytes(shard.read_bytes()[:40] + b"\0" * 100)
    os.replace(other, shard)
    assert briefing.body_html == parsed[briefing.slug].body_html != ""
    assert briefing == parsed[briefing.slug]


def test_bodies_are_read_where_files_cannot_be_mapped(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(corpus, tmp_path / "out")

    def unmappable(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(19, "No such device")

    monkeypatch.setattr(diskcache.mmap, "mmap", unmappable)
    loaded = diskcache.load_shard(_first_shard(corpus))
    assert loaded  # not ignored as unreadable
    parsed = {b.slug: b for b in load_site(corpus, workers=1).briefings}
    assert all(b.body_html == parsed[b.slug].body_html for b in loaded.values())


def test_a_shard_cut_short_is_ignored_and_damaged_bodies_stop_the_build_cleanly(
    corpus: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    before = tree(out)
    shards = sorted((corpus / ".briefgen-cache").glob("briefings-*.pickle"))
    whole = {shard: shard.read_bytes() for shard in shards}
    for shard, data in whole.items():
        shard.write_bytes(data[:-10])
    edit_summary(corpus, 0)
    build(corpus, out)
    assert any("ignoring the build cache" in r.getMessage() and "cut short" in r.getMessage()
               for r in caplog.records)
    assert tree(out) == clean_build(corpus, tmp_path / "clean")
    # A zeroed tail is seen at once too.
    for shard in sorted((corpus / ".briefgen-cache").glob("briefings-*.pickle")):
        data = shard.read_bytes()
        shard.write_bytes(data[:-100] + b"\0" * 100)
    caplog.clear()
    edit_summary(corpus, 1)
    build(corpus, out)
    assert any("do not end as written" in r.getMessage() for r in caplog.records)
    assert tree(out) == clean_build(corpus, tmp_path / "clean-2")
    # Damaged within: found only once a body is shown (a theme edit shows them all).
    for shard in sorted((corpus / ".briefgen-cache").glob("briefings-*.pickle")):
        data = bytearray(shard.read_bytes())
        data[-300:-200] = b"\xff" * 100
        shard.write_bytes(bytes(data))
    before = tree(out)
    (corpus / "templates").mkdir(exist_ok=True)
    (corpus / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost</h1>{% endblock %}\n')
    result = invoke("build", "-s", str(corpus), "-o", str(out))
    assert result.exit_code == 1
    assert "is damaged" in result.stderr and "briefgen clean" in result.stderr
    assert "Traceback" not in result.output
    assert tree(out) == before
    assert invoke("clean", "-s", str(corpus), "-o", str(out)).exit_code == 0
    build(corpus, out)
    assert tree(out) == clean_build(corpus, tmp_path / "clean-3")


def test_inputs_are_reread_only_when_changed_or_racily_fresh(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen import uptodate

    opened: list[str] = []

    def counting_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(uptodate, "open", counting_open, raising=False)
    out = tmp_path / "out"
    build(corpus, out)
    first = len(opened)
    assert first > 16  # every input read once

    # The site's files were just written, so hashed within the racy window:
    # hashed again, however unchanged; the theme's old files are not.
    opened.clear()
    build(corpus, out)
    site_inputs = {str(p) for p in [corpus / "briefgen.yaml", *(corpus / "content").rglob("*")]
                   if p.is_file()}
    assert set(opened) == site_inputs

    # Files older than the racy window keep their hash; only the edited one is read.
    monkeypatch.setattr(uptodate, "RACY_NS", 0)
    build(corpus, out)
    opened.clear()
    target = edit_summary(corpus, 3)
    build(corpus, out)
    assert [Path(p).name for p in opened] == [target.name]
    assert tree(out) == clean_build(corpus, tmp_path / "clean")


def test_the_loader_reads_only_the_briefings_it_parses(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(corpus, out)
    target = edit_summary(corpus, 5)
    read: list[str] = []
    real_read_bytes = Path.read_bytes

    def counting(self: Path) -> bytes:
        if "briefings" in self.parts and self.suffix == ".md":
            read.append(self.name)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    build(corpus, out)
    assert read == [target.name]
    monkeypatch.undo()
    assert tree(out) == clean_build(corpus, tmp_path / "clean")


def test_parse_workers_store_whole_cache_shards_themselves(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build's workers store what they parse; this process stores only partial shards."""
    from briefgen import loader

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setattr(diskcache, "SHARDS", 2)  # so one shard holds several briefings
    stored_here: list[str] = []
    real_save = diskcache.save_encoded

    def recording_save(path: Path, encoded: bytes) -> None:
        stored_here.append(path.name)
        real_save(path, encoded)

    monkeypatch.setattr(diskcache, "save_encoded", recording_save)
    parsed: list[int] = []
    real_parse_all = loader.parse_all

    def counting_parse_all(groups, *args, **kwargs):  # type: ignore[no-untyped-def]
        parsed.append(sum(len(group.jobs) for group in groups))
        return real_parse_all(groups, *args, **kwargs)

    monkeypatch.setattr(loader, "parse_all", counting_parse_all)

    def load() -> tuple[tuple[object, ...], diskcache.DiskCache]:
        store = diskcache.DiskCache.open(corpus)
        briefings = loader.load_site(corpus, workers=2, store=store).briefings
        store.save()
        return briefings, store

    cold, _ = load()
    assert parsed == [16] and stored_here == []
    assert sorted(p.name for p in (corpus / ".briefgen-cache").glob("briefings-*")) == [
        "briefings-00.pickle", "briefings-01.pickle"]

    warm, _ = load()
    assert parsed == [16, 0] and warm == cold and stored_here == []

    target = edit_summary(corpus, 3)
    edited, store = load()
    rel = target.relative_to(corpus).as_posix()
    [key] = [key for key in store.used if key[0] == rel]
    assert parsed == [16, 0, 1]
    assert stored_here == [f"briefings-{diskcache.shard_of(key):02d}.pickle"]
    assert [b.path for b in edited] == [b.path for b in cold] and edited != cold
    again, _ = load()
    assert parsed[-1] == 0 and again == edited


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stale_digest_never_files_a_parse_under_the_wrong_key(
    corpus: Path, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen.loader import fingerprint, load_site

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)  # with 2, parsed and stored by workers
    target = briefing_file(corpus, 2)
    rel = target.relative_to(corpus).as_posix()
    store = diskcache.DiskCache.open(corpus)
    # The file changed after its digest was taken: parsed as it is now.
    digests = {rel: "0" * 32}
    site = load_site(corpus, workers=workers, store=store, digests=digests)
    store.save()
    now = fingerprint(target.read_bytes())
    assert [b.fingerprint for b in site.briefings if b.path == rel] == [now]
    assert {key[1] for key in store.used if key[0] == rel} == {now}
    # The other briefings' digests, unknown before, are those of what was parsed.
    assert digests == {rel: "0" * 32, **{b.path: b.fingerprint for b in site.briefings
                                         if b.path != rel}}
    stored = diskcache.DiskCache.open(corpus)
    assert {key[1] for key in stored._shard(diskcache.shard_of((rel,)))
            if key[0] == rel} == {now}


def test_a_cold_build_reads_each_briefing_once_and_records_what_it_read(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen import uptodate

    read: list[str] = []
    real_read_bytes = Path.read_bytes

    def counting_read_bytes(self: Path) -> bytes:
        if self.suffix == ".md":
            read.append(self.name)
        return real_read_bytes(self)

    def counting_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith(".md"):
            read.append(Path(path).name)
        return open(path, *args, **kwargs)

    # Named like a briefing but a folder: listed among the inputs, never read
    # by the loader, so hashed when the manifest is completed.
    (corpus / "content/briefings/not-a-briefing.md").symlink_to(tmp_path)
    monkeypatch.setattr(Path, "read_bytes", counting_read_bytes)
    monkeypatch.setattr(uptodate, "open", counting_open, raising=False)
    out = tmp_path / "out"
    build(corpus, out)
    monkeypatch.undo()
    assert sorted(read) == sorted(p.name for p in (corpus / "content/briefings").glob("*.md"))
    # The build recorded what hashing every input first gives.
    manifest = uptodate.read_manifest(corpus)
    hashed = uptodate.read_inputs(corpus, (False, None, str(out.resolve())), {})
    assert manifest is not None and manifest.inputs == hashed.key
    assert ({rel: entry[:2] for rel, entry in manifest.files.items()}
            == {rel: entry[:2] for rel, entry in hashed.files.items()})


def test_a_batch_file_replaces_the_old_one_only_when_committed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "cache" / "records.pickle"
    writer = diskcache.BatchWriter(path, {"site": "a"})
    for number in range(4500):  # more than two batches
        writer.add(number, str(number))
    writer.commit()
    assert diskcache.load_batches(path) == ({"site": "a"}, {n: str(n) for n in range(4500)})
    abandoned = diskcache.BatchWriter(path, {"site": "b"})
    abandoned.add(1, "x")
    abandoned.close()
    assert diskcache.load_batches(path)[0] == {"site": "a"}
    assert sorted(p.name for p in path.parent.iterdir()) == [".gitignore", "records.pickle"]
    path.write_bytes(path.read_bytes()[:-10])  # cut short, as by a full disk
    assert diskcache.load_batches(path) == (None, {})
    assert "ignoring the build cache" in caplog.text


def test_compiled_templates_are_reused_only_while_their_source_is_unchanged(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = tmp_path / "tmp"
    kept.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(kept))  # where Jinja keeps them
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None,
                 *args: object, **kwargs: object) -> object:
        compiled.append(name or "")
        return compile_template(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    out = tmp_path / "out"
    build(corpus, out, "--jobs", "1")
    assert "briefing.html" in compiled and list(kept.rglob("__briefgen_*.cache"))
    compiled.clear()
    edit_summary(corpus, 3)
    build(corpus, out, "--jobs", "1")
    assert compiled == []

    # A theme's own template, edited twice: each build shows the latest words.
    own = corpus / "templates" / "tag.html"
    own.parent.mkdir()
    theme = (REPO / "templates" / "tag.html").read_text()
    tag_page = next(out.glob("tags/*/index.html"))
    for words in ("First wording", "Second wording"):
        own.write_text(theme.replace("{% block main %}", "{% block main %}" + words, 1))
        build(corpus, out, "--jobs", "1")
        assert words in tag_page.read_text()
    assert compiled == ["tag.html", "tag.html"]

    compiled.clear()
    edit_summary(corpus, 5)
    build(corpus, out, "--jobs", "1", "--no-cache")
    assert "briefing.html" in compiled
