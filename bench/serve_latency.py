"""Preview latency on 1,000 briefings: save → page served, save → reload event, rebuild.

Generates a site with :mod:`bench.corpus` in a temporary folder, starts the
preview server in-process on a free loopback port, listens to its reload
events like a browser does, then saves one briefing again and again (a new
title each time) and measures, per save:

- save → reload event: until the Server-Sent Events stream announces the new
  version (what an open page waits for before reloading);
- save → page served: until a GET of the page returns the new title;
- rebuild, first phase: until the saved briefing's own page was rendered
  and written (what the reload waits for), as the server reports it;
- rebuild, whole site: until every page across briefings (home, chronology,
  actors, places, tags, feeds, data) was rendered and synced too.

Run: ``.venv/bin/python bench/serve_latency.py [--briefings 1000] [--saves 20]``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import briefing_path, briefing_text, generate
from briefgen.livereload import EVENTS_PATH
from briefgen.serve import PreviewServer

EDITED = 500


def open_stream(port: int, page: str, version: str) -> http.client.HTTPResponse:
    """The event stream as the script of ``page``, served at ``version``, opens it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", f"{EVENTS_PATH}?{urlencode({'version': version, 'page': page})}")
    return conn.getresponse()


def next_state(stream: http.client.HTTPResponse) -> dict[str, object]:
    while True:
        line = stream.fp.readline().decode()
        if not line:
            raise SystemExit("the event stream ended")
        if line.startswith("data:"):
            return json.loads(line[5:])  # type: ignore[no-any-return]


def watch_for_reload(stream: http.client.HTTPResponse, arrived: queue.Queue[float]) -> None:
    """Put the arrival time of the event telling the page to reload."""
    while not next_state(stream)["reload"]:
        pass
    arrived.put(time.perf_counter())


def get(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


def measure(count: int, saves: int) -> None:
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        root = generate(Path(tmp) / "site", count)
        started = time.perf_counter()
        server = PreviewServer(root, port=0)
        server.start()
        print(f"{count} briefings; first build {time.perf_counter() - started:.1f} s "
              f"({server.last_summary.pages if server.last_summary else 0} files)")
        page = f"{server.base_path}briefings/b-{EDITED:04d}/"
        to_event, to_served, quick, rebuild = [], [], [], []
        try:
            for n in range(saves):
                title = f"Edited title number {n}"
                text = briefing_text(EDITED, random.Random(EDITED), title=title)
                stream = open_stream(server.port, page, server.state.snapshot.version)
                assert next_state(stream)["reload"] is False
                arrived: queue.Queue[float] = queue.Queue()
                threading.Thread(target=watch_for_reload, args=(stream, arrived),
                                 daemon=True).start()
                before = server.last_summary
                saved = time.perf_counter()
                (root / briefing_path(EDITED)).write_text(text, encoding="utf-8")
                while title.encode() not in get(server.port, page):
                    if time.perf_counter() - saved > 30:
                        raise SystemExit("the page did not change within 30 s")
                    time.sleep(0.002)
                to_served.append(time.perf_counter() - saved)
                to_event.append(arrived.get(timeout=30) - saved)
                stream.close()
                while server.last_summary is before:  # the second phase, to its end
                    time.sleep(0.01)
                summary = server.last_summary
                assert summary is not None
                quick.append((summary.quick_ms or summary.ms) / 1000)
                rebuild.append(summary.ms / 1000)
                time.sleep(0.3)  # let the watcher settle: one save per rebuild
        finally:
            server.stop()
    report("save → reload event", to_event)
    report("save → page served", to_served)
    report("rebuild, first phase", quick)
    report("rebuild, whole site", rebuild)


def report(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(f"{label:22} median {statistics.median(ms):6.1f} ms   "
          f"min {ms[0]:6.1f}   max {ms[-1]:6.1f}   (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--briefings", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    measure(args.briefings, args.saves)


if __name__ == "__main__":
    main()
