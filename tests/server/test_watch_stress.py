"""The live preview's watcher under stress: real serve sessions on small sites, real files, real HTTP.

Bursts of saves, folders renamed and deleted while serving, editors' atomic-rename and backup saves,
files deleted and re-created inside the debounce window. While the files change, a client thread keeps
requesting pages on 127.0.0.1 and every response must be whole (no failed request, no truncated page);
afterwards the server must show the final state of the files, and the session must have printed no
traceback. Every wait is bounded: the server is polled until the final content appears.
"""

from __future__ import annotations

import http.client
import io
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from site_builder.commands import serve
from site_builder.config import load_config
from site_builder.model import BuildOptions
from site_builder.report import Reporter
from site_builder.serve.builder import Builder, Rebuild
from site_builder.serve.watch import ChangeKind, ChangeSet

POSTS = 12
WAIT = 20.0  # the longest any final state may take to appear
POST = """\
---
title: Post {n}
date: 2026-10-{n:02d}
tags: [stress]
---

{body}

More words so the page has some length. {filler}
"""
GUIDE = "---\ntitle: Guide {n}\n---\n\nGuide {n} text.\n"
TEMP_NAMES = ("tmp", "swp", "4913", "~", ".#")


def text(n: int, save: int) -> str:
    return f"Body of post {n}, save {save:04d} end."


def post(n: int, save: int = 0) -> str:
    return POST.format(n=n, body=text(n, save), filler="words " * 50)


def url(n: int) -> str:
    return f"/weeknotes/2026/10/post-{n}/"


def rename(source: Path, target: Path) -> None:
    """``os.replace``, tried again for a moment while the name is open elsewhere: on Windows a file
    or folder that the builder is reading cannot be renamed, and editors there retry the same way."""
    for _ in range(100):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            time.sleep(0.02)
    os.replace(source, target)


@pytest.fixture
def running(make_site: Callable[..., Path]) -> Iterator[Callable[..., tuple[Path, serve.Session, Reporter]]]:
    """``start(files)`` -> (site root, serve session without search, capturing reporter); stopped after."""
    sessions: list[tuple[serve.Session, Reporter]] = []

    def start(files: dict[str, str]) -> tuple[Path, serve.Session, Reporter]:
        root = make_site(files)
        reporter = Reporter(io.StringIO(), io.StringIO())
        session = serve.start(root, "127.0.0.1", 0, BuildOptions(search=False), reporter)
        sessions.append((session, reporter))
        assert session.server.server_address[0] == "127.0.0.1"
        return root, session, reporter

    yield start
    for session, reporter in sessions:
        session.stop()
        printed = printed_by(reporter)
        assert "Traceback" not in printed and "This is a bug" not in printed, printed


def printed_by(reporter: Reporter) -> str:
    return reporter.out.getvalue() + reporter.err.getvalue()  # type: ignore[attr-defined]


def weeknotes(count: int = POSTS, folder: str = "content/weeknotes") -> dict[str, str]:
    files = {"content/about.md": "---\ntitle: About\n---\n\nAbout this site.\n"}
    files |= {f"{folder}/post-{n}.md": post(n) for n in range(1, count + 1)}
    return files


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_for(session: serve.Session, path: str, ok: Callable[[int, bytes], bool]) -> tuple[int, bytes]:
    """Poll ``path`` until ``ok(status, body)``, for at most WAIT seconds; fails with what was last seen."""
    port = session.server.server_address[1]
    deadline = time.monotonic() + WAIT
    while True:
        status, body = get(port, path)
        if ok(status, body):
            return status, body
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never became right: last {status} {body[:300]!r}")
        time.sleep(0.05)


def shows(*needles: str) -> Callable[[int, bytes], bool]:
    return lambda status, body: status == 200 and all(n.encode() in body for n in needles)


def gone(status: int, body: bytes) -> bool:
    return status == 404


def lacks(*needles: str) -> Callable[[int, bytes], bool]:
    return lambda status, body: status == 200 and not any(n.encode() in body for n in needles)


def settle(session: serve.Session, quiet: float = 0.5) -> list[Rebuild]:
    """Wait (bounded) until nothing is pending and no rebuild finished for ``quiet`` seconds."""
    deadline = time.monotonic() + WAIT
    count, since = len(session.rebuilds), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if len(session.rebuilds) != count or session.watcher.debouncer.due_in() is not None:
            count, since = len(session.rebuilds), time.monotonic()
        elif time.monotonic() - since >= quiet:
            return list(session.rebuilds)
    raise AssertionError(f"the session never settled: {len(session.rebuilds)} rebuilds")


