"""A project site under a sub-path: every internal link of every page resolves."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from lxml import html

from site_builder.cli import main
from tests.samples import copy_sample_site

BASE = "https://example.github.io/some-repo/"
PREFIX = "/some-repo/"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_sample_site(tmp_path_factory.mktemp("sample"))  # its own base_url has another path
    assert main(["build", str(site), "--base-url", BASE]) == 0
    return site / "output"


def _target(out: Path, path: str) -> Path | None:
    """The output file a URL path under the prefix serves, as GitHub Pages would."""
    rel = unquote(path).removeprefix(PREFIX)
    candidate = out / rel
    if rel == "" or rel.endswith("/"):
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def _ids(page: Path, cache: dict[Path, set[str]]) -> set[str]:
    if page not in cache:
        cache[page] = set(html.parse(str(page)).getroot().xpath("//@id"))
    return cache[page]


def test_every_internal_link_and_asset_resolves(out: Path) -> None:
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 80
    checked = 0
    broken: list[str] = []
    ids: dict[Path, set[str]] = {}
    for page in pages:
        page_url = BASE + page.relative_to(out).as_posix().removesuffix("index.html")
        root = html.parse(str(page)).getroot()
        for element, attribute, link, _ in root.iterlinks():
            if element.tag == "meta" and element.get("http-equiv") is None:
                continue  # og:url and the like are checked as absolute URLs elsewhere
            absolute = urljoin(page_url, link)
            parts = urlsplit(absolute)
            if not absolute.startswith(BASE) and parts.netloc == "example.github.io":
                broken.append(f"{page}: {link} is outside the base path")
                continue
            if not absolute.startswith(BASE):
                continue  # external
            target = _target(out, parts.path)
            checked += 1
            if target is None:
                broken.append(f"{page.relative_to(out)}: {element.tag}[{attribute}]={link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in _ids(target, ids):
                broken.append(
                    f"{page.relative_to(out)}: #{parts.fragment} missing in {target.relative_to(out)}"
                )
    assert not broken, "\n".join(broken[:20])
    assert checked > 1000


def test_root_relative_links_carry_the_prefix(out: Path) -> None:
    for page in out.rglob("*.html"):
        for _, _, link, _ in html.parse(str(page)).getroot().iterlinks():
            if link.startswith("/") and not link.startswith("//"):
                assert link.startswith(PREFIX), (page, link)
