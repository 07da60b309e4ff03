"""Typed reading of YAML values, collecting every error with its position.

A :class:`Fields` reader wraps one loaded YAML document. Each accessor takes
the value's path, checks its type and returns it (or ``None`` after recording
an error), so a schema can read a whole document and report all its mistakes
at once. Every scalar arrives as the string it was written as (see
``yamlsafe``); the accessors decide what it means.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from briefgen.errors import ContentError, did_you_mean
from briefgen.yamlsafe import Located, Path_

T = TypeVar("T")

TRUE_WORDS = frozenset({"true", "True", "TRUE", "yes", "Yes"})
FALSE_WORDS = frozenset({"false", "False", "FALSE", "no", "No"})


def dotted(path: Path_) -> str:
    """``("chronology", 2, "date")`` → ``chronology[2].date``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


SHARED_TEXT = 64
"""Texts up to this long are interned. Pickle writes an object met before as a
reference to it, so a cache file holds each recurring place or id once, and
reading a large site's cache makes a fifth fewer objects."""


@dataclass(slots=True)
class Fields:
    """Reads fields of one YAML document, recording errors instead of raising."""

    file: Path
    located: Located
    errors: list[ContentError] = field(default_factory=list)

    def error(self, path: Path_, message: str, *, at_key: bool = False) -> None:
        positions = self.located.key_positions if at_key else self.located.positions
        line, column = positions.get(path) or self.located.position(path)
        self.errors.append(ContentError(self.file, line, column, message, dotted(path)))

    def raw(self, path: Path_) -> Any:
        value = self.located.data
        for part in path:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return None
        return value

    def mapping(self, path: Path_, allowed: Iterable[str], what: str) -> dict[str, Any] | None:
        """The mapping at ``path``, with unknown keys reported (did-you-mean)."""
        value = self.raw(path)
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping of 'key: value' lines.")
            return None
        allowed = list(allowed)
        for key in value:
            if key not in allowed:
                self.error(
                    (*path, key),
                    f"unknown field '{key}'.{did_you_mean(key, allowed)} "
                    f"Allowed fields: {', '.join(allowed)}.",
                    at_key=True,
                )
        return value

    def items(self, path: Path_, what: str, *, required: bool = False) -> list[Path_]:
        """The paths of the items of the list at ``path``."""
        value = self.raw(path)
        if value is None:
            if required:
                self.error(path, f"{what} is required: add at least one entry.")
            return []
        if not isinstance(value, list):
            self.error(path, f"{what} must be a list (lines starting with '- ').")
            return []
        if required and not value:
            self.error(path, f"{what} must have at least one entry.")
        return [(*path, i) for i in range(len(value))]

    def text(self, path: Path_, *, required: bool = False, default: str = "") -> str:
        value = self.raw(path)
        if value is None:
            if required:
                self.error(path, f"'{path[-1]}' is required: add it.")
            return default
        if not isinstance(value, str):
            self.error(path, f"'{path[-1]}' must be text, not a list or mapping.")
            return default
        stripped: str = value.strip()
        if required and not stripped:
            self.error(path, f"'{path[-1]}' must not be empty.")
        # Places, times, ids, roles and tags recur across briefings: one
        # string object each, which the build cache then stores once per
        # file and reads back as one (see SHARED_TEXT).
        return sys.intern(stripped) if len(stripped) <= SHARED_TEXT else stripped

    def matching(self, path: Path_, pattern: re.Pattern[str], hint: str,
                 *, required: bool = False) -> str | None:
        value = self.text(path, required=required)
        if not value:
            return None
        if not pattern.fullmatch(value):
            self.error(path, f"'{value}' is not valid here: {hint}")
            return None
        return value

    def parsed(self, path: Path_, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        """Run ``parse`` on the text at ``path``; its ValueError becomes an error here."""
        value = self.text(path, required=required)
        if not value:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.error(path, str(exc))
            return None

    def flag(self, path: Path_) -> bool:
        value = self.raw(path)
        if value is None:
            return False
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.error(path, f"'{path[-1]}' must be true or false, not {value!r}.")
        return False

    def words(self, path: Path_) -> tuple[str, ...]:
        """A list of non-empty strings (tags, aliases, actor ids)."""
        result: list[str] = []
        for item in self.items(path, f"'{path[-1]}'"):
            word = self.text(item, required=True)
            if word:
                result.append(word)
        return tuple(result)
