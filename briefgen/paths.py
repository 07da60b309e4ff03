"""Where briefgen finds things: its default theme and a site's briefing sources.

Apart from the modules that read them, so that the up-to-date check, which
only hashes and stats files, starts without importing Jinja or Markdown.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
BRIEFINGS_DIR = Path("content/briefings")


def theme_dir() -> Path:
    """The default theme: inside the installed package, or at the repository's top."""
    for candidate in (PACKAGE_DIR / "templates", PACKAGE_DIR.parent / "templates"):
        if (candidate / "base.html").is_file():
            return candidate
    raise FileNotFoundError("briefgen's default theme is missing; reinstall briefgen.")


def is_briefing_source(rel: str) -> bool:
    """Whether ``rel``, a path relative to the site folder, names a briefing source."""
    folder, _, name = rel.rpartition("/")
    return folder == BRIEFINGS_DIR.as_posix() and name.endswith(".md")
