"""``site-builder new KIND "Title"``: a ready-to-edit file dated today in the site's time zone (SPEC §6)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from ..config import load_config
from ..report import Reporter
from ..scaffold import new_document


def run(
    root: Path,
    kind: str,
    title: str,
    author: str | None,
    team: str | None,
    reporter: Reporter,
    today: dt.date | None = None,
) -> int:
    config = load_config(root)
    day = today or dt.datetime.now(config.tz).date()
    who = author if author is not None else _default_author(root, config.authors)
    path, problems = new_document(config, kind, title, who, team or "", day)
    reporter.diagnostics(problems)
    if path is None:
        return 1
    reporter.line(
        f"Wrote {path.relative_to(root).as_posix()}: edit it, then run 'site-builder serve' to see it."
    )
    return 0


def _default_author(root: Path, profiles: object) -> str:
    """The only author profile in site.toml, else git's user.name, else nobody."""
    if isinstance(profiles, dict) and len(profiles) == 1:
        return str(next(iter(profiles.values())).name)
    try:
        found = subprocess.run(
            ["git", "config", "user.name"], cwd=root, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return found.stdout.strip()
