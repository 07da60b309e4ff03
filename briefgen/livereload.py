"""Live reload: the state the browser follows and the script that follows it.

The server keeps one :class:`LiveState`: the version of the site being
served and the errors of the last rebuild. Every open page holds a
Server-Sent Events stream (a plain HTTP response that never ends, so no
WebSocket library and no browser extension) and receives the state whenever
it changes. The page knows the version it was served at, because the script
is injected into each HTML response when it is served; it reloads when the
version moves on, and shows the errors in an overlay while there are any.
Nothing of this ever reaches the files on disk or ``briefgen build``.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field

EVENTS_PATH = "/__briefgen__/events"


@dataclass(frozen=True, slots=True)
class Snapshot:
    generation: int
    """Changes whenever anything below changes; streams wait on it."""
    version: str
    """The served site's version; moves on when a rebuild changes any file."""
    errors: tuple[dict[str, object], ...]
    """``ContentError.as_dict()`` of the last rebuild when it failed, else empty."""

    def to_json(self, reload: bool) -> str:
        return json.dumps({"version": self.version, "errors": list(self.errors),
                           "reload": reload})


RELOAD_ALL_SUFFIXES = (".css", ".js", ".svg", ".png", ".jpg", ".jpeg", ".webp", ".woff2")
"""Files any page may use: when one changes, every page reloads."""


@dataclass(slots=True)
class LiveState:
    """Shared by the rebuild thread (writer) and every event stream (readers).

    It remembers when each page last changed, so a stream tells its page to
    reload only when that page (or a stylesheet, or a script) changed since
    the page was served: saving one briefing reloads its page, not every
    open tab, and the second phase of a rebuild does not reload it again.
    """

    _boot: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    _snapshot: Snapshot = field(default_factory=lambda: Snapshot(0, "", ()))
    _changed_at: dict[str, int] = field(default_factory=dict)
    _everything_at: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _closed: bool = False

    def __post_init__(self) -> None:
        # A version unique to this server run: a page left open across a
        # restart of `briefgen serve` must not mistake an old number for current.
        self._snapshot = Snapshot(0, f"{self._boot}-0", ())

    @property
    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snapshot

    def site_changed(self, paths: list[str]) -> None:
        """Files (output paths) were written or removed by a successful rebuild."""
        with self._cond:
            s = self._snapshot
            generation = s.generation + 1
            for path in paths:
                if path.endswith(RELOAD_ALL_SUFFIXES):
                    self._everything_at = generation
                self._changed_at[path] = generation
            self._snapshot = Snapshot(generation, f"{self._boot}-{generation}", ())
            self._cond.notify_all()

    def set_errors(self, errors: list[dict[str, object]]) -> None:
        """A rebuild failed (``errors``) or succeeded without changing files (``[]``)."""
        with self._cond:
            s = self._snapshot
            if s.errors != tuple(errors):
                self._snapshot = Snapshot(s.generation + 1, s.version, tuple(errors))
                self._cond.notify_all()

    def needs_reload(self, page: str | None, version: str) -> bool:
        """Whether a page (its output file, ``None`` if unknown) served at ``version`` is stale."""
        boot, _, number = version.partition("-")
        if boot != self._boot or not number.isdigit():
            return True  # served by another run of the server
        since = int(number)
        with self._cond:
            return (self._everything_at > since
                    or (page is None and self._snapshot.version != version)
                    or (page is not None and self._changed_at.get(page, 0) > since))

    def wait(self, after: int, timeout: float) -> Snapshot | None:
        """The snapshot once its generation differs from ``after`` (or at timeout);
        ``None`` once closed."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._snapshot.generation != after,
                                timeout)
            return None if self._closed else self._snapshot

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


SCRIPT = """<script data-briefgen-live>
(() => {
  const served = %(version)s;
  const box = () => document.getElementById("briefgen-overlay");
  function show(errors) {
    let el = box();
    if (!errors.length) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement("div");
      el.id = "briefgen-overlay";
      el.setAttribute("role", "alert");
      el.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
        "background:rgba(20,20,20,.94);color:#fff;font:14px/1.5 ui-monospace,monospace;" +
        "padding:2rem";
      document.body.appendChild(el);
    }
    const title = document.createElement("h2");
    title.textContent = "The last rebuild failed; the page shows the last good build.";
    title.style.cssText = "color:#ff8080;font-size:1.1rem;margin:0 0 1rem";
    const items = errors.map((e) => {
      const item = document.createElement("pre");
      item.className = "briefgen-error";
      item.style.cssText = "white-space:pre-wrap;margin:0 0 .75rem";
      item.textContent = e.text;
      return item;
    });
    el.replaceChildren(title, ...items);
  }
  const query = new URLSearchParams({version: served, page: location.pathname});
  const events = new EventSource(%(events)s + "?" + query);
  events.addEventListener("state", (message) => {
    const state = JSON.parse(message.data);
    if (state.reload) { events.close(); location.reload(); return; }
    show(state.errors);
  });
})();
</script>
"""


def live_script(version: str) -> bytes:
    """The script for a page served at ``version``."""
    return (SCRIPT % {"version": json.dumps(version),
                      "events": json.dumps(EVENTS_PATH)}).encode("utf-8")


def inject(html: bytes, script: bytes) -> bytes:
    """``html`` with ``script`` before its last ``</body>`` (or at its end)."""
    at = html.lower().rfind(b"</body>")
    return html + script if at < 0 else html[:at] + script + html[at:]
