"""The one orchestrator: load → derive → render → write.

Everything is read and validated before any HTML exists, and everything is
rendered before anything reaches the output folder (pages wait in memory, or
in a staging folder beside it for ``briefgen build``), so a content error, a
template error or a crash leaves the previous site exactly as it was.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import jinja2

from briefgen import exports, feeds, parallel
from briefgen.buildcheck import BuildOptions, BuildReport, Check, Timings, check_build
from briefgen.collector import kept_out_of_sight
from briefgen.datakeys import current_digests, members
from briefgen.diskcache import DiskCache, KeptFile, PageStore, kept_pages
from briefgen.errors import BuildError
from briefgen.indexes import Chronicle, Indexes, chronicle, derive
from briefgen.loader import BriefingCache, Progress, load_site, load_some
from briefgen.model import Briefing, Site, SiteConfig
from briefgen.parallel import release_free_memory
from briefgen.render import (
    FileJob,
    Output,
    Page,
    RenderCache,
    all_briefings_key,
    briefing_page,
    key_of,
    registry_key,
    render_pages,
    render_site,
    run_job,
)
from briefgen.sitepages import Sections, Snippets, home_page, listed_briefings, site_pages
from briefgen.staging import Stager, staged_beside
from briefgen.templating import make_environment, template_dirs, template_error, theme_key
from briefgen.uptodate import record_build
from briefgen.writer import Listing, list_output, write_site

log = logging.getLogger(__name__)


@dataclass(slots=True)
class BuildCache:
    """What one build can hand to the next in the same process (the preview server)."""

    briefings: BriefingCache = field(default_factory=BriefingCache)
    pages: RenderCache = field(default_factory=RenderCache)
    environment: tuple[str, jinja2.Environment] | None = None
    """The Jinja environment with the theme key it was made for; compiling the
    templates anew costs more than rendering a saved briefing's page."""
    records: exports.RecordMemo = field(default_factory=exports.RecordMemo)
    """Open data records of unchanged briefings, encoded once."""
    sections: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Each section's key and pages in the last build (see :class:`Sections`)."""

    def previous_pages(self, section: str, key: str) -> list[tuple[str, str]] | None:
        """(path, page key) of the section's pages in the last build, if it had ``key`` then."""
        return kept_pages(self.sections.get(section), key, self.pages.pages)


def render(
    options: BuildOptions,
    cache: BuildCache | None = None,
    timings: Timings | None = None,
    progress: Progress | None = None,
    page_store: PageStore | None = None,
    stager: Stager | None = None,
    digests: dict[str, str] | None = None,
    listed: Callable[[], Listing | None] = lambda: None,
    retained: list[object] | None = None,
) -> tuple[Site, Output]:
    """Load and render the site; raises :class:`BuildError` on any content error.

    With no in-memory ``cache`` (a one-off build) the disk cache stands in for
    it, unless ``options.use_cache`` is off. With a ``stager`` rendered files
    go to its staging folder as they are made and the output names them.
    ``digests`` are the up-to-date check's fingerprints of the sources; the
    loader adds those of the briefings it read (see ``Inputs.completed``).
    ``listed`` gives the output folder's listing when the build takes one
    (``writer.list_output``): the page store checks kept pages against it.
    The indexes are added to ``retained`` (see ``BuildReport.retained``).
    """
    timings = timings or Timings()
    warned = page_store.warned if page_store is not None else None
    store = (DiskCache.open(options.site_dir, warned) if cache is None and options.use_cache
             else None)
    with _out_of_collector_sight(active=cache is None) as keep_loaded:
        with timings.stage("load"):
            try:
                site = load_site(options.site_dir, drafts=options.drafts,
                                 base_url=options.base_url,
                                 cache=cache.briefings if cache else None,
                                 store=store, progress=progress, workers=options.workers,
                                 digests=digests)
            finally:
                # Even a failed build keeps what it parsed: fixing one file then
                # re-parses that file only.
                if store is not None:
                    store.save()
        keep_loaded()
        return _render_loaded(options, site, cache, timings, page_store, stager, store, warned,
                              listed, [] if retained is None else retained)


