"""A hand-written fixture site built end to end; golden FACTS of chosen pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import html as lxml_html

from site_builder.pipeline import BuildResult

Page = Callable[[Path, str], lxml_html.HtmlElement]
NOW = dt.datetime(2027, 6, 1, 12, 0, tzinfo=dt.UTC)  # pinned: "future" means after this

CONFIG = """\
title = "Edge site"
base_url = "https://example.org/repo/"
timezone = "Europe/London"
paginate = 3

[tags]
opendata = "Open Data UK"
"""

FILES = {
    "content/_index.md": "---\ntitle: Home\n---\nWelcome to the edge site.\n",
    "content/about.md": "---\ntitle: About\n---\nAbout this site.\n",
    "content/weeknotes/_index.md": "---\ntitle: Team weeknotes\n---\nWhat we did each week.\n",
    # Monday 29 December 2025 is already in ISO week 1 of 2026; no title: the default one
    "content/weeknotes/first.md": """
        ---
        date: 2025-12-29
        tags: [Digital Insurgents, open data]
        ---
        The first note.
        """,
    # Jekyll: date and slug from the file name, tags as a space-separated string
    "content/weeknotes/2026-01-05-new-year-plans.md": """
        ---
        title: New year plans
        tags: "#digitalinsurgents OpenData"
        layout: post
        ---
        Plans for the year.
        """,
    # naive, 30 minutes before the clocks go forward in London: still GMT
    "content/weeknotes/clocks.md": """
        ---
        title: Clocks go forward
        date: 2026-03-29 00:30
        tags: [digital-insurgents]
        ---
        Short night.
        """,
    "content/weeknotes/linker.md": """
        ---
        title: Linking up
        date: 2026-06-01 09:00
        ---
        ## Links

        Read [the bins case study](../case-studies/bins.md#what-we-learned) and
        [the about page](../about.md).
        """,
    # a Friday in ISO week 53 of 2026
    "content/weeknotes/year-end.md": "---\ndate: 2027-01-01\n---\nLast note of the ISO year.\n",
    "content/weeknotes/secret.md": """
        ---
        title: Secret draft
        date: 2026-05-01
        draft: true
        tags: [secret-tag, open data]
        ---
        Nobody may read this yet.
        """,
    "content/weeknotes/next-christmas.md": """
        ---
        title: Christmas future
        date: 2027-12-25
        tags: [future-tag]
        ---
        Not yet.
        """,
    "content/case-studies/bins.md": """
        ---
        title: Missed bins
        date: 2026-02-01
        challenges: [governance]
        ---
        ## What we learned

        Lots.
        """,
    "content/contributions/hostile.md": """
        ---
        title: A friendly contribution
        date: 2026-04-01
        contributor:
          name: Mallory
          organisation: Elsewhere
        tools: [Trello]
        ---
        <script>alert("owned")</script>

        [click](javascript:alert(1)) [two](JaVaScRiPt:alert(2)) [three](jav&#x09;ascript:alert(3))
        [four](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==)

        <iframe src="https://evil.example/"></iframe>

        <img src="x" onerror="alert(5)">

        Hello {{ site.title }}.
        """,
}


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
    site_writer: Callable[..., Path],
    build: Callable[..., BuildResult],
) -> tuple[BuildResult, Path]:
    root = site_writer(tmp_path_factory.mktemp("edge"), FILES, CONFIG)
    result = build(root, now=NOW)
    assert result.written, [d for d in result.diagnostics]
    return result, root / "output"


@pytest.fixture(scope="module")
def out(built: tuple[BuildResult, Path]) -> Path:
    return built[1]


@pytest.fixture(scope="module")
def out_everything(
    tmp_path_factory: pytest.TempPathFactory,
    site_writer: Callable[..., Path],
    build: Callable[..., BuildResult],
) -> Path:
    root = site_writer(tmp_path_factory.mktemp("edge-all"), FILES, CONFIG)
    assert build(root, now=NOW, drafts=True, future=True).written
    return root / "output"


def text(element: lxml_html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in element.xpath(xpath)]


# Every post page of the fixture site with drafts and future posts, as linked under the base path.
POSTS = frozenset(
    {
        "/repo/weeknotes/2025/12/first/",
        "/repo/weeknotes/2026/01/new-year-plans/",
        "/repo/weeknotes/2026/03/clocks/",
        "/repo/weeknotes/2026/05/secret/",
        "/repo/weeknotes/2026/06/linker/",
        "/repo/weeknotes/2027/01/year-end/",
        "/repo/weeknotes/2027/12/next-christmas/",
        "/repo/case-studies/bins/",
        "/repo/contributions/hostile/",
    }
)
CONTENT = "//div[contains(concat(' ', normalize-space(@class), ' '), ' content ')]"


def list_links(root: lxml_html.HtmlElement) -> list[str]:
    """The posts a list page shows in its main area, in order (whatever the theme's markup)."""
    hrefs = root.xpath("//main//a/@href")
    return list(dict.fromkeys(h for h in hrefs if h in POSTS))


def all_text(out: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in sorted(out.rglob("*")) if p.is_file()
    )


def test_the_build_is_clean(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    problems = [(d.code, d.path) for d in result.diagnostics.warnings + result.diagnostics.errors]
    # the hostile contribution's {{ site.title }} is shown as text, with a warning
    assert problems == [("content/template-syntax", "content/contributions/hostile.md")]
    notes = sorted((d.code, d.path) for d in result.diagnostics.notes)  # what was left out, and why
    assert notes == [
        ("content/draft", "content/weeknotes/secret.md"),
        ("content/future", "content/weeknotes/next-christmas.md"),
    ]
    assert result.site is not None
    assert (result.site.left_out.drafts, result.site.left_out.future) == (1, 1)


@pytest.mark.parametrize(
    "path",
    [
        "weeknotes/2025/12/first/index.html",
        "weeknotes/2026/01/new-year-plans/index.html",
        "weeknotes/2026/03/clocks/index.html",
        "weeknotes/2026/06/linker/index.html",
        "weeknotes/2027/01/year-end/index.html",
        "case-studies/bins/index.html",
        "contributions/hostile/index.html",
        "about/index.html",
        "index.html",
        "404.html",
        ".nojekyll",
    ],
)
def test_pages_are_where_they_should_be(out: Path, path: str) -> None:
    assert (out / path).is_file()


def test_titles(out: Path, page: Page) -> None:
    root = page(out, "/weeknotes/2026/03/clocks/")
    assert root.findtext(".//title") == "Clocks go forward · Edge site"
    assert text(root, "//h1") == ["Clocks go forward"]
    assert root.xpath("/html/@lang") == ["en"]


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/weeknotes/2025/12/first/", "Weeknotes: week 1, 2026"),
        ("/weeknotes/2027/01/year-end/", "Weeknotes: week 53, 2026"),
    ],
)
def test_weeknote_default_title_from_the_iso_week(out: Path, page: Page, url: str, title: str) -> None:
    root = page(out, url)
    assert text(root, "//h1") == [title]
    assert root.findtext(".//title") == f"{title} · Edge site"


@pytest.mark.parametrize(
    ("url", "datetime"),
    [
        ("/weeknotes/2026/03/clocks/", "2026-03-29T00:30:00+00:00"),  # GMT, before the change
        ("/weeknotes/2026/06/linker/", "2026-06-01T09:00:00+01:00"),  # BST
        ("/weeknotes/2025/12/first/", "2025-12-29T00:00:00+00:00"),  # date only: midnight in London
    ],
)
def test_time_datetime_is_in_the_site_time_zone(out: Path, page: Page, url: str, datetime: str) -> None:
    assert page(out, url).xpath("//article//time/@datetime")[:1] == [datetime]


def test_three_tag_spellings_make_one_tag_page(out: Path, page: Page) -> None:
    assert not (out / "tags" / "digitalinsurgents").exists()
    root = page(out, "/tags/digital-insurgents/")
    assert text(root, "//h1") == ["Digital Insurgents"]  # the oldest post's spelling
    assert list_links(root) == [
        "/repo/weeknotes/2026/03/clocks/",
        "/repo/weeknotes/2026/01/new-year-plans/",
        "/repo/weeknotes/2025/12/first/",
    ]


def test_site_toml_names_a_tag(out: Path, page: Page) -> None:
    root = page(out, "/tags/open-data-uk/")
    assert text(root, "//h1") == ["Open Data UK"]
    assert list_links(root) == ["/repo/weeknotes/2026/01/new-year-plans/", "/repo/weeknotes/2025/12/first/"]
    # a post links to the tag under its one slug, whatever spelling it used
    post = page(out, "/weeknotes/2026/01/new-year-plans/")
    assert sorted(post.xpath("//a[@rel='tag']/@href")) == [
        "/repo/tags/digital-insurgents/",
        "/repo/tags/open-data-uk/",
    ]


def test_tag_index_lists_every_published_tag(out: Path, page: Page) -> None:
    hrefs = set(page(out, "/tags/").xpath("//main//a/@href"))
    assert {"/repo/tags/digital-insurgents/", "/repo/tags/open-data-uk/"} <= hrefs
    assert sorted(p.name for p in (out / "tags").iterdir() if p.is_dir()) == [
        "digital-insurgents",
        "open-data-uk",
    ]


def test_pagination_boundaries(out: Path, page: Page) -> None:
    first = page(out, "/weeknotes/")
    assert text(first, "//h1") == ["Team weeknotes"]
    assert list_links(first) == [
        "/repo/weeknotes/2027/01/year-end/",
        "/repo/weeknotes/2026/06/linker/",
        "/repo/weeknotes/2026/03/clocks/",
    ]
    assert first.xpath("//a[@rel='next']/@href") == ["/repo/weeknotes/page/2/"]
    second = page(out, "/weeknotes/page/2/")
    assert list_links(second) == ["/repo/weeknotes/2026/01/new-year-plans/", "/repo/weeknotes/2025/12/first/"]
    assert second.xpath("//a[@rel='prev']/@href") == ["/repo/weeknotes/"]
    assert second.xpath("//a[@rel='next']") == []
    assert not (out / "weeknotes" / "page" / "3").exists()
    assert not (out / "weeknotes" / "page" / "1").exists()  # page 1 is the section URL itself


def test_pagination_with_drafts_and_future_adds_a_page(out_everything: Path, page: Page) -> None:
    assert len(list_links(page(out_everything, "/weeknotes/page/2/"))) == 3
    assert list_links(page(out_everything, "/weeknotes/page/3/")) == ["/repo/weeknotes/2025/12/first/"]
    assert not (out_everything / "weeknotes" / "page" / "4").exists()


def test_a_section_that_fits_on_one_page_has_no_page_2(out: Path, page: Page) -> None:
    assert list_links(page(out, "/case-studies/")) == ["/repo/case-studies/bins/"]
    assert not (out / "case-studies" / "page").exists()


def test_drafts_are_absent_everywhere(out: Path) -> None:
    assert not (out / "weeknotes" / "2026" / "05").exists()
    assert not (out / "tags" / "secret-tag").exists()
    everything = all_text(out)
    assert "Secret draft" not in everything
    assert "Nobody may read this yet" not in everything
    assert "weeknotes/2026/05/secret" not in everything


def test_drafts_appear_with_the_flag(out_everything: Path, page: Page) -> None:
    assert text(page(out_everything, "/weeknotes/2026/05/secret/"), "//h1") == ["Secret draft"]
    assert "/repo/weeknotes/2026/05/secret/" in list_links(page(out_everything, "/tags/open-data-uk/"))


def test_future_posts_are_absent_unless_asked_for(out: Path, out_everything: Path, page: Page) -> None:
    assert not (out / "weeknotes" / "2027" / "12").exists()
    assert not (out / "tags" / "future-tag").exists()
    assert "Christmas future" not in all_text(out)
    assert text(page(out_everything, "/weeknotes/2027/12/next-christmas/"), "//h1") == ["Christmas future"]
    assert list_links(page(out_everything, "/tags/future-tag/")) == [
        "/repo/weeknotes/2027/12/next-christmas/"
    ]


def test_relative_md_links_resolve_under_the_base_path(out: Path, page: Page) -> None:
    hrefs = page(out, "/weeknotes/2026/06/linker/").xpath(CONTENT + "//a/@href")
    assert hrefs == ["/repo/case-studies/bins/#what-we-learned", "/repo/about/"]
    target = page(out, "/case-studies/bins/")
    assert target.xpath("//*[@id='what-we-learned']")  # the anchor exists where the link points


def test_contribution_has_no_live_script_or_dangerous_links(out: Path, page: Page) -> None:
    root = page(out, "/contributions/hostile/")
    (content,) = root.xpath(CONTENT)
    assert content.xpath(".//script | .//iframe | .//img | .//*[@onerror]") == []
    for script in root.xpath("//script"):  # a theme may have scripts of its own, never the contributor's
        assert "alert" not in (script.text or "")
    hrefs = [re.sub(r"[\x00-\x20]", "", h).lower() for h in root.xpath("//@href | //@src")]
    assert not [h for h in hrefs if h.startswith(("javascript:", "data:", "vbscript:"))]
    shown = content.text_content()
    assert '<iframe src="https://evil.example/"></iframe>' in shown  # shown as text
    assert '<script>alert("owned")</script>' in shown
    assert "Hello {{ site.title }}." in shown  # never evaluated as a template


def test_home_and_lists_never_carry_the_contributors_script(out: Path) -> None:
    for path in out.rglob("*.html"):
        tree = lxml_html.fromstring(path.read_bytes())
        for script in tree.xpath("//script"):
            assert "owned" not in (script.text or ""), path


BROKEN_LINK = {
    "content/weeknotes/a.md": "---\ntitle: A\ndate: 2026-01-05\n---\nIntro.\n\nSee [b](missing.md) please.\n",
}


def test_a_broken_md_link_is_a_warning_with_file_and_line(
    make_site: Callable[..., Path], build: Callable[..., BuildResult]
) -> None:
    root = make_site(BROKEN_LINK)
    result = build(root, now=NOW)
    assert result.written
    assert [(d.severity.value, d.code, d.location()) for d in result.diagnostics] == [
        ("warning", "link/broken", "content/weeknotes/a.md:7")
    ]
    assert (root / "output" / "weeknotes" / "2026" / "01" / "a" / "index.html").is_file()


def test_a_broken_md_link_fails_a_strict_build_and_writes_nothing(
    make_site: Callable[..., Path], build: Callable[..., BuildResult]
) -> None:
    root = make_site(BROKEN_LINK)
    result = build(root, now=NOW, strict=True)
    assert not result.written
    assert not (root / "output").exists()


def test_an_error_in_one_file_writes_nothing_and_reports_every_file(
    make_site: Callable[..., Path], build: Callable[..., BuildResult]
) -> None:
    root = make_site(
        {
            "content/weeknotes/a.md": "---\ntitle: a: b\ndate: 2026-01-05\n---\n",
            "content/weeknotes/b.md": "---\ntitle: B\n---\nno date\n",
            "content/weeknotes/c.md": "---\ntitle: C\ndate: 2026-01-05\n---\nfine\n",
        }
    )
    result = build(root, now=NOW)
    assert not result.written
    assert not (root / "output").exists()
    assert sorted((d.code, d.location()) for d in result.diagnostics.errors) == [
        ("front-matter/missing", "content/weeknotes/b.md:1"),
        ("front-matter/yaml", "content/weeknotes/a.md:2"),
    ]


def test_front_matter_cannot_write_outside_the_output_folder(
    tmp_path: Path, make_site: Callable[..., Path], build: Callable[..., BuildResult]
) -> None:
    root = make_site(
        {
            "content/contributions/evil.md": """
                ---
                title: Innocent
                date: 2026-04-01
                contributor: Eve
                permalink: /../../../pwned/
                aliases: ["../../alias-pwned/"]
                ---
                Hello.
                """,
        }
    )
    result = build(root, now=NOW)
    assert not result.written
    assert sorted(p.name for p in tmp_path.iterdir()) == [root.name]  # nothing beside the site
    assert not list(root.rglob("*pwned*"))
    problems = {(d.code, d.line) for d in result.diagnostics}
    assert ("front-matter/url", 5) in problems and ("front-matter/url", 6) in problems
