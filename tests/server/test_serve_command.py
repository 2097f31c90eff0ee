"""``site-builder serve`` as a whole: broken first build, config errors, Ctrl-C, the real CLI."""

from __future__ import annotations

import http.client
import io
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from site_builder.commands import serve
from site_builder.config import load_config
from site_builder.model import BuildOptions
from site_builder.pipeline import Changes, build
from site_builder.report import Reporter
from site_builder.serve.builder import Builder
from site_builder.serve.watch import ChangeKind, ChangeSet

REPO = Path(__file__).resolve().parents[2]
POST = "---\ntitle: Hello\ndate: 2026-10-05\n---\n\n{body}\n"


def get(url: str) -> tuple[int, bytes]:
    rest = url.split("//", 1)[1]
    hostport, _, path = rest.partition("/")
    host, port = hostport.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", "/" + path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def quiet() -> Reporter:
    return Reporter(io.StringIO(), io.StringIO())


def test_a_broken_first_build_still_serves_and_shows_the_error(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/weeknotes/hello.md": "---\ntitle: [oops\n---\n\nText.\n"})
    session = serve.start(root, "127.0.0.1", 0, BuildOptions(), quiet())
    try:
        assert session.builder.errors
        assert session.server.events.error is not None
        assert "content/weeknotes/hello.md" in session.server.events.error
        status, body = get(session.url)
        assert status == 404 and b"/_sb/live.js" in body  # the overlay script still loads
        before = len(session.rebuilds)
        (root / "content/weeknotes/hello.md").write_text(POST.format(body="Fixed."))
        done = session.wait_rebuilds(before + 1, timeout=30)
        assert done[-1].ok and session.server.events.error is None
        assert get(session.url + "weeknotes/2026/10/hello/")[0] == 200
    finally:
        session.stop()


def test_a_config_error_while_serving_is_an_error_event(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/weeknotes/hello.md": POST.format(body="Hi.")})
    log = io.StringIO()
    session = serve.start(root, "127.0.0.1", 0, BuildOptions(), Reporter(log, io.StringIO()))
    try:
        good = (root / "site.toml").read_text()
        (root / "site.toml").write_text(good + "\nnot toml at all = = =\n")
        done = session.wait_rebuilds(1, timeout=30)
        assert not done[-1].ok
        assert "site.toml" in (session.server.events.error or "")
        assert get(session.url + "weeknotes/2026/10/hello/")[0] == 200  # the last good site
        (root / "site.toml").write_text(good.replace("https://example.org/", "https://example.org/moved/"))
        done = session.wait_rebuilds(2, timeout=30)
        assert done[-1].ok
        assert session.url.endswith("/moved/")
        assert get(session.url + "weeknotes/2026/10/hello/")[0] == 200
        assert "Now serving at" in log.getvalue()
    finally:
        session.stop()


def test_rebuild_log_line(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/weeknotes/hello.md": POST.format(body="Hi.")})
    log = io.StringIO()
    session = serve.start(root, "127.0.0.1", 0, BuildOptions(), Reporter(log, io.StringIO()))
    try:
        (root / "content/weeknotes/hello.md").write_text(POST.format(body="Hi again."))
        assert session.wait_rebuilds(1, timeout=30)[-1].ok
    finally:
        session.stop()
    lines = log.getvalue().splitlines()
    assert re.fullmatch(r"Built \d+ pages?, \d+ feeds? in \d+ ms\.", lines[0])
    assert re.fullmatch(
        r"Rebuilt \d+ pages?, \d+ feeds? in \d+ ms \(content/weeknotes/hello\.md\)", lines[-1]
    )


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="Windows cannot send Ctrl-C to one child process: Popen.send_signal has no SIGINT there, "
    "and CTRL_BREAK_EVENT to a new process group is not KeyboardInterrupt",
)
def test_cli_serve_then_sigint(make_site: Callable[..., Path], tmp_path: Path) -> None:
    root = make_site({"content/weeknotes/hello.md": POST.format(body="Hi.")})
    env = {**os.environ, "PYTHONPATH": str(REPO), "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "site_builder", "serve", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        serving = next(line for line in lines if line.startswith("Serving"))
        url = serving.split(" at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        assert get(url)[0] == 200
        assert any(p.name.startswith("site-builder-serve-") for p in tmp_path.iterdir())
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does
        out, err = proc.communicate(timeout=120)  # it waits for the search index it started
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "Stopping." in out
    assert not (root / "output").exists()  # a preview writes no output folder
    assert not any(p.name.startswith("site-builder-serve-") for p in tmp_path.iterdir())


def test_search_index_is_built_once_off_the_builder_thread_and_kept(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/weeknotes/hello.md": POST.format(body="Findable words.")})
    session = serve.start(root, "127.0.0.1", 0, BuildOptions(), quiet())
    search = session.builder.search
    try:
        assert search is not None and search.folder is not None
        assert search.wait(timeout=60)
        status, body = get(session.url + "pagefind/pagefind.js")
        assert status == 200 and body
        (root / "content/weeknotes/hello.md").write_text(POST.format(body="Edited."))
        assert session.wait_rebuilds(1, timeout=30)[-1].ok
        assert get(session.url + "pagefind/pagefind.js")[0] == 200  # later generations keep the index
        assert b"Edited." in get(session.url + "weeknotes/2026/10/hello/")[1]
        assert not (root / "output").exists()
    finally:
        session.stop()
    assert not search.folder.exists()


def test_no_search_writes_nothing_at_all(make_site: Callable[..., Path]) -> None:
    root = make_site({"content/weeknotes/hello.md": POST.format(body="Hi.")})
    session = serve.start(root, "127.0.0.1", 0, BuildOptions(search=False), quiet())
    try:
        assert session.builder.search is None
        assert get(session.url + "weeknotes/2026/10/hello/")[0] == 200
        assert get(session.url + "pagefind/pagefind.js")[0] == 404
    finally:
        session.stop()


def test_the_pipeline_is_told_what_changed_since_the_last_good_build(
    make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"content/weeknotes/hello.md": POST.format(body="Hi.")})
    calls: list[tuple[str, frozenset[Path] | None]] = []

    def spy(config: Any, opts: BuildOptions, changes: Changes, **kwargs: Any) -> Any:
        calls.append((kwargs["goal"].value, changes.paths))
        assert opts.base_url is None and kwargs["memory_of"] is builder.memory
        return build(config, opts, changes, **kwargs)

    monkeypatch.setattr("site_builder.serve.builder.build", spy)
    builder = Builder(root, BuildOptions(search=False), load_config(root), quiet())
    hello, other = "content/weeknotes/hello.md", "content/weeknotes/other.md"
    assert builder.build().ok
    (root / hello).write_text("---\ntitle: [oops\n---\n")
    assert not builder.build(ChangeSet(((hello, ChangeKind.CONTENT),))).ok
    (root / hello).write_text(POST.format(body="Fixed."))
    (root / other).write_text(POST.format(body="Other."))
    assert builder.build(ChangeSet(((other, ChangeKind.CONTENT),))).ok
    assert builder.build(ChangeSet(((other, ChangeKind.CONTENT),))).ok
    assert builder.build(ChangeSet((("site.toml", ChangeKind.CONFIG), (other, ChangeKind.CONTENT)))).ok
    assert calls == [
        ("preview", None),  # the first build: anything may have changed
        ("preview", frozenset({root / hello})),
        ("preview", frozenset({root / hello, root / other})),  # the failed build's edit is still unbuilt
        ("preview", frozenset({root / other})),
        ("preview", None),  # site.toml changed: anything may have
    ]
    assert b"Fixed." in builder.current["weeknotes/2026/10/hello/index.html"]  # type: ignore[operator]
