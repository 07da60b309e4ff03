"""``briefgen check``: valid content, then no broken internal links in the built site.

A broken link in a briefing site is a fact a reader cannot verify: a source
anchor that is not there, a chronology entry pointing at a renamed briefing,
a theme link missing the ``/repo/`` of a project site. The content is
validated by rendering it in memory (nothing is written), then every HTML
file of the built site is parsed and each internal ``href``/``src`` is
resolved the way a browser would — against the page's URL under
``base_url`` — and looked up among the site's files, with its ``#anchor``
among the target page's ids. Every problem is listed with the page and line
it is on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

from briefgen.build import render
from briefgen.buildcheck import BuildOptions
from briefgen.errors import BriefgenError, ConfigError
from briefgen.feeds import page_url_path

log = logging.getLogger(__name__)

# Attributes that make the browser fetch or navigate to a URL.
LINK_ATTRS = {
    "a": ("href",), "area": ("href",), "link": ("href",),
    "img": ("src", "srcset"), "source": ("src", "srcset"), "script": ("src",),
    "iframe": ("src",), "audio": ("src",), "video": ("src", "poster"),
    "track": ("src",), "embed": ("src",), "input": ("src",),
}  # fmt: skip
# Fragments a browser resolves without an element of that id (HTML's
# "indicated part of the document": the top of the page).
BUILTIN_FRAGMENTS = frozenset({"", "top"})


@dataclass(frozen=True, slots=True)
class BrokenLink:
    page: str
    """Output path of the page the link is on."""
    line: int
    url: str
    """The link as written in the page."""
    reason: str

    def format(self, out_dir: Path | None = None) -> str:
        where = (out_dir / self.page).as_posix() if out_dir else self.page
        return f"{where}:{self.line}: broken link '{self.url}': {self.reason}"


@dataclass(frozen=True, slots=True)
class CheckReport:
    pages: int
    links: int
    """Internal links checked."""
    broken: tuple[BrokenLink, ...]


class LinkError(BriefgenError):
    """The built site has broken internal links."""

    def __init__(self, report: CheckReport, out_dir: Path) -> None:
        self.report = report
        self.out_dir = out_dir
        super().__init__(self.format())

    def format(self) -> str:
        lines = [b.format(self.out_dir) for b in self.report.broken]
        count = len(self.report.broken)
        lines.append(f"{count} broken link{'s' if count != 1 else ''} found in "
                     f"{self.report.pages} pages of {self.out_dir}.")
        if all(b.reason.startswith("outside the site") for b in self.report.broken):
            lines.append("If the site was built with --base-url, pass the same to check.")
        return "\n".join(lines)


class _PageParser(HTMLParser):
    """The ids a page defines and the URLs it links to, with their lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "base" and "href" in values and self.base is None:
            self.base = values["href"]
        line = self.getpos()[0]
        for attr in LINK_ATTRS.get(tag, ()):
            value = values.get(attr, "").strip()
            if not value:
                continue
            if attr == "srcset":
                # "a.jpg 1x, b.jpg 2x": each candidate's URL is its first word.
                self.links.extend((line, c.split()[0]) for c in value.split(",") if c.split())
            else:
                self.links.append((line, value))



def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def check_links(files: Mapping[str, str | bytes], base_url: str) -> CheckReport:
    """Every broken internal link of the site in ``files`` (output path → content)."""
    base = urlsplit(base_url)
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    pages = {
        path: parse_page(content if isinstance(content, str)
                         else content.decode("utf-8", errors="replace"))
        for path, content in files.items() if path.endswith(".html")
    }
    broken: list[BrokenLink] = []
    checked = 0
    for path, page in sorted(pages.items()):
        page_url = urljoin(base_url, quote(page_url_path(path), safe="/-._~"))
        if page.base:
            page_url = urljoin(page_url, page.base)
        for line, url in page.links:
            target_url, fragment = urldefrag(urljoin(page_url, url))
            target = urlsplit(target_url)
            if target.scheme not in ("http", "https") or target.netloc != base.netloc:
                continue  # mailto:, data:, another site
            if urlsplit(url).netloc and not target.path.startswith(base_path):
                # Written out in full, a URL outside the base path is another
                # site on the same host (user.github.io/other-repo/).
                continue
            checked += 1
            reason = _problem(target.path, unquote(fragment), base_path, files, pages)
            if reason:
                broken.append(BrokenLink(path, line, url, reason))
    return CheckReport(len(pages), checked, tuple(broken))


def _problem(url_path: str, fragment: str, base_path: str, files: Mapping[str, object],
             pages: Mapping[str, _PageParser]) -> str | None:
    if not url_path.startswith(base_path):
        return f"outside the site's base path {base_path}"
    rel = unquote(url_path[len(base_path):])
    found = _resolve(rel, files)
    if found is None:
        return f"no page or file at {url_path}"
    if fragment not in BUILTIN_FRAGMENTS and found in pages and fragment not in pages[found].ids:
        return f"no element with id '{fragment}' on {url_path}"
    return None


def _resolve(rel: str, files: Mapping[str, object]) -> str | None:
    """The file a web server (GitHub Pages) answers a site-relative path with."""
    if rel == "" or rel.endswith("/"):
        candidates = [rel + "index.html"]
    else:
        # /x serves x, or redirects to x/ when x is a folder, or serves x.html.
        candidates = [rel, rel + "/index.html", rel + ".html"]
    return next((c for c in candidates if c in files), None)


def read_output(out_dir: Path) -> dict[str, bytes]:
    """Every file of a built site, by path relative to it."""
    return {p.relative_to(out_dir).as_posix(): p.read_bytes()
            for p in sorted(out_dir.rglob("*")) if p.is_file()}


def check_site(options: BuildOptions) -> CheckReport:
    """Validate the content, then check the links of the site in ``options.out_dir``.

    Raises :class:`~briefgen.errors.BuildError` on content errors and
    :class:`LinkError` on broken links.
    """
    site, _ = render(options)
    if not options.out_dir.is_dir():
        raise ConfigError(f"{options.out_dir}: no built site here to check links in; run "
                          "'briefgen build' first, or pass the folder with --output.")
    report = check_links(read_output(options.out_dir), site.config.base_url)
    log.info("checked %d links on %d pages", report.links, report.pages)
    if report.broken:
        raise LinkError(report, options.out_dir)
    return report
