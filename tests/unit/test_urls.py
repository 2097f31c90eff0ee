"""urls: permalink tokens, normalising, the base path and absolute URLs."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from site_builder.urls import UnsafePath, absolute, normalise, paged, permalink, slugify, with_base

# 1 January 2027 is a Friday in ISO week 53 of 2026
NEW_YEAR = dt.datetime(2027, 1, 1, 9, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.parametrize(
    ("pattern", "url"),
    [
        ("/:section/:year/:month/:slug/", "/weeknotes/2027/01/shipping/"),
        ("/:year/:i_month/:i_day/:title/", "/2027/1/1/shipping/"),
        ("/:section/:day-:slug/", "/weeknotes/01-shipping/"),
        ("/:isoyear/week-:isoweek/:slug/", "/2026/week-53/shipping/"),
        ("/blog/:categories/:slug/", "/blog/open-data/news/shipping/"),
        ("/:section/:slug.html", "/weeknotes/shipping.html"),
        (":slug", "/shipping/"),
    ],
)
def test_permalink_tokens(pattern: str, url: str) -> None:
    got = permalink(
        pattern, slug="shipping", section="weeknotes", date=NEW_YEAR, categories=("Open Data", "news")
    )
    assert got == url


def test_an_unknown_token_is_not_a_safe_path() -> None:
    """``:yearly`` is no token: left in place, its colon would make a URL that is no site path."""
    with pytest.raises(UnsafePath, match="':'"):
        permalink("/:section/:yearly/:slug/", slug="shipping", section="weeknotes", date=NEW_YEAR)


def test_permalink_without_a_date_drops_date_tokens() -> None:
    assert (
        permalink("/:section/:year/:month/:slug/", slug="about", section="pages", date=None)
        == "/pages/about/"
    )


def test_permalink_uses_the_date_in_the_site_time_zone() -> None:
    # 23:30 on 31 December in New York is already 1 January in UTC; the site is in New York
    late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert permalink("/:year/:month/:day/:slug/", slug="x", section="", date=late) == "/2026/12/31/x/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("about", "/about/"),
        ("/about", "/about/"),
        ("//a///b//", "/a/b/"),
        ("/feed.xml", "/feed.xml"),
        ("/docs/v1.2/guide", "/docs/v1.2/guide/"),
        ("", "/"),
        ("/", "/"),
        ("  /spaced/ ", "/spaced/"),
        ("/a/./b/../c", "/a/c/"),
        ("/a/b.html/", "/a/b.html/"),  # a trailing slash says "folder", even with a dot
        # never above the root: front matter must not name a file outside the output folder
        ("/../../etc/", "/etc/"),
        ("..", "/"),
        ("/x/../../../y.html", "/y.html"),
    ],
)
def test_normalise(url: str, expected: str) -> None:
    assert normalise(url) == expected


@pytest.mark.parametrize(
    ("base_path", "url", "expected"),
    [
        ("/", "/weeknotes/", "/weeknotes/"),
        ("/repo/", "/weeknotes/", "/repo/weeknotes/"),
        ("/repo/", "/", "/repo/"),
        ("/repo", "/css/site.css", "/repo/css/site.css"),
        ("/repo/", "https://example.org/x/", "https://example.org/x/"),
        ("/repo/", "//cdn.example.org/x.js", "//cdn.example.org/x.js"),
        ("/repo/", "#notes", "#notes"),
        ("/repo/", "relative/page/", "relative/page/"),
    ],
)
def test_with_base(base_path: str, url: str, expected: str) -> None:
    assert with_base(base_path, url) == expected


@pytest.mark.parametrize(
    ("base_url", "url", "expected"),
    [
        ("https://example.org/", "/weeknotes/a/", "https://example.org/weeknotes/a/"),
        ("https://org.github.io/repo/", "/weeknotes/a/", "https://org.github.io/repo/weeknotes/a/"),
        ("https://org.github.io/repo/", "/", "https://org.github.io/repo/"),
        ("https://org.github.io/repo/", "/feed.xml", "https://org.github.io/repo/feed.xml"),
        ("https://org.github.io/repo/", "https://other.example/", "https://other.example/"),
    ],
)
def test_absolute_honours_the_base_path(base_url: str, url: str, expected: str) -> None:
    assert absolute(base_url, url) == expected


def test_paged() -> None:
    assert paged("/tags/beta/", 1) == "/tags/beta/"
    assert paged("/tags/beta/", 3) == "/tags/beta/page/3/"


def test_slugify_never_returns_empty() -> None:
    assert slugify("Über Café!") == "uber-cafe"
    assert slugify("!!!") == "untitled"


def test_a_permalink_cannot_climb_out_of_the_site() -> None:
    for pattern in ("/../../:slug/", "/x/%2e%2e/%2E%2E/:slug/", "/..%2f..%2f:slug/"):
        with pytest.raises(UnsafePath, match=r"'\.\.' segment"):
            permalink(pattern, slug="pwned", section="contributions", date=None)
