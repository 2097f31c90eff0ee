"""markdown: the trusted and untrusted renderers, heading ids, highlighting and link markers."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from site_builder.markdown import Rendered, make_markdown, render_markdown
from site_builder.model import Heading, ImageRef, LinkRef

TRUSTED = make_markdown(trusted=True)
UNTRUSTED = make_markdown(trusted=False)


def render(
    text: str, doc_id: str = "weeknotes/post.md", first_line: int = 1, trusted: bool = True
) -> Rendered:
    return render_markdown(TRUSTED if trusted else UNTRUSTED, text, doc_id, first_line)


def tree(text: str, trusted: bool = True) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(render(text, trusted=trusted).html, create_parent="div")


def test_tables() -> None:
    root = tree("| Team | Posts |\n|---|--:|\n| Platform | 12 |\n")
    assert root.xpath("//table/thead/tr/th/text()") == ["Team", "Posts"]
    assert root.xpath("//table/tbody/tr/td/text()") == ["Platform", "12"]


def test_footnotes() -> None:
    root = tree("We shipped it.[^why]\n\n[^why]: Because the forms were ready.\n")
    ref = root.xpath("//sup[@class='footnote-ref']/a")[0]
    note_id = ref.get("href").removeprefix("#")
    note = root.xpath(f"//*[@id='{note_id}']")[0]
    assert "Because the forms were ready." in note.text_content()


def test_task_lists() -> None:
    root = tree("- [ ] write the note\n- [x] ship the beta\n")
    boxes = root.xpath("//li/input[@type='checkbox']")
    assert [b.get("checked") is not None for b in boxes] == [False, True]
    assert all(b.get("disabled") is not None for b in boxes)


def test_definition_lists() -> None:
    root = tree("Weeknote\n: A short public note about the week.\n")
    assert root.xpath("//dl/dt/text()") == ["Weeknote"]
    assert root.xpath("//dl/dd/text()") == ["A short public note about the week."]


def test_strikethrough() -> None:
    assert tree("We will ~~never~~ ship on a Friday.").xpath("//s/text()") == ["never"]


def test_heading_ids_slugified_and_deduplicated() -> None:
    result = render("# Title\n\n## What we did\n\n## What we did\n\n### Café & tea\n")
    root = lxml_html.fragment_fromstring(result.html, create_parent="div")
    assert root.xpath("//h1/@id | //h2/@id | //h3/@id") == [
        "title",
        "what-we-did",
        "what-we-did-1",
        "cafe-tea",
    ]
    # the table of contents lists h2 and h3 only, with the same ids
    assert result.toc == (
        Heading(2, "what-we-did", "What we did"),
        Heading(2, "what-we-did-1", "What we did"),
        Heading(3, "cafe-tea", "Café & tea"),
    )


def test_explicit_heading_id() -> None:
    result = render("## Next steps {#next}\n")
    assert '<h2 id="next">Next steps</h2>' in result.html
    assert result.toc == (Heading(2, "next", "Next steps"),)


def test_heading_id_ignores_inline_markup() -> None:
    assert tree("## Ship *the* `beta`").xpath("//h2/@id") == ["ship-the-beta"]


def test_fenced_code_is_highlighted_with_pygments_classes() -> None:
    root = tree("```python\ndef ship():\n    return True\n```\n")
    code = root.xpath("//div[@class='highlight']/pre/code")[0]
    assert code.get("class") == "language-python"
    assert code.xpath("span[@class='k']/text()")[:1] == ["def"]  # Pygments' keyword class
    assert code.xpath("span[@class='nf']/text()") == ["ship"]  # function name


def test_unknown_language_is_escaped_text() -> None:
    result = render("```nosuchlanguage\nif a < b && c\n```\n")
    assert "if a &lt; b &amp;&amp; c" in result.html
    assert "<span" not in result.html


def test_md_links_become_markers_with_line_numbers() -> None:
    text = "# Links\n\nSee [last week](../weeknotes/week-1.md#what-we-did).\n\nAnd [the guide](guide.md).\n"
    result = render(text, doc_id="case-studies/bins.md", first_line=10)
    assert 'href="sb:weeknotes/week-1.md#what-we-did"' in result.html
    assert 'href="sb:case-studies/guide.md#"' in result.html
    # body line 2 is file line 12, body line 4 is file line 14
    assert result.links == (
        LinkRef("weeknotes/week-1.md", "what-we-did", 12),
        LinkRef("case-studies/guide.md", "", 14),
    )


def test_root_relative_urls_become_markers_with_site_path_refs() -> None:
    """Checked once every output is known (links.check_site_links): the target is the site path."""
    result = render("![Map](/images/map.svg)\n\n[Tags](/tags/#x%20y)\n")
    assert 'src="sb:/images/map.svg"' in result.html
    assert 'href="sb:/tags/#x%20y"' in result.html
    assert result.links == (LinkRef("/images/map.svg", "", 1, "image"), LinkRef("/tags/", "x%20y", 3))
    assert result.images == (ImageRef("/images/map.svg", "Map", 1),)


@pytest.mark.parametrize(
    "url",
    ["https://example.org/notes.md", "mailto:team@example.org", "#local", "//cdn.example/x.md"],
)
def test_other_urls_are_left_alone(url: str) -> None:
    """Absolute URLs, fragments and protocol-relative URLs are not the site's to rewrite; a
    fragment is recorded as a link to this page, so a missing heading is reported."""
    result = render(f"[x]({url})")
    assert f'href="{url}"' in result.html
    assert result.links == ((LinkRef("weeknotes/post.md", "local", 1),) if url == "#local" else ())


def test_link_line_inside_a_list_and_a_table() -> None:
    # body line 3 (the second item) and body line 7 (the table row), counted from file line 5
    result = render("Intro\n\n- one\n- [two](two.md)\n\n| a |\n|---|\n| [three](three.md) |\n", first_line=5)
    assert [(ref.target, ref.line) for ref in result.links] == [
        ("weeknotes/two.md", 8),
        ("weeknotes/three.md", 12),
    ]


def test_word_count_and_first_paragraph() -> None:
    result = render("# Heading words\n\nOne two *three* four.\n\nFive six.\n")
    assert result.first_paragraph_html == "<p>One two <em>three</em> four.</p>"
    assert result.word_count == 8


def test_trusted_renderer_keeps_raw_html() -> None:
    assert '<div class="note">Kept</div>' in render('<div class="note">Kept</div>\n').html


# --- untrusted contributions (SECURITY.md: no raw HTML, no javascript:/data: links) ---


def test_untrusted_escapes_raw_html() -> None:
    html = render(
        '<script>alert(1)</script>\n\n<iframe src="https://evil.example/"></iframe>\n\n'
        'Inline <img src=x onerror="alert(1)"> here.\n',
        trusted=False,
    ).html
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    assert root.xpath("//script | //iframe | //img") == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;iframe" in html  # shown as text


@pytest.mark.parametrize(
    "link",
    [
        "[a](javascript:alert(1))",
        "[a](JaVaScRiPt:alert(1))",
        "[a](jav&#x09;ascript:alert(1))",
        "[a](&#106;avascript:alert(1))",
        "[a](javascript&colon;alert(1))",
        "[a](java%0Ascript:alert(1))",
        "[a](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![a](data:image/svg+xml;base64,PHN2Zz4=)",
        "[a](vbscript:msgbox(1))",
        "[a](VBScript:msgbox(1))",
        "[a][ref]\n\n[ref]: javascript:alert(1)",
        "[a](file:///etc/passwd)",
    ],
)
@pytest.mark.parametrize("trusted", [False, True])
def test_dangerous_link_schemes_are_dropped(link: str, trusted: bool) -> None:
    html = render(link, trusted=trusted).html
    root = lxml_html.fragment_fromstring(html, create_parent="div")
    targets = root.xpath("//@href | //@src")
    assert targets == [], html


def test_safe_links_survive_in_untrusted_content() -> None:
    root = tree("[site](https://example.org/) [mail](mailto:a@example.org) [here](#notes)", trusted=False)
    assert root.xpath("//a/@href") == ["https://example.org/", "mailto:a@example.org", "#notes"]


def test_untrusted_attributes_allow_only_class() -> None:
    root = tree('[a](https://example.org/){onclick="alert(1)" #x .button}\n', trusted=False)
    link = root.xpath("//a")[0]
    assert dict(link.attrib) == {"href": "https://example.org/", "class": "button"}


def test_untrusted_template_syntax_is_plain_text() -> None:
    html = render("Hello {{ site.title }} and {% include x.html %}", trusted=False).html
    assert "{{ site.title }}" in html
    assert "{% include x.html %}" in html


def test_relative_file_links_become_content_path_markers() -> None:
    """Relative to the source file, as on GitHub, so they survive any permalink pattern."""
    result = render("[chart](chart.png) ![map](../images/map.svg) [up](../)", doc_id="weeknotes/2026/x.md")
    assert 'href="sb:/weeknotes/2026/chart.png"' in result.html
    assert 'src="sb:/weeknotes/images/map.svg"' in result.html
    assert 'href="sb:/weeknotes/"' in result.html
    outside = render("[x](../../../etc/passwd)", doc_id="weeknotes/x.md")
    assert 'href="../../../etc/passwd"' in outside.html  # above the content root: left as written
