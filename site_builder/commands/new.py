"""``site-builder new KIND ["Title"]``: a ready-to-edit draft dated today in the site's time zone.
A weeknote needs no title (its ISO week names it) and takes the site's only team; a
team or author the site does not define is refused with the list, before anything is written."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from ..config import SiteConfig, load_config
from ..diagnostics import Diagnostic, error
from ..report import Reporter
from ..scaffold import new_document
from ..urls import slugify


def run(
    root: Path,
    kind: str,
    title: str | None,
    author: str | None,
    team: str | None,
    reporter: Reporter,
    today: dt.date | None = None,
) -> int:
    config = load_config(root)
    day = today or dt.datetime.now(config.tz).date()
    if team is None and kind == "weeknote" and len(config.teams) == 1:
        team = next(iter(config.teams))
    who = author if author is not None else _default_author(root, config)
    problems = _unknown(config, kind, title, author, team)
    if not problems:
        path, problems = new_document(config, kind, title, who, team or "", day)
    reporter.diagnostics(problems)
    if problems:
        return 1
    reporter.line(
        f"Wrote {path.relative_to(root).as_posix()}, a draft: write it, delete its 'draft: true' "
        "line to publish it, and run 'site-builder serve' to see it."
    )
    return 0


def _unknown(
    config: SiteConfig, kind: str, title: str | None, author: str | None, team: str | None
) -> list[Diagnostic]:
    """Values the new file would be refused for, as the build would refuse or warn about them."""
    found = []
    if not title and kind != "weeknote":
        found.append(
            error("new/title", kind, f"a {kind} needs a title", hint=f'site-builder new {kind} "Its title"')
        )
    if team and config.teams and slugify(team) not in config.teams:
        found.append(
            error(
                "new/team",
                "site.toml",
                f"no team {team!r} in site.toml",
                hint=f"use one of: {', '.join(config.teams)} (or add [teams.{slugify(team)}])",
            )
        )
    if author and config.authors and slugify(author) not in config.authors:
        names = ", ".join(p.name for p in config.authors.values())
        found.append(
            error(
                "new/author",
                "site.toml",
                f"no author {author!r} in site.toml",
                hint=f"use one of: {names} (or add [authors.{slugify(author)}])",
            )
        )
    return found


def _default_author(root: Path, config: SiteConfig) -> str:
    """The only author profile in site.toml, else git's user.name, else nobody."""
    if len(config.authors) == 1:
        return next(iter(config.authors.values())).name
    try:
        found = subprocess.run(
            ["git", "config", "user.name"],
            cwd=root,
            capture_output=True,
            encoding="utf-8",  # git writes UTF-8; Windows' default would be its code page
            errors="replace",
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return found.stdout.strip()
