"""The Atom feed, the sitemap, robots.txt and the JSON-LD of briefing pages.

Every file is read back with a real parser (xml.etree, json), because what
matters is what a feed reader or a search engine gets out of it — above all
that a title like ``<b>&</script>`` comes out as the same text.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import CONFIG, ScratchSite, briefing
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen import feeds
from briefgen.feeds import atom_feed, sitemaps
from briefgen.model import Site, SiteConfig

A = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://example.org/briefs/"
NASTY = "<b>&</script> talks"


def feed_of(site: ScratchSite) -> ET.Element:
    return ET.parse(site.out / "feed.xml").getroot()


def jsonld_of(site: ScratchSite, slug: str) -> dict[str, object]:
    page = site.page(f"briefings/{slug}/index.html")
    head = page.find("head")
    scripts = head.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    (text,) = scripts[0].children
    assert isinstance(text, str)
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


def add_second(site: ScratchSite, title: str = "Second briefing", extra: str = "") -> None:
    site.write("content/briefings/2025-04-08-second.md",
               briefing(title=title, date="2025-04-08", extra=extra))


def test_feed_has_the_required_elements(scratch_site: ScratchSite) -> None:
    add_second(scratch_site, extra="summary: The second one.\nupdated: 2025-04-09\n")
    scratch_site.build_ok()
    feed = feed_of(scratch_site)
    assert feed.tag == A + "feed"
    assert feed.findtext(A + "id") == BASE
    assert feed.findtext(A + "title") == "Test Briefings"
    # Europe/Kyiv is UTC+3 in April; the newest change is the second briefing's update.
    assert feed.findtext(A + "updated") == "2025-04-09T00:00:00+03:00"
    assert feed.findtext(f"{A}author/{A}name") == "Test Briefings"
    links = {link.get("rel"): link.get("href") for link in feed.findall(A + "link")}
    assert links == {"self": BASE + "feed.xml", "alternate": BASE}

    entries = feed.findall(A + "entry")
    assert [e.findtext(A + "title") for e in entries] == ["Second briefing", "First briefing"]
    second, first = entries
    assert second.findtext(A + "id") == BASE + "briefings/2025-04-08-second/"
    assert second.findtext(A + "published") == "2025-04-08T00:00:00+03:00"
    assert second.findtext(A + "updated") == "2025-04-09T00:00:00+03:00"
    assert second.findtext(A + "summary") == "The second one."
    assert first.findtext(A + "updated") == first.findtext(A + "published")
    assert first.findtext(A + "summary") == "A short summary of the first briefing."
    assert [c.get("term") for c in first.findall(A + "category")] == ["strikes"]
    for entry in entries:
        (link,) = entry.findall(A + "link")
        assert link.get("rel") == "alternate"
        href = link.get("href") or ""
        assert href == entry.findtext(A + "id")
        # The link leads to a page the build wrote.
        assert (scratch_site.out / href.removeprefix(BASE) / "index.html").is_file()


def test_feed_carries_the_newest_briefings_up_to_feed_entries(scratch_site: ScratchSite) -> None:
    add_second(scratch_site, extra="updated: 2025-04-09\n")
    scratch_site.write("content/briefings/2025-04-07-third.md",
                       briefing(title="Third briefing", date="2025-04-07"))
    scratch_site.write("briefgen.yaml", CONFIG + "feed_entries: 2\n")
    scratch_site.build_ok()
    feed = feed_of(scratch_site)
    titles = [e.findtext(A + "title") for e in feed.findall(A + "entry")]
    assert titles == ["Second briefing", "Third briefing"]
    assert feed.findtext(A + "updated") == "2025-04-09T00:00:00+03:00"
    # The sitemap still lists every briefing.
    sitemap = ET.parse(scratch_site.out / "sitemap.xml").getroot()
    locs = {u.findtext(SM + "loc") for u in sitemap.findall(SM + "url")}
    assert BASE + "briefings/2025-04-06-first/" in locs

    scratch_site.write("briefgen.yaml", CONFIG + "feed_entries: 0\n")
    scratch_site.build_ok()
    assert len(feed_of(scratch_site).findall(A + "entry")) == 3


def test_feed_author_and_base_url_come_from_config(scratch_site: ScratchSite) -> None:
    scratch_site.write("briefgen.yaml", CONFIG + "author: The Desk\n")
    scratch_site.build_ok("--base-url", "https://user.github.io/repo/")
    feed = feed_of(scratch_site)
    assert feed.findtext(f"{A}author/{A}name") == "The Desk"
    assert feed.findtext(A + "id") == "https://user.github.io/repo/"
    entry_ids = [e.findtext(A + "id") for e in feed.findall(A + "entry")]
    assert entry_ids == ["https://user.github.io/repo/briefings/2025-04-06-first/"]
    assert jsonld_of(scratch_site, "2025-04-06-first")["publisher"] == {
        "@type": "Organization", "name": "The Desk", "url": "https://user.github.io/repo/"}


def test_markup_in_titles_stays_text_in_feed_and_jsonld(scratch_site: ScratchSite) -> None:
    add_second(scratch_site, title=f'"{NASTY}"', extra='summary: "Fish & <i>chips</i>"\n')
    scratch_site.build_ok()
    raw = (scratch_site.out / "feed.xml").read_text(encoding="utf-8")
    assert "<b>" not in raw and "</script>" not in raw
    entry = feed_of(scratch_site).findall(A + "entry")[0]
    assert entry.findtext(A + "title") == NASTY
    assert entry.findtext(A + "summary") == "Fish & <i>chips</i>"

    data = jsonld_of(scratch_site, "2025-04-08-second")
    assert data["headline"] == NASTY
    assert data["description"] == "Fish & <i>chips</i>"
    html = (scratch_site.out / "briefings/2025-04-08-second/index.html").read_text()
    script = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert not set("<>&") & set(script)
    # The page's only script element is the JSON-LD, and no <b> got into the head.
    page = scratch_site.page("briefings/2025-04-08-second/index.html")
    assert len(page.find_all("script")) == 1
    assert not page.find("head").find_all("b")


def test_jsonld_describes_the_briefing(scratch_site: ScratchSite) -> None:
    add_second(scratch_site, extra="""\
        updated: 2025-04-10
        tags: [talks]
        actors:
          - id: bravo-ministry
            role: Denied it
        chronology:
          - date: 2025-04-07
            place: Capital
            event: Talks.
            actors: [alpha, bravo-ministry]
            source: wire
        """)
    scratch_site.build_ok()
    data = jsonld_of(scratch_site, "2025-04-08-second")
    url = BASE + "briefings/2025-04-08-second/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Second briefing"
    assert data["url"] == data["mainEntityOfPage"] == url
    assert data["datePublished"] == "2025-04-08"
    assert data["dateModified"] == "2025-04-10"
    assert data["keywords"] == ["talks"]
    assert data["author"] == data["publisher"]
    # Key actors first, then those named only in the chronology.
    assert data["about"] == [
        {"@type": "Organization", "name": "Bravo Ministry",
         "description": "The defence ministry.", "url": BASE + "actors/bravo-ministry/"},
        {"@type": "Person", "name": "Alex Alpha", "alternateName": ["Alpha"],
         "description": "Minister of the interior of Ruritania.",
         "url": BASE + "actors/alpha/"},
    ]
    first = jsonld_of(scratch_site, "2025-04-06-first")
    assert first["dateModified"] == first["datePublished"] == "2025-04-06"
    # Charlie Civilian is written inline, not in the registry: not a schema.org thing.
    about = first["about"]
    assert isinstance(about, list)
    assert [a["name"] for a in about] == ["Alex Alpha"]


def test_sitemap_lists_every_page(scratch_site: ScratchSite) -> None:
    add_second(scratch_site, extra="updated: 2025-04-09\n")
    scratch_site.build_ok()
    root = ET.parse(scratch_site.out / "sitemap.xml").getroot()
    assert root.tag == SM + "urlset"
    listed = {u.findtext(SM + "loc"): u.findtext(SM + "lastmod") for u in root.findall(SM + "url")}

    pages = sorted(p.relative_to(scratch_site.out).as_posix()
                   for p in scratch_site.out.rglob("*.html"))
    assert "404.html" in pages
    expected = {BASE + p.removesuffix("index.html") for p in pages if p != "404.html"}
    assert set(listed) == expected
    assert len(listed) == len(pages) - 1
    assert listed[BASE + "briefings/2025-04-08-second/"] == "2025-04-09"
    assert listed[BASE + "briefings/2025-04-06-first/"] == "2025-04-06"


def test_robots_txt_points_at_the_sitemap(scratch_site: ScratchSite) -> None:
    scratch_site.build_ok("--base-url", "https://user.github.io/repo")
    lines = (scratch_site.out / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in lines
    assert "Sitemap: https://user.github.io/repo/sitemap.xml" in lines


def test_feeds_are_deterministic(scratch_site: ScratchSite, tmp_path: Path) -> None:
    add_second(scratch_site)
    scratch_site.build_ok()
    first = scratch_site.snapshot()
    scratch_site.build_ok("-o", str(tmp_path / "again"))
    again = scratch_site.snapshot(tmp_path / "again")
    for name in ("feed.xml", "sitemap.xml", "robots.txt"):
        assert first[name] == again[name]


def empty_site(config: SiteConfig) -> Site:
    return Site(config=config, briefings=(), actors={})


def test_empty_feed_takes_its_time_from_source_date_epoch() -> None:
    config = SiteConfig(title="T", description="", base_url=BASE, language="en",
                        timezone="UTC")
    feed = ET.fromstring(atom_feed(empty_site(config), {"SOURCE_DATE_EPOCH": "1744000000"}))
    assert feed.findtext(A + "updated") == "2025-04-07T04:26:40Z"
    assert feed.findall(A + "entry") == []
    feed = ET.fromstring(atom_feed(empty_site(config), {}))
    assert feed.findtext(A + "updated") == "1970-01-01T00:00:00Z"


def test_a_huge_sitemap_is_split_under_an_index() -> None:
    config = SiteConfig(title="T", description="", base_url=BASE, language="en",
                        timezone="UTC")
    pages = ["index.html", "a/index.html", "b/index.html", "c.html", "d/index.html"]
    built = sitemaps(empty_site(config), pages, limit=2)
    assert sorted(built) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(built["sitemap.xml"])
    assert index.tag == SM + "sitemapindex"
    assert [s.findtext(SM + "loc") for s in index] == [
        BASE + f"sitemap-{n}.xml" for n in (1, 2, 3)]
    locs = [u.findtext(SM + "loc") for n in (1, 2, 3)
            for u in ET.fromstring(built[f"sitemap-{n}.xml"])]
    assert locs == [BASE, BASE + "a/", BASE + "b/", BASE + "c.html", BASE + "d/"]


def _urlset_by_elementtree(config: SiteConfig, pages: list[str],
                           lastmod: dict[str, dt.date]) -> bytes:
    """The sitemap as ElementTree writes it, the reference for the hand-laid one."""
    urlset = ET.Element("urlset", {"xmlns": SM.strip("{}")})
    for path in pages:
        url = ET.SubElement(urlset, "url")
        ET.SubElement(url, "loc").text = feeds._text(
            feeds.absolute_url(config, feeds.page_url_path(path)))
        if path in lastmod:
            ET.SubElement(url, "lastmod").text = lastmod[path].isoformat()
    ET.indent(urlset)
    body = ET.tostring(urlset, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(paths=st.lists(st.text(min_size=1, max_size=12), max_size=6, unique=True),
       dated=st.sets(st.integers(0, 5)), base=st.sampled_from(
           ["https://example.org/briefs/", "https://e.org/r&d<x>/"]))
def test_sitemap_is_what_elementtree_would_write(paths: list[str], dated: set[int],
                                                 base: str) -> None:
    config = SiteConfig(title="T", description="", base_url=base, language="en",
                        timezone="UTC")
    pages = [f"{p}/index.html" for p in paths]
    lastmod = {page: dt.date(2025, 4, 1 + n) for n, page in enumerate(pages) if n in dated}
    assert feeds._urlset(config, pages, lastmod) == _urlset_by_elementtree(config, pages, lastmod)
    ET.fromstring(feeds._urlset(config, pages, lastmod))  # well-formed
