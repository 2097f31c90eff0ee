"""The one rule for symbolic links (SECURITY.md, "Links never leave the site"): every link is resolved
before anything is read, and is followed only to a path inside a fence (the site folder; for
``import``, the old site's) with no hidden folder on the way. Discovery, themes, ``deploy`` and
``import`` all ask ``link_refusal``.
"""

from __future__ import annotations

import os
from pathlib import Path

DANGLING = "it points to nothing (or to itself)"


def link_refusal(path: Path, fence: Path) -> str | None:
    """Why the file or folder ``path`` leads to may not be read, or None when it may.

    ``fence`` is a resolved folder (the site root; for ``import``, the old site's). Every link on
    the way is resolved: the end must be inside the fence, and no name on the way from the fence
    to it may be hidden, as the walk never enters ``.git``, ``.env`` or ``.site-builder`` itself.
    Chains, relative and absolute targets and ``..`` all resolve to one real path first.
    """
    try:
        real = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError):  # dangling, or a loop (a -> b -> a)
        return DANGLING
    if not real.is_relative_to(fence):
        return f"it points outside the site folder, to {real}"
    hidden = next((part for part in real.relative_to(fence).parts if part.startswith(".")), None)
    if hidden is not None:
        where = real.relative_to(fence).as_posix()
        return f"it points to {where}, inside {hidden}, which is never published"
    return None


def link_target(path: Path) -> str:
    """Where a link points, as written; a folder that is not a link names itself."""
    try:
        return os.readlink(path)
    except OSError:
        return os.path.realpath(path)


def shown_path(path: Path, root: Path) -> str:
    """How a message names a path: relative to the site when it is inside it, else in full."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
