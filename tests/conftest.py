"""Shared fixtures: a minimal valid site in ``tmp_path``, built through the CLI.

``scratch_site`` writes a small but complete site (config, actor registry,
one briefing, one seed file); a test changes the one file it is about, builds
with :meth:`ScratchSite.build` (``briefgen build`` through click's
``CliRunner``) and reads pages with :func:`parse_html`, a small tree over the
standard library's ``html.parser``, so assertions are about structure rather
than substrings.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from briefgen.cli import cli

REPO = Path(__file__).resolve().parent.parent

CONFIG = """\
title: Test Briefings
description: A site for tests.
base_url: https://example.org/briefs/
language: en
timezone: Europe/Kyiv
"""

ACTORS = """\
alpha:
  name: Alex Alpha
  kind: person
  affiliation: Ruritania
  aliases: [Alpha]
  description: Minister of the interior of Ruritania.
bravo-ministry:
  name: Bravo Ministry
  kind: organisation
  affiliation: Ruritania
  description: The defence ministry.
"""

# Line numbers matter: test_validation replaces single lines of this text and
# expects errors at exactly these lines (1-based, the opening '---' is line 1).
BRIEFING = """\
---
title: First briefing
date: 2025-04-06
summary: A short summary of the first briefing.
tags: [strikes]
sources:
  - id: wire
    publisher: Wire Agency
    title: A report from the capital
    url: https://example.org/report
    published: 2025-04-06
    seed: report.txt
actors:
  - id: alpha
    role: Announced the talks
  - name: Charlie Civilian
    role: Witness
    affiliation: Capital residents
chronology:
  - date: Friday
    place: Capital
    event: A missile strikes the *capital*.
    actors: [alpha]
    source: wire
casualties:
  - date: Friday
    place: Capital
    event: Missile strike
    killed: 19
    injured: dozens
    source: wire
---
The body of the first briefing.
"""

BRIEFING_PATH = "content/briefings/2025-04-06-first.md"


def replace_line(text: str, number: int, old: str, new: str | None) -> str:
    """``text`` with its 1-based line ``number`` (which must read ``old``) replaced.

    ``new`` may hold several lines; ``None`` deletes the line.
    """
    lines = text.split("\n")
    assert lines[number - 1] == old, f"line {number} is {lines[number - 1]!r}"
    lines[number - 1 : number] = [] if new is None else new.split("\n")
    return "\n".join(lines)


def briefing(
    *,
    title: str = "A briefing",
    date: str = "2025-04-06",
    extra: str = "",
    body: str = "Body text.\n",
) -> str:
    """A valid briefing's text; ``extra`` is YAML appended to the front matter."""
    head = textwrap.dedent(f"""\
        ---
        title: {title}
        date: {date}
        sources:
          - id: wire
            publisher: Wire Agency
            title: A report
            url: https://example.org/report
        """)
    return head + textwrap.dedent(extra) + "---\n" + body


@dataclass
class Node:
    """An element of a parsed page (or the document root, tag ``#document``)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    line: int = 0

    def iter(self) -> Iterator[Node]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None,
                 **attrs: str) -> list[Node]:
        return [
            node for node in self.iter()
            if node is not self
            and (tag is None or node.tag == tag)
            and (class_ is None or class_ in node.classes)
            and all(node.attrs.get(k) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs: str) -> Node:
        """The first match; fails the test when there is none."""
        found = self.find_all(tag, class_, **attrs)
        assert found, f"no <{tag or '*'}> class={class_} {attrs} in <{self.tag}>"
        return found[0]

    def by_id(self, element_id: str) -> Node:
        found = [n for n in self.iter() if n.attrs.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id={element_id!r}"
        return found[0]

    def children_by_tag(self, tag: str) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node) and c.tag == tag]

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                elif child.tag not in ("script", "style", "template"):
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())


VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                  "meta", "source", "track", "wbr"})


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, line=self.getpos()[0])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs},
                                            line=self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        # Our pages close every element they open: a stray end tag is a bug.
        assert any(n.tag == tag for n in self.stack[1:]), (
            f"line {self.getpos()[0]}: </{tag}> closes nothing")
        while self.stack[-1].tag != tag:
            self.stack.pop()
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


@dataclass
class Page(Node):
    doctype: str = ""

    @property
    def html(self) -> Node:
        return self.find("html")


def parse_html(text: str) -> Page:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    assert len(builder.stack) == 1, (
        f"unclosed elements: {[n.tag for n in builder.stack[1:]]}")
    return Page("#document", children=builder.root.children, doctype=builder.doctype)


def invoke(*args: str) -> Result:
    """Run ``briefgen ARGS`` in-process, as a user would from a shell."""
    return CliRunner().invoke(cli, list(args), prog_name="briefgen")


def assert_clean_failure(result: Result) -> None:
    """Exit status 1 with a message, and no traceback reaching the user."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert result.stderr.strip()


ERROR_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<rest>.*)$",
                        re.MULTILINE)


def error_lines(result: Result) -> list[tuple[str, str]]:
    """``(path:line:col, rest of the message)`` for each reported error."""
    found = []
    for m in ERROR_LINE.finditer(result.stderr):
        where = f"{m['path']}:{m['line']}" + (f":{m['col']}" if m["col"] else "")
        found.append((where, m["rest"]))
    return found


@dataclass
class ScratchSite:
    """A site folder in ``tmp_path`` with helpers to change and build it."""

    root: Path

    @property
    def out(self) -> Path:
        return self.root / "site"

    def write(self, rel: str, text: str | bytes) -> Path:
        """Save a file whole, as most editors do (a new file renamed over the old).

        Written in place, a watcher could see the file truncated and half
        written when the writing thread stalls on a loaded machine.
        """
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")  # a name the watcher ignores
        temp.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        os.replace(temp, path)
        return path

    def remove(self, rel: str) -> None:
        (self.root / rel).unlink()

    def build(self, *args: str) -> Result:
        """``briefgen build --site ROOT ARGS``."""
        return invoke("build", "--site", str(self.root), *args)

    def build_ok(self, *args: str) -> Result:
        result = self.build(*args)
        assert result.exit_code == 0, result.output
        return result

    def page(self, rel: str = "briefings/2025-04-06-first/index.html",
             out: Path | None = None) -> Page:
        return parse_html(((out or self.out) / rel).read_text(encoding="utf-8"))

    def snapshot(self, out: Path | None = None) -> dict[str, bytes]:
        """Every file of the output folder with its bytes."""
        folder = out or self.out
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def scratch_site(tmp_path: Path) -> ScratchSite:
    site = ScratchSite(tmp_path / "proj")
    site.write("briefgen.yaml", CONFIG)
    site.write("content/actors.yaml", ACTORS)
    site.write(BRIEFING_PATH, BRIEFING)
    site.write("seeds/report.txt", "The report, as received.\n")
    return site
