"""A newsroom-scale synthetic corpus, for full-build benchmarks.

``write_site(folder, n)`` writes a briefgen site of ``n`` briefings shaped
like real ones: recurring registry actors (with aliases) and places,
incidents whose figures are revised across briefings, relative dates, every
kind of casualty figure, and 600–1,200 word bodies with lists, quotes, links
and tables. ``write_hugo_site(folder, n)`` lays the same briefings out for
Hugo with layouts that show the same parts, so both tools do comparable work.
The same seed gives the same bytes.

Usage: python bench/newsroom.py DIR N [--hugo]
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

PLACES = [
    "Kyiv", "Kharkiv", "Odesa", "Dnipro", "Zaporizhzhia", "Sumy", "Kryvyi Rih", "Mykolayiv",
    "Kherson", "Poltava", "Chernihiv", "Lviv", "Kupyansk", "Pokrovsk", "Kramatorsk",
    "Sloviansk", "Izium", "Vinnytsia", "Zhytomyr", "Rivne", "Lutsk", "Khmelnytskyi",
    "Ternopil", "Uzhhorod", "Chernivtsi", "Cherkasy", "Nikopol", "Orikhiv", "Lyman", "Okhtyrka",
]
FIRST = ["Olena", "Andriy", "Maria", "Petro", "Iryna", "Serhiy", "Natalia", "Oleksandr",
         "Kateryna", "Dmytro", "Yulia", "Mykola", "Svitlana", "Ivan", "Oksana", "Vasyl"]
LAST = ["Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk",
        "Boyko", "Koval", "Oliynyk", "Lysenko", "Marchenko", "Rudenko", "Savchenko", "Petrenko"]
ORGS = ["Ministry of Defence", "Foreign Ministry", "Emergency Service", "Air Force",
        "Regional Administration", "Prosecutor's Office", "Red Cross", "Monitoring Mission"]
EXACT = ["0", "1", "2", "3", "5", "7", "12", "19", "24"]
OTHER = ["at least {n}", "more than {n}", "about {n}", "around {n}", "nearly {n}",
         "{n}-{m}", "{n}–{m}", "up to {n}", "dozens", "several", "unknown", "scores"]
RELATIVE = ["Friday", "Friday night", "early Sunday", "yesterday", "3 days ago", "last week",
            "late last week", "early last week", "last month", "Tuesday", "late Wednesday"]
TEXT = ("the strike hit residential buildings near the centre while air defence units "
        "engaged drones over the region and officials said repair crews restored power "
        "to most districts by the evening as negotiators prepared for another round of "
        "talks on a partial ceasefire covering energy infrastructure and shipping lanes")
WORDS = TEXT.split()


def make_registry(rng: random.Random, count: int = 60) -> dict[str, dict[str, str]]:
    registry: dict[str, dict[str, str]] = {}
    for index in range(count):
        if index % 4 == 3:
            name, kind, aliases = f"{rng.choice(PLACES)} {rng.choice(ORGS)}", "organisation", ""
        else:
            name = f"{FIRST[index % len(FIRST)]} {LAST[(index * 7) % len(LAST)]}"
            kind, surname = "person", name.split()[1]
            variant = surname.replace("k", "c")
            aliases = f'"{surname}"' + (f', "{variant}"' if variant != surname else "")
        registry[f"actor-{index:03d}"] = {
            "name": name, "kind": kind, "aliases": aliases,
            "affiliation": rng.choice(["Ukraine", "Russia", "EU"]),
        }
    return registry


def registry_yaml(registry: dict[str, dict[str, str]]) -> str:
    lines = []
    for actor_id, actor in registry.items():
        lines += [f"{actor_id}:", f'  name: "{actor["name"]}"', f"  kind: {actor['kind']}",
                  f"  affiliation: {actor['affiliation']}", f"  aliases: [{actor['aliases']}]",
                  f'  description: "Actor {actor_id} of the generated corpus."']
    return "\n".join(lines) + "\n"


def _figure(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(EXACT)
    n = rng.randint(1, 40)
    return rng.choice(OTHER).format(n=n, m=n + rng.randint(1, 10))


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _body(rng: random.Random, names: list[str], target_words: int) -> str:
    parts: list[str] = []
    written = section = 0
    while written < target_words:
        section += 1
        parts += [
            f"## Section {section}",
            f"{rng.choice(names)} said {_sentence(rng, 40)} "
            f"[Read more](https://example.org/{section}).",
            "\n".join("- " + _sentence(rng, rng.randint(6, 10)) for _ in range(3)),
            "> " + _sentence(rng, 25),
            "| Place | Figure |\n| --- | --- |\n" + "\n".join(
                f"| {rng.choice(PLACES)} | {rng.randint(0, 50)} |" for _ in range(3)),
            _sentence(rng, 60),
        ]
        written += 160
    return "\n\n".join(parts) + "\n"


def briefing(index: int, rng: random.Random, registry: dict[str, dict[str, str]],
             start: date) -> tuple[str, str]:
    """The slug and file text of briefing ``index``."""
    dateline = start + timedelta(days=index // 3)
    slug = f"{dateline.isoformat()}-briefing-{index:05d}"
    actors = rng.sample(sorted(registry), rng.randint(3, 8))
    sources = [f"s{k}" for k in range(rng.randint(1, 3))]
    lines = ["---", f'title: "Briefing {index}: strikes on {rng.choice(PLACES)} and talks"',
             f"date: {dateline.isoformat()}", f'summary: "{_sentence(rng, 20)}"',
             f"tags: [{rng.choice(['strikes', 'talks', 'energy', 'front line'])}, "
             f"{rng.choice(['drones', 'missiles', 'diplomacy'])}]", "sources:"]
    for source in sources:
        lines += [f"  - id: {source}", "    publisher: Wire",
                  f'    title: "Report {index} {source}"',
                  f"    url: https://example.org/wire/{index}/{source}",
                  f"    published: {dateline.isoformat()}"]
    lines.append("actors:")
    lines += [f"  - id: {a}\n    role: Spoke about the attacks" for a in actors]
    lines.append("chronology:")
    for k in range(rng.randint(3, 12)):
        lines += [f"  - date: {rng.choice(RELATIVE) if k % 2 else dateline.isoformat()}",
                  f"    place: {rng.choice(PLACES)}", f'    event: "{_sentence(rng, 14)}"',
                  f"    actors: [{', '.join(rng.sample(actors, 2))}]",
                  f"    source: {rng.choice(sources)}"]
        if rng.random() < 0.4:
            lines.append(f'    time: "{rng.randint(0, 23):02d}:{rng.choice([0, 15, 30, 45]):02d}"')
    count = rng.randint(0, 5)
    if count:
        lines.append("casualties:")
    for k in range(count):
        # Incidents are shared by neighbouring briefings, which revise the figures.
        incident = f"incident-{max(0, index - rng.randint(0, 6)) // 3:05d}-{k}"
        lines += [f"  - date: {rng.choice(['Friday', 'yesterday', dateline.isoformat()])}",
                  f"    place: {rng.choice(PLACES)}", '    event: "Missile strike"',
                  f'    killed: "{_figure(rng)}"', f'    injured: "{_figure(rng)}"',
                  f"    incident: {incident}", f"    source: {rng.choice(sources)}"]
        if rng.random() < 0.3:
            lines.append(f'    children_killed: "{_figure(rng)}"')
    lines.append("---")
    names = [registry[a]["name"] for a in actors]
    return slug, "\n".join(lines) + "\n" + _body(rng, names, rng.randint(600, 1200))


def write_site(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """Write a briefgen site of ``count`` briefings; returns the briefing files."""
    rng = random.Random(seed)
    registry = make_registry(rng)
    (folder / "content" / "briefings").mkdir(parents=True, exist_ok=True)
    (folder / "briefgen.yaml").write_text(
        "title: Benchmark briefings\nbase_url: https://example.org/briefings/\n"
        "language: en\ntimezone: Europe/Kyiv\n")
    (folder / "content" / "actors.yaml").write_text(registry_yaml(registry))
    files = []
    for index in range(count):
        slug, text = briefing(index, rng, registry, date(2022, 2, 24))
        path = folder / "content" / "briefings" / f"{slug}.md"
        path.write_text(text)
        files.append(path)
    return files


HUGO_CONFIG = """baseURL = "https://example.org/briefings/"
title = "Benchmark briefings"
disableKinds = ["taxonomy", "term", "RSS"]
"""
HUGO_SINGLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><main><h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2 January 2006" }}</p><p>{{ .Params.summary }}</p>
<ol id="chronology">{{ range .Params.chronology }}<li>{{ .date }} {{ .place }}
{{ .event | markdownify }} <a href="#source-{{ .source }}">{{ .source }}</a></li>{{ end }}</ol>
<ul id="actors">{{ range .Params.actors }}<li>{{ .id }} {{ .role }}</li>{{ end }}</ul>
<table id="casualties"><tbody>{{ range .Params.casualties }}<tr><td>{{ .date }}</td>
<td>{{ .place }}</td><td>{{ .killed }}</td><td>{{ .injured }}</td></tr>{{ end }}</tbody></table>
{{ .Content }}
<ol id="sources">{{ range .Params.sources }}<li id="source-{{ .id }}">
<a href="{{ .url }}">{{ .title }}</a></li>{{ end }}</ol></main></body></html>
"""
HUGO_LIST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><ol>{{ range .Pages }}<li>
<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ol>
</body></html>
"""


def write_hugo_site(folder: Path, count: int, seed: int = 1) -> None:
    """The same briefings laid out for Hugo (the YAML front matter is shared)."""
    layouts = folder / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG)
    (layouts / "single.html").write_text(HUGO_SINGLE)
    (layouts / "list.html").write_text(HUGO_LIST)
    (folder / "layouts" / "index.html").write_text(HUGO_LIST)
    write_site(folder, count, seed)  # content/briefings/*.md, as Hugo reads them too
    (folder / "briefgen.yaml").unlink()
    (folder / "content" / "actors.yaml").unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--hugo", action="store_true", help="lay the corpus out for Hugo")
    args = parser.parse_args()
    (write_hugo_site if args.hugo else write_site)(args.folder, args.count)
    print(f"wrote {args.count} briefings to {args.folder}")


if __name__ == "__main__":
    main()
