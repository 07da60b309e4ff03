"""Pages across briefings, built through the CLI and read back with an HTML parser."""

from __future__ import annotations

import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import BRIEFING, BRIEFING_PATH, REPO, Node, ScratchSite, briefing, invoke, parse_html

from briefgen.build import BuildCache, BuildOptions, render
from briefgen.indexes import slugify
from briefgen.loader import load_site


def casualty(place: str, killed: str, *, incident: str = "", date: str = "2025-04-04",
             injured: str = "2") -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        - date: {date}
          place: {place}
          event: Missile strike on {place}
          killed: {killed}
          injured: {injured}
          source: wire
        """) + (f"  incident: {incident}\n" if incident else ""), "  ")


def event(date: str, place: str, text: str, actors: str = "[]") -> str:
    return textwrap.indent(textwrap.dedent(f"""\
        - date: {date}
          place: {place}
          event: {text}
          actors: {actors}
          source: wire
        """), "  ")


def rows(page: Node, table_id: str) -> list[Node]:
    return page.by_id(table_id).find("tbody").children_by_tag("tr")


def column(page: Node, table_id: str, name: str, row: Node) -> Node:
    """The cell of ``row`` under the header ``name``."""
    headers = [th.text for th in page.by_id(table_id).find("thead").find_all("th")]
    cells: list[Node] = []
    for cell in [c for c in row.children if isinstance(c, Node) and c.tag in ("td", "th")]:
        cells.extend([cell] * int(cell.attrs.get("colspan", "1")))
    return cells[headers.index(name)]


def incident_rows(page: Node) -> list[Node]:
    """Every incident row of a page, across its months' tables."""
    return page.find_all("tr", class_="incident")


def listed_briefings(page: Node) -> list[str]:
    """Links to the briefings a page lists, across its months."""
    return [a.attrs["href"] for section in page.find_all("section", class_="period-briefings")
            for a in section.find_all("a", class_="briefing-ref")]


def listed_events(page: Node) -> list[Node]:
    return [li for section in page.find_all("section", class_="period-events")
            for li in section.find_all("li", class_="event")]


def internal_links(out: Path, base_path: str) -> list[tuple[str, str]]:
    """(page, href) for every link under ``base_path`` on every page of ``out``."""
    found = []
    for path in sorted(out.rglob("*.html")):
        page = parse_html(path.read_text(encoding="utf-8"))
        for a in page.find_all("a"):
            href = a.attrs.get("href", "")
            if href.startswith(base_path) or href.startswith("#"):
                found.append((path.relative_to(out).as_posix(), href))
    return found


def assert_links_resolve(out: Path, base_path: str) -> None:
    """Every internal link names an existing page and, with #fragment, an existing id."""
    pages: dict[str, Node] = {}
    for page_rel, href in internal_links(out, base_path):
        parts = urlsplit(href)
        rel = unquote(parts.path)[len(base_path):] if parts.path else page_rel
        if not rel or rel.endswith("/"):
            rel += "index.html"
        target = out / rel
        assert target.is_file(), f"{page_rel}: {href} leads nowhere"
        if parts.fragment:
            if rel not in pages:
                pages[rel] = parse_html(target.read_text(encoding="utf-8"))
            ids = {n.attrs["id"] for n in pages[rel].iter() if "id" in n.attrs}
            assert parts.fragment in ids, f"{page_rel}: {href} has no #{parts.fragment}"


# --- the casualty dashboard --------------------------------------------------------------


@pytest.fixture
def revised(scratch_site: ScratchSite) -> ScratchSite:
    """Two briefings reporting one incident, the second revising the toll."""
    scratch_site.write("content/briefings/2025-04-05-early.md", briefing(
        title="Early report", date="2025-04-05", extra="casualties:\n" + casualty(
            "Kryvyi Rih", "at least 18", incident="kr-strike", injured="dozens")))
    scratch_site.write("content/briefings/2025-04-06-late.md", briefing(
        title="Late report", date="2025-04-06", extra="casualties:\n" + casualty(
            "Kryvyi Rih", "19", incident="kr-strike", injured="dozens")))
    scratch_site.build_ok()
    return scratch_site


