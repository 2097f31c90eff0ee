"""``site-builder import jekyll|hugo SRC PATH``, then a clean build where old URLs still work."""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from site_builder.pipeline import BuildResult

SITES = Path(__file__).resolve().parents[1] / "sites"
CORPORA = Path(__file__).resolve().parents[1] / "corpora"  # copied in, see its README
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
Cli = Callable[[Sequence[str]], tuple[int, str, str]]


def resolves(out: Path, url: str) -> bool:
    """A page, a file or a redirect page is at ``url`` (site-relative, without the base path)."""
    rel = url.lstrip("/")
    return (out / rel).is_file() or (out / rel / "index.html").is_file()


def redirects_to(out: Path, url: str, target: str) -> bool:
    page = out / url.lstrip("/") / "index.html" if url.endswith("/") else out / url.lstrip("/")
    text = page.read_text(encoding="utf-8")
    return 'http-equiv="refresh"' in text and f"url={target}" in text


@pytest.fixture
def jekyll(tmp_path: Path, run_cli: Cli, build: Callable[..., BuildResult]) -> tuple[Path, str, BuildResult]:
    site = tmp_path / "new"
    code, out, err = run_cli(["import", "jekyll", str(SITES / "jekyll-src"), str(site)])
    assert code == 0, err
    return site, out, build(site, now=NOW)


def test_jekyll_settings_become_site_toml(jekyll: tuple[Path, str, BuildResult]) -> None:
    site, _, _ = jekyll
    config = tomllib.loads((site / "site.toml").read_text(encoding="utf-8"))
    assert config == {
        "title": "Old Jekyll Blog",
        "description": "Weeknotes from a team that used Jekyll",
        "base_url": "https://team.example.org/blog/",  # url + baseurl
        "language": "en-US",  # lang: en_US
        "timezone": "America/New_York",
        # /:categories/:year/:month/:day/:title:output_ext
        "sections": {"posts": {"kind": "page", "permalink": "/:categories/:year/:month/:day/:slug.html"}},
    }
    assert (site / "static" / "assets" / "img" / "board.png").is_file()
    assert not (site / "static" / "_config.yml").exists() and not (site / "static" / "about.md").exists()


def test_jekyll_import_builds_and_old_urls_resolve(jekyll: tuple[Path, str, BuildResult]) -> None:
    site, _, result = jekyll
    assert result.written and not result.diagnostics.errors
    warnings = [(d.code, d.path, d.line) for d in result.diagnostics.warnings]
    assert warnings == [("content/template-syntax", "content/posts/news/2017-01-02-hello.markdown", 8)]
    out = site / "output"
    # the same URL as before: a date that is already the next day in UTC stays the 11th in New York
    assert resolves(out, "/weeknotes/2016/03/11/second-week.html")
    # redirect_from, and a category folder plus a category with a space: redirect pages
    assert redirects_to(
        out, "/2016/03/11/second/", "https://team.example.org/blog/weeknotes/2016/03/11/second-week.html"
    )
    assert redirects_to(
        out,
        "/news/team updates/2017/01/02/hello.html",
        "https://team.example.org/blog/team-updates/2017/01/02/hello.html",
    )
    # drafts (_drafts/ and published: false) are imported as drafts, so not built
    assert result.site is not None and result.site.left_out.drafts == 2
    assert not list(out.rglob("*unpublished*")) and not list(out.rglob("*idea*"))


def test_jekyll_liquid_links_and_images_resolve(jekyll: tuple[Path, str, BuildResult]) -> None:
    site, _, _ = jekyll
    page = (site / "output" / "2016/03/04/first-week.html").read_text(encoding="utf-8")
    assert 'href="/blog/weeknotes/2016/03/11/second-week.html"' in page  # {% post_url %}
    assert 'src="/blog/assets/img/board.png"' in page  # {{ site.baseurl }}/assets/...
    page = (site / "output" / "weeknotes/2016/03/11/second-week.html").read_text(encoding="utf-8")
    assert 'href="/blog/2016/03/04/first-week.html"' in page  # {% link _posts/... %}
    assert 'class="language-ruby"' in page  # {% highlight ruby %}


def test_jekyll_report_names_what_could_not_be_mapped(jekyll: tuple[Path, str, BuildResult]) -> None:
    _, out, _ = jekyll
    assert "Imported 5 posts (2 drafts)" in out and "1 static file" in out
    assert "_config.yml: theme: no setting of ours" in out
    assert "about.md: (file): pages and layouts are not imported" in out
    # Jekyll kept the file name's case; one file cannot serve both spellings
    assert "_posts/2016-03-04-First-Week.md: url: old URL /2016/03/04/First-Week.html differs" in out


