"""The open data under ``/data/``: checked against the documented schemas.

The JSON files are validated against docs/schemas/*.json by a small checker
of the JSON Schema keywords those schemas use (it refuses any other keyword,
so a schema cannot silently check less than it says). The CSV is read with
the csv module and compared with the JSON row by row.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, ScratchSite, briefing, invoke
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen import exports

SCHEMAS = REPO / "docs" / "schemas"
EXPORTS = ("briefings", "chronology", "casualties", "timeline")
FIGURES = ("killed", "injured", "children_killed", "children_injured")

# --- a checker for the JSON Schema keywords docs/schemas uses ---------------

TYPES: dict[str, Any] = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
    "integer": int, "number": (int, float),
}  # fmt: skip
ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description"}
KEYWORDS = {"type", "const", "enum", "pattern", "minimum", "maximum", "properties",
            "required", "additionalProperties", "items", "anyOf", "$ref"}


def schema_errors(value: Any, schema: dict[str, Any], root: dict[str, Any],
                  where: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema``, as ``path: problem`` lines."""
    unknown = set(schema) - KEYWORDS - ANNOTATIONS
    assert not unknown, f"the checker does not know {sorted(unknown)} (at {where})"
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        return schema_errors(value, root["$defs"][ref.removeprefix("#/$defs/")], root, where)
    if "anyOf" in schema:
        if all(schema_errors(value, option, root, where) for option in schema["anyOf"]):
            return [f"{where}: matches none of {schema['anyOf']}"]
        return []
    errors: list[str] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        # bool is an int in Python, not in JSON.
        if not any(isinstance(value, TYPES[n]) and not (n in ("integer", "number")
                                                         and isinstance(value, bool))
                   for n in names):
            return [f"{where}: {value!r} is not of type {names}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, int) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, dict):
        errors.extend(f"{where}: missing {key!r}" for key in schema.get("required", ())
                      if key not in value)
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                errors.extend(schema_errors(item, properties[key], root, f"{where}.{key}"))
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected {key!r}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors.extend(schema_errors(item, schema["items"], root, f"{where}[{i}]"))
    return errors


def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    return schema


def validate(value: Any, name: str) -> None:
    schema = load_schema(name)
    errors = schema_errors(value, schema, schema)
    assert not errors, "\n".join(errors[:20])


# --- a site that uses every kind of date, figure and revision ---------------

OLDER = briefing(title="Older briefing", date="2025-04-05", extra="""\
    chronology:
      - date: 2025-04
        place: Київ
        event: A month of *strikes*.
        source: wire
      - date: last week
        place: Capital
        event: Talks all week.
        source: wire
    casualties:
      - date: Friday
        place: Capital
        event: Missile strike
        killed: at least 18
        injured: about 40
        incident: capital-strike
        source: wire
      - date: 2025-04-03
        place: Port
        event: Shelling
        killed: 2-4
        injured: unknown
        source: wire
    """)

NEWER = briefing(title="Newer briefing", date="2025-04-07", extra="""\
    updated: 2025-04-08
    chronology:
      - date: Sunday
        time: "14:30"
        place: Capital
        event: Funerals.
        source: wire
    casualties:
      - date: Friday
        place: Capital
        event: Missile strike
        killed: 20
        injured: about 45
        children_killed: 9
        incident: capital-strike
        source: wire
    """)


@pytest.fixture
def data_site(scratch_site: ScratchSite) -> ScratchSite:
    scratch_site.write("content/briefings/2025-04-05-older.md", OLDER)
    scratch_site.write("content/briefings/2025-04-07-newer.md", NEWER)
    scratch_site.build_ok()
    return scratch_site


def read_json(site: ScratchSite, name: str, out: Path | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        ((out or site.out) / "data" / f"{name}.json").read_text(encoding="utf-8"))
    return data


def test_every_export_matches_its_schema(data_site: ScratchSite) -> None:
    for name in EXPORTS:
        data = read_json(data_site, name)
        validate(data, name)
        assert data["schema"] == f"briefgen/{name}/1"


def test_the_repository_site_exports_match_their_schemas(tmp_path: Path) -> None:
    result = invoke("build", "--site", str(REPO), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    for name in EXPORTS:
        data = json.loads((tmp_path / "out" / "data" / f"{name}.json").read_text("utf-8"))
        validate(data, name)
    # The seed briefing is in every export.
    out = tmp_path / "out" / "data"
    lists = {"briefings": "briefings", "chronology": "events", "casualties": "incidents",
             "timeline": "events"}
    for name, key in lists.items():
        data = json.loads((out / f"{name}.json").read_text("utf-8"))
        assert data[key], name


def test_the_checker_catches_what_the_schemas_forbid() -> None:
    schema = load_schema("casualties")
    good = {"schema": "briefgen/casualties/1",
            "site": {"title": "T", "url": "https://example.org/"}, "incidents": []}
    assert schema_errors(good, schema, schema) == []
    bad_cases = [
        {**good, "schema": "briefgen/casualties/2"},
        {**good, "extra": 1},
        {key: value for key, value in good.items() if key != "site"},
        {**good, "site": {"title": "T", "url": "example.org"}},
        {**good, "incidents": [{"incident": None}]},
        {**good, "incidents": "none"},
    ]
    for bad in bad_cases:
        assert schema_errors(bad, schema, schema), bad
    figure = {"$ref": "#/$defs/figure"}
    ok = {"text": "19", "low": 19, "high": 19, "qualifier": "exact"}
    assert schema_errors(ok, figure, schema) == []
    assert schema_errors({**ok, "low": True}, figure, schema)
    assert schema_errors({**ok, "low": -1}, figure, schema)
    assert schema_errors({**ok, "qualifier": "roughly"}, figure, schema)


def test_each_schema_is_documented() -> None:
    doc = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    for name in EXPORTS:
        marker = load_schema(name)["properties"]["schema"]["const"]
        assert marker == f"briefgen/{name}/1"
        assert f"`{marker}`" in doc
        assert f"(schemas/{name}.json)" in doc


def test_briefings_export(data_site: ScratchSite) -> None:
    data = read_json(data_site, "briefings")
    base = "https://example.org/briefs/"
    assert data["site"] == {"title": "Test Briefings", "url": base}
    assert [b["slug"] for b in data["briefings"]] == [
        "2025-04-07-newer", "2025-04-06-first", "2025-04-05-older"]
    newer, first, _ = data["briefings"]
    assert newer["updated"] == "2025-04-08" and first["updated"] is None
    assert first["url"] == base + "briefings/2025-04-06-first/"
    assert first["tags"] == ["strikes"]
    assert first["sources"] == [{"id": "wire", "publisher": "Wire Agency",
                                 "title": "A report from the capital",
                                 "url": "https://example.org/report",
                                 "published": "2025-04-06"}]
    assert [(a["id"], a["name"]) for a in first["actors"]] == [
        ("alpha", "Alex Alpha"), (None, "Charlie Civilian")]
    assert (first["events"], first["casualty_records"]) == (1, 1)


def test_chronology_export_has_resolved_dates_and_words(data_site: ScratchSite) -> None:
    events = read_json(data_site, "chronology")["events"]
    assert len(events) == 4
    starts = [(e["date"]["start"], e["date"]["end"]) for e in events]
    assert starts == sorted(starts, reverse=True)
    by_text = {e["date"]["text"]: e for e in events}
    assert by_text["Sunday"]["date"] == {"text": "Sunday", "start": "2025-04-06",
                                         "end": "2025-04-06", "precision": "day",
                                         "relative": True}
    assert by_text["Sunday"]["time"] == "14:30"
    assert by_text["Sunday"]["briefing"] == "2025-04-07-newer"
    assert by_text["2025-04"]["date"]["precision"] == "month"
    assert (by_text["2025-04"]["date"]["start"], by_text["2025-04"]["date"]["end"]) == (
        "2025-04-01", "2025-04-30")
    assert by_text["2025-04"]["event"] == "A month of *strikes*."
    assert "<em>strikes</em>" in by_text["2025-04"]["event_html"]
    assert by_text["last week"]["date"]["precision"] == "range"
    assert by_text["Friday"]["actors"] == ["alpha"]
    assert by_text["Friday"]["source"] == "wire"
    raw = (data_site.out / "data" / "chronology.json").read_text(encoding="utf-8")
    assert '"place": "Київ"' in raw  # written as is, not \\u-escaped


def test_casualties_export_counts_a_revised_incident_once(data_site: ScratchSite) -> None:
    incidents = read_json(data_site, "casualties")["incidents"]
    assert len(incidents) == 3  # the revised strike, the lone shelling, the first briefing's
    (strike,) = [i for i in incidents if i["incident"] == "capital-strike"]
    assert strike["briefing"] == "2025-04-07-newer"
    assert strike["killed"] == {"text": "20", "low": 20, "high": 20, "qualifier": "exact"}
    assert strike["injured"] == {"text": "about 45", "low": 45, "high": 45,
                                 "qualifier": "approximate"}
    assert strike["children_killed"]["low"] == 9
    assert strike["children_injured"] is None
    (revision,) = strike["revisions"]
    assert revision["briefing"] == "2025-04-05-older"
    assert revision["briefing_date"] == "2025-04-05"
    assert revision["killed"] == {"text": "at least 18", "low": 18, "high": None,
                                  "qualifier": "at least"}
    assert revision["date"]["start"] == "2025-04-04"

    lone = [i for i in incidents if i["incident"] is None]
    assert sorted(i["place"] for i in lone) == ["Capital", "Port"]
    (port,) = [i for i in lone if i["place"] == "Port"]
    assert port["revisions"] == []
    assert port["killed"] == {"text": "2-4", "low": 2, "high": 4, "qualifier": "range"}
    assert port["injured"] == {"text": "unknown", "low": None, "high": None,
                               "qualifier": "unquantified"}


def test_csv_agrees_with_the_json(data_site: ScratchSite) -> None:
    incidents = read_json(data_site, "casualties")["incidents"]
    with (data_site.out / "data" / "casualties.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = []
    for incident in incidents:
        for report, latest in [(incident, "true"), *((r, "false") for r in incident["revisions"])]:
            row = {
                "incident": incident["incident"] or "",
                "latest": latest,
                "briefing": report["briefing"],
                "briefing_date": report["briefing_date"],
                "url": report["url"],
                "date_text": report["date"]["text"],
                "date_start": report["date"]["start"],
                "date_end": report["date"]["end"],
                "date_precision": report["date"]["precision"],
                "place": report["place"],
                "event": report["event"],
            }
            for name in FIGURES:
                figure = report[name] or {}
                for part in ("text", "low", "high", "qualifier"):
                    value = figure.get(part)
                    row[f"{name}_{part}"] = "" if value is None else str(value)
            row["source"] = report["source"]
            expected.append(row)
    assert len(rows) == 4  # three incidents, one revision
    assert rows == expected
    assert [r["latest"] for r in rows].count("true") == len(incidents)


def test_timeline_is_in_timelinejs_format(data_site: ScratchSite) -> None:
    data = read_json(data_site, "timeline")
    assert data["title"]["text"] == {"headline": "Test Briefings", "text": "A site for tests."}
    events = data["events"]
    chronology = read_json(data_site, "chronology")["events"]
    assert [e["group"] for e in events] == [c["place"] for c in chronology]
    by_words = {c["date"]["text"]: e for c, e in zip(chronology, events, strict=True)}

    sunday = by_words["Sunday"]
    assert sunday["start_date"] == {"year": 2025, "month": 4, "day": 6, "hour": 14, "minute": 30}
    assert "end_date" not in sunday
    assert sunday["display_date"].startswith("Sunday, 6 April 2025")
    assert sunday["text"]["headline"] == "Capital"
    assert 'href="https://example.org/briefs/briefings/2025-04-07-newer/"' in (
        sunday["text"]["text"])

    month = by_words["2025-04"]
    assert month["start_date"] == {"year": 2025, "month": 4}
    assert month["group"] == "Київ"

    week = by_words["last week"]
    (resolved,) = [c["date"] for c in chronology if c["date"]["text"] == "last week"]
    for end in ("start", "end"):
        year, month, day = map(int, resolved[end].split("-"))
        assert week[f"{end}_date"] == {"year": year, "month": month, "day": day}
    assert week["display_date"].lower().startswith("last week")
    assert len({e["unique_id"] for e in events}) == len(events)


def test_exports_are_deterministic(data_site: ScratchSite, tmp_path: Path) -> None:
    data_site.build_ok("-o", str(tmp_path / "again"))
    first, again = data_site.snapshot(), data_site.snapshot(tmp_path / "again")
    data = sorted(name for name in first if name.startswith("data/"))
    assert data == ["data/briefings.json", "data/casualties.csv", "data/casualties.json",
                    "data/chronology.json", "data/timeline.json"]
    for name in data:
        assert first[name] == again[name], name


def test_reused_records_give_the_same_files_and_follow_every_change(
    scratch_site: ScratchSite,
) -> None:
    from briefgen import exports
    from briefgen.indexes import derive
    from briefgen.loader import load_site

    memo = exports.RecordMemo()

    def both(site_key: str) -> tuple[dict[str, str | bytes], dict[str, str | bytes]]:
        site = load_site(scratch_site.root, workers=1)
        indexes = derive(site)
        return exports.files(site, indexes, memo, site_key), exports.files(site, indexes)

    scratch_site.write("content/briefings/2025-04-07-second.md", briefing(title="Second"))
    with_memo, plain = both("a")
    assert with_memo == plain and memo.lines
    kept = dict(memo.lines)

    scratch_site.write("content/briefings/2025-04-07-second.md", briefing(title="Renamed"))
    with_memo, plain = both("a")
    assert with_memo == plain
    assert "Renamed" in str(with_memo["data/briefings.json"])
    # The unchanged briefing's records were reused; the edited one's replaced.
    assert {k for k in memo.lines if k[1] == "2025-04-06-first"} <= kept.keys()
    assert not {k for k in memo.lines if k[1] == "2025-04-07-second"} & kept.keys()

    scratch_site.remove("content/briefings/2025-04-07-second.md")
    with_memo, plain = both("b")  # another registry or config: nothing reused
    assert with_memo == plain
    assert {k[1] for k in memo.lines} == {"2025-04-06-first"}


def test_casualty_lines_are_what_the_json_encoder_writes(data_site: ScratchSite) -> None:
    # Incidents are laid out from their reports' own encodings (a memo keeps
    # reports one by one); each line must be what encoding the whole gives.
    text = (data_site.out / "data" / "casualties.json").read_text(encoding="utf-8")
    lines = [line.rstrip(",") for line in text.splitlines() if line.startswith('{"incident"')]
    assert len(lines) == 3
    for line in lines:
        assert json.dumps(json.loads(line), ensure_ascii=False) == line


@settings(max_examples=300, deadline=None)
@given(head=st.lists(st.text(), min_size=2, max_size=2),
       tail=st.lists(st.text(), min_size=2, max_size=6))
def test_csv_lines_join_as_one_row(head: list[str], tail: list[str]) -> None:
    # casualties.csv joins a row's first columns to the report's kept columns.
    whole = io.StringIO()
    csv.writer(whole, lineterminator="\n").writerow([*head, *tail])
    assert exports._csv_line(head)[:-1] + "," + exports._csv_line(tail) == whole.getvalue()
