"""Stage 1: walk the site and list Markdown sources and files to copy (SPEC §3).

Two rules of SECURITY.md are applied here, because this is where a file becomes something to
publish: a link is followed only as ``fence`` allows (never to ``.git/config`` or out of the
checkout), and an untrusted section publishes only what ``inert`` allows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .config import SiteConfig
from .diagnostics import Diagnostic, error, note, warning
from .fence import DANGLING, link_refusal, link_target, shown_path
from .inert import inert
from .model import Inventory, SourceFile, StaticFile
from .urls import path_problem, slugify

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


def discover(
    root: Path, theme_static: Iterable[Path], trusted: Callable[[str], bool] | None = None
) -> tuple[Inventory, list[Diagnostic]]:
    """Find content, then static files from the theme chain and ``static/`` (later ones win).

    ``trusted(section)`` says whose files a content folder holds (``SiteConfig.trusted``); without
    it, the defaults of a site.toml that names no section apply (contributions/ is untrusted).
    """
    trusted = trusted or SiteConfig(root).trusted
    fence = Path(os.path.realpath(root))
    problems: list[Diagnostic] = []
    sources: list[SourceFile] = []
    statics: dict[str, StaticFile] = {}
    sections: set[str] = set()
    for rel, path in _walk(root / "content", "content", fence, problems):
        section = rel.split("/", 1)[0] if "/" in rel else ""
        if section:
            sections.add(section)
        if _is_markdown(rel):  # "Post.MD" is a post, never a raw copy
            sources.append(SourceFile(rel, path, section, path.name == INDEX_NAME))
        elif _readable(path, f"content/{rel}", problems) and (
            trusted(section) or (_url_ok(rel, problems) and inert(path, rel, section, problems))
        ):
            statics[rel] = StaticFile(rel, path)  # assets kept beside the posts that use them
    for folder in (*theme_static, root / "static"):
        label = shown_path(folder, root)
        # The built-in theme lives outside the site: its links may not leave the theme's own folder.
        inside = Path(os.path.abspath(folder)).is_relative_to(os.path.abspath(root))
        own = fence if inside else Path(os.path.realpath(folder))
        for rel, path in _walk(folder, label, own, problems, root=fence):
            if _readable(path, f"{label}/{rel}", problems):
                statics[rel] = StaticFile(rel, path)
    problems += _look_alikes(sections, trusted)
    inventory = Inventory(
        tuple(sorted(sources, key=lambda s: s.id)),
        tuple(sorted(statics.values(), key=lambda s: s.rel)),
        tuple(sorted(sections)),
    )
    return inventory, problems


def _url_ok(rel: str, problems: list[Diagnostic]) -> bool:
    """A file of an untrusted section is published at its own name: the name must be a path of the
    site by the rule every URL from content follows (SECURITY.md)."""
    why = path_problem(rel)
    if why is None:
        return True
    problems.append(
        error(
            "discover/file-name",
            f"content/{rel}",
            f"this file's name cannot be a URL of the site: {why}",
            hint="rename it with letters, digits and - _ . only",
        )
    )
    return False


def _look_alikes(sections: Iterable[str], trusted: Callable[[str], bool]) -> list[Diagnostic]:
    """A trusted section whose name reads like an untrusted one's (``Contributions``, or the same word
    with a Greek omicron) is how a pull request would slip raw HTML past the rule: an error."""
    untrusted = {slugify(s): s for s in {*sections, "contributions"} if not trusted(s)}
    return [
        error(
            "discover/look-alike",
            f"content/{name}",
            f"the folder {name}/ looks like the untrusted section {untrusted[slugify(name)]}/ but is "
            "not one: its files would be published as the team's own",
            hint=f"move its files into {untrusted[slugify(name)]}/, or rename the folder",
        )
        for name in sorted(sections)
        if trusted(name) and slugify(name) in untrusted
    ]


def output_problem(out: Path, root: Path, theme_folders: Iterable[Path]) -> Diagnostic | None:
    """An output folder that overlaps a folder the build reads, or holds the site, is refused.

    Inside ``static/``, ``content/`` or a theme, each build would copy the last output into the next
    one (and the summary would say nothing changed); holding the site, it would publish or replace
    it. Folders are compared resolved, so a link (``static -> output``) is caught too.
    """
    target = Path(os.path.realpath(out))
    site = Path(os.path.realpath(root))
    shown = shown_path(Path(os.path.abspath(out)), Path(os.path.abspath(root)))
    if site.is_relative_to(target):
        why = "the site folder itself" if site == target else "a folder that holds the site"
        return _overlap(out, f"the output folder {shown} is {why}, so the build would replace or publish it")
    for folder in (root / "content", root / "static", *theme_folders):
        read = Path(os.path.realpath(folder))
        if target.is_relative_to(read) or read.is_relative_to(target):
            label = shown_path(folder, root)
            where = "inside" if target.is_relative_to(read) else "around"
            return _overlap(
                out,
                f"the output folder {shown} is {where} {label}/, which the build reads: every build "
                "would copy the last output into the site again",
            )
    return None


def _overlap(out: Path, message: str) -> Diagnostic:
    return error(
        "output/inside-source",
        str(out),
        message,
        hint="choose an --out outside content/, static/ and themes/ (by default it is output/ in the site)",
    )


def _walk(
    folder: Path, label: str, fence: Path, problems: list[Diagnostic], root: Path | None = None
) -> list[tuple[str, Path]]:
    """(path relative to ``folder``, path) of every file below it, a folder's own files before its
    subfolders', by name. ``folder`` may itself be a link (``content -> docs/content``), held to the
    same rule as a file link, and may not be the site folder ``root`` itself; links to folders below
    it are not followed (so no symlink loops). A file link's path is its checked target."""
    found: list[tuple[str, Path]] = []
    if not os.path.lexists(folder):
        return found
    why = link_refusal(folder, fence)
    real = Path(os.path.realpath(folder))
    if why is None and real == (root or fence):
        why = "it is the site folder itself, so site.toml and the output would be published"
    if why is not None:
        problems.append(
            error(
                "discover/symlink-out",
                label,
                f"this folder ({label} -> {link_target(folder)}) is not followed: {why}",
                hint=f"make {label}/ a real folder inside the site, or point the link at one",
            )
        )
        return found
    if real.is_dir():
        # Walk where the link leads (resolved once, now), not the link, so it cannot be re-pointed.
        _scan(real if os.path.islink(folder) else folder, "", label, fence, problems, found)
    return found


