"""Import a Jekyll or Hugo site: posts, settings and static files into our layout.

Posts are copied byte for byte, except for one ``aliases`` entry added where our URL would differ
from the old one, so old links keep working through redirect pages. What cannot be mapped is
listed per file and key in the returned report; the caller prints it.

``old_site`` reads the old site within its folder; ``jekyll`` and ``hugo`` map each one's settings
and posts; ``posts`` copies a post; ``new_site`` writes ``site.toml`` and the static files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from . import hugo, jekyll
from .new_site import copy_statics, refuse, site_toml
from .old_site import OldSite, Unmapped, timezone

__all__ = ["ImportReport", "Unmapped", "import_site"]


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: str
    sections: tuple[str, ...]  # the content folders written
    posts: int = 0
    drafts: int = 0
    statics: int = 0
    aliases: int = 0
    unmapped: tuple[Unmapped, ...] = ()
    problems: tuple[Diagnostic, ...] = ()  # errors: nothing (or not everything) was imported


def import_site(kind: str, src: Path, dest: Path, section: str | None = None) -> ImportReport:
    """Copy the ``kind`` ("jekyll" or "hugo") site at ``src`` into a new site at ``dest``."""
    refused = refuse(src, dest)
    if refused:
        return ImportReport(kind, (), problems=(refused,))
    old = OldSite(src)
    settings, unmapped = jekyll.read_settings(old) if kind == "jekyll" else hugo.read_settings(old)
    tz, unknown_zone = timezone(settings.get("timezone", "UTC"))
    copy = jekyll.copy_posts if kind == "jekyll" else hugo.copy_content
    imported = copy(old, dest, section, settings, tz)
    dest.mkdir(parents=True, exist_ok=True)  # also when no post was imported: settings still are
    (dest / "site.toml").write_text(site_toml(settings, imported.sections), "utf-8", newline="\n")
    statics = copy_statics(old, src / ("static" if kind == "hugo" else ""), dest / "static", kind)
    notes = sorted((*unmapped, *unknown_zone, *imported.unmapped), key=lambda u: (u.path, u.key))
    return ImportReport(
        kind,
        tuple(name for name, _ in imported.sections),
        imported.posts,
        imported.drafts,
        statics,
        imported.aliases,
        tuple(notes),
        tuple(old.problems),
    )
