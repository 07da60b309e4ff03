"""Read a site folder into the model, collecting every content error.

``load_site`` reads the config, the actor registry and every briefing. A
briefing is parsed from its bytes by :func:`parse_briefing`, a function of
the bytes, the registry and the seed list only, so results can be reused
while those stay the same (the preview server's incremental rebuilds).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefgen.config import load_config
from briefgen.errors import BuildError, ContentError
from briefgen.fields import Fields
from briefgen.frontmatter import FrontMatterError, decode, split
from briefgen.markup import MarkdownRenderer
from briefgen.model import Actor, Briefing, Site
from briefgen.schema import read_front_matter, read_registry
from briefgen.yamlsafe import YamlError, load_yaml

log = logging.getLogger(__name__)

BRIEFINGS_DIR = Path("content/briefings")
REGISTRY_PATH = Path("content/actors.yaml")
SEEDS_DIR = Path("seeds")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


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

    entries: dict[tuple[str, str, str, str], Briefing | list[ContentError]] = field(
        default_factory=dict
    )


def fingerprint(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def load_registry(site_dir: Path) -> tuple[Registry, list[ContentError]]:
    path = site_dir / REGISTRY_PATH
    if not path.is_file():
        return Registry({}, ""), []
    raw = path.read_bytes()
    try:
        located = load_yaml(decode(raw, REGISTRY_PATH), REGISTRY_PATH)
    except (YamlError, FrontMatterError) as exc:
        return Registry({}, fingerprint(raw)), [exc.error]
    fields = Fields(REGISTRY_PATH, located)
    actors = read_registry(fields)
    return Registry(actors, fingerprint(raw)), fields.errors


def list_seeds(site_dir: Path) -> frozenset[str]:
    seeds = site_dir / SEEDS_DIR
    if not seeds.is_dir():
        return frozenset()
    return frozenset(p.relative_to(seeds).as_posix() for p in seeds.rglob("*") if p.is_file())


def briefing_files(site_dir: Path) -> list[Path]:
    """Briefing sources, relative to the site folder, in a stable order."""
    folder = site_dir / BRIEFINGS_DIR
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(site_dir) for p in folder.glob("*.md") if p.is_file())


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
        body=parts.body,
        body_html=renderer.block(parts.body),
        fingerprint=fingerprint(raw),
    )


def load_briefings(
    site_dir: Path,
    registry: Registry,
    seeds: frozenset[str],
    renderer: MarkdownRenderer,
    cache: BriefingCache | None = None,
    files: Iterable[Path] | None = None,
) -> tuple[list[Briefing], list[ContentError]]:
    briefings: list[Briefing] = []
    errors: list[ContentError] = []
    seeds_key = "\0".join(sorted(seeds))
    for rel_path in files if files is not None else briefing_files(site_dir):
        raw = (site_dir / rel_path).read_bytes()
        key = (rel_path.as_posix(), fingerprint(raw), registry.fingerprint, seeds_key)
        result = cache.entries.get(key) if cache else None
        if result is None:
            result = parse_briefing(rel_path, raw, registry.actors, seeds, renderer)
            if cache is not None:
                cache.entries[key] = result
        if isinstance(result, Briefing):
            briefings.append(result)
        else:
            errors.extend(result)
    return briefings, errors


def load_site(
    site_dir: Path,
    *,
    drafts: bool = False,
    base_url: str | None = None,
    cache: BriefingCache | None = None,
    renderer_factory: Callable[[], MarkdownRenderer] = MarkdownRenderer,
) -> Site:
    """Everything in ``site_dir``, validated; raises :class:`BuildError` listing all errors."""
    config = load_config(site_dir, base_url)
    registry, errors = load_registry(site_dir)
    seeds = list_seeds(site_dir)
    briefings, briefing_errors = load_briefings(
        site_dir, registry, seeds, renderer_factory(), cache
    )
    errors.extend(briefing_errors)
    if errors:
        raise BuildError(errors)
    published = [b for b in briefings if drafts or not b.draft]
    published.sort(key=lambda b: (b.date, b.slug), reverse=True)
    return Site(config=config, briefings=tuple(published), actors=registry.actors)
