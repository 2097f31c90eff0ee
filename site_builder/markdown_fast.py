"""Markdown's fast path: markdown-it.rs parses and renders, and this module adds what markdown.py's
hooks add (heading ids, link markers, Pygments fences, the task list and footnote spellings).

markdown-it.rs (``markdown-it-pyrs``) is a port of the same markdown-it that markdown-it-py is, in
Rust and about fifteen times faster. For CommonMark, tables, strikethrough, task lists, footnotes and
definition lists the two agree but for a few spellings rewritten here. A document that uses anything
else (raw HTML, ``{attributes}``, a link that ``safe_link`` refuses, footnotes out of order) gets
``None`` and goes through markdown-it-py: ``tests/unit/test_markdown_fast.py`` checks, byte for byte
and on every corpus we have, that both paths agree wherever this one answers. Where markdown-it-pyrs
is not installed (it has wheels for CPython 3.11 and 3.12), every document takes markdown-it-py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from markdown_it.common.utils import escapeHtml

try:
    import markdown_it_pyrs
except ImportError:  # no wheel for this Python: markdown-it-py alone, same output
    markdown_it_pyrs = None  # type: ignore[assignment]

from .markdown import Rendered, fence_html, heading_slug, marker_for, safe_link, unique_id
from .model import Heading, ImageRef, LinkRef

PLUGINS = ["table", "strikethrough", "footnote", "deflist", "tasklist"]
# Nodes whose text markdown-it-py keeps as one inline run, with the line of the block it is in.
_LEAF_BLOCKS = frozenset({"paragraph", "heading", "lheading", "tcell", "definition_term"})
_TEXT = frozenset({"text", "text_special"})
_REFUSED = frozenset({"html_block", "html_inline", "footnote_inline"})
_MAY_HOLD_PARAGRAPHS = frozenset({"bullet_list", "ordered_list", "blockquote", "definition_list"})
_CONTAINERS = _MAY_HOLD_PARAGRAPHS | {
    "list_item",
    "footnote_container",
    "footnote_def",
    "table",
    "thead",
    "tbody",
    "trow",
}
_HEADING = re.compile(r"<h([1-6])>")
_URL = re.compile(r'(<a href="|<img src=")([^"]*)"( id="fnref\d+"| class="footnote-backref")?')
_CHECKBOX = re.compile(r'<input class="task-list-item-checkbox" type="checkbox"( checked="")? />')
_LOOSE_TASK = re.compile(r'(<li class="task-list-item">)(<input [^>]*>)\n<p>')
_CHECK = re.compile(r"\[[ xX]\]")
_FOOTNOTE_DEF = re.compile(r"^[ \t>]*\[\^([^\]]*)\]:", re.MULTILINE)
_FOOTNOTE_REF = re.compile(r'<sup class="footnote-ref"><a href="#fn\d+" id="fnref\d+">\[\d+\]</a></sup>')


def _stripped(inline: list[Any]) -> None:
    """markdown-it-py strips a block's text with ``str.strip``, which takes no-break and other Unicode
    spaces too; markdown-it.rs keeps those (``text.&nbsp;</p>``)."""
    if not inline:
        return
    first, last = inline[0], inline[-1]
    if first.name == "text" and (text := first.meta["content"])[:1].isspace() and text[0] != " ":
        raise _Refused
    if last.name == "text" and last.meta["content"][-1:].isspace():
        raise _Refused


_INLINE = frozenset(
    {
        *_TEXT,
        "em",
        "strong",
        "strikethrough",
        "link",
        "autolink",
        "image",
        "code_inline",
        "softbreak",
        "hardbreak",
        "footnote_ref",
        "footnote_ref_anchor",
    }
)


def make_fast_markdown() -> Any:
    """The renderer for team content, or None without markdown-it-pyrs; contributions (no raw HTML)
    always take markdown-it-py."""
    if markdown_it_pyrs is None:
        return None
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(PLUGINS)  # type: ignore[arg-type]


class _Refused(Exception):
    """The document uses something only markdown-it-py renders as this site does."""


class _Scan:
    """One pass over the syntax tree: what markdown.py's hooks would collect, in document order."""

    def __init__(self, text: str, first_line: int) -> None:
        self.data = text.encode()  # the tree's source map counts bytes
        self.first_line = first_line
        self.headings: list[tuple[int, str]] = []
        self.links: list[tuple[str, int]] = []  # (url as markdown-it normalised it, block's offset)
        self.images: list[ImageRef] = []
        self.fences: list[tuple[str, str] | None] = []  # (info, code); None for an indented block
        self.words = 0
        self.footnotes: list[int] = []  # definition ids, in the order they are first referenced
        self.footnote_defs = 0
        self.in_footnote = False
        self.in_table = False
        self.first_paragraph_ok: bool | None = None  # the first top-level <p> is the first paragraph

    def line(self, offset: int) -> int:
        return self.first_line + self.data.count(b"\n", 0, offset)

    def _closed(self, fence: Any) -> bool:
        start, end = fence.srcmap
        lines = self.data[start:end].rstrip().split(b"\n")
        marker, last = fence.meta["marker"].encode(), lines[-1].strip()
        return len(lines) > 1 and len(last) >= fence.meta["marker_len"] and not last.strip(marker)

    def _table_ok(self, table: Any) -> bool:
        """Both parsers agree on tables whose rows are written between pipes."""
        start, end = table.srcmap
        lines = self.data[start:end].rstrip(b"\n").split(b"\n")
        return all(line.strip().startswith(b"|") and line.strip().endswith(b"|") for line in lines)

    def blocks(self, node: Any, top: bool) -> None:
        runs: list[Any] = []
        for child in node.children:
            name = child.name
            if name in _REFUSED:
                raise _Refused
            if name in _LEAF_BLOCKS or name == "definition_description":
                if top and self.first_paragraph_ok is None and name != "heading" and name != "lheading":
                    self.first_paragraph_ok = name == "paragraph"
                self._leaf(child, name)
            elif name == "fence":
                info = child.meta.get("info", "")
                if "{" in info or not self._closed(child):
                    raise _Refused  # attributes; a fence left open to the end of the text
                self.fences.append((info, child.meta["content"]))
            elif name == "code_block":
                self.fences.append(None)
            elif name == "footnote_def":
                self.footnote_defs += 1
                self.in_footnote = True
                self.blocks(child, False)
                self.in_footnote = False
            elif name == "table":
                if not self._table_ok(child):
                    raise _Refused
                self.in_table = True
                self.blocks(child, False)
                self.in_table = False
            elif name in _CONTAINERS:
                if name == "blockquote" and not child.children:
                    raise _Refused  # markdown-it.rs writes an empty quote over two lines
                if top and self.first_paragraph_ok is None and name in _MAY_HOLD_PARAGRAPHS:
                    self.first_paragraph_ok = False
                self.blocks(child, False)
            elif name in _INLINE:  # straight in a container: a tight list item's hidden paragraph
                runs.append(child)
            elif name not in ("hr", "todo_checkbox"):
                raise _Refused  # a node this module does not know
        if runs:
            _stripped(runs)
            first = runs[0].srcmap or next((r.srcmap for r in runs if r.srcmap is not None), None)
            if first is None:
                raise _Refused
            self._inline(runs, first[0], heading=None)

    def _leaf(self, node: Any, name: str) -> None:
        children = node.children
        if name == "definition_description":
            if children and children[0].name in _LEAF_BLOCKS:
                self.blocks(node, False)
                return
            if any(c.name not in _INLINE for c in children):
                raise _Refused  # a description holding other blocks: not worth the care
            start = children[0].srcmap[0]
        else:
            start = node.srcmap[0]
        _stripped(children)
        if name == "heading" or name == "lheading":
            heading: list[str] = []
            self._inline(children, start, heading)
            self.headings.append((node.meta["level"], "".join(heading)))
        else:
            self._inline(children, start, None)

    def _inline(self, nodes: list[Any], start: int, heading: list[str] | None) -> None:
        """``start``: where the block holding these nodes starts (its line is counted when needed)."""
        run = ""  # adjacent text nodes: markdown-it-py joins them into one token
        for node in nodes:
            name = node.name
            if name == "text" or name == "text_special":
                content = node.meta["content"]
                if "{" in content or ("|" in content and not self.in_table):
                    raise _Refused  # {attributes}, template syntax; a table only one parser sees
                if "[" in content and _CHECK.search(content):
                    raise _Refused  # a task box only one parser sees
                run += content
                if heading is not None:
                    heading.append(content)
                continue
            if run:
                self.words += len(run.split())
                run = ""
            if name in _REFUSED:
                raise _Refused
            if name == "link" or name == "autolink":
                url = node.meta["url"]
                if not safe_link(url):
                    raise _Refused
                self.links.append((url, start))
                self._inline(node.children, start, heading)
            elif name == "image":
                url = node.meta["url"]
                if not safe_link(url):
                    raise _Refused
                alt: list[str] = []
                self._alt(node.children, alt)
                self.images.append(ImageRef(url, "".join(alt), self.line(start)))
                self.links.append((url, start))
            elif name == "code_inline":
                code = "".join(c.meta["content"] for c in node.children)
                if heading is not None:
                    heading.append(code)
            elif name == "footnote_ref":
                if self.in_footnote:
                    raise _Refused
                self.footnotes.append(node.meta["def_id"])
            elif name in ("softbreak", "hardbreak", "footnote_ref_anchor"):
                continue
            elif name in _INLINE:
                self._inline(node.children, start, heading)
            else:
                raise _Refused
        if run:
            self.words += len(run.split())

    def _alt(self, nodes: list[Any], alt: list[str]) -> None:
        for node in nodes:
            if node.name in _TEXT:
                alt.append(node.meta["content"])
            elif node.name == "code_inline":
                alt.append("".join(c.meta["content"] for c in node.children))
            elif node.name in _REFUSED:
                raise _Refused
            else:
                self._alt(node.children, alt)


