"""Parse and render on every core.

Parsing a briefing is a pure function of its bytes, the registry and the seed
list (``loader.parse_briefing``), and rendering a page a pure function of its
context, which makes both safe to spread over worker processes: results come
back in input order, so the site is byte-identical to a single-process build
(tests/test_parallel_cache.py compares them). Small batches stay in-process,
where starting workers would cost more than it saves.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import active_children, get_all_start_methods, get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TypeVar

from briefgen.diskcache import decode_shard, encode_shard, save_encoded
from briefgen.errors import ContentError
from briefgen.markup import MarkdownRenderer
from briefgen.model import Actor, Briefing

Result = Briefing | list[ContentError]
Job = tuple[Path, bytes | None]
"""A briefing source relative to the site folder, and its bytes when read already."""
log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 200
"""Below this many files one process is faster than starting workers."""

# Set once in each worker by _start_worker: a process's own reusable parser state.
_worker_state: tuple[dict[str, Actor], frozenset[str], MarkdownRenderer] | None = None


def _start_worker(registry: dict[str, Actor], seeds: frozenset[str]) -> None:
    global _worker_state
    _worker_state = (registry, seeds, MarkdownRenderer())


@dataclass(frozen=True, slots=True)
class ParseGroup:
    """Files one worker parses together.

    With ``cache_file`` the worker also stores the briefings it parsed there,
    each under its key, as a whole shard of the build cache (``diskcache``).
    After a cold build the main process would otherwise pickle every parsed
    briefing again, alone, while the cores that parsed them wait.
    """

    site_dir: Path
    jobs: Sequence[Job]
    keys: Sequence[Hashable]
    """The jobs' cache keys, one each, in order."""
    cache_file: Path | None = None


@dataclass(slots=True)
class Parsed:
    """What :func:`parse_all` gives: results in job order, and the cache files workers stored."""

    results: list[Result] = field(default_factory=list)
    stored: list[tuple[int, dict[Hashable, Briefing]]] = field(default_factory=list)
    """(group index, the entries its worker stored in the group's ``cache_file``)."""


def _parse_group(group: ParseGroup) -> tuple[list[Result | None], bytes | None]:
    """A group's results; with a cache file, the briefings come back encoded as stored.

    Briefings stored are sent back as the bytes written (``None`` in their
    places), so each is pickled once, for the file and the main process alike.
    """
    from briefgen.loader import content_key, parse_source

    assert _worker_state is not None
    registry, seeds, renderer = _worker_state
    results = [parse_source(group.site_dir, path, raw, registry, seeds, renderer)
               for path, raw in group.jobs]
    if group.cache_file is None:
        return list(results), None
    entries = {content_key(key, result): result  # type: ignore[arg-type]
               for key, result in zip(group.keys, results, strict=True)
               if isinstance(result, Briefing)}
    encoded = encode_shard(entries)
    save_encoded(group.cache_file, encoded)
    return [None if isinstance(result, Briefing) else result for result in results], encoded


