"""The ``briefgen`` command line: parse flags, call the library, show errors.

Help text comes from the docstrings. Errors are :class:`BriefgenError`
subclasses that format themselves; they reach the user as messages on stderr
with exit status 1, never as tracebacks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from briefgen import __version__
from briefgen.buildcheck import BuildOptions, check_build
from briefgen.errors import BriefgenError
from briefgen.progress import ProgressLine

F = TypeVar("F", bound=Callable[..., Any])

SITE_OPTION = click.option(
    "--site", "-s", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
    show_default=True, help="The site folder (holding briefgen.yaml).",
)


DRAFTS_OPTION = click.option("--drafts", is_flag=True,
                             help="Include briefings marked 'draft: true'.")


def output_option(help_text: str) -> Callable[[F], F]:
    """``--output/-o``, which every command reads the same way; only the help differs."""
    return click.option("--output", "-o", "out_dir", default=None, help=help_text,
                        type=click.Path(file_okay=False, path_type=Path))


def reports_errors(func: F) -> F:
    """Turn briefgen's own errors into a message and exit status 1."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BriefgenError as exc:
            click.echo(exc.format(), err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="briefgen")
def cli() -> None:
    """briefgen builds static briefing sites from Markdown and YAML.

    A site is a folder with briefgen.yaml, content/briefings/*.md and an
    optional content/actors.yaml. Start with 'briefgen init DIR', add a
    briefing with 'briefgen new "Title"', preview with 'briefgen serve' and
    publish the output of 'briefgen build'.
    """


@cli.command()
@SITE_OPTION
@output_option("Where to write the site [default: SITE/site].")
@DRAFTS_OPTION
@click.option("--base-url", default=None, metavar="URL",
              help="Publish under this URL instead of base_url from briefgen.yaml, "
                   "e.g. https://user.github.io/repo/.")
@click.option("--no-cache", is_flag=True,
              help="Parse every briefing anew, ignoring and not touching .briefgen-cache/.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Processes to parse and render with [default: every core; 1: none].")
@click.option("--timings", is_flag=True, help="Print how long each stage took.")
@click.option("--verbose", "-v", is_flag=True,
              help="Report progress even when not on a terminal (e.g. in CI).")
@reports_errors
def build(site_dir: Path, out_dir: Path | None, drafts: bool, base_url: str | None,
          no_cache: bool, jobs: int | None, timings: bool, verbose: bool) -> None:
    """Build the site into its output folder.

    Every content error is reported with its file, line and column, and
    the previous build is left untouched when there is any. Parsed
    briefings are kept in .briefgen-cache/ so the next build re-parses only
    what changed; 'briefgen clean' removes it.
    """
    options = BuildOptions(site_dir=site_dir, out_dir=out_dir or site_dir / "site",
                           drafts=drafts, base_url=base_url, use_cache=not no_cache,
                           workers=jobs)
    check = check_build(options)
    report = check.report
    if report is None:
        # Imported only when there is something to build: the modules of
        # the build itself take most of the time of one that has nothing to do.
        from briefgen.build import build_site

        report = build_site(options, progress=ProgressLine(sys.stderr, verbose), check=check)
        kept_to_the_end = click.get_current_context().obj
        if isinstance(kept_to_the_end, list):  # by main: the process ends without freeing it
            kept_to_the_end.extend((check, report))
    briefings = report.briefings
    click.echo(
        f"Built {briefings} briefing{'s' if briefings != 1 else ''} into {options.out_dir}: "
        f"{report.write.written} files written, {report.write.unchanged} unchanged, "
        f"{report.write.removed} removed in {report.seconds * 1000:.0f} ms."
    )
    if timings:
        click.echo(report.timings.format())


@cli.command()
@SITE_OPTION
@output_option("The output folder to remove [default: SITE/site].")
@reports_errors
def clean(site_dir: Path, out_dir: Path | None) -> None:
    """Remove the built site and the build cache (.briefgen-cache/).

    The output folder is removed only if a build wrote it; sources are
    never touched.
    """
    from briefgen.cleanup import clean_site

    for removed in clean_site(site_dir, out_dir or site_dir / "site"):
        click.echo(f"Removed {removed}")