def render_fast(md: Any, text: str, doc_id: str, first_line: int) -> Rendered | None:
    """``markdown.render_markdown``'s result, or None when only markdown-it-py can make it (or
    ``md``, from ``make_fast_markdown``, is None)."""
    if md is None:
        return None
    scan = _Scan(text, first_line)
    try:
        scan.blocks(md.tree(text), True)
    except (_Refused, RecursionError):  # thousands of nested quotes: markdown.py copes with those
        return None
    if scan.footnotes != list(range(1, scan.footnote_defs + 1)):
        return None  # each note referenced once, in order: numbering differs otherwise
    if "[^" in text and len(_FOOTNOTE_DEF.findall(text)) != scan.footnote_defs:
        return None  # a label defined twice, or never used: the parsers keep different ones
    html = md.render(text)
    links: list[LinkRef] = []
    try:  # the HTML shows what the tree showed; if it ever did not, markdown-it-py renders the text
        toc, html = _heading_ids(scan.headings, html)
        if scan.fences:
            html = _fences(scan.fences, html)
        if any(url.startswith("#") or marker_for(url, doc_id) for url, _ in scan.links):
            html = _markers(scan, html, doc_id, links)
        first = _first_paragraph(html, scan.first_paragraph_ok)
    except (_Refused, StopIteration):
        return None
    if "task-list-item" in html:
        html = _LOOSE_TASK.sub(r"\1\n<p>\2", html)
        html = _CHECKBOX.sub(_checkbox, html)
    if "footnote-item" in html:
        html = html.replace('class="footnote-item">\n', 'class="footnote-item">')
    return Rendered(html, first, toc, tuple(links), tuple(scan.images), scan.words)


