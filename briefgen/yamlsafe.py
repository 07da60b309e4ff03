"""A YAML reader that closes the traps PyYAML leaves open.

PyYAML's ``safe_load`` follows YAML 1.1: ``time: 12:30`` becomes 750,
``place: NO`` becomes False, ``killed: 010`` becomes 8, ``2025-02-30`` raises a
bare ValueError without a line, duplicate keys silently keep the last value,
and aliases allow "billion laughs" expansion. Here every scalar stays the
string it was written as (``None`` for an empty value or ``null``), the schema
decides what each field means, and duplicate keys, anchors, aliases and
explicit tags are errors with a line and column.

The result is plain data plus a map from each value's path
(``("chronology", 2, "date")``) to where it was written, so the schema can
report ``file:line:col`` for any field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from briefgen.errors import ContentError

Path_ = tuple[str | int, ...]

NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass(slots=True)
class Located:
    """Plain data from a YAML document, with the position of every value."""

    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """Where each value starts, 1-based (line, column)."""
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    """Where each mapping key is written, for errors about the key itself."""

    def position(self, path: Path_) -> tuple[int, int]:
        """The (line, column) of ``path``, or of its nearest parent that has one."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (0, 0))


class YamlProblem(Exception):
    """A problem with a 0-based position inside the YAML text."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _compose_node(loader: _Loader, parent: Any, index: Any) -> Any:
    event = loader.peek_event()
    mark = event.start_mark
    if isinstance(event, yaml.AliasEvent):
        raise YamlProblem(
            f"YAML aliases (*{event.anchor}) are not allowed: write the value out in full.",
            mark.line,
            mark.column,
        )
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        raise YamlProblem(
            f"YAML anchors (&{anchor}) are not allowed: write each value out in full.",
            mark.line,
            mark.column,
        )
    tag = getattr(event, "tag", None)
    if tag is not None and tag != "!":
        raise YamlProblem(
            f"YAML tags ({tag}) are not allowed: remove the tag and write a plain value.",
            mark.line,
            mark.column,
        )
    return yaml.composer.Composer.compose_node(loader, parent, index)


class _PyEvents(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own scanner and parser, for builds of PyYAML without libyaml."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# libyaml scans and parses ten times faster than PyYAML's Python code;
# composing stays in Python so every event passes through _compose_node.
_Events: Any
try:
    from yaml.cyaml import CParser as _Events  # type: ignore[attr-defined]
except ImportError:  # PyYAML built without libyaml
    _Events = _PyEvents


class _Loader(_Events, yaml.composer.Composer, yaml.resolver.BaseResolver):  # type: ignore[misc]
    """Composes nodes only; refuses anchors, aliases and explicit tags.

    BaseResolver has no implicit resolvers: every scalar stays the text written.
    """

    def __init__(self, stream: str) -> None:
        _Events.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.resolver.BaseResolver.__init__(self)

    # libyaml's parser has its own get_single_node, which would bypass the checks.
    get_single_node = yaml.composer.Composer.get_single_node
    compose_node = _compose_node


def _to_data(node: yaml.Node, path: Path_, located: Located, line_offset: int) -> Any:
    located.positions[path] = (
        node.start_mark.line + 1 + line_offset,
        node.start_mark.column + 1,
    )
    if isinstance(node, yaml.ScalarNode):
        value: str = node.value
        if node.style is None and value in NULL_WORDS:
            return None
        return value
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_data(item, (*path, i), located, line_offset) for i, item in enumerate(node.value)
        ]
    assert isinstance(node, yaml.MappingNode)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlProblem(
                "a key must be a plain word, not a list or mapping.",
                key_node.start_mark.line,
                key_node.start_mark.column,
            )
        key = key_node.value
        if key in result:
            first_line = located.key_positions[(*path, key)][0]
            raise YamlProblem(
                f"duplicate key '{key}' (first set on line {first_line}): "
                "keep one; YAML would silently drop the first value.",
                key_node.start_mark.line,
                key_node.start_mark.column,
            )
        located.key_positions[(*path, key)] = (
            key_node.start_mark.line + 1 + line_offset,
            key_node.start_mark.column + 1,
        )
        result[key] = _to_data(value_node, (*path, key), located, line_offset)
    return result


def _char_at(text: str, mark: yaml.Mark) -> str:
    lines = text.split("\n")
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, source: Any,
                  line_offset: int) -> ContentError:
    """A YAML syntax error placed where the writer can fix it."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    hint = ("Check indentation and quoting "
            "(values containing ': ' or starting with a quote need quotes).")
    if " tab " in problem or (mark is not None and _char_at(text, mark) == "\t"):
        hint = "YAML indents with spaces only: replace the tab with spaces."
    elif exc.problem and exc.context and exc.context_mark:
        if mark is not None and mark.line > text.rstrip().count("\n"):
            # An unclosed quote or bracket is only noticed at the end of the
            # text; point at where it opened, which is what to fix.
            mark = exc.context_mark
            problem = f"{exc.problem} {exc.context}"
        else:
            problem = (f"{exc.problem} ({exc.context} that starts on line "
                       f"{exc.context_mark.line + 1 + line_offset})")
    line = mark.line + 1 + line_offset if mark else 0
    column = mark.column + 1 if mark else 0
    return ContentError(source, line, column, f"invalid YAML: {problem}. {hint}")


def load_yaml(text: str, source: Any, line_offset: int = 0) -> Located:
    """Parse one YAML document from ``text``.

    ``line_offset`` is added to every line number, so front matter reports
    lines of the whole file. Raises :class:`ContentError`-carrying
    ``YamlError`` on any problem.
    """
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except YamlProblem as problem:
            raise YamlError(
                ContentError(source, problem.line + 1 + line_offset, problem.column + 1,
                             problem.message)
            ) from None
        except yaml.MarkedYAMLError as exc:
            raise YamlError(_syntax_error(exc, text, source, line_offset)) from None
        except yaml.YAMLError as exc:
            raise YamlError(
                ContentError(source, 1 + line_offset, 0, f"invalid YAML: {exc}")
            ) from None
        located = Located(None)
        if node is None:
            # An empty document still has a place, so errors about it have a line.
            located.positions[()] = (1 + line_offset, 1)
            return located
        try:
            located.data = _to_data(node, (), located, line_offset)
        except YamlProblem as problem:
            raise YamlError(
                ContentError(source, problem.line + 1 + line_offset, problem.column + 1,
                             problem.message)
            ) from None
        return located
    finally:
        loader.dispose()


class YamlError(Exception):
    """Wraps the one :class:`ContentError` a YAML document failed with."""

    def __init__(self, error: ContentError) -> None:
        super().__init__(error.format())
        self.error = error
