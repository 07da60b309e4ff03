"""The one orchestrator: load → derive → render → write.

Everything is read and validated before any HTML exists, and everything is
rendered before anything is written, so a content error, a template error or
a crash leaves the previous site exactly as it was.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from briefgen.errors import BuildError, ContentError
from briefgen.loader import BriefingCache, load_site
from briefgen.model import Site
from briefgen.render import Output, render_site
from briefgen.templating import make_environment, template_dirs
from briefgen.writer import WriteResult, check_output_dir, write_site

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path
    drafts: bool = False
    base_url: str | None = None
    """Overrides ``base_url`` of the config (CI builds for a project site)."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    site: Site
    files: int
    write: WriteResult
    seconds: float


def render(options: BuildOptions, cache: BriefingCache | None = None) -> tuple[Site, Output]:
    """Load and render the site in memory; raises :class:`BuildError` on any content error."""
    site = load_site(options.site_dir, drafts=options.drafts, base_url=options.base_url,
                     cache=cache)
    env = make_environment(options.site_dir, site.config)
    try:
        output = render_site(site, env, template_dirs(options.site_dir))
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError([ContentError(Path(exc.filename or exc.name or "template"),
                                       exc.lineno, 0, f"template error: {exc.message}")]) from None
    except jinja2.TemplateError as exc:
        raise BuildError([ContentError(Path("templates"), 0, 0,
                                       f"template error: {exc}")]) from None
    return site, output


def build_site(options: BuildOptions, cache: BriefingCache | None = None) -> BuildReport:
    started = time.perf_counter()
    check_output_dir(options.out_dir, options.site_dir)
    site, output = render(options, cache)
    result = write_site(output, options.out_dir)
    return BuildReport(site, len(output), result, time.perf_counter() - started)