@contextmanager
def _out_of_collector_sight(active: bool) -> Iterator[Callable[[], None]]:
    """Keep the loaded model out of garbage collections, and give it back at the end.

    A one-off build keeps its model to the end; the collector would scan all
    of it again and again while the indexes and pages are made (half of the
    time to derive the indexes of a large site). Yields the function to
    call once the model is loaded: what exists then is frozen until the
    block ends, failed or not, as is what the cache files load meanwhile and
    the indexes derive makes (both run in :func:`collector.kept_out_of_sight`).
    """
    if not active:
        yield lambda: None
        return
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


def _render_loaded(options: BuildOptions, site: Site, cache: BuildCache | None,
                   timings: Timings, page_store: PageStore | None, stager: Stager | None,
                   store: DiskCache | None, warned: set[str] | None,
                   listed: Callable[[], Listing | None], retained: list[object],
                   ) -> tuple[Site, Output]:
    """:func:`render` once the site is loaded."""
    dirs = template_dirs(options.site_dir)
    env = _environment(options, site, dirs, cache)
    reuse = None
    listing = listed() if page_store is not None else None
    signatures = listing[0] if listing is not None else None
    if page_store is not None:
        page_store.activate(theme_key(dirs, site.config))
        out_dir = options.out_dir

        def reuse(page: Page) -> str | None:
            return page_store.reuse(out_dir, page.path, page.key, signatures)

    memo = cache.records if cache else None
    keys: dict[str, str] = {}
    records_key = key_of([registry_key(site), repr(site.config)])
    derived: list[Chronicle] = []

    def data_indexes() -> Chronicle:
        """This process's indexes; a forked data worker works out its share for itself."""
        if not derived:
            derived.append(chronicle(site))
        return derived[0]

    data_jobs = dict(zip(exports.DATA_FILES, exports.jobs(
        site, data_indexes, memo, records_key, kept=store.folder if store is not None else None,
        warned=warned), strict=True))
    run_data_job = partial(run_job, stager=stager if cache is None else None)

    @functools.cache
    def briefings() -> Mapping[str, Briefing]:
        return members(site.briefings)

    def data_files_of(name: str) -> tuple[str, Output]:
        """The files of data job ``name`` and their key: kept while it holds, else made.

        In the data's worker where there is one: the keys are worked out
        from five files of digests (see :func:`_data_key`).
        """
        if page_store is None or store is None:
            return "", run_data_job(data_jobs[name])
        key = _data_key(name, site.config, briefings(), store.folder, records_key, warned)
        if key is not None:
            kept = page_store.reuse_group(options.out_dir, DATA + name, key, signatures)
            if kept is not None:
                kept_files: Output = dict(kept)
                return key, kept_files
        files = run_data_job(data_jobs[name])
        if key is None:  # worked out from the digests the job has just stored
            key = _data_key(name, site.config, briefings(), store.folder, records_key, warned)
        return key or "", files

    site_wide_made: list[tuple[str, str]] = []
    """The group and key of each site-wide job run, in the order of the render's jobs."""

    def site_wide(paths: list[str]) -> tuple[Output, list[FileJob]]:
        """The feed and the sitemap, each kept while its key holds, else made.

        The sitemap, tens of thousands of URLs, has a key of its own: most
        edits change neither the pages nor their dates.
        """
        kept_files: Output = {}
        jobs: list[FileJob] = []
        feed, sitemap = feeds.jobs(site, paths)
        for group, key, job in (("feeds", key_of([all_briefings_key(site), *sorted(paths)]), feed),
                                ("sitemap", key_of(feeds.sitemap_shows(site, paths)), sitemap)):
            kept = (page_store.reuse_group(options.out_dir, group, key, signatures)
                    if page_store else None)
            if kept is not None:
                kept_files.update(kept)
                _record_group(group, key, tuple(kept), page_store, keys)
            else:
                jobs.append(job)
                site_wide_made.append((group, key))
        return kept_files, jobs

    snippets = Snippets(site.actors)
    if page_store is not None:
        sections = Sections(lambda name, key: page_store.previous_pages(SECTION + name, key))
    else:
        sections = Sections(cache.previous_pages) if cache is not None else Sections()
    data_files: list[tuple[str, Output]] = []

    # The open data needs the model and the events and incidents alone: on
    # a large site its files are made by a worker of their own, which works
    # those out for itself while this process derives every index and lists
    # and renders the pages.
    with parallel.started(list(data_jobs), data_files_of, options.workers,
                          fork=len(site.briefings) >= parallel.MIN_PARALLEL) as data_results:
        # A one-off build keeps the indexes to its end too (see _out_of_collector_sight).
        with timings.stage("derive"), (kept_out_of_sight() if cache is None
                                       else contextlib.nullcontext()):
            indexes = derive(site)
        derived[:] = [indexes]
        retained.append(indexes)

        def data_done() -> None:
            if data_jobs and not data_files:
                data_files.extend(data_results())

        def bodies_done(rest: Sequence[Page]) -> None:
            if not _bodies_shown_elsewhere(env):
                _drop_bodies(site)
            if len(rest) >= parallel.MIN_PARALLEL_PAGES:  # when workers are forked for them
                # The data's worker, which reads every record, is gone before
                # they are; a few pages are rendered here while it works on.
                data_done()
                _share_items(snippets, indexes, env, options.workers)

        try:
            with timings.stage("render"):
                output, stats = render_site(site, env, dirs, cache.pages if cache else None,
                                            extra_pages=site_pages(site, indexes, snippets,
                                                                   sections),
                                            home=home_page(site, indexes), reuse=reuse,
                                            workers=options.workers, stager=stager,
                                            site_wide=site_wide,
                                            bodies_done=bodies_done if cache is None else None)
                data_done()
        except jinja2.TemplateError as exc:
            raise BuildError([template_error(exc, options.site_dir)]) from None
    if memo is not None:
        memo.finish()
    for name, (key, files) in zip(data_jobs, data_files, strict=True):
        output.update(files)
        _record_group(DATA + name, key, tuple(files), page_store, keys)
    for (group, key), paths in zip(site_wide_made, stats.made, strict=True):
        _record_group(group, key, paths, page_store, keys)
    keys.update(stats.keys)
    if cache is not None:
        cache.sections = sections.made
    if page_store is not None:
        page_store.keys = keys
        # Kept like the site-wide groups, but each page keeps its own key.
        page_store.groups.update((SECTION + name, made) for name, made in sections.made.items())
    return site, output


