"""End to end: build a scratch site with ``briefgen build`` and read the pages' structure."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import (
    BRIEFING,
    BRIEFING_PATH,
    CONFIG,
    Node,
    ScratchSite,
    assert_clean_failure,
    briefing,
    invoke,
    parse_html,
    replace_line,
)

import briefgen
from briefgen.cli import cli

ORDERING = "content/briefings/2025-04-06-ordering.md"
ORDERING_PAGE = "briefings/2025-04-06-ordering/index.html"

# Entries in a scrambled file order; the letters say where each must end up.
ORDERING_EXTRA = """\
  - id: ngo
    publisher: Monitoring NGO
    title: Casualty update
    url: https://ngo.example.org/update
chronology:
  - date: 2025-04-05
    time: 18:00
    event: H Saturday evening.
    source: wire
  - date: Friday night
    event: C first untimed Friday entry.
    source: ngo
  - date: 2025-04-04
    time: 09:15
    event: F Friday at quarter past nine.
    source: wire
  - date: Friday
    event: D second untimed Friday entry.
    source: wire
  - date: last month
    event: A last month.
    source: wire
  - date: yesterday
    time: 06:00
    event: G Saturday morning.
    source: ngo
  - date: 2025-04-04
    time: 08:00
    event: E Friday at eight.
    source: wire
  - date: last week
    event: B last week.
    source: wire
casualties:
  - date: Friday
    place: Kryvyi Rih
    event: Missile strike
    killed: 19
    injured: 10-15
    children_killed: 9
    source: wire
  - date: early Sunday
    place: Kyiv
    event: Drone attack
    killed: at least 1
    injured: 2
    children_killed: unknown
    children_injured: up to 4
    source: ngo
"""

ISO_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}(-[0-9]{2})?")


@pytest.fixture
def ordering(scratch_site: ScratchSite) -> Node:
    scratch_site.write(ORDERING, briefing(title="Ordering", extra=ORDERING_EXTRA))
    scratch_site.build_ok()
    return scratch_site.page(ORDERING_PAGE)


def html_pages(out: Path) -> dict[str, Node]:
    return {p.relative_to(out).as_posix(): parse_html(p.read_text(encoding="utf-8"))
            for p in sorted(out.rglob("*.html"))}


def row_by_header(table: Node, row: Node) -> dict[str, Node]:
    """The cells of ``row`` keyed by their column's header text, spans expanded."""
    headers = [th.text for th in table.find("thead").find_all("th")]
    cells: list[Node] = []
    for cell in [c for c in row.children if isinstance(c, Node) and c.tag in ("th", "td")]:
        cells.extend([cell] * int(cell.attrs.get("colspan", "1")))
    assert len(cells) == len(headers)
    return dict(zip(headers, cells, strict=True))


# --- the briefing page -------------------------------------------------------------


