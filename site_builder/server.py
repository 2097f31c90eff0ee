"""The preview server: serves the current in-memory generation and pushes live-reload events (SPEC §6, §9).

Requests read the current generation through one reference, so a rebuild never makes them wait
and never shows a half-built site (mkdocs makes requests wait; STYLE §8.7). A URL is only ever
looked up among the generation's output paths; it never becomes a file-system path.

A preview of a contribution serves untrusted content, so the server also guards itself
(SECURITY.md, "The dev server answers only this machine"): it answers only requests addressed to
it by name (a page elsewhere cannot rebind its own DNS name to 127.0.0.1 and read the preview),
drops clients that send too slowly or hold too many connections, and opens a static source only
if it is still a regular file inside the site's folders.
"""

from __future__ import annotations

import errno
import io
import ipaddress
import json
import mimetypes
import os
import re
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import IO, Any
from urllib.parse import parse_qs, unquote, urlsplit

from .diagnostics import Diagnostic

LIVE_PREFIX = "/_sb/"
# Served at the root whatever the base path; the epoch lets a page catch up on events it missed.
_SCRIPT = '<script src="/_sb/live.js" data-epoch="{epoch}"></script>'
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_READ_WHOLE = 4 << 20  # static files up to this size are read whole; bigger ones are streamed
_CHUNK = 1 << 16
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
# The browser side of live reload, kept as a real file (read once, served at /_sb/live.js).
LIVE_JS = (resources.files("site_builder") / "live.js").read_bytes()
# A client that goes away mid-response (a closed tab, a reload) or stops reading: not an error.
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD = frozenset({"", "0.0.0.0", "::"})
# A FIFO swapped in for a static file must not block the thread that opens it.
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_OPEN_FLAGS = os.O_RDONLY | _NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
# Host = name or IP literal (IPv6 in brackets), then an optional port; no user info, no path.
_HOST = re.compile(r"(?:\[(?P<ip6>[0-9A-Fa-f:.]+)\]|(?P<name>[^\s:@/\[\]]+))(?::\d{1,5})?")


class Generation(Mapping[str, bytes | Path]):
    """One complete build in memory: output path (POSIX, relative) -> bytes, or the static file's source.

    Immutable once made, so a request holding it never sees a half-built site; ``base_path`` is the
    URL path it is served under ("/" or "/repo/"). ``roots`` are the folders static sources may be
    read from (the site and the built-in theme): a source that is no longer a file inside one of
    them when it is requested is not served, and without roots no source is.
    """

    __slots__ = ("_files", "_folders", "base_path", "roots")

    def __init__(
        self,
        files: Mapping[str, bytes | Path] | None = None,
        base_path: str = "/",
        roots: Iterable[Path] = (),
    ) -> None:
        self._files: Mapping[str, bytes | Path] = MappingProxyType(dict(files or {}))
        self.base_path = base_path
        self.roots = tuple(dict.fromkeys(Path(os.path.realpath(root)) for root in roots))
        self._folders: frozenset[str] | None = None  # made on the first miss: most requests hit a key

    def __getitem__(self, key: str) -> bytes | Path:
        return self._files[key]

    def __contains__(self, key: object) -> bool:
        return key in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def is_folder(self, key: str) -> bool:
        """Whether ``key`` is a folder of some output path (``posts/one`` for ``posts/one/index.html``)."""
        if key + "/index.html" in self._files:
            return True
        if self._folders is None:  # two threads may both build it: same value, one assignment
            self._folders = frozenset(
                p.rsplit("/", n)[0] for p in self._files for n in range(1, p.count("/") + 1)
            )
        return key in self._folders

    def with_files(self, extra: Mapping[str, bytes | Path], roots: Iterable[Path] = ()) -> Generation:
        """A new generation with ``extra`` (read from ``roots``) added; this one's own files win."""
        return Generation({**extra, **self._files}, self.base_path, (*self.roots, *roots))


