"""Hostile #digitalinsurgents contributions: nothing a contributor writes runs in a page or a feed.

Contributions are untrusted (SECURITY.md). Each payload below goes into its own
contribution (body or front matter); the whole built site, every HTML page and every feed entry,
is then searched for anything live: script elements, event-handler attributes, dangerous URL
schemes, embedding elements, or evaluated template syntax.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import feedparser
import pytest
from lxml import html

from site_builder.cli import main

BODY_PAYLOADS = {
    "script-tag": "<script>alert('xss-script')</script>",
    "img-onerror": "<img src=x onerror=alert('xss-img')>",
    "svg-onload": "<svg onload=alert('xss-svg')></svg>",
    "md-javascript": "[click](javascript:alert('xss-md'))",
    "md-mixed-case": "[click](JaVaScRiPt:alert('xss-case'))",
    "md-tab-entity": "[click](java&#x09;script:alert('xss-tab'))",
    "md-entity-j": "[click](&#106;avascript:alert('xss-entity'))",
    "md-entity-colon": "[click](javascript&colon;alert('xss-colon'))",
    "md-data-html": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md-data-image": "![chart](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "md-vbscript": "[click](vbscript:msgbox('xss-vb'))",
    "md-file": "[passwords](file:///etc/passwd)",
    "md-autolink": "<javascript:alert('xss-autolink')>",
    "md-angle-dest": "[click](<javascript:alert('xss-angle')>)",
    "md-reference": "[click][r]\n\n[r]: javascript:alert('xss-ref')",
    "md-spaces": "[click](   javascript:alert('xss-space'))",
    "html-anchor": "<a href=\"javascript:alert('xss-a')\">click</a>",
    "html-iframe": '<iframe src="https://evil.example/embed"></iframe>',
    "html-object": '<object data="https://evil.example/x.swf"></object>',
    "html-style": "<style>body { display: none }</style>",
    "html-div-handler": "<div onmouseover=\"alert('xss-div')\">hover</div>",
    "html-comment": "<!-- <script>alert('xss-comment')</script> -->",
    "html-nested": "<scr<script>ipt>alert('xss-nested')</script>",
    "html-form": "<form action=\"javascript:alert('xss-form')\"><button>go</button></form>",
    "attrs-inline": "text{onclick=\"alert('xss-attr')\"}",
    "attrs-block": "{onclick=\"alert('xss-block')\" .lead}\nA paragraph.",
    "attrs-image": "![x](/images/x.png){onerror=\"alert('xss-imgattr')\"}",
    "link-title-quote": '[x](https://ok.example "a\\" onmouseover=\\"alert(\'xss-title\')")',
    "heading-html": "## <script>alert('xss-heading')</script> {#x}",
    "footnote": "Note[^1]\n\n[^1]: <script>alert('xss-footnote')</script> [x](javascript:alert('xss-fn'))",
    "jinja-expression": "Seven sevens: {{ 7*7 }} and {{ site.title }}",
    "jinja-statement": "{% for x in range(3) %}LOOP{% endfor %}",
    "entity-script": "&lt;script&gt;alert('xss-entities')&lt;/script&gt;",
}
# Front matter is shown by templates: titles, summaries, contributor cards, tools and images.
FRONT_MATTER_PAYLOADS = {
    "fm-title": {"title": "<script>alert('xss-title-fm')</script>"},
    "fm-summary": {"summary": "<img src=x onerror=alert('xss-summary')>"},
    "fm-contributor-name": {"contributor": {"name": "<svg onload=alert('xss-name')>"}},
    "fm-tool": {"tools": ["<script>alert('xss-tool')</script>", "Trello"]},
    "fm-tag": {"tags": ["\"><script>alert('xss-tag')</script>"]},
    "fm-licence": {"licence": "<b onclick=alert('xss-licence')>CC</b>"},
    "fm-image-alt": {"image": "/images/x.png", "image_alt": "\" onerror=\"alert('xss-alt')"},
    "fm-jinja-title": {"title": "{{ 7*7 }} {% raw %}"},
}
# Front matter refused where it is read (exit 1, file and line named): URLs that are not safe.
REFUSED_FRONT_MATTER = {
    "fm-contributor-url": (
        {"contributor": {"name": "Eve", "url": "javascript:alert('xss-url')"}},
        "contributor",
    ),
    "fm-alias": ({"aliases": ["javascript:alert('xss-alias')"]}, "aliases"),
}
DANGEROUS_SCHEME = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "xlink:href", "background")
EMBEDDING = ("iframe", "object", "embed", "style", "form", "base", "meta", "link", "frame")


def _front_matter(fields: dict[str, object]) -> str:
    data = {
        "title": "A contribution",
        "date": "2026-10-01",
        "contributor": {"name": "Sam Lee"},
        "tags": ["digitalinsurgents"],
    }
    data.update(fields)
    return "---\n" + json.dumps(data) + "\n---\n"  # JSON is YAML: exact strings, no quoting slips


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("hostile")
    (site / "site.toml").write_text('title = "Hostile"\nbase_url = "https://example.org/"\n')
    folder = site / "content" / "contributions"
    folder.mkdir(parents=True)
    for name, payload in BODY_PAYLOADS.items():
        (folder / f"{name}.md").write_text(_front_matter({"title": name}) + "\nBefore.\n\n" + payload + "\n")
    for name, fields in FRONT_MATTER_PAYLOADS.items():
        (folder / f"{name}.md").write_text(_front_matter(fields) + "\nA harmless body.\n")
    assert main(["build", str(site)]) == 0
    return site


def _dangerous(root: html.HtmlElement, where: str, allow_theme_scripts: bool) -> list[str]:
    """Live things anywhere in ``root``; embedding elements only inside rendered Markdown."""
    found = []
    content = root.xpath("//div[@class='content']") if allow_theme_scripts else [root]
    for box in content:
        found += [f"{where}: <{e.tag}>" for e in box.iter() if isinstance(e.tag, str) and e.tag in EMBEDDING]
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag == "script" and not (
            allow_theme_scripts
            and "xss" not in (element.text or "")
            and not element.get("src", "").startswith(("http", "//"))
        ):
            found.append(f"{where}: <script> {element.text!r:.60}")
        for attribute, value in element.attrib.items():
            if attribute.lower().startswith("on"):
                found.append(f"{where}: {tag}[{attribute}]")
            if attribute.lower() in URL_ATTRIBUTES and DANGEROUS_SCHEME.match(
                re.sub(r"[\x00-\x20]", "", value)
            ):
                found.append(f"{where}: {tag}[{attribute}]={value[:40]}")
    return found


def test_the_site_built_with_every_payload(built: Path) -> None:
    assert (built / "output" / "index.html").is_file()
    names = {p.parent.name for p in (built / "output" / "contributions").glob("*/index.html")}
    assert set(BODY_PAYLOADS) | set(FRONT_MATTER_PAYLOADS) - {"fm-title", "fm-jinja-title"} <= names


def test_no_html_page_has_anything_live(built: Path) -> None:
    problems = []
    pages = sorted((built / "output").rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        text = page.read_text(encoding="utf-8")
        problems += _dangerous(html.fromstring(text), str(page.relative_to(built)), allow_theme_scripts=True)
        assert "LOOPLOOPLOOP" not in text and "Seven sevens: 49" not in text, page
    assert not problems, "\n".join(problems[:30])


def test_template_syntax_is_shown_as_text(built: Path) -> None:
    page = (built / "output" / "contributions" / "jinja-expression" / "index.html").read_text()
    assert "Seven sevens: {{ 7*7 }} and {{ site.title }}" in html.fromstring(page).text_content()
    page = (built / "output" / "contributions" / "jinja-statement" / "index.html").read_text()
    assert "{% for x in range(3) %}LOOP{% endfor %}" in html.fromstring(page).text_content()


def test_raw_html_is_escaped_not_dropped(built: Path) -> None:
    """A contributor's <iframe> is shown as text, so they can see why it did not embed."""
    page = html.parse(str(built / "output" / "contributions" / "html-iframe" / "index.html")).getroot()
    content = page.xpath("//div[@class='content']")[0]
    assert '<iframe src="https://evil.example/embed"></iframe>' in content.text_content()
    assert not content.xpath(".//iframe")


