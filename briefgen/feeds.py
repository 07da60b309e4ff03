"""Discovery files: the Atom feed, the sitemap and ``robots.txt``.

Feed readers and search engines reach a briefing site through these, so they
use absolute URLs built from ``base_url`` (a project site on GitHub Pages
lives under ``/repo/``, and a relative URL in a feed is resolved by each
reader differently). They are built with ElementTree rather than templates:
titles come from contributors, and "<b>&</script>" in a title must stay text
in every reader. Timestamps come from the briefings' datelines, never from
the clock, so two builds of the same content give the same bytes.

Pure: the site model and the list of output paths in, ``{path: content}`` out.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import quote
from zoneinfo import ZoneInfo

from briefgen.model import Briefing, Site, SiteConfig

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SITEMAP_LIMIT = 50_000
"""URLs per sitemap file; the sitemaps.org protocol allows no more."""

# Characters XML 1.0 cannot carry at all, even escaped; ElementTree would
# write them and produce a document every parser rejects.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")



def _xml_escape(text: str) -> str:
    """``&``, ``<`` and ``>`` escaped, as ``xml.sax.saxutils.escape`` does.

    Not imported from there: that module loads ``urllib.request`` and with it
    the HTTP, e-mail and TLS modules, a twentieth of a second at every start.
    """
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")

def jobs(site: Site, output: Iterable[str],
         environ: Mapping[str, str] | None = None) -> list[Callable[[], dict[str, str | bytes]]]:
    """``feed.xml``, ``sitemap.xml`` (split when huge) and ``robots.txt``, as two jobs.

    ``output`` are the paths of the site's other files, known before any is
    rendered, so these can be made beside the pages by the render workers.
    """
    pages = html_pages(output)

    def feed() -> dict[str, str | bytes]:
        return {"feed.xml": atom_feed(site, environ)}

    def sitemap() -> dict[str, str | bytes]:
        return {**sitemaps(site, pages), "robots.txt": robots_txt(site.config)}

    return [feed, sitemap]


def sitemap_shows(site: Site, output: Iterable[str]) -> list[str]:
    """What the sitemap and robots.txt show besides the config: the pages and their dates.

    The parts of the sitemap's key (the build hashes them with its other keys).
    """
    return [*html_pages(output), *(f"{b.slug}:{last_change(b)}" for b in site.briefings)]


def absolute_url(config: SiteConfig, path: str = "") -> str:
    """The public URL of an output path (``briefings/x/`` → ``https://…/repo/briefings/x/``)."""
    return config.base_url + _quoted_path(path)


@functools.lru_cache(maxsize=65536)
def _quoted_path(path: str) -> str:
    # Cached: the feed, the sitemap and every data file name each briefing's URL.
    return quote(path.lstrip("/"), safe="/-._~")


def briefing_url(config: SiteConfig, briefing: Briefing) -> str:
    return absolute_url(config, f"briefings/{briefing.slug}/")


def page_url_path(output_path: str) -> str:
    """The URL path of an HTML output file: ``a/index.html`` → ``a/``, ``index.html`` → ``""``."""
    if output_path == "index.html":
        return ""
    if output_path.endswith("/index.html"):
        return output_path[: -len("index.html")]
    return output_path


def html_pages(output: Iterable[str]) -> list[str]:
    """Output paths of the pages a visitor can reach; 404.html answers only for missing ones."""
    return sorted(p for p in output if p.endswith(".html") and p != "404.html")


def timestamp(day: dt.date, config: SiteConfig) -> str:
    """An RFC 3339 date-time for a dateline: the start of that day in the site's time zone.

    Briefings carry dates, not times; midnight local keeps the calendar day
    right for readers in the site's own zone.
    """
    moment = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(config.timezone))
    return moment.isoformat()


def last_change(briefing: Briefing) -> dt.date:
    return briefing.updated or briefing.date


def build_time(environ: Mapping[str, str] | None = None) -> str:
    """``SOURCE_DATE_EPOCH`` as RFC 3339 (reproducible builds), else the Unix epoch.

    Used only for a feed with no entries, which has no dateline to take its
    ``updated`` from; the clock would make every build differ.
    """
    env = os.environ if environ is None else environ
    seconds = int(env.get("SOURCE_DATE_EPOCH", "0") or "0")
    moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return moment.isoformat().replace("+00:00", "Z")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


