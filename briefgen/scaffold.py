"""``briefgen new`` and ``briefgen init``: the files a writer starts from.

Everything written here must build at once — a new site or a new briefing
that fails ``briefgen build`` before anyone typed a word would teach the
wrong lesson — so the tests build what these functions write. Neither ever
overwrites a writer's work: ``new`` refuses an existing briefing, ``init``
a folder that is not empty unless told ``--force`` (and even then it only
replaces the files it would create).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

from briefgen import __version__
from briefgen.config import CONFIG_NAME, load_config
from briefgen.errors import BriefgenError
from briefgen.loader import REGISTRY_PATH
from briefgen.paths import BRIEFINGS_DIR
from briefgen.workflow import pages_workflow

log = logging.getLogger(__name__)

WORKFLOW_PATH = Path(".github/workflows/pages.yml")


class ScaffoldError(BriefgenError):
    """A file or folder would be overwritten."""


def slugify(title: str) -> str:
    """``"Strikes on Kharkiv: day 3"`` → ``"strikes-on-kharkiv-day-3"`` (a valid file slug)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or "briefing"


def today_in(site_dir: Path) -> dt.date:
    """Today's date in the site's time zone (a Kyiv desk's today, not the laptop's)."""
    return dt.datetime.now(ZoneInfo(load_config(site_dir).timezone)).date()


BRIEFING_TEMPLATE = """\
---
title: {title}
date: {date}
summary: >-
  One or two sentences: what happened and why it matters.
tags: []
# 'draft: true' keeps a briefing out of the published site
# ('briefgen serve --drafts' still shows it).
draft: false
sources:
  - id: source-1
    publisher: Name of the publisher
    title: Title of the article or statement
    url: https://example.org/replace-with-the-address
    published: {date}
# actors:
#   - id: an-id-from-content-actors-yaml
#     role: What they did or said
#   - name: Someone not in the registry
#     role: Witness
# chronology:
#   - date: Friday            # or 2025-04-04, "last week", "early March"
#     place: City
#     event: What happened, in one sentence.
#     source: source-1
# casualties:
#   - date: Friday
#     place: City
#     event: Missile strike
#     killed: at least 3      # a number, "at least N", "about N", "10-12", "dozens"
#     injured: unknown
#     source: source-1
---
Write the briefing here, in Markdown.
"""


def new_briefing(site_dir: Path, title: str, date: dt.date | None = None) -> Path:
    """Write ``content/briefings/<date>-<slug>.md`` to fill in; returns its path."""
    if not title.strip():
        raise ScaffoldError("the title is empty: write e.g. briefgen new \"Strikes on Kharkiv\".")
    day = date or today_in(site_dir)
    load_config(site_dir)  # refuse a folder that is not a site before writing into it
    path = site_dir / BRIEFINGS_DIR / f"{day.isoformat()}-{slugify(title)}.md"
    if path.exists():
        raise ScaffoldError(f"{path}: this briefing already exists; edit it, or choose "
                            "another title or --date.")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = BRIEFING_TEMPLATE.format(title=_quoted(title.strip()), date=day.isoformat())
    with path.open("x", encoding="utf-8") as stream:  # "x": never replace, even in a race
        stream.write(text)
    return path


def _quoted(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar: safe for ': ', '#', quotes.
    return json.dumps(text, ensure_ascii=False)


SITE_CONFIG = """\
# Settings of this briefing site.
title: My Briefings
description: Briefings on the crisis we follow, with their sources.
# Where the site is published. The GitHub Pages workflow passes the real
# address with --base-url, so this matters for local builds only.
base_url: https://example.org/
language: en
# "Today" for 'briefgen new' and the dates of feeds use this zone.
timezone: UTC
"""

ACTORS = """\
# The actor registry: briefings name actors by id ('id: example-ministry').
example-ministry:
  name: Example Ministry
  kind: organisation
  affiliation: Exampleland
  description: The ministry in the example briefing; replace it with real actors.
"""

EXAMPLE_BRIEFING = """\
---
title: An example briefing
date: 2025-01-10
summary: >-
  What a briefing looks like: a chronology, an actor from the registry and a
  casualty table, each fact tied to its source.
tags: [example]
sources:
  - id: example
    publisher: Example Wire
    title: An example report
    url: https://example.org/report
    published: 2025-01-10
actors:
  - id: example-ministry
    role: Announced the figures
chronology:
  - date: Thursday
    place: Example City
    event: A *storm* damages the port.
    source: example
  - date: 2025-01-10
    place: Example City
    event: The ministry publishes casualty figures.
    actors: [example-ministry]
    source: example
casualties:
  - date: Thursday
    place: Example City
    event: Storm damage at the port
    killed: at least 2
    injured: about 10
    source: example
---
This is an example. Replace it with your first briefing, or delete it and
run `briefgen new "Title of the briefing"`.
"""

GITIGNORE = """\
# briefgen's output, build cache, and pages staged during a build
site/
.briefgen-cache/
.*.briefgen-staging-*/
"""


def site_files() -> dict[Path, str]:
    """The files of a new site, by path relative to its folder."""
    files = {
        Path(CONFIG_NAME): SITE_CONFIG,
        REGISTRY_PATH: ACTORS,
        BRIEFINGS_DIR / "2025-01-10-an-example-briefing.md": EXAMPLE_BRIEFING,
        Path(".gitignore"): GITIGNORE,
        WORKFLOW_PATH: pages_workflow(f"python -m pip install briefgen=={__version__}",
                                      "briefgen build"),
    }
    return files


def init_site(folder: Path, force: bool = False) -> list[Path]:
    """Create a new site in ``folder``; returns the files written."""
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder}: this is a file, not a folder.")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise ScaffoldError(f"{folder}: the folder is not empty; choose a new folder, or "
                            "pass --force to add a site here (briefgen's own files are "
                            "replaced, nothing else is touched).")
    written = []
    for rel, text in site_files().items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
