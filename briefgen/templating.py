"""The Jinja environment: theme lookup, strictness and the display filters.

A site's own ``templates/`` overrides the default theme file by file. The
environment is strict (a misspelled variable is a build error, not an empty
cell) and autoescapes (actor names and titles come from contributors). Every
filter that formats dates and figures lives here, so templates stay simple.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from briefgen.dates import DateSpec, format_day
from briefgen.errors import ContentError
from briefgen.figures import Figure, Total, format_number, total
from briefgen.indexes import slugify
from briefgen.model import SiteConfig
from briefgen.paths import theme_dir

log = logging.getLogger(__name__)


def template_dirs(site_dir: Path) -> list[Path]:
    """Where templates are looked up, first match wins."""
    own = site_dir / "templates"
    return [own, theme_dir()] if own.is_dir() else [theme_dir()]


def make_environment(site_dir: Path, config: SiteConfig,
                     keep_compiled: bool = False) -> jinja2.Environment:
    """The site's environment; ``keep_compiled`` reuses templates compiled by earlier builds.

    Compiling the theme costs about 0.2 s, as much as the rest of a build
    after one edit on a small site (see :func:`compiled_templates`).
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs(site_dir)]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # No modification-time check on every template lookup: an environment
        # lives for one build, or in the preview server while theme_key()
        # (which hashes every template) is unchanged.
        auto_reload=False,
        bytecode_cache=compiled_templates() if keep_compiled else None,
    )
    env.filters.update(
        date_html=date_html,
        day=format_day,
        day_html=day_html,
        number=format_number,
        figure=figure_text,
        total=total_of,
        slug=slug,
        jsonld=jsonld,
        cached=MacroCache(),
    )
    base_path = config.base_path
    env.globals["url"] = lambda path="": base_path + path.lstrip("/")
    env.globals["config"] = config
    return env


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, where failing to store one is no error."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:  # a full or read-only disk: the next build compiles again
            log.debug("could not keep a compiled template: %s", exc)


def compiled_templates() -> jinja2.BytecodeCache | None:
    """Where compiled templates are kept between builds, or None when nowhere is safe.

    Compiled templates are Python code, so they are kept where Jinja keeps
    them by default, a folder of the user's own in the system's temporary
    folder that only they can write (Jinja checks), never in the site's
    build cache: a file planted there in a repository must not run. A
    template is found by its name and absolute path, and used only while
    its source's hash matches; file names also hold this briefgen's code
    (:func:`~briefgen.diskcache.format_marker`) and the Jinja version, as the
    compiled code depends on both.
    """
    from briefgen.diskcache import format_marker

    code = hashlib.blake2b(f"{format_marker()} {jinja2.__version__}".encode(),
                           digest_size=8).hexdigest()
    try:
        return _CompiledTemplates(pattern=f"__briefgen_{code}_%s.cache")
    except (OSError, RuntimeError) as exc:  # Jinja found no folder of the user's own
        log.debug("not keeping compiled templates: %s", exc)
        return None


