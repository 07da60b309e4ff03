"""Split a briefing file into its YAML front matter and Markdown body.

Handles what editors and operating systems put in files: a UTF-8 byte order
mark and CRLF line endings build normally; an empty file, a file that is not
UTF-8, a missing or unclosed ``---`` block are errors naming the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import ContentError

FENCE = "---"


@dataclass(frozen=True, slots=True)
class SplitFile:
    """The two parts of a briefing file, with where each starts."""

    front_matter: str
    front_matter_line: int
    """0-based line of the file where the front matter text starts."""
    body: str
    body_line: int
    """0-based line of the file where the body starts."""


class FrontMatterError(Exception):
    def __init__(self, error: ContentError) -> None:
        super().__init__(error.format())
        self.error = error


def decode(raw: bytes, path: Path) -> str:
    """UTF-8 text with the BOM dropped and line endings made ``\\n``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise FrontMatterError(
            ContentError(
                path, line, column,
                f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}): "
                "save it as UTF-8 in your editor.",
            )
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text: str, path: Path) -> SplitFile:
    """Find the front matter between a first ``---`` line and the next one."""
    if not text.strip():
        raise FrontMatterError(
            ContentError(
                path, 1, 0,
                "the file is empty: a briefing starts with YAML front matter between "
                "'---' lines (title, date, sources), then the Markdown body.",
            )
        )
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        raise FrontMatterError(
            ContentError(
                path, 1, 1,
                "no front matter found: the first line must be '---', followed by the "
                "YAML fields and a closing '---' line. Did you forget to add '---'?",
            )
        )
    for index in range(1, len(lines)):
        if lines[index].rstrip() in (FENCE, "..."):
            return SplitFile(
                front_matter="\n".join(lines[1:index]) + "\n",
                front_matter_line=1,
                body="\n".join(lines[index + 1 :]),
                body_line=index + 1,
            )
    raise FrontMatterError(
        ContentError(
            path, 1, 1,
            "the front matter opened by '---' on line 1 is never closed: add a line "
            "with '---' after the last field, before the body.",
        )
    )
