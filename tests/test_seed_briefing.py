"""This repository's own briefing, built from the repository root, states the article's facts.

The source is the wire report in ``seeds/`` (dateline 6 April 2025): a
Friday strike on Kryvyi Rih killed 19 people including nine children and
injured dozens; early Sunday a missile on Kyiv killed one person and injured
at least three; Kirill Dmitriev met Marco Rubio and Steve Witkoff in
Washington "last week".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, Node, invoke, parse_html

SLUG = "2025-04-06-ceasefire-talks-kyiv-strike"
SEED = "000_716326ccb52e1963.txt"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    out = tmp_path_factory.mktemp("seed") / "site"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(REPO)
        result = invoke("build", "--output", str(out))
    assert result.exit_code == 0, result.output
    yield parse_html((out / "briefings" / SLUG / "index.html").read_text(encoding="utf-8"))


def casualty_rows(page: Node) -> dict[str, dict[str, Node]]:
    """Casualty rows by place, each a mapping of column header to cell."""
    table = page.by_id("casualties")
    headers = [th.text for th in table.find("thead").find_all("th")]
    rows = {}
    for tr in table.find("tbody").children_by_tag("tr"):
        cells = [c for c in tr.children if isinstance(c, Node) and c.tag in ("th", "td")]
        row = dict(zip(headers, cells, strict=True))
        rows[row["Place"].text] = row
    return rows


def events_at(page: Node, place: str) -> list[Node]:
    return [li for li in page.by_id("chronology").children_by_tag("li")
            if li.find(class_="place").text == place]


def test_the_seed_article_says_what_the_tests_check() -> None:
    article = " ".join((REPO / "seeds" / SEED).read_text(encoding="utf-8").split())

    assert article.startswith("date 2025-04-06 ")
    assert "killed 19 people, including nine children, and injured dozens" in article
    assert "One person was killed and at least three injured" in article
    assert "Marco Rubio and Steve Witkoff" in article


def test_dateline(page: Node) -> None:
    dateline = page.find(class_="dateline").find("time")

    assert (dateline.attrs["datetime"], dateline.text) == ("2025-04-06", "6 April 2025")


def test_kryvyi_rih_strike_on_friday(page: Node) -> None:
    row = casualty_rows(page)["Kryvyi Rih"]

    when = row["Date"].find("time")
    assert (when.attrs["datetime"], when.text) == ("2025-04-04", "Friday, 4 April 2025")
    assert row["Killed"].text == "19"
    assert row["Children killed"].text == "9"
    assert row["Injured"].text == "dozens"
    [event] = events_at(page, "Kryvyi Rih")
    assert event.find("time").attrs["datetime"] == "2025-04-04"
    assert "killing 19 people, including nine children" in event.find(class_="what").text


def test_kyiv_strike_early_sunday(page: Node) -> None:
    row = casualty_rows(page)["Kyiv"]

    when = row["Date"].find("time")
    assert (when.attrs["datetime"], when.text) == ("2025-04-06", "Early Sunday, 6 April 2025")
    assert row["Killed"].text == "at least 1"
    assert row["Injured"].text == "at least 3"
    kyiv = [e for e in events_at(page, "Kyiv") if "ballistic missile" in e.text]
    assert [e.find("time").attrs["datetime"] for e in kyiv] == ["2025-04-06"]


def test_key_figures_and_totals(page: Node) -> None:
    key = page.by_id("key-figures")
    figures = dict(zip([dt.text for dt in key.find_all("dt")],
                       [dd.text for dd in key.find_all("dd")], strict=True))

    assert figures["Killed"] == "at least 20"
    assert figures["Injured"] == "at least 3, plus unquantified reports"
    assert figures["Children killed"] == "9"
    table = page.by_id("casualties")
    headers = [th.text for th in table.find("thead").find_all("th")]
    cells: list[Node] = []
    for cell in table.find("tfoot").find("tr").children:
        if isinstance(cell, Node):
            cells.extend([cell] * int(cell.attrs.get("colspan", "1")))
    totals = {h: c.text for h, c in zip(headers, cells, strict=True)}
    assert totals["Killed"] == "at least 20"
    assert totals["Injured"] == "at least 3, plus unquantified reports"


def test_last_week_resolves_to_the_working_week_before_the_sunday_dateline(page: Node) -> None:
    [washington] = events_at(page, "Washington")

    when = washington.find(class_="when")
    assert [t.attrs["datetime"] for t in when.find_all("time")] == ["2025-03-31", "2025-04-04"]
    assert when.text.startswith("Last week, 31 March")
    assert "4 April 2025" in when.text
    assert [a.text for a in washington.find_all(class_="actor-ref")] == [
        "Kirill Dmitriev", "Marco Rubio", "Steve Witkoff"]


def test_chronology_is_in_date_order(page: Node) -> None:
    starts = [li.find("time").attrs["datetime"]
              for li in page.by_id("chronology").children_by_tag("li")]

    assert starts == sorted(starts)
    assert starts[0] == "2025-03-31"
    assert starts[-1] == "2025-04-06"


def test_actors(page: Node) -> None:
    actors = page.by_id("actors")
    names = [n.text for n in actors.find_all(class_="actor-name")]

    for name in ("Kirill Dmitriev", "Marco Rubio", "Steve Witkoff"):
        assert name in names
    dmitriev = next(li for li in actors.find_all("li", class_="actor")
                    if li.find(class_="actor-name").text == "Kirill Dmitriev")
    assert dmitriev.find(class_="affiliation").text == "Russia"
    assert "negotiator" in dmitriev.find(class_="description").text


def test_source_names_the_seed_file(page: Node) -> None:
    source = page.by_id("source-wire")

    assert source in page.by_id("sources").children_by_tag("li")
    assert SEED in source.text
    assert (Path(REPO) / "seeds" / SEED).is_file()
    refs = {a.attrs["href"] for a in page.find_all("a", class_="source-ref")}
    assert refs == {"#source-wire"}
