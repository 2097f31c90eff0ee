"""Liquid tags and Hugo shortcodes in imported Markdown: plain Markdown where a safe equivalent
exists, a warning naming the line everywhere else (README.md, "Importing a Jekyll or Hugo site").

A pure text pass on the body before it is rendered. Links become relative ``.md`` paths, so the
usual link markers (``links.py``) turn them into real URLs or broken-link warnings; highlight
blocks become fenced code. The number of lines never changes, so later line numbers stay true.
Nothing is evaluated: there are no variables, loops or includes, only rewrites of fixed shapes.
"""

from __future__ import annotations

import html
import posixpath
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from .diagnostics import Diagnostic, warning
from .markdown import MARKER

CODE = "content/template-syntax"
# {% tag args %} (may span lines), {{< shortcode >}} / {{% shortcode %}}, {{ expression }}
_TAG = re.compile(
    r"\{%-?\s*(?P<tag>\w+)(?P<args>(?:[^%]|%(?!\}))*?)-?%\}"
    r"|\{\{(?P<delim>[<%])(?P<hugo>(?:[^{}]|\{(?!\{)|\}(?!\}))*?)[>%]\}\}"
    r"|\{\{-?(?P<expr>(?:[^{}]|\{(?!\{)|\}(?!\}))*?)-?\}\}"
)
_END = {name: re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}") for name in ("raw", "comment", "highlight")}
_HUGO_END = re.compile(r"\{\{([<%])\s*/\s*highlight\s*[>%]\}\}")
_SITE_URL = re.compile(r"^\s*site\.(?:baseurl|url)\s*$")
_URL_FILTER = re.compile(r"""^\s*(["'])([^"']*)\1\s*\|\s*(url|relative_url|absolute_url)\s*$""")


@dataclass(frozen=True, slots=True)
class _Context:
    doc_id: str  # content-relative, e.g. "posts/2016-01-01-a.md"
    path: str  # for messages, e.g. "content/posts/2016-01-01-a.md"
    first_line: int  # the file line of the text's first line


def convert(
    text: str, *, doc_id: str, path: str, first_line: int, render: bool = True
) -> tuple[str, list[Diagnostic]]:
    """Rewrite what has a safe equivalent; warn (with the file line) about the rest.

    With ``render=False`` (untrusted contributions) nothing is rewritten: every tag is a warning.
    """
    ctx = _Context(doc_id, path, first_line)
    out: list[str] = []
    problems: list[Diagnostic] = []
    pos = 0
    while (match := _TAG.search(text, pos)) is not None:
        out.append(text[pos : match.start()])
        line = first_line + text.count("\n", 0, match.start())
        handled = _rewrite(text, match, ctx) if render else None
        if handled is None:
            out.append(match.group(0))
            problems.append(_warning(ctx, match.group(0), line))
            pos = match.end()
            continue
        replacement, pos, more = handled
        out.append(replacement)
        problems += [_warning(ctx, tag, line) for tag in more]
    out.append(text[pos:])
    return "".join(out), problems


def _warning(ctx: _Context, tag: str, line: int) -> Diagnostic:
    shown = " ".join(tag.split())
    return warning(
        CODE,
        ctx.path,
        f"template syntax is shown as text: {shown[:60]}",
        line,
        hint="replace it with Markdown, or remove it",
    )


Rewrite = tuple[str, int, list[str]]  # (replacement, where to carry on, tags to warn about)


def _rewrite(text: str, match: re.Match[str], ctx: _Context) -> Rewrite | None:
    if match.group("tag"):
        return _liquid(text, match, ctx)
    if match.group("delim"):
        return _hugo(text, match, ctx)
    expr = match.group("expr")
    if _SITE_URL.match(expr):  # {{ site.baseurl }}: links become root-relative, then get the base path
        in_html = text.endswith('="', 0, match.start()) and text.startswith("/", match.end())
        return (MARKER if in_html else ""), match.end(), []
    url = _URL_FILTER.match(expr)
    if url:  # {{ "/x/" | url }} (Eleventy), {{ "x" | relative_url }} (Jekyll)
        value = url.group(2)
        if url.group(3) != "url" and not value.startswith(("/", "#")) and "://" not in value:
            value = "/" + value
        return value, match.end(), []
    return None


