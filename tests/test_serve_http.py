"""The preview server over real HTTP on loopback: paths, types, 404s, HEAD, traversal, events.

Requests go through ``http.client`` or a raw socket, never through a client
that normalises paths, so ``..`` and encoded dots reach the server as an
attacker would send them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import (
    BRIEFING,
    BRIEFING_PATH,
    ScratchSite,
    assert_clean_failure,
    briefing,
    invoke,
    parse_html,
)

from briefgen.livereload import EVENTS_PATH
from briefgen.serve import PreviewServer, ServeError, is_loopback

BASE = "/briefs/"  # the path of base_url in the scratch site's config
PAGE = BASE + "briefings/2025-04-06-first/"


@pytest.fixture
def server(scratch_site: ScratchSite) -> Iterator[PreviewServer]:
    with PreviewServer(scratch_site.root, port=0, debounce=0.02) as preview:
        yield preview


def request(server: PreviewServer, path: str, method: str = "GET") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request(method, path)
    response = conn.getresponse()
    response.read_body = response.read()  # type: ignore[attr-defined]
    conn.close()
    return response


def raw_request(server: PreviewServer, target: str) -> tuple[int, bytes]:
    """Send ``GET target`` byte for byte; returns status and body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def body(response: http.client.HTTPResponse) -> bytes:
    return response.read_body  # type: ignore[attr-defined, no-any-return]


def test_root_redirects_to_the_base_path(server: PreviewServer) -> None:
    response = request(server, "/")
    assert response.status == 302
    assert response.getheader("Location") == BASE
    assert server.url == f"http://127.0.0.1:{server.port}{BASE}"


def test_pages_are_served_under_the_base_path(server: PreviewServer) -> None:
    response = request(server, PAGE)
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.getheader("Cache-Control") == "no-store"
    page = parse_html(body(response).decode())
    assert page.find("h1").text == "First briefing"
    home = parse_html(body(request(server, BASE)).decode())
    links = [a.attrs["href"] for a in home.find_all("a")]
    assert PAGE in links  # links in the served site work in the served site


def test_live_script_is_injected_only_when_serving(server: PreviewServer) -> None:
    served = parse_html(body(request(server, PAGE)).decode())
    scripts = [s for s in served.find_all("script") if "data-briefgen-live" in s.attrs]
    assert len(scripts) == 1
    assert server.out_dir is not None
    on_disk = (server.out_dir / "briefings/2025-04-06-first/index.html").read_text()
    assert "data-briefgen-live" not in on_disk
    assert EVENTS_PATH not in on_disk


def test_folder_without_slash_redirects(server: PreviewServer) -> None:
    response = request(server, PAGE.rstrip("/"))
    assert response.status == 302
    assert response.getheader("Location") == PAGE


def test_content_types(server: PreviewServer) -> None:
    css = request(server, BASE + "static/style.css")
    assert css.status == 200
    assert css.getheader("Content-Type") == "text/css; charset=utf-8"
    assert b"data-briefgen-live" not in body(css)  # only HTML gets the script


def test_missing_page_is_the_sites_404_with_status_404(server: PreviewServer) -> None:
    response = request(server, BASE + "no/such/page/")
    assert response.status == 404
    assert response.getheader("Cache-Control") == "no-store"
    assert parse_html(body(response).decode()).find("h1").text == "Page not found"
    assert request(server, "/elsewhere/").status == 404


def test_head_has_get_headers_and_no_body(server: PreviewServer) -> None:
    get, head = request(server, PAGE), request(server, PAGE, "HEAD")
    assert head.status == 200
    assert body(head) == b""
    assert head.getheader("Content-Length") == get.getheader("Content-Length")
    assert int(get.getheader("Content-Length") or 0) == len(body(get))
    assert request(server, BASE + "nothing", "HEAD").status == 404


@pytest.mark.parametrize("target", [
    BASE + "../briefgen.yaml",
    BASE + "static/../../briefgen.yaml",
    BASE + "%2e%2e/briefgen.yaml",
    BASE + "%2E%2E/%2E%2E/etc/passwd",
    BASE + "..%2fbriefgen.yaml",
    BASE + "static%2f..%2f..%2fbriefgen.yaml",
    BASE + "..\\briefgen.yaml",
    BASE + "%5c..%5cbriefgen.yaml",
    BASE + "/etc/passwd",
    "//etc/passwd",
    BASE + "%00",
    "http://localhost/etc/passwd",
    "etc/passwd",
])
def test_no_request_reads_outside_the_output(server: PreviewServer, target: str) -> None:
    status, content = raw_request(server, target)
    assert status in (400, 404), (target, status)
    assert b"root:" not in content
    assert b"base_url" not in content  # briefgen.yaml sits beside the output