class Client:
    """One keep-alive client requesting ``paths`` in turn until stopped; every response must be whole.

    Paths in ``may_vanish`` may answer 404 while files move; every other path must answer 200.
    """

    def __init__(self, session: serve.Session, paths: list[str], may_vanish: Iterable[str] = ()) -> None:
        self.session, self.paths, self.may_vanish = session, paths, set(may_vanish)
        self.port = session.server.server_address[1]
        self.failures: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.temp_keys: set[str] = set()  # editor temp files seen among a generation's output paths
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stress-client", daemon=True)

    def __enter__(self) -> Client:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=15)
        assert not self._thread.is_alive()

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        seen_generation = None
        i = 0
        while not self._stop.is_set():
            gen = self.session.server.generation
            if gen is not seen_generation:
                seen_generation = gen
                self.temp_keys |= {k for k in gen if any(t in k for t in TEMP_NAMES)}
            path = self.paths[i % len(self.paths)]
            i += 1
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                status, length, kind = (
                    resp.status,
                    resp.getheader("Content-Length"),
                    resp.getheader("Content-Type"),
                )
                body = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(f"{path}: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                continue
            self.statuses[status] += 1
            if status != 200 and not (status == 404 and path in self.may_vanish):
                self.failures.append(f"{path}: status {status}")
            elif length is None or int(length) != len(body):
                self.failures.append(f"{path}: {len(body)} bytes, Content-Length {length}")
            elif (kind or "").startswith("text/html") and not body.rstrip().endswith(b"</html>"):
                self.failures.append(f"{path}: HTML page does not end in </html>")
            elif path.endswith("feed.xml") and not body.rstrip().endswith(b"</rss>"):
                self.failures.append(f"{path}: feed does not end in </rss>")
        conn.close()


def slow_save(path: Path, body: str) -> None:
    """A plain save (truncate, write) by a slow writer: for a moment the file is empty, then half there."""
    with path.open("w") as f:
        f.flush()
        time.sleep(0.001)
        f.write(body[: len(body) // 2])
        f.flush()
        time.sleep(0.001)
        f.write(body[len(body) // 2 :])


def save_burst(root: Path, targets: list[int], saves: int, seconds: float, slow: bool) -> dict[int, int]:
    """``saves`` plain saves spread evenly over ``seconds``, cycling over ``targets``.

    Returns each post's last save number: the text the server must end up showing.
    """
    last: dict[int, int] = {}
    started = time.monotonic()
    for save in range(1, saves + 1):
        n = targets[save % len(targets)]
        path = root / f"content/weeknotes/post-{n}.md"
        if slow:
            slow_save(path, post(n, save))
        else:
            path.write_text(post(n, save))
        last[n] = save
        time.sleep(max(0.0, started + save * seconds / saves - time.monotonic()))
    return last


@pytest.mark.parametrize(
    ("spread", "saves", "seconds"),
    [(1, 200, 1.0), (10, 200, 1.0), (1, 500, 3.0)],
    # 3 s: the debouncer's longest wait cuts the burst, and a slow writer leaves the file empty or
    # half written at times: a build that reads it then must not be shown (the post would vanish)
    ids=["one-post", "ten-posts", "one-post-3s-slow-writer"],
)
def test_bursts_of_saves(
    running: Callable[..., tuple[Path, serve.Session, Reporter]], spread: int, saves: int, seconds: float
) -> None:
    root, session, reporter = running(weeknotes())
    targets = list(range(1, spread + 1))
    paths = [url(n) for n in targets] + [
        "/",
        "/weeknotes/",
        "/weeknotes/feed.xml",
        url(POSTS),
        "/tags/stress/",
    ]
    with Client(session, paths) as client:
        started = time.monotonic()
        last = save_burst(root, targets, saves, seconds, slow=seconds > 1)
        took = time.monotonic() - started
        for n in range(1, POSTS + 1):
            wait_for(session, url(n), shows(text(n, last.get(n, 0))))
        wait_for(
            session, "/weeknotes/feed.xml", shows(*(text(n, last.get(n, 0)) for n in range(1, POSTS + 1)))
        )
        rebuilds = settle(session)
    print(
        f"{spread} post(s): {saves} saves in {took:.2f} s, {len(rebuilds)} rebuilds "
        f"({sum(not r.ok for r in rebuilds)} failed), {client.requests} requests, {client.failures=}"
    )
    assert took < seconds + 1
    assert client.failures == [] and client.requests > 50
    assert 1 <= len(rebuilds) <= 30, f"debounce: {len(rebuilds)} rebuilds for {saves} saves"
    assert rebuilds[-1].ok and session.server.events.error is None, printed_by(reporter)
    for n in range(1, POSTS + 1):  # settled: the final text of every post, last save wins
        assert text(n, last.get(n, 0)).encode() in get(client.port, url(n))[1]
    assert get(client.port, "/")[0] == 200  # still serving


def test_folders_renamed_then_deleted_while_serving(
    running: Callable[..., tuple[Path, serve.Session, Reporter]],
) -> None:
    files = weeknotes(8, folder="content/weeknotes/2026")
    files["content/weeknotes/keep.md"] = POST.format(n=20, body="Kept post.", filler="")
    files |= {f"content/guides/guide-{n}.md": GUIDE.format(n=n) for n in range(1, 5)}
    root, session, reporter = running(files)
    kept = "/weeknotes/2026/10/keep/"
    assert get(session.server.server_address[1], "/guides/guide-1/")[0] == 200
    moving = ["/guides/", "/guides/guide-1/", "/handbook/", "/handbook/guide-1/", url(1), url(5)]
    steady = ["/", "/about/", kept, "/weeknotes/", "/sitemap.xml", "/weeknotes/feed.xml"]
    with Client(session, moving + steady, may_vanish=moving) as client:
        # a section folder renamed: its pages move to the new URLs, the old ones are gone
        rename(root / "content/guides", root / "content/handbook")
        wait_for(session, "/handbook/guide-1/", shows("Guide 1 text."))
        wait_for(session, "/handbook/", shows('href="/handbook/guide-'))
        wait_for(session, "/guides/guide-1/", gone)
        wait_for(session, "/guides/", gone)
        wait_for(session, "/sitemap.xml", lacks("/guides/"))

        # a year folder renamed: weeknote URLs come from the date, so they stay; the watch follows the move
        before = len(session.rebuilds)
        rename(root / "content/weeknotes/2026", root / "content/weeknotes/archive-2026")
        assert len(session.wait_rebuilds(before + 1, timeout=WAIT)) > before
        assert get(client.port, url(5))[0] == 200
        (root / "content/weeknotes/archive-2026/post-5.md").write_text(post(5, 77))
        wait_for(session, url(5), shows(text(5, 77)))

        # then both deleted: their pages 404 and no list shows them
        shutil.rmtree(root / "content/handbook")
        wait_for(session, "/handbook/guide-1/", gone)
        wait_for(session, "/handbook/", gone)
        wait_for(session, "/sitemap.xml", lacks("/handbook/", "/guides/"))
        wait_for(session, "/", lacks("Guide 1"))
        shutil.rmtree(root / "content/weeknotes/archive-2026")
        for n in (1, 5, 8):
            wait_for(session, url(n), gone)
        wait_for(session, "/weeknotes/", lacks("Post 1<", "Post 5<", "post-8"))
        wait_for(session, "/weeknotes/feed.xml", lacks("Body of post"))
        wait_for(session, "/sitemap.xml", lacks("post-1/", "post-5/"))
        wait_for(session, kept, shows("Kept post."))
        rebuilds = settle(session)
    print(f"folders: {len(rebuilds)} rebuilds, {client.requests} requests {dict(client.statuses)}")
    assert client.failures == [] and client.requests > 20
    assert rebuilds[-1].ok and session.server.events.error is None, printed_by(reporter)


def atomic_save(path: Path, body: str, temp: str) -> None:
    """Write a temp file beside ``path``, then rename it over ``path`` (most editors, vim on some files)."""
    tmp = path.with_name(temp)
    tmp.write_text(body)
    rename(tmp, path)


def backup_save(path: Path, body: str, keep_backup: bool) -> None:
    """vim's writebackup: probe with ``4913``, move the file to ``name~``, write anew, maybe drop it."""
    probe = path.with_name("4913")
    probe.write_text("")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    rename(path, backup)
    path.write_text(body)
    if not keep_backup:
        backup.unlink()


def test_editor_atomic_and_backup_saves(running: Callable[..., tuple[Path, serve.Session, Reporter]]) -> None:
    root, session, reporter = running(weeknotes())
    folder = root / "content/weeknotes"
    paths = [url(3), url(4), url(5), "/weeknotes/", "/weeknotes/feed.xml", "/sitemap.xml"]
    temps = ["post-3.md.tmp~", ".post-3.md.swp", "4913", ".#post-3.md", "post-3.md.tmp", ".post-3.md.swx"]
    save = 0
    # a backup save has an instant with no post.md; a longest-wait cut there may show a 404 for a moment
    with Client(session, paths, may_vanish=[url(4), url(5)]) as client:
        for round_ in range(30):
            pause = 0.15 if round_ % 5 == 4 else 0.01  # some saves straddle the 100 ms quiet window
            save += 1
            atomic_save(folder / "post-3.md", post(3, save), temps[round_ % len(temps)])
            backup_save(folder / "post-4.md", post(4, save), keep_backup=round_ % 2 == 0)
            rename(folder / "post-5.md", folder / "post-5.md~")  # emacs: backup by rename, then write
            (folder / "post-5.md").write_text(post(5, save))
            time.sleep(pause)
        for n in (3, 4, 5):
            wait_for(session, url(n), shows(text(n, save)))
        wait_for(session, "/weeknotes/feed.xml", shows(text(3, save), text(4, save), text(5, save)))
        rebuilds = settle(session)
    print(
        f"editor saves: {save} rounds, {len(rebuilds)} rebuilds, {client.requests} requests "
        f"{dict(client.statuses)}, temp keys {sorted(client.temp_keys)}"
    )
    assert (folder / "post-5.md~").exists()  # the backups are still there, and still no pages
    assert client.failures == [] and client.requests > 20
    assert client.temp_keys == set()
    keys = set(session.server.generation)
    assert not {k for k in keys if any(t in k for t in TEMP_NAMES)}
    assert sum(k.startswith("weeknotes/2026/10/") and k.endswith("/index.html") for k in keys) == POSTS + 1
    assert rebuilds[-1].ok and session.server.events.error is None, printed_by(reporter)


def test_delete_and_recreate_and_add_then_remove(
    running: Callable[..., tuple[Path, serve.Session, Reporter]],
) -> None:
    root, session, reporter = running(weeknotes())
    folder = root / "content/weeknotes"
    new = "/weeknotes/2026/10/post-25/"
    paths = [url(4), url(6), new, "/weeknotes/", "/weeknotes/feed.xml", "/sitemap.xml", "/"]
    with Client(session, paths, may_vanish=[url(4), url(6), new]) as client:
        # deleted and re-created at once, inside one debounce window
        (folder / "post-4.md").unlink()
        (folder / "post-4.md").write_text(post(4, 1))
        wait_for(session, url(4), shows(text(4, 1)))

        # deleted, built without it, then re-created
        (folder / "post-6.md").unlink()
        wait_for(session, url(6), gone)
        wait_for(session, "/weeknotes/feed.xml", lacks(text(6, 0)))
        (folder / "post-6.md").write_text(post(6, 2))
        wait_for(session, url(6), shows(text(6, 2)))
        wait_for(session, "/weeknotes/feed.xml", shows(text(6, 2)))

        # a new post added then removed inside the debounce window: never a page
        before = len(session.rebuilds)
        (folder / "post-25.md").write_text(post(25, 3))
        time.sleep(0.02)
        (folder / "post-25.md").unlink()
        assert len(session.wait_rebuilds(before + 1, timeout=WAIT)) > before
        settle(session)
        assert get(client.port, new)[0] == 404

        # a new post added, shown, then removed: gone from its URL and from every list
        (folder / "post-25.md").write_text(post(25, 4))
        wait_for(session, new, shows(text(25, 4)))
        wait_for(session, "/weeknotes/feed.xml", shows(text(25, 4)))
        (folder / "post-25.md").unlink()
        wait_for(session, new, gone)
        for path in ("/weeknotes/", "/weeknotes/feed.xml", "/sitemap.xml", "/", "/tags/stress/"):
            wait_for(session, path, lacks("post-25", text(25, 4)))

        # and the quick version of all of it in one burst, ten times over
        for i in range(10):
            (folder / "post-4.md").unlink()
            (folder / "post-4.md").write_text(post(4, 10 + i))
            (folder / "post-25.md").write_text(post(25, 10 + i))
            (folder / "post-25.md").unlink()
            time.sleep(0.03)
        wait_for(session, url(4), shows(text(4, 19)))
        rebuilds = settle(session)
        assert get(client.port, new)[0] == 404
        assert text(4, 19).encode() in get(client.port, "/weeknotes/feed.xml")[1]
    print(f"delete/re-create: {len(rebuilds)} rebuilds, {client.requests} requests {dict(client.statuses)}")
    assert client.failures == [] and client.requests > 20
    assert "weeknotes/2026/10/post-25/index.html" not in session.server.generation
    assert rebuilds[-1].ok and session.server.events.error is None, printed_by(reporter)


@pytest.mark.parametrize("top", ["content", "static"])
def test_a_top_folder_replaced_while_serving(
    running: Callable[..., tuple[Path, serve.Session, Reporter]], top: str, tmp_path: Path
) -> None:
    # rm -rf and copy back, or a branch switch: the folder at content/ or static/ is a new one, and the
    # watch must follow it (inotify drops a deleted folder's watch, and follows a moved one elsewhere)
    files = weeknotes(6) | {"static/css/extra.css": "p { color: red }\n"}
    root, session, reporter = running(files)
    folder, aside = root / top, tmp_path / "aside"
    paths = [url(1), url(2), url(3), "/weeknotes/", "/css/extra.css", "/css/new.css"]
    with Client(session, paths, may_vanish=paths) as client:
        rename(folder, aside)  # moved out of the site: gone
        wait_for(session, url(1) if top == "content" else "/css/extra.css", gone)
        if top == "content":
            (aside / "weeknotes/post-2.md").write_text(post(2, 5))  # followed by no watch any more
            (aside / "weeknotes/post-3.md").unlink()
        else:
            (aside / "css/extra.css").write_text("p { color: green }\n")
        shutil.copytree(aside, folder)  # and a new folder in its place
        if top == "content":
            wait_for(session, url(2), shows(text(2, 5)))
            wait_for(session, url(3), gone)
            wait_for(session, "/weeknotes/feed.xml", lacks(text(3, 0)))
            settle(session)
            (folder / "weeknotes/post-1.md").write_text(post(1, 6))  # the new folder is watched
            wait_for(session, url(1), shows(text(1, 6)))
            (aside / "weeknotes/post-1.md").write_text(post(1, 7))  # the old one is not
        else:
            wait_for(session, "/css/extra.css", shows("green"))
            settle(session)
            (folder / "css/new.css").write_bytes(b"p { color: blue }\n")  # the new folder is watched
            wait_for(session, "/css/new.css", shows("blue"))
            (aside / "css/other.css").write_text("p { color: black }\n")  # the old one is not
        rebuilds = settle(session)
    print(f"{top}/ replaced: {len(rebuilds)} rebuilds, {client.requests} requests {dict(client.statuses)}")
    assert client.failures == []
    port = client.port
    if top == "content":
        assert text(1, 6).encode() in get(port, url(1))[1]
    else:
        assert get(port, "/css/new.css") == (200, b"p { color: blue }\n")
        assert get(port, "/css/other.css")[0] == 404
    assert rebuilds[-1].ok and session.server.events.error is None, printed_by(reporter)


def test_a_stale_build_is_dropped_unseen_and_its_edits_built_next(make_site: Callable[..., Path]) -> None:
    root = make_site(weeknotes(3))
    reporter = Reporter(io.StringIO(), io.StringIO())
    builder = Builder(root, BuildOptions(search=False), load_config(root), reporter)
    assert builder.build().ok
    first = builder.current
    path = "content/weeknotes/post-1.md"
    changes = ChangeSet(((path, ChangeKind.CONTENT),))
    (root / path).write_text("")  # caught mid-save: empty, so the post would vanish for one build
    outcome = builder.build(changes, stale=lambda: True)
    assert outcome.dropped and not outcome.ok
    assert builder.current is first and "empty" not in printed_by(reporter)
    (root / path).write_text(post(1, 9))
    other = ChangeSet((("content/weeknotes/post-2.md", ChangeKind.CONTENT),))
    assert builder.build(other, stale=lambda: False).ok  # the dropped build's edit is built with this one
    assert text(1, 9).encode() in builder.current["weeknotes/2026/10/post-1/index.html"]  # type: ignore[operator]