def _heading_ids(headings: list[tuple[int, str]], html: str) -> tuple[tuple[Heading, ...], str]:
    """Every ``<hN>`` is a heading of the tree, in order (raw HTML was refused): give each its id."""
    ids: set[str] = set()
    toc: list[Heading] = []
    found: list[str] = []
    for level, text in headings:
        ident = unique_id(heading_slug(text), ids)
        found.append(ident)
        if level in (2, 3):
            toc.append(Heading(level, ident, text.strip()))
    each = iter(found)
    html = _HEADING.sub(lambda m: f'<h{m.group(1)} id="{escapeHtml(next(each))}">', html) if found else html
    if next(each, None) is not None:
        raise _Refused
    return tuple(toc), html


def _fences(fences: list[tuple[str, str] | None], html: str) -> str:
    """Swap each fenced block for markdown.py's Pygments rendering; indented blocks stay as they are."""
    parts = html.split("<pre><code")
    if len(parts) != len(fences) + 1:
        raise _Refused
    out = [parts[0]]
    for fence, part in zip(fences, parts[1:], strict=True):
        if fence is None:
            out.append("<pre><code" + part)
            continue
        end = part.index("</code></pre>\n") + len("</code></pre>\n")
        out.append(fence_html(*fence) + part[end:])
    return "".join(out)


def _markers(scan: _Scan, html: str, doc_id: str, refs: list[LinkRef]) -> str:
    """Internal links and root-relative URLs become markers, as markdown.py's ``_link_markers``."""
    urls: Iterator[tuple[str, int]] = iter(scan.links)

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
        raise _Refused
    return html


def _checkbox(match: re.Match[str]) -> str:
    checked = ' checked="checked"' if match.group(1) else ""
    return f'<input class="task-list-item-checkbox"{checked} disabled="disabled" type="checkbox">'


def _first_paragraph(html: str, first_is_top: bool | None) -> str:
    """The first top-level paragraph without footnote references, as markdown.py makes it."""
    if first_is_top is None:
        return ""  # no paragraph at the top level
    start = html.find("<p>")
    if not first_is_top or start < 0:
        raise _Refused  # a list or quote comes first: its <p> is not the one
    paragraph = html[start : html.index("</p>", start) + 4]
    return _FOOTNOTE_REF.sub("", paragraph) if "footnote-ref" in paragraph else paragraph