def _liquid(text: str, match: re.Match[str], ctx: _Context) -> Rewrite | None:
    tag, args = match.group("tag"), match.group("args").strip()
    if tag in _END:
        end = _END[tag].search(text, match.end())
        if end is None:
            return None
        inner = text[match.end() : end.start()]
        if tag == "raw":
            return inner, end.end(), []
        if tag == "comment":
            return "\n" * inner.count("\n"), end.end(), []
        return _fenced(text, match, end, args.split()[0] if args else ""), end.end(), []
    if tag == "link" and args:
        target = args.split()[0].strip("\"'")  # a path from the Jekyll site root
        if target.startswith("_posts/"):  # posts are imported into this document's section
            target = posixpath.join(_section(ctx), target.removeprefix("_posts/"))
        return _relative(ctx, target), match.end(), []
    if tag == "post_url" and args:
        name = args.split()[0].strip("\"'/")
        return _relative(ctx, posixpath.join(_section(ctx), name + ".md")), match.end(), []
    if tag in ("image", "image_with_class"):  # Eleventy shortcodes (18F): "src" ["class"] "alt"
        return _image(text, match, tag, args)
    return None


def _hugo(text: str, match: re.Match[str], ctx: _Context) -> Rewrite | None:
    inner = match.group("hugo").strip()
    if inner.startswith("/*") and inner.endswith("*/"):  # {{</* x */>}}: Hugo's escape for the literal
        delim = match.group("delim")
        close = ">" if delim == "<" else "%"
        return "{{" + delim + " " + inner[2:-2].strip() + " " + close + "}}", match.end(), []
    try:
        words = shlex.split(inner)
    except ValueError:
        return None
    if not words:
        return None
    name, params = words[0], words[1:]
    if name in ("ref", "relref") and params:
        target, _, anchor = params[0].partition("#")
        target = target if posixpath.splitext(target)[1] else target.rstrip("/") + ".md"
        if target.startswith("/"):
            rel = target.lstrip("/")
        else:
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.doc_id), target))
        return _relative(ctx, rel, anchor), match.end(), []
    if name == "highlight":
        end = _HUGO_END.search(text, match.end())
        if end is None:
            return None
        return _fenced(text, match, end, params[0] if params else ""), end.end(), []
    if name == "figure":
        named = dict(p.split("=", 1) for p in params if "=" in p)
        if not named.get("src"):
            return None
        return _markdown_image(named["src"], named.get("alt", ""), named.get("caption", "")), match.end(), []
    return None


def _section(ctx: _Context) -> str:
    return ctx.doc_id.split("/", 1)[0] if "/" in ctx.doc_id else ""


def _relative(ctx: _Context, target: str, anchor: str = "") -> str:
    """A link from this document to ``target`` (content-relative), as Markdown understands it."""
    rel = posixpath.relpath(posixpath.normpath(target), posixpath.dirname(ctx.doc_id) or ".")
    return quote(rel, safe="/._-~") + (f"#{anchor}" if anchor else "")


def _fenced(text: str, start: re.Match[str], end: re.Match[str], lang: str) -> str:
    """A highlight block as fenced code; the fences take the tags' places, so no line moves."""
    code = text[start.end() : end.start()]
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    lang = re.sub(r"[^\w+#.-]", "", lang)
    opening = fence + lang + ("" if code.startswith("\n") else "\n")
    at_line_start = text[: end.start()].rsplit("\n", 1)[-1].strip() == ""
    closing = fence if at_line_start else "\n" + fence
    return opening + code + closing


def _image(text: str, match: re.Match[str], tag: str, args: str) -> Rewrite | None:
    try:
        words = [w for w in (w.rstrip(",") for w in shlex.split(args)) if w]  # Nunjucks allows "a", "b"
    except ValueError:
        return None
    wanted = 2 if tag == "image" else 3
    if len(words) != wanted:
        return None
    src, alt = words[0], words[-1]
    src = src if src.startswith("/") or "://" in src else "/" + src
    if _in_html_block(text, match.start()):  # Markdown is not read there: an <img> with a link marker
        marked = MARKER + src if src.startswith("/") else src
        return f'<img src="{html.escape(marked)}" alt="{html.escape(alt)}">', match.end(), []
    return _markdown_image(src, alt, ""), match.end(), []


def _in_html_block(text: str, at: int) -> bool:
    """Whether ``at`` is inside a raw HTML block (CommonMark: from an opening tag to a blank line)."""
    start = max(text.rfind("\n\n", 0, at), text.rfind("\n\r\n", 0, at))
    first = text[start + 1 if start >= 0 else 0 : at].lstrip("\r\n").lstrip()
    return bool(re.match(r"</?[A-Za-z]", first))


def _markdown_image(src: str, alt: str, caption: str) -> str:
    escape: Callable[[str], str] = lambda s: re.sub(r"([\[\]\\])", r"\\\1", " ".join(s.split()))  # noqa: E731
    image = f"![{escape(alt)}](<{src.replace('>', '%3E')}>)"
    return image + (f" *{escape(caption)}*" if caption else "")
