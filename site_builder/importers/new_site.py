"""Writing the new site around the imported posts: refusing a folder that already holds a site,
its ``site.toml``, and the old site's static files."""

from __future__ import annotations

import json
import os
import shutil
import zoneinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..diagnostics import Diagnostic, error
from .old_site import OldSite
from .posts import MARKDOWN

# Jekyll's build tooling, not part of the site: never copied as static files.
_SKIPPED = {"Gemfile", "Gemfile.lock", "node_modules", "vendor", "package.json", "package-lock.json"}


def refuse(src: Path, dest: Path) -> Diagnostic | None:
    """Why nothing can be imported from ``src`` into ``dest``, or None when it can."""
    if not src.is_dir():
        return error("import/source", str(src), "no such folder", hint="give the folder of the old site")
    content = dest / "content"
    if (dest / "site.toml").exists() or (content.is_dir() and any(content.iterdir())):
        return error(
            "import/target",
            str(dest),
            "this folder already holds a site (site.toml or content/)",
            hint="import into a new, empty folder",
        )
    return None


def site_toml(settings: dict[str, Any], sections: tuple[tuple[str, str], ...]) -> str:
    """The new ``site.toml``: the settings that map, then each section with its permalink pattern
    ("" for the section default)."""
    lines = []
    for key in ("title", "description", "base_url", "language", "timezone"):
        if key in settings:
            value = settings[key] if key != "base_url" else _base_url(settings[key])
            if key == "timezone" and value not in zoneinfo.available_timezones():
                continue
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
    for name, pattern in sections:
        lines += ["", f"[sections.{json.dumps(name)}]", 'kind = "page"']
        if pattern:
            lines.append(f"permalink = {json.dumps(pattern, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "http://localhost:8000/"
    return url if url.endswith("/") else url + "/"


def copy_statics(old: OldSite, folder: Path, target: Path, kind: str) -> int:
    """Hugo's static/; for Jekyll, every file outside ``_`` folders that is not a page or a post.
    A new site made inside the old one (``import jekyll . new``) is not copied into itself.
    Returns the number of files copied."""
    count = 0
    made = Path(os.path.realpath(target.parent))
    for path in old.files(folder):
        rel = path.relative_to(folder)
        if Path(os.path.realpath(path)).is_relative_to(made):
            continue
        if kind == "jekyll" and (
            any(part.startswith(("_", ".")) or part in _SKIPPED for part in rel.parts)
            or path.suffix.lower() in (*MARKDOWN, ".html", ".yml", ".yaml")
        ):
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / rel)
        count += 1
    return count
