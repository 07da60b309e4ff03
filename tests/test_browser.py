"""The writer's loop in a real browser: save, and the open page follows.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, installed by
``make test`` when missing); no browser is ever downloaded. A missing
Chromium fails the test rather than skipping it, so CI cannot pass without
having run it. After the page is opened, the test never touches the browser:
every change on screen comes from the server's reload events.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BRIEFING, BRIEFING_PATH, ScratchSite, briefing
from playwright.sync_api import Browser, expect, sync_playwright

from briefgen.serve import PreviewServer

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGE_PATH = "/briefs/briefings/2025-04-06-first/"
TIMEOUT_MS = 10_000


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert CHROMIUM.is_file(), (
        f"{CHROMIUM} is missing: install Debian's chromium (make test does: "
        "apt-get install chromium); the browser tests never download one.")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def server(scratch_site: ScratchSite) -> Iterator[PreviewServer]:
    scratch_site.write("content/briefings/2025-03-01-second.md",
                       briefing(title="Second briefing", date="2025-03-01"))
    with PreviewServer(scratch_site.root, port=0, debounce=0.02) as preview:
        yield preview


def status_of(server: PreviewServer, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


def test_the_open_page_follows_every_save(
        browser: Browser, server: PreviewServer, scratch_site: ScratchSite) -> None:
    origin = f"http://127.0.0.1:{server.port}"
    page = browser.new_page()
    try:
        page.goto(origin + PAGE_PATH)
        expect(page.locator("main h1").first).to_have_text("First briefing")
        overlay = page.locator("#briefgen-overlay")

        # 1. Edit the title on disk: the page shows it, with no action here.
        scratch_site.write(BRIEFING_PATH, BRIEFING.replace("title: First briefing",
                                                           "title: Edited on disk"))
        expect(page.locator("main h1").first).to_have_text("Edited on disk",
                                                           timeout=TIMEOUT_MS)

        # 2. Break the front matter: the overlay names the file and the line.
        scratch_site.write(BRIEFING_PATH, BRIEFING.replace("date: 2025-04-06\n",
                                                           "date: 2025-13-45\n", 1))
        expect(overlay).to_be_visible(timeout=TIMEOUT_MS)
        expect(overlay.locator(".briefgen-error").first).to_contain_text(f"{BRIEFING_PATH}:3")
        expect(page.locator("main h1").first).to_have_text("Edited on disk")  # last good

        # 3. Fix it: the overlay goes and the page is current.
        scratch_site.write(BRIEFING_PATH, BRIEFING.replace("title: First briefing",
                                                           "title: Fixed and current"))
        expect(overlay).to_have_count(0, timeout=TIMEOUT_MS)
        expect(page.locator("main h1").first).to_have_text("Fixed and current",
                                                           timeout=TIMEOUT_MS)

        # 4. Delete the briefing: the open page turns into the 404 page, its URL
        # answers 404 and the index no longer lists it.
        scratch_site.remove(BRIEFING_PATH)
        expect(page.locator("main h1").first).to_have_text("Page not found",
                                                           timeout=TIMEOUT_MS)
        assert status_of(server, PAGE_PATH) == 404
        page.goto(origin + "/briefs/")
        links = page.locator("main a").evaluate_all("els => els.map(e => e.pathname)")
        assert "/briefs/briefings/2025-03-01-second/" in links
        assert PAGE_PATH not in links
    finally:
        page.close()
