"""The preview server against hostile clients and a hostile checkout (SECURITY.md, "The dev server").

Everything runs in process on 127.0.0.1, port 0; loops and waits are bounded. Covered: DNS
rebinding (a page on another name whose DNS now points at 127.0.0.1), clients that connect and
stall or drip bytes, clients that vanish mid-response, and static files swapped for links after
the build (a `git checkout` of a contribution while serving).
"""

from __future__ import annotations

import http.client
import io
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_builder.commands import serve
from site_builder.model import BuildOptions
from site_builder.report import Reporter
from site_builder.serve.generation import Generation, write_generation
from site_builder.serve.guards import host_names
from site_builder.serve.http import DevServer

SECRET = b"TOP-SECRET-OUTSIDE-THE-SITE"
POSIX_SWAP = pytest.mark.skipif(
    sys.platform == "win32",
    reason="no symbolic links for a checkout to plant on Windows (they need administrator rights or "
    "Developer Mode, and git writes a committed one as a plain file), and no FIFOs",
)
PAGE = b"<!doctype html><html><head><title>Home</title></head><body><h1>Home</h1></body></html>\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site folder with static files, and secrets beside it (outside the site)."""
    static = tmp_path / "site" / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_bytes(b"body { color: black }\n")
    (static / "css" / "other.css").write_bytes(b"p { margin: 0 }\n")
    (static / "robots.txt").write_bytes(b"User-agent: *\n")
    outside = tmp_path / "outside"
    (outside / "css").mkdir(parents=True)
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "css" / "site.css").write_bytes(SECRET)
    (outside / "robots.txt").write_bytes(SECRET)
    (tmp_path / "site" / ".git").mkdir()
    (tmp_path / "site" / ".git" / "config").write_bytes(SECRET)  # inside the site, never published
    return tmp_path / "site"


def generation(site: Path) -> Generation:
    static = site / "static"
    files: dict[str, bytes | Path] = {
        "index.html": PAGE,
        "css/site.css": static / "css" / "site.css",
        "css/other.css": static / "css" / "other.css",
        "robots.txt": static / "robots.txt",
    }
    return Generation(files, roots=(site,))


@pytest.fixture
def start(site: Path) -> Iterator[Callable[..., DevServer]]:
    servers: list[DevServer] = []

    def run(**options: float) -> DevServer:
        server = DevServer(generation(site), port=0, **options)  # type: ignore[arg-type]
        server.start()
        servers.append(server)
        return server

    yield run
    for server in servers:
        server.stop()