@cli.command()
@SITE_OPTION
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="The port to serve on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to bind; anything but loopback exposes your drafts.")
@DRAFTS_OPTION
@click.option("--poll", is_flag=True,
              help="Poll for changes instead of using inotify (Docker, WSL, network mounts).")
@reports_errors
def serve(site_dir: Path, port: int, host: str, drafts: bool, poll: bool) -> None:
    """Preview the site: build, serve, rebuild on every save, reload the browser.

    Pages are served under the path of base_url, as GitHub Pages will serve
    them. Errors are shown here and over the open page; the last good build
    stays up until they are fixed.
    """
    import logging

    from briefgen.serve import PreviewServer, is_loopback, run

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("briefgen")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    if not is_loopback(host):
        click.echo(f"Warning: serving on {host}, not loopback: other machines can read "
                   "this preview, drafts included.", err=True)
    run(PreviewServer(site_dir, host=host, port=port, drafts=drafts, poll=poll),
        lambda text: click.echo(text, err=True))


@cli.command()
@SITE_OPTION
@click.argument("title")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The dateline, YYYY-MM-DD [default: today in the site's timezone].")
@reports_errors
def new(site_dir: Path, title: str, day: datetime | None) -> None:
    """Write a new briefing, content/briefings/DATE-SLUG.md, to fill in.

    It has valid front matter with one placeholder source, so the site
    builds at once; it never overwrites an existing briefing.
    """
    from briefgen.scaffold import new_briefing

    path = new_briefing(site_dir, title, day.date() if day else None)
    click.echo(f"Created {path}")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Create the site even if FOLDER is not empty (replaces briefgen's files only).")
@reports_errors
def init(folder: Path, force: bool) -> None:
    """Create a new site in FOLDER that builds at once.

    It has briefgen.yaml, an example briefing, content/actors.yaml, a
    .gitignore and a GitHub Pages workflow.
    """
    from briefgen.scaffold import init_site

    for path in init_site(folder, force):
        click.echo(f"Created {path}")
    click.echo(f"Next: cd {folder} && briefgen serve")


@cli.command()
@SITE_OPTION
@output_option("The built site to check [default: SITE/site].")
@DRAFTS_OPTION
@click.option("--base-url", default=None, metavar="URL",
              help="The URL the site was built for, if not base_url from briefgen.yaml.")
@reports_errors
def check(site_dir: Path, out_dir: Path | None, drafts: bool, base_url: str | None) -> None:
    """Check the content, then the built site's internal links and #anchors.

    The content is validated without writing anything. Every broken link
    is listed with the page and line it is on; the exit status is 1 when
    there is any.
    """
    from briefgen.check import check_site

    options = BuildOptions(site_dir=site_dir, out_dir=out_dir or site_dir / "site",
                           drafts=drafts, base_url=base_url)
    report = check_site(options)
    click.echo(f"Content is valid; {report.links} internal links on {report.pages} pages "
               f"of {options.out_dir} are all good.")


def main() -> None:
    """The ``briefgen`` command: run it, then end the process without Python's teardown.

    Once a command is done and its output flushed, all that is left is to
    free memory the system takes back anyway: after a build of a large site
    the interpreter freed its modules and caches object by object (60-80 ms
    after one edit of 10,000 briefings). Only this entry point ends so; the command
    group (``cli``, which the tests call) returns as usual, and an error
    that is not briefgen's own still ends with its traceback. A command may
    leave what it made in ``kept_to_the_end`` (click's ``obj``) rather than
    free it as it returns: the model of a large site, say.
    """
    kept_to_the_end: list[object] = []
    try:
        cli(prog_name="briefgen", obj=kept_to_the_end)
    except SystemExit as done:
        status = _exit_status(done.code)
    else:
        status = 0
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status ``sys.exit(code)`` would end with, saying what it would say."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
