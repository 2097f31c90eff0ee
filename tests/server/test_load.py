"""Load on loopback while the real serve builder rebuilds: no failed request, no truncated page.

20 client threads send 2,000 requests in all while a post is edited 20 times. Every response must
be whole: status 200, the body as long as Content-Length says, and every HTML page ending in
``</html>``. Counts and time are bounded; only 127.0.0.1 is used.
"""

from __future__ import annotations

import http.client
import io
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from site_builder.commands import serve
from site_builder.model import BuildOptions
from site_builder.report import Reporter

CLIENTS = 20
REQUESTS_EACH = 100
EDITS = 20
EDITED = "/weeknotes/2026/10/week-3/"
PATHS = [
    "/",
    "/weeknotes/",
    EDITED,
    "/weeknotes/2026/10/week-5/",
    "/about/",
    "/css/site.css",
    "/feed.xml",
    "/tags/load/",
    "/no/such/page/",
]

POST = """\
---
title: Week {n}
date: 2026-10-{day:02d}
authors: [Ada]
tags: [load]
---

{body}

More text so the page is not tiny. {filler}
"""


def small_site(make_site: Callable[..., Path]) -> Path:
    files = {"content/about.md": "---\ntitle: About\n---\n\nAbout this site.\n"}
    for n in range(1, 7):
        text = POST.format(n=n, day=n, body=f"Body of week {n}.", filler="words " * 200)
        files[f"content/weeknotes/week-{n}.md"] = text
    return make_site(files)


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[int, str, int | None, bytes]:
    conn.request("GET", path)
    resp = conn.getresponse()
    length = resp.getheader("Content-Length")
    return resp.status, resp.getheader("Content-Type") or "", int(length) if length else None, resp.read()


class Load:
    """20 keep-alive clients whose pace spreads their requests over the whole series of rebuilds."""

    def __init__(self, session: serve.Session) -> None:
        self.session = session
        self.port = session.server.server_address[1]
        self.failures: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.versions: set[str] = set()  # the edits of the post that clients saw
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.deadline = self.started + 120

    def pause(self, sent: int) -> float:
        """Time left for the rebuilds still to come, estimated from those done, per request left."""
        done = len(self.session.rebuilds)
        if done >= EDITS:
            return 0.0
        per_rebuild = (time.monotonic() - self.started) / done if done else 0.3
        return min(0.5, (EDITS - done) * per_rebuild / max(1, REQUESTS_EACH - sent))

    def client(self, number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        for i in range(REQUESTS_EACH):
            path = PATHS[(number + i) % len(PATHS)]
            try:
                status, kind, length, body = fetch(conn, path)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                status, kind, length, body = 0, "", None, f"{type(exc).__name__}: {exc}".encode()
            self.check(path, status, kind, length, body)
            if time.monotonic() > self.deadline:
                break
            time.sleep(self.pause(i + 1))
        conn.close()

    def check(self, path: str, status: int, kind: str, length: int | None, body: bytes) -> None:
        problem = None
        if status != (404 if path == "/no/such/page/" else 200):
            problem = f"status {status}: {body[:200]!r}"
        elif length != len(body):
            problem = f"{len(body)} bytes, Content-Length {length}"
        elif kind.startswith("text/html") and not body.rstrip().endswith(b"</html>"):
            problem = "HTML page does not end in </html>"
        with self.lock:
            self.statuses[status] += 1
            if problem:
                self.failures.append(f"{path}: {problem}")
            if path == EDITED and (m := re.search(rb"Edit number (\d+)", body)):
                self.versions.add(m.group(1).decode())


def test_requests_during_rebuilds_never_fail_or_truncate(make_site: Callable[..., Path]) -> None:
    root = small_site(make_site)
    reporter = Reporter(out=io.StringIO(), err=io.StringIO())
    session = serve.start(root, "127.0.0.1", 0, BuildOptions(), reporter)
    search = session.builder.search
    assert search is not None  # the one folder serve writes, once; rebuilds are in memory
    try:
        assert session.server.server_address[0] == "127.0.0.1"
        load = Load(session)
        threads = [threading.Thread(target=load.client, args=(n,)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        post = root / "content/weeknotes/week-3.md"
        for n in range(1, EDITS + 1):
            before = len(session.rebuilds)
            post.write_text(POST.format(n=3, day=3, body=f"Edit number {n}.", filler="words " * 200))
            done = session.wait_rebuilds(before + 1, timeout=30)
            assert len(done) > before and done[-1].ok, reporter.out.getvalue()  # type: ignore[attr-defined]
        for t in threads:
            t.join(timeout=max(1.0, load.deadline - time.monotonic()))
        assert not any(t.is_alive() for t in threads)

        assert load.failures == []
        assert sum(load.statuses.values()) == CLIENTS * REQUESTS_EACH
        assert len(session.rebuilds) >= EDITS and all(r.ok for r in session.rebuilds)
        assert len(load.versions) >= EDITS // 4, f"the load missed the rebuilds: saw {sorted(load.versions)}"
        conn = http.client.HTTPConnection("127.0.0.1", load.port, timeout=10)
        assert b"Edit number 20." in fetch(conn, EDITED)[3]
        conn.close()
        assert b"Edit number 20." in session.builder.current["weeknotes/2026/10/week-3/index.html"]  # type: ignore[operator]
        assert search.folder is not None
        assert "weeknotes" in {p.name for p in search.folder.iterdir()}  # the first build, for Pagefind
    finally:
        session.stop()
    assert search.folder is not None and not search.folder.exists()
    assert not (root / "output").exists()  # serve never writes the site's output folder
