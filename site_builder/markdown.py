"""Markdown to HTML: markdown-it-py, its plugins, Pygments, heading ids, link markers.

Links to other source files and root-relative URLs become markers (``sb:weeknotes/x.md#a``,
``sb:/images/x.svg``) so that rendering stays a pure function of one file; ``links.py`` swaps them
for real URLs once every page's URL, heading id and the site's base path are known.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from slugify import slugify

from .model import Heading, ImageRef, LinkRef

MARKER = "sb:"
# Ids in untrusted content start with this, as on GitHub, so a contribution can never take an id
# the theme uses (``#main``, the skip link's target) or break its in-page links (SECURITY.md).
USER_CONTENT = "user-content-"
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HEADING_ATTRS = re.compile(r"\s*\{#([\w-]+)\}\s*$")
_TRUSTED_ATTRS = ("id", "class", "width", "height", "loading", "lang", "dir", "title")
_FORMATTER = HtmlFormatter(nowrap=True)


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    first_paragraph_html: str
    toc: tuple[Heading, ...]
    links: tuple[LinkRef, ...]
    images: tuple[ImageRef, ...]
    word_count: int


class MarkdownMemo:
    """What Markdown rendering repeats from file to file, remembered by the renderers of one
    process (``parse.Renderers``) rather than at module level, so that nothing outlives them. Each
    entry is a pure function's answer, and each memo is bounded: ``serve`` runs for days."""

    __slots__ = ("fence_html", "heading_slug", "lexer")

    def __init__(self) -> None:
        # Weeknotes repeat their headings week after week.
        self.heading_slug: Callable[[str], str] = functools.lru_cache(maxsize=4096)(heading_slug)
        # Finding a lexer by name costs more than highlighting a snippet.
        self.lexer: Callable[[str], Lexer | None] = functools.lru_cache(maxsize=256)(find_lexer)
        # Highlighting is most of a post's parse time. Teams paste the same snippets week after
        # week, and ``serve`` parses an edited post again with its code unchanged: each is lexed once.
        self.fence_html: Callable[[str, str], str] = functools.lru_cache(maxsize=1024)(
            functools.partial(fence_html, lexers=self.lexer)
        )


