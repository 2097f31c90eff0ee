"""The preview's HTTP server: answers each request from the current generation, with live reload.

A URL is only ever looked up among the generation's output paths (``generation.resolve``). A preview
of a contribution serves untrusted content, so the server also guards itself (SECURITY.md, "The dev
server answers only this machine"): it answers only requests addressed to it by name and drops
clients that send too slowly (``guards``), caps its open connections, and opens a static source only
if it is still a regular file inside the site's folders (``generation.open_source``).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from .generation import Generation, content_type, open_source, resolve
from .guards import HeadReader, host_names, names_this_server
from .livereload import LIVE_JS, LIVE_PREFIX, Events, inject, stream

_READ_WHOLE = 4 << 20  # static files up to this size are read whole; bigger ones are streamed
_CHUNK = 1 << 16
# A client that goes away mid-response (a closed tab, a reload) or stops reading: not an error.
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


class DevServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer (daemon threads) over whatever generation ``swap`` last installed.

    Each connection has ``request_timeout`` seconds to send a whole request head (also the longest
    a kept-alive connection idles), a response write may wait ``write_timeout`` seconds for the
    client, and at most ``max_connections`` are open at once (each holds a thread); more are closed
    as they arrive.
    """

    # On Windows SO_REUSEADDR lets a second server bind a port in use: a busy port must fail there.
    allow_reuse_address = sys.platform != "win32"

    request_queue_size = 64  # the default 5 drops connections when a page loads many assets at once

    def __init__(
        self,
        generation: Generation,
        host: str = "127.0.0.1",
        port: int = 0,
        on_busy: Callable[[int, int], None] | None = None,
        tries: int = 20,
        *,
        request_timeout: float = 5.0,
        write_timeout: float = 30.0,
        max_connections: int = 128,
    ) -> None:
        self.generation = generation
        self.events = Events()
        self.request_timeout, self.write_timeout = request_timeout, write_timeout
        self._slots = threading.BoundedSemaphore(max_connections)
        self._names, self._any_ip = host_names(host)
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
        return f"http://{host!s}:{port}{self.generation.base_path}"

    def answers(self, host: str) -> bool:
        """Whether a ``Host`` header names this server (any port: an SSH tunnel may change it)."""
        return names_this_server(host, self._names, self._any_ip)

    def process_request(self, request: Any, client_address: Any) -> None:
        """A thread per connection, up to the cap; one over it is closed rather than given a thread."""
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Silent when the client went away mid-response; a traceback for anything else (a bug)."""
        if not isinstance(sys.exc_info()[1], _GONE):
            super().handle_error(request, client_address)

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

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain socket file: replaced by one that keeps the deadline
        self._head = HeadReader(self.connection)
        self.rfile = io.BufferedReader(self._head)

    def handle_one_request(self) -> None:
        # The base class closes the connection on TimeoutError, quietly (log_message is off).
        self._head.deadline = time.monotonic() + self.server.request_timeout
        super().handle_one_request()

    def parse_request(self) -> bool:
        """The request head is in: from here only writes wait, and only requests for this server
        (by name) are answered."""
        if not super().parse_request():
            return False
        self.connection.settimeout(self.server.write_timeout)
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1:
            self.send_error(HTTPStatus.BAD_REQUEST, "One Host header is required")
            return False
        if not self.server.answers(hosts[0]):
            self.send_error(
                HTTPStatus.MISDIRECTED_REQUEST,
                "This preview does not answer to that host name",
                f"Open {self.server.url} instead.",
            )
            return False
        return True

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
        key = resolve(url.path[len(mount) :]) if url.path.startswith(mount) else None
        if key is not None and key not in gen and (key == "" or key.endswith("/")):
            key += "index.html"
        elif key is not None and key not in gen and gen.is_folder(key):
            return self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
        if key is None or key not in gen:
            return self._not_found(gen, epoch, head)
        self._file(gen, key, HTTPStatus.OK, epoch, head)

    def _file(self, gen: Generation, key: str, status: HTTPStatus, epoch: int, head: bool) -> None:
        kind, body = content_type(key), gen[key]
        if isinstance(body, Path):  # a static file's source, from the pipeline's own list (never the URL)
            return self._source(body, gen.roots, kind, status, epoch, head)
        self._send(status, kind, inject(body, epoch) if kind.startswith("text/html") else body, head)

    def _source(
        self, path: Path, roots: tuple[Path, ...], kind: str, status: HTTPStatus, epoch: int, head: bool
    ) -> None:
        try:
            with open_source(path, roots) as f:
                size = os.fstat(f.fileno()).st_size
                if size <= _READ_WHOLE or kind.startswith("text/html"):
                    # read once and send exactly that: an editor saving the file during the request
                    # cannot make the body disagree with Content-Length
                    data = f.read()
                    html = kind.startswith("text/html")
                    return self._send(status, kind, inject(data, epoch) if html else data, head)
                self._headers(status, kind, size)
                if not head and _copy(f, self.wfile, size) < size:
                    self.close_connection = True  # the file shrank under us: end the response here
        except _GONE:
            raise  # the client, not the file: handle_error lets it pass quietly
        except OSError:  # deleted, unreadable or refused since the build listed it; the next build says why
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", head)

    def _not_found(self, gen: Generation, epoch: int, head: bool) -> None:
        if "404.html" in gen:
            return self._file(gen, "404.html", HTTPStatus.NOT_FOUND, epoch, head)
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
        # ends quietly when the tab is closed or reloaded, or stops reading for write_timeout seconds
        with contextlib.suppress(*_GONE):
            stream(self.wfile, events, seen)


def _copy(source: IO[bytes], target: io.BufferedIOBase, size: int) -> int:
    """Copy at most ``size`` bytes; returns how many were copied."""
    done = 0
    while done < size and (chunk := source.read(min(_CHUNK, size - done))):
        target.write(chunk)
        done += len(chunk)
    return done