def test_header_title_dateline_summary_tags(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()

    header = scratch_site.page().find("header", class_="briefing-header")
    assert header.find("h1").text == "First briefing"
    dateline = header.find(class_="dateline").find("time")
    assert (dateline.attrs["datetime"], dateline.text) == ("2025-04-06", "6 April 2025")
    assert header.find(class_="summary").text == "A short summary of the first briefing."
    assert [li.text for li in header.find("ul", class_="tags").find_all("li")] == ["strikes"]


def test_actors_with_role_affiliation_and_registry_description(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()

    actors = scratch_site.page().by_id("actors").find_all("li", class_="actor")
    shown = [(a.find(class_="actor-name").text, a.find(class_="role").text,
              a.find(class_="affiliation").text,
              [d.text for d in a.find_all(class_="description")]) for a in actors]
    assert shown == [
        ("Alex Alpha", "Announced the talks", "Ruritania",
         ["Minister of the interior of Ruritania."]),
        ("Charlie Civilian", "Witness", "Capital residents", []),
    ]


def test_event_text_is_inline_markdown_with_actor_names(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()

    event = scratch_site.page().by_id("chronology").find("li", class_="event")
    what = event.find("p", class_="what")
    assert what.text == "A missile strikes the capital."
    assert what.find("em").text == "capital"
    assert what.find_all("p") == []
    assert [a.text for a in event.find_all(class_="actor-ref")] == ["Alex Alpha"]


def test_pages_are_responsive_and_printable(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()

    for path, page in html_pages(scratch_site.out).items():
        viewport = page.find("meta", name="viewport")
        assert "width=device-width" in viewport.attrs["content"], path
        for link in page.find_all("link", rel="stylesheet"):
            href = link.attrs["href"]
            assert href.startswith("/briefs/"), path
            assert (scratch_site.out / href.removeprefix("/briefs/")).is_file(), (path, href)
    css = (scratch_site.out / "static" / "style.css").read_text(encoding="utf-8")
    assert re.search(r"@media[^{]*\bprint\b", css)


def test_no_output_path_leaves_the_output_folder(scratch_site: ScratchSite,
                                                 tmp_path: Path) -> None:
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace(
        "tags: [strikes]", "tags: ['../../escaped', '/etc/escaped', '..']").replace(
        "    place: Capital", "    place: ../../../escaped-place"))

    scratch_site.build_ok()

    out = scratch_site.out.resolve()
    for path in tmp_path.rglob("*"):
        assert "escaped" not in path.name or out in path.resolve().parents, path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]


# --- the chronology -------------------------------------------------------------


def test_chronology_sorted_by_resolved_date_then_time_then_file_order(ordering: Node) -> None:
    events = ordering.by_id("chronology").children_by_tag("li")

    assert all("event" in li.classes for li in events)
    assert [li.find("p", class_="what").text[0] for li in events] == list("ABCDEFGH")


def test_resolved_dates_keep_the_original_words(ordering: Node) -> None:
    when = {li.find("p", class_="what").text[0]: li.find("p", class_="when")
            for li in ordering.by_id("chronology").children_by_tag("li")}

    friday = when["D"].find("time")
    assert friday.attrs["datetime"] == "2025-04-04"
    assert friday.text == "Friday, 4 April 2025"
    assert when["C"].find("time").text == "Friday night, 4 April 2025"
    assert when["G"].find("time").attrs["datetime"] == "2025-04-05"
    assert when["G"].find("time").text == "Yesterday, 5 April 2025"
    last_month = when["A"].find("time")
    assert (last_month.attrs["datetime"], last_month.text) == ("2025-03", "Last month, March 2025")
    last_week = when["B"]
    assert [t.attrs["datetime"] for t in last_week.find_all("time")] == [
        "2025-03-31", "2025-04-04"]
    assert last_week.text.startswith("Last week, 31 March")
    assert "4 April 2025" in last_week.text
    # An ISO date is shown as a date, without words it did not have.
    assert when["E"].find("time").text == "4 April 2025"
    assert when["E"].find(class_="time").text == "08:00"


def test_every_date_is_a_time_element_with_a_datetime(scratch_site: ScratchSite,
                                                      ordering: Node) -> None:
    for li in ordering.by_id("chronology").children_by_tag("li"):
        assert li.find("p", class_="when").find_all("time")
    for row in ordering.by_id("casualties").find("tbody").find_all("tr"):
        assert row_by_header(ordering.by_id("casualties"), row)["Date"].find("time")
    assert ordering.find(class_="dateline").find("time").attrs["datetime"] == "2025-04-06"
    times = [t for page in html_pages(scratch_site.out).values() for t in page.find_all("time")]
    assert len(times) > 20
    for time in times:
        assert ISO_DATETIME.fullmatch(time.attrs.get("datetime", "")), time.attrs


# --- casualties and totals ------------------------------------------------------------


def test_totals_are_in_tfoot_and_key_figures(ordering: Node) -> None:
    table = ordering.by_id("casualties")
    [total_row] = table.find("tfoot").children_by_tag("tr")

    totals = {header: cell.text for header, cell in row_by_header(table, total_row).items()}

    assert totals["Killed"] == "at least 20"
    assert totals["Injured"] == "12–17"
    assert totals["Children killed"] == "9, plus unquantified reports"
    assert totals["Children injured"] == "0–4"
    key = ordering.by_id("key-figures")
    figures = dict(zip([dt.text for dt in key.find_all("dt")],
                       [dd.text for dd in key.find_all("dd")], strict=True))
    assert figures["Killed"] == "at least 20"
    assert figures["Injured"] == "12–17"


def test_casualty_rows_show_figures_as_reported(ordering: Node) -> None:
    table = ordering.by_id("casualties")
    rows = [row_by_header(table, tr) for tr in table.find("tbody").children_by_tag("tr")]

    assert [(r["Place"].text, r["Killed"].text, r["Injured"].text) for r in rows] == [
        ("Kryvyi Rih", "19", "10-15"), ("Kyiv", "at least 1", "2")]
    assert rows[1]["Children killed"].text == "unknown"


def test_casualty_table_has_caption_and_scoped_headers(ordering: Node) -> None:
    table = ordering.by_id("casualties")

    assert table.find("caption").text
    assert table.find("thead") and table.find("tbody") and table.find("tfoot")
    assert {th.attrs.get("scope") for th in table.find("thead").find_all("th")} == {"col"}
    for section in ("tbody", "tfoot"):
        for tr in table.find(section).children_by_tag("tr"):
            assert [th.attrs.get("scope") for th in tr.children_by_tag("th")] == ["row"]


def test_a_childrens_column_shows_only_when_some_row_has_it(scratch_site: ScratchSite) -> None:
    extra = ("casualties:\n  - date: 2025-04-05\n    place: Kyiv\n    event: Strike\n"
             "    killed: 3\n    injured: 5\n    children_killed: 1\n    source: wire\n")
    scratch_site.write("content/briefings/2025-04-06-children.md",
                       briefing(title="Children", extra=extra))
    scratch_site.build_ok()

    briefing_table = scratch_site.page("briefings/2025-04-06-children/index.html").by_id(
        "casualties")
    dashboard = scratch_site.page("casualties/index.html").find("table", class_="incidents")
    for table, last in ((briefing_table, "Source"), (dashboard, "Reported in")):
        headers = [th.text for th in table.find("thead").find_all("th")]
        assert headers == ["Date", "Place", "Event", "Killed", "Injured", "Children killed",
                           last]
        for row in table.find("tbody").children_by_tag("tr"):
            assert len(row.children_by_tag("td")) + len(row.children_by_tag("th")) == 7


# --- sources ---------------------------------------------------------------------------


def test_every_fact_links_to_its_source(ordering: Node) -> None:
    sources = ordering.by_id("sources")
    rows = [*ordering.by_id("chronology").children_by_tag("li"),
            *ordering.by_id("casualties").find("tbody").children_by_tag("tr")]

    targets = []
    for row in rows:
        [link] = row.find_all("a", class_="source-ref")
        assert link.attrs["href"].startswith("#source-")
        target = ordering.by_id(link.attrs["href"][1:])
        assert target in sources.children_by_tag("li")
        targets.append(target.attrs["id"])

    # C and G cite the NGO, every other entry the wire.
    assert targets[:8] == ["source-wire", "source-wire", "source-ngo", "source-wire",
                           "source-wire", "source-wire", "source-ngo", "source-wire"]
    assert targets[8:] == ["source-wire", "source-ngo"]
    assert "Monitoring NGO" in ordering.by_id("source-ngo").text


# --- safety of contributed text ---------------------------------------------------------

HOSTILE_BODY = """\
Intro <script>alert("body")</script> text.

<img src="x.png" onerror="alert('img')">

<div onclick="alert('div')" style="background:url(https://evil.example/x)">Div</div>

[a link](javascript:alert('link')) and <a href="javascript:alert('a')">raw</a>

<iframe src="https://evil.example/"></iframe>
"""

HOSTILE_EXTRA = """\
chronology:
  - date: Friday
    event: "Event <script>alert('event')</script> [x](javascript:alert('x'))
      <img src=y onerror=alert(1)>"
    source: wire
casualties:
  - date: Friday
    place: Capital
    event: "<b onmouseover=alert(1)>Strike</b>"
    killed: 1
    injured: 0
    source: wire
"""


def test_scripts_and_event_handlers_are_removed(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, briefing(
        title="</script><script>alert('title')</script>", extra=HOSTILE_EXTRA,
        body=HOSTILE_BODY))

    scratch_site.build_ok()

    page = scratch_site.page()
    for node in page.iter():
        assert not [a for a in node.attrs if a.startswith("on")], (node.tag, node.attrs)
        assert "style" not in node.attrs
        for attr in ("href", "src"):
            assert not node.attrs.get(attr, "").strip().lower().startswith("javascript:")
    assert page.find_all("iframe") == []
    # Only data may be a script: JSON-LD, which the title must not break out of.
    for script in page.find_all("script"):
        assert script.attrs.get("type") == "application/ld+json"
        assert "src" not in script.attrs
        json.loads(script.children[0] if script.children else "{}")
    assert page.find("h1").text == "</script><script>alert('title')</script>"
    body = page.find("section", class_="body")
    assert "Intro" in body.text and "Div" in body.text
    assert "Event" in page.by_id("chronology").text
    assert "Strike" in page.by_id("casualties").text


# --- the site as a whole --------------------------------------------------------------------


def test_drafts_are_left_out_unless_asked_for(scratch_site: ScratchSite, tmp_path: Path) -> None:
    scratch_site.write("content/briefings/2025-04-07-draft.md",
                       briefing(title="Work in progress", date="2025-04-07",
                                extra="draft: true\n"))

    scratch_site.build_ok()
    with_drafts = tmp_path / "with-drafts"
    scratch_site.build_ok("--drafts", "--output", str(with_drafts))

    def listed(out: Path) -> list[str]:
        index = scratch_site.page("index.html", out=out)
        return [a.text for a in index.by_id("briefing-list").find_all("h3")]

    assert listed(scratch_site.out) == ["First briefing"]
    assert not (scratch_site.out / "briefings" / "2025-04-07-draft").exists()
    assert listed(with_drafts) == ["Work in progress", "First briefing"]
    draft = scratch_site.page("briefings/2025-04-07-draft/index.html", out=with_drafts)
    assert draft.find("h1").text == "Work in progress"


def test_index_lists_briefings_newest_first(scratch_site: ScratchSite) -> None:
    scratch_site.write("content/briefings/a-oldest.md",
                       briefing(title="Oldest", date="2025-03-01"))
    scratch_site.write("content/briefings/z-newest.md",
                       briefing(title="Newest", date="2025-04-10"))

    scratch_site.build_ok()

    items = scratch_site.page("index.html").by_id("briefing-list").children_by_tag("li")
    assert [(li.find("a").text, li.find("time").attrs["datetime"]) for li in items] == [
        ("Newest", "2025-04-10"), ("First briefing", "2025-04-06"), ("Oldest", "2025-03-01")]
    assert items[1].find("a").attrs["href"] == "/briefs/briefings/2025-04-06-first/"
    assert items[1].find("p", class_="summary").text == "A short summary of the first briefing."


def test_index_lists_the_newest_briefings_and_the_archive_lists_all(
        scratch_site: ScratchSite) -> None:
    scratch_site.write("content/briefings/a-oldest.md",
                       briefing(title="Oldest", date="2025-03-01"))
    scratch_site.write("content/briefings/z-newest.md",
                       briefing(title="Newest", date="2025-04-10"))
    scratch_site.write("briefgen.yaml", CONFIG + "home_entries: 2\n")

    scratch_site.build_ok()

    home = scratch_site.page("index.html")
    assert [a.text for a in home.by_id("briefing-list").find_all("h3")] == [
        "Newest", "First briefing"]
    more = home.by_id("archive-link")
    assert "The 2 newest of 3 briefings." in more.text
    assert more.find("a").attrs["href"] == "/briefs/archive/"
    # Every briefing is in the archive, on the page of its dateline's month.
    april = scratch_site.page("archive/2025-04/index.html")
    assert [a.text for a in april.find_all("a", class_="briefing-ref")] == [
        "Newest", "First briefing"]
    march = scratch_site.page("archive/2025-03/index.html")
    assert [a.text for a in march.find_all("a", class_="briefing-ref")] == ["Oldest"]
    # The archive belongs to the "Briefings" section of the navigation.
    current = march.find("nav").find_all("a", **{"aria-current": "page"})
    assert [a.text for a in current] == ["Briefings"]
    index = scratch_site.page("archive/index.html")
    assert [a.attrs["href"] for a in index.by_id("months").find_all("a")] == [
        "/briefs/archive/2025-04/", "/briefs/archive/2025-03/"]

    scratch_site.write("briefgen.yaml", CONFIG + "home_entries: 0\n")
    scratch_site.build_ok()
    home = scratch_site.page("index.html")
    assert len(home.by_id("briefing-list").find_all("h3")) == 3
    assert "newest of" not in home.by_id("archive-link").text


@pytest.mark.parametrize(("name", "value", "where"), [
    ("feed_entries", "many", "in the feed"), ("home_entries", "-3", "on the home page")])
def test_entry_counts_must_be_whole_numbers(
        scratch_site: ScratchSite, name: str, value: str, where: str) -> None:
    scratch_site.write("briefgen.yaml", CONFIG + f"{name}: {value}\n")
    result = scratch_site.build()
    assert result.exit_code != 0
    assert f"briefgen.yaml:6:15: {name}" in result.output
    assert f"must be a whole number such as 50 (0 keeps every briefing {where})" in result.output


def test_lang_comes_from_config(scratch_site: ScratchSite) -> None:
    scratch_site.write("briefgen.yaml", CONFIG.replace("language: en", "language: uk"))

    scratch_site.build_ok()

    pages = html_pages(scratch_site.out)
    assert pages
    for path, page in pages.items():
        assert page.doctype.lower() == "doctype html", path
        assert page.html.attrs["lang"] == "uk", path


def test_ids_are_unique_on_every_page(scratch_site: ScratchSite) -> None:
    # A body with headings named like the page's own sections must not
    # produce a second id="sources" or id="chronology".
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace(
        "The body of the first briefing.",
        "## Chronology\n\nText.\n\n## Sources\n\nMore.\n\n## Casualties\n\nEnd.\n"))

    scratch_site.build_ok()

    for path, page in html_pages(scratch_site.out).items():
        ids = [n.attrs["id"] for n in page.iter() if "id" in n.attrs]
        assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))


