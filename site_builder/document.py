"""A Document assembled from a file's checked front matter and its rendered Markdown: its title,
URL, summary and kind-specific fields, with the defaults each kind and each imported convention
gives. Pure: no file is read and nothing is rendered here (``parse`` does both).
"""

from __future__ import annotations

import hashlib
import html
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from . import kinds
from .coercion import Coerced
from .config import SiteConfig
from .diagnostics import Diagnostic, warning
from .markdown import Rendered
from .model import Document, LinkRef, SourceFile
from .urls import normalise, permalink, slugify


@dataclass(frozen=True, slots=True)
class Body:
    """The Markdown body, rendered: all of it, and the excerpt before an excerpt separator."""

    rendered: Rendered
    excerpt_html: str | None  # None: no separator, or the front matter gives a summary


def assemble_document(
    src: SourceFile,
    kind: str,
    coerced: Coerced,
    lines: Mapping[str, int],
    config: SiteConfig,
    body: Body,
    text: str,
) -> Document:
    """The Document of ``src``, whose whole ``text`` is hashed so a cached copy is known current;
    raises ``UnsafePath`` when the section's pattern or folder name makes an unsafe URL."""
    values = coerced.values
    rendered = body.rendered
    date, date_only = values.get("date") or (None, False)
    slug = slugify(values.get("slug") or file_slug(src))
    fields = _fields(kind, coerced.fields, date)
    summary = values.get("summary", "")
    return Document(
        id=src.id,
        section=src.section,
        kind=kind,
        is_index=src.is_index,
        digest=hashlib.sha256(text.encode()).hexdigest()[:16],
        title=_title(src, kind, values, date),
        date=date,
        date_only=date_only,
        updated=values["updated"][0] if "updated" in values else None,
        draft=bool(values.get("draft")),
        slug=slug,
        url=_url(src, values, config, slug, date),
        tags=values.get("tags", ()),
        authors=values.get("authors", ()),
        team=slugify(fields.pop("team")) if fields.get("team") else "",
        summary=summary,
        summary_html=_summary_html(summary, body),
        html=rendered.html,
        toc=rendered.toc,
        links=rendered.links + _image_field(values.get("image", ""), lines),
        images=rendered.images,
        word_count=rendered.word_count,
        aliases=tuple(values.get("aliases", ())),
        image=values.get("image", ""),
        image_alt=values.get("image_alt", ""),
        fields=fields,
        params=coerced.params,
    )


def _title(src: SourceFile, kind: str, values: Mapping[str, Any], date: Any) -> str:
    """The front matter's title; else a weeknote's week, else the file name made readable."""
    title = values.get("title") or (kinds.weeknote_title(date) if kind == "weeknote" and date else "")
    return str(title or kinds.jekyll_slug(src.path.stem).replace("-", " ").capitalize())


def _url(src: SourceFile, values: Mapping[str, Any], config: SiteConfig, slug: str, date: Any) -> str:
    if src.is_index:
        return f"/{src.section}/" if src.section else "/"
    pattern = values.get("permalink") or config.section(src.section).permalink
    return permalink(
        pattern, slug=slug, section=src.section, date=date, categories=values.get("categories", ())
    )


def _summary_html(summary: str, body: Body) -> str:
    """The summary as written, else the excerpt before the separator, else the first paragraph."""
    if summary:
        return f"<p>{html.escape(summary)}</p>"
    if body.excerpt_html is not None:
        return body.excerpt_html
    return body.rendered.first_paragraph_html


def _fields(kind: str, fields: Mapping[str, Any], date: Any) -> dict[str, Any]:
    """The kind's own fields; a weeknote also gets its ISO year and week, for the week's archive."""
    if kind == "weeknote" and date is not None:
        iso_year, iso_week, _ = date.isocalendar()
        return {**fields, "iso_year": iso_year, "iso_week": iso_week}
    return dict(fields)


def file_slug(src: SourceFile) -> str:
    """The slug a file name gives: Jekyll's date prefix dropped; ``x/index.md`` is ``x`` (a Hugo page
    bundle, a MkDocs folder page), so the index pages of sub-folders do not all claim one URL."""
    if src.path.stem.lower() == "index":
        return posixpath.basename(posixpath.dirname(src.id)) or "index"
    return kinds.jekyll_slug(src.path.stem)


def _image_field(image: str, lines: Mapping[str, int]) -> tuple[LinkRef, ...]:
    """The front matter's ``image``, when it is a path of this site: checked with the body's links."""
    if not image.startswith("/") or image.startswith("//"):
        return ()
    return (LinkRef(unquote(urlsplit(image).path), "", lines.get("image", 1), "field"),)


def without_own_url_aliases(
    doc: Document, path: str, lines: Mapping[str, int]
) -> tuple[Document, list[Diagnostic]]:
    """An old URL that differs from the page's own only by case (Jekyll's ``redirect_from:
    /TockingTime/``) would be written to the same file on most disks: drop it, with a warning."""
    own = doc.url.casefold()
    same = [a for a in doc.aliases if normalise(a).casefold() == own and normalise(a) != doc.url]
    if not same:
        return doc, []
    problems = [
        warning(
            "front-matter/alias",
            path,
            f"the alias {alias} differs from this page's URL {doc.url} only by case, and was left out",
            lines.get("aliases", lines.get("redirect_from", 1)),
            hint="remove it: one file cannot serve both spellings",
        )
        for alias in same
    ]
    return replace(doc, aliases=tuple(a for a in doc.aliases if a not in same)), problems
