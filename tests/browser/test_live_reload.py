"""Live reload in headless Chromium against the real ``serve``: edit, break, fix."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from site_builder.commands import serve
from site_builder.model import BuildOptions
from site_builder.report import Reporter

pytestmark = pytest.mark.browser

POST = "---\ntitle: Week one\ndate: 2026-10-05\n---\n\n{body}\n"
BROKEN = "---\ntitle: [this list is never closed\ndate: 2026-10-05\n---\n\nHalf-typed.\n"
WAIT_MS = 10_000


@pytest.fixture
def session(make_site: Callable[..., Path]) -> Iterator[serve.Session]:
    root = make_site(
        {
            "content/weeknotes/week-1.md": POST.format(body="The first version."),
            "content/about.md": "---\ntitle: About\n---\n\nAbout us.\n",
            "static/css/print.css": "@media print { nav { display: none } }\n",
        },
        config='title = "Live"\nbase_url = "https://example.org/team/"\ntimezone = "Europe/London"\n',
    )
    started = serve.start(root, "127.0.0.1", 0, BuildOptions(), Reporter(io.StringIO(), io.StringIO()))
    yield started
    started.stop()


def test_edit_break_and_fix_a_post(session: serve.Session, page: Any) -> None:
    from playwright.sync_api import expect

    post = session.builder.root / "content/weeknotes/week-1.md"
    url = session.url + "weeknotes/2026/10/week-1/"
    assert "/team/" in url  # served under the base_url's path
    page.goto(url)
    expect(page.locator("main")).to_contain_text("The first version.")
    page.wait_for_function("window.__sbOpen === true", timeout=WAIT_MS)

    post.write_text(POST.format(body="The second version, saved in the editor."))
    expect(page.locator("main")).to_contain_text("The second version", timeout=WAIT_MS)
    assert page.url == url  # the tab reloaded itself; the test never navigated

    post.write_text(BROKEN)
    overlay = page.locator("#sb-overlay")
    expect(overlay).to_be_visible(timeout=WAIT_MS)
    expect(overlay).to_contain_text("content/weeknotes/week-1.md")
    expect(page.locator("main")).to_contain_text("The second version")  # the last good page stays

    page.reload()  # a tab (re)opened while the build is broken shows the overlay too
    expect(overlay).to_be_visible(timeout=WAIT_MS)

    post.write_text(POST.format(body="The fixed version."))
    expect(page.locator("main")).to_contain_text("The fixed version.", timeout=WAIT_MS)
    expect(overlay).to_have_count(0)
    outcomes = [r.ok for r in session.rebuilds]
    assert outcomes[-3:] == [True, False, True]
    assert not (session.builder.root / "output").exists()  # every generation lived in memory


def test_css_change_swaps_stylesheets_without_a_reload(session: serve.Session, page: Any) -> None:
    from playwright.sync_api import expect

    static = session.builder.root / "static" / "css"
    page.goto(session.url + "about/")
    page.wait_for_function("window.__sbOpen === true", timeout=WAIT_MS)
    page.evaluate("window.__notReloaded = 42")
    css = page.locator('link[rel="stylesheet"]').first
    before = css.get_attribute("href")
    (static / "site.css").write_text("body { background: rgb(1, 2, 3); }\n")  # overrides the theme's
    expect(css).not_to_have_attribute("href", before or "", timeout=WAIT_MS)
    page.wait_for_function(
        "getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'", timeout=WAIT_MS
    )
    assert page.evaluate("window.__notReloaded") == 42