DATA = "data "
"""Names a data file job's output among the page store's groups (see :func:`_data_key`)."""


def _data_key(name: str, config: SiteConfig, briefings: Mapping[str, Briefing], folder: Path,
              records_key: str, warned: set[str] | None) -> str | None:
    """The key of the data files of job ``name``, from each briefing's records in them.

    ``briefings`` are the site's, as :func:`datakeys.members` gives them.
    None when too many briefings lack a stored digest (see :mod:`briefgen.datakeys`).
    """
    parts = [name]
    for records in exports.DATA_FILES[name]:
        found = current_digests(folder, records, records_key, briefings,
                                exports.briefing_records(records, config), warned)
        if found is None:
            return None
        parts.append(found.key())
    return key_of(parts)


SECTION = "section "
"""Names a section's pages among the page store's groups (see :class:`Sections`)."""


def _drop_bodies(site: Site) -> None:
    """Free the briefings' bodies once their pages are rendered (one-off builds only).

    The bodies are most of the model's memory, and every page across
    briefings is rendered after them by forked workers, each of which would
    otherwise keep its share of them. Nothing later in a one-off build reads
    a body: the disk cache was saved after loading, and the preview server,
    which keeps its model for the next rebuild, never gets here. The model
    is frozen, hence ``object.__setattr__``.
    """
    for briefing in site.briefings:
        object.__setattr__(briefing, "body", "")
    release_free_memory()


BODY_TEMPLATE = "briefing.html"
"""The one template of the default theme that shows a briefing's body."""


def _bodies_shown_elsewhere(env: jinja2.Environment) -> bool:
    """Whether a template besides the briefing page's names ``body_html``.

    A theme may show bodies (or excerpts) on other pages; its builds then
    keep the bodies, at the cost of the memory they take.
    """
    loader = env.loader
    if loader is None:
        return False
    for name in loader.list_templates():
        if name != BODY_TEMPLATE and name.endswith(".html"):
            source, _, _ = loader.get_source(env, name)
            if "body_html" in source:
                return True
    return False


def _share_items(snippets: Snippets, indexes: Indexes, env: jinja2.Environment,
                 workers: int | None) -> None:
    """Render event items, briefing items and incident rows once, for all render workers.

    See :class:`Snippets`. With the theme's own macros, those its pages
    import; a theme without one keeps rendering those items page by page.
    """
    module = env.get_template("listings.html").module
    event_item, briefing_item, incident_row = (
        getattr(module, name, None) for name in ("event_item", "briefing_item", "incident_row"))
    if callable(event_item):
        snippets.share_events(indexes.events, event_item, workers)
    if callable(briefing_item):
        snippets.share_briefings(listed_briefings(indexes), briefing_item, workers)
    if callable(incident_row):
        snippets.share_rows(incident_row, workers)


