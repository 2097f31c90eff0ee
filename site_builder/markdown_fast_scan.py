"""The fast Markdown path's pass over markdown-it.rs's syntax tree (``markdown_fast``): what
markdown.py's hooks would collect (headings, links, images, fences, words, footnotes), in document
order, or ``Refused`` when the document uses something only markdown-it-py renders as this site does.
"""

from __future__ import annotations

import re
from typing import Any

from .markdown import safe_link
from .model import ImageRef

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
_CHECK = re.compile(r"\[[ xX]\]")


class Refused(Exception):
    """The document uses something only markdown-it-py renders as this site does."""


def _stripped(inline: list[Any]) -> None:
    """markdown-it-py strips a block's text with ``str.strip``, which takes no-break and other Unicode
    spaces too; markdown-it.rs keeps those (``text.&nbsp;</p>``)."""
    if not inline:
        return
    first, last = inline[0], inline[-1]
    if first.name == "text" and (text := first.meta["content"])[:1].isspace() and text[0] != " ":
        raise Refused
    if last.name == "text" and last.meta["content"][-1:].isspace():
        raise Refused


class Scan:
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
                raise Refused
            if name in _LEAF_BLOCKS or name == "definition_description":
                if top and self.first_paragraph_ok is None and name != "heading" and name != "lheading":
                    self.first_paragraph_ok = name == "paragraph"
                self._leaf(child, name)
            elif name == "fence":
                info = child.meta.get("info", "")
                if "{" in info or not self._closed(child):
                    raise Refused  # attributes; a fence left open to the end of the text
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
                    raise Refused
                self.in_table = True
                self.blocks(child, False)
                self.in_table = False
            elif name in _CONTAINERS:
                if name == "blockquote" and not child.children:
                    raise Refused  # markdown-it.rs writes an empty quote over two lines
                if top and self.first_paragraph_ok is None and name in _MAY_HOLD_PARAGRAPHS:
                    self.first_paragraph_ok = False
                self.blocks(child, False)
            elif name in _INLINE:  # straight in a container: a tight list item's hidden paragraph
                runs.append(child)
            elif name not in ("hr", "todo_checkbox"):
                raise Refused  # a node this module does not know
        if runs:
            _stripped(runs)
            first = runs[0].srcmap or next((r.srcmap for r in runs if r.srcmap is not None), None)
            if first is None:
                raise Refused
            self._inline(runs, first[0], heading=None)

    def _leaf(self, node: Any, name: str) -> None:
        children = node.children
        if name == "definition_description":
            if children and children[0].name in _LEAF_BLOCKS:
                self.blocks(node, False)
                return
            if any(c.name not in _INLINE for c in children):
                raise Refused  # a description holding other blocks: not worth the care
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
                    raise Refused  # {attributes}, template syntax; a table only one parser sees
                if "[" in content and _CHECK.search(content):
                    raise Refused  # a task box only one parser sees
                run += content
                if heading is not None:
                    heading.append(content)
                continue
            if run:
                self.words += len(run.split())
                run = ""
            if name in _REFUSED:
                raise Refused
            if name == "link" or name == "autolink":
                url = node.meta["url"]
                if not safe_link(url):
                    raise Refused
                self.links.append((url, start))
                self._inline(node.children, start, heading)
            elif name == "image":
                url = node.meta["url"]
                if not safe_link(url):
                    raise Refused
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
                    raise Refused
                self.footnotes.append(node.meta["def_id"])
            elif name in ("softbreak", "hardbreak", "footnote_ref_anchor"):
                continue
            elif name in _INLINE:
                self._inline(node.children, start, heading)
            else:
                raise Refused
        if run:
            self.words += len(run.split())

    def _alt(self, nodes: list[Any], alt: list[str]) -> None:
        for node in nodes:
            if node.name in _TEXT:
                alt.append(node.meta["content"])
            elif node.name == "code_inline":
                alt.append("".join(c.meta["content"] for c in node.children))
            elif node.name in _REFUSED:
                raise Refused
            else:
                self._alt(node.children, alt)
