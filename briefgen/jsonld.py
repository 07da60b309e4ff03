"""schema.org structured data for briefing pages.

Search engines and news aggregators read a ``NewsArticle`` from the page's
``<script type="application/ld+json">``: its headline, dates, publisher and
what it is ``about`` — the registry actors, with their aliases as
``alternateName`` so "Zelenskiy" and "Zelensky" are known to be one person.
This module only builds the data; the ``jsonld`` filter in templating.py
serialises it so that no string in it can end the script element.

Pure: model in, plain dicts out.
"""

from __future__ import annotations

from typing import Any

from briefgen.feeds import absolute_url, briefing_url
from briefgen.model import Actor, Briefing, Site

SCHEMA_ORG = "https://schema.org"


def news_article(briefing: Briefing, site: Site) -> dict[str, Any]:
    """The briefing as a schema.org ``NewsArticle``."""
    config = site.config
    url = briefing_url(config, briefing)
    publisher = {
        "@type": "Organization",
        "name": config.author or config.title,
        "url": config.base_url,
    }
    article: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "NewsArticle",
        "headline": briefing.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": briefing.date.isoformat(),
        "dateModified": (briefing.updated or briefing.date).isoformat(),
        "inLanguage": config.language,
        "author": publisher,
        "publisher": publisher,
    }
    if briefing.summary:
        article["description"] = briefing.summary
    if briefing.tags:
        article["keywords"] = list(briefing.tags)
    about = [thing(site.actors[actor_id], site)
             for actor_id in _actor_order(briefing) if actor_id in site.actors]
    if about:
        article["about"] = about
    return article


def _actor_order(briefing: Briefing) -> list[str]:
    # The briefing's own list of key actors first, as the editor ordered it;
    # actors named only in the chronology after them, in order of appearance.
    ids = [a.id for a in briefing.actors if a.id]
    ids.extend(actor_id for entry in briefing.chronology for actor_id in entry.actors)
    return list(dict.fromkeys(ids))


def thing(actor: Actor, site: Site) -> dict[str, Any]:
    """A registry actor as a schema.org ``Person`` or ``Organization``."""
    data: dict[str, Any] = {
        "@type": "Person" if actor.kind == "person" else "Organization",
        "name": actor.name,
    }
    aliases = [a for a in dict.fromkeys(actor.aliases) if a != actor.name]
    if aliases:
        data["alternateName"] = aliases
    if actor.description:
        data["description"] = actor.description
    data["url"] = absolute_url(site.config, f"actors/{actor.id}/")
    return data
