"""server.py on a real socket (127.0.0.1, port 0) over a generation folder made by hand (SPEC §9)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_builder.diagnostics import error
from site_builder.server import DevServer, Generation, error_data, inject, resolve

SECRET = "TOP-SECRET-OUTSIDE"
PAGE = "<!doctype html><html><head><title>{t}</title></head><body><h1>{t}</h1></body></html>\n"


def make_generation(folder: Path, title: str = "Home") -> Path:
    folder.mkdir(parents=True)
    files = {
        "index.html": PAGE.format(t=title),
        "posts/one/index.html": PAGE.format(t="One"),
        "404.html": PAGE.format(t="Nothing here"),
        "css/site.css": "body { color: black }\n",
        "feed.xml": "<?xml version='1.0'?><rss><channel></channel></rss>\n",
        "feed.json": '{"version": "https://jsonfeed.org/version/1.1"}\n',
        "robots.txt": "User-agent: *\n</body>\n",
        "images/dot.png": "",
    }
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "index.html").write_text(SECRET)
    gen = make_generation(tmp_path / "gens" / "gen-1")
    (gen / "link-out.txt").symlink_to(tmp_path / "secret.txt")
    (gen / "dir-out").symlink_to(tmp_path / "outside")
    (gen / "link-in.css").symlink_to(gen / "css" / "site.css")
    return gen


@pytest.fixture
def start() -> Iterator[Callable[..., DevServer]]:
    servers: list[DevServer] = []

    def run(folder: Path, base_path: str = "/", **kwargs: object) -> DevServer:
        server = DevServer(Generation(folder, base_path), port=0, **kwargs)  # type: ignore[arg-type]
        server.start()
        servers.append(server)
        return server

    yield run
    for server in servers:
        server.stop()


def get(server: DevServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send ``path`` exactly as given (http.client does not normalise it)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/posts/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/%2E%2E%2Fsecret.txt",
    "/..%2fsecret.txt",
    "/..%2Fsecret.txt",
    "/.%2e/secret.txt",
    "/%2e./secret.txt",
    "/%252e%252e%252fsecret.txt",  # double-encoded
    "/%252E%252E/secret.txt",
    "/%25252e%25252e/secret.txt",  # triple
    "/..%5csecret.txt",
    "/..\\secret.txt",
    "/%2e%2e%5c%2e%2e%5csecret.txt",
    "/posts/%2e%2e/%2e%2e/secret.txt",
    "/link-out.txt",  # a symlink to a file outside
    "/dir-out/",  # a symlink to a folder outside
    "/dir-out/index.html",
    "/%00/../secret.txt",
    "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 for "."
    "//etc/passwd",
    "/%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_generation_is_served(
    site: Path, start: Callable[..., DevServer], path: str
) -> None:
    server = start(site)
    status, _, body = get(server, path)
    assert status == 404, path
    assert SECRET.encode() not in body
    assert b"Nothing here" in body  # the site's own 404 page


@pytest.mark.parametrize("path", ["/repo/../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/..%2fsecret.txt"])
def test_traversal_under_a_base_path(site: Path, start: Callable[..., DevServer], path: str) -> None:
    status, _, body = get(start(site, "/repo/"), path)
    assert status == 404 and SECRET.encode() not in body


def test_resolve_unit(site: Path) -> None:
    assert resolve(site, "posts/one/index.html") == (site / "posts/one/index.html").resolve()
    assert resolve(site, "link-in.css") == (site / "css/site.css").resolve()  # links inside are fine
    assert resolve(site, "") == site.resolve()
    for bad in ("..", "../secret.txt", "%2e%2e", "a/%252e%252e/%252e%252e", "link-out.txt", "..\\x"):
        assert resolve(site, bad) is None, bad


def test_symlink_inside_the_generation_is_served(site: Path, start: Callable[..., DevServer]) -> None:
    status, _, body = get(start(site), "/link-in.css")
    assert status == 200 and body == b"body { color: black }\n"


def test_listens_on_loopback_only_by_default(site: Path) -> None:
    server = DevServer(Generation(site))
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert server.url.startswith("http://127.0.0.1:")
    finally:
        server.server_close()


def test_a_busy_port_is_reported_and_the_next_one_used(site: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        said: list[tuple[int, int]] = []
        try:
            server = DevServer(Generation(site), port=port, on_busy=lambda a, b: said.append((a, b)))
        except OSError:
            pytest.skip("the next port happened to be busy too")
        try:
            assert server.server_address[1] != port
            assert said == [(port, server.server_address[1])]
        finally:
            server.server_close()


def test_base_path_mount(site: Path, start: Callable[..., DevServer]) -> None:
    server = start(site, "/repo/")
    assert server.url.endswith("/repo/")
    status, headers, _ = get(server, "/")
    assert status == 302 and headers["location"] == "/repo/"
    status, headers, _ = get(server, "/repo")
    assert status == 302 and headers["location"] == "/repo/"
    status, _, body = get(server, "/repo/")
    assert status == 200 and b"<h1>Home</h1>" in body
    status, _, body = get(server, "/repo/posts/one/")
    assert status == 200 and b"<h1>One</h1>" in body
    status, _, body = get(server, "/posts/one/")  # outside the mount
    assert status == 404 and b"Nothing here" in body
    status, _, body = get(server, "/repository/")
    assert status == 404


def test_folder_without_slash_redirects(site: Path, start: Callable[..., DevServer]) -> None:
    status, headers, _ = get(start(site), "/posts/one?x=1")
    assert status == 302 and headers["location"] == "/posts/one/?x=1"


def test_script_injected_in_html_only(site: Path, start: Callable[..., DevServer]) -> None:
    server = start(site)
    status, headers, body = get(server, "/posts/one/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    assert body.count(b'<script src="/_sb/live.js"') == 1
    assert body.index(b"/_sb/live.js") < body.index(b"</body>")
    assert int(headers["content-length"]) == len(body)
    expected = {
        "/css/site.css": "text/css; charset=utf-8",
        "/feed.xml": "application/xml; charset=utf-8",
        "/feed.json": "application/json; charset=utf-8",
        "/robots.txt": "text/plain; charset=utf-8",
        "/images/dot.png": "image/png",
    }
    for path, kind in expected.items():
        status, headers, body = get(server, path)
        assert status == 200 and headers["content-type"] == kind, path
        assert headers["cache-control"] == "no-store"
        assert b"_sb/live.js" not in body, path
    assert b"live.js" not in (site / "posts/one/index.html").read_bytes()  # the files stay clean


def test_missing_page_gets_the_site_404_with_status_404(site: Path, start: Callable[..., DevServer]) -> None:
    status, headers, body = get(start(site), "/no/such/page/")
    assert status == 404 and b"Nothing here" in body and b"/_sb/live.js" in body
    assert headers["content-type"].startswith("text/html")


def test_head_has_headers_and_no_body(site: Path, start: Callable[..., DevServer]) -> None:
    status, headers, body = get(start(site), "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_live_js_is_served(site: Path, start: Callable[..., DevServer]) -> None:
    status, headers, body = get(start(site, "/repo/"), "/_sb/live.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in body


def test_inject_without_body_tag_appends() -> None:
    assert inject(b"<p>x", 3) == b'<p>x<script src="/_sb/live.js" data-epoch="3"></script>'
    assert inject(b"<BODY>a</BODY ></html>", 0).startswith(b'<BODY>a<script src="/_sb/live.js"')


class EventStream:
    """A raw SSE client: reads ``event:``/``data:`` pairs from /_sb/events."""

    def __init__(self, server: DevServer, since: str = "") -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        self.conn.request("GET", "/_sb/events" + (f"?since={since}" if since else ""))
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("content-type").startswith("text/event-stream")

    def next(self) -> tuple[str, str]:
        name, data = "", []
        while True:
            line = self.resp.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and name:
                return name, "\n".join(data)

    def close(self) -> None:
        self.conn.close()


def test_sse_sends_reload_after_a_swap(site: Path, start: Callable[..., DevServer], tmp_path: Path) -> None:
    server = start(site)
    stream = EventStream(server)
    try:
        gen2 = make_generation(tmp_path / "gens" / "gen-2", title="Second")
        server.swap(Generation(gen2))
        threading.Timer(0.05, server.events.publish, args=(("reload", ""),)).start()
        assert stream.next() == ("reload", "reload")
        assert b"<h1>Second</h1>" in get(server, "/")[2]
    finally:
        stream.close()


def test_sse_error_ok_and_css(site: Path, start: Callable[..., DevServer]) -> None:
    server = start(site)
    stream = EventStream(server)
    try:
        problem = error("front-matter/yaml", "content/weeknotes/x.md", "bad YAML", 3, hint="fix it")
        server.events.publish(("error", error_data([problem])))
        name, data = stream.next()
        assert name == "error"
        assert json.loads(data)["diagnostics"][0] == {
            "path": "content/weeknotes/x.md",
            "line": 3,
            "message": "bad YAML",
            "hint": "fix it",
            "code": "front-matter/yaml",
        }
        late = EventStream(server)  # a tab opened while the build is broken sees the error at once
        try:
            assert late.next()[0] == "error"
        finally:
            late.close()
        server.events.publish(("ok", ""), ("css", ""))
        assert stream.next()[0] == "ok"
        assert stream.next()[0] == "css"
        assert server.events.error is None
    finally:
        stream.close()


def test_sse_replays_what_a_page_missed(site: Path, start: Callable[..., DevServer]) -> None:
    server = start(site)
    _, _, body = get(server, "/")
    assert b'data-epoch="0"' in body
    server.events.publish(("reload", ""))  # between the page load and its EventSource connecting
    stream = EventStream(server, since="0")
    try:
        assert stream.next()[0] == "reload"
    finally:
        stream.close()


def test_stop_ends_open_event_streams(site: Path) -> None:
    server = DevServer(Generation(site))
    server.start()
    stream = EventStream(server)
    server.stop()
    assert stream.resp.fp.read() is not None  # returns (EOF) instead of hanging
    stream.close()
