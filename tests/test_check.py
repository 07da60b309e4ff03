"""``briefgen check``: content validation, then broken links and anchors of the built site."""

from __future__ import annotations

from pathlib import Path

from conftest import (
    BRIEFING,
    BRIEFING_PATH,
    REPO,
    ScratchSite,
    assert_clean_failure,
    invoke,
)

from briefgen.check import check_links

BASE = "https://example.org/briefs/"

# A home page override with one link of each kind; the comments say which break.
BROKEN_HOME = """\
{% extends "base.html" %}
{% block main %}
<p><a href="{{ url('briefings/2025-04-06-first/') }}#chronology">fine</a></p>
<p><a href="{{ url('nowhere/') }}">missing page</a></p>
<p><a href="#main">fine</a> <a href="#no-such-id">missing anchor here</a></p>
<p><a href="{{ url('briefings/2025-04-06-first/') }}#gone">missing anchor there</a></p>
<p><a href="/static/style.css">missing the base path</a></p>
<p><a href="https://example.org/elsewhere/">another site on the host</a></p>
<p><a href="mailto:d@example.org">mail</a> <a href="https://example.com/">another host</a></p>
<p><img src="{{ url('static/logo.png') }}" alt=""></p>
{% endblock %}
"""


def test_a_clean_site_passes(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()
    before = scratch_site.snapshot()
    result = invoke("check", "--site", str(scratch_site.root))
    assert result.exit_code == 0, result.output
    assert "are all good" in result.stdout
    assert scratch_site.snapshot() == before  # check writes nothing


def test_broken_links_are_listed_with_their_page_and_line(scratch_site: ScratchSite) -> None:
    scratch_site.write("templates/index.html", BROKEN_HOME)
    scratch_site.build_ok()
    result = invoke("check", "--site", str(scratch_site.root))
    assert_clean_failure(result)
    out = scratch_site.out.as_posix()
    home = (scratch_site.out / "index.html").read_text().splitlines()

    def line_of(text: str) -> int:
        (number,) = [n for n, line in enumerate(home, start=1) if text in line]
        return number

    expected = [
        f"{out}/index.html:{line_of('missing page')}: broken link '/briefs/nowhere/': "
        "no page or file at /briefs/nowhere/",
        f"{out}/index.html:{line_of('missing anchor here')}: broken link '#no-such-id': "
        "no element with id 'no-such-id' on /briefs/",
        f"{out}/index.html:{line_of('missing anchor there')}: broken link "
        "'/briefs/briefings/2025-04-06-first/#gone': "
        "no element with id 'gone' on /briefs/briefings/2025-04-06-first/",
        f"{out}/index.html:{line_of('missing the base path')}: broken link "
        "'/static/style.css': outside the site's base path /briefs/",
        f"{out}/index.html:{line_of('logo.png')}: broken link '/briefs/static/logo.png': "
        "no page or file at /briefs/static/logo.png",
    ]
    lines = result.stderr.splitlines()
    assert lines[:-1] == expected
    assert lines[-1].startswith("5 broken links found in ")


def test_content_errors_are_reported_and_nothing_is_written(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace("killed: 19", "killed: -3"))
    result = invoke("check", "--site", str(scratch_site.root))
    assert_clean_failure(result)
    assert f"{BRIEFING_PATH}:" in result.stderr
    assert not scratch_site.out.exists()


def test_checking_needs_a_built_site(scratch_site: ScratchSite, tmp_path: Path) -> None:
    result = invoke("check", "--site", str(scratch_site.root), "-o", str(tmp_path / "none"))
    assert_clean_failure(result)
    assert "run 'briefgen build' first" in result.stderr


def test_a_site_built_for_another_url_is_checked_with_that_url(
        scratch_site: ScratchSite) -> None:
    scratch_site.build_ok("--base-url", "https://user.github.io/repo/")
    result = invoke("check", "--site", str(scratch_site.root))
    assert_clean_failure(result)
    assert "outside the site's base path /briefs/" in result.stderr
    assert "pass the same to check" in result.stderr
    result = invoke("check", "--site", str(scratch_site.root),
                    "--base-url", "https://user.github.io/repo/")
    assert result.exit_code == 0, result.output


def test_this_repository_has_no_broken_links(tmp_path: Path) -> None:
    out = tmp_path / "out"
    url = "https://user.github.io/repo/"
    result = invoke("build", "--site", str(REPO), "-o", str(out), "--base-url", url)
    assert result.exit_code == 0, result.output
    result = invoke("check", "--site", str(REPO), "-o", str(out), "--base-url", url)
    assert result.exit_code == 0, result.output


def page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def test_links_resolve_as_in_a_browser() -> None:
    files: dict[str, str | bytes] = {
        "index.html": page('<a href="a/">a</a> <a href="a">redirected</a> '
                           '<a href="b">b.html</a> <a href="#top">top</a> '
                           '<a href="c%20d/">encoded</a> <a href="./a/#x">anchor</a>'),
        "a/index.html": page('<h2 id="x">x</h2> <a href="../">up</a> <a href="../b.html#n">n</a> '
                             '<img srcset="../i.png 1x, ../j.png 2x" src="../i.png">'),
        "b.html": page('<a name="n"></a><a href="/briefs/a/">abs</a> '
                       '<a href="https://example.org/briefs/b.html">full</a>'),
        "c d/index.html": page(""),
        "based/index.html": page('<a href="a/">a</a>', head='<base href="/briefs/">'),
        "i.png": b"",
        "j.png": b"",
    }
    report = check_links(files, BASE)
    assert report.broken == ()
    assert report.pages == 5
    assert report.links == 14

    files["a/index.html"] = page('<img srcset="../i.png 1x, ../k.png 2x">')
    files["b.html"] = page('<a href="/elsewhere/">outside</a>'
                           '<a href="https://example.org/elsewhere/">another site</a>'
                           '<a href="https://example.org:8443/briefs/">another port</a>')
    report = check_links(files, BASE)
    assert [(b.page, b.url, b.reason) for b in report.broken] == [
        ("a/index.html", "../k.png", "no page or file at /briefs/k.png"),
        ("b.html", "/elsewhere/", "outside the site's base path /briefs/"),
        ("index.html", "./a/#x", "no element with id 'x' on /briefs/a/"),
    ]
