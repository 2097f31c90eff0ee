"""Stage 2: one source file becomes one ``Document``, or diagnostics that say why not.

A pure function of the file's bytes and the parse settings, so it can be cached and run in a pool.
This module reads the file, checks its front matter against the site and renders its Markdown;
``document`` assembles the result.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from markdown_it import MarkdownIt

from . import kinds, liquid
from .coercion import Coerced, coerce
from .config import SiteConfig
from .diagnostics import Diagnostic, error, warning
from .document import Body, assemble_document, without_own_url_aliases
from .frontmatter import Split, split
from .markdown import USER_CONTENT, MarkdownMemo, Rendered, make_markdown, render_markdown, safe_link
from .markdown_fast import make_fast_markdown, render_fast
from .model import Document, SourceFile
from .urls import UnsafePath, path_problem, slugify, web_url

MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MORE = "<!--more-->"


@dataclass(frozen=True, slots=True)
class Renderers:
    """Markdown renderers, made once per process and passed in (no module-level state); the three
    share one memo of heading slugs and highlighted code, which lives as long as they do."""

    trusted: MarkdownIt
    untrusted: MarkdownIt
    fast: Any  # markdown-it.rs for team content where it renders as ``trusted`` would; None: not installed
    memo: MarkdownMemo

    @classmethod
    def create(cls) -> Renderers:
        memo = MarkdownMemo()
        return cls(make_markdown(True, memo), make_markdown(False, memo), make_fast_markdown(), memo)

    def render(self, trusted: bool, text: str, doc_id: str, first_line: int) -> Rendered:
        """Untrusted sections (contributions): markdown-it-py without raw HTML, ids prefixed. Team
        content takes the fast path when it can, markdown-it-py otherwise; both give the same bytes."""
        if not trusted:
            return render_markdown(self.untrusted, text, doc_id, first_line, id_prefix=USER_CONTENT)
        fast = render_fast(self.fast, text, doc_id, first_line, self.memo)
        return fast if fast is not None else render_markdown(self.trusted, text, doc_id, first_line)


def parse_file(
    src: SourceFile, config: SiteConfig, md: Renderers, data: bytes | None = None
) -> tuple[Document | None, list[Diagnostic]]:
    """Read (unless ``data`` has the bytes), split, check and render one file; ``None`` when it
    cannot be published."""
    path = f"content/{src.id}"
    read = _source_text(src, path, data)
    if isinstance(read, Diagnostic):
        return None, [read]
    text, control = _without_control_characters(read, path)
    parts = split(text, path)
    if isinstance(parts, Diagnostic):
        return None, [parts]
    kind = "page" if src.is_index else config.section(src.section).kind
    coerced, problems = _front_matter(src, kind, parts, config, path)
    if any(p.severity.value == "error" for p in problems):
        return None, problems
    trusted = config.trusted(src.section)  # for every file of a section, its _index.md too
    # Liquid and Hugo shortcodes an imported site carries: rewritten where that is safe, else left
    # with a warning. Contributions are untrusted, so nothing in them is rewritten either.
    body, found = liquid.convert(
        parts.body, doc_id=src.id, path=path, first_line=parts.body_line, render=trusted
    )
    try:
        rendered = _render(md, trusted, src, replace(parts, body=body), coerced.values)
        doc = assemble_document(src, kind, coerced, parts.lines, config, rendered, text)
    except UnsafePath as why:  # a section's pattern or folder name made an unsafe URL
        return None, [*problems, _unsafe_url(path, why, parts.lines)]
    doc, same = without_own_url_aliases(doc, path, parts.lines)
    return doc, control + problems + found + same


def _source_text(src: SourceFile, path: str, data: bytes | None) -> str | Diagnostic:
    """The file's text, or why it cannot be published (unreadable, binary, not UTF-8, empty)."""
    text = _read(src, path, data)
    if isinstance(text, str) and not text.strip():
        return warning(
            "content/empty",
            path,
            "the file is empty and was skipped",
            hint="write some front matter and text, or delete the file",
        )
    return text


# C0 controls other than tab and newlines, and U+FFFE/U+FFFF: invisible, and not allowed in XML feeds.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _without_control_characters(text: str, path: str) -> tuple[str, list[Diagnostic]]:
    """Drop invisible control characters, with a warning at the first (lxml refuses them in feeds)."""
    found = _CONTROL.search(text)
    if found is None:
        return text, []
    problem = warning(
        "content/control-character",
        path,
        f"invisible control character U+{ord(found.group()):04X} removed",
        text.count("\n", 0, found.start()) + 1,
        hint="delete it in your editor; feeds cannot carry it",
    )
    return _CONTROL.sub("", text), [problem]


