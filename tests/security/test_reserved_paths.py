"""Generated and static paths are reserved (SECURITY.md): a permalink or alias that lands on a file
the build writes for itself, on a static file, or where one of them needs a folder, is a
``url/duplicate`` error naming both, in ``check`` and ``build``; nothing is ever replaced, even by an
incremental build after the post is gone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

Cli = Callable[[Sequence[str]], tuple[int, str, str]]


def contribution(front: str) -> str:
    return f"---\ntitle: Evil\ndate: 2026-10-01\ncontributor: Eve\n{front}\n---\nBody.\n"


RESERVED = {
    "alias-stylesheet": ("aliases: [/css/site.css]", "the static file css/site.css"),
    "alias-404": ("aliases: [/404.html]", "a page the site generates (/404.html)"),
    "alias-search": ("aliases: [/search/]", "a page the site generates (/search/)"),
    "alias-feed": ("aliases: [/feed.xml]", "a page the site generates (/feed.xml)"),
    "alias-sitemap": ("aliases: [/sitemap.xml]", "a page the site generates (/sitemap.xml)"),
    "alias-robots": ("aliases: [/robots.txt]", "a page the site generates (/robots.txt)"),
    "alias-cname": ("aliases: [/CNAME]", "the file GitHub Pages reads"),
    "alias-pagefind": ("aliases: [/pagefind/pagefind.js]", "the search index"),
    "alias-tags": ("aliases: [/tags/]", "a page the site generates (/tags/)"),
    "alias-static": ("aliases: [/files/report.pdf]", "the static file files/report.pdf"),
    "alias-case": ("aliases: [/CSS/Site.CSS]", "the static file css/site.css"),
    "permalink-home": ("permalink: /", "a page the site generates (/)"),
    "permalink-404": ("permalink: /404.html", "a page the site generates (/404.html)"),
    "permalink-section": ("permalink: /contributions/", "a page the site generates (/contributions/)"),
    "permalink-under-a-file": ("permalink: /css/site.css/", "the static file css/site.css"),
    "permalink-where-a-folder-is": ("permalink: /v1.0", "the static file v1.0/notes.pdf"),
    "permalink-in-search-index": ("permalink: /pagefind/", "the search index"),
}


@pytest.mark.parametrize("name", RESERVED)
def test_generated_and_static_paths_are_reserved(
    name: str, make_site: Callable[..., Path], run_cli: Cli
) -> None:
    front, what = RESERVED[name]
    root = make_site(
        {
            "content/contributions/evil.md": contribution(front),
            "static/files/report.pdf": b"%PDF-1.4\n",
            "static/v1.0/notes.pdf": b"%PDF-1.4\n",
        }
    )
    code, out, err = run_cli(["check", str(root)])
    assert code == 1, err
    assert "content/contributions/evil.md" in out + err and what in out + err, out + err
    assert "[url/duplicate]" in out + err
    code, _, err = run_cli(["build", str(root)])
    assert code == 1 and not (root / "output").exists()


def test_an_alias_onto_the_404_page_never_replaces_it_incrementally(
    make_site: Callable[..., Path], run_cli: Cli, hash_tree: Callable[[Path], dict[str, str]]
) -> None:
    root = make_site(
        {"content/contributions/evil.md": contribution(""), "content/contributions/kind.md": contribution("")}
    )
    assert run_cli(["build", str(root)])[0] == 0
    before = hash_tree(root / "output")
    post = root / "content/contributions/evil.md"
    post.write_text(contribution("aliases: [/404.html, /css/site.css]"))
    assert run_cli(["build", str(root)])[0] == 1
    post.unlink()
    assert run_cli(["build", str(root)])[0] == 0
    after = hash_tree(root / "output")
    assert after["404.html"] == before["404.html"] and after["css/site.css"] == before["css/site.css"]
