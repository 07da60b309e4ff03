"""Preview latency: save → page served, save → reload event, and both rebuild phases.

Generates a site (``--corpus small``: :mod:`bench.corpus`, short briefings;
``--corpus newsroom``: :mod:`bench.newsroom`, newsroom-scale ones) of each
size in ``--sizes``, starts the preview server in-process on a free loopback
port, listens to its reload events like a browser does, then saves one
briefing again and again (a new title each time) and prints, as medians of
the saves:

- save → reload event: until the Server-Sent Events stream announces the new
  version (what an open page waits for before reloading);
- save → page served: until a GET of the page returns the new title;
- rebuild, quick phase: until the saved briefing's own page was rendered
  and written (what the reload waits for), as the server reports it;
- rebuild, full phase: until every page across briefings (home, chronology,
  actors, places, tags, feeds, data) was rendered and synced too, and how
  long each of its stages took.

With ``--keep DIR`` generated sites stay in ``DIR`` and are reused by the
next run (a 10,000-briefing newsroom corpus takes about a minute to write);
the saved briefing is put back as it was at the end.

Run: ``.venv/bin/python bench/serve_latency.py --corpus newsroom --sizes 1000,10000``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus, newsroom
from briefgen.livereload import EVENTS_PATH
from briefgen.serve import PreviewServer

TITLE = re.compile(r"^title: .*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Edited:
    """The briefing the benchmark saves, and its page's path under the site root."""

    source: Path
    page: str

    def with_title(self, original: str, title: str) -> str:
        return TITLE.sub(lambda _: f'title: "{title}"', original, count=1)


def make_site(kind: str, folder: Path, count: int) -> Edited:
    """Generate (unless already there) a site of ``count`` briefings; the one to save."""
    done = folder / ".generated"
    if kind == "small":
        if not done.exists():
            corpus.generate(folder, count)
        index = count // 2
        source = folder / corpus.briefing_path(index)
    else:
        if not done.exists():
            newsroom.write_site(folder, count)
        source = sorted((folder / "content" / "briefings").glob("*.md"))[count // 2]
    done.touch()
    return Edited(source, f"briefings/{source.stem}/")


def open_stream(port: int, page: str, version: str) -> http.client.HTTPResponse:
    """The event stream as the script of ``page``, served at ``version``, opens it."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
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
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


def measure(kind: str, folder: Path, count: int, saves: int) -> None:
    started = time.perf_counter()
    edited = make_site(kind, folder, count)
    print(f"{kind} corpus, {count} briefings: ready in {time.perf_counter() - started:.1f} s")
    original = edited.source.read_text(encoding="utf-8")
    started = time.perf_counter()
    server = PreviewServer(folder, port=0)
    server.start()
    print(f"  first build {time.perf_counter() - started:.1f} s "
          f"({server.last_summary.pages if server.last_summary else 0} files)")
    page = f"{server.base_path}{edited.page}"
    to_event, to_served, quick, full = [], [], [], []
    stages: dict[str, list[float]] = {}
    try:
        for n in range(saves):
            title = f"Edited title number {n} {random.randrange(10**9)}"
            text = edited.with_title(original, title)
            stream = open_stream(server.port, page, server.state.snapshot.version)
            assert next_state(stream)["reload"] is False
            arrived: queue.Queue[float] = queue.Queue()
            threading.Thread(target=watch_for_reload, args=(stream, arrived),
                             daemon=True).start()
            before = server.last_summary
            saved = time.perf_counter()
            edited.source.write_text(text, encoding="utf-8")
            while title.encode() not in get(server.port, page):
                if time.perf_counter() - saved > 60:
                    raise SystemExit("the page did not change within 60 s")
                time.sleep(0.002)
            to_served.append(time.perf_counter() - saved)
            to_event.append(arrived.get(timeout=60) - saved)
            stream.close()
            while server.last_summary is before:  # the full phase, to its end
                time.sleep(0.01)
            summary = server.last_summary
            assert summary is not None
            quick.append((summary.quick_ms or summary.ms) / 1000)
            full.append(summary.ms / 1000)
            for name, seconds in summary.stages:
                stages.setdefault(name, []).append(seconds)
            time.sleep(0.3)  # let the watcher settle: one save per rebuild
    finally:
        server.stop()
        edited.source.write_text(original, encoding="utf-8")
    report("save → page served", to_served)
    report("save → reload event", to_event)
    report("rebuild, quick phase", quick)
    report("rebuild, full phase", full)
    for name, seconds in stages.items():
        report(f"  of which {name}", seconds)


def report(label: str, seconds: list[float]) -> None:
    ms = sorted(s * 1000 for s in seconds)
    print(f"  {label:26} median {statistics.median(ms):7.1f} ms   "
          f"min {ms[0]:7.1f}   max {ms[-1]:7.1f}   (n={len(ms)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=("small", "newsroom"), default="newsroom")
    parser.add_argument("--sizes", default="1000",
                        help="comma-separated briefing counts, e.g. 1000,10000")
    parser.add_argument("--saves", type=int, default=15)
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder to keep generated sites in and reuse them from")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        root = args.keep or Path(tmp)
        for count in sizes:
            measure(args.corpus, root / f"{args.corpus}-{count}", count, args.saves)


if __name__ == "__main__":
    main()
