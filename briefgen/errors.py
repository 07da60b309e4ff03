"""Errors that know how to present themselves.

Every problem in a user's content becomes a :class:`ContentError` carrying the
file, line and column it was found at, what is wrong and what to do about it.
Loading collects all of them and raises one :class:`BuildError`, so a single
run reports every mistake instead of the first (Zola's messages are the model;
MkDocs' silent ``except Exception: pass`` around front matter is what we avoid).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ContentError:
    """One problem found in one place of the user's files."""

    path: Path
    """The file, relative to the site folder when possible."""
    line: int
    """1-based line; 0 when the problem concerns the whole file."""
    column: int
    """1-based column; 0 when unknown."""
    message: str
    """What is wrong and what to do, in one sentence or two."""
    field: str = ""
    """The dotted field path inside the file (``chronology[2].date``), if any."""

    def format(self) -> str:
        """``path:line:col: field: message`` — the one format used everywhere."""
        where = str(self.path)
        if self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form, for the preview server's error overlay."""
        return {
            "path": str(self.path),
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "text": self.format(),
        }


class BriefgenError(Exception):
    """A failure the command line shows as a message, never as a traceback."""

    def format(self) -> str:
        return str(self)


class BuildError(BriefgenError):
    """The content has errors; the build stopped before writing anything."""

    def __init__(self, errors: Sequence[ContentError]) -> None:
        self.errors = sorted(errors, key=lambda e: (str(e.path), e.line, e.column))
        super().__init__(self.format())

    def format(self) -> str:
        lines = [e.format() for e in self.errors]
        count = len(self.errors)
        lines.append(f"{count} error{'s' if count != 1 else ''} found; the site was not written.")
        return "\n".join(lines)


class ConfigError(BriefgenError):
    """The site folder or its settings cannot be used."""


class CacheError(BriefgenError):
    """A build cache file read in part turned out damaged when the rest was needed."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``did you mean 'x'?`` suffix when a close match exists, else ``""``."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{matches[0]}'?" if matches else ""
