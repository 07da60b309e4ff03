"""The writer brings an output folder to exactly the rendered files, in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.staging import Stager
from briefgen.writer import output_signatures, write_site


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_fresh_folder_gets_every_file_staged_or_not(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    stager = Stager(staging)
    out = tmp_path / "out"
    output = {"index.html": "home", "a/b/index.html": stager.stage("a/b/index.html", "deep"),
              "a/index.html": b"a", "feed.xml": stager.stage("feed.xml", iter(["<f", "/>"]))}
    result = write_site(output, out)
    assert tree(out) == {"a/b/index.html": b"deep", "a/index.html": b"a",
                         "feed.xml": b"<f/>", "index.html": b"home"}
    assert (result.written, result.unchanged, result.removed) == (4, 0, 0)


def test_unchanged_files_are_left_alone_and_stale_ones_go(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"keep/index.html": "same", "old/deep/index.html": "gone"}, out)
    before = (out / "keep/index.html").stat()
    result = write_site({"keep/index.html": "same", "new/index.html": "new"}, out)
    after = (out / "keep/index.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert tree(out) == {"keep/index.html": b"same", "new/index.html": b"new"}
    assert not (out / "old").exists()
    assert (result.written, result.unchanged, result.removed) == (1, 1, 1)


def test_a_page_that_becomes_a_folder_and_a_folder_that_becomes_a_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_site({"notes": "a file", "x/y/index.html": "deep", "x/y/z/index.html": "deeper"}, out)
    write_site({"notes/index.html": "now a folder", "x/y": "now a file",
                "x/w/index.html": "beside"}, out)
    assert tree(out) == {"notes/index.html": b"now a folder", "x/y": b"now a file",
                         "x/w/index.html": b"beside"}
    # And back, in one sync: the writer's picture of the folder follows its changes.
    write_site({"notes": "a file again", "x/y/index.html": "deep again",
                "x/y/z/index.html": "deeper again"}, out)
    assert tree(out) == {"notes": b"a file again", "x/y/index.html": b"deep again",
                         "x/y/z/index.html": b"deeper again"}


def test_the_signatures_are_those_of_the_folder_as_left(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write_site({"keep/index.html": "same", "old/index.html": "gone", "a": "1"}, out)
    assert first.signatures == output_signatures(out)
    # A file the caller knows is unchanged keeps the signature it was found with.
    known = {"keep/index.html": first.signatures["keep/index.html"]}
    second = write_site({"keep/index.html": "ignored: known unchanged", "a": "2",
                         "new/index.html": "new"}, out, known_unchanged=known)
    assert (out / "keep/index.html").read_text() == "same"
    assert second.signatures == output_signatures(out)


def test_a_site_staged_as_the_site_is_renamed_into_place(tmp_path: Path) -> None:
    """No output folder yet: the staging folder, completed, becomes it."""
    from briefgen.staging import staged_beside

    out = tmp_path / "out"
    with staged_beside(out) as stager:
        assert stager.as_site
        output = {"index.html": "home", "a/b/index.html": stager.stage("a/b/index.html", "deep"),
                  "a/index.html": b"a",
                  "data/x.json": stager.stage("data/x.json", iter(["[", "]"]))}
        staged = (stager.root / "a/b/index.html").stat().st_ino
        result = write_site(output, out, stager=stager)
        assert not stager.root.exists()
    assert tree(out) == {"a/b/index.html": b"deep", "a/index.html": b"a",
                         "data/x.json": b"[]", "index.html": b"home"}
    assert (out / "a/b/index.html").stat().st_ino == staged  # moved, not copied
    assert (result.written, result.unchanged, result.removed) == (4, 0, 0)
    assert result.signatures == output_signatures(out)
    # The next build into the folder, now there, syncs it in place.
    with staged_beside(out) as stager:
        assert not stager.as_site
        result = write_site({"index.html": "home", "a/index.html": stager.stage(
            "a/index.html", "changed")}, out, stager=stager)
    assert tree(out) == {"a/index.html": b"changed", "index.html": b"home"}
    assert (result.written, result.unchanged, result.removed) == (1, 1, 2)


def test_an_output_folder_made_meanwhile_is_synced_instead(tmp_path: Path) -> None:
    from briefgen.staging import staged_beside

    out = tmp_path / "out"
    with staged_beside(out) as stager:
        output = {"index.html": stager.stage("index.html", "home"), "robots.txt": "r"}
        (out / "old").mkdir(parents=True)
        (out / "old" / "page.html").write_text("old")
        (out / ".nojekyll").write_text("")
        write_site(output, out, stager=stager)
    assert tree(out) == {"index.html": b"home", "robots.txt": b"r"}


def test_a_staged_site_that_cannot_be_renamed_is_synced_file_by_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An output folder that appears between the check and the rename is not replaced."""
    from briefgen import writer
    from briefgen.staging import staged_beside

    out = tmp_path / "out"

    def refused(source: object, target: object) -> None:
        raise OSError(39, "Directory not empty")

    with staged_beside(out) as stager:
        output = {"index.html": stager.stage("index.html", "home"), "a/b.html": "b"}
        monkeypatch.setattr(writer.os, "rename", refused)
        result = write_site(output, out, stager=stager)
    assert tree(out) == {"a/b.html": b"b", "index.html": b"home"}
    assert result.signatures == output_signatures(out)


def test_a_staged_file_is_written_only_when_its_bytes_differ(tmp_path: Path) -> None:
    # Larger than one read of the comparison, equal in size, differing past the first read.
    size = (1 << 20) * 2 + 17
    first = b"x" * size
    later = first[:-5] + b"yyyyy"
    out = tmp_path / "out"
    for n, (content, written) in enumerate([(first, 1), (first, 0), (later, 1), (later, 0)]):
        staging = tmp_path / f"staging{n}"
        staging.mkdir()
        result = write_site({"data/big.json": Stager(staging).stage("data/big.json", content)},
                            out)
        assert (result.written, result.unchanged) == (written, 1 - written)
        assert (out / "data/big.json").read_bytes() == content
