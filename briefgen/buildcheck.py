"""What a build is asked to do, and whether it has anything to do.

Apart from the build itself: Jinja, Markdown, YAML and the workers' modules
take most of the time of a build that finds the site on disk current, so
the command line makes this check first and imports the build only when
there is something to build.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.paths import is_briefing_source
from briefgen.uptodate import Inputs, is_unchanged, read_inputs, read_manifest
from briefgen.writer import WriteResult, check_output_dir


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path
    drafts: bool = False
    base_url: str | None = None
    """Overrides ``base_url`` of the config (CI builds for a project site)."""
    use_cache: bool = True
    """Keep parsed briefings in ``.briefgen-cache/`` between builds (see diskcache)."""
    workers: int | None = None
    """Processes to parse and render with; ``None`` for every core, 1 for none."""


@dataclass(slots=True)
class Timings:
    """How long each stage of a build took, for ``--timings``."""

    stages: list[tuple[str, float]] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages.append((name, time.perf_counter() - started))

    def format(self) -> str:
        width = max((len(name) for name, _ in self.stages), default=0)
        return "\n".join(f"  {name:<{width}}  {seconds * 1000:8.0f} ms"
                         for name, seconds in self.stages)


@dataclass(frozen=True, slots=True)
class BuildReport:
    briefings: int
    """Briefings published (drafts included with ``--drafts``)."""
    files: int
    write: WriteResult
    seconds: float
    timings: Timings
    retained: tuple[object, ...] = ()
    """What the build made that lives to its end: the model, its indexes, the output.

    Freeing them object by object took 0.1 s after one edit of 10,000
    briefings; the ``briefgen`` command keeps the report until its process
    ends, which leaves them to the system (see ``cli.main``).
    """


@dataclass(frozen=True, slots=True)
class Check:
    """The up-to-date check of a build, which the build goes on from."""

    started: float
    """When the build began (``time.perf_counter``)."""
    timings: Timings
    inputs: Inputs
    warned: set[str]
    """Kinds of cache problem reported already: one warning per kind, for all its files."""
    report: BuildReport | None
    """The build's report when the site on disk is already what it would write."""


def check_build(options: BuildOptions, persistent: bool = True) -> Check:
    """Check the output folder and, for a ``persistent`` build, whether anything changed.

    A persistent build is a one-off build with its cache (not ``--no-cache``,
    not the preview server): it records what it read and wrote, so the next
    one can tell when nothing changed.
    """
    started = time.perf_counter()
    check_output_dir(options.out_dir, options.site_dir)
    timings = Timings()
    warned: set[str] = set()
    if not (persistent and options.use_cache):
        return Check(started, timings, Inputs("", {}), warned, None)
    with timings.stage("check sources"):
        # Read before the build: an edit made while it runs changes the
        # key, so the next build does not take the site for current.
        manifest = read_manifest(options.site_dir, warned)
        # With no manifest there is nothing to compare: the briefings are
        # hashed by the loader as it reads them, not read twice.
        inputs = read_inputs(options.site_dir, (options.drafts, options.base_url,
                                                str(options.out_dir.resolve())),
                             manifest.files if manifest else {},
                             defer=None if manifest else is_briefing_source)
        unchanged = is_unchanged(manifest, inputs, options.out_dir)
    report = None
    if unchanged and manifest is not None:
        files = len(manifest.outputs)
        report = BuildReport(manifest.briefings, files, WriteResult(0, files, 0),
                             time.perf_counter() - started, timings)
    return Check(started, timings, inputs, warned, report)