def worker_count() -> int:
    """Cores this process may use (respects CPU affinity, e.g. in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunked(site_dir: Path, jobs: Sequence[Job], keys: Sequence[Hashable],
            workers: int) -> list[ParseGroup]:
    """Groups small enough to spread evenly over ``workers``, large enough to be cheap to send."""
    size = max(16, min(128, len(jobs) // (workers * 8)))
    return [ParseGroup(site_dir, jobs[i : i + size], keys[i : i + size])
            for i in range(0, len(jobs), size)]


def parse_all(
    groups: Sequence[ParseGroup],
    registry: dict[str, Actor],
    seeds: frozenset[str],
    renderer: MarkdownRenderer,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Parsed:
    """Parse the groups' jobs, in worker processes when there are enough of them.

    Results come in the order of the groups and their jobs. In one process
    nothing is stored in the groups' cache files (the caller stores what it
    parsed, as for any group).
    """
    from briefgen.loader import parse_source

    workers = workers or worker_count()
    total = sum(len(group.jobs) for group in groups)
    parsed = Parsed()
    results = parsed.results
    if workers < 2 or total < MIN_PARALLEL:
        for group in groups:
            for path, raw in group.jobs:
                results.append(parse_source(group.site_dir, path, raw, registry, seeds,
                                            renderer))
                if progress and len(results) % 50 == 0:
                    progress(len(results), total)
        return parsed
    # Largest first: the last groups to finish then leave the fewest cores idle.
    order = sorted(range(len(groups)), key=lambda n: -len(groups[n].jobs))
    by_group: dict[int, list[Result]] = {}
    done = 0
    # "spawn" starts clean interpreters: safe even when the caller runs threads
    # (the preview server), unlike fork. Stored groups are decoded by a
    # thread of their own, as the pool's own thread unpickles the others:
    # glibc gives each thread its own heap, and the bodies, freed before the
    # render workers are forked for the pages across briefings, then leave
    # whole pages to give back instead of holes among the model's objects
    # (decoded here, peak memory of 10,000 briefings rose by 130 MB).
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                                 initializer=_start_worker, initargs=(registry, seeds)) as pool, \
                ThreadPoolExecutor(1) as decoder:
            outcomes = pool.map(_parse_group, [groups[n] for n in order])
            for number, (found, encoded) in zip(order, outcomes, strict=True):
                group = groups[number]
                if encoded is not None:
                    entries = decoder.submit(decode_shard, encoded).result()
                    parsed.stored.append((number, entries))
                    # Stored in the order parsed, under the keys of what was parsed.
                    stored = iter(entries.values())
                    found = [next(stored) if result is None else result for result in found]
                by_group[number] = [result for result in found if result is not None]
                done += len(group.jobs)
                if progress:
                    progress(done, total)
    except BrokenProcessPool as exc:
        # A worker that cannot start (no way to re-import the main module, a
        # killed process) must not fail the build: finish here, in order.
        log.warning("parsing in worker processes failed (%s); continuing in one process.", exc)
        for number, group in enumerate(groups):
            if number not in by_group:
                by_group[number] = [parse_source(group.site_dir, path, raw, registry, seeds,
                                                 renderer) for path, raw in group.jobs]
    for number in range(len(groups)):
        results.extend(by_group[number])
    return parsed


MIN_PARALLEL_PAGES = 400
"""Below this many pages forking costs more than it saves."""


def render_all(
    items: Sequence[T], render: Callable[[T], R], workers: int | None = None,
    min_items: int | None = None,
) -> list[R]:
    """``[render(item) for item in items]``, in forked worker processes when worthwhile.

    Pages hold closures over the site model, which cannot be pickled, so the
    workers are forked: each inherits the model and renders every n-th item,
    sending back only the results (HTML, or where it was staged). Forking is
    used only when this process runs no other thread (a forked child gets
    only the calling thread, and locks held by others would stay locked), so
    the preview server renders in-process.
    A worker that fails hands its items back; the parent renders them and
    raises the real error with its traceback. Below ``min_items`` items
    (:data:`MIN_PARALLEL_PAGES` unless given) forking costs more than it saves.
    """
    workers = workers or worker_count()
    min_items = MIN_PARALLEL_PAGES if min_items is None else min_items
    if len(items) < max(min_items, 2) or not _can_fork(workers):
        return [render(item) for item in items]
    results: list[R | None] = [None] * len(items)
    with _model_frozen(), _workers(items, render, range(1, workers), workers) as children:
        for index in range(0, len(items), workers):
            results[index] = render(items[index])
        for child in children:
            _receive(child, results)
    return _completed(items, render, results)


@contextmanager
def started(items: Sequence[T], render: Callable[[T], R], workers: int | None = None,
            fork: bool = True) -> Iterator[Callable[[], list[R]]]:
    """Begin ``[render(item) for item in items]`` in a forked worker; this process goes on.

    For work that needs nothing this process does next (the open data,
    made from the model alone, while the pages are listed). Yields a
    function that waits for the results, in order. Without ``fork``, with
    one worker, or when forking is not safe (see :func:`render_all`), the
    items are rendered when the results are asked for. A worker that fails
    hands its items back, as in :func:`render_all`; one still running when
    the block ends (this process failed first) is stopped.
    """
    if not items or not fork or not _can_fork(workers or worker_count()):
        yield lambda: [render(item) for item in items]
        return
    with _model_frozen(), _workers(items, render, [0], 1) as [child]:

        def results() -> list[R]:
            done: list[R | None] = [None] * len(items)
            _receive(child, done)
            return _completed(items, render, done)

        yield results


def _can_fork(workers: int) -> bool:
    """Whether forking ``workers`` is worth it and safe (see :func:`render_all`)."""
    return (workers >= 2 and threading.active_count() == 1
            and "fork" in get_all_start_methods())


@contextmanager
def _model_frozen() -> Iterator[None]:
    """The objects that exist now moved out of the garbage collector's sight while forked.

    The children share the site model with this process until either writes
    to a page of it; a garbage collection touches every object it scans. The
    objects are left there if the caller had frozen the model already.
    """
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


@dataclass(slots=True)
class Child:
    """A forked worker and the pipe its results come through."""

    process: BaseProcess
    pipe: Connection
    delivered: bool = False
    """Its results came: it is ending by itself, and nothing waits for it to be gone."""


@contextmanager
def _workers(items: Sequence[T], render: Callable[[T], R], firsts: Iterable[int],
             step: int) -> Iterator[list[Child]]:
    """Forked workers rendering every ``step``-th item from each of ``firsts``.

    Those still running when the block ends without having delivered their
    results (this process failed first: their items are not needed) are
    stopped. One that delivered them is left to end by itself: the system
    takes a forked copy of a large model apart in 50-70 ms, which the build
    need not wait for then (:func:`reap_workers` waits for it at the end).
    """
    context = get_context("fork")
    children: list[Child] = []
    try:
        for first in firsts:
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_render_share, args=(items, render, first, step, send),
                                    name=WORKER_NAME)
            child.start()
            send.close()
            children.append(Child(child, receive))
        yield children
    finally:
        for worker in children:
            worker.pipe.close()
            if not worker.delivered and worker.process.is_alive():
                worker.process.terminate()
                worker.process.join()


def _receive(child: Child, results: list[R | None]) -> None:
    """Put a worker's results in place; none when it died (:func:`_completed` makes them)."""
    try:
        for index, result in child.pipe.recv():
            results[index] = result
    except EOFError:
        child.process.join()  # it died: gone already, or about to be
        return
    child.delivered = True


