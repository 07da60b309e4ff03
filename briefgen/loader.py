"""Read a site folder into the model, collecting every content error.

``load_site`` reads the config, the actor registry and every briefing. A
briefing is parsed from its bytes by :func:`parse_briefing`, a function of
the bytes, the registry and the seed list only, so results can be reused
while those stay the same (the preview server's incremental rebuilds).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

from briefgen.config import load_config
from briefgen.diskcache import DiskCache, shard_of
from briefgen.errors import BuildError, ContentError
from briefgen.fields import Fields
from briefgen.frontmatter import FrontMatterError, decode, split
from briefgen.markup import MarkdownRenderer
from briefgen.model import Actor, Briefing, Site, SiteConfig
from briefgen.parallel import ParseGroup, chunked, parse_all, worker_count
from briefgen.paths import BRIEFINGS_DIR
from briefgen.schema import UnreadableRegistry, read_front_matter, read_registry
from briefgen.yamlsafe import YamlError, load_yaml

log = logging.getLogger(__name__)

REGISTRY_PATH = Path("content/actors.yaml")
SEEDS_DIR = Path("seeds")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")

CacheKey = tuple[str, str, str, str]
"""A parsed briefing's key: its path, its file's fingerprint, the registry's, the seeds'."""


@dataclass(frozen=True, slots=True)
class Registry:
    """The actor registry with a fingerprint of the file it came from."""

    actors: dict[str, Actor]
    fingerprint: str


@dataclass(slots=True)
class BriefingCache:
    """Parsed briefings by (file fingerprint, registry fingerprint, seeds).

    A briefing depends on nothing else, so an entry can be reused as long as
    those three are unchanged; held by the preview server between rebuilds.
    """

    entries: dict[CacheKey, Briefing | list[ContentError]] = field(
        default_factory=dict
    )
    files: dict[str, tuple[tuple[int, int, int], str]] = field(default_factory=dict)
    """Briefing path → (stat signature, fingerprint) when last read."""
    changed: set[str] | None = None
    """Paths the watcher reports changed since the last load; ``None`` reads every file.

    With 1,000 briefings, reading and hashing every file is half of a
    rebuild; a file neither reported nor changed in its stat is not re-read.
    """
    registry: tuple[Registry, list[ContentError]] | None = None
    """The registry last parsed, reused while its file's bytes are the same."""


def fingerprint(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def load_registry(
    site_dir: Path, cache: BriefingCache | None = None
) -> tuple[Registry, list[ContentError]]:
    path = site_dir / REGISTRY_PATH
    if not path.is_file():
        return Registry({}, ""), []
    raw = path.read_bytes()
    if cache is not None:
        if cache.registry is None or cache.registry[0].fingerprint != fingerprint(raw):
            cache.registry = _parse_registry(raw)
        return cache.registry[0], list(cache.registry[1])
    return _parse_registry(raw)


def _parse_registry(raw: bytes) -> tuple[Registry, list[ContentError]]:
    try:
        located = load_yaml(decode(raw, REGISTRY_PATH), REGISTRY_PATH)
    except (YamlError, FrontMatterError) as exc:
        return Registry(UnreadableRegistry(), fingerprint(raw)), [exc.error]
    fields = Fields(REGISTRY_PATH, located)
    actors = read_registry(fields)
    return Registry(actors, fingerprint(raw)), fields.errors


def list_seeds(site_dir: Path) -> frozenset[str]:
    seeds = site_dir / SEEDS_DIR
    if not seeds.is_dir():
        return frozenset()
    return frozenset(p.relative_to(seeds).as_posix() for p in seeds.rglob("*") if p.is_file())


def briefing_files(site_dir: Path) -> list[str]:
    """Briefing sources, relative to the site folder (POSIX paths), in a stable order."""
    folder = site_dir / BRIEFINGS_DIR
    if not folder.is_dir():
        return []
    # os.scandir rather than Path.glob: a tenth of the time on 1,000 files;
    # strings rather than Paths, which took a tenth of loading a large site.
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.name.endswith(".md") and e.is_file())
    prefix = BRIEFINGS_DIR.as_posix()
    return [f"{prefix}/{name}" for name in names]


