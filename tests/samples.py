"""The repository's own sample site, copied for a test so no test ever builds into the repository."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def copy_sample_site(target: Path) -> Path:
    """Copy content/, static/ and site.toml into ``target``; returns its absolute path."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("content", "static"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "site.toml", target / "site.toml")
    return target.resolve()
