"""Walking a folder of the site: every file below it, a folder's own files before its subfolders',
by name, with links followed only as ``fence`` allows (SECURITY.md) and names that cannot be URLs
refused. ``discover`` decides what the files found are; the watcher of ``serve`` ignores what
it ignores (``is_ignored``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, error, note, warning
from .fence import DANGLING, link_refusal, link_target

MARKDOWN_SUFFIXES = (".md", ".markdown")
INDEX_NAME = "_index.md"
# Editor droppings and OS files: never content, never copied.
_IGNORED_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})


def is_ignored(name: str) -> bool:
    """Hidden files, editor temporary files (``.swp``, ``~``, ``.#x``), and ``_`` partials."""
    return (
        name in _IGNORED_NAMES
        or name.startswith((".", "#"))
        or name.endswith(("~", ".swp", ".swx", ".tmp"))
        or (name.startswith("_") and name != INDEX_NAME)
    )


Found = list[tuple[str, Path]]  # (path relative to the folder walked, path to read)


@dataclass(frozen=True, slots=True)
class _Walk:
    """What every folder of one walk is read with."""

    label: str  # how messages name the folder walked: content, static, themes/x/static
    fence: Path  # resolved: no link may lead outside it
    ignored: Callable[[str], bool]  # names that are never content and never copied


def walk_folder(
    folder: Path, label: str, fence: Path, ignored: Callable[[str], bool], root: Path | None = None
) -> tuple[Found, list[Diagnostic]]:
    """Every file below ``folder``, and the problems met on the way. ``folder`` may itself be a link
    (``content -> docs/content``), held to the same rule as a file link, and may not be the site
    folder ``root`` itself; links to folders below it are not followed (so no symlink loops). A
    file link's path is its checked target."""
    if not os.path.lexists(folder):
        return [], []
    why = link_refusal(folder, fence)
    real = Path(os.path.realpath(folder))
    if why is None and real == (root or fence):
        why = "it is the site folder itself, so site.toml and the output would be published"
    if why is not None:
        problem = error(
            "discover/symlink-out",
            label,
            f"this folder ({label} -> {link_target(folder)}) is not followed: {why}",
            hint=f"make {label}/ a real folder inside the site, or point the link at one",
        )
        return [], [problem]
    if not real.is_dir():
        return [], []
    # Walk where the link leads (resolved once, now), not the link, so it cannot be re-pointed.
    return _scan(real if os.path.islink(folder) else folder, _Walk(label, fence, ignored))


def is_markdown(name: str) -> bool:
    """By the name the file is published under: a link's own name, not its target's."""
    return os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES


def _scan(top: Path, walk: _Walk) -> tuple[Found, list[Diagnostic]]:
    """Depth first, a folder's own files before its subfolders', without recursion: a pull request
    may nest folders thousands deep."""
    found: Found = []
    problems: list[Diagnostic] = []
    todo = [(top, "")]
    while todo:
        here, prefix = todo.pop()
        files, folders, trouble = _scan_one(here, prefix, walk)
        found += files
        problems += trouble
        todo.extend(reversed(folders))
    return found, problems


def _scan_one(here: Path, prefix: str, walk: _Walk) -> tuple[Found, list[tuple[Path, str]], list[Diagnostic]]:
    """One folder's files, its subfolders to walk (by name), and the problems with its entries."""
    # scandir's entries know their type without a stat per file: 10,000 posts are listed in 60 ms.
    try:
        with os.scandir(here) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return [], [], []  # an unreadable folder is skipped, as os.walk skips it
    files: Found = []
    folders: list[tuple[Path, str]] = []
    problems: list[Diagnostic] = []
    for entry in entries:
        name = entry.name
        shown = f"{walk.label}/{prefix}{name}"
        if not _utf8(name):  # git carries any bytes; a URL, a feed and the cache need text
            problems.append(_not_utf8(walk.label, prefix, name))
        elif walk.ignored(name):
            if walk.label == "content" and _skipped_by_name(name, entry):
                problems.append(_skipped(shown, _is_dir(entry)))
        elif _is_dir(entry):
            if entry.is_symlink():
                problems.append(_folder_link(here / name, shown))
            else:
                folders.append((here / name, f"{prefix}{name}/"))
        else:
            path, refused = _file(entry, here / name, shown, walk.fence)
            if refused is not None:
                problems.append(refused)
            elif path is not None:
                files.append((prefix + name, path))
    return files, folders, problems


def _file(
    entry: os.DirEntry[str], path: Path, shown: str, fence: Path
) -> tuple[Path | None, Diagnostic | None]:
    """The path to read a file entry at (None: not a file), or why a link to it is refused."""
    if entry.is_symlink():
        why = link_refusal(path, fence)
        if why is not None:
            return None, _file_link(path, shown, why)
        if not is_markdown(entry.name):  # a post keeps its own name: parse takes the slug from it
            path = Path(os.path.realpath(path))  # what is copied is the target checked now
    return (path if entry.is_file() else None), None


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 arrive as lone surrogates
        return False
    return True


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # through a link, as os.walk looks
    except OSError:  # a link loop
        return False


def _skipped_by_name(name: str, entry: os.DirEntry[str]) -> bool:
    """A Markdown file or a folder that looks like content but is left out for its name (``_notes.md``,
    Jekyll's ``_drafts/``); hidden files and editor droppings are not worth a word."""
    if name.startswith("_"):
        return _is_dir(entry) or is_markdown(name)
    return name.startswith(".") and is_markdown(name) and not name.startswith(".#")


# --- what the walk reports -------------------------------------------------------------------------


def _not_utf8(label: str, prefix: str, name: str) -> Diagnostic:
    shown = f"{label}/{prefix}" + name.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    return error(
        "discover/file-name",
        shown,
        "this name is not UTF-8 text, so it cannot be a URL or a file of the site",
        hint="rename it with letters, digits and - _ .",
    )


def _skipped(shown: str, folder: bool) -> Diagnostic:
    what = "folder" if folder else "file"
    return note(
        "content/skipped",
        shown,
        f"this {what} is skipped: names starting with '_' or '.' are not published",
        hint=f"rename the {what} if it should be published",
    )


def _folder_link(path: Path, shown: str) -> Diagnostic:
    return warning(
        "discover/symlink-dir",
        shown,
        f"a linked folder is not followed (it points to {link_target(path)})",
        hint="copy the folder into the site instead of linking it",
    )


def _file_link(path: Path, shown: str, why: str) -> Diagnostic:
    if why == DANGLING:  # nothing to publish, nothing leaked: a warning
        return warning(
            "discover/symlink-broken",
            shown,
            f"this link points to nothing (or to itself) and was skipped ({link_target(path)})",
            hint="fix or remove the link",
        )
    return error(
        "discover/symlink-out",
        shown,
        f"this link ({shown} -> {link_target(path)}) is not followed: {why}",
        hint="copy the file into the site instead of linking it, or remove the link",
    )
