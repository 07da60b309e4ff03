"""Render the site model into output files, purely: model in, ``{path: content}`` out.

Nothing here touches the output folder; the writer does. Each page is
described by a :class:`Page` (output path, template, context) so callers can
render all pages or only those a change affects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from briefgen.figures import Figure, Total, total
from briefgen.markup import MarkdownRenderer
from briefgen.model import Briefing, CasualtyRecord, Site

Output = dict[str, str | bytes]


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render."""

    path: str
    """Output path relative to the site root, e.g. ``briefings/x/index.html``."""
    template: str
    context: dict[str, Any] = field(hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class FigureTotals:
    """Totals of one briefing's (or one group's) casualty records."""

    killed: Total
    injured: Total
    children_killed: Total
    children_injured: Total

    @property
    def has_children(self) -> bool:
        return self.children_killed.count > 0 or self.children_injured.count > 0


def totals_of(records: tuple[CasualtyRecord, ...] | list[CasualtyRecord]) -> FigureTotals:
    def of(figures: list[Figure | None]) -> Total:
        return total(f for f in figures if f is not None)

    return FigureTotals(
        killed=of([r.killed for r in records]),
        injured=of([r.injured for r in records]),
        children_killed=of([r.children_killed for r in records]),
        children_injured=of([r.children_injured for r in records]),
    )


def briefing_page(briefing: Briefing, site: Site, inline: MarkdownRenderer) -> Page:
    events = [
        (entry, inline.inline(entry.event), [site.actors[a] for a in entry.actors])
        for entry in briefing.chronology
    ]
    casualties = [(record, inline.inline(record.event)) for record in briefing.casualties]
    return Page(
        path=f"briefings/{briefing.slug}/index.html",
        template="briefing.html",
        context={
            "briefing": briefing,
            "events": events,
            "casualties": casualties,
            "totals": totals_of(briefing.casualties),
            "sources": {s.id: s for s in briefing.sources},
        },
    )


def pages(site: Site, inline: MarkdownRenderer) -> Iterator[Page]:
    """Every HTML page of the site."""
    yield Page("index.html", "index.html", {"briefings": site.briefings})
    yield Page("404.html", "404.html", {})
    for briefing in site.briefings:
        yield briefing_page(briefing, site, inline)


def render_page(env: jinja2.Environment, page: Page) -> str:
    return env.get_template(page.template).render(page.context, page_path=page.path)


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


def render_site(site: Site, env: jinja2.Environment, template_dirs: list[Path]) -> Output:
    """The whole site as ``{relative path: content}``."""
    inline = MarkdownRenderer()
    output: Output = {page.path: render_page(env, page) for page in pages(site, inline)}
    for rel, path in static_files(template_dirs).items():
        output[rel] = path.read_bytes()
    # GitHub Pages would otherwise run Jekyll, which hides folders starting with "_".
    output[".nojekyll"] = ""
    if site.config.cname:
        output["CNAME"] = site.config.cname + "\n"
    return output
