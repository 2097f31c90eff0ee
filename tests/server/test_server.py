"""server.py on a real socket (127.0.0.1, port 0) over an in-memory generation made by hand."""

from __future__ import annotations

import http.client
import json
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_builder.diagnostics import error
from site_builder.serve.generation import Generation, resolve
from site_builder.serve.http import DevServer
from site_builder.serve.livereload import error_data, inject

SECRET = "TOP-SECRET-OUTSIDE"
NEEDS_LINKS = pytest.mark.skipif(
    sys.platform == "win32",
    reason="making a symbolic link needs administrator rights or Developer Mode on Windows, and git "
    "checks a committed link out there as a plain file: a planted link is an attack on POSIX only",
)
PAGE = "<!doctype html><html><head><title>{t}</title></head><body><h1>{t}</h1></body></html>\n"


def make_generation(title: str = "Home", sources: dict[str, Path] | None = None) -> Generation:
    """A generation as serve builds one: pages as bytes, static files as their source paths, read
    from the folders that hold them (as serve passes the site's folder and the built-in theme's)."""
    files: dict[str, bytes | Path] = {
        "index.html": PAGE.format(t=title).encode(),
        "posts/one/index.html": PAGE.format(t="One").encode(),
        "404.html": PAGE.format(t="Nothing here").encode(),
        "feed.xml": b"<?xml version='1.0'?><rss><channel></channel></rss>\n",
        "feed.json": b'{"version": "https://jsonfeed.org/version/1.1"}\n',
        "robots.txt": b"User-agent: *\n</body>\n",
        ".nojekyll": b"",
    }
    roots = {path.parent for path in (sources or {}).values()}
    return Generation({**files, **(sources or {})}, roots=roots)


@pytest.fixture
def site(tmp_path: Path) -> Generation:
    """Secrets beside and around the static sources the "pipeline" listed; only those are served."""
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "index.html").write_text(SECRET)
    (tmp_path / "outside" / "secret.txt").write_text(SECRET)
    static = tmp_path / "theme" / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_text("body { color: black }\n")
    (static / "css" / "secret.txt").write_text(SECRET)  # beside a listed file, never listed itself
    (static / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    if sys.platform != "win32":  # see NEEDS_LINKS
        (static / "link-out.txt").symlink_to(tmp_path / "secret.txt")
        (static / "dir-out").symlink_to(tmp_path / "outside")
    (tmp_path / "shared.css").write_bytes(b"p { margin: 0 }\n")  # a source outside the site folder
    return make_generation(
        sources={
            "css/site.css": static / "css" / "site.css",
            "images/dot.png": static / "dot.png",
            "css/shared.css": tmp_path / "shared.css",
        }
    )


@pytest.fixture
def start() -> Iterator[Callable[..., DevServer]]:
    servers: list[DevServer] = []

    def run(gen: Generation, base_path: str | None = None, **kwargs: object) -> DevServer:
        if base_path is not None:
            gen = Generation(gen, base_path, gen.roots)
        server = DevServer(gen, port=0, **kwargs)  # type: ignore[arg-type]
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
    *(
        pytest.param(path, marks=NEEDS_LINKS)
        for path in (
            "/link-out.txt",  # a symlink beside a listed static file, to a file outside
            "/dir-out/",  # a symlink to a folder outside
            "/dir-out/index.html",
        )
    ),
    "/css/secret.txt",  # beside a listed static source on disk, but not itself an output
    "/css/site.css/../secret.txt",
    "/css/shared.css/../../secret.txt",
    "/css/shared.css%2f..%2fsecret.txt",
    "/css/../outside/index.html",
    "/outside/index.html",
    "/secret.txt",
    "/%00/../secret.txt",
    "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 for "."
    "//etc/passwd",
    "/%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_generation_is_served(
    site: Generation, start: Callable[..., DevServer], path: str
) -> None:
    server = start(site)
    status, _, body = get(server, path)
    assert status == 404, path
    assert SECRET.encode() not in body
    assert b"Nothing here" in body  # the site's own 404 page


@pytest.mark.parametrize("path", ["/repo/../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/..%2fsecret.txt"])
def test_traversal_under_a_base_path(site: Generation, start: Callable[..., DevServer], path: str) -> None:
    status, _, body = get(start(site, "/repo/"), path)
    assert status == 404 and SECRET.encode() not in body


def test_resolve_unit() -> None:
    assert resolve("posts/one/index.html") == "posts/one/index.html"
    assert resolve("") == ""
    assert resolve("posts/one/") == "posts/one/"
    assert resolve("/posts//./one/") == "posts/one/"  # empty and "." segments dropped
    assert resolve("css/site%2Ecss") == "css/site.css"
    assert resolve("a%2520b") == "a b"  # decoded until stable
    for bad in ("..", "../secret.txt", "%2e%2e", "a/%252e%252e/%252e%252e", "..\\x", "a%00b", "%c0%ae"):
        assert resolve(bad) is None, bad


def test_a_static_source_outside_the_site_is_served_only_because_the_pipeline_listed_it(
    site: Generation, start: Callable[..., DevServer], tmp_path: Path
) -> None:
    server = start(site)
    status, _, body = get(server, "/css/shared.css")
    assert status == 200 and body == b"p { margin: 0 }\n"
    # its neighbours on disk are not outputs, so no URL reaches them, however it is spelled
    (tmp_path / "shared.js").write_text(SECRET)
    for path in ("/css/shared.js", "/shared.js", "/css/shared.css/../shared.js", "/css/%2e%2e/shared.js"):
        status, _, body = get(server, path)
        assert status == 404 and SECRET.encode() not in body, path