def parse_source(
    site_dir: Path,
    rel_path: Path,
    raw: bytes | None,
    registry: dict[str, Actor],
    seeds: frozenset[str],
    renderer: MarkdownRenderer,
) -> Briefing | list[ContentError]:
    """:func:`parse_briefing` of the file's bytes, read now when ``raw`` is None."""
    if raw is None:
        try:
            raw = (site_dir / rel_path).read_bytes()
        except OSError as exc:
            return [ContentError(rel_path, 0, 0, f"the file could not be read ({exc.strerror}): "
                                 "check that it exists and is readable, then build again.")]
    return parse_briefing(rel_path, raw, registry, seeds, renderer)


def parse_briefing(
    rel_path: Path,
    raw: bytes,
    registry: dict[str, Actor],
    seeds: frozenset[str],
    renderer: MarkdownRenderer,
) -> Briefing | list[ContentError]:
    """One briefing from its file's bytes, or the errors that prevent it."""
    slug = rel_path.stem
    errors: list[ContentError] = []
    if not SLUG.fullmatch(slug):
        suggestion = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "briefing"
        errors.append(ContentError(
            rel_path, 0, 0,
            f"the file name '{rel_path.name}' is not a valid slug: use lowercase letters, "
            f"digits and '-' (rename it to '{suggestion}.md').",
        ))
    try:
        parts = split(decode(raw, rel_path), rel_path)
        located = load_yaml(parts.front_matter, rel_path, parts.front_matter_line)
    except (FrontMatterError, YamlError) as exc:
        return [*errors, exc.error]
    fields = Fields(rel_path, located)
    front = read_front_matter(fields, registry, seeds.__contains__)
    errors.extend(fields.errors)
    if errors or front is None:
        return errors
    return Briefing(
        slug=slug,
        path=rel_path.as_posix(),
        title=front.title,
        date=front.date,
        summary=front.summary,
        updated=front.updated,
        tags=front.tags,
        draft=front.draft,
        sources=front.sources,
        actors=front.actors,
        chronology=tuple(replace(e, event_html=renderer.inline(e.event)) for e in front.chronology),
        casualties=tuple(replace(r, event_html=renderer.inline(r.event)) for r in front.casualties),
        body=renderer.block(parts.body),
        fingerprint=fingerprint(raw),
    )


Progress = Callable[[int, int], None]
"""Called with (files parsed, files to parse) as parsing goes on."""


