"""The old site as an import reads it: only inside its folder, and through a link only when the
link stays inside too (SECURITY.md). What cannot be read is recorded as a problem, not raised, so
the rest of the site is still imported."""

from __future__ import annotations

import os
import tomllib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostic, error
from ..fence import link_refusal
from ..frontmatter import split


@dataclass(frozen=True, slots=True)
class Unmapped:
    """A file or key of the old site with no equivalent of ours: kept as it was, or left out."""

    path: str  # relative to the source site
    key: str
    why: str


class OldSite:
    """The old site's folder, read through ``files``, ``readable`` and ``vetted`` only.

    ``problems`` collects, in the order met, each link refused and each settings file that cannot
    be read: they are found deep in a walk, where a return value could not carry them out.
    """

    def __init__(self, src: Path) -> None:
        self.src = src  # as given
        self.fence = Path(os.path.realpath(src))  # the same, resolved: no file is read from outside it
        self.problems: list[Diagnostic] = []

    def files(self, folder: Path) -> list[Path]:
        """Every file below ``folder`` that may be read, sorted; links to folders below it are not
        entered (pathlib's rglob), file links are held to ``vetted``, and nothing hidden (``.git``,
        ``.env``) is ever copied (SECURITY.md)."""
        if not self.readable(folder):
            return []
        found = (
            p
            for p in folder.rglob("*")
            if not any(part.startswith(".") for part in p.relative_to(folder).parts)
        )
        return sorted(p for p in found if p.is_file() and self.vetted(p))

    def readable(self, folder: Path) -> bool:
        """A folder of the old site to read: one that is there and, if it is a link, ``vetted``."""
        return folder.is_dir() and self.vetted(folder)

    def vetted(self, path: Path) -> bool:
        """Whether a file or folder of the old site may be read. One reached through no link is; one
        reached through a link only when its target is inside the old site and not in ``.git`` or
        another hidden folder, so an import never copies ``.git/config`` or a file from elsewhere."""
        rel = path.relative_to(self.src)
        if Path(os.path.realpath(path)) == self.fence / rel:
            return True  # no link on the way
        why = link_refusal(path, self.fence)
        if why is None:
            return True
        shown = rel.as_posix()
        target = os.readlink(path) if path.is_symlink() else os.path.realpath(path)
        self.problems.append(
            error(
                "import/symlink-out",
                shown,
                f"this link ({shown} -> {target}) was not imported: {why}",
                hint="copy the file into the old site instead of linking it, or remove the link, "
                "then import again into a new folder",
            )
        )
        return False

    def settings(self, path: Path) -> dict[str, Any]:
        """The TOML or YAML settings file at ``path`` (already vetted), or {} when unreadable."""
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            self.problems.append(error("import/config", str(path), f"cannot read the settings: {exc}"))
            return {}
        return data if isinstance(data, dict) else {}


def front_matter(path: Path) -> dict[str, Any] | None:
    """The front matter of a post, or None when the file or its front matter cannot be read."""
    try:
        parts = split(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError):
        return None
    return None if isinstance(parts, Diagnostic) else parts.meta


def timezone(name: Any) -> tuple[zoneinfo.ZoneInfo, tuple[Unmapped, ...]]:
    """The old site's time zone, or UTC with a note saying so when the name is unknown."""
    try:
        return zoneinfo.ZoneInfo(str(name)), ()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        why = f"unknown time zone {name!r}; UTC is used"
        return zoneinfo.ZoneInfo("UTC"), (Unmapped("config", "timezone", why),)
