"""Hostile contributions in a real browser (SECURITY.md): home, list, tag and contribution pages load
in headless Chromium with every payload, and no dialog ever opens.

Each payload calls ``alert``, ``confirm`` or ``prompt`` if it ever runs; event handlers are fired
on every element after load, so a handler that slipped through would run too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from site_builder.cli import main

pytestmark = pytest.mark.browser

BODIES = [
    "<script>alert('body-script')</script>",
    "<img src=x onerror=alert('img-onerror')>",
    "<svg onload=confirm('svg-onload')></svg>",
    "[click](javascript:alert('md-js'))",
    "[click](JaVaScRiPt:alert('md-case'))",
    "[click](java&#x09;script:alert('md-tab'))",
    "<javascript:alert('autolink')>",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "text{onmouseover=\"alert('attr')\"}",
    "![x](/x.png){onerror=\"alert('img-attr')\"}",
    '[x](https://ok.example "a\\" onmouseover=\\"alert(\'title\')")',
    "## Main {#main}\n\n<a href=#main>skip</a>",
    "[a](/files/x.pdf?a=\"><script>alert('query')</script>)",
    "{{ 7*7 }} {% raw %}<script>alert('raw')</script>{% endraw %}",
    "<details open ontoggle=prompt('toggle')>x</details>",
]
FRONT = [
    {"title": "<script>alert('title')</script>"},
    {"summary": "<img src=x onerror=alert('summary')>"},
    {"contributor": {"name": "<svg onload=alert('name')>", "organisation": '"><script>alert(1)</script>'}},
    {"tags": ["\"><img src=x onerror=alert('tag')>"], "tools": ["<script>alert('tool')</script>"]},
    {"slug": "\"><script>alert('slug')</script>"},
    {"image": "/x.png", "image_alt": "\" onerror=\"alert('alt')"},
]
INDEX = "---\ntitle: Community <script>alert('index')</script>\n---\n<script>alert('index-body')</script>\n"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("hostile-browser")
    (site / "site.toml").write_text('title = "Hostile"\nbase_url = "https://example.org/"\n')
    folder = site / "content" / "contributions"
    folder.mkdir(parents=True)
    (folder / "_index.md").write_text(INDEX)
    base: dict[str, Any] = {"date": "2026-10-01", "contributor": {"name": "Sam"}, "tags": ["hostile"]}
    for n, body in enumerate(BODIES):
        front = json.dumps({**base, "title": f"Body {n}"})
        (folder / f"body-{n}.md").write_text(f"---\n{front}\n---\nBefore.\n\n{body}\n")
    for n, fields in enumerate(FRONT):
        front = json.dumps({**base, "title": f"Front {n}", **fields})
        (folder / f"front-{n}.md").write_text(f"---\n{front}\n---\nA body linking [one](body-0.md).\n")
    # The control: team content may hold a script, so the test sees that dialogs are caught at all.
    (site / "content" / "notes").mkdir()
    (site / "content" / "notes" / "control.md").write_text(
        "---\ntitle: Control\n---\n<script>alert('control')</script>\n"
    )
    assert main(["build", str(site)]) == 0
    return site / "output"


def test_no_dialog_opens_on_any_page(
    hostile_site: Path, page: Any, static_server: Callable[..., str]
) -> None:
    base = static_server(hostile_site)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{page.url}: {d.message}"), d.dismiss()))
    urls = [
        "notes/control/",
        "",
        "contributions/",
        "tags/",
        "tags/hostile/",
        "feed.xml",
        "feed.json",
        "sitemap.xml",
    ]
    urls += sorted(
        p.parent.relative_to(hostile_site).as_posix() + "/"
        for p in (hostile_site / "contributions").glob("*/index.html")
    )
    assert len(urls) > len(BODIES) + len(FRONT)
    for url in urls:
        page.goto(base + url, wait_until="load")
        page.evaluate(
            """() => { for (const el of document.querySelectorAll('*')) {
                for (const type of ['mouseover', 'focus', 'error', 'load', 'toggle', 'animationstart'])
                    el.dispatchEvent(new Event(type)); } }"""
        )
        page.wait_for_timeout(50)
    assert dialogs == [f"{base}notes/control/: control"]
    page.goto(base + "contributions/body-11/", wait_until="load")
    assert page.evaluate("() => document.querySelectorAll('[id=main]').length") == 1
