"""The traps of YAML and of files as editors save them, each closed with a test.

PyYAML's ``safe_load`` silently keeps the last of two duplicate keys, expands
aliases (alias bombs), reads YAML 1.1 (``12:30`` → 750, ``NO`` → False, ``010``
→ 8) and raises a bare ValueError for ``2025-02-30``. Each of those, and each
odd file (empty, not UTF-8, unclosed front matter, BOM, CRLF), is built here
through the command line as a user would meet it.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import yaml
from conftest import (
    ACTORS,
    BRIEFING,
    BRIEFING_PATH,
    CONFIG,
    ScratchSite,
    assert_clean_failure,
    error_lines,
    replace_line,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen import yamlsafe
from briefgen.errors import ContentError


def only_error(scratch_site: ScratchSite) -> tuple[str, str]:
    result = scratch_site.build()
    assert_clean_failure(result)
    errors = error_lines(result)
    assert len(errors) == 1, result.stderr
    return errors[0]


# --- duplicate keys -----------------------------------------------------------


def test_duplicate_top_level_key_names_both_lines(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 5, "tags: [strikes]",
                                                   "tags: [strikes]\ntitle: Second title"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:6:1"
    assert "duplicate key 'title' (first set on line 2)" in message
    assert "keep one" in message


def test_duplicate_nested_key(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 29, "    killed: 19",
                                                   "    killed: 19\n    killed: 20"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:30:5"
    assert "duplicate key 'killed' (first set on line 29)" in message


def test_duplicate_actor_in_registry(scratch_site: ScratchSite) -> None:
    scratch_site.write("content/actors.yaml", ACTORS + "alpha:\n  name: Another Alpha\n"
                       "  kind: person\n")

    where, message = only_error(scratch_site)

    assert where == "content/actors.yaml:12:1"
    assert "duplicate key 'alpha' (first set on line 1)" in message


def test_duplicate_key_in_config(scratch_site: ScratchSite) -> None:
    scratch_site.write("briefgen.yaml", CONFIG + "language: uk\n")

    where, message = only_error(scratch_site)

    assert where == "briefgen.yaml:6:1"
    assert "duplicate key 'language' (first set on line 4)" in message


# --- anchors, aliases and tags ----------------------------------------------------


def test_anchor_is_refused_where_it_is_written(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 29, "    killed: 19",
                                                   "    killed: &k 19"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:29:13"
    assert "YAML anchors (&k) are not allowed" in message
    assert "write each value out in full" in message


def test_alias_is_refused_where_it_is_written(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 30, "    injured: dozens",
                                                   "    injured: *k"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:30:14"
    assert "YAML aliases (*k) are not allowed" in message


def test_merge_key_with_alias_is_refused(scratch_site: ScratchSite) -> None:
    scratch_site.write("content/actors.yaml", ACTORS.replace("alpha:\n", "alpha: &person\n", 1)
                       + "delta:\n  <<: *person\n  name: Dana Delta\n")

    where, message = only_error(scratch_site)

    assert where == "content/actors.yaml:1:8"
    assert "YAML anchors (&person) are not allowed" in message


def test_alias_bomb_fails_fast(scratch_site: ScratchSite) -> None:
    # "Billion laughs": nine levels of nine aliases each would expand to 9**9
    # values if anything walked the aliases. Run in a subprocess so a
    # regression shows as a timeout instead of hanging the test session.
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 5, "tags: [strikes]",
                                                   "tags: [strikes]\n" + "\n".join(levels)))

    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "build", "--site", str(scratch_site.root)],
        capture_output=True, text=True, timeout=30, check=False,
    )

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(
        f"{BRIEFING_PATH}:6:4: YAML anchors (&a) are not allowed")
    assert not scratch_site.out.exists()


def test_python_object_tag_is_refused_and_never_run(scratch_site: ScratchSite) -> None:
    marker = scratch_site.root / "pwned"
    scratch_site.write(BRIEFING_PATH, replace_line(
        BRIEFING, 4, "summary: A short summary of the first briefing.",
        f"summary: !!python/object/apply:os.system ['touch {marker}']"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:4:10"
    assert "YAML tags" in message
    assert "python/object/apply:os.system" in message
    assert "remove the tag" in message
    assert not marker.exists()


def test_python_tag_in_registry_and_config(scratch_site: ScratchSite) -> None:
    scratch_site.write("content/actors.yaml", replace_line(
        ACTORS, 6, "  description: Minister of the interior of Ruritania.",
        "  description: !!python/name:os.getcwd ''"))
    scratch_site.write("briefgen.yaml", replace_line(
        CONFIG, 2, "description: A site for tests.",
        "description: !!python/object:collections.OrderedDict {}"))

    result = scratch_site.build()

    assert_clean_failure(result)
    errors = error_lines(result)
    assert [where for where, _ in errors] == ["briefgen.yaml:2:14", "content/actors.yaml:6:16"]
    assert all("YAML tags" in message for _, message in errors)


# --- dates that do not exist ------------------------------------------------------


def test_calendar_invalid_dateline_names_its_line(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 3, "date: 2025-04-06",
                                                   "date: 2025-02-30"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:3:7"
    assert message == ("date: '2025-02-30' is not a calendar date "
                       "(February 2025 has 28 days)")


def test_calendar_invalid_dates_in_entries_and_sources(scratch_site: ScratchSite) -> None:
    text = replace_line(BRIEFING, 11, "    published: 2025-04-06", "    published: 2025-02-30")
    text = replace_line(text, 26, "  - date: Friday", "  - date: 2024-02-30")
    scratch_site.write(BRIEFING_PATH, text)

    result = scratch_site.build()

    assert_clean_failure(result)
    assert error_lines(result) == [
        (f"{BRIEFING_PATH}:11:16", "sources[0].published: '2025-02-30' is not a calendar date "
                                   "(February 2025 has 28 days)"),
        (f"{BRIEFING_PATH}:26:11", "casualties[0].date: '2024-02-30' is not a calendar date "
                                   "(February 2024 has 29 days)"),
    ]


# --- files as editors save them ----------------------------------------------------


def test_unclosed_front_matter(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 32, "---", None))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:1:1"
    assert "the front matter opened by '---' on line 1 is never closed" in message
    assert "add a line with '---'" in message


def test_missing_front_matter(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, "# Just a heading\n\nSome text.\n")

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:1:1"
    assert "Did you forget to add '---'?" in message


def test_empty_front_matter(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, "---\n---\nBody.\n")

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:2:1"
    assert "the front matter is empty" in message
    assert "'title', 'date' and 'sources'" in message


def test_empty_file(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, "")

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:1"
    assert message.startswith("the file is empty")


def test_blank_file(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, "\n  \n\t\n")

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:1"
    assert message.startswith("the file is empty")


def test_non_utf8_file_names_the_byte(scratch_site: ScratchSite) -> None:
    text = replace_line(BRIEFING, 4, "summary: A short summary of the first briefing.",
                        "summary: Strike on Kyïv.")
    scratch_site.write(BRIEFING_PATH, text.encode("cp1252"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:4:22"
    assert "not UTF-8 text (byte 0xef)" in message
    assert "save it as UTF-8" in message


def test_non_utf8_registry(scratch_site: ScratchSite) -> None:
    scratch_site.write("content/actors.yaml",
                       ACTORS.replace("Ruritania.", "Ruritanía.").encode("latin-1"))

    where, message = only_error(scratch_site)

    assert where == "content/actors.yaml:6:51"
    assert "not UTF-8" in message


def _bom_crlf(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


def test_bom_and_crlf_build_exactly_like_plain_files(scratch_site: ScratchSite, tmp_path) -> None:
    plain, windows = tmp_path / "plain", tmp_path / "windows"
    scratch_site.build_ok("--output", str(plain))
    scratch_site.write("briefgen.yaml", _bom_crlf(CONFIG))
    scratch_site.write("content/actors.yaml", _bom_crlf(ACTORS))
    scratch_site.write(BRIEFING_PATH, _bom_crlf(BRIEFING))

    scratch_site.build_ok("--output", str(windows))

    assert scratch_site.snapshot(windows) == scratch_site.snapshot(plain)
    page = scratch_site.page(out=windows)
    assert page.find("h1").text == "First briefing"
    assert page.by_id("chronology").find("li", class_="event") is not None


def test_errors_in_crlf_file_with_bom_keep_their_position(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, _bom_crlf(
        replace_line(BRIEFING, 2, "title: First briefing", "titel: First briefing")))

    result = scratch_site.build()

    assert_clean_failure(result)
    assert error_lines(result)[0] == (
        f"{BRIEFING_PATH}:2:1",
        "titel: unknown field 'titel'. Did you mean 'title'? Allowed fields: title, date, "
        "summary, updated, tags, draft, sources, actors, chronology, casualties.",
    )


# --- YAML 1.1's implicit types ------------------------------------------------------


def test_yaml11_values_come_through_as_written(scratch_site: ScratchSite) -> None:
    text = replace_line(BRIEFING, 2, "title: First briefing", "title: 3.10")
    text = replace_line(text, 5, "tags: [strikes]", "tags: [no, on, 1e3]")
    text = replace_line(text, 20, "  - date: Friday", "  - date: Friday\n    time: 12:30")
    text = replace_line(text, 21 + 1, "    place: Capital", "    place: NO")
    text = replace_line(text, 29 + 1, "    killed: 19", "    killed: 010")
    scratch_site.write(BRIEFING_PATH, text)

    scratch_site.build_ok()

    page = scratch_site.page()
    assert page.find("h1").text == "3.10"
    assert [li.text for li in page.find_all("li", class_="tag")] == ["no", "on", "1e3"]
    event = page.by_id("chronology").find("li", class_="event")
    assert event.find("span", class_="time").text == "12:30"
    assert event.find("span", class_="place").text == "NO"
    table = page.by_id("casualties")
    row = table.find("tbody").find("tr")
    assert row.find("th").text == "Capital"
    assert row.find_all("td")[2].text == "010"
    # Read as the decimal 10 (YAML 1.1 octal would make it 8).
    assert table.find("tfoot").find_all("td")[0].text == "10"
    assert page.by_id("key-figures").find("dd").text == "10"


def test_yaml11_dates_stay_text(scratch_site: ScratchSite) -> None:
    # PyYAML turns a bare 2025-04-06 into a date object and 2025-04-06 12:00
    # into a datetime; the dateline must come through as the day written.
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 3, "date: 2025-04-06",
                                                   "date: 2025-04-06 12:00"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:3:7"
    assert "'2025-04-06 12:00' is not an ISO date" in message


def test_sexagesimal_time_with_seconds_is_an_error(scratch_site: ScratchSite) -> None:
    # YAML 1.1 reads 12:30:00 as 45000.
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 20, "  - date: Friday",
                                                   "  - date: Friday\n    time: 12:30:00"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:21:11"
    assert "'12:30:00' is not valid here: write a 24-hour time as HH:MM" in message


def test_yaml11_booleans_are_not_flags(scratch_site: ScratchSite) -> None:
    # YAML 1.1 reads on/off/y/n as booleans; a draft flag must be true or false.
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 5, "tags: [strikes]",
                                                   "tags: [strikes]\ndraft: on"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:6:8"
    assert "'draft' must be true or false, not 'on'" in message


def test_hex_and_underscore_numbers_are_not_figures(scratch_site: ScratchSite) -> None:
    text = replace_line(BRIEFING, 29, "    killed: 19", "    killed: 0x13")
    text = replace_line(text, 30, "    injured: dozens", "    injured: 1_000")
    scratch_site.write(BRIEFING_PATH, text)

    result = scratch_site.build()

    assert_clean_failure(result)
    errors = error_lines(result)
    assert [where for where, _ in errors] == [f"{BRIEFING_PATH}:29:13", f"{BRIEFING_PATH}:30:14"]
    assert "'0x13' is not a casualty figure" in errors[0][1]
    assert "'1_000' is not a casualty figure" in errors[1][1]


# --- YAML syntax errors point at what to fix -------------------------------------------


def test_unclosed_quote_points_at_its_opening(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 2, "title: First briefing",
                                                   'title: "First briefing'))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:2:8"
    assert "while scanning a quoted scalar" in message


def test_unclosed_bracket_names_where_it_opened(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 5, "tags: [strikes]",
                                                   "tags: [strikes, talks"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:6:8"
    assert "while parsing a flow sequence that starts on line 5" in message


def test_tab_indentation(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 8, "    publisher: Wire Agency",
                                                   "\tpublisher: Wire Agency"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:8:1"
    assert "replace the tab with spaces" in message


def test_columns_count_characters_not_bytes(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 2, "title: First briefing",
                                                   "title: Київ: a strike"))

    where, message = only_error(scratch_site)

    assert where == f"{BRIEFING_PATH}:2:12"
    assert "mapping values are not allowed" in message


@pytest.mark.parametrize("old, new", [
    ("tags: [strikes]", "tags: [strikes]\ntitle: Again"),
    ("tags: [strikes]", "tags: &t [strikes]"),
    ("tags: [strikes]", "tags: !!python/tuple [strikes]"),
    ("tags: [strikes]", "tags: [strikes, talks"),
    ("tags: [strikes]", "tags: 'strikes"),
    ("tags: [strikes]", "tags: [strikes]\n\tdraft: true"),
    ("tags: [strikes]", "tags: [strikes]: x"),
    ("tags: [strikes]", "tags: [Київ, strikes]\ntime: 12:30"),
])
def test_libyaml_and_pure_python_parsers_agree(scratch_site: ScratchSite, old: str, new: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # PyYAML without libyaml falls back to its Python parser: errors must
    # name the same places either way.
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 5, old, new))
    with_libyaml = error_lines(scratch_site.build())
    monkeypatch.setattr(yamlsafe, "_Events", yamlsafe._PyEvents)

    pure_python = error_lines(scratch_site.build())

    assert with_libyaml
    assert [where for where, _ in pure_python] == [where for where, _ in with_libyaml]


# --- the event loop against the composer it replaced --------------------------
#
# yamlsafe once composed PyYAML nodes (Composer with a checking compose_node)
# and walked them; it now builds data straight from the parser's events. The
# old loader, kept here as the reference, must give the same data, positions
# and errors on any text.


def _reference_compose_node(loader: Any, parent: Any, index: Any) -> Any:
    event = loader.peek_event()
    mark = event.start_mark
    if isinstance(event, yaml.AliasEvent):
        raise yamlsafe.YamlProblem(
            f"YAML aliases (*{event.anchor}) are not allowed: write the value out in full.",
            mark.line, mark.column)
    anchor = getattr(event, "anchor", None)
    if anchor is not None:
        raise yamlsafe.YamlProblem(
            f"YAML anchors (&{anchor}) are not allowed: write each value out in full.",
            mark.line, mark.column)
    tag = getattr(event, "tag", None)
    if tag is not None and tag != "!":
        raise yamlsafe.YamlProblem(
            f"YAML tags ({tag}) are not allowed: remove the tag and write a plain value.",
            mark.line, mark.column)
    return yaml.composer.Composer.compose_node(loader, parent, index)


def _reference_loader(events: Any) -> Any:
    class Loader(events, yaml.composer.Composer, yaml.resolver.BaseResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            events.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.BaseResolver.__init__(self)

        get_single_node = yaml.composer.Composer.get_single_node
        compose_node = _reference_compose_node

    return Loader


def _reference_to_data(node: Any, path: Any, located: Any, line_offset: int) -> Any:
    located.positions[path] = (node.start_mark.line + 1 + line_offset,
                               node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if not node.style and node.value in yamlsafe.NULL_WORDS:
            return None
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_reference_to_data(item, (*path, i), located, line_offset)
                for i, item in enumerate(node.value)]
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yamlsafe.YamlProblem("a key must be a plain word, not a list or mapping.",
                                       key_node.start_mark.line, key_node.start_mark.column)
        key = key_node.value
        if key in result:
            first_line = located.key_positions[(*path, key)][0]
            raise yamlsafe.YamlProblem(
                f"duplicate key '{key}' (first set on line {first_line}): "
                "keep one; YAML would silently drop the first value.",
                key_node.start_mark.line, key_node.start_mark.column)
        located.key_positions[(*path, key)] = (key_node.start_mark.line + 1 + line_offset,
                                               key_node.start_mark.column + 1)
        result[key] = _reference_to_data(value_node, (*path, key), located, line_offset)
    return result


def _reference_outcome(events: Any, text: str, line_offset: int) -> tuple[Any, ...]:
    loader = _reference_loader(events)(text)
    try:
        try:
            node = loader.get_single_node()
            located = yamlsafe.Located(None)
            if node is None:
                located.positions[()] = (1 + line_offset, 1)
            else:
                located.data = _reference_to_data(node, (), located, line_offset)
        except yamlsafe.YamlProblem as problem:
            return ("error", ContentError("f.md", problem.line + 1 + line_offset,
                                          problem.column + 1, problem.message).format())
        except yaml.MarkedYAMLError as exc:
            return ("error", yamlsafe._syntax_error(exc, text, "f.md", line_offset).format())
        except yaml.YAMLError as exc:
            return ("error", ContentError("f.md", 1 + line_offset, 0,
                                          f"invalid YAML: {exc}").format())
        return ("ok", located.data, located.positions, located.key_positions)
    finally:
        loader.dispose()


def _outcome(text: str, line_offset: int) -> tuple[Any, ...]:
    try:
        located = yamlsafe.load_yaml(text, "f.md", line_offset)
    except yamlsafe.YamlError as exc:
        return ("error", exc.error.format())
    return ("ok", located.data, located.positions, located.key_positions)


# Pieces of YAML that combine into documents good and bad: nesting by
# indentation and brackets, duplicate and complex keys, anchors, aliases,
# tags, nulls, quotes, block scalars, several documents, tabs.
YAML_PIECES = [
    "a", "b", "k", "null", "~", "Null", "12:30", "NO", "Київ", " ", "  ", "\n", "\n  ",
    "\n    ", "\na: ", "\nb: ", "\n  a: ", "\n  - ", "- ", ": ", ":", "? ", "[", "]", "{", "}",
    ", ", "'", '"', "''", "&x ", "*x", "!!str ", "! ", "!t ", " #c", "\t", "\n---\n",
    "\n...\n", "|\n  ", ">-\n  ", "%YAML 1.1\n---\n", "<<: ", "a: b\na: c\n",
]
# Lines that nest by indentation: mostly valid, often with repeated keys.
YAML_LINES = st.tuples(
    st.sampled_from(["", "  ", "    ", "  - ", "- "]),
    st.sampled_from(["a", "b", "c", "? [x]", "? {y: z}", "'a'", "\"b\"", ""]),
    st.sampled_from([":", ": v", ": null", ": ~", ": ''", ": [1, 2]", ": {a: 1, a: 2}",
                     ": &x v", ": *x", ": !!int 3", ": ! v", ": |\n      text", ""]),
).map("".join)

YAML_SCALARS = ["v", "null", "~", "", "''", '""', "'q: x'", '"Київ"', "12:30", "NO", "a b"]
YAML_KEYS = ["a", "b", "c", "d", "e", "'a'", "null", ""]


def _block(tree: Any, indent: int) -> str:
    """``tree`` (scalar text, list, or list of key/value pairs in a tuple) as block YAML."""
    space = " " * indent
    if isinstance(tree, tuple):
        if not tree:
            return space + "{}\n"
        return "".join(f"{space}{key}:" + _nested(value, indent) for key, value in tree)
    if not tree:
        return space + "[]\n"
    return "".join(f"{space}-" + _nested(item, indent) for item in tree)


def _nested(tree: Any, indent: int) -> str:
    if isinstance(tree, str):
        return f" {tree}\n" if tree else "\n"
    return "\n" + _block(tree, indent + 2)


# Documents that are mostly valid, nested by indentation, with repeated keys.
YAML_DOCUMENTS = st.recursive(
    st.sampled_from(YAML_SCALARS),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(st.tuples(st.sampled_from(YAML_KEYS), children), max_size=4).map(tuple),
    ),
    max_leaves=20,
).map(lambda tree: _block(tree, 0) if not isinstance(tree, str) else tree)


@pytest.mark.parametrize("events", ["libyaml", "python"])
@settings(max_examples=1500, suppress_health_check=list(HealthCheck), deadline=None)
@given(text=st.one_of(
    st.lists(st.sampled_from(YAML_PIECES), max_size=30).map("".join),
    st.lists(YAML_LINES, max_size=12).map("\n".join),
    YAML_DOCUMENTS,
), line_offset=st.integers(0, 3))
@example(text="a: 1\nb:\n  - x\n  - {c: d, c: e}\n", line_offset=1)
@example(text="? [a]\n: {b: 1, b: 2}\n", line_offset=0)
@example(text="a: 1\na: 2\nb: [unclosed\n", line_offset=0)
@example(text="a: 1\n---\nb: 2\n", line_offset=0)
def test_event_loop_equals_node_composer(events: str, text: str, line_offset: int,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    parser = yamlsafe._PyEvents if events == "python" else yamlsafe._Events
    monkeypatch.setattr(yamlsafe, "_Events", parser)
    assert _outcome(text, line_offset) == _reference_outcome(parser, text, line_offset)


def test_the_reference_would_notice_a_different_error_order() -> None:
    # A duplicate key followed by a syntax error reports the syntax error:
    # keys are only checked once the document has parsed.
    text = "a: 1\na: 2\nb: [unclosed\n"
    outcome = _outcome(text, 0)
    assert outcome == _reference_outcome(yamlsafe._Events, text, 0)
    assert outcome[0] == "error" and "duplicate" not in outcome[1]
    assert "duplicate key 'a'" in _outcome("a: 1\na: 2\n", 0)[1]


def test_deep_nesting_is_data_up_to_libyamls_limit() -> None:
    # The recursive composer ran out of Python stack at about 330 levels.
    located = yamlsafe.load_yaml("a: " + "[" * 900 + "]" * 900 + "\n", "f.md")
    depth, value = 0, located.data["a"]
    while value:
        depth, value = depth + 1, value[0]
    assert depth == 899
    with pytest.raises(yamlsafe.YamlError, match="maximum nesting depth"):
        yamlsafe.load_yaml("a: " + "[" * 2000 + "]" * 2000 + "\n", "f.md")


@pytest.mark.parametrize("events", ["libyaml", "python"])
def test_null_words_mean_null_whichever_parser_reads_them(
    events: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # libyaml marks plain scalars with style "", PyYAML's own parser with None.
    parser = yamlsafe._PyEvents if events == "python" else yamlsafe._Events
    monkeypatch.setattr(yamlsafe, "_Events", parser)
    data = yamlsafe.load_yaml("a:\nb: ~\nc: null\nd: 'null'\ne: \"~\"\nf: ''\n", "x").data
    assert data == {"a": None, "b": None, "c": None, "d": "null", "e": "~", "f": ""}


def test_a_null_optional_field_is_left_out_not_shown(scratch_site: ScratchSite) -> None:
    text = BRIEFING.replace("tags: [strikes]\n", "tags: [strikes]\nupdated: ~\n", 1)
    scratch_site.write(BRIEFING_PATH, text)

    scratch_site.build_ok()

    assert "Updated" not in scratch_site.page().text