def test_a_static_source_deleted_since_the_build_is_a_404(
    site: Generation, start: Callable[..., DevServer]
) -> None:
    source = site["css/site.css"]
    assert isinstance(source, Path)
    source.unlink()
    status, _, body = get(start(site), "/css/site.css")
    assert status == 404 and body == b"Not found\n"


def test_a_large_static_file_is_streamed_whole(start: Callable[..., DevServer], tmp_path: Path) -> None:
    big = tmp_path / "video.mp4"
    big.write_bytes(bytes(range(256)) * (5 * 4096 + 7))  # over 4 MiB: streamed, not read whole
    server = start(make_generation(sources={"media/video.mp4": big}))
    status, headers, body = get(server, "/media/video.mp4")
    assert status == 200 and headers["content-type"] == "video/mp4"
    assert int(headers["content-length"]) == len(body) and body == big.read_bytes()
    status, headers, body = get(server, "/media/video.mp4", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == big.stat().st_size


def test_a_static_html_file_gets_the_script_too(start: Callable[..., DevServer], tmp_path: Path) -> None:
    (tmp_path / "demo.html").write_text(PAGE.format(t="Demo"))
    status, _, body = get(
        start(make_generation(sources={"demo/index.html": tmp_path / "demo.html"})), "/demo/"
    )
    assert status == 200 and b"<h1>Demo</h1>" in body and b"/_sb/live.js" in body
    assert b"live.js" not in (tmp_path / "demo.html").read_bytes()


def test_generation_is_an_immutable_mapping(site: Generation, tmp_path: Path) -> None:
    assert site["index.html"].startswith(b"<!doctype html>")  # type: ignore[union-attr]
    assert site["css/site.css"] == tmp_path / "theme/static/css/site.css"
    with pytest.raises(TypeError):
        site["index.html"] = b"changed"  # type: ignore[index]
    assert site.is_folder("posts") and site.is_folder("posts/one") and site.is_folder("css")
    assert not site.is_folder("post") and not site.is_folder("posts/one/index.html")
    more = site.with_files({"pagefind/pagefind.js": tmp_path / "p.js", "index.html": tmp_path / "x"})
    assert more["pagefind/pagefind.js"] == tmp_path / "p.js"
    assert more["index.html"] == site["index.html"]  # the build's own files win
    assert "pagefind/pagefind.js" not in site and more.base_path == site.base_path


def test_listens_on_loopback_only_by_default(site: Generation) -> None:
    server = DevServer(site)
    try:
        assert server.server_address[0] == "127.0.0.1"
        assert server.url.startswith("http://127.0.0.1:")
    finally:
        server.server_close()


def test_a_busy_port_is_reported_and_the_next_one_used(site: Generation) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        said: list[tuple[int, int]] = []
        try:
            server = DevServer(site, port=port, on_busy=lambda a, b: said.append((a, b)))
        except OSError:
            pytest.skip("the next port happened to be busy too")
        try:
            assert server.server_address[1] != port
            assert said == [(port, server.server_address[1])]
        finally:
            server.server_close()


def test_base_path_mount(site: Generation, start: Callable[..., DevServer]) -> None:
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


def test_folder_without_slash_redirects(site: Generation, start: Callable[..., DevServer]) -> None:
    server = start(site)
    status, headers, _ = get(server, "/posts/one?x=1")
    assert status == 302 and headers["location"] == "/posts/one/?x=1"
    status, headers, _ = get(server, "/css")  # a folder with no index.html of its own
    assert status == 302 and headers["location"] == "/css/"
    assert get(server, "/css/")[0] == 404
    status, _, body = get(server, "/posts/one/index.html")
    assert status == 200 and b"<h1>One</h1>" in body


def test_script_injected_in_html_only(site: Generation, start: Callable[..., DevServer]) -> None:
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
    assert b"live.js" not in site["posts/one/index.html"]  # type: ignore[operator]  # the build stays clean
    status, headers, body = get(server, "/.nojekyll")  # empty bytes are a file too
    assert status == 200 and body == b"" and headers["content-length"] == "0"


def test_missing_page_gets_the_site_404_with_status_404(
    site: Generation, start: Callable[..., DevServer]
) -> None:
    status, headers, body = get(start(site), "/no/such/page/")
    assert status == 404 and b"Nothing here" in body and b"/_sb/live.js" in body
    assert headers["content-type"].startswith("text/html")


def test_head_has_headers_and_no_body(site: Generation, start: Callable[..., DevServer]) -> None:
    status, headers, body = get(start(site), "/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_live_js_is_served(site: Generation, start: Callable[..., DevServer]) -> None:
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


def test_sse_sends_reload_after_a_swap(site: Generation, start: Callable[..., DevServer]) -> None:
    server = start(site)
    stream = EventStream(server)
    try:
        server.swap(make_generation(title="Second"))
        threading.Timer(0.05, server.events.publish, args=(("reload", ""),)).start()
        assert stream.next() == ("reload", "reload")
        assert b"<h1>Second</h1>" in get(server, "/")[2]
    finally:
        stream.close()


def test_sse_error_ok_and_css(site: Generation, start: Callable[..., DevServer]) -> None:
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


def test_sse_replays_what_a_page_missed(site: Generation, start: Callable[..., DevServer]) -> None:
    server = start(site)
    _, _, body = get(server, "/")
    assert b'data-epoch="0"' in body
    server.events.publish(("reload", ""))  # between the page load and its EventSource connecting
    stream = EventStream(server, since="0")
    try:
        assert stream.next()[0] == "reload"
    finally:
        stream.close()


def test_stop_ends_open_event_streams(site: Generation) -> None:
    server = DevServer(site)
    server.start()
    stream = EventStream(server)
    server.stop()
    assert stream.resp.fp.read() is not None  # returns (EOF) instead of hanging
    stream.close()