@pytest.fixture
def hugo(tmp_path: Path, run_cli: Cli, build: Callable[..., BuildResult]) -> tuple[Path, str, BuildResult]:
    site = tmp_path / "new"
    code, out, err = run_cli(["import", "hugo", str(SITES / "hugo-src"), str(site), "--section", "weeknotes"])
    assert code == 0, err
    return site, out, build(site, now=NOW)


def test_hugo_import_builds_and_old_urls_resolve(hugo: tuple[Path, str, BuildResult]) -> None:
    site, out_text, result = hugo
    assert result.written and not result.diagnostics.errors
    warnings = [(d.code, d.path, d.line) for d in result.diagnostics.warnings]
    assert warnings == [("content/template-syntax", "content/weeknotes/second-post.md", 13)]
    config = tomllib.loads((site / "site.toml").read_text(encoding="utf-8"))
    assert config["base_url"] == "https://hugo.example.org/" and config["timezone"] == "Europe/London"
    assert config["sections"]["weeknotes"] == {"kind": "page", "permalink": "/:year/:month/:slug/"}
    out = site / "output"
    home = "https://hugo.example.org"
    # Hugo's :title is the title; ours is the file name or slug: the old URLs redirect
    assert redirects_to(out, "/2023/01/hello-world-our-first-post/", f"{home}/2023/01/first-post/")
    assert redirects_to(out, "/2023/01/second-post/", f"{home}/2023/01/second/")
    assert redirects_to(out, "/old/second/", f"{home}/2023/01/second/")  # its own aliases are kept
    assert redirects_to(out, "/2023/02/a-bundle/", f"{home}/2023/02/bundle-post/")  # a page bundle
    assert resolves(out, "/a-note-url/") and resolves(out, "/about/")  # url: front matter; a root page
    assert resolves(out, "/images/chart.png")  # static/
    assert result.site is not None and result.site.left_out.drafts == 1
    assert "hugo config: enableRobotsTXT: no setting of ours" in out_text


def test_hugo_shortcodes_render(hugo: tuple[Path, str, BuildResult]) -> None:
    site, _, _ = hugo
    page = (site / "output" / "2023/01/first-post/index.html").read_text(encoding="utf-8")
    assert 'href="/2023/01/second/"' in page and 'href="/a-note-url/"' in page  # ref, relref
    assert 'src="/images/chart.png"' in page and "<em>Our progress</em>" in page  # figure
    page = (site / "output" / "2023/01/second/index.html").read_text(encoding="utf-8")
    assert 'class="language-go"' in page  # highlight


def test_hugo_page_bundle_image_resolves(hugo: tuple[Path, str, BuildResult]) -> None:
    site, _, _ = hugo
    page = (site / "output" / "2023/02/bundle-post/index.html").read_text(encoding="utf-8")
    assert 'src="photo.png"' not in page or resolves(site / "output", "/2023/02/bundle-post/photo.png")


def test_import_refuses_a_folder_that_holds_a_site(tmp_path: Path, run_cli: Cli) -> None:
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "posts" / "a.md").write_text("# A\n", encoding="utf-8")
    code, _, err = run_cli(["import", "jekyll", str(SITES / "jekyll-src"), str(tmp_path)])
    assert code == 1 and "already holds a site" in err and "[import/target]" in err
    assert not (tmp_path / "site.toml").exists()


def test_18f_corpus_imports_as_the_jekyll_blog_it_was(
    tmp_path: Path, run_cli: Cli, build: Callable[..., BuildResult]
) -> None:
    corpus = CORPORA / "18f" / "content" / "posts"
    assert corpus.is_dir(), f"the corpus {corpus} is missing: it is part of the repository"
    src = tmp_path / "old"
    shutil.copytree(corpus, src / "_posts")  # the posts of 18F's Jekyll years lived in _posts/
    (src / "_config.yml").write_text(
        "title: 18F\nurl: https://18f.gsa.gov\ntimezone: America/New_York\n"
        "permalink: /:year/:month/:day/:title/\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(["import", "jekyll", str(src), str(tmp_path / "new"), "--section", "blog"])
    assert code == 0, err
    assert "Imported 509 posts (0 drafts)" in out
    result = build(tmp_path / "new", now=NOW, jobs=2)
    assert result.written and not result.diagnostics.errors
    assert result.site is not None and len(result.site.docs) == 509
    # Jekyll's :title kept the file name's case: not an alias (one file), but named in the report
    assert "_posts/2015-02-25-We-Are-Hiring.md: url: old URL /2015/02/25/We-Are-Hiring/ differs" in out
    assert resolves(tmp_path / "new" / "output", "/2015/02/25/we-are-hiring/")
