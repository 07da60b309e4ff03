"""A deterministic generated site for benchmarks: N briefings, an actor registry.

The same ``seed`` always gives the same bytes, so figures from different runs
measure the same work.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

PLACES = ("Kyiv", "Kharkiv", "Odesa", "Dnipro", "Lviv", "Sumy", "Zaporizhzhia", "Kherson")
EVENTS = ("A drone strikes an apartment block", "Talks resume in a neutral capital",
          "Air defences intercept missiles overnight", "A power station is hit",
          "Officials announce an evacuation", "A prisoner exchange takes place")
ACTOR_COUNT = 40

CONFIG = """\
title: Benchmark Briefings
description: A generated site.
base_url: https://example.org/briefings/
language: en
timezone: Europe/Kyiv
"""


def registry_text() -> str:
    lines = []
    for i in range(ACTOR_COUNT):
        lines += [f"actor-{i}:", f"  name: Actor Number {i}", "  kind: person",
                  f"  affiliation: Group {i % 5}", f"  description: Actor {i} of the corpus."]
    return "\n".join(lines) + "\n"


def briefing_text(index: int, rng: random.Random, title: str | None = None) -> str:
    """One valid briefing with a chronology, actors and casualty records."""
    day = dt.date(2024, 1, 1) + dt.timedelta(days=index % 500)
    actors = rng.sample(range(ACTOR_COUNT), 3)
    lines = [
        "---",
        f"title: {title or f'Briefing number {index}'}",
        f"date: {day.isoformat()}",
        f"summary: Summary of briefing {index}, generated for the benchmark.",
        f"tags: [tag-{index % 7}, tag-{index % 11}]",
        "sources:",
        "  - id: wire",
        "    publisher: Wire Agency",
        f"    title: Report {index}",
        f"    url: https://example.org/report/{index}",
        "actors:",
        *(f"  - id: actor-{a}\n    role: Role {a}" for a in actors),
        "chronology:",
    ]
    for n in range(rng.randint(2, 5)):
        lines += [f"  - date: {(day - dt.timedelta(days=n)).isoformat()}",
                  f"    place: {rng.choice(PLACES)}",
                  f"    event: {rng.choice(EVENTS)} (*item {n}*).",
                  f"    actors: [actor-{actors[n % 3]}]",
                  "    source: wire"]
    lines.append("casualties:")
    for n in range(rng.randint(1, 3)):
        lines += [f"  - date: {day.isoformat()}",
                  f"    place: {rng.choice(PLACES)}",
                  f"    event: Incident {n}",
                  f"    killed: {rng.randint(0, 30)}",
                  f"    injured: at least {rng.randint(1, 60)}",
                  "    source: wire"]
    lines += ["---", f"The body of briefing {index}.", "",
              "It has a second paragraph with **bold** text.", ""]
    return "\n".join(lines)


def briefing_path(index: int) -> str:
    return f"content/briefings/b-{index:04d}.md"


def generate(root: Path, count: int = 1000, seed: int = 1) -> Path:
    """Write a site of ``count`` briefings into ``root``; returns ``root``."""
    rng = random.Random(seed)
    (root / "content/briefings").mkdir(parents=True, exist_ok=True)
    (root / "briefgen.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "content/actors.yaml").write_text(registry_text(), encoding="utf-8")
    for i in range(count):
        (root / briefing_path(i)).write_text(briefing_text(i, rng), encoding="utf-8")
    return root
