"""Keeping what a one-off build makes to its end out of the garbage collector's sight.

A build of a large site makes hundreds of thousands of objects it keeps to
its end (the loaded briefings, the indexes) and almost no cyclic garbage.
Each batch of new objects sets off a collection, and the full ones scan
everything made so far: a third of the time to read the cache and of the
time to derive the indexes went to collections that found nothing.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def kept_out_of_sight() -> Iterator[None]:
    """No collection while the block runs, and none later over what it made.

    Pausing the collector is not enough: the objects made meanwhile still
    count as new, and the first allocation after it resumes collects them
    all. So what exists at the end is moved out of the collector's sight
    (:func:`gc.freeze`) before it resumes. For one-off builds only, which
    give everything back when they are done (``build.render``); a process
    that calls this outside a build keeps those objects frozen until then.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
