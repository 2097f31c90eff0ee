"""Importing a Jekyll site: settings from ``_config.yml``, ``_posts`` and ``_drafts`` into one
section. Pages and layouts are not imported; each is named in the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from .. import kinds
from ..urls import normalise, slugify
from .old_site import OldSite, Unmapped, front_matter
from .posts import MARKDOWN, TOKEN, Copied, Imported, Post, Section, copy_post, our_pattern

# Jekyll's named permalink styles (jekyllrb.com/docs/permalinks/#built-in-formats)
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
# Keys of _config.yml that map onto ours, or that only concern Jekyll's own build.
_USED = frozenset(
    {"url", "baseurl", "permalink", "title", "description", "timezone", "lang", "locale"}
    | {"layout", "markdown", "kramdown", "highlighter", "exclude", "include", "plugins", "gems"}
)


def read_settings(old: OldSite) -> tuple[dict[str, Any], tuple[Unmapped, ...]]:
    """Our settings from ``_config.yml``, and its keys that have none of ours."""
    path = old.src / "_config.yml"
    data = old.settings(path) if path.is_file() and old.vetted(path) else {}
    url = str(data.get("url") or "").rstrip("/")
    settings: dict[str, Any] = {"permalink": {"posts": _jekyll_pattern(data.get("permalink"))}}
    if url:
        settings["base_url"] = url + "/" + str(data.get("baseurl") or "").strip("/")
    for ours, theirs in (("title", "title"), ("description", "description"), ("timezone", "timezone")):
        if isinstance(data.get(theirs), str):
            settings[ours] = data[theirs]
    language = data.get("lang") or data.get("locale")
    if isinstance(language, str):
        settings["language"] = language.replace("_", "-")
    return settings, tuple(Unmapped("_config.yml", k, "no setting of ours") for k in data if k not in _USED)


def _jekyll_pattern(value: Any) -> str:
    return JEKYLL_STYLES.get(str(value or "date"), str(value or ""))


def copy_posts(
    old: OldSite, dest: Path, section: str | None, settings: dict[str, Any], tz: dt.tzinfo
) -> Imported:
    """Copy ``_posts`` and ``_drafts`` into the section ``section`` (default ``posts``) at ``dest``."""
    name = slugify(section) if section else "posts"
    theirs = settings["permalink"]["posts"]
    pattern, unmapped = our_pattern(theirs, "_config.yml")
    ours = Section(name, pattern or f"/{name}/:slug/", tz)
    notes = list(unmapped)
    copied: list[Copied] = []
    for sub, draft in (("_posts", False), ("_drafts", True)):
        for path in (p for p in old.files(old.src / sub) if p.suffix.lower() in MARKDOWN):
            rel = path.relative_to(old.src / sub)
            old_url = None if draft else _jekyll_url(theirs, path, rel, tz)
            post = Post(path, dest / "content" / name / rel, f"{sub}/{rel.as_posix()}", old_url, draft)
            copied.append(copy_post(post, ours))
            notes += copied[-1].unmapped
    for page in sorted(p for p in old.src.glob("*") if p.suffix.lower() in (*MARKDOWN, ".html")):
        notes.append(Unmapped(page.name, "(file)", "pages and layouts are not imported, only posts"))
    return Imported.of({name: pattern or ""}, copied, notes)


def _jekyll_url(theirs: str, path: Path, rel: Path, tz: dt.tzinfo) -> str | None:
    """The URL Jekyll gave this post: file-name slug as written, categories lower-cased."""
    meta = front_matter(path)
    if meta is None:
        return None
    if isinstance(meta.get("permalink"), str):
        return normalise(meta["permalink"])
    stem = path.stem
    date = kinds.to_datetime(_date_of(meta, stem), tz)
    if date is None:
        return None
    categories = [
        *rel.parent.parts,
        *kinds._as_list(meta.get("categories") or meta.get("category") or [], True),
    ]
    slug = str(meta.get("slug") or kinds.jekyll_slug(stem))
    d = date[0]
    values = {
        "year": f"{d.year:04d}",
        "month": f"{d.month:02d}",
        "day": f"{d.day:02d}",
        "i_month": str(d.month),
        "i_day": str(d.day),
        "title": slug,
        "slug": slug,
        "categories": "/".join(str(c).lower() for c in categories),
        "output_ext": ".html",
        "y_day": f"{d.timetuple().tm_yday:03d}",
        "short_year": f"{d.year % 100:02d}",
    }
    return normalise(TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), theirs))


def _date_of(meta: dict[str, Any], stem: str) -> Any:
    """The post's date: from its front matter, else from a Jekyll file name (2024-01-31-title)."""
    jekyll = kinds.JEKYLL_NAME.match(stem)
    if meta.get("date") is not None:
        return meta["date"]
    if jekyll:
        year, month, day = jekyll.groups()[:3]
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return None