def _scan(
    top: Path,
    prefix: str,
    label: str,
    fence: Path,
    problems: list[Diagnostic],
    found: list[tuple[str, Path]],
) -> None:
    """Depth first, a folder's own files before its subfolders', without recursion: a pull request
    may nest folders thousands deep."""
    todo = [(top, prefix)]
    while todo:
        here, prefix = todo.pop()
        folders = _scan_one(here, prefix, label, fence, problems, found)
        todo.extend(reversed(folders))


def _scan_one(
    here: Path,
    prefix: str,
    label: str,
    fence: Path,
    problems: list[Diagnostic],
    found: list[tuple[str, Path]],
) -> list[tuple[Path, str]]:
    """One folder's files into ``found``; returns its subfolders to walk, by name."""
    # scandir's entries know their type without a stat per file: 10,000 posts are listed in 60 ms.
    try:
        with os.scandir(here) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return []  # an unreadable folder is skipped, as os.walk skips it
    folders: list[tuple[Path, str]] = []
    for entry in entries:
        name = entry.name
        if not _utf8(name):  # git carries any bytes; a URL, a feed and the cache need text
            problems.append(_not_utf8(label, prefix, name))
            continue
        if is_ignored(name):
            if label == "content" and _skipped_by_name(name, entry):
                problems.append(_skipped(f"{label}/{prefix}{name}", _is_dir(entry)))
            continue
        path = here / name
        if _is_dir(entry):
            if entry.is_symlink():
                problems.append(_folder_link(path, f"{label}/{prefix}{name}"))
            else:
                folders.append((path, f"{prefix}{name}/"))
            continue
        if entry.is_symlink():
            why = link_refusal(path, fence)
            if why is not None:
                problems.append(_file_link(path, f"{label}/{prefix}{name}", why))
                continue
            if not _is_markdown(name):  # a post keeps its own name: parse takes the slug from it
                path = Path(os.path.realpath(path))  # what is copied is the target checked now
        if entry.is_file():
            found.append((prefix + name, path))
    return folders


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8 arrive as lone surrogates
        return False
    return True


def _not_utf8(label: str, prefix: str, name: str) -> Diagnostic:
    shown = f"{label}/{prefix}" + name.encode("utf-8", "backslashreplace").decode("ascii", "replace")
    return error(
        "discover/file-name",
        shown,
        "this name is not UTF-8 text, so it cannot be a URL or a file of the site",
        hint="rename it with letters, digits and - _ .",
    )


def _skipped_by_name(name: str, entry: os.DirEntry[str]) -> bool:
    """A Markdown file or a folder that looks like content but is left out for its name (``_notes.md``,
    Jekyll's ``_drafts/``); hidden files and editor droppings are not worth a word."""
    if name.startswith("_"):
        return _is_dir(entry) or _is_markdown(name)
    return name.startswith(".") and _is_markdown(name) and not name.startswith(".#")


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


def _is_markdown(name: str) -> bool:
    """By the name the file is published under: a link's own name, not its target's."""
    return os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # through a link, as os.walk looks
    except OSError:  # a link loop
        return False


def _readable(path: Path, shown: str, problems: list[Diagnostic]) -> bool:
    """A file to copy must be readable, or the site would go out without it (Markdown files are
    read, and reported, by parse)."""
    if os.access(path, os.R_OK):
        return True
    problems.append(
        error(
            "discover/unreadable",
            shown,
            "this file cannot be read, so it cannot be copied into the site",
            hint="check the file's permissions",
        )
    )
    return False
