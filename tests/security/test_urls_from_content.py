"""One rule for every URL that comes from content (SECURITY.md): a permalink, alias or slug is a
safe site path, checked where it is read; every URL is escaped where it is written; ids from
untrusted content never take the theme's. Reserved paths: test_reserved_paths.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from lxml import html as lxml_html

Cli = Callable[[Sequence[str]], tuple[int, str, str]]

LINKER = """\
---
title: Linker
date: 2026-10-02
---
See [the contribution](../contributions/evil.md) and [its method](../contributions/evil.md#method).
"""


def contribution(front: str, body: str = "Body.\n\n## Method\n\nHow.\n") -> str:
    return f"---\ntitle: Evil\ndate: 2026-10-01\ncontributor: Eve\n{front}\n---\n{body}"


# Each value is refused where it is read: exit 1, the file and the field's line, a hint.
UNSAFE = {
    "permalink-quote": "permalink: '/x/\"><script>alert(1)</script>/'",
    "permalink-single-quote": "permalink: \"/x/'onmouseover='alert(1)/\"",
    "permalink-angle": "permalink: /x/<svg/onload=alert(1)>/",
    "permalink-backslash": "permalink: '/\\evil.example/x/'",
    "permalink-backslash-encoded": "permalink: /%5Cevil.example/x/",
    "permalink-quote-encoded": "permalink: /x/%22onmouseover=alert(1)/",
    "permalink-nul": 'permalink: "/x/\\0/"',
    "permalink-newline": 'permalink: "/x/\\n<script>/"',
    "permalink-line-separator": 'permalink: "/x/\\u2028y/"',
    "permalink-dotdot": "permalink: /../../etc/",
    "permalink-dotdot-encoded": "permalink: /a/%2e%2e/%2e%2e/b/",
    "permalink-hidden": "permalink: /.git/config",
    "permalink-nojekyll": "permalink: /.nojekyll",
    "permalink-query": "permalink: /x/?a=1",
    "permalink-fragment": "permalink: /x/#frag",
    "permalink-tab": 'permalink: "/a\tb/"',
    "permalink-wide-space": 'permalink: "/a\u3000b/"',
    "permalink-unknown-token": "permalink: /:section/:yearly/:slug/",
    "permalink-too-long": "permalink: /" + "a" * 300 + "/",
    "hugo-url-quote": "url: '/x\"onmouseover=alert(1)/'",
    "alias-quote": "aliases: ['/old/\"><script>alert(1)</script>/']",
    "alias-backslash": "aliases: ['/\\evil.example/']",
    "alias-javascript": "aliases: ['javascript:alert(1)']",
    "alias-angle-encoded": "aliases: ['/a/%3Cscript%3E/']",
    "redirect-from-quote": "redirect_from: ['/old/\"x/']",
}


@pytest.mark.parametrize("name", UNSAFE)
def test_an_unsafe_url_is_refused_where_it_is_read(
    name: str, make_site: Callable[..., Path], run_cli: Cli
) -> None:
    root = make_site({"content/contributions/evil.md": contribution(UNSAFE[name])})
    code, _, err = run_cli(["build", str(root)])
    assert code == 1, err
    assert "content/contributions/evil.md:5: error:" in err and "[front-matter/url]" in err, err
    assert "hint:" in err and "Traceback" not in err
    assert not (root / "output").exists()
    code, out, _ = run_cli(["check", str(root), "--format", "json"])
    assert code == 1 and '"front-matter/url"' in out


def test_the_previous_output_is_untouched_by_a_refused_url(
    make_site: Callable[..., Path], run_cli: Cli, hash_tree: Callable[[Path], dict[str, str]]
) -> None:
    root = make_site({"content/contributions/evil.md": contribution("")})
    assert run_cli(["build", str(root)])[0] == 0
    before = hash_tree(root / "output")
    (root / "content/contributions/evil.md").write_text(contribution(UNSAFE["permalink-quote"]))
    assert run_cli(["build", str(root)])[0] == 1
    assert hash_tree(root / "output") == before


SAFE_BUT_ODD = {  # inert: normalised into a path of this site, or slugified
    "slug-quote": ("slug: '\"><script>alert(1)</script>'", "/contributions/script-alert-1-script/"),
    "slug-dotdot": ("slug: ../../../etc", "/contributions/etc/"),
    "permalink-double-slash": ("permalink: //evil.example/x/", "/evil.example/x/"),
    "permalink-unicode": ("permalink: /cyfraniadau/ŵyl/", "/cyfraniadau/ŵyl/"),
    "permalink-dot": ("permalink: /a/./b/", "/a/b/"),
    "permalink-space": ("permalink: /news and views/x/", "/news and views/x/"),  # old Jekyll URLs
}


@pytest.mark.parametrize("name", SAFE_BUT_ODD)
def test_odd_but_safe_urls_stay_on_the_site(
    name: str,
    make_site: Callable[..., Path],
    run_cli: Cli,
    live_content: Callable[[Path], list[str]],
) -> None:
    front, url = SAFE_BUT_ODD[name]
    root = make_site(
        {"content/contributions/evil.md": contribution(front), "content/notes/linker.md": LINKER}
    )
    code, _, err = run_cli(["build", str(root)])
    assert code == 0, err
    out = root / "output"
    assert (out / url.lstrip("/") / "index.html").is_file()
    linker = lxml_html.fromstring((out / "notes/linker/index.html").read_bytes())
    hrefs = [a.get("href") for a in linker.xpath("//div[@class='content']//a")]
    assert hrefs == [url, url + "#user-content-method"]  # the link swap writes the checked URL
    assert live_content(out) == []


def test_a_link_to_another_file_is_escaped_where_it_is_written(
    make_site: Callable[..., Path], run_cli: Cli, live_content: Callable[[Path], list[str]]
) -> None:
    """Markdown link targets keep markdown-it's escaping through the link swap: a quote or an
    ampersand in a query never closes the attribute."""
    body = (
        '[a](/files/report.pdf?a=1&b="><script>alert(1)</script>)\n\n'
        '[b](../notes/linker.md#x"onmouseover=alert(1))\n\n'
        "[c](chart.png?x=\"'><img src=x onerror=alert(1)>)\n"
    )
    root = make_site(
        {"content/contributions/evil.md": contribution("", body), "content/notes/linker.md": LINKER}
    )
    code, _, err = run_cli(["build", str(root)])
    assert code == 0, err
    assert live_content(root / "output") == []
    page = lxml_html.fromstring((root / "output/contributions/evil/index.html").read_bytes())
    hrefs = [a.get("href") for a in page.xpath("//div[@class='content']//a")]
    assert hrefs[0].startswith("/files/report.pdf?a=1&b=%22%3E%3Cscript%3E")


def test_urls_differing_only_by_unicode_form_are_duplicates(
    make_site: Callable[..., Path], run_cli: Cli
) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "/café/"), unicodedata.normalize("NFD", "/café/")
    assert nfc != nfd
    root = make_site(
        {
            "content/contributions/a.md": contribution(f"permalink: {nfc}"),
            "content/contributions/b.md": contribution(f"permalink: {nfd}"),
        }
    )
    code, _, err = run_cli(["build", str(root)])
    assert code == 1
    assert "content/contributions/b.md" in err and "also the URL of content/contributions/a.md" in err
    assert "[url/duplicate]" in err


def test_contribution_ids_never_collide_with_the_theme(make_site: Callable[..., Path], run_cli: Cli) -> None:
    body = (
        "## Main {#main}\n\nText.\n\n## Main\n\n## Search\n\n[back](#main) and [method](#method)\n\n"
        "## Method\n\nA note.[^1]\n\n[^1]: The footnote.\n"
    )
    root = make_site(
        {"content/contributions/evil.md": contribution("", body), "content/notes/linker.md": LINKER}
    )
    code, _, err = run_cli(["build", str(root)])
    assert code == 0 and "link/anchor" not in err, err
    page = lxml_html.fromstring((root / "output/contributions/evil/index.html").read_bytes())
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids)), sorted(ids)
    assert len(page.xpath("//*[@id='main']")) == 1 and page.xpath("//*[@id='main']")[0].tag == "main"
    content = page.xpath("//div[@class='content']")[0]
    assert all(i.startswith(("user-content-", "fn")) for i in content.xpath(".//@id")), content.xpath(
        ".//@id"
    )
    assert {"user-content-main", "user-content-main-1", "user-content-method"} <= set(content.xpath(".//@id"))
    hrefs = [a.get("href") for a in content.xpath(".//a") if a.get("href", "").startswith("#user")]
    assert hrefs == ["#user-content-main", "#user-content-method"]
    footnotes = [a.get("href") for a in content.xpath(".//sup//a")]
    assert footnotes and all(content.xpath(f".//*[@id='{h[1:]}']") for h in footnotes)


def test_team_content_keeps_its_plain_ids(make_site: Callable[..., Path], run_cli: Cli) -> None:
    root = make_site({"content/notes/a.md": "---\ntitle: A\ndate: 2026-10-01\n---\n## Method\n\nText.\n"})
    assert run_cli(["build", str(root)])[0] == 0
    page = lxml_html.fromstring((root / "output/notes/a/index.html").read_bytes())
    assert page.xpath("//div[@class='content']//h2/@id") == ["method"]
