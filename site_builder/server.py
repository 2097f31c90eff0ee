"""The preview server: serves the current generation folder and pushes live-reload events (SPEC §6, §9).

Requests read the current generation through one reference, so a rebuild never makes them wait
and never shows a half-written page (mkdocs makes requests wait; STYLE §8.7).
"""

from __future__ import annotations

import errno
import json
import mimetypes
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .diagnostics import Diagnostic

LIVE_PREFIX = "/_sb/"
# Served at the root whatever the base path; the epoch lets a page catch up on events it missed.
_SCRIPT = '<script src="/_sb/live.js" data-epoch="{epoch}"></script>'
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_TYPES = {  # the common ones fixed here: mimetypes reads the machine's own tables for the rest
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
LIVE_JS = b"""(() => {
  const me = document.currentScript, es = new EventSource("/_sb/events?since=" + (me?.dataset.epoch ?? ""));
  const el = (tag, text) => Object.assign(document.createElement(tag), {textContent: text});
  const clear = () => document.getElementById("sb-overlay")?.remove();
  es.onopen = () => { window.__sbOpen = true; };
  es.addEventListener("reload", () => location.reload());
  es.addEventListener("ok", clear);
  es.addEventListener("css", () => document.querySelectorAll('link[rel="stylesheet"]').forEach((link) => {
    const url = new URL(link.href); url.searchParams.set("_sb", Date.now()); link.href = url.href;
  }));
  es.addEventListener("error", (e) => {
    if (!e.data) return;  // a dropped connection, not a build error: EventSource reconnects by itself
    clear();
    const o = Object.assign(el("div", ""), {id: "sb-overlay"}); o.setAttribute("role", "alert");
    o.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,20,.93);color:#fff;font:16px/1.5 monospace;white-space:pre-wrap";
    o.append(el("h2", "The site did not build"));
    for (const d of JSON.parse(e.data).diagnostics) {
      const where = d.line ? d.path + ":" + d.line : d.path;
      o.append(el("p", where + ": " + d.message + (d.hint ? "\\n  " + d.hint : "")));
    }
    o.append(el("p", "The page underneath is the last good build."));
    document.body.append(o);
  });
})();
"""


@dataclass(frozen=True, slots=True)
class Generation:
    """One complete build on disk and the URL path it is served under ("/" or "/repo/")."""

    folder: Path
    base_path: str = "/"


class Events:
    """Server-sent events: a Condition plus an epoch counter, with a short history for late clients."""

    KEEP = 64

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.epoch = 0
        self._history: list[tuple[int, str, str]] = []
        self.error: str | None = None  # the current error event's data, sent to every new client
        self.closed = False

    def publish(self, *events: tuple[str, str]) -> None:
        with self._cond:
            for name, data in events:
                self.epoch += 1
                self._history.append((self.epoch, name, data))
                if name == "error":
                    self.error = data
                elif name in ("ok", "reload"):
                    self.error = None
            del self._history[: -self.KEEP]
            self._cond.notify_all()

    def since(self, seen: int, timeout: float) -> tuple[int, list[tuple[int, str, str]]]:
        """Events after epoch ``seen``, waiting up to ``timeout``; a gap too old to replay is a reload."""
        with self._cond:
            self._cond.wait_for(lambda: self.epoch > seen or self.closed, timeout)
            if self.epoch > seen and (not self._history or self._history[0][0] > seen + 1):
                return self.epoch, [(self.epoch, "reload", "")]
            return self.epoch, [e for e in self._history if e[0] > seen]

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


def error_data(diagnostics: list[Diagnostic]) -> str:
    """The ``error`` event's data: what the overlay shows (file, line, message, hint)."""
    keep = ("path", "line", "message", "hint", "code")
    return json.dumps({"diagnostics": [{k: getattr(d, k) for k in keep} for d in diagnostics]})


class DevServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer (daemon threads) over whatever generation ``swap`` last installed."""

    request_queue_size = 64  # the default 5 drops connections when a page loads many assets at once

    def __init__(
        self,
        generation: Generation,
        host: str = "127.0.0.1",
        port: int = 0,
        on_busy: Callable[[int, int], None] | None = None,
        tries: int = 20,
    ) -> None:
        self.generation = generation
        self.events = Events()
        for offset in range(tries if port else 1):
            try:
                super().__init__((host, port + offset), _Handler)
                break
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE or offset == tries - 1:
                    raise
        if on_busy and self.server_address[1] != port and port:
            on_busy(port, self.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{self.generation.base_path}"

    def start(self) -> None:
        # a short poll interval so stop() (and each test's teardown) returns quickly
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), name="sb-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.events.close()  # ends every open event stream
        self.shutdown()
        self.server_close()

    def swap(self, generation: Generation) -> None:
        """Install a finished generation: one reference assignment, atomic for readers."""
        self.generation = generation


class _Handler(BaseHTTPRequestHandler):
    server: DevServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a request log on every page view would drown the rebuild lines

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        url = urlsplit(self.path)
        if url.path == LIVE_PREFIX + "live.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_JS, head)
        if url.path == LIVE_PREFIX + "events":
            return self._stream(parse_qs(url.query).get("since", [""])[0])
        epoch = self.server.events.epoch  # read before the generation: a late page then gets a reload
        gen = self.server.generation
        mount = gen.base_path
        if mount != "/" and url.path in ("/", mount.rstrip("/")):
            return self._redirect(mount)
        if not url.path.startswith(mount):
            return self._not_found(gen, epoch, head)
        path = resolve(gen.folder, url.path[len(mount) :])
        if path is not None and path.is_dir():
            if not url.path.endswith("/"):
                return self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
            path = path / "index.html"
        if path is None or not path.is_file():
            return self._not_found(gen, epoch, head)
        self._file(path, HTTPStatus.OK, epoch, head)

    def _file(self, path: Path, status: HTTPStatus, epoch: int, head: bool) -> None:
        kind = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/xml", "application/json"):
            kind += "; charset=utf-8"
        try:
            with path.open("rb") as f:
                if kind.startswith("text/html"):
                    body = inject(f.read(), epoch)
                    return self._send(status, kind, body, head)
                self._headers(status, kind, path.stat().st_size)
                if not head:
                    shutil.copyfileobj(f, self.wfile)
        except FileNotFoundError:  # a generation deleted under a very slow request
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", head)

    def _not_found(self, gen: Generation, epoch: int, head: bool) -> None:
        page = gen.folder / "404.html"
        if page.is_file():
            return self._file(page, HTTPStatus.NOT_FOUND, epoch, head)
        body = b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>"
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", inject(body, epoch), head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _headers(self, status: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send(self, status: HTTPStatus, kind: str, body: bytes, head: bool) -> None:
        self._headers(status, kind, len(body))
        if not head:
            self.wfile.write(body)

    def _stream(self, since: str) -> None:
        """``/_sb/events``: one long response; ends when the client goes or the server stops."""
        events = self.server.events
        seen = min(int(since), events.epoch) if since.isdigit() else events.epoch
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 500\n\n")
            if events.error is not None and seen == events.epoch:
                self.wfile.write(_event(seen, "error", events.error))
            self.wfile.flush()
            while not events.closed:
                seen, batch = events.since(seen, timeout=15)
                self.wfile.write(b"".join(_event(*e) for e in batch) or b": keepalive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the tab was closed or reloaded


def _event(epoch: int, name: str, data: str) -> bytes:
    lines = "".join(f"data: {line}\n" for line in (data or name).splitlines())
    return f"id: {epoch}\nevent: {name}\n{lines}\n".encode()


def inject(html: bytes, epoch: int) -> bytes:
    """Add the live-reload script before the last ``</body>`` (or at the end); serve time only."""
    script = _SCRIPT.format(epoch=epoch).encode()
    ends = list(_BODY_END.finditer(html))
    at = ends[-1].start() if ends else len(html)
    return html[:at] + script + html[at:]


def resolve(folder: Path, url_path: str) -> Path | None:
    """The file a URL path names inside ``folder``, or None for anything that could leave it (SPEC §9).

    Decodes until stable so double-encoded ``%252e%252e`` is caught too; refuses ``..`` segments,
    NUL and backslashes outright, then checks the resolved path (symlinks followed) stays inside.
    """
    decoded = url_path
    try:
        for _ in range(4):
            once = unquote(decoded, errors="strict")
            if once == decoded:
                break
            decoded = once
        else:
            return None
    except UnicodeDecodeError:
        return None
    parts = decoded.split("/")
    if "\x00" in decoded or "\\" in decoded or any(p.strip() == ".." for p in parts):
        return None
    root = folder.resolve()
    try:
        target = (root / decoded.lstrip("/")).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return target if target.is_relative_to(root) else None
