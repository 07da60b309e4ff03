"""``briefgen serve``: build, serve under the base URL's path, watch, rebuild, reload.

:class:`PreviewServer` ties four parts together: a :class:`Rebuilder` keeping
a private output folder equal to a clean build, a :class:`Watcher` calling it
once per burst of source changes, a :class:`LiveState` that open pages follow
over Server-Sent Events, and a threaded HTTP server serving the folder as
GitHub Pages would (under ``base_url``'s path, with the site's own 404 page).

A failed rebuild never stops the server or touches the served folder: the
last good site stays up, and its errors go to the terminal and to an overlay
on every open page (Zola's error injection, MkDocs' serving after a failed
build since b6ff158d).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from pathlib import Path

from briefgen.buildcheck import BuildOptions
from briefgen.config import load_config
from briefgen.errors import BriefgenError, BuildError, ContentError
from briefgen.httpd import PreviewHandler
from briefgen.incremental import Rebuilder, RebuildSummary
from briefgen.livereload import LiveState
from briefgen.watcher import Watcher

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class ServeError(BriefgenError):
    """The server cannot start (a port in use, an address that cannot be bound)."""


class _Server(ThreadingHTTPServer):
    # Join the request threads on close, so stopping leaves nothing running;
    # every request thread ends quickly because event streams end when the
    # LiveState closes and idle sockets time out (PreviewHandler.timeout).
    daemon_threads = False
    block_on_close = True


class PreviewServer:
    """The preview server; use as a context manager or call start() and stop()."""

    def __init__(
        self,
        site_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        drafts: bool = False,
        poll: bool = False,
        debounce: float = 0.05,
    ) -> None:
        self.site_dir = site_dir
        self.host = host
        self.port = port
        self.drafts = drafts
        self.poll = poll
        self.debounce = debounce
        self.state = LiveState()
        self.base_path = "/"
        """The path part of base_url; pages are served under it."""
        self.out_dir: Path | None = None
        self.lock = threading.Lock()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._watcher: Watcher | None = None
        self.rebuilder: Rebuilder | None = None
        self.last_summary: RebuildSummary | None = None
        """The last successful rebuild (for the terminal line and the benchmark)."""

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.base_path}"

    def start(self) -> None:
        """Bind, build, serve and watch; raises :class:`ServeError` when the port is taken."""
        self._httpd = self._bind()
        self.port = self._httpd.server_address[1]
        try:
            self.out_dir = Path(tempfile.mkdtemp(prefix="briefgen-serve-"))
            self.rebuilder = Rebuilder(
                BuildOptions(self.site_dir, self.out_dir, drafts=self.drafts), self.lock,
                on_quick=self._quick_done)
            with contextlib.suppress(BriefgenError):
                self.base_path = load_config(self.site_dir).base_path
            self.rebuild(None)
            self._watcher = Watcher(self.site_dir, self.rebuild, out_dir=self.out_dir,
                                    poll=self.poll, debounce=self.debounce)
            self._watcher.start()
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            kwargs={"poll_interval": 0.1},
                                            name="briefgen-http", daemon=True)
            self._thread.start()
        except BaseException:
            self.stop()
            raise

    def _bind(self) -> _Server:
        handler = PreviewHandler.bound_to(self)
        try:
            return _Server((self.host, self.port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(
                    f"port {self.port} is already in use on {self.host}: stop the program "
                    f"using it or choose another port, e.g. --port {self.port + 1}."
                ) from None
            raise ServeError(f"cannot serve on {self.host}:{self.port}: {exc.strerror}.") from None

    def stop(self) -> None:
        """Stop watching (letting a rebuild in progress finish), then serving."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        self.state.close()
        if self._httpd is not None:
            if self._thread is not None:
                self._httpd.shutdown()
                self._thread.join(timeout=10)
                self._thread = None
            self._httpd.server_close()
            self._httpd = None
        if self.out_dir is not None:
            with self.lock:
                shutil.rmtree(self.out_dir, ignore_errors=True)
            self.out_dir = None

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def rebuild(self, changed: set[Path] | None) -> None:
        """Rebuild, report to the terminal and to open pages; never raises for content."""
        assert self.rebuilder is not None
        try:
            summary = self.rebuilder.rebuild(changed)
        except BuildError as exc:
            self._failed(exc.errors)
            return
        except BriefgenError as exc:
            self._failed([ContentError(Path("briefgen.yaml"), 0, 0, exc.format())])
            return
        except Exception as exc:  # a bug must not take the preview down with it
            log.exception("rebuild failed")
            self._failed([ContentError(Path("."), 0, 0, f"internal error: {exc!r}")])
            return
        self.base_path = summary.base_path
        self.last_summary = summary
        log.info("rebuilt %s", summary.line())
        if summary.late:
            self.state.site_changed(list(summary.late))
        else:
            self.state.set_errors([])

    def _quick_done(self, written: list[str], ms: float) -> None:
        """The saved briefings' pages are written: reload them now, not after the whole site."""
        log.debug("first phase: %s in %.0f ms", ", ".join(written), ms)
        self.state.site_changed(written)

    def _failed(self, errors: list[ContentError]) -> None:
        count = len(errors)
        log.error("rebuild failed with %d error%s; still serving the last good build:\n%s",
                  count, "" if count == 1 else "s", "\n".join(e.format() for e in errors))
        self.state.set_errors([e.as_dict() for e in errors])


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def run(server: PreviewServer, announce: Callable[[str], None]) -> None:
    """Serve until Ctrl-C, then stop cleanly (``briefgen serve``)."""
    if threading.current_thread() is threading.main_thread():
        # `kill` and service managers stop with SIGTERM: stop as cleanly as on Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.start()
        announce(f"Serving {server.site_dir} at {server.url} (Ctrl-C to stop)")
        threading.Event().wait()
    except KeyboardInterrupt:
        announce("Stopping: finishing any rebuild in progress…")
    finally:
        server.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