def test_no_feed_entry_has_anything_live(built: Path) -> None:
    feeds = [p for p in (built / "output").rglob("*") if p.name in ("feed.xml", "atom.xml")]
    assert feeds
    problems = []
    for path in feeds:
        for entry in feedparser.parse(path.read_bytes()).entries:
            for content in [c.value for c in entry.get("content", [])] + [entry.get("summary", "")]:
                if content.strip():
                    fragment = html.fragment_fromstring(content, create_parent="div")
                    problems += _dangerous(fragment, f"{path.name}: {entry.title}", allow_theme_scripts=False)
    for path in (built / "output").rglob("feed.json"):
        for item in json.loads(path.read_text())["items"]:
            fragment = html.fragment_fromstring(item["content_html"], create_parent="div")
            problems += _dangerous(fragment, f"{path.name}: {item['title']}", allow_theme_scripts=False)
    assert not problems, "\n".join(problems[:30])


@pytest.mark.parametrize("name", REFUSED_FRONT_MATTER)
def test_unsafe_urls_in_front_matter_are_refused_with_the_line(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    fields, key = REFUSED_FRONT_MATTER[name]
    (tmp_path / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    (tmp_path / "content" / "contributions").mkdir(parents=True)
    (tmp_path / "content" / "contributions" / "x.md").write_text(_front_matter(fields) + "Hi\n")
    assert main(["build", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"content/contributions/x\.md:\d+: error: '{key}'", err), err
    assert "hint:" in err and "Traceback" not in err
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    "scheme", ["javascript:alert(1)", "data:image/svg+xml,<svg onload=alert(1)>", "vbscript:x"]
)
def test_an_image_field_with_a_script_scheme_is_refused(
    tmp_path: Path, scheme: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/"\n')
    (tmp_path / "content" / "contributions").mkdir(parents=True)
    (tmp_path / "content" / "contributions" / "x.md").write_text(_front_matter({"image": scheme}) + "Hi\n")
    assert main(["build", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert re.search(
        r"content/contributions/x\.md:\d+: error: 'image' must be a path on this site or an http\(s\) URL",
        err,
    )
    assert not (tmp_path / "output").exists()