def test_one_row_per_incident_with_earlier_reports_as_revisions(revised: ScratchSite) -> None:
    page = revised.page("casualties/index.html")
    # The incident reported twice, and the scratch briefing's own record standing alone.
    assert [r.attrs["id"] for r in rows(page, "incidents-2025-04")] == [
        "incident-kr-strike", "incident-2025-04-06-first-0"]
    row = page.by_id("incident-kr-strike")
    killed = column(page, "incidents-2025-04", "Killed", row)
    assert killed.text == "at least 18 (5 Apr) → 19 (6 Apr)"
    assert killed.find(class_="latest").text == "19 (6 Apr)"
    [revision] = killed.find_all(class_="revision")
    assert revision.text == "at least 18 (5 Apr)"
    assert revision.find("time").attrs["datetime"] == "2025-04-05"
    # An unchanged figure shows no history.
    assert column(page, "incidents-2025-04", "Injured", row).text == "dozens"
    reports = column(page, "incidents-2025-04", "Reported in", row).find_all("li")
    assert [li.attrs["class"] for li in reports] == ["latest", "revision"]
    assert [li.find("a", class_="briefing-ref").attrs["href"] for li in reports] == [
        "/briefs/briefings/2025-04-06-late/", "/briefs/briefings/2025-04-05-early/"]


def test_totals_count_a_revised_incident_once(revised: ScratchSite) -> None:
    page = revised.page("casualties/index.html")
    # 19 (latest of the revised incident) + 19 (the scratch briefing): not 18 + 19 + 19.
    assert column(page, "incidents-2025-04", "Killed", page.by_id("incidents-2025-04").find(
        "tfoot").find("tr")).text == "38"
    assert page.by_id("key-figures").find(class_="killed").find("dd").text == "38"
    [april] = rows(page, "by-month")
    assert column(page, "by-month", "Killed", april).text == "38"
    assert column(page, "by-month", "Incidents", april).text == "2"
    by_place = {column(page, "by-place", "Place", r).text: r for r in rows(page, "by-place")}
    assert sorted(by_place) == ["Capital", "Kryvyi Rih"]
    assert column(page, "by-place", "Killed", by_place["Kryvyi Rih"]).text == "19"
    home = revised.page("index.html")
    assert home.by_id("key-figures").find(class_="killed").find("dd").text == "38"
    place = revised.page("places/kryvyi-rih/index.html")
    assert [r.attrs["id"] for r in incident_rows(place)] == ["incident-kr-strike"]
    assert place.by_id("key-figures").find(class_="killed").find("dd").text == "19"
    # The month's own page holds the same rows.
    month = revised.page("casualties/2025-04/index.html")
    assert [r.attrs["id"] for r in incident_rows(month)] == [
        r.attrs["id"] for r in incident_rows(page)]
    assert [a.attrs["href"] for a in page.by_id("by-month").find("tbody").find_all("a")] == [
        "/briefs/casualties/2025-04/"]


def test_chart_is_an_accessible_svg_with_a_table_of_the_same_numbers(
        scratch_site: ScratchSite) -> None:
    scratch_site.write("content/briefings/2025-03-10-march.md", briefing(
        title="March", date="2025-03-10", extra="casualties:\n" + casualty(
            "Odesa", "about 7", date="2025-03-09", injured="at least 30")))
    scratch_site.build_ok()
    page = scratch_site.page("casualties/index.html")

    svg = page.find("svg")
    assert svg.attrs["role"] == "img"
    assert svg.find("title").text
    assert svg.attrs["aria-labelledby"] == svg.find("title").attrs["id"]
    assert not page.find_all("script")
    months = [r.find("th").text for r in rows(page, "by-month")]
    assert months == ["March 2025", "April 2025"]
    bars = svg.find_all("rect")
    assert [b.attrs["class"] for b in bars] == ["bar bar-killed", "bar bar-injured"] * 2
    labels = [t.text for t in svg.find_all("text", class_="value")]
    # Lower bounds, marked when approximate or open-ended; April's injured are "dozens".
    assert labels == ["~7", "30+", "19", "0+"]
    heights = [float(b.attrs["height"]) for b in bars]
    assert heights[3] == 0 and heights[1] > heights[2] > heights[0] > 0


# --- the chronology ----------------------------------------------------------------------


@pytest.fixture
def months(scratch_site: ScratchSite) -> ScratchSite:
    scratch_site.write("content/briefings/2025-02-20-feb.md", briefing(
        title="February", date="2025-02-20", extra="chronology:\n"
        + event("2025-02-19", "Kyiv", "Feb event.", "[alpha]")
        + event("2025-01-30", "Kyiv", "January event.")))
    scratch_site.write("content/briefings/2025-03-15-mar.md", briefing(
        title="March", date="2025-03-15", extra="chronology:\n"
        + event("2025-03-14", "kyiv", "March event.")))
    scratch_site.build_ok()
    return scratch_site