def _record_group(group: str, key: str, files: tuple[str, ...],
                  page_store: PageStore | None, keys: dict[str, str]) -> None:
    """Files made together from the whole site (feeds, data) are kept while their key holds."""
    if page_store is not None:
        page_store.groups[group] = (key, files)
    keys.update({path: key for path in files})


def _environment(options: BuildOptions, site: Site, dirs: list[Path],
                 cache: BuildCache | None) -> jinja2.Environment:
    """A Jinja environment; with a cache, the previous one while templates and config hold."""
    if cache is None:
        return make_environment(options.site_dir, site.config, keep_compiled=options.use_cache)
    key = theme_key(dirs, site.config)
    if key != cache.pages.theme_key:
        cache.pages = RenderCache(theme_key=key)
    if cache.environment is None or cache.environment[0] != key:
        cache.environment = (key, make_environment(options.site_dir, site.config,
                                                   keep_compiled=options.use_cache))
    return cache.environment[1]


def render_briefings(options: BuildOptions, cache: BuildCache, paths: set[str]) -> Output:
    """The pages of the briefings whose sources are ``paths``, and nothing else.

    The preview server's first phase: a saved briefing's own page is ready in
    tens of milliseconds, while the pages across briefings wait for
    :func:`render`, which must follow and gives the whole site.
    """
    # Only the saved files are read: their pages show nothing of the other
    # briefings, and stat-ing those would grow with the site.
    site = load_some(options.site_dir, paths, cache.briefings, drafts=options.drafts,
                     base_url=options.base_url)
    env = _environment(options, site, template_dirs(options.site_dir), cache)
    pages = [briefing_page(b, site) for b in site.briefings]
    try:
        output, _ = render_pages(pages, env)
    except jinja2.TemplateError as exc:
        raise BuildError([template_error(exc, options.site_dir)]) from None
    return output


def build_site(
    options: BuildOptions,
    cache: BuildCache | None = None,
    progress: Progress | None = None,
    check: Check | None = None,
) -> BuildReport:
    """Build the site; ``check`` is the up-to-date check when the caller made it already."""
    persistent = options.use_cache and cache is None
    check = check or check_build(options, persistent)
    if check.report is not None:
        return check.report
    timings, inputs = check.timings, check.inputs
    page_store = PageStore.at(options.site_dir, check.warned) if persistent else None
    # The preview server keeps pages in memory; a one-off build parks them on
    # disk, so its memory does not grow with the site.
    with ExitStack() as staging:
        stager = staging.enter_context(staged_beside(options.out_dir)) if cache is None else None
        # A large site's output folder is listed for the writer on a core of
        # its own, while this process loads the site.
        listing = staging.enter_context(parallel.started(
            [options.out_dir], list_output, options.workers,
            fork=len(inputs.order) >= parallel.MIN_PARALLEL and options.out_dir.is_dir()))
        received: list[Listing | None] = []

        def listed() -> Listing | None:
            """The output folder's listing, received once (None while there is no folder)."""
            if not received:
                received.append(listing()[0] if options.out_dir.is_dir() else None)
            return received[0]

        # The up-to-date check has just hashed the sources it read; the
        # loader reads only the files it must parse, and adds their hashes.
        digests = inputs.digests()
        retained: list[object] = []
        site, output = render(options, cache, timings, progress, page_store, stager, digests,
                              listed, retained)
        with timings.stage("write"):
            # A kept file's signature was checked when the page store reused it.
            kept = ({path: page_store.stored[path][1] for path, content in output.items()
                     if isinstance(content, KeptFile)} if page_store is not None else {})
            result = write_site(output, options.out_dir, known_unchanged=kept, stager=stager,
                                listing=listed())
            if page_store is not None:
                page_store.commit(result.signatures)
                record_build(options.site_dir, result.signatures, inputs.completed(digests),
                             len(site.briefings))
    parallel.reap_workers()
    return BuildReport(len(site.briefings), len(output), result,
                       time.perf_counter() - check.started, timings,
                       retained=(site, output, page_store, *received, *retained))
