"""Content errors as a user meets them: ``briefgen build`` on one broken input at a time.

Each case changes one line of the scratch site and expects exactly one error,
at an exact ``file:line:col``, saying what is wrong and what to write instead;
the build exits with status 1, shows no traceback and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from conftest import (
    ACTORS,
    BRIEFING,
    BRIEFING_PATH,
    CONFIG,
    ScratchSite,
    assert_clean_failure,
    briefing,
    error_lines,
    replace_line,
)


@dataclass(frozen=True)
class Case:
    file: str
    text: str
    where: str
    """``line:col`` of the one expected error."""
    says: tuple[str, ...]
    """Fragments the message must contain: what is wrong and how to fix it."""


def _b(number: int, old: str, new: str | None, where: str, *says: str) -> Case:
    return Case(BRIEFING_PATH, replace_line(BRIEFING, number, old, new), where, says)


def _actors(number: int, old: str, new: str | None, where: str, *says: str) -> Case:
    return Case("content/actors.yaml", replace_line(ACTORS, number, old, new), where, says)


def _config(number: int, old: str, new: str | None, where: str, *says: str) -> Case:
    return Case("briefgen.yaml", replace_line(CONFIG, number, old, new), where, says)


CASES = {
    # --- the briefing's own fields ---------------------------------------
    "unknown field": _b(4, "summary: A short summary of the first briefing.",
                        "sumary: A short summary of the first briefing.",
                        "4:1", "unknown field 'sumary'", "Did you mean 'summary'?"),
    "title missing": _b(2, "title: First briefing", None,
                        "2:1", "'title' is required"),
    "title empty": _b(2, "title: First briefing", 'title: ""',
                      "2:8", "'title' must not be empty"),
    "date missing": _b(3, "date: 2025-04-06", None, "2:1", "'date' is required"),
    "sources missing": Case(BRIEFING_PATH, "---\ntitle: T\ndate: 2025-04-06\n---\n",
                            "2:1", ("'sources' is required", "add at least one entry")),
    "sources empty": Case(BRIEFING_PATH, "---\ntitle: T\ndate: 2025-04-06\nsources: []\n---\n",
                          "4:10", ("'sources' must have at least one entry",)),
    "dateline not ISO": _b(3, "date: 2025-04-06", "date: 6 April 2025",
                           "3:7", "'6 April 2025' is not an ISO date", "YYYY-MM-DD"),
    "dateline a phrase": _b(3, "date: 2025-04-06", "date: Friday",
                            "3:7", "'Friday' is not an ISO date", "e.g. 2025-04-06"),
    "updated before dateline": _b(3, "date: 2025-04-06", "date: 2025-04-06\nupdated: 2025-04-01",
                                  "4:10", "'updated' (2025-04-01) is before the dateline"),
    "draft not a flag": _b(5, "tags: [strikes]", "tags: [strikes]\ndraft: maybe",
                           "6:8", "'draft' must be true or false"),
    "tags not a list": _b(5, "tags: [strikes]", "tags: {kind: strikes}",
                          "5:7", "'tags' must be a list"),
    # --- sources -----------------------------------------------------------
    "source id twice": _b(12, "    seed: report.txt",
                          "    seed: report.txt\n  - id: wire\n    publisher: Other\n"
                          "    title: Other report\n    url: https://example.org/other",
                          "13:9", "source id 'wire' is used twice", "its own id"),
    "source id not an id": Case(BRIEFING_PATH,
                                replace_line(briefing(), 5, "  - id: wire", "  - id: wire agency"),
                                "5:9", ("'wire agency' is not valid", "letters, digits")),
    "source javascript url": _b(10, "    url: https://example.org/report",
                                "    url: javascript:alert(1)",
                                "10:10", "'javascript:alert(1)' is not a web address",
                                "http:// or https://"),
    "source ftp url": _b(10, "    url: https://example.org/report",
                         "    url: ftp://example.org/report",
                         "10:10", "is not a web address"),
    "source seed missing": _b(12, "    seed: report.txt", "    seed: missing.txt",
                              "12:11", "seed file 'seeds/missing.txt' does not exist"),
    "source seed outside seeds": _b(12, "    seed: report.txt", "    seed: ../briefgen.yaml",
                                    "12:11", "'seeds/../briefgen.yaml' does not exist"),
    "source published not a date": _b(11, "    published: 2025-04-06",
                                      "    published: 2025-13-01",
                                      "11:16", "not a calendar date", "months run 01 to 12"),
    "source publisher missing": _b(8, "    publisher: Wire Agency", None,
                                   "7:5", "'publisher' is required"),
    "source without url or seed": Case(BRIEFING_PATH,
                                       replace_line(briefing(), 8,
                                                    "    url: https://example.org/report", None),
                                       "5:5", ("'url' is required",)),
    # --- actors --------------------------------------------------------------
    "actor not in registry": _b(14, "  - id: alpha", "  - id: alfa",
                                "14:9", "no actor 'alfa' in content/actors.yaml",
                                "Did you mean 'alpha'?", "inline with 'name:'"),
    "actor by id with a name": _b(15, "    role: Announced the talks",
                                  "    role: Announced the talks\n    name: Alex",
                                  "14:5", "remove 'name' and 'affiliation'"),
    "inline actor without name": _b(16, "  - name: Charlie Civilian", "  -",
                                    "17:5", "'name' is required"),
    # --- chronology ------------------------------------------------------------
    "chronology phrase unknown": _b(20, "  - date: Friday", "  - date: next Tuesday",
                                    "20:11", "cannot resolve 'next Tuesday'",
                                    "write an ISO date such as 2025-04-06"),
    "chronology date calendar-invalid": _b(20, "  - date: Friday", "  - date: 2025-04-31",
                                           "20:11", "'2025-04-31' is not a calendar date",
                                           "April 2025 has 30 days"),
    "chronology time not HH:MM": _b(20, "  - date: Friday", "  - date: Friday\n    time: 7.30",
                                    "21:11", "'7.30' is not valid here", "HH:MM"),
    "chronology time out of range": _b(20, "  - date: Friday",
                                       "  - date: Friday\n    time: '24:10'",
                                       "21:11", "'24:10' is not valid here", "HH:MM"),
    "chronology unknown field": _b(21, "    place: Capital", "    plase: Capital",
                                   "21:5", "unknown field 'plase'", "Did you mean 'place'?"),
    "chronology event missing": _b(22, "    event: A missile strikes the *capital*.", None,
                                   "20:5", "'event' is required"),
    "chronology unknown actor": _b(23, "    actors: [alpha]", "    actors: [alpha, zulu]",
                                   "23:21", "no actor 'zulu'"),
    "chronology unknown source": _b(24, "    source: wire", "    source: wrie",
                                    "24:13", "no source 'wrie' in this briefing's sources",
                                    "Did you mean 'wire'?", "Use one of: wire"),
    "chronology source missing": _b(24, "    source: wire", None,
                                    "20:5", "'source' is required"),
    # --- casualties --------------------------------------------------------------
    "figure negative": _b(29, "    killed: 19", "    killed: -3",
                          "29:13", "'-3' is negative", "0 or more"),
    "figure with a unit": _b(29, "    killed: 19", "    killed: 19 people",
                             "29:13", "'19 people' is not a casualty figure", "'at least 19'"),
    "figure a vague word": _b(30, "    injured: dozens", "    injured: lots",
                              "30:14", "'lots' is not a casualty figure", "dozens"),
    "figure reversed range": _b(30, "    injured: dozens", "    injured: 15-10",
                                "30:14", "reversed range", "'10-15'"),
    "figure missing": _b(30, "    injured: dozens", None,
                         "26:5", "'injured' is required", "'unknown'"),
    "casualty unknown field": _b(29, "    killed: 19", "    killed: 19\n    children_kiled: 9",
                                 "30:5", "unknown field 'children_kiled'",
                                 "Did you mean 'children_killed'?"),
    "casualty incident not an id": _b(29, "    killed: 19",
                                      "    killed: 19\n    incident: kyiv strike",
                                      "30:15", "'kyiv strike' is not valid here"),
    "casualty place missing": _b(27, "    place: Capital", None,
                                 "26:5", "'place' is required"),
    "casualty unknown source": _b(31, "    source: wire", "    source: ngo",
                                  "31:13", "no source 'ngo'", "Use one of: wire"),
    "casualty date phrase unknown": _b(26, "  - date: Friday", "  - date: the other day",
                                       "26:11", "cannot resolve 'the other day'"),
    # --- the actor registry ------------------------------------------------------
    "registry unknown kind": _actors(3, "  kind: person", "  kind: persn",
                                     "3:9", "unknown kind 'persn'", "Did you mean 'person'?",
                                     "person, organisation, state, armed-group"),
    "registry id not a slug": _actors(7, "bravo-ministry:", "Bravo Ministry:",
                                      "7:1", "actor id 'Bravo Ministry' is not valid",
                                      "lowercase letters"),
    "registry unknown field": _actors(5, "  aliases: [Alpha]", "  alias: [Alpha]",
                                      "5:3", "unknown field 'alias'", "Did you mean 'aliases'?"),
    "registry name missing": _actors(2, "  name: Alex Alpha", None,
                                     "2:3", "'name' is required"),
    # --- briefgen.yaml ------------------------------------------------------------
    "config unknown field": _config(5, "timezone: Europe/Kyiv",
                                    "timezone: Europe/Kyiv\nautor: The editors",
                                    "6:1", "unknown field 'autor'", "Did you mean 'author'?"),
    "config base_url not a URL": _config(3, "base_url: https://example.org/briefs/",
                                         "base_url: example.org",
                                         "3:11", "'example.org' is not a full web address"),
    "config language": _config(4, "language: en", "language: english!",
                               "4:11", "'english!' is not a language tag"),
    "config timezone": _config(5, "timezone: Europe/Kyiv", "timezone: Mars/Olympus",
                               "5:11", "unknown time zone 'Mars/Olympus'", "IANA"),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_one_broken_input_one_error(scratch_site: ScratchSite, case: Case) -> None:
    scratch_site.write(case.file, case.text)

    result = scratch_site.build()

    assert_clean_failure(result)
    errors = error_lines(result)
    assert [where for where, _ in errors] == [f"{case.file}:{case.where}"], result.stderr
    message = errors[0][1]
    for fragment in case.says:
        assert fragment in message
    assert result.stderr.rstrip().endswith("1 error found; the site was not written.")
    assert not scratch_site.out.exists()


def test_error_names_the_field_path(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, replace_line(BRIEFING, 29, "    killed: 19",
                                                   "    killed: -3"))

    errors = error_lines(scratch_site.build())

    assert errors[0][1].startswith("casualties[0].killed: ")


def test_bad_file_name_names_the_file_and_a_fixed_name(scratch_site: ScratchSite) -> None:
    scratch_site.write("content/briefings/Kyiv Strike_2025.md", briefing())

    result = scratch_site.build()

    assert_clean_failure(result)
    first = result.stderr.splitlines()[0]
    assert first.startswith("content/briefings/Kyiv Strike_2025.md: ")
    assert "not a valid slug" in first
    assert "rename it to 'kyiv-strike-2025.md'" in first


def test_missing_config_is_a_message_not_a_traceback(scratch_site: ScratchSite) -> None:
    scratch_site.remove("briefgen.yaml")

    result = scratch_site.build()

    assert_clean_failure(result)
    assert "no briefgen.yaml here" in result.stderr
    assert "--site" in result.stderr


def test_one_run_reports_every_error(scratch_site: ScratchSite) -> None:
    scratch_site.write("briefgen.yaml", replace_line(CONFIG, 4, "language: en", "language: 42!"))
    scratch_site.write("content/actors.yaml",
                       replace_line(ACTORS, 3, "  kind: person", "  kind: human"))
    text = replace_line(BRIEFING, 20, "  - date: Friday", "  - date: someday")
    text = replace_line(text, 29, "    killed: 19", "    killed: many")
    text = replace_line(text, 31, "    source: wire", "    source: nobody")
    scratch_site.write(BRIEFING_PATH, text)
    scratch_site.write("content/briefings/2025-04-07-second.md",
                       briefing(date="2025-02-30"))
    scratch_site.write("content/briefings/2025-04-08-third.md", "---\ntitle: [unclosed\n---\n")

    result = scratch_site.build()

    assert_clean_failure(result)
    assert [where for where, _ in error_lines(result)] == [
        "briefgen.yaml:4:11",
        "content/actors.yaml:3:9",
        f"{BRIEFING_PATH}:20:11",
        f"{BRIEFING_PATH}:29:13",
        f"{BRIEFING_PATH}:31:13",
        "content/briefings/2025-04-07-second.md:3:7",
        "content/briefings/2025-04-08-third.md:2:8",
    ]
    assert result.stderr.rstrip().endswith("7 errors found; the site was not written.")
    assert not scratch_site.out.exists()


def test_entries_citing_a_rejected_source_id_add_no_errors(scratch_site: ScratchSite) -> None:
    text = replace_line(BRIEFING, 7, "  - id: wire", "  - id: wire agency")
    text = replace_line(text, 24, "    source: wire", "    source: wire agency")
    text = replace_line(text, 31, "    source: wire", "    source: wire agency")
    scratch_site.write(BRIEFING_PATH, text)

    result = scratch_site.build()

    assert [where for where, _ in error_lines(result)] == [f"{BRIEFING_PATH}:7:9"]
