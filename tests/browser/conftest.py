"""Headless Chromium for browser tests (README, "Set up"; `.ci/run` installs it).

Tests here take the ``browser`` fixture. Without Chromium they skip on a developer machine, and
fail under ``CI=true``: CI must never pass by skipping them.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium under CI=true: .ci/run must install it (apt-get install chromium)")
        pytest.skip("no chromium: apt-get install -y chromium (or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    opened = context.new_page()
    yield opened
    context.close()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_folder(root: Path, mount: str = "/") -> tuple[ThreadingHTTPServer, str]:
    """Serve ``root`` on 127.0.0.1 at a free port; ``mount`` is the URL path it appears under."""

    class Handler(_Quiet):
        def translate_path(self, path: str) -> str:
            if mount != "/" and path.startswith(mount):
                path = "/" + path[len(mount) :]
            return super().translate_path(path)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}{mount}"


@pytest.fixture
def static_server() -> Iterator[Any]:
    """A function ``(root, mount="/") -> base URL``; every server started is stopped at the end."""
    started: list[ThreadingHTTPServer] = []

    def start(root: Path, mount: str = "/") -> str:
        httpd, url = serve_folder(root, mount)
        started.append(httpd)
        return url

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()