def test_chronology_has_a_page_per_month_with_links_between_them(months: ScratchSite) -> None:
    keys = ["2025-04", "2025-03", "2025-02", "2025-01"]
    for n, key in enumerate(keys):
        page = months.page(f"chronology/{key}/index.html")
        [section] = page.find_all("section", class_="month")
        assert section.attrs["id"] == f"month-{key}"
        newer = page.find_all("a", class_="newer")
        older = page.find_all("a", class_="older")
        assert [a.attrs["href"] for a in newer][:1] == (
            [f"/briefs/chronology/{keys[n - 1]}/"] if n else [])
        assert [a.attrs["href"] for a in older][:1] == (
            [f"/briefs/chronology/{keys[n + 1]}/"] if n + 1 < len(keys) else [])
    march = months.page("chronology/2025-03/index.html")
    [item] = march.find_all("li", class_="event")
    assert item.find("p", class_="what").text == "March event."
    assert item.find("a", class_="briefing-ref").attrs["href"] == (
        "/briefs/briefings/2025-03-15-mar/")
    assert item.find("a", class_="source-ref").attrs["href"] == (
        "/briefs/briefings/2025-03-15-mar/#source-wire")
    assert item.find(class_="place").find("a").attrs["href"] == "/briefs/places/kyiv/"

    index = months.page("chronology/index.html")
    assert [a.attrs["href"] for a in index.by_id("months").find_all("a")] == [
        f"/briefs/chronology/{k}/" for k in keys]
    assert_links_resolve(months.out, "/briefs/")


def test_chronology_newest_first_grouped_by_day(months: ScratchSite) -> None:
    index = months.page("chronology/index.html")
    days = [s.find("h3").find("time").attrs["datetime"]
            for s in index.find_all("section", class_="day")]
    # The index holds the three latest months; January is a link away.
    assert days == ["2025-04-04", "2025-03-14", "2025-02-19"]
    assert index.find("a", class_="older").attrs["href"] == "/briefs/chronology/2025-01/"
    feb = months.page("chronology/2025-02/index.html")
    [actor] = feb.find_all(class_="actor-ref")
    assert actor.find("a").attrs["href"] == "/briefs/actors/alpha/"


def test_long_history_shows_only_the_latest_months_on_the_index(
        scratch_site: ScratchSite) -> None:
    april = "".join(event(f"2025-04-{1 + n % 5:02d}", "Kyiv", f"April {n}.") for n in range(31))
    scratch_site.write("content/briefings/2025-04-06-many.md", briefing(
        title="Many", date="2025-04-06",
        extra="chronology:\n" + april + event("2025-03-01", "Kyiv", "March.")))
    scratch_site.build_ok()
    index = scratch_site.page("chronology/index.html")
    assert [s.attrs["id"] for s in index.find_all("section", class_="month")] == ["month-2025-04"]
    assert index.find("a", class_="older").attrs["href"] == "/briefs/chronology/2025-03/"
    assert len(index.find_all("li", class_="event")) == 32  # 31 here + the scratch briefing's


# --- places and tags ---------------------------------------------------------------------


def test_a_long_place_history_is_split_by_month(scratch_site: ScratchSite) -> None:
    april = "".join(event(f"2025-04-{1 + n % 5:02d}", "Kyiv", f"April {n}.") for n in range(31))
    scratch_site.write("content/briefings/2025-04-06-many.md", briefing(
        title="Many", date="2025-04-06",
        extra="chronology:\n" + april + event("2025-03-01", "Kyiv", "March.", "[alpha]")))
    scratch_site.build_ok()
    kyiv = scratch_site.page("places/kyiv/index.html")
    assert [s.attrs["id"] for s in kyiv.find_all("section", class_="month")] == ["month-2025-04"]
    assert len(listed_events(kyiv)) == 31
    assert kyiv.find("a", class_="older").attrs["href"] == "/briefs/places/kyiv/2025-03/"
    assert [a.attrs["href"] for a in kyiv.by_id("months").find_all("a")] == [
        "/briefs/places/kyiv/2025-04/", "/briefs/places/kyiv/2025-03/"]
    march = scratch_site.page("places/kyiv/2025-03/index.html")
    assert [li.find("p", class_="what").text for li in listed_events(march)] == ["March."]
    assert march.find("h1").text == "Kyiv: March 2025"
    assert march.find("a", class_="newer").attrs["href"] == "/briefs/places/kyiv/2025-04/"
    # Alpha's page has one April event and the March one: it fits on one page.
    alpha = scratch_site.page("actors/alpha/index.html")
    assert len(listed_events(alpha)) == 2 and not alpha.find_all(id="months")
    assert_links_resolve(scratch_site.out, "/briefs/")




