"""/subscribe/ lists every feed of the site by the page it follows (ARCHITECTURE.md's worked
example of adding a page type), and gives way to a page of the site's own at that URL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lxml import html

from site_builder.pipeline import BuildResult

POST = """\
---
title: {title}
date: 2026-10-0{day}
tags: [{tag}]
---
Words.
"""


def test_every_feed_is_listed_once_with_its_three_formats(
    make_site: Callable[..., Path], build: Callable[..., BuildResult]
) -> None:
    root = make_site(
        {
            "content/weeknotes/a.md": POST.format(title="A", day=1, tag="Maps"),
            "content/weeknotes/b.md": POST.format(title="B", day=2, tag="Forms"),
        }
    )
    assert build(root).written
    out = root / "output"
    page = html.fromstring((out / "subscribe" / "index.html").read_bytes())
    items = page.xpath("//ul[@class='feed-list']/li")
    pages = [li.xpath("a")[0].get("href") for li in items]
    assert pages[0] == "/" and len(pages) == len(set(pages))
    assert {"/weeknotes/", "/tags/maps/", "/tags/forms/", "/weeknotes/2026/10/"} <= set(pages)
    every_feed = {p.parent.relative_to(out).as_posix() for p in out.rglob("feed.xml")}
    assert {p.strip("/") or "." for p in pages} == every_feed  # a page for each folder with feeds
    for li in items:
        links = li.xpath("a")[1:]
        assert [a.text for a in links] == ["RSS", "Atom", "JSON Feed"]
        assert all((out / a.get("href").lstrip("/")).is_file() for a in links)
    assert "https://example.org/subscribe/" in (out / "sitemap.xml").read_text()


def test_a_page_of_the_site_at_that_url_takes_its_place(
    make_site: Callable[..., Path], build: Callable[..., BuildResult]
) -> None:
    root = make_site(
        {
            "content/weeknotes/a.md": POST.format(title="A", day=1, tag="Maps"),
            "content/subscribe.md": "---\ntitle: Get our newsletter\n---\nWrite to us.\n",
        }
    )
    result = build(root)
    assert result.written and not result.diagnostics.errors
    assert b"Get our newsletter" in (root / "output" / "subscribe" / "index.html").read_bytes()
