"""parse_file: one source file -> one Document or diagnostics with file lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.config import SiteConfig
from site_builder.diagnostics import Diagnostic, Severity
from site_builder.model import Document, LinkRef, SourceFile
from site_builder.parse import Renderers, parse_file

RENDERERS = Renderers.create()


def parse(
    tmp_path: Path, rel: str, text: str | bytes, config: SiteConfig | None = None
) -> tuple[Document | None, list[Diagnostic]]:
    path = tmp_path / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    section = rel.split("/", 1)[0] if "/" in rel else ""
    src = SourceFile(rel, path, section, path.name == "_index.md")
    return parse_file(src, config or SiteConfig(root=tmp_path, timezone="Europe/London"), RENDERERS)


def test_weeknote_gets_default_title_url_and_iso_week(tmp_path: Path) -> None:
    doc, problems = parse(
        tmp_path, "weeknotes/platform-week-53.md", "---\ndate: 2027-01-01\n---\nWe shipped.\n"
    )
    assert problems == []
    assert doc is not None
    assert doc.title == "Weeknotes: week 53, 2026"
    assert doc.url == "/weeknotes/2027/01/platform-week-53/"
    assert (doc.fields["iso_year"], doc.fields["iso_week"]) == (2026, 53)


def test_jekyll_file_name_gives_date_and_slug(tmp_path: Path) -> None:
    doc, _ = parse(tmp_path, "weeknotes/2026-09-18-forms-inventory.md", "---\ntitle: Forms\n---\nText\n")
    assert doc is not None
    assert doc.slug == "forms-inventory"
    assert doc.url == "/weeknotes/2026/09/forms-inventory/"
    assert doc.date is not None and doc.date.date().isoformat() == "2026-09-18"


def test_front_matter_permalink_and_slug(tmp_path: Path) -> None:
    doc, _ = parse(
        tmp_path, "notes/x.md", "---\ntitle: X\nslug: Hello World\npermalink: /custom/:slug/\n---\n"
    )
    assert doc is not None
    assert (doc.slug, doc.url) == ("hello-world", "/custom/hello-world/")


def test_link_lines_are_file_lines(tmp_path: Path) -> None:
    text = "---\ntitle: Links\ndate: 2026-01-01\n---\n\nIntro.\n\nSee [b](b.md#top).\n"  # the link: line 8
    doc, _ = parse(tmp_path, "weeknotes/a.md", text)
    assert doc is not None
    assert doc.links == (LinkRef("weeknotes/b.md", "top", 8),)


def test_summary_before_more(tmp_path: Path) -> None:
    doc, _ = parse(tmp_path, "about.md", "---\ntitle: A\n---\nFirst part.\n\n<!--more-->\n\nSecond part.\n")
    assert doc is not None
    assert doc.summary_html.strip() == "<p>First part.</p>"
    assert "Second part." in doc.html
    assert "more" not in doc.html


def test_summary_from_front_matter_is_escaped(tmp_path: Path) -> None:
    doc, _ = parse(tmp_path, "about.md", "---\nsummary: Fish & <chips>\n---\nBody.\n")
    assert doc is not None
    assert doc.summary_html == "<p>Fish &amp; &lt;chips&gt;</p>"


def test_contributions_are_rendered_untrusted(tmp_path: Path) -> None:
    text = "---\ncontributor: Sam\n---\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
    doc, _ = parse(tmp_path, "contributions/c.md", text)
    assert doc is not None
    assert "<script>" not in doc.html
    assert "href" not in doc.html


def test_pages_are_rendered_trusted(tmp_path: Path) -> None:
    doc, _ = parse(tmp_path, "about.md", '<div class="map">Map</div>\n')
    assert doc is not None
    assert '<div class="map">Map</div>' in doc.html


def test_bad_front_matter_stops_the_file(tmp_path: Path) -> None:
    doc, problems = parse(tmp_path, "weeknotes/a.md", "---\ndate: 2026-01-01\ntitle: a: b\n---\n")
    assert doc is None
    assert [(p.code, p.path, p.line) for p in problems] == [
        ("front-matter/yaml", "content/weeknotes/a.md", 3)
    ]


def test_type_error_line_is_the_file_line(tmp_path: Path) -> None:
    doc, problems = parse(tmp_path, "weeknotes/a.md", "---\ntitle: ok\n\ndate: someday\n---\n")
    assert doc is None
    assert [(p.code, p.line) for p in problems] == [("front-matter/type", 4)]


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        (b"---\ntitle: ok\n---\ncaf\xe9\n", "content/encoding", 4),
        (b"PNG\x00\x01binary", "content/binary", 1),
    ],
)
def test_unreadable_bytes_are_errors_with_lines(tmp_path: Path, data: bytes, code: str, line: int) -> None:
    doc, problems = parse(tmp_path, "about.md", data)
    assert doc is None
    assert [(p.code, p.severity, p.line) for p in problems] == [(code, Severity.ERROR, line)]


def test_empty_file_is_a_warning(tmp_path: Path) -> None:
    doc, problems = parse(tmp_path, "about.md", "  \n\n")
    assert doc is None
    assert [(p.code, p.severity) for p in problems] == [("content/empty", Severity.WARNING)]


def test_liquid_and_shortcodes_are_warnings_with_lines(tmp_path: Path) -> None:
    text = "---\ntitle: Old\n---\nText\n\n{% include note.html %}\n\n{{< youtube abc >}}\n"
    doc, problems = parse(tmp_path, "about.md", text)
    assert doc is not None  # still built
    assert [(p.code, p.line) for p in problems] == [
        ("content/template-syntax", 6),
        ("content/template-syntax", 8),
    ]