def make_markdown(trusted: bool, memo: MarkdownMemo | None = None) -> MarkdownIt:
    """The renderer for team content (raw HTML allowed) or contributions (untrusted: none); it
    remembers slugs and highlighted code in ``memo``, its own unless the caller shares one."""
    memo = MarkdownMemo() if memo is None else memo
    md = MarkdownIt("commonmark", {"html": trusted, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(deflist_plugin).use(tasklists_plugin)
    allowed = _TRUSTED_ATTRS if trusted else ("class",)
    md.use(attrs_plugin, allowed=allowed).use(attrs_block_plugin, allowed=allowed)
    _keep_template_lines(md)
    md.validateLink = safe_link  # type: ignore[method-assign]
    slug, fence = memo.heading_slug, memo.fence_html

    def heading_ids(state: StateCore) -> None:
        _heading_ids(state, slug)

    def render_fence(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return fence(tokens[idx].info, tokens[idx].content)

    md.core.ruler.push("sb_headings", heading_ids)
    md.core.ruler.push("sb_links", _link_markers)
    md.add_render_rule("fence", render_fence)
    return md


def render_markdown(md: MarkdownIt, text: str, doc_id: str, first_line: int, id_prefix: str = "") -> Rendered:
    """Render ``text`` (the body of ``doc_id``, starting at file line ``first_line``); every id it
    makes, and every link to one, starts with ``id_prefix``."""
    env: dict[str, Any] = {
        "doc_id": doc_id,
        "first_line": first_line,
        "toc": [],
        "links": [],
        "images": [],
        "ids": set(),
        "id_prefix": id_prefix,
    }
    if id_prefix:
        env["docId"] = id_prefix.rstrip("-")  # footnote ids: fn-user-content-1 (mdit-py-plugins)
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(
        html=html,
        first_paragraph_html=_first_paragraph(md, tokens, env),
        toc=tuple(env["toc"]),
        links=tuple(env["links"]),
        images=tuple(env["images"]),
        word_count=_count_words(tokens),
    )


def _keep_template_lines(md: MarkdownIt) -> None:
    """A line starting ``{%`` or ``{{`` is Liquid or Hugo syntax, not a block of attributes: keep it
    as text (with a warning from parse) instead of letting the attrs plugin swallow it."""
    rule = next(r for r in md.block.ruler.__rules__ if r.name == "attr")
    original = rule.fn

    def guarded(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]]
        return not line.startswith(("{%", "{{")) and original(state, start, end, silent)

    md.block.ruler.at("attr", guarded)


_PUNCTUATION = re.compile(r"[^\w\s-]")


def heading_slug(text: str) -> str:
    """A heading's id before de-duplication (both Markdown paths). Punctuation is dropped, not made a
    hyphen, as GitHub and MkDocs do, so the in-page links authors wrote there keep working:
    "What's next?" is #whats-next and "6.4 Results" is #64-results."""
    return slugify(_PUNCTUATION.sub("", text)) or "section"


def unique_id(base: str, ids: set[str]) -> str:
    """``base``, or ``base-1``, ``base-2``... the first not in ``ids``, which it joins."""
    ident, n = base, 1
    while ident in ids:
        ident, n = f"{base}-{n}", n + 1
    ids.add(ident)
    return ident


def safe_link(url: str) -> bool:
    """Allow relative URLs and a few schemes; refuse javascript:, data:, vbscript:, file: and the rest."""
    if url.startswith(("https://", "http://")):
        return True  # most links in posts, allowed without unquoting
    cleaned = re.sub(r"[\x00-\x20]", "", unquote(url))
    scheme = _SCHEME.match(cleaned)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def _heading_ids(state: StateCore, slug: Callable[[str], str]) -> None:
    """Give every heading a stable id (explicit ``{#id}`` or its ``slug``); build the TOC."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        explicit = _HEADING_ATTRS.search(inline.content)
        if explicit and inline.children and inline.children[-1].type == "text":
            last = inline.children[-1]
            last.content = _HEADING_ATTRS.sub("", last.content)
            inline.content = _HEADING_ATTRS.sub("", inline.content)
        text = "".join(c.content for c in inline.children or () if c.type in ("text", "code_inline"))
        base = explicit.group(1) if explicit else slug(text)
        ident = unique_id(state.env["id_prefix"] + base, state.env["ids"])
        token.attrSet("id", ident)
        level = int(token.tag[1])
        if level in (2, 3):
            state.env["toc"].append(Heading(level, ident, text.strip()))


def _link_markers(state: StateCore) -> None:
    env = state.env
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        line = env["first_line"] + (block.map[0] if block.map else 0)
        for token in block.children:
            attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
            if attr is None:
                continue
            url = str(token.attrGet(attr) or "")
            prefix = env["id_prefix"]
            kind = "link" if attr == "href" else "image"
            if url.startswith("#") and len(url) > 1:  # a same-page anchor, checked like any other
                env["links"].append(LinkRef(env["doc_id"], url[1:], line, kind))
                if prefix and not url.startswith("#" + prefix):
                    token.attrSet(attr, "#" + prefix + url[1:])  # the id it names was prefixed too
            elif (marked := marker_for(url, env["doc_id"])) is not None:
                token.attrSet(attr, marked[0])
                env["links"].append(LinkRef(marked[1], marked[2], line, kind))
            if token.type == "image":
                alt = "".join(c.content for c in token.children or ())
                env["images"].append(ImageRef(url, alt, line))


def marker_for(url: str, doc_id: str) -> tuple[str, str, str] | None:
    """(marker, target, anchor) for URLs resolved later; None to leave as it is. The target is a
    DocId for a link to another source file, else the site path the link leads to ("/files/x.pdf"),
    which is checked once every output is known."""
    if url.startswith(("https://", "http://", "mailto:", "#")):
        return None  # most links in posts, found without urlsplit
    try:
        parts = urlsplit(url)
    except ValueError:  # "//[x": left as markdown-it wrote it, a relative link that goes nowhere
        return None
    if parts.scheme or parts.netloc:
        return None
    if url.startswith("/"):
        return MARKER + url, unquote(parts.path), parts.fragment
    path = unquote(parts.path)
    if "\\" in path or path.startswith("/"):
        return None  # %5C or %2F%2F decoded: it would lead off the site; left as written, it cannot
    if path.endswith((".md", ".markdown")):
        target = posixpath.normpath(posixpath.join(posixpath.dirname(doc_id), path))
        return f"{MARKER}{target}#{parts.fragment}", target, parts.fragment
    if path:
        # Any other relative URL is relative to the source file, as on GitHub; discover copies files
        # beside a post to the same content path, so "chart.png" keeps working under any permalink.
        target = posixpath.normpath(posixpath.join(posixpath.dirname(doc_id), path))
        if not target.startswith(".."):
            target = "" if target == "." else target + ("/" if path.endswith("/") else "")
            suffix = (f"?{parts.query}" if parts.query else "") + (
                f"#{parts.fragment}" if parts.fragment else ""
            )
            return f"{MARKER}/{target}{suffix}", f"/{target}", parts.fragment
    return None


def find_lexer(lang: str) -> Lexer | None:
    """Pygments' lexer for a language name or alias, or None when it knows none."""
    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


def fence_html(info: str, content: str, lexers: Callable[[str], Lexer | None] = find_lexer) -> str:
    """A fenced block, highlighted by Pygments when its language is known (both Markdown paths);
    ``lexers`` finds a language's lexer (a memo of ``find_lexer`` in ``MarkdownMemo``)."""
    info = unescapeAll(info).strip()
    lang = info.split()[0] if info else ""
    lexer = lexers(lang) if lang else None
    code = highlight(content, lexer, _FORMATTER) if lexer is not None else None
    body = code if code is not None else escapeHtml(content)
    cls = f' class="language-{escapeHtml(lang)}"' if lang else ""
    return f'<div class="highlight"><pre><code{cls}>{body}</code></pre></div>\n'


def _first_paragraph(md: MarkdownIt, tokens: list[Token], env: dict[str, Any]) -> str:
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0 and not token.hidden:
            # Footnote references would point at notes a list page does not show.
            children = [c for c in tokens[i + 1].children or () if c.type != "footnote_ref"]
            inline: str = md.renderer.renderInline(children, md.options, env)  # type: ignore[attr-defined]
            return "<p>" + inline + "</p>"
    return ""


def _count_words(tokens: list[Token]) -> int:
    total = 0
    for token in tokens:
        if token.type == "inline":
            total += sum(len(c.content.split()) for c in token.children or () if c.type == "text")
    return total
