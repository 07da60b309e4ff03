"""The preview server's request handler: static files as GitHub Pages serves them.

Pages are served under the path of ``base_url`` (MkDocs' ``mount_path``), so
a link that works in preview works when published; ``/`` redirects there.
Folders answer with their ``index.html`` (and a slash is added by redirect,
as Pages does), missing files with the site's own ``404.html`` and status 404,
and every response carries ``Cache-Control: no-store`` so a browser never
shows a page from before the last rebuild.

Request paths are checked before any file is touched: ``..`` and ``.``
segments, empty segments (``//etc/passwd``), backslashes, NUL and
percent-encoded dots, slashes and backslashes are refused with 400, and a
path whose resolved form (symlinks followed) leaves the output folder is
answered 404 — the traversals MkDocs fixed in 57540911 and Zola in 208c506e.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qs, unquote

from briefgen.livereload import EVENTS_PATH, inject, live_script
from briefgen.writer import TEMP_SUFFIX

if TYPE_CHECKING:
    from briefgen.serve import PreviewServer

log = logging.getLogger(__name__)

FORBIDDEN_ESCAPES = re.compile(r"%(2e|2f|5c|00)", re.IGNORECASE)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}
KEEPALIVE_SECONDS = 10.0
NOT_FOUND = (b"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Not found</title>"
             b"</head><body><h1>Not found</h1></body></html>\n")


class BadPath(Exception):
    """The request path is refused (400) before any file is looked at."""


def content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def split_target(target: str) -> list[str]:
    """The segments of a path below the base path; raises :class:`BadPath`."""
    if "\\" in target or "\0" in target or FORBIDDEN_ESCAPES.search(target):
        raise BadPath("backslashes, NUL and encoded dots or slashes are not allowed")
    parts = unquote(target, errors="strict").split("/")
    for i, part in enumerate(parts):
        if part in (".", "..") or (part == "" and i != len(parts) - 1):
            raise BadPath("relative or empty path segments are not allowed")
    return [p for p in parts if p]


def resolve_inside(root: Path, segments: list[str]) -> Path | None:
    """The file for ``segments`` under ``root`` or ``None``; never a path outside ``root``."""
    resolved = root.joinpath(*segments).resolve()
    if resolved != root and root not in resolved.parents:
        return None  # a symlink pointing out of the output folder
    if resolved.is_dir():
        index = (resolved / "index.html").resolve()
        return index if root in index.parents and index.is_file() else None
    if resolved.is_file() and not resolved.name.endswith(TEMP_SUFFIX):
        return resolved
    return None


def is_folder(root: Path, segments: list[str]) -> bool:
    resolved = root.joinpath(*segments).resolve()
    return root in resolved.parents and resolved.is_dir()


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves one request; the preview server's state comes from ``preview``."""

    preview: ClassVar[PreviewServer]
    server_version = "briefgen"
    timeout = 10.0  # idle sockets (browser preconnects) must not hold a thread forever

    @classmethod
    def bound_to(cls, preview: PreviewServer) -> type[PreviewHandler]:
        return type("BoundPreviewHandler", (cls,), {"preview": preview})

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, *, head: bool) -> None:
        target, _, query = self.path.partition("?")
        target = target.partition("#")[0]
        if target == EVENTS_PATH:
            params = parse_qs(query)
            self._events(head, self._page_file(params.get("page", [""])[0]),
                         params.get("version", [""])[0])
            return
        if not target.startswith("/"):
            self._send(HTTPStatus.BAD_REQUEST, b"absolute or relative request targets "
                       b"are not served\n", "text/plain; charset=utf-8", head)
            return
        base = self.preview.base_path
        if target in ("/", base.rstrip("/")) and target != base:
            self._redirect(base, head)
            return
        if not target.startswith(base):
            self._not_found(head)
            return
        try:
            segments = split_target(target[len(base):])
        except (BadPath, UnicodeDecodeError):
            self._send(HTTPStatus.BAD_REQUEST, b"bad request path\n",
                       "text/plain; charset=utf-8", head)
            return
        # The version is taken before the file is read, so a page is never
        # newer than the version it claims (at worst it reloads once more).
        version = self.preview.state.snapshot.version
        with self.preview.lock:
            # Read under the rebuild's lock: a page never mixes two builds.
            out_dir = self.preview.out_dir
            root = out_dir.resolve() if out_dir else None
            rebuilder = self.preview.rebuilder
            if root is not None and rebuilder is not None:
                # While a rebuild's second phase runs, only files it already
                # brought up to date are served; others wait for it.
                current = resolve_inside(root, segments)
                rebuilder.wait_current(current.relative_to(root).as_posix() if current else None)
            add_slash = (root is not None and bool(segments) and not target.endswith("/")
                         and is_folder(root, segments))
            found = None if add_slash or root is None else resolve_inside(root, segments)
            body = found.read_bytes() if found is not None else None
        if add_slash:
            self._redirect(target + "/" + (f"?{query}" if query else ""), head)
        elif found is None or body is None:
            self._not_found(head)
        else:
            self._send(HTTPStatus.OK, body, content_type(found), head, version)

    def _not_found(self, head: bool) -> None:
        version = self.preview.state.snapshot.version
        with self.preview.lock:
            page = self.preview.out_dir / "404.html" if self.preview.out_dir else None
            body = page.read_bytes() if page is not None and page.is_file() else NOT_FOUND
        self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", head, version)

    def _redirect(self, location: str, head: bool) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, ctype: str, head: bool,
              version: str = "") -> None:
        if ctype.startswith("text/html"):
            # Only here, at serve time: the files on disk stay a clean build's.
            body = inject(body, live_script(version))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _page_file(self, url_path: str) -> str | None:
        """The output file behind a page's URL path (``/base/x/`` → ``x/index.html``)."""
        base = self.preview.base_path
        if not url_path.startswith(base):
            return None
        try:
            segments = split_target(url_path[len(base):])
        except (BadPath, UnicodeDecodeError):
            return None
        if url_path.endswith("/"):
            segments.append("index.html")
        return "/".join(segments)

    def _events(self, head: bool, page: str | None, version: str) -> None:
        """A Server-Sent Events stream of the live state, until the client or server goes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        state = self.preview.state
        try:
            self.wfile.write(b"retry: 500\n\n")
            generation = -1
            while True:
                snapshot = state.wait(generation, KEEPALIVE_SECONDS)
                if snapshot is None:
                    return
                if snapshot.generation == generation:
                    self.wfile.write(b": keep-alive\n\n")  # finds clients that left
                else:
                    generation = snapshot.generation
                    data = snapshot.to_json(state.needs_reload(page, version))
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                self.wfile.flush()
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            return
