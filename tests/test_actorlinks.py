"""Linking registry actors in briefing bodies: first mention only, never inside links or code."""

from __future__ import annotations

from conftest import BRIEFING, BRIEFING_PATH, ScratchSite, parse_html
from hypothesis import given
from hypothesis import strategies as st

from briefgen.actorlinks import ActorLinker
from briefgen.model import Actor

ZELENSKY = Actor("zelensky", "Volodymyr Zelensky", "person", "Ukraine",
                 ("Zelenskiy", "Zelenskyy", "Zelensky"), "President of Ukraine.")
PUTIN = Actor("putin", "Vladimir Putin", "person", "Russia", ("Putin",), "President of Russia.")
MINISTRY = Actor("mod", "Russian Ministry of Defence", "organisation", "Russia",
                 ("Russia's defense ministry",), "")
REGISTRY = {a.id: a for a in (ZELENSKY, PUTIN, MINISTRY)}


def link(html: str, registry: dict[str, Actor] = REGISTRY) -> str:
    return ActorLinker(registry, lambda actor_id: f"/repo/actors/{actor_id}/")(html)


def links(html: str) -> list[tuple[str, str]]:
    """(href, text) of each actor link in ``html``."""
    page = parse_html(html)
    return [(a.attrs["href"], a.text) for a in page.find_all("a", class_="actor-link")]


def test_an_alias_links_to_the_actors_page_first_mention_only() -> None:
    html = link("<p>Zelenskiy spoke. Later Zelenskiy and Volodymyr Zelensky spoke again.</p>")
    assert links(html) == [("/repo/actors/zelensky/", "Zelenskiy")]
    assert parse_html(html).text == ("Zelenskiy spoke. Later Zelenskiy and Volodymyr "
                                     "Zelensky spoke again.")


def test_longest_match_first() -> None:
    assert links(link("<p>President Vladimir Putin said; Putin added.</p>")) == [
        ("/repo/actors/putin/", "Vladimir Putin")]


def test_whole_words_and_case_sensitive() -> None:
    assert links(link("<p>Putinism, putin and PUTIN are not the man.</p>")) == []
    assert links(link("<p>Putin’s aides; (Putin)</p>")) == [("/repo/actors/putin/", "Putin")]


def test_never_inside_links_code_pre_or_headings() -> None:
    html = link(
        '<h2 id="putin-speaks">Putin speaks</h2>'
        '<p><a href="https://example.org/">Putin</a> <code>Putin</code></p>'
        "<pre><code>Putin</code></pre>"
        "<p><strong>Putin</strong> again</p>"
    )
    page = parse_html(html)
    assert page.find("h2").attrs["id"] == "putin-speaks"
    assert page.find("h2").text == "Putin speaks"
    assert not page.find("h2").find_all("a")
    assert [a.attrs["href"] for a in page.find_all("a")] == [
        "https://example.org/", "/repo/actors/putin/"]
    assert page.find("code").text == "Putin"
    assert not page.find("pre").find_all("a")
    # The first mention in running text gets the link, inside its <strong>.
    assert page.find("strong").find("a").attrs["class"] == "actor-link"


def test_attributes_are_never_rewritten() -> None:
    html = '<p><img alt="Putin at a desk" src="p.jpg" title="Putin"> caption</p>'
    assert link(html) == html


def test_smart_apostrophes_match_an_alias_written_with_a_straight_one() -> None:
    html = link("<p>Russia’s defense ministry said.</p>")
    assert links(html) == [("/repo/actors/mod/", "Russia’s defense ministry")]


def test_a_name_broken_across_lines_still_matches() -> None:
    html = link("<p>Vladimir\nPutin spoke.</p>")
    assert '<a class="actor-link" href="/repo/actors/putin/">Vladimir\nPutin</a>' in html


def test_a_spelling_shared_by_two_actors_links_to_neither() -> None:
    other = Actor("other", "Other Putin", "person", "X", ("Putin",), "")
    html = link("<p>Putin and Vladimir Putin.</p>", {**REGISTRY, "other": other})
    assert links(html) == [("/repo/actors/putin/", "Vladimir Putin")]


def test_text_is_escaped_again_and_entities_kept_as_text() -> None:
    html = link("<p>a &lt;b&gt; &amp; Putin</p>")
    assert html == ('<p>a &lt;b&gt; &amp; <a class="actor-link" href="/repo/actors/putin/">'
                    "Putin</a></p>")


def test_empty_registry_leaves_the_body_alone() -> None:
    assert link("<p>Putin</p>", {}) == "<p>Putin</p>"


@given(st.lists(st.sampled_from(["Putin", " ", "x", "<b>Putin</b>", "&amp;", "Zelensky",
                                 "<code>Putin</code>", "\n", '<a href="#">Zelensky</a>']),
                max_size=30))
def test_only_links_are_added(parts: list[str]) -> None:
    html = "<p>" + "".join(parts) + "</p>"
    linked = link(html)
    # The text is unchanged; at most one link per actor, never inside another link.
    assert parse_html(linked).text == parse_html(html).text
    assert not any(a.find_all("a") for a in parse_html(linked).find_all("a"))
    hrefs = [href for href, _ in links(linked)]
    assert len(hrefs) == len(set(hrefs))


def test_briefing_body_links_alias_in_a_built_page(scratch_site: ScratchSite) -> None:
    body = ("First `Alpha` in code and [Alpha](https://example.org/a) in a link.\n\n"
            "Then Alpha spoke, and Alpha spoke again. Alphabet is not a name.\n\n"
            "## Alpha in a heading\n\nAnd the Bravo Ministry replied.\n")
    scratch_site.write(BRIEFING_PATH,
                       BRIEFING.replace("The body of the first briefing.\n", body))
    scratch_site.build_ok()

    page = scratch_site.page()
    report = page.find("section", class_="body")
    actor_links = report.find_all("a", class_="actor-link")
    assert [(a.attrs["href"], a.text) for a in actor_links] == [
        ("/briefs/actors/alpha/", "Alpha"), ("/briefs/actors/bravo-ministry/", "Bravo Ministry")]
    first_paragraph, second = report.find_all("p")[:2]
    assert not first_paragraph.find_all("a", class_="actor-link")
    assert second.find("a", class_="actor-link").text == "Alpha"
    # The link leads to a page that exists.
    assert (scratch_site.out / "actors/alpha/index.html").is_file()


def test_a_name_glued_to_a_word_is_passed_over_but_a_name_inside_it_is_not() -> None:
    # "XVladimir Putin" is no mention of Vladimir Putin, yet its "Putin" is a
    # whole word: the search resumes inside the rejected match.
    assert links(link("<p>XVladimir Putin said.</p>")) == [("/repo/actors/putin/", "Putin")]
    assert links(link("<p>Vladimir Putin; _Putin</p>")) == [
        ("/repo/actors/putin/", "Vladimir Putin")]
    assert links(link("<p>ЯPutin, then Putin.</p>")) == [("/repo/actors/putin/", "Putin")]