def load_briefings(
    site_dir: Path,
    registry: Registry,
    seeds: frozenset[str],
    renderer: MarkdownRenderer,
    cache: BriefingCache | None = None,
    files: Iterable[Path] | None = None,
    store: DiskCache | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    digests: dict[str, str] | None = None,
) -> tuple[list[Briefing], list[ContentError]]:
    """Every briefing, from the in-memory cache, the disk cache or parsed anew.

    Files not found in either cache are parsed together, on every core when
    there are many (``parallel.parse_all``); results keep the files' order.
    ``digests`` are fingerprints the caller has just taken (the up-to-date
    check hashes the sources): a file found in the cache by its digest is
    not read again. The fingerprints of the briefings read here that it
    lacked are added to it. A file that cannot be in the disk cache (its
    shard holds nothing) is read and hashed by the parser alone.
    """
    seeds_key = "\0".join(sorted(seeds))
    keys: list[CacheKey] = []
    results: dict[CacheKey, Briefing | list[ContentError]] = {}
    pending: list[tuple[CacheKey, Path, bytes | None]] = []
    rels = ([path.as_posix() for path in files] if files is not None
            else briefing_files(site_dir))
    for rel in rels:
        if cache is None and (digests is None or rel not in digests) and (
                store is None or not store.may_hold(rel)):
            # Nothing to look up: the parser reads and hashes the file.
            key: CacheKey = (rel, "", registry.fingerprint, seeds_key)
            pending.append((key, Path(rel), None))
            keys.append(key)
            continue
        raw, digest = _read_briefing(site_dir, rel, cache, digests)
        key = (rel, digest, registry.fingerprint, seeds_key)
        result = cache.entries.get(key) if cache else None
        if result is None and store is not None:
            result = store.get(key)
        if result is not None:
            results[key] = result
        else:
            # Unread (its digest came from the up-to-date check), the parser
            # reads it; should it hold something else by then, the result
            # goes under the key of what was parsed (see ``content_key``).
            pending.append((key, Path(rel), raw))
        keys.append(key)
    position = {key: n for n, key in enumerate(keys)}
    groups = _parse_groups(site_dir, pending, store, {shard_of(key) for key in results},
                           workers)
    parsed = parse_all([group for group, _ in groups], registry.actors, seeds, renderer,
                       workers=workers, progress=progress)
    if store is not None:
        for number, entries in parsed.stored:
            store.adopt(groups[number][1], entries)
    for group_key, result in zip([key for group, _ in groups for key in group.keys],
                                 parsed.results, strict=True):
        parsed_key = cast(CacheKey, group_key)
        key = content_key(parsed_key, result)
        keys[position[parsed_key]] = key
        results[key] = result
        if isinstance(result, Briefing):
            if digests is not None and key[0] not in digests:
                digests[key[0]] = key[1]
            if store is not None:
                store.put(key, result)
    briefings: list[Briefing] = []
    errors: list[ContentError] = []
    for key in keys:
        result = results[key]
        if isinstance(result, Briefing):
            briefings.append(result)
        else:
            errors.extend(result)
    if cache is not None:
        # Keep only what this load used, so a long preview session does not grow.
        cache.entries = results
        cache.files = {k[0]: cache.files[k[0]] for k in results if k[0] in cache.files}
    return briefings, errors


def content_key(key: CacheKey, result: Briefing | list[ContentError]) -> CacheKey:
    """The cache key of what was parsed: ``key`` with the hash of the bytes the parser read.

    The parser reads a file itself when its hash is not known yet (an empty
    one in ``key``) or was taken earlier, by the up-to-date check: a file
    changed meanwhile must not give its new content under the old key.
    """
    if isinstance(result, Briefing) and result.fingerprint != key[1]:
        return (key[0], result.fingerprint, key[2], key[3])
    return key


def _parse_groups(
    site_dir: Path, pending: list[tuple[CacheKey, Path, bytes | None]], store: DiskCache | None,
    found_shards: set[int], workers: int | None,
) -> list[tuple[ParseGroup, int]]:
    """The files to parse, grouped for the workers, each group with its cache shard.

    With a disk cache, one group per shard: a shard none of whose entries
    was found is stored whole by the worker that parses it (see
    :class:`ParseGroup`); the others are saved by :meth:`DiskCache.save`.
    """
    if store is None:
        jobs = [(path, raw) for _, path, raw in pending]
        keys = [key for key, _, _ in pending]
        return [(group, -1)
                for group in chunked(site_dir, jobs, keys, workers or worker_count())]
    by_shard: dict[int, list[tuple[CacheKey, Path, bytes | None]]] = {}
    for item in pending:
        by_shard.setdefault(shard_of(item[0]), []).append(item)
    return [(ParseGroup(site_dir, [(path, raw) for _, path, raw in items],
                        [key for key, _, _ in items],
                        None if number in found_shards else store.shard_file(number)), number)
            for number, items in sorted(by_shard.items())]