def test_symlinks_out_of_the_output_are_not_followed(
        server: PreviewServer, scratch_site: ScratchSite) -> None:
    assert server.out_dir is not None
    (server.out_dir / "leak.txt").symlink_to(scratch_site.root / "briefgen.yaml")
    (server.out_dir / "leakdir").symlink_to(scratch_site.root / "content")
    for target in (BASE + "leak.txt", BASE + "leakdir/actors.yaml", BASE + "leakdir/"):
        status, content = raw_request(server, target)
        assert status == 404, target
        assert b"base_url" not in content and b"Alex Alpha" not in content


def read_event(stream: http.client.HTTPResponse, deadline: float) -> dict[str, object]:
    """The next ``state`` event's data; fails after ``deadline``."""
    event = ""
    while time.monotonic() < deadline:
        line = stream.fp.readline().decode()
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "state":
            return json.loads(line.split(":", 1)[1])  # type: ignore[no-any-return]
    raise AssertionError("no state event before the deadline")


def read_until(stream: http.client.HTTPResponse, done: Callable[[dict[str, object]], bool],
               seconds: float = 5) -> list[dict[str, object]]:
    """Events until one satisfies ``done`` (included); fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    seen = [read_event(stream, deadline)]
    while not done(seen[-1]):
        seen.append(read_event(stream, deadline))
    return seen


def open_events(server: PreviewServer, page: str, timeout: float = 10) -> tuple[
        http.client.HTTPConnection, http.client.HTTPResponse]:
    """An event stream as the script in ``page`` opens it, at the current version."""
    query = urlencode({"version": server.state.snapshot.version, "page": page})
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    conn.request("GET", f"{EVENTS_PATH}?{query}")
    stream = conn.getresponse()
    assert stream.getheader("Content-Type") == "text/event-stream"
    return conn, stream


def test_events_reload_changed_pages_and_carry_errors(
        server: PreviewServer, scratch_site: ScratchSite) -> None:
    conn, stream = open_events(server, PAGE)
    try:
        first = read_event(stream, time.monotonic() + 5)
        assert first["errors"] == [] and first["reload"] is False

        scratch_site.write(BRIEFING_PATH, BRIEFING.replace("title: First briefing",
                                                           "title: Renamed briefing"))
        read_until(stream, lambda e: e["reload"] is True)
        page = parse_html(body(request(server, PAGE)).decode())
        assert page.find("h1").text == "Renamed briefing"
    finally:
        conn.close()

    conn, stream = open_events(server, PAGE)
    try:
        assert read_event(stream, time.monotonic() + 5)["reload"] is False
        bad_date = BRIEFING.replace("date: 2025-04-06\n", "date: 2025-13-45\n", 1)
        scratch_site.write(BRIEFING_PATH, bad_date)
        broken = read_until(stream, lambda e: bool(e["errors"]))[-1]
        assert broken["reload"] is False  # the last good site stays up
        errors = broken["errors"]
        assert isinstance(errors, list)
        assert errors[0]["path"] == BRIEFING_PATH and errors[0]["line"] == 3
        assert errors[0]["text"].startswith(f"{BRIEFING_PATH}:3")
        assert request(server, PAGE).status == 200

        scratch_site.write(BRIEFING_PATH, BRIEFING)
        fixed = read_until(stream, lambda e: e["errors"] == [])[-1]
        assert fixed["reload"] is True
    finally:
        conn.close()


def test_saving_one_briefing_does_not_reload_other_briefings(
        server: PreviewServer, scratch_site: ScratchSite) -> None:
    scratch_site.write("content/briefings/2025-03-01-other.md", briefing(title="Other"))
    other = BASE + "briefings/2025-03-01-other/"
    deadline = time.monotonic() + 5
    while request(server, other).status != 200:
        assert time.monotonic() < deadline, "the new briefing was never served"
        time.sleep(0.02)
    conn, stream = open_events(server, other, timeout=1)
    try:
        assert read_event(stream, time.monotonic() + 5)["reload"] is False
        scratch_site.write(BRIEFING_PATH, BRIEFING.replace("The body", "A new body"))
        # Wait for the rebuild of this save: the whole-site phase of the other
        # briefing's creation may still be finishing, and its summary come first.
        deadline = time.monotonic() + 5
        while (server.last_summary is None
               or BRIEFING_PATH not in server.last_summary.changed):
            assert time.monotonic() < deadline, "no rebuild"
            time.sleep(0.02)
        assert "briefings/2025-04-06-first/index.html" in server.last_summary.written
        # Whatever events came, none told the other briefing's page to reload;
        # reading ends when no event comes for a second.
        with pytest.raises(TimeoutError):
            while True:
                assert read_event(stream, time.monotonic() + 1)["reload"] is False
    finally:
        conn.close()


def test_port_in_use_is_a_clear_error(scratch_site: ScratchSite) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"port {port} is already in use.*--port"):
            PreviewServer(scratch_site.root, port=port).start()
        result = invoke("serve", "--site", str(scratch_site.root), "--port", str(port))
        assert_clean_failure(result)
        assert f"port {port}" in result.stderr and "--port" in result.stderr


def test_a_broken_site_at_start_is_served_with_its_errors(scratch_site: ScratchSite) -> None:
    scratch_site.write(BRIEFING_PATH, "---\ntitle: [unclosed\n---\n")
    with PreviewServer(scratch_site.root, port=0, debounce=0.02) as server:
        snapshot = server.state.snapshot
        assert snapshot.errors and snapshot.errors[0]["path"] == BRIEFING_PATH
        response = request(server, BASE)
        assert response.status == 404
        assert b"data-briefgen-live" in body(response)  # so the overlay can show


def test_stop_ends_every_thread(scratch_site: ScratchSite) -> None:
    import threading

    before = set(threading.enumerate())
    with PreviewServer(scratch_site.root, port=0) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", EVENTS_PATH)
        stream = conn.getresponse()
        read_event(stream, time.monotonic() + 5)
        out_dir = server.out_dir
    conn.close()
    assert out_dir is not None and not out_dir.exists()
    deadline = time.monotonic() + 5
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not set(threading.enumerate()) - before


def test_scratch_site_path_is_unchanged(scratch_site: ScratchSite) -> None:
    # Serving never writes into the site folder (no site/ appears).
    with PreviewServer(scratch_site.root, port=0):
        pass
    assert not (scratch_site.root / "site").exists()
    assert sorted(p.name for p in Path(scratch_site.root).iterdir()) == [
        "briefgen.yaml", "content", "seeds"]


def test_ctrl_c_stops_the_command_cleanly(scratch_site: ScratchSite) -> None:
    """``briefgen serve`` as a user runs it: serves, then Ctrl-C ends it with status 0."""
    import os
    import re
    import signal
    import subprocess
    import sys

    # Started as from a terminal, where Ctrl-C reaches it. A shell without job
    # control starts background commands (a CI script's `make test &`) with
    # SIGINT ignored, and Python keeps an inherited "ignore"; so the child
    # restores the default before running the command line.
    start = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
             "from briefgen.cli import main; sys.argv[0] = 'briefgen'; main()")
    # PYTHONFAULTHANDLER: if it hangs, SIGABRT makes it print every thread's stack.
    with subprocess.Popen(
            [sys.executable, "-c", start, "serve", "--site", str(scratch_site.root),
             "--port", "0"], stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"}) as process:
        try:
            assert process.stderr is not None
            line = ""
            # Generous limits: a loaded CI machine starts and stops Python slowly.
            deadline = time.monotonic() + 60
            while "Serving" not in line:
                assert time.monotonic() < deadline and process.poll() is None, line
                line = process.stderr.readline()
            match = re.search(r"http://127\.0\.0\.1:(\d+)(/\S*)", line)
            assert match and match[2] == BASE
            conn = http.client.HTTPConnection("127.0.0.1", int(match[1]), timeout=5)
            conn.request("GET", BASE)
            assert conn.getresponse().status == 200
            conn.close()
            process.send_signal(signal.SIGINT)
            try:
                status = process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGABRT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
                process.kill()
                # What it printed after "Serving" says where stopping hung.
                pytest.fail("briefgen serve did not stop within 45 s of Ctrl-C; it printed:\n"
                            + process.stderr.read())
            assert status == 0
            assert "Traceback" not in process.stderr.read()
        finally:
            if process.poll() is None:
                process.kill()
    assert not (scratch_site.root / "site").exists()


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
