"""A new site from the files in ``scaffold_files/`` (SPEC §6 ``init``): config, sample posts, workflow.

The files are real files in the package (shipped in the wheel), read with importlib.resources, so
they can be edited and linted as they are. ``__TODAY__`` in them becomes today's date.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from .diagnostics import Diagnostic, error

TODAY = "__TODAY__"
WORKFLOW = ".github/workflows/pages.yml"
# Package data cannot be called .gitignore (tools read it as an ignore file), so it is renamed.
_RENAMES = {"gitignore": ".gitignore"}


def template_files(github_pages: bool) -> dict[str, str]:
    """Site-relative POSIX path -> text, before ``__TODAY__`` is filled in."""
    root = files(__package__) / "scaffold_files"
    found: dict[str, str] = {}
    _walk(root / "site", "", found)
    if github_pages:
        found[WORKFLOW] = (root / "pages.yml").read_text(encoding="utf-8")
    return found


def _walk(folder: Traversable, prefix: str, found: dict[str, str]) -> None:
    for entry in folder.iterdir():
        rel = prefix + _RENAMES.get(entry.name, entry.name)
        if entry.is_dir():
            _walk(entry, rel + "/", found)
        elif not entry.name.endswith((".pyc", ".pyo")):
            found[rel] = entry.read_text(encoding="utf-8")


def init_site(target: Path, github_pages: bool, today: dt.date | None = None) -> list[Diagnostic]:
    """Write a new site into ``target`` (missing or empty); nothing is written when it is refused."""
    if problem := _refuse(target):
        return [problem]
    # The sample is dated today in UTC, the generated site's timezone, so it is never "in the future".
    date = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    try:
        for rel, text in sorted(template_files(github_pages).items()):
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.replace(TODAY, date), encoding="utf-8")
    except OSError as exc:
        return [
            error(
                "init/write",
                str(target),
                f"could not write the new site: {exc.strerror or exc}",
                hint="check the folder's permissions and free space, then try again in an empty folder",
            )
        ]
    return []


def _refuse(target: Path) -> Diagnostic | None:
    if target.exists() and not target.is_dir():
        return error(
            "init/not-a-folder",
            str(target),
            f"{target} is a file, not a folder",
            hint="choose a new folder name for the site",
        )
    if target.is_dir() and any(target.iterdir()):
        return error(
            "init/not-empty",
            str(target),
            f"{target} is not empty; nothing was written, so nothing in it was changed",
            hint="choose a new or empty folder, e.g. 'site-builder init my-site'",
        )
    return None