def open_source(path: Path, roots: tuple[Path, ...]) -> IO[bytes]:
    """Open a static source the build listed, if it is still a regular file inside one of ``roots``.

    Since the build, the file may have been swapped for a link to a file elsewhere, or a folder above
    it for a linked folder (a ``git checkout`` while serving does both). As discovery does
    (SECURITY.md, "Links never leave the site"), the file is refused unless its real path is inside
    a root and below it in no hidden folder (``.git``). The check is made on the file actually
    opened (device and inode), so a swap between opening and checking cannot pass; a FIFO or device
    is refused without blocking. Raises OSError (PermissionError when refused).
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        opened = os.fstat(fd)
        real = Path(os.path.realpath(path))
        named = os.stat(real)
        same = (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
        inside = any(
            real.is_relative_to(root) and not any(p.startswith(".") for p in real.relative_to(root).parts)
            for root in roots
        )
        if not (stat.S_ISREG(opened.st_mode) and same and inside):
            raise PermissionError(errno.EACCES, "not a file inside the site's folders", str(path))
        if _NONBLOCK:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


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
    """A ThreadingHTTPServer (daemon threads) over whatever generation ``swap`` last installed.

    Each connection has ``request_timeout`` seconds to send a whole request head (also the longest
    a kept-alive connection idles), a response write may wait ``write_timeout`` seconds for the
    client, and at most ``max_connections`` are open at once (each holds a thread); more are closed
    as they arrive.
    """

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
        match = _HOST.fullmatch(host.strip())
        if match is None:
            return False
        name = (match["ip6"] or match["name"]).lower()
        return name in self._names or (self._any_ip and _is_ip(name))

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


def host_names(host: str) -> tuple[frozenset[str], bool]:
    """The names a ``Host`` header may give for a server bound to ``host``, and whether any IP
    address may be given too: on a wildcard address other machines reach it by theirs, and an
    address (unlike a name) cannot be rebound to this machine by someone else's DNS."""
    bound = host.strip("[]").lower()
    if bound in _WILDCARD:
        return _LOOPBACK | {socket.gethostname().lower()}, True
    return _LOOPBACK | {bound}, False


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class _HeadReader(io.RawIOBase):
    """The socket, read with one deadline for a whole request head: a client that sends nothing,
    half a request, or a byte every few seconds is dropped when the time is up (TimeoutError)."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        self.deadline = 0.0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    server: DevServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a request log on every page view would drown the rebuild lines

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain socket file: replaced by one that keeps the deadline
        self._head = _HeadReader(self.connection)
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
        try:
            self.wfile.write(b"retry: 500\n\n")
            if events.error is not None and seen == events.epoch:
                self.wfile.write(_event(seen, "error", events.error))
            self.wfile.flush()
            while not events.closed:
                seen, batch = events.since(seen, timeout=15)
                self.wfile.write(b"".join(_event(*e) for e in batch) or b": keepalive\n\n")
                self.wfile.flush()
        except _GONE:
            pass  # the tab was closed or reloaded, or stopped reading for write_timeout seconds


def _event(epoch: int, name: str, data: str) -> bytes:
    lines = "".join(f"data: {line}\n" for line in (data or name).splitlines())
    return f"id: {epoch}\nevent: {name}\n{lines}\n".encode()


def content_type(key: str) -> str:
    """The Content-Type for an output path, with the charset for text."""
    name = key.rpartition("/")[2]
    kind = (
        _TYPES.get(PurePosixPath(name).suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    if kind.startswith("text/") or kind in ("application/xml", "application/json"):
        kind += "; charset=utf-8"
    return kind


def inject(html: bytes, epoch: int) -> bytes:
    """Add the live-reload script before the last ``</body>`` (or at the end); serve time only."""
    script = _SCRIPT.format(epoch=epoch).encode()
    ends = list(_BODY_END.finditer(html))
    at = ends[-1].start() if ends else len(html)
    return html[:at] + script + html[at:]


def resolve(url_path: str) -> str | None:
    """The output key a URL path (under the mount) names, or None for anything that tries to leave (SPEC §9).

    Keys come from the pipeline, so a lookup alone cannot reach other files; this refusal is defence
    in depth. Decodes until stable so double-encoded ``%252e%252e`` is caught too; refuses ``..``
    segments, NUL and backslashes outright. Empty and ``.`` segments are dropped; a trailing ``/`` stays.
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
    key = "/".join(p for p in parts if p not in ("", "."))
    return key + "/" if key and parts[-1] in ("", ".") else key


def _copy(source: IO[bytes], target: io.BufferedIOBase, size: int) -> int:
    """Copy at most ``size`` bytes; returns how many were copied."""
    done = 0
    while done < size and (chunk := source.read(min(_CHUNK, size - done))):
        target.write(chunk)
        done += len(chunk)
    return done