def test_raw_html_in_the_body_cannot_take_the_pages_ids(scratch_site: ScratchSite) -> None:
    # A pasted id="source-wire" would turn every source link into a link to
    # the body; the page's own anchors must stay the only ones.
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace(
        "The body of the first briefing.",
        '<p id="source-wire">Pasted.</p>\n\n<div id="chronology">Pasted too.</div>\n'))

    scratch_site.build_ok()

    page = scratch_site.page()
    ids = [n.attrs["id"] for n in page.iter() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert page.by_id("source-wire") in page.by_id("sources").children_by_tag("li")
    assert page.by_id("chronology").tag == "ol"


RESOURCE_ATTRS = {"link": "href", "script": "src", "img": "src", "iframe": "src",
                  "source": "src", "video": "src", "audio": "src", "embed": "src",
                  "object": "data", "input": "src", "track": "src"}


def test_no_external_network_resources(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()

    for path, page in html_pages(scratch_site.out).items():
        for node in page.iter():
            value = node.attrs.get(RESOURCE_ATTRS.get(node.tag, ""), "")
            assert not re.match(r"(https?:)?//", value.strip()), (path, node.tag, value)
            assert "url(" not in node.attrs.get("style", ""), (path, node.tag)
        for style in page.find_all("style"):
            assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", style.text), path
    css = (scratch_site.out / "static" / "style.css").read_text(encoding="utf-8")
    assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", css)
    # The only absolute links on a briefing page are its sources'.
    page = scratch_site.page()
    sources = page.by_id("sources")
    outside = [a.attrs["href"] for a in page.find_all("a")
               if re.match(r"(https?:)?//", a.attrs.get("href", ""))
               and a not in sources.find_all("a")]
    assert outside == []
    assert [a.attrs["href"] for a in sources.find_all("a")] == ["https://example.org/report"]


def test_site_templates_override_the_theme_file_by_file(scratch_site: ScratchSite) -> None:
    scratch_site.write("templates/index.html",
                       '{% extends "base.html" %}{% block main %}'
                       '<p id="own">{{ briefings | length }} briefing</p>{% endblock %}')

    scratch_site.build_ok()

    assert scratch_site.page("index.html").by_id("own").text == "1 briefing"
    assert scratch_site.page().by_id("chronology").find("li", class_="event")


# --- a failed build leaves the previous site untouched -----------------------------------------


def test_failed_build_keeps_the_old_site_byte_identical(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()
    before = scratch_site.snapshot()
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 29, "    killed: 19",
                                                   "    killed: nineteen"))
    scratch_site.write("content/briefings/2025-04-07-new.md", briefing(title="New"))

    result = scratch_site.build()

    assert_clean_failure(result)
    assert scratch_site.snapshot() == before
    # Only the build cache (git-ignored, parsed briefings only) may appear beside the sources.
    assert sorted(p.name for p in scratch_site.root.iterdir()) == [
        ".briefgen-cache", "briefgen.yaml", "content", "seeds", "site"]


def test_template_error_keeps_the_old_site(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()
    before = scratch_site.snapshot()
    # StrictUndefined: a misspelled variable is an error, not an empty cell.
    scratch_site.write("templates/index.html",
                       '{% extends "base.html" %}{% block main %}{{ briefings.kiled }}'
                       '{% endblock %}')

    result = scratch_site.build()

    assert_clean_failure(result)
    assert "kiled" in result.stderr
    assert "index.html" in result.stderr
    assert scratch_site.snapshot() == before
    # Pages rendered before the error were staged beside the output; none is left.
    assert sorted(p.name for p in scratch_site.root.iterdir()) == [
        ".briefgen-cache", "briefgen.yaml", "content", "seeds", "site", "templates"]


def test_an_output_folder_in_a_folder_not_ours_stages_elsewhere(
    scratch_site: ScratchSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefgen import staging

    real_mkdir, real_replace = Path.mkdir, os.replace

    def refused(self: Path, *args: object, **kwargs: object) -> None:
        if staging.STAGING_SUFFIX in self.name:
            raise PermissionError(13, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    def other_device(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        # The temporary folder is often another file system: no rename across.
        if Path(src).parent.name.startswith("briefgen-staging-"):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    scratch_site.build_ok("--no-cache")
    before = scratch_site.snapshot()
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace("First briefing", "Staged elsewhere"))
    monkeypatch.setattr(Path, "mkdir", refused)
    monkeypatch.setattr(staging.os, "replace", other_device)

    scratch_site.build_ok("--no-cache")

    monkeypatch.undo()
    assert scratch_site.page().find("h1").text == "Staged elsewhere"
    assert scratch_site.snapshot().keys() == before.keys()
    assert not list(Path(tempfile.gettempdir()).glob("briefgen-staging-*"))


def test_staging_left_by_a_killed_build_is_cleared(scratch_site: ScratchSite) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a build process that no longer runs
    staging = scratch_site.root / f".site.briefgen-staging-{gone.pid}"
    staging.mkdir()
    (staging / "index.html").write_text("half a page from a killed build")
    # A build running at the same time keeps its own.
    running = scratch_site.root / f".site.briefgen-staging-{os.getppid()}"
    running.mkdir()

    scratch_site.build_ok("--no-cache")

    assert not staging.exists()
    assert running.is_dir()
    assert "half a page" not in (scratch_site.out / "index.html").read_text()


def test_rebuild_replaces_removed_pages(scratch_site: ScratchSite) -> None:
    scratch_site.write("content/briefings/2025-04-07-second.md", briefing(title="Second"))
    scratch_site.build_ok()
    scratch_site.remove("content/briefings/2025-04-07-second.md")

    scratch_site.build_ok()

    assert not (scratch_site.out / "briefings" / "2025-04-07-second").exists()
    assert (scratch_site.out / "briefings" / "2025-04-06-first" / "index.html").is_file()


# --- command-line options ----------------------------------------------------------------------


def test_output_option(scratch_site: ScratchSite, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "public"

    result = scratch_site.build_ok("--output", str(out))

    assert str(out) in result.output
    assert scratch_site.page(out=out).find("h1").text == "First briefing"
    assert not scratch_site.out.exists()


def test_short_options(scratch_site: ScratchSite, tmp_path: Path) -> None:
    out = tmp_path / "short"

    result = invoke("build", "-s", str(scratch_site.root), "-o", str(out))

    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()


def test_builds_the_current_folder_by_default(scratch_site: ScratchSite,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(scratch_site.root)

    result = invoke("build")

    assert result.exit_code == 0, result.output
    assert scratch_site.page().find("h1").text == "First briefing"


def test_site_option_reads_that_folder(scratch_site: ScratchSite, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    result = invoke("build", "--site", str(scratch_site.root))

    assert result.exit_code == 0, result.output
    assert scratch_site.page().find("h1").text == "First briefing"
    assert list(elsewhere.iterdir()) == []


def test_base_url_option_overrides_config(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok("--base-url", "https://user.github.io/repo/")

    index = scratch_site.page("index.html")
    stylesheet = index.find("link", rel="stylesheet")
    assert stylesheet.attrs["href"] == "/repo/static/style.css"
    assert index.by_id("briefing-list").find("a").attrs["href"] == (
        "/repo/briefings/2025-04-06-first/")


def test_base_url_from_config(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()

    assert scratch_site.page("index.html").find("link", rel="stylesheet").attrs["href"] == (
        "/briefs/static/style.css")


def test_bad_base_url_option(scratch_site: ScratchSite) -> None:
    result = scratch_site.build("--base-url", "user.github.io/repo")

    assert_clean_failure(result)
    assert "'user.github.io/repo' is not a full web address" in result.stderr


def test_version() -> None:
    result = invoke("--version")

    assert result.exit_code == 0
    assert result.output.strip() == f"briefgen, version {briefgen.__version__}"


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help(name: str) -> None:
    command = cli.commands[name]

    result = invoke(name, "--help")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: briefgen {name} ")
    summary = command.get_short_help_str(limit=200).rstrip(".")
    assert summary and summary in " ".join(result.output.split())
    for param in command.params:
        for opt in param.opts:
            if opt.startswith("-"):
                assert opt in result.output


def test_top_level_help_lists_every_command() -> None:
    result = invoke("--help")

    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1]
    for name in cli.commands:
        assert re.search(rf"^\s+{re.escape(name)}\s", listed, re.MULTILINE), name


# --- the output folder is never anything but a built site ----------------------------------------


def _unsafe_outputs(site: ScratchSite, tmp_path: Path) -> dict[str, Path]:
    repo = tmp_path / "checkout"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text("# Our guide\n")
    return {"site folder": site.root, "its parent": tmp_path, "content": site.root / "content",
            "seeds": site.root / "seeds", "a git checkout": repo, "a folder of documents": docs}


@pytest.mark.parametrize("which", ["site folder", "its parent", "content", "seeds",
                                   "a git checkout", "a folder of documents"])
def test_output_folder_safety(scratch_site: ScratchSite, tmp_path: Path, which: str) -> None:
    out = _unsafe_outputs(scratch_site, tmp_path)[which]
    before = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}

    result = scratch_site.build("--output", str(out))

    assert_clean_failure(result)
    assert "output folder" in result.stderr or "choose another" in result.stderr
    after = {p: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file()}
    assert after == before


def test_a_build_with_nothing_to_do_imports_none_of_the_renderer(
        scratch_site: ScratchSite) -> None:
    """The check runs before Jinja, Markdown and YAML are imported, which cost most of it."""
    scratch_site.build_ok()
    heavy = ["jinja2", "markdown", "yaml", "briefgen.build", "briefgen.loader"]
    # The command group, not the console entry point, which ends the process.
    program = (
        "import sys\n"
        "from briefgen.cli import cli\n"
        "try:\n"
        f"    cli(['build', '--site', {str(scratch_site.root)!r}], prog_name='briefgen')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([name for name in {heavy!r} if name in sys.modules])\n"
    )

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                              check=True)
        return done.stdout.splitlines()

    nothing_to_do = run()
    assert "0 files written" in nothing_to_do[0] and nothing_to_do[-1] == "[]"
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace("First briefing", "Edited briefing"))
    edited = run()
    assert "0 files written" not in edited[0] and edited[-1] == repr(heavy)


def test_the_command_ends_with_its_whole_output_and_status(scratch_site: ScratchSite) -> None:
    """``briefgen`` ends its process at once when done: nothing it says may be lost."""
    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "briefgen", *args,
                               "--site", str(scratch_site.root)],
                              capture_output=True, text=True, timeout=60, check=False)

    built = command("build", "--timings")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built 1 briefing into ")
    assert built.stdout.rstrip().splitlines()[-1].lstrip().startswith("write")
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace("date: ", "date: not-a-date # ", 1))
    failed = command("build")
    assert failed.returncode == 1
    assert BRIEFING_PATH in failed.stderr and failed.stdout == ""
    unknown = command("no-such-command")
    assert unknown.returncode == 2 and "No such command" in unknown.stderr


def test_the_command_leaves_the_built_model_to_the_end_of_its_process(
    scratch_site: ScratchSite,
) -> None:
    """``briefgen build`` hands what it made to ``main``, which ends without freeing it."""
    from click.testing import CliRunner

    from briefgen.buildcheck import BuildReport
    from briefgen.model import Site

    kept: list[object] = []
    result = CliRunner().invoke(cli, ["build", "--site", str(scratch_site.root)], obj=kept)
    assert result.exit_code == 0, result.output
    reports = [item for item in kept if isinstance(item, BuildReport)]
    assert len(reports) == 1
    sites = [item for item in reports[0].retained if isinstance(item, Site)]
    assert [b.slug for b in sites[0].briefings] == [Path(BRIEFING_PATH).stem]
    # Called as a library (no list to keep it in), the command keeps nothing.
    assert CliRunner().invoke(cli, ["build", "--site", str(scratch_site.root)]).exit_code == 0
