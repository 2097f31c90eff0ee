"""Stage 2: one source file becomes one ``Document``, or diagnostics that say why not.

A pure function of the file's bytes and the parse settings, so it can be cached and run in a pool.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt

from . import kinds
from .config import SiteConfig
from .diagnostics import Diagnostic, error, warning
from .frontmatter import Split, split
from .markdown import make_markdown, render_markdown, safe_link
from .model import Document, SourceFile
from .urls import permalink, slugify

MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MORE = "<!--more-->"
_TEMPLATE_SYNTAX = re.compile(r"\{%-?\s*(\w+)[^%]*%\}|\{\{[<%].*?[>%]\}\}|\{\{.*?\}\}")


@dataclass(frozen=True, slots=True)
class Renderers:
    """Markdown renderers, made once per process and passed in (no module-level state)."""

    trusted: MarkdownIt
    untrusted: MarkdownIt

    @classmethod
    def create(cls) -> Renderers:
        return cls(make_markdown(trusted=True), make_markdown(trusted=False))


def parse_file(
    src: SourceFile, config: SiteConfig, md: Renderers
) -> tuple[Document | None, list[Diagnostic]]:
    """Read, split, check and render one file; ``None`` when it cannot be published."""
    path = f"content/{src.id}"
    text = _read(src, path)
    if isinstance(text, Diagnostic):
        return None, [text]
    if not text.strip():
        return None, [
            warning(
                "content/empty",
                path,
                "the file is empty and was skipped",
                hint="write some front matter and text, or delete the file",
            )
        ]
    parts = split(text, path)
    if isinstance(parts, Diagnostic):
        return None, [parts]
    kind = "page" if src.is_index else config.section(src.section).kind
    stem = src.path.stem
    coerced, problems = kinds.coerce(
        kind, parts.meta, path, stem, config.tz, config.challenges, parts.lines, config.tools
    )
    problems += kinds.warn_unknown_kind_fields(kind, parts.meta, path, parts.lines)
    image = coerced.values.get("image", "")
    if image and not safe_link(image):  # it becomes <img src> and og:image: same rule as Markdown links
        problems.append(
            error(
                "front-matter/image",
                path,
                f"'image' must be a path or an http(s) URL, not {image!r}",
                parts.lines.get("image", 1),
                hint="use a path such as /images/chart.png",
            )
        )
    if any(p.severity.value == "error" for p in problems):
        return None, problems
    problems += _template_syntax(parts, path)
    return _document(src, kind, coerced, parts, config, md, text), problems


def _read(src: SourceFile, path: str) -> str | Diagnostic:
    try:
        data = src.path.read_bytes()
    except OSError as exc:
        return error(
            "content/unreadable",
            path,
            f"cannot read the file: {exc.strerror}",
            hint="check the file's permissions",
        )
    if len(data) > MAX_BYTES:
        return error(
            "content/too-large",
            path,
            f"the file is {len(data) // 1024} KiB; the limit is {MAX_BYTES // 1024 // 1024} MiB",
            hint="split it into several posts",
        )
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        return error(
            "content/binary",
            path,
            "the file contains NUL bytes: it looks binary, not Markdown",
            line,
            hint="save it as UTF-8 text, or move it out of content/",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return error(
            "content/encoding",
            path,
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x})",
            line,
            hint="re-save the file as UTF-8 in your editor",
        )


def _document(
    src: SourceFile,
    kind: str,
    coerced: kinds.Coerced,
    parts: Split,
    config: SiteConfig,
    md: Renderers,
    text: str,
) -> Document:
    values = coerced.values
    separator = values.get("excerpt_separator", DEFAULT_MORE)
    excerpt, more, rest = parts.body.partition(separator)
    body = excerpt + rest  # line numbers stay those of the file
    renderer = md.untrusted if kind == "contribution" else md.trusted
    rendered = render_markdown(renderer, body, src.id, parts.body_line)
    date, date_only = values.get("date") or (None, False)
    updated = values["updated"][0] if "updated" in values else None
    title = values.get("title") or (kinds.weeknote_title(date) if kind == "weeknote" and date else "")
    title = title or kinds.jekyll_slug(src.path.stem).replace("-", " ").capitalize()
    slug = slugify(values.get("slug") or kinds.jekyll_slug(src.path.stem))
    section_config = config.section(src.section)
    if src.is_index:
        url = f"/{src.section}/" if src.section else "/"
    else:
        pattern = values.get("permalink") or section_config.permalink
        url = permalink(pattern, slug=slug, section=src.section, date=date)
    summary = values.get("summary", "")
    if summary:
        summary_html = f"<p>{html.escape(summary)}</p>"
    elif more:
        summary_html = render_markdown(renderer, excerpt, src.id, parts.body_line).html
    else:
        summary_html = rendered.first_paragraph_html
    fields = dict(coerced.fields)
    if kind == "weeknote" and date is not None:
        iso_year, iso_week, _ = date.isocalendar()
        fields |= {"iso_year": iso_year, "iso_week": iso_week}
    return Document(
        id=src.id,
        section=src.section,
        kind=kind,
        is_index=src.is_index,
        digest=hashlib.sha256(text.encode()).hexdigest()[:16],
        title=title,
        date=date,
        date_only=date_only,
        updated=updated,
        draft=bool(values.get("draft")),
        slug=slug,
        url=url,
        tags=values.get("tags", ()),
        authors=values.get("authors", ()),
        team=slugify(fields.pop("team")) if fields.get("team") else "",
        summary=summary,
        summary_html=summary_html,
        html=rendered.html,
        toc=rendered.toc,
        links=rendered.links,
        images=rendered.images,
        word_count=rendered.word_count,
        aliases=tuple(values.get("aliases", ())),
        image=values.get("image", ""),
        image_alt=values.get("image_alt", ""),
        fields=fields,
        params=coerced.params,
    )


def _template_syntax(parts: Split, path: str) -> list[Diagnostic]:
    """Liquid tags and Hugo shortcodes cannot be rendered: warn with the line (SPEC §3)."""
    found = []
    for offset, line in enumerate(parts.body.splitlines()):
        for match in _TEMPLATE_SYNTAX.finditer(line):
            found.append(
                warning(
                    "content/template-syntax",
                    path,
                    f"template syntax is shown as text: {match.group(0)[:60]}",
                    parts.body_line + offset,
                    hint="replace it with Markdown, or remove it",
                )
            )
    return found