def _root(tag: str, namespace: str, **attrs: str) -> ET.Element:
    # The namespace is declared as a plain attribute and children use bare
    # names: ElementTree's default_namespace option refuses the bare
    # attribute names (rel, href) that Atom requires.
    return ET.Element(tag, {"xmlns": namespace, **attrs})


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def atom_feed(site: Site, environ: Mapping[str, str] | None = None) -> bytes:
    """An RFC 4287 feed of the newest briefings (``feed_entries`` of them), newest first.

    The feed's ``updated`` is the latest change of any briefing, kept or not.
    """
    config = site.config
    feed = _root("feed", ATOM, **{XML_LANG: config.language})
    _sub(feed, "id", config.base_url)
    _sub(feed, "title", config.title)
    if config.description:
        _sub(feed, "subtitle", config.description)
    newest = max((last_change(b) for b in site.briefings), default=None)
    _sub(feed, "updated",
         timestamp(newest, config) if newest else build_time(environ))
    author = _sub(feed, "author")
    # RFC 4287 4.1.1: a feed needs an author unless every entry has one.
    _sub(author, "name", config.author or config.title)
    _sub(author, "uri", config.base_url)
    _sub(feed, "link", rel="self", type="application/atom+xml",
         href=absolute_url(config, "feed.xml"))
    _sub(feed, "link", rel="alternate", type="text/html", href=config.base_url)
    _sub(feed, "generator", "briefgen")
    limit = config.feed_entries or len(site.briefings)
    for briefing in site.briefings[:limit]:
        url = briefing_url(config, briefing)
        entry = _sub(feed, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", briefing.title)
        _sub(entry, "updated", timestamp(last_change(briefing), config))
        _sub(entry, "published", timestamp(briefing.date, config))
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        for tag in briefing.tags:
            _sub(entry, "category", term=tag)
        _sub(entry, "summary", briefing.summary or briefing.title)
    return _serialise(feed)


def sitemaps(site: Site, pages: list[str], limit: int = SITEMAP_LIMIT) -> dict[str, bytes]:
    """``sitemap.xml``; past ``limit`` URLs, an index of ``sitemap-N.xml`` files."""
    config = site.config
    lastmod = {f"briefings/{b.slug}/index.html": last_change(b) for b in site.briefings}
    chunks = [pages[i:i + limit] for i in range(0, len(pages), limit)] or [[]]
    if len(chunks) == 1:
        return {"sitemap.xml": _urlset(config, chunks[0], lastmod)}
    built = {f"sitemap-{n}.xml": _urlset(config, chunk, lastmod)
             for n, chunk in enumerate(chunks, start=1)}
    index = _root("sitemapindex", SITEMAP)
    for name in built:
        _sub(_sub(index, "sitemap"), "loc", absolute_url(config, name))
    built["sitemap.xml"] = _serialise(index)
    return built


def _urlset(config: SiteConfig, pages: list[str], lastmod: Mapping[str, dt.date]) -> bytes:
    # Laid out as ElementTree's indent() would, by hand: building and
    # serialising 21,000 elements took a second on every build. A URL is
    # the only text, escaped as ElementTree escapes text.
    if not pages:
        return f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{SITEMAP}" />\n'.encode()
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n', f'<urlset xmlns="{SITEMAP}">']
    for path in pages:
        loc = _xml_escape(_text(absolute_url(config, page_url_path(path))))
        parts.append(f"\n  <url>\n    <loc>{loc}</loc>")
        if path in lastmod:
            parts.append(f"\n    <lastmod>{lastmod[path].isoformat()}</lastmod>")
        parts.append("\n  </url>")
    parts.append("\n</urlset>\n")
    return "".join(parts).encode("utf-8")


def robots_txt(config: SiteConfig) -> str:
    """Allow everything and name the sitemap.

    Crawlers read ``robots.txt`` only at the root of a host, so under a
    project site's ``/repo/`` this file is a pointer for people and tools
    rather than a rule; the absolute sitemap URL works from either place.
    """
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute_url(config, 'sitemap.xml')}\n"