def test_places_merge_spellings_and_list_briefings_events_and_incidents(
        months: ScratchSite) -> None:
    kyiv = months.page("places/kyiv/index.html")
    assert kyiv.find("h1").text == "Kyiv"
    assert listed_briefings(kyiv) == [
        "/briefs/briefings/2025-03-15-mar/", "/briefs/briefings/2025-02-20-feb/"]
    assert [li.find("p", class_="what").text for li in listed_events(kyiv)] == [
        "March event.", "Feb event.", "January event."]
    capital = months.page("places/capital/index.html")
    assert [r.attrs["id"] for r in incident_rows(capital)] == ["incident-2025-04-06-first-0"]
    # Everything fits on the place's page: no month pages.
    assert not (months.out / "places/kyiv/2025-03").exists()
    index = months.page("places/index.html")
    assert [a.text for a in index.by_id("place-index").find_all("a")] == ["Capital", "Kyiv"]


def test_briefing_page_links_tags_places_and_actors(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()
    page = scratch_site.page()
    assert [a.attrs["href"] for a in page.find("ul", class_="tags").find_all("a")] == [
        "/briefs/tags/strikes/"]
    assert page.by_id("chronology").find(class_="place").find("a").attrs["href"] == (
        "/briefs/places/capital/")
    assert page.by_id("chronology").find(class_="actor-ref").find("a").attrs["href"] == (
        "/briefs/actors/alpha/")
    names = page.by_id("actors").find_all(class_="actor-name")
    assert [n.find_all("a")[0].attrs["href"] if n.find_all("a") else None for n in names] == [
        "/briefs/actors/alpha/", None]  # an inline actor has no page
    tag = scratch_site.page("tags/strikes/index.html")
    assert tag.find("h1").text == "strikes"
    assert listed_briefings(tag) == ["/briefs/briefings/2025-04-06-first/"]
    assert len(listed_events(tag)) == 1
    assert len(incident_rows(tag)) == 1
    assert_links_resolve(scratch_site.out, "/briefs/")


def test_actor_pages_list_every_registry_actor(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()
    index = scratch_site.page("actors/index.html")
    assert [a.text for a in index.by_id("actor-index").find_all("a", class_="actor-name")] == [
        "Alex Alpha", "Bravo Ministry"]
    alpha = scratch_site.page("actors/alpha/index.html")
    assert alpha.find("h1").text == "Alex Alpha"
    assert [li.text for li in alpha.by_id("aliases").find_all("li")] == ["Alpha"]
    assert alpha.find(class_="role").text == "Announced the talks"
    assert len(listed_events(alpha)) == 1
    bravo = scratch_site.page("actors/bravo-ministry/index.html")
    assert not listed_events(bravo) and not listed_briefings(bravo)


def test_each_listing_of_a_briefing_shows_its_own_role_or_summary(
        scratch_site: ScratchSite) -> None:
    # A briefing's list item is rendered once per build and reused: reuse
    # must never carry one actor's role to another actor's page, or to a
    # place or tag page, which shows the summary.
    scratch_site.write(BRIEFING_PATH, BRIEFING.replace(
        "  - name: Charlie Civilian\n",
        "  - id: bravo-ministry\n    role: Denied it\n  - name: Charlie Civilian\n"))
    scratch_site.build_ok()

    def item(rel: str) -> tuple[str, str]:
        [li] = scratch_site.page(rel).find_all("li", class_="briefing-item")
        role, summary = li.find_all(class_="role"), li.find_all(class_="summary")
        return (role[0].text if role else "", summary[0].text if summary else "")

    assert item("actors/alpha/index.html") == ("Announced the talks", "")
    assert item("actors/bravo-ministry/index.html") == ("Denied it", "")
    summary = ("", "A short summary of the first briefing.")
    assert item("tags/strikes/index.html") == summary
    assert item("places/capital/index.html") == summary


def test_nav_links_every_section(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok()
    nav = scratch_site.page("casualties/index.html").find("nav")
    links = {a.text: a for a in nav.find_all("a")}
    assert list(links) == ["Briefings", "Chronology", "Actors", "Places", "Tags", "Casualties"]
    assert links["Casualties"].attrs.get("aria-current") == "page"
    assert links["Places"].attrs["href"] == "/briefs/places/"


# --- incremental rebuilds ----------------------------------------------------------------


def test_incremental_render_matches_a_clean_render(revised: ScratchSite) -> None:
    options = BuildOptions(revised.root, revised.root / "unused")
    cache = BuildCache()
    render(options, cache)
    registry = (revised.root / "content/actors.yaml").read_text(encoding="utf-8")
    edits = [
        # A revision that moves the incident, a new month, a renamed actor.
        {"content/briefings/2025-04-06-late.md": briefing(
            title="Late report", date="2025-04-06", extra="casualties:\n" + casualty(
                "Kryvyi Rih district", "20", incident="kr-strike", injured="dozens")
            + "chronology:\n" + event("2025-05-01", "Kyiv", "Alpha speaks.")),
         "content/actors.yaml": registry.replace("Bravo Ministry", "Bravo Ministry of Defence")},
        # An earlier report changes: the page of the place the incident moved to
        # shows it as a revision, though that briefing is not about the place.
        {"content/briefings/2025-04-05-early.md": briefing(
            title="Early report", date="2025-04-05", extra="casualties:\n" + casualty(
                "Kryvyi Rih", "at least 17", incident="kr-strike", injured="dozens"))},
    ]
    for edit in edits:
        for rel, text in edit.items():
            revised.write(rel, text)
        _, incremental = render(options, BuildCache(pages=cache.pages))
        _, clean = render(options)
        pages = {k for k in clean if k.endswith(".html")}
        assert {k for k in incremental if k.endswith(".html")} == pages
        assert {k: incremental[k] for k in pages} == {k: clean[k] for k in pages}
    district = parse_html(str(clean["places/kryvyi-rih-district/index.html"]))
    assert district.find(class_="revision").text == "at least 17 (5 Apr)"
    assert "chronology/2025-05/index.html" in pages


# --- the repository's own briefing -------------------------------------------------------


@pytest.fixture(scope="module")
def repo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("repo") / "site"
    result = invoke("build", "-s", str(REPO), "-o", str(out),
                    "--base-url", "https://example.github.io/repo/")
    assert result.exit_code == 0, result.output
    return out


def test_seed_briefing_appears_on_every_page_it_belongs_to(repo_site: Path) -> None:
    site = load_site(REPO)
    [seed] = [b for b in site.briefings if b.slug == "2025-04-06-ceasefire-talks-kyiv-strike"]
    href = f"/repo/briefings/{seed.slug}/"

    def page(rel: str) -> Node:
        return parse_html((repo_site / rel).read_text(encoding="utf-8"))

    def links_to_seed(node: Node) -> int:
        return sum(1 for a in node.find_all("a") if a.attrs.get("href", "").startswith(href))

    for actor_id in seed.actor_ids:
        assert href in listed_briefings(page(f"actors/{actor_id}/index.html")), actor_id
    for place in {e.place for e in seed.chronology} | {r.place for r in seed.casualties}:
        assert links_to_seed(page(f"places/{slugify(place)}/index.html")), place
    for tag in seed.tags:
        assert href in listed_briefings(page(f"tags/{slugify(tag)}/index.html")), tag
    chronology = [li for path in sorted(repo_site.glob("chronology/*-*/index.html"))
                  for li in page(path.relative_to(repo_site).as_posix()).find_all(
                      "li", class_="event") if links_to_seed(li)]
    assert len(chronology) == len(seed.chronology)
    casualties = page("casualties/index.html")
    ids = {r.attrs["id"] for r in incident_rows(casualties)}
    assert {f"incident-{r.incident}" for r in seed.casualties if r.incident} <= ids
    assert sum(links_to_seed(r) for r in incident_rows(casualties)) >= len(seed.casualties)
    home = page("index.html")
    assert home.by_id("key-figures").find(class_="killed").find("dd").text == "at least 20"
    assert home.by_id("latest-events").find_all("li", class_="event")


def test_seed_briefing_body_links_its_actors(repo_site: Path) -> None:
    page = parse_html((repo_site / "briefings/2025-04-06-ceasefire-talks-kyiv-strike/index.html")
                      .read_text(encoding="utf-8"))
    hrefs = [a.attrs["href"] for a in page.find("section", class_="body").find_all(
        "a", class_="actor-link")]
    assert len(hrefs) == len(set(hrefs))
    assert "/repo/actors/zelensky/" in hrefs  # written "Zelenskiy" in the body
    assert "/repo/actors/dmitriev/" in hrefs


def test_repository_site_has_no_broken_internal_links(repo_site: Path) -> None:
    assert_links_resolve(repo_site, "/repo/")


def test_items_shared_before_forking_give_the_same_site(
        revised: ScratchSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large one-off build renders every event item, incident row and briefing item
    once, before forking its workers."""
    from briefgen import parallel, sitepages

    # The revised site's events, with non-ASCII text (the buffer is UTF-8).
    revised.write("content/briefings/2025-04-08-third.md", briefing(
        title="Third", date="2025-04-08",
        extra="chronology:\n" + event("2025-04-07", "Київ", "Strike on «Київ» — drones")))
    found: list[bool] = []
    kinds: set[str] = set()
    real_encoded = sitepages.SharedItems.encoded

    def counting(self: sitepages.SharedItems, key: tuple[object, ...]) -> object:
        item = real_encoded(self, key)
        found.append(item is not None)
        kinds.add("event" if len(key) == 2 else "row" if isinstance(key[0], int) else "briefing")
        return item

    monkeypatch.setattr(sitepages.SharedItems, "encoded", counting)
    built = invoke("build", "-s", str(revised.root), "-o", str(tmp_path / "lazy"), "--no-cache")
    assert built.exit_code == 0, built.output
    assert found == []  # a small site: items are rendered page by page
    monkeypatch.setattr(parallel, "MIN_PARALLEL_PAGES", 1)
    monkeypatch.setattr(sitepages, "SHARE_CHUNK", 1)  # items rendered by forked workers too
    built = invoke("build", "-s", str(revised.root), "-o", str(tmp_path / "shared"), "--no-cache")
    assert built.exit_code == 0, built.output
    assert found and all(found)
    assert kinds == {"event", "row", "briefing"}
    assert revised.snapshot(tmp_path / "shared") == revised.snapshot(tmp_path / "lazy")
    chronology = (tmp_path / "shared" / "chronology" / "index.html").read_text()
    assert "Strike on «Київ» — drones" in chronology


def test_a_theme_passing_another_event_macro_is_not_given_shared_items(
        revised: ScratchSite) -> None:
    from briefgen.indexes import derive
    from briefgen.sitepages import Snippets

    site = load_site(revised.root, workers=1)
    refs = derive(site).events
    snippets = Snippets(site.actors)
    snippets.share_events(refs, lambda ref, registry, show_date: f"<li>{ref.entry.place}</li>")
    other = snippets.event(refs[0], lambda ref, registry, show_date: "<li>theme</li>")
    assert str(other) == "<li>theme</li>"


def test_a_theme_showing_bodies_on_other_pages_gets_them(
        scratch_site: ScratchSite, tmp_path: Path) -> None:
    """One-off builds free the bodies after the briefing pages, unless a theme shows them."""
    scratch_site.write("templates/index.html", textwrap.dedent("""\
        {% extends "base.html" %}{% block main %}
        {% for b in briefings %}<article class="excerpt">{{ b.body_html | safe }}</article>
        {% endfor %}{% endblock %}
        """))
    built = invoke("build", "-s", str(scratch_site.root), "-o", str(tmp_path / "out"),
                   "--no-cache")
    assert built.exit_code == 0, built.output
    home = parse_html((tmp_path / "out" / "index.html").read_text())
    excerpt = home.find("article", class_="excerpt")
    assert "The body of the first briefing." in excerpt.text


def test_a_kept_casualty_section_follows_a_place_renamed_by_a_briefing_without_incidents(
    scratch_site: ScratchSite, tmp_path: Path
) -> None:
    """The dashboard names places as first spelt, maybe by a briefing it does not show."""
    first = scratch_site.write("content/briefings/2025-02-20-feb.md", briefing(
        title="February", date="2025-02-20",
        extra="chronology:\n" + event("2025-02-19", "kyiv", "An early event.")))
    scratch_site.write("content/briefings/2025-03-15-mar.md", briefing(
        title="March", date="2025-03-15", extra="casualties:\n" + casualty("Kyiv", "3")))
    scratch_site.build_ok()
    assert "kyiv" in scratch_site.page("casualties/index.html").by_id("main").text
    first.write_text(first.read_text().replace("place: kyiv", "place: KYIV"))

    scratch_site.build_ok()

    assert "KYIV" in scratch_site.page("casualties/index.html").by_id("main").text
    clean = tmp_path / "clean"
    scratch_site.build_ok("--no-cache", "--output", str(clean))
    assert scratch_site.snapshot() == scratch_site.snapshot(clean)
