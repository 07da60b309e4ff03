"""Render the site model into output files, purely: model in, ``{path: content}`` out.

Nothing here touches the output folder; the writer does. Every page is a
:class:`Page`: its output path, its template, a ``key`` naming everything the
page shows (fingerprints of the briefings it draws on) and a function that
builds its context only when the page must be rendered. A
:class:`RenderCache` keeps the previous build's pages by key, so a rebuild
renders only the pages whose inputs changed — and, since the key covers all
inputs, gives the same bytes as a clean build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from briefgen import parallel
from briefgen.actorlinks import ActorLinker
from briefgen.errors import BuildError, ContentError
from briefgen.figures import Figure, Total, total
from briefgen.jsonld import news_article
from briefgen.model import Briefing, CasualtyRecord, Site
from briefgen.parallel import render_all
from briefgen.staging import StagedFile, Stager

Content = str | bytes
Output = dict[str, Content | StagedFile]
"""Output path → content; a :class:`StagedFile` only in a build given a stager."""


def in_memory(output: Output) -> dict[str, Content]:
    """The output of a build without a stager, typed as such (the preview server's)."""
    held: dict[str, Content] = {}
    for path, content in output.items():
        if isinstance(content, StagedFile):
            raise TypeError(f"{path} was staged on disk; this caller needs it in memory")
        held[path] = content
    return held
Context = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render."""

    path: str
    """Output path relative to the site root, e.g. ``briefings/x/index.html``."""
    template: str
    key: str
    """Changes whenever anything the page shows changes (theme and config aside)."""
    context: Callable[[], Context]
    """Builds the template context; called only when the page is rendered."""
    shows_body: bool = False
    """Shows a briefing's body: rendered before the other pages (see ``render_pages``)."""


@dataclass(slots=True)
class RenderCache:
    """Rendered pages of the previous build, reused while their key holds."""

    theme_key: str = ""
    pages: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Output path → (page key, HTML)."""


@dataclass(frozen=True, slots=True)
class RenderStats:
    rendered: int
    reused: int
    keys: dict[str, str] = field(default_factory=dict)
    """Output path → page key of every page, for the persistent page store."""
    made: tuple[tuple[str, ...], ...] = ()
    """The output paths each of the ``jobs`` made, in their order."""


Reuse = Callable[[Page], "str | None"]
"""Gives a page's HTML from a previous build when it is known unchanged, else None."""


def key_of(parts: Iterable[str]) -> str:
    """A short fingerprint of strings (briefing fingerprints, slugs, ids)."""
    # Each part followed by a NUL, hashed in one piece: the same digest as
    # part by part, at a fraction of the calls (pages across briefings hash
    # hundreds of thousands of fingerprints).
    listed = parts if isinstance(parts, list) else list(parts)
    data = "\0".join(listed).encode() + b"\0" if listed else b""
    return hashlib.blake2b(data, digest_size=12).hexdigest()


def all_briefings_key(site: Site) -> str:
    # The slug too: a renamed file keeps its bytes but moves its page.
    return key_of(f"{b.slug}:{b.fingerprint}" for b in site.briefings)


@dataclass(frozen=True, slots=True)
class FigureTotals:
    """Totals of a set of casualty records, one per figure column."""

    killed: Total
    injured: Total
    children_killed: Total
    children_injured: Total


def totals_of(records: Iterable[CasualtyRecord]) -> FigureTotals:
    """Each figure column added up (see :func:`~briefgen.figures.total`).

    One pass over the records: the casualty dashboard adds up a large site's
    12,000 incidents three times over (in all, by month, by place).
    """
    killed: list[Figure] = []
    injured: list[Figure] = []
    children_killed: list[Figure] = []
    children_injured: list[Figure] = []
    for record in records:
        if record.killed is not None:
            killed.append(record.killed)
        if record.injured is not None:
            injured.append(record.injured)
        if record.children_killed is not None:
            children_killed.append(record.children_killed)
        if record.children_injured is not None:
            children_injured.append(record.children_injured)
    return FigureTotals(total(killed), total(injured), total(children_killed),
                        total(children_injured))


def registry_key(site: Site) -> str:
    """Fingerprint of the whole actor registry, for pages that show actor names."""
    return key_of(
        f"{a.id}|{a.name}|{a.kind}|{a.affiliation}|{a.aliases}|{a.description}"
        for a in site.actors.values()
    )


def briefing_page(briefing: Briefing, site: Site, link_actors: ActorLinker | None = None,
                  registry: str | None = None) -> Page:
    # A briefing page shows its own file and registry entries: those it lists,
    # and, through alias links in the body, possibly any other, so the key
    # covers the whole registry.
    link_actors = link_actors or actor_linker(site)
    registry = registry if registry is not None else registry_key(site)

    def context() -> Context:
        return {
            "briefing": briefing,
            "events": [(e, [site.actors[a] for a in e.actors]) for e in briefing.chronology],
            "totals": totals_of(briefing.casualties),
            "news_article": news_article(briefing, site),
            "body_html": link_actors(briefing.body_html),
        }

    return Page(f"briefings/{briefing.slug}/index.html", "briefing.html",
                key_of([briefing.fingerprint, registry]), context, shows_body=True)


def actor_linker(site: Site) -> ActorLinker:
    """Links body mentions of registry actors to their pages under the site's base path."""
    base = site.config.base_path
    return ActorLinker(site.actors, lambda actor_id: f"{base}actors/{actor_id}/")


def core_pages(site: Site, home: Page | None = None) -> Iterator[Page]:
    """The home page, the 404 page and one page per briefing.

    ``home`` replaces the plain home page (the one with cross-briefing figures).
    """
    yield home or Page("index.html", "index.html", all_briefings_key(site),
                       lambda: {"briefings": site.briefings})
    yield Page("404.html", "404.html", "", dict)
    link_actors, registry = actor_linker(site), registry_key(site)
    for briefing in site.briefings:
        yield briefing_page(briefing, site, link_actors, registry)


FileJob = Callable[[], "Mapping[str, str | bytes | Iterator[str]]"]
"""Makes files across the whole site in one go (the feed, the sitemap, open data).

A file given as an iterator of text pieces is written as they come (a staged
build), so a data file of a large site is never held whole.
"""


def render_pages(
    pages: Iterable[Page],
    env: jinja2.Environment,
    cache: RenderCache | None = None,
    workers: int | None = None,
    reuse: Reuse | None = None,
    stager: Stager | None = None,
    jobs: Sequence[FileJob] = (),
    bodies_done: Callable[[Sequence[Page]], None] | None = None,
) -> tuple[Output, RenderStats]:
    """Render ``pages``, reusing cached HTML for pages whose key is unchanged.

    Pages to render are spread over ``workers`` processes when there are
    many (``parallel.render_all``); the output is the same either way. With
    a ``stager`` each page goes to disk as soon as it is rendered, so memory
    does not grow with the site (an in-memory ``cache`` needs the HTML and
    takes precedence). ``jobs`` (the feeds) are spread over the same workers,
    first, so their files are made while pages render instead of after them;
    their files follow the pages in the output. With ``bodies_done``, the
    pages that show a briefing's body are rendered first and it is called
    with the others before they are: a one-off build frees the bodies
    there, so the workers rendering the rest never hold them.
    """
    output: Output = {}
    todo: list[Page] = []
    pages_list = list(pages)
    for page in pages_list:
        if page.path in output:
            # Two pages for one path means two things claim one URL (a slug collision).
            raise BuildError([ContentError(Path(page.path), 0, 0,
                                           "two pages would be written to this path; "
                                           "rename one of the briefings, tags or places.")])
        cached = cache.pages.get(page.path) if cache else None
        previous = reuse(page) if reuse and not cached else None
        if cached and cached[0] == page.key:
            output[page.path] = cached[1]
        elif previous is not None:
            output[page.path] = previous
        else:
            output[page.path] = ""  # keeps the page order; filled in below
            todo.append(page)
    staging = stager if cache is None else None

    def make(item: Page | FileJob) -> Output:
        if isinstance(item, Page):
            html = env.get_template(item.template).render(item.context(), page_path=item.path)
            return {item.path: keep(item.path, html, staging)}
        return run_job(item, staging)

    # On a large site the sitemap lists tens of thousands of pages: worth a
    # worker even when few pages changed. It is made with the feed or not at
    # all (the feed's key covers every path too), and the feed alone is not
    # worth forking for.
    large = len(pages_list) >= parallel.MIN_PARALLEL_PAGES
    min_items = 2 if len(jobs) >= 2 and large else None
    if bodies_done is not None:
        # The jobs go with the body pages, so their workers are gone before
        # the pages across briefings are forked for.
        todo = [*(p for p in todo if p.shows_body), *(p for p in todo if not p.shows_body)]
        first = sum(1 for p in todo if p.shows_body)
        rest = todo[first:]
        before: list[Page | FileJob] = [*jobs, *todo[:first]]
        made = render_all(before, make, workers, min_items=min_items)
        bodies_done(rest)
        made += render_all(rest, make, workers)
    else:
        items: list[Page | FileJob] = [*jobs, *todo]
        made = render_all(items, make, workers, min_items=min_items)
    for page, result in zip(todo, made[len(jobs):], strict=True):
        content = output[page.path] = result[page.path]
        if cache is not None and isinstance(content, str):
            cache.pages[page.path] = (page.key, content)
    if cache is not None:
        for gone in set(cache.pages) - set(output):
            del cache.pages[gone]
    for result in made[:len(jobs)]:
        output.update(result)
    keys = {page.path: page.key for page in pages_list}
    return output, RenderStats(len(todo), len(pages_list) - len(todo), keys,
                               tuple(tuple(result) for result in made[:len(jobs)]))


def keep(path: str, content: Content | Iterator[str],
         stager: Stager | None) -> Content | StagedFile:
    """A rendered file as the output holds it: staged on disk with a ``stager``, else as text."""
    if stager is not None:
        return stager.stage(path, content)
    return content if isinstance(content, str | bytes) else "".join(content)


def run_job(job: FileJob, stager: Stager | None = None) -> Output:
    """The files a site-wide job makes, as the output holds them (see :func:`keep`)."""
    return {path: keep(path, content, stager) for path, content in job().items()}


def static_files(template_dirs: list[Path]) -> dict[str, Path]:
    """``static/`` files of the theme, the site's own overriding by name."""
    found: dict[str, Path] = {}
    for folder in reversed(template_dirs):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    found[path.relative_to(folder).as_posix()] = path
    return found


def site_files(site: Site) -> Output:
    """Files GitHub Pages needs beside the pages."""
    files: Output = {".nojekyll": ""}  # otherwise Pages runs Jekyll, which hides "_" folders
    if site.config.cname:
        files["CNAME"] = site.config.cname + "\n"
    return files


SiteWide = Callable[[list[str]], "tuple[Output, Sequence[FileJob]]"]
"""Given every other output path: the site-wide files kept as they are, and jobs for the rest."""


def render_site(
    site: Site,
    env: jinja2.Environment,
    template_dirs: list[Path],
    cache: RenderCache | None = None,
    extra_pages: Iterable[Page] = (),
    home: Page | None = None,
    reuse: Reuse | None = None,
    workers: int | None = None,
    stager: Stager | None = None,
    site_wide: SiteWide | None = None,
    bodies_done: Callable[[Sequence[Page]], None] | None = None,
) -> tuple[Output, RenderStats]:
    """The whole site as ``{relative path: content}``.

    ``site_wide`` plans the files made from the whole site (the sitemap lists
    every page, so it is told every path before anything is rendered); its
    jobs run beside the pages.
    """
    pages = [*core_pages(site, home), *extra_pages]
    static = static_files(template_dirs)
    extra = site_files(site)
    kept: Output = {}
    jobs: Sequence[FileJob] = ()
    if site_wide is not None:
        kept, jobs = site_wide([*(page.path for page in pages), *static, *extra])
    output, stats = render_pages(pages, env, cache, workers=workers, reuse=reuse,
                                 stager=stager, jobs=jobs, bodies_done=bodies_done)
    for rel, path in static.items():
        output[rel] = path.read_bytes()
    output.update(extra)
    output.update(kept)
    return output, stats
