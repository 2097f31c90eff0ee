"""The default theme in a real browser: axe-core on every page type in light and
dark, nothing scrolls sideways at 320 px, the search box finds a post, and the Nu HTML checker
passes every page.

The sample site (the repository's own content) is built once per module with a base path, then
served under that path: every link and asset must honour it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from site_builder import cli, search

ROOT = Path(__file__).resolve().parents[2]
MOUNT = "/site-builder/"
# One page of every type the theme has a template or a layout for.
PAGES = {
    "home": "",
    "weeknote": "weeknotes/2026/10/platform-week-40/",  # a table, code and footnotes
    "case-study": "case-studies/calderbrook-repairs/",
    "contribution": "contributions/budget-consultation-trello/",
    "page": "about/",
    "section": "weeknotes/",
    "section-page-2": "weeknotes/page/2/",
    "tag-index": "tags/",
    "tag": "tags/digitalinsurgents/",
    "author": "authors/amara-okafor/",
    "team": "teams/platform/",
    "challenge": "case-studies/challenges/technology/",
    "archive": "archive/",
    "archive-year": "archive/2026/",
    "search": "search/",
    "404": "404.html",
}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A word only one post contains, and that post.
UNIQUE_WORD, UNIQUE_POST = "swings", "contributions/budget-consultation-trello/"
VNU_VERSION = "26.9.27"

pytestmark = pytest.mark.browser


def _missing_tool(message: str) -> None:
    """Skip on a developer machine; CI must never pass by skipping (conftest does the same)."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI=true: .ci/run must install it)")
    pytest.skip(message)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built under /site-builder/ and indexed for search; returns the output folder."""
    site = tmp_path_factory.mktemp("theme") / "site"
    site.mkdir()
    for name in ("content", "static"):
        shutil.copytree(ROOT / name, site / name)
    shutil.copy(ROOT / "site.toml", site / "site.toml")
    out = site / "output"
    assert cli.main(["build", str(site), "--base-url", f"http://127.0.0.1{MOUNT}"]) == 0
    if not (out / "search" / "index.html").is_file():
        pytest.fail('no /search/ page: routes.plan_routes needs Route("/search/", "search.html", {}, ())')
    if not (out / "pagefind").is_dir():  # until the write stage runs the indexer itself
        problems = search.index_site(out)
        assert not problems, problems
    missing = [p for p in PAGES.values() if not (out / p).is_file() and not (out / p / "index.html").exists()]
    assert not missing, f"the sample site no longer has these pages: {missing}"
    return out


@pytest.fixture
def site_url(built: Path, static_server: Any) -> str:
    return str(static_server(built, MOUNT))


@pytest.fixture(scope="module")
def axe() -> Any:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return axe_module.Axe()


def _check_axe(axe: Any, page: Any, where: str) -> None:
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_type_has_no_axe_violations(
    name: str, scheme: str, page: Any, site_url: str, axe: Any
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + PAGES[name])
    if name == "search":
        page.wait_for_selector(".pagefind-ui__search-input")  # check the UI, not the empty box
    _check_axe(axe, page, f"{name} ({scheme})")


@pytest.mark.parametrize("name", ["weeknote", "case-study"])
def test_boxes_that_scroll_at_320px_are_keyboard_accessible(
    name: str, page: Any, site_url: str, axe: Any
) -> None:
    """Wide code and tables scroll in their own box on a phone; axe checks the keyboard reaches them."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site_url + PAGES[name])
    scrolling = page.evaluate(
        "[...document.querySelectorAll('.content .highlight, .content table')]"
        ".filter(e => e.scrollWidth > e.clientWidth).length"
    )
    assert scrolling > 0, "the sample page no longer has a box that scrolls at 320 px"
    _check_axe(axe, page, f"{name} at 320 px")


@pytest.mark.parametrize("name", list(PAGES))
def test_no_page_scrolls_sideways_at_320px(name: str, page: Any, site_url: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site_url + PAGES[name])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{name} is {width} px wide at a 320 px viewport"


def test_search_box_finds_a_post_by_a_word_only_it_contains(page: Any, site_url: str, axe: Any) -> None:
    holders = [p for p in (ROOT / "content").rglob("*.md") if UNIQUE_WORD in p.read_text("utf-8").lower()]
    assert len(holders) == 1, f"pick another word: {UNIQUE_WORD!r} is in {holders}"
    page.goto(site_url)
    page.get_by_role("searchbox", name="Search this site").fill(UNIQUE_WORD)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(f"**{MOUNT}search/?q={UNIQUE_WORD}")
    results = page.locator("li.pagefind-ui__result")  # one per page; sub-results (headings) inside
    results.first.wait_for()
    hrefs = results.evaluate_all(
        "els => els.map(e => e.querySelector('a.pagefind-ui__result-link').getAttribute('href'))"
    )
    assert hrefs == [MOUNT + UNIQUE_POST]
    for scheme in ("light", "dark"):  # the results themselves are accessible too
        page.emulate_media(color_scheme=scheme)
        _check_axe(axe, page, f"search results ({scheme})")


def test_search_without_javascript_explains_itself(browser: Any, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url)
        page.get_by_role("searchbox", name="Search this site").fill(UNIQUE_WORD)
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(f"**{MOUNT}search/?q={UNIQUE_WORD}")
        assert page.get_by_text("Search needs JavaScript").is_visible()
        assert page.locator(".search-fallback").get_by_role("link", name="archive").is_visible()
    finally:
        context.close()


def test_search_index_leaves_out_list_pages(built: Path) -> None:
    """Only post and page content is indexed (data-pagefind-body); list pages are never results."""
    marked = [
        p.parent.relative_to(built).as_posix()
        for p in built.rglob("index.html")
        if "data-pagefind-body" in p.read_text("utf-8")
    ]
    assert "contributions/budget-consultation-trello" in marked
    for listing in (".", "weeknotes", "tags", "tags/digitalinsurgents", "archive", "search"):
        assert listing not in marked


@pytest.fixture(scope="session")
def vnu_jar(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """vnu.jar from npm (the ``vnu-jar`` package), cached between runs in pytest's cache folder."""
    npm, java = shutil.which("npm"), shutil.which("java")
    if npm is None or java is None:
        _missing_tool("the Nu HTML checker needs npm and java")
    cache = getattr(request.config, "cache", None)
    folder = cache.mkdir(f"vnu-jar-{VNU_VERSION}") if cache else tmp_path_factory.mktemp("vnu")
    jar = Path(folder) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        command = [npm, "install", "--prefix", str(folder), "--ignore-scripts", "--no-audit", "--no-fund"]
        command.append(f"vnu-jar@{VNU_VERSION}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not jar.is_file():
            _missing_tool(f"npm could not install vnu-jar@{VNU_VERSION}: {done.stderr[-2000:]}")
    return jar


def test_every_page_is_valid_html(built: Path, vnu_jar: Path) -> None:
    java = shutil.which("java")
    assert java is not None
    done = subprocess.run(
        [java, "-jar", str(vnu_jar), "--errors-only", "--skip-non-html", str(built)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr or done.stdout
