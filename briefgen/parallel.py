"""Parse many briefings on every core.

Parsing a briefing is a pure function of its bytes, the registry and the seed
list (``loader.parse_briefing``), which makes it safe to spread over worker
processes: results come back in input order, so the site is byte-identical
to a single-process build. Small batches stay in-process, where starting
workers would cost more than it saves.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from briefgen.errors import ContentError
from briefgen.markup import MarkdownRenderer
from briefgen.model import Actor, Briefing

Result = Briefing | list[ContentError]
Job = tuple[Path, bytes]

MIN_PARALLEL = 200
"""Below this many files one process is faster than starting workers."""

# Set once in each worker by _start_worker: a process's own reusable parser state.
_worker_state: tuple[dict[str, Actor], frozenset[str], MarkdownRenderer] | None = None


def _start_worker(registry: dict[str, Actor], seeds: frozenset[str]) -> None:
    global _worker_state
    _worker_state = (registry, seeds, MarkdownRenderer())


def _parse_chunk(jobs: Sequence[Job]) -> list[Result]:
    from briefgen.loader import parse_briefing

    assert _worker_state is not None
    registry, seeds, renderer = _worker_state
    return [parse_briefing(path, raw, registry, seeds, renderer) for path, raw in jobs]


def worker_count() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def parse_all(
    jobs: Sequence[Job],
    registry: dict[str, Actor],
    seeds: frozenset[str],
    renderer: MarkdownRenderer,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Result]:
    """Parse ``jobs`` in order, in worker processes when there are enough of them."""
    from briefgen.loader import parse_briefing

    workers = workers or worker_count()
    results: list[Result] = []
    if workers < 2 or len(jobs) < MIN_PARALLEL:
        for path, raw in jobs:
            results.append(parse_briefing(path, raw, registry, seeds, renderer))
            if progress and len(results) % 50 == 0:
                progress(len(results), len(jobs))
        return results
    size = max(16, min(128, len(jobs) // (workers * 8)))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    # "spawn" starts clean interpreters: safe even when the caller runs threads
    # (the preview server), unlike fork.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=_start_worker, initargs=(registry, seeds)) as pool:
        for chunk in pool.map(_parse_chunk, chunks):
            results.extend(chunk)
            if progress:
                progress(len(results), len(jobs))
    return results
