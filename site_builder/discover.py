"""Stage 1: walk the site and list Markdown sources and files to copy.

Two rules of SECURITY.md are applied here, because this is where a file becomes something to
publish: a link is followed only as ``fence`` allows (never to ``.git/config`` or out of the
checkout; ``walk`` applies it), and an untrusted section publishes only what ``inert`` allows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from .config import SiteConfig
from .diagnostics import Diagnostic, error
from .fence import shown_path
from .inert import inert
from .model import Inventory, SourceFile, StaticFile
from .urls import path_problem, slugify
from .walk import INDEX_NAME, is_ignored, is_markdown, walk_folder


def discover(
    root: Path, theme_static: Iterable[Path], trusted: Callable[[str], bool] | None = None
) -> tuple[Inventory, list[Diagnostic]]:
    """Find content, then static files from the theme chain and ``static/`` (later ones win).

    ``trusted(section)`` says whose files a content folder holds (``SiteConfig.trusted``); without
    it, the defaults of a site.toml that names no section apply (contributions/ is untrusted).
    """
    trusted = trusted or SiteConfig(root).trusted
    fence = Path(os.path.realpath(root))
    found, problems = walk_folder(root / "content", "content", fence, is_ignored)
    sources: list[SourceFile] = []
    statics: dict[str, StaticFile] = {}
    sections: set[str] = set()
    for rel, path in found:
        section = rel.split("/", 1)[0] if "/" in rel else ""
        if section:
            sections.add(section)
        if is_markdown(rel):  # "Post.MD" is a post, never a raw copy
            sources.append(SourceFile(rel, path, section, path.name == INDEX_NAME))
            continue
        copied, refused = _content_file(rel, path, section, trusted(section))
        problems += refused
        if copied is not None:
            statics[rel] = copied  # assets kept beside the posts that use them
    for folder in (*theme_static, root / "static"):
        label = shown_path(folder, root)
        # The built-in theme lives outside the site: its links may not leave the theme's own folder.
        inside = Path(os.path.abspath(folder)).is_relative_to(os.path.abspath(root))
        own = fence if inside else Path(os.path.realpath(folder))
        found, trouble = walk_folder(folder, label, own, is_ignored, root=fence)
        problems += trouble
        for rel, path in found:
            unreadable = _unreadable(path, f"{label}/{rel}")
            if unreadable is None:
                statics[rel] = StaticFile(rel, path)
            else:
                problems.append(unreadable)
    problems += _look_alikes(sections, trusted)
    inventory = Inventory(
        tuple(sorted(sources, key=lambda s: s.id)),
        tuple(sorted(statics.values(), key=lambda s: s.rel)),
        tuple(sorted(sections)),
    )
    return inventory, problems


def _content_file(
    rel: str, path: Path, section: str, trusted: bool
) -> tuple[StaticFile | None, list[Diagnostic]]:
    """A file beside the posts, to copy as it is, or None, with the problems that say why not."""
    unreadable = _unreadable(path, f"content/{rel}")
    if unreadable is not None:
        return None, [unreadable]
    if trusted:
        return StaticFile(rel, path), []
    bad_name = _url_problem(rel)
    if bad_name is not None:
        return None, [bad_name]
    problems: list[Diagnostic] = []
    return (StaticFile(rel, path) if inert(path, rel, section, problems) else None), problems


def _url_problem(rel: str) -> Diagnostic | None:
    """A file of an untrusted section is published at its own name: the name must be a path of the
    site by the rule every URL from content follows (SECURITY.md)."""
    why = path_problem(rel)
    if why is None:
        return None
    return error(
        "discover/file-name",
        f"content/{rel}",
        f"this file's name cannot be a URL of the site: {why}",
        hint="rename it with letters, digits and - _ . only",
    )


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


def _unreadable(path: Path, shown: str) -> Diagnostic | None:
    """A file to copy must be readable, or the site would go out without it (Markdown files are
    read, and reported, by parse)."""
    if os.access(path, os.R_OK):
        return None
    return error(
        "discover/unreadable",
        shown,
        "this file cannot be read, so it cannot be copied into the site",
        hint="check the file's permissions",
    )