def _completed(items: Sequence[T], render: Callable[[T], R],
               results: list[R | None]) -> list[R]:
    """The results, with the items no worker rendered rendered here (raising their errors)."""
    return [render(items[i]) if done is None else done for i, done in enumerate(results)]


WORKER_NAME = "briefgen-worker"
"""The name of the processes :func:`_workers` forks, which :func:`reap_workers` waits for."""


def reap_workers() -> None:
    """Wait for the workers left to end by themselves (see :func:`_workers`).

    Called when the build is done, by when they are gone: each is then
    accounted for (its CPU time counts in this process's children's) and
    none outlives the build. Other child processes are not waited for.
    """
    for process in active_children():
        if process.name == WORKER_NAME:
            process.join()


def release_free_memory() -> None:
    """Give the C allocator's free pages back to the system.

    Freed objects leave holes in the heap that stay resident: before forking
    workers they would be shared with them and copied by whichever process
    allocates there first. Only glibc has ``malloc_trim``; elsewhere this
    does nothing.
    """
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim.argtypes = [ctypes.c_size_t]
    trim(0)


def _render_share(items: Sequence[T], render: Callable[[T], R], first: int, step: int,
                  send: Connection) -> None:
    # Results go back in one message at the end: sending page by page would
    # block on the full pipe while the parent is still rendering its own share.
    done: list[tuple[int, R]] = []
    try:
        for index in range(first, len(items), step):
            done.append((index, render(items[index])))
    except Exception:  # the parent re-renders what is missing and raises it properly
        pass
    send.send(done)
    send.close()
