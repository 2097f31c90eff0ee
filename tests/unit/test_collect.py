"""collect (with links): what is published, in which order, neighbours, duplicate URLs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from site_builder.collect import collect, is_future
from site_builder.config import SiteConfig
from site_builder.diagnostics import Diagnostic, Severity
from site_builder.model import BuildOptions, Document, LeftOut, LinkRef, Site

MakeDoc = Callable[..., Document]
UTC = dt.UTC
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def run(
    docs: list[Document],
    *,
    now: dt.datetime = NOW,
    tz: str = "UTC",
    base_url: str = "https://example.org/",
    **opts: bool,
) -> tuple[Site, list[Diagnostic]]:
    config = SiteConfig(root=Path("."), timezone=tz, base_url=base_url)
    sections = sorted({d.section for d in docs if d.section})
    return collect(docs, sections, config, BuildOptions(now=now, **opts))


def test_drafts_and_future_posts_are_left_out_and_counted(make_doc: MakeDoc) -> None:
    docs = [
        make_doc("weeknotes/published.md", date="2026-06-01"),
        make_doc("weeknotes/draft.md", date="2026-06-02", draft=True),
        make_doc("weeknotes/future.md", date="2026-07-01"),
        make_doc("weeknotes/future-draft.md", date="2026-07-02", draft=True),
    ]
    site, problems = run(docs)
    assert problems == []
    assert list(site.docs) == ["weeknotes/published.md"]
    assert site.sections["weeknotes"].docs == ("weeknotes/published.md",)
    assert site.left_out == LeftOut(drafts=2, future=1)


def test_drafts_and_future_flags_include_them(make_doc: MakeDoc) -> None:
    docs = [
        make_doc("weeknotes/draft.md", date="2026-06-02", draft=True),
        make_doc("weeknotes/future.md", date="2026-07-01"),
    ]
    assert list(run(docs, drafts=True)[0].docs) == ["weeknotes/draft.md"]
    assert list(run(docs, future=True)[0].docs) == ["weeknotes/future.md"]
    assert sorted(run(docs, drafts=True, future=True)[0].docs) == [
        "weeknotes/draft.md",
        "weeknotes/future.md",
    ]


def test_nothing_of_a_draft_reaches_tags_or_authors(make_doc: MakeDoc) -> None:
    docs = [
        make_doc("weeknotes/a.md", date="2026-06-01", tags=("beta",)),
        make_doc(
            "weeknotes/secret.md", date="2026-06-02", draft=True, tags=("beta", "secret"), authors=("Spy",)
        ),
    ]
    site, _ = run(docs)
    assert sorted(site.taxonomies["tags"]) == ["beta"]
    assert site.taxonomies["tags"]["beta"].docs == ("weeknotes/a.md",)
    assert site.taxonomies["authors"] == {}


def date_only(day: str, tz: str, make_doc: MakeDoc) -> Document:
    return make_doc("weeknotes/today.md", date=day, tz=ZoneInfo(tz), date_only=True)


def test_today_is_not_future_when_utc_is_still_yesterday(make_doc: MakeDoc) -> None:
    # the classic build-server bug: 13:00 UTC on 14 June is already 01:00 on 15 June in Auckland (+12)
    now = dt.datetime(2026, 6, 14, 13, 0, tzinfo=UTC)
    doc = date_only("2026-06-15", "Pacific/Auckland", make_doc)
    site, _ = run([doc], now=now, tz="Pacific/Auckland")
    assert list(site.docs) == ["weeknotes/today.md"]
    assert site.left_out == LeftOut(0, 0)


def test_today_is_not_future_when_utc_is_already_tomorrow(make_doc: MakeDoc) -> None:
    # 03:00 UTC on 16 June is still 20:00 on 15 June in Los Angeles (PDT, -7)
    now = dt.datetime(2026, 6, 16, 3, 0, tzinfo=UTC)
    today = date_only("2026-06-15", "America/Los_Angeles", make_doc)
    tomorrow = make_doc("weeknotes/tomorrow.md", date="2026-06-16", tz=ZoneInfo("America/Los_Angeles"))
    site, _ = run([today, tomorrow], now=now, tz="America/Los_Angeles")
    assert list(site.docs) == ["weeknotes/today.md"]  # the 16th has not begun in Los Angeles
    assert site.left_out == LeftOut(0, 1)


def test_a_datetime_later_today_is_future(make_doc: MakeDoc) -> None:
    later = make_doc("weeknotes/later.md", date=dt.datetime(2026, 6, 15, 12, 1, tzinfo=UTC))
    earlier = make_doc("weeknotes/earlier.md", date=dt.datetime(2026, 6, 15, 11, 59, tzinfo=UTC))
    assert is_future(later, NOW)
    assert not is_future(earlier, NOW)
    assert not is_future(make_doc("about.md"), NOW)  # undated pages never are


def test_order_is_newest_first_and_undated_pages_by_title(make_doc: MakeDoc) -> None:
    docs = [
        make_doc("weeknotes/b.md", date="2026-02-01"),
        make_doc("weeknotes/c.md", date="2026-03-01"),
        make_doc("weeknotes/a.md", date="2026-01-01"),
        make_doc("zebra.md", title="Zebra"),
        make_doc("about.md", title="About us"),
    ]
    site, _ = run(docs)
    assert site.order == ("weeknotes/c.md", "weeknotes/b.md", "weeknotes/a.md")
    assert site.pages == ("about.md", "zebra.md")


def test_neighbours_within_a_section(make_doc: MakeDoc) -> None:
    docs = [
        make_doc("weeknotes/a.md", date="2026-01-01"),
        make_doc("weeknotes/b.md", date="2026-02-01"),
        make_doc("weeknotes/c.md", date="2026-03-01"),
        make_doc("case-studies/x.md", date="2026-02-15"),
    ]
    site, _ = run(docs)
    assert site.neighbours["weeknotes/a.md"] == (None, "weeknotes/b.md")  # (older, newer)
    assert site.neighbours["weeknotes/b.md"] == ("weeknotes/a.md", "weeknotes/c.md")
    assert site.neighbours["weeknotes/c.md"] == ("weeknotes/b.md", None)
    assert site.neighbours["case-studies/x.md"] == (None, None)  # never crosses into another section


def duplicates(problems: list[Diagnostic]) -> list[tuple[str, str]]:
    return [
        (p.path, p.message) for p in problems if p.code == "url/duplicate" and p.severity is Severity.ERROR
    ]


def test_duplicate_urls_name_both_files(make_doc: MakeDoc) -> None:
    docs = [make_doc("weeknotes/a.md", url="/same/"), make_doc("case-studies/b.md", url="/same/")]
    assert duplicates(run(docs)[1]) == [
        ("content/weeknotes/a.md", "/same/ is also the URL of content/case-studies/b.md")
    ]


def test_urls_differing_only_by_case_are_duplicates(make_doc: MakeDoc) -> None:
    docs = [make_doc("pages/a.md", url="/About/"), make_doc("pages/b.md", url="/about/")]
    assert duplicates(run(docs)[1]) == [
        ("content/pages/b.md", "/about/ is also the URL of content/pages/a.md")
    ]


def test_a_pretty_url_and_its_index_file_are_duplicates(make_doc: MakeDoc) -> None:
    docs = [make_doc("pages/a.md", url="/about/"), make_doc("pages/b.md", url="/about/index.html")]
    assert len(duplicates(run(docs)[1])) == 1


def test_an_alias_that_is_another_pages_url_is_a_duplicate(make_doc: MakeDoc) -> None:
    # aliases are written as people type them: without the leading or trailing slash
    docs = [
        make_doc("pages/a.md", url="/new/", aliases=("old-page",)),
        make_doc("pages/b.md", url="/old-page/"),
    ]
    assert duplicates(run(docs)[1]) == [
        ("content/pages/b.md", "/old-page/ is also the URL of content/pages/a.md")
    ]


def test_an_alias_of_the_page_itself_is_an_error(make_doc: MakeDoc) -> None:
    docs = [make_doc("pages/a.md", url="/about/", aliases=("/about",))]
    assert duplicates(run(docs)[1]) == [("content/pages/a.md", "the alias /about is this page's own URL")]


def test_draft_does_not_clash_with_the_published_page(make_doc: MakeDoc) -> None:
    docs = [make_doc("pages/a.md", url="/same/"), make_doc("pages/b.md", url="/same/", draft=True)]
    assert run(docs)[1] == []


# --- links between documents (links.resolve_links, run by collect) ---


def linked_docs(make_doc: MakeDoc) -> list[Document]:
    body = (
        '<p><a href="sb:weeknotes/b.md#what-we-did">b</a> <a href="sb:weeknotes/gone.md#">gone</a> '
        '<a href="sb:weeknotes/secret.md#">secret</a> <a href="sb:weeknotes/b.md#nope">nope</a> '
        '<img src="sb:/images/map.svg" alt=""></p>'
    )
    return [
        make_doc(
            "weeknotes/a.md",
            date="2026-01-01",
            html=body,
            summary_html='<p><a href="sb:weeknotes/b.md#">b</a></p>',
            links=(
                LinkRef("weeknotes/b.md", "what-we-did", 7),
                LinkRef("weeknotes/gone.md", "", 8),
                LinkRef("weeknotes/secret.md", "", 9),
                LinkRef("weeknotes/b.md", "nope", 10),
            ),
        ),
        make_doc(
            "weeknotes/b.md",
            date="2026-01-08",
            url="/weeknotes/2026/01/b/",
            html='<h2 id="what-we-did">W</h2>',
        ),
        make_doc("weeknotes/secret.md", date="2026-01-09", draft=True),
    ]


def test_markers_become_target_urls_under_the_base_path(make_doc: MakeDoc) -> None:
    site, _ = run(linked_docs(make_doc), base_url="https://example.org/repo/")
    html = site.docs["weeknotes/a.md"].html
    assert 'href="/repo/weeknotes/2026/01/b/#what-we-did"' in html
    assert 'src="/repo/images/map.svg"' in html
    assert site.docs["weeknotes/a.md"].summary_html == '<p><a href="/repo/weeknotes/2026/01/b/">b</a></p>'
    assert "sb:" not in html


def test_broken_links_are_warnings_with_lines(make_doc: MakeDoc) -> None:
    _, problems = run(linked_docs(make_doc))
    found = sorted((p.code, p.line, p.severity) for p in problems)
    assert found == [
        ("link/anchor", 10, Severity.WARNING),
        ("link/broken", 8, Severity.WARNING),
        ("link/broken", 9, Severity.WARNING),
    ]
    assert all(p.path == "content/weeknotes/a.md" for p in problems)
    draft = next(p for p in problems if p.line == 9)
    assert "draft" in draft.message


@pytest.mark.parametrize("base_url", ["https://example.org/", "https://example.org/repo/"])
def test_a_broken_link_stays_relative_and_never_a_marker(make_doc: MakeDoc, base_url: str) -> None:
    site, _ = run(linked_docs(make_doc), base_url=base_url)
    assert 'href="gone.md"' in site.docs["weeknotes/a.md"].html
