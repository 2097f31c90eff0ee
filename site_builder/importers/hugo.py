"""Importing a Hugo site: settings from its config file, each folder of ``content/`` as a section
(page bundles' resources beside their page), and the pages at the top of ``content/``."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from .. import kinds
from ..urls import normalise, slugify
from .old_site import OldSite, Unmapped, front_matter
from .posts import MARKDOWN, TOKEN, Copied, Imported, Post, Section, copy_post, our_pattern

# Hugo reads the first of these that exists.
_CONFIGS = ("hugo.toml", "config.toml", "hugo.yaml", "config.yaml", "hugo.yml", "config.yml")
# Our setting -> Hugo's key (also read lower-cased).
_MAPPING = {"title": "title", "base_url": "baseURL", "timezone": "timeZone", "language": "languageCode"}
# Keys of Hugo's config that map onto ours, or that only concern Hugo's own build.
_USED = frozenset(
    {"title", "baseURL", "baseurl", "timeZone", "timezone", "languageCode", "languagecode"}
    | {"permalinks", "params", "theme", "markup"}
)


def read_settings(old: OldSite) -> tuple[dict[str, Any], tuple[Unmapped, ...]]:
    """Our settings from Hugo's config file, and its keys that have none of ours."""
    data: dict[str, Any] = {}
    for name in _CONFIGS:
        if (old.src / name).is_file():
            data = old.settings(old.src / name) if old.vetted(old.src / name) else {}
            break
    settings: dict[str, Any] = {"permalink": {}}
    params: dict[str, Any] = data["params"] if isinstance(data.get("params"), dict) else {}
    for ours, theirs in _MAPPING.items():
        value = data.get(theirs) or data.get(theirs.lower())
        if isinstance(value, str):
            settings[ours] = value
    if isinstance(params.get("description"), str):
        settings["description"] = params["description"]
    links: dict[str, Any] = data["permalinks"] if isinstance(data.get("permalinks"), dict) else {}
    links = links["page"] if isinstance(links.get("page"), dict) else links
    settings["permalink"] = {k: v for k, v in links.items() if isinstance(v, str)}
    return settings, tuple(Unmapped("hugo config", k, "no setting of ours") for k in data if k not in _USED)


def copy_content(
    old: OldSite, dest: Path, section: str | None, settings: dict[str, Any], tz: dt.tzinfo
) -> Imported:
    """Copy each folder of ``content/`` into a section of the same name, the largest one into
    ``section`` when given, then the pages at the top of ``content/``."""
    content = old.src / "content"
    readable = old.readable(content)
    folders = sorted(p for p in content.iterdir() if _section_folder(p, old)) if readable else []
    main = max(folders, key=lambda p: sum(1 for _ in p.rglob("*.md")), default=None)
    sections: dict[str, str] = {}
    copied: list[Copied] = []
    notes: list[Unmapped] = []
    for folder in folders:
        name = slugify(section) if section and folder == main else folder.name
        theirs = settings["permalink"].get(folder.name, "")
        pattern, unmapped = our_pattern(theirs, "hugo config") if theirs else (None, ())
        sections[name] = pattern or ""
        notes += unmapped
        ours = Section(name, pattern or f"/{name}/:slug/", tz)
        for done in _copy_section(old, folder, dest / "content" / name, theirs, ours):
            copied.append(done)
            notes += done.unmapped
    pages = content.glob("*.md") if readable else ()
    for page in sorted(p for p in pages if not p.name.startswith(".") and old.vetted(p)):
        target = dest / "content" / page.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(page, target)
    return Imported.of(sections, copied, notes)


def _section_folder(path: Path, old: OldSite) -> bool:
    return not path.name.startswith(".") and path.is_dir() and old.vetted(path)


def _copy_section(old: OldSite, folder: Path, into: Path, theirs: str, ours: Section) -> list[Copied]:
    """Copy the Hugo section ``folder``, whose permalink pattern is ``theirs``, into ``into``."""
    copied = []
    for path in old.files(folder):
        rel = path.relative_to(folder)
        target = into / rel
        if path.suffix.lower() not in MARKDOWN:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)  # page bundle resources stay beside their page
            continue
        old_url = _hugo_url(theirs, folder.name, path, rel, ours.tz)
        label = f"content/{folder.name}/{rel.as_posix()}"
        copied.append(copy_post(Post(path, target, label, old_url), ours))
    return copied


def _hugo_url(theirs: str, section: str, path: Path, rel: Path, tz: dt.tzinfo) -> str | None:
    """The URL Hugo gave this page: lower-cased, ``:title`` from the title, bundles by folder."""
    meta = front_matter(path)
    if meta is None or path.name == "_index.md":
        return None
    if isinstance(meta.get("url"), str):
        return normalise(meta["url"])
    filename = rel.parent.name if path.stem == "index" else path.stem
    slug = str(meta.get("slug") or "")
    title = slugify(str(meta.get("title") or ""))
    if not theirs:
        folders = "/".join(rel.parent.parts[:-1] if path.stem == "index" else rel.parent.parts)
        return normalise(f"/{section}/{folders}/{slug or filename}/".lower())
    date = kinds.to_datetime(meta.get("date"), tz) if meta.get("date") is not None else None
    d = date[0] if date else None
    values = {
        "year": f"{d.year:04d}" if d else "",
        "month": f"{d.month:02d}" if d else "",
        "day": f"{d.day:02d}" if d else "",
        "title": title,
        "slug": slug or title,
        "filename": filename,
        "slugorfilename": slug or filename,
        "contentbasename": filename,
        "section": section,
    }
    return normalise(TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), theirs).lower())
