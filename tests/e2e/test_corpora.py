"""Real weeknotes by other teams (tests/corpora, see its README) build unchanged as a section of a site.

Expectations are read by hand from the source files; counts are made here from the files, not by
our parser.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
from lxml import html

from site_builder.cli import main
from site_builder.pipeline import BuildResult

CORPORA = Path(__file__).resolve().parents[1] / "corpora"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)  # every corpus post is older than this
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LONDON = zoneinfo.ZoneInfo("Europe/London")


def corpus(name: str) -> Path:
    folder = CORPORA / name
    assert folder.is_dir(), f"the corpus {folder} is missing: it is part of the repository"
    return folder


SITE_18F = """\
title = "18F blog"
base_url = "https://18f.gsa.gov/"
timezone = "America/New_York"
feed_limit = 1000

[sections.posts]
kind = "page"
permalink = "/:year/:month/:day/:slug/"
"""
# A project site under a base path, as GitHub Pages serves it.
SITE_NHSE = """\
title = "NHS England Data Science"
base_url = "https://nhsengland.github.io/datascience/"
timezone = "Europe/London"
feed_limit = 1000

[sections.datascience]
kind = "page"
"""


@pytest.fixture(scope="module")
def f18(
    tmp_path_factory: pytest.TempPathFactory,
    site_writer: Callable[..., Path],
    build: Callable[..., BuildResult],
) -> tuple[Path, BuildResult]:
    source = corpus("18f") / "content" / "posts"
    root = site_writer(tmp_path_factory.mktemp("corpus") / "18f", {}, SITE_18F)
    shutil.copytree(source, root / "content" / "posts")
    return root, build(root, now=NOW, jobs=2)


@pytest.fixture(scope="module")
def nhse(
    tmp_path_factory: pytest.TempPathFactory,
    site_writer: Callable[..., Path],
    build: Callable[..., BuildResult],
) -> tuple[Path, BuildResult]:
    source = corpus("nhse-datascience") / "docs"
    root = site_writer(tmp_path_factory.mktemp("corpus") / "nhse", {}, SITE_NHSE)
    shutil.copytree(source, root / "content" / "datascience")
    return root, build(root, now=NOW, jobs=1)


# --- counting the sources without our parser -----------------------------------------------------

_DRAFT = re.compile(r"^(?:draft:\s*true|published:\s*false)\s*$", re.MULTILINE | re.IGNORECASE)


def non_draft_posts(folder: Path) -> list[Path]:
    posts = []
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        head = text.split("\n---", 2)[0] if text.startswith("---") else ""
        if not _DRAFT.search(head):
            posts.append(path)
    return posts


def doc_pages(result: BuildResult) -> dict[str, str]:
    """Source id -> URL of every page built from a source file (section indexes aside)."""
    assert result.site is not None
    return {d.id: d.url for d in result.site.docs.values() if not d.is_index}


# --- shared checks ---------------------------------------------------------------------------------


def assert_clean(result: BuildResult, root: Path) -> None:
    assert result.written, [d.message for d in result.diagnostics.errors][:5]
    assert not result.diagnostics.errors
    for d in result.diagnostics.warnings:  # every warning names a file and a line in it
        assert d.path.startswith("content/") and d.line, d
        lines = (root / d.path).read_text(encoding="utf-8").splitlines()
        if d.code == "content/template-syntax":
            assert "{{" in lines[d.line - 1] or "{%" in lines[d.line - 1], (d, lines[d.line - 1])


def feeds(out: Path) -> Iterator[Path]:
    yield from (p for p in sorted(out.rglob("*")) if p.name in ("feed.xml", "atom.xml", "feed.json"))


def assert_feeds_parse(out: Path, section_feed: Path, urls: set[str], base: str) -> None:
    count = 0
    for path in feeds(out):
        if path.name == "feed.json":
            assert json.loads(path.read_bytes())["version"] == "https://jsonfeed.org/version/1.1"
            continue
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        count += 1
    assert count > 2
    entries = feedparser.parse(section_feed.read_bytes()).entries
    assert {urlsplit(e.link).path for e in entries} == {base.rstrip("/") + u for u in urls}


def broken_links(out: Path, base_path: str) -> dict[str, str]:
    """Every href/src into the site that names no file of the output -> a page that uses it."""
    broken: dict[str, str] = {}
    for page in sorted(out.rglob("*.html")):
        rel_dir = page.parent.relative_to(out).as_posix()
        for _, attr, link, _ in html.fromstring(page.read_bytes()).iterlinks():
            parts = urlsplit(link)
            if attr not in ("href", "src") or parts.scheme or parts.netloc or not parts.path:
                continue
            path = unquote(parts.path)
            if path.startswith("/"):
                if not path.startswith(base_path):
                    broken.setdefault(link, page.relative_to(out).as_posix())  # outside the site's mount
                    continue
                target = out / path[len(base_path) :]
            else:
                target = out / rel_dir / path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.setdefault(link, page.relative_to(out).as_posix())
    return broken


def authored(link: str, sources: str, base_path: str) -> bool:
    """A link the corpus itself writes (to pages or images it does not include), not one we made."""
    path = unquote(urlsplit(link).path)
    path = path[len(base_path) - 1 :] if path.startswith(base_path) else path
    # A relative link ("../images/x.png", "a placeholder") is rebased to the content path: its last
    # part is still the corpus's own words, and the corpus does not ship the file.
    name = path.rsplit("/", 1)[-1]
    return path.lstrip("/") in sources or (len(name) > 3 and name in sources)


# --- 18F: a blog that was Jekyll, then Eleventy ---------------------------------------------------


def test_18f_every_post_is_a_page(f18: tuple[Path, BuildResult]) -> None:
    root, result = f18
    assert_clean(result, root)
    posts = non_draft_posts(corpus("18f") / "content" / "posts")
    assert len(posts) == 509
    pages = doc_pages(result)
    assert len(pages) == len(posts)
    built = list((root / "output").glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"))
    redirects = [p for p in built if b'http-equiv="refresh"' in p.read_bytes()]
    assert len(built) - len(redirects) == len(posts)
    # 8 posts have redirect_from; TockingTime's differs from its URL only by case (a warning)
    assert len(redirects) == 7


@pytest.mark.parametrize(
    ("name", "title", "when", "url", "tags"),
    [
        # a leading space in a quoted title; a trailing TAB after a list item
        (
            "2016-05-19-content-debt-what-it-is-where-to-find-it-and-how-to-prevent-it-in-the-first-place",
            "Content debt: What it is, where to find it, and how to prevent it in the first place",
            dt.datetime(2016, 5, 19, tzinfo=NEW_YORK),
            "/2016/05/19/content-debt-what-it-is-where-to-find-it-and-how-to-prevent-it-in-the-first-place/",
            {"communication tools and practices", "content design"},
        ),
        # a quoted ISO string with an offset (PyYAML leaves it a string)
        (
            "2014-05-14-hacking-bureaucracy-improving-hiring-and-software",
            "Hacking bureaucracy: improving hiring and software deployment",
            dt.datetime(2014, 5, 14, 11, 2, tzinfo=NEW_YORK),
            "/2014/05/14/hacking-bureaucracy-improving-hiring-and-software/",
            {"culture change", "how we work", "culture", "join us"},
        ),
        # "2015-03-17 14:00:00 -4": a one-digit UTC offset
        (
            "2015-03-17-does-18f-pass-the-bechdel-test-for-tech",
            "Does 18F pass the Bechdel test for tech?",
            dt.datetime(2015, 3, 17, 18, 0, tzinfo=dt.UTC),
            "/2015/03/17/does-18f-pass-the-bechdel-test-for-tech/",
            None,
        ),
        # no date: key, so the file name's date, at midnight in the site's time zone
        (
            "2014-09-25-design-studio-onrr",
            "User-centered design at 18F: a design studio for natural resource revenues",
            dt.datetime(2014, 9, 25, tzinfo=NEW_YORK),
            "/2014/09/25/design-studio-onrr/",
            None,
        ),
        # date: differs from the file name, and wins
        (
            "2014-12-12-going-to-gov-college",
            "Going to .Gov college",
            dt.datetime(2014, 12, 15, tzinfo=NEW_YORK),
            "/2014/12/15/going-to-gov-college/",
            None,
        ),
        # midnight UTC is the evening before in New York: the URL takes the local day
        (
            "2020-06-30-transforming-how-dojs-civil-rights-division-engages-with-the-public",
            "Transforming how DOJ's Civil Rights Division engages with the public",
            dt.datetime(2020, 7, 7, tzinfo=dt.UTC),
            "/2020/07/06/transforming-how-dojs-civil-rights-division-engages-with-the-public/",
            None,
        ),
        # an unpadded day in the file name; capitals in a file name
        (
            "2024-12-5-18f-project-defaults",
            "18F project defaults",
            dt.datetime(2024, 12, 5, tzinfo=NEW_YORK),
            "/2024/12/05/18f-project-defaults/",
            {"18f", "best practices", "how we work"},
        ),
        (
            "2015-02-25-We-Are-Hiring",
            "We are hiring",
            dt.datetime(2015, 2, 25, tzinfo=NEW_YORK),
            "/2015/02/25/we-are-hiring/",
            None,
        ),
    ],
)
def test_18f_titles_dates_and_urls_match_the_sources(
    f18: tuple[Path, BuildResult], name: str, title: str, when: dt.datetime, url: str, tags: set[str] | None
) -> None:
    root, result = f18
    assert result.site is not None
    doc = result.site.docs[f"posts/{name}.md"]
    assert (doc.title, doc.date, doc.url) == (title, when, url)
    assert doc.date is not None and doc.date.tzinfo == NEW_YORK  # shown in the site's time zone
    if tags is not None:
        assert set(doc.tags) == tags
    page = html.fromstring((root / "output" / url.lstrip("/") / "index.html").read_bytes())
    assert page.xpath("normalize-space(//h1)") == title


def test_18f_safe_template_syntax_is_rendered(f18: tuple[Path, BuildResult]) -> None:
    root, _ = f18
    out = root / "output"
    # <img src="{{ site.baseurl }}/assets/blog/2014/12/protosketch.jpg" ...> in raw HTML, line 57
    page = html.fromstring((out / "2015/01/06/protosketch/index.html").read_bytes())
    assert page.xpath("//main//img[@alt='A protosketch running on a phone']/@src") == [
        "/assets/blog/2014/12/protosketch.jpg"
    ]
    # {% image "assets/blog/foia/in-hand.jpg" "a mockup of our app on an iPhone" %} inside <figure>
    page = html.fromstring(
        (out / "2014/09/04/a-new-look-at-the-freedom-of-information-act/index.html").read_bytes()
    )
    assert page.xpath("//main//figure/img[@alt='a mockup of our app on an iPhone']/@src") == [
        "/assets/blog/foia/in-hand.jpg"
    ]
    # {% raw %} on line 17 ... {% endraw %} on line 45: what is inside is shown, the tags are not
    text = (out / "2016/01/21/what-we-can-learn-from-the-interiors-social-feeds/index.html").read_text(
        "utf-8"
    )
    assert "{% raw %}" not in text and "{% endraw %}" not in text


def assert_only_missing_targets(result: BuildResult) -> None:
    """Every broken link or image names a path the corpus does not hold: no post has that URL, and
    the corpus (Markdown only) has no such file. The build published all it was given."""
    assert result.site is not None
    urls = {d.url.casefold() for d in result.site.docs.values()}
    broken = [d for d in result.diagnostics.warnings if d.code in BROKEN]
    assert broken
    for d in broken:
        target = d.message.split("nothing is published at ", 1)[1]
        assert target.casefold() not in urls and not target.endswith((".md", ".markdown")), d


BROKEN = ("link/broken", "image/broken", "front-matter/image")


def test_18f_warnings(f18: tuple[Path, BuildResult]) -> None:
    _, result = f18
    codes = {d.code for d in result.diagnostics.warnings}
    # The corpus is the posts alone: links to the rest of 18F's site and its images are broken here.
    assert codes == {"content/template-syntax", "front-matter/alias", "image/alt", "link/anchor", *BROKEN}
    assert_only_missing_targets(result)
    found = {(d.code, d.path, d.line) for d in result.diagnostics.warnings}
    # hand-checked: an Eleventy embed filter, a team_link, and an alias differing only by case
    assert ("content/template-syntax", "content/posts/2014-04-28-18f-demo-day-may-9-2014.md", 57) in found
    assert ("front-matter/alias", "content/posts/2015-05-21-TockingTime.md", 18) in found
    team_links = [d for d in result.diagnostics.warnings if "team_link" in d.message]
    assert len(team_links) == 206  # grep -o '{{ *"[^"]*" *| *team_link *}}' counts 206


def test_18f_feeds_parse_and_hold_every_post(f18: tuple[Path, BuildResult]) -> None:
    root, result = f18
    urls = set(doc_pages(result).values())
    assert_feeds_parse(root / "output", root / "output" / "posts" / "atom.xml", urls, "/")


def test_18f_no_link_we_made_is_broken(f18: tuple[Path, BuildResult]) -> None:
    root, _ = f18
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (root / "content").rglob("*.md"))
    broken = broken_links(root / "output", "/")
    ours = {link: page for link, page in broken.items() if not authored(link, sources, "/")}
    assert ours == {}
    # what is left are links the posts write to pages and images the corpus does not include
    assert "/assets/blog/foia/in-hand.jpg" in broken and "/consulting/" in broken


def test_18f_links_to_old_capitalised_urls_reach_the_post(f18: tuple[Path, BuildResult]) -> None:
    root, _ = f18
    broken = broken_links(root / "output", "/")
    assert "/2015/02/25/We-Are-Hiring/" not in broken


# --- NHS England Data Science: MkDocs Material, blog articles and project pages -------------------


def test_nhse_every_file_is_a_page(nhse: tuple[Path, BuildResult]) -> None:
    root, result = nhse
    assert_clean(result, root)
    posts = non_draft_posts(corpus("nhse-datascience") / "docs")
    assert len(posts) == 126
    assert len(doc_pages(result)) == len(posts)
    # Nothing Liquid-like, and every relative .md link resolves. The corpus holds no images, the
    # project template keeps a placeholder link, and tags.md links to ids that MkDocs' tags plugin
    # makes: those are the warnings, read off the sources by hand.
    codes = {d.code for d in result.diagnostics.warnings}
    assert codes == {"image/broken", "image/alt", "link/anchor", "link/broken"}
    assert_only_missing_targets(result)
    anchors = {d.path for d in result.diagnostics.warnings if d.code == "link/anchor"}
    assert anchors == {"content/datascience/our_work/tags.md"}
    links = [d for d in result.diagnostics.warnings if d.code == "link/broken"]
    assert [d.path for d in links] == ["content/datascience/our_work/template-project.md"]


@pytest.mark.parametrize(
    ("doc_id", "title", "day", "url", "tags"),
    [
        # the file name's compact date (2024-08-07) is not the date: front matter is
        (
            "articles/posts/20240807_annotation_tools.md",
            "Investigating Annotation Tools for Named Entity Recognition",
            dt.date(2024, 7, 8),
            "/datascience/annotation-tools/",
            {"Privacy", "LLMs", "Python", "Annotation Tools"},
        ),
        # CRLF line endings
        (
            "articles/posts/20241203_RISE_article.md",
            "The RISE Tool \u2013 An Easy Way for Testers and Assurers to Evaluate AI Classifiers",
            dt.date(2024, 12, 12),
            "/datascience/rise-tool/",  # slug: RISE_tool
            {"Assurance", "Explainability", "Python", "Evaluation", "Image Classification", "LLMs"},
        ),
        # a space in the file name; slug: with capitals and underscores
        (
            "articles/posts/20260330_konstantin_ georgiev_interview.md",
            "Interview with a Data Scientist - The Fairness Enthusiast",
            dt.date(2026, 3, 30),
            "/datascience/interview-with-konstantin-georgiev/",
            None,
        ),
        (
            "articles/posts/20230105_rap.md",
            "Why we\u2019re getting our data teams to RAP",
            dt.date(2023, 1, 5),
            "/datascience/rap-in-nhse/",
            None,
        ),
        (
            "articles/posts/20250605_NQCC_article.md",
            "NHS England Use-Cases at the National Quantum Computing Centre annual Hackathon",
            dt.date(2025, 6, 17),
            "/datascience/nqcchack/",
            None,
        ),
        # a project page: no date, a legacy permalink, UPPERCASE tags
        (
            "our_work/p24_lime.md",
            "Investigating Superpixels in LIME for Explaining Predictions of Facial Images",
            None,
            "/p24_lime.html",
            {
                "DISEASES",
                "CLASSIFICATION",
                "EXPLAINABILITY",
                "UNSTRUCTURED DATA",
                "VISUAL DATA",
                "COMPLETE",
                "EXPERIMENTAL",
                "PYTHON",
            },
        ),
        # MkDocs folder pages: index.md takes its folder's name
        ("our_work/data-linkage-hub/index.md", None, None, "/datascience/data-linkage-hub/", None),
    ],
)
def test_nhse_titles_dates_and_urls_match_the_sources(
    nhse: tuple[Path, BuildResult],
    doc_id: str,
    title: str | None,
    day: dt.date | None,
    url: str,
    tags: set[str] | None,
) -> None:
    root, result = nhse
    assert result.site is not None
    doc = result.site.docs[f"datascience/{doc_id}"]
    assert doc.url == url
    assert (doc.date.date() if doc.date else None) == day
    if doc.date is not None:
        assert doc.date_only and doc.date.tzinfo == LONDON
    if title is not None:
        assert doc.title == title
        rel = url.lstrip("/") + ("index.html" if url.endswith("/") else "")
        page = html.fromstring((root / "output" / rel).read_bytes())
        assert page.xpath("normalize-space(//h1)") == title
    if tags is not None:
        assert set(doc.tags) == tags


def test_nhse_relative_md_links_become_page_urls(nhse: tuple[Path, BuildResult]) -> None:
    root, _ = nhse
    # articles/posts/20250617_hsma.md (slug: hsma-waiting-lists) links to ../../our_work/hsma-wlmds.md
    page = html.fromstring(
        (root / "output" / "datascience" / "hsma-waiting-lists" / "index.html").read_bytes()
    )
    hrefs = page.xpath("//main//a/@href")
    assert (
        "/datascience/datascience/hsma-wlmds/" in hrefs
    )  # ../../our_work/hsma-wlmds.md, under the base path
    assert not [h for h in hrefs if h.endswith(".md") or h.startswith("sb:")]


def test_nhse_feeds_parse_and_hold_every_dated_post(nhse: tuple[Path, BuildResult]) -> None:
    root, result = nhse
    assert result.site is not None
    dated = {d.url for d in result.site.docs.values() if d.date and not d.is_index}
    assert len(dated) == 26  # the articles; project pages have no date
    feed = root / "output" / "datascience" / "atom.xml"
    assert_feeds_parse(root / "output", feed, dated, "/datascience/")


def test_nhse_no_link_we_made_is_broken(nhse: tuple[Path, BuildResult]) -> None:
    root, _ = nhse
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (root / "content").rglob("*.md"))
    broken = broken_links(root / "output", "/datascience/")
    ours = {link: page for link, page in broken.items() if not authored(link, sources, "/datascience/")}
    assert ours == {}


def test_nhse_cli_build_has_no_traceback(
    nhse: tuple[Path, BuildResult], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = nhse
    code = main(["build", str(root), "--jobs", "1", "--out", str(root / "cli-output")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err and "bug" not in captured.err
    assert f"{len(nhse[1].diagnostics.warnings)} warnings" in captured.out