def template_error(exc: jinja2.TemplateError, site_dir: Path) -> ContentError:
    """Where in which template a render failed, from Jinja's rewritten traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name, line = exc.filename or exc.name or "template", exc.lineno
    else:
        name, line = "templates", 0
        tb = exc.__traceback__
        while tb is not None:
            filename = tb.tb_frame.f_code.co_filename
            if filename.endswith((".html", ".xml", ".txt")):
                name, line = filename, tb.tb_lineno
            tb = tb.tb_next
    path = Path(name)
    with contextlib.suppress(ValueError):
        path = path.resolve().relative_to(site_dir.resolve())
    hint = ""
    if isinstance(exc, jinja2.UndefinedError):
        hint = " Check the variable's spelling; see docs/themes.md for what each template gets."
    return ContentError(path, line, 0, f"template error: {exc.message or exc}.{hint}")


def theme_key(dirs: list[Path], config: SiteConfig) -> str:
    """Fingerprint of everything every page depends on: templates, config, version."""
    from briefgen import __version__

    digest = hashlib.blake2b(repr((config, __version__)).encode(), digest_size=12)
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "static" not in path.relative_to(folder).parts:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


# Dates, days and slugs repeat across thousands of pages (a day heading on
# every archive page of the month, a briefing's dateline wherever it is
# listed), so each distinct value is formatted once. The caches are keyed by
# value, with ``typed=True`` so a ``datetime`` never shares a ``date``'s
# entry: the result is a function of the key alone, whichever build asks.
_FILTER_CACHE_SIZE = 1 << 16


@functools.lru_cache(maxsize=_FILTER_CACHE_SIZE, typed=True)
def _day_html(day: date) -> Markup:
    return Markup(f'<time datetime="{escape(day.isoformat())}">{escape(format_day(day))}</time>')


def day_html(day: object) -> Markup:
    """A calendar day as ``<time>``, e.g. ``<time datetime="2025-04-06">6 April 2025</time>``."""
    assert isinstance(day, date)
    return _day_html(day)


@functools.lru_cache(maxsize=_FILTER_CACHE_SIZE, typed=True)
def date_html(spec: DateSpec) -> Markup:
    """A resolved date with its original words, every date in a ``<time>`` element.

    Built with f-strings around :func:`escape` rather than ``Markup.format``,
    which goes through :class:`string.Formatter` and costs ten times more.
    """
    attrs = f' title="{escape(spec.text)}"' if spec.relative else ""
    if spec.precision != "range":
        return Markup(f'<time datetime="{escape(spec.iso)}"{attrs}>{escape(spec.display)}</time>')
    # A range is two instants; <time> has no interval syntax, so mark up each end.
    words = f"{escape(spec.text[:1].upper() + spec.text[1:])}, " if spec.relative else ""
    start, end = spec.start, spec.end
    if (start.year, start.month) == (end.year, end.month):
        start_text, joiner = str(start.day), "–"
    elif start.year == end.year:
        start_text, joiner = format_day(start).rsplit(" ", 1)[0], " – "
    else:
        start_text, joiner = format_day(start), " – "
    end_text = format_day(end)
    return Markup(
        f'{words}<time datetime="{escape(start.isoformat())}">{escape(start_text)}</time>'
        f'{escape(joiner)}<time datetime="{escape(end.isoformat())}">{escape(end_text)}</time>'
    )


@functools.lru_cache(maxsize=_FILTER_CACHE_SIZE, typed=True)
def slug(text: str) -> str:
    """:func:`~briefgen.indexes.slugify`, once per distinct name (Unicode normalising is slow)."""
    return slugify(text)


class MacroCache:
    """The ``cached`` filter: ``value | cached(macro, *args)`` is ``macro(value, *args)``.

    Rendered once per distinct value: a place or an actor is linked on
    thousands of pages, and a Jinja macro call costs ten times a dict lookup.
    Keys are the macro object itself, the value's type and the value compared
    by ``==`` (a frozen model object by its fields), so two values share markup
    only when the macro cannot tell them apart; macros see only their
    arguments and the environment's globals, which are fixed for its
    lifetime. An unhashable value is rendered every time.
    """

    def __init__(self, limit: int = 1 << 17) -> None:
        self._html: dict[tuple[object, ...], object] = {}
        self._limit = limit

    def __call__(self, value: object, macro: Callable[..., object], *args: object) -> object:
        key = (macro, type(value), value, *args)
        try:
            html = self._html.get(key)
        except TypeError:  # unhashable: a list, a dict
            return macro(value, *args)
        if html is None:
            if len(self._html) >= self._limit:
                self._html.clear()  # a long preview session: start over rather than grow
            html = self._html[key] = macro(value, *args)
        return html


def figure_text(figure: Figure | None) -> str:
    return "" if figure is None else figure.text


def jsonld(value: object) -> Markup:
    """JSON for a ``<script type="application/ld+json">``, safe whatever its strings hold.

    The HTML parser ends a script at the first ``</script`` whatever JSON
    thinks, so ``<``, ``>`` and ``&`` are written as ``\\u`` escapes: the same
    data to a JSON parser, nothing a contributor's title can break out with.
    """
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)


def total_of(figures: Iterable[Figure | None]) -> Total:
    return total(f for f in figures if f is not None)


__all__ = ["escape", "make_environment", "theme_dir"]