def _read_briefing(
    site_dir: Path, rel: str, cache: BriefingCache | None,
    digests: Mapping[str, str] | None = None,
) -> tuple[bytes | None, str]:
    """The file's bytes and fingerprint, or ``None`` and a fingerprint known already.

    In the preview server (``cache``) a file is trusted unchanged only when
    the watcher did not report it *and* its size, mtime and inode are the
    same, so a missed event cannot serve stale content, nor can a same-size
    save within one mtime tick.
    """
    if cache is None:
        checked = digests.get(rel) if digests is not None else None
        if checked is not None:  # the common case, ten thousand times: no Path made
            return None, checked
        raw = (site_dir / rel).read_bytes()
        return raw, fingerprint(raw)
    path = site_dir / rel
    st = path.stat()
    signature = (st.st_mtime_ns, st.st_size, st.st_ino)
    known = cache.files.get(rel)
    if known and known[0] == signature and cache.changed is not None and rel not in cache.changed:
        return None, known[1]
    raw = path.read_bytes()
    digest = fingerprint(raw)
    cache.files[rel] = (signature, digest)
    return raw, digest


def load_site(
    site_dir: Path,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    cache: BriefingCache | None = None,
    renderer_factory: Callable[[], MarkdownRenderer] = MarkdownRenderer,
    store: DiskCache | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    digests: dict[str, str] | None = None,
) -> Site:
    """Everything in ``site_dir``, validated; raises :class:`BuildError` listing all errors.

    ``digests``: fingerprints of briefing files just taken, by path relative
    to ``site_dir``; the loader adds those it takes (see :func:`load_briefings`).
    """
    errors: list[ContentError] = []
    config: SiteConfig | None = None
    try:
        config = load_config(site_dir, base_url)
    except BuildError as exc:
        # Keep reading: a mistake in briefgen.yaml must not hide the briefings'
        # errors, since one run reports every error it finds (issue 2).
        errors.extend(exc.errors)
    registry, registry_errors = load_registry(site_dir, cache)
    errors.extend(registry_errors)
    seeds = list_seeds(site_dir)
    briefings, briefing_errors = load_briefings(
        site_dir, registry, seeds, renderer_factory(), cache, store=store, progress=progress,
        workers=workers, digests=digests
    )
    errors.extend(briefing_errors)
    if errors or config is None:
        raise BuildError(errors)
    published = [b for b in briefings if drafts or not b.draft]
    published.sort(key=lambda b: (b.date, b.slug), reverse=True)
    return Site(config=config, briefings=tuple(published), actors=registry.actors)


def load_some(
    site_dir: Path,
    paths: Iterable[str],
    cache: BriefingCache,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    renderer_factory: Callable[[], MarkdownRenderer] = MarkdownRenderer,
) -> Site:
    """A partial site: the config, the registry and the briefings at ``paths`` only.

    The preview server's quick phase renders a saved briefing's own page,
    which shows that briefing, the config and the registry and nothing of
    the others; :func:`load_site` would stat all 10,000 sources of a large
    site to know what else changed. Never give this site to anything that
    renders pages across briefings. What it parses stays in ``cache`` for the
    full load that follows; entries of other briefings are kept.
    """
    config = load_config(site_dir, base_url)
    registry, errors = load_registry(site_dir, cache)
    seeds = list_seeds(site_dir)
    seeds_key = "\0".join(sorted(seeds))
    renderer: MarkdownRenderer | None = None
    briefings: list[Briefing] = []
    for rel in sorted(paths):
        rel_path = Path(rel)
        raw, digest = _read_briefing(site_dir, rel, cache)
        key = (rel, digest, registry.fingerprint, seeds_key)
        result = cache.entries.get(key)
        if result is None:
            renderer = renderer or renderer_factory()
            result = parse_source(site_dir, rel_path, raw, registry.actors, seeds, renderer)
            cache.entries[content_key(key, result)] = result
        if isinstance(result, Briefing):
            briefings.append(result)
        else:
            errors.extend(result)
    if errors:
        raise BuildError(errors)
    published = [b for b in briefings if drafts or not b.draft]
    return Site(config=config, briefings=tuple(published), actors=registry.actors)
