"""Copying the posts of an old site, byte for byte, except for one ``aliases`` entry added where
our URL would differ from the old one, so old links keep working through redirect pages.

Also the permalink tokens of Jekyll and Hugo, mapped onto ours."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import kinds
from ..urls import UnsafePath, normalise, permalink, slugify
from .old_site import Unmapped, front_matter

MARKDOWN = (".md", ".markdown")
# Jekyll or Hugo token -> ours; a token missing here cannot be mapped (the section default is used).
_TOKENS = {
    "year": ":year",
    "month": ":month",
    "day": ":day",
    "i_month": ":i_month",
    "i_day": ":i_day",
    "title": ":slug",
    "slug": ":slug",
    "filename": ":slug",
    "slugorfilename": ":slug",
    "contentbasename": ":slug",
    "categories": ":categories",
    "section": ":section",
    "output_ext": ".html",
}
TOKEN = re.compile(r":(\w+)")  # a token of a Jekyll or Hugo permalink pattern
# Our front matter: what a post may use and the tool understands (other keys go to params).
KNOWN_KEYS = frozenset({f.name for f in kinds.fields_of("page")} | kinds.IGNORED | {"url", "redirect_from"})


@dataclass(frozen=True, slots=True)
class Section:
    """A section of the new site that posts are copied into."""

    name: str
    pattern: str  # our permalink pattern for its posts
    tz: dt.tzinfo  # the old site's, for dates without a zone


@dataclass(frozen=True, slots=True)
class Post:
    """One post of the old site to copy."""

    path: Path
    target: Path
    label: str  # as the report names it: relative to the old site
    old_url: str | None  # the URL the old site gave it, when known
    draft: bool = False  # from a drafts folder


@dataclass(frozen=True, slots=True)
class Copied:
    """What copying one post did."""

    draft: bool
    aliased: bool  # an alias for its old URL was wanted
    unmapped: tuple[Unmapped, ...]


@dataclass(frozen=True, slots=True)
class Imported:
    """What an importer copied: the sections written, each with our permalink pattern ("" for the
    section default), the counts, and everything that did not map, in the order found."""

    sections: tuple[tuple[str, str], ...]
    posts: int
    drafts: int
    aliases: int
    unmapped: tuple[Unmapped, ...]

    @classmethod
    def of(cls, sections: dict[str, str], copied: Sequence[Copied], unmapped: Sequence[Unmapped]) -> Imported:
        drafts = sum(c.draft for c in copied)
        aliases = sum(c.aliased for c in copied)
        return cls(tuple(sections.items()), len(copied), drafts, aliases, tuple(unmapped))


def our_pattern(theirs: str, path: str) -> tuple[str | None, tuple[Unmapped, ...]]:
    """A Jekyll or Hugo permalink pattern in our tokens, or None, with a note saying why, when a
    token has no equivalent (``path`` names the settings file in that note)."""
    missing = [t for t in TOKEN.findall(theirs) if t not in _TOKENS]
    if missing:
        why = f"{theirs!r}: no equivalent for :{', :'.join(missing)}; the section default is used"
        return None, (Unmapped(path, "permalink", why),)
    return TOKEN.sub(lambda m: _TOKENS[m.group(1)], theirs), ()


def copy_post(post: Post, section: Section) -> Copied:
    """Copy ``post`` into ``section``, adding ``draft`` and an alias for its old URL if needed."""
    text = post.path.read_text(encoding="utf-8", errors="surrogateescape")
    meta = front_matter(post.path)
    additions: dict[str, Any] = {"draft": True} if post.draft else {}
    unmapped: list[Unmapped] = []
    draft, aliased, old = post.draft, False, post.old_url
    if meta is not None:
        unmapped += [
            Unmapped(post.label, k, "kept in params: no field of ours") for k in meta if k not in KNOWN_KEYS
        ]
        ours = _our_url(meta, post.path, section)
        if old and ours and old != ours:
            if old.casefold() == ours.casefold():
                unmapped.append(
                    Unmapped(post.label, "url", f"old URL {old} differs from {ours} only by case")
                )
            else:
                additions["aliases"] = [old]
                aliased = True
        if meta.get("draft") is True or meta.get("published") is False:
            draft = True
    text, unmapped_keys = _with_front_matter(text, meta, additions, post.label)
    post.target.parent.mkdir(parents=True, exist_ok=True)
    post.target.write_text(text, "utf-8", "surrogateescape", newline="\n")
    return Copied(draft, aliased, (*unmapped, *unmapped_keys))


def _our_url(meta: dict[str, Any], path: Path, section: Section) -> str | None:
    """The URL parse.py will give this post (the same rules: kinds' imported conventions)."""
    values = kinds._imported(meta, path.stem)
    if isinstance(values.get("permalink"), str):
        return normalise(values["permalink"])
    date = kinds.to_datetime(values["date"], section.tz) if values.get("date") is not None else None
    stem = path.parent.name if path.stem.lower() == "index" else kinds.jekyll_slug(path.stem)
    slug = slugify(str(values.get("slug") or stem))
    categories = kinds._as_list(values.get("categories") or values.get("category") or [], True)
    try:
        return permalink(
            section.pattern,
            slug=slug,
            section=section.name,
            date=date[0] if date else None,
            categories=tuple(categories),
        )
    except UnsafePath:  # the build will say so, naming the file and line
        return None


def _with_front_matter(
    text: str, meta: dict[str, Any] | None, additions: dict[str, Any], label: str
) -> tuple[str, tuple[Unmapped, ...]]:
    """Add keys before the closing fence, leaving the rest of the file as it was; with a note when
    the alias has no key left to go in."""
    taken = set(meta or ())
    unmapped: tuple[Unmapped, ...] = ()
    if "aliases" in additions and "aliases" in taken:  # kinds maps redirect_from onto aliases too
        aliases = additions["aliases"]
        additions = {k: v for k, v in additions.items() if k != "aliases"}
        if "redirect_from" not in taken:
            additions["redirect_from"] = aliases
        else:
            unmapped = (Unmapped(label, "aliases", f"add {aliases[0]} by hand"),)
    additions = {k: v for k, v in additions.items() if k not in taken}
    if not additions:
        return text, unmapped
    toml = text.startswith("+++")
    # JSON values are valid TOML and YAML alike
    lines = [f"{k}{' =' if toml else ':'} {json.dumps(v, ensure_ascii=False)}" for k, v in additions.items()]
    fence = "+++" if toml else "---"
    if meta is None or not text.startswith(fence):
        return f"{fence}\n" + "\n".join(lines) + f"\n{fence}\n" + text, unmapped
    end = re.compile(r"^" + re.escape(fence) + r"\s*$", re.MULTILINE)
    close = next(m for m in end.finditer(text) if m.start() > 0)
    return text[: close.start()] + "\n".join(lines) + "\n" + text[close.start() :], unmapped
