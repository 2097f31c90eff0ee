"""Untrusted is a property of a section, applied to everything in it (SECURITY.md): its _index.md,
every field, every output channel (pages, feeds, JSON Feed, sitemap)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

Cli = Callable[[Sequence[str]], tuple[int, str, str]]
SCRIPT_INDEX = """\
---
title: Guest posts
summary: Written by people outside the team.
---
Welcome. <script>alert('index')</script> <img src=x onerror=alert('index-img')>

{{ site.title }} {% include x.html %}
"""
GUEST_POST = """\
---
title: A guest post
date: 2026-10-01
---
Hello <script>alert('guest')</script> <b onclick="alert('b')">bold</b>.
"""


@pytest.mark.parametrize(
    ("section", "config"),
    [
        ("contributions", ""),
        ("guest-posts", '[sections.guest-posts]\nkind = "weeknote"\ntrusted = false\n'),
        ("community", '[sections.community]\nkind = "page"\ntrusted = false\n'),
    ],
)
def test_everything_in_an_untrusted_section_is_inert(
    section: str,
    config: str,
    make_site: Callable[..., Path],
    run_cli: Cli,
    live_content: Callable[[Path], list[str]],
) -> None:
    post = GUEST_POST.replace("date: 2026-10-01\n", "date: 2026-10-01\ncontributor: Eve\n")
    site_toml = 'title = "T"\nbase_url = "https://example.org/"\n' + config
    root = make_site(
        {f"content/{section}/_index.md": SCRIPT_INDEX, f"content/{section}/post.md": post}, config=site_toml
    )
    code, _, err = run_cli(["build", str(root)])
    assert code == 0, err
    out = root / "output"
    assert live_content(out) == []
    listing = lxml_html.fromstring((out / section / "index.html").read_bytes())
    intro = listing.xpath("//div[@class='intro']")[0]
    assert "<script>alert('index')</script>" in intro.text_content()  # shown as text, not run
    assert "{{ site.title }} {% include x.html %}" in intro.text_content()  # not rewritten or evaluated
    page = next(out.glob(f"{section}/**/post/index.html"))
    body = lxml_html.fromstring(page.read_bytes()).xpath("//div[@class='content']")[0]
    assert not body.xpath(".//script|.//*[@onclick]") and "alert('guest')" in body.text_content()


def test_team_sections_keep_their_raw_html(make_site: Callable[..., Path], run_cli: Cli) -> None:
    """The other side of the rule: trusted content may hold HTML (SECURITY.md, 'Who is trusted')."""
    root = make_site({"content/notes/post.md": GUEST_POST})
    assert run_cli(["build", str(root)])[0] == 0
    page = lxml_html.fromstring((root / "output/notes/post/index.html").read_bytes())
    assert page.xpath("//div[@class='content']//b[@onclick]")


def test_a_contribution_section_cannot_be_made_trusted(make_site: Callable[..., Path], run_cli: Cli) -> None:
    config = 'title = "T"\nbase_url = "https://example.org/"\n[sections.contributions]\ntrusted = true\n'
    root = make_site({"content/contributions/post.md": GUEST_POST}, config=config)
    code, _, err = run_cli(["build", str(root)])
    assert code == 1 and "sections.contributions.trusted" in err and "never trusted" in err


UNSAFE_CONTRIBUTOR_URLS = [
    "javascript:alert(1)",
    " JAVASCRIPT:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    'https://ok.example/"><script>alert(1)</script>',
    "https://ok.example/ onmouseover=alert(1)",
    "//evil.example/",
    "https:///nohost",
    "https://ok.example/\\..\\x",
    "vbscript:x",
]


@pytest.mark.parametrize("url", UNSAFE_CONTRIBUTOR_URLS)
def test_a_contributor_url_is_checked_where_it_is_read(
    url: str, make_site: Callable[..., Path], run_cli: Cli
) -> None:
    post = (
        "---\ntitle: T\ndate: 2026-10-01\ncontributor:\n  name: Eve\n  url: "
        + json.dumps(url)
        + "\n---\nHi\n"
    )
    root = make_site({"content/contributions/post.md": post})
    code, _, err = run_cli(["build", str(root)])
    assert code == 1
    assert "content/contributions/post.md:4: error: 'contributor'" in err and "http(s) url" in err
    assert "Traceback" not in err


def test_feeds_write_profile_urls_only_where_a_page_would_link_them(
    make_site: Callable[..., Path], run_cli: Cli
) -> None:
    """A profile URL in site.toml is written into Atom <uri> and JSON Feed authors only as http(s),
    as the author page does; a good contributor URL reaches every channel."""
    config = (
        'title = "T"\nbase_url = "https://example.org/"\n'
        '[authors.eve]\nname = "Eve"\nurl = "javascript:alert(1)"\n'
        '[authors.ann]\nname = "Ann"\nurl = "https://ann.example/"\n'
    )
    root = make_site(
        {
            "content/notes/a.md": "---\ntitle: A\ndate: 2026-10-01\nauthors: [Eve, Ann]\n---\nHi\n",
            "content/contributions/b.md": (
                "---\ntitle: B\ndate: 2026-10-02\ncontributor:\n  name: Sam\n  url: https://sam.example/\n---\nHi\n"
            ),
        },
        config=config,
    )
    assert run_cli(["build", str(root)])[0] == 0
    out = root / "output"
    atom = etree.parse(str(out / "atom.xml"))
    uris = atom.xpath("//a:entry/a:author/a:uri/text()", namespaces={"a": "http://www.w3.org/2005/Atom"})
    assert sorted(uris) == ["https://ann.example/", "https://sam.example/"]
    items = json.loads((out / "feed.json").read_text())["items"]
    urls = sorted(a.get("url", "") for item in items for a in item.get("authors", []))
    assert urls == ["", "https://ann.example/", "https://sam.example/"]
