"""A one-line progress report for long builds.

On a terminal, a build that runs longer than about a second shows how many
briefings are parsed, redrawn in place. Elsewhere (CI logs) it stays quiet
unless asked with ``--verbose``, and then prints a line every tenth.
"""

from __future__ import annotations

import time
from typing import TextIO


class ProgressLine:
    """Callable with (done, total); pass it as a build's ``progress``."""

    DELAY = 1.0
    """Seconds before anything is shown: quick builds stay silent."""

    def __init__(self, stream: TextIO, verbose: bool = False) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self.verbose = verbose
        self.started = time.monotonic()
        self.last_tenth = -1
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.interactive:
            if time.monotonic() - self.started < self.DELAY:
                return
            width = 30
            filled = width * done // total
            self.stream.write(f"\r  parsing briefings [{'#' * filled}{'.' * (width - filled)}]"
                              f" {done}/{total}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
            self.drawn = True
        elif self.verbose:
            tenth = 10 * done // total
            if tenth != self.last_tenth:
                self.last_tenth = tenth
                self.stream.write(f"parsed {done}/{total} briefings\n")
                self.stream.flush()