def _read(src: SourceFile, path: str, data: bytes | None) -> str | Diagnostic:
    try:
        data = src.path.read_bytes() if data is None else data
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


def _front_matter(
    src: SourceFile, kind: str, parts: Split, config: SiteConfig, path: str
) -> tuple[Coerced, list[Diagnostic]]:
    """The front matter read for ``kind`` and checked against the site: teams, authors, the image."""
    coerced, problems = coerce(
        kind, parts.meta, path, src.path.stem, config.tz, config.challenges, parts.lines, config.tools
    )
    problems += kinds.warn_unknown_kind_fields(kind, parts.meta, path, parts.lines)
    image = coerced.values.get("image", "")
    if image and not _image_ok(image):  # it becomes <img src> and og:image
        problems.append(
            error(
                "front-matter/image",
                path,
                f"'image' must be a path on this site or an http(s) URL, not {image!r}",
                parts.lines.get("image", 1),
                hint="use a path such as /images/chart.png",
            )
        )
    problems += _unknown_people(coerced, config, path, parts.lines)
    if image and _image_ok(image) and web_url(image) is None and not image.startswith("/"):
        # Relative to the source file, as in Markdown (discover copies files beside posts).
        site_image = "/" + posixpath.normpath(posixpath.join(posixpath.dirname(src.id), image))
        coerced = replace(coerced, values={**coerced.values, "image": site_image})
    return coerced, problems


def _unknown_people(
    coerced: Coerced, config: SiteConfig, path: str, lines: dict[str, int]
) -> list[Diagnostic]:
    """A team site.toml does not define would publish a new team page and a home-page card: an
    error where teams are defined. An author without a profile is likely a misspelling where
    profiles exist: a warning, with the nearest names."""
    problems = []
    team = coerced.fields.get("team")
    if team and config.teams and slugify(team) not in config.teams:
        problems.append(
            error(
                "front-matter/team",
                path,
                f"unknown team {team!r}",
                lines.get("team", 1),
                hint=_did_you_mean(team, {s: s for s in config.teams}) + f"teams: {', '.join(config.teams)}",
            )
        )
    for author in coerced.values.get("authors", ()) if config.authors else ():
        if slugify(author) not in config.authors:
            names = {slug: p.name for slug, p in config.authors.items()}
            problems.append(
                warning(
                    "front-matter/author",
                    path,
                    f"{author!r} has no profile in site.toml",
                    lines.get("authors", lines.get("author", 1)),
                    hint=(_did_you_mean(author, names) or "check the spelling, ")
                    + f"or add [authors.{slugify(author)}] to site.toml",
                )
            )
    return problems


def _did_you_mean(name: str, known: Mapping[str, str]) -> str:
    """'did you mean 'Amara Okafor'? ' for the nearest of ``known`` (slug -> what to write), or ""."""
    close = difflib.get_close_matches(slugify(name), list(known), n=1, cutoff=0.6)
    return f"did you mean {known[close[0]]!r}? " if close else ""


def _image_ok(image: str) -> bool:
    """An http(s) URL safe as it is, or a path (site-relative or relative) under the site rule."""
    if web_url(image) is not None:
        return True
    return safe_link(image) and ":" not in image and path_problem(image.split("?", 1)[0]) is None


def _render(md: Renderers, trusted: bool, src: SourceFile, parts: Split, values: Mapping[str, Any]) -> Body:
    """The body without its excerpt separator (line numbers stay those of the file), and the
    excerpt before the separator alone when it is the summary."""
    separator = values.get("excerpt_separator") or DEFAULT_MORE  # "" would split nothing (ValueError)
    excerpt, more, rest = parts.body.partition(separator)
    rendered = md.render(trusted, excerpt + rest, src.id, parts.body_line)
    if more and not values.get("summary", ""):
        return Body(rendered, md.render(trusted, excerpt, src.id, parts.body_line).html)
    return Body(rendered, None)


def _unsafe_url(path: str, why: UnsafePath, lines: Mapping[str, int]) -> Diagnostic:
    return error(
        "front-matter/url",
        path,
        f"this file's URL would not be a safe path on this site: {why}",
        lines.get("permalink", 1),
        hint="rename the folder or file, or set 'permalink' to a path of letters, digits and - _ . /",
    )
