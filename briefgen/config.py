"""Read and check ``briefgen.yaml``, the site's settings."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from briefgen.errors import BuildError, ConfigError
from briefgen.fields import Fields
from briefgen.frontmatter import FrontMatterError, decode
from briefgen.model import DEFAULT_FEED_ENTRIES, DEFAULT_HOME_ENTRIES, SiteConfig
from briefgen.yamlsafe import YamlError, load_yaml

CONFIG_NAME = "briefgen.yaml"
CONFIG_FIELDS = ("title", "description", "base_url", "language", "timezone", "author", "cname",
                 "feed_entries", "home_entries")
LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*")


def load_config(site_dir: Path, base_url_override: str | None = None) -> SiteConfig:
    """The settings of the site in ``site_dir``; raises on any problem."""
    path = site_dir / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            f"{path}: no {CONFIG_NAME} here, so this is not a briefgen site. "
            "Run briefgen in the site's folder, pass --site DIR, or create one with "
            "'briefgen init DIR'."
        )
    shown = Path(CONFIG_NAME)
    try:
        located = load_yaml(decode(path.read_bytes(), shown), shown)
    except YamlError as exc:
        raise BuildError([exc.error]) from None
    except FrontMatterError as exc:
        raise BuildError([exc.error]) from None
    fields = Fields(shown, located)
    fields.mapping((), CONFIG_FIELDS, CONFIG_NAME)
    base_url = base_url_override or fields.text(("base_url",), required=True)
    parts = urlsplit(base_url)
    if base_url and (parts.scheme not in ("http", "https") or not parts.netloc):
        fields.error(("base_url",), f"'{base_url}' is not a full web address: write e.g. "
                     "https://example.org/ or https://user.github.io/repo/.")
    language = fields.text(("language",), default="en")
    if not LANGUAGE.fullmatch(language):
        fields.error(("language",), f"'{language}' is not a language tag: write e.g. en or uk.")
    timezone = fields.text(("timezone",), default="UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fields.error(("timezone",), f"unknown time zone '{timezone}': write an IANA name "
                     "such as Europe/Kyiv or UTC.")
    config = SiteConfig(
        title=fields.text(("title",), required=True),
        description=fields.text(("description",)),
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        language=language,
        timezone=timezone,
        author=fields.text(("author",)),
        cname=fields.text(("cname",)),
        feed_entries=_entries(fields, "feed_entries", "in the feed", DEFAULT_FEED_ENTRIES),
        home_entries=_entries(fields, "home_entries", "on the home page", DEFAULT_HOME_ENTRIES),
    )
    if fields.errors:
        raise BuildError(fields.errors)
    return config


def _entries(fields: Fields, name: str, where: str, default: int) -> int:
    """A count of newest briefings to list, where 0 lists them all."""
    def count(text: str) -> int:
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"it must be a whole number such as {default} (0 keeps "
                             f"every briefing {where}), not '{text}'.")
        return int(text)

    found = fields.parsed((name,), count)
    return default if found is None else found
