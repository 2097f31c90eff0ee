"""Swap link markers for URLs once every page is known; broken links and anchors become warnings."""

from __future__ import annotations

import functools
import html
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from urllib.parse import unquote

from .diagnostics import Diagnostic, warning
from .markdown import MARKER, USER_CONTENT
from .model import Document
from .urls import file_key, normalise, with_base

_MARKED = re.compile(r'(href|src)="' + MARKER + r'([^"#]*)(?:#([^"]*))?"')
_ID = re.compile(r'\sid="([^"]+)"')


def resolve_links(
    docs: Mapping[str, Document],
    base_path: str,
    unpublished: frozenset[str],
    only: Iterable[str] | None = None,
) -> tuple[dict[str, Document], list[Diagnostic]]:
    """Return the documents with real URLs in their HTML, and a warning per broken link.

    ``only`` limits the work to some documents (serve's fast path); the others are returned as given.
    """
    by_url = {d.url.casefold(): d.url for d in docs.values()}  # /We-Are-Hiring/ reaches /we-are-hiring/
    ids: dict[str, frozenset[str]] = {}  # heading and footnote ids, read only for anchored targets
    problems: list[Diagnostic] = []
    resolved: dict[str, Document] = dict(docs) if only is not None else {}
    for doc_id in docs if only is None else only:
        doc = docs[doc_id]
        problems += _link_problems(doc_id, doc, docs, unpublished, ids)
        if MARKER in doc.html or MARKER in doc.summary_html:  # most posts link only outwards
            swap = functools.partial(_swap, doc=doc, docs=docs, by_url=by_url, ids=ids, base_path=base_path)
            doc = replace(
                doc, html=_MARKED.sub(swap, doc.html), summary_html=_MARKED.sub(swap, doc.summary_html)
            )
        resolved[doc_id] = doc
    return resolved, problems


def _link_problems(
    doc_id: str,
    doc: Document,
    docs: Mapping[str, Document],
    unpublished: frozenset[str],
    ids: dict[str, frozenset[str]],
) -> list[Diagnostic]:
    """A warning for each of ``doc``'s links to a source file that is not published, or to a
    heading that file does not have."""
    problems: list[Diagnostic] = []
    for ref in doc.links:
        if ref.target.startswith("/"):
            continue  # a path of the site: ``check_site_links`` knows every output
        if ref.target not in docs:
            why = "a draft or future post" if ref.target in unpublished else "no such file"
            problems.append(
                warning(
                    "link/broken",
                    f"content/{doc_id}",
                    f"broken link to {ref.target} ({why})",
                    ref.line,
                    hint="fix the path; it is relative to this file",
                )
            )
        elif ref.anchor and _anchor(ref.anchor, ids, docs[ref.target]) is None:
            problems.append(_no_heading(doc_id, ref.anchor, ref.target, ref.line))
    return problems


def _swap(
    match: re.Match[str],
    doc: Document,
    docs: Mapping[str, Document],
    by_url: Mapping[str, str],
    ids: dict[str, frozenset[str]],
    base_path: str,
) -> str:
    """The attribute a marker ``match`` stands for, with the URL it leads to in ``doc``. The
    marker's text is HTML-escaped already (markdown-it wrote it); a URL that replaces it is
    escaped here, where it is written, whatever its source."""
    attr, target, anchor = match.group(1), match.group(2), match.group(3)
    if target.startswith("/"):
        page = by_url.get(normalise(target).casefold())
        url = html.escape(with_base(base_path, page)) if page else with_base(base_path, target)
    elif target in docs:
        url = html.escape(with_base(base_path, docs[target].url))
        found = _anchor(anchor, ids, docs[target]) if anchor else None
        if found and found.startswith(USER_CONTENT) and not anchor.startswith(USER_CONTENT):
            anchor = USER_CONTENT + anchor  # the id is the prefixed one of untrusted content
    else:
        url = posixpath.relpath(target, posixpath.dirname(doc.id) or ".")
    return f'{attr}="{url}{"#" + anchor if anchor else ""}"'


def check_site_links(
    docs: Mapping[str, Document], outputs: Iterable[str], only: Iterable[str] | None = None
) -> list[Diagnostic]:
    """A warning for each link or image to a path of the site where nothing is written, and for
    each same-page or cross-page anchor that names no heading. ``outputs`` are every output path
    (``a/index.html``, ``css/site.css``); ``only`` limits the check to some documents (serve)."""
    exists = {file_key(p) for p in outputs}
    pages = {file_key(d.url): d for d in docs.values()}
    ids: dict[str, frozenset[str]] = {}
    problems: list[Diagnostic] = []
    for doc_id in docs if only is None else only:
        doc = docs[doc_id]
        for ref in doc.links:
            if not ref.target.startswith("/") or ref.target.startswith(_GENERATED):
                continue
            key = file_key(normalise(ref.target) if _is_folder(ref.target) else ref.target)
            if key not in exists:
                code, what = _BROKEN[ref.kind]
                problems.append(
                    warning(
                        code,
                        f"content/{doc_id}",
                        f"{what}: nothing is published at {ref.target}",
                        ref.line,
                        hint="fix the path (it starts at the site's root), or add the file under static/",
                    )
                )
            elif ref.anchor and key in pages and _anchor(ref.anchor, ids, pages[key]) is None:
                problems.append(_no_heading(doc_id, ref.anchor, pages[key].id, ref.line))
    return problems


_BROKEN = {
    "link": ("link/broken", "broken link"),
    "image": ("image/broken", "broken image"),
    "field": ("front-matter/image", "'image' points nowhere"),
}


_GENERATED = ("/pagefind/",)  # written after this check: the search index


def _is_folder(path: str) -> bool:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return path.endswith("/") or "." not in last


def _no_heading(doc_id: str, anchor: str, target: str, line: int) -> Diagnostic:
    where = "this page" if target == doc_id else target
    return warning(
        "link/anchor",
        f"content/{doc_id}",
        f"no heading #{anchor} in {where}",
        line,
        hint="link to an existing heading id",
    )


def _anchor(anchor: str, ids: dict[str, frozenset[str]], target: Document) -> str | None:
    """The id ``anchor`` names in ``target``: itself, or with the prefix untrusted content's ids
    carry (a link to ``contribution.md#method`` reaches ``#user-content-method``)."""
    found = ids.get(target.id)
    if found is None:
        found = ids[target.id] = frozenset(_ID.findall(target.html))
    anchor = unquote(anchor).split(":~:", 1)[0]  # a text fragment (#:~:text=…) names no heading
    if not anchor:
        return anchor
    for candidate in (anchor, USER_CONTENT + anchor):
        if candidate in found:
            return candidate
    return None
