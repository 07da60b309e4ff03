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
from typing import Any, NoReturn

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


class _PyEvents(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own scanner and parser, for builds of PyYAML without libyaml."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


# libyaml scans and parses ten times faster than PyYAML's Python code. Its
# events are turned into data here, in Python, so every node is checked.
_Events: Any
try:
    from yaml.cyaml import CParser as _Events  # type: ignore[attr-defined]
except ImportError:  # PyYAML built without libyaml
    _Events = _PyEvents

_ScalarEvent = yaml.ScalarEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_CollectionEndEvents = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
_AWAITING_KEY: Any = object()
"""A mapping's state between its values: the next node is a key."""
_IN_KEY: Any = object()
"""A mapping's state while a list or mapping is written as its key (an error)."""
_BAD_KEY = "\x00key"
"""The key a value after such a key goes under; the document fails anyway."""


def _refuse(event: Any) -> NoReturn:
    """The error for an alias, an anchor or an explicit tag, where it is written."""
    mark = event.start_mark
    if event.__class__ is yaml.AliasEvent:
        raise YamlProblem(
            f"YAML aliases (*{event.anchor}) are not allowed: write the value out in full.",
            mark.line,
            mark.column,
        )
    if event.anchor is not None:
        raise YamlProblem(
            f"YAML anchors (&{event.anchor}) are not allowed: write each value out in full.",
            mark.line,
            mark.column,
        )
    raise YamlProblem(
        f"YAML tags ({event.tag}) are not allowed: remove the tag and write a plain value.",
        mark.line,
        mark.column,
    )


def _document(events: Any, located: Located, line_offset: int) -> tuple[Any, YamlProblem | None]:
    """Plain data for the node whose events come next, and its first problem.

    One loop over the parser's events, without PyYAML's node objects,
    resolver and recursive composer: those took more than half the time per
    front matter, and the recursion failed on lists nested a few hundred
    deep. Anchors, aliases, tags and syntax errors stop the loop where they
    are met. A duplicate or non-scalar key is only the *first problem*,
    raised once the whole document has parsed, so a later syntax error still
    wins, as it did when keys were checked on a composed node tree.
    """
    get_event = events.get_event
    positions = located.positions
    key_positions = located.key_positions
    problem: YamlProblem | None = None
    # One frame per open list or mapping: [container, path, state], the state
    # being a list's next index, or a mapping's key or _AWAITING_KEY/_IN_KEY.
    stack: list[list[Any]] = []
    while True:
        event = get_event()
        cls = event.__class__
        if cls in _CollectionEndEvents:
            value = stack.pop()[0]
        else:
            # An alias always has an anchor; "!" is the tag of a plain value.
            if event.anchor is not None or (event.tag is not None and event.tag != "!"):
                _refuse(event)
            mark = event.start_mark
            if not stack:
                path: Path_ = ()
            else:
                frame = stack[-1]
                state = frame[2]
                if state is _AWAITING_KEY:
                    if cls is _ScalarEvent:
                        key = event.value
                        key_path = (*frame[1], key)
                        if problem is None and key in frame[0]:
                            problem = YamlProblem(
                                f"duplicate key '{key}' (first set on line "
                                f"{key_positions[key_path][0]}): "
                                "keep one; YAML would silently drop the first value.",
                                mark.line,
                                mark.column,
                            )
                        key_positions[key_path] = (mark.line + 1 + line_offset, mark.column + 1)
                        frame[2] = key
                        continue
                    if problem is None:
                        problem = YamlProblem(
                            "a key must be a plain word, not a list or mapping.",
                            mark.line,
                            mark.column,
                        )
                    frame[2] = _IN_KEY
                    path = (*frame[1], _BAD_KEY)
                else:
                    path = (*frame[1], state)
            positions[path] = (mark.line + 1 + line_offset, mark.column + 1)
            if cls is _ScalarEvent:
                value = event.value
                # Plain (unquoted) style is None from PyYAML's own parser and
                # "" from libyaml's: both mean null here, quoted text does not.
                if not event.style and value in NULL_WORDS:
                    value = None
            elif cls is _SequenceStartEvent:
                stack.append([[], path, 0])
                continue
            else:
                stack.append([{}, path, _AWAITING_KEY])
                continue
        # A node is complete: it is the document, or goes into its parent.
        if not stack:
            return value, problem
        frame = stack[-1]
        state = frame[2]
        if state.__class__ is int:
            frame[0].append(value)
            frame[2] = state + 1
        elif state is _IN_KEY:
            frame[2] = _BAD_KEY
        else:
            frame[0][state] = value
            frame[2] = _AWAITING_KEY


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
    events = _Events(text)
    try:
        try:
            located = Located(None)
            data, problem = _single_document(events, located, line_offset)
        except YamlProblem as refused:
            raise YamlError(
                ContentError(source, refused.line + 1 + line_offset, refused.column + 1,
                             refused.message)
            ) from None
        except yaml.MarkedYAMLError as exc:
            raise YamlError(_syntax_error(exc, text, source, line_offset)) from None
        except yaml.YAMLError as exc:
            raise YamlError(
                ContentError(source, 1 + line_offset, 0, f"invalid YAML: {exc}")
            ) from None
        if problem is not None:
            raise YamlError(
                ContentError(source, problem.line + 1 + line_offset, problem.column + 1,
                             problem.message)
            )
        located.data = data
        return located
    finally:
        events.dispose()


def _single_document(events: Any, located: Located,
                     line_offset: int) -> tuple[Any, YamlProblem | None]:
    """The one document of the stream, as PyYAML's ``Composer.get_single_node`` reads it."""
    events.get_event()  # StreamStart
    if events.check_event(yaml.StreamEndEvent):
        # An empty document still has a place, so errors about it have a line.
        located.positions[()] = (1 + line_offset, 1)
        return None, None
    events.get_event()  # DocumentStart
    start_mark = events.peek_event().start_mark
    result = _document(events, located, line_offset)
    events.get_event()  # DocumentEnd
    if not events.check_event(yaml.StreamEndEvent):
        raise yaml.composer.ComposerError(
            "expected a single document in the stream", start_mark,
            "but found another document", events.get_event().start_mark,
        )
    return result


class YamlError(Exception):
    """Wraps the one :class:`ContentError` a YAML document failed with."""

    def __init__(self, error: ContentError) -> None:
        super().__init__(error.format())
        self.error = error