def request(server: DevServer, path: str = "/", host: str | None = None) -> tuple[int, bytes]:
    """GET ``path`` with ``host`` as the Host header (the server's own address when None)."""
    port = server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", f"127.0.0.1:{port}" if host is None else host)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def raw(server: DevServer, head: bytes) -> bytes:
    """Send ``head`` as it is and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
        sock.sendall(head)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def handler_threads() -> int:
    return sum("process_request_thread" in t.name for t in threading.enumerate())


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# --- DNS rebinding: only requests addressed to this server by name are answered ---------------

OWN_NAMES = ["localhost", "LOCALHOST", "LocalHost:8000", "127.0.0.1", "[::1]", "[::1]:9", "localhost:1"]
OTHER_NAMES = [
    "attacker.example",
    "attacker.example:{port}",
    "localhost.attacker.example:{port}",
    "127.0.0.1.nip.io:{port}",
    "evil@localhost:{port}",
    "localhost:{port}@evil",
    "localhost:notaport",
    "localhost:{port}/x",
    "localhost.",
    "127.0.0.2:{port}",
    "2130706433:{port}",
    "0x7f000001",
    "[::1",
    "[::ffff:127.0.0.1]",
    "",
    " ",
]


@pytest.mark.parametrize("host", OWN_NAMES)
def test_its_own_names_are_answered_on_any_port(start: Callable[..., DevServer], host: str) -> None:
    assert request(start(), host=host) == (200, PAGE.replace(b"</body>", _script(0) + b"</body>"))


def _script(epoch: int) -> bytes:
    return f'<script src="/_sb/live.js" data-epoch="{epoch}"></script>'.encode()


@pytest.mark.parametrize("host", OTHER_NAMES)
@pytest.mark.parametrize("path", ["/", "/css/site.css", "/_sb/live.js", "/_sb/events", "/no/such/"])
def test_another_name_gets_421_and_nothing_of_the_site(
    start: Callable[..., DevServer], host: str, path: str
) -> None:
    server = start()
    status, body = request(server, path, host.format(port=server.server_address[1]))
    assert status == 421
    assert b"Home" not in body and b"color" not in body and b"EventSource" not in body
    assert b"data:" not in body  # not an event stream left open


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",  # no Host
        b"GET / HTTP/1.0\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: attacker.example\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    ],
)
def test_a_missing_or_repeated_host_is_refused(start: Callable[..., DevServer], head: bytes) -> None:
    answer = raw(start(), head)
    assert answer.startswith(b"HTTP/1.1 400 ") and b"<h1>Home</h1>" not in answer


def test_a_rebinding_page_cannot_read_the_event_stream(start: Callable[..., DevServer]) -> None:
    server = start()
    port = server.server_address[1]
    head = f"GET /_sb/events HTTP/1.1\r\nHost: rebind.attacker.example:{port}\r\n\r\n".encode()
    started = time.monotonic()
    answer = raw(server, head)  # closed at once, not held open as a stream
    assert answer.startswith(b"HTTP/1.1 421 ") and b"event:" not in answer
    assert time.monotonic() - started < 5


def test_names_for_the_address_it_listens_on() -> None:
    names, any_ip = host_names("127.0.0.1")
    assert names == {"localhost", "127.0.0.1", "::1"} and not any_ip
    names, any_ip = host_names("192.168.1.20")  # --host given: that address too, and nothing else
    assert "192.168.1.20" in names and "192.168.1.21" not in names and not any_ip
    names, any_ip = host_names("[::1]")
    assert names == {"localhost", "127.0.0.1", "::1"}
    for wildcard in ("0.0.0.0", "::"):
        names, any_ip = host_names(wildcard)  # other machines use the machine's address
        assert any_ip and "localhost" in names and "attacker.example" not in names


# --- slow and stalled clients --------------------------------------------------------------------


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server ends the connection within ``within`` seconds (EOF or a reset)."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


@pytest.mark.parametrize(
    "sent",
    [
        b"",
        b"G",
        b"GET / HTTP/1.1\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        b"GET / HTTP/1.1\r\nHost: 127",
    ],
)
def test_a_stalled_request_is_dropped(start: Callable[..., DevServer], sent: bytes) -> None:
    server = start(request_timeout=0.5)
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as sock:
        sock.sendall(sent)
        started = time.monotonic()
        assert closed_by_server(sock, within=5)
        assert time.monotonic() - started < 3


def test_a_request_dripped_a_byte_at_a_time_is_dropped(start: Callable[..., DevServer]) -> None:
    """Every byte comes before a per-read timeout would fire; the deadline is for the whole head."""
    server = start(request_timeout=0.5)
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    with socket.create_connection(("127.0.0.1", server.server_address[1])) as sock:
        started = time.monotonic()
        dropped = False
        for byte in head:  # 100+ bytes at 0.1 s each would take over 10 s
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                dropped = True
                break
            if closed_by_server(sock, within=0.1):
                dropped = True
                break
        assert dropped and time.monotonic() - started < 3


def test_an_idle_kept_alive_connection_is_closed(start: Callable[..., DevServer]) -> None:
    server = start(request_timeout=0.5)
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        conn.request("GET", "/")
        assert conn.getresponse().read().startswith(b"<!doctype html>")
        assert conn.sock is not None
        assert closed_by_server(conn.sock, within=5)
    finally:
        conn.close()


def test_200_stalled_sockets_hold_a_bounded_number_of_threads_then_none(
    start: Callable[..., DevServer],
) -> None:
    server = start(request_timeout=2.0, max_connections=20)
    before = handler_threads()
    peak = 0
    socks = []
    try:
        for _ in range(200):
            socks.append(socket.create_connection(("127.0.0.1", server.server_address[1])))
            peak = max(peak, handler_threads())
        # The cap; connections over it were closed as they came. A few threads may still be
        # finishing after giving their place back (those timed out while the rest connected).
        assert peak - before <= 20 + 5
        assert all(closed_by_server(sock, within=10) for sock in socks)
    finally:
        for sock in socks:
            sock.close()
    assert wait_until(lambda: handler_threads() <= before, 5)
    assert request(server)[0] == 200  # and it still answers


def test_the_event_stream_outlives_the_request_timeout(start: Callable[..., DevServer]) -> None:
    """Long-lived by design: only reading the request has a deadline, not writing events."""
    server = start(request_timeout=0.3)
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    try:
        conn.request("GET", "/_sb/events")
        resp = conn.getresponse()
        assert resp.status == 200
        time.sleep(1.0)  # over three request timeouts
        server.events.publish(("reload", ""))
        lines = [resp.fp.readline() for _ in range(5)]
        assert b"event: reload\n" in lines
    finally:
        conn.close()


# --- clients that disconnect mid-response --------------------------------------------------------


def hang_up_during(server: DevServer, path: str) -> None:
    """Start a response, read a little of it, then reset the connection."""
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        sock.recv(1024)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset


@pytest.mark.parametrize("path", ["/big/", "/_sb/events", "/css/big.bin"])
def test_a_client_hanging_up_mid_response_prints_nothing(
    start: Callable[..., DevServer], site: Path, capfd: pytest.CaptureFixture[str], path: str
) -> None:
    big = site / "static" / "big.bin"
    big.write_bytes(b"\0" * (16 << 20))  # streamed in chunks, far more than the socket buffers
    server = start()
    page = PAGE + b"<!--" + b"x" * (16 << 20) + b"-->"  # sent from memory in one write
    server.swap(Generation({**server.generation, "css/big.bin": big, "big/index.html": page}, roots=(site,)))
    before = handler_threads()
    for _ in range(3):
        hang_up_during(server, path)
    if path == "/_sb/events":
        server.events.publish(("reload", ""))  # the next write finds the stream gone
    assert wait_until(lambda: handler_threads() <= before, 10)
    out, err = capfd.readouterr()
    assert "Traceback" not in err + out and "Exception" not in err + out
    assert request(server)[0] == 200


def test_a_real_error_in_a_request_is_still_loud(
    start: Callable[..., DevServer], capfd: pytest.CaptureFixture[str]
) -> None:
    server = start()
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        server.handle_error(None, ("127.0.0.1", 1))
    assert "RuntimeError: a bug" in capfd.readouterr().err


# --- static files swapped after the build --------------------------------------------------------


def swap_for_link(path: Path, target: Path | str) -> None:
    path.unlink()
    path.symlink_to(target)


SWAPS: dict[str, Callable[[Path], None]] = {
    "file to an absolute link outside": lambda site: swap_for_link(
        site / "static/css/site.css", site.parent / "outside/secret.txt"
    ),
    "file to a relative link outside": lambda site: swap_for_link(
        site / "static/css/site.css", "../../../outside/secret.txt"
    ),
    "folder to a linked folder outside": lambda site: _swap_folder(
        site / "static/css", site.parent / "outside/css"
    ),
    "top static folder to a linked folder outside": lambda site: _swap_folder(
        site / "static", site.parent / "outside"
    ),
    "file to a link into the site's .git folder": lambda site: swap_for_link(
        site / "static/css/site.css", "../../.git/config"
    ),
    "file to a link to the site's own folder": lambda site: swap_for_link(site / "static/css/site.css", site),
    "file to a FIFO": lambda site: _swap_for_fifo(site / "static/css/site.css"),
}


def _swap_folder(folder: Path, target: Path) -> None:
    folder.rename(folder.with_name(folder.name + ".moved"))
    folder.symlink_to(target, target_is_directory=True)


def _swap_for_fifo(path: Path) -> None:
    """Opening a FIFO blocks until something writes to it: a thread stuck for good."""
    path.unlink()
    os.mkfifo(path)


@POSIX_SWAP
@pytest.mark.parametrize("swap", list(SWAPS))
def test_a_static_file_swapped_after_the_build_is_not_served(
    start: Callable[..., DevServer], site: Path, swap: str
) -> None:
    server = start()
    assert request(server, "/css/site.css") == (200, b"body { color: black }\n")
    SWAPS[swap](site)
    assert request(server, "/css/site.css") == (404, b"Not found\n")
    assert SECRET not in request(server, "/robots.txt")[1]


@POSIX_SWAP
def test_a_link_within_the_site_is_still_served(start: Callable[..., DevServer], site: Path) -> None:
    """The build accepts links that stay inside the site folder, so the preview does too."""
    server = start()
    swap_for_link(site / "static/css/site.css", site / "static/css/other.css")
    assert request(server, "/css/site.css") == (200, b"p { margin: 0 }\n")


@POSIX_SWAP
def test_the_search_copy_skips_a_swapped_file(site: Path, tmp_path: Path) -> None:
    """serve writes the generation for Pagefind: a swapped file must not be copied (and indexed)."""
    gen = generation(site)
    swap_for_link(site / "static/css/site.css", site.parent / "outside/secret.txt")
    folder = tmp_path / "written"
    write_generation(gen, folder)
    assert not (folder / "css/site.css").exists()
    assert (folder / "css/other.css").read_bytes() == b"p { margin: 0 }\n"
    assert all(SECRET not in p.read_bytes() for p in folder.rglob("*") if p.is_file())


@POSIX_SWAP
def test_serve_keeps_the_last_good_build_but_not_a_file_swapped_for_a_link(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    """The whole story: a checkout while serving swaps a static file for a link out; the rebuild
    fails on it, the last good site stays up, and the link is not followed."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    root = make_site(
        {
            "content/about.md": "---\ntitle: About\n---\n\nAbout.\n",
            "static/css/extra.css": "p { margin: 0 }\n",
        }
    )
    session = serve.start(
        root, "127.0.0.1", 0, BuildOptions(search=False), Reporter(io.StringIO(), io.StringIO())
    )
    try:
        server = session.server
        assert request(server, "/css/extra.css") == (200, b"p { margin: 0 }\n")
        assert request(server, "/css/site.css")[0] == 200  # the built-in theme's, served from the package
        swap_for_link(root / "static/css/extra.css", tmp_path / "secret.txt")
        assert not session.wait_rebuilds(1, timeout=30)[-1].ok  # discover refuses the link
        status, body = request(server, "/css/extra.css")
        assert status == 404 and SECRET not in body
        assert request(server, "/about/")[0] == 200  # the last good site is still served
    finally:
        session.stop()
