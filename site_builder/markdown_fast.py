"""Markdown's fast path: markdown-it.rs parses and renders, and this module adds what markdown.py's
hooks add (heading ids, link markers, Pygments fences, the task list and footnote spellings).

markdown-it.rs (``markdown-it-pyrs``) is a port of the same markdown-it that markdown-it-py is, in
Rust and about fifteen times faster. For CommonMark, tables, strikethrough, task lists, footnotes and
definition lists the two agree but for a few spellings rewritten here. A document that uses anything
else (raw HTML, ``{attributes}``, a link that ``safe_link`` refuses, footnotes out of order) gets
``None`` and goes through markdown-it-py: ``tests/unit/test_markdown_fast.py`` checks, byte for byte
and on every corpus we have, that both paths agree wherever this one answers. Where markdown-it-pyrs
is not installed (it has wheels for CPython 3.11 and 3.12), every document takes markdown-it-py.
The pass over the syntax tree that decides whether this path answers is ``markdown_fast_scan``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from markdown_it.common.utils import escapeHtml

try:
    import markdown_it_pyrs
except ImportError:  # no wheel for this Python: markdown-it-py alone, same output
    markdown_it_pyrs = None  # type: ignore[assignment]

from .markdown import MarkdownMemo, Rendered, fence_html, heading_slug, marker_for, unique_id
from .markdown_fast_scan import Refused, Scan
from .model import Heading, LinkRef

PLUGINS = ["table", "strikethrough", "footnote", "deflist", "tasklist"]
_HEADING = re.compile(r"<h([1-6])>")
_URL = re.compile(r'(<a href="|<img src=")([^"]*)"( id="fnref\d+"| class="footnote-backref")?')
_CHECKBOX = re.compile(r'<input class="task-list-item-checkbox" type="checkbox"( checked="")? />')
_LOOSE_TASK = re.compile(r'(<li class="task-list-item">)(<input [^>]*>)\n<p>')
_FOOTNOTE_DEF = re.compile(r"^[ \t>]*\[\^([^\]]*)\]:", re.MULTILINE)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref"><a href="#fn\d+" id="fnref\d+">\[\d+\]</a></sup>')


def make_fast_markdown() -> Any:
    """The renderer for team content, or None without markdown-it-pyrs; contributions (no raw HTML)
    always take markdown-it-py."""
    if markdown_it_pyrs is None:
        return None
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(PLUGINS)  # type: ignore[arg-type]


def render_fast(
    md: Any, text: str, doc_id: str, first_line: int, memo: MarkdownMemo | None = None
) -> Rendered | None:
    """``markdown.render_markdown``'s result, or None when only markdown-it-py can make it (or
    ``md``, from ``make_fast_markdown``, is None). ``memo`` remembers slugs and highlighted code
    from file to file (``parse.Renderers`` holds one per process); without it nothing is kept."""
    if md is None:
        return None
    scan = Scan(text, first_line)
    try:
        scan.blocks(md.tree(text), True)
    except (Refused, RecursionError):  # thousands of nested quotes: markdown.py copes with those
        return None
    if scan.footnotes != list(range(1, scan.footnote_defs + 1)):
        return None  # each note referenced once, in order: numbering differs otherwise
    if "[^" in text and len(_FOOTNOTE_DEF.findall(text)) != scan.footnote_defs:
        return None  # a label defined twice, or never used: the parsers keep different ones
    html = md.render(text)
    links: tuple[LinkRef, ...] = ()
    try:  # the HTML shows what the tree showed; if it ever did not, markdown-it-py renders the text
        toc, html = _heading_ids(scan.headings, html, memo.heading_slug if memo else heading_slug)
        if scan.fences:
            html = _fences(scan.fences, html, memo.fence_html if memo else fence_html)
        if any(url.startswith("#") or marker_for(url, doc_id) for url, _ in scan.links):
            html, links = _markers(scan, html, doc_id)
        first = _first_paragraph(html, scan.first_paragraph_ok)
    except (Refused, StopIteration):
        return None
    if "task-list-item" in html:
        html = _LOOSE_TASK.sub(r"\1\n<p>\2", html)
        html = _CHECKBOX.sub(_checkbox, html)
    if "footnote-item" in html:
        html = html.replace('class="footnote-item">\n', 'class="footnote-item">')
    return Rendered(html, first, toc, links, tuple(scan.images), scan.words)


def _heading_ids(
    headings: list[tuple[int, str]], html: str, slug: Callable[[str], str]
) -> tuple[tuple[Heading, ...], str]:
    """Every ``<hN>`` is a heading of the tree, in order (raw HTML was refused): give each its id."""
    ids: set[str] = set()
    toc: list[Heading] = []
    found: list[str] = []
    for level, text in headings:
        ident = unique_id(slug(text), ids)
        found.append(ident)
        if level in (2, 3):
            toc.append(Heading(level, ident, text.strip()))
    each = iter(found)
    html = _HEADING.sub(lambda m: f'<h{m.group(1)} id="{escapeHtml(next(each))}">', html) if found else html
    if next(each, None) is not None:
        raise Refused
    return tuple(toc), html


def _fences(fences: list[tuple[str, str] | None], html: str, highlight: Callable[[str, str], str]) -> str:
    """Swap each fenced block for markdown.py's Pygments rendering; indented blocks stay as they are."""
    parts = html.split("<pre><code")
    if len(parts) != len(fences) + 1:
        raise Refused
    out = [parts[0]]
    for fence, part in zip(fences, parts[1:], strict=True):
        if fence is None:
            out.append("<pre><code" + part)
            continue
        end = part.index("</code></pre>\n") + len("</code></pre>\n")
        out.append(highlight(*fence) + part[end:])
    return "".join(out)


def _markers(scan: Scan, html: str, doc_id: str) -> tuple[str, tuple[LinkRef, ...]]:
    """Internal links and root-relative URLs become markers, as markdown.py's ``_link_markers``;
    with the links recorded, in document order."""
    urls: Iterator[tuple[str, int]] = iter(scan.links)
    refs: list[LinkRef] = []

    def one(match: re.Match[str]) -> str:
        if match.group(3):
            return match.group(0)  # a footnote's reference or way back: no link node of the tree
        url, start = next(urls)
        kind = "image" if match.group(1).startswith("<img") else "link"
        if url.startswith("#") and len(url) > 1:  # a same-page anchor, as markdown.py records it
            refs.append(LinkRef(doc_id, url[1:], scan.line(start), kind))
        marked = marker_for(url, doc_id)
        if marked is None:
            return match.group(0)
        refs.append(LinkRef(marked[1], marked[2], scan.line(start), kind))
        return f'{match.group(1)}{escapeHtml(marked[0])}"'

    html = _URL.sub(one, html)
    if next(urls, None) is not None:
        raise Refused
    return html, tuple(refs)


def _checkbox(match: re.Match[str]) -> str:
    checked = ' checked="checked"' if match.group(1) else ""
    return f'<input class="task-list-item-checkbox"{checked} disabled="disabled" type="checkbox">'


def _first_paragraph(html: str, first_is_top: bool | None) -> str:
    """The first top-level paragraph without footnote references, as markdown.py makes it."""
    if first_is_top is None:
        return ""  # no paragraph at the top level
    start = html.find("<p>")
    if not first_is_top or start < 0:
        raise Refused  # a list or quote comes first: its <p> is not the one
    paragraph = html[start : html.index("</p>", start) + 4]
    return _FOOTNOTE_REF.sub("", paragraph) if "footnote-ref" in paragraph else paragraph
