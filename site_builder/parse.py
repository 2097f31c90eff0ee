"""Stage 2: one source file becomes one ``Document``, or diagnostics that say why not.

A pure function of the file's bytes and the parse settings, so it can be cached and run in a pool.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt

from . import kinds, liquid
from .config import SiteConfig
from .diagnostics import Diagnostic, error, warning
from .frontmatter import Split, split
from .markdown import USER_CONTENT, Rendered, make_markdown, render_markdown, safe_link
from .markdown_fast import make_fast_markdown, render_fast
from .model import Document, LinkRef, SourceFile
from .urls import UnsafePath, normalise, path_problem, permalink, slugify, web_url

MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MORE = "<!--more-->"


@dataclass(frozen=True, slots=True)
class Renderers:
    """Markdown renderers, made once per process and passed in (no module-level state)."""

    trusted: MarkdownIt
    untrusted: MarkdownIt
    fast: Any  # markdown-it.rs for team content where it renders as ``trusted`` would; None: not installed

    @classmethod
    def create(cls) -> Renderers:
        return cls(make_markdown(trusted=True), make_markdown(trusted=False), make_fast_markdown())

    def render(self, trusted: bool, text: str, doc_id: str, first_line: int) -> Rendered:
        """Untrusted sections (contributions): markdown-it-py without raw HTML, ids prefixed. Team
        content takes the fast path when it can, markdown-it-py otherwise; both give the same bytes."""
        if not trusted:
            return render_markdown(self.untrusted, text, doc_id, first_line, id_prefix=USER_CONTENT)
        fast = render_fast(self.fast, text, doc_id, first_line)
        return fast if fast is not None else render_markdown(self.trusted, text, doc_id, first_line)


def parse_file(
    src: SourceFile, config: SiteConfig, md: Renderers, data: bytes | None = None
) -> tuple[Document | None, list[Diagnostic]]:
    """Read (unless ``data`` has the bytes), split, check and render one file; ``None`` when it
    cannot be published."""
    path = f"content/{src.id}"
    text = _read(src, path, data)
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
    text, control = _without_control_characters(text, path)
    parts = split(text, path)
    if isinstance(parts, Diagnostic):
        return None, [parts]
    kind = "page" if src.is_index else config.section(src.section).kind
    trusted = config.trusted(src.section)  # for every file of a section, its _index.md too
    stem = src.path.stem
    coerced, problems = kinds.coerce(
        kind, parts.meta, path, stem, config.tz, config.challenges, parts.lines, config.tools
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
        coerced.values["image"] = "/" + posixpath.normpath(posixpath.join(posixpath.dirname(src.id), image))
    if any(p.severity.value == "error" for p in problems):
        return None, problems
    # Liquid and Hugo shortcodes (SPEC §3): rewritten where safe, else warnings. Contributions are
    # untrusted, so nothing in them is rewritten either.
    body, found = liquid.convert(
        parts.body, doc_id=src.id, path=path, first_line=parts.body_line, render=trusted
    )
    try:
        doc = _document(src, kind, trusted, coerced, replace(parts, body=body), config, md, text)
    except UnsafePath as why:  # a section's pattern or folder name made an unsafe URL
        line = parts.lines.get("permalink", 1)
        return None, [
            *problems,
            error(
                "front-matter/url",
                path,
                f"this file's URL would not be a safe path on this site: {why}",
                line,
                hint="rename the folder or file, or set 'permalink' to a path of letters, digits and - _ . /",
            ),
        ]
    doc, same = _own_url_aliases(doc, path, parts.lines)
    return doc, control + problems + found + same


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


def _unknown_people(
    coerced: kinds.Coerced, config: SiteConfig, path: str, lines: dict[str, int]
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


def _image_field(image: str, lines: Mapping[str, int]) -> tuple[LinkRef, ...]:
    """The front matter's ``image``, when it is a path of this site: checked with the body's links."""
    if not image.startswith("/") or image.startswith("//"):
        return ()
    return (LinkRef(unquote(urlsplit(image).path), "", lines.get("image", 1), "field"),)


def _image_ok(image: str) -> bool:
    """An http(s) URL safe as it is, or a path (site-relative or relative) under the site rule."""
    if web_url(image) is not None:
        return True
    return safe_link(image) and ":" not in image and path_problem(image.split("?", 1)[0]) is None


def _document(
    src: SourceFile,
    kind: str,
    trusted: bool,
    coerced: kinds.Coerced,
    parts: Split,
    config: SiteConfig,
    md: Renderers,
    text: str,
) -> Document:
    values = coerced.values
    separator = values.get("excerpt_separator") or DEFAULT_MORE  # "" would split nothing (ValueError)
    excerpt, more, rest = parts.body.partition(separator)
    body = excerpt + rest  # line numbers stay those of the file
    rendered = md.render(trusted, body, src.id, parts.body_line)
    date, date_only = values.get("date") or (None, False)
    updated = values["updated"][0] if "updated" in values else None
    title = values.get("title") or (kinds.weeknote_title(date) if kind == "weeknote" and date else "")
    title = title or kinds.jekyll_slug(src.path.stem).replace("-", " ").capitalize()
    slug = slugify(values.get("slug") or _file_slug(src))
    section_config = config.section(src.section)
    if src.is_index:
        url = f"/{src.section}/" if src.section else "/"
    else:
        pattern = values.get("permalink") or section_config.permalink
        url = permalink(
            pattern, slug=slug, section=src.section, date=date, categories=values.get("categories", ())
        )
    summary = values.get("summary", "")
    if summary:
        summary_html = f"<p>{html.escape(summary)}</p>"
    elif more:
        summary_html = md.render(trusted, excerpt, src.id, parts.body_line).html
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
        links=rendered.links + _image_field(values.get("image", ""), parts.lines),
        images=rendered.images,
        word_count=rendered.word_count,
        aliases=tuple(values.get("aliases", ())),
        image=values.get("image", ""),
        image_alt=values.get("image_alt", ""),
        fields=fields,
        params=coerced.params,
    )


def _file_slug(src: SourceFile) -> str:
    """The slug a file name gives: Jekyll's date prefix dropped; ``x/index.md`` is ``x`` (a Hugo page
    bundle, a MkDocs folder page), so the index pages of sub-folders do not all claim one URL."""
    if src.path.stem.lower() == "index":
        return posixpath.basename(posixpath.dirname(src.id)) or "index"
    return kinds.jekyll_slug(src.path.stem)


def _own_url_aliases(doc: Document, path: str, lines: dict[str, int]) -> tuple[Document, list[Diagnostic]]:
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
